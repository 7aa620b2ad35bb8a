/*
 * train_set.c — the trainer's settings that depend on where training is,
 * and the functions that read where it is (see train.h).
 *
 * A schedule or a warm-up set in the middle of a run counts from the
 * position of the next update, so setting one records that position as its
 * origin.  The rate of any update, past or to come, follows from the
 * position (iteration, epoch with its fraction) that the trainer works out
 * from where it stands and the batch size: that is what `decay show` and
 * `plot lr` tabulate.
 */
#include "train.h"

#include <math.h>

/* Rows of one batch with the current setting. */
static int batch_rows(const nn_trainer *tr)
{
    return tr->batch > 0 && tr->batch < tr->n_train ? tr->batch : tr->n_train;
}

/* ------------------------------------------------------------------ */
/* Settings                                                             */
/* ------------------------------------------------------------------ */

int nn_trainer_set_schedule(nn_trainer *tr, const nn_sched *s, nn_err *err)
{
    nn_sched d = *s;
    d.origin_iter = tr->iter;
    d.origin_epoch = nn_trainer_epochs_done(tr);
    if (nn_sched_check(&d, err))
        return -1;
    tr->sched = d;
    return 0;
}

int nn_trainer_set_warmup(nn_trainer *tr, const nn_warmup *w, nn_err *err)
{
    nn_warmup d = *w;
    d.origin_iter = tr->iter;
    d.origin_epoch = nn_trainer_epochs_done(tr);
    if (nn_warmup_check(&d, err))
        return -1;
    tr->warm = d;
    return 0;
}

int nn_trainer_set_clip(nn_trainer *tr, const nn_clip *c, nn_err *err)
{
    if (nn_clip_check(c, err))
        return -1;
    tr->clip = *c;
    return 0;
}

int nn_trainer_set_batch(nn_trainer *tr, int batch, nn_err *err)
{
    if (batch < 0 || batch > 1000000)
        return nn_fail(err, "the batch size must be 0..1000000 (0: the "
                       "whole training set), got %d", batch);
    tr->batch = batch;
    tr->pos = 0; /* the next update starts a fresh pass */
    tr->epoch_iter = tr->iter;
    return 0;
}

int nn_trainer_set_early(nn_trainer *tr, int on, int patience, nn_err *err)
{
    if (patience < 1 || patience > 100000)
        return nn_fail(err, "the patience must be 1..100000 epochs, got %d",
                       patience);
    tr->early = on != 0;
    tr->patience = patience;
    tr->since_best = 0;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Where training is                                                    */
/* ------------------------------------------------------------------ */

int nn_trainer_epoch_pos(const nn_trainer *tr)
{
    return tr->pos;
}

int nn_trainer_train_size(const nn_trainer *tr)
{
    return tr->n_train;
}

double nn_trainer_guard_avg(const nn_trainer *tr)
{
    return tr->guard_n > 0 ? tr->guard_avg / (1 - tr->guard_power) : NAN;
}

double nn_trainer_epochs_done(const nn_trainer *tr)
{
    return tr->n_train > 0 ? tr->epoch + (double)tr->pos / tr->n_train
                           : tr->epoch;
}

double nn_trainer_lr_at(const nn_trainer *tr, long iter, double epoch)
{
    return nn_sched_rate(&tr->sched, tr->opt.lr, iter, epoch) *
           nn_warmup_factor(&tr->warm, iter, epoch);
}

double nn_trainer_lr(const nn_trainer *tr)
{
    return nn_trainer_lr_at(tr, tr->iter, nn_trainer_epochs_done(tr));
}

long nn_trainer_cycle(const nn_trainer *tr)
{
    return nn_sched_cycle(&tr->sched, tr->iter, nn_trainer_epochs_done(tr));
}

/* The epoch position of update j (0-based) of a pass with batches of b
 * rows over n examples, pass `e`. */
static double in_pass(int e, long j, int b, int n)
{
    double rows = (double)j * b;
    return e + (rows < n ? rows / n : 1);
}

/* The epoch position of the update made after `iter` updates, from the
 * current position and batch size (see nn_trainer_lr_iter). */
static double epoch_of(const nn_trainer *tr, long iter)
{
    int n = tr->n_train, b = batch_rows(tr);
    if (n < 1 || b < 1)
        return tr->epoch;
    long ipe = (n + b - 1) / b;
    if (iter >= tr->iter) {
        /* the rest of this pass, then whole passes */
        long d = iter - tr->iter, left = (n - tr->pos + b - 1) / b;
        if (d < left)
            return tr->epoch + ((double)tr->pos + (double)d * b) / n;
        d -= left;
        return in_pass(tr->epoch + 1 + (int)(d / ipe), d % ipe, b, n);
    }
    if (iter >= tr->epoch_iter) {
        double e = in_pass(tr->epoch, iter - tr->epoch_iter, b, n);
        return fmin(e, nn_trainer_epochs_done(tr));
    }
    long d = tr->epoch_iter - iter, back = (d + ipe - 1) / ipe;
    if (back > tr->epoch)
        return 0;
    return in_pass(tr->epoch - (int)back, back * ipe - d, b, n);
}

double nn_trainer_lr_iter(const nn_trainer *tr, long iter)
{
    return nn_trainer_lr_at(tr, iter, epoch_of(tr, iter));
}

double nn_trainer_lr_epoch(const nn_trainer *tr, int epoch)
{
    int n = tr->n_train, b = batch_rows(tr);
    long ipe = n > 0 && b > 0 ? (n + b - 1) / b : 1, iter;
    if (epoch == tr->epoch) {
        iter = tr->epoch_iter;
    } else if (epoch > tr->epoch) {
        long left = b > 0 ? (n - tr->pos + b - 1) / b : 0;
        iter = tr->iter + left + (long)(epoch - tr->epoch - 1) * ipe;
    } else {
        iter = tr->epoch_iter - (long)(tr->epoch - epoch) * ipe;
        if (iter < 0)
            iter = 0;
    }
    return nn_trainer_lr_at(tr, iter, epoch);
}
