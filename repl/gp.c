/*
 * gp.c — the gnuplot child process and the pipe that feeds it.
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
 *    everything before it; sentinels are taken out of what the caller sees.
 *  - A failed exec is seen at once through a close-on-exec status pipe; a
 *    later death through EPIPE, EOF on the output, or waitpid.  Either way
 *    the state becomes DEAD with one message, until gp_allow_restart().
 */
#include "gp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { GP_OFF, GP_RUNNING, GP_DEAD };

#define GP_MARK "@@nnlab-"
#define GP_MARK_LEN 8
#define GP_MARK_MAX 4096            /* longer is not one of ours */
#define GP_HOLD_MAX (16u << 20)     /* output kept for gp_read_output */
#define GP_START_TIMEOUT_MS 3000

typedef struct GpWindow {
    GpBuf body;         /* last frame, without terminal line */
    int has_body;
    int dirty;          /* body not yet queued for the live terminal */
    int opened;         /* window terminal opened (size given) already */
    double last_draw;   /* for gp_due; < 0: never */
    char name[64];
} GpWindow;

/* Terminals this gnuplot has, from GPVAL_TERMINALS. */
typedef struct GpCaps {
    int known, qt, wxt, x11, pngcairo, png, svg, sixelgd;
} GpCaps;

struct Gp {
    int state;
    pid_t pid;
    int in_fd, out_fd;
    GpTerm term;            /* asked for */
    GpTerm live;            /* in use (AUTO resolved) */
    GpCaps caps;
    char *dir;              /* png/svg live files */
    double interval;
    GpBuf q;                /* bytes to send; q_off of them sent */
    size_t q_off;
    GpBuf raw;              /* output read, not yet filtered */
    GpBuf held;             /* filtered output for gp_read_output */
    unsigned sync_sent, sync_seen;
    FILE *log;
    char msg[320];
    int has_msg;
    GpWindow win[GP_MAX_WINDOWS];
};

static const char *const term_names[GP_TERM_COUNT] = {
    "auto", "qt", "wxt", "x11", "dumb", "png", "svg", "sixel"};

/* ======================================================================
 * GpBuf
 * ====================================================================== */

static int buf_reserve(GpBuf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void gp_buf_free(GpBuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void gp_buf_clear(GpBuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->s)
        b->s[0] = '\0';
}

void gp_buf_add(GpBuf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void gp_buf_puts(GpBuf *b, const char *s)
{
    gp_buf_add(b, s, strlen(s));
}

void gp_buf_printf(GpBuf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        gp_buf_add(b, small, (size_t)n);
        return;
    }
    if (buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void gp_buf_num(GpBuf *b, double v)
{
    gp_buf_printf(b, "%.10g", v);
}

void gp_buf_quote(GpBuf *b, const char *text)
{
    gp_buf_add(b, "'", 1);
    for (const char *p = text ? text : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'')
            gp_buf_add(b, "''", 2);
        else if (c < 0x20 || c == 0x7f)
            gp_buf_add(b, " ", 1);
        else
            gp_buf_add(b, p, 1);
    }
    gp_buf_add(b, "'", 1);
}

/* ======================================================================
 * Small helpers
 * ====================================================================== */

static void set_msg(Gp *gp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_msg(Gp *gp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(gp->msg, sizeof gp->msg, fmt, ap);
    va_end(ap);
    gp->has_msg = 1;
}

static int valid_window(int w)
{
    return w >= 0 && w < GP_MAX_WINDOWS;
}

static int has_control_chars(const char *s)
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

static int ms_left(double deadline)
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

static void filter_output(Gp *gp, int final);

/* gnuplot is gone (or must go): keep its last words, reap it, say so once. */
static void die(Gp *gp, int status_known, int status)
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
        filter_output(gp, 1);
        close_fd(&gp->out_fd);
    }
    if (gp->pid > 0) {
        if (!status_known)
            status = reap(gp, 200);
        gp->pid = 0;
    }
    if (WIFSIGNALED(status))
        set_msg(gp, "plot: gnuplot was killed (signal %d); plotting is off "
                    "until the next plot command", WTERMSIG(status));
    else
        set_msg(gp, "plot: gnuplot exited; plotting is off until the next "
                    "plot command");
    gp->state = GP_DEAD;
    gp_buf_clear(&gp->q);
    gp->q_off = 0;
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].dirty = gp->win[i].opened = 0;
}

/* Has the child exited on its own?  Then die() now. */
static int check_child(Gp *gp)
{
    if (gp->state != GP_RUNNING)
        return gp->state == GP_DEAD ? -1 : 0;
    int status;
    pid_t r = waitpid(gp->pid, &status, WNOHANG);
    if (r == gp->pid) {
        gp->pid = 0;
        die(gp, 1, status);
        return -1;
    }
    if (r < 0 && errno == ECHILD) {  /* reaped by someone else */
        gp->pid = 0;
        die(gp, 1, 0);
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
    if (err == ENOENT)
        set_msg(gp, "plot: gnuplot is not installed (apt-get install "
                    "gnuplot); plotting is off");
    else
        set_msg(gp, "plot: cannot run %s: %s; plotting is off", bin,
                strerror(err));
    gp->state = GP_DEAD;
}

static void resolve_term(Gp *gp);
static int sync_marker(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx);

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

/* fork + execvp; then learn which terminals this gnuplot has. */
static int start(Gp *gp)
{
    const char *bin = getenv("NNLAB_GNUPLOT");
    if (!bin || !*bin)
        bin = "gnuplot";
    char *argv0 = strdup(bin);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, st[2] = {-1, -1};
    if (!argv0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(st, O_CLOEXEC) < 0) {
        set_msg(gp, "plot: cannot start gnuplot: %s; plotting is off",
                strerror(errno));
        gp->state = GP_DEAD;
        goto err;
    }
    char *argv[] = {argv0, NULL};
    char **envp = gnuplot_env();
    if (!envp) {
        set_msg(gp, "plot: cannot start gnuplot: out of memory");
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
        set_msg(gp, "plot: cannot start gnuplot: %s; plotting is off",
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
    gp->pid = pid;
    gp->in_fd = in[1];
    gp->out_fd = out[0];
    set_nonblock(gp->in_fd);
    set_nonblock(gp->out_fd);
#ifdef F_SETPIPE_SZ
    fcntl(gp->in_fd, F_SETPIPE_SZ, 1 << 20);   /* fewer pending frames */
    fcntl(gp->out_fd, F_SETPIPE_SZ, 1 << 20);
#endif
    gp->state = GP_RUNNING;
    gp_buf_clear(&gp->q);
    gp_buf_clear(&gp->raw);
    gp->q_off = 0;
    memset(&gp->caps, 0, sizeof gp->caps);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].opened = gp->win[i].dirty = 0;
    free(argv0);
    gp_buf_puts(&gp->q, "set print \"-\"\nset encoding utf8\n"
                        "print \"" GP_MARK "caps \" . GPVAL_TERMINALS . "
                        "\" @@\"\n");
    if (sync_marker(gp, GP_START_TIMEOUT_MS, NULL, NULL) < 0)
        return -1;
    resolve_term(gp);
    return 0;
err:
    free(argv0);
    close_fd(&in[0]), close_fd(&in[1]);
    close_fd(&out[0]), close_fd(&out[1]);
    close_fd(&st[0]), close_fd(&st[1]);
    return -1;
}

static int ensure_running(Gp *gp)
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
    while (gp_flush(gp) == 1 && ms_left(deadline) > 0) {
        struct pollfd p[2] = {{gp->in_fd, POLLOUT, 0}, {gp->out_fd, POLLIN, 0}};
        if (poll(p, 2, ms_left(deadline)) > 0 && (p[1].revents & POLLIN))
            (void)!read(gp->out_fd, tmp, sizeof tmp);
    }
    if (gp->state != GP_RUNNING)
        return;
    close_fd(&gp->in_fd);   /* EOF: gnuplot runs the rest, then exits */
    deadline = gp_now() + 2.0;
    while (ms_left(deadline) > 0 && waitpid(gp->pid, NULL, WNOHANG) == 0) {
        struct pollfd p = {gp->out_fd, POLLIN, 0};
        /* short polls: a persist-window helper may keep the pipe open
         * after gnuplot itself has gone, so EOF alone is not enough */
        if (poll(&p, 1, 20) > 0 && read(gp->out_fd, tmp, sizeof tmp) == 0) {
            close_fd(&gp->out_fd);
            while (ms_left(deadline) > 0 &&
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
 * Terminals
 * ====================================================================== */

const char *gp_term_str(GpTerm t)
{
    return (int)t >= 0 && t < GP_TERM_COUNT ? term_names[t] : "?";
}

int gp_term_parse(const char *name, GpTerm *out)
{
    for (int i = 0; name && i < GP_TERM_COUNT; i++)
        if (strcmp(name, term_names[i]) == 0) {
            *out = (GpTerm)i;
            return 0;
        }
    return -1;
}

const char *gp_term_name(const Gp *gp)
{
    return gp_term_str(gp->state == GP_RUNNING ? gp->live : gp->term);
}

static int has_term(const GpCaps *c, GpTerm t)
{
    if (!c->known)   /* could not ask: assume the ones every build has */
        return t == GP_TERM_DUMB || t == GP_TERM_PNG || t == GP_TERM_SVG ||
               t == GP_TERM_AUTO;
    switch (t) {
    case GP_TERM_AUTO: case GP_TERM_DUMB: return 1;
    case GP_TERM_QT: return c->qt;
    case GP_TERM_WXT: return c->wxt;
    case GP_TERM_X11: return c->x11;
    case GP_TERM_PNG: return c->pngcairo || c->png;
    case GP_TERM_SVG: return c->svg;
    case GP_TERM_SIXEL: return c->sixelgd;
    default: return 0;
    }
}

static void resolve_term(Gp *gp)
{
    if (gp->term != GP_TERM_AUTO) {
        gp->live = gp->term;
        return;
    }
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    int x11 = x && *x, wayland = w && *w;
    gp->live = GP_TERM_DUMB;
    if ((x11 || wayland) && gp->caps.qt)
        gp->live = GP_TERM_QT;
    else if ((x11 || wayland) && gp->caps.wxt)
        gp->live = GP_TERM_WXT;
    else if (x11 && gp->caps.x11)
        gp->live = GP_TERM_X11;
}

int gp_set_term(Gp *gp, GpTerm t)
{
    if ((int)t < 0 || t >= GP_TERM_COUNT) {
        set_msg(gp, "plot: unknown terminal");
        return -1;
    }
    GpTerm old = gp->term;
    gp->term = t;
    if (ensure_running(gp) < 0)
        return -1;
    if (!has_term(&gp->caps, t)) {
        gp->term = old;
        resolve_term(gp);
        set_msg(gp, "plot: this gnuplot has no %s terminal%s; staying with %s",
                gp_term_str(t),
                t <= GP_TERM_X11 ? " (gnuplot-nox? try gnuplot-qt)" : "",
                gp_term_str(gp->live));
        return -1;
    }
    resolve_term(gp);
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].opened = 0;
    return 0;
}

/* Columns and lines for the dumb terminal: the real terminal if there is
 * one (one line left for the prompt), else $COLUMNS/$LINES, else 79x24. */
static void dumb_size(int *cols, int *rows)
{
    struct winsize ws;
    const int fds[] = {STDOUT_FILENO, STDERR_FILENO, STDIN_FILENO};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (ioctl(fds[i], TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
            ws.ws_row > 0) {
            *cols = ws.ws_col - 1;
            *rows = ws.ws_row - 1;
            goto clamp;
        }
    const char *c = getenv("COLUMNS"), *l = getenv("LINES");
    *cols = c ? atoi(c) - 1 : 79;
    *rows = l ? atoi(l) - 1 : 24;
clamp:
    if (*cols < 20 || *cols > 1000)
        *cols = 79;
    if (*rows < 8 || *rows > 1000)
        *rows = 24;
}

/* `set term ...` for terminal t in window w (and `set output` for files
 * and streams), then NN_LOGFMT, the tic format bodies use on log axes. */
static void put_term(Gp *gp, GpBuf *b, int w, GpTerm t, int width, int height,
                     const char *file)
{
    GpWindow *win = &gp->win[w];
    const char *wname = t == GP_TERM_QT ? "qt" : t == GP_TERM_WXT ? "wxt"
                                                                    : "x11";
    int cols, rows;
    switch (t) {
    case GP_TERM_QT: case GP_TERM_WXT: case GP_TERM_X11: {
        char title[96];
        snprintf(title, sizeof title, "nnlab: %s", win->name);
        gp_buf_printf(b, "set term %s %d title ", wname, w);
        gp_buf_quote(b, title);
        gp_buf_puts(b, " persist noraise enhanced");
        if (t != GP_TERM_X11)
            gp_buf_puts(b, " font 'Sans,12'");
        if (!win->opened)   /* later: keep the size the user gave it */
            gp_buf_puts(b, " size 900,640");
        gp_buf_puts(b, "\n");
        break;
    }
    case GP_TERM_DUMB:
        dumb_size(&cols, &rows);
        gp_buf_printf(b, "set term dumb size %d,%d\nset output\n", cols,
                      rows);
        break;
    case GP_TERM_SIXEL:
        gp_buf_puts(b, "set term sixelgd size 800,600 font 'sans,12'\n"
                       "set output\n");
        break;
    case GP_TERM_SVG:
        gp_buf_printf(b, "set term svg size %d,%d font 'sans,12' "
                         "background rgb 'white'\n", width, height);
        break;
    default: /* PNG */
        gp_buf_printf(b, "set term %s size %d,%d font 'sans,12'%s\n",
                      gp->caps.pngcairo || !gp->caps.known ? "pngcairo"
                                                            : "png",
                      width, height,
                      gp->caps.pngcairo || !gp->caps.known
                          ? " background rgb 'white'" : "");
        break;
    }
    if (file) {
        gp_buf_puts(b, "set output ");
        gp_buf_quote(b, file);
        gp_buf_puts(b, "\n");
    }
    gp_buf_printf(b, "NN_DUMB = %d\nNN_LOGFMT = \"%s\"\n",
                  t == GP_TERM_DUMB, t == GP_TERM_DUMB ? "%.0e" : "10^{%L}");
}

/* Queue the live frame of window w. */
static void queue_frame(Gp *gp, int w)
{
    GpWindow *win = &gp->win[w];
    GpBuf *q = &gp->q;
    GpTerm t = gp->live;
    gp_buf_printf(q, "# nnlab window %d\n", w);
    if (t == GP_TERM_PNG || t == GP_TERM_SVG) {
        GpBuf path = GP_BUF_INIT;
        gp_buf_printf(&path, "%s/plot-%s.%s", gp->dir, win->name,
                      t == GP_TERM_PNG ? "png" : "svg");
        put_term(gp, q, w, t, 1024, 768, path.failed ? "" : path.s);
        gp_buf_free(&path);
    } else {
        put_term(gp, q, w, t, 0, 0, NULL);
    }
    gp_buf_add(q, win->body.s, win->body.len);
    if (t == GP_TERM_PNG || t == GP_TERM_SVG)
        gp_buf_puts(q, "unset output\n");   /* closes the file: complete */
    win->dirty = 0;
    win->opened = 1;
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
        die(gp, 0, 0);
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
                queue_frame(gp, i);
        if (gp->q.failed) {
            gp_buf_clear(&gp->q);
            set_msg(gp, "plot: out of memory");
            return -1;
        }
    }
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
    if (!valid_window(window) || (!body && len)) {
        set_msg(gp, "plot: no such window %d", window);
        return -1;
    }
    GpWindow *w = &gp->win[window];
    gp_buf_clear(&w->body);
    gp_buf_add(&w->body, body, len);
    if (w->body.failed) {
        set_msg(gp, "plot: out of memory");
        w->has_body = 0;
        return -1;
    }
    w->has_body = 1;
    if (ensure_running(gp) < 0)
        return -1;
    w->dirty = 1;
    return gp_flush(gp) < 0 ? -1 : 0;
}

int gp_has_frame(const Gp *gp, int window)
{
    return valid_window(window) && gp->win[window].has_body;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* errno if path cannot be created or overwritten, else 0. */
static int check_writable(const char *path)
{
    if (access(path, F_OK) == 0)
        return access(path, W_OK) == 0 ? 0 : errno;
    if (errno != ENOENT)
        return errno;
    const char *slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK | X_OK) == 0 ? 0 : errno;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = strndup(path, n);
    if (!dir)
        return ENOMEM;
    int rc = access(dir, W_OK | X_OK) == 0 ? 0 : errno;
    free(dir);
    return rc;
}

int gp_save(Gp *gp, int window, const char *path, int width, int height)
{
    if (!valid_window(window) || !gp->win[window].has_body) {
        set_msg(gp, "plot: nothing to save yet: draw the plot first");
        return -1;
    }
    if (!path || !*path || has_control_chars(path)) {
        set_msg(gp, "plot: save needs a plain file name");
        return -1;
    }
    GpTerm t = ends_with(path, ".png") ? GP_TERM_PNG
             : ends_with(path, ".svg") ? GP_TERM_SVG : GP_TERM_AUTO;
    if (t == GP_TERM_AUTO) {
        set_msg(gp, "plot: save needs a file name ending in .png or .svg");
        return -1;
    }
    int err = check_writable(path);
    if (err) {
        set_msg(gp, "plot: cannot write %s: %s", path, strerror(err));
        return -1;
    }
    if (width <= 0 || height <= 0 || width > 10000 || height > 10000)
        width = 1024, height = 768;
    if (ensure_running(gp) < 0)
        return -1;
    GpWindow *w = &gp->win[window];
    gp_buf_printf(&gp->q, "# nnlab save window %d\n", window);
    put_term(gp, &gp->q, window, t, width, height, path);
    gp_buf_add(&gp->q, w->body.s, w->body.len);
    gp_buf_puts(&gp->q, "unset output\n");
    GpTerm live = gp->live;
    if ((live == GP_TERM_QT || live == GP_TERM_WXT || live == GP_TERM_X11) &&
        w->opened)   /* so zooming in that window replots there */
        put_term(gp, &gp->q, window, live, 0, 0, NULL);
    if (gp->q.failed) {
        set_msg(gp, "plot: out of memory");
        return -1;
    }
    return gp_flush(gp) < 0 ? -1 : 0;
}

int gp_due(Gp *gp, int window, double now)
{
    if (!valid_window(window) || gp->state == GP_DEAD)
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
 * Reading gnuplot's output
 * ====================================================================== */

static void parse_caps(Gp *gp, const char *list, size_t n)
{
    char *s = strndup(list, n);
    if (!s)
        return;
    GpCaps *c = &gp->caps;
    c->known = 1;
    c->qt = strstr(s, " qt ") != NULL;
    c->wxt = strstr(s, " wxt ") != NULL;
    c->x11 = strstr(s, " x11 ") != NULL;
    c->pngcairo = strstr(s, " pngcairo ") != NULL;
    c->png = strstr(s, " png ") != NULL;
    c->svg = strstr(s, " svg ") != NULL;
    c->sixelgd = strstr(s, " sixelgd ") != NULL;
    free(s);
}

/* One "@@nnlab-PAYLOAD@@" line, payload without the prefix. */
static void handle_marker(Gp *gp, const char *p, size_t n)
{
    if (n > 5 && memcmp(p, "sync-", 5) == 0) {
        unsigned long v = strtoul(p + 5, NULL, 10);
        if (v > gp->sync_seen)
            gp->sync_seen = (unsigned)v;
    } else if (n >= 5 && memcmp(p, "caps ", 5) == 0) {
        parse_caps(gp, p + 4, n - 4);   /* keep the leading space */
    }
}

/* Length of the longest tail of s that begins the marker. */
static size_t partial_mark(const char *s, size_t n)
{
    for (size_t k = n < GP_MARK_LEN - 1 ? n : GP_MARK_LEN - 1; k > 0; k--)
        if (memcmp(s + n - k, GP_MARK, k) == 0)
            return k;
    return 0;
}

/* Keep text for the caller.  Form feeds go: the dumb terminal starts each
 * picture with one, and some terminals clear the screen on it. */
static void hold_text(Gp *gp, const char *s, size_t n)
{
    const char *end = s + n;
    while (s < end) {
        const char *ff = memchr(s, '\f', (size_t)(end - s));
        size_t k = ff ? (size_t)(ff - s) : (size_t)(end - s);
        gp_buf_add(&gp->held, s, k);
        s += k + (ff ? 1 : 0);
    }
}

/* Move gp->raw into gp->held, taking our marker lines out.  A marker still
 * arriving is kept in raw, unless final (gnuplot is gone). */
static void filter_output(Gp *gp, int final)
{
    const char *s = gp->raw.s;
    size_t n = gp->raw.len, i = 0;
    while (i < n) {
        const char *m = memmem(s + i, n - i, GP_MARK, GP_MARK_LEN);
        if (!m) {
            size_t keep = final ? 0 : partial_mark(s + i, n - i);
            hold_text(gp, s + i, n - i - keep);
            i = n - keep;
            break;
        }
        size_t mi = (size_t)(m - s);
        hold_text(gp, s + i, mi - i);
        const char *body = m + GP_MARK_LEN;
        const char *end = memmem(body, n - (mi + GP_MARK_LEN), "@@\n", 3);
        if (!end) {
            if (!final && n - mi < GP_MARK_MAX) {
                i = mi;   /* wait for the rest */
                break;
            }
            hold_text(gp, m, GP_MARK_LEN);   /* not ours after all */
            i = mi + GP_MARK_LEN;
            continue;
        }
        handle_marker(gp, body, (size_t)(end - body));
        i = (size_t)(end - s) + 3;
    }
    if (i > 0) {
        memmove(gp->raw.s, gp->raw.s + i, n - i);
        gp->raw.len = n - i;
        gp->raw.s[gp->raw.len] = '\0';
    }
}

/* Read what gnuplot printed, without blocking.  -1 on EOF (gnuplot gone). */
static int pull_output(Gp *gp)
{
    if (gp->state != GP_RUNNING)
        return -1;
    char tmp[65536];
    while (gp->held.len < GP_HOLD_MAX) {
        ssize_t r = read(gp->out_fd, tmp, sizeof tmp);
        if (r > 0) {
            gp_buf_add(&gp->raw, tmp, (size_t)r);
            filter_output(gp, 0);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        die(gp, 0, 0);
        return -1;
    }
    return 0;
}

int gp_read_output(Gp *gp, char *buf, size_t n)
{
    if (gp->held.len == 0 && gp->state == GP_RUNNING)
        pull_output(gp);
    size_t k = gp->held.len < n ? gp->held.len : n;
    if (k > (size_t)1 << 30)
        k = (size_t)1 << 30;
    if (k == 0)
        return 0;
    memcpy(buf, gp->held.s, k);
    memmove(gp->held.s, gp->held.s + k, gp->held.len - k);
    gp->held.len -= k;
    gp->held.s[gp->held.len] = '\0';
    return (int)k;
}

static void deliver(Gp *gp, GpTextFn on_text, void *ctx)
{
    if (!on_text || gp->held.len == 0)
        return;
    on_text(ctx, gp->held.s, gp->held.len);
    gp_buf_clear(&gp->held);
}

/* Send everything, then a sentinel, and read until it comes back. */
static int sync_marker(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx)
{
    double deadline = gp_now() + (timeout_ms < 0 ? 0 : timeout_ms) / 1000.0;
    unsigned want = 0;
    for (;;) {
        deliver(gp, on_text, ctx);
        if (want && gp->sync_seen >= want)
            return 0;
        int r = gp_flush(gp);
        if (r < 0) {
            deliver(gp, on_text, ctx);
            return -1;
        }
        if (!want && r == 0) {
            want = ++gp->sync_sent;
            gp_buf_printf(&gp->q, "print \"" GP_MARK "sync-%u@@\"\n", want);
            continue;
        }
        int left = ms_left(deadline);
        if (left == 0)
            return 1;
        struct pollfd p[2] = {{gp->out_fd, POLLIN, 0},
                              {gp->in_fd, r == 1 ? POLLOUT : 0, 0}};
        int pr = poll(p, 2, left);
        if (pr < 0 && errno != EINTR)
            return 1;
        if (pr > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
            pull_output(gp) < 0) {
            deliver(gp, on_text, ctx);
            return -1;
        }
    }
}

int gp_sync(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx)
{
    if (gp->state == GP_OFF)
        return 0;
    if (gp->state == GP_DEAD) {
        deliver(gp, on_text, ctx);
        return -1;
    }
    return sync_marker(gp, timeout_ms, on_text, ctx);
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
    set_msg(gp, "%s", msg ? msg : "plot: failed");
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

int gp_set_output_dir(Gp *gp, const char *dir)
{
    if (!dir || !*dir || has_control_chars(dir)) {
        set_msg(gp, "plot: bad directory name");
        return -1;
    }
    char *d = strdup(dir);
    if (!d) {
        set_msg(gp, "plot: out of memory");
        return -1;
    }
    free(gp->dir);
    gp->dir = d;
    return 0;
}

int gp_name_window(Gp *gp, int window, const char *name)
{
    if (!valid_window(window) || !name || !*name || has_control_chars(name) ||
        strchr(name, '/') || strlen(name) >= sizeof gp->win[0].name) {
        set_msg(gp, "plot: bad window name");
        return -1;
    }
    snprintf(gp->win[window].name, sizeof gp->win[window].name, "%s", name);
    return 0;
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
        set_msg(gp, "plot: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
