/*
 * loop.h — the event loop of the interactive shell (loop.c).
 */
#ifndef NNLAB_LOOP_H
#define NNLAB_LOOP_H

#include "session.h"

/* Show the prompt and serve keys, watched descriptors and background
 * training until `quit`, Ctrl-D, SIGTERM or SIGHUP.  Returns 0. */
int loop_run(Session *s);

#endif
