/*
 * cmd_shell.c — the shell's own commands: help, quit (and exit), source.
 *
 * `help` reads nothing but the command table, so a command documented in
 * its row is documented everywhere: in the listing, in `help CMD`, in
 * `CMD --help`, and (through the same rows) in Tab completion.
 */
#include <string.h>
#include <strings.h>

#include "args.h"
#include "cmd.h"
#include "handlers.h"
#include "out.h"
#include "shell.h"

/* The order `help` lists the groups in: the order of a course. */
static const char *const groups[] = {
    "Data", "Network", "Hyperparameters", "Training", "Inspecting", "Plots",
    "Experiments", "Sessions", "Lessons", "Shell", NULL,
};

/* ------------------------------------------------------------------ */
/* help                                                                 */
/* ------------------------------------------------------------------ */

static void list_group(Session *s, const char *group)
{
    out_printf(s, "%s%s%s\n", out_color(s, OUT_BOLD), group,
               out_color(s, OUT_RESET));
    for (const Command *c = commands; c->name; c++)
        if (c->group && strcmp(c->group, group) == 0)
            out_printf(s, "  %-10s %s\n", c->name, c->summary);
}

static void list_all(Session *s)
{
    for (int g = 0; groups[g]; g++)
        list_group(s, groups[g]);
    out_printf(s, "Type help CMD for a command's options and an example: "
               "help train.\n");
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

int cmd_help_show(Session *s, const char *name)
{
    if (!name) {
        list_all(s);
        return CMD_OK;
    }
    const Command *c = cmd_find(name);
    if (c) {
        show_command(s, c);
        return CMD_OK;
    }
    for (int g = 0; groups[g]; g++) {
        if (strcasecmp(name, groups[g]) == 0) {
            list_group(s, groups[g]);
            return CMD_OK;
        }
    }
    const char *near = did_you_mean(name, cmd_names());
    if (near)
        return cmd_error(s, "help: no command '%s' (did you mean '%s'?)",
                         name, near);
    return cmd_error(s, "help: no command '%s' (type help for the list)",
                     name);
}

int cmd_help(Session *s, int argc, char **argv)
{
    char *pos[1];
    if (args_parse(s, "help", argc, argv, 1, NULL, pos, 1) < 0)
        return CMD_ERR;
    return cmd_help_show(s, argc > 1 ? pos[0] : NULL);
}

/* ------------------------------------------------------------------ */
/* quit, source                                                         */
/* ------------------------------------------------------------------ */

int cmd_quit(Session *s, int argc, char **argv)
{
    if (args_parse(s, argv[0], argc, argv, 1, NULL, NULL, 0) < 0)
        return CMD_ERR;
    job_stop(s, "quit");
    s->want_quit = 1;
    return CMD_QUIT;
}

int cmd_source(Session *s, int argc, char **argv)
{
    char *pos[1];
    int n = args_parse(s, "source", argc, argv, 1, NULL, pos, 1);
    if (n < 0)
        return CMD_ERR;
    if (n == 0)
        return cmd_error(s, "source: expected a file name (source FILE)");
    if (s->depth >= SHELL_MAX_DEPTH)
        return cmd_error(s, "source: scripts nested more than %d deep "
                         "(does a script source itself?)", SHELL_MAX_DEPTH);
    s->depth++;
    int status = script_run_file(s, pos[0], "source");
    s->depth--;
    return status;
}
