/*
 * gp_term.c — gnuplot terminals: which one, and a frame rendered on it.
 *
 * A frame (gp_draw) holds no terminal line, so that the same picture can
 * go to the live terminal and, later, to a file (gp_save).  This file adds
 * that line: the `set term` for a window, a file or the text screen, and
 * NN_DUMB / NN_LOGFMT, which let a frame adapt itself to text art.  The
 * window names (titles, live file names) and the live files' directory
 * are set here too, and user text is quoted for gnuplot (gp_quote).
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

const char *const gp_term_names[GP_TERM_COUNT + 1] = {
    "auto", "qt", "wxt", "x11", "dumb", "png", "svg", "sixel", NULL};

/* ======================================================================
 * Terminals
 * ====================================================================== */

const char *gp_term_str(GpTerm t)
{
    return (int)t >= 0 && t < GP_TERM_COUNT ? gp_term_names[t] : "?";
}

int gp_term_parse(const char *name, GpTerm *out)
{
    for (int i = 0; name && i < GP_TERM_COUNT; i++)
        if (strcmp(name, gp_term_names[i]) == 0) {
            *out = (GpTerm)i;
            return 0;
        }
    return -1;
}

const char *gp_term_name(const Gp *gp)
{
    return gp_term_str(gp->state == GP_RUNNING ? gp->live : gp->term);
}

int gp_has_term(const GpCaps *c, GpTerm t)
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
void gp_put_term(Gp *gp, Buf *b, int w, GpTerm t, int width, int height,
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
        buf_printf(b, "set term %s %d title ", wname, w);
        gp_quote(b, title);
        buf_puts(b, " persist noraise enhanced");
        if (t != GP_TERM_X11)
            buf_puts(b, " font 'Sans,12'");
        if (!win->opened)   /* later: keep the size the user gave it */
            buf_puts(b, " size 900,640");
        buf_puts(b, "\n");
        break;
    }
    case GP_TERM_DUMB:
        dumb_size(&cols, &rows);
        buf_printf(b, "set term dumb size %d,%d\nset output\n", cols,
                      rows);
        break;
    case GP_TERM_SIXEL:
        buf_puts(b, "set term sixelgd size 800,600 font 'sans,12'\n"
                       "set output\n");
        break;
    case GP_TERM_SVG:
        buf_printf(b, "set term svg size %d,%d font 'sans,12' "
                         "background rgb 'white'\n", width, height);
        break;
    default: /* PNG */
        buf_printf(b, "set term %s size %d,%d font 'sans,12'%s\n",
                      gp->caps.pngcairo || !gp->caps.known ? "pngcairo"
                                                            : "png",
                      width, height,
                      gp->caps.pngcairo || !gp->caps.known
                          ? " background rgb 'white'" : "");
        break;
    }
    if (file) {
        /* where the picture goes should the file not open: never onto
         * gnuplot's output, which the shell prints */
        buf_puts(b, "set output '/dev/null'\nset output ");
        gp_quote(b, file);
        buf_puts(b, "\n");
    }
    buf_printf(b, "NN_DUMB = %d\nNN_LOGFMT = \"%s\"\n",
                  t == GP_TERM_DUMB, t == GP_TERM_DUMB ? "%.0e" : "10^{%L}");
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

/* ======================================================================
 * Text for gnuplot
 * ====================================================================== */

void gp_num(Buf *b, double v)
{
    buf_printf(b, "%.10g", v);
}

/* The one way user text reaches gnuplot: as a single-quoted string that
 * cannot end early or start a new command. */
void gp_quote(Buf *b, const char *text)
{
    buf_add(b, "'", 1);
    for (const char *p = text ? text : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'')
            buf_add(b, "''", 2);
        else if (c < 0x20 || c == 0x7f)
            buf_add(b, " ", 1);
        else
            buf_add(b, p, 1);
    }
    buf_add(b, "'", 1);
}
