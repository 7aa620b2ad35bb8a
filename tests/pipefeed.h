/*
 * pipefeed.h — for the tests of cancellation: a child process writes a
 * stream into a pipe that a loader reads as the file "/dev/fd/N", and
 * halfway signals the test process, whose handler sets a flag the way the
 * shell's SIGINT handler does (installed without SA_RESTART, so a read
 * blocked in the pipe is cut short too).  The loader must notice the flag
 * and stop with "interrupted"; an alarm fails the test instead of letting
 * it hang when it does not.  Static inline, like testutil.h.
 */
#ifndef NN_PIPEFEED_H
#define NN_PIPEFEED_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"

static volatile sig_atomic_t tu_interrupted;

static inline void tu_on_signal(int sig)
{
    (void)sig;
    tu_interrupted = 1;
}

/* Give the engine tu_interrupted as its cancel flag, cleared, with
 * SIGUSR1 setting it; and an alarm of `seconds` against hanging. */
static inline void tu_cancel_begin(unsigned seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tu_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    tu_interrupted = 0;
    nn_set_cancel(&tu_interrupted);
    alarm(seconds);
}

static inline void tu_cancel_end(void)
{
    alarm(0);
    nn_set_cancel(NULL);
    tu_interrupted = 0;
    signal(SIGUSR1, SIG_DFL);
}

/* A child process that sends SIGUSR1 to this one after `ms` milliseconds
 * (whatever this one is doing then); wait for it with tu_signal_wait. */
static inline pid_t tu_signal_after(int ms)
{
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        usleep((useconds_t)ms * 1000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    return pid;
}

static inline void tu_signal_wait(pid_t pid)
{
    int status;
    if (pid > 0)
        waitpid(pid, &status, 0);
}

typedef struct tu_feed {
    pid_t pid;
    int fd;          /* the read end, open in this process */
    char path[32];   /* "/dev/fd/N" */
} tu_feed;

static inline int tu_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Start the child: it writes head, sends SIGUSR1 to this process, then
 * writes body `repeat` times (forever when repeat < 0) and exits, or
 * exits when the reader has gone.  0, or -1 when no pipe or process. */
static inline int tu_feed_start(tu_feed *f, const void *head, size_t hlen,
                                const void *body, size_t blen, long repeat)
{
    int p[2];
    if (pipe(p))
        return -1;
    pid_t parent = getpid();
    f->pid = fork();
    if (f->pid < 0)
        return -1;
    if (f->pid == 0) {
        close(p[0]);
        signal(SIGPIPE, SIG_DFL);
        if (tu_write_all(p[1], head, hlen) == 0) {
            kill(parent, SIGUSR1);
            for (long i = 0; repeat < 0 || i < repeat; i++)
                if (tu_write_all(p[1], body, blen))
                    break;
        }
        _exit(0);
    }
    close(p[1]);
    f->fd = p[0];
    snprintf(f->path, sizeof f->path, "/dev/fd/%d", p[0]);
    return 0;
}

/* Close the pipe and wait for the child (it ends on the broken pipe). */
static inline void tu_feed_stop(tu_feed *f)
{
    int status;
    close(f->fd);
    kill(f->pid, SIGTERM);
    waitpid(f->pid, &status, 0);
}

#endif
