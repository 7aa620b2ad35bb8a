/*
 * script.h — running files of commands (script.c).
 */
#ifndef NNLAB_SCRIPT_H
#define NNLAB_SCRIPT_H

#include <stdio.h>

#include "session.h"

#define SCRIPT_MAX_DEPTH 16 /* nesting of `source` */

/* Run every line of f as if typed; `name` names it in messages ("-" for
 * standard input, whose lines the student typed: each is told to the
 * line_ran hook).  Stops at the first failed command unless
 * s->keep_going, at `quit` and at Ctrl-C.  Returns the worst status. */
int script_run(Session *s, FILE *f, const char *name);

/* Open and run a script file. */
int script_run_file(Session *s, const char *path);

#endif
