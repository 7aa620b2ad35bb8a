/*
 * loss.h — the data cost of a batch and its gradient at the output.
 *
 * Binary cross-entropy is computed from the sigmoid's input z, and softmax
 * cross-entropy with log-sum-exp, so neither overflows nor takes log(0)
 * however confident the network is.  Each loss is the mean over the m
 * examples of the batch of a sum over the k outputs:
 *   mse    (1/2m)·Σ‖a − y‖²
 *   mae    (1/m)·Σ|a − y|            (one output: the mean absolute error)
 *   huber  (1/m)·Σ h(a − y) with h(r) = r²/2 for |r| <= δ, else
 *          δ·(|r| − δ/2): squared error near the target, absolute error
 *          (slope ±δ) far from it, so outliers pull less.  δ (default 1)
 *          is the loss's parameter, "huber=0.5"; a huge δ is mse.
 * mae is not differentiable where a = y; its gradient there is taken as 0.
 */
#ifndef NN_LOSS_H
#define NN_LOSS_H

#include "act.h"

typedef enum {
    NN_LOSS_NONE, NN_LOSS_BCE, NN_LOSS_XENT, NN_LOSS_MSE, NN_LOSS_MAE,
    NN_LOSS_HUBER
} nn_loss;

/* "none" "bce" "xent" "mse" "mae" "huber", NULL-terminated. */
extern const char *const nn_loss_names[];

/* 0 if `loss` can follow an output activation `out`; otherwise -1 and
 * *why says what is needed ("bce needs a sigmoid output"). */
int nn_loss_check(nn_loss loss, nn_act out, const char **why);

/* Mean loss over m rows of k outputs; z is the output layer's
 * pre-activation and a its activation.  Huber with δ = 1. */
double nn_loss_value(nn_loss loss, nn_act out, const double *z,
                     const double *a, const double *y, int m, int k);

/* dz = d(loss)/dz for the output layer, for the batch (already divided by
 * m).  For sigmoid+bce and softmax+xent this is (a − y)/m.  Huber with
 * δ = 1; `arg` is the output activation's parameter. */
void nn_loss_output_grad(nn_loss loss, nn_act out, double arg,
                         const double *z, const double *a, const double *y,
                         double *dz, int m, int k);

/* --- losses with a parameter (Huber's δ) ------------------------------- */

#define NN_HUBER_DELTA 1.0    /* Huber's default δ */
#define NN_LOSS_ARG_MAX 1e6   /* the largest δ accepted */

/* The default parameter: NN_HUBER_DELTA for huber, 0 for the others. */
double nn_loss_default_arg(nn_loss loss);
/* 1 when the loss takes a parameter (huber). */
int nn_loss_has_arg(nn_loss loss);

/* Parse "mse", "huber", "huber=0.5" (or "huber:0.5") into *loss and *arg
 * (the default when not given).  -1 if the name is unknown, the loss
 * takes no parameter, or δ is not a number in (0, NN_LOSS_ARG_MAX]. */
int nn_loss_parse(const char *text, nn_loss *loss, double *arg);
/* What nn_loss_parse reads back: "mse", "huber=0.5". */
void nn_loss_text(nn_loss loss, double arg, char *buf, int size);

/* nn_loss_value and nn_loss_output_grad with the loss's parameter
 * loss_arg (Huber's δ; a δ that is not > 0 counts as the default). */
double nn_loss_value_with(nn_loss loss, double loss_arg, nn_act out,
                          const double *z, const double *a, const double *y,
                          int m, int k);
void nn_loss_output_grad_with(nn_loss loss, double loss_arg, nn_act out,
                              double act_arg, const double *z,
                              const double *a, const double *y, double *dz,
                              int m, int k);

#endif
