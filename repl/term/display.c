/*
 * display.c — printing without garbling the prompt, and the progress
 * line.
 *
 * While training runs in the background the prompt is live, and the
 * trainer prints log lines and updates a progress bar between two
 * keystrokes.  On the screen the bottom looks like this:
 *
 *     iter 400  loss 0.3121  train 0.91  dev 0.89      <- log lines scroll
 *     [########......] 40%  400/1000  9.1k it/s  0:01   <- progress line
 *     nnlab> lr 0.0|                                    <- prompt, typing
 *
 * To print, the prompt (every screen row of it) is cleared with
 * rl_clear_visible_line(), the cursor goes up one row onto the progress
 * line and clears it, the text is written, the progress line is written
 * again below it, and readline is told it is on a fresh line so
 * rl_redisplay() draws the prompt and the half-typed line exactly as they
 * were.  Text not yet ended by a newline is held back until it is, so the
 * prompt never lands in the middle of a line.
 *
 * When a typed line is run (the prompt is gone, readline has moved to the
 * next line), the progress line instead lives on the current row, redrawn
 * in place with "\r\033[K".  The old progress line above the command that
 * was typed is left where it is: it records how far training had got when
 * the command ran, and erasing it would mean moving text that has already
 * scrolled.
 */
#include "display.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "out.h"
#include "shell.h"

static int terminal_columns(void)
{
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    return cols > 1 ? cols : 80;
}

/* The prompt is on the screen, waiting for keys (output must go above). */
static int prompt_up(const Session *s)
{
    return s->sh && s->sh->installed && !s->sh->in_line;
}

/* Draw the progress line on the current row (cut to the terminal). */
static void draw_status(Session *s)
{
    Shell *sh = s->sh;
    size_t n = out_fit_width(sh->status, terminal_columns() - 1);
    fputs("\r\033[K", s->out);
    fwrite(sh->status, 1, n, s->out);
    if (s->color)
        fputs("\033[0m", s->out);
    sh->status_shown = 1;
}

/* Take the prompt and the progress line off the screen, leaving the
 * cursor at the start of an empty row where the first of them was. */
static void display_hide(Session *s)
{
    Shell *sh = s->sh;
    if (prompt_up(s)) {
        rl_clear_visible_line();
        if (sh->status_shown)
            fputs("\033[A\r\033[K", s->out);
    } else if (sh->status_shown) {
        fputs("\r\033[K", s->out);
    }
    sh->status_shown = 0;
}

/* Put back what display_hide() took away. */
static void display_show(Session *s)
{
    Shell *sh = s->sh;
    if (sh->status)
        draw_status(s);
    if (prompt_up(s)) {
        if (sh->status_shown)
            fputs("\n", s->out);
        fflush(s->out);
        rl_on_new_line();
        rl_redisplay();
    }
    fflush(s->out);
}

/* Does printing need the careful path at all? */
static int display_busy(const Session *s)
{
    return s->sh && s->interactive && (prompt_up(s) || s->sh->status_shown);
}

static void pending_add(Shell *sh, const char *text, size_t len)
{
    if (sh->npending + len + 1 > sh->cappending) {
        size_t cap = (sh->npending + len + 1) * 2;
        char *p = realloc(sh->pending, cap);
        if (!p)
            return; /* out of memory: lose the text, keep the shell */
        sh->pending = p;
        sh->cappending = cap;
    }
    memcpy(sh->pending + sh->npending, text, len);
    sh->npending += len;
    sh->pending[sh->npending] = '\0';
}

/* Print complete lines of the pending text above the prompt. */
static void pending_flush_lines(Session *s)
{
    Shell *sh = s->sh;
    char *nl = sh->npending ? memrchr(sh->pending, '\n', sh->npending) : NULL;
    if (!nl)
        return;
    size_t n = (size_t)(nl - sh->pending) + 1;
    display_hide(s);
    fwrite(sh->pending, 1, n, s->out);
    memmove(sh->pending, sh->pending + n, sh->npending - n + 1);
    sh->npending -= n;
    display_show(s);
}

static void write_around_prompt(Session *s, const char *text, size_t len)
{
    Shell *sh = s->sh;
    if (prompt_up(s)) {
        pending_add(sh, text, len);
        pending_flush_lines(s);
        return;
    }
    /* A command runs in the foreground: only an in-line progress line
     * needs taking down and redrawing after a finished line. */
    display_hide(s);
    fwrite(text, 1, len, s->out);
    if (len > 0 && text[len - 1] == '\n' && sh->status)
        draw_status(s);
    fflush(s->out);
}

void display_prompt_leaving(Session *s)
{
    Shell *sh = s->sh;
    if (!sh)
        return;
    if (sh->npending) {
        fwrite(sh->pending, 1, sh->npending, s->out);
        fputs("\n", s->out);
        sh->npending = 0;
    }
    sh->status_shown = 0;
    fflush(s->out);
}

void display_prompt_returning(Session *s)
{
    Shell *sh = s->sh;
    if (sh && sh->status_shown) {
        fputs("\r\033[K", s->out);
        fflush(s->out);
        sh->status_shown = 0;
    }
}

void display_progress(Session *s, const char *text)
{
    Shell *sh = s->sh;
    if (!sh)
        return;
    if (!text || !*text) {
        if (!sh->status)
            return;
        display_hide(s);
        free(sh->status);
        sh->status = NULL;
        display_show(s);
        return;
    }
    char *copy = strdup(text);
    if (!copy)
        return;
    out_one_line(copy);
    display_hide(s);
    free(sh->status);
    sh->status = copy;
    display_show(s);
}

void display_write(Session *s, const char *text, size_t len)
{
    if (display_busy(s)) {
        write_around_prompt(s, text, len);
        return;
    }
    fwrite(text, 1, len, s->out);
    if (s->tty_out)
        fflush(s->out);
}

