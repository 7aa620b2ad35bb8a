/*
 * csv_internal.h — the CSV loader's two halves: csv_lines.c cuts a file
 * into lines and fields and says what a field holds; csv.c turns the rows
 * into a data set.  Not part of the engine's interface.
 */
#ifndef NN_CSV_INTERNAL_H
#define NN_CSV_INTERNAL_H

#include "data_internal.h"

#include <locale.h>
#include <stddef.h>
#include <zlib.h>

typedef struct csv_in {
    const char *path;
    gzFile f;
    unsigned char *raw;  /* bytes read from the file, not yet cut into lines */
    size_t raw_pos, raw_len;
    char *buf;           /* the current line, NUL-terminated */
    size_t cap;
    int lineno;
    char **fld;
    int nfld, fcap;
    locale_t c_locale;
} csv_in;

/* What a field holds.  A number too large for a float (features are
 * stored as floats) or NaN is still a number, not a name: it is refused
 * where it stands, and a first row holding one is not taken for a
 * header. */
typedef enum { FIELD_NUMBER, FIELD_TEXT, FIELD_NAN, FIELD_HUGE } field_kind;

/* Open path (plain or gzipped) for reading lines; csv_in_close frees
 * whatever was set up, also after a failed open. */
int csv_in_open(csv_in *in, const char *path, nn_err *err);
void csv_in_close(csv_in *in);

/* The next line that is not blank into in->buf.  1 read, 0 end of file,
 * -1 error (a NUL byte, a line beyond 64 MB, Ctrl-C, a read error). */
int csv_read_line(csv_in *in, nn_err *err);

/* Cut in->buf at the commas into in->fld, each field trimmed of blanks
 * and of one pair of double quotes. */
int csv_split_fields(csv_in *in, nn_err *err);

field_kind csv_parse_number(const csv_in *in, const char *s, double *v);

/* Why field col, which parsed as a number of this kind, cannot be used. */
int csv_bad_number(const csv_in *in, field_kind kind, int col, const char *s,
                   nn_err *err);

#endif
