/*
 * gp.c — the gnuplot module's public life cycle: a handle, gnuplot started
 * on the first draw and told which terminal to use, frames drawn and saved,
 * the failure message, the live-frame pace and the script log.
 *
 * The module (prefix gp_, contract gp.h) is spread over files that call
 * one another in one direction only, from the top:
 *   gp.c        this file
 *   gp_save.c   a frame saved to a file by a gnuplot of its own
 *   gp_read.c   gnuplot's output for the caller; gp_sync
 *   gp_queue.c  frames waiting in their windows, queued and flushed
 *   gp_term.c   terminals: names, which one, the `set term` line; window
 *               names; text quoted for gnuplot
 *   gp_proc.c   the child process and its pipes
 *   gp_out.c    gnuplot's output with our marker lines taken out
 * Their shared state, struct Gp, is in gp_internal.h.
 */
#include "clock.h"
#include "gp_internal.h"

#include <errno.h>
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
    gp->stuck = GP_STUCK_SECONDS;
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



/* Start gnuplot; then learn which terminals this gnuplot has. */
static int start(Gp *gp)
{
    const char *bin = getenv("NNLAB_GNUPLOT");
    if (!bin || !*bin)
        bin = "gnuplot";
    pid_t pid;
    int in_wr, out_rd;
    if (gp_spawn(gp, bin, 1, &pid, &in_wr, &out_rd) < 0) {
        gp->state = GP_DEAD;
        return -1;
    }
    gp->pid = pid;
    gp->in_fd = in_wr;
    gp->out_fd = out_rd;
    gp->state = GP_RUNNING;
    gp->missing = 0;
    gp->cpu_at = -1; /* a new process: its CPU time starts at 0 */
    buf_clear(&gp->q);
    buf_clear(&gp->raw);
    gp->q_off = 0;
    memset(&gp->caps, 0, sizeof gp->caps);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].opened = gp->win[i].dirty = 0;
    buf_puts(&gp->q, "set print \"-\"\nset encoding utf8\n"
                        "print \"" GP_MARK "caps \" . GPVAL_TERMINALS . "
                        "\" @@\"\n");
    if (gp_sync_marker(gp, GP_START_TIMEOUT_MS, NULL, NULL) < 0)
        return -1;
    gp_resolve_term(gp);
    return 0;
}

static int ensure_running(Gp *gp)
{
    if (gp->state == GP_OFF)
        return start(gp);
    return gp_check_child(gp);
}

/* Let gnuplot finish what it was sent (reading its output meanwhile, so it
 * never blocks on it) and exit; kill it if it takes longer than ~2 s. */
static void finish(Gp *gp)
{
    double deadline = clock_now() + 1.0;
    char tmp[4096];
    while (gp_flush(gp) == 1 && clock_ms_left(deadline) > 0) {
        struct pollfd p[2] = {{gp->in_fd, POLLOUT, 0}, {gp->out_fd, POLLIN, 0}};
        if (poll(p, 2, clock_ms_left(deadline)) > 0 &&
            (p[1].revents & POLLIN))
            (void)!read(gp->out_fd, tmp, sizeof tmp);
    }
    if (gp->state != GP_RUNNING)
        return;
    gp_close_fd(&gp->in_fd);   /* EOF: gnuplot runs the rest, then exits */
    deadline = clock_now() + 2.0;
    while (clock_ms_left(deadline) > 0 &&
           waitpid(gp->pid, NULL, WNOHANG) == 0) {
        struct pollfd p = {gp->out_fd, POLLIN, 0};
        /* short polls: a persist-window helper may keep the pipe open
         * after gnuplot itself has gone, so EOF alone is not enough */
        if (poll(&p, 1, 20) > 0 && read(gp->out_fd, tmp, sizeof tmp) == 0) {
            gp_close_fd(&gp->out_fd);
            while (clock_ms_left(deadline) > 0 &&
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
    gp_close_fd(&gp->in_fd);
    gp_close_fd(&gp->out_fd);
    if (gp->log)
        fclose(gp->log);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        buf_free(&gp->win[i].body);
    buf_free(&gp->q);
    buf_free(&gp->raw);
    buf_free(&gp->held);
    free(gp->dir);
    free(gp);
}

/* ======================================================================
 * Sending
 * ====================================================================== */

int gp_missing(const Gp *gp)
{
    return gp->state == GP_DEAD && gp->missing;
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
    buf_clear(&w->body);
    buf_add(&w->body, body, len);
    if (w->body.failed) {
        gp_set_msg(gp, "plot: out of memory");
        w->has_body = 0;
        return -1;
    }
    w->has_body = 1;
    if (gp->store_only)
        return 0; /* for plot save: the file gets it, the screen does not */
    if (ensure_running(gp) < 0)
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
    double cpu = gp_child_cpu(gp->pid), self = own_cpu();
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
    gp_check_child(gp);
    if (gp->state == GP_DEAD) {
        gp->state = GP_OFF;
        gp->has_msg = 0;
    }
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].blocked = 0;   /* the file may be writable now */
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

int gp_set_term(Gp *gp, GpTerm t)
{
    if ((int)t < 0 || t >= GP_TERM_COUNT) {
        gp_set_msg(gp, "plot: unknown terminal");
        return -1;
    }
    /* gnuplot that cannot open a file prints its error, then the picture
     * itself onto its output: say so at once, in one line */
    if ((t == GP_TERM_PNG || t == GP_TERM_SVG) &&
        access(gp->dir, W_OK | X_OK) < 0) {
        gp_set_msg(gp, "plot: live plots cannot be written in %s (%s): cd "
                   "to a directory you can write, or use plot save FILE",
                   strcmp(gp->dir, ".") ? gp->dir : "the current directory",
                   strerror(errno));
        return -1;
    }
    GpTerm old = gp->term;
    gp->term = t;
    if (ensure_running(gp) < 0)
        return -1;
    if (!gp_has_term(&gp->caps, t)) {
        gp->term = old;
        gp_resolve_term(gp);
        gp_set_msg(gp, "plot: this gnuplot has no %s terminal%s; "
                       "staying with %s", gp_term_str(t),
                   t <= GP_TERM_X11 ? " (gnuplot-nox? try gnuplot-qt)" : "",
                   gp_term_str(gp->live));
        return -1;
    }
    gp_resolve_term(gp);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].opened = gp->win[i].blocked = 0;
    return 0;
}
