/*
 * lesson_parse.c — read a lesson file into a Lesson.
 *
 * The format is line oriented so that a teacher can write it by copying an
 * example (lessons/README.md):
 *
 *   # a comment                  title: Initialization
 *   summary: one line            == Section title
 *   prose lines                  > a command to run
 *   ? a question                 check: EXPR | shown when it fails
 *   | more of the explanation    \> a prose line that starts with '>'
 *
 * Every mistake is reported as "FILE:LINE: what is wrong", checks included:
 * their expressions are compiled here and their variable names checked
 * against the list the shell knows.
 */
#include "lesson.h"

#include "line.h"
#include "model.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20)


/* ------------------------------------------------------------------ */
/* Variable names                                                       */

/* The spelling of a known name as a teacher writes it. */
static void written_form(const char *name, char *buf, size_t n)
{
    const char *dot = strchr(name, '.');
    if (dot)
        snprintf(buf, n, "%.*s[1]%s", (int)(dot - name), name, dot);
    else
        snprintf(buf, n, "%s", name);
}

static int check_vars(const CheckExpr *c, char *err, size_t errlen)
{
    for (int i = 0; i < check_nvars(c); i++) {
        const char *name = check_var_name(c, i);
        int known = 0;
        for (int k = 0; model_var_names[k] && !known; k++)
            known = strcmp(name, model_var_names[k]) == 0;
        int per_layer = strchr(name, '.') != NULL;
        char form[96];
        if (!known) {
            const char *guess = text_did_you_mean(name, model_var_names);
            if (guess) {
                written_form(guess, form, sizeof form);
                snprintf(err, errlen, "unknown variable '%s' (did you mean "
                         "'%s'?)", check_var_text(c, i), form);
            } else {
                snprintf(err, errlen, "unknown variable '%s' (see "
                         "lessons/README.md for the list)",
                         check_var_text(c, i));
            }
            return -1;
        }
        if (per_layer && !check_var_has_index(c, i)) {
            written_form(name, form, sizeof form);
            snprintf(err, errlen, "'%s' needs a layer number, as in '%s'",
                     check_var_text(c, i), form);
            return -1;
        }
        if (!per_layer && check_var_has_index(c, i)) {
            snprintf(err, errlen, "'%s' takes no layer number: write '%s'",
                     check_var_text(c, i), name);
            return -1;
        }
    }
    return 0;
}

CheckExpr *lesson_compile_check(const char *text, char *err, size_t errlen)
{
    CheckExpr *c = check_compile(text, err, errlen);
    if (c && check_vars(c, err, errlen) < 0) {
        check_free(c);
        return NULL;
    }
    return c;
}

/* ------------------------------------------------------------------ */
/* Building the Lesson                                                  */

typedef struct Reader {
    Lesson *L;
    const char *file;
    int line;
    char *err;
    size_t errlen;
    int failed;
    /* The item that a following line may continue: prose gets more prose,
     * a question more '?' lines, a check more '|' lines. */
    LessonItem *open;
} Reader;

static int fail(Reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(Reader *r, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!r->failed && r->err && r->errlen)
        snprintf(r->err, r->errlen, "%s:%d: %s", r->file, r->line, msg);
    r->failed = 1;
    return -1;
}

static char *trimmed_dup(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* Append "\n" + more to *text. */
static int append_line(char **text, const char *more)
{
    size_t a = strlen(*text), b = strlen(more);
    char *t = realloc(*text, a + b + 2);
    if (!t)
        return -1;
    t[a] = '\n';
    memcpy(t + a + 1, more, b + 1);
    *text = t;
    return 0;
}

static LessonSection *current_section(Reader *r)
{
    return r->L->nsections ? &r->L->sections[r->L->nsections - 1] : NULL;
}

static LessonItem *add_item(Reader *r, lesson_item_kind kind, char *text)
{
    LessonSection *sec = current_section(r);
    if (!text) {
        fail(r, "out of memory");
        return NULL;
    }
    LessonItem *items = realloc(sec->items,
                                (size_t)(sec->nitems + 1) * sizeof *items);
    if (!items) {
        free(text);
        fail(r, "out of memory");
        return NULL;
    }
    sec->items = items;
    LessonItem *it = &items[sec->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->text = text;
    it->line = r->line;
    sec->ncommands += kind == LESSON_COMMAND;
    sec->nchecks += kind == LESSON_CHECK;
    return it;
}

static int add_section(Reader *r, const char *title)
{
    Lesson *L = r->L;
    char *t = trimmed_dup(title);
    if (!t)
        return fail(r, "out of memory");
    if (!*t) {
        free(t);
        return fail(r, "a section needs a title after '=='");
    }
    LessonSection *secs = realloc(L->sections,
                                  (size_t)(L->nsections + 1) * sizeof *secs);
    if (!secs) {
        free(t);
        return fail(r, "out of memory");
    }
    L->sections = secs;
    LessonSection *sec = &secs[L->nsections++];
    memset(sec, 0, sizeof *sec);
    sec->title = t;
    sec->line = r->line;
    r->open = NULL;
    return 0;
}

static int add_check(Reader *r, const char *body)
{
    const char *bar = strchr(body, '|');
    size_t n = bar ? (size_t)(bar - body) : strlen(body);
    char *expr_text = malloc(n + 1);
    if (!expr_text)
        return fail(r, "out of memory");
    memcpy(expr_text, body, n);
    expr_text[n] = 0;
    if (bar && bar[1] == '|') {
        free(expr_text);
        return fail(r, "check: write 'or', not '||' ('|' starts the "
                       "explanation)");
    }
    char msg[300];
    CheckExpr *c = lesson_compile_check(expr_text, msg, sizeof msg);
    free(expr_text);
    if (!c)
        return fail(r, "check: %s", msg);
    LessonItem *it = add_item(r, LESSON_CHECK, strdup(check_text(c)));
    if (!it) {
        check_free(c);
        return -1;
    }
    it->expr = c;
    if (bar) {
        it->explain = trimmed_dup(bar + 1);
        if (!it->explain)
            return fail(r, "out of memory");
        if (!*it->explain) {
            free(it->explain);
            it->explain = NULL;
        }
    }
    r->open = it;
    return 0;
}

/* "choice: TEXT" and "answer: TEXT | EXPLANATION", after a question. */
static int add_choice(Reader *r, const char *body)
{
    LessonItem *q = r->open;
    if (!q || q->kind != LESSON_QUESTION || q->answer)
        return fail(r, "a 'choice:' line follows a question ('?'), before "
                       "its 'answer:'");
    if (q->nchoices == LESSON_MAX_CHOICES)
        return fail(r, "at most %d choices", LESSON_MAX_CHOICES);
    char *c = trimmed_dup(body);
    if (!c)
        return fail(r, "out of memory");
    q->choices[q->nchoices++] = c;
    return *c ? 0 : fail(r, "'choice:' needs text after it");
}

static int add_answer(Reader *r, const char *body)
{
    LessonItem *q = r->open;
    if (!q || q->kind != LESSON_QUESTION || q->answer)
        return fail(r, "an 'answer:' line follows a question ('?' and its "
                       "choices), once");
    const char *bar = strchr(body, '|');
    size_t n = bar ? (size_t)(bar - body) : strlen(body);
    char *a = strndup(body, n), *t = a ? trimmed_dup(a) : NULL;
    free(a);
    if (!t)
        return fail(r, "out of memory");
    q->answer = t;
    if (!*t)
        return fail(r, "'answer:' needs the answer after it");
    if (q->nchoices && !(strlen(t) == 1 && t[0] >= 'a' &&
                         t[0] < 'a' + q->nchoices))
        return fail(r, "the answer to a multiple choice is the letter of a "
                       "choice, a to %c", 'a' + q->nchoices - 1);
    if (bar && !(q->explain = trimmed_dup(bar + 1)))
        return fail(r, "out of memory");
    return 0;
}

/* One line inside a section. */
/* 1 when a lesson's command line would leave nnlab: the runner would end
 * mid-lesson (and --auto count it as a failed command).  A lesson ends
 * with the student's 'lesson end'. */
static int quits(const char *cmd)
{
    LineCmd *cmds;
    char err[128];
    int n = line_split(cmd, &cmds, err, sizeof err), found = 0;
    for (int i = 0; i < n && !found; i++)
        found = !strcmp(cmds[i].argv[0], "quit") ||
                !strcmp(cmds[i].argv[0], "exit");
    if (n >= 0)
        line_free(cmds, n);
    return found;
}

static int section_line(Reader *r, const char *line)
{
    LessonItem *open = r->open;
    if (strncmp(line, "choice:", 7) == 0)
        return add_choice(r, line + 7);
    if (strncmp(line, "answer:", 7) == 0)
        return add_answer(r, line + 7);
    if (line[0] == '>') {
        int fails = line[1] == '!';
        char *cmd = trimmed_dup(line + 1 + fails);
        if (cmd && !*cmd) {
            free(cmd);
            return fail(r, "'>' needs a command after it");
        }
        if (cmd && quits(cmd)) {
            free(cmd);
            return fail(r, "a lesson cannot quit nnlab (the student leaves "
                        "it with 'lesson end')");
        }
        r->open = add_item(r, LESSON_COMMAND, cmd);
        if (r->open)
            r->open->expect_fail = fails;
        return r->open ? 0 : -1;
    }
    if (line[0] == '?') {
        char *q = trimmed_dup(line + 1);
        if (q && !*q) {
            free(q);
            return fail(r, "'?' needs a question after it");
        }
        if (open && open->kind == LESSON_QUESTION && !open->nchoices &&
            !open->answer) {
            int rc = q ? append_line(&open->text, q) : -1;
            free(q);
            return rc < 0 ? fail(r, "out of memory") : 0;
        }
        r->open = add_item(r, LESSON_QUESTION, q);
        return r->open ? 0 : -1;
    }
    if (strncmp(line, "check:", 6) == 0)
        return add_check(r, line + 6);
    if (line[0] == '|') {
        if (!open || (open->kind != LESSON_CHECK && !open->answer))
            return fail(r, "a '|' line continues the explanation of the "
                           "check or answer just above it; there is none");
        char *more = trimmed_dup(line + 1);
        if (!more)
            return fail(r, "out of memory");
        int rc = 0;
        if (!open->explain)
            open->explain = more;
        else {
            rc = append_line(&open->explain, more);
            free(more);
        }
        return rc < 0 ? fail(r, "out of memory") : 0;
    }
    /* Prose.  A blank line ends a paragraph; it is kept inside a prose
     * item and dropped at the edges. */
    if (line[0] == '\\')
        line++;
    int blank = 1;
    for (const char *p = line; *p; p++)
        blank &= isspace((unsigned char)*p) != 0;
    if (blank) {
        if (open && open->kind == LESSON_PROSE)
            return append_line(&open->text, "") < 0 ? fail(r, "out of memory")
                                                    : 0;
        r->open = NULL;
        return 0;
    }
    if (open && open->kind == LESSON_PROSE)
        return append_line(&open->text, line) < 0 ? fail(r, "out of memory")
                                                  : 0;
    r->open = add_item(r, LESSON_PROSE, strdup(line));
    return r->open ? 0 : -1;
}

static int header_line(Reader *r, const char *line, const char *key,
                       char **slot)
{
    size_t k = strlen(key);
    if (*slot)
        return fail(r, "a second '%s' line", key);
    *slot = trimmed_dup(line + k);
    if (!*slot)
        return fail(r, "out of memory");
    if (!**slot)
        return fail(r, "'%s' needs text after it", key);
    return 0;
}

static int order_line(Reader *r, const char *text)
{
    char *end;
    long v = strtol(text, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (end == text || *end || v < 1 || v > 9999)
        return fail(r, "'order:' needs a whole number from 1 to 9999");
    if (r->L->order)
        return fail(r, "a second 'order:' line");
    r->L->order = (int)v;
    return 0;
}

static int one_line(Reader *r, char *line)
{
    size_t n = strlen(line);
    while (n > 0 && isspace((unsigned char)line[n - 1]))
        line[--n] = 0;
    if (line[0] == '#')
        return 0;
    if (strncmp(line, "==", 2) == 0)
        return add_section(r, line + 2);
    if (!current_section(r)) {
        if (strncmp(line, "title:", 6) == 0)
            return header_line(r, line, "title:", &r->L->title);
        if (strncmp(line, "summary:", 8) == 0)
            return header_line(r, line, "summary:", &r->L->summary);
        if (strncmp(line, "order:", 6) == 0)
            return order_line(r, line + 6);
        if (n == 0)
            return 0;
        return fail(r, "expected 'title:', 'summary:', 'order:' or the first "
                       "section ('== Section title') here");
    }
    return section_line(r, line);
}

/* Drop blank lines at the end of prose items. */
static void tidy(Lesson *L)
{
    for (int s = 0; s < L->nsections; s++)
        for (int i = 0; i < L->sections[s].nitems; i++) {
            LessonItem *it = &L->sections[s].items[i];
            size_t n = strlen(it->text);
            while (n > 0 && it->text[n - 1] == '\n')
                it->text[--n] = 0;
        }
}

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 7 && strcmp(b + n - 7, ".lesson") == 0)
        n -= 7;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, b, n);
        d[n] = 0;
    }
    return d;
}

Lesson *lesson_parse(const char *text, const char *file, char *err,
                     size_t errlen)
{
    Reader r = {.file = file, .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = 0;
    r.L = calloc(1, sizeof *r.L);
    char *copy = strdup(text);
    if (!r.L || !copy) {
        fail(&r, "out of memory");
        goto done;
    }
    r.L->path = strdup(file);
    r.L->name = base_name(file);
    if (!r.L->path || !r.L->name) {
        fail(&r, "out of memory");
        goto done;
    }
    char *p = copy;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a UTF-8 byte-order mark some editors write */
    while (*p && !r.failed) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        r.line++;
        one_line(&r, p);
        p = eol ? eol + 1 : p + strlen(p);
    }
    if (r.failed)
        goto done;
    r.line = r.line ? r.line : 1;
    if (!r.L->title) {
        r.line = 1;
        fail(&r, "missing 'title:' line (the lesson's title comes first)");
    } else if (r.L->nsections == 0) {
        fail(&r, "no sections (a section starts with '== Section title')");
    }
    for (int s = 0; s < r.L->nsections && !r.failed; s++)
        if (r.L->sections[s].nitems == 0) {
            r.line = r.L->sections[s].line;
            fail(&r, "section '%s' is empty", r.L->sections[s].title);
        }
    if (!r.failed && !r.L->summary && !(r.L->summary = strdup("")))
        fail(&r, "out of memory");
done:
    free(copy);
    if (r.failed) {
        lesson_free(r.L);
        return NULL;
    }
    tidy(r.L);
    return r.L;
}

Lesson *lesson_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad || n > MAX_FILE) {
        snprintf(err, errlen, "%s: %s", path,
                 !buf ? "out of memory"
                 : bad ? "cannot read the file"
                       : "too large for a lesson (more than 1 MB)");
        free(buf);
        return NULL;
    }
    if (memchr(buf, 0, n)) {
        size_t at = (size_t)((char *)memchr(buf, 0, n) - buf);
        int line = 1;
        for (size_t i = 0; i < at; i++)
            line += buf[i] == '\n';
        snprintf(err, errlen, "%s:%d: not a text file (a NUL byte)", path,
                 line);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    Lesson *L = lesson_parse(buf, path, err, errlen);
    free(buf);
    return L;
}

void lesson_free(Lesson *L)
{
    if (!L)
        return;
    for (int s = 0; s < L->nsections; s++) {
        LessonSection *sec = &L->sections[s];
        for (int i = 0; i < sec->nitems; i++) {
            free(sec->items[i].text);
            free(sec->items[i].explain);
            free(sec->items[i].answer);
            for (int c = 0; c < sec->items[i].nchoices; c++)
                free(sec->items[i].choices[c]);
            check_free(sec->items[i].expr);
        }
        free(sec->items);
        free(sec->title);
    }
    free(L->sections);
    free(L->name);
    free(L->path);
    free(L->title);
    free(L->summary);
    free(L);
}
