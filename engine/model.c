/* model.c — model files (see model.h for the format). */
#include "model.h"

#include <errno.h>
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

static void write_model(FILE *f, const nn_net *net, const nn_trainer *tr)
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

static int model_save(const char *path, const nn_net *net,
                      const nn_trainer *tr, nn_err *err)
{
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
    write_model(f, net, tr);
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
} reader;

/* Next non-empty line into r->buf; 0, or -1 at end of file (r->buf is
 * then "").  Lines have no length limit: a row of W holds one number per
 * unit of the layer below, about 2.5 MB for 100000 units. */
static int next_line(reader *r)
{
    while (getline(&r->buf, &r->cap, r->f) >= 0) {
        r->line++;
        r->buf[strcspn(r->buf, "\r\n")] = '\0';
        if (r->buf[0] && r->buf[0] != '#')
            return 0;
    }
    if (r->buf)
        r->buf[0] = '\0';
    return -1;
}

static int bad(reader *r, const char *expected)
{
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

/* Exactly `want` numbers in text p (and nothing else but blanks) into
 * v: 0, or -1. */
static int parse_numbers(const char *p, double *v, int want)
{
    char *end;
    for (int i = 0; i < want; i++) {
        v[i] = strtod(p, &end);
        if (end == p) /* inf and nan too: a diverged net loads as saved */
            return -1;
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? -1 : 0;
}

/* Read `want` numbers from the current line into v. */
static int read_numbers(reader *r, double *v, int want, const char *what)
{
    return parse_numbers(r->buf, v, want) ? bad(r, what) : 0;
}

static int read_matrix(reader *r, nn_mat *m, const char *what)
{
    for (int row = 0; row < m->rows; row++) {
        if (next_line(r))
            return bad(r, what);
        if (read_numbers(r, m->v + (size_t)row * m->cols, m->cols, what))
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
} header;

/* The optimizer's lines: "optim", and from version 2 "rmsprop".  A
 * version 1 file's rmsprop used β2 as its decay, without correction: it
 * keeps doing so. */
static int read_optim(reader *r, header *h)
{
    char w[32];
    nn_optim *o = &h->opt;
    int kind;
    nn_err why;
    nn_optim_defaults(o);
    if (next_line(r) || sscanf(r->buf, "optim %31s %lf %lf %lf %lf %lf", w,
                               &o->lr, &o->beta, &o->beta1, &o->beta2,
                               &o->eps) != 6 ||
        (kind = lookup(nn_optim_names, w)) < 0)
        return bad(r, "'optim KIND lr beta beta1 beta2 eps'");
    o->kind = (nn_optim_kind)kind;
    if (h->version < 2 && o->kind == NN_OPT_RMSPROP)
        o->rho = o->beta2;
    /* each line's values are checked on their line */
    if (nn_optim_check(o, &why))
        return out_of_range(r, &why);
    if (h->version < 2)
        return 0;
    if (next_line(r) ||
        sscanf(r->buf, "rmsprop %lf %d", &o->rho, &o->correct) != 2)
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
    char w[32];
    nn_sched *d = &h->sched;
    int kind;
    nn_sched_defaults(d);
    if (next_line(r) || sscanf(r->buf, "decay %31s %lf %d %lf", w, &d->rate,
                               &d->every, &d->factor) != 4 ||
        (kind = lookup(nn_sched_names, w)) < 0)
        return bad(r, "'decay KIND rate every factor'");
    d->kind = (nn_sched_kind)kind;
    if (sched_line_ok(r, d))
        return -1;
    if (h->version < 2)
        return 0;
    if (next_line(r) ||
        sscanf(r->buf, "cyclic %lf %lf %d", &d->low, &d->high, &d->half) != 3)
        return bad(r, "'cyclic LOW HIGH HALF'");
    if (sched_line_ok(r, d))
        return -1;
    if (next_line(r) || sscanf(r->buf, "sgdr %d %d %lf", &d->period,
                               &d->mult, &d->min_lr) != 3)
        return bad(r, "'sgdr PERIOD MULT MIN'");
    if (sched_line_ok(r, d))
        return -1;
    if (next_line(r) || sscanf(r->buf, "origin %ld %lf", &d->origin_iter,
                               &d->origin_epoch) != 2)
        return bad(r, "'origin ITERATION EPOCH'");
    return sched_line_ok(r, d);
}

/* From version 2: "warmup" and "clip". */
static int read_warmup_clip(reader *r, header *h)
{
    char w[32];
    int k;
    nn_err why;
    nn_warmup_defaults(&h->warm);
    nn_clip_defaults(&h->clip);
    if (h->version < 2)
        return 0;
    if (next_line(r) ||
        sscanf(r->buf, "warmup %d %31s %lf %ld %lf", &h->warm.length, w,
               &h->warm.from, &h->warm.origin_iter,
               &h->warm.origin_epoch) != 5 ||
        (k = lookup(nn_unit_names, w)) < 0)
        return bad(r, "'warmup LENGTH iters|epochs FROM ITERATION EPOCH'");
    h->warm.unit = (nn_unit)k;
    if (nn_warmup_check(&h->warm, &why))
        return out_of_range(r, &why);
    if (next_line(r) ||
        sscanf(r->buf, "clip %31s %lf", w, &h->clip.max) != 2 ||
        (k = lookup(nn_clip_names, w)) < 0)
        return bad(r, "'clip off|norm|value MAX'");
    h->clip.kind = (nn_clip_kind)k;
    return nn_clip_check(&h->clip, &why) ? out_of_range(r, &why) : 0;
}

/* "loss NAME", huber with its δ after the name (the default without). */
static int read_loss(reader *r, header *h)
{
    char w[32];
    int used = 0;
    const char *what = "'loss none|bce|xent|mse|mae|huber' (huber with a "
                       "DELTA > 0)";
    if (next_line(r) || sscanf(r->buf, "loss %31s%n", w, &used) != 1 ||
        (h->loss = lookup(nn_loss_names, w)) < 0)
        return bad(r, what);
    const char *rest = r->buf + used;
    h->loss_arg = nn_loss_default_arg((nn_loss)h->loss);
    if (parse_numbers(rest, NULL, 0) == 0)
        return 0;
    if (!nn_loss_has_arg((nn_loss)h->loss) ||
        parse_numbers(rest, &h->loss_arg, 1) ||
        !(h->loss_arg > 0 && h->loss_arg <= NN_LOSS_ARG_MAX))
        return bad(r, what);
    return 0;
}

/* "reg KIND LAMBDA", elastic net with its second lambda after the first. */
static int read_reg(reader *r, header *h)
{
    char w[32];
    int used = 0;
    double v[2] = { 0, 0 };
    if (next_line(r) || sscanf(r->buf, "reg %31s%n", w, &used) != 1 ||
        (h->reg = lookup(nn_reg_names, w)) < 0 ||
        parse_numbers(r->buf + used, v, h->reg == NN_REG_ELASTIC ? 2 : 1) ||
        !(v[0] >= 0 && v[0] <= NN_LAMBDA_MAX) ||
        !(v[1] >= 0 && v[1] <= NN_LAMBDA_MAX))
        return bad(r, "'reg none|l2|l1 LAMBDA' with LAMBDA 0..1e6 (or 'reg "
                   "elastic L1 L2')");
    h->lambda = v[0];
    h->lambda2 = v[1];
    return 0;
}

static int read_header(reader *r, header *h)
{
    if (next_line(r) || sscanf(r->buf, "nnlab-model %d", &h->version) != 1)
        return bad(r, "'nnlab-model 2' (this is not an nnlab model file)");
    if (h->version < 1 || h->version > MODEL_VERSION)
        return nn_fail(r->err, "%s:%d: expected model version 1..%d, found "
                       "%d", r->path, r->line, MODEL_VERSION, h->version);
    if (next_line(r) || sscanf(r->buf, "inputs %d", &h->inputs) != 1 ||
        h->inputs < 1)
        return bad(r, "'inputs N'");
    if (read_loss(r, h) || read_reg(r, h) || read_optim(r, h))
        return -1;
    if (next_line(r) || sscanf(r->buf, "batch %d", &h->batch) != 1 ||
        h->batch < 0 || h->batch > 1000000)
        return bad(r, "'batch N' with N 0..1000000 (0: the whole set)");
    if (read_sched(r, h) || read_warmup_clip(r, h))
        return -1;
    if (next_line(r) || sscanf(r->buf, "seed %llu", &h->seed) != 1)
        return bad(r, "'seed N'");
    if (next_line(r) ||
        sscanf(r->buf, "early %d %d", &h->early, &h->patience) != 2 ||
        (h->early != 0 && h->early != 1) || h->patience < 1 ||
        h->patience > 100000)
        return bad(r, "'early 0|1 PATIENCE' with PATIENCE 1..100000");
    if (next_line(r) || sscanf(r->buf, "guard %d", &h->guard) != 1 ||
        (h->guard != 0 && h->guard != 1))
        return bad(r, "'guard 0|1'");
    return 0;
}

typedef struct layer_line {
    int units, act, bn, init;
    double act_arg, keep, init_arg, gain;
    int line;     /* where it was read */
} layer_line;

static int parse_layer(reader *r, layer_line *l)
{
    char act[32], init[32];
    if (sscanf(r->buf, "layer %d %31s %lf %lf %d %31s %lf %lf", &l->units,
               act, &l->act_arg, &l->keep, &l->bn, init, &l->init_arg,
               &l->gain) != 8 || l->units < 1 || l->units > 100000 ||
        (l->act = lookup(nn_act_names, act)) < 0 ||
        (l->init = lookup(nn_init_names, init)) < 0 ||
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
    if (n == 0) {
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
        char want[32], name[32];
        int rows, cols;
        nn_param *p = net->params[i];
        nn_param_name(p, want, sizeof want);
        if (i > 0 && next_line(r))
            return bad(r, "more 'param' sections");
        if (sscanf(r->buf, "param %31s %d %d", name, &rows, &cols) != 3 ||
            strcmp(name, want) || rows != p->w.rows || cols != p->w.cols) {
            char what[96];
            snprintf(what, sizeof what, "'param %s %d %d'", want, p->w.rows,
                     p->w.cols);
            return bad(r, what);
        }
        if (read_matrix(r, &p->w, "a row of numbers"))
            return -1;
    }
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        int layer, units;
        if (!l->bn)
            continue;
        if (next_line(r) ||
            sscanf(r->buf, "running %d %d", &layer, &units) != 2 ||
            layer != i + 1 || units != nn_layer_zcols(l))
            return bad(r, "'running LAYER UNITS' for a batch norm layer");
        if (read_matrix(r, &l->run_mean, "the running means") ||
            read_matrix(r, &l->run_var, "the running variances"))
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
}

static nn_net *model_load(const char *path, nn_trainer *tr, nn_err *err)
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
    if (read_header(r, &h) || !(net = read_layers(r, &h)))
        goto out;
    if (read_params(r, net)) {
        nn_net_free(net);
        net = NULL;
        goto out;
    }
    if (tr)
        apply_settings(tr, &h);
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

int nn_model_save(const char *path, const nn_net *net, const nn_trainer *tr,
                  nn_err *err)
{
    locale_t c, old = enter_c_locale(&c);
    int rc = model_save(path, net, tr, err);
    leave_c_locale(c, old);
    return rc;
}

nn_net *nn_model_load(const char *path, nn_trainer *tr, nn_err *err)
{
    locale_t c, old = enter_c_locale(&c);
    nn_net *net = model_load(path, tr, err);
    leave_c_locale(c, old);
    return net;
}
