/*
 * ewa.c — exponentially weighted averages, and the series the ewa demo
 * averages (see ewa.h).
 */
#include "ewa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "model.h"

void ewa_apply(const double *theta, int n, double beta, int bias, double *v)
{
    double acc = 0, power = 1;
    for (int t = 0; t < n; t++) {
        acc = beta * acc + (1 - beta) * theta[t];
        power *= beta;
        v[t] = bias ? acc / (1 - power) : acc;
    }
}

int ewa_series(Session *s, int which, double **y, int *n)
{
    if (which == 2) {
        const Experiments *e = s->exp;
        if (!e || e->nown < 1)
            return -1;
        *n = e->nown;
        *y = malloc((size_t)e->nown * sizeof **y);
        if (*y)
            memcpy(*y, e->own, (size_t)e->nown * sizeof **y);
        return *y ? 0 : -1;
    }
    if (which == 1) {
        const nn_history *h = s->model ? &s->model->tr.hist : NULL;
        if (!h || h->n < 2)
            return -1;
        *n = h->n;
        *y = malloc((size_t)h->n * sizeof **y);
        if (*y)
            memcpy(*y, h->loss, (size_t)h->n * sizeof **y);
        return *y ? 0 : -1;
    }
    /* a year of daily temperatures: a seasonal swing and daily noise */
    nn_rng rng;
    nn_rng_seed(&rng, 7, NN_STREAM_SEARCH, 1);
    *n = 365;
    *y = malloc(365 * sizeof **y);
    if (!*y)
        return -1;
    for (int d = 0; d < 365; d++)
        (*y)[d] = 11 + 8 * sin(2 * M_PI * (d - 110) / 365.0) +
                  3 * nn_rng_normal(&rng);
    return 0;
}
