/*
 * test_history.c — the trainer's records (engine/history.c): sized once
 * for a network's layers, every record kept until the arrays are full,
 * then every other one dropped and the stride doubled, so that the
 * records always span the whole run evenly and the last one is the
 * latest; the statistics of a step from the optimizer's sums.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static nn_net *small_net(void)
{
    const int sizes[] = { 2, 3, 1 };
    return tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL,
                  1);
}

static void test_reserve_and_clear(void **state)
{
    (void)state;
    nn_history h = { 0 };
    assert_int_equal(nn_history_reserve(&h, 2), 0);
    /* a power of two, at least 1024, within the 16 MB budget */
    assert_true(h.cap >= 1024 && (h.cap & (h.cap - 1)) == 0);
    size_t row = sizeof(long) + sizeof(int) + 3 * sizeof(double) +
                 5 * 2 * sizeof(double);
    assert_true((size_t)h.cap * row <= (16u << 20));
    assert_true(h.n == 0 && h.ne == 0 && h.stride == 1 && h.e_stride == 1);
    long *iter = h.iter;
    assert_int_equal(nn_history_reserve(&h, 2), 0);
    assert_ptr_equal(h.iter, iter); /* same layers: kept */
    h.n = 5;
    assert_int_equal(nn_history_reserve(&h, 40), 0);
    assert_int_equal(h.n_layers, 40); /* other layers: new, and cleared */
    assert_int_equal(h.n, 0);
    assert_true(h.cap >= 1024);
    h.n = 3, h.ne = 2, h.stride = 8, h.e_stride = 4;
    nn_history_clear(&h);
    assert_true(h.n == 0 && h.ne == 0 && h.stride == 1 && h.e_stride == 1);
    nn_history_free(&h);
    assert_null(h.iter);
}

/* 2·cap + 5 updates: two thinnings, every 4th update kept, the latest as
 * the last record, each record's values those of its update (its
 * gradient norm too). */
static void test_iterations_thin(void **state)
{
    (void)state;
    nn_net *net = small_net();
    nn_history h = { 0 };
    assert_int_equal(nn_history_reserve(&h, net->n_layers), 0);
    long n = 2L * h.cap + 5;
    for (long it = 1; it <= n; it++)
        nn_history_add_update(&h, net, it, (int)(it / 10) + 1,
                              1.0 / (double)it, 0.5, 2.0 * (double)it);
    assert_int_equal(h.stride, 4);
    assert_true(h.n <= h.cap);
    assert_int_equal(h.iter[h.n - 1], n);
    for (int i = 0; i < h.n; i++) {
        assert_int_equal(h.epoch[i], h.iter[i] / 10 + 1);
        assert_true(h.loss[i] == 1.0 / (double)h.iter[i]);
        assert_true(h.grad_norm[i] == 2.0 * (double)h.iter[i]);
        assert_true(h.w_var[i * 2] > 0 && h.w_var[i * 2 + 1] > 0);
        if (i < h.n - 1)
            assert_int_equal(h.iter[i] % 4, 0);
        if (i + 1 < h.n - 1)
            assert_int_equal(h.iter[i + 1] - h.iter[i], 4);
    }
    assert_int_equal(h.iter[0], 4);
    /* the older call records no gradient norm */
    nn_history_clear(&h);
    nn_history_add_iter(&h, net, 1, 1, 0.5, 0.1);
    assert_true(h.n == 1 && isnan(h.grad_norm[0]) && h.lr[0] == 0.1);
    nn_history_free(&h);
    nn_net_free(net);
}

static void test_epochs_thin(void **state)
{
    (void)state;
    nn_history h = { 0 };
    assert_int_equal(nn_history_reserve(&h, 1), 0);
    int n = 3 * h.ecap + 1;
    for (int e = 1; e <= n; e++)
        nn_history_add_epoch(&h, 10L * e, e, 0.1, 1.0, 0.5, 2.0, 0.25);
    assert_int_equal(h.e_stride, 4);
    assert_true(h.ne <= h.ecap && h.ne > h.ecap / 2);
    assert_int_equal(h.e_epoch[h.ne - 1], n);
    assert_int_equal(h.e_iter[h.ne - 1], 10L * n);
    for (int i = 0; i + 1 < h.ne - 1; i++)
        assert_int_equal(h.e_epoch[i + 1] - h.e_epoch[i], 4);
    assert_true(h.e_lr[0] == 0.1 && h.dev_acc[h.ne - 1] == 0.25);
    nn_history_free(&h);
}

/* nn_history_add_step records the statistics of the optimizer step just
 * made from its sums (nn_stats_step), as nn_history_add_update records
 * them from two passes over the weights (nn_stats_weights): the same
 * figures, within rounding. */
static void test_add_step(void **state)
{
    (void)state;
    nn_net *net = small_net();
    for (int i = 0; i < net->n_params; i++)
        tu_fill(net->params[i]->g.v, nn_mat_size(&net->params[i]->g), 1,
                (uint64_t)i + 3);
    nn_optim o;
    nn_optim_defaults(&o);
    nn_optim_step(&o, net, 0.1);
    nn_history a = { 0 }, b = { 0 };
    assert_int_equal(nn_history_reserve(&a, net->n_layers), 0);
    assert_int_equal(nn_history_reserve(&b, net->n_layers), 0);
    nn_history_add_step(&a, net, 1, 1, 0.5, 0.1, 2.0);
    nn_history_add_update(&b, net, 1, 1, 0.5, 0.1, 2.0);
    assert_true(a.n == 1 && a.iter[0] == 1 && a.grad_norm[0] == 2.0);
    for (int l = 0; l < net->n_layers; l++) {
        assert_close(a.w_mean[l], b.w_mean[l], 1e-15);
        assert_close(a.w_var[l], b.w_var[l], 1e-15);
        assert_close(a.g_norm[l], b.g_norm[l], 1e-15);
        assert_close(a.g_var[l], b.g_var[l], 1e-15);
        assert_true(a.update_ratio[l] == b.update_ratio[l]);
    }
    nn_history_free(&a);
    nn_history_free(&b);
    nn_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_and_clear),
        cmocka_unit_test(test_iterations_thin),
        cmocka_unit_test(test_epochs_thin),
        cmocka_unit_test(test_add_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
