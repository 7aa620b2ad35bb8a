/*
 * test_rng.c — the seeded generator (engine/rng.c): reproducible for a
 * seed, independent streams, uniform in [0,1), normal with mean 0 and
 * variance 1, and a shuffle that is a permutation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static void test_same_seed_same_numbers(void **state)
{
    (void)state;
    nn_rng a, b, c;
    nn_rng_seed(&a, 42, NN_STREAM_INIT, 1);
    nn_rng_seed(&b, 42, NN_STREAM_INIT, 1);
    nn_rng_seed(&c, 42, NN_STREAM_INIT, 2);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = nn_rng_u64(&a), y = nn_rng_u64(&b), z = nn_rng_u64(&c);
        assert_true(x == y);
        differ += x != z;
    }
    assert_true(differ > 990);
}

static void test_streams_differ(void **state)
{
    (void)state;
    nn_rng r[4];
    nn_rng_seed(&r[0], 1, NN_STREAM_INIT, 0);
    nn_rng_seed(&r[1], 1, NN_STREAM_SHUFFLE, 0);
    nn_rng_seed(&r[2], 1, NN_STREAM_DROPOUT, 0);
    nn_rng_seed(&r[3], 2, NN_STREAM_INIT, 0);
    uint64_t first[4];
    for (int i = 0; i < 4; i++)
        first[i] = nn_rng_u64(&r[i]);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            assert_true(first[i] != first[j]);
}

static void test_uniform_and_normal(void **state)
{
    (void)state;
    nn_rng r;
    nn_rng_seed(&r, 7, NN_STREAM_INIT, 0);
    enum { N = 200000 };
    double s = 0, s2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < N; i++) {
        double u = nn_rng_uniform(&r);
        assert_true(u >= 0 && u < 1);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        s += u;
    }
    assert_close(s / N, 0.5, 0.005);
    assert_true(lo < 1e-3 && hi > 1 - 1e-3);
    s = 0;
    for (int i = 0; i < N; i++) {
        double z = nn_rng_normal(&r);
        assert_true(isfinite(z));
        s += z;
        s2 += z * z;
    }
    assert_close(s / N, 0.0, 0.01);
    assert_close(s2 / N - (s / N) * (s / N), 1.0, 0.01);
}

static void test_shuffle_is_permutation(void **state)
{
    (void)state;
    enum { N = 101 };
    int a[N], seen[N] = { 0 }, moved = 0;
    nn_rng r;
    nn_rng_seed(&r, 3, NN_STREAM_SHUFFLE, 0);
    for (int i = 0; i < N; i++)
        a[i] = i;
    nn_rng_shuffle(&r, a, N);
    for (int i = 0; i < N; i++) {
        assert_true(a[i] >= 0 && a[i] < N);
        seen[a[i]]++;
        moved += a[i] != i;
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    assert_true(moved > N / 2);
    nn_rng_shuffle(&r, a, 0); /* empty and single are fine */
    nn_rng_shuffle(&r, a, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_numbers),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_uniform_and_normal),
        cmocka_unit_test(test_shuffle_is_permutation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
