/*
 * test_bayes.c — the Bayesian search's pieces (engine/bayes.c) and
 * successive halving's plan (engine/halving.c): the unit-cube mapping,
 * the Matérn 5/2 kernel, the Cholesky factorization through LAPACK
 * against the C loop, a Gaussian process that interpolates and is unsure
 * far from its points, expected improvement against its formula, and —
 * measured and printed — Bayesian choices against random ones on a fixed
 * function with the same budget.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static void test_range_unit(void **state)
{
    (void)state;
    nn_range lin = { 0.5, 1, 0 }, lg = { 1e-4, 1, 1 };
    assert_float_equal(nn_range_to_unit(&lin, 0.75), 0.5, 1e-15);
    assert_float_equal(nn_range_to_unit(&lg, 1e-2), 0.5, 1e-12);
    assert_float_equal(nn_range_from_unit(&lg, 0.25), 1e-3, 1e-15);
    assert_float_equal(nn_range_to_unit(&lg, 10), 1, 0);      /* clamped */
    for (double u = 0; u <= 1; u += 0.125) {
        assert_float_equal(nn_range_to_unit(&lg, nn_range_from_unit(&lg, u)),
                           u, 1e-12);
        assert_float_equal(nn_range_to_unit(&lin,
                                            nn_range_from_unit(&lin, u)),
                           u, 1e-12);
    }
}

/* The notes' beta = 1 - 10^r, r uniform in [-3, -1]: beta=0.9..0.999 on
 * a log1m scale puts the middle at 0.99, the quarter points at 1 - 10^-1.5
 * and 1 - 10^-2.5, and samples as many betas above 0.99 as below. */
static void test_range_log1m(void **state)
{
    (void)state;
    nn_range b = { 0.9, 0.999, NN_RANGE_LOG1M };
    assert_float_equal(nn_range_from_unit(&b, 0), 0.9, 1e-15);
    assert_float_equal(nn_range_from_unit(&b, 1), 0.999, 1e-15);
    assert_float_equal(nn_range_from_unit(&b, 0.5), 0.99, 1e-14);
    assert_float_equal(nn_range_from_unit(&b, 0.25), 1 - pow(10, -1.5),
                       1e-14);
    assert_float_equal(nn_range_to_unit(&b, 0.999 - 1e-12), 1, 1e-8);
    assert_float_equal(nn_range_to_unit(&b, 0.5), 0, 0);      /* clamped */
    for (double u = 0; u <= 1; u += 0.125)
        assert_float_equal(nn_range_to_unit(&b, nn_range_from_unit(&b, u)),
                           u, 1e-12);
    nn_rng rng;
    nn_rng_seed(&rng, 1, NN_STREAM_SEARCH, 0);
    int above = 0, n = 10000;
    for (int i = 0; i < n; i++)
        above += nn_range_from_unit(&b, nn_rng_uniform(&rng)) > 0.99;
    /* on a linear scale only (0.999 - 0.99) / 0.099 = 9% would be */
    assert_true(above > 0.48 * n && above < 0.52 * n);
    print_message("# beta=0.9..0.999:log1m: %.1f%% of 10000 samples above "
                  "0.99 (9.1%% on a linear scale)\n", 100.0 * above / n);
}

static void test_matern(void **state)
{
    (void)state;
    assert_float_equal(nn_matern52(0), 1, 0);
    double a = sqrt(5.0);
    assert_float_equal(nn_matern52(1), (1 + a + 5.0 / 3) * exp(-a), 1e-15);
    assert_float_equal(nn_matern52(-0.5), nn_matern52(0.5), 0);
    for (double r = 0; r < 5; r += 0.25)
        assert_true(nn_matern52(r + 0.25) < nn_matern52(r));
}

/* A random symmetric positive definite n x n matrix (column-major). */
static double *spd(int n, uint64_t seed)
{
    double *B = tu_rand(n * n, 1, seed), *A = calloc((size_t)n * n, 8);
    assert_non_null(A);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < n; k++)
                A[i + j * n] += B[i + k * n] * B[j + k * n];
            A[i + j * n] += i == j ? n : 0;
        }
    free(B);
    return A;
}

static void test_cholesky_lapack_and_c(void **state)
{
    (void)state;
    enum { N = 37 };
    double *A = spd(N, 3), *L1 = malloc(sizeof(double) * N * N),
           *L2 = malloc(sizeof(double) * N * N);
    memcpy(L1, A, sizeof(double) * N * N);
    memcpy(L2, A, sizeof(double) * N * N);
    int prev = nn_gp_use_lapack(1);
    assert_int_equal(nn_cholesky(L1, N, NULL), 0);
    nn_gp_use_lapack(0);
    assert_int_equal(nn_cholesky(L2, N, NULL), 0);
    double worst = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double llt = 0;
            for (int k = 0; k <= j; k++)
                llt += L1[i + k * N] * L1[j + k * N];
            worst = fmax(worst, fabs(llt - A[i + j * N]));
            worst = fmax(worst, fabs(L1[i + j * N] - L2[i + j * N]));
        }
    assert_true(worst < 1e-10);
    /* solves: A x = b through both */
    double b[2][N], x[2][N];
    for (int i = 0; i < N; i++)
        b[0][i] = b[1][i] = x[0][i] = x[1][i] = sin(i + 1.0);
    nn_gp_use_lapack(1);
    nn_cholesky_solve(L1, N, x[0], 1);
    nn_gp_use_lapack(0);
    nn_cholesky_solve(L2, N, x[1], 1);
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < N; i++) {
            double ax = 0;
            for (int j = 0; j < N; j++)
                ax += A[i + j * N] * x[r][j];
            assert_float_equal(ax, b[r][i], 1e-10);
        }
    /* not positive definite: refused by both */
    double bad[4] = { 1, 2, 2, 1 }, bad2[4] = { 1, 2, 2, 1 };
    nn_err err;
    nn_gp_use_lapack(1);
    assert_int_equal(nn_cholesky(bad, 2, &err), -1);
    assert_non_null(strstr(err.msg, "not positive definite"));
    nn_gp_use_lapack(0);
    assert_int_equal(nn_cholesky(bad2, 2, &err), -1);
    nn_gp_use_lapack(prev);
    free(A);
    free(L1);
    free(L2);
}

static double bumpy(const double *x)
{
    return sin(6 * x[0]) * cos(4 * x[1]) + 0.5 * x[0];
}

static void test_gp_interpolates(void **state)
{
    (void)state;
    enum { N = 12 };
    double X[N * 2], y[N];
    nn_rng r;
    nn_rng_seed(&r, 5, NN_STREAM_SEARCH, 1);
    for (int i = 0; i < N; i++) {
        X[2 * i] = nn_rng_uniform(&r);
        X[2 * i + 1] = nn_rng_uniform(&r);
        y[i] = bumpy(X + 2 * i);
    }
    nn_gp gp;
    assert_int_equal(nn_gp_fit(&gp, X, y, N, 2, 0.3, 1e-10, NULL), 0);
    for (int i = 0; i < N; i++) {
        double m, sd;
        nn_gp_predict(&gp, X + 2 * i, &m, &sd);
        assert_float_equal(m, y[i], 1e-4);
        assert_true(sd < 1e-3);
    }
    /* far from every point (a tiny length scale): the prior */
    nn_gp_free(&gp);
    assert_int_equal(nn_gp_fit(&gp, X, y, N, 2, 1e-3, 1e-10, NULL), 0);
    double mid[2] = { 0.5123, 0.4987 }, m, sd;
    nn_gp_predict(&gp, mid, &m, &sd);
    assert_float_equal(m, gp.ymean, 1e-9);
    assert_float_equal(sd, gp.yscale, 1e-9);
    nn_gp_free(&gp);
    /* the grid prefers little noise for a noiseless smooth function */
    assert_int_equal(nn_gp_fit_auto(&gp, X, y, N, 2, NULL), 0);
    assert_true(gp.noise <= 1e-2);
    nn_gp_free(&gp);
    assert_int_equal(nn_gp_fit(&gp, X, y, 0, 2, 0.3, 0, NULL), -1);
}

static void test_expected_improvement(void **state)
{
    (void)state;
    assert_float_equal(nn_expected_improvement(2, 0, 1), 1, 0);
    assert_float_equal(nn_expected_improvement(0.5, 0, 1), 0, 0);
    assert_float_equal(nn_expected_improvement(1, 2, 1),
                       2 / sqrt(2 * M_PI), 1e-15);
    /* mean 1, sd 1 over 0: Φ(1) + φ(1) */
    assert_float_equal(nn_expected_improvement(1, 1, 0),
                       0.8413447460685429 + 0.24197072451914337, 1e-12);
    for (double m = -2; m < 2; m += 0.5) {
        assert_true(nn_expected_improvement(m + 0.5, 1, 0) >
                    nn_expected_improvement(m, 1, 0));
        assert_true(nn_expected_improvement(m, 1.5, 0) >
                    nn_expected_improvement(m, 1, 0));
    }
}

static void test_next_point(void **state)
{
    (void)state;
    double X[8] = { 0.1, 0.1, 0.9, 0.9, 0.5, 0.5, 0.2, 0.8 };
    double y[4];
    for (int i = 0; i < 4; i++)
        y[i] = bumpy(X + 2 * i);
    double a[2], b[2], X2[10];
    nn_rng r1, r2;
    nn_rng_seed(&r1, 1, NN_STREAM_SEARCH, 0);
    nn_rng_seed(&r2, 1, NN_STREAM_SEARCH, 0);
    assert_int_equal(nn_bayes_next(X, y, 4, 0, 2, &r1, a, NULL, NULL), 0);
    assert_int_equal(nn_bayes_next(X, y, 4, 0, 2, &r2, b, NULL, NULL), 0);
    assert_true(a[0] == b[0] && a[1] == b[1]);  /* same rng, same point */
    for (int k = 0; k < 2; k++)
        assert_true(a[k] >= 0 && a[k] <= 1);
    /* with a pending at a, the next point goes elsewhere */
    memcpy(X2, X, sizeof X);
    X2[8] = a[0];
    X2[9] = a[1];
    nn_rng_seed(&r1, 1, NN_STREAM_SEARCH, 0);
    assert_int_equal(nn_bayes_next(X2, y, 4, 1, 2, &r1, b, NULL, NULL), 0);
    assert_true(hypot(a[0] - b[0], a[1] - b[1]) > 0.02);
    assert_int_equal(nn_bayes_next(X, y, 0, 0, 2, &r1, b, NULL, NULL), -1);
}

/* Bayesian choices against random ones: the best found in 20 tries of a
 * fixed function of two variables, 5 random then 15 chosen. */
static double search_best(int bayes, uint64_t seed)
{
    enum { BUDGET = 20, START = 5 };
    double X[BUDGET * 2], y[BUDGET], best = -INFINITY;
    nn_rng r;
    nn_rng_seed(&r, seed, NN_STREAM_SEARCH, 0);
    for (int t = 0; t < BUDGET; t++) {
        if (!bayes || t < START) {
            X[2 * t] = nn_rng_uniform(&r);
            X[2 * t + 1] = nn_rng_uniform(&r);
        } else {
            assert_int_equal(nn_bayes_next(X, y, t, 0, 2, &r, X + 2 * t,
                                           NULL, NULL), 0);
        }
        y[t] = bumpy(X + 2 * t);
        best = fmax(best, y[t]);
    }
    return best;
}

static void test_bayes_beats_random(void **state)
{
    (void)state;
    enum { SEEDS = 10 };
    int wins = 0;
    double sb = 0, sr = 0;
    for (int s = 1; s <= SEEDS; s++) {
        double b = search_best(1, (uint64_t)s), r = search_best(0,
                                                               (uint64_t)s);
        wins += b >= r;
        sb += b / SEEDS;
        sr += r / SEEDS;
    }
    printf("# measured: bumpy 2-D function, 20 tries: bayes as good as "
           "random on %d of %d seeds (mean best %.4f against %.4f; the "
           "maximum is about 1.39)\n", wins, SEEDS, sb, sr);
    assert_true(wins >= 8);
}

static void test_halving_plan(void **state)
{
    (void)state;
    nn_rung r[NN_MAX_RUNGS];
    int k = nn_halving_plan(27, 9, 3, r);
    assert_int_equal(k, 3);
    assert_int_equal(r[0].configs, 27);
    assert_int_equal(r[0].epochs, 1);
    assert_int_equal(r[1].configs, 9);
    assert_int_equal(r[1].epochs, 3);
    assert_int_equal(r[2].configs, 3);
    assert_int_equal(r[2].epochs, 9);
    assert_int_equal(nn_halving_cost(r, k), 63);
    k = nn_halving_plan(20, 9, 3, r);
    assert_int_equal(k, 3);
    assert_int_equal(r[1].configs, 6);
    assert_int_equal(r[2].configs, 2);
    assert_int_equal(nn_halving_cost(r, k), 20 + 6 * 2 + 2 * 6);
    /* a budget too small to divide: one rung, everything at full budget */
    k = nn_halving_plan(10, 2, 3, r);
    assert_int_equal(k, 1);
    assert_int_equal(r[0].configs, 10);
    assert_int_equal(r[0].epochs, 2);
    /* budgets that do not divide evenly still rise */
    k = nn_halving_plan(30, 10, 3, r);
    for (int i = 1; i < k; i++) {
        assert_true(r[i].epochs > r[i - 1].epochs);
        assert_true(r[i].configs < r[i - 1].configs);
    }
    assert_int_equal(r[k - 1].epochs, 10);
    assert_int_equal(nn_halving_plan(0, 9, 3, r), -1);
    assert_int_equal(nn_halving_plan(9, 9, 1, r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_unit),
        cmocka_unit_test(test_range_log1m),
        cmocka_unit_test(test_matern),
        cmocka_unit_test(test_cholesky_lapack_and_c),
        cmocka_unit_test(test_gp_interpolates),
        cmocka_unit_test(test_expected_improvement),
        cmocka_unit_test(test_next_point),
        cmocka_unit_test(test_bayes_beats_random),
        cmocka_unit_test(test_halving_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
