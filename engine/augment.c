/*
 * augment.c — data augmentation of training images (see augment.h).
 *
 * Each example gets its own random affine map about the image centre c:
 * a flip F, a zoom s, a rotation R(theta) and a shift t, so that the
 * pixel at p lands at  q = c + t + s R(theta) (F(p) - c).  The augmented
 * image is computed backwards: every output pixel q looks up
 *
 *     p = F( R(-theta) (q - c - t) / s + c )
 *
 * in the original by bilinear interpolation, and whatever comes from
 * outside the image is 0 (the black background of MNIST and the digits).
 * Shifts are drawn from a continuous range: on the 8x8 digits a whole
 * pixel is an eighth of the image, and half-pixel shifts (with small
 * rotations) are what helps a small training set (tests/test_augment.c).
 *
 * Every example draws the same six uniforms (shift x, shift y, angle,
 * zoom, flip h, flip v) whatever is switched on, then its noise: with one
 * seed, switching rotation on does not change the shifts drawn.
 */
#include "augment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

const char *const nn_flip_names[] = { "none", "h", "v", NULL };

int nn_augment_geometric(const nn_augment *a)
{
    return a->shift > 0 || a->rotate > 0 || a->flip != NN_FLIP_NONE ||
           a->zoom > 1;
}

int nn_augment_on(const nn_augment *a)
{
    return nn_augment_geometric(a) || a->noise > 0;
}

/* ------------------------------------------------------------------------
 * Checking a spec
 * ------------------------------------------------------------------------ */

static int check_values(const nn_augment *a, nn_err *err)
{
    if (!(a->shift >= 0 && a->shift <= NN_AUG_MAX_SHIFT))
        return nn_fail(err, "shift must be 0 to %g pixels, not %g",
                       NN_AUG_MAX_SHIFT, a->shift);
    if (!(a->rotate >= 0 && a->rotate <= NN_AUG_MAX_ROTATE))
        return nn_fail(err, "rotate must be 0 to %g degrees, not %g",
                       NN_AUG_MAX_ROTATE, a->rotate);
    if ((int)a->flip < 0 || a->flip > NN_FLIP_V)
        return nn_fail(err, "flip must be none, h or v");
    if (!(a->noise >= 0 && a->noise <= NN_AUG_MAX_NOISE))
        return nn_fail(err, "noise must be 0 to %g (a fraction of the value "
                       "range), not %g", NN_AUG_MAX_NOISE, a->noise);
    if (!(a->zoom == 0 || (a->zoom >= 1 && a->zoom <= NN_AUG_MAX_ZOOM)))
        return nn_fail(err, "zoom must be 1 (none) to %g, a factor by which "
                       "images grow or shrink, not %g", NN_AUG_MAX_ZOOM,
                       a->zoom);
    return 0;
}

static int check_size(const nn_augment *a, int width, int height,
                      nn_err *err)
{
    int side = width < height ? width : height;
    if (a->shift > side)
        return nn_fail(err, "shift %g moves a %dx%d image out of sight: at "
                       "most %d", a->shift, width, height, side);
    return 0;
}

int nn_augment_check(const nn_augment *a, const nn_data *d, nn_err *err)
{
    int w, h;
    if (check_values(a, err))
        return -1;
    if (!d || !nn_augment_geometric(a))
        return 0;
    if (!nn_data_image_size(d, &w, &h))
        return nn_fail(err, "%s are not images: shifts, rotations, flips "
                       "and zooms need images (noise alone works on any "
                       "data)", nn_data_name(d));
    return check_size(a, w, h, err);
}

/* ------------------------------------------------------------------------
 * One example
 * ------------------------------------------------------------------------ */

typedef struct warp {
    double cosv, sinv, inv_scale;
    double tx, ty;
    int flip_h, flip_v;
} warp;

static warp draw_warp(const nn_augment *a, nn_rng *rng)
{
    double u[6];
    for (int i = 0; i < 6; i++)
        u[i] = nn_rng_uniform(rng);
    double theta = a->rotate * (2 * u[2] - 1) * (M_PI / 180.0);
    double scale = a->zoom > 1 ? exp(log(a->zoom) * (2 * u[3] - 1)) : 1.0;
    warp w = { cos(theta), sin(theta), 1.0 / scale,
               a->shift * (2 * u[0] - 1), a->shift * (2 * u[1] - 1),
               a->flip == NN_FLIP_H && u[4] < 0.5,
               a->flip == NN_FLIP_V && u[5] < 0.5 };
    return w;
}

/* Pixel (x, y) of src, 0 outside. */
static double pixel(const double *src, int width, int height, int x, int y)
{
    if (x < 0 || y < 0 || x >= width || y >= height)
        return 0.0;
    return src[(size_t)y * width + x];
}

static double bilinear(const double *src, int width, int height, double px,
                       double py)
{
    double fx = floor(px), fy = floor(py);
    double ax = px - fx, ay = py - fy;
    if (!(fx > -2 && fy > -2 && fx < width && fy < height))
        return 0.0; /* far outside (also keeps the casts in range) */
    int x = (int)fx, y = (int)fy;
    double top = (1 - ax) * pixel(src, width, height, x, y) +
                 ax * pixel(src, width, height, x + 1, y);
    double bottom = (1 - ax) * pixel(src, width, height, x, y + 1) +
                    ax * pixel(src, width, height, x + 1, y + 1);
    return (1 - ay) * top + ay * bottom;
}

/* dst = src under w (see the top of the file). */
static void apply_warp(const warp *w, int width, int height,
                       const double *src, double *dst)
{
    double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            double qx = x - cx - w->tx, qy = y - cy - w->ty;
            double px = (w->cosv * qx + w->sinv * qy) * w->inv_scale + cx;
            double py = (-w->sinv * qx + w->cosv * qy) * w->inv_scale + cy;
            if (w->flip_h)
                px = (width - 1) - px;
            if (w->flip_v)
                py = (height - 1) - py;
            dst[(size_t)y * width + x] = bilinear(src, width, height, px, py);
        }
    }
}

/* The noise of one example: std scale (images), or scale_j per feature. */
typedef struct noise_scale {
    double all;              /* images: noise x the range of all pixels */
    const double *lo, *hi;   /* otherwise each feature's own range */
    double noise;
} noise_scale;

/* Augment one example of n values in x (an image when width > 0);
 * tmp holds n doubles. */
static void augment_one(const nn_augment *a, int width, int height,
                        const noise_scale *ns, double *x, int n, double *tmp,
                        nn_rng *rng)
{
    warp w = draw_warp(a, rng);
    if (width > 0 && nn_augment_geometric(a)) {
        apply_warp(&w, width, height, x, tmp);
        memcpy(x, tmp, (size_t)n * sizeof *x);
    }
    if (!(a->noise > 0))
        return;
    for (int j = 0; j < n; j++) {
        double s = ns->lo ? ns->noise * (ns->hi[j] - ns->lo[j]) : ns->all;
        x[j] += s * nn_rng_normal(rng);
    }
}

/* Noise scales for the examples of d. */
static noise_scale noise_of(const nn_augment *a, const nn_data *d)
{
    noise_scale ns = { 0, NULL, NULL, a->noise };
    if (d->width > 0) {
        double lo = INFINITY, hi = -INFINITY;
        for (int j = 0; j < d->features; j++) {
            lo = fmin(lo, d->lo[j]);
            hi = fmax(hi, d->hi[j]);
        }
        ns.all = d->features ? a->noise * (hi - lo) : 0;
    } else {
        ns.lo = d->lo;
        ns.hi = d->hi;
    }
    return ns;
}

/* ------------------------------------------------------------------------
 * Batches, images, samples
 * ------------------------------------------------------------------------ */

size_t nn_augment_work(const nn_data *d, int rows)
{
    return ((size_t)(rows > 0 ? rows : 0) + 1) * (size_t)d->features;
}

void nn_augment_fill(const nn_augment *a, const nn_data *d, const int *rows,
                     int count, double *X, double *Y, int ycols, nn_rng *rng,
                     double *work)
{
    int F = d->features;
    double *tmp = work + (size_t)count * F;
    noise_scale ns = noise_of(a, d);
    nn_data_fill_raw(d, NN_TRAIN, rows, count, work);
    for (int i = 0; i < count; i++)
        augment_one(a, d->width, d->height, &ns, work + (size_t)i * F, F, tmp,
                    rng);
    nn_data_transform_into(d, work, X, count);
    if (Y)
        nn_data_fill_y(d, NN_TRAIN, rows, count, Y, ycols);
}

int nn_augment_images(const nn_augment *a, int width, int height,
                      double range, double *X, int count, nn_rng *rng,
                      nn_err *err)
{
    if (width < 1 || height < 1)
        return nn_fail(err, "images are at least 1x1, not %dx%d", width,
                       height);
    if (check_values(a, err) || check_size(a, width, height, err))
        return -1;
    size_t n = (size_t)width * (size_t)height;
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return nn_fail(err, "out of memory for a %dx%d image", width,
                       height);
    noise_scale ns = { a->noise * range, NULL, NULL, a->noise };
    for (int i = 0; i < count; i++)
        augment_one(a, width, height, &ns, X + i * n, (int)n, tmp, rng);
    free(tmp);
    return 0;
}

int nn_augment_sample(const nn_augment *a, const nn_data *d,
                      const int *rows, int count, uint64_t seed,
                      double *orig, double *out, nn_err *err)
{
    int m = d->count[NN_TRAIN], F = d->features;
    if (nn_augment_check(a, d, err))
        return -1;
    if (count < 1 || count > m)
        return nn_fail(err, "%d examples: the training split has %d", count,
                       m);
    for (int i = 0; rows && i < count; i++)
        if (rows[i] < 0 || rows[i] >= m)
            return nn_fail(err, "training example %d does not exist (0 to "
                           "%d)", rows[i], m - 1);
    double *tmp = malloc((size_t)(F ? F : 1) * sizeof *tmp);
    if (!tmp)
        return nn_fail(err, "out of memory");
    nn_rng rng;
    nn_rng_seed(&rng, seed, NN_STREAM_AUGMENT, 1);
    noise_scale ns = noise_of(a, d);
    nn_data_fill_raw(d, NN_TRAIN, rows, count, out);
    if (orig)
        memcpy(orig, out, (size_t)count * F * sizeof *orig);
    for (int i = 0; i < count; i++)
        augment_one(a, d->width, d->height, &ns, out + (size_t)i * F, F, tmp,
                    &rng);
    free(tmp);
    return 0;
}
