/*
 * cmd_speed.c — the pace of training: `speed N` (and `run speed=N`)
 * holds train and run to N updates a second, so that a class can watch
 * the boundary and the curves move, and see a change typed meanwhile
 * take effect, as in TensorFlow Playground.  A toy network otherwise
 * makes tens of thousands of updates a second.
 *
 * The pace is kept by the training job: before each update it asks
 * pace_hold(), which either lets the update go or sets the job's
 * resume_at, so the shell's loop sleeps in poll() until the update is
 * due and keys (lr 0.1, speed 5, pause) and Ctrl-C are served meanwhile.
 */
#include <math.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"

/* A paced run that falls behind (the machine cannot keep up, or a plot
 * took long) starts counting again instead of catching up in a burst. */
#define PACE_SLACK 0.25

void pace_restart(ModelState *m)
{
    m->pace_t0 = clock_now();
    m->pace_n = 0;
}

int pace_hold(Session *s, ModelState *m, double now)
{
    s->job.resume_at = 0;
    if (m->speed <= 0)
        return 0;
    double due = m->pace_t0 + m->pace_n / m->speed;
    if (now < due) {
        s->job.resume_at = due;
        return 1;
    }
    if (now - due > PACE_SLACK) {
        m->pace_t0 = now;
        m->pace_n = 0;
    }
    m->pace_n++;
    return 0;
}

/* "off", or a number of updates a second; 0 and *speed (0 for off), or -1
 * after reporting. */
int pace_parse(Session *s, const char *text, double *speed)
{
    if (!strcmp(text, "off") || !strcmp(text, "0")) {
        *speed = 0;
        return 0;
    }
    return args_double(s, text, "updates per second (or off)", 0.1, 1e6,
                       speed);
}

void pace_set(Session *s, double speed)
{
    ModelState *m = s->model;
    m->speed = speed;
    pace_restart(m);
    s->job.resume_at = 0; /* a slower pace than before: wait from now */
}

static int cmd_speed(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    double speed;
    if (!m)
        return CMD_ERR;
    if (argc > 2)
        return cmd_error(s, "expected a number of updates per second, or "
                         "off");
    if (argc == 2) {
        if (pace_parse(s, argv[1], &speed))
            return CMD_ERR;
        pace_set(s, speed);
    }
    if (m->speed > 0)
        out_printf(s, "speed %g: train and run make at most %g update%s a "
                   "second%s\n", m->speed, m->speed,
                   m->speed == 1 ? "" : "s",
                   s->job.active ? " (from now)" : "");
    else
        out_printf(s, "speed off: train and run go as fast as they can\n");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_speed_rows[] = {
{
    .name = "speed", .group = "Training", .fn = cmd_speed,
    .usage = "speed [N|off]",
    .summary = "slow training down to N updates a second, to watch it",
    .help =
        "N                    at most N updates a second (0.1 to 1e6),\n"
        "                     for train and run, at the prompt and in\n"
        "                     scripts, until speed off\n"
        "off                  as fast as the machine goes (the default)\n"
        "Type it while train or run is going: the new pace starts at once,\n"
        "and lr, plot or pause still take effect between two updates (the\n"
        "shell waits for keys while training waits for its next update).\n"
        "run speed=N sets it as run starts.  Alone, speed shows it.",
    .example = "speed 20",
    .words = CMD_WORDS("off|1|10|100"),
},
{0},
};
