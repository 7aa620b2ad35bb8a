/*
 * cmd_shell.c — the shell's own commands: help, source, quit (and exit).
 *
 * `help` reads nothing but the command table (help.c), so a command
 * documented in its row is documented everywhere: in the listing, in
 * `help CMD`, in `CMD --help`, and (through the same rows) in Tab
 * completion.
 */
#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "help.h"
#include "job.h"
#include "script.h"

/* ------------------------------------------------------------------ */
/* help                                                                 */
/* ------------------------------------------------------------------ */

static int cmd_help(Session *s, int argc, char **argv)
{
    char *pos[1];
    if (args_parse(s, argc, argv, 1, NULL, pos, 1) < 0)
        return CMD_ERR;
    return help_show(s, argc > 1 ? pos[0] : NULL);
}

/* ------------------------------------------------------------------ */
/* quit, source                                                         */
/* ------------------------------------------------------------------ */

static int cmd_quit(Session *s, int argc, char **argv)
{
    if (args_parse(s, argc, argv, 1, NULL, NULL, 0) < 0)
        return CMD_ERR;
    job_stop(s, "quit");
    s->want_quit = 1;
    return CMD_QUIT;
}

static int cmd_source(Session *s, int argc, char **argv)
{
    char *pos[1];
    int n = args_parse(s, argc, argv, 1, NULL, pos, 1);
    if (n < 0)
        return CMD_ERR;
    if (n == 0)
        return cmd_error(s, "expected a file name (source FILE)");
    if (s->depth >= SCRIPT_MAX_DEPTH)
        return cmd_error(s, "scripts nested more than %d deep "
                         "(does a script source itself?)", SCRIPT_MAX_DEPTH);
    s->depth++;
    int status = script_run_file(s, pos[0]);
    s->depth--;
    return status;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_shell_rows[] = {
{
    .name = "help", .group = "Shell", .fn = cmd_help,
    .usage = "help [CMD|GROUP]",
    .summary = "list the commands, or explain one",
    .help =
        "Alone, every command by group.  help CMD (or CMD --help) shows its\n"
        "usage, options with their defaults, and an example; help GROUP\n"
        "lists one group.  Tab completes commands, options and file names.",
    .example = "help train",
    .words = CMD_WORDS("@commands"),
},
{
    .name = "source", .group = "Shell", .fn = cmd_source,
    .usage = "source FILE",
    .summary = "run the commands of a script file",
    .help =
        "Runs FILE line by line as if typed, training included.  It stops at\n"
        "the first command that fails (nnlab -k keeps going).  A script may\n"
        "source others, 16 deep.",
    .example = "source moons.nn",
    .words = CMD_WORDS("@files"),
},
{
    .name = "quit", .group = "Shell", .fn = cmd_quit,
    .usage = "quit",
    .summary = "leave nnlab (Ctrl-D too), saving the command history",
    .help = "Training still running is stopped first.",
    .example = "quit",
},
{
    .name = "exit", .group = "Shell", .fn = cmd_quit,
    .usage = "exit",
    .summary = "the same as quit",
    .example = "exit",
},
{0},
};
