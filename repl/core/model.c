/*
 * model.c — the session's model: engine objects, binding, and the values
 * lessons check (model_lookup).
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "experiment.h"
#include "num.h"
#include "out.h"
#include "safefile.h"

ModelState *model_state(Session *s)
{
    if (s->model)
        return s->model;
    ModelState *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    nn_trainer_init(&m->tr);
    /* the dev split measured as often as costs ~2.5% of training, and
     * where a progress line shows it (cmd_train.c asks) */
    nn_trainer_set_dev_spacing(&m->tr, NN_DEV_SPACING);
    m->gc_max = NAN;
    m->init.kind = NN_INIT_HE;
    m->init.gain = 1;
    m->keep = 1;
    s->model = m;
    s->tr = &m->tr;
    return m;
}

static void forget_gradcheck(ModelState *m)
{
    free(m->gc);
    m->gc = NULL;
    m->gc_n = 0;
    m->gc_max = NAN;
}

void model_params_changed(Session *s)
{
    ModelState *m = model_state(s);
    if (!m || !s->net)
        return;
    nn_trainer_zero_moments(&m->tr, s->net);
    nn_trainer_guard_rebase(&m->tr);
    forget_gradcheck(m); /* it named the old tensors */
}

void model_free(Session *s)
{
    if (s->model) {
        nn_trainer_free(&s->model->tr);
        nn_ensemble_free(s->model->ens);
        free(s->model->gc);
        free(s->model);
    }
    nn_net_free(s->net);
    nn_data_free(s->data);
    s->model = NULL;
    s->tr = NULL;
    s->net = NULL;
    s->data = NULL;
}

/* ------------------------------------------------------------------ */
/* Putting the model aside                                              */
/* ------------------------------------------------------------------ */

static void stash_swap(Session *s, ModelStash *st)
{
    ModelStash held = {s->data, s->net, s->model, s->exp};
    s->data = st->data;
    s->net = st->net;
    s->model = st->model;
    s->exp = st->exp;
    s->tr = s->model ? &s->model->tr : NULL;
    *st = held;
}

void model_stash(Session *s, ModelStash *st)
{
    *st = (ModelStash){0};
    stash_swap(s, st);
}

void model_unstash(Session *s, ModelStash *st)
{
    model_free(s);
    experiment_free(s);
    stash_swap(s, st);
    *st = (ModelStash){0};
}

/* The stash is freed as the session's own model would be: swapped in,
 * freed, and the session's put back. */
void model_stash_free(Session *s, ModelStash *st)
{
    stash_swap(s, st);
    model_free(s);
    experiment_free(s);
    stash_swap(s, st);
}

int model_bind(Session *s)
{
    ModelState *m = model_state(s);
    nn_err err;
    if (!m) {
        cmd_error(s, "out of memory");
        return -1;
    }
    if (nn_trainer_bind(&m->tr, s->net, s->data, &err)) {
        cmd_error(s, "%s", err.msg);
        return -1;
    }
    return 0;
}

int model_bind_quiet(Session *s)
{
    ModelState *m = model_state(s);
    nn_err err;
    if (!m || !s->net || !s->data)
        return -1;
    return nn_trainer_bind(&m->tr, s->net, s->data, &err);
}

void model_sched_text(const nn_sched *d, char *buf, size_t n)
{
    const char *name = nn_sched_names[d->kind];
    switch (d->kind) {
    case NN_SCHED_INVERSE:
    case NN_SCHED_EXP:
        snprintf(buf, n, "%s %g every=%d", name, d->rate, d->every);
        break;
    case NN_SCHED_STEP:
        snprintf(buf, n, "%s %d %g", name, d->every, d->factor);
        break;
    case NN_SCHED_CYCLIC:
        snprintf(buf, n, "%s %g %g half=%d", name, d->low, d->high, d->half);
        break;
    case NN_SCHED_SGDR:
        snprintf(buf, n, "%s period=%d mult=%d min=%g", name, d->period,
                 d->mult, d->min_lr);
        break;
    default:
        snprintf(buf, n, "%s", name);
        break;
    }
}

void model_warmup_text(const nn_warmup *w, char *buf, size_t n)
{
    if (w->length <= 0)
        snprintf(buf, n, "off");
    else
        snprintf(buf, n, "%d %s from=%g", w->length, nn_unit_names[w->unit],
                 w->from);
}

void model_augment_text(const nn_augment *a, char *buf, size_t n)
{
    size_t w = 0;
    const struct { const char *key; double v; } on[] = {
        { "shift", a->shift }, { "rotate", a->rotate },
        { "flip", a->flip != NN_FLIP_NONE }, { "noise", a->noise },
        { "zoom", a->zoom > 1 ? a->zoom : 0 },
    };
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof on / sizeof *on && w < n; i++) {
        if (!(on[i].v > 0))
            continue;
        if (i == 2)
            w += (size_t)snprintf(buf + w, n - w, "%sflip=%s", w ? " " : "",
                                  nn_flip_names[a->flip]);
        else
            w += (size_t)snprintf(buf + w, n - w, "%s%s=%g", w ? " " : "",
                                  on[i].key, on[i].v);
    }
    if (!buf[0])
        snprintf(buf, n, "off");
}

int model_need_net(Session *s)
{
    if (s->net)
        return 0;
    cmd_error(s, "no network yet; build one with net, e.g. 'net 2 10 1'");
    return -1;
}

int model_need_data(Session *s)
{
    if (s->data)
        return 0;
    cmd_error(s, "no data yet; load some first, e.g. 'data circles'");
    return -1;
}

uint64_t model_seed(Session *s)
{
    ModelState *m = model_state(s);
    return m ? m->tr.seed : 1;
}

void model_set_seed(Session *s, uint64_t seed)
{
    ModelState *m = model_state(s);
    if (m)
        m->tr.seed = seed;
}

void model_restart(Session *s)
{
    ModelState *m = model_state(s);
    if (!m)
        return;
    /* The net or data the trainer was last bound to may just have been
     * freed (net, load, data): restart must clear the current net's
     * moments, not touch the old one.  The next model_bind binds again. */
    nn_trainer_unbind(&m->tr, s->net);
    nn_trainer_restart(&m->tr);
    forget_gradcheck(m);
}

int model_save_file(Session *s, const char *path, nn_err *err)
{
    ModelState *m = model_state(s);
    if (!m || !s->net)
        return nn_fail(err, "no network to save");
    /* the preprocessing of the data this network takes, so that load
     * makes the same inputs again */
    nn_prep prep = { NN_NORM_OFF, 0, 0 };
    if (s->data && nn_data_inputs(s->data) == s->net->n_in)
        nn_data_get_prep(s->data, &prep);
    /* the file only takes the model's place once it is whole (safefile.h) */
    SafeFile sf;
    if (safefile_open(&sf, path, SAFEFILE_DIRECT, err->msg, sizeof err->msg))
        return -1;
    FILE *f = safefile_stream(&sf);
    if (!f) {
        safefile_abort(&sf);
        return nn_fail(err, "out of memory");
    }
    /* a write that failed is told by commit, with its cause */
    if (nn_model_write(f, path, s->net, &m->tr, &prep, err) && !ferror(f)) {
        safefile_abort(&sf);
        return -1;
    }
    return safefile_commit(&sf, err->msg, sizeof err->msg) ? -1 : 0;
}

void model_data_changed(Session *s, const char *why)
{
    ModelState *m = model_state(s);
    if (!m)
        return;
    int n = m->ens ? nn_ensemble_size(m->ens) : 0;
    if (n > 0) {
        nn_ensemble_clear(m->ens);
        out_printf(s, "ensemble: cleared its %d member%s (%s; members "
                   "belong to the data they were trained on)\n", n,
                   n == 1 ? "" : "s", why);
    }
    nn_err err;
    if (s->data && nn_augment_on(&m->tr.aug) &&
        nn_augment_check(&m->tr.aug, s->data, &err)) {
        m->tr.aug = (nn_augment){ 0 };
        out_printf(s, "augment off: %s\n", err.msg);
    }
}

int model_outputs_for_data(const Session *s)
{
    if (!s->data)
        return 0;
    switch (nn_data_task(s->data)) {
    case NN_TASK_CLASSIFY:
        return nn_data_classes(s->data) == 2 ? 1 : nn_data_classes(s->data);
    case NN_TASK_REGRESS:
        return 1;
    default:
        return 0;
    }
}

/* "0.912", or "-" for a figure there is none of (no epoch yet, no dev
 * split, no accuracy in regression); a NaN that was measured (weights
 * that overflowed) reads "nan". */
static const char *num_or_dash(char *buf, size_t n, int digits, double v,
                               int measured)
{
    if (!measured)
        return "-";
    return num_g(buf, n, digits, v);
}

/* Losses on a progress line have 6 significant digits: a learning rate
 * too low moves the cost by 1e-4 an update (2.302576, 2.302420), which 4
 * digits hide (2.303, 2.303).  Every line the same, so a column never
 * mixes roundings. */
#define LOSS_DIGITS 6

void model_print_progress(Session *s)
{
    nn_trainer *tr = &s->model->tr;
    const nn_history *h = &tr->hist;
    char a[32], b[32], c[32], d[32];
    double tacc = NAN, dacc = NAN, dloss = NAN;
    int dev = tr->data ? nn_data_count(tr->data, NN_DEV) : 0;
    int sample = nn_trainer_dev_sample(tr);
    if (h->ne > 0) {
        tacc = h->train_acc[h->ne - 1];
        dacc = h->dev_acc[h->ne - 1];
        dloss = h->dev_loss[h->ne - 1];
    }
    int has_dev = h->ne > 0 && dev > 0;
    int acc = h->ne > 0 && s->data &&
              nn_data_task(s->data) == NN_TASK_CLASSIFY;
    /* The trainer measures dev at the epochs' ends that lines show (the
     * train job asks for them), not at every one: where it did not (a run
     * paused, a batch size changed on the way), measure it now. */
    nn_eval now;
    if (has_dev && isnan(dloss) && sample > 0 &&
        nn_trainer_measure_dev(tr, &now, NULL) == 0) {
        dloss = now.loss;
        dacc = now.acc;
    }
    out_printf(s, "iter %6ld  epoch %4d  batch cost %-10s dev loss %-10s "
               "train acc %-6s dev acc %-6s lr %.3g",
               tr->iter, tr->epoch,
               num_g(d, sizeof d, LOSS_DIGITS, tr->last_loss),
               num_or_dash(a, sizeof a, LOSS_DIGITS, dloss, has_dev),
               num_or_dash(b, sizeof b, 3, tacc, acc),
               num_or_dash(c, sizeof c, 3, dacc, has_dev && acc),
               nn_trainer_lr(tr));
    /* the dev figures came from the trainer's fixed sample of a large dev
     * split (train.h): say so where they are shown */
    if (has_dev && sample < dev)
        out_printf(s, "  (dev: %d of %d)", sample, dev);
    out_printf(s, "\n");
}

/* ------------------------------------------------------------------ */
/* Values for lesson checks                                             */
/* ------------------------------------------------------------------ */

const char *const model_var_names[] = {
    "train_acc", "dev_acc", "test_acc",
    "train_loss", "dev_loss", "test_loss",
    "loss", "initial_loss", "iter", "epoch", "lr",
    "gradcheck_max", "gradcheck_passed", "layers",
    "layer.act_mean", "layer.act_std", "layer.saturated", "layer.dead",
    "layer.w_mean", "layer.w_var", "layer.w_small", "layer.grad_norm",
    "layer.update_ratio", "search_best", "search_mean", "ewa_v",
    "ewa_corrected",
    NULL
};

static int split_metric(Session *s, nn_split sp, int want_acc, double *v)
{
    double loss, acc;
    if (!s->net || !s->data || model_bind(s) ||
        nn_trainer_evaluate(&s->model->tr, sp, &loss, &acc, NULL))
        return -1;
    *v = want_acc ? acc : loss;
    return isnan(*v) ? -1 : 0;
}

static int layer_metric(Session *s, const char *name, int index, double *v)
{
    nn_layer_stats st;
    if (!s->net)
        return -1;
    if (index < 1 || index > s->net->n_layers)
        return MODEL_OUT_OF_RANGE;   /* no command will make it exist */
    nn_stats_layer(s->net, index - 1, &st);
    static const struct { const char *name; size_t off; } fields[] = {
        { "layer.act_mean", offsetof(nn_layer_stats, act_mean) },
        { "layer.act_std", offsetof(nn_layer_stats, act_std) },
        { "layer.saturated", offsetof(nn_layer_stats, saturated) },
        { "layer.dead", offsetof(nn_layer_stats, dead) },
        { "layer.w_var", offsetof(nn_layer_stats, w_var) },
        { "layer.w_mean", offsetof(nn_layer_stats, w_mean) },
        { "layer.w_small", offsetof(nn_layer_stats, w_small) },
        { "layer.grad_norm", offsetof(nn_layer_stats, g_norm) },
        { "layer.update_ratio", offsetof(nn_layer_stats, update_ratio) },
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (!strcmp(name, fields[i].name)) {
            *v = *(const double *)((const char *)&st + fields[i].off);
            return 0;
        }
    return -1;
}

/* The dev accuracies of the last search's finished trials: the best and
 * the mean, so that a lesson can judge a search the student ran (the
 * mean rises when a refined search keeps to the good region). */
static int search_metric(Session *s, int want_best, double *v)
{
    const Experiments *e = s->exp;
    double best = -INFINITY, sum = 0;
    int n = 0;
    for (int t = 0; e && t < e->ntrials; t++) {
        const SearchTrial *x = &e->t[t];
        if (x->state != TRIAL_DONE || isnan(x->dev_acc))
            continue;
        best = fmax(best, x->dev_acc);
        sum += x->dev_acc;
        n++;
    }
    if (!n)
        return -1;
    *v = want_best ? best : sum / n;
    return 0;
}

int model_lookup(Session *s, const char *name, int index, double *value)
{
    static const struct { const char *name; nn_split sp; int acc; } splits[] = {
        { "train_acc", NN_TRAIN, 1 }, { "dev_acc", NN_DEV, 1 },
        { "test_acc", NN_TEST, 1 },   { "train_loss", NN_TRAIN, 0 },
        { "dev_loss", NN_DEV, 0 },    { "test_loss", NN_TEST, 0 },
    };
    for (size_t i = 0; i < sizeof splits / sizeof *splits; i++)
        if (!strcmp(name, splits[i].name))
            return split_metric(s, splits[i].sp, splits[i].acc, value);
    if (!strncmp(name, "layer.", 6))
        return layer_metric(s, name, index, value);
    if (!strcmp(name, "search_best") || !strcmp(name, "search_mean"))
        return search_metric(s, !strcmp(name, "search_best"), value);
    if (!strcmp(name, "ewa_v") || !strcmp(name, "ewa_corrected")) {
        if (!s->exp || !s->exp->ewa_done)
            return -1;
        *value = s->exp->ewa_last[!strcmp(name, "ewa_corrected")];
        return 0;
    }
    ModelState *m = model_state(s);
    if (!m)
        return -1;
    const nn_trainer *tr = &m->tr;
    if (!strcmp(name, "loss"))
        *value = tr->last_loss;
    else if (!strcmp(name, "initial_loss"))
        *value = tr->first_loss;
    else if (!strcmp(name, "iter"))
        *value = (double)tr->iter;
    else if (!strcmp(name, "epoch"))
        *value = tr->epoch;
    else if (!strcmp(name, "lr"))
        *value = nn_trainer_lr(tr);
    else if (!strcmp(name, "gradcheck_max"))
        *value = m->gc_max;
    else if (!strcmp(name, "gradcheck_passed"))
        *value = isnan(m->gc_max) ? NAN : m->gc_max < 1e-7;
    else if (!strcmp(name, "layers"))
        *value = s->net ? s->net->n_layers : NAN;
    else
        return -1;
    return isnan(*value) ? -1 : 0;
}

void model_optim_note(Session *s, nn_optim_kind k, const char *setting)
{
    static const char *const users[] = { "beta", "momentum and nesterov",
                                         "beta1", "adam",
                                         "beta2", "adam",
                                         "eps", "adam and rmsprop",
                                         "rho", "rmsprop",
                                         "correct", "rmsprop" };
    if (nn_optim_uses(k, setting))
        return;
    for (int i = 0; i < 12; i += 2)
        if (!strcmp(users[i], setting))
            out_printf(s, "note: %s is for %s; %s does not use it\n", setting,
                       users[i + 1], nn_optim_names[k]);
}
