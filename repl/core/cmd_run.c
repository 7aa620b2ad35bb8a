/*
 * cmd_run.c — running a line of commands (cmd_run_line, cmd.h).
 *
 * Running a command checks the few things that are the same for every
 * command (is it known, is training in the way, was `--help` asked for),
 * calls the handler with the command's name remembered for cmd_error, and
 * — when the handler started a training job — runs that job to its end
 * unless the terminal's event loop can run it in the background (a
 * command typed at the prompt, last on its line).  That one rule is what
 * makes `train 100 epochs` a blocking command in a script and a background
 * one at the prompt, with the same handler.
 */
#include "cmd.h"

#include <string.h>

#include "help.h"
#include "interrupt.h"
#include "job.h"
#include "line.h"
#include "out.h"

/* ------------------------------------------------------------------ */
/* Running commands                                                     */
/* ------------------------------------------------------------------ */

/* Errors of the line itself are nnlab's, even inside a command that runs
 * lines (source, lesson). */
static int unknown_command(Session *s, const char *name)
{
    const char *outer = s->cmd_name, *near = cmd_closest(s, name);
    s->cmd_name = NULL;
    if (near)
        cmd_error(s, "unknown command '%s' (did you mean '%s'?)", name, near);
    else
        cmd_error(s, "unknown command '%s' (type help for the list)", name);
    s->cmd_name = outer;
    return CMD_ERR;
}

/* May a job this command starts keep running after it returns?  Only for
 * a command typed at the prompt, last on its line, not nested in another
 * command (source, lessons). */
static int may_run_in_background(const Session *s, int last)
{
    return s->at_prompt && s->line_depth == 1 && last;
}

static int call_handler(Session *s, const Command *c, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0))
        return help_show(s, c->name);
    if ((c->flags & CMD_IDLE) && s->job.active)
        return cmd_error(s, "training is already running; type pause "
                         "first");
    return c->fn(s, argc, argv);
}

static int run_command(Session *s, int argc, char **argv, int last)
{
    const Command *c = cmd_find(s, argv[0]);
    if (!c)
        return unknown_command(s, argv[0]);
    const char *outer = s->cmd_name;
    int failures = s->failures;
    int was_running = s->job.active;
    s->cmd_name = c->name;
    int status = call_handler(s, c, argc, argv);
    if (status == CMD_ERR && s->failures == failures)
        s->failures++; /* a handler that forgot to report still failed */
    if (!was_running && s->job.active && !may_run_in_background(s, last)) {
        if (job_run_to_end(s) != CMD_OK && status == CMD_OK)
            status = CMD_ERR;
    }
    s->cmd_name = outer;
    return status;
}

int cmd_run_line(Session *s, const char *line)
{
    char err[128];
    LineCmd *cmds;
    int n = line_split(line, &cmds, err, sizeof err);
    if (n < 0) {
        const char *outer = s->cmd_name;
        s->cmd_name = NULL;
        cmd_error(s, "%s; nothing was run", err);
        s->cmd_name = outer;
        return CMD_ERR;
    }

    int worst = CMD_OK;
    s->line_depth++;
    for (int i = 0; i < n; i++) {
        /* output that cannot be written is lost: run nothing more */
        int status = out_failed(s) ? CMD_ERR
                   : run_command(s, cmds[i].argc, cmds[i].argv, i == n - 1);
        if (status == CMD_OK && out_failed(s))
            status = CMD_ERR;
        if (status > worst)
            worst = status;
        if (status == CMD_QUIT || s->want_quit || nnlab_interrupted ||
            s->out_errno)
            break;
        if (status == CMD_ERR && !s->keep_going)
            break;
    }
    s->line_depth--;
    line_free(cmds, n);
    return worst;
}
