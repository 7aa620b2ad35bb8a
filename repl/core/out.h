/*
 * out.h — everything nnlab prints goes through here.
 *
 * out_printf() and cmd_error() (cmd.h) are the two everyday calls.  This
 * header adds what formatted output needs beyond them: colours that switch
 * themselves off when there is no terminal or NO_COLOR is set, a progress
 * line that updates in place just above the prompt, and aligned tables.
 *
 * All of it is safe while the terminal shows a prompt: it hooks itself in
 * (Session.hooks) and takes the prompt down around the text.
 */
#ifndef NNLAB_OUT_H
#define NNLAB_OUT_H

#include <stdarg.h>
#include <stddef.h>

#include "session.h"

/* Output that is safe while the terminal shows a prompt. */
void out_printf(Session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void out_vprintf(Session *s, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* 1 once output could not be written (standard output closed, a full
 * disk, a terminal gone): says so on stderr the first time, with the
 * cause, and counts it as a failure.  0 while output works.  Commands are
 * run no further then: what they would print would be lost. */
int out_failed(Session *s);

/* ------------------------------------------------------------------ */
/* Colours                                                              */
/* ------------------------------------------------------------------ */

typedef enum {
    OUT_RESET, OUT_BOLD, OUT_DIM, OUT_RED, OUT_GREEN, OUT_YELLOW, OUT_BLUE,
    OUT_CYAN
} OutColor;

/* The escape sequence for c, or "" when s->color is off.  Static text. */
const char *out_color(const Session *s, OutColor c);

/* ------------------------------------------------------------------ */
/* The progress line                                                    */
/* ------------------------------------------------------------------ */

/* Show `text` (one line, no newline) as the progress line, replacing the
 * previous one in place.  On a terminal it sits just above the prompt while
 * training runs in the background, or on the current line while a command
 * runs in the foreground; other output scrolls above it.  Text wider than
 * the terminal is cut.  NULL or "" removes the line.  When the session is
 * not interactive this prints nothing (scripts get only the log lines).
 * The event loop removes the line itself when a job ends. */
void out_progress(Session *s, const char *text);

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

/* A table of text cells printed with aligned columns:
 *
 *     OutTable *t = out_table_new(3);
 *     out_table_cell(t, "layer"); out_table_cell(t, "shape"); ...  header
 *     out_table_cell(t, "%d", l); out_table_cell(t, "%dx%d", r, c); ...
 *     out_table_print(s, t);   prints and frees
 *
 * Cells fill rows left to right; the first row is the header and gets a
 * rule under it.  A column whose cells are all numbers is right-aligned.
 * Out of memory only loses cells: every function accepts a NULL table. */
typedef struct OutTable OutTable;

OutTable *out_table_new(int ncols);
void out_table_cell(OutTable *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print with `indent` spaces before each row, then free the table. */
void out_table_print_indented(Session *s, OutTable *t, int indent);
void out_table_print(Session *s, OutTable *t); /* indent 2 */
void out_table_free(OutTable *t);

/* The number of terminal columns text takes (UTF-8 aware, colour escapes
 * count zero). */
int out_width(const char *text);

/* Make msg one line: trailing newlines and spaces go, control characters
 * (a stray escape typed by the user, a newline in a message) become '?',
 * so a message cannot garble the screen. */
void out_one_line(char *msg);

/* The byte length of the longest prefix of text that fits in cols
 * columns. */
size_t out_fit_width(const char *text, int cols);

#endif
