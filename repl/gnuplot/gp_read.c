/*
 * gp_read.c — gnuplot's output for the caller, and waiting for gnuplot to
 * have run what it was sent (gp_sync): a sentinel line is sent after
 * everything, and the output read until it comes back.
 */
#include "clock.h"
#include "gp_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gp_read_output(Gp *gp, char *buf, size_t n)
{
    if (gp->held.len == 0 && gp->state == GP_RUNNING)
        gp_pull_output(gp);
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
    buf_clear(&gp->held);
}

/* Send everything, then a sentinel, and read until it comes back. */
int gp_sync_marker(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx)
{
    double deadline = clock_now() + (timeout_ms < 0 ? 0 : timeout_ms) / 1000.0;
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
            buf_printf(&gp->q, "print \"" GP_MARK "sync-%u@@\"\n", want);
            continue;
        }
        int left = clock_ms_left(deadline);
        if (left == 0)
            return 1;
        struct pollfd p[2] = {{gp->out_fd, POLLIN, 0},
                              {gp->in_fd, r == 1 ? POLLOUT : 0, 0}};
        int pr = poll(p, 2, left);
        if (pr < 0 && errno != EINTR)
            return 1;
        if (pr > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
            gp_pull_output(gp) < 0) {
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
    return gp_sync_marker(gp, timeout_ms, on_text, ctx);
}
