/*
 * num.h — numbers as a student reads them: a NaN is always "nan" (never
 * "-nan": the sign of a NaN means nothing), and a column of values that
 * differ given the decimals it takes to see that they differ (0.580412
 * and 0.580398 must not both read 0.5804).
 */
#ifndef NNLAB_NUM_H
#define NNLAB_NUM_H

#include <stddef.h>

/* v, or for a NaN the same NaN without its sign bit, so that printf's %g
 * and %f write "nan" whatever arithmetic made it. */
double num_plain(double v);

/* The fewest decimals, lo..hi, at which %.*f writes every two distinct
 * finite values of v[0..n) differently (lo if none needs more): the
 * digits of a table column whose rows a student compares. */
int num_decimals_apart(const double *v, int n, int lo, int hi);

/* v as %.*g into buf (size at least 2): "nan", "inf", "-inf" for those.
 * Returns buf. */
const char *num_g(char *buf, size_t size, int digits, double v);

#endif
