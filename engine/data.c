/*
 * data.c — the nn_data object: construction shared by the loaders and the
 * generators, accessors, image shapes, mini-batch filling, splits.
 *
 * The loaders (csv.c, idx.c) and the generators (datagen.c) only put values
 * into a fresh data set; everything that looks at a finished data set lives
 * here and in preprocess.c (normalization, PCA, whitening), so the rules
 * that matter for teaching — the statistics come from the training split
 * only, splits are stratified, nothing changes on an error — are written
 * once.  The layout is described in data_internal.h.
 */
#include "data_internal.h"
#include "mat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Construction and destruction
 * ------------------------------------------------------------------------ */


nn_data *nn_data_alloc(const char *name, nn_task task, int n, int features,
                       int classes, int image, nn_err *err)
{
    size_t nx = (size_t)n * (size_t)features;
    size_t nf = (size_t)features;
    nn_data *d = calloc(1, sizeof *d);
    if (!d)
        goto err;
    d->task = task;
    d->n = n;
    d->features = features;
    d->inputs = features;
    d->classes = task == NN_TASK_CLASSIFY ? classes : 0;
    d->image = image;
    d->name = strdup(name);
    d->order = malloc((size_t)n * sizeof *d->order);
    d->lo = calloc(nf, sizeof *d->lo);
    d->hi = calloc(nf, sizeof *d->hi);
    d->mu = calloc(nf, sizeof *d->mu);
    d->sigma = calloc(nf, sizeof *d->sigma);
    d->inv_sigma = calloc(nf, sizeof *d->inv_sigma);
    if (!d->name || !d->order || !d->lo || !d->hi || !d->mu || !d->sigma ||
        !d->inv_sigma)
        goto err;
    if (image)
        d->xb = malloc(nx ? nx : 1);
    else
        d->xf = calloc(nx ? nx : 1, sizeof *d->xf);
    if (!d->xb && !d->xf)
        goto err;
    if (task == NN_TASK_CLASSIFY) {
        d->label = calloc((size_t)n, sizeof *d->label);
        d->class_names = calloc((size_t)classes, sizeof *d->class_names);
        d->class_count = calloc((size_t)NN_NSPLITS * (size_t)classes,
                                sizeof *d->class_count);
        if (!d->label || !d->class_names || !d->class_count)
            goto err;
    } else if (task == NN_TASK_REGRESS) {
        d->target = calloc((size_t)n, sizeof *d->target);
        if (!d->target)
            goto err;
    }
    return d;
err:
    nn_data_free(d);
    nn_fail(err, "out of memory for %d examples of %d features", n,
            features);
    return NULL;
}

static void compute_ranges(nn_data *d)
{
    for (int j = 0; j < d->features; j++) {
        d->lo[j] = d->n ? nn_data_raw_value(d, 0, j) : 0.0;
        d->hi[j] = d->lo[j];
    }
    for (int i = 1; i < d->n; i++) {
        for (int j = 0; j < d->features; j++) {
            double v = nn_data_raw_value(d, i, j);
            if (v < d->lo[j])
                d->lo[j] = v;
            if (v > d->hi[j])
                d->hi[j] = v;
        }
    }
}

int nn_data_finish(nn_data *d, nn_err *err)
{
    for (int c = 0; c < d->classes; c++) {
        char buf[16];
        if (d->class_names[c])
            continue;
        snprintf(buf, sizeof buf, "%d", c);
        d->class_names[c] = strdup(buf);
        if (!d->class_names[c])
            return nn_fail(err, "out of memory for class names");
    }
    compute_ranges(d);
    for (int i = 0; i < d->n; i++)
        d->order[i] = i;
    d->start[NN_TRAIN] = 0;
    d->count[NN_TRAIN] = d->n;
    d->start[NN_DEV] = d->start[NN_TEST] = d->n;
    d->count[NN_DEV] = d->count[NN_TEST] = 0;
    nn_data_refresh(d);
    return 0;
}

void nn_data_free(nn_data *d)
{
    if (!d)
        return;
    if (d->class_names)
        for (int c = 0; c < d->classes; c++)
            free(d->class_names[c]);
    free(d->class_names);
    free(d->name);
    free(d->xf);
    free(d->xb);
    free(d->label);
    free(d->target);
    free(d->order);
    free(d->class_count);
    free(d->lo);
    free(d->hi);
    free(d->mu);
    free(d->sigma);
    free(d->inv_sigma);
    nn_data_prep_free(d);
    free(d);
}

int nn_data_set_name(nn_data *d, const char *name, nn_err *err)
{
    char *copy = strdup(name);
    if (!copy)
        return nn_fail(err, "out of memory");
    free(d->name);
    d->name = copy;
    return 0;
}

int nn_data_set_class_names(nn_data *d, const char *const *names, int n,
                            nn_err *err)
{
    char **copy;
    if (n != d->classes)
        return nn_fail(err, "%d class names given, the data set has %d "
                       "classes", n, d->classes);
    copy = calloc((size_t)n, sizeof *copy);
    if (!copy)
        return nn_fail(err, "out of memory");
    for (int c = 0; c < n; c++) {
        copy[c] = strdup(names[c]);
        if (!copy[c]) {
            while (c-- > 0)
                free(copy[c]);
            free(copy);
            return nn_fail(err, "out of memory");
        }
    }
    for (int c = 0; c < n; c++) {
        free(d->class_names[c]);
        d->class_names[c] = copy[c];
    }
    free(copy);
    return 0;
}

/* ------------------------------------------------------------------------
 * What the set is
 * ------------------------------------------------------------------------ */

const char *nn_data_name(const nn_data *d) { return d->name; }
nn_task nn_data_task(const nn_data *d) { return d->task; }
int nn_data_features(const nn_data *d) { return d->features; }
int nn_data_classes(const nn_data *d) { return d->classes; }
int nn_data_is_image(const nn_data *d) { return d->image; }

const char *nn_data_class_name(const nn_data *d, int c)
{
    if (c < 0 || c >= d->classes)
        return "?";
    return d->class_names[c];
}

static int valid_split(nn_split s)
{
    return (int)s >= 0 && s < NN_NSPLITS;
}

int nn_data_size(const nn_data *d)
{
    return d->n;
}

int nn_data_count(const nn_data *d, nn_split s)
{
    return valid_split(s) ? d->count[s] : 0;
}

int nn_data_class_count(const nn_data *d, nn_split s, int c)
{
    if (!valid_split(s) || c < 0 || c >= d->classes)
        return 0;
    return d->class_count[(size_t)s * (size_t)d->classes + (size_t)c];
}

void nn_data_feature_range(const nn_data *d, int j, double *lo, double *hi)
{
    int ok = j >= 0 && j < d->features;
    *lo = ok ? d->lo[j] : 0.0;
    *hi = ok ? d->hi[j] : 0.0;
}

void nn_data_target_range(const nn_data *d, double *lo, double *hi)
{
    *lo = *hi = 0.0;
    for (int i = 0; d->target && i < d->n; i++) {
        if (i == 0 || d->target[i] < *lo)
            *lo = d->target[i];
        if (i == 0 || d->target[i] > *hi)
            *hi = d->target[i];
    }
}

/* ------------------------------------------------------------------------
 * Images
 * ------------------------------------------------------------------------ */

int nn_data_image_size(const nn_data *d, int *width, int *height)
{
    *width = d->width;
    *height = d->height;
    return d->width > 0;
}

int nn_data_set_image(nn_data *d, int width, int height, nn_err *err)
{
    if (width == 0 && height == 0) {
        d->width = d->height = 0;
        return 0;
    }
    if (width < 1 || height < 1)
        return nn_fail(err, "an image is at least 1x1, not %dx%d", width,
                       height);
    if ((long long)width * height != d->features)
        return nn_fail(err, "%dx%d images have %lld pixels, but the data "
                       "have %d features", width, height,
                       (long long)width * height, d->features);
    d->width = width;
    d->height = height;
    return 0;
}

nn_data *nn_data_load_csv_image(const char *path, int label_col,
                                nn_header header, uint64_t seed, int width,
                                int height, nn_csv_report *report,
                                nn_err *err)
{
    if (width < 1 || height < 1) {
        nn_fail(err, "image=%dx%d: an image is at least 1x1", width, height);
        return NULL;
    }
    nn_data *d = nn_data_load_csv_report(path, label_col, header, seed,
                                         report, err);
    if (d && (long long)width * height != d->features) {
        nn_fail(err, "%s: image=%dx%d needs %lld features, but the file "
                "has %d", path, width, height, (long long)width * height,
                d->features);
        nn_data_free(d);
        return NULL;
    }
    if (d)
        nn_data_set_image(d, width, height, NULL);
    return d;
}

/* ------------------------------------------------------------------------
 * Mini-batches
 * ------------------------------------------------------------------------ */

void nn_data_fill_raw_from(const nn_data *d, nn_split s, const int *rows,
                           int first, int count, double *X)
{
    size_t f = (size_t)d->features;
    for (int i = 0; i < count; i++) {
        int row = first + i;
        size_t ex = (size_t)nn_data_example(d, s, rows ? rows[row] : row);
        double *x = X + (size_t)i * f;
        if (d->xf) {
            const float *src = d->xf + ex * f;
            for (size_t j = 0; j < f; j++)
                x[j] = src[j];
        } else {
            const uint8_t *src = d->xb + ex * f;
            for (size_t j = 0; j < f; j++)
                x[j] = src[j] * (1.0 / 255.0);
        }
    }
}

void nn_data_fill_raw(const nn_data *d, nn_split s, const int *rows,
                      int count, double *X)
{
    nn_data_fill_raw_from(d, s, rows, 0, count, X);
}

void nn_data_fill_y(const nn_data *d, nn_split s, const int *rows,
                    int count, double *Y, int ycols)
{
    for (int i = 0; i < count; i++) {
        int ex = nn_data_example(d, s, rows ? rows[i] : i);
        double *y = Y + (size_t)i * (size_t)ycols;
        if (d->task == NN_TASK_REGRESS) {
            y[0] = d->target[ex];
        } else if (d->task == NN_TASK_NONE) {
            memset(y, 0, (size_t)ycols * sizeof *y);
        } else if (ycols == 1) {
            y[0] = d->label[ex] == 1 ? 1.0 : 0.0;
        } else {
            memset(y, 0, (size_t)ycols * sizeof *y);
            if (d->label[ex] < ycols) /* a wrong ycols must not overrun */
                y[d->label[ex]] = 1.0;
        }
    }
}

/* One example normalized on the way, in one pass: the same operations as
 * nn_data_fill_raw then nn_data_transform, so the same values, but the
 * trainer fills a batch at every update and two passes (and the loads of
 * mu and 1/sigma that possible aliasing forces) cost a few percent of a
 * small network's step.  src is floats or, when bytes, pixels in 0..255. */
NN_VECTOR_CLONES
static void fill_row_normalized(const float *restrict xf,
                                const uint8_t *restrict xb, size_t f,
                                const double *restrict mu,
                                const double *restrict inv_sigma,
                                double *restrict x)
{
    size_t j = 0;
    /* groups the compiler turns into vector instructions (eight floats
     * fill a 256-bit register of doubles twice) */
    if (xf) {
        for (; j + 8 <= f; j += 8)
            for (size_t k = 0; k < 8; k++)
                x[j + k] = ((double)xf[j + k] - mu[j + k]) * inv_sigma[j + k];
        for (; j < f; j++)
            x[j] = ((double)xf[j] - mu[j]) * inv_sigma[j];
    } else {
        for (; j + 4 <= f; j += 4)
            for (size_t k = 0; k < 4; k++)
                x[j + k] = (xb[j + k] * (1.0 / 255.0) - mu[j + k]) *
                           inv_sigma[j + k];
        for (; j < f; j++)
            x[j] = (xb[j] * (1.0 / 255.0) - mu[j]) * inv_sigma[j];
    }
}

void nn_data_fill(const nn_data *d, nn_split s, const int *rows, int count,
                  double *X, double *Y, int ycols)
{
    if (d->pca) {
        nn_data_prep_fill(d, s, rows, count, X);
    } else if (!d->normalized) {
        nn_data_fill_raw(d, s, rows, count, X);
    } else {
        size_t f = (size_t)d->features;
        for (int i = 0; i < count; i++) {
            size_t ex = (size_t)nn_data_example(d, s, rows ? rows[i] : i);
            fill_row_normalized(d->xf ? d->xf + ex * f : NULL,
                                d->xf ? NULL : d->xb + ex * f, f, d->mu,
                                d->inv_sigma, X + (size_t)i * f);
        }
    }
    if (Y)
        nn_data_fill_y(d, s, rows, count, Y, ycols);
}

int nn_data_ycols_ok(const nn_data *d, int ycols)
{
    switch (d->task) {
    case NN_TASK_CLASSIFY:
        return ycols == d->classes || (ycols == 1 && d->classes == 2);
    case NN_TASK_REGRESS:
        return ycols == 1;
    case NN_TASK_NONE:
        return ycols >= 1;
    }
    return 0;
}

int nn_data_label(const nn_data *d, nn_split s, int row)
{
    if (d->task != NN_TASK_CLASSIFY || !valid_split(s) || row < 0 ||
        row >= d->count[s])
        return -1;
    return d->label[nn_data_example(d, s, row)];
}

/* ------------------------------------------------------------------------
 * Recounting after a split
 * ------------------------------------------------------------------------ */

void nn_data_refresh(nn_data *d)
{
    if (d->class_count) {
        memset(d->class_count, 0, (size_t)NN_NSPLITS * (size_t)d->classes *
                                      sizeof *d->class_count);
        for (int s = 0; s < NN_NSPLITS; s++)
            for (int i = 0; i < d->count[s]; i++)
                d->class_count[s * d->classes +
                               d->label[nn_data_example(d, (nn_split)s, i)]]++;
    }
    nn_data_prep_refit(d);
}

/* ------------------------------------------------------------------------
 * Splits and subsets
 * ------------------------------------------------------------------------ */

/* Percentages to counts that sum exactly to n: floors first, then the
 * leftover examples to the largest fractional parts (never to a split that
 * asked for 0%). */
static void percent_to_counts(int n, const double p[3], int want[3])
{
    double frac[3];
    int left = n;
    for (int k = 0; k < 3; k++) {
        double exact = n * p[k] / 100.0;
        want[k] = (int)floor(exact);
        frac[k] = p[k] > 0 ? exact - want[k] : -1.0;
        left -= want[k];
    }
    while (left-- > 0) {
        int best = 0;
        for (int k = 1; k < 3; k++)
            if (frac[k] > frac[best])
                best = k;
        want[best]++;
        frac[best] = -1.0;
    }
}

/* The examples a split divides: all of them, or all but the set's own
 * test set when it has one and no test share is asked for. */
static int split_pool(const nn_data *d, double test)
{
    return d->fixed_test > 0 && test == 0 ? d->n - d->fixed_test : d->n;
}

static int split_sizes(const nn_data *d, const double p[3], int percent,
                       int want[3], nn_err *err)
{
    int n = split_pool(d, p[2]);
    double sum = p[0] + p[1] + p[2];
    for (int k = 0; k < 3; k++)
        if (!isfinite(p[k]) || p[k] < 0)
            return nn_fail(err, "split sizes must be numbers >= 0");
    if (percent) {
        if (fabs(sum - 100.0) > 1e-6)
            return nn_fail(err, "split percentages must sum to 100, not %g",
                           sum);
        percent_to_counts(n, p, want);
    } else {
        for (int k = 0; k < 3; k++) {
            if (p[k] != floor(p[k]))
                return nn_fail(err, "split counts must be whole numbers, "
                               "not %g", p[k]);
            want[k] = p[k] > n ? n + 1 : (int)p[k];
        }
        if (sum > n)
            return nn_fail(err, "split counts sum to %.0f, but the data set "
                           "has %d examples%s", sum, n, n < d->n ?
                           " besides its own test set" : "");
    }
    if (want[0] < 1)
        return nn_fail(err, "the training split would be empty");
    return 0;
}

typedef struct split_key {
    double key;
    int ex;
} split_key;

static int compare_keys(const void *a, const void *b)
{
    const split_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->ex > y->ex) - (x->ex < y->ex);
}

/* Stratify by giving the k-th (in random order) of the m examples of a
 * class the key (k + u) / m, u uniform in [0,1), and sorting by key: every
 * class is then spread evenly along the order, so any prefix or window —
 * train, dev, test, or a subset of train — holds each class in proportion,
 * to within one example. */
static int stratified_order(const nn_data *d, int n, uint64_t seed,
                            int *out, nn_err *err)
{
    nn_rng rng;
    split_key *keys = malloc((size_t)(n ? n : 1) * sizeof *keys);
    int *seen = calloc((size_t)(d->classes ? d->classes : 1), sizeof *seen);
    int *total = calloc((size_t)(d->classes ? d->classes : 1), sizeof *total);
    if (!keys || !seen || !total) {
        free(keys), free(seen), free(total);
        return nn_fail(err, "out of memory for a split of %d examples",
                       d->n);
    }
    nn_rng_seed(&rng, seed, NN_STREAM_SPLIT, 0);
    for (int i = 0; i < d->n; i++)
        out[i] = i;   /* the examples past n keep their stored order */
    nn_rng_shuffle(&rng, out, n);
    for (int i = 0; i < n && d->label; i++)
        total[d->label[i]]++;
    for (int i = 0; i < n; i++) {
        int ex = out[i];
        keys[i].ex = ex;
        if (d->label) {
            int c = d->label[ex];
            keys[i].key = (seen[c]++ + nn_rng_uniform(&rng)) / total[c];
        } else {
            keys[i].key = i;
        }
    }
    qsort(keys, (size_t)n, sizeof *keys, compare_keys);
    for (int i = 0; i < n; i++)
        out[i] = keys[i].ex;
    free(keys), free(seen), free(total);
    return 0;
}

int nn_data_split(nn_data *d, double train, double dev, double test,
                  int percent, uint64_t seed, nn_err *err)
{
    double p[3] = {train, dev, test};
    int want[3];
    if (split_sizes(d, p, percent, want, err))
        return -1;
    int pool = split_pool(d, test);
    if (stratified_order(d, pool, seed, d->order, err))
        return -1;
    if (pool < d->n)
        want[2] = d->fixed_test;
    d->start[NN_TRAIN] = 0;
    d->start[NN_DEV] = want[0];
    d->start[NN_TEST] = pool < d->n ? pool : want[0] + want[1];
    for (int s = 0; s < NN_NSPLITS; s++)
        d->count[s] = want[s];
    nn_data_refresh(d);
    return 0;
}

int nn_data_own_test(const nn_data *d)
{
    return d->fixed_test;
}

int nn_data_subset(nn_data *d, int n, nn_err *err)
{
    if (n < 1)
        return nn_fail(err, "subset size must be at least 1, not %d", n);
    if (n > d->count[NN_TRAIN])
        return nn_fail(err, "subset %d: the training split has only %d "
                       "examples", n, d->count[NN_TRAIN]);
    d->count[NN_TRAIN] = n;
    nn_data_refresh(d);
    return 0;
}
