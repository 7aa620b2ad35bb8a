/*
 * ewa.h — exponentially weighted averages, as the course introduces them
 * before momentum, RMSprop and Adam, and the series the `ewa` demo
 * averages.
 */
#ifndef NNLAB_EWA_H
#define NNLAB_EWA_H

#include "session.h"

/* v_t = beta·v_{t-1} + (1-beta)·theta_t for t = 1..n into v, optionally
 * divided by 1 - beta^t (bias correction). */
void ewa_apply(const double *theta, int n, double beta, int bias, double *v);

/* The series the ewa demo averages: which 0, a year of daily temperatures
 * (seeded); 1, the recorded training loss; 2, the student's own series
 * kept in the session's experiments (ewa series=40,49,45).  n values into
 * *y (the caller frees).  0, or -1 when there is no such series yet (no
 * training, none given) or no memory. */
int ewa_series(Session *s, int which, double **y, int *n);

#endif
