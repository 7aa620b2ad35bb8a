/*
 * plot_internal.h — what plot.c (the command and live plots) and
 * plot_draw.c (the drawing of each kind) share.  Not for other modules.
 */
#ifndef NNLAB_PLOT_INTERNAL_H
#define NNLAB_PLOT_INTERNAL_H

#include "gp.h"
#include "session.h"

typedef enum {
    PLOT_LOSS, PLOT_ACC, PLOT_WEIGHTS, PLOT_GRADS, PLOT_UPDATES, PLOT_ACTS,
    PLOT_GRADCHECK, PLOT_BOUNDARY, PLOT_DATA, PLOT_LR, PLOT_COMPARE,
    PLOT_SEARCH, PLOT_EWA, PLOT_NKINDS
} PlotKind;

/* "loss", "acc", ... in PlotKind order, NULL-terminated. */
extern const char *const plot_kind_names[];

/* Why kind k cannot be drawn now ("no network yet; ..."), or NULL. */
const char *plot_not_ready(Session *s, PlotKind k);

/* Compose kind k as one frame of its window; 0, or -1 with a message
 * waiting in gp_take_message(). */
int plot_draw_kind(Session *s, Gp *gp, PlotKind k);

#endif
