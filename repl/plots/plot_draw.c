/*
 * plot_draw.c — what each plot kind shows: the numbers the engine recorded
 * (the trainer's history, the last forward pass, the last gradient check,
 * turned into charts (chart.h); the experiments' plots are in
 * plot_experiments.c.  plot_kinds.c
 * says which function draws which kind, plot.c when; this file only
 * draws.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "model.h"
#include "plot_internal.h"

/* ------------------------------------------------------------------ */
/* Series from the history                                              */
/* ------------------------------------------------------------------ */

/* Scratch arrays and the dev series' measured points: plot_internal.h. */
double *plot_scratch(Scratch *sc, size_t n)
{
    if (sc->n == 64)
        return NULL;
    double *p = calloc(n ? n : 1, sizeof *p);
    if (p)
        sc->buf[sc->n++] = p;
    return p;
}

void plot_scratch_free(Scratch *sc)
{
    for (int i = 0; i < sc->n; i++)
        free(sc->buf[i]);
    sc->n = 0;
}

ChartSeries plot_measured_only(Scratch *sc, const char *name,
                               const double *x, const double *y, size_t n)
{
    double *mx = plot_scratch(sc, n), *my = plot_scratch(sc, n);
    size_t m = 0;
    for (size_t i = 0; mx && my && i < n; i++)
        if (!isnan(y[i])) {
            mx[m] = x[i];
            my[m++] = y[i];
        }
    return (ChartSeries){ name, mx && my ? m : 0, mx, my, CHART_LINE, 0 };
}

static const double *longs_to_doubles(Scratch *sc, const long *v, size_t n)
{
    double *d = plot_scratch(sc, n);
    for (size_t i = 0; d && i < n; i++)
        d[i] = (double)v[i];
    return d;
}

int plot_draw_curves(Session *s, Gp *gp, PlotKind k)
{
    int acc = k == PLOT_ACC;
    const nn_history *h = &s->model->tr.hist;
    Scratch sc = { { 0 }, 0 };
    ChartSeries ser[3];
    size_t n = 0;
    const double *ex = longs_to_doubles(&sc, h->e_iter, (size_t)h->ne);
    if (!acc)
        ser[n++] = (ChartSeries){ "train cost (each batch)", (size_t)h->n,
                                  longs_to_doubles(&sc, h->iter, (size_t)h->n),
                                  h->loss, CHART_LINE, 0 };
    ser[n++] = (ChartSeries){ acc ? "train accuracy" : "train loss (epoch mean)",
                              (size_t)h->ne, ex,
                              acc ? h->train_acc : h->train_loss, CHART_LINE,
                              0 };
    if (ex)
        ser[n++] = plot_measured_only(&sc, acc ? "dev accuracy" : "dev loss", ex,
                                 acc ? h->dev_acc : h->dev_loss,
                                 (size_t)h->ne);
    ChartLines c = { acc ? "Accuracy" : "Loss", "iteration",
                     acc ? "accuracy" : "cost", ser, n, NULL, 0,
                     acc ? CHART_SCALE_LINEAR : CHART_SCALE_AUTO,
                     acc ? 0 : 0, acc ? 1.02 : 0, 0, 0, 1, 0, NULL };
    int rc = chart_lines(gp, acc ? PLOT_ACC : PLOT_LOSS, &c);
    plot_scratch_free(&sc);
    return rc;
}

/* The records of the history in groups of one epoch each (a partial
 * last epoch too): the number of groups, and in first[g] the index of
 * group g's first record (first[ngroups] = h->n). */
static int epoch_groups(const nn_history *h, int *first)
{
    int g = 0;
    for (int i = 0; i < h->n; i++)
        if (i == 0 || h->epoch[i] != h->epoch[i - 1])
            first[g++] = i;
    first[g] = h->n;
    return g;
}

/* One layer's series: every update's value, or with `first` the mean of
 * each epoch's, at the epoch's last update. */
static void layer_series(const nn_history *h, const double *src, int l,
                         const int *first, int ng, double *x, double *y)
{
    int L = h->n_layers;
    if (!first) {
        for (int i = 0; i < h->n; i++) {
            x[i] = (double)h->iter[i];
            y[i] = src[(size_t)i * L + l];
        }
        return;
    }
    for (int g = 0; g < ng; g++) {
        double sum = 0;
        int n = 0;
        for (int i = first[g]; i < first[g + 1]; i++) {
            double v = src[(size_t)i * L + l];
            if (isfinite(v))
                sum += v, n++;
        }
        x[g] = (double)h->iter[first[g + 1] - 1];
        y[g] = n ? sum / n : NAN;
    }
}

/* weights / grads / updates: one line per layer over iterations.  With
 * three epochs or more each point is the mean of an epoch's updates: an
 * epoch whose last batch is short (140 examples in batches of 64: 64, 64
 * and 12) gives that batch a noisier gradient, a spike in every epoch
 * that would hide the trend. */
int plot_draw_per_layer(Session *s, Gp *gp, PlotKind kind)
{
    const nn_history *h = &s->model->tr.hist;
    int L = h->n_layers;
    const double *src = kind == PLOT_WEIGHTS ? h->w_var
                      : kind == PLOT_GRADS ? h->g_norm : h->update_ratio;
    Scratch sc = { { 0 }, 0 };
    ChartSeries ser[32];
    char names[32][40];
    int shown = L < 32 ? L : 32;
    int *first = malloc(((size_t)h->n + 1) * sizeof *first);
    int ng = first ? epoch_groups(h, first) : 0;
    int means = ng >= 3 && ng < h->n;
    size_t npts = (size_t)(means ? ng : h->n);
    for (int l = 0; l < shown; l++) {
        double *x = plot_scratch(&sc, npts), *y = plot_scratch(&sc, npts);
        if (x && y)
            layer_series(h, src, l, means ? first : NULL, ng, x, y);
        /* which end is which: vanishing gradients fade towards the input */
        snprintf(names[l], sizeof names[l], "layer %d%s", l + 1,
                 shown < 3 ? "" : l == 0 ? " (input side)"
                 : l == L - 1 ? " (output)"
                 : l == shown - 1 ? " (more not shown)" : "");
        ser[l] = (ChartSeries){ names[l], x && y ? npts : 0, x, y,
                                CHART_LINE, 0 };
    }
    free(first);
    static const ChartRef healthy = { 1e-3, "healthy" };
    ChartLines c = { NULL, "iteration", NULL, ser, (size_t)shown, NULL, 0,
                     CHART_SCALE_AUTO, 0, 0, 0, 1, 1, 0,
                     means ? "each point: the mean over one epoch's updates "
                             "(a short last batch would spike every epoch)"
                           : "each point: one update (the last batch of an "
                             "epoch, when short, is noisier)" };
    if (kind == PLOT_WEIGHTS) {
        c.title = "Weight variance per layer";
        c.ylabel = "Var(W)";
    } else if (kind == PLOT_GRADS) {
        c.title = "Gradient norm per layer";
        c.ylabel = "||dW||";
        c.yscale = CHART_SCALE_LOG;
    } else {
        c.title = "Update size per layer, ||dW step|| / ||W||";
        c.ylabel = "ratio";
        c.yscale = CHART_SCALE_LOG;
        c.refs = &healthy;
        c.nrefs = 1;
    }
    int rc = chart_lines(gp, kind, &c);
    plot_scratch_free(&sc);
    return rc;
}

/* The x range of a layer's histogram: its spread, mean +- 4 std, within
 * what the activation can give (tanh in [-1, 1], sigmoid and softmax in
 * [0, 1], ReLU >= 0).  A fixed [-1, 1] would draw a layer of std 0.01 (a
 * small initialization) as the same thin spike as one of std 1e-9. */
static void acts_range(const nn_layer *ly, const nn_layer_stats *st,
                       double *lo, double *hi)
{
    double a = -INFINITY, z = INFINITY;
    if (ly->act == NN_ACT_TANH)
        a = -1, z = 1;
    else if (ly->act == NN_ACT_SIGMOID || ly->act == NN_ACT_SOFTMAX)
        a = 0, z = 1;
    else if (ly->act == NN_ACT_RELU)
        a = 0;
    double spread = 4 * st->act_std, m = fabs(st->act_mean);
    /* all equal, to the digits a double keeps (a sigmoid output of 0.5
     * with std 1e-16): a spike in a range that can be labelled */
    if (!(spread > m * 1e-6))
        spread = m > 0 ? m * 1e-2 : 1;
    *lo = fmax(st->act_mean - spread, a);
    *hi = fmin(st->act_mean + spread, z);
    if (!(*hi > *lo)) { /* NaN, or pressed against a bound */
        *lo = isfinite(a) ? a : -1;
        *hi = isfinite(z) ? z : *lo + 1;
    }
}

/* Which pass the activations come from (net.h keeps its mode): a
 * training batch with dropout, or an evaluation (forward, eval, the dev
 * split measured at an epoch's end). */
static void acts_title(const nn_net *net, char *buf, size_t n)
{
    int masks = 0;
    for (int l = 0; l < net->n_layers; l++)
        masks |= net->L[l].mask_on;
    if (net->last_train)
        snprintf(buf, n, "Activations per layer: last pass, %d examples in "
                 "training mode (a training batch%s)", net->rows,
                 masks ? ", dropout masks drawn" : "");
    else
        snprintf(buf, n, "Activations per layer: last pass, %d examples in "
                 "evaluation mode (forward, eval or the dev split)",
                 net->rows);
}

int plot_draw_acts(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    const nn_net *net = s->net;
    enum { BINS = 40 };
    int L = net->n_layers < 16 ? net->n_layers : 16;
    ChartHistPanel panels[16];
    char titles[16][96], title[160];
    double edges[16][BINS + 1], counts[16][BINS];
    for (int l = 0; l < L; l++) {
        const nn_layer *ly = &net->L[l];
        nn_layer_stats st;
        long c[BINS];
        double lo, hi;
        nn_stats_layer(net, l, &st);
        acts_range(ly, &st, &lo, &hi);
        nn_stats_hist(net, l, lo, hi, BINS, c);
        for (int b = 0; b <= BINS; b++)
            edges[l][b] = lo + (hi - lo) * b / BINS;
        for (int b = 0; b < BINS; b++)
            counts[l][b] = (double)c[b];
        snprintf(titles[l], sizeof titles[l], "layer %d (%s): mean %.2g std %.2g",
                 l + 1, nn_act_names[ly->act], st.act_mean, st.act_std);
        panels[l] = (ChartHistPanel){ titles[l], BINS, edges[l], counts[l] };
    }
    acts_title(net, title, sizeof title);
    ChartHist c = { title, "activation", panels, (size_t)L, 0,
                    "units x examples" };
    return chart_histograms(gp, PLOT_ACTS, &c);
}

int plot_draw_weight_hist(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    const nn_net *net = s->net;
    enum { BINS = 40 };
    int L = net->n_layers < 16 ? net->n_layers : 16;
    ChartHistPanel panels[16];
    char titles[16][96];
    double edges[16][BINS + 1], counts[16][BINS];
    for (int l = 0; l < L; l++) {
        nn_layer_stats st;
        long c[BINS];
        nn_stats_layer(net, l, &st);
        double lo = st.w_min, hi = st.w_max;
        if (!(hi > lo)) { /* all equal (init zeros), or none finite */
            lo = isfinite(lo) ? lo - 0.5 : -0.5;
            hi = lo + 1;
        }
        nn_stats_weight_hist(net, l, lo, hi, BINS, c);
        for (int b = 0; b <= BINS; b++)
            edges[l][b] = lo + (hi - lo) * b / BINS;
        for (int b = 0; b < BINS; b++)
            counts[l][b] = (double)c[b];
        /* short, as stats weights heads its columns: three panels side
         * by side on an 80-column text terminal leave 26 characters */
        snprintf(titles[l], sizeof titles[l], "W%d (%s): |w|<1e-3 %.1f%%, "
                 "w=0 %.1f%%", l + 1, nn_act_names[net->L[l].act],
                 100 * st.w_small, 100 * st.w_zero);
        panels[l] = (ChartHistPanel){ titles[l], BINS, edges[l], counts[l] };
    }
    ChartHist c = { "Weights per layer", "weight", panels, (size_t)L, 0,
                    "weights" };
    return chart_histograms(gp, PLOT_WHIST, &c);
}

int plot_draw_gradcheck(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    const ModelState *m = s->model;
    const char *labels[256];
    char names[256][20];
    double values[256];
    int n = m->gc_n < 256 ? m->gc_n : 256;
    for (int i = 0; i < n; i++) {
        /* dW1, as the gradcheck table names the gradients */
        snprintf(names[i], sizeof names[i], "d%.16s", m->gc[i].name);
        labels[i] = names[i];
        values[i] = m->gc[i].rel_err;
    }
    ChartBars c = { "Gradient check: relative error per parameter",
                    "||g - g_num|| / (||g|| + ||g_num||)", (size_t)n, labels,
                    values, NULL, 0 };
    return chart_bars_log(gp, PLOT_GRADCHECK, &c);
}

/* The points of split sp in raw units, with their classes. */
static int split_points(Session *s, Scratch *sc, nn_split sp, ChartPoints *pt,
                        const char *name, int open)
{
    int n = nn_data_count(s->data, sp);
    double *X = plot_scratch(sc, (size_t)n * 2), *x = plot_scratch(sc, (size_t)n),
           *y = plot_scratch(sc, (size_t)n);
    int *cls = calloc((size_t)(n ? n : 1), sizeof *cls);
    if (!X || !x || !y || !cls) {
        free(cls);
        return -1;
    }
    nn_data_fill_raw(s->data, sp, NULL, n, X);
    for (int i = 0; i < n; i++) {
        x[i] = X[2 * i];
        y[i] = X[2 * i + 1];
        cls[i] = nn_data_label(s->data, sp, i);
        if (cls[i] < 0)
            cls[i] = 0;
    }
    *pt = (ChartPoints){ name, (size_t)n, x, y, cls, open };
    return 0;
}

/* Predictions over a grid covering the data, in raw units. */
static int boundary_grid(Session *s, Scratch *sc, ChartRegions *c)
{
    enum { G = 100 };
    double lo[2], hi[2];
    for (int j = 0; j < 2; j++) {
        nn_data_feature_range(s->data, j, &lo[j], &hi[j]);
        double pad = 0.1 * (hi[j] - lo[j]) + 1e-9;
        lo[j] -= pad;
        hi[j] += pad;
    }
    double *grid = plot_scratch(sc, G * G), *X = plot_scratch(sc, (size_t)G * 2);
    if (!grid || !X || model_bind(s))
        return -1;
    /* a copy predicts, so that the network's last pass (what stats acts,
     * plot acts and forward show= read) stays the student's own */
    nn_err err;
    nn_net *net = nn_net_clone(s->net, &err);
    if (!net)
        return -1;
    int outs = nn_net_outputs(net);
    for (int r = 0; r < G; r++) {   /* one grid row per forward pass */
        for (int i = 0; i < G; i++) {
            X[2 * i] = lo[0] + (hi[0] - lo[0]) * i / (G - 1);
            X[2 * i + 1] = lo[1] + (hi[1] - lo[1]) * r / (G - 1);
        }
        nn_data_transform(s->data, X, G);
        const double *out = nn_net_forward(net, X, G, 0, NULL);
        for (int i = 0; i < G; i++) {
            const double *o = out + (size_t)i * outs;
            int best = 0;
            for (int k = 1; k < outs; k++)
                if (o[k] > o[best])
                    best = k;
            grid[r * G + i] = outs == 1 ? o[0] : best;
        }
    }
    nn_net_free(net);
    c->nx = c->ny = G;
    c->x0 = lo[0];
    c->x1 = hi[0];
    c->y0 = lo[1];
    c->y1 = hi[1];
    c->grid = grid;
    c->grid_prob = outs == 1;
    return 0;
}

int plot_draw_regions(Session *s, Gp *gp, PlotKind kind)
{
    Scratch sc = { { 0 }, 0 };
    ChartPoints pts[3] = { { 0 } };
    const char *names[100];
    int C = nn_data_classes(s->data), rc = -1;
    for (int c = 0; c < C && c < 100; c++)
        names[c] = nn_data_class_name(s->data, c);
    ChartRegions c = { kind == PLOT_BOUNDARY ? "Decision regions" : "Data",
                       "x1", "x2", 0, 0, 0, 0, 0, 0, NULL, 0, C ? C : 1,
                       C ? names : NULL, pts, 3 };
    if (split_points(s, &sc, NN_TRAIN, &pts[0], "train", 0) ||
        split_points(s, &sc, NN_DEV, &pts[1], "dev", 2) ||
        split_points(s, &sc, NN_TEST, &pts[2], "test", 1))
        goto out;
    if (kind == PLOT_BOUNDARY && boundary_grid(s, &sc, &c))
        goto out;
    rc = chart_regions(gp, kind, &c);
out:
    for (int k = 0; k < 3; k++)
        free((void *)pts[k].cls);
    plot_scratch_free(&sc);
    return rc;
}
