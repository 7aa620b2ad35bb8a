/*
 * handlers.h — one prototype per command handler, for the command table
 * (commands.c).  Every handler keeps the contract of cmd.h:
 * int cmd_x(Session *, argc, argv) -> CMD_OK / CMD_ERR / CMD_QUIT.
 *
 * Where each lives: the shell's own in cmd_shell.c, the lessons' in
 * cmd_lesson.c, the rest with the model and plot modules.  A handler not
 * written yet does not exist: every row of the table has a handler.
 */
#ifndef NNLAB_HANDLERS_H
#define NNLAB_HANDLERS_H

#include "session.h"

#define NNLAB_HANDLER(name) int cmd_##name(Session *s, int argc, char **argv);

/* Data */
NNLAB_HANDLER(data)
NNLAB_HANDLER(split)
NNLAB_HANDLER(subset)
NNLAB_HANDLER(normalize)
/* Network */
NNLAB_HANDLER(net)
NNLAB_HANDLER(layer)
/* Hyperparameters */
NNLAB_HANDLER(init)
NNLAB_HANDLER(reset)
NNLAB_HANDLER(reg)
NNLAB_HANDLER(dropout)
NNLAB_HANDLER(bn)
NNLAB_HANDLER(optim)
NNLAB_HANDLER(lr)
NNLAB_HANDLER(batch)
NNLAB_HANDLER(decay)
NNLAB_HANDLER(seed)
NNLAB_HANDLER(threads)
/* Training */
NNLAB_HANDLER(step)
NNLAB_HANDLER(train)
NNLAB_HANDLER(run)
NNLAB_HANDLER(pause)
NNLAB_HANDLER(eval)
NNLAB_HANDLER(early)
NNLAB_HANDLER(guard)
NNLAB_HANDLER(gradcheck)
/* Inspecting */
NNLAB_HANDLER(stats)
NNLAB_HANDLER(forward)
NNLAB_HANDLER(predict)
NNLAB_HANDLER(calc)
/* Plots */
NNLAB_HANDLER(plot)
/* Experiments */
NNLAB_HANDLER(compare)
NNLAB_HANDLER(search)
NNLAB_HANDLER(ewa)
/* Sessions */
NNLAB_HANDLER(save)
NNLAB_HANDLER(load)
NNLAB_HANDLER(history)
NNLAB_HANDLER(show)
/* Lessons (cmd_lesson.c) */
NNLAB_HANDLER(lesson)
NNLAB_HANDLER(next)
NNLAB_HANDLER(back)
NNLAB_HANDLER(again)
NNLAB_HANDLER(check)
/* Shell (cmd_shell.c) */
NNLAB_HANDLER(help)
NNLAB_HANDLER(quit)
NNLAB_HANDLER(source)

#undef NNLAB_HANDLER

#endif
