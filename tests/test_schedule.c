/*
 * test_schedule.c — learning-rate schedules and the warm-up
 * (engine/schedule.c): each schedule against its formula in schedule.h at
 * worked positions, the cycles and restarts, an origin set in the middle
 * of training, the warm-up alone and over a schedule, and the settings
 * nn_sched_check and nn_warmup_check refuse (a growing exp decay among
 * them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

static nn_sched sched(nn_sched_kind kind, double rate, int every,
                      double factor)
{
    nn_sched s;
    nn_sched_defaults(&s);
    s.kind = kind;
    s.rate = rate;
    s.every = every;
    s.factor = factor;
    return s;
}

static void test_defaults(void **state)
{
    (void)state;
    nn_sched s;
    nn_sched_defaults(&s);
    assert_true(s.kind == NN_SCHED_NONE && s.rate == 1 && s.every == 1 &&
                s.factor == 0.5 && s.low == 0.001 && s.high == 0.01 &&
                s.half == 100 && s.period == 10 && s.mult == 2 &&
                s.min_lr == 0 && s.origin_iter == 0 && s.origin_epoch == 0);
    assert_int_equal(nn_sched_check(&s, NULL), 0);
    assert_string_equal(nn_sched_names[NN_SCHED_STEP], "step");
    assert_string_equal(nn_sched_names[NN_SCHED_CYCLIC], "cyclic");
    assert_string_equal(nn_sched_names[NN_SCHED_SGDR], "sgdr");
    assert_null(nn_sched_names[NN_SCHED_SGDR + 1]);
    nn_warmup w;
    nn_warmup_defaults(&w);
    assert_true(w.length == 0 && w.unit == NN_UNIT_ITERS && w.from == 0);
    assert_int_equal(nn_warmup_check(&w, NULL), 0);
    assert_true(nn_warmup_factor(&w, 0, 0) == 1);
    assert_string_equal(nn_unit_names[NN_UNIT_EPOCHS], "epochs");
}

/* The per-epoch schedules, with the origin at 0 as before origins were
 * kept: nn_sched_lr(s, α₀, e) and nn_sched_rate at any iteration agree. */
static void test_epoch_schedules(void **state)
{
    (void)state;
    nn_sched s = sched(NN_SCHED_INVERSE, 1, 1, 0.5);
    const double inv[] = { 0.2, 0.1, 0.2 / 3, 0.05, 0.04 };
    for (int e = 0; e <= 4; e++) {
        assert_close(nn_sched_lr(&s, 0.2, e), inv[e], 1e-15);
        assert_true(nn_sched_rate(&s, 0.2, 1000, e + 0.5) ==
                    nn_sched_lr(&s, 0.2, e));
    }
    assert_close(nn_sched_lr(&s, 0.2, 2), 0.0667, 5e-5);
    s.every = 2; /* decay counts ⌊epoch/every⌋ */
    const double inv2[] = { 0.2, 0.2, 0.1, 0.1, 0.2 / 3 };
    for (int e = 0; e <= 4; e++)
        assert_close(nn_sched_lr(&s, 0.2, e), inv2[e], 1e-15);
    s.every = 0; /* taken as 1 */
    assert_close(nn_sched_lr(&s, 0.2, 3), 0.05, 1e-15);

    nn_sched x = sched(NN_SCHED_EXP, 0.95, 1, 0.5);
    for (int e = 0; e <= 4; e++)
        assert_close(nn_sched_lr(&x, 0.2, e), 0.2 * pow(0.95, e), 1e-15);
    x.every = 3;
    assert_close(nn_sched_lr(&x, 0.2, 2), 0.2, 1e-15);
    assert_close(nn_sched_lr(&x, 0.2, 3), 0.2 * 0.95, 1e-15);
    assert_close(nn_sched_lr(&x, 0.2, 7), 0.2 * 0.95 * 0.95, 1e-15);

    nn_sched st = sched(NN_SCHED_STEP, 1, 2, 0.5);
    const double step[] = { 0.2, 0.2, 0.1, 0.1, 0.05, 0.05 };
    for (int e = 0; e <= 5; e++)
        assert_close(nn_sched_lr(&st, 0.2, e), step[e], 1e-15);

    nn_sched none = sched(NN_SCHED_NONE, 1, 1, 0.5);
    assert_true(nn_sched_lr(&none, 0.2, 100) == 0.2);
    assert_int_equal(nn_sched_cycle(&x, 5000, 70.5), 0); /* no cycles */
}

/* `decay exp 0.95` set at epoch 100.5 (halfway through epoch 100): the
 * rest of epoch 100 keeps α₀ = 0.01, epoch 101 has 0.0095, and so on;
 * before origins the rate dropped at once to 0.01·0.95¹⁰⁰ = 5.9e-5. */
static void test_origin_mid_training(void **state)
{
    (void)state;
    nn_sched x = sched(NN_SCHED_EXP, 0.95, 1, 0.5);
    assert_close(nn_sched_rate(&x, 0.01, 2010, 100.5), 0.01 * pow(0.95, 100),
                 1e-18);
    x.origin_iter = 2010;
    x.origin_epoch = 100.5;
    assert_true(nn_sched_rate(&x, 0.01, 2010, 100.5) == 0.01);
    assert_true(nn_sched_rate(&x, 0.01, 2015, 100.75) == 0.01);
    assert_close(nn_sched_rate(&x, 0.01, 2020, 101), 0.0095, 1e-18);
    assert_close(nn_sched_rate(&x, 0.01, 2040, 102.5), 0.01 * 0.95 * 0.95,
                 1e-18);
    /* before the origin: the schedule's first rate */
    assert_true(nn_sched_rate(&x, 0.01, 10, 0.5) == 0.01);
    /* step every 2 epochs from an origin at 3.0 */
    nn_sched st = sched(NN_SCHED_STEP, 1, 2, 0.1);
    st.origin_epoch = 3;
    const double want[] = { 1, 1, 1, 1, 1, 0.1, 0.1, 0.01 };
    for (int e = 0; e < 8; e++)
        assert_close(nn_sched_rate(&st, 1, 0, e), want[e], 1e-16);
}

/* Triangular between 0.001 and 0.006 with half 4 (Smith's step size):
 * up by 0.00125 an update to 0.006 at update 4, down to 0.001 at 8, a
 * cycle every 8 updates; epochs play no part. */
static void test_cyclic(void **state)
{
    (void)state;
    nn_sched c = sched(NN_SCHED_CYCLIC, 1, 1, 0.5);
    c.low = 0.001;
    c.high = 0.006;
    c.half = 4;
    const double want[] = { 0.001,   0.00225, 0.0035, 0.00475, 0.006,
                            0.00475, 0.0035,  0.00225, 0.001,  0.00225 };
    for (int i = 0; i < 10; i++) {
        assert_close(nn_sched_rate(&c, 123, i, 7.25), want[i], 1e-17);
        assert_int_equal(nn_sched_cycle(&c, i, 0), i / 8);
    }
    /* Smith's formula as he wrote it, over three cycles */
    for (long i = 0; i < 24; i++) {
        double cycle = floor(1 + i / 8.0);
        double x = fabs(i / 4.0 - 2 * cycle + 1);
        assert_close(nn_sched_rate(&c, 0.5, i, 0),
                     0.001 + 0.005 * fmax(0, 1 - x), 1e-17);
    }
    assert_int_equal(nn_sched_cycle(&c, 7, 0), 0);
    assert_int_equal(nn_sched_cycle(&c, 8, 0), 1); /* 8 starts cycle 1 */
    assert_int_equal(nn_sched_cycle(&c, 23, 0), 2);
    /* set at update 10: counts from there */
    c.origin_iter = 10;
    assert_close(nn_sched_rate(&c, 1, 10, 3), 0.001, 1e-17);
    assert_close(nn_sched_rate(&c, 1, 14, 3), 0.006, 1e-17);
    assert_close(nn_sched_rate(&c, 1, 3, 0), 0.001, 1e-17); /* before */
    assert_int_equal(nn_sched_cycle(&c, 17, 0), 0);
    assert_int_equal(nn_sched_cycle(&c, 18, 0), 1);
    /* low = high: a constant rate */
    c.low = c.high = 0.004;
    for (long i = 0; i < 12; i++)
        assert_true(nn_sched_rate(&c, 1, i, 0) == 0.004);
}

/* SGDR from α₀ = 0.1 to η_min = 0.001, T₀ = 2 epochs, T_mult = 2: cycles
 * of 2, 4, 8 epochs start at epochs 0, 2, 6, 14; halfway through a cycle
 * the rate is (0.1 + 0.001)/2 = 0.0505. */
static void test_sgdr(void **state)
{
    (void)state;
    nn_sched s = sched(NN_SCHED_SGDR, 1, 1, 0.5);
    s.period = 2;
    s.mult = 2;
    s.min_lr = 0.001;
    const struct { double t, lr; long cycle; } at[] = {
        { 0, 0.1, 0 },     { 1, 0.0505, 0 },   { 2, 0.1, 1 },
        { 4, 0.0505, 1 },  { 6, 0.1, 2 },      { 10, 0.0505, 2 },
        { 14, 0.1, 3 },    { 22, 0.0505, 3 },  { 30, 0.1, 4 },
    };
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        assert_close(nn_sched_rate(&s, 0.1, 999, at[i].t), at[i].lr, 1e-16);
        assert_int_equal(nn_sched_cycle(&s, 999, at[i].t), at[i].cycle);
    }
    /* within a cycle, along the cosine: 3.5 epochs into the 4 of cycle 1 */
    assert_close(nn_sched_rate(&s, 0.1, 0, 5.5),
                 0.001 + 0.099 * (1 + cos(M_PI * 3.5 / 4)) / 2, 1e-16);
    /* just before a restart the rate is near η_min */
    assert_close(nn_sched_rate(&s, 0.1, 0, 5.999), 0.001, 1e-7);
    assert_int_equal(nn_sched_cycle(&s, 0, 5.999), 1);
    /* T_mult = 1: every cycle T₀ long */
    s.mult = 1;
    s.period = 3;
    for (int c = 0; c < 5; c++) {
        assert_int_equal(nn_sched_cycle(&s, 0, 3.0 * c + 1.5), c);
        assert_close(nn_sched_rate(&s, 0.1, 0, 3.0 * c), 0.1, 1e-16);
        assert_close(nn_sched_rate(&s, 0.1, 0, 3.0 * c + 1.5), 0.0505, 1e-16);
    }
    /* set at epoch 4.5: counts fractional epochs from there */
    s.origin_epoch = 4.5;
    assert_close(nn_sched_rate(&s, 0.1, 0, 4.5), 0.1, 1e-16);
    assert_close(nn_sched_rate(&s, 0.1, 0, 6), 0.0505, 1e-16);
    assert_int_equal(nn_sched_cycle(&s, 0, 7.49), 0);
    assert_int_equal(nn_sched_cycle(&s, 0, 7.5), 1);
    assert_close(nn_sched_rate(&s, 0.1, 0, 1), 0.1, 1e-16); /* before */
}

/* A warm-up of 4 updates from 0, then of 4 from 0.1, over 2 epochs, and
 * counted from an origin; it multiplies any schedule's rate. */
static void test_warmup(void **state)
{
    (void)state;
    nn_warmup w;
    nn_warmup_defaults(&w);
    w.length = 4;
    const double ramp[] = { 0, 0.25, 0.5, 0.75, 1, 1, 1 };
    for (int i = 0; i < 7; i++)
        assert_close(nn_warmup_factor(&w, i, 99), ramp[i], 1e-16);
    w.from = 0.1; /* 0.1 + 0.9·i/4 */
    const double from[] = { 0.1, 0.325, 0.55, 0.775, 1, 1 };
    for (int i = 0; i < 6; i++)
        assert_close(nn_warmup_factor(&w, i, 0), from[i], 1e-16);
    w.from = 0;
    w.unit = NN_UNIT_EPOCHS;
    w.length = 2; /* fractions of epochs count: a smooth ramp */
    assert_close(nn_warmup_factor(&w, 1000, 0.5), 0.25, 1e-16);
    assert_close(nn_warmup_factor(&w, 0, 1.5), 0.75, 1e-16);
    assert_true(nn_warmup_factor(&w, 0, 2) == 1);
    w.origin_epoch = 10;
    w.origin_iter = 500;
    assert_true(nn_warmup_factor(&w, 0, 10) == 0);
    assert_close(nn_warmup_factor(&w, 0, 11), 0.5, 1e-16);
    assert_true(nn_warmup_factor(&w, 0, 3) == 0); /* before: its start */
    w.unit = NN_UNIT_ITERS;
    w.length = 10;
    assert_close(nn_warmup_factor(&w, 503, 0), 0.3, 1e-16);
    /* over sgdr: the ramp times the cosine (the trainer multiplies them:
     * test_train_settings.c) */
    nn_sched s = sched(NN_SCHED_SGDR, 1, 1, 0.5);
    s.period = 4;
    nn_warmup w2;
    nn_warmup_defaults(&w2);
    w2.length = 2;
    w2.unit = NN_UNIT_EPOCHS;
    assert_close(nn_sched_rate(&s, 0.1, 0, 1) * nn_warmup_factor(&w2, 0, 1),
                 0.1 * (1 + cos(M_PI / 4)) / 2 * 0.5, 1e-16);
}

static void expect_refused(const nn_sched *s, const char *part)
{
    nn_err err = {{0}};
    assert_int_equal(nn_sched_check(s, &err), -1);
    if (!strstr(err.msg, part))
        fail_msg("message '%s', wanted '%s'", err.msg, part);
}

static void test_sched_check(void **state)
{
    (void)state;
    nn_sched x = sched(NN_SCHED_EXP, 1.05, 1, 0.5);
    expect_refused(&x, "grows");
    x.rate = 1; /* constant: allowed */
    assert_int_equal(nn_sched_check(&x, NULL), 0);
    x.rate = 0.95;
    assert_int_equal(nn_sched_check(&x, NULL), 0);
    x.kind = NN_SCHED_INVERSE; /* the rate of inverse decay may exceed 1 */
    x.rate = 5;
    assert_int_equal(nn_sched_check(&x, NULL), 0);
    x.rate = NAN;
    expect_refused(&x, "decay rate");
    x = sched(NN_SCHED_STEP, 1, 0, 0.5);
    expect_refused(&x, "decay interval");
    x = sched(NN_SCHED_STEP, 1, 1, 1.5);
    expect_refused(&x, "step factor");

    nn_sched c = sched(NN_SCHED_CYCLIC, 1, 1, 0.5);
    c.low = 0.1;
    c.high = 0.01;
    expect_refused(&c, "0 <= low <= high");
    c.low = -0.1;
    expect_refused(&c, "0 <= low <= high");
    c.low = 0.001;
    c.high = INFINITY;
    expect_refused(&c, "0 <= low <= high");
    c.high = 0.01;
    c.half = 0;
    expect_refused(&c, "half-cycle");
    c.half = 1;
    assert_int_equal(nn_sched_check(&c, NULL), 0);

    nn_sched g = sched(NN_SCHED_SGDR, 1, 1, 0.5);
    g.period = 0;
    expect_refused(&g, "sgdr period");
    g.period = 1;
    g.mult = 0;
    expect_refused(&g, "multiplier");
    g.mult = 11;
    expect_refused(&g, "multiplier");
    g.mult = 1;
    g.min_lr = NAN;
    expect_refused(&g, "minimum rate");
    g.min_lr = 0;
    g.origin_iter = -1;
    expect_refused(&g, "origin");
    g.origin_iter = 0;
    g.origin_epoch = NAN;
    expect_refused(&g, "origin");
    g.origin_epoch = 3.5;
    assert_int_equal(nn_sched_check(&g, NULL), 0);
    g.kind = (nn_sched_kind)(NN_SCHED_SGDR + 1);
    expect_refused(&g, "unknown schedule");
}

static void test_warmup_check(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_warmup w;
    nn_warmup_defaults(&w);
    w.length = 500;
    w.from = 0.01;
    assert_int_equal(nn_warmup_check(&w, &err), 0);
    w.from = 1.5;
    assert_int_equal(nn_warmup_check(&w, &err), -1);
    assert_non_null(strstr(err.msg, "fraction 0..1"));
    w.from = 0;
    w.length = -1;
    assert_int_equal(nn_warmup_check(&w, &err), -1);
    assert_non_null(strstr(err.msg, "warm-up length"));
    w.length = 5;
    w.unit = (nn_unit)2;
    assert_int_equal(nn_warmup_check(&w, &err), -1);
    w.unit = NN_UNIT_EPOCHS;
    w.origin_iter = -3;
    assert_int_equal(nn_warmup_check(&w, &err), -1);
    assert_non_null(strstr(err.msg, "origin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_epoch_schedules),
        cmocka_unit_test(test_origin_mid_training),
        cmocka_unit_test(test_cyclic),
        cmocka_unit_test(test_sgdr),
        cmocka_unit_test(test_warmup),
        cmocka_unit_test(test_sched_check),
        cmocka_unit_test(test_warmup_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
