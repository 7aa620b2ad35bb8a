/*
 * gp_internal.h — what the gp*.c files share and nobody else may use.
 *
 * The gnuplot module is one module (prefix gp_, public contract gp.h)
 * spread over four files so that each holds one idea:
 *   gp.c       the child process: start, watch, stop; the send queue;
 *              failure messages, the draw interval, the script log
 *   gp_term.c  terminals: names, which one to use, the `set term` line,
 *              window names, the live frame of a window and gp_save's
 *              file rendering
 *   gp_read.c  gnuplot's output: our marker lines taken out, text held for
 *              the caller, gp_sync
 *   gp_buf.c   GpBuf, the growable string frames are composed in
 * The struct Gp is defined here so the four can reach its fields; outside
 * them it stays opaque.  Nothing here is part of the public contract.
 */
#ifndef NNLAB_GP_INTERNAL_H
#define NNLAB_GP_INTERNAL_H

#include <stdio.h>
#include <sys/types.h>

#include "gp.h"

enum { GP_OFF, GP_RUNNING, GP_DEAD };

/* Marker lines "@@nnlab-PAYLOAD@@" that gnuplot prints for us. */
#define GP_MARK "@@nnlab-"
#define GP_MARK_LEN 8
#define GP_MARK_MAX 4096            /* longer is not one of ours */
#define GP_HOLD_MAX (16u << 20)     /* output kept for gp_read_output */

typedef struct GpWindow {
    GpBuf body;         /* last frame, without terminal line */
    int has_body;
    int dirty;          /* body not yet queued for the live terminal */
    int opened;         /* window terminal opened (size given) already */
    double last_draw;   /* for gp_due; < 0: never */
    char name[64];
} GpWindow;

/* Terminals this gnuplot has, from GPVAL_TERMINALS. */
typedef struct GpCaps {
    int known, qt, wxt, x11, pngcairo, png, svg, sixelgd;
} GpCaps;

struct Gp {
    int state;
    int missing;      /* the last start found no gnuplot to run */
    int store_only;   /* gp_draw keeps bodies without showing them */
    pid_t pid;
    int in_fd, out_fd;
    GpTerm term;            /* asked for */
    GpTerm live;            /* in use (AUTO resolved) */
    GpCaps caps;
    char *dir;              /* png/svg live files */
    double interval;        /* gp_due's least time between two frames */
    double slowdown;        /* >= 1: gp_live_interval's factor while
                               gnuplot takes more than its share of a core */
    double cpu_at;          /* when gnuplot's CPU time was last read */
    double cpu_used;        /* and what it was, in seconds */
    double self_used;       /* our own CPU time then (all threads) */
    GpBuf q;                /* bytes to send; q_off of them sent */
    size_t q_off;
    GpBuf raw;              /* output read, not yet filtered */
    GpBuf held;             /* filtered output for gp_read_output */
    unsigned sync_sent, sync_seen;
    FILE *log;
    char msg[320];
    int has_msg;
    GpWindow win[GP_MAX_WINDOWS];
};

/* --- gp.c ---------------------------------------------------------------- */

/* Make the pending message (bounded; fmt is always ours). */
void gp_set_msg(Gp *gp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int gp_valid_window(int w);
int gp_has_control_chars(const char *s);

/* Milliseconds until deadline (seconds on gp_now()), 0 once it passed. */
int gp_ms_left(double deadline);

/* Start gnuplot if it is off; notice if it died.  0 running, -1 not. */
int gp_ensure_running(Gp *gp);

/* gnuplot is gone (or must go): keep its last words, reap it (unless
 * status_known: already reaped with that status), say so once. */
void gp_die(Gp *gp, int status_known, int status);

/* --- gp_term.c ----------------------------------------------------------- */

/* Set gp->live from gp->term, the display and the terminals gnuplot has. */
void gp_resolve_term(Gp *gp);

/* Queue the live frame of window w (terminal line, body, end of file). */
void gp_queue_frame(Gp *gp, int w);

/* --- gp_read.c ----------------------------------------------------------- */

/* Move gp->raw into gp->held, taking our marker lines out.  A marker still
 * arriving is kept in raw, unless final (gnuplot is gone). */
void gp_filter_output(Gp *gp, int final);

/* Send everything, then a sentinel, and read until it comes back.  Returns
 * as gp_sync (0 done, 1 timed out, -1 gnuplot died). */
int gp_sync_marker(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx);

#endif
