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

#endif
