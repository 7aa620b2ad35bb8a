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
#include "lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "model.h"
#include "out.h"
#include "text.h"

struct LessonRun {
    Lesson *L;
    int sec;              /* current section, 0-based */
    int pos;              /* next item of the section to take */
    int pending;          /* item index of the command on the prompt, or -1 */
    int waiting_job;      /* a lesson command started training: wait for it */
    int failed_here;      /* checks failed so far in this walk of the section */
    const char *offer;    /* text on the prompt (points into L), or NULL */
    unsigned char *done;  /* per section */
};

/* ------------------------------------------------------------------ */
/* Output                                                               */

/* The check marks need UTF-8; the locale variables say whether the
 * terminal has it (LC_ALL=C, as in the tests, gets ASCII). */
static int utf8_ok(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return 0;
}

/* Print text line by line, the first line after `first`, the rest after
 * `rest` (an indent). */
void lesson_print_lines(Session *s, const char *first, const char *rest,
                        const char *text)
{
    const char *p = text;
    int n = 0;
    do {
        size_t len = strcspn(p, "\n");
        out_printf(s, "%s%.*s\n", len ? (n ? rest : first) : "", (int)len, p);
        p += len + (p[len] == '\n');
        n++;
    } while (*p);
}

static int session_lookup(void *ctx, const char *name, int index,
                          double *value)
{
    Session *s = ctx;
    if (s->hooks.lookup)
        return s->hooks.lookup(s, name, index, value);
    return model_lookup(s, name, index, value);
}

/* What the terminal does for the runner, when there is one. */
static void offer_text(Session *s, const char *text)
{
    if (s->hooks.offer)
        s->hooks.offer(s, text);
}

static void set_prompt_text(Session *s, const char *prompt)
{
    if (s->hooks.set_prompt)
        s->hooks.set_prompt(s, prompt);
}

int lesson_eval_print(Session *s, const CheckExpr *c, const char *explain)
{
    CheckResult r;
    int utf8 = utf8_ok();
    check_eval(c, session_lookup, s, &r);
    int pass = r.status == CHECK_PASS;
    const char *mark = pass ? (utf8 ? "\u2713" : "[ok]")
                            : (utf8 ? "\u2717" : "[FAIL]");
    out_printf(s, "%s%s%s check %s: %s", out_color(s, pass ? OUT_GREEN : OUT_RED), mark,
               out_color(s, OUT_RESET), pass ? "passed" : "failed", check_text(c));
    if (r.status == CHECK_ERROR)
        out_printf(s, " (%s)\n", r.error);
    else if (r.found[0])
        out_printf(s, " (found %s)\n", r.found);
    else
        out_printf(s, "\n");
    /* nothing measured yet: the explanation of a result would mislead */
    if (r.status == CHECK_ERROR && strstr(r.error, "not available"))
        out_printf(s, "  Nothing to judge yet: run the section's commands "
                      "first ('again' offers them).\n");
    else if (!pass && explain)
        lesson_print_lines(s, "  ", "  ", explain);
    return pass;
}

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
    offer_text(s, text);
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
                      "'lesson end' leaves it.\n",
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
            lesson_print_lines(s, "? ", "  ", it->text);
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
    set_prompt_text(s, prompt);
}

static void start_section(Session *s, int i)
{
    struct LessonRun *run = s->lesson;
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
                                        "check", NULL};
    const char *w;
    size_t n = first_word(line, &w);
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == n && strncmp(w, words[i], n) == 0)
            return 1;
    return 0;
}

const char *lesson_unoffer(Session *s, const char *line)
{
    struct LessonRun *run = s->lesson;
    if (!run || !run->offer)
        return line;
    size_t n = strlen(run->offer);
    if (strncmp(line, run->offer, n) || !line[n])
        return line;
    /* only glued on: "help next" with "help" offered means help on next */
    const char *rest = line + n;
    return *rest != ' ' && *rest != '\t' && is_lesson_control(rest) ? rest
                                                                      : line;
}

void lesson_after_line(Session *s, const char *line, int status)
{
    struct LessonRun *run = s->lesson;
    if (!run || run->waiting_job)
        return;
    if (run->pending < 0 || is_lesson_control(line) || status != CMD_OK ||
        !same_command(line, section(run)->items[run->pending].text)) {
        /* the student's own command: offer the lesson's again, quietly */
        if (run->offer)
            offer_text(s, run->offer);
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

Lesson *lesson_load_named(Session *s, const char *name)
{
    char path[1200], err[512];
    if (lesson_find(name, path, sizeof path) < 0) {
        const char *const *names = lesson_list_names();
        const char *near = text_did_you_mean(name, names);
        char list[400] = "";
        for (int i = 0; names[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     i ? ", " : "", names[i]);
        if (near)
            cmd_error(s, "no lesson named '%s' (did you mean "
                         "'%s'?)", name, near);
        else if (list[0])
            cmd_error(s, "no lesson named '%s' (lessons: %s)", name,
                      list);
        else
            cmd_error(s, "no lesson named '%s' (no lessons found; "
                         "set NNLAB_LESSONS to their directory)", name);
        return NULL;
    }
    Lesson *L = lesson_load(path, err, sizeof err);
    if (!L)
        cmd_error(s, "%s", err);
    return L;
}

void lesson_close(Session *s)
{
    struct LessonRun *run = s->lesson;
    if (!run)
        return;
    lesson_free(run->L);
    free(run->done);
    free(run);
    s->lesson = NULL;
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
    lesson_close(s);
    run->L = L;
    run->done = done;
    s->lesson = run;
    session_on_free(s, lesson_close);
    int before = lesson_progress_get(L->name, done, L->nsections);
    out_printf(s, "%s%s%s (lesson %s, %d sections", out_color(s, OUT_BOLD), L->title,
               out_color(s, OUT_RESET), L->name, L->nsections);
    if (before)
        out_printf(s, ", %d done before", before);
    out_printf(s, ")\n");
    if (L->summary[0])
        out_printf(s, "%s\n", L->summary);
    model_settings_default(s);
    out_printf(s, "Training settings are back to their defaults (optim, lr, "
                  "batch, decay, reg,\ndropout, init, seed), so the lesson "
                  "sees what it expects.\n");
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
    offer_text(s, NULL);
    set_prompt_text(s, NULL);
    lesson_close(s);
    return CMD_OK;
}

/* One row of the `lesson` list. */
typedef struct ListRow {
    const char *name;
    Lesson *L;        /* NULL when it does not load */
    char err[512];
} ListRow;

/* Lessons with an order: first, by it; then the rest by name. */
static int cmp_rows(const void *pa, const void *pb)
{
    const ListRow *a = pa, *b = pb;
    int oa = a->L && a->L->order ? a->L->order : 100000;
    int ob = b->L && b->L->order ? b->L->order : 100000;
    if (oa != ob)
        return oa < ob ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void print_row(Session *s, const ListRow *row, int width)
{
    char progress[32];
    const Lesson *L = row->L;
    if (!L) {
        out_printf(s, "  %-*s  error: %s\n", width, row->name, row->err);
        return;
    }
    unsigned char *done = calloc((size_t)L->nsections, 1);
    int n = done ? lesson_progress_get(L->name, done, L->nsections) : 0;
    free(done);
    if (n == 0)
        snprintf(progress, sizeof progress, "new");
    else if (n == L->nsections)
        snprintf(progress, sizeof progress, "done");
    else
        snprintf(progress, sizeof progress, "%d/%d", n, L->nsections);
    out_printf(s, "  %-*s  %-5s  %s\n", width, row->name, progress,
               L->summary[0] ? L->summary : L->title);
}

int lesson_list(Session *s)
{
    const char *const *names = lesson_list_names();
    int n = 0, width = 6;
    while (names[n])
        n++;
    if (n == 0)
        return cmd_error(s, "no lessons found (set NNLAB_LESSONS to "
                            "the directory of the .lesson files)");
    ListRow *rows = calloc((size_t)n, sizeof *rows);
    if (!rows)
        return cmd_error(s, "out of memory");
    for (int i = 0; i < n; i++) {
        char path[1200];
        rows[i].name = names[i];
        if (lesson_find(names[i], path, sizeof path) == 0)
            rows[i].L = lesson_load(path, rows[i].err, sizeof rows[i].err);
        else
            snprintf(rows[i].err, sizeof rows[i].err, "cannot read it");
        if ((int)strlen(names[i]) > width)
            width = (int)strlen(names[i]);
    }
    qsort(rows, (size_t)n, sizeof *rows, cmp_rows);
    out_printf(s, "Lessons ('lesson NAME' starts one):\n");
    for (int i = 0; i < n; i++) {
        print_row(s, &rows[i], width);
        lesson_free(rows[i].L);
    }
    free(rows);
    if (s->lesson)
        out_printf(s, "Now in: %s, section %d of %d.\n", s->lesson->L->name,
                   s->lesson->sec + 1, s->lesson->L->nsections);
    return CMD_OK;
}
