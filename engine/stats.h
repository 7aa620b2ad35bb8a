/*
 * stats.h — per-layer statistics: of the weights and their gradients
 * (what `stats`, `plot weights` and `plot grads` show), of the last update,
 * and of the activations of the last forward pass (what `forward` and
 * `stats acts` show about an initialization).  The weight figures,
 * sparsity included, come from the two passes over W that the mean and
 * variance take anyway.
 */
#ifndef NN_STATS_H
#define NN_STATS_H

#include "net.h"

typedef struct nn_layer_stats {
    double w_mean, w_var;     /* of W's entries */
    double g_norm, g_var;     /* of dW: Frobenius norm, variance */
    double update_ratio;      /* ‖ΔW‖/‖W‖ of the last update */
    double act_mean, act_std; /* of the last forward pass's activations */
    double saturated;         /* fraction of tanh/sigmoid outputs near ±1/0/1 */
    double dead;              /* fraction of ReLU units zero for every row */

    /* sparsity of W: what L1 and elastic net do to the weights */
    double w_small;           /* share of entries with |w| < NN_SMALL_WEIGHT */
    double w_zero;            /* share of entries exactly 0 */
    double w_min, w_max;      /* extremes of W (NaN skipped; NAN if none) */
    double alpha_mean;        /* PReLU: the mean learned slope; else NAN */
} nn_layer_stats;

/* The threshold of w_small. */
#define NN_SMALL_WEIGHT 1e-3

/* Statistics of layer l (0-based). Activation fields need a forward pass
 * (net->rows > 0); they are 0 otherwise. */
void nn_stats_layer(const nn_net *net, int l, nn_layer_stats *st);
/* The weight and gradient fields only (activation fields 0), each in its
 * own pass over W and dW: what `stats` shows. */
void nn_stats_weights(const nn_net *net, int l, nn_layer_stats *st);

/* What the history records at every update, at no pass over memory: the
 * weight and gradient figures of nn_stats_weights (w_mean, w_var, g_norm,
 * g_var, update_ratio; the others NAN or 0) from the sums the last
 * optimizer step gathered in its own pass (net.h), with the one-pass
 * variance Σx²/n − mean².  That loses digits only when a mean dwarfs the
 * spread (a thousand times over, the variance is good to about 1e-8;
 * test_stats measures it); weights and gradients are centred near 0. */
void nn_stats_step(const nn_net *net, int l, nn_layer_stats *st);

/* Histogram of layer l's activations in `bins` equal bins over [lo, hi];
 * values outside go to the end bins. */
void nn_stats_hist(const nn_net *net, int l, double lo, double hi, int bins,
                   long *counts);

/* The same of layer l's weights W (every piece of a maxout layer), for
 * `plot weights hist`; w_min and w_max make a natural [lo, hi].  NaN
 * weights are left out, ±Inf go to the end bins. */
void nn_stats_weight_hist(const nn_net *net, int l, double lo, double hi,
                          int bins, long *counts);

#endif
