/*
 * cmd_net.c — the Network commands: net and layer.
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

#define MAX_LAYERS 256

static const char *const loss_long[] = {
    "none (forward passes only)", "bce (binary cross-entropy)",
    "xent (softmax cross-entropy)", "mse (squared error)"
};

/* ------------------------------------------------------------------ */
/* Showing the network                                                  */
/* ------------------------------------------------------------------ */

static void act_text(const nn_layer *l, char *buf, size_t n)
{
    if (l->act == NN_ACT_LEAKY || l->act == NN_ACT_ELU)
        snprintf(buf, n, "%s=%g", nn_act_names[l->act], l->act_arg);
    else
        snprintf(buf, n, "%s", nn_act_names[l->act]);
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
        act_text(l, act, sizeof act);
        long params = (long)l->out * l->in + 2L * l->out;
        if (!l->bn)
            params -= l->out;
        out_table_cell(t, "%d%s", i + 1, i == net->n_layers - 1 ? " (out)" : "");
        out_table_cell(t, "%d x %d", l->out, l->in);
        out_table_cell(t, "%s", act);
        out_table_cell(t, "%g", l->keep);
        out_table_cell(t, "%s", l->bn ? "on" : "off");
        char init[48];
        init_text(&l->init, init, sizeof init);
        out_table_cell(t, "%s", init);
        out_table_cell(t, "%ld", params);
    }
    out_table_print(s, t);
    out_printf(s, "  inputs %d, loss %s", net->n_in, loss_long[net->loss]);
    if (net->reg != NN_REG_NONE)
        out_printf(s, ", reg %s lambda=%g", nn_reg_names[net->reg], net->lambda);
    out_printf(s, ", %ld parameters\n", nn_net_param_count(net));
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
static int parse_act(Session *s, const char *text,
                     const char *what, int softmax_ok, nn_act *act,
                     double *arg)
{
    char low[64];
    size_t n = strlen(text);
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    low[n] = '\0';
    size_t name_len = strcspn(low, "=");
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
            if (i == NN_ACT_LEAKY || i == NN_ACT_ELU)
                cmd_error(s, "bad parameter in '%s': expected a number "
                          ">= 0, e.g. %s=%s", text, nn_act_names[i],
                          i == NN_ACT_LEAKY ? "0.01" : "1");
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
                              1, MAX_LAYERS, &times);
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
            if (k == MAX_LAYERS + 1) {
                cmd_error(s, "at most %d layers", MAX_LAYERS);
                return -1;
            }
            sizes[k++] = (int)units;
        }
    }
    return k;
}

/* Choose the output activation and loss when not given. */
static int choose_output(Session *s, int outputs, const char *out_text,
                         const char *loss_text, nn_act hidden,
                         double hidden_arg, nn_act *out, double *out_arg,
                         nn_loss *loss)
{
    nn_task task = s->data ? nn_data_task(s->data) : NN_TASK_CLASSIFY;
    int C = s->data && task == NN_TASK_CLASSIFY ? nn_data_classes(s->data) : 0;
    *out_arg = 0;
    if (strcmp(out_text, "auto")) {
        if (parse_act(s, out_text, "output activation", 1, out,
                      out_arg))
            return -1;
    } else if (task == NN_TASK_NONE) {
        *out = hidden;
        *out_arg = hidden_arg;
    } else if (task == NN_TASK_REGRESS) {
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
    if (strcmp(loss_text, "auto")) {
        int i;
        if (args_enum(s, loss_text, "loss", nn_loss_names, &i))
            return -1;
        *loss = (nn_loss)i;
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
    net->reg = m->reg;
    net->lambda = m->lambda;
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
    char *words[MAX_LAYERS + 1];
    const OptSpec spec[] = {
        { "act", 's', &act_text, 0, 0, NULL, NULL },
        { "out", 's', &out_text, 0, 0, NULL, NULL },
        { "loss", 's', &loss_text, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int nw = args_parse(s, argc, argv, 1, spec, words, MAX_LAYERS + 1);
    if (nw < 0 || !model_state(s))
        return CMD_ERR;
    int sizes[MAX_LAYERS + 1];
    int n = parse_sizes(s, words, nw, sizes);
    if (n < 0)
        return CMD_ERR;
    if (n < 2)
        return cmd_error(s, "give the input size, any hidden sizes and "
                         "the output size, e.g. net 2 10 5 1");
    nn_act hidden, out;
    double harg, oarg;
    nn_loss loss = NN_LOSS_NONE;
    if (parse_act(s, act_text, "hidden activation", 0, &hidden,
                  &harg))
        return CMD_ERR;
    if (s->data && sizes[0] != nn_data_features(s->data))
        return cmd_error(s, "the data have %d features, so the input "
                         "size must be %d, not %d", nn_data_features(s->data),
                         nn_data_features(s->data), sizes[0]);
    if (choose_output(s, sizes[n - 1], out_text, loss_text, hidden, harg,
                      &out, &oarg, &loss))
        return CMD_ERR;
    nn_err err;
    nn_net *net = nn_net_new(sizes, n, hidden, harg, out, oarg, loss, &err);
    if (!net)
        return cmd_error(s, "%s", err.msg);
    apply_session_settings(s, net);
    nn_net_init(net, model_seed(s), 0);
    nn_net_free(s->net);
    s->net = net;
    model_restart(s);
    cmd_net_show(s);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* layer                                                                */
/* ------------------------------------------------------------------ */

static int layer_pos(Session *s, const char *text, int lo, int hi, int *pos)
{
    long v;
    if (args_int(s, text, "layer position", lo, hi, &v))
        return -1;
    *pos = (int)v;
    return 0;
}

static int layer_add(Session *s, int argc, char **argv)
{
    nn_net *net = s->net;
    /* a dense layer goes before the output layer unless placed */
    int i = 2, pos = net->n_layers, placed = 0;
    if (i < argc && argv[i][0] >= '0' && argv[i][0] <= '9') {
        if (layer_pos(s, argv[i], 1, net->n_layers, &pos))
            return CMD_ERR;
        i++;
        placed = 1;
    }
    if (i < argc && !strcmp(argv[i], "bn")) {
        if (!placed)
            return cmd_error(s, "which layer gets batch norm? layer "
                             "add POS bn, e.g. layer add 1 bn");
        nn_err err;
        if (i + 1 != argc || nn_net_set_bn(net, pos, 1, &err))
            return cmd_error(s, "usage: layer add POS bn");
        model_restart(s);
        out_printf(s, "layer %d: batch norm on (gamma=1, beta=0)\n", pos);
        return CMD_OK;
    }
    if (i >= argc || strcmp(argv[i], "dense") || i + 1 >= argc || i + 3 < argc)
        return cmd_error(s, "usage: layer add [POS] dense N [ACT] or "
                         "layer add POS bn");
    long units;
    nn_act act = net->L[0].act;
    double arg = net->L[0].act_arg;
    if (args_int(s, argv[i + 1], "units", 1, 100000, &units))
        return CMD_ERR;
    if (i + 2 < argc &&
        parse_act(s, argv[i + 2], "activation", 0, &act, &arg))
        return CMD_ERR;
    nn_err err;
    if (nn_net_insert(net, pos, (int)units, act, arg, model_seed(s), &err))
        return cmd_error(s, "%s", err.msg);
    model_restart(s);
    out_printf(s, "layer %d: added %ld %s units; layer %d re-initialized to "
               "fit\n", pos, units, nn_act_names[act], pos + 1);
    cmd_net_show(s);
    return CMD_OK;
}

static int layer_set(Session *s, int argc, char **argv)
{
    nn_net *net = s->net;
    int pos;
    const char *act_text = NULL;
    double keep = -1;
    int bn = -1;
    if (argc < 4)
        return cmd_error(s, "usage: layer set POS [act=A] [keep=P] "
                         "[bn=on|off]");
    if (layer_pos(s, argv[2], 1, net->n_layers, &pos))
        return CMD_ERR;
    const OptSpec spec[] = {
        { "act", 's', &act_text, 0, 0, NULL, NULL },
        { "keep", 'd', &keep, 0.01, 1, NULL, NULL },
        { "bn", 'b', &bn, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (args_parse(s, argc, argv, 3, spec, NULL, 0) < 0)
        return CMD_ERR;
    nn_layer *l = &net->L[pos - 1];
    nn_act act = l->act;
    double arg = l->act_arg;
    if (act_text) {
        if (parse_act(s, act_text, "activation",
                      pos == net->n_layers, &act, &arg))
            return CMD_ERR;
        const char *why;
        if (pos == net->n_layers && nn_loss_check(net->loss, act, &why))
            return cmd_error(s, "%s", why);
    }
    if (keep >= 0 && keep < 1 && pos == net->n_layers)
        return cmd_error(s, "dropout is for hidden layers, not the "
                         "output layer");
    nn_err err;
    if (bn >= 0 && bn != l->bn && nn_net_set_bn(net, pos, bn, &err))
        return cmd_error(s, "%s", err.msg);
    l->act = act;
    l->act_arg = arg;
    if (keep >= 0)
        l->keep = keep;
    /* the loss now measures another network: the guard re-measures; with
     * batch norm switched the optimizer's moments belong to other tensors */
    if (bn >= 0)
        model_params_changed(s);
    else
        nn_trainer_guard_rebase(&model_state(s)->tr);
    cmd_net_show(s);
    return CMD_OK;
}

static const char *const layer_subs[] = { "add", "del", "set", NULL };

static int cmd_layer(Session *s, int argc, char **argv)
{
    int k, pos;
    if (model_need_net(s))
        return CMD_ERR;
    if (argc < 2)
        return cmd_error(s, "expected add, del or set");
    if (args_enum(s, argv[1], "subcommand", layer_subs, &k))
        return CMD_ERR;
    if (k == 0)
        return layer_add(s, argc, argv);
    if (k == 2)
        return layer_set(s, argc, argv);
    if (argc != 3)
        return cmd_error(s, "usage: layer del POS");
    if (layer_pos(s, argv[2], 1, s->net->n_layers, &pos))
        return CMD_ERR;
    nn_err err;
    if (nn_net_delete(s->net, pos, model_seed(s), &err))
        return cmd_error(s, "%s", err.msg);
    model_restart(s);
    out_printf(s, "layer %d: deleted; the next layer re-initialized to fit\n",
               pos);
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
        "                     tanh relu leaky[=a] elu[=a] (leaky's slope a\n"
        "                     defaults to 0.01, elu's alpha to 1)\n"
        "out=auto             the output activation; auto follows the data:\n"
        "                     one output on two classes: sigmoid; C > 2\n"
        "                     outputs: softmax; regression: linear\n"
        "loss=auto            bce (binary cross-entropy), xent (cross-entropy)\n"
        "                     or mse (squared error); auto fits the output\n"
        "The weights are initialized at once with the current init (he unless\n"
        "changed) and seed.  Alone, net prints each layer's shape, activation,\n"
        "dropout keep-probability, batch norm and parameter count, and the\n"
        "loss.",
    .example = "net 2 10 5 1 act=relu",
    .keys = CMD_WORDS("act=@acts", "out=auto|@acts", "loss=auto|@losses"),
    .flags = CMD_IDLE,
},
{
    .name = "layer", .group = "Network", .fn = cmd_layer,
    .usage = "layer add [POS] dense N [ACT] | layer add POS bn | "
             "layer del POS | layer set POS [act=] [keep=] [bn=]",
    .summary = "add, delete or change one layer",
    .help =
        "add [POS] dense N [ACT]\n"
        "                     insert a dense layer of N units so that it\n"
        "                     becomes layer POS (default: the last hidden\n"
        "                     one); the layer after it is re-initialized\n"
        "add POS bn           batch norm on layer POS\n"
        "del POS              delete hidden layer POS\n"
        "set POS act=tanh keep=0.8 bn=on\n"
        "                     change layer POS's activation, dropout\n"
        "                     keep-probability or batch norm\n"
        "Layers are numbered from 1, the first hidden layer, as in the course\n"
        "(net shows the numbers).  The other layers keep their weights.",
    .example = "layer add 2 dense 8 tanh",
    .words = layer_subs,
    .keys = CMD_WORDS("act=@acts", "keep=", "bn=on|off"),
    .flags = CMD_IDLE,
},
{0},
};
