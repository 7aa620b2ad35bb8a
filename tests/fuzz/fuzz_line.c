/*
 * fuzz_line.c — libFuzzer harness for command lines: the splitter
 * (repl/core/line.c) always, and the whole line run in a session when its
 * commands are cheap (tests/fuzzline.h: no plot, no files written, small
 * numbers).  Output goes to /dev/null; one session serves 16 inputs, then
 * a fresh one, so state carries over a little.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "commands.h"
#include "fuzzline.h"
#include "line.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Session *session;
static FILE *devnull;
static int used;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1), err[128];
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    LineCmd *cmds;
    int n = line_split(line, &cmds, err, sizeof err);
    if (n >= 0)
        line_free(cmds, n);
    if (fuzz_line_is_cheap(line)) {
        if (!devnull) {
            setenv("NNLAB_GNUPLOT", "/nonexistent/gnuplot", 1);
            devnull = fopen("/dev/null", "w");
        }
        if (!session || used++ % 16 == 0) {
            session_free(session);
            session = session_new();
            if (!session || commands_register(session) < 0)
                abort();
            session->quiet = 1;
            session->keep_going = 1;
        }
        session->out = devnull;
        int status = cmd_run_line(session, line);
        if (status != CMD_OK && status != CMD_ERR && status != CMD_QUIT)
            abort();
        session->want_quit = 0;
    }
    free(line);
    return 0;
}
