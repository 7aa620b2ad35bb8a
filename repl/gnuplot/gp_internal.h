/*
 * gp_internal.h — what the gp*.c files share and nobody else may use.
 *
 * The gnuplot module (prefix gp_, public contract gp.h) is spread over
 * files that each hold one idea and call each other one way only (see
 * gp.c).  The struct Gp is defined here so they can reach its fields;
 * outside them it stays opaque.  Nothing here is part of the contract.
 */
#ifndef NNLAB_GP_INTERNAL_H
#define NNLAB_GP_INTERNAL_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "gp.h"

enum { GP_OFF, GP_RUNNING, GP_DEAD };

/* Marker lines "@@nnlab-PAYLOAD@@" that gnuplot prints for us. */
#define GP_MARK "@@nnlab-"
#define GP_MARK_LEN 8
#define GP_MARK_MAX 4096            /* longer is not one of ours */
#define GP_HOLD_MAX (16u << 20)     /* output kept for gp_read_output */
#define GP_STUCK_SECONDS 10.0       /* gp_save: no CPU progress this long */

typedef struct GpWindow {
    Buf body;         /* last frame, without terminal line */
    int has_body;
    int dirty;          /* body not yet queued for the live terminal */
    int opened;         /* window terminal opened (size given) already */
    int blocked;        /* its live file cannot be written: said once,
                           no frames until the next plot command */
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
    Buf q;                /* bytes to send; q_off of them sent */
    size_t q_off;
    Buf raw;              /* output read, not yet filtered */
    Buf held;             /* filtered output for gp_read_output */
    unsigned sync_sent, sync_seen;
    double stuck;           /* gp_save gives up after this long without
                               gnuplot using any CPU time */
    const volatile sig_atomic_t *cancel;  /* gp_save stops when set */
    FILE *log;
    char msg[320];
    int has_msg;
    GpWindow win[GP_MAX_WINDOWS];
};

/* --- gp_out.c: gnuplot's output ------------------------------------------ */

/* Move gp->raw into gp->held, taking our marker lines out.  A marker still
 * arriving is kept in raw, unless final (gnuplot is gone). */
void gp_filter_output(Gp *gp, int final);

/* --- gp_proc.c: the child process ---------------------------------------- */

/* Make the pending message (bounded; fmt is always ours). */
void gp_set_msg(Gp *gp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int gp_valid_window(int w);
int gp_has_control_chars(const char *s);
void gp_close_fd(int *fd);

/* fork + execvp `bin` with pipes to its stdin and from its stdout and
 * stderr, at nice 19 when `niced`.  0: *pid, *in_wr and *out_rd are set
 * (non-blocking).  -1: a message is set (gp->missing when there is no
 * gnuplot), every descriptor made here is closed; the state is the
 * caller's to change. */
int gp_spawn(Gp *gp, const char *bin, int niced, pid_t *pid, int *in_wr,
             int *out_rd);

/* The CPU time (user + system) process pid has used, in seconds; -1 when
 * unknown. */
double gp_child_cpu(pid_t pid);

/* Has the child exited on its own?  Then gp_die() now.  0 running (or not
 * started), -1 dead. */
int gp_check_child(Gp *gp);

/* gnuplot is gone (or must go): keep its last words, reap it (unless
 * status_known: already reaped with that status), say so once. */
void gp_die(Gp *gp, int status_known, int status);

/* Write the queue without blocking: 0 empty, 1 pipe full, -1 gone. */
int gp_send_queue(Gp *gp);

/* Read what gnuplot printed, without blocking.  -1 on EOF (gone). */
int gp_pull_output(Gp *gp);

/* --- gp_term.c: terminals ------------------------------------------------ */

int gp_has_term(const GpCaps *c, GpTerm t);

/* Set gp->live from gp->term, the display and the terminals gnuplot has. */
void gp_resolve_term(Gp *gp);

/* `set term ...` for terminal t in window w (and `set output` for files),
 * then the variables frames adapt themselves to text art with. */
void gp_put_term(Gp *gp, Buf *b, int w, GpTerm t, int width, int height,
                 const char *file);

/* --- gp_queue.c: frames -------------------------------------------------- */

/* Queue the live frame of window w (terminal line, body, end of file). */
void gp_queue_frame(Gp *gp, int w);

/* --- gp_read.c: waiting for gnuplot --------------------------------------- */

/* Send everything, then a sentinel, and read until it comes back.  Returns
 * as gp_sync (0 done, 1 timed out, -1 gnuplot died). */
int gp_sync_marker(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx);

#endif
