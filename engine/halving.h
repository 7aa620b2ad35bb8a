/*
 * halving.h — successive halving's plan: many configurations trained for
 * a few epochs, the best 1/eta of them go on with eta times the budget,
 * and so on up to the full budget (Jamieson and Talwalkar; the bracket
 * Hyperband repeats).
 *
 * For n = 27, 9 epochs and eta = 3 the rungs are 27 configurations for 1
 * epoch, 9 for 3, 3 for 9.  A configuration that goes on continues from
 * where it stopped, so the whole plan costs 27·1 + 9·(3−1) + 3·(9−3) = 63
 * epochs where training all 27 for 9 epochs would cost 243.
 */
#ifndef NN_HALVING_H
#define NN_HALVING_H

typedef struct nn_rung {
    int configs;   /* configurations trained in this rung */
    int epochs;    /* the budget they reach (epochs from the start) */
} nn_rung;

#define NN_MAX_RUNGS 12

/* The rungs for n configurations, at most max_epochs each, eta >= 2:
 * budgets max_epochs / eta^k (rounded, at least 1, increasing), each rung
 * keeping n / eta^k configurations (at least 1).  Writes up to
 * NN_MAX_RUNGS rungs and returns how many (at least 1), or -1 on bad
 * arguments. */
int nn_halving_plan(int n, int max_epochs, int eta, nn_rung *rungs);

/* Epochs trained in all when the survivors continue (not restart). */
long nn_halving_cost(const nn_rung *rungs, int nrungs);

#endif
