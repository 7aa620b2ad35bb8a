/*
 * loss.h — the data cost of a batch and its gradient at the output.
 *
 * Binary cross-entropy is computed from the sigmoid's input z, and softmax
 * cross-entropy with log-sum-exp, so neither overflows nor takes log(0)
 * however confident the network is.  Each loss is the mean over the m
 * examples of the batch (squared error: (1/2m)·Σ‖a − y‖²).
 */
#ifndef NN_LOSS_H
#define NN_LOSS_H

#include "act.h"

typedef enum { NN_LOSS_NONE, NN_LOSS_BCE, NN_LOSS_XENT, NN_LOSS_MSE } nn_loss;

/* "none" "bce" "xent" "mse", NULL-terminated. */
extern const char *const nn_loss_names[];

/* 0 if `loss` can follow an output activation `out`; otherwise -1 and
 * *why says what is needed ("bce needs a sigmoid output"). */
int nn_loss_check(nn_loss loss, nn_act out, const char **why);

/* Mean loss over m rows of k outputs; z is the output layer's
 * pre-activation and a its activation. */
double nn_loss_value(nn_loss loss, nn_act out, const double *z,
                     const double *a, const double *y, int m, int k);

/* dz = d(loss)/dz for the output layer, for the batch (already divided by
 * m).  For sigmoid+bce and softmax+xent this is (a − y)/m. */
void nn_loss_output_grad(nn_loss loss, nn_act out, double arg,
                         const double *z, const double *a, const double *y,
                         double *dz, int m, int k);

#endif
