/*
 * cmd_calc.c — calc: small calculators for the course's worked examples
 * (softmax with its e^z and their sum, cross-entropy of scores or
 * probabilities over several examples, any activation).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "num.h"
#include "out.h"
#include "text.h"
#include "plot.h"

static int calc_numbers(Session *s, int argc, char **argv, int first,
                        double *v, int max)
{
    int n = 0;
    for (int i = first; i < argc; i++) {
        if (strchr(argv[i], '='))
            continue;
        if (n == max) {
            cmd_error(s, "at most %d numbers", max);
            return -1;
        }
        if (args_double(s, argv[i], "each value", -HUGE_VAL, HUGE_VAL,
                       &v[n++]))
            return -1;
    }
    return n;
}

/* calc ACT NUMBERS...: any hidden activation as nn_act_parse reads it
 * ("gelu", "prelu=0.1", "maxout:2", whose numbers are the pieces of one
 * unit after another). */
static int calc_act(Session *s, nn_act act, double arg, int argc,
                    char **argv)
{
    double v[256], p[256];
    long label = -1;
    char *words[257];
    const OptSpec spec[] = { { "label", 'i', &label, 0, 255, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    if (args_parse(s, argc, argv, 2, spec, words, 257) < 0)
        return CMD_ERR;
    if (label >= 0)
        return cmd_error(s, "label= is for xent only");
    int n = calc_numbers(s, argc, argv, 2, v, 256);
    if (n < 1)
        return n < 0 ? CMD_ERR : cmd_error(s, "give some numbers");
    int k = act == NN_ACT_MAXOUT ? (int)arg : 1;
    if (n % k)
        return cmd_error(s, "maxout:%d takes the numbers %d at a time, the "
                         "pieces of one unit; got %d", k, k, n);
    char name[32];
    nn_act_text(act, arg, name, sizeof name);
    nn_act_forward(act, arg, v, p, 1, n / k);
    out_printf(s, "%s%s:", name, k > 1 ? " (the largest of each group)" : "");
    for (int i = 0; i < n / k; i++)
        out_printf(s, " %.4f", p[i]);
    out_printf(s, "\n");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* softmax                                                              */
/* ------------------------------------------------------------------ */

/* calc softmax Z...: e^z, their sum and the probabilities, as the course
 * works z = [5, 2, -1, 3] by hand (sum 176.3). */
static int calc_softmax(Session *s, int argc, char **argv)
{
    double z[256], e[256], sum = 0, top = -HUGE_VAL;
    char *words[257];
    if (args_parse(s, argc, argv, 2, NULL, words, 257) < 0)
        return CMD_ERR;
    int n = calc_numbers(s, argc, argv, 2, z, 256);
    if (n < 1)
        return n < 0 ? CMD_ERR : cmd_error(s, "give some numbers");
    for (int i = 0; i < n; i++)
        top = fmax(top, z[i]);
    /* e^710 overflows: then e^(z - max), whose ratios are the same */
    double shift = top > 700 ? top : 0;
    for (int i = 0; i < n; i++)
        sum += e[i] = exp(z[i] - shift);
    char head[32];
    snprintf(head, sizeof head, shift ? "e^(z - %g)" : "e^z", shift);
    OutTable *t = out_table_new(3);
    out_table_cell(t, "z");
    out_table_cell(t, "%s", head);
    out_table_cell(t, "p = %s / sum", head);
    for (int i = 0; i < n; i++) {
        out_table_cell(t, "%g", z[i]);
        out_table_cell(t, "%.4g", e[i]);
        out_table_cell(t, "%.4f", e[i] / sum);
    }
    out_table_print(s, t);
    out_printf(s, "  sum of %s = %.4g%s\n", head, sum, shift ? " (shifted "
               "by the largest score, which leaves p as it is)" : "");
    out_printf(s, "softmax:");
    for (int i = 0; i < n; i++)
        out_printf(s, " %.4f", e[i] / sum);
    out_printf(s, "\n");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* xent                                                                 */
/* ------------------------------------------------------------------ */

#define XENT_ROWS 64
#define XENT_CLASSES 64

/* The examples of calc xent: each a row of scores or probabilities and
 * the label, in groups (classifiers) separated by vs. */
typedef struct Xent {
    double v[XENT_ROWS][XENT_CLASSES], p[XENT_ROWS][XENT_CLASSES];
    int k[XENT_ROWS], label[XENT_ROWS], group[XENT_ROWS];
    int n, groups;
    int probs;          /* -1 undecided, 0 scores, 1 probabilities */
} Xent;

/* "0.3,0.3,0.4:2" into row x->n. */
static int xent_example(Session *s, const char *w, Xent *x)
{
    const char *colon = strrchr(w, ':');
    if (!colon)
        return cmd_error(s, "expected V1,V2,...:LABEL (an example's scores "
                         "or probabilities, then its label), got '%s'", w),
               -1;
    if (x->n == XENT_ROWS)
        return cmd_error(s, "at most %d examples", XENT_ROWS), -1;
    long label;
    int r = x->n, k = 0;
    char list[1024];
    snprintf(list, sizeof list, "%.*s", (int)(colon - w), w);
    char *save = NULL;
    for (char *v = strtok_r(list, ",", &save); v;
         v = strtok_r(NULL, ",", &save)) {
        if (k == XENT_CLASSES)
            return cmd_error(s, "at most %d classes", XENT_CLASSES), -1;
        if (args_double(s, v, "each value", -HUGE_VAL, HUGE_VAL,
                        &x->v[r][k++]))
            return -1;
    }
    if (k < 2)
        return cmd_error(s, "'%s': an example needs a value per class, two "
                         "at least", w), -1;
    if (args_int(s, colon + 1, "label", 0, k - 1, &label))
        return -1;
    x->k[r] = k;
    x->label[r] = (int)label;
    x->group[r] = x->groups;
    x->n++;
    return 0;
}

/* One example of plain numbers (calc xent 2 1 0.1 label=0) into x. */
static int xent_plain(Session *s, char **words, int nw, long label, Xent *x)
{
    int k = 0;
    for (int i = 0; i < nw; i++) {
        if (!strcmp(words[i], "probs") || !strcmp(words[i], "scores"))
            continue;
        if (k == XENT_CLASSES)
            return cmd_error(s, "at most %d numbers", XENT_CLASSES), -1;
        if (args_double(s, words[i], "each value", -HUGE_VAL, HUGE_VAL,
                        &x->v[0][k++]))
            return -1;
    }
    if (k < 1)
        return cmd_error(s, "give some numbers"), -1;
    if (label >= k)
        return cmd_error(s, "label=%ld but there are only %d scores (labels "
                         "0 to %d)", label, k, k - 1), -1;
    x->k[0] = k;
    x->label[0] = (int)label;
    x->group[0] = 0;
    x->n = x->groups = 1;
    return 0;
}

/* The words of calc xent: examples V,..:L, or (one example) numbers with
 * label=; probs or scores say what the values are; vs starts another
 * classifier. */
static int xent_parse(Session *s, int argc, char **argv, Xent *x)
{
    long label = -1;
    char *words[257];
    const OptSpec spec[] = { { "label", 'i', &label, 0, 255, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    int nw = args_parse(s, argc, argv, 2, spec, words, 257);
    if (nw < 0)
        return -1;
    int lists = 0;
    x->n = x->groups = 0;
    x->probs = -1;
    for (int i = 0; i < nw; i++)
        lists |= strpbrk(words[i], ",:") != NULL;
    for (int i = 0; i < nw; i++) {
        if (!strcmp(words[i], "probs") || !strcmp(words[i], "scores"))
            x->probs = words[i][0] == 'p';
        else if (lists && !strcmp(words[i], "vs") &&
                 (x->n == 0 || x->group[x->n - 1] != x->groups))
            return cmd_error(s, "vs goes between two classifiers' examples: "
                             "V1,V2,...:LABEL ... vs V1,V2,...:LABEL ..."), -1;
        else if (lists && !strcmp(words[i], "vs"))
            x->groups++;
        else if (lists && xent_example(s, words[i], x))
            return -1;
    }
    if (lists) {
        if (label >= 0)
            return cmd_error(s, "label= is for one example of plain "
                             "numbers; in a list each example ends in "
                             ":LABEL"), -1;
        if (x->n == 0 || x->group[x->n - 1] != x->groups)
            return cmd_error(s, "every classifier needs examples: "
                             "V1,V2,...:LABEL ... vs V1,V2,...:LABEL ..."), -1;
        x->groups++;
        return 0;
    }
    return xent_plain(s, words, nw, label < 0 ? 0 : label, x);
}

/* Is row r a probability distribution (within tol of summing to 1)? */
static int is_distribution(const Xent *x, int r, double tol)
{
    double sum = 0;
    for (int j = 0; j < x->k[r]; j++) {
        if (!(x->v[r][j] >= 0 && x->v[r][j] <= 1))
            return 0;
        sum += x->v[r][j];
    }
    return fabs(sum - 1) <= tol;
}

/* Probabilities as given, or the softmax of scores: read them as
 * probabilities when told, or when every row is a distribution. */
static int xent_probabilities(Session *s, Xent *x)
{
    int all = 1;
    for (int r = 0; r < x->n; r++)
        all &= is_distribution(x, r, 1e-6);
    if (x->probs < 0)
        x->probs = all;
    for (int r = 0; r < x->n; r++) {
        if (x->probs && !is_distribution(x, r, 1e-3))
            return cmd_error(s, "example %d: probabilities must be 0..1 and "
                             "sum to 1 (or say scores)", r + 1), -1;
        if (x->probs)
            memcpy(x->p[r], x->v[r], (size_t)x->k[r] * sizeof(double));
        else
            nn_act_forward(NN_ACT_SOFTMAX, 0, x->v[r], x->p[r], 1, x->k[r]);
    }
    return 0;
}

/* "0.3 0.3 0.4": the given probabilities as typed, a softmax's to 4
 * places. */
static void row_text(const Xent *x, int r, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int j = 0; j < x->k[r] && used + 1 < size; j++) {
        int w = snprintf(buf + used, size - used, x->probs ? "%s%g" : "%s%.4f",
                         j ? " " : "", x->p[r][j]);
        used += w > 0 ? (size_t)w : 0;
    }
}

static int argmax(const double *p, int k)
{
    int best = 0;
    for (int j = 1; j < k; j++)
        if (p[j] > p[best])
            best = j;
    return best;
}

/* The table of examples, then each classifier's mean and accuracy. */
static void xent_report(Session *s, const Xent *x)
{
    out_printf(s, "cross-entropy -ln p(label) of %d example%s%s, the values "
               "read as %s\n", x->n, x->n == 1 ? "" : "s",
               x->groups > 1 ? " by classifier" : "",
               x->probs ? "probabilities" : "scores (p is their softmax)");
    int g = x->groups > 1;
    OutTable *t = out_table_new(6 + g);
    const char *head[] = { "classifier", "example", "p", "label", "p(label)",
                           "-ln p(label)", "right" };
    for (int c = !g; c < 7; c++)
        out_table_cell(t, "%s", head[c]);
    double mean[XENT_ROWS] = { 0 };
    int right[XENT_ROWS] = { 0 }, count[XENT_ROWS] = { 0 };
    for (int r = 0; r < x->n; r++) {
        char row[XENT_CLASSES * 12];
        double pl = x->p[r][x->label[r]], loss = -log(pl);
        int ok = argmax(x->p[r], x->k[r]) == x->label[r];
        row_text(x, r, row, sizeof row);
        if (g)
            out_table_cell(t, "%d", x->group[r] + 1);
        out_table_cell(t, "%d", ++count[x->group[r]]);
        out_table_cell(t, "%s", row);
        out_table_cell(t, "%d", x->label[r]);
        out_table_cell(t, "%.4f", pl);
        out_table_cell(t, "%.4f", loss);
        out_table_cell(t, "%s", ok ? "yes" : "no");
        mean[x->group[r]] += loss;
        right[x->group[r]] += ok;
    }
    out_table_print(s, t);
    for (int k = 0; k < x->groups; k++)
        out_printf(s, "  %s%.0d%smean cross-entropy %.4g over %d example%s, "
                   "accuracy %d/%d = %.3f\n", g ? "classifier " : "",
                   g ? k + 1 : 0, g ? ": " : "", mean[k] / count[k],
                   count[k], count[k] == 1 ? "" : "s", right[k], count[k],
                   (double)right[k] / count[k]);
    int same = 1;
    for (int k = 1; k < x->groups; k++)
        same &= right[k] * count[0] == right[0] * count[k];
    if (g && same)
        out_printf(s, "  the same accuracy, but not the same cross-entropy: "
                   "it also counts how much probability each example puts "
                   "on its right class\n");
}

/* calc xent: one example of plain numbers as before (the softmax, then
 * -ln p of the label), or examples V1,V2,...:LABEL, grouped by vs. */
static int calc_xent(Session *s, int argc, char **argv)
{
    Xent *x = malloc(sizeof *x);
    if (!x)
        return cmd_error(s, "out of memory");
    int rc = xent_parse(s, argc, argv, x) || xent_probabilities(s, x)
                 ? CMD_ERR : CMD_OK;
    if (rc == CMD_OK && x->n == 1 && !x->probs &&
        !strpbrk(argv[argc - 1], ",:")) {
        out_printf(s, "softmax:");  /* the single example, as it was */
        for (int j = 0; j < x->k[0]; j++)
            out_printf(s, " %.4f", x->p[0][j]);
        out_printf(s, "\ncross-entropy for label %d: -ln(%.4f) = %.4f\n",
                   x->label[0], x->p[0][x->label[0]],
                   -log(x->p[0][x->label[0]]));
    } else if (rc == CMD_OK) {
        xent_report(s, x);
    }
    free(x);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static int cmd_calc(Session *s, int argc, char **argv)
{
    int k;
    nn_act act;
    double arg;
    if (argc < 3)
        return cmd_error(s, "usage: calc softmax|xent|ACTIVATION "
                         "NUMBERS..., e.g. calc softmax 5 2 -1 3");
    if (nn_act_parse(argv[1], &act, &arg) == 0 && act != NN_ACT_SOFTMAX)
        return calc_act(s, act, arg, argc, argv);
    /* not an activation: softmax, xent, or a name to correct */
    const char *names[NN_ACT_COUNT + 2] = { "xent" };
    char name[32];
    for (int i = 0; nn_act_names[i]; i++)
        names[i + 1] = nn_act_names[i];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(argv[1], "=:"),
             argv[1]);
    if (args_enum(s, name, "function", names, &k))
        return CMD_ERR;
    if ((k == 0 || !nn_act_has_arg((nn_act)(k - 1))) &&
        strcmp(argv[1], names[k]))
        return cmd_error(s, "%s takes no parameter, got '%s'", names[k],
                         argv[1]);
    if (strcmp(argv[1], "softmax") && strcmp(argv[1], "xent"))
        return cmd_error(s, "bad parameter in '%s': e.g. leaky=0.01, "
                         "elu=1, prelu=0.25, maxout:2 (2 to %d pieces)",
                         argv[1], NN_MAXOUT_MAX);
    if (!strcmp(argv[1], "xent"))
        return calc_xent(s, argc, argv);
    for (int i = 2; i < argc; i++)
        if (!strncmp(argv[i], "label=", 6))
            return cmd_error(s, "label= is for xent only");
    return calc_softmax(s, argc, argv);
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_calc_rows[] = {
{
    .name = "calc", .group = "Inspecting", .fn = cmd_calc,
    .usage = "calc softmax|xent|ACTIVATION NUMBERS... [label=N] | "
             "calc xent [probs|scores] V1,V2,...:LABEL ... [vs ...]",
    .summary = "small calculators for worked examples",
    .help =
        "softmax Z1 Z2 ...    e^Zi, their sum, and e^Zi / sum_j e^Zj for\n"
        "                     each score: calc softmax 5 2 -1 3\n"
        "xent Z1 Z2 ... [label=0]\n"
        "                     the softmax of the scores, then the cross-\n"
        "                     entropy -ln(p) of the label's probability\n"
        "xent V1,V2,...:LABEL ...\n"
        "                     several examples, each its values and label;\n"
        "                     vs starts another classifier's.  A table, and\n"
        "                     each classifier's mean cross-entropy and\n"
        "                     accuracy.  The values are probabilities when\n"
        "                     every row is 0..1 summing to 1, else scores\n"
        "                     (softmaxed); probs or scores says which:\n"
        "                     calc xent 0.3,0.3,0.4:2 0.3,0.4,0.3:1\n"
        "                     0.1,0.2,0.7:0 vs 0.1,0.2,0.7:2 0.1,0.7,0.2:1\n"
        "                     0.3,0.4,0.3:0   (the notes' 1.38 and 0.64)\n"
        "ACTIVATION Z ...     the activation of each number: linear sigmoid\n"
        "                     tanh relu leaky[=0.01] elu[=1] prelu[=0.25]\n"
        "                     (one slope) gelu selu, e.g. calc gelu -1 0 1\n"
        "maxout:K Z ...       the largest of each K numbers in turn, the K\n"
        "                     pieces of one unit: calc maxout:2 1 3 -2 -5",
    .example = "calc xent 2 1 0.1 label=0",
    .words = CMD_WORDS("softmax", "xent:probs|scores", "@acts"),
    .keys = CMD_WORDS("label="),
},
{0},
};
