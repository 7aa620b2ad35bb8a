/*
 * gp.c — the gnuplot child process and the pipe that feeds it.
 *
 * This file starts, watches and stops gnuplot, queues and sends frames,
 * and holds the failure message, the draw interval and the script log.
 * The rest of the module (see gp_internal.h): terminals, window names and
 * rendering in gp_term.c, gnuplot's output and gp_sync in gp_read.c, GpBuf
 * in gp_buf.c.
 *
 * Why it is built this way:
 *  - gnuplot runs with execvp and an argv, never through a shell, in its own
 *    process group (Ctrl-C at the prompt is for nnlab, not for gnuplot).
 *  - Its stdin is a non-blocking pipe: the shell must never wait for a slow
 *    or stopped gnuplot.  Bytes that do not fit stay in a queue; a newer
 *    frame for a window waits in that window (replacing an older waiting
 *    one) and is queued when the queue is empty, so a frame is never cut.
 *  - Its stdout and stderr come back through one pipe (print goes to stdout
 *    with `set print "-"`, so text and our sentinels keep their order).  A
 *    sentinel line "@@nnlab-...@@" tells gp_sync that gnuplot has run
 *    everything before it; gp_read.c takes sentinels out of what the
 *    caller sees.
 *  - A failed exec is seen at once through a close-on-exec status pipe; a
 *    later death through EPIPE, EOF on the output, or waitpid.  Either way
 *    the state becomes DEAD with one message, until gp_allow_restart().
 */
#include "gp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GP_START_TIMEOUT_MS 3000

/* ======================================================================
 * Small helpers
 * ====================================================================== */

void gp_set_msg(Gp *gp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(gp->msg, sizeof gp->msg, fmt, ap);
    va_end(ap);
    gp->has_msg = 1;
}

int gp_valid_window(int w)
{
    return w >= 0 && w < GP_MAX_WINDOWS;
}

int gp_has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

double gp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int gp_ms_left(double deadline)
{
    double left = (deadline - gp_now()) * 1000.0;
    if (left <= 0)
        return 0;
    return left > 1e9 ? 1000000000 : (int)left + 1;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ======================================================================
 * Life cycle
 * ====================================================================== */

Gp *gp_new(void)
{
    static int sigpipe_ignored;
    if (!sigpipe_ignored) {
        signal(SIGPIPE, SIG_IGN);
        sigpipe_ignored = 1;
    }
    Gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        return NULL;
    gp->in_fd = gp->out_fd = -1;
    gp->term = gp->live = GP_TERM_AUTO;
    gp->interval = 0.1;
    gp->slowdown = 1;
    gp->cpu_at = -1;
    gp->dir = strdup(".");
    if (!gp->dir) {
        free(gp);
        return NULL;
    }
    for (int i = 0; i < GP_MAX_WINDOWS; i++) {
        gp->win[i].last_draw = -1.0;
        snprintf(gp->win[i].name, sizeof gp->win[i].name, "%d", i);
    }
    const char *log = getenv("NNLAB_GNUPLOT_LOG");
    if (log && *log)
        gp_set_script_log(gp, log);
    return gp;
}

/* Wait for the child to go, killing it after timeout_ms; returns status. */
static int reap(Gp *gp, int timeout_ms)
{
    int status = 0;
    double deadline = gp_now() + timeout_ms / 1000.0;
    for (;;) {
        pid_t r = waitpid(gp->pid, &status, WNOHANG);
        if (r == gp->pid || (r < 0 && errno != EINTR))
            break;
        if (r == 0 && gp_now() >= deadline) {
            kill(gp->pid, SIGKILL);
            while (waitpid(gp->pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    gp->pid = 0;
    return status;
}


/* gnuplot is gone (or must go): keep its last words, reap it, say so once. */
void gp_die(Gp *gp, int status_known, int status)
{
    if (gp->state != GP_RUNNING)
        return;
    close_fd(&gp->in_fd);
    if (gp->out_fd >= 0) {   /* what it printed before dying */
        char tmp[4096];
        ssize_t r;
        while ((r = read(gp->out_fd, tmp, sizeof tmp)) > 0 &&
               gp->held.len < GP_HOLD_MAX)
            gp_buf_add(&gp->raw, tmp, (size_t)r);
        gp_filter_output(gp, 1);
        close_fd(&gp->out_fd);
    }
    if (gp->pid > 0) {
        if (!status_known)
            status = reap(gp, 200);
        gp->pid = 0;
    }
    if (WIFSIGNALED(status))
        gp_set_msg(gp, "plot: gnuplot was killed (signal %d); plotting is "
                       "off until the next plot command", WTERMSIG(status));
    else
        gp_set_msg(gp, "plot: gnuplot exited; plotting is off until the "
                       "next plot command");
    gp->state = GP_DEAD;
    gp_buf_clear(&gp->q);
    gp->q_off = 0;
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].dirty = gp->win[i].opened = 0;
}

/* Has the child exited on its own?  Then gp_die() now. */
static int check_child(Gp *gp)
{
    if (gp->state != GP_RUNNING)
        return gp->state == GP_DEAD ? -1 : 0;
    int status;
    pid_t r = waitpid(gp->pid, &status, WNOHANG);
    if (r == gp->pid) {
        gp->pid = 0;
        gp_die(gp, 1, status);
        return -1;
    }
    if (r < 0 && errno == ECHILD) {  /* reaped by someone else */
        gp->pid = 0;
        gp_die(gp, 1, 0);
        return -1;
    }
    return 0;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child_exec(char *const argv[], char *const envp[], int in_rd,
                       int out_wr, int st_wr, int max_fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0);
    /* rendering waits for a free core rather than take one from training
     * (its BLAS threads stall together when one of them is preempted) */
    (void)!nice(19);
    if (dup2(in_rd, 0) < 0 || dup2(out_wr, 1) < 0 || dup2(out_wr, 2) < 0) {
        int e = errno;
        (void)!write(st_wr, &e, sizeof e);
        _exit(127);
    }
    for (int fd = 3; fd < max_fd; fd++)
        if (fd != st_wr)
            close(fd);
    execvpe(argv[0], argv, envp);
    int e = errno;
    (void)!write(st_wr, &e, sizeof e);
    _exit(127);
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void exec_failed(Gp *gp, const char *bin, int err)
{
    gp->missing = err == ENOENT;
    if (err == ENOENT)
        gp_set_msg(gp, "plot: gnuplot is not installed (apt-get install "
                       "gnuplot); plotting is off");
    else
        gp_set_msg(gp, "plot: cannot run %s: %s; plotting is off", bin,
                   strerror(err));
    gp->state = GP_DEAD;
}


/* gnuplot's environment: ours, with LC_ALL=C.UTF-8.  The frames say
 * `set encoding utf8`, which gnuplot warns about in the C locale, and a
 * fixed locale keeps its number syntax independent of the user's.  NULL
 * if out of memory; free the array (not the strings). */
static char **gnuplot_env(void)
{
    extern char **environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = malloc((n + 2) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LC_ALL=", 7))
            env[k++] = environ[i];
    env[k++] = "LC_ALL=C.UTF-8";
    env[k] = NULL;
    return env;
}

/* fork + execvp, with a close-on-exec status pipe through which the child
 * reports a failed exec at once.  0: *pid, *in_wr (gnuplot's stdin) and
 * *out_rd (its stdout and stderr) are set.  -1: a message is set, the
 * state is DEAD and every descriptor made here is closed. */
static int spawn(Gp *gp, const char *bin, pid_t *pid_out, int *in_wr,
                 int *out_rd)
{
    char *argv0 = strdup(bin);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, st[2] = {-1, -1};
    if (!argv0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(st, O_CLOEXEC) < 0) {
        gp_set_msg(gp, "plot: cannot start gnuplot: %s; plotting is off",
                   strerror(errno));
        gp->state = GP_DEAD;
        goto err;
    }
    char *argv[] = {argv0, NULL};
    char **envp = gnuplot_env();
    if (!envp) {
        gp_set_msg(gp, "plot: cannot start gnuplot: out of memory");
        gp->state = GP_DEAD;
        goto err;
    }
    long max_fd = sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 1024)
        max_fd = 1024;
    pid_t pid = fork();
    if (pid == 0)
        child_exec(argv, envp, in[0], out[1], st[1], (int)max_fd);
    free(envp);
    if (pid < 0) {
        gp_set_msg(gp, "plot: cannot start gnuplot: %s; plotting is off",
                   strerror(errno));
        gp->state = GP_DEAD;
        goto err;
    }
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&st[1]);
    int child_errno = 0;
    ssize_t r;
    while ((r = read(st[0], &child_errno, sizeof child_errno)) < 0 &&
           errno == EINTR)
        ;
    close_fd(&st[0]);
    if (r > 0) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        exec_failed(gp, bin, child_errno);
        goto err;
    }
    free(argv0);
    *pid_out = pid;
    *in_wr = in[1];
    *out_rd = out[0];
    return 0;
err:
    free(argv0);
    close_fd(&in[0]), close_fd(&in[1]);
    close_fd(&out[0]), close_fd(&out[1]);
    close_fd(&st[0]), close_fd(&st[1]);
    return -1;
}

/* Start gnuplot; then learn which terminals this gnuplot has. */
static int start(Gp *gp)
{
    const char *bin = getenv("NNLAB_GNUPLOT");
    if (!bin || !*bin)
        bin = "gnuplot";
    pid_t pid;
    int in_wr, out_rd;
    if (spawn(gp, bin, &pid, &in_wr, &out_rd) < 0)
        return -1;
    gp->pid = pid;
    gp->in_fd = in_wr;
    gp->out_fd = out_rd;
    set_nonblock(gp->in_fd);
    set_nonblock(gp->out_fd);
#ifdef F_SETPIPE_SZ
    fcntl(gp->in_fd, F_SETPIPE_SZ, 1 << 20);   /* fewer pending frames */
    fcntl(gp->out_fd, F_SETPIPE_SZ, 1 << 20);
#endif
    gp->state = GP_RUNNING;
    gp->missing = 0;
    gp->cpu_at = -1; /* a new process: its CPU time starts at 0 */
    gp_buf_clear(&gp->q);
    gp_buf_clear(&gp->raw);
    gp->q_off = 0;
    memset(&gp->caps, 0, sizeof gp->caps);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].opened = gp->win[i].dirty = 0;
    gp_buf_puts(&gp->q, "set print \"-\"\nset encoding utf8\n"
                        "print \"" GP_MARK "caps \" . GPVAL_TERMINALS . "
                        "\" @@\"\n");
    if (gp_sync_marker(gp, GP_START_TIMEOUT_MS, NULL, NULL) < 0)
        return -1;
    gp_resolve_term(gp);
    return 0;
}

int gp_ensure_running(Gp *gp)
{
    if (gp->state == GP_OFF)
        return start(gp);
    return check_child(gp);
}

/* Let gnuplot finish what it was sent (reading its output meanwhile, so it
 * never blocks on it) and exit; kill it if it takes longer than ~2 s. */
static void finish(Gp *gp)
{
    double deadline = gp_now() + 1.0;
    char tmp[4096];
    while (gp_flush(gp) == 1 && gp_ms_left(deadline) > 0) {
        struct pollfd p[2] = {{gp->in_fd, POLLOUT, 0}, {gp->out_fd, POLLIN, 0}};
        if (poll(p, 2, gp_ms_left(deadline)) > 0 &&
            (p[1].revents & POLLIN))
            (void)!read(gp->out_fd, tmp, sizeof tmp);
    }
    if (gp->state != GP_RUNNING)
        return;
    close_fd(&gp->in_fd);   /* EOF: gnuplot runs the rest, then exits */
    deadline = gp_now() + 2.0;
    while (gp_ms_left(deadline) > 0 &&
           waitpid(gp->pid, NULL, WNOHANG) == 0) {
        struct pollfd p = {gp->out_fd, POLLIN, 0};
        /* short polls: a persist-window helper may keep the pipe open
         * after gnuplot itself has gone, so EOF alone is not enough */
        if (poll(&p, 1, 20) > 0 && read(gp->out_fd, tmp, sizeof tmp) == 0) {
            close_fd(&gp->out_fd);
            while (gp_ms_left(deadline) > 0 &&
                   waitpid(gp->pid, NULL, WNOHANG) == 0) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            break;
        }
    }
    if (waitpid(gp->pid, NULL, WNOHANG) == 0) {
        kill(gp->pid, SIGKILL);
        while (waitpid(gp->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    gp->pid = 0;
}

void gp_free(Gp *gp)
{
    if (!gp)
        return;
    if (gp->state == GP_RUNNING)
        finish(gp);
    close_fd(&gp->in_fd);
    close_fd(&gp->out_fd);
    if (gp->log)
        fclose(gp->log);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp_buf_free(&gp->win[i].body);
    gp_buf_free(&gp->q);
    gp_buf_free(&gp->raw);
    gp_buf_free(&gp->held);
    free(gp->dir);
    free(gp);
}

/* ======================================================================
 * Sending
 * ====================================================================== */

/* 0 queue empty, 1 pipe full, -1 gnuplot gone. */
static int write_queue(Gp *gp)
{
    int rc = 0;
    size_t start = gp->q_off;
    while (gp->q_off < gp->q.len) {
        ssize_t w = write(gp->in_fd, gp->q.s + gp->q_off, gp->q.len - gp->q_off);
        if (w > 0) {
            gp->q_off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            rc = 1;
            break;
        } else {
            rc = -1;
            break;
        }
    }
    if (gp->log && gp->q_off > start) {
        fwrite(gp->q.s + start, 1, gp->q_off - start, gp->log);
        fflush(gp->log);
    }
    if (rc < 0) {
        gp_die(gp, 0, 0);
        return -1;
    }
    if (rc == 0) {
        gp_buf_clear(&gp->q);
        gp->q_off = 0;
    }
    return rc;
}

static int any_dirty(const Gp *gp)
{
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        if (gp->win[i].dirty)
            return 1;
    return 0;
}

int gp_flush(Gp *gp)
{
    if (check_child(gp) < 0)
        return -1;
    if (gp->state != GP_RUNNING)
        return 0;
    for (;;) {
        int r = write_queue(gp);
        if (r != 0)
            return r;
        if (!any_dirty(gp))
            return 0;
        for (int i = 0; i < GP_MAX_WINDOWS; i++)
            if (gp->win[i].dirty)
                gp_queue_frame(gp, i);
        if (gp->q.failed) {
            gp_buf_clear(&gp->q);
            gp_set_msg(gp, "plot: out of memory");
            return -1;
        }
    }
}

int gp_missing(const Gp *gp)
{
    return gp->state == GP_DEAD && gp->missing;
}

int gp_pending(const Gp *gp)
{
    return gp->state == GP_RUNNING && (gp->q_off < gp->q.len || any_dirty(gp));
}

int gp_write_fd(const Gp *gp)
{
    return gp->state == GP_RUNNING ? gp->in_fd : -1;
}

int gp_output_fd(const Gp *gp)
{
    return gp->state == GP_RUNNING ? gp->out_fd : -1;
}

int gp_draw(Gp *gp, int window, const char *body, size_t len)
{
    if (!gp_valid_window(window) || (!body && len)) {
        gp_set_msg(gp, "plot: no such window %d", window);
        return -1;
    }
    GpWindow *w = &gp->win[window];
    gp_buf_clear(&w->body);
    gp_buf_add(&w->body, body, len);
    if (w->body.failed) {
        gp_set_msg(gp, "plot: out of memory");
        w->has_body = 0;
        return -1;
    }
    w->has_body = 1;
    if (gp->store_only)
        return 0; /* for plot save: the file gets it, the screen does not */
    if (gp_ensure_running(gp) < 0)
        return -1;
    w->dirty = 1;
    return gp_flush(gp) < 0 ? -1 : 0;
}

void gp_store_only(Gp *gp, int on)
{
    gp->store_only = on != 0;
}

int gp_has_frame(const Gp *gp, int window)
{
    return gp_valid_window(window) && gp->win[window].has_body;
}

/* gnuplot's CPU time so far (user + system), in seconds; -1 if unknown. */
static double gnuplot_cpu(const Gp *gp)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)gp->pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* past "pid (comm)" */
    unsigned long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                            "%lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Our own CPU time, all threads (BLAS's too), in seconds. */
static double own_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Live plots must not slow training down much.  While training keeps
 * more than one core busy (BLAS threads on a large network), every cycle
 * gnuplot spends rendering (a PNG of several curves takes tens of ms) is
 * taken from it, and worse: a preempted BLAS thread stalls the others.
 * Then gnuplot may use 1.5% of a core; otherwise (a small network, one
 * busy core) half of the idle one.  Once a second: above its share,
 * frames come as many times less often as it is over (down to one per
 * 6 s or so); below a third of it, twice as often again, up to the set
 * interval. */
static void adapt_rate(Gp *gp, double now)
{
    if (gp->state != GP_RUNNING || (gp->cpu_at >= 0 && now - gp->cpu_at < 1))
        return;
    double cpu = gnuplot_cpu(gp), self = own_cpu();
    if (cpu >= 0 && gp->cpu_at >= 0 && now > gp->cpu_at) {
        double wall = now - gp->cpu_at;
        double share = (cpu - gp->cpu_used) / wall;
        double budget = (self - gp->self_used) / wall > 1.2 ? 0.015 : 0.5;
        if (share > budget) {
            /* at once as much slower as it is over, so that a short
             * training run does not pay for a slow approach */
            for (; share > budget && gp->slowdown < 64; share /= 2)
                gp->slowdown *= 2;
        } else if (share < budget / 3 && share > 0 && gp->slowdown > 1) {
            gp->slowdown /= 2; /* (no frame at all in the second says
                                  nothing of their cost) */
        }
    }
    gp->cpu_at = now;
    gp->cpu_used = cpu;
    gp->self_used = self;
}

double gp_live_interval(Gp *gp, double base, double now)
{
    adapt_rate(gp, now);
    return base * gp->slowdown;
}

int gp_due(Gp *gp, int window, double now)
{
    if (!gp_valid_window(window) || gp->state == GP_DEAD)
        return 0;
    GpWindow *w = &gp->win[window];
    GpTerm t = gp->state == GP_RUNNING ? gp->live : gp->term;
    double interval = gp->interval;
    if ((t == GP_TERM_DUMB || t == GP_TERM_SIXEL) && interval < 1.0)
        interval = 1.0;   /* each frame scrolls the terminal: fewer */
    if (w->last_draw >= 0 && now - w->last_draw < interval &&
        now >= w->last_draw)
        return 0;
    w->last_draw = now;
    return 1;
}

/* ======================================================================
 * The rest of the API
 * ====================================================================== */

const char *gp_take_message(Gp *gp)
{
    if (!gp->has_msg)
        return NULL;
    gp->has_msg = 0;
    return gp->msg;
}

int gp_fail(Gp *gp, const char *msg)
{
    gp_set_msg(gp, "%s", msg ? msg : "plot: failed");
    return -1;
}

void gp_allow_restart(Gp *gp)
{
    /* gnuplot may have died unnoticed since the last write: find out now,
     * so the draw that follows starts a new one instead of failing on the
     * dead pipe.  Its death notice is moot: plotting goes on. */
    check_child(gp);
    if (gp->state == GP_DEAD) {
        gp->state = GP_OFF;
        gp->has_msg = 0;
    }
}

int gp_running(const Gp *gp)
{
    return gp->state == GP_RUNNING;
}

pid_t gp_pid(const Gp *gp)
{
    return gp->state == GP_RUNNING ? gp->pid : 0;
}

void gp_set_interval(Gp *gp, double seconds)
{
    gp->interval = seconds >= 0 ? seconds : 0;
}

int gp_set_script_log(Gp *gp, const char *path)
{
    if (gp->log)
        fclose(gp->log);
    gp->log = NULL;
    if (!path)
        return 0;
    gp->log = fopen(path, "ae");
    if (!gp->log) {
        gp_set_msg(gp, "plot: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
