/*
 * model_read.c — the model file's lines and words: reading a line with
 * its bounds, cutting it into words, numbers that must be whole words,
 * rows of a matrix.  model_load.c gives them their meaning.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"



/* Read the rest of a line into r->buf (no newline); 0, 1 at the end of
 * the file with nothing read, or -1 with r->broken and r->err set: a NUL
 * byte (no text file holds one), a line too long, out of memory, a failed
 * read, or Ctrl-C (polled every MB). */
static int read_line(nn_model_reader *r)
{
    size_t n = 0;
    int c;
    if (!r->buf && !(r->buf = malloc(r->cap = 4096))) {
        r->cap = 0;
        r->broken = 1;
        return nn_fail(r->err, "%s: out of memory", r->path);
    }
    errno = 0;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
        const char *why = NULL;
        if (c == '\0')
            why = "NUL byte: this is not a text file";
        else if (n >= MODEL_MAX_LINE)
            why = "a line longer than 16 MB: this is not a model file";
        else if ((n & 0xFFFFF) == 0xFFFFF && nn_cancelled())
            why = "interrupted; nothing loaded";
        if (!why && n + 1 >= r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 4096;
            char *b = realloc(r->buf, cap);
            if (b) {
                r->buf = b;
                r->cap = cap;
            } else {
                why = "out of memory";
            }
        }
        if (why) {
            r->broken = 1;
            return nn_fail(r->err, "%s:%d: %s", r->path, r->line + 1, why);
        }
        r->buf[n++] = (char)c;
    }
    if (c == EOF && ferror(r->f)) {
        r->broken = 1;
        return nn_fail(r->err, "%s:%d: %s", r->path, r->line + 1,
                       strerror(errno ? errno : EIO));
    }
    r->buf[n] = '\0';
    return c == EOF && n == 0 ? 1 : 0;
}

int nn_model_next_line(nn_model_reader *r)
{
    int rc;
    if (r->held) {
        r->held = 0;
        return 0;
    }
    while ((rc = read_line(r)) == 0) {
        r->line++;
        r->buf[strcspn(r->buf, "\r")] = '\0';
        if (r->buf[0] && r->buf[0] != '#')
            return 0;
    }
    if (r->buf)
        r->buf[0] = '\0';
    return -1;
}

int nn_model_bad(nn_model_reader *r, const char *expected)
{
    if (r->broken)
        return -1; /* next_line has said why */
    return nn_fail(r->err, "%s:%d: expected %s", r->path, r->line, expected);
}

int nn_model_out_of_range(nn_model_reader *r, const nn_err *why)
{
    nn_err copy = *why;
    return nn_fail(r->err, "%s:%d: %s", r->path, r->line, copy.msg);
}

int nn_model_name_index(const char *const *names, const char *word)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], word))
            return i;
    return -1;
}


int nn_model_split_words(nn_model_reader *r, char **w)
{
    int n = 0;
    char *save;
    for (char *p = strtok_r(r->buf, " \t", &save); p;
         p = strtok_r(NULL, " \t", &save)) {
        if (n == MAX_WORDS)
            return MAX_WORDS + 1;
        w[n++] = p;
    }
    return n;
}

int nn_model_line_is(nn_model_reader *r, const char *key, int n, char **w)
{
    return nn_model_split_words(r, w) == n && !strcmp(w[0], key);
}

int nn_model_line_has(nn_model_reader *r, const char *key, int lo, int hi,
                      char **w)
{
    int n = nn_model_split_words(r, w);
    return n >= lo && n <= hi && !strcmp(w[0], key) ? n : 0;
}

int nn_model_word_double(const char *w, double *v)
{
    char *end;
    *v = strtod(w, &end);
    return end != w && *end == '\0';
}

int nn_model_word_long(const char *w, long *v)
{
    char *end;
    errno = 0;
    *v = strtol(w, &end, 10);
    return end != w && *end == '\0' && errno == 0;
}

int nn_model_word_int(const char *w, int *v)
{
    long x;
    if (!nn_model_word_long(w, &x) || x < INT_MIN || x > INT_MAX)
        return 0;
    *v = (int)x;
    return 1;
}

int nn_model_word_u64(const char *w, unsigned long long *v)
{
    char *end;
    if (*w < '0' || *w > '9')
        return 0;
    errno = 0;
    *v = strtoull(w, &end, 10);
    return *end == '\0' && errno == 0;
}


int nn_model_numbers(nn_model_reader *r, double *v, int want,
                        const values_spec *spec)
{
    char *p = r->buf, *end;
    for (int i = 0; i < want; i++) {
        while (*p == ' ' || *p == '\t')
            p++; /* so that a refused value is quoted without them */
        v[i] = strtod(p, &end);
        if (end == p)
            return nn_model_bad(r, spec->expected);
        if (!(v[i] >= spec->lo && v[i] <= spec->hi))
            return nn_fail(r->err, "%s:%d: %s holds %.*s: expected %s",
                           r->path, r->line, spec->name,
                           (int)(end - p > 40 ? 40 : end - p), p,
                           spec->lo == 0 ? "finite values >= 0"
                                         : "finite values");
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? nn_model_bad(r, spec->expected) : 0;
}

int nn_model_matrix(nn_model_reader *r, nn_mat *m, const values_spec *spec)
{
    for (int row = 0; row < m->rows; row++) {
        if (nn_cancelled())
            return nn_fail(r->err, "%s:%d: interrupted; nothing loaded",
                           r->path, r->line + 1);
        if (nn_model_next_line(r))
            return nn_model_bad(r, spec->expected);
        if (nn_model_numbers(r, m->v + (size_t)row * m->cols, m->cols, spec))
            return -1;
    }
    return 0;
}

