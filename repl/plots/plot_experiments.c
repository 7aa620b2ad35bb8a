/*
 * plot_experiments.c — the plots of the Experiments group: `plot compare`
 * (the runs' curves overlaid), `plot search` (the trials in the order
 * they were chosen) and `plot ewa` (the averages of a series, corrected
 * and not).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "ewa.h"
#include "experiment.h"
#include "model.h"
#include "plot_internal.h"

/* Two curves that would be drawn one on the other (the same values at
 * the same epochs, to the digits the eye sees): the later hides the
 * earlier. */
static int same_curve(const ChartSeries *a, const ChartSeries *b)
{
    if (a->n != b->n || a->n == 0)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        double u = a->y[i], v = b->y[i];
        if (isnan(u) != isnan(v) || a->x[i] != b->x[i])
            return 0;
        if (!isnan(u) && fabs(u - v) > 1e-9 * fmax(fabs(u), fabs(v)))
            return 0;
    }
    return 1;
}

/* What compare ... plot= chose: each run's curves (train solid, dev
 * dashed, in the run's colour). */
static size_t compare_series(Scratch *sc, const Experiments *e,
                             ChartSeries *ser, char (*names)[96])
{
    int what = e->compare_plot;
    size_t n = 0;
    for (int i = 0; i < e->nruns; i++) {
        const CompareRun *r = &e->runs[i];
        const double *train = what == COMPARE_LOSS ? r->train_loss
                            : what == COMPARE_ACC ? r->train_accs
                            : what == COMPARE_GRADS ? r->grads : NULL;
        const double *dev = what == COMPARE_LOSS ? r->dev_loss
                          : what == COMPARE_GRADS ? NULL : r->dev_accs;
        if (train && r->n) {
            snprintf(names[n], sizeof names[n], "%s%s", r->label,
                     what == COMPARE_GRADS ? "" : " train");
            ser[n] = (ChartSeries){ names[n], (size_t)r->n, r->x, train,
                                    CHART_LINE, i + 1 };
            n++;
        }
        if (dev && r->n) { /* dev is measured at some epochs only */
            snprintf(names[n], sizeof names[n], "%s dev", r->label);
            ser[n] = plot_measured_only(sc, names[n], r->x, dev, (size_t)r->n);
            ser[n].style = what == COMPARE_DEV_ACC ? CHART_LINE
                                                   : CHART_DASHED;
            ser[n].color = i + 1;
            if (ser[n].n)
                n++;
        }
    }
    /* a line under another is said in the legend, not left unseen: each
     * names the last one drawn over it (the one on top) */
    for (size_t j = 0; j + 1 < n; j++)
        for (size_t k = n - 1; k > j; k--)
            if (same_curve(&ser[j], &ser[k])) {
                char top[48];
                snprintf(top, sizeof top, "%.40s", names[k]);
                size_t len = strlen(names[j]);
                snprintf(names[j] + len, sizeof names[j] - len,
                         " (under %s)", top);
                break;
            }
    return n;
}

int plot_draw_compare(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    static const char *const what[] = { "loss", "accuracy",
                                        "dev accuracy", "gradient norm" };
    const Experiments *e = s->exp;
    Scratch sc = { { 0 }, 0 };
    ChartSeries ser[2 * EXP_MAX_RUNS];
    char names[2 * EXP_MAX_RUNS][96];
    int p = e->compare_plot;
    size_t n = compare_series(&sc, e, ser, names);
    char title[96];
    snprintf(title, sizeof title, "Compare %s: %s per epoch", e->compare_key,
             what[p]);
    ChartLines c = { title, "epoch", what[p], ser, n, NULL, 0,
                     p == COMPARE_ACC || p == COMPARE_DEV_ACC
                         ? CHART_SCALE_LINEAR : CHART_SCALE_AUTO,
                     0, 0, 0, 0, 1, 0,
                     p == COMPARE_LOSS || p == COMPARE_ACC
                         ? "solid: training set; dashed: dev set" : NULL };
    int rc = chart_lines(gp, PLOT_COMPARE, &c);
    plot_scratch_free(&sc);
    return rc;
}

/* The trials that ran, numbered in the order they were chosen (a
 * Bayesian search's numbers gather where it found the best); halving's
 * later rungs drawn larger. */
/* A search key on an axis: a beta sampled on :log1m is drawn as 1 - beta
 * on a log axis, the scale it was sampled on. */
static double search_axis_value(const SearchKey *k, double v)
{
    return k->log == NN_RANGE_LOG1M ? 1 - v : v;
}

static const char *search_axis_name(const SearchKey *k, char *buf, size_t n)
{
    snprintf(buf, n, "%s%.15s", k->log == NN_RANGE_LOG1M ? "1 - " : "",
             k->name);
    return buf;
}

int plot_draw_search(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    const Experiments *e = s->exp;
    Scratch sc = { { 0 }, 0 };
    size_t n = 0;
    double *x = plot_scratch(&sc, (size_t)e->ntrials);
    double *y = plot_scratch(&sc, (size_t)e->ntrials);
    double *c = plot_scratch(&sc, (size_t)e->ntrials);
    int *label = calloc((size_t)e->ntrials + 1, sizeof *label);
    int *size = calloc((size_t)e->ntrials + 1, sizeof *size);
    int two = e->nkeys >= 2;
    for (int t = 0; x && y && c && label && size && t < e->ntrials; t++) {
        const SearchTrial *tr = &e->t[t];
        if (tr->state != TRIAL_DONE)
            continue;
        x[n] = search_axis_value(&e->keys[0], tr->values[0]);
        y[n] = two ? search_axis_value(&e->keys[1], tr->values[1])
                   : tr->dev_acc;
        c[n] = tr->dev_acc;
        label[n] = t + 1;
        size[n++] = tr->rung;
    }
    char title[96], note[160] = "";
    snprintf(title, sizeof title, "Hyperparameter search (%s%s%s)",
             experiment_methods[e->method], e->source[0] ? ", " : "",
             e->source);
    size_t k = 0;
    if (e->method == SEARCH_HALVING)
        k += (size_t)snprintf(note, sizeof note, "bigger points: later "
                              "rungs;");
    snprintf(note + k, sizeof note - k, " numbers: the order trials were "
             "chosen in");
    char xname[24], yname[24];
    ChartScatter ch = { title, search_axis_name(&e->keys[0], xname,
                                                sizeof xname),
                        two ? search_axis_name(&e->keys[1], yname,
                                               sizeof yname)
                            : "dev accuracy",
                        "dev accuracy", n, x, y, c, e->keys[0].log != 0,
                        two && e->keys[1].log, 1, label,
                        e->nrungs ? size : NULL, note };
    int rc = chart_scatter(gp, PLOT_SEARCH, &ch);
    free(label);
    free(size);
    plot_scratch_free(&sc);
    return rc;
}

int plot_draw_ewa(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    const Experiments *e = s->exp;
    double *theta;
    int n;
    if (ewa_series(s, e->series, &theta, &n))
        return gp_fail(gp, "plot: ewa: series=loss needs some training first");
    Scratch sc = { { 0 }, 0 };
    ChartSeries ser[1 + 2 * EXP_MAX_BETAS];
    char names[2 * EXP_MAX_BETAS][48];
    size_t k = 0;
    /* the student's own series (2) is taken for temperatures by day */
    ser[k++] = (ChartSeries){ e->series == 1 ? "loss" : "temperature",
                              (size_t)n,
                              NULL, theta, CHART_POINTS, 0 };
    for (int b = 0; b < e->nbetas; b++)
        for (int c = e->bias ? 1 : 0; c >= 0; c--) {
            double *v = plot_scratch(&sc, (size_t)n);
            if (!v)
                break;
            ewa_apply(theta, n, e->betas[b], c, v);
            snprintf(names[k - 1], sizeof names[k - 1], "beta %g%s",
                     e->betas[b], !e->bias ? "" : c ? " corrected"
                                                    : " no correction");
            /* one colour per beta (the series' points take the
             * first): corrected solid, uncorrected dashed */
            ser[k] = (ChartSeries){ names[k - 1], (size_t)n, NULL, v,
                                    c || !e->bias ? CHART_LINE : CHART_DASHED,
                                    2 + b };
            k++;
        }
    /* bias correction matters over the first 1/(1-beta) or so days: on a
     * long series a log axis gives them room */
    int xlog = n > 60;
    char xlabel[80];
    snprintf(xlabel, sizeof xlabel, "%s%s", e->series == 1 ? "iteration"
             : "day", xlog ? " (log scale: the first ones spread out)" : "");
    ChartLines c = { "Exponentially weighted averages", xlabel,
                     e->series == 1 ? "loss" : "temperature", ser, k, NULL, 0,
                     CHART_SCALE_LINEAR, 0, 0, 0, 0, 1, xlog,
                     e->bias ? "solid: bias-corrected v / (1 - beta^t); "
                               "dashed: v itself, pulled towards 0 at first"
                             : NULL };
    int rc = chart_lines(gp, PLOT_EWA, &c);
    free(theta);
    plot_scratch_free(&sc);
    return rc;
}
