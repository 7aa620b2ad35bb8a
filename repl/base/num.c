/*
 * num.c — numbers as a student reads them (see num.h).
 *
 * Whether two values read apart is decided on the text printf would
 * write, not on their difference: that is what the student sees, and it
 * takes the rounding into account exactly.
 */
#include "num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double num_plain(double v)
{
    return isnan(v) ? fabs(v) : v;
}

/* The fewest decimals lo..hi that tell a from b; lo when none does. */
static int decimals_apart(double a, double b, int lo, int hi)
{
    for (int d = lo; d <= hi && a != b; d++) {
        char x[64], y[64];
        snprintf(x, sizeof x, "%.*f", d, a);
        snprintf(y, sizeof y, "%.*f", d, b);
        if (strcmp(x, y))
            return d;
    }
    return lo;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int num_decimals_apart(const double *v, int n, int lo, int hi)
{
    double *s = malloc((size_t)(n > 0 ? n : 1) * sizeof *s);
    int k = 0, d = lo;
    if (!s)
        return lo;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]) && fabs(v[i]) < 1e15)
            s[k++] = v[i];
    /* sorted, any two values that could read alike are neighbours */
    qsort(s, (size_t)k, sizeof *s, by_value);
    for (int i = 1; i < k; i++) {
        int need = decimals_apart(s[i - 1], s[i], lo, hi);
        d = need > d ? need : d;
    }
    free(s);
    return d;
}

const char *num_g(char *buf, size_t size, int digits, double v)
{
    snprintf(buf, size, "%.*g", digits, num_plain(v));
    return buf;
}
