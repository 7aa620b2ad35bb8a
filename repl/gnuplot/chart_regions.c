/*
 * chart_regions.c — charts of points in a plane: a classifier's decision
 * regions under its 2-D data, panels of 2-D data side by side, and the
 * scatter of a hyperparameter search.
 *
 * The points of several panels (the stages of whitening) go side by side
 * in one multiplot.  All carry meaning in colour (class, or the value of a run), which the
 * dumb terminal cannot show: each frame holds two plot commands, chosen by
 * NN_DUMB when gnuplot runs it, one with colours and images, one with
 * characters (a letter per class, the value written at each point).
 * Shared styling is in chart.c.
 */
#include "chart_internal.h"

#include <math.h>
#include <stdio.h>

/* Pale versions of the same hues, for decision regions: points in the
 * full colour must stand out on them. */
static const char *const light_colors[] = {
    "#d2e1f2", "#ffdcb8", "#c9eec2", "#ffcac9", "#e1d6ea",
    "#e0cdc9", "#fbdae8", "#cdecf2", "#e3e3e3", "#ededc6"};

/* ======================================================================
 * Decision regions and 2-D data
 * ====================================================================== */

static void put_grid(Buf *b, int win, const ChartRegions *c)
{
    double dx = (c->x1 - c->x0) / (double)(c->nx - 1);
    double dy = (c->y1 - c->y0) / (double)(c->ny - 1);
    buf_printf(b, "$w%d_g << EOD\n", win);
    for (size_t j = 0; j < c->ny; j++) {
        for (size_t i = 0; i < c->nx; i++) {
            double v = c->grid[j * c->nx + i];
            gp_num(b, c->x0 + (double)i * dx);
            buf_puts(b, " ");
            gp_num(b, c->y0 + (double)j * dy);
            buf_puts(b, " ");
            if (isfinite(v))   /* the image needs every pixel: NaN is blank */
                gp_num(b, v);
            else
                buf_puts(b, "NaN");
            buf_puts(b, "\n");
        }
        buf_puts(b, "\n");
    }
    buf_puts(b, "EOD\n");
}

/* A palette of one flat light colour per class, or light blue - white -
 * light orange for a probability. */
static void put_region_palette(Buf *b, const ChartRegions *c)
{
    if (c->grid_prob) {
        buf_printf(b, "set palette defined (0 '%s', 0.5 '#ffffff', 1 '%s')"
                         "\nset cbrange [0:1]\nset cbtics 0.25\n",
                      light_colors[0], light_colors[1]);
        chart_put_text_setting(b, "cblabel",
                               c->class_names && c->class_names[1]
                                   ? "probability of the second class"
                                   : "P(class 1)", "");
        return;
    }
    int k = c->nclasses;
    buf_puts(b, "set palette defined (");
    for (int i = 0; i < k; i++)
        buf_printf(b, "%s%d '%s', %d '%s'", i ? ", " : "", i,
                      light_colors[i % CHART_NCOLORS], i + 1,
                      light_colors[i % CHART_NCOLORS]);
    buf_printf(b, ")\nset cbrange [-0.5:%g]\nunset colorbox\n", k - 0.5);
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

static void put_points_block(Buf *b, int win, size_t k, const ChartPoints *s)
{
    buf_printf(b, "$w%d_p%zu << EOD\n", win, k);
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
            continue;
        gp_num(b, s->x[i]);
        buf_puts(b, " ");
        gp_num(b, s->y[i]);
        buf_printf(b, " %d\n", s->cls ? s->cls[i] : 0);
    }
    buf_puts(b, "EOD\n");
}

/* Point symbols on the dumb terminal, where colour is lost: one
 * character per class, lower case for filled sets, upper case for open
 * ones; and the characters that paint the regions. */
static const char dumb_filled[] = "ox+#%&@=~$";
static const char dumb_open[] = "OX*HWMQ8VZ";
static const char dumb_tri[] = "^v<>!?/|}]";      /* open == 2: dev */
static const char dumb_region[] = ".-:;,'^_~=";   /* no " nor ` */

static void put_class_element(Buf *b, int win, size_t k,
                              const ChartPoints *s, int cls,
                              const ChartRegions *c, int dumb)
{
    char title[160], fallback[32];
    snprintf(fallback, sizeof fallback, "class %d", cls);
    const char *cname = c->class_names && c->class_names[cls]
                            ? c->class_names[cls] : fallback;
    snprintf(title, sizeof title, "%s%s%s", s->name ? s->name : "",
             s->name ? ": " : "", cname);
    buf_printf(b, "$w%d_p%zu using 1:($3 == %d ? $2 : NaN) with points ",
                  win, k, cls);
    const char *marks = s->open == 2 ? dumb_tri
                      : s->open ? dumb_open : dumb_filled;
    if (dumb)
        buf_printf(b, "pt \"%c\"", marks[cls % CHART_NCOLORS]);
    else
        buf_printf(b, "pt %d ps %s lw 2.5 lc rgb '%s'",
                      s->open == 2 ? 8 : s->open ? 6 : 7,
                      s->open == 2 ? "1.4" : s->open ? "1.5" : "1.2",
                      chart_line_colors[cls % CHART_NCOLORS]);
    chart_put_plot_title(b, title);
}

/* The elements of the plot command, for the dumb terminal or the others;
 * the point sets are data blocks $w<win>_p<base + k>.  Returns how many. */
static int put_region_elements(Buf *b, int win, const ChartRegions *c,
                               int grid, int dumb, size_t base)
{
    int elements = 0;
    if (grid && !dumb) {
        buf_printf(b, "$w%d_g using 1:2:3 with image notitle", win);
        elements++;
    }
    for (int cls = 0; grid && dumb && cls < (c->grid_prob ? 2 : c->nclasses);
         cls++) {
        buf_puts(b, elements++ ? ", " : "");
        if (c->grid_prob)
            buf_printf(b, "$w%d_g using 1:(($3 >= 0.5) == %d ? $2 : NaN)",
                          win, cls);
        else
            buf_printf(b, "$w%d_g using 1:(floor($3 + 0.5) == %d ? $2 : "
                             "NaN)", win, cls);
        buf_printf(b, " with points pt \"%c\" notitle",
                      dumb_region[cls % CHART_NCOLORS]);
    }
    for (size_t k = 0; k < c->nsets; k++) {
        int drawn = 0;
        for (int cls = 0; cls < c->nclasses; cls++) {
            if (!set_has_class(&c->sets[k], cls))
                continue;
            buf_puts(b, elements++ ? ", " : "");
            put_class_element(b, win, base + k, &c->sets[k], cls, c, dumb);
            drawn = 1;
        }
        if (drawn && !dumb && !c->sets[k].open)   /* a dark rim */
            buf_printf(b, ", $w%d_p%zu using 1:2 with points pt 6 ps 1.2 "
                             "lw 0.8 lc rgb '#303030' notitle", win,
                          base + k);
    }
    return elements;
}

int chart_regions(Gp *gp, int window, const ChartRegions *c)
{
    Buf b = BUF_INIT;
    if (!c || (c->nsets && !c->sets) || c->nclasses < 1 ||
        (c->nx && (c->nx < 2 || c->ny < 2 || !c->grid)))
        return chart_bad_args(gp, "regions");
    for (size_t k = 0; k < c->nsets; k++)
        if (c->sets[k].n && (!c->sets[k].x || !c->sets[k].y))
            return chart_bad_args(gp, "regions");
    int grid = c->nx >= 2 && c->ny >= 2 && isfinite(c->x0) &&
               isfinite(c->x1) && isfinite(c->y0) && isfinite(c->y1) &&
               c->x1 > c->x0 && c->y1 > c->y0;

    chart_put_header(&b, c->title, c->xlabel, c->ylabel);
    /* the legend in rows under the plot: on the right, beside the colour
     * box, it took a fifth of the width from the plane */
    buf_puts(&b, "if (NN_DUMB) { set key outside right top } else { "
                 "set key below horizontal maxrows 2 font ',10' "
                 "samplen 1 width -2 }\n"
                    "if (!NN_DUMB) { set grid front }\n");
    if (grid) {
        put_grid(&b, window, c);
        put_region_palette(&b, c);
        buf_printf(&b, "set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]"
                          "\nif (NN_DUMB) { unset colorbox }\n",
                      c->x0, c->x1, c->y0, c->y1);
    } else {
        buf_puts(&b, "set offsets graph 0.05, graph 0.05, graph 0.05, "
                        "graph 0.05\n");
    }
    for (size_t k = 0; k < c->nsets; k++)
        put_points_block(&b, window, k, &c->sets[k]);

    /* colour and images on real terminals, characters on dumb */
    buf_puts(&b, "if (NN_DUMB) {\nplot ");
    int elements = put_region_elements(&b, window, c, grid, 1, 0);
    buf_puts(&b, "\n} else {\nplot ");
    put_region_elements(&b, window, c, grid, 0, 0);
    buf_puts(&b, "\n}\n");
    if (!elements) {
        buf_clear(&b);
        chart_put_header(&b, c->title, c->xlabel, c->ylabel);
        chart_put_no_data(&b);
    }
    return chart_finish(gp, window, &b);
}

/* ======================================================================
 * Panels of points: the stages of preprocessing side by side
 * ====================================================================== */

/* 1, 2 or 5 times a power of ten, near span / 4: tics that do not run
 * into each other in a small panel. */
static double panel_tic_step(double span)
{
    double e = pow(10, floor(log10(span / 4))), m = span / 4 / e;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

/* The middle of a panel's points on each axis, and the largest half
 * span; 0 when it has no finite point. */
static int panel_extent(const ChartRegions *p, double mid[2], double *half)
{
    double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
    for (size_t j = 0; j < p->nsets; j++)
        for (size_t i = 0; i < p->sets[j].n; i++) {
            double v[2] = { p->sets[j].x[i], p->sets[j].y[i] };
            if (!isfinite(v[0]) || !isfinite(v[1]))
                continue;
            for (int a = 0; a < 2; a++) {
                lo[a] = fmin(lo[a], v[a]);
                hi[a] = fmax(hi[a], v[a]);
            }
        }
    if (!(hi[0] >= lo[0]))
        return 0;
    for (int a = 0; a < 2; a++)
        mid[a] = (lo[a] + hi[a]) / 2;
    *half = fmax(hi[0] - lo[0], hi[1] - lo[1]) / 2;
    return 1;
}

/* With same_scale: every panel a square of side 2 * half around the
 * middle of its points, so that shapes compare; else gnuplot's own
 * ranges with a margin.  Tics a few per axis either way. */
static void put_panel_ranges(Buf *b, const ChartRegions *p, double half)
{
    double mid[2], own;
    if (!panel_extent(p, mid, &own)) {
        buf_puts(b, "set autoscale\nset xtics autofreq\n"
                    "set ytics autofreq\n");
        return;
    }
    if (!(half > 0))
        half = own > 0 ? own * 1.1 : 1;
    for (int a = 0; a < 2; a++)
        buf_printf(b, "set %crange [%.10g:%.10g]\nset %ctics %.10g\n",
                      "xy"[a], mid[a] - half, mid[a] + half, "xy"[a],
                      panel_tic_step(2 * half));
}

/* Panel k: its point sets (blocks numbered from k * 16), title, ranges,
 * and its plot; the legend, in a row under the title, with the first
 * panel only. */
static int put_points_panel(Buf *b, int win, size_t k, const ChartPanels *c,
                            double half)
{
    const ChartRegions *p = &c->panels[k];
    size_t base = k * 16;
    for (size_t j = 0; j < p->nsets && j < 16; j++)
        put_points_block(b, win, base + j, &p->sets[j]);
    put_panel_ranges(b, p, half);
    if (p->title && *p->title)
        chart_put_text_setting(b, "title", p->title, "");
    else
        buf_puts(b, "unset title\n");
    chart_put_text_setting(b, "xlabel", p->xlabel, "");
    chart_put_text_setting(b, "ylabel", p->ylabel, "");
    buf_puts(b, k == 0 ? "set key at screen 0.99,0.5 right center vertical "
                         "font ',10' samplen 1\n"
                       : "unset key\n");
    buf_puts(b, "if (NN_DUMB) {\nplot ");
    int elements = put_region_elements(b, win, p, 0, 1, base);
    buf_puts(b, "\n} else {\nplot ");
    put_region_elements(b, win, p, 0, 0, base);
    buf_puts(b, "\n}\n");
    return elements;
}

/* same_scale: the half side of the squares, the largest half span of any
 * panel with a margin; 0 otherwise. */
static double common_half(const ChartPanels *c)
{
    double half = 0, mid[2], h;
    for (size_t k = 0; c->same_scale && k < c->npanels; k++)
        if (panel_extent(&c->panels[k], mid, &h))
            half = fmax(half, h);
    return half * 1.1;
}

int chart_point_panels(Gp *gp, int window, const ChartPanels *c)
{
    Buf b = BUF_INIT;
    if (!c || !c->panels || c->npanels == 0 || c->npanels > 16)
        return chart_bad_args(gp, "panels");
    for (size_t k = 0; k < c->npanels; k++) {
        const ChartRegions *p = &c->panels[k];
        if (p->nclasses < 1 || p->nsets > 16 || (p->nsets && !p->sets))
            return chart_bad_args(gp, "panels");
        for (size_t j = 0; j < p->nsets; j++)
            if (p->sets[j].n && (!p->sets[j].x || !p->sets[j].y))
                return chart_bad_args(gp, "panels");
    }
    size_t cols = c->npanels <= 2 ? c->npanels
                : c->npanels == 4 ? 2 : c->npanels <= 6 ? 3 : 4;
    size_t rows = (c->npanels + cols - 1) / cols;
    chart_put_header(&b, NULL, NULL, NULL);
    buf_puts(&b, "set xzeroaxis lt 1 lc rgb '#909090'\n"
                    "set yzeroaxis lt 1 lc rgb '#909090'\n");
    if (c->same_scale)   /* a rotation or a sphere looks like one */
        buf_puts(&b, "set size ratio -1\n");
    buf_printf(&b, "set multiplot layout %zu,%zu", rows, cols);
    if (c->title && *c->title) {
        buf_puts(&b, " title ");
        gp_quote(&b, c->title);
        buf_puts(&b, " noenhanced font ',15'");
    }
    /* room at the top for the title and the legend's row */
    buf_puts(&b, " margins 0.08,0.8,0.09,0.87 spacing 0.1,0.16\n");
    int elements = 0;
    double half = common_half(c);
    for (size_t k = 0; k < c->npanels; k++)
        elements += put_points_panel(&b, window, k, c, half);
    buf_puts(&b, "unset multiplot\n");
    if (!elements) {
        buf_clear(&b);
        chart_put_header(&b, c->title, NULL, NULL);
        chart_put_no_data(&b);
    }
    return chart_finish(gp, window, &b);
}

/* ======================================================================
 * Scatter
 * ====================================================================== */

/* Points coloured by value (sized by their size, numbered by their
 * label); on dumb, where colour is lost, the values themselves are
 * written at the points, or the labels when there are labels. */
static void put_scatter_elements(Buf *b, int win, int colour, int ring,
                                 int dumb, int labels)
{
    if (dumb && (colour || labels))
        buf_printf(b, "$w%d_c using 1:2:(sprintf('%s', $%d)) with "
                         "labels notitle", win, labels ? "%d" : "%.3g",
                   labels ? 5 : 3);
    else if (dumb)
        buf_printf(b, "$w%d_c using 1:2 with points pt 'o' notitle", win);
    else if (colour)
        buf_printf(b, "$w%d_c using 1:2:(1.4 + 0.9 * $4):3 with points pt 7 "
                         "ps variable lc palette notitle", win);
    else
        buf_printf(b, "$w%d_c using 1:2:(1.4 + 0.9 * $4) with points pt 7 "
                         "ps variable lc rgb '%s' notitle", win,
                   chart_line_colors[0]);
    if (labels && !dumb)
        buf_printf(b, ", $w%d_c using 1:2:(sprintf('%%d', $5)) with labels "
                         "offset 1.1,0.9 font ',9' tc rgb '#444444' notitle",
                   win);
    if (ring && dumb)   /* on the line above the value */
        buf_printf(b, ", $w%d_best using 1:2:('best') with labels "
                         "offset 0,1 notitle", win);
    else if (ring)
        buf_printf(b, ", $w%d_best using 1:2 with points pt 6 ps 4 lw 3 "
                         "lc rgb '#d62728' notitle", win);
}

/* Data block $w<win>_c: "x y value" of each point that can be drawn.
 * Returns how many; *best is the index of the highest value (c->n when
 * there are no values). */
static size_t put_scatter_block(Buf *b, int win, const ChartScatter *c,
                                size_t *best)
{
    size_t npoints = 0;
    *best = c->n;
    buf_printf(b, "$w%d_c << EOD\n", win);
    for (size_t i = 0; i < c->n; i++) {
        double x = c->x[i], y = c->y[i], v = c->c ? c->c[i] : 0;
        if (!isfinite(x) || !isfinite(y) || !isfinite(v) ||
            (c->xlog && x <= 0) || (c->ylog && y <= 0))
            continue;
        gp_num(b, x);
        buf_puts(b, " ");
        gp_num(b, y);
        buf_puts(b, " ");
        gp_num(b, v);
        buf_printf(b, " %d %d\n", c->size ? c->size[i] : 0,
                   c->label ? c->label[i] : 0);
        if (c->c && (*best == c->n || v > c->c[*best]))
            *best = i;
        npoints++;
    }
    buf_puts(b, "EOD\n");
    return npoints;
}

int chart_scatter(Gp *gp, int window, const ChartScatter *c)
{
    Buf b = BUF_INIT;
    if (!c || (c->n && (!c->x || !c->y)))
        return chart_bad_args(gp, "scatter");
    chart_put_header(&b, c->title, c->xlabel, c->ylabel);
    if (c->note) {  /* in the top margin, under the title */
        buf_puts(&b, "set label 91 ");
        gp_quote(&b, c->note);
        buf_puts(&b, " at graph 0.5, graph 1.025 center front font ',10'\n"
                     "if (!NN_DUMB) { set title offset 0,0.8 }\n");
    }
    if (c->xlog)
        chart_put_log_axis(&b, 'x');
    if (c->ylog)
        chart_put_log_axis(&b, 'y');
    buf_puts(&b, "set offsets graph 0.05, graph 0.05, graph 0.05, "
                    "graph 0.05\nunset key\n"
                    "set palette defined (0 '#440154', 0.25 '#3b528b', "
                    "0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n");
    chart_put_text_setting(&b, "cblabel", c->clabel, "");

    size_t best;
    if (put_scatter_block(&b, window, c, &best) == 0) {
        chart_put_no_data(&b);
        return chart_finish(gp, window, &b);
    }
    int ring = c->mark_best && c->c && best < c->n;
    if (ring) {
        buf_printf(&b, "$w%d_best << EOD\n", window);
        gp_num(&b, c->x[best]);
        buf_puts(&b, " ");
        gp_num(&b, c->y[best]);
        buf_puts(&b, "\nEOD\n");
    }
    buf_puts(&b, "if (NN_DUMB) {\nunset colorbox\nplot ");
    put_scatter_elements(&b, window, c->c != NULL, ring, 1,
                         c->label != NULL);
    buf_puts(&b, "\n} else {\nplot ");
    put_scatter_elements(&b, window, c->c != NULL, ring, 0,
                         c->label != NULL);
    if (ring)
        buf_printf(&b, ", $w%d_best using 1:2:(sprintf('best: %%.4g', "
                          "%.10g)) with labels left offset 2.2,-1.2 "
                          "tc rgb '#d62728' notitle", window, c->c[best]);
    buf_puts(&b, "\n}");
    buf_puts(&b, "\n");
    return chart_finish(gp, window, &b);
}
