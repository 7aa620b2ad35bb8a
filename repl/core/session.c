/*
 * session.c — creating and freeing the one Session a run of nnlab has, and
 * what it keeps for the layers above core: cleanups and watched
 * descriptors.
 *
 * The Session owns everything.  The layers above core keep their state on
 * it (the plotter, the lesson run, the terminal) and register a cleanup
 * when they create it, so a session can be torn down from any point (quit,
 * end of a script, a test) with one call, without core knowing them.
 */
#include "session.h"

#include <poll.h>
#include <stdlib.h>

#include "experiment.h"
#include "model.h"

Session *session_new(void)
{
    Session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->out = stdout;
    return s;
}

void session_free(Session *s)
{
    if (!s)
        return;
    while (s->ncleanups > 0)
        s->cleanup[--s->ncleanups](s);
    experiment_free(s);
    model_free(s);
    free(s);
}

int session_on_free(Session *s, void (*fn)(Session *s))
{
    for (int i = 0; i < s->ncleanups; i++)
        if (s->cleanup[i] == fn)
            return 0;
    if (s->ncleanups == SESSION_MAX_CLEANUPS)
        return -1;
    s->cleanup[s->ncleanups++] = fn;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Watched descriptors                                                  */
/* ------------------------------------------------------------------ */

int session_watch_fd(Session *s, int fd, session_fd_fn fn)
{
    for (int i = 0; i < s->nwatch; i++) {
        if (s->watch[i].fd == fd) {
            s->watch[i].fn = fn;
            return 0;
        }
    }
    if (s->nwatch == SESSION_MAX_WATCH)
        return -1;
    s->watch[s->nwatch].fd = fd;
    s->watch[s->nwatch].fn = fn;
    s->nwatch++;
    return 0;
}

void session_unwatch_fd(Session *s, int fd)
{
    for (int i = 0; i < s->nwatch; i++) {
        if (s->watch[i].fd == fd) {
            s->watch[i] = s->watch[--s->nwatch];
            return;
        }
    }
}

int session_watch_fill(const Session *s, struct pollfd *fds, int first)
{
    int n = first;
    for (int i = 0; i < s->nwatch; i++)
        fds[n++] = (struct pollfd){.fd = s->watch[i].fd, .events = POLLIN};
    return n;
}

/* The function of every ready descriptor, looked up again for each since
 * one may unwatch another. */
void session_watch_dispatch(Session *s, const struct pollfd *fds, int from,
                            int n)
{
    for (int i = from; i < n; i++) {
        if (!fds[i].revents)
            continue;
        for (int w = 0; w < s->nwatch; w++)
            if (s->watch[w].fd == fds[i].fd) {
                s->watch[w].fn(s, fds[i].fd);
                break;
            }
    }
}

void session_poll_watched(Session *s)
{
    struct pollfd fds[SESSION_MAX_WATCH];
    int n = session_watch_fill(s, fds, 0);
    if (n > 0 && poll(fds, (nfds_t)n, 0) > 0)
        session_watch_dispatch(s, fds, 0, n);
}
