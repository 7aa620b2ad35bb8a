/*
 * cmd_sched.c — the Hyperparameter commands about the learning rate over
 * time: decay (the schedules, and the table `decay show` prints) and
 * warmup.
 *
 * A schedule counts from when it is set: `decay exp 0.95` typed at epoch
 * 100 keeps the rate for the rest of that epoch and decays from there on
 * (the engine's nn_trainer_set_schedule records the origin).  The command
 * says so when it is set in the middle of training, and `decay show`
 * marks where training is.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"

#define END_SPEC { NULL, 0, NULL, 0, 0, NULL, NULL }
#define DECAY_USAGE "usage: decay none | inverse RATE | exp RATE | step " \
                    "EVERY FACTOR [every=EPOCHS] | cyclic LOW HIGH " \
                    "[half=N] | sgdr [period=T0] [mult=M] [min=LR]"

/* ------------------------------------------------------------------ */
/* Showing the schedule                                                 */
/* ------------------------------------------------------------------ */

static void show_formula(Session *s, const nn_sched *d)
{
    switch (d->kind) {
    case NN_SCHED_NONE:
        out_printf(s, "decay none\n");
        break;
    case NN_SCHED_INVERSE:
        out_printf(s, "decay inverse %g every=%d: lr = lr0 / (1 + %g * "
                   "floor(epoch / %d))\n", d->rate, d->every, d->rate,
                   d->every);
        break;
    case NN_SCHED_EXP:
        out_printf(s, "decay exp %g every=%d: lr = lr0 * %g^floor(epoch / %d)"
                   "\n", d->rate, d->every, d->rate, d->every);
        break;
    case NN_SCHED_STEP:
        out_printf(s, "decay step %d %g: lr = lr0 * %g^floor(epoch / %d)\n",
                   d->every, d->factor, d->factor, d->every);
        break;
    case NN_SCHED_CYCLIC:
        out_printf(s, "decay cyclic %g %g half=%d: lr climbs from %g to %g "
                   "in %d updates and falls back in %d (a cycle of %d "
                   "updates); lr0 is not used\n", d->low, d->high, d->half,
                   d->low, d->high, d->half, d->half, 2 * d->half);
        break;
    case NN_SCHED_SGDR:
        out_printf(s, "decay sgdr period=%d mult=%d min=%g: lr = min + (lr0 - "
                   "min) * (1 + cos(pi * t / T)) / 2, t the epochs into a "
                   "cycle of T = %d, %d, %d ... epochs, each restarting at "
                   "lr0\n", d->period, d->mult, d->min_lr, d->period,
                   d->period * d->mult, d->period * d->mult * d->mult);
        break;
    }
}

/* Where the schedule counts from, when that is not the start. */
static void show_origin(Session *s, const nn_sched *d, int always)
{
    if (d->kind == NN_SCHED_NONE || (!always && d->origin_iter == 0))
        return;
    if (d->origin_iter == 0)
        out_printf(s, "  it counts from the start of training\n");
    else
        out_printf(s, "  it counts from update %ld (epoch %.3g), where it was "
                   "set\n", d->origin_iter, d->origin_epoch);
}

/* ------------------------------------------------------------------ */
/* decay show                                                           */
/* ------------------------------------------------------------------ */

/* The first epoch of the table: the schedule's origin, or where training
 * is when it has gone past the rows that follow the origin. */
static int table_start(const nn_trainer *tr, int rows)
{
    int start = (int)floor(tr->sched.origin_epoch);
    if (tr->warm.length > 0 && tr->warm.origin_epoch < start)
        start = (int)floor(tr->warm.origin_epoch);
    if (tr->epoch >= start + rows)
        start = tr->epoch - rows / 2;
    return start < 0 ? 0 : start;
}

/* Rows of (0-based) epochs: the rate of each epoch's first update. */
static void epoch_table(Session *s, const nn_trainer *tr, int rows)
{
    OutTable *t = out_table_new(3);
    out_table_cell(t, "%s", "");
    out_table_cell(t, "epoch");
    out_table_cell(t, "lr");
    int start = table_start(tr, rows);
    for (int e = start; e < start + rows; e++) {
        out_table_cell(t, "%s", e == tr->epoch ? "now" : "");
        out_table_cell(t, "%d", e);
        out_table_cell(t, "%.6g", nn_trainer_lr_epoch(tr, e));
    }
    out_table_print(s, t);
}

/* Rows every `step` updates over `span` updates from where the schedule
 * (or, when earlier, the warm-up) was set, or around the next update
 * when training has gone past them; the next update's row in its place
 * among them. */
static void iter_table(Session *s, const nn_trainer *tr, long span,
                       long step)
{
    const nn_sched *d = &tr->sched;
    const nn_warmup *w = &tr->warm;
    long origin = d->origin_iter, now = tr->iter;
    int cyclic = d->kind == NN_SCHED_CYCLIC;
    /* a warm-up in updates that began earlier and still runs: from there */
    if (w->length > 0 && w->unit == NN_UNIT_ITERS &&
        w->origin_iter < origin && w->origin_iter + w->length > origin)
        origin = w->origin_iter;
    if (now > origin + span) /* whole steps, so a cycle's rows stay put */
        origin += (now - origin - span / 2) / step * step;
    OutTable *t = out_table_new(cyclic ? 4 : 3);
    out_table_cell(t, "%s", "");
    out_table_cell(t, "update");
    if (cyclic)
        out_table_cell(t, "cycle");
    out_table_cell(t, "lr");
    int marked = 0;
    for (long it = origin; it <= origin + span; it += step) {
        int here = !marked && now <= it;
        marked |= here;
        if (here && now < it) { /* between two rows: a row of its own */
            out_table_cell(t, "now");
            out_table_cell(t, "%ld", now);
            if (cyclic)
                out_table_cell(t, "%ld", nn_trainer_cycle(tr));
            out_table_cell(t, "%.6g", nn_trainer_lr(tr));
        }
        out_table_cell(t, "%s", it == now ? "now" : "");
        out_table_cell(t, "%ld", it);
        if (cyclic)
            out_table_cell(t, "%ld", it < d->origin_iter ? 0L
                           : (it - d->origin_iter) / (2L * d->half));
        out_table_cell(t, "%.6g", nn_trainer_lr_iter(tr, it));
    }
    out_table_print(s, t);
}

static int decay_show(Session *s, ModelState *m, int argc, char **argv)
{
    long epochs = 10, updates = 0;
    int cyclic = m->tr.sched.kind == NN_SCHED_CYCLIC;
    const OptSpec spec[] = {
        { "epochs", 'i', &epochs, 1, 1000, NULL, NULL },
        { "updates", 'i', &updates, 1, NN_CYCLE_HALF_MAX, NULL, NULL },
        END_SPEC };
    if (args_parse(s, argc, argv, 2, spec, NULL, 0) < 0)
        return CMD_ERR;
    model_bind_quiet(s); /* the updates per epoch, when there are data */
    const nn_trainer *tr = &m->tr;
    show_formula(s, &tr->sched);
    show_origin(s, &tr->sched, 1);
    if (tr->warm.length > 0) {
        char w[64];
        model_warmup_text(&tr->warm, w, sizeof w);
        out_printf(s, "  times the warm-up %s, from update %ld\n", w,
                   tr->warm.origin_iter);
    }
    out_printf(s, "  now: update %ld, epoch %.3g, lr %g", tr->iter,
               nn_trainer_epochs_done(tr), nn_trainer_lr(tr));
    if (nn_trainer_iters_per_epoch(tr) > 0)
        out_printf(s, " (%d updates per epoch)",
                   nn_trainer_iters_per_epoch(tr));
    out_printf(s, "\n");
    /* a cyclic schedule moves at every update: two cycles by quarters */
    if (cyclic && !updates)
        updates = 4L * tr->sched.half;
    long step = cyclic && tr->sched.half >= 2 ? tr->sched.half / 2
                                              : updates / 10;
    if (updates)
        iter_table(s, tr, updates, step > 0 ? step : 1);
    else
        epoch_table(s, tr, (int)epochs);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* decay                                                                */
/* ------------------------------------------------------------------ */

/* decay inverse|exp RATE, step EVERY FACTOR [every=K] into *d. */
static int parse_epoch_sched(Session *s, int argc, char **argv, nn_sched *d)
{
    long every = 1;
    char *pos[2];
    const OptSpec spec[] = { { "every", 'i', &every, 1, NN_DECAY_EVERY_MAX,
                               NULL, NULL },
                             END_SPEC };
    int np = args_parse(s, argc, argv, 2, spec, pos, 2);
    if (np < 0)
        return -1;
    static const int wants[] = { 0, 1, 1, 2 };
    if (np != wants[d->kind])
        return cmd_error(s, DECAY_USAGE);
    d->every = (int)every;
    if ((d->kind == NN_SCHED_INVERSE || d->kind == NN_SCHED_EXP) &&
        args_double(s, pos[0], "rate", 0, NN_DECAY_RATE_MAX, &d->rate))
        return -1;
    if (d->kind == NN_SCHED_STEP) {
        if (args_int(s, pos[0], "epochs between steps", 1,
                     NN_DECAY_EVERY_MAX, &every) ||
            args_double(s, pos[1], "factor", 0, 1, &d->factor))
            return -1;
        d->every = (int)every;
    }
    return 0;
}

/* decay cyclic LOW HIGH [half=N] | sgdr [period=] [mult=] [min=]. */
static int parse_cycle_sched(Session *s, int argc, char **argv, nn_sched *d)
{
    long half = d->half, period = d->period, mult = d->mult;
    char *pos[2];
    const OptSpec cyc[] = {
        { "half", 'i', &half, 1, NN_CYCLE_HALF_MAX, NULL, NULL }, END_SPEC };
    const OptSpec sgdr[] = {
        { "period", 'i', &period, 1, NN_DECAY_EVERY_MAX, NULL, NULL },
        { "mult", 'i', &mult, 1, NN_SGDR_MULT_MAX, NULL, NULL },
        { "min", 'd', &d->min_lr, 0, HUGE_VAL, NULL, NULL },
        END_SPEC };
    int cyclic = d->kind == NN_SCHED_CYCLIC;
    int np = args_parse(s, argc, argv, 2, cyclic ? cyc : sgdr, pos, 2);
    if (np < 0)
        return -1;
    if (np != (cyclic ? 2 : 0))
        return cmd_error(s, cyclic ? "usage: decay cyclic LOW HIGH "
                         "[half=N], e.g. decay cyclic 0.001 0.01 half=200"
                         : "usage: decay sgdr [period=T0] [mult=M] "
                         "[min=LR], e.g. decay sgdr period=10 mult=2");
    if (cyclic && (args_double(s, pos[0], "the low rate", 0, HUGE_VAL,
                               &d->low) ||
                   args_double(s, pos[1], "the high rate", 0, HUGE_VAL,
                               &d->high)))
        return -1;
    if (cyclic && d->high < d->low)
        return cmd_error(s, "the low rate comes first: decay cyclic %g %g",
                         d->high, d->low);
    d->half = (int)half;
    d->period = (int)period;
    d->mult = (int)mult;
    return 0;
}

static int cmd_decay(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        show_formula(s, &m->tr.sched);
        show_origin(s, &m->tr.sched, 0);
        return CMD_OK;
    }
    if (!strcmp(argv[1], "show"))
        return decay_show(s, m, argc, argv);
    int k;
    if (args_enum(s, argv[1], "schedule", nn_sched_names, &k))
        return CMD_ERR;
    /* a new kind starts from its defaults; the same kind keeps what was
     * given before (decay sgdr mult=1 after decay sgdr period=5) */
    nn_sched d = m->tr.sched;
    if ((int)d.kind != k)
        nn_sched_defaults(&d);
    d.kind = (nn_sched_kind)k;
    int bad = k <= NN_SCHED_STEP ? parse_epoch_sched(s, argc, argv, &d)
                                 : parse_cycle_sched(s, argc, argv, &d);
    if (bad)
        return CMD_ERR;
    nn_err err;
    if (nn_trainer_set_schedule(&m->tr, &d, &err))
        return cmd_error(s, "%s", err.msg);
    show_formula(s, &m->tr.sched);
    if (m->tr.iter > 0 && k != NN_SCHED_NONE)
        out_printf(s, "  counting from now (update %ld, epoch %.3g), not from "
                   "the start of training; decay show tabulates it\n",
                   m->tr.iter, nn_trainer_epochs_done(&m->tr));
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* warmup                                                               */
/* ------------------------------------------------------------------ */

static void show_warmup(Session *s, const nn_warmup *w)
{
    if (w->length <= 0) {
        out_printf(s, "warmup off\n");
        return;
    }
    out_printf(s, "warmup %d %s from=%g: over the first %d %s the rate "
               "rises linearly from %g times the scheduled rate to all of it",
               w->length, nn_unit_names[w->unit], w->from, w->length,
               w->unit == NN_UNIT_EPOCHS ? "epochs" : "updates", w->from);
    if (w->origin_iter > 0)
        out_printf(s, ", counting from update %ld (epoch %.3g), where it "
                   "was set",
                   w->origin_iter, w->origin_epoch);
    out_printf(s, "\n");
}

static int cmd_warmup(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        show_warmup(s, &m->tr.warm);
        return CMD_OK;
    }
    nn_warmup w = m->tr.warm;
    char *pos[2];
    const OptSpec spec[] = { { "from", 'd', &w.from, 0, 1, NULL, NULL },
                             END_SPEC };
    int np = args_parse(s, argc, argv, 1, spec, pos, 2);
    if (np < 0)
        return CMD_ERR;
    if (np == 0)
        return cmd_error(s, "usage: warmup N [iters|epochs] [from=0] | "
                         "warmup off");
    long n = 0;
    int unit = NN_UNIT_ITERS;
    if (!strcmp(pos[0], "off")) {
        if (np != 1)
            return cmd_error(s, "off takes nothing more");
    } else if (args_int(s, pos[0], "warm-up length", 1, NN_WARMUP_MAX, &n) ||
               (np == 2 && args_enum(s, pos[1], "unit", nn_unit_names,
                                     &unit))) {
        return CMD_ERR;
    }
    w.length = (int)n;
    w.unit = (nn_unit)unit;
    nn_err err;
    if (nn_trainer_set_warmup(&m->tr, &w, &err))
        return cmd_error(s, "%s", err.msg);
    show_warmup(s, &m->tr.warm);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_sched_rows[] = {
{
    .name = "decay", .group = "Hyperparameters", .fn = cmd_decay,
    .usage = "decay [none | inverse RATE | exp RATE | step EVERY FACTOR "
             "[every=1] | cyclic LOW HIGH [half=100] | sgdr [period=10] "
             "[mult=2] [min=0]] | decay show [epochs=10] [updates=N]",
    .summary = "the learning-rate schedule",
    .help =
        "none                 a constant learning rate (the default)\n"
        "inverse RATE         alpha = alpha0 / (1 + RATE * epoch)\n"
        "exp RATE             alpha = alpha0 * RATE^epoch, e.g. exp 0.95\n"
        "                     (RATE 0..1: above 1 the rate would grow)\n"
        "step EVERY FACTOR    alpha = alpha0 * FACTOR^floor(epoch / EVERY)\n"
        "every=1              count epochs in steps of this many\n"
        "cyclic LOW HIGH      triangular cycles (Smith): up from LOW to HIGH\n"
        "                     in half=100 updates, down again in as many;\n"
        "                     alpha0 is not used\n"
        "sgdr                 cosine annealing with warm restarts: from\n"
        "                     alpha0 down to min=0 along half a cosine in\n"
        "                     period=10 epochs, then back to alpha0; each\n"
        "                     cycle mult=2 times as long as the one before\n"
        "show [epochs=10]     the rate of each epoch's first update, from\n"
        "                     the schedule's start, marking the epoch now\n"
        "show updates=N       the rate every N/10 updates (a cyclic schedule\n"
        "                     every quarter cycle, two cycles unless given)\n"
        "A schedule counts from when it is set: typed in the middle of\n"
        "training it starts from where training is, and says so.  It\n"
        "takes effect at the next update; warmup ramps any of them.  Large\n"
        "steps early, small steps near the minimum.  Alone, decay shows\n"
        "the schedule in use; plot lr draws it.",
    .example = "decay inverse 1",
    .words = CMD_WORDS("@scheds", "show"),
    .keys = CMD_WORDS("every=", "half=", "period=", "mult=", "min=",
                      "epochs=", "updates="),
},
{
    .name = "warmup", .group = "Hyperparameters", .fn = cmd_warmup,
    .usage = "warmup [N [iters|epochs] [from=0] | off]",
    .summary = "a linear warm-up of the learning rate",
    .help =
        "N [iters|epochs]     ramp the rate over the first N updates\n"
        "                     (iters, the default) or epochs\n"
        "from=0               the fraction of the rate the ramp starts at:\n"
        "                     the first update uses from x the rate\n"
        "off                  no warm-up (the default)\n"
        "The ramp multiplies whatever the schedule gives (decay none too),\n"
        "counting from when it is set.  Large steps at the start, while\n"
        "Adam's moments or batch norm's statistics are still raw, can throw\n"
        "a net far off; a few hundred gentle updates avoid that.  Alone,\n"
        "warmup shows the setting.",
    .example = "warmup 100 iters",
    .words = CMD_WORDS("off", "2:@units"),
    .keys = CMD_WORDS("from="),
},
{0},
};
