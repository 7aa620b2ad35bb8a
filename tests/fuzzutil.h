/*
 * fuzzutil.h — a small deterministic mutation fuzzer for test_fuzz.c.
 *
 * An input is a byte buffer.  Starting from a valid seed, mutate() applies
 * a few random edits of the kinds that break parsers: bit flips, inserted
 * and deleted bytes, truncation, duplicated chunks, chunks spliced in from
 * another seed, numbers replaced by "interesting" ones (0, -1, huge, nan,
 * inf, 1e309), very long tokens, unbalanced quotes and separators, and
 * 32-bit big-endian fields overwritten for the binary formats.
 *
 * The random stream is splitmix64 from a fixed seed, so every run tries
 * the same inputs and a failure is reproducible.  Everything is static
 * inline so the test stays one translation unit; include after <cmocka.h>.
 */
#ifndef NN_FUZZUTIL_H
#define NN_FUZZUTIL_H

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX_LEN (64u << 10) /* inputs never grow past this */

/* ------------------------------------------------------------------ */
/* Random numbers                                                       */
/* ------------------------------------------------------------------ */

typedef struct fz_rng {
    uint64_t s;
} fz_rng;

static inline uint64_t fz_next(fz_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline size_t fz_below(fz_rng *r, size_t n)
{
    return n ? (size_t)(fz_next(r) % n) : 0;
}

/* ------------------------------------------------------------------ */
/* Buffers                                                              */
/* ------------------------------------------------------------------ */

typedef struct fz_buf {
    unsigned char *p; /* always followed by a '\0' (for text targets) */
    size_t n, cap;
} fz_buf;

static inline void fz_reserve(fz_buf *b, size_t n)
{
    if (n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n + 1)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    assert_non_null(p);
    b->p = p;
    b->cap = cap;
}

static inline void fz_set(fz_buf *b, const void *p, size_t n)
{
    fz_reserve(b, n);
    if (n)
        memcpy(b->p, p, n);
    b->n = n;
    b->p[n] = '\0';
}

static inline void fz_insert(fz_buf *b, size_t at, const void *p, size_t n)
{
    if (b->n + n > FZ_MAX_LEN)
        return;
    fz_reserve(b, b->n + n);
    memmove(b->p + at + n, b->p + at, b->n - at);
    memcpy(b->p + at, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static inline void fz_erase(fz_buf *b, size_t at, size_t n)
{
    if (at + n > b->n)
        n = b->n - at;
    memmove(b->p + at, b->p + at + n, b->n - at - n);
    b->n -= n;
    b->p[b->n] = '\0';
}

static inline void fz_free(fz_buf *b)
{
    free(b->p);
    *b = (fz_buf){0};
}

/* ------------------------------------------------------------------ */
/* Mutations                                                            */
/* ------------------------------------------------------------------ */

static const char *const fz_tokens[] = {
    "0", "-1", "1", "-0", "255", "256", "65535", "2147483647", "2147483648",
    "-2147483649", "4294967296", "9223372036854775807",
    "18446744073709551616", "99999999999999999999999", "1e309", "-1e309",
    "1e-400", "4.9e-324", "nan", "-nan", "NaN", "inf", "-inf", "Infinity",
    "0x1p1023", "0x", "1e", ".", "-", "+", "\"", "\"\"", "\\", "\\\"", ";",
    ";;;;;;;;;;;;;;;;", "#", ",", ",,,,", " ", "\t", "\n", "\r\n", "\r",
    "\n\n\n", "=", "==", "*", "..", "[", "]", "(", ")", "[99999]", "[-1]",
    "\xff", "\x80", "\xc3\xa9", "%s%n%s", "\0", "layer ", "param ", "end",
    "running ", "check: ", "> ", "== ", "? ", "| ", "title: ", "order: ",
    "and", "or", "not", "~=", "<", ">=",
};

/* 32-bit values for the binary formats (written big-endian). */
static const uint32_t fz_words[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff,
    0x80000000u, 0xffffffffu, 0x801, 0x803, 0x800, 0x804, 0x0803ffff,
    10000000, 10000001, 4096, 4097, 1u << 20, 60000, 28,
};

/* A long run of one character ('a', '9', '(', '-', '"', ';', ' '). */
static inline void fz_long_token(fz_rng *r, fz_buf *b, size_t at)
{
    static const char fill[] = "a9(-\";  [";
    size_t n = 64 + fz_below(r, 4000);
    char *t = malloc(n);
    assert_non_null(t);
    memset(t, fill[fz_below(r, sizeof fill - 1)], n);
    fz_insert(b, at, t, n);
    free(t);
}

/* Replace the number (or word) around a random position by a token. */
static inline void fz_replace_number(fz_rng *r, fz_buf *b)
{
    size_t at = fz_below(r, b->n), end;
    while (at > 0 && (isalnum(b->p[at - 1]) || b->p[at - 1] == '.' ||
                      b->p[at - 1] == '-'))
        at--;
    for (end = at; end < b->n && (isalnum(b->p[end]) || b->p[end] == '.' ||
                                  b->p[end] == '-' || b->p[end] == '+');
         end++)
        ;
    const char *tok = fz_tokens[fz_below(r, sizeof fz_tokens /
                                                sizeof *fz_tokens)];
    fz_erase(b, at, end - at);
    fz_insert(b, at, tok, tok[0] ? strlen(tok) : 1);
}

static inline void fz_put_word(fz_rng *r, fz_buf *b)
{
    if (b->n < 4)
        return;
    uint32_t v = fz_words[fz_below(r, sizeof fz_words / sizeof *fz_words)];
    if (fz_below(r, 4) == 0)
        v = (uint32_t)fz_next(r);
    size_t at = fz_below(r, 5) ? 4 * fz_below(r, 5) : fz_below(r, b->n - 3);
    if (at + 4 > b->n)
        at = b->n - 4;
    b->p[at] = (unsigned char)(v >> 24), b->p[at + 1] = (unsigned char)(v >> 16);
    b->p[at + 2] = (unsigned char)(v >> 8), b->p[at + 3] = (unsigned char)v;
}

/* Copy a chunk of `from` (another seed, or b itself) into b. */
static inline void fz_splice(fz_rng *r, fz_buf *b, const fz_buf *from)
{
    if (!from->n)
        return;
    size_t start = fz_below(r, from->n);
    size_t len = 1 + fz_below(r, from->n - start);
    unsigned char *t = malloc(len);
    assert_non_null(t);
    memcpy(t, from->p + start, len);
    fz_insert(b, fz_below(r, b->n + 1), t, len);
    free(t);
}

/* One random edit of b; `seeds` are there for splicing. */
static inline void fz_mutate_once(fz_rng *r, fz_buf *b, const fz_buf *seeds,
                                  int nseeds)
{
    unsigned char c;
    switch (fz_below(r, 12)) {
    case 0: /* flip a bit */
        if (b->n)
            b->p[fz_below(r, b->n)] ^= (unsigned char)(1u << fz_below(r, 8));
        break;
    case 1: /* set a byte */
        if (b->n)
            b->p[fz_below(r, b->n)] = (unsigned char)fz_next(r);
        break;
    case 2: /* insert a byte */
        c = (unsigned char)fz_next(r);
        fz_insert(b, fz_below(r, b->n + 1), &c, 1);
        break;
    case 3: /* delete a few bytes */
        fz_erase(b, fz_below(r, b->n + 1), 1 + fz_below(r, 16));
        break;
    case 4: /* truncate */
        fz_erase(b, fz_below(r, b->n + 1), b->n);
        break;
    case 5: /* duplicate a chunk of itself */
    {
        fz_buf self = {0};
        fz_set(&self, b->p, b->n);
        fz_splice(r, b, &self);
        fz_free(&self);
        break;
    }
    case 6: /* a chunk of another seed */
        fz_splice(r, b, &seeds[fz_below(r, (size_t)nseeds)]);
        break;
    case 7: /* an interesting token inserted */
    {
        const char *t = fz_tokens[fz_below(r, sizeof fz_tokens /
                                                  sizeof *fz_tokens)];
        fz_insert(b, fz_below(r, b->n + 1), t, t[0] ? strlen(t) : 1);
        break;
    }
    case 8: /* a number (or word) replaced by a token */
    case 9:
        if (b->n)
            fz_replace_number(r, b);
        break;
    case 10: /* a very long token */
        if (fz_below(r, 4) == 0)
            fz_long_token(r, b, fz_below(r, b->n + 1));
        break;
    default: /* a 32-bit field */
        fz_put_word(r, b);
        break;
    }
}

/* b = a random seed (or, sometimes, b as it was), then 1 to 8 edits,
 * fewer more often. */
static inline void fz_mutate(fz_rng *r, fz_buf *b, const fz_buf *seeds,
                             int nseeds)
{
    if (b->n == 0 || fz_below(r, 8) != 0) {
        const fz_buf *s = &seeds[fz_below(r, (size_t)nseeds)];
        fz_set(b, s->p, s->n);
    }
    int edits = 1 + (int)fz_below(r, 1 + fz_below(r, 8));
    for (int i = 0; i < edits; i++)
        fz_mutate_once(r, b, seeds, nseeds);
}

#endif
