/*
 * test_train_eval.c — measuring splits and what the trainer records at
 * little cost (engine/train_eval.c, and the step's records in train.c):
 * a sample of a split and the whole split measured alike, the fixed
 * sample of a large dev split, when the dev split is measured at epochs'
 * ends (every epoch by default; with a spacing, the first epoch, then as
 * the spacing allows, where asked, every epoch with early stopping), the
 * gradient norm taken from the optimizer's pass, and the layer statistics
 * the history keeps from its sums.  Measured and printed: the share of
 * the dev measurements in the work of 100 epochs on digits-sized data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static void bind_ok(nn_trainer *tr, nn_net *net, const nn_data *d)
{
    nn_err err = {{0}};
    if (nn_trainer_bind(tr, net, d, &err))
        fail_msg("bind: %s", err.msg);
}

static int step_ok(nn_trainer *tr, nn_step_info *info)
{
    nn_err err = {{0}};
    int st = nn_trainer_step(tr, info, &err);
    if (st < 0)
        fail_msg("step: %s", err.msg);
    return st;
}

/* Train to the end of the next epoch; its record's index. */
static int next_epoch(nn_trainer *tr)
{
    nn_step_info info;
    int e = tr->epoch;
    while (tr->epoch == e)
        step_ok(tr, &info);
    return tr->hist.ne - 1;
}

/* A 2-16-C network on generated data: n examples, split 70/15/15. */
typedef struct setup {
    nn_data *d;
    nn_net *net;
    nn_trainer tr;
} setup;

static void setup_make(setup *s, const char *kind, int n, int classes)
{
    s->d = tu_data(kind, n, classes, 1);
    int out = classes > 2 ? classes : 1;
    const int sizes[] = { 2, 16, out };
    s->net = tu_net(sizes, 3, NN_ACT_RELU,
                    out > 1 ? NN_ACT_SOFTMAX : NN_ACT_SIGMOID,
                    out > 1 ? NN_LOSS_XENT : NN_LOSS_BCE, NULL, 1);
    nn_trainer_init(&s->tr);
    s->tr.opt.kind = NN_OPT_ADAM;
    bind_ok(&s->tr, s->net, s->d);
}

static void setup_free(setup *s)
{
    nn_trainer_free(&s->tr);
    nn_net_free(s->net);
    nn_data_free(s->d);
}

/* ------------------------------------------------------------------------
 * Measuring a sample
 * ------------------------------------------------------------------------ */

/* A count of 0, or the split's size, or more: every example, the very
 * values nn_trainer_evaluate_full gives. */
static void test_sample_of_all_is_full(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "circles", 300, 0);
    nn_step_info info;
    for (int i = 0; i < 10; i++)
        step_ok(&s.tr, &info);
    int dev = nn_data_count(s.d, NN_DEV);
    nn_eval full, ev;
    assert_int_equal(nn_trainer_evaluate_full(&s.tr, NN_DEV, &full, NULL), 0);
    const int counts[] = { 0, dev, dev + 5 };
    for (int k = 0; k < 3; k++) {
        assert_int_equal(nn_trainer_evaluate_sample(&s.tr, NN_DEV, counts[k],
                                                    &ev, NULL), 0);
        assert_int_equal(ev.rows, dev);
        assert_memory_equal(&ev.loss, &full.loss, sizeof ev.loss);
        assert_memory_equal(&ev.acc, &full.acc, sizeof ev.acc);
    }
    assert_int_equal(nn_trainer_dev_sample(&s.tr), dev);
    setup_free(&s);
}

/* A dev split of 2400 examples: the trainer measures 2000 of them, the
 * examples ⌊k·2400/2000⌋, as a pass over those rows by hand finds. */
static void test_sample_of_large_dev(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "blobs", 16000, 3);
    int dev = nn_data_count(s.d, NN_DEV);
    assert_int_equal(dev, 2400);
    assert_int_equal(nn_trainer_dev_sample(&s.tr), NN_DEV_SAMPLE_MAX);
    nn_step_info info;
    for (int i = 0; i < 20; i++)
        step_ok(&s.tr, &info);
    nn_eval ev;
    assert_int_equal(nn_trainer_evaluate_sample(&s.tr, NN_DEV, 2000, &ev,
                                                NULL), 0);
    assert_int_equal(ev.rows, 2000);

    int *rows = malloc(2000 * sizeof *rows);
    double *X = malloc(2000 * 2 * sizeof *X), *Y = malloc(2000 * 3 * sizeof *Y);
    assert_true(rows && X && Y);
    for (int k = 0; k < 2000; k++)
        rows[k] = (int)((long)k * dev / 2000);
    nn_data_fill(s.d, NN_DEV, rows, 2000, X, Y, 3);
    assert_int_equal(nn_net_reserve(s.net, 2000, NULL), 0);
    const double *out = nn_net_forward(s.net, X, 2000, 0, NULL);
    double acc = nn_accuracy(out, Y, 2000, 3);
    double loss = nn_net_cost(s.net, Y, 0);
    assert_close(ev.loss, loss, 1e-12);
    assert_close(ev.acc, acc, 1e-15);
    free(rows);
    free(X);
    free(Y);
    setup_free(&s);
}

/* ------------------------------------------------------------------------
 * When the dev split is measured
 * ------------------------------------------------------------------------ */

/* The engine's default: at every epoch's end, the figures of a full pass
 * at that moment (in passes of the batch's size: equal to rounding). */
static void test_every_epoch_by_default(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "circles", 2000, 0);
    assert_int_equal(s.tr.dev_spacing, 0);
    for (int e = 0; e < 6; e++) {
        int k = next_epoch(&s.tr);
        double loss, acc;
        assert_int_equal(nn_trainer_evaluate(&s.tr, NN_DEV, &loss, &acc,
                                             NULL), 0);
        assert_close(s.tr.hist.dev_loss[k], loss, 1e-14);
        assert_close(s.tr.hist.dev_acc[k], acc, 1e-14);
    }
    setup_free(&s);
}

/* Which of the first n epochs (1-based, up to 63) were measured, as bits. */
static unsigned long long measured(const nn_trainer *tr, int n)
{
    unsigned long long bits = 0;
    for (int k = 0; k < n && k < tr->hist.ne; k++)
        if (!isnan(tr->hist.dev_loss[k]))
            bits |= 1ull << (k + 1);
    return bits;
}

/* Spacing 16 with 1400 training and 300 dev examples: measured once
 * 4800 training examples have passed since the last time, that is at
 * epochs 1, 5, 9, 13 (four epochs are 5600, three 4200); the others record
 * NAN; the measured figures are those of a full pass then. */
static void test_spacing(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "circles", 2000, 0);
    nn_trainer_set_dev_spacing(&s.tr, NN_DEV_SPACING);
    for (int e = 1; e <= 14; e++) {
        int k = next_epoch(&s.tr);
        double loss, acc;
        nn_trainer_evaluate(&s.tr, NN_DEV, &loss, &acc, NULL);
        if (!isnan(s.tr.hist.dev_loss[k]))
            assert_close(s.tr.hist.dev_loss[k], loss, 1e-14);
    }
    unsigned long long want = 1ull << 1 | 1ull << 5 | 1ull << 9 | 1ull << 13;
    assert_true(measured(&s.tr, 14) == want);
    assert_true(isnan(s.tr.hist.dev_acc[1]) && !isnan(s.tr.hist.train_acc[1]));
    /* a restart measures the first epoch again */
    nn_trainer_restart(&s.tr);
    next_epoch(&s.tr);
    assert_false(isnan(s.tr.hist.dev_loss[0]));
    nn_trainer_set_dev_spacing(&s.tr, -3);
    assert_int_equal(s.tr.dev_spacing, 0);
    nn_trainer_set_dev_spacing(&s.tr, 5000);
    assert_int_equal(s.tr.dev_spacing, 1000);
    setup_free(&s);
}

/* Asked: epoch 3 by number; and by update, the last epoch's end at or
 * before update 100 (epochs end every 22 updates: at 88, epoch 4).  The
 * spacing counts again from each measurement: epoch 8 after 4. */
static void test_want_dev(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "circles", 2000, 0);
    nn_trainer_set_dev_spacing(&s.tr, NN_DEV_SPACING);
    assert_int_equal(nn_trainer_iters_per_epoch(&s.tr), 22);
    nn_trainer_want_dev(&s.tr, -1, 3);
    for (int e = 1; e <= 3; e++)
        next_epoch(&s.tr);
    nn_trainer_want_dev(&s.tr, 100, -1);
    for (int e = 4; e <= 9; e++)
        next_epoch(&s.tr);
    unsigned long long want = 1ull << 1 | 1ull << 3 | 1ull << 4 | 1ull << 8;
    if (measured(&s.tr, 9) != want)
        fail_msg("measured epochs %#llx, want %#llx", measured(&s.tr, 9),
                 want);
    setup_free(&s);
}

/* Early stopping decides on every epoch: it is measured at each. */
static void test_early_measures_every_epoch(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "circles", 2000, 0);
    nn_trainer_set_dev_spacing(&s.tr, NN_DEV_SPACING);
    assert_int_equal(nn_trainer_set_early(&s.tr, 1, 50, NULL), 0);
    for (int e = 1; e <= 8; e++)
        next_epoch(&s.tr);
    assert_true(measured(&s.tr, 8) == 0x1feull);
    setup_free(&s);
}

/* Measured: 100 epochs on digits-sized data (1258 training, 270 dev
 * examples, batch 64: an epoch every 20 updates) with the shell's spacing
 * and a progress line every 10 epochs.  A dev example costs a forward
 * pass, about 0.4 of a training example's forward, backward and update. */
static void test_dev_share_on_digits_sized_data(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "blobs", 1797, 10);
    assert_int_equal(nn_data_split(s.d, 1258, 270, 269, 0, 1, NULL), 0);
    bind_ok(&s.tr, s.net, s.d);
    nn_trainer_set_dev_spacing(&s.tr, NN_DEV_SPACING);
    long dev_rows = 0, train_rows = 0;
    int times = 0;
    for (int e = 1; e <= 100; e++) {
        if (e % 10 == 0)
            nn_trainer_want_dev(&s.tr, -1, e);
        int k = next_epoch(&s.tr);
        train_rows += 1258;
        if (!isnan(s.tr.hist.dev_loss[k])) {
            dev_rows += 270;
            times++;
        }
    }
    double share = (double)dev_rows / train_rows;
    printf("dev measured at %d of 100 epochs: %ld dev examples against %ld "
           "training examples (%.1f%%, about %.1f%% of the work; every "
           "epoch would be %.1f%%)\n", times, dev_rows, train_rows,
           100 * share, 40 * share, 40 * 270.0 / 1258);
    assert_true(times >= 25 && times <= 40);
    assert_true(share < 0.08);
    setup_free(&s);
}

/* ------------------------------------------------------------------------
 * What each update records
 * ------------------------------------------------------------------------ */

/* The gradient norm recorded for an update comes from the optimizer's
 * pass (no clipping) or from nn_grad_norm before clipping: either way the
 * norm of the gradients backprop made, which are still in the network
 * after the step (every optimizer). */
static void test_recorded_grad_norm(void **state)
{
    (void)state;
    for (int kind = NN_OPT_GD; kind <= NN_OPT_ADAM; kind++) {
        for (int clip = 0; clip < 2; clip++) {
            setup s;
            setup_make(&s, "moons", 300, 0);
            s.tr.opt.kind = (nn_optim_kind)kind;
            if (clip) {
                nn_clip c = { NN_CLIP_NORM, 1e6 }; /* on, never reached */
                assert_int_equal(nn_trainer_set_clip(&s.tr, &c, NULL), 0);
            }
            nn_step_info info;
            for (int i = 0; i < 7; i++) {
                step_ok(&s.tr, &info);
                double norm = nn_grad_norm(s.net);
                assert_close(info.grad_norm, norm, 1e-14 * norm);
                assert_true(s.tr.hist.grad_norm[s.tr.hist.n - 1] ==
                            info.grad_norm);
            }
            setup_free(&s);
        }
    }
}

/* The layer statistics of each record are those of the network after the
 * update, as `stats` computes them. */
static void test_recorded_layer_stats(void **state)
{
    (void)state;
    setup s;
    setup_make(&s, "spiral", 600, 3);
    nn_step_info info;
    for (int i = 0; i < 30; i++) {
        step_ok(&s.tr, &info);
        const nn_history *h = &s.tr.hist;
        for (int l = 0; l < s.net->n_layers; l++) {
            nn_layer_stats st;
            size_t at = (size_t)(h->n - 1) * h->n_layers + l;
            nn_stats_weights(s.net, l, &st);
            assert_close(h->w_mean[at], st.w_mean, 1e-15);
            assert_close(h->w_var[at], st.w_var, 1e-14 * st.w_var);
            assert_close(h->g_norm[at], st.g_norm, 1e-14 * st.g_norm);
            assert_close(h->g_var[at], st.g_var, 1e-12 * st.g_var);
            assert_true(h->update_ratio[at] == st.update_ratio);
        }
    }
    setup_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_of_all_is_full),
        cmocka_unit_test(test_sample_of_large_dev),
        cmocka_unit_test(test_every_epoch_by_default),
        cmocka_unit_test(test_spacing),
        cmocka_unit_test(test_want_dev),
        cmocka_unit_test(test_early_measures_every_epoch),
        cmocka_unit_test(test_dev_share_on_digits_sized_data),
        cmocka_unit_test(test_recorded_grad_norm),
        cmocka_unit_test(test_recorded_layer_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
