/*
 * gp_proc.c — the gnuplot child process and the pipes to and from it.
 *
 * Why it is built this way:
 *  - gnuplot runs with execvp and an argv, never through a shell, in its own
 *    process group (Ctrl-C at the prompt is for nnlab, not for gnuplot).
 *  - Its stdin is a non-blocking pipe: the shell must never wait for a slow
 *    or stopped gnuplot.  Bytes that do not fit stay in the queue.
 *  - Its stdout and stderr come back through one pipe, read without
 *    blocking and filtered by gp_out.c.
 *  - A failed exec is seen at once through a close-on-exec status pipe; a
 *    later death through EPIPE, EOF on the output, or waitpid.  Either way
 *    the state becomes DEAD with one message, until gp_allow_restart().
 */
#include "clock.h"
#include "gp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

void gp_close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Wait for the child to go, killing it after timeout_ms; returns status. */
static int reap(Gp *gp, int timeout_ms)
{
    int status = 0;
    double deadline = clock_now() + timeout_ms / 1000.0;
    for (;;) {
        pid_t r = waitpid(gp->pid, &status, WNOHANG);
        if (r == gp->pid || (r < 0 && errno != EINTR))
            break;
        if (r == 0 && clock_now() >= deadline) {
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
    gp_close_fd(&gp->in_fd);
    if (gp->out_fd >= 0) {   /* what it printed before dying */
        char tmp[4096];
        ssize_t r;
        while ((r = read(gp->out_fd, tmp, sizeof tmp)) > 0 &&
               gp->held.len < GP_HOLD_MAX)
            buf_add(&gp->raw, tmp, (size_t)r);
        gp_filter_output(gp, 1);
        gp_close_fd(&gp->out_fd);
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
    buf_clear(&gp->q);
    gp->q_off = 0;
    for (int i = 0; i < GP_MAX_WINDOWS; i++)
        gp->win[i].dirty = gp->win[i].opened = 0;
}

/* Has the child exited on its own?  Then gp_die() now. */
int gp_check_child(Gp *gp)
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

double gp_child_cpu(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = pid > 0 ? fopen(path, "r") : NULL;
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

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child_exec(char *const argv[], char *const envp[], int in_rd,
                       int out_wr, int st_wr, int max_fd, int niced)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0);
    /* live rendering waits for a free core rather than take one from
     * training (its BLAS threads stall together when one of them is
     * preempted); a file asked for is rendered at the usual priority */
    if (niced)
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
int gp_spawn(Gp *gp, const char *bin, int niced, pid_t *pid_out,
             int *in_wr, int *out_rd)
{
    char *argv0 = strdup(bin);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, st[2] = {-1, -1};
    if (!argv0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(st, O_CLOEXEC) < 0) {
        gp_set_msg(gp, "plot: cannot start gnuplot: %s; plotting is off",
                   strerror(errno));
        goto err;
    }
    char *argv[] = {argv0, NULL};
    char **envp = gnuplot_env();
    if (!envp) {
        gp_set_msg(gp, "plot: cannot start gnuplot: out of memory");
        goto err;
    }
    long max_fd = sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 1024)
        max_fd = 1024;
    pid_t pid = fork();
    if (pid == 0)
        child_exec(argv, envp, in[0], out[1], st[1], (int)max_fd, niced);
    free(envp);
    if (pid < 0) {
        gp_set_msg(gp, "plot: cannot start gnuplot: %s; plotting is off",
                   strerror(errno));
        goto err;
    }
    gp_close_fd(&in[0]);
    gp_close_fd(&out[1]);
    gp_close_fd(&st[1]);
    int child_errno = 0;
    ssize_t r;
    while ((r = read(st[0], &child_errno, sizeof child_errno)) < 0 &&
           errno == EINTR)
        ;
    gp_close_fd(&st[0]);
    if (r > 0) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        exec_failed(gp, bin, child_errno);
        goto err;
    }
    free(argv0);
    set_nonblock(in[1]);
    set_nonblock(out[0]);
#ifdef F_SETPIPE_SZ
    fcntl(in[1], F_SETPIPE_SZ, 1 << 20);   /* fewer pending frames */
    fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
#endif
    *pid_out = pid;
    *in_wr = in[1];
    *out_rd = out[0];
    return 0;
err:
    free(argv0);
    gp_close_fd(&in[0]), gp_close_fd(&in[1]);
    gp_close_fd(&out[0]), gp_close_fd(&out[1]);
    gp_close_fd(&st[0]), gp_close_fd(&st[1]);
    return -1;
}

/* 0 queue empty, 1 pipe full, -1 gnuplot gone. */
int gp_send_queue(Gp *gp)
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
        buf_clear(&gp->q);
        gp->q_off = 0;
    }
    return rc;
}

/* Read what gnuplot printed, without blocking.  -1 on EOF (gnuplot gone). */
int gp_pull_output(Gp *gp)
{
    if (gp->state != GP_RUNNING)
        return -1;
    char tmp[65536];
    while (gp->held.len < GP_HOLD_MAX) {
        ssize_t r = read(gp->out_fd, tmp, sizeof tmp);
        if (r > 0) {
            buf_add(&gp->raw, tmp, (size_t)r);
            gp_filter_output(gp, 0);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        gp_die(gp, 0, 0);
        return -1;
    }
    return 0;
}
