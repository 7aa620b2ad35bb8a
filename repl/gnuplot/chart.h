/*
 * chart.h — the pictures nnlab draws, each composed as one gnuplot frame.
 *
 * Every chart function takes plain arrays (no engine types), writes them
 * inline as gnuplot data blocks and hands the frame to gp_draw() for the
 * given window.  Styles are for a projector: titles, axis labels, a legend
 * naming every series, grid lines, lines 2 wide, fonts sans 12.
 *
 * Ownership: the caller keeps all arrays and strings; the functions copy
 * what they need before returning.  Any pointer may be NULL where a count
 * is 0; titles and labels may be NULL (left out).  User text is quoted for
 * gnuplot and shown as is (no enhanced-text markup).  NaN and Inf values
 * are never sent: a line breaks at them (at non-positive values too, on a
 * log axis).
 *
 * Each function returns 0 (drawn, or queued to be drawn) or -1 (plotting is
 * off or bad arguments; a message waits in gp_take_message()).
 */
#ifndef NNLAB_CHART_H
#define NNLAB_CHART_H

#include <stddef.h>

#include "gp.h"

typedef enum {
    CHART_SCALE_LINEAR,
    CHART_SCALE_LOG,
    CHART_SCALE_AUTO   /* log when all values are positive and span > 2
                          decades */
} ChartScale;

typedef enum {
    CHART_LINE,        /* lines (with points while there are few) */
    CHART_DASHED,
    CHART_POINTS,
    CHART_LINEPOINTS,
    CHART_STEPS        /* y[i] holds from x[i] to x[i+1]: per-epoch values */
} ChartStyle;

/* A horizontal reference line, named in the legend ("healthy (0.001)"). */
typedef struct ChartRef {
    double y;
    const char *label;
} ChartRef;

/* --- lines: loss, acc, weights, grads, updates, lr, ewa, compare ------- */

typedef struct ChartSeries {
    const char *name;     /* legend entry */
    size_t n;
    const double *x;      /* NULL: 1, 2, ..., n */
    const double *y;
    ChartStyle style;
    int color;            /* 1 + palette index; 0: by the series' place */
} ChartSeries;

typedef struct ChartLines {
    const char *title, *xlabel, *ylabel;
    const ChartSeries *series;
    size_t nseries;
    const ChartRef *refs;
    size_t nrefs;
    ChartScale yscale;
    double ymin, ymax;    /* a fixed y range if ymin < ymax, else auto */
    size_t max_points;    /* per series; 0: 2000.  Longer series keep the
                             min and max of each stretch, so spikes show */
    int marks;            /* 1: a point type of its own on each series,
                             a few marks along its line, and dash types
                             past the palette: lines told apart where
                             colours are alike (many layers) */
    int xint;             /* 1: x counts (epochs, iterations): whole-number
                             tics only */
    int xlog;             /* 1: log x axis (the first days of a long
                             series spread out) */
    const char *note;     /* a line under the title; NULL: none */
} ChartLines;

int chart_lines(Gp *gp, int window, const ChartLines *c);

/* --- histograms: one panel per layer (activations) --------------------- */

typedef struct ChartHistPanel {
    const char *title;    /* "layer 3 (tanh): mean 0.00 std 0.21" */
    size_t nbins;
    const double *edges;  /* nbins + 1 increasing bin edges */
    const double *counts; /* nbins */
} ChartHistPanel;

typedef struct ChartHist {
    const char *title, *xlabel;
    const ChartHistPanel *panels;
    size_t npanels;       /* laid out in a grid, up to 4 columns */
    int same_x;           /* 1: one x range for all panels, to compare */
    const char *ylabel;   /* what is counted, beside the first column */
} ChartHist;

int chart_histograms(Gp *gp, int window, const ChartHist *c);

/* --- bars on a log axis: the gradient check ----------------------------- */

typedef struct ChartBars {
    const char *title, *ylabel;
    size_t n;
    const char *const *labels;   /* under each bar: "W1", "b1", ... */
    const double *values;        /* > 0 on the log axis; 0 and NaN are
                                    marked at the bottom */
    const ChartRef *refs;        /* NULL: 1e-7 excellent, 1e-5 ok,
                                    1e-3 wrong? */
    size_t nrefs;
} ChartBars;

int chart_bars_log(Gp *gp, int window, const ChartBars *c);

/* --- decision regions and 2-D data -------------------------------------- */

typedef struct ChartPoints {
    const char *name;     /* "train", "test" */
    size_t n;
    const double *x, *y;
    const int *cls;       /* class of each point; NULL: all class 0 */
    int open;             /* 0: filled circles (train), 1: open circles
                             (test), 2: open triangles (dev) */
} ChartPoints;

typedef struct ChartRegions {
    const char *title, *xlabel, *ylabel;
    /* Optional grid of predictions (nx, ny >= 2; 0: data only).  Row j,
     * column i is grid[j * nx + i], at x0 + i (x1-x0)/(nx-1),
     * y0 + j (y1-y0)/(ny-1). */
    size_t nx, ny;
    double x0, x1, y0, y1;
    const double *grid;
    int grid_prob;        /* grid holds P(class 1) in [0,1], else a class */
    int nclasses;         /* >= 1; colours cycle after 10 */
    const char *const *class_names;   /* NULL: "class 0", "class 1", ... */
    const ChartPoints *sets;
    size_t nsets;
} ChartRegions;

int chart_regions(Gp *gp, int window, const ChartRegions *c);

/* --- panels of 2-D points side by side: the stages of whitening --------- */

typedef struct ChartPanels {
    const char *title;
    const ChartRegions *panels; /* points only (no grid), at most 16 sets
                                   each; a panel's title names it */
    size_t npanels;             /* 1..16: in a row up to 2, 2 x 2 for 4,
                                   else rows of 3 or 4 */
    int same_scale;             /* every panel a square of the same size
                                   in the points' units (around its own
                                   points): a rotation, a stretch or a
                                   round cloud shows as one */
} ChartPanels;

int chart_point_panels(Gp *gp, int window, const ChartPanels *c);

/* --- a grid of grey images: augmentation --------------------------------- */

typedef struct ChartImages {
    const char *title;
    size_t rows, cols;          /* images in the grid */
    int width, height;          /* pixels of each image */
    const double *pixels;       /* rows*cols images, image (r, c) starting
                                   at (r*cols + c)*width*height, each row
                                   by row from the top */
    double lo, hi;              /* the values drawn white and black */
    const char *const *col_titles;  /* over each column, or NULL */
} ChartImages;

int chart_images(Gp *gp, int window, const ChartImages *c);

/* --- scatter: hyperparameter search ------------------------------------- */

typedef struct ChartScatter {
    const char *title, *xlabel, *ylabel;
    const char *clabel;   /* what the colour means: "dev accuracy" */
    size_t n;
    const double *x, *y;
    const double *c;      /* colour value per point; NULL: one colour */
    int xlog, ylog;
    int mark_best;        /* ring the point with the highest c */
    const int *label;     /* a number beside each point (the order the
                             trials were chosen in); NULL: none */
    const int *size;      /* 0, 1, 2...: larger points (halving's rungs);
                             NULL: all alike */
    const char *note;     /* a line under the title; NULL: none */
} ChartScatter;

int chart_scatter(Gp *gp, int window, const ChartScatter *c);

#endif
