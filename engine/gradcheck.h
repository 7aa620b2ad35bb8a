/*
 * gradcheck.h — numerical gradient checking.
 *
 * For every parameter tensor θ the check compares backprop's gradient g
 * with the two-sided difference ĝᵢ = (J(θ + εeᵢ) − J(θ − εeᵢ)) / 2ε and
 * reports the relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖).  Dropout is off during
 * the check (a random mask would make J a different function on every
 * evaluation); batch norm uses the batch statistics, as in training, and
 * its running statistics are left as they were.
 *
 * Two kinds of entries are not compared:
 *   kinks      the two evaluations J(θ ± εeᵢ) fall on two sides of a kink:
 *              some unit's pre-activation z changes sign between them
 *              (relu, leaky, prelu, elu with α ≠ 1, selu), a maxout unit's
 *              largest piece changes, or a weight under L1 crosses 0.
 *              There J has no derivative, the difference is not one, and
 *              backprop's one-sided value is right: such entries are
 *              counted and left out of the error.
 *   nonfinite  g or ĝ is NaN or ±Inf (weights that overflowed): the check
 *              cannot pass, whatever the other entries say.
 */
#ifndef NN_GRADCHECK_H
#define NN_GRADCHECK_H

#include "net.h"

typedef struct nn_gc_result {
    char name[16];      /* "W2", "gamma1", ... */
    double rel_err;     /* ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) over the entries compared
                           (neither kinks nor nonfinite), 0 when both norms
                           are 0 or none was compared; INFINITY when any
                           entry is nonfinite */
    double grad_norm;   /* ‖g‖ of backprop, over the entries not at
                           kinks (NaN when one of them is) */
    double num_norm;    /* ‖ĝ‖ */
    int checked;        /* entries evaluated (kinks and nonfinite too) */
    int size;           /* entries in the tensor */
    int kinks;          /* entries left out: a kink between J(θ ± εeᵢ) */
    int nonfinite;      /* entries whose g or ĝ is NaN or ±Inf */
} nn_gc_result;

/* Check every tensor of net on the m rows of X (m <= cap) and Y.  res must
 * hold net->n_params results.  At most max_per_tensor entries of each
 * tensor are compared, evenly spread (0 = all).  The weights are as they
 * were afterwards.  Returns the largest relative error (INFINITY when any
 * entry was NaN or Inf), or -1 on error.
 * Polls the cancel flag (err.h) between entries: "... interrupted ...",
 * the weights and batch norm statistics as they were. */
double nn_gradcheck(nn_net *net, const double *X, const double *Y, int m,
                    double eps, int max_per_tensor, nn_gc_result *res,
                    nn_err *err);

/* The verdict on a relative error, as the course gives it:
 * "< 1e-7 great", "< 1e-5 ok", "< 1e-3 suspicious", "wrong". */
const char *nn_gradcheck_verdict(double rel_err);

/* The verdict on one tensor: "NaN/Inf" when an entry was not finite,
 * "kinks only" when every entry evaluated sat at a kink, else the verdict
 * on its relative error. */
const char *nn_gc_result_verdict(const nn_gc_result *r);

#endif
