/*
 * model.h — what the model commands share: the session's engine objects
 * (data, net, trainer), binding them together, and the state of a
 * training run that advances in slices.
 */
#ifndef NNLAB_MODEL_H
#define NNLAB_MODEL_H

#include <stdint.h>

#include "nnlab.h"
#include "session.h"

typedef enum { RUN_NONE, RUN_ITERS, RUN_EPOCHS, RUN_FOREVER } RunKind;

/* A member of the session's ensemble: its network is in ModelState.ens,
 * its name and where training was when it was taken are here. */
typedef struct EnsembleNote {
    char name[24];
    long iter;
    int epoch;
} EnsembleNote;

typedef struct ModelState {
    nn_trainer tr;

    /* settings a new network starts with (init, dropout, reg commands) */
    nn_init_spec init;
    double keep;
    nn_reg reg;
    double lambda;          /* l1 or l2's lambda; elastic net's lambda1 */
    double lambda2;         /* elastic net's lambda2 (0 otherwise) */

    /* the training run in progress (train N / run) */
    RunKind run;
    long start_pos;         /* iteration or epoch where the run started */
    long run_target;        /* last iteration or epoch to reach */
    long every;             /* print a line every `every` iters/epochs */
    long next_print;
    long iter0;             /* where the run started */
    double t0;              /* wall clock at the start */
    double last_bar;        /* when the progress bar was last drawn */
    long last_printed;      /* iteration of the last log line */
    unsigned forward_draws; /* forward train passes so far: each draws
                               dropout masks of its own */

    double speed;           /* updates a second train and run keep to
                               (speed N); 0: as fast as they go */
    double pace_t0;         /* when the pace was last counted from */
    long pace_n;            /* updates made since pace_t0 */

    int snapshot;           /* the run adds an ensemble member at the end
                               of each cycle of the schedule */

    /* the ensemble (ensemble add, train ... snapshot=cycle): snapshots
     * of networks trained on these data with this preprocessing */
    nn_ensemble *ens;       /* NULL until the first member */
    EnsembleNote ens_notes[NN_ENSEMBLE_MAX];

    /* the last gradient check, for `plot gradcheck` and lessons */
    nn_gc_result *gc;
    int gc_n;
    double gc_max;          /* NAN when there is none */
} ModelState;

/* The model state, created on first use (never NULL unless out of
 * memory, which is reported). */
ModelState *model_state(Session *s);

/* Bind the trainer to the current net and data; on failure report it
 * (cmd_error) and return -1. */
int model_bind(Session *s);

/* Bind as model_bind does when there are a network and data that fit,
 * saying nothing when there are not (decay show and plot lr only need the
 * updates per epoch, when they are known).  0 when bound, else -1. */
int model_bind_quiet(Session *s);

/* The schedule in a few words, as typed: "exp 0.95", "cyclic 0.001 0.01
 * half=100", "sgdr period=10 mult=2 min=0"; and the warm-up, "100 iters
 * from=0", or "off". */
void model_sched_text(const nn_sched *d, char *buf, size_t n);
void model_warmup_text(const nn_warmup *w, char *buf, size_t n);
/* The augmentation as typed, "shift=0.5 rotate=15 flip=h" (the
 * transformations that are on), or "off". */
void model_augment_text(const nn_augment *a, char *buf, size_t n);

/* 0 when the session has a network (data); otherwise report how to make
 * one (cmd_error) and return -1. */
int model_need_net(Session *s);
int model_need_data(Session *s);

/* The seed everything random comes from (generated data, splits, initial
 * weights, shuffling, dropout): kept in one place, the trainer. */
uint64_t model_seed(Session *s);
void model_set_seed(Session *s, uint64_t seed);

/* The network, data or weights changed: the optimizer state, history and
 * last gradient check no longer describe them. */
void model_restart(Session *s);

/* Write the session's network, its training settings and the data's
 * preprocessing (when the network takes the inputs it makes) to path:
 * what `save` and an exported search write.  0, or -1 with err. */
int model_save_file(Session *s, const char *path, nn_err *err);

/* The data changed under the network (another set, a new split or
 * subset, another preprocessing): the ensemble's members, trained on
 * other inputs or with today's dev examples, are dropped (said in a
 * line naming `why`, when there were any), and an augmentation these data
 * cannot take (geometry on data that are not images) is switched off,
 * saying so.  Call it after the change. */
void model_data_changed(Session *s, const char *why);

/* Print one line of training progress (iteration, epoch, loss, accuracy,
 * lr) for the trainer's current state. */
void model_print_progress(Session *s);

/* The data's natural output layer size (1 for two classes, C for C, 1 for
 * regression), or 0 without labelled data. */
int model_outputs_for_data(const Session *s);

/* "note: beta is for momentum and nesterov; adam does not use it" when
 * optimizer k ignores the setting (optim, compare, search). */
void model_optim_note(Session *s, nn_optim_kind k, const char *setting);

/* The network's parameter tensors changed (batch norm on or off) but its
 * weights and the history stay: the optimizer's moments are zeroed, the
 * guard re-measures, the last gradient check is dropped. */
void model_params_changed(Session *s);

/* The variables lesson checks may read, NULL-terminated: plain names
 * ("train_acc") and per-layer names ("layer.act_std", written
 * layer[i].act_std).  model_lookup() answers every one of them. */
extern const char *const model_var_names[];

/* The value of one of model_var_names now: 0 and *value, -1 when the
 * name is unknown or has no value now, MODEL_OUT_OF_RANGE for a layer the
 * network does not have.  Per-layer names come as ("layer.act_std", i)
 * with layer 1 the first hidden layer. */
enum { MODEL_OUT_OF_RANGE = -2 };
int model_lookup(Session *s, const char *name, int index, double *value);

/* Free the model (data, net, trainer) and set the pointers to NULL. */
void model_free(Session *s);

/* The student's work put aside while a lesson runs: data, network,
 * settings and training state, experiment results. */
typedef struct ModelStash {
    struct nn_data *data;
    struct nn_net *net;
    ModelState *model;
    struct Experiments *exp;
} ModelStash;

/* Move the session's data, network, settings, training state and
 * experiment results into *st, leaving a session that has none, every
 * setting at its default.  model_unstash frees what the session holds and
 * moves the stash back (st is then empty); model_stash_free frees a stash
 * that will not come back. */
void model_stash(Session *s, ModelStash *st);
void model_unstash(Session *s, ModelStash *st);
void model_stash_free(Session *s, ModelStash *st);

#endif
