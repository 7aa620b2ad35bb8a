/*
 * plot.c — the `plot` command and live plots: which kinds are live, when
 * they are redrawn, where gnuplot's output goes.  Each kind is its own
 * window on one gnuplot process (gp.h); what the kinds are is the table
 * in plot_kinds.c, and what each shows is drawn by plot_draw.c.
 */
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cmd.h"
#include "interrupt.h"
#include "model.h"
#include "out.h"
#include "plot_internal.h"

typedef struct Plotter {
    Gp *gp;
    unsigned live;      /* bit k: kind k follows training */
    int last_kind;      /* the kind drawn last (for plot save) */
    int next_live;      /* round robin: the live kind to redraw next */
    double last_live;   /* when a live plot was last redrawn */
    int watched_fd;     /* gnuplot's output, watched by the event loop */
} Plotter;

static Plotter *plotter(Session *s)
{
    if (s->plot)
        return s->plot;
    Plotter *p = calloc(1, sizeof *p);
    if (!p || !(p->gp = gp_new())) {
        free(p);
        return NULL;
    }
    p->last_kind = -1;
    p->watched_fd = -1;
    gp_set_cancel(p->gp, &nnlab_interrupted); /* Ctrl-C stops plot save */
    for (int k = 0; k < PLOT_NKINDS; k++)
        gp_name_window(p->gp, k, plot_kinds[k].name);
    s->plot = p;
    session_on_free(s, plot_free);
    return p;
}

void plot_free(Session *s)
{
    if (!s->plot)
        return;
    if (s->plot->watched_fd >= 0)
        session_unwatch_fd(s, s->plot->watched_fd);
    gp_free(s->plot->gp);
    free(s->plot);
    s->plot = NULL;
}

/* ------------------------------------------------------------------ */
/* gnuplot's output and messages                                        */
/* ------------------------------------------------------------------ */

static void print_text(void *ctx, const char *text, size_t n)
{
    out_printf((Session *)ctx, "%.*s", (int)n, text);
}

static void on_gnuplot_output(Session *s, int fd)
{
    char buf[4096];
    int n;
    (void)fd;
    while (s->plot && (n = gp_read_output(s->plot->gp, buf, sizeof buf)) > 0)
        print_text(s, buf, (size_t)n);
}

/* After a draw: say once if gnuplot is gone, and route its output. */
static void after_draw(Session *s, int wait)
{
    Plotter *p = s->plot;
    const char *msg = gp_take_message(p->gp);
    if (msg)
        out_printf(s, "%s\n", msg);
    int fd = gp_output_fd(p->gp);
    if (fd != p->watched_fd) {
        if (p->watched_fd >= 0)
            session_unwatch_fd(s, p->watched_fd);
        p->watched_fd = fd;
        if (fd >= 0)
            session_watch_fd(s, fd, on_gnuplot_output);
    }
    /* text terminals: print the frame now, in order with other output */
    if (wait && gp_running(p->gp))
        gp_sync(p->gp, 5000, print_text, s);
}

static int text_terminal(const Plotter *p)
{
    const char *t = gp_term_name(p->gp);
    return !strcmp(t, "dumb") || !strcmp(t, "sixel");
}

/* ------------------------------------------------------------------ */
/* Drawing a kind                                                       */
/* ------------------------------------------------------------------ */

static int draw_kind(Session *s, PlotKind k)
{
    s->plot->last_kind = (int)k;
    return plot_kinds[k].draw(s, s->plot->gp, k);
}

/* Live redraws share one budget of about ten frames a second, taken in
 * turn by the live windows: composing a frame and gnuplot's rendering it
 * compete with training for the machine's cores, and a budget per window
 * would grow with every window opened. */
#define LIVE_INTERVAL 0.1
/* On a text terminal (plot term dumb) every frame scrolls the screen by
 * its height: one a second, taken in turn by the live kinds, is a picture
 * that can be read while training runs. */
#define TEXT_LIVE_INTERVAL 1.0

static int draw_live(Session *s, Plotter *p, int k)
{
    if (!(p->live & (1u << k)) || plot_not_ready(s, (PlotKind)k))
        return 0;
    /* from the history: nothing to show before the first update (a live
     * redraw then would only print an empty chart) */
    if ((plot_kinds[k].flags & PLOT_HISTORY) && s->model->tr.hist.n == 0)
        return 0;
    if (draw_kind(s, (PlotKind)k) < 0) {
        p->live = 0; /* gnuplot is gone: stop until the next plot */
        return -1;
    }
    return 1;
}

void plot_live(Session *s, int force)
{
    Plotter *p = s->plot;
    if (!p || !p->live || !model_state(s))
        return;
    /* a text terminal prints each frame into the scrollback: at the
     * prompt one frame a second, in a script only the last (so a script's
     * output is the same however fast the machine is) */
    if (!force && text_terminal(p) && !s->interactive)
        return;
    double now = clock_now();
    if (force) {
        for (int k = 0; k < PLOT_NKINDS; k++)
            if (draw_live(s, p, k) < 0)
                break;
        after_draw(s, text_terminal(p));
        return;
    }
    double interval = text_terminal(p) ? TEXT_LIVE_INTERVAL : LIVE_INTERVAL;
    if (now - p->last_live < gp_live_interval(p->gp, interval, now))
        return;
    for (int i = 0; i < PLOT_NKINDS; i++) {
        int k = (p->next_live + i) % PLOT_NKINDS;
        int rc = draw_live(s, p, k);
        if (rc == 0)
            continue;
        p->next_live = (k + 1) % PLOT_NKINDS;
        p->last_live = now;
        /* also says why a draw failed, once; a text frame is printed
         * now, whole, in order with the progress lines */
        after_draw(s, text_terminal(p));
        break;
    }
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static int plot_show_state(Session *s, Plotter *p)
{
    out_printf(s, "plot term %s; live:", gp_term_name(p->gp));
    int any = 0;
    for (int k = 0; k < PLOT_NKINDS; k++)
        if (p->live & (1u << k)) {
            out_printf(s, " %s", plot_kinds[k].name);
            any = 1;
        }
    out_printf(s, "%s\n", any ? "" : " none");
    return CMD_OK;
}

/* A message of the gnuplot module without its "plot: ", for cmd_error,
 * which names the command itself. */
static const char *bare(const char *msg)
{
    return strncmp(msg, "plot: ", 6) == 0 ? msg + 6 : msg;
}

/* The terminal, and for the file terminals where the live plots go. */
static void show_term(Session *s, Plotter *p)
{
    const char *name = gp_term_name(p->gp);
    if (!strcmp(name, "png") || !strcmp(name, "svg"))
        out_printf(s, "plot term %s: live plots are written to "
                   "./plot-KIND.%s (./plot-loss.%s, ...)\n", name, name, name);
    else
        out_printf(s, "plot term %s\n", name);
}

static int plot_term(Session *s, Plotter *p, int argc, char **argv)
{
    GpTerm t;
    if (argc > 3) {
        char list[200] = "";
        for (int i = 0; gp_term_names[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     i ? "|" : "", gp_term_names[i]);
        return cmd_error(s, "usage: plot term %s", list);
    }
    if (argc == 2) {
        show_term(s, p);
        return CMD_OK;
    }
    int k;
    if (args_enum(s, argv[2], "terminal", gp_term_names, &k))
        return CMD_ERR;
    t = (GpTerm)k;
    gp_allow_restart(p->gp);
    if (gp_set_term(p->gp, t)) {
        const char *msg = gp_take_message(p->gp);
        if (gp_missing(p->gp)) { /* the setting stays for a later gnuplot */
            out_printf(s, "%s\n", msg ? msg : "plot: gnuplot is missing");
            return CMD_OK;
        }
        return cmd_error(s, "%s", msg ? bare(msg) : "cannot use that terminal");
    }
    show_term(s, p);
    return CMD_OK;
}

/* The plot kind at argv[*i], "weights hist" (two words) being whist;
 * *i moves past it.  -1 after reporting an unknown kind. */
static int kind_at(Session *s, int argc, char **argv, int *i, int *k)
{
    if (!strcmp(argv[*i], "weights") && *i + 1 < argc &&
        !strcmp(argv[*i + 1], "hist")) {
        *k = PLOT_WHIST;
        *i += 2;
        return 0;
    }
    return args_enum(s, argv[(*i)++], "plot kind", plot_kind_names(), k);
}

static int plot_save(Session *s, Plotter *p, int argc, char **argv)
{
    int k = p->last_kind, i = 3;
    if (argc < 3 || argc > 5)
        return cmd_error(s, "usage: plot save FILE.png|FILE.svg [KIND]");
    if (argc > 3 && kind_at(s, argc, argv, &i, &k))
        return CMD_ERR;
    if (i < argc)
        return cmd_error(s, "usage: plot save FILE.png|FILE.svg [KIND]");
    if (k < 0)
        return cmd_error(s, "nothing plotted yet; plot save FILE KIND");
    const char *why = plot_not_ready(s, (PlotKind)k);
    if (why)
        return cmd_error(s, "%s: %s", plot_kinds[k].name, why);
    gp_allow_restart(p->gp);
    gp_store_only(p->gp, 1);
    int drawn = draw_kind(s, (PlotKind)k);
    gp_store_only(p->gp, 0);
    /* gp_save waits for its file and checks it: no gp_sync */
    if (drawn < 0 || gp_save(p->gp, k, argv[2], 0, 0) < 0) {
        const char *msg = gp_take_message(p->gp);
        if (gp_missing(p->gp)) {
            out_printf(s, "%s; %s not written\n",
                       msg ? msg : "plot: gnuplot is missing", argv[2]);
            return CMD_OK;
        }
        return cmd_error(s, "%s", msg ? bare(msg) : "could not save the plot");
    }
    out_printf(s, "plot: saved %s to %s\n", plot_kinds[k].name, argv[2]);
    return CMD_OK;
}

static int cmd_plot(Session *s, int argc, char **argv)
{
    Plotter *p = plotter(s);
    if (!p || !model_state(s))
        return cmd_error(s, "out of memory");
    if (argc == 1)
        return plot_show_state(s, p);
    if (!strcmp(argv[1], "term"))
        return plot_term(s, p, argc, argv);
    if (!strcmp(argv[1], "save"))
        return plot_save(s, p, argc, argv);
    if (!strcmp(argv[1], "off")) {
        int k;
        if (argc == 2) {
            p->live = 0;
            out_printf(s, "plot: live plots off\n");
            return CMD_OK;
        }
        unsigned off = 0;
        for (int i = 2; i < argc; off |= 1u << k)
            if (kind_at(s, argc, argv, &i, &k))
                return CMD_ERR;
        p->live &= ~off;
        return plot_show_state(s, p);
    }
    int kinds[PLOT_NKINDS], n = 0, named = 0;
    const char *why[PLOT_NKINDS];
    for (int i = 1; i < argc && named < PLOT_NKINDS; named++)
        if (kind_at(s, argc, argv, &i, &kinds[named]))
            return CMD_ERR;
    for (int j = 0; j < named; j++)
        why[j] = plot_not_ready(s, (PlotKind)kinds[j]);
    /* several kinds: draw those that can be, and say why the others
     * cannot; a kind alone that cannot is an error */
    for (int j = 0; j < named; j++) {
        const char *name = plot_kinds[kinds[j]].name, *note;
        if (why[j] && named == 1)
            return cmd_error(s, "%s: %s", name, why[j]);
        if (why[j]) {
            out_printf(s, "plot %s: not drawn: %s\n", name, why[j]);
            continue;
        }
        if ((note = plot_note(s, (PlotKind)kinds[j])))
            out_printf(s, "plot %s: %s\n", name, note);
        kinds[n++] = kinds[j];
    }
    if (n == 0)
        return cmd_error(s, "none of these can be drawn yet");
    gp_allow_restart(p->gp);
    for (int i = 0; i < n; i++) {
        if (draw_kind(s, (PlotKind)kinds[i]) < 0) {
            after_draw(s, 0);
            return CMD_OK; /* the message was said; the shell goes on */
        }
        if (plot_kinds[kinds[i]].flags & PLOT_FOLLOWS)
            p->live |= 1u << kinds[i];
    }
    after_draw(s, text_terminal(p));
    if (n < named) /* what follows training now */
        plot_show_state(s, p);
    return CMD_OK;
}

void plot_show_experiment(Session *s, const char *kind)
{
    /* in a script the plot is asked for explicitly (plot compare), so a
     * transcript is not flooded with text-terminal pictures */
    if (!s->interactive)
        return;
    char *argv[] = { "plot", (char *)kind, NULL };
    cmd_plot(s, 2, argv);
}

void plot_refresh(Session *s, const char *kind)
{
    Plotter *p = s->plot;
    int k;
    for (k = 0; k < PLOT_NKINDS && strcmp(plot_kinds[k].name, kind); k++)
        ;
    if (!p || k == PLOT_NKINDS || !model_state(s))
        return;
    if (draw_live(s, p, k))
        after_draw(s, text_terminal(p));
}

/* ------------------------------------------------------------------ */
/* The Plots group                                                      */
/* ------------------------------------------------------------------ */

/* `help plot`: a line per kind from the table, then the subcommands.
 * Built once (the table is constant) and kept for the program's life, as
 * long as it grows: a fixed buffer would cut a longer help short. */
static const char *plot_help(void)
{
    static char *text;
    if (text)
        return text;
    Buf b = BUF_INIT;
    for (int k = 0; k < PLOT_NKINDS; k++) {
        const char *h = plot_kinds[k].help;
        buf_printf(&b, "%-20s ", plot_kinds[k].name);
        for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
            buf_printf(&b, "%.*s\n%21s", (int)(nl - h), h, "");
        buf_printf(&b, "%s\n", h);
    }
    buf_puts(&b,
        "off [KIND]           close one plot, or all\n"
        "term TERMINAL        where plots go: ");
    for (int t = 0; gp_term_names[t]; t++)
        buf_printf(&b, "%s%s", t ? " " : "", gp_term_names[t]);
    buf_puts(&b,
        ";\n"
        "                     auto opens windows when there is a display,\n"
        "                     and draws in the terminal (dumb) when there\n"
        "                     is none\n"
        "save FILE [KIND]     save a plot as .png or .svg, rendered at the\n"
        "                     usual priority and checked before it takes\n"
        "                     FILE's place (help save says how files are\n"
        "                     replaced; only regular files)\n"
        "Plots follow training as it runs: in a window about ten frames a\n"
        "second; in the terminal (term dumb) at the prompt one frame a\n"
        "second (the live kinds in turn) and the last when training ends,\n"
        "in a script only the last.");
    if (b.failed) {
        buf_free(&b);
        return "";
    }
    text = b.s;
    return text;
}

static void list_kinds(Session *s, void (*add)(void *ctx, const char *w),
                       void *ctx)
{
    (void)s;
    for (int k = 0; k < PLOT_NKINDS; k++)
        add(ctx, plot_kinds[k].name);
}

static void list_terms(Session *s, void (*add)(void *ctx, const char *w),
                       void *ctx)
{
    (void)s;
    for (int t = 0; gp_term_names[t]; t++)
        add(ctx, gp_term_names[t]);
}

static Command plot_rows[] = {
{
    .name = "plot", .group = "Plots", .fn = cmd_plot,
    .usage = "plot KIND... | plot off [KIND] | plot term TERMINAL | "
             "plot save FILE.png|FILE.svg [KIND]",
    .summary = "live plots with gnuplot",
    .example = "plot loss",
    .words = CMD_WORDS("@plots", "off:@plots", "term:@terms", "save:@files",
                       "weights:hist|@plots", "3:@plots"),
},
{0},
};

int plot_register(Session *s)
{
    plot_rows[0].help = plot_help();
    if (cmd_register(s, plot_rows) < 0 ||
        cmd_add_words(s, "plots", list_kinds) < 0 ||
        cmd_add_words(s, "terms", list_terms) < 0)
        return -1;
    return 0;
}
