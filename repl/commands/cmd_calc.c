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

static int cmd_calc(Session *s, int argc, char **argv)
{
    int k;
    double v[256], p[256];
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
    k = strcmp(argv[1], "softmax") != 0; /* 0 softmax, 1 xent */
    long label = 0;
    char *words[257];
    const OptSpec spec[] = { { "label", 'i', &label, 0, 255, NULL, NULL },
                             { NULL, 0, NULL, 0, 0, NULL, NULL } };
    /* the numbers are positional words; calc_numbers reads them */
    if (args_parse(s, argc, argv, 2, spec, words, 257) < 0)
        return CMD_ERR;
    if (k != 1 && label != 0)
        return cmd_error(s, "label= is for xent only");
    int n = calc_numbers(s, argc, argv, 2, v, 256);
    if (n < 1)
        return n < 0 ? CMD_ERR : cmd_error(s, "give some numbers");
    nn_act_forward(NN_ACT_SOFTMAX, 0, v, p, 1, n);
    if (k == 1 && label >= n)
        return cmd_error(s, "label=%ld but there are only %d "
                         "scores (labels 0 to %d)", label, n, n - 1);
    out_printf(s, "softmax:");
    for (int i = 0; i < n; i++)
        out_printf(s, " %.4f", p[i]);
    out_printf(s, "\n");
    if (k == 1)
        out_printf(s, "cross-entropy for label %ld: -ln(%.4f) = %.4f\n",
                   label, p[label], -log(p[label]));
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_calc_rows[] = {
{
    .name = "calc", .group = "Inspecting", .fn = cmd_calc,
    .usage = "calc softmax|xent|ACTIVATION NUMBERS... [label=N]",
    .summary = "small calculators for worked examples",
    .help =
        "softmax Z1 Z2 ...    e^Zi / sum_j e^Zj for each score\n"
        "xent Z1 Z2 ... [label=0]\n"
        "                     the softmax of the scores, then the cross-\n"
        "                     entropy -ln(p) of the label's probability\n"
        "ACTIVATION Z ...     the activation of each number: linear sigmoid\n"
        "                     tanh relu leaky[=0.01] elu[=1] prelu[=0.25]\n"
        "                     (one slope) gelu selu, e.g. calc gelu -1 0 1\n"
        "maxout:K Z ...       the largest of each K numbers in turn, the K\n"
        "                     pieces of one unit: calc maxout:2 1 3 -2 -5",
    .example = "calc xent 2 1 0.1 label=0",
    .words = CMD_WORDS("softmax", "xent", "@acts"),
    .keys = CMD_WORDS("label="),
},
{0},
};
