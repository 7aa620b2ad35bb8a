/*
 * search.h — the parts of the search command: cmd_search.c (the command,
 * its options, the table, refine), search_run.c (choosing the trials by
 * method and running them in worker processes), search_files.c (export,
 * the --result rows), search_import.c (import) and, below them all,
 * search_space.c (ranges and scores).
 */
#ifndef NNLAB_SEARCH_H
#define NNLAB_SEARCH_H

#include "buf.h"
#include "experiment.h"
#include "session.h"

/* How this search runs: jobs= and trial= (1-based; 0: every trial). */
typedef struct SearchRunOpts {
    int jobs;
    int only;
} SearchRunOpts;

/* --- search_space.c ----------------------------------------------------- */

/* The hyperparameters a search may vary: lr reg keep beta beta1 beta2
 * units layers, NULL-terminated (each has its column in --result rows). */
extern const char *const search_keys[];

/* "1e-4..1:log" into k, for a key of the search (checked against the
 * setting's own bounds); ":log1m" samples 1 - value on a log scale.  0,
 * or -1 reported. */
int search_parse_range(Session *s, const char *name, const char *text,
                       SearchKey *k);

/* The bounds a key's setting takes: {lo, hi}. */
const double *search_bounds_of(const SearchKey *k);

/* 1 for the keys whose values are whole numbers (units, layers). */
int search_key_whole(const SearchKey *k);

/* The value at u in [0,1] of k's range on its scale, rounded for whole
 * keys: what random, grid and bayes sample through. */
double search_key_value(const SearchKey *k, double u);

/* ":log", ":log1m" or "" as the range is written. */
const char *search_scale_suffix(const SearchKey *k);

/* "lr=1e-4..1:log reg=0.001..0.1" with exact numbers. */
void search_space_text(const Experiments *e, Buf *b);

/* The value ranking uses: dev accuracy, else -dev loss (regression),
 * else train accuracy; -INFINITY for a trial without numbers. */
double search_score(const SearchTrial *t);

/* --- search_run.c ------------------------------------------------------- */

/* Choose the trials of e's method and run them: a random or grid search's
 * trials are fixed first (all, or only o->only); bayes and halving choose
 * as results come.  Fills e->t, e->ntrials, e->epochs_total.  CMD_OK, or
 * CMD_ERR (reported; interrupted too: the finished trials stay). */
int search_run(Session *s, Experiments *e, const SearchRunOpts *o);

/* The configurations of a random or grid search, fixed before any runs
 * (e->ntrials set). */
void search_make_fixed(Session *s, Experiments *e);

/* --- search_files.c, search_import.c ----------------------------------- */

/* Trial t finished (or failed): its row to the --result file, if any. */
void search_append_result(Session *s, const Experiments *e, int t);

/* export=FILE: one command line per trial in FILE, the network and its
 * settings in BASE.model, a Slurm job array in BASE.slurm (BASE is FILE
 * without its extension); the trials append to BASE.csv.  CMD_OK or
 * CMD_ERR (reported). */
int search_export(Session *s, Experiments *e, const char *path);

/* search import FILE.csv: the rows of one search (the last row's) back
 * into e.  CMD_OK or CMD_ERR (reported; e unchanged). */
int search_import(Session *s, Experiments *e, const char *path);

#endif
