/* stats.c — per-layer statistics (see stats.h). */
#include "stats.h"

#include <math.h>
#include <string.h>

static double saturated_fraction(const nn_layer *l, int rows)
{
    size_t n = (size_t)rows * l->out, hit = 0;
    if (l->act == NN_ACT_TANH) {
        for (size_t k = 0; k < n; k++)
            hit += fabs(l->A.v[k]) > 0.99;
    } else if (l->act == NN_ACT_SIGMOID) {
        for (size_t k = 0; k < n; k++)
            hit += l->A.v[k] < 0.01 || l->A.v[k] > 0.99;
    } else {
        return 0;
    }
    return n ? (double)hit / n : 0;
}

static double dead_fraction(const nn_layer *l, int rows)
{
    if (l->act != NN_ACT_RELU || rows == 0)
        return 0;
    int dead = 0;
    for (int j = 0; j < l->out; j++) {
        int alive = 0;
        for (int i = 0; i < rows && !alive; i++)
            alive = l->Z.v[(size_t)i * l->out + j] > 0;
        dead += !alive;
    }
    return (double)dead / l->out;
}

void nn_stats_weights(const nn_net *net, int l, nn_layer_stats *st)
{
    const nn_layer *L = &net->L[l];
    int n = nn_mat_size(&L->W.w);
    double gm;
    nn_summary w;
    memset(st, 0, sizeof *st);
    nn_summarize(L->W.w.v, n, NN_SMALL_WEIGHT, &w);
    st->w_mean = w.mean;
    st->w_var = w.var;
    st->w_small = n ? (double)w.small / n : 0;
    st->w_zero = n ? (double)w.zero / n : 0;
    st->w_min = w.min;
    st->w_max = w.max;
    st->alpha_mean = NAN;
    if (L->act == NN_ACT_PRELU) {
        double var;
        nn_mean_var(L->alpha.w.v, L->out, &st->alpha_mean, &var);
    }
    nn_mean_var(L->W.g.v, n, &gm, &st->g_var);
    /* ||g||^2 = n (var + mean^2): no third pass over the gradient */
    st->g_norm = sqrt(fmax(0, n * (st->g_var + gm * gm)));
    /* against the weights before the step: after a step that dwarfs them
     * the ratio is huge, not a misleading 1 */
    double wn = sqrt(L->weight_sq);
    st->update_ratio = wn > 0 ? sqrt(L->update_sq) / wn : 0;
}

/* Σx²/n − mean², never below 0 (rounding), NaN kept. */
static double one_pass_var(double sq, double mean, double n)
{
    double v = sq / n - mean * mean;
    return v < 0 ? 0 : v;
}

void nn_stats_step(const nn_net *net, int l, nn_layer_stats *st)
{
    const nn_layer *L = &net->L[l];
    double n = nn_mat_size(&L->W.w);
    memset(st, 0, sizeof *st);
    st->w_min = st->w_max = st->alpha_mean = NAN;
    if (n > 0) {
        double gm = L->g_sum / n;
        st->w_mean = L->w_sum / n;
        st->w_var = one_pass_var(L->w_sq, st->w_mean, n);
        st->g_var = one_pass_var(L->g_sq, gm, n);
    }
    st->g_norm = sqrt(L->g_sq);
    double wn = sqrt(L->weight_sq);
    st->update_ratio = wn > 0 ? sqrt(L->update_sq) / wn : 0;
}

void nn_stats_layer(const nn_net *net, int l, nn_layer_stats *st)
{
    const nn_layer *L = &net->L[l];
    nn_stats_weights(net, l, st);
    int rows = net->rows;
    if (rows <= 0)
        return;
    double var;
    nn_mean_var(L->A.v, rows * L->out, &st->act_mean, &var);
    st->act_std = sqrt(var);
    st->saturated = saturated_fraction(L, rows);
    st->dead = dead_fraction(L, rows);
}

static void hist_fill(const double *x, size_t n, double lo, double hi,
                      int bins, long *counts)
{
    if (bins < 1) /* nothing to fill; a negative size must not reach memset */
        return;
    memset(counts, 0, (size_t)bins * sizeof *counts);
    if (!(hi > lo) || !isfinite(hi - lo)) /* else t below may be NaN */
        return;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k]))
            continue;
        /* compare as doubles first: converting ±Inf to int is undefined */
        double t = (x[k] - lo) / (hi - lo) * bins;
        counts[t < 0 ? 0 : t >= bins ? bins - 1 : (int)t]++;
    }
}

void nn_stats_hist(const nn_net *net, int l, double lo, double hi, int bins,
                   long *counts)
{
    const nn_layer *L = &net->L[l];
    hist_fill(L->A.v, (size_t)net->rows * L->out, lo, hi, bins, counts);
}

void nn_stats_weight_hist(const nn_net *net, int l, double lo, double hi,
                          int bins, long *counts)
{
    const nn_mat *w = &net->L[l].W.w;
    hist_fill(w->v, (size_t)nn_mat_size(w), lo, hi, bins, counts);
}
