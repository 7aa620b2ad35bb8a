/*
 * test_init.c — weight initialization (engine/init.c): each scheme's
 * variance within 5% of its target on 500x500 matrices, fan-in and fan-out
 * read the right way round, orthogonal rows, the trivial schemes, and the
 * seeding promises (same seed same weights, per-layer streams, dropout
 * never moving the initial weights).  A maxout layer counts its units,
 * not its pieces, as fan-out; PReLU slopes start at the layer's parameter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* Mean and variance of a rows x cols matrix drawn with spec. */
static void draw(int rows, int cols, nn_init_kind kind, double arg,
                 double gain, double *mean, double *var)
{
    nn_mat w;
    nn_rng r;
    nn_init_spec spec = { kind, arg, gain };
    assert_int_equal(nn_mat_alloc(&w, rows, cols), 0);
    nn_rng_seed(&r, 123, NN_STREAM_INIT, 1);
    nn_init_matrix(&w, &spec, &r);
    nn_mean_var(w.v, rows * cols, mean, var);
    nn_mat_free(&w);
}

static void expect_var(int rows, int cols, nn_init_kind kind, double arg,
                       double gain, double want)
{
    double mean, var;
    draw(rows, cols, kind, arg, gain, &mean, &var);
    if (!(fabs(var - want) <= 0.05 * want))
        fail_msg("%s %dx%d: variance %g, want %g", nn_init_names[kind], rows,
                 cols, var, want);
    assert_true(fabs(mean) < 0.05 * sqrt(want));
}

static void test_variances(void **state)
{
    (void)state;
    const int n = 500;
    expect_var(n, n, NN_INIT_NORMAL, 0.3, 1, 0.09);
    expect_var(n, n, NN_INIT_UNIFORM, 0.5, 1, 0.25 / 3);
    expect_var(n, n, NN_INIT_XAVIER, 0, 1, 2.0 / (n + n));
    expect_var(n, n, NN_INIT_XAVIER_NORMAL, 0, 1, 2.0 / (n + n));
    expect_var(n, n, NN_INIT_HE, 0, 1, 2.0 / n);
    expect_var(n, n, NN_INIT_HE_UNIFORM, 0, 1, 2.0 / n);
    expect_var(n, n, NN_INIT_LECUN, 0, 1, 1.0 / n);
    expect_var(n, n, NN_INIT_ORTHOGONAL, 0, 1, 1.0 / n);
    /* gain multiplies the scale, so the variance by gain² */
    expect_var(n, n, NN_INIT_HE, 0, 2, 4 * 2.0 / n);
    expect_var(n, n, NN_INIT_NORMAL, 0.3, 0.5, 0.25 * 0.09);
}

/* W is (out, in): fan-in is the column count, fan-out the row count. */
static void test_fans(void **state)
{
    (void)state;
    const int out = 250, in = 1000;
    expect_var(out, in, NN_INIT_HE, 0, 1, 2.0 / in);
    expect_var(out, in, NN_INIT_HE_UNIFORM, 0, 1, 2.0 / in);
    expect_var(out, in, NN_INIT_LECUN, 0, 1, 1.0 / in);
    expect_var(out, in, NN_INIT_XAVIER, 0, 1, 2.0 / (in + out));
    expect_var(out, in, NN_INIT_XAVIER_NORMAL, 0, 1, 2.0 / (in + out));
    /* uniform schemes stay inside their bound */
    nn_mat w;
    nn_rng r;
    nn_init_spec spec = { NN_INIT_HE_UNIFORM, 0, 1 };
    assert_int_equal(nn_mat_alloc(&w, out, in), 0);
    nn_rng_seed(&r, 1, NN_STREAM_INIT, 1);
    nn_init_matrix(&w, &spec, &r);
    for (int i = 0; i < out * in; i++)
        assert_true(fabs(w.v[i]) <= sqrt(6.0 / in));
    nn_mat_free(&w);
}

/* Orthonormal rows when wide or square (W·Wᵀ = I), columns when tall. */
static void check_orthogonal(int rows, int cols, double gain)
{
    nn_mat w;
    nn_rng r;
    nn_init_spec spec = { NN_INIT_ORTHOGONAL, 0, gain };
    assert_int_equal(nn_mat_alloc(&w, rows, cols), 0);
    nn_rng_seed(&r, 5, NN_STREAM_INIT, 1);
    nn_init_matrix(&w, &spec, &r);
    int tall = rows > cols, n = tall ? cols : rows;
    double *P = malloc((size_t)n * n * sizeof *P), worst = 0;
    assert_non_null(P);
    if (tall) /* P = WᵀW */
        nn_gemm(1, 0, n, n, rows, 1.0, w.v, cols, w.v, cols, 0.0, P, n);
    else      /* P = W·Wᵀ */
        nn_gemm(0, 1, n, n, cols, 1.0, w.v, cols, w.v, cols, 0.0, P, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double d = fabs(P[i * n + j] - (i == j ? gain * gain : 0));
            worst = d > worst ? d : worst;
        }
    if (!(worst < 1e-10))
        fail_msg("orthogonal %dx%d: max |P - I| = %g", rows, cols, worst);
    free(P);
    nn_mat_free(&w);
}

static void test_orthogonal(void **state)
{
    (void)state;
    check_orthogonal(500, 500, 1);
    check_orthogonal(20, 50, 1);
    check_orthogonal(50, 20, 1);
    check_orthogonal(7, 7, 1.5);
    check_orthogonal(1, 9, 1);
}

static void test_zeros_and_const(void **state)
{
    (void)state;
    nn_mat w;
    nn_rng r;
    nn_rng_seed(&r, 1, NN_STREAM_INIT, 1);
    assert_int_equal(nn_mat_alloc(&w, 5, 7), 0);
    for (int i = 0; i < 35; i++)
        w.v[i] = 3;
    nn_init_spec zeros = { NN_INIT_ZEROS, 0, 1 };
    nn_init_matrix(&w, &zeros, &r);
    for (int i = 0; i < 35; i++)
        assert_true(w.v[i] == 0);
    nn_init_spec c = { NN_INIT_CONST, 0.25, 2 };
    nn_init_matrix(&w, &c, &r);
    for (int i = 0; i < 35; i++)
        assert_true(w.v[i] == 0.5);
    nn_mat_free(&w);
    assert_string_equal(nn_init_names[NN_INIT_HE_UNIFORM], "he-uniform");
    assert_null(nn_init_names[NN_INIT_COUNT]);
}

static nn_net *net_with(const int *sizes, int n, uint64_t seed)
{
    return tu_net(sizes, n, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL,
                  seed);
}

static void test_seeding(void **state)
{
    (void)state;
    const int s1[] = { 3, 5, 4, 2 }, s2[] = { 3, 5, 9, 2 };
    nn_net *a = net_with(s1, 4, 42), *b = net_with(s1, 4, 42);
    nn_net *c = net_with(s1, 4, 43), *d = net_with(s2, 4, 42);
    assert_true(tu_same_weights(a, b));
    assert_memory_not_equal(a->L[0].W.w.v, c->L[0].W.w.v, 15 * sizeof(double));
    /* layers draw from their own streams: another layer's size does not
     * change layer 1 */
    assert_memory_equal(a->L[0].W.w.v, d->L[0].W.w.v, 15 * sizeof(double));
    /* initial state: b 0, gamma 1, beta 0, running (0, 1), moments 0 */
    for (int i = 0; i < a->n_layers; i++)
        for (int j = 0; j < a->L[i].out; j++) {
            const nn_layer *l = &a->L[i];
            assert_true(l->b.w.v[j] == 0 && l->gamma.w.v[j] == 1 &&
                        l->beta.w.v[j] == 0 && l->run_mean.v[j] == 0 &&
                        l->run_var.v[j] == 1);
        }
    /* re-initializing layer 2 alone gives what a full init gives it and
     * leaves the others (their moments are reset) */
    tu_perturb_vectors(c, 1);
    nn_net *c0 = nn_net_clone(c, NULL);
    for (int i = 0; i < c->n_params; i++) {
        c->params[i]->v.v[0] = 1;
        c->params[i]->s.v[0] = 1;
    }
    nn_net_init(c, 42, 2);
    assert_memory_equal(c->L[1].W.w.v, a->L[1].W.w.v, 20 * sizeof(double));
    assert_memory_equal(c->L[0].W.w.v, c0->L[0].W.w.v, 15 * sizeof(double));
    assert_memory_equal(c->L[0].b.w.v, c0->L[0].b.w.v, 5 * sizeof(double));
    assert_memory_equal(c->L[2].W.w.v, c0->L[2].W.w.v, 8 * sizeof(double));
    for (int i = 0; i < c->n_params; i++)
        assert_true(c->params[i]->v.v[0] == 0 && c->params[i]->s.v[0] == 0);
    nn_net_free(a);
    nn_net_free(b);
    nn_net_free(c);
    nn_net_free(c0);
    nn_net_free(d);
}

/* Switching dropout on (and even training with it) never changes what the
 * init stream gives. */
static void test_dropout_separate_stream(void **state)
{
    (void)state;
    const int s[] = { 3, 8, 8, 2 };
    nn_net *a = net_with(s, 4, 7), *b = net_with(s, 4, 7);
    b->L[0].keep = 0.5;
    b->L[1].keep = 0.5;
    nn_rng drop;
    nn_rng_seed(&drop, 7, NN_STREAM_DROPOUT, 0);
    double *X = tu_rand(10 * 3, 1, 1);
    nn_net_forward(b, X, 10, 1, &drop);
    nn_net_init(b, 7, 0);
    assert_true(tu_same_weights(a, b));
    free(X);
    nn_net_free(a);
    nn_net_free(b);
}


/* A maxout:4 layer of 100 units on 300 inputs has a 400 x 300 W, drawn
 * with fan-in 300 and fan-out 100 (the units): Xavier's variance is
 * 2/(300 + 100), not 2/(300 + 400); He's 2/300 whatever the pieces.  Its
 * PReLU neighbour's slopes start at 0.1. */
static void test_maxout_fans_and_slopes(void **state)
{
    (void)state;
    const int sizes[] = { 300, 100, 50, 1 };
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, 4, NN_ACT_MAXOUT, 4, NN_ACT_SIGMOID, 0,
                             NN_LOSS_BCE, &err);
    assert_non_null(net);
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_PRELU, 0.1, 1, &err), 0);
    const nn_init_kind kinds[] = { NN_INIT_XAVIER_NORMAL, NN_INIT_HE };
    const double want[] = { 2.0 / 400, 2.0 / 300 };
    for (int k = 0; k < 2; k++) {
        net->L[0].init = (nn_init_spec){ kinds[k], 0, 1 };
        nn_net_init(net, 3, 0);
        double mean, var;
        assert_int_equal(net->L[0].W.w.rows, 400);
        nn_mean_var(net->L[0].W.w.v, 400 * 300, &mean, &var);
        if (!(fabs(var - want[k]) <= 0.05 * want[k]))
            fail_msg("maxout %s: variance %g, want %g",
                     nn_init_names[kinds[k]], var, want[k]);
    }
    for (int j = 0; j < 50; j++)
        assert_true(net->L[1].alpha.w.v[j] == 0.1);
    net->L[1].alpha.w.v[3] = 7; /* learned, then re-initialized */
    nn_net_init(net, 3, 2);
    assert_true(net->L[1].alpha.w.v[3] == 0.1);
    nn_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variances),
        cmocka_unit_test(test_fans),
        cmocka_unit_test(test_orthogonal),
        cmocka_unit_test(test_zeros_and_const),
        cmocka_unit_test(test_seeding),
        cmocka_unit_test(test_dropout_separate_stream),
        cmocka_unit_test(test_maxout_fans_and_slopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
