/* model.c — model files (see model.h for the format): writing them, and
 * the interface to reading (model_load.c, model_read.c). */
#include "model.h"
#include "model_internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    nn_net *net = nn_model_read_file(path, tr, prep, err);
    leave_c_locale(c, old);
    return net;
}

nn_net *nn_model_load(const char *path, nn_trainer *tr, nn_err *err)
{
    return nn_model_load_prep(path, tr, NULL, err);
}
