/*
 * help.c — help, read from the command table (see help.h).  Groups are
 * listed in the order they were registered: the order of a course.
 */
#include "help.h"

#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "out.h"

/* The distinct group names in the order of their first rows. */
static int group_names(const Session *s, const char **names, int max)
{
    int n = 0;
    for (int g = 0; g < s->ngroups; g++)
        for (const Command *c = s->groups[g]; c->name; c++) {
            int seen = !c->group;
            for (int i = 0; i < n && !seen; i++)
                seen = strcmp(names[i], c->group) == 0;
            if (!seen && n < max)
                names[n++] = c->group;
        }
    return n;
}

static void list_group(Session *s, const char *group)
{
    out_printf(s, "%s%s%s\n", out_color(s, OUT_BOLD), group,
               out_color(s, OUT_RESET));
    for (int g = 0; g < s->ngroups; g++)
        for (const Command *c = s->groups[g]; c->name; c++)
            if (c->group && strcmp(c->group, group) == 0)
                out_printf(s, "  %-10s %s\n", c->name, c->summary);
}

/* Print text indented, line by line. */
static void print_indented(Session *s, const char *text, const char *indent)
{
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        int n = nl ? (int)(nl - text) : (int)strlen(text);
        out_printf(s, "%s%.*s\n", n ? indent : "", n, text);
        text = nl ? nl + 1 : text + n;
    }
}

static void show_command(Session *s, const Command *c)
{
    const char *b = out_color(s, OUT_BOLD), *r = out_color(s, OUT_RESET);
    out_printf(s, "%susage:%s   %s\n", b, r, c->usage);
    out_printf(s, "         %s\n", c->summary);
    if (c->help && *c->help) {
        out_printf(s, "\n");
        print_indented(s, c->help, "  ");
    }
    if (c->example && *c->example)
        out_printf(s, "\n%sexample:%s %s\n", b, r, c->example);
}

int help_show(Session *s, const char *name)
{
    enum { MAX_GROUPS = 32 };
    const char *groups[MAX_GROUPS];
    int ng = group_names(s, groups, MAX_GROUPS);
    if (!name) {
        for (int g = 0; g < ng; g++)
            list_group(s, groups[g]);
        out_printf(s, "Type help CMD for a command's options and an "
                   "example: help train.\n");
        return CMD_OK;
    }
    const Command *c = cmd_find(s, name);
    if (c) {
        show_command(s, c);
        return CMD_OK;
    }
    for (int g = 0; g < ng; g++) {
        if (strcasecmp(name, groups[g]) == 0) {
            list_group(s, groups[g]);
            return CMD_OK;
        }
    }
    const char *near = cmd_closest(s, name);
    if (near)
        return cmd_error(s, "no command '%s' (did you mean '%s'?)", name,
                         near);
    return cmd_error(s, "no command '%s' (type help for the list)", name);
}
