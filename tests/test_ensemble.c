/*
 * test_ensemble.c — ensembles of network snapshots (engine/ensemble.c): a
 * one-member ensemble scores exactly like its network for each kind of
 * output, the snapshot does not follow the network, predictions are the
 * members' mean, the argument checks, and the measured effect: on the
 * digits, five nets that differ only in their initial weights score
 * better together than the best of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static nn_data *digits(void)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv_image("data/digits.csv.gz", NN_LABEL_LAST,
                                        NN_HEADER_NO, 1, 8, 8, NULL, &err);
    if (!d)
        fail_msg("digits: %s", err.msg);
    nn_data_normalize(d, NN_NORM_SCALE);
    return d;
}

/* Train net on d for `epochs` with Adam (lr) and batches of 32; the
 * trainer's seed (the shuffle) is 1 whatever the net. */
static void train(nn_net *net, nn_data *d, int epochs, double lr)
{
    nn_err err = {{0}};
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.opt.kind = NN_OPT_ADAM;
    tr.opt.lr = lr;
    tr.batch = 32;
    if (nn_trainer_bind(&tr, net, d, &err))
        fail_msg("bind: %s", err.msg);
    while (tr.epoch < epochs) {
        nn_step_info info;
        int st = nn_trainer_step(&tr, &info, &err);
        if (st < 0 || st == NN_STEP_DIVERGED)
            fail_msg("step %ld: %d %s", tr.iter, st, err.msg);
    }
    nn_trainer_free(&tr);
}

/* What the trainer says of net on split s. */
static nn_score trainer_score(nn_net *net, nn_data *d, nn_split s)
{
    nn_err err = {{0}};
    nn_trainer tr;
    nn_score sc;
    nn_trainer_init(&tr);
    if (nn_trainer_bind(&tr, net, d, &err) ||
        nn_trainer_evaluate(&tr, s, &sc.loss, &sc.acc, &err))
        fail_msg("evaluate: %s", err.msg);
    nn_trainer_free(&tr);
    return sc;
}

static nn_ensemble *ensemble(void)
{
    nn_err err = {{0}};
    nn_ensemble *e = nn_ensemble_new(&err);
    assert_non_null(e);
    return e;
}

static void add_ok(nn_ensemble *e, const nn_net *net)
{
    nn_err err = {{0}};
    if (nn_ensemble_add(e, net, &err))
        fail_msg("add: %s", err.msg);
}

static void evaluate_ok(nn_ensemble *e, const nn_data *d, nn_split s,
                        nn_score *all, nn_score *members)
{
    nn_err err = {{0}};
    if (nn_ensemble_evaluate(e, d, s, all, members, &err))
        fail_msg("ensemble evaluate: %s", err.msg);
}

static void assert_score(nn_score got, nn_score want, double tol)
{
    if (!(fabs(got.loss - want.loss) <= tol * (1 + fabs(want.loss))))
        fail_msg("loss %.17g, want %.17g", got.loss, want.loss);
    if (isnan(want.acc) ? !isnan(got.acc) : got.acc != want.acc)
        fail_msg("accuracy %.17g, want %.17g", got.acc, want.acc);
}

/* ------------------------------------------------------------------------
 * One member is its network
 * ------------------------------------------------------------------------ */

/* softmax (digits), sigmoid (circles), linear regression (a CSV): the
 * ensemble of one scores like nn_trainer_evaluate, on every split. */
static void test_one_member_is_the_network(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *sets[3] = { digits(), tu_data("circles", 300, 0, 1),
                         nn_data_load_csv("tests/fixtures/regress.csv",
                                          NN_LABEL_LAST, NN_HEADER_AUTO, 1,
                                          &err) };
    assert_non_null(sets[2]);
    assert_int_equal(nn_data_task(sets[2]), NN_TASK_REGRESS);
    for (int k = 0; k < 3; k++) {
        nn_data *d = sets[k];
        int f = nn_data_features(d);
        const int sizes[3][3] = { { 64, 16, 10 }, { 2, 8, 1 }, { f, 6, 1 } };
        static const nn_act out[3] = { NN_ACT_SOFTMAX, NN_ACT_SIGMOID,
                                       NN_ACT_LINEAR };
        static const nn_loss loss[3] = { NN_LOSS_XENT, NN_LOSS_BCE,
                                         NN_LOSS_MSE };
        nn_net *net = tu_net(sizes[k], 3, NN_ACT_TANH, out[k], loss[k], NULL,
                             3);
        train(net, d, 5, 0.01);
        nn_ensemble *e = ensemble();
        add_ok(e, net);
        for (int s = 0; s < NN_NSPLITS; s++) {
            nn_score all, one[1];
            if (nn_data_count(d, (nn_split)s) == 0)
                continue;
            evaluate_ok(e, d, (nn_split)s, &all, one);
            nn_score want = trainer_score(net, d, (nn_split)s);
            assert_score(all, want, 1e-9);
            assert_score(one[0], want, 1e-12);
        }
        nn_ensemble_free(e);
        nn_net_free(net);
        nn_data_free(d);
    }
}

/* A snapshot stays as it was while its network trains on; predictions
 * are the members' mean output. */
static void test_snapshot_and_predict(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = digits();
    const int sizes[] = { 64, 16, 10 };
    nn_net *a = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                       NULL, 1);
    nn_net *b = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                       NULL, 2);
    train(a, d, 2, 0.003);
    train(b, d, 2, 0.003);
    nn_ensemble *e = ensemble();
    add_ok(e, a);
    nn_score before, after;
    evaluate_ok(e, d, NN_DEV, &before, NULL);
    train(a, d, 3, 0.003);
    evaluate_ok(e, d, NN_DEV, &after, NULL);
    assert_true(before.loss == after.loss && before.acc == after.acc);
    assert_true(nn_ensemble_member(e, 0) != a);
    add_ok(e, b);
    assert_int_equal(nn_ensemble_size(e), 2);
    assert_null(nn_ensemble_member(e, 2));
    /* the mean of the two members' outputs, for 600 rows (more than a
     * member's caches held) */
    enum { M = 600 };
    double *X = malloc((size_t)M * 64 * sizeof *X);
    double *out = malloc((size_t)M * 10 * sizeof *out);
    double *pa = malloc((size_t)M * 10 * sizeof *pa);
    assert_true(X && out && pa);
    nn_data_fill(d, NN_TRAIN, NULL, M, X, NULL, 0);
    assert_int_equal(nn_ensemble_predict(e, X, M, out, &err), 0);
    nn_net *m0 = nn_net_clone(nn_ensemble_member(e, 0), NULL);
    nn_net *m1 = nn_net_clone(nn_ensemble_member(e, 1), NULL);
    assert_true(m0 && m1);
    assert_int_equal(nn_net_reserve(m0, M, NULL), 0);
    assert_int_equal(nn_net_reserve(m1, M, NULL), 0);
    memcpy(pa, nn_net_forward(m0, X, M, 0, NULL), (size_t)M * 10 * 8);
    const double *pb = nn_net_forward(m1, X, M, 0, NULL);
    for (int i = 0; i < M * 10; i++)
        assert_float_equal(out[i], (pa[i] + pb[i]) / 2, 1e-15);
    free(X), free(out), free(pa);
    nn_net_free(m0), nn_net_free(m1);
    nn_ensemble_clear(e);
    assert_int_equal(nn_ensemble_size(e), 0);
    nn_ensemble_free(e);
    nn_net_free(a), nn_net_free(b);
    nn_data_free(d);
}

static void expect_error(int rc, const nn_err *err, const char *part)
{
    assert_int_equal(rc, -1);
    if (!strstr(err->msg, part))
        fail_msg("message '%s' lacks '%s'", err->msg, part);
}

static void test_errors(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = digits(), *pts = tu_data("circles", 100, 0, 1);
    nn_score all;
    nn_ensemble *e = ensemble();
    expect_error(nn_ensemble_evaluate(e, d, NN_DEV, &all, NULL, &err), &err,
                 "empty");
    double x[64], out[10];
    expect_error(nn_ensemble_predict(e, x, 1, out, &err), &err, "empty");
    expect_error(nn_ensemble_add(e, NULL, &err), &err, "no network");
    const int s1[] = { 64, 8, 10 }, s2[] = { 64, 12, 10 }, s3[] = { 2, 4, 1 };
    nn_net *a = tu_net(s1, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT, NULL,
                       1);
    nn_net *b = tu_net(s2, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT, NULL,
                       2);
    nn_net *c = tu_net(s3, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL,
                       3);
    nn_net *none = tu_net(s1, 3, NN_ACT_RELU, NN_ACT_LINEAR, NN_LOSS_NONE,
                          NULL, 4);
    expect_error(nn_ensemble_add(e, none, &err), &err, "no loss");
    add_ok(e, a);
    add_ok(e, b); /* other hidden sizes are fine */
    expect_error(nn_ensemble_add(e, c, &err), &err,
                 "take 64 inputs to 10 outputs with loss xent; this one 2 "
                 "to 1 with bce");
    assert_int_equal(nn_ensemble_size(e), 2);
    expect_error(nn_ensemble_evaluate(e, pts, NN_DEV, &all, NULL, &err),
                 &err, "take 64 inputs but the data give 2");
    nn_gen_opts o = { .n = 50, .noise = -1, .dim = 64, .seed = 1 };
    nn_data *g = nn_data_generate("gauss", &o, &err);
    assert_non_null(g);
    expect_error(nn_ensemble_evaluate(e, g, NN_TRAIN, &all, NULL, &err),
                 &err, "no labels");
    nn_data_free(g);
    for (int i = 2; i < NN_ENSEMBLE_MAX; i++)
        add_ok(e, a);
    expect_error(nn_ensemble_add(e, a, &err), &err, "full");
    /* an empty split scores NAN */
    assert_int_equal(nn_data_split(d, 90, 10, 0, 1, 1, &err), 0);
    nn_score m[NN_ENSEMBLE_MAX];
    evaluate_ok(e, d, NN_TEST, &all, m);
    assert_true(isnan(all.loss) && isnan(all.acc) && isnan(m[5].acc));
    nn_ensemble_free(e);
    nn_ensemble_free(NULL);
    nn_net_free(a), nn_net_free(b), nn_net_free(c), nn_net_free(none);
    nn_data_free(d), nn_data_free(pts);
}

/* ------------------------------------------------------------------------
 * The effect
 * ------------------------------------------------------------------------ */

/* Five 64-32-10 nets with init seeds first..first+4, each trained for
 * `epochs` on the same batches; their dev figures and the ensemble's. */
static void five_nets(nn_data *d, int first, int epochs, nn_score *all,
                      nn_score *m)
{
    nn_ensemble *e = ensemble();
    const int sizes[] = { 64, 32, 10 };
    for (int i = 0; i < 5; i++) {
        nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX,
                             NN_LOSS_XENT, NULL, (uint64_t)(first + i));
        train(net, d, epochs, 0.003);
        add_ok(e, net);
        nn_net_free(net);
    }
    evaluate_ok(e, d, NN_DEV, all, m);
    nn_ensemble_free(e);
}

static double best_of(const nn_score *m, int n, double *mean_loss)
{
    double best = 0, loss = 0;
    for (int i = 0; i < n; i++) {
        best = fmax(best, m[i].acc);
        loss += m[i].loss / n;
    }
    *mean_loss = loss;
    return best;
}

/* Digits split half and half (899 dev digits, so one digit is 0.1%),
 * pixels scaled to [0, 1].  Members trained 3 epochs (Adam 0.003, batches
 * of 32) differ enough that their average beats the best of them, every
 * time; trained 20 epochs they agree on most digits and the ensemble is
 * about as good as its best member (printed, not asserted). */
static void test_ensemble_beats_members(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = digits();
    assert_int_equal(nn_data_split(d, 50, 50, 0, 1, 1, &err), 0);
    static const int firsts[] = { 1, 6, 11 };
    int held = 0;
    for (int t = 0; t < 3; t++) {
        nn_score all, m[5];
        double mean_loss;
        five_nets(d, firsts[t], 3, &all, m);
        double best = best_of(m, 5, &mean_loss);
        printf("# measured: 5 digit nets (init seeds %d-%d, 3 epochs): dev "
               "accuracy %.4f %.4f %.4f %.4f %.4f, ensemble %.4f; loss: "
               "members' mean %.4f, ensemble %.4f\n", firsts[t],
               firsts[t] + 4, m[0].acc, m[1].acc, m[2].acc, m[3].acc,
               m[4].acc, all.acc, mean_loss, all.loss);
        held += all.acc >= best;
        assert_true(all.loss < mean_loss);
    }
    printf("# measured: the ensemble scored at least its best member in %d "
           "of 3\n", held);
    assert_int_equal(held, 3);
    nn_score all, m[5];
    double mean_loss;
    five_nets(d, 1, 20, &all, m);
    printf("# measured: trained 20 epochs instead: best member %.4f, "
           "ensemble %.4f\n", best_of(m, 5, &mean_loss), all.acc);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_member_is_the_network),
        cmocka_unit_test(test_snapshot_and_predict),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ensemble_beats_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
