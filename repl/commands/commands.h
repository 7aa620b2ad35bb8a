/*
 * commands.h — the command groups of the commands/ folder, and the one
 * call that registers every group of the program in the course's order.
 *
 * Each cmd_*.c file keeps its handlers and, next to them, its rows of the
 * command table (cmd.h): the help a student reads is written beside the
 * code it describes.
 */
#ifndef NNLAB_COMMANDS_H
#define NNLAB_COMMANDS_H

#include "cmd.h"
#include "nnlab.h"

/* Register every command group (these, and the plots' and lessons') and
 * the completion word lists built from the engine's own names: "@gens",
 * "@acts", "@inits", "@regs", "@optims", "@scheds", "@losses", "@clips",
 * "@units" (of a warm-up), "@norms" (normalize's modes), "@flips" (of
 * augment) and the network's gradients "@params".  0, or -1 when the table is full. */
int commands_register(Session *s);

/* The rows of each file, for commands.c. */
extern const Command cmd_data_rows[];     /* cmd_data.c */
extern const Command cmd_prep_rows[];     /* cmd_prep.c: normalize */
extern const Command cmd_augment_rows[];  /* cmd_augment.c */
extern const Command cmd_net_rows[];      /* cmd_net.c */
extern const Command cmd_layer_rows[];    /* cmd_layer.c */
extern const Command cmd_hyper_rows[];    /* cmd_hyper.c */
extern const Command cmd_optim_rows[];    /* cmd_optim.c */
extern const Command cmd_sched_rows[];    /* cmd_sched.c */
extern const Command cmd_seed_rows[];     /* cmd_optim.c: seed, threads */
extern const Command cmd_train_rows[];    /* cmd_train.c */
extern const Command cmd_eval_rows[];     /* cmd_eval.c */
extern const Command cmd_stop_rows[];     /* cmd_stop.c */
extern const Command cmd_speed_rows[];    /* cmd_speed.c */
extern const Command cmd_gradcheck_rows[]; /* cmd_gradcheck.c */
extern const Command cmd_inspect_rows[];  /* cmd_inspect.c */
extern const Command cmd_calc_rows[];     /* cmd_calc.c */
extern const Command cmd_compare_rows[];  /* cmd_compare.c */
extern const Command cmd_search_rows[];   /* cmd_search.c */
extern const Command cmd_ewa_rows[];      /* cmd_ewa.c */
extern const Command cmd_ensemble_rows[]; /* cmd_ensemble.c */
extern const Command cmd_session_rows[];  /* cmd_session.c */
extern const Command cmd_shell_rows[];    /* cmd_shell.c */

/* Print the network as a table (net alone; load shows it too). */
void cmd_net_show(Session *s);

/* 1 when the data have labels and the network a loss to train on;
 * else 0 after saying which is missing (train, run, step, eval). */
int cmd_trainable(Session *s);

/* As many layers as net builds and layer add allows. */
#define CMD_MAX_LAYERS 256

/* "relu", "Tanh", "leaky=0.2" into *act and *arg, for `what` ("hidden
 * activation"); softmax only where softmax_ok.  -1 after reporting a bad
 * text (unknown name with "did you mean", a bad parameter). */
int cmd_parse_act(Session *s, const char *text, const char *what,
                  int softmax_ok, nn_act *act, double *arg);

/* The data's preprocessing in a few words, for `data`: "off", "on
 * (z-score)", "pca (10 of 64 components, 73.9% of the variance)" ... */
struct nn_data;
void prep_describe(const struct nn_data *d, char *buf, size_t n);
/* The features' ranges and the statistics fitted (a table for up to 8
 * features, a summary for more). */
void prep_show_features(Session *s, const struct nn_data *d);
/* After load: put the session's data under preprocessing p, what the
 * model file records, saying so when that changes anything, or in a
 * note why it cannot (a file that records none leaves the data as they
 * are, with a note when they are preprocessed); and switch off an
 * augmentation of the file's that the data cannot take. */
struct nn_prep;
void prep_load(Session *s, const struct nn_prep *p);

/* The end of a cycle of the schedule in `train ... snapshot=cycle`: add
 * the network to the ensemble as "cycleN", saying so.  0, or -1 when it
 * could not (said; snapshots stop). */
int ensemble_snapshot(Session *s);

/* The pace of training (cmd_speed.c).  pace_hold: 0 when the next update
 * may be made now (counted), 1 when it is not due yet (the job's
 * resume_at then says when).  pace_restart counts from now (a run starts);
 * pace_set changes the speed (0: off); pace_parse reads "off" or N. */
struct ModelState;
int pace_hold(Session *s, struct ModelState *m, double now);
void pace_restart(struct ModelState *m);
void pace_set(Session *s, double speed);
int pace_parse(Session *s, const char *text, double *speed);

#endif
