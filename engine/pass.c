/*
 * pass.c — the forward and backward passes of a network (see net.h).
 *
 * Every product is one nn_gemm() call on the layer caches; nothing here
 * allocates, so a training step costs only arithmetic.
 */
#include "net.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Batch norm                                                           */
/* ------------------------------------------------------------------ */

/* Training: normalize U over the batch, update running statistics. */
static void bn_forward_train(nn_net *net, nn_layer *l, int m)
{
    int n = nn_layer_zcols(l);
    double mom = net->bn_momentum;
    for (int j = 0; j < n; j++) {
        double mu = 0, var = 0;
        for (int i = 0; i < m; i++)
            mu += l->U.v[(size_t)i * n + j];
        mu /= m;
        for (int i = 0; i < m; i++) {
            double d = l->U.v[(size_t)i * n + j] - mu;
            var += d * d;
        }
        var /= m;
        double ivar = 1.0 / sqrt(var + net->bn_eps);
        l->bn_ivar.v[j] = ivar;
        for (int i = 0; i < m; i++) {
            size_t k = (size_t)i * n + j;
            l->Uhat.v[k] = (l->U.v[k] - mu) * ivar;
        }
        l->run_mean.v[j] = mom * l->run_mean.v[j] + (1 - mom) * mu;
        l->run_var.v[j] = mom * l->run_var.v[j] + (1 - mom) * var;
    }
}

static void bn_forward_eval(nn_net *net, nn_layer *l, int r0, int m)
{
    int n = nn_layer_zcols(l);
    for (int j = 0; j < n; j++) {
        double mu = l->run_mean.v[j];
        double ivar = 1.0 / sqrt(l->run_var.v[j] + net->bn_eps);
        for (int i = r0; i < r0 + m; i++) {
            size_t k = (size_t)i * n + j;
            l->Uhat.v[k] = (l->U.v[k] - mu) * ivar;
        }
    }
}

/* dZ holds dL/d(γÛ+β) on entry and dL/dU on return. */
static void bn_backward(nn_layer *l, int m)
{
    int n = nn_layer_zcols(l);
    double *dg = l->gamma.g.v, *db = l->beta.g.v;
    for (int j = 0; j < n; j++) {
        double sg = 0, sb = 0;
        for (int i = 0; i < m; i++) {
            size_t k = (size_t)i * n + j;
            sg += l->dZ.v[k] * l->Uhat.v[k];
            sb += l->dZ.v[k];
        }
        dg[j] = sg;
        db[j] = sb;
        /* dÛ = dZ·γ; dU = ivar/m · (m·dÛ − Σ dÛ − Û·Σ dÛ·Û) */
        double g = l->gamma.w.v[j], ivar = l->bn_ivar.v[j];
        double sum_dhat = sb * g, sum_dhat_hat = sg * g;
        for (int i = 0; i < m; i++) {
            size_t k = (size_t)i * n + j;
            double dhat = l->dZ.v[k] * g;
            l->dZ.v[k] = ivar / m *
                         (m * dhat - sum_dhat - l->Uhat.v[k] * sum_dhat_hat);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Forward                                                              */
/* ------------------------------------------------------------------ */

/* The passes work on rows r0 .. r0+m-1 of a layer's caches: all of them
 * (r0 = 0) in training, a chunk at a time in nn_net_forward_eval. */
static void linear_forward(nn_layer *l, const double *in, int r0, int m)
{
    int n = nn_layer_zcols(l);
    size_t off = (size_t)r0 * n;
    if (l->bn) {
        nn_gemm(0, 1, m, n, l->in, 1.0, in, l->in, l->W.w.v, l->in, 0.0,
                l->U.v + off, n);
        return;
    }
    for (int i = 0; i < m; i++)
        memcpy(l->Z.v + off + (size_t)i * n, l->b.w.v,
               (size_t)n * sizeof(double));
    nn_gemm(0, 1, m, n, l->in, 1.0, in, l->in, l->W.w.v, l->in, 1.0,
            l->Z.v + off, n);
}

static void dropout_forward(nn_layer *l, int m, nn_rng *drop)
{
    size_t n = (size_t)m * l->out;
    double scale = 1.0 / l->keep;
    for (size_t k = 0; k < n; k++) {
        l->mask.v[k] = nn_rng_uniform(drop) < l->keep ? scale : 0.0;
        l->A.v[k] *= l->mask.v[k];
    }
}

/* The activation the passes apply: maxout exactly when the layer has
 * pieces, since its storage decides the shapes (a maximum of one piece is
 * linear; see net.h on writing act directly). */
static nn_act layer_act(const nn_layer *l)
{
    if (l->pieces > 1)
        return NN_ACT_MAXOUT;
    return l->act == NN_ACT_MAXOUT ? NN_ACT_LINEAR : l->act;
}

/* Z into A: PReLU with its slope per unit, maxout over the pieces. */
static void act_forward(nn_layer *l, int r0, int m)
{
    nn_act act = layer_act(l);
    const double *z = l->Z.v + (size_t)r0 * nn_layer_zcols(l);
    double *a = l->A.v + (size_t)r0 * l->out;
    if (act == NN_ACT_PRELU)
        nn_prelu_forward(z, l->alpha.w.v, a, m, l->out);
    else
        nn_act_forward(act, act == NN_ACT_MAXOUT ? l->pieces : l->act_arg,
                       z, a, m, l->out);
}

/* γÛ + β over rows r0 .. r0+m-1. */
static void bn_scale(nn_layer *l, int r0, int m)
{
    int n = nn_layer_zcols(l);
    for (int r = r0; r < r0 + m; r++)
        for (int j = 0; j < n; j++) {
            size_t k = (size_t)r * n + j;
            l->Z.v[k] = l->gamma.w.v[j] * l->Uhat.v[k] + l->beta.w.v[j];
        }
}

/* The pass: `same_mask` applies each dropout layer's mask as it stands
 * (nn_net_forward_same_mask) instead of drawing one from `drop`. */
static const double *forward(nn_net *net, const double *X, int m, int train,
                             nn_rng *drop, int same_mask)
{
    const double *in = X;
    net->rows = m;
    net->last_train = train;
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        linear_forward(l, in, 0, m);
        if (l->bn) {
            if (train)
                bn_forward_train(net, l, m);
            else
                bn_forward_eval(net, l, 0, m);
            bn_scale(l, 0, m);
        }
        act_forward(l, 0, m);
        /* inverted dropout on hidden layers, in training only */
        int hidden_drop = train && l->keep < 1 && i < net->n_layers - 1;
        l->mask_on = hidden_drop && (drop || same_mask);
        if (l->mask_on && same_mask) {
            size_t cells = (size_t)m * l->out;
            for (size_t k = 0; k < cells; k++)
                l->A.v[k] *= l->mask.v[k];
        } else if (l->mask_on) {
            dropout_forward(l, m, drop);
        }
        in = l->A.v;
    }
    return nn_net_last(net)->A.v;
}

int nn_net_forward_eval(nn_net *net, const double *X, int m, int chunk,
                        nn_err *err)
{
    if (chunk < 1)
        chunk = m;
    net->rows = 0;
    net->last_train = 0;
    for (int i = 0; i < net->n_layers; i++)
        net->L[i].mask_on = 0;
    for (int r0 = 0; r0 < m; r0 += chunk) {
        if (nn_cancelled())
            return nn_fail(err, "interrupted after %d of %d examples", r0, m);
        int k = m - r0 < chunk ? m - r0 : chunk;
        /* every row is computed on its own in evaluation (batch norm on
         * its running statistics): a chunk gives the rows one pass would */
        const double *in = X + (size_t)r0 * net->n_in;
        for (int i = 0; i < net->n_layers; i++) {
            nn_layer *l = &net->L[i];
            linear_forward(l, in, r0, k);
            if (l->bn) {
                bn_forward_eval(net, l, r0, k);
                bn_scale(l, r0, k);
            }
            act_forward(l, r0, k);
            in = l->A.v + (size_t)r0 * l->out;
        }
        net->rows = r0 + k;
    }
    return 0;
}

const double *nn_net_forward(nn_net *net, const double *X, int m, int train,
                             nn_rng *drop)
{
    return forward(net, X, m, train, drop, 0);
}

const double *nn_net_forward_same_mask(nn_net *net, const double *X, int m)
{
    double mom = net->bn_momentum;
    net->bn_momentum = 1; /* running = 1·running + 0·batch: unchanged */
    const double *out = forward(net, X, m, 1, NULL, 1);
    net->bn_momentum = mom;
    return out;
}

double nn_net_unit_act(const nn_net *net, int l, int i, int j)
{
    const nn_layer *L = &net->L[l];
    int zc = nn_layer_zcols(L);
    const double *z = L->Z.v + (size_t)i * zc;
    nn_act act = layer_act(L);
    if (l == net->n_layers - 1 && !L->mask_on)
        return L->A.v[(size_t)i * L->out + j];
    if (act == NN_ACT_MAXOUT) {
        double best = z[j * L->pieces];
        for (int p = 1; p < L->pieces; p++)
            best = fmax(best, z[j * L->pieces + p]);
        return best;
    }
    double a;
    if (act == NN_ACT_PRELU)
        nn_prelu_forward(z + j, L->alpha.w.v + j, &a, 1, 1);
    else
        nn_act_forward(act, L->act_arg, z + j, &a, 1, 1);
    return a;
}

/* ------------------------------------------------------------------ */
/* Cost                                                                 */
/* ------------------------------------------------------------------ */

/* The m of the penalty: the training set's size while training (a
 * mini-batch's own size would make the regularization stronger the
 * smaller the batch), else the rows of the pass. */
static int penalty_m(const nn_net *net)
{
    return net->reg_m > 0 ? net->reg_m : net->rows;
}

double nn_net_penalty(const nn_net *net, int m)
{
    if (net->reg == NN_REG_NONE || m <= 0)
        return 0;
    /* which sums the kind needs, not which λ happen to be 0: a weight
     * that overflowed makes the cost NaN even with λ = 0, as it should */
    int l1 = net->reg == NN_REG_L1 || net->reg == NN_REG_ELASTIC;
    int l2 = net->reg == NN_REG_L2 || net->reg == NN_REG_ELASTIC;
    double sq = 0, abs_sum = 0, lam1, lam2;
    for (int i = 0; i < net->n_layers; i++) {
        const nn_mat *w = &net->L[i].W.w;
        int n = nn_mat_size(w);
        if (l2)
            sq += nn_sum_sq(w->v, n);
        if (l1)
            for (int k = 0; k < n; k++)
                abs_sum += fabs(w->v[k]);
    }
    nn_reg_strengths(net, &lam1, &lam2);
    double total = 0;
    if (l1)
        total += lam1 / m * abs_sum;
    if (l2)
        total += lam2 / (2.0 * m) * sq;
    return total;
}

double nn_net_cost(const nn_net *net, const double *Y, int with_penalty)
{
    const nn_layer *out = &net->L[net->n_layers - 1];
    double c = nn_loss_value_with(net->loss, net->loss_arg, out->act,
                                  out->Z.v, out->A.v, Y, net->rows, out->out);
    return with_penalty ? c + nn_net_penalty(net, penalty_m(net)) : c;
}

/* ------------------------------------------------------------------ */
/* Backward                                                             */
/* ------------------------------------------------------------------ */

/* db = the column sums of dZ (m x n), row by row as before, in groups of
 * four columns that the compiler turns into vector additions (one column
 * at a time, with db and dZ possibly the same memory for all it knows,
 * this loop was a twentieth of a small network's step). */
NN_VECTOR_CLONES
static void column_sums(const double *restrict dz, int m, int n,
                        double *restrict db)
{
    for (int j = 0; j < n; j++)
        db[j] = 0;
    for (int i = 0; i < m; i++) {
        const double *row = dz + (size_t)i * n;
        int j = 0;
        for (; j + 4 <= n; j += 4)
            for (int k = 0; k < 4; k++)
                db[j + k] += row[j + k];
        for (; j < n; j++)
            db[j] += row[j];
    }
}

static void weight_grad(const nn_net *net, nn_layer *l, const double *in,
                        int m)
{
    /* dW = dZᵀ·A_prev, plus the penalty's gradient (biases not penalized);
     * a maxout layer has a row of W and a column of dZ per piece */
    int zc = nn_layer_zcols(l);
    nn_gemm(1, 0, zc, l->in, m, 1.0, l->dZ.v, zc, in, l->in, 0.0, l->W.g.v,
            l->in);
    int n = nn_mat_size(&l->W.w);
    double *w = l->W.w.v, *g = l->W.g.v;
    if (net->reg == NN_REG_L2) {
        double k = net->lambda / penalty_m(net);
        for (int i = 0; i < n; i++)
            g[i] += k * w[i];
    } else if (net->reg == NN_REG_L1) {
        double k = net->lambda / penalty_m(net);
        for (int i = 0; i < n; i++)
            g[i] += k * (w[i] > 0 ? 1 : w[i] < 0 ? -1 : 0);
    } else if (net->reg == NN_REG_ELASTIC) {
        double k1 = net->lambda / penalty_m(net);
        double k2 = net->lambda2 / penalty_m(net);
        for (int i = 0; i < n; i++)
            g[i] += k1 * (w[i] > 0 ? 1 : w[i] < 0 ? -1 : 0) + k2 * w[i];
    }
    if (!l->bn)
        column_sums(l->dZ.v, m, zc, l->b.g.v);
}

/* dZ holds dL/dA on entry (m x out, dropout's mask applied) and dL/dZ on
 * return (m x zcols). */
static void act_backward(nn_layer *p, int m)
{
    size_t n = (size_t)m * p->out;
    nn_act act = layer_act(p);
    if (act == NN_ACT_PRELU) {
        nn_prelu_backward(p->Z.v, p->alpha.w.v, p->dZ.v, p->dZ.v,
                          p->alpha.g.v, m, p->out);
    } else if (act == NN_ACT_MAXOUT) {
        nn_act_backward(act, p->pieces, p->Z.v, p->A.v, p->dZ.v, p->dZ.v, m,
                        p->out);
    } else if (p->mask_on && (act == NN_ACT_SIGMOID || act == NN_ACT_TANH ||
                              act == NN_ACT_ELU)) {
        /* the activation's derivative needs the value before dropout:
         * for the masked units the gradient is zero anyway, and for kept
         * units A/mask recovers it (sigmoid, tanh, elu read A). */
        for (size_t k = 0; k < n; k++)
            if (p->mask.v[k] != 0)
                p->A.v[k] /= p->mask.v[k];
        nn_act_backward(act, p->act_arg, p->Z.v, p->A.v, p->dZ.v, p->dZ.v, m,
                        p->out);
        for (size_t k = 0; k < n; k++)
            p->A.v[k] *= p->mask.v[k];
    } else {
        nn_act_backward(act, p->act_arg, p->Z.v, p->A.v, p->dZ.v, p->dZ.v, m,
                        p->out);
    }
}

/* dL/dZ of the output layer.  The builders keep prelu and maxout off it,
 * but a layer given one by writing act directly still gets its gradient:
 * dL/dA from the loss, then back through the layer's own activation. */
static void output_grad(nn_net *net, nn_layer *last, const double *Y, int m)
{
    nn_act act = layer_act(last);
    if (act != NN_ACT_PRELU && act != NN_ACT_MAXOUT) {
        nn_loss_output_grad_with(net->loss, net->loss_arg, act,
                                 last->act_arg, last->Z.v, last->A.v, Y,
                                 last->dZ.v, m, last->out);
        return;
    }
    nn_loss_output_grad_with(net->loss, net->loss_arg, NN_ACT_LINEAR, 0,
                             last->A.v, last->A.v, Y, last->dZ.v, m,
                             last->out);
    act_backward(last, m);
}

void nn_net_backward(nn_net *net, const double *X, const double *Y)
{
    int m = net->rows;
    output_grad(net, nn_net_last(net), Y, m);
    for (int i = net->n_layers - 1; i >= 0; i--) {
        nn_layer *l = &net->L[i];
        if (l->bn)
            bn_backward(l, m);
        const double *in = i ? net->L[i - 1].A.v : X;
        weight_grad(net, l, in, m);
        if (i == 0)
            break;
        /* dA_prev = dZ·W, then back through dropout and the activation */
        nn_layer *p = &net->L[i - 1];
        int zc = nn_layer_zcols(l);
        nn_gemm(0, 0, m, l->in, zc, 1.0, l->dZ.v, zc, l->W.w.v, l->in, 0.0,
                p->dZ.v, p->out);
        size_t n = (size_t)m * p->out;
        if (p->mask_on)
            for (size_t k = 0; k < n; k++)
                p->dZ.v[k] *= p->mask.v[k];
        act_backward(p, m);
    }
    if (net->bug_param >= 0 && net->bug_param < net->n_params) {
        nn_param *p = net->params[net->bug_param];
        for (int k = 0; k < nn_mat_size(&p->g); k++)
            p->g.v[k] *= net->bug_factor;
    }
    net->has_grads = 1;
}
