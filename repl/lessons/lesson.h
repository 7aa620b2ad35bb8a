/*
 * lesson.h — lesson files, the lesson runner, and student progress.
 *
 * A lesson is a plain text file lessons/NAME.lesson (format in
 * lessons/README.md): a title, a summary, then sections, each an ordered
 * list of prose, commands, questions and checks.  The runner walks a
 * section top to bottom: it prints prose and questions, puts each command
 * on the student's prompt and waits for it to be run, and evaluates each
 * check against what the shell knows at that moment (model_lookup).
 *
 * Interactive use is event driven: through the session's hooks the shell
 * tells the runner what the student ran (lesson_after_line) and when a
 * background training job ended (lesson_after_job); the runner answers by
 * printing and by putting the next command on the prompt (the offer hook).
 * `--auto` runs the same walk with no one at the keyboard.
 *
 * The running lesson (struct LessonRun) is owned by the Session
 * (s->lesson); lesson_close() frees it.
 */
#ifndef NNLAB_LESSON_H
#define NNLAB_LESSON_H

#include <stddef.h>

#include "check.h"
#include "session.h"

/* ------------------------------------------------------------------ */
/* Parsed lesson files (lesson_parse.c)                                 */

typedef enum {
    LESSON_PROSE,     /* text: lines as written, '\n' between them */
    LESSON_COMMAND,   /* text: one command line */
    LESSON_QUESTION,  /* text: the question ('\n' between lines) */
    LESSON_CHECK      /* text: expression; expr compiled; explain or NULL */
} lesson_item_kind;

#define LESSON_MAX_CHOICES 8

typedef struct LessonItem {
    lesson_item_kind kind;
    char *text;
    char *explain;     /* LESSON_CHECK: shown when the check fails;
                          LESSON_QUESTION: the explanation of its answer */
    CheckExpr *expr;   /* LESSON_CHECK */
    char *answer;      /* LESSON_QUESTION: its answer (NULL: none): a
                          choice's letter, a number, or words with
                          alternatives separated by '/' */
    char *choices[LESSON_MAX_CHOICES]; /* multiple choice: a) b) ... */
    int nchoices;
    int expect_fail;   /* LESSON_COMMAND written ">!": it fails on purpose
                          (the guard stopping a run, a refused setting) */
    int line;          /* where it is in the file */
} LessonItem;

typedef struct LessonSection {
    char *title;
    int line;
    LessonItem *items;
    int nitems;
    int ncommands, nchecks;
} LessonSection;

typedef struct Lesson {
    char *name;       /* file name without directory and .lesson */
    char *path;       /* as given to lesson_load */
    char *title;
    char *summary;    /* "" when the file has none */
    int order;        /* place in the `lesson` list (order: N); 0 = none */
    LessonSection *sections;
    int nsections;
} Lesson;

/* Parse lesson text.  `file` names it in errors.  Returns a new Lesson
 * (free with lesson_free) or NULL with "FILE:LINE: message" in err. */
Lesson *lesson_parse(const char *text, const char *file, char *err,
                     size_t errlen);
/* Read and parse a file (at most 1 MB). */
Lesson *lesson_load(const char *path, char *err, size_t errlen);
void lesson_free(Lesson *L);

/* Compile a check and validate its variables against the ones a check
 * may read (model_var_names, model.h): a check naming anything else is an
 * error.  A new expression (check_free), or NULL with a message in err
 * ("unknown variable 'trian_acc' (did you mean 'train_acc'?)"). */
CheckExpr *lesson_compile_check(const char *text, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Finding lessons (lesson.c)                                           */

/* Lesson directories, in order: $NNLAB_LESSONS (colon-separated) when
 * set; otherwise lessons/ beside the executable's source tree
 * (/proc/self/exe/../lessons, ../../lessons), ./lessons, and
 * NNLAB_DATADIR/lessons.  A name found in an earlier directory hides the
 * same name in a later one. */

/* Path of lesson `name` ("init", or a path to a .lesson file) into buf;
 * 0, or -1 when there is no such lesson. */
int lesson_find(const char *name, char *buf, size_t n);

/* Names of all lessons, sorted, NULL-terminated, for Tab completion.
 * Points into memory owned here, valid until the next call. */
const char *const *lesson_list_names(void);

/* ------------------------------------------------------------------ */
/* Progress (lesson.c): $XDG_STATE_HOME/nnlab/progress, else            */
/* ~/.local/state/nnlab/progress; one line per lesson: "NAME 1 2 5",    */
/* the numbers of the sections completed.                               */

/* Path of the progress file into buf; 0, or -1 without HOME. */
int lesson_progress_path(char *buf, size_t n);
/* Sections of `name` completed: done[i] = 1 for section i+1 (i < n).
 * Returns how many are set. A missing file is no progress. */
int lesson_progress_get(const char *name, unsigned char *done, int n);
/* Record done[0..n) for `name` (replacing its line); 0 or -1. */
int lesson_progress_put(const char *name, const unsigned char *done, int n);

/* ------------------------------------------------------------------ */
/* The runner (lesson.c)                                                */

/* `lesson`: list the lessons with their summary and progress. */
int lesson_list(Session *s);
/* `lesson NAME [SECTION]` and `nnlab --lesson NAME`: start at section
 * `section` (1-based; 0 = the first).  CMD_OK or CMD_ERR (reported). */
int lesson_start(Session *s, const char *name);
int lesson_start_at(Session *s, const char *name, int section);
/* next / back / again / check / lesson end.  CMD_OK or CMD_ERR. */
int lesson_next(Session *s);
int lesson_back(Session *s);
int lesson_again(Session *s);
int lesson_check(Session *s);
int lesson_end(Session *s);
/* `answer TEXT`: judge the answer to the question waiting for one, and
 * explain.  CMD_OK (a wrong answer too), CMD_ERR when none waits. */
int lesson_answer(Session *s, const char *text);
/* A lesson started before the terminal was hooked in (nnlab -c 'lesson
 * NAME' -i) gets its prompt and its pending command put on it now. */
void lesson_resume_on_terminal(Session *s);
/* Free the running lesson without a word (session_free calls this). */
void lesson_close(Session *s);

/* The shell calls this after each line it read from the student (at the
 * prompt, or from stdin as a script) has run, with the line's status.  The
 * runner moves on when the line was the pending lesson command (or an
 * edit of it: the same command name), and puts the pending command back on
 * the prompt otherwise.  Not for lines run by `source` or by the lesson. */
/* The line to run for what was typed: a lesson word (next, check...)
 * typed straight after the command the lesson put on the prompt, without
 * clearing it, means the word alone ("...seed=1next" runs next). */
const char *lesson_typed(Session *s, const char *line);
void lesson_after_line(Session *s, const char *line, int status);
/* The shell calls this when a background job (train, run) has finished or
 * stopped; a lesson waiting for it goes on. */
void lesson_after_job(Session *s);

/* `nnlab --lesson NAME --auto`: run every command and check (of section
 * `only`, 1-based, alone when it is not 0), printing
 * prose, "nnlab> CMD" and check results.  Returns 0 when every command and
 * check passed, 1 otherwise (and on a missing or malformed lesson). */
int lesson_run_auto(Session *s, const char *name, int only);

/* Evaluate one check against the session, printing the verdict line (and
 * the explanation on failure).  Used by `check EXPR` too. */
int lesson_eval_print(Session *s, const CheckExpr *c, const char *explain);

/* For lesson_auto.c: the lesson `name` loaded (an error reported when
 * there is none, with "did you mean"); text printed line by line, the
 * first line after `first`, the others after `rest`. */
Lesson *lesson_load_named(Session *s, const char *name);
void lesson_print_lines(Session *s, const char *first, const char *rest,
                        const char *text);

/* Register the Lessons group (lesson, next, back, again, check) and the
 * word list "@lessons" in the session's command table, and hook the runner
 * to what the student runs (Session.hooks typed, line_ran, job_ended).
 * 0, or -1 when the table is full. */
int lesson_register(Session *s);

#endif
