/*
 * model_internal.h — what the model file's writer (model.c) and reader
 * (model_read.c: lines and words; model_load.c: what they mean) share.
 * Not part of the engine's interface.
 */
#ifndef NN_MODEL_INTERNAL_H
#define NN_MODEL_INTERNAL_H

#include <stdio.h>

#include "model.h"

#define MODEL_MAGIC "nnlab-model"
/* 2 added the lines rmsprop, cyclic, sgdr, origin, warmup and clip;
 * version 1 files load with their defaults (see model.h). */
#define MODEL_VERSION 2

typedef struct nn_model_reader {
    FILE *f;
    const char *path;
    int line;
    char *buf;    /* the current line, owned (read_line's buffer) */
    size_t cap;
    nn_err *err;  /* always points at own_err; copied out at the end */
    nn_err own_err;
    int broken;   /* reading failed and err says why: no more "expected" */
    int held;     /* r->buf holds a line read ahead, untouched: the next
                     nn_model_next_line gives it again (optional lines) */
} nn_model_reader;

/* A line of a model is at most this long: a row of W holds one number
 * per unit of the layer below, about 2.5 MB for 100000 units.  Beyond it
 * the file is not a model (/dev/zero has no newline at all), and reading
 * on would only grow memory. */
#define MODEL_MAX_LINE ((size_t)16 << 20)

/* Words and numbers.  A setting line is cut into its words, and each
 * number must be its whole word: sscanf's "%lf" would read "0-01" as 0
 * and "6-" as 6 and say nothing of the rest. */
#define MAX_WORDS 10

/* What a matrix section holds and the range of its values. */
typedef struct values_spec {
    const char *expected;   /* for a missing or malformed row */
    const char *name;       /* whose values: "W2", "a running variance" */
    double lo, hi;          /* every value in [lo, hi], so never NaN */
} values_spec;

/* Next non-empty line into r->buf; 0, or -1 at end of file (r->buf is
 * then "") or when read_line failed (r->broken is then set, with the
 * reason in r->err). */
int nn_model_next_line(nn_model_reader *r);

/* "FILE:LINE: expected EXPECTED" (or the reading error already set):
 * -1. */
int nn_model_bad(nn_model_reader *r, const char *expected);

/* The line is well formed but a value is out of range: why says which. */
int nn_model_out_of_range(nn_model_reader *r, const nn_err *why);

/* The index of word in the NULL-ended names, or -1. */
int nn_model_name_index(const char *const *names, const char *word);

/* Cut r->buf into words (pointers into it); their count, or MAX_WORDS + 1
 * when there are more. */
int nn_model_split_words(nn_model_reader *r, char **w);

/* The line is `key` followed by exactly n - 1 words, into w. */
int nn_model_line_is(nn_model_reader *r, const char *key, int n, char **w);

/* The line is `key` followed by lo - 1 to hi - 1 words, into w: their
 * count with the key, or 0. */
int nn_model_line_has(nn_model_reader *r, const char *key, int lo, int hi,
                      char **w);

/* A whole word as a number: 1, or 0 when it is not one. */
int nn_model_word_double(const char *w, double *v);

int nn_model_word_long(const char *w, long *v);

int nn_model_word_int(const char *w, int *v);

/* Decimal digits only: strtoull would take "-1" for 2^64 - 1. */
int nn_model_word_u64(const char *w, unsigned long long *v);

/* Read the row of `want` numbers on the current line into v.  A value out
 * of range is refused: weights and PReLU slopes are finite (a network
 * that diverged is not saved), batch norm's variances never negative. */
int nn_model_numbers(nn_model_reader *r, double *v, int want,
                        const values_spec *spec);

/* Each row is a line; Ctrl-C is polled between them, since a large model
 * is a hundred megabytes of text. */
int nn_model_matrix(nn_model_reader *r, nn_mat *m, const values_spec *spec);

/* Read the model at path (model_load.c); the C locale is the caller's. */
nn_net *nn_model_read_file(const char *path, nn_trainer *tr, nn_prep *prep,
                   nn_err *err);

#endif
