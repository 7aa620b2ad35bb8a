/*
 * out.c — everything nnlab prints: output, colours, the progress line,
 * and aligned tables.
 *
 * Output goes straight to s->out, unless the terminal has hooked itself
 * in (Session.hooks.write): while a prompt is live it takes the prompt
 * down, prints, and puts it back (term/display.c), so nothing here knows
 * readline and every handler can be tested against a memory stream.
 */
#include "out.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

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

/* ------------------------------------------------------------------ */
/* The display                                                          */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Output and errors                                                    */
/* ------------------------------------------------------------------ */

size_t out_fit_width(const char *text, int cols)
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

/* ------------------------------------------------------------------ */
/* Output                                                               */
/* ------------------------------------------------------------------ */

/* Remember why output failed: errno is still the failed write's here
 * (a line-buffered stream writes inside vfprintf or fflush), and lost by
 * the time anyone looks at ferror(). */
static void note_output_error(Session *s)
{
    if (!s->out_errno && ferror(s->out))
        s->out_errno = errno ? errno : EIO;
}

void out_vprintf(Session *s, const char *fmt, va_list ap)
{
    if (!s->hooks.write) {
        errno = 0;
        vfprintf(s->out, fmt, ap);
        if (s->tty_out)
            fflush(s->out);
        note_output_error(s);
        return;
    }
    char *text = NULL;
    int len = vasprintf(&text, fmt, ap);
    if (len < 0)
        return;
    s->hooks.write(s, text, (size_t)len);
    free(text);
}

int out_failed(Session *s)
{
    if (!s->out_errno) {
        errno = 0;
        fflush(s->out);
        note_output_error(s);
    }
    if (!s->out_errno)
        return 0;
    if (!s->out_said) {
        s->out_said = 1;
        s->failures++;
        fprintf(stderr, "nnlab: cannot write the output (%s); stopping\n",
                strerror(s->out_errno));
    }
    return 1;
}

/* One line: control characters (a stray escape typed by the user, a
 * newline in a message) become '?' so an error cannot garble the screen. */
void out_one_line(char *msg)
{
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for (char *p = msg; *p; p++)
        if (iscntrl((unsigned char)*p))
            *p = '?';
}

void out_progress(Session *s, const char *text)
{
    if (s->hooks.progress && s->interactive)
        s->hooks.progress(s, text);
}

void out_printf(Session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out_vprintf(s, fmt, ap);
    va_end(ap);
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
        total += width[c] + (c && width[c] ? 2 : 0);
    for (int i = 0; i < t->ncells; i++) {
        int c = i % t->ncols;
        if (c >= nc)
            continue;
        const char *cell = t->cells[i] ? t->cells[i] : "";
        int pad = width[c] - out_width(cell);
        int last = c == nc - 1 || i == t->ncells - 1;
        if (last && !*cell)     /* no trailing blanks for an empty note */
            out_printf(s, "\n");
        else
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
