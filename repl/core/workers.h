/*
 * workers.h — trials in worker processes, so an experiment uses every
 * core.
 *
 * Each task (a trial) gets a process of its own, forked from the shell
 * when the task starts, so it sees the session's data and network as they
 * are without copying them (copy-on-write), and trains with one BLAS
 * thread.  At most `jobs` tasks compute at once; the rest wait in a queue.
 * A task that finished waits, parked, for one of two words: go on to a
 * larger budget (successive halving's next rung continues where it
 * stopped) or end (workers_release).
 *
 * The worker sends its result back through a pipe as bytes the caller
 * defines.  A worker that dies (killed, crashed) is reported as a failed
 * task with the reason, and the others go on.  Ctrl-C (nnlab_interrupted)
 * stops every worker; the results already delivered stay with the caller.
 * While it waits, the shell shows a progress line: tasks done, running
 * and waiting.
 *
 * Workers never touch the terminal: their output goes to memory and comes
 * back with a failed task's reason; SIGINT is ignored in them (the shell
 * stops them with SIGTERM), and on Linux they end with the shell.
 */
#ifndef NNLAB_WORKERS_H
#define NNLAB_WORKERS_H

#include <stddef.h>

#include "buf.h"
#include "session.h"

/* Runs in the worker: bring task `id` to `budget` (epochs), appending the
 * result to out.  The first call for an id starts the task; a later one
 * (after workers_submit with a larger budget) continues it, the state kept
 * in the worker's own memory (ctx is the worker's copy).  0, or -1 when
 * the task failed (out may hold why). */
typedef int (*WorkerFn)(Session *s, void *ctx, int id, int budget, Buf *out);

typedef struct Workers Workers;

/* jobs >= 1 processes at a time.  NULL when out of memory (reported).
 * `what` names the tasks on the progress line ("trials", "runs"), and
 * total is how many there will be (0: unknown). */
Workers *workers_new(Session *s, int jobs, WorkerFn fn, void *ctx,
                     const char *label, const char *what, int total);

/* Queue task id (>= 0) to reach budget (>= 1).  A task seen before
 * continues in its parked worker.  0, or -1 when out of memory. */
int workers_submit(Workers *w, int id, int budget);

/* The next task to finish, waiting for it. */
typedef struct WorkerResult {
    int id, budget;
    int ok;             /* 1: data holds the result; 0: the task failed */
    const char *data;   /* valid until the next workers_next or free */
    size_t len;
    char why[160];      /* when !ok: "worker 1234 killed by signal 9" */
} WorkerResult;

/* 1 with *r filled; 0 when nothing is queued or running; -1 when Ctrl-C
 * came (every worker has been stopped; submit nothing more). */
int workers_next(Workers *w, WorkerResult *r);

/* The task will not go on: its worker ends. */
void workers_release(Workers *w, int id);

/* Tasks delivered so far (finished or failed). */
int workers_done(const Workers *w);

/* Stop every worker still there (SIGTERM), wait for them, free. */
void workers_free(Workers *w);

/* The number of cores: the default for jobs=. */
int workers_cores(void);

#endif
