/*
 * cmd_stop.c — what stops training: early stopping on the dev loss, and
 * the divergence guard.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"

#define END_SPEC { NULL, 0, NULL, 0, 0, NULL, NULL }


static int cmd_early(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    long patience;
    int on;
    char *pos[1];
    if (!m)
        return CMD_ERR;
    patience = m->tr.patience;
    if (argc > 1) {
        const OptSpec spec[] = {
            { "patience", 'i', &patience, 1, 100000, NULL, NULL }, END_SPEC };
        int np = args_parse(s, argc, argv, 1, spec, pos, 1);
        if (np < 0)
            return CMD_ERR;
        if (np != 1)
            return cmd_error(s, "usage: early on [patience=N] | off");
        if (args_bool(s, pos[0], &on))
            return CMD_ERR;
        nn_err err;
        if (nn_trainer_set_early(&m->tr, on, (int)patience, &err))
            return cmd_error(s, "%s", err.msg);
    }
    if (m->tr.early)
        out_printf(s, "early on patience=%d: stop when dev loss has not "
                   "improved for %d epochs and restore the best weights\n",
                   m->tr.patience, m->tr.patience);
    else
        out_printf(s, "early off\n");
    return CMD_OK;
}

static int cmd_guard(Session *s, int argc, char **argv)
{
    ModelState *m = model_state(s);
    int on;
    if (!m)
        return CMD_ERR;
    if (argc == 2) {
        if (args_bool(s, argv[1], &on))
            return CMD_ERR;
        m->tr.guard = on;
    } else if (argc > 2) {
        return cmd_error(s, "expected on or off");
    }
    out_printf(s, "guard %s%s\n", m->tr.guard ? "on" : "off",
               m->tr.guard ? ": training stops if the loss becomes NaN or "
                             "exceeds 3x its first value (or an uninformed "
                             "network's, if larger)" : "");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_stop_rows[] = {
{
    .name = "early", .group = "Training", .fn = cmd_early,
    .usage = "early [on|off] [patience=10]",
    .summary = "early stopping on the dev loss",
    .help =
        "on                   stop when the dev loss has not improved for\n"
        "                     `patience` epochs, and go back to the best\n"
        "                     weights\n"
        "off                  train as long as asked (the default)\n"
        "patience=10          epochs to wait for an improvement\n"
        "It needs a dev set.  Alone, early shows the setting.",
    .example = "early on patience=5",
    .words = CMD_WORDS("on", "off"),
    .keys = CMD_WORDS("patience="),
},
{
    .name = "guard", .group = "Training", .fn = cmd_guard,
    .usage = "guard [on|off]",
    .summary = "the divergence guard",
    .help =
        "on                   stop training when the loss becomes NaN or Inf\n"
        "                     or exceeds 3 times its first value (the\n"
        "                     default), naming the likely cause: a learning\n"
        "                     rate too high\n"
        "off                  let it diverge, to watch what happens\n"
        "Alone, guard shows the setting.",
    .example = "guard off",
    .words = CMD_WORDS("on", "off"),
},
{0},
};
