/*
 * csv_lines.c — a CSV file cut into lines and fields.
 *
 * The file is read in blocks that are cut into lines here, their bytes
 * counted: a NUL byte, which no text file holds, ends the load on its
 * line (/dev/zero once made a line of length 0 forever), and Ctrl-C is
 * polled between blocks (err.h).  zlib's gzopen reads plain files
 * unchanged, so .csv and .csv.gz take the same path.
 *
 * Numbers are parsed in the C locale whatever the program's locale is: a
 * CSV file's decimal point is a point.
 */
#include "csv_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE (64u << 20)
#define RAW_SIZE (1u << 16)


static int is_blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

/* The next block of the file into in->raw.  1 read, 0 end of file, -1
 * error.  This is where a long load is interrupted: between two blocks,
 * and when a read from a pipe or terminal was cut short by the signal. */
static int refill(csv_in *in, nn_err *err)
{
    int n;
    if (nn_cancelled())
        return nn_fail(err, "%s:%d: interrupted; nothing loaded", in->path,
                       in->lineno + 1);
    n = gzread(in->f, in->raw, RAW_SIZE);
    if (n <= 0 && nn_cancelled())
        return nn_fail(err, "%s:%d: interrupted; nothing loaded", in->path,
                       in->lineno + 1);
    if (n <= 0 && nn_data_gz_error(in->f, in->path, err))
        return -1;
    if (n < 0)
        return nn_fail(err, "%s: read error", in->path);
    in->raw_pos = 0;
    in->raw_len = (size_t)n;
    return n > 0;
}

/* Append len bytes to the line being read, which holds `have` bytes. */
static int append(csv_in *in, size_t have, const unsigned char *p,
                  size_t len, nn_err *err)
{
    if (have + len + 1 > MAX_LINE)
        return nn_fail(err, "%s:%d: line longer than %u bytes", in->path,
                       in->lineno + 1, MAX_LINE);
    if (have + len + 1 > in->cap) {
        size_t cap = in->cap;
        char *bigger;
        while (cap < have + len + 1)
            cap *= 2;
        bigger = realloc(in->buf, cap);
        if (!bigger)
            return nn_fail(err, "%s: out of memory", in->path);
        in->buf = bigger;
        in->cap = cap;
    }
    memcpy(in->buf + have, p, len);
    return 0;
}

/* Read one physical line, however long, into in->buf without its line
 * end.  Bytes are counted rather than measured with strlen, and a NUL byte
 * (which no text file holds) is refused where it is met: otherwise a file
 * of NULs such as /dev/zero would be read forever as lines of length 0.
 * 1 read, 0 end of file, -1 error. */
static int read_physical_line(csv_in *in, nn_err *err)
{
    size_t len = 0;
    int rc;
    for (;;) {
        if (in->raw_pos == in->raw_len) {
            if ((rc = refill(in, err)) < 0)
                return -1;
            if (rc == 0 && len == 0)
                return 0;
            if (rc == 0)
                break;
        }
        const unsigned char *p = in->raw + in->raw_pos;
        size_t avail = in->raw_len - in->raw_pos;
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        if (memchr(p, '\0', take))
            return nn_fail(err, "%s:%d: NUL byte: this is not a text file; "
                           "expected rows of comma-separated numbers",
                           in->path, in->lineno + 1);
        if (append(in, len, p, take, err))
            return -1;
        len += take;
        in->raw_pos += take + (nl != NULL);
        if (nl)
            break;
    }
    in->lineno++;
    in->buf[len] = '\0';
    while (len > 0 && in->buf[len - 1] == '\r')
        in->buf[--len] = '\0';
    return 1;
}

/* The next line that is not blank; a UTF-8 byte-order mark (as some
 * spreadsheets write) is dropped from the first. */
int csv_read_line(csv_in *in, nn_err *err)
{
    int rc;
    while ((rc = read_physical_line(in, err)) == 1) {
        if (in->lineno == 1 && strncmp(in->buf, "\xEF\xBB\xBF", 3) == 0)
            memmove(in->buf, in->buf + 3, strlen(in->buf + 3) + 1);
        if (!is_blank(in->buf))
            break;
    }
    return rc;
}

static char *trim_field(char *s)
{
    size_t len;
    s += strspn(s, " \t");
    len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        s[--len] = '\0';
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s[len - 1] = '\0';
        s++;
    }
    return s;
}

/* Cut in->buf at the commas into in->fld (pointers into the buffer). */
int csv_split_fields(csv_in *in, nn_err *err)
{
    char *p = in->buf;
    in->nfld = 0;
    for (;;) {
        char *comma = strchr(p, ',');
        if (in->nfld == in->fcap) {
            int cap = in->fcap ? 2 * in->fcap : 64;
            char **bigger = realloc(in->fld, (size_t)cap * sizeof *bigger);
            if (!bigger)
                return nn_fail(err, "%s: out of memory", in->path);
            in->fld = bigger;
            in->fcap = cap;
        }
        if (comma)
            *comma = '\0';
        in->fld[in->nfld++] = trim_field(p);
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* A plain integer of up to 15 digits, such as digits' pixels 0..16: the
 * exact value strtod gives (every such integer is a double), without its
 * general machinery, which took a third of the program's whole start on
 * digits.  0 for anything else (signs, spaces, points), left to strtod. */
static int parse_plain_int(const char *s, double *v)
{
    long long n = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 15)
            return 0;
        n = n * 10 + (*s - '0');
    }
    if (digits == 0 || *s != '\0')
        return 0;
    *v = (double)n;
    return 1;
}


field_kind csv_parse_number(const csv_in *in, const char *s, double *v)
{
    char *end;
    if (*s == '\0')
        return FIELD_TEXT;
    if (parse_plain_int(s, v))
        return FIELD_NUMBER;
    *v = in->c_locale ? strtod_l(s, &end, in->c_locale) : strtod(s, &end);
    if (end == s || *end != '\0')
        return FIELD_TEXT;
    if (isnan(*v))
        return FIELD_NAN;
    return fabs(*v) <= FLT_MAX ? FIELD_NUMBER : FIELD_HUGE;
}

/* Why field col, which parsed as a number, cannot be used. */
int csv_bad_number(const csv_in *in, field_kind kind, int col,
                   const char *s, nn_err *err)
{
    if (kind == FIELD_NAN)
        return nn_fail(err, "%s:%d: field %d is NaN: expected a number (a "
                       "missing value?)", in->path, in->lineno, col + 1);
    return nn_fail(err, "%s:%d: field %d: '%.40s' is beyond the range of a "
                   "float, +-%.1e (values are stored as floats)", in->path,
                   in->lineno, col + 1, s, (double)FLT_MAX);
}

int csv_in_open(csv_in *in, const char *path, nn_err *err)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    in->cap = 4096;
    in->buf = malloc(in->cap);
    in->raw = malloc(RAW_SIZE);
    in->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!in->buf || !in->raw)
        return nn_fail(err, "%s: out of memory", path);
    in->f = nn_data_gz_open(path, err);
    return in->f ? 0 : -1;
}

void csv_in_close(csv_in *in)
{
    if (in->f)
        gzclose(in->f);
    if (in->c_locale)
        freelocale(in->c_locale);
    free(in->buf);
    free(in->raw);
    free(in->fld);
}
