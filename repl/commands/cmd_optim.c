/*
 * cmd_optim.c — the Hyperparameter commands about the updates: optim, lr,
 * batch, decay, seed, threads.
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
        out_printf(s, " rho=%g eps=%g", o->rho, o->eps);
    if (o->kind == NN_OPT_ADAM)
        out_printf(s, " beta1=%g beta2=%g eps=%g", o->beta1, o->beta2, o->eps);
    out_printf(s, "\n");
}

/* A setting given that this optimizer does not use: say so, rather than
 * let "optim adam beta=0.5" look as if it did something. */
static void unused_settings(Session *s, const nn_optim *was,
                            const nn_optim *o)
{
    const char *names[] = { "beta", "beta1", "beta2", "eps" };
    const double old[] = { was->beta, was->beta1, was->beta2, was->eps };
    const double now[] = { o->beta, o->beta1, o->beta2, o->eps };
    for (int i = 0; i < 4; i++)
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
        out_printf(s, "lr %g", m->tr.opt.lr);
        if (m->tr.sched.kind != NN_SCHED_NONE)
            out_printf(s, " (now %g after decay)", nn_trainer_lr(&m->tr));
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

static int cmd_batch(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    long b;
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        if (m->tr.batch == 0)
            out_printf(s, "batch full (every update sees the whole training "
                       "set)\n");
        else
            out_printf(s, "batch %d%s\n", m->tr.batch,
                       m->tr.batch == 1 ? " (stochastic gradient descent)"
                                        : "");
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
/* decay                                                                */
/* ------------------------------------------------------------------ */

static void show_decay(Session *s, const nn_sched *d)
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
    default: /* cyclic, sgdr: from a model file */
        out_printf(s, "decay %s\n", nn_sched_names[d->kind]);
        break;
    }
}

static int decay_show_table(Session *s, const nn_trainer *tr, int argc,
                            char **argv)
{
    long epochs = 10;
    const OptSpec spec[] = { { "epochs", 'i', &epochs, 1, 1000, NULL, NULL },
                             END_SPEC };
    if (args_parse(s, argc, argv, 2, spec, NULL, 0) < 0)
        return CMD_ERR;
    show_decay(s, &tr->sched);
    OutTable *t = out_table_new(2);
    out_table_cell(t, "epoch");
    out_table_cell(t, "lr");
    for (int e = 0; e < epochs; e++) {
        out_table_cell(t, "%d", e);
        out_table_cell(t, "%.6g", nn_sched_lr(&tr->sched, tr->opt.lr, e));
    }
    out_table_print(s, t);
    return CMD_OK;
}

static int cmd_decay(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        show_decay(s, &m->tr.sched);
        return CMD_OK;
    }
    if (!strcmp(argv[1], "show"))
        return decay_show_table(s, &m->tr, argc, argv);
    int k;
    if (args_enum(s, argv[1], "schedule", nn_sched_names, &k))
        return CMD_ERR;
    if (k > NN_SCHED_STEP)
        return cmd_error(s, "usage: decay none | inverse RATE | exp "
                         "RATE | step EVERY FACTOR [every=EPOCHS]");
    nn_sched d = m->tr.sched;
    long every = 1;
    char *pos[2];
    const OptSpec spec[] = { { "every", 'i', &every, 1, NN_DECAY_EVERY_MAX,
                               NULL, NULL },
                             END_SPEC };
    int np = args_parse(s, argc, argv, 2, spec, pos, 2);
    if (np < 0)
        return CMD_ERR;
    d.kind = (nn_sched_kind)k;
    d.every = (int)every;
    static const int wants[] = { 0, 1, 1, 2 };
    if (np != wants[k])
        return cmd_error(s, "usage: decay none | inverse RATE | exp "
                         "RATE | step EVERY FACTOR [every=EPOCHS]");
    if ((k == NN_SCHED_INVERSE || k == NN_SCHED_EXP) &&
        args_double(s, pos[0], "rate", 0, NN_DECAY_RATE_MAX, &d.rate))
        return CMD_ERR;
    if (k == NN_SCHED_STEP) {
        if (args_int(s, pos[0], "epochs between steps", 1,
                    NN_DECAY_EVERY_MAX, &every) ||
            args_double(s, pos[1], "factor", 0, 1, &d.factor))
            return CMD_ERR;
        d.every = (int)every;
    }
    nn_err err;
    if (nn_trainer_set_schedule(&m->tr, &d, &err))
        return cmd_error(s, "%s", err.msg);
    show_decay(s, &d);
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
             "[beta=0.9] [beta1=0.9] [beta2=0.999] [eps=1e-8]",
    .summary = "choose the optimizer and its settings",
    .help =
        "gd                   W -= lr * dW (the default)\n"
        "momentum             v = beta*v + (1-beta)*dW;  W -= lr * v\n"
        "nesterov             momentum, stepping from the look-ahead point\n"
        "rmsprop              s = beta2*s + (1-beta2)*dW^2;\n"
        "                     W -= lr * dW / (sqrt(s) + eps); no bias\n"
        "                     correction, so with beta2=0.999 the first\n"
        "                     steps are about 30x lr (beta2=0.9 is common)\n"
        "adam                 momentum and RMSprop together, each divided by\n"
        "                     its bias correction (1 - beta^t)\n"
        "lr=0.01              the learning rate (lr VALUE sets it alone)\n"
        "beta=0.9             momentum's average: about 1/(1-beta) gradients\n"
        "beta1=0.9            Adam's first moment\n"
        "beta2=0.999          Adam's (and RMSprop's) second moment\n"
        "eps=1e-8             keeps the division safe\n"
        "Alone, optim shows the optimizer and its settings.",
    .example = "optim adam lr=0.001",
    .words = CMD_WORDS("@optims"),
    .keys = CMD_WORDS("lr=", "beta=", "beta1=", "beta2=", "eps="),
},
{
    .name = "lr", .group = "Hyperparameters", .fn = cmd_lr,
    .usage = "lr [VALUE]",
    .summary = "set the learning rate (alpha)",
    .help =
        "VALUE                e.g. 0.1 or 1e-3 (default 0.01)\n"
        "It takes effect at the next update, also while training runs: try\n"
        "it with plot loss open.  Too high and the loss jumps or diverges;\n"
        "too low and it creeps.  With decay this is the starting rate\n"
        "alpha0.  Alone, lr shows the rate in use.",
    .example = "lr 0.001",
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
{
    .name = "decay", .group = "Hyperparameters", .fn = cmd_decay,
    .usage = "decay [none | inverse RATE | exp RATE | step EVERY FACTOR] "
             "[every=1] | decay show [epochs=N]",
    .summary = "learning-rate decay",
    .help =
        "none                 a constant learning rate (the default)\n"
        "inverse RATE         alpha = alpha0 / (1 + RATE * epoch)\n"
        "exp RATE             alpha = alpha0 * RATE^epoch, e.g. exp 0.95\n"
        "step EVERY FACTOR    alpha = alpha0 * FACTOR^floor(epoch / EVERY)\n"
        "every=1              count epochs in steps of this many\n"
        "show [epochs=N]      print the schedule as a table\n"
        "Large steps early, small steps near the minimum.  Alone, decay\n"
        "shows the schedule in use.",
    .example = "decay inverse 1",
    .words = CMD_WORDS("@scheds", "show"),
    .keys = CMD_WORDS("every=", "epochs="),
},
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
