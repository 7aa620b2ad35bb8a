/*
 * layer_bn.c — batch norm's gamma and beta set by hand (see layer_bn.h).
 *
 * The course shows that batch norm can learn to be the identity: with
 * gamma = sqrt(sigma^2 + eps) and beta = mu, z~ = gamma z_norm + beta is z
 * again.  Setting them by hand (forward train show=L prints the command
 * with this batch's mu and sigma^2) lets a student see it happen.
 */
#include "layer_bn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "out.h"

#define BN_VALUES_MAX 100000

/* "1.5" or "1.2,0.8,1.1" into a new array. */
static int parse_list(Session *s, const char *key, const char *text,
                      double **out, int *n)
{
    char *copy = strdup(text), *save = NULL;
    double *v = malloc(sizeof *v * (strlen(text) / 2 + 1));
    *n = 0;
    if (!copy || !v) {
        free(copy), free(v);
        return cmd_error(s, "out of memory"), -1;
    }
    char what[16];
    snprintf(what, sizeof what, "%s", key);
    for (char *w = strtok_r(copy, ",", &save); w;
         w = strtok_r(NULL, ",", &save))
        if (*n == BN_VALUES_MAX ||
            args_double(s, w, what, -1e6, 1e6, &v[(*n)++])) {
            if (*n == BN_VALUES_MAX)
                cmd_error(s, "%s: at most %d values", key, BN_VALUES_MAX);
            free(copy), free(v);
            return -1;
        }
    free(copy);
    if (*n == 0) {
        free(v);
        return cmd_error(s, "%s= needs a value, or one per unit separated "
                         "by commas", key), -1;
    }
    *out = v;
    return 0;
}

int bn_values_parse(Session *s, const char *gamma, const char *beta,
                    BnValues *v)
{
    memset(v, 0, sizeof *v);
    if ((gamma && parse_list(s, "gamma", gamma, &v->gamma, &v->ngamma)) ||
        (beta && parse_list(s, "beta", beta, &v->beta, &v->nbeta))) {
        bn_values_free(v);
        return -1;
    }
    return 0;
}

int bn_values_check(Session *s, const BnValues *v, int pos, int bn,
                    int cols)
{
    if (!v->gamma && !v->beta)
        return 0;
    if (!bn)
        return cmd_error(s, "gamma and beta belong to batch norm, which "
                         "layer %d does not have: layer set %d bn=on "
                         "gamma=...", pos, pos), -1;
    const char *names[] = { "gamma", "beta" };
    int counts[] = { v->ngamma, v->nbeta };
    for (int k = 0; k < 2; k++)
        if (counts[k] > 1 && counts[k] != cols)
            return cmd_error(s, "%s: layer %d has %d pre-activations, so "
                             "give one value for all or %d, got %d",
                             names[k], pos, cols, cols, counts[k]), -1;
    return 0;
}

/* Fill dst[0..cols) from v (one value, or one each). */
static void fill(double *dst, const double *v, int n, int cols)
{
    for (int j = 0; j < cols; j++)
        dst[j] = v[n == 1 ? 0 : j];
}

void bn_values_apply(Session *s, nn_net *net, int pos, const BnValues *v)
{
    nn_layer *l = &net->L[pos - 1];
    int cols = nn_layer_zcols(l);
    if (v->gamma)
        fill(l->gamma.w.v, v->gamma, v->ngamma, cols);
    if (v->beta)
        fill(l->beta.w.v, v->beta, v->nbeta, cols);
    if (!v->gamma && !v->beta)
        return;
    out_printf(s, "layer %d: batch norm's z~ = gamma z_norm + beta with",
               pos);
    const char *names[] = { " gamma", " beta" };
    const double *vals[] = { l->gamma.w.v, l->beta.w.v };
    for (int k = 0; k < 2; k++) {
        out_printf(s, "%s", names[k]);
        for (int j = 0; j < cols && j < 8; j++)
            out_printf(s, "%s%.6g", j ? "," : "=", vals[k][j]);
        if (cols > 8)
            out_printf(s, ",... (%d values)", cols);
    }
    out_printf(s, "\n");
}

void bn_values_free(BnValues *v)
{
    free(v->gamma);
    free(v->beta);
    memset(v, 0, sizeof *v);
}
