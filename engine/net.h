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
 * Two activations give a layer more than W and b:
 *   PReLU   a slope per unit, the parameter tensor alpha (1, n_l), named
 *           "alpha2" like "W2", with its gradient and optimizer moments.
 *           The slopes start at the layer's act_arg (0.25 unless given)
 *           and are not penalized by L1/L2 (as biases are not).
 *   maxout  k pieces per unit (l->pieces = k, act_arg = k): W is
 *           (k·n_l, n_{l-1}) and b (1, k·n_l), the rows j·k .. j·k+k−1
 *           belonging to unit j, and Z holds the k·n_l pre-activations.
 *           Batch norm, when on, normalizes each of the k·n_l pieces (γ, β
 *           are (1, k·n_l)) before the maximum is taken; dropout drops
 *           units, after the maximum.  Initialization counts fan-in
 *           n_{l-1} and fan-out n_l: each piece is a unit of n_{l-1}
 *           inputs, and backward only one piece per unit passes a
 *           gradient.  Weight penalties cover every piece.
 * Both are for hidden layers only (the loss reads the output layer).
 * Change a layer's activation with nn_net_set_act(): writing l->act
 * directly is safe between activations of the same shape (all but prelu
 * and maxout), but leaves PReLU slopes untrained and never changes the
 * pieces (the pass takes the maximum exactly when l->pieces > 1).
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

/* Weight penalties (biases, batch norm's γ β and PReLU slopes are never
 * penalized), with m = reg_m below:
 *   l2       (λ/2m)·Σ‖W‖²               λ = lambda
 *   l1       (λ/m)·Σ|W|                 λ = lambda
 *   elastic  (λ1/m)·Σ|W| + (λ2/2m)·Σ‖W‖²   λ1 = lambda, λ2 = lambda2
 * Elastic net is a kind of its own, with a second field, so that code
 * that knows only l1 and l2 keeps reading `reg` and `lambda` as before;
 * nn_reg_strengths() gives (λ1, λ2) for any kind. */
typedef enum { NN_REG_NONE, NN_REG_L2, NN_REG_L1, NN_REG_ELASTIC } nn_reg;
extern const char *const nn_reg_names[]; /* "none" "l2" "l1" "elastic" */

typedef enum { NN_P_W, NN_P_B, NN_P_GAMMA, NN_P_BETA, NN_P_ALPHA } nn_ptype;
/* "W" "b" "gamma" "beta" "alpha" */
extern const char *const nn_ptype_names[];

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
    /* gathered in the last optimizer step's own pass over W and dW, so
     * that the history's statistics cost no pass of their own: ΣW and
     * ‖W‖² just after the step, Σ dW and ‖dW‖² of the gradient it used */
    double w_sum, w_sq, g_sum, g_sq;

    int pieces;        /* maxout's k (1 for every other activation): W, b,
                          γ, β, U, Û, Z and dZ have pieces·out columns */
    nn_param alpha;    /* PReLU slopes (1, out): always allocated, listed
                          among the parameters only when act is prelu */
} nn_layer;

/* Columns of the layer's pre-activation Z: out, or k·out for maxout. */
static inline int nn_layer_zcols(const nn_layer *l)
{
    return (l->pieces > 1 ? l->pieces : 1) * l->out;
}

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

    double loss_arg;      /* the loss's parameter: Huber's δ (see loss.h) */
    double lambda2;       /* elastic net's λ2 (reg == NN_REG_ELASTIC) */

    int has_grads;        /* 1 when every g holds backprop's gradients: set
                             by nn_net_backward, cleared when the weights
                             are initialized or the parameter tensors
                             change (until then g is zeros or stale) */
    int last_train;       /* the mode of the last forward pass: 1 training
                             (batch statistics; masks where mask_on), 0
                             evaluation */
} nn_net;

/* A network with sizes[0] inputs and n-1 layers of sizes[1..n-1] units.
 * Hidden layers get `hidden`, the last `out`; loss as given (checked
 * against `out`, its parameter the default).  Softmax is refused for
 * hidden layers, prelu and maxout for the output layer, and maxout with
 * pieces other than 2..NN_MAXOUT_MAX.  Weights are not initialized: call
 * nn_net_init(). */
nn_net *nn_net_new(const int *sizes, int n, nn_act hidden, double hidden_arg,
                   nn_act out, double out_arg, nn_loss loss, nn_err *err);
void nn_net_free(nn_net *net);

/* A deep copy (weights, settings, optimizer state; caches sized alike). */
nn_net *nn_net_clone(const nn_net *net, nn_err *err);

/* Insert a dense layer of `units` so that it becomes layer pos (1-based,
 * 1..n_layers; the output layer stays last), or delete hidden layer pos.
 * The new layer may be any hidden activation (prelu, maxout:k too).
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

/* The forward pass of evaluation (no dropout, batch norm on its running
 * statistics) over m <= cap rows of X, `chunk` rows at a time (< 1: all at
 * once), polling the cancel flag (err.h) between chunks.  The caches end as
 * nn_net_forward(net, X, m, 0, NULL) leaves them, for the statistics of
 * the activations.  0, or -1 when interrupted ("interrupted after K of M
 * examples"): then net->rows = K, the rows done. */
int nn_net_forward_eval(nn_net *net, const double *X, int m, int chunk,
                        nn_err *err);

/* A training-mode pass over m rows that applies, in every hidden layer
 * with dropout (keep < 1), the mask its layer holds from the last pass
 * that drew one (for at least m rows), instead of drawing a new one, and
 * leaves batch norm's running statistics as they are: the very function
 * of the weights that pass computed, so that a cost measured before an
 * update and after it compare (what `step` shows). */
const double *nn_net_forward_same_mask(nn_net *net, const double *X, int m);

/* The activation g(z) of unit j in row i of layer l (0-based) in the last
 * forward pass, before dropout: a hidden unit's value whether or not the
 * mask dropped it (PReLU with the unit's slope, maxout the largest of its
 * pieces); for the output layer, its output. */
double nn_net_unit_act(const nn_net *net, int l, int i, int j);

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
/* Find "W2", "b1", "gamma3", "alpha2", "dW2" (the d is ignored): index
 * into params or -1. */
int nn_net_find_param(const nn_net *net, const char *name);
/* "W2" etc. into buf. */
void nn_param_name(const nn_param *p, char *buf, int size);

/* Make layer pos (1-based) use activation act with parameter arg (as
 * nn_act_parse gives them).  Refused with err, nothing changed: softmax on
 * a hidden layer; prelu or maxout on the output layer; an output
 * activation the loss cannot follow; maxout pieces not a whole number
 * 2..NN_MAXOUT_MAX.  When the pieces change (to, from or within maxout)
 * the layer's W and b take their new shape and are initialized from its
 * spec with the init stream of `seed`, and every optimizer moment is
 * zeroed (nn_net_init); otherwise the weights stay.  PReLU slopes are set
 * to arg whenever act is prelu.  When the parameter list changes (prelu
 * on or off, a new shape) a planted gradient bug is removed. */
int nn_net_set_act(nn_net *net, int pos, nn_act act, double arg,
                   uint64_t seed, nn_err *err);

/* Set the loss and its parameter (Huber's δ, in (0, NN_LOSS_ARG_MAX]; 0
 * for the default), checked against the output activation.  On error
 * nothing changes. */
int nn_net_set_loss(nn_net *net, nn_loss loss, double arg, nn_err *err);

/* Set the penalty: kind with lambda (λ, or λ1 for elastic) and lambda2
 * (elastic's λ2; 0 for the other kinds), each 0..NN_LAMBDA_MAX.  On error
 * nothing changes. */
#define NN_LAMBDA_MAX 1e6
int nn_net_set_reg(nn_net *net, nn_reg kind, double lambda, double lambda2,
                   nn_err *err);
/* The L1 and L2 strengths in effect (λ1, λ2): (0, λ) for l2, (λ, 0) for
 * l1, (lambda, lambda2) for elastic, (0, 0) for none. */
void nn_reg_strengths(const nn_net *net, double *l1, double *l2);

#endif
