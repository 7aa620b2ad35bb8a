/*
 * cmd_compare.c — compare: the same network, data and seed trained once
 * per value of one setting, a table of the results and one plot of the
 * curves overlaid.  The runs train at once in worker processes (jobs=),
 * each with its own copy of the network; their results do not depend on
 * the order they finish in.
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
#include "num.h"
#include "out.h"
#include "plot.h"
#include "text.h"
#include "trial.h"
#include "workers.h"

/* ------------------------------------------------------------------ */
/* compare                                                              */
/* ------------------------------------------------------------------ */

/* The decimals that tell the runs' final losses apart (4 at least): a
 * setting whose effect is small shows it (0.580412 against 0.580398). */
static int loss_decimals(const Experiments *e)
{
    double v[EXP_MAX_RUNS];
    int n = 0;
    for (int i = 0; i < e->nruns; i++) {
        const CompareRun *r = &e->runs[i];
        if (!r->failed && !r->stopped && r->n)
            v[n++] = r->train_loss[r->n - 1];
    }
    return num_decimals_apart(v, n, 4, 7);
}

static void compare_table(Session *s, const Experiments *e)
{
    /* with -q no times: a script's output is the same on every machine;
     * the last column, untitled, says which runs diverged or failed */
    int cols = s->quiet ? 4 : 5;
    int ld = loss_decimals(e);
    OutTable *t = out_table_new(cols + 1);
    const char *head[] = { "run", "train loss", "train acc", "dev acc",
                           "time" };
    for (int i = 0; i < cols; i++)
        out_table_cell(t, "%s", head[i]);
    out_table_cell(t, "%s", "");
    for (int i = 0; i < e->nruns; i++) {
        const CompareRun *r = &e->runs[i];
        out_table_cell(t, "%s", r->label);
        if (r->failed) {
            for (int c = 1; c < cols; c++)
                out_table_cell(t, "-");
            out_table_cell(t, "failed");
            continue;
        }
        if (r->n && !r->stopped)
            out_table_cell(t, "%.*f", ld, num_plain(r->train_loss[r->n - 1]));
        else
            out_table_cell(t, "-");
        out_table_cell(t, "%.4f", num_plain(r->train_acc));
        if (isnan(r->dev_acc))
            out_table_cell(t, "-");
        else
            out_table_cell(t, "%.4f", r->dev_acc);
        if (!s->quiet)
            out_table_cell(t, "%.2fs", r->seconds);
        out_table_cell(t, "%s", r->stopped ? "diverged" : "");
    }
    out_table_print(s, t);
}

/* A parsed compare command.  values point into `copy` (owned). */
typedef struct CompareArgs {
    char name[16];
    long epochs;
    int jobs;
    char *copy;
    char *values[EXP_MAX_RUNS];
    int n;
    int plot;               /* plot=: an index of compare_plots */
} CompareArgs;

/* Each value applied to a scratch copy first: nothing runs if one is bad. */
static int check_values(Session *s, const CompareArgs *a)
{
    nn_trainer tr;
    nn_net *net = trial_new(s, &tr);
    int bad = !net;
    for (int i = 0; i < a->n && !bad; i++)
        bad = trial_apply_setting(s, net, &tr, a->name, a->values[i]);
    nn_net_free(net);
    nn_trainer_free(&tr);
    return bad ? -1 : 0;
}

/* The scale an initializer's value stands for when none is typed
 * (init=normal is normal:0.01), or NULL when the kind takes none. */
static const char *init_scale_meaning(const char *value)
{
    if (strchr(value, ':'))
        return NULL;
    if (!strcmp(value, "normal"))
        return "weights drawn from N(0, 0.01^2), std 0.01";
    if (!strcmp(value, "uniform"))
        return "weights drawn from U(-0.01, 0.01)";
    if (!strcmp(value, "const"))
        return "every weight 0.01";
    return NULL;
}

/* init=normal alone: say which std it means (the table and the plot
 * name it normal:0.01 too). */
static void init_note(Session *s, const char *value)
{
    const char *m = init_scale_meaning(value);
    if (m)
        out_printf(s, "note: init=%s alone means %s:%g: %s (%s:SCALE gives "
                   "another, e.g. %s:1)\n", value, value, TRIAL_INIT_SCALE,
                   m, value, value);
}

static int parse_compare(Session *s, int argc, char **argv, CompareArgs *a)
{
    const char *key = NULL, *list = NULL, *jobs = NULL;
    a->epochs = 20;
    for (int i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq)
            return cmd_error(s, "expected KEY=V1,V2,... e.g. compare "
                             "optim=gd,momentum,adam [epochs=20]"), -1;
        if (!strncmp(argv[i], "epochs=", 7)) {
            if (args_int(s, eq + 1, "epochs", 1, 100000,
                        &a->epochs))
                return -1;
        } else if (!strncmp(argv[i], "jobs=", 5)) {
            jobs = eq + 1;
        } else if (!strncmp(argv[i], "plot=", 5)) {
            if (args_enum(s, eq + 1, "plot", compare_plots, &a->plot))
                return -1;
        } else if (key) {
            return cmd_error(s, "one setting at a time (got %s and "
                             "%.*s)", key, (int)(eq - argv[i]), argv[i]), -1;
        } else {
            key = argv[i];
            list = eq + 1;
        }
    }
    if (!key)
        return cmd_error(s, "what to compare? e.g. compare "
                         "optim=gd,momentum,adam"), -1;
    if (trial_jobs(s, jobs, &a->jobs))
        return -1;
    snprintf(a->name, sizeof a->name, "%.*s", (int)(list - key - 1), key);
    char *save = NULL;
    if (!(a->copy = strdup(list)))
        return cmd_error(s, "out of memory"), -1;
    a->n = 0;
    for (char *v = strtok_r(a->copy, ",", &save); v;
         v = strtok_r(NULL, ",", &save)) {
        if (a->n == EXP_MAX_RUNS)
            return cmd_error(s, "give 1 to %d values",
                             EXP_MAX_RUNS), -1;
        a->values[a->n++] = v;
    }
    if (a->n == 0)
        return cmd_error(s, "give 1 to %d values", EXP_MAX_RUNS), -1;
    if (check_values(s, a))
        return -1;
    model_optim_note(s, s->model->tr.opt.kind, a->name);
    for (int i = 0; i < a->n && !strcmp(a->name, "init"); i++)
        init_note(s, a->values[i]);
    return 0;
}

/* In the worker: train run `id`, its value applied, to its epochs. */
typedef struct CompareTask {
    const CompareArgs *a;
} CompareTask;

static int compare_task(Session *s, void *ctx, int id, int budget, Buf *out)
{
    const CompareArgs *a = ((CompareTask *)ctx)->a;
    nn_trainer tr;
    TrialResult r = { 0 };
    nn_net *net = trial_new(s, &tr);
    if (!net || trial_apply_setting(s, net, &tr, a->name, a->values[id]) ||
        trial_start(s, net, &tr) || trial_advance(s, &tr, budget, &r))
        return -1;
    trial_pack(&tr, &r, 1, out);
    return 0;   /* the worker ends: nothing to free */
}

/* Train one copy per value in worker processes, keeping each run's curves
 * and results in the order of the values. */
static int run_compare(Session *s, Experiments *e, const CompareArgs *a)
{
    experiment_clear_runs(e);
    snprintf(e->compare_key, sizeof e->compare_key, "%s", a->name);
    out_printf(s, "compare: %d run%s of %ld epoch%s, same network, data and "
               "seed %llu\n", a->n, a->n == 1 ? "" : "s", a->epochs,
               a->epochs == 1 ? "" : "s", (unsigned long long)model_seed(s));
    CompareTask task = { a };
    Workers *w = workers_new(s, a->jobs, compare_task, &task, "compare",
                             "runs", a->n);
    if (!w)
        return CMD_ERR;
    for (int i = 0; i < a->n; i++) {
        CompareRun *r = &e->runs[i];
        memset(r, 0, sizeof *r);
        if (!strcmp(a->name, "init") && init_scale_meaning(a->values[i]))
            snprintf(r->label, sizeof r->label, "init=%s:%g", a->values[i],
                     TRIAL_INIT_SCALE);
        else
            snprintf(r->label, sizeof r->label, "%s=%s", a->name,
                     a->values[i]);
        r->failed = 2;    /* not run yet */
        if (workers_submit(w, i, (int)a->epochs)) {
            workers_free(w);
            return cmd_error(s, "out of memory");
        }
    }
    e->nruns = a->n;
    WorkerResult res;
    int rc;
    while ((rc = workers_next(w, &res)) > 0) {
        CompareRun *r = &e->runs[res.id];
        TrialResult tr;
        r->failed = 1;
        if (res.ok && trial_unpack(res.data, res.len, &tr, r) == 0) {
            r->failed = 0;
        } else {
            out_one_line(res.why);
            out_printf(s, "compare: run %s failed: %s; the others go on\n",
                       r->label, res.ok ? "its result was garbled" : res.why);
        }
        workers_release(w, res.id);
    }
    workers_free(w);
    int n = 0;          /* runs Ctrl-C stopped are left out */
    for (int i = 0; i < e->nruns; i++)
        if (e->runs[i].failed != 2)
            e->runs[n++] = e->runs[i];
    e->nruns = n;
    if (rc < 0)
        return nnlab_interrupted ? cmd_error(s, "interrupted: every run "
                                             "stopped; the finished are "
                                             "kept") : CMD_ERR;
    return CMD_OK;
}

static int cmd_compare(Session *s, int argc, char **argv)
{
    Experiments *e = experiment_results(s);
    CompareArgs a = { .copy = NULL };
    if (!e || trial_need_model(s))
        return CMD_ERR;
    if (parse_compare(s, argc, argv, &a)) {
        free(a.copy);
        return CMD_ERR;
    }
    int rc = run_compare(s, e, &a);
    free(a.copy);
    e->compare_plot = a.plot;
    int finished = 0;
    for (int i = 0; i < e->nruns; i++)
        finished += !e->runs[i].failed;
    if (finished == 0)
        return CMD_ERR;
    compare_table(s, e);
    if (rc != CMD_OK)
        return rc;
    plot_show_experiment(s, "compare");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_compare_rows[] = {
{
    .name = "compare", .group = "Experiments", .fn = cmd_compare,
    .usage = "compare KEY=V1,V2,... [epochs=N] [jobs=N] [plot=loss|acc|"
             "dev_acc|grads]  (optim= init= reg= "
             "batch= lr= units= layers= ...)",
    .summary = "train once per value of a setting and compare",
    .help =
        "optim=gd,momentum,adam   the values of one setting to try; also\n"
        "                     init=, reg=, batch=, lr=, keep=, act=, beta=,\n"
        "                     beta1=, beta2=\n"
        "init=normal:0.01,normal:1,xavier\n"
        "                     initializers, a scale after ':' for normal\n"
        "                     (its std), uniform (its half-width) and const\n"
        "                     (its value); alone they mean 0.01\n"
        "reg=0,l2:1,l1:0.1    penalties, L2 unless l1: is given\n"
        "units=8,32,128       the units of every hidden layer\n"
        "layers=1,2,4         the number of hidden layers (each like the\n"
        "                     first)\n"
        "epochs=20            how long each run trains\n"
        "jobs=CORES           runs at once, each in its own process with\n"
        "                     one BLAS thread; results as with jobs=1\n"
        "plot=loss            what plot compare overlays, per epoch: loss\n"
        "                     (train solid, dev dashed), acc (train solid,\n"
        "                     dev dashed), dev_acc, or grads (the mean norm\n"
        "                     of the whole gradient over the epoch's\n"
        "                     updates); a run whose line would lie under\n"
        "                     another's is named in the legend\n"
        "The same network, data and seed are trained once per value.  A\n"
        "table of the final results, and one plot of the curves overlaid.\n"
        "Its train loss is the mean data loss over the last epoch's batches\n"
        "as training saw them (with dropout's masks, the weights still\n"
        "moving: eval's figure after training differs a little); train acc\n"
        "and dev acc are measured at the end in evaluation mode, as eval.",
    .example = "compare optim=gd,momentum,adam plot=acc",
    .keys = CMD_WORDS("optim=@optims", "init=@inits|normal:0.01|normal:1",
                  "reg=", "batch=", "lr=",
                  "keep=", "act=@acts", "beta=", "beta1=", "beta2=",
                  "units=", "layers=",
                  "epochs=", "jobs=", "plot=loss|acc|dev_acc|grads"),
    .flags = CMD_IDLE,
},
{0},
};
