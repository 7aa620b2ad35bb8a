/*
 * test_act.c — activations (engine/act.c): known values, stability at
 * extreme inputs, every derivative against a centred difference, softmax's
 * Jacobian-vector product, in-place backward, and the parser.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_extremes_stay_finite),
        cmocka_unit_test(test_backward_numeric),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
