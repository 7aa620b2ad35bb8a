/*
 * test_args.c — argument parsing (repl/core/args.c), "did you mean"
 * (repl/base/text.c), line splitting (repl/core/line.c) and running a line
 * (repl/core/cmd.c): what is accepted, the exact one-line errors, and that
 * a bad option changes nothing.  The errors name the command that is
 * running (Session.cmd_name), as dispatch sets it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "session.h"
#include "line.h"
#include "text.h"

/* A session whose output goes to memory, to compare messages. */
typedef struct Fixture {
    Session *s;
    char *buf;
    size_t len;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->s = session_new();
    if (!f->s || commands_register(f->s) < 0)
        return -1;
    f->s->out = open_memstream(&f->buf, &f->len);
    *state = f;
    return f->s->out ? 0 : -1;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    fclose(f->s->out);
    f->s->out = stdout;
    session_free(f->s);
    free(f->buf);
    free(f);
    return 0;
}

/* What was printed since the last call (the stream starts afresh). */
static const char *printed(Fixture *f)
{
    static char copy[4096];
    fclose(f->s->out);
    snprintf(copy, sizeof copy, "%s", f->buf ? f->buf : "");
    free(f->buf);
    f->buf = NULL;
    f->s->out = open_memstream(&f->buf, &f->len);
    assert_non_null(f->s->out);
    return copy;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                              */
/* ------------------------------------------------------------------ */

static void test_double_accepts(void **state)
{
    Fixture *f = *state;
    double v = 0;
    f->s->cmd_name = "lr";
    assert_int_equal(args_double(f->s, "1e-3", "the rate", 0, 10, &v), 0);
    assert_true(v == 1e-3);
    assert_int_equal(args_double(f->s, "10", "the rate", 0, 10, &v), 0);
    assert_true(v == 10);
    f->s->cmd_name = "x";
    assert_int_equal(args_double(f->s, "-.5", "x", -1, 1, &v), 0);
    assert_true(v == -0.5);
    assert_string_equal(printed(f), "");
    assert_int_equal(f->s->failures, 0);
}

static void test_double_rejects(void **state)
{
    Fixture *f = *state;
    double v = 42;
    f->s->cmd_name = "lr";
    assert_int_equal(args_double(f->s, "x", "the learning rate", 0, 10,
                                &v), -1);
    assert_string_equal(printed(f), "lr: expected a number in [0, 10] for "
                        "the learning rate, got 'x'\n");
    assert_int_equal(args_double(f->s, "11", "lr", 0, 10, &v), -1);
    assert_int_equal(args_double(f->s, "0.1x", "lr", 0, 10, &v), -1);
    assert_int_equal(args_double(f->s, "", "lr", 0, 10, &v), -1);
    assert_int_equal(args_double(f->s, "nan", "lr", 0, 10, &v), -1);
    assert_int_equal(args_double(f->s, "inf", "lr", 0, INFINITY, &v), -1);
    assert_int_equal(args_double(f->s, "1e999", "lr", 0, 1e300, &v), -1);
    assert_int_equal(args_double(f->s, " 1", "lr", 0, 10, &v), -1);
    assert_true(v == 42);
    assert_int_equal(f->s->failures, 8);
    printed(f);
    f->s->cmd_name = "reg";
    args_double(f->s, "-1", "lambda", 0, INFINITY, &v);
    assert_string_equal(printed(f), "reg: expected a number >= 0 for lambda, "
                        "got '-1'\n");
}

static void test_int(void **state)
{
    Fixture *f = *state;
    long v = 0;
    f->s->cmd_name = "batch";
    assert_int_equal(args_int(f->s, "64", "the batch size", 1, 1000,
                             &v), 0);
    assert_int_equal(v, 64);
    assert_int_equal(args_int(f->s, "1e3", "size", 1, 1000, &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(args_int(f->s, "2.5", "the batch size", 1,
                             1000, &v), -1);
    assert_string_equal(printed(f), "batch: expected a whole number in "
                        "[1, 1000] for the batch size, got '2.5'\n");
    assert_int_equal(args_int(f->s, "0", "size", 1, 1000, &v), -1);
    assert_int_equal(args_int(f->s, "99999999999999999999", "size",
                             1, 1000, &v), -1);
    assert_int_equal(v, 1000);
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

static const char *const optims[] = {"gd", "momentum", "nesterov",
                                     "rmsprop", "adam", NULL};

static void test_enum(void **state)
{
    Fixture *f = *state;
    int i = -1;
    f->s->cmd_name = "optim";
    assert_int_equal(args_enum(f->s, "adam", "optimizer", optims,
                              &i), 0);
    assert_int_equal(i, 4);
    assert_int_equal(args_enum(f->s, "RMSprop", "optimizer", optims,
                              &i), 0);
    assert_int_equal(i, 3);
    assert_int_equal(args_enum(f->s, "adm", "optimizer", optims, &i),
                     -1);
    assert_string_equal(printed(f), "optim: unknown optimizer 'adm' (did you "
                        "mean 'adam'?)\n");
    assert_int_equal(args_enum(f->s, "sgdxyz", "optimizer", optims,
                              &i), -1);
    assert_string_equal(printed(f), "optim: unknown optimizer 'sgdxyz' "
                        "(expected gd, momentum, nesterov, rmsprop or "
                        "adam)\n");
    assert_int_equal(i, 3);
}

static void test_bool(void **state)
{
    Fixture *f = *state;
    int v = -1;
    const char *yes[] = {"on", "yes", "1", "true", "ON"};
    const char *no[] = {"off", "no", "0", "false", "Off"};
    for (int k = 0; k < 5; k++) {
        f->s->cmd_name = "bn";
        assert_int_equal(args_bool(f->s, yes[k], &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(args_bool(f->s, no[k], &v), 0);
        assert_int_equal(v, 0);
    }
    assert_int_equal(args_bool(f->s, "maybe", &v), -1);
    assert_string_equal(printed(f), "bn: expected on or off, got 'maybe'\n");
}

static void test_did_you_mean(void **state)
{
    (void)state;
    const char *const cmds[] = {"train", "run", "reg", "seed", "step",
                                "stats", "help", "lesson", NULL};
    assert_string_equal(text_did_you_mean("tarin", cmds), "train");  /* swap */
    assert_string_equal(text_did_you_mean("trian", cmds), "train");
    assert_string_equal(text_did_you_mean("trainn", cmds), "train"); /* insert */
    assert_string_equal(text_did_you_mean("hepl", cmds), "help");
    assert_string_equal(text_did_you_mean("TRAIN", cmds), "train");  /* case */
    assert_string_equal(text_did_you_mean("leson", cmds), "lesson");
    assert_null(text_did_you_mean("xyzzy", cmds));
    assert_null(text_did_you_mean("", cmds));
    assert_null(text_did_you_mean("zz", cmds));        /* too short to guess */
    assert_string_equal(text_did_you_mean("mom", optims), "momentum"); /* start */
    assert_string_equal(text_did_you_mean("nestrov", optims), "nesterov");
    char longword[300];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    assert_null(text_did_you_mean(longword, cmds));
}

/* ------------------------------------------------------------------ */
/* key=value                                                            */
/* ------------------------------------------------------------------ */

typedef struct Opts {
    double lr;
    long n;
    int kind, on, seen_lr;
    const char *file, *list;
} Opts;

static int parse(Fixture *f, Opts *o, const char *line, char **pos,
                 int maxpos)
{
    static const char *const kinds[] = {"grid", "random", NULL};
    const OptSpec spec[] = {
        {"lr", 'd', &o->lr, 0, 10, NULL, &o->seen_lr},
        {"n", 'i', &o->n, 1, 100, NULL, NULL},
        {"kind", 'e', &o->kind, 0, 0, kinds, NULL},
        {"bias", 'b', &o->on, 0, 0, NULL, NULL},
        {"file", 's', &o->file, 0, 0, NULL, NULL},
        {"optim", 'l', &o->list, 0, 0, NULL, NULL},
        {0},
    };
    char *argv[16];
    static char copy[256];
    int argc = 0;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *w = strtok(copy, " "); w && argc < 15; w = strtok(NULL, " "))
        argv[argc++] = w;
    argv[argc] = NULL;
    f->s->cmd_name = argv[0]; /* as dispatch sets it */
    return args_parse(f->s, argc, argv, 1, spec, pos, maxpos);
}

static void test_options(void **state)
{
    Fixture *f = *state;
    Opts o = {.lr = 0.5, .n = 7};
    char *pos[2];
    assert_int_equal(parse(f, &o, "search lr=1e-2 n=20 kind=grid bias=off "
                           "file=a.csv optim=gd,adam first second", pos, 2),
                     2);
    assert_true(o.lr == 1e-2);
    assert_int_equal(o.n, 20);
    assert_int_equal(o.kind, 0);
    assert_int_equal(o.on, 0);
    assert_int_equal(o.seen_lr, 1);
    assert_string_equal(o.file, "a.csv");
    assert_string_equal(o.list, "gd,adam");
    assert_string_equal(pos[0], "first");
    assert_string_equal(pos[1], "second");
    assert_string_equal(printed(f), "");
}

static void test_options_change_nothing_on_error(void **state)
{
    Fixture *f = *state;
    Opts o = {.lr = 0.5, .n = 7};
    char *pos[1];
    /* lr= is good, n= is not: neither may be stored. */
    assert_int_equal(parse(f, &o, "search lr=0.1 n=500", pos, 1), -1);
    assert_string_equal(printed(f), "search: expected a whole number in "
                        "[1, 100] for n=, got '500'\n");
    assert_true(o.lr == 0.5);
    assert_int_equal(o.n, 7);
    assert_int_equal(o.seen_lr, 0);
}

static void test_option_errors(void **state)
{
    Fixture *f = *state;
    Opts o = {0};
    char *pos[1];
    assert_int_equal(parse(f, &o, "search lrr=0.1", pos, 1), -1);
    assert_string_equal(printed(f), "search: unknown option 'lrr=' (did you "
                        "mean 'lr='?)\n");
    assert_int_equal(parse(f, &o, "search zzzzz=1", pos, 1), -1);
    assert_string_equal(printed(f), "search: unknown option 'zzzzz=' "
                        "(expected lr, n, kind, bias, file or optim)\n");
    assert_int_equal(parse(f, &o, "search lr=1 lr=2", pos, 1), -1);
    assert_string_equal(printed(f), "search: 'lr=' given twice\n");
    assert_int_equal(parse(f, &o, "search lr=", pos, 1), -1);
    assert_string_equal(printed(f), "search: expected a value after 'lr='\n");
    assert_int_equal(parse(f, &o, "search kind=gird", pos, 1), -1);
    assert_string_equal(printed(f), "search: unknown kind= value 'gird' (did you "
                        "mean 'grid'?)\n");
    assert_int_equal(parse(f, &o, "search bias=2", pos, 1), -1);
    assert_string_equal(printed(f), "search: expected on or off for bias=, "
                        "got '2'\n");
    assert_int_equal(parse(f, &o, "search a b", pos, 1), -1);
    assert_string_equal(printed(f), "search: too many arguments at 'b' (at "
                        "most 1)\n");
    assert_int_equal(parse(f, &o, "search a", NULL, 0), -1);
    assert_string_equal(printed(f), "search: unexpected argument 'a'\n");
    assert_int_equal(f->s->failures, 8);
}

static void test_no_options_allowed(void **state)
{
    Fixture *f = *state;
    char *argv[] = {"eval", "x=1", NULL};
    f->s->cmd_name = "eval";
    assert_int_equal(args_parse(f->s, 2, argv, 1, NULL, NULL, 0), -1);
    assert_string_equal(printed(f), "eval: takes no key=value options, got "
                        "'x=1'\n");
    char *argv2[] = {"eval", NULL};
    assert_int_equal(args_parse(f->s, 1, argv2, 1, NULL, NULL, 0), 0);
}

/* ------------------------------------------------------------------ */
/* Lines                                                                */
/* ------------------------------------------------------------------ */

static void test_line_split(void **state)
{
    (void)state;
    LineCmd *c;
    char err[100];
    int n = line_split("  net 2 10 1 ;lr 0.1;; # a comment; not a command",
                       &c, err, sizeof err);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].argc, 4);
    assert_string_equal(c[0].argv[0], "net");
    assert_string_equal(c[0].argv[3], "1");
    assert_null(c[0].argv[4]);
    assert_int_equal(c[1].argc, 2);
    assert_string_equal(c[1].argv[1], "0.1");
    line_free(c, n);

    n = line_split("load \"my model.nnm\" x\"a;b\"y \"\" \"q\\\"\\\\\"", &c,
                   err, sizeof err);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].argc, 5);
    assert_string_equal(c[0].argv[1], "my model.nnm");
    assert_string_equal(c[0].argv[2], "xa;by");
    assert_string_equal(c[0].argv[3], "");
    assert_string_equal(c[0].argv[4], "q\"\\");
    line_free(c, n);

    assert_int_equal(line_split("", &c, err, sizeof err), 0);
    line_free(c, 0);
    assert_int_equal(line_split("# only", &c, err, sizeof err), 0);
    line_free(c, 0);
    assert_int_equal(line_split("help \"open", &c, err, sizeof err), -1);
    assert_string_equal(err, "missing closing quote (\")");
}

static void test_run_line(void **state)
{
    Fixture *f = *state;
    assert_int_equal(cmd_run_line(f->s, "tarin 5"), CMD_ERR);
    assert_string_equal(printed(f), "nnlab: unknown command 'tarin' (did you "
                        "mean 'train'?)\n");
    assert_int_equal(f->s->failures, 1);
    /* The rest of a line stops at an error, unless keep_going. */
    assert_int_equal(cmd_run_line(f->s, "nosuch; help quit"), CMD_ERR);
    assert_int_equal(strncmp(printed(f), "nnlab: unknown command", 22), 0);
    f->s->keep_going = 1;
    assert_int_equal(cmd_run_line(f->s, "nosuch; help exit"), CMD_ERR);
    assert_non_null(strstr(printed(f), "usage:   exit"));
    assert_int_equal(cmd_run_line(f->s, "quit; help"), CMD_QUIT);
    assert_string_equal(printed(f), "");
    assert_int_equal(f->s->want_quit, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_double_accepts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
        cmocka_unit_test(test_did_you_mean),
        cmocka_unit_test_setup_teardown(test_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_change_nothing_on_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_option_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_options_allowed, setup,
                                        teardown),
        cmocka_unit_test(test_line_split),
        cmocka_unit_test_setup_teardown(test_run_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
