/*
 * experiment.c — the results of the Experiments commands, kept on the
 * session for the plots and for `search refine`, and the data's recipe
 * for exported searches (see experiment.h).
 */
#include "experiment.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

const char *const experiment_methods[] = { "random", "grid", "bayes",
                                           "halving", NULL };
const char *const compare_plots[] = { "loss", "acc", "dev_acc", "grads",
                                      NULL };

Experiments *experiment_results(Session *s)
{
    if (!s->exp)
        s->exp = calloc(1, sizeof *s->exp);
    return s->exp;
}

void experiment_clear_runs(Experiments *e)
{
    for (int i = 0; i < e->nruns; i++) {
        free(e->runs[i].x);
        free(e->runs[i].train_loss);
        free(e->runs[i].dev_loss);
        free(e->runs[i].train_accs);
        free(e->runs[i].dev_accs);
        free(e->runs[i].grads);
    }
    e->nruns = 0;
}

void experiment_free(Session *s)
{
    if (!s->exp)
        return;
    experiment_clear_runs(s->exp);
    free(s->exp->recipe);
    free(s->exp->result_file);
    free(s->exp->own);
    free(s->exp);
    s->exp = NULL;
}

void experiment_quote_word(Buf *b, const char *w)
{
    if (*w && !strpbrk(w, " \t\"\\;#")) {
        buf_puts(b, w);
        return;
    }
    buf_puts(b, "\"");
    for (const char *p = w; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_puts(b, "\\");
        buf_add(b, p, 1);
    }
    buf_puts(b, "\"");
}

void experiment_note_data(Session *s, uint64_t seed, int argc, char **argv,
                          int fresh)
{
    Experiments *e = experiment_results(s);
    if (!e)
        return;
    Buf b = BUF_INIT;
    if (!fresh && e->recipe)
        buf_printf(&b, "%s; ", e->recipe);
    /* split and generated data draw from the seed in force */
    buf_printf(&b, "seed %llu; ", (unsigned long long)seed);
    for (int i = 0; i < argc; i++) {
        if (i)
            buf_puts(&b, " ");
        experiment_quote_word(&b, argv[i]);
    }
    free(e->recipe);
    e->recipe = b.failed ? NULL : b.s;
    if (b.failed)
        buf_free(&b);
}

int experiment_set_result_file(Session *s, const char *path)
{
    Experiments *e = experiment_results(s);
    char *copy = e ? strdup(path) : NULL;
    if (!copy)
        return -1;
    free(e->result_file);
    e->result_file = copy;
    return 0;
}
