/*
 * augment.h — data augmentation: random shifts, rotations, zooms, flips
 * and pixel noise applied to training images as the batches are made.
 *
 * A network that sees every digit a pixel to the left or a few degrees
 * askew learns that those changes do not matter, which is what a small
 * training set cannot teach it otherwise.  The transformations are drawn
 * afresh for every example of every training batch from a seeded stream
 * (the trainer's NN_STREAM_AUGMENT), so the same seed gives the same
 * batches.  Only training batches are augmented: dev and test, and every
 * evaluation, see the examples as they are.
 *
 * Augmentation works on raw values, before normalization or PCA (which
 * were fitted on the unaugmented training split).  Geometric changes need
 * images (nn_data_image_size); noise alone works on any data.
 *
 * Nothing here prints; nothing here allocates except nn_augment_images
 * and nn_augment_sample, which say so.
 */
#ifndef NN_AUGMENT_H
#define NN_AUGMENT_H

#include <stddef.h>

#include "data.h"
#include "err.h"
#include "rng.h"

typedef enum { NN_FLIP_NONE, NN_FLIP_H, NN_FLIP_V } nn_flip;
/* "none" "h" "v", NULL-terminated. */
extern const char *const nn_flip_names[];

/* What to draw for each example; all zero (the default) is off. */
typedef struct nn_augment {
    double shift;   /* pixels: dx and dy each drawn uniformly from
                       [-shift, shift] (fractions interpolated) */
    double rotate;  /* degrees: an angle uniform in [-rotate, rotate] */
    nn_flip flip;   /* mirror left-right (h) or upside down (v), each
                       example with probability 1/2 */
    double noise;   /* std of Gaussian noise added to every value, as a
                       fraction of the data's value range (images: of all
                       pixels, so 0.1 is a tenth of black-to-white for
                       MNIST's [0,1] and digits' 0..16 alike; other data:
                       of each feature's own range) */
    double zoom;    /* scale drawn log-uniformly from [1/zoom, zoom];
                       0 or 1 = none */
} nn_augment;

/* Limits, checked by nn_augment_check. */
#define NN_AUG_MAX_SHIFT 1000.0
#define NN_AUG_MAX_ROTATE 180.0
#define NN_AUG_MAX_ZOOM 4.0
#define NN_AUG_MAX_NOISE 10.0

/* 1 when a changes anything; 1 when it moves pixels (shift, rotate,
 * flip, zoom). */
int nn_augment_on(const nn_augment *a);
int nn_augment_geometric(const nn_augment *a);

/* 0 when a is valid for data d (d may be NULL: values only): shift 0..
 * the image's smaller side, rotate 0..180, noise 0..10, zoom 0 or 1..4,
 * a known flip (NaN nowhere), and geometry only on images.  Else -1 and
 * *err saying what was wrong. */
int nn_augment_check(const nn_augment *a, const nn_data *d, nn_err *err);

/* Doubles of work nn_augment_fill needs for batches of `rows` rows of d:
 * (rows + 1) x features. */
size_t nn_augment_work(const nn_data *d, int rows);

/* Fill `count` training examples (rows as in nn_data_fill) augmented by a
 * with draws from rng: X gets count x nn_data_inputs() values, augmented
 * and then preprocessed; Y as nn_data_fill.  work holds
 * nn_augment_work(d, count) doubles.  a must pass nn_augment_check for d.
 * Allocation-free: called in the training loop. */
void nn_augment_fill(const nn_augment *a, const nn_data *d, const int *rows,
                     int count, double *X, double *Y, int ycols, nn_rng *rng,
                     double *work);

/* Augment `count` images of width x height values in X (row by row, top
 * first) in place, drawing from rng; noise is a fraction of `range`.
 * Allocates one image of work: -1 and *err when out of memory or when a
 * is not valid for images of that size. */
int nn_augment_images(const nn_augment *a, int width, int height,
                      double range, double *X, int count, nn_rng *rng,
                      nn_err *err);

/* For a `plot augment` grid: training examples rows[0..count-1] (NULL:
 * the first count) of d, as they are into orig (if non-NULL) and
 * augmented into out, each count x features raw values, drawn from the
 * augment stream of `seed` (not the trainer's: the picture does not
 * advance training).  Allocates; -1 and *err when d has no images,
 * count is out of range, a is invalid, or memory runs out. */
int nn_augment_sample(const nn_augment *a, const nn_data *d,
                      const int *rows, int count, uint64_t seed,
                      double *orig, double *out, nn_err *err);

#endif
