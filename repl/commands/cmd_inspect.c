/*
 * cmd_inspect.c — the Inspecting commands: gradcheck, stats, forward,
 * predict, calc.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"
#include "text.h"
#include "plot.h"

#define GRADCHECK_ROWS 16       /* examples the check runs on */
#define GRADCHECK_MAX 400       /* entries compared per tensor, at most */

/* ------------------------------------------------------------------ */
/* gradcheck                                                            */
/* ------------------------------------------------------------------ */

static int run_check(Session *s, double eps);

/* `gradcheck bug` alone: the bug planted now, if any (show asks too). */
static int show_bug(Session *s)
{
    const nn_net *net = s->net;
    if (net->bug_param < 0) {
        out_printf(s, "gradcheck bug: none planted\n");
        return CMD_OK;
    }
    char name[16];
    nn_param_name(net->params[net->bug_param], name, sizeof name);
    out_printf(s, "gradcheck bug: backprop multiplies d%s by %g (planted; "
               "gradcheck bug off removes it)\n", name, net->bug_factor);
    return CMD_OK;
}

static int gradcheck_bug(Session *s, int argc, char **argv)
{
    double factor = 2;
    char *pos[1];
    const OptSpec spec[] = { { "factor", 'd', &factor, -1e6, 1e6, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    int np = args_parse(s, argc, argv, 2, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np == 0)
        return show_bug(s);
    if (!strcmp(pos[0], "off")) {
        s->net->bug_param = -1;
        out_printf(s, "gradcheck: planted bug removed; backprop is correct "
                   "again\n");
        return CMD_OK;
    }
    int k = nn_net_find_param(s->net, pos[0]);
    if (k < 0) {
        const char *names[256];
        char buf[256][16];
        int n = s->net->n_params < 255 ? s->net->n_params : 255;
        for (int i = 0; i < n; i++) {
            buf[i][0] = 'd';
            nn_param_name(s->net->params[i], buf[i] + 1, sizeof buf[i] - 1);
            names[i] = buf[i];
        }
        names[n] = NULL;
        const char *near = text_did_you_mean(pos[0], names);
        return cmd_error(s, "no parameter '%s' in this network "
                         "(it has dW1 db1 ...%s%s%s)", pos[0],
                         near ? "; did you mean '" : "", near ? near : "",
                         near ? "'?" : "");
    }
    s->net->bug_param = k;
    s->net->bug_factor = factor;
    char name[16];
    nn_param_name(s->net->params[k], name, sizeof name);
    out_printf(s, "gradcheck: planted a bug: backprop now multiplies d%s by "
               "%g (gradcheck bug off removes it).  The check at once:\n",
               name, factor);
    /* planting is half the demonstration: the check that catches it is
     * the other half */
    if (nn_data_task(s->data) == NN_TASK_NONE || s->net->loss == NN_LOSS_NONE)
        return CMD_OK;
    return run_check(s, 1e-7);
}

static void gradcheck_table(Session *s, const ModelState *m, double eps)
{
    OutTable *t = out_table_new(5);
    out_table_cell(t, "param");
    out_table_cell(t, "entries");
    out_table_cell(t, "|g| backprop");
    out_table_cell(t, "relative error");
    out_table_cell(t, "verdict");
    for (int i = 0; i < m->gc_n; i++) {
        const nn_gc_result *r = &m->gc[i];
        out_table_cell(t, "d%s", r->name);
        if (r->checked == r->size)
            out_table_cell(t, "%d", r->size);
        else
            out_table_cell(t, "%d of %d", r->checked, r->size);
        out_table_cell(t, "%.4g", r->grad_norm);
        out_table_cell(t, "%.2e", r->rel_err);
        out_table_cell(t, "%s", nn_gradcheck_verdict(r->rel_err));
    }
    out_table_print(s, t);
    out_printf(s, "  two-sided differences, eps=%g; relative error "
               "|g - g_num| / (|g| + |g_num|):\n"
               "  < 1e-7 great, < 1e-5 ok, < 1e-3 suspicious, more: a bug\n",
               eps);
}

static int cmd_gradcheck(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    if (!m || model_bind(s))
        return CMD_ERR;
    if (argc >= 2 && !strcmp(argv[1], "bug"))
        return gradcheck_bug(s, argc, argv);
    double eps = 1e-7;
    const OptSpec spec[] = { { "eps", 'd', &eps, 1e-12, 1e-1, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    if (args_parse(s, argc, argv, 1, spec, NULL, 0) < 0)
        return CMD_ERR;
    return run_check(s, eps);
}

/* The check itself: every parameter tensor, the table, the verdict. */
static int run_check(Session *s, double eps)
{
    ModelState *m = model_state(s);
    if (nn_data_task(s->data) == NN_TASK_NONE)
        return cmd_error(s, "needs labelled data (there is no cost "
                         "to differentiate)");
    if (s->net->loss == NN_LOSS_NONE)
        return cmd_error(s, "the network has no loss (it was built "
                         "for unlabeled data): build a new one with net");
    nn_net *net = s->net;
    int rows = nn_data_count(s->data, NN_TRAIN);
    rows = rows < GRADCHECK_ROWS ? rows : GRADCHECK_ROWS;
    int ycols = nn_net_outputs(net);
    double *X = malloc((size_t)rows * net->n_in * sizeof *X);
    double *Y = malloc((size_t)rows * ycols * sizeof *Y);
    nn_gc_result *res = calloc((size_t)net->n_params, sizeof *res);
    if (!X || !Y || !res) {
        free(X), free(Y), free(res);
        return cmd_error(s, "out of memory");
    }
    nn_data_fill(s->data, NN_TRAIN, NULL, rows, X, Y, ycols);
    int dropout = 0;
    for (int i = 0; i < net->n_layers; i++)
        dropout |= net->L[i].keep < 1;
    nn_err err;
    double worst = nn_gradcheck(net, X, Y, rows, eps, GRADCHECK_MAX, res, &err);
    free(X);
    free(Y);
    if (worst < 0) {
        free(res);
        return cmd_error(s, "%s", err.msg);
    }
    free(m->gc);
    m->gc = res;
    m->gc_n = net->n_params;
    m->gc_max = worst;
    out_printf(s, "gradcheck on %d training examples%s\n", rows,
               dropout ? "; dropout is switched off during the check (a "
                         "random mask would change the cost between the two "
                         "evaluations)" : "");
    gradcheck_table(s, m, eps);
    out_printf(s, "  largest relative error %.2e: %s\n", worst,
               worst < 1e-7   ? "backprop is correct"
               : worst < 1e-5 ? "probably correct"
               : worst < 1e-3 ? "suspicious: check the layers with the "
                                "largest errors"
                              : "backprop has a bug");
    /* the verdicts hold for an eps near 1e-7; far from it the difference
     * quotient itself is the error */
    if (worst >= 1e-7 && (eps < 1e-9 || eps > 1e-4))
        out_printf(s, "  note: with eps=%g the numerical gradient has %s "
                   "errors of its own; try the default eps=1e-7 before "
                   "blaming backprop\n", eps,
                   eps < 1e-9 ? "rounding" : "truncation");
    plot_refresh(s, "gradcheck");
    return CMD_OK;
}

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
            out_table_cell(t, "%.3g", st.w_mean);
            out_table_cell(t, "%.3g", st.w_var);
            out_table_cell(t, "%.1f%%", 100 * st.w_small);
            out_table_cell(t, "%.1f%%", 100 * st.w_zero);
            if (slopes && isnan(st.alpha_mean))
                out_table_cell(t, "-");
            else if (slopes)
                out_table_cell(t, "%.3g", st.alpha_mean);
        } else if (what == 1) {
            out_table_cell(t, "%.3g", st.g_norm);
            out_table_cell(t, "%.3g", st.g_var);
        } else if (what == 2) {
            out_table_cell(t, "%.3g", st.act_mean);
            out_table_cell(t, "%.3g", st.act_std);
            out_table_cell(t, "%.1f%%", 100 * st.saturated);
            out_table_cell(t, "%.1f%%", 100 * st.dead);
        } else {
            out_table_cell(t, "%.3g", st.update_ratio);
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
    for (int w = 0; w < 4; w++)
        if (k < 0 || k == w) {
            if (w == 2 && s->net->rows == 0)
                continue;
            if (k < 0)
                out_printf(s, "%s:\n", stats_kinds[w]);
            stats_table(s, w);
            if (w == 1)
                grads_note(s);
        }
    if (k == 3 || k < 0)
        out_printf(s, "  (|dW step|/|W| near 1e-3 is healthy)\n");
    return CMD_OK;
}

static int cmd_forward(Session *s, int argc, char **argv)
{
    long rows = 1000;
    const OptSpec spec[] = { { "n", 'i', &rows, 1, 100000, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    if (args_parse(s, argc, argv, 1, spec, NULL, 0) < 0 ||
        !model_state(s))
        return CMD_ERR;
    if (model_bind(s)) /* no net, no data, or they differ */
        return CMD_ERR;
    int n = nn_data_count(s->data, NN_TRAIN);
    if (rows > n)
        rows = n;
    nn_err err;
    double *X = malloc((size_t)rows * s->net->n_in * sizeof *X);
    if (!X || nn_net_reserve(s->net, (int)rows, &err)) {
        free(X);
        return cmd_error(s, "out of memory");
    }
    nn_data_fill(s->data, NN_TRAIN, NULL, (int)rows, X, NULL, 0);
    /* in chunks, so that Ctrl-C stops a large one */
    int stopped = nn_net_forward_eval(s->net, X, (int)rows, 1000, &err);
    free(X);
    if (stopped)
        return cmd_error(s, "%s", err.msg);
    out_printf(s, "forward: %ld examples through %d layers (no training)\n",
               rows, s->net->n_layers);
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

static int calc_numbers(Session *s, int argc, char **argv, int first,
                        double *v, int max)
{
    int n = 0;
    for (int i = first; i < argc; i++) {
        if (strchr(argv[i], '='))
            continue;
        if (n == max) {
            cmd_error(s, "at most %d numbers", max);
            return -1;
        }
        if (args_double(s, argv[i], "each value", -HUGE_VAL, HUGE_VAL,
                       &v[n++]))
            return -1;
    }
    return n;
}

/* calc ACT NUMBERS...: any hidden activation as nn_act_parse reads it
 * ("gelu", "prelu=0.1", "maxout:2", whose numbers are the pieces of one
 * unit after another). */
static int calc_act(Session *s, nn_act act, double arg, int argc,
                    char **argv)
{
    double v[256], p[256];
    long label = -1;
    char *words[257];
    const OptSpec spec[] = { { "label", 'i', &label, 0, 255, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    if (args_parse(s, argc, argv, 2, spec, words, 257) < 0)
        return CMD_ERR;
    if (label >= 0)
        return cmd_error(s, "label= is for xent only");
    int n = calc_numbers(s, argc, argv, 2, v, 256);
    if (n < 1)
        return n < 0 ? CMD_ERR : cmd_error(s, "give some numbers");
    int k = act == NN_ACT_MAXOUT ? (int)arg : 1;
    if (n % k)
        return cmd_error(s, "maxout:%d takes the numbers %d at a time, the "
                         "pieces of one unit; got %d", k, k, n);
    char name[32];
    nn_act_text(act, arg, name, sizeof name);
    nn_act_forward(act, arg, v, p, 1, n / k);
    out_printf(s, "%s%s:", name, k > 1 ? " (the largest of each group)" : "");
    for (int i = 0; i < n / k; i++)
        out_printf(s, " %.4f", p[i]);
    out_printf(s, "\n");
    return CMD_OK;
}

static int cmd_calc(Session *s, int argc, char **argv)
{
    int k;
    double v[256], p[256];
    nn_act act;
    double arg;
    if (argc < 3)
        return cmd_error(s, "usage: calc softmax|xent|ACTIVATION "
                         "NUMBERS..., e.g. calc softmax 5 2 -1 3");
    if (nn_act_parse(argv[1], &act, &arg) == 0 && act != NN_ACT_SOFTMAX)
        return calc_act(s, act, arg, argc, argv);
    /* not an activation: softmax, xent, or a name to correct */
    const char *names[NN_ACT_COUNT + 2] = { "xent" };
    char name[32];
    for (int i = 0; nn_act_names[i]; i++)
        names[i + 1] = nn_act_names[i];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(argv[1], "=:"),
             argv[1]);
    if (args_enum(s, name, "function", names, &k))
        return CMD_ERR;
    if ((k == 0 || !nn_act_has_arg((nn_act)(k - 1))) &&
        strcmp(argv[1], names[k]))
        return cmd_error(s, "%s takes no parameter, got '%s'", names[k],
                         argv[1]);
    if (strcmp(argv[1], "softmax") && strcmp(argv[1], "xent"))
        return cmd_error(s, "bad parameter in '%s': e.g. leaky=0.01, "
                         "elu=1, prelu=0.25, maxout:2 (2 to %d pieces)",
                         argv[1], NN_MAXOUT_MAX);
    k = strcmp(argv[1], "softmax") != 0; /* 0 softmax, 1 xent */
    long label = 0;
    char *words[257];
    const OptSpec spec[] = { { "label", 'i', &label, 0, 255, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    /* the numbers are positional words; calc_numbers reads them */
    if (args_parse(s, argc, argv, 2, spec, words, 257) < 0)
        return CMD_ERR;
    if (k != 1 && label != 0)
        return cmd_error(s, "label= is for xent only");
    int n = calc_numbers(s, argc, argv, 2, v, 256);
    if (n < 1)
        return n < 0 ? CMD_ERR : cmd_error(s, "give some numbers");
    nn_act_forward(NN_ACT_SOFTMAX, 0, v, p, 1, n);
    if (k == 1 && label >= n)
        return cmd_error(s, "label=%ld but there are only %d "
                         "scores (labels 0 to %d)", label, n, n - 1);
    out_printf(s, "softmax:");
    for (int i = 0; i < n; i++)
        out_printf(s, " %.4f", p[i]);
    out_printf(s, "\n");
    if (k == 1)
        out_printf(s, "cross-entropy for label %ld: -ln(%.4f) = %.4f\n",
                   label, p[label], -log(p[label]));
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_inspect_rows[] = {
{
    .name = "gradcheck", .group = "Training", .fn = cmd_gradcheck,
    .usage = "gradcheck [eps=1e-7] | gradcheck bug PARAM",
    .summary = "check backprop against numerical gradients",
    .help =
        "eps=1e-7             the step of the two-sided difference\n"
        "                     (J(w + eps) - J(w - eps)) / 2eps\n"
        "For every parameter tensor (W1, b1, ...) the relative error\n"
        "||g - g_num|| / (||g|| + ||g_num||), marked as the course does:\n"
        "below 1e-7 great, 1e-5 ok, 1e-3 suspicious, above that wrong.\n"
        "Dropout is switched off during the check, and the output says so.\n"
        "bug PARAM            plant a known bug in one gradient (bug dW2\n"
        "                     doubles dW2) and watch the check catch it",
    .example = "gradcheck",
    .words = CMD_WORDS("bug:off|@params"),
    .keys = CMD_WORDS("eps="),
},
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
        "updates              ||Delta W|| / ||W|| of the last update (about\n"
        "                     1e-3 is healthy)\n"
        "acts                 mean and std of the last forward pass's\n"
        "                     activations, and the % saturated (tanh,\n"
        "                     sigmoid near their limits) or dead (ReLU)\n"
        "Alone, stats shows them all.",
    .example = "stats acts",
    .words = stats_kinds,
},
{
    .name = "forward", .group = "Inspecting", .fn = cmd_forward,
    .usage = "forward",
    .summary = "one forward pass over the data, no training",
    .help =
        "So that stats acts and plot acts show what the initialization alone\n"
        "does to the activations, layer by layer.  Try data gauss, a deep\n"
        "tanh net, init normal 0.01, forward, plot acts.",
    .example = "forward",
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
{
    .name = "calc", .group = "Inspecting", .fn = cmd_calc,
    .usage = "calc softmax|xent|ACTIVATION NUMBERS... [label=N]",
    .summary = "small calculators for worked examples",
    .help =
        "softmax Z1 Z2 ...    e^Zi / sum_j e^Zj for each score\n"
        "xent Z1 Z2 ... [label=0]\n"
        "                     the softmax of the scores, then the cross-\n"
        "                     entropy -ln(p) of the label's probability\n"
        "ACTIVATION Z ...     the activation of each number: linear sigmoid\n"
        "                     tanh relu leaky[=0.01] elu[=1] prelu[=0.25]\n"
        "                     (one slope) gelu selu, e.g. calc gelu -1 0 1\n"
        "maxout:K Z ...       the largest of each K numbers in turn, the K\n"
        "                     pieces of one unit: calc maxout:2 1 3 -2 -5",
    .example = "calc xent 2 1 0.1 label=0",
    .words = CMD_WORDS("softmax", "xent", "@acts"),
    .keys = CMD_WORDS("label="),
},
{0},
};
