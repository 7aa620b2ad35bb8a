/*
 * job.h — training that runs in slices (Session.job): to its end in a
 * script, or in the background while the terminal's event loop keeps the
 * prompt live.
 */
#ifndef NNLAB_JOB_H
#define NNLAB_JOB_H

#include "session.h"

/* Run s->job slice by slice until it ends, with no prompt (scripts, and
 * commands after it on the same line), serving watched descriptors
 * between slices.  Ctrl-C stops it with job.stop(s, "interrupted") and
 * leaves nnlab_interrupted set so a script can stop too.  Returns CMD_OK,
 * or CMD_ERR when interrupted or when the job reported an error. */
int job_run_to_end(Session *s);

/* How long an event loop may wait for keys before the next slice: -1
 * (no job: for ever), 0 (at once), or the milliseconds until a paced job's
 * next update is due (Job.resume_at). */
int job_wait_ms(const Session *s);

/* One slice of the job; it ends when it says there is no more to do. */
void job_slice(Session *s);

/* Stop a running job (calls job.stop(s, why)) and remove the progress
 * line.  Does nothing when no job runs. */
void job_stop(Session *s, const char *why);

#endif
