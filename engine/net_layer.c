/*
 * net_layer.c — one layer's parameters and caches: allocating, freeing,
 * the defaults of a new layer, which activations a layer may take, and
 * the list of a network's parameter tensors.  Shared by net.c's building
 * and changing of networks (net_internal.h).
 */
#include "net_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int param_alloc(nn_param *p, int rows, int cols, nn_ptype type)
{
    p->type = type;
    if (nn_mat_alloc(&p->w, rows, cols) || nn_mat_alloc(&p->g, rows, cols) ||
        nn_mat_alloc(&p->v, rows, cols) || nn_mat_alloc(&p->s, rows, cols))
        return -1;
    return 0;
}

static void param_free(nn_param *p)
{
    nn_mat_free(&p->w);
    nn_mat_free(&p->g);
    nn_mat_free(&p->v);
    nn_mat_free(&p->s);
}

void nn_layer_caches_free(nn_layer *l)
{
    nn_mat *c[] = { &l->U, &l->Uhat, &l->Z, &l->A, &l->mask, &l->dZ };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        nn_mat_free(c[i]);
}

void nn_layer_free(nn_layer *l)
{
    param_free(&l->W);
    param_free(&l->b);
    param_free(&l->gamma);
    param_free(&l->beta);
    param_free(&l->alpha);
    nn_mat_free(&l->run_mean);
    nn_mat_free(&l->run_var);
    nn_mat_free(&l->bn_ivar);
    nn_layer_caches_free(l);
}

/* The pre-activation caches have a column per maxout piece; the
 * activation and its dropout mask one per unit. */
int nn_layer_caches_alloc(nn_layer *l, int rows)
{
    nn_mat *c[] = { &l->U, &l->Uhat, &l->Z, &l->A, &l->mask, &l->dZ };
    int cols[] = { nn_layer_zcols(l), nn_layer_zcols(l), nn_layer_zcols(l),
                   l->out, l->out, nn_layer_zcols(l) };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        nn_mat_free(c[i]);
        if (nn_mat_alloc(c[i], rows, cols[i]))
            return -1;
    }
    return 0;
}

/* Allocate the parameters of a layer whose settings (pieces too) are
 * already filled. */
int nn_layer_alloc(nn_layer *l, int in, int out)
{
    l->in = in;
    l->out = out;
    int zc = nn_layer_zcols(l);
    if (param_alloc(&l->W, zc, in, NN_P_W) ||
        param_alloc(&l->b, 1, zc, NN_P_B) ||
        param_alloc(&l->gamma, 1, zc, NN_P_GAMMA) ||
        param_alloc(&l->beta, 1, zc, NN_P_BETA) ||
        param_alloc(&l->alpha, 1, out, NN_P_ALPHA) ||
        nn_mat_alloc(&l->run_mean, 1, zc) ||
        nn_mat_alloc(&l->run_var, 1, zc) ||
        nn_mat_alloc(&l->bn_ivar, 1, zc))
        return -1;
    for (int j = 0; j < zc; j++) {
        l->gamma.w.v[j] = 1;
        l->run_var.v[j] = 1;
    }
    for (int j = 0; j < out; j++)
        l->alpha.w.v[j] = l->act == NN_ACT_PRELU ? l->act_arg : 0;
    return 0;
}

int nn_layer_pieces_of(nn_act act, double arg)
{
    return act == NN_ACT_MAXOUT && arg >= 2 && arg <= NN_MAXOUT_MAX
               ? (int)arg : 1;
}

void nn_layer_defaults(nn_layer *l, nn_act act, double arg)
{
    memset(l, 0, sizeof *l);
    l->act = act;
    l->act_arg = arg;
    l->pieces = nn_layer_pieces_of(act, arg);
    l->keep = 1;
    l->init.kind = NN_INIT_HE;
    l->init.gain = 1;
}

/* 0 when act with arg may be a hidden layer's (output 0) or the output
 * layer's (output 1); else -1 and err says why. */
int nn_layer_check_act(nn_act act, double arg, int output, nn_err *err)
{
    if ((unsigned)act >= NN_ACT_COUNT)
        return nn_fail(err, "unknown activation %d", (int)act);
    if (act == NN_ACT_SOFTMAX && !output)
        return nn_fail(err, "softmax is for the output layer only");
    if ((act == NN_ACT_PRELU || act == NN_ACT_MAXOUT) && output)
        return nn_fail(err, "%s is for hidden layers only (the loss reads "
                       "the output layer)", nn_act_names[act]);
    if (act == NN_ACT_MAXOUT &&
        !(arg >= 2 && arg <= NN_MAXOUT_MAX && arg == floor(arg)))
        return nn_fail(err, "maxout takes a whole number of pieces 2..%d, "
                       "got %g", NN_MAXOUT_MAX, arg);
    return 0;
}

/* A new list of the parameter tensors of layers L[0..nl): W b, or W γ β
 * with batch norm, then alpha for PReLU; the layers are numbered on the
 * way.  NULL when out of memory (nothing changed then).  Rebuilt whenever
 * the architecture, bn or a PReLU changes. */
nn_param **nn_layer_params_of(nn_layer *L, int nl, int *count)
{
    int n = 0;
    for (int i = 0; i < nl; i++)
        n += (L[i].bn ? 3 : 2) + (L[i].act == NN_ACT_PRELU);
    nn_param **p = malloc((size_t)n * sizeof *p);
    if (!p)
        return NULL;
    n = 0;
    for (int i = 0; i < nl; i++) {
        nn_layer *l = &L[i];
        l->W.layer = l->b.layer = l->gamma.layer = l->beta.layer =
            l->alpha.layer = i + 1;
        p[n++] = &l->W;
        if (l->bn) {
            p[n++] = &l->gamma;
            p[n++] = &l->beta;
        } else {
            p[n++] = &l->b;
        }
        if (l->act == NN_ACT_PRELU)
            p[n++] = &l->alpha;
    }
    *count = n;
    return p;
}

int nn_net_index_params(nn_net *net)
{
    int n;
    nn_param **p = nn_layer_params_of(net->L, net->n_layers, &n);
    if (!p)
        return -1;
    free(net->params);
    net->params = p;
    net->n_params = n;
    net->has_grads = 0;
    return 0;
}
