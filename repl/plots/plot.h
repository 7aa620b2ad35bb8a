/*
 * plot.h — the `plot` command and live plots.
 *
 * Each plot kind has its own gnuplot window.  A kind once plotted is
 * "live": plot_live() redraws it as training runs, at most about ten times
 * a second per window, so plotting costs training little.  On the dumb
 * (text) terminal live plots are drawn only when training stops, since
 * ASCII frames would otherwise scroll the screen away.
 */
#ifndef NNLAB_PLOT_H
#define NNLAB_PLOT_H

#include "session.h"

/* Redraw the live plots that are due (all of them when force). */
void plot_live(Session *s, int force);

/* Redraw one kind ("acts", "gradcheck"), if it is live, now. */
void plot_refresh(Session *s, const char *kind);

/* Draw the result of an experiment (compare, search, ewa) at the prompt;
 * scripts ask for it with plot KIND. */
void plot_show_experiment(Session *s, const char *kind);

/* Free the plotter (closes gnuplot). */
void plot_free(Session *s);

#endif
