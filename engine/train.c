/*
 * train.c — the trainer (see train.h).
 *
 * The step is: take the next slice of the epoch's shuffled order, fill the
 * batch buffers, forward, cost, backward, clip, update, record.  The
 * settings that depend on the position in training, and the rates of the
 * schedule, are in train_set.c; measuring a split, and when the dev split
 * is measured at an epoch's end, in train_eval.c.  All buffers are
 * sized by nn_trainer_bind(), the history too (history.h), so a step
 * allocates nothing; only early stopping's first copy of the best weights
 * and a batch size grown since the bind allocate, once.
 *
 * What the step records costs little beside the step itself: the cost is
 * computed once (the epoch's data loss from it), the layer statistics and
 * the gradient norm come from sums the optimizer gathers in its own pass
 * (nn_history_add_step), and the dev split is measured only as often as
 * train_eval.c says.
 */
#include "train.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* dev_since after a restart: the first epoch's end measures dev */
#define DEV_FIRST (LONG_MAX / 2)

void nn_trainer_init(nn_trainer *tr)
{
    memset(tr, 0, sizeof *tr);
    nn_optim_defaults(&tr->opt);
    nn_sched_defaults(&tr->sched);
    nn_warmup_defaults(&tr->warm);
    nn_clip_defaults(&tr->clip);
    tr->batch = 64;
    tr->seed = 1;
    tr->patience = 10;
    tr->guard = 1;
    tr->guard_power = 1;
    tr->first_loss = NAN;
    tr->guard_ref = NAN;
    tr->guard_floor = 0;
    tr->last_loss = NAN;
    tr->grad_norm = NAN;
    tr->best_dev = INFINITY;
    tr->dev_since = DEV_FIRST;
    tr->want_iter = tr->want_epoch = -1;
    /* an all-zero xoshiro state yields only zeros: no shuffle, no dropout */
    nn_rng_seed(&tr->shuffle, tr->seed, NN_STREAM_SHUFFLE, 0);
    nn_rng_seed(&tr->drop, tr->seed, NN_STREAM_DROPOUT, 0);
    nn_rng_seed(&tr->augment, tr->seed, NN_STREAM_AUGMENT, 0);
}

void nn_trainer_free(nn_trainer *tr)
{
    nn_history_free(&tr->hist);
    free(tr->X);
    free(tr->Y);
    free(tr->EX);
    free(tr->EY);
    tr->EX = tr->EY = NULL;
    tr->x_have = tr->y_have = tr->ex_have = tr->ey_have = 0;
    free(tr->perm);
    free(tr->AW);
    tr->AW = NULL;
    tr->aw_have = 0;
    nn_net_free(tr->best);
    tr->X = tr->Y = NULL;
    tr->perm = NULL;
    tr->best = NULL;
    tr->net = NULL;
}

/* ------------------------------------------------------------------ */
/* Binding                                                              */
/* ------------------------------------------------------------------ */

static int batch_rows(const nn_trainer *tr)
{
    return tr->batch > 0 && tr->batch < tr->n_train ? tr->batch : tr->n_train;
}

/* Grow *buf to hold rows x cols doubles. */
static int ensure_buf(double **buf, size_t *have, int rows, int cols)
{
    size_t n = (size_t)rows * (size_t)cols;
    if (n <= *have)
        return 0;
    double *b = realloc(*buf, n * sizeof *b);
    if (!b)
        return -1;
    *buf = b;
    *have = n;
    return 0;
}

/* Size the batch and evaluation buffers (and the net's caches) for the
 * current batch setting; grow only.  Called by bind and, since the batch
 * size may change between steps, by every step. */
static int size_buffers(nn_trainer *tr, nn_net *net, int ycols, int n_train)
{
    int rows = tr->batch > 0 && tr->batch < n_train ? tr->batch : n_train;
    if (ensure_buf(&tr->X, &tr->x_have, rows, net->n_in) ||
        ensure_buf(&tr->Y, &tr->y_have, rows, ycols) ||
        ensure_buf(&tr->EX, &tr->ex_have, NN_EVAL_CHUNK, net->n_in) ||
        ensure_buf(&tr->EY, &tr->ey_have, NN_EVAL_CHUNK, ycols) ||
        nn_net_reserve(net, rows > NN_EVAL_CHUNK ? rows : NN_EVAL_CHUNK,
                       NULL))
        return -1;
    return rows;
}

/* The augmentation's work for batches of `rows`, when it is on. */
static int size_augment(nn_trainer *tr, const nn_data *data, int rows)
{
    size_t n = nn_augment_work(data, rows);
    if (!nn_augment_on(&tr->aug) || n <= tr->aw_have)
        return 0;
    double *w = realloc(tr->AW, n * sizeof *w);
    if (!w)
        return -1;
    tr->AW = w;
    tr->aw_have = n;
    return 0;
}

int nn_trainer_check_loss(nn_loss loss, const nn_data *data, nn_err *err)
{
    if (loss == NN_LOSS_BCE && nn_data_task(data) == NN_TASK_REGRESS) {
        /* −[y log a + (1−y) log(1−a)] has no minimum for y outside [0, 1]:
         * the cost runs off to −1e24 and the guard sees no NaN */
        double lo, hi;
        nn_data_target_range(data, &lo, &hi);
        return nn_fail(err, "loss=bce needs targets 0 or 1, but these data "
                       "are a regression with targets from %g to %g: use "
                       "loss=mse", lo, hi);
    }
    return 0;
}

int nn_trainer_bind(nn_trainer *tr, nn_net *net, const nn_data *data,
                    nn_err *err)
{
    tr->net = NULL;
    if (!net)
        return nn_fail(err, "no network yet: build one with net, e.g. "
                       "'net 2 10 1'");
    if (!data)
        return nn_fail(err, "no data yet: load some with data, e.g. "
                       "'data circles'");
    if (nn_data_inputs(data) != net->n_in)
        return nn_data_inputs(data) == nn_data_features(data)
            ? nn_fail(err, "the network takes %d inputs but the data has "
                      "%d features", net->n_in, nn_data_features(data))
            : nn_fail(err, "the network takes %d inputs but the data give "
                      "%d (PCA keeps %d of their %d features)", net->n_in,
                      nn_data_inputs(data), nn_data_inputs(data),
                      nn_data_features(data));
    int ycols = nn_net_outputs(net);
    if (nn_data_task(data) != NN_TASK_NONE && !nn_data_ycols_ok(data, ycols))
        return nn_fail(err, "the network has %d outputs, which does not fit "
                       "%d classes", ycols, nn_data_classes(data));
    if (nn_trainer_check_loss(net->loss, data, err))
        return -1;
    int n_train = nn_data_count(data, NN_TRAIN);
    if (n_train < 1)
        return nn_fail(err, "the training split is empty");
    if (nn_augment_check(&tr->aug, data, err))
        return -1;
    int rows = size_buffers(tr, net, ycols, n_train);
    if (rows < 0 || size_augment(tr, data, rows))
        return nn_fail(err, "out of memory for batches of %d",
                       tr->batch > 0 && tr->batch < n_train ? tr->batch
                                                            : n_train);
    if (nn_history_reserve(&tr->hist, net->n_layers))
        return nn_fail(err, "out of memory for the history");
    if (n_train != tr->n_train || data != tr->data) {
        int *perm = realloc(tr->perm, (size_t)n_train * sizeof *perm);
        if (!perm)
            return nn_fail(err, "out of memory");
        tr->perm = perm;
        for (int i = 0; i < n_train; i++)
            perm[i] = i;
        tr->pos = 0;
        tr->epoch_iter = tr->iter;
    }
    tr->n_train = n_train;
    tr->ycols = ycols;
    tr->data = data;
    tr->net = net;
    net->reg_m = n_train;
    return 0;
}

void nn_trainer_copy_settings(nn_trainer *dst, const nn_trainer *src)
{
    dst->opt = src->opt;
    dst->sched = src->sched;
    dst->warm = src->warm;
    dst->clip = src->clip;
    dst->batch = src->batch;
    dst->early = src->early;
    dst->patience = src->patience;
    dst->guard = src->guard;
    dst->aug = src->aug;
}

void nn_trainer_unbind(nn_trainer *tr, nn_net *net)
{
    tr->net = net;
    tr->data = NULL;
}

void nn_trainer_zero_moments(nn_trainer *tr, nn_net *net)
{
    if (net)
        nn_net_zero_moments(net);
    tr->opt.t = 0;
}

void nn_trainer_restart(nn_trainer *tr)
{
    tr->iter = 0;
    tr->epoch = 0;
    tr->pos = 0;
    tr->epoch_iter = 0;
    tr->opt.t = 0;
    tr->sched.origin_iter = tr->warm.origin_iter = 0;
    tr->sched.origin_epoch = tr->warm.origin_epoch = 0;
    tr->grad_norm = NAN;
    tr->clip_count = 0;
    tr->first_loss = NAN;
    tr->last_loss = NAN;
    tr->guard_ref = NAN;
    tr->guard_floor = 0;
    tr->guard_settling = 0;
    tr->guard_n = 0;
    tr->guard_avg = 0;
    tr->guard_power = 1;
    tr->stop_iter = 0;
    tr->best_dev = INFINITY;
    tr->best_epoch = 0;
    tr->since_best = 0;
    tr->dev_since = DEV_FIRST;
    tr->want_iter = tr->want_epoch = -1;
    tr->ep_loss = tr->ep_correct = 0;
    tr->ep_rows = 0;
    nn_history_clear(&tr->hist);
    nn_rng_seed(&tr->shuffle, tr->seed, NN_STREAM_SHUFFLE, 0);
    nn_rng_seed(&tr->drop, tr->seed, NN_STREAM_DROPOUT, 0);
    nn_rng_seed(&tr->augment, tr->seed, NN_STREAM_AUGMENT, 0);
    for (int i = 0; tr->perm && i < tr->n_train; i++)
        tr->perm[i] = i;
    if (tr->net)
        nn_net_zero_moments(tr->net);
}

int nn_trainer_iters_per_epoch(const nn_trainer *tr)
{
    int b = batch_rows(tr);
    return b > 0 ? (tr->n_train + b - 1) / b : 0;
}

/* ------------------------------------------------------------------ */
/* Probes                                                               */
/* ------------------------------------------------------------------ */

/* A forward pass in training mode (batch statistics, no dropout) that
 * leaves batch norm's running statistics as they are, for costs the
 * trainer looks at without training on them. */
static void forward_probe(nn_net *net, const double *X, int rows)
{
    double mom = net->bn_momentum;
    net->bn_momentum = 1; /* running = 1·running + 0·batch: unchanged */
    nn_net_forward(net, X, rows, 1, NULL);
    net->bn_momentum = mom;
}

double nn_trainer_probe_cost(nn_trainer *tr, int rows)
{
    nn_net *net = tr->net;
    if (!net || rows < 1)
        return NAN;
    if (rows > batch_rows(tr))
        rows = batch_rows(tr);
    /* the batch buffers still hold the last batch trained on */
    forward_probe(net, tr->X, rows);
    return nn_net_cost(net, tr->Y, 1);
}

double nn_trainer_probe_cost_same_mask(nn_trainer *tr, int rows)
{
    nn_net *net = tr->net;
    if (!net || rows < 1)
        return NAN;
    if (rows > batch_rows(tr))
        rows = batch_rows(tr);
    /* the batch buffers and the layers' masks are the last update's */
    nn_net_forward_same_mask(net, tr->X, rows);
    return nn_net_cost(net, tr->Y, 1);
}

/* ------------------------------------------------------------------ */
/* History                                                              */
/* ------------------------------------------------------------------ */

/* The figures of the epoch that just ended, then a fresh count. */
static void record_epoch(nn_trainer *tr, double dev_loss, double dev_acc)
{
    double n = (double)tr->ep_rows;
    int classify = nn_data_task(tr->data) == NN_TASK_CLASSIFY;
    nn_history_add_epoch(&tr->hist, tr->iter, tr->epoch, tr->ep_lr,
                         n ? tr->ep_loss / n : NAN,
                         n && classify ? tr->ep_correct / n : NAN, dev_loss,
                         dev_acc);
    tr->ep_loss = tr->ep_correct = 0;
    tr->ep_rows = 0;
}

/* ------------------------------------------------------------------ */
/* The step                                                             */
/* ------------------------------------------------------------------ */

void nn_net_copy_weights(nn_net *dst, const nn_net *src)
{
    for (int i = 0; i < src->n_layers; i++) {
        const nn_layer *s = &src->L[i];
        nn_layer *d = &dst->L[i];
        const nn_mat *from[] = { &s->W.w, &s->b.w, &s->gamma.w, &s->beta.w,
                                 &s->run_mean, &s->run_var, &s->alpha.w };
        nn_mat *to[] = { &d->W.w, &d->b.w, &d->gamma.w, &d->beta.w,
                         &d->run_mean, &d->run_var, &d->alpha.w };
        for (int k = 0; k < 7; k++)
            memcpy(to[k]->v, from[k]->v,
                   (size_t)nn_mat_size(from[k]) * sizeof(double));
    }
}

/* best and net have the same layers, sizes, pieces and batch norm
 * settings. */
static int same_shapes(const nn_net *best, const nn_net *net)
{
    if (!best || best->n_in != net->n_in || best->n_layers != net->n_layers)
        return 0;
    for (int i = 0; i < net->n_layers; i++)
        if (best->L[i].out != net->L[i].out || best->L[i].bn != net->L[i].bn ||
            nn_layer_zcols(&best->L[i]) != nn_layer_zcols(&net->L[i]))
            return 0;
    return 1;
}

/* Early stopping after an epoch: keep the best weights, stop when dev loss
 * has not improved for `patience` epochs.  Returns 1 to stop. */
static int early_stop_check(nn_trainer *tr, double dev_loss, nn_err *err)
{
    if (!tr->early || isnan(dev_loss))
        return 0;
    if (dev_loss < tr->best_dev) {
        if (!same_shapes(tr->best, tr->net)) {
            nn_net_free(tr->best);
            if (!(tr->best = nn_net_clone(tr->net, err)))
                return -1;
        } else {
            nn_net_copy_weights(tr->best, tr->net);
        }
        tr->best_dev = dev_loss;
        tr->best_epoch = tr->epoch;
        tr->since_best = 0;
        return 0;
    }
    if (++tr->since_best < tr->patience)
        return 0;
    /* no best copy when the dev loss was never finite: nothing to restore */
    if (isfinite(tr->best_dev) && same_shapes(tr->best, tr->net))
        nn_net_copy_weights(tr->net, tr->best);
    tr->stop_iter = tr->iter;
    return 1;
}

/* The epoch's figures, dev measured when due (train.h), then early
 * stopping's look at them. */
static int end_epoch(nn_trainer *tr, nn_err *err)
{
    nn_eval dev = { .loss = NAN, .acc = NAN };
    tr->epoch++;
    tr->pos = 0;
    tr->epoch_iter = tr->iter;
    if (nn_trainer_dev_due(tr)) {
        if (nn_trainer_measure_dev(tr, &dev, err))
            return -1;
        tr->dev_since = 0;
    }
    record_epoch(tr, dev.loss, dev.acc);
    int stop = early_stop_check(tr, dev.loss, err);
    return stop < 0 ? -1 : stop ? NN_STEP_EARLY : NN_STEP_EPOCH;
}

/* The loss of a network that knows nothing: a probability of 1/2 for
 * each sigmoid output, 1/C for each of C classes, zero for each
 * regression output (here over the m targets in Y). */
static double uninformed_cost(const nn_net *net, const double *Y, int m,
                              int k)
{
    if (net->loss == NN_LOSS_BCE)
        return k * log(2.0);
    if (net->loss == NN_LOSS_XENT)
        return log((double)k);
    if (net->loss == NN_LOSS_MAE || net->loss == NN_LOSS_HUBER) {
        /* the loss itself of predicting 0, one value at a time */
        double zero = 0, sum = 0;
        for (size_t i = 0; i < (size_t)m * k; i++)
            sum += nn_loss_value_with(net->loss, net->loss_arg,
                                      NN_ACT_LINEAR, &zero, &zero, &Y[i], 1,
                                      1);
        return m ? sum / m : 0;
    }
    double sq = 0;
    for (size_t i = 0; i < (size_t)m * k; i++)
        sq += 0.5 * Y[i] * Y[i];
    return m ? sq / m : 0;
}

/* The cost of the initial weights over up to NN_EVAL_CHUNK training
 * examples (training mode, no dropout, batch norm's running statistics
 * left alone): the guard's reference, and the "initial loss" a student
 * checks against ln C.  One batch would be a noisy reference. */
static double initial_cost(nn_trainer *tr)
{
    nn_net *net = tr->net;
    int m = tr->n_train < NN_EVAL_CHUNK ? tr->n_train : NN_EVAL_CHUNK;
    nn_data_fill(tr->data, NN_TRAIN, NULL, m, tr->EX, tr->EY, tr->ycols);
    forward_probe(net, tr->EX, m);
    tr->guard_floor = uninformed_cost(net, tr->EY, m, tr->ycols);
    return nn_net_cost(net, tr->EY, 1);
}

/* The divergence guard: NaN or Inf at once, or a loss grown past three
 * times its starting value.  One mini-batch's loss is noisy (with batch 1
 * a single hard example can cost many times the average), so the current
 * value is a bias-corrected exponentially weighted average of the batch
 * costs with beta = 1 - 1/k, k = min(updates per epoch, 20).  With
 * full-batch training k = 1 and this is exactly "the loss > 3x its first
 * value".  The reference is never below the loss of a network that knows
 * nothing (guard_floor): a well-trained network's loss is tiny, and its
 * batch costs pass three times it by noise alone.  While settling (after
 * a rebase) the guard only measures: after k updates the average becomes
 * the reference if above the old one, by at most 10x (a divergence in
 * those updates must not raise the bar out of reach). */
double nn_trainer_guard_ref(const nn_trainer *tr)
{
    return fmax(tr->guard_ref, tr->guard_floor);
}

static int guard_trips(nn_trainer *tr, double cost)
{
    if (!isfinite(cost))
        return 1;
    int k = nn_trainer_iters_per_epoch(tr);
    k = k < 1 ? 1 : k > 20 ? 20 : k;
    double beta = 1.0 - 1.0 / k;
    tr->guard_n++;
    tr->guard_avg = beta * tr->guard_avg + (1 - beta) * cost;
    tr->guard_power *= beta;
    double avg = tr->guard_avg / (1 - tr->guard_power);
    if (tr->guard_settling) {
        if (tr->guard_n >= k) {
            tr->guard_settling = 0;
            if (avg > tr->guard_ref)
                tr->guard_ref = fmin(avg, 10 * tr->guard_ref);
        }
        return 0;
    }
    return avg > 3 * nn_trainer_guard_ref(tr);
}

void nn_trainer_guard_rebase(nn_trainer *tr)
{
    if (isnan(tr->first_loss))
        return; /* the first loss will be measured with the new settings */
    tr->guard_n = 0;
    tr->guard_avg = 0;
    tr->guard_power = 1;
    tr->guard_settling = 1;
}

static void next_batch(nn_trainer *tr, int *m)
{
    if (tr->pos == 0)
        nn_rng_shuffle(&tr->shuffle, tr->perm, tr->n_train);
    int b = batch_rows(tr);
    *m = tr->n_train - tr->pos < b ? tr->n_train - tr->pos : b;
    if (nn_augment_on(&tr->aug))
        nn_augment_fill(&tr->aug, tr->data, tr->perm + tr->pos, *m, tr->X,
                        tr->Y, tr->ycols, &tr->augment, tr->AW);
    else
        nn_data_fill(tr->data, NN_TRAIN, tr->perm + tr->pos, *m, tr->X,
                     tr->Y, tr->ycols);
}

/* Backprop, then the global gradient norm (recorded before clipping),
 * clipping, and the optimizer's step at rate lr.  Without clipping the
 * norm comes from the optimizer's own pass over the gradients, which it
 * leaves as backprop made them (a separate pass over every gradient
 * costs a few percent of a step); only squares that overflowed take the
 * careful way. */
static void update(nn_trainer *tr, nn_step_info *info, double lr)
{
    nn_net *net = tr->net;
    int clipping = tr->clip.kind != NN_CLIP_OFF;
    nn_net_backward(net, tr->X, tr->Y);
    double norm = clipping ? nn_grad_norm(net) : NAN;
    info->clipped = clipping && nn_clip_grads(&tr->clip, net, norm);
    tr->clip_count += info->clipped;
    double g_sq = nn_optim_step(&tr->opt, net, lr);
    if (!clipping)
        norm = isinf(g_sq) ? nn_grad_norm(net) : sqrt(g_sq);
    info->grad_norm = tr->grad_norm = norm;
}

int nn_trainer_step(nn_trainer *tr, nn_step_info *info, nn_err *err)
{
    nn_net *net = tr->net;
    if (!net)
        return nn_fail(err, "the trainer has no network bound");
    if (net->loss == NN_LOSS_NONE || nn_data_task(tr->data) == NN_TASK_NONE)
        return nn_fail(err, "these data have no labels to train on; use "
                       "forward to look at activations");
    int m, rows = size_buffers(tr, net, tr->ycols, tr->n_train);
    if (rows < 0 || size_augment(tr, tr->data, rows))
        return nn_fail(err, "out of memory for batches of %d", tr->batch);
    if (isnan(tr->first_loss))
        tr->guard_ref = tr->first_loss = initial_cost(tr);
    next_batch(tr, &m);
    double lr = nn_trainer_lr(tr);
    long cycle = nn_trainer_cycle(tr);
    const double *out = nn_net_forward(net, tr->X, m, 1, &tr->drop);
    /* the data loss once (its exponentials are a fair share of a small
     * network's step), the penalty added as nn_net_cost adds it */
    double data_cost = nn_net_cost(net, tr->Y, 0);
    double cost = data_cost + nn_net_penalty(net, net->reg_m > 0 ? net->reg_m
                                                                 : m);
    info->iter = tr->iter + 1;
    info->epoch = tr->epoch;
    info->rows = m;
    info->loss = cost;
    info->lr = lr;
    info->grad_norm = NAN;
    info->clipped = info->cycle_end = 0;
    tr->last_loss = cost;
    if (tr->guard && guard_trips(tr, cost)) {
        tr->stop_iter = tr->iter + 1;
        return NN_STEP_DIVERGED;
    }
    if (tr->ep_rows == 0)
        tr->ep_lr = lr;
    tr->ep_loss += data_cost * m;
    tr->ep_correct += nn_accuracy(out, tr->Y, m, tr->ycols) * m;
    tr->ep_rows += m;
    tr->dev_since += m;
    update(tr, info, lr);
    tr->iter++;
    tr->pos += m;
    nn_history_add_step(&tr->hist, net, tr->iter, tr->epoch + 1, cost, lr,
                        info->grad_norm);
    int st = tr->pos >= tr->n_train ? end_epoch(tr, err) : NN_STEP_OK;
    info->cycle_end = nn_trainer_cycle(tr) > cycle;
    return st;
}
