/*
 * data_internal.h — what the data-set files (data.c, datagen.c, csv.c,
 * idx.c) share and nobody else should see: the layout of struct nn_data,
 * the constructor the loaders build on, and the gzip reading they share.
 *
 * Layout in brief: the n examples sit in one array in the order they were
 * read or generated (floats in xf, or bytes in xb for images).  The splits
 * do not move them: `order` is a permutation of example indices, and split
 * s is order[start[s] .. start[s] + count[s]).  Re-splitting or taking a
 * subset rewrites only `order`, `start` and `count`, so it cannot fail
 * half-way and nothing needs copying.
 *
 * Everything nn_data_normalize() may need is allocated up front, because
 * that function returns void and so must not fail; likewise PCA's buffers
 * are allocated when nn_data_preprocess() switches it on, so that a new
 * split re-fits it without allocating.
 */
#ifndef NN_DATA_INTERNAL_H
#define NN_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "data.h"
#include "eig.h"
#include "rng.h"

/* Rows the preprocessing transforms at a time (one matrix product each). */
enum { NN_PREP_CHUNK = 256 };

/* A fitted PCA of the training split (pca, whiten, zca), owned by the data
 * set; preprocess.c describes the maths. */
typedef struct nn_pca {
    int features;
    int mode;       /* NN_NORM_PCA, _WHITEN or _ZCA */
    int k;          /* components kept: the rows of proj (zca: features) */
    double eps;     /* added to each eigenvalue before whitening */
    double *mean;   /* features: training means */
    double *evals;  /* features: covariance eigenvalues, decreasing, >= 0 */
    double *evecs;  /* features x features: row k the k-th eigenvector */
    double *proj;   /* k x features: multiplies a centred row */
    double *cov;    /* features x features: scratch of the fit */
    double *chunk;  /* NN_PREP_CHUNK x features: scratch of the transform */
    nn_eig eig;
} nn_pca;

struct nn_data {
    char *name;
    nn_task task;
    int n;          /* examples in all, whatever the splits */
    int features;
    int classes;    /* 0 unless classify */
    char **class_names; /* classes strings, each owned */
    int image;      /* xb holds pixels 0..255, shown as [0,1] */
    int width, height; /* examples are width x height images (row by row,
                          top to bottom), or both 0 */

    float *xf;      /* n x features (not image) */
    uint8_t *xb;    /* n x features (image) */
    int *label;     /* n classes (classify) */
    float *target;  /* n targets (regress) */

    int *order;     /* permutation of 0..n-1; see the header comment */
    int fixed_test; /* the last fixed_test stored examples are the set's own
                       test set (IDX test files): splits keep it apart */
    int start[NN_NSPLITS];
    int count[NN_NSPLITS];
    int *class_count; /* NN_NSPLITS x classes, kept current by nn_data.c */

    double *lo, *hi;  /* feature ranges over all examples, raw units */
    int normalized;   /* an NN_NORM_ mode (preprocess.c) */
    double *mu, *sigma, *inv_sigma; /* features each, always allocated */
    int inputs;       /* columns a filled row has: features, or PCA's k */
    nn_pca *pca;      /* pca, whiten and zca only, else NULL */
};

/* Example index of row `row` of split s. */
static inline int nn_data_example(const nn_data *d, nn_split s, int row)
{
    return d->order[d->start[s] + row];
}

/* Example ex, feature j, in the units shown to the user: byte pixels are
 * scaled to [0,1]. */
static inline double nn_data_raw_value(const nn_data *d, int ex, int j)
{
    size_t at = (size_t)ex * (size_t)d->features + (size_t)j;
    return d->xf ? (double)d->xf[at] : d->xb[at] * (1.0 / 255.0);
}

/* Allocate a data set of n examples with everything but its values:
 * xf (or xb when image), and label (classify) or target (regress) are
 * allocated zeroed; class_names has `classes` NULL slots the caller may
 * fill with malloc'd strings.  NULL and *err filled when out of memory. */
nn_data *nn_data_alloc(const char *name, nn_task task, int n, int features,
                       int classes, int image, nn_err *err);

/* Finish a data set whose values are in place: default class names ("0",
 * "1", ...) for empty slots, feature ranges, and all examples in the
 * training split in their stored order.  -1 and *err on failure. */
int nn_data_finish(nn_data *d, nn_err *err);

/* Recount examples per class and split after `order`/`count` changed, and
 * refresh the normalization statistics if it is on. */
void nn_data_refresh(nn_data *d);

/* Raw rows first .. first+count-1 of the list `rows` of split s (rows NULL:
 * the split's rows first ..), into X (count x features). */
void nn_data_fill_raw_from(const nn_data *d, nn_split s, const int *rows,
                           int first, int count, double *X);

/* The targets part of nn_data_fill. */
void nn_data_fill_y(const nn_data *d, nn_split s, const int *rows,
                    int count, double *Y, int ycols);

/* preprocess.c: re-fit the preprocessing after the training split changed
 * (a PCA that cannot be re-fitted falls back to centring); fill rows
 * through a PCA (d->pca set); free the PCA. */
void nn_data_prep_refit(nn_data *d);
void nn_data_prep_fill(const nn_data *d, nn_split s, const int *rows,
                       int count, double *X);
void nn_data_prep_free(nn_data *d);

/* Open a file for reading through zlib (plain files pass through), with
 * messages for a missing file or a directory.  NULL and *err on failure. */
gzFile nn_data_gz_open(const char *path, nn_err *err);
/* 0 when f has no error; else -1 and *err saying truncated, corrupt or
 * unreadable, naming path. */
int nn_data_gz_error(gzFile f, const char *path, nn_err *err);
/* The part of path after the last '/'. */
const char *nn_data_base_name(const char *path);

#endif
