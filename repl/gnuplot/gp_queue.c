/*
 * gp_queue.c — frames on their way to gnuplot.
 *
 * A frame (gp_draw) is kept in its window without a terminal line.  When
 * gnuplot lags, a newer frame for a window waits in that window (replacing
 * an older waiting one) and is queued, with its terminal line, once the
 * bytes already in flight have gone: a frame is never cut.
 */
#include "gp_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* errno if gnuplot could not write path (the file, or a new one in its
 * directory), else 0.  Asked before each live frame: the directory may
 * have changed since plot term. */
static int unwritable(const Gp *gp, const char *path)
{
    if (access(path, F_OK) == 0)
        return access(path, W_OK) == 0 ? 0 : errno;
    return errno != ENOENT ? errno
         : access(gp->dir, W_OK | X_OK) == 0 ? 0 : errno;
}

/* A live file that cannot be written: say so once, draw no more there. */
static int blocked(Gp *gp, GpWindow *win, const char *path)
{
    int e = win->blocked ? 0 : unwritable(gp, path);
    if (e) {
        gp_set_msg(gp, "plot: cannot write %s (%s); that plot is off until "
                   "the next plot command", path, strerror(e));
        win->blocked = 1;
    }
    return win->blocked;
}

/* Queue the live frame of window w. */
void gp_queue_frame(Gp *gp, int w)
{
    GpWindow *win = &gp->win[w];
    Buf *q = &gp->q;
    GpTerm t = gp->live;
    if (t == GP_TERM_PNG || t == GP_TERM_SVG) {
        Buf path = BUF_INIT;
        buf_printf(&path, "%s/plot-%s.%s", gp->dir, win->name,
                      t == GP_TERM_PNG ? "png" : "svg");
        if (path.failed || blocked(gp, win, path.s)) {
            buf_free(&path);
            win->dirty = 0;
            return;
        }
        buf_printf(q, "# nnlab window %d\n", w);
        gp_put_term(gp, q, w, t, 1024, 768, path.s);
        buf_free(&path);
    } else {
        buf_printf(q, "# nnlab window %d\n", w);
        gp_put_term(gp, q, w, t, 0, 0, NULL);
    }
    buf_add(q, win->body.s, win->body.len);
    if (t == GP_TERM_PNG || t == GP_TERM_SVG)
        buf_puts(q, "unset output\n");   /* closes the file: complete */
    win->dirty = 0;
    win->opened = 1;
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
    if (gp_check_child(gp) < 0)
        return -1;
    if (gp->state != GP_RUNNING)
        return 0;
    for (;;) {
        int r = gp_send_queue(gp);
        if (r != 0)
            return r;
        if (!any_dirty(gp))
            return 0;
        for (int i = 0; i < GP_MAX_WINDOWS; i++)
            if (gp->win[i].dirty)
                gp_queue_frame(gp, i);
        if (gp->q.failed) {
            buf_clear(&gp->q);
            gp_set_msg(gp, "plot: out of memory");
            return -1;
        }
    }
}

int gp_pending(const Gp *gp)
{
    return gp->state == GP_RUNNING && (gp->q_off < gp->q.len || any_dirty(gp));
}
