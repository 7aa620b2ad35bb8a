/*
 * cmd_inspect.c — the Inspecting commands stats, forward and predict
 * (gradcheck is in cmd_gradcheck.c, calc in cmd_calc.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "inspect.h"
#include "model.h"
#include "num.h"
#include "out.h"
#include "text.h"
#include "plot.h"

/* ------------------------------------------------------------------ */
/* stats, forward                                                       */
/* ------------------------------------------------------------------ */

/* 1 when a layer of the network learns PReLU slopes. */
static int has_prelu(const nn_net *net)
{
    for (int l = 0; l < net->n_layers; l++)
        if (net->L[l].act == NN_ACT_PRELU)
            return 1;
    return 0;
}

static void stats_table(Session *s, int what)
{
    static const char *const heads[4][6] = {
        { "W mean", "W var", "|w| < 1e-3", "w = 0", "PReLU slope", NULL },
        { "|dW|", "dW var", NULL },
        { "act mean", "act std", "saturated", "dead", NULL },
        { "|dW step|/|W|", NULL },
    };
    int cols = 2;
    while (heads[what][cols - 1])
        cols++;
    int slopes = what == 0 && has_prelu(s->net);
    if (what == 0 && !slopes)
        cols--; /* the slope column only when there are slopes */
    OutTable *t = out_table_new(cols);
    out_table_cell(t, "layer");
    for (int c = 0; c < cols - 1; c++)
        out_table_cell(t, "%s", heads[what][c]);
    for (int l = 0; l < s->net->n_layers; l++) {
        nn_layer_stats st;
        nn_stats_layer(s->net, l, &st);
        out_table_cell(t, "%d %s", l + 1, nn_act_names[s->net->L[l].act]);
        if (what == 0) {
            out_table_cell(t, "%.3g", num_plain(st.w_mean));
            out_table_cell(t, "%.3g", num_plain(st.w_var));
            out_table_cell(t, "%.1f%%", num_plain(100 * st.w_small));
            out_table_cell(t, "%.1f%%", num_plain(100 * st.w_zero));
            if (slopes && isnan(st.alpha_mean))
                out_table_cell(t, "-");
            else if (slopes)
                out_table_cell(t, "%.3g", num_plain(st.alpha_mean));
        } else if (what == 1) {
            out_table_cell(t, "%.3g", num_plain(st.g_norm));
            out_table_cell(t, "%.3g", num_plain(st.g_var));
        } else if (what == 2) {
            out_table_cell(t, "%.3g", num_plain(st.act_mean));
            out_table_cell(t, "%.3g", num_plain(st.act_std));
            out_table_cell(t, "%.1f%%", num_plain(100 * st.saturated));
            out_table_cell(t, "%.1f%%", num_plain(100 * st.dead));
        } else {
            out_table_cell(t, "%.3g", num_plain(st.update_ratio));
        }
    }
    out_table_print(s, t);
}

/* Under the gradients: the global norm the clipping sees, and what
 * clipping did. */
static void grads_note(Session *s)
{
    const nn_trainer *tr = s->tr;
    if (!tr || tr->iter == 0 || isnan(tr->grad_norm))
        return;
    out_printf(s, "  ||g|| of all the gradients together, before clipping: "
               "%.4g (update %ld)\n", tr->grad_norm, tr->iter);
    if (tr->clip.kind != NN_CLIP_OFF)
        out_printf(s, "  clip %s %g changed %ld of the %ld updates since "
                   "training started\n", nn_clip_names[tr->clip.kind],
                   tr->clip.max, tr->clip_count, tr->iter);
}

/* What stats shows, for the handler and Tab completion. */
static const char *const stats_kinds[] = { "weights", "grads", "acts",
                                           "updates", NULL };

/* Why there are no gradients to show, or NULL when there are: before
 * any backward pass the g buffers hold zeros that mean nothing. */
static const char *no_grads(const Session *s)
{
    if (s->net->loss == NN_LOSS_NONE || !s->data ||
        nn_data_task(s->data) == NN_TASK_NONE)
        return "no gradients: these data have no labels, so there is no "
               "loss to differentiate (forward and stats acts show what the "
               "network does to them)";
    if (!s->net->has_grads)
        return "no gradients yet: no backward pass since the weights were "
               "made (net, init, reset, load).  step makes one update and "
               "shows its gradients; train or run compute them at every "
               "update";
    return NULL;
}

/* Which pass the activations come from: the last forward pass of any
 * command (forward, a training step, an evaluation). */
static void stats_acts_mode(Session *s)
{
    const nn_net *net = s->net;
    int masks = 0, bn = 0;
    for (int l = 0; l < net->n_layers; l++) {
        masks |= net->L[l].mask_on;
        bn |= net->L[l].bn;
    }
    if (!net->last_train)
        out_printf(s, "  from the last forward pass, %d examples in "
                   "evaluation mode (no dropout%s)\n", net->rows,
                   bn ? "; batch norm on its running averages" : "");
    else
        out_printf(s, "  from the last forward pass, %d examples in training "
                   "mode (%s%s)\n", net->rows,
                   masks ? "dropout masks drawn, kept units scaled by 1/keep"
                         : "no dropout masks",
                   bn ? "; batch norm on the batch's own statistics" : "");
}

static int cmd_stats(Session *s, int argc, char **argv)
{
    int k = -1;
    if (!s->net)
        return cmd_error(s, "no network yet; build one with net, e.g. "
                         "'net 2 10 1'");
    if (argc > 2)
        return cmd_error(s, "usage: stats [weights|grads|acts|updates]");
    if (argc == 2 && args_enum(s, argv[1], "kind", stats_kinds, &k))
        return CMD_ERR;
    if (k == 2 && s->net->rows == 0)
        return cmd_error(s, "no forward pass yet; run forward first");
    if (k == 1 && no_grads(s))
        return cmd_error(s, "%s", no_grads(s));
    for (int w = 0; w < 4; w++)
        if (k < 0 || k == w) {
            if (w == 2 && s->net->rows == 0)
                continue;
            if (k < 0)
                out_printf(s, "%s:\n", stats_kinds[w]);
            if (w == 1 && no_grads(s)) {
                out_printf(s, "  %s\n", no_grads(s));
                continue;
            }
            stats_table(s, w);
            if (w == 1)
                grads_note(s);
            if (w == 2)
                stats_acts_mode(s);
        }
    if (k == 3 || k < 0)
        out_printf(s, "  (|dW step|/|W| near 1e-3 is healthy)\n");
    return CMD_OK;
}

/* The pass itself over the first `rows` training examples: in training
 * mode with dropout masks from a stream of their own (each forward train
 * draws new ones; training's masks stay as they would have been), batch
 * norm on the batch's statistics and its running ones left alone. */
static int forward_pass(Session *s, long rows, int train)
{
    nn_net *net = s->net;
    nn_err err;
    double *X = malloc((size_t)rows * net->n_in * sizeof *X);
    if (!X || nn_net_reserve(net, (int)rows, &err)) {
        free(X);
        return cmd_error(s, "out of memory");
    }
    nn_data_fill(s->data, NN_TRAIN, NULL, (int)rows, X, NULL, 0);
    if (train) {
        nn_rng drop;
        nn_rng_seed(&drop, model_seed(s), NN_STREAM_DROPOUT,
                    1 + s->model->forward_draws++);
        double mom = net->bn_momentum;
        net->bn_momentum = 1; /* running = 1*running + 0*batch */
        nn_net_forward(net, X, (int)rows, 1, &drop);
        net->bn_momentum = mom;
    } else if (nn_net_forward_eval(net, X, (int)rows, 1000, &err)) {
        /* in chunks, so that Ctrl-C stops a large one (a training-mode
         * pass is one batch: batch norm takes its statistics over it) */
        free(X);
        return cmd_error(s, "%s", err.msg);
    }
    free(X);
    return CMD_OK;
}

/* What a training-mode pass did, as far as this network goes. */
static void say_train_pass(Session *s, long rows)
{
    const nn_net *net = s->net;
    int drop = 0, bn = 0;
    for (int l = 0; l < net->n_layers; l++) {
        drop |= net->L[l].mask_on;
        bn |= net->L[l].bn;
    }
    out_printf(s, "forward train: %ld examples through %d layers in training "
               "mode (%s%s; nothing learns%s)\n", rows, net->n_layers,
               drop ? "dropout masks drawn, kept units scaled by 1/keep"
                    : "no layer has dropout",
               bn ? "; batch norm on these examples' statistics" : "",
               bn ? ", running averages unchanged" : "");
}

static int cmd_forward(Session *s, int argc, char **argv)
{
    static const char *const modes[] = { "eval", "train", NULL };
    long rows = 1000, show = 0, show_rows = 2, units = 8;
    int train = 0;
    char *pos[1];
    const OptSpec spec[] = {
        { "n", 'i', &rows, 1, 100000, NULL, NULL },
        { "show", 'i', &show, 1, 10000, NULL, NULL },
        { "rows", 'i', &show_rows, 1, 100, NULL, NULL },
        { "units", 'i', &units, 1, 1000, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL } };
    int np = args_parse(s, argc, argv, 1, spec, pos, 1);
    if (np < 0 || !model_state(s) ||
        (np == 1 && args_enum(s, pos[0], "mode", modes, &train)))
        return CMD_ERR;
    if (model_bind(s)) /* no net, no data, or they differ */
        return CMD_ERR;
    if (show > s->net->n_layers)
        return cmd_error(s, "show=%ld: the network has %d layers", show,
                         s->net->n_layers);
    int n = nn_data_count(s->data, NN_TRAIN);
    rows = rows > n ? n : rows;
    if (forward_pass(s, rows, train) != CMD_OK)
        return CMD_ERR;
    if (train)
        say_train_pass(s, rows);
    else
        out_printf(s, "forward: %ld examples through %d layers (no "
                   "training)\n", rows, s->net->n_layers);
    if (show)
        forward_view(s, (int)show, (int)show_rows, (int)units);
    else
        stats_table(s, 2);
    plot_refresh(s, "acts");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* predict, calc                                                        */
/* ------------------------------------------------------------------ */

static int cmd_predict(Session *s, int argc, char **argv)
{
    if (!s->net)
        return cmd_error(s, "no network yet; build one with net, "
                         "e.g. 'net 2 10 1'");
    /* raw values of the data's features, preprocessed as the data are
     * (PCA may make fewer inputs of them); without data that fit, the
     * network's inputs as they are */
    int n = s->net->n_in;
    int raw = s->data && nn_data_inputs(s->data) == n;
    int want = raw ? nn_data_features(s->data) : n;
    if (argc - 1 != want && raw && want != n)
        return cmd_error(s, "give the data's %d features (preprocessing "
                         "makes of them the network's %d input%s), got %d",
                         want, n, n == 1 ? "" : "s", argc - 1);
    if (argc - 1 != want)
        return cmd_error(s, "the network takes %d inputs, got %d", n,
                         argc - 1);
    double x[1024];
    if (want > 1024)
        return cmd_error(s, "at most 1024 inputs by hand");
    for (int i = 0; i < want; i++)
        if (args_double(s, argv[i + 1], "each input", -HUGE_VAL,
                       HUGE_VAL, &x[i]))
            return CMD_ERR;
    if (raw)
        nn_data_transform_into(s->data, x, x, 1);
    const double *out = nn_net_forward(s->net, x, 1, 0, NULL);
    int k = nn_net_outputs(s->net), best = 0;
    out_printf(s, "output:");
    for (int j = 0; j < k; j++) {
        out_printf(s, " %.4g", out[j]);
        if (out[j] > out[best])
            best = j;
    }
    if (s->net->loss == NN_LOSS_BCE && k == 1)
        best = out[0] >= 0.5;
    if (s->net->loss == NN_LOSS_BCE || s->net->loss == NN_LOSS_XENT) {
        /* the class's name, when it has one other than its number */
        double p = s->net->loss == NN_LOSS_BCE && k == 1
                       ? (best ? out[0] : 1 - out[0]) : out[best];
        char num[16];
        snprintf(num, sizeof num, "%d", best);
        const char *name = s->data && nn_data_task(s->data) ==
                           NN_TASK_CLASSIFY && best < nn_data_classes(s->data)
                               ? nn_data_class_name(s->data, best) : num;
        if (strcmp(name, num))
            out_printf(s, "  -> %s (class %d, p = %.3f)", name, best, p);
        else
            out_printf(s, "  -> class %d (p = %.3f)", best, p);
    }
    out_printf(s, "\n");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_inspect_rows[] = {
{
    .name = "stats", .group = "Inspecting", .fn = cmd_stats,
    .usage = "stats [weights|grads|acts|updates]",
    .summary = "per-layer statistics of weights, gradients and activations",
    .help =
        "weights              mean and variance of each layer's W, the share\n"
        "                     of weights with |w| < 1e-3 and exactly 0 (what\n"
        "                     L1 does), and PReLU's mean learned slope\n"
        "grads                norm and variance of each dW, ||g|| of them\n"
        "                     all before clipping, and how often clip acted\n"
        "                     (none before a backward pass: step or train)\n"
        "updates              ||Delta W|| / ||W|| of the last update (about\n"
        "                     1e-3 is healthy)\n"
        "acts                 mean and std of the last forward pass's\n"
        "                     activations, and the % saturated (tanh,\n"
        "                     sigmoid near their limits) or dead (ReLU);\n"
        "                     it says which pass: its examples, evaluation\n"
        "                     or training mode (dropout masks, batch norm)\n"
        "Alone, stats shows them all.",
    .example = "stats acts",
    .words = stats_kinds,
},
{
    .name = "forward", .group = "Inspecting", .fn = cmd_forward,
    .usage = "forward [train] [n=1000] [show=LAYER [rows=2] [units=8]]",
    .summary = "one forward pass over the data, no training",
    .help =
        "train                a training-mode pass: dropout masks drawn (new\n"
        "                     ones each time), kept units scaled by 1/keep,\n"
        "                     batch norm on these examples' own statistics;\n"
        "                     nothing learns and batch norm's running\n"
        "                     averages stay.  Without it: evaluation mode\n"
        "n=1000               training examples to pass (the first n)\n"
        "show=LAYER           that layer number by number instead of the\n"
        "                     table: z, a = g(z) and, in a training pass\n"
        "                     with dropout, the 0/1 mask d, a*d and a*d/keep\n"
        "                     (the course's inverted-dropout example); with\n"
        "                     batch norm, z~ = gamma z_norm + beta, each\n"
        "                     unit's mean and variance, and the layer set\n"
        "                     command whose gamma and beta give z back\n"
        "rows=2 units=8       how many examples and units show= shows\n"
        "So that stats acts and plot acts show what the initialization alone\n"
        "does to the activations, layer by layer.  Try data gauss, a deep\n"
        "tanh net, init normal 0.01, forward, plot acts; or dropout 0.8,\n"
        "forward train show=1.",
    .example = "forward train show=1 rows=1 units=5",
    .words = CMD_WORDS("train", "eval"),
    .keys = CMD_WORDS("n=", "show=", "rows=", "units="),
},
{
    .name = "predict", .group = "Inspecting", .fn = cmd_predict,
    .usage = "predict X1 X2 ...",
    .summary = "the network's output for one input",
    .help =
        "X1 X2 ...            one value per input feature, in the data's own\n"
        "                     units (normalization, when on, is applied;\n"
        "                     with normalize pca K, all the features are\n"
        "                     given and the network gets their K\n"
        "                     components)\n"
        "Shows the output units and, for classes, the predicted class.",
    .example = "predict 0.5 -1.2",
},
{0},
};
