/*
 * cmd_gradcheck.c — gradcheck: backprop's gradients against two-sided
 * differences, tensor by tensor, with the course's verdicts; a bug planted
 * on purpose and caught at once; NaN or Inf anywhere failing the check;
 * entries at a ReLU's kink counted and left out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "num.h"
#include "out.h"
#include "text.h"
#include "plot.h"

#define GRADCHECK_ROWS 16       /* examples the check runs on */
#define GRADCHECK_MAX 400       /* entries compared per tensor, at most */

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

/* Entries of the last check at kinks, and NaN or Inf, in all. */
static void gc_counts(const ModelState *m, int *kinks, int *nonfinite)
{
    *kinks = *nonfinite = 0;
    for (int i = 0; i < m->gc_n; i++) {
        *kinks += m->gc[i].kinks;
        *nonfinite += m->gc[i].nonfinite;
    }
}

static void gradcheck_table(Session *s, const ModelState *m, double eps)
{
    int kinks, nonfinite;
    gc_counts(m, &kinks, &nonfinite);
    /* the kinks column only when there were kinks (ReLU-like nets) */
    OutTable *t = out_table_new(kinks ? 6 : 5);
    out_table_cell(t, "param");
    out_table_cell(t, "entries");
    if (kinks)
        out_table_cell(t, "at kinks");
    out_table_cell(t, "|g| backprop");
    out_table_cell(t, "relative error");
    out_table_cell(t, "verdict");
    for (int i = 0; i < m->gc_n; i++) {
        const nn_gc_result *r = &m->gc[i];
        int compared = r->checked - r->kinks - r->nonfinite;
        out_table_cell(t, "d%s", r->name);
        if (r->checked == r->size)
            out_table_cell(t, "%d", r->size);
        else
            out_table_cell(t, "%d of %d", r->checked, r->size);
        if (kinks)
            out_table_cell(t, "%d", r->kinks);
        out_table_cell(t, "%.4g", num_plain(r->grad_norm));
        if (r->nonfinite || compared == 0)
            out_table_cell(t, "-");
        else
            out_table_cell(t, "%.2e", r->rel_err);
        out_table_cell(t, "%s", nn_gc_result_verdict(r));
    }
    out_table_print(s, t);
    out_printf(s, "  two-sided differences, eps=%g; relative error "
               "|g - g_num| / (|g| + |g_num|):\n"
               "  < 1e-7 great, < 1e-5 ok, < 1e-3 suspicious, more: a bug\n",
               eps);
}

/* "dW2 db2" (up to a few) of the tensors whose count `which` (0 kinks, 1
 * NaN or Inf) is not 0. */
static void gc_names(const ModelState *m, int which, char *buf, size_t n)
{
    size_t k = 0;
    int shown = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->gc_n && k < n; i++) {
        const nn_gc_result *r = &m->gc[i];
        if (!(which ? r->nonfinite : r->kinks))
            continue;
        if (++shown > 4) {
            snprintf(buf + k, n - k, " ...");
            break;
        }
        int w = snprintf(buf + k, n - k, "%sd%s", k ? " " : "", r->name);
        k += w > 0 ? (size_t)w : 0;
    }
}

/* The line under the table: NaN or Inf fails the check whatever the
 * errors; kinks are explained, being left out. */
static void say_verdict(Session *s, const ModelState *m, double worst,
                        double eps)
{
    int kinks, nonfinite;
    char names[96];
    gc_counts(m, &kinks, &nonfinite);
    if (nonfinite) {
        gc_names(m, 1, names, sizeof names);
        out_printf(s, "  NaN or Inf in %d entr%s (%s): the check fails.  The "
                   "weights or the cost are not finite, so neither gradient "
                   "means anything: reset (or init) and check again\n",
                   nonfinite, nonfinite == 1 ? "y" : "ies", names);
        return;
    }
    out_printf(s, "  largest relative error %.2e: %s\n", worst,
               worst < 1e-7   ? "backprop is correct"
               : worst < 1e-5 ? "probably correct"
               : worst < 1e-3 ? "suspicious: check the layers with the "
                                "largest errors"
                              : "backprop has a bug");
    if (kinks) {
        gc_names(m, 0, names, sizeof names);
        out_printf(s, "  %d entr%s (%s) sat at a kink: a unit's z changed "
                   "sign (or a maxout unit its piece) between w - eps and "
                   "w + eps, where the cost has no derivative (backprop "
                   "takes one side's slope): counted under 'at kinks' and "
                   "left out of the errors\n", kinks, kinks == 1 ? "y" : "ies",
                   names);
    }
    /* the verdicts hold for an eps near 1e-7; far from it the difference
     * quotient itself is the error */
    if (worst >= 1e-7 && (eps < 1e-9 || eps > 1e-4))
        out_printf(s, "  note: with eps=%g the numerical gradient has %s "
                   "errors of its own; try the default eps=1e-7 before "
                   "blaming backprop\n", eps,
                   eps < 1e-9 ? "rounding" : "truncation");
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
    say_verdict(s, m, worst, eps);
    plot_refresh(s, "gradcheck");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_gradcheck_rows[] = {
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
        "NaN or Inf in either gradient fails the check (verdict NaN/Inf).\n"
        "An entry whose two evaluations fall on both sides of a kink (a\n"
        "ReLU unit's z changing sign, a maxout unit changing its piece, a\n"
        "weight under L1 crossing 0) is counted under 'at kinks' and left\n"
        "out: there the cost has no derivative to compare with.\n"
        "bug PARAM            plant a known bug in one gradient (bug dW2\n"
        "                     doubles dW2) and watch the check catch it",
    .example = "gradcheck",
    .words = CMD_WORDS("bug:off|@params"),
    .keys = CMD_WORDS("eps="),
},
{0},
};
