/*
 * gradcheck.h — numerical gradient checking.
 *
 * For every parameter tensor θ the check compares backprop's gradient g
 * with the two-sided difference ĝᵢ = (J(θ + εeᵢ) − J(θ − εeᵢ)) / 2ε and
 * reports the relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖).  Dropout is off during
 * the check (a random mask would make J a different function on every
 * evaluation); batch norm uses the batch statistics, as in training, and
 * its running statistics are left as they were.
 */
#ifndef NN_GRADCHECK_H
#define NN_GRADCHECK_H

#include "net.h"

typedef struct nn_gc_result {
    char name[16];      /* "W2", "gamma1", ... */
    double rel_err;     /* ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), 0 when both are 0 */
    double grad_norm;   /* ‖g‖ of backprop */
    double num_norm;    /* ‖ĝ‖ */
    int checked;        /* entries compared */
    int size;           /* entries in the tensor */
} nn_gc_result;

/* Check every tensor of net on the m rows of X (m <= cap) and Y.  res must
 * hold net->n_params results.  At most max_per_tensor entries of each
 * tensor are compared, evenly spread (0 = all).  The weights are as they
 * were afterwards.  Returns the largest relative error, or -1 on error.
 * Polls the cancel flag (err.h) between entries: "... interrupted ...",
 * the weights and batch norm statistics as they were. */
double nn_gradcheck(nn_net *net, const double *X, const double *Y, int m,
                    double eps, int max_per_tensor, nn_gc_result *res,
                    nn_err *err);

/* The verdict on a relative error, as the course gives it:
 * "< 1e-7 great", "< 1e-5 ok", "< 1e-3 suspicious", "wrong". */
const char *nn_gradcheck_verdict(double rel_err);

#endif
