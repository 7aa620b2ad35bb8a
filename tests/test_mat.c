/*
 * test_mat.c — matrices and the BLAS seam (engine/mat.c): OpenBLAS's dgemm
 * against the plain C loop for every transpose combination, odd sizes,
 * padded strides, beta 0 and 1, and the degenerate sizes; the allocation
 * contract and the small vector helpers; nn_summarize's mean and
 * variance bit for bit those of nn_mean_var, with its counts and extremes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* One product both ways; op(A) is M x K, op(B) is K x N; each stored
 * matrix gets `pad` extra columns so the strides are exercised too. */
static void compare_gemm(int ta, int tb, int M, int N, int K, double alpha,
                         double beta, int pad, uint64_t seed)
{
    int ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    int lda = ac + pad, ldb = bc + pad, ldc = N + pad;
    double *A = tu_rand(ar * lda, 1.0, seed);
    double *B = tu_rand(br * ldb, 1.0, seed + 1);
    double *C0 = tu_rand(M * ldc, 1.0, seed + 2);
    double *Cb = malloc((size_t)M * ldc * sizeof *Cb);
    double *Cl = malloc((size_t)M * ldc * sizeof *Cl);
    assert_non_null(Cb);
    assert_non_null(Cl);
    if (beta == 0.0) /* beta 0 must not read C: NaN there must not leak */
        for (int i = 0; i < M * ldc; i++)
            C0[i] = NAN;
    memcpy(Cb, C0, (size_t)M * ldc * sizeof *Cb);
    memcpy(Cl, C0, (size_t)M * ldc * sizeof *Cl);

    int was = nn_blas_use(1);
    nn_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, Cb, ldc);
    nn_blas_use(0);
    nn_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, Cl, ldc);
    nn_blas_use(was);

    /* a reference by the definition, to know both are right */
    double d = 0, s = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double ref = beta == 0.0 ? 0.0 : beta * C0[(size_t)i * ldc + j];
            for (int k = 0; k < K; k++) {
                double a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                double b = tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                ref += alpha * a * b;
            }
            double cb = Cb[(size_t)i * ldc + j], cl = Cl[(size_t)i * ldc + j];
            assert_true(isfinite(cb) && isfinite(cl));
            d += (cb - cl) * (cb - cl);
            s += cl * cl;
            assert_true(fabs(cl - ref) <= 1e-12 * (1 + fabs(ref)));
        }
    if (s > 0 && !(sqrt(d) / sqrt(s) <= 1e-12))
        fail_msg("ta=%d tb=%d %dx%dx%d beta=%g: blas vs loop rel %g", ta, tb,
                 M, N, K, beta, sqrt(d) / sqrt(s));
    /* the padding columns of C are never written */
    for (int i = 0; i < M; i++)
        for (int j = N; j < ldc; j++) {
            double c0 = C0[(size_t)i * ldc + j];
            double cb = Cb[(size_t)i * ldc + j], cl = Cl[(size_t)i * ldc + j];
            assert_true((isnan(c0) && isnan(cb) && isnan(cl)) ||
                        (cb == c0 && cl == c0));
        }
    free(A);
    free(B);
    free(C0);
    free(Cb);
    free(Cl);
}

static void test_gemm_blas_vs_loop(void **state)
{
    (void)state;
    static const int sizes[][3] = {
        { 1, 1, 1 }, { 7, 5, 3 }, { 13, 1, 17 }, { 1, 9, 4 },
        { 3, 11, 1 }, { 65, 33, 47 }, { 128, 10, 64 },
    };
    uint64_t seed = 1;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int b = 0; b < 2; b++)
                    for (int pad = 0; pad < 2; pad++)
                        compare_gemm(ta, tb, sizes[s][0], sizes[s][1],
                                     sizes[s][2], b ? 1.0 : 0.7,
                                     b ? 1.0 : 0.0, pad * 3, seed++);
}

/* A hand-sized product: [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]. */
static void test_gemm_known(void **state)
{
    (void)state;
    const double A[] = { 1, 2, 3, 4 }, B[] = { 5, 6, 7, 8 };
    for (int blas = 0; blas < 2; blas++) {
        double C[4] = { 1, 1, 1, 1 };
        int was = nn_blas_use(blas);
        nn_gemm(0, 0, 2, 2, 2, 1.0, A, 2, B, 2, 1.0, C, 2);
        assert_true(C[0] == 20 && C[1] == 23 && C[2] == 44 && C[3] == 51);
        nn_gemm(1, 0, 2, 2, 2, 1.0, A, 2, B, 2, 0.0, C, 2); /* Aᵀ·B */
        assert_true(C[0] == 26 && C[1] == 30 && C[2] == 38 && C[3] == 44);
        nn_gemm(0, 1, 2, 2, 2, 2.0, A, 2, B, 2, 0.0, C, 2); /* 2·A·Bᵀ */
        assert_true(C[0] == 34 && C[1] == 46 && C[2] == 78 && C[3] == 106);
        nn_blas_use(was);
    }
}

/* K = 0 is C = beta·C; M or N = 0 touches nothing. */
static void test_gemm_degenerate(void **state)
{
    (void)state;
    for (int blas = 0; blas < 2; blas++) {
        int was = nn_blas_use(blas);
        double A[1] = { 9 }, B[1] = { 9 }, C[4] = { 1, 2, 3, 4 };
        nn_gemm(0, 0, 2, 2, 0, 1.0, A, 1, B, 2, 0.5, C, 2);
        assert_true(C[0] == 0.5 && C[1] == 1 && C[2] == 1.5 && C[3] == 2);
        nn_gemm(0, 0, 2, 2, 0, 1.0, A, 1, B, 2, 0.0, C, 2);
        assert_true(C[0] == 0 && C[3] == 0);
        C[0] = 7;
        nn_gemm(0, 0, 0, 2, 1, 1.0, A, 1, B, 2, 0.0, C, 2);
        nn_gemm(0, 0, 2, 0, 1, 1.0, A, 1, B, 2, 0.0, C, 2);
        assert_true(C[0] == 7);
        nn_blas_use(was);
    }
}

static void test_blas_switch(void **state)
{
    (void)state;
    int was = nn_blas_use(0);
    assert_int_equal(nn_blas_use(1), 0);
    assert_int_equal(nn_blas_use(was), 1);
    assert_true(nn_blas_threads(0) >= 1);
}

static void test_mat_alloc(void **state)
{
    (void)state;
    nn_mat m;
    assert_int_equal(nn_mat_alloc(&m, 3, 4), 0);
    assert_int_equal(m.rows, 3);
    assert_int_equal(m.cols, 4);
    assert_int_equal(nn_mat_size(&m), 12);
    for (int i = 0; i < 12; i++)
        assert_true(m.v[i] == 0.0);
    nn_mat_free(&m);
    assert_null(m.v);
    assert_int_equal(m.rows, 0);
    nn_mat_free(&m); /* freeing twice is harmless */
    assert_int_equal(nn_mat_alloc(&m, 0, 5), 0);
    assert_int_equal(nn_mat_size(&m), 0);
    nn_mat_free(&m);
    assert_int_equal(nn_mat_alloc(&m, -1, 5), -1);
    assert_null(m.v);
    assert_int_equal(m.rows, 0);
}

static void test_vector_helpers(void **state)
{
    (void)state;
    const double x[] = { 1, 2, 3, 4 };
    double mean, var;
    assert_true(nn_sum_sq(x, 4) == 30);
    nn_mean_var(x, 4, &mean, &var);
    assert_true(mean == 2.5);
    assert_true(var == 1.25); /* population variance */
    nn_mean_var(x, 0, &mean, &var);
    assert_true(mean == 0 && var == 0);
}


static void test_summarize(void **state)
{
    (void)state;
    nn_summary s;
    const double x[] = { 0, -0.0, 5e-4, -5e-4, 1e-3, 0.5, -2, NAN, 3 };
    nn_summarize(x, 9, 1e-3, &s);
    assert_int_equal(s.zero, 2);   /* 0 and -0 */
    assert_int_equal(s.small, 4);  /* and ±5e-4; 1e-3 itself is not < */
    assert_true(s.min == -2 && s.max == 3); /* NaN skipped */
    assert_true(isnan(s.mean) && isnan(s.var)); /* as nn_mean_var */
    nn_summarize(x, 0, 1e-3, &s);
    assert_true(s.mean == 0 && s.var == 0 && s.small == 0 && s.zero == 0);
    assert_true(isnan(s.min) && isnan(s.max));
    const double nans[] = { NAN, NAN };
    nn_summarize(nans, 2, 1, &s);
    assert_true(isnan(s.min) && isnan(s.max) && s.small == 0);
    const double infs[] = { INFINITY, -INFINITY, 1 };
    nn_summarize(infs, 3, 1, &s);
    assert_true(s.min == -INFINITY && s.max == INFINITY);
    /* the same bits as nn_mean_var for every length mod 4 */
    for (int n = 1; n <= 1003; n += 167) {
        double *v = tu_rand(n, 3.0, (uint64_t)n), mean, var;
        v[0] += 100; /* a large mean against the spread */
        nn_mean_var(v, n, &mean, &var);
        nn_summarize(v, n, 0.5, &s);
        assert_memory_equal(&s.mean, &mean, sizeof mean);
        assert_memory_equal(&s.var, &var, sizeof var);
        long small = 0;
        double lo = v[0], hi = v[0];
        for (int i = 0; i < n; i++) {
            small += fabs(v[i]) < 0.5;
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
        assert_int_equal(s.small, small);
        assert_true(s.min == lo && s.max == hi);
        free(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_blas_vs_loop),
        cmocka_unit_test(test_gemm_known),
        cmocka_unit_test(test_gemm_degenerate),
        cmocka_unit_test(test_blas_switch),
        cmocka_unit_test(test_mat_alloc),
        cmocka_unit_test(test_vector_helpers),
        cmocka_unit_test(test_summarize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
