/*
 * fuzzline.h — which fuzzed command lines may run in a session, shared by
 * tests/test_fuzz.c and the libFuzzer harness tests/fuzz/fuzz_line.c.
 *
 * A mutated line can ask for anything: a million examples, a thousand
 * epochs, gnuplot, a file written over.  The fuzzers want the parsing
 * paths of every command, not hours of training, so a line runs only when
 * its commands are in fuzz_line_commands and its numbers keep the work
 * small.  Everything is static inline: one translation unit per user.
 */
#ifndef NN_FUZZLINE_H
#define NN_FUZZLINE_H

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"

/* Commands whose work is bounded by their arguments and that write no
 * file and start no process (not plot, save, history, source, lesson,
 * run, compare, search, ewa, threads). */
static const char *const fuzz_line_commands[] = {
    "data", "split", "subset", "normalize", "net", "layer", "init", "reset",
    "reg", "dropout", "bn", "optim", "lr", "batch", "decay", "seed", "step",
    "train", "pause", "eval", "early", "guard", "gradcheck", "stats",
    "forward", "predict", "calc", "show", "help", "check", "load", "quit",
    "exit", NULL};

static inline int fuzz_in_list(const char *w, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* The numbers in one word: none above `cap` unless no command accepts it
 * (above 1e8, the largest count any takes); adds them to *sum. */
static inline int fuzz_word_is_cheap(const char *word, double cap,
                                     double *sum)
{
    for (const char *p = word; *p; p++) {
        if (!(isdigit((unsigned char)*p) ||
              (*p == '.' && isdigit((unsigned char)p[1]))))
            continue;
        char *end;
        double v = fabs(strtod(p, &end));
        if (isfinite(v) && v > cap && v <= 1e8)
            return 0;
        if (isfinite(v) && v <= cap)
            *sum += v;
        p = end > p ? end - 1 : p;
    }
    return 1;
}

/* May this line run?  Known cheap commands only, no shipped data set
 * bigger than iris, numbers up to 64 (training counts up to 5) and at
 * most 100 in all. */
static inline int fuzz_line_is_cheap(const char *line)
{
    static const char *const heavy[] = {"digits", "fashion", "mnist", NULL};
    static const char *const training[] = {"train", "step", NULL};
    char err[128];
    LineCmd *cmds;
    int n = line_split(line, &cmds, err, sizeof err), ok = 1;
    double sum = 0;
    for (int c = 0; c < n && ok; c++) {
        char **argv = cmds[c].argv;
        double cap = fuzz_in_list(argv[0], training) ? 5 : 64;
        ok = fuzz_in_list(argv[0], fuzz_line_commands);
        for (int a = 1; a < cmds[c].argc && ok; a++)
            ok = !fuzz_in_list(argv[a], heavy) &&
                 fuzz_word_is_cheap(argv[a], cap, &sum);
    }
    if (n > 0)
        line_free(cmds, n);
    return ok && sum <= 100;
}

#endif
