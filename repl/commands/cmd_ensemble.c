/*
 * cmd_ensemble.c — ensembles: snapshots of the network whose predicted
 * probabilities are averaged.
 *
 * `ensemble add` keeps a deep copy of the network as it is now, so the
 * session's network can be re-initialized (seed, reset) and trained
 * again for the next member; `train N epochs snapshot=cycle` under a
 * cyclic or SGDR schedule adds one at the end of every cycle ("snapshot
 * ensembles").  Members belong to the data they were trained on: a new
 * data set, split, subset or preprocessing drops them
 * (model_data_changed).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"

static int ensemble_size(const ModelState *m)
{
    return m->ens ? nn_ensemble_size(m->ens) : 0;
}

static int name_taken(const ModelState *m, const char *name)
{
    for (int i = 0; i < ensemble_size(m); i++)
        if (!strcmp(m->ens_notes[i].name, name))
            return 1;
    return 0;
}

/* A name of letters, digits, '_', '-' and '.', not taken; 0 or -1 after
 * reporting. */
static int name_ok(Session *s, const ModelState *m, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof m->ens_notes[0].name)
        return cmd_error(s, "a member's name has 1 to %zu characters",
                         sizeof m->ens_notes[0].name - 1), -1;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("_-.", name[i]))
            return cmd_error(s, "'%s': a name is letters, digits, '_', '-' "
                             "and '.'", name), -1;
    if (name_taken(m, name))
        return cmd_error(s, "there is already a member %s", name), -1;
    return 0;
}

/* "m3" (or "cycle2-2" when taken): the first free name from base. */
static void free_name(const ModelState *m, const char *base, char *buf,
                      size_t n)
{
    snprintf(buf, n, "%s", base);
    for (int k = 2; name_taken(m, buf); k++)
        snprintf(buf, n, "%s-%d", base, k);
}

/* "0.9433" or "-" for a figure that does not exist (no dev split). */
static void score_cell(OutTable *t, double v)
{
    if (isnan(v))
        out_table_cell(t, "-");
    else
        out_table_cell(t, "%.4f", v);
}

/* Add the session's network as `name`: CMD_OK, or CMD_ERR after
 * reporting. */
static int add_member(Session *s, const char *name)
{
    ModelState *m = model_state(s);
    nn_err err;
    if (!m || model_need_net(s) || model_bind(s))
        return CMD_ERR;
    if (!m->ens && !(m->ens = nn_ensemble_new(&err)))
        return cmd_error(s, "%s", err.msg);
    if (nn_ensemble_add(m->ens, s->net, &err))
        return cmd_error(s, "%s", err.msg);
    int n = nn_ensemble_size(m->ens);
    EnsembleNote *note = &m->ens_notes[n - 1];
    snprintf(note->name, sizeof note->name, "%s", name);
    note->iter = m->tr.iter;
    note->epoch = m->tr.epoch;
    double loss = NAN, acc = NAN;
    nn_trainer_evaluate(&m->tr, NN_DEV, &loss, &acc, NULL);
    int regress = nn_data_task(s->data) == NN_TASK_REGRESS;
    out_printf(s, "ensemble: added %s (iteration %ld, epoch %d; dev %s %.4f); "
               "%d member%s\n", name, note->iter, note->epoch,
               regress ? "loss" : "accuracy", regress ? loss : acc, n,
               n == 1 ? "" : "s");
    return CMD_OK;
}

int ensemble_snapshot(Session *s)
{
    ModelState *m = model_state(s);
    if (!m)
        return -1;
    if (ensemble_size(m) == NN_ENSEMBLE_MAX) {
        out_printf(s, "ensemble: full (%d members); no more snapshots in "
                   "this run\n", NN_ENSEMBLE_MAX);
        m->snapshot = 0;
        return -1;
    }
    char base[24], name[24];
    snprintf(base, sizeof base, "cycle%ld", nn_trainer_cycle(&m->tr));
    free_name(m, base, name, sizeof name);
    if (add_member(s, name) != CMD_OK) {
        m->snapshot = 0;
        return -1;
    }
    return 0;
}

/* Every member's score on split sp into sc[0..n-1], the average's into
 * *all; 0, or -1 after reporting. */
static int evaluate(Session *s, nn_split sp, nn_score *all, nn_score *sc)
{
    nn_err err;
    if (nn_ensemble_evaluate(s->model->ens, s->data, sp, all, sc, &err))
        return cmd_error(s, "%s", err.msg), -1;
    return 0;
}

static int ensemble_list(Session *s, ModelState *m)
{
    int n = ensemble_size(m);
    if (n == 0) {
        out_printf(s, "ensemble: empty; ensemble add keeps a snapshot of the "
                   "network\n");
        return CMD_OK;
    }
    nn_score all, *sc = calloc((size_t)n, sizeof *sc);
    if (!sc)
        return cmd_error(s, "out of memory");
    if (!s->data || evaluate(s, NN_DEV, &all, sc)) {
        free(sc);
        return s->data ? CMD_ERR : cmd_error(s, "no data to evaluate on");
    }
    OutTable *t = out_table_new(5);
    const char *head[] = { "member", "iteration", "epoch", "dev loss",
                           "dev acc" };
    for (int i = 0; i < 5; i++)
        out_table_cell(t, "%s", head[i]);
    for (int i = 0; i < n; i++) {
        out_table_cell(t, "%s", m->ens_notes[i].name);
        out_table_cell(t, "%ld", m->ens_notes[i].iter);
        out_table_cell(t, "%d", m->ens_notes[i].epoch);
        score_cell(t, sc[i].loss);
        score_cell(t, sc[i].acc);
    }
    out_table_cell(t, "average");
    out_table_cell(t, "-");
    out_table_cell(t, "-");
    score_cell(t, all.loss);
    score_cell(t, all.acc);
    out_table_print(s, t);
    free(sc);
    return CMD_OK;
}

/* The ensemble's dev figure beside its best member's. */
static void compare_best(Session *s, const ModelState *m, int n,
                         const nn_score *dev, const nn_score *all)
{
    int regress = isnan(all->acc);
    int best = 0;
    for (int i = 1; i < n; i++)
        if (regress ? dev[i].loss < dev[best].loss
                    : dev[i].acc > dev[best].acc)
            best = i;
    double e = regress ? all->loss : all->acc;
    double b = regress ? dev[best].loss : dev[best].acc;
    if (isnan(e) || isnan(b))
        return;
    out_printf(s, "  dev %s: the ensemble of %d %.4f, the best member (%s) "
               "%.4f: %s by %.4f\n", regress ? "loss" : "accuracy", n, e,
               m->ens_notes[best].name, b,
               e == b ? "equal" : (regress ? e < b : e > b) ? "better"
                                                            : "worse",
               fabs(e - b));
}

static int ensemble_eval(Session *s, ModelState *m)
{
    int n = ensemble_size(m);
    if (n == 0)
        return cmd_error(s, "the ensemble is empty: add members with "
                         "ensemble add");
    if (model_need_data(s))
        return CMD_ERR;
    nn_score all[NN_NSPLITS], *sc = calloc((size_t)n * NN_NSPLITS,
                                           sizeof *sc);
    if (!sc)
        return cmd_error(s, "out of memory");
    for (int sp = 0; sp < NN_NSPLITS; sp++)
        if (evaluate(s, (nn_split)sp, &all[sp], sc + (size_t)sp * n)) {
            free(sc);
            return CMD_ERR;
        }
    int regress = nn_data_task(s->data) == NN_TASK_REGRESS;
    const char *what = regress ? "loss" : "acc";
    OutTable *t = out_table_new(4);
    out_table_cell(t, "member");
    out_table_cell(t, "train %s", what);
    out_table_cell(t, "dev %s", what);
    out_table_cell(t, "test %s", what);
    for (int i = 0; i <= n; i++) {
        out_table_cell(t, "%s", i < n ? m->ens_notes[i].name : "ensemble");
        for (int sp = 0; sp < NN_NSPLITS; sp++) {
            const nn_score *v = i < n ? &sc[(size_t)sp * n + i] : &all[sp];
            score_cell(t, regress ? v->loss : v->acc);
        }
    }
    out_table_print(s, t);
    out_printf(s, "  the ensemble averages the %d members' predicted %s\n", n,
               regress ? "outputs" : "probabilities");
    compare_best(s, m, n, sc + (size_t)NN_DEV * n, &all[NN_DEV]);
    free(sc);
    return CMD_OK;
}

static int cmd_ensemble(Session *s, int argc, char **argv)
{
    static const char *const verbs[] = { "list", "add", "eval", "clear",
                                         NULL };
    ModelState *m = model_state(s);
    int v = 0;
    if (!m || (argc > 1 && args_enum(s, argv[1], "subcommand", verbs, &v)))
        return CMD_ERR;
    if (v == 1) {
        if (argc > 3)
            return cmd_error(s, "expected at most a name: ensemble add "
                             "[NAME]");
        char name[24];
        if (argc == 3 && name_ok(s, m, argv[2]))
            return CMD_ERR;
        if (argc < 3 && ensemble_size(m) == NN_ENSEMBLE_MAX)
            return cmd_error(s, "the ensemble is full (%d members)",
                             NN_ENSEMBLE_MAX);
        char base[16];
        snprintf(base, sizeof base, "m%d", ensemble_size(m) + 1);
        free_name(m, base, name, sizeof name);
        return add_member(s, argc == 3 ? argv[2] : name);
    }
    if (argc > 2)
        return cmd_error(s, "%s takes no arguments", verbs[v]);
    if (v == 2)
        return ensemble_eval(s, m);
    if (v == 3) {
        int n = ensemble_size(m);
        if (n)
            nn_ensemble_clear(m->ens);
        out_printf(s, n ? "ensemble: cleared %d member%s\n"
                        : "ensemble: already empty\n", n, n == 1 ? "" : "s");
        return CMD_OK;
    }
    return ensemble_list(s, m);
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_ensemble_rows[] = {
{
    .name = "ensemble", .group = "Experiments", .fn = cmd_ensemble,
    .usage = "ensemble [list|add [NAME]|eval|clear]",
    .summary = "average the predictions of snapshots of the network",
    .help =
        "ensemble             the members with their dev loss and accuracy\n"
        "add [NAME]           keep a snapshot of the network's weights as\n"
        "                     it is now (named m1, m2 ... by default)\n"
        "eval                 every member and the ensemble on train, dev\n"
        "                     and test: the members' predicted\n"
        "                     probabilities averaged, then the most\n"
        "                     probable class\n"
        "clear                forget every member\n"
        "Networks that start from different weights make different\n"
        "mistakes, and their average is usually at least as good as the\n"
        "best of them.  Add a member, then seed N and reset (or net ...)\n"
        "and train the next one.  With decay cyclic or decay sgdr, train N\n"
        "epochs snapshot=cycle adds one at the end of every cycle (snapshot\n"
        "ensembles).  Members need the same inputs and outputs; new data, a\n"
        "new split or subset, or another normalize clears them.",
    .example = "ensemble add",
    .words = CMD_WORDS("list", "add", "eval", "clear"),
},
{0},
};
