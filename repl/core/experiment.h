/*
 * experiment.h — results of the Experiments commands (compare, search,
 * ewa), kept so `plot compare`, `plot search` and `plot ewa` can draw
 * them and `search refine` can narrow the last search.
 */
#ifndef NNLAB_EXPERIMENT_H
#define NNLAB_EXPERIMENT_H

#include "session.h"

#define EXP_MAX_RUNS 16     /* values in one compare */
#define EXP_MAX_TRIALS 400  /* configurations in one search */
#define EXP_MAX_KEYS 4      /* hyperparameters one search varies */
#define EXP_MAX_BETAS 8

typedef struct CompareRun {
    char label[48];         /* "optim=adam" */
    int n;                  /* epochs recorded */
    double *x;              /* epoch numbers 1..n */
    double *train_loss;     /* per epoch (mean over its batches) */
    double *dev_loss;
    double train_acc, dev_acc, seconds;
    int stopped;            /* the guard stopped it */
} CompareRun;

typedef struct SearchKey {
    char name[16];          /* lr, reg, keep, beta, beta1, beta2 */
    double lo, hi;
    int log;
} SearchKey;

typedef struct Experiments {
    CompareRun runs[EXP_MAX_RUNS];
    int nruns;
    char compare_key[16];

    SearchKey keys[EXP_MAX_KEYS];
    int nkeys, trials, epochs, grid;
    double values[EXP_MAX_TRIALS][EXP_MAX_KEYS];
    double dev_acc[EXP_MAX_TRIALS], train_acc[EXP_MAX_TRIALS];
    int ntrials;

    double betas[EXP_MAX_BETAS];
    int nbetas, bias;       /* bias: show the bias-corrected curves too */
    int series;             /* 0 temperature, 1 the training loss */
} Experiments;

/* The session's experiments (created on first use; NULL if out of
 * memory).  session_free frees them. */
Experiments *experiment_results(Session *s);
void experiment_free(Session *s);

/* Forget the runs of the last compare (their curves are freed). */
void experiment_clear_runs(Experiments *e);

#endif
