/*
 * cmd_hyper.c — the Hyperparameter commands about the weights: init,
 * reset, reg, dropout, bn (the optimizer's are in cmd_optim.c).
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
#include "commands.h"
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
    int np = args_parse(s, argc, argv, 1, opts, pos, 2);
    if (np < 1)
        return np == 0 ? cmd_error(s, "expected a kind: %s",
                                   "zeros const normal uniform xavier "
                                   "xavier-normal he he-uniform lecun "
                                   "orthogonal"), -1 : -1;
    if (args_enum(s, pos[0], "initializer", nn_init_names, &k))
        return -1;
    spec->kind = (nn_init_kind)k;
    if (init_takes_arg(spec->kind) && np < 2)
        return cmd_error(s, "%s needs a value, e.g. init %s %s",
                         nn_init_names[k], nn_init_names[k],
                         k == NN_INIT_CONST ? "0.5" : "0.01"), -1;
    if (!init_takes_arg(spec->kind) && np > 1)
        return cmd_error(s, "%s takes no value (got '%s')",
                         nn_init_names[k], pos[1]), -1;
    if (init_takes_arg(spec->kind) &&
        args_double(s, pos[1],
                   k == NN_INIT_CONST    ? "the constant"
                   : k == NN_INIT_NORMAL ? "the standard deviation"
                                         : "the limit a",
                   k == NN_INIT_CONST ? -1e6 : 0, 1e6, &spec->arg))
        return -1;
    return 0;
}

static int cmd_init(Session *s, int argc, char **argv)
{
    nn_init_spec spec;
    long layer;
    if (!model_state(s) || model_need_net(s))
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
    nn_net_init(s->net, model_seed(s), (int)layer);
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
               (unsigned long long)model_seed(s));
    return CMD_OK;
}

static int cmd_reset(Session *s, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cmd_error(s, "takes no arguments");
    if (!model_state(s) || model_need_net(s))
        return CMD_ERR;
    nn_net_init(s->net, model_seed(s), 0);
    model_restart(s);
    out_printf(s, "reset: weights re-initialized with seed %llu; optimizer "
               "state and history cleared\n", (unsigned long long)model_seed(s));
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

static int cmd_reg(Session *s, int argc, char **argv)
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
    if (argc > 3 || args_enum(s, argv[1], "regularizer", nn_reg_names,
                             &k))
        return argc > 3 ? cmd_error(s, "usage: reg none|l2 L|l1 L")
                        : CMD_ERR;
    if (k != NN_REG_NONE && argc != 3)
        return cmd_error(s, "%s needs lambda, e.g. reg %s 0.7",
                         nn_reg_names[k], nn_reg_names[k]);
    if (k == NN_REG_NONE && argc != 2)
        return cmd_error(s, "none takes no value");
    if (k != NN_REG_NONE &&
        args_double(s, argv[2], "lambda", 0, 1e6, &lambda))
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

static int cmd_dropout(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    double keep;
    long layer = 0;
    if (!m || model_need_net(s))
        return CMD_ERR;
    nn_net *net = s->net;
    if (argc == 1) {
        show_dropout(s);
        return CMD_OK;
    }
    if (argc == 2 && !strcmp(argv[1], "off")) {
        keep = 1;
    } else if (argc == 2) {
        if (args_double(s, argv[1], "keep-probability", 0.01, 1,
                       &keep))
            return CMD_ERR;
    } else if (argc == 3) {
        if (args_int(s, argv[1], "hidden layer", 1,
                    net->n_layers - 1, &layer))
            return CMD_ERR;
        if (!strcmp(argv[2], "off"))
            keep = 1;
        else if (args_double(s, argv[2], "keep-probability", 0.01,
                            1, &keep))
            return CMD_ERR;
    } else {
        return cmd_error(s, "usage: dropout KEEP | dropout LAYER "
                         "KEEP | dropout off");
    }
    if (net->n_layers < 2)
        return cmd_error(s, "the network has no hidden layer");
    for (int i = 0; i < net->n_layers - 1; i++)
        if (!layer || layer == i + 1)
            net->L[i].keep = keep;
    if (!layer)
        m->keep = keep;
    nn_trainer_guard_rebase(&m->tr);
    show_dropout(s);
    return CMD_OK;
}

static int cmd_bn(Session *s, int argc, char **argv)
{
    long layer = 0;
    int on;
    char *pos[1];
    if (!model_state(s) || model_need_net(s))
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
    int np = args_parse(s, argc, argv, 1, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 0)
        return cmd_error(s, "expected on or off");
    if (args_bool(s, pos[0], &on))
        return CMD_ERR;
    /* by default every hidden layer; the output layer only when named */
    nn_err err;
    for (int i = 0; i < net->n_layers; i++)
        if ((layer ? layer == i + 1
                   : i < net->n_layers - 1 || net->n_layers == 1) &&
            nn_net_set_bn(net, i + 1, on, &err)) {
            model_params_changed(s); /* the layers before it did change */
            return cmd_error(s, "layer %d: %s", i + 1, err.msg);
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
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_hyper_rows[] = {
{
    .name = "init", .group = "Hyperparameters", .fn = cmd_init,
    .usage = "init [zeros | const V | normal STD | uniform A | xavier | "
             "xavier-normal | he | he-uniform | lecun | orthogonal] "
             "[gain=1] [layer=L]",
    .summary = "choose the weight initialization and re-initialize now",
    .help =
        "zeros                every weight 0: the units of a layer stay\n"
        "                     identical (symmetry is never broken)\n"
        "const V              every weight V\n"
        "normal STD           N(0, STD^2): normal 0.01 is small, normal 1\n"
        "                     large\n"
        "uniform A            U(-A, A)\n"
        "xavier               Glorot: U(-r, r), r = sqrt(6 / (n_in + n_out))\n"
        "xavier-normal        N(0, 2 / (n_in + n_out))\n"
        "he                   N(0, 2 / n_in), made for ReLU (the default)\n"
        "he-uniform           U(-r, r), r = sqrt(6 / n_in)\n"
        "lecun                N(0, 1 / n_in)\n"
        "orthogonal           a random orthogonal matrix\n"
        "gain=1               multiplies the scale\n"
        "layer=L              only layer L (default: all)\n"
        "Biases start at 0.  The optimizer's state is reset too, and init\n"
        "says so.  Alone, init shows the current initialization.",
    .example = "init xavier",
    .words = CMD_WORDS("@inits"),
    .keys = CMD_WORDS("gain=", "layer="),
    .flags = CMD_IDLE,
},
{
    .name = "reset", .group = "Hyperparameters", .fn = cmd_reset,
    .usage = "reset",
    .summary = "re-initialize with the current settings and the same seed",
    .help =
        "The weights become exactly what net or init gave them, and training\n"
        "starts over: iteration 0, optimizer state zeroed, history cleared.\n"
        "Use it to try one change at a time from the same start.",
    .example = "reset",
    .flags = CMD_IDLE,
},
{
    .name = "reg", .group = "Hyperparameters", .fn = cmd_reg,
    .usage = "reg [none | l2 LAMBDA | l1 LAMBDA]",
    .summary = "L2 or L1 regularization of the weights",
    .help =
        "none                 no penalty (the default)\n"
        "l2 LAMBDA            the cost gains (lambda/2m) * sum ||W||^2: weight\n"
        "                     decay, every weight shrinks a little each step\n"
        "l1 LAMBDA            the cost gains (lambda/m) * sum |W|: every\n"
        "                     weight is pulled towards 0 at the same rate,\n"
        "                     so the unhelpful ones end up near 0 (sparse)\n"
        "m is the number of training examples, also with mini-batches (each\n"
        "batch estimates the one cost of the whole set).  Biases are not\n"
        "penalized.  Regularization trades a little training\n"
        "accuracy for less variance (a smaller train-dev gap).  Alone, reg\n"
        "shows the current setting.",
    .example = "reg l2 0.1",
    .words = CMD_WORDS("@regs"),
},
{
    .name = "dropout", .group = "Hyperparameters", .fn = cmd_dropout,
    .usage = "dropout [KEEP | LAYER KEEP | off]",
    .summary = "inverted dropout on the hidden layers",
    .help =
        "KEEP                 keep-probability of every hidden layer, e.g.\n"
        "                     0.8 (1 means no dropout)\n"
        "LAYER KEEP           for one layer only\n"
        "off                  no dropout (the default)\n"
        "In training each unit is kept with probability KEEP and the kept\n"
        "ones are divided by KEEP, so nothing needs changing at evaluation,\n"
        "where dropout is never applied.  The cost is noisy with dropout on:\n"
        "check that it falls with dropout off first.",
    .example = "dropout 0.8",
    .words = CMD_WORDS("off"),
},
{
    .name = "bn", .group = "Hyperparameters", .fn = cmd_bn,
    .usage = "bn [on|off] [layer=L]",
    .summary = "batch normalization before the activation",
    .help =
        "on|off               batch norm on every hidden layer (default off)\n"
        "layer=L              on one layer only\n"
        "In training a layer normalizes Z over the mini-batch, then scales\n"
        "and shifts it by a learned gamma and beta.  It keeps running\n"
        "averages of the mean and variance, which evaluation uses instead of\n"
        "the batch's.  Alone, bn shows which layers have it.",
    .example = "bn on",
    .words = CMD_WORDS("on", "off"),
    .keys = CMD_WORDS("layer="),
    .flags = CMD_IDLE,
},
{0},
};
