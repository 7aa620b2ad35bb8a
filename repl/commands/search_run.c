/*
 * search_run.c — choosing a search's trials and running them in worker
 * processes (workers.h), one BLAS thread each.
 *
 * Results do not depend on jobs=: every trial starts from the seed's
 * initial weights and sees the same data, its configuration is fixed
 * before it starts, and the methods that choose from results (bayes,
 * halving) choose only after every trial of a round or rung is in, from
 * the trials in the order they were chosen, never in the order they
 * finished.
 *
 *   random, grid  every configuration fixed first, all run at once
 *   bayes         startup= random ones, then rounds of round= chosen by
 *                 nn_bayes_next (the later ones of a round believing the
 *                 earlier ones give the process's mean)
 *   halving       n random configurations for the first rung's epochs;
 *                 the best 1/eta continue in their parked workers to the
 *                 next rung's, the others end
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "interrupt.h"
#include "model.h"
#include "out.h"
#include "search.h"
#include "trial.h"
#include "workers.h"

/* ------------------------------------------------------------------ */
/* Configurations                                                       */
/* ------------------------------------------------------------------ */

static nn_range range_of(const SearchKey *k)
{
    return (nn_range){ k->lo, k->hi, k->log };
}

static void clear_trial(SearchTrial *t)
{
    memset(t, 0, sizeof *t);
    t->train_acc = t->dev_acc = t->dev_loss = t->train_loss = NAN;
    t->state = TRIAL_WAITING;
}

/* The next random configuration from the search's stream. */
static void draw_random(Experiments *e, nn_rng *rng, int t)
{
    clear_trial(&e->t[t]);
    for (int k = 0; k < e->nkeys; k++)
        e->t[t].values[k] = search_key_value(&e->keys[k],
                                             nn_rng_uniform(rng));
}

void search_make_fixed(Session *s, Experiments *e)
{
    nn_rng rng;
    nn_rng_seed(&rng, model_seed(s), NN_STREAM_SEARCH, 0);
    e->epochs_total = 0;
    if (e->method == SEARCH_GRID) {
        int g = (int)floor(pow(e->trials, 1.0 / e->nkeys) + 1e-9);
        g = g < 2 ? 2 : g;
        int total = 1;
        for (int k = 0; k < e->nkeys; k++)
            total *= g;
        e->ntrials = total < EXP_MAX_TRIALS ? total : EXP_MAX_TRIALS;
        for (int t = 0; t < e->ntrials; t++) {
            clear_trial(&e->t[t]);
            for (int k = 0, rest = t; k < e->nkeys; k++, rest /= g)
                e->t[t].values[k] = search_key_value(
                    &e->keys[k], (double)(rest % g) / (g - 1));
        }
        return;
    }
    e->ntrials = e->trials;
    for (int t = 0; t < e->ntrials; t++)
        draw_random(e, &rng, t);
}

/* ------------------------------------------------------------------ */
/* In the worker: one trial, kept between rungs                         */
/* ------------------------------------------------------------------ */

typedef struct TaskState {
    const Experiments *e;
    nn_net *net;
    nn_trainer tr;
    TrialResult res;
} TaskState;

static int run_task(Session *s, void *ctx, int id, int budget, Buf *out)
{
    TaskState *c = ctx;   /* the worker's own copy: nothing shared */
    if (!c->net) {
        if (!(c->net = trial_new(s, &c->tr)))
            return cmd_error(s, "out of memory"), -1;
        for (int k = 0; k < c->e->nkeys; k++) {
            char text[64];
            snprintf(text, sizeof text, "%.17g", c->e->t[id].values[k]);
            if (trial_apply_setting(s, c->net, &c->tr, c->e->keys[k].name,
                                    text))
                return -1;
        }
        if (trial_start(s, c->net, &c->tr))
            return -1;
        memset(&c->res, 0, sizeof c->res);
    }
    if (trial_advance(s, &c->tr, budget, &c->res))
        return -1;
    trial_pack(&c->tr, &c->res, 0, out);
    return 0;
}

/* ------------------------------------------------------------------ */
/* In the shell: results as they come                                   */
/* ------------------------------------------------------------------ */

typedef struct Runner {
    Session *s;
    Experiments *e;
    Workers *w;
} Runner;

static void store(Runner *r, const WorkerResult *res)
{
    SearchTrial *t = &r->e->t[res->id];
    TrialResult tr;
    int before = t->epochs;
    if (res->ok && trial_unpack(res->data, res->len, &tr, NULL) == 0) {
        t->train_loss = tr.train_loss;
        t->train_acc = tr.train_acc;
        t->dev_acc = tr.dev_acc;
        t->dev_loss = tr.dev_loss;
        t->seconds = tr.seconds;
        t->epochs = tr.epochs;
        t->diverged = tr.diverged;
        t->state = TRIAL_DONE;
        r->e->epochs_total += tr.epochs - before;
    } else {
        char why[160];
        snprintf(why, sizeof why, "%s", res->ok ? "its result was garbled"
                                                : res->why);
        out_one_line(why);
        t->state = TRIAL_FAILED;
        out_printf(r->s, "search: trial %d failed: %s; the others go on\n",
                   res->id + 1, why);
    }
    search_append_result(r->s, r->e, res->id);
}

/* Wait for `count` results; their workers end unless `keep` (halving's
 * survivors continue in them).  0, or -1 when interrupted. */
static int collect(Runner *r, int count, int keep)
{
    for (int i = 0; i < count; i++) {
        WorkerResult res;
        int rc = workers_next(r->w, &res);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        store(r, &res);
        if (!keep || r->e->t[res.id].state != TRIAL_DONE)
            workers_release(r->w, res.id);
    }
    return 0;
}

static int submit(Runner *r, int id, int budget)
{
    if (workers_submit(r->w, id, budget))
        return cmd_error(r->s, "out of memory"), -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The methods                                                          */
/* ------------------------------------------------------------------ */

static int run_fixed(Runner *r, int only)
{
    Experiments *e = r->e;
    int first = only ? only - 1 : 0, last = only ? only : e->ntrials;
    for (int t = first; t < last; t++)
        if (submit(r, t, e->epochs))
            return -1;
    return collect(r, last - first, 0);
}

/* The trials done so far as points of the unit cube and their scores,
 * in the order chosen; their count. */
static int observed(const Experiments *e, double *X, double *y)
{
    int n = 0;
    for (int t = 0; t < e->ntrials; t++) {
        double v = search_score(&e->t[t]);
        if (!isfinite(v))
            continue;
        for (int k = 0; k < e->nkeys; k++) {
            nn_range rg = range_of(&e->keys[k]);
            X[(size_t)n * e->nkeys + k] =
                nn_range_to_unit(&rg, e->t[t].values[k]);
        }
        y[n++] = v;
    }
    return n;
}

/* Choose trial t (the j-th of its round) with the Gaussian process; with
 * nothing observed yet, at random. */
static int choose_bayes(Runner *r, double *X, double *y, int nobs, int j,
                        nn_rng *rng, int t)
{
    Experiments *e = r->e;
    int d = e->nkeys;
    double u[EXP_MAX_KEYS];
    nn_err err;
    if (nobs == 0) {
        draw_random(e, rng, t);
        return 0;
    }
    if (nn_bayes_next(X, y, nobs, j, d, rng, u, NULL, &err))
        return cmd_error(r->s, "%s", err.msg), -1;
    memcpy(X + (size_t)(nobs + j) * d, u, (size_t)d * sizeof *u);
    clear_trial(&e->t[t]);
    for (int k = 0; k < d; k++)
        e->t[t].values[k] = search_key_value(&e->keys[k], u[k]);
    return 0;
}

static int run_bayes(Runner *r)
{
    Experiments *e = r->e;
    nn_rng rng;
    uint64_t seed = model_seed(r->s);
    nn_rng_seed(&rng, seed, NN_STREAM_SEARCH, 0);
    int start = e->startup < e->trials ? e->startup : e->trials;
    for (e->ntrials = 0; e->ntrials < start; e->ntrials++) {
        draw_random(e, &rng, e->ntrials);
        if (submit(r, e->ntrials, e->epochs))
            return -1;
    }
    if (collect(r, start, 0))
        return -1;
    double *X = malloc((size_t)(e->trials + 1) * e->nkeys * sizeof *X);
    double *y = malloc((size_t)(e->trials + 1) * sizeof *y);
    int rc = X && y ? 0 : (cmd_error(r->s, "out of memory"), -1);
    for (int round = 1; !rc && e->ntrials < e->trials; round++) {
        int k = e->trials - e->ntrials < e->round ? e->trials - e->ntrials
                                                  : e->round;
        int nobs = observed(e, X, y);
        nn_rng_seed(&rng, seed, NN_STREAM_SEARCH, (uint64_t)round);
        for (int j = 0; !rc && j < k; j++, e->ntrials++)
            rc = choose_bayes(r, X, y, nobs, j, &rng, e->ntrials) ||
                 submit(r, e->ntrials, e->epochs);
        if (!rc)
            rc = collect(r, k, 0);
    }
    free(X);
    free(y);
    return rc;
}

static int by_score(const void *a, const void *b, void *ctx)
{
    const Experiments *e = ctx;
    int i = *(const int *)a, j = *(const int *)b;
    double x = search_score(&e->t[i]), y = search_score(&e->t[j]);
    double tx = e->t[i].train_acc, ty = e->t[j].train_acc;
    if (x != y)
        return (y > x) - (y < x);
    if (tx != ty && !isnan(tx) && !isnan(ty))
        return (ty > tx) - (ty < tx);
    return (i > j) - (i < j);
}

static int run_halving(Runner *r)
{
    Experiments *e = r->e;
    nn_rng rng;
    nn_rng_seed(&rng, model_seed(r->s), NN_STREAM_SEARCH, 0);
    e->ntrials = e->rungs[0].configs;
    int *alive = malloc((size_t)e->ntrials * sizeof *alive);
    if (!alive)
        return cmd_error(r->s, "out of memory"), -1;
    for (int t = 0; t < e->ntrials; t++) {
        draw_random(e, &rng, t);
        alive[t] = t;
    }
    int n = e->ntrials, rc = 0;
    for (int g = 0; !rc && g < e->nrungs; g++) {
        if (g > 0) {    /* the best go on; the others' workers end */
            qsort_r(alive, (size_t)n, sizeof *alive, by_score, e);
            int keep = e->rungs[g].configs < n ? e->rungs[g].configs : n;
            for (int i = keep; i < n; i++)
                workers_release(r->w, alive[i]);
            n = keep;
            while (n > 0 && e->t[alive[n - 1]].state != TRIAL_DONE)
                n--;
        }
        for (int i = 0; !rc && i < n; i++) {
            e->t[alive[i]].rung = g;
            rc = submit(r, alive[i], e->rungs[g].epochs);
        }
        if (!rc)
            rc = collect(r, n, g + 1 < e->nrungs);
    }
    free(alive);
    return rc;
}

int search_run(Session *s, Experiments *e, const SearchRunOpts *o)
{
    int tasks = e->trials;
    if (e->method == SEARCH_GRID)
        tasks = e->ntrials;
    if (e->method == SEARCH_HALVING)
        for (int g = tasks = 0; g < e->nrungs; g++)
            tasks += e->rungs[g].configs;
    TaskState task = { .e = e };
    Runner r = { s, e, workers_new(s, o->jobs, run_task, &task, "search",
                                   "trials", o->only ? 1 : tasks) };
    if (!r.w)
        return CMD_ERR;
    e->epochs_total = 0;
    e->jobs = o->jobs;
    double t0 = clock_now();
    int rc;
    switch (e->method) {
    case SEARCH_BAYES: rc = run_bayes(&r); break;
    case SEARCH_HALVING: rc = run_halving(&r); break;
    default: rc = run_fixed(&r, o->only); break;
    }
    workers_free(r.w);
    e->wall = clock_now() - t0;
    if (rc && nnlab_interrupted) {
        int done = 0;
        for (int t = 0; t < e->ntrials; t++)
            done += e->t[t].state == TRIAL_DONE;
        return cmd_error(s, "interrupted: every trial stopped; the %d "
                         "finished are kept", done);
    }
    return rc ? CMD_ERR : CMD_OK;
}
