/*
 * cmd_optim.c — the Hyperparameter commands about the updates: optim, lr,
 * clip, batch (the schedules are in cmd_sched.c), and seed and threads.
 *
 * Each shows its current value when given no argument, and takes effect
 * at the next update, even in the middle of a run.
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

/* ------------------------------------------------------------------ */
/* optim, lr, batch                                                     */
/* ------------------------------------------------------------------ */

static void show_optim(Session *s, const nn_optim *o)
{
    out_printf(s, "optim %s lr=%g", nn_optim_names[o->kind], o->lr);
    if (o->kind == NN_OPT_MOMENTUM || o->kind == NN_OPT_NESTEROV)
        out_printf(s, " beta=%g", o->beta);
    if (o->kind == NN_OPT_RMSPROP)
        out_printf(s, " rho=%g eps=%g correct=%s", o->rho, o->eps,
                   o->correct ? "on" : "off");
    if (o->kind == NN_OPT_ADAM)
        out_printf(s, " beta1=%g beta2=%g eps=%g", o->beta1, o->beta2, o->eps);
    out_printf(s, "\n");
}

/* A setting given that this optimizer does not use: say so, rather than
 * let "optim adam beta=0.5" look as if it did something. */
static void unused_settings(Session *s, const nn_optim *was,
                            const nn_optim *o)
{
    const char *names[] = { "beta", "beta1", "beta2", "eps", "rho",
                            "correct" };
    const double old[] = { was->beta, was->beta1, was->beta2, was->eps,
                           was->rho, was->correct };
    const double now[] = { o->beta, o->beta1, o->beta2, o->eps, o->rho,
                           o->correct };
    for (int i = 0; i < 6; i++)
        if (old[i] != now[i])
            model_optim_note(s, o->kind, names[i]);
}

static int cmd_optim(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    nn_optim o = m->tr.opt, before = m->tr.opt;
    char *pos[1];
    int kind = o.kind;
    if (argc == 1) {
        show_optim(s, &o);
        return CMD_OK;
    }
    const OptSpec spec[] = {
        { "lr", 'd', &o.lr, 0, NN_LR_MAX, NULL, NULL },
        { "beta", 'd', &o.beta, 0, NN_BETA_MAX, NULL, NULL },
        { "beta1", 'd', &o.beta1, 0, NN_BETA_MAX, NULL, NULL },
        { "beta2", 'd', &o.beta2, 0, NN_BETA2_MAX, NULL, NULL },
        { "eps", 'd', &o.eps, 0, NN_EPS_MAX, NULL, NULL },
        { "rho", 'd', &o.rho, 0, NN_BETA_MAX, NULL, NULL },
        { "correct", 'b', &o.correct, 0, 0, NULL, NULL },
        END_SPEC,
    };
    int np = args_parse(s, argc, argv, 1, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 1 && args_enum(s, pos[0], "optimizer", nn_optim_names,
                            &kind))
        return CMD_ERR;
    int changed = kind != (int)m->tr.opt.kind;
    o.kind = (nn_optim_kind)kind;
    nn_err err;
    if (nn_optim_check(&o, &err))
        return cmd_error(s, "%s", err.msg);
    m->tr.opt = o;
    if (changed && s->net) {
        /* moments of another optimizer mean nothing to this one */
        nn_trainer_zero_moments(&m->tr, s->net);
    }
    show_optim(s, &m->tr.opt);
    unused_settings(s, &before, &m->tr.opt);
    return CMD_OK;
}

static int cmd_lr(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    double lr;
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        const nn_trainer *tr = &m->tr;
        out_printf(s, "lr %g", tr->opt.lr);
        if (tr->sched.kind == NN_SCHED_CYCLIC)
            out_printf(s, " (decay cyclic does not use it; now %g)",
                       nn_trainer_lr(tr));
        else if (nn_warmup_factor(&tr->warm, tr->iter,
                                  nn_trainer_epochs_done(tr)) < 1)
            out_printf(s, " (now %g after decay and warm-up)",
                       nn_trainer_lr(tr));
        else if (tr->sched.kind != NN_SCHED_NONE)
            out_printf(s, " (now %g after decay)", nn_trainer_lr(tr));
        out_printf(s, "\n");
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "expected one value, e.g. lr 0.01");
    if (args_double(s, argv[1], "learning rate", 0, NN_LR_MAX, &lr))
        return CMD_ERR;
    m->tr.opt.lr = lr;
    out_printf(s, "lr %g\n", lr);
    return CMD_OK;
}

/* ": 4 updates per epoch over 210 training examples (the last of 18)",
 * when there are data to count. */
static void show_updates(Session *s, int batch)
{
    int n = s->data ? nn_data_count(s->data, NN_TRAIN) : 0;
    if (n == 0) {
        out_printf(s, "; the updates per epoch follow from the data (none "
                   "yet)\n");
        return;
    }
    int b = batch > 0 && batch < n ? batch : n;
    int updates = (n + b - 1) / b, last = n - (updates - 1) * b;
    out_printf(s, ": %d update%s per epoch over %d training examples", updates,
               updates == 1 ? "" : "s", n);
    if (batch > n)
        out_printf(s, " (more than there are: each update sees them all)");
    else if (last != b)
        out_printf(s, " (the last batch of %d)", last);
    out_printf(s, "\n");
}

static int cmd_batch(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    long b;
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        if (m->tr.batch == 0)
            out_printf(s, "batch full (every update sees the whole training "
                       "set)");
        else
            out_printf(s, "batch %d%s", m->tr.batch,
                       m->tr.batch == 1 ? " (stochastic gradient descent)"
                                        : "");
        show_updates(s, m->tr.batch);
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "expected a size, full or 1");
    if (!strcmp(argv[1], "full"))
        b = 0;
    else if (args_int(s, argv[1], "batch size (or full)", 1, 1000000,
                     &b))
        return CMD_ERR;
    nn_err err;
    if (nn_trainer_set_batch(&m->tr, (int)b, &err))
        return cmd_error(s, "%s", err.msg);
    char *show[] = { "batch", NULL };
    return cmd_batch(s, 1, show);
}

/* ------------------------------------------------------------------ */
/* clip                                                                 */
/* ------------------------------------------------------------------ */

static void show_clip(Session *s, const nn_trainer *tr)
{
    const nn_clip *c = &tr->clip;
    if (c->kind == NN_CLIP_OFF)
        out_printf(s, "clip off: the optimizer gets the gradients as "
                   "backprop gives them\n");
    else if (c->kind == NN_CLIP_NORM)
        out_printf(s, "clip norm %g: when ||g|| of all the gradients together "
                   "exceeds %g, every gradient is scaled by %g/||g||\n",
                   c->max, c->max, c->max);
    else
        out_printf(s, "clip value %g: every gradient entry is limited to "
                   "[-%g, %g]\n", c->max, c->max, c->max);
    if (c->kind != NN_CLIP_OFF && tr->iter > 0)
        out_printf(s, "  clipping changed %ld of the %ld updates since "
                   "training started\n", tr->clip_count, tr->iter);
}

static int cmd_clip(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        show_clip(s, &m->tr);
        return CMD_OK;
    }
    int k;
    if (args_enum(s, argv[1], "clipping", nn_clip_names, &k))
        return CMD_ERR;
    nn_clip c = m->tr.clip;
    c.kind = (nn_clip_kind)k;
    if (k == NN_CLIP_OFF && argc != 2)
        return cmd_error(s, "off takes no value");
    if (k != NN_CLIP_OFF && argc != 3)
        return cmd_error(s, "%s needs a threshold, e.g. clip %s %s",
                         nn_clip_names[k], nn_clip_names[k],
                         k == NN_CLIP_NORM ? "1" : "0.5");
    if (k != NN_CLIP_OFF &&
        args_double(s, argv[2], "the threshold", 0, HUGE_VAL, &c.max))
        return CMD_ERR;
    nn_err err;
    if (nn_trainer_set_clip(&m->tr, &c, &err))
        return cmd_error(s, "%s", err.msg);
    show_clip(s, &m->tr);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* seed, threads                                          */
/* ------------------------------------------------------------------ */

static int cmd_seed(Session *s, int argc, char **argv)
{
    long seed;
    if (argc == 1) {
        out_printf(s, "seed %llu\n", (unsigned long long)model_seed(s));
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "expected one number");
    if (args_int(s, argv[1], "seed", 0, 2147483647L, &seed))
        return CMD_ERR;
    model_set_seed(s, (uint64_t)seed);
    out_printf(s, "seed %ld: used by the next data, split, net, init and "
               "reset (which also restarts shuffling and dropout masks)\n",
               seed);
    return CMD_OK;
}

static int cmd_threads(Session *s, int argc, char **argv)
{
    long n;
    if (argc == 1) {
        out_printf(s, "threads %d\n", nn_blas_threads(0));
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "expected one number");
    if (args_int(s, argv[1], "thread count", 1, 256, &n))
        return CMD_ERR;
    s->threads = nn_blas_threads((int)n);
    out_printf(s, "threads %d\n", s->threads);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_optim_rows[] = {
{
    .name = "optim", .group = "Hyperparameters", .fn = cmd_optim,
    .usage = "optim [gd|momentum|nesterov|rmsprop|adam] [lr=0.01] "
             "[beta=0.9] [beta1=0.9] [beta2=0.999] [rho=0.9] [correct=off] "
             "[eps=1e-8]",
    .summary = "choose the optimizer and its settings",
    .help =
        "gd                   W -= lr * dW (the default)\n"
        "momentum             v = beta*v + (1-beta)*dW;  W -= lr * v\n"
        "nesterov             momentum, stepping from the look-ahead point\n"
        "rmsprop              s = beta*s + (1-beta)*dW^2, its beta named rho;\n"
        "                     W -= lr * dW / (sqrt(s) + eps)\n"
        "adam                 momentum and RMSprop together, each divided by\n"
        "                     its bias correction (1 - beta^t)\n"
        "lr=0.01              the learning rate (lr VALUE sets it alone)\n"
        "beta=0.9             momentum's average: about 1/(1-beta) gradients\n"
        "beta1=0.9            Adam's first moment\n"
        "beta2=0.999          Adam's second moment\n"
        "rho=0.9              RMSprop's beta (0.9 as in Hinton's lecture and\n"
        "                     Keras): s starts at 0, so without correction\n"
        "                     the first steps are lr/sqrt(1-rho) per weight,\n"
        "                     3.2x lr with 0.9 but 32x with 0.999 (enough to\n"
        "                     make digits diverge at once)\n"
        "correct=off          RMSprop: divide s by 1 - rho^t, as Adam does\n"
        "eps=1e-8             keeps the division safe; above 0 for adam and\n"
        "                     rmsprop (a zero gradient would step by 0/0)\n"
        "Alone, optim shows the optimizer and its settings.",
    .example = "optim adam lr=0.001",
    .words = CMD_WORDS("@optims"),
    .keys = CMD_WORDS("lr=", "beta=", "beta1=", "beta2=", "rho=",
                      "correct=on|off", "eps="),
},
{
    .name = "lr", .group = "Hyperparameters", .fn = cmd_lr,
    .usage = "lr [VALUE]",
    .summary = "set the learning rate (alpha)",
    .help =
        "VALUE                e.g. 0.1 or 1e-3 (default 0.01); any rate\n"
        "                     >= 0: lr 1e6 makes the cost NaN, which the\n"
        "                     guard stops (guard off lets you see it)\n"
        "It takes effect at the next update, also while training runs: try\n"
        "it with plot loss open.  Too high and the loss jumps or diverges;\n"
        "too low and it creeps.  With decay this is the starting rate\n"
        "alpha0.  Alone, lr shows the rate in use.",
    .example = "lr 0.001",
},
{
    .name = "clip", .group = "Hyperparameters", .fn = cmd_clip,
    .usage = "clip [norm MAX | value MAX | off]",
    .summary = "gradient clipping before each update",
    .help =
        "off                  no clipping (the default)\n"
        "norm MAX             when ||g||, the norm of every gradient of the\n"
        "                     network together, exceeds MAX, scale them all\n"
        "                     by MAX/||g||: the step keeps its direction\n"
        "value MAX            limit every gradient entry to [-MAX, MAX]\n"
        "Applied after backprop, before the optimizer's update, at the next\n"
        "update (also while training runs).  A deep net whose gradients\n"
        "explode now and then trains at a rate the guard would otherwise\n"
        "stop.  stats grads shows ||g|| before clipping and how often it\n"
        "acted.  Alone, clip shows the setting.",
    .example = "clip norm 1",
    .words = CMD_WORDS("@clips"),
},
{
    .name = "batch", .group = "Hyperparameters", .fn = cmd_batch,
    .usage = "batch [N|full|1]",
    .summary = "the mini-batch size",
    .help =
        "N                    examples per update (default 64)\n"
        "full                 the whole training set: batch gradient descent\n"
        "1                    one example: stochastic gradient descent\n"
        "Smaller batches make more updates per epoch, each noisier.  Alone,\n"
        "batch shows the size and the updates per epoch.",
    .example = "batch 32",
    .words = CMD_WORDS("full"),
},
{0},
};

/* Registered after the schedules (cmd_sched.c), so that help lists the
 * settings of the updates together. */
const Command cmd_seed_rows[] = {
{
    .name = "seed", .group = "Hyperparameters", .fn = cmd_seed,
    .usage = "seed [N]",
    .summary = "the random seed",
    .help =
        "N                    a whole number (default 1)\n"
        "Everything random comes from it: generated data, splits, initial\n"
        "weights, shuffling, dropout.  The same seed and the same commands\n"
        "give the same numbers.  Alone, seed shows it.",
    .example = "seed 42",
},
{
    .name = "threads", .group = "Hyperparameters", .fn = cmd_threads,
    .usage = "threads [N]",
    .summary = "threads OpenBLAS may use",
    .help =
        "N                    1 or more\n"
        "Large layers go faster with more threads; small networks do not.\n"
        "Alone, threads shows the number in use.",
    .example = "threads 4",
},
{0},
};
