/*
 * plot_internal.h — what the files of the plots module share: the plot
 * kinds' table (plot_kinds.c), the drawing of each kind (plot_draw.c;
 * the learning rate in plot_lr.c; data stages and augmentation in
 * plot_prep.c), and the command and live plots (plot.c).  Not for other
 * modules.
 */
#ifndef NNLAB_PLOT_INTERNAL_H
#define NNLAB_PLOT_INTERNAL_H

#include "chart.h"
#include "gp.h"
#include "session.h"

typedef enum {
    PLOT_LOSS, PLOT_ACC, PLOT_WEIGHTS, PLOT_GRADS, PLOT_UPDATES, PLOT_ACTS,
    PLOT_WHIST, PLOT_GRADCHECK, PLOT_BOUNDARY, PLOT_DATA, PLOT_AUGMENT,
    PLOT_LR, PLOT_COMPARE, PLOT_SEARCH, PLOT_EWA, PLOT_NKINDS
} PlotKind;

/* PlotKindRow.flags */
enum {
    PLOT_FOLLOWS = 1u << 0,  /* live: redrawn as training runs */
    PLOT_HISTORY = 1u << 1,  /* drawn from the trainer's history: nothing
                                to show before the first update */
};

/* What a kind needs before it can be drawn (PlotKindRow.needs). */
enum {
    PLOT_NEEDS_NET = 1u << 0,
    PLOT_NEEDS_2D = 1u << 1,        /* 2-D classification data */
    PLOT_NEEDS_FORWARD = 1u << 2,   /* a forward pass (activations) */
    PLOT_NEEDS_GRADCHECK = 1u << 3,
    PLOT_NEEDS_COMPARE = 1u << 4,   /* the results of those commands */
    PLOT_NEEDS_SEARCH = 1u << 5,
    PLOT_NEEDS_EWA = 1u << 6,
    PLOT_NEEDS_IMAGES = 1u << 7,    /* data whose examples are images */
    PLOT_NEEDS_AUGMENT = 1u << 8,   /* augmentation on */
    PLOT_NEEDS_LOSS = 1u << 9,      /* labelled data: a loss to
                                       differentiate (gradients) */
};

/* One plot kind: everything known about it, in one row. */
typedef struct PlotKindRow {
    const char *name;       /* "loss": plot loss, window and file name */
    unsigned flags;         /* PLOT_FOLLOWS, PLOT_HISTORY */
    unsigned needs;         /* PLOT_NEEDS_* */
    const char *help;       /* its lines in `help plot` (after the name) */
    /* Compose kind k as one frame of its window; 0, or -1 with a message
     * waiting in gp_take_message(). */
    int (*draw)(Session *s, Gp *gp, PlotKind k);
} PlotKindRow;

/* The table, in PlotKind order. */
extern const PlotKindRow plot_kinds[PLOT_NKINDS];

/* The kinds' names in PlotKind order, NULL-terminated (from the table). */
const char *const *plot_kind_names(void);

/* Why kind k cannot be drawn now ("no network yet; ..."), or NULL. */
const char *plot_not_ready(Session *s, PlotKind k);

/* What a student should know about kind k drawn now, though it can be
 * drawn (an empty plot that will fill as training runs), or NULL. */
const char *plot_note(Session *s, PlotKind k);

/* Scratch arrays for one draw, freed together by plot_scratch_free. */
typedef struct Scratch {
    double *buf[64];
    int n;
} Scratch;

/* n zeroed doubles kept in sc; NULL when out of memory or sc is full. */
double *plot_scratch(Scratch *sc, size_t n);
void plot_scratch_free(Scratch *sc);

/* The dev series: the trainer measures the dev split at some epochs'
 * ends only (train.h) and records NAN at the others, where the chart
 * would break the line into dots; the measured points, joined. */
ChartSeries plot_measured_only(Scratch *sc, const char *name,
                               const double *x, const double *y, size_t n);

/* The drawing of each kind (plot_draw.c unless said). */
int plot_draw_curves(Session *s, Gp *gp, PlotKind k);     /* loss, acc */
int plot_draw_per_layer(Session *s, Gp *gp, PlotKind k);  /* weights... */
int plot_draw_acts(Session *s, Gp *gp, PlotKind k);
int plot_draw_weight_hist(Session *s, Gp *gp, PlotKind k);
int plot_draw_gradcheck(Session *s, Gp *gp, PlotKind k);
int plot_draw_regions(Session *s, Gp *gp, PlotKind k);    /* boundary */
int plot_draw_data(Session *s, Gp *gp, PlotKind k);       /* plot_prep.c */
int plot_draw_augment(Session *s, Gp *gp, PlotKind k);    /* plot_prep.c */
int plot_draw_lr(Session *s, Gp *gp, PlotKind k);        /* plot_lr.c */
int plot_draw_compare(Session *s, Gp *gp, PlotKind k); /* plot_experiments.c */
int plot_draw_search(Session *s, Gp *gp, PlotKind k);  /* plot_experiments.c */
int plot_draw_ewa(Session *s, Gp *gp, PlotKind k);     /* plot_experiments.c */

#endif
