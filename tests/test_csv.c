/*
 * test_csv.c — the CSV loader (engine/csv.c): good files in their
 * variations (header or not, label column anywhere, strings or numbers,
 * regression, gzip), numbers in every form read as strtod reads them (plain
 * integers take a quicker path), the shipped iris and digits sets, and
 * every malformed input the loader promises to name exactly: the file,
 * the line and what was expected.  Runs from the repository root
 * (tests/run.sh goes there).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "data.h"
#include "pipefeed.h"
#include "tmpdir.h"

#define FIX "tests/fixtures/"

static char tmpdir[64];

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static nn_data *load(const char *path, int label, nn_header header)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv(path, label, header, 1, &err);
    if (!d)
        fail_msg("%s: unexpected error: %s", path, err.msg);
    return d;
}

/* The load fails with a message holding every one of the given parts. */
static void expect_error(const char *path, int label, nn_header header,
                         const char *part1, const char *part2)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_load_csv(path, label, header, 1, &err);
    if (d) {
        nn_data_free(d);
        fail_msg("%s: loaded, expected an error with '%s'", path, part1);
    }
    if (!strstr(err.msg, part1) || (part2 && !strstr(err.msg, part2)))
        fail_msg("%s: message '%s' lacks '%s' / '%s'", path, err.msg, part1,
                 part2 ? part2 : "");
}

static int total(const nn_data *d)
{
    return nn_data_count(d, NN_TRAIN) + nn_data_count(d, NN_DEV) +
           nn_data_count(d, NN_TEST);
}

static int class_total(const nn_data *d, int c)
{
    int n = 0;
    for (int s = 0; s < NN_NSPLITS; s++)
        n += nn_data_class_count(d, (nn_split)s, c);
    return n;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    buf = malloc(*len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static void write_raw(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* tmpdir/name.gz holding the fixture `src`, compressed; its path in out. */
static void gzip_fixture(const char *src, const char *name, char *out,
                         size_t size)
{
    size_t len;
    char *buf = read_file(src, &len);
    gzFile f;
    snprintf(out, size, "%s/%s", tmpdir, name);
    f = gzopen(out, "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, buf, (unsigned)len), (int)len);
    assert_int_equal(gzclose(f), Z_OK);
    free(buf);
}

static int make_tmpdir(void **state)
{
    (void)state;
    return tu_tmpdir_make(tmpdir, sizeof tmpdir, "csv");
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return tu_tmpdir_remove(tmpdir);
}

/* ------------------------------------------------------------------------
 * Good files
 * ------------------------------------------------------------------------ */

static void test_string_labels_with_header(void **state)
{
    nn_data *d = load(FIX "good.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    double X[3];
    (void)state;
    assert_string_equal(nn_data_name(d), "good");
    assert_int_equal(nn_data_task(d), NN_TASK_CLASSIFY);
    assert_int_equal(nn_data_features(d), 3);
    assert_int_equal(total(d), 9); /* header and blank line skipped */
    assert_int_equal(nn_data_classes(d), 3);
    assert_string_equal(nn_data_class_name(d, 0), "cat");
    assert_string_equal(nn_data_class_name(d, 1), "dog");
    assert_string_equal(nn_data_class_name(d, 2), "bird");
    assert_string_equal(nn_data_class_name(d, 3), "?");
    for (int c = 0; c < 3; c++)
        assert_int_equal(class_total(d, c), 3);
    /* every cat row has length 1.0..1.2 */
    for (int s = 0; s < NN_NSPLITS; s++) {
        for (int i = 0; i < nn_data_count(d, (nn_split)s); i++) {
            nn_data_fill_raw(d, (nn_split)s, &i, 1, X);
            if (nn_data_label(d, (nn_split)s, i) == 0)
                assert_true(X[0] >= 0.99 && X[0] <= 1.21);
            assert_float_equal(X[1], X[0] + 1.0, 1e-6);
        }
    }
    nn_data_free(d);
}

static void test_numeric_labels_no_header(void **state)
{
    nn_data *d = load(FIX "noheader.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    double lo, hi;
    (void)state;
    assert_int_equal(total(d), 6);
    assert_int_equal(nn_data_features(d), 2);
    assert_int_equal(nn_data_classes(d), 2);
    assert_string_equal(nn_data_class_name(d, 1), "1");
    nn_data_feature_range(d, 1, &lo, &hi);
    assert_float_equal(lo, -0.01, 1e-7);
    assert_float_equal(hi, 8.0, 1e-7);
    nn_data_free(d);
}

static void test_label_columns(void **state)
{
    nn_data *d = load(FIX "label_first.csv", NN_LABEL_FIRST, NN_HEADER_AUTO);
    double lo, hi;
    (void)state;
    assert_int_equal(nn_data_features(d), 2);
    assert_int_equal(nn_data_classes(d), 2);
    nn_data_feature_range(d, 0, &lo, &hi);
    assert_float_equal(lo, -0.5, 1e-7);
    assert_float_equal(hi, 3.0, 1e-7);
    nn_data_free(d);

    /* column 1 as the label: the first column becomes a feature */
    d = load(FIX "label_first.csv", 1, NN_HEADER_NO);
    assert_int_equal(nn_data_features(d), 2);
    nn_data_feature_range(d, 0, &lo, &hi);
    assert_float_equal(lo, 0.0, 1e-7);
    assert_float_equal(hi, 1.0, 1e-7);
    nn_data_free(d);

    /* no label at all: unlabeled inputs */
    d = load(FIX "label_first.csv", NN_LABEL_NONE, NN_HEADER_AUTO);
    assert_int_equal(nn_data_task(d), NN_TASK_NONE);
    assert_int_equal(nn_data_features(d), 3);
    assert_int_equal(nn_data_classes(d), 0);
    nn_data_free(d);
}

static void test_header_told(void **state)
{
    /* header=yes on an all-numeric file drops the first row */
    nn_data *d = load(FIX "noheader.csv", NN_LABEL_LAST, NN_HEADER_YES);
    (void)state;
    assert_int_equal(total(d), 5);
    nn_data_free(d);
    /* header=no on a file with a header: its first line is bad data */
    expect_error(FIX "good.csv", NN_LABEL_LAST, NN_HEADER_NO,
                 "tests/fixtures/good.csv:1: field 1: expected a number, "
                 "found 'length'", NULL);
}

static void test_regression(void **state)
{
    nn_data *d = load(FIX "regress.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    double X[8], Y[8];
    (void)state;
    assert_int_equal(nn_data_task(d), NN_TASK_REGRESS);
    assert_int_equal(nn_data_classes(d), 0);
    assert_int_equal(nn_data_features(d), 1);
    assert_true(nn_data_ycols_ok(d, 1));
    assert_false(nn_data_ycols_ok(d, 2));
    assert_int_equal(nn_data_label(d, NN_TRAIN, 0), -1);
    nn_data_fill(d, NN_TRAIN, NULL, nn_data_count(d, NN_TRAIN), X, Y, 1);
    for (int i = 0; i < nn_data_count(d, NN_TRAIN); i++)
        /* y ≈ 1.3 x + 0.13 in the file, to within its rounding */
        assert_float_equal(Y[i], 1.3 * X[i] + 0.13, 0.05);
    nn_data_free(d);
}

static void test_signed_labels(void **state)
{
    nn_data *d = load(FIX "signed_labels.csv", NN_LABEL_LAST,
                      NN_HEADER_AUTO);
    double X[2], Y[2];
    int row = 0;
    (void)state;
    assert_int_equal(nn_data_classes(d), 2);
    assert_string_equal(nn_data_class_name(d, 0), "-1");
    assert_string_equal(nn_data_class_name(d, 1), "1");
    /* the row with x1 = 0.3 or 0.7 is the class "1" */
    for (int s = 0; s < NN_NSPLITS; s++) {
        for (row = 0; row < nn_data_count(d, (nn_split)s); row++) {
            nn_data_fill(d, (nn_split)s, &row, 1, X, Y, 1);
            assert_float_equal(Y[0], X[0] > 0.25 && X[0] < 0.35 ? 1.0 :
                               X[0] > 0.65 ? 1.0 : 0.0, 0.0);
        }
    }
    nn_data_free(d);
}

static void test_crlf_bom_quotes(void **state)
{
    nn_data *d = load(FIX "crlf_bom.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    double lo, hi;
    (void)state;
    assert_int_equal(total(d), 2);
    assert_string_equal(nn_data_class_name(d, 0), "a");
    assert_string_equal(nn_data_class_name(d, 1), "b");
    nn_data_feature_range(d, 1, &lo, &hi);
    assert_float_equal(lo, 2.5, 0.0);
    assert_float_equal(hi, 4.5, 0.0);
    nn_data_free(d);
}

static void test_gzip_same_as_plain(void **state)
{
    char path[128];
    nn_data *a, *b;
    double xa[3], xb[3];
    (void)state;
    gzip_fixture(FIX "good.csv", "good.csv.gz", path, sizeof path);
    a = load(FIX "good.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    b = load(path, NN_LABEL_LAST, NN_HEADER_AUTO);
    assert_string_equal(nn_data_name(b), "good");
    assert_int_equal(nn_data_count(a, NN_TRAIN), nn_data_count(b, NN_TRAIN));
    for (int i = 0; i < nn_data_count(a, NN_TRAIN); i++) {
        nn_data_fill_raw(a, NN_TRAIN, &i, 1, xa);
        nn_data_fill_raw(b, NN_TRAIN, &i, 1, xb);
        assert_memory_equal(xa, xb, sizeof xa);
        assert_int_equal(nn_data_label(a, NN_TRAIN, i),
                         nn_data_label(b, NN_TRAIN, i));
    }
    nn_data_free(a);
    nn_data_free(b);
}

/* Plain integers take a quick path past strtod: every form of number
 * reads as strtod reads it, the integers of 15 digits and fewer on the
 * quick path and everything else (16 digits, signs, points, exponents,
 * spaces) on strtod's. */
static void test_number_forms(void **state)
{
    static const char *const forms[] = {
        "0", "16", "007", "123456789012345", "1234567890123456", "-3", "+4",
        " 5", "1.5", "1e3", "-0", "000000000000000000009", "0.0"
    };
    enum { N = sizeof forms / sizeof *forms };
    char path[128];
    (void)state;
    snprintf(path, sizeof path, "%s/forms.csv", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < N; i++)
            fprintf(f, "%s%s", forms[i], i < N - 1 ? "," : "\n");
    assert_int_equal(fclose(f), 0);
    nn_data *d = load(path, NN_LABEL_NONE, NN_HEADER_NO);
    double x[N];
    int row = 0;
    assert_int_equal(nn_data_features(d), N);
    nn_data_fill_raw(d, NN_TRAIN, &row, 1, x);
    for (int i = 0; i < N; i++) {
        double want = (float)strtod(forms[i], NULL);
        if (memcmp(&x[i], &want, sizeof want))
            fail_msg("'%s' read as %.17g, strtod gives %.17g", forms[i], x[i],
                     want);
    }
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * The shipped sets
 * ------------------------------------------------------------------------ */

static void test_iris(void **state)
{
    nn_data *d = load("data/iris.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    (void)state;
    assert_string_equal(nn_data_name(d), "iris");
    assert_int_equal(total(d), 150);
    assert_int_equal(nn_data_features(d), 4);
    assert_int_equal(nn_data_classes(d), 3);
    assert_string_equal(nn_data_class_name(d, 0), "setosa");
    assert_string_equal(nn_data_class_name(d, 1), "versicolor");
    assert_string_equal(nn_data_class_name(d, 2), "virginica");
    for (int c = 0; c < 3; c++) {
        assert_int_equal(class_total(d, c), 50);
        assert_int_equal(nn_data_class_count(d, NN_TRAIN, c), 35);
    }
    assert_int_equal(nn_data_count(d, NN_TRAIN), 105);
    nn_data_free(d);
}

static void test_digits(void **state)
{
    nn_data *d = load("data/digits.csv.gz", NN_LABEL_LAST, NN_HEADER_AUTO);
    double lo = 1, hi = 0, l, h;
    (void)state;
    assert_string_equal(nn_data_name(d), "digits");
    assert_int_equal(total(d), 1797);
    assert_int_equal(nn_data_features(d), 64);
    assert_int_equal(nn_data_classes(d), 10);
    assert_string_equal(nn_data_class_name(d, 7), "7");
    assert_false(nn_data_is_image(d));
    for (int j = 0; j < 64; j++) {
        nn_data_feature_range(d, j, &l, &h);
        lo = l < lo ? l : lo;
        hi = h > hi ? h : hi;
    }
    assert_float_equal(lo, 0.0, 0.0);
    assert_float_equal(hi, 16.0, 0.0);
    for (int c = 0; c < 10; c++)
        assert_in_range(class_total(d, c), 170, 190);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Bad input: one message naming the file, the line and what was expected
 * ------------------------------------------------------------------------ */

static void test_ragged(void **state)
{
    (void)state;
    expect_error(FIX "ragged.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "tests/fixtures/ragged.csv:3: expected 5 fields, found 4",
                 NULL);
    expect_error(FIX "one_col_bad.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "one_col_bad.csv:2: expected 2 fields, found 1", NULL);
}

static void test_non_numeric(void **state)
{
    (void)state;
    expect_error(FIX "nonnumeric.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "tests/fixtures/nonnumeric.csv:4: field 2: expected a "
                 "number, found 'abc'", NULL);
    expect_error(FIX "mixed_labels.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "mixed_labels.csv:3: label 'yes' is not a number", NULL);
}

static void test_empty(void **state)
{
    (void)state;
    expect_error(FIX "empty.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "tests/fixtures/empty.csv: empty file", NULL);
    expect_error(FIX "blank.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "blank.csv: empty file", NULL);
    expect_error(FIX "header_only.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "header_only.csv: no data after the header line", NULL);
}

static void test_label_out_of_range(void **state)
{
    (void)state;
    expect_error(FIX "noheader.csv", 7, NN_HEADER_AUTO,
                 "noheader.csv: label column 8 out of range",
                 "has 3 columns");
    expect_error(FIX "noheader.csv", -9, NN_HEADER_AUTO,
                 "invalid label column code -9", NULL);
}

static void test_missing_and_unreadable(void **state)
{
    char path[128];
    (void)state;
    expect_error("tests/fixtures/no-such.csv", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "tests/fixtures/no-such.csv: cannot open: No such file",
                 NULL);
    expect_error("tests/fixtures", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "tests/fixtures: is a directory", NULL);
    snprintf(path, sizeof path, "%s/secret.csv", tmpdir);
    write_raw(path, "1,2\n", 4);
    assert_int_equal(chmod(path, 0), 0);
    if (geteuid() != 0) {
        expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, "secret.csv: "
                     "cannot open: Permission denied", NULL);
        return;
    }
    /* root reads anything: try as the unprivileged user 'nobody' */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(77);
        nn_err err = {{0}};
        nn_data *d = nn_data_load_csv(path, NN_LABEL_LAST, NN_HEADER_AUTO, 1,
                                      &err);
        _exit(!d && strstr(err.msg, "secret.csv: cannot open: Permission "
                                    "denied") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip(); /* cannot drop privileges here */
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_truncated_gzip(void **state)
{
    char path[128];
    size_t len;
    char *buf;
    (void)state;
    gzip_fixture("data/iris.csv", "cut.csv.gz", path, sizeof path);
    buf = read_file(path, &len);
    write_raw(path, buf, len / 2);
    free(buf);
    expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, "cut.csv.gz: truncated "
                 "gzip file", NULL);
}

static void test_corrupt_gzip(void **state)
{
    char path[128];
    size_t len;
    char *buf;
    (void)state;
    /* a deflate block of the reserved type 3 right after the header */
    gzip_fixture("data/iris.csv", "bad.csv.gz", path, sizeof path);
    buf = read_file(path, &len);
    buf[10] |= 0x06;
    write_raw(path, buf, len);
    expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, "bad.csv.gz: corrupt "
                 "gzip data", NULL);
    /* intact data but a wrong CRC in the trailer: found at the very end */
    buf[10] &= (char)~0x06;
    buf[len - 8] ^= 0x55;
    write_raw(path, buf, len);
    expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, "bad.csv.gz: corrupt "
                 "gzip data", NULL);
    free(buf);
}

/* tmpdir/name holding text; its path in out. */
static void write_text(const char *name, const char *text, char *out,
                       size_t size)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
    write_raw(out, text, strlen(text));
}

/* A file of NUL bytes (/dev/zero) once read lines of length 0 forever:
 * strlen saw none of the bytes, so the line cap was never reached.  Bytes
 * are counted now, and the first NUL ends the load with its line. */
static void test_nul_bytes(void **state)
{
    char path[128];
    (void)state;
    alarm(20); /* the old loader never returned */
    expect_error("/dev/zero", NN_LABEL_LAST, NN_HEADER_AUTO,
                 "/dev/zero:1: NUL byte", "not a text file");
    alarm(0);
    snprintf(path, sizeof path, "%s/nul.csv", tmpdir);
    write_raw(path, "1,2,0\n3,4,1\n5,\0006,1\n", 18);
    expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, "nul.csv:3: NUL byte",
                 NULL);
    /* a gzipped file holding NULs: the bytes counted are the inflated ones */
    gzFile f;
    snprintf(path, sizeof path, "%s/nul.csv.gz", tmpdir);
    f = gzopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, "1,2,0\n\0\0\0", 9), 9);
    assert_int_equal(gzclose(f), Z_OK);
    expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, "nul.csv.gz:2: NUL "
                 "byte", NULL);
}

/* A first row holding a number beyond the float range or NaN was taken
 * for a header and dropped without a word.  Such a number is no name: it
 * is refused on its line, whichever line that is, with the limit. */
static void test_numbers_out_of_range(void **state)
{
    static const struct {
        const char *text, *part1, *part2;
    } cases[] = {
        { "1e309,2,0\n3,4,1\n", ":1: field 1: '1e309' is beyond the range "
          "of a float", "3.4e+38" },
        { "1e39,2,0\n3,4,1\n", ":1: field 1: '1e39' is beyond", NULL },
        { "-1e39,2,0\n3,4,1\n", ":1: field 1: '-1e39' is beyond", NULL },
        { "1,-inf,0\n3,4,1\n", ":1: field 2: '-inf' is beyond", NULL },
        { "nan,2,0\n3,4,1\n", ":1: field 1 is NaN", NULL },
        { "1,NaN,0\n3,4,1\n", ":1: field 2 is NaN", NULL },
        { "1,2,0\n3,4,1\n5,nan,1\n", ":3: field 2 is NaN", NULL },
        { "1,2,0\n3,1e39,1\n", ":2: field 2: '1e39' is beyond", NULL },
        /* in the label column: a regression target is a float too */
        { "1,2,0.5\n3,4,1e39\n", ":2: field 3: '1e39' is beyond", NULL },
        { "1,2,nan\n3,4,1\n", ":1: field 3 is NaN", NULL },
        /* and with a real header before it */
        { "a,b,y\n1e39,2,0\n3,4,1\n", ":2: field 1: '1e39'", NULL },
    };
    char path[128];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_text("range.csv", cases[i].text, path, sizeof path);
        expect_error(path, NN_LABEL_LAST, NN_HEADER_AUTO, cases[i].part1,
                     cases[i].part2);
    }
    /* the largest float and tiny numbers are fine */
    write_text("range.csv", "3.4e38,1e-50,0\n-3.4e38,2,1\n1,1,0\n", path,
               sizeof path);
    nn_data *d = load(path, NN_LABEL_LAST, NN_HEADER_AUTO);
    assert_int_equal(total(d), 3);
    nn_data_free(d);
}

/* The loader says what it decided about the first line. */
static void test_header_report(void **state)
{
    static const struct {
        const char *text;
        nn_header mode;
        int header, rows;
        const char *note;
    } cases[] = {
        { "x,y,label\n1,2,0\n3,4,1\n", NN_HEADER_AUTO, 1, 2,
          "header: yes (first row has names)" },
        { "1,2,0\n3,4,1\n", NN_HEADER_AUTO, 0, 2,
          "header: no (first row is numbers)" },
        { "1,2,cat\n3,4,dog\n", NN_HEADER_AUTO, 0, 2,
          "header: no (first row is numbers)" },
        { "1,2,0\n3,4,1\n5,6,1\n", NN_HEADER_YES, 1, 2,
          "header: yes (header=yes)" },
        { "1,2,0\n3,4,1\n", NN_HEADER_NO, 0, 2,
          "header: no (header=no)" },
    };
    char path[128];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nn_csv_report report;
        nn_err err = {{0}};
        write_text("hdr.csv", cases[i].text, path, sizeof path);
        nn_data *d = nn_data_load_csv_report(path, NN_LABEL_LAST,
                                             cases[i].mode, 1, &report,
                                             &err);
        if (!d)
            fail_msg("%s: %s", cases[i].text, err.msg);
        assert_int_equal(report.header, cases[i].header);
        assert_string_equal(report.note, cases[i].note);
        assert_int_equal(total(d), cases[i].rows);
        nn_data_free(d);
    }
    /* a file that fails before its first line says nothing */
    nn_csv_report report = {1, "stale"};
    assert_null(nn_data_load_csv_report(FIX "empty.csv", NN_LABEL_LAST,
                                        NN_HEADER_AUTO, 1, &report, NULL));
    assert_int_equal(report.header, 0);
    assert_string_equal(report.note, "");
}

/* Ctrl-C ends a load however long its input, even one that never ends:
 * the flag is polled between blocks of the file, and a read blocked in
 * a pipe returns when the signal comes. */
static void test_interrupted(void **state)
{
    static char head[200000], body[] = "0.5,0.25,1\n";
    nn_err err = {{0}};
    tu_feed feed;
    (void)state;
    for (size_t i = 0; i + 6 <= sizeof head; i += 6)
        memcpy(head + i, "1,2,0\n", 6);
    tu_cancel_begin(30);
    assert_int_equal(tu_feed_start(&feed, head, sizeof head / 6 * 6, body,
                                   strlen(body), -1), 0);
    nn_data *d = nn_data_load_csv(feed.path, NN_LABEL_LAST, NN_HEADER_AUTO,
                                  1, &err);
    tu_feed_stop(&feed);
    tu_cancel_end();
    assert_null(d);
    if (!strstr(err.msg, "interrupted"))
        fail_msg("message '%s' lacks 'interrupted'", err.msg);
    /* a flag already set stops the load before it reads anything */
    tu_cancel_begin(30);
    tu_interrupted = 1;
    d = nn_data_load_csv(FIX "good.csv", NN_LABEL_LAST, NN_HEADER_AUTO, 1,
                         &err);
    tu_cancel_end();
    assert_null(d);
    assert_non_null(strstr(err.msg, "good.csv:1: interrupted"));
    /* and with the flag down the same file loads */
    d = load(FIX "good.csv", NN_LABEL_LAST, NN_HEADER_AUTO);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_labels_with_header),
        cmocka_unit_test(test_numeric_labels_no_header),
        cmocka_unit_test(test_label_columns),
        cmocka_unit_test(test_header_told),
        cmocka_unit_test(test_regression),
        cmocka_unit_test(test_signed_labels),
        cmocka_unit_test(test_crlf_bom_quotes),
        cmocka_unit_test(test_gzip_same_as_plain),
        cmocka_unit_test(test_number_forms),
        cmocka_unit_test(test_iris),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_ragged),
        cmocka_unit_test(test_non_numeric),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_label_out_of_range),
        cmocka_unit_test(test_missing_and_unreadable),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_corrupt_gzip),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_numbers_out_of_range),
        cmocka_unit_test(test_header_report),
        cmocka_unit_test(test_interrupted),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
