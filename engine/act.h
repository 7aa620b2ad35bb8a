/*
 * act.h — activation functions and their derivatives.
 *
 * Activations work on a batch: z and a are rows x cols (one example per
 * row).  Softmax is row-wise.  Backward takes both z and a because each
 * derivative is cheapest from one of them (sigmoid and tanh from a, relu
 * and elu from z).
 */
#ifndef NN_ACT_H
#define NN_ACT_H

typedef enum {
    NN_ACT_LINEAR, NN_ACT_SIGMOID, NN_ACT_TANH, NN_ACT_RELU, NN_ACT_LEAKY,
    NN_ACT_ELU, NN_ACT_SOFTMAX, NN_ACT_COUNT
} nn_act;

/* Names in enum order, NULL-terminated: linear sigmoid tanh relu leaky elu
 * softmax. */
extern const char *const nn_act_names[];

/* The default parameter of leaky (0.01) and elu (1.0); 0 for the others. */
double nn_act_default_arg(nn_act a);

/* Parse "relu", "leaky", "leaky=0.1", "elu=0.5"; -1 if unknown or the
 * parameter is not a number.  *arg gets the parameter (or the default). */
int nn_act_parse(const char *text, nn_act *act, double *arg);

void nn_act_forward(nn_act act, double arg, const double *z, double *a,
                    int rows, int cols);
/* dz = da * f'(z), for the batch.  For softmax this is the Jacobian-vector
 * product per row. dz may alias da. */
void nn_act_backward(nn_act act, double arg, const double *z,
                     const double *a, const double *da, double *dz,
                     int rows, int cols);

#endif
