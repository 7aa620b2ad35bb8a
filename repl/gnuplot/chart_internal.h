/*
 * chart_internal.h — the styling the chart*.c files share; not for others.
 *
 * The chart module (prefix chart_, public contract chart.h) is one file
 * per family of pictures: chart.c (these shared pieces, and lines),
 * chart_bars.c (histograms, bars on a log axis), chart_regions.c (decision
 * regions, panels of points, scatter), chart_images.c (grids of images).  Sharing the header, the colours and the end of a
 * frame keeps every picture in one style.
 */
#ifndef NNLAB_CHART_INTERNAL_H
#define NNLAB_CHART_INTERNAL_H

#include <stddef.h>

#include "chart.h"

/* Series colours (CHART_NCOLORS of them); style line i+1 is colour i. */
#define CHART_NCOLORS 10
extern const char *const chart_line_colors[CHART_NCOLORS];

/* `reset`, the common style, and title and axis labels (each left out
 * when NULL or empty). */
void chart_put_header(Buf *b, const char *title, const char *xlabel,
                      const char *ylabel);

/* "set WHAT 'text' noenhanced EXTRA"; nothing when text is NULL or "". */
void chart_put_text_setting(Buf *b, const char *what, const char *text,
                            const char *extra);

/* " title 'text'" or " notitle", for a plot element. */
void chart_put_plot_title(Buf *b, const char *text);

/* A number for a label: 1e-7 rather than 1e-07, 0.5 rather than 5e-01. */
void chart_short_num(char *buf, size_t n, double v);

/* A reference line as a plot element, named "label (value)". */
void chart_put_ref(Buf *b, const ChartRef *r, const char *color);

/* A whole plot saying "no data yet", after the header. */
void chart_put_no_data(Buf *b);

/* Log scale on axis 'x' or 'y', tics in NN_LOGFMT. */
void chart_put_log_axis(Buf *b, char axis);

/* Report missing arrays (a bug in the caller); returns -1. */
int chart_bad_args(Gp *gp, const char *chart);

/* Hand the frame to gp and free it; returns as gp_draw. */
int chart_finish(Gp *gp, int window, Buf *b);

#endif
