/*
 * schedule.h — learning-rate schedules and the warm-up.
 *
 * A schedule turns the base rate α₀ (the optimizer's lr) into the rate of
 * one update.  The old schedules step once per epoch; the cyclic ones move
 * at every update, so a position in training is a pair:
 *
 *   iter   updates made before this one (the trainer's tr->iter)
 *   epoch  epochs completed, with the fraction of the current one done
 *          (the trainer's epoch + examples used / training examples)
 *
 * Every schedule counts from its origin, the position at which it was set
 * (nn_trainer_set_schedule() fills it in): `decay exp 0.95` typed at epoch
 * 100 keeps α₀ for the rest of that epoch and decays from there on, rather
 * than dropping at once to α₀·0.95¹⁰⁰.  Positions before the origin give
 * the schedule's first rate.
 *
 * The warm-up multiplies whatever the schedule gives by a linear ramp, with
 * its own origin: it may be switched on in the middle of a schedule.
 */
#ifndef NN_SCHEDULE_H
#define NN_SCHEDULE_H

#include "err.h"

typedef enum {
    NN_SCHED_NONE, NN_SCHED_INVERSE, NN_SCHED_EXP, NN_SCHED_STEP,
    NN_SCHED_CYCLIC, NN_SCHED_SGDR
} nn_sched_kind;
/* "none" "inverse" "exp" "step" "cyclic" "sgdr", NULL-terminated */
extern const char *const nn_sched_names[];

typedef struct nn_sched {
    nn_sched_kind kind;
    double rate;    /* inverse: decay rate; exp: the base (0.95), 0..1 */
    int every;      /* apply the decay every `every` epochs (default 1) */
    double factor;  /* step: multiply by factor every `every` epochs */

    /* cyclic, triangular (Smith 2017): between two absolute rates; α₀ is
     * not used */
    double low, high; /* the least and the greatest rate (0.001, 0.01) */
    int half;         /* updates from low to high, Smith's "step size";
                         a cycle is 2·half updates (default 100) */

    /* sgdr, cosine annealing with warm restarts (Loshchilov & Hutter
     * 2017): from α₀ down to min_lr along half a cosine, then back to α₀ */
    int period;       /* T₀: epochs of the first cycle (default 10) */
    int mult;         /* T_mult: each cycle this many times the one before
                         (default 2; 1 = all the same length) */
    double min_lr;    /* η_min (default 0) */

    /* where it counts from: set by nn_trainer_set_schedule() */
    long origin_iter;
    double origin_epoch;
} nn_sched;

/* The ranges the settings must lie in (nn_sched_check). */
#define NN_DECAY_RATE_MAX 1e6
#define NN_DECAY_EVERY_MAX 100000
#define NN_CYCLE_HALF_MAX 100000000
#define NN_SGDR_MULT_MAX 10

/* Defaults: none, rate 1, every 1, factor 0.5, cyclic 0.001..0.01 with
 * half 100, sgdr period 10 mult 2 min 0, origin 0. */
void nn_sched_defaults(nn_sched *s);

/* The rate of the update at (iter, epoch), from α₀ = lr0.  With
 * n = ⌊epoch⌋ − ⌊origin_epoch⌋ whole epochs, k = ⌊n / every⌋,
 * i = iter − origin_iter updates and t = epoch − origin_epoch epochs
 * since the origin (each taken as 0 when negative):
 *   none     α₀
 *   inverse  α₀ / (1 + rate·k)
 *   exp      α₀ · rate^k
 *   step     α₀ · factor^k
 *   cyclic   low + (high − low)·max(0, 1 − |i/half − 2c − 1|),
 *            c = ⌊i / (2·half)⌋ the cycle
 *   sgdr     min_lr + (α₀ − min_lr)·(1 + cos(π·t_cur/T))/2, where cycle c
 *            lasts T = period·multᶜ epochs and t_cur is t less the
 *            lengths of the cycles before it */
double nn_sched_rate(const nn_sched *s, double lr0, long iter, double epoch);

/* The cycle (0, 1, 2 ...) that the update at (iter, epoch) belongs to;
 * always 0 for the schedules without cycles.  An update ends a cycle when
 * the next position's cycle is greater: where a snapshot ensemble takes
 * its snapshots. */
long nn_sched_cycle(const nn_sched *s, long iter, double epoch);

/* The rate at the start of (0-based) `epoch`, for the schedules that
 * count epochs; the same as nn_sched_rate(s, lr0, origin_iter, epoch), so
 * a cyclic schedule gives its rate at its origin.  Kept for callers that
 * know only epochs: nn_trainer_lr_epoch() knows the iterations too. */
double nn_sched_lr(const nn_sched *s, double lr0, int epoch);

/* 0 when the schedule's settings are in range, else -1 with err naming
 * the setting: rate 0..NN_DECAY_RATE_MAX, and 0..1 for exp (a base above 1
 * makes the rate grow without end); every 1..NN_DECAY_EVERY_MAX; factor
 * 0..1; low and high finite, 0 <= low <= high; half
 * 1..NN_CYCLE_HALF_MAX; period 1..NN_DECAY_EVERY_MAX; mult
 * 1..NN_SGDR_MULT_MAX; min_lr finite >= 0; the origin >= 0. */
int nn_sched_check(const nn_sched *s, nn_err *err);

/* ------------------------------------------------------------------ */
/* Warm-up                                                              */
/* ------------------------------------------------------------------ */

typedef enum { NN_UNIT_ITERS, NN_UNIT_EPOCHS } nn_unit;
/* "iters" "epochs", NULL-terminated */
extern const char *const nn_unit_names[];

typedef struct nn_warmup {
    int length;       /* updates or epochs of the ramp; 0 = no warm-up */
    nn_unit unit;     /* what length counts (iters) */
    double from;      /* the fraction of the rate it starts at, 0..1 (0) */
    long origin_iter; /* where it counts from: nn_trainer_set_warmup() */
    double origin_epoch;
} nn_warmup;

#define NN_WARMUP_MAX 100000000

/* Defaults: off (length 0), iters, from 0, origin 0. */
void nn_warmup_defaults(nn_warmup *w);

/* What the schedule's rate is multiplied by at (iter, epoch): with u the
 * updates (or epochs, fractions included) since the origin,
 *   from + (1 − from)·u/length   while u < length,  else 1.
 * From 0, the first update of the ramp has rate 0. */
double nn_warmup_factor(const nn_warmup *w, long iter, double epoch);

/* 0 when in range (length 0..NN_WARMUP_MAX, a known unit, from 0..1,
 * origin >= 0), else -1 with err. */
int nn_warmup_check(const nn_warmup *w, nn_err *err);

#endif
