/*
 * train.h — the trainer: mini-batches, updates, the recorded history,
 * early stopping and the divergence guard.
 *
 * A trainer holds the training settings (optimizer, schedule, batch size,
 * seed, early stopping, guard), the state of a run (iteration, epoch, the
 * epoch's shuffled order, random streams) and the history of everything
 * recorded.  It does not own the network or the data: the caller binds
 * them with nn_trainer_bind() before stepping, and again whenever either
 * changes.
 *
 * Settings may be changed between any two steps (that is what the live
 * shell does when a student types `lr 0.001` during `run`).
 */
#ifndef NN_TRAIN_H
#define NN_TRAIN_H

#include <stddef.h>

#include "data.h"
#include "history.h"
#include "net.h"
#include "optim.h"


typedef enum {
    NN_STEP_OK,        /* an update was made */
    NN_STEP_EPOCH,     /* an update was made and it ended an epoch */
    NN_STEP_EARLY,     /* early stopping: the best weights are restored */
    NN_STEP_DIVERGED   /* the guard stopped: loss NaN/Inf, or its running
                          average grown past 3x the initial cost */
} nn_step_status;

typedef struct nn_step_info {
    long iter;          /* the update just made (1-based) */
    int epoch;          /* epoch it belonged to (0-based) */
    int rows;           /* examples in its batch */
    double loss;        /* the batch's cost before the update */
    double lr;          /* the learning rate used */
} nn_step_info;

typedef struct nn_trainer {
    /* --- settings, change freely between steps --- */
    nn_optim opt;
    nn_sched sched;
    int batch;          /* examples per update; 0 = the whole training set */
    uint64_t seed;
    int early;          /* early stopping on dev loss */
    int patience;       /* epochs without improvement before stopping */
    int guard;          /* divergence guard (default on) */

    /* --- state, read-only for callers --- */
    nn_net *net;
    const nn_data *data;
    long iter;          /* updates made */
    int epoch;          /* completed epochs */
    double first_loss;  /* cost of the initial weights over up to 512
                           training examples (NAN before the first step) */
    double last_loss;   /* cost of the latest batch */
    double guard_ref;   /* what the guard compares with: first_loss, or
                           after nn_trainer_guard_rebase the average of the
                           first updates under the new settings if higher */
    int guard_settling; /* the guard is measuring its new reference */
    double guard_floor; /* the loss of a network that knows nothing (ln 2
                           per sigmoid output, ln C): the least reference */
    double guard_avg;   /* the guard's running average of the batch cost */
    double guard_power; /* beta^n, for its bias correction */
    long guard_n;
    long stop_iter;     /* where the guard or early stopping stopped */
    double best_dev;    /* early stopping: best dev loss so far */
    int best_epoch;
    nn_history hist;

    /* --- internal --- */
    int ycols, pos, n_train, since_best;
    double *X, *Y;      /* the training batch */
    double *EX, *EY;    /* evaluation chunks */
    size_t x_have, y_have, ex_have, ey_have;
    int *perm;
    nn_rng shuffle, drop;
    double ep_loss, ep_correct;
    long ep_rows;
    nn_net *best;       /* early stopping's copy of the best weights */
} nn_trainer;

/* Defaults: gd lr 0.01, batch 64, no schedule, seed 1, guard on,
 * early stopping off with patience 10. */
void nn_trainer_init(nn_trainer *tr);
void nn_trainer_free(nn_trainer *tr);

/* Copy the settings (optimizer, schedule, batch, early stopping and its
 * patience, guard) from src, leaving dst's state and seed alone. */
void nn_trainer_copy_settings(nn_trainer *dst, const nn_trainer *src);

/* Attach a network and data (either may change between calls), size the
 * buffers, and check they fit: features == inputs, outputs match the
 * labels, and the loss fits the targets (bce needs 0/1 targets, so not a
 * regression).  On error the trainer is unbound (net NULL). */
int nn_trainer_bind(nn_trainer *tr, nn_net *net, const nn_data *data,
                    nn_err *err);

/* Start over: iteration 0, history cleared, optimizer state zeroed, random
 * streams reseeded from tr->seed.  The weights are not touched. */
void nn_trainer_restart(nn_trainer *tr);

/* Dropout or regularization changed in the middle of training: the loss
 * now measures something else (dropout on a trained net can cost many
 * times its first value without any divergence), so the guard spends the
 * next updates measuring a new reference instead of comparing. */
void nn_trainer_guard_rebase(nn_trainer *tr);

/* What the guard compares with: 3x this is the limit of the averaged
 * batch cost (the starting loss, or an uninformed network's if larger). */
double nn_trainer_guard_ref(const nn_trainer *tr);

/* One update on the next mini-batch.  Returns an nn_step_status, or -1
 * (with err) when unbound or out of memory. */
int nn_trainer_step(nn_trainer *tr, nn_step_info *info, nn_err *err);

/* The current learning rate (after the schedule). */
double nn_trainer_lr(const nn_trainer *tr);
/* Number of updates in one epoch with the current batch size. */
int nn_trainer_iters_per_epoch(const nn_trainer *tr);

/* Loss (data loss, no penalty) and accuracy of split s with the network
 * in evaluation mode (no dropout, batch norm's running statistics).
 * Accuracy is NAN for regression; both NAN for an empty split.  Uses the
 * trainer's buffers, so the trainer must be bound.  Polls the cancel flag
 * (err.h) every 512 examples: -1, "evaluation interrupted ...", both NAN. */
int nn_trainer_evaluate(nn_trainer *tr, nn_split s, double *loss,
                        double *acc, nn_err *err);

/* Cost (penalty included) of the last training batch (its first `rows`
 * rows) with the current weights, in training mode but without dropout,
 * leaving batch norm's running statistics alone: what `step` shows before
 * and after an update. */
double nn_trainer_probe_cost(nn_trainer *tr, int rows);

/* Fraction of rows whose prediction matches Y (ycols as in nn_data_fill). */
double nn_accuracy(const double *out, const double *Y, int rows, int ycols);

/* Copy every weight (and batch norm statistic) of src into dst, which has
 * the same architecture. */
void nn_net_copy_weights(nn_net *dst, const nn_net *src);

void nn_history_clear(nn_history *h);

#endif
