/*
 * optim.h — optimizers and learning-rate schedules.
 *
 * The forms are the course's: momentum keeps v = β·v + (1−β)·g and steps
 * −α·v; RMSprop keeps s = β2·s + (1−β2)·g² and steps −α·g/(√s + ε); Adam
 * keeps both and divides each by its bias correction (1 − βᵗ).  Nesterov
 * uses the same v and steps with the look-ahead −α·(β·v + (1−β)·g).
 */
#ifndef NN_OPTIM_H
#define NN_OPTIM_H

#include "net.h"

typedef enum {
    NN_OPT_GD, NN_OPT_MOMENTUM, NN_OPT_NESTEROV, NN_OPT_RMSPROP, NN_OPT_ADAM
} nn_optim_kind;
/* "gd" "momentum" "nesterov" "rmsprop" "adam" */
extern const char *const nn_optim_names[];

typedef struct nn_optim {
    nn_optim_kind kind;
    double lr;              /* α₀, before the schedule */
    double beta;            /* momentum, nesterov (0.9) */
    double beta1, beta2;    /* adam (0.9, 0.999); rmsprop uses beta2 */
    double eps;             /* 1e-8 */
    long t;                 /* updates made, for Adam's bias correction */
} nn_optim;

void nn_optim_defaults(nn_optim *o);

/* The ranges the settings must lie in, shared by the shell's commands and
 * the model loader: a β of 1 would divide Adam's bias correction by zero. */
#define NN_LR_MAX 100.0
#define NN_BETA_MAX 0.999999
#define NN_BETA2_MAX 0.999999999
#define NN_EPS_MAX 1.0
#define NN_DECAY_RATE_MAX 1e6
#define NN_DECAY_EVERY_MAX 100000

/* 1 when optimizer k uses the setting named ("beta", "beta1", "beta2",
 * "eps"; "lr" always), else 0: a student setting beta for adam should
 * hear that it does nothing. */
int nn_optim_uses(nn_optim_kind k, const char *setting);

/* 0 when every setting of o is in its range, else -1 with err naming it. */
int nn_optim_check(const nn_optim *o, nn_err *err);

/* One update of every parameter of net with learning rate lr (the
 * scheduled one), from the gradients in param->g.  Records each layer's
 * ‖ΔW‖² in layer->update_sq. */
void nn_optim_step(nn_optim *o, nn_net *net, double lr);

/* Update one tensor of n values; t is the (1-based) step for Adam.
 * Returns ‖Δw‖², and ‖w‖² before the update in *w_sq (if not NULL), in
 * the same pass.  Exposed for the tests. */
double nn_optim_update(const nn_optim *o, long t, double lr, double *w,
                       const double *g, double *v, double *s, int n,
                       double *w_sq);

typedef enum { NN_SCHED_NONE, NN_SCHED_INVERSE, NN_SCHED_EXP, NN_SCHED_STEP }
    nn_sched_kind;
/* "none" "inverse" "exp" "step" */
extern const char *const nn_sched_names[];

typedef struct nn_sched {
    nn_sched_kind kind;
    double rate;    /* inverse: decay rate; exp: the base (0.95) */
    int every;      /* apply the decay every `every` epochs (default 1) */
    double factor;  /* step: multiply by factor every `every` epochs */
} nn_sched;

/* The learning rate for a (0-based) epoch:
 *   none     α₀
 *   inverse  α₀ / (1 + rate·⌊epoch/every⌋)
 *   exp      α₀ · rate^⌊epoch/every⌋
 *   step     α₀ · factor^⌊epoch/every⌋ */
double nn_sched_lr(const nn_sched *s, double lr0, int epoch);

/* 0 when the schedule's settings are in range (rate 0..NN_DECAY_RATE_MAX,
 * every 1..NN_DECAY_EVERY_MAX, factor 0..1), else -1 with err. */
int nn_sched_check(const nn_sched *s, nn_err *err);

#endif
