/*
 * cmd_net.c — the Network command net: building a network and showing it
 * (the layer command is in cmd_layer.c).
 *
 * The output activation and loss follow from the data unless given, as
 * the course pairs them: one output on two classes is a sigmoid with
 * binary cross-entropy, C outputs on C classes a softmax with
 * cross-entropy, regression a linear output with squared error.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"

/* ------------------------------------------------------------------ */
/* Showing the network                                                  */
/* ------------------------------------------------------------------ */

/* "bce (binary cross-entropy)", "huber=0.5 (Huber: squared error within
 * 0.5 of the target, absolute beyond)". */
static void loss_desc(const nn_net *net, char *buf, size_t n)
{
    static const char *const what[] = {
        "forward passes only", "binary cross-entropy",
        "softmax cross-entropy", "squared error", "absolute error",
        "Huber: squared error near the target, absolute beyond" };
    char name[32];
    nn_loss_text(net->loss, net->loss_arg, name, sizeof name);
    snprintf(buf, n, "%s (%s)", net->loss == NN_LOSS_NONE ? "none" : name,
             what[net->loss]);
}

/* Parameters of layer l (1-based): W, b or gamma beta, PReLU slopes. */
static long layer_params(const nn_net *net, int l)
{
    long n = 0;
    for (int i = 0; i < net->n_params; i++)
        if (net->params[i]->layer == l)
            n += nn_mat_size(&net->params[i]->w);
    return n;
}

/* ", reg l2 lambda=0.1", ", reg elastic l1=0.01 l2=0.1" or "". */
static void reg_text(const nn_net *net, char *buf, size_t n)
{
    if (net->reg == NN_REG_NONE)
        snprintf(buf, n, "%s", "");
    else if (net->reg == NN_REG_ELASTIC)
        snprintf(buf, n, ", reg elastic l1=%g l2=%g", net->lambda,
                 net->lambda2);
    else
        snprintf(buf, n, ", reg %s lambda=%g", nn_reg_names[net->reg],
                 net->lambda);
}

/* "he", "normal 1", "xavier gain=2": the initializer with what it takes. */
static void init_text(const nn_init_spec *in, char *buf, size_t n)
{
    int w = snprintf(buf, n, "%s", nn_init_names[in->kind]);
    if (in->kind == NN_INIT_CONST || in->kind == NN_INIT_NORMAL ||
        in->kind == NN_INIT_UNIFORM)
        w += snprintf(buf + w, n - (size_t)w, " %g", in->arg);
    if (in->gain != 1 && in->kind != NN_INIT_ZEROS)
        snprintf(buf + w, n - (size_t)w, " gain=%g", in->gain);
}

void cmd_net_show(Session *s)
{
    const nn_net *net = s->net;
    OutTable *t = out_table_new(7);
    const char *head[] = { "layer", "W shape", "activation", "keep", "bn",
                           "init", "params" };
    for (int i = 0; i < 7; i++)
        out_table_cell(t, "%s", head[i]);
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        char act[32];
        nn_act_text(l->act, l->act_arg, act, sizeof act);
        out_table_cell(t, "%d%s", i + 1, i == net->n_layers - 1 ? " (out)" : "");
        /* maxout: k pieces per unit, k*units rows */
        out_table_cell(t, "%d x %d", l->W.w.rows, l->W.w.cols);
        out_table_cell(t, "%s", act);
        out_table_cell(t, "%g", l->keep);
        out_table_cell(t, "%s", l->bn ? "on" : "off");
        char init[48];
        init_text(&l->init, init, sizeof init);
        out_table_cell(t, "%s", init);
        out_table_cell(t, "%ld", layer_params(net, i + 1));
    }
    out_table_print(s, t);
    char loss[96], reg[64];
    loss_desc(net, loss, sizeof loss);
    reg_text(net, reg, sizeof reg);
    out_printf(s, "  inputs %d, loss %s%s, %ld parameters\n", net->n_in, loss,
               reg, nn_net_param_count(net));
    if (net->bug_param >= 0 && net->bug_param < net->n_params) {
        char name[16];
        nn_param_name(net->params[net->bug_param], name, sizeof name);
        out_printf(s, "  planted bug: backprop multiplies d%s by %g "
                   "(gradcheck bug off removes it)\n", name, net->bug_factor);
    }
}

/* ------------------------------------------------------------------ */
/* Activations                                                          */
/* ------------------------------------------------------------------ */

/* "relu", "Tanh", "leaky=0.2" into *act and *arg; softmax only where
 * `softmax_ok`.  On a bad text reports one line (unknown name with "did
 * you mean", a bad parameter, softmax in a hidden layer) and returns -1. */
int cmd_parse_act(Session *s, const char *text, const char *what,
                  int softmax_ok, nn_act *act, double *arg)
{
    char low[64];
    size_t n = strlen(text);
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    low[n] = '\0';
    size_t name_len = strcspn(low, "=:");
    if (nn_act_parse(low, act, arg) == 0) {
        if (*act != NN_ACT_SOFTMAX || softmax_ok)
            return 0;
        cmd_error(s, "softmax is for the output layer only%s",
                  !strcmp(s->cmd_name, "net") ? " (out=softmax)" : "");
        return -1;
    }
    for (int i = 0; nn_act_names[i]; i++)
        if (strlen(nn_act_names[i]) == name_len &&
            !strncmp(low, nn_act_names[i], name_len)) {
            if (i == NN_ACT_MAXOUT)
                cmd_error(s, "bad parameter in '%s': expected the pieces "
                          "per unit, a whole number from 2 to %d, e.g. "
                          "maxout:2", text, NN_MAXOUT_MAX);
            else if (nn_act_has_arg((nn_act)i))
                cmd_error(s, "bad parameter in '%s': expected a number "
                          ">= 0, e.g. %s=%g", text, nn_act_names[i],
                          nn_act_default_arg((nn_act)i));
            else
                cmd_error(s, "%s takes no parameter, got '%s'",
                          nn_act_names[i], text);
            return -1;
        }
    low[name_len] = '\0';
    int k;
    args_enum(s, low, what, nn_act_names, &k);
    return -1;
}

/* ------------------------------------------------------------------ */
/* net                                                                  */
/* ------------------------------------------------------------------ */

/* "2 10 5 1", "500*10" → sizes; -1 after reporting. */
static int parse_sizes(Session *s, char **words, int n, int *sizes)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        char *star = strchr(words[i], '*');
        long units, times = 1;
        if (star) {
            *star = '\0';
            int bad = args_int(s, star + 1, "repeat count (as in 500*10)",
                              1, CMD_MAX_LAYERS, &times);
            *star = '*';
            if (bad)
                return -1;
            char unit_text[32];
            snprintf(unit_text, sizeof unit_text, "%.*s",
                     (int)(star - words[i]), words[i]);
            if (args_int(s, unit_text, "layer size", 1, 100000, &units))
                return -1;
        } else if (args_int(s, words[i], "layer size", 1, 100000,
                           &units)) {
            return -1;
        }
        for (long t = 0; t < times; t++) {
            if (k == CMD_MAX_LAYERS + 1) {
                cmd_error(s, "at most %d layers", CMD_MAX_LAYERS);
                return -1;
            }
            sizes[k++] = (int)units;
        }
    }
    return k;
}

/* "mse", "huber", "huber=0.5" into *loss and *arg; -1 after reporting
 * an unknown name or a bad parameter. */
static int parse_loss(Session *s, const char *text, nn_loss *loss,
                      double *arg)
{
    if (nn_loss_parse(text, loss, arg) == 0)
        return 0;
    char name[32];
    int i;
    snprintf(name, sizeof name, "%.*s", (int)strcspn(text, "=:"), text);
    if (args_enum(s, name, "loss", nn_loss_names, &i))
        return -1;
    if (nn_loss_has_arg((nn_loss)i))
        cmd_error(s, "bad parameter in '%s': expected Huber's delta, a "
                  "number above 0 (at most %g), e.g. huber=1", text,
                  NN_LOSS_ARG_MAX);
    else
        cmd_error(s, "%s takes no parameter, got '%s'", nn_loss_names[i],
                  text);
    return -1;
}

/* Choose the output activation and loss (with its parameter) when not
 * given. */
static int choose_output(Session *s, int outputs, const char *out_text,
                         const char *loss_text, nn_act hidden,
                         double hidden_arg, nn_act *out, double *out_arg,
                         nn_loss *loss, double *loss_arg)
{
    nn_task task = s->data ? nn_data_task(s->data) : NN_TASK_CLASSIFY;
    int C = s->data && task == NN_TASK_CLASSIFY ? nn_data_classes(s->data) : 0;
    *out_arg = 0;
    if (strcmp(out_text, "auto")) {
        if (cmd_parse_act(s, out_text, "output activation", 1, out,
                      out_arg))
            return -1;
    } else if (task == NN_TASK_NONE && hidden == NN_ACT_PRELU) {
        *out = NN_ACT_LEAKY; /* no slopes to learn without a loss */
        *out_arg = hidden_arg;
    } else if (task == NN_TASK_NONE && hidden != NN_ACT_MAXOUT) {
        *out = hidden;
        *out_arg = hidden_arg;
    } else if (task == NN_TASK_REGRESS || task == NN_TASK_NONE) {
        *out = NN_ACT_LINEAR;
    } else if (outputs == 1) {
        *out = NN_ACT_SIGMOID;
    } else {
        *out = NN_ACT_SOFTMAX;
    }
    if (C && !(outputs == C || (outputs == 1 && C == 2))) {
        cmd_error(s, "%d outputs do not fit %d classes: use %s", outputs,
                  C, C == 2 ? "1 (sigmoid) or 2 (softmax)" : "one per class");
        return -1;
    }
    if (task == NN_TASK_REGRESS && s->data && outputs != 1) {
        cmd_error(s, "these data have one target to predict, so the "
                  "output size must be 1, not %d", outputs);
        return -1;
    }
    if (*out == NN_ACT_SOFTMAX && task == NN_TASK_REGRESS && s->data) {
        cmd_error(s, "softmax is for classes, and these data are a "
                  "regression: use out=linear (the default here)");
        return -1;
    }
    if (*out == NN_ACT_SOFTMAX && outputs == 1) {
        cmd_error(s, "a softmax over one output is always 1: use one "
                  "output per class, or out=sigmoid");
        return -1;
    }
    *loss_arg = 0;
    if (strcmp(loss_text, "auto")) {
        if (parse_loss(s, loss_text, loss, loss_arg))
            return -1;
    } else if (task == NN_TASK_NONE) {
        *loss = NN_LOSS_NONE;
    } else if (task == NN_TASK_REGRESS) {
        *loss = NN_LOSS_MSE; /* whatever the output, targets are numbers */
    } else {
        *loss = *out == NN_ACT_SIGMOID ? NN_LOSS_BCE
              : *out == NN_ACT_SOFTMAX ? NN_LOSS_XENT : NN_LOSS_MSE;
    }
    return 0;
}

static void apply_session_settings(Session *s, nn_net *net)
{
    const ModelState *m = s->model;
    for (int i = 0; i < net->n_layers; i++) {
        net->L[i].init = m->init;
        if (i < net->n_layers - 1)
            net->L[i].keep = m->keep;
    }
    nn_net_set_reg(net, m->reg, m->lambda, m->lambda2, NULL);
}

/* The first size is not what the data give the network: their features,
 * or the K components PCA keeps. */
static int input_size_error(Session *s, int asked)
{
    int F = nn_data_features(s->data), in = nn_data_inputs(s->data);
    if (in != F) {
        nn_prep p;
        nn_data_get_prep(s->data, &p);
        return cmd_error(s, "the data give %d input%s (%s keeps %d of "
                         "their %d features), so the input size must be %d, "
                         "not %d", in, in == 1 ? "" : "s",
                         nn_norm_names[p.mode], in, F, in, asked);
    }
    return cmd_error(s, "the data have %d features, so the input size must "
                     "be %d, not %d", F, F, asked);
}

static int cmd_net(Session *s, int argc, char **argv)
{
    if (argc == 1) {
        if (!s->net)
            return cmd_error(s, "no network yet; try 'net 2 10 5 1'");
        cmd_net_show(s);
        return CMD_OK;
    }
    const char *act_text = "relu", *out_text = "auto", *loss_text = "auto";
    char *words[CMD_MAX_LAYERS + 1];
    const OptSpec spec[] = {
        { "act", 's', &act_text, 0, 0, NULL, NULL },
        { "out", 's', &out_text, 0, 0, NULL, NULL },
        { "loss", 's', &loss_text, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int nw = args_parse(s, argc, argv, 1, spec, words, CMD_MAX_LAYERS + 1);
    if (nw < 0 || !model_state(s))
        return CMD_ERR;
    int sizes[CMD_MAX_LAYERS + 1];
    int n = parse_sizes(s, words, nw, sizes);
    if (n < 0)
        return CMD_ERR;
    if (n < 2)
        return cmd_error(s, "give the input size, any hidden sizes and "
                         "the output size, e.g. net 2 10 5 1");
    nn_act hidden, out;
    double harg, oarg, larg;
    nn_loss loss = NN_LOSS_NONE;
    if (cmd_parse_act(s, act_text, "hidden activation", 0, &hidden,
                  &harg))
        return CMD_ERR;
    if (s->data && sizes[0] != nn_data_inputs(s->data))
        return input_size_error(s, sizes[0]);
    if (choose_output(s, sizes[n - 1], out_text, loss_text, hidden, harg,
                      &out, &oarg, &loss, &larg))
        return CMD_ERR;
    nn_err err;
    /* refused now, not at the first update: with bce on a regression the
     * cost runs off to -1e24 */
    if (s->data && nn_trainer_check_loss(loss, s->data, &err))
        return cmd_error(s, "%s", err.msg);
    nn_net *net = nn_net_new(sizes, n, hidden, harg, out, oarg, loss, &err);
    if (!net || nn_net_set_loss(net, loss, larg, &err)) {
        nn_net_free(net);
        return cmd_error(s, "%s", err.msg);
    }
    apply_session_settings(s, net);
    nn_net_init(net, model_seed(s), 0);
    nn_net_free(s->net);
    s->net = net;
    model_restart(s);
    cmd_net_show(s);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_net_rows[] = {
{
    .name = "net", .group = "Network", .fn = cmd_net,
    .usage = "net N_IN HIDDEN... N_OUT [act=relu] [out=auto] [loss=auto]",
    .summary = "build a fully connected network",
    .help =
        "N_IN HIDDEN... N_OUT layer sizes: inputs, hidden layers, outputs;\n"
        "                     500*10 stands for ten layers of 500\n"
        "act=relu             the hidden layers' activation: linear sigmoid\n"
        "                     tanh relu leaky[=a] elu[=a] prelu[=a] gelu\n"
        "                     selu maxout:K (leaky's slope a defaults to\n"
        "                     0.01, elu's alpha to 1; prelu learns a slope\n"
        "                     per unit, starting from 0.25; maxout takes\n"
        "                     the largest of K=2..16 linear pieces per unit)\n"
        "out=auto             the output activation; auto follows the data:\n"
        "                     one output on two classes: sigmoid; C > 2\n"
        "                     outputs: softmax; regression: linear\n"
        "loss=auto            bce (binary cross-entropy), xent (cross-entropy),\n"
        "                     mse (squared error), mae (absolute error) or\n"
        "                     huber[=1] (squared within delta of the target,\n"
        "                     absolute beyond: outliers pull less); auto\n"
        "                     fits the output (mse for regression)\n"
        "The weights are initialized at once with the current init (he unless\n"
        "changed) and seed.  Alone, net prints each layer's shape, activation,\n"
        "dropout keep-probability, batch norm and parameter count, and the\n"
        "loss.",
    .example = "net 2 10 5 1 act=relu",
    .keys = CMD_WORDS("act=@acts", "out=auto|@acts", "loss=auto|@losses"),
    .flags = CMD_IDLE,
},
{0},
};
