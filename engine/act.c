/* act.c — activation functions (see act.h). */
#include "act.h"
#include "mat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nn_act_names[] = {
    "linear", "sigmoid", "tanh", "relu", "leaky", "elu", "softmax",
    "prelu", "gelu", "selu", "maxout", NULL
};

double nn_act_default_arg(nn_act a)
{
    switch (a) {
    case NN_ACT_LEAKY:
        return 0.01;
    case NN_ACT_ELU:
        return 1.0;
    case NN_ACT_PRELU:
        return NN_PRELU_SLOPE;
    case NN_ACT_MAXOUT:
        return 2;
    default:
        return 0.0;
    }
}

int nn_act_has_arg(nn_act a)
{
    return a == NN_ACT_LEAKY || a == NN_ACT_ELU || a == NN_ACT_PRELU ||
           a == NN_ACT_MAXOUT;
}

int nn_act_parse(const char *text, nn_act *act, double *arg)
{
    size_t len = strcspn(text, "=:");
    const char *sep = text[len] ? text + len : NULL;
    for (int i = 0; nn_act_names[i]; i++) {
        if (strlen(nn_act_names[i]) != len || strncmp(text, nn_act_names[i], len))
            continue;
        *act = (nn_act)i;
        *arg = nn_act_default_arg(*act);
        if (!sep)
            return 0;
        if (!nn_act_has_arg(*act))
            return -1;
        char *end;
        double v = strtod(sep + 1, &end);
        if (end == sep + 1 || *end || !isfinite(v) || v < 0)
            return -1;
        /* the pieces size the layer's weights: a whole number, bounded */
        if (*act == NN_ACT_MAXOUT &&
            (v != floor(v) || v < 2 || v > NN_MAXOUT_MAX))
            return -1;
        *arg = v;
        return 0;
    }
    return -1;
}

void nn_act_text(nn_act a, double arg, char *buf, int size)
{
    const char *name = (unsigned)a < NN_ACT_COUNT ? nn_act_names[a] : "?";
    if (a == NN_ACT_MAXOUT)
        snprintf(buf, (size_t)size, "%s:%g", name, arg);
    else if (nn_act_has_arg(a))
        snprintf(buf, (size_t)size, "%s=%g", name, arg);
    else
        snprintf(buf, (size_t)size, "%s", name);
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
 * `z > 0 ? z : 0` gives (NaN and -0 become +0).  Groups of four values
 * are read before any is written (a and z may be one buffer), which the
 * compiler turns into vector compares and masks: the ReLUs of a small
 * network's step took a tenth of it one value at a time. */
static inline double relu_pick(double keep_if_pos, double v)
{
    uint64_t bits, keep = -(uint64_t)(keep_if_pos > 0);
    memcpy(&bits, &v, sizeof bits);
    bits &= keep;
    memcpy(&v, &bits, sizeof bits);
    return v;
}

NN_VECTOR_CLONES
static void relu_fwd(const double *z, double *a, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double v0 = z[i], v1 = z[i + 1], v2 = z[i + 2], v3 = z[i + 3];
        a[i] = relu_pick(v0, v0);
        a[i + 1] = relu_pick(v1, v1);
        a[i + 2] = relu_pick(v2, v2);
        a[i + 3] = relu_pick(v3, v3);
    }
    for (; i < n; i++)
        a[i] = relu_pick(z[i], z[i]);
}

NN_VECTOR_CLONES
static void relu_bwd(const double *z, const double *da, double *dz,
                     size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double z0 = z[i], z1 = z[i + 1], z2 = z[i + 2], z3 = z[i + 3];
        double g0 = da[i], g1 = da[i + 1], g2 = da[i + 2], g3 = da[i + 3];
        dz[i] = relu_pick(z0, g0);
        dz[i + 1] = relu_pick(z1, g1);
        dz[i + 2] = relu_pick(z2, g2);
        dz[i + 3] = relu_pick(z3, g3);
    }
    for (; i < n; i++)
        dz[i] = relu_pick(z[i], da[i]);
}

/* Φ(z) through erfc, which keeps its precision far in the lower tail
 * where 1 + erf(z/√2) would cancel to nothing. */
static double normal_cdf(double z)
{
    return 0.5 * erfc(-z * M_SQRT1_2);
}

static double normal_pdf(double z)
{
    return exp(-0.5 * z * z) * (0.5 * M_2_SQRTPI * M_SQRT1_2);
}

/* maxout's k from its parameter: a whole number >= 1 (1 copies z). */
static int maxout_pieces(double arg)
{
    return arg >= 1 && arg <= NN_MAXOUT_MAX ? (int)arg : 1;
}

/* n units, each the largest of its k adjacent values of z. */
static void maxout_forward(int k, const double *z, double *a, size_t n)
{
    for (size_t u = 0; u < n; u++) {
        const double *p = z + u * (size_t)k;
        double best = p[0];
        for (int q = 1; q < k; q++)
            if (p[q] > best)
                best = p[q];
        a[u] = best;
    }
}

/* Each unit's gradient to the first of its largest pieces, zero to the
 * others.  From the last unit to the first: the k values written for
 * unit u lie at or after u·k >= u, so when da and dz are one buffer no
 * gradient is overwritten before it is read. */
static void maxout_backward(int k, const double *z, const double *da,
                            double *dz, size_t n)
{
    for (size_t u = n; u-- > 0;) {
        const double *p = z + u * (size_t)k;
        double g = da[u];
        int best = 0;
        for (int q = 1; q < k; q++)
            if (p[q] > p[best])
                best = q;
        for (int q = 0; q < k; q++)
            dz[u * (size_t)k + q] = q == best ? g : 0;
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
    case NN_ACT_PRELU: /* one slope for all; a network's are per unit */
        for (size_t i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : arg * z[i];
        break;
    case NN_ACT_GELU:
        for (size_t i = 0; i < n; i++) a[i] = z[i] * normal_cdf(z[i]);
        break;
    case NN_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            a[i] = z[i] > 0 ? NN_SELU_LAMBDA * z[i]
                            : NN_SELU_LAMBDA * NN_SELU_ALPHA * expm1(z[i]);
        break;
    case NN_ACT_MAXOUT:
        maxout_forward(maxout_pieces(arg), z, a, n);
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
    case NN_ACT_PRELU:
        for (size_t i = 0; i < n; i++) dz[i] = z[i] > 0 ? da[i] : arg * da[i];
        break;
    case NN_ACT_GELU:
        for (size_t i = 0; i < n; i++)
            dz[i] = da[i] * (normal_cdf(z[i]) + z[i] * normal_pdf(z[i]));
        break;
    case NN_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            dz[i] = da[i] * (z[i] > 0 ? NN_SELU_LAMBDA
                                      : NN_SELU_LAMBDA * NN_SELU_ALPHA *
                                            exp(z[i]));
        break;
    case NN_ACT_MAXOUT:
        maxout_backward(maxout_pieces(arg), z, da, dz, n);
        break;
    default:
        break;
    }
}

void nn_prelu_forward(const double *z, const double *alpha, double *a,
                      int rows, int cols)
{
    for (int i = 0; i < rows; i++) {
        const double *zi = z + (size_t)i * cols;
        double *ai = a + (size_t)i * cols;
        for (int j = 0; j < cols; j++)
            ai[j] = zi[j] > 0 ? zi[j] : alpha[j] * zi[j];
    }
}

void nn_prelu_backward(const double *z, const double *alpha,
                       const double *da, double *dz, double *dalpha,
                       int rows, int cols)
{
    for (int j = 0; j < cols; j++)
        dalpha[j] = 0;
    for (int i = 0; i < rows; i++) {
        size_t at = (size_t)i * cols;
        for (int j = 0; j < cols; j++) {
            double zz = z[at + j], g = da[at + j];
            if (zz > 0) {
                dz[at + j] = g;
            } else {
                dalpha[j] += g * zz; /* read before dz overwrites da */
                dz[at + j] = alpha[j] * g;
            }
        }
    }
}
