/*
 * script.h — running files of commands (script.c).
 */
#ifndef NNLAB_SCRIPT_H
#define NNLAB_SCRIPT_H

#include <stdio.h>

#include "session.h"

#define SCRIPT_MAX_DEPTH 16 /* nesting of `source` */
#define SCRIPT_MAX_LINE 65536 /* bytes in one line of a script */

/* Run every line of f as if typed; `name` names it in messages ("-" for
 * standard input, whose lines the student typed: each is told to the
 * line_ran hook).  Stops at the first failed command unless
 * s->keep_going, at `quit`, at Ctrl-C, when output cannot be written, and
 * at a line longer than SCRIPT_MAX_LINE or that cannot be read; a line
 * holding a NUL byte is not run and counts as a failed command.  Returns
 * the worst status. */
int script_run(Session *s, FILE *f, const char *name);

/* Open and run a script file. */
int script_run_file(Session *s, const char *path);

#endif
