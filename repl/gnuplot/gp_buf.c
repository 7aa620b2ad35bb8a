/*
 * gp_buf.c — GpBuf, the growable string gnuplot frames are composed in.
 *
 * Frames are built by many small appends (chart.c writes a number at a
 * time), so a failed allocation is not reported by each append: it sets
 * `failed`, later appends do nothing, and the composer checks once at the
 * end.  gp_buf_quote is the one way user text reaches gnuplot: as a
 * single-quoted string that cannot end early or start a new command.
 */
#include "gp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int buf_reserve(GpBuf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void gp_buf_free(GpBuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void gp_buf_clear(GpBuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->s)
        b->s[0] = '\0';
}

void gp_buf_add(GpBuf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void gp_buf_puts(GpBuf *b, const char *s)
{
    gp_buf_add(b, s, strlen(s));
}

void gp_buf_printf(GpBuf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        gp_buf_add(b, small, (size_t)n);
        return;
    }
    if (buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void gp_buf_num(GpBuf *b, double v)
{
    gp_buf_printf(b, "%.10g", v);
}

void gp_buf_quote(GpBuf *b, const char *text)
{
    gp_buf_add(b, "'", 1);
    for (const char *p = text ? text : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'')
            gp_buf_add(b, "''", 2);
        else if (c < 0x20 || c == 0x7f)
            gp_buf_add(b, " ", 1);
        else
            gp_buf_add(b, p, 1);
    }
    gp_buf_add(b, "'", 1);
}
