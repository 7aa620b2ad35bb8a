/*
 * test_train.c — the trainer (engine/train.c): mini-batches (the short
 * last one, full batch, batch 1), reproducibility bit for bit, the
 * history, the divergence guard, early stopping, binding and its errors,
 * settings changed between steps; and the classic results every student
 * meets: zero and constant initialization stay symmetric, the first softmax
 * loss on 10 classes is ln 10, a small net overfits 20 examples, He
 * initialization solves circles, Adam beats plain gradient descent.
 * Regression evaluation: RMSE and MAE worked by hand, the guard's floor
 * for mae and huber; early stopping's copy carrying PReLU slopes; and a
 * measurement on the digits: L1 and elastic net leave many more weights
 * near zero than L2 at about the same dev accuracy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "tmpdir.h"

static const int CIRCLES_NET[] = { 2, 10, 5, 1 };

static nn_net *circles_net(const nn_init_spec *init, uint64_t seed)
{
    return tu_net(CIRCLES_NET, 4, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                  init, seed);
}

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

/* Steps until the status is `until` or n steps are made; the last status. */
static int run(nn_trainer *tr, long n, int until)
{
    nn_step_info info;
    int st = NN_STEP_OK;
    for (long i = 0; i < n; i++)
        if ((st = step_ok(tr, &info)) == until)
            break;
    return st;
}

static double accuracy(nn_trainer *tr, nn_split s)
{
    double loss, acc;
    nn_err err = {{0}};
    if (nn_trainer_evaluate(tr, s, &loss, &acc, &err))
        fail_msg("evaluate: %s", err.msg);
    return acc;
}

/* ------------------------------------------------------------------------
 * Batches
 * ------------------------------------------------------------------------ */

static void test_batches(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    assert_int_equal(tr.batch, 64);
    bind_ok(&tr, net, d);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 210);
    assert_int_equal(nn_trainer_iters_per_epoch(&tr), 4);
    /* 64 64 64 18, the last ending the epoch */
    const int rows[] = { 64, 64, 64, 18, 64 };
    for (int i = 0; i < 5; i++) {
        int st = step_ok(&tr, &info);
        assert_int_equal(info.rows, rows[i]);
        assert_int_equal(info.iter, i + 1);
        assert_int_equal(info.epoch, i < 4 ? 0 : 1);
        assert_int_equal(st, i == 3 ? NN_STEP_EPOCH : NN_STEP_OK);
    }
    assert_int_equal(tr.epoch, 1);
    /* full batch: every step is an epoch of 210 rows */
    tr.batch = 0;
    bind_ok(&tr, net, d);
    nn_trainer_restart(&tr);
    assert_int_equal(nn_trainer_iters_per_epoch(&tr), 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(step_ok(&tr, &info), NN_STEP_EPOCH);
        assert_int_equal(info.rows, 210);
    }
    /* batch 1: 210 steps an epoch */
    tr.batch = 1;
    bind_ok(&tr, net, d);
    nn_trainer_restart(&tr);
    assert_int_equal(nn_trainer_iters_per_epoch(&tr), 210);
    for (int i = 0; i < 210; i++) {
        int st = step_ok(&tr, &info);
        assert_int_equal(info.rows, 1);
        assert_int_equal(st, i == 209 ? NN_STEP_EPOCH : NN_STEP_OK);
    }
    /* batch larger than the split: one full batch */
    tr.batch = 1000;
    bind_ok(&tr, net, d);
    assert_int_equal(nn_trainer_iters_per_epoch(&tr), 1);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* Each epoch visits every training example exactly once (a new order each
 * epoch): watch the batches through the trainer's permutation. */
static void test_epoch_is_permutation(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 100, 0, 2);
    nn_net *net = circles_net(NULL, 2);
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    tr.batch = 16;
    bind_ok(&tr, net, d);
    int n = nn_data_count(d, NN_TRAIN);
    int *first = calloc((size_t)n, sizeof *first);
    assert_non_null(first);
    for (int e = 0; e < 2; e++) {
        int *seen = calloc((size_t)n, sizeof *seen), moved = 0;
        assert_non_null(seen);
        int st;
        do {
            int pos = tr.pos;
            st = step_ok(&tr, &info);
            for (int i = 0; i < info.rows; i++)
                seen[tr.perm[pos + i]]++;
        } while (st == NN_STEP_OK);
        for (int i = 0; i < n; i++) {
            assert_int_equal(seen[i], 1);
            moved += e == 0 ? tr.perm[i] != i : tr.perm[i] != first[i];
            if (e == 0)
                first[i] = tr.perm[i];
        }
        assert_true(moved > n / 2); /* shuffled, and shuffled again */
        free(seen);
    }
    free(first);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Reproducibility
 * ------------------------------------------------------------------------ */

/* Train a fresh 2-10-5-1 net with dropout and Adam for 40 steps. */
static nn_net *train_copy(const nn_data *d, uint64_t seed, int restart,
                          nn_history *loss_out)
{
    nn_net *net = circles_net(NULL, 3);
    net->L[0].keep = 0.5;
    net->L[1].keep = 0.8;
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.seed = seed;
    tr.batch = 32;
    tr.opt.kind = NN_OPT_ADAM;
    bind_ok(&tr, net, d);
    if (restart)
        nn_trainer_restart(&tr);
    run(&tr, 40, -1);
    if (loss_out) {
        loss_out->n = tr.hist.n;
        loss_out->loss = malloc((size_t)tr.hist.n * sizeof(double));
        assert_non_null(loss_out->loss);
        memcpy(loss_out->loss, tr.hist.loss,
               (size_t)tr.hist.n * sizeof(double));
    }
    nn_trainer_free(&tr);
    return net;
}

static void test_reproducible(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_history h1 = { 0 }, h2 = { 0 };
    nn_net *a = train_copy(d, 5, 1, &h1), *b = train_copy(d, 5, 1, &h2);
    assert_true(tu_same_weights(a, b));
    assert_int_equal(h1.n, 40);
    assert_int_equal(h2.n, 40);
    assert_memory_equal(h1.loss, h2.loss, 40 * sizeof(double));
    /* another seed: another shuffle and other masks (same init weights) */
    nn_net *c = train_copy(d, 6, 1, NULL);
    assert_false(tu_same_weights(a, c));
    /* a fresh trainer is already seeded (with the default seed 1):
     * restarting it changes nothing */
    nn_net *e = train_copy(d, 1, 0, NULL), *f = train_copy(d, 1, 1, NULL);
    assert_true(tu_same_weights(e, f));
    nn_net_free(f);
    free(h1.loss);
    free(h2.loss);
    nn_net_free(a);
    nn_net_free(b);
    nn_net_free(c);
    nn_net_free(e);
    nn_data_free(d);
}

/* Without nn_trainer_restart a trainer still shuffles and drops units. */
static void test_fresh_trainer_is_random(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 3);
    net->L[0].keep = 0.5;
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    bind_ok(&tr, net, d);
    step_ok(&tr, &info);
    int moved = 0, dropped = 0;
    for (int i = 0; i < tr.n_train; i++)
        moved += tr.perm[i] != i;
    for (int k = 0; k < info.rows * 10; k++)
        dropped += net->L[0].mask.v[k] == 0;
    assert_true(moved > tr.n_train / 2);
    assert_true(dropped > info.rows * 10 / 4);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * History, settings, probes
 * ------------------------------------------------------------------------ */

static void test_history(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.opt.lr = 0.2;
    tr.sched.kind = NN_SCHED_INVERSE; /* lr 0.2, 0.1, 0.0667 per epoch */
    bind_ok(&tr, net, d);
    run(&tr, 4 * 3, -1); /* three epochs of four batches */
    nn_history *h = &tr.hist;
    assert_int_equal(tr.iter, 12);
    assert_int_equal(tr.epoch, 3);
    assert_int_equal(h->n, 12);
    assert_int_equal(h->ne, 3);
    assert_int_equal(h->n_layers, 3);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(h->iter[i], i + 1);
        assert_int_equal(h->epoch[i], i / 4 + 1);
        assert_close(h->lr[i], 0.2 / (1 + i / 4), 1e-15);
        assert_true(isfinite(h->loss[i]) && h->loss[i] > 0);
        for (int l = 0; l < 3; l++) {
            assert_true(h->w_var[i * 3 + l] > 0);
            assert_true(h->g_norm[i * 3 + l] > 0);
            assert_true(h->update_ratio[i * 3 + l] > 0);
            assert_true(h->g_var[i * 3 + l] > 0);
            assert_true(isfinite(h->w_mean[i * 3 + l]));
        }
    }
    for (int e = 0; e < 3; e++) {
        assert_int_equal(h->e_iter[e], 4 * (e + 1));
        assert_int_equal(h->e_epoch[e], e + 1);
        assert_close(h->e_lr[e], 0.2 / (1 + e), 1e-15);
        assert_true(h->train_loss[e] > 0 && h->dev_loss[e] > 0);
        assert_true(h->train_acc[e] >= 0 && h->train_acc[e] <= 1);
        assert_true(h->dev_acc[e] >= 0 && h->dev_acc[e] <= 1);
    }
    assert_close(nn_trainer_lr(&tr), 0.2 / 4, 1e-15);
    /* the recorded loss is the cost before the update */
    assert_true(h->loss[11] == tr.last_loss);
    /* first_loss is the initial network's cost over (up to 512) training
     * examples, not one batch's: recompute it from a fresh copy */
    {
        nn_trainer t2;
        nn_net *fresh = nn_net_clone(net, NULL);
        nn_net_init(fresh, 1, 0);
        nn_net_init(net, 1, 0);
        nn_trainer_init(&t2);
        t2.batch = tr.batch;
        bind_ok(&t2, fresh, d);
        nn_step_info first;
        step_ok(&t2, &first);
        int m = nn_data_count(d, NN_TRAIN);
        double *X = malloc((size_t)m * 2 * sizeof *X);
        double *Y = malloc((size_t)m * sizeof *Y);
        nn_data_fill(d, NN_TRAIN, NULL, m, X, Y, 1);
        nn_net_forward(net, X, m, 1, NULL);
        assert_close(t2.first_loss, nn_net_cost(net, Y, 1), 1e-12);
        free(X);
        free(Y);
        nn_trainer_free(&t2);
        nn_net_free(fresh);
    }
    /* restart: history, counters and moments cleared, weights kept */
    nn_net *w = nn_net_clone(net, NULL);
    tr.opt.kind = NN_OPT_ADAM;
    run(&tr, 2, -1);
    nn_net_copy_weights(w, net);
    nn_trainer_restart(&tr);
    assert_true(tu_same_weights(w, net));
    assert_true(tr.iter == 0 && tr.epoch == 0 && tr.hist.n == 0 &&
                tr.hist.ne == 0 && tr.opt.t == 0 && isnan(tr.first_loss));
    for (int i = 0; i < net->n_params; i++)
        for (int k = 0; k < nn_mat_size(&net->params[i]->v); k++)
            assert_true(net->params[i]->v.v[k] == 0 &&
                        net->params[i]->s.v[k] == 0);
    nn_net_free(w);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* A long run keeps its history in the memory sized at bind: when the
 * records are full every other one goes, so they span the whole run
 * evenly, and the last record is always the latest update and epoch. */
static void test_history_bounded(void **state)
{
    (void)state;
    nn_data *d = tu_data("xor", 40, 0, 1);
    const int sizes[] = { 2, 3, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.batch = 0; /* every update is an epoch: both kinds of record thin */
    bind_ok(&tr, net, d);
    nn_history *h = &tr.hist;
    const long *iter = h->iter;
    int cap = h->cap, ecap = h->ecap;
    long n = 2L * cap + 777;
    run(&tr, n, -1);
    assert_ptr_equal(h->iter, iter); /* nothing reallocated */
    assert_true(h->n <= cap && h->n > cap / 4);
    assert_true(h->ne <= ecap && h->ne > ecap / 4);
    assert_true(h->stride >= 4 && h->e_stride >= 4);
    assert_int_equal(h->iter[h->n - 1], n);
    assert_int_equal(h->e_epoch[h->ne - 1], n);
    assert_true(h->loss[h->n - 1] == tr.last_loss);
    for (int i = 0; i + 1 < h->n - 1; i++)
        assert_int_equal(h->iter[i + 1] - h->iter[i], h->stride);
    for (int i = 0; i + 1 < h->ne - 1; i++)
        assert_int_equal(h->e_epoch[i + 1] - h->e_epoch[i], h->e_stride);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* Settings change between steps; a bigger batch needs no new bind. */
static void test_settings_between_steps(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    tr.batch = 8;
    bind_ok(&tr, net, d);
    step_ok(&tr, &info);
    assert_int_equal(info.rows, 8);
    tr.batch = 0; /* the whole rest of the epoch now */
    step_ok(&tr, &info);
    assert_int_equal(info.rows, 210 - 8);
    step_ok(&tr, &info);
    assert_int_equal(info.rows, 210);
    tr.batch = 100;
    tr.opt.lr = 0.5;
    tr.opt.kind = NN_OPT_MOMENTUM;
    step_ok(&tr, &info);
    assert_int_equal(info.rows, 100);
    assert_true(info.lr == 0.5);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* Rebinding to a deeper network: the history starts again and fits it. */
static void test_rebind_other_net(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 60, 0, 1);
    const int small[] = { 2, 1 }, deep[] = { 2, 4, 4, 4, 4, 1 };
    nn_net *a = tu_net(small, 2, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                       NULL, 1);
    nn_net *b = tu_net(deep, 6, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                       NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.batch = 0;
    bind_ok(&tr, a, d);
    run(&tr, 3, -1);
    assert_int_equal(tr.hist.n, 3);
    bind_ok(&tr, b, d);
    assert_int_equal(tr.hist.n, 0);
    assert_int_equal(tr.hist.n_layers, 5);
    run(&tr, 1100, -1); /* past the first growth of the history */
    assert_int_equal(tr.hist.n, 1100);
    for (int i = 0; i < 1100; i++)
        for (int l = 0; l < 5; l++)
            assert_true(tr.hist.w_var[i * 5 + l] >= 0);
    nn_trainer_free(&tr);
    nn_net_free(a);
    nn_net_free(b);
    nn_data_free(d);
}

static void test_probe_cost(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    net->L[1].keep = 0.5;
    net->reg = NN_REG_L2;
    net->lambda = 0.1;
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    tr.batch = 50;
    assert_true(isnan(nn_trainer_probe_cost(&tr, 10))); /* unbound */
    bind_ok(&tr, net, d);
    step_ok(&tr, &info);
    nn_net *saved = nn_net_clone(net, NULL);
    double c = nn_trainer_probe_cost(&tr, 50);
    /* the same as a plain training-mode pass without dropout */
    nn_net_forward(saved, tr.X, 50, 1, NULL);
    assert_true(c == nn_net_cost(saved, tr.Y, 1));
    nn_net_copy_weights(saved, net);
    assert_true(nn_trainer_probe_cost(&tr, 50) == c);
    assert_true(tu_same_weights(saved, net)); /* running stats untouched */
    assert_true(isnan(nn_trainer_probe_cost(&tr, 0)));
    assert_true(isfinite(nn_trainer_probe_cost(&tr, 1000))); /* clipped */
    nn_net_free(saved);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Guard and early stopping
 * ------------------------------------------------------------------------ */

static void test_divergence_guard(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    const int sizes[] = { 2, 10, 1 };
    for (int guard = 1; guard >= 0; guard--) {
        nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_LINEAR,
                             NN_LOSS_MSE, NULL, 1);
        nn_trainer tr;
        nn_step_info info;
        nn_trainer_init(&tr);
        tr.opt.lr = 10;
        tr.guard = guard;
        bind_ok(&tr, net, d);
        int st = NN_STEP_OK;
        long i;
        for (i = 0; i < 50 && st != NN_STEP_DIVERGED; i++)
            st = step_ok(&tr, &info);
        if (guard) {
            assert_int_equal(st, NN_STEP_DIVERGED);
            assert_true(tr.stop_iter == info.iter);
            assert_true(tr.iter == info.iter - 1); /* no update made */
            assert_true(!isfinite(info.loss) ||
                        info.loss > 3 * tr.first_loss);
        } else {
            assert_int_equal(i, 50);
            assert_true(st != NN_STEP_DIVERGED);
            assert_true(tr.iter == 50);
        }
        nn_trainer_free(&tr);
        nn_net_free(net);
    }
    /* No false alarm on noisy mini-batches: a sigmoid net with momentum
     * at lr 10 and batch 8 bounces (single batches cost several times the
     * first one) but does learn; the guard, which averages over a few
     * batches, lets it. */
    nn_net *net = tu_net(CIRCLES_NET, 4, NN_ACT_SIGMOID, NN_ACT_SIGMOID,
                         NN_LOSS_BCE, NULL, 1);
    nn_trainer tr;
    double loss, acc;
    nn_trainer_init(&tr);
    tr.opt.lr = 10;
    tr.opt.kind = NN_OPT_MOMENTUM;
    tr.batch = 8;
    bind_ok(&tr, net, d);
    assert_true(run(&tr, 1500, NN_STEP_DIVERGED) != NN_STEP_DIVERGED);
    assert_int_equal(nn_trainer_evaluate(&tr, NN_TRAIN, &loss, &acc, NULL), 0);
    assert_true(acc > 0.8);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* The penalty of a mini-batch is lambda/(2N) sum W^2 with N the training
 * examples, not the batch's rows: every batch estimates the one cost of
 * the whole set, so lambda means the same at every batch size and the
 * guard, whose reference is measured over many rows, sees no jump. */
static void test_penalty_uses_training_size(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    int batches[] = { 1, 8, 16, 0 };
    for (int b = 0; b < 4; b++) {
        nn_net *net = circles_net(NULL, 3);
        nn_trainer tr;
        nn_step_info info;
        nn_trainer_init(&tr);
        tr.batch = batches[b];
        net->reg = NN_REG_L2;
        net->lambda = 1;
        bind_ok(&tr, net, d);
        nn_net *before = nn_net_clone(net, NULL);
        step_ok(&tr, &info);
        /* the recorded cost is the batch's data loss plus the whole set's
         * penalty, of the weights before the update */
        nn_net_forward(before, tr.X, info.rows, 1, NULL);
        before->reg_m = tr.n_train;
        assert_close(info.loss, nn_net_cost(before, tr.Y, 1), 1e-12);
        assert_close(info.loss - nn_net_cost(before, tr.Y, 0),
                     nn_net_penalty(before, tr.n_train), 1e-12);
        nn_net_free(before);
        assert_true(run(&tr, 600, NN_STEP_DIVERGED) != NN_STEP_DIVERGED);
        nn_trainer_free(&tr);
        nn_net_free(net);
    }
    nn_data_free(d);
}

/* Adam at 0.01 for n updates: circles learned, no guard stop on the way. */
static void train_circles_well(nn_trainer *tr, nn_net *net, const nn_data *d,
                               long n)
{
    nn_trainer_init(tr);
    tr->opt.kind = NN_OPT_ADAM;
    tr->opt.lr = 0.01;
    bind_ok(tr, net, d);
    assert_true(run(tr, n, NN_STEP_DIVERGED) != NN_STEP_DIVERGED);
}

/* Dropout switched on in a trained net makes every batch cost many times
 * the net's first loss without any divergence: the guard measures a new
 * reference instead of stopping, and still catches a real divergence. */
static void test_guard_after_dropout_change(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 3);
    nn_trainer tr;
    train_circles_well(&tr, net, d, 2000);
    for (int i = 0; i < net->n_layers - 1; i++)
        net->L[i].keep = 0.3;
    nn_trainer_guard_rebase(&tr);
    assert_true(run(&tr, 300, NN_STEP_DIVERGED) != NN_STEP_DIVERGED);
    assert_false(tr.guard_settling);
    assert_true(tr.guard_ref >= tr.first_loss);
    tr.opt.lr = 1e4; /* now a real divergence */
    assert_int_equal(run(&tr, 300, NN_STEP_DIVERGED), NN_STEP_DIVERGED);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* A trained network started over (as after load) has a tiny first loss,
 * and its noisy small-batch costs pass three times it at once: the
 * guard's reference does not go below an uninformed network's loss
 * (ln 2 for one sigmoid output), and a real divergence still stops it. */
static void test_guard_floor_after_restart(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 3);
    nn_trainer tr;
    train_circles_well(&tr, net, d, 3000);
    nn_trainer_restart(&tr);
    tr.batch = 4;
    assert_true(run(&tr, 400, NN_STEP_DIVERGED) != NN_STEP_DIVERGED);
    assert_true(tr.first_loss < 0.1);
    assert_close(tr.guard_floor, log(2.0), 1e-15);
    assert_close(nn_trainer_guard_ref(&tr), log(2.0), 1e-15);
    tr.opt.lr = 1e4;
    assert_int_equal(run(&tr, 300, NN_STEP_DIVERGED), NN_STEP_DIVERGED);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

static void test_early_stopping(void **state)
{
    (void)state;
    nn_data *d = tu_data("moons", 80, 0, 3);
    const int sizes[] = { 2, 64, 64, 1 };
    nn_net *net = tu_net(sizes, 4, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 3);
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.opt.kind = NN_OPT_ADAM;
    tr.opt.lr = 0.01;
    tr.batch = 0;
    tr.early = 1;
    tr.patience = 5;
    bind_ok(&tr, net, d);
    int st = run(&tr, 5000, NN_STEP_EARLY);
    assert_int_equal(st, NN_STEP_EARLY);
    assert_true(tr.stop_iter == tr.iter);
    assert_int_equal(tr.epoch - tr.best_epoch, 5);
    double loss, acc;
    assert_int_equal(nn_trainer_evaluate(&tr, NN_DEV, &loss, &acc, NULL), 0);
    assert_true(loss == tr.best_dev); /* the best weights are back */
    /* every dev loss recorded after the best was no better */
    for (int e = 0; e < tr.hist.ne; e++)
        assert_true(tr.hist.dev_loss[e] >= tr.best_dev);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* Early stopping across an architecture change of the same depth: the
 * stored best copy must not be overwritten with other shapes. */
static void test_early_stopping_after_reshape(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 100, 0, 3);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.batch = 0;
    tr.early = 1;
    bind_ok(&tr, net, d);
    run(&tr, 3, -1);
    assert_non_null(tr.best);
    /* 2-10-5-1 → 2-10-1 → 2-10-40-1: three layers again, other shapes */
    assert_int_equal(nn_net_delete(net, 2, 1, NULL), 0);
    assert_int_equal(nn_net_insert(net, 2, 40, NN_ACT_RELU, 0, 1, NULL), 0);
    bind_ok(&tr, net, d);
    nn_trainer_restart(&tr);
    run(&tr, 3, -1);
    assert_int_equal(tr.best->L[1].out, 40);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Binding and errors
 * ------------------------------------------------------------------------ */

static void test_bind_errors(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = tu_data("circles", 60, 0, 1);
    const int three_in[] = { 3, 4, 1 }, three_out[] = { 2, 4, 3 };
    nn_net *good = circles_net(NULL, 1);
    nn_net *bad_in = tu_net(three_in, 3, NN_ACT_RELU, NN_ACT_SIGMOID,
                            NN_LOSS_BCE, NULL, 1);
    nn_net *bad_out = tu_net(three_out, 3, NN_ACT_RELU, NN_ACT_SOFTMAX,
                             NN_LOSS_XENT, NULL, 1);
    nn_trainer tr;
    nn_step_info info;
    double loss, acc;
    nn_trainer_init(&tr);
    assert_int_equal(nn_trainer_step(&tr, &info, &err), -1);
    assert_non_null(strstr(err.msg, "no network"));
    assert_int_equal(nn_trainer_evaluate(&tr, NN_DEV, &loss, &acc, &err), -1);
    assert_int_equal(nn_trainer_bind(&tr, NULL, d, &err), -1);
    assert_non_null(strstr(err.msg, "no network"));
    assert_int_equal(nn_trainer_bind(&tr, good, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "no data"));
    assert_int_equal(nn_trainer_bind(&tr, bad_in, d, &err), -1);
    assert_non_null(strstr(err.msg, "3 inputs"));
    assert_null(tr.net);
    assert_int_equal(nn_trainer_bind(&tr, bad_out, d, &err), -1);
    assert_non_null(strstr(err.msg, "3 outputs"));
    bind_ok(&tr, good, d);
    assert_int_equal(nn_trainer_bind(&tr, bad_in, d, NULL), -1);
    assert_null(tr.net); /* a failed bind unbinds */
    assert_int_equal(nn_trainer_step(&tr, &info, NULL), -1);
    /* unlabelled data: nothing to train on */
    nn_data *g = tu_data("gauss", 50, 0, 1);
    int gd = nn_data_features(g);
    const int gs[] = { gd, 3, 1 };
    nn_net *gn = tu_net(gs, 3, NN_ACT_TANH, NN_ACT_LINEAR, NN_LOSS_NONE,
                        NULL, 1);
    bind_ok(&tr, gn, g);
    assert_int_equal(nn_trainer_step(&tr, &info, &err), -1);
    assert_non_null(strstr(err.msg, "labels"));
    assert_int_equal(nn_trainer_evaluate(&tr, NN_TRAIN, &loss, &acc, &err), 0);
    assert_true(isnan(loss) && isnan(acc));
    nn_trainer_free(&tr);
    nn_trainer_free(&tr); /* twice is harmless */
    nn_net_free(gn);
    nn_data_free(g);
    nn_net_free(good);
    nn_net_free(bad_in);
    nn_net_free(bad_out);
    nn_data_free(d);
}

/* Binary cross-entropy on real-valued targets has no minimum: with a
 * target of 1.05 the cost ran off to −1e24 while the guard, which looks
 * for NaN and growth, said nothing.  The bind refuses the pair, giving
 * the targets' range and the loss that fits. */
static void test_bce_on_regression(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv("tests/fixtures/regress.csv",
                                  NN_LABEL_LAST, NN_HEADER_AUTO, 1, &err);
    if (!d)
        fail_msg("%s", err.msg);
    assert_int_equal(nn_data_task(d), NN_TASK_REGRESS);
    const int sizes[] = { 1, 4, 1 };
    nn_net *bce = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    nn_net *mse = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_LINEAR, NN_LOSS_MSE,
                         NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    assert_int_equal(nn_trainer_bind(&tr, bce, d, &err), -1);
    assert_null(tr.net);
    if (!strstr(err.msg, "loss=bce needs targets 0 or 1") ||
        !strstr(err.msg, "from 0.13 to 1.05") ||
        !strstr(err.msg, "use loss=mse"))
        fail_msg("message: %s", err.msg);
    bind_ok(&tr, mse, d);
    double lo, hi;
    nn_data_target_range(d, &lo, &hi);
    assert_close(lo, 0.13, 1e-6);
    assert_close(hi, 1.05, 1e-6);
    /* bce on two classes is what it is for */
    nn_data *c = tu_data("circles", 60, 0, 1);
    nn_net *good = circles_net(NULL, 1);
    bind_ok(&tr, good, c);
    nn_data_target_range(c, &lo, &hi);
    assert_true(lo == 0 && hi == 0);
    nn_trainer_free(&tr);
    nn_net_free(good);
    nn_net_free(bce);
    nn_net_free(mse);
    nn_data_free(c);
    nn_data_free(d);
}

/* Ctrl-C during the evaluation of a split: -1, "interrupted", no
 * figures.  The evaluation of dev at the end of a training epoch does not
 * poll: its update is made, and the caller polls between steps. */
static void test_evaluate_interrupted(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 2000, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_err err = {{0}};
    nn_step_info info;
    double loss = 0, acc = 0;
    volatile sig_atomic_t flag = 1;
    nn_trainer_init(&tr);
    tr.batch = 0;
    bind_ok(&tr, net, d);
    nn_set_cancel(&flag);
    assert_int_equal(nn_trainer_evaluate(&tr, NN_TRAIN, &loss, &acc, &err),
                     -1);
    assert_non_null(strstr(err.msg, "evaluation interrupted after 0 of"));
    assert_true(isnan(loss) && isnan(acc));
    assert_int_equal(nn_trainer_step(&tr, &info, &err), NN_STEP_EPOCH);
    nn_set_cancel(NULL);
    assert_int_equal(tr.epoch, 1);
    assert_int_equal(tr.hist.ne, 1);
    assert_false(isnan(tr.hist.dev_loss[0]));
    assert_int_equal(nn_trainer_evaluate(&tr, NN_TRAIN, &loss, &acc, &err),
                     0);
    assert_true(acc > 0);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

static void test_accuracy_function(void **state)
{
    (void)state;
    const double o1[] = { 0.7, 0.2, 0.5, 0.49 }, y1[] = { 1, 0, 0, 1 };
    assert_close(nn_accuracy(o1, y1, 4, 1), 0.5, 0);
    const double o3[] = { 0.1, 0.7, 0.2, 0.5, 0.3, 0.2 };
    const double y3[] = { 0, 1, 0, 0, 0, 1 };
    assert_close(nn_accuracy(o3, y3, 2, 3), 0.5, 0);
    assert_true(isnan(nn_accuracy(o3, y3, 0, 3)));
}

/* ------------------------------------------------------------------------
 * The classic results
 * ------------------------------------------------------------------------ */

/* Zero weights: a ReLU net learns nothing but the output bias (50% on
 * balanced circles); the hidden units of a layer never differ. */
static void test_zero_init_stays_symmetric(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_init_spec zeros = { NN_INIT_ZEROS, 0, 1 };
    nn_net *net = circles_net(&zeros, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.batch = 0;
    tr.opt.lr = 0.5;
    bind_ok(&tr, net, d);
    run(&tr, 300, -1);
    assert_close(accuracy(&tr, NN_TRAIN), 0.5, 0.01);
    assert_close(accuracy(&tr, NN_DEV), 0.5, 0.05);
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < nn_mat_size(&net->L[l].W.w); k++)
            assert_true(net->L[l].W.w.v[k] == 0);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* Constant weights with tanh: units move, but in lock step (up to the
 * last bits: BLAS kernels may sum different units in different orders). */
static void test_const_init_stays_symmetric(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_init_spec c = { NN_INIT_CONST, 0.3, 1 };
    nn_net *net = tu_net(CIRCLES_NET, 4, NN_ACT_TANH, NN_ACT_SIGMOID,
                         NN_LOSS_BCE, &c, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.opt.kind = NN_OPT_ADAM;
    bind_ok(&tr, net, d);
    run(&tr, 200, -1);
    for (int l = 0; l < 3; l++) {
        const nn_layer *L = &net->L[l];
        for (int j = 1; j < L->out; j++) {
            for (int k = 0; k < L->in; k++)
                assert_close(L->W.w.v[j * L->in + k], L->W.w.v[k],
                             1e-12 * fabs(L->W.w.v[k]));
            assert_close(L->b.w.v[j], L->b.w.v[0], 1e-12);
        }
    }
    assert_true(net->L[0].W.w.v[0] != 0.3); /* they did move */
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* The first softmax loss with tiny weights is ln C. */
static void check_first_loss(nn_data *d, int hidden)
{
    int k = nn_data_classes(d);
    const int sizes[] = { nn_data_features(d), hidden, k };
    nn_init_spec small = { NN_INIT_NORMAL, 0.001, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         &small, 1);
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    tr.batch = 0;
    bind_ok(&tr, net, d);
    step_ok(&tr, &info);
    if (!(fabs(info.loss - log(k)) <= 0.02 * log(k)))
        fail_msg("first loss %g, want ln %d = %g", info.loss, k, log(k));
    nn_trainer_free(&tr);
    nn_net_free(net);
}

static void test_first_softmax_loss(void **state)
{
    (void)state;
    nn_data *b = tu_data("blobs", 1000, 10, 1);
    assert_int_equal(nn_data_classes(b), 10);
    check_first_loss(b, 20);
    nn_data_free(b);
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv("data/digits.csv.gz", NN_LABEL_LAST,
                                  NN_HEADER_AUTO, 1, &err);
    if (!d)
        fail_msg("digits: %s", err.msg);
    assert_int_equal(nn_data_classes(d), 10);
    nn_data_normalize(d, 1);
    check_first_loss(d, 32);
    nn_data_free(d);
}

/* A small net memorizes 20 examples. */
static void test_overfit_twenty(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = tu_data("circles", 300, 0, 1);
    assert_int_equal(nn_data_subset(d, 20, &err), 0);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 20);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.batch = 0;
    tr.opt.kind = NN_OPT_ADAM;
    tr.opt.lr = 0.01;
    bind_ok(&tr, net, d);
    run(&tr, 400, -1);
    assert_close(accuracy(&tr, NN_TRAIN), 1.0, 0);
    assert_true(tr.last_loss < 0.1 * tr.first_loss);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* He initialization solves circles where zero initialization (above)
 * cannot: the lesson's classic, full-batch gradient descent at lr 0.01 for
 * 15000 iterations (about 0.9 s at -O2). */
static void test_he_solves_circles(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.batch = 0;
    tr.opt.kind = NN_OPT_GD;
    tr.opt.lr = 0.01;
    bind_ok(&tr, net, d);
    run(&tr, 15000, -1);
    double tra = accuracy(&tr, NN_TRAIN), dev = accuracy(&tr, NN_DEV);
    if (!(tra >= 0.98 && dev >= 0.95))
        fail_msg("He init on circles: train %.3f dev %.3f", tra, dev);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* Adam beats plain mini-batch gradient descent at a small learning rate. */
static double moons_loss(nn_optim_kind kind)
{
    nn_data *d = tu_data("moons", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.opt.kind = kind;
    tr.opt.lr = 0.001;
    tr.batch = 32;
    bind_ok(&tr, net, d);
    run(&tr, 7 * 100, -1); /* 100 epochs */
    double loss, acc;
    assert_int_equal(nn_trainer_evaluate(&tr, NN_TRAIN, &loss, &acc, NULL), 0);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
    return loss;
}

static void test_adam_beats_gd(void **state)
{
    (void)state;
    double gd = moons_loss(NN_OPT_GD), adam = moons_loss(NN_OPT_ADAM);
    if (!(adam < 0.75 * gd))
        fail_msg("moons after 100 epochs: adam %g vs gd %g", adam, gd);
}


/* ------------------------------------------------------------------------
 * Regression evaluation, new losses, sparsity
 * ------------------------------------------------------------------------ */

/* y = 0.5·x + 0.25 for x = 0..99 (non-integer targets: regression), all
 * of it the training split. */
static nn_data *line_data(void)
{
    char dir[64], path[128];
    nn_err err = {{0}};
    assert_int_equal(tu_tmpdir_make(dir, sizeof dir, "test-train"), 0);
    snprintf(path, sizeof path, "%s/line.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "x,y\n");
    for (int x = 0; x < 100; x++)
        fprintf(f, "%d,%.2f\n", x, 0.5 * x + 0.25);
    assert_int_equal(fclose(f), 0);
    nn_data *d = nn_data_load_csv(path, NN_LABEL_LAST, NN_HEADER_AUTO, 1,
                                  &err);
    tu_tmpdir_remove(dir);
    if (!d)
        fail_msg("line.csv: %s", err.msg);
    assert_int_equal(nn_data_task(d), NN_TASK_REGRESS);
    assert_int_equal(nn_data_split(d, 100, 0, 0, 1, 1, &err), 0);
    return d;
}

/* A 1-1 linear net that predicts 0.51·x + 0.25: residuals 0.01·x. */
static nn_net *line_net(nn_loss loss, double delta)
{
    const int sizes[] = { 1, 1 };
    nn_err err = {{0}};
    nn_net *net = tu_net(sizes, 2, NN_ACT_LINEAR, NN_ACT_LINEAR, loss, NULL,
                         1);
    assert_int_equal(nn_net_set_loss(net, loss, delta, &err), 0);
    net->L[0].W.w.v[0] = 0.51;
    net->L[0].b.w.v[0] = 0.25;
    return net;
}

static void test_evaluate_regression(void **state)
{
    (void)state;
    nn_data *d = line_data();
    nn_trainer tr;
    nn_eval ev;
    nn_err err = {{0}};
    double sum = 0, sq = 0, hub = 0;
    for (int x = 0; x < 100; x++) {
        double r = 0.01 * x;
        sum += r;
        sq += r * r;
        hub += r <= 0.3 ? 0.5 * r * r : 0.3 * (r - 0.15);
    }
    nn_trainer_init(&tr);
    nn_net *net = line_net(NN_LOSS_MSE, 0);
    bind_ok(&tr, net, d);
    assert_int_equal(nn_trainer_evaluate_full(&tr, NN_TRAIN, &ev, &err), 0);
    assert_int_equal(ev.rows, 100);
    assert_true(isnan(ev.acc));
    assert_close(ev.mae, sum / 100, 1e-12);       /* 0.495 */
    assert_close(ev.rmse, sqrt(sq / 100), 1e-12); /* 0.01·√3283.5 */
    assert_close(ev.loss, sq / 200, 1e-12);
    double loss, acc;
    assert_int_equal(nn_trainer_evaluate(&tr, NN_TRAIN, &loss, &acc, &err), 0);
    assert_true(loss == ev.loss && isnan(acc));
    /* an empty split: nothing measured */
    assert_int_equal(nn_trainer_evaluate_full(&tr, NN_DEV, &ev, &err), 0);
    assert_true(ev.rows == 0 && isnan(ev.loss) && isnan(ev.rmse) &&
                isnan(ev.mae));
    nn_net_free(net);
    /* the loss is the network's own: mae, huber with δ = 0.3 */
    net = line_net(NN_LOSS_MAE, 0);
    bind_ok(&tr, net, d);
    assert_int_equal(nn_trainer_evaluate_full(&tr, NN_TRAIN, &ev, &err), 0);
    assert_close(ev.loss, ev.mae, 1e-15);
    nn_net_free(net);
    net = line_net(NN_LOSS_HUBER, 0.3);
    bind_ok(&tr, net, d);
    assert_int_equal(nn_trainer_evaluate_full(&tr, NN_TRAIN, &ev, &err), 0);
    assert_close(ev.loss, hub / 100, 1e-12);
    assert_close(ev.rmse, sqrt(sq / 100), 1e-12);
    nn_trainer_free(&tr);
    nn_trainer_init(&tr);
    assert_int_equal(nn_trainer_evaluate_full(&tr, NN_TRAIN, &ev, &err), -1);
    assert_non_null(strstr(err.msg, "no network"));
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* For classification the full evaluation is nn_trainer_evaluate, bit for
 * bit, with no regression figures. */
static void test_evaluate_full_classify(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    nn_trainer tr;
    nn_eval ev;
    double loss, acc;
    nn_trainer_init(&tr);
    bind_ok(&tr, net, d);
    run(&tr, 30, -1);
    for (int s = 0; s < 3; s++) {
        assert_int_equal(nn_trainer_evaluate_full(&tr, (nn_split)s, &ev,
                                                  NULL), 0);
        assert_int_equal(nn_trainer_evaluate(&tr, (nn_split)s, &loss, &acc,
                                             NULL), 0);
        assert_memory_equal(&ev.loss, &loss, sizeof loss);
        assert_memory_equal(&ev.acc, &acc, sizeof acc);
        assert_int_equal(ev.rows, nn_data_count(d, (nn_split)s));
        assert_true(isnan(ev.rmse) && isnan(ev.mae));
    }
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* The guard's floor is the loss of predicting 0: mean |y| for mae, the
 * mean Huber loss of y for huber (y >= 0.25 > δ = 0.2: δ·(y − δ/2)). */
static void test_guard_floor_new_losses(void **state)
{
    (void)state;
    nn_data *d = line_data();
    nn_trainer tr;
    nn_step_info info;
    double mean_y = 0.5 * 49.5 + 0.25;
    const nn_loss losses[] = { NN_LOSS_MAE, NN_LOSS_HUBER };
    const double want[] = { mean_y, 0.2 * (mean_y - 0.1) };
    for (int i = 0; i < 2; i++) {
        nn_net *net = line_net(losses[i], 0.2);
        nn_trainer_init(&tr);
        tr.opt.lr = 1e-4;
        bind_ok(&tr, net, d);
        assert_true(step_ok(&tr, &info) >= 0);
        assert_close(tr.guard_floor, want[i], 1e-9);
        run(&tr, 50, -1);
        assert_true(isfinite(tr.last_loss) && tr.last_loss < tr.first_loss);
        nn_trainer_free(&tr);
        nn_net_free(net);
    }
    nn_data_free(d);
}

/* Early stopping's copy of the best weights holds PReLU slopes too. */
static void test_copy_weights_slopes(void **state)
{
    (void)state;
    const int sizes[] = { 2, 4, 3, 1 };
    nn_net *a = tu_net(sizes, 4, NN_ACT_PRELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                       NULL, 1);
    nn_net *b = tu_net(sizes, 4, NN_ACT_PRELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                       NULL, 2);
    a->L[1].alpha.w.v[2] = 0.9;
    assert_false(tu_same_weights(a, b));
    nn_net_copy_weights(b, a);
    assert_true(tu_same_weights(a, b));
    assert_true(b->L[1].alpha.w.v[2] == 0.9);
    nn_net_free(a);
    nn_net_free(b);
}

/* Digits, 64-32-10 ReLU, 60 epochs of momentum at lr 0.1: the share of
 * weights with |w| < 1e-3 under L2 (λ = 1), L1 (λ = 1) and elastic net
 * (λ1 = λ2 = 1), measured and printed.  L1's constant pull takes the
 * weights of uninformative pixels (the blank border) to 0, where L2's
 * proportional pull leaves them small but not tiny. */
typedef struct { double dev, small, zero; } sparsity;

static sparsity train_digits(nn_data *d, nn_reg reg, double l1, double l2)
{
    const int sizes[] = { 64, 32, 10 };
    nn_err err = {{0}};
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, 1);
    assert_int_equal(nn_net_set_reg(net, reg, reg == NN_REG_L2 ? l2 : l1,
                                    reg == NN_REG_ELASTIC ? l2 : 0, &err), 0);
    nn_trainer tr;
    nn_trainer_init(&tr);
    tr.opt.kind = NN_OPT_MOMENTUM;
    tr.opt.lr = 0.1;
    tr.batch = 64;
    bind_ok(&tr, net, d);
    run(&tr, 60L * nn_trainer_iters_per_epoch(&tr), -1);
    sparsity out = { accuracy(&tr, NN_DEV), 0, 0 };
    long n = 0;
    for (int l = 0; l < net->n_layers; l++) {
        nn_layer_stats st;
        int size = nn_mat_size(&net->L[l].W.w);
        nn_stats_weights(net, l, &st);
        out.small += st.w_small * size;
        out.zero += st.w_zero * size;
        n += size;
    }
    out.small /= n;
    out.zero /= n;
    nn_trainer_free(&tr);
    nn_net_free(net);
    return out;
}

static void test_l1_sparsity_on_digits(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv("data/digits.csv.gz", NN_LABEL_LAST,
                                  NN_HEADER_AUTO, 1, &err);
    if (!d)
        fail_msg("digits: %s", err.msg);
    nn_data_normalize(d, 1);
    sparsity l2 = train_digits(d, NN_REG_L2, 0, 1);
    sparsity l1 = train_digits(d, NN_REG_L1, 1, 0);
    sparsity en = train_digits(d, NN_REG_ELASTIC, 1, 1);
    printf("# measured: digits 64-32-10, 60 epochs: |w| < 1e-3 in %.1f%% "
           "(l2 1), %.1f%% (l1 1), %.1f%% (elastic 1 1) of the weights\n",
           100 * l2.small, 100 * l1.small, 100 * en.small);
    printf("# measured: dev accuracy %.3f (l2), %.3f (l1), %.3f (elastic); "
           "exact zeros %.1f%%, %.1f%%, %.1f%%\n", l2.dev, l1.dev, en.dev,
           100 * l2.zero, 100 * l1.zero, 100 * en.zero);
    assert_true(l2.dev > 0.93 && l1.dev > 0.93 && en.dev > 0.93);
    assert_true(fabs(l1.dev - l2.dev) < 0.03 && fabs(en.dev - l2.dev) < 0.03);
    if (!(l1.small > 10 * l2.small + 0.1 && en.small > 10 * l2.small + 0.1))
        fail_msg("near-zero shares: l2 %g, l1 %g, elastic %g", l2.small,
                 l1.small, en.small);
    nn_data_free(d);
}

/* What step shows with dropout on: before (the update's own cost, with
 * its masks) and after with the same masks.  At lr 0 they are equal, bit
 * for bit, where the cost without dropout differs (the old "after"); at a
 * small rate the cost the update differentiated goes down. */
static void test_probe_same_mask(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net(NULL, 1);
    net->L[0].keep = 0.5;
    net->L[1].keep = 0.8;
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    tr.batch = 50;
    tr.opt.lr = 0;
    assert_true(isnan(nn_trainer_probe_cost_same_mask(&tr, 10)));
    bind_ok(&tr, net, d);
    step_ok(&tr, &info);
    double same = nn_trainer_probe_cost_same_mask(&tr, info.rows);
    double plain = nn_trainer_probe_cost(&tr, info.rows);
    assert_true(same == info.loss);
    assert_true(fabs(plain - info.loss) > 1e-3);
    print_message("# lr 0 with dropout: before %.6f, after with the same "
                  "masks %.6f, without dropout %.6f\n", info.loss, same,
                  plain);
    tr.opt.lr = 0.01;
    int drops = 0;
    for (int i = 0; i < 20; i++) {
        step_ok(&tr, &info);
        drops += nn_trainer_probe_cost_same_mask(&tr, info.rows) < info.loss;
    }
    assert_int_equal(drops, 20);
    /* without dropout it is nn_trainer_probe_cost */
    net->L[0].keep = net->L[1].keep = 1;
    step_ok(&tr, &info);
    assert_true(nn_trainer_probe_cost_same_mask(&tr, info.rows) ==
                nn_trainer_probe_cost(&tr, info.rows));
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_epoch_is_permutation),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_fresh_trainer_is_random),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_history_bounded),
        cmocka_unit_test(test_settings_between_steps),
        cmocka_unit_test(test_rebind_other_net),
        cmocka_unit_test(test_probe_cost),
        cmocka_unit_test(test_probe_same_mask),
        cmocka_unit_test(test_divergence_guard),
        cmocka_unit_test(test_penalty_uses_training_size),
        cmocka_unit_test(test_guard_after_dropout_change),
        cmocka_unit_test(test_guard_floor_after_restart),
        cmocka_unit_test(test_early_stopping),
        cmocka_unit_test(test_early_stopping_after_reshape),
        cmocka_unit_test(test_bind_errors),
        cmocka_unit_test(test_bce_on_regression),
        cmocka_unit_test(test_evaluate_interrupted),
        cmocka_unit_test(test_accuracy_function),
        cmocka_unit_test(test_zero_init_stays_symmetric),
        cmocka_unit_test(test_const_init_stays_symmetric),
        cmocka_unit_test(test_first_softmax_loss),
        cmocka_unit_test(test_overfit_twenty),
        cmocka_unit_test(test_he_solves_circles),
        cmocka_unit_test(test_adam_beats_gd),
        cmocka_unit_test(test_evaluate_regression),
        cmocka_unit_test(test_evaluate_full_classify),
        cmocka_unit_test(test_guard_floor_new_losses),
        cmocka_unit_test(test_copy_weights_slopes),
        cmocka_unit_test(test_l1_sparsity_on_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
