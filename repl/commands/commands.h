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

/* Register every command group (these, and the plots' and lessons') and
 * the completion word lists built from the engine's own names: "@gens",
 * "@acts", "@inits", "@regs", "@optims", "@scheds", "@losses", "@clips",
 * "@units" (of a warm-up) and the network's gradients "@params".  0, or -1 when the table is full. */
int commands_register(Session *s);

/* The rows of each file, for commands.c. */
extern const Command cmd_data_rows[];     /* cmd_data.c */
extern const Command cmd_net_rows[];      /* cmd_net.c */
extern const Command cmd_hyper_rows[];    /* cmd_hyper.c */
extern const Command cmd_optim_rows[];    /* cmd_optim.c */
extern const Command cmd_sched_rows[];    /* cmd_sched.c */
extern const Command cmd_seed_rows[];     /* cmd_optim.c: seed, threads */
extern const Command cmd_train_rows[];    /* cmd_train.c */
extern const Command cmd_stop_rows[];     /* cmd_stop.c */
extern const Command cmd_gradcheck_rows[]; /* cmd_gradcheck.c */
extern const Command cmd_inspect_rows[];  /* cmd_inspect.c */
extern const Command cmd_calc_rows[];     /* cmd_calc.c */
extern const Command cmd_compare_rows[];  /* cmd_compare.c */
extern const Command cmd_search_rows[];   /* cmd_search.c */
extern const Command cmd_ewa_rows[];      /* cmd_ewa.c */
extern const Command cmd_session_rows[];  /* cmd_session.c */
extern const Command cmd_shell_rows[];    /* cmd_shell.c */

/* Print the network as a table (net alone; load shows it too). */
void cmd_net_show(Session *s);

#endif
