/*
 * prompt.c — GNU Readline behind a thin seam: the prompt, the history, the
 * line the user typed, text offered on the prompt, and Ctrl-C at the
 * prompt.
 *
 * Readline is used through its callback interface (rl_callback_handler_
 * install / rl_callback_read_char) so that the event loop (loop.c) owns
 * the waiting: it feeds readline one key at a time and runs training
 * between keys.  Everything readline needs is set up in prompt_start() and
 * taken down in prompt_stop(); scripts and pipes never get here.
 *
 * rl_readline_name is "nnlab", so ~/.inputrc can hold `$if nnlab` settings.
 * Readline's own signal handlers are off: SIGINT only sets a flag, and
 * prompt_cancel_line() does at a safe point what readline's handler would
 * have done.
 *
 * Readline's callbacks carry no user pointer, so the one Session the shell
 * serves is kept in `owner` while readline is installed.
 */
#include "prompt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd.h"
#include "complete.h"
#include "display.h"
#include "interrupt.h"
#include "job.h"
#include "path.h"
#include "shell.h"

#define HISTORY_MAX 1000

static Session *owner;

static int prompt_visible(const Session *s)
{
    return s->sh && s->sh->installed && !s->sh->in_line;
}

void prompt_set(Session *s, const char *prompt)
{
    char *copy = strdup(prompt ? prompt : SHELL_PROMPT);
    if (!copy)
        return;
    free(s->sh->prompt);
    s->sh->prompt = copy;
    if (prompt_visible(s)) {
        rl_set_prompt(copy);
        rl_forced_update_display();
    }
}

/* The offer is on the line and no key has touched it yet. */
static int offer_fresh;

static void insert_offer(Shell *sh)
{
    rl_insert_text(sh->preinput);
    free(sh->preinput);
    sh->preinput = NULL;
    offer_fresh = 1;
    rl_redisplay();
}

void prompt_offer(Session *s, const char *text)
{
    Shell *sh = s->sh;
    free(sh->preinput);
    sh->preinput = text ? strdup(text) : NULL;
    /* At an empty prompt (a lesson moving on after a background job),
     * put it there now; otherwise at the next prompt. */
    if (sh->preinput && prompt_visible(s) && rl_end == 0)
        insert_offer(sh);
}

/* rl_pre_input_hook: runs when readline starts a new line. */
static int put_preinput(void)
{
    Shell *sh = owner ? owner->sh : NULL;
    if (sh && sh->preinput)
        insert_offer(sh);
    return 0;
}

/* rl_getc_function: the offered text gives way.  While it stands on the
 * line as offered, the first key decides: a letter, digit or sign starts
 * another command and the offer is taken off the line first (typing
 * `stats grads` over `train 5000 iters` runs stats grads, not
 * "train 5000 itersstats grads"); a space goes on writing the offered
 * command; Enter runs it; arrows, Backspace and the like edit it. */
static int offer_getc(FILE *in)
{
    int c = rl_getc(in);
    if (offer_fresh) {
        offer_fresh = 0;
        if (c != EOF && c < 0x80 && isgraph(c) && rl_point == rl_end) {
            rl_delete_text(0, rl_end);
            rl_point = rl_end = 0;
        }
    }
    return c;
}

/* Why the history file cannot be written (an errno), or 0: asked at the
 * start, so that the student hears it once, before typing anything. */
static int history_unwritable(const char *path)
{
    if (access(path, F_OK) == 0)
        return access(path, W_OK) == 0 ? 0 : errno;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    return access(dir, W_OK | X_OK) == 0 ? 0 : errno;
}

static void history_start(Session *s)
{
    using_history();
    stifle_history(HISTORY_MAX);
    char path[4096];
    errno = 0;
    int found = path_state("history", path, sizeof path, 1) == 0;
    int e = found ? history_unwritable(path) : errno;
    if (found && !e)
        s->sh->history_path = strdup(path);
    else if (!found && !e)
        fprintf(stderr, "nnlab: the command history will not be kept (no "
                "home directory: set HOME or XDG_STATE_HOME)\n");
    else
        fprintf(stderr, "nnlab: the command history will not be kept: "
                "cannot write %s (%s)\n", path, strerror(e));
    if (found)
        read_history(path); /* none yet is fine */
}

static void history_end(Session *s)
{
    const char *path = s->sh->history_path;
    if (!path)
        return; /* history_start has said why */
    int err = write_history(path);
    if (err != 0)
        fprintf(stderr, "nnlab: could not save the history in %s: %s\n",
                path, strerror(err));
}

/* Non-empty lines only, and not the same line twice in a row. */
static void history_add(const char *line)
{
    if (line[strspn(line, " \t")] == '\0')
        return;
    HIST_ENTRY *last = history_get(history_base + history_length - 1);
    if (last && strcmp(last->line, line) == 0)
        return;
    add_history(line);
}

static void leave(Session *s)
{
    job_stop(s, "quit");
    s->want_quit = 1;
    /* Removing the handler inside it stops readline from showing one
     * more prompt after we return. */
    rl_callback_handler_remove();
    s->sh->installed = 0;
}

/* Readline's line handler: line is NULL at Ctrl-D on an empty line. */
static void on_line(char *line)
{
    Session *s = owner;
    Shell *sh = s->sh;
    offer_fresh = 0;
    if (!line) {
        fputs("\n", s->out);
        fflush(s->out);
        leave(s);
        return;
    }
    sh->in_line = 1;
    s->at_prompt = 1;
    display_prompt_leaving(s);
    const char *typed = s->hooks.typed ? s->hooks.typed(s, line) : line;
    history_add(typed);
    int status = cmd_run_line(s, typed);
    if (s->hooks.line_ran)
        s->hooks.line_ran(s, typed, status);
    free(line);
    nnlab_interrupted = 0; /* a Ctrl-C during the command was for it */
    display_prompt_returning(s);
    s->at_prompt = 0;
    sh->in_line = 0;
    if (status == CMD_QUIT || s->want_quit)
        leave(s);
    else
        rl_set_prompt(sh->prompt); /* a lesson may have changed it */
}

void prompt_start(Session *s)
{
    owner = s;
    rl_readline_name = "nnlab";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_pre_input_hook = put_preinput;
    rl_getc_function = offer_getc;
    complete_install(s);
    history_start(s);
    rl_callback_handler_install(s->sh->prompt, on_line);
    s->sh->installed = 1;
}

void prompt_stop(Session *s)
{
    if (s->sh->installed) {
        rl_callback_handler_remove();
        s->sh->installed = 0;
    }
    history_end(s);
    complete_free();
    owner = NULL;
}

/* What readline's own SIGINT handler would do, at a safe point: drop the
 * half-typed line (left on the screen with ^C after it, as bash does) and
 * start a fresh one. */
void prompt_cancel_line(Session *s)
{
    if (!prompt_visible(s))
        return;
    offer_fresh = 0;
    rl_callback_sigcleanup();
    rl_free_line_state();
    rl_point = rl_end;
    rl_redisplay();
    fputs("^C", s->out);
    rl_crlf();
    fflush(s->out);
    display_prompt_leaving(s);
    rl_callback_handler_remove();
    rl_callback_handler_install(s->sh->prompt, on_line);
}

void prompt_resize(Session *s)
{
    if (prompt_visible(s))
        rl_resize_terminal();
}
