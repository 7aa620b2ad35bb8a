/* act.c — activation functions (see act.h). */
#include "act.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const nn_act_names[] = {
    "linear", "sigmoid", "tanh", "relu", "leaky", "elu", "softmax", NULL
};

double nn_act_default_arg(nn_act a)
{
    return a == NN_ACT_LEAKY ? 0.01 : a == NN_ACT_ELU ? 1.0 : 0.0;
}

int nn_act_parse(const char *text, nn_act *act, double *arg)
{
    const char *eq = strchr(text, '=');
    size_t len = eq ? (size_t)(eq - text) : strlen(text);
    for (int i = 0; nn_act_names[i]; i++) {
        if (strlen(nn_act_names[i]) != len || strncmp(text, nn_act_names[i], len))
            continue;
        *act = (nn_act)i;
        *arg = nn_act_default_arg(*act);
        if (!eq)
            return 0;
        if (*act != NN_ACT_LEAKY && *act != NN_ACT_ELU)
            return -1; /* only leaky and elu take a parameter */
        char *end;
        double v = strtod(eq + 1, &end);
        if (end == eq + 1 || *end || !isfinite(v) || v < 0)
            return -1;
        *arg = v;
        return 0;
    }
    return -1;
}

/* Stable logistic: never evaluates exp of a large positive number. */
static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* Branch-free ReLU: the sign of z is as good as random, so a branch
 * mispredicts half the time.  Selecting with a bit mask gives exactly what
 * `z > 0 ? z : 0` gives (NaN and -0 become +0). */
static void relu_fwd(const double *z, double *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = z[i];
        uint64_t bits, keep = -(uint64_t)(v > 0);
        memcpy(&bits, &v, sizeof bits);
        bits &= keep;
        memcpy(&a[i], &bits, sizeof bits);
    }
}

static void relu_bwd(const double *z, const double *da, double *dz,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double g = da[i];
        uint64_t bits, keep = -(uint64_t)(z[i] > 0);
        memcpy(&bits, &g, sizeof bits);
        bits &= keep;
        memcpy(&dz[i], &bits, sizeof bits);
    }
}

static void softmax_rows(const double *z, double *a, int rows, int cols)
{
    for (int i = 0; i < rows; i++) {
        const double *zi = z + (size_t)i * cols;
        double *ai = a + (size_t)i * cols;
        double mx = zi[0];
        for (int j = 1; j < cols; j++)
            if (zi[j] > mx)
                mx = zi[j];
        double sum = 0;
        for (int j = 0; j < cols; j++)
            sum += ai[j] = exp(zi[j] - mx);
        for (int j = 0; j < cols; j++)
            ai[j] /= sum;
    }
}

void nn_act_forward(nn_act act, double arg, const double *z, double *a,
                    int rows, int cols)
{
    size_t n = (size_t)rows * cols;
    switch (act) {
    case NN_ACT_LINEAR:
        if (a != z)
            memcpy(a, z, n * sizeof *a);
        break;
    case NN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) a[i] = sigmoid(z[i]);
        break;
    case NN_ACT_TANH:
        for (size_t i = 0; i < n; i++) a[i] = tanh(z[i]);
        break;
    case NN_ACT_RELU:
        relu_fwd(z, a, n);
        break;
    case NN_ACT_LEAKY:
        for (size_t i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : arg * z[i];
        break;
    case NN_ACT_ELU:
        for (size_t i = 0; i < n; i++)
            a[i] = z[i] > 0 ? z[i] : arg * expm1(z[i]);
        break;
    case NN_ACT_SOFTMAX:
        softmax_rows(z, a, rows, cols);
        break;
    default:
        break;
    }
}

static void softmax_backward(const double *a, const double *da, double *dz,
                             int rows, int cols)
{
    for (int i = 0; i < rows; i++) {
        const double *ai = a + (size_t)i * cols, *gi = da + (size_t)i * cols;
        double *di = dz + (size_t)i * cols;
        double dot = 0;
        for (int j = 0; j < cols; j++)
            dot += ai[j] * gi[j];
        for (int j = 0; j < cols; j++)
            di[j] = ai[j] * (gi[j] - dot);
    }
}

void nn_act_backward(nn_act act, double arg, const double *z,
                     const double *a, const double *da, double *dz,
                     int rows, int cols)
{
    size_t n = (size_t)rows * cols;
    switch (act) {
    case NN_ACT_LINEAR:
        if (dz != da)
            memcpy(dz, da, n * sizeof *dz);
        break;
    case NN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) dz[i] = da[i] * a[i] * (1 - a[i]);
        break;
    case NN_ACT_TANH:
        for (size_t i = 0; i < n; i++) dz[i] = da[i] * (1 - a[i] * a[i]);
        break;
    case NN_ACT_RELU:
        relu_bwd(z, da, dz, n);
        break;
    case NN_ACT_LEAKY:
        for (size_t i = 0; i < n; i++) dz[i] = z[i] > 0 ? da[i] : arg * da[i];
        break;
    case NN_ACT_ELU:
        for (size_t i = 0; i < n; i++)
            dz[i] = z[i] > 0 ? da[i] : da[i] * (a[i] + arg);
        break;
    case NN_ACT_SOFTMAX:
        softmax_backward(a, da, dz, rows, cols);
        break;
    default:
        break;
    }
}
