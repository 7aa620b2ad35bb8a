/*
 * chart_bars.c — bar charts: histograms of activations, one panel per
 * layer, and the gradient check's relative errors on a log axis.
 *
 * Both draw boxes from a data block of numbers; the text (panel titles,
 * bar labels, the names of the reference lines) goes in as quoted gnuplot
 * strings, never inside the data.  Shared styling is in chart.c.
 */
#include "chart_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void put_panel_title(Buf *b, const char *title, size_t cols)
{
    const char *colon = title ? strstr(title, ": ") : NULL;
    if (!title || !*title) {
        buf_puts(b, "unset title\n");
        return;
    }
    buf_puts(b, "set title ");
    if (cols >= 3 && strlen(title) > 26 && colon) {
        char *head = strndup(title, (size_t)(colon - title) + 1);
        gp_quote(b, head ? head : "");
        free(head);
        buf_puts(b, " . \"\\n\" . ");
        gp_quote(b, colon + 2);
    } else {
        gp_quote(b, title);
    }
    buf_printf(b, " noenhanced font ',%d'\n", cols >= 3 ? 11 : 12);
}

/* 1, 2 or 5 times a power of ten, near span / 4: a few y tics only. */
static double tic_step(double top)
{
    double e = pow(10, floor(log10(top / 4))), m = top / 4 / e;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

/* Data block of one panel: "centre count width"; 0 when nothing to draw. */
static size_t put_hist_block(Buf *b, int win, size_t k,
                             const ChartHistPanel *p, double *top)
{
    size_t written = 0;
    *top = 0;
    buf_printf(b, "$w%d_h%zu << EOD\n", win, k);
    for (size_t i = 0; p->edges && p->counts && i < p->nbins; i++) {
        double a = p->edges[i], z = p->edges[i + 1], n = p->counts[i];
        if (!isfinite(a) || !isfinite(z) || !isfinite(n) || z <= a)
            continue;
        gp_num(b, (a + z) / 2);
        buf_puts(b, " ");
        gp_num(b, n);
        buf_puts(b, " ");
        gp_num(b, z - a);
        buf_puts(b, "\n");
        *top = n > *top ? n : *top;
        written++;
    }
    buf_puts(b, "EOD\n");
    return written;
}

/* With same_x: the x range of all panels together.  0 if there is none
 * (same_x not asked, or no panel has a range). */
static int shared_x_range(const ChartHist *c, double *lo, double *hi)
{
    int ok = 0;
    *lo = *hi = 0;
    for (size_t k = 0; c->same_x && k < c->npanels; k++) {
        double a, z;
        if (!edges_range(&c->panels[k], &a, &z))
            continue;
        *lo = !ok || a < *lo ? a : *lo;
        *hi = !ok || z > *hi ? z : *hi;
        ok = 1;
    }
    return ok;
}

/* Panel k of the multiplot: data, title, y tics, the x label under the
 * bottom row, the x range (shared: {lo, hi} for all panels, or NULL for
 * the panel's own) and its plot. */
static void put_hist_panel(Buf *b, int win, size_t k, const ChartHist *c,
                           size_t rows, size_t cols, const double *shared)
{
    const ChartHistPanel *p = &c->panels[k];
    double top;
    size_t nbars = put_hist_block(b, win, k, p, &top);
    put_panel_title(b, p->title, cols);
    if (top > 0)
        buf_printf(b, "set ytics %.10g\n", tic_step(top));
    else
        buf_puts(b, "set ytics autofreq\n");
    if (k / cols == rows - 1)
        chart_put_text_setting(b, "xlabel", c->xlabel, "");
    if (k % cols == 0)
        chart_put_text_setting(b, "ylabel", c->ylabel, "");
    else
        buf_puts(b, "unset ylabel\n");
    double lo, hi;
    if (shared || edges_range(p, &lo, &hi)) {
        if (shared)
            lo = shared[0], hi = shared[1];
        buf_puts(b, "set xrange [");
        gp_num(b, lo);
        buf_puts(b, ":");
        gp_num(b, hi);
        buf_puts(b, "]\n");
        /* three tics, both ends and the middle, short: a narrow range
         * (std 1e-9) would crowd the panel with long labels */
        buf_puts(b, "set format x '%.2g'\nset xtics (");
        for (int t = 0; t < 3; t++) {
            gp_num(b, lo + (hi - lo) * t / 2);
            buf_puts(b, t < 2 ? ", " : ")\n");
        }
    }
    if (nbars == 0)
        buf_puts(b, "set label 1 'no data' at graph 0.5,0.5 center\n"
                       "plot [0:1][0:1] 2 notitle\nunset label 1\n");
    else
        buf_printf(b, "plot $w%d_h%zu using 1:2:3 with boxes "
                         "lc rgb '%s'\n",
                      win, k, chart_line_colors[k % CHART_NCOLORS]);
}

int chart_histograms(Gp *gp, int window, const ChartHist *c)
{
    Buf b = BUF_INIT;
    if (!c || (c->npanels && !c->panels))
        return chart_bad_args(gp, "histograms");
    size_t rows, cols;
    hist_layout(c->npanels, &rows, &cols);
    double shared[2];
    int same = shared_x_range(c, &shared[0], &shared[1]);

    chart_put_header(&b, NULL, NULL, NULL);
    buf_puts(&b, "unset key\nset style fill solid 0.75 noborder\n"
                    "set yrange [0:*]\nset format y '%g'\n");
    if (c->npanels > 6)
        buf_puts(&b, "set tics font ',9'\n");
    buf_printf(&b, "set multiplot layout %zu,%zu", rows, cols);
    if (c->title && *c->title) {
        buf_puts(&b, " title ");
        gp_quote(&b, c->title);
        buf_puts(&b, " noenhanced font ',15'");
    }
    buf_puts(&b, "\n");
    if (c->npanels == 0)
        chart_put_no_data(&b);
    for (size_t k = 0; k < c->npanels; k++)
        put_hist_panel(&b, window, k, c, rows, cols, same ? shared : NULL);
    buf_puts(&b, "unset multiplot\n");
    return chart_finish(gp, window, &b);
}

/* ======================================================================
 * Bars on a log axis
 * ====================================================================== */

/* The verdicts of the gradcheck table: great below 1e-7, ok below 1e-5,
 * suspicious below 1e-3, a bug above. */
static const ChartRef default_gradcheck_refs[] = {
    {1e-7, "great below"}, {1e-5, "ok below"}, {1e-3, "a bug above"}};
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

/* The label under each bar, and a mark at the bottom for the values a log
 * axis cannot show (0, negative, NaN). */
static void put_bar_labels(Buf *b, const ChartBars *c, double lo)
{
    buf_puts(b, "set xtics (");
    for (size_t i = 0; i < c->n; i++) {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "%zu", i + 1);
        buf_puts(b, i ? ", " : "");
        gp_quote(b, c->labels && c->labels[i] ? c->labels[i] : fallback);
        buf_printf(b, " %zu", i);
    }
    buf_puts(b, ") noenhanced\n");
    for (size_t i = 0; i < c->n; i++) {
        double v = c->values[i];
        if (!isfinite(v) || v <= 0)
            buf_printf(b, "set label '%s' at %zu,%g center "
                             "tc rgb '#d62728'\n",
                          v == 0 ? "0" : isfinite(v) ? "<0" : "NaN", i,
                          lo * 2);
    }
}

/* Each reference line named beside the plot, at its height. */
static void put_ref_labels(Buf *b, const ChartRef *refs, size_t nrefs)
{
    for (size_t r = 0; r < nrefs; r++) {
        char title[160], num[32];
        if (!isfinite(refs[r].y) || refs[r].y <= 0)
            continue;
        chart_short_num(num, sizeof num, refs[r].y);
        snprintf(title, sizeof title, "%s (%s)",
                 refs[r].label ? refs[r].label : "", num);
        buf_puts(b, "set label ");
        gp_quote(b, title);
        buf_printf(b, " at graph 1.02, first %.10g left tc rgb '%s' "
                         "noenhanced\n",
                      refs[r].y, ref_colors[r < 3 ? r : 2]);
    }
}

/* Data block $w<win>_b: "index value colour" of each bar that can stand
 * on the log axis.  Returns how many. */
static size_t put_bars_block(Buf *b, int win, const ChartBars *c,
                             const ChartRef *refs, size_t nrefs)
{
    size_t nbars = 0;
    buf_printf(b, "$w%d_b << EOD\n", win);
    for (size_t i = 0; i < c->n; i++) {
        double v = c->values[i];
        if (!isfinite(v) || v <= 0)
            continue;
        buf_printf(b, "%zu ", i);
        gp_num(b, v);
        buf_printf(b, " %u\n", zone_colors[bars_zone(v, refs, nrefs)]);
        nbars++;
    }
    buf_puts(b, "EOD\n");
    return nbars;
}

int chart_bars_log(Gp *gp, int window, const ChartBars *c)
{
    Buf b = BUF_INIT;
    if (!c || (c->n && !c->values) || (c->nrefs && !c->refs))
        return chart_bad_args(gp, "bars");
    const ChartRef *refs = c->refs ? c->refs : default_gradcheck_refs;
    size_t nrefs = c->refs ? c->nrefs : 3;
    double lo, hi;
    bars_range(c, refs, nrefs, &lo, &hi);

    chart_put_header(&b, c->title, NULL, c->ylabel);
    chart_put_log_axis(&b, 'y');
    buf_puts(&b, "set style fill solid 0.85 noborder\nset boxwidth 0.6\n"
                    "set grid noxtics\nunset key\nset rmargin 19\n");
    buf_printf(&b, "set yrange [%g:%g]\nset xrange [-0.6:%g]\n", lo, hi,
                  c->n ? (double)c->n - 0.4 : 0.6);
    put_bar_labels(&b, c, lo);
    put_ref_labels(&b, refs, nrefs);
    size_t nbars = put_bars_block(&b, window, c, refs, nrefs);
    buf_puts(&b, "plot ");
    if (nbars)
        buf_printf(&b, "$w%d_b using 1:2:3 with boxes lc rgb variable "
                          "notitle, \\\n     $w%d_b using 1:2:"
                          "(sprintf('%%.1e', $2)) with labels offset 0,0.8 "
                          "notitle", window, window);
    else
        buf_puts(&b, "NaN notitle");
    for (size_t r = 0; r < nrefs; r++) {
        if (!isfinite(refs[r].y) || refs[r].y <= 0)
            continue;
        buf_puts(&b, ", \\\n     ");
        chart_put_ref(&b, &refs[r], ref_colors[r < 3 ? r : 2]);
    }
    buf_puts(&b, "\n");
    return chart_finish(gp, window, &b);
}
