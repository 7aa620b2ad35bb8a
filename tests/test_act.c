/*
 * test_act.c — activations (engine/act.c): known values, stability at
 * extreme inputs, every derivative against a centred difference, softmax's
 * Jacobian-vector product, in-place backward, and the parser.  For PReLU,
 * GELU, SELU and maxout: values worked by hand (Φ(1), Φ(2) from tables,
 * SELU's constants), PReLU's slopes per unit with their gradient, maxout's
 * pieces and its routing of the gradient (ties to the first piece, in
 * place too), and "prelu=0.1" / "maxout:3" in the parser.  ReLU over
 * rows of every length (its vector groups and their rest), NaN and -0
 * included, in place too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static double act1(nn_act a, double arg, double z)
{
    double out;
    nn_act_forward(a, arg, &z, &out, 1, 1);
    return out;
}

static void test_known_values(void **state)
{
    (void)state;
    assert_true(act1(NN_ACT_LINEAR, 0, -3.5) == -3.5);
    assert_true(act1(NN_ACT_SIGMOID, 0, 0) == 0.5);
    assert_close(act1(NN_ACT_SIGMOID, 0, 2), 1 / (1 + exp(-2.0)), 1e-16);
    assert_close(act1(NN_ACT_SIGMOID, 0, -2), 1 / (1 + exp(2.0)), 1e-16);
    assert_close(act1(NN_ACT_TANH, 0, 0.7), tanh(0.7), 1e-15);
    assert_true(act1(NN_ACT_RELU, 0, -2) == 0 && act1(NN_ACT_RELU, 0, 2) == 2);
    assert_true(act1(NN_ACT_LEAKY, 0.1, -2) == -0.2);
    assert_true(act1(NN_ACT_LEAKY, 0.1, 3) == 3);
    assert_close(act1(NN_ACT_ELU, 0.5, -1), 0.5 * (exp(-1.0) - 1), 1e-16);
    assert_true(act1(NN_ACT_ELU, 0.5, 1.5) == 1.5);
    assert_close(nn_act_default_arg(NN_ACT_LEAKY), 0.01, 0);
    assert_close(nn_act_default_arg(NN_ACT_ELU), 1.0, 0);
    assert_close(nn_act_default_arg(NN_ACT_RELU), 0.0, 0);
}

static void test_extremes_stay_finite(void **state)
{
    (void)state;
    const double z[] = { -1000, -40, 0, 40, 1000, 800, -800 };
    double a[7];
    nn_act_forward(NN_ACT_SIGMOID, 0, z, a, 1, 7);
    for (int i = 0; i < 7; i++)
        assert_true(isfinite(a[i]) && a[i] >= 0 && a[i] <= 1);
    assert_true(a[0] == 0 && a[4] == 1);
    nn_act_forward(NN_ACT_ELU, 1, z, a, 1, 7);
    assert_close(a[0], -1, 0);
    /* softmax row-wise: two rows of huge logits */
    const double zz[] = { 1000, 1001, 999, -1000, -1000, -1000 };
    double s[6];
    nn_act_forward(NN_ACT_SOFTMAX, 0, zz, s, 2, 3);
    for (int r = 0; r < 2; r++) {
        double sum = 0;
        for (int j = 0; j < 3; j++) {
            assert_true(isfinite(s[r * 3 + j]));
            sum += s[r * 3 + j];
        }
        assert_close(sum, 1, 1e-15);
    }
    assert_close(s[3], 1.0 / 3, 1e-15);
    assert_close(s[1], 1 / (1 + exp(-1.0) + exp(-2.0)), 1e-15);
}

/* Backward of every activation against a centred difference of forward,
 * with a random upstream gradient: dz_i = Σ_j da_j ∂a_j/∂z_i. */
static void check_backward(nn_act act, double arg)
{
    enum { R = 4, C = 5, N = R * C };
    double z[N], a[N], da[N], dz[N], num[N], zp[N], ap[N], am[N];
    tu_fill(z, N, 2.0, 11 + act);
    tu_fill(da, N, 1.0, 31 + act);
    for (int i = 0; i < N; i++) /* stay away from the kinks at 0 */
        if (fabs(z[i]) < 0.05)
            z[i] += 0.1;
    nn_act_forward(act, arg, z, a, R, C);
    nn_act_backward(act, arg, z, a, da, dz, R, C);
    const double h = 1e-6;
    for (int i = 0; i < N; i++) {
        memcpy(zp, z, sizeof z);
        zp[i] = z[i] + h;
        nn_act_forward(act, arg, zp, ap, R, C);
        zp[i] = z[i] - h;
        nn_act_forward(act, arg, zp, am, R, C);
        num[i] = 0;
        for (int j = 0; j < N; j++)
            num[i] += da[j] * (ap[j] - am[j]) / (2 * h);
    }
    double rel = tu_rel_diff(dz, num, N);
    if (!(rel < 1e-8))
        fail_msg("%s: backward vs numeric rel %g", nn_act_names[act], rel);
    /* dz may alias da */
    double inplace[N];
    memcpy(inplace, da, sizeof da);
    nn_act_backward(act, arg, z, a, inplace, inplace, R, C);
    assert_memory_equal(inplace, dz, sizeof dz);
}

static void test_backward_numeric(void **state)
{
    (void)state;
    check_backward(NN_ACT_LINEAR, 0);
    check_backward(NN_ACT_SIGMOID, 0);
    check_backward(NN_ACT_TANH, 0);
    check_backward(NN_ACT_RELU, 0);
    check_backward(NN_ACT_LEAKY, 0.01);
    check_backward(NN_ACT_LEAKY, 0.3);
    check_backward(NN_ACT_ELU, 1.0);
    check_backward(NN_ACT_ELU, 0.5);
    check_backward(NN_ACT_SOFTMAX, 0);
    check_backward(NN_ACT_PRELU, 0.25);
    check_backward(NN_ACT_PRELU, 0);
    check_backward(NN_ACT_GELU, 0);
    check_backward(NN_ACT_SELU, 0);
}

static void test_parse(void **state)
{
    (void)state;
    nn_act a;
    double arg;
    for (int i = 0; i < NN_ACT_COUNT; i++) {
        assert_int_equal(nn_act_parse(nn_act_names[i], &a, &arg), 0);
        assert_int_equal(a, i);
        assert_true(arg == nn_act_default_arg(a));
    }
    assert_null(nn_act_names[NN_ACT_COUNT]);
    assert_int_equal(nn_act_parse("leaky=0.1", &a, &arg), 0);
    assert_true(a == NN_ACT_LEAKY && arg == 0.1);
    assert_int_equal(nn_act_parse("elu=0.5", &a, &arg), 0);
    assert_true(a == NN_ACT_ELU && arg == 0.5);
    assert_int_equal(nn_act_parse("relu=1", &a, &arg), -1);
    assert_int_equal(nn_act_parse("leaky=", &a, &arg), -1);
    assert_int_equal(nn_act_parse("leaky=abc", &a, &arg), -1);
    assert_int_equal(nn_act_parse("leaky=0.1x", &a, &arg), -1);
    assert_int_equal(nn_act_parse("leaky=-1", &a, &arg), -1);
    assert_int_equal(nn_act_parse("leaky=nan", &a, &arg), -1);
    assert_int_equal(nn_act_parse("relux", &a, &arg), -1);
    assert_int_equal(nn_act_parse("rel", &a, &arg), -1);
    assert_int_equal(nn_act_parse("", &a, &arg), -1);
}


/* ------------------------------------------------------------------------
 * PReLU, GELU, SELU, maxout
 * ------------------------------------------------------------------------ */

static void test_new_known_values(void **state)
{
    (void)state;
    /* prelu with one slope for all is leaky with that slope */
    assert_true(act1(NN_ACT_PRELU, 0.25, -2) == -0.5);
    assert_true(act1(NN_ACT_PRELU, 0.25, 3) == 3);
    /* gelu = z·Φ(z): Φ(1) = 0.841344746068543, Φ(2) = 0.977249868051821 */
    assert_true(act1(NN_ACT_GELU, 0, 0) == 0);
    assert_close(act1(NN_ACT_GELU, 0, 1), 0.8413447460685429, 1e-15);
    assert_close(act1(NN_ACT_GELU, 0, -1), -(1 - 0.8413447460685429), 1e-15);
    assert_close(act1(NN_ACT_GELU, 0, 2), 2 * 0.9772498680518208, 1e-15);
    /* selu: λ·z above 0, λα(eᶻ − 1) below */
    assert_true(act1(NN_ACT_SELU, 0, 0) == 0);
    assert_close(act1(NN_ACT_SELU, 0, 1), 1.0507009873554805, 1e-16);
    assert_close(act1(NN_ACT_SELU, 0, 2), 2.101401974710961, 1e-15);
    assert_close(act1(NN_ACT_SELU, 0, -1),
                 1.0507009873554805 * 1.6732632423543772 * (exp(-1.0) - 1),
                 1e-15);
    assert_close(act1(NN_ACT_SELU, 0, -1), -1.1113307378125628, 1e-15);
    assert_close(nn_act_default_arg(NN_ACT_PRELU), 0.25, 0);
    assert_close(nn_act_default_arg(NN_ACT_MAXOUT), 2, 0);
    assert_close(nn_act_default_arg(NN_ACT_GELU), 0, 0);
    assert_close(nn_act_default_arg(NN_ACT_SELU), 0, 0);
}

static void test_new_extremes(void **state)
{
    (void)state;
    const double z[] = { -1000, -40, -8, 8, 40, 1000 };
    double a[6];
    nn_act_forward(NN_ACT_GELU, 0, z, a, 1, 6);
    for (int i = 0; i < 6; i++)
        assert_true(isfinite(a[i]));
    assert_true(a[0] == 0 && a[5] == 1000 && a[4] == 40);
    /* far in the lower tail z·Φ(z) is tiny, negative, not 0 or NaN:
     * Φ(−8) ≈ 6.2e-16, which 1 + erf would lose */
    assert_true(a[2] < 0 && a[2] > -1e-13);
    nn_act_forward(NN_ACT_SELU, 0, z, a, 1, 6);
    assert_close(a[0], -1.0507009873554805 * 1.6732632423543772, 1e-15);
    assert_close(a[5], 1000 * 1.0507009873554805, 1e-12);
}

/* Maxout, worked by hand: 2 rows, 2 units of 2 pieces (the adjacent
 * columns), then the gradient to the largest piece of each unit; the tie
 * (4, 4) sends it to the first. */
static void test_maxout_values(void **state)
{
    (void)state;
    const double z[] = { 1, 3, -2, -5, 0.5, 0.2, 4, 4 };
    const double da[] = { 10, 20, 30, 40 };
    const double want_dz[] = { 0, 10, 20, 0, 30, 0, 40, 0 };
    double a[4], dz[8];
    nn_act_forward(NN_ACT_MAXOUT, 2, z, a, 2, 2);
    assert_true(a[0] == 3 && a[1] == -2 && a[2] == 0.5 && a[3] == 4);
    nn_act_backward(NN_ACT_MAXOUT, 2, z, a, da, dz, 2, 2);
    assert_memory_equal(dz, want_dz, sizeof dz);
    /* in place: the gradient of the units in the buffer's first values */
    double buf[8] = { 10, 20, 30, 40, -1, -1, -1, -1 };
    nn_act_backward(NN_ACT_MAXOUT, 2, z, a, buf, buf, 2, 2);
    assert_memory_equal(buf, want_dz, sizeof buf);
    /* three pieces: one row, two units */
    const double z3[] = { -1, -3, -2, 7, 9, 8 };
    double a3[2];
    nn_act_forward(NN_ACT_MAXOUT, 3, z3, a3, 1, 2);
    assert_true(a3[0] == -1 && a3[1] == 9);
}

/* Maxout's backward against a centred difference, separate buffers and
 * in place, for k = 2..4; pieces kept apart so no difference crosses a
 * tie. */
static void check_maxout_backward(int k)
{
    enum { R = 3, C = 4, N = R * C, KMAX = 4 };
    double z[N * KMAX], a[N], da[N], dz[N * KMAX], num[N * KMAX];
    double zp[N * KMAX], ap[N], am[N], buf[N * KMAX];
    int nz = N * k;
    tu_fill(z, nz, 2.0, 50 + k);
    tu_fill(da, N, 1.0, 60 + k);
    for (int u = 0; u < N; u++) /* each unit's pieces >= 0.01 apart */
        for (int q = 0; q < k; q++)
            z[u * k + q] = floor(z[u * k + q] * 20) / 20 + 0.01 * q;
    nn_act_forward(NN_ACT_MAXOUT, k, z, a, R, C);
    nn_act_backward(NN_ACT_MAXOUT, k, z, a, da, dz, R, C);
    const double h = 1e-6;
    for (int i = 0; i < nz; i++) {
        memcpy(zp, z, sizeof zp);
        zp[i] = z[i] + h;
        nn_act_forward(NN_ACT_MAXOUT, k, zp, ap, R, C);
        zp[i] = z[i] - h;
        nn_act_forward(NN_ACT_MAXOUT, k, zp, am, R, C);
        num[i] = 0;
        for (int j = 0; j < N; j++)
            num[i] += da[j] * (ap[j] - am[j]) / (2 * h);
    }
    double rel = tu_rel_diff(dz, num, nz);
    if (!(rel < 1e-8))
        fail_msg("maxout:%d backward vs numeric rel %g", k, rel);
    memcpy(buf, da, sizeof da);
    nn_act_backward(NN_ACT_MAXOUT, k, z, a, buf, buf, R, C);
    assert_memory_equal(buf, dz, (size_t)nz * sizeof *dz);
}

static void test_maxout_backward(void **state)
{
    (void)state;
    for (int k = 2; k <= 4; k++)
        check_maxout_backward(k);
}

/* PReLU with a slope per unit: values by hand, then dz and the slopes'
 * gradient against centred differences in z and in alpha. */
static void test_prelu_per_unit(void **state)
{
    (void)state;
    enum { R = 3, C = 3, N = R * C };
    const double alpha[C] = { 0.1, 0.2, 0.3 };
    const double zh[] = { -1, -1, -1, 2, 2, 2, -2, 4, -10 };
    const double want[] = { -0.1, -0.2, -0.3, 2, 2, 2, -0.2, 4, -3 };
    double a[N], dz[N], dalpha[C];
    nn_prelu_forward(zh, alpha, a, R, C);
    for (int i = 0; i < N; i++)
        assert_close(a[i], want[i], 1e-16);
    const double ones[N] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    nn_prelu_backward(zh, alpha, ones, dz, dalpha, R, C);
    /* dα_j = Σ over the rows of min(z, 0) */
    assert_true(dalpha[0] == -3 && dalpha[1] == -1 && dalpha[2] == -11);
    assert_true(dz[0] == 0.1 && dz[3] == 1 && dz[8] == 0.3);

    double z[N], da[N], num[N], zp[N], ap[N], am[N], al[C], nal[C];
    tu_fill(z, N, 2.0, 71);
    tu_fill(da, N, 1.0, 72);
    for (int i = 0; i < N; i++)
        if (fabs(z[i]) < 0.05)
            z[i] += 0.1;
    nn_prelu_backward(z, alpha, da, dz, dalpha, R, C);
    const double h = 1e-6;
    for (int i = 0; i < N; i++) {
        memcpy(zp, z, sizeof z);
        zp[i] = z[i] + h;
        nn_prelu_forward(zp, alpha, ap, R, C);
        zp[i] = z[i] - h;
        nn_prelu_forward(zp, alpha, am, R, C);
        num[i] = 0;
        for (int j = 0; j < N; j++)
            num[i] += da[j] * (ap[j] - am[j]) / (2 * h);
    }
    assert_true(tu_rel_diff(dz, num, N) < 1e-8);
    for (int j = 0; j < C; j++) {
        memcpy(al, alpha, sizeof al);
        al[j] = alpha[j] + h;
        nn_prelu_forward(z, al, ap, R, C);
        al[j] = alpha[j] - h;
        nn_prelu_forward(z, al, am, R, C);
        nal[j] = 0;
        for (int i = 0; i < N; i++)
            nal[j] += da[i] * (ap[i] - am[i]) / (2 * h);
    }
    assert_true(tu_rel_diff(dalpha, nal, C) < 1e-8);
    /* dz may alias da; dalpha is read from da before it is overwritten */
    double inplace[N], dal2[C];
    memcpy(inplace, da, sizeof da);
    nn_prelu_backward(z, alpha, inplace, inplace, dal2, R, C);
    assert_memory_equal(inplace, dz, sizeof dz);
    assert_memory_equal(dal2, dalpha, sizeof dal2);
}

static void test_new_parse(void **state)
{
    (void)state;
    nn_act a;
    double arg;
    assert_int_equal(nn_act_parse("prelu", &a, &arg), 0);
    assert_true(a == NN_ACT_PRELU && arg == 0.25);
    assert_int_equal(nn_act_parse("prelu=0.1", &a, &arg), 0);
    assert_true(a == NN_ACT_PRELU && arg == 0.1);
    assert_int_equal(nn_act_parse("prelu:0", &a, &arg), 0);
    assert_true(a == NN_ACT_PRELU && arg == 0);
    assert_int_equal(nn_act_parse("gelu", &a, &arg), 0);
    assert_true(a == NN_ACT_GELU && arg == 0);
    assert_int_equal(nn_act_parse("selu", &a, &arg), 0);
    assert_true(a == NN_ACT_SELU);
    assert_int_equal(nn_act_parse("maxout", &a, &arg), 0);
    assert_true(a == NN_ACT_MAXOUT && arg == 2);
    assert_int_equal(nn_act_parse("maxout:3", &a, &arg), 0);
    assert_true(a == NN_ACT_MAXOUT && arg == 3);
    assert_int_equal(nn_act_parse("maxout=16", &a, &arg), 0);
    assert_true(a == NN_ACT_MAXOUT && arg == 16);
    assert_int_equal(nn_act_parse("leaky:0.2", &a, &arg), 0);
    assert_true(a == NN_ACT_LEAKY && arg == 0.2);
    const char *bad[] = { "gelu=1", "selu:1", "maxout:1", "maxout:17",
                          "maxout:2.5", "maxout:", "maxout:x", "prelu=-0.1",
                          "prelu=inf", "maxout:-2", "gelu:", NULL };
    for (int i = 0; bad[i]; i++)
        if (nn_act_parse(bad[i], &a, &arg) != -1)
            fail_msg("'%s' was accepted", bad[i]);
    assert_true(nn_act_has_arg(NN_ACT_PRELU) && nn_act_has_arg(NN_ACT_MAXOUT));
    assert_true(nn_act_has_arg(NN_ACT_LEAKY) && nn_act_has_arg(NN_ACT_ELU));
    assert_false(nn_act_has_arg(NN_ACT_GELU) || nn_act_has_arg(NN_ACT_SELU) ||
                 nn_act_has_arg(NN_ACT_RELU));
    assert_string_equal(nn_act_names[NN_ACT_MAXOUT], "maxout");
    /* nn_act_text reads back through nn_act_parse */
    char buf[32];
    nn_act_text(NN_ACT_MAXOUT, 3, buf, sizeof buf);
    assert_string_equal(buf, "maxout:3");
    nn_act_text(NN_ACT_PRELU, 0.1, buf, sizeof buf);
    assert_string_equal(buf, "prelu=0.1");
    nn_act_text(NN_ACT_GELU, 0, buf, sizeof buf);
    assert_string_equal(buf, "gelu");
    for (int i = 0; i < NN_ACT_COUNT; i++) {
        nn_act_text((nn_act)i, nn_act_default_arg((nn_act)i), buf,
                    sizeof buf);
        assert_int_equal(nn_act_parse(buf, &a, &arg), 0);
        assert_true(a == (nn_act)i && arg == nn_act_default_arg(a));
    }
}

/* ReLU over rows of every length from 1 to 11 (groups of four and the
 * rest), out of place and in place: each value z > 0 ? z : +0 (NaN and
 * -0 to +0, +Inf kept), and backward da where z > 0, else +0. */
static void test_relu_groups(void **state)
{
    (void)state;
    const double z[11] = { -2, 3, NAN, -0.0, INFINITY, -INFINITY, 0.5, 1e-300,
                           -1e-300, 7, -7 };
    const double da[11] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -11 };
    for (int n = 1; n <= 11; n++) {
        double a[11], dz[11], inplace[11];
        memcpy(inplace, z, sizeof z);
        nn_act_forward(NN_ACT_RELU, 0, z, a, 1, n);
        nn_act_forward(NN_ACT_RELU, 0, inplace, inplace, 1, n);
        nn_act_backward(NN_ACT_RELU, 0, z, a, da, dz, 1, n);
        for (int i = 0; i < n; i++) {
            double want = z[i] > 0 ? z[i] : 0.0, back = z[i] > 0 ? da[i] : 0.0;
            assert_memory_equal(&a[i], &want, sizeof want);
            assert_memory_equal(&inplace[i], &want, sizeof want);
            assert_memory_equal(&dz[i], &back, sizeof back);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_extremes_stay_finite),
        cmocka_unit_test(test_backward_numeric),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_new_known_values),
        cmocka_unit_test(test_new_extremes),
        cmocka_unit_test(test_maxout_values),
        cmocka_unit_test(test_maxout_backward),
        cmocka_unit_test(test_prelu_per_unit),
        cmocka_unit_test(test_new_parse),
        cmocka_unit_test(test_relu_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
