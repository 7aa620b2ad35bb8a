/*
 * lesson.c — the lesson runner: listing, starting, walking a section,
 * judging checks, and the unattended --auto run.
 *
 * A section is walked top to bottom.  Prose and questions are printed,
 * checks are judged the moment they are reached, and at a command the walk
 * stops: the command goes on the student's prompt (shell_preinput) and the
 * runner waits for the shell to report what the student ran
 * (lesson_after_line).  Running that command, or an edit of it (the same
 * command name), moves the walk on; anything else is the student's own
 * exploration, after which the lesson's command is offered again.  A
 * command that starts background training makes the walk wait for the job
 * to end (lesson_after_job), so checks judge the trained model.
 *
 * A section counts as done when the walk reached its end with every check
 * passing, or when `check` finds them all passing; progress is saved at
 * once, so leaving with Ctrl-D loses nothing.  The unattended run
 * (--auto) is in lesson_auto.c.
 */
#include "lesson_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "job.h"
#include "model.h"
#include "nnlab.h"
#include "out.h"


/* ------------------------------------------------------------------ */
/* The walk                                                             */

static LessonSection *section(const struct LessonRun *run)
{
    return &run->L->sections[run->sec];
}

/* Put text on the prompt.  With no terminal there is no prompt to put it
 * on, so a lesson command is shown instead (`show`). */
static void offer(Session *s, const char *text, int show)
{
    s->lesson->offer = text;
    lesson_offer_text(s, text);
    if (show && !s->interactive)
        out_printf(s, "> %s\n", text);
}

static void save_progress(Session *s)
{
    struct LessonRun *run = s->lesson;
    if (lesson_progress_put(run->L->name, run->done, run->L->nsections) < 0) {
        char path[1100];
        if (lesson_progress_path(path, sizeof path) == 0)
            out_printf(s, "lesson: could not save progress in %s\n", path);
    }
}

static void mark_done(Session *s)
{
    struct LessonRun *run = s->lesson;
    if (!run->done[run->sec]) {
        run->done[run->sec] = 1;
        save_progress(s);
    }
}

static int count_done(const struct LessonRun *run)
{
    int n = 0;
    for (int i = 0; i < run->L->nsections; i++)
        n += run->done[i];
    return n;
}

static void section_finished(Session *s)
{
    struct LessonRun *run = s->lesson;
    int last = run->sec == run->L->nsections - 1;
    if (run->failed_here == 0)
        mark_done(s);
    else
        out_printf(s, "Not all checks passed: change what you need and type "
                      "'check', or 'again' to redo the section.\n");
    if (last) {
        out_printf(s, "End of the lesson (%d of %d sections done). "
                      "'lesson end' leaves it and brings back your own "
                      "work.\n",
                   count_done(run), run->L->nsections);
        offer(s, "lesson end", 0);
    } else {
        out_printf(s, "End of section %d. 'next' goes on to: %s\n",
                   run->sec + 1, run->L->sections[run->sec + 1].title);
        offer(s, "next", 0);
    }
}

/* Take items until a command to wait for, or the end of the section. */
static void advance(Session *s)
{
    struct LessonRun *run = s->lesson;
    LessonSection *sec = section(run);
    while (run->pos < sec->nitems) {
        LessonItem *it = &sec->items[run->pos];
        switch (it->kind) {
        case LESSON_PROSE:
            lesson_print_lines(s, "", "", it->text);
            break;
        case LESSON_QUESTION:
            if (lesson_question_ask(s, run->pos)) {
                run->pos++; /* the walk goes on once it is answered */
                return;
            }
            break;
        case LESSON_CHECK:
            if (!lesson_eval_print(s, it->expr, it->explain))
                run->failed_here++;
            break;
        case LESSON_COMMAND:
            run->pending = run->pos;
            offer(s, it->text, 1);
            return;
        }
        run->pos++;
    }
    section_finished(s);
}

static void set_prompt(Session *s)
{
    struct LessonRun *run = s->lesson;
    char prompt[128];
    snprintf(prompt, sizeof prompt, "[%s %d/%d] nnlab> ", run->L->name,
             run->sec + 1, run->L->nsections);
    lesson_set_prompt_text(s, prompt);
}

void lesson_resume_on_terminal(Session *s)
{
    if (!s->lesson)
        return;
    set_prompt(s);
    if (s->lesson->offer)
        lesson_offer_text(s, s->lesson->offer);
}

static void start_section(Session *s, int i)
{
    struct LessonRun *run = s->lesson;
    lesson_question_reveal(s); /* moving on without answering */
    run->sec = i;
    run->pos = 0;
    run->pending = -1;
    run->waiting_job = 0;
    run->failed_here = 0;
    run->offer = NULL;
    set_prompt(s);
    out_printf(s, "\n%s== %d/%d %s%s\n", out_color(s, OUT_BOLD), i + 1,
               run->L->nsections, section(run)->title, out_color(s, OUT_RESET));
    advance(s);
}

/* The first word of a line, for comparing commands. */
static size_t first_word(const char *line, const char **start)
{
    while (*line == ' ' || *line == '\t')
        line++;
    *start = line;
    return strcspn(line, " \t;#");
}

static int same_command(const char *a, const char *b)
{
    const char *wa, *wb;
    size_t na = first_word(a, &wa), nb = first_word(b, &wb);
    return na > 0 && na == nb && strncmp(wa, wb, na) == 0;
}

static int is_lesson_control(const char *line)
{
    static const char *const words[] = {"lesson", "next", "back", "again",
                                        "check", "answer", NULL};
    const char *w;
    size_t n = first_word(line, &w);
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == n && strncmp(w, words[i], n) == 0)
            return 1;
    return 0;
}

const char *lesson_typed(Session *s, const char *line)
{
    struct LessonRun *run = s->lesson;
    if (!run)
        return line;
    const char *answer = lesson_question_typed(s, line);
    if (answer)
        return answer;
    if (!run->offer)
        return line;
    size_t n = strlen(run->offer);
    if (strncmp(line, run->offer, n) || !line[n])
        return line;
    /* only glued on: "help next" with "help" offered means help on next */
    const char *rest = line + n;
    return *rest != ' ' && *rest != '\t' && is_lesson_control(rest) ? rest
                                                                      : line;
}

/* The walk goes on after a question, answered or shown. */
static void after_question(Session *s)
{
    struct LessonRun *run = s->lesson;
    if (run->pending < 0 && !run->waiting_job)
        advance(s);
    else if (run->offer)
        lesson_offer_text(s, run->offer);
}

void lesson_after_line(Session *s, const char *line, int status)
{
    struct LessonRun *run = s->lesson;
    if (!run || run->waiting_job)
        return;
    if (run->question >= 0 && line[strspn(line, " \t")] == '\0') {
        /* Enter alone while a question waits: its answer, and on */
        lesson_question_reveal(s);
        after_question(s);
        return;
    }
    const LessonItem *want = run->pending >= 0
                                 ? &section(run)->items[run->pending] : NULL;
    int ok = status == CMD_OK || (want && want->expect_fail &&
                                  status == CMD_ERR);
    if (!want || is_lesson_control(line) || !ok ||
        !same_command(line, want->text)) {
        /* the student's own command: offer the lesson's again, quietly */
        if (run->offer)
            lesson_offer_text(s, run->offer);
        return;
    }
    run->pos = run->pending + 1;
    run->pending = -1;
    run->offer = NULL;
    if (s->job.active) {
        run->waiting_job = 1;
        return;
    }
    advance(s);
}

void lesson_after_job(Session *s)
{
    struct LessonRun *run = s->lesson;
    if (!run || !run->waiting_job)
        return;
    run->waiting_job = 0;
    advance(s);
}

/* ------------------------------------------------------------------ */
/* Commands                                                             */

void lesson_close(Session *s)
{
    struct LessonRun *run = s->lesson;
    if (!run)
        return;
    model_stash_free(s, &run->before);
    lesson_free(run->L);
    free(run->done);
    free(run->typed);
    free(run);
    s->lesson = NULL;
}

/* Leave the running lesson: the student's own work comes back. */
static void leave(Session *s)
{
    struct LessonRun *run = s->lesson;
    job_stop(s, "the lesson ended");
    lesson_question_reveal(s);
    model_unstash(s, &run->before);
    lesson_offer_text(s, NULL);
    lesson_set_prompt_text(s, NULL);
    lesson_close(s);
}

/* What came back, in a few words: "data circles, net 2-10-5-1". */
static void say_restored(Session *s)
{
    if (!s->data && !s->net) {
        out_printf(s, "You had no data or network before the lesson; the "
                      "settings are back to what they were.\n");
        return;
    }
    out_printf(s, "Your work from before the lesson is back (");
    if (s->data)
        out_printf(s, "data %s%s", nn_data_name(s->data), s->net ? ", " : "");
    if (s->net) {
        out_printf(s, "net %d", s->net->n_in);
        for (int i = 0; i < s->net->n_layers; i++)
            out_printf(s, "-%d", s->net->L[i].out);
    }
    out_printf(s, ") with its settings.\n");
}

int lesson_start_at(Session *s, const char *name, int first)
{
    if (s->job.active)
        return cmd_error(s, "training is running; type pause "
                         "first");
    Lesson *L = lesson_load_named(s, name);
    if (!L)
        return CMD_ERR;
    if (first < 0 || first > L->nsections) {
        cmd_error(s, "%s has sections 1 to %d, got %d", L->name,
                  L->nsections, first);
        lesson_free(L);
        return CMD_ERR;
    }
    struct LessonRun *run = calloc(1, sizeof *run);
    unsigned char *done = calloc((size_t)L->nsections, 1);
    if (!run || !done) {
        free(run);
        free(done);
        lesson_free(L);
        return cmd_error(s, "out of memory");
    }
    if (s->lesson)
        leave(s); /* the one before: the student's work comes back first */
    run->L = L;
    run->done = done;
    run->question = -1;
    s->lesson = run;
    session_on_free(s, lesson_close);
    model_stash(s, &run->before);
    int before = lesson_progress_get(L->name, done, L->nsections);
    out_printf(s, "%s%s%s (lesson %s, %d sections", out_color(s, OUT_BOLD), L->title,
               out_color(s, OUT_RESET), L->name, L->nsections);
    if (before)
        out_printf(s, ", %d done before", before);
    out_printf(s, ")\n");
    if (L->summary[0])
        out_printf(s, "%s\n", L->summary);
    out_printf(s, "Your data, network and settings are put aside until the "
                  "lesson ends: it\nstarts from the defaults, so nothing "
                  "you set before changes its results.\n");
    out_printf(s, "Each command comes on your prompt: Enter runs it, or edit "
                  "it first.\nTry your own commands in between. Also: "
                  "next, back, again, check, lesson end.\n");
    start_section(s, first > 0 ? first - 1 : 0);
    return CMD_OK;
}

int lesson_start(Session *s, const char *name)
{
    return lesson_start_at(s, name, 0);
}

static struct LessonRun *running(Session *s)
{
    if (!s->lesson)
        cmd_error(s, "no lesson is running (start one with 'lesson "
                     "NAME'; 'lesson' lists them)");
    return s->lesson;
}

/* `answer TEXT`.  A wrong answer is not a failed command: the student
 * learns from it, and a script goes on. */
int lesson_answer(Session *s, const char *typed)
{
    struct LessonRun *run = running(s);
    if (!run)
        return CMD_ERR;
    while (*typed == ' ' || *typed == '\t')
        typed++;
    if (!*typed)
        return cmd_error(s, "what is your answer? (answer TEXT)");
    if (lesson_question_judge(s, typed) < 0)
        return cmd_error(s, "no question is waiting for an answer");
    after_question(s);
    return CMD_OK;
}

/* Commands of the current section not run yet (the one on the prompt
 * included): a later section may need what they set up. */
static int commands_left(const struct LessonRun *run)
{
    const LessonSection *sec = &run->L->sections[run->sec];
    int from = run->pending >= 0 ? run->pending : run->pos, n = 0;
    for (int i = from; i < sec->nitems; i++)
        n += sec->items[i].kind == LESSON_COMMAND;
    return n;
}

/* `check` before the section's commands have run: nothing of theirs to
 * judge yet, so say which are still to run. */
static int not_yet(Session *s, const struct LessonRun *run)
{
    const LessonSection *sec = &run->L->sections[run->sec];
    int from = run->pending >= 0 ? run->pending : run->pos;
    char list[400] = "";
    for (int i = from; i < sec->nitems; i++)
        if (sec->items[i].kind == LESSON_COMMAND)
            snprintf(list + strlen(list), sizeof list - strlen(list),
                     "%s'%s'", list[0] ? ", " : "", sec->items[i].text);
    return cmd_error(s, "nothing to judge yet: section %d's commands %s are "
                     "still to run (Enter runs the one on the prompt)",
                     run->sec + 1, list);
}

int lesson_next(Session *s)
{
    struct LessonRun *run = running(s);
    if (!run)
        return CMD_ERR;
    if (run->sec + 1 >= run->L->nsections)
        return cmd_error(s, "this is the last section ('lesson end' "
                            "leaves the lesson)");
    int left = commands_left(run);
    if (left)
        out_printf(s, "note: %d command%s of section %d not run; what "
                      "follows may need %s ('back' returns)\n", left,
                   left == 1 ? "" : "s", run->sec + 1,
                   left == 1 ? "it" : "them");
    start_section(s, run->sec + 1);
    return CMD_OK;
}

int lesson_back(Session *s)
{
    struct LessonRun *run = running(s);
    if (!run)
        return CMD_ERR;
    if (run->sec == 0)
        return cmd_error(s, "this is the first section ('again' "
                            "repeats it)");
    start_section(s, run->sec - 1);
    return CMD_OK;
}

int lesson_again(Session *s)
{
    struct LessonRun *run = running(s);
    if (!run)
        return CMD_ERR;
    start_section(s, run->sec);
    return CMD_OK;
}

/* A failed check is not a wrong command, but scripts should see it: the
 * status is CMD_ERR and it counts as a failure. */
int lesson_check(Session *s)
{
    struct LessonRun *run = running(s);
    if (!run)
        return CMD_ERR;
    LessonSection *sec = section(run);
    if (sec->nchecks == 0) {
        out_printf(s, "Section %d has no checks.\n", run->sec + 1);
        return CMD_OK;
    }
    if (commands_left(run))
        return not_yet(s, run);
    int failed = 0;
    for (int i = 0; i < sec->nitems; i++)
        if (sec->items[i].kind == LESSON_CHECK &&
            !lesson_eval_print(s, sec->items[i].expr, sec->items[i].explain))
            failed++;
    if (failed) {
        s->failures++;
        return CMD_ERR;
    }
    mark_done(s);
    return CMD_OK;
}

int lesson_end(Session *s)
{
    struct LessonRun *run = running(s);
    if (!run)
        return CMD_ERR;
    out_printf(s, "Left lesson %s: %d of %d sections done.\n", run->L->name,
               count_done(run), run->L->nsections);
    leave(s);
    say_restored(s);
    return CMD_OK;
}
