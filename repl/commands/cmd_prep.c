/*
 * cmd_prep.c — the input preprocessing: normalize (z-score, scaling,
 * centring, PCA, PCA whitening, ZCA), and showing what was fitted.
 *
 * Preprocessing belongs to the session's data: it is fitted on their
 * training split only, a new data set starts without it, and a split or
 * subset fits it again.  save records the choice (not the statistics) in
 * the model file and load fits it again on the data loaded then
 * (prep_load), so that a network reloaded sees the inputs it was
 * trained on.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "experiment.h"
#include "model.h"
#include "out.h"

/* ------------------------------------------------------------------ */
/* Saying what is on                                                    */
/* ------------------------------------------------------------------ */

static int is_pca(int mode)
{
    return mode == NN_NORM_PCA || mode == NN_NORM_WHITEN ||
           mode == NN_NORM_ZCA;
}

void prep_describe(const nn_data *d, char *buf, size_t n)
{
    nn_prep p;
    nn_data_get_prep(d, &p);
    int F = nn_data_features(d);
    double kept = 100 * nn_data_variance_share(d, 0);
    switch (p.mode) {
    case NN_NORM_OFF:
        snprintf(buf, n, "off");
        break;
    case NN_NORM_ZSCORE:
        snprintf(buf, n, "on (z-score)");
        break;
    case NN_NORM_SCALE:
        snprintf(buf, n, "on (scaled to [0, 1])");
        break;
    case NN_NORM_CENTER:
        snprintf(buf, n, "center (the training means subtracted)");
        break;
    case NN_NORM_PCA:
    case NN_NORM_WHITEN:
        snprintf(buf, n, "%s (%d of %d components, %.1f%% of the variance%s",
                 nn_norm_names[p.mode], p.k, F, kept,
                 p.mode == NN_NORM_WHITEN ? "" : ")");
        if (p.mode == NN_NORM_WHITEN)
            snprintf(buf + strlen(buf), n - strlen(buf), ", eps %g)", p.eps);
        break;
    default:
        snprintf(buf, n, "zca (eps %g)", p.eps);
        break;
    }
}

/* "normalize whiten 10 eps=1e-05" as typed (K 0: all, left out). */
static void prep_typed(const nn_prep *p, char *buf, size_t n)
{
    static const char *const typed[] = { "off", "on", "scale", "center",
                                         "pca", "whiten", "zca" };
    int w = snprintf(buf, n, "normalize %s", typed[p->mode]);
    if ((p->mode == NN_NORM_PCA || p->mode == NN_NORM_WHITEN) && p->k &&
        w > 0 && (size_t)w < n)
        w += snprintf(buf + w, n - (size_t)w, " %d", p->k);
    if ((p->mode == NN_NORM_WHITEN || p->mode == NN_NORM_ZCA) && w > 0 &&
        (size_t)w < n)
        snprintf(buf + w, n - (size_t)w, " eps=%g", p->eps);
}

/* "normalize whiten 10 eps=1e-05" as typed; K only when fewer than all. */
static void prep_command(const nn_data *d, char *buf, size_t n)
{
    nn_prep p;
    nn_data_get_prep(d, &p);
    if (p.k == nn_data_features(d))
        p.k = 0;
    prep_typed(&p, buf, n);
}

/* Ranges, and the statistics fitted per feature, for data or normalize. */
static void features_summary(Session *s, const nn_data *d, const double *mu,
                             const double *sd)
{
    int F = nn_data_features(d);
    double lo = INFINITY, hi = -INFINITY;
    for (int j = 0; j < F; j++) {
        double a, b;
        nn_data_feature_range(d, j, &a, &b);
        lo = fmin(lo, a);
        hi = fmax(hi, b);
    }
    /* the ranges are of the stored values, before any preprocessing */
    out_printf(s, "  features: %d, %svalues in [%.4g, %.4g]\n", F,
               mu ? "raw " : "", lo, hi);
    if (!mu)
        return;
    double m0 = INFINITY, m1 = -INFINITY, s0 = INFINITY, s1 = -INFINITY;
    for (int j = 0; j < F; j++) {
        m0 = fmin(m0, mu[j]), m1 = fmax(m1, mu[j]);
        if (sd)
            s0 = fmin(s0, sd[j]), s1 = fmax(s1, sd[j]);
    }
    if (sd)
        out_printf(s, "  z-scored: train means from %.4g to %.4g, train "
                   "stds from %.4g to %.4g (1 for a constant feature)\n",
                   m0, m1, s0, s1);
    else
        out_printf(s, "  centred: train means from %.4g to %.4g\n", m0, m1);
}

void prep_show_features(Session *s, const nn_data *d)
{
    int F = nn_data_features(d), mode = nn_data_normalized(d);
    const double *mu = nn_data_mu(d), *sd = nn_data_sigma(d);
    if (mode == NN_NORM_SCALE)
        mu = sd = NULL; /* one lo and range for all, said by normalize */
    if (mode != NN_NORM_ZSCORE)
        sd = NULL;      /* centre, pca, whiten, zca: sigma is 1 */
    if (nn_data_is_image(d) && !mu) {
        out_printf(s, "  features: %d pixels, scaled to [0, 1]\n", F);
        return;
    }
    if (F > 8) {
        features_summary(s, d, mu, sd);
        return;
    }
    OutTable *t = out_table_new(3 + (mu != NULL) + (sd != NULL));
    out_table_cell(t, "feature");
    out_table_cell(t, "min");
    out_table_cell(t, "max");
    if (mu)
        out_table_cell(t, "train mean");
    if (sd)
        out_table_cell(t, "train std");
    for (int j = 0; j < F; j++) {
        double a, b;
        nn_data_feature_range(d, j, &a, &b);
        out_table_cell(t, "x%d", j + 1);
        out_table_cell(t, "%.4g", a);
        out_table_cell(t, "%.4g", b);
        if (mu)
            out_table_cell(t, "%.4g", mu[j]);
        if (sd)
            out_table_cell(t, "%.4g", sd[j]);
    }
    out_table_print(s, t);
}

/* The eigenvalues of the training covariance, as fits a terminal: all of
 * them up to 8, else the first 8 and the variance the first K keep for a
 * few K, to choose K by. */
static void show_eigen(Session *s, const nn_data *d, int kept)
{
    const double *ev = nn_data_eigenvalues(d);
    int F = nn_data_features(d), rows = F <= 8 ? F : 8;
    double all = 0;
    for (int i = 0; i < F; i++)
        all += ev[i];
    OutTable *t = out_table_new(4);
    out_table_cell(t, "component");
    out_table_cell(t, "eigenvalue");
    out_table_cell(t, "share");
    out_table_cell(t, "cumulative");
    double cum = 0;
    for (int i = 0; i < rows; i++) {
        cum += ev[i];
        out_table_cell(t, "%d%s", i + 1, i < kept ? "" : " (dropped)");
        out_table_cell(t, "%.4g", ev[i]);
        out_table_cell(t, "%.1f%%", all > 0 ? 100 * ev[i] / all : 0);
        out_table_cell(t, "%.1f%%", all > 0 ? 100 * cum / all : 0);
    }
    out_table_print(s, t);
    if (F <= 8)
        return;
    static const int ks[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
    out_printf(s, "  ... %d components in all, the smallest eigenvalue %.3g; "
               "variance kept by the first K:", F, ev[F - 1]);
    for (size_t i = 0; i < sizeof ks / sizeof *ks && ks[i] < F; i++)
        out_printf(s, "%s %d: %.1f%%", i ? "," : "", ks[i],
                   100 * nn_data_variance_share(d, ks[i]));
    out_printf(s, "\n");
}

/* Work (multiply-adds) above which the covariance of the inputs is not
 * measured: Fashion-MNIST whitened in all its 784 components would take
 * tens of seconds. */
#define COV_MAX_WORK 3e8

/* "within 3.2e-05 of 0", or "0 (below 1e-9)" for rounding noise (the
 * directions of no variance make some). */
static const char *near_zero(char *buf, size_t n, double v)
{
    if (v < 1e-9)
        snprintf(buf, n, "0 (below 1e-9)");
    else
        snprintf(buf, n, "within %.2g of 0", v);
    return buf;
}

/* Components of more than a millionth of the largest eigenvalue. */
static int fewer_k(const nn_data *d)
{
    const double *ev = nn_data_eigenvalues(d);
    int F = nn_data_features(d), k = 1;
    while (k < F && ev[k] > 1e-6 * ev[0])
        k++;
    return k;
}

/* The covariance of the training inputs the network now sees, measured
 * (not what it should be): decorrelated means 0 off the diagonal, white
 * means the identity too. */
static void show_covariance(Session *s, const nn_data *d, int white)
{
    int m = nn_data_count(d, NN_TRAIN), K = nn_data_inputs(d);
    if (m < 2 || (double)m * K * K > COV_MAX_WORK)
        return;
    double *X = malloc((size_t)m * K * sizeof *X);
    double *mu = calloc((size_t)K, sizeof *mu);
    if (!X || !mu) {
        free(X);
        free(mu);
        return;
    }
    nn_data_fill(d, NN_TRAIN, NULL, m, X, NULL, 0);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < K; j++)
            mu[j] += X[(size_t)i * K + j] / m;
    double dlo = INFINITY, dhi = -INFINITY, off = 0, eye = 0, mean = 0;
    for (int a = 0; a < K; a++) {
        mean = fmax(mean, fabs(mu[a]));
        for (int b = a; b < K; b++) {
            double c = 0;
            for (int i = 0; i < m; i++)
                c += (X[(size_t)i * K + a] - mu[a]) *
                     (X[(size_t)i * K + b] - mu[b]);
            c /= m; /* the population covariance, as the fit's */
            if (a == b) {
                dlo = fmin(dlo, c);
                dhi = fmax(dhi, c);
                eye = fmax(eye, fabs(c - 1));
            } else {
                off = fmax(off, fabs(c));
            }
        }
    }
    char a[32], b[32], c[32];
    out_printf(s, "  measured on the %d training inputs: means %s, variances "
               "%.4g to %.4g, covariances off the diagonal %s", m,
               near_zero(a, sizeof a, mean), dlo, dhi,
               near_zero(b, sizeof b, off));
    if (white)
        out_printf(s, "; C - I %s", near_zero(c, sizeof c, fmax(eye, off)));
    out_printf(s, "\n");
    if (white && dlo < 0.5)
        out_printf(s, "  (components of no variance stay at 0 whatever eps: "
                   "keep fewer, e.g. normalize whiten %d)\n", fewer_k(d));
    free(X);
    free(mu);
}

/* What the new preprocessing does, in a line, and what it fitted. */
static void explain(Session *s, const nn_data *d)
{
    nn_prep p;
    nn_data_get_prep(d, &p);
    int m = nn_data_count(d, NN_TRAIN), F = nn_data_features(d);
    double kept = 100 * nn_data_variance_share(d, 0);
    switch (p.mode) {
    case NN_NORM_OFF:
        out_printf(s, "normalize off: the network sees the raw features\n");
        return;
    case NN_NORM_ZSCORE:
        out_printf(s, "normalize on: x' = (x - mu) / sigma with mu and sigma "
                   "from the %d training examples only, applied unchanged "
                   "to dev and test\n", m);
        break;
    case NN_NORM_SCALE:
        out_printf(s, "normalize scale: x' = (x - %g) / %g, the smallest and "
                   "the range of all values in the %d training examples "
                   "(pixels to [0, 1]), applied unchanged to dev and test\n",
                   nn_data_mu(d)[0], nn_data_sigma(d)[0], m);
        break;
    case NN_NORM_CENTER:
        out_printf(s, "normalize center: x' = x - mu, the means of the %d "
                   "training examples (the mean image), applied unchanged "
                   "to dev and test\n", m);
        break;
    case NN_NORM_PCA:
        out_printf(s, "normalize pca: x'_i = v_i . (x - mu) for the %d leading "
                   "eigenvectors v_i of the covariance of the %d training "
                   "examples (of %d): decorrelated, in decreasing order of "
                   "variance, keeping %.1f%% of it\n", p.k, m, F, kept);
        break;
    case NN_NORM_WHITEN:
        out_printf(s, "normalize whiten: x'_i = v_i . (x - mu) / sqrt(lambda_i "
                   "+ %g) for the %d leading eigenvectors of the covariance "
                   "of the %d training examples (of %d): decorrelated, each "
                   "of variance about 1, keeping %.1f%% of the variance\n",
                   p.eps, p.k, m, F, kept);
        break;
    default:
        out_printf(s, "normalize zca: x' = V^T diag(1/sqrt(lambda + %g)) V "
                   "(x - mu) with the eigenvectors V of the covariance of "
                   "the %d training examples: whitened, then rotated back "
                   "into the %d features, so a pixel stays a pixel\n",
                   p.eps, m, F);
        break;
    }
    if (is_pca(p.mode)) {
        show_eigen(s, d, p.k);
        show_covariance(s, d, p.mode != NN_NORM_PCA);
    } else {
        prep_show_features(s, d);
    }
}

/* ------------------------------------------------------------------ */
/* Changing it                                                          */
/* ------------------------------------------------------------------ */

/* The same preprocessing: k counts for pca and whiten only (zca keeps
 * all whatever it says), eps for whiten and zca. */
static int same_prep(const nn_prep *a, const nn_prep *b)
{
    int m = a->mode;
    return m == b->mode &&
           (a->k == b->k || (m != NN_NORM_PCA && m != NN_NORM_WHITEN)) &&
           (a->eps == b->eps || (m != NN_NORM_WHITEN && m != NN_NORM_ZCA));
}

/* After the data's preprocessing changed from `before` (which gave
 * `inputs` columns): drop what depended on it, and say when the network
 * no longer fits (once, when the inputs change). */
static void prep_changed(Session *s, const nn_prep *before, int inputs)
{
    nn_prep now;
    nn_data_get_prep(s->data, &now);
    if (same_prep(before, &now))
        return;
    model_data_changed(s, "the preprocessing changed");
    int in = nn_data_inputs(s->data);
    if (s->net && s->net->n_in != in && in != inputs)
        out_printf(s, "note: the network takes %d input%s and the data now "
                   "give %d: build a new one with net %d ...\n", s->net->n_in,
                   s->net->n_in == 1 ? "" : "s", in, in);
}

/* Remember "normalize ..." among the data's commands, as if typed, so
 * that an exported search makes the same inputs. */
static void note_prep(Session *s, const char *text)
{
    char copy[96], *argv[8], *save;
    int argc = 0;
    snprintf(copy, sizeof copy, "%s", text);
    for (char *w = strtok_r(copy, " ", &save); w && argc < 8;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    experiment_note_data(s, model_seed(s), argc, argv, 0);
}

void prep_load(Session *s, const nn_prep *p)
{
    char text[96];
    nn_prep before;
    nn_err err;
    ModelState *m = model_state(s);
    if (m && s->data && nn_augment_on(&m->tr.aug) &&
        nn_augment_check(&m->tr.aug, s->data, &err)) {
        m->tr.aug = (nn_augment){ 0 };
        out_printf(s, "augment off: %s\n", err.msg);
    }
    prep_typed(p, text, sizeof text);
    if (!s->data) {
        if (p->mode != NN_NORM_OFF)
            out_printf(s, "note: the network was saved with %s: type it "
                       "after loading its data\n", text);
        return;
    }
    nn_data_get_prep(s->data, &before);
    int inputs = nn_data_inputs(s->data);
    if (p->mode == NN_NORM_OFF) {
        /* files from before preprocessing was recorded say nothing of
         * it: the data stay as the user made them */
        if (before.mode != NN_NORM_OFF) {
            prep_command(s->data, text, sizeof text);
            out_printf(s, "note: the file records no preprocessing (saved "
                       "with normalize off, or by an older nnlab); the data "
                       "keep %s\n", text);
        }
        return;
    }
    if (same_prep(&before, p))
        return;
    if (nn_data_preprocess(s->data, p, &err)) {
        out_printf(s, "note: the network was saved with %s, which these data "
                   "cannot take (%s); the data stay as they were\n", text,
                   err.msg);
        return;
    }
    note_prep(s, text);
    prep_command(s->data, text, sizeof text);
    out_printf(s, "%s, as the model file says: fitted on the %d training "
               "examples of %s\n", text, nn_data_count(s->data, NN_TRAIN),
               nn_data_name(s->data));
    prep_changed(s, &before, inputs);
}

/* The words after normalize into *p; 0, or -1 after reporting. */
static int parse_prep(Session *s, int argc, char **argv, nn_prep *p)
{
    static const char *const modes[] = { "off", "on", "zscore", "scale",
                                         "center", "pca", "whiten", "zca",
                                         NULL };
    static const int mode_of[] = { NN_NORM_OFF, NN_NORM_ZSCORE,
                                   NN_NORM_ZSCORE, NN_NORM_SCALE,
                                   NN_NORM_CENTER, NN_NORM_PCA,
                                   NN_NORM_WHITEN, NN_NORM_ZCA };
    double eps = -1;
    char *pos[2];
    int k;
    const OptSpec spec[] = { { "eps", 'd', &eps, 0, 1e6, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    int np = args_parse(s, argc, argv, 1, spec, pos, 2);
    if (np < 0)
        return -1;
    if (np == 0)
        return cmd_error(s, "expected a mode: on, off, scale, center, pca "
                         "[K], whiten [K] or zca"), -1;
    if (args_enum(s, pos[0], "mode", modes, &k))
        return -1;
    *p = (nn_prep){ mode_of[k], 0, 0 };
    int F = nn_data_features(s->data);
    if (np == 2 && p->mode == NN_NORM_ZCA)
        return cmd_error(s, "zca keeps every component (it rotates back into "
                         "the %d features); use pca or whiten to keep fewer",
                         F), -1;
    if (np == 2 && p->mode != NN_NORM_PCA && p->mode != NN_NORM_WHITEN)
        return cmd_error(s, "%s takes nothing more, got '%s' (only pca and "
                         "whiten take a number of components)", pos[0],
                         pos[1]), -1;
    long K = 0;
    if (np == 2 && args_int(s, pos[1], "number of components", 1, F, &K))
        return -1;
    if (eps >= 0 && p->mode != NN_NORM_WHITEN && p->mode != NN_NORM_ZCA)
        return cmd_error(s, "eps= is for whiten and zca"), -1;
    p->k = (int)K;
    p->eps = eps > 0 ? eps : 0;
    return 0;
}

/* The network's inputs would change under a running training. */
static int inputs_change_while_running(Session *s, const nn_prep *p)
{
    if (!s->job.active || !s->net)
        return 0;
    int F = nn_data_features(s->data);
    int in = (p->mode == NN_NORM_PCA || p->mode == NN_NORM_WHITEN) && p->k
                 ? p->k : F;
    if (in == s->net->n_in)
        return 0;
    cmd_error(s, "training is running and the network takes %d inputs, but "
              "this would give %d: type pause first", s->net->n_in, in);
    return 1;
}

static int cmd_normalize(Session *s, int argc, char **argv)
{
    if (model_need_data(s))
        return CMD_ERR;
    if (argc == 1) {
        char text[96], what[160];
        prep_command(s->data, text, sizeof text);
        nn_prep p;
        nn_data_get_prep(s->data, &p);
        if (p.mode == NN_NORM_PCA || p.mode == NN_NORM_WHITEN) {
            snprintf(what, sizeof what, "(%d of %d components, %.1f%% of "
                     "the variance)", p.k, nn_data_features(s->data),
                     100 * nn_data_variance_share(s->data, 0));
            out_printf(s, "%s %s\n", text, what);
        } else {
            out_printf(s, "%s\n", text);
        }
        return CMD_OK;
    }
    nn_prep p, before;
    if (parse_prep(s, argc, argv, &p) || inputs_change_while_running(s, &p))
        return CMD_ERR;
    nn_err err;
    nn_data_get_prep(s->data, &before);
    int inputs = nn_data_inputs(s->data);
    if (nn_data_preprocess(s->data, &p, &err))
        return cmd_error(s, "%s", err.msg);
    experiment_note_data(s, model_seed(s), argc, argv, 0);
    explain(s, s->data);
    prep_changed(s, &before, inputs);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_prep_rows[] = {
{
    .name = "normalize", .group = "Data", .fn = cmd_normalize,
    .usage = "normalize [on|off|scale|center|pca [K]|whiten [K]|zca] "
             "[eps=1e-5]",
    .summary = "preprocess the inputs with the training set's statistics",
    .help =
        "on                   x = (x - mu) / sigma for each feature, with mu\n"
        "                     and sigma from the training set only, applied\n"
        "                     unchanged to dev and test (mu and sigma shown)\n"
        "scale                x = (x - lo) / (hi - lo), lo and hi the least\n"
        "                     and greatest value of the training set: pixel\n"
        "                     values (digits' 0..16) to [0, 1]\n"
        "center               x = x - mu: the means only (the mean image)\n"
        "pca [K]              the coordinates along the K leading\n"
        "                     eigenvectors of the training covariance (all\n"
        "                     by default): decorrelated; with K fewer than\n"
        "                     the features the network takes K inputs\n"
        "whiten [K]           PCA, each component divided by\n"
        "                     sqrt(eigenvalue + eps): variance 1 each\n"
        "zca                  whitened, then rotated back: a pixel stays a\n"
        "                     pixel\n"
        "eps=1e-5             whiten and zca: added to each eigenvalue, so\n"
        "                     components of no variance do not blow up\n"
        "off                  the raw features (the default)\n"
        "Features on very different scales stretch the cost surface, so\n"
        "gradient descent needs a small learning rate and zig-zags.  The\n"
        "preprocessing belongs to the data: fitted on their training split\n"
        "(again after split or subset), off for new data; save records it\n"
        "and load fits it again on the data then loaded (a file without it\n"
        "leaves the data as they are).  plot data shows 2-D data raw,\n"
        "centred, decorrelated and whitened.  Alone, normalize shows which\n"
        "is in use.",
    .example = "normalize whiten 10",
    .words = CMD_WORDS("@norms"),
    .keys = CMD_WORDS("eps="),
},
{0},
};
