/*
 * train.h — the trainer: mini-batches, updates, the recorded history,
 * early stopping and the divergence guard.
 *
 * A trainer holds the training settings (optimizer, schedule, warm-up,
 * gradient clipping, batch size, seed, early stopping, guard), the state
 * of a run (iteration, epoch, the epoch's shuffled order, random streams)
 * and the history of everything recorded.  It does not own the network
 * or the data: the caller binds them with nn_trainer_bind() before
 * stepping, and again whenever either changes.
 *
 * Settings may be changed between any two steps (that is what the live
 * shell does when a student types `lr 0.001` during `run`).  Those that
 * depend on where training is (the schedule and the warm-up count from
 * when they were set; a new batch size starts a fresh pass) are changed
 * through the nn_trainer_set_* functions below.
 *
 * One update is: forward, cost, the guard's look at it, backward, the
 * global gradient norm (recorded), clipping, the optimizer's step at the
 * scheduled rate.
 */
#ifndef NN_TRAIN_H
#define NN_TRAIN_H

#include <stddef.h>

#include "augment.h"
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
    double grad_norm;   /* ‖g‖ of all gradients before clipping (NAN when
                           the guard stopped before backprop) */
    int clipped;        /* clipping changed the gradients of this update */
    int cycle_end;      /* the update was the last of a cycle of the
                           schedule (cyclic, sgdr): a snapshot point */
} nn_step_info;

typedef struct nn_trainer {
    /* --- settings, change freely between steps --- */
    nn_optim opt;
    nn_sched sched;     /* set with nn_trainer_set_schedule() */
    nn_warmup warm;     /* set with nn_trainer_set_warmup() */
    nn_clip clip;       /* gradient clipping (off) */
    int batch;          /* examples per update; 0 = the whole training set
                           (changed with nn_trainer_set_batch()) */
    uint64_t seed;
    int early;          /* early stopping on dev loss */
    int patience;       /* epochs without improvement before stopping */
    int guard;          /* divergence guard (default on) */
    nn_augment aug;     /* augmentation of training batches (default off;
                           checked against the data by nn_trainer_bind) */
    int dev_spacing;    /* when the dev split is measured at an epoch's end
                           (nn_trainer_set_dev_spacing): 0 every epoch */

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
    double grad_norm;   /* the last update's ‖g‖ before clipping */
    long clip_count;    /* updates whose gradients clipping changed */
    double best_dev;    /* early stopping: best dev loss so far */
    int best_epoch;
    nn_history hist;

    /* --- internal --- */
    int ycols, pos, n_train, since_best;
    long epoch_iter;    /* the update at which the current pass began */
    double ep_lr;       /* the rate of the epoch's first update */
    double *X, *Y;      /* the training batch */
    double *EX, *EY;    /* evaluation chunks */
    size_t x_have, y_have, ex_have, ey_have;
    int *perm;
    nn_rng shuffle, drop;
    double ep_loss, ep_correct;
    long ep_rows;
    nn_net *best;       /* early stopping's copy of the best weights */
    nn_rng augment;     /* augmentation draws, seeded like shuffle */
    double *AW;         /* augmentation work (nn_augment_work doubles) */
    size_t aw_have;
    long dev_since;     /* training examples since dev was last measured */
    long want_iter;     /* nn_trainer_want_dev's asks (-1: none) */
    int want_epoch;
} nn_trainer;

/* Defaults: gd lr 0.01 (rmsprop's rho 0.9), batch 64, no schedule, no
 * warm-up, no clipping, seed 1, guard on, early stopping off with
 * patience 10. */
void nn_trainer_init(nn_trainer *tr);
void nn_trainer_free(nn_trainer *tr);

/* Copy the settings (optimizer, schedule and warm-up with their origins,
 * clipping, batch, early stopping and its patience, guard, augmentation)
 * from src, leaving dst's state and seed alone. */
void nn_trainer_copy_settings(nn_trainer *dst, const nn_trainer *src);

/* Attach a network and data (either may change between calls), size the
 * buffers, and check they fit: the data's inputs (nn_data_inputs) == the
 * network's, outputs match the labels, the loss fits the targets (bce
 * needs 0/1 targets, so not a regression), the augmentation suits the
 * data.  On error the trainer is unbound (net NULL). */
int nn_trainer_bind(nn_trainer *tr, nn_net *net, const nn_data *data,
                    nn_err *err);

/* The loss check of nn_trainer_bind on its own, for a program that wants
 * to refuse a network (or warn about data) before training: 0 when `loss`
 * can be trained on data's targets, else -1 with why and what to use
 * ("loss=bce needs targets 0 or 1, but these data are a regression with
 * targets from LO to HI: use loss=mse"). */
int nn_trainer_check_loss(nn_loss loss, const nn_data *data, nn_err *err);

/* The network or data were replaced, and the old ones may be freed: point
 * the trainer at `net` (may be NULL) and at no data until the next
 * nn_trainer_bind, so that nothing touches what was freed. */
void nn_trainer_unbind(nn_trainer *tr, nn_net *net);

/* The optimizer's memory starts again (a new optimizer, new parameter
 * tensors): net's moments zeroed (net is the trainer's network, bound or
 * about to be) and Adam's step count back to 0; the weights, the history
 * and the position in training stay. */
void nn_trainer_zero_moments(nn_trainer *tr, nn_net *net);

/* Start over: iteration 0, history cleared, optimizer state zeroed,
 * clipping count 0, random streams reseeded from tr->seed, and the
 * schedule and warm-up counting from the new start (origin 0).  The
 * weights are not touched. */
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

/* The learning rate of the next update (after the schedule and the
 * warm-up). */
double nn_trainer_lr(const nn_trainer *tr);
/* Number of updates in one epoch with the current batch size. */
int nn_trainer_iters_per_epoch(const nn_trainer *tr);

/* ------------------------------------------------------------------ */
/* Settings that depend on where training is                            */
/* ------------------------------------------------------------------ */

/* Set the schedule, counting from the next update: its origin becomes
 * the trainer's position (whatever origin s holds is replaced).  0, or -1
 * with err when s is out of range (nn_sched_check; nothing changed). */
int nn_trainer_set_schedule(nn_trainer *tr, const nn_sched *s, nn_err *err);

/* Set the warm-up, counting from the next update, as above. */
int nn_trainer_set_warmup(nn_trainer *tr, const nn_warmup *w, nn_err *err);

/* Set gradient clipping (nn_clip_check); 0 or -1 with err. */
int nn_trainer_set_clip(nn_trainer *tr, const nn_clip *c, nn_err *err);

/* Set the batch size (0 = the whole training set, up to 1000000); the
 * next update starts a fresh pass over the (reshuffled) training set, in
 * the same epoch.  0 or -1 with err. */
int nn_trainer_set_batch(nn_trainer *tr, int batch, nn_err *err);

/* Early stopping on or off with `patience` epochs (1..100000); the count
 * of epochs without improvement starts again.  0 or -1 with err. */
int nn_trainer_set_early(nn_trainer *tr, int on, int patience, nn_err *err);

/* ------------------------------------------------------------------ */
/* Reading the state                                                    */
/* ------------------------------------------------------------------ */

/* Examples of the training set used so far in the current epoch, and the
 * size of the training set (0 until bound). */
int nn_trainer_epoch_pos(const nn_trainer *tr);
int nn_trainer_train_size(const nn_trainer *tr);

/* The guard's bias-corrected running average of the batch cost (what it
 * compares with 3x nn_trainer_guard_ref), NAN before its first update. */
double nn_trainer_guard_avg(const nn_trainer *tr);

/* The position of the next update as the schedules see it: epochs
 * completed plus the fraction of the current one (see schedule.h). */
double nn_trainer_epochs_done(const nn_trainer *tr);

/* The rate, under the current settings (α₀, schedule, warm-up), of the
 * update at position (iter, epoch) as schedule.h defines it. */
double nn_trainer_lr_at(const nn_trainer *tr, long iter, double epoch);

/* The rate of the update made after `iter` updates (iter = tr->iter is
 * the next one).  Its epoch is worked out from the current position with
 * the current batch size: exact for the updates to come; the past is
 * mapped as if the batch size had always been the current one (the
 * history holds the rates actually used). */
double nn_trainer_lr_iter(const nn_trainer *tr, long iter);

/* The rate of the first update of (0-based) `epoch`, worked out the same
 * way: what `decay show` tabulates. */
double nn_trainer_lr_epoch(const nn_trainer *tr, int epoch);

/* The schedule's cycle (0, 1, 2 ...) at the next update; 0 when the
 * schedule has no cycles. */
long nn_trainer_cycle(const nn_trainer *tr);

/* Loss (data loss, no penalty) and accuracy of split s with the network
 * in evaluation mode (no dropout, batch norm's running statistics).
 * Accuracy is NAN for regression; both NAN for an empty split.  Uses the
 * trainer's buffers, so the trainer must be bound.  Polls the cancel flag
 * (err.h) every 512 examples: -1, "evaluation interrupted ...", both NAN. */
int nn_trainer_evaluate(nn_trainer *tr, nn_split s, double *loss,
                        double *acc, nn_err *err);

/* What nn_trainer_evaluate_full measures on a split, in evaluation mode
 * as nn_trainer_evaluate.  For regression the errors are in the units of
 * the targets (which normalization never changes), over every output
 * value of every example. */
typedef struct nn_eval {
    double loss;   /* the network's own data loss, no penalty */
    double acc;    /* classification: the fraction right; else NAN */
    double rmse;   /* regression: √(mean (a − y)²); else NAN */
    double mae;    /* regression: mean |a − y|; else NAN */
    int rows;      /* examples measured; 0 (and every figure NAN) for an
                      empty split or unlabelled data */
} nn_eval;

/* Measure split s: nn_trainer_evaluate's loss and accuracy (the same
 * values, bit for bit) and, for regression, RMSE and MAE.  The trainer
 * must be bound; -1 with err otherwise.  Polls the cancel flag as
 * nn_trainer_evaluate does: -1, rows 0 and every figure NAN. */
int nn_trainer_evaluate_full(nn_trainer *tr, nn_split s, nn_eval *ev,
                             nn_err *err);

/* Rows measured in one forward pass (the evaluation buffers' size). */
#define NN_EVAL_CHUNK 512

/* ------------------------------------------------------------------ */
/* The dev figures of the history                                       */
/* ------------------------------------------------------------------ */

/* At an epoch's end the trainer measures the dev split (the history's
 * dev figures, which the plots and progress lines show and early
 * stopping reads): the whole split up to NN_DEV_SAMPLE_MAX examples, a
 * fixed sample of that many spread through a larger one.  Measuring costs
 * a forward pass over those examples, about 0.4 of a training step's work
 * per example; see train_eval.c for why it is rationed. */
#define NN_DEV_SAMPLE_MAX 2000

/* What the shell sets with nn_trainer_set_dev_spacing: measure once the
 * training examples since the last measurement number 16 times the
 * examples measured (about 2.5% of the training time), every epoch with
 * early stopping, and when asked. */
#define NN_DEV_SPACING 16

/* How many dev examples the trainer measures at an epoch's end (0 when
 * unbound or without a dev split): all of them when it is the size of
 * the dev split. */
int nn_trainer_dev_sample(const nn_trainer *tr);

/* When the dev split is measured at an epoch's end: k = 0 (the default)
 * every epoch; k > 0 once the training examples since the last
 * measurement reach k times nn_trainer_dev_sample(), at the first epoch's
 * end after a restart, at every epoch's end while early stopping is on
 * (it decides on each), and where nn_trainer_want_dev asks.  The other
 * epochs record their dev figures as NAN.  k is clamped to 0..1000. */
void nn_trainer_set_dev_spacing(nn_trainer *tr, int k);

/* Ask for the dev split to be measured at the end of epoch `epoch`
 * (counted as tr->epoch counts completed epochs), or, with iter >= 0, at
 * the last epoch's end at or before update `iter` as the current batch
 * size places the epochs' ends: where a progress line will show the
 * figures.  -1 for either means no ask; a new ask replaces the last. */
void nn_trainer_want_dev(nn_trainer *tr, long iter, int epoch);

/* Measure the dev split as the epochs' ends do: its nn_trainer_dev_sample()
 * examples, in forward passes of the training batch's size (so that BLAS
 * uses its threads as the training steps do; train_eval.c says why).  The
 * figures agree with nn_trainer_evaluate_sample's to rounding. */
int nn_trainer_measure_dev(nn_trainer *tr, nn_eval *ev, nn_err *err);

/* 1 when the epoch that just ended (tr->epoch completed, at update
 * tr->iter) is to be measured, as set above. */
int nn_trainer_dev_due(const nn_trainer *tr);

/* Measure `count` examples of split s spread evenly through it (always
 * the same ones: example ⌊k·n/count⌋ for k = 0 .. count−1), as
 * nn_trainer_evaluate_full measures them all; count <= 0 or above the
 * split's size means every example, with the same values as
 * nn_trainer_evaluate_full, bit for bit. */
int nn_trainer_evaluate_sample(nn_trainer *tr, nn_split s, int count,
                               nn_eval *ev, nn_err *err);

/* Cost (penalty included) of the last training batch (its first `rows`
 * rows) with the current weights, in training mode but without dropout,
 * leaving batch norm's running statistics alone: what `step` shows before
 * and after an update. */
double nn_trainer_probe_cost(nn_trainer *tr, int rows);

/* The same cost with the dropout masks the last update drew (and batch
 * statistics, running statistics left alone): the very cost that update
 * differentiated, so that before (nn_step_info.loss) and after compare,
 * and at lr 0 are equal.  Without dropout, nn_trainer_probe_cost's. */
double nn_trainer_probe_cost_same_mask(nn_trainer *tr, int rows);

/* Fraction of rows whose prediction matches Y (ycols as in nn_data_fill). */
double nn_accuracy(const double *out, const double *Y, int rows, int ycols);

/* Copy every weight (PReLU slopes and batch norm statistics too) of src
 * into dst, which has the same architecture. */
void nn_net_copy_weights(nn_net *dst, const nn_net *src);

void nn_history_clear(nn_history *h);

#endif
