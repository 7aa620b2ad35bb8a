/*
 * test_optim.c — optimizers and gradient clipping (engine/optim.c): the
 * first three updates of each optimizer against numbers worked from the
 * formulas in optim.h (defaults β = 0.9, β1 = 0.9, β2 = 0.999, ρ = 0.9,
 * ε = 1e-8), RMSprop with and without bias correction, the step over a
 * whole network and the sums its pass gathers for the history, the settings nn_optim_check refuses (ε = 0 is a NaN), and
 * clipping by norm and by value against hand computation.  The schedules
 * are tested in test_schedule.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* Three updates by o of w = 1 with gradients 0.5, −0.2, 0.1 and lr 0.1
 * (a 1-vector), compared with want[0..2], and ‖Δw‖² of each. */
static void three_steps(const nn_optim *o, const double want[3], double tol)
{
    const double g[] = { 0.5, -0.2, 0.1 };
    double w = 1, v = 0, s = 0;
    for (int t = 1; t <= 3; t++) {
        double before = w;
        double sq = nn_optim_update(o, t, 0.1, &w, &g[t - 1], &v, &s, 1,
                                    NULL);
        if (!(fabs(w - want[t - 1]) <= tol))
            fail_msg("%s step %d: w = %.17g, want %.17g",
                     nn_optim_names[o->kind], t, w, want[t - 1]);
        assert_close(sq, (w - before) * (w - before), 1e-15);
    }
}

/* The same with the defaults of optimizer `kind`. */
static void three_scalar_steps(nn_optim_kind kind, const double want[3],
                               double tol)
{
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = kind;
    three_steps(&o, want, tol);
}

static void test_defaults(void **state)
{
    (void)state;
    nn_optim o;
    nn_optim_defaults(&o);
    assert_true(o.kind == NN_OPT_GD && o.lr == 0.01 && o.beta == 0.9 &&
                o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8 &&
                o.t == 0 && o.rho == 0.9 && o.correct == 0);
    assert_string_equal(nn_optim_names[NN_OPT_NESTEROV], "nesterov");
    assert_string_equal(nn_clip_names[NN_CLIP_VALUE], "value");
    nn_clip c;
    nn_clip_defaults(&c);
    assert_true(c.kind == NN_CLIP_OFF && c.max == 1);
    /* who uses what: rmsprop has its own decay, beta2 is adam's alone */
    assert_true(nn_optim_uses(NN_OPT_RMSPROP, "rho"));
    assert_true(nn_optim_uses(NN_OPT_RMSPROP, "correct"));
    assert_true(nn_optim_uses(NN_OPT_RMSPROP, "eps"));
    assert_false(nn_optim_uses(NN_OPT_RMSPROP, "beta2"));
    assert_true(nn_optim_uses(NN_OPT_ADAM, "beta2"));
    assert_false(nn_optim_uses(NN_OPT_ADAM, "rho"));
    assert_false(nn_optim_uses(NN_OPT_GD, "correct"));
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

/* s = 0.9s + 0.1g²: 0.025, 0.0265, 0.02485; w −= αg/(√s + ε).  Without
 * bias correction the first step is α·g/√(0.1g²) = 3.16α. */
static void test_rmsprop(void **state)
{
    (void)state;
    double s1 = 0.1 * 0.25, s2 = 0.9 * s1 + 0.1 * 0.04,
           s3 = 0.9 * s2 + 0.1 * 0.01;
    double w1 = 1 - 0.1 * 0.5 / (sqrt(s1) + 1e-8);
    double w2 = w1 + 0.1 * 0.2 / (sqrt(s2) + 1e-8);
    double w3 = w2 - 0.1 * 0.1 / (sqrt(s3) + 1e-8);
    const double want[] = { w1, w2, w3 };
    three_scalar_steps(NN_OPT_RMSPROP, want, 1e-14);
    /* the same numbers worked independently (Python, doubles) */
    assert_close(w1, 0.6837722539831608, 1e-14);
    assert_close(w2, 0.8066312698027817, 1e-14);
    assert_close(w3, 0.7431951258573711, 1e-14);
}

/* With bias correction s is divided by 1 − 0.9ᵗ: the first step is
 * α·sign(g) up to ε, as Adam's. */
static void test_rmsprop_corrected(void **state)
{
    (void)state;
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_RMSPROP;
    o.correct = 1;
    double s = 0, w = 1, want[3];
    const double g[] = { 0.5, -0.2, 0.1 };
    for (int t = 1; t <= 3; t++) {
        s = 0.9 * s + 0.1 * g[t - 1] * g[t - 1];
        w -= 0.1 * g[t - 1] / (sqrt(s / (1 - pow(0.9, t))) + 1e-8);
        want[t - 1] = w;
    }
    three_steps(&o, want, 1e-14);
    assert_close(want[0], 0.900000002, 1e-14);
    assert_close(want[1], 0.9535530072818318, 1e-14);
    assert_close(want[2], 0.92052963393006, 1e-14);
}

/* ρ = 0.999 without correction, the decay RMSprop once borrowed from
 * Adam: the first step is 31.6α (w goes from 1 to −2.16 at α = 0.1). */
static void test_rmsprop_slow_decay(void **state)
{
    (void)state;
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_RMSPROP;
    o.rho = 0.999;
    o.beta2 = 0.5; /* not rmsprop's: changes nothing */
    const double want[] = { -2.1622756601696427, -0.9873293595273602,
                            -1.565199371346326 };
    three_steps(&o, want, 1e-14);
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

/* nn_optim_check refuses what would make NaN or nonsense, names it, and
 * takes any finite learning rate however large. */
static void test_check(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_optim o;
    nn_optim_defaults(&o);
    assert_int_equal(nn_optim_check(&o, &err), 0);
    o.lr = 1e6; /* CS231n's "cost: NaN" rate: a lesson, not an error */
    assert_int_equal(nn_optim_check(&o, &err), 0);
    o.lr = 0;
    assert_int_equal(nn_optim_check(&o, &err), 0);
    const double bad_lr[] = { -1e-3, INFINITY, NAN };
    for (int i = 0; i < 3; i++) {
        o.lr = bad_lr[i];
        assert_int_equal(nn_optim_check(&o, &err), -1);
        assert_non_null(strstr(err.msg, "lr must be a finite number >= 0"));
    }
    o.lr = 0.01;
    /* ε = 0: refused where it divides, harmless for gd */
    o.eps = 0;
    assert_int_equal(nn_optim_check(&o, &err), 0);
    nn_optim_kind divides[] = { NN_OPT_ADAM, NN_OPT_RMSPROP };
    for (int i = 0; i < 2; i++) {
        o.kind = divides[i];
        assert_int_equal(nn_optim_check(&o, &err), -1);
        assert_non_null(strstr(err.msg, "eps must be above 0"));
        assert_non_null(strstr(err.msg, "NaN"));
    }
    o.eps = -1e-8;
    assert_int_equal(nn_optim_check(&o, &err), -1);
    o.eps = 1e-8;
    o.rho = 1; /* s would never move from 0 */
    assert_int_equal(nn_optim_check(&o, &err), -1);
    assert_non_null(strstr(err.msg, "rho must be"));
    o.rho = 0.99;
    o.correct = 2;
    assert_int_equal(nn_optim_check(&o, &err), -1);
    o.correct = 1;
    assert_int_equal(nn_optim_check(&o, &err), 0);
}

/* Why ε = 0 is refused: a weight whose gradient has always been 0 has
 * s = 0, and its step is 0/0. */
static void test_eps_zero_is_nan(void **state)
{
    (void)state;
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_RMSPROP;
    o.eps = 0;
    double w = 1, g = 0, v = 0, s = 0;
    nn_optim_update(&o, 1, 0.01, &w, &g, &v, &s, 1, NULL);
    assert_true(isnan(w));
    o.eps = 1e-8;
    w = 1;
    nn_optim_update(&o, 1, 0.01, &w, &g, &v, &s, 1, NULL);
    assert_true(w == 1);
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

/* What the update's pass sums on the way (the history's statistics come
 * from them): for every optimizer, the weights move exactly as with
 * nn_optim_update, ‖Δw‖² and ‖w‖² before are nn_optim_update's to the
 * bit, and Σw, ‖w‖² after, Σg, ‖g‖² are the sums worked out apart. */
static void test_update_sums(void **state)
{
    (void)state;
    enum { N = 37 }; /* nine groups of four and one left over */
    for (int kind = NN_OPT_GD; kind <= NN_OPT_ADAM; kind++) {
        nn_optim o;
        nn_optim_defaults(&o);
        o.kind = (nn_optim_kind)kind;
        double w[N], v[N] = { 0 }, s[N] = { 0 }, g[N];
        double w2[N], v2[N] = { 0 }, s2[N] = { 0 };
        tu_fill(w, N, 0.5, 3);
        memcpy(w2, w, sizeof w);
        for (int t = 1; t <= 3; t++) {
            tu_fill(g, N, 1, (uint64_t)(10 + t));
            double before;
            double dsq = nn_optim_update(&o, t, 0.05, w, g, v, s, N, &before);
            nn_update_sums u;
            nn_optim_update_sums(&o, t, 0.05, w2, g, v2, s2, N, &u);
            assert_memory_equal(w, w2, sizeof w);
            assert_memory_equal(v, v2, sizeof v);
            assert_memory_equal(s, s2, sizeof s);
            assert_memory_equal(&u.d_sq, &dsq, sizeof dsq);
            assert_memory_equal(&u.w_sq_before, &before, sizeof before);
            double ws = 0, wq = 0, gs = 0, gq = 0;
            for (int i = 0; i < N; i++) {
                ws += w[i];
                wq += w[i] * w[i];
                gs += g[i];
                gq += g[i] * g[i];
            }
            assert_close(u.w_sum, ws, 1e-14);
            assert_close(u.w_sq, wq, 1e-14);
            assert_close(u.g_sum, gs, 1e-14);
            assert_close(u.g_sq, gq, 1e-14);
        }
    }
}

/* nn_optim_step records the sums of each W in its layer and returns ‖g‖²
 * of every gradient: nn_grad_norm squared. */
static void test_step_sums(void **state)
{
    (void)state;
    const int sizes[] = { 5, 7, 3 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, 2);
    for (int i = 0; i < net->n_params; i++)
        tu_fill(net->params[i]->g.v, nn_mat_size(&net->params[i]->g), 1,
                (uint64_t)i + 5);
    double norm = nn_grad_norm(net);
    nn_optim o;
    nn_optim_defaults(&o);
    o.kind = NN_OPT_ADAM;
    double g_sq = nn_optim_step(&o, net, 0.01);
    assert_close(sqrt(g_sq), norm, 1e-14);
    for (int l = 0; l < 2; l++) {
        const nn_layer *L = &net->L[l];
        int n = nn_mat_size(&L->W.w);
        double ws = 0, gs = 0;
        for (int k = 0; k < n; k++) {
            ws += L->W.w.v[k];
            gs += L->W.g.v[k];
        }
        assert_close(L->w_sum, ws, 1e-14);
        assert_close(L->w_sq, nn_sum_sq(L->W.w.v, n), 1e-14);
        assert_close(L->g_sum, gs, 1e-14);
        assert_close(L->g_sq, nn_sum_sq(L->W.g.v, n), 1e-14);
    }
    nn_net_free(net);
}

/* ------------------------------------------------------------------------
 * Gradient clipping
 * ------------------------------------------------------------------------ */

/* A 2-2-1 net (W1 2x2, b1, W2 1x2, b2: 9 gradients) with the gradients
 * 1, −2, 2, 0 | 4, 0 | −2, 0 | 0, whose norm is √(1+4+4+16+4) = √29. */
static nn_net *known_grads(void)
{
    const int sizes[] = { 2, 2, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    const double g[] = { 1, -2, 2, 0, 4, 0, -2, 0, 0 };
    int at = 0;
    for (int i = 0; i < net->n_params; i++) {
        nn_mat *m = &net->params[i]->g;
        for (int k = 0; k < nn_mat_size(m); k++)
            m->v[k] = g[at++];
    }
    assert_int_equal(at, 9);
    return net;
}

static void grads_of(const nn_net *net, double *out)
{
    int at = 0;
    for (int i = 0; i < net->n_params; i++)
        for (int k = 0; k < nn_mat_size(&net->params[i]->g); k++)
            out[at++] = net->params[i]->g.v[k];
}

static void test_grad_norm(void **state)
{
    (void)state;
    nn_net *net = known_grads();
    assert_close(nn_grad_norm(net), sqrt(29.0), 1e-15);
    /* squares past the largest double: still the norm, not Inf */
    net->L[0].W.g.v[0] = 1e200;
    net->L[1].b.g.v[0] = -1e200;
    assert_close(nn_grad_norm(net) / 1e200, sqrt(2.0), 1e-15);
    net->L[0].W.g.v[1] = INFINITY;
    assert_true(isinf(nn_grad_norm(net)));
    net->L[0].W.g.v[1] = NAN;
    assert_true(isnan(nn_grad_norm(net)));
    nn_net_free(net);
}

/* By norm: above the threshold every gradient is scaled by max/‖g‖ (the
 * direction kept), at or under it nothing changes. */
static void test_clip_norm(void **state)
{
    (void)state;
    nn_net *net = known_grads();
    const double g0[] = { 1, -2, 2, 0, 4, 0, -2, 0, 0 };
    double g[9];
    nn_clip c = { NN_CLIP_NORM, 2.5 };
    double norm = nn_grad_norm(net);
    assert_int_equal(nn_clip_grads(&c, net, norm), 1);
    grads_of(net, g);
    for (int k = 0; k < 9; k++)
        assert_close(g[k], g0[k] * 2.5 / sqrt(29.0), 1e-15);
    assert_close(nn_grad_norm(net), 2.5, 1e-15);
    nn_net_free(net);
    net = known_grads();
    c.max = nn_grad_norm(net); /* exactly at the threshold: untouched */
    assert_int_equal(nn_clip_grads(&c, net, nn_grad_norm(net)), 0);
    c.max = 6; /* √29 = 5.39 is under it */
    assert_int_equal(nn_clip_grads(&c, net, nn_grad_norm(net)), 0);
    grads_of(net, g);
    assert_memory_equal(g, g0, sizeof g);
    /* off changes nothing whatever the norm */
    c.kind = NN_CLIP_OFF;
    c.max = 0.1;
    assert_int_equal(nn_clip_grads(&c, net, nn_grad_norm(net)), 0);
    /* a NaN norm is left to the guard */
    c.kind = NN_CLIP_NORM;
    assert_int_equal(nn_clip_grads(&c, net, NAN), 0);
    grads_of(net, g);
    assert_memory_equal(g, g0, sizeof g);
    nn_net_free(net);
}

/* By value: each entry into [−max, max], the others untouched. */
static void test_clip_value(void **state)
{
    (void)state;
    nn_net *net = known_grads();
    const double want[] = { 1, -1.5, 1.5, 0, 1.5, 0, -1.5, 0, 0 };
    double g[9];
    nn_clip c = { NN_CLIP_VALUE, 1.5 };
    assert_int_equal(nn_clip_grads(&c, net, nn_grad_norm(net)), 1);
    grads_of(net, g);
    assert_memory_equal(g, want, sizeof g);
    assert_int_equal(nn_clip_grads(&c, net, nn_grad_norm(net)), 0);
    c.max = 4; /* nothing above 4 */
    nn_net_free(net);
    net = known_grads();
    assert_int_equal(nn_clip_grads(&c, net, nn_grad_norm(net)), 0);
    nn_net_free(net);
}

static void test_clip_check(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_clip c = { NN_CLIP_NORM, 5 };
    assert_int_equal(nn_clip_check(&c, &err), 0);
    const double bad[] = { 0, -1, INFINITY, NAN };
    for (int i = 0; i < 4; i++) {
        c.max = bad[i];
        assert_int_equal(nn_clip_check(&c, &err), -1);
        assert_non_null(strstr(err.msg, "clipping threshold"));
    }
    c.max = 1;
    c.kind = (nn_clip_kind)3;
    assert_int_equal(nn_clip_check(&c, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_gd),
        cmocka_unit_test(test_momentum),
        cmocka_unit_test(test_nesterov),
        cmocka_unit_test(test_rmsprop),
        cmocka_unit_test(test_rmsprop_corrected),
        cmocka_unit_test(test_rmsprop_slow_decay),
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_adam_lanes),
        cmocka_unit_test(test_vector_update),
        cmocka_unit_test(test_step_network),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_eps_zero_is_nan),
        cmocka_unit_test(test_update_sums),
        cmocka_unit_test(test_step_sums),
        cmocka_unit_test(test_grad_norm),
        cmocka_unit_test(test_clip_norm),
        cmocka_unit_test(test_clip_value),
        cmocka_unit_test(test_clip_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
