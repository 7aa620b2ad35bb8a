/*
 * plot_prep.c — pictures of what is done to the inputs: `plot data`, 2-D
 * data raw, centred, decorrelated and whitened side by side (the
 * lecture's figure), and `plot augment`, a few training images beside
 * draws of the augmentation.
 *
 * Both ask the engine for the numbers (nn_data_stage, nn_augment_sample)
 * with the statistics of the training split and the session's seed, and
 * change nothing: drawing does not advance training or refit anything.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "model.h"
#include "plot_internal.h"

/* ------------------------------------------------------------------ */
/* plot data: the stages of whitening                                   */
/* ------------------------------------------------------------------ */

#define NSTAGES 4

typedef struct StagePoints {
    double *X, *x, *y;
    int *cls;
} StagePoints;

static void stage_points_free(StagePoints *p)
{
    free(p->X);
    free(p->x);
    free(p->y);
    free(p->cls);
}

/* Split sp at `stage` into *pt (arrays in *p, freed by the caller);
 * 0, or -1 with the reason in gp's message. */
static int stage_points(Session *s, Gp *gp, nn_split sp, nn_stage stage,
                        double eps, StagePoints *p, ChartPoints *pt)
{
    int n = nn_data_count(s->data, sp);
    size_t m = (size_t)(n ? n : 1);
    nn_err err;
    p->X = malloc(2 * m * sizeof *p->X);
    p->x = malloc(m * sizeof *p->x);
    p->y = malloc(m * sizeof *p->y);
    p->cls = malloc(m * sizeof *p->cls);
    if (!p->X || !p->x || !p->y || !p->cls)
        return gp_fail(gp, "plot: out of memory");
    if (n && nn_data_stage(s->data, sp, stage, eps, p->X, &err)) {
        char msg[sizeof err.msg + 32];
        snprintf(msg, sizeof msg, "plot: data: %s", err.msg);
        return gp_fail(gp, msg);
    }
    for (int i = 0; i < n; i++) {
        p->x[i] = p->X[2 * i];
        p->y[i] = p->X[2 * i + 1];
        p->cls[i] = nn_data_label(s->data, sp, i) < 0
                        ? 0 : nn_data_label(s->data, sp, i);
    }
    *pt = (ChartPoints){ sp == NN_TRAIN ? "train" : sp == NN_DEV ? "dev"
                                                                 : "test",
                         (size_t)n, p->x, p->y, p->cls,
                         sp == NN_TRAIN ? 0 : sp == NN_DEV ? 2 : 1 };
    return 0;
}

int plot_draw_data(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    static const nn_stage stages[NSTAGES] = {
        NN_STAGE_RAW, NN_STAGE_CENTERED, NN_STAGE_DECORRELATED,
        NN_STAGE_WHITENED };
    static const char *const titles[NSTAGES] = {
        "raw: x", "centred: x - mu", "decorrelated: V (x - mu)",
        "whitened: V(x-mu)/sqrt(lambda+eps)" };
    static const char *const labels[NSTAGES][2] = {
        { "x1", "x2" }, { "x1 - mu1", "x2 - mu2" },
        { "component 1", "component 2" }, { "component 1", "component 2" } };
    /* train filled, dev open triangles, test open circles */
    static const nn_split splits[3] = { NN_TRAIN, NN_DEV, NN_TEST };
    const char *names[100];
    int C = nn_data_classes(s->data), rc = -1;
    for (int c = 0; c < C && c < 100; c++)
        names[c] = nn_data_class_name(s->data, c);
    nn_prep prep; /* whitening's eps: the one in use, else the default */
    nn_data_get_prep(s->data, &prep);
    StagePoints p[NSTAGES][3];
    ChartPoints pts[NSTAGES][3];
    ChartRegions panels[NSTAGES];
    memset(p, 0, sizeof p);
    for (int k = 0; k < NSTAGES; k++) {
        for (int j = 0; j < 3; j++)
            if (stage_points(s, gp, splits[j], stages[k], prep.eps,
                             &p[k][j], &pts[k][j]))
                goto out;
        panels[k] = (ChartRegions){ titles[k], labels[k][0], labels[k][1],
                                    0, 0, 0, 0, 0, 0, NULL, 0, C ? C : 1,
                                    C ? names : NULL, pts[k], 3 };
    }
    char title[160];
    snprintf(title, sizeof title, "Data whitened step by step (mu, V, "
             "lambda from the %d training points)",
             nn_data_count(s->data, NN_TRAIN));
    ChartPanels c = { title, panels, NSTAGES, 1 };
    rc = chart_point_panels(gp, PLOT_DATA, &c);
out:
    for (int k = 0; k < NSTAGES; k++)
        for (int j = 0; j < 3; j++)
            stage_points_free(&p[k][j]);
    return rc;
}

/* ------------------------------------------------------------------ */
/* plot augment                                                         */
/* ------------------------------------------------------------------ */

#define IMAGES 6   /* rows of the grid: training images */
#define DRAWS 4    /* augmented versions of each, beside it */

/* Up to IMAGES training rows, of as many different classes as there are
 * among the first; their count. */
static int pick_images(const nn_data *d, int *rows)
{
    int n = nn_data_count(d, NN_TRAIN), got = 0;
    for (int i = 0; i < n && got < IMAGES; i++) {
        int c = nn_data_label(d, NN_TRAIN, i), seen = 0;
        for (int j = 0; j < got && c >= 0; j++)
            seen |= nn_data_label(d, NN_TRAIN, rows[j]) == c;
        if (!seen)
            rows[got++] = i;
    }
    for (int i = 0; i < n && got < IMAGES && got < n; i++) {
        int seen = 0;   /* fewer classes than images: any others */
        for (int j = 0; j < got; j++)
            seen |= rows[j] == i;
        if (!seen)
            rows[got++] = i;
    }
    return got;
}

/* The grid: row i holds image i, then its DRAWS augmented versions. */
static void fill_grid(const double *orig, const double *out, int nimg,
                      size_t F, double *grid, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < nimg; i++) {
        const double *src = orig + (size_t)i * DRAWS * F;
        memcpy(grid + (size_t)i * (DRAWS + 1) * F, src, F * sizeof *grid);
        for (size_t j = 0; j < F; j++) {
            *lo = fmin(*lo, src[j]);
            *hi = fmax(*hi, src[j]);
        }
        for (int k = 0; k < DRAWS; k++)
            memcpy(grid + ((size_t)i * (DRAWS + 1) + 1 + k) * F,
                   out + ((size_t)i * DRAWS + k) * F, F * sizeof *grid);
    }
    *lo = fmin(*lo, 0); /* a blank pixel is white */
}

int plot_draw_augment(Session *s, Gp *gp, PlotKind kind)
{
    (void)kind;
    int w, h, pick[IMAGES], rows[IMAGES * DRAWS], rc = -1;
    nn_err err;
    nn_data_image_size(s->data, &w, &h);
    int nimg = pick_images(s->data, pick);
    size_t F = (size_t)w * h, count = (size_t)nimg * DRAWS;
    for (int i = 0; i < nimg * DRAWS; i++)
        rows[i] = pick[i / DRAWS];
    double *orig = malloc((count ? count : 1) * F * sizeof *orig);
    double *out = malloc((count ? count : 1) * F * sizeof *out);
    double *grid = malloc((size_t)(nimg ? nimg : 1) * (DRAWS + 1) * F *
                          sizeof *grid);
    const nn_augment *a = &s->model->tr.aug;
    if (!orig || !out || !grid) {
        rc = gp_fail(gp, "plot: out of memory");
    } else if (nn_augment_sample(a, s->data, rows, (int)count,
                                 model_seed(s), orig, out, &err)) {
        char msg[sizeof err.msg + 32];
        snprintf(msg, sizeof msg, "plot: augment: %s", err.msg);
        rc = gp_fail(gp, msg);
    } else {
        double lo, hi;
        char text[128], title[200];
        fill_grid(orig, out, nimg, F, grid, &lo, &hi);
        model_augment_text(a, text, sizeof text);
        snprintf(title, sizeof title, "augment %s: training images, each "
                 "beside %d draws", text, DRAWS);
        static const char *const cols[DRAWS + 1] = {
            "original", "draw 1", "draw 2", "draw 3", "draw 4" };
        ChartImages c = { title, (size_t)nimg, DRAWS + 1, w, h, grid, lo,
                          hi, cols };
        rc = chart_images(gp, PLOT_AUGMENT, &c);
    }
    free(orig);
    free(out);
    free(grid);
    return rc;
}
