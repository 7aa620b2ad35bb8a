/*
 * cmd.h — the command table and the contract every command handler keeps.
 *
 * One table (commands.c) drives dispatch, `help`, `help CMD` and Tab
 * completion.  Adding a command is adding a row and a handler.
 *
 * Handler contract (as in SQLite's shell): int cmd_x(Session *, argc, argv)
 * returns CMD_OK, CMD_ERR or CMD_QUIT.  argv[0] is the command name.  On a
 * bad argument a handler calls cmd_error() once, changes nothing, and
 * returns CMD_ERR.
 */
#ifndef NNLAB_CMD_H
#define NNLAB_CMD_H

#include "handlers.h" /* every handler's prototype, for their own files */
#include "session.h"

enum { CMD_OK = 0, CMD_ERR = 1, CMD_QUIT = 2 };

typedef int (*cmd_fn)(Session *s, int argc, char **argv);

/* What Tab completes for the arguments of a command. */
typedef enum {
    COMPLETE_NONE,
    COMPLETE_WORDS,  /* from `words` (subcommands, enumerated values) */
    COMPLETE_FILES,  /* file names (and `words` too, if given) */
    COMPLETE_LESSONS, /* lesson names (and `words` too) */
    COMPLETE_COMMANDS /* command names (help) */
} complete_kind;

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
    /* The little completion language of `words` and `keys` (complete.c):
     *   words "adam"            completes the first argument
     *   words "term:qt|x11|png" "term" as first argument, then one of the
     *                           values as the second ("@files": file names,
     *                           "@params": the network's gradients, dW1 ...)
     *   words "2:iters|epochs"  the values as the 2nd argument, whatever
     *                           the first is
     *   keys  "lr="             completes to "lr=" with no space after
     *   keys  "act=relu|tanh"   and after "act=" (or a ',' in its value)
     *                           one of the values */
    complete_kind complete;
    unsigned flags;            /* CMD_IDLE ... */
} Command;

/* Command.flags: CMD_IDLE commands are refused while training runs in the
 * shell ("training is already running; type pause first"): they start
 * training or replace what is being trained. */
enum { CMD_IDLE = 1u };

extern const Command commands[];      /* terminated by a row of NULLs */
const Command *cmd_find(const char *name);

/* The names of all commands, NULL-terminated (static), for "did you mean". */
const char *const *cmd_names(void);

/* Run one line (which may hold several commands separated by ';' and a
 * '#' comment).  Returns the worst status of its commands.  It stops at
 * the first command that fails unless s->keep_going, and at quit.  A job
 * a command starts (s->job) is run to its end here, unless the command was
 * typed at the prompt and is the last on its line: then the event loop
 * runs it in the background.  `CMD --help` shows help for CMD. */
int cmd_run_line(Session *s, const char *line);

/* The one error reporter: "CMD: message" on one line, counted as a failure.
 * Returns CMD_ERR. */
int cmd_error(Session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Output that is safe while readline owns the terminal (it clears the
 * prompt line, prints, and redraws what the user was typing). */
void out_printf(Session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
