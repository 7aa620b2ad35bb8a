/*
 * trial.h — one trial of an experiment (compare, search): see trial.c.
 */
#ifndef NNLAB_TRIAL_H
#define NNLAB_TRIAL_H

#include "buf.h"
#include "experiment.h"
#include "nnlab.h"
#include "session.h"

/* The settings a trial can change: optim lr batch init reg keep act beta
 * beta1 beta2 units layers, NULL-terminated.  units=N makes every hidden
 * layer N units wide, layers=N makes N hidden layers (each like the
 * first hidden layer). */
extern const char *const trial_keys[];

#define TRIAL_UNITS_MAX 100000
#define TRIAL_LAYERS_MAX 100

/* init=normal (uniform, const) without a scale: normal:0.01. */
#define TRIAL_INIT_SCALE 0.01

/* Apply key=text (a key of trial_keys) to a copy of the network and to
 * the trainer settings.  0, or -1 after reporting a bad value. */
int trial_apply_setting(Session *s, nn_net *net, nn_trainer *tr,
                        const char *key, const char *text);

/* A copy of the session's network (NULL if out of memory) and a trainer
 * with the session's settings in *tr (free it with nn_trainer_free). */
nn_net *trial_new(Session *s, nn_trainer *tr);

/* What a trial reached: sent from its worker to the shell. */
typedef struct TrialResult {
    double train_loss;      /* the last epoch's mean; NAN if none */
    double train_acc, dev_acc, dev_loss;
    double seconds;         /* training time so far */
    int epochs;             /* epochs completed */
    int diverged;           /* the guard stopped it */
    int n;                  /* epochs of curves that follow (compare) */
} TrialResult;

/* Initial weights from the session's seed, the trainer bound and
 * restarted.  0, or -1 (reported). */
int trial_start(Session *s, nn_net *net, nn_trainer *tr);

/* Train on until `epochs` epochs are complete (or the guard stops it),
 * then measure into *r.  -1 when a step failed (reported). */
int trial_advance(Session *s, nn_trainer *tr, int epochs, TrialResult *r);

/* The result as bytes (with the per-epoch curves when `curves`), and
 * back: the curves go into run (if given; its arrays are allocated).  0,
 * or -1 when the bytes are not a result. */
void trial_pack(const nn_trainer *tr, const TrialResult *r, int curves,
                Buf *out);
int trial_unpack(const char *data, size_t len, TrialResult *r,
                 CompareRun *run);

/* 0 when the session can run trials: a network bound to labelled data,
 * no training running; otherwise reports and returns -1. */
int trial_need_model(Session *s);

/* jobs=N for compare and search: 1..64, or the number of cores when
 * text is NULL.  0, or -1 reported. */
int trial_jobs(Session *s, const char *text, int *jobs);

#endif
