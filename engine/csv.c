/*
 * csv.c — loading a data set from a CSV file, plain or gzipped.
 *
 * A user's own file is where most things go wrong, so this loader is
 * strict and says exactly what it found: one message naming the file, the
 * line and what was expected ("x.csv:3: expected 5 fields, found 4"), and
 * no data set at all rather than a half-read one.  Lines and fields come
 * from csv_lines.c.
 *
 * Values are stored as floats, so a number beyond ±3.4e38 is refused,
 * and so is NaN; neither is a name that would make a first row a header.
 *
 * What the label column holds decides the task: strings are class names
 * (numbered in order of first appearance), integers with few distinct
 * values are classes, anything else numeric is a regression target.
 */
#include "csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 1000

/* ------------------------------------------------------------------------
 * The rows read so far
 * ------------------------------------------------------------------------ */

typedef struct csv_rows {
    int ncols, label_col, features;
    int n, rcap;
    float *x;        /* n x features */
    double *lval;    /* numeric labels */
    int *lid;        /* string labels: index into names */
    int strings;     /* labels are strings (decided by the first row) */
    char **names;    /* distinct string labels in order of appearance */
    int nnames;
    char **hdr;      /* class names of an iris-form header */
    int nhdr, hdr_features;
} csv_rows;

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void free_rows(csv_rows *r)
{
    free(r->x);
    free(r->lval);
    free(r->lid);
    free_names(r->names, r->nnames);
    free_names(r->hdr, r->nhdr);
}


/* The class index of a string label, adding it when new. */
static int string_label(csv_rows *r, const csv_in *in, const char *s,
                        nn_err *err)
{
    for (int i = 0; i < r->nnames; i++)
        if (strcmp(r->names[i], s) == 0)
            return i;
    if (r->nnames == MAX_LABELS)
        return nn_fail(err, "%s:%d: more than %d different labels; expected "
                       "class names or numbers", in->path, in->lineno,
                       MAX_LABELS);
    if (!r->names)
        r->names = calloc(MAX_LABELS, sizeof *r->names);
    if (!r->names || !(r->names[r->nnames] = strdup(s)))
        return nn_fail(err, "%s: out of memory", in->path);
    return r->nnames++;
}

static int grow_rows(csv_rows *r, const csv_in *in, nn_err *err)
{
    int cap = r->rcap ? 2 * r->rcap : 256;
    float *x;
    double *lval;
    int *lid;
    if (r->rcap > (1 << 29) / (r->features ? r->features : 1))
        return nn_fail(err, "%s: too many rows", in->path);
    x = realloc(r->x, (size_t)cap * (size_t)r->features * sizeof *x);
    if (x)
        r->x = x;
    lval = realloc(r->lval, (size_t)cap * sizeof *lval);
    if (lval)
        r->lval = lval;
    lid = realloc(r->lid, (size_t)cap * sizeof *lid);
    if (lid)
        r->lid = lid;
    if (!x || !lval || !lid)
        return nn_fail(err, "%s: out of memory", in->path);
    r->rcap = cap;
    return 0;
}

static int add_label(csv_rows *r, const csv_in *in, const char *s,
                     nn_err *err)
{
    double v;
    field_kind kind = csv_parse_number(in, s, &v);
    if (r->n == 0)
        r->strings = kind == FIELD_TEXT;
    if (r->strings) {
        r->lid[r->n] = string_label(r, in, s, err);
        return r->lid[r->n] < 0 ? -1 : 0;
    }
    if (kind == FIELD_TEXT)
        return nn_fail(err, "%s:%d: label '%.40s' is not a number, but the "
                       "labels before it were", in->path, in->lineno, s);
    if (kind != FIELD_NUMBER)
        return csv_bad_number(in, kind, r->label_col, s, err);
    r->lval[r->n] = v;
    return 0;
}

/* Append the row in in->fld; the first error found in it is reported. */
static int add_row(csv_rows *r, const csv_in *in, nn_err *err)
{
    float *x;
    int j = 0;
    if (in->nfld != r->ncols)
        return nn_fail(err, "%s:%d: expected %d fields, found %d", in->path,
                       in->lineno, r->ncols, in->nfld);
    if (r->n == r->rcap && grow_rows(r, in, err))
        return -1;
    x = r->x + (size_t)r->n * (size_t)r->features;
    for (int col = 0; col < in->nfld; col++) {
        double v;
        field_kind kind;
        if (col == r->label_col)
            continue;
        kind = csv_parse_number(in, in->fld[col], &v);
        if (kind == FIELD_TEXT)
            return nn_fail(err, "%s:%d: field %d: expected a number, found "
                           "'%.40s'", in->path, in->lineno, col + 1,
                           in->fld[col]);
        if (kind != FIELD_NUMBER)
            return csv_bad_number(in, kind, col, in->fld[col], err);
        x[j++] = (float)v;
    }
    if (r->label_col >= 0 && add_label(r, in, in->fld[r->label_col], err))
        return -1;
    r->n++;
    return 0;
}

/* ------------------------------------------------------------------------
 * The header line
 * ------------------------------------------------------------------------ */

/* The column index of the label, from the first data line's width. */
static int resolve_label(const csv_in *in, int label_col, int ncols,
                         int *col, nn_err *err)
{
    if (label_col == NN_LABEL_NONE)
        *col = -1;
    else if (label_col == NN_LABEL_LAST)
        *col = ncols - 1;
    else if (label_col == NN_LABEL_FIRST)
        *col = 0;
    else if (label_col >= 0 && label_col < ncols)
        *col = label_col;
    else if (label_col < 0)
        return nn_fail(err, "%s: invalid label column code %d", in->path,
                       label_col);
    else
        return nn_fail(err, "%s: label column %d out of range: the file has "
                       "%d columns (1..%d)", in->path, label_col + 1, ncols,
                       ncols);
    if (*col >= 0 && ncols < 2)
        return nn_fail(err, "%s:%d: expected at least 2 fields (features "
                       "and a label), found %d", in->path, in->lineno, ncols);
    return 0;
}

/* A header is a first line with a name (a field that is not a number at
 * all) outside the label column: a string in the label column alone is
 * just a class name, and 1e39 or NaN is a bad number, not a name. */
static int looks_like_header(const csv_in *in, int label_col)
{
    int col = -1;
    double v;
    nn_err ignored;
    if (resolve_label(in, label_col, in->nfld, &col, &ignored))
        col = -1;
    for (int j = 0; j < in->nfld; j++)
        if (j != col && csv_parse_number(in, in->fld[j], &v) == FIELD_TEXT)
            return 1;
    return 0;
}

/* Keep the class names of an iris-form header "rows,features,name,...". */
static int read_iris_header(csv_rows *r, const csv_in *in, nn_err *err)
{
    double rows, feats, v;
    if (in->nfld < 3 || csv_parse_number(in, in->fld[0], &rows) != FIELD_NUMBER ||
        csv_parse_number(in, in->fld[1], &feats) != FIELD_NUMBER ||
        feats != floor(feats) || feats < 1 || feats > 1e7)
        return 0;
    for (int j = 2; j < in->nfld; j++)
        if (csv_parse_number(in, in->fld[j], &v) != FIELD_TEXT)
            return 0;
    r->hdr = calloc((size_t)in->nfld - 2, sizeof *r->hdr);
    if (!r->hdr)
        return nn_fail(err, "%s: out of memory", in->path);
    for (int j = 2; j < in->nfld; j++, r->nhdr++)
        if (!(r->hdr[r->nhdr] = strdup(in->fld[j])))
            return nn_fail(err, "%s: out of memory", in->path);
    r->hdr_features = (int)feats;
    return 0;
}

/* Whether the first line is a header, and that decision in words. */
static int decide_header(const csv_in *in, int label_col, nn_header header,
                         nn_csv_report *report)
{
    int yes = header == NN_HEADER_YES ||
              (header == NN_HEADER_AUTO && looks_like_header(in, label_col));
    const char *why = header == NN_HEADER_YES ? "header=yes"
                    : header == NN_HEADER_NO  ? "header=no"
                    : yes ? "first row has names"
                          : "first row is numbers";
    report->header = yes;
    snprintf(report->note, sizeof report->note, "header: %s (%s)",
             yes ? "yes" : "no", why);
    return yes;
}

/* Read up to and including the first data line, settling the header and
 * the shape of every row. */
static int read_first_row(csv_in *in, csv_rows *r, int label_col,
                          nn_header header, nn_csv_report *report,
                          nn_err *err)
{
    int rc = csv_read_line(in, err);
    if (rc == 0)
        return nn_fail(err, "%s: empty file, expected rows of "
                       "comma-separated numbers", in->path);
    if (rc < 0 || csv_split_fields(in, err))
        return -1;
    if (decide_header(in, label_col, header, report)) {
        if (read_iris_header(r, in, err))
            return -1;
        rc = csv_read_line(in, err);
        if (rc == 0)
            return nn_fail(err, "%s: no data after the header line",
                           in->path);
        if (rc < 0 || csv_split_fields(in, err))
            return -1;
    }
    r->ncols = in->nfld;
    if (resolve_label(in, label_col, r->ncols, &r->label_col, err))
        return -1;
    r->features = r->ncols - (r->label_col >= 0);
    return add_row(r, in, err);
}

/* ------------------------------------------------------------------------
 * From labels to a task
 * ------------------------------------------------------------------------ */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct label values into *out (caller frees); their count. */
static int distinct_values(const csv_rows *r, double **out)
{
    int k = 0;
    double *v = malloc((size_t)r->n * sizeof *v);
    if (!v)
        return -1;
    memcpy(v, r->lval, (size_t)r->n * sizeof *v);
    qsort(v, (size_t)r->n, sizeof *v, compare_doubles);
    for (int i = 0; i < r->n; i++)
        if (k == 0 || v[i] != v[k - 1])
            v[k++] = v[i];
    *out = v;
    return k;
}

/* Integers with few distinct values are classes: up to 20 always, more
 * when each value is shared by ten rows on average. */
static int numeric_labels_are_classes(const double *v, int k, int n)
{
    for (int i = 0; i < k; i++)
        if (v[i] != floor(v[i]) || fabs(v[i]) > 1e9)
            return 0;
    return k <= MAX_LABELS && (k <= 20 || k * 10 <= n);
}

/* Class names for numeric classes: the header's when it names exactly
 * these classes, else the values themselves ("-1", "1"). */
static int numeric_class_names(nn_data *d, const csv_rows *r,
                               const double *v, int k)
{
    int plain = v[0] == 0 && v[k - 1] == k - 1; /* labels are 0..k-1 */
    for (int c = 0; c < k; c++) {
        char buf[32];
        const char *name = buf;
        if (plain && r->nhdr == k && r->hdr_features == r->features)
            name = r->hdr[c];
        else
            snprintf(buf, sizeof buf, "%.0f", v[c]);
        if (!(d->class_names[c] = strdup(name)))
            return -1;
    }
    return 0;
}

static int class_index(const double *v, int k, double x)
{
    const double *hit = bsearch(&x, v, (size_t)k, sizeof *v,
                                compare_doubles);
    return (int)(hit - v);
}

/* "digits.csv.gz" is called "digits". */
static void strip_suffix(char *name, const char *ext)
{
    size_t len = strlen(name), el = strlen(ext);
    if (len > el && strcmp(name + len - el, ext) == 0)
        name[len - el] = '\0';
}

/* Build the data set from the rows read; the task follows the labels. */
static nn_data *make_data(const csv_rows *r, const csv_in *in, nn_err *err)
{
    double *v = NULL;
    int k = 0, classify = r->strings;
    nn_task task = r->label_col < 0 ? NN_TASK_NONE : NN_TASK_REGRESS;
    nn_data *d;
    char name[256];

    if (task != NN_TASK_NONE && !r->strings) {
        if ((k = distinct_values(r, &v)) < 0) {
            nn_fail(err, "%s: out of memory", in->path);
            return NULL;
        }
        classify = numeric_labels_are_classes(v, k, r->n);
    }
    if (classify)
        task = NN_TASK_CLASSIFY;
    snprintf(name, sizeof name, "%s", nn_data_base_name(in->path));
    strip_suffix(name, ".gz");
    strip_suffix(name, ".csv");
    d = nn_data_alloc(name, task, r->n, r->features,
                      r->strings ? r->nnames : k, 0, err);
    if (!d)
        goto out;
    memcpy(d->xf, r->x, (size_t)r->n * (size_t)r->features * sizeof *d->xf);
    for (int i = 0; i < r->n && task == NN_TASK_REGRESS; i++)
        d->target[i] = (float)r->lval[i];
    for (int i = 0; i < r->n && classify; i++)
        d->label[i] = r->strings ? r->lid[i] : class_index(v, k, r->lval[i]);
    for (int c = 0; c < r->nnames && r->strings; c++)
        if (!(d->class_names[c] = strdup(r->names[c])))
            goto oom;
    if (classify && !r->strings && numeric_class_names(d, r, v, k))
        goto oom;
    goto out;
oom:
    nn_fail(err, "%s: out of memory", in->path);
    nn_data_free(d);
    d = NULL;
out:
    free(v);
    return d;
}

/* ------------------------------------------------------------------------
 * The loader
 * ------------------------------------------------------------------------ */

static int read_rows(csv_in *in, csv_rows *r, int label_col,
                     nn_header header, nn_csv_report *report, nn_err *err)
{
    int rc;
    if (read_first_row(in, r, label_col, header, report, err))
        return -1;
    while ((rc = csv_read_line(in, err)) == 1)
        if (csv_split_fields(in, err) || add_row(r, in, err))
            return -1;
    return rc;
}

nn_data *nn_data_load_csv_report(const char *path, int label_col,
                                 nn_header header, uint64_t seed,
                                 nn_csv_report *report, nn_err *err)
{
    csv_in in;
    csv_rows rows = {0};
    nn_csv_report ignored;
    nn_data *d = NULL;

    if (!report)
        report = &ignored;
    memset(report, 0, sizeof *report);
    if (csv_in_open(&in, path, err))
        goto out;
    if (read_rows(&in, &rows, label_col, header, report, err))
        goto out;
    d = make_data(&rows, &in, err);
    if (d && (nn_data_finish(d, err) ||
              nn_data_split(d, 70, 15, 15, 1, seed, err))) {
        nn_data_free(d);
        d = NULL;
    }
out:
    csv_in_close(&in);
    free_rows(&rows);
    return d;
}

nn_data *nn_data_load_csv(const char *path, int label_col, nn_header header,
                          uint64_t seed, nn_err *err)
{
    return nn_data_load_csv_report(path, label_col, header, seed, NULL, err);
}
