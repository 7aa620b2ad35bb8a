/*
 * gp_term.c — gnuplot terminals: which one, and a frame rendered on it.
 *
 * A frame (gp_draw) holds no terminal line, so that the same picture can
 * go to the live terminal and, later, to a file (gp_save).  This file adds
 * that line: the `set term` for a window, a file or the text screen, and
 * NN_DUMB / NN_LOGFMT, which let a frame adapt itself to text art.  The
 * window names (titles, live file names) and the live files' directory
 * are set here too.
 *
 * The live terminal is chosen once gnuplot has said which terminals it was
 * built with (GPVAL_TERMINALS, see gp_read.c): "auto" means a window when
 * there is a display and gnuplot can open one, else the dumb terminal.
 */
#include "gp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *const term_names[GP_TERM_COUNT] = {
    "auto", "qt", "wxt", "x11", "dumb", "png", "svg", "sixel"};

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

void gp_resolve_term(Gp *gp)
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
        gp_set_msg(gp, "plot: unknown terminal");
        return -1;
    }
    GpTerm old = gp->term;
    gp->term = t;
    if (gp_ensure_running(gp) < 0)
        return -1;
    if (!has_term(&gp->caps, t)) {
        gp->term = old;
        gp_resolve_term(gp);
        gp_set_msg(gp, "plot: this gnuplot has no %s terminal%s; "
                       "staying with %s", gp_term_str(t),
                   t <= GP_TERM_X11 ? " (gnuplot-nox? try gnuplot-qt)" : "",
                   gp_term_str(gp->live));
        return -1;
    }
    gp_resolve_term(gp);
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
void gp_queue_frame(Gp *gp, int w)
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
 * Window names and the directory of live files
 * ====================================================================== */

int gp_set_output_dir(Gp *gp, const char *dir)
{
    if (!dir || !*dir || gp_has_control_chars(dir)) {
        gp_set_msg(gp, "plot: bad directory name");
        return -1;
    }
    char *d = strdup(dir);
    if (!d) {
        gp_set_msg(gp, "plot: out of memory");
        return -1;
    }
    free(gp->dir);
    gp->dir = d;
    return 0;
}

int gp_name_window(Gp *gp, int window, const char *name)
{
    if (!gp_valid_window(window) || !name || !*name ||
        gp_has_control_chars(name) || strchr(name, '/') ||
        strlen(name) >= sizeof gp->win[0].name) {
        gp_set_msg(gp, "plot: bad window name");
        return -1;
    }
    snprintf(gp->win[window].name, sizeof gp->win[window].name, "%s", name);
    return 0;
}

/* ======================================================================
 * Saving a frame to a file
 * ====================================================================== */

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
    if (!gp_valid_window(window) || !gp->win[window].has_body) {
        gp_set_msg(gp, "plot: nothing to save yet: draw the plot first");
        return -1;
    }
    if (!path || !*path || gp_has_control_chars(path)) {
        gp_set_msg(gp, "plot: save needs a plain file name");
        return -1;
    }
    GpTerm t = ends_with(path, ".png") ? GP_TERM_PNG
             : ends_with(path, ".svg") ? GP_TERM_SVG : GP_TERM_AUTO;
    if (t == GP_TERM_AUTO) {
        gp_set_msg(gp, "plot: save needs a file name ending in .png or .svg");
        return -1;
    }
    int err = check_writable(path);
    if (err) {
        gp_set_msg(gp, "plot: cannot write %s: %s", path, strerror(err));
        return -1;
    }
    if (width <= 0 || height <= 0 || width > 10000 || height > 10000)
        width = 1024, height = 768;
    if (gp_ensure_running(gp) < 0)
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
        gp_set_msg(gp, "plot: out of memory");
        return -1;
    }
    return gp_flush(gp) < 0 ? -1 : 0;
}
