/*
 * test_loss.c — losses (engine/loss.c): which losses fit which outputs,
 * values against their definitions, no overflow however confident the
 * network, and the output gradient dL/dz against a centred difference for
 * every loss/activation pair the engine allows.  MAE and Huber: values
 * worked by hand (Huber's δ in both regions, and as large as to be mse),
 * their gradients with residuals kept away from MAE's kink and on both
 * sides of Huber's δ, and "huber=0.5" in the parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static void test_check_pairs(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(nn_loss_check(NN_LOSS_BCE, NN_ACT_SIGMOID, &why), 0);
    assert_int_equal(nn_loss_check(NN_LOSS_XENT, NN_ACT_SOFTMAX, &why), 0);
    assert_int_equal(nn_loss_check(NN_LOSS_MSE, NN_ACT_TANH, &why), 0);
    assert_int_equal(nn_loss_check(NN_LOSS_NONE, NN_ACT_RELU, &why), 0);
    assert_int_equal(nn_loss_check(NN_LOSS_BCE, NN_ACT_SOFTMAX, &why), -1);
    assert_non_null(strstr(why, "sigmoid"));
    why = NULL;
    assert_int_equal(nn_loss_check(NN_LOSS_XENT, NN_ACT_SIGMOID, &why), -1);
    assert_non_null(strstr(why, "softmax"));
    assert_string_equal(nn_loss_names[NN_LOSS_MSE], "mse");
    assert_null(nn_loss_names[NN_LOSS_HUBER + 1]);
}

static void test_values(void **state)
{
    (void)state;
    /* bce: two rows, z = 0.3 and -1.2, labels 1 and 0 */
    const double z[] = { 0.3, -1.2 }, y[] = { 1, 0 };
    double a[2];
    nn_act_forward(NN_ACT_SIGMOID, 0, z, a, 2, 1);
    double want = -(log(a[0]) + log(1 - a[1])) / 2;
    assert_close(nn_loss_value(NN_LOSS_BCE, NN_ACT_SIGMOID, z, a, y, 2, 1),
                 want, 1e-15);
    /* xent: −log softmax of the labelled class */
    const double zs[] = { 1, 2, 3, 0.5, 0.5, -1 }, ys[] = { 0, 0, 1, 1, 0, 0 };
    double as[6];
    nn_act_forward(NN_ACT_SOFTMAX, 0, zs, as, 2, 3);
    assert_close(nn_loss_value(NN_LOSS_XENT, NN_ACT_SOFTMAX, zs, as, ys, 2, 3),
                 -(log(as[2]) + log(as[3])) / 2, 1e-15);
    /* mse: (1/2m)·Σ‖a − y‖² */
    const double am[] = { 1, 2, 3, 4 }, ym[] = { 0, 2, 5, 3 };
    assert_close(nn_loss_value(NN_LOSS_MSE, NN_ACT_LINEAR, am, am, ym, 2, 2),
                 (1 + 0 + 4 + 1) / 4.0, 0);
    assert_true(nn_loss_value(NN_LOSS_NONE, NN_ACT_LINEAR, am, am, ym, 2, 2)
                == 0);
    assert_true(nn_loss_value(NN_LOSS_MSE, NN_ACT_LINEAR, am, am, ym, 0, 2)
                == 0);
}

static void test_confident_outputs_finite(void **state)
{
    (void)state;
    const double z[] = { 1000, -1000, 1000, -1000 }, y[] = { 0, 1, 1, 0 };
    double a[4];
    nn_act_forward(NN_ACT_SIGMOID, 0, z, a, 4, 1);
    double l = nn_loss_value(NN_LOSS_BCE, NN_ACT_SIGMOID, z, a, y, 4, 1);
    assert_close(l, 2000.0 / 4, 1e-9); /* two wrong by 1000, two right */
    const double zs[] = { 1000, -1000, 0 }, ys[] = { 0, 1, 0 };
    double as[3];
    nn_act_forward(NN_ACT_SOFTMAX, 0, zs, as, 1, 3);
    l = nn_loss_value(NN_LOSS_XENT, NN_ACT_SOFTMAX, zs, as, ys, 1, 3);
    assert_close(l, 2000.0, 1e-9);
}

/* dL/dz of the batch against a centred difference of nn_loss_value. */
static void check_output_grad(nn_loss loss, nn_act out, double arg)
{
    enum { M = 3, K = 4, N = M * K };
    double z[N], a[N], dz[N], num[N], zp[N], ap[N];
    double *y = tu_targets(M, K, loss, out, 5 + loss * 10 + out);
    tu_fill(z, N, 1.5, 3 + out);
    nn_act_forward(out, arg, z, a, M, K);
    nn_loss_output_grad(loss, out, arg, z, a, y, dz, M, K);
    const double h = 1e-6;
    for (int i = 0; i < N; i++) {
        memcpy(zp, z, sizeof z);
        zp[i] = z[i] + h;
        nn_act_forward(out, arg, zp, ap, M, K);
        double up = nn_loss_value(loss, out, zp, ap, y, M, K);
        zp[i] = z[i] - h;
        nn_act_forward(out, arg, zp, ap, M, K);
        double down = nn_loss_value(loss, out, zp, ap, y, M, K);
        num[i] = (up - down) / (2 * h);
    }
    double rel = tu_rel_diff(dz, num, N);
    if (!(rel < 1e-8))
        fail_msg("%s+%s: output grad rel %g", nn_act_names[out],
                 nn_loss_names[loss], rel);
    free(y);
}

static void test_output_grads(void **state)
{
    (void)state;
    check_output_grad(NN_LOSS_BCE, NN_ACT_SIGMOID, 0);
    check_output_grad(NN_LOSS_XENT, NN_ACT_SOFTMAX, 0);
    check_output_grad(NN_LOSS_MSE, NN_ACT_LINEAR, 0);
    check_output_grad(NN_LOSS_MSE, NN_ACT_TANH, 0);
    check_output_grad(NN_LOSS_MSE, NN_ACT_SIGMOID, 0);
    check_output_grad(NN_LOSS_MSE, NN_ACT_SOFTMAX, 0);
    check_output_grad(NN_LOSS_MSE, NN_ACT_ELU, 1.0);
    check_output_grad(NN_LOSS_MSE, NN_ACT_LEAKY, 0.1);
}


/* ------------------------------------------------------------------------
 * MAE and Huber
 * ------------------------------------------------------------------------ */

static void test_mae_huber_values(void **state)
{
    (void)state;
    /* two rows of two outputs; residuals a − y = 1, 0, −2, 1 */
    const double a[] = { 1, 2, 3, 4 }, y[] = { 0, 2, 5, 3 };
    /* mae: (1 + 0 + 2 + 1) / 2 rows */
    assert_close(nn_loss_value(NN_LOSS_MAE, NN_ACT_LINEAR, a, a, y, 2, 2),
                 2.0, 0);
    /* huber δ = 1: 1/2 + 0 + 1·(2 − 1/2) + 1/2 = 2.5, over 2 rows */
    assert_close(nn_loss_value(NN_LOSS_HUBER, NN_ACT_LINEAR, a, a, y, 2, 2),
                 1.25, 0);
    assert_close(nn_loss_value_with(NN_LOSS_HUBER, 1, NN_ACT_LINEAR, a, a, y,
                                    2, 2), 1.25, 0);
    /* δ = 0.5: every nonzero residual in the linear region:
     * 0.5·(1 − 0.25) + 0 + 0.5·(2 − 0.25) + 0.5·(1 − 0.25) = 1.625 */
    assert_close(nn_loss_value_with(NN_LOSS_HUBER, 0.5, NN_ACT_LINEAR, a, a,
                                    y, 2, 2), 1.625 / 2, 1e-16);
    /* δ = 3: all quadratic, exactly mse */
    double mse = nn_loss_value(NN_LOSS_MSE, NN_ACT_LINEAR, a, a, y, 2, 2);
    assert_close(mse, 1.5, 0);
    assert_true(nn_loss_value_with(NN_LOSS_HUBER, 3, NN_ACT_LINEAR, a, a, y,
                                   2, 2) == mse);
    /* a δ that is not > 0 counts as the default */
    assert_close(nn_loss_value_with(NN_LOSS_HUBER, 0, NN_ACT_LINEAR, a, a, y,
                                    2, 2), 1.25, 0);
    /* the gradient at the output, by hand: sign(r)/m and clip(r, ±δ)/m */
    double dz[4];
    nn_loss_output_grad_with(NN_LOSS_MAE, 0, NN_ACT_LINEAR, 0, a, a, y, dz, 2,
                             2);
    assert_true(dz[0] == 0.5 && dz[1] == 0 && dz[2] == -0.5 && dz[3] == 0.5);
    nn_loss_output_grad_with(NN_LOSS_HUBER, 1.5, NN_ACT_LINEAR, 0, a, a, y,
                             dz, 2, 2);
    assert_true(dz[0] == 0.5 && dz[1] == 0 && dz[2] == -0.75 &&
                dz[3] == 0.5);
    const char *why = "";
    assert_int_equal(nn_loss_check(NN_LOSS_MAE, NN_ACT_SIGMOID, &why), 0);
    assert_int_equal(nn_loss_check(NN_LOSS_HUBER, NN_ACT_TANH, &why), 0);
}

/* dL/dz of mae or huber against a centred difference, with targets placed
 * at residuals whose size runs from `lo` to `hi` (either sign), so that
 * none sits on MAE's kink and Huber's cover both of its regions. */
static void check_regression_grad(nn_loss loss, double delta, nn_act out,
                                  double arg, double lo, double hi)
{
    enum { M = 4, K = 3, N = M * K };
    double z[N], a[N], y[N], r[N], dz[N], num[N], zp[N], ap[N];
    tu_fill(z, N, 1.5, 9 + out);
    tu_fill(r, N, 1.0, 19 + out);
    nn_act_forward(out, arg, z, a, M, K);
    for (int i = 0; i < N; i++) /* |residual| spread over [lo, hi] */
        y[i] = a[i] - (r[i] < 0 ? -1 : 1) * (lo + (hi - lo) * fabs(r[i]));
    nn_loss_output_grad_with(loss, delta, out, arg, z, a, y, dz, M, K);
    const double h = 1e-6;
    for (int i = 0; i < N; i++) {
        memcpy(zp, z, sizeof z);
        zp[i] = z[i] + h;
        nn_act_forward(out, arg, zp, ap, M, K);
        double up = nn_loss_value_with(loss, delta, out, zp, ap, y, M, K);
        zp[i] = z[i] - h;
        nn_act_forward(out, arg, zp, ap, M, K);
        double down = nn_loss_value_with(loss, delta, out, zp, ap, y, M, K);
        num[i] = (up - down) / (2 * h);
    }
    double rel = tu_rel_diff(dz, num, N);
    if (!(rel < 1e-8))
        fail_msg("%s+%s (delta %g): output grad rel %g", nn_act_names[out],
                 nn_loss_names[loss], delta, rel);
}

static void test_mae_huber_grads(void **state)
{
    (void)state;
    const nn_act outs[] = { NN_ACT_LINEAR, NN_ACT_TANH, NN_ACT_SIGMOID,
                            NN_ACT_ELU, NN_ACT_GELU, NN_ACT_SELU };
    for (size_t i = 0; i < sizeof outs / sizeof *outs; i++) {
        double arg = nn_act_default_arg(outs[i]);
        check_regression_grad(NN_LOSS_MAE, 0, outs[i], arg, 0.05, 1.5);
        /* δ = 1 with residuals 0.05..2.5: both regions */
        check_regression_grad(NN_LOSS_HUBER, 1, outs[i], arg, 0.05, 2.5);
        check_regression_grad(NN_LOSS_HUBER, 0.3, outs[i], arg, 0.0, 1.0);
    }
}

static void test_loss_parse(void **state)
{
    (void)state;
    nn_loss l;
    double arg;
    assert_int_equal(nn_loss_parse("mae", &l, &arg), 0);
    assert_true(l == NN_LOSS_MAE && arg == 0);
    assert_int_equal(nn_loss_parse("huber", &l, &arg), 0);
    assert_true(l == NN_LOSS_HUBER && arg == 1.0);
    assert_int_equal(nn_loss_parse("huber=0.5", &l, &arg), 0);
    assert_true(l == NN_LOSS_HUBER && arg == 0.5);
    assert_int_equal(nn_loss_parse("huber:2", &l, &arg), 0);
    assert_true(l == NN_LOSS_HUBER && arg == 2);
    assert_int_equal(nn_loss_parse("xent", &l, &arg), 0);
    assert_true(l == NN_LOSS_XENT);
    const char *bad[] = { "mae=1", "mse:2", "huber=0", "huber=-1",
                          "huber=abc", "huber=2e6", "huber=nan", "huber=",
                          "hubert", "", NULL };
    for (int i = 0; bad[i]; i++)
        if (nn_loss_parse(bad[i], &l, &arg) != -1)
            fail_msg("'%s' was accepted", bad[i]);
    assert_true(nn_loss_has_arg(NN_LOSS_HUBER) &&
                !nn_loss_has_arg(NN_LOSS_MAE));
    assert_true(nn_loss_default_arg(NN_LOSS_MSE) == 0);
    char buf[32];
    nn_loss_text(NN_LOSS_HUBER, 0.25, buf, sizeof buf);
    assert_string_equal(buf, "huber=0.25");
    nn_loss_text(NN_LOSS_MAE, 0, buf, sizeof buf);
    assert_string_equal(buf, "mae");
    assert_string_equal(nn_loss_names[NN_LOSS_MAE], "mae");
    assert_string_equal(nn_loss_names[NN_LOSS_HUBER], "huber");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_pairs),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_confident_outputs_finite),
        cmocka_unit_test(test_output_grads),
        cmocka_unit_test(test_mae_huber_values),
        cmocka_unit_test(test_mae_huber_grads),
        cmocka_unit_test(test_loss_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
