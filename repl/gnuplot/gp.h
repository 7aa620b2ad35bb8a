/*
 * gp.h — gnuplot as a child process, fed through a pipe that never blocks.
 *
 * One Gp owns one gnuplot process, started lazily (fork + execvp, no shell)
 * on the first draw.  Plots live in numbered windows (0 .. GP_MAX_WINDOWS-1):
 * on qt/wxt/x11 each window is a real window, kept open and redrawn; on
 * png/svg each window is a file DIR/plot-NAME.png; on dumb and sixel the
 * frames come back as text through gp_read_output().
 *
 * A frame is the gnuplot commands of one picture, without the terminal
 * line: gp adds the terminal for the live output, and can re-render the
 * last frame of a window to a file later (gp_save).  Frames are written
 * through a non-blocking pipe.  When gnuplot lags, a new frame for a window
 * replaces the one still waiting (only the latest picture matters) and is
 * sent once the bytes already in flight have gone: a half-sent frame is
 * never cut.  gp_flush() sends what is pending; call it from the event loop
 * when gp_write_fd() polls writable, or just before the next draw.
 *
 * gnuplot's stdout and stderr come back through one pipe and are never
 * inherited, so gnuplot cannot write over the readline prompt: poll
 * gp_output_fd() and print what gp_read_output() returns.
 *
 * If gnuplot is missing or dies, gp switches plotting off: draws return -1
 * and gp_take_message() gives one line saying so, once.  gp_allow_restart()
 * (called for an explicit `plot` command) lets the next draw start gnuplot
 * again.
 *
 * Environment: NNLAB_GNUPLOT names the program to run (default "gnuplot");
 * NNLAB_GNUPLOT_LOG names a file that gets a copy of all that is sent.
 *
 * Return values: 0 ok, -1 failed (a message waits in gp_take_message)
 * unless said otherwise.  Pointers passed in are copied; the caller keeps
 * ownership of its strings and arrays.
 */
#ifndef NNLAB_GP_H
#define NNLAB_GP_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

typedef struct Gp Gp;

#define GP_MAX_WINDOWS 32

typedef enum {
    GP_TERM_AUTO,   /* a window terminal if there is a display, else dumb */
    GP_TERM_QT,
    GP_TERM_WXT,
    GP_TERM_X11,
    GP_TERM_DUMB,   /* ASCII art, sized to the terminal */
    GP_TERM_PNG,    /* pngcairo (png if no cairo), a file per window */
    GP_TERM_SVG,    /* a file per window */
    GP_TERM_SIXEL,  /* sixelgd, bytes come back through gp_read_output */
    GP_TERM_COUNT
} GpTerm;

/* Receives gnuplot's output (text, or sixel bytes); n > 0, not NUL-ended. */
typedef void (*GpTextFn)(void *ctx, const char *text, size_t n);

/* --- life cycle ------------------------------------------------------- */

/* A new handle; gnuplot is not started yet.  NULL only if out of memory.
 * Ignores SIGPIPE for the whole program (once), so a dead gnuplot shows up
 * as EPIPE instead of killing the shell. */
Gp *gp_new(void);

/* Sends what is still pending (waiting at most ~3 s in all), closes
 * gnuplot's input so it exits (persist windows stay open), reaps it (kills
 * it if it does not exit) and frees everything.  Output not read by then
 * is dropped: gp_sync() first to show it.  gp may be NULL. */
void gp_free(Gp *gp);

/* --- settings ----------------------------------------------------------- */

/* Choose the live terminal.  Starts gnuplot if needed, to check it has the
 * terminal; if not, keeps the previous one and returns -1 with a message. */
int gp_set_term(Gp *gp, GpTerm t);

/* The terminal in use: "qt", "dumb", "png", ... ("auto" before gnuplot has
 * started).  Static string. */
const char *gp_term_name(const Gp *gp);

/* The terminals' names in GpTerm order, NULL-terminated: the one list
 * that `plot term`, its help and Tab completion read. */
extern const char *const gp_term_names[];

/* "auto", "qt", ... <-> GpTerm.  gp_term_parse returns -1 on an unknown
 * name.  gp_term_str returns a static string. */
int gp_term_parse(const char *name, GpTerm *out);
const char *gp_term_str(GpTerm t);

/* Directory for the files of the png/svg live terminals (default ".").
 * -1 if dir is empty or holds control characters. */
int gp_set_output_dir(Gp *gp, const char *dir);

/* A short name for a window ("loss"): window titles and live file names
 * (plot-loss.png).  Default: the window number.  Copied (63 bytes max). */
int gp_name_window(Gp *gp, int window, const char *name);

/* Minimum time between two live draws of one window (default 0.1 s; at
 * least 1 s on dumb and sixel, where each frame scrolls the terminal). */
void gp_set_interval(Gp *gp, double seconds);

/* The time to leave between live frames: base, longer while gnuplot takes
 * more than its share of a core (1.5% while training keeps more than one
 * core busy, else half of the idle one), back to base when it does not.
 * now: clock_now(). */
double gp_live_interval(Gp *gp, double base, double now);

/* Append a copy of every byte sent to gnuplot to path (NULL: stop).
 * Also set from $NNLAB_GNUPLOT_LOG by gp_new. */
int gp_set_script_log(Gp *gp, const char *path);

/* --- drawing ------------------------------------------------------------ */

/* Draw one frame (gnuplot commands, no terminal line) in a window.  The
 * body is copied and remembered for gp_save.  Never blocks: what the pipe
 * cannot take now stays pending.  -1 when plotting is off. */
int gp_draw(Gp *gp, int window, const char *body, size_t len);

/* Render the last frame of a window to path; .png (pngcairo, else png) or
 * .svg by extension; width/height <= 0 mean 1024x768.  A gnuplot of its
 * own renders it, at the usual priority (the live one runs at nice 19 and
 * may wait long on a busy machine), into a temporary file beside path,
 * which replaces path only once checked: not empty, the PNG or SVG
 * signature, and complete (PNG's IEND chunk, SVG's </svg>).  path is
 * replaced as base/safefile.h says (a link's target, its mode kept;
 * read-only files, devices and FIFOs refused).  Waits as long as gnuplot
 * works (uses CPU time): gives up only after gp_set_stuck_limit seconds
 * without any, or when the cancel flag is set.  0 when the file is in
 * place; -1 with a message, path as it was before. */
int gp_save(Gp *gp, int window, const char *path, int width, int height);

/* gp_save's patience with a gnuplot that uses no CPU time (stopped, or
 * waiting on something that never comes): default 10 s. */
void gp_set_stuck_limit(Gp *gp, double seconds);

/* A flag (the SIGINT flag) that makes a waiting gp_save give up: "plot:
 * interrupted".  NULL: none. */
void gp_set_cancel(Gp *gp, const volatile sig_atomic_t *flag);

/* 1 if the window has a frame to save. */
int gp_has_frame(const Gp *gp, int window);

/* Throttle for live plots: 1 if the window was last drawn at least the
 * interval ago (and then `now` starts the next interval), 0 otherwise or
 * when plotting is off.  now: seconds on any steady clock (clock_now()). */
int gp_due(Gp *gp, int window, double now);

/* --- the pipe, for the event loop ---------------------------------------- */

/* Send what is pending without blocking.  0 all sent, 1 some still pending,
 * -1 plotting is off (gnuplot died: message waiting). */
int gp_flush(Gp *gp);

/* While on, gp_draw only keeps each window's body (for gp_save) and draws
 * nothing on the live terminal: plot save writes its file without also
 * printing the chart in a text terminal. */
void gp_store_only(Gp *gp, int on);

/* 1 when gnuplot could not be started because it is not installed (not
 * on PATH): plot commands then say so and succeed. */
int gp_missing(const Gp *gp);

/* 1 if bytes or frames wait to be sent (poll gp_write_fd for POLLOUT). */
int gp_pending(const Gp *gp);

/* gnuplot's input (poll POLLOUT while gp_pending) and output (poll POLLIN)
 * descriptors; -1 when gnuplot is not running.  Owned by gp. */
int gp_write_fd(const Gp *gp);
int gp_output_fd(const Gp *gp);

/* Copy up to n bytes of gnuplot's output into buf; never blocks.  Returns
 * the number of bytes (0: nothing now).  Also returns text held back by a
 * gp_sync() given no callback.  buf is not NUL-terminated. */
int gp_read_output(Gp *gp, char *buf, size_t n);

/* Wait until gnuplot has read and run everything sent so far (so a PNG is
 * complete), passing its output to on_text (NULL: keep it for
 * gp_read_output).  0 done (or gnuplot not started), 1 timed out, -1
 * gnuplot died. */
int gp_sync(Gp *gp, int timeout_ms, GpTextFn on_text, void *ctx);

/* --- failure -------------------------------------------------------------- */

/* The pending message ("plot: gnuplot exited; ..."), or NULL; each message
 * is returned once.  Points into gp, valid until the next gp call. */
const char *gp_take_message(Gp *gp);

/* Make msg (copied) the pending message; returns -1.  For modules built
 * on gp (chart.c) that fail before drawing. */
int gp_fail(Gp *gp, const char *msg);

/* After gnuplot was found missing or dead: let the next draw try again. */
void gp_allow_restart(Gp *gp);

/* 1 while a gnuplot process is running. */
int gp_running(const Gp *gp);

/* The gnuplot process id, or 0. */
pid_t gp_pid(const Gp *gp);

/* --- text for gnuplot ------------------------------------------------------ */

/* A number as gnuplot reads it (%.10g); the caller skips NaN/Inf. */
void gp_num(Buf *b, double v);
/* User text as a gnuplot single-quoted string: ' doubled, control
 * characters (newlines included) turned into spaces.  NULL gives ''. */
void gp_quote(Buf *b, const char *text);

#endif
