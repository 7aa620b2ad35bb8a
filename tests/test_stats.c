/*
 * test_stats.c — per-layer statistics (engine/stats.c): weights, gradients
 * and update ratio; activation mean and std on a worked case; dead ReLU
 * units; saturated tanh and sigmoid outputs; the activation histogram with
 * out-of-range, infinite and NaN values.  The sparsity of W (shares of
 * |w| < 1e-3 and of exact zeros, its extremes), the mean PReLU slope, and
 * the histogram of a layer's weights, maxout's pieces included.  The
 * history's figures from the optimizer's sums against the two-pass ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* 1 input → 4 hidden units (act) → 1 sigmoid output; W1 given, b1 = 0. */
static nn_net *one_to_four(nn_act act, const double W1[4])
{
    const int sizes[] = { 1, 4, 1 };
    nn_net *net = tu_net(sizes, 3, act, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL, 1);
    memcpy(net->L[0].W.w.v, W1, 4 * sizeof *W1);
    return net;
}

static void test_weights_and_acts(void **state)
{
    (void)state;
    const double W1[] = { 1, 2, 3, 4 }, X[] = { 1, -1 }, Y[] = { 1, 0 };
    nn_net *net = one_to_four(NN_ACT_LINEAR, W1);
    nn_layer_stats st;
    nn_stats_layer(net, 0, &st);
    assert_true(st.w_mean == 2.5 && st.w_var == 1.25);
    assert_true(st.act_mean == 0 && st.act_std == 0); /* no pass yet */
    assert_true(st.update_ratio == 0);
    nn_net_forward(net, X, 2, 1, NULL);
    nn_net_backward(net, X, Y);
    net->L[0].update_sq = 0.09;
    net->L[0].weight_sq = 30; /* ||W||^2 before the step: 1 + 4 + 9 + 16 */
    nn_stats_layer(net, 0, &st);
    /* rows (1 2 3 4) and (−1 −2 −3 −4): mean 0, variance 30/4 */
    assert_close(st.act_mean, 0, 1e-15);
    assert_close(st.act_std, sqrt(7.5), 1e-15);
    assert_close(st.update_ratio, 0.3 / sqrt(30.0), 1e-15);
    const double *g = net->L[0].W.g.v;
    double gm, gv;
    nn_mean_var(g, 4, &gm, &gv);
    assert_close(st.g_norm, sqrt(nn_sum_sq(g, 4)), 1e-15);
    assert_close(st.g_var, gv, 1e-15);
    assert_true(st.g_norm > 0);
    assert_true(st.dead == 0 && st.saturated == 0); /* linear: neither */
    nn_net_free(net);
}

static void test_dead_relu(void **state)
{
    (void)state;
    const double W1[] = { 1, -1, 2, -3 };
    nn_net *net = one_to_four(NN_ACT_RELU, W1);
    nn_layer_stats st;
    const double pos[] = { 1, 2, 3 }, mixed[] = { 1, -2 };
    nn_net_forward(net, pos, 3, 0, NULL);
    nn_stats_layer(net, 0, &st);
    assert_close(st.dead, 0.5, 0); /* units 2 and 4 never fire */
    nn_net_forward(net, mixed, 2, 0, NULL);
    nn_stats_layer(net, 0, &st);
    assert_close(st.dead, 0, 0); /* each unit fires for some row */
    for (int i = 0; i < 4; i++)
        net->L[0].W.w.v[i] = 0; /* zero weights: everything dead */
    nn_net_forward(net, pos, 3, 0, NULL);
    nn_stats_layer(net, 0, &st);
    assert_close(st.dead, 1, 0);
    nn_net_free(net);
}

static void test_saturated(void **state)
{
    (void)state;
    const double W1[] = { 10, 0.1, -10, 0.5 }, X[] = { 1, 2 };
    nn_net *net = one_to_four(NN_ACT_TANH, W1);
    nn_layer_stats st;
    nn_net_forward(net, X, 2, 0, NULL);
    nn_stats_layer(net, 0, &st);
    /* tanh(±10), tanh(±20) beyond 0.99; tanh(0.1..1) not */
    assert_close(st.saturated, 0.5, 0);
    assert_close(st.dead, 0, 0);
    nn_net_free(net);
    net = one_to_four(NN_ACT_SIGMOID, W1);
    nn_net_forward(net, X, 2, 0, NULL);
    nn_stats_layer(net, 0, &st);
    /* σ(10), σ(20) above .99; σ(−10), σ(−20) below .01 */
    assert_close(st.saturated, 0.5, 0);
    nn_net_free(net);
}

static void test_histogram(void **state)
{
    (void)state;
    const double W1[] = { 1, 1, 1, 1 };
    nn_net *net = one_to_four(NN_ACT_LINEAR, W1);
    const double X[] = { 0, 0, 0 };
    nn_net_forward(net, X, 3, 0, NULL); /* 3 rows x 4 units */
    const double vals[12] = { -2, -1.5, -0.5, 0, 0.5, 1.999, 2, 3, -3,
                              INFINITY, -INFINITY, NAN };
    memcpy(net->L[0].A.v, vals, sizeof vals);
    long c[4];
    nn_stats_hist(net, 0, -2, 2, 4, c);
    /* bins [-2,-1) [-1,0) [0,1) [1,2]; outside and ±Inf go to the ends */
    assert_int_equal(c[0], 1 + 1 + 1 + 1); /* -2 -1.5 -3 -Inf */
    assert_int_equal(c[1], 1);             /* -0.5 */
    assert_int_equal(c[2], 2);             /* 0 0.5 */
    assert_int_equal(c[3], 1 + 1 + 1 + 1); /* 1.999 2 3 +Inf */
    assert_int_equal(c[0] + c[1] + c[2] + c[3], 12 - 1); /* NaN skipped */
    /* finite values only: the counts sum to rows x units */
    nn_net_forward(net, X, 3, 0, NULL);
    for (int k = 0; k < 12; k++)
        net->L[0].A.v[k] = k - 6;
    long c5[5];
    nn_stats_hist(net, 0, -1, 1, 5, c5);
    assert_int_equal(c5[0] + c5[1] + c5[2] + c5[3] + c5[4], 12);
    /* degenerate ranges and bin counts: no crash, nothing counted */
    nn_stats_hist(net, 0, 1, 1, 4, c);
    assert_true(c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0);
    nn_stats_hist(net, 0, 0, NAN, 4, c);
    assert_true(c[0] == 0 && c[3] == 0);
    nn_stats_hist(net, 0, -INFINITY, 1, 4, c);
    assert_true(c[0] == 0 && c[3] == 0);
    nn_stats_hist(net, 0, -1e308, 1e308, 4, c);
    assert_true(c[0] == 0 && c[3] == 0);
    c[0] = 42;
    nn_stats_hist(net, 0, -1, 1, 0, c);
    nn_stats_hist(net, 0, -1, 1, -3, c);
    assert_true(c[0] == 42); /* no bins: nothing written */
    nn_net_free(net);
}


static void test_sparsity_and_slopes(void **state)
{
    (void)state;
    const double W1[] = { 0, -0.0, 5e-4, -0.75 };
    nn_net *net = one_to_four(NN_ACT_RELU, W1);
    nn_layer_stats st;
    nn_stats_weights(net, 0, &st);
    assert_close(st.w_zero, 0.5, 0);
    assert_close(st.w_small, 0.75, 0);
    assert_true(st.w_min == -0.75 && st.w_max == 5e-4);
    assert_true(isnan(st.alpha_mean)); /* not a PReLU layer */
    double mean, var;
    nn_mean_var(W1, 4, &mean, &var);
    assert_true(st.w_mean == mean && st.w_var == var);
    /* a PReLU layer shows its mean slope, through nn_stats_layer too */
    nn_err err = {{0}};
    assert_int_equal(nn_net_set_act(net, 1, NN_ACT_PRELU, 0.25, 1, &err), 0);
    nn_stats_weights(net, 0, &st);
    assert_close(st.alpha_mean, 0.25, 0);
    const double slopes[] = { 0.1, 0.2, 0.3, 0.6 };
    memcpy(net->L[0].alpha.w.v, slopes, sizeof slopes);
    const double X[] = { 1, -1 };
    nn_net_forward(net, X, 2, 0, NULL);
    nn_stats_layer(net, 0, &st);
    assert_close(st.alpha_mean, 0.3, 1e-16);
    assert_close(st.w_zero, 0.5, 0);
    /* the output layer: sigmoid, 4 weights drawn by He, none tiny */
    nn_stats_layer(net, 1, &st);
    assert_true(st.w_zero == 0 && isnan(st.alpha_mean));
    nn_net_free(net);
}

static void test_weight_histogram(void **state)
{
    (void)state;
    const int sizes[] = { 2, 3, 1 };
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, 3, NN_ACT_MAXOUT, 2, NN_ACT_SIGMOID, 0,
                             NN_LOSS_BCE, &err);
    assert_non_null(net);
    /* a maxout:2 layer of 3 units on 2 inputs: 12 weights, all counted */
    const double W1[12] = { -2, -1.5, -0.5, 0, 0.5, 1.999, 2, 3, -3,
                            INFINITY, -INFINITY, NAN };
    memcpy(net->L[0].W.w.v, W1, sizeof W1);
    long c[4];
    nn_stats_weight_hist(net, 0, -2, 2, 4, c);
    assert_int_equal(c[0], 4); /* -2 -1.5 -3 -Inf */
    assert_int_equal(c[1], 1); /* -0.5 */
    assert_int_equal(c[2], 2); /* 0 0.5 */
    assert_int_equal(c[3], 4); /* 1.999 2 3 +Inf */
    nn_layer_stats st;
    nn_stats_weights(net, 0, &st);
    assert_true(st.w_min == -INFINITY && st.w_max == INFINITY);
    c[0] = 42;
    nn_stats_weight_hist(net, 0, -1, 1, 0, c);
    assert_true(c[0] == 42);
    nn_stats_weight_hist(net, 0, 1, -1, 4, c);
    assert_true(c[0] == 0 && c[3] == 0);
    /* the natural range: w_min..w_max of finite weights */
    for (int i = 0; i < 12; i++)
        net->L[0].W.w.v[i] = i * 0.25 - 1;
    nn_stats_weights(net, 0, &st);
    long c3[3];
    nn_stats_weight_hist(net, 0, st.w_min, st.w_max, 3, c3);
    assert_true(c3[0] == 4 && c3[1] == 4 && c3[2] == 4);
    nn_net_free(net);
}

/* What the history records (nn_stats_step, from the optimizer's sums and
 * Σx²/n − mean²) against what `stats` computes in two passes: the same
 * figures to 1e-12 relative on a trained 64-32-10 network, and the worst
 * case the header names measured: weights whose mean is 1000 times their
 * spread keep their variance to about 1e-9. */
static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

static void test_step_stats(void **state)
{
    (void)state;
    const int sizes[] = { 64, 32, 10 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, 4);
    double *X = tu_rand(16 * 64, 1, 5);
    double *Y = tu_targets(16, 10, NN_LOSS_XENT, NN_ACT_SOFTMAX, 6);
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_ADAM;
    double worst = 0;
    for (int t = 0; t < 5; t++) {
        nn_net_forward(net, X, 16, 1, NULL);
        nn_net_backward(net, X, Y);
        nn_optim_step(&o, net, 0.01);
        for (int l = 0; l < 2; l++) {
            nn_layer_stats a, b;
            nn_stats_step(net, l, &a);
            nn_stats_weights(net, l, &b);
            double r[] = { rel(a.w_mean, b.w_mean), rel(a.w_var, b.w_var),
                           rel(a.g_norm, b.g_norm), rel(a.g_var, b.g_var) };
            for (int k = 0; k < 4; k++)
                worst = fmax(worst, r[k]);
            assert_true(a.update_ratio == b.update_ratio);
        }
    }
    printf("history's one-pass figures against two passes: worst relative "
           "difference %.2g\n", worst);
    assert_true(worst < 1e-12);

    /* a mean 1000 times the spread: W = 1 + 1e-3·u, u in [-1, 1) */
    nn_layer *L = &net->L[1];
    int n = nn_mat_size(&L->W.w);
    tu_fill(L->W.w.v, n, 1e-3, 7);
    for (int k = 0; k < n; k++)
        L->W.w.v[k] += 1;
    L->w_sum = 0;
    for (int k = 0; k < n; k++)
        L->w_sum += L->W.w.v[k];
    L->w_sq = nn_sum_sq(L->W.w.v, n);
    nn_layer_stats a, b;
    nn_stats_step(net, 1, &a);
    nn_stats_weights(net, 1, &b);
    printf("mean 1000x the spread: variance %.6g against %.6g (relative "
           "%.2g)\n", a.w_var, b.w_var, rel(a.w_var, b.w_var));
    assert_true(rel(a.w_var, b.w_var) < 1e-8);
    free(X);
    free(Y);
    nn_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_and_acts),
        cmocka_unit_test(test_dead_relu),
        cmocka_unit_test(test_saturated),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_sparsity_and_slopes),
        cmocka_unit_test(test_weight_histogram),
        cmocka_unit_test(test_step_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
