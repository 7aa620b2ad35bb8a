/*
 * ensemble.c — averaging snapshots of networks (see ensemble.h).
 *
 * The ensemble's loss is the loss of the averaged prediction, not the
 * average of the members' losses: -log of the mean probability of the
 * right class (softmax), the binary cross-entropy of the mean sigmoid
 * output, the squared error of the mean output.  For sigmoid outputs the
 * mean of 1 - sigma(z) is averaged separately, as sigma(-z), so that a
 * confident right answer does not round to log(0).
 */
#include "ensemble.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"

enum { CHUNK = 512 };

struct nn_ensemble {
    int n;
    nn_net *member[NN_ENSEMBLE_MAX];
};

nn_ensemble *nn_ensemble_new(nn_err *err)
{
    nn_ensemble *e = calloc(1, sizeof *e);
    if (!e)
        nn_fail(err, "out of memory");
    return e;
}

void nn_ensemble_clear(nn_ensemble *e)
{
    for (int i = 0; i < e->n; i++)
        nn_net_free(e->member[i]);
    e->n = 0;
}

void nn_ensemble_free(nn_ensemble *e)
{
    if (!e)
        return;
    nn_ensemble_clear(e);
    free(e);
}

int nn_ensemble_size(const nn_ensemble *e) { return e->n; }

const nn_net *nn_ensemble_member(const nn_ensemble *e, int i)
{
    return i >= 0 && i < e->n ? e->member[i] : NULL;
}

int nn_ensemble_add(nn_ensemble *e, const nn_net *net, nn_err *err)
{
    if (!net)
        return nn_fail(err, "no network to add");
    if (net->loss == NN_LOSS_NONE)
        return nn_fail(err, "this network has no loss (it was built for "
                       "unlabeled data): there is nothing to average");
    if (e->n == NN_ENSEMBLE_MAX)
        return nn_fail(err, "the ensemble is full (%d members)",
                       NN_ENSEMBLE_MAX);
    if (e->n > 0) {
        const nn_net *first = e->member[0];
        if (net->n_in != first->n_in ||
            nn_net_outputs(net) != nn_net_outputs(first) ||
            net->loss != first->loss)
            return nn_fail(err, "the ensemble's networks take %d inputs to "
                           "%d outputs with loss %s; this one %d to %d with "
                           "%s", first->n_in, nn_net_outputs(first),
                           nn_loss_names[first->loss], net->n_in,
                           nn_net_outputs(net), nn_loss_names[net->loss]);
    }
    nn_net *copy = nn_net_clone(net, err);
    if (!copy)
        return -1;
    e->member[e->n++] = copy;
    return 0;
}

/* ------------------------------------------------------------------------
 * Averaging
 * ------------------------------------------------------------------------ */

static double sigmoid(double z)
{
    return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

/* The members' mean output for m rows of X into P (m x k) and, for
 * sigmoid outputs, the mean of 1 - output into Q; each member's loss and
 * accuracy against Y (if non-NULL) added, times m, to sums[2i], sums[2i+1]. */
static void average(nn_ensemble *e, const double *X, const double *Y, int m,
                    double *P, double *Q, double *sums)
{
    int k = nn_net_outputs(e->member[0]);
    size_t n = (size_t)m * (size_t)k;
    memset(P, 0, n * sizeof *P);
    if (Q)
        memset(Q, 0, n * sizeof *Q);
    for (int i = 0; i < e->n; i++) {
        nn_net *net = e->member[i];
        const double *out = nn_net_forward(net, X, m, 0, NULL);
        const double *z = nn_net_last(net)->Z.v;
        for (size_t j = 0; j < n; j++) {
            P[j] += out[j] / e->n;
            if (Q)
                Q[j] += sigmoid(-z[j]) / e->n;
        }
        if (Y) {
            sums[2 * i] += nn_net_cost(net, Y, 0) * m;
            sums[2 * i + 1] += nn_accuracy(out, Y, m, k) * m;
        }
    }
}

/* The loss of the mean prediction, summed over m rows. */
static double ensemble_loss(nn_loss loss, const double *P, const double *Q,
                            const double *Y, int m, int k)
{
    double total = 0;
    for (size_t j = 0; j < (size_t)m * (size_t)k; j++) {
        if (loss == NN_LOSS_XENT)
            total -= Y[j] ? Y[j] * log(fmax(P[j], DBL_MIN)) : 0;
        else if (loss == NN_LOSS_BCE)
            total -= Y[j] * log(fmax(P[j], DBL_MIN)) +
                     (1 - Y[j]) * log(fmax(Q[j], DBL_MIN));
        else
            total += 0.5 * (P[j] - Y[j]) * (P[j] - Y[j]);
    }
    return total;
}

static int reserve_members(nn_ensemble *e, int rows, nn_err *err)
{
    for (int i = 0; i < e->n; i++)
        if (nn_net_reserve(e->member[i], rows, err))
            return -1;
    return 0;
}

static int check_fit(const nn_ensemble *e, const nn_data *d, nn_err *err)
{
    const nn_net *net = e->member[0];
    int k = nn_net_outputs(net);
    if (nn_data_inputs(d) != net->n_in)
        return nn_fail(err, "the ensemble's networks take %d inputs but the "
                       "data give %d", net->n_in, nn_data_inputs(d));
    if (nn_data_task(d) == NN_TASK_NONE)
        return nn_fail(err, "these data have no labels to score against");
    if (!nn_data_ycols_ok(d, k))
        return nn_fail(err, "the ensemble's networks have %d outputs, which "
                       "do not fit %d classes", k, nn_data_classes(d));
    return 0;
}

int nn_ensemble_evaluate(nn_ensemble *e, const nn_data *d, nn_split s,
                         nn_score *all, nn_score *members, nn_err *err)
{
    if (e->n == 0)
        return nn_fail(err, "the ensemble is empty");
    if (check_fit(e, d, err))
        return -1;
    const nn_net *first = e->member[0];
    int k = nn_net_outputs(first), f = first->n_in;
    int total = nn_data_count(d, s), rows[CHUNK];
    int bce = first->loss == NN_LOSS_BCE;
    double *X = malloc((size_t)CHUNK * f * sizeof *X);
    double *Y = malloc((size_t)CHUNK * k * sizeof *Y);
    double *P = malloc((size_t)CHUNK * k * sizeof *P);
    double *Q = bce ? malloc((size_t)CHUNK * k * sizeof *Q) : NULL;
    double *sums = calloc((size_t)2 * e->n, sizeof *sums);
    int rc = -1;
    if (!X || !Y || !P || (bce && !Q) || !sums) {
        nn_fail(err, "out of memory for the ensemble's evaluation");
        goto out;
    }
    if (reserve_members(e, CHUNK, err))
        goto out;
    double lsum = 0, right = 0;
    for (int at = 0; at < total; at += CHUNK) {
        int m = total - at < CHUNK ? total - at : CHUNK;
        for (int i = 0; i < m; i++)
            rows[i] = at + i;
        nn_data_fill(d, s, rows, m, X, Y, k);
        average(e, X, Y, m, P, Q, sums);
        lsum += ensemble_loss(first->loss, P, Q, Y, m, k);
        right += nn_accuracy(P, Y, m, k) * m;
    }
    int classify = nn_data_task(d) == NN_TASK_CLASSIFY;
    all->loss = total ? lsum / total : NAN;
    all->acc = total && classify ? right / total : NAN;
    for (int i = 0; members && i < e->n; i++) {
        members[i].loss = total ? sums[2 * i] / total : NAN;
        members[i].acc = total && classify ? sums[2 * i + 1] / total : NAN;
    }
    rc = 0;
out:
    free(X), free(Y), free(P), free(Q), free(sums);
    return rc;
}

int nn_ensemble_predict(nn_ensemble *e, const double *X, int m, double *out,
                        nn_err *err)
{
    if (e->n == 0)
        return nn_fail(err, "the ensemble is empty");
    if (m < 1)
        return 0;
    if (reserve_members(e, m, err))
        return -1;
    average(e, X, NULL, m, out, NULL, NULL);
    return 0;
}
