/*
 * cmd_compare.c — compare: the same network, data and seed trained once
 * per value of one setting, a table of the results and one plot of the
 * curves overlaid.
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
/* compare                                                              */
/* ------------------------------------------------------------------ */

static void compare_table(Session *s, const Experiments *e)
{
    /* with -q no times: a script's output is the same on every machine */
    int cols = s->quiet ? 4 : 5;
    OutTable *t = out_table_new(cols);
    const char *head[] = { "run", "train loss", "train acc", "dev acc",
                           "time" };
    for (int i = 0; i < cols; i++)
        out_table_cell(t, "%s", head[i]);
    for (int i = 0; i < e->nruns; i++) {
        const CompareRun *r = &e->runs[i];
        out_table_cell(t, "%s", r->label);
        if (r->stopped)
            out_table_cell(t, "diverged");
        else if (r->n)
            out_table_cell(t, "%.4f", r->train_loss[r->n - 1]);
        else
            out_table_cell(t, "-");
        out_table_cell(t, "%.4f", r->train_acc);
        if (isnan(r->dev_acc))
            out_table_cell(t, "-");
        else
            out_table_cell(t, "%.4f", r->dev_acc);
        if (!s->quiet)
            out_table_cell(t, "%.2fs", r->seconds);
    }
    out_table_print(s, t);
}

/* A parsed compare command.  values point into `copy` (owned). */
typedef struct CompareArgs {
    char name[16];
    long epochs;
    char *copy;
    char *values[EXP_MAX_RUNS];
    int n;
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

static int parse_compare(Session *s, int argc, char **argv, CompareArgs *a)
{
    const char *key = NULL, *list = NULL;
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
    return 0;
}

/* Train one copy per value, keeping each run's curves and results. */
static int run_compare(Session *s, Experiments *e, const CompareArgs *a)
{
    experiment_clear_runs(e);
    snprintf(e->compare_key, sizeof e->compare_key, "%s", a->name);
    out_printf(s, "compare: %d run%s of %ld epoch%s, same network, data and "
               "seed %llu\n", a->n, a->n == 1 ? "" : "s", a->epochs,
               a->epochs == 1 ? "" : "s", (unsigned long long)model_seed(s));
    for (int i = 0; i < a->n; i++) {
        CompareRun *r = &e->runs[e->nruns];
        nn_trainer tr;
        double ta, da;
        memset(r, 0, sizeof *r);
        snprintf(r->label, sizeof r->label, "%s=%s", a->name, a->values[i]);
        nn_net *net = trial_new(s, &tr);
        int rc = net ? trial_apply_setting(s, net, &tr, a->name,
                                     a->values[i]) : -1;
        if (!rc)
            rc = trial_train(s, net, &tr, (int)a->epochs, r, &ta, &da);
        nn_net_free(net);
        nn_trainer_free(&tr);
        if (rc)
            return nnlab_interrupted ? cmd_error(s, "interrupted")
                                     : CMD_ERR;
        e->nruns++;
    }
    return CMD_OK;
}

static int cmd_compare(Session *s, int argc, char **argv)
{
    Experiments *e = experiment_results(s);
    CompareArgs a = { .copy = NULL };
    if (!e || trial_need_model(s))
        return CMD_ERR;
    int rc = parse_compare(s, argc, argv, &a) ? CMD_ERR : run_compare(s, e, &a);
    free(a.copy);
    if (rc != CMD_OK)
        return rc;
    compare_table(s, e);
    plot_show_experiment(s, "compare");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_compare_rows[] = {
{
    .name = "compare", .group = "Experiments", .fn = cmd_compare,
    .usage = "compare KEY=V1,V2,...  (optim= init= reg= batch= lr= ...)",
    .summary = "train once per value of a setting and compare",
    .help =
        "optim=gd,momentum,adam   the values of one setting to try; also\n"
        "                     init=, reg=, batch=, lr=, keep=, act=, beta=,\n"
        "                     beta1=, beta2=\n"
        "epochs=20            how long each run trains\n"
        "The same network, data and seed are trained once per value.  A\n"
        "table of the final results, and one plot of the curves overlaid.",
    .example = "compare optim=gd,momentum,adam",
    .keys = CMD_WORDS("optim=@optims", "init=@inits", "reg=", "batch=", "lr=",
                  "keep=", "act=@acts", "beta=", "beta1=", "beta2=",
                  "epochs="),
    .flags = CMD_IDLE,
},
{0},
};
