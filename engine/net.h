/*
 * net.h — a fully connected network: layers, forward and backward passes,
 * batch norm, inverted dropout and L2/L1 regularization.
 *
 * Shapes follow the course: layer l has W of shape (n_l, n_{l-1}) and b of
 * shape (1, n_l); a batch holds one example per row, so Z = A_prev·Wᵀ + b.
 * A layer with batch norm computes U = A_prev·Wᵀ, normalizes U over the
 * batch, and feeds γ·Û + β to its activation; its b is then redundant and
 * not used (nor listed among the parameters).
 *
 * The network owns every buffer the passes need, sized by nn_net_reserve()
 * for a maximum number of rows, so a training step allocates nothing.
 *
 * Ownership: nn_net_new() returns a network the caller frees with
 * nn_net_free().  Pointers into a network (layers, parameters, caches) stay
 * valid until the network is freed or its architecture changes.
 */
#ifndef NN_NET_H
#define NN_NET_H

#include "act.h"
#include "err.h"
#include "loss.h"
#include "mat.h"
#include "rng.h"

typedef enum { NN_REG_NONE, NN_REG_L2, NN_REG_L1 } nn_reg;
extern const char *const nn_reg_names[]; /* "none" "l2" "l1" */

typedef enum { NN_P_W, NN_P_B, NN_P_GAMMA, NN_P_BETA } nn_ptype;
extern const char *const nn_ptype_names[]; /* "W" "b" "gamma" "beta" */

/* One parameter tensor with its gradient and optimizer moments. */
typedef struct nn_param {
    nn_mat w, g;   /* value and gradient, same shape */
    nn_mat v, s;   /* first and second moments (momentum, RMSprop, Adam) */
    nn_ptype type;
    int layer;     /* 1-based, as the course numbers layers */
} nn_param;

typedef enum {
    NN_INIT_ZEROS, NN_INIT_CONST, NN_INIT_NORMAL, NN_INIT_UNIFORM,
    NN_INIT_XAVIER, NN_INIT_XAVIER_NORMAL, NN_INIT_HE, NN_INIT_HE_UNIFORM,
    NN_INIT_LECUN, NN_INIT_ORTHOGONAL, NN_INIT_COUNT
} nn_init_kind;
/* "zeros" "const" "normal" "uniform" "xavier" "xavier-normal" "he"
 * "he-uniform" "lecun" "orthogonal", NULL-terminated. */
extern const char *const nn_init_names[];

typedef struct nn_init_spec {
    nn_init_kind kind;
    double arg;   /* const: value; normal: std; uniform: half-width a */
    double gain;  /* multiplies the scale (default 1) */
} nn_init_spec;

typedef struct nn_layer {
    int in, out;
    nn_act act;
    double act_arg;        /* leaky slope, elu alpha */
    double keep;           /* dropout keep-probability (1 = off) */
    int bn;                /* batch norm before the activation */
    nn_init_spec init;

    nn_param W, b, gamma, beta;
    nn_mat run_mean, run_var;  /* batch norm statistics for evaluation */

    /* caches for up to net->cap rows */
    nn_mat U;       /* A_prev·Wᵀ (batch norm layers only) */
    nn_mat Uhat;    /* normalized U (batch norm layers only) */
    nn_mat Z;       /* what the activation receives */
    nn_mat A;       /* the activation, after dropout */
    nn_mat mask;    /* dropout mask already divided by keep */
    nn_mat dZ;      /* gradient buffer */
    nn_mat bn_ivar; /* 1/sqrt(var + eps) of the last training batch */
    int mask_on;    /* the last forward pass applied the mask */

    double update_sq;  /* ‖ΔW‖² of the last optimizer step */
    double weight_sq;  /* ‖W‖² just before it (update ratios compare the
                          step with the weights it was applied to) */
} nn_layer;

/* Weights of one layer at most (2^27, 1 GiB of doubles): sizes stay far
 * from int overflow in rows·cols, and a typo cannot ask for terabytes. */
#define NN_MAX_LAYER_WEIGHTS (1 << 27)

typedef struct nn_net {
    int n_in;
    int n_layers;
    nn_layer *L;          /* L[0] is layer 1 */
    nn_loss loss;
    nn_reg reg;
    double lambda;
    int reg_m;            /* the m of the penalty λ/(2m)·Σ‖W‖²: the trainer
                             sets the training set's size, so that every
                             mini-batch estimates the one objective of the
                             whole set; 0 = the rows of the pass */
    double bn_momentum;   /* running statistics: r = mom·r + (1−mom)·batch */
    double bn_eps;
    int cap;              /* rows the caches hold */
    int rows;             /* rows of the last forward pass */

    /* every parameter tensor, in order W1 b1 (γ1 β1) W2 ...: pointers into
     * the layers, rebuilt whenever the architecture changes */
    int n_params;
    nn_param **params;

    /* the planted gradient bug of `gradcheck bug`: the gradient of
     * bug_param (index into params, -1 = none) is multiplied by bug_factor */
    int bug_param;
    double bug_factor;
} nn_net;

/* A network with sizes[0] inputs and n-1 layers of sizes[1..n-1] units.
 * Hidden layers get `hidden`, the last `out`; loss as given (checked
 * against `out`).  Weights are not initialized: call nn_net_init(). */
nn_net *nn_net_new(const int *sizes, int n, nn_act hidden, double hidden_arg,
                   nn_act out, double out_arg, nn_loss loss, nn_err *err);
void nn_net_free(nn_net *net);

/* A deep copy (weights, settings, optimizer state; caches sized alike). */
nn_net *nn_net_clone(const nn_net *net, nn_err *err);

/* Insert a dense layer of `units` so that it becomes layer pos (1-based,
 * 1..n_layers; the output layer stays last), or delete hidden layer pos.
 * The layer after it changes shape and is re-initialized with its own
 * spec; the others keep their weights.  On error nothing changes. */
int nn_net_insert(nn_net *net, int pos, int units, nn_act act, double arg,
                  uint64_t seed, nn_err *err);
int nn_net_delete(nn_net *net, int pos, uint64_t seed, nn_err *err);
/* Switch batch norm of layer pos (1-based) on or off: its parameters
 * become W γ β, or W b again (their values are left as they are).  On
 * error nothing changes. */
int nn_net_set_bn(nn_net *net, int pos, int on, nn_err *err);

/* Make sure the caches hold `rows` rows (grow only). */
int nn_net_reserve(nn_net *net, int rows, nn_err *err);

/* Initialize every layer (or only layer `only`, 1-based, if > 0) from its
 * spec with the init stream of `seed`; zero the optimizer moments. */
void nn_net_init(nn_net *net, uint64_t seed, int only);
/* Zero every optimizer moment (v, s) of every parameter. */
void nn_net_zero_moments(nn_net *net);
void nn_init_matrix(nn_mat *w, const nn_init_spec *spec, nn_rng *rng);

/* Forward pass over m <= cap rows of X (m x n_in).  train: batch norm uses
 * batch statistics (and updates the running ones), dropout masks are drawn
 * from `drop` (NULL: no dropout even in training).  Returns the output
 * (m x n_out, pointing into the last layer's cache). */
const double *nn_net_forward(nn_net *net, const double *X, int m, int train,
                             nn_rng *drop);

/* The cost of the last forward pass against Y: the data loss, plus the
 * regularization penalty (with m = reg_m, or the pass's rows) when
 * with_penalty. */
double nn_net_cost(const nn_net *net, const double *Y, int with_penalty);
double nn_net_penalty(const nn_net *net, int m);

/* Gradients of the cost (with penalty) for the last forward pass, into
 * each param's g.  X must be the same X as the forward pass. */
void nn_net_backward(nn_net *net, const double *X, const double *Y);

static inline nn_layer *nn_net_last(nn_net *net)
{
    return &net->L[net->n_layers - 1];
}
static inline int nn_net_outputs(const nn_net *net)
{
    return net->L[net->n_layers - 1].out;
}
/* Trainable parameters in all. */
long nn_net_param_count(const nn_net *net);
/* Find "W2", "b1", "gamma3", "dW2" (the d is ignored): index into params
 * or -1. */
int nn_net_find_param(const nn_net *net, const char *name);
/* "W2" etc. into buf. */
void nn_param_name(const nn_param *p, char *buf, int size);

#endif
