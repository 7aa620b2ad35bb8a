/*
 * test_lesson.c — lesson files and the lesson runner (repl/lessons/
 * lesson*.c and cmd_lesson.c).
 *
 * The parser is tested on a good file and on each kind of mistake (every
 * error names the file and line).  The runner is tested in a real session
 * with fakes for everything around it, injected through the session's
 * hooks and command table: commands (a tiny language that sets variables,
 * fails, or starts a background job), the model variables, the prompt, and
 * the output, which goes to a memory stream and is searched.  Lesson files
 * and progress live in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "lesson.h"
#include "job.h"
#include "model.h"
#include "tmpdir.h"

/* ------------------------------------------------------------------ */
/* Fakes, injected through the session's hooks and command table       */

static Session *current;       /* the session of the test running */
static char *outbuf;           /* what it printed (a memory stream) */
static size_t outlen;
static FILE *outstream;
static char preinput[256];     /* the offer hook's last text */
static int preinput_calls;
static char prompt[128];       /* the set_prompt hook's last prompt */
static char ran[2048];         /* fake commands run, one per line */

/* What the session printed since the last reset. */
static const char *output(void)
{
    fflush(outstream);
    return outbuf ? outbuf : "";
}

static void reset_fakes(void)
{
    if (outstream)
        fclose(outstream);
    free(outbuf);
    outbuf = NULL;
    outlen = 0;
    outstream = open_memstream(&outbuf, &outlen);
    assert_non_null(outstream);
    if (current)
        current->out = outstream;
    preinput[0] = 0;
    preinput_calls = 0;
    prompt[0] = 0;
    ran[0] = 0;
}

static void fake_offer(Session *s, const char *text)
{
    (void)s;
    snprintf(preinput, sizeof preinput, "%s", text ? text : "(null)");
    preinput_calls++;
}

static void fake_set_prompt(Session *s, const char *p)
{
    (void)s;
    snprintf(prompt, sizeof prompt, "%s", p ? p : "(default)");
}

/* Model variables: a few named values, read by the lookup hook. */
static struct { char name[32]; int index; double value; } vars[16];
static int nvars;

static void set_var(const char *name, int index, double value)
{
    for (int i = 0; i < nvars; i++)
        if (!strcmp(vars[i].name, name) && vars[i].index == index) {
            vars[i].value = value;
            return;
        }
    snprintf(vars[nvars].name, sizeof vars[nvars].name, "%s", name);
    vars[nvars].index = index;
    vars[nvars++].value = value;
}

static int fake_lookup(Session *s, const char *name, int index,
                       double *value)
{
    (void)s;
    for (int i = 0; i < nvars; i++)
        if (!strcmp(vars[i].name, name) && vars[i].index == index) {
            *value = vars[i].value;
            return 0;
        }
    return -1;
}

static void note_ran(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        snprintf(ran + strlen(ran), sizeof ran - strlen(ran), "%s%s",
                 i ? " " : "", argv[i]);
    snprintf(ran + strlen(ran), sizeof ran - strlen(ran), "\n");
}

/* The fake command language: "set NAME VALUE", "set NAME INDEX VALUE",
 * "fail", "bg" (starts a background job of three slices). */
static int fake_set(Session *s, int argc, char **argv)
{
    note_ran(argc, argv);
    if (argc == 4 && strchr(argv[1], '.'))
        set_var(argv[1], atoi(argv[2]), atof(argv[3]));
    else if (argc == 3)
        set_var(argv[1], 0, atof(argv[2]));
    else
        return cmd_error(s, "usage: set NAME [INDEX] VALUE");
    return CMD_OK;
}

static int fake_fail(Session *s, int argc, char **argv)
{
    note_ran(argc, argv);
    return cmd_error(s, "failed");
}

static int job_slices;
static int fake_slice(Session *s)
{
    (void)s;
    return --job_slices > 0;
}

static int fake_bg(Session *s, int argc, char **argv)
{
    note_ran(argc, argv);
    s->job.active = 1;
    s->job.slice = fake_slice;
    job_slices = 3;
    return CMD_OK;
}

static const Command fake_rows[] = {
    {.name = "set", .group = "Test", .fn = fake_set, .usage = "set",
     .summary = "set a variable"},
    {.name = "fail", .group = "Test", .fn = fake_fail, .usage = "fail",
     .summary = "fail"},
    {.name = "bg", .group = "Test", .fn = fake_bg, .usage = "bg",
     .summary = "train in the background"},
    {.name = "help", .group = "Test", .fn = fake_set, .usage = "help",
     .summary = "stands for any other command"},
    {0},
};

/* Run a line as the student would (no terminal: a background job runs
 * only when asked, by job_run_to_end). */
static int run(Session *s, const char *line)
{
    return cmd_run_line(s, line);
}

static int has(const char *needle)
{
    if (strstr(output(), needle))
        return 1;
    fprintf(stderr, "missing \"%s\" in output:\n%s\n", needle, output());
    return 0;
}

/* ------------------------------------------------------------------ */
/* Fixtures: a lessons directory and a state directory                  */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/lessons/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *const demo_lesson =
    "# a demo\n"
    "title: Demo\n"
    "summary: A lesson to test the runner\n"
    "\n"
    "== Setting up\n"
    "First we set x.\n"
    "\n"
    "It is a paragraph.\n"
    "> set lr 1\n"
    "Then y.\n"
    "> set iter 2\n"
    "? Why x and y?\n"
    "check: lr == 1 | x should be one\n"
    "check: iter > 1\n"
    "\n"
    "== Training\n"
    "> bg\n"
    "check: lr + iter == 3\n"
    "\n"
    "== Ending\n"
    "Just prose.\n";

static int setup(void **state)
{
    (void)state;
    if (tu_tmpdir_make(tmpdir, sizeof tmpdir, "test-lesson"))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/lessons", tmpdir);
    mkdir(path, 0700);
    setenv("NNLAB_LESSONS", path, 1);
    snprintf(path, sizeof path, "%s/state", tmpdir);
    setenv("XDG_STATE_HOME", path, 1);
    setenv("LC_ALL", "C", 1);
    write_file("demo.lesson", demo_lesson);
    write_file("bad.lesson", "title: Bad\n== One\ncheck: trian_acc > 1\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    session_free(current);
    current = NULL;
    if (outstream)
        fclose(outstream);
    free(outbuf);
    return tu_tmpdir_remove(tmpdir);
}

/* A session with the lesson commands and the fake ones registered, and
 * the fakes hooked in.  The previous test's session is freed. */
static Session *new_session(int interactive)
{
    session_free(current);
    current = session_new();
    assert_non_null(current);
    assert_int_equal(lesson_register(current), 0);
    assert_int_equal(cmd_register(current, fake_rows), 0);
    current->interactive = interactive;
    current->hooks.offer = fake_offer;
    current->hooks.set_prompt = fake_set_prompt;
    current->hooks.lookup = fake_lookup;
    reset_fakes();
    nvars = 0;
    return current;
}

/* ------------------------------------------------------------------ */
/* The parser                                                           */

static void test_parse_good(void **state)
{
    (void)state;
    char err[512];
    Lesson *L = lesson_parse(demo_lesson, "x/demo.lesson", err, sizeof err);
    assert_non_null(L);
    assert_string_equal(L->name, "demo");
    assert_string_equal(L->title, "Demo");
    assert_string_equal(L->summary, "A lesson to test the runner");
    assert_int_equal(L->order, 0);
    assert_int_equal(L->nsections, 3);
    LessonSection *a = &L->sections[0];
    assert_string_equal(a->title, "Setting up");
    assert_int_equal(a->line, 5);
    assert_int_equal(a->nitems, 7);
    assert_int_equal(a->ncommands, 2);
    assert_int_equal(a->nchecks, 2);
    assert_int_equal(a->items[0].kind, LESSON_PROSE);
    assert_string_equal(a->items[0].text, "First we set x.\n\nIt is a "
                                          "paragraph.");
    assert_int_equal(a->items[1].kind, LESSON_COMMAND);
    assert_string_equal(a->items[1].text, "set lr 1");
    assert_int_equal(a->items[1].line, 9);
    assert_int_equal(a->items[2].kind, LESSON_PROSE);
    assert_int_equal(a->items[4].kind, LESSON_QUESTION);
    assert_string_equal(a->items[4].text, "Why x and y?");
    assert_int_equal(a->items[5].kind, LESSON_CHECK);
    assert_string_equal(a->items[5].text, "lr == 1");
    assert_string_equal(a->items[5].explain, "x should be one");
    assert_non_null(a->items[5].expr);
    assert_null(a->items[6].explain);
    lesson_free(L);

    /* continuations, escapes, CRLF, comments, no summary */
    L = lesson_parse("title: T\r\norder: 12 \r\n== S\r\n\\> not a command\r\n? one\r\n"
                     "? two\r\ncheck: loss < 1 | first\r\n| second\r\n"
                     "# hidden\r\n\r\n\r\nafter\r\n", "t.lesson", err,
                     sizeof err);
    assert_non_null(L);
    assert_string_equal(L->summary, "");
    assert_int_equal(L->order, 12);
    LessonSection *s = &L->sections[0];
    assert_int_equal(s->nitems, 4);
    assert_string_equal(s->items[0].text, "> not a command");
    assert_string_equal(s->items[1].text, "one\ntwo");
    assert_string_equal(s->items[2].explain, "first\nsecond");
    assert_string_equal(s->items[3].text, "after");
    lesson_free(L);
}

static void parse_error(const char *text, const char *expect)
{
    char err[512] = "";
    Lesson *L = lesson_parse(text, "les/x.lesson", err, sizeof err);
    assert_null(L);
    if (strcmp(err, expect) != 0)
        fprintf(stderr, "got  '%s'\nwant '%s'\n", err, expect);
    assert_string_equal(err, expect);
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_error("", "les/x.lesson:1: missing 'title:' line (the lesson's "
                    "title comes first)");
    parse_error("summary: s\n== A\nx\n", "les/x.lesson:1: missing 'title:' "
                "line (the lesson's title comes first)");
    parse_error("title: T\n", "les/x.lesson:1: no sections (a section starts "
                              "with '== Section title')");
    parse_error("title: T\nHello\n", "les/x.lesson:2: expected 'title:', "
                "'summary:', 'order:' or the first section ('== Section "
                "title') here");
    parse_error("title: T\norder: x\n", "les/x.lesson:2: 'order:' needs a "
                "whole number from 1 to 9999");
    parse_error("title: T\norder: 3\norder: 4\n", "les/x.lesson:3: a second "
                "'order:' line");
    parse_error("title: T\ntitle: U\n", "les/x.lesson:2: a second 'title:' "
                                        "line");
    parse_error("title:\n", "les/x.lesson:1: 'title:' needs text after it");
    parse_error("title: T\n==\n", "les/x.lesson:2: a section needs a title "
                                  "after '=='");
    parse_error("title: T\n== A\n> \n", "les/x.lesson:3: '>' needs a command "
                                        "after it");
    parse_error("title: T\n== A\n?\n", "les/x.lesson:3: '?' needs a question "
                                       "after it");
    /* leaving nnlab ends the lesson half-way (and --auto counted it as a
     * failed command): refused where the lesson is written */
    parse_error("title: T\n== A\n> seed 1\n> quit\n", "les/x.lesson:4: a "
                "lesson cannot quit nnlab (the student leaves it with "
                "'lesson end')");
    parse_error("title: T\n== A\n> seed 2; exit\n", "les/x.lesson:3: a "
                "lesson cannot quit nnlab (the student leaves it with "
                "'lesson end')");
    parse_error("title: T\n== A\n\n== B\nx\n", "les/x.lesson:2: section 'A' "
                                               "is empty");
    parse_error("title: T\n== A\nx\n| more\n", "les/x.lesson:4: a '|' line "
                "continues the explanation of the check or answer just "
                "above it; there is none");
    parse_error("title: T\n== A\ncheck: train_acc >=\n",
                "les/x.lesson:3: check: expected a number, a name or '(', "
                "found the end");
    parse_error("title: T\n== A\n> net\ncheck: trian_acc > 0.9\n",
                "les/x.lesson:4: check: unknown variable 'trian_acc' (did "
                "you mean 'train_acc'?)");
    parse_error("title: T\n== A\ncheck: layer[2].act_sdt < 1\n",
                "les/x.lesson:3: check: unknown variable 'layer[2].act_sdt' "
                "(did you mean 'layer[1].act_std'?)");
    parse_error("title: T\n== A\ncheck: banana > 1\n",
                "les/x.lesson:3: check: unknown variable 'banana' (see "
                "lessons/README.md for the list)");
    parse_error("title: T\n== A\ncheck: layer.act_std < 1\n",
                "les/x.lesson:3: check: 'layer.act_std' needs a layer "
                "number, as in 'layer[1].act_std'");
    parse_error("title: T\n== A\ncheck: loss[2] < 1\n",
                "les/x.lesson:3: check: 'loss[2]' takes no layer number: "
                "write 'loss'");
    parse_error("title: T\n== A\ncheck: loss < 1 || loss > 2\n",
                "les/x.lesson:3: check: write 'or', not '||' ('|' starts "
                "the explanation)");
    parse_error("title: T\n== A\ncheck:\n", "les/x.lesson:3: check: empty "
                "check (write a comparison such as train_acc >= 0.9)");

    char err[512];
    assert_null(lesson_load("/nonexistent/x.lesson", err, sizeof err));
    assert_string_equal(err, "/nonexistent/x.lesson: No such file or "
                             "directory");
    char path[128];
    snprintf(path, sizeof path, "%s/lessons/nul.bin", tmpdir);
    FILE *f = fopen(path, "w");
    fwrite("title: T\n\n\0x", 1, 12, f);
    fclose(f);
    assert_null(lesson_load(path, err, sizeof err));
    assert_non_null(strstr(err, "nul.bin:3: not a text file"));
}

/* Every shipped lesson parses (the source tree's lessons/). */
static void test_shipped_lessons_parse(void **state)
{
    (void)state;
    const char *names[] = {"tour", "init", "gradcheck"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256], err[512];
        snprintf(path, sizeof path, "lessons/%s.lesson", names[i]);
        if (access(path, R_OK) != 0)
            skip();
        Lesson *L = lesson_load(path, err, sizeof err);
        if (!L)
            fprintf(stderr, "%s\n", err);
        assert_non_null(L);
        assert_true(L->summary[0] != 0);
        lesson_free(L);
    }
}

/* ------------------------------------------------------------------ */
/* Finding lessons and progress                                         */

static void test_find_and_list(void **state)
{
    (void)state;
    char path[512];
    assert_int_equal(lesson_find("demo", path, sizeof path), 0);
    assert_non_null(strstr(path, "/lessons/demo.lesson"));
    assert_int_equal(lesson_find("nope", path, sizeof path), -1);
    assert_int_equal(lesson_find("../etc", path, sizeof path), -1);
    const char *const *names = lesson_list_names();
    assert_string_equal(names[0], "bad");
    assert_string_equal(names[1], "demo");
    assert_null(names[2]);
}

static void test_progress_file(void **state)
{
    (void)state;
    unsigned char done[5] = {1, 0, 1, 0, 0}, got[5];
    assert_int_equal(lesson_progress_put("alpha", done, 5), 0);
    unsigned char d2[2] = {0, 1};
    assert_int_equal(lesson_progress_put("alp", d2, 2), 0);
    assert_int_equal(lesson_progress_get("alpha", got, 5), 2);
    assert_memory_equal(got, done, 5);
    assert_int_equal(lesson_progress_get("alp", got, 2), 1);
    assert_int_equal(got[1], 1);
    /* fewer sections than recorded: the extra are ignored */
    assert_int_equal(lesson_progress_get("alpha", got, 2), 1);
    assert_int_equal(lesson_progress_get("zeta", got, 5), 0);
    char path[512], line[256];
    assert_int_equal(lesson_progress_path(path, sizeof path), 0);
    assert_non_null(strstr(path, "/state/nnlab/progress"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int found = 0;
    while (fgets(line, sizeof line, f))
        found |= strcmp(line, "alpha 1 3\n") == 0;
    fclose(f);
    assert_true(found);
    /* nothing done: the line goes away */
    memset(done, 0, sizeof done);
    assert_int_equal(lesson_progress_put("alpha", done, 5), 0);
    assert_int_equal(lesson_progress_get("alpha", got, 5), 0);
    assert_int_equal(lesson_progress_put("alp", done, 2), 0);
}

/* ------------------------------------------------------------------ */
/* The runner                                                           */

static void test_walk_a_lesson(void **state)
{
    (void)state;
    Session *s = new_session(1);
    assert_int_equal(run(s, "lesson demo"),
                     CMD_OK);
    assert_true(has("Demo (lesson demo, 3 sections)"));
    assert_true(has("== 1/3 Setting up\nFirst we set x.\n\nIt is a "
                    "paragraph.\n"));
    assert_false(strstr(output(), "Then y."));   /* waits at the command */
    assert_string_equal(preinput, "set lr 1");
    assert_string_equal(prompt, "[demo 1/3] nnlab> ");
    lesson_after_line(s, "lesson demo", CMD_OK);
    assert_string_equal(preinput, "set lr 1");

    /* the student's own command: the lesson's is offered again */
    reset_fakes();
    lesson_after_line(s, "help", CMD_OK);
    assert_string_equal(preinput, "set lr 1");
    assert_int_equal(strlen(output()), 0);
    /* an edit of it (same command name) moves on */
    run(s, "set lr 5");
    lesson_after_line(s, "set lr 5", CMD_OK);
    assert_true(has("Then y.\n"));
    assert_string_equal(preinput, "set iter 2");
    /* a failed command does not move on */
    reset_fakes();
    lesson_after_line(s, "set iter", CMD_ERR);
    assert_string_equal(preinput, "set iter 2");
    assert_int_equal(strlen(output()), 0);

    run(s, "set iter 2");
    lesson_after_line(s, "set iter 2", CMD_OK);
    assert_true(has("? Why x and y?\n"));
    assert_true(has("[FAIL] check failed: lr == 1 (found lr = 5)\n"
                    "  x should be one\n"));
    assert_true(has("[ok] check passed: iter > 1 (found iter = 2)\n"));
    assert_true(has("Not all checks passed"));
    assert_true(has("End of section 1. 'next' goes on to: Training"));
    assert_string_equal(preinput, "next");

    /* fix it and `check` */
    run(s, "set lr 1");
    lesson_after_line(s, "set lr 1", CMD_OK);
    assert_string_equal(preinput, "next");
    reset_fakes();
    assert_int_equal(run(s, "check"), CMD_OK);
    assert_true(has("[ok] check passed: lr == 1 (found lr = 1)"));
    unsigned char done[3];
    assert_int_equal(lesson_progress_get("demo", done, 3), 1);
    assert_int_equal(done[0], 1);

    /* a command that trains in the background: wait for the job */
    reset_fakes();
    assert_int_equal(run(s, "next"), CMD_OK);
    assert_true(has("== 2/3 Training"));
    assert_string_equal(prompt, "[demo 2/3] nnlab> ");
    assert_string_equal(preinput, "bg");
    s->at_prompt = 1; /* typed at the prompt: the job runs in the background */
    run(s, "bg");
    s->at_prompt = 0;
    assert_true(s->job.active);
    lesson_after_line(s, "bg", CMD_OK);
    assert_false(strstr(output(), "check"));
    lesson_after_line(s, "lr 0.1", CMD_OK); /* typed while it trains */
    assert_false(strstr(output(), "check"));
    job_run_to_end(s);
    lesson_after_job(s);
    assert_true(has("[ok] check passed: lr + iter == 3 (found lr = 1, iter = 2)"));

    reset_fakes();
    assert_int_equal(run(s, "next"), CMD_OK);
    assert_true(has("== 3/3 Ending\nJust prose.\n"));
    assert_true(has("End of the lesson (3 of 3 sections done)"));
    assert_string_equal(preinput, "lesson end");
    assert_int_equal(run(s, "next"), CMD_ERR);
    assert_true(has("next: this is the last section"));

    reset_fakes();
    assert_int_equal(run(s, "back"), CMD_OK);
    assert_true(has("== 2/3 Training"));
    assert_int_equal(run(s, "again"), CMD_OK);
    assert_string_equal(prompt, "[demo 2/3] nnlab> ");
    assert_int_equal(run(s, "back"), CMD_OK);
    assert_int_equal(run(s, "back"), CMD_ERR);
    assert_true(has("back: this is the first section"));

    reset_fakes();
    assert_int_equal(run(s, "lesson end"),
                     CMD_OK);
    assert_true(has("Left lesson demo: 3 of 3 sections done."));
    assert_string_equal(prompt, "(default)");
    assert_string_equal(preinput, "(null)");
    assert_null(s->lesson);
    lesson_after_line(s, "set lr 1", CMD_OK); /* no lesson: nothing */
}

static void test_commands_without_lesson(void **state)
{
    (void)state;
    Session *s = new_session(0);
    assert_int_equal(run(s, "next"), CMD_ERR);
    assert_true(has("next: no lesson is running (start one with 'lesson "
                    "NAME'; 'lesson' lists them)"));
    assert_int_equal(run(s, "back"), CMD_ERR);
    assert_int_equal(run(s, "again"), CMD_ERR);
    assert_int_equal(run(s, "check"), CMD_ERR);
    assert_int_equal(run(s, "lesson end"),
                     CMD_ERR);
    assert_true(has("lesson: no lesson is running"));
    assert_int_equal(run(s, "next x"), CMD_ERR);
    assert_true(has("next: takes no arguments, got 'x'"));
    reset_fakes();
    assert_int_equal(run(s, "lesson nope"),
                     CMD_ERR);
    assert_true(has("lesson: no lesson named 'nope' (lessons: bad, demo)"));
    assert_int_equal(run(s, "lesson dem"),
                     CMD_ERR);
    assert_true(has("lesson: no lesson named 'dem' (did you mean 'demo'?)"));
    reset_fakes();
    assert_int_equal(run(s, "lesson bad"),
                     CMD_ERR);
    assert_true(has("bad.lesson:3: check: unknown variable 'trian_acc' (did "
                    "you mean 'train_acc'?)"));
    assert_null(s->lesson);
    reset_fakes();
    assert_int_equal(run(s, "lesson demo x"), CMD_ERR);
    assert_true(has("lesson: expected a section number (1, 2, ...), got "
                    "'x'"));
    assert_int_equal(run(s, "lesson demo 4"), CMD_ERR);
    assert_true(has("lesson: demo has sections 1 to 3, got 4"));
}

static void test_start_at_section_noninteractive(void **state)
{
    (void)state;
    Session *s = new_session(0);
    assert_int_equal(run(s, "lesson demo 2"), CMD_OK);
    assert_true(has("== 2/3 Training\n> bg\n")); /* no prompt: shown */
    /* starting another lesson replaces it, from default settings again */
    model_state(s)->tr.opt.lr = 0.5;
    assert_int_equal(lesson_start(s, "demo"), CMD_OK);
    assert_true(has("== 1/3 Setting up"));
    assert_true(model_state(s)->tr.opt.lr == 0.01);
    lesson_close(s);
    assert_null(s->lesson);
}

static void test_list(void **state)
{
    (void)state;
    Session *s = new_session(0);
    unsigned char done[3] = {1, 1, 0};
    lesson_progress_put("demo", done, 3);
    assert_int_equal(run(s, "lesson"), CMD_OK);
    assert_true(has("Lessons ('lesson NAME' starts one):\n"));
    assert_true(has("  bad     error: "));
    assert_true(has("  demo    2/3    A lesson to test the runner\n"));
    done[2] = 1;
    lesson_progress_put("demo", done, 3);
    reset_fakes();
    run(s, "lesson");
    assert_true(has("  demo    done   A lesson"));
    memset(done, 0, sizeof done);
    lesson_progress_put("demo", done, 3);
    reset_fakes();
    run(s, "lesson");
    assert_true(has("  demo    new    A lesson"));
}

static void test_auto(void **state)
{
    (void)state;
    Session *s = new_session(0);
    /* lr is set to 1 by the lesson, so every check passes */
    assert_int_equal(lesson_run_auto(s, "demo", 0), 0);
    assert_string_equal(ran, "set lr 1\nset iter 2\nbg\n");
    assert_false(s->job.active);
    assert_true(has("Demo (lesson demo)\n"));
    assert_true(has("nnlab> set lr 1\nThen y.\nnnlab> set iter 2\n"
                    "? Why x and y?\n[ok] check passed: lr == 1"));
    assert_true(has("lesson demo: 3 commands and 3 checks, all passed\n"));
    assert_null(s->lesson);

    /* a command written ">!" fails on purpose: only its success fails */
    write_file("onpurpose.lesson", "title: P\n== A\n>! fail\n> set x 1\n");
    s = new_session(0);
    assert_int_equal(lesson_run_auto(s, "onpurpose", 0), 0);
    assert_true(has("2 commands and 0 checks, all passed"));
    assert_int_equal(s->failures, 0);
    write_file("onpurpose.lesson", "title: P\n== A\n>! set x 1\n");
    assert_int_equal(lesson_run_auto(s, "onpurpose", 0), 1);
    assert_true(has("1 of 1 commands failed"));
    char gone[256];
    snprintf(gone, sizeof gone, "%s/lessons/onpurpose.lesson", tmpdir);
    unlink(gone);

    write_file("failing.lesson", "title: F\n== A\n> fail\n> set loss 0.5\n"
               "check: loss < 0.1 | too high\ncheck: gradcheck_max < 1\n");
    s = new_session(0);
    assert_int_equal(lesson_run_auto(s, "failing", 0), 1);
    assert_true(has("[FAIL] check failed: loss < 0.1 (found loss = 0.5)\n"
                    "  too high\n"));
    assert_true(has("[FAIL] check failed: gradcheck_max < 1 (gradcheck_max "
                    "is not available)\n"));
    assert_true(has("lesson failing: 2 of 2 checks failed, 1 of 2 commands "
                    "failed\n"));
    assert_int_equal(lesson_run_auto(s, "nope", 0), 1);
    /* one section alone, and a section that is not there */
    s = new_session(0);
    lesson_run_auto(s, "demo", 2); /* its check needs section 1's values */
    assert_true(has("== 2/3 Training"));
    assert_false(strstr(output(), "== 1/3"));
    assert_int_equal(lesson_run_auto(s, "demo", 4), 1);
    assert_true(has("demo has sections 1 to 3, got 4"));

    /* UTF-8 marks when the locale has it */
    setenv("LC_ALL", "en_US.UTF-8", 1);
    s = new_session(0);
    lesson_run_auto(s, "failing", 0);
    assert_true(has("\u2717 check failed: loss < 0.1"));
    setenv("LC_ALL", "C", 1);
    char path[256];
    snprintf(path, sizeof path, "%s/lessons/failing.lesson", tmpdir);
    unlink(path);
}

static void test_check_expression_command(void **state)
{
    (void)state;
    Session *s = new_session(0);
    set_var("train_acc", 0, 0.97);
    assert_int_equal(run(s, "check train_acc >= 0.95"), CMD_OK);
    assert_true(has("[ok] check passed: train_acc >= 0.95 (found train_acc "
                    "= 0.97)"));
    assert_int_equal(run(s, "check train_acc>0.99"), CMD_ERR);
    assert_true(has("[FAIL] check failed: train_acc>0.99"));
    assert_int_equal(run(s, "check tran_acc>1"), CMD_ERR);
    assert_true(has("check: unknown variable 'tran_acc' (did you mean "
                    "'train_acc'?)"));
    assert_int_equal(run(s, "check ( 1"),
                     CMD_ERR);
    assert_true(has("check: expected ')', found the end"));
}


/* ------------------------------------------------------------------ */
/* Questions with answers, the student's work put aside, early checks  */

static const char *const quiz_lesson =
    "title: Quiz\n"
    "summary: Questions to answer\n"
    "== Choices\n"
    "? Which keeps the spread of the activations?\n"
    "choice: std 0.01\n"
    "choice: Xavier\n"
    "answer: b | Xavier scales by the fan-in and fan-out.\n"
    "> set lr 1\n"
    "== Numbers and words\n"
    "? What is the sum of e^z for z = [5, 2, -1, 3]?\n"
    "answer: 176.3 | e^5 + e^2 + e^-1 + e^3 = 176.26\n"
    "? What does tanh give that sigmoid does not?\n"
    "answer: zero centred/zero-centered | Its outputs average about 0.\n"
    "> set iter 2\n"
    "check: iter > 1\n";

static void test_parse_answers(void **state)
{
    (void)state;
    char err[512];
    Lesson *L = lesson_parse(quiz_lesson, "x/quiz.lesson", err, sizeof err);
    assert_non_null(L);
    LessonItem *q = &L->sections[0].items[0];
    assert_int_equal(q->kind, LESSON_QUESTION);
    assert_int_equal(q->nchoices, 2);
    assert_string_equal(q->choices[1], "Xavier");
    assert_string_equal(q->answer, "b");
    assert_string_equal(q->explain, "Xavier scales by the fan-in and fan-out.");
    lesson_free(L);
    parse_error("title: T\n== A\n? Q\nchoice: x\nchoice: y\nanswer: c\n",
                "les/x.lesson:6: the answer to a multiple choice is the "
                "letter of a choice, a to b");
    parse_error("title: T\n== A\nanswer: 1\n",
                "les/x.lesson:3: an 'answer:' line follows a question ('?' "
                "and its choices), once");
    parse_error("title: T\n== A\n> net\nchoice: x\n",
                "les/x.lesson:4: a 'choice:' line follows a question ('?'), "
                "before its 'answer:'");
    parse_error("title: T\n== A\n? Q\nanswer:\n",
                "les/x.lesson:4: 'answer:' needs the answer after it");
}

static void test_answer_questions(void **state)
{
    (void)state;
    write_file("quiz.lesson", quiz_lesson);
    Session *s = new_session(1);
    assert_int_equal(run(s, "lesson quiz"), CMD_OK);
    assert_true(has("? Which keeps the spread of the activations?\n"
                    "  a) std 0.01\n  b) Xavier\n"));
    assert_true(has("(type your choice, a to b; Enter alone shows the "
                    "answer)"));
    assert_string_equal(preinput, ""); /* the walk waits for the answer */
    /* free text that is no command is the answer; commands stay commands */
    assert_string_equal(lesson_typed(s, "a"), "answer \"a\"");
    assert_string_equal(lesson_typed(s, "help next"), "help next");
    reset_fakes();
    assert_int_equal(run(s, lesson_typed(s, "a")), CMD_OK);
    assert_true(has("[FAIL] not quite; the answer is b) Xavier\n"
                    "  Xavier scales by the fan-in and fan-out.\n"));
    assert_string_equal(preinput, "set lr 1"); /* and the walk goes on */
    assert_int_equal(run(s, "answer b"), CMD_ERR);
    assert_true(has("answer: no question is waiting for an answer"));

    /* numbers within 2%, words with alternatives, ';' inside an answer */
    run(s, "set lr 1");
    lesson_after_line(s, "set lr 1", CMD_OK);
    reset_fakes();
    assert_int_equal(run(s, "next"), CMD_OK);
    assert_int_equal(run(s, lesson_typed(s, "about 176.26")), CMD_OK);
    assert_true(has("[ok] right: 176.3\n  e^5 + e^2"));
    assert_true(has("? What does tanh give")); /* the next one waits */
    reset_fakes();
    assert_int_equal(run(s, lesson_typed(s, "zero-centered; sigmoid is "
                                           "not")), CMD_OK);
    assert_true(has("[ok] right: zero centred/zero-centered"));
    assert_string_equal(preinput, "set iter 2");
    /* Enter alone shows the answer and goes on */
    assert_int_equal(run(s, "again"), CMD_OK);
    reset_fakes();
    lesson_after_line(s, "", CMD_OK);
    assert_true(has("(The question before had this answer.)\n"
                    "  answer: 176.3\n"));
    assert_true(has("? What does tanh give"));
    reset_fakes();
    assert_int_equal(run(s, lesson_typed(s, "positive outputs")), CMD_OK);
    assert_true(has("[FAIL] not quite"));
    /* moving on without answering shows the answer too */
    run(s, "again");
    lesson_after_line(s, "", CMD_OK);
    reset_fakes();
    assert_int_equal(run(s, "back"), CMD_OK);
    assert_true(has("(The question before had this answer.)\n"
                    "  answer: zero centred/zero-centered\n"));
}

static void test_check_before_commands(void **state)
{
    (void)state;
    Session *s = new_session(1);
    assert_int_equal(run(s, "lesson demo"), CMD_OK);
    reset_fakes();
    assert_int_equal(run(s, "check"), CMD_ERR);
    assert_true(has("check: nothing to judge yet: section 1's commands "
                    "'set lr 1', 'set iter 2' are still to run"));
    assert_false(strstr(output(), "found"));
}

static void test_work_put_aside(void **state)
{
    (void)state;
    Session *s = new_session(1);
    model_set_seed(s, 42);
    model_state(s)->tr.opt.lr = 0.3;
    assert_int_equal(run(s, "lesson demo"), CMD_OK);
    assert_true(has("Your data, network and settings are put aside"));
    assert_true(model_seed(s) == 1);
    assert_true(model_state(s)->tr.opt.lr == 0.01);
    model_state(s)->tr.opt.lr = 0.7; /* the lesson's own setting */
    reset_fakes();
    assert_int_equal(run(s, "lesson end"), CMD_OK);
    assert_true(has("You had no data or network before the lesson"));
    assert_true(model_seed(s) == 42);
    assert_true(model_state(s)->tr.opt.lr == 0.3);
    assert_null(s->lesson);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_shipped_lessons_parse),
        cmocka_unit_test(test_find_and_list),
        cmocka_unit_test(test_progress_file),
        cmocka_unit_test(test_walk_a_lesson),
        cmocka_unit_test(test_commands_without_lesson),
        cmocka_unit_test(test_start_at_section_noninteractive),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_check_expression_command),
        cmocka_unit_test(test_parse_answers),
        cmocka_unit_test(test_answer_questions),
        cmocka_unit_test(test_check_before_commands),
        cmocka_unit_test(test_work_put_aside),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
