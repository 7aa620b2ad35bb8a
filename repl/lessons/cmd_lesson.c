/*
 * cmd_lesson.c — the lesson commands: lesson, next, back, again, check.
 *
 * Thin handlers: they check their arguments and call the runner
 * (lesson.c).  `check EXPR` also works outside a lesson, as a quick
 * assertion in a script ("check train_acc >= 0.9").
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lesson.h"

int cmd_lesson(Session *s, int argc, char **argv)
{
    if (argc == 1)
        return lesson_list(s);
    if (strcmp(argv[1], "end") == 0) {
        if (argc > 2)
            return cmd_error(s, "lesson: 'lesson end' takes no arguments");
        return lesson_end(s);
    }
    if (argc > 3)
        return cmd_error(s, "lesson: expected 'lesson', 'lesson NAME "
                            "[SECTION]' or 'lesson end'");
    long section = 0;
    if (argc == 3) {
        char *end;
        section = strtol(argv[2], &end, 10);
        if (*end || end == argv[2] || section < 1 || section > 1000)
            return cmd_error(s, "lesson: expected a section number (1, 2, "
                                "...), got '%s'", argv[2]);
    }
    return lesson_start_at(s, argv[1], (int)section);
}

static int no_args(Session *s, int argc, char **argv)
{
    if (argc > 1) {
        cmd_error(s, "%s: takes no arguments, got '%s'", argv[0], argv[1]);
        return -1;
    }
    return 0;
}

int cmd_next(Session *s, int argc, char **argv)
{
    return no_args(s, argc, argv) < 0 ? CMD_ERR : lesson_next(s);
}

int cmd_back(Session *s, int argc, char **argv)
{
    return no_args(s, argc, argv) < 0 ? CMD_ERR : lesson_back(s);
}

int cmd_again(Session *s, int argc, char **argv)
{
    return no_args(s, argc, argv) < 0 ? CMD_ERR : lesson_again(s);
}

/* `check` judges the lesson's checks; `check EXPR` judges EXPR. */
int cmd_check(Session *s, int argc, char **argv)
{
    if (argc == 1)
        return lesson_check(s);
    size_t len = 1;
    for (int i = 1; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *text = malloc(len);
    if (!text)
        return cmd_error(s, "check: out of memory");
    text[0] = 0;
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            strcat(text, " ");
        strcat(text, argv[i]);
    }
    char err[300];
    CheckExpr *c = check_compile(text, err, sizeof err);
    free(text);
    if (!c)
        return cmd_error(s, "check: %s", err);
    if (lesson_check_vars(c, err, sizeof err) < 0) {
        check_free(c);
        return cmd_error(s, "check: %s", err);
    }
    int pass = lesson_eval_print(s, c, NULL);
    check_free(c);
    if (!pass) {
        s->failures++;
        return CMD_ERR;
    }
    return CMD_OK;
}
