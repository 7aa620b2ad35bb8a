/*
 * test_gradcheck.c — backprop against numerical gradients
 * (engine/gradcheck.c, and through it engine/pass.c): every hidden
 * activation × output/loss pair × regularizer below 1e-7, batch norm below
 * 1e-6, dropout switched off by the check, the planted bug caught on its
 * tensor only, the order and names of the results, and the error paths.
 * The hidden activations include PReLU (its slopes checked as a tensor of
 * their own), GELU, SELU and maxout (with batch norm over its pieces and
 * dropout over its units too); the regularizers elastic net; the losses
 * MAE and Huber, with targets kept off MAE's kink and on both sides of
 * Huber's δ.  NaN or Inf anywhere fails the check; entries whose two
 * evaluations straddle a kink (ReLU's z = 0, a maxout tie, L1's |w| at
 * 0) are counted and left out, and smooth activations report none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pipefeed.h"
#include "testutil.h"

enum { M = 7, NIN = 3 };
static const double EPS = 1e-5;

typedef struct {
    nn_act out;
    nn_loss loss;
    int k;
} out_case;

static const out_case OUTS[] = {
    { NN_ACT_SIGMOID, NN_LOSS_BCE, 2 }, { NN_ACT_SOFTMAX, NN_LOSS_XENT, 3 },
    { NN_ACT_LINEAR, NN_LOSS_MSE, 2 },  { NN_ACT_TANH, NN_LOSS_MSE, 2 },
    { NN_ACT_SOFTMAX, NN_LOSS_MSE, 3 },
};
static const nn_act HIDDEN[] = { NN_ACT_LINEAR, NN_ACT_SIGMOID, NN_ACT_TANH,
                                 NN_ACT_RELU,   NN_ACT_LEAKY,   NN_ACT_ELU,
                                 NN_ACT_PRELU,  NN_ACT_GELU,    NN_ACT_SELU,
                                 NN_ACT_MAXOUT };

/* A 3-5-4-k net with random weights, biases (and gamma, beta), data. */
typedef struct {
    nn_net *net;
    double *X, *Y;
    nn_gc_result res[24];
} fixture;

static void fixture_make(fixture *f, nn_act hidden, const out_case *o,
                         nn_reg reg, uint64_t seed)
{
    const int sizes[] = { NIN, 5, 4, o->k };
    f->net = tu_net(sizes, 4, hidden, o->out, o->loss, NULL, seed);
    f->net->reg = reg;
    f->net->lambda = reg == NN_REG_NONE ? 0 : 0.7;
    f->net->lambda2 = reg == NN_REG_ELASTIC ? 0.4 : 0;
    tu_perturb_vectors(f->net, seed);
    f->X = tu_rand(M * NIN, 1.0, seed + 100);
    f->Y = tu_targets(M, o->k, o->loss, o->out, seed + 200);
}

static void fixture_free(fixture *f)
{
    nn_net_free(f->net);
    free(f->X);
    free(f->Y);
}

static double run_check(fixture *f, const char *what)
{
    nn_err err = {{0}};
    assert_true(f->net->n_params <= 24);
    double worst = nn_gradcheck(f->net, f->X, f->Y, M, EPS, 0, f->res, &err);
    if (worst < 0)
        fail_msg("%s: gradcheck failed: %s", what, err.msg);
    return worst;
}

static void expect_below(fixture *f, double tol, const char *what)
{
    double worst = run_check(f, what);
    for (int i = 0; i < f->net->n_params; i++) {
        nn_gc_result *r = &f->res[i];
        assert_int_equal(r->checked, r->size);
        /* a gradient that is truly zero (beta of a layer whose output the
         * next batch norm re-centres) leaves only rounding noise in ĝ, and
         * the relative error of noise against noise means nothing */
        if (r->grad_norm < 1e-9 && r->num_norm < 1e-9)
            continue;
        if (!(r->rel_err < tol))
            fail_msg("%s: %s rel err %.3g >= %g (|g| %.3g, |num| %.3g)", what,
                     r->name, r->rel_err, tol, r->grad_norm, r->num_norm);
    }
    (void)worst;
}

static void test_every_activation_loss_reg(void **state)
{
    (void)state;
    static const nn_reg regs[] = { NN_REG_NONE, NN_REG_L2, NN_REG_L1,
                                   NN_REG_ELASTIC };
    uint64_t seed = 1;
    for (size_t h = 0; h < sizeof HIDDEN / sizeof *HIDDEN; h++)
        for (size_t o = 0; o < sizeof OUTS / sizeof *OUTS; o++)
            for (size_t r = 0; r < 4; r++) {
                fixture f;
                char what[96];
                fixture_make(&f, HIDDEN[h], &OUTS[o], regs[r], seed++);
                snprintf(what, sizeof what, "hidden %s, %s+%s, reg %s",
                         nn_act_names[HIDDEN[h]], nn_act_names[OUTS[o].out],
                         nn_loss_names[OUTS[o].loss], nn_reg_names[regs[r]]);
                expect_below(&f, 1e-7, what);
                fixture_free(&f);
            }
}

/* Batch norm on the hidden layers, then on the output layer as well. */
static void test_batch_norm(void **state)
{
    (void)state;
    uint64_t seed = 500;
    for (size_t h = 0; h < sizeof HIDDEN / sizeof *HIDDEN; h++)
        for (size_t o = 0; o < sizeof OUTS / sizeof *OUTS; o++)
            for (int with_out = 0; with_out < 2; with_out++) {
                fixture f;
                char what[96];
                fixture_make(&f, HIDDEN[h], &OUTS[o],
                             with_out ? NN_REG_L2 : NN_REG_NONE, seed++);
                assert_int_equal(nn_net_set_bn(f.net, 1, 1, NULL), 0);
                assert_int_equal(nn_net_set_bn(f.net, 2, 1, NULL), 0);
                if (with_out)
                    assert_int_equal(nn_net_set_bn(f.net, 3, 1, NULL), 0);
                tu_perturb_vectors(f.net, seed + 7);
                snprintf(what, sizeof what, "bn%s, hidden %s, %s+%s",
                         with_out ? " (output too)" : "",
                         nn_act_names[HIDDEN[h]], nn_act_names[OUTS[o].out],
                         nn_loss_names[OUTS[o].loss]);
                expect_below(&f, 1e-6, what);
                fixture_free(&f);
            }
}


/* MAE and Huber: after a forward pass the targets are placed at residuals
 * 0.1..2.5 from the outputs (either sign), so no output sits on MAE's
 * kink and Huber's δ = 1 (then 0.5) has residuals on both sides. */
static void place_targets(fixture *f, int k)
{
    const double *out = nn_net_forward(f->net, f->X, M, 1, NULL);
    double r[M * 3];
    tu_fill(r, M * k, 1.0, 4242);
    for (int i = 0; i < M * k; i++)
        f->Y[i] = out[i] - (r[i] < 0 ? -1 : 1) * (0.1 + 2.4 * fabs(r[i]));
}

static void test_mae_huber(void **state)
{
    (void)state;
    static const out_case outs[] = {
        { NN_ACT_LINEAR, NN_LOSS_MAE, 2 },   { NN_ACT_TANH, NN_LOSS_MAE, 2 },
        { NN_ACT_LINEAR, NN_LOSS_HUBER, 2 }, { NN_ACT_TANH, NN_LOSS_HUBER, 2 },
        { NN_ACT_SELU, NN_LOSS_HUBER, 3 },
    };
    uint64_t seed = 900;
    for (size_t h = 0; h < sizeof HIDDEN / sizeof *HIDDEN; h++)
        for (size_t o = 0; o < sizeof outs / sizeof *outs; o++)
            for (int elastic = 0; elastic < 2; elastic++) {
                fixture f;
                char what[112];
                fixture_make(&f, HIDDEN[h], &outs[o],
                             elastic ? NN_REG_ELASTIC : NN_REG_NONE, seed++);
                if (outs[o].loss == NN_LOSS_HUBER)
                    f.net->loss_arg = elastic ? 0.5 : 1;
                place_targets(&f, outs[o].k);
                snprintf(what, sizeof what, "hidden %s, %s+%s (delta %g)%s",
                         nn_act_names[HIDDEN[h]], nn_act_names[outs[o].out],
                         nn_loss_names[outs[o].loss], f.net->loss_arg,
                         elastic ? ", elastic net" : "");
                expect_below(&f, 1e-7, what);
                fixture_free(&f);
            }
}

/* The slopes of a PReLU net are tensors alpha1, alpha2 after each layer's
 * W and b; a planted bug in dalpha2 shows there and nowhere else. */
static void test_prelu_slopes(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_PRELU, &OUTS[1], NN_REG_L2, 31);
    static const char *names[] = { "W1", "b1", "alpha1", "W2",
                                   "b2", "alpha2", "W3", "b3" };
    assert_int_equal(f.net->n_params, 8);
    double worst = run_check(&f, "prelu names");
    assert_true(worst < 1e-7);
    for (int i = 0; i < 8; i++)
        assert_string_equal(f.res[i].name, names[i]);
    assert_int_equal(f.res[2].size, 5);
    assert_true(f.res[2].grad_norm > 0 && f.res[5].grad_norm > 0);
    int p = nn_net_find_param(f.net, "dalpha2");
    assert_int_equal(p, 5);
    f.net->bug_param = p;
    run_check(&f, "prelu bug");
    for (int i = 0; i < 8; i++)
        if (i == p)
            assert_close(f.res[i].rel_err, 1.0 / 3, 1e-6);
        else
            assert_true(f.res[i].rel_err < 1e-7);
    fixture_free(&f);
}

/* Maxout layers of 3 pieces: W1 is 15 x 3, b1 1 x 15; with batch norm
 * gamma and beta cover the pieces too. */
static void test_maxout_shapes(void **state)
{
    (void)state;
    for (int bn = 0; bn < 2; bn++) {
        const int sizes[] = { NIN, 5, 4, 2 };
        nn_err err = {{0}};
        nn_net *net = nn_net_new(sizes, 4, NN_ACT_MAXOUT, 3, NN_ACT_SIGMOID,
                                 0, NN_LOSS_BCE, &err);
        if (!net)
            fail_msg("maxout:3 net: %s", err.msg);
        nn_net_init(net, 8, 0);
        if (bn)
            assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
        fixture f;
        memset(&f, 0, sizeof f);
        f.net = net;
        f.X = tu_rand(M * NIN, 1.0, 81);
        f.Y = tu_targets(M, 2, NN_LOSS_BCE, NN_ACT_SIGMOID, 82);
        tu_perturb_vectors(net, 83);
        expect_below(&f, bn ? 1e-6 : 1e-7, bn ? "maxout:3, bn" : "maxout:3");
        assert_int_equal(f.res[0].size, 15 * NIN);
        assert_int_equal(f.res[1].size, 15); /* b1, or gamma1 */
        assert_int_equal(f.res[nn_net_find_param(net, "W2")].size, 12 * 5);
        fixture_free(&f);
    }
}

/* The check leaves weights and batch norm's running statistics alone. */
static void test_leaves_net_unchanged(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_TANH, &OUTS[1], NN_REG_L2, 9);
    assert_int_equal(nn_net_set_bn(f.net, 2, 1, NULL), 0);
    tu_perturb_vectors(f.net, 3);
    f.net->L[1].run_mean.v[0] = 0.25;
    f.net->L[1].run_var.v[3] = 2.5;
    nn_net *copy = nn_net_clone(f.net, NULL);
    assert_non_null(copy);
    run_check(&f, "unchanged");
    assert_true(tu_same_weights(f.net, copy));
    nn_net_free(copy);
    fixture_free(&f);
}

/* Ctrl-C during the check of a large network (about 35 000 entries, two
 * forward passes of 256 rows each: minutes of work) stops it at the next
 * entry, with the weights and batch norm's statistics as they were. */
static void test_interrupted(void **state)
{
    (void)state;
    const int sizes[] = { 256, 128, 10 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, 5);
    nn_err err = {{0}};
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    tu_perturb_vectors(net, 5);
    assert_int_equal(nn_net_reserve(net, 256, NULL), 0);
    double *X = tu_rand(256 * 256, 1.0, 6);
    double *Y = tu_targets(256, 10, NN_LOSS_XENT, NN_ACT_SOFTMAX, 7);
    nn_gc_result *res = calloc((size_t)net->n_params, sizeof *res);
    nn_net *copy = nn_net_clone(net, NULL);
    assert_non_null(res);
    assert_non_null(copy);
    tu_cancel_begin(60);
    pid_t kid = tu_signal_after(50);
    double worst = nn_gradcheck(net, X, Y, 256, 1e-5, 0, res, &err);
    tu_signal_wait(kid);
    tu_cancel_end();
    assert_true(worst == -1);
    assert_non_null(strstr(err.msg, "gradient check interrupted"));
    assert_true(tu_same_weights(net, copy));
    free(res);
    free(X);
    free(Y);
    nn_net_free(copy);
    nn_net_free(net);
}

/* Dropout set on the hidden layers does not disturb the check, even right
 * after a training pass that applied masks. */
static void test_dropout_is_off(void **state)
{
    (void)state;
    for (size_t o = 0; o < sizeof OUTS / sizeof *OUTS; o++) {
        fixture f;
        nn_rng drop;
        fixture_make(&f, NN_ACT_TANH, &OUTS[o], NN_REG_NONE, 40 + o);
        f.net->L[0].keep = 0.5;
        f.net->L[1].keep = 0.5;
        nn_rng_seed(&drop, 1, NN_STREAM_DROPOUT, 0);
        nn_net_forward(f.net, f.X, M, 1, &drop);
        assert_true(f.net->L[0].mask_on);
        expect_below(&f, 1e-7, "dropout 0.5");
        fixture_free(&f);
    }
}

/* Backprop through dropout itself: with the mask held fixed (the dropout
 * stream re-seeded before every pass draws the same mask), the cost is a
 * smooth function of the weights and its gradient must match. */
static double masked_cost(nn_net *net, const double *X, const double *Y)
{
    nn_rng drop;
    nn_rng_seed(&drop, 21, NN_STREAM_DROPOUT, 0);
    nn_net_forward(net, X, M, 1, &drop);
    return nn_net_cost(net, Y, 1);
}

static void test_dropout_backward_fixed_mask(void **state)
{
    (void)state;
    for (size_t h = 0; h < sizeof HIDDEN / sizeof *HIDDEN; h++) {
        fixture f;
        fixture_make(&f, HIDDEN[h], &OUTS[h % 5], NN_REG_L2, 60 + h);
        f.net->L[0].keep = 0.6;
        f.net->L[1].keep = 0.7;
        if (h % 2)
            assert_int_equal(nn_net_set_bn(f.net, 2, 1, NULL), 0);
        masked_cost(f.net, f.X, f.Y);
        assert_true(f.net->L[0].mask_on && f.net->L[1].mask_on);
        nn_net_backward(f.net, f.X, f.Y);
        for (int i = 0; i < f.net->n_params; i++) {
            nn_param *p = f.net->params[i];
            int n = nn_mat_size(&p->w);
            double *g = malloc((size_t)n * sizeof *g);
            double *num = malloc((size_t)n * sizeof *num);
            assert_non_null(g);
            assert_non_null(num);
            memcpy(g, p->g.v, (size_t)n * sizeof *g);
            for (int k = 0; k < n; k++) {
                double keep = p->w.v[k];
                p->w.v[k] = keep + EPS;
                double up = masked_cost(f.net, f.X, f.Y);
                p->w.v[k] = keep - EPS;
                double down = masked_cost(f.net, f.X, f.Y);
                p->w.v[k] = keep;
                num[k] = (up - down) / (2 * EPS);
            }
            double d = 0, a = 0, b = 0;
            for (int k = 0; k < n; k++) {
                d += (g[k] - num[k]) * (g[k] - num[k]);
                a += g[k] * g[k];
                b += num[k] * num[k];
            }
            double rel = a + b > 0 ? sqrt(d) / (sqrt(a) + sqrt(b)) : 0;
            char name[16];
            nn_param_name(p, name, sizeof name);
            if (!(rel < 1e-7) && !(sqrt(a) < 1e-9 && sqrt(b) < 1e-9))
                fail_msg("dropout, hidden %s: %s rel err %g",
                         nn_act_names[HIDDEN[h]], name, rel);
            free(g);
            free(num);
        }
        fixture_free(&f);
    }
}

/* A doubled dW2 shows on W2 (relative error 1/3) and nowhere else. */
static void test_planted_bug(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_TANH, &OUTS[0], NN_REG_L2, 77);
    int p = nn_net_find_param(f.net, "dW2");
    assert_int_equal(p, 2);
    f.net->bug_param = p;
    f.net->bug_factor = 2;
    double worst = run_check(&f, "bug");
    assert_true(worst > 1e-3);
    for (int i = 0; i < f.net->n_params; i++) {
        if (i == p) {
            assert_string_equal(f.res[i].name, "W2");
            assert_true(f.res[i].rel_err > 1e-3);
            assert_close(f.res[i].rel_err, 1.0 / 3, 1e-6);
            assert_string_equal(nn_gradcheck_verdict(f.res[i].rel_err),
                                "wrong");
        } else {
            assert_true(f.res[i].rel_err < 1e-7);
        }
    }
    fixture_free(&f);
}

static void test_result_names_and_sampling(void **state)
{
    (void)state;
    fixture f;
    nn_err err = {{0}};
    fixture_make(&f, NN_ACT_RELU, &OUTS[0], NN_REG_NONE, 5);
    run_check(&f, "names");
    static const char *plain[] = { "W1", "b1", "W2", "b2", "W3", "b3" };
    static const int sizes[] = { 15, 5, 20, 4, 8, 2 };
    assert_int_equal(f.net->n_params, 6);
    for (int i = 0; i < 6; i++) {
        assert_string_equal(f.res[i].name, plain[i]);
        assert_int_equal(f.res[i].size, sizes[i]);
    }
    /* at most 4 entries per tensor, evenly spread */
    double worst = nn_gradcheck(f.net, f.X, f.Y, M, EPS, 4, f.res, &err);
    assert_true(worst >= 0 && worst < 1e-7);
    assert_int_equal(f.res[0].checked, 4);  /* 15: entries 0 4 8 12 */
    assert_int_equal(f.res[1].checked, 3);  /* 5: 0 2 4 */
    assert_int_equal(f.res[2].checked, 4);  /* 20: 0 5 10 15 */
    assert_int_equal(f.res[3].checked, 4);
    assert_int_equal(f.res[5].checked, 2);

    assert_int_equal(nn_net_set_bn(f.net, 1, 1, NULL), 0);
    assert_int_equal(nn_net_set_bn(f.net, 3, 1, NULL), 0);
    run_check(&f, "names bn");
    static const char *bn[] = { "W1", "gamma1", "beta1", "W2",
                                "b2", "W3", "gamma3", "beta3" };
    assert_int_equal(f.net->n_params, 8);
    for (int i = 0; i < 8; i++)
        assert_string_equal(f.res[i].name, bn[i]);
    fixture_free(&f);
}

/* Zero weights: some gradients are exactly zero both ways; rel err 0. */
static void test_zero_gradients(void **state)
{
    (void)state;
    const int sizes[] = { NIN, 4, 1 };
    nn_init_spec zeros = { NN_INIT_ZEROS, 0, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         &zeros, 1);
    double *X = tu_rand(M * NIN, 1, 2), *Y = tu_targets(M, 1, NN_LOSS_BCE,
                                                        NN_ACT_SIGMOID, 3);
    nn_gc_result res[4];
    double worst = nn_gradcheck(net, X, Y, M, EPS, 0, res, NULL);
    assert_true(worst >= 0 && worst < 1e-7);
    assert_true(res[0].grad_norm == 0 && res[0].num_norm == 0);
    assert_true(res[0].rel_err == 0);
    assert_true(res[3].grad_norm > 0); /* b2 still learns */
    nn_net_free(net);
    free(X);
    free(Y);
}

static void test_errors(void **state)
{
    (void)state;
    fixture f;
    nn_err err = {{0}};
    fixture_make(&f, NN_ACT_TANH, &OUTS[0], NN_REG_NONE, 6);
    assert_true(nn_gradcheck(f.net, f.X, f.Y, 0, EPS, 0, f.res, &err) < 0);
    assert_non_null(strstr(err.msg, "rows"));
    err.msg[0] = 0;
    assert_true(nn_gradcheck(f.net, f.X, f.Y, f.net->cap + 1, EPS, 0, f.res,
                             &err) < 0);
    assert_non_null(strstr(err.msg, "rows"));
    assert_true(nn_gradcheck(f.net, f.X, f.Y, M, 0, 0, f.res, &err) < 0);
    assert_non_null(strstr(err.msg, "eps"));
    assert_true(nn_gradcheck(f.net, f.X, f.Y, M, NAN, 0, f.res, NULL) < 0);
    f.net->loss = NN_LOSS_NONE;
    assert_true(nn_gradcheck(f.net, f.X, f.Y, M, EPS, 0, f.res, &err) < 0);
    assert_non_null(strstr(err.msg, "loss"));
    fixture_free(&f);
}

static void test_verdicts(void **state)
{
    (void)state;
    assert_string_equal(nn_gradcheck_verdict(0), "great");
    assert_string_equal(nn_gradcheck_verdict(5e-8), "great");
    assert_string_equal(nn_gradcheck_verdict(1e-7), "ok");
    assert_string_equal(nn_gradcheck_verdict(5e-6), "ok");
    assert_string_equal(nn_gradcheck_verdict(1e-4), "suspicious");
    assert_string_equal(nn_gradcheck_verdict(1e-3), "wrong");
    assert_string_equal(nn_gradcheck_verdict(INFINITY), "wrong");
}

/* ------------------------------------------------------------------ */
/* NaN, Inf and kinks                                                   */
/* ------------------------------------------------------------------ */

/* A NaN weight makes every cost NaN: the check cannot pass, whatever the
 * (vacuous) errors would say. */
static void test_nan_weight_fails(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_TANH, &OUTS[0], NN_REG_NONE, 41);
    f.net->L[0].W.w.v[0] = NAN;
    double worst = run_check(&f, "nan weight");
    assert_true(isinf(worst) && worst > 0);
    for (int i = 0; i < f.net->n_params; i++) {
        assert_true(f.res[i].nonfinite > 0);
        assert_true(isinf(f.res[i].rel_err));
        assert_string_equal(nn_gc_result_verdict(&f.res[i]), "NaN/Inf");
    }
    print_message("# a NaN in W1: largest relative error %g, every tensor "
                  "NaN/Inf\n", worst);
    fixture_free(&f);
}

/* A NaN only in backprop's gradient of one tensor (a planted bug of
 * factor NaN) fails the check on that tensor alone. */
static void test_nan_gradient_fails(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_TANH, &OUTS[0], NN_REG_NONE, 42);
    f.net->bug_param = nn_net_find_param(f.net, "dW2");
    f.net->bug_factor = NAN;
    double worst = run_check(&f, "nan gradient");
    assert_true(isinf(worst));
    for (int i = 0; i < f.net->n_params; i++) {
        int bad = i == f.net->bug_param;
        assert_int_equal(f.res[i].nonfinite > 0, bad);
        assert_int_equal(f.res[i].nonfinite, bad ? f.res[i].size : 0);
        if (!bad)
            assert_true(f.res[i].rel_err < 1e-7);
    }
    assert_string_equal(nn_gc_result_verdict(&f.res[f.net->bug_param]),
                        "NaN/Inf");
    fixture_free(&f);
}

/* The numerical derivative of entry k of tensor p, taken by hand. */
static double by_hand(fixture *f, nn_param *p, int k)
{
    double keep = p->w.v[k];
    p->w.v[k] = keep + EPS;
    nn_net_forward(f->net, f->X, M, 1, NULL);
    double up = nn_net_cost(f->net, f->Y, 1);
    p->w.v[k] = keep - EPS;
    nn_net_forward(f->net, f->X, M, 1, NULL);
    double down = nn_net_cost(f->net, f->Y, 1);
    p->w.v[k] = keep;
    return (up - down) / (2 * EPS);
}

/* A ReLU unit whose z is exactly 0 on every row (its weights and bias 0):
 * every entry of its row of W1 and its bias straddles the kink.  Those
 * are counted and left out; without the rule, the difference quotient of
 * its bias (half the slope of one side) against backprop's 0 would make
 * the relative error of db1 large. */
static void test_relu_kink(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_RELU, &OUTS[0], NN_REG_NONE, 43);
    nn_layer *l = &f.net->L[0];
    for (int j = 0; j < NIN; j++)
        l->W.w.v[j] = 0;    /* unit 0's row of W1 */
    l->b.w.v[0] = 0;
    double num = by_hand(&f, &l->b, 0);
    double worst = run_check(&f, "relu kink");
    assert_int_equal(f.res[0].kinks, NIN);  /* W1 row 0 */
    assert_int_equal(f.res[1].kinks, 1);    /* b1[0] */
    for (int i = 2; i < f.net->n_params; i++)
        assert_int_equal(f.res[i].kinks, 0);
    assert_true(worst < 1e-7);
    /* backprop gives relu'(0) = 0 for that bias; the quotient does not */
    assert_true(fabs(num) > 1e-3);
    print_message("# relu kink: %d + %d entries left out; db1[0]'s "
                  "quotient %.4g against backprop's 0 (alone, a relative "
                  "error of 1); largest error of the rest %.2e\n",
                  f.res[0].kinks, f.res[1].kinks, num, worst);
    fixture_free(&f);
}

/* Two maxout pieces of one unit made equal: perturbing either changes
 * which one is the largest on some row. */
static void test_maxout_kink(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_MAXOUT, &OUTS[1], NN_REG_NONE, 44);
    nn_layer *l = &f.net->L[0];
    int k = l->pieces;
    assert_true(k == 2);
    for (int j = 0; j < NIN; j++)   /* piece 1 of unit 0 = piece 0 */
        l->W.w.v[1 * NIN + j] = l->W.w.v[j];
    l->b.w.v[1] = l->b.w.v[0];
    double worst = run_check(&f, "maxout kink");
    assert_true(f.res[0].kinks > 0 && f.res[1].kinks > 0);
    assert_true(worst < 1e-7);
    print_message("# maxout tie: %d entries of W1 and %d of b1 at kinks\n",
                  f.res[0].kinks, f.res[1].kinks);
    fixture_free(&f);
}

/* Smooth activations have no kinks to report. */
static void test_no_kinks_when_smooth(void **state)
{
    (void)state;
    static const nn_act smooth[] = { NN_ACT_TANH, NN_ACT_SIGMOID,
                                     NN_ACT_GELU, NN_ACT_ELU };
    for (size_t a = 0; a < sizeof smooth / sizeof *smooth; a++) {
        fixture f;
        fixture_make(&f, smooth[a], &OUTS[1], NN_REG_L2, 45 + a);
        nn_layer *l = &f.net->L[0];
        for (int j = 0; j < NIN; j++)
            l->W.w.v[j] = 0;
        l->b.w.v[0] = 0;   /* z = 0 is no kink for these */
        run_check(&f, nn_act_names[smooth[a]]);
        for (int i = 0; i < f.net->n_params; i++)
            assert_int_equal(f.res[i].kinks, 0);
        fixture_free(&f);
    }
}

/* A weight under L1 closer to 0 than eps: |w| has its kink between the
 * two evaluations. */
static void test_l1_kink(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, NN_ACT_TANH, &OUTS[0], NN_REG_L1, 46);
    f.net->L[0].W.w.v[0] = EPS / 4;
    double worst = run_check(&f, "l1 kink");
    assert_int_equal(f.res[0].kinks, 1);
    assert_true(worst < 1e-7);
    fixture_free(&f);
}

static void test_result_verdicts(void **state)
{
    (void)state;
    nn_gc_result r = { .rel_err = 2e-6, .checked = 5, .size = 5 };
    assert_string_equal(nn_gc_result_verdict(&r), "ok");
    r.kinks = 5;
    assert_string_equal(nn_gc_result_verdict(&r), "kinks only");
    r.kinks = 2;
    assert_string_equal(nn_gc_result_verdict(&r), "ok");
    r.nonfinite = 1;
    assert_string_equal(nn_gc_result_verdict(&r), "NaN/Inf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_activation_loss_reg),
        cmocka_unit_test(test_batch_norm),
        cmocka_unit_test(test_mae_huber),
        cmocka_unit_test(test_prelu_slopes),
        cmocka_unit_test(test_maxout_shapes),
        cmocka_unit_test(test_leaves_net_unchanged),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_dropout_is_off),
        cmocka_unit_test(test_dropout_backward_fixed_mask),
        cmocka_unit_test(test_planted_bug),
        cmocka_unit_test(test_result_names_and_sampling),
        cmocka_unit_test(test_zero_gradients),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_nan_weight_fails),
        cmocka_unit_test(test_nan_gradient_fails),
        cmocka_unit_test(test_relu_kink),
        cmocka_unit_test(test_maxout_kink),
        cmocka_unit_test(test_no_kinks_when_smooth),
        cmocka_unit_test(test_l1_kink),
        cmocka_unit_test(test_result_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
