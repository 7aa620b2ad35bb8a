/*
 * buf.h — Buf, a growable NUL-terminated string.
 *
 * For text composed by many small appends (gnuplot frames, output held
 * back until its line ends): an allocation that fails sets `failed`, later
 * appends do nothing, and the composer checks `failed` once at the end.
 * Ownership: the Buf owns s; buf_free releases it.  A Buf starts as
 * BUF_INIT (or all zeros).
 */
#ifndef NNLAB_BUF_H
#define NNLAB_BUF_H

#include <stddef.h>

typedef struct Buf {
    char *s;          /* NULL until the first append */
    size_t len, cap;
    int failed;
} Buf;

#define BUF_INIT {NULL, 0, 0, 0}

void buf_free(Buf *b);
void buf_clear(Buf *b);                      /* len = 0, keeps memory */
void buf_add(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
