/*
 * cmd_search.c — search: hyperparameter search by random or grid
 * sampling, Bayesian optimization or successive halving, log scale where
 * asked, its trials in worker processes (jobs=), the results sorted by
 * dev accuracy; `search refine`, which narrows the ranges around the best
 * (coarse to fine); export to other machines and import of their rows.
 *
 * This file parses and shows; search_run.c runs, search_files.c reads and
 * writes files.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "experiment.h"
#include "interrupt.h"
#include "model.h"
#include "num.h"
#include "out.h"
#include "plot.h"
#include "search.h"
#include "trial.h"

/* ------------------------------------------------------------------ */
/* Ranking and the table                                                */
/* ------------------------------------------------------------------ */

/* Better first: the later rung (halving), the score, then (a small dev
 * set ties often) train accuracy, then the order chosen. */
static int better_first(const void *a, const void *b, void *ctx)
{
    const Experiments *e = ctx;
    int i = *(const int *)a, j = *(const int *)b;
    const SearchTrial *x = &e->t[i], *y = &e->t[j];
    double sx = search_score(x), sy = search_score(y);
    double tx = isnan(x->train_acc) ? -1 : x->train_acc;
    double ty = isnan(y->train_acc) ? -1 : y->train_acc;
    if (x->rung != y->rung)
        return y->rung - x->rung;
    if (sx != sy)
        return (sy > sx) - (sy < sx);
    if (tx != ty)
        return (ty > tx) - (ty < tx);
    return (i > j) - (i < j);
}

/* Trials that ran (done or failed), from the best down; their count. */
static int rank_trials(const Experiments *e, int *order)
{
    int n = 0;
    for (int t = 0; t < e->ntrials; t++)
        if (e->t[t].state != TRIAL_WAITING)
            order[n++] = t;
    qsort_r(order, (size_t)n, sizeof *order, better_first, (void *)e);
    return n;
}

/* Digits of a key's values in the table: whole numbers whole, a beta
 * near 1 with those that tell 0.9987 from 0.999. */
static int key_digits(const SearchKey *k)
{
    return search_key_whole(k) ? 9 : k->log == NN_RANGE_LOG1M ? 5 : 3;
}

static void table_row(OutTable *t, const Experiments *e, int rank, int r)
{
    const SearchTrial *x = &e->t[r];
    out_table_cell(t, "%d", rank);
    out_table_cell(t, "%d", r + 1);
    for (int k = 0; k < e->nkeys; k++)
        out_table_cell(t, "%.*g", key_digits(&e->keys[k]), x->values[k]);
    if (e->nrungs)
        out_table_cell(t, "%d (%d ep)", x->rung + 1, x->epochs);
    if (x->state == TRIAL_FAILED) {
        out_table_cell(t, "-");
        out_table_cell(t, "-");
        out_table_cell(t, "failed");
        return;
    }
    out_table_cell(t, "%.4f", num_plain(x->train_acc));
    if (isnan(x->dev_acc))
        out_table_cell(t, "-");
    else
        out_table_cell(t, "%.4f", x->dev_acc);
    out_table_cell(t, "%s", x->diverged ? "diverged" : "");
}

static void search_table(Session *s, const Experiments *e)
{
    int order[EXP_MAX_TRIALS];
    int n = rank_trials(e, order);
    int show = n < 10 ? n : 10;
    /* the last column, untitled, says which trials diverged or failed */
    OutTable *t = out_table_new(5 + e->nkeys + (e->nrungs > 0));
    out_table_cell(t, "rank");
    out_table_cell(t, "trial");
    for (int k = 0; k < e->nkeys; k++)
        out_table_cell(t, "%s", e->keys[k].name);
    if (e->nrungs)
        out_table_cell(t, "rung");
    out_table_cell(t, "train acc");
    out_table_cell(t, "dev acc");
    out_table_cell(t, "%s", "");
    for (int i = 0; i < show; i++)
        table_row(t, e, i + 1, order[i]);
    out_table_print(s, t);
    if (show < n)
        out_printf(s, "  (best %d of %d trials; plot search shows them "
                   "all)\n", show, n);
}

/* What the search cost, and for halving its rungs. */
static void search_summary(Session *s, const Experiments *e)
{
    if (e->nrungs) {
        out_printf(s, "  rungs:");
        for (int r = 0; r < e->nrungs; r++)
            out_printf(s, "%s %d x %d epoch%s", r ? "," : "",
                       e->rungs[r].configs, e->rungs[r].epochs,
                       e->rungs[r].epochs == 1 ? "" : "s");
        out_printf(s, "; the best 1/%d go on\n", e->eta);
    }
    if (e->epochs_total > 0)
        out_printf(s, "  %ld epoch%s trained in all\n", e->epochs_total,
                   e->epochs_total == 1 ? "" : "s");
    int ran = 0;
    for (int t = 0; t < e->ntrials; t++)
        ran += e->t[t].state == TRIAL_DONE;
    /* with -q no times: a script's output is the same on every machine */
    if (!s->quiet && e->wall > 0 && ran > 0)
        out_printf(s, "  %d trial%s in %.2f s with jobs=%d: %.1f trials a "
                   "minute\n", ran, ran == 1 ? "" : "s", e->wall, e->jobs,
                   60 * ran / e->wall);
}

/* ------------------------------------------------------------------ */
/* refine                                                               */
/* ------------------------------------------------------------------ */

/* Narrow each range to the best fifth of the trials (coarse to fine). */
static int search_refine(Session *s, Experiments *e)
{
    int order[EXP_MAX_TRIALS];
    int n = rank_trials(e, order);
    while (n > 0 && e->t[order[n - 1]].state != TRIAL_DONE)
        n--;
    if (n < 2)
        return cmd_error(s, "nothing to refine; run a search first");
    double old_lo[EXP_MAX_KEYS], old_hi[EXP_MAX_KEYS];
    for (int k = 0; k < e->nkeys; k++)
        old_lo[k] = e->keys[k].lo, old_hi[k] = e->keys[k].hi;
    int top = n / 5 < 3 ? 3 : n / 5;
    top = top > n ? n : top;
    for (int k = 0; k < e->nkeys; k++) {
        SearchKey *key = &e->keys[k];
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < top; i++) {
            double v = e->t[order[i]].values[k];
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        if (key->log == NN_RANGE_LOG1M) {  /* padded in log(1 - value) */
            double pad = 0.1 * (log1p(-lo) - log1p(-hi)) + 0.05;
            key->lo = -expm1(log1p(-lo) + pad);
            key->hi = -expm1(log1p(-hi) - pad);
        } else if (key->log) {
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
        const double *b = search_bounds_of(key);
        key->lo = fmax(fmax(key->lo, b[0]), old_lo[k]);
        key->hi = fmin(fmin(key->hi, b[1]), old_hi[k]);
        if (search_key_whole(key)) {  /* whole numbers at both ends */
            key->lo = round(key->lo);
            key->hi = fmax(round(key->hi), fmin(key->lo + 1, old_hi[k]));
        }
        if (!(key->lo < key->hi))   /* one value left: keep the range */
            key->lo = old_lo[k], key->hi = old_hi[k];
    }
    out_printf(s, "search refine: narrowed to the best %d trials:", top);
    for (int k = 0; k < e->nkeys; k++)
        out_printf(s, " %s=%.*g..%.*g%s", e->keys[k].name,
                   key_digits(&e->keys[k]), e->keys[k].lo,
                   key_digits(&e->keys[k]), e->keys[k].hi,
                   search_scale_suffix(&e->keys[k]));
    out_printf(s, "\n");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

/* A parsed search command; `next` holds only the search's fields. */
typedef struct SearchArgs {
    Experiments next;
    long trials, epochs, eta, round, startup, only;
    const char *jobs, *export_path;
} SearchArgs;

static const char search_usage[] =
    "search lr=1e-4..1:log reg=1e-5..1:log n=20 epochs=5 "
    "[method=random|grid|bayes|halving] [jobs=N] [export=FILE]";

/* One option of the search's running (shared with refine). */
static int run_option(Session *s, const char *arg, SearchArgs *a, int *used)
{
    const char *eq = strchr(arg, '=');
    *used = 1;
    if (eq && !strncmp(arg, "jobs=", 5))
        a->jobs = eq + 1;
    else if (eq && !strncmp(arg, "export=", 7))
        a->export_path = eq + 1;
    else if (eq && !strncmp(arg, "trial=", 6))
        return args_int(s, eq + 1, "trial", 1, EXP_MAX_TRIALS, &a->only);
    else
        *used = 0;
    if (*used && !eq[1])
        return cmd_error(s, "%.*s needs a value", (int)(eq - arg + 1),
                         arg), -1;
    return 0;
}

static int search_arg(Session *s, const char *arg, SearchArgs *a)
{
    const char *eq = strchr(arg, '=');
    int used, m;
    if (run_option(s, arg, a, &used))
        return -1;
    if (used)
        return 0;
    if (!strcmp(arg, "grid")) {
        a->next.method = SEARCH_GRID;
        return 0;
    }
    if (!eq)
        return cmd_error(s, "unexpected '%s'; usage: %s", arg,
                         search_usage), -1;
    struct { const char *key; const char *what; long lo, hi; long *dst; }
    ints[] = {
        { "n=", "trials", 1, EXP_MAX_TRIALS, &a->trials },
        { "epochs=", "epochs", 1, 10000, &a->epochs },
        { "eta=", "eta", 2, 10, &a->eta },
        { "round=", "round", 1, 64, &a->round },
        { "startup=", "startup", 1, EXP_MAX_TRIALS, &a->startup },
    };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        if (!strncmp(arg, ints[i].key, strlen(ints[i].key)))
            return args_int(s, eq + 1, ints[i].what, ints[i].lo, ints[i].hi,
                            ints[i].dst);
    if (!strncmp(arg, "method=", 7)) {
        if (args_enum(s, eq + 1, "method", experiment_methods, &m))
            return -1;
        a->next.method = (SearchMethod)m;
        return 0;
    }
    char name[16];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    if (a->next.nkeys == EXP_MAX_KEYS)
        return cmd_error(s, "at most %d hyperparameters",
                         EXP_MAX_KEYS), -1;
    if (search_parse_range(s, name, eq + 1, &a->next.keys[a->next.nkeys]))
        return -1;
    a->next.nkeys++;
    return 0;
}

/* The default of bayes' random start: a quarter of the trials, 3 to 10. */
static int default_startup(int n)
{
    int k = n / 4;
    k = k < 3 ? 3 : k > 10 ? 10 : k;
    return k > n ? n : k;
}

/* Every argument checked before anything changes. */
static int check_search(Session *s, SearchArgs *a)
{
    Experiments *n = &a->next;
    if (n->nkeys == 0)
        return cmd_error(s, "give at least one range, e.g. search "
                         "lr=1e-4..1:log n=20 epochs=5"), -1;
    if (a->only && a->only > a->trials)
        return cmd_error(s, "trial=%ld: the search has %ld trials",
                         a->only, a->trials), -1;
    int adaptive = n->method == SEARCH_BAYES || n->method == SEARCH_HALVING;
    if (adaptive && (a->only || a->export_path))
        return cmd_error(s, "%s chooses each trial from the results before "
                         "it, so its trials cannot run apart: export and "
                         "trial= take method=random or grid",
                         experiment_methods[n->method]), -1;
    n->nrungs = 0;
    if (n->method == SEARCH_HALVING) {
        n->nrungs = nn_halving_plan((int)a->trials, (int)a->epochs,
                                    (int)a->eta, n->rungs);
        if (n->nrungs < 2)
            return cmd_error(s, "halving needs room for two rungs: epochs=%ld "
                             "is less than eta=%ld; give more epochs or a "
                             "smaller eta", a->epochs, a->eta), -1;
    }
    return 0;
}

static int parse_search(Session *s, int argc, char **argv, SearchArgs *a)
{
    memset(&a->next, 0, sizeof a->next);
    a->trials = 20, a->epochs = 5, a->eta = 3, a->round = 2;
    a->startup = 0, a->only = 0;
    a->jobs = a->export_path = NULL;
    for (int i = 1; i < argc; i++)
        if (search_arg(s, argv[i], a))
            return -1;
    if (check_search(s, a))
        return -1;
    for (int k = 0; k < a->next.nkeys; k++)
        model_optim_note(s, s->model->tr.opt.kind, a->next.keys[k].name);
    return 0;
}

/* The parsed search becomes the session's (e's old trials are gone). */
static void adopt_search(Experiments *e, const SearchArgs *a)
{
    const Experiments *n = &a->next;
    e->nkeys = n->nkeys;
    memcpy(e->keys, n->keys, sizeof e->keys);
    e->method = n->method;
    e->trials = (int)a->trials;
    e->epochs = (int)a->epochs;
    e->eta = (int)a->eta;
    e->round = (int)a->round;
    e->startup = a->startup ? (int)a->startup : default_startup(e->trials);
    e->nrungs = n->nrungs;
    memcpy(e->rungs, n->rungs, sizeof e->rungs);
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static void announce(Session *s, const Experiments *e, const SearchRunOpts *o)
{
    if (o->only) {
        out_printf(s, "search: trial %d of %d %s trials of %d epoch%s\n",
                   o->only, e->trials, experiment_methods[e->method],
                   e->epochs, e->epochs == 1 ? "" : "s");
        return;
    }
    int n = e->method == SEARCH_GRID ? e->ntrials : e->trials;
    out_printf(s, "search: %d %s trial%s of %d epoch%s each", n,
               experiment_methods[e->method], n == 1 ? "" : "s", e->epochs,
               e->epochs == 1 ? "" : "s");
    if (e->method == SEARCH_HALVING)
        out_printf(s, " at most (halving: rungs of %d", e->rungs[0].epochs);
    for (int r = 1; e->method == SEARCH_HALVING && r < e->nrungs; r++)
        out_printf(s, ", %d", e->rungs[r].epochs);
    if (e->method == SEARCH_HALVING)
        out_printf(s, " epochs)");
    if (e->method == SEARCH_BAYES)
        out_printf(s, " (%d random first, then %d at a time)", e->startup,
                   e->round);
    out_printf(s, "\n");
}

/* Run the search in e (parsed or refined) or export it. */
static int run_or_export(Session *s, Experiments *e, const SearchArgs *a)
{
    SearchRunOpts o = { 1, (int)a->only };
    if (trial_jobs(s, a->jobs, &o.jobs))
        return CMD_ERR;
    if (e->method == SEARCH_RANDOM || e->method == SEARCH_GRID)
        search_make_fixed(s, e);
    if (o.only > e->ntrials)   /* a grid has about n trials */
        return cmd_error(s, "trial=%d: this grid has %d trials", o.only,
                         e->ntrials);
    if (a->export_path)
        return search_export(s, e, a->export_path);
    e->source[0] = '\0';
    e->wall = 0;
    announce(s, e, &o);
    int rc = search_run(s, e, &o);
    int ran = 0;
    for (int t = 0; t < e->ntrials; t++)
        ran += e->t[t].state != TRIAL_WAITING;
    if (ran == 0)
        return CMD_ERR;
    search_table(s, e);
    search_summary(s, e);
    if (rc == CMD_OK)
        plot_show_experiment(s, "search");
    return rc;
}

/* search refine [jobs=N] [export=FILE] */
static int refine(Session *s, Experiments *e, int argc, char **argv)
{
    SearchArgs a = { .jobs = NULL };
    for (int i = 2; i < argc; i++) {
        int used;
        if (run_option(s, argv[i], &a, &used))
            return CMD_ERR;
        if (!used || a.only)
            return cmd_error(s, "refine takes jobs= and export= only, "
                             "got '%s'", argv[i]);
    }
    if (e->method != SEARCH_RANDOM && e->method != SEARCH_GRID &&
        a.export_path)
        return cmd_error(s, "export takes method=random or grid");
    if (e->method == SEARCH_HALVING &&   /* imported rows: plan again */
        (e->nrungs = nn_halving_plan(e->trials, e->epochs, e->eta,
                                     e->rungs)) < 2)
        return cmd_error(s, "halving needs room for two rungs");
    if (search_refine(s, e) != CMD_OK)
        return CMD_ERR;
    return run_or_export(s, e, &a);
}

static int cmd_search(Session *s, int argc, char **argv)
{
    Experiments *e = experiment_results(s);
    if (!e)
        return CMD_ERR;
    if (argc >= 2 && !strcmp(argv[1], "import")) {
        if (argc != 3)
            return cmd_error(s, "expected one file: search import "
                             "results.csv");
        if (search_import(s, e, argv[2]) != CMD_OK)
            return CMD_ERR;
        search_table(s, e);
        plot_show_experiment(s, "search");
        return CMD_OK;
    }
    if (trial_need_model(s))
        return CMD_ERR;
    if (argc >= 2 && !strcmp(argv[1], "refine"))
        return refine(s, e, argc, argv);
    SearchArgs a;
    if (parse_search(s, argc, argv, &a))
        return CMD_ERR;
    adopt_search(e, &a);
    return run_or_export(s, e, &a);
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_search_rows[] = {
{
    .name = "search", .group = "Experiments", .fn = cmd_search,
    .usage = "search KEY=LO..HI[:log|:log1m] ... [n=N] [epochs=N] "
             "[method=M] [jobs=N] [export=FILE] | search refine | "
             "search import FILE",
    .summary = "hyperparameter search: random, grid, bayes, halving",
    .help =
        "lr=1e-4..1:log       a range to search; :log samples on a log\n"
        "reg=1e-5..1:log      scale, right for rates and penalties, whose\n"
        "                     good values span decades (also keep=, beta=,\n"
        "                     beta1=, beta2=)\n"
        "beta=0.9..0.999:log1m\n"
        "                     :log1m samples 1 - beta on a log scale (beta\n"
        "                     = 1 - 10^r, r in [-3, -1]): as many betas\n"
        "                     between 0.99 and 0.999 as between 0.9 and 0.99\n"
        "units=16..256:log    the units of every hidden layer (whole\n"
        "                     numbers; each hidden layer like the first)\n"
        "layers=1..4          the number of hidden layers, each like the\n"
        "                     first\n"
        "n=20                 trials (configurations) to try\n"
        "epochs=5             epochs of training per trial (halving: the\n"
        "                     most a trial gets)\n"
        "method=random        random samples; grid: a grid of about n\n"
        "                     points; bayes: a Gaussian process chooses\n"
        "                     each next trial where expected improvement\n"
        "                     is highest; halving: n trials for a few\n"
        "                     epochs, the best 1/eta go on with eta times\n"
        "                     as many, up to epochs=\n"
        "startup=n/4          bayes: random trials first (3 to 10)\n"
        "round=2              bayes: trials chosen together, so the same\n"
        "                     whatever jobs=\n"
        "eta=3                halving: the fraction kept, 1/eta\n"
        "jobs=CORES           trials at once, each in its own process with\n"
        "                     one BLAS thread; results as with jobs=1\n"
        "export=FILE          run nothing: write one command per trial to\n"
        "                     FILE for GNU parallel, and a Slurm job array\n"
        "                     (random and grid)\n"
        "trial=T              run only trial T (as exported lines do)\n"
        "refine [jobs=] [export=]  narrow the ranges around the best\n"
        "                     trials and search again: coarse to fine\n"
        "import FILE.csv      the rows exported trials appended (nnlab\n"
        "                     --result FILE.csv) back into the table\n"
        "The results come as a table sorted by dev accuracy, and a scatter\n"
        "plot numbering the trials in the order they were chosen.  Ctrl-C\n"
        "stops every trial and keeps the finished ones.",
    .example = "search lr=1e-4..1:log reg=1e-5..1:log n=20 epochs=5",
    .words = CMD_WORDS("grid", "refine", "import:@files"),
    .keys = CMD_WORDS("lr=", "reg=", "keep=", "beta=", "beta1=", "beta2=",
                      "units=", "layers=", "n=", "epochs=",
                      "method=random|grid|bayes|halving",
                      "jobs=", "export=@files", "startup=", "round=", "eta=",
                      "trial="),
    .flags = CMD_IDLE,
},
{0},
};
