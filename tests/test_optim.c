/*
 * test_optim.c — optimizers and schedules (engine/optim.c): the first
 * three updates of each optimizer against numbers worked from the formulas
 * in optim.h (defaults β = 0.9, β1 = 0.9, β2 = 0.999, ε = 1e-8), the step
 * over a whole network, and each learning-rate schedule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* Three updates of w = 1 with gradients 0.5, −0.2, 0.1 and lr 0.1 (a
 * 1-vector), compared with want[0..2]; returns the ‖Δw‖² of each. */
static void three_scalar_steps(nn_optim_kind kind, const double want[3],
                               double tol)
{
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = kind;
    const double g[] = { 0.5, -0.2, 0.1 };
    double w = 1, v = 0, s = 0;
    for (int t = 1; t <= 3; t++) {
        double before = w;
        double sq = nn_optim_update(&o, t, 0.1, &w, &g[t - 1], &v, &s, 1,
                                    NULL);
        if (!(fabs(w - want[t - 1]) <= tol))
            fail_msg("%s step %d: w = %.17g, want %.17g", nn_optim_names[kind],
                     t, w, want[t - 1]);
        assert_close(sq, (w - before) * (w - before), 1e-15);
    }
}

static void test_defaults(void **state)
{
    (void)state;
    nn_optim o;
    nn_optim_defaults(&o);
    assert_true(o.kind == NN_OPT_GD && o.lr == 0.01 && o.beta == 0.9 &&
                o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8 &&
                o.t == 0);
    assert_string_equal(nn_optim_names[NN_OPT_NESTEROV], "nesterov");
    assert_string_equal(nn_sched_names[NN_SCHED_STEP], "step");
}

/* w ← w − α·g: 1 − 0.05, + 0.02, − 0.01 */
static void test_gd(void **state)
{
    (void)state;
    const double want[] = { 0.95, 0.97, 0.96 };
    three_scalar_steps(NN_OPT_GD, want, 1e-15);
}

/* v = 0.9v + 0.1g: 0.05, 0.025, 0.0325; w −= 0.1v */
static void test_momentum(void **state)
{
    (void)state;
    const double want[] = { 0.995, 0.9925, 0.98925 };
    three_scalar_steps(NN_OPT_MOMENTUM, want, 1e-15);
}

/* same v; the step is α(0.9v + 0.1g): 0.0095, 0.00025, 0.003925 */
static void test_nesterov(void **state)
{
    (void)state;
    const double want[] = { 0.9905, 0.99025, 0.986325 };
    three_scalar_steps(NN_OPT_NESTEROV, want, 1e-15);
}

/* s = 0.999s + 0.001g²: 2.5e-4, 2.8975e-4, 2.9946e-4; w −= αg/(√s + ε) */
static void test_rmsprop(void **state)
{
    (void)state;
    double s1 = 0.001 * 0.25, s2 = 0.999 * s1 + 0.001 * 0.04,
           s3 = 0.999 * s2 + 0.001 * 0.01;
    double w1 = 1 - 0.1 * 0.5 / (sqrt(s1) + 1e-8);
    double w2 = w1 + 0.1 * 0.2 / (sqrt(s2) + 1e-8);
    double w3 = w2 - 0.1 * 0.1 / (sqrt(s3) + 1e-8);
    const double want[] = { w1, w2, w3 };
    three_scalar_steps(NN_OPT_RMSPROP, want, 1e-14);
    /* the same numbers worked independently (Python, doubles) */
    assert_close(w1, -2.1622756601696445, 1e-14);
    assert_close(w2, -0.98732935952736112, 1e-14);
    assert_close(w3, -1.5651993713463273, 1e-14);
}

/* v and s as above, each divided by 1 − βᵗ before the step; the first
 * step is α·sign(g) up to ε. */
static void test_adam(void **state)
{
    (void)state;
    double v = 0, s = 0, w = 1, want[3];
    const double g[] = { 0.5, -0.2, 0.1 };
    for (int t = 1; t <= 3; t++) {
        v = 0.9 * v + 0.1 * g[t - 1];
        s = 0.999 * s + 0.001 * g[t - 1] * g[t - 1];
        double vh = v / (1 - pow(0.9, t)), sh = s / (1 - pow(0.999, t));
        w -= 0.1 * vh / (sqrt(sh) + 1e-8);
        want[t - 1] = w;
    }
    three_scalar_steps(NN_OPT_ADAM, want, 1e-14);
    assert_close(want[0], 0.90000000199999985, 1e-14);
    assert_close(want[1], 0.86543941811651071, 1e-14);
    assert_close(want[2], 0.82750024083569551, 1e-14);
}

/* A vector: each entry is updated on its own, and ‖Δw‖² is the sum. */
static void test_vector_update(void **state)
{
    (void)state;
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_ADAM;
    double w[3] = { 1, -2, 0.5 }, g[3] = { 0.3, -0.1, 0 };
    double v[3] = { 0 }, s[3] = { 0 };
    double before;
    double sq = nn_optim_update(&o, 1, 0.01, w, g, v, s, 3, &before);
    assert_close(before, 1 + 4 + 0.25, 1e-15); /* ||w||^2 before the step */
    assert_close(w[0], 1 - 0.01 * 0.3 / (0.3 + 1e-8), 1e-15);
    assert_close(w[1], -2 + 0.01 * 0.1 / (0.1 + 1e-8), 1e-15);
    assert_true(w[2] == 0.5); /* zero gradient, zero step */
    double d0 = 0.01 * 0.3 / (0.3 + 1e-8), d1 = 0.01 * 0.1 / (0.1 + 1e-8);
    assert_close(sq, d0 * d0 + d1 * d1, 1e-18);
}

/* Adam on 11 values (two four-wide lanes and a tail of three) for three
 * steps, against the formula value by value: the vectorized loop and the
 * tail must agree with it everywhere. */
static void test_adam_lanes(void **state)
{
    (void)state;
    enum { N = 11 };
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_ADAM;
    double w[N], v[N] = { 0 }, s[N] = { 0 }, g[N];
    double ww[N], vv[N] = { 0 }, ss[N] = { 0 };
    for (int i = 0; i < N; i++)
        w[i] = ww[i] = 0.1 * i - 0.4;
    for (int t = 1; t <= 3; t++) {
        double sq = 0;
        for (int i = 0; i < N; i++) {
            g[i] = sin(1.0 + i + 3.0 * t);
            vv[i] = 0.9 * vv[i] + 0.1 * g[i];
            ss[i] = 0.999 * ss[i] + 0.001 * g[i] * g[i];
            double d = -0.05 * (vv[i] / (1 - pow(0.9, t))) /
                       (sqrt(ss[i] / (1 - pow(0.999, t))) + 1e-8);
            ww[i] += d;
            sq += d * d;
        }
        double wsq = 0, before;
        for (int i = 0; i < N; i++)
            wsq += w[i] * w[i];
        double got = nn_optim_update(&o, t, 0.05, w, g, v, s, N, &before);
        assert_close(before, wsq, 1e-15);
        for (int i = 0; i < N; i++)
            assert_close(w[i], ww[i], 1e-15);
        assert_close(got, sq, 1e-15);
    }
}

/* nn_optim_step: every tensor moves, t counts, update_sq per layer. */
static void test_step_network(void **state)
{
    (void)state;
    const int sizes[] = { 3, 4, 2 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, 1);
    nn_net *before = nn_net_clone(net, NULL);
    for (int i = 0; i < net->n_params; i++)
        tu_fill(net->params[i]->g.v, nn_mat_size(&net->params[i]->g), 1,
                (uint64_t)i + 1);
    nn_optim o;
    nn_optim_defaults(&o);
    nn_optim_step(&o, net, 0.5);
    assert_int_equal(o.t, 1);
    for (int i = 0; i < net->n_params; i++) {
        nn_param *p = net->params[i], *q = before->params[i];
        for (int k = 0; k < nn_mat_size(&p->w); k++)
            assert_close(p->w.v[k], q->w.v[k] - 0.5 * p->g.v[k], 1e-15);
    }
    for (int l = 0; l < 2; l++) {
        double sq = 0.25 * nn_sum_sq(net->L[l].W.g.v,
                                     nn_mat_size(&net->L[l].W.g));
        assert_close(net->L[l].update_sq, sq, 1e-14);
    }
    nn_optim_step(&o, net, 0.5);
    assert_int_equal(o.t, 2);
    nn_net_free(before);
    nn_net_free(net);
}

static void test_schedules(void **state)
{
    (void)state;
    nn_sched s = { NN_SCHED_INVERSE, 1, 1, 0.5 };
    const double inv[] = { 0.2, 0.1, 0.2 / 3, 0.05, 0.04 };
    for (int e = 0; e <= 4; e++)
        assert_close(nn_sched_lr(&s, 0.2, e), inv[e], 1e-15);
    assert_close(nn_sched_lr(&s, 0.2, 2), 0.0667, 5e-5);
    s.every = 2; /* decay counts ⌊epoch/every⌋ */
    const double inv2[] = { 0.2, 0.2, 0.1, 0.1, 0.2 / 3 };
    for (int e = 0; e <= 4; e++)
        assert_close(nn_sched_lr(&s, 0.2, e), inv2[e], 1e-15);
    s.every = 0; /* taken as 1 */
    assert_close(nn_sched_lr(&s, 0.2, 3), 0.05, 1e-15);

    nn_sched x = { NN_SCHED_EXP, 0.95, 1, 0.5 };
    for (int e = 0; e <= 4; e++)
        assert_close(nn_sched_lr(&x, 0.2, e), 0.2 * pow(0.95, e), 1e-15);
    x.every = 3;
    assert_close(nn_sched_lr(&x, 0.2, 2), 0.2, 1e-15);
    assert_close(nn_sched_lr(&x, 0.2, 3), 0.2 * 0.95, 1e-15);
    assert_close(nn_sched_lr(&x, 0.2, 7), 0.2 * 0.95 * 0.95, 1e-15);

    nn_sched st = { NN_SCHED_STEP, 1, 2, 0.5 };
    const double step[] = { 0.2, 0.2, 0.1, 0.1, 0.05, 0.05 };
    for (int e = 0; e <= 5; e++)
        assert_close(nn_sched_lr(&st, 0.2, e), step[e], 1e-15);

    nn_sched none = { NN_SCHED_NONE, 1, 1, 0.5 };
    assert_true(nn_sched_lr(&none, 0.2, 100) == 0.2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_gd),
        cmocka_unit_test(test_momentum),
        cmocka_unit_test(test_nesterov),
        cmocka_unit_test(test_rmsprop),
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_adam_lanes),
        cmocka_unit_test(test_vector_update),
        cmocka_unit_test(test_step_network),
        cmocka_unit_test(test_schedules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
