/*
 * gp_read.c — what comes back from gnuplot, and waiting for it (gp_sync).
 *
 * gnuplot's stdout and stderr arrive through one pipe (gp.c sets
 * `set print "-"`, so printed text and errors keep their order).  Among
 * them are our own marker lines, "@@nnlab-...@@": "sync-N" says gnuplot
 * has run everything sent before it, "caps ..." lists its terminals.  They
 * are taken out here, also when a read cuts one in two, so the caller only
 * ever sees gnuplot's own text.
 */
#include "gp_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
void gp_filter_output(Gp *gp, int final)
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
int gp_sync_marker(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx)
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
        int left = gp_ms_left(deadline);
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
    return gp_sync_marker(gp, timeout_ms, on_text, ctx);
}
