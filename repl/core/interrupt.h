/*
 * interrupt.h — Ctrl-C.  SIGINT only sets a flag (as lua.c does); the
 * training loop, scripts, loaders and the event loop look at it at safe
 * points.
 */
#ifndef NNLAB_INTERRUPT_H
#define NNLAB_INTERRUPT_H

#include <signal.h>

/* The program's only global: set by the SIGINT handler, cleared by whoever
 * handles the interruption. */
extern volatile sig_atomic_t nnlab_interrupted;

/* Install the SIGINT handler (no SA_RESTART: a read or poll waiting when
 * Ctrl-C comes returns EINTR, so a script waiting for input stops), and
 * give the flag to the engine (nn_set_cancel), whose loaders, gradient
 * check and evaluation stop when it is set. */
void interrupt_install(void);

#endif
