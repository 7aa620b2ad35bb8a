/*
 * line.c — splitting a line of the command language into commands and
 * words.
 *
 * The syntax is deliberately small, so a student never has to think about
 * it: `;` separates commands, `#` starts a comment, words are split on
 * spaces, and double quotes keep a file name with spaces in one word
 * (inside them \" and \\ stand for " and \).  A whole line is split before
 * any of it runs, so a missing quote runs nothing.
 */
#include "line.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
