/*
 * cmd_ewa.c — the ewa command: exponentially weighted averages of a noisy
 * series (a year of daily temperatures, or the training loss), with and
 * without bias correction, as the course introduces them before momentum,
 * RMSprop and Adam.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "buf.h"
#include "cmd.h"
#include "commands.h"
#include "ewa.h"
#include "experiment.h"
#include "model.h"
#include "out.h"
#include "plot.h"

/* A series this short is shown day by day. */
#define SHORT_SERIES 30
#define SERIES_MAX 100000

/* The words of series=: the text itself, or the contents of the file it
 * names (a # starts a comment).  NULL when out of memory. */
static char *series_text(const char *text, int *from_file)
{
    FILE *f = strchr(text, ',') ? NULL : fopen(text, "re");
    *from_file = f != NULL;
    if (!f)
        return strdup(text);
    Buf b = BUF_INIT;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "#")] = '\0';
        buf_printf(&b, "%s ", line);
    }
    fclose(f);
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.s ? b.s : strdup("");
}

/* series=40,49,45 or series=FILE (numbers separated by spaces, commas or
 * lines) into a new array.  0, or -1 reported. */
static int own_series(Session *s, const char *text, double **out, int *n)
{
    int from_file;
    char *all = series_text(text, &from_file), *save = NULL;
    double *v = all ? malloc(sizeof *v * (strlen(all) / 2 + 1)) : NULL;
    int rc = v ? 0 : cmd_error(s, "out of memory");
    *n = 0;
    for (char *w = rc ? NULL : strtok_r(all, ", \t\r\n", &save); w && !rc;
         w = strtok_r(NULL, ", \t\r\n", &save)) {
        if (*n == SERIES_MAX)
            rc = cmd_error(s, "series: at most %d values", SERIES_MAX);
        else if (args_double(s, w, from_file ? "each value of the file" :
                             "each value of series=", -1e12, 1e12,
                             &v[(*n)++]))
            rc = CMD_ERR;
    }
    free(all);
    if (!rc && *n < 2)
        rc = cmd_error(s, "series=%s: give two values at least, e.g. "
                       "series=40,49,45", text);
    if (rc) {
        free(v);
        return -1;
    }
    *out = v;
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
    /* a short series whole; a long one at days that show the start,
     * where bias correction matters, and the rest */
    int rows[] = { 1, 2, 3, 5, 10, 20, 50, 100, n };
    int nrows = n <= SHORT_SERIES ? n : (int)(sizeof rows / sizeof *rows);
    for (int r = 0; r < nrows; r++) {
        int i = n <= SHORT_SERIES ? r : rows[r] - 1;
        if (i >= n || (n > SHORT_SERIES && r > 0 && rows[r] <= rows[r - 1]))
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

/* series= as typed: 0 temperature, 1 loss, 2 the student's own values
 * (into *own); -1 reported. */
static int which_series(Session *s, const char *text, double **own, int *n)
{
    if (!strcmp(text, "temperature"))
        return 0;
    if (!strcmp(text, "loss"))
        return 1;
    char *end;
    FILE *f = fopen(text, "re");
    if (f)
        fclose(f);
    else if (strchr(text, '/'))
        return cmd_error(s, "series=%s: cannot read it: %s", text,
                         strerror(errno)), -1;
    else if (!strchr(text, ',') && (strtod(text, &end), end == text))
        return cmd_error(s, "unknown series= value '%s' (expected "
                         "temperature, loss, numbers like 40,49,45 or a "
                         "file of numbers)", text), -1;
    return own_series(s, text, own, n) ? -1 : 2;
}

/* beta=0.9,0.98 into betas; their count, or -1 reported. */
static int parse_betas(Session *s, const char *text, double *betas)
{
    int nb = 0;
    char *copy = strdup(text), *save = NULL;
    if (!copy)
        return cmd_error(s, "out of memory"), -1;
    for (char *b = strtok_r(copy, ",", &save); b;
         b = strtok_r(NULL, ",", &save)) {
        if (nb == EXP_MAX_BETAS || args_double(s, b, "beta", 0, 0.9999,
                                               &betas[nb])) {
            free(copy);
            return nb == EXP_MAX_BETAS ? cmd_error(s, "at most %d betas",
                                                   EXP_MAX_BETAS), -1 : -1;
        }
        nb++;
    }
    free(copy);
    return nb;
}

/* The first beta's average on the last day, without and with bias
 * correction, for a lesson's checks (ewa_v, ewa_corrected). */
static void last_day(Experiments *e, const double *y, int n)
{
    double *v = malloc((size_t)n * sizeof *v);
    e->ewa_done = v != NULL && n > 0;
    for (int c = 0; e->ewa_done && c < 2; c++) {
        ewa_apply(y, n, e->betas[0], c, v);
        e->ewa_last[c] = v[n - 1];
    }
    free(v);
}

static const char *series_name(int series)
{
    return series == 0 ? "daily temperatures" : series == 1
                             ? "training losses" : "values of your series";
}

static int cmd_ewa(Session *s, int argc, char **argv)
{
    Experiments *e = experiment_results(s);
    const char *betas = "0.9,0.98,0.5", *series_text = "temperature";
    int bias = 1;
    const OptSpec spec[] = {
        { "beta", 'l', &betas, 0, 0, NULL, NULL },
        { "bias", 'b', &bias, 0, 0, NULL, NULL },
        { "series", 's', &series_text, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    if (!e || !model_state(s) ||
        args_parse(s, argc, argv, 1, spec, NULL, 0) < 0)
        return CMD_ERR;
    double parsed[EXP_MAX_BETAS], *own = NULL, *y;
    int nown = 0, n;
    int nb = parse_betas(s, betas, parsed);
    int series = nb < 0 ? -1 : which_series(s, series_text, &own, &nown);
    if (series < 0)
        return CMD_ERR;
    if (series == 1 && ewa_series(s, 1, &y, &n))
        return cmd_error(s, "series=loss needs some training first");
    if (series == 2) {  /* the plot draws the same series */
        free(e->own);
        e->own = own;
        e->nown = nown;
    }
    if (series != 1 && ewa_series(s, series, &y, &n))
        return cmd_error(s, "out of memory");
    memcpy(e->betas, parsed, sizeof parsed);
    e->nbetas = nb;
    e->bias = bias;
    e->series = series;
    out_printf(s, "ewa over %d %s: v_t = beta*v_(t-1) + (1-beta)*theta_t, "
               "v_0 = 0%s\n", n, series_name(series),
               bias ? "; corrected = v_t / (1 - beta^t)" : "");
    for (int b = 0; b < nb; b++)
        out_printf(s, "  beta %g averages roughly the last 1/(1-beta) = %.0f "
                   "values\n", parsed[b], 1 / (1 - parsed[b]));
    ewa_table(s, e, y, n);
    last_day(e, y, n);
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
             "[series=temperature|loss|V1,V2,...|FILE]",
    .summary = "exponentially weighted averages and bias correction",
    .help =
        "beta=0.9,0.98,0.5    one curve per beta: v = beta*v + (1-beta)*x,\n"
        "                     an average of about 1/(1-beta) values\n"
        "bias=on|off          divide by (1 - beta^t), so the start is not\n"
        "                     pulled toward 0\n"
        "series=temperature   what to average: a year of daily\n"
        "                     temperatures, the recorded training loss,\n"
        "                     your own values (series=40,49,45,44,50, the\n"
        "                     notes' temperatures), or a file of numbers\n"
        "                     (separated by spaces, commas or lines).  A\n"
        "                     series of up to 30 values shows every day,\n"
        "                     and plot ewa draws the same series",
    .example = "ewa beta=0.9,0.98 bias=off",
    .keys = CMD_WORDS("beta=", "bias=on|off",
                      "series=temperature|loss|@files"),
},
{0},
};
