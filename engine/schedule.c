/* schedule.c — learning-rate schedules and the warm-up (see schedule.h).
 */
#include "schedule.h"

#include <math.h>
#include <stddef.h>

const char *const nn_sched_names[] = { "none", "inverse", "exp", "step",
                                       "cyclic", "sgdr", NULL };
const char *const nn_unit_names[] = { "iters", "epochs", NULL };

/* lo <= v <= hi, and not NaN */
static int in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi;
}

void nn_sched_defaults(nn_sched *s)
{
    s->kind = NN_SCHED_NONE;
    s->rate = 1;
    s->every = 1;
    s->factor = 0.5;
    s->low = 0.001;
    s->high = 0.01;
    s->half = 100;
    s->period = 10;
    s->mult = 2;
    s->min_lr = 0;
    s->origin_iter = 0;
    s->origin_epoch = 0;
}

/* ------------------------------------------------------------------ */
/* Where a position lies                                                */
/* ------------------------------------------------------------------ */

static long iters_since(const nn_sched *s, long iter)
{
    return iter > s->origin_iter ? iter - s->origin_iter : 0;
}

/* Whole epochs begun since the origin: an origin in the middle of an
 * epoch makes the rest of that epoch the schedule's epoch 0. */
static double epochs_since(const nn_sched *s, double epoch)
{
    double n = floor(epoch) - floor(s->origin_epoch);
    return n > 0 ? n : 0;
}

/* Cyclic: the cycle of update i (counted from the origin). */
static long cyclic_cycle(const nn_sched *s, long i)
{
    long half = s->half > 0 ? s->half : 1;
    return i / (2 * half);
}

/* SGDR: the cycle holding t epochs since the origin, its length *len and
 * how far into it t is (*cur).  Cycle lengths are whole epochs, so the
 * sums are exact: set at an epoch's start, every restart falls exactly on
 * an epoch's end. */
static long sgdr_cycle(const nn_sched *s, double t, double *len, double *cur)
{
    double T = s->period > 0 ? s->period : 1, start = 0;
    int mult = s->mult > 1 ? s->mult : 1;
    long c = 0;
    if (t < 0)
        t = 0;
    if (mult == 1) {
        c = (long)floor(t / T);
        start = (double)c * T;
    } else {
        /* lengths grow geometrically: a few dozen cycles at the most */
        while (t >= start + T) {
            start += T;
            T *= mult;
            c++;
        }
    }
    *len = T;
    *cur = t - start;
    return c;
}

/* ------------------------------------------------------------------ */
/* Rates                                                                */
/* ------------------------------------------------------------------ */

double nn_sched_rate(const nn_sched *s, double lr0, long iter, double epoch)
{
    int every = s->every > 0 ? s->every : 1;
    double k = floor(epochs_since(s, epoch) / every);
    switch (s->kind) {
    case NN_SCHED_INVERSE:
        return lr0 / (1 + s->rate * k);
    case NN_SCHED_EXP:
        return lr0 * pow(s->rate, k);
    case NN_SCHED_STEP:
        return lr0 * pow(s->factor, k);
    case NN_SCHED_CYCLIC: {
        long i = iters_since(s, iter), half = s->half > 0 ? s->half : 1;
        double c = (double)cyclic_cycle(s, i);
        double x = fabs((double)i / (double)half - 2 * c - 1);
        return s->low + (s->high - s->low) * fmax(0, 1 - x);
    }
    case NN_SCHED_SGDR: {
        double len, cur;
        sgdr_cycle(s, epoch - s->origin_epoch, &len, &cur);
        return s->min_lr +
               (lr0 - s->min_lr) * (1 + cos(M_PI * cur / len)) / 2;
    }
    default:
        return lr0;
    }
}

long nn_sched_cycle(const nn_sched *s, long iter, double epoch)
{
    double len, cur;
    if (s->kind == NN_SCHED_CYCLIC)
        return cyclic_cycle(s, iters_since(s, iter));
    if (s->kind == NN_SCHED_SGDR)
        return sgdr_cycle(s, epoch - s->origin_epoch, &len, &cur);
    return 0;
}

double nn_sched_lr(const nn_sched *s, double lr0, int epoch)
{
    return nn_sched_rate(s, lr0, s->origin_iter, (double)epoch);
}

int nn_sched_check(const nn_sched *s, nn_err *err)
{
    if ((unsigned)s->kind > NN_SCHED_SGDR)
        return nn_fail(err, "unknown schedule %d", (int)s->kind);
    if (!in_range(s->rate, 0, NN_DECAY_RATE_MAX))
        return nn_fail(err, "the decay rate must be 0..%g, got %g",
                       NN_DECAY_RATE_MAX, s->rate);
    if (s->kind == NN_SCHED_EXP && !in_range(s->rate, 0, 1))
        return nn_fail(err, "the base of exp decay must be 0..1, got %g "
                       "(above 1 the rate grows every epoch without end)",
                       s->rate);
    if (s->every < 1 || s->every > NN_DECAY_EVERY_MAX)
        return nn_fail(err, "the decay interval must be 1..%d epochs, got %d",
                       NN_DECAY_EVERY_MAX, s->every);
    if (!in_range(s->factor, 0, 1))
        return nn_fail(err, "the step factor must be 0..1, got %g", s->factor);
    if (!in_range(s->low, 0, HUGE_VAL) || !in_range(s->high, s->low, HUGE_VAL)
        || !isfinite(s->high))
        return nn_fail(err, "the cyclic rates must be finite with 0 <= low "
                       "<= high, got low %g and high %g", s->low, s->high);
    if (s->half < 1 || s->half > NN_CYCLE_HALF_MAX)
        return nn_fail(err, "the cyclic half-cycle must be 1..%d updates, "
                       "got %d", NN_CYCLE_HALF_MAX, s->half);
    if (s->period < 1 || s->period > NN_DECAY_EVERY_MAX)
        return nn_fail(err, "the sgdr period must be 1..%d epochs, got %d",
                       NN_DECAY_EVERY_MAX, s->period);
    if (s->mult < 1 || s->mult > NN_SGDR_MULT_MAX)
        return nn_fail(err, "the sgdr period multiplier must be 1..%d, got %d",
                       NN_SGDR_MULT_MAX, s->mult);
    if (!in_range(s->min_lr, 0, HUGE_VAL) || !isfinite(s->min_lr))
        return nn_fail(err, "the sgdr minimum rate must be a finite number "
                       ">= 0, got %g", s->min_lr);
    if (s->origin_iter < 0 || !in_range(s->origin_epoch, 0, 1e15))
        return nn_fail(err, "the schedule's origin must be >= 0, got update "
                       "%ld, epoch %g", s->origin_iter, s->origin_epoch);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Warm-up                                                              */
/* ------------------------------------------------------------------ */

void nn_warmup_defaults(nn_warmup *w)
{
    w->length = 0;
    w->unit = NN_UNIT_ITERS;
    w->from = 0;
    w->origin_iter = 0;
    w->origin_epoch = 0;
}

double nn_warmup_factor(const nn_warmup *w, long iter, double epoch)
{
    if (w->length <= 0)
        return 1;
    double u = w->unit == NN_UNIT_EPOCHS ? epoch - w->origin_epoch
                                         : (double)(iter - w->origin_iter);
    if (u >= w->length)
        return 1;
    if (u < 0)
        u = 0;
    return w->from + (1 - w->from) * u / w->length;
}

int nn_warmup_check(const nn_warmup *w, nn_err *err)
{
    if (w->length < 0 || w->length > NN_WARMUP_MAX)
        return nn_fail(err, "the warm-up length must be 0..%d, got %d",
                       NN_WARMUP_MAX, w->length);
    if ((unsigned)w->unit > NN_UNIT_EPOCHS)
        return nn_fail(err, "unknown warm-up unit %d", (int)w->unit);
    if (!in_range(w->from, 0, 1))
        return nn_fail(err, "the warm-up must start at a fraction 0..1 of "
                       "the rate, got %g", w->from);
    if (w->origin_iter < 0 || !in_range(w->origin_epoch, 0, 1e15))
        return nn_fail(err, "the warm-up's origin must be >= 0, got update "
                       "%ld, epoch %g", w->origin_iter, w->origin_epoch);
    return 0;
}
