/*
 * script.c — running files of commands: `nnlab FILE`, `source FILE` and
 * standard input that is not a terminal.  Each line runs as if typed,
 * through the same cmd_run_line() as the prompt.
 */
#include "script.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "interrupt.h"
#include "out.h"

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
        /* standard input at the top: the student's own lines, as typed */
        int typed = s->depth == 0 && strcmp(name, "-") == 0;
        const char *run = typed && s->hooks.typed ? s->hooks.typed(s, line)
                                                  : line;
        int status = cmd_run_line(s, run);
        if (typed && s->hooks.line_ran)
            s->hooks.line_ran(s, run, status);
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

int script_run_file(Session *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cmd_error(s, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return cmd_error(s, "'%s' is a directory, not a script", path);
    }
    int status = script_run(s, f, path);
    fclose(f);
    return status;
}
