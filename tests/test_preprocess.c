/*
 * test_preprocess.c — input preprocessing (engine/preprocess.c): centring,
 * PCA, PCA whitening and ZCA whitening.  Whitened training data must have
 * identity covariance, PCA with k components must keep the share of the
 * variance it reports, and dev and test must be transformed with the
 * training statistics only: the tests reach into data_internal.h to plant
 * a wild dev value and show the fit never sees it.  The data are a
 * correlated Gaussian cloud built here (full rank, so whitening can reach
 * the identity) and the shipped digits (with constant border pixels, so
 * a rank-deficient covariance).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "data_internal.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* n examples of F correlated features: x = A z + offset, z normal with
 * standard deviations 1, 2, 4, ... (capped at 8); two classes by the sign
 * of x_0; split 70/15/15 by seed. */
static nn_data *correlated(int n, int F, uint64_t seed)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_alloc("cloud", NN_TASK_CLASSIFY, n, F, 2, 0, &err);
    assert_non_null(d);
    double *A = tu_rand(F * F, 1.0, seed);
    nn_rng r;
    nn_rng_seed(&r, seed, NN_STREAM_SEARCH, 5);
    double *z = malloc((size_t)F * sizeof *z);
    assert_non_null(z);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < F; k++)
            z[k] = nn_rng_normal(&r) * fmin(8, (double)(1 << k));
        for (int j = 0; j < F; j++) {
            double x = 3.0 + j; /* an offset that centring must remove */
            for (int k = 0; k < F; k++)
                x += A[j * F + k] * z[k];
            d->xf[(size_t)i * F + j] = (float)x;
        }
        d->label[i] = d->xf[(size_t)i * F] > 3.0f;
    }
    free(A), free(z);
    assert_int_equal(nn_data_finish(d, &err), 0);
    assert_int_equal(nn_data_split(d, 70, 15, 15, 1, seed, &err), 0);
    return d;
}

static nn_data *digits(void)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv_image("data/digits.csv.gz", NN_LABEL_LAST,
                                        NN_HEADER_NO, 1, 8, 8, NULL, &err);
    if (!d)
        fail_msg("digits: %s", err.msg);
    return d;
}

/* Split s filled (preprocessed) into a new array of count x inputs. */
static double *filled(const nn_data *d, nn_split s)
{
    int n = nn_data_count(d, s), k = nn_data_inputs(d);
    double *X = malloc((size_t)(n ? n : 1) * (size_t)k * sizeof *X);
    assert_non_null(X);
    nn_data_fill(d, s, NULL, n, X, NULL, 0);
    return X;
}

/* Population covariance of the k columns of X (n rows) into C (k x k);
 * column means into mean (k) if non-NULL. */
static void covariance_of(const double *X, int n, int k, double *C,
                          double *mean)
{
    double *m = calloc((size_t)k, sizeof *m);
    assert_non_null(m);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < k; j++)
            m[j] += X[(size_t)i * k + j] / n;
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += (X[(size_t)i * k + a] - m[a]) *
                     (X[(size_t)i * k + b] - m[b]);
            C[(size_t)a * k + b] = s / n;
        }
    if (mean)
        memcpy(mean, m, (size_t)k * sizeof *m);
    free(m);
}

/* Largest |C - want| where want is diag(diag) (diag NULL: identity). */
static double off_target(const double *C, int k, const double *diag)
{
    double worst = 0;
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double want = a != b ? 0 : diag ? diag[a] : 1;
            worst = fmax(worst, fabs(C[(size_t)a * k + b] - want));
        }
    return worst;
}

static void preprocess_ok(nn_data *d, int mode, int k, double eps)
{
    nn_err err = {{0}};
    nn_prep p = { mode, k, eps };
    if (nn_data_preprocess(d, &p, &err))
        fail_msg("%s k=%d eps=%g: %s", nn_norm_names[mode], k, eps, err.msg);
}

static void preprocess_fails(nn_data *d, int mode, int k, double eps,
                             const char *part)
{
    nn_err err = {{0}};
    nn_prep p = { mode, k, eps };
    if (nn_data_preprocess(d, &p, &err) == 0)
        fail_msg("%s k=%d eps=%g: accepted", nn_norm_names[mode], k, eps);
    if (!strstr(err.msg, part))
        fail_msg("message '%s' lacks '%s'", err.msg, part);
}

/* ------------------------------------------------------------------------
 * Centring
 * ------------------------------------------------------------------------ */

static void test_center(void **state)
{
    (void)state;
    nn_data *d = correlated(400, 3, 1);
    int n = nn_data_count(d, NN_TRAIN);
    double *raw = malloc((size_t)n * 3 * sizeof *raw), C0[9], C1[9], m[3];
    assert_non_null(raw);
    nn_data_fill_raw(d, NN_TRAIN, NULL, n, raw);
    covariance_of(raw, n, 3, C0, NULL);
    nn_data_normalize(d, NN_NORM_CENTER);
    assert_int_equal(nn_data_normalized(d), NN_NORM_CENTER);
    assert_int_equal(nn_data_inputs(d), 3);
    assert_null(nn_data_eigenvalues(d));
    double *X = filled(d, NN_TRAIN);
    covariance_of(X, n, 3, C1, m);
    for (int j = 0; j < 3; j++) {
        assert_float_equal(m[j], 0.0, 1e-12);       /* centred ... */
        assert_float_equal(nn_data_sigma(d)[j], 1.0, 0.0);
        assert_true(fabs(nn_data_mu(d)[j] - (3 + j)) < 2);
    }
    for (int i = 0; i < 9; i++)                      /* ... not scaled */
        assert_float_equal(C1[i], C0[i], 1e-9 * (1 + fabs(C0[i])));
    free(raw), free(X);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Whitening
 * ------------------------------------------------------------------------ */

/* Whitened and ZCA'd training data of a full-rank cloud: identity
 * covariance, to within eps / lambda_min. */
static void test_whiten_identity(void **state)
{
    (void)state;
    enum { F = 6 };
    nn_data *d = correlated(2000, F, 2);
    int n = nn_data_count(d, NN_TRAIN);
    double C[F * F], worst[2];
    for (int z = 0; z < 2; z++) {
        preprocess_ok(d, z ? NN_NORM_ZCA : NN_NORM_WHITEN, 0, 0);
        assert_int_equal(nn_data_inputs(d), F);
        double *X = filled(d, NN_TRAIN);
        covariance_of(X, n, F, C, NULL);
        worst[z] = off_target(C, F, NULL);
        /* the smallest eigenvalue is ~0.1 here: eps/lambda ~1e-4 at most */
        if (!(worst[z] < 1e-3))
            fail_msg("%s: covariance off the identity by %g",
                     z ? "zca" : "whiten", worst[z]);
        free(X);
    }
    printf("# measured: whitened training covariance within %.2g of I, "
           "ZCA within %.2g (6 correlated features, eps 1e-5)\n", worst[0],
           worst[1]);
    /* with a tiny eps the identity is reached to rounding */
    preprocess_ok(d, NN_NORM_WHITEN, 0, 1e-14);
    double *X = filled(d, NN_TRAIN);
    covariance_of(X, n, F, C, NULL);
    assert_true(off_target(C, F, NULL) < 1e-9);
    free(X);
    nn_data_free(d);
}

/* Digits have constant pixels: their whitened covariance is exactly
 * diag(lambda / (lambda + eps)), 1 on the real directions and 0 on the
 * null ones; ZCA is then a projection, V^T diag(...) V. */
static void test_whiten_digits(void **state)
{
    (void)state;
    nn_data *d = digits();
    int n = nn_data_count(d, NN_TRAIN), F = 64;
    double *C = malloc((size_t)F * F * sizeof *C);
    double *want = malloc((size_t)F * sizeof *want);
    assert_true(C && want);
    preprocess_ok(d, NN_NORM_WHITEN, 0, 1e-3);
    const double *lam = nn_data_eigenvalues(d);
    assert_non_null(lam);
    int null_dirs = 0;
    for (int i = 0; i < F; i++) {
        want[i] = lam[i] / (lam[i] + 1e-3);
        null_dirs += lam[i] < 1e-9;
    }
    assert_true(null_dirs >= 3); /* three pixels are 0 in every digit */
    double *X = filled(d, NN_TRAIN);
    covariance_of(X, n, F, C, NULL);
    double err = off_target(C, F, want);
    if (!(err < 1e-9))
        fail_msg("digits whitened: covariance off diag(l/(l+eps)) by %g",
                 err);
    /* the leading 40 components are far above eps: identity there */
    preprocess_ok(d, NN_NORM_WHITEN, 40, 0);
    lam = nn_data_eigenvalues(d); /* the old array went with the old fit */
    free(X);
    X = filled(d, NN_TRAIN);
    covariance_of(X, n, 40, C, NULL);
    double err40 = off_target(C, 40, NULL);
    assert_true(err40 < 1e-5);
    printf("# measured: digits whitened to 40 components: covariance within "
           "%.2g of I (lambda_40 = %.3g, eps 1e-5)\n", err40, lam[39]);
    free(X), free(C), free(want);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * PCA
 * ------------------------------------------------------------------------ */

/* k components: k inputs, decorrelated, of variances lambda_1..k, and
 * keeping the share of the total training variance it says. */
static void test_pca_variance_share(void **state)
{
    (void)state;
    nn_data *d = digits();
    int n = nn_data_count(d, NN_TRAIN), F = 64;
    double *raw = malloc((size_t)n * F * sizeof *raw);
    double *C = malloc((size_t)F * F * sizeof *C);
    assert_true(raw && C);
    nn_data_fill_raw(d, NN_TRAIN, NULL, n, raw);
    covariance_of(raw, n, F, C, NULL);
    double total = 0;
    for (int j = 0; j < F; j++)
        total += C[(size_t)j * F + j];
    static const int ks[] = { 2, 10, 30, 64 };
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        int k = ks[t];
        preprocess_ok(d, NN_NORM_PCA, k, 0);
        assert_int_equal(nn_data_inputs(d), k);
        assert_int_equal(nn_data_features(d), F);
        nn_prep p;
        nn_data_get_prep(d, &p);
        assert_true(p.mode == NN_NORM_PCA && p.k == k && p.eps == 0);
        double *X = filled(d, NN_TRAIN), *Ck = malloc((size_t)k * k * 8);
        assert_non_null(Ck);
        covariance_of(X, n, k, Ck, NULL);
        const double *lam = nn_data_eigenvalues(d);
        assert_true(off_target(Ck, k, lam) < 1e-9 * lam[0]);
        double kept = 0;
        for (int j = 0; j < k; j++)
            kept += Ck[(size_t)j * k + j];
        double share = nn_data_variance_share(d, 0);
        assert_float_equal(share, kept / total, 1e-9);
        assert_float_equal(nn_data_variance_share(d, k), share, 0);
        if (k == 2 || k == 10)
            printf("# measured: digits PCA keeps %.1f%% of the training "
                   "variance with %d components\n", 100 * share, k);
        /* the in-place transform packs the rows like fill */
        nn_data_fill_raw(d, NN_TRAIN, NULL, n, raw);
        nn_data_transform(d, raw, n);
        for (size_t i = 0; i < (size_t)n * k; i++)
            assert_float_equal(raw[i], X[i], 1e-9);
        free(X), free(Ck);
    }
    assert_float_equal(nn_data_variance_share(d, 64), 1.0, 1e-12);
    free(raw), free(C);
    nn_data_free(d);
}

/* Dev and test are mapped with the training statistics: a wild dev value
 * moves nothing, and a dev row comes out as V_k (x - mu_train). */
static void test_dev_uses_train_stats(void **state)
{
    (void)state;
    enum { F = 4, K = 2 };
    nn_data *d = correlated(600, F, 3);
    preprocess_ok(d, NN_NORM_PCA, K, 0);
    double mu[F], lam[F], V[F * F];
    memcpy(mu, nn_data_mu(d), sizeof mu);
    memcpy(lam, nn_data_eigenvalues(d), sizeof lam);
    memcpy(V, nn_data_eigenvectors(d), sizeof V);
    int dev0 = d->order[d->start[NN_DEV]];
    d->xf[(size_t)dev0 * F] = 1e4f;
    preprocess_ok(d, NN_NORM_PCA, K, 0); /* fitted again: the same */
    assert_memory_equal(mu, nn_data_mu(d), sizeof mu);
    assert_memory_equal(lam, nn_data_eigenvalues(d), sizeof lam);
    double raw[F], got[K];
    nn_data_fill_raw(d, NN_DEV, NULL, 1, raw);
    nn_data_fill(d, NN_DEV, NULL, 1, got, NULL, 0);
    assert_float_equal(raw[0], 1e4, 0);
    for (int k = 0; k < K; k++) {
        double want = 0;
        for (int j = 0; j < F; j++)
            want += V[k * F + j] * (raw[j] - mu[j]);
        assert_float_equal(got[k], want, 1e-9 * (1 + fabs(want)));
    }
    /* training columns have mean 0; the test split's do not, exactly */
    double *tr = filled(d, NN_TRAIN), *te = filled(d, NN_TEST);
    double C[K * K], mtr[K], mte[K];
    covariance_of(tr, nn_data_count(d, NN_TRAIN), K, C, mtr);
    covariance_of(te, nn_data_count(d, NN_TEST), K, C, mte);
    for (int k = 0; k < K; k++) {
        assert_float_equal(mtr[k], 0, 1e-9);
        assert_true(fabs(mte[k]) > 1e-6);
    }
    free(tr), free(te);
    nn_data_free(d);
}

/* A new split or a subset re-fits on the new training split. */
static void test_refit_on_split(void **state)
{
    (void)state;
    enum { F = 3 };
    nn_err err = {{0}};
    nn_data *d = correlated(500, F, 4);
    preprocess_ok(d, NN_NORM_WHITEN, 0, 0);
    double lam0 = nn_data_eigenvalues(d)[0];
    assert_int_equal(nn_data_subset(d, 40, &err), 0);
    assert_true(nn_data_eigenvalues(d)[0] != lam0);
    int n = nn_data_count(d, NN_TRAIN);
    double *X = filled(d, NN_TRAIN), C[F * F];
    covariance_of(X, n, F, C, NULL);
    assert_true(off_target(C, F, NULL) < 1e-3);
    free(X);
    assert_int_equal(nn_data_split(d, 60, 20, 20, 1, 9, &err), 0);
    assert_int_equal(nn_data_normalized(d), NN_NORM_WHITEN);
    X = filled(d, NN_TRAIN);
    covariance_of(X, nn_data_count(d, NN_TRAIN), F, C, NULL);
    assert_true(off_target(C, F, NULL) < 1e-3);
    free(X);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Modes, errors, stages
 * ------------------------------------------------------------------------ */

static void test_modes_and_errors(void **state)
{
    (void)state;
    nn_data *d = correlated(300, 3, 5);
    preprocess_ok(d, NN_NORM_PCA, 2, 0);
    preprocess_fails(d, NN_NORM_PCA, 4, 0, "expected 1 to 3");
    preprocess_fails(d, NN_NORM_PCA, -1, 0, "expected 1 to 3");
    preprocess_fails(d, NN_NORM_ZCA, 2, 0, "zca keeps every component");
    preprocess_fails(d, NN_NORM_WHITEN, 0, -1, "eps must be");
    preprocess_fails(d, NN_NORM_WHITEN, 0, NAN, "eps must be");
    preprocess_fails(d, NN_NORM_COUNT, 0, 0, "unknown");
    /* nothing changed */
    nn_prep p;
    nn_data_get_prep(d, &p);
    assert_true(p.mode == NN_NORM_PCA && p.k == 2 && p.eps == 0);
    assert_int_equal(nn_data_inputs(d), 2);
    preprocess_ok(d, NN_NORM_WHITEN, 0, 0.5);
    nn_data_get_prep(d, &p);
    assert_true(p.mode == NN_NORM_WHITEN && p.k == 3 && p.eps == 0.5);
    preprocess_ok(d, NN_NORM_ZCA, 3, 0);
    nn_data_get_prep(d, &p);
    assert_true(p.k == 3 && p.eps == NN_PREP_EPS);
    /* the old modes through the new call, and back */
    preprocess_ok(d, NN_NORM_ZSCORE, 0, 0);
    assert_int_equal(nn_data_normalized(d), NN_NORM_ZSCORE);
    assert_null(nn_data_eigenvalues(d));
    assert_true(isnan(nn_data_variance_share(d, 0)));
    assert_int_equal(nn_data_inputs(d), 3);
    nn_data_normalize(d, NN_NORM_PCA);
    assert_int_equal(nn_data_normalized(d), NN_NORM_PCA);
    assert_int_equal(nn_data_inputs(d), 3);
    nn_data_normalize(d, NN_NORM_OFF);
    assert_null(nn_data_mu(d));
    assert_int_equal(nn_data_inputs(d), 3);
    for (int m = 0; m < NN_NORM_COUNT; m++)
        assert_non_null(nn_norm_names[m]);
    assert_null(nn_norm_names[NN_NORM_COUNT]);
    nn_data_free(d);

    nn_err err = {{0}};
    nn_gen_opts o = { .n = 20, .noise = -1, .dim = NN_PCA_MAX_FEATURES + 1,
                      .seed = 1 };
    d = nn_data_generate("gauss", &o, &err);
    assert_non_null(d);
    preprocess_fails(d, NN_NORM_PCA, 0, 0, "too many");
    nn_data_free(d);
}

/* The plotting stages of a 2-D cloud: raw, centred (mean 0), decorrelated
 * (diagonal covariance lambda), whitened and zca (identity: with a tiny
 * eps, as this cloud is thin, lambda_2 ~ 0.003); the same whether the data
 * use a PCA or not, and zca equal to what zca feeds. */
static void test_stages(void **state)
{
    (void)state;
    enum { F = 2 };
    nn_err err = {{0}};
    nn_data *d = correlated(500, F, 6);
    int n = nn_data_count(d, NN_TRAIN);
    double *S[NN_STAGE_COUNT], C[F * F], m[F];
    for (int st = 0; st < NN_STAGE_COUNT; st++) {
        S[st] = malloc((size_t)n * F * sizeof *S[st]);
        assert_non_null(S[st]);
        assert_int_equal(nn_data_stage(d, NN_TRAIN, (nn_stage)st, 1e-12,
                                       S[st], &err), 0);
    }
    assert_int_equal(nn_data_normalized(d), NN_NORM_OFF); /* left alone */
    double *raw = malloc((size_t)n * F * sizeof *raw);
    assert_non_null(raw);
    nn_data_fill_raw(d, NN_TRAIN, NULL, n, raw);
    assert_memory_equal(raw, S[NN_STAGE_RAW], (size_t)n * F * sizeof *raw);
    covariance_of(S[NN_STAGE_CENTERED], n, F, C, m);
    assert_float_equal(m[0], 0, 1e-12);
    assert_true(fabs(C[1]) > 0.1); /* still correlated */
    covariance_of(S[NN_STAGE_DECORRELATED], n, F, C, NULL);
    assert_float_equal(C[1], 0, 1e-9);
    assert_true(C[0] > C[3]);
    covariance_of(S[NN_STAGE_WHITENED], n, F, C, NULL);
    assert_true(off_target(C, F, NULL) < 1e-6);
    covariance_of(S[NN_STAGE_ZCA], n, F, C, NULL);
    assert_true(off_target(C, F, NULL) < 1e-6);
    /* with a fitted zca the stages are the same, and zca is what feeds */
    preprocess_ok(d, NN_NORM_ZCA, 0, 1e-12);
    double *X = filled(d, NN_TRAIN);
    double *again = malloc((size_t)n * F * sizeof *again);
    assert_non_null(again);
    for (int st = 0; st < NN_STAGE_COUNT; st++) {
        assert_int_equal(nn_data_stage(d, NN_TRAIN, (nn_stage)st, 0, again,
                                       &err), 0);
        for (int i = 0; i < n * F; i++)
            assert_float_equal(again[i], S[st][i], 1e-9);
    }
    for (int i = 0; i < n * F; i++)
        assert_float_equal(X[i], S[NN_STAGE_ZCA][i], 1e-12);
    /* dev at a stage: the training statistics */
    assert_int_equal(nn_data_stage(d, NN_DEV, NN_STAGE_CENTERED, 0, again,
                                   &err), 0);
    nn_data_fill_raw(d, NN_DEV, NULL, 1, raw);
    for (int j = 0; j < F; j++)
        assert_float_equal(again[j], raw[j] - nn_data_mu(d)[j], 1e-12);
    assert_int_equal(nn_data_stage(d, NN_TRAIN, NN_STAGE_COUNT, 0, again,
                                   &err), -1);
    assert_int_equal(nn_data_stage(d, NN_TRAIN, NN_STAGE_ZCA, -1, again,
                                   &err), -1);
    for (int st = 0; st < NN_STAGE_COUNT; st++)
        free(S[st]);
    free(raw), free(X), free(again);
    nn_data_free(d);
}

/* A network takes the k inputs PCA keeps, trains on them, and a network
 * of the old width is refused with a message that says why. */
static void test_trainer_sees_components(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_data *d = digits();
    preprocess_ok(d, NN_NORM_WHITEN, 20, 0);
    const int wide[] = { 64, 10 }, narrow[] = { 20, 32, 10 };
    nn_net *bad = tu_net(wide, 2, NN_ACT_RELU, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                         NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    assert_int_equal(nn_trainer_bind(&tr, bad, d, &err), -1);
    assert_non_null(strstr(err.msg, "PCA keeps 20 of their 64 features"));
    nn_net *net = tu_net(narrow, 3, NN_ACT_RELU, NN_ACT_SOFTMAX,
                         NN_LOSS_XENT, NULL, 1);
    tr.opt.kind = NN_OPT_ADAM;
    tr.opt.lr = 0.003;
    tr.batch = 32;
    assert_int_equal(nn_trainer_bind(&tr, net, d, &err), 0);
    while (tr.epoch < 15) {
        nn_step_info info;
        assert_true(nn_trainer_step(&tr, &info, &err) >= 0);
    }
    double loss, acc;
    assert_int_equal(nn_trainer_evaluate(&tr, NN_DEV, &loss, &acc, &err), 0);
    printf("# measured: digits whitened to 20 components, 20-32-10 for 15 "
           "epochs: dev accuracy %.3f\n", acc);
    assert_true(acc > 0.9);
    nn_trainer_free(&tr);
    nn_net_free(net);
    nn_net_free(bad);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_center),
        cmocka_unit_test(test_whiten_identity),
        cmocka_unit_test(test_whiten_digits),
        cmocka_unit_test(test_pca_variance_share),
        cmocka_unit_test(test_dev_uses_train_stats),
        cmocka_unit_test(test_refit_on_split),
        cmocka_unit_test(test_modes_and_errors),
        cmocka_unit_test(test_stages),
        cmocka_unit_test(test_trainer_sees_components),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
