/*
 * optim.h — optimizers, gradient clipping, and (through schedule.h) the
 * learning-rate schedules.
 *
 * The forms are the course's: momentum keeps v = β·v + (1−β)·g and steps
 * −α·v; RMSprop keeps s = ρ·s + (1−ρ)·g² and steps −α·g/(√s + ε); Adam
 * keeps both (with β1 and β2) and divides each by its bias correction
 * (1 − βᵗ).  Nesterov uses the same v and steps with the look-ahead
 * −α·(β·v + (1−β)·g).
 *
 * RMSprop has its own decay ρ = 0.9 (Hinton's lecture, Keras's rho), not
 * Adam's β2 = 0.999: without bias correction s starts near 0, so the first
 * steps are α·g/√((1−ρ)g²) = α/√(1−ρ) per weight, about 32α with 0.999 but
 * 3.2α with 0.9.  Bias correction (s / (1 − ρᵗ), as Adam does) is there to
 * be switched on and compared.
 */
#ifndef NN_OPTIM_H
#define NN_OPTIM_H

#include <math.h>

#include "net.h"
#include "schedule.h"

typedef enum {
    NN_OPT_GD, NN_OPT_MOMENTUM, NN_OPT_NESTEROV, NN_OPT_RMSPROP, NN_OPT_ADAM
} nn_optim_kind;
/* "gd" "momentum" "nesterov" "rmsprop" "adam" */
extern const char *const nn_optim_names[];

typedef struct nn_optim {
    nn_optim_kind kind;
    double lr;              /* α₀, before the schedule */
    double beta;            /* momentum, nesterov (0.9) */
    double beta1, beta2;    /* adam (0.9, 0.999) */
    double eps;             /* adam, rmsprop (1e-8) */
    long t;                 /* updates made, for the bias corrections */
    double rho;             /* rmsprop's decay of s (0.9) */
    int correct;            /* rmsprop: divide s by 1 − ρᵗ (0 = off) */
} nn_optim;

void nn_optim_defaults(nn_optim *o);

/* The ranges the settings must lie in, shared by the shell's commands and
 * the model loader: a β of 1 would divide Adam's bias correction by zero.
 * The learning rate has no upper limit: a rate of 1e6 is a lesson (the
 * cost becomes NaN, or the guard stops it), not an input error. */
#define NN_LR_MAX INFINITY
#define NN_BETA_MAX 0.999999
#define NN_BETA2_MAX 0.999999999
#define NN_EPS_MAX 1.0

/* 1 when optimizer k uses the setting named ("beta", "beta1", "beta2",
 * "eps", "rho", "correct"; "lr" always), else 0: a student setting beta
 * for adam should hear that it does nothing. */
int nn_optim_uses(nn_optim_kind k, const char *setting);

/* 0 when every setting of o is in its range, else -1 with err naming it:
 * lr finite and >= 0; beta, beta1 0..NN_BETA_MAX; beta2, rho
 * 0..NN_BETA2_MAX; eps 0..NN_EPS_MAX, and above 0 for adam and rmsprop
 * (with ε = 0 a weight whose gradient is 0 steps by 0/0 = NaN); correct
 * 0 or 1. */
int nn_optim_check(const nn_optim *o, nn_err *err);

/* One update of every parameter of net with learning rate lr (the
 * scheduled one), from the gradients in param->g.  Records in each layer
 * what the pass over its W saw (update_sq, weight_sq and the sums of
 * net.h that the history's statistics come from).  Returns ‖g‖² of all
 * the gradients it used, every tensor together (what nn_grad_norm
 * squares, gathered in the same pass). */
double nn_optim_step(nn_optim *o, nn_net *net, double lr);

/* What one update's pass over a tensor saw, summed on the way, so that
 * statistics of the weights and gradients cost no pass of their own. */
typedef struct nn_update_sums {
    double d_sq;         /* ‖Δw‖² */
    double w_sq_before;  /* ‖w‖² before the update */
    double w_sum, w_sq;  /* Σw and ‖w‖² after it */
    double g_sum, g_sq;  /* Σg and ‖g‖² of the gradient used */
} nn_update_sums;

/* Update one tensor of n values; t is the (1-based) step for the bias
 * corrections; the sums into *sums.  The weights move exactly as with
 * nn_optim_update. */
void nn_optim_update_sums(const nn_optim *o, long t, double lr, double *w,
                          const double *g, double *v, double *s, int n,
                          nn_update_sums *sums);

/* The same returning ‖Δw‖², and ‖w‖² before the update in *w_sq (if not
 * NULL).  Exposed for the tests. */
double nn_optim_update(const nn_optim *o, long t, double lr, double *w,
                       const double *g, double *v, double *s, int n,
                       double *w_sq);

/* ------------------------------------------------------------------ */
/* Gradient clipping                                                    */
/* ------------------------------------------------------------------ */

/* Applied to the gradients after backprop, before the optimizer's update:
 *   norm   if ‖g‖ > max, every gradient is scaled by max/‖g‖, with ‖g‖ the
 *          norm of all the network's gradients together (W, b, γ, β)
 *   value  every gradient entry is limited to [−max, max] */
typedef enum { NN_CLIP_OFF, NN_CLIP_NORM, NN_CLIP_VALUE } nn_clip_kind;
/* "off" "norm" "value", NULL-terminated */
extern const char *const nn_clip_names[];

typedef struct nn_clip {
    nn_clip_kind kind;  /* off */
    double max;         /* the threshold, finite > 0 (1) */
} nn_clip;

void nn_clip_defaults(nn_clip *c);

/* 0 when the kind is known and max finite and above 0, else -1 with
 * err. */
int nn_clip_check(const nn_clip *c, nn_err *err);

/* The Euclidean norm of every gradient of net taken together (no
 * overflow for entries up to the largest double). */
double nn_grad_norm(const nn_net *net);

/* Clip the gradients of net as c says; norm is nn_grad_norm(net).
 * Returns 1 when clipping changed a gradient, else 0 (off, under the
 * threshold, or a norm that is NaN: the guard's business). */
int nn_clip_grads(const nn_clip *c, nn_net *net, double norm);

#endif
