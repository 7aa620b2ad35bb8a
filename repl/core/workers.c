/*
 * workers.c — trials in worker processes (see workers.h).
 *
 * One process per task, forked when the task starts: the fork is what
 * hands a worker the data and the network (copy-on-write, nothing sent),
 * and a process per task is what lets one crash without taking the others
 * along.  The shell talks to each worker through two pipes: down, a
 * budget (0 ends the worker); up, for each budget reached, a header
 * (status, length) and the result's bytes.
 *
 * The shell waits in poll() on the workers that compute, a fifth of a
 * second at a time, so Ctrl-C, the progress line and the watched
 * descriptors (gnuplot's replies) are seen while trials run.
 */
#include "workers.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "clock.h"
#include "cmd.h"
#include "interrupt.h"
#include "mat.h"
#include "out.h"

typedef enum { W_RUNNING, W_PARKED } WorkerState;

typedef struct Worker {
    pid_t pid;
    int id, budget;
    int down, up;        /* the shell's ends: budgets down, results up */
    WorkerState state;
    Buf in;              /* bytes of the result being read */
} Worker;

typedef struct Pending {
    int id, budget;
} Pending;

struct Workers {
    Session *s;
    int jobs;
    WorkerFn fn;
    void *ctx;
    const char *label, *what;
    int total;
    Worker *w;           /* live workers, running or parked */
    int nw, capw;
    Pending *queue;      /* waiting to start, first at head */
    int head, nq, capq;
    int running, done;
    Buf last;            /* the data of the result delivered last */
    double t0, shown;
};

int workers_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ------------------------------------------------------------------ */
/* Bytes through pipes                                                  */
/* ------------------------------------------------------------------ */

static int write_full(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static int read_full(int fd, void *p, size_t n)
{
    char *c = p;
    while (n > 0) {
        ssize_t k = read(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The worker's side                                                    */
/* ------------------------------------------------------------------ */

/* Never returns: budgets in, results out, until a 0 or the pipe closes. */
static void worker_main(Workers *w, const Worker *me, pid_t shell)
{
    signal(SIGINT, SIG_IGN);    /* the shell decides, and sends SIGTERM */
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != shell)
        _exit(1);
    for (int i = 0; i < w->nw; i++)    /* the other workers' pipes */
        if (&w->w[i] != me) {
            close(w->w[i].down);
            close(w->w[i].up);
        }
    nn_blas_threads(1);
    Session *s = w->s;
    memset(&s->hooks, 0, sizeof s->hooks);  /* no terminal here */
    s->interactive = 0;
    s->tty_out = 0;
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    s->out = mem ? mem : stderr;
    for (;;) {
        int32_t budget;
        if (read_full(me->down, &budget, sizeof budget) || budget <= 0)
            _exit(0);
        Buf out = BUF_INIT;
        int rc = w->fn(s, w->ctx, me->id, budget, &out);
        if (rc && mem && fflush(mem) == 0 && tlen)
            buf_add(&out, text, tlen);
        uint32_t head[2] = { rc ? 1u : 0u, (uint32_t)out.len };
        if (out.failed || write_full(me->up, head, sizeof head) ||
            write_full(me->up, out.s ? out.s : "", out.len))
            _exit(2);
        buf_free(&out);
    }
}

/* ------------------------------------------------------------------ */
/* Starting, parking and ending workers                                 */
/* ------------------------------------------------------------------ */

static Worker *find(Workers *w, int id)
{
    for (int i = 0; i < w->nw; i++)
        if (w->w[i].id == id)
            return &w->w[i];
    return NULL;
}

static int spawn(Workers *w, int id, int budget)
{
    int down[2], up[2];
    if (w->nw == w->capw) {
        int cap = w->capw ? 2 * w->capw : 8;
        Worker *nw = realloc(w->w, (size_t)cap * sizeof *nw);
        if (!nw)
            return -1;
        w->w = nw;
        w->capw = cap;
    }
    if (pipe(down))
        return -1;
    if (pipe(up)) {
        close(down[0]);
        close(down[1]);
        return -1;
    }
    Worker *me = &w->w[w->nw];
    *me = (Worker){ .id = id, .budget = budget, .down = down[1],
                    .up = up[0], .state = W_RUNNING, .in = BUF_INIT };
    fflush(NULL);   /* nothing buffered is written twice */
    pid_t shell = getpid(), pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        me->down = down[0];
        me->up = up[1];
        w->nw++;     /* the worker's copy: so it closes the others only */
        worker_main(w, me, shell);
    }
    close(down[0]);
    close(up[1]);
    if (pid < 0) {
        close(down[1]);
        close(up[0]);
        return -1;
    }
    me->pid = pid;
    w->nw++;
    int32_t b = budget;
    write_full(me->down, &b, sizeof b); /* a dead worker shows up as EOF */
    return 0;
}

/* Forget worker i (its pipes closed, the process waited for). */
static void drop(Workers *w, int i, int *status)
{
    Worker *x = &w->w[i];
    int st = 0;
    close(x->down);
    close(x->up);
    while (waitpid(x->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (status)
        *status = st;
    buf_free(&x->in);
    w->w[i] = w->w[--w->nw];
}

static void stop_all(Workers *w)
{
    for (int i = 0; i < w->nw; i++)
        kill(w->w[i].pid, SIGTERM);
    while (w->nw > 0)
        drop(w, w->nw - 1, NULL);
    w->running = 0;
    w->nq = 0;
}

/* Start queued tasks while fewer than jobs compute. */
static int start_queued(Workers *w)
{
    while (w->running < w->jobs && w->nq > 0) {
        Pending p = w->queue[w->head];
        w->head = (w->head + 1) % w->capq;
        w->nq--;
        Worker *x = find(w, p.id);
        int32_t b = p.budget;
        if (x && x->state == W_PARKED &&
            write_full(x->down, &b, sizeof b) == 0) {
            x->state = W_RUNNING;
            x->budget = p.budget;
        } else {
            if (x)      /* its worker is gone: start over, same result */
                drop(w, (int)(x - w->w), NULL);
            if (spawn(w, p.id, p.budget))
                return -1;
        }
        w->running++;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The shell's side                                                     */
/* ------------------------------------------------------------------ */

Workers *workers_new(Session *s, int jobs, WorkerFn fn, void *ctx,
                     const char *label, const char *what, int total)
{
    Workers *w = calloc(1, sizeof *w);
    if (!w) {
        cmd_error(s, "out of memory");
        return NULL;
    }
    *w = (Workers){ .s = s, .jobs = jobs < 1 ? 1 : jobs, .fn = fn,
                    .ctx = ctx, .label = label, .what = what,
                    .total = total, .last = BUF_INIT, .t0 = clock_now() };
    signal(SIGPIPE, SIG_IGN);   /* a dead worker is an error, not a kill */
    return w;
}

int workers_submit(Workers *w, int id, int budget)
{
    if (w->nq == w->capq) {
        int cap = w->capq ? 2 * w->capq : 16;
        Pending *q = malloc((size_t)cap * sizeof *q);
        if (!q)
            return -1;
        for (int i = 0; i < w->nq; i++)
            q[i] = w->queue[(w->head + i) % w->capq];
        free(w->queue);
        w->queue = q;
        w->capq = cap;
        w->head = 0;
    }
    w->queue[(w->head + w->nq) % w->capq] = (Pending){ id, budget };
    w->nq++;
    return 0;
}

static void show_progress(Workers *w, int force)
{
    double now = clock_now();
    if (!force && now - w->shown < 0.25)
        return;
    w->shown = now;
    char line[256], ids[96] = "";
    size_t n = 0;
    for (int i = 0; i < w->nw && n + 12 < sizeof ids; i++)
        if (w->w[i].state == W_RUNNING)
            n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%d",
                                  n ? ", " : " (", w->w[i].id + 1);
    if (n)
        snprintf(ids + n, sizeof ids - n, ")");
    int secs = (int)(now - w->t0);
    char total[24] = "";
    if (w->total > 0)
        snprintf(total, sizeof total, " of %d", w->total);
    snprintf(line, sizeof line, "%s: %d%s %s done, %d running%s, %d "
             "waiting  %d:%02d", w->label, w->done, total, w->what,
             w->running, ids, w->nq, secs / 60, secs % 60);
    out_progress(w->s, line);
}

/* Why a worker ended without its result. */
static void describe_death(WorkerResult *r, pid_t pid, int status)
{
    if (WIFSIGNALED(status))
        snprintf(r->why, sizeof r->why, "its worker (process %ld) was "
                 "killed by signal %d (%s)", (long)pid, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(r->why, sizeof r->why, "its worker (process %ld) exited "
                 "with status %d", (long)pid, WEXITSTATUS(status));
    else
        snprintf(r->why, sizeof r->why, "its worker (process %ld) ended "
                 "without a result", (long)pid);
}

/* Read what worker i sent.  1 and *r filled when a result is complete or
 * the worker died; 0 when more is to come. */
static int take_input(Workers *w, int i, WorkerResult *r)
{
    Worker *x = &w->w[i];
    char chunk[65536];
    ssize_t k = read(x->up, chunk, sizeof chunk);
    if (k < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    memset(r, 0, sizeof *r);
    r->id = x->id;
    r->budget = x->budget;
    if (k <= 0) {
        int status;
        pid_t pid = x->pid;
        drop(w, i, &status);
        describe_death(r, pid, status);
        return 1;
    }
    buf_add(&x->in, chunk, (size_t)k);
    uint32_t head[2];
    if (x->in.len < sizeof head)
        return 0;
    memcpy(head, x->in.s, sizeof head);
    if (x->in.len < sizeof head + head[1])
        return 0;
    buf_clear(&w->last);
    buf_add(&w->last, x->in.s + sizeof head, head[1]);
    buf_clear(&x->in);
    x->state = W_PARKED;
    r->ok = head[0] == 0;
    r->data = w->last.s ? w->last.s : "";
    r->len = head[1];
    if (!r->ok)
        snprintf(r->why, sizeof r->why, "%.*s", (int)(r->len < 150 ? r->len
                                                                : 150), r->data);
    return 1;
}

int workers_next(Workers *w, WorkerResult *r)
{
    struct pollfd fds[64];
    int who[64];
    for (;;) {
        if (nnlab_interrupted) {
            stop_all(w);
            return -1;
        }
        if (start_queued(w)) {
            stop_all(w);
            cmd_error(w->s, "cannot start a worker process: %s",
                      strerror(errno));
            return -1;
        }
        if (w->running == 0)
            return 0;
        int n = 0;
        for (int i = 0; i < w->nw && n < 64; i++)
            if (w->w[i].state == W_RUNNING) {
                fds[n] = (struct pollfd){ w->w[i].up, POLLIN, 0 };
                who[n++] = w->w[i].pid;
            }
        show_progress(w, 0);
        if (poll(fds, (nfds_t)n, 200) > 0) {
            for (int j = 0; j < n; j++) {
                if (!fds[j].revents)
                    continue;
                int i = 0;
                while (i < w->nw && w->w[i].pid != who[j])
                    i++;
                if (i < w->nw && take_input(w, i, r)) {
                    w->running--;
                    w->done++;
                    show_progress(w, 1);
                    return 1;
                }
            }
        }
        session_poll_watched(w->s);
    }
}

void workers_release(Workers *w, int id)
{
    Worker *x = find(w, id);
    if (!x)
        return;
    if (x->state == W_RUNNING) {
        kill(x->pid, SIGTERM);
        w->running--;
    } else {
        int32_t zero = 0;
        write_full(x->down, &zero, sizeof zero);
    }
    drop(w, (int)(x - w->w), NULL);
}

int workers_done(const Workers *w)
{
    return w->done;
}

void workers_free(Workers *w)
{
    if (!w)
        return;
    stop_all(w);
    out_progress(w->s, NULL);
    free(w->w);
    free(w->queue);
    buf_free(&w->last);
    free(w);
}
