/*
 * init.c — weight initialization (see net.h).
 *
 * Each layer draws from its own sub-stream of the init stream, so
 * re-initializing one layer, or changing another layer's size, leaves the
 * rest of the network's initial weights as they were for the same seed.
 */
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const nn_init_names[] = {
    "zeros", "const", "normal", "uniform", "xavier", "xavier-normal", "he",
    "he-uniform", "lecun", "orthogonal", NULL
};

static void fill_normal(nn_mat *w, double std, nn_rng *rng)
{
    for (int i = 0; i < nn_mat_size(w); i++)
        w->v[i] = std * nn_rng_normal(rng);
}

static void fill_uniform(nn_mat *w, double a, nn_rng *rng)
{
    for (int i = 0; i < nn_mat_size(w); i++)
        w->v[i] = a * (2 * nn_rng_uniform(rng) - 1);
}

/* Orthonormal rows (or columns, whichever are fewer) by modified
 * Gram-Schmidt on a Gaussian matrix: the distribution Saxe et al. use. */
static void fill_orthogonal(nn_mat *w, double gain, nn_rng *rng)
{
    int r = w->rows, c = w->cols;
    int tall = r > c; /* orthonormalize the shorter dimension's vectors */
    int nvec = tall ? c : r, len = tall ? r : c;
    fill_normal(w, 1.0, rng);
    for (int a = 0; a < nvec; a++) {
#define AT(vi, k) (*(tall ? &w->v[(size_t)(k) * c + (vi)] : &w->v[(size_t)(vi) * c + (k)]))
        for (int b = 0; b < a; b++) {
            double dot = 0;
            for (int k = 0; k < len; k++)
                dot += AT(a, k) * AT(b, k);
            for (int k = 0; k < len; k++)
                AT(a, k) -= dot * AT(b, k);
        }
        double norm = 0;
        for (int k = 0; k < len; k++)
            norm += AT(a, k) * AT(a, k);
        norm = sqrt(norm);
        for (int k = 0; k < len; k++)
            AT(a, k) = norm > 0 ? AT(a, k) / norm : 0;
#undef AT
    }
    for (int i = 0; i < r * c; i++)
        w->v[i] *= gain;
}

/* Fill w by spec, the scaled kinds counting the fans given. */
static void init_fans(nn_mat *w, const nn_init_spec *spec, nn_rng *rng,
                      double fan_in, double fan_out)
{
    double g = spec->gain;
    switch (spec->kind) {
    case NN_INIT_ZEROS:
        memset(w->v, 0, (size_t)nn_mat_size(w) * sizeof *w->v);
        break;
    case NN_INIT_CONST:
        for (int i = 0; i < nn_mat_size(w); i++)
            w->v[i] = g * spec->arg;
        break;
    case NN_INIT_NORMAL:
        fill_normal(w, g * spec->arg, rng);
        break;
    case NN_INIT_UNIFORM:
        fill_uniform(w, g * spec->arg, rng);
        break;
    case NN_INIT_XAVIER:
        fill_uniform(w, g * sqrt(6.0 / (fan_in + fan_out)), rng);
        break;
    case NN_INIT_XAVIER_NORMAL:
        fill_normal(w, g * sqrt(2.0 / (fan_in + fan_out)), rng);
        break;
    case NN_INIT_HE:
        fill_normal(w, g * sqrt(2.0 / fan_in), rng);
        break;
    case NN_INIT_HE_UNIFORM:
        fill_uniform(w, g * sqrt(6.0 / fan_in), rng);
        break;
    case NN_INIT_LECUN:
        fill_normal(w, g * sqrt(1.0 / fan_in), rng);
        break;
    case NN_INIT_ORTHOGONAL:
        fill_orthogonal(w, g, rng);
        break;
    default:
        break;
    }
}

void nn_init_matrix(nn_mat *w, const nn_init_spec *spec, nn_rng *rng)
{
    init_fans(w, spec, rng, w->cols, w->rows);
}

static void zero_param_state(nn_param *p, int clear_value)
{
    size_t n = (size_t)nn_mat_size(&p->w) * sizeof(double);
    if (clear_value)
        memset(p->w.v, 0, n);
    memset(p->g.v, 0, n);
    memset(p->v.v, 0, n);
    memset(p->s.v, 0, n);
}

static void init_layer(nn_layer *l, uint64_t seed, int index)
{
    nn_rng rng;
    nn_rng_seed(&rng, seed, NN_STREAM_INIT, (uint64_t)index);
    /* a maxout layer's W has a row per piece, but its fan-out is its
     * units: backward, one piece per unit passes the gradient */
    init_fans(&l->W.w, &l->init, &rng, l->in, l->out);
    zero_param_state(&l->W, 0);
    zero_param_state(&l->b, 1);
    zero_param_state(&l->beta, 1);
    zero_param_state(&l->gamma, 0);
    zero_param_state(&l->alpha, 0);
    for (int j = 0; j < nn_layer_zcols(l); j++) {
        l->gamma.w.v[j] = 1;
        l->run_mean.v[j] = 0;
        l->run_var.v[j] = 1;
    }
    for (int j = 0; j < l->out; j++)
        l->alpha.w.v[j] = l->act == NN_ACT_PRELU ? l->act_arg : 0;
    l->update_sq = 0;
    l->weight_sq = 0;
}

void nn_net_init(nn_net *net, uint64_t seed, int only)
{
    for (int i = 0; i < net->n_layers; i++)
        if (only <= 0 || only == i + 1)
            init_layer(&net->L[i], seed, i + 1);
    /* optimizer moments of the untouched layers are reset too: they were
     * estimated on a network that no longer exists */
    nn_net_zero_moments(net);
    net->has_grads = 0; /* the gradients were of the old weights */
}

void nn_net_zero_moments(nn_net *net)
{
    for (int i = 0; i < net->n_params; i++) {
        nn_param *p = net->params[i];
        size_t n = (size_t)nn_mat_size(&p->w) * sizeof(double);
        memset(p->v.v, 0, n);
        memset(p->s.v, 0, n);
    }
}
