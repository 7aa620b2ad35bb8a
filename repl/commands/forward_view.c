/*
 * forward_view.c — one layer of the last forward pass, number by number,
 * as the course works its examples by hand: the inverted-dropout example
 * (a, the 0/1 mask d, a*d, then a*d/keep) and batch norm's
 * z~ = gamma * z_norm + beta, with the gamma and beta that give z back.
 */
#include <math.h>
#include <stdio.h>

#include "inspect.h"
#include "model.h"
#include "num.h"
#include "out.h"

/* The value of unit j's pre-activation in row i before batch norm (z =
 * W a_prev + b, or W a_prev when batch norm follows). */
static double pre_bn(const nn_layer *l, int i, int j)
{
    const nn_mat *m = l->bn ? &l->U : &l->Z;
    return m->v[(size_t)i * l->out + j];
}

static void view_header(Session *s, OutTable *t, const nn_layer *l,
                        const char *act, int masks)
{
    (void)s;
    out_table_cell(t, "unit");
    if (l->pieces <= 1) {
        out_table_cell(t, l->bn ? "z = W a" : "z = W a + b");
        if (l->bn)
            out_table_cell(t, "z~ = gamma z_norm + beta");
    }
    out_table_cell(t, "a = %s(%s)", act, l->bn ? "z~" : "z");
    if (masks) {
        out_table_cell(t, "d");
        out_table_cell(t, "a*d");
        out_table_cell(t, "a*d/keep");
    }
}

/* One example's table: a row per unit. */
static void view_example(Session *s, int li, int i, int units,
                         const char *act)
{
    const nn_net *net = s->net;
    const nn_layer *l = &net->L[li];
    int masks = l->mask_on;
    OutTable *t = out_table_new(2 + (l->pieces <= 1) * (1 + l->bn) +
                                3 * masks);
    view_header(s, t, l, act, masks);
    for (int j = 0; j < units; j++) {
        out_table_cell(t, "%d", j + 1);
        if (l->pieces <= 1) {
            out_table_cell(t, "%.4g", num_plain(pre_bn(l, i, j)));
            if (l->bn)
                out_table_cell(t, "%.4g",
                               num_plain(l->Z.v[(size_t)i * l->out + j]));
        }
        double a = nn_net_unit_act(net, li, i, j);
        out_table_cell(t, "%.4g", num_plain(a));
        if (masks) {
            double m = l->mask.v[(size_t)i * l->out + j];
            out_table_cell(t, "%d", m != 0);
            out_table_cell(t, "%.4g", num_plain(m != 0 ? a : 0.0));
            out_table_cell(t, "%.4g",
                           num_plain(l->A.v[(size_t)i * l->out + j]));
        }
    }
    out_table_print_indented(s, t, 4);
}

/* "1.2,0.8,..." of v[0..n) into buf, each with 8 significant digits (z~
 * then equals z to about 1e-8). */
static void list_text(char *buf, size_t size, const double *v, int n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int j = 0; j < n && k + 1 < size; j++) {
        int w = snprintf(buf + k, size - k, "%s%.8g", j ? "," : "",
                         num_plain(v[j]));
        k += w > 0 ? (size_t)w : 0;
    }
}

/* The statistics batch norm normalized layer li's z with in the last
 * pass, unit by unit: the mean and variance over the pass's examples in
 * training mode, the running averages in evaluation; and the largest
 * |z~ - z| of the pass. */
static double bn_stats(const nn_net *net, int li, int n, double *mu,
                       double *var)
{
    const nn_layer *l = &net->L[li];
    int m = net->rows, zc = nn_layer_zcols(l);
    double worst = 0;
    for (int j = 0; j < n; j++) {
        double sum = 0, sq = 0;
        for (int i = 0; i < m; i++) {
            size_t k = (size_t)i * zc + j;
            sum += l->U.v[k];
            worst = fmax(worst, fabs(l->Z.v[k] - l->U.v[k]));
        }
        if (!net->last_train) {
            mu[j] = l->run_mean.v[j];
            var[j] = l->run_var.v[j];
            continue;
        }
        mu[j] = sum / m;
        for (int i = 0; i < m; i++) {
            double d = l->U.v[(size_t)i * zc + j] - mu[j];
            sq += d * d;
        }
        var[j] = sq / m;
    }
    return worst;
}

/* Batch norm of a layer: each unit's mean and variance as the pass
 * normalized with them, and the gamma, beta that would undo the
 * normalization: gamma = sqrt(var + eps), beta = mean. */
static void view_bn(Session *s, int li, int units)
{
    const nn_net *net = s->net;
    const nn_layer *l = &net->L[li];
    int n = nn_layer_zcols(l), train = net->last_train;
    double mu[64], var[64], g[64], b[64];
    n = n < 64 ? n : 64;
    double worst = bn_stats(net, li, n, mu, var);
    OutTable *t = out_table_new(5);
    out_table_cell(t, "unit");
    out_table_cell(t, train ? "mean of z" : "running mean");
    out_table_cell(t, train ? "var of z" : "running var");
    out_table_cell(t, "gamma");
    out_table_cell(t, "beta");
    for (int j = 0; j < n; j++) {
        g[j] = sqrt(var[j] + net->bn_eps);
        b[j] = mu[j];
        if (j >= units)
            continue;
        out_table_cell(t, "%d", j + 1);
        out_table_cell(t, "%.6g", num_plain(mu[j]));
        out_table_cell(t, "%.6g", num_plain(var[j]));
        out_table_cell(t, "%.6g", num_plain(l->gamma.w.v[j]));
        out_table_cell(t, "%.6g", num_plain(l->beta.w.v[j]));
    }
    if (train)
        out_printf(s, "  batch norm over these %d examples (eps %g):\n",
                   net->rows, net->bn_eps);
    else
        out_printf(s, "  batch norm in evaluation: the running averages "
                   "kept during training, not these examples' statistics "
                   "(eps %g):\n", net->bn_eps);
    out_table_print_indented(s, t, 4);
    out_printf(s, "  largest |z~ - z| over the pass: %.3g\n",
               num_plain(worst));
    if (nn_layer_zcols(l) > 64)
        return;
    char gs[1400], bs[1400];
    list_text(gs, sizeof gs, g, n);
    list_text(bs, sizeof bs, b, n);
    out_printf(s, "  gamma = sqrt(%s + eps) and beta = %s give z back "
               "(z~ = z)%s:\n    layer set %d gamma=%s beta=%s\n",
               train ? "var" : "running var", train ? "mean" : "running mean",
               train ? "" : " in evaluation", li + 1, gs, bs);
}

void forward_view(Session *s, int layer, int rows, int units)
{
    const nn_net *net = s->net;
    int li = layer - 1;
    const nn_layer *l = &net->L[li];
    char act[32];
    nn_act_text(l->act, l->act_arg, act, sizeof act);
    rows = rows < net->rows ? rows : net->rows;
    units = units < l->out ? units : l->out;
    out_printf(s, "layer %d: %d %s units%s%s", layer, l->out, act,
               l->bn ? ", batch norm" : "", l->pieces > 1 ? " (a is the "
               "largest of each unit's pieces)" : "");
    if (l->mask_on)
        out_printf(s, ", keep %g: d = 1 with probability %g, kept units "
                   "scaled by 1/keep = %.4g", l->keep, l->keep, 1 / l->keep);
    else if (l->keep < 1)
        out_printf(s, ", keep %g (no dropout in %s)", l->keep,
                   net->last_train ? "this pass" : "evaluation");
    out_printf(s, "; units 1-%d of %d\n", units, l->out);
    for (int i = 0; i < rows; i++) {
        out_printf(s, "  example %d:\n", i + 1);
        view_example(s, li, i, units, act);
    }
    if (l->bn && l->pieces <= 1)
        view_bn(s, li, units);
}
