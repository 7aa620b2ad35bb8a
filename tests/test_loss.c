/*
 * test_loss.c — losses (engine/loss.c): which losses fit which outputs,
 * values against their definitions, no overflow however confident the
 * network, and the output gradient dL/dz against a centred difference for
 * every loss/activation pair the engine allows.
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
    assert_null(nn_loss_names[NN_LOSS_MSE + 1]);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_pairs),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_confident_outputs_finite),
        cmocka_unit_test(test_output_grads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
