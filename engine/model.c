/* model.c — model files (see model.h for the format). */
#include "model.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODEL_MAGIC "nnlab-model"
/* 2 added the lines rmsprop, cyclic, sgdr, origin, warmup and clip;
 * version 1 files load with their defaults (see model.h). */
#define MODEL_VERSION 2

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

static void write_values(FILE *f, const nn_mat *m)
{
    for (int r = 0; r < m->rows; r++)
        for (int c = 0; c < m->cols; c++)
            fprintf(f, "%a%c", m->v[(size_t)r * m->cols + c],
                    c == m->cols - 1 ? '\n' : ' ');
}

/* The lines of settings newer than version 2's first files, after
 * "guard": each only when in use (see model.h). */
static void write_data_settings(FILE *f, const nn_trainer *tr,
                                const nn_prep *prep)
{
    const nn_augment *a = &tr->aug;
    if (nn_augment_on(a))
        fprintf(f, "augment %.17g %.17g %s %.17g %.17g\n", a->shift,
                a->rotate, nn_flip_names[a->flip], a->noise, a->zoom);
    if (prep && prep->mode != NN_NORM_OFF) {
        int k = prep->mode == NN_NORM_PCA || prep->mode == NN_NORM_WHITEN;
        int e = prep->mode == NN_NORM_WHITEN || prep->mode == NN_NORM_ZCA;
        fprintf(f, "normalize %s %d %.17g\n", nn_norm_names[prep->mode],
                k ? prep->k : 0, e ? prep->eps : 0.0);
    }
}

static void write_model(FILE *f, const nn_net *net, const nn_trainer *tr,
                        const nn_prep *prep)
{
    const nn_optim *o = &tr->opt;
    fprintf(f, "%s %d\n", MODEL_MAGIC, MODEL_VERSION);
    /* a setting that did not exist before adds to its line only when in
     * use, so a model without one reads as it always did */
    fprintf(f, "inputs %d\nloss %s", net->n_in, nn_loss_names[net->loss]);
    if (nn_loss_has_arg(net->loss))
        fprintf(f, " %.17g", net->loss_arg);
    fprintf(f, "\nreg %s %.17g", nn_reg_names[net->reg], net->lambda);
    if (net->reg == NN_REG_ELASTIC)
        fprintf(f, " %.17g", net->lambda2);
    fprintf(f, "\n");
    const nn_sched *d = &tr->sched;
    const nn_warmup *w = &tr->warm;
    fprintf(f, "optim %s %.17g %.17g %.17g %.17g %.17g\n",
            nn_optim_names[o->kind], o->lr, o->beta, o->beta1, o->beta2,
            o->eps);
    fprintf(f, "rmsprop %.17g %d\n", o->rho, o->correct);
    fprintf(f, "batch %d\ndecay %s %.17g %d %.17g\n", tr->batch,
            nn_sched_names[d->kind], d->rate, d->every, d->factor);
    fprintf(f, "cyclic %.17g %.17g %d\nsgdr %d %d %.17g\norigin %ld %.17g\n",
            d->low, d->high, d->half, d->period, d->mult, d->min_lr,
            d->origin_iter, d->origin_epoch);
    fprintf(f, "warmup %d %s %.17g %ld %.17g\n", w->length,
            nn_unit_names[w->unit], w->from, w->origin_iter, w->origin_epoch);
    fprintf(f, "clip %s %.17g\n", nn_clip_names[tr->clip.kind],
            tr->clip.max);
    fprintf(f, "seed %llu\n", (unsigned long long)tr->seed);
    fprintf(f, "early %d %d\nguard %d\n", tr->early, tr->patience, tr->guard);
    write_data_settings(f, tr, prep);
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        fprintf(f, "layer %d %s %.17g %.17g %d %s %.17g %.17g\n", l->out,
                nn_act_names[l->act], l->act_arg, l->keep, l->bn,
                nn_init_names[l->init.kind], l->init.arg, l->init.gain);
    }
    for (int i = 0; i < net->n_params; i++) {
        char name[32];
        const nn_param *p = net->params[i];
        nn_param_name(p, name, sizeof name);
        fprintf(f, "param %s %d %d\n", name, p->w.rows, p->w.cols);
        write_values(f, &p->w);
    }
    for (int i = 0; i < net->n_layers; i++)
        if (net->L[i].bn) {
            /* a value per piece of a maxout layer */
            fprintf(f, "running %d %d\n", i + 1, nn_layer_zcols(&net->L[i]));
            write_values(f, &net->L[i].run_mean);
            write_values(f, &net->L[i].run_var);
        }
    fprintf(f, "end\n");
}

/* 0 when every weight and batch norm statistic is one the loader takes
 * back: finite, and the variances >= 0.  A network that diverged holds
 * NaN or Inf, and a file of it could only be refused when loaded. */
static int loadable(const char *path, const nn_net *net, nn_err *err)
{
    char name[32];
    for (int i = 0; i < net->n_params; i++) {
        const nn_mat *w = &net->params[i]->w;
        for (int k = 0; k < nn_mat_size(w); k++)
            if (!isfinite(w->v[k])) {
                nn_param_name(net->params[i], name, sizeof name);
                return nn_fail(err, "%s: not saved: %s holds %g (the "
                               "network diverged); initialize it again "
                               "first", path, name, w->v[k]);
            }
    }
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        /* a value per piece of a maxout layer */
        for (int j = 0; l->bn && j < nn_layer_zcols(l); j++)
            if (!isfinite(l->run_mean.v[j]) || !isfinite(l->run_var.v[j]) ||
                l->run_var.v[j] < 0)
                return nn_fail(err, "%s: not saved: the batch norm "
                               "statistics of layer %d hold %g (the network "
                               "diverged); initialize it again first", path,
                               i + 1, isfinite(l->run_mean.v[j])
                                          ? l->run_var.v[j]
                                          : l->run_mean.v[j]);
    }
    return 0;
}

/* A preprocessing the loader takes back: known, and PCA's components
 * the network's inputs (the file's "inputs" line is what the network
 * takes, so a pca line of another K could never be loaded). */
static int prep_ok(const char *path, const nn_net *net, const nn_prep *p,
                   nn_err *err)
{
    if (!p || p->mode == NN_NORM_OFF)
        return 0;
    if (p->mode < 0 || p->mode >= NN_NORM_COUNT)
        return nn_fail(err, "%s: not saved: unknown preprocessing mode %d",
                       path, p->mode);
    if ((p->mode == NN_NORM_PCA || p->mode == NN_NORM_WHITEN) &&
        p->k != net->n_in)
        return nn_fail(err, "%s: not saved: %s keeps %d components but the "
                       "network takes %d inputs", path,
                       nn_norm_names[p->mode], p->k, net->n_in);
    if (!(p->eps >= 0) || !isfinite(p->eps))
        return nn_fail(err, "%s: not saved: eps %g is not a number >= 0",
                       path, p->eps);
    return 0;
}

static int model_save(const char *path, const nn_net *net,
                      const nn_trainer *tr, const nn_prep *prep, nn_err *err)
{
    if (loadable(path, net, err) || prep_ok(path, net, prep, err))
        return -1;
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return nn_fail(err, "out of memory");
    snprintf(tmp, len + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        /* mkstemp makes the file private; a model is an ordinary file */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    if (fd < 0) {
        nn_fail(err, "%s: cannot write here: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        goto fail;
    }
    write_model(f, net, tr, prep);
    if (fflush(f) || ferror(f) || fsync(fileno(f))) {
        fclose(f);
        goto fail;
    }
    if (fclose(f) || rename(tmp, path))
        goto fail;
    free(tmp);
    return 0;
fail:
    nn_fail(err, "%s: could not write the model: %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

typedef struct reader {
    FILE *f;
    const char *path;
    int line;
    char *buf;    /* the current line, owned (getline's buffer) */
    size_t cap;
    nn_err *err;  /* always points at own_err; copied out at the end */
    nn_err own_err;
    int broken;   /* reading failed and err says why: no more "expected" */
    int held;     /* r->buf holds a line read ahead, untouched: the next
                     next_line gives it again (optional lines) */
} reader;

/* A line of a model is at most this long: a row of W holds one number
 * per unit of the layer below, about 2.5 MB for 100000 units.  Beyond it
 * the file is not a model (/dev/zero has no newline at all), and reading
 * on would only grow memory. */
#define MODEL_MAX_LINE ((size_t)16 << 20)

/* Read the rest of a line into r->buf (no newline); 0, 1 at the end of
 * the file with nothing read, or -1 with r->broken and r->err set: a NUL
 * byte (no text file holds one), a line too long, out of memory, a failed
 * read, or Ctrl-C (polled every MB). */
static int read_line(reader *r)
{
    size_t n = 0;
    int c;
    if (!r->buf && !(r->buf = malloc(r->cap = 4096))) {
        r->cap = 0;
        r->broken = 1;
        return nn_fail(r->err, "%s: out of memory", r->path);
    }
    errno = 0;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
        const char *why = NULL;
        if (c == '\0')
            why = "NUL byte: this is not a text file";
        else if (n >= MODEL_MAX_LINE)
            why = "a line longer than 16 MB: this is not a model file";
        else if ((n & 0xFFFFF) == 0xFFFFF && nn_cancelled())
            why = "interrupted; nothing loaded";
        if (!why && n + 1 >= r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 4096;
            char *b = realloc(r->buf, cap);
            if (b) {
                r->buf = b;
                r->cap = cap;
            } else {
                why = "out of memory";
            }
        }
        if (why) {
            r->broken = 1;
            return nn_fail(r->err, "%s:%d: %s", r->path, r->line + 1, why);
        }
        r->buf[n++] = (char)c;
    }
    if (c == EOF && ferror(r->f)) {
        r->broken = 1;
        return nn_fail(r->err, "%s:%d: %s", r->path, r->line + 1,
                       strerror(errno ? errno : EIO));
    }
    r->buf[n] = '\0';
    return c == EOF && n == 0 ? 1 : 0;
}

/* Next non-empty line into r->buf; 0, or -1 at end of file (r->buf is
 * then "") or when read_line failed (r->broken is then set, with the
 * reason in r->err). */
static int next_line(reader *r)
{
    int rc;
    if (r->held) {
        r->held = 0;
        return 0;
    }
    while ((rc = read_line(r)) == 0) {
        r->line++;
        r->buf[strcspn(r->buf, "\r")] = '\0';
        if (r->buf[0] && r->buf[0] != '#')
            return 0;
    }
    if (r->buf)
        r->buf[0] = '\0';
    return -1;
}

static int bad(reader *r, const char *expected)
{
    if (r->broken)
        return -1; /* next_line has said why */
    return nn_fail(r->err, "%s:%d: expected %s", r->path, r->line, expected);
}

/* The line is well formed but a value is out of range: why says which. */
static int out_of_range(reader *r, const nn_err *why)
{
    nn_err copy = *why;
    return nn_fail(r->err, "%s:%d: %s", r->path, r->line, copy.msg);
}

static int lookup(const char *const *names, const char *word)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], word))
            return i;
    return -1;
}

/* Words and numbers.  A setting line is cut into its words, and each
 * number must be its whole word: sscanf's "%lf" would read "0-01" as 0
 * and "6-" as 6 and say nothing of the rest. */
#define MAX_WORDS 10

/* Cut r->buf into words (pointers into it); their count, or MAX_WORDS + 1
 * when there are more. */
static int split_words(reader *r, char **w)
{
    int n = 0;
    char *save;
    for (char *p = strtok_r(r->buf, " \t", &save); p;
         p = strtok_r(NULL, " \t", &save)) {
        if (n == MAX_WORDS)
            return MAX_WORDS + 1;
        w[n++] = p;
    }
    return n;
}

/* The line is `key` followed by exactly n - 1 words, into w. */
static int line_is(reader *r, const char *key, int n, char **w)
{
    return split_words(r, w) == n && !strcmp(w[0], key);
}

/* The line is `key` followed by lo - 1 to hi - 1 words, into w: their
 * count with the key, or 0. */
static int line_has(reader *r, const char *key, int lo, int hi, char **w)
{
    int n = split_words(r, w);
    return n >= lo && n <= hi && !strcmp(w[0], key) ? n : 0;
}

static int word_double(const char *w, double *v)
{
    char *end;
    *v = strtod(w, &end);
    return end != w && *end == '\0';
}

static int word_long(const char *w, long *v)
{
    char *end;
    errno = 0;
    *v = strtol(w, &end, 10);
    return end != w && *end == '\0' && errno == 0;
}

static int word_int(const char *w, int *v)
{
    long x;
    if (!word_long(w, &x) || x < INT_MIN || x > INT_MAX)
        return 0;
    *v = (int)x;
    return 1;
}

/* Decimal digits only: strtoull would take "-1" for 2^64 - 1. */
static int word_u64(const char *w, unsigned long long *v)
{
    char *end;
    if (*w < '0' || *w > '9')
        return 0;
    errno = 0;
    *v = strtoull(w, &end, 10);
    return *end == '\0' && errno == 0;
}

/* What a matrix section holds and the range of its values. */
typedef struct values_spec {
    const char *expected;   /* for a missing or malformed row */
    const char *name;       /* whose values: "W2", "a running variance" */
    double lo, hi;          /* every value in [lo, hi], so never NaN */
} values_spec;

/* Read the row of `want` numbers on the current line into v.  A value out
 * of range is refused: weights and PReLU slopes are finite (a network
 * that diverged is not saved), batch norm's variances never negative. */
static int read_numbers(reader *r, double *v, int want,
                        const values_spec *spec)
{
    char *p = r->buf, *end;
    for (int i = 0; i < want; i++) {
        while (*p == ' ' || *p == '\t')
            p++; /* so that a refused value is quoted without them */
        v[i] = strtod(p, &end);
        if (end == p)
            return bad(r, spec->expected);
        if (!(v[i] >= spec->lo && v[i] <= spec->hi))
            return nn_fail(r->err, "%s:%d: %s holds %.*s: expected %s",
                           r->path, r->line, spec->name,
                           (int)(end - p > 40 ? 40 : end - p), p,
                           spec->lo == 0 ? "finite values >= 0"
                                         : "finite values");
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? bad(r, spec->expected) : 0;
}

/* Each row is a line; Ctrl-C is polled between them, since a large model
 * is a hundred megabytes of text. */
static int read_matrix(reader *r, nn_mat *m, const values_spec *spec)
{
    for (int row = 0; row < m->rows; row++) {
        if (nn_cancelled())
            return nn_fail(r->err, "%s:%d: interrupted; nothing loaded",
                           r->path, r->line + 1);
        if (next_line(r))
            return bad(r, spec->expected);
        if (read_numbers(r, m->v + (size_t)row * m->cols, m->cols, spec))
            return -1;
    }
    return 0;
}

typedef struct header {
    int version, inputs, loss, reg, batch, early, patience, guard;
    double lambda;
    nn_optim opt;
    nn_sched sched;
    nn_warmup warm;
    nn_clip clip;
    unsigned long long seed;
    double loss_arg, lambda2;
    nn_augment aug;     /* the optional lines after guard: off, */
    nn_prep prep;       /* and no preprocessing, when absent */
} header;

/* The optimizer's lines: "optim", and from version 2 "rmsprop".  A
 * version 1 file's rmsprop used β2 as its decay, without correction: it
 * keeps doing so. */
static int read_optim(reader *r, header *h)
{
    char *w[MAX_WORDS];
    nn_optim *o = &h->opt;
    int kind;
    nn_err why;
    nn_optim_defaults(o);
    if (next_line(r) || !line_is(r, "optim", 7, w) ||
        (kind = lookup(nn_optim_names, w[1])) < 0 ||
        !word_double(w[2], &o->lr) || !word_double(w[3], &o->beta) ||
        !word_double(w[4], &o->beta1) || !word_double(w[5], &o->beta2) ||
        !word_double(w[6], &o->eps))
        return bad(r, "'optim KIND lr beta beta1 beta2 eps'");
    o->kind = (nn_optim_kind)kind;
    if (h->version < 2 && o->kind == NN_OPT_RMSPROP)
        o->rho = o->beta2;
    /* each line's values are checked on their line */
    if (nn_optim_check(o, &why))
        return out_of_range(r, &why);
    if (h->version < 2)
        return 0;
    if (next_line(r) || !line_is(r, "rmsprop", 3, w) ||
        !word_double(w[1], &o->rho) || !word_int(w[2], &o->correct))
        return bad(r, "'rmsprop RHO CORRECT'");
    return nn_optim_check(o, &why) ? out_of_range(r, &why) : 0;
}

/* nn_sched_check on the lines read so far (the rest still hold their
 * valid defaults), so that a value is reported on its own line. */
static int sched_line_ok(reader *r, const nn_sched *d)
{
    nn_err why;
    return nn_sched_check(d, &why) ? out_of_range(r, &why) : 0;
}

/* The schedule's lines: "decay", and from version 2 "cyclic", "sgdr" and
 * "origin". */
static int read_sched(reader *r, header *h)
{
    char *w[MAX_WORDS];
    nn_sched *d = &h->sched;
    int kind;
    nn_sched_defaults(d);
    if (next_line(r) || !line_is(r, "decay", 5, w) ||
        (kind = lookup(nn_sched_names, w[1])) < 0 ||
        !word_double(w[2], &d->rate) || !word_int(w[3], &d->every) ||
        !word_double(w[4], &d->factor))
        return bad(r, "'decay KIND rate every factor'");
    d->kind = (nn_sched_kind)kind;
    if (sched_line_ok(r, d))
        return -1;
    if (h->version < 2)
        return 0;
    if (next_line(r) || !line_is(r, "cyclic", 4, w) ||
        !word_double(w[1], &d->low) || !word_double(w[2], &d->high) ||
        !word_int(w[3], &d->half))
        return bad(r, "'cyclic LOW HIGH HALF'");
    if (sched_line_ok(r, d))
        return -1;
    if (next_line(r) || !line_is(r, "sgdr", 4, w) ||
        !word_int(w[1], &d->period) || !word_int(w[2], &d->mult) ||
        !word_double(w[3], &d->min_lr))
        return bad(r, "'sgdr PERIOD MULT MIN'");
    if (sched_line_ok(r, d))
        return -1;
    if (next_line(r) || !line_is(r, "origin", 3, w) ||
        !word_long(w[1], &d->origin_iter) ||
        !word_double(w[2], &d->origin_epoch))
        return bad(r, "'origin ITERATION EPOCH'");
    return sched_line_ok(r, d);
}

/* From version 2: "warmup" and "clip". */
static int read_warmup_clip(reader *r, header *h)
{
    char *w[MAX_WORDS];
    int k;
    nn_err why;
    nn_warmup_defaults(&h->warm);
    nn_clip_defaults(&h->clip);
    if (h->version < 2)
        return 0;
    if (next_line(r) || !line_is(r, "warmup", 6, w) ||
        !word_int(w[1], &h->warm.length) ||
        (k = lookup(nn_unit_names, w[2])) < 0 ||
        !word_double(w[3], &h->warm.from) ||
        !word_long(w[4], &h->warm.origin_iter) ||
        !word_double(w[5], &h->warm.origin_epoch))
        return bad(r, "'warmup LENGTH iters|epochs FROM ITERATION EPOCH'");
    h->warm.unit = (nn_unit)k;
    if (nn_warmup_check(&h->warm, &why))
        return out_of_range(r, &why);
    if (next_line(r) || !line_is(r, "clip", 3, w) ||
        (k = lookup(nn_clip_names, w[1])) < 0 ||
        !word_double(w[2], &h->clip.max))
        return bad(r, "'clip off|norm|value MAX'");
    h->clip.kind = (nn_clip_kind)k;
    return nn_clip_check(&h->clip, &why) ? out_of_range(r, &why) : 0;
}

/* "loss NAME", huber with its δ after the name (the default without). */
static int read_loss(reader *r, header *h)
{
    char *w[MAX_WORDS];
    int n;
    const char *what = "'loss none|bce|xent|mse|mae|huber' (huber with a "
                       "DELTA > 0)";
    if (next_line(r) || !(n = line_has(r, "loss", 2, 3, w)) ||
        (h->loss = lookup(nn_loss_names, w[1])) < 0)
        return bad(r, what);
    h->loss_arg = nn_loss_default_arg((nn_loss)h->loss);
    if (n == 3 && (!nn_loss_has_arg((nn_loss)h->loss) ||
                   !word_double(w[2], &h->loss_arg) ||
                   !(h->loss_arg > 0 && h->loss_arg <= NN_LOSS_ARG_MAX)))
        return bad(r, what);
    return 0;
}

/* "reg KIND LAMBDA", elastic net with its second lambda after the first. */
static int read_reg(reader *r, header *h)
{
    char *w[MAX_WORDS];
    int n;
    double v[2] = { 0, 0 };
    if (next_line(r) || !(n = line_has(r, "reg", 3, 4, w)) ||
        (h->reg = lookup(nn_reg_names, w[1])) < 0 ||
        n != (h->reg == NN_REG_ELASTIC ? 4 : 3) ||
        !word_double(w[2], &v[0]) || (n == 4 && !word_double(w[3], &v[1])) ||
        !(v[0] >= 0 && v[0] <= NN_LAMBDA_MAX) ||
        !(v[1] >= 0 && v[1] <= NN_LAMBDA_MAX))
        return bad(r, "'reg none|l2|l1 LAMBDA' with LAMBDA 0..1e6 (or 'reg "
                   "elastic L1 L2')");
    h->lambda = v[0];
    h->lambda2 = v[1];
    return 0;
}

/* The network's lines: version, inputs, loss, regularization. */
static int read_header(reader *r, header *h)
{
    char *w[MAX_WORDS];
    if (next_line(r) || !line_is(r, MODEL_MAGIC, 2, w) ||
        !word_int(w[1], &h->version))
        return bad(r, "'nnlab-model 2' (this is not an nnlab model file)");
    if (h->version < 1 || h->version > MODEL_VERSION)
        return nn_fail(r->err, "%s:%d: expected model version 1..%d, found "
                       "%d", r->path, r->line, MODEL_VERSION, h->version);
    if (next_line(r) || !line_is(r, "inputs", 2, w) ||
        !word_int(w[1], &h->inputs) || h->inputs < 1)
        return bad(r, "'inputs N'");
    return read_loss(r, h) || read_reg(r, h) ? -1 : 0;
}

/* The line's first word is `key`. */
static int first_word_is(const reader *r, const char *key)
{
    size_t n = strlen(key);
    return !strncmp(r->buf, key, n) &&
           (r->buf[n] == ' ' || r->buf[n] == '\t' || r->buf[n] == '\0');
}

/* "augment SHIFT ROTATE none|h|v NOISE ZOOM", checked as the augment
 * command checks it (images are the data's business: not known here). */
static int read_augment(reader *r, header *h)
{
    char *w[MAX_WORDS];
    int flip;
    nn_err why;
    nn_augment *a = &h->aug;
    if (!line_is(r, "augment", 6, w) || !word_double(w[1], &a->shift) ||
        !word_double(w[2], &a->rotate) ||
        (flip = lookup(nn_flip_names, w[3])) < 0 ||
        !word_double(w[4], &a->noise) || !word_double(w[5], &a->zoom))
        return bad(r, "'augment SHIFT ROTATE none|h|v NOISE ZOOM'");
    a->flip = (nn_flip)flip;
    return nn_augment_check(a, NULL, &why) ? out_of_range(r, &why) : 0;
}

/* "normalize MODE K EPS": K the components of pca and whiten (the
 * network's inputs), else 0; EPS whitening's epsilon for whiten and zca,
 * else 0. */
static int read_normalize(reader *r, header *h)
{
    char *w[MAX_WORDS];
    nn_prep *p = &h->prep;
    if (!line_is(r, "normalize", 4, w) ||
        (p->mode = lookup(nn_norm_names, w[1])) <= NN_NORM_OFF ||
        !word_int(w[2], &p->k) || !word_double(w[3], &p->eps))
        goto fail;
    int takes_k = p->mode == NN_NORM_PCA || p->mode == NN_NORM_WHITEN;
    int takes_eps = p->mode == NN_NORM_WHITEN || p->mode == NN_NORM_ZCA;
    if (p->k != (takes_k ? h->inputs : 0) ||
        !(takes_eps ? p->eps >= 0 && isfinite(p->eps) : p->eps == 0))
        goto fail;
    return 0;
fail:
    p->mode = NN_NORM_OFF;
    return bad(r, "'normalize zscore|scale|center|pca|whiten|zca K EPS' (K "
               "the inputs with pca and whiten, else 0; EPS >= 0 with "
               "whiten and zca, else 0)");
}

/* The optional lines after "guard", at most once each and in this order:
 * "augment", "normalize".  The line after them stays for the layers. */
static int read_data_settings(reader *r, header *h)
{
    h->aug = (nn_augment){ 0 };
    h->prep = (nn_prep){ NN_NORM_OFF, 0, 0 };
    if (next_line(r))
        return bad(r, "'layer ...' lines");
    if (first_word_is(r, "augment")) {
        if (read_augment(r, h))
            return -1;
        if (next_line(r))
            return bad(r, "'layer ...' lines");
    }
    if (first_word_is(r, "normalize")) {
        if (read_normalize(r, h))
            return -1;
        if (next_line(r))
            return bad(r, "'layer ...' lines");
    }
    r->held = 1;
    return 0;
}

/* The trainer's lines: optimizer, batch, schedule, warm-up and clipping,
 * seed, early, guard. */
static int read_training(reader *r, header *h)
{
    char *w[MAX_WORDS];
    if (read_optim(r, h))
        return -1;
    if (next_line(r) || !line_is(r, "batch", 2, w) ||
        !word_int(w[1], &h->batch) || h->batch < 0 || h->batch > 1000000)
        return bad(r, "'batch N' with N 0..1000000 (0: the whole set)");
    if (read_sched(r, h) || read_warmup_clip(r, h))
        return -1;
    if (next_line(r) || !line_is(r, "seed", 2, w) ||
        !word_u64(w[1], &h->seed))
        return bad(r, "'seed N' with N 0..18446744073709551615");
    if (next_line(r) || !line_is(r, "early", 3, w) ||
        !word_int(w[1], &h->early) || !word_int(w[2], &h->patience) ||
        (h->early != 0 && h->early != 1) || h->patience < 1 ||
        h->patience > 100000)
        return bad(r, "'early 0|1 PATIENCE' with PATIENCE 1..100000");
    if (next_line(r) || !line_is(r, "guard", 2, w) ||
        !word_int(w[1], &h->guard) || (h->guard != 0 && h->guard != 1))
        return bad(r, "'guard 0|1'");
    return read_data_settings(r, h);
}

typedef struct layer_line {
    int units, act, bn, init;
    double act_arg, keep, init_arg, gain;
    int line;     /* where it was read */
} layer_line;

static int parse_layer(reader *r, layer_line *l)
{
    char *w[MAX_WORDS];
    if (!line_is(r, "layer", 9, w) || !word_int(w[1], &l->units) ||
        l->units < 1 || l->units > 100000 ||
        (l->act = lookup(nn_act_names, w[2])) < 0 ||
        !word_double(w[3], &l->act_arg) || !word_double(w[4], &l->keep) ||
        !word_int(w[5], &l->bn) ||
        (l->init = lookup(nn_init_names, w[6])) < 0 ||
        !word_double(w[7], &l->init_arg) || !word_double(w[8], &l->gain) ||
        !(l->keep >= 0.01 && l->keep <= 1) || (l->bn != 0 && l->bn != 1) ||
        !(l->act_arg >= 0 && l->act_arg <= 1e6) || !isfinite(l->init_arg) ||
        !(l->gain >= 0 && l->gain <= 1e6) ||
        (l->act == NN_ACT_MAXOUT && (l->act_arg != floor(l->act_arg) ||
                                     l->act_arg < 2 ||
                                     l->act_arg > NN_MAXOUT_MAX)))
        return bad(r, "'layer UNITS ACT ARG KEEP BN INIT ARG GAIN'");
    l->line = r->line;
    return 0;
}

/* Every weight and bias takes at least two bytes of the file ("0 "), so
 * a file too small for the layers it describes is refused before the
 * network is allocated: a damaged "inputs" or "layer" line must not make
 * the loader ask for gigabytes.  Pipes and other unsized files are let
 * through (their reading fails later if they are short). */
static int file_can_hold(reader *r, const int *sizes, const layer_line *ls,
                         int n, int line)
{
    struct stat st;
    double values = 0;
    for (int i = 0; i + 1 < n; i++) {
        int act = ls[i].act;
        double pieces = act == NN_ACT_MAXOUT ? ls[i].act_arg : 1;
        values += ((double)sizes[i] + 1) * sizes[i + 1] * pieces;
        if (act == NN_ACT_PRELU)
            values += sizes[i + 1]; /* its slopes */
    }
    if (fstat(fileno(r->f), &st) || !S_ISREG(st.st_mode) ||
        2 * values <= (double)st.st_size)
        return 1;
    nn_fail(r->err, "%s:%d: the layers need %.0f weights and biases, more "
            "than this file of %lld bytes holds", r->path, line, values,
            (long long)st.st_size);
    return 0;
}

/* Give the layers of a new network what their n lines say: prelu and
 * maxout shape a hidden layer's parameters (the output layer's activation
 * went to nn_net_new), then dropout, initializer, batch norm.  0, or -1
 * with r->err. */
static int apply_layer_lines(reader *r, nn_net *net, const layer_line *ls,
                             int n)
{
    for (int i = 0; i < n; i++) {
        if (i < n - 1 && nn_net_set_act(net, i + 1, (nn_act)ls[i].act,
                                        ls[i].act_arg, 0, r->err)) {
            nn_err why = *r->err;
            return nn_fail(r->err, "%s:%d: %s", r->path, ls[i].line,
                           why.msg);
        }
        nn_layer *l = &net->L[i]; /* after a new shape: a new array */
        l->keep = ls[i].keep;
        l->init.kind = ls[i].init;
        l->init.arg = ls[i].init_arg;
        l->init.gain = ls[i].gain;
        if (ls[i].bn && nn_net_set_bn(net, i + 1, 1, r->err))
            return -1;
    }
    return 0;
}

/* Read the layer lines and build the network they describe. */
static nn_net *read_layers(reader *r, const header *h)
{
    layer_line ls[1024];
    int sizes[1025], n = 0, out_line = 0;
    sizes[0] = h->inputs;
    while (!next_line(r) && !strncmp(r->buf, "layer ", 6)) {
        if (n == 1024) {
            bad(r, "at most 1024 layers");
            return NULL;
        }
        if (parse_layer(r, &ls[n]))
            return NULL;
        if (n > 0 && ls[n - 1].act == NN_ACT_SOFTMAX) {
            nn_fail(r->err, "%s:%d: softmax is for the output layer only",
                    r->path, out_line);
            return NULL;
        }
        sizes[n + 1] = ls[n].units;
        out_line = r->line;
        n++;
    }
    if (n == 0 || r->broken) {
        bad(r, "'layer ...' lines");
        return NULL;
    }
    if (!file_can_hold(r, sizes, ls, n + 1, out_line))
        return NULL;
    nn_net *net = nn_net_new(sizes, n + 1, NN_ACT_RELU, 0, ls[n - 1].act,
                             ls[n - 1].act_arg, h->loss, r->err);
    if (!net) {
        nn_err why = *r->err;
        /* the output layer's line: the loss must fit its activation */
        nn_fail(r->err, "%s:%d: %s", r->path, out_line, why.msg);
        return NULL;
    }
    net->reg = h->reg;
    net->lambda = h->lambda;
    net->lambda2 = h->lambda2;
    net->loss_arg = h->loss_arg;
    if (apply_layer_lines(r, net, ls, n)) {
        nn_net_free(net);
        return NULL;
    }
    return net;
}

static int read_params(reader *r, nn_net *net)
{
    /* r->buf holds the first line after the layers */
    for (int i = 0; i < net->n_params; i++) {
        char want[32], *w[MAX_WORDS];
        int rows, cols;
        nn_param *p = net->params[i];
        nn_param_name(p, want, sizeof want);
        if (i > 0 && next_line(r))
            return bad(r, "more 'param' sections");
        if (!line_is(r, "param", 4, w) || strcmp(w[1], want) ||
            !word_int(w[2], &rows) || !word_int(w[3], &cols) ||
            rows != p->w.rows || cols != p->w.cols) {
            char what[96];
            snprintf(what, sizeof what, "'param %s %d %d'", want, p->w.rows,
                     p->w.cols);
            return bad(r, what);
        }
        values_spec spec = { "a row of numbers", want, -DBL_MAX, DBL_MAX };
        if (read_matrix(r, &p->w, &spec))
            return -1;
    }
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        char *w[MAX_WORDS];
        int layer, units;
        if (!l->bn)
            continue;
        if (next_line(r) || !line_is(r, "running", 3, w) ||
            !word_int(w[1], &layer) || !word_int(w[2], &units) ||
            layer != i + 1 || units != nn_layer_zcols(l))
            return bad(r, "'running LAYER UNITS' for a batch norm layer");
        values_spec mean = { "the running means", "a running mean",
                             -DBL_MAX, DBL_MAX };
        values_spec var = { "the running variances", "a running variance",
                            0, DBL_MAX };
        if (read_matrix(r, &l->run_mean, &mean) ||
            read_matrix(r, &l->run_var, &var))
            return -1;
    }
    if (next_line(r) || strcmp(r->buf, "end"))
        return bad(r, "'end'");
    return 0;
}

static void apply_settings(nn_trainer *tr, const header *h)
{
    long t = tr->opt.t; /* the optimizer's state, not a setting */
    tr->opt = h->opt;
    tr->opt.t = t;
    tr->batch = h->batch;
    tr->sched = h->sched;
    tr->warm = h->warm;
    tr->clip = h->clip;
    tr->seed = h->seed;
    tr->early = h->early != 0;
    tr->patience = h->patience;
    tr->guard = h->guard != 0;
    tr->aug = h->aug;
}

static nn_net *model_load(const char *path, nn_trainer *tr, nn_prep *prep,
                          nn_err *err)
{
    reader *r = calloc(1, sizeof *r);
    header h;
    nn_net *net = NULL;
    if (!r) {
        nn_fail(err, "out of memory");
        return NULL;
    }
    r->path = path;
    r->err = &r->own_err;
    if (!(r->f = fopen(path, "r"))) {
        nn_fail(r->err, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (read_header(r, &h) || read_training(r, &h) ||
        !(net = read_layers(r, &h)))
        goto out;
    if (read_params(r, net)) {
        nn_net_free(net);
        net = NULL;
        goto out;
    }
    if (tr)
        apply_settings(tr, &h);
    if (prep)
        *prep = h.prep;
out:
    if (!net && err)
        *err = r->own_err;
    if (r->f)
        fclose(r->f);
    free(r->buf);
    free(r);
    return net;
}

/* Numbers are written and read in the C locale whatever the program's
 * (%a, %.17g and strtod follow LC_NUMERIC: a decimal comma would make a
 * file only its own locale can read). */
static locale_t enter_c_locale(locale_t *c)
{
    *c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return *c ? uselocale(*c) : (locale_t)0;
}

static void leave_c_locale(locale_t c, locale_t old)
{
    if (c) {
        uselocale(old);
        freelocale(c);
    }
}

int nn_model_save_prep(const char *path, const nn_net *net,
                       const nn_trainer *tr, const nn_prep *prep, nn_err *err)
{
    locale_t c, old = enter_c_locale(&c);
    int rc = model_save(path, net, tr, prep, err);
    leave_c_locale(c, old);
    return rc;
}

int nn_model_save(const char *path, const nn_net *net, const nn_trainer *tr,
                  nn_err *err)
{
    return nn_model_save_prep(path, net, tr, NULL, err);
}

int nn_model_write(FILE *f, const char *name, const nn_net *net,
                   const nn_trainer *tr, const nn_prep *prep, nn_err *err)
{
    if (loadable(name, net, err) || prep_ok(name, net, prep, err))
        return -1;
    locale_t c, old = enter_c_locale(&c);
    write_model(f, net, tr, prep);
    leave_c_locale(c, old);
    if (ferror(f))
        return nn_fail(err, "%s: could not write the model", name);
    return 0;
}

nn_net *nn_model_load_prep(const char *path, nn_trainer *tr, nn_prep *prep,
                           nn_err *err)
{
    locale_t c, old = enter_c_locale(&c);
    nn_net *net = model_load(path, tr, prep, err);
    leave_c_locale(c, old);
    return net;
}

nn_net *nn_model_load(const char *path, nn_trainer *tr, nn_err *err)
{
    return nn_model_load_prep(path, tr, NULL, err);
}
