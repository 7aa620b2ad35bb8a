/*
 * shell.h — the interactive shell: GNU Readline, the event loop, Tab
 * completion and the prompt.  The top layer of the program: it calls the
 * layers below and none of them calls it; it hooks itself into the
 * session (Session.hooks) while it runs.
 *
 * Its files call each other one way only, from the top:
 *   shell.c     the terminal's state, hooked into the session; the loop
 *               run; the banner
 *   loop.c      the event loop: poll on the keys and watched descriptors,
 *               training slices, signals (loop.h)
 *   prompt.c    readline behind a thin seam: the prompt, the line typed,
 *               history, Ctrl-C at the prompt, text offered (prompt.h)
 *   display.c   output that never garbles the line being typed, and the
 *               progress line above it (display.h)
 *   complete.c  Tab completion from the command table (complete.h)
 *
 * Scripts, pipes and tests never come here: they run the same
 * cmd_run_line() with no readline at all.
 */
#ifndef NNLAB_SHELL_H
#define NNLAB_SHELL_H

#include <stddef.h>

#include "session.h"

#define SHELL_PROMPT "nnlab> "

/* Make the terminal's state and hook it into the session: from now on
 * output, the progress line, the prompt and text offered on it go through
 * the terminal.  0, or -1 when out of memory.  shell_close undoes it
 * (session_free too). */
int shell_open(Session *s);
void shell_close(Session *s);

/* Run the interactive shell until `quit`, Ctrl-D, SIGTERM or SIGHUP;
 * history is loaded first and saved at the end.  0, or -1 when the shell
 * was not opened. */
int shell_run(Session *s);

/* The banner shown when the interactive shell starts (not with -q). */
void shell_banner(Session *s);

/* The terminal's state, on Session.sh while shell_run runs.  For the
 * files of term/ only. */
typedef struct Shell {
    char *prompt;        /* owned; what readline shows */
    char *preinput;      /* owned; text to put on the next prompt's line */
    char *history_path;  /* owned; NULL when there is nowhere to keep it */
    int installed;       /* readline's callback handler is installed */
    int in_line;         /* running a line typed at the prompt */

    /* The display (display.c). */
    char *status;        /* owned; the progress line's text, or NULL */
    int status_shown;    /* it is on the screen now */
    char *pending;       /* owned; output not yet ended by a newline */
    size_t npending, cappending;
} Shell;

#endif
