/*
 * gp_queue.c — frames on their way to gnuplot.
 *
 * A frame (gp_draw) is kept in its window without a terminal line.  When
 * gnuplot lags, a newer frame for a window waits in that window (replacing
 * an older waiting one) and is queued, with its terminal line, once the
 * bytes already in flight have gone: a frame is never cut.
 */
#include "gp_internal.h"

/* Queue the live frame of window w. */
void gp_queue_frame(Gp *gp, int w)
{
    GpWindow *win = &gp->win[w];
    Buf *q = &gp->q;
    GpTerm t = gp->live;
    buf_printf(q, "# nnlab window %d\n", w);
    if (t == GP_TERM_PNG || t == GP_TERM_SVG) {
        Buf path = BUF_INIT;
        buf_printf(&path, "%s/plot-%s.%s", gp->dir, win->name,
                      t == GP_TERM_PNG ? "png" : "svg");
        gp_put_term(gp, q, w, t, 1024, 768, path.failed ? "" : path.s);
        buf_free(&path);
    } else {
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
