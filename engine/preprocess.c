/*
 * preprocess.c — input preprocessing: z-score, scaling, centring, PCA,
 * PCA whitening and ZCA whitening (see data.h for the formulas).
 *
 * Every statistic is fitted on the training split only, and the same map
 * is then applied to every split: that is the lesson, so it lives in one
 * place.  The per-feature modes are an affine map x' = (x - mu) / sigma.
 * The PCA modes centre the same way and then multiply by one matrix, proj,
 * built once per fit:
 *
 *   pca     proj = V_k                      (k x F: leading eigenvectors)
 *   whiten  proj = diag(1/sqrt(l + eps)) V_k
 *   zca     proj = V^T diag(1/sqrt(l + eps)) V   (F x F)
 *
 * so that transforming a chunk of rows is one matrix product through
 * nn_gemm.  The covariance is accumulated the same way, chunk by chunk,
 * and diagonalized by nn_eig_sym (LAPACK).  All of a PCA's buffers are
 * allocated when it is switched on, so a new split re-fits it without
 * allocating (nn_data_split must not fail half-way).
 */
#include "data_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mat.h"

const char *const nn_norm_names[] = { "off", "zscore", "scale", "center",
                                      "pca", "whiten", "zca", NULL };
const char *const nn_stage_names[] = { "raw", "centered", "decorrelated",
                                       "whitened", "zca", NULL };

static int is_pca_mode(int mode)
{
    return mode == NN_NORM_PCA || mode == NN_NORM_WHITEN ||
           mode == NN_NORM_ZCA;
}

/* ------------------------------------------------------------------------
 * Per-feature statistics
 * ------------------------------------------------------------------------ */

/* Mean of each feature over the training split. */
static void train_means(const nn_data *d, double *mean)
{
    int m = d->count[NN_TRAIN];
    for (int j = 0; j < d->features; j++)
        mean[j] = 0.0;
    for (int i = 0; i < m; i++) {
        int ex = nn_data_example(d, NN_TRAIN, i);
        for (int j = 0; j < d->features; j++)
            mean[j] += nn_data_raw_value(d, ex, j);
    }
    for (int j = 0; j < d->features; j++)
        mean[j] = m ? mean[j] / m : 0.0;
}

/* Mean and population standard deviation of each feature over the
 * training split only; two passes, for accuracy on large offsets. */
static void compute_stats(nn_data *d)
{
    int m = d->count[NN_TRAIN];
    train_means(d, d->mu);
    for (int j = 0; j < d->features; j++)
        d->sigma[j] = 0.0;
    for (int i = 0; i < m; i++) {
        int ex = nn_data_example(d, NN_TRAIN, i);
        for (int j = 0; j < d->features; j++) {
            double t = nn_data_raw_value(d, ex, j) - d->mu[j];
            d->sigma[j] += t * t;
        }
    }
    for (int j = 0; j < d->features; j++) {
        double s = m ? sqrt(d->sigma[j] / m) : 0.0;
        /* A constant feature (all pixels of a border, say) would divide by
         * zero; rounding makes "zero" slightly off, hence the tolerance. */
        if (!(s > 1e-12 * fmax(1.0, fabs(d->mu[j]))))
            s = 1.0;
        d->sigma[j] = s;
        d->inv_sigma[j] = 1.0 / s;
    }
}

/* The scale mode: one lo and one range for all features. */
static void compute_scale(nn_data *d)
{
    int m = d->count[NN_TRAIN];
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < m; i++) {
        int ex = nn_data_example(d, NN_TRAIN, i);
        for (int j = 0; j < d->features; j++) {
            double v = nn_data_raw_value(d, ex, j);
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    double range = m && hi > lo ? hi - lo : 1.0;
    for (int j = 0; j < d->features; j++) {
        d->mu[j] = m ? lo : 0.0;
        d->sigma[j] = range;
        d->inv_sigma[j] = 1.0 / range;
    }
}

/* Centring, and the first step of every PCA mode: sigma 1. */
static void unit_sigma(nn_data *d)
{
    for (int j = 0; j < d->features; j++)
        d->sigma[j] = d->inv_sigma[j] = 1.0;
}

/* ------------------------------------------------------------------------
 * PCA: the fit
 * ------------------------------------------------------------------------ */

static void pca_free(nn_pca *p)
{
    if (!p)
        return;
    free(p->mean);
    free(p->evals);
    free(p->evecs);
    free(p->proj);
    free(p->cov);
    free(p->chunk);
    nn_eig_free(&p->eig);
    free(p);
}

static nn_pca *pca_new(int features, int mode, int k, double eps)
{
    size_t f = (size_t)features, ff = f * f;
    nn_pca *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->features = features;
    p->mode = mode;
    p->k = mode == NN_NORM_ZCA || k <= 0 ? features : k;
    p->eps = eps > 0 ? eps : NN_PREP_EPS;
    p->mean = malloc((f ? f : 1) * sizeof *p->mean);
    p->evals = malloc((f ? f : 1) * sizeof *p->evals);
    p->evecs = malloc((ff ? ff : 1) * sizeof *p->evecs);
    p->proj = malloc((ff ? ff : 1) * sizeof *p->proj);
    p->cov = malloc((ff ? ff : 1) * sizeof *p->cov);
    p->chunk = malloc((size_t)NN_PREP_CHUNK * (f ? f : 1) * sizeof *p->chunk);
    if (!p->mean || !p->evals || !p->evecs || !p->proj || !p->cov ||
        !p->chunk || nn_eig_alloc(&p->eig, features)) {
        pca_free(p);
        return NULL;
    }
    return p;
}

/* Subtract the means from c rows of F values. */
static void centre_rows(double *X, int c, int F, const double *mean)
{
    for (int i = 0; i < c; i++) {
        double *x = X + (size_t)i * F;
        for (int j = 0; j < F; j++)
            x[j] -= mean[j];
    }
}

/* cov = (1/m) sum over the training rows of (x - mean)(x - mean)^T,
 * NN_PREP_CHUNK rows per product; then made exactly symmetric (the
 * Jacobi fallback reads both triangles). */
static void covariance(const nn_data *d, nn_pca *p)
{
    int F = p->features, m = d->count[NN_TRAIN];
    memset(p->cov, 0, (size_t)F * (size_t)F * sizeof *p->cov);
    for (int at = 0; at < m; at += NN_PREP_CHUNK) {
        int c = m - at < NN_PREP_CHUNK ? m - at : NN_PREP_CHUNK;
        nn_data_fill_raw_from(d, NN_TRAIN, NULL, at, c, p->chunk);
        centre_rows(p->chunk, c, F, p->mean);
        nn_gemm(1, 0, F, F, c, 1.0 / m, p->chunk, F, p->chunk, F, 1.0,
                p->cov, F);
    }
    for (int i = 0; i < F; i++)
        for (int j = i + 1; j < F; j++) {
            double *a = &p->cov[(size_t)i * F + j];
            double *b = &p->cov[(size_t)j * F + i];
            *a = *b = 0.5 * (*a + *b);
        }
}

/* The matrix a centred row is multiplied by for `mode` (see the top of
 * the file): k rows of F into M; tmp (F x F) is scratch for zca. */
static void stage_matrix(const nn_pca *p, int mode, int k, double eps,
                         double *M, double *tmp)
{
    int F = p->features;
    int rows = mode == NN_NORM_ZCA ? F : k;
    double *scaled = mode == NN_NORM_ZCA ? tmp : M;
    for (int i = 0; i < rows; i++) {
        double s = mode == NN_NORM_PCA ? 1.0 : 1.0 / sqrt(p->evals[i] + eps);
        const double *v = p->evecs + (size_t)i * F;
        double *out = scaled + (size_t)i * F;
        for (int j = 0; j < F; j++)
            out[j] = s * v[j];
    }
    if (mode == NN_NORM_ZCA) /* M = V^T (diag(s) V) */
        nn_gemm(1, 0, F, F, F, 1.0, p->evecs, F, tmp, F, 0.0, M, F);
}

/* Means, covariance, its eigen-decomposition, and proj.  0, or -1 when
 * the decomposition does not converge. */
static int pca_fit(const nn_data *d, nn_pca *p)
{
    int F = p->features;
    train_means(d, p->mean);
    covariance(d, p);
    memcpy(p->evecs, p->cov, (size_t)F * (size_t)F * sizeof *p->evecs);
    if (nn_eig_sym(&p->eig, p->evecs, p->evals))
        return -1;
    for (int i = 0; i < F; i++) /* rounding leaves null directions at -1e-17 */
        if (p->evals[i] < 0)
            p->evals[i] = 0;
    stage_matrix(p, p->mode, p->k, p->eps, p->proj, p->cov);
    return 0;
}

/* out (c x k) = the c centred rows in X times proj^T. */
static void project_chunk(const nn_pca *p, const double *M, int k,
                          const double *X, int c, double *out)
{
    nn_gemm(0, 1, c, k, p->features, 1.0, X, p->features, M, p->features,
            0.0, out, k);
}

/* ------------------------------------------------------------------------
 * Switching preprocessing on and off
 * ------------------------------------------------------------------------ */

/* Make d use its fitted PCA. */
static void use_pca(nn_data *d)
{
    memcpy(d->mu, d->pca->mean, (size_t)d->features * sizeof *d->mu);
    unit_sigma(d);
    d->inputs = d->pca->k;
}

void nn_data_prep_free(nn_data *d)
{
    pca_free(d->pca);
    d->pca = NULL;
    d->inputs = d->features;
}

void nn_data_prep_refit(nn_data *d)
{
    switch (d->normalized) {
    case NN_NORM_ZSCORE:
        compute_stats(d);
        return;
    case NN_NORM_SCALE:
        compute_scale(d);
        return;
    case NN_NORM_CENTER:
        train_means(d, d->mu);
        unit_sigma(d);
        return;
    default:
        break;
    }
    if (!d->pca)
        return;
    if (pca_fit(d, d->pca) == 0) {
        use_pca(d);
        return;
    }
    /* The decomposition of a covariance matrix converges in practice;
     * should it not, centre rather than keep statistics of the old split. */
    nn_data_prep_free(d);
    d->normalized = NN_NORM_CENTER;
    nn_data_prep_refit(d);
}

void nn_data_normalize(nn_data *d, int mode)
{
    if (is_pca_mode(mode)) {
        nn_prep p = { mode, 0, 0 };
        nn_data_preprocess(d, &p, NULL);
        return;
    }
    nn_data_prep_free(d);
    d->normalized = mode == NN_NORM_SCALE || mode == NN_NORM_CENTER ? mode
                  : mode ? NN_NORM_ZSCORE : NN_NORM_OFF;
    nn_data_prep_refit(d);
}

static int check_prep(const nn_data *d, const nn_prep *p, nn_err *err)
{
    if (p->mode < 0 || p->mode >= NN_NORM_COUNT)
        return nn_fail(err, "unknown preprocessing mode %d", p->mode);
    if (!is_pca_mode(p->mode))
        return 0;
    const char *name = nn_norm_names[p->mode];
    if (d->features > NN_PCA_MAX_FEATURES)
        return nn_fail(err, "%s: %d features are too many for a covariance "
                       "matrix (at most %d)", name, d->features,
                       NN_PCA_MAX_FEATURES);
    if (p->k < 0 || p->k > d->features)
        return nn_fail(err, "%s: %d components: expected 1 to %d (the "
                       "features), or 0 for all", name, p->k, d->features);
    if (p->mode == NN_NORM_ZCA && p->k != 0 && p->k != d->features)
        return nn_fail(err, "zca keeps every component (it rotates back "
                       "into the %d features); use pca or whiten to keep "
                       "%d", d->features, p->k);
    if (!(p->eps >= 0) || !isfinite(p->eps))
        return nn_fail(err, "%s: eps must be a number >= 0 (0 for the "
                       "default %g), not %g", name, NN_PREP_EPS, p->eps);
    return 0;
}

int nn_data_preprocess(nn_data *d, const nn_prep *p, nn_err *err)
{
    if (check_prep(d, p, err))
        return -1;
    if (!is_pca_mode(p->mode)) {
        nn_data_normalize(d, p->mode);
        return 0;
    }
    nn_pca *fit = pca_new(d->features, p->mode, p->k, p->eps);
    if (!fit)
        return nn_fail(err, "%s: out of memory for the covariance of %d "
                       "features", nn_norm_names[p->mode], d->features);
    if (pca_fit(d, fit)) {
        pca_free(fit);
        return nn_fail(err, "%s: the eigen-decomposition of the covariance "
                       "did not converge", nn_norm_names[p->mode]);
    }
    nn_data_prep_free(d);
    d->pca = fit;
    d->normalized = p->mode;
    use_pca(d);
    return 0;
}

void nn_data_get_prep(const nn_data *d, nn_prep *p)
{
    p->mode = d->normalized;
    p->k = d->pca ? d->pca->k : 0;
    p->eps = d->pca && d->normalized != NN_NORM_PCA ? d->pca->eps : 0;
}

int nn_data_normalized(const nn_data *d) { return d->normalized; }
int nn_data_inputs(const nn_data *d) { return d->inputs; }

const double *nn_data_mu(const nn_data *d)
{
    return d->normalized ? d->mu : NULL;
}

const double *nn_data_sigma(const nn_data *d)
{
    return d->normalized ? d->sigma : NULL;
}

const double *nn_data_eigenvalues(const nn_data *d)
{
    return d->pca ? d->pca->evals : NULL;
}

const double *nn_data_eigenvectors(const nn_data *d)
{
    return d->pca ? d->pca->evecs : NULL;
}

double nn_data_variance_share(const nn_data *d, int k)
{
    if (!d->pca)
        return NAN;
    int F = d->features;
    if (k <= 0 || k > F)
        k = k <= 0 ? d->pca->k : F;
    double kept = 0, all = 0;
    for (int i = 0; i < F; i++) {
        all += d->pca->evals[i];
        if (i < k)
            kept += d->pca->evals[i];
    }
    return all > 0 ? kept / all : NAN;
}

/* ------------------------------------------------------------------------
 * Transforming rows
 * ------------------------------------------------------------------------ */

/* Through the PCA: each chunk of rows is copied and centred in the
 * scratch buffer before its output is written, and output row i never
 * lies past input row i (k <= F), so raw may be X. */
static void pca_transform(const nn_data *d, const double *raw, double *X,
                          int count)
{
    const nn_pca *p = d->pca;
    int F = d->features;
    for (int at = 0; at < count; at += NN_PREP_CHUNK) {
        int c = count - at < NN_PREP_CHUNK ? count - at : NN_PREP_CHUNK;
        memcpy(p->chunk, raw + (size_t)at * F,
               (size_t)c * (size_t)F * sizeof *p->chunk);
        centre_rows(p->chunk, c, F, p->mean);
        project_chunk(p, p->proj, p->k, p->chunk, c,
                      X + (size_t)at * (size_t)p->k);
    }
}

void nn_data_transform_into(const nn_data *d, const double *raw, double *X,
                            int count)
{
    size_t f = (size_t)d->features;
    if (d->pca) {
        pca_transform(d, raw, X, count);
        return;
    }
    if (!d->normalized) {
        if (raw != X)
            memcpy(X, raw, (size_t)count * f * sizeof *X);
        return;
    }
    for (int i = 0; i < count; i++) {
        const double *r = raw + (size_t)i * f;
        double *x = X + (size_t)i * f;
        for (size_t j = 0; j < f; j++)
            x[j] = (r[j] - d->mu[j]) * d->inv_sigma[j];
    }
}

void nn_data_transform(const nn_data *d, double *X, int count)
{
    nn_data_transform_into(d, X, X, count);
}

void nn_data_prep_fill(const nn_data *d, nn_split s, const int *rows,
                       int count, double *X)
{
    const nn_pca *p = d->pca;
    for (int at = 0; at < count; at += NN_PREP_CHUNK) {
        int c = count - at < NN_PREP_CHUNK ? count - at : NN_PREP_CHUNK;
        nn_data_fill_raw_from(d, s, rows, at, c, p->chunk);
        centre_rows(p->chunk, c, d->features, p->mean);
        project_chunk(p, p->proj, p->k, p->chunk, c,
                      X + (size_t)at * (size_t)p->k);
    }
}

/* ------------------------------------------------------------------------
 * The stages, for plots
 * ------------------------------------------------------------------------ */

/* X (n x F, raw) to `stage` in place with the decomposition in p. */
static int stage_rows(const nn_pca *p, nn_stage stage, double eps, double *X,
                      int n, nn_err *err)
{
    int F = p->features;
    size_t ff = (size_t)F * (size_t)F;
    double *M = malloc((ff ? ff : 1) * sizeof *M);
    double *tmp = malloc((ff ? ff : 1) * sizeof *tmp);
    double *chunk = malloc((size_t)NN_PREP_CHUNK * (F ? F : 1) *
                           sizeof *chunk);
    if (!M || !tmp || !chunk) {
        free(M), free(tmp), free(chunk);
        return nn_fail(err, "out of memory for the stages of %d features",
                       F);
    }
    int mode = stage == NN_STAGE_DECORRELATED ? NN_NORM_PCA
             : stage == NN_STAGE_WHITENED ? NN_NORM_WHITEN : NN_NORM_ZCA;
    stage_matrix(p, mode, F, eps, M, tmp);
    for (int at = 0; at < n; at += NN_PREP_CHUNK) {
        int c = n - at < NN_PREP_CHUNK ? n - at : NN_PREP_CHUNK;
        double *rows = X + (size_t)at * F;
        memcpy(chunk, rows, (size_t)c * (size_t)F * sizeof *chunk);
        centre_rows(chunk, c, F, p->mean);
        project_chunk(p, M, F, chunk, c, rows);
    }
    free(M), free(tmp), free(chunk);
    return 0;
}

/* X (n x F, raw) minus the training means. */
static int stage_centre(const nn_data *d, double *X, int n, nn_err *err)
{
    int F = d->features;
    if (d->pca) {
        centre_rows(X, n, F, d->pca->mean);
        return 0;
    }
    double *mean = malloc((size_t)(F ? F : 1) * sizeof *mean);
    if (!mean)
        return nn_fail(err, "out of memory");
    train_means(d, mean);
    centre_rows(X, n, F, mean);
    free(mean);
    return 0;
}

int nn_data_stage(const nn_data *d, nn_split s, nn_stage stage, double eps,
                  double *X, nn_err *err)
{
    if ((int)s < 0 || s >= NN_NSPLITS)
        return nn_fail(err, "unknown split %d", (int)s);
    if ((int)stage < 0 || stage >= NN_STAGE_COUNT)
        return nn_fail(err, "unknown stage %d", (int)stage);
    nn_prep check = { NN_NORM_ZCA, 0, eps };
    if (stage >= NN_STAGE_DECORRELATED && check_prep(d, &check, err))
        return -1;
    int n = d->count[s];
    nn_data_fill_raw(d, s, NULL, n, X);
    if (stage == NN_STAGE_RAW)
        return 0;
    if (stage == NN_STAGE_CENTERED)
        return stage_centre(d, X, n, err);
    if (d->pca)
        return stage_rows(d->pca, stage, eps > 0 ? eps : d->pca->eps, X, n,
                          err);
    nn_pca *own = pca_new(d->features, NN_NORM_PCA, 0, eps);
    if (!own)
        return nn_fail(err, "out of memory for the covariance of %d "
                       "features", d->features);
    int rc = pca_fit(d, own) ? nn_fail(err, "the eigen-decomposition of the "
                                       "covariance did not converge")
                             : stage_rows(own, stage, own->eps, X, n, err);
    pca_free(own);
    return rc;
}
