/*
 * loop.c — the event loop of the interactive shell, and the signals it
 * handles.
 *
 * One loop waits in poll() on the terminal and on the descriptors other
 * layers watch (gnuplot's output, Session.watch), as Redis's ae.c does.  A
 * key goes to readline; a ready descriptor to its function.  While a
 * training job runs the poll does not wait: the loop runs one slice of
 * training (20-50 ms), then looks at the keys again, so the prompt stays
 * live and a command typed meanwhile (lr 0.001, pause, stats) runs between
 * two slices.  When a job that ran in the background ends, its progress
 * line goes and the job_ended hook hears of it (a lesson waiting for it
 * goes on).
 *
 * Signals only set flags (as lua.c does); the loop looks at them at the top
 * of every turn.  Ctrl-C pauses a running job, or else drops the line being
 * typed.  SIGWINCH re-measures the terminal; SIGTERM and SIGHUP leave the
 * shell the way `quit` does, so the history is saved.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>

#include "interrupt.h"
#include "job.h"
#include "out.h"
#include "prompt.h"
#include "shell.h"

/* The loop's own signal flags (Ctrl-C's is nnlab_interrupted). */
static volatile sig_atomic_t resized, hung_up;

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

static void signals_install(void)
{
    catch(SIGWINCH, on_sigwinch, SA_RESTART);
    catch(SIGTERM, on_hangup, 0);
    catch(SIGHUP, on_hangup, 0);
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
    struct pollfd fds[1 + SESSION_MAX_WATCH];
    fds[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    int n = session_watch_fill(s, fds, 1);
    if (poll(fds, (nfds_t)n, timeout) < 0)
        return errno == EINTR ? 0 : -1;
    if (fds[0].revents & POLLNVAL)
        return -1;
    if (fds[0].revents)
        read_keys(s);
    if (!s->want_quit)
        session_watch_dispatch(s, fds, 1, n);
    return 0;
}

/* Ctrl-C: pause the job, or drop the line being typed. */
static void handle_interrupt(Session *s)
{
    nnlab_interrupted = 0;
    if (s->job.active)
        job_stop(s, "interrupted");
    else
        prompt_cancel_line(s);
}

int loop_run(Session *s)
{
    int background = 0;
    signals_install();
    prompt_start(s);
    while (!s->want_quit && s->sh->installed) {
        if (hung_up || out_failed(s)) /* the terminal is gone */
            break;
        if (resized) {
            resized = 0;
            prompt_resize(s);
        }
        background |= s->job.active;
        if (nnlab_interrupted)
            handle_interrupt(s);
        if (background && !s->job.active) {
            background = 0;
            out_progress(s, NULL);
            if (s->hooks.job_ended)
                s->hooks.job_ended(s);
        }
        if (wait_and_handle(s, job_wait_ms(s)) < 0)
            break;
        if (s->job.active && !nnlab_interrupted && !s->want_quit &&
            job_wait_ms(s) == 0) {
            background = 1;
            job_slice(s);
        }
    }
    job_stop(s, "quit");
    prompt_stop(s);
    return 0;
}
