/*
 * cmd_search.c — search: random or grid hyperparameter search, log scale
 * where asked, the results sorted by dev accuracy, and `search refine`,
 * which narrows the ranges around the best (coarse to fine).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "experiment.h"
#include "interrupt.h"
#include "model.h"
#include "out.h"
#include "plot.h"
#include "text.h"
#include "trial.h"

/* ------------------------------------------------------------------ */
/* search                                                               */
/* ------------------------------------------------------------------ */

static const char *const search_keys[] = { "lr", "reg", "keep", "beta",
                                           "beta1", "beta2", NULL };
/* What each key may be, as its command takes it: a range is checked
 * before any trial runs, and refine stays inside. */
static const double search_bounds[][2] = {
    { 0, NN_LR_MAX }, { 0, 1e6 }, { 0.01, 1 }, { 0, NN_BETA_MAX },
    { 0, NN_BETA_MAX }, { 0, NN_BETA2_MAX } };

static const double *bounds_of(const SearchKey *k)
{
    for (int i = 0; search_keys[i]; i++)
        if (!strcmp(search_keys[i], k->name))
            return search_bounds[i];
    return search_bounds[0];
}

/* "1e-4..1:log" into a key */
static int parse_range(Session *s, const char *name, const char *text,
                       SearchKey *k)
{
    char lo[64], hi[64];
    const char *dots = strstr(text, "..");
    if (!dots || dots - text >= 63)
        return cmd_error(s, "%s: expected LO..HI or LO..HI:log, got "
                         "'%s'", name, text), -1;
    snprintf(lo, sizeof lo, "%.*s", (int)(dots - text), text);
    snprintf(hi, sizeof hi, "%s", dots + 2);
    char *colon = strchr(hi, ':');
    k->log = 0;
    if (colon) {
        if (strcmp(colon, ":log"))
            return cmd_error(s, "%s: only ':log' may follow the "
                             "range", name), -1;
        *colon = '\0';
        k->log = 1;
    }
    if (args_double(s, lo, "range start", -1e9, 1e9, &k->lo) ||
        args_double(s, hi, "range end", -1e9, 1e9, &k->hi))
        return -1;
    if (!(k->lo < k->hi) || (k->log && k->lo <= 0))
        return cmd_error(s, "%s: need LO < HI%s", name,
                         k->log ? " and LO > 0 on a log scale" : ""), -1;
    snprintf(k->name, sizeof k->name, "%s", name);
    const double *b = bounds_of(k);
    if (k->lo < b[0] || k->hi > b[1])
        return cmd_error(s, "%s=%g..%g: %s must be within %g..%g",
                         name, k->lo, k->hi, name, b[0], b[1]), -1;
    return 0;
}

static double key_value(const SearchKey *k, double u)
{
    return k->log ? exp(log(k->lo) + u * (log(k->hi) - log(k->lo)))
                  : k->lo + u * (k->hi - k->lo);
}

static void make_trials(Session *s, Experiments *e)
{
    nn_rng rng;
    nn_rng_seed(&rng, model_seed(s), NN_STREAM_SEARCH, 0);
    if (e->grid) {
        int g = (int)floor(pow(e->trials, 1.0 / e->nkeys) + 1e-9);
        g = g < 2 ? 2 : g;
        int total = 1;
        for (int k = 0; k < e->nkeys; k++)
            total *= g;
        e->ntrials = total < EXP_MAX_TRIALS ? total : EXP_MAX_TRIALS;
        for (int t = 0; t < e->ntrials; t++)
            for (int k = 0, rest = t; k < e->nkeys; k++, rest /= g)
                e->values[t][k] = key_value(&e->keys[k],
                                            (double)(rest % g) / (g - 1));
        return;
    }
    e->ntrials = e->trials;
    for (int t = 0; t < e->ntrials; t++)
        for (int k = 0; k < e->nkeys; k++)
            e->values[t][k] = key_value(&e->keys[k], nn_rng_uniform(&rng));
}

static int run_trials(Session *s, Experiments *e)
{
    for (int t = 0; t < e->ntrials; t++) {
        nn_trainer tr;
        nn_net *net = trial_new(s, &tr);
        int rc = net ? 0 : -1;
        for (int k = 0; k < e->nkeys && !rc; k++) {
            char text[64];
            snprintf(text, sizeof text, "%.17g", e->values[t][k]);
            rc = trial_apply_setting(s, net, &tr, e->keys[k].name, text);
        }
        if (!rc)
            rc = trial_train(s, net, &tr, e->epochs, NULL,
                               &e->train_acc[t], &e->dev_acc[t]);
        nn_net_free(net);
        nn_trainer_free(&tr);
        if (rc) {
            e->ntrials = t;
            return -1;
        }
    }
    return 0;
}

/* Better first: dev accuracy, then (a small dev set ties often) train
 * accuracy, then the trial's order. */
static int by_dev_acc_desc(const void *a, const void *b, void *ctx)
{
    const Experiments *e = ctx;
    int i = *(const int *)a, j = *(const int *)b;
    double x = e->dev_acc[i], y = e->dev_acc[j];
    double tx = e->train_acc[i], ty = e->train_acc[j];
    x = isnan(x) ? -1 : x;
    y = isnan(y) ? -1 : y;
    tx = isnan(tx) ? -1 : tx;
    ty = isnan(ty) ? -1 : ty;
    if (x != y)
        return (y > x) - (y < x);
    if (tx != ty)
        return (ty > tx) - (ty < tx);
    return (i > j) - (i < j);
}

/* Trial indices from the best down. */
static void rank_trials(const Experiments *e, int *order)
{
    for (int t = 0; t < e->ntrials; t++)
        order[t] = t;
    qsort_r(order, (size_t)e->ntrials, sizeof *order, by_dev_acc_desc,
            (void *)e);
}

static void search_table(Session *s, const Experiments *e, int *order)
{
    rank_trials(e, order);
    int show = e->ntrials < 10 ? e->ntrials : 10;
    OutTable *t = out_table_new(3 + e->nkeys);
    out_table_cell(t, "rank");
    for (int k = 0; k < e->nkeys; k++)
        out_table_cell(t, "%s", e->keys[k].name);
    out_table_cell(t, "train acc");
    out_table_cell(t, "dev acc");
    for (int i = 0; i < show; i++) {
        int r = order[i];
        out_table_cell(t, "%d", i + 1);
        for (int k = 0; k < e->nkeys; k++)
            out_table_cell(t, "%.3g", e->values[r][k]);
        out_table_cell(t, "%.4f", e->train_acc[r]);
        out_table_cell(t, "%.4f", e->dev_acc[r]);
    }
    out_table_print(s, t);
    if (show < e->ntrials)
        out_printf(s, "  (best %d of %d trials; plot search shows them all)\n",
                   show, e->ntrials);
}

/* Narrow each range to the best fifth of the trials (coarse to fine). */
static int search_refine(Session *s, Experiments *e)
{
    int order[EXP_MAX_TRIALS];
    if (e->ntrials < 2)
        return cmd_error(s, "nothing to refine; run a search first");
    rank_trials(e, order);
    double old_lo[EXP_MAX_KEYS], old_hi[EXP_MAX_KEYS];
    for (int k = 0; k < e->nkeys; k++)
        old_lo[k] = e->keys[k].lo, old_hi[k] = e->keys[k].hi;
    int top = e->ntrials / 5 < 3 ? 3 : e->ntrials / 5;
    top = top > e->ntrials ? e->ntrials : top;
    for (int k = 0; k < e->nkeys; k++) {
        SearchKey *key = &e->keys[k];
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < top; i++) {
            double v = e->values[order[i]][k];
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        if (key->log) {
            double pad = 0.1 * (log(hi) - log(lo)) + 0.05;
            key->lo = exp(log(lo) - pad);
            key->hi = exp(log(hi) + pad);
        } else {
            double pad = 0.1 * (hi - lo) + 1e-9;
            key->lo = lo - pad;
            key->hi = hi + pad;
        }
        /* narrower than before, never wider, and inside the setting's
         * own range */
        const double *b = bounds_of(key);
        key->lo = fmax(fmax(key->lo, b[0]), old_lo[k]);
        key->hi = fmin(fmin(key->hi, b[1]), old_hi[k]);
    }
    out_printf(s, "search refine: narrowed to the best %d trials:", top);
    for (int k = 0; k < e->nkeys; k++)
        out_printf(s, " %s=%.3g..%.3g%s", e->keys[k].name, e->keys[k].lo,
                   e->keys[k].hi, e->keys[k].log ? ":log" : "");
    out_printf(s, "\n");
    return CMD_OK;
}

/* One search argument: n=, epochs=, grid or a range KEY=LO..HI[:log]. */
static int search_arg(Session *s, const char *arg, Experiments *next,
                      long *trials, long *epochs)
{
    const char *eq = strchr(arg, '=');
    if (!strcmp(arg, "grid")) {
        next->grid = 1;
        return 0;
    }
    if (!eq)
        return cmd_error(s, "unexpected '%s'; usage: search "
                         "lr=1e-4..1:log reg=1e-5..1:log n=20 epochs=5 "
                         "[grid]", arg), -1;
    if (!strncmp(arg, "n=", 2))
        return args_int(s, eq + 1, "trials", 1, EXP_MAX_TRIALS,
                       trials);
    if (!strncmp(arg, "epochs=", 7))
        return args_int(s, eq + 1, "epochs", 1, 10000, epochs);
    char name[16];
    int k;
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    if (args_enum(s, name, "hyperparameter", search_keys, &k))
        return -1;
    if (next->nkeys == EXP_MAX_KEYS)
        return cmd_error(s, "at most %d hyperparameters",
                         EXP_MAX_KEYS), -1;
    if (parse_range(s, name, eq + 1, &next->keys[next->nkeys]))
        return -1;
    next->nkeys++;
    return 0;
}

/* Parse a new search into e; on an error e is unchanged. */
static int parse_search(Session *s, int argc, char **argv, Experiments *e)
{
    Experiments next; /* only its search fields are used */
    long trials = 20, epochs = 5;
    next.nkeys = 0;
    next.grid = 0;
    for (int i = 1; i < argc; i++)
        if (search_arg(s, argv[i], &next, &trials, &epochs))
            return -1;
    if (next.nkeys == 0)
        return cmd_error(s, "give at least one range, e.g. search "
                         "lr=1e-4..1:log n=20 epochs=5"), -1;
    for (int k = 0; k < next.nkeys; k++)
        model_optim_note(s, s->model->tr.opt.kind, next.keys[k].name);
    e->nkeys = next.nkeys;
    e->trials = (int)trials;
    e->epochs = (int)epochs;
    e->grid = next.grid;
    memcpy(e->keys, next.keys, sizeof e->keys);
    return 0;
}

static int cmd_search(Session *s, int argc, char **argv)
{
    Experiments *e = experiment_results(s);
    if (!e || trial_need_model(s))
        return CMD_ERR;
    if (argc == 2 && !strcmp(argv[1], "refine")) {
        if (search_refine(s, e) != CMD_OK)
            return CMD_ERR;
    } else if (parse_search(s, argc, argv, e)) {
        return CMD_ERR;
    }
    make_trials(s, e);
    out_printf(s, "search: %d %s trial%s of %d epoch%s each\n", e->ntrials,
               e->grid ? "grid" : "random", e->ntrials == 1 ? "" : "s",
               e->epochs, e->epochs == 1 ? "" : "s");
    if (run_trials(s, e))
        return nnlab_interrupted ? cmd_error(s, "interrupted after %d "
                                             "trials", e->ntrials) : CMD_ERR;
    int order[EXP_MAX_TRIALS];
    search_table(s, e, order);
    plot_show_experiment(s, "search");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_search_rows[] = {
{
    .name = "search", .group = "Experiments", .fn = cmd_search,
    .usage = "search KEY=LO..HI[:log] ... [n=N] [epochs=N] [grid] | "
             "search refine",
    .summary = "random or grid hyperparameter search",
    .help =
        "lr=1e-4..1:log       a range to search; :log samples on a log\n"
        "reg=1e-5..1:log      scale, right for rates and penalties, whose\n"
        "                     good values span decades\n"
        "n=N                  runs to make\n"
        "epochs=N             epochs of training per run\n"
        "grid                 a grid instead of random samples\n"
        "refine               narrow the ranges around the best runs:\n"
        "                     coarse to fine\n"
        "The results come as a table sorted by dev accuracy, and a scatter\n"
        "plot.",
    .example = "search lr=1e-4..1:log reg=1e-5..1:log n=20 epochs=5",
    .words = CMD_WORDS("grid", "refine"),
    .keys = CMD_WORDS("lr=", "reg=", "keep=", "beta=", "beta1=", "beta2=",
                      "n=", "epochs="),
    .flags = CMD_IDLE,
},
{0},
};
