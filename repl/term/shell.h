/*
 * shell.h — the shell around the command table: the interactive readline
 * loop, scripts, training jobs run in slices, and the prompt.
 *
 *   shell.c     readline behind a thin seam: prompt, history, the typed
 *               line, Ctrl-C at the prompt, taking the prompt down for
 *               output and putting it back
 *   loop.c      the event loop (poll on stdin and watched fds), jobs,
 *               signals
 *   complete.c  Tab completion driven by the command table
 *   dispatch.c  splitting a line into commands and running them; scripts
 *
 * Scripts, pipes and tests run the same cmd_run_line() as the prompt, with
 * no readline at all.
 */
#ifndef NNLAB_SHELL_H
#define NNLAB_SHELL_H

#include <stddef.h>
#include <stdio.h>

#include "session.h"

typedef void (*loop_fd_fn)(Session *s, int fd);

#define SHELL_MAX_WATCH 8
#define SHELL_PROMPT "nnlab> "
#define SHELL_MAX_DEPTH 16 /* nesting of `source` */

/* The shell's state, hung on Session.sh.  Private to the files above and
 * out.c: other modules use the functions below. */
typedef struct Shell {
    char *prompt;        /* owned; what readline shows */
    char *preinput;      /* owned; text to put on the next prompt's line */
    char *history_path;  /* owned; NULL when there is nowhere to keep it */
    int installed;       /* readline's callback handler is installed */
    int in_line;         /* running a line typed at the prompt */
    int running;         /* nesting of cmd_run_line() */
    int tty_out;         /* stdout is a terminal, fully buffered so that a
                            screen update goes out in one write: out.c
                            flushes after each print */
    struct { int fd; loop_fd_fn fn; } watch[SHELL_MAX_WATCH];
    int nwatch;

    /* The display (out.c). */
    char *status;        /* owned; the progress line's text, or NULL */
    int status_shown;    /* it is on the screen now */
    char *pending;       /* owned; output not yet ended by a newline */
    size_t npending, cappending;
} Shell;

Shell *shell_new(void);
void shell_free(Shell *sh);

/* ------------------------------------------------------------------ */
/* The interactive shell (shell.c, loop.c)                              */
/* ------------------------------------------------------------------ */

/* Run the interactive loop until `quit`, Ctrl-D, SIGTERM or SIGHUP; history
 * is loaded first and saved at the end.  Returns 0. */
int shell_run(Session *s);

/* Change the prompt ("nnlab> " when prompt is NULL).  Takes effect at the
 * next prompt, or at once if a prompt is showing.  The text is copied. */
void shell_set_prompt(Session *s, const char *prompt);

/* Put `text` on the next prompt's line, ready to run with Enter or to
 * edit (lessons use it for the next command).  The text is copied; a later
 * call replaces an earlier one; NULL cancels. */
void shell_preinput(Session *s, const char *text);

/* The prompt is on the screen, waiting for keys (output must go above). */
int shell_prompt_visible(const Session *s);

/* The banner shown when the interactive shell starts (not with -q). */
void shell_banner(Session *s);

/* For the loop (loop.c): set readline up, load the history and show the
 * prompt; take it all down again and save the history; Ctrl-C at the
 * prompt (a new, empty line); the terminal was resized. */
void shell_start(Session *s);
void shell_stop(Session *s);
void shell_cancel_line(Session *s);
void shell_resize(Session *s);

/* Tab completion (complete.c): install readline's hooks; free the lists. */
void complete_install(Session *s);
void complete_free(void);

/* ------------------------------------------------------------------ */
/* The event loop and jobs (loop.c)                                     */
/* ------------------------------------------------------------------ */

/* Call on_ready(s, fd) whenever fd has data (or hangs up) while the shell
 * waits for keys, and between slices of a job.  Returns 0, or -1 when
 * SHELL_MAX_WATCH fds are already watched.  Watching an fd again replaces
 * its function. */
int loop_watch_fd(Session *s, int fd, void (*on_ready)(Session *s, int fd));
void loop_unwatch_fd(Session *s, int fd);

/* Run s->job slice by slice until it ends, with no prompt (scripts, and
 * commands after it on the same line).  Ctrl-C stops it with
 * job.stop(s, "interrupted") and leaves nnlab_interrupted set so a script
 * can stop too.  Returns CMD_OK, or CMD_ERR when interrupted or when the
 * job reported an error. */
int job_run_to_end(Session *s);

/* Stop a running job (calls job.stop(s, why)) and remove the progress
 * line.  Does nothing when no job runs. */
void job_stop(Session *s, const char *why);

/* Install the SIGINT handler (sets nnlab_interrupted, no SA_RESTART). */
void signals_install(void);

/* ------------------------------------------------------------------ */
/* Lines and scripts (dispatch.c)                                       */
/* ------------------------------------------------------------------ */

/* Run every line of f as if typed; `name` names it in messages ("-" for
 * standard input).  Stops at the first failed command unless
 * s->keep_going, at `quit` and at Ctrl-C.  Returns the worst status. */
int script_run(Session *s, FILE *f, const char *name);

/* Open and run a script file; `who` prefixes errors ("source", "nnlab"). */
int script_run_file(Session *s, const char *path, const char *who);

/* The words of one command of a line, as the dispatcher splits them. */
typedef struct LineCmd {
    int argc;
    char **argv;         /* argv[argc] == NULL */
} LineCmd;

/* Split a line into commands (';'), words (spaces, double quotes) and drop
 * a '#' comment.  On success returns the number of commands and sets *cmds
 * (free with line_free); empty commands are skipped.  On a syntax error
 * returns -1 with a message in err. */
int line_split(const char *line, LineCmd **cmds, char *err, size_t errlen);
void line_free(LineCmd *cmds, int n);

/* `help` and `help CMD` (cmd_shell.c), for the dispatcher's CMD --help. */
int cmd_help_show(Session *s, const char *name);

#endif
