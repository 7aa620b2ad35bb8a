/*
 * display.h — printing while readline shows a prompt (display.c).  The
 * shell hooks these into the session: out_printf and out_progress come
 * here while the terminal runs.
 */
#ifndef NNLAB_DISPLAY_H
#define NNLAB_DISPLAY_H

#include <stddef.h>

#include "session.h"

/* Session.hooks.write: print text without garbling the prompt and the
 * line being typed. */
void display_write(Session *s, const char *text, size_t len);

/* Session.hooks.progress: show text as the progress line (NULL or "":
 * remove it). */
void display_progress(Session *s, const char *text);

/* The prompt is about to be taken down (a typed line is being run):
 * print any unfinished output line, forget the progress line above it. */
void display_prompt_leaving(Session *s);
/* The prompt is about to come back: clear an in-line progress line. */
void display_prompt_returning(Session *s);

#endif
