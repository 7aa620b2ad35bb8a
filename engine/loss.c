/* loss.c — losses (see loss.h). */
#include "loss.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nn_loss_names[] = { "none", "bce", "xent", "mse", "mae",
                                      "huber", NULL };

int nn_loss_check(nn_loss loss, nn_act out, const char **why)
{
    if (loss == NN_LOSS_BCE && out != NN_ACT_SIGMOID) {
        *why = "loss=bce needs a sigmoid output (out=sigmoid)";
        return -1;
    }
    if (loss == NN_LOSS_XENT && out != NN_ACT_SOFTMAX) {
        *why = "loss=xent needs a softmax output (out=softmax)";
        return -1;
    }
    return 0;
}

double nn_loss_default_arg(nn_loss loss)
{
    return loss == NN_LOSS_HUBER ? NN_HUBER_DELTA : 0.0;
}

int nn_loss_has_arg(nn_loss loss)
{
    return loss == NN_LOSS_HUBER;
}

int nn_loss_parse(const char *text, nn_loss *loss, double *arg)
{
    size_t len = strcspn(text, "=:");
    const char *sep = text[len] ? text + len : NULL;
    for (int i = 0; nn_loss_names[i]; i++) {
        if (strlen(nn_loss_names[i]) != len ||
            strncmp(text, nn_loss_names[i], len))
            continue;
        *loss = (nn_loss)i;
        *arg = nn_loss_default_arg(*loss);
        if (!sep)
            return 0;
        if (!nn_loss_has_arg(*loss))
            return -1;
        char *end;
        double v = strtod(sep + 1, &end);
        if (end == sep + 1 || *end || !(v > 0 && v <= NN_LOSS_ARG_MAX))
            return -1;
        *arg = v;
        return 0;
    }
    return -1;
}

void nn_loss_text(nn_loss loss, double arg, char *buf, int size)
{
    const char *name = (unsigned)loss <= NN_LOSS_HUBER ? nn_loss_names[loss]
                                                       : "?";
    if (nn_loss_has_arg(loss))
        snprintf(buf, (size_t)size, "%s=%g", name, arg);
    else
        snprintf(buf, (size_t)size, "%s", name);
}

static double bce_from_logits(double z, double y)
{
    /* −[y log σ(z) + (1−y) log(1−σ(z))] rewritten without overflow */
    return fmax(z, 0) - z * y + log1p(exp(-fabs(z)));
}

static double xent_row(const double *z, const double *y, int k)
{
    double mx = z[0];
    for (int j = 1; j < k; j++)
        if (z[j] > mx)
            mx = z[j];
    double sum = 0, yz = 0, ysum = 0;
    for (int j = 0; j < k; j++) {
        sum += exp(z[j] - mx);
        yz += y[j] * z[j];
        ysum += y[j];
    }
    return ysum * (mx + log(sum)) - yz;
}

static double huber_delta(double arg)
{
    return arg > 0 ? arg : NN_HUBER_DELTA;
}

static double huber(double r, double delta)
{
    double ar = fabs(r);
    return ar <= delta ? 0.5 * r * r : delta * (ar - 0.5 * delta);
}

double nn_loss_value_with(nn_loss loss, double loss_arg, nn_act out,
                          const double *z, const double *a, const double *y,
                          int m, int k)
{
    (void)out;
    double total = 0, delta = huber_delta(loss_arg);
    size_t n = (size_t)m * k;
    switch (loss) {
    case NN_LOSS_BCE:
        for (size_t i = 0; i < n; i++)
            total += bce_from_logits(z[i], y[i]);
        break;
    case NN_LOSS_XENT:
        for (int i = 0; i < m; i++)
            total += xent_row(z + (size_t)i * k, y + (size_t)i * k, k);
        break;
    case NN_LOSS_MSE:
        for (size_t i = 0; i < n; i++)
            total += 0.5 * (a[i] - y[i]) * (a[i] - y[i]);
        break;
    case NN_LOSS_MAE:
        for (size_t i = 0; i < n; i++)
            total += fabs(a[i] - y[i]);
        break;
    case NN_LOSS_HUBER:
        for (size_t i = 0; i < n; i++)
            total += huber(a[i] - y[i], delta);
        break;
    default:
        return 0;
    }
    return m ? total / m : 0;
}

double nn_loss_value(nn_loss loss, nn_act out, const double *z,
                     const double *a, const double *y, int m, int k)
{
    return nn_loss_value_with(loss, NN_HUBER_DELTA, out, z, a, y, m, k);
}

void nn_loss_output_grad_with(nn_loss loss, double loss_arg, nn_act out,
                              double act_arg, const double *z,
                              const double *a, const double *y, double *dz,
                              int m, int k)
{
    size_t n = (size_t)m * k;
    double inv = m ? 1.0 / m : 0, delta = huber_delta(loss_arg);
    switch (loss) {
    case NN_LOSS_BCE:
    case NN_LOSS_XENT:
    case NN_LOSS_MSE:
        for (size_t i = 0; i < n; i++)
            dz[i] = (a[i] - y[i]) * inv;
        break;
    case NN_LOSS_MAE:
        for (size_t i = 0; i < n; i++) {
            double r = a[i] - y[i];
            dz[i] = (r > 0 ? inv : r < 0 ? -inv : 0);
        }
        break;
    case NN_LOSS_HUBER: /* h'(r): r inside [−δ, δ], ±δ outside */
        for (size_t i = 0; i < n; i++) {
            double r = a[i] - y[i];
            dz[i] = (r > delta ? delta : r < -delta ? -delta : r) * inv;
        }
        break;
    default:
        for (size_t i = 0; i < n; i++)
            dz[i] = 0;
        break;
    }
    /* For the matched pairs (a − y)/m is already dL/dz; the regression
     * losses give dL/da, which goes back through the output activation. */
    if (loss == NN_LOSS_MSE || loss == NN_LOSS_MAE || loss == NN_LOSS_HUBER)
        nn_act_backward(out, act_arg, z, a, dz, dz, m, k);
}

void nn_loss_output_grad(nn_loss loss, nn_act out, double arg,
                         const double *z, const double *a, const double *y,
                         double *dz, int m, int k)
{
    nn_loss_output_grad_with(loss, NN_HUBER_DELTA, out, arg, z, a, y, dz, m,
                             k);
}
