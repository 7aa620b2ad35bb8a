/*
 * test_model.c — model files (engine/model.c): save and load give
 * bit-identical predictions (batch norm statistics, every layer setting
 * and the trainer's settings included: RMSprop's decay and correction,
 * every schedule with its parameters and origin, the warm-up, clipping,
 * PReLU slopes, GELU, SELU, maxout pieces with batch norm, Huber's δ, MAE,
 * elastic net's two lambdas); files written by older versions
 * (tests/fixtures/model_v1*.nn, model_v1_*.model) still load; saving
 * replaces atomically and leaves no temporary file, even when it fails;
 * and every malformed file is refused with "FILE:LINE: expected ..." and
 * nothing changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpdir.h"

static char dir[64];
static char good_path[128];

static int setup(void **state)
{
    (void)state;
    if (tu_tmpdir_make(dir, sizeof dir, "test-model"))
        return -1;
    snprintf(good_path, sizeof good_path, "%s/good.nn", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return tu_tmpdir_remove(dir);
}

/* Files in the test directory other than `except` (a name or NULL). */
static int other_files(const char *except1, const char *except2)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            (!except1 || strcmp(e->d_name, except1)) &&
            (!except2 || strcmp(e->d_name, except2)))
            n++;
    closedir(d);
    return n;
}

/* A 2-10-5-3 softmax net with every setting off its default, trained a
 * little so batch norm's running statistics mean something. */
static nn_net *rich_net(nn_trainer *tr, nn_data **data)
{
    const int sizes[] = { 2, 10, 5, 3 };
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, 4, NN_ACT_LEAKY, 0.1, NN_ACT_SOFTMAX, 0,
                             NN_LOSS_XENT, &err);
    assert_non_null(net);
    net->L[0].init = (nn_init_spec){ NN_INIT_XAVIER, 0, 1.5 };
    net->L[1].init = (nn_init_spec){ NN_INIT_NORMAL, 0.05, 1 };
    net->L[1].act = NN_ACT_ELU;
    net->L[1].act_arg = 0.7;
    net->L[0].keep = 0.8;
    net->reg = NN_REG_L2;
    net->lambda = 0.01;
    assert_int_equal(nn_net_set_bn(net, 2, 1, NULL), 0);
    nn_net_init(net, 9, 0);
    *data = tu_data("spiral", 300, 3, 1);
    nn_trainer_init(tr);
    tr->opt.kind = NN_OPT_ADAM;
    tr->opt.lr = 0.003;
    tr->opt.beta = 0.8;
    tr->opt.beta1 = 0.85;
    tr->opt.beta2 = 0.995;
    tr->opt.eps = 1e-7;
    tr->opt.rho = 0.95;
    tr->opt.correct = 1;
    tr->batch = 17;
    tr->sched = (nn_sched){ .kind = NN_SCHED_EXP, .rate = 0.95, .every = 2,
                            .factor = 0.3, .low = 0.002, .high = 0.05,
                            .half = 37, .period = 3, .mult = 3,
                            .min_lr = 1e-5, .origin_iter = 1234,
                            .origin_epoch = 56.25 };
    tr->warm = (nn_warmup){ .length = 7, .unit = NN_UNIT_EPOCHS,
                            .from = 0.1, .origin_iter = 99,
                            .origin_epoch = 3.5 };
    tr->clip = (nn_clip){ NN_CLIP_VALUE, 0.3 };
    tr->seed = 12345678901234ULL;
    tr->early = 1;
    tr->patience = 7;
    tr->guard = 0;
    if (nn_trainer_bind(tr, net, *data, &err))
        fail_msg("bind: %s", err.msg);
    nn_step_info info;
    for (int i = 0; i < 30; i++)
        assert_true(nn_trainer_step(tr, &info, &err) >= 0);
    return net;
}

static void same_settings(const nn_trainer *a, const nn_trainer *b)
{
    assert_true(a->opt.kind == b->opt.kind && a->opt.lr == b->opt.lr &&
                a->opt.beta == b->opt.beta && a->opt.beta1 == b->opt.beta1 &&
                a->opt.beta2 == b->opt.beta2 && a->opt.eps == b->opt.eps &&
                a->opt.rho == b->opt.rho && a->opt.correct == b->opt.correct);
    assert_true(a->batch == b->batch && a->seed == b->seed &&
                a->early == b->early && a->patience == b->patience &&
                a->guard == b->guard);
    assert_true(a->sched.kind == b->sched.kind &&
                a->sched.rate == b->sched.rate &&
                a->sched.every == b->sched.every &&
                a->sched.factor == b->sched.factor);
    const nn_sched *s = &a->sched, *t = &b->sched;
    assert_true(s->low == t->low && s->high == t->high &&
                s->half == t->half && s->period == t->period &&
                s->mult == t->mult && s->min_lr == t->min_lr &&
                s->origin_iter == t->origin_iter &&
                s->origin_epoch == t->origin_epoch);
    const nn_warmup *w = &a->warm, *v = &b->warm;
    assert_true(w->length == v->length && w->unit == v->unit &&
                w->from == v->from && w->origin_iter == v->origin_iter &&
                w->origin_epoch == v->origin_epoch);
    assert_true(a->clip.kind == b->clip.kind && a->clip.max == b->clip.max);
}

/* Save tr's settings with a small net, load them into a fresh trainer,
 * compare. */
static void settings_round_trip(const nn_trainer *tr)
{
    const int sizes[] = { 2, 3, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    nn_err err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/settings.nn", dir);
    if (nn_model_save(path, net, tr, &err))
        fail_msg("save: %s", err.msg);
    nn_trainer back;
    nn_trainer_init(&back);
    nn_net *got = nn_model_load(path, &back, &err);
    if (!got)
        fail_msg("load: %s", err.msg);
    same_settings(tr, &back);
    unlink(path);
    nn_net_free(got);
    nn_net_free(net);
    nn_trainer_free(&back);
}

/* Each new setting on its own, at values no default has: every schedule
 * kind (with an origin in the middle of an epoch), warm-up in either
 * unit, each clipping, RMSprop's decay and correction. */
static void test_new_settings_round_trip(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_trainer_init(&tr);
    settings_round_trip(&tr); /* the defaults */
    tr.opt.kind = NN_OPT_RMSPROP;
    tr.opt.rho = 0.8125;
    settings_round_trip(&tr);
    tr.opt.correct = 1;
    settings_round_trip(&tr);
    for (int k = 0; nn_sched_names[k]; k++) {
        tr.sched.kind = (nn_sched_kind)k;
        tr.sched.rate = k == NN_SCHED_EXP ? 0.9 : 0.3;
        tr.sched.low = 0.1 / 3;
        tr.sched.high = 0.7;
        tr.sched.half = 250 + k;
        tr.sched.period = 5 + k;
        tr.sched.mult = 1 + k % 3;
        tr.sched.min_lr = 1e-4 / 3;
        tr.sched.origin_iter = 1000 + k;
        tr.sched.origin_epoch = 10 + 1.0 / 3;
        settings_round_trip(&tr);
    }
    for (int u = 0; nn_unit_names[u]; u++) {
        tr.warm = (nn_warmup){ .length = 300 + u, .unit = (nn_unit)u,
                               .from = 0.01 * (u + 1), .origin_iter = 77,
                               .origin_epoch = 2.0 / 3 };
        settings_round_trip(&tr);
    }
    for (int c = 0; nn_clip_names[c]; c++) {
        tr.clip = (nn_clip){ (nn_clip_kind)c, 0.1 * (c + 1) / 7 };
        settings_round_trip(&tr);
    }
    nn_trainer_free(&tr);
}

/* A file written by the version 1 writer (before RMSprop had its own
 * decay, before cyclic schedules, warm-up and clipping) loads: its
 * settings as written, the new ones at their defaults, and its RMSprop
 * keeps the decay it trained with, β2. */
static void test_version1_file(void **state)
{
    (void)state;
    nn_err err = {{0}};
    nn_trainer tr;
    nn_trainer_init(&tr);
    nn_net *net = nn_model_load("tests/fixtures/model_v1.nn", &tr, &err);
    if (!net)
        fail_msg("load: %s", err.msg);
    assert_true(tr.opt.kind == NN_OPT_RMSPROP && tr.opt.lr == 0.002 &&
                tr.opt.beta2 == 0.99 && tr.opt.eps == 1e-7);
    assert_true(tr.opt.rho == 0.99 && tr.opt.correct == 0);
    assert_true(tr.batch == 16 && tr.seed == 42 && tr.early == 1 &&
                tr.patience == 4 && tr.guard == 1);
    nn_sched d;
    nn_sched_defaults(&d);
    d.kind = NN_SCHED_EXP;
    d.rate = 0.95;
    d.every = 2;
    nn_trainer want;
    nn_trainer_init(&want);
    want.opt = tr.opt;
    want.sched = d;
    want.batch = 16;
    want.seed = 42;
    want.early = 1;
    want.patience = 4;
    same_settings(&want, &tr); /* warm-up and clipping off, as defaults */
    assert_int_equal(net->n_in, 2);
    assert_int_equal(net->n_layers, 2);
    assert_true(net->L[0].bn && net->L[0].act == NN_ACT_TANH &&
                net->L[1].act == NN_ACT_SOFTMAX);
    assert_true(net->L[0].W.w.v[0] == -0x1.89b59ce7af17p-4);
    assert_true(net->L[1].W.w.v[5] == -0x1.e6bd67c0490abp+0);
    /* and it is saved again as version 2 with the same settings */
    char path[128];
    snprintf(path, sizeof path, "%s/v2.nn", dir);
    assert_int_equal(nn_model_save(path, net, &tr, &err), 0);
    nn_trainer again;
    nn_trainer_init(&again);
    nn_net *net2 = nn_model_load(path, &again, &err);
    assert_non_null(net2);
    same_settings(&tr, &again);
    assert_true(tu_same_weights(net, net2));
    unlink(path);
    nn_net_free(net2);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_trainer_free(&want);
    nn_trainer_free(&again);
}

static void test_round_trip(void **state)
{
    (void)state;
    nn_trainer tr, back;
    nn_data *d;
    nn_err err = {{0}};
    nn_net *net = rich_net(&tr, &d);
    assert_true(net->L[1].run_mean.v[0] != 0);
    if (nn_model_save(good_path, net, &tr, &err))
        fail_msg("save: %s", err.msg);
    assert_int_equal(other_files("good.nn", NULL), 0); /* no temp file */
    nn_trainer_init(&back);
    nn_net *got = nn_model_load(good_path, &back, &err);
    if (!got)
        fail_msg("load: %s", err.msg);
    assert_true(tu_same_weights(net, got));
    same_settings(&tr, &back);
    assert_int_equal(got->n_in, 2);
    assert_int_equal(got->loss, NN_LOSS_XENT);
    assert_true(got->reg == NN_REG_L2 && got->lambda == 0.01);
    assert_int_equal(got->n_params, net->n_params);
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *a = &net->L[i], *b = &got->L[i];
        assert_true(a->out == b->out && a->act == b->act &&
                    a->act_arg == b->act_arg && a->keep == b->keep &&
                    a->bn == b->bn && a->init.kind == b->init.kind &&
                    a->init.arg == b->init.arg && a->init.gain == b->init.gain);
    }
    /* predictions, bit for bit: evaluation mode (running statistics) and
     * training mode (batch statistics) */
    double *X = tu_rand(40 * 2, 2, 3);
    for (int train = 0; train < 2; train++) {
        const double *o1 = nn_net_forward(net, X, 40, train, NULL);
        const double *o2 = nn_net_forward(got, X, 40, train, NULL);
        assert_memory_equal(o1, o2, 40 * 3 * sizeof *o1);
    }
    /* saving again over the file replaces it with the same bytes */
    assert_int_equal(nn_model_save(good_path, got, &back, &err), 0);
    nn_net *again = nn_model_load(good_path, NULL, &err);
    assert_non_null(again);
    assert_true(tu_same_weights(net, again));
    assert_int_equal(other_files("good.nn", NULL), 0);
    free(X);
    nn_net_free(again);
    nn_net_free(got);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_trainer_free(&back);
    nn_data_free(d);
}

/* Awkward doubles survive: −0, a subnormal, the extremes. */
static void test_exact_values(void **state)
{
    (void)state;
    const int sizes[] = { 3, 2 };
    nn_net *net = tu_net(sizes, 2, NN_ACT_LINEAR, NN_ACT_LINEAR, NN_LOSS_MSE,
                         NULL, 1);
    const double odd[] = { -0.0, 4.9e-324, -1.7976931348623157e308,
                           2.2250738585072014e-308, 1.7976931348623157e308,
                           0.1 };
    memcpy(net->L[0].W.w.v, odd, sizeof odd);
    net->L[0].b.w.v[0] = -2.2250738585072014e-308;
    nn_trainer tr;
    nn_trainer_init(&tr);
    char path[128];
    snprintf(path, sizeof path, "%s/odd.nn", dir);
    assert_int_equal(nn_model_save(path, net, &tr, NULL), 0);
    nn_net *got = nn_model_load(path, NULL, NULL);
    assert_non_null(got);
    assert_memory_equal(got->L[0].W.w.v, odd, sizeof odd);
    assert_true(tu_same_weights(net, got));
    unlink(path);
    nn_net_free(got);
    nn_net_free(net);
}

/* A wide layer: a row of W2 with 4000 numbers is a line of about 90 kB,
 * longer than the 64 kB line buffer the loader once had. */
static void test_wide_layer(void **state)
{
    (void)state;
    const int sizes[] = { 2, 4000, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    nn_err err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/wide.nn", dir);
    assert_int_equal(nn_model_save(path, net, &tr, NULL), 0);
    nn_net *got = nn_model_load(path, NULL, &err);
    if (!got)
        fail_msg("wide model did not load: %s", err.msg);
    assert_true(tu_same_weights(net, got));
    unlink(path);
    nn_net_free(got);
    nn_net_free(net);
}

static void test_save_errors(void **state)
{
    (void)state;
    nn_err err = {{0}};
    const int sizes[] = { 2, 1 };
    nn_net *net = tu_net(sizes, 2, NN_ACT_LINEAR, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    char path[192];
    snprintf(path, sizeof path, "%s/no/such/dir/m.nn", dir);
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(other_files("good.nn", NULL), 0);
    /* the target is a directory: the rename fails, the temp file goes */
    snprintf(path, sizeof path, "%s/adir", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    err.msg[0] = 0;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "adir"));
    assert_int_equal(other_files("adir", "good.nn"), 0);
    rmdir(path);
    nn_net_free(net);
}

/* ------------------------------------------------------------------------
 * Malformed files
 * ------------------------------------------------------------------------ */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The good file with the first occurrence of `from` replaced by `to`. */
static char *variant(const char *good, const char *from, const char *to)
{
    const char *at = strstr(good, from);
    if (!at)
        fail_msg("'%s' not in the model file", from);
    size_t pre = (size_t)(at - good), flen = strlen(from), tlen = strlen(to);
    char *s = malloc(strlen(good) - flen + tlen + 1);
    assert_non_null(s);
    memcpy(s, good, pre);
    memcpy(s + pre, to, tlen);
    strcpy(s + pre + tlen, at + flen);
    return s;
}

/* 1-based line on which `needle` starts in text. */
static int line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    int line = 1;
    assert_non_null(at);
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Loading `text` fails with "PATH:LINE: <part>" and leaves tr alone. */
static void expect_bad(const char *text, size_t len, int line,
                       const char *part)
{
    char path[128], want[192];
    nn_err err = {{0}};
    nn_trainer tr, before;
    snprintf(path, sizeof path, "%s/bad.nn", dir);
    write_file(path, text, len);
    nn_trainer_init(&tr);
    tr.batch = 99;
    before = tr;
    nn_net *net = nn_model_load(path, &tr, &err);
    if (net) {
        nn_net_free(net);
        fail_msg("loaded a bad file; wanted '%s' at line %d", part, line);
    }
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    if (strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, part))
        fail_msg("message '%s', wanted '%s...%s'", err.msg, want, part);
    assert_memory_equal(&tr, &before, sizeof tr);
    unlink(path);
}

static void expect_bad_variant(const char *good, const char *from,
                               const char *to, const char *part)
{
    char *s = variant(good, from, to);
    expect_bad(s, strlen(s), line_of(good, from), part);
    free(s);
}

static void test_malformed(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_data *d;
    nn_err err = {{0}};
    nn_net *net = rich_net(&tr, &d);
    assert_int_equal(nn_model_save(good_path, net, &tr, &err), 0);
    char *good = read_all(good_path);

    expect_bad("", 0, 0, "expected 'nnlab-model 2'");
    expect_bad("\n\n", 2, 2, "expected 'nnlab-model 2'");
    expect_bad_variant(good, "nnlab-model 2", "nnlab-modle 2",
                       "expected 'nnlab-model 2'");
    expect_bad_variant(good, "nnlab-model 2", "PK\x03\x04", "expected");
    expect_bad_variant(good, "nnlab-model 2", "nnlab-model 3",
                       "expected model version 1..2, found 3");
    expect_bad_variant(good, "nnlab-model 2", "nnlab-model 0",
                       "expected model version 1..2, found 0");
    expect_bad_variant(good, "inputs 2", "inputs 0", "expected 'inputs N'");
    expect_bad_variant(good, "loss xent", "loss hinge", "expected 'loss");
    expect_bad_variant(good, "reg l2", "reg l3", "expected 'reg");
    expect_bad_variant(good, "optim adam", "optim sgd", "expected 'optim");
    expect_bad_variant(good, "batch 17", "batch -1", "expected 'batch");
    expect_bad_variant(good, "decay exp", "decay cosine", "expected 'decay");
    expect_bad_variant(good, "rmsprop 0.94999999999999996 1", "rmsprop 0.9",
                       "expected 'rmsprop RHO CORRECT'");
    expect_bad_variant(good, "cyclic ", "cyclc ", "expected 'cyclic");
    expect_bad_variant(good, "sgdr 3 3", "sgdr x 3", "expected 'sgdr");
    expect_bad_variant(good, "origin 1234", "origin x", "expected 'origin");
    expect_bad_variant(good, "warmup 7 epochs", "warmup 7 weeks",
                       "expected 'warmup");
    expect_bad_variant(good, "clip value", "clip always", "expected 'clip");
    expect_bad_variant(good, "seed ", "sed ", "expected 'seed");
    expect_bad_variant(good, "early 1 7", "early yes", "expected 'early");
    expect_bad_variant(good, "guard 0", "guard", "expected 'guard");
    expect_bad_variant(good, "layer 10 leaky", "layer 10 swish",
                       "expected 'layer");
    expect_bad_variant(good, "layer 10 leaky", "layer 0 leaky",
                       "expected 'layer");
    expect_bad_variant(good, " 0.80000000000000004 0 xavier",
                       " 0 0 xavier", "expected 'layer");
    expect_bad_variant(good, " 0.80000000000000004 0 xavier",
                       " 0.80000000000000004 2 xavier", "expected 'layer");
    expect_bad_variant(good, "layer 3 softmax", "layer 3 sigmoid", "softmax");
    /* well formed, but values no command would accept */
    expect_bad_variant(good, "optim adam 0.003", "optim adam -0.003",
                       "lr must be a finite number >= 0");
    expect_bad_variant(good, "optim adam 0.0030000000000000001 ",
                       "optim adam inf ", "lr must be a finite number >= 0");
    expect_bad_variant(good, " 0.84999999999999998 0.995 ", " 1 0.995 ",
                       "beta and beta1 must be");
    expect_bad_variant(good, "decay exp 0.94999999999999996 2",
                       "decay exp 0.94999999999999996 0", "decay interval");
    /* the settings that make NaN, or a rate that grows without end */
    expect_bad_variant(good, " 0.995 9.9999999999999995e-08\n",
                       " 0.995 0\n", "eps must be above 0 for adam");
    expect_bad_variant(good, "decay exp 0.94999999999999996",
                       "decay exp 1.05", "grows");
    expect_bad_variant(good, "rmsprop 0.94999999999999996 1",
                       "rmsprop 1 1", "rho must be");
    expect_bad_variant(good, "rmsprop 0.94999999999999996 1",
                       "rmsprop 0.94999999999999996 2", "correct must be");
    expect_bad_variant(good, "cyclic 0.002 ", "cyclic 0.5 ",
                       "0 <= low <= high");
    expect_bad_variant(good, "sgdr 3 3", "sgdr 0 3", "sgdr period");
    expect_bad_variant(good, "origin 1234", "origin -1234", "origin");
    expect_bad_variant(good, "warmup 7 epochs 0.1", "warmup 7 epochs 2",
                       "fraction 0..1");
    expect_bad_variant(good, "clip value 0.", "clip value -0.",
                       "clipping threshold");
    expect_bad_variant(good, "early 1 7", "early 1 -7", "expected 'early");
    expect_bad_variant(good, "batch 17", "batch 2000000", "expected 'batch");
    expect_bad_variant(good, " 0.80000000000000004 0 xavier",
                       " 0.005 0 xavier", "expected 'layer");
    expect_bad_variant(good, "early 1 7", "early 2 7", "expected 'early");
    expect_bad_variant(good, "reg l2 ", "reg l2 nan", "expected 'reg");
    expect_bad_variant(good, "layer 10 leaky", "layer 10 softmax",
                       "softmax is for the output layer only");
    expect_bad_variant(good, "layer 10 leaky 0.", "layer 10 leaky -0.",
                       "expected 'layer");
    /* wrong shape, wrong name, a non-number, a short row, a long row */
    expect_bad_variant(good, "param W1 10 2", "param W1 10 3",
                       "expected 'param W1 10 2'");
    expect_bad_variant(good, "param W1 10 2", "param W9 10 2",
                       "expected 'param W1 10 2'");
    expect_bad_variant(good, "param b1 1 10", "param beta1 1 10",
                       "expected 'param b1 1 10'");
    {
        /* the first value of W2: the line after "param W2 5 10" */
        const char *p = strstr(good, "param W2 5 10\n") + 14;
        char first[64];
        size_t n = strcspn(p, " ");
        assert_true(n < sizeof first);
        memcpy(first, p, n);
        first[n] = 0;
        char *s, from[96], to[96];
        snprintf(from, sizeof from, "param W2 5 10\n%s ", first);
        snprintf(to, sizeof to, "param W2 5 10\nabc ");
        s = variant(good, from, to);
        expect_bad(s, strlen(s), line_of(good, from) + 1,
                   "expected a row of numbers");
        free(s);
        snprintf(to, sizeof to, "param W2 5 10\n");
        s = variant(good, from, to);
        expect_bad(s, strlen(s), line_of(good, from) + 1,
                   "expected a row of numbers");
        free(s);
        snprintf(to, sizeof to, "param W2 5 10\n%s 1 ", first);
        s = variant(good, from, to);
        expect_bad(s, strlen(s), line_of(good, from) + 1,
                   "expected a row of numbers");
        free(s);
    }
    {
        /* a damaged size must not make the loader allocate gigabytes: the
         * file is judged too small at the last layer line */
        char *s = variant(good, "layer 10 leaky", "layer 100000 leaky");
        expect_bad(s, strlen(s), line_of(good, "layer 3 softmax"),
                   "more than this file");
        free(s);
    }
    expect_bad_variant(good, "running 2 5", "running 1 5",
                       "expected 'running");
    /* truncated: in the middle of the parameters, before 'end', no end */
    {
        const char *w2 = strstr(good, "param W2");
        int line = line_of(good, "param W2");
        expect_bad(good, (size_t)(w2 - good) + 14 + 30, line + 1,
                   "expected");
        const char *end = strstr(good, "\nend\n");
        expect_bad(good, (size_t)(end - good) + 1, line_of(good, "\nend\n"),
                   "expected 'end'");
        char *s = variant(good, "\nend\n", "\nfin\n");
        expect_bad(s, strlen(s), line_of(good, "\nend\n") + 1,
                   "expected 'end'");
        free(s);
    }
    /* a version 1 file is checked as strictly */
    char *v1 = read_all("tests/fixtures/model_v1.nn");
    expect_bad_variant(v1, "decay exp 0.94999999999999996",
                       "decay exp 2", "grows");
    expect_bad_variant(v1, " 9.9999999999999995e-08\n", " 0\n",
                       "eps must be above 0 for rmsprop");
    free(v1);
    /* a missing file */
    char path[128];
    snprintf(path, sizeof path, "%s/missing.nn", dir);
    assert_null(nn_model_load(path, NULL, &err));
    assert_non_null(strstr(err.msg, "missing.nn"));
    assert_null(nn_model_load(dir, NULL, &err)); /* a directory */
    assert_null(nn_model_load(path, NULL, NULL)); /* err may be NULL */
    free(good);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(d);
}

/* A network that diverged holds NaN or Inf: saving it is refused, with
 * no file left behind, since the loader could only refuse that file.
 * Saving used to write it, and loading used to take it back. */
static void test_save_refuses_non_finite(void **state)
{
    (void)state;
    const int sizes[] = { 2, 3, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 1);
    nn_trainer tr;
    nn_trainer_init(&tr);
    char path[128];
    nn_err err = {{0}};
    snprintf(path, sizeof path, "%s/diverged.nn", dir);
    net->L[1].W.w.v[2] = NAN;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "not saved: W2 holds nan"));
    net->L[1].W.w.v[2] = 0.5;
    net->L[0].b.w.v[1] = -INFINITY;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "not saved: b1 holds -inf"));
    net->L[0].b.w.v[1] = 0;
    assert_int_equal(nn_net_set_bn(net, 1, 1, NULL), 0);
    net->L[0].run_var.v[0] = NAN;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "batch norm statistics of layer 1"));
    assert_int_equal(other_files("good.nn", NULL), 0);
    net->L[0].run_var.v[0] = 1;
    assert_int_equal(nn_model_save(path, net, &tr, &err), 0);
    unlink(path);
    nn_net_free(net);
}

/* The text of the good file with the values of the matrix after the line
 * beginning `section` replaced: its first value by `first`. */
static char *with_first_value(const char *good, const char *section,
                              const char *first)
{
    const char *at = strstr(good, section);
    assert_non_null(at);
    const char *row = strchr(at, '\n') + 1;
    size_t n = strcspn(row, " \n");
    char from[256], to[256];
    snprintf(from, sizeof from, "%.*s%.*s", (int)(row - at), at, (int)n,
             row);
    snprintf(to, sizeof to, "%.*s%s", (int)(row - at), at, first);
    return variant(good, from, to);
}

/* Values a saved network cannot hold (NaN or Inf weights, negative or NaN
 * batch norm variances) and numbers followed by anything at all
 * ("reg l2 0-01" once loaded as lambda 0, "batch 6-" as 6) are refused
 * with the file and line, and the trainer's settings stay as they were. */
static void test_refused_values(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_data *d;
    nn_err err = {{0}};
    nn_net *net = rich_net(&tr, &d);
    assert_int_equal(nn_model_save(good_path, net, &tr, &err), 0);
    char *good = read_all(good_path);
    static const struct {
        const char *section, *value, *part;
    } values[] = {
        { "param W1 10 2\n", "nan", "W1 holds nan: expected finite" },
        { "param W1 10 2\n", "-inf", "W1 holds -inf" },
        { "param W2 5 10\n", "1e999", "W2 holds 1e999" },
        { "param beta2 1 5\n", "NAN", "beta2 holds NAN" },
        { "running 2 5\n", "inf", "a running mean holds inf" },
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char *s = with_first_value(good, values[i].section, values[i].value);
        expect_bad(s, strlen(s), line_of(good, values[i].section) + 1,
                   values[i].part);
        free(s);
    }
    {
        /* the variances: the line after the running means */
        const char *run = strstr(good, "running 2 5\n");
        int line = line_of(good, "running 2 5\n") + 2;
        const char *var = strchr(strchr(run, '\n') + 1, '\n') + 1;
        size_t pre = (size_t)(var - good);
        size_t n = strcspn(var, " \n");
        const char *bads[] = { "-0.5", "nan", "-inf" };
        for (int k = 0; k < 3; k++) {
            char *s = malloc(strlen(good) + 16);
            assert_non_null(s);
            memcpy(s, good, pre);
            strcpy(s + pre, bads[k]);
            strcat(s, var + n);
            expect_bad(s, strlen(s), line, "a running variance holds");
            expect_bad(s, strlen(s), line, "expected finite values >= 0");
            free(s);
        }
    }
    /* numbers with something after them, and seeds out of range */
    expect_bad_variant(good, "reg l2 0.01", "reg l2 0-01", "expected 'reg");
    expect_bad_variant(good, "batch 17", "batch 17-", "expected 'batch");
    expect_bad_variant(good, "batch 17", "batch 17 4", "expected 'batch");
    expect_bad_variant(good, "inputs 2", "inputs 2x", "expected 'inputs");
    expect_bad_variant(good, "early 1 7", "early 1 7.5", "expected 'early");
    expect_bad_variant(good, "guard 0", "guard 0 1", "expected 'guard");
    expect_bad_variant(good, "optim adam 0.0030000000000000001 ",
                       "optim adam 0.0030000000000000001- ",
                       "expected 'optim");
    expect_bad_variant(good, "decay exp 0.94999999999999996 2 ",
                       "decay exp 0.94999999999999996 2.5 ",
                       "expected 'decay");
    expect_bad_variant(good, "layer 10 leaky", "layer 10x leaky",
                       "expected 'layer");
    expect_bad_variant(good, "param W1 10 2", "param W1 10 2 2",
                       "expected 'param W1 10 2'");
    expect_bad_variant(good, "running 2 5", "running 2 5x",
                       "expected 'running");
    expect_bad_variant(good, "seed 12345678901234", "seed -1",
                       "expected 'seed N' with N 0..18446744073709551615");
    expect_bad_variant(good, "seed 12345678901234",
                       "seed 18446744073709551616", "expected 'seed");
    expect_bad_variant(good, "seed 12345678901234", "seed 1e3",
                       "expected 'seed");
    expect_bad_variant(good, "seed 12345678901234", "seed 12 34",
                       "expected 'seed");
    {
        /* a NUL byte would end the line for sscanf: "batch 17" */
        char *s = variant(good, "batch 17", "batch 17@ 4");
        size_t len = strlen(s);
        *strchr(s, '@') = '\0';
        expect_bad(s, len, line_of(good, "batch 17"), "NUL byte");
        free(s);
    }
    /* the largest seed is fine */
    {
        char *s = variant(good, "seed 12345678901234",
                          "seed 18446744073709551615");
        nn_trainer back;
        nn_trainer_init(&back);
        write_file(good_path, s, strlen(s));
        nn_net *got = nn_model_load(good_path, &back, &err);
        if (!got)
            fail_msg("%s", err.msg);
        assert_true(back.seed == 18446744073709551615ULL);
        nn_net_free(got);
        nn_trainer_free(&back);
        free(s);
    }
    free(good);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(d);
}

/* Ctrl-C while the weights are read: nothing loaded, settings untouched. */
static void test_interrupted(void **state)
{
    (void)state;
    nn_trainer tr, before;
    nn_data *d;
    nn_err err = {{0}};
    volatile sig_atomic_t flag = 1;
    nn_net *net = rich_net(&tr, &d);
    assert_int_equal(nn_model_save(good_path, net, &tr, &err), 0);
    nn_trainer_free(&tr);
    nn_trainer_init(&tr);
    before = tr;
    nn_set_cancel(&flag);
    nn_net *got = nn_model_load(good_path, &tr, &err);
    nn_set_cancel(NULL);
    assert_null(got);
    assert_non_null(strstr(err.msg, "interrupted; nothing loaded"));
    assert_memory_equal(&tr, &before, sizeof tr);
    got = nn_model_load(good_path, &tr, &err);
    assert_non_null(got);
    assert_true(tu_same_weights(got, net));
    nn_net_free(got);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(d);
}

/* Input that never ends a line: /dev/zero is refused at its first byte,
 * and 17 MB without a newline at 16 MB, instead of growing memory until
 * it runs out.  A model written to a stream (nn_model_write) loads. */
static void test_endless_lines(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_err err = {{0}};
    nn_trainer_init(&tr);
    assert_null(nn_model_load("/dev/zero", &tr, &err));
    assert_string_equal(err.msg, "/dev/zero:1: NUL byte: this is not a "
                                 "text file");
    char path[128];
    snprintf(path, sizeof path, "%s/long.nn", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("nnlab-model 2\n", f);
    for (int i = 0; i < (17 << 20) / 16; i++)
        fputs("0123456789abcdef", f);
    fclose(f);
    assert_null(nn_model_load(path, &tr, &err));
    assert_non_null(strstr(err.msg, "long.nn:2: a line longer than 16 MB"));
    unlink(path);

    nn_data *d;
    nn_net *net = rich_net(&tr, &d);
    snprintf(path, sizeof path, "%s/stream.nn", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(nn_model_write(f, "stream.nn", net, &tr, NULL, &err), 0);
    fclose(f);
    nn_trainer tr2;
    nn_trainer_init(&tr2);
    nn_net *got = nn_model_load(path, &tr2, &err);
    assert_non_null(got);
    assert_true(tu_same_weights(got, net));
    unlink(path);
    nn_net_free(got);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_trainer_free(&tr2);
    nn_data_free(d);
}

/* The good file with the whole line that begins with `key` (and a blank)
 * replaced by `line`: loading fails on that line with `part`. */
static void expect_bad_line(const char *good, const char *key,
                            const char *line, const char *part)
{
    char from[64];
    snprintf(from, sizeof from, "\n%s ", key);
    const char *at = good; /* the first line */
    if (strncmp(good, from + 1, strlen(from + 1))) {
        if (!(at = strstr(good, from)))
            fail_msg("no line '%s' in the model file", key);
        at++;
    }
    size_t n = strcspn(at, "\n");
    char *s = malloc(strlen(good) + strlen(line) + 1);
    assert_non_null(s);
    memcpy(s, good, (size_t)(at - good));
    strcpy(s + (at - good), line);
    strcat(s, at + n);
    expect_bad(s, strlen(s), line_of(good, at), part);
    free(s);
}

/* The version 2 lines are read as strictly as the others: a number is
 * its whole word, a line has exactly its words, and a well-formed value
 * out of range is refused with the engine's own reason, on its line. */
static void test_strict_version2_lines(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_data *d;
    nn_err err = {{0}};
    nn_net *net = rich_net(&tr, &d);
    assert_int_equal(nn_model_save(good_path, net, &tr, &err), 0);
    char *good = read_all(good_path);
    static const struct {
        const char *key, *line, *part;
    } bad[] = {
        { "nnlab-model", "nnlab-model 2x", "expected 'nnlab-model 2' (this "
          "is not an nnlab model file)" },
        { "nnlab-model", "nnlab-model 2 2", "expected 'nnlab-model 2'" },
        { "optim", "optim adam 0.001 0.9 0.9 0.999 1e-08 5",
          "expected 'optim" },
        { "rmsprop", "rmsprop 0.9 1x", "expected 'rmsprop RHO CORRECT'" },
        { "rmsprop", "rmsprop 0.9-", "expected 'rmsprop" },
        { "rmsprop", "rmsprop 0.9", "expected 'rmsprop" },
        { "rmsprop", "rmsprop 0.9 0 0", "expected 'rmsprop" },
        { "rmsprop", "rmsprop 0.9 1.0", "expected 'rmsprop" },
        { "rmsprop", "rmsprop 0.9 2", "correct must be 0 or 1" },
        { "rmsprop", "rmsprop 1.5 0", "rho must be" },
        { "cyclic", "cyclic 0.001 0.01 100x", "expected 'cyclic LOW HIGH" },
        { "cyclic", "cyclic 0.001 0.01 1e2", "expected 'cyclic" },
        { "cyclic", "cyclic 0.001 0.01", "expected 'cyclic" },
        { "cyclic", "cyclic 0.01 0.001 100", "cyclic rates must be" },
        { "sgdr", "sgdr 10 2 0-1", "expected 'sgdr PERIOD MULT MIN'" },
        { "sgdr", "sgdr 10 2.5 0", "expected 'sgdr" },
        { "sgdr", "sgdr 0 2 0", "sgdr period must be" },
        { "origin", "origin 5 1e", "expected 'origin ITERATION EPOCH'" },
        { "origin", "origin 5 1 1", "expected 'origin" },
        { "origin", "origin 99999999999999999999 1", "expected 'origin" },
        { "origin", "origin -1 0", "origin must be >= 0" },
        { "warmup", "warmup 5 iters 0 0 0x", "expected 'warmup LENGTH" },
        { "warmup", "warmup 5 hours 0 0 0", "expected 'warmup" },
        { "warmup", "warmup 5 iters 0 0", "expected 'warmup" },
        { "warmup", "warmup 5 iters 2 0 0", "warm-up must start" },
        { "clip", "clip norm 1e", "expected 'clip off|norm|value MAX'" },
        { "clip", "clip norm 1 2", "expected 'clip" },
        { "clip", "clip sideways 1", "expected 'clip" },
        { "clip", "clip norm 0", "clipping threshold must be" },
        { "clip", "clip norm nan", "clipping threshold must be" },
        { "loss", "loss xent 1", "expected 'loss" },
        { "loss", "loss huber 1e", "expected 'loss" },
        { "reg", "reg elastic 0.1 0.2x", "expected 'reg" },
        { "reg", "reg l1 0.1 0.2", "expected 'reg" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_bad_line(good, bad[i].key, bad[i].line, bad[i].part);
    /* and a version 1 file as strictly */
    char *v1 = read_all("tests/fixtures/model_v1.nn");
    expect_bad_line(v1, "batch", "batch 16-", "expected 'batch");
    expect_bad_line(v1, "reg", "reg l2 0-01", "expected 'reg");
    expect_bad_line(v1, "optim", "optim rmsprop 0.002 0.9 0.9 0.99 1e-7x",
                    "expected 'optim");
    free(v1);
    free(good);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(d);
}

/* ------------------------------------------------------------------------
 * Newer settings, older files
 * ------------------------------------------------------------------------ */

/* 2-7(prelu=0.1)-6(maxout:3, bn)-5(gelu)-4(selu)-1 sigmoid with huber
 * δ 0.37 and elastic net, trained a little on circles so that the slopes
 * and running statistics have moved. */
static nn_net *newer_net(nn_trainer *tr, nn_data **data)
{
    const int sizes[] = { 2, 7, 6, 5, 4, 1 };
    nn_err err = {{0}};
    nn_net *net = nn_net_new(sizes, 6, NN_ACT_GELU, 0, NN_ACT_SIGMOID, 0,
                             NN_LOSS_HUBER, &err);
    assert_non_null(net);
    assert_int_equal(nn_net_set_act(net, 1, NN_ACT_PRELU, 0.1, 3, &err), 0);
    assert_int_equal(nn_net_set_act(net, 2, NN_ACT_MAXOUT, 3, 3, &err), 0);
    assert_int_equal(nn_net_set_act(net, 4, NN_ACT_SELU, 0, 3, &err), 0);
    assert_int_equal(nn_net_set_bn(net, 2, 1, &err), 0);
    assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER, 0.37, &err), 0);
    assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, 0.003, 0.02, &err),
                     0);
    nn_net_init(net, 4, 0);
    *data = tu_data("circles", 300, 0, 2);
    nn_trainer_init(tr);
    tr->opt.kind = NN_OPT_ADAM;
    tr->opt.lr = 0.01;
    tr->batch = 32;
    if (nn_trainer_bind(tr, net, *data, &err))
        fail_msg("bind: %s", err.msg);
    nn_step_info info;
    for (int i = 0; i < 20; i++)
        assert_true(nn_trainer_step(tr, &info, &err) >= 0);
    return net;
}

static void same_nets(const nn_net *a, const nn_net *b)
{
    assert_true(tu_same_weights(a, b));
    assert_true(a->loss == b->loss && a->loss_arg == b->loss_arg);
    assert_true(a->reg == b->reg && a->lambda == b->lambda &&
                a->lambda2 == b->lambda2);
    assert_int_equal(a->n_params, b->n_params);
    for (int i = 0; i < a->n_layers; i++) {
        const nn_layer *x = &a->L[i], *y = &b->L[i];
        assert_true(x->out == y->out && x->act == y->act &&
                    x->act_arg == y->act_arg && x->pieces == y->pieces &&
                    x->bn == y->bn && x->keep == y->keep);
    }
    for (int i = 0; i < a->n_params; i++) {
        char na[32], nb[32];
        nn_param_name(a->params[i], na, sizeof na);
        nn_param_name(b->params[i], nb, sizeof nb);
        assert_string_equal(na, nb);
    }
}

/* Predictions bit for bit, in evaluation and in training mode. */
static void same_outputs(nn_net *a, nn_net *b)
{
    double *X = tu_rand(40 * a->n_in, 2, 3);
    int k = nn_net_outputs(a);
    for (int train = 0; train < 2; train++) {
        const double *o1 = nn_net_forward(a, X, 40, train, NULL);
        const double *o2 = nn_net_forward(b, X, 40, train, NULL);
        assert_memory_equal(o1, o2, 40 * (size_t)k * sizeof *o1);
    }
    free(X);
}

static void test_newer_settings_round_trip(void **state)
{
    (void)state;
    nn_trainer tr, back;
    nn_data *d;
    nn_err err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/newer.nn", dir);
    nn_net *net = newer_net(&tr, &d);
    assert_true(net->L[0].alpha.w.v[0] != 0.1); /* the slopes learned */
    if (nn_model_save(path, net, &tr, &err))
        fail_msg("save: %s", err.msg);
    char *text = read_all(path);
    const char *want[] = { "\nloss huber 0.37\n",
                           "\nreg elastic 0.0030000000000000001 0.02\n",
                           "\nlayer 7 prelu 0.10000000000000001 ",
                           "\nlayer 6 maxout 3 1 1 ", "\nlayer 5 gelu 0 ",
                           "\nlayer 4 selu 0 ", "\nparam W2 18 7\n",
                           "\nparam gamma2 1 18\n", "\nparam alpha1 1 7\n",
                           "\nrunning 2 18\n", NULL };
    for (int i = 0; want[i]; i++)
        if (!strstr(text, want[i]))
            fail_msg("'%s' not in the file", want[i]);
    assert_null(strstr(text, "alpha2"));
    nn_trainer_init(&back);
    nn_net *got = nn_model_load(path, &back, &err);
    if (!got)
        fail_msg("load: %s", err.msg);
    same_nets(net, got);
    same_settings(&tr, &back);
    /* saved again: the same bytes (before a training-mode pass moves the
     * running statistics) */
    assert_int_equal(nn_model_save(path, got, &back, &err), 0);
    char *again = read_all(path);
    assert_string_equal(text, again);
    same_outputs(net, got);
    free(again);
    free(text);
    nn_net_free(got);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_trainer_free(&back);
    nn_data_free(d);
}

/* Each newer setting alone, on a small regression-style net. */
static void test_each_setting_alone(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/one.nn", dir);
    nn_trainer tr;
    nn_trainer_init(&tr);
    for (int c = 0; c < 7; c++) {
        const int sizes[] = { 3, 4, 2 };
        nn_err err = {{0}};
        nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_LINEAR,
                             NN_LOSS_MSE, NULL, 10 + (uint64_t)c);
        for (int l = 0; l < 2; l++) /* b is saved; γ, β only with bn */
            tu_fill(net->L[l].b.w.v, net->L[l].out, 0.3, 20 + (uint64_t)c);
        switch (c) {
        case 0:
            assert_int_equal(nn_net_set_act(net, 1, NN_ACT_PRELU, 0.3, 1,
                                            &err), 0);
            tu_fill(net->L[0].alpha.w.v, 4, 0.5, 7); /* awkward slopes */
            net->L[0].alpha.w.v[1] = -0.0;
            net->L[0].alpha.w.v[2] = 4.9e-324;
            break;
        case 1:
            assert_int_equal(nn_net_set_act(net, 1, NN_ACT_MAXOUT, 16, 1,
                                            &err), 0);
            break;
        case 2:
            assert_int_equal(nn_net_set_act(net, 2, NN_ACT_GELU, 0, 1, &err),
                             0);
            break;
        case 3:
            assert_int_equal(nn_net_set_act(net, 2, NN_ACT_SELU, 0, 1, &err),
                             0);
            break;
        case 4:
            assert_int_equal(nn_net_set_loss(net, NN_LOSS_MAE, 0, &err), 0);
            break;
        case 5:
            assert_int_equal(nn_net_set_loss(net, NN_LOSS_HUBER,
                                             1.0 / 3, &err), 0);
            break;
        case 6:
            assert_int_equal(nn_net_set_reg(net, NN_REG_ELASTIC, 0.1,
                                            1e-300, &err), 0);
            break;
        }
        assert_int_equal(nn_model_save(path, net, &tr, &err), 0);
        nn_net *got = nn_model_load(path, NULL, &err);
        if (!got)
            fail_msg("case %d: %s", c, err.msg);
        if (!tu_same_weights(net, got))
            fail_msg("case %d: the weights differ", c);
        same_nets(net, got);
        same_outputs(net, got);
        nn_net_free(got);
        nn_net_free(net);
    }
    unlink(path);
    nn_trainer_free(&tr);
}

/* An old file loads with the newer settings at their defaults; saved
 * again (in today's version) and loaded, every parameter is the same to
 * the bit, and a second save writes the same bytes as the first. */
static void check_old_file(const char *fixture, const char *again_name)
{
    nn_err err = {{0}};
    nn_trainer tr;
    nn_trainer_init(&tr);
    nn_net *net = nn_model_load(fixture, &tr, &err);
    if (!net)
        fail_msg("%s: %s", fixture, err.msg);
    assert_true(net->lambda2 == 0);
    for (int i = 0; i < net->n_layers; i++)
        assert_int_equal(net->L[i].pieces, 1);
    char path[128], path2[140];
    snprintf(path, sizeof path, "%s/%s", dir, again_name);
    snprintf(path2, sizeof path2, "%s/%s.2", dir, again_name);
    assert_int_equal(nn_model_save(path, net, &tr, &err), 0);
    nn_net *again = nn_model_load(path, &tr, &err);
    assert_non_null(again);
    assert_int_equal(again->n_params, net->n_params);
    for (int i = 0; i < net->n_params; i++) {
        const nn_mat *a = &net->params[i]->w, *b = &again->params[i]->w;
        assert_int_equal(a->rows * a->cols, b->rows * b->cols);
        assert_memory_equal(a->v, b->v,
                            (size_t)a->rows * a->cols * sizeof *a->v);
    }
    assert_int_equal(nn_model_save(path2, again, &tr, &err), 0);
    char *first = read_all(path), *second = read_all(path2);
    assert_string_equal(first, second);
    free(first);
    free(second);
    unlink(path);
    unlink(path2);
    nn_net_free(again);
    nn_net_free(net);
    nn_trainer_free(&tr);
}

/* Files written before the newer settings existed load with what they
 * say, and round-trip through today's format (check_old_file). */
static void test_old_files_load(void **state)
{
    (void)state;
    check_old_file("tests/fixtures/model_v1_spiral.model", "spiral.nn");
    check_old_file("tests/fixtures/model_v1_mse.model", "mse.nn");
    nn_err err = {{0}};
    nn_trainer tr;
    nn_trainer_init(&tr);
    nn_net *net = nn_model_load("tests/fixtures/model_v1_spiral.model", &tr,
                                &err);
    assert_non_null(net);
    /* what the file says: 2-8-6-3, leaky 0.1 and elu 0.7 with batch norm,
     * xent, l1 0.001, adam, batch 32 */
    assert_int_equal(net->n_layers, 3);
    assert_true(net->L[0].act == NN_ACT_LEAKY && net->L[0].act_arg == 0.1);
    assert_true(net->L[1].act == NN_ACT_ELU && net->L[1].bn == 1);
    assert_true(net->loss == NN_LOSS_XENT && net->loss_arg == 0);
    assert_true(net->reg == NN_REG_L1 && net->lambda == 0.001);
    assert_true(tr.opt.kind == NN_OPT_ADAM && tr.batch == 32);
    static const char *const names[] = { "W1", "b1", "W2", "gamma2",
                                         "beta2", "W3", "b3" };
    for (int i = 0; i < 7; i++) {
        char buf[32];
        nn_param_name(net->params[i], buf, sizeof buf);
        assert_string_equal(buf, names[i]);
    }
    nn_net_free(net);
    net = nn_model_load("tests/fixtures/model_v1_mse.model", NULL, &err);
    assert_non_null(net);
    assert_true(net->loss == NN_LOSS_MSE && net->reg == NN_REG_L2);
    nn_net_free(net);
    nn_trainer_free(&tr);
}

static void test_newer_malformed(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_data *d;
    nn_err err = {{0}};
    nn_net *net = newer_net(&tr, &d);
    assert_int_equal(nn_model_save(good_path, net, &tr, &err), 0);
    char *good = read_all(good_path);
    expect_bad_variant(good, "loss huber 0.37", "loss huber 0",
                       "expected 'loss");
    expect_bad_variant(good, "loss huber 0.37", "loss huber -1",
                       "expected 'loss");
    expect_bad_variant(good, "loss huber 0.37", "loss huber abc",
                       "expected 'loss");
    expect_bad_variant(good, "loss huber 0.37", "loss huber 0.37 1",
                       "expected 'loss");
    expect_bad_variant(good, "loss huber 0.37", "loss mse 0.37",
                       "expected 'loss");
    expect_bad_variant(good, "loss huber 0.37", "loss huber 2e6",
                       "expected 'loss");
    const char *reg = "reg elastic 0.0030000000000000001 0.02";
    expect_bad_variant(good, reg, "reg elastic 0.003", "expected 'reg");
    expect_bad_variant(good, reg, "reg l2 0.003 0.02", "expected 'reg");
    expect_bad_variant(good, reg, "reg elastic 0.1 -1", "expected 'reg");
    expect_bad_variant(good, reg, "reg elastic 0.1 nan", "expected 'reg");
    expect_bad_variant(good, "layer 6 maxout 3 ", "layer 6 maxout 1 ",
                       "expected 'layer");
    expect_bad_variant(good, "layer 6 maxout 3 ", "layer 6 maxout 2.5 ",
                       "expected 'layer");
    expect_bad_variant(good, "layer 6 maxout 3 ", "layer 6 maxout 17 ",
                       "expected 'layer");
    expect_bad_variant(good, "layer 1 sigmoid", "layer 1 prelu",
                       "prelu is for hidden layers only");
    expect_bad_variant(good, "layer 1 sigmoid", "layer 1 maxout",
                       "expected 'layer"); /* maxout 0 */
    expect_bad_variant(good, "param alpha1 1 7", "param alpha1 1 6",
                       "expected 'param alpha1 1 7'");
    /* maxout with other pieces: W2 no longer fits; a layer that is not
     * PReLU has no slopes, so the next section comes too early */
    const struct { const char *from, *to, *at, *why; } shifted[] = {
        { "layer 6 maxout 3 ", "layer 6 maxout 2 ", "param W2 ",
          "expected 'param W2 12 7'" },
        { "layer 7 prelu", "layer 7 relu", "param alpha1 ",
          "expected 'param W2 18 7'" },
    };
    for (int i = 0; i < 2; i++) {
        char *v = variant(good, shifted[i].from, shifted[i].to);
        expect_bad(v, strlen(v), line_of(good, shifted[i].at),
                   shifted[i].why);
        free(v);
    }
    /* a hand-written huber without its δ takes the default */
    char *s = variant(good, "loss huber 0.37", "loss huber");
    char path[128];
    snprintf(path, sizeof path, "%s/nodelta.nn", dir);
    write_file(path, s, strlen(s));
    nn_net *got = nn_model_load(path, NULL, &err);
    if (!got)
        fail_msg("huber without delta: %s", err.msg);
    assert_true(got->loss == NN_LOSS_HUBER && got->loss_arg == 1.0);
    unlink(path);
    free(s);
    nn_net_free(got);
    free(good);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(d);
}

/* PReLU slopes are weights: finite, or the file is refused (and a
 * network holding a NaN slope is not saved).  A maxout layer's running
 * statistics are k·out wide: every one of them is checked, on load and
 * on save. */
static void test_newer_refused_values(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_data *d;
    nn_err err = {{0}};
    nn_net *net = newer_net(&tr, &d);
    assert_int_equal(nn_model_save(good_path, net, &tr, &err), 0);
    char *good = read_all(good_path);
    static const struct {
        const char *section, *value, *part;
    } values[] = {
        { "param alpha1 1 7\n", "nan", "alpha1 holds nan: expected finite" },
        { "param alpha1 1 7\n", "-inf", "alpha1 holds -inf" },
        { "param W2 18 7\n", "inf", "W2 holds inf" },
        { "running 2 18\n", "nan", "a running mean holds nan" },
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char *s = with_first_value(good, values[i].section, values[i].value);
        expect_bad(s, strlen(s), line_of(good, values[i].section) + 1,
                   values[i].part);
        free(s);
    }
    expect_bad_variant(good, "layer 7 prelu 0.10000000000000001 ",
                       "layer 7 prelu 0.1x ", "expected 'layer");
    expect_bad_variant(good, "layer 7 prelu 0.10000000000000001 ",
                       "layer 7 prelu nan ", "expected 'layer");
    expect_bad_variant(good, "layer 6 maxout 3 ", "layer 6 maxout 3x ",
                       "expected 'layer");
    expect_bad_variant(good, "running 2 18", "running 2 6",
                       "expected 'running LAYER UNITS'");
    expect_bad_variant(good, "param alpha1 1 7", "param alpha1 1 7 7",
                       "expected 'param alpha1 1 7'");
    {
        /* the last of the 18 running variances, past the 6 units */
        const char *run = strstr(good, "running 2 18\n");
        const char *var = strchr(strchr(run, '\n') + 1, '\n') + 1;
        const char *last = strchr(var, '\n');
        while (last[-1] != ' ')
            last--;
        char *s = malloc(strlen(good) + 8);
        assert_non_null(s);
        memcpy(s, good, (size_t)(last - good));
        strcpy(s + (last - good), "-0x1p-3");
        strcat(s, strchr(last, '\n'));
        expect_bad(s, strlen(s), line_of(good, "running 2 18\n") + 2,
                   "a running variance holds -0x1p-3: expected finite "
                   "values >= 0");
        free(s);
    }
    /* saving refuses the same values */
    char path[128];
    snprintf(path, sizeof path, "%s/newer-diverged.nn", dir);
    net->L[0].alpha.w.v[6] = NAN;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "not saved: alpha1 holds nan"));
    net->L[0].alpha.w.v[6] = 0.25;
    net->L[1].run_var.v[17] = INFINITY;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "batch norm statistics of layer 2"));
    net->L[1].run_var.v[17] = -1;
    assert_int_equal(nn_model_save(path, net, &tr, &err), -1);
    assert_int_equal(access(path, F_OK), -1);
    net->L[1].run_var.v[17] = 1;
    assert_int_equal(nn_model_save(path, net, &tr, &err), 0);
    unlink(path);
    free(good);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_new_settings_round_trip),
        cmocka_unit_test(test_version1_file),
        cmocka_unit_test(test_exact_values),
        cmocka_unit_test(test_wide_layer),
        cmocka_unit_test(test_save_errors),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_save_refuses_non_finite),
        cmocka_unit_test(test_refused_values),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_endless_lines),
        cmocka_unit_test(test_strict_version2_lines),
        cmocka_unit_test(test_newer_settings_round_trip),
        cmocka_unit_test(test_each_setting_alone),
        cmocka_unit_test(test_old_files_load),
        cmocka_unit_test(test_newer_malformed),
        cmocka_unit_test(test_newer_refused_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
