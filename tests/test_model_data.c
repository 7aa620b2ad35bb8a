/*
 * test_model_data.c — the model file's lines about the data a network was
 * trained on (engine/model.c): the trainer's augmentation and the input
 * preprocessing.  Each survives save and load exactly; a model without
 * them is written byte for byte as before and older files load with both
 * off; every malformed or out-of-range line is refused with
 * "FILE:LINE: ..." and nothing changed; a preprocessing the file could not
 * give back (PCA keeping other than the network's inputs) is not saved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <unistd.h>

#include "testutil.h"
#include "tmpdir.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_tmpdir_make(dir, sizeof dir, "test-model-data");
}

static int teardown(void **state)
{
    (void)state;
    return tu_tmpdir_remove(dir);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* text with the first occurrence of `from` replaced by `to`. */
static char *variant(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        fail_msg("'%s' not in the model file", from);
    size_t pre = (size_t)(at - text), flen = strlen(from), tlen = strlen(to);
    char *s = malloc(strlen(text) - flen + tlen + 1);
    assert_non_null(s);
    memcpy(s, text, pre);
    memcpy(s + pre, to, tlen);
    strcpy(s + pre + tlen, at + flen);
    return s;
}

static int line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    int line = 1;
    assert_non_null(at);
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* A 2-3-1 sigmoid net and a trainer at its defaults. */
static nn_net *small_net(nn_trainer *tr)
{
    const int sizes[] = { 2, 3, 1 };
    nn_trainer_init(tr);
    return tu_net(sizes, 3, NN_ACT_TANH, NN_ACT_SIGMOID, NN_LOSS_BCE, NULL,
                  4);
}

static void same_aug(const nn_augment *a, const nn_augment *b)
{
    assert_true(a->shift == b->shift && a->rotate == b->rotate &&
                a->flip == b->flip && a->noise == b->noise &&
                a->zoom == b->zoom);
}

/* Save with aug and prep, load: the same values to the bit, the same
 * weights, and saving what was loaded writes the same bytes. */
static void round_trip(const nn_augment *aug, const nn_prep *prep,
                       const char *want_line)
{
    nn_trainer tr, back;
    nn_net *net = small_net(&tr);
    nn_err err = {{0}};
    char path[128], again[140];
    snprintf(path, sizeof path, "%s/rt.nn", dir);
    snprintf(again, sizeof again, "%s/rt2.nn", dir);
    tr.aug = *aug;
    if (nn_model_save_prep(path, net, &tr, prep, &err))
        fail_msg("save: %s", err.msg);
    char *text = read_all(path);
    if (want_line && !strstr(text, want_line))
        fail_msg("'%s' not in:\n%s", want_line, text);
    nn_trainer_init(&back);
    nn_prep got = { -1, -1, -1 };
    nn_net *loaded = nn_model_load_prep(path, &back, &got, &err);
    if (!loaded)
        fail_msg("load: %s", err.msg);
    same_aug(&tr.aug, &back.aug);
    nn_prep want = prep ? *prep : (nn_prep){ NN_NORM_OFF, 0, 0 };
    assert_int_equal(got.mode, want.mode);
    assert_int_equal(got.k, want.k);
    assert_true(got.eps == want.eps);
    assert_true(tu_same_weights(net, loaded));
    assert_int_equal(nn_model_save_prep(again, loaded, &back, &got, &err), 0);
    char *second = read_all(again);
    assert_string_equal(text, second);
    free(second);
    free(text);
    unlink(path);
    unlink(again);
    nn_net_free(loaded);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_trainer_free(&back);
}

static void test_round_trips(void **state)
{
    (void)state;
    nn_augment off = { 0 };
    nn_augment all = { .shift = 0.5, .rotate = 15, .flip = NN_FLIP_H,
                       .noise = 0.05, .zoom = 1.25 };
    nn_augment noise = { .noise = 1.0 / 3 };
    round_trip(&all, NULL, "\nguard 1\naugment 0.5 15 h "
               "0.050000000000000003 1.25\nlayer ");
    round_trip(&noise, NULL, "\naugment 0 0 none 0.33333333333333331 0\n");
    const nn_prep preps[] = {
        { NN_NORM_ZSCORE, 0, 0 }, { NN_NORM_SCALE, 0, 0 },
        { NN_NORM_CENTER, 0, 0 }, { NN_NORM_PCA, 2, 0 },
        { NN_NORM_WHITEN, 2, 1e-3 }, { NN_NORM_ZCA, 0, 0.1 },
        { NN_NORM_ZCA, 0, 0 },
    };
    const char *lines[] = {
        "\nguard 1\nnormalize zscore 0 0\nlayer ",
        "\nnormalize scale 0 0\n", "\nnormalize center 0 0\n",
        "\nnormalize pca 2 0\n", "\nnormalize whiten 2 0.001\n",
        "\nnormalize zca 0 0.10000000000000001\n", "\nnormalize zca 0 0\n",
    };
    for (int i = 0; i < 7; i++)
        round_trip(&off, &preps[i], lines[i]);
    round_trip(&all, &preps[4], "\naugment 0.5 15 h 0.050000000000000003 "
               "1.25\nnormalize whiten 2 0.001\nlayer ");
}

/* Neither on: no line, and the file is the one nn_model_save writes. */
static void test_off_writes_nothing(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_net *net = small_net(&tr);
    nn_err err = {{0}};
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/plain.nn", dir);
    snprintf(b, sizeof b, "%s/prep.nn", dir);
    nn_prep off = { NN_NORM_OFF, 0, 0 };
    assert_int_equal(nn_model_save(a, net, &tr, &err), 0);
    assert_int_equal(nn_model_save_prep(b, net, &tr, &off, &err), 0);
    char *ta = read_all(a), *tb = read_all(b);
    assert_string_equal(ta, tb);
    assert_null(strstr(ta, "augment"));
    assert_null(strstr(ta, "normalize"));
    free(ta);
    free(tb);
    unlink(a);
    unlink(b);
    nn_net_free(net);
    nn_trainer_free(&tr);
}

/* Files written before these lines existed: augmentation and
 * preprocessing off. */
static void test_old_files(void **state)
{
    (void)state;
    const char *files[] = { "tests/fixtures/model_v1_spiral.model",
                            "tests/fixtures/model_v1_mse.model",
                            "tests/fixtures/model_v1.nn" };
    for (int i = 0; i < 3; i++) {
        nn_err err = {{0}};
        nn_trainer tr;
        nn_trainer_init(&tr);
        tr.aug.shift = 3; /* replaced by the file's (none: off) */
        nn_prep p = { NN_NORM_ZCA, 5, 1 };
        nn_net *net = nn_model_load_prep(files[i], &tr, &p, &err);
        if (!net)
            fail_msg("%s: %s", files[i], err.msg);
        assert_false(nn_augment_on(&tr.aug));
        assert_int_equal(p.mode, NN_NORM_OFF);
        nn_net_free(net);
        nn_trainer_free(&tr);
    }
}

/* Loading text fails with "PATH:LINE: <part>", the trainer and *prep
 * untouched. */
static void expect_bad(const char *text, int line, const char *part)
{
    char path[128], want[192];
    nn_err err = {{0}};
    nn_trainer tr;
    snprintf(path, sizeof path, "%s/bad.nn", dir);
    write_text(path, text);
    nn_trainer_init(&tr);
    tr.aug.rotate = 7;
    nn_prep p = { NN_NORM_CENTER, 0, 0 };
    nn_net *net = nn_model_load_prep(path, &tr, &p, &err);
    if (net) {
        nn_net_free(net);
        fail_msg("loaded a bad file; wanted '%s' at line %d", part, line);
    }
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    if (strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, part))
        fail_msg("message '%s', wanted '%s...%s'", err.msg, want, part);
    assert_true(tr.aug.rotate == 7 && tr.aug.shift == 0);
    assert_int_equal(p.mode, NN_NORM_CENTER);
    unlink(path);
    nn_trainer_free(&tr);
}

static void expect_bad_variant(const char *good, const char *from,
                               const char *to, const char *part)
{
    char *s = variant(good, from, to);
    expect_bad(s, line_of(good, from), part);
    free(s);
}

static void test_malformed(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_net *net = small_net(&tr);
    nn_err err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/good.nn", dir);
    tr.aug = (nn_augment){ .shift = 1, .rotate = 10 };
    nn_prep p = { NN_NORM_WHITEN, 2, 1e-5 };
    assert_int_equal(nn_model_save_prep(path, net, &tr, &p, &err), 0);
    char *good = read_all(path);
    const char *aug = "augment 1 10 none 0 0";
    const char *expect_aug = "expected 'augment SHIFT ROTATE none|h|v";
    const char *bad_aug[] = {
        "augment 1 10 none 0", "augment 1 10 none 0 0 0", "augment 1 10 x 0 0",
        "augment 1 10 H 0 0", "augment 1-0 10 none 0 0", "augment 1 1e none 0 0",
        "augment", "augmentation 1 10 none 0 0",
    };
    for (size_t i = 0; i < sizeof bad_aug / sizeof *bad_aug; i++)
        expect_bad_variant(good, aug, bad_aug[i],
                           i < 7 ? expect_aug : "expected 'layer");
    /* well formed, out of range: the engine's own reason, on its line */
    expect_bad_variant(good, aug, "augment -1 10 none 0 0", "shift");
    expect_bad_variant(good, aug, "augment 1 200 none 0 0", "rotate");
    expect_bad_variant(good, aug, "augment 1 10 none 11 0", "noise");
    expect_bad_variant(good, aug, "augment 1 10 none 0 0.5", "zoom");
    expect_bad_variant(good, aug, "augment 1 10 none inf 0", "noise");
    expect_bad_variant(good, aug, "augment nan 10 none 0 0", "shift");
    const char *norm = "normalize whiten 2 1.0000000000000001e-05";
    const char *expect_norm = "expected 'normalize zscore|scale|center";
    const char *bad_norm[] = {
        "normalize whiten 3 1e-5",  "normalize whiten 0 1e-5",
        "normalize pca 2 1e-5",     "normalize zscore 2 0",
        "normalize zca 2 1e-5",     "normalize zca 0 -1",
        "normalize whiten 2 nan",   "normalize whiten 2 inf",
        "normalize off 0 0",        "normalize on 0 0",
        "normalize whiten 2",       "normalize whiten 2 1e-5 0",
        "normalize whiten 2.0 1e-5", "normalize whiten 2 0-1",
        "normalize center 0 0x",
    };
    for (size_t i = 0; i < sizeof bad_norm / sizeof *bad_norm; i++)
        expect_bad_variant(good, norm, bad_norm[i], expect_norm);
    /* out of order, or twice: what follows must be the layers */
    char *swapped = variant(good, "augment 1 10 none 0 0\nnormalize whiten 2 "
                            "1.0000000000000001e-05", "normalize whiten 2 0"
                            "\naugment 1 10 none 0 0");
    expect_bad(swapped, line_of(good, norm), "expected 'layer");
    free(swapped);
    char *twice = variant(good, aug, "augment 1 10 none 0 0\naugment 1 10 "
                          "none 0 0");
    expect_bad(twice, line_of(good, norm), "expected 'layer");
    free(twice);
    /* the file ends after them */
    char *cut = strdup(good);
    assert_non_null(cut);
    cut[strstr(cut, "\nlayer ") - cut + 1] = '\0';
    /* at the end of the file, the last line read is the one named */
    expect_bad(cut, line_of(good, "\nlayer "), "expected 'layer");
    free(cut);
    free(good);
    unlink(path);
    nn_net_free(net);
    nn_trainer_free(&tr);
}

/* A preprocessing the file could not give back is not written. */
static void test_save_refuses(void **state)
{
    (void)state;
    nn_trainer tr;
    nn_net *net = small_net(&tr);
    nn_err err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/refused.nn", dir);
    const nn_prep bad[] = { { NN_NORM_PCA, 1, 0 }, { NN_NORM_WHITEN, 5, 0 },
                            { NN_NORM_ZCA, 0, -1 }, { NN_NORM_COUNT, 0, 0 },
                            { NN_NORM_WHITEN, 2, NAN } };
    const char *why[] = { "pca keeps 1 components but the network takes 2",
                          "whiten keeps 5", "eps -1", "unknown", "eps nan" };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(nn_model_save_prep(path, net, &tr, &bad[i], &err),
                         -1);
        if (!strstr(err.msg, why[i]) || !strstr(err.msg, "not saved"))
            fail_msg("'%s' does not say '%s'", err.msg, why[i]);
        assert_int_equal(access(path, F_OK), -1);
    }
    nn_net_free(net);
    nn_trainer_free(&tr);
}

/* A data set's own preprocessing through a file and back: the whitened
 * inputs of the network reloaded are those it was trained on. */
static void test_data_round_trip(void **state)
{
    (void)state;
    nn_data *d = tu_data("moons", 200, 2, 3);
    nn_err err = {{0}};
    nn_prep p = { NN_NORM_WHITEN, 1, 0.01 }, got;
    assert_int_equal(nn_data_preprocess(d, &p, &err), 0);
    nn_data_get_prep(d, &p);
    const int sizes[] = { 1, 4, 1 };
    nn_net *net = tu_net(sizes, 3, NN_ACT_RELU, NN_ACT_SIGMOID, NN_LOSS_BCE,
                         NULL, 2);
    nn_trainer tr;
    nn_trainer_init(&tr);
    char path[128];
    snprintf(path, sizeof path, "%s/moons.nn", dir);
    assert_int_equal(nn_model_save_prep(path, net, &tr, &p, &err), 0);
    nn_net *back = nn_model_load_prep(path, NULL, &got, &err);
    assert_non_null(back);
    nn_data *fresh = tu_data("moons", 200, 2, 3);
    assert_int_equal(nn_data_preprocess(fresh, &got, &err), 0);
    assert_int_equal(nn_data_inputs(fresh), 1);
    double a[200], b[200];
    nn_data_fill(d, NN_DEV, NULL, nn_data_count(d, NN_DEV), a, NULL, 0);
    nn_data_fill(fresh, NN_DEV, NULL, nn_data_count(d, NN_DEV), b, NULL, 0);
    assert_memory_equal(a, b, (size_t)nn_data_count(d, NN_DEV) * sizeof *a);
    unlink(path);
    nn_net_free(back);
    nn_net_free(net);
    nn_trainer_free(&tr);
    nn_data_free(fresh);
    nn_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_off_writes_nothing),
        cmocka_unit_test(test_old_files),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_save_refuses),
        cmocka_unit_test(test_data_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
