/*
 * fuzz_lesson.c — libFuzzer harness for lesson files (repl/lessons/lesson_parse.c)
 * and, through their check: lines, check expressions (repl/check/check*.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), err[256] = "";
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    Lesson *L = lesson_parse(text, "fuzz.lesson", err, sizeof err);
    if (!L && !err[0])
        abort(); /* failed without saying why */
    lesson_free(L);
    /* the same text as one check expression */
    CheckExpr *c = check_compile(text, err, sizeof err);
    check_free(c);
    free(text);
    return 0;
}
