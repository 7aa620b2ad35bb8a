/*
 * loop.c — the event loop of the interactive shell, training jobs, and
 * signals.
 *
 * One loop waits in poll() on the terminal and on the descriptors other
 * modules register (gnuplot's output), as Redis's ae.c does.  A key goes to
 * readline; a ready descriptor to its function.  While a training job runs
 * the poll does not wait: the loop runs one slice of training (20-50 ms),
 * then looks at the keys again, so the prompt stays live and a command
 * typed meanwhile (lr 0.001, pause, stats) runs between two slices.
 *
 * Signals only set flags (as lua.c does); the loop looks at them at the top
 * of every turn.  Ctrl-C pauses a running job, or else drops the line being
 * typed.  SIGWINCH re-measures the terminal; SIGTERM and SIGHUP leave the
 * shell the way `quit` does, so the history is saved.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>

#include "cmd.h"
#include "lesson.h"
#include "out.h"
#include "shell.h"

/* The only global the program has (session.h)... */
volatile sig_atomic_t nnlab_interrupted;
/* ...and the loop's own signal flags, private to this file. */
static volatile sig_atomic_t resized, hung_up;

/* ------------------------------------------------------------------ */
/* Signals                                                              */
/* ------------------------------------------------------------------ */

static void on_sigint(int sig)
{
    (void)sig;
    nnlab_interrupted = 1;
}

static void on_sigwinch(int sig)
{
    (void)sig;
    resized = 1;
}

static void on_hangup(int sig)
{
    (void)sig;
    hung_up = 1;
}

static void catch(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* No SA_RESTART: a read or poll waiting when Ctrl-C comes returns EINTR,
 * so a script waiting for input stops at once. */
void signals_install(void)
{
    catch(SIGINT, on_sigint, 0);
}

static void loop_signals_install(void)
{
    catch(SIGWINCH, on_sigwinch, SA_RESTART);
    catch(SIGTERM, on_hangup, 0);
    catch(SIGHUP, on_hangup, 0);
}

/* ------------------------------------------------------------------ */
/* Watched descriptors                                                  */
/* ------------------------------------------------------------------ */

int loop_watch_fd(Session *s, int fd, void (*on_ready)(Session *s, int fd))
{
    Shell *sh = s->sh;
    for (int i = 0; i < sh->nwatch; i++) {
        if (sh->watch[i].fd == fd) {
            sh->watch[i].fn = on_ready;
            return 0;
        }
    }
    if (sh->nwatch == SHELL_MAX_WATCH)
        return -1;
    sh->watch[sh->nwatch].fd = fd;
    sh->watch[sh->nwatch].fn = on_ready;
    sh->nwatch++;
    return 0;
}

void loop_unwatch_fd(Session *s, int fd)
{
    Shell *sh = s->sh;
    for (int i = 0; i < sh->nwatch; i++) {
        if (sh->watch[i].fd == fd) {
            sh->watch[i] = sh->watch[--sh->nwatch];
            return;
        }
    }
}

static loop_fd_fn watcher(const Session *s, int fd)
{
    for (int i = 0; i < s->sh->nwatch; i++)
        if (s->sh->watch[i].fd == fd)
            return s->sh->watch[i].fn;
    return NULL;
}

/* Fill fds[first..] with the watched descriptors; returns the count. */
static int add_watched(const Session *s, struct pollfd *fds, int first)
{
    int n = first;
    for (int i = 0; i < s->sh->nwatch; i++)
        fds[n++] = (struct pollfd){.fd = s->sh->watch[i].fd,
                                   .events = POLLIN};
    return n;
}

/* Call the function of every ready descriptor (looked up again, since one
 * may unwatch another). */
static void dispatch_watched(Session *s, const struct pollfd *fds, int from,
                             int n)
{
    for (int i = from; i < n; i++) {
        if (!fds[i].revents)
            continue;
        loop_fd_fn fn = watcher(s, fds[i].fd);
        if (fn)
            fn(s, fds[i].fd);
    }
}

static void poll_watched(Session *s)
{
    struct pollfd fds[SHELL_MAX_WATCH];
    int n = add_watched(s, fds, 0);
    if (n > 0 && poll(fds, (nfds_t)n, 0) > 0)
        dispatch_watched(s, fds, 0, n);
}

/* ------------------------------------------------------------------ */
/* Jobs                                                                 */
/* ------------------------------------------------------------------ */

void job_stop(Session *s, const char *why)
{
    if (!s->job.active)
        return;
    if (s->job.stop)
        s->job.stop(s, why);
    s->job.active = 0;
    out_progress(s, NULL);
}

/* One slice; the job ends when it says there is no more to do. */
static void job_slice(Session *s)
{
    if (!s->job.slice || !s->job.slice(s))
        s->job.active = 0;
}

int job_run_to_end(Session *s)
{
    int failures = s->failures;
    while (s->job.active) {
        if (nnlab_interrupted) {
            job_stop(s, "interrupted");
            return CMD_ERR;
        }
        poll_watched(s);
        job_slice(s);
    }
    out_progress(s, NULL);
    return s->failures > failures ? CMD_ERR : CMD_OK;
}

/* A job that ran in the background has ended (finished, paused, stopped):
 * its progress line goes, and a lesson waiting for it goes on. */
static void background_job_ended(Session *s)
{
    out_progress(s, NULL);
    if (s->lesson)
        lesson_after_job(s);
}

/* ------------------------------------------------------------------ */
/* The loop                                                             */
/* ------------------------------------------------------------------ */

static int stdin_ready(void)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

/* Keys arrive one read at a time; take all that are there (a paste)
 * before the next slice of training, so typing never lags. */
static void read_keys(Session *s)
{
    int n = 0;
    do
        rl_callback_read_char();
    while (s->sh->installed && !s->want_quit && !nnlab_interrupted &&
           ++n < 4096 && stdin_ready());
}

/* Wait (or not, timeout 0) for keys and watched descriptors, and handle
 * what came.  -1 when the terminal is gone. */
static int wait_and_handle(Session *s, int timeout)
{
    struct pollfd fds[1 + SHELL_MAX_WATCH];
    fds[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    int n = add_watched(s, fds, 1);
    if (poll(fds, (nfds_t)n, timeout) < 0)
        return errno == EINTR ? 0 : -1;
    if (fds[0].revents & POLLNVAL)
        return -1;
    if (fds[0].revents)
        read_keys(s);
    if (!s->want_quit)
        dispatch_watched(s, fds, 1, n);
    return 0;
}

/* Ctrl-C: pause the job, or drop the line being typed. */
static void handle_interrupt(Session *s)
{
    nnlab_interrupted = 0;
    if (s->job.active)
        job_stop(s, "interrupted");
    else
        shell_cancel_line(s);
}

int shell_run(Session *s)
{
    int background = 0;
    loop_signals_install();
    shell_start(s);
    while (!s->want_quit && s->sh->installed) {
        if (hung_up)
            break;
        if (resized) {
            resized = 0;
            shell_resize(s);
        }
        background |= s->job.active;
        if (nnlab_interrupted)
            handle_interrupt(s);
        if (background && !s->job.active) {
            background = 0;
            background_job_ended(s);
        }
        if (wait_and_handle(s, s->job.active ? 0 : -1) < 0)
            break;
        if (s->job.active && !nnlab_interrupted && !s->want_quit) {
            background = 1;
            job_slice(s);
        }
    }
    job_stop(s, "quit");
    shell_stop(s);
    return 0;
}
