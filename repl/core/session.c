/*
 * session.c — creating and freeing the one Session a run of nnlab has.
 *
 * The Session owns everything: the engine objects (freed through
 * model_free(), which lives with the model commands), the plotter, the
 * lesson run and the shell's own state.  Nothing else in the program frees
 * them, so a session can be torn down from any point (quit, end of a
 * script, a test) with one call.
 */
#include "session.h"

#include <stdlib.h>

#include "experiment.h"
#include "lesson.h"
#include "plot.h"
#include "shell.h"

Session *session_new(void)
{
    Session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sh = shell_new();
    if (!s->sh) {
        free(s);
        return NULL;
    }
    s->seed = 1;
    s->out = stdout;
    return s;
}

void session_free(Session *s)
{
    if (!s)
        return;
    lesson_close(s);
    plot_free(s);
    experiments_free(s);
    model_free(s);
    shell_free(s->sh);
    free(s);
}
