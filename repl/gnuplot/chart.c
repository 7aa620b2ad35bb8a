/*
 * chart.c — the style every chart shares, and line charts.
 *
 * nnlab's charts are each composed as one gnuplot frame.  This file holds
 * what they have in common (header, colours, reference lines, the "no
 * data" picture, handing the frame to gp) and the line chart (loss,
 * accuracy, weights, ...).  Histograms and bars are in chart_bars.c,
 * decision regions and scatter in chart_regions.c.
 *
 * A frame starts with `reset` (windows share one gnuplot, so nothing may
 * leak from the previous picture), writes its data inline as data blocks
 * named after the window ($w3_s0 ...), and ends with one plot command.
 * Data blocks hold numbers only; every piece of user text goes through
 * gp_quote() and is marked noenhanced, so "W_1" is not a subscript.
 * The terminal line and NN_LOGFMT (tic format of log axes: 10^{-3}, or
 * 1e-03 on dumb) come from gp_term.c, so a frame renders on any terminal.
 */
#include "chart_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Series colours, distinct on a projector (and for colour-blind eyes
 * mostly: blue/orange first). */
const char *const chart_line_colors[CHART_NCOLORS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

#define DEFAULT_MAX_POINTS 1000
#define FEW_POINTS 40      /* fewer than this: draw the points too */

/* ======================================================================
 * Shared pieces
 * ====================================================================== */

void chart_put_text_setting(Buf *b, const char *what, const char *text,
                            const char *extra)
{
    if (!text || !*text)
        return;
    buf_printf(b, "set %s ", what);
    gp_quote(b, text);
    buf_printf(b, " noenhanced%s\n", extra);
}

void chart_put_header(Buf *b, const char *title, const char *xlabel,
                      const char *ylabel)
{
    buf_puts(b, "reset\n"
                   "set border lw 1.5\n"
                   "set grid lt 1 lc rgb '#d0d0d0' lw 1\n"
                   "set key noenhanced\n"
                   "set tics nomirror out\n"
                   "set border 3\n");
    for (int i = 0; i < CHART_NCOLORS; i++)
        buf_printf(b, "set style line %d lc rgb '%s' lw 2 pt 7 ps 0.8\n",
                      i + 1, chart_line_colors[i]);
    /* text art: grid lines would drown the curves */
    buf_puts(b, "if (NN_DUMB) { unset grid }\n");
    chart_put_text_setting(b, "title", title, " font ',15'");
    chart_put_text_setting(b, "xlabel", xlabel, "");
    chart_put_text_setting(b, "ylabel", ylabel, "");
}

/* " title 'text'" or " notitle". */
void chart_put_plot_title(Buf *b, const char *text)
{
    if (!text || !*text) {
        buf_puts(b, " notitle");
        return;
    }
    buf_puts(b, " title ");
    gp_quote(b, text);
}

/* 1e-7 rather than 1e-07, 0.5 rather than 5e-01. */
void chart_short_num(char *buf, size_t n, double v)
{
    double e = v > 0 ? log10(v) : 0;
    if (v > 0 && fabs(e - round(e)) < 1e-9 && fabs(e) >= 3)
        snprintf(buf, n, "1e%d", (int)round(e));
    else
        snprintf(buf, n, "%g", v);
}

/* A reference line: "1e-3 with lines ... title 'healthy (1e-3)'". */
void chart_put_ref(Buf *b, const ChartRef *r, const char *color)
{
    char title[160], num[32];
    chart_short_num(num, sizeof num, r->y);
    snprintf(title, sizeof title, "%s (%s)", r->label ? r->label : "", num);
    gp_num(b, r->y);
    buf_printf(b, " with lines dt 2 lw 2 lc rgb '%s'", color);
    chart_put_plot_title(b, r->label ? title : NULL);
}

void chart_put_no_data(Buf *b)
{
    buf_puts(b, "unset logscale\n"
                   "set xrange [0:1]\nset yrange [0:1]\n"
                   "unset tics\nunset grid\nunset colorbox\n"
                   "set label 1 'no data yet' at graph 0.5,0.5 center\n"
                   "plot 2 notitle\n");
}

void chart_put_log_axis(Buf *b, char axis)
{
    buf_printf(b, "set logscale %c 10\nset format %c NN_LOGFMT\n", axis,
                  axis);
}

int chart_bad_args(Gp *gp, const char *chart)
{
    char msg[96];
    snprintf(msg, sizeof msg, "plot: %s: missing data (a bug in nnlab)",
             chart);
    return gp_fail(gp, msg);
}

/* Hand the frame to gp and free it. */
int chart_finish(Gp *gp, int window, Buf *b)
{
    int rc = b->failed ? gp_fail(gp, "plot: out of memory")
                       : gp_draw(gp, window, b->s, b->len);
    buf_free(b);
    return rc;
}

/* ======================================================================
 * Lines
 * ====================================================================== */

static int point_ok(double x, double y, int logy)
{
    return isfinite(x) && isfinite(y) && (!logy || y > 0);
}

/* Data block $w<win>_s<k> of one series: "x y" lines, a blank line where
 * a point is missing (the line breaks there).  Series longer than maxpts
 * keep the min and max of each bucket.  Returns the points written. */
/* The extent of the drawable points, gathered while they are written. */
typedef struct Extent {
    double x0, x1, y0, y1;
} Extent;

static size_t put_series(Buf *b, int win, size_t k, const ChartSeries *s,
                         int logy, size_t maxpts, Extent *ext)
{
    size_t written = 0, bucket = 1;
    int gap = 0;
    buf_printf(b, "$w%d_s%zu << EOD\n", win, k);
    if (maxpts >= 4 && s->n > maxpts)
        bucket = (s->n + maxpts / 2 - 1) / (maxpts / 2);
    for (size_t i = 0; i < s->n && s->y; i += bucket) {
        size_t end = i + bucket < s->n ? i + bucket : s->n;
        size_t lo = end, hi = end;   /* indices of the min and the max */
        for (size_t j = i; j < end; j++) {
            double x = s->x ? s->x[j] : (double)(j + 1);
            if (!point_ok(x, s->y[j], logy))
                continue;
            ext->x0 = fmin(ext->x0, x), ext->x1 = fmax(ext->x1, x);
            ext->y0 = fmin(ext->y0, s->y[j]), ext->y1 = fmax(ext->y1, s->y[j]);
            if (lo == end || s->y[j] < s->y[lo])
                lo = j;
            if (hi == end || s->y[j] > s->y[hi])
                hi = j;
        }
        if (lo == end) {   /* nothing drawable here: break the line */
            if (written && !gap)
                buf_puts(b, "\n");
            gap = 1;
            continue;
        }
        size_t pick[2] = {lo < hi ? lo : hi, lo < hi ? hi : lo};
        for (int p = 0; p < (pick[0] == pick[1] ? 1 : 2); p++) {
            size_t j = pick[p];
            gp_num(b, s->x ? s->x[j] : (double)(j + 1));
            buf_puts(b, " ");
            gp_num(b, s->y[j]);
            buf_puts(b, "\n");
            written++;
        }
        gap = 0;
    }
    buf_puts(b, "EOD\n");
    return written;
}

/* CHART_SCALE_AUTO: log if every finite value is > 0 and max/min > 100. */
static int want_log(const ChartLines *c)
{
    if (c->yscale != CHART_SCALE_AUTO)
        return c->yscale == CHART_SCALE_LOG;
    double lo = INFINITY, hi = 0;
    for (size_t k = 0; k < c->nseries; k++)
        for (size_t i = 0; c->series[k].y && i < c->series[k].n; i++) {
            double v = c->series[k].y[i];
            if (!isfinite(v))
                continue;
            if (v <= 0)
                return 0;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    return hi > 0 && hi / lo > 100;
}

/* More series than palette colours (a 10-layer net's layers): colour k of
 * n on a dark-purple to yellow ramp (viridis' anchors), so that neighbours
 * look alike and the two ends of the net stand apart. */
static void ramp_color(char *buf, size_t len, size_t k, size_t n)
{
    static const unsigned anchors[] = { 0x440154, 0x3b528b, 0x21918c,
                                        0x5ec962, 0xfde725 };
    /* up to 3.6 of 4: the last anchor's pale yellow fades into white */
    double t = n > 1 ? (double)k / (double)(n - 1) * 3.6 : 0;
    int i = t >= 4 ? 3 : (int)t;
    double f = t - i;
    unsigned a = anchors[i], z = anchors[i + 1], rgb = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double ca = (a >> sh) & 0xff, cz = (z >> sh) & 0xff;
        rgb |= (unsigned)lround(ca + f * (cz - ca)) << sh;
    }
    snprintf(buf, len, "#%06x", rgb);
}

/* The point types that differ most on a projector: circle, triangle,
 * square, diamond, cross, plus, star, pentagon, each filled then open. */
static const int mark_types[] = { 7, 9, 5, 13, 2, 1, 3, 15, 6, 8, 4, 12 };
#define NMARKS (sizeof mark_types / sizeof *mark_types)
#define MARKS_PER_LINE 8

static void put_series_element(Buf *b, int win, size_t k, size_t nseries,
                               const ChartSeries *s, size_t npoints,
                               int marks)
{
    int ls = (int)(k % CHART_NCOLORS) + 1;
    const char *with = "lines";
    if (s->style == CHART_POINTS)
        with = "points";
    else if (s->style == CHART_STEPS)
        with = "steps";
    else if (s->style == CHART_LINEPOINTS || npoints < FEW_POINTS || marks)
        with = "linespoints";
    if (npoints == 0)   /* keep its legend entry without a warning */
        buf_printf(b, "NaN with %s ls %d", with, ls);
    else
        buf_printf(b, "$w%d_s%zu using 1:2 with %s ls %d", win, k, with,
                      ls);
    if (s->style == CHART_DASHED)
        buf_puts(b, " dt 2");
    else if (marks && nseries > CHART_NCOLORS)
        buf_printf(b, " dt %d", (int)(k % 4) + 1);
    if (marks && s->style != CHART_POINTS) {
        /* a few marks per line, staggered so they do not sit on top of
         * each other where the lines meet */
        size_t pi = npoints > MARKS_PER_LINE ? npoints / MARKS_PER_LINE : 1;
        if (pi > 1)
            pi += k % 3;
        buf_printf(b, " pt %d ps 1.2 pi %zu", mark_types[k % NMARKS], pi);
    }
    /* a colour of its own overrides the style's, which still gives the
     * text terminal (colourless) a distinct character per series */
    if (s->color > 0) {
        buf_printf(b, " lc rgb '%s'",
                      chart_line_colors[(s->color - 1) % CHART_NCOLORS]);
    } else if (nseries > CHART_NCOLORS) {
        char color[16];
        ramp_color(color, sizeof color, k, nseries);
        buf_printf(b, " lc rgb '%s'", color);
    }
    chart_put_plot_title(b, s->name);
}

/* Equal to gnuplot's eye: its ranges keep about 1e-9 relative precision
 * (zero initialization's loss, ln 2 at every update, differs from update
 * to update in the 13th digit). */
static int nearly_equal(double a, double b)
{
    return fabs(b - a) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* gnuplot warns "empty x range" (and widens it its own way) when every
 * point has one x, as after a single update, or one y, as a constant
 * learning rate: give such an axis a range around the value instead. */
static void put_flat_ranges(Buf *b, const ChartLines *c, int logy,
                            const Extent *e)
{
    double x0 = e->x0, x1 = e->x1, y0 = e->y0, y1 = e->y1;
    if (x0 <= x1 && nearly_equal(x0, x1)) {
        buf_puts(b, "set xrange [");
        gp_num(b, x0 - 1);
        buf_puts(b, ":");
        gp_num(b, x0 + 1);
        buf_puts(b, "]\n");
    }
    if (y0 <= y1 && nearly_equal(y0, y1) && !(c->ymin < c->ymax)) {
        double d = y0 != 0 ? fabs(y0) / 10 : 1;
        buf_puts(b, "set yrange [");
        gp_num(b, logy ? y0 / 2 : y0 - d);
        buf_puts(b, ":");
        gp_num(b, logy ? y0 * 2 : y0 + d);
        buf_puts(b, "]\n");
    }
}

/* Whole-number tics for counts (gnuplot puts 1.5 between epochs 1 and
 * 2), a log x axis, and the note under the title. */
static void put_x_axis(Buf *b, const ChartLines *c, const Extent *e)
{
    if (c->xlog && e->x0 > 0) {
        chart_put_log_axis(b, 'x');
        buf_puts(b, "set format x '%g'\nset xrange [");
        gp_num(b, e->x0);
        buf_puts(b, ":");
        gp_num(b, e->x1);
        buf_puts(b, "]\n");
    } else if (c->xint && e->x1 - e->x0 <= 12) {
        /* over a wider span gnuplot's own tics are whole numbers */
        buf_puts(b, "set xtics 1\n");
    }
    if (c->note && *c->note) { /* text art has no line to spare */
        buf_puts(b, "if (!NN_DUMB) { set label 99 ");
        gp_quote(b, c->note);
        buf_puts(b, " noenhanced at graph 0.5, graph 1.025 center "
                    "font ',10'; set title offset 0,0.8 }\n");
    }
}

int chart_lines(Gp *gp, int window, const ChartLines *c)
{
    Buf b = BUF_INIT;
    if (!c || (c->nseries && !c->series) || (c->nrefs && !c->refs))
        return chart_bad_args(gp, "lines");
    int logy = want_log(c);
    size_t maxpts = c->max_points ? c->max_points : DEFAULT_MAX_POINTS;
    size_t npoints[64], total = 0;
    size_t nseries = c->nseries < 64 ? c->nseries : 64;

    Extent ext = { INFINITY, -INFINITY, INFINITY, -INFINITY };

    chart_put_header(&b, c->title, c->xlabel, c->ylabel);
    for (size_t k = 0; k < nseries; k++) {
        npoints[k] = put_series(&b, window, k, &c->series[k], logy, maxpts,
                                &ext);
        total += npoints[k];
    }
    if (total == 0) {
        chart_put_no_data(&b);
        return chart_finish(gp, window, &b);
    }
    if (logy)
        chart_put_log_axis(&b, 'y');
    put_flat_ranges(&b, c, logy, &ext);
    if (c->ymin < c->ymax && (!logy || c->ymin > 0)) {
        buf_puts(&b, "set yrange [");
        gp_num(&b, c->ymin);
        buf_puts(&b, ":");
        gp_num(&b, c->ymax);
        buf_puts(&b, "]\n");
    }
    put_x_axis(&b, c, &ext);
    /* outside: a legend inside always hides some curve sooner or later;
     * long entries (compare's "lr=0.01 dev (under ...)") go in rows under
     * the plot, where on the right they would squeeze it to a strip */
    size_t longest = 0;
    for (size_t k = 0; k < nseries; k++)
        if (c->series[k].name && strlen(c->series[k].name) > longest)
            longest = strlen(c->series[k].name);
    buf_puts(&b, longest <= 24 ? "set key outside right top\n"
                               : "set key below horizontal maxcols 2\n");
    buf_puts(&b, "plot ");
    for (size_t k = 0; k < nseries; k++) {
        if (k)
            buf_puts(&b, ", \\\n     ");
        put_series_element(&b, window, k, nseries, &c->series[k],
                           npoints[k], c->marks);
    }
    for (size_t r = 0; r < c->nrefs; r++) {
        if (!isfinite(c->refs[r].y) || (logy && c->refs[r].y <= 0))
            continue;
        buf_puts(&b, ", \\\n     ");
        chart_put_ref(&b, &c->refs[r],
                      r == 0 ? "#555555" : chart_line_colors[r % 10]);
    }
    buf_puts(&b, "\n");
    return chart_finish(gp, window, &b);
}
