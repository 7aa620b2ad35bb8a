/*
 * halving.c — the rungs of successive halving (see halving.h).
 */
#include "halving.h"

#include <math.h>

int nn_halving_plan(int n, int max_epochs, int eta, nn_rung *rungs)
{
    if (n < 1 || max_epochs < 1 || eta < 2)
        return -1;
    /* as many rungs as the budget can be divided by eta (at least one
     * epoch at the bottom) and the configurations can be thinned */
    int r = 0;
    while (r + 1 < NN_MAX_RUNGS && pow(eta, r + 1) <= max_epochs &&
           n / (long)pow(eta, r + 1) >= 1)
        r++;
    int k = 0;
    for (int i = 0; i <= r; i++) {
        int e = (int)lround(max_epochs / pow(eta, r - i));
        int c = (int)(n / (long)pow(eta, i));
        e = e < 1 ? 1 : e;
        c = c < 1 ? 1 : c;
        if (k > 0 && e <= rungs[k - 1].epochs)
            continue;   /* rounding made two budgets equal: keep one */
        rungs[k].configs = c;
        rungs[k].epochs = e;
        k++;
    }
    return k;
}

long nn_halving_cost(const nn_rung *rungs, int nrungs)
{
    long cost = 0;
    for (int i = 0; i < nrungs; i++)
        cost += (long)rungs[i].configs *
                (rungs[i].epochs - (i ? rungs[i - 1].epochs : 0));
    return cost;
}
