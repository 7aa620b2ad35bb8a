/*
 * chart.c — nnlab's chart types, each composed as one gnuplot frame.
 *
 * A frame starts with `reset` (windows share one gnuplot, so nothing may
 * leak from the previous picture), writes its data inline as data blocks
 * named after the window ($w3_s0 ...), and ends with one plot command.
 * Data blocks hold numbers only; every piece of user text goes through
 * gp_buf_quote() and is marked noenhanced, so "W_1" is not a subscript.
 * The terminal line and NN_LOGFMT (tic format of log axes: 10^{-3}, or
 * 1e-03 on dumb) come from gp.c, so a frame renders on any terminal.
 */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Series colours, distinct on a projector (and for colour-blind eyes
 * mostly: blue/orange first). */
static const char *const line_colors[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
/* Pale versions of the same hues, for decision regions: points in the
 * full colour must stand out on them. */
static const char *const light_colors[] = {
    "#d2e1f2", "#ffdcb8", "#c9eec2", "#ffcac9", "#e1d6ea",
    "#e0cdc9", "#fbdae8", "#cdecf2", "#e3e3e3", "#ededc6"};
#define NCOLORS 10

#define DEFAULT_MAX_POINTS 2000
#define FEW_POINTS 40      /* fewer than this: draw the points too */

/* ======================================================================
 * Shared pieces
 * ====================================================================== */

static void put_text_setting(GpBuf *b, const char *what, const char *text,
                             const char *extra)
{
    if (!text || !*text)
        return;
    gp_buf_printf(b, "set %s ", what);
    gp_buf_quote(b, text);
    gp_buf_printf(b, " noenhanced%s\n", extra);
}

static void put_header(GpBuf *b, const char *title, const char *xlabel,
                       const char *ylabel)
{
    gp_buf_puts(b, "reset\n"
                   "set border lw 1.5\n"
                   "set grid lt 1 lc rgb '#d0d0d0' lw 1\n"
                   "set key noenhanced\n"
                   "set tics nomirror out\n"
                   "set border 3\n");
    for (int i = 0; i < NCOLORS; i++)
        gp_buf_printf(b, "set style line %d lc rgb '%s' lw 2 pt 7 ps 0.8\n",
                      i + 1, line_colors[i]);
    /* text art: grid lines would drown the curves */
    gp_buf_puts(b, "if (NN_DUMB) { unset grid }\n");
    put_text_setting(b, "title", title, " font ',15'");
    put_text_setting(b, "xlabel", xlabel, "");
    put_text_setting(b, "ylabel", ylabel, "");
}

/* " title 'text'" or " notitle". */
static void put_plot_title(GpBuf *b, const char *text)
{
    if (!text || !*text) {
        gp_buf_puts(b, " notitle");
        return;
    }
    gp_buf_puts(b, " title ");
    gp_buf_quote(b, text);
}

/* 1e-7 rather than 1e-07, 0.5 rather than 5e-01. */
static void short_num(char *buf, size_t n, double v)
{
    double e = v > 0 ? log10(v) : 0;
    if (v > 0 && fabs(e - round(e)) < 1e-9 && fabs(e) >= 3)
        snprintf(buf, n, "1e%d", (int)round(e));
    else
        snprintf(buf, n, "%g", v);
}

/* A reference line: "1e-3 with lines ... title 'healthy (1e-3)'". */
static void put_ref(GpBuf *b, const ChartRef *r, const char *color)
{
    char title[160], num[32];
    short_num(num, sizeof num, r->y);
    snprintf(title, sizeof title, "%s (%s)", r->label ? r->label : "", num);
    gp_buf_num(b, r->y);
    gp_buf_printf(b, " with lines dt 2 lw 2 lc rgb '%s'", color);
    put_plot_title(b, r->label ? title : NULL);
}

static void put_no_data(GpBuf *b)
{
    gp_buf_puts(b, "unset logscale\n"
                   "set xrange [0:1]\nset yrange [0:1]\n"
                   "unset tics\nunset grid\nunset colorbox\n"
                   "set label 1 'no data yet' at graph 0.5,0.5 center\n"
                   "plot 2 notitle\n");
}

static void put_log_axis(GpBuf *b, char axis)
{
    gp_buf_printf(b, "set logscale %c 10\nset format %c NN_LOGFMT\n", axis,
                  axis);
}

static int bad_args(Gp *gp, const char *chart)
{
    char msg[96];
    snprintf(msg, sizeof msg, "plot: %s: missing data (a bug in nnlab)",
             chart);
    return gp_fail(gp, msg);
}

/* Hand the frame to gp and free it. */
static int finish(Gp *gp, int window, GpBuf *b)
{
    int rc = b->failed ? gp_fail(gp, "plot: out of memory")
                       : gp_draw(gp, window, b->s, b->len);
    gp_buf_free(b);
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
static size_t put_series(GpBuf *b, int win, size_t k, const ChartSeries *s,
                         int logy, size_t maxpts)
{
    size_t written = 0, bucket = 1;
    int gap = 0;
    gp_buf_printf(b, "$w%d_s%zu << EOD\n", win, k);
    if (maxpts >= 4 && s->n > maxpts)
        bucket = (s->n + maxpts / 2 - 1) / (maxpts / 2);
    for (size_t i = 0; i < s->n && s->y; i += bucket) {
        size_t end = i + bucket < s->n ? i + bucket : s->n;
        size_t lo = end, hi = end;   /* indices of the min and the max */
        for (size_t j = i; j < end; j++) {
            double x = s->x ? s->x[j] : (double)(j + 1);
            if (!point_ok(x, s->y[j], logy))
                continue;
            if (lo == end || s->y[j] < s->y[lo])
                lo = j;
            if (hi == end || s->y[j] > s->y[hi])
                hi = j;
        }
        if (lo == end) {   /* nothing drawable here: break the line */
            if (written && !gap)
                gp_buf_puts(b, "\n");
            gap = 1;
            continue;
        }
        size_t pick[2] = {lo < hi ? lo : hi, lo < hi ? hi : lo};
        for (int p = 0; p < (pick[0] == pick[1] ? 1 : 2); p++) {
            size_t j = pick[p];
            gp_buf_num(b, s->x ? s->x[j] : (double)(j + 1));
            gp_buf_puts(b, " ");
            gp_buf_num(b, s->y[j]);
            gp_buf_puts(b, "\n");
            written++;
        }
        gap = 0;
    }
    gp_buf_puts(b, "EOD\n");
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

static void put_series_element(GpBuf *b, int win, size_t k,
                               const ChartSeries *s, size_t npoints)
{
    int ls = (int)(k % NCOLORS) + 1;
    const char *with = "lines";
    if (s->style == CHART_POINTS)
        with = "points";
    else if (s->style == CHART_LINEPOINTS || npoints < FEW_POINTS)
        with = "linespoints";
    if (npoints == 0)   /* keep its legend entry without a warning */
        gp_buf_printf(b, "NaN with %s ls %d", with, ls);
    else
        gp_buf_printf(b, "$w%d_s%zu using 1:2 with %s ls %d", win, k, with,
                      ls);
    if (s->style == CHART_DASHED)
        gp_buf_puts(b, " dt 2");
    put_plot_title(b, s->name);
}

int chart_lines(Gp *gp, int window, const ChartLines *c)
{
    GpBuf b = GP_BUF_INIT;
    if (!c || (c->nseries && !c->series) || (c->nrefs && !c->refs))
        return bad_args(gp, "lines");
    int logy = want_log(c);
    size_t maxpts = c->max_points ? c->max_points : DEFAULT_MAX_POINTS;
    size_t npoints[64], total = 0;
    size_t nseries = c->nseries < 64 ? c->nseries : 64;

    put_header(&b, c->title, c->xlabel, c->ylabel);
    for (size_t k = 0; k < nseries; k++) {
        npoints[k] = put_series(&b, window, k, &c->series[k], logy, maxpts);
        total += npoints[k];
    }
    if (total == 0) {
        put_no_data(&b);
        return finish(gp, window, &b);
    }
    if (logy)
        put_log_axis(&b, 'y');
    if (c->ymin < c->ymax && (!logy || c->ymin > 0)) {
        gp_buf_puts(&b, "set yrange [");
        gp_buf_num(&b, c->ymin);
        gp_buf_puts(&b, ":");
        gp_buf_num(&b, c->ymax);
        gp_buf_puts(&b, "]\n");
    }
    /* outside: a legend inside always hides some curve sooner or later */
    gp_buf_puts(&b, "set key outside right top\n");
    gp_buf_puts(&b, "plot ");
    for (size_t k = 0; k < nseries; k++) {
        if (k)
            gp_buf_puts(&b, ", \\\n     ");
        put_series_element(&b, window, k, &c->series[k], npoints[k]);
    }
    for (size_t r = 0; r < c->nrefs; r++) {
        if (!isfinite(c->refs[r].y) || (logy && c->refs[r].y <= 0))
            continue;
        gp_buf_puts(&b, ", \\\n     ");
        put_ref(&b, &c->refs[r], r == 0 ? "#555555" : line_colors[r % 10]);
    }
    gp_buf_puts(&b, "\n");
    return finish(gp, window, &b);
}

/* ======================================================================
 * Histograms
 * ====================================================================== */

static void hist_layout(size_t n, size_t *rows, size_t *cols)
{
    *cols = n <= 3 ? n : n == 4 ? 2 : n <= 6 ? 3 : 4;
    if (*cols == 0)
        *cols = 1;
    *rows = (n + *cols - 1) / *cols;
    if (*rows == 0)
        *rows = 1;
}

/* The x range of a panel (or of all panels): finite edges only. */
static int edges_range(const ChartHistPanel *p, double *lo, double *hi)
{
    int any = 0;
    for (size_t i = 0; p->edges && p->counts && i <= p->nbins && p->nbins;
         i++) {
        double e = p->edges[i];
        if (!isfinite(e))
            continue;
        if (!any || e < *lo)
            *lo = e;
        if (!any || e > *hi)
            *hi = e;
        any = 1;
    }
    return any && *hi > *lo;
}

/* A panel title; long ones in narrow panels break after their ':'. */
static void put_panel_title(GpBuf *b, const char *title, size_t cols)
{
    const char *colon = title ? strstr(title, ": ") : NULL;
    if (!title || !*title) {
        gp_buf_puts(b, "unset title\n");
        return;
    }
    gp_buf_puts(b, "set title ");
    if (cols >= 3 && strlen(title) > 26 && colon) {
        char *head = strndup(title, (size_t)(colon - title) + 1);
        gp_buf_quote(b, head ? head : "");
        free(head);
        gp_buf_puts(b, " . \"\\n\" . ");
        gp_buf_quote(b, colon + 2);
    } else {
        gp_buf_quote(b, title);
    }
    gp_buf_printf(b, " noenhanced font ',%d'\n", cols >= 3 ? 11 : 12);
}

/* 1, 2 or 5 times a power of ten, near span / 4: a few y tics only. */
static double tic_step(double top)
{
    double e = pow(10, floor(log10(top / 4))), m = top / 4 / e;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

/* Data block of one panel: "centre count width"; 0 when nothing to draw. */
static size_t put_hist_block(GpBuf *b, int win, size_t k,
                             const ChartHistPanel *p, double *top)
{
    size_t written = 0;
    *top = 0;
    gp_buf_printf(b, "$w%d_h%zu << EOD\n", win, k);
    for (size_t i = 0; p->edges && p->counts && i < p->nbins; i++) {
        double a = p->edges[i], z = p->edges[i + 1], n = p->counts[i];
        if (!isfinite(a) || !isfinite(z) || !isfinite(n) || z <= a)
            continue;
        gp_buf_num(b, (a + z) / 2);
        gp_buf_puts(b, " ");
        gp_buf_num(b, n);
        gp_buf_puts(b, " ");
        gp_buf_num(b, z - a);
        gp_buf_puts(b, "\n");
        *top = n > *top ? n : *top;
        written++;
    }
    gp_buf_puts(b, "EOD\n");
    return written;
}

int chart_histograms(Gp *gp, int window, const ChartHist *c)
{
    GpBuf b = GP_BUF_INIT;
    if (!c || (c->npanels && !c->panels))
        return bad_args(gp, "histograms");
    size_t rows, cols;
    hist_layout(c->npanels, &rows, &cols);
    double all_lo = 0, all_hi = 0;
    int all_ok = 0;
    for (size_t k = 0; c->same_x && k < c->npanels; k++) {
        double lo, hi;
        if (!edges_range(&c->panels[k], &lo, &hi))
            continue;
        all_lo = !all_ok || lo < all_lo ? lo : all_lo;
        all_hi = !all_ok || hi > all_hi ? hi : all_hi;
        all_ok = 1;
    }

    put_header(&b, NULL, NULL, NULL);
    gp_buf_puts(&b, "unset key\nset style fill solid 0.75 noborder\n"
                    "set yrange [0:*]\nset format y '%g'\n");
    if (c->npanels > 6)
        gp_buf_puts(&b, "set tics font ',9'\n");
    gp_buf_printf(&b, "set multiplot layout %zu,%zu", rows, cols);
    if (c->title && *c->title) {
        gp_buf_puts(&b, " title ");
        gp_buf_quote(&b, c->title);
        gp_buf_puts(&b, " noenhanced font ',15'");
    }
    gp_buf_puts(&b, "\n");
    if (c->npanels == 0)
        put_no_data(&b);
    for (size_t k = 0; k < c->npanels; k++) {
        const ChartHistPanel *p = &c->panels[k];
        double top;
        size_t nbars = put_hist_block(&b, window, k, p, &top);
        put_panel_title(&b, p->title, cols);
        if (top > 0)
            gp_buf_printf(&b, "set ytics %.10g\n", tic_step(top));
        else
            gp_buf_puts(&b, "set ytics autofreq\n");
        if (k / cols == rows - 1)
            put_text_setting(&b, "xlabel", c->xlabel, "");
        double lo, hi;
        if (all_ok || edges_range(p, &lo, &hi)) {
            gp_buf_puts(&b, "set xrange [");
            gp_buf_num(&b, all_ok ? all_lo : lo);
            gp_buf_puts(&b, ":");
            gp_buf_num(&b, all_ok ? all_hi : hi);
            gp_buf_puts(&b, "]\n");
        }
        if (nbars == 0)
            gp_buf_puts(&b, "set label 1 'no data' at graph 0.5,0.5 center\n"
                            "plot [0:1][0:1] 2 notitle\nunset label 1\n");
        else
            gp_buf_printf(&b, "plot $w%d_h%zu using 1:2:3 with boxes "
                              "lc rgb '%s'\n",
                          window, k, line_colors[k % NCOLORS]);
    }
    gp_buf_puts(&b, "unset multiplot\n");
    return finish(gp, window, &b);
}

/* ======================================================================
 * Bars on a log axis
 * ====================================================================== */

static const ChartRef default_gradcheck_refs[] = {
    {1e-7, "excellent"}, {1e-5, "ok"}, {1e-3, "wrong?"}};
/* Bar colour by zone (below the first line, between lines, above the
 * last), and the colour of each line. */
static const unsigned zone_colors[] = {0x2ca02c, 0x9acd32, 0xff7f0e,
                                       0xd62728};
static const char *const ref_colors[] = {"#2ca02c", "#ff7f0e", "#d62728"};

static int bars_zone(double v, const ChartRef *refs, size_t nrefs)
{
    int z = 0;
    for (size_t r = 0; r < nrefs; r++)
        if (isfinite(refs[r].y) && v >= refs[r].y)
            z++;
    return z < 3 ? z : 3;
}

/* The log y range: whole decades around the bars and the lines. */
static void bars_range(const ChartBars *c, const ChartRef *refs, size_t nrefs,
                       double *lo, double *hi)
{
    double mn = INFINITY, mx = 0;
    for (size_t i = 0; i < c->n; i++) {
        double v = c->values[i];
        if (isfinite(v) && v > 0) {
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
    }
    for (size_t r = 0; r < nrefs; r++) {
        double v = refs[r].y;
        if (isfinite(v) && v > 0) {
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
    }
    if (mx <= 0) {
        mn = 1e-8;
        mx = 1;
    }
    *lo = pow(10, floor(log10(mn)) - 1);
    *hi = pow(10, ceil(log10(mx)) + 1);
}

int chart_bars_log(Gp *gp, int window, const ChartBars *c)
{
    GpBuf b = GP_BUF_INIT;
    if (!c || (c->n && !c->values) || (c->nrefs && !c->refs))
        return bad_args(gp, "bars");
    const ChartRef *refs = c->refs ? c->refs : default_gradcheck_refs;
    size_t nrefs = c->refs ? c->nrefs : 3;
    double lo, hi;
    bars_range(c, refs, nrefs, &lo, &hi);

    put_header(&b, c->title, NULL, c->ylabel);
    put_log_axis(&b, 'y');
    gp_buf_puts(&b, "set style fill solid 0.85 noborder\nset boxwidth 0.6\n"
                    "set grid noxtics\nunset key\nset rmargin 19\n");
    gp_buf_printf(&b, "set yrange [%g:%g]\nset xrange [-0.6:%g]\n", lo, hi,
                  c->n ? (double)c->n - 0.4 : 0.6);
    gp_buf_puts(&b, "set xtics (");
    for (size_t i = 0; i < c->n; i++) {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "%zu", i + 1);
        gp_buf_puts(&b, i ? ", " : "");
        gp_buf_quote(&b, c->labels && c->labels[i] ? c->labels[i] : fallback);
        gp_buf_printf(&b, " %zu", i);
    }
    gp_buf_puts(&b, ") noenhanced\n");
    /* 0 and NaN cannot stand on a log axis: say so at the bottom */
    for (size_t i = 0; i < c->n; i++) {
        double v = c->values[i];
        if (!isfinite(v) || v <= 0)
            gp_buf_printf(&b, "set label '%s' at %zu,%g center "
                              "tc rgb '#d62728'\n",
                          v == 0 ? "0" : isfinite(v) ? "<0" : "NaN", i, lo * 2);
    }
    for (size_t r = 0; r < nrefs; r++) {   /* named beside the plot */
        char title[160], num[32];
        if (!isfinite(refs[r].y) || refs[r].y <= 0)
            continue;
        short_num(num, sizeof num, refs[r].y);
        snprintf(title, sizeof title, "%s (%s)",
                 refs[r].label ? refs[r].label : "", num);
        gp_buf_puts(&b, "set label ");
        gp_buf_quote(&b, title);
        gp_buf_printf(&b, " at graph 1.02, first %.10g left tc rgb '%s' "
                          "noenhanced\n",
                      refs[r].y, ref_colors[r < 3 ? r : 2]);
    }
    gp_buf_printf(&b, "$w%d_b << EOD\n", window);
    size_t nbars = 0;
    for (size_t i = 0; i < c->n; i++) {
        double v = c->values[i];
        if (!isfinite(v) || v <= 0)
            continue;
        gp_buf_printf(&b, "%zu ", i);
        gp_buf_num(&b, v);
        gp_buf_printf(&b, " %u\n", zone_colors[bars_zone(v, refs, nrefs)]);
        nbars++;
    }
    gp_buf_puts(&b, "EOD\nplot ");
    if (nbars)
        gp_buf_printf(&b, "$w%d_b using 1:2:3 with boxes lc rgb variable "
                          "notitle, \\\n     $w%d_b using 1:2:(sprintf('%%.1e',"
                          " $2)) with labels offset 0,0.8 notitle",
                      window, window);
    else
        gp_buf_puts(&b, "NaN notitle");
    for (size_t r = 0; r < nrefs; r++) {
        if (!isfinite(refs[r].y) || refs[r].y <= 0)
            continue;
        gp_buf_puts(&b, ", \\\n     ");
        put_ref(&b, &refs[r], ref_colors[r < 3 ? r : 2]);
    }
    gp_buf_puts(&b, "\n");
    return finish(gp, window, &b);
}

/* ======================================================================
 * Decision regions and 2-D data
 * ====================================================================== */

static void put_grid(GpBuf *b, int win, const ChartRegions *c)
{
    double dx = (c->x1 - c->x0) / (double)(c->nx - 1);
    double dy = (c->y1 - c->y0) / (double)(c->ny - 1);
    gp_buf_printf(b, "$w%d_g << EOD\n", win);
    for (size_t j = 0; j < c->ny; j++) {
        for (size_t i = 0; i < c->nx; i++) {
            double v = c->grid[j * c->nx + i];
            gp_buf_num(b, c->x0 + (double)i * dx);
            gp_buf_puts(b, " ");
            gp_buf_num(b, c->y0 + (double)j * dy);
            gp_buf_puts(b, " ");
            if (isfinite(v))   /* the image needs every pixel: NaN is blank */
                gp_buf_num(b, v);
            else
                gp_buf_puts(b, "NaN");
            gp_buf_puts(b, "\n");
        }
        gp_buf_puts(b, "\n");
    }
    gp_buf_puts(b, "EOD\n");
}

/* A palette of one flat light colour per class, or light blue - white -
 * light orange for a probability. */
static void put_region_palette(GpBuf *b, const ChartRegions *c)
{
    if (c->grid_prob) {
        gp_buf_printf(b, "set palette defined (0 '%s', 0.5 '#ffffff', 1 '%s')"
                         "\nset cbrange [0:1]\nset cbtics 0.25\n",
                      light_colors[0], light_colors[1]);
        put_text_setting(b, "cblabel",
                         c->class_names && c->class_names[1]
                             ? "probability of the second class"
                             : "P(class 1)", "");
        return;
    }
    int k = c->nclasses;
    gp_buf_puts(b, "set palette defined (");
    for (int i = 0; i < k; i++)
        gp_buf_printf(b, "%s%d '%s', %d '%s'", i ? ", " : "", i,
                      light_colors[i % NCOLORS], i + 1,
                      light_colors[i % NCOLORS]);
    gp_buf_printf(b, ")\nset cbrange [-0.5:%g]\nunset colorbox\n", k - 0.5);
}

/* Which classes appear in a set, so no element plots nothing. */
static int set_has_class(const ChartPoints *s, int cls)
{
    for (size_t i = 0; i < s->n; i++)
        if ((s->cls ? s->cls[i] : 0) == cls && isfinite(s->x[i]) &&
            isfinite(s->y[i]))
            return 1;
    return 0;
}

static void put_points_block(GpBuf *b, int win, size_t k, const ChartPoints *s)
{
    gp_buf_printf(b, "$w%d_p%zu << EOD\n", win, k);
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
            continue;
        gp_buf_num(b, s->x[i]);
        gp_buf_puts(b, " ");
        gp_buf_num(b, s->y[i]);
        gp_buf_printf(b, " %d\n", s->cls ? s->cls[i] : 0);
    }
    gp_buf_puts(b, "EOD\n");
}

/* Point symbols on the dumb terminal, where colour is lost: one
 * character per class, lower case for filled sets, upper case for open
 * ones; and the characters that paint the regions. */
static const char dumb_filled[] = "ox+#%&@=~$";
static const char dumb_open[] = "OX*HWMQ8VZ";
static const char dumb_region[] = ".-:;,'^_~=";   /* no " nor ` */

static void put_class_element(GpBuf *b, int win, size_t k,
                              const ChartPoints *s, int cls,
                              const ChartRegions *c, int dumb)
{
    char title[160], fallback[32];
    snprintf(fallback, sizeof fallback, "class %d", cls);
    const char *cname = c->class_names && c->class_names[cls]
                            ? c->class_names[cls] : fallback;
    snprintf(title, sizeof title, "%s%s%s", s->name ? s->name : "",
             s->name ? ": " : "", cname);
    gp_buf_printf(b, "$w%d_p%zu using 1:($3 == %d ? $2 : NaN) with points ",
                  win, k, cls);
    if (dumb)
        gp_buf_printf(b, "pt \"%c\"",
                      (s->open ? dumb_open : dumb_filled)[cls % NCOLORS]);
    else
        gp_buf_printf(b, "pt %d ps %s lw 2.5 lc rgb '%s'", s->open ? 6 : 7,
                      s->open ? "1.5" : "1.2", line_colors[cls % NCOLORS]);
    put_plot_title(b, title);
}

/* The elements of the plot command, for the dumb terminal or the others.
 * Returns how many. */
static int put_region_elements(GpBuf *b, int win, const ChartRegions *c,
                               int grid, int dumb)
{
    int elements = 0;
    if (grid && !dumb) {
        gp_buf_printf(b, "$w%d_g using 1:2:3 with image notitle", win);
        elements++;
    }
    for (int cls = 0; grid && dumb && cls < (c->grid_prob ? 2 : c->nclasses);
         cls++) {
        gp_buf_puts(b, elements++ ? ", " : "");
        if (c->grid_prob)
            gp_buf_printf(b, "$w%d_g using 1:(($3 >= 0.5) == %d ? $2 : NaN)",
                          win, cls);
        else
            gp_buf_printf(b, "$w%d_g using 1:(floor($3 + 0.5) == %d ? $2 : "
                             "NaN)", win, cls);
        gp_buf_printf(b, " with points pt \"%c\" notitle",
                      dumb_region[cls % NCOLORS]);
    }
    for (size_t k = 0; k < c->nsets; k++) {
        int drawn = 0;
        for (int cls = 0; cls < c->nclasses; cls++) {
            if (!set_has_class(&c->sets[k], cls))
                continue;
            gp_buf_puts(b, elements++ ? ", " : "");
            put_class_element(b, win, k, &c->sets[k], cls, c, dumb);
            drawn = 1;
        }
        if (drawn && !dumb && !c->sets[k].open)   /* a dark rim */
            gp_buf_printf(b, ", $w%d_p%zu using 1:2 with points pt 6 ps 1.2 "
                             "lw 0.8 lc rgb '#303030' notitle", win, k);
    }
    return elements;
}

int chart_regions(Gp *gp, int window, const ChartRegions *c)
{
    GpBuf b = GP_BUF_INIT;
    if (!c || (c->nsets && !c->sets) || c->nclasses < 1 ||
        (c->nx && (c->nx < 2 || c->ny < 2 || !c->grid)))
        return bad_args(gp, "regions");
    for (size_t k = 0; k < c->nsets; k++)
        if (c->sets[k].n && (!c->sets[k].x || !c->sets[k].y))
            return bad_args(gp, "regions");
    int grid = c->nx >= 2 && c->ny >= 2 && isfinite(c->x0) &&
               isfinite(c->x1) && isfinite(c->y0) && isfinite(c->y1) &&
               c->x1 > c->x0 && c->y1 > c->y0;

    put_header(&b, c->title, c->xlabel, c->ylabel);
    gp_buf_puts(&b, "set key outside right top\n"
                    "if (!NN_DUMB) { set grid front }\n");
    if (grid) {
        put_grid(&b, window, c);
        put_region_palette(&b, c);
        gp_buf_printf(&b, "set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]"
                          "\nif (NN_DUMB) { unset colorbox }\n",
                      c->x0, c->x1, c->y0, c->y1);
    } else {
        gp_buf_puts(&b, "set offsets graph 0.05, graph 0.05, graph 0.05, "
                        "graph 0.05\n");
    }
    for (size_t k = 0; k < c->nsets; k++)
        put_points_block(&b, window, k, &c->sets[k]);

    /* colour and images on real terminals, characters on dumb */
    gp_buf_puts(&b, "if (NN_DUMB) {\nplot ");
    int elements = put_region_elements(&b, window, c, grid, 1);
    gp_buf_puts(&b, "\n} else {\nplot ");
    put_region_elements(&b, window, c, grid, 0);
    gp_buf_puts(&b, "\n}\n");
    if (!elements) {
        gp_buf_clear(&b);
        put_header(&b, c->title, c->xlabel, c->ylabel);
        put_no_data(&b);
    }
    return finish(gp, window, &b);
}

/* ======================================================================
 * Scatter
 * ====================================================================== */

/* Points coloured by value; on dumb, where colour is lost, the values
 * themselves are written at the points. */
static void put_scatter_elements(GpBuf *b, int win, int colour, int ring,
                                 int dumb)
{
    if (dumb && colour)
        gp_buf_printf(b, "$w%d_c using 1:2:(sprintf('%%.3g', $3)) with "
                         "labels notitle", win);
    else if (dumb)
        gp_buf_printf(b, "$w%d_c using 1:2 with points pt 'o' notitle", win);
    else if (colour)
        gp_buf_printf(b, "$w%d_c using 1:2:3 with points pt 7 ps 1.8 "
                         "lc palette notitle", win);
    else
        gp_buf_printf(b, "$w%d_c using 1:2 with points pt 7 ps 1.8 "
                         "lc rgb '%s' notitle", win, line_colors[0]);
    if (ring && dumb)   /* on the line above the value */
        gp_buf_printf(b, ", $w%d_best using 1:2:('best') with labels "
                         "offset 0,1 notitle", win);
    else if (ring)
        gp_buf_printf(b, ", $w%d_best using 1:2 with points pt 6 ps 4 lw 3 "
                         "lc rgb '#d62728' notitle", win);
}

int chart_scatter(Gp *gp, int window, const ChartScatter *c)
{
    GpBuf b = GP_BUF_INIT;
    if (!c || (c->n && (!c->x || !c->y)))
        return bad_args(gp, "scatter");
    put_header(&b, c->title, c->xlabel, c->ylabel);
    if (c->xlog)
        put_log_axis(&b, 'x');
    if (c->ylog)
        put_log_axis(&b, 'y');
    gp_buf_puts(&b, "set offsets graph 0.05, graph 0.05, graph 0.05, "
                    "graph 0.05\nunset key\n"
                    "set palette defined (0 '#440154', 0.25 '#3b528b', "
                    "0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n");
    put_text_setting(&b, "cblabel", c->clabel, "");

    size_t npoints = 0, best = c->n;
    gp_buf_printf(&b, "$w%d_c << EOD\n", window);
    for (size_t i = 0; i < c->n; i++) {
        double x = c->x[i], y = c->y[i], v = c->c ? c->c[i] : 0;
        if (!isfinite(x) || !isfinite(y) || !isfinite(v) || (c->xlog && x <= 0) ||
            (c->ylog && y <= 0))
            continue;
        gp_buf_num(&b, x);
        gp_buf_puts(&b, " ");
        gp_buf_num(&b, y);
        gp_buf_puts(&b, " ");
        gp_buf_num(&b, v);
        gp_buf_puts(&b, "\n");
        if (c->c && (best == c->n || v > c->c[best]))
            best = i;
        npoints++;
    }
    gp_buf_puts(&b, "EOD\n");
    if (npoints == 0) {
        put_no_data(&b);
        return finish(gp, window, &b);
    }
    if (c->mark_best && c->c && best < c->n) {
        gp_buf_printf(&b, "$w%d_best << EOD\n", window);
        gp_buf_num(&b, c->x[best]);
        gp_buf_puts(&b, " ");
        gp_buf_num(&b, c->y[best]);
        gp_buf_puts(&b, "\nEOD\n");
    }
    int ring = c->mark_best && c->c && best < c->n;
    gp_buf_puts(&b, "if (NN_DUMB) {\nunset colorbox\nplot ");
    put_scatter_elements(&b, window, c->c != NULL, ring, 1);
    gp_buf_puts(&b, "\n} else {\nplot ");
    put_scatter_elements(&b, window, c->c != NULL, ring, 0);
    if (ring)
        gp_buf_printf(&b, ", $w%d_best using 1:2:(sprintf('best: %%.4g', "
                          "%.10g)) with labels left offset 2.2,1.2 "
                          "tc rgb '#d62728' notitle", window, c->c[best]);
    gp_buf_puts(&b, "\n}");
    gp_buf_puts(&b, "\n");
    return finish(gp, window, &b);
}
