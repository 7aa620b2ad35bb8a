/*
 * model_load.c — reading a model file (model.h says what it holds): the
 * header of settings, the layers, the parameters, each value checked as
 * the engine's own checks do, on the line that holds it.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model_internal.h"

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
static int read_optim(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    nn_optim *o = &h->opt;
    int kind;
    nn_err why;
    nn_optim_defaults(o);
    if (nn_model_next_line(r) || !nn_model_line_is(r, "optim", 7, w) ||
        (kind = nn_model_name_index(nn_optim_names, w[1])) < 0 ||
        !nn_model_word_double(w[2], &o->lr) ||
        !nn_model_word_double(w[3], &o->beta) ||
        !nn_model_word_double(w[4], &o->beta1) ||
        !nn_model_word_double(w[5], &o->beta2) ||
        !nn_model_word_double(w[6], &o->eps))
        return nn_model_bad(r, "'optim KIND lr beta beta1 beta2 eps'");
    o->kind = (nn_optim_kind)kind;
    if (h->version < 2 && o->kind == NN_OPT_RMSPROP)
        o->rho = o->beta2;
    /* each line's values are checked on their line */
    if (nn_optim_check(o, &why))
        return nn_model_out_of_range(r, &why);
    if (h->version < 2)
        return 0;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "rmsprop", 3, w) ||
        !nn_model_word_double(w[1], &o->rho) ||
        !nn_model_word_int(w[2], &o->correct))
        return nn_model_bad(r, "'rmsprop RHO CORRECT'");
    return nn_optim_check(o, &why) ? nn_model_out_of_range(r, &why) : 0;
}

/* nn_sched_check on the lines read so far (the rest still hold their
 * valid defaults), so that a value is reported on its own line. */
static int sched_line_ok(nn_model_reader *r, const nn_sched *d)
{
    nn_err why;
    return nn_sched_check(d, &why) ? nn_model_out_of_range(r, &why) : 0;
}

/* The schedule's lines: "decay", and from version 2 "cyclic", "sgdr" and
 * "origin". */
static int read_sched(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    nn_sched *d = &h->sched;
    int kind;
    nn_sched_defaults(d);
    if (nn_model_next_line(r) || !nn_model_line_is(r, "decay", 5, w) ||
        (kind = nn_model_name_index(nn_sched_names, w[1])) < 0 ||
        !nn_model_word_double(w[2], &d->rate) ||
        !nn_model_word_int(w[3], &d->every) ||
        !nn_model_word_double(w[4], &d->factor))
        return nn_model_bad(r, "'decay KIND rate every factor'");
    d->kind = (nn_sched_kind)kind;
    if (sched_line_ok(r, d))
        return -1;
    if (h->version < 2)
        return 0;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "cyclic", 4, w) ||
        !nn_model_word_double(w[1], &d->low) ||
        !nn_model_word_double(w[2], &d->high) ||
        !nn_model_word_int(w[3], &d->half))
        return nn_model_bad(r, "'cyclic LOW HIGH HALF'");
    if (sched_line_ok(r, d))
        return -1;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "sgdr", 4, w) ||
        !nn_model_word_int(w[1], &d->period) ||
        !nn_model_word_int(w[2], &d->mult) ||
        !nn_model_word_double(w[3], &d->min_lr))
        return nn_model_bad(r, "'sgdr PERIOD MULT MIN'");
    if (sched_line_ok(r, d))
        return -1;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "origin", 3, w) ||
        !nn_model_word_long(w[1], &d->origin_iter) ||
        !nn_model_word_double(w[2], &d->origin_epoch))
        return nn_model_bad(r, "'origin ITERATION EPOCH'");
    return sched_line_ok(r, d);
}

/* From version 2: "warmup" and "clip". */
static int read_warmup_clip(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    int k;
    nn_err why;
    nn_warmup_defaults(&h->warm);
    nn_clip_defaults(&h->clip);
    if (h->version < 2)
        return 0;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "warmup", 6, w) ||
        !nn_model_word_int(w[1], &h->warm.length) ||
        (k = nn_model_name_index(nn_unit_names, w[2])) < 0 ||
        !nn_model_word_double(w[3], &h->warm.from) ||
        !nn_model_word_long(w[4], &h->warm.origin_iter) ||
        !nn_model_word_double(w[5], &h->warm.origin_epoch))
        return nn_model_bad(
            r, "'warmup LENGTH iters|epochs FROM ITERATION EPOCH'");
    h->warm.unit = (nn_unit)k;
    if (nn_warmup_check(&h->warm, &why))
        return nn_model_out_of_range(r, &why);
    if (nn_model_next_line(r) || !nn_model_line_is(r, "clip", 3, w) ||
        (k = nn_model_name_index(nn_clip_names, w[1])) < 0 ||
        !nn_model_word_double(w[2], &h->clip.max))
        return nn_model_bad(r, "'clip off|norm|value MAX'");
    h->clip.kind = (nn_clip_kind)k;
    return nn_clip_check(&h->clip, &why) ? nn_model_out_of_range(r, &why) : 0;
}

/* "loss NAME", huber with its δ after the name (the default without). */
static int read_loss(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    int n;
    const char *what = "'loss none|bce|xent|mse|mae|huber' (huber with a "
                       "DELTA > 0)";
    if (nn_model_next_line(r) ||
        !(n = nn_model_line_has(r, "loss", 2, 3, w)) ||
        (h->loss = nn_model_name_index(nn_loss_names, w[1])) < 0)
        return nn_model_bad(r, what);
    h->loss_arg = nn_loss_default_arg((nn_loss)h->loss);
    if (n == 3 && (!nn_loss_has_arg((nn_loss)h->loss) ||
                   !nn_model_word_double(w[2], &h->loss_arg) ||
                   !(h->loss_arg > 0 && h->loss_arg <= NN_LOSS_ARG_MAX)))
        return nn_model_bad(r, what);
    return 0;
}

/* "reg KIND LAMBDA", elastic net with its second lambda after the first. */
static int read_reg(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    int n;
    double v[2] = { 0, 0 };
    if (nn_model_next_line(r) || !(n = nn_model_line_has(r, "reg", 3, 4, w)) ||
        (h->reg = nn_model_name_index(nn_reg_names, w[1])) < 0 ||
        n != (h->reg == NN_REG_ELASTIC ? 4 : 3) ||
        !nn_model_word_double(w[2], &v[0]) ||
        (n == 4 && !nn_model_word_double(w[3], &v[1])) ||
        !(v[0] >= 0 && v[0] <= NN_LAMBDA_MAX) ||
        !(v[1] >= 0 && v[1] <= NN_LAMBDA_MAX))
        return nn_model_bad(
            r, "'reg none|l2|l1 LAMBDA' with LAMBDA 0..1e6 (or 'reg "
               "elastic L1 L2')");
    h->lambda = v[0];
    h->lambda2 = v[1];
    return 0;
}

/* The network's lines: version, inputs, loss, regularization. */
static int read_header(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    if (nn_model_next_line(r) || !nn_model_line_is(r, MODEL_MAGIC, 2, w) ||
        !nn_model_word_int(w[1], &h->version))
        return nn_model_bad(
            r, "'nnlab-model 2' (this is not an nnlab model file)");
    if (h->version < 1 || h->version > MODEL_VERSION)
        return nn_fail(r->err, "%s:%d: expected model version 1..%d, found "
                       "%d", r->path, r->line, MODEL_VERSION, h->version);
    if (nn_model_next_line(r) || !nn_model_line_is(r, "inputs", 2, w) ||
        !nn_model_word_int(w[1], &h->inputs) || h->inputs < 1)
        return nn_model_bad(r, "'inputs N'");
    return read_loss(r, h) || read_reg(r, h) ? -1 : 0;
}

/* The line's first word is `key`. */
static int first_word_is(const nn_model_reader *r, const char *key)
{
    size_t n = strlen(key);
    return !strncmp(r->buf, key, n) &&
           (r->buf[n] == ' ' || r->buf[n] == '\t' || r->buf[n] == '\0');
}

/* "augment SHIFT ROTATE none|h|v NOISE ZOOM", checked as the augment
 * command checks it (images are the data's business: not known here). */
static int read_augment(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    int flip;
    nn_err why;
    nn_augment *a = &h->aug;
    if (!nn_model_line_is(r, "augment", 6, w) ||
        !nn_model_word_double(w[1], &a->shift) ||
        !nn_model_word_double(w[2], &a->rotate) ||
        (flip = nn_model_name_index(nn_flip_names, w[3])) < 0 ||
        !nn_model_word_double(w[4], &a->noise) ||
        !nn_model_word_double(w[5], &a->zoom))
        return nn_model_bad(r, "'augment SHIFT ROTATE none|h|v NOISE ZOOM'");
    a->flip = (nn_flip)flip;
    return nn_augment_check(a, NULL, &why) ? nn_model_out_of_range(r, &why)
                                           : 0;
}

/* "normalize MODE K EPS": K the components of pca and whiten (the
 * network's inputs), else 0; EPS whitening's epsilon for whiten and zca,
 * else 0. */
static int read_normalize(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    nn_prep *p = &h->prep;
    if (!nn_model_line_is(r, "normalize", 4, w) ||
        (p->mode = nn_model_name_index(nn_norm_names, w[1])) <= NN_NORM_OFF ||
        !nn_model_word_int(w[2], &p->k) ||
        !nn_model_word_double(w[3], &p->eps))
        goto fail;
    int takes_k = p->mode == NN_NORM_PCA || p->mode == NN_NORM_WHITEN;
    int takes_eps = p->mode == NN_NORM_WHITEN || p->mode == NN_NORM_ZCA;
    if (p->k != (takes_k ? h->inputs : 0) ||
        !(takes_eps ? p->eps >= 0 && isfinite(p->eps) : p->eps == 0))
        goto fail;
    return 0;
fail:
    p->mode = NN_NORM_OFF;
    return nn_model_bad(
        r, "'normalize zscore|scale|center|pca|whiten|zca K EPS' (K "
           "the inputs with pca and whiten, else 0; EPS >= 0 with "
           "whiten and zca, else 0)");
}

/* The optional lines after "guard", at most once each and in this order:
 * "augment", "normalize".  The line after them stays for the layers. */
static int read_data_settings(nn_model_reader *r, header *h)
{
    h->aug = (nn_augment){ 0 };
    h->prep = (nn_prep){ NN_NORM_OFF, 0, 0 };
    if (nn_model_next_line(r))
        return nn_model_bad(r, "'layer ...' lines");
    if (first_word_is(r, "augment")) {
        if (read_augment(r, h))
            return -1;
        if (nn_model_next_line(r))
            return nn_model_bad(r, "'layer ...' lines");
    }
    if (first_word_is(r, "normalize")) {
        if (read_normalize(r, h))
            return -1;
        if (nn_model_next_line(r))
            return nn_model_bad(r, "'layer ...' lines");
    }
    r->held = 1;
    return 0;
}

/* The trainer's lines: optimizer, batch, schedule, warm-up and clipping,
 * seed, early, guard. */
static int read_training(nn_model_reader *r, header *h)
{
    char *w[MAX_WORDS];
    if (read_optim(r, h))
        return -1;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "batch", 2, w) ||
        !nn_model_word_int(w[1], &h->batch) || h->batch < 0 ||
        h->batch > 1000000)
        return nn_model_bad(r,
                            "'batch N' with N 0..1000000 (0: the whole set)");
    if (read_sched(r, h) || read_warmup_clip(r, h))
        return -1;
    if (nn_model_next_line(r) || !nn_model_line_is(r, "seed", 2, w) ||
        !nn_model_word_u64(w[1], &h->seed))
        return nn_model_bad(r, "'seed N' with N 0..18446744073709551615");
    if (nn_model_next_line(r) || !nn_model_line_is(r, "early", 3, w) ||
        !nn_model_word_int(w[1], &h->early) ||
        !nn_model_word_int(w[2], &h->patience) ||
        (h->early != 0 && h->early != 1) || h->patience < 1 ||
        h->patience > 100000)
        return nn_model_bad(r, "'early 0|1 PATIENCE' with PATIENCE 1..100000");
    if (nn_model_next_line(r) || !nn_model_line_is(r, "guard", 2, w) ||
        !nn_model_word_int(w[1], &h->guard) ||
        (h->guard != 0 && h->guard != 1))
        return nn_model_bad(r, "'guard 0|1'");
    return read_data_settings(r, h);
}

typedef struct layer_line {
    int units, act, bn, init;
    double act_arg, keep, init_arg, gain;
    int line;     /* where it was read */
} layer_line;

static int parse_layer(nn_model_reader *r, layer_line *l)
{
    char *w[MAX_WORDS];
    if (!nn_model_line_is(r, "layer", 9, w) ||
        !nn_model_word_int(w[1], &l->units) || l->units < 1 ||
        l->units > 100000 ||
        (l->act = nn_model_name_index(nn_act_names, w[2])) < 0 ||
        !nn_model_word_double(w[3], &l->act_arg) ||
        !nn_model_word_double(w[4], &l->keep) ||
        !nn_model_word_int(w[5], &l->bn) ||
        (l->init = nn_model_name_index(nn_init_names, w[6])) < 0 ||
        !nn_model_word_double(w[7], &l->init_arg) ||
        !nn_model_word_double(w[8], &l->gain) ||
        !(l->keep >= 0.01 && l->keep <= 1) || (l->bn != 0 && l->bn != 1) ||
        !(l->act_arg >= 0 && l->act_arg <= 1e6) || !isfinite(l->init_arg) ||
        !(l->gain >= 0 && l->gain <= 1e6) ||
        (l->act == NN_ACT_MAXOUT &&
         (l->act_arg != floor(l->act_arg) || l->act_arg < 2 ||
          l->act_arg > NN_MAXOUT_MAX)))
        return nn_model_bad(r, "'layer UNITS ACT ARG KEEP BN INIT ARG GAIN'");
    l->line = r->line;
    return 0;
}

/* Every weight and bias takes at least two bytes of the file ("0 "), so
 * a file too small for the layers it describes is refused before the
 * network is allocated: a damaged "inputs" or "layer" line must not make
 * the loader ask for gigabytes.  Pipes and other unsized files are let
 * through (their reading fails later if they are short). */
static int file_can_hold(nn_model_reader *r, const int *sizes,
                         const layer_line *ls, int n, int line)
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
static int apply_layer_lines(nn_model_reader *r, nn_net *net,
                             const layer_line *ls, int n)
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
static nn_net *read_layers(nn_model_reader *r, const header *h)
{
    layer_line ls[1024];
    int sizes[1025], n = 0, out_line = 0;
    sizes[0] = h->inputs;
    while (!nn_model_next_line(r) && !strncmp(r->buf, "layer ", 6)) {
        if (n == 1024) {
            nn_model_bad(r, "at most 1024 layers");
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
        nn_model_bad(r, "'layer ...' lines");
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

static int read_params(nn_model_reader *r, nn_net *net)
{
    /* r->buf holds the first line after the layers */
    for (int i = 0; i < net->n_params; i++) {
        char want[32], *w[MAX_WORDS];
        int rows, cols;
        nn_param *p = net->params[i];
        nn_param_name(p, want, sizeof want);
        if (i > 0 && nn_model_next_line(r))
            return nn_model_bad(r, "more 'param' sections");
        if (!nn_model_line_is(r, "param", 4, w) || strcmp(w[1], want) ||
            !nn_model_word_int(w[2], &rows) ||
            !nn_model_word_int(w[3], &cols) || rows != p->w.rows ||
            cols != p->w.cols) {
            char what[96];
            snprintf(what, sizeof what, "'param %s %d %d'", want, p->w.rows,
                     p->w.cols);
            return nn_model_bad(r, what);
        }
        values_spec spec = { "a row of numbers", want, -DBL_MAX, DBL_MAX };
        if (nn_model_matrix(r, &p->w, &spec))
            return -1;
    }
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        char *w[MAX_WORDS];
        int layer, units;
        if (!l->bn)
            continue;
        if (nn_model_next_line(r) || !nn_model_line_is(r, "running", 3, w) ||
            !nn_model_word_int(w[1], &layer) ||
            !nn_model_word_int(w[2], &units) || layer != i + 1 ||
            units != nn_layer_zcols(l))
            return nn_model_bad(
                r, "'running LAYER UNITS' for a batch norm layer");
        values_spec mean = { "the running means", "a running mean",
                             -DBL_MAX, DBL_MAX };
        values_spec var = { "the running variances", "a running variance",
                            0, DBL_MAX };
        if (nn_model_matrix(r, &l->run_mean, &mean) ||
            nn_model_matrix(r, &l->run_var, &var))
            return -1;
    }
    if (nn_model_next_line(r) || strcmp(r->buf, "end"))
        return nn_model_bad(r, "'end'");
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

nn_net *nn_model_read_file(const char *path, nn_trainer *tr, nn_prep *prep,
                   nn_err *err)
{
    nn_model_reader *r = calloc(1, sizeof *r);
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
