/*
 * test_eig.c — the symmetric eigen-decomposition (engine/eig.c): LAPACK's
 * dsyevd against the Jacobi fallback on random symmetric matrices, a known
 * 2x2 case, a rank-deficient covariance, and the degenerate sizes.  Both
 * methods must give the same eigenvalues, in decreasing order, and the
 * same unit eigenvectors with the same signs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* A random symmetric n x n matrix (entries in [-1, 1)). */
static double *random_symmetric(int n, uint64_t seed)
{
    double *A = tu_rand(n * n, 1.0, seed);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            A[(size_t)i * n + j] = A[(size_t)j * n + i];
    return A;
}

/* Decompose a copy of A with LAPACK (lapack 1) or Jacobi (0). */
static void decompose(const double *A, int n, int lapack, double *V,
                      double *w)
{
    nn_eig e;
    assert_int_equal(nn_eig_alloc(&e, n), 0);
    memcpy(V, A, (size_t)n * n * sizeof *V);
    int was = nn_lapack_use(lapack);
    assert_int_equal(nn_eig_sym(&e, V, w), 0);
    nn_lapack_use(was);
    nn_eig_free(&e);
}

/* A v_k = w_k v_k, the v_k orthonormal, w decreasing, signs as promised. */
static void check_decomposition(const double *A, int n, const double *V,
                                const double *w, double tol)
{
    double scale = 1;
    for (int i = 0; i < n; i++)
        scale = fmax(scale, fabs(w[i]));
    for (int k = 0; k < n; k++) {
        const double *v = V + (size_t)k * n;
        if (k > 0 && !(w[k] <= w[k - 1]))
            fail_msg("eigenvalue %d (%g) above %d (%g)", k, w[k], k - 1,
                     w[k - 1]);
        for (int i = 0; i < n; i++) {
            double av = 0;
            for (int j = 0; j < n; j++)
                av += A[(size_t)i * n + j] * v[j];
            if (!(fabs(av - w[k] * v[i]) <= tol * scale))
                fail_msg("n=%d: (A v_%d - w v_%d)[%d] = %g", n, k, k, i,
                         av - w[k] * v[i]);
        }
        for (int l = 0; l <= k; l++) {
            double dot = 0;
            for (int j = 0; j < n; j++)
                dot += v[j] * V[(size_t)l * n + j];
            if (!(fabs(dot - (k == l)) <= tol))
                fail_msg("n=%d: v_%d . v_%d = %g", n, k, l, dot);
        }
        int big = 0;
        for (int j = 1; j < n; j++)
            if (fabs(v[j]) > fabs(v[big]) * (1 + 1e-9))
                big = j;
        assert_true(v[big] > 0);
    }
}

static void test_known_2x2(void **state)
{
    (void)state;
    const double A[4] = { 2, 1, 1, 2 };
    const double r = sqrt(0.5);
    for (int lapack = 0; lapack <= 1; lapack++) {
        double V[4], w[2];
        decompose(A, 2, lapack, V, w);
        assert_true(fabs(w[0] - 3) < 1e-14 && fabs(w[1] - 1) < 1e-14);
        /* (1,1)/sqrt2; (-1,1)/sqrt2 turned so its first (tied) entry is
         * positive */
        const double want[4] = { r, r, r, -r };
        for (int i = 0; i < 4; i++)
            if (!(fabs(V[i] - want[i]) < 1e-14))
                fail_msg("lapack=%d: V[%d] = %.17g, want %.17g", lapack, i,
                         V[i], want[i]);
    }
}

static void test_lapack_vs_jacobi(void **state)
{
    (void)state;
    static const int sizes[] = { 1, 2, 3, 5, 8, 17, 40, 64 };
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        int n = sizes[t];
        double *A = random_symmetric(n, 100 + t);
        double *Vl = malloc((size_t)n * n * sizeof *Vl);
        double *Vj = malloc((size_t)n * n * sizeof *Vj);
        double *wl = malloc((size_t)n * sizeof *wl);
        double *wj = malloc((size_t)n * sizeof *wj);
        assert_true(Vl && Vj && wl && wj);
        decompose(A, n, 1, Vl, wl);
        decompose(A, n, 0, Vj, wj);
        check_decomposition(A, n, Vl, wl, 1e-12);
        check_decomposition(A, n, Vj, wj, 1e-12);
        /* random eigenvalues are distinct: the vectors are unique up to
         * sign, and the sign rule fixes that */
        for (int i = 0; i < n; i++)
            if (!(fabs(wl[i] - wj[i]) <= 1e-12 * (1 + fabs(wl[i]))))
                fail_msg("n=%d: eigenvalue %d: lapack %.17g, jacobi %.17g",
                         n, i, wl[i], wj[i]);
        for (int i = 0; i < n * n; i++)
            if (!(fabs(Vl[i] - Vj[i]) <= 1e-9))
                fail_msg("n=%d: V[%d]: lapack %.17g, jacobi %.17g", n, i,
                         Vl[i], Vj[i]);
        free(A), free(Vl), free(Vj), free(wl), free(wj);
    }
}

/* The covariance of 3 points in 6 dimensions has rank 2: four eigenvalues
 * are zero to rounding, and still every vector is a unit vector. */
static void test_rank_deficient(void **state)
{
    (void)state;
    enum { N = 6, M = 3 };
    double *X = tu_rand(M * N, 1.0, 7), C[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0, mi = 0, mj = 0;
            for (int r = 0; r < M; r++) {
                mi += X[r * N + i] / M;
                mj += X[r * N + j] / M;
            }
            for (int r = 0; r < M; r++)
                s += (X[r * N + i] - mi) * (X[r * N + j] - mj) / M;
            C[i * N + j] = s;
        }
    for (int lapack = 0; lapack <= 1; lapack++) {
        double V[N * N], w[N];
        decompose(C, N, lapack, V, w);
        check_decomposition(C, N, V, w, 1e-12);
        assert_true(w[1] > 1e-3);
        for (int k = 2; k < N; k++)
            assert_true(fabs(w[k]) < 1e-14);
    }
    free(X);
}

static void test_degenerate_sizes(void **state)
{
    (void)state;
    nn_eig e;
    double a = 4.5, w = 0;
    assert_int_equal(nn_eig_alloc(&e, 0), 0);
    assert_int_equal(nn_eig_sym(&e, &a, &w), 0);
    nn_eig_free(&e);
    for (int lapack = 0; lapack <= 1; lapack++) {
        double v = -4.5;
        assert_int_equal(nn_eig_alloc(&e, 1), 0);
        int was = nn_lapack_use(lapack);
        assert_int_equal(nn_eig_sym(&e, &v, &w), 0);
        nn_lapack_use(was);
        assert_true(w == -4.5 && v == 1.0);
        nn_eig_free(&e);
    }
    nn_eig_free(&e); /* freeing twice is harmless */
}

static void test_lapack_switch(void **state)
{
    (void)state;
    int was = nn_lapack_use(0);
    assert_int_equal(was, 1); /* built with OpenBLAS: LAPACK by default */
    assert_int_equal(nn_lapack_use(1), 0);
    assert_int_equal(nn_lapack_use(was), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_2x2),
        cmocka_unit_test(test_lapack_vs_jacobi),
        cmocka_unit_test(test_rank_deficient),
        cmocka_unit_test(test_degenerate_sizes),
        cmocka_unit_test(test_lapack_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
