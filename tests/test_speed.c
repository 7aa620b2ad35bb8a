/*
 * test_speed.c — the pace of training (speed N, run speed=N): measured on
 * the clock.  train in a script keeps to the pace; run at the prompt
 * (slices driven here as the terminal's loop drives them) keeps to
 * run speed=N, and a speed typed while it runs takes effect at once.
 * The numbers measured are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>

#include <cmocka.h>

#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "job.h"
#include "model.h"
#include "session.h"

static Session *fresh(void)
{
    Session *s = session_new();
    assert_non_null(s);
    assert_int_equal(commands_register(s), 0);
    s->out = fopen("/dev/null", "w");
    assert_non_null(s->out);
    assert_int_equal(cmd_run_line(s, "seed 1; data moons; net 2 8 1"),
                     CMD_OK);
    return s;
}

static void done(Session *s)
{
    fclose(s->out);
    s->out = stdout;
    session_free(s);
}

static double timed(Session *s, const char *line)
{
    double t0 = clock_now();
    assert_int_equal(cmd_run_line(s, line), CMD_OK);
    return clock_now() - t0;
}

/* speed 100: 30 updates take 29/100 s at least; speed off lifts it. */
static void test_train_keeps_pace(void **state)
{
    (void)state;
    Session *s = fresh();
    double paced = timed(s, "speed 100; train 30 iters");
    double free_run = timed(s, "speed off; train 30 iters");
    printf("# 30 updates at speed 100: %.3f s (expected 0.29); speed off: "
           "%.4f s\n", paced, free_run);
    assert_true(paced >= 0.285);
    assert_true(paced < 1.5);
    assert_true(free_run < 0.25);
    done(s);
}

/* Drive the job as the terminal's loop does, for `seconds`: wait the
 * time the job asks (job_wait_ms), then a slice.  The updates made. */
static long drive(Session *s, double seconds)
{
    long it0 = s->model->tr.iter;
    double end = clock_now() + seconds;
    while (s->job.active && clock_now() < end) {
        int ms = job_wait_ms(s);
        int left = clock_ms_left(end);
        if (ms > 0)
            poll(NULL, 0, ms < left ? ms : left);
        if (job_wait_ms(s) == 0)
            job_slice(s);
    }
    return s->model->tr.iter - it0;
}

static void test_run_speed_and_change(void **state)
{
    (void)state;
    Session *s = fresh();
    s->interactive = 1;
    s->at_prompt = 1; /* the run goes on in the background */
    assert_int_equal(cmd_run_line(s, "run speed=40"), CMD_OK);
    assert_true(s->job.active);
    long slow = drive(s, 0.5);
    /* typed during the run */
    assert_int_equal(cmd_run_line(s, "speed 200"), CMD_OK);
    long fast = drive(s, 0.5);
    assert_int_equal(cmd_run_line(s, "pause"), CMD_OK);
    printf("# run speed=40: %ld updates in 0.5 s (expected 20); then speed "
           "200: %ld (expected 100)\n", slow, fast);
    assert_in_range(slow, 10, 22);
    assert_in_range(fast, 40, 102);
    assert_false(s->job.active);
    done(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_keeps_pace),
        cmocka_unit_test(test_run_speed_and_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
