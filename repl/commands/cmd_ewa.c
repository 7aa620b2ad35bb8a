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
#include "commands.h"
#include "ewa.h"
#include "experiment.h"
#include "model.h"
#include "out.h"
#include "plot.h"

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

static int cmd_ewa(Session *s, int argc, char **argv)
{
    static const char *const series_names[] = { "temperature", "loss", NULL };
    Experiments *e = experiment_results(s);
    const char *betas = "0.9,0.98,0.5";
    int bias = 1, series = 0;
    const OptSpec spec[] = {
        { "beta", 'l', &betas, 0, 0, NULL, NULL },
        { "bias", 'b', &bias, 0, 0, NULL, NULL },
        { "series", 'e', &series, 0, 0, series_names, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (!e || !model_state(s) ||
        args_parse(s, argc, argv, 1, spec, NULL, 0) < 0)
        return CMD_ERR;
    double parsed[EXP_MAX_BETAS];
    int nb = 0;
    char *copy = strdup(betas), *save = NULL;
    for (char *b = strtok_r(copy, ",", &save); b;
         b = strtok_r(NULL, ",", &save)) {
        if (nb == EXP_MAX_BETAS || args_double(s, b, "beta", 0,
                                              0.9999, &parsed[nb])) {
            free(copy);
            return nb == EXP_MAX_BETAS ? cmd_error(s, "at most %d betas",
                                                   EXP_MAX_BETAS) : CMD_ERR;
        }
        nb++;
    }
    free(copy);
    double *y;
    int n;
    if (ewa_series(s, series, &y, &n))
        return cmd_error(s, "series=loss needs some training first");
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

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_ewa_rows[] = {
{
    .name = "ewa", .group = "Experiments", .fn = cmd_ewa,
    .usage = "ewa [beta=0.9,0.98,0.5] [bias=on|off] "
             "[series=temperature|loss]",
    .summary = "exponentially weighted averages and bias correction",
    .help =
        "beta=0.9,0.98,0.5    one curve per beta: v = beta*v + (1-beta)*x,\n"
        "                     an average of about 1/(1-beta) values\n"
        "bias=on|off          divide by (1 - beta^t), so the start is not\n"
        "                     pulled toward 0\n"
        "series=temperature   what to average: a year of daily\n"
        "                     temperatures, or the recorded training loss",
    .example = "ewa beta=0.9,0.98 bias=off",
    .keys = CMD_WORDS("beta=", "bias=on|off", "series=temperature|loss"),
},
{0},
};
