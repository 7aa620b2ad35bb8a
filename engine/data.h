/*
 * data.h — data sets: generated 2-D problems, shipped and user files,
 * images, train/dev/test splits and input preprocessing (normalization,
 * PCA, whitening).
 *
 * A data set is an opaque `nn_data`.  Features are stored compactly (floats,
 * or bytes for pixel images) and turned into doubles only when a mini-batch
 * is filled into a caller's buffer, so Fashion-MNIST fits in a few tens of
 * megabytes.  Every example belongs to exactly one split; rows are addressed
 * by (split, index within the split).
 *
 * Preprocessing (z-score, scaling, centring, PCA, whitening) is fitted on
 * the training split only and applied unchanged to dev and test: the
 * statistics never look at held-out data.  PCA may keep fewer components
 * than there are features: the network then sees nn_data_inputs() columns,
 * not nn_data_features().
 *
 * Ownership: a constructor returns a new nn_data the caller frees with
 * nn_data_free().  Strings returned by accessors point into the data set and
 * stay valid until it is freed.  Nothing here prints or exits.
 */
#ifndef NN_DATA_H
#define NN_DATA_H

#include <stdint.h>

#include "err.h"

typedef struct nn_data nn_data;

typedef enum { NN_TRAIN = 0, NN_DEV = 1, NN_TEST = 2, NN_NSPLITS = 3 } nn_split;

typedef enum {
    NN_TASK_CLASSIFY, /* integer classes 0..classes-1 */
    NN_TASK_REGRESS,  /* one real target per example */
    NN_TASK_NONE      /* unlabeled (gauss): forward passes only */
} nn_task;

/* Options of the generators; zero fields take the defaults given. */
typedef struct nn_gen_opts {
    int n;          /* examples in all (default 300; gauss: 1000) */
    double noise;   /* default per kind: circles 0.08, moons 0.2,
                       spiral 0.2 (on the angle, radians), xor 0.1,
                       blobs 0.25 (cluster std), linear 0 (margin kept);
                       gauss takes none.  A negative value means "use the
                       default"; 0 is no noise */
    int classes;    /* spiral and blobs (default 3); others are fixed */
    double factor;  /* circles: inner radius / outer (default 0.5) */
    int dim;        /* gauss: input dimension (default 500) */
    uint64_t seed;  /* generation is deterministic for a seed */
} nn_gen_opts;

/* Names of the generators, NULL-terminated, for completion and help:
 * circles moons spiral xor blobs linear gauss. */
extern const char *const nn_gen_names[];

/* Generate `kind`.  Classes are balanced.  The result is split 70/15/15
 * (shuffled by opts->seed, stratified) unless kind is gauss, which is all
 * training data.  NULL and *err filled on an unknown kind or bad option. */
nn_data *nn_data_generate(const char *kind, const nn_gen_opts *opts,
                          nn_err *err);

/* How the CSV loader finds the label column and the header. */
typedef enum { NN_HEADER_AUTO, NN_HEADER_YES, NN_HEADER_NO } nn_header;
#define NN_LABEL_LAST (-1)
#define NN_LABEL_FIRST (-2)
#define NN_LABEL_NONE (-3)

/* Load a CSV file (optionally .gz).  label_col is NN_LABEL_LAST,
 * NN_LABEL_FIRST, NN_LABEL_NONE or a 0-based column.  Labels that are
 * integers with few distinct values (or any strings) are classes; strings
 * are mapped to classes in order of first appearance and kept as class
 * names; a numeric label column with many distinct non-integer values is
 * regression.  A header line of the iris form "150,4,name,name,..." names
 * the classes.  Split 70/15/15 by `seed`.  Errors name the file and line. */
nn_data *nn_data_load_csv(const char *path, int label_col, nn_header header,
                          uint64_t seed, nn_err *err);

/* What the CSV loader decided about the first line, for the program to
 * say: with header=auto a first row holding a name outside the label
 * column is a header; a number out of range or NaN is not a name, and is
 * refused where it stands (values must fit a float, ±3.4e38). */
typedef struct nn_csv_report {
    int header;      /* 1: the first line was a header, not data */
    char note[64];   /* "header: yes (first row has names)",
                        "header: no (first row is numbers)",
                        "header: yes (header=yes)", "header: no (header=no)";
                        "" when the file ended or failed before */
} nn_csv_report;

/* nn_data_load_csv, and what it decided into *report (may be NULL). */
nn_data *nn_data_load_csv_report(const char *path, int label_col,
                                 nn_header header, uint64_t seed,
                                 nn_csv_report *report, nn_err *err);
/* The same for a file of images ("data load FILE image=28x28"): each row's
 * features are one width x height image, row by row from the top.  An
 * error (and no data set) unless width x height equals the number of
 * features. */
nn_data *nn_data_load_csv_image(const char *path, int label_col,
                                nn_header header, uint64_t seed, int width,
                                int height, nn_csv_report *report,
                                nn_err *err);

/* Load IDX image/label files (MNIST, Fashion-MNIST), each gzipped or not.
 * Pixels are kept as bytes and scaled to [0,1] when filled.  `limit` > 0
 * keeps only the first `limit` training images (0 = all).  test_images and
 * test_labels may be NULL; when given they become the test split, and the
 * training files are split into train and dev (last 1/6 to dev, at most
 * 10000).  Without them, dev and test each take 1/6 (at most 10000) from
 * the end of the training files.  The set is named after the files'
 * directory ("fashion-mnist"); classes are "0".."9" (see
 * nn_data_set_class_names).  Magic numbers, dimensions, counts, labels
 * (0..9) and the gzip stream are validated. */
nn_data *nn_data_load_idx(const char *train_images, const char *train_labels,
                          const char *test_images, const char *test_labels,
                          int limit, nn_err *err);

void nn_data_free(nn_data *d);

/* Rename the set (a loader names it after its file or directory: "digits",
 * "fashion-mnist"); the string is copied.  -1 and *err only when out of
 * memory, and then the old name stays. */
int nn_data_set_name(nn_data *d, const char *name, nn_err *err);
/* Give the classes names ("T-shirt/top", ...); n must equal
 * nn_data_classes().  The strings are copied; on error nothing changes. */
int nn_data_set_class_names(nn_data *d, const char *const *names, int n,
                            nn_err *err);

/* --- what the set is ---------------------------------------------------- */
const char *nn_data_name(const nn_data *d);        /* "circles", file name */
nn_task nn_data_task(const nn_data *d);
int nn_data_features(const nn_data *d);
int nn_data_classes(const nn_data *d);             /* 0 unless classify */
const char *nn_data_class_name(const nn_data *d, int c); /* never NULL */
int nn_data_count(const nn_data *d, nn_split s);   /* examples in a split */
int nn_data_size(const nn_data *d);   /* examples in all, split or not */
int nn_data_class_count(const nn_data *d, nn_split s, int c);
/* Range of feature j over all examples, before normalization. */
void nn_data_feature_range(const nn_data *d, int j, double *lo, double *hi);
/* Range of the regression targets over all examples (0 and 0 unless the
 * task is regression). */
void nn_data_target_range(const nn_data *d, double *lo, double *hi);
/* 1 when the features are image pixels stored as bytes (IDX files), shown
 * as [0,1].  Whether the examples are images at all is
 * nn_data_image_size(): the digits are images of values 0..16. */
int nn_data_is_image(const nn_data *d);
/* 1, and the size in *width and *height, when every example is an image
 * (pixel j at column j % width, row j / width, top row first); else 0 and
 * zeros.  IDX sets know their size; a CSV set is told it by
 * nn_data_load_csv_image or nn_data_set_image (digits: 8 x 8). */
int nn_data_image_size(const nn_data *d, int *width, int *height);
/* Say the examples are width x height images (0 x 0: they are not).
 * width x height must equal the number of features; on error nothing
 * changes. */
int nn_data_set_image(nn_data *d, int width, int height, nn_err *err);

/* --- mini-batches -------------------------------------------------------- */
/* Fill `count` examples of split s, rows[i] being an index within the
 * split (rows == NULL means 0..count-1), into X (count x nn_data_inputs(),
 * row-major, preprocessed if preprocessing is on) and, if Y != NULL, into
 * Y (count x ycols):
 *   classify, ycols == 1: 1.0 for class 1, else 0.0 (binary problems);
 *   classify, ycols == classes: one-hot;
 *   regress: the target (ycols == 1);
 *   unlabeled (gauss): zeros, any ycols.
 * Other combinations are the caller's error (checked by nn_data_ycols_ok).
 * Allocation-free: called in the training loop.  With PCA on, rows pass
 * through a scratch buffer of the data set, so two threads must not fill
 * from one data set at once. */
void nn_data_fill(const nn_data *d, nn_split s, const int *rows, int count,
                  double *X, double *Y, int ycols);
/* Same, without preprocessing (for plotting points in their own units):
 * X is count x nn_data_features(). */
void nn_data_fill_raw(const nn_data *d, nn_split s, const int *rows,
                      int count, double *X);
int nn_data_ycols_ok(const nn_data *d, int ycols);
/* Class of one example (classify), or -1. */
int nn_data_label(const nn_data *d, nn_split s, int row);

/* --- splits and preprocessing -------------------------------------------- */
/* Re-split all examples.  If `percent`, the three numbers are percentages
 * summing to 100; otherwise counts summing to at most the total.  Shuffled
 * by seed, stratified by class for classification.  A set with its own
 * test set (IDX test files) keeps it as the test split when test is 0 and
 * divides only the rest; a test share pools everything.  Preprocessing,
 * if on, is re-fitted on the new training split.  On error nothing
 * changes. */
int nn_data_split(nn_data *d, double train, double dev, double test,
                  int percent, uint64_t seed, nn_err *err);
/* Examples of the set's own test set (IDX test files), or 0. */
int nn_data_own_test(const nn_data *d);

/* Keep only the first n training examples (the "overfit a tiny subset"
 * check); dev and test are untouched, preprocessing is re-fitted on the
 * n.  n larger than the training split is an error. */
int nn_data_subset(nn_data *d, int n, nn_err *err);

/* Preprocessing, fitted on the training split only and applied unchanged
 * to dev and test, re-fitted whenever the training split changes:
 *   NN_NORM_ZSCORE  x' = (x - mu_j) / sigma_j per feature (a constant
 *                   feature gets sigma 1)
 *   NN_NORM_SCALE   x' = (x - lo) / (hi - lo) with lo and hi the smallest
 *                   and largest value of any feature: pixels to [0, 1]
 *   NN_NORM_CENTER  x' = x - mu: the training means only (the mean image)
 *   NN_NORM_PCA     x'_i = v_i . (x - mu), i < k: the coordinates of the
 *                   centred x along the k leading eigenvectors v_i of the
 *                   training covariance (all by default): decorrelated,
 *                   in decreasing order of variance lambda_i
 *   NN_NORM_WHITEN  x'_i = v_i . (x - mu) / sqrt(lambda_i + eps), i < k:
 *                   PCA whitening, every component of variance ~1
 *   NN_NORM_ZCA     x' = V^T diag(1 / sqrt(lambda + eps)) V (x - mu):
 *                   whitened, then rotated back into the original axes,
 *                   so a pixel stays a pixel; all components
 * The covariance is the population one, (1/m) sum (x - mu)(x - mu)^T over
 * the m training examples.  As mu and sigma: the scale mode sets every
 * mu_j = lo, sigma_j = hi - lo; centre, pca, whiten and zca have mu the
 * training means and sigma 1. */
enum { NN_NORM_OFF, NN_NORM_ZSCORE, NN_NORM_SCALE, NN_NORM_CENTER,
       NN_NORM_PCA, NN_NORM_WHITEN, NN_NORM_ZCA, NN_NORM_COUNT };
/* "off" "zscore" "scale" "center" "pca" "whiten" "zca", NULL-terminated,
 * indexed by mode. */
extern const char *const nn_norm_names[];

#define NN_PREP_EPS 1e-5            /* whitening's default epsilon */
#define NN_PCA_MAX_FEATURES 4096    /* covariance of at most 4096^2 */

typedef struct nn_prep {
    int mode;     /* an NN_NORM_ mode */
    int k;        /* pca, whiten: leading components kept, 0 = all */
    double eps;   /* whiten, zca: 0 = NN_PREP_EPS */
} nn_prep;

/* Switch preprocessing to `mode` (off, zscore, scale, center; pca, whiten
 * and zca with every component and the default eps, if nn_data_preprocess
 * can: else nothing changes).  Any other nonzero mode is the z-score. */
void nn_data_normalize(nn_data *d, int mode);
/* Switch preprocessing to p (fitting it on the training split).  Errors:
 * an unknown mode, k outside 0..features or given to zca (which keeps
 * every component), eps negative or not finite, more than
 * NN_PCA_MAX_FEATURES features for pca/whiten/zca, out of memory, or an
 * eigen-decomposition that fails.  On error nothing changes. */
int nn_data_preprocess(nn_data *d, const nn_prep *p, nn_err *err);
/* The preprocessing in use, eps and k filled in (k = inputs for pca and
 * whiten, features for zca; 0 otherwise; eps 0 unless whiten or zca). */
void nn_data_get_prep(const nn_data *d, nn_prep *p);
int nn_data_normalized(const nn_data *d);   /* the mode */
/* Columns a filled row has, what the network must take: the features, or
 * k for pca and whiten with k components. */
int nn_data_inputs(const nn_data *d);

/* What was fitted.  Pointers into the data set, valid until the next
 * split, subset, normalize, preprocess or free:
 *   mu, sigma      per-feature mean and std in use (NULL when off);
 *                  nn_data_features() doubles
 *   eigenvalues    of the training covariance, decreasing (pca, whiten,
 *                  zca; else NULL); nn_data_features() doubles
 *   eigenvectors   features x features, row i the unit eigenvector of
 *                  eigenvalue i (pca, whiten, zca; else NULL) */
const double *nn_data_mu(const nn_data *d);
const double *nn_data_sigma(const nn_data *d);
const double *nn_data_eigenvalues(const nn_data *d);
const double *nn_data_eigenvectors(const nn_data *d);
/* Share of the training variance along the k leading components (k <= 0:
 * the components kept), in [0, 1]; NAN without pca, whiten or zca or when
 * the training data have no variance. */
double nn_data_variance_share(const nn_data *d, int k);

/* Apply the current preprocessing to raw rows in place: X holds count x
 * nn_data_features() raw values and receives count x nn_data_inputs()
 * (rows packed together when PCA keeps fewer components). */
void nn_data_transform(const nn_data *d, double *X, int count);
/* The same from raw (count x features) into a separate X (count x
 * inputs); raw == X is the in-place transform. */
void nn_data_transform_into(const nn_data *d, const double *raw, double *X,
                            int count);

/* The stages of decorrelating and whitening, for plotting them side by
 * side: raw, centred (x - mu), decorrelated (all PCA coordinates),
 * whitened (divided by sqrt(lambda + eps)), zca (rotated back). */
typedef enum { NN_STAGE_RAW, NN_STAGE_CENTERED, NN_STAGE_DECORRELATED,
               NN_STAGE_WHITENED, NN_STAGE_ZCA, NN_STAGE_COUNT } nn_stage;
/* "raw" "centered" "decorrelated" "whitened" "zca", NULL-terminated. */
extern const char *const nn_stage_names[];
/* Every example of split s at `stage` into X (count(s) x features), with
 * the statistics of the training split: the means and eigenvectors of the
 * current pca, whiten or zca if on, else fitted for this call (allocating;
 * the current preprocessing, whatever it is, is left alone).  eps 0 means
 * the current one, or NN_PREP_EPS.  -1 and *err on the errors of
 * nn_data_preprocess. */
int nn_data_stage(const nn_data *d, nn_split s, nn_stage stage, double eps,
                  double *X, nn_err *err);

#endif
