/*
 * idx.c — loading MNIST-style IDX files (MNIST, Fashion-MNIST), gzipped or
 * not.
 *
 * An IDX file is a big-endian header — magic 0x00000803 and count, rows,
 * cols for images; magic 0x00000801 and count for labels — followed by one
 * unsigned byte per pixel or label.  The pixels are kept as those bytes
 * (60 000 Fashion-MNIST images are 47 MB as bytes, 376 MB as doubles) and
 * become doubles only when a mini-batch is filled.
 *
 * All headers are read and checked before anything big is allocated, so a
 * wrong file is refused at once; then the pixels are read straight into
 * the data set in large blocks, which is what keeps 60 000 images under a
 * second or so.
 */
#include "data_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDX_IMAGES 0x00000803u
#define IDX_LABELS 0x00000801u
#define MAX_COUNT 10000000u
#define MAX_SIDE 4096u
#define MAX_PIXELS (1u << 20)
#define MAX_BYTES (1ull << 31)
#define IDX_CLASSES 10
#define BLOCK (1u << 20)   /* bytes per read: Ctrl-C is polled between */

typedef struct idx_file {
    const char *path;
    int images;     /* images file (else labels) */
    gzFile f;
    int count, rows, cols;
} idx_file;

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
           (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static int interrupted(const idx_file *x, nn_err *err)
{
    return nn_fail(err, "%s: interrupted; nothing loaded", x->path);
}

/* Read up to len bytes; *got says how many came.  -1 only on a gzip or
 * read error or when interrupted (a short file is the caller's to
 * report).  zlib's gzread returns 0 or -1 when the stream breaks, so the
 * error state is checked whenever nothing came. */
static int read_block(idx_file *x, void *buf, size_t len, size_t *got,
                      nn_err *err)
{
    unsigned char *p = buf;
    *got = 0;
    while (*got < len) {
        size_t want = len - *got;
        if (nn_cancelled())
            return interrupted(x, err);
        int n = gzread(x->f, p + *got, want > BLOCK ? BLOCK : (unsigned)want);
        if (n <= 0 && nn_cancelled())
            return interrupted(x, err); /* a read cut short by the signal */
        if (n <= 0) {
            if (nn_data_gz_error(x->f, x->path, err))
                return -1;
            if (n < 0)
                return nn_fail(err, "%s: read error", x->path);
            break;
        }
        *got += (size_t)n;
    }
    return 0;
}

static int check_magic(const idx_file *x, uint32_t magic, nn_err *err)
{
    uint32_t want = x->images ? IDX_IMAGES : IDX_LABELS;
    uint32_t other = x->images ? IDX_LABELS : IDX_IMAGES;
    if (magic == want)
        return 0;
    return nn_fail(err, "%s: wrong magic number 0x%08X, expected 0x%08X "
                   "(IDX %s)%s", x->path, magic, want,
                   x->images ? "images" : "labels",
                   magic == other ? (x->images ? ": this is a labels file"
                                               : ": this is an images file")
                                  : "");
}

/* Open x->path and read and check its header. */
static int open_idx(idx_file *x, nn_err *err)
{
    unsigned char h[16];
    size_t want = x->images ? 16 : 8, got;
    if (!(x->f = nn_data_gz_open(x->path, err)))
        return -1;
    if (read_block(x, h, want, &got, err))
        return -1;
    if (got == 0)
        return nn_fail(err, "%s: empty file, expected an IDX %s file",
                       x->path, x->images ? "images" : "labels");
    if (got >= 4 && check_magic(x, be32(h), err))
        return -1;
    if (got < want)
        return nn_fail(err, "%s: truncated header (%zu of %zu bytes)",
                       x->path, got, want);
    if (be32(h + 4) > MAX_COUNT)
        return nn_fail(err, "%s: header says %u items, expected at most %u",
                       x->path, be32(h + 4), MAX_COUNT);
    x->count = (int)be32(h + 4);
    if (!x->images)
        return 0;
    if (be32(h + 8) < 1 || be32(h + 8) > MAX_SIDE || be32(h + 12) < 1 ||
        be32(h + 12) > MAX_SIDE || be32(h + 8) * be32(h + 12) > MAX_PIXELS)
        return nn_fail(err, "%s: image size %ux%u, expected 1..%u on a side "
                       "and at most %u pixels", x->path, be32(h + 8),
                       be32(h + 12), MAX_SIDE, MAX_PIXELS);
    x->rows = (int)be32(h + 8);
    x->cols = (int)be32(h + 12);
    return 0;
}

/* After the last item: nothing more, and the gzip trailer checks out. */
static int check_end(idx_file *x, nn_err *err)
{
    unsigned char extra;
    size_t got;
    if (read_block(x, &extra, 1, &got, err))
        return -1;
    if (got)
        return nn_fail(err, "%s: more data than the %d items its header "
                       "promises", x->path, x->count);
    return 0;
}

static int read_images(idx_file *x, uint8_t *dst, int n, nn_err *err)
{
    size_t size = (size_t)x->rows * (size_t)x->cols, got;
    if (read_block(x, dst, (size_t)n * size, &got, err))
        return -1;
    if (got < (size_t)n * size)
        return nn_fail(err, "%s: truncated: the header promises %d images "
                       "of %dx%d, the file holds %zu", x->path, x->count,
                       x->rows, x->cols, got / size);
    return n == x->count ? check_end(x, err) : 0;
}

static int read_labels(idx_file *x, int *dst, int n, nn_err *err)
{
    size_t got;
    uint8_t *raw = malloc(n ? (size_t)n : 1);
    int rc = -1;
    if (!raw)
        return nn_fail(err, "%s: out of memory", x->path);
    if (read_block(x, raw, (size_t)n, &got, err))
        goto out;
    if (got < (size_t)n) {
        nn_fail(err, "%s: truncated: the header promises %d labels, the "
                "file holds %zu", x->path, x->count, got);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if (raw[i] >= IDX_CLASSES) {
            nn_fail(err, "%s: label %d of item %d out of range 0..%d",
                    x->path, raw[i], i, IDX_CLASSES - 1);
            goto out;
        }
        dst[i] = raw[i];
    }
    rc = n == x->count ? check_end(x, err) : 0;
out:
    free(raw);
    return rc;
}

/* ------------------------------------------------------------------------
 * The loader
 * ------------------------------------------------------------------------ */

/* Images and labels must pair up, and test images must look like the
 * training images. */
static int check_files(const idx_file *f, int nfiles, nn_err *err)
{
    for (int i = 0; i < nfiles; i += 2)
        if (f[i].count != f[i + 1].count)
            return nn_fail(err, "%s has %d images but %s has %d labels",
                           f[i].path, f[i].count, f[i + 1].path,
                           f[i + 1].count);
    if (nfiles == 4 && (f[2].rows != f[0].rows || f[2].cols != f[0].cols))
        return nn_fail(err, "%s: images are %dx%d, but the training images "
                       "are %dx%d", f[2].path, f[2].rows, f[2].cols,
                       f[0].rows, f[0].cols);
    return 0;
}

/* The data set is named after the directory ("fashion-mnist"). */
static void idx_name(const char *path, char *name, size_t size)
{
    const char *slash = strrchr(path, '/'), *start;
    int len;
    if (!slash || slash == path) {
        snprintf(name, size, "idx");
        return;
    }
    start = slash - 1;
    while (start > path && start[-1] != '/')
        start--;
    len = (int)(slash - start);
    if (len == 0 || (len == 1 && *start == '.'))
        snprintf(name, size, "idx");
    else
        snprintf(name, size, "%.*s", len, start);
}

/* The test files are the test split; dev (and without test files test
 * too) is 1/6 of the training files, at most 10 000 (Fashion-MNIST's own
 * 60 000 / 10 000 proportion), drawn stratified with seed 1 so that every
 * class has its share. */
static int default_split(nn_data *d, int ntrain, int ntest, nn_err *err)
{
    int held = ntrain / 6 < 10000 ? ntrain / 6 : 10000;
    d->fixed_test = ntest;
    return nn_data_split(d, ntrain - held - (ntest ? 0 : held), held,
                         ntest ? 0 : held, 0, 1, err);
}

static int check_args(const char *ti, const char *tl, const char *si,
                      const char *sl, int limit, nn_err *err)
{
    if (!ti || !tl)
        return nn_fail(err, "IDX: training images and labels are both "
                       "needed");
    if (!si != !sl)
        return nn_fail(err, "IDX: give both test images and test labels, "
                       "or neither");
    if (limit < 0)
        return nn_fail(err, "limit=%d: expected 0 (all) or more", limit);
    return 0;
}

static nn_data *read_all(idx_file *f, int nfiles, int limit, nn_err *err)
{
    int ntrain = limit > 0 && limit < f[0].count ? limit : f[0].count;
    int ntest = nfiles == 4 ? f[2].count : 0;
    size_t pixels = (size_t)f[0].rows * (size_t)f[0].cols;
    nn_data *d;
    char name[128];

    if ((size_t)(ntrain + ntest) * pixels > MAX_BYTES) {
        nn_fail(err, "%s: %d images of %dx%d: more than nnlab holds (%llu "
                "MB)", f[0].path, ntrain + ntest, f[0].rows, f[0].cols,
                MAX_BYTES >> 20);
        return NULL;
    }
    idx_name(f[0].path, name, sizeof name);
    d = nn_data_alloc(name, NN_TASK_CLASSIFY, ntrain + ntest, (int)pixels,
                      IDX_CLASSES, 1, err);
    if (!d)
        return NULL;
    d->width = f[0].cols;
    d->height = f[0].rows;
    if (read_images(&f[0], d->xb, ntrain, err) ||
        read_labels(&f[1], d->label, ntrain, err) ||
        (ntest && (read_images(&f[2], d->xb + (size_t)ntrain * pixels,
                               ntest, err) ||
                   read_labels(&f[3], d->label + ntrain, ntest, err))) ||
        nn_data_finish(d, err) || default_split(d, ntrain, ntest, err)) {
        nn_data_free(d);
        return NULL;
    }
    return d;
}

nn_data *nn_data_load_idx(const char *train_images, const char *train_labels,
                          const char *test_images, const char *test_labels,
                          int limit, nn_err *err)
{
    idx_file f[4] = {
        {train_images, 1, NULL, 0, 0, 0}, {train_labels, 0, NULL, 0, 0, 0},
        {test_images, 1, NULL, 0, 0, 0}, {test_labels, 0, NULL, 0, 0, 0},
    };
    int nfiles = test_images ? 4 : 2;
    nn_data *d = NULL;

    if (check_args(train_images, train_labels, test_images, test_labels,
                   limit, err))
        return NULL;
    for (int i = 0; i < nfiles; i++)
        if (open_idx(&f[i], err))
            goto out;
    if (check_files(f, nfiles, err))
        goto out;
    d = read_all(f, nfiles, limit, err);
out:
    for (int i = 0; i < nfiles; i++)
        if (f[i].f)
            gzclose(f[i].f);
    return d;
}
