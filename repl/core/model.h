/*
 * model.h — what the model commands share: the session's engine objects
 * (data, net, trainer), binding them together, and the state of a
 * training run that advances in slices.
 */
#ifndef NNLAB_MODEL_H
#define NNLAB_MODEL_H

#include "nnlab.h"
#include "session.h"

typedef enum { RUN_NONE, RUN_ITERS, RUN_EPOCHS, RUN_FOREVER } RunKind;

typedef struct ModelState {
    nn_trainer tr;

    /* settings a new network starts with (init, dropout, reg commands) */
    nn_init_spec init;
    double keep;
    nn_reg reg;
    double lambda;

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

    /* the last gradient check, for `plot gradcheck` and lessons */
    nn_gc_result *gc;
    int gc_n;
    double gc_max;          /* NAN when there is none */
} ModelState;

/* The model state, created on first use (never NULL unless out of
 * memory, which is reported). */
ModelState *model_state(Session *s);

/* Bind the trainer to the current net and data; on failure report it as
 * an error of command `cmd` and return -1. */
int model_bind(Session *s, const char *cmd);

/* 0 when the session has a network (data); otherwise report, as an error
 * of command `cmd`, how to make one, and return -1. */
int model_need_net(Session *s, const char *cmd);
int model_need_data(Session *s, const char *cmd);

/* The network, data or weights changed: the optimizer state, history and
 * last gradient check no longer describe them. */
void model_restart(Session *s);

/* Print the network as a table (net with no arguments). */
void net_show(Session *s);

/* Wall-clock seconds (monotonic). */
double model_now(void);

/* Print one line of training progress (iteration, epoch, loss, accuracy,
 * lr) for the trainer's current state. */
void model_print_progress(Session *s);

/* The data's natural output layer size (1 for two classes, C for C, 1 for
 * regression), or 0 without labelled data. */
int model_outputs_for_data(const Session *s);

/* "note: beta is for momentum and nesterov; adam does not use it" when
 * optimizer k ignores the setting (optim, compare, search). */
void optim_note_unused(Session *s, nn_optim_kind k, const char *setting);

/* The network's parameter tensors changed (batch norm on or off) but its
 * weights and the history stay: the optimizer's moments are zeroed, the
 * guard re-measures, the last gradient check is dropped. */
void model_params_changed(Session *s);

#endif
