/*
 * experiment.c — the results of the Experiments commands, kept on the
 * session for the plots and for `search refine` (see experiment.h).
 */
#include "experiment.h"

#include <stdlib.h>

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
    }
    e->nruns = 0;
}

void experiment_free(Session *s)
{
    if (!s->exp)
        return;
    experiment_clear_runs(s->exp);
    free(s->exp);
    s->exp = NULL;
}
