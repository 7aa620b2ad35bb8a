/*
 * cmd_experiment.c — the Experiments commands compare and search (ewa,
 * which trains nothing, is in cmd_ewa.c).
 *
 * compare and search train copies of the session's network, never the
 * network itself: each copy starts from the same seed (so the same
 * initial weights unless the initializer is what is compared), sees the
 * same data, and is thrown away after its numbers are kept.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "experiment.h"
#include "handlers.h"
#include "model.h"
#include "out.h"
#include "plot.h"

Experiments *experiments(Session *s)
{
    if (!s->exp)
        s->exp = calloc(1, sizeof *s->exp);
    return s->exp;
}

static void free_runs(Experiments *e)
{
    for (int i = 0; i < e->nruns; i++) {
        free(e->runs[i].x);
        free(e->runs[i].train_loss);
        free(e->runs[i].dev_loss);
    }
    e->nruns = 0;
}

void experiments_free(Session *s)
{
    if (!s->exp)
        return;
    free_runs(s->exp);
    free(s->exp);
    s->exp = NULL;
}

/* ------------------------------------------------------------------ */
/* Training a variant                                                   */
/* ------------------------------------------------------------------ */

static const char *const variant_keys[] = {
    "optim", "lr", "batch", "init", "reg", "keep", "act", "beta", "beta1",
    "beta2", NULL
};

/* init=KIND or init=KIND:SCALE (normal:0.01) for every layer. */
static int set_init(Session *s, const char *cmd, nn_net *net,
                    const char *text)
{
    char name[32];
    int i;
    const char *colon = strchr(text, ':');
    snprintf(name, sizeof name, "%.*s",
             (int)(colon ? colon - text : (long)strlen(text)), text);
    if (arg_enum(s, cmd, name, "initializer", nn_init_names, &i))
        return -1;
    nn_init_spec spec = { (nn_init_kind)i, 0.01, 1 };
    if (colon && arg_double(s, cmd, colon + 1, "scale", -1e6, 1e6, &spec.arg))
        return -1;
    for (int l = 0; l < net->n_layers; l++)
        net->L[l].init = spec;
    return 0;
}

/* act=NAME for every hidden layer. */
static int set_hidden_act(Session *s, const char *cmd, nn_net *net,
                          const char *text)
{
    nn_act a;
    double arg;
    int i;
    if (nn_act_parse(text, &a, &arg) || a == NN_ACT_SOFTMAX)
        return arg_enum(s, cmd, text, "hidden activation", nn_act_names,
                        &i) ? -1 : (cmd_error(s, "%s: softmax is for the "
                                              "output layer", cmd), -1);
    for (int l = 0; l < net->n_layers - 1; l++) {
        net->L[l].act = a;
        net->L[l].act_arg = arg;
    }
    return 0;
}

/* Apply key=text to a copy of the network and the trainer settings. */
static int apply_setting(Session *s, const char *cmd, nn_net *net,
                         nn_trainer *tr, const char *key, const char *text)
{
    int k, i;
    double v;
    long b;
    if (arg_enum(s, cmd, key, "setting", variant_keys, &k))
        return -1;
    switch (k) {
    case 0:
        if (arg_enum(s, cmd, text, "optimizer", nn_optim_names, &i))
            return -1;
        tr->opt.kind = (nn_optim_kind)i;
        return 0;
    case 1:
        return arg_double(s, cmd, text, "learning rate", 0, NN_LR_MAX,
                          &tr->opt.lr);
    case 2:
        if (!strcmp(text, "full")) {
            tr->batch = 0;
            return 0;
        }
        if (arg_int(s, cmd, text, "batch size", 1, 1000000, &b))
            return -1;
        tr->batch = (int)b;
        return 0;
    case 3:
        return set_init(s, cmd, net, text);
    case 4:
        net->reg = net->reg == NN_REG_NONE ? NN_REG_L2 : net->reg;
        if (!strcmp(text, "none")) {
            net->reg = NN_REG_NONE;
            return 0;
        }
        if (!strncmp(text, "l1:", 3) || !strncmp(text, "l2:", 3)) {
            net->reg = text[1] == '1' ? NN_REG_L1 : NN_REG_L2;
            text += 3;
        }
        if (arg_double(s, cmd, text, "lambda", 0, 1e6, &net->lambda))
            return -1;
        if (net->lambda == 0)
            net->reg = NN_REG_NONE;
        return 0;
    case 5:
        if (arg_double(s, cmd, text, "keep-probability", 0.01, 1, &v))
            return -1;
        for (int l = 0; l < net->n_layers - 1; l++)
            net->L[l].keep = v;
        return 0;
    case 6:
        return set_hidden_act(s, cmd, net, text);
    case 7:
        return arg_double(s, cmd, text, "beta", 0, NN_BETA_MAX,
                          &tr->opt.beta);
    case 8:
        return arg_double(s, cmd, text, "beta1", 0, NN_BETA_MAX,
                          &tr->opt.beta1);
    default:
        return arg_double(s, cmd, text, "beta2", 0, NN_BETA2_MAX,
                          &tr->opt.beta2);
    }
}

/* A copy of the session's network and a trainer with its settings. */
static nn_net *variant_new(Session *s, nn_trainer *tr)
{
    nn_net *net = nn_net_clone(s->net, NULL);
    nn_trainer_init(tr);
    tr->opt = s->model->tr.opt;
    tr->sched = s->model->tr.sched;
    tr->batch = s->model->tr.batch;
    tr->guard = s->model->tr.guard;
    tr->seed = s->seed;
    return net;
}

/* Train for `epochs` from the seed's initial weights; fill run (if given)
 * with the curves and the final accuracies.  -1 if interrupted. */
static int variant_train(Session *s, nn_net *net, nn_trainer *tr, int epochs,
                         CompareRun *run, double *train_acc, double *dev_acc)
{
    nn_err err;
    net->bug_param = -1;
    nn_net_init(net, s->seed, 0);
    if (nn_trainer_bind(tr, net, s->data, &err)) {
        cmd_error(s, "%s", err.msg);
        return -1;
    }
    nn_trainer_restart(tr);
    double t0 = model_now();
    int st = NN_STEP_OK;
    while (tr->epoch < epochs && !nnlab_interrupted) {
        nn_step_info info;
        st = nn_trainer_step(tr, &info, &err);
        if (st < 0 || st == NN_STEP_DIVERGED || st == NN_STEP_EARLY)
            break;
    }
    if (nnlab_interrupted || st < 0)
        return -1;
    double loss;
    nn_trainer_evaluate(tr, NN_TRAIN, &loss, train_acc, NULL);
    nn_trainer_evaluate(tr, NN_DEV, &loss, dev_acc, NULL);
    if (run) {
        const nn_history *h = &tr->hist;
        run->n = h->ne;
        run->x = malloc((size_t)(h->ne + 1) * sizeof *run->x);
        run->train_loss = malloc((size_t)(h->ne + 1) * sizeof(double));
        run->dev_loss = malloc((size_t)(h->ne + 1) * sizeof(double));
        for (int i = 0; run->x && run->train_loss && run->dev_loss &&
                        i < h->ne; i++) {
            run->x[i] = h->e_epoch[i];
            run->train_loss[i] = h->train_loss[i];
            run->dev_loss[i] = h->dev_loss[i];
        }
        if (!run->x || !run->train_loss || !run->dev_loss)
            run->n = 0;
        run->train_acc = *train_acc;
        run->dev_acc = *dev_acc;
        run->seconds = model_now() - t0;
        run->stopped = st == NN_STEP_DIVERGED;
    }
    return 0;
}

static int need_model(Session *s, const char *cmd)
{
    if (!model_state(s) || model_bind(s, cmd))
        return -1;
    if (nn_data_task(s->data) == NN_TASK_NONE) {
        cmd_error(s, "%s: needs labelled data", cmd);
        return -1;
    }
    if (s->job.active) {
        cmd_error(s, "%s: training is running; type pause first", cmd);
        return -1;
    }
    return 0;
}

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
    nn_net *net = variant_new(s, &tr);
    int bad = !net;
    for (int i = 0; i < a->n && !bad; i++)
        bad = apply_setting(s, "compare", net, &tr, a->name, a->values[i]);
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
            return cmd_error(s, "compare: expected KEY=V1,V2,... e.g. compare "
                             "optim=gd,momentum,adam [epochs=20]"), -1;
        if (!strncmp(argv[i], "epochs=", 7)) {
            if (arg_int(s, "compare", eq + 1, "epochs", 1, 100000,
                        &a->epochs))
                return -1;
        } else if (key) {
            return cmd_error(s, "compare: one setting at a time (got %s and "
                             "%.*s)", key, (int)(eq - argv[i]), argv[i]), -1;
        } else {
            key = argv[i];
            list = eq + 1;
        }
    }
    if (!key)
        return cmd_error(s, "compare: what to compare? e.g. compare "
                         "optim=gd,momentum,adam"), -1;
    snprintf(a->name, sizeof a->name, "%.*s", (int)(list - key - 1), key);
    char *save = NULL;
    if (!(a->copy = strdup(list)))
        return cmd_error(s, "compare: out of memory"), -1;
    a->n = 0;
    for (char *v = strtok_r(a->copy, ",", &save); v;
         v = strtok_r(NULL, ",", &save)) {
        if (a->n == EXP_MAX_RUNS)
            return cmd_error(s, "compare: give 1 to %d values",
                             EXP_MAX_RUNS), -1;
        a->values[a->n++] = v;
    }
    if (a->n == 0)
        return cmd_error(s, "compare: give 1 to %d values", EXP_MAX_RUNS), -1;
    if (check_values(s, a))
        return -1;
    optim_note_unused(s, s->model->tr.opt.kind, a->name);
    return 0;
}

/* Train one copy per value, keeping each run's curves and results. */
static int run_compare(Session *s, Experiments *e, const CompareArgs *a)
{
    free_runs(e);
    snprintf(e->compare_key, sizeof e->compare_key, "%s", a->name);
    out_printf(s, "compare: %d run%s of %ld epoch%s, same network, data and "
               "seed %llu\n", a->n, a->n == 1 ? "" : "s", a->epochs,
               a->epochs == 1 ? "" : "s", (unsigned long long)s->seed);
    for (int i = 0; i < a->n; i++) {
        CompareRun *r = &e->runs[e->nruns];
        nn_trainer tr;
        double ta, da;
        memset(r, 0, sizeof *r);
        snprintf(r->label, sizeof r->label, "%s=%s", a->name, a->values[i]);
        nn_net *net = variant_new(s, &tr);
        int rc = net ? apply_setting(s, "compare", net, &tr, a->name,
                                     a->values[i]) : -1;
        if (!rc)
            rc = variant_train(s, net, &tr, (int)a->epochs, r, &ta, &da);
        nn_net_free(net);
        nn_trainer_free(&tr);
        if (rc)
            return nnlab_interrupted ? cmd_error(s, "compare: interrupted")
                                     : CMD_ERR;
        e->nruns++;
    }
    return CMD_OK;
}

int cmd_compare(Session *s, int argc, char **argv)
{
    Experiments *e = experiments(s);
    CompareArgs a = { .copy = NULL };
    if (!e || need_model(s, "compare"))
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
        return cmd_error(s, "search: %s: expected LO..HI or LO..HI:log, got "
                         "'%s'", name, text), -1;
    snprintf(lo, sizeof lo, "%.*s", (int)(dots - text), text);
    snprintf(hi, sizeof hi, "%s", dots + 2);
    char *colon = strchr(hi, ':');
    k->log = 0;
    if (colon) {
        if (strcmp(colon, ":log"))
            return cmd_error(s, "search: %s: only ':log' may follow the "
                             "range", name), -1;
        *colon = '\0';
        k->log = 1;
    }
    if (arg_double(s, "search", lo, "range start", -1e9, 1e9, &k->lo) ||
        arg_double(s, "search", hi, "range end", -1e9, 1e9, &k->hi))
        return -1;
    if (!(k->lo < k->hi) || (k->log && k->lo <= 0))
        return cmd_error(s, "search: %s: need LO < HI%s", name,
                         k->log ? " and LO > 0 on a log scale" : ""), -1;
    snprintf(k->name, sizeof k->name, "%s", name);
    const double *b = bounds_of(k);
    if (k->lo < b[0] || k->hi > b[1])
        return cmd_error(s, "search: %s=%g..%g: %s must be within %g..%g",
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
    nn_rng_seed(&rng, s->seed, NN_STREAM_SEARCH, 0);
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
        nn_net *net = variant_new(s, &tr);
        int rc = net ? 0 : -1;
        for (int k = 0; k < e->nkeys && !rc; k++) {
            char text[64];
            snprintf(text, sizeof text, "%.17g", e->values[t][k]);
            rc = apply_setting(s, "search", net, &tr, e->keys[k].name, text);
        }
        if (!rc)
            rc = variant_train(s, net, &tr, e->epochs, NULL,
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
        return cmd_error(s, "search: nothing to refine; run a search first");
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
        return cmd_error(s, "search: unexpected '%s'; usage: search "
                         "lr=1e-4..1:log reg=1e-5..1:log n=20 epochs=5 "
                         "[grid]", arg), -1;
    if (!strncmp(arg, "n=", 2))
        return arg_int(s, "search", eq + 1, "trials", 1, EXP_MAX_TRIALS,
                       trials);
    if (!strncmp(arg, "epochs=", 7))
        return arg_int(s, "search", eq + 1, "epochs", 1, 10000, epochs);
    char name[16];
    int k;
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    if (arg_enum(s, "search", name, "hyperparameter", search_keys, &k))
        return -1;
    if (next->nkeys == EXP_MAX_KEYS)
        return cmd_error(s, "search: at most %d hyperparameters",
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
        return cmd_error(s, "search: give at least one range, e.g. search "
                         "lr=1e-4..1:log n=20 epochs=5"), -1;
    for (int k = 0; k < next.nkeys; k++)
        optim_note_unused(s, s->model->tr.opt.kind, next.keys[k].name);
    e->nkeys = next.nkeys;
    e->trials = (int)trials;
    e->epochs = (int)epochs;
    e->grid = next.grid;
    memcpy(e->keys, next.keys, sizeof e->keys);
    return 0;
}

int cmd_search(Session *s, int argc, char **argv)
{
    Experiments *e = experiments(s);
    if (!e || need_model(s, "search"))
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
        return nnlab_interrupted ? cmd_error(s, "search: interrupted after %d "
                                             "trials", e->ntrials) : CMD_ERR;
    int order[EXP_MAX_TRIALS];
    search_table(s, e, order);
    plot_show_experiment(s, "search");
    return CMD_OK;
}
