/*
 * test_idx.c — the IDX loader (engine/idx.c).  Small IDX files are written
 * at run time into a temporary directory, raw and gzipped, good and broken
 * (wrong magic, truncated, counts that disagree, corrupt gzip, labels out
 * of range), so the fixtures can never drift from the format.  When
 * Debian's dataset-fashion-mnist is installed, the real 60 000 training
 * images are loaded too and the time is reported and bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "data.h"
#include "pipefeed.h"
#include "train.h"
#include "tmpdir.h"

#define FASHION "/usr/share/datasets/fashion-mnist/"
#define NTRAIN 12
#define NTEST 5
#define ROWS 3
#define COLS 2

static char tmpdir[64];

/* ------------------------------------------------------------------------
 * Writing IDX files
 * ------------------------------------------------------------------------ */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static const char *tmp_path(const char *name)
{
    static char paths[32][128];
    static int next;
    char *p = paths[next++ % 32];
    snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
    return p;
}

static void write_bytes(const char *path, int gz, const uint8_t *buf,
                        size_t len)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, buf, (unsigned)len), (int)len);
        assert_int_equal(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
    }
}

/* An IDX file: magic, then count (and rows, cols for the images magic),
 * then `len` bytes of data from `data`.  Returns its path. */
static const char *write_idx(const char *name, int gz, uint32_t magic,
                             uint32_t count, uint32_t rows, uint32_t cols,
                             const uint8_t *data, size_t len)
{
    const char *path = tmp_path(name);
    size_t head = magic == 0x803 ? 16 : 8;
    uint8_t *buf = malloc(head + len + 1);
    assert_non_null(buf);
    put_be32(buf, magic);
    put_be32(buf + 4, count);
    if (head == 16) {
        put_be32(buf + 8, rows);
        put_be32(buf + 12, cols);
    }
    memcpy(buf + head, data, len);
    write_bytes(path, gz, buf, head + len);
    free(buf);
    return path;
}

/* Pixel p of image i: distinct across a small set, so reading the wrong
 * image shows. */
static uint8_t pixel(int i, int p)
{
    return (uint8_t)(i * 7 + p * 31 + 1);
}

static const char *images(const char *name, int gz, int first, int n,
                          uint32_t count)
{
    uint8_t data[64 * ROWS * COLS];
    for (int i = 0; i < n; i++)
        for (int p = 0; p < ROWS * COLS; p++)
            data[i * ROWS * COLS + p] = pixel(first + i, p);
    return write_idx(name, gz, 0x803, count, ROWS, COLS, data,
                     (size_t)n * ROWS * COLS);
}

static const char *labels(const char *name, int gz, int first, int n,
                          uint32_t count)
{
    uint8_t data[64];
    for (int i = 0; i < n; i++)
        data[i] = (uint8_t)((first + i) % 10);
    return write_idx(name, gz, 0x801, count, 0, 0, data, (size_t)n);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    buf = malloc(*len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static void expect_error(const char *ti, const char *tl, const char *si,
                         const char *sl, const char *part1,
                         const char *part2)
{
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(ti, tl, si, sl, 0, &err);
    if (d) {
        nn_data_free(d);
        fail_msg("loaded, expected an error with '%s'", part1);
    }
    if (!strstr(err.msg, part1) || (part2 && !strstr(err.msg, part2)))
        fail_msg("message '%s' lacks '%s' / '%s'", err.msg, part1,
                 part2 ? part2 : "");
}

static int make_tmpdir(void **state)
{
    (void)state;
    return tu_tmpdir_make(tmpdir, sizeof tmpdir, "idx");
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return tu_tmpdir_remove(tmpdir);
}

/* ------------------------------------------------------------------------
 * Good files
 * ------------------------------------------------------------------------ */

/* Row `row` of split s holds image `image` of the files written above. */
static void expect_image(const nn_data *d, nn_split s, int row, int image)
{
    double x[ROWS * COLS];
    nn_data_fill_raw(d, s, &row, 1, x);
    for (int p = 0; p < ROWS * COLS; p++)
        assert_float_equal(x[p], pixel(image, p) / 255.0, 1e-12);
    assert_int_equal(nn_data_label(d, s, row), image % 10);
}

/* The image (index into the files written above) at a row of split s,
 * checked pixel by pixel: pixel 0 of image i is 7i + 1. */
static int image_at(const nn_data *d, nn_split s, int row)
{
    double x[ROWS * COLS];
    nn_data_fill_raw(d, s, &row, 1, x);
    int image = ((int)lround(x[0] * 255) - 1) / 7;
    expect_image(d, s, row, image);
    return image;
}

/* The rows of the given splits hold images 0..n-1, each once. */
static void expect_images_once(const nn_data *d, const nn_split *splits,
                               int nsplits, int n)
{
    int seen[64] = {0}, total = 0;
    for (int k = 0; k < nsplits; k++)
        for (int r = 0; r < nn_data_count(d, splits[k]); r++, total++) {
            int image = image_at(d, splits[k], r);
            assert_true(image >= 0 && image < n);
            assert_int_equal(seen[image]++, 0);
        }
    assert_int_equal(total, n);
}

static void check_train_and_test(int gz)
{
    const char *ti = images(gz ? "ti.gz" : "ti", gz, 0, NTRAIN, NTRAIN);
    const char *tl = labels(gz ? "tl.gz" : "tl", gz, 0, NTRAIN, NTRAIN);
    const char *si = images(gz ? "si.gz" : "si", gz, NTRAIN, NTEST, NTEST);
    const char *sl = labels(gz ? "sl.gz" : "sl", gz, NTRAIN, NTEST, NTEST);
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(ti, tl, si, sl, 0, &err);
    if (!d)
        fail_msg("%s", err.msg);
    assert_true(nn_data_is_image(d));
    assert_int_equal(nn_data_features(d), ROWS * COLS);
    assert_int_equal(nn_data_classes(d), 10);
    assert_string_equal(nn_data_class_name(d, 9), "9");
    assert_true(strncmp(nn_data_name(d), "nnlab-idx-", 10) == 0);
    /* training files: 1/6 to dev, drawn from all of them; the test files
     * are the test split, in their order */
    assert_int_equal(nn_data_count(d, NN_TRAIN), 10);
    assert_int_equal(nn_data_count(d, NN_DEV), 2);
    assert_int_equal(nn_data_count(d, NN_TEST), NTEST);
    expect_images_once(d, (nn_split[]){ NN_TRAIN, NN_DEV }, 2, NTRAIN);
    for (int r = 0; r < NTEST; r++)
        expect_image(d, NN_TEST, r, NTRAIN + r);
    /* split without a test share divides the training files only */
    assert_int_equal(nn_data_split(d, 9, 3, 0, 0, 5, &err), 0);
    assert_int_equal(nn_data_count(d, NN_DEV), 3);
    assert_int_equal(nn_data_count(d, NN_TEST), NTEST);
    expect_images_once(d, (nn_split[]){ NN_TRAIN, NN_DEV }, 2, NTRAIN);
    assert_int_equal(nn_data_split(d, 80, 20, 0, 1, 5, &err), 0);
    assert_int_equal(nn_data_count(d, NN_TRAIN) + nn_data_count(d, NN_DEV),
                     NTRAIN);
    expect_image(d, NN_TEST, 0, NTRAIN);
    assert_int_equal(nn_data_split(d, 10, 3, 0, 0, 5, &err), -1);
    assert_non_null(strstr(err.msg, "besides its own test set"));
    /* a test share pools everything */
    assert_int_equal(nn_data_split(d, 9, 4, 4, 0, 5, &err), 0);
    expect_images_once(d, (nn_split[]){ NN_TRAIN, NN_DEV, NN_TEST }, 3,
                       NTRAIN + NTEST);
    nn_data_free(d);
}

static void test_raw_files(void **state)
{
    (void)state;
    check_train_and_test(0);
}

static void test_gzip_files(void **state)
{
    (void)state;
    check_train_and_test(1);
}

static void test_no_test_files_and_limit(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    const char *si = images("si", 0, NTRAIN, NTEST, NTEST);
    const char *sl = labels("sl", 0, NTRAIN, NTEST, NTEST);
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(ti, tl, NULL, NULL, 0, &err);
    (void)state;
    assert_non_null(d);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 8);
    assert_int_equal(nn_data_count(d, NN_DEV), 2);
    assert_int_equal(nn_data_count(d, NN_TEST), 2);
    expect_images_once(d, (nn_split[]){ NN_TRAIN, NN_DEV, NN_TEST }, 3,
                       NTRAIN);
    nn_data_free(d);

    d = nn_data_load_idx(ti, tl, si, sl, 6, &err);
    assert_non_null(d);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 5);
    assert_int_equal(nn_data_count(d, NN_DEV), 1);
    assert_int_equal(nn_data_count(d, NN_TEST), NTEST);
    expect_images_once(d, (nn_split[]){ NN_TRAIN, NN_DEV }, 2, 6);
    expect_image(d, NN_TEST, 0, NTRAIN);
    nn_data_free(d);
}

static void test_image_normalization(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(ti, tl, NULL, NULL, 0, &err);
    double X[8 * ROWS * COLS], lo, hi;
    (void)state;
    assert_non_null(d);
    nn_data_feature_range(d, 0, &lo, &hi);
    assert_true(lo >= 0.0 && hi <= 1.0);
    assert_null(nn_data_mu(d));
    nn_data_normalize(d, 1);
    assert_non_null(nn_data_mu(d));
    nn_data_fill(d, NN_TRAIN, NULL, 8, X, NULL, 0);
    for (int p = 0; p < ROWS * COLS; p++) {
        double m = 0, v = 0;
        for (int i = 0; i < 8; i++)
            m += X[i * ROWS * COLS + p] / 8;
        for (int i = 0; i < 8; i++)
            v += (X[i * ROWS * COLS + p] - m) * (X[i * ROWS * COLS + p] - m);
        assert_float_equal(m, 0.0, 1e-12);
        assert_float_equal(v / 8, 1.0, 1e-9);
    }
    /* filled and normalized in one pass: the values of the two passes,
     * bit for bit */
    double R[8 * ROWS * COLS];
    nn_data_fill_raw(d, NN_TRAIN, NULL, 8, R);
    nn_data_transform(d, R, 8);
    assert_memory_equal(R, X, sizeof X);
    nn_data_free(d);
}

static void test_resplit(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(ti, tl, NULL, NULL, 0, &err);
    (void)state;
    assert_non_null(d);
    assert_int_equal(nn_data_split(d, 50, 25, 25, 1, 3, &err), 0);
    assert_int_equal(nn_data_count(d, NN_TRAIN), 6);
    assert_int_equal(nn_data_count(d, NN_DEV), 3);
    assert_int_equal(nn_data_count(d, NN_TEST), 3);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Bad files
 * ------------------------------------------------------------------------ */

static void test_wrong_magic(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    uint8_t junk[8] = {0};
    const char *odd = write_idx("odd", 0, 0x12345678, 1, 0, 0, junk, 1);
    (void)state;
    expect_error(tl, ti, NULL, NULL, "/tl: wrong magic number 0x00000801, "
                 "expected 0x00000803 (IDX images): this is a labels file",
                 NULL);
    expect_error(ti, odd, NULL, NULL, "/odd: wrong magic number 0x12345678, "
                 "expected 0x00000801", NULL);
}

static void test_truncated(void **state)
{
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    const char *cut = images("cut", 0, 0, NTRAIN - 1, NTRAIN);
    const char *cutl = labels("cutl", 0, 0, NTRAIN - 2, NTRAIN);
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    uint8_t head[6] = {0, 0, 8, 3, 0, 0};
    const char *shorthead = tmp_path("short");
    (void)state;
    write_bytes(shorthead, 0, head, sizeof head);
    expect_error(cut, tl, NULL, NULL, "/cut: truncated: the header promises "
                 "12 images of 3x2, the file holds 11", NULL);
    expect_error(ti, cutl, NULL, NULL, "/cutl: truncated: the header "
                 "promises 12 labels, the file holds 10", NULL);
    expect_error(shorthead, tl, NULL, NULL, "/short: truncated header", NULL);
}

static void test_count_mismatch(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl11", 0, 0, NTRAIN - 1, NTRAIN - 1);
    (void)state;
    expect_error(ti, tl, NULL, NULL, "/ti has 12 images but ",
                 "/tl11 has 11 labels");
}

static void test_bad_contents(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    const char *si = images("si", 0, NTRAIN, NTEST, NTEST);
    const char *sl = labels("sl", 0, NTRAIN, NTEST, NTEST);
    uint8_t lab[NTRAIN] = {0}, pix[NTEST * ROWS * COLS] = {0};
    const char *bad, *wide, *longer, *flat;
    (void)state;
    lab[3] = 10;
    bad = write_idx("badlab", 0, 0x801, NTRAIN, 0, 0, lab, NTRAIN);
    expect_error(ti, bad, NULL, NULL, "/badlab: label 10 of item 3 out of "
                 "range 0..9", NULL);
    wide = write_idx("wide", 0, 0x803, NTEST, COLS, ROWS, pix, sizeof pix);
    expect_error(ti, tl, wide, sl, "/wide: images are 2x3, but the training "
                 "images are 3x2", NULL);
    longer = write_idx("longer", 0, 0x801, NTEST - 1, 0, 0, lab, NTEST);
    expect_error(si, longer, NULL, NULL, "has 5 images but", NULL);
    expect_error(ti, tl, si, longer, "has 5 images but", "has 4 labels");
    lab[3] = 0;
    longer = write_idx("longer", 0, 0x801, NTRAIN, 0, 0, lab, NTRAIN);
    flat = write_idx("flat", 0, 0x803, NTRAIN, 0, 5, pix, 0);
    expect_error(flat, longer, NULL, NULL, "/flat: image size 0x5", NULL);
    /* one byte more than the header promises */
    longer = write_idx("longer", 0, 0x801, NTRAIN - 1, 0, 0, lab, NTRAIN);
    expect_error(images("ti11", 0, 0, NTRAIN - 1, NTRAIN - 1), longer, NULL,
                 NULL, "/longer: more data than the 11 items", NULL);
}

static void test_missing_empty_and_args(void **state)
{
    const char *ti = images("ti", 0, 0, NTRAIN, NTRAIN);
    const char *tl = labels("tl", 0, 0, NTRAIN, NTRAIN);
    const char *empty = tmp_path("empty");
    nn_err err = {{0}};
    (void)state;
    write_bytes(empty, 0, (const uint8_t *)"", 0);
    expect_error(tmp_path("nope"), tl, NULL, NULL, "/nope: cannot open: No "
                 "such file", NULL);
    expect_error(ti, empty, NULL, NULL, "/empty: empty file, expected an IDX "
                 "labels file", NULL);
    expect_error(ti, tl, ti, NULL, "give both test images and test labels",
                 NULL);
    assert_null(nn_data_load_idx(ti, tl, NULL, NULL, -1, &err));
    assert_non_null(strstr(err.msg, "limit=-1"));
}

/* Big enough that cutting it in half cuts the deflate stream, not the
 * gzip header. */
static const char *big_gz_images(const char *name)
{
    enum { N = 100, SIDE = 28 };
    uint8_t *data = malloc(N * SIDE * SIDE);
    uint32_t x = 12345;
    const char *path;
    assert_non_null(data);
    for (int i = 0; i < N * SIDE * SIDE; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 24);
    }
    path = write_idx(name, 1, 0x803, N, SIDE, SIDE, data, N * SIDE * SIDE);
    free(data);
    return path;
}

static void test_broken_gzip(void **state)
{
    const char *big = big_gz_images("big.gz");
    uint8_t lab[100] = {0};
    const char *bl = write_idx("bl", 0, 0x801, 100, 0, 0, lab, 100);
    size_t len;
    uint8_t *buf = read_all(big, &len);
    const char *cut = tmp_path("cut.gz"), *bad = tmp_path("bad.gz");
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(big, bl, NULL, NULL, 0, &err);
    (void)state;
    if (!d)
        fail_msg("%s", err.msg);
    assert_int_equal(nn_data_features(d), 784);
    nn_data_free(d);
    write_bytes(cut, 0, buf, len / 2);
    expect_error(cut, bl, NULL, NULL, "/cut.gz: truncated gzip file", NULL);
    buf[10] |= 0x06; /* reserved deflate block type */
    write_bytes(bad, 0, buf, len);
    expect_error(bad, bl, NULL, NULL, "/bad.gz: corrupt gzip data", NULL);
    buf[10] &= (uint8_t)~0x06;
    buf[len - 6] ^= 0x5a; /* the CRC, checked once all data is read */
    write_bytes(bad, 0, buf, len);
    expect_error(bad, bl, NULL, NULL, "/bad.gz: corrupt gzip data",
                 "incorrect data check");
    free(buf);
}

/* Ctrl-C in the middle of the pixels: the images come through a pipe,
 * and when the feeding process signals after the first thousand, the
 * loader stops at its next block (or its read cut short) with nothing
 * loaded.  The loader used to read every image whatever the flag said. */
static void test_interrupted(void **state)
{
    enum { N = 20000, SIDE = 28, HEAD = 1000 };
    static uint8_t head[16 + HEAD * SIDE * SIDE], body[SIDE * SIDE], lab[N];
    nn_err err = {{0}};
    tu_feed feed;
    (void)state;
    put_be32(head, 0x803);
    put_be32(head + 4, N);
    put_be32(head + 8, SIDE);
    put_be32(head + 12, SIDE);
    const char *tl = write_idx("pipe-labels", 0, 0x801, N, 0, 0, lab, N);
    tu_cancel_begin(60);
    assert_int_equal(tu_feed_start(&feed, head, sizeof head, body,
                                   sizeof body, N - HEAD), 0);
    nn_data *d = nn_data_load_idx(feed.path, tl, NULL, NULL, 0, &err);
    tu_feed_stop(&feed);
    tu_cancel_end();
    if (d) {
        nn_data_free(d);
        fail_msg("loaded all %d images through the interruption", N);
    }
    assert_non_null(strstr(err.msg, "interrupted; nothing loaded"));
    /* a gzipped file, with the flag already up */
    const char *big = big_gz_images("big-int.gz");
    uint8_t few[100] = {0};
    const char *bl = write_idx("bl-int", 0, 0x801, 100, 0, 0, few, 100);
    tu_cancel_begin(60);
    tu_interrupted = 1;
    d = nn_data_load_idx(big, bl, NULL, NULL, 0, &err);
    tu_cancel_end();
    assert_null(d);
    assert_non_null(strstr(err.msg, "big-int.gz: interrupted"));
}

/* ------------------------------------------------------------------------
 * The real thing
 * ------------------------------------------------------------------------ */

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* With all 70 000 images loaded, a 784-256-128-10 network trains in at
 * most 300 MB: pixels stay bytes, batches are the only doubles. */
static void train_in_bounded_memory(nn_data *d)
{
    const int sizes[] = { 784, 256, 128, 10 };
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, 4, NN_ACT_RELU, 0, NN_ACT_SOFTMAX, 0,
                             NN_LOSS_XENT, &err);
    assert_non_null(net);
    nn_net_init(net, 1, 0);
    nn_trainer tr;
    nn_step_info info;
    nn_trainer_init(&tr);
    tr.batch = 128;
    tr.opt.kind = NN_OPT_ADAM;
    tr.opt.lr = 0.001;
    if (nn_trainer_bind(&tr, net, d, &err))
        fail_msg("bind: %s", err.msg);
    for (int i = 0; i < 60; i++)
        assert_true(nn_trainer_step(&tr, &info, &err) >= 0);
    double loss, acc;
    assert_int_equal(nn_trainer_evaluate(&tr, NN_DEV, &loss, &acc, &err), 0);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mb = ru.ru_maxrss / 1024.0;
    printf("# measured: Fashion-MNIST loaded and 784-256-128-10 training: "
           "peak %.0f MB resident (limit 300)\n", mb);
    assert_true(acc > 0.6); /* 60 updates of Adam already learn */
#if !defined(__SANITIZE_ADDRESS__)
    assert_true(mb <= 300);
#endif
    nn_trainer_free(&tr);
    nn_net_free(net);
}

static void test_fashion_mnist(void **state)
{
    nn_err err = {{0}};
    struct stat st;
    double t0, elapsed;
    nn_data *d;
    (void)state;
    if (stat(FASHION "train-images-idx3-ubyte.gz", &st) != 0) {
        printf("# dataset-fashion-mnist not installed: skipped\n");
        skip();
    }
    t0 = seconds();
    d = nn_data_load_idx(FASHION "train-images-idx3-ubyte.gz",
                         FASHION "train-labels-idx1-ubyte.gz",
                         FASHION "t10k-images-idx3-ubyte.gz",
                         FASHION "t10k-labels-idx1-ubyte.gz", 0, &err);
    elapsed = seconds() - t0;
    if (!d)
        fail_msg("%s", err.msg);
    printf("# measured: Fashion-MNIST's 60000 + 10000 images loaded in "
           "%.2f s (limit 1.5)\n", elapsed);
#if !defined(__SANITIZE_ADDRESS__)
    assert_true(elapsed < 1.5);
#endif
    assert_string_equal(nn_data_name(d), "fashion-mnist");
    assert_int_equal(nn_data_features(d), 784);
    assert_true(nn_data_is_image(d));
    assert_int_equal(nn_data_count(d, NN_TRAIN), 50000);
    assert_int_equal(nn_data_count(d, NN_DEV), 10000);
    assert_int_equal(nn_data_count(d, NN_TEST), 10000);
    for (int c = 0; c < 10; c++) {
        assert_int_equal(nn_data_class_count(d, NN_TEST, c), 1000);
        assert_int_equal(nn_data_class_count(d, NN_DEV, c), 1000);
    }
    train_in_bounded_memory(d);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_files),
        cmocka_unit_test(test_gzip_files),
        cmocka_unit_test(test_no_test_files_and_limit),
        cmocka_unit_test(test_image_normalization),
        cmocka_unit_test(test_resplit),
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_count_mismatch),
        cmocka_unit_test(test_bad_contents),
        cmocka_unit_test(test_missing_empty_and_args),
        cmocka_unit_test(test_broken_gzip),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
