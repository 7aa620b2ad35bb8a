/* loss.c — losses (see loss.h). */
#include "loss.h"

#include <math.h>
#include <stddef.h>

const char *const nn_loss_names[] = { "none", "bce", "xent", "mse", NULL };

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

double nn_loss_value(nn_loss loss, nn_act out, const double *z,
                     const double *a, const double *y, int m, int k)
{
    (void)out;
    double total = 0;
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
    default:
        return 0;
    }
    return m ? total / m : 0;
}

void nn_loss_output_grad(nn_loss loss, nn_act out, double arg,
                         const double *z, const double *a, const double *y,
                         double *dz, int m, int k)
{
    size_t n = (size_t)m * k;
    double inv = m ? 1.0 / m : 0;
    if (loss == NN_LOSS_BCE || loss == NN_LOSS_XENT || loss == NN_LOSS_MSE)
        for (size_t i = 0; i < n; i++)
            dz[i] = (a[i] - y[i]) * inv;
    else
        for (size_t i = 0; i < n; i++)
            dz[i] = 0;
    /* For the matched pairs (a − y)/m is already dL/dz; squared error
     * gives dL/da, which goes back through the output activation. */
    if (loss == NN_LOSS_MSE)
        nn_act_backward(out, arg, z, a, dz, dz, m, k);
}
