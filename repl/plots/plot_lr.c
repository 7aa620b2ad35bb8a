/*
 * plot_lr.c — `plot lr`: the learning rate of every update, past and to
 * come, under the current settings (the base rate, the schedule and the
 * warm-up), beside the rates training actually used, with where training
 * is and where the schedule and the warm-up were set.
 *
 * The x axis counts updates: the cyclic schedules and the warm-up move at
 * every update, and the epoch schedules show as steps, an epoch's worth of
 * updates wide.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "chart.h"
#include "model.h"
#include "plot_internal.h"

#define LR_POINTS 20000   /* rates worked out per frame, at most */

/* How far to draw: fifty epochs (or well past where training is), three
 * cycles of a cyclic schedule or SGDR, twice a warm-up. */
static long lr_horizon(const nn_trainer *tr, long ipe)
{
    const nn_sched *d = &tr->sched;
    long h = 50 * ipe, now = tr->iter + tr->iter / 4 + ipe;
    if (d->kind == NN_SCHED_CYCLIC)
        h = d->origin_iter + 6L * d->half;
    if (d->kind == NN_SCHED_SGDR) {
        double T = d->period * (1.0 + d->mult + (double)d->mult * d->mult);
        h = d->origin_iter + (long)fmin(T * ipe, 1e8);
    }
    if (now > h)
        h = now;
    if (tr->warm.length > 0) {
        long w = tr->warm.origin_iter + 2L * tr->warm.length *
                 (tr->warm.unit == NN_UNIT_EPOCHS ? ipe : 1);
        if (w > h)
            h = w;
    }
    return h;
}

/* What the epochs are made of: the trainer's numbers when it is bound;
 * before that (no network yet, or just built) the data's and the batch
 * size's, training starting at update 0; without data, one update an
 * epoch. */
typedef struct Epochs {
    long ipe;      /* updates per epoch */
    int n, b;      /* training examples and batch rows; 0: the trainer's */
} Epochs;

static Epochs epochs_of(Session *s, const nn_trainer *tr)
{
    Epochs e = { nn_trainer_iters_per_epoch(tr), 0, 0 };
    if (e.ipe > 0 || tr->iter > 0)
        return e;
    e.n = s->data ? nn_data_count(s->data, NN_TRAIN) : 0;
    e.b = tr->batch > 0 && tr->batch < e.n ? tr->batch : e.n;
    e.ipe = e.n > 0 ? (e.n + e.b - 1) / e.b : 1;
    return e;
}

/* The rate of the update made after i updates. */
static double rate_of(const nn_trainer *tr, const Epochs *e, long i)
{
    if (e->n == 0 && nn_trainer_iters_per_epoch(tr) > 0)
        return nn_trainer_lr_iter(tr, i);
    if (e->n == 0)
        return nn_trainer_lr_at(tr, i, (double)i);
    double rows = (double)(i % e->ipe) * e->b;
    return nn_trainer_lr_at(tr, i, (double)(i / e->ipe) +
                                   (rows < e->n ? rows / e->n : 1));
}

/* A vertical line at update x, from 0 to y1, as a two-point series. */
static ChartSeries marker(const char *name, double *xy, double x, double y1,
                          int color)
{
    xy[0] = xy[1] = x;
    xy[2] = 0;
    xy[3] = y1;
    return (ChartSeries){ name, 2, xy, xy + 2, CHART_DASHED, color };
}

/* The rates of the updates to come (and of the past since the settings
 * in use were set: before that the history shows what training used),
 * every `step` updates up to `end`, into x and y; their number, and the
 * largest rate in *top. */
static size_t schedule_points(const nn_trainer *tr, const Epochs *ep,
                              long end, long step, double *x, double *y,
                              double *top)
{
    long from = tr->sched.kind != NN_SCHED_NONE ? tr->sched.origin_iter
                                                : tr->iter;
    if (tr->warm.length > 0 && tr->warm.origin_iter < from)
        from = tr->warm.origin_iter;
    if (tr->hist.n == 0 || from > tr->iter)
        from = tr->hist.n == 0 ? 0 : tr->iter;
    size_t m = 0;
    for (long i = 0; i <= end / step; i++) {
        if ((i + 1) * step <= from)
            continue;
        long it = i * step < from ? from : i * step;
        x[m] = (double)it;
        y[m] = rate_of(tr, ep, it);
        *top = fmax(*top, y[m++]);
    }
    return m;
}

/* The frame: the schedule, the rates used, and the markers (where the
 * schedule and the warm-up were set, and where training is). */
static int lr_frame(Gp *gp, const nn_trainer *tr, const ChartSeries *rates,
                    size_t nrates, double top, const char *xlabel)
{
    char sched[96], warm[64], title[224], names[3][48];
    double marks[3][4];
    ChartSeries ser[5];
    size_t k = 0;
    for (; k < nrates; k++)
        ser[k] = rates[k];
    model_sched_text(&tr->sched, sched, sizeof sched);
    model_warmup_text(&tr->warm, warm, sizeof warm);
    snprintf(title, sizeof title, "Learning rate: lr %g, decay %s%s%s",
             tr->opt.lr, sched, tr->warm.length > 0 ? ", warmup " : "",
             tr->warm.length > 0 ? warm : "");
    if (tr->sched.kind != NN_SCHED_NONE && tr->sched.origin_iter > 0) {
        snprintf(names[1], sizeof names[1], "decay set (%ld)",
                 tr->sched.origin_iter);
        ser[k++] = marker(names[1], marks[1], (double)tr->sched.origin_iter,
                          top, 3);
    }
    if (tr->warm.length > 0 && tr->warm.origin_iter > 0) {
        snprintf(names[2], sizeof names[2], "warmup set (%ld)",
                 tr->warm.origin_iter);
        ser[k++] = marker(names[2], marks[2], (double)tr->warm.origin_iter,
                          top, 5);
    }
    /* last, so that it is drawn over a marker at the same update */
    snprintf(names[0], sizeof names[0], "now (%ld)", tr->iter);
    ser[k++] = marker(names[0], marks[0], (double)tr->iter, top, 4);
    ChartLines c = { title, xlabel, "learning rate", ser, k, NULL, 0,
                     CHART_SCALE_LINEAR, 0, top, 0, 0, 1, 0, NULL };
    return chart_lines(gp, PLOT_LR, &c);
}

int plot_draw_lr(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    model_bind_quiet(s); /* the updates per epoch, when there are data */
    const nn_trainer *tr = &s->model->tr;
    const nn_history *h = &tr->hist;
    Epochs ep = epochs_of(s, tr);
    long end = lr_horizon(tr, ep.ipe), step = end / LR_POINTS + 1;
    size_t n = (size_t)(end / step + 1);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *hx = malloc(((size_t)h->n + 1) * sizeof *hx);
    if (!x || !y || !hx) {
        free(x);
        free(y);
        free(hx);
        return gp_fail(gp, "plot: lr: out of memory");
    }
    double top = 0;
    ChartSeries rates[2] = {
        { "schedule", schedule_points(tr, &ep, end, step, x, y, &top), x, y,
          CHART_LINE, 1 },
        { "rate used", (size_t)h->n, hx, h->lr, CHART_LINE, 2 } };
    for (int i = 0; i < h->n; i++) {
        hx[i] = (double)h->iter[i];
        top = fmax(top, h->lr[i]);
    }
    char xlabel[64];
    if (nn_trainer_iters_per_epoch(tr) == 0 && ep.n == 0)
        snprintf(xlabel, sizeof xlabel, "update (one per epoch until there "
                 "are data)");
    else
        snprintf(xlabel, sizeof xlabel, "update (%ld per epoch)", ep.ipe);
    int rc = lr_frame(gp, tr, rates, h->n > 0 ? 2 : 1,
                      top > 0 ? 1.1 * top : 1, xlabel);
    free(x);
    free(y);
    free(hx);
    return rc;
}
