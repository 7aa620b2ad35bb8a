/*
 * plot.h — the `plot` command and live plots.
 *
 * Each plot kind has its own gnuplot window.  A kind once plotted is
 * "live" if it follows training: plot_live() redraws it as training runs,
 * sharing one budget of about ten frames a second, so plotting costs
 * training little.  On the dumb (text) terminal live plots are drawn only
 * when training stops, since ASCII frames would otherwise scroll the
 * screen away.
 */
#ifndef NNLAB_PLOT_H
#define NNLAB_PLOT_H

#include "session.h"

/* Register the Plots group (the plot command) and the words "@plots" and
 * "@terms" in the session's command table.  0, or -1 when it is full. */
int plot_register(Session *s);

/* Redraw the live plots that are due (all of them when force). */
void plot_live(Session *s, int force);

/* Redraw one kind ("acts", "gradcheck"), if it is live, now. */
void plot_refresh(Session *s, const char *kind);

/* Draw the result of an experiment (compare, search, ewa) at the prompt;
 * scripts ask for it with plot KIND. */
void plot_show_experiment(Session *s, const char *kind);

/* Free the plotter (closes gnuplot); session_free calls it. */
void plot_free(Session *s);

#endif
