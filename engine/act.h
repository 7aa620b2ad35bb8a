/*
 * act.h — activation functions and their derivatives.
 *
 * Activations work on a batch: z and a are rows x cols (one example per
 * row).  Softmax is row-wise.  Backward takes both z and a because each
 * derivative is cheapest from one of them (sigmoid and tanh from a, relu
 * and elu from z; the newer ones all from z, so that they need no undoing
 * of dropout).
 *
 * Four activations came with the course notes' later chapters:
 *   prelu   z > 0 ? z : α·z with a slope α *learned per unit*.  In a
 *           network the slopes are a parameter tensor of the layer
 *           (nn_prelu_forward/backward below); nn_act_forward applies one
 *           slope `arg` to every value, as `calc` shows it.  The parameter
 *           of "prelu=0.1" is the slope the units start from (0.25).
 *   gelu    z·Φ(z), Φ the standard normal CDF, computed exactly with erfc.
 *   selu    λ·z for z > 0, else λ·α·(eᶻ − 1), with the self-normalizing
 *           constants λ = NN_SELU_LAMBDA, α = NN_SELU_ALPHA (no parameter).
 *   maxout  k linear pieces per unit, the unit's output their maximum.
 *           "maxout:2" (or "maxout=2") gives k, 2..NN_MAXOUT_MAX.  Here z
 *           is rows x (k·cols): the k pieces of unit j are the adjacent
 *           columns j·k .. j·k+k−1, and a is rows x cols.
 */
#ifndef NN_ACT_H
#define NN_ACT_H

typedef enum {
    NN_ACT_LINEAR, NN_ACT_SIGMOID, NN_ACT_TANH, NN_ACT_RELU, NN_ACT_LEAKY,
    NN_ACT_ELU, NN_ACT_SOFTMAX, NN_ACT_PRELU, NN_ACT_GELU, NN_ACT_SELU,
    NN_ACT_MAXOUT, NN_ACT_COUNT
} nn_act;

/* Names in enum order, NULL-terminated: linear sigmoid tanh relu leaky elu
 * softmax prelu gelu selu maxout. */
extern const char *const nn_act_names[];

#define NN_SELU_LAMBDA 1.0507009873554805
#define NN_SELU_ALPHA 1.6732632423543772
#define NN_PRELU_SLOPE 0.25   /* the slope PReLU units start from */
#define NN_MAXOUT_MAX 16      /* most pieces per maxout unit */

/* The default parameter of leaky (0.01), elu (1.0), prelu (0.25) and
 * maxout (2 pieces); 0 for the others. */
double nn_act_default_arg(nn_act a);

/* Parse "relu", "leaky", "leaky=0.1", "elu=0.5", "prelu=0.1", "maxout:3";
 * the parameter follows '=' or ':'.  -1 if the name is unknown, the
 * activation takes no parameter, or the parameter is not a number >= 0
 * (for maxout: not a whole number of pieces 2..NN_MAXOUT_MAX).  *arg gets
 * the parameter (or the default). */
int nn_act_parse(const char *text, nn_act *act, double *arg);

void nn_act_forward(nn_act act, double arg, const double *z, double *a,
                    int rows, int cols);
/* dz = da * f'(z), for the batch.  For softmax this is the Jacobian-vector
 * product per row; for maxout each unit's gradient goes to its largest
 * piece (the first of equal ones) and dz is rows x (k·cols).  dz may alias
 * da (maxout too: it fills dz from the end). */
void nn_act_backward(nn_act act, double arg, const double *z,
                     const double *a, const double *da, double *dz,
                     int rows, int cols);

/* 1 when the activation takes a parameter (leaky, elu, prelu, maxout). */
int nn_act_has_arg(nn_act a);

/* The text nn_act_parse reads back: "relu", "leaky=0.01", "prelu=0.25",
 * "maxout:3" (numbers with %g). */
void nn_act_text(nn_act a, double arg, char *buf, int size);

/* PReLU with a slope per unit: alpha holds cols slopes.  Backward sets
 * dz = da·f'(z) (dz may alias da) and dalpha[j] = Σ over the rows of
 * da·min(z, 0), the gradient of each slope. */
void nn_prelu_forward(const double *z, const double *alpha, double *a,
                      int rows, int cols);
void nn_prelu_backward(const double *z, const double *alpha,
                       const double *da, double *dz, double *dalpha,
                       int rows, int cols);

#endif
