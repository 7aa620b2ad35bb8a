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
    int n = l->out;
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

static void bn_forward_eval(nn_net *net, nn_layer *l, int m)
{
    int n = l->out;
    for (int j = 0; j < n; j++) {
        double mu = l->run_mean.v[j];
        double ivar = 1.0 / sqrt(l->run_var.v[j] + net->bn_eps);
        for (int i = 0; i < m; i++) {
            size_t k = (size_t)i * n + j;
            l->Uhat.v[k] = (l->U.v[k] - mu) * ivar;
        }
    }
}

/* dZ holds dL/d(γÛ+β) on entry and dL/dU on return. */
static void bn_backward(nn_layer *l, int m)
{
    int n = l->out;
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

static void linear_forward(nn_layer *l, const double *in, int m)
{
    int n = l->out;
    if (l->bn) {
        nn_gemm(0, 1, m, n, l->in, 1.0, in, l->in, l->W.w.v, l->in, 0.0,
                l->U.v, n);
        return;
    }
    for (int i = 0; i < m; i++)
        memcpy(l->Z.v + (size_t)i * n, l->b.w.v, (size_t)n * sizeof(double));
    nn_gemm(0, 1, m, n, l->in, 1.0, in, l->in, l->W.w.v, l->in, 1.0,
            l->Z.v, n);
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

const double *nn_net_forward(nn_net *net, const double *X, int m, int train,
                             nn_rng *drop)
{
    const double *in = X;
    net->rows = m;
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        int n = l->out;
        linear_forward(l, in, m);
        if (l->bn) {
            if (train)
                bn_forward_train(net, l, m);
            else
                bn_forward_eval(net, l, m);
            for (int r = 0; r < m; r++)
                for (int j = 0; j < n; j++) {
                    size_t k = (size_t)r * n + j;
                    l->Z.v[k] = l->gamma.w.v[j] * l->Uhat.v[k] +
                                l->beta.w.v[j];
                }
        }
        nn_act_forward(l->act, l->act_arg, l->Z.v, l->A.v, m, n);
        /* inverted dropout on hidden layers, in training only */
        l->mask_on = train && drop && l->keep < 1 && i < net->n_layers - 1;
        if (l->mask_on)
            dropout_forward(l, m, drop);
        in = l->A.v;
    }
    return nn_net_last(net)->A.v;
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
    double total = 0;
    for (int i = 0; i < net->n_layers; i++) {
        const nn_mat *w = &net->L[i].W.w;
        int n = nn_mat_size(w);
        if (net->reg == NN_REG_L2)
            total += nn_sum_sq(w->v, n);
        else
            for (int k = 0; k < n; k++)
                total += fabs(w->v[k]);
    }
    return net->reg == NN_REG_L2 ? net->lambda / (2.0 * m) * total
                                 : net->lambda / m * total;
}

double nn_net_cost(const nn_net *net, const double *Y, int with_penalty)
{
    const nn_layer *out = &net->L[net->n_layers - 1];
    double c = nn_loss_value(net->loss, out->act, out->Z.v, out->A.v, Y,
                             net->rows, out->out);
    return with_penalty ? c + nn_net_penalty(net, penalty_m(net)) : c;
}

/* ------------------------------------------------------------------ */
/* Backward                                                             */
/* ------------------------------------------------------------------ */

static void weight_grad(const nn_net *net, nn_layer *l, const double *in,
                        int m)
{
    /* dW = dZᵀ·A_prev, plus the penalty's gradient (biases not penalized) */
    nn_gemm(1, 0, l->out, l->in, m, 1.0, l->dZ.v, l->out, in, l->in, 0.0,
            l->W.g.v, l->in);
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
    }
    if (!l->bn) {
        for (int j = 0; j < l->out; j++)
            l->b.g.v[j] = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < l->out; j++)
                l->b.g.v[j] += l->dZ.v[(size_t)i * l->out + j];
    }
}

void nn_net_backward(nn_net *net, const double *X, const double *Y)
{
    int m = net->rows;
    nn_layer *last = nn_net_last(net);
    nn_loss_output_grad(net->loss, last->act, last->act_arg, last->Z.v,
                        last->A.v, Y, last->dZ.v, m, last->out);
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
        nn_gemm(0, 0, m, l->in, l->out, 1.0, l->dZ.v, l->out, l->W.w.v,
                l->in, 0.0, p->dZ.v, p->out);
        size_t n = (size_t)m * p->out;
        if (p->mask_on)
            for (size_t k = 0; k < n; k++)
                p->dZ.v[k] *= p->mask.v[k];
        /* the activation's derivative needs the value before dropout:
         * for the masked units the gradient is zero anyway, and for kept
         * units A/mask recovers it (sigmoid, tanh, elu read A). */
        if (p->mask_on && (p->act == NN_ACT_SIGMOID || p->act == NN_ACT_TANH ||
                           p->act == NN_ACT_ELU)) {
            for (size_t k = 0; k < n; k++)
                if (p->mask.v[k] != 0)
                    p->A.v[k] /= p->mask.v[k];
            nn_act_backward(p->act, p->act_arg, p->Z.v, p->A.v, p->dZ.v,
                            p->dZ.v, m, p->out);
            for (size_t k = 0; k < n; k++)
                p->A.v[k] *= p->mask.v[k];
        } else {
            nn_act_backward(p->act, p->act_arg, p->Z.v, p->A.v, p->dZ.v,
                            p->dZ.v, m, p->out);
        }
    }
    if (net->bug_param >= 0 && net->bug_param < net->n_params) {
        nn_param *p = net->params[net->bug_param];
        for (int k = 0; k < nn_mat_size(&p->g); k++)
            p->g.v[k] *= net->bug_factor;
    }
}
