/*
 * dispatch.c — from a line of text to command handlers, and scripts.
 *
 * The syntax is deliberately small, so a student never has to think about
 * it: `;` separates commands, `#` starts a comment, words are split on
 * spaces, and double quotes keep a file name with spaces in one word
 * (inside them \" and \\ stand for " and \).  A whole line is split before
 * any of it runs, so a missing quote runs nothing.
 *
 * Running a command checks the few things that are the same for every
 * command (is it known, is training in the way, was `--help` asked for),
 * calls the handler, and — when the handler started a training job — runs
 * that job to its end unless the event loop can run it in the background
 * (a command typed at the prompt, last on its line).  That one rule is what
 * makes `train 100 epochs` a blocking command in a script and a background
 * one at the prompt, with the same handler.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cmd.h"
#include "lesson.h"
#include "out.h"
#include "shell.h"

/* ------------------------------------------------------------------ */
/* Splitting a line                                                     */
/* ------------------------------------------------------------------ */

/* A growing array of pointers (words of a command, or commands). */
typedef struct Vec {
    void **item;
    int n, cap;
} Vec;

static int vec_push(Vec *v, void *p)
{
    if (v->n + 1 >= v->cap) {
        int cap = v->cap ? v->cap * 2 : 8;
        void **item = realloc(v->item, (size_t)cap * sizeof *item);
        if (!item)
            return -1;
        v->item = item;
        v->cap = cap;
    }
    v->item[v->n++] = p;
    v->item[v->n] = NULL;
    return 0;
}

static void free_words(char **words)
{
    for (int i = 0; words && words[i]; i++)
        free(words[i]);
    free(words);
}

void line_free(LineCmd *cmds, int n)
{
    for (int i = 0; cmds && i < n; i++)
        free_words(cmds[i].argv);
    free(cmds);
}

/* Read one word at *pp into a new string; NULL with err filled on a
 * missing closing quote or no memory. */
static char *read_word(const char **pp, char *err, size_t errlen)
{
    const char *p = *pp;
    char *word = malloc(strlen(p) + 1);
    size_t n = 0;
    if (!word) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    while (*p && !isspace((unsigned char)*p) && *p != ';' && *p != '#') {
        if (*p != '"') {
            word[n++] = *p++;
            continue;
        }
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            word[n++] = *p;
        }
        if (!*p) {
            snprintf(err, errlen, "missing closing quote (\")");
            free(word);
            return NULL;
        }
        p++;
    }
    word[n] = '\0';
    *pp = p;
    return word;
}

/* Move the words gathered so far into a new command. */
static int end_command(Vec *cmds, Vec *words)
{
    if (words->n == 0)
        return 0;
    LineCmd *c = malloc(sizeof *c);
    if (!c || vec_push(cmds, c) < 0) {
        free(c);
        return -1;
    }
    c->argc = words->n;
    c->argv = (char **)words->item;
    *words = (Vec){0};
    return 0;
}

static int split_failed(Vec *cmds, Vec *words)
{
    free_words((char **)words->item);
    for (int i = 0; i < cmds->n; i++) {
        free_words(((LineCmd *)cmds->item[i])->argv);
        free(cmds->item[i]);
    }
    free(cmds->item);
    return -1;
}

int line_split(const char *line, LineCmd **out, char *err, size_t errlen)
{
    Vec cmds = {0}, words = {0};
    const char *p = line;
    *out = NULL;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#' || *p == ';') {
            if (end_command(&cmds, &words) < 0) {
                snprintf(err, errlen, "out of memory");
                return split_failed(&cmds, &words);
            }
            if (*p != ';')
                break;
            p++;
            continue;
        }
        char *w = read_word(&p, err, errlen);
        if (!w)
            return split_failed(&cmds, &words);
        if (vec_push(&words, w) < 0) {
            free(w);
            snprintf(err, errlen, "out of memory");
            return split_failed(&cmds, &words);
        }
    }
    /* Flatten the array of pointers into an array of LineCmd. */
    LineCmd *flat = cmds.n ? malloc((size_t)cmds.n * sizeof *flat) : NULL;
    if (cmds.n && !flat) {
        snprintf(err, errlen, "out of memory");
        return split_failed(&cmds, &words);
    }
    for (int i = 0; i < cmds.n; i++) {
        flat[i] = *(LineCmd *)cmds.item[i];
        free(cmds.item[i]);
    }
    free(cmds.item);
    *out = flat;
    return cmds.n;
}

/* ------------------------------------------------------------------ */
/* Finding commands                                                     */
/* ------------------------------------------------------------------ */

const Command *cmd_find(const char *name)
{
    for (const Command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Built once: the table is constant, so this cache is too. */
const char *const *cmd_names(void)
{
    enum { MAX = 128 };
    static const char *names[MAX + 1];
    if (!names[0]) {
        int n = 0;
        for (const Command *c = commands; c->name && n < MAX; c++)
            names[n++] = c->name;
        names[n] = NULL;
    }
    return names;
}

static int unknown_command(Session *s, const char *name)
{
    const char *near = did_you_mean(name, cmd_names());
    if (near)
        return cmd_error(s, "nnlab: unknown command '%s' (did you mean "
                         "'%s'?)", name, near);
    return cmd_error(s, "nnlab: unknown command '%s' (type help for the "
                     "list)", name);
}

/* ------------------------------------------------------------------ */
/* Running commands                                                     */
/* ------------------------------------------------------------------ */

/* May a job this command starts keep running after it returns?  Only for
 * a command typed at the prompt, last on its line, not nested in another
 * command (source, lessons). */
static int may_run_in_background(const Session *s, int last)
{
    return s->sh && s->sh->in_line && s->sh->running == 1 && last;
}

static int run_command(Session *s, int argc, char **argv, int last)
{
    const Command *c = cmd_find(argv[0]);
    if (!c)
        return unknown_command(s, argv[0]);
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0))
        return cmd_help_show(s, c->name);
    if ((c->flags & CMD_IDLE) && s->job.active)
        return cmd_error(s, "%s: training is already running; type pause "
                         "first", c->name);

    int failures = s->failures;
    int was_running = s->job.active;
    int status = c->fn(s, argc, argv);
    if (status == CMD_ERR && s->failures == failures)
        s->failures++; /* a handler that forgot to report still failed */
    if (!was_running && s->job.active && !may_run_in_background(s, last)) {
        if (job_run_to_end(s) != CMD_OK && status == CMD_OK)
            status = CMD_ERR;
    }
    return status;
}

int cmd_run_line(Session *s, const char *line)
{
    char err[128];
    LineCmd *cmds;
    int n = line_split(line, &cmds, err, sizeof err);
    if (n < 0)
        return cmd_error(s, "nnlab: %s; nothing was run", err);

    int worst = CMD_OK;
    if (s->sh)
        s->sh->running++;
    for (int i = 0; i < n; i++) {
        int status = run_command(s, cmds[i].argc, cmds[i].argv, i == n - 1);
        if (status > worst)
            worst = status;
        if (status == CMD_QUIT || s->want_quit || nnlab_interrupted)
            break;
        if (status == CMD_ERR && !s->keep_going)
            break;
    }
    if (s->sh)
        s->sh->running--;
    line_free(cmds, n);
    return worst;
}

/* ------------------------------------------------------------------ */
/* Scripts                                                              */
/* ------------------------------------------------------------------ */

int script_run(Session *s, FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, worst = CMD_OK;
    while (!s->want_quit && !nnlab_interrupted) {
        ssize_t len = getline(&line, &cap, f);
        if (len < 0)
            break; /* end of file, or Ctrl-C while waiting for input */
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        int status = cmd_run_line(s, line);
        if (s->lesson && s->depth == 0 && strcmp(name, "-") == 0)
            lesson_after_line(s, line, status); /* a student's own input */
        if (status > worst)
            worst = status;
        if (status == CMD_QUIT)
            break;
        if (status == CMD_ERR && !s->keep_going && !nnlab_interrupted) {
            out_printf(s, "%s: stopped at line %d of %s%s\n",
                       s->depth > 0 ? "source" : "nnlab", lineno,
                       strcmp(name, "-") == 0 ? "standard input" : name,
                       s->depth > 0 ? "" : " (-k keeps going)");
            break;
        }
    }
    free(line);
    return worst;
}

int script_run_file(Session *s, const char *path, const char *who)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cmd_error(s, "%s: cannot open '%s': %s", who, path,
                         strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return cmd_error(s, "%s: '%s' is a directory, not a script", who,
                         path);
    }
    int status = script_run(s, f, path);
    fclose(f);
    return status;
}
