/*
 * lesson_say.c — how the runner speaks: text line by line, check marks
 * (UTF-8 when the locale has it), a check judged and its verdict printed,
 * and what it asks of the terminal (text on the prompt, the prompt).
 */
#include "lesson_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

/* The check marks need UTF-8; the locale variables say whether the
 * terminal has it (LC_ALL=C, as in the tests, gets ASCII). */
static int utf8_ok(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return 0;
}

/* Print text line by line, the first line after `first`, the rest after
 * `rest` (an indent). */
void lesson_print_lines(Session *s, const char *first, const char *rest,
                        const char *text)
{
    const char *p = text;
    int n = 0;
    do {
        size_t len = strcspn(p, "\n");
        out_printf(s, "%s%.*s\n", len ? (n ? rest : first) : "", (int)len, p);
        p += len + (p[len] == '\n');
        n++;
    } while (*p);
}

static int session_lookup(void *ctx, const char *name, int index,
                          double *value)
{
    Session *s = ctx;
    int rc = s->hooks.lookup ? s->hooks.lookup(s, name, index, value)
                             : model_lookup(s, name, index, value);
    return rc == MODEL_OUT_OF_RANGE ? CHECK_OUT_OF_RANGE : rc;
}

/* What the terminal does for the runner, when there is one. */
void lesson_offer_text(Session *s, const char *text)
{
    if (s->hooks.offer)
        s->hooks.offer(s, text);
}

void lesson_set_prompt_text(Session *s, const char *prompt)
{
    if (s->hooks.set_prompt)
        s->hooks.set_prompt(s, prompt);
}

const char *lesson_mark(int pass)
{
    int utf8 = utf8_ok();
    return pass ? (utf8 ? "\u2713" : "[ok]") : (utf8 ? "\u2717" : "[FAIL]");
}

int lesson_eval_print(Session *s, const CheckExpr *c, const char *explain)
{
    CheckResult r;
    check_eval(c, session_lookup, s, &r);
    int pass = r.status == CHECK_PASS;
    out_printf(s, "%s%s%s check %s: %s",
               out_color(s, pass ? OUT_GREEN : OUT_RED), lesson_mark(pass),
               out_color(s, OUT_RESET), pass ? "passed" : "failed",
               check_text(c));
    if (r.status == CHECK_ERROR)
        out_printf(s, " (%s)\n", r.error);
    else if (r.found[0])
        out_printf(s, " (found %s)\n", r.found);
    else
        out_printf(s, "\n");
    /* nothing measured yet: the explanation of a result would mislead */
    double layers;
    if (r.out_of_range && session_lookup(s, "layers", 0, &layers) == 0)
        out_printf(s, "  The network has layers 1 to %.0f.\n", layers);
    else if (r.status == CHECK_ERROR && !r.out_of_range && s->lesson)
        out_printf(s, "  Nothing to judge yet: run the section's commands "
                      "first ('again' offers them).\n");
    else if (r.status == CHECK_ERROR && !r.out_of_range)
        out_printf(s, "  Nothing to judge yet: no command has measured "
                      "it.\n");
    else if (!pass && explain)
        lesson_print_lines(s, "  ", "  ", explain);
    return pass;
}
