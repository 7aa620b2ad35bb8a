/*
 * test_train_settings.c — the trainer's newer settings (engine/train.c
 * and train_set.c): every optimizer at its defaults trains normalized
 * digits (RMSprop no longer diverges); any finite learning rate is taken
 * and 1e6 ends in NaN without the guard; a schedule or warm-up set in the
 * middle of training counts from there; the rates that `decay show` and
 * `plot lr` tabulate are the rates the updates then use; the end of each
 * cycle is flagged; clipping is applied between backprop and the update,
 * recorded and counted, and lets a deep net train that the guard stops
 * without it; and the accessors the shell uses instead of the trainer's
 * fields.
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

/* Steps until the guard stops or `epochs` epochs are complete; the last
 * status. */
static int train_epochs(nn_trainer *tr, int epochs)
{
    nn_step_info info;
    int st = NN_STEP_OK;
    while (tr->epoch < epochs)
        if ((st = step_ok(tr, &info)) == NN_STEP_DIVERGED)
            break;
    return st;
}

static nn_data *digits(void)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv("data/digits.csv.gz", NN_LABEL_LAST,
                                  NN_HEADER_AUTO, 1, &err);
    if (!d)
        fail_msg("digits: %s", err.msg);
    nn_data_normalize(d, 1);
    return d;
}

/* The shell's `net 64 50 10` on digits: ReLU, He, softmax. */
static nn_net *digits_net(void)
{
    const int sizes[] = { 64, 50, 10 };
    nn_init_spec he = { NN_INIT_HE, 0, 1 };
    return tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT, &he,
                  1);
}

/* 2-10-5-1 on circles of 300: 210 training examples, batches of 64, so
 * four updates an epoch (64 64 64 18). */
static nn_net *circles_net(void)
{
    const int sizes[] = { 2, 10, 5, 1 };
    return tu_net(sizes, 4, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL,
                  1);
}

/* ------------------------------------------------------------------------
 * Optimizers at their defaults; no cap on the learning rate
 * ------------------------------------------------------------------------ */

/* gd, momentum, nesterov, rmsprop, adam at their defaults (lr 0.01, batch
 * 64) on normalized digits, a 64-50-10 net, 5 epochs: the guard stops
 * none of them.  RMSprop with Adam's β2 = 0.999 as its decay (what it
 * had before it had its own ρ) is stopped at its second update. */
static void test_five_optimizers_digits(void **state)
{
    (void)state;
    nn_data *d = digits();
    char line[512];
    int at = snprintf(line, sizeof line, "digits 64-50-10, 5 epochs at the "
                      "defaults, dev accuracy:");
    for (int k = NN_OPT_GD; k <= NN_OPT_ADAM + 1; k++) {
        nn_net *net = digits_net();
        nn_trainer tr;
        double loss, acc;
        nn_trainer_init(&tr);
        tr.opt.kind = k <= NN_OPT_ADAM ? (nn_optim_kind)k : NN_OPT_RMSPROP;
        if (k > NN_OPT_ADAM)
            tr.opt.rho = 0.999;
        assert_int_equal(nn_optim_check(&tr.opt, NULL), 0);
        bind_ok(&tr, net, d);
        int st = train_epochs(&tr, 5);
        assert_int_equal(nn_trainer_evaluate(&tr, NN_DEV, &loss, &acc, NULL),
                         0);
        if (k > NN_OPT_ADAM) {
            assert_int_equal(st, NN_STEP_DIVERGED);
            assert_int_equal(tr.stop_iter, 2);
            at += snprintf(line + at, sizeof line - (size_t)at,
                           "; rmsprop rho=0.999 stopped at update %ld",
                           tr.stop_iter);
        } else {
            if (st == NN_STEP_DIVERGED)
                fail_msg("%s diverged at update %ld", nn_optim_names[k],
                         tr.stop_iter);
            assert_int_equal(tr.epoch, 5);
            assert_true(tr.last_loss < tr.first_loss);
            /* the adaptive ones learn digits in 5 epochs */
            if (k >= NN_OPT_RMSPROP)
                assert_true(acc > 0.9);
            at += snprintf(line + at, sizeof line - (size_t)at, " %s %.3f",
                           nn_optim_names[k], acc);
        }
        nn_trainer_free(&tr);
        nn_net_free(net);
    }
    printf("# measured: %s\n", line);
    nn_data_free(d);
}

/* CS231n's rate of 1e6: taken; the guard stops it at once, and with the
 * guard off the cost overflows to NaN. */
static void test_huge_lr(void **state)
{
    (void)state;
    nn_data *d = digits();
    for (int guard = 1; guard >= 0; guard--) {
        nn_net *net = digits_net();
        nn_trainer tr;
        nn_step_info info;
        nn_trainer_init(&tr);
        tr.opt.lr = 1e6;
        tr.guard = guard;
        assert_int_equal(nn_optim_check(&tr.opt, NULL), 0);
        bind_ok(&tr, net, d);
        int st = NN_STEP_OK, i;
        for (i = 1; i <= 100 && st != NN_STEP_DIVERGED; i++)
            if (isnan((st = step_ok(&tr, &info), info.loss)))
                break;
        if (guard) {
            assert_int_equal(st, NN_STEP_DIVERGED);
            assert_int_equal(info.iter, 2);
        } else {
            assert_true(isnan(info.loss));
            printf("# measured: lr 1e6 on digits with the guard off: cost "
                   "NaN at update %ld\n", info.iter);
        }
        nn_trainer_free(&tr);
        nn_net_free(net);
    }
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Schedules and warm-up in the trainer
 * ------------------------------------------------------------------------ */

/* `decay exp 0.95` at update 42 (epoch 10, 128 of 210 examples in): the
 * rest of epoch 10 keeps 0.01, then 0.0095, 0.009025.  Written straight
 * into tr.sched (origin 0) it would drop at once to 0.01·0.95¹⁰. */
static void test_schedule_set_mid_training(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net();
    nn_trainer tr;
    nn_step_info info;
    nn_err err = {{0}};
    nn_trainer_init(&tr);
    bind_ok(&tr, net, d);
    for (int i = 0; i < 42; i++)
        step_ok(&tr, &info);
    assert_true(tr.epoch == 10 && nn_trainer_epoch_pos(&tr) == 128);
    nn_sched x;
    nn_sched_defaults(&x);
    x.kind = NN_SCHED_EXP;
    x.rate = 0.95;
    nn_trainer tr_old = tr; /* a look at the old way, nothing stepped */
    tr_old.sched = x;
    assert_close(nn_trainer_lr(&tr_old), 0.01 * pow(0.95, 10), 1e-18);
    x.origin_iter = 7; /* replaced by the trainer's position */
    assert_int_equal(nn_trainer_set_schedule(&tr, &x, &err), 0);
    assert_int_equal(tr.sched.origin_iter, 42);
    assert_close(tr.sched.origin_epoch, 10 + 128.0 / 210, 1e-15);
    const double want[] = { 0.01, 0.01, 0.0095, 0.0095, 0.0095, 0.0095,
                            0.009025 };
    for (int i = 0; i < 7; i++) {
        assert_close(nn_trainer_lr(&tr), want[i], 1e-17);
        step_ok(&tr, &info);
        assert_close(info.lr, want[i], 1e-17);
    }
    /* the epoch records hold the rate of each epoch's first update */
    assert_close(tr.hist.e_lr[tr.hist.ne - 1], 0.0095, 1e-17);
    /* a growing exp decay is refused and nothing changes */
    x.rate = 1.05;
    assert_int_equal(nn_trainer_set_schedule(&tr, &x, &err), -1);
    assert_non_null(strstr(err.msg, "grows"));
    assert_true(tr.sched.rate == 0.95 && tr.sched.origin_iter == 42);
    /* restart: the schedule counts from the new start */
    nn_trainer_restart(&tr);
    assert_true(tr.sched.origin_iter == 0 && tr.sched.origin_epoch == 0);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* The rates nn_trainer_lr_iter and nn_trainer_lr_epoch give, before and
 * after the updates, are the rates the updates use: a cyclic schedule
 * under a warm-up counted in updates, and sgdr under one counted in
 * epochs (fractions of epochs come into both). */
static void check_tabulated(nn_trainer *tr)
{
    enum { N = 60 };
    double before[N], used[N], first[16];
    int epochs = 0;
    nn_step_info info;
    for (int i = 0; i < N; i++)
        before[i] = nn_trainer_lr_iter(tr, i);
    for (int e = 0; e < 15; e++)
        first[e] = nn_trainer_lr_epoch(tr, e);
    for (int i = 0; i < N; i++) {
        int e = tr->epoch, starts = nn_trainer_epoch_pos(tr) == 0;
        assert_true(nn_trainer_lr(tr) == before[i]);
        step_ok(tr, &info);
        used[i] = info.lr;
        if (starts) {
            assert_true(info.lr == first[e]);
            epochs++;
        }
    }
    assert_memory_equal(before, used, sizeof used);
    for (int i = 0; i < N; i++) /* the past, afterwards */
        assert_true(nn_trainer_lr_iter(tr, i) == used[i]);
    for (int e = 0; e < epochs; e++)
        assert_true(nn_trainer_lr_epoch(tr, e) == first[e]);
    assert_true(nn_trainer_lr_iter(tr, N) == nn_trainer_lr(tr));
}

static void test_rates_tabulated(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net();
    nn_trainer tr;
    nn_err err = {{0}};
    nn_sched c;
    nn_warmup w;
    nn_trainer_init(&tr);
    bind_ok(&tr, net, d);
    nn_sched_defaults(&c);
    c.kind = NN_SCHED_CYCLIC;
    c.low = 0.01;
    c.high = 0.1;
    c.half = 5;
    nn_warmup_defaults(&w);
    w.length = 7;
    w.from = 0.2;
    assert_int_equal(nn_trainer_set_schedule(&tr, &c, &err), 0);
    assert_int_equal(nn_trainer_set_warmup(&tr, &w, &err), 0);
    /* by hand: update 3 has 0.2 + 0.8·3/7 of (0.01 + 0.09·3/5) */
    assert_close(nn_trainer_lr_iter(&tr, 3),
                 (0.2 + 0.8 * 3 / 7.0) * (0.01 + 0.09 * 0.6), 1e-17);
    check_tabulated(&tr);

    nn_trainer_restart(&tr);
    c.kind = NN_SCHED_SGDR;
    c.period = 2;
    c.mult = 2;
    c.min_lr = 0.001;
    tr.opt.lr = 0.1;
    w.unit = NN_UNIT_EPOCHS;
    w.length = 3;
    w.from = 0;
    assert_int_equal(nn_trainer_set_schedule(&tr, &c, &err), 0);
    assert_int_equal(nn_trainer_set_warmup(&tr, &w, &err), 0);
    /* update 5 is the second of epoch 1: 64 of 210 examples in */
    double t = 1 + 64 / 210.0;
    assert_close(nn_trainer_lr_iter(&tr, 5),
                 (t / 3) * (0.001 + 0.099 * (1 + cos(M_PI * t / 2)) / 2),
                 1e-17);
    check_tabulated(&tr);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* A warm-up switched on at update 10 ramps from there, over the
 * schedule's rate; restart makes it count from 0. */
static void test_warmup_set_mid_training(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net();
    nn_trainer tr;
    nn_step_info info;
    nn_err err = {{0}};
    nn_warmup w;
    nn_trainer_init(&tr);
    tr.opt.lr = 0.2;
    bind_ok(&tr, net, d);
    for (int i = 0; i < 10; i++)
        step_ok(&tr, &info);
    nn_warmup_defaults(&w);
    w.length = 4;
    assert_int_equal(nn_trainer_set_warmup(&tr, &w, &err), 0);
    const double want[] = { 0, 0.05, 0.1, 0.15, 0.2, 0.2 };
    for (int i = 0; i < 6; i++) {
        step_ok(&tr, &info);
        assert_close(info.lr, want[i], 1e-16);
    }
    w.from = 2;
    assert_int_equal(nn_trainer_set_warmup(&tr, &w, &err), -1);
    assert_true(tr.warm.from == 0 && tr.warm.origin_iter == 10);
    nn_trainer_restart(&tr);
    assert_true(tr.warm.origin_iter == 0 && nn_trainer_lr(&tr) == 0);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* The end of each cycle is flagged on the update that ends it: cyclic
 * with half 3 every 6 updates; sgdr with T₀ = 1 epoch and T_mult = 2 at
 * the ends of epochs 1, 3 and 7 (updates 4, 12, 28 at four an epoch). */
static void test_cycle_ends(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net();
    nn_trainer tr;
    nn_step_info info;
    nn_err err = {{0}};
    nn_sched c;
    nn_trainer_init(&tr);
    bind_ok(&tr, net, d);
    for (int i = 0; i < 20; i++) { /* no cycles: never */
        step_ok(&tr, &info);
        assert_false(info.cycle_end);
    }
    nn_sched_defaults(&c);
    c.kind = NN_SCHED_CYCLIC;
    c.half = 3;
    assert_int_equal(nn_trainer_set_schedule(&tr, &c, &err), 0);
    for (int i = 1; i <= 30; i++) {
        assert_int_equal(nn_trainer_cycle(&tr), (i - 1) / 6);
        step_ok(&tr, &info);
        assert_int_equal(info.cycle_end, i % 6 == 0);
    }
    nn_trainer_restart(&tr);
    c.kind = NN_SCHED_SGDR;
    c.period = 1;
    c.mult = 2;
    assert_int_equal(nn_trainer_set_schedule(&tr, &c, &err), 0);
    int ends = 0;
    for (int i = 1; i <= 40; i++) {
        step_ok(&tr, &info);
        if (info.cycle_end) {
            assert_true(i == 4 || i == 12 || i == 28);
            ends++;
        }
    }
    assert_int_equal(ends, 3);
    assert_int_equal(nn_trainer_cycle(&tr), 3);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Gradient clipping in the trainer
 * ------------------------------------------------------------------------ */

/* One gd update with clipping by norm against hand computation: the
 * gradients of the batch the trainer drew, worked out on a copy of the
 * net, scaled by max/‖g‖, times −lr.  The norm before clipping is what
 * the step reports and the history records. */
static void test_clip_in_step(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net();
    nn_trainer tr;
    nn_step_info info;
    nn_err err = {{0}};
    nn_clip c = { NN_CLIP_NORM, 0.05 };
    nn_trainer_init(&tr);
    tr.opt.lr = 0.5;
    bind_ok(&tr, net, d);
    assert_int_equal(nn_trainer_set_clip(&tr, &c, &err), 0);
    for (int k = 0; k < 3; k++) {
        nn_net *copy = nn_net_clone(net, NULL);
        long count = tr.clip_count;
        step_ok(&tr, &info);
        nn_net_forward(copy, tr.X, info.rows, 1, NULL);
        nn_net_backward(copy, tr.X, tr.Y);
        double norm = nn_grad_norm(copy);
        assert_close(info.grad_norm, norm, 1e-12 * norm);
        assert_true(tr.hist.grad_norm[tr.hist.n - 1] == info.grad_norm);
        assert_true(tr.grad_norm == info.grad_norm);
        assert_true(norm > 0.05 && info.clipped == 1);
        assert_int_equal(tr.clip_count, count + 1);
        for (int i = 0; i < net->n_params; i++) {
            const nn_param *p = copy->params[i], *q = net->params[i];
            for (int j = 0; j < nn_mat_size(&p->w); j++)
                assert_close(q->w.v[j],
                             p->w.v[j] - 0.5 * p->g.v[j] * 0.05 / norm,
                             1e-14);
        }
        nn_net_free(copy);
    }
    /* a threshold above the norms: nothing clipped, nothing counted */
    c.max = 1e3;
    assert_int_equal(nn_trainer_set_clip(&tr, &c, &err), 0);
    step_ok(&tr, &info);
    assert_true(info.clipped == 0 && tr.clip_count == 3);
    c.max = 0;
    assert_int_equal(nn_trainer_set_clip(&tr, &c, &err), -1);
    assert_true(tr.clip.max == 1e3);
    nn_trainer_restart(&tr);
    assert_true(tr.clip_count == 0 && isnan(tr.grad_norm));
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

/* 2-[32]x8-1 tanh with He's (too large for tanh) initialization on moons,
 * gd at lr 1, batches of 64, 50 epochs.  Without clipping the guard stops
 * it in its first epochs; clipping the gradient's norm to 1 lets it
 * train.  Clipping each value to 1 does not: the norm is large because
 * many entries are moderately large, and hardly any passes 1. */
static int deep_tanh(nn_clip_kind kind, double *acc, long *updates,
                     long *clipped, double *max_norm)
{
    const int sizes[] = { 2, 32, 32, 32, 32, 32, 32, 32, 32, 1 };
    nn_init_spec he = { NN_INIT_HE, 0, 1 };
    nn_data *d = tu_data("moons", 300, 0, 1);
    nn_net *net = tu_net(sizes, 10, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         &he, 1);
    nn_trainer tr;
    nn_step_info info;
    double loss;
    nn_trainer_init(&tr);
    tr.opt.lr = 1;
    tr.clip = (nn_clip){ kind, 1 };
    bind_ok(&tr, net, d);
    int st = NN_STEP_OK;
    *max_norm = 0;
    while (tr.epoch < 50 && st != NN_STEP_DIVERGED) {
        st = step_ok(&tr, &info);
        if (st != NN_STEP_DIVERGED)
            *max_norm = fmax(*max_norm, info.grad_norm);
    }
    nn_trainer_evaluate(&tr, NN_TRAIN, &loss, acc, NULL);
    *updates = tr.iter;
    *clipped = tr.clip_count;
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
    return st;
}

static void test_clipping_rescues_deep_net(void **state)
{
    (void)state;
    double acc[3], gmax[3];
    long n[3], clipped[3];
    const nn_clip_kind kinds[] = { NN_CLIP_OFF, NN_CLIP_NORM, NN_CLIP_VALUE };
    int st[3];
    for (int k = 0; k < 3; k++)
        st[k] = deep_tanh(kinds[k], &acc[k], &n[k], &clipped[k], &gmax[k]);
    printf("# measured: 2-[32]x8-1 tanh, He, moons, gd lr 1: no clipping: "
           "guard stopped after %ld updates (largest gradient norm %.3g); "
           "clip norm 1: %ld updates, %ld clipped, train accuracy %.3f; "
           "clip value 1: %s after %ld updates\n", n[0], gmax[0], n[1],
           clipped[1], acc[1],
           st[2] == NN_STEP_DIVERGED ? "guard stopped" : "trained", n[2]);
    assert_int_equal(st[0], NN_STEP_DIVERGED);
    assert_true(n[0] < 50);
    assert_true(st[1] != NN_STEP_DIVERGED);
    assert_int_equal(n[1], 200); /* 50 epochs of 4 updates */
    assert_true(clipped[1] > 0 && clipped[1] < n[1]);
    assert_true(acc[1] > 0.95);
    assert_int_equal(st[2], NN_STEP_DIVERGED);
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

static void test_accessors(void **state)
{
    (void)state;
    nn_data *d = tu_data("circles", 300, 0, 1);
    nn_net *net = circles_net();
    nn_trainer tr, copy;
    nn_step_info info;
    nn_err err = {{0}};
    nn_trainer_init(&tr);
    assert_int_equal(nn_trainer_train_size(&tr), 0);
    assert_true(isnan(nn_trainer_guard_avg(&tr)));
    bind_ok(&tr, net, d);
    assert_int_equal(nn_trainer_train_size(&tr), 210);
    step_ok(&tr, &info);
    step_ok(&tr, &info);
    assert_int_equal(nn_trainer_epoch_pos(&tr), 128);
    assert_close(nn_trainer_epochs_done(&tr), 128.0 / 210, 1e-16);
    /* the guard's average: bias-corrected, of the two batch costs */
    double avg = nn_trainer_guard_avg(&tr);
    assert_close(avg, tr.guard_avg / (1 - tr.guard_power), 1e-16);
    assert_true(avg > 0 && avg < 3 * nn_trainer_guard_ref(&tr));
    /* a new batch size: a fresh pass in the same epoch */
    assert_int_equal(nn_trainer_set_batch(&tr, 16, &err), 0);
    assert_true(tr.batch == 16 && nn_trainer_epoch_pos(&tr) == 0 &&
                tr.epoch == 0);
    step_ok(&tr, &info);
    assert_true(info.rows == 16 && info.epoch == 0);
    assert_int_equal(nn_trainer_set_batch(&tr, -1, &err), -1);
    assert_non_null(strstr(err.msg, "batch size"));
    assert_int_equal(nn_trainer_set_batch(&tr, 0, &err), 0); /* full */
    step_ok(&tr, &info);
    assert_int_equal(info.rows, 210);
    /* early stopping: its count starts again */
    tr.since_best = 3;
    assert_int_equal(nn_trainer_set_early(&tr, 1, 5, &err), 0);
    assert_true(tr.early == 1 && tr.patience == 5 && tr.since_best == 0);
    assert_int_equal(nn_trainer_set_early(&tr, 1, 0, &err), -1);
    assert_non_null(strstr(err.msg, "patience"));
    assert_int_equal(nn_trainer_set_early(&tr, 0, 5, &err), 0);
    assert_false(tr.early);
    /* copy_settings takes the warm-up and clipping too */
    nn_warmup w;
    nn_warmup_defaults(&w);
    w.length = 9;
    assert_int_equal(nn_trainer_set_warmup(&tr, &w, &err), 0);
    tr.clip = (nn_clip){ NN_CLIP_VALUE, 2 };
    nn_trainer_init(&copy);
    nn_trainer_copy_settings(&copy, &tr);
    assert_true(copy.warm.length == 9 && copy.warm.origin_iter == tr.iter &&
                copy.clip.kind == NN_CLIP_VALUE && copy.clip.max == 2);
    nn_trainer_free(&copy);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_five_optimizers_digits),
        cmocka_unit_test(test_huge_lr),
        cmocka_unit_test(test_schedule_set_mid_training),
        cmocka_unit_test(test_rates_tabulated),
        cmocka_unit_test(test_warmup_set_mid_training),
        cmocka_unit_test(test_cycle_ends),
        cmocka_unit_test(test_clip_in_step),
        cmocka_unit_test(test_clipping_rescues_deep_net),
        cmocka_unit_test(test_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
