/*
 * job.c — training that runs in slices (see job.h).  The terminal's event
 * loop (term/) runs slices between keys; everywhere else a job runs to its
 * end here.
 */
#include "job.h"

#include <poll.h>

#include "clock.h"
#include "cmd.h"
#include "interrupt.h"
#include "out.h"

void job_stop(Session *s, const char *why)
{
    if (!s->job.active)
        return;
    if (s->job.stop)
        s->job.stop(s, why);
    s->job.active = 0;
    out_progress(s, NULL);
}

void job_slice(Session *s)
{
    if (!s->job.slice || !s->job.slice(s))
        s->job.active = 0;
}

int job_wait_ms(const Session *s)
{
    if (!s->job.active)
        return -1;
    return s->job.resume_at > 0 ? clock_ms_left(s->job.resume_at) : 0;
}

/* A paced job ahead of its pace: sleep until its next update is due.
 * poll() with no descriptors is a sleep that Ctrl-C cuts short. */
static void job_wait(Session *s)
{
    int ms = job_wait_ms(s);
    if (ms > 0)
        poll(NULL, 0, ms);
}

int job_run_to_end(Session *s)
{
    int failures = s->failures;
    while (s->job.active) {
        if (nnlab_interrupted) {
            job_stop(s, "interrupted");
            return CMD_ERR;
        }
        session_poll_watched(s);
        job_wait(s);
        if (!nnlab_interrupted)
            job_slice(s);
    }
    out_progress(s, NULL);
    return s->failures > failures ? CMD_ERR : CMD_OK;
}
