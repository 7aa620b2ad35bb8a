/*
 * test_fuzz.c — mutation fuzzing of everything that reads outside input:
 * the CSV and IDX loaders, model files, lesson files, check expressions,
 * the line splitter and whole command lines run in a session.
 *
 * Each target starts from valid seeds built here (a few CSV texts, plain
 * and gzipped; IDX image and label files; models written by
 * nn_model_save; a lesson; check expressions; command lines), and feeds a
 * fixed number of mutated versions (fuzzutil.h, fixed seed) to the real
 * code.  The assertions are the contract every reader keeps: no crash (the
 * sanitizer build turns undefined behaviour and leaks into failures), and
 * either a result or a non-empty error message, never NULL without one;
 * a failed model load leaves the trainer untouched.  A result is used a
 * little (mini-batches filled, a forward pass) so that a loader that
 * accepted inconsistent sizes shows up as an out-of-bounds access.
 *
 * NNLAB_FUZZ_SCALE=N runs N times as many inputs (a longer hunt, same
 * seeds); NNLAB_FUZZ_TRACE=1 prints each input before it runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "cmd.h"
#include "commands.h"
#include "fuzzline.h"
#include "fuzzutil.h"
#include "lesson.h"
#include "nnlab.h"
#include "session.h"
#include "tmpdir.h"

/* Inputs per target at scale 1: about 5 s in all with -O2, and a few
 * times that under the sanitizers. */
enum {
    ITERS_CSV = 16000, ITERS_IDX = 8000, ITERS_MODEL = 16000,
    ITERS_LESSON = 60000, ITERS_CHECK = 160000, ITERS_SPLIT = 160000,
    ITERS_LINE = 40000
};

static char tmpdir[64];
static double scale = 1;
static int trace;

static int iters(int n)
{
    double v = n * scale;
    return v < 1 ? 1 : v > 1e9 ? 1000000000 : (int)v;
}

static const char *tmp_path(const char *name)
{
    static char paths[8][128];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
    return p;
}

/* A new file each time: ext4 flushes a file truncated and rewritten at
 * its close (auto_da_alloc), which made truncating 20 times slower. */
static void write_file(const char *path, const fz_buf *b)
{
    unlink(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->p, 1, b->n, f), b->n);
    assert_int_equal(fclose(f), 0);
}

static void read_file(const char *path, fz_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    assert_non_null(f);
    b->n = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fz_insert(b, b->n, chunk, n);
    fclose(f);
}

/* b compressed into gzip format, in memory. */
static void gzip_buf(const fz_buf *b, fz_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                                  15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uLong cap = deflateBound(&z, (uLong)b->n);
    fz_reserve(out, cap);
    z.next_in = b->p;
    z.avail_in = (uInt)b->n;
    z.next_out = out->p;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    out->n = z.total_out;
    out->p[out->n] = '\0';
    deflateEnd(&z);
}

static void show_input(const char *what, const fz_buf *b)
{
    if (!trace)
        return;
    fprintf(stderr, "# %s %zu bytes: ", what, b->n);
    for (size_t i = 0; i < b->n && i < 400; i++)
        fputc(b->p[i] >= 32 && b->p[i] < 127 ? b->p[i] : '.', stderr);
    fputc('\n', stderr);
}

static void free_seeds(fz_buf *seeds, int n)
{
    for (int i = 0; i < n; i++)
        fz_free(&seeds[i]);
}

/* ------------------------------------------------------------------ */
/* Using a loaded data set                                              */
/* ------------------------------------------------------------------ */

/* Read every example of every split and look at every name, so sizes a
 * loader got wrong turn into out-of-bounds accesses. */
static void use_data(nn_data *d)
{
    int f = nn_data_features(d), classes = nn_data_classes(d);
    assert_true(f >= 1);
    assert_true(classes >= 0);
    int ycols = nn_data_ycols_ok(d, 1) ? 1 : classes;
    for (int c = 0; c < classes; c++)
        assert_non_null(nn_data_class_name(d, c));
    for (int j = 0; j < f; j++) {
        double lo, hi;
        nn_data_feature_range(d, j, &lo, &hi);
    }
    assert_non_null(nn_data_name(d));
    for (int pass = 0; pass < 2; pass++) {
        for (int s = 0; s < NN_NSPLITS; s++) {
            int n = nn_data_count(d, (nn_split)s);
            assert_true(n >= 0);
            if (n == 0)
                continue;
            double *X = malloc((size_t)n * f * sizeof *X);
            double *Y = malloc((size_t)n * (ycols > 0 ? ycols : 1) *
                               sizeof *Y);
            assert_true(X && Y);
            nn_data_fill(d, (nn_split)s, NULL, n, X,
                         nn_data_ycols_ok(d, ycols) ? Y : NULL, ycols);
            for (int i = 0; i < n; i++)
                assert_true(nn_data_label(d, (nn_split)s, i) < classes ||
                            classes == 0);
            free(X);
            free(Y);
        }
        nn_data_normalize(d, 1);
    }
}

/* ------------------------------------------------------------------ */
/* CSV                                                                  */
/* ------------------------------------------------------------------ */

static const char *const csv_texts[] = {
    "x1,x2,label\n0.5,1.5,0\n-1,2,1\n3,4,0\n1e-3,5,1\n2,2,0\n0,0,1\n"
    "7,1,0\n",
    "6,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n4.7,3.2,0\n4.6,3.1,1\n"
    "5.0,3.6,0\n5.4,3.9,1\n",
    "a, b ,kind\r\n1,2,cat\r\n3,4,dog\r\n5,6,cat\r\n\r\n7,8,bird\r\n"
    "9,10,dog\r\n11,12,bird\r\n",
    "1,0.5,0.25,0.125\n0,1,2,3\n2,3,4,5\n1,4,5,6\n0,5,6,7\n2,6,7,8\n",
};

/* The texts above, a regression table, and two of them gzipped. */
static int csv_seeds(fz_buf *seeds)
{
    int n = 0;
    for (size_t i = 0; i < sizeof csv_texts / sizeof *csv_texts; i++, n++)
        fz_set(&seeds[n], csv_texts[i], strlen(csv_texts[i]));
    fz_set(&seeds[n], "u,v,y\n", 6);
    for (int i = 0; i < 30; i++) {
        char row[64];
        int len = snprintf(row, sizeof row, "%g,%g,%.4f\n", i * 0.1,
                           i * 0.37 - 2, sin(i * 0.7) + i * 0.013);
        fz_insert(&seeds[n], seeds[n].n, row, (size_t)len);
    }
    n++;
    gzip_buf(&seeds[0], &seeds[n++]);
    gzip_buf(&seeds[2], &seeds[n++]);
    return n;
}

static nn_data *load_csv(const fz_buf *in, int label, nn_header header,
                         int expect_ok)
{
    const char *path = tmp_path("fuzz.csv");
    nn_err err = {{0}};
    write_file(path, in);
    show_input("csv", in);
    nn_data *d = nn_data_load_csv(path, label, header, 1, &err);
    if (expect_ok && !d)
        fail_msg("seed did not load: %s", err.msg);
    if (!d)
        assert_true(err.msg[0] != '\0');
    else
        use_data(d);
    return d;
}

static void test_fuzz_csv(void **state)
{
    (void)state;
    static const int labels[] = {NN_LABEL_LAST, NN_LABEL_LAST, NN_LABEL_FIRST,
                                 NN_LABEL_NONE, 0, 1, 2, 7, 100000};
    fz_buf seeds[8] = {{0}}, cur = {0}, gz = {0};
    int nseeds = csv_seeds(seeds);
    fz_rng r = {0xC5F0001};
    for (int i = 0; i < nseeds; i++)
        nn_data_free(load_csv(&seeds[i], NN_LABEL_LAST, NN_HEADER_AUTO, 1));
    for (int i = 0; i < iters(ITERS_CSV); i++) {
        fz_mutate(&r, &cur, seeds, nseeds);
        int label = labels[fz_below(&r, sizeof labels / sizeof *labels)];
        nn_header header = (nn_header)fz_below(&r, 3);
        const fz_buf *in = &cur;
        if (fz_below(&r, 6) == 0) { /* the same text through gzip */
            gzip_buf(&cur, &gz);
            in = &gz;
        }
        nn_data_free(load_csv(in, label, header, 0));
    }
    fz_free(&cur);
    fz_free(&gz);
    free_seeds(seeds, nseeds);
}

/* ------------------------------------------------------------------ */
/* IDX                                                                  */
/* ------------------------------------------------------------------ */

enum { IDX_TRAIN = 14, IDX_TEST = 6, IDX_ROWS = 4, IDX_COLS = 3 };

static void put_be32(fz_buf *b, uint32_t v)
{
    unsigned char w[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fz_insert(b, b->n, w, 4);
}

/* Train images, train labels, test images, test labels. */
static void idx_seeds(fz_buf *seeds)
{
    for (int k = 0; k < 2; k++) {
        int n = k ? IDX_TEST : IDX_TRAIN;
        fz_buf *img = &seeds[2 * k], *lab = &seeds[2 * k + 1];
        put_be32(img, 0x803), put_be32(img, (uint32_t)n);
        put_be32(img, IDX_ROWS), put_be32(img, IDX_COLS);
        put_be32(lab, 0x801), put_be32(lab, (uint32_t)n);
        for (int i = 0; i < n; i++) {
            unsigned char label = (unsigned char)((i + k) % 10);
            for (int p = 0; p < IDX_ROWS * IDX_COLS; p++) {
                unsigned char px = (unsigned char)(i * 7 + p * 31 + 1);
                fz_insert(img, img->n, &px, 1);
            }
            fz_insert(lab, lab->n, &label, 1);
        }
    }
}

/* Load the four files (the test pair only when with_test); they are
 * gzipped where gz[i]. */
static void load_idx(const fz_buf *files, const int *gz, int with_test,
                     int limit, int expect_ok)
{
    static const char *const names[] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    const char *paths[4];
    fz_buf z = {0};
    for (int i = 0; i < 4; i++) {
        paths[i] = tmp_path(names[i]);
        if (gz[i])
            gzip_buf(&files[i], &z);
        write_file(paths[i], gz[i] ? &z : &files[i]);
        show_input(names[i], gz[i] ? &z : &files[i]);
    }
    fz_free(&z);
    nn_err err = {{0}};
    nn_data *d = nn_data_load_idx(paths[0], paths[1],
                                  with_test ? paths[2] : NULL,
                                  with_test ? paths[3] : NULL, limit, &err);
    if (expect_ok && !d)
        fail_msg("seed did not load: %s", err.msg);
    if (!d) {
        assert_true(err.msg[0] != '\0');
        return;
    }
    use_data(d);
    nn_data_free(d);
}

static void test_fuzz_idx(void **state)
{
    (void)state;
    static const int limits[] = {0, 0, 0, 1, 5, 13, -1, 1000};
    fz_buf seeds[4] = {{0}}, cur[4] = {{0}};
    fz_rng r = {0x1D10002};
    int gz[4] = {0, 0, 0, 0};
    idx_seeds(seeds);
    load_idx(seeds, gz, 1, 0, 1);
    load_idx(seeds, gz, 0, 0, 1);
    for (int i = 0; i < iters(ITERS_IDX); i++) {
        for (int k = 0; k < 4; k++) {
            fz_set(&cur[k], seeds[k].p, seeds[k].n);
            gz[k] = fz_below(&r, 4) == 0;
        }
        /* one file mutated, sometimes two; from its own kind of seed */
        for (int m = 0; m < 1 + (fz_below(&r, 4) == 0); m++) {
            size_t k = fz_below(&r, 4);
            int edits = 1 + (int)fz_below(&r, 4);
            for (int e = 0; e < edits; e++)
                fz_mutate_once(&r, &cur[k], &seeds[k], 1);
        }
        load_idx(cur, gz, (int)fz_below(&r, 3) != 0,
                 limits[fz_below(&r, sizeof limits / sizeof *limits)], 0);
    }
    free_seeds(seeds, 4);
    free_seeds(cur, 4);
}

/* A gzip stream itself damaged (the CRC, the length, the deflate data). */
static void test_fuzz_idx_gzip(void **state)
{
    (void)state;
    fz_buf seeds[4] = {{0}}, gzs[4] = {{0}}, cur = {0};
    fz_rng r = {0x62100003};
    idx_seeds(seeds);
    for (int k = 0; k < 4; k++)
        gzip_buf(&seeds[k], &gzs[k]);
    for (int i = 0; i < iters(ITERS_IDX / 4); i++) {
        size_t k = fz_below(&r, 4);
        fz_set(&cur, gzs[k].p, gzs[k].n);
        fz_mutate_once(&r, &cur, &gzs[k], 1);
        fz_buf files[4];
        int gz[4] = {0, 0, 0, 0};
        for (int j = 0; j < 4; j++)
            files[j] = seeds[j];
        files[k] = cur; /* written as it is: already gzip (or not) */
        load_idx(files, gz, 1, 0, 0);
    }
    fz_free(&cur);
    free_seeds(seeds, 4);
    free_seeds(gzs, 4);
}

/* ------------------------------------------------------------------ */
/* Model files                                                          */
/* ------------------------------------------------------------------ */

/* Three saved models: a plain 2-3-1, a 2-4-3-3 with batch norm,
 * dropout, L2 and Adam, and a 2-4-3-1 of maxout:2 with batch norm and
 * PReLU under Huber's loss and elastic net. */
enum { MODEL_SEEDS = 3 };

static void model_seeds(fz_buf *seeds)
{
    static const int small[] = {2, 3, 1}, rich[] = {2, 4, 3, 3};
    nn_err err = {{0}};
    for (int k = 0; k < MODEL_SEEDS; k++) {
        nn_net *net = k == 0
            ? nn_net_new(small, 3, NN_ACT_TANH, 0, NN_ACT_SIGMOID, 0,
                         NN_LOSS_BCE, &err)
            : k == 1 ? nn_net_new(rich, 4, NN_ACT_LEAKY, 0.1, NN_ACT_SOFTMAX,
                                  0, NN_LOSS_XENT, &err)
            : nn_net_new(rich, 4, NN_ACT_MAXOUT, 2, NN_ACT_SIGMOID, 0,
                         NN_LOSS_HUBER, &err);
        assert_non_null(net);
        nn_trainer tr;
        nn_trainer_init(&tr);
        if (k == 1) {
            net->L[0].keep = 0.8;
            net->reg = NN_REG_L2;
            net->lambda = 0.01;
            assert_int_equal(nn_net_set_bn(net, 2, 1, &err), 0);
            tr.opt.kind = NN_OPT_ADAM;
            tr.batch = 17;
        }
        if (k == 2) {
            assert_int_equal(nn_net_set_bn(net, 1, 1, &err), 0);
            assert_int_equal(nn_net_set_act(net, 2, NN_ACT_PRELU, 0.2, 1,
                                            &err), 0);
            assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER, 0.5, &err),
                             0);
            assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, 0.01, 0.02,
                                            &err), 0);
        }
        nn_net_init(net, 3, 0);
        const char *path = tmp_path("seed.model");
        assert_int_equal(nn_model_save(path, net, &tr, &err), 0);
        read_file(path, &seeds[k]);
        nn_net_free(net);
        nn_trainer_free(&tr);
    }
}

static void load_model(const fz_buf *in, int expect_ok)
{
    const char *path = tmp_path("fuzz.model");
    nn_err err = {{0}};
    nn_trainer tr, before;
    nn_trainer_init(&tr);
    before = tr;
    write_file(path, in);
    show_input("model", in);
    nn_net *net = nn_model_load(path, &tr, &err);
    if (expect_ok && !net)
        fail_msg("seed did not load: %s", err.msg);
    if (!net) {
        assert_true(err.msg[0] != '\0');
        assert_memory_equal(&tr, &before, sizeof tr);
        nn_trainer_free(&tr);
        return;
    }
    long params = 0;
    for (int i = 0; i < net->n_layers; i++)
        params += (long)net->L[i].in * net->L[i].out;
    if (params <= 1000000) { /* a forward pass on two rows */
        double *X = calloc(2 * (size_t)net->n_in, sizeof *X);
        assert_non_null(X);
        X[0] = 0.5;
        const double *out = nn_net_forward(net, X, 2, 0, NULL);
        assert_non_null(out);
        free(X);
    }
    nn_net_free(net);
    nn_trainer_free(&tr);
}

static void test_fuzz_model(void **state)
{
    (void)state;
    fz_buf seeds[MODEL_SEEDS] = {{0}}, cur = {0};
    fz_rng r = {0x30DE1004};
    model_seeds(seeds);
    for (int k = 0; k < MODEL_SEEDS; k++)
        load_model(&seeds[k], 1);
    for (int i = 0; i < iters(ITERS_MODEL); i++) {
        fz_mutate(&r, &cur, seeds, MODEL_SEEDS);
        load_model(&cur, 0);
    }
    fz_free(&cur);
    free_seeds(seeds, MODEL_SEEDS);
}

/* ------------------------------------------------------------------ */
/* Lesson files                                                         */
/* ------------------------------------------------------------------ */

static const char lesson_text[] =
    "# A lesson for the fuzzer\n"
    "title: Fuzzing\n"
    "order: 12\n"
    "summary: Every kind of line\n"
    "\n"
    "== Setting up\n"
    "Prose that wraps\n"
    "over two lines.\n"
    "\n"
    "> data circles n=50 noise=0.1\n"
    "> net 2 10 5 1 act=relu; train 3 epochs # c\n"
    "check: train_acc >= 0.5 and loss < 1 | explain\n"
    "| on two lines\n"
    "check: 0.1 < layer[1].act_std < 0.3\n"
    "? Why?\n"
    "? Really?\n"
    "\\> not a command\n"
    "\n"
    "== Second\r\n"
    "> gradcheck\r\n"
    "check: gradcheck_max < 1e-7\r\n";

static void parse_lesson(const fz_buf *in, int expect_ok)
{
    char err[256];
    err[0] = '\0';
    show_input("lesson", in);
    Lesson *L = lesson_parse((const char *)in->p, "fuzz.lesson", err,
                             sizeof err);
    if (expect_ok && !L)
        fail_msg("seed did not parse: %s", err);
    if (!L) {
        assert_true(err[0] != '\0');
        return;
    }
    assert_non_null(L->title);
    for (int i = 0; i < L->nsections; i++)
        for (int j = 0; j < L->sections[i].nitems; j++)
            assert_non_null(L->sections[i].items[j].text);
    lesson_free(L);
}

static void test_fuzz_lesson(void **state)
{
    (void)state;
    fz_buf seed = {0}, cur = {0};
    fz_rng r = {0x1E550005};
    fz_set(&seed, lesson_text, strlen(lesson_text));
    parse_lesson(&seed, 1);
    for (int i = 0; i < iters(ITERS_LESSON); i++) {
        fz_mutate(&r, &cur, &seed, 1);
        parse_lesson(&cur, 0);
    }
    fz_free(&cur);
    fz_free(&seed);
}

/* ------------------------------------------------------------------ */
/* Check expressions                                                    */
/* ------------------------------------------------------------------ */

static const char *const check_texts[] = {
    "train_acc >= 0.95",
    "0.19 < layer[1].act_std < 0.23 and loss < 0.1",
    "abs(train_acc - dev_acc) < 0.05 or not (loss > 1e-3)",
    "max(log(lr), log10(2)) != sqrt(exp(1)) * -2 / 3 + min(1, iter)",
    "layer[10].w_var ~= 2 / 10 and layers == 3",
    "gradcheck_passed == 1",
    "x[2].y / 0 > nan_value",
};

/* Values for a few names, NaN and Inf for some, nothing for the rest. */
static int fuzz_lookup(void *ctx, const char *name, int index, double *v)
{
    (void)ctx;
    size_t h = strlen(name) + (size_t)index;
    if (strcmp(name, "nan_value") == 0) {
        *v = NAN;
        return 0;
    }
    if (h % 5 == 0)
        return -1;
    *v = h % 7 == 0 ? INFINITY : (double)h / 7;
    return 0;
}

static void compile_check(const char *text, int expect_ok)
{
    char err[256];
    err[0] = '\0';
    CheckExpr *c = check_compile(text, err, sizeof err);
    if (expect_ok && !c)
        fail_msg("seed did not compile: %s", err);
    if (!c) {
        assert_true(err[0] != '\0');
        return;
    }
    for (int i = 0; i < check_nvars(c); i++) {
        assert_non_null(check_var_name(c, i));
        assert_non_null(check_var_text(c, i));
    }
    assert_non_null(check_text(c));
    CheckResult res;
    int st = check_eval(c, fuzz_lookup, NULL, &res);
    assert_true(st == CHECK_PASS || st == CHECK_FAIL || st == CHECK_ERROR);
    assert_int_equal(st, res.status);
    if (st == CHECK_ERROR)
        assert_true(res.error[0] != '\0');
    assert_non_null(memchr(res.found, '\0', sizeof res.found));
    check_free(c);
    check_free(lesson_compile_check(text, err, sizeof err));
}

static void test_fuzz_check(void **state)
{
    (void)state;
    enum { N = sizeof check_texts / sizeof *check_texts };
    fz_buf seeds[N] = {{0}}, cur = {0};
    fz_rng r = {0xC4EC0006};
    for (int i = 0; i < N; i++) {
        fz_set(&seeds[i], check_texts[i], strlen(check_texts[i]));
        compile_check(check_texts[i], 1);
    }
    for (int i = 0; i < iters(ITERS_CHECK); i++) {
        fz_mutate(&r, &cur, seeds, N);
        show_input("check", &cur);
        compile_check((const char *)cur.p, 0);
    }
    fz_free(&cur);
    free_seeds(seeds, N);
}

/* ------------------------------------------------------------------ */
/* Command lines                                                        */
/* ------------------------------------------------------------------ */

static const char *const lines[] = {
    "net 2 10 5 1 act=relu; train 3 epochs # c",
    "data circles n=50 noise=0.1",
    "data moons n=40 noise=0.2 seed=3; net 2 8 1 act=tanh out=sigmoid",
    "data spiral n=60 classes=3; net 2 6 3; optim adam lr=0.01 beta1=0.9",
    "data blobs n=30 classes=4 noise=0.3 seed=2",
    "data xor n=20; net 2 4*2 1 act=leaky=0.1 loss=bce; step 2",
    "data linear n=20 factor=0.5; split train=60 dev=20 test=20",
    "data iris; normalize on; net 4 5 3; train 2 iters every=1",
    "data gauss n=40 dim=8; net 8 4*3 4 act=tanh; forward; stats acts",
    "data load \"no such file.csv\" label=first header=yes",
    "split 30 10 10; subset 10; normalize off",
    "layer add 1 dense 5 tanh; layer add 2 bn; layer set 1 act=elu keep=0.8 "
    "bn=on; layer del 1",
    "init he; init const 0.5 layer=1; init normal 0.01 gain=2; init uniform "
    "0.1; init orthogonal",
    "reset; reg l2 0.01; reg l1 1e-3; reg none",
    "dropout 0.8; dropout 1 0.5; dropout off; bn on layer=1; bn off",
    "optim momentum beta=0.9; optim rmsprop eps=1e-8; lr 0.1; lr",
    "batch 16; batch full; batch 1; decay inverse 1; decay exp 0.9 epochs=2",
    "decay step 10 0.5 every=3; decay none; seed 7; seed",
    "early on patience=3; guard off; eval; pause",
    "gradcheck eps=1e-6; gradcheck bug dW2; gradcheck",
    "stats weights; stats grads; stats updates; show",
    "predict 0.5 -0.5; calc softmax 1 2 3; calc xent 0.1 0.7 0.2 label=1",
    "help; help net; help Data; net --help; train -h",
    "check train_acc >= 0.5 and loss < 1; check layer[1].act_std > 0",
    "load \"/nonexistent/model file\"; quit",
};

static void split_line(const char *line)
{
    char err[128];
    err[0] = '\0';
    LineCmd *cmds = NULL;
    int n = line_split(line, &cmds, err, sizeof err);
    if (n < 0) {
        assert_true(err[0] != '\0');
        assert_null(cmds);
        return;
    }
    for (int i = 0; i < n; i++) {
        assert_true(cmds[i].argc >= 1);
        assert_null(cmds[i].argv[cmds[i].argc]);
    }
    line_free(cmds, n);
}

static void test_fuzz_split(void **state)
{
    (void)state;
    enum { N = sizeof lines / sizeof *lines };
    fz_buf seeds[N] = {{0}}, cur = {0};
    fz_rng r = {0x5B117007};
    for (int i = 0; i < N; i++)
        fz_set(&seeds[i], lines[i], strlen(lines[i]));
    for (int i = 0; i < iters(ITERS_SPLIT); i++) {
        fz_mutate(&r, &cur, seeds, N);
        split_line((const char *)cur.p);
    }
    fz_free(&cur);
    free_seeds(seeds, N);
}

/* Run one line with output captured; a failed command must have said
 * something. */
static int run_line(Session *s, const char *line)
{
    char *out = NULL;
    size_t len = 0;
    s->out = open_memstream(&out, &len);
    assert_non_null(s->out);
    int failures = s->failures;
    int status = cmd_run_line(s, line);
    fflush(s->out);
    assert_true(status == CMD_OK || status == CMD_ERR || status == CMD_QUIT);
    if (status == CMD_ERR) {
        assert_true(s->failures > failures);
        if (len == 0)
            fail_msg("'%s' failed without a message", line);
    }
    fclose(s->out);
    s->out = NULL;
    free(out);
    return status;
}

/* A fresh session, with data and a network from one of a few set-ups so
 * that the commands working on them get past "no network yet". */
static Session *fuzz_session(fz_rng *r)
{
    static const char *const setups[] = {
        "", "data circles n=40",
        "data circles n=40; net 2 6 1",
        "data spiral n=45 classes=3; net 2 5 4 3 act=tanh; bn on layer=1; "
        "dropout 0.8; optim adam; train 1 epochs",
        "data iris; normalize on; net 4 6 3; train 2 iters",
    };
    Session *s = session_new();
    assert_non_null(s);
    assert_int_equal(commands_register(s), 0);
    s->quiet = 1;
    const char *setup = setups[fz_below(r, sizeof setups / sizeof *setups)];
    if (run_line(s, setup) != CMD_OK)
        fail_msg("set-up '%s' failed", setup);
    return s;
}

static void test_fuzz_lines(void **state)
{
    (void)state;
    enum { N = sizeof lines / sizeof *lines, LINES_PER_SESSION = 16 };
    fz_buf seeds[N] = {{0}}, cur = {0};
    fz_rng r = {0x11AE0008};
    Session *s = fuzz_session(&r);
    for (int i = 0; i < N; i++) {
        fz_set(&seeds[i], lines[i], strlen(lines[i]));
        run_line(s, lines[i]);
    }
    int ran = 0;
    for (int i = 0; i < iters(ITERS_LINE); i++) {
        fz_mutate(&r, &cur, seeds, N);
        const char *line = (const char *)cur.p;
        if (!fuzz_line_is_cheap(line))
            continue;
        if (ran++ % LINES_PER_SESSION == 0) {
            session_free(s);
            s = fuzz_session(&r);
        }
        s->keep_going = fz_below(&r, 3) != 0;
        show_input("line", &cur);
        run_line(s, line);
        s->want_quit = 0;
    }
    assert_true(ran > iters(ITERS_LINE) / 4);
    session_free(s);
    fz_free(&cur);
    free_seeds(seeds, N);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                               */
/* ------------------------------------------------------------------ */

static int make_tmpdir(void **state)
{
    (void)state;
    return tu_tmpdir_make(tmpdir, sizeof tmpdir, "fuzz");
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return tu_tmpdir_remove(tmpdir);
}

int main(void)
{
    const char *sc = getenv("NNLAB_FUZZ_SCALE");
    if (sc && atof(sc) > 0)
        scale = atof(sc);
    trace = getenv("NNLAB_FUZZ_TRACE") != NULL;
    /* Should a line ever reach plot, gnuplot is "missing": no process. */
    setenv("NNLAB_GNUPLOT", "/nonexistent/gnuplot", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_csv),
        cmocka_unit_test(test_fuzz_idx),
        cmocka_unit_test(test_fuzz_idx_gzip),
        cmocka_unit_test(test_fuzz_model),
        cmocka_unit_test(test_fuzz_lesson),
        cmocka_unit_test(test_fuzz_check),
        cmocka_unit_test(test_fuzz_split),
        cmocka_unit_test(test_fuzz_lines),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
