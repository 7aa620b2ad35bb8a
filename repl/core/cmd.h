/*
 * cmd.h — commands: the row every command is described by, the table the
 * command groups register their rows in, running a line, and the one error
 * reporter.
 *
 * One table drives dispatch, `help`, `help CMD` and Tab completion, as
 * readline's fileman.c does.  It is not one array: each command group
 * (commands/, plots/, lessons/) keeps its rows next to its handlers and
 * registers them at start-up (cmd_register), and everything that reads
 * the table reads the registered groups in order.
 *
 * Handler contract (as in SQLite's shell): int fn(Session *, argc, argv)
 * returns CMD_OK, CMD_ERR or CMD_QUIT.  argv[0] is the command name.  On a
 * bad argument a handler calls cmd_error() once, changes nothing, and
 * returns CMD_ERR.
 */
#ifndef NNLAB_CMD_H
#define NNLAB_CMD_H

#include "session.h"

enum { CMD_OK = 0, CMD_ERR = 1, CMD_QUIT = 2 };

typedef int (*cmd_fn)(Session *s, int argc, char **argv);

typedef struct Command {
    const char *name;
    const char *group;         /* Data, Network, Hyperparameters, ... */
    cmd_fn fn;
    const char *usage;         /* "optim gd|momentum|... [lr=] [beta=]" */
    const char *summary;       /* one line for the `help` listing */
    const char *help;          /* more lines: options with defaults */
    const char *example;       /* one runnable example line */
    const char *const *words;  /* NULL-terminated; completion of values */
    const char *const *keys;   /* NULL-terminated option keys ("lr=") */
    /* The little completion language of `words` and `keys`:
     *   words "adam"            completes the first argument
     *   words "term:qt|x11|png" "term" as first argument, then one of the
     *                           values as the second
     *   words "2:iters|epochs"  the values as the 2nd argument, whatever
     *                           the first is
     *   keys  "lr="             completes to "lr=" with no space after
     *   keys  "act=relu|tanh"   and after "act=" (or a ',' in its value)
     *                           one of the values
     * Anywhere a word or value stands, "@NAME" stands for a registered
     * list of words (cmd_add_words: "@acts", "@params", "@lessons",
     * "@commands") and "@files" for file names. */
    unsigned flags;            /* CMD_IDLE ... */
} Command;

/* Command.flags: CMD_IDLE commands are refused while training runs in the
 * shell ("training is already running; type pause first"): they start
 * training or replace what is being trained. */
enum { CMD_IDLE = 1u };

#define CMD_WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Register a group of rows (terminated by a row whose name is NULL) in
 * the session's table, after those registered before: `help` lists groups
 * in the order their first rows came.  The rows must outlive the session
 * (static tables).  0, or -1 when the table is full. */
int cmd_register(Session *s, const Command *rows);

/* Register a named list of completion words ("acts": the activations),
 * for "@acts" in rows.  0, or -1 when full. */
int cmd_add_words(Session *s, const char *name,
                  void (*list)(Session *s,
                               void (*add)(void *ctx, const char *word),
                               void *ctx));
/* Call add(ctx, word) for each word of the list `name` ("acts", or
 * "commands": every command's name).  0, or -1 when there is no such
 * list. */
int cmd_list_words(Session *s, const char *name,
                   void (*add)(void *ctx, const char *word), void *ctx);

/* The row of command `name`, or NULL. */
const Command *cmd_find(const Session *s, const char *name);

/* Call fn(row, ctx) for every registered row, in order. */
void cmd_each(const Session *s, void (*fn)(const Command *c, void *ctx),
              void *ctx);

/* The closest command name to `name`, for "did you mean", or NULL. */
const char *cmd_closest(const Session *s, const char *name);

/* Run one line (which may hold several commands separated by ';' and a
 * '#' comment).  Returns the worst status of its commands.  It stops at
 * the first command that fails unless s->keep_going, and at quit.  A job
 * a command starts (s->job) is run to its end here, unless the command was
 * typed at the prompt and is the last on its line: then the terminal's
 * event loop runs it in the background.  `CMD --help` shows help for CMD. */
int cmd_run_line(Session *s, const char *line);

/* The one error reporter: "CMD: message" on one line, CMD being the
 * command that is running (dispatch knows it; "nnlab" outside any), counted
 * as a failure.  Returns CMD_ERR. */
int cmd_error(Session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
