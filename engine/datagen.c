/*
 * datagen.c — the generated data sets: circles, moons, spiral, xor, blobs,
 * linear (2-D classification problems small enough to plot and to learn in
 * seconds) and gauss (unlabeled standard-normal inputs for watching
 * activation statistics through a deep net).
 *
 * Each set is a pure function of its options and seed: a lesson that says
 * "data spiral seed=1" shows every student the same points.  Classes are
 * balanced to within one example, and the points are stored class by class
 * (the stratified split shuffles them).  They are drawn from the data
 * stream of nn_rng (NN_STREAM_DATA), so making data never moves the
 * network's initialization, shuffling or dropout streams.
 *
 * The shapes follow the usual sources, so that figures from courses look
 * the same here: circles and moons as scikit-learn's make_circles and
 * make_moons, spiral as CS231n's (K arms, radius linear in 0..1, angle
 * 4 radians per arm plus Gaussian noise).
 */
#include "data_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* ------------------------------------------------------------------------
 * The generators
 * ------------------------------------------------------------------------ */

typedef struct gen_params {
    int n, classes, dim;
    double noise, factor;
} gen_params;

/* Examples in class c when n are shared as evenly as possible. */
static int class_size(const gen_params *p, int c)
{
    return p->n / p->classes + (c < p->n % p->classes);
}

/* Store point i (x, y) of class c with Gaussian noise on both axes. */
static void put_point(nn_data *d, nn_rng *r, double noise, int i,
                      double x, double y, int c)
{
    d->xf[2 * i] = (float)(x + noise * nn_rng_normal(r));
    d->xf[2 * i + 1] = (float)(y + noise * nn_rng_normal(r));
    d->label[i] = c;
}

/* Evenly spaced position k of m in [0, 1] (linspace, both ends in). */
static double linspace01(int k, int m)
{
    return m > 1 ? (double)k / (m - 1) : 0.0;
}

/* Two concentric rings: outer radius 1 is class 0, inner radius `factor`
 * is class 1, angles evenly spaced as in make_circles. */
static void gen_circles(nn_data *d, const gen_params *p, nn_rng *r)
{
    int i = 0;
    for (int c = 0; c < 2; c++) {
        int m = class_size(p, c);
        double radius = c == 0 ? 1.0 : p->factor;
        for (int k = 0; k < m; k++, i++) {
            double t = 2.0 * PI * k / m;
            put_point(d, r, p->noise, i, radius * cos(t), radius * sin(t), c);
        }
    }
}

/* Two interleaving half circles, as in make_moons. */
static void gen_moons(nn_data *d, const gen_params *p, nn_rng *r)
{
    int i = 0;
    for (int c = 0; c < 2; c++) {
        int m = class_size(p, c);
        for (int k = 0; k < m; k++, i++) {
            double t = PI * linspace01(k, m);
            if (c == 0)
                put_point(d, r, p->noise, i, cos(t), sin(t), c);
            else
                put_point(d, r, p->noise, i, 1.0 - cos(t), 0.5 - sin(t), c);
        }
    }
}

/* CS231n's spiral: arm j has radius 0..1 and angle 4j..4(j+1) radians; the
 * noise goes on the angle, so points stay on their arm's radius. */
static void gen_spiral(nn_data *d, const gen_params *p, nn_rng *r)
{
    int i = 0;
    for (int c = 0; c < p->classes; c++) {
        int m = class_size(p, c);
        for (int k = 0; k < m; k++, i++) {
            double rad = linspace01(k, m);
            double t = 4.0 * (c + linspace01(k, m)) +
                       p->noise * nn_rng_normal(r);
            put_point(d, r, 0.0, i, rad * sin(t), rad * cos(t), c);
        }
    }
}

/* XOR: class 0 in the quadrants (+,+) and (-,-), class 1 in the other two,
 * uniform in each quadrant but kept `pad` away from the axes so that the
 * noise, not the sampling, decides how much the classes touch. */
static void gen_xor(nn_data *d, const gen_params *p, nn_rng *r)
{
    const double pad = 0.1;
    int i = 0;
    for (int c = 0; c < 2; c++) {
        int m = class_size(p, c);
        for (int k = 0; k < m; k++, i++) {
            double sx = k % 2 == 0 ? 1.0 : -1.0, sy = c == 0 ? sx : -sx;
            double x = pad + (1.0 - pad) * nn_rng_uniform(r);
            double y = pad + (1.0 - pad) * nn_rng_uniform(r);
            put_point(d, r, p->noise, i, sx * x, sy * y, c);
        }
    }
}

/* K Gaussian clusters with standard deviation `noise`, centred evenly on
 * the unit circle so that every K gives a picture that makes sense. */
static void gen_blobs(nn_data *d, const gen_params *p, nn_rng *r)
{
    int i = 0;
    for (int c = 0; c < p->classes; c++) {
        int m = class_size(p, c);
        double a = PI / 2 + 2.0 * PI * c / p->classes;
        for (int k = 0; k < m; k++, i++)
            put_point(d, r, p->noise, i, cos(a), sin(a), c);
    }
}

/* Linearly separable: points uniform in [-1,1]^2 on either side of a line
 * through the origin in a random direction, none within `margin` of it (a
 * band of width 2*margin is empty) before the noise is added. */
static void gen_linear(nn_data *d, const gen_params *p, nn_rng *r)
{
    const double margin = 0.1;
    double a = 2.0 * PI * nn_rng_uniform(r);
    double wx = cos(a), wy = sin(a);
    int i = 0;
    for (int c = 0; c < 2; c++) {
        int m = class_size(p, c);
        double side = c == 0 ? -1.0 : 1.0;
        while (m > 0) {
            double x = 2.0 * nn_rng_uniform(r) - 1.0;
            double y = 2.0 * nn_rng_uniform(r) - 1.0;
            if (side * (wx * x + wy * y) < margin)
                continue;
            put_point(d, r, p->noise, i++, x, y, c);
            m--;
        }
    }
}

static void gen_gauss(nn_data *d, const gen_params *p, nn_rng *r)
{
    size_t total = (size_t)p->n * (size_t)p->dim;
    for (size_t k = 0; k < total; k++)
        d->xf[k] = (float)nn_rng_normal(r);
}

/* ------------------------------------------------------------------------
 * The table and option checking
 * ------------------------------------------------------------------------ */

typedef struct gen_kind {
    const char *name;
    void (*fn)(nn_data *d, const gen_params *p, nn_rng *r);
    double noise;    /* default noise */
    int classes;     /* fixed count, or 0 when classes= is taken */
} gen_kind;

static const gen_kind kinds[] = {
    {"circles", gen_circles, 0.08, 2},
    {"moons", gen_moons, 0.2, 2},
    {"spiral", gen_spiral, 0.2, 0},
    {"xor", gen_xor, 0.1, 2},
    {"blobs", gen_blobs, 0.25, 0},
    {"linear", gen_linear, 0.0, 2},
    {"gauss", gen_gauss, 0.0, 0},
};

const char *const nn_gen_names[] = {"circles", "moons", "spiral", "xor",
                                    "blobs", "linear", "gauss", NULL};

#define DEFAULT_CLASSES 3
#define MAX_CLASSES 100
#define MAX_2D 10000000
#define MAX_GAUSS_VALUES 100000000.0

static const gen_kind *find_kind(const char *name)
{
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return &kinds[k];
    return NULL;
}

static int check_gauss(const nn_gen_opts *o, gen_params *p, nn_err *err)
{
    p->n = o->n ? o->n : 1000;
    p->dim = o->dim ? o->dim : 500;
    if (o->classes || o->factor != 0.0 || o->noise >= 0)
        return nn_fail(err, "gauss takes only n= and dim= (its inputs are "
                       "standard normal and unlabeled)");
    if (p->n < 1 || p->dim < 1 ||
        (double)p->n * p->dim > MAX_GAUSS_VALUES)
        return nn_fail(err, "gauss: n=%d dim=%d: expected n >= 1, dim >= 1 "
                       "and n*dim <= %.0f", p->n, p->dim, MAX_GAUSS_VALUES);
    return 0;
}

static int check_2d(const gen_kind *k, const nn_gen_opts *o, gen_params *p,
                    nn_err *err)
{
    p->n = o->n ? o->n : 300;
    p->dim = 2;
    p->noise = o->noise < 0 ? k->noise : o->noise;
    p->classes = k->classes ? k->classes
                 : o->classes ? o->classes : DEFAULT_CLASSES;
    p->factor = o->factor != 0.0 ? o->factor : 0.5;
    if (o->dim)
        return nn_fail(err, "%s: dim= is only for gauss (this set is 2-D)",
                       k->name);
    if (k->classes && o->classes && o->classes != k->classes)
        return nn_fail(err, "%s has %d classes; classes= is for spiral and "
                       "blobs", k->name, k->classes);
    if (o->factor != 0.0 && strcmp(k->name, "circles") != 0)
        return nn_fail(err, "%s: factor= is only for circles", k->name);
    if (p->classes < 2 || p->classes > MAX_CLASSES)
        return nn_fail(err, "%s: classes=%d: expected 2..%d", k->name,
                       p->classes, MAX_CLASSES);
    if (p->n < p->classes || p->n > MAX_2D)
        return nn_fail(err, "%s: n=%d: expected %d..%d", k->name, p->n,
                       p->classes, MAX_2D);
    if (!isfinite(p->noise))
        return nn_fail(err, "%s: noise must be a finite number", k->name);
    if (!(p->factor > 0.0 && p->factor < 1.0))
        return nn_fail(err, "%s: factor=%g: expected a number between 0 and "
                       "1 (inner radius / outer)", k->name, p->factor);
    return 0;
}

nn_data *nn_data_generate(const char *kind, const nn_gen_opts *opts,
                          nn_err *err)
{
    static const nn_gen_opts defaults = {.noise = -1.0};
    const gen_kind *k = find_kind(kind ? kind : "");
    gen_params p = {0};
    nn_rng rng;
    nn_data *d;
    int gauss;

    if (!opts)
        opts = &defaults;
    if (!k) {
        nn_fail(err, "unknown data set '%s': expected circles, moons, "
                "spiral, xor, blobs, linear or gauss", kind ? kind : "");
        return NULL;
    }
    gauss = k->fn == gen_gauss;
    if (gauss ? check_gauss(opts, &p, err) : check_2d(k, opts, &p, err))
        return NULL;
    d = nn_data_alloc(k->name, gauss ? NN_TASK_NONE : NN_TASK_CLASSIFY, p.n,
                      p.dim, gauss ? 0 : p.classes, 0, err);
    if (!d)
        return NULL;
    nn_rng_seed(&rng, opts->seed, NN_STREAM_DATA, 0);
    k->fn(d, &p, &rng);
    if (nn_data_finish(d, err))
        goto err;
    /* A different stream for the split, so that which points land in
     * which split is not tied to the noise they were drawn with. */
    if (!gauss && nn_data_split(d, 70, 15, 15, 1,
                                opts->seed ^ 0x5DEECE66Dull, err))
        goto err;
    return d;
err:
    nn_data_free(d);
    return NULL;
}
