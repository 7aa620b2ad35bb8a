/*
 * session.h — everything one nnlab shell knows, passed to every command.
 *
 * There are no globals in the program but the SIGINT flag (interrupt.h):
 * a command handler gets the Session and changes only what its command is
 * about.  The engine objects (data, net, trainer) are owned here and freed
 * by session_free().
 *
 * The Session belongs to the core layer.  The layers above it (plots,
 * lessons, the terminal) keep their own state on it through opaque
 * pointers, and learn what happens below them through hooks: core never
 * calls up.  main.c and the terminal set the hooks; tests set fakes.
 */
#ifndef NNLAB_SESSION_H
#define NNLAB_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct Session;
struct Command;
struct nn_data;
struct nn_net;
struct nn_trainer;
struct ModelState;
struct Experiments;
struct Plotter;
struct LessonRun;
struct Shell;

#define NNLAB_VERSION "0.1.0"

/* A long-running piece of work (train N, run) advanced in short slices,
 * so the prompt stays live while it runs (job.h).  slice() returns 1 while
 * there is more to do, 0 when finished. */
typedef struct Job {
    int active;
    int (*slice)(struct Session *s);
    void (*stop)(struct Session *s, const char *why); /* pause/Ctrl-C */
    double resume_at;  /* set by a slice that is ahead of its pace (run
                          speed=N): the clock_now() time before which the
                          next slice has nothing to do; 0: go on at once */
} Job;

/* What the layers above core are told, and what they do for it.  Every
 * hook may be NULL: then the notice goes nowhere (scripts and tests have no
 * terminal, and no lesson may be running). */
typedef struct SessionHooks {
    /* The terminal (term/), while it shows a prompt.  write() prints text
     * without garbling the line being typed; progress() shows or (NULL)
     * removes the progress line above the prompt. */
    void (*write)(struct Session *s, const char *text, size_t len);
    void (*progress)(struct Session *s, const char *text);
    /* Put text on the next prompt's line, ready to run or edit (NULL
     * cancels); change the prompt (NULL: the usual one). */
    void (*offer)(struct Session *s, const char *text);
    void (*set_prompt)(struct Session *s, const char *prompt);

    /* Whoever follows what the student does (the lesson runner).  typed()
     * gives the line to run for what was typed at the prompt (the lesson
     * may take back text it offered); line_ran() hears each line the
     * student ran, at the prompt or from standard input, with its status;
     * job_ended() hears that training running in the background ended. */
    const char *(*typed)(struct Session *s, const char *line);
    void (*line_ran)(struct Session *s, const char *line, int status);
    void (*job_ended)(struct Session *s);

    /* The values lesson checks read: model_lookup (model.h) when NULL, a
     * fake in the lesson runner's tests. */
    int (*lookup)(struct Session *s, const char *name, int index,
                  double *value);
} SessionHooks;

typedef void (*session_fd_fn)(struct Session *s, int fd);
#define SESSION_MAX_WATCH 8
#define SESSION_MAX_GROUPS 24
#define SESSION_MAX_WORDS 24
#define SESSION_MAX_CLEANUPS 8

/* A named list of completion words ("acts", "params"): list() calls
 * add(ctx, word) for each word there is now. */
typedef struct SessionWords {
    const char *name;
    void (*list)(struct Session *s, void (*add)(void *ctx, const char *word),
                 void *ctx);
} SessionWords;

typedef struct Session {
    /* --- the model: engine objects, owned --- */
    struct nn_data *data;
    struct nn_net *net;
    struct nn_trainer *tr;    /* points into model; the seed is tr->seed */
    int threads;
    struct ModelState *model; /* the model commands' own state (model.h) */
    struct Experiments *exp;  /* compare/search/ewa results (experiment.h) */

    /* --- running commands --- */
    int interactive;     /* a person at a terminal (prompt, progress bar) */
    int quiet;           /* -q: no banner, fewer chatty lines */
    int color;           /* colour allowed (terminal and no NO_COLOR) */
    int keep_going;      /* scripts: go on after an error */
    int failures;        /* commands that failed so far (exit status) */
    int depth;           /* nesting of `source` */
    int want_quit;
    int lesson_auto;     /* --auto: lessons run every step unattended */
    double lesson_pace;  /* --pace: seconds between the steps of --auto;
                            < 0: wait for Enter; 0: no pause */
    FILE *out;           /* where command output goes (stdout) */
    int tty_out;         /* out is a terminal: flushed after each print */
    int out_errno;       /* why writing to out failed, 0 while it works */
    int out_said;        /* out_failed() has said so */
    Job job;             /* training in progress in the shell, if any */
    const char *cmd_name;/* the command running now, for cmd_error */
    int line_depth;      /* nesting of cmd_run_line() */
    int at_prompt;       /* running a line typed at the prompt */

    /* --- the command table: groups of rows, registered (cmd.h) --- */
    const struct Command *groups[SESSION_MAX_GROUPS];
    int ngroups;
    SessionWords words[SESSION_MAX_WORDS];
    int nwords;

    /* --- the layers above, their state owned through cleanups --- */
    struct Plotter *plot;
    struct LessonRun *lesson;
    struct Shell *sh;
    SessionHooks hooks;
    void (*cleanup[SESSION_MAX_CLEANUPS])(struct Session *s);
    int ncleanups;
    struct { int fd; session_fd_fn fn; } watch[SESSION_MAX_WATCH];
    int nwatch;
} Session;

/* A new session with default settings (output to stdout, colour off, not
 * interactive, no commands registered), or NULL when out of memory.  Free
 * it with session_free(), which runs the cleanups (newest first), then
 * frees every engine object it holds. */
Session *session_new(void);
void session_free(Session *s);

/* Run fn(s) when the session is freed, once however often it is asked
 * (a layer frees its own state this way).  0, or -1 when full. */
int session_on_free(Session *s, void (*fn)(Session *s));

/* Call fn(s, fd) whenever fd has data (or hangs up): while the terminal
 * waits for keys, and between slices of a job.  0, or -1 when
 * SESSION_MAX_WATCH descriptors are watched.  Watching an fd again
 * replaces its function. */
int session_watch_fd(Session *s, int fd, session_fd_fn fn);
void session_unwatch_fd(Session *s, int fd);
/* Poll the watched descriptors without waiting and call the functions of
 * those ready. */
void session_poll_watched(Session *s);
/* For an event loop that polls more: fill fds[first..] with the watched
 * descriptors (returns first + their count), and after poll() call the
 * functions of those in fds[from..n) that are ready. */
struct pollfd;
int session_watch_fill(const Session *s, struct pollfd *fds, int first);
void session_watch_dispatch(Session *s, const struct pollfd *fds, int from,
                            int n);

#endif
