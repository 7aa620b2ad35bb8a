/*
 * bayes.c — a Gaussian process with the Matérn 5/2 kernel, expected
 * improvement, and the next point of a Bayesian search (see bayes.h).
 *
 * Sizes are a search's: tens of points, a few hundred at most, so every
 * fit factors an n x n matrix a few dozen times (the grid of length
 * scales and noises) and the cost stays well under a trial's.
 */
#include "bayes.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CBLAS
/* LAPACK as OpenBLAS ships it (checked with nm -D on libopenblas: T
 * dpotrf_, T dpotrs_).  Debian has no lapacke.h with it, so the two are
 * declared here; the trailing length is the hidden argument Fortran
 * passes with a character argument (ignored where the routine is C). */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda,
             int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs,
             const double *a, const int *lda, double *b, const int *ldb,
             int *info, size_t uplo_len);
static int use_lapack = 1;
#else
static int use_lapack = 0;
#endif

/* ------------------------------------------------------------------ */
/* Ranges                                                               */
/* ------------------------------------------------------------------ */

double nn_range_to_unit(const nn_range *r, double value)
{
    double u;
    if (r->log == NN_RANGE_LOG1M)   /* 1 − hi is the low end of 1 − β */
        u = (log1p(-r->lo) - log1p(-value)) /
            (log1p(-r->lo) - log1p(-r->hi));
    else if (r->log)
        u = (log(value) - log(r->lo)) / (log(r->hi) - log(r->lo));
    else
        u = (value - r->lo) / (r->hi - r->lo);
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

double nn_range_from_unit(const nn_range *r, double u)
{
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    if (r->log == NN_RANGE_LOG1M)
        return -expm1(log1p(-r->lo) + u * (log1p(-r->hi) - log1p(-r->lo)));
    return r->log ? exp(log(r->lo) + u * (log(r->hi) - log(r->lo)))
                  : r->lo + u * (r->hi - r->lo);
}

/* ------------------------------------------------------------------ */
/* Kernel and linear algebra                                            */
/* ------------------------------------------------------------------ */

double nn_matern52(double r)
{
    double a = sqrt(5.0) * fabs(r);
    return (1 + a + a * a / 3) * exp(-a);
}

int nn_gp_use_lapack(int on)
{
    int prev = use_lapack;
#ifdef HAVE_CBLAS
    use_lapack = on != 0;
#else
    (void)on;
#endif
    return prev;
}

static int cholesky_c(double *A, int n)
{
    for (int j = 0; j < n; j++) {
        double d = A[j + (size_t)j * n];
        for (int k = 0; k < j; k++)
            d -= A[j + (size_t)k * n] * A[j + (size_t)k * n];
        if (!(d > 0))
            return -1;
        double ljj = sqrt(d);
        A[j + (size_t)j * n] = ljj;
        for (int i = j + 1; i < n; i++) {
            double v = A[i + (size_t)j * n];
            for (int k = 0; k < j; k++)
                v -= A[i + (size_t)k * n] * A[j + (size_t)k * n];
            A[i + (size_t)j * n] = v / ljj;
        }
    }
    return 0;
}

static void solve_c(const double *L, int n, double *b)
{
    for (int i = 0; i < n; i++) {           /* L z = b */
        double v = b[i];
        for (int k = 0; k < i; k++)
            v -= L[i + (size_t)k * n] * b[k];
        b[i] = v / L[i + (size_t)i * n];
    }
    for (int i = n - 1; i >= 0; i--) {      /* Lᵀ x = z */
        double v = b[i];
        for (int k = i + 1; k < n; k++)
            v -= L[k + (size_t)i * n] * b[k];
        b[i] = v / L[i + (size_t)i * n];
    }
}

int nn_cholesky(double *A, int n, nn_err *err)
{
    int info = 0;
#ifdef HAVE_CBLAS
    if (use_lapack) {
        dpotrf_("L", &n, A, &n, &info, 1);
        if (info != 0)
            return nn_fail(err, "cholesky: the matrix is not positive "
                           "definite (dpotrf info %d)", info);
        return 0;
    }
#endif
    if (cholesky_c(A, n))
        return nn_fail(err, "cholesky: the matrix is not positive definite");
    return info;
}

void nn_cholesky_solve(const double *L, int n, double *B, int nrhs)
{
#ifdef HAVE_CBLAS
    if (use_lapack) {
        int info = 0;
        dpotrs_("L", &n, &nrhs, L, &n, B, &n, &info, 1);
        return;
    }
#endif
    for (int r = 0; r < nrhs; r++)
        solve_c(L, n, B + (size_t)r * n);
}

/* ------------------------------------------------------------------ */
/* The Gaussian process                                                 */
/* ------------------------------------------------------------------ */

static double dist(const double *a, const double *b, int d)
{
    double s = 0;
    for (int k = 0; k < d; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return sqrt(s);
}

void nn_gp_free(nn_gp *gp)
{
    free(gp->X);
    free(gp->L);
    free(gp->alpha);
    memset(gp, 0, sizeof *gp);
}

int nn_gp_fit(nn_gp *gp, const double *X, const double *y, int n, int d,
              double ell, double noise, nn_err *err)
{
    memset(gp, 0, sizeof *gp);
    if (n < 1 || d < 1 || !(ell > 0) || !(noise >= 0))
        return nn_fail(err, "gp: need n >= 1, d >= 1, ell > 0, noise >= 0");
    gp->X = malloc((size_t)n * d * sizeof *gp->X);
    gp->L = malloc((size_t)n * n * sizeof *gp->L);
    gp->alpha = malloc((size_t)n * sizeof *gp->alpha);
    if (!gp->X || !gp->L || !gp->alpha) {
        nn_gp_free(gp);
        return nn_fail(err, "gp: out of memory");
    }
    gp->n = n, gp->d = d, gp->ell = ell, gp->noise = noise;
    memcpy(gp->X, X, (size_t)n * d * sizeof *X);
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++)
        mean += y[i] / n;
    for (int i = 0; i < n; i++)
        var += (y[i] - mean) * (y[i] - mean) / n;
    gp->ymean = mean;
    gp->yscale = var > 1e-24 ? sqrt(var) : 1;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            gp->L[i + (size_t)j * n] =
                nn_matern52(dist(X + (size_t)i * d, X + (size_t)j * d, d) /
                            ell) + (i == j ? noise + 1e-9 : 0);
    if (nn_cholesky(gp->L, n, err)) {
        nn_gp_free(gp);
        return -1;
    }
    for (int i = 0; i < n; i++)
        gp->alpha[i] = (y[i] - mean) / gp->yscale;
    double fit = 0, logdet = 0;
    double *ys = malloc((size_t)n * sizeof *ys);
    if (!ys) {
        nn_gp_free(gp);
        return nn_fail(err, "gp: out of memory");
    }
    memcpy(ys, gp->alpha, (size_t)n * sizeof *ys);
    nn_cholesky_solve(gp->L, n, gp->alpha, 1);
    for (int i = 0; i < n; i++) {
        fit += ys[i] * gp->alpha[i];
        logdet += log(gp->L[i + (size_t)i * n]);
    }
    free(ys);
    gp->lml = -0.5 * fit - logdet - 0.5 * n * log(2 * M_PI);
    return 0;
}

int nn_gp_fit_auto(nn_gp *gp, const double *X, const double *y, int n,
                   int d, nn_err *err)
{
    static const double ells[] = { 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2 };
    static const double noises[] = { 1e-6, 1e-4, 1e-2, 0.1, 0.3 };
    double best_ell = 0.3, best_noise = 1e-2, best = -INFINITY;
    for (size_t a = 0; a < sizeof ells / sizeof *ells; a++)
        for (size_t b = 0; b < sizeof noises / sizeof *noises; b++) {
            nn_gp g;
            if (nn_gp_fit(&g, X, y, n, d, ells[a] * sqrt((double)d),
                          noises[b], NULL))
                continue;
            if (g.lml > best) {
                best = g.lml;
                best_ell = g.ell;
                best_noise = g.noise;
            }
            nn_gp_free(&g);
        }
    return nn_gp_fit(gp, X, y, n, d, best_ell, best_noise, err);
}

/* Means and standard deviations at m points C (m x d) at once: the
 * right-hand sides of one solve, in chunks. */
static int predict_many(const nn_gp *gp, const double *C, int m, double *mean,
                        double *sd)
{
    enum { CHUNK = 256 };
    int n = gp->n;
    double *K = malloc((size_t)n * CHUNK * sizeof *K);
    double *V = malloc((size_t)n * CHUNK * sizeof *V);
    if (!K || !V) {
        free(K);
        free(V);
        return -1;
    }
    for (int c0 = 0; c0 < m; c0 += CHUNK) {
        int cn = m - c0 < CHUNK ? m - c0 : CHUNK;
        for (int c = 0; c < cn; c++)
            for (int i = 0; i < n; i++)
                K[i + (size_t)c * n] = nn_matern52(
                    dist(C + (size_t)(c0 + c) * gp->d,
                         gp->X + (size_t)i * gp->d, gp->d) / gp->ell);
        memcpy(V, K, (size_t)n * cn * sizeof *V);
        nn_cholesky_solve(gp->L, n, V, cn);
        for (int c = 0; c < cn; c++) {
            double mu = 0, q = 0;
            for (int i = 0; i < n; i++) {
                mu += K[i + (size_t)c * n] * gp->alpha[i];
                q += K[i + (size_t)c * n] * V[i + (size_t)c * n];
            }
            double var = 1 - q;
            mean[c0 + c] = gp->ymean + gp->yscale * mu;
            sd[c0 + c] = gp->yscale * sqrt(var > 0 ? var : 0);
        }
    }
    free(K);
    free(V);
    return 0;
}

void nn_gp_predict(const nn_gp *gp, const double *x, double *mean,
                   double *sd)
{
    if (predict_many(gp, x, 1, mean, sd)) {
        *mean = gp->ymean;
        *sd = gp->yscale;
    }
}

double nn_expected_improvement(double mean, double sd, double best)
{
    double gain = mean - best;
    if (!(sd > 0))
        return gain > 0 ? gain : 0;
    double z = gain / sd;
    double cdf = 0.5 * erfc(-z / sqrt(2.0));
    double pdf = exp(-0.5 * z * z) / sqrt(2 * M_PI);
    return gain * cdf + sd * pdf;
}

/* ------------------------------------------------------------------ */
/* The next point                                                       */
/* ------------------------------------------------------------------ */

/* Random candidates in the cube, then some near each of the best few
 * observed points (where the improvement most likely is). */
static int make_candidates(const double *X, const double *y, int n_obs,
                           int d, nn_rng *rng, double *C, int uniform,
                           int near, int top)
{
    int m = 0;
    for (int c = 0; c < uniform; c++, m++)
        for (int k = 0; k < d; k++)
            C[(size_t)m * d + k] = nn_rng_uniform(rng);
    char *used = calloc((size_t)n_obs, 1);
    if (!used)
        return m;
    for (int t = 0; t < top && t < n_obs; t++) {
        int b = -1;
        for (int i = 0; i < n_obs; i++)
            if (!used[i] && (b < 0 || y[i] > y[b]))
                b = i;
        used[b] = 1;
        for (int c = 0; c < near; c++, m++)
            for (int k = 0; k < d; k++) {
                double v = X[(size_t)b * d + k] + 0.05 * nn_rng_normal(rng);
                C[(size_t)m * d + k] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
    }
    free(used);
    return m;
}

/* The process fitted to the observed points, then refitted with each
 * pending point believed to give the mean there. */
static int fit_with_pending(nn_gp *gp, const double *X, const double *y,
                            int n_obs, int n_pend, int d, nn_err *err)
{
    if (nn_gp_fit_auto(gp, X, y, n_obs, d, err))
        return -1;
    if (n_pend == 0)
        return 0;
    int n = n_obs + n_pend;
    double *yy = malloc((size_t)n * sizeof *yy);
    double *sd = malloc((size_t)n_pend * sizeof *sd);
    if (!yy || !sd || predict_many(gp, X + (size_t)n_obs * d, n_pend,
                                   yy + n_obs, sd)) {
        free(yy);
        free(sd);
        nn_gp_free(gp);
        return nn_fail(err, "gp: out of memory");
    }
    memcpy(yy, y, (size_t)n_obs * sizeof *yy);
    double ell = gp->ell, noise = gp->noise;
    nn_gp_free(gp);
    int rc = nn_gp_fit(gp, X, yy, n, d, ell, noise, err);
    free(yy);
    free(sd);
    return rc;
}

int nn_bayes_next(const double *X, const double *y, int n_obs, int n_pend,
                  int d, nn_rng *rng, double *next, double *ei, nn_err *err)
{
    enum { TOP = 5, NEAR = 60 };
    if (n_obs < 1 || n_pend < 0 || d < 1)
        return nn_fail(err, "bayes: need an observed point");
    nn_gp gp;
    if (fit_with_pending(&gp, X, y, n_obs, n_pend, d, err))
        return -1;
    int uniform = 1000 + 200 * d, cap = uniform + TOP * NEAR;
    double *C = malloc((size_t)cap * d * sizeof *C);
    double *mean = malloc((size_t)cap * sizeof *mean);
    double *sd = malloc((size_t)cap * sizeof *sd);
    int m = C ? make_candidates(X, y, n_obs, d, rng, C, uniform, NEAR, TOP)
              : 0;
    int rc = -1;
    if (C && mean && sd && !predict_many(&gp, C, m, mean, sd)) {
        double best = y[0];
        for (int i = 1; i < n_obs; i++)
            best = y[i] > best ? y[i] : best;
        int arg = 0;
        double top = -1;
        for (int c = 0; c < m; c++) {
            double v = nn_expected_improvement(mean[c], sd[c], best);
            if (v > top) {
                top = v;
                arg = c;
            }
        }
        memcpy(next, C + (size_t)arg * d, (size_t)d * sizeof *next);
        if (ei)
            *ei = top;
        rc = 0;
    } else {
        nn_fail(err, "bayes: out of memory");
    }
    free(C);
    free(mean);
    free(sd);
    nn_gp_free(&gp);
    return rc;
}
