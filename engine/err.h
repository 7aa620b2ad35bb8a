/*
 * err.h — how the engine reports failure.
 *
 * The engine never prints and never exits.  A function that can fail takes
 * an `nn_err *` (which may be NULL when the caller does not care), fills it
 * with one human-readable line, and returns -1 (or NULL).  The program
 * decides what to show.
 */
#ifndef NN_ERR_H
#define NN_ERR_H

#include <signal.h>

#define NN_ERR_LEN 320

typedef struct nn_err {
    char msg[NN_ERR_LEN];
} nn_err;

/* Fill e (if non-NULL) with a printf-style message; always returns -1 so
 * that `return nn_fail(err, "...")` reads naturally. */
int nn_fail(nn_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clear a message so stale text is never shown. */
void nn_err_clear(nn_err *e);

/* Cancellation.  The engine's long loops (the CSV, IDX and model loaders,
 * the gradient check, the evaluation of a split) poll a flag the program
 * owns, the one its SIGINT handler sets, every few thousand rows or
 * values.  When it is set they stop, undo what they had changed, and fail
 * with a message holding "interrupted".  The engine only reads the flag;
 * clearing it is the program's business.  NULL, the default, is a flag
 * that is never set.  Training steps do not poll: the caller checks its
 * flag between two steps. */
void nn_set_cancel(const volatile sig_atomic_t *flag);
/* 1 when the flag given to nn_set_cancel is set. */
int nn_cancelled(void);

#endif
