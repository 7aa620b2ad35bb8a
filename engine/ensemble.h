/*
 * ensemble.h — ensembles: snapshots of networks whose predictions are
 * averaged.
 *
 * Several networks trained independently (different initial weights, say)
 * make different mistakes; averaging their predicted probabilities and
 * taking the most probable class is usually better than the best of them
 * alone.  An ensemble keeps deep copies (nn_net_clone) of the networks it
 * is given, so the session's network can go on training or be rebuilt,
 * and evaluates the average on any split:
 *   sigmoid or softmax outputs (bce, xent): the mean of the members'
 *     probabilities, then the loss and accuracy of that mean;
 *   regression (mse): the mean of the outputs.
 * Members are evaluated like the trainer does (no dropout, batch norm's
 * running statistics); the data are filled with the current
 * preprocessing, so members should have been trained with it.
 *
 * Ownership: nn_ensemble_new() returns an ensemble the caller frees with
 * nn_ensemble_free(); the members are its own.  Nothing here prints.
 */
#ifndef NN_ENSEMBLE_H
#define NN_ENSEMBLE_H

#include "data.h"
#include "err.h"
#include "net.h"

typedef struct nn_ensemble nn_ensemble;

/* Members at most: averaging more than this adds nothing but time. */
#define NN_ENSEMBLE_MAX 64

/* A figure of the ensemble or of one member: the data loss (no penalty)
 * and the accuracy (NAN for regression; both NAN on an empty split). */
typedef struct nn_score {
    double loss, acc;
} nn_score;

nn_ensemble *nn_ensemble_new(nn_err *err);
void nn_ensemble_free(nn_ensemble *e);

/* Add a snapshot of net (a deep copy: later changes to net do not reach
 * it).  Every member must have the first one's inputs, outputs and loss
 * (no loss: an error), and there are at most NN_ENSEMBLE_MAX.  On error
 * nothing changes. */
int nn_ensemble_add(nn_ensemble *e, const nn_net *net, nn_err *err);
/* Forget every member. */
void nn_ensemble_clear(nn_ensemble *e);
int nn_ensemble_size(const nn_ensemble *e);
/* Member i (0-based), pointing into the ensemble: valid until the next
 * clear or free; NULL when out of range. */
const nn_net *nn_ensemble_member(const nn_ensemble *e, int i);

/* Evaluate split s of d: the ensemble's score into *all and, if members
 * is non-NULL, each member's into members[0 .. size-1].  -1 and *err when
 * the ensemble is empty, the members do not fit d (inputs, outputs and
 * labels as nn_trainer_bind checks), or memory runs out. */
int nn_ensemble_evaluate(nn_ensemble *e, const nn_data *d, nn_split s,
                         nn_score *all, nn_score *members, nn_err *err);

/* The averaged outputs for m rows of X (already preprocessed, like the
 * network's input), into out (m x outputs).  -1 and *err when empty, or
 * out of memory. */
int nn_ensemble_predict(nn_ensemble *e, const double *X, int m, double *out,
                        nn_err *err);

#endif
