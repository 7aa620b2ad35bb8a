/*
 * shell.c — the interactive shell as a whole: the terminal's state made,
 * hooked into the session (display, progress line, prompt and offered
 * text), the event loop run, and everything taken down again.
 */
#include "shell.h"

#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "loop.h"
#include "out.h"
#include "prompt.h"

static Shell *shell_new(void)
{
    Shell *sh = calloc(1, sizeof *sh);
    if (!sh)
        return NULL;
    sh->prompt = strdup(SHELL_PROMPT);
    if (!sh->prompt) {
        free(sh);
        return NULL;
    }
    return sh;
}

static void shell_free(Session *s)
{
    Shell *sh = s->sh;
    if (!sh)
        return;
    free(sh->prompt);
    free(sh->preinput);
    free(sh->history_path);
    free(sh->status);
    free(sh->pending);
    free(sh);
    s->sh = NULL;
}

void shell_banner(Session *s)
{
    out_printf(s, "%snnlab %s%s: a lab for training neural networks.  Type "
               "help for the commands,\nlesson for the lessons, Ctrl-D to "
               "leave.\n", out_color(s, OUT_BOLD), NNLAB_VERSION,
               out_color(s, OUT_RESET));
}

int shell_open(Session *s)
{
    s->sh = shell_new();
    if (!s->sh)
        return -1;
    s->hooks.write = display_write;
    s->hooks.progress = display_progress;
    s->hooks.offer = prompt_offer;
    s->hooks.set_prompt = prompt_set;
    session_on_free(s, shell_close);
    return 0;
}

int shell_run(Session *s)
{
    return s->sh ? loop_run(s) : -1;
}

void shell_close(Session *s)
{
    if (!s->sh)
        return;
    s->hooks.write = NULL;
    s->hooks.progress = NULL;
    s->hooks.offer = NULL;
    s->hooks.set_prompt = NULL;
    shell_free(s);
}
