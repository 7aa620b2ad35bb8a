/*
 * chart_images.c — a grid of grey images, one frame: a few training
 * images beside augmented versions of them.
 *
 * The grid is sent as one matrix (a data block of rows of numbers) with
 * white margins between the images, and drawn `with image` on a white to
 * black palette; on the dumb terminal, where there are no images, the
 * darker half of the pixels become '#'.  Every value sent is finite: the
 * margins and any pixel that is not a number are drawn white.  Shared
 * styling is in chart.c.
 */
#include "chart_internal.h"

#include <math.h>
#include <stdio.h>

/* Pixels a grid may hold: 100 Fashion-MNIST images are 78400. */
#define MAX_GRID_PIXELS (4u << 20)

typedef struct Grid {
    size_t gap;       /* white pixels between two images */
    size_t W, H;      /* the whole grid's width and height */
} Grid;

static int grid_size(const ChartImages *c, Grid *g)
{
    if (!c || !c->pixels || c->rows < 1 || c->cols < 1 || c->width < 1 ||
        c->height < 1 || c->rows > 1000 || c->cols > 1000 ||
        c->width > 10000 || c->height > 10000)
        return -1;
    g->gap = c->width >= 8 ? (size_t)c->width / 4 : 1;
    g->W = c->cols * (size_t)c->width + (c->cols - 1) * g->gap;
    g->H = c->rows * (size_t)c->height + (c->rows - 1) * g->gap;
    return g->W * g->H > MAX_GRID_PIXELS ? -1 : 0;
}

/* The value at grid pixel (x, y): an image's pixel, or lo in a margin. */
static double grid_value(const ChartImages *c, const Grid *g, size_t x,
                         size_t y)
{
    size_t w = (size_t)c->width, h = (size_t)c->height;
    size_t col = x / (w + g->gap), row = y / (h + g->gap);
    size_t px = x % (w + g->gap), py = y % (h + g->gap);
    if (px >= w || py >= h)
        return c->lo;
    double v = c->pixels[((row * c->cols + col) * h + py) * w + px];
    return isfinite(v) ? v : c->lo;
}

static void put_grid_block(Buf *b, int win, const ChartImages *c,
                           const Grid *g)
{
    buf_printf(b, "$w%d_img << EOD\n", win);
    for (size_t y = 0; y < g->H; y++) {
        for (size_t x = 0; x < g->W; x++) {
            buf_puts(b, x ? " " : "");
            gp_num(b, grid_value(c, g, x, y));
        }
        buf_puts(b, "\n");
    }
    buf_puts(b, "EOD\n");
}

/* The column titles, centred over the columns, above the top row. */
static void put_col_titles(Buf *b, const ChartImages *c, const Grid *g)
{
    for (size_t k = 0; c->col_titles && k < c->cols; k++) {
        if (!c->col_titles[k])
            continue;
        double x = (double)k * (double)(c->width + g->gap) +
                   (c->width - 1) / 2.0;
        buf_printf(b, "set label %zu ", k + 1);
        gp_quote(b, c->col_titles[k]);
        buf_printf(b, " at %.10g,%.10g center noenhanced\n", x,
                      -0.5 - c->height / 4.0);
    }
}

int chart_images(Gp *gp, int window, const ChartImages *c)
{
    Buf b = BUF_INIT;
    Grid g;
    if (grid_size(c, &g))
        return chart_bad_args(gp, "images");
    double lo = c->lo, hi = c->hi > c->lo ? c->hi : c->lo + 1;
    chart_put_header(&b, c->title, NULL, NULL);
    buf_puts(&b, "unset border\nunset tics\nunset key\nunset grid\n"
                    "unset colorbox\nset size ratio -1\n"
                    "set palette defined (0 '#ffffff', 1 '#000000')\n");
    buf_printf(&b, "set cbrange [%.10g:%.10g]\n", lo, hi);
    /* the top row first: y grows downwards, with room for the titles */
    buf_printf(&b, "set xrange [-0.5:%.10g]\nset yrange [%.10g:%.10g]\n",
                  (double)g.W - 0.5, (double)g.H - 0.5,
                  -0.5 - c->height / 2.0);
    put_col_titles(&b, c, &g);
    put_grid_block(&b, window, c, &g);
    buf_printf(&b, "if (NN_DUMB) {\nplot $w%d_img matrix using 1:($3 > "
                      "%.10g ? $2 : NaN) with points pt '#' notitle\n"
                      "} else {\nplot $w%d_img matrix with image "
                      "notitle\n}\n",
                  window, (lo + hi) / 2, window);
    return chart_finish(gp, window, &b);
}
