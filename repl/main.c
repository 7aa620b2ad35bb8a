/*
 * main.c — the nnlab program: the command line, then scripts or the shell.
 *
 *   nnlab [SCRIPT...] [-c 'CMDS'] [-i] [--lesson NAME [--auto]] [-q] [-k]
 *
 * Scripts and -c commands run in the order given, through the same
 * cmd_run_line() as the prompt.  This file also wires the layers together:
 * every command group is registered (commands_register) and, for a
 * person at a terminal, the shell is opened and hooked into the session.  With neither, nnlab reads the terminal
 * (the interactive shell) or, when standard input is not a terminal, reads
 * it as a script: no prompt, no banner, output only, as lua.c does.
 *
 * The exit status tells a script's caller what happened: 0 every command
 * succeeded, 1 one failed (or a lesson check did, or the output could not
 * be written), 2 the command line was wrong, 130 Ctrl-C stopped a script.
 * An interactive session ends with 0.
 * Start-up does nothing heavy (gnuplot starts on the first plot), so the
 * prompt comes in a few milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "commands.h"
#include "experiment.h"
#include "interrupt.h"
#include "lesson.h"
#include "mat.h"
#include "out.h"
#include "script.h"
#include "session.h"
#include "shell.h"

enum { EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* One script file ('-' is standard input) or one -c string. */
typedef struct Action {
    int is_command;
    const char *text;
} Action;

typedef struct Options {
    Action *actions;
    int nactions;
    int interactive;      /* -i */
    int quiet, keep_going;
    const char *lesson;   /* --lesson NAME */
    int lesson_auto;      /* --auto */
    double pace;          /* --pace SECONDS (< 0: key) */
    long section;         /* --section N: --auto runs that section only */
    const char *result;   /* --result FILE */
} Options;

static const char usage_text[] =
    "usage: nnlab [SCRIPT...] [-c 'CMDS'] [-i] [--lesson NAME [--auto "
    "[--pace SECONDS|key] [--section N]]] [-q] [-k] [--result FILE.csv]\n";

static const char help_text[] =
    "\n"
    "nnlab is a lab for learning how neural networks are trained: build a\n"
    "network, switch regularization, dropout, initialization, optimizers and\n"
    "batch norm on and off, train it, and watch it all plotted live.\n"
    "\n"
    "  SCRIPT            run the commands in the file SCRIPT ('-': standard\n"
    "                    input)\n"
    "  -c 'CMDS'         run CMDS (several commands are separated by ';')\n"
    "  -i                go on interactively after the scripts and -c\n"
    "  --lesson NAME     start lesson NAME (lesson lists them inside nnlab)\n"
    "  --auto            with --lesson: run every step with no one at the\n"
    "                    keyboard, exit 1 if a check fails\n"
    "  --pace SECONDS    with --auto: wait that long after each step (a\n"
    "                    projector's pace); --pace key waits for Enter\n"
    "  --section N       with --auto: run section N only\n"
    "  -q, --quiet       no banner, fewer chatty lines\n"
    "  -k, --keep-going  in scripts, go on after a command fails\n"
    "  --result FILE.csv append a CSV row for every search trial that\n"
    "                    finishes (what search export's lines use)\n"
    "  -h, --help        this help\n"
    "  -V, --version     the version\n"
    "\n"
    "With no SCRIPT or -c, nnlab reads commands from the terminal, or from\n"
    "standard input when that is not a terminal.  Inside, type help.\n"
    "\n"
    "Exit status: 0 when every command succeeded, 1 when one failed, 2 for a\n"
    "bad command line, 130 after Ctrl-C.  Colour is off when NO_COLOR is\n"
    "set.  The history is kept in $XDG_STATE_HOME/nnlab/history (else\n"
    "~/.local/state/nnlab/history).\n";

/* ------------------------------------------------------------------ */
/* The command line                                                     */
/* ------------------------------------------------------------------ */

static int bad_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "nnlab: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s(nnlab --help explains)\n", usage_text);
    va_end(ap);
    return -1;
}

static void add_action(Options *o, int is_command, const char *text)
{
    o->actions[o->nactions].is_command = is_command;
    o->actions[o->nactions].text = text;
    o->nactions++;
}

/* One long option.  Returns how many arguments it used, or -1; sets
 * *done for --help and --version. */
static int long_option(Options *o, int argc, char **argv, int i, int *done)
{
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0) {
        printf("%s%s", usage_text, help_text);
        *done = 1;
    } else if (strcmp(a, "--version") == 0) {
        printf("nnlab %s\n", NNLAB_VERSION);
        *done = 1;
    } else if (strcmp(a, "--quiet") == 0) {
        o->quiet = 1;
    } else if (strcmp(a, "--keep-going") == 0) {
        o->keep_going = 1;
    } else if (strcmp(a, "--auto") == 0) {
        o->lesson_auto = 1;
    } else if (strcmp(a, "--pace") == 0 || strncmp(a, "--pace=", 7) == 0) {
        const char *v = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!v)
            return bad_usage("--pace needs SECONDS or key");
        o->pace = strcmp(v, "key") == 0 ? -1 : strtod(v, &end);
        if (o->pace >= 0 && (end == v || *end || !(o->pace <= 600)))
            return bad_usage("--pace takes seconds (0 to 600) or key, got "
                             "'%s'", v);
        return a[6] == '=' ? 1 : 2;
    } else if (strcmp(a, "--section") == 0) {
        char *end;
        if (i + 1 >= argc)
            return bad_usage("--section needs a section number");
        o->section = strtol(argv[i + 1], &end, 10);
        if (*end || end == argv[i + 1] || o->section < 1 ||
            o->section > 1000)
            return bad_usage("--section takes a section number (1, 2, ...), "
                             "got '%s'", argv[i + 1]);
        return 2;
    } else if (strncmp(a, "--lesson=", 9) == 0) {
        o->lesson = a + 9;
    } else if (strncmp(a, "--result=", 9) == 0 && a[9]) {
        o->result = a + 9;
    } else if (strcmp(a, "--result") == 0) {
        if (i + 1 >= argc)
            return bad_usage("--result needs a FILE.csv");
        o->result = argv[i + 1];
        return 2;
    } else if (strcmp(a, "--lesson") == 0) {
        if (i + 1 >= argc)
            return bad_usage("--lesson needs a lesson NAME");
        o->lesson = argv[i + 1];
        return 2;
    } else {
        return bad_usage("unknown option '%s'", a);
    }
    return 1;
}

/* Short options, which may be joined: -qk, -qc 'CMDS'. */
static int short_options(Options *o, int argc, char **argv, int i, int *done)
{
    for (const char *p = argv[i] + 1; *p; p++) {
        char flag[3] = {'-', *p, '\0'};
        switch (*p) {
        case 'q': o->quiet = 1; break;
        case 'k': o->keep_going = 1; break;
        case 'i': o->interactive = 1; break;
        case 'h': printf("%s%s", usage_text, help_text); *done = 1; break;
        case 'V': printf("nnlab %s\n", NNLAB_VERSION); *done = 1; break;
        case 'c':
            if (p[1] != '\0' || i + 1 >= argc)
                return bad_usage("-c needs the commands as the next "
                                 "argument");
            add_action(o, 1, argv[i + 1]);
            return 2;
        default:
            return bad_usage("unknown option '%s'", flag);
        }
    }
    return 1;
}

/* Returns 0, 1 when the program should just exit 0 (--help), or -1. */
static int parse_options(Options *o, int argc, char **argv)
{
    int done = 0, only_files = 0;
    o->actions = calloc((size_t)argc + 1, sizeof *o->actions);
    if (!o->actions)
        return bad_usage("out of memory");
    for (int i = 1; i < argc && !done;) {
        const char *a = argv[i];
        int used;
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            add_action(o, 0, a);
            used = 1;
        } else if (strcmp(a, "--") == 0) {
            only_files = 1;
            used = 1;
        } else if (a[1] == '-') {
            used = long_option(o, argc, argv, i, &done);
        } else {
            used = short_options(o, argc, argv, i, &done);
        }
        if (used < 0)
            return -1;
        i += used;
    }
    if (done)
        return 1;
    if (o->lesson_auto && !o->lesson)
        return bad_usage("--auto goes with --lesson NAME");
    if ((o->pace != 0 || o->section) && !o->lesson_auto)
        return bad_usage("--pace and --section go with --lesson NAME --auto");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Running                                                              */
/* ------------------------------------------------------------------ */

static int run_action(Session *s, const Action *a)
{
    if (a->is_command)
        return cmd_run_line(s, a->text);
    if (strcmp(a->text, "-") == 0)
        return script_run(s, stdin, "-");
    return script_run_file(s, a->text);
}

/* Scripts and -c in order, stopping at a failure (unless -k), at quit and
 * at Ctrl-C. */
static void run_actions(Session *s, const Options *o)
{
    for (int i = 0; i < o->nactions; i++) {
        int status = run_action(s, &o->actions[i]);
        if (status == CMD_QUIT || s->want_quit || nnlab_interrupted ||
            s->out_errno)
            return;
        if (status == CMD_ERR && !s->keep_going)
            return;
    }
}

/* `--lesson NAME`, as the command `lesson NAME` would start it. */
static void start_lesson(Session *s, const char *name)
{
    s->cmd_name = "lesson";
    lesson_start(s, name);
    s->cmd_name = NULL;
}

/* The terminal, or standard input read as a script; a lesson first. */
static void run_stdin(Session *s, const char *lesson)
{
    if (!isatty(STDIN_FILENO)) {
        if (lesson)
            start_lesson(s, lesson);
        script_run(s, stdin, "-");
        return;
    }
    if (shell_open(s) < 0) {
        fprintf(stderr, "nnlab: out of memory\n");
        s->failures++;
        return;
    }
    if (lesson)
        start_lesson(s, lesson);
    s->interactive = 1;
    if (!s->quiet)
        shell_banner(s);
    if (!lesson)  /* one started by -c: its prompt and command */
        lesson_resume_on_terminal(s);
    shell_run(s);
    shell_close(s);
    s->interactive = 0;
    s->failures = 0; /* a person saw the errors; they are not a status */
}

static int run(Session *s, const Options *o)
{
    run_actions(s, o);
    if (o->lesson && o->lesson_auto) {
        s->cmd_name = "lesson";
        if (!s->want_quit && !nnlab_interrupted &&
            lesson_run_auto(s, o->lesson, (int)o->section) != 0 &&
            s->failures == 0)
            s->failures = 1;
        s->cmd_name = NULL;
    } else if (!s->want_quit && !nnlab_interrupted && !s->out_errno &&
               (o->interactive || o->nactions == 0)) {
        run_stdin(s, o->lesson);
    }
    if (nnlab_interrupted && !s->interactive)
        return EXIT_INTERRUPTED;
    if (out_failed(s))
        return 1;
    return s->failures > 0 ? 1 : 0;
}

/* A standard descriptor that is closed (nnlab >&-) would be taken by the
 * next file opened, and output meant for the screen would land in a model
 * being saved.  Each is held by /dev/null opened read-only, so that it
 * stays taken and writing to it still fails (EBADF), as it would have. */
static void hold_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int held = open("/dev/null", O_RDONLY);
            if (held >= 0 && held != fd) {  /* a lower one was free? */
                dup2(held, fd);
                close(held);
            }
        }
}

/* --help and --version: 0, or 1 when they could not be written. */
static int printed(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "nnlab: cannot write the output (%s)\n",
            strerror(errno ? errno : EIO));
    return 1;
}

/* Under a limit on the address space (ulimit -v) OpenBLAS's worker
 * threads, started when the library loads, each take 128 MB as they start,
 * and whichever thread finds no room left hangs (nn_blas_limited, mat.h).
 * Their number is read from OPENBLAS_NUM_THREADS only then, before main:
 * so nnlab starts itself again with one thread.  `threads N` adds more
 * later if they have room. */
static void one_blas_thread_if_limited(char **argv)
{
    if (!nn_blas_limited() || getenv("OPENBLAS_NUM_THREADS"))
        return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv);
    /* no /proc: go on with the threads there are */
}

/* OpenBLAS under a limit on memory (nn_blas_check in mat.h). */
static void check_blas(void)
{
    nn_err err;
    if (nn_blas_check(&err))
        fprintf(stderr, "nnlab: %s\n", err.msg);
}

int main(int argc, char **argv)
{
    Options o = {0};
    hold_std_fds();
    one_blas_thread_if_limited(argv);
    /* over a file size limit (ulimit -f) a write fails with EFBIG, which
     * save reports, instead of the signal ending nnlab */
    signal(SIGXFSZ, SIG_IGN);
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* "0.5" is a number in every locale */

    int parsed = parse_options(&o, argc, argv);
    if (parsed != 0) {
        free(o.actions);
        return parsed > 0 ? printed() : EXIT_USAGE;
    }
    check_blas();
    Session *s = session_new();
    if (!s || commands_register(s) < 0 ||
        (o.result && experiment_set_result_file(s, o.result) < 0)) {
        session_free(s);
        fprintf(stderr, "nnlab: out of memory\n");
        free(o.actions);
        return 1;
    }
    s->quiet = o.quiet;
    s->keep_going = o.keep_going;
    s->lesson_auto = o.lesson_auto;
    s->lesson_pace = o.pace;
    const char *no_color = getenv("NO_COLOR");
    s->color = isatty(STDOUT_FILENO) && !no_color;
    /* Into pipes line by line, so errors and output keep their order when
     * a test captures both; onto a terminal in whole screen updates (see
     * Shell.tty_out). */
    s->tty_out = isatty(STDOUT_FILENO);
    setvbuf(stdout, NULL, s->tty_out ? _IOFBF : _IOLBF,
            s->tty_out ? 1 << 16 : 0);
    interrupt_install();

    int status = run(s, &o);
    session_free(s);
    free(o.actions);
    return status;
}
