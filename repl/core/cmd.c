/*
 * cmd.c — the command table: the groups of rows the layers register, the
 * word lists completion reads, and the one error reporter.  Running a line
 * is cmd_run.c.
 */
#include "cmd.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "text.h"

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

int cmd_register(Session *s, const Command *rows)
{
    if (s->ngroups == SESSION_MAX_GROUPS)
        return -1;
    s->groups[s->ngroups++] = rows;
    return 0;
}

int cmd_add_words(Session *s, const char *name,
                  void (*list)(Session *s,
                               void (*add)(void *ctx, const char *word),
                               void *ctx))
{
    if (s->nwords == SESSION_MAX_WORDS)
        return -1;
    s->words[s->nwords++] = (SessionWords){name, list};
    return 0;
}

int cmd_list_words(Session *s, const char *name,
                   void (*add)(void *ctx, const char *word), void *ctx)
{
    if (strcmp(name, "commands") == 0) {
        for (int g = 0; g < s->ngroups; g++)
            for (const Command *c = s->groups[g]; c->name; c++)
                add(ctx, c->name);
        return 0;
    }
    for (int i = 0; i < s->nwords; i++)
        if (strcmp(s->words[i].name, name) == 0) {
            s->words[i].list(s, add, ctx);
            return 0;
        }
    return -1;
}

const Command *cmd_find(const Session *s, const char *name)
{
    for (int g = 0; g < s->ngroups; g++)
        for (const Command *c = s->groups[g]; c->name; c++)
            if (strcmp(c->name, name) == 0)
                return c;
    return NULL;
}

void cmd_each(const Session *s, void (*fn)(const Command *c, void *ctx),
              void *ctx)
{
    for (int g = 0; g < s->ngroups; g++)
        for (const Command *c = s->groups[g]; c->name; c++)
            fn(c, ctx);
}

const char *cmd_closest(const Session *s, const char *name)
{
    enum { MAX = 256 };
    const char *names[MAX + 1];
    int n = 0;
    for (int g = 0; g < s->ngroups; g++)
        for (const Command *c = s->groups[g]; c->name && n < MAX; c++)
            names[n++] = c->name;
    names[n] = NULL;
    return text_did_you_mean(name, names);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

int cmd_error(Session *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out_one_line(msg);
    out_printf(s, "%s%s: %s%s\n", out_color(s, OUT_RED),
               s->cmd_name ? s->cmd_name : "nnlab", msg,
               out_color(s, OUT_RESET));
    s->failures++;
    return CMD_ERR;
}
