/*
 * out.h — everything nnlab prints goes through here.
 *
 * out_printf() and cmd_error() (declared in cmd.h) are the two everyday
 * calls.  This header adds what formatted output needs beyond them:
 * colours that switch themselves off when there is no terminal or NO_COLOR
 * is set, a progress line that updates in place just above the prompt, and
 * aligned tables.
 *
 * All of it is safe while readline shows a prompt: the prompt and whatever
 * the user is typing are taken down, the text printed, and both put back
 * (see "The display" in out.c).
 */
#ifndef NNLAB_OUT_H
#define NNLAB_OUT_H

#include <stdarg.h>

#include "session.h"

void out_vprintf(Session *s, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

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

/* ------------------------------------------------------------------ */
/* For the shell (shell.c), not for commands                            */
/* ------------------------------------------------------------------ */

/* The prompt is about to be taken down (a typed line is being run):
 * print any unfinished output line, forget the progress line above it. */
void out_prompt_leaving(Session *s);
/* The prompt is about to come back: clear an in-line progress line. */
void out_prompt_returning(Session *s);

#endif
