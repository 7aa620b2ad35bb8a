/*
 * test_data.c — the generated sets (engine/datagen.c) and what every data
 * set does (engine/data.c): splits, subsets, normalization, mini-batch
 * filling (normalized in one pass, as two passes would), image shapes.
 * Fixed seeds and explicit tolerances throughout; the normalization tests
 * reach into data_internal.h to change a dev value and show that the
 * statistics never see it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "data_internal.h"
#include "tmpdir.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static nn_gen_opts opts(int n, double noise, int classes, uint64_t seed)
{
    nn_gen_opts o = {.n = n, .noise = noise, .classes = classes,
                     .seed = seed};
    return o;
}

static nn_data *gen(const char *kind, nn_gen_opts o)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_generate(kind, &o, &err);
    if (!d)
        fail_msg("%s: unexpected error: %s", kind, err.msg);
    return d;
}

static void expect_gen_error(const char *kind, nn_gen_opts o,
                             const char *part)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_generate(kind, &o, &err);
    if (d) {
        nn_data_free(d);
        fail_msg("%s: generated, expected an error with '%s'", kind, part);
    }
    if (!strstr(err.msg, part))
        fail_msg("%s: message '%s' lacks '%s'", kind, err.msg, part);
}

static int total(const nn_data *d)
{
    return nn_data_count(d, NN_TRAIN) + nn_data_count(d, NN_DEV) +
           nn_data_count(d, NN_TEST);
}

static int class_total(const nn_data *d, int c)
{
    int n = 0;
    for (int s = 0; s < NN_NSPLITS; s++)
        n += nn_data_class_count(d, (nn_split)s, c);
    return n;
}

/* All points of a split, raw, in a new array; labels in *labels. */
static double *points(const nn_data *d, nn_split s, int **labels)
{
    int n = nn_data_count(d, s), f = nn_data_features(d);
    double *X = malloc((size_t)(n ? n : 1) * (size_t)f * sizeof *X);
    assert_non_null(X);
    nn_data_fill_raw(d, s, NULL, n, X);
    if (labels) {
        *labels = malloc((size_t)(n ? n : 1) * sizeof **labels);
        assert_non_null(*labels);
        for (int i = 0; i < n; i++)
            (*labels)[i] = nn_data_label(d, s, i);
    }
    return X;
}

/* 1 when two data sets hold the same points in the same splits. */
static int same_data(const nn_data *a, const nn_data *b)
{
    int same = 1;
    for (int s = 0; s < NN_NSPLITS && same; s++) {
        int n = nn_data_count(a, (nn_split)s);
        double *xa, *xb;
        if (n != nn_data_count(b, (nn_split)s))
            return 0;
        xa = points(a, (nn_split)s, NULL);
        xb = points(b, (nn_split)s, NULL);
        same = memcmp(xa, xb, (size_t)n * (size_t)nn_data_features(a) *
                                  sizeof *xa) == 0;
        free(xa);
        free(xb);
    }
    return same;
}

/* Mean and std of feature j over a filled batch. */
static void column_stats(const double *X, int n, int f, int j, double *mean,
                         double *sd)
{
    double m = 0, v = 0;
    for (int i = 0; i < n; i++)
        m += X[(size_t)i * f + j];
    m /= n;
    for (int i = 0; i < n; i++)
        v += (X[(size_t)i * f + j] - m) * (X[(size_t)i * f + j] - m);
    *mean = m;
    *sd = sqrt(v / n);
}

/* ------------------------------------------------------------------------
 * Generators
 * ------------------------------------------------------------------------ */

/* Shape, default size and split, balance, determinism for every 2-D set. */
static void test_every_generator(void **state)
{
    (void)state;
    for (int k = 0; nn_gen_names[k]; k++) {
        const char *kind = nn_gen_names[k];
        nn_data *a, *b, *c;
        int classes;
        if (strcmp(kind, "gauss") == 0)
            continue;
        a = gen(kind, opts(0, -1, 0, 7));
        b = gen(kind, opts(0, -1, 0, 7));
        c = gen(kind, opts(0, -1, 0, 8));
        classes = nn_data_classes(a);
        assert_string_equal(nn_data_name(a), kind);
        assert_int_equal(nn_data_task(a), NN_TASK_CLASSIFY);
        assert_int_equal(nn_data_features(a), 2);
        assert_int_equal(total(a), 300);
        assert_int_equal(nn_data_count(a, NN_TRAIN), 210);
        assert_int_equal(nn_data_count(a, NN_DEV), 45);
        assert_int_equal(nn_data_count(a, NN_TEST), 45);
        assert_int_equal(classes, strcmp(kind, "spiral") == 0 ||
                                  strcmp(kind, "blobs") == 0 ? 3 : 2);
        for (int cl = 0; cl < classes; cl++)
            assert_int_equal(class_total(a, cl), 300 / classes);
        if (!same_data(a, b))
            fail_msg("%s: seed 7 twice gave different data", kind);
        if (same_data(a, c))
            fail_msg("%s: seeds 7 and 8 gave the same data", kind);
        nn_data_free(a);
        nn_data_free(b);
        nn_data_free(c);
    }
}

static void test_classes_and_odd_sizes(void **state)
{
    nn_data *d = gen("spiral", opts(301, -1, 5, 1));
    (void)state;
    assert_int_equal(nn_data_classes(d), 5);
    assert_int_equal(total(d), 301);
    for (int c = 0; c < 5; c++)
        assert_in_range(class_total(d, c), 60, 61);
    nn_data_free(d);
    d = gen("blobs", opts(400, 0.1, 4, 1));
    for (int c = 0; c < 4; c++)
        assert_int_equal(class_total(d, c), 100);
    nn_data_free(d);
}

/* Default circles: the ideal boundary (radius 0.75, between the rings)
 * gets at least 99.5% right, so a small ReLU net can reach ~99%. */
static void test_circles_separable(void **state)
{
    nn_data *d = gen("circles", opts(1000, -1, 0, 1));
    int right = 0, n = 0;
    (void)state;
    for (int s = 0; s < NN_NSPLITS; s++) {
        int *y;
        double *X = points(d, (nn_split)s, &y);
        for (int i = 0; i < nn_data_count(d, (nn_split)s); i++, n++)
            right += (hypot(X[2 * i], X[2 * i + 1]) < 0.75) == (y[i] == 1);
        free(X);
        free(y);
    }
    assert_true((double)right / n >= 0.995);
    nn_data_free(d);
}

/* Without noise the shapes are exact. */
static void test_noiseless_shapes(void **state)
{
    nn_data *d = gen("circles", opts(100, 0, 0, 1));
    int *y;
    double *X = points(d, NN_TRAIN, &y);
    (void)state;
    for (int i = 0; i < nn_data_count(d, NN_TRAIN); i++)
        assert_float_equal(hypot(X[2 * i], X[2 * i + 1]),
                           y[i] == 0 ? 1.0 : 0.5, 1e-6);
    free(X), free(y), nn_data_free(d);

    d = gen("xor", opts(200, 0, 0, 1));
    X = points(d, NN_TRAIN, &y);
    for (int i = 0; i < nn_data_count(d, NN_TRAIN); i++) {
        assert_true(fabs(X[2 * i]) >= 0.1 && fabs(X[2 * i]) <= 1.0);
        assert_int_equal(X[2 * i] * X[2 * i + 1] < 0, y[i]);
    }
    free(X), free(y), nn_data_free(d);

    /* spiral noise moves the angle only: every radius stays in [0, 1] */
    d = gen("spiral", opts(300, 0.5, 3, 1));
    X = points(d, NN_TRAIN, NULL);
    for (int i = 0; i < nn_data_count(d, NN_TRAIN); i++)
        assert_true(hypot(X[2 * i], X[2 * i + 1]) <= 1.0 + 1e-6);
    free(X), nn_data_free(d);
}

/* linear with no noise is separable by a line through the origin: the
 * perceptron must converge (margin 0.1, radius sqrt 2: < 200 updates). */
static void test_linear_separable(void **state)
{
    nn_data *d = gen("linear", opts(300, -1, 0, 3));
    int n = nn_data_count(d, NN_TRAIN), *y, mistakes = 1;
    double *X = points(d, NN_TRAIN, &y), w[2] = {0, 0};
    (void)state;
    for (int epoch = 0; epoch < 1000 && mistakes; epoch++) {
        mistakes = 0;
        for (int i = 0; i < n; i++) {
            double t = y[i] ? 1.0 : -1.0;
            if (t * (w[0] * X[2 * i] + w[1] * X[2 * i + 1]) <= 0) {
                w[0] += t * X[2 * i], w[1] += t * X[2 * i + 1];
                mistakes++;
            }
        }
    }
    assert_int_equal(mistakes, 0);
    free(X), free(y), nn_data_free(d);
}

static void test_gauss(void **state)
{
    nn_gen_opts o = opts(0, -1, 0, 5);
    nn_data *d = gen("gauss", o);
    double *X, mean, sd;
    (void)state;
    assert_int_equal(nn_data_task(d), NN_TASK_NONE);
    assert_int_equal(nn_data_classes(d), 0);
    assert_int_equal(nn_data_features(d), 500);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 1000);
    assert_int_equal(nn_data_count(d, NN_DEV), 0);
    assert_int_equal(nn_data_count(d, NN_TEST), 0);
    assert_int_equal(nn_data_label(d, NN_TRAIN, 0), -1);
    assert_true(nn_data_ycols_ok(d, 3));
    X = points(d, NN_TRAIN, NULL);
    /* all 500 000 values at once: N(0,1) to within 4 standard errors */
    column_stats(X, 1000 * 500, 1, 0, &mean, &sd);
    assert_float_equal(mean, 0.0, 4.0 / sqrt(5e5));
    assert_float_equal(sd, 1.0, 0.01);
    free(X);
    nn_data_free(d);
    o.n = 20, o.dim = 3;
    d = gen("gauss", o);
    assert_int_equal(nn_data_features(d), 3);
    assert_int_equal(total(d), 20);
    nn_data_free(d);
}

static void test_generator_errors(void **state)
{
    nn_gen_opts o = opts(0, -1, 0, 1);
    nn_err err = {{0}};
    (void)state;
    expect_gen_error("squares", o, "unknown data set 'squares'");
    assert_null(nn_data_generate(NULL, &o, &err));
    expect_gen_error("circles", opts(0, -1, 3, 1), "circles has 2 classes");
    expect_gen_error("spiral", opts(0, -1, 1, 1), "classes=1: expected 2..");
    expect_gen_error("blobs", opts(2, -1, 3, 1), "n=2: expected 3..");
    expect_gen_error("moons", opts(-5, -1, 0, 1), "n=-5");
    expect_gen_error("moons", opts(0, NAN, 0, 1), "noise must be");
    o.factor = 1.5;
    expect_gen_error("circles", o, "factor=1.5: expected");
    expect_gen_error("moons", o, "factor= is only for circles");
    o.factor = 0, o.dim = 4;
    expect_gen_error("xor", o, "dim= is only for gauss");
    expect_gen_error("gauss", opts(0, 0.3, 0, 1), "gauss takes only n= and "
                     "dim=");
    o.dim = 0, o.n = -1;
    o.noise = -1;
    expect_gen_error("gauss", o, "gauss: n=-1");
    /* NULL options mean all defaults */
    {
        nn_data *d = nn_data_generate("moons", NULL, &err);
        assert_non_null(d);
        assert_int_equal(total(d), 300);
        nn_data_free(d);
    }
}

/* ------------------------------------------------------------------------
 * Splits and subsets
 * ------------------------------------------------------------------------ */

static void test_split_percent_stratified(void **state)
{
    nn_data *d = gen("spiral", opts(300, -1, 3, 1));
    nn_err err = {{0}};
    (void)state;
    assert_int_equal(nn_data_split(d, 60, 20, 20, 1, 9, &err), 0);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 180);
    assert_int_equal(nn_data_count(d, NN_DEV), 60);
    assert_int_equal(nn_data_count(d, NN_TEST), 60);
    for (int c = 0; c < 3; c++) {
        assert_in_range(nn_data_class_count(d, NN_TRAIN, c), 59, 61);
        assert_in_range(nn_data_class_count(d, NN_DEV, c), 19, 21);
        assert_in_range(nn_data_class_count(d, NN_TEST, c), 19, 21);
    }
    /* uneven: 99/1/0 of 300 is 297/3/0, one of each class in dev */
    assert_int_equal(nn_data_split(d, 99, 1, 0, 1, 9, &err), 0);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 297);
    assert_int_equal(nn_data_count(d, NN_DEV), 3);
    assert_int_equal(nn_data_count(d, NN_TEST), 0);
    for (int c = 0; c < 3; c++)
        assert_int_equal(nn_data_class_count(d, NN_DEV, c), 1);
    nn_data_free(d);
}

static void test_split_counts_and_seed(void **state)
{
    nn_data *a = gen("moons", opts(300, -1, 0, 1));
    nn_data *b = gen("moons", opts(300, -1, 0, 1));
    nn_err err = {{0}};
    (void)state;
    assert_int_equal(nn_data_split(a, 100, 50, 25, 0, 4, &err), 0);
    assert_int_equal(nn_data_count(a, NN_TRAIN), 100);
    assert_int_equal(nn_data_count(a, NN_DEV), 50);
    assert_int_equal(nn_data_count(a, NN_TEST), 25);
    assert_in_range(nn_data_class_count(a, NN_TRAIN, 0), 49, 51);
    assert_int_equal(nn_data_split(b, 100, 50, 25, 0, 4, &err), 0);
    assert_true(same_data(a, b));
    assert_int_equal(nn_data_split(b, 100, 50, 25, 0, 5, &err), 0);
    assert_false(same_data(a, b));
    nn_data_free(a);
    nn_data_free(b);
}

static void test_split_errors_change_nothing(void **state)
{
    nn_data *d = gen("xor", opts(300, -1, 0, 1));
    nn_data *ref = gen("xor", opts(300, -1, 0, 1));
    nn_err err = {{0}};
    (void)state;
    assert_int_equal(nn_data_split(d, 70, 20, 20, 1, 2, &err), -1);
    assert_non_null(strstr(err.msg, "sum to 100, not 110"));
    assert_int_equal(nn_data_split(d, 200, 100, 1, 0, 2, &err), -1);
    assert_non_null(strstr(err.msg, "sum to 301, but the data set has 300"));
    assert_int_equal(nn_data_split(d, 10.5, 0, 0, 0, 2, &err), -1);
    assert_non_null(strstr(err.msg, "whole numbers"));
    assert_int_equal(nn_data_split(d, 0, 50, 50, 1, 2, &err), -1);
    assert_non_null(strstr(err.msg, "training split would be empty"));
    assert_int_equal(nn_data_split(d, -10, 60, 50, 1, 2, &err), -1);
    assert_int_equal(nn_data_split(d, NAN, 60, 50, 1, 2, &err), -1);
    assert_true(same_data(d, ref));
    nn_data_free(d);
    nn_data_free(ref);
}

static void test_subset(void **state)
{
    nn_data *d = gen("circles", opts(300, -1, 0, 1));
    nn_data *ref = gen("circles", opts(300, -1, 0, 1));
    nn_err err = {{0}};
    double *a, *b;
    (void)state;
    assert_int_equal(nn_data_subset(d, 20, &err), 0);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 20);
    assert_int_equal(nn_data_count(d, NN_DEV), 45);
    assert_int_equal(nn_data_count(d, NN_TEST), 45);
    /* the first 20 of the training split, still balanced */
    assert_in_range(nn_data_class_count(d, NN_TRAIN, 0), 9, 11);
    a = points(d, NN_TRAIN, NULL);
    b = points(ref, NN_TRAIN, NULL);
    assert_memory_equal(a, b, 20 * 2 * sizeof *a);
    free(a), free(b);
    assert_int_equal(nn_data_subset(d, 21, &err), -1);
    assert_non_null(strstr(err.msg, "only 20 examples"));
    assert_int_equal(nn_data_subset(d, 0, &err), -1);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 20);
    nn_data_free(d);
    nn_data_free(ref);
}

/* ------------------------------------------------------------------------
 * Normalization
 * ------------------------------------------------------------------------ */

static void test_normalize_train_stats(void **state)
{
    nn_data *d = gen("blobs", opts(300, -1, 3, 1));
    int n = nn_data_count(d, NN_TRAIN);
    double *X = malloc((size_t)n * 2 * sizeof *X), mean, sd, mu[2], sig[2];
    double raw[2], norm[2];
    int dev0 = d->order[d->start[NN_DEV]];
    (void)state;
    assert_non_null(X);
    assert_false(nn_data_normalized(d));
    assert_null(nn_data_mu(d));
    assert_null(nn_data_sigma(d));
    nn_data_normalize(d, 1);
    assert_true(nn_data_normalized(d));
    nn_data_fill(d, NN_TRAIN, NULL, n, X, NULL, 0);
    for (int j = 0; j < 2; j++) {
        column_stats(X, n, 2, j, &mean, &sd);
        assert_float_equal(mean, 0.0, 1e-12);
        assert_float_equal(sd, 1.0, 1e-12);
        mu[j] = nn_data_mu(d)[j];
        sig[j] = nn_data_sigma(d)[j];
    }
    /* a wild dev value does not move the statistics ... */
    d->xf[2 * dev0] = 1000.0f;
    nn_data_normalize(d, 1);
    for (int j = 0; j < 2; j++) {
        assert_float_equal(nn_data_mu(d)[j], mu[j], 0.0);
        assert_float_equal(nn_data_sigma(d)[j], sig[j], 0.0);
    }
    /* ... and dev is transformed with the training statistics */
    nn_data_fill_raw(d, NN_DEV, NULL, 1, raw);
    nn_data_fill(d, NN_DEV, NULL, 1, norm, NULL, 0);
    assert_float_equal(raw[0], 1000.0, 0.0);
    for (int j = 0; j < 2; j++)
        assert_float_equal(norm[j], (raw[j] - mu[j]) / sig[j], 1e-12);
    nn_data_transform(d, raw, 1);
    assert_memory_equal(raw, norm, sizeof raw);
    /* off: raw values again */
    nn_data_normalize(d, 0);
    nn_data_fill(d, NN_DEV, NULL, 1, norm, NULL, 0);
    assert_float_equal(norm[0], 1000.0, 0.0);
    free(X);
    nn_data_free(d);
}

/* nn_data_fill normalizes as it fills, in groups of eight features and
 * the rest: the values of nn_data_fill_raw then nn_data_transform, bit for
 * bit, for a width that is not a multiple of eight, picked rows, either
 * normalization. */
static void test_fill_normalized_one_pass(void **state)
{
    (void)state;
    nn_gen_opts o = opts(40, -1, 0, 2);
    o.dim = 37;
    nn_data *d = gen("gauss", o);
    const int rows[] = { 5, 0, 17, 3 };
    double X[4 * 37], R[4 * 37];
    for (int mode = NN_NORM_ZSCORE; mode <= NN_NORM_SCALE; mode++) {
        nn_data_normalize(d, mode);
        nn_data_fill(d, NN_TRAIN, rows, 4, X, NULL, 0);
        nn_data_fill_raw(d, NN_TRAIN, rows, 4, R);
        nn_data_transform(d, R, 4);
        assert_memory_equal(R, X, sizeof X);
    }
    nn_data_free(d);
}

/* scale: one lo and range over every feature of the training split, so
 * training values land in [0, 1] with both ends reached; dev values are
 * mapped with the same numbers (and may fall outside). */
static void test_normalize_scale(void **state)
{
    nn_data *d = gen("blobs", opts(300, -1, 3, 1));
    int n = nn_data_count(d, NN_TRAIN);
    double *X = malloc((size_t)n * 2 * sizeof *X), raw[2], got[2];
    (void)state;
    assert_non_null(X);
    int dev0 = d->order[d->start[NN_DEV]];
    d->xf[2 * dev0] = 1000.0f; /* a wild dev value moves nothing */
    nn_data_normalize(d, NN_NORM_SCALE);
    assert_int_equal(nn_data_normalized(d), NN_NORM_SCALE);
    nn_data_fill(d, NN_TRAIN, NULL, n, X, NULL, 0);
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < 2 * n; i++)
        lo = fmin(lo, X[i]), hi = fmax(hi, X[i]);
    assert_float_equal(lo, 0.0, 1e-12);
    assert_float_equal(hi, 1.0, 1e-12);
    const double *mu = nn_data_mu(d), *sg = nn_data_sigma(d);
    assert_true(mu[0] == mu[1] && sg[0] == sg[1] && sg[0] > 0);
    nn_data_fill_raw(d, NN_DEV, NULL, 1, raw);
    nn_data_fill(d, NN_DEV, NULL, 1, got, NULL, 0);
    for (int j = 0; j < 2; j++)
        assert_float_equal(got[j], (raw[j] - mu[0]) / sg[0], 1e-12);
    assert_true(got[0] > 1);
    free(X);
    nn_data_free(d);
}

static void test_normalize_follows_split(void **state)
{
    nn_data *d = gen("moons", opts(300, -1, 0, 1));
    nn_err err = {{0}};
    double mu0, X[20 * 2], mean, sd;
    (void)state;
    nn_data_normalize(d, 1);
    mu0 = nn_data_mu(d)[0];
    assert_int_equal(nn_data_subset(d, 20, &err), 0);
    assert_true(nn_data_mu(d)[0] != mu0);
    nn_data_fill(d, NN_TRAIN, NULL, 20, X, NULL, 0);
    column_stats(X, 20, 2, 1, &mean, &sd);
    assert_float_equal(mean, 0.0, 1e-12);
    assert_float_equal(sd, 1.0, 1e-12);
    assert_int_equal(nn_data_split(d, 80, 10, 10, 1, 3, &err), 0);
    nn_data_fill(d, NN_TRAIN, NULL, 20, X, NULL, 0);
    assert_true(nn_data_normalized(d));
    nn_data_free(d);
}

/* A constant feature has sigma 1 rather than a division by zero. */
static void test_constant_feature(void **state)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_alloc("const", NN_TASK_REGRESS, 4, 2, 0, 0, &err);
    double X[8];
    (void)state;
    assert_non_null(d);
    for (int i = 0; i < 4; i++) {
        d->xf[2 * i] = 0.1f;
        d->xf[2 * i + 1] = (float)i;
        d->target[i] = (float)i;
    }
    assert_int_equal(nn_data_finish(d, &err), 0);
    nn_data_normalize(d, 1);
    assert_float_equal(nn_data_sigma(d)[0], 1.0, 0.0);
    assert_float_equal(nn_data_sigma(d)[1], sqrt(1.25), 1e-12);
    nn_data_fill(d, NN_TRAIN, NULL, 4, X, NULL, 0);
    for (int i = 0; i < 4; i++)
        assert_float_equal(X[2 * i], 0.0, 1e-7);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Filling mini-batches
 * ------------------------------------------------------------------------ */

static void test_fill_binary_and_rows(void **state)
{
    nn_data *d = gen("moons", opts(300, -1, 0, 1));
    int rows[3] = {5, 0, 44};
    double X[6], Y[3], x1[2];
    (void)state;
    assert_true(nn_data_ycols_ok(d, 1));
    assert_true(nn_data_ycols_ok(d, 2));
    assert_false(nn_data_ycols_ok(d, 3));
    nn_data_fill(d, NN_DEV, rows, 3, X, Y, 1);
    for (int i = 0; i < 3; i++) {
        assert_float_equal(Y[i], nn_data_label(d, NN_DEV, rows[i]), 0.0);
        nn_data_fill_raw(d, NN_DEV, &rows[i], 1, x1);
        assert_memory_equal(x1, X + 2 * i, sizeof x1);
    }
    assert_int_equal(nn_data_label(d, NN_DEV, 45), -1);
    assert_int_equal(nn_data_label(d, NN_DEV, -1), -1);
    nn_data_free(d);
}

static void test_fill_one_hot(void **state)
{
    nn_data *d = gen("spiral", opts(300, -1, 4, 1));
    double X[10 * 2], Y[10 * 4];
    (void)state;
    assert_false(nn_data_ycols_ok(d, 1));
    assert_true(nn_data_ycols_ok(d, 4));
    for (int i = 0; i < 10 * 4; i++)
        Y[i] = 7.0; /* stale values must be overwritten */
    nn_data_fill(d, NN_TEST, NULL, 10, X, Y, 4);
    for (int i = 0; i < 10; i++) {
        int c = nn_data_label(d, NN_TEST, i);
        for (int k = 0; k < 4; k++)
            assert_float_equal(Y[4 * i + k], k == c ? 1.0 : 0.0, 0.0);
    }
    nn_data_free(d);
}

static void test_accessors(void **state)
{
    nn_data *d = gen("blobs", opts(300, 0.1, 3, 1));
    nn_err err = {{0}};
    const char *names[3] = {"red", "green", "blue"};
    double lo, hi;
    (void)state;
    assert_false(nn_data_is_image(d));
    assert_string_equal(nn_data_class_name(d, 2), "2");
    assert_string_equal(nn_data_class_name(d, -1), "?");
    assert_int_equal(nn_data_set_class_names(d, names, 2, &err), -1);
    assert_non_null(strstr(err.msg, "2 class names given"));
    assert_int_equal(nn_data_set_class_names(d, names, 3, &err), 0);
    assert_string_equal(nn_data_class_name(d, 2), "blue");
    assert_int_equal(nn_data_set_name(d, "rgb", &err), 0);
    assert_string_equal(nn_data_name(d), "rgb");
    /* centres on the unit circle, class 0 at the top */
    nn_data_feature_range(d, 1, &lo, &hi);
    assert_true(hi > 0.9 && hi < 1.5 && lo < -0.4 && lo > -1.0);
    nn_data_feature_range(d, 2, &lo, &hi);
    assert_float_equal(lo, 0.0, 0.0);
    assert_int_equal(nn_data_count(d, (nn_split)7), 0);
    assert_int_equal(nn_data_class_count(d, NN_TRAIN, 3), 0);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Images
 * ------------------------------------------------------------------------ */

static void write_be32(FILE *f, uint32_t v)
{
    const unsigned char b[4] = { v >> 24, (v >> 16) & 255, (v >> 8) & 255,
                                 v & 255 };
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

/* 12 IDX images of 3 rows by 5 columns, and their labels, in dir. */
static void write_small_idx(const char *dir, char *images, char *labels,
                            size_t size)
{
    snprintf(images, size, "%s/images", dir);
    snprintf(labels, size, "%s/labels", dir);
    FILE *fi = fopen(images, "wb"), *fl = fopen(labels, "wb");
    assert_true(fi && fl);
    write_be32(fi, 0x803), write_be32(fi, 12), write_be32(fi, 3);
    write_be32(fi, 5);
    write_be32(fl, 0x801), write_be32(fl, 12);
    for (int i = 0; i < 12; i++) {
        for (int p = 0; p < 15; p++)
            fputc((i * 15 + p) & 255, fi);
        fputc(i % 10, fl);
    }
    assert_int_equal(fclose(fi), 0);
    assert_int_equal(fclose(fl), 0);
}

static void test_images(void **state)
{
    nn_err err = {{0}};
    int w, h;
    char dir[128], images[256], labels[256];
    (void)state;
    /* the digits, declared 8x8 */
    nn_data *d = nn_data_load_csv_image("data/digits.csv.gz", NN_LABEL_LAST,
                                        NN_HEADER_NO, 1, 8, 8, NULL, &err);
    assert_non_null(d);
    assert_int_equal(nn_data_image_size(d, &w, &h), 1);
    assert_true(w == 8 && h == 8);
    assert_false(nn_data_is_image(d)); /* values 0..16, not bytes */
    assert_int_equal(nn_data_set_image(d, 4, 16, &err), 0);
    assert_int_equal(nn_data_set_image(d, 9, 9, &err), -1);
    assert_non_null(strstr(err.msg, "81 pixels, but the data have 64"));
    assert_int_equal(nn_data_set_image(d, -1, 64, &err), -1);
    nn_data_image_size(d, &w, &h);
    assert_true(w == 4 && h == 16); /* unchanged by the errors */
    assert_int_equal(nn_data_set_image(d, 0, 0, &err), 0);
    assert_int_equal(nn_data_image_size(d, &w, &h), 0);
    assert_true(w == 0 && h == 0);
    nn_data_free(d);
    d = nn_data_load_csv_image("data/digits.csv.gz", NN_LABEL_LAST,
                               NN_HEADER_NO, 1, 28, 28, NULL, &err);
    assert_null(d);
    assert_non_null(strstr(err.msg, "digits.csv.gz: image=28x28 needs 784 "
                                    "features, but the file has 64"));
    assert_null(nn_data_load_csv_image("data/digits.csv.gz", NN_LABEL_LAST,
                                       NN_HEADER_NO, 1, 0, 64, NULL, &err));
    assert_null(nn_data_load_csv_image("no/such.csv", NN_LABEL_LAST,
                                       NN_HEADER_NO, 1, 8, 8, NULL, &err));
    assert_non_null(strstr(err.msg, "no/such.csv: cannot open"));
    /* generated sets are not images until told */
    d = gen("circles", opts(100, -1, 0, 1));
    assert_int_equal(nn_data_image_size(d, &w, &h), 0);
    nn_data_free(d);
    /* IDX files know their size, columns across and rows down */
    assert_int_equal(tu_tmpdir_make(dir, sizeof dir, "data"), 0);
    write_small_idx(dir, images, labels, sizeof images);
    d = nn_data_load_idx(images, labels, NULL, NULL, 0, &err);
    if (!d)
        fail_msg("%s", err.msg);
    assert_int_equal(nn_data_image_size(d, &w, &h), 1);
    assert_true(w == 5 && h == 3 && nn_data_is_image(d));
    nn_data_free(d);
    tu_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_generator),
        cmocka_unit_test(test_classes_and_odd_sizes),
        cmocka_unit_test(test_circles_separable),
        cmocka_unit_test(test_noiseless_shapes),
        cmocka_unit_test(test_linear_separable),
        cmocka_unit_test(test_gauss),
        cmocka_unit_test(test_generator_errors),
        cmocka_unit_test(test_split_percent_stratified),
        cmocka_unit_test(test_split_counts_and_seed),
        cmocka_unit_test(test_split_errors_change_nothing),
        cmocka_unit_test(test_subset),
        cmocka_unit_test(test_normalize_train_stats),
        cmocka_unit_test(test_fill_normalized_one_pass),
        cmocka_unit_test(test_normalize_scale),
        cmocka_unit_test(test_normalize_follows_split),
        cmocka_unit_test(test_constant_feature),
        cmocka_unit_test(test_fill_binary_and_rows),
        cmocka_unit_test(test_fill_one_hot),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
