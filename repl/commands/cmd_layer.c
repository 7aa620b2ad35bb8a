/*
 * cmd_layer.c — the Network command layer: adding, deleting and changing
 * one layer of the network net built, the others keeping their weights.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "layer_bn.h"
#include "model.h"
#include "out.h"

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
    if (net->n_layers >= CMD_MAX_LAYERS)   /* as net allows */
        return cmd_error(s, "the network has %d layers, the most there may "
                         "be: delete one first (layer del POS)", CMD_MAX_LAYERS);
    long units;
    nn_act act = net->L[0].act;
    double arg = net->L[0].act_arg;
    if (args_int(s, argv[i + 1], "units", 1, 100000, &units))
        return CMD_ERR;
    if (i + 2 < argc &&
        cmd_parse_act(s, argv[i + 2], "activation", 0, &act, &arg))
        return CMD_ERR;
    nn_err err;
    if (nn_net_insert(net, pos, (int)units, act, arg, model_seed(s), &err))
        return cmd_error(s, "%s", err.msg);
    model_restart(s);
    char name[32];
    nn_act_text(act, arg, name, sizeof name);
    out_printf(s, "layer %d: added %ld %s units; layer %d re-initialized to "
               "fit\n", pos, units, name, pos + 1);
    cmd_net_show(s);
    return CMD_OK;
}

/* Layer pos's activation, keep-probability and batch norm, checked. */
static int layer_change(Session *s, int pos, nn_act act, double arg,
                        double keep, int bn)
{
    nn_net *net = s->net;
    nn_layer *l = &net->L[pos - 1];
    nn_err err;
    int was_bn = l->bn, n_params = net->n_params, rows = l->W.w.rows;
    if (bn >= 0 && bn != l->bn && nn_net_set_bn(net, pos, bn, &err))
        return cmd_error(s, "%s", err.msg);
    /* the engine reshapes maxout's weights and fills PReLU's slopes */
    if (nn_net_set_act(net, pos, act, arg, model_seed(s), &err)) {
        if (l->bn != was_bn) /* put batch norm back: nothing changes */
            nn_net_set_bn(net, pos, was_bn, NULL);
        return cmd_error(s, "%s", err.msg);
    }
    l = &net->L[pos - 1]; /* a new shape comes in a new array of layers */
    if (keep >= 0)
        l->keep = keep;
    /* the loss now measures another network: the guard re-measures; with
     * other parameter tensors (batch norm, PReLU slopes, maxout's pieces)
     * the optimizer's moments belong to other tensors */
    if (l->W.w.rows != rows)
        out_printf(s, "layer %d: W is now %d x %d (%d pieces per unit), "
                   "re-initialized\n", pos, l->W.w.rows, l->W.w.cols,
                   l->pieces);
    if (l->bn != was_bn || net->n_params != n_params || l->W.w.rows != rows)
        model_params_changed(s);
    else
        nn_trainer_guard_rebase(&model_state(s)->tr);
    return CMD_OK;
}

/* The pre-activations layer l will have with activation act (maxout:K
 * has K per unit). */
static int cols_with(const nn_layer *l, nn_act act, double arg)
{
    return act == NN_ACT_MAXOUT ? (int)arg * l->out : l->out;
}

static int layer_set(Session *s, int argc, char **argv)
{
    nn_net *net = s->net;
    int pos;
    const char *act_text = NULL, *gamma = NULL, *beta = NULL;
    double keep = -1;
    int bn = -1;
    if (argc < 4)
        return cmd_error(s, "usage: layer set POS [act=A] [keep=P] "
                         "[bn=on|off] [gamma=G] [beta=B]");
    if (layer_pos(s, argv[2], 1, net->n_layers, &pos))
        return CMD_ERR;
    const OptSpec spec[] = {
        { "act", 's', &act_text, 0, 0, NULL, NULL },
        { "keep", 'd', &keep, 0.01, 1, NULL, NULL },
        { "bn", 'b', &bn, 0, 0, NULL, NULL },
        { "gamma", 's', &gamma, 0, 0, NULL, NULL },
        { "beta", 's', &beta, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (args_parse(s, argc, argv, 3, spec, NULL, 0) < 0)
        return CMD_ERR;
    nn_layer *l = &net->L[pos - 1];
    nn_act act = l->act;
    double arg = l->act_arg;
    if (act_text) {
        if (cmd_parse_act(s, act_text, "activation",
                      pos == net->n_layers, &act, &arg))
            return CMD_ERR;
    }
    if (keep >= 0 && keep < 1 && pos == net->n_layers)
        return cmd_error(s, "dropout is for hidden layers, not the "
                         "output layer");
    BnValues bv;
    if (bn_values_parse(s, gamma, beta, &bv))
        return CMD_ERR;
    if (bn_values_check(s, &bv, pos, bn >= 0 ? bn : l->bn,
                        cols_with(l, act, arg))) {
        bn_values_free(&bv);
        return CMD_ERR;
    }
    int rc = layer_change(s, pos, act, arg, keep, bn);
    if (rc == CMD_OK)
        bn_values_apply(s, net, pos, &bv);
    bn_values_free(&bv);
    if (rc == CMD_OK)
        cmd_net_show(s);
    return rc;
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

const Command cmd_layer_rows[] = {
{
    .name = "layer", .group = "Network", .fn = cmd_layer,
    .usage = "layer add [POS] dense N [ACT] | layer add POS bn | "
             "layer del POS | layer set POS [act=] [keep=] [bn=] [gamma=] "
             "[beta=]",
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
        "                     keep-probability or batch norm (maxout:K\n"
        "                     gives the layer K pieces per unit and new\n"
        "                     weights; the others keep the weights)\n"
        "set POS gamma=G beta=B\n"
        "                     batch norm's scale and shift (one value for\n"
        "                     every unit, or one each: gamma=1.2,0.8,1.1);\n"
        "                     gamma = sqrt(var + eps), beta = mean give z\n"
        "                     back (forward train show=POS prints them)\n"
        "Layers are numbered from 1, the first hidden layer, as in the course\n"
        "(net shows the numbers).  The other layers keep their weights.",
    .example = "layer add 2 dense 8 tanh",
    .words = layer_subs,
    .keys = CMD_WORDS("act=@acts", "keep=", "bn=on|off", "gamma=", "beta="),
    .flags = CMD_IDLE,
},
{0},
};
