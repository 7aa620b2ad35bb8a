/*
 * session.h — everything one nnlab shell knows, passed to every command.
 *
 * There are no globals in the program but the SIGINT flag: a command handler
 * gets the Session and changes only what its command is about.  The engine
 * objects (data, net, trainer) are owned here and freed by session_free().
 */
#ifndef NNLAB_SESSION_H
#define NNLAB_SESSION_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

struct Session;
struct nn_data;
struct nn_net;
struct nn_trainer;
struct Plotter;
struct Experiments;
struct LessonRun;
struct Shell;

#define NNLAB_VERSION "0.1.0"

/* A long-running piece of work (train N, run) advanced in short slices by
 * the event loop, so the prompt stays live while it runs.  slice() returns
 * 1 while there is more to do, 0 when finished. */
typedef struct Job {
    int active;
    int (*slice)(struct Session *s);
    void (*stop)(struct Session *s, const char *why); /* pause/Ctrl-C */
} Job;

typedef struct Session {
    /* --- the model: engine objects, owned --- */
    struct nn_data *data;
    struct nn_net *net;
    struct nn_trainer *tr;
    uint64_t seed;
    int threads;
    struct ModelState *model; /* the model commands' own state (model.c) */
    struct Experiments *exp;  /* compare/search/ewa results (experiment.h) */

    /* --- the shell --- */
    int interactive;     /* a person at a terminal (prompt, progress bar) */
    int quiet;           /* -q: no banner, fewer chatty lines */
    int color;           /* colour allowed (terminal and no NO_COLOR) */
    int keep_going;      /* scripts: go on after an error */
    int failures;        /* commands that failed so far (exit status) */
    int depth;           /* nesting of `source` */
    int want_quit;
    Job job;             /* training in progress in the shell, if any */
    FILE *out;           /* where command output goes (stdout) */

    /* --- plotting and lessons, owned --- */
    struct Plotter *plot;
    struct LessonRun *lesson;
    int lesson_auto;     /* --auto: lessons run every step with no one there */

    /* --- the terminal: readline, prompt, progress line (shell.h), owned --- */
    struct Shell *sh;
} Session;

/* A new session with default settings (seed 1, output to stdout, colour off,
 * not interactive), or NULL when out of memory.  Free it with
 * session_free(), which also frees every engine object it holds. */
Session *session_new(void);
void session_free(Session *s);

/* Free the model (data, net, trainer) and set the pointers to NULL.
 * Implemented with the model state (repl/model.c). */
void model_free(Session *s);

/* The only global: set by the SIGINT handler, polled at safe points. */
extern volatile sig_atomic_t nnlab_interrupted;

#endif
