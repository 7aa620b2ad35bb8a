/*
 * args.h — parsing command arguments the same way everywhere.
 *
 * Every function here reports a bad argument itself through cmd_error()
 * (one line: what was wrong, what was expected, "did you mean" when close)
 * and returns -1; on success it returns 0 and writes the result.  Handlers
 * therefore parse everything first and change state only when all of it
 * parsed, which is how "a bad argument changes nothing" is kept.
 */
#ifndef NNLAB_ARGS_H
#define NNLAB_ARGS_H

#include "session.h"

/* A number (accepts 1e-3, 0.5, 10) within [lo, hi]. `what` names it in the
 * error: "lr: expected a number in [0, 10] for the learning rate, got 'x'". */
int args_double(Session *s, const char *text,
               const char *what, double lo, double hi, double *out);
int args_int(Session *s, const char *text, const char *what,
            long lo, long hi, long *out);
/* One of `names` (NULL-terminated); *index is its position. */
int args_enum(Session *s, const char *text,
             const char *what, const char *const *names, int *index);
/* on/off, yes/no, 1/0. */
int args_bool(Session *s, const char *text, int *out);

/* key=value options.  A spec row per key; values are parsed by type:
 *   'd' double in [lo,hi]   -> double *
 *   'i' integer in [lo,hi]  -> long *
 *   'e' one of names        -> int * (index)
 *   's' any text            -> const char ** (points into argv)
 *   'b' on/off              -> int *
 *   'l' comma list of text  -> const char ** (the raw list text)
 * Each parsed key sets *seen (if non-NULL) to 1. */
typedef struct OptSpec {
    const char *key;
    char type;
    void *dst;
    double lo, hi;
    const char *const *names;
    int *seen;
} OptSpec;

/* Split argv[first..argc) into key=value options (checked against spec,
 * unknown keys are an error with "did you mean") and positional words,
 * which are stored in pos[] (at most maxpos, more is an error).
 * Returns the number of positional words, or -1 after reporting an error. */
int args_parse(Session *s, int argc, char **argv, int first,
               const OptSpec *spec, char **pos, int maxpos);

#endif
