/*
 * test_alloc.c — every allocation the engine makes may fail, and a failure
 * must leave what was there as it was and say "out of memory".
 *
 * This test is linked with -Wl,--wrap for malloc, calloc, realloc, strdup,
 * getline (__getdelim), newlocale, gzopen, fopen and fdopen (see the
 * Makefile): the calls the engine and this file make go through the
 * __wrap_ functions below, while OpenBLAS, zlib and the C library keep the
 * real ones.  (zlib's gz functions take no allocator hooks: the buffers
 * gzread allocates at its first call are out of reach, and their failure
 * is reported as a read error saying "out of memory".)  For each
 * operation (creating a network, inserting and deleting a layer, batch
 * norm on and off, changing an activation to or from PReLU and maxout,
 * saving and loading a model, with and without those layers, the CSV and
 * IDX loaders and the generators, binding a trainer, and a few more) the
 * k-th of its allocations is made to fail, for every k until
 * the operation no longer reaches k, in two modes: that one allocation
 * only, and every one from the k-th on (memory that stays short, so that
 * clean-up paths which allocate fail too).  After each failure the
 * previous state is checked whole, and used (a forward and backward pass,
 * a training step) so that the sanitizers see any dangling pointer; under
 * `make asan` LeakSanitizer sees any leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "tmpdir.h"

/* ------------------------------------------------------------------------
 * The allocation wrappers
 * ------------------------------------------------------------------------ */

static long fail_at;     /* the call that fails first (1-based); 0 = off */
static int fail_on;      /* calls after fail_at fail as well */
static long calls;       /* calls counted since arming */
static int injected;     /* a call was made to fail since arming */

/* 1 when this call must fail. */
static int inject(void)
{
    if (!fail_at)
        return 0;
    calls++;
    if (calls == fail_at || (fail_on && calls > fail_at)) {
        injected = 1;
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

static void arm(long k, int persistent)
{
    calls = 0;
    injected = 0;
    fail_on = persistent;
    fail_at = k;
}

static void disarm(void)
{
    fail_at = 0;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
ssize_t __real_getline(char **line, size_t *n, FILE *f);
ssize_t __real___getdelim(char **line, size_t *n, int delim, FILE *f);
locale_t __real_newlocale(int mask, const char *name, locale_t base);
gzFile __real_gzopen(const char *path, const char *mode);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fdopen(int fd, const char *mode);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
ssize_t __wrap_getline(char **line, size_t *n, FILE *f);
ssize_t __wrap___getdelim(char **line, size_t *n, int delim, FILE *f);
locale_t __wrap_newlocale(int mask, const char *name, locale_t base);
gzFile __wrap_gzopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fdopen(int fd, const char *mode);

void *__wrap_malloc(size_t n)
{
    return inject() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return inject() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return inject() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return inject() ? NULL : __real_strdup(s);
}

ssize_t __wrap_getline(char **line, size_t *n, FILE *f)
{
    return inject() ? -1 : __real_getline(line, n, f);
}

ssize_t __wrap___getdelim(char **line, size_t *n, int delim, FILE *f)
{
    return inject() ? -1 : __real___getdelim(line, n, delim, f);
}

locale_t __wrap_newlocale(int mask, const char *name, locale_t base)
{
    return inject() ? (locale_t)0 : __real_newlocale(mask, name, base);
}

gzFile __wrap_gzopen(const char *path, const char *mode)
{
    return inject() ? NULL : __real_gzopen(path, mode);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
    return inject() ? NULL : __real_fopen(path, mode);
}

FILE *__wrap_fdopen(int fd, const char *mode)
{
    return inject() ? NULL : __real_fdopen(fd, mode);
}

/* ------------------------------------------------------------------------
 * The sweep
 * ------------------------------------------------------------------------ */

/* One operation under test: `make` builds the state before it (nothing
 * fails then), `run` is the operation (0 or -1 with err), `whole` checks
 * after a failure that the state is as `make` left it, and `drop` frees
 * everything. */
typedef struct scenario {
    const char *name;
    void (*make)(void *ctx);
    int (*run)(void *ctx, nn_err *err);
    void (*whole)(void *ctx);
    void (*drop)(void *ctx);
} scenario;

/* Run sc with its k-th allocation failing, k = 1, 2, ... until it no
 * longer reaches k, in both modes.  Returns the allocations it makes. */
static long sweep(const scenario *sc, void *ctx)
{
    long most = 0;
    for (int persistent = 0; persistent < 2; persistent++) {
        for (long k = 1;; k++) {
            nn_err err = {{0}};
            sc->make(ctx);
            arm(k, persistent);
            int rc = sc->run(ctx, &err);
            disarm();
            if (calls > most)
                most = calls;
            if (rc != 0) {
                if (!injected)
                    fail_msg("%s failed with nothing injected: %s", sc->name,
                             err.msg);
                if (!strstr(err.msg, "memory"))
                    fail_msg("%s, allocation %ld%s failing: message '%s' "
                             "does not say out of memory", sc->name, k,
                             persistent ? " on" : "", err.msg);
                if (sc->whole)
                    sc->whole(ctx);
            }
            sc->drop(ctx);
            if (!injected)
                break; /* k passed the operation's last allocation */
            if (k > 100000)
                fail_msg("%s: no end to its allocations", sc->name);
        }
    }
    return most;
}

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_tmpdir_make(dir, sizeof dir, "alloc");
}

static int teardown(void **state)
{
    (void)state;
    return tu_tmpdir_remove(dir);
}

static const char *tmp_path(const char *name)
{
    static char paths[16][128];
    static int next;
    char *p = paths[next++ % 16];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

/* ------------------------------------------------------------------------
 * Networks
 * ------------------------------------------------------------------------ */

typedef struct net_ctx {
    nn_net *net, *before;
    int pos, units, on;
    int newer;        /* PReLU on layer 1, maxout:3 on layer 2 */
    nn_act act;       /* what run_set_act sets, with act_arg */
    double act_arg;
    nn_net *made;
} net_ctx;

/* A 2-8-6-5-3 softmax net with batch norm on layer 2 and statistics of
 * its own, its caches grown past the default, and a copy.  With `newer`,
 * layer 1 is PReLU with slopes of its own and layer 2 maxout with three
 * pieces, so its caches and batch norm statistics are 3·6 wide. */
static void make_net(void *p)
{
    net_ctx *c = p;
    const int sizes[] = { 2, 8, 6, 5, 3 };
    c->net = tu_net(sizes, 5, NN_ACT_TANH, NN_ACT_SOFTMAX, NN_LOSS_XENT,
                    NULL, 3);
    if (c->newer) {
        assert_int_equal(nn_net_set_act(c->net, 1, NN_ACT_PRELU, 0.2, 3,
                                        NULL), 0);
        assert_int_equal(nn_net_set_act(c->net, 2, NN_ACT_MAXOUT, 3, 3,
                                        NULL), 0);
    }
    assert_int_equal(nn_net_set_bn(c->net, 2, 1, NULL), 0);
    tu_perturb_vectors(c->net, 3);
    c->net->L[1].run_var.v[2] = 2.5;
    assert_int_equal(nn_net_reserve(c->net, 80, NULL), 0);
    c->before = nn_net_clone(c->net, NULL);
    assert_non_null(c->before);
    c->made = NULL;
}

static void drop_net(void *p)
{
    net_ctx *c = p;
    nn_net_free(c->net);
    nn_net_free(c->before);
    nn_net_free(c->made);
    c->net = c->before = c->made = NULL;
}

/* The network is the one `before` copied, layer for layer, and works:
 * the same output for the same rows, gradients of the right shapes. */
static void net_whole(void *p)
{
    net_ctx *c = p;
    nn_net *a = c->net, *b = c->before;
    assert_int_equal(a->n_layers, b->n_layers);
    assert_int_equal(a->n_params, b->n_params);
    assert_int_equal(a->cap, b->cap);
    for (int i = 0; i < a->n_layers; i++) {
        assert_int_equal(a->L[i].in, b->L[i].in);
        assert_int_equal(a->L[i].out, b->L[i].out);
        assert_int_equal(a->L[i].bn, b->L[i].bn);
        assert_int_equal(a->L[i].act, b->L[i].act);
        assert_int_equal(a->L[i].pieces, b->L[i].pieces);
        assert_int_equal(a->L[i].A.rows, a->cap);
        assert_int_equal(a->L[i].Z.cols, nn_layer_zcols(&a->L[i]));
    }
    for (int i = 0; i < a->n_params; i++) {
        const nn_param *q = a->params[i];
        const nn_layer *l = &a->L[q->layer - 1];
        assert_true(q == &l->W || q == &l->b || q == &l->gamma ||
                    q == &l->beta ||
                    (q == &l->alpha && l->act == NN_ACT_PRELU));
        assert_int_equal(q->type, b->params[i]->type);
    }
    assert_true(tu_same_weights(a, b));
    int m = a->cap;
    double *X = tu_rand(m * a->n_in, 1.0, 4);
    double *Y = tu_targets(m, 3, NN_LOSS_XENT, NN_ACT_SOFTMAX, 5);
    const double *ya = nn_net_forward(a, X, m, 0, NULL);
    const double *yb = nn_net_forward(b, X, m, 0, NULL);
    assert_memory_equal(ya, yb, (size_t)m * 3 * sizeof(double));
    nn_net_forward(a, X, m, 1, NULL);
    nn_net_backward(a, X, Y);
    free(X);
    free(Y);
}

static int run_net_new(void *p, nn_err *err)
{
    net_ctx *c = p;
    const int sizes[] = { 2, 10, 5, 3 };
    c->made = nn_net_new(sizes, 4, NN_ACT_RELU, 0, NN_ACT_SOFTMAX, 0,
                         NN_LOSS_XENT, err);
    return c->made ? 0 : -1;
}

static int run_clone(void *p, nn_err *err)
{
    net_ctx *c = p;
    c->made = nn_net_clone(c->net, err);
    return c->made ? 0 : -1;
}

static int run_insert(void *p, nn_err *err)
{
    net_ctx *c = p;
    return nn_net_insert(c->net, c->pos, c->units, NN_ACT_RELU, 0, 7, err);
}

static int run_delete(void *p, nn_err *err)
{
    net_ctx *c = p;
    return nn_net_delete(c->net, c->pos, 7, err);
}

static int run_bn(void *p, nn_err *err)
{
    net_ctx *c = p;
    return nn_net_set_bn(c->net, c->pos, c->on, err);
}

static int run_reserve(void *p, nn_err *err)
{
    net_ctx *c = p;
    return nn_net_reserve(c->net, 300, err);
}

static int run_set_act(void *p, nn_err *err)
{
    net_ctx *c = p;
    return nn_net_set_act(c->net, c->pos, c->act, c->act_arg, 7, err);
}

static void test_networks(void **state)
{
    (void)state;
    net_ctx c = {0};
    const scenario new_net = { "nn_net_new", make_net, run_net_new, net_whole,
                               drop_net };
    const scenario clone = { "nn_net_clone", make_net, run_clone, net_whole,
                             drop_net };
    const scenario insert = { "nn_net_insert", make_net, run_insert,
                              net_whole, drop_net };
    const scenario delete = { "nn_net_delete", make_net, run_delete,
                              net_whole, drop_net };
    const scenario bn = { "nn_net_set_bn", make_net, run_bn, net_whole,
                          drop_net };
    const scenario reserve = { "nn_net_reserve", make_net, run_reserve,
                               net_whole, drop_net };
    const scenario set_act = { "nn_net_set_act", make_net, run_set_act,
                               net_whole, drop_net };
    /* to and from PReLU (a new list of parameters), to, from and within
     * maxout (a new layer) */
    static const struct {
        nn_act act;
        double arg;
    } acts[] = { { NN_ACT_PRELU, 0.1 }, { NN_ACT_MAXOUT, 2 },
                 { NN_ACT_MAXOUT, 4 }, { NN_ACT_RELU, 0 } };
    for (c.newer = 0; c.newer <= 1; c.newer++) {
        assert_true(sweep(&new_net, &c) > 10);
        assert_true(sweep(&clone, &c) > 10);
        for (c.pos = 1; c.pos <= 4; c.pos++) {
            c.units = 9;
            assert_true(sweep(&insert, &c) > 0);
        }
        for (c.pos = 1; c.pos <= 3; c.pos++)
            assert_true(sweep(&delete, &c) > 0);
        for (c.pos = 1; c.pos <= 4; c.pos++)
            for (c.on = 0; c.on <= 1; c.on++)
                sweep(&bn, &c);
        assert_true(sweep(&reserve, &c) > 0);
        for (c.pos = 1; c.pos <= 3; c.pos++)
            for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
                c.act = acts[i].act;
                c.act_arg = acts[i].arg;
                sweep(&set_act, &c);
            }
    }
}

/* ------------------------------------------------------------------------
 * Model files
 * ------------------------------------------------------------------------ */

typedef struct model_ctx {
    const char *path;
    int newer;        /* make_net's */
    nn_trainer tr, before;
    nn_net *net, *loaded;
} model_ctx;

static void make_model(void *p)
{
    model_ctx *c = p;
    net_ctx n = {0};
    n.newer = c->newer;
    make_net(&n);
    c->net = n.net;
    nn_net_free(n.before);
    nn_trainer_init(&c->tr);
    c->tr.batch = 33;
    c->tr.opt.kind = NN_OPT_ADAM;
    c->before = c->tr;
    c->loaded = NULL;
}

static void drop_model(void *p)
{
    model_ctx *c = p;
    nn_net_free(c->net);
    nn_net_free(c->loaded);
    nn_trainer_free(&c->tr);
    c->net = c->loaded = NULL;
}

static void settings_whole(void *p)
{
    model_ctx *c = p;
    assert_memory_equal(&c->tr, &c->before, sizeof c->tr);
}

/* The same parameters and batch norm statistics: what a model file holds
 * (a batch norm layer's unused b is not saved; a maxout layer has
 * statistics for each piece). */
static int same_params(const nn_net *a, const nn_net *b)
{
    if (a->n_params != b->n_params || a->n_layers != b->n_layers)
        return 0;
    for (int i = 0; i < a->n_params; i++) {
        const nn_mat *x = &a->params[i]->w, *y = &b->params[i]->w;
        if (nn_mat_size(x) != nn_mat_size(y) ||
            memcmp(x->v, y->v, (size_t)nn_mat_size(x) * sizeof(double)))
            return 0;
    }
    for (int i = 0; i < a->n_layers; i++) {
        size_t bytes = (size_t)nn_layer_zcols(&a->L[i]) * sizeof(double);
        if (a->L[i].bn != b->L[i].bn ||
            a->L[i].pieces != b->L[i].pieces ||
            (a->L[i].bn &&
             (memcmp(a->L[i].run_mean.v, b->L[i].run_mean.v, bytes) ||
              memcmp(a->L[i].run_var.v, b->L[i].run_var.v, bytes))))
            return 0;
    }
    return 1;
}

static int run_model_load(void *p, nn_err *err)
{
    model_ctx *c = p;
    c->loaded = nn_model_load(c->path, &c->tr, err);
    if (c->loaded) {
        assert_true(same_params(c->loaded, c->net));
        assert_int_equal(c->tr.batch, 17);
    }
    return c->loaded ? 0 : -1;
}

/* Saving: nothing but the model file is left in the directory. */
static int run_model_save(void *p, nn_err *err)
{
    model_ctx *c = p;
    return nn_model_save(tmp_path("saved.nn"), c->net, &c->tr, err);
}

static void no_temp_files(void *p)
{
    (void)p;
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strstr(e->d_name, "tmp"))
            fail_msg("a temporary file is left: %s", e->d_name);
    closedir(d);
}

/* Plain layers, then PReLU and maxout with batch norm: the loader
 * reshapes a layer (nn_net_set_act) before its weights are read. */
static void test_model_files(void **state)
{
    (void)state;
    model_ctx c = {0};
    const scenario load = { "nn_model_load", make_model, run_model_load,
                            settings_whole, drop_model };
    const scenario save = { "nn_model_save", make_model, run_model_save,
                            no_temp_files, drop_model };
    for (c.newer = 0; c.newer <= 1; c.newer++) {
        make_model(&c);
        c.tr.batch = 17;
        c.path = tmp_path(c.newer ? "newer.nn" : "model.nn");
        assert_int_equal(nn_model_save(c.path, c.net, &c.tr, NULL), 0);
        drop_model(&c);
        assert_true(sweep(&load, &c) > 10);
        assert_true(sweep(&save, &c) > 0);
    }
}

/* ------------------------------------------------------------------------
 * Data sets
 * ------------------------------------------------------------------------ */

typedef struct data_ctx {
    const char *path, *files[4];
    int label;
    const char *kind;
    nn_data *made, *d;
    int split[3];
    int order[64];
} data_ctx;

static void make_nothing(void *p)
{
    data_ctx *c = p;
    c->made = NULL;
}

static void drop_made(void *p)
{
    data_ctx *c = p;
    nn_data_free(c->made);
    c->made = NULL;
}

static int run_csv(void *p, nn_err *err)
{
    data_ctx *c = p;
    nn_csv_report report;
    c->made = nn_data_load_csv_report(c->path, c->label, NN_HEADER_AUTO, 1,
                                      &report, err);
    return c->made ? 0 : -1;
}

static int run_idx(void *p, nn_err *err)
{
    data_ctx *c = p;
    c->made = nn_data_load_idx(c->files[0], c->files[1], c->files[2],
                               c->files[3], 0, err);
    return c->made ? 0 : -1;
}

static int run_generate(void *p, nn_err *err)
{
    data_ctx *c = p;
    nn_gen_opts o;
    memset(&o, 0, sizeof o);
    int gauss = !strcmp(c->kind, "gauss");
    o.n = 60;
    o.dim = gauss ? 5 : 0;
    o.noise = -1;
    o.seed = 2;
    c->made = nn_data_generate(c->kind, &o, err);
    return c->made ? 0 : -1;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A small IDX pair: n images of 2x2, labels 0..9 in turn. */
static void write_idx(const char *images, const char *labels, int n, int gz)
{
    uint8_t buf[16 + 4 * 40];
    uint8_t head[16] = {0, 0, 8, 3, 0, 0, 0, (uint8_t)n, 0, 0, 0, 2,
                        0, 0, 0, 2};
    memcpy(buf, head, 16);
    for (int i = 0; i < 4 * n; i++)
        buf[16 + i] = (uint8_t)(i * 13);
    gzFile f = gzopen(images, gz ? "wb" : "wbT");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, buf, 16u + 4u * (unsigned)n), 16 + 4 * n);
    assert_int_equal(gzclose(f), Z_OK);
    uint8_t lab[8 + 40] = {0, 0, 8, 1, 0, 0, 0, (uint8_t)n};
    for (int i = 0; i < n; i++)
        lab[8 + i] = (uint8_t)(i % 10);
    f = gzopen(labels, gz ? "wb" : "wbT");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, lab, 8u + (unsigned)n), 8 + n);
    assert_int_equal(gzclose(f), Z_OK);
}

static void test_loaders(void **state)
{
    (void)state;
    data_ctx c = {0};
    const scenario csv = { "nn_data_load_csv", make_nothing, run_csv, NULL,
                           drop_made };
    const scenario idx = { "nn_data_load_idx", make_nothing, run_idx, NULL,
                           drop_made };
    static const char *const csvs[][2] = {
        { "strings.csv", "a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,emu\n"
          "9,1,dog\n2,2,cat\n" },
        { "iris.csv", "6,2,setosa,versicolor\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n"
          "9,1,0\n2,2,1\n" },
        { "regress.csv", "1,0.5\n2,0.25\n3,0.125\n4,0.3\n5,0.7\n6,0.9\n"
          "7,1.5\n8,2.5\n9,0.1\n10,0.2\n11,0.3\n12,0.4\n13,0.5\n14,0.6\n"
          "15,0.7\n16,0.8\n17,0.9\n18,1.1\n19,1.2\n20,1.3\n21,1.4\n22,1.6\n"
          "23,1.7\n" },
        { "signed.csv", "1,2,-1\n3,4,1\n5,6,-1\n7,8,1\n" },
    };
    for (size_t i = 0; i < sizeof csvs / sizeof *csvs; i++) {
        c.path = tmp_path(csvs[i][0]);
        write_text(c.path, csvs[i][1]);
        c.label = NN_LABEL_LAST;
        assert_true(sweep(&csv, &c) > 5);
    }
    /* a long line (the line buffer grows) and a gzipped file, label none */
    {
        char *text = malloc(40000);
        assert_non_null(text);
        text[0] = '\0';
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 1500; j++)
                strcat(text, j ? ",1.5" : "2.5");
            strcat(text, "\n");
        }
        c.path = tmp_path("wide.csv");
        write_text(c.path, text);
        c.label = NN_LABEL_NONE;
        assert_true(sweep(&csv, &c) > 5);
        c.path = tmp_path("wide.csv.gz");
        gzFile f = gzopen(c.path, "wb");
        assert_non_null(f);
        gzputs(f, text);
        assert_int_equal(gzclose(f), Z_OK);
        assert_true(sweep(&csv, &c) > 5);
        free(text);
    }
    const char *ti = tmp_path("ti"), *tl = tmp_path("tl");
    const char *si = tmp_path("si.gz"), *sl = tmp_path("sl.gz");
    write_idx(ti, tl, 30, 0);
    write_idx(si, sl, 12, 1);
    c.files[0] = ti, c.files[1] = tl;
    c.files[2] = c.files[3] = NULL;
    assert_true(sweep(&idx, &c) > 5);
    c.files[2] = si, c.files[3] = sl;
    assert_true(sweep(&idx, &c) > 5);
}

static void test_generators(void **state)
{
    (void)state;
    data_ctx c = {0};
    const scenario gen = { "nn_data_generate", make_nothing, run_generate,
                           NULL, drop_made };
    for (int i = 0; nn_gen_names[i]; i++) {
        c.kind = nn_gen_names[i];
        assert_true(sweep(&gen, &c) > 5);
    }
}

/* Splits, names: on failure the set is as it was. */
static void make_set(void *p)
{
    data_ctx *c = p;
    c->d = tu_data("blobs", 60, 3, 4);
    for (int s = 0; s < 3; s++)
        c->split[s] = nn_data_count(c->d, (nn_split)s);
    for (int i = 0; i < c->split[0]; i++)
        c->order[i] = nn_data_label(c->d, NN_TRAIN, i);
}

static void drop_set(void *p)
{
    data_ctx *c = p;
    nn_data_free(c->d);
    c->d = NULL;
}

static void set_whole(void *p)
{
    data_ctx *c = p;
    for (int s = 0; s < 3; s++)
        assert_int_equal(nn_data_count(c->d, (nn_split)s), c->split[s]);
    for (int i = 0; i < c->split[0]; i++)
        assert_int_equal(nn_data_label(c->d, NN_TRAIN, i), c->order[i]);
    assert_string_equal(nn_data_name(c->d), "blobs");
    assert_string_equal(nn_data_class_name(c->d, 2), "2");
}

static int run_split(void *p, nn_err *err)
{
    data_ctx *c = p;
    return nn_data_split(c->d, 50, 25, 25, 1, 9, err);
}

static int run_names(void *p, nn_err *err)
{
    data_ctx *c = p;
    static const char *const names[] = { "red", "green", "blue" };
    return nn_data_set_name(c->d, "colours", err) ||
                   nn_data_set_class_names(c->d, names, 3, err)
               ? -1
               : 0;
}

static void names_whole(void *p)
{
    data_ctx *c = p;
    /* the name may have changed before the class names failed */
    const char *name = nn_data_name(c->d);
    assert_true(!strcmp(name, "blobs") || !strcmp(name, "colours"));
    assert_string_equal(nn_data_class_name(c->d, 2), "2");
}

static void test_data_changes(void **state)
{
    (void)state;
    data_ctx c = {0};
    const scenario split = { "nn_data_split", make_set, run_split, set_whole,
                             drop_set };
    const scenario names = { "nn_data_set_names", make_set, run_names,
                             names_whole, drop_set };
    assert_true(sweep(&split, &c) > 0);
    assert_true(sweep(&names, &c) > 0);
}

/* ------------------------------------------------------------------------
 * Training
 * ------------------------------------------------------------------------ */

typedef struct train_ctx {
    nn_trainer tr;
    nn_net *a, *b, *b_before;
    nn_data *da, *db;
    nn_gc_result res[16];
} train_ctx;

/* A trainer bound to a small net on circles and a few steps in; a deeper
 * net and another data set to bind next, with a larger batch. */
static void make_trainer(void *p)
{
    train_ctx *c = p;
    const int sa[] = { 2, 4, 1 }, sb[] = { 2, 12, 12, 12, 1 };
    nn_err err = {{0}};
    nn_step_info info;
    c->da = tu_data("circles", 80, 0, 1);
    c->db = tu_data("moons", 300, 0, 1);
    c->a = tu_net(sa, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL, 1);
    c->b = tu_net(sb, 5, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL, 2);
    assert_int_equal(nn_net_set_bn(c->b, 2, 1, NULL), 0);
    c->b_before = nn_net_clone(c->b, NULL);
    assert_non_null(c->b_before);
    nn_trainer_init(&c->tr);
    c->tr.batch = 16;
    if (nn_trainer_bind(&c->tr, c->a, c->da, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 3; i++)
        assert_true(nn_trainer_step(&c->tr, &info, &err) >= 0);
    c->tr.batch = 200;
}

static void make_trainer_on_a(void *p)
{
    train_ctx *c = p;
    make_trainer(c);
    c->tr.batch = 16;
}

static void drop_trainer(void *p)
{
    train_ctx *c = p;
    nn_trainer_free(&c->tr);
    nn_net_free(c->a);
    nn_net_free(c->b);
    nn_net_free(c->b_before);
    nn_data_free(c->da);
    nn_data_free(c->db);
}

static int run_bind(void *p, nn_err *err)
{
    train_ctx *c = p;
    return nn_trainer_bind(&c->tr, c->b, c->db, err);
}

/* A failed bind unbinds (train.h); the networks and data are untouched,
 * and binding again without failures trains. */
static void bind_whole(void *p)
{
    train_ctx *c = p;
    nn_err err = {{0}};
    nn_step_info info;
    assert_null(c->tr.net);
    assert_true(tu_same_weights(c->b, c->b_before));
    assert_int_equal(nn_data_count(c->db, NN_TRAIN), 210);
    if (nn_trainer_bind(&c->tr, c->b, c->db, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 3; i++)
        if (nn_trainer_step(&c->tr, &info, &err) < 0)
            fail_msg("%s", err.msg);
}

/* Early stopping's first copy of the best weights, made at an epoch's
 * end: the step fails, and the trainer goes on afterwards. */
static int run_early_step(void *p, nn_err *err)
{
    train_ctx *c = p;
    nn_step_info info;
    int st;
    c->tr.early = 1;
    c->tr.batch = 0;
    st = nn_trainer_step(&c->tr, &info, err);
    return st < 0 ? -1 : 0;
}

static void early_goes_on(void *p)
{
    train_ctx *c = p;
    nn_err err = {{0}};
    nn_step_info info;
    for (int i = 0; i < 3; i++)
        if (nn_trainer_step(&c->tr, &info, &err) < 0)
            fail_msg("%s", err.msg);
}

static int run_gradcheck(void *p, nn_err *err)
{
    train_ctx *c = p;
    double X[8], Y[4] = { 0, 1, 1, 0 };
    tu_fill(X, 8, 1.0, 3);
    return nn_gradcheck(c->b, X, Y, 4, 1e-5, 3, c->res, err) < 0 ? -1 : 0;
}

static void gradcheck_whole(void *p)
{
    train_ctx *c = p;
    assert_true(tu_same_weights(c->b, c->b_before));
}

/* A step with a batch grown since the bind sizes its buffers again: on
 * failure nothing has moved, and the old batch size trains on. */
static int run_bigger_batch(void *p, nn_err *err)
{
    train_ctx *c = p;
    nn_step_info info;
    c->tr.batch = 60;
    return nn_trainer_step(&c->tr, &info, err) < 0 ? -1 : 0;
}

static void batch_whole(void *p)
{
    train_ctx *c = p;
    nn_err err = {{0}};
    nn_step_info info;
    assert_int_equal(c->tr.iter, 3);
    c->tr.batch = 16;
    if (nn_trainer_step(&c->tr, &info, &err) < 0)
        fail_msg("%s", err.msg);
}

static void test_training(void **state)
{
    (void)state;
    train_ctx c;
    const scenario bind = { "nn_trainer_bind", make_trainer, run_bind,
                            bind_whole, drop_trainer };
    const scenario early = { "early stopping", make_trainer, run_early_step,
                             early_goes_on, drop_trainer };
    const scenario gc = { "nn_gradcheck", make_trainer, run_gradcheck,
                          gradcheck_whole, drop_trainer };
    assert_true(sweep(&bind, &c) > 5);
    assert_true(sweep(&early, &c) > 0);
    assert_true(sweep(&gc, &c) > 0);
    /* the trainer still on net a, with batch 16 */
    const scenario batch = { "a larger batch", make_trainer_on_a,
                             run_bigger_batch, batch_whole, drop_trainer };
    assert_true(sweep(&batch, &c) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_networks),
        cmocka_unit_test(test_model_files),
        cmocka_unit_test(test_loaders),
        cmocka_unit_test(test_generators),
        cmocka_unit_test(test_data_changes),
        cmocka_unit_test(test_training),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
