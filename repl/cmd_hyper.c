/*
 * cmd_hyper.c — the Hyperparameter commands: init, reset, reg, dropout,
 * bn, optim, lr, batch, decay, seed, threads, early, guard.
 *
 * Each shows its current value when given no argument.  Settings that
 * change what the weights mean (init, reset, bn) re-initialize and reset
 * the optimizer's state, and say so; the others take effect at the next
 * update, even in the middle of a run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "handlers.h"
#include "model.h"
#include "out.h"

#define END_SPEC { NULL, 0, NULL, 0, 0, NULL, NULL }

/* ------------------------------------------------------------------ */
/* init, reset                                                          */
/* ------------------------------------------------------------------ */

/* The initializer's formula, "times G" when it has a gain. */
static const char *init_formula(const nn_init_spec *in, char *buf, size_t n)
{
    static const char *const f[] = {
        "all zeros", "a constant", "normal(0, std)", "uniform(-a, a)",
        "uniform, limit sqrt(6/(fan_in+fan_out))",
        "normal, std sqrt(2/(fan_in+fan_out))", "normal, std sqrt(2/fan_in)",
        "uniform, limit sqrt(6/fan_in)", "normal, std sqrt(1/fan_in)",
        "orthogonal rows or columns" };
    if (in->gain == 1 || in->kind == NN_INIT_ZEROS)
        return f[in->kind];
    snprintf(buf, n, "%s, times %g", f[in->kind], in->gain);
    return buf;
}

static void show_init(Session *s)
{
    for (int i = 0; i < s->net->n_layers; i++) {
        const nn_init_spec *in = &s->net->L[i].init;
        out_printf(s, "layer %d: %s", i + 1, nn_init_names[in->kind]);
        if (in->kind <= NN_INIT_UNIFORM && in->kind != NN_INIT_ZEROS)
            out_printf(s, " %g", in->arg);
        if (in->gain != 1)
            out_printf(s, " gain=%g", in->gain);
        char buf[96];
        out_printf(s, " (%s)\n", init_formula(in, buf, sizeof buf));
    }
}

static int init_takes_arg(nn_init_kind k)
{
    return k == NN_INIT_CONST || k == NN_INIT_NORMAL || k == NN_INIT_UNIFORM;
}

/* "KIND [VALUE] [gain=G] [layer=L]" into *spec and *layer (0: all). */
static int parse_init(Session *s, int argc, char **argv, nn_init_spec *spec,
                      long *layer)
{
    int k;
    char *pos[2];
    const OptSpec opts[] = {
        { "gain", 'd', &spec->gain, 0, 1e6, NULL, NULL },
        { "layer", 'i', layer, 1, s->net->n_layers, NULL, NULL },
        END_SPEC,
    };
    spec->gain = 1;
    spec->arg = 0;
    *layer = 0;
    int np = args_parse(s, "init", argc, argv, 1, opts, pos, 2);
    if (np < 1)
        return np == 0 ? cmd_error(s, "init: expected a kind: %s",
                                   "zeros const normal uniform xavier "
                                   "xavier-normal he he-uniform lecun "
                                   "orthogonal"), -1 : -1;
    if (arg_enum(s, "init", pos[0], "initializer", nn_init_names, &k))
        return -1;
    spec->kind = (nn_init_kind)k;
    if (init_takes_arg(spec->kind) && np < 2)
        return cmd_error(s, "init: %s needs a value, e.g. init %s %s",
                         nn_init_names[k], nn_init_names[k],
                         k == NN_INIT_CONST ? "0.5" : "0.01"), -1;
    if (!init_takes_arg(spec->kind) && np > 1)
        return cmd_error(s, "init: %s takes no value (got '%s')",
                         nn_init_names[k], pos[1]), -1;
    if (init_takes_arg(spec->kind) &&
        arg_double(s, "init", pos[1],
                   k == NN_INIT_CONST    ? "the constant"
                   : k == NN_INIT_NORMAL ? "the standard deviation"
                                         : "the limit a",
                   k == NN_INIT_CONST ? -1e6 : 0, 1e6, &spec->arg))
        return -1;
    return 0;
}

int cmd_init(Session *s, int argc, char **argv)
{
    nn_init_spec spec;
    long layer;
    if (!model_state(s) || model_need_net(s, "init"))
        return CMD_ERR;
    if (argc == 1) {
        show_init(s);
        return CMD_OK;
    }
    if (parse_init(s, argc, argv, &spec, &layer))
        return CMD_ERR;
    for (int i = 0; i < s->net->n_layers; i++)
        if (!layer || layer == i + 1)
            s->net->L[i].init = spec;
    if (!layer)
        s->model->init = spec;
    nn_net_init(s->net, s->seed, (int)layer);
    model_restart(s);
    if (layer)
        out_printf(s, "init: layer %ld re-initialized with %s", layer,
                   nn_init_names[spec.kind]);
    else
        out_printf(s, "init: all %d layers re-initialized with %s",
                   s->net->n_layers, nn_init_names[spec.kind]);
    if (init_takes_arg(spec.kind))
        out_printf(s, " %g", spec.arg);
    if (spec.gain != 1)
        out_printf(s, " gain=%g", spec.gain);
    char buf[96];
    out_printf(s, " (%s, seed %llu); optimizer state and history reset\n",
               init_formula(&spec, buf, sizeof buf),
               (unsigned long long)s->seed);
    return CMD_OK;
}

int cmd_reset(Session *s, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cmd_error(s, "reset: takes no arguments");
    if (!model_state(s) || model_need_net(s, "reset"))
        return CMD_ERR;
    nn_net_init(s->net, s->seed, 0);
    model_restart(s);
    out_printf(s, "reset: weights re-initialized with seed %llu; optimizer "
               "state and history cleared\n", (unsigned long long)s->seed);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* reg, dropout, bn                                                     */
/* ------------------------------------------------------------------ */

static void show_reg(Session *s, nn_reg reg, double lambda)
{
    if (reg == NN_REG_NONE)
        out_printf(s, "reg none\n");
    else if (reg == NN_REG_L2)
        out_printf(s, "reg l2 %g: cost + (lambda/2m)*sum ||W||^2 with m the "
                   "training examples; weights decay by lr*lambda/m each "
                   "step\n", lambda);
    else
        out_printf(s, "reg l1 %g: cost + (lambda/m)*sum |W| with m the "
                   "training examples; pulls every weight towards 0 at one "
                   "rate\n", lambda);
}

int cmd_reg(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    int k;
    double lambda = 0;
    if (!m)
        return CMD_ERR;
    if (argc == 1) {
        show_reg(s, m->reg, m->lambda);
        return CMD_OK;
    }
    if (argc > 3 || arg_enum(s, "reg", argv[1], "regularizer", nn_reg_names,
                             &k))
        return argc > 3 ? cmd_error(s, "reg: usage: reg none|l2 L|l1 L")
                        : CMD_ERR;
    if (k != NN_REG_NONE && argc != 3)
        return cmd_error(s, "reg: %s needs lambda, e.g. reg %s 0.7",
                         nn_reg_names[k], nn_reg_names[k]);
    if (k == NN_REG_NONE && argc != 2)
        return cmd_error(s, "reg: none takes no value");
    if (k != NN_REG_NONE &&
        arg_double(s, "reg", argv[2], "lambda", 0, 1e6, &lambda))
        return CMD_ERR;
    m->reg = (nn_reg)k;
    m->lambda = lambda;
    if (s->net) {
        s->net->reg = m->reg;
        s->net->lambda = lambda;
    }
    nn_trainer_guard_rebase(&m->tr);
    show_reg(s, m->reg, lambda);
    return CMD_OK;
}

static void show_dropout(Session *s)
{
    int any = 0;
    for (int i = 0; i < s->net->n_layers - 1; i++)
        if (s->net->L[i].keep < 1) {
            out_printf(s, "%slayer %d keep %g", any ? ", " : "dropout: ",
                       i + 1, s->net->L[i].keep);
            any = 1;
        }
    out_printf(s, any ? " (inverted dropout, training only)\n"
                      : "dropout off\n");
}

int cmd_dropout(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    double keep;
    long layer = 0;
    if (!m || model_need_net(s, "dropout"))
        return CMD_ERR;
    nn_net *net = s->net;
    if (argc == 1) {
        show_dropout(s);
        return CMD_OK;
    }
    if (argc == 2 && !strcmp(argv[1], "off")) {
        keep = 1;
    } else if (argc == 2) {
        if (arg_double(s, "dropout", argv[1], "keep-probability", 0.01, 1,
                       &keep))
            return CMD_ERR;
    } else if (argc == 3) {
        if (arg_int(s, "dropout", argv[1], "hidden layer", 1,
                    net->n_layers - 1, &layer))
            return CMD_ERR;
        if (!strcmp(argv[2], "off"))
            keep = 1;
        else if (arg_double(s, "dropout", argv[2], "keep-probability", 0.01,
                            1, &keep))
            return CMD_ERR;
    } else {
        return cmd_error(s, "dropout: usage: dropout KEEP | dropout LAYER "
                         "KEEP | dropout off");
    }
    if (net->n_layers < 2)
        return cmd_error(s, "dropout: the network has no hidden layer");
    for (int i = 0; i < net->n_layers - 1; i++)
        if (!layer || layer == i + 1)
            net->L[i].keep = keep;
    if (!layer)
        m->keep = keep;
    nn_trainer_guard_rebase(&m->tr);
    show_dropout(s);
    return CMD_OK;
}

int cmd_bn(Session *s, int argc, char **argv)
{
    long layer = 0;
    int on;
    char *pos[1];
    if (!model_state(s) || model_need_net(s, "bn"))
        return CMD_ERR;
    nn_net *net = s->net;
    if (argc == 1) {
        out_printf(s, "bn:");
        for (int i = 0; i < net->n_layers; i++)
            out_printf(s, " layer %d %s%s", i + 1, net->L[i].bn ? "on" : "off",
                       i < net->n_layers - 1 ? "," : "\n");
        return CMD_OK;
    }
    const OptSpec spec[] = {
        { "layer", 'i', &layer, 1, net->n_layers, NULL, NULL },
        END_SPEC,
    };
    int np = args_parse(s, "bn", argc, argv, 1, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 0)
        return cmd_error(s, "bn: expected on or off");
    if (arg_bool(s, "bn", pos[0], &on))
        return CMD_ERR;
    /* by default every hidden layer; the output layer only when named */
    nn_err err;
    for (int i = 0; i < net->n_layers; i++)
        if ((layer ? layer == i + 1
                   : i < net->n_layers - 1 || net->n_layers == 1) &&
            nn_net_set_bn(net, i + 1, on, &err)) {
            model_params_changed(s); /* the layers before it did change */
            return cmd_error(s, "bn: layer %d: %s", i + 1, err.msg);
        }
    model_params_changed(s);
    char which[32];
    if (layer)
        snprintf(which, sizeof which, "layer %ld", layer);
    else
        snprintf(which, sizeof which, "the hidden layers");
    if (on)
        out_printf(s, "bn on for %s (batch statistics in training, running "
                   "averages in evaluation); optimizer state reset, weights "
                   "and history kept\n", which);
    else
        out_printf(s, "bn off for %s; optimizer state reset, weights and "
                   "history kept\n", which);
    return CMD_OK;
}

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
            optim_note_unused(s, o->kind, names[i]);
}

int cmd_optim(Session *s, int argc, char **argv)
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
    int np = args_parse(s, "optim", argc, argv, 1, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 1 && arg_enum(s, "optim", pos[0], "optimizer", nn_optim_names,
                            &kind))
        return CMD_ERR;
    int changed = kind != (int)m->tr.opt.kind;
    o.kind = (nn_optim_kind)kind;
    m->tr.opt = o;
    if (changed && s->net) {
        /* moments of another optimizer mean nothing to this one */
        nn_net_zero_moments(s->net);
        m->tr.opt.t = 0;
    }
    show_optim(s, &m->tr.opt);
    unused_settings(s, &before, &m->tr.opt);
    return CMD_OK;
}

int cmd_lr(Session *s, int argc, char **argv)
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
        return cmd_error(s, "lr: expected one value, e.g. lr 0.01");
    if (arg_double(s, "lr", argv[1], "learning rate", 0, NN_LR_MAX, &lr))
        return CMD_ERR;
    m->tr.opt.lr = lr;
    out_printf(s, "lr %g\n", lr);
    return CMD_OK;
}

int cmd_batch(Session *s, int argc, char **argv)
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
        return cmd_error(s, "batch: expected a size, full or 1");
    if (!strcmp(argv[1], "full"))
        b = 0;
    else if (arg_int(s, "batch", argv[1], "batch size (or full)", 1, 1000000,
                     &b))
        return CMD_ERR;
    m->tr.batch = (int)b;
    m->tr.pos = 0; /* the next update starts a fresh pass */
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
    if (args_parse(s, "decay", argc, argv, 2, spec, NULL, 0) < 0)
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

int cmd_decay(Session *s, int argc, char **argv)
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
    if (arg_enum(s, "decay", argv[1], "schedule", nn_sched_names, &k))
        return CMD_ERR;
    if (k > NN_SCHED_STEP)
        return cmd_error(s, "decay: usage: decay none | inverse RATE | exp "
                         "RATE | step EVERY FACTOR [every=EPOCHS]");
    nn_sched d = m->tr.sched;
    long every = 1;
    char *pos[2];
    const OptSpec spec[] = { { "every", 'i', &every, 1, NN_DECAY_EVERY_MAX,
                               NULL, NULL },
                             END_SPEC };
    int np = args_parse(s, "decay", argc, argv, 2, spec, pos, 2);
    if (np < 0)
        return CMD_ERR;
    d.kind = (nn_sched_kind)k;
    d.every = (int)every;
    static const int wants[] = { 0, 1, 1, 2 };
    if (np != wants[k])
        return cmd_error(s, "decay: usage: decay none | inverse RATE | exp "
                         "RATE | step EVERY FACTOR [every=EPOCHS]");
    if ((k == NN_SCHED_INVERSE || k == NN_SCHED_EXP) &&
        arg_double(s, "decay", pos[0], "rate", 0, NN_DECAY_RATE_MAX, &d.rate))
        return CMD_ERR;
    if (k == NN_SCHED_STEP) {
        if (arg_int(s, "decay", pos[0], "epochs between steps", 1,
                    NN_DECAY_EVERY_MAX, &every) ||
            arg_double(s, "decay", pos[1], "factor", 0, 1, &d.factor))
            return CMD_ERR;
        d.every = (int)every;
    }
    m->tr.sched = d;
    show_decay(s, &d);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* seed, threads, early, guard                                          */
/* ------------------------------------------------------------------ */

int cmd_seed(Session *s, int argc, char **argv)
{
    long seed;
    if (argc == 1) {
        out_printf(s, "seed %llu\n", (unsigned long long)s->seed);
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "seed: expected one number");
    if (arg_int(s, "seed", argv[1], "seed", 0, 2147483647L, &seed))
        return CMD_ERR;
    s->seed = (uint64_t)seed;
    if (s->model)
        s->model->tr.seed = s->seed;
    out_printf(s, "seed %ld: used by the next data, split, net, init and "
               "reset (which also restarts shuffling and dropout masks)\n",
               seed);
    return CMD_OK;
}

int cmd_threads(Session *s, int argc, char **argv)
{
    long n;
    if (argc == 1) {
        out_printf(s, "threads %d\n", nn_blas_threads(0));
        return CMD_OK;
    }
    if (argc != 2)
        return cmd_error(s, "threads: expected one number");
    if (arg_int(s, "threads", argv[1], "thread count", 1, 256, &n))
        return CMD_ERR;
    s->threads = nn_blas_threads((int)n);
    out_printf(s, "threads %d\n", s->threads);
    return CMD_OK;
}

int cmd_early(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    long patience;
    int on;
    char *pos[1];
    if (!m)
        return CMD_ERR;
    patience = m->tr.patience;
    if (argc > 1) {
        const OptSpec spec[] = {
            { "patience", 'i', &patience, 1, 100000, NULL, NULL }, END_SPEC };
        int np = args_parse(s, "early", argc, argv, 1, spec, pos, 1);
        if (np < 0)
            return CMD_ERR;
        if (np != 1)
            return cmd_error(s, "early: usage: early on [patience=N] | off");
        if (arg_bool(s, "early", pos[0], &on))
            return CMD_ERR;
        m->tr.early = on;
        m->tr.patience = (int)patience;
        m->tr.since_best = 0;
    }
    if (m->tr.early)
        out_printf(s, "early on patience=%d: stop when dev loss has not "
                   "improved for %d epochs and restore the best weights\n",
                   m->tr.patience, m->tr.patience);
    else
        out_printf(s, "early off\n");
    return CMD_OK;
}

int cmd_guard(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    int on;
    if (!m)
        return CMD_ERR;
    if (argc == 2) {
        if (arg_bool(s, "guard", argv[1], &on))
            return CMD_ERR;
        m->tr.guard = on;
    } else if (argc > 2) {
        return cmd_error(s, "guard: expected on or off");
    }
    out_printf(s, "guard %s%s\n", m->tr.guard ? "on" : "off",
               m->tr.guard ? ": training stops if the loss becomes NaN or "
                             "exceeds 3x its first value (or an uninformed "
                             "network's, if larger)" : "");
    return CMD_OK;
}
