/*
 * cmd_eval.c — the Training command eval: loss and accuracy (or RMSE and
 * MAE for regression) of every split, in evaluation mode.
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

/* A figure of a split of `rows` examples, with `decimals`: "-" for an
 * empty split, "nan" when the network's outputs are NaN (lr 1e6 with
 * guard off). */
static void eval_cell(OutTable *t, double v, int rows, int decimals)
{
    if (rows == 0)
        out_table_cell(t, "-");
    else if (!isfinite(v) || fabs(v) < 1e5)
        out_table_cell(t, "%.*f", decimals, num_plain(v));
    else
        out_table_cell(t, "%.4g", v);
}

/* Every split measured; 0, or -1 reported. */
static int eval_splits(Session *s, nn_eval *ev)
{
    for (int sp = 0; sp < NN_NSPLITS; sp++) {
        nn_err err;
        if (nn_trainer_evaluate_full(&s->model->tr, (nn_split)sp, &ev[sp],
                                     &err))
            return cmd_error(s, "%s", err.msg), -1;
    }
    return 0;
}

static int cmd_eval(Session *s, int argc, char **argv)
{
    static const char *const names[] = { "train", "dev", "test" };
    ModelState *m = model_state(s);
    (void)argv;
    if (argc != 1)
        return cmd_error(s, "takes no arguments");
    if (!m || model_bind(s))
        return CMD_ERR;
    if (nn_data_task(s->data) == NN_TASK_NONE)
        return cmd_error(s, "these data have no labels; use forward "
                         "and stats acts");
    nn_eval ev[NN_NSPLITS];
    if (!cmd_trainable(s) || eval_splits(s, ev))
        return CMD_ERR;
    /* the losses with the decimals that tell the splits apart */
    double loss[NN_NSPLITS];
    for (int sp = 0; sp < NN_NSPLITS; sp++)
        loss[sp] = ev[sp].rows ? ev[sp].loss : NAN;
    int ld = num_decimals_apart(loss, NN_NSPLITS, 4, 7);
    /* regression: the errors in the targets' units, not an accuracy */
    int regress = nn_data_task(s->data) == NN_TASK_REGRESS;
    OutTable *t = out_table_new(regress ? 5 : 4);
    out_table_cell(t, "split");
    out_table_cell(t, "examples");
    out_table_cell(t, "loss");
    out_table_cell(t, regress ? "RMSE" : "accuracy");
    if (regress)
        out_table_cell(t, "MAE");
    for (int sp = 0; sp < NN_NSPLITS; sp++) {
        out_table_cell(t, "%s", names[sp]);
        out_table_cell(t, "%d", nn_data_count(s->data, (nn_split)sp));
        eval_cell(t, ev[sp].loss, ev[sp].rows, ld);
        eval_cell(t, regress ? ev[sp].rmse : ev[sp].acc, ev[sp].rows, 4);
        if (regress)
            eval_cell(t, ev[sp].mae, ev[sp].rows, 4);
    }
    out_table_print(s, t);
    /* bias and variance at a glance: the gap is what regularization and
     * more data close, a low training accuracy what a bigger network
     * raises */
    if (!regress && !isnan(ev[NN_TRAIN].acc) && !isnan(ev[NN_DEV].acc))
        out_printf(s, "  train accuracy - dev accuracy: %.4f\n",
                   ev[NN_TRAIN].acc - ev[NN_DEV].acc);
    if (s->net->reg != NN_REG_NONE)
        out_printf(s, "  the losses above are without the %s penalty; on the "
                   "whole training set it adds %.4g\n",
                   nn_reg_names[s->net->reg],
                   nn_net_penalty(s->net, nn_data_count(s->data, NN_TRAIN)));
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_eval_rows[] = {
{
    .name = "eval", .group = "Training", .fn = cmd_eval,
    .usage = "eval",
    .summary = "loss and accuracy on the train, dev and test sets",
    .help =
        "In evaluation mode: no dropout, and batch norm uses its running\n"
        "averages.  The loss is the data loss, without the regularization\n"
        "penalty.  Low training accuracy is bias (underfitting); a large gap\n"
        "between train and dev is variance (overfitting).  For regression\n"
        "(real-valued targets) eval shows RMSE and MAE instead, in the\n"
        "targets' own units, whichever loss trained the network.",
    .example = "eval",
},
{0},
};
