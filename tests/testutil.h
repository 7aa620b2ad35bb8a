/*
 * testutil.h — small helpers shared by the engine's unit tests: seeded
 * random matrices and labels, tiny networks, and comparisons that say
 * which entry differs.  Everything is static inline so each test file
 * stays one translation unit; include after <cmocka.h>.
 */
#ifndef NN_TESTUTIL_H
#define NN_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

/* Uniform values in [-scale, scale) from the search stream of `seed`
 * (a stream the engine itself never uses, so tests do not alias it). */
static inline void tu_fill(double *x, int n, double scale, uint64_t seed)
{
    nn_rng r;
    nn_rng_seed(&r, seed, NN_STREAM_SEARCH, 77);
    for (int i = 0; i < n; i++)
        x[i] = scale * (2 * nn_rng_uniform(&r) - 1);
}

static inline double *tu_rand(int n, double scale, uint64_t seed)
{
    double *x = malloc((size_t)(n > 0 ? n : 1) * sizeof *x);
    assert_non_null(x);
    tu_fill(x, n, scale, seed);
    return x;
}

/* m rows of k targets fitting `loss`: one-hot rows for xent (and for
 * softmax+mse), 0/1 for bce, reals in (-0.9, 0.9) for mse. */
static inline double *tu_targets(int m, int k, nn_loss loss, nn_act out,
                                 uint64_t seed)
{
    double *y = calloc((size_t)m * k, sizeof *y);
    nn_rng r;
    assert_non_null(y);
    nn_rng_seed(&r, seed, NN_STREAM_SEARCH, 99);
    for (int i = 0; i < m; i++) {
        if (loss == NN_LOSS_XENT || out == NN_ACT_SOFTMAX) {
            y[(size_t)i * k + (int)(nn_rng_u64(&r) % (uint64_t)k)] = 1;
            continue;
        }
        for (int j = 0; j < k; j++)
            y[(size_t)i * k + j] = loss == NN_LOSS_BCE
                                       ? (double)(nn_rng_u64(&r) & 1)
                                       : 1.8 * nn_rng_uniform(&r) - 0.9;
    }
    return y;
}

/* A network of `n` sizes, initialized with `init` (He if NULL) from seed. */
static inline nn_net *tu_net(const int *sizes, int n, nn_act hidden,
                             nn_act out, nn_loss loss,
                             const nn_init_spec *init, uint64_t seed)
{
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, n, hidden, nn_act_default_arg(hidden),
                             out, nn_act_default_arg(out), loss, &err);
    if (!net)
        fail_msg("nn_net_new: %s", err.msg);
    if (init)
        for (int i = 0; i < net->n_layers; i++)
            net->L[i].init = *init;
    nn_net_init(net, seed, 0);
    return net;
}

/* Fill every b, gamma and beta with small random values so that their
 * gradients (and batch norm's) are checked away from the trivial point. */
static inline void tu_perturb_vectors(nn_net *net, uint64_t seed)
{
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        int zc = nn_layer_zcols(l); /* a maxout layer's pieces */
        tu_fill(l->b.w.v, zc, 0.2, seed + 10 * (uint64_t)i + 1);
        tu_fill(l->beta.w.v, zc, 0.2, seed + 10 * (uint64_t)i + 2);
        tu_fill(l->gamma.w.v, zc, 0.3, seed + 10 * (uint64_t)i + 3);
        for (int j = 0; j < zc; j++)
            l->gamma.w.v[j] += 1.0;
        /* PReLU slopes around 0.25 (unused by the other activations) */
        tu_fill(l->alpha.w.v, l->out, 0.2, seed + 10 * (uint64_t)i + 4);
        for (int j = 0; j < l->out; j++)
            l->alpha.w.v[j] += 0.25;
    }
}

/* Assert |a - b| <= tol, naming what was compared. */
#define assert_close(a, b, tol)                                              \
    do {                                                                     \
        double a_ = (a), b_ = (b), t_ = (tol);                               \
        if (!(fabs(a_ - b_) <= t_))                                          \
            fail_msg("%s = %.17g, expected %s = %.17g (tol %g)", #a, a_,    \
                     #b, b_, t_);                                            \
    } while (0)

/* Relative error of two vectors: ‖a − b‖ / max(‖b‖, tiny). */
static inline double tu_rel_diff(const double *a, const double *b, int n)
{
    double d = 0, s = 0;
    for (int i = 0; i < n; i++) {
        d += (a[i] - b[i]) * (a[i] - b[i]);
        s += b[i] * b[i];
    }
    return sqrt(d) / (s > 0 ? sqrt(s) : 1e-300);
}

/* Every weight, PReLU slope (of PReLU layers) and bn statistic of two
 * same-shaped networks, bitwise. */
static inline int tu_same_weights(const nn_net *a, const nn_net *b)
{
    if (a->n_layers != b->n_layers)
        return 0;
    for (int i = 0; i < a->n_layers; i++) {
        const nn_layer *x = &a->L[i], *y = &b->L[i];
        const nn_mat *mx[] = { &x->W.w, &x->b.w, &x->gamma.w, &x->beta.w,
                               &x->run_mean, &x->run_var, &x->alpha.w };
        const nn_mat *my[] = { &y->W.w, &y->b.w, &y->gamma.w, &y->beta.w,
                               &y->run_mean, &y->run_var, &y->alpha.w };
        /* slopes are weights of PReLU layers only */
        int n = x->act == NN_ACT_PRELU || y->act == NN_ACT_PRELU ? 7 : 6;
        for (int k = 0; k < n; k++)
            if (mx[k]->rows != my[k]->rows || mx[k]->cols != my[k]->cols ||
                memcmp(mx[k]->v, my[k]->v,
                       (size_t)nn_mat_size(mx[k]) * sizeof(double)))
                return 0;
    }
    return 1;
}

/* A generated data set, failing the test if the generator does. */
static inline nn_data *tu_data(const char *kind, int n, int classes,
                               uint64_t seed)
{
    nn_err err = {{0}};
    nn_gen_opts o;
    memset(&o, 0, sizeof o);
    o.n = n;
    o.noise = -1;
    o.classes = classes;
    o.seed = seed;
    nn_data *d = nn_data_generate(kind, &o, &err);
    if (!d)
        fail_msg("nn_data_generate(%s): %s", kind, err.msg);
    return d;
}

#endif
