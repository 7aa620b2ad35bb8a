/*
 * trial.h — one trial of an experiment (compare, search): see trial.c.
 */
#ifndef NNLAB_TRIAL_H
#define NNLAB_TRIAL_H

#include "experiment.h"
#include "nnlab.h"
#include "session.h"

/* The settings a trial can change: optim lr batch init reg keep act beta
 * beta1 beta2, NULL-terminated. */
extern const char *const trial_keys[];

/* Apply key=text (a key of trial_keys) to a copy of the network and to
 * the trainer settings.  0, or -1 after reporting a bad value. */
int trial_apply_setting(Session *s, nn_net *net, nn_trainer *tr,
                        const char *key, const char *text);

/* A copy of the session's network (NULL if out of memory) and a trainer
 * with the session's settings in *tr (free it with nn_trainer_free). */
nn_net *trial_new(Session *s, nn_trainer *tr);

/* Train for `epochs` from the seed's initial weights; fill run (if given)
 * with the curves and the final accuracies.  -1 if interrupted or failed
 * (reported). */
int trial_train(Session *s, nn_net *net, nn_trainer *tr, int epochs,
                CompareRun *run, double *train_acc, double *dev_acc);

/* 0 when the session can run trials: a network bound to labelled data,
 * no training running; otherwise reports and returns -1. */
int trial_need_model(Session *s);

#endif
