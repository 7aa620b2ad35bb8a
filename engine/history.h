/* history.h — what the trainer records, in memory fixed when it is bound.
 *
 * Iteration records: one per update; the per-layer arrays hold
 * cap * n_layers values, [rec * n_layers + layer], the trainer's from the
 * sums its optimizer step gathers (nn_stats_step).  Epoch records: one
 * per completed epoch; the train figures are averages over the epoch's
 * batches (in training mode), the trainer's dev figures a pass over its
 * fixed sample of the dev split (nn_trainer_dev_sample: all of it when
 * small; NAN without a dev split).
 *
 * `run` may go on for millions of updates, so the records live in arrays
 * sized once (about 16 MB at most, whatever the run's length) and never
 * grow: when they are full every other record is dropped and from then on
 * only every stride-th update is kept, so the history always spans the
 * whole run, evenly.  The latest update is always the last record. */
#ifndef NNLAB_HISTORY_H
#define NNLAB_HISTORY_H

#include "net.h"

typedef struct nn_history {
    int n, cap, n_layers;
    long stride;         /* iterations between kept records (1, 2, 4...) */
    int tail_extra;      /* the last record is off the stride: the next one
                            replaces it */
    long *iter;          /* the update's number, from 1 */
    int *epoch;          /* the epoch it belongs to, from 1 */
    double *loss;        /* the batch's cost, penalty included */
    double *lr;
    double *grad_norm;   /* ‖g‖ of all the gradients, before clipping (NAN
                            when not measured) */
    double *w_mean, *w_var, *g_norm, *g_var, *update_ratio;

    int ne, ecap;
    long e_stride;
    int e_tail_extra;
    long *e_iter;        /* the update that ended the epoch */
    int *e_epoch;        /* completed epochs, from 1 */
    double *e_lr;        /* the learning rate the epoch trained with */
    double *train_loss, *train_acc, *dev_loss, *dev_acc;
} nn_history;

/* Size the arrays for a network of n_layers (nothing to do when they are
 * sized for it; else the history is cleared).  -1 when out of memory. */
int nn_history_reserve(nn_history *h, int n_layers);
void nn_history_clear(nn_history *h);
void nn_history_free(nn_history *h);

/* Record update `iter` of epoch `epoch` (from 1) with the layer statistics
 * of net after the update (the gradients as the optimizer used them, so
 * after any clipping) and the global gradient norm before clipping.
 * Never allocates, never fails. */
void nn_history_add_update(nn_history *h, const nn_net *net, long iter,
                           int epoch, double loss, double lr,
                           double grad_norm);

/* The same with the layer statistics of the optimizer step just made,
 * from the sums its pass gathered (nn_stats_step): what the trainer
 * records, at no pass over the weights.  Call it right after
 * nn_optim_step. */
void nn_history_add_step(nn_history *h, const nn_net *net, long iter,
                         int epoch, double loss, double lr, double grad_norm);

/* The same without a gradient norm (recorded as NAN). */
void nn_history_add_iter(nn_history *h, const nn_net *net, long iter,
                         int epoch, double loss, double lr);

/* Record a completed epoch. */
void nn_history_add_epoch(nn_history *h, long iter, int epoch, double lr,
                          double train_loss, double train_acc,
                          double dev_loss, double dev_acc);

#endif
