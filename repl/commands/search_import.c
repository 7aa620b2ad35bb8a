/*
 * search_import.c — search import FILE.csv: the rows that exported
 * trials appended (nnlab --result, search_files.c) back into the
 * session's search, for the table, plot search and search refine.
 *
 * A file may hold rows of more than one search (a search, then its
 * refinement): the rows of the last row's search space are taken, the
 * others counted and left.  A trial that appears twice (run again, or a
 * later rung) keeps the row that trained longest.  Columns are found by
 * their names in the header, so a spreadsheet that moved them around
 * still imports; a header repeated inside the file (files merged with
 * cat) is skipped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "out.h"
#include "search.h"

enum { C_TRIAL, C_METHOD, C_RUNG, C_EPOCHS, C_SPACE, C_STATUS, C_TLOSS,
       C_TACC, C_DLOSS, C_DACC, C_SECONDS, C_HOST, C_NAMED };
static const char *const named[C_NAMED] = {
    "trial", "method", "rung", "epochs", "space", "status", "train_loss",
    "train_acc", "dev_loss", "dev_acc", "seconds", "host" };
#define MAX_FIELDS 64

typedef struct Import {
    const char *path;
    int col[C_NAMED];           /* field index of each named column */
    int keycol[16];             /* ... and of each key's column (-1),
                                   named as the keys (search_keys) */
    char *space;                /* the last row's space (owned) */
    int rows, other;
    Experiments *e;             /* scratch: only the search's fields */
    int hosts;
} Import;

/* Split a line on commas in place (our rows never quote). */
static int split_fields(char *line, char **f)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < MAX_FIELDS;) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static int read_header(Session *s, Import *im, char **f, int n)
{
    for (int c = 0; c < C_NAMED; c++) {
        im->col[c] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(f[i], named[c]))
                im->col[c] = i;
        if (im->col[c] < 0 && c != C_HOST && c != C_SECONDS)
            return cmd_error(s, "%s: the header has no '%s' column (is it "
                             "a file nnlab --result wrote?)", im->path,
                             named[c]), -1;
    }
    for (int k = 0; search_keys[k]; k++) {
        im->keycol[k] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(f[i], search_keys[k]))
                im->keycol[k] = i;
    }
    return 0;
}

static double num(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    return *text && !*end ? v : NAN;
}

/* The search space "lr=1e-4..1:log reg=..." into im->e's keys. */
static int read_space(Session *s, Import *im, long line)
{
    char *copy = strdup(im->space), *save = NULL;
    int rc = copy ? 0 : -1;
    im->e->nkeys = 0;
    for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w && !rc;
         w = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(w, '=');
        if (!eq || im->e->nkeys == EXP_MAX_KEYS) {
            rc = cmd_error(s, "%s:%ld: expected a space like "
                           "'lr=1e-4..1:log', got '%s'", im->path, line,
                           im->space);
            break;
        }
        *eq = '\0';
        rc = search_parse_range(s, w, eq + 1, &im->e->keys[im->e->nkeys++]);
    }
    free(copy);
    if (!rc && im->e->nkeys == 0)
        rc = cmd_error(s, "%s:%ld: a row without a search space", im->path,
                       line);
    return rc;
}

/* One row of the chosen space into its trial. */
static int take_row(Session *s, Import *im, char **f, int n, long line)
{
    Experiments *e = im->e;
    double trial = num(f[im->col[C_TRIAL]]);
    int m;
    if (!(trial >= 1 && trial <= EXP_MAX_TRIALS) || trial != floor(trial))
        return cmd_error(s, "%s:%ld: expected a trial number 1..%d, got "
                         "'%s'", im->path, line, EXP_MAX_TRIALS,
                         f[im->col[C_TRIAL]]), -1;
    SearchTrial *t = &e->t[(int)trial - 1];
    int epochs = (int)num(f[im->col[C_EPOCHS]]);
    if (t->state != TRIAL_WAITING && t->epochs >= epochs)
        return 0;   /* a row that trained no longer than one we have */
    memset(t, 0, sizeof *t);
    for (int k = 0; k < e->nkeys; k++) {
        int c = 0;
        while (search_keys[c] && strcmp(search_keys[c], e->keys[k].name))
            c++;
        int i = search_keys[c] ? im->keycol[c] : -1;
        t->values[k] = i >= 0 && i < n ? num(f[i]) : NAN;
        if (isnan(t->values[k]))
            return cmd_error(s, "%s:%ld: no %s value", im->path, line,
                             e->keys[k].name), -1;
    }
    t->epochs = epochs;
    t->rung = (int)num(f[im->col[C_RUNG]]) - 1;
    t->rung = t->rung < 0 ? 0 : t->rung;
    t->train_loss = num(f[im->col[C_TLOSS]]);
    t->train_acc = num(f[im->col[C_TACC]]);
    t->dev_loss = num(f[im->col[C_DLOSS]]);
    t->dev_acc = num(f[im->col[C_DACC]]);
    t->seconds = im->col[C_SECONDS] >= 0 ? num(f[im->col[C_SECONDS]]) : NAN;
    if (im->col[C_HOST] >= 0)
        snprintf(t->host, sizeof t->host, "%s", f[im->col[C_HOST]]);
    t->diverged = !strcmp(f[im->col[C_STATUS]], "diverged");
    t->state = !strcmp(f[im->col[C_STATUS]], "failed") ? TRIAL_FAILED
                                                        : TRIAL_DONE;
    for (m = 0; experiment_methods[m]; m++)
        if (!strcmp(experiment_methods[m], f[im->col[C_METHOD]]))
            e->method = (SearchMethod)m;
    e->ntrials = (int)trial > e->ntrials ? (int)trial : e->ntrials;
    e->epochs = epochs > e->epochs ? epochs : e->epochs;
    im->rows++;
    return 0;
}

/* Every line; pass 0 finds the last row's space, pass 1 takes its rows. */
static int read_rows(Session *s, Import *im, FILE *fp, int pass)
{
    char *line = NULL, *f[MAX_FIELDS];
    size_t cap = 0;
    long no = 0;
    int have_header = 0, rc = 0;
    rewind(fp);
    while (!rc && getline(&line, &cap, fp) >= 0) {
        no++;
        int n = split_fields(line, f);
        if (n == 1 && !f[0][0])
            continue;
        if (!strcmp(f[0], "trial")) {
            rc = read_header(s, im, f, n);
            have_header = 1;
            continue;
        }
        if (!have_header) {
            rc = cmd_error(s, "%s:%ld: expected the header line first "
                           "(trial,method,...)", im->path, no);
            break;
        }
        for (int c = 0; c < C_NAMED && !rc; c++)
            if (im->col[c] >= n)
                rc = cmd_error(s, "%s:%ld: expected %d fields, got %d",
                               im->path, no, im->col[c] + 1, n);
        if (rc)
            break;
        const char *space = f[im->col[C_SPACE]];
        if (pass == 0) {
            free(im->space);
            if (!(im->space = strdup(space)))
                rc = cmd_error(s, "out of memory");
        } else if (strcmp(space, im->space)) {
            im->other++;
        } else {
            rc = take_row(s, im, f, n, no);
        }
    }
    free(line);
    if (!rc && pass == 0 && !im->space)
        rc = cmd_error(s, "%s: no rows", im->path);
    if (!rc && pass == 0)
        rc = read_space(s, im, no);
    return rc;
}

/* Halving's rungs as the rows show them. */
static void rungs_from_rows(Experiments *e)
{
    e->nrungs = 0;
    if (e->method != SEARCH_HALVING)
        return;
    memset(e->rungs, 0, sizeof e->rungs);
    for (int t = 0; t < e->ntrials; t++) {
        const SearchTrial *x = &e->t[t];
        if (x->state == TRIAL_WAITING || x->rung >= NN_MAX_RUNGS)
            continue;
        for (int g = 0; g <= x->rung; g++)
            e->rungs[g].configs++;
        if (x->epochs > e->rungs[x->rung].epochs)
            e->rungs[x->rung].epochs = x->epochs;
        e->nrungs = x->rung + 1 > e->nrungs ? x->rung + 1 : e->nrungs;
    }
}

static int count_hosts(const Experiments *e)
{
    int hosts = 0;
    for (int t = 0; t < e->ntrials; t++) {
        int seen = e->t[t].state == TRIAL_WAITING;
        for (int u = 0; u < t && !seen; u++)
            seen = e->t[u].state != TRIAL_WAITING &&
                   !strcmp(e->t[u].host, e->t[t].host);
        hosts += !seen;
    }
    return hosts;
}

/* The imported search replaces the session's (compare and ewa stay). */
static void adopt(Experiments *e, const Experiments *n, const char *path)
{
    memcpy(e->keys, n->keys, sizeof e->keys);
    e->nkeys = n->nkeys;
    e->method = n->method;
    e->trials = e->ntrials = n->ntrials;
    e->epochs = n->epochs;
    memcpy(e->t, n->t, sizeof e->t);
    e->nrungs = n->nrungs;
    memcpy(e->rungs, n->rungs, sizeof e->rungs);
    /* what a refine of an imported bayes or halving search runs with */
    e->eta = 3;
    e->round = 2;
    e->startup = n->ntrials / 4 < 3 ? 3 : n->ntrials / 4 > 10 ? 10
                                                               : n->ntrials / 4;
    e->epochs_total = 0;
    e->wall = 0;
    for (int t = 0; t < n->ntrials; t++)
        e->epochs_total += n->t[t].state == TRIAL_DONE ? n->t[t].epochs : 0;
    const char *slash = strrchr(path, '/');
    snprintf(e->source, sizeof e->source, "%s", slash ? slash + 1 : path);
}

int search_import(Session *s, Experiments *e, const char *path)
{
    Import im = { .path = path };
    FILE *fp = fopen(path, "r");
    if (!fp)
        return cmd_error(s, "cannot open '%s': %s", path, strerror(errno));
    im.e = calloc(1, sizeof *im.e);
    int rc = im.e ? 0 : cmd_error(s, "out of memory");
    for (int t = 0; !rc && t < EXP_MAX_TRIALS; t++)
        im.e->t[t].state = TRIAL_WAITING;
    if (!rc)
        rc = read_rows(s, &im, fp, 0) || read_rows(s, &im, fp, 1) ? CMD_ERR
                                                                  : CMD_OK;
    fclose(fp);
    if (rc == CMD_OK) {
        rungs_from_rows(im.e);
        adopt(e, im.e, path);
        out_printf(s, "search import: %d row%s of a %s search (%d trial%s) "
                   "from %s, run on %d host%s", im.rows,
                   im.rows == 1 ? "" : "s", experiment_methods[e->method],
                   e->ntrials, e->ntrials == 1 ? "" : "s", path,
                   count_hosts(e), count_hosts(e) == 1 ? "" : "s");
        if (im.other)
            out_printf(s, "; %d row%s of other searches left out", im.other,
                       im.other == 1 ? "" : "s");
        out_printf(s, "\n");
    }
    free(im.space);
    free(im.e);
    return rc;
}
