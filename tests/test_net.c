/*
 * test_net.c — networks (engine/net.c, engine/pass.c): construction and
 * its errors, parameter names, a forward pass checked by hand, the
 * penalties, inverted dropout, batch norm in training and evaluation, and
 * changing the architecture (insert, delete, batch norm on/off, clone)
 * without disturbing the other layers.  PReLU and maxout layers: their
 * shapes (a slope per unit; a row of W per piece), forward passes worked
 * by hand, nn_net_set_act between every kind of activation with its
 * refusals, and insert, delete and clone with them; elastic net's penalty
 * by hand; the loss and penalty setters; a pass again with the same
 * dropout masks, each unit's value before dropout, and when the network
 * holds gradients.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static nn_net *net_3542(uint64_t seed)
{
    const int sizes[] = { 3, 5, 4, 2 };
    nn_net *net = tu_net(sizes, 4, NN_ACT_TANH, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, seed);
    tu_perturb_vectors(net, seed);
    return net;
}

static int mat_equal(const nn_mat *a, const nn_mat *b)
{
    return a->rows == b->rows && a->cols == b->cols &&
           !memcmp(a->v, b->v, (size_t)nn_mat_size(a) * sizeof(double));
}

static void check_names(const nn_net *net, const char *const *want, int n)
{
    char buf[32];
    assert_int_equal(net->n_params, n);
    for (int i = 0; i < n; i++) {
        nn_param_name(net->params[i], buf, sizeof buf);
        assert_string_equal(buf, want[i]);
    }
}

/* Shapes chain: layer i takes what layer i-1 gives; caches hold cap rows;
 * a maxout layer has a row of W (and a column of b, γ, β, Z) per piece. */
static void check_shapes(const nn_net *net)
{
    int in = net->n_in;
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        int k = l->act == NN_ACT_MAXOUT ? (int)l->act_arg : 1;
        assert_int_equal(l->pieces, k);
        assert_int_equal(l->in, in);
        assert_int_equal(l->W.w.rows, k * l->out);
        assert_int_equal(l->W.w.cols, in);
        assert_int_equal(l->W.g.rows, k * l->out);
        assert_int_equal(l->W.s.rows, k * l->out);
        assert_int_equal(l->b.w.cols, k * l->out);
        assert_int_equal(l->gamma.w.cols, k * l->out);
        assert_int_equal(l->run_var.cols, k * l->out);
        assert_int_equal(l->bn_ivar.cols, k * l->out);
        assert_int_equal(l->alpha.w.cols, l->out);
        assert_int_equal(l->Z.cols, k * l->out);
        assert_int_equal(l->dZ.cols, k * l->out);
        assert_int_equal(l->A.rows, net->cap);
        assert_int_equal(l->A.cols, l->out);
        assert_int_equal(l->mask.cols, l->out);
        assert_int_equal(l->dZ.rows, net->cap);
        in = l->out;
    }
}

/* A forward and backward pass over cap rows runs (ASan sees the rest). */
static void exercise(nn_net *net)
{
    int m = net->cap, k = nn_net_outputs(net);
    double *X = tu_rand(m * net->n_in, 1, 4);
    double *Y = tu_targets(m, k, net->loss, nn_net_last(net)->act, 5);
    const double *out = nn_net_forward(net, X, m, 1, NULL);
    for (int i = 0; i < m * k; i++)
        assert_true(isfinite(out[i]));
    assert_true(isfinite(nn_net_cost(net, Y, 1)));
    nn_net_backward(net, X, Y);
    free(X);
    free(Y);
}

static void test_new_errors(void **state)
{
    (void)state;
    nn_err err = {{0}};
    const int one[] = { 3 }, zero[] = { 3, 0, 1 }, big[] = { 3, 100001, 1 };
    const int ok[] = { 3, 4, 2 };
    assert_null(nn_net_new(one, 1, NN_ACT_RELU, 0, NN_ACT_SIGMOID, 0,
                           NN_LOSS_BCE, &err));
    assert_non_null(strstr(err.msg, "at least"));
    assert_null(nn_net_new(zero, 3, NN_ACT_RELU, 0, NN_ACT_SIGMOID, 0,
                           NN_LOSS_BCE, &err));
    assert_non_null(strstr(err.msg, "got 0"));
    assert_null(nn_net_new(big, 3, NN_ACT_RELU, 0, NN_ACT_SIGMOID, 0,
                           NN_LOSS_BCE, &err));
    assert_non_null(strstr(err.msg, "100001"));
    assert_null(nn_net_new(ok, 3, NN_ACT_RELU, 0, NN_ACT_SOFTMAX, 0,
                           NN_LOSS_BCE, &err));
    assert_non_null(strstr(err.msg, "sigmoid"));
    assert_null(nn_net_new(ok, 3, NN_ACT_RELU, 0, NN_ACT_SIGMOID, 0,
                           NN_LOSS_XENT, NULL)); /* err may be NULL */
    nn_net_free(NULL);
}

static void test_params_and_names(void **state)
{
    (void)state;
    nn_net *net = net_3542(1);
    static const char *const plain[] = { "W1", "b1", "W2", "b2", "W3", "b3" };
    check_names(net, plain, 6);
    check_shapes(net);
    assert_int_equal(nn_net_param_count(net), 15 + 5 + 20 + 4 + 8 + 2);
    assert_int_equal(nn_net_outputs(net), 2);
    assert_int_equal(nn_net_find_param(net, "W1"), 0);
    assert_int_equal(nn_net_find_param(net, "dW2"), 2);
    assert_int_equal(nn_net_find_param(net, "db3"), 5);
    assert_int_equal(nn_net_find_param(net, "gamma1"), -1);
    assert_int_equal(nn_net_find_param(net, "W4"), -1);
    assert_int_equal(nn_net_find_param(net, "d"), -1);
    assert_int_equal(nn_net_find_param(net, ""), -1);
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    static const char *const bn[] = { "W1", "gamma1", "beta1", "W2",
                                      "b2", "W3",     "b3" };
    check_names(net, bn, 7);
    assert_int_equal(nn_net_find_param(net, "gamma1"), 1);
    assert_int_equal(nn_net_find_param(net, "dbeta1"), 2);
    assert_int_equal(nn_net_find_param(net, "b1"), -1);
    assert_int_equal(nn_net_param_count(net), 15 + 10 + 20 + 4 + 8 + 2);
    nn_net_free(net);
}

/* 2-2-1, tanh then sigmoid, worked by hand. */
static void test_forward_by_hand(void **state)
{
    (void)state;
    const int sizes[] = { 2, 2, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    const double W1[] = { 0.5, -1, 2, 0.25 }, b1[] = { 0.1, -0.2 };
    const double W2[] = { 1.5, -0.5 }, b2[] = { 0.3 };
    memcpy(net->L[0].W.w.v, W1, sizeof W1);
    memcpy(net->L[0].b.w.v, b1, sizeof b1);
    memcpy(net->L[1].W.w.v, W2, sizeof W2);
    memcpy(net->L[1].b.w.v, b2, sizeof b2);
    const double X[] = { 1, 2, -1, 0.5 }, Y[] = { 1, 0 };
    const double *out = nn_net_forward(net, X, 2, 0, NULL);
    for (int r = 0; r < 2; r++) {
        double x0 = X[2 * r], x1 = X[2 * r + 1];
        double h0 = tanh(0.5 * x0 - 1 * x1 + 0.1);
        double h1 = tanh(2 * x0 + 0.25 * x1 - 0.2);
        double z = 1.5 * h0 - 0.5 * h1 + 0.3;
        assert_close(out[r], 1 / (1 + exp(-z)), 1e-15);
        assert_close(net->L[1].Z.v[r], z, 1e-15);
    }
    assert_int_equal(net->rows, 2);
    double c = -(log(out[0]) + log(1 - out[1])) / 2;
    assert_close(nn_net_cost(net, Y, 1), c, 1e-15);
    /* penalties: L2 λ/(2m)·ΣW², L1 λ/m·Σ|W|; biases are not penalized */
    double sq = 0.25 + 1 + 4 + 0.0625 + 2.25 + 0.25, ab = 0.5 + 1 + 2 +
                                                          0.25 + 1.5 + 0.5;
    net->reg = NN_REG_L2;
    net->lambda = 0.4;
    assert_close(nn_net_penalty(net, 2), 0.4 / 4 * sq, 1e-15);
    assert_close(nn_net_cost(net, Y, 1), c + 0.4 / 4 * sq, 1e-15);
    assert_close(nn_net_cost(net, Y, 0), c, 1e-15);
    net->reg = NN_REG_L1;
    assert_close(nn_net_penalty(net, 2), 0.4 / 2 * ab, 1e-15);
    assert_true(nn_net_penalty(net, 0) == 0);
    nn_net_free(net);
}

/* Inverted dropout: about 1 − keep of the units zeroed, the mean kept,
 * nothing in evaluation, never on the output layer. */
static void test_dropout(void **state)
{
    (void)state;
    const int sizes[] = { 10, 1000, 3 };
    enum { R = 200 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_SIGMOID, NN_ACT_SIGMOID,
                         NN_LOSS_BCE, NULL, 3);
    assert_int_equal(nn_net_reserve(net, R, NULL), 0);
    double *X = tu_rand(R * 10, 1, 8);
    const double keeps[] = { 0.8, 0.5, 0.2 };
    nn_layer *h = &net->L[0];
    size_t n = (size_t)R * 1000;
    double *plain = malloc(n * sizeof *plain);
    assert_non_null(plain);
    nn_net_forward(net, X, R, 1, NULL); /* reference without dropout */
    memcpy(plain, h->A.v, n * sizeof *plain);
    double plain_mean = 0;
    for (size_t k = 0; k < n; k++)
        plain_mean += plain[k] / n;
    for (int t = 0; t < 3; t++) {
        nn_rng drop;
        nn_rng_seed(&drop, 5, NN_STREAM_DROPOUT, 0);
        h->keep = keeps[t];
        net->L[1].keep = 0.5; /* ignored: the output layer is never dropped */
        nn_net_forward(net, X, R, 1, &drop);
        assert_true(h->mask_on);
        assert_false(net->L[1].mask_on);
        size_t zeros = 0;
        double mean = 0;
        for (size_t k = 0; k < n; k++) {
            zeros += h->A.v[k] == 0;
            mean += h->A.v[k] / n;
            /* kept units are scaled by 1/keep */
            if (h->A.v[k] != 0)
                assert_close(h->A.v[k], plain[k] / keeps[t], 1e-15);
        }
        assert_close((double)zeros / n, 1 - keeps[t], 0.02);
        assert_close(mean, plain_mean, 0.01 * plain_mean);
        /* evaluation, or training without a dropout stream: identity */
        nn_net_forward(net, X, R, 0, &drop);
        assert_false(h->mask_on);
        assert_memory_equal(h->A.v, plain, n * sizeof *plain);
        nn_net_forward(net, X, R, 1, NULL);
        assert_false(h->mask_on);
        assert_memory_equal(h->A.v, plain, n * sizeof *plain);
    }
    free(plain);
    free(X);
    nn_net_free(net);
}

/* Batch norm in training: per unit mean β and std γ (0 and 1 at first);
 * the running statistics move by (1 − momentum); evaluation uses them. */
static void test_batch_norm(void **state)
{
    (void)state;
    const int sizes[] = { 4, 6, 2 };
    enum { R = 50 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_LINEAR, NN_ACT_LINEAR, NN_LOSS_MSE,
                         NULL, 2);
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    double *X = tu_rand(R * 4, 3.0, 9);
    nn_layer *l = &net->L[0];
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (int j = 0; j < 6; j++) {
                l->gamma.w.v[j] = 0.5 + j;
                l->beta.w.v[j] = -1.0 + 0.3 * j;
            }
        nn_net_forward(net, X, R, 1, NULL);
        for (int j = 0; j < 6; j++) {
            double mean = 0, var = 0, umean = 0, uvar = 0;
            for (int i = 0; i < R; i++) {
                mean += l->Z.v[i * 6 + j] / R;
                umean += l->U.v[i * 6 + j] / R;
            }
            for (int i = 0; i < R; i++) {
                double d = l->Z.v[i * 6 + j] - mean;
                double e = l->U.v[i * 6 + j] - umean;
                var += d * d / R;
                uvar += e * e / R;
            }
            double g = pass ? 0.5 + j : 1, b = pass ? -1.0 + 0.3 * j : 0;
            assert_close(mean, b, 1e-12);
            /* std is γ·√(var/(var+eps)) exactly */
            assert_close(sqrt(var), g * sqrt(uvar / (uvar + net->bn_eps)),
                         1e-12);
            assert_close(sqrt(var), g, 1e-4 * g);
            /* running statistics: r = 0.9·r + 0.1·batch, from (0, 1) */
            double want_mean = 0, want_var = 1;
            for (int p = 0; p <= pass; p++) {
                want_mean = 0.9 * want_mean + 0.1 * umean;
                want_var = 0.9 * want_var + 0.1 * uvar;
            }
            assert_close(l->run_mean.v[j], want_mean, 1e-12);
            assert_close(l->run_var.v[j], want_var, 1e-12);
        }
    }
    /* evaluation: (U − running mean)/√(running var + eps)·γ + β, and the
     * running statistics stay put */
    for (int j = 0; j < 6; j++) {
        l->run_mean.v[j] = 0.1 * j;
        l->run_var.v[j] = 2.0 + j;
    }
    nn_net_forward(net, X, R, 0, NULL);
    for (int i = 0; i < R; i++)
        for (int j = 0; j < 6; j++) {
            double u = l->U.v[i * 6 + j];
            double z = (0.5 + j) * (u - 0.1 * j) / sqrt(2.0 + j + net->bn_eps)
                       + (-1.0 + 0.3 * j);
            assert_close(l->Z.v[i * 6 + j], z, 1e-12);
        }
    for (int j = 0; j < 6; j++)
        assert_true(l->run_mean.v[j] == 0.1 * j &&
                    l->run_var.v[j] == 2.0 + j);
    /* b is not used by a batch norm layer */
    double before = l->Z.v[0];
    l->b.w.v[0] = 100;
    nn_net_forward(net, X, R, 0, NULL);
    assert_true(l->Z.v[0] == before);
    free(X);
    nn_net_free(net);
}

/* Evaluation in chunks (nn_net_forward_eval, what `forward` runs so that
 * Ctrl-C can stop it) leaves every cache as one pass over all the rows:
 * batch norm on running statistics, maxout and PReLU layers, a chunk that
 * does not divide the rows.  With the cancel flag set it stops before the
 * first chunk, saying how far it got. */
static void test_forward_eval_chunks(void **state)
{
    (void)state;
    const int sizes[] = { 5, 7, 6, 3 };
    enum { R = 103 };
    nn_net *a = tu_net(sizes, 4, NN_ACT_TANH, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                       NULL, 3);
    assert_int_equal(nn_net_set_bn(a, 1, 1, NULL), 0);
    assert_int_equal(nn_net_set_act(a, 2, NN_ACT_MAXOUT, 2, 3, NULL), 0);
    assert_int_equal(nn_net_reserve(a, R, NULL), 0);
    tu_perturb_vectors(a, 3);
    for (int j = 0; j < 7; j++) {
        a->L[0].run_mean.v[j] = 0.1 * j;
        a->L[0].run_var.v[j] = 1.5 + j;
    }
    nn_net *b = nn_net_clone(a, NULL);
    assert_non_null(b);
    assert_int_equal(nn_net_reserve(b, R, NULL), 0);
    double *X = tu_rand(R * 5, 2.0, 8);
    nn_net_forward(a, X, R, 0, NULL);
    assert_int_equal(nn_net_forward_eval(b, X, R, 10, NULL), 0);
    assert_int_equal(b->rows, R);
    double worst = 0;
    for (int i = 0; i < a->n_layers; i++) {
        const nn_layer *la = &a->L[i], *lb = &b->L[i];
        for (int k = 0; k < R * la->out; k++)
            worst = fmax(worst, fabs(la->A.v[k] - lb->A.v[k]));
        for (int k = 0; k < R * nn_layer_zcols(la); k++)
            worst = fmax(worst, fabs(la->Z.v[k] - lb->Z.v[k]));
        assert_false(lb->mask_on);
    }
    print_message("forward_eval in chunks of 10: largest difference %g\n",
                  worst);
    assert_true(worst <= 1e-13);

    volatile sig_atomic_t flag = 1;
    nn_err err;
    nn_set_cancel(&flag);
    assert_int_equal(nn_net_forward_eval(b, X, R, 10, &err), -1);
    nn_set_cancel(NULL);
    assert_string_equal(err.msg, "interrupted after 0 of 103 examples");
    assert_int_equal(b->rows, 0);
    free(X);
    nn_net_free(a);
    nn_net_free(b);
}

static void test_insert(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_net *net = net_3542(4), *orig = nn_net_clone(net, NULL);
    assert_non_null(orig);
    net->L[1].keep = 0.7;
    assert_int_equal(nn_net_set_bn(net, 2, 1, NULL), 0);
    /* 3-5-4-2 → 3-5-6-4-2: layer 3 (old 2) reshaped, 1 and 4 kept */
    assert_int_equal(nn_net_insert(net, 2, 6, NN_ACT_RELU, 0, 11, &err), 0);
    assert_int_equal(net->n_layers, 4);
    check_shapes(net);
    assert_int_equal(net->L[1].out, 6);
    assert_int_equal(net->L[1].act, NN_ACT_RELU);
    assert_int_equal(net->L[2].in, 6);
    assert_int_equal(net->L[2].act, NN_ACT_TANH);
    assert_true(net->L[2].keep == 0.7 && net->L[2].bn == 1);
    assert_true(mat_equal(&net->L[0].W.w, &orig->L[0].W.w));
    assert_true(mat_equal(&net->L[0].b.w, &orig->L[0].b.w));
    assert_true(mat_equal(&net->L[3].W.w, &orig->L[2].W.w));
    assert_true(mat_equal(&net->L[3].b.w, &orig->L[2].b.w));
    static const char *const names[] = { "W1", "b1", "W2", "b2", "W3",
                                         "gamma3", "beta3", "W4", "b4" };
    check_names(net, names, 9);
    exercise(net);
    /* at the front: 3-7-5-6-4-2 */
    assert_int_equal(nn_net_insert(net, 1, 7, NN_ACT_ELU, 1, 11, &err), 0);
    check_shapes(net);
    assert_int_equal(net->L[1].in, 7);
    assert_true(mat_equal(&net->L[4].W.w, &orig->L[2].W.w));
    exercise(net);
    /* errors change nothing */
    nn_net *before = nn_net_clone(net, NULL);
    assert_int_equal(nn_net_insert(net, 0, 3, NN_ACT_RELU, 0, 1, &err), -1);
    assert_non_null(strstr(err.msg, "position"));
    assert_int_equal(nn_net_insert(net, 6, 3, NN_ACT_RELU, 0, 1, &err), -1);
    assert_int_equal(nn_net_insert(net, 1, 0, NN_ACT_RELU, 0, 1, &err), -1);
    assert_non_null(strstr(err.msg, "units"));
    assert_int_equal(nn_net_insert(net, 1, 3, NN_ACT_SOFTMAX, 0, 1, &err), -1);
    assert_non_null(strstr(err.msg, "softmax"));
    assert_int_equal(net->n_layers, 5);
    assert_true(tu_same_weights(net, before));
    nn_net_free(before);
    nn_net_free(orig);
    nn_net_free(net);
}

static void test_delete(void **state)
{
    (void)state;
    nn_err err = {{0}};
    const int sizes[] = { 3, 5, 4, 6, 2 };
    nn_net *net = tu_net(sizes, 5, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 6);
    assert_int_equal(nn_net_reserve(net, 100, NULL), 0);
    nn_net *orig = nn_net_clone(net, NULL);
    /* delete layer 2 (4 units): 3-5-6-2, layer 3 reshaped to 6x5 */
    assert_int_equal(nn_net_delete(net, 2, 3, &err), 0);
    assert_int_equal(net->n_layers, 3);
    assert_int_equal(net->cap, 100);
    check_shapes(net);
    assert_int_equal(net->L[1].W.w.rows, 6);
    assert_int_equal(net->L[1].W.w.cols, 5);
    assert_true(mat_equal(&net->L[0].W.w, &orig->L[0].W.w));
    assert_true(mat_equal(&net->L[2].W.w, &orig->L[3].W.w));
    static const char *const names[] = { "W1", "b1", "W2", "b2", "W3", "b3" };
    check_names(net, names, 6);
    exercise(net);
    /* delete layer 1: 3-6-2 */
    assert_int_equal(nn_net_delete(net, 1, 3, &err), 0);
    check_shapes(net);
    assert_true(mat_equal(&net->L[1].W.w, &orig->L[3].W.w));
    exercise(net);
    /* the output layer cannot go, nor can an only layer */
    assert_int_equal(nn_net_delete(net, 2, 3, &err), -1);
    assert_non_null(strstr(err.msg, "hidden"));
    assert_int_equal(nn_net_delete(net, 0, 3, &err), -1);
    assert_int_equal(nn_net_delete(net, 1, 3, &err), 0);
    assert_int_equal(net->n_layers, 1);
    check_shapes(net);
    exercise(net);
    assert_int_equal(nn_net_delete(net, 1, 3, &err), -1);
    assert_non_null(strstr(err.msg, "only"));
    nn_net_free(orig);
    nn_net_free(net);
}

static void test_set_bn(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_net *net = net_3542(7), *orig = nn_net_clone(net, NULL);
    assert_int_equal(nn_net_set_bn(net, 2, 1, &err), 0);
    assert_int_equal(net->n_params, 7);
    check_shapes(net);
    assert_true(tu_same_weights(net, orig)); /* nothing re-initialized */
    exercise(net);
    assert_int_equal(nn_net_set_bn(net, 2, 0, &err), 0);
    assert_int_equal(net->n_params, 6);
    assert_int_equal(nn_net_set_bn(net, 0, 1, &err), -1);
    assert_non_null(strstr(err.msg, "1..3"));
    assert_int_equal(nn_net_set_bn(net, 4, 1, &err), -1);
    net->bug_param = 2;
    assert_int_equal(nn_net_set_bn(net, 1, 1, &err), 0);
    assert_int_equal(net->bug_param, -1); /* indices moved: bug cleared */
    nn_net_free(orig);
    nn_net_free(net);
}

static void test_clone_is_deep(void **state)
{
    (void)state;
    nn_net *net = net_3542(8);
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    net->reg = NN_REG_L1;
    net->lambda = 0.3;
    net->L[0].run_mean.v[2] = 0.5;
    nn_net *c = nn_net_clone(net, NULL);
    assert_non_null(c);
    assert_true(tu_same_weights(net, c));
    assert_int_equal(c->n_params, net->n_params);
    assert_true(c->reg == NN_REG_L1 && c->lambda == 0.3);
    assert_int_equal(c->cap, net->cap);
    double *X = tu_rand(10 * 3, 1, 1);
    const double *o1 = nn_net_forward(net, X, 10, 0, NULL);
    const double *o2 = nn_net_forward(c, X, 10, 0, NULL);
    assert_true(o1 != o2);
    assert_memory_equal(o1, o2, 10 * 2 * sizeof *o1);
    c->L[0].W.w.v[0] += 1;
    c->params[3]->w.v[0] += 1;
    assert_true(net->L[0].W.w.v[0] != c->L[0].W.w.v[0]);
    assert_true(net->params[3] != c->params[3]);
    assert_true(c->params[3] == &c->L[1].W);
    free(X);
    nn_net_free(c);
    nn_net_free(net);
}

static void test_reserve(void **state)
{
    (void)state;
    nn_net *net = net_3542(9);
    assert_int_equal(net->cap, 64);
    assert_int_equal(nn_net_reserve(net, 10, NULL), 0);
    assert_int_equal(net->cap, 64); /* grow only */
    assert_int_equal(nn_net_reserve(net, 300, NULL), 0);
    assert_int_equal(net->cap, 300);
    check_shapes(net);
    exercise(net);
    /* a maxout layer's pre-activation caches grow k·out wide */
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_MAXOUT, 3, 1, NULL), 0);
    assert_int_equal(nn_net_reserve(net, 500, NULL), 0);
    check_shapes(net);
    exercise(net);
    nn_net_free(net);
}


/* ------------------------------------------------------------------------
 * PReLU, maxout, elastic net, the setters
 * ------------------------------------------------------------------------ */

static void test_new_act_errors(void **state)
{
    (void)state;
    nn_err err = {{0}};
    const int ok[] = { 3, 4, 2 };
    const double bad_k[] = { 1, 2.5, 17, -2 };
    for (int i = 0; i < 4; i++) {
        err.msg[0] = 0;
        assert_null(nn_net_new(ok, 3, NN_ACT_MAXOUT, bad_k[i], NN_ACT_SIGMOID,
                               0, NN_LOSS_BCE, &err));
        assert_non_null(strstr(err.msg, "pieces"));
    }
    assert_null(nn_net_new(ok, 3, NN_ACT_RELU, 0, NN_ACT_PRELU, 0.25,
                           NN_LOSS_MSE, &err));
    assert_non_null(strstr(err.msg, "prelu is for hidden layers only"));
    assert_null(nn_net_new(ok, 3, NN_ACT_RELU, 0, NN_ACT_MAXOUT, 2,
                           NN_LOSS_MSE, &err));
    assert_non_null(strstr(err.msg, "maxout is for hidden layers only"));
    /* the pieces count against the size limit: 5000·2 rows of 20000 */
    const int big[] = { 20000, 5000, 1 };
    assert_null(nn_net_new(big, 3, NN_ACT_MAXOUT, 2, NN_ACT_SIGMOID, 0,
                           NN_LOSS_BCE, &err));
    assert_non_null(strstr(err.msg, "10000 x 20000"));
    /* no hidden layer: the hidden activation does not matter */
    const int two[] = { 3, 1 };
    nn_net *net = nn_net_new(two, 2, NN_ACT_MAXOUT, 0, NN_ACT_LINEAR, 0,
                             NN_LOSS_MSE, &err);
    assert_non_null(net);
    nn_net_free(net);
}

/* 2 inputs → 2 maxout units of 2 pieces → 2 PReLU units → 1 linear
 * output, worked by hand. */
static void test_new_forward_by_hand(void **state)
{
    (void)state;
    const int sizes[] = { 2, 2, 2, 1 };
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, 4, NN_ACT_MAXOUT, 2, NN_ACT_LINEAR, 0,
                             NN_LOSS_MSE, &err);
    assert_non_null(net);
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_PRELU, 0.25, 1, &err), 0);
    nn_net_init(net, 1, 0);
    /* unit 1: pieces x0 + x1 and x0 − x1; unit 2: 2·x0 − 1 and −x1 */
    const double W1[] = { 1, 1, 1, -1, 2, 0, 0, -1 }, b1[] = { 0, 0, -1, 0 };
    const double W2[] = { 1, -1, -1, 2 }, W3[] = { 1, 10 };
    const double alpha[] = { 0.1, 0.5 };
    memcpy(net->L[0].W.w.v, W1, sizeof W1);
    memcpy(net->L[0].b.w.v, b1, sizeof b1);
    memcpy(net->L[1].W.w.v, W2, sizeof W2);
    memcpy(net->L[1].alpha.w.v, alpha, sizeof alpha);
    memcpy(net->L[2].W.w.v, W3, sizeof W3);
    const double X[] = { 1, 2, -1, 0.5 };
    const double *out = nn_net_forward(net, X, 2, 0, NULL);
    for (int r = 0; r < 2; r++) {
        double x0 = X[2 * r], x1 = X[2 * r + 1];
        double h0 = fmax(x0 + x1, x0 - x1), h1 = fmax(2 * x0 - 1, -x1);
        double z0 = h0 - h1, z1 = -h0 + 2 * h1;
        double p0 = z0 > 0 ? z0 : 0.1 * z0, p1 = z1 > 0 ? z1 : 0.5 * z1;
        assert_close(net->L[0].A.v[2 * r], h0, 0);
        assert_close(net->L[0].A.v[2 * r + 1], h1, 0);
        assert_close(out[r], p0 + 10 * p1, 1e-15);
    }
    /* row 1: h = (3, 1), z = (2, −1), prelu (2, −0.5), out 2 − 5 = −3 */
    assert_close(out[0], -3, 1e-15);
    nn_net_free(net);
}

/* Elastic net: (λ1/m)·Σ|W| + (λ2/2m)·ΣW², on the hand-worked 2-2-1 net. */
static void test_elastic_penalty(void **state)
{
    (void)state;
    const int sizes[] = { 2, 2, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    const double W1[] = { 0.5, -1, 2, 0.25 }, W2[] = { 1.5, -0.5 };
    memcpy(net->L[0].W.w.v, W1, sizeof W1);
    memcpy(net->L[1].W.w.v, W2, sizeof W2);
    net->L[0].b.w.v[0] = 100; /* biases are not penalized */
    double sq = 0.25 + 1 + 4 + 0.0625 + 2.25 + 0.25;
    double ab = 0.5 + 1 + 2 + 0.25 + 1.5 + 0.5;
    nn_err err = {{0}};
    assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, 0.4, 0.6, &err), 0);
    assert_close(nn_net_penalty(net, 2), 0.4 / 2 * ab + 0.6 / 4 * sq, 1e-15);
    double l1, l2;
    nn_reg_strengths(net, &l1, &l2);
    assert_true(l1 == 0.4 && l2 == 0.6);
    /* one of them 0: exactly l1 or l2 */
    net->lambda2 = 0;
    net->reg = NN_REG_L1;
    double only_l1 = nn_net_penalty(net, 2);
    net->reg = NN_REG_ELASTIC;
    assert_true(nn_net_penalty(net, 2) == only_l1);
    assert_int_equal(nn_net_set_reg(net, NN_REG_L2, 0.6, 0, &err), 0);
    nn_reg_strengths(net, &l1, &l2);
    assert_true(l1 == 0 && l2 == 0.6);
    assert_close(nn_net_penalty(net, 2), 0.6 / 4 * sq, 1e-15);
    assert_int_equal(nn_net_set_reg(net, NN_REG_L1, 0.4, 0, &err), 0);
    nn_reg_strengths(net, &l1, &l2);
    assert_true(l1 == 0.4 && l2 == 0);
    assert_int_equal(nn_net_set_reg(net, NN_REG_NONE, 0, 0, &err), 0);
    nn_reg_strengths(net, &l1, &l2);
    assert_true(l1 == 0 && l2 == 0 && nn_net_penalty(net, 2) == 0);
    /* refusals leave the penalty as it was */
    assert_int_equal(nn_net_set_reg(net, NN_REG_L2, 0.1, 0.2, &err), -1);
    assert_non_null(strstr(err.msg, "elastic"));
    assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, -1, 0.2, &err), -1);
    assert_non_null(strstr(err.msg, "lambda"));
    assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, 0.1, NAN, &err), -1);
    assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, 0.1, 2e6, &err), -1);
    assert_int_equal(nn_net_set_reg(net, (nn_reg)9, 0.1, 0, &err), -1);
    assert_true(net->reg == NN_REG_NONE && net->lambda2 == 0);
    assert_string_equal(nn_reg_names[NN_REG_ELASTIC], "elastic");
    nn_net_free(net);
}

static void test_set_loss(void **state)
{
    (void)state;
    nn_err err = {{0}};
    const int sizes[] = { 3, 4, 2 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_LINEAR, NN_LOSS_HUBER,
                         NULL, 1);
    assert_true(net->loss_arg == 1.0); /* nn_net_new: the default δ */
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER, 0.5, &err), 0);
    assert_true(net->loss == NN_LOSS_HUBER && net->loss_arg == 0.5);
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER, 0, &err), 0);
    assert_true(net->loss_arg == 1.0);
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_MAE, 7, &err), 0);
    assert_true(net->loss == NN_LOSS_MAE && net->loss_arg == 0);
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER, -1, &err), -1);
    assert_non_null(strstr(err.msg, "delta"));
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER, NAN, &err), -1);
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_XENT, 0, &err), -1);
    assert_non_null(strstr(err.msg, "softmax"));
    assert_true(net->loss == NN_LOSS_MAE);
    /* the cost follows δ: two outputs of residual 3 cost 2·δ(3 − δ/2) */
    net->loss = NN_LOSS_HUBER;
    net->loss_arg = 2;
    const double X[] = { 0, 0, 0 };
    memset(net->L[1].b.w.v, 0, 2 * sizeof(double));
    for (int j = 0; j < 4; j++)
        net->L[0].b.w.v[j] = 0;
    nn_net_forward(net, X, 1, 0, NULL);
    const double Y[] = { 3, -3 };
    assert_close(nn_net_cost(net, Y, 0), 2 * 2 * (3 - 1), 1e-15);
    nn_net_free(net);
}

/* nn_net_set_act between same-shape activations, to and from PReLU and
 * maxout, and its refusals. */
static void test_set_act(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_net *net = net_3542(12), *orig = nn_net_clone(net, NULL);
    /* same shape: weights stay, nothing re-indexed, the bug stays */
    net->bug_param = 2;
    assert_int_equal(nn_net_set_act(net, 1, NN_ACT_GELU, 0, 5, &err), 0);
    assert_int_equal(net->L[0].act, NN_ACT_GELU);
    assert_true(tu_same_weights(net, orig) && net->bug_param == 2);
    /* prelu: a slope tensor after b1, every slope the given one */
    assert_int_equal(nn_net_set_act(net, 1, NN_ACT_PRELU, 0.1, 5, &err), 0);
    static const char *const pre[] = { "W1", "b1", "alpha1", "W2", "b2",
                                       "W3", "b3" };
    check_names(net, pre, 7);
    assert_int_equal(net->bug_param, -1);
    for (int j = 0; j < 5; j++)
        assert_true(net->L[0].alpha.w.v[j] == 0.1);
    assert_true(mat_equal(&net->L[0].W.w, &orig->L[0].W.w));
    assert_int_equal(nn_net_find_param(net, "dalpha1"), 2);
    assert_int_equal(nn_net_param_count(net), 15 + 5 + 5 + 20 + 4 + 8 + 2);
    exercise(net);
    /* maxout:3 on layer 2: W2 12 x 5, b2 1 x 12, re-initialized; the
     * layers around it keep their weights */
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_MAXOUT, 3, 5, &err), 0);
    check_shapes(net);
    assert_true(mat_equal(&net->L[0].W.w, &orig->L[0].W.w));
    assert_true(mat_equal(&net->L[2].W.w, &orig->L[2].W.w));
    assert_int_equal(net->L[1].W.w.rows, 12);
    assert_int_equal(nn_net_param_count(net), 15 + 5 + 5 + 60 + 12 + 8 + 2);
    exercise(net);
    /* with batch norm, then to 2 pieces and back to tanh */
    assert_int_equal(nn_net_set_bn(net, 2, 1, &err), 0);
    check_shapes(net);
    exercise(net);
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_MAXOUT, 2, 5, &err), 0);
    check_shapes(net);
    assert_true(net->L[1].bn == 1);
    exercise(net);
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_TANH, 0, 5, &err), 0);
    check_shapes(net);
    exercise(net);
    /* the same seed gives the same weights as a fresh init of layer 2 */
    nn_net *twin = nn_net_clone(net, NULL);
    nn_net_init(twin, 5, 2);
    assert_true(mat_equal(&net->L[1].W.w, &twin->L[1].W.w));
    nn_net_free(twin);
    /* prelu off again: alpha leaves the list */
    assert_int_equal(nn_net_set_act(net, 1, NN_ACT_RELU, 0, 5, &err), 0);
    static const char *const bn2[] = { "W1", "b1", "W2", "gamma2", "beta2",
                                       "W3", "b3" };
    check_names(net, bn2, 7);
    /* refusals change nothing */
    nn_net *before = nn_net_clone(net, NULL);
    struct { int pos; nn_act act; double arg; const char *why; } bad[] = {
        { 3, NN_ACT_PRELU, 0.25, "hidden layers only" },
        { 3, NN_ACT_MAXOUT, 2, "hidden layers only" },
        { 3, NN_ACT_TANH, 0, "softmax" },           /* loss xent */
        { 1, NN_ACT_SOFTMAX, 0, "output layer only" },
        { 1, NN_ACT_MAXOUT, 1, "pieces" },
        { 2, NN_ACT_MAXOUT, 3.5, "pieces" },
        { 0, NN_ACT_RELU, 0, "1..3" },
        { 4, NN_ACT_RELU, 0, "1..3" },
        { 1, (nn_act)99, 0, "unknown" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err.msg[0] = 0;
        assert_int_equal(nn_net_set_act(net, bad[i].pos, bad[i].act,
                                        bad[i].arg, 5, &err), -1);
        if (!strstr(err.msg, bad[i].why))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].why);
        assert_true(tu_same_weights(net, before));
        assert_int_equal(net->n_params, before->n_params);
        assert_int_equal(net->L[0].act, NN_ACT_RELU);
    }
    nn_net_free(before);
    nn_net_free(orig);
    nn_net_free(net);
}

/* Insert and delete PReLU and maxout layers; clone them deeply. */
static void test_insert_delete_new(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_net *net = net_3542(13);
    assert_int_equal(nn_net_insert(net, 2, 6, NN_ACT_MAXOUT, 3, 11, &err), 0);
    assert_int_equal(nn_net_insert(net, 1, 7, NN_ACT_PRELU, 0.2, 11, &err),
                     0);
    /* 3-7(prelu)-5(tanh)-6(maxout:3)-4(tanh)-2 */
    check_shapes(net);
    assert_int_equal(net->L[0].act, NN_ACT_PRELU);
    assert_true(net->L[0].alpha.w.v[6] == 0.2);
    assert_int_equal(net->L[2].W.w.rows, 18);
    static const char *const names[] = { "W1", "b1", "alpha1", "W2", "b2",
                                         "W3", "b3", "W4", "b4", "W5", "b5" };
    check_names(net, names, 11);
    exercise(net);
    nn_net *c = nn_net_clone(net, NULL);
    assert_non_null(c);
    assert_true(tu_same_weights(net, c));
    assert_true(c->params[2] == &c->L[0].alpha);
    double *X = tu_rand(10 * 3, 1, 1);
    const double *o1 = nn_net_forward(net, X, 10, 0, NULL);
    const double *o2 = nn_net_forward(c, X, 10, 0, NULL);
    assert_memory_equal(o1, o2, 10 * 2 * sizeof *o1);
    c->L[0].alpha.w.v[0] = 9;
    assert_true(net->L[0].alpha.w.v[0] == 0.2);
    nn_net_free(c);
    free(X);
    assert_int_equal(nn_net_insert(net, 1, 3, NN_ACT_MAXOUT, 1, 11, &err),
                     -1);
    assert_non_null(strstr(err.msg, "pieces"));
    /* delete the maxout layer: the tanh layer after it takes 5 inputs */
    assert_int_equal(nn_net_delete(net, 3, 11, &err), 0);
    check_shapes(net);
    exercise(net);
    /* delete the PReLU layer: alpha1 goes */
    assert_int_equal(nn_net_delete(net, 1, 11, &err), 0);
    check_shapes(net);
    static const char *const plain[] = { "W1", "b1", "W2", "b2", "W3", "b3" };
    check_names(net, plain, 6);
    /* a maxout layer moved down by an insert keeps its pieces */
    assert_int_equal(nn_net_set_act(net, 1, NN_ACT_MAXOUT, 2, 3, &err), 0);
    assert_int_equal(nn_net_insert(net, 1, 4, NN_ACT_SELU, 0, 3, &err), 0);
    check_shapes(net);
    assert_int_equal(net->L[1].pieces, 2);
    exercise(net);
    nn_net_free(net);
}

/* Writing l->act directly (as a caller might) leaves the storage as it
 * was: memory-safe, maxout exactly when the layer has pieces. */
static void test_direct_act_write_is_safe(void **state)
{
    (void)state;
    nn_net *net = net_3542(14);
    net->L[0].act = NN_ACT_MAXOUT; /* no pieces: a maximum of one, linear */
    net->L[0].act_arg = 4;
    net->L[2].act = NN_ACT_MAXOUT; /* the output layer too */
    net->loss = NN_LOSS_MSE;
    exercise(net);
    assert_true(net->L[0].A.v[0] == net->L[0].Z.v[0]);
    /* a PReLU output written directly: dL/dA from the loss, then back
     * through its slopes; the gradients still match the differences */
    net->L[2].act = NN_ACT_PRELU;
    tu_fill(net->L[2].alpha.w.v, 2, 0.3, 5);
    double *X = tu_rand(6 * 3, 1, 6), *Y = tu_rand(6 * 2, 1, 7);
    nn_gc_result res[8];
    nn_err err = {{0}};
    double worst = nn_gradcheck(net, X, Y, 6, 1e-5, 0, res, &err);
    assert_true(worst >= 0 && worst < 1e-7);
    free(X);
    free(Y);
    nn_net_free(net);
}

/* nn_net_forward_same_mask applies the masks the last dropout pass drew,
 * leaves the running statistics alone, and gives the cost that pass gave;
 * nn_net_unit_act gives each unit's value before dropout. */
static void test_same_mask_and_unit_act(void **state)
{
    (void)state;
    const int sizes[] = { 3, 6, 5, 2 };
    enum { R = 9 };
    static const nn_act acts[] = { NN_ACT_TANH, NN_ACT_RELU, NN_ACT_PRELU,
                                   NN_ACT_MAXOUT };
    for (size_t a = 0; a < sizeof acts / sizeof *acts; a++) {
        nn_net *net = tu_net(sizes, 4, acts[a], NN_ACT_SOFTMAX, NN_LOSS_XENT,
                             NULL, 11 + a);
        tu_perturb_vectors(net, 12 + a);
        assert_int_equal(nn_net_set_bn(net, 2, 1, NULL), 0);
        net->L[0].keep = 0.5;
        net->L[1].keep = 0.7;
        double *X = tu_rand(R * 3, 1, 13), *Y = tu_targets(R, 2,
                                      NN_LOSS_XENT, NN_ACT_SOFTMAX, 14);
        nn_rng drop;
        nn_rng_seed(&drop, 3, NN_STREAM_DROPOUT, 0);
        nn_net_forward(net, X, R, 1, &drop);
        assert_int_equal(net->last_train, 1);
        double cost = nn_net_cost(net, Y, 1);
        /* every unit's value before dropout: A / mask where kept */
        for (int l = 0; l < 2; l++) {
            const nn_layer *L = &net->L[l];
            for (int i = 0; i < R; i++)
                for (int j = 0; j < L->out; j++) {
                    size_t k = (size_t)i * L->out + j;
                    double g = nn_net_unit_act(net, l, i, j);
                    if (L->mask.v[k] != 0)
                        assert_close(g, L->A.v[k] / L->mask.v[k], 1e-14);
                    else
                        assert_true(L->A.v[k] == 0 && isfinite(g));
                }
        }
        double mean = net->L[1].run_mean.v[0], var = net->L[1].run_var.v[0];
        nn_net_forward_same_mask(net, X, R);
        assert_true(nn_net_cost(net, Y, 1) == cost); /* bit for bit */
        assert_true(net->L[0].mask_on && net->L[1].mask_on);
        assert_true(!net->L[2].mask_on);
        assert_true(net->L[1].run_mean.v[0] == mean);
        assert_true(net->L[1].run_var.v[0] == var);
        nn_net_forward(net, X, R, 0, NULL);
        assert_int_equal(net->last_train, 0);
        /* the output layer's unit act is its output */
        assert_true(nn_net_unit_act(net, 2, 1, 1) == net->L[2].A.v[3]);
        free(X);
        free(Y);
        nn_net_free(net);
    }
}

/* has_grads: set by backward, cleared by init and by a change of the
 * parameter tensors, kept by a clone. */
static void test_has_grads(void **state)
{
    (void)state;
    nn_net *net = net_3542(21);
    double *X = tu_rand(4 * 3, 1, 22), *Y = tu_targets(4, 2, NN_LOSS_XENT,
                                                       NN_ACT_SOFTMAX, 23);
    assert_int_equal(net->has_grads, 0);
    nn_net_forward(net, X, 4, 1, NULL);
    assert_int_equal(net->has_grads, 0);
    nn_net_backward(net, X, Y);
    assert_int_equal(net->has_grads, 1);
    nn_net *copy = nn_net_clone(net, NULL);
    assert_int_equal(copy->has_grads, 1);
    nn_net_init(net, 1, 0);
    assert_int_equal(net->has_grads, 0);
    nn_net_forward(copy, X, 4, 1, NULL);
    nn_net_backward(copy, X, Y);
    assert_int_equal(nn_net_set_bn(copy, 1, 1, NULL), 0);
    assert_int_equal(copy->has_grads, 0);
    nn_net_backward(copy, X, Y);
    assert_int_equal(nn_net_insert(copy, 1, 3, NN_ACT_TANH, 0, 1, NULL), 0);
    assert_int_equal(copy->has_grads, 0);
    free(X);
    free(Y);
    nn_net_free(copy);
    nn_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_mask_and_unit_act),
        cmocka_unit_test(test_has_grads),
        cmocka_unit_test(test_new_errors),
        cmocka_unit_test(test_params_and_names),
        cmocka_unit_test(test_forward_by_hand),
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_batch_norm),
        cmocka_unit_test(test_forward_eval_chunks),
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_set_bn),
        cmocka_unit_test(test_clone_is_deep),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_new_act_errors),
        cmocka_unit_test(test_new_forward_by_hand),
        cmocka_unit_test(test_elastic_penalty),
        cmocka_unit_test(test_set_loss),
        cmocka_unit_test(test_set_act),
        cmocka_unit_test(test_insert_delete_new),
        cmocka_unit_test(test_direct_act_write_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
