/*
 * experiment.h — results of the Experiments commands (compare, search,
 * ewa), kept so `plot compare`, `plot search` and `plot ewa` can draw
 * them and `search refine` can narrow the last search; and what a search
 * exported to other machines needs: the commands that made the data, and
 * the file (nnlab --result FILE) that finished trials are appended to.
 */
#ifndef NNLAB_EXPERIMENT_H
#define NNLAB_EXPERIMENT_H

#include <stdint.h>

#include "buf.h"
#include "halving.h"
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
    double *train_accs;     /* per epoch (its batches, in training mode) */
    double *dev_accs;       /* per epoch; NAN where dev was not measured */
    double *grads;          /* per epoch: the mean over its updates of the
                               whole gradient's norm */
    double train_acc, dev_acc, seconds;
    int stopped;            /* the guard stopped it */
    int failed;             /* its worker died: no numbers */
} CompareRun;

typedef struct SearchKey {
    char name[16];          /* lr, reg, keep, beta, beta1, beta2, units,
                               layers */
    double lo, hi;
    int log;                /* the scale: 0 linear, 1 log, 2 log1m (1 -
                               value on a log scale; nn_range's) */
} SearchKey;

typedef enum { SEARCH_RANDOM, SEARCH_GRID, SEARCH_BAYES,
               SEARCH_HALVING } SearchMethod;
/* "random", "grid", "bayes", "halving", NULL-terminated. */
extern const char *const experiment_methods[];
/* What compare plots: "loss", "acc", "dev_acc", "grads", NULL-terminated. */
enum { COMPARE_LOSS, COMPARE_ACC, COMPARE_DEV_ACC, COMPARE_GRADS };
extern const char *const compare_plots[];

typedef enum { TRIAL_WAITING, TRIAL_DONE, TRIAL_FAILED } TrialState;

/* One configuration of a search, numbered in the order it was chosen. */
typedef struct SearchTrial {
    double values[EXP_MAX_KEYS];
    double train_loss, train_acc, dev_loss, dev_acc, seconds;
    int epochs;             /* epochs trained */
    int rung;               /* halving: the last rung it reached, from 0 */
    int diverged;           /* the guard stopped it */
    TrialState state;
    char host[48];          /* where it ran ("" here) */
} SearchTrial;

typedef struct Experiments {
    CompareRun runs[EXP_MAX_RUNS];
    int nruns;
    char compare_key[16];
    int compare_plot;       /* what plot compare draws (compare ...
                               plot=): an index of compare_plots */

    /* the last search (or the rows of search import) */
    SearchKey keys[EXP_MAX_KEYS];
    int nkeys, trials, epochs;
    SearchMethod method;
    int eta, round, startup;    /* halving, bayes */
    nn_rung rungs[NN_MAX_RUNGS];
    int nrungs;                 /* halving: the plan; else 0 */
    SearchTrial t[EXP_MAX_TRIALS];
    int ntrials;                /* chosen so far */
    long epochs_total;          /* epochs trained in all */
    double wall;                /* seconds the last run took (0: imported) */
    int jobs;                   /* ... with this many workers */
    char source[64];            /* "" or the imported file's name */

    double betas[EXP_MAX_BETAS];
    int nbetas, bias;       /* bias: show the bias-corrected curves too */
    int series;             /* 0 temperature, 1 the training loss, 2 the
                               student's own (own, nown) */
    double *own;            /* series=40,49,45 or series=FILE (owned) */
    int nown;
    int ewa_done;           /* an ewa ran: ewa_last holds its last day */
    double ewa_last[2];     /* the first beta's v_n and v_n / (1 - beta^n),
                               for the checks ewa_v and ewa_corrected */

    char *recipe;           /* the data's commands, "; "-separated */
    char *result_file;      /* nnlab --result FILE, or NULL */
} Experiments;

/* The session's experiments (created on first use; NULL if out of
 * memory).  session_free frees them. */
Experiments *experiment_results(Session *s);
void experiment_free(Session *s);

/* Forget the runs of the last compare (their curves are freed). */
void experiment_clear_runs(Experiments *e);

/* A data command ran (data, split, subset, normalize) with these words:
 * remembered with the seed in force, so an exported search can make the
 * same data elsewhere.  `fresh` (a new data set) forgets the commands
 * before it.  Words are quoted where the command language needs it. */
void experiment_note_data(Session *s, uint64_t seed, int argc, char **argv,
                          int fresh);

/* Append w to b as the command language reads it back (line.c): in
 * double quotes, with \" and \\, when it holds a space, a quote, ';' or
 * '#'. */
void experiment_quote_word(Buf *b, const char *w);

/* nnlab --result FILE: the file every finished search trial is appended
 * to.  0, or -1 when out of memory. */
int experiment_set_result_file(Session *s, const char *path);

#endif
