/*
 * script.c — running files of commands: `nnlab FILE`, `source FILE` and
 * standard input that is not a terminal.  Each line runs as if typed,
 * through the same cmd_run_line() as the prompt.
 *
 * Lines are read with a bound (SCRIPT_MAX_LINE): a file that is not a
 * script (/dev/zero, a binary, a log with no newline) must neither grow
 * memory without end nor be run in pieces.  A NUL byte would cut the line
 * short where C strings end, silently dropping the rest: the line is
 * refused instead, with its file and line number.
 */
#include "script.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "interrupt.h"
#include "out.h"

enum { LINE_OK, LINE_END, LINE_LONG, LINE_ERROR };

/* One line of f into buf (SCRIPT_MAX_LINE + 1 bytes), its newline (and a
 * CR before it) taken off; *len is its length and *nul the offset of its
 * first NUL byte, or -1.  LINE_END at the end of the file; LINE_LONG
 * after SCRIPT_MAX_LINE bytes without a newline; LINE_ERROR when reading
 * failed (errno says why; EINTR for Ctrl-C while waiting for input). */
static int read_line(FILE *f, char *buf, size_t *len, long *nul)
{
    size_t n = 0;
    int c;
    *nul = -1;
    errno = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (n == SCRIPT_MAX_LINE)
            return LINE_LONG;
        if (c == '\0' && *nul < 0)
            *nul = (long)n;
        buf[n++] = (char)c;
    }
    if (c == EOF && ferror(f))
        return LINE_ERROR;
    if (c == EOF && n == 0)
        return LINE_END;
    while (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return LINE_OK;
}

static const char *display_name(const char *name)
{
    return strcmp(name, "-") == 0 ? "standard input" : name;
}

/* A line that could not be read as one: say why.  Returns the status. */
static int bad_line(Session *s, const char *name, int lineno, int kind,
                    long nul)
{
    if (kind == LINE_LONG)
        return cmd_error(s, "%s:%d: a line longer than %d bytes (not a "
                         "script?); stopped reading it", display_name(name),
                         lineno, SCRIPT_MAX_LINE);
    if (kind == LINE_ERROR)
        return cmd_error(s, "%s: cannot read line %d: %s", display_name(name),
                         lineno, strerror(errno ? errno : EIO));
    return cmd_error(s, "%s:%d: a NUL byte at column %ld (not a text "
                     "file?); the line was not run", display_name(name),
                     lineno, nul + 1);
}

/* Run one line read from the script; returns its status. */
static int run_script_line(Session *s, const char *name, const char *line)
{
    /* standard input at the top: the student's own lines, as typed */
    int typed = s->depth == 0 && strcmp(name, "-") == 0;
    const char *run = typed && s->hooks.typed ? s->hooks.typed(s, line)
                                              : line;
    int status = cmd_run_line(s, run);
    if (typed && s->hooks.line_ran)
        s->hooks.line_ran(s, run, status);
    return status;
}

int script_run(Session *s, FILE *f, const char *name)
{
    char *line = malloc(SCRIPT_MAX_LINE + 1);
    int lineno = 0, worst = CMD_OK;
    if (!line)
        return cmd_error(s, "out of memory");
    while (!s->want_quit && !nnlab_interrupted && !out_failed(s)) {
        size_t len;
        long nul;
        int kind = read_line(f, line, &len, &nul);
        if (kind == LINE_END ||
            (kind == LINE_ERROR && errno == EINTR && nnlab_interrupted))
            break; /* end of file, or Ctrl-C while waiting for input */
        lineno++;
        int status = kind == LINE_OK && nul < 0
                         ? run_script_line(s, name, line)
                         : bad_line(s, name, lineno, kind, nul);
        if (status > worst)
            worst = status;
        /* what follows a line that never ended is not lines */
        if (status == CMD_QUIT || kind == LINE_LONG || kind == LINE_ERROR)
            break;
        if (status == CMD_ERR && !s->keep_going && !nnlab_interrupted &&
            !s->out_errno) {
            out_printf(s, "%s: stopped at line %d of %s%s\n",
                       s->depth > 0 ? "source" : "nnlab", lineno,
                       display_name(name), s->depth > 0 ? ""
                                                        : " (-k keeps going)");
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
