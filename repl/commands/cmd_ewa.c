/*
 * cmd_ewa.c — the ewa command: exponentially weighted averages of a noisy
 * series (a year of daily temperatures, or the training loss), with and
 * without bias correction, as the course introduces them before momentum,
 * RMSprop and Adam.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "experiment.h"
#include "handlers.h"
#include "model.h"
#include "out.h"
#include "plot.h"

void ewa_apply(const double *theta, int n, double beta, int bias, double *v)
{
    double acc = 0, power = 1;
    for (int t = 0; t < n; t++) {
        acc = beta * acc + (1 - beta) * theta[t];
        power *= beta;
        v[t] = bias ? acc / (1 - power) : acc;
    }
}

int ewa_series(Session *s, int which, double **y, int *n)
{
    if (which == 1) {
        const nn_history *h = s->model ? &s->model->tr.hist : NULL;
        if (!h || h->n < 2)
            return -1;
        *n = h->n;
        *y = malloc((size_t)h->n * sizeof **y);
        if (*y)
            memcpy(*y, h->loss, (size_t)h->n * sizeof **y);
        return *y ? 0 : -1;
    }
    /* a year of daily temperatures: a seasonal swing and daily noise */
    nn_rng rng;
    nn_rng_seed(&rng, 7, NN_STREAM_SEARCH, 1);
    *n = 365;
    *y = malloc(365 * sizeof **y);
    if (!*y)
        return -1;
    for (int d = 0; d < 365; d++)
        (*y)[d] = 11 + 8 * sin(2 * M_PI * (d - 110) / 365.0) +
                  3 * nn_rng_normal(&rng);
    return 0;
}

static void ewa_table(Session *s, const Experiments *e, const double *y,
                      int n)
{
    double *v[EXP_MAX_BETAS][2] = { { NULL } };
    int kinds = e->bias ? 2 : 1; /* with bias=on, the corrected v too */
    OutTable *t = out_table_new(2 + kinds * e->nbetas);
    out_table_cell(t, "t");
    out_table_cell(t, "theta");
    for (int b = 0; b < e->nbetas; b++) {
        out_table_cell(t, "v b=%g", e->betas[b]);
        if (e->bias)
            out_table_cell(t, "corrected");
        for (int c = 0; c < kinds; c++) {
            v[b][c] = malloc((size_t)n * sizeof(double));
            if (v[b][c])
                ewa_apply(y, n, e->betas[b], c, v[b][c]);
        }
    }
    int rows[] = { 1, 2, 3, 5, 10, 20, 50, 100, n };
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
        int i = rows[r] - 1;
        if (i >= n || (r > 0 && rows[r] <= rows[r - 1]))
            continue;
        out_table_cell(t, "%d", i + 1);
        out_table_cell(t, "%.2f", y[i]);
        for (int b = 0; b < e->nbetas; b++)
            for (int c = 0; c < kinds; c++) {
                if (v[b][c])
                    out_table_cell(t, "%.2f", v[b][c][i]);
                else
                    out_table_cell(t, "-");
            }
    }
    out_table_print(s, t);
    for (int b = 0; b < e->nbetas; b++)
        for (int c = 0; c < 2; c++)
            free(v[b][c]);
}

int cmd_ewa(Session *s, int argc, char **argv)
{
    static const char *const series_names[] = { "temperature", "loss", NULL };
    Experiments *e = experiments(s);
    const char *betas = "0.9,0.98,0.5";
    int bias = 1, series = 0;
    const OptSpec spec[] = {
        { "beta", 'l', &betas, 0, 0, NULL, NULL },
        { "bias", 'b', &bias, 0, 0, NULL, NULL },
        { "series", 'e', &series, 0, 0, series_names, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (!e || !model_state(s) ||
        args_parse(s, "ewa", argc, argv, 1, spec, NULL, 0) < 0)
        return CMD_ERR;
    double parsed[EXP_MAX_BETAS];
    int nb = 0;
    char *copy = strdup(betas), *save = NULL;
    for (char *b = strtok_r(copy, ",", &save); b;
         b = strtok_r(NULL, ",", &save)) {
        if (nb == EXP_MAX_BETAS || arg_double(s, "ewa", b, "beta", 0,
                                              0.9999, &parsed[nb])) {
            free(copy);
            return nb == EXP_MAX_BETAS ? cmd_error(s, "ewa: at most %d betas",
                                                   EXP_MAX_BETAS) : CMD_ERR;
        }
        nb++;
    }
    free(copy);
    double *y;
    int n;
    if (ewa_series(s, series, &y, &n))
        return cmd_error(s, "ewa: series=loss needs some training first");
    memcpy(e->betas, parsed, sizeof parsed);
    e->nbetas = nb;
    e->bias = bias;
    e->series = series;
    out_printf(s, "ewa over %d %s: v_t = beta*v_(t-1) + (1-beta)*theta_t, "
               "v_0 = 0%s\n", n,
               series ? "training losses" : "daily temperatures",
               bias ? "; corrected = v_t / (1 - beta^t)" : "");
    for (int b = 0; b < nb; b++)
        out_printf(s, "  beta %g averages roughly the last 1/(1-beta) = %.0f "
                   "values\n", parsed[b], 1 / (1 - parsed[b]));
    ewa_table(s, e, y, n);
    free(y);
    plot_show_experiment(s, "ewa");
    return CMD_OK;
}
