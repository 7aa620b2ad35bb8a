/*
 * lesson_answer.c — questions a student can answer.
 *
 * A question may carry its answer (`answer:` in the lesson file) and
 * choices (`choice:`).  When the walk reaches one, the question waits: the
 * student types `answer TEXT` — or just the text, since a line that is no
 * command is taken as the answer while a question waits — and sees whether
 * it matches, and why.  Moving on without answering (next, back, again,
 * lesson end) shows the answer and its explanation too, so no student
 * leaves a question without it.
 *
 * What matches: for a multiple choice, the choice's letter ("b", "b)") or
 * its whole text; for a number, any number within 2% of it (students
 * round: 176.3 for 176.2605); for words, any of the alternatives separated
 * by '/' standing as whole words in what was typed ("zero-centred" for
 * "zero centred/centered").
 */
#include "lesson_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "out.h"

static LessonItem *waiting(const Session *s)
{
    const struct LessonRun *run = s->lesson;
    if (!run || run->question < 0)
        return NULL;
    return &run->L->sections[run->sec].items[run->question];
}

void lesson_question_print(Session *s, const LessonItem *q)
{
    lesson_print_lines(s, "? ", "  ", q->text);
    for (int c = 0; c < q->nchoices; c++)
        out_printf(s, "  %c) %s\n", 'a' + c, q->choices[c]);
}

int lesson_question_ask(Session *s, int qi)
{
    struct LessonRun *run = s->lesson;
    const LessonItem *q = &run->L->sections[run->sec].items[qi];
    lesson_question_print(s, q);
    if (!q->answer)
        return 0;
    run->question = qi;
    if (q->nchoices)
        out_printf(s, "  (type your choice, a to %c; Enter alone shows the "
                      "answer)\n", 'a' + q->nchoices - 1);
    else
        out_printf(s, "  (type your answer; Enter alone shows it)\n");
    return 1;
}

/* The answer as the student should read it: "b) std 1" for a choice. */
static void print_answer(Session *s, const LessonItem *q)
{
    if (q->nchoices)
        out_printf(s, "%s) %s", q->answer, q->choices[q->answer[0] - 'a']);
    else
        out_printf(s, "%s", q->answer);
}

void lesson_question_show_answer(Session *s, const LessonItem *q)
{
    if (!q->answer)
        return;
    out_printf(s, "  answer: ");
    print_answer(s, q);
    out_printf(s, "\n");
    if (q->explain)
        lesson_print_lines(s, "  ", "  ", q->explain);
}

void lesson_question_reveal(Session *s)
{
    const LessonItem *q = waiting(s);
    if (!q)
        return;
    out_printf(s, "(The question before had this answer.)\n");
    lesson_question_show_answer(s, q);
    s->lesson->question = -1;
}

/* ------------------------------------------------------------------ */
/* Judging                                                              */
/* ------------------------------------------------------------------ */

/* Lower case, every run of characters that are not letters or digits one
 * space, and a space at each end: " zero centred ". */
static char *words_of(const char *text)
{
    size_t n = strlen(text);
    char *w = malloc(n + 3), *p = w;
    if (!w)
        return NULL;
    *p++ = ' ';
    for (const char *t = text; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (isalnum(c) || c == '.' || c >= 0x80)
            *p++ = (char)tolower(c);
        else if (p[-1] != ' ')
            *p++ = ' ';
    }
    if (p[-1] != ' ')
        *p++ = ' ';
    *p = '\0';
    return w;
}

static int has_words(const char *typed, const char *want)
{
    char *t = words_of(typed), *w = words_of(want);
    int ok = t && w && strlen(w) > 2 && strstr(t, w) != NULL;
    free(t);
    free(w);
    return ok;
}

/* A number alone: "176.3". */
static int number_of(const char *text, double *v)
{
    char *end;
    *v = strtod(text, &end);
    while (isspace((unsigned char)*end))
        end++;
    return end != text && *end == '\0' && isfinite(*v);
}

/* The first number in what was typed: "about 0.64" gives 0.64. */
static int first_number(const char *text, double *v)
{
    for (const char *p = text; *p; p++)
        if (isdigit((unsigned char)*p) || ((*p == '-' || *p == '.') &&
                                           isdigit((unsigned char)p[1]))) {
            char *end;
            *v = strtod(p, &end);
            return end != p && isfinite(*v);
        }
    return 0;
}

/* "b", "b)", "(b)" or the right choice's whole text. */
static int choice_matches(const LessonItem *q, const char *typed)
{
    const char *p = typed + (typed[0] == '(');
    size_t n = strlen(p);
    while (n > 0 && strchr(") .", p[n - 1]))
        n--;
    if (n == 1)
        return tolower((unsigned char)p[0]) == q->answer[0];
    return strcasecmp(typed, q->choices[q->answer[0] - 'a']) == 0;
}

static int matches(const LessonItem *q, const char *typed)
{
    double want, got;
    if (q->nchoices)
        return choice_matches(q, typed);
    if (number_of(q->answer, &want))
        return first_number(typed, &got) &&
               fabs(got - want) <= 0.02 * fabs(want) + 1e-12;
    char *alts = strdup(q->answer);
    int ok = 0;
    for (char *save, *a = alts ? strtok_r(alts, "/", &save) : NULL; a && !ok;
         a = strtok_r(NULL, "/", &save))
        ok = has_words(typed, a);
    free(alts);
    return ok;
}

int lesson_question_judge(Session *s, const char *typed)
{
    const LessonItem *q = waiting(s);
    if (!q)
        return -1;
    int right = matches(q, typed);
    out_printf(s, "%s%s%s %s", out_color(s, right ? OUT_GREEN : OUT_RED),
               lesson_mark(right), out_color(s, OUT_RESET),
               right ? "right: " : "not quite; the answer is ");
    print_answer(s, q);
    out_printf(s, "\n");
    if (q->explain)
        lesson_print_lines(s, "  ", "  ", q->explain);
    s->lesson->question = -1;
    return right;
}

const char *lesson_question_typed(Session *s, const char *line)
{
    struct LessonRun *run = s->lesson;
    if (!waiting(s))
        return NULL;
    const char *w = line;
    while (isspace((unsigned char)*w))
        w++;
    size_t n = strcspn(w, " \t;#");
    char word[64];
    if (n == 0)
        return NULL;
    if (n < sizeof word) {
        memcpy(word, w, n);
        word[n] = '\0';
        if (cmd_find(s, word))
            return NULL; /* a command, run as one */
    }
    /* answer "TEXT": quoted, so that a ';' or '#' in it stays text */
    free(run->typed);
    run->typed = malloc(2 * strlen(w) + sizeof "answer \"\"");
    if (!run->typed)
        return NULL;
    char *p = run->typed + sprintf(run->typed, "answer \"");
    for (const char *t = w; *t; t++) {
        if (*t == '"' || *t == '\\')
            *p++ = '\\';
        *p++ = *t;
    }
    strcpy(p, "\"");
    return run->typed;
}
