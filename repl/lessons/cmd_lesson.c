/*
 * cmd_lesson.c — the Lessons group: lesson, next, back, again, check, with
 * their rows of the command table.
 *
 * Thin handlers: they check their arguments and call the runner
 * (lesson.c).  `check EXPR` also works outside a lesson, as a quick
 * assertion in a script ("check train_acc >= 0.9").
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lesson.h"
#include "model.h"

static int cmd_lesson(Session *s, int argc, char **argv)
{
    if (argc == 1)
        return lesson_list(s);
    if (strcmp(argv[1], "end") == 0) {
        if (argc > 2)
            return cmd_error(s, "'lesson end' takes no arguments");
        return lesson_end(s);
    }
    if (argc > 3)
        return cmd_error(s, "expected 'lesson', 'lesson NAME "
                            "[SECTION]' or 'lesson end'");
    long section = 0;
    if (argc == 3) {
        char *end;
        section = strtol(argv[2], &end, 10);
        if (*end || end == argv[2] || section < 1 || section > 1000)
            return cmd_error(s, "expected a section number (1, 2, "
                                "...), got '%s'", argv[2]);
    }
    return lesson_start_at(s, argv[1], (int)section);
}

static int no_args(Session *s, int argc, char **argv)
{
    if (argc > 1) {
        cmd_error(s, "takes no arguments, got '%s'", argv[1]);
        return -1;
    }
    return 0;
}

static int cmd_next(Session *s, int argc, char **argv)
{
    return no_args(s, argc, argv) < 0 ? CMD_ERR : lesson_next(s);
}

static int cmd_back(Session *s, int argc, char **argv)
{
    return no_args(s, argc, argv) < 0 ? CMD_ERR : lesson_back(s);
}

static int cmd_again(Session *s, int argc, char **argv)
{
    return no_args(s, argc, argv) < 0 ? CMD_ERR : lesson_again(s);
}

/* The words of argv[first..] joined by spaces (the caller frees). */
static char *joined(int argc, char **argv, int first)
{
    size_t len = 1;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *text = malloc(len);
    if (!text)
        return NULL;
    text[0] = 0;
    for (int i = first; i < argc; i++) {
        if (i > first)
            strcat(text, " ");
        strcat(text, argv[i]);
    }
    return text;
}

static int cmd_answer(Session *s, int argc, char **argv)
{
    char *text = joined(argc, argv, 1);
    if (!text)
        return cmd_error(s, "out of memory");
    int status = lesson_answer(s, text);
    free(text);
    return status;
}

/* `check` judges the lesson's checks; `check EXPR` judges EXPR. */
static int cmd_check(Session *s, int argc, char **argv)
{
    if (argc == 1)
        return lesson_check(s);
    char *text = joined(argc, argv, 1);
    if (!text)
        return cmd_error(s, "out of memory");
    char err[300];
    CheckExpr *c = lesson_compile_check(text, err, sizeof err);
    free(text);
    if (!c)
        return cmd_error(s, "%s", err);
    int pass = lesson_eval_print(s, c, NULL);
    check_free(c);
    if (!pass) {
        s->failures++;
        return CMD_ERR;
    }
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* The Lessons group                                                    */
/* ------------------------------------------------------------------ */

static void list_lessons(Session *s, void (*add)(void *ctx, const char *w),
                         void *ctx)
{
    (void)s;
    const char *const *names = lesson_list_names();
    for (int i = 0; names && names[i]; i++)
        add(ctx, names[i]);
}

static const Command lesson_rows[] = {
{
    .name = "lesson", .group = "Lessons", .fn = cmd_lesson,
    .usage = "lesson [NAME [SECTION]] | lesson end",
    .summary = "list the lessons, or start one",
    .help =
        "Alone, the lessons and your progress in each.\n"
        "NAME [SECTION]       start a lesson (at a section): it shows the\n"
        "                     text, puts each command on your prompt (Enter\n"
        "                     runs it, or edit it first), asks questions and\n"
        "                     checks your results\n"
        "end                  leave the lesson\n"
        "next, back, again and check move through it.",
    .example = "lesson init",
    .words = CMD_WORDS("end", "@lessons"),
},
{
    .name = "next", .group = "Lessons", .fn = cmd_next,
    .usage = "next",
    .summary = "go on to the next part of the lesson",
    .example = "next",
},
{
    .name = "back", .group = "Lessons", .fn = cmd_back,
    .usage = "back",
    .summary = "go back to the previous part of the lesson",
    .example = "back",
},
{
    .name = "again", .group = "Lessons", .fn = cmd_again,
    .usage = "again",
    .summary = "start the current part of the lesson again",
    .example = "again",
},
{
    .name = "answer", .group = "Lessons", .fn = cmd_answer,
    .usage = "answer TEXT",
    .summary = "answer the lesson's question",
    .help =
        "TEXT                 your answer: a choice's letter, a number or a\n"
        "                     few words\n"
        "While a question waits, anything you type that is not a command is\n"
        "taken as your answer, so `answer` itself is rarely needed.  You see\n"
        "whether it matches and why; moving on without answering shows the\n"
        "answer too.",
    .example = "answer b",
},
{
    .name = "check", .group = "Lessons", .fn = cmd_check,
    .usage = "check [EXPR]",
    .summary = "check your results",
    .help =
        "Alone, the checks of the lesson's current part.\n"
        "EXPR                 check an expression against the state now,\n"
        "                     e.g. check train_acc >= 0.95 (also in scripts)",
    .example = "check train_acc >= 0.9",
},
{0},
};

int lesson_register(Session *s)
{
    s->hooks.typed = lesson_typed;
    s->hooks.line_ran = lesson_after_line;
    s->hooks.job_ended = lesson_after_job;
    if (cmd_register(s, lesson_rows) < 0 ||
        cmd_add_words(s, "lessons", list_lessons) < 0)
        return -1;
    return 0;
}
