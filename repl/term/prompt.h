/*
 * prompt.h — readline behind a thin seam (prompt.c).
 */
#ifndef NNLAB_PROMPT_H
#define NNLAB_PROMPT_H

#include "session.h"

/* Set readline up, load the history and show the prompt; take it all down
 * again and save the history. */
void prompt_start(Session *s);
void prompt_stop(Session *s);

/* Ctrl-C at the prompt: a new, empty line.  The terminal was resized. */
void prompt_cancel_line(Session *s);
void prompt_resize(Session *s);

/* Session.hooks.set_prompt: change the prompt (the usual one when prompt
 * is NULL); at once if a prompt is showing.  The text is copied. */
void prompt_set(Session *s, const char *prompt);

/* Session.hooks.offer: put text on the next prompt's line, ready to run
 * with Enter or to edit; a later call replaces an earlier one; NULL
 * cancels.  The text is copied. */
void prompt_offer(Session *s, const char *text);

#endif
