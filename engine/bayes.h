/*
 * bayes.h — Bayesian optimization's pieces, in the open: a Gaussian
 * process on the unit cube with the Matérn 5/2 kernel, expected
 * improvement, and the choice of the next point to try.
 *
 * A search's hyperparameters are first mapped to [0,1] each (log-scaled
 * ones through their logarithm, a β near 1 through log(1 − β);
 * nn_range_to_unit), so one length scale
 * fits every axis.  The process models the results standardized (mean 0,
 * variance 1); its length scale and noise are the pair, from a small grid,
 * with the highest log marginal likelihood.  Expected improvement is
 * taken over the best result seen so far (higher is better).
 *
 * The Cholesky factorization and the solves go through the LAPACK that
 * OpenBLAS ships (dpotrf_, dpotrs_) when the engine is built with
 * HAVE_CBLAS, and through a plain C loop otherwise or after
 * nn_gp_use_lapack(0); the tests compare the two.
 *
 * Ownership: nn_gp holds its own copies (free with nn_gp_free).  Nothing
 * here prints or exits.
 */
#ifndef NN_BAYES_H
#define NN_BAYES_H

#include "err.h"
#include "rng.h"

/* --- a hyperparameter's range and the unit interval -------------------- */

typedef struct nn_range {
    double lo, hi;  /* lo < hi; lo > 0 when log, hi < 1 when log1m */
    int log;        /* NN_RANGE_LOG: uniform in log(value);
                       NN_RANGE_LOG1M: uniform in log(1 − value), for a
                       β in 0.9..0.999 (1 − β = 10^r, r in [−3, −1]) */
} nn_range;

enum { NN_RANGE_LINEAR, NN_RANGE_LOG, NN_RANGE_LOG1M };

/* value -> [0,1] and back (clamped to the range). */
double nn_range_to_unit(const nn_range *r, double value);
double nn_range_from_unit(const nn_range *r, double u);

/* --- the kernel and the linear algebra ---------------------------------- */

/* Matérn 5/2 at distance r in units of the length scale:
 * (1 + √5 r + 5r²/3) exp(−√5 r).  1 at r = 0. */
double nn_matern52(double r);

/* Use LAPACK (1, the default when built with it) or the C loop (0) for the
 * Cholesky factorization and solves.  Returns the previous setting. */
int nn_gp_use_lapack(int on);

/* Factor the symmetric positive definite n x n matrix A (column-major; its
 * lower triangle is read) in place into L with A = L Lᵀ (lower triangle;
 * the upper is left as it was).  0, or -1 with err when A is not positive
 * definite. */
int nn_cholesky(double *A, int n, nn_err *err);
/* Solve A X = B for nrhs right-hand sides given L from nn_cholesky; B is
 * n x nrhs column-major (each right-hand side contiguous) and is
 * overwritten by X. */
void nn_cholesky_solve(const double *L, int n, double *B, int nrhs);

/* --- the Gaussian process ----------------------------------------------- */

typedef struct nn_gp {
    int n, d;
    double *X;       /* n x d points in [0,1]^d, row-major (owned) */
    double *L;       /* n x n Cholesky factor of K + noise·I (owned) */
    double *alpha;   /* (K + noise·I)⁻¹ y, y standardized (owned) */
    double ymean, yscale; /* y was standardized as (y - ymean) / yscale */
    double ell;      /* length scale (unit-cube units) */
    double noise;    /* noise variance, standardized units */
    double lml;      /* log marginal likelihood of the standardized y */
} nn_gp;

/* Fit to n >= 1 points X (n x d, row-major, in [0,1]^d) with results y,
 * for the given length scale and noise.  gp must be zeroed or freed
 * before.  0, or -1 with err (out of memory, or not positive definite). */
int nn_gp_fit(nn_gp *gp, const double *X, const double *y, int n, int d,
              double ell, double noise, nn_err *err);
/* The same, choosing ell and noise on a grid by the log marginal
 * likelihood. */
int nn_gp_fit_auto(nn_gp *gp, const double *X, const double *y, int n,
                   int d, nn_err *err);
/* Posterior mean and standard deviation at x (in y's own units). */
void nn_gp_predict(const nn_gp *gp, const double *x, double *mean,
                   double *sd);
void nn_gp_free(nn_gp *gp);

/* Expected improvement over `best` of a normal with this mean and sd:
 * (μ − best)·Φ(z) + σ·φ(z), z = (μ − best)/σ; max(μ − best, 0) when
 * σ = 0. */
double nn_expected_improvement(double mean, double sd, double best);

/* --- the next point ------------------------------------------------------ */

/* The next point to try: X holds n_obs observed points (results in y)
 * followed by n_pend pending ones (chosen, still running, no result yet),
 * all in [0,1]^d.  The pending points are given the process's mean as
 * their result (the "kriging believer"), so points chosen together spread
 * out; then the point of the highest expected improvement over the best
 * observed result, among random candidates from rng and candidates near
 * the best points, is written to next (d values).  n_obs >= 1.  0, or -1
 * with err.  *ei, if given, gets the expected improvement there. */
int nn_bayes_next(const double *X, const double *y, int n_obs, int n_pend,
                  int d, nn_rng *rng, double *next, double *ei, nn_err *err);

#endif
