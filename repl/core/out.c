/*
 * out.c — printing without garbling the prompt: output, errors, colours,
 * the progress line, and aligned tables.
 *
 * The display.  While training runs in the background the prompt is live,
 * and the trainer prints log lines and updates a progress bar between two
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
 *
 * Without a terminal (scripts, pipes, tests) none of this happens: output
 * goes straight to s->out and the progress line prints nothing.
 */
#include "out.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "cmd.h"
#include "shell.h"

/* ------------------------------------------------------------------ */
/* Widths                                                               */
/* ------------------------------------------------------------------ */

/* Skip an escape sequence "\033[...X" starting at p; returns its length. */
static size_t escape_len(const char *p)
{
    if (p[0] != '\033' || p[1] != '[')
        return 0;
    size_t n = 2;
    while (p[n] && !(p[n] >= '@' && p[n] <= '~'))
        n++;
    return p[n] ? n + 1 : n;
}

/* UTF-8: every byte that is not a continuation byte starts one column.
 * Good enough for the arrows, Greek letters and blocks nnlab prints. */
int out_width(const char *text)
{
    int w = 0;
    for (const char *p = text; *p;) {
        size_t e = escape_len(p);
        if (e) {
            p += e;
            continue;
        }
        if (((unsigned char)*p & 0xC0) != 0x80)
            w++;
        p++;
    }
    return w;
}

/* The byte length of the longest prefix of text that fits in cols. */
static size_t fit_width(const char *text, int cols)
{
    int w = 0;
    const char *p = text;
    while (*p) {
        size_t e = escape_len(p);
        if (e) {
            p += e;
            continue;
        }
        if (((unsigned char)*p & 0xC0) != 0x80 && ++w > cols)
            break;
        p++;
    }
    return (size_t)(p - text);
}

static int terminal_columns(void)
{
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    return cols > 1 ? cols : 80;
}

/* ------------------------------------------------------------------ */
/* The display                                                          */
/* ------------------------------------------------------------------ */

static int prompt_up(const Session *s)
{
    return shell_prompt_visible(s);
}

/* Draw the progress line on the current row (cut to the terminal). */
static void draw_status(Session *s)
{
    Shell *sh = s->sh;
    size_t n = fit_width(sh->status, terminal_columns() - 1);
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

static void display_write(Session *s, const char *text, size_t len)
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

void out_prompt_leaving(Session *s)
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

void out_prompt_returning(Session *s)
{
    Shell *sh = s->sh;
    if (sh && sh->status_shown) {
        fputs("\r\033[K", s->out);
        fflush(s->out);
        sh->status_shown = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Output and errors                                                    */
/* ------------------------------------------------------------------ */

void out_vprintf(Session *s, const char *fmt, va_list ap)
{
    if (!display_busy(s)) {
        vfprintf(s->out, fmt, ap);
        if (s->sh && s->sh->tty_out)
            fflush(s->out);
        return;
    }
    char *text = NULL;
    int len = vasprintf(&text, fmt, ap);
    if (len < 0)
        return;
    display_write(s, text, (size_t)len);
    free(text);
}

void out_printf(Session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out_vprintf(s, fmt, ap);
    va_end(ap);
}

/* One line: control characters (a stray escape typed by the user, a
 * newline in a message) become '?' so an error cannot garble the screen. */
static void one_line(char *msg)
{
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for (char *p = msg; *p; p++)
        if (iscntrl((unsigned char)*p))
            *p = '?';
}

int cmd_error(Session *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    one_line(msg);
    out_printf(s, "%s%s%s\n", out_color(s, OUT_RED), msg,
               out_color(s, OUT_RESET));
    s->failures++;
    return CMD_ERR;
}

/* ------------------------------------------------------------------ */
/* Colours                                                              */
/* ------------------------------------------------------------------ */

const char *out_color(const Session *s, OutColor c)
{
    static const char *const codes[] = {
        [OUT_RESET] = "\033[0m",   [OUT_BOLD] = "\033[1m",
        [OUT_DIM] = "\033[2m",     [OUT_RED] = "\033[31m",
        [OUT_GREEN] = "\033[32m",  [OUT_YELLOW] = "\033[33m",
        [OUT_BLUE] = "\033[34m",   [OUT_CYAN] = "\033[36m",
    };
    if (!s || !s->color || (unsigned)c >= sizeof codes / sizeof *codes)
        return "";
    return codes[c];
}

/* ------------------------------------------------------------------ */
/* The progress line                                                    */
/* ------------------------------------------------------------------ */

void out_progress(Session *s, const char *text)
{
    Shell *sh = s->sh;
    if (!sh || !s->interactive)
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
    one_line(copy);
    display_hide(s);
    free(sh->status);
    sh->status = copy;
    display_show(s);
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

struct OutTable {
    int ncols;
    int ncells, cap;
    char **cells;   /* row-major; NULL cells print empty */
};

OutTable *out_table_new(int ncols)
{
    if (ncols < 1)
        return NULL;
    OutTable *t = calloc(1, sizeof *t);
    if (t)
        t->ncols = ncols;
    return t;
}

void out_table_free(OutTable *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

void out_table_cell(OutTable *t, const char *fmt, ...)
{
    if (!t)
        return;
    if (t->ncells == t->cap) {
        int cap = t->cap ? t->cap * 2 : 32;
        char **c = realloc(t->cells, (size_t)cap * sizeof *c);
        if (!c)
            return;
        t->cells = c;
        t->cap = cap;
    }
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    t->cells[t->ncells++] = text;
}

/* A number as nnlab prints them: 0.25, -1e-07, 99%, nan, inf, or "-". */
static int is_numeric(const char *cell)
{
    if (!cell || !*cell || strcmp(cell, "-") == 0)
        return 1;
    char *end;
    strtod(cell, &end);
    if (end == cell)
        return 0;
    return *end == '\0' || strcmp(end, "%") == 0 || strcmp(end, "x") == 0;
}

void out_table_print_indented(Session *s, OutTable *t, int indent)
{
    if (!t)
        return;
    enum { MAXCOLS = 32 };
    int nc = t->ncols < MAXCOLS ? t->ncols : MAXCOLS;
    int width[MAXCOLS] = {0}, right[MAXCOLS];
    for (int c = 0; c < nc; c++)
        right[c] = t->ncells > t->ncols; /* no body: left */
    for (int i = 0; i < t->ncells; i++) {
        int c = i % t->ncols;
        if (c >= nc)
            continue;
        const char *cell = t->cells[i] ? t->cells[i] : "";
        if (out_width(cell) > width[c])
            width[c] = out_width(cell);
        if (i >= t->ncols && !is_numeric(cell))
            right[c] = 0;
    }
    int total = 0;
    for (int c = 0; c < nc; c++)
        total += width[c] + (c ? 2 : 0);
    for (int i = 0; i < t->ncells; i++) {
        int c = i % t->ncols;
        if (c >= nc)
            continue;
        const char *cell = t->cells[i] ? t->cells[i] : "";
        int pad = width[c] - out_width(cell);
        int last = c == nc - 1 || i == t->ncells - 1;
        out_printf(s, "%*s%*s%s%*s%s", c ? 2 : indent, "",
                   right[c] ? pad : 0, "", cell,
                   right[c] || last ? 0 : pad, "", last ? "\n" : "");
        if (i == t->ncols - 1 && t->ncells > t->ncols)
            out_printf(s, "%*s%.*s\n", indent, "", total,
                       "-----------------------------------------------------"
                       "-----------------------------------------------------"
                       "-----------------------------------------------------");
    }
    out_table_free(t);
}

void out_table_print(Session *s, OutTable *t)
{
    out_table_print_indented(s, t, 2);
}
