/*
 * lesson_list.c — finding a lesson by name for the student (with "did you
 * mean" and the list of those there are), and `lesson`: every lesson in
 * course order with its summary and the student's progress.
 */
#include "lesson_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "out.h"
#include "text.h"

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
