/*
 * net.c — building and changing a network (see net.h).  The passes
 * themselves live in pass.c, initialization in init.c.
 */
#include "net_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nn_reg_names[] = { "none", "l2", "l1", "elastic", NULL };
const char *const nn_ptype_names[] = { "W", "b", "gamma", "beta", "alpha",
                                       NULL };

/* ------------------------------------------------------------------ */
/* Whole networks                                                       */
/* ------------------------------------------------------------------ */

nn_net *nn_net_new(const int *sizes, int n, nn_act hidden, double hidden_arg,
                   nn_act out, double out_arg, nn_loss loss, nn_err *err)
{
    const char *why;
    if (n < 2) {
        nn_fail(err, "a network needs at least an input and an output size");
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (sizes[i] < 1 || sizes[i] > 100000) {
            nn_fail(err, "layer sizes must be 1..100000, got %d", sizes[i]);
            return NULL;
        }
    for (int i = 0; i + 1 < n; i++) {
        /* maxout's pieces multiply the rows of its W */
        long long rows = (long long)sizes[i + 1] *
                         (i + 2 < n ? nn_layer_pieces_of(hidden, hidden_arg) : 1);
        if (rows * sizes[i] > NN_MAX_LAYER_WEIGHTS) {
            nn_fail(err, "a layer of %lld x %d weights is too large (at "
                    "most %d)", rows, sizes[i], NN_MAX_LAYER_WEIGHTS);
            return NULL;
        }
    }
    if ((n > 2 && nn_layer_check_act(hidden, hidden_arg, 0, err)) ||
        nn_layer_check_act(out, out_arg, 1, err))
        return NULL;
    if (nn_loss_check(loss, out, &why)) {
        nn_fail(err, "%s", why);
        return NULL;
    }
    nn_net *net = calloc(1, sizeof *net);
    if (!net || !(net->L = calloc((size_t)n - 1, sizeof *net->L)))
        goto oom;
    net->n_in = sizes[0];
    net->n_layers = n - 1;
    net->loss = loss;
    net->loss_arg = nn_loss_default_arg(loss);
    net->bn_momentum = 0.9;
    net->bn_eps = 1e-5;
    net->bug_param = -1;
    net->bug_factor = 2;
    for (int i = 0; i < n - 1; i++) {
        int last = i == n - 2;
        nn_layer_defaults(&net->L[i], last ? out : hidden,
                       last ? out_arg : hidden_arg);
        if (nn_layer_alloc(&net->L[i], sizes[i], sizes[i + 1]))
            goto oom;
    }
    if (nn_net_index_params(net) || nn_net_reserve(net, 64, err))
        goto oom;
    return net;
oom:
    nn_net_free(net);
    nn_fail(err, "out of memory for a network of this size");
    return NULL;
}

void nn_net_free(nn_net *net)
{
    if (!net)
        return;
    for (int i = 0; net->L && i < net->n_layers; i++)
        nn_layer_free(&net->L[i]);
    free(net->L);
    free(net->params);
    free(net);
}

int nn_net_reserve(nn_net *net, int rows, nn_err *err)
{
    if (rows <= net->cap)
        return 0;
    /* Every new cache first, then the swap: freeing the old ones and
     * allocating them again after a failure could fail in turn and leave
     * a layer without caches. */
    int n = 0;
    nn_layer *fresh = calloc((size_t)net->n_layers, sizeof *fresh);
    for (; fresh && n < net->n_layers; n++) {
        fresh[n].out = net->L[n].out;
        fresh[n].pieces = net->L[n].pieces; /* maxout: wider caches */
        if (nn_layer_caches_alloc(&fresh[n], rows))
            break;
    }
    if (!fresh || n < net->n_layers) {
        for (int i = 0; fresh && i <= n && i < net->n_layers; i++)
            nn_layer_caches_free(&fresh[i]);
        free(fresh);
        return nn_fail(err, "out of memory for a batch of %d rows", rows);
    }
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer_caches_free(&net->L[i]);
        net->L[i].U = fresh[i].U;
        net->L[i].Uhat = fresh[i].Uhat;
        net->L[i].Z = fresh[i].Z;
        net->L[i].A = fresh[i].A;
        net->L[i].mask = fresh[i].mask;
        net->L[i].dZ = fresh[i].dZ;
    }
    free(fresh);
    net->cap = rows;
    return 0;
}

static int copy_mat(nn_mat *dst, const nn_mat *src)
{
    if (nn_mat_alloc(dst, src->rows, src->cols))
        return -1;
    memcpy(dst->v, src->v, (size_t)nn_mat_size(src) * sizeof *src->v);
    return 0;
}

static int copy_param(nn_param *d, const nn_param *s)
{
    d->type = s->type;
    d->layer = s->layer;
    return copy_mat(&d->w, &s->w) || copy_mat(&d->g, &s->g) ||
           copy_mat(&d->v, &s->v) || copy_mat(&d->s, &s->s) ? -1 : 0;
}

static int copy_layer(nn_layer *d, const nn_layer *s)
{
    *d = *s;
    memset(&d->W, 0, sizeof d->W);
    memset(&d->b, 0, sizeof d->b);
    memset(&d->gamma, 0, sizeof d->gamma);
    memset(&d->beta, 0, sizeof d->beta);
    memset(&d->alpha, 0, sizeof d->alpha);
    d->run_mean.v = d->run_var.v = d->bn_ivar.v = NULL;
    d->U.v = d->Uhat.v = d->Z.v = d->A.v = d->mask.v = d->dZ.v = NULL;
    return copy_param(&d->W, &s->W) || copy_param(&d->b, &s->b) ||
           copy_param(&d->gamma, &s->gamma) ||
           copy_param(&d->beta, &s->beta) ||
           copy_param(&d->alpha, &s->alpha) ||
           copy_mat(&d->run_mean, &s->run_mean) ||
           copy_mat(&d->run_var, &s->run_var) ||
           copy_mat(&d->bn_ivar, &s->bn_ivar) ? -1 : 0;
}

nn_net *nn_net_clone(const nn_net *src, nn_err *err)
{
    nn_net *net = calloc(1, sizeof *net);
    if (!net)
        goto oom;
    *net = *src;
    net->params = NULL;
    net->cap = 0;
    net->L = calloc((size_t)src->n_layers, sizeof *net->L);
    if (!net->L) {
        net->n_layers = 0;
        goto oom;
    }
    for (int i = 0; i < src->n_layers; i++)
        if (copy_layer(&net->L[i], &src->L[i])) {
            net->n_layers = i + 1;
            goto oom;
        }
    if (nn_net_index_params(net) || nn_net_reserve(net, src->cap, err))
        goto oom;
    net->has_grads = src->has_grads; /* g was copied with the weights */
    return net;
oom:
    nn_net_free(net);
    nn_fail(err, "out of memory copying the network");
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Changing one layer                                                   */
/* ------------------------------------------------------------------ */

/* Make layers[0..n) the network's, where layers[made[0]] and
 * layers[made[1]] are newly built (no caches yet; -1: none) and the others
 * are the network's own, copied by value (they keep their caches).  What
 * can fail comes first: on failure the network is unchanged and the
 * caller frees what it built.  The replaced layers are the caller's to
 * free after success; only the old array goes here. */
static int adopt_layers(nn_net *net, nn_layer *layers, int n,
                        const int made[2], nn_err *err)
{
    int np;
    for (int k = 0; k < 2; k++)
        if (made[k] >= 0 && nn_layer_caches_alloc(&layers[made[k]], net->cap))
            return nn_fail(err, "out of memory");
    nn_param **p = nn_layer_params_of(layers, n, &np);
    if (!p)
        return nn_fail(err, "out of memory");
    free(net->params);
    net->params = p;
    net->n_params = np;
    net->has_grads = 0;
    free(net->L);
    net->L = layers;
    net->n_layers = n;
    net->bug_param = -1;
    return 0;
}

int nn_net_insert(nn_net *net, int pos, int units, nn_act act, double arg,
                  uint64_t seed, nn_err *err)
{
    if (pos < 1 || pos > net->n_layers)
        return nn_fail(err, "position must be 1..%d (the output layer stays "
                       "last), got %d", net->n_layers, pos);
    if (units < 1 || units > 100000)
        return nn_fail(err, "units must be 1..100000, got %d", units);
    if (nn_layer_check_act(act, arg, 0, err))
        return -1;
    int n = net->n_layers + 1, at = pos - 1;
    int below = at == 0 ? net->n_in : net->L[at - 1].out;
    if ((long long)below * units * nn_layer_pieces_of(act, arg) >
            NN_MAX_LAYER_WEIGHTS ||
        (long long)units * nn_layer_zcols(&net->L[at]) >
            NN_MAX_LAYER_WEIGHTS)
        return nn_fail(err, "a layer of %d units there is too large (at most "
                       "%d weights per layer)", units, NN_MAX_LAYER_WEIGHTS);
    nn_layer *L = calloc((size_t)n, sizeof *L);
    nn_layer fresh, next;
    if (!L)
        return nn_fail(err, "out of memory");
    int in = at == 0 ? net->n_in : net->L[at - 1].out;
    nn_layer_defaults(&fresh, act, arg);
    fresh.init = net->L[at].init;
    next = net->L[at];           /* settings of the layer that moves down */
    nn_layer moved;
    nn_layer_defaults(&moved, next.act, next.act_arg);
    moved.keep = next.keep;
    moved.bn = next.bn;
    moved.init = next.init;
    if (nn_layer_alloc(&fresh, in, units) ||
        nn_layer_alloc(&moved, units, next.out)) {
        nn_layer_free(&fresh);
        nn_layer_free(&moved);
        free(L);
        return nn_fail(err, "out of memory");
    }
    for (int i = 0, j = 0; i < n; i++) {
        if (i == at)
            L[i] = fresh;
        else if (i == at + 1)
            L[i] = moved, j++;
        else
            L[i] = net->L[j++];
    }
    nn_layer old = net->L[at];
    if (adopt_layers(net, L, n, (const int[2]){ at, at + 1 }, err)) {
        nn_layer_free(&L[at]);     /* fresh and moved, with any caches */
        nn_layer_free(&L[at + 1]);
        free(L);
        return -1;
    }
    nn_layer_free(&old);
    nn_net_init(net, seed, pos);
    nn_net_init(net, seed, pos + 1);
    return 0;
}

int nn_net_delete(nn_net *net, int pos, uint64_t seed, nn_err *err)
{
    if (net->n_layers < 2)
        return nn_fail(err, "the network has only its output layer");
    if (pos < 1 || pos >= net->n_layers)
        return nn_fail(err, "position must be a hidden layer, 1..%d, got %d",
                       net->n_layers - 1, pos);
    int n = net->n_layers - 1, at = pos - 1;
    int below = at == 0 ? net->n_in : net->L[at - 1].out;
    if ((long long)below * nn_layer_zcols(&net->L[at + 1]) >
        NN_MAX_LAYER_WEIGHTS)
        return nn_fail(err, "the layers around it would join into %d x %d "
                       "weights, too many (at most %d)",
                       nn_layer_zcols(&net->L[at + 1]),
                       below, NN_MAX_LAYER_WEIGHTS);
    nn_layer *L = calloc((size_t)n, sizeof *L);
    if (!L)
        return nn_fail(err, "out of memory");
    const nn_layer *after = &net->L[at + 1];
    nn_layer moved;
    nn_layer_defaults(&moved, after->act, after->act_arg);
    moved.keep = after->keep;
    moved.bn = after->bn;
    moved.init = after->init;
    int in = at == 0 ? net->n_in : net->L[at - 1].out;
    if (nn_layer_alloc(&moved, in, after->out)) {
        nn_layer_free(&moved);
        free(L);
        return nn_fail(err, "out of memory");
    }
    for (int i = 0, j = 0; i < n; i++, j++) {
        if (i == at) {
            L[i] = moved;
            j++;
        } else {
            L[i] = net->L[j];
        }
    }
    nn_layer gone[2] = { net->L[at], net->L[at + 1] };
    if (adopt_layers(net, L, n, (const int[2]){ at, -1 }, err)) {
        nn_layer_free(&L[at]);     /* moved, with any caches */
        free(L);
        return -1;
    }
    nn_layer_free(&gone[0]);
    nn_layer_free(&gone[1]);
    nn_net_init(net, seed, pos);
    return 0;
}

int nn_net_set_bn(nn_net *net, int pos, int on, nn_err *err)
{
    if (pos < 1 || pos > net->n_layers)
        return nn_fail(err, "layer must be 1..%d, got %d", net->n_layers, pos);
    int was = net->L[pos - 1].bn;
    net->L[pos - 1].bn = on != 0;
    if (nn_net_index_params(net)) {
        net->L[pos - 1].bn = was;
        return nn_fail(err, "out of memory");
    }
    net->bug_param = -1;
    return 0;
}

long nn_net_param_count(const nn_net *net)
{
    long n = 0;
    for (int i = 0; i < net->n_params; i++)
        n += nn_mat_size(&net->params[i]->w);
    return n;
}

void nn_param_name(const nn_param *p, char *buf, int size)
{
    snprintf(buf, (size_t)size, "%s%d", nn_ptype_names[p->type], p->layer);
}

int nn_net_find_param(const nn_net *net, const char *name)
{
    char buf[32];
    if (name[0] == 'd' && name[1])
        name++;
    for (int i = 0; i < net->n_params; i++) {
        nn_param_name(net->params[i], buf, sizeof buf);
        if (!strcmp(buf, name))
            return i;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Activations, loss and penalty                                        */
/* ------------------------------------------------------------------ */

/* Replace layer pos by one of the same units and settings whose pieces
 * differ, initialized from its spec.  On error nothing changes. */
static int reshape_layer(nn_net *net, int pos, nn_act act, double arg,
                         uint64_t seed, nn_err *err)
{
    int n = net->n_layers, at = pos - 1;
    const nn_layer *old = &net->L[at];
    nn_layer fresh;
    nn_layer_defaults(&fresh, act, arg);
    fresh.keep = old->keep;
    fresh.bn = old->bn;
    fresh.init = old->init;
    if ((long long)nn_layer_zcols(&fresh) * old->in > NN_MAX_LAYER_WEIGHTS)
        return nn_fail(err, "%d units of %d pieces on %d inputs are too many "
                       "weights (at most %d)", old->out, fresh.pieces,
                       old->in, NN_MAX_LAYER_WEIGHTS);
    nn_layer *L = malloc((size_t)n * sizeof *L);
    if (!L || nn_layer_alloc(&fresh, old->in, old->out)) {
        nn_layer_free(&fresh);
        free(L);
        return nn_fail(err, "out of memory");
    }
    memcpy(L, net->L, (size_t)n * sizeof *L);
    L[at] = fresh;
    nn_layer gone = net->L[at];
    if (adopt_layers(net, L, n, (const int[2]){ at, -1 }, err)) {
        nn_layer_free(&L[at]);
        free(L);
        return -1;
    }
    nn_layer_free(&gone);
    nn_net_init(net, seed, pos);
    return 0;
}

int nn_net_set_act(nn_net *net, int pos, nn_act act, double arg,
                   uint64_t seed, nn_err *err)
{
    const char *why;
    if (pos < 1 || pos > net->n_layers)
        return nn_fail(err, "layer must be 1..%d, got %d", net->n_layers, pos);
    int output = pos == net->n_layers;
    if (nn_layer_check_act(act, arg, output, err))
        return -1;
    if (output && nn_loss_check(net->loss, act, &why))
        return nn_fail(err, "%s", why);
    nn_layer *l = &net->L[pos - 1];
    if (nn_layer_pieces_of(act, arg) != l->pieces)
        return reshape_layer(net, pos, act, arg, seed, err);
    nn_act was = l->act;
    double was_arg = l->act_arg;
    l->act = act;
    l->act_arg = arg;
    if ((was == NN_ACT_PRELU) != (act == NN_ACT_PRELU)) {
        if (nn_net_index_params(net)) {
            l->act = was;
            l->act_arg = was_arg;
            return nn_fail(err, "out of memory");
        }
        net->bug_param = -1;
    }
    if (act == NN_ACT_PRELU) {
        size_t bytes = (size_t)l->out * sizeof(double);
        for (int j = 0; j < l->out; j++)
            l->alpha.w.v[j] = arg;
        memset(l->alpha.g.v, 0, bytes);
        memset(l->alpha.v.v, 0, bytes);
        memset(l->alpha.s.v, 0, bytes);
    }
    return 0;
}

int nn_net_set_loss(nn_net *net, nn_loss loss, double arg, nn_err *err)
{
    const char *why;
    if ((unsigned)loss > NN_LOSS_HUBER)
        return nn_fail(err, "unknown loss %d", (int)loss);
    if (nn_loss_check(loss, nn_net_last(net)->act, &why))
        return nn_fail(err, "%s", why);
    if (!nn_loss_has_arg(loss))
        arg = 0;
    else if (arg == 0)
        arg = nn_loss_default_arg(loss);
    else if (!(arg > 0 && arg <= NN_LOSS_ARG_MAX))
        return nn_fail(err, "%s's delta must be more than 0 and at most %g, "
                       "got %g", nn_loss_names[loss], NN_LOSS_ARG_MAX, arg);
    net->loss = loss;
    net->loss_arg = arg;
    return 0;
}

int nn_net_set_reg(nn_net *net, nn_reg kind, double lambda, double lambda2,
                   nn_err *err)
{
    if ((unsigned)kind > NN_REG_ELASTIC)
        return nn_fail(err, "unknown regularizer %d", (int)kind);
    if (!(lambda >= 0 && lambda <= NN_LAMBDA_MAX) ||
        !(lambda2 >= 0 && lambda2 <= NN_LAMBDA_MAX))
        return nn_fail(err, "lambda must be 0..%g, got %g", NN_LAMBDA_MAX,
                       !(lambda >= 0 && lambda <= NN_LAMBDA_MAX) ? lambda
                                                                 : lambda2);
    if (kind != NN_REG_ELASTIC && lambda2 != 0)
        return nn_fail(err, "only elastic net takes a second lambda");
    net->reg = kind;
    net->lambda = lambda;
    net->lambda2 = lambda2;
    return 0;
}

void nn_reg_strengths(const nn_net *net, double *l1, double *l2)
{
    *l1 = *l2 = 0;
    switch (net->reg) {
    case NN_REG_L2:
        *l2 = net->lambda;
        break;
    case NN_REG_L1:
        *l1 = net->lambda;
        break;
    case NN_REG_ELASTIC:
        *l1 = net->lambda;
        *l2 = net->lambda2;
        break;
    default:
        break;
    }
}
