/*
 * trial.c — one trial of an experiment: a copy of the session's network
 * and trainer with one setting changed, trained from the seed's initial
 * weights, its numbers kept, then thrown away.
 *
 * Each trial runs in a worker process (workers.h): the functions here
 * start it, advance it epoch by epoch to its budget (halving's next rung
 * continues it), and turn what it reached into bytes for the shell.
 *
 * compare and search train copies of the session's network, never the
 * network itself: each copy starts from the same seed (so the same
 * initial weights unless the initializer is what is compared), sees the
 * same data, and is thrown away after its numbers are kept.
 */
#include "trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cmd.h"
#include "experiment.h"
#include "interrupt.h"
#include "model.h"
#include "out.h"
#include "workers.h"

const char *const trial_keys[] = {
    "optim", "lr", "batch", "init", "reg", "keep", "act", "beta", "beta1",
    "beta2", "units", "layers", NULL
};

/* init=KIND or init=KIND:SCALE (normal:0.01) for every layer. */
static int set_init(Session *s, nn_net *net, const char *text)
{
    char name[32];
    int i;
    const char *colon = strchr(text, ':');
    snprintf(name, sizeof name, "%.*s",
             (int)(colon ? colon - text : (long)strlen(text)), text);
    if (args_enum(s, name, "initializer", nn_init_names, &i))
        return -1;
    nn_init_spec spec = { (nn_init_kind)i, TRIAL_INIT_SCALE, 1 };
    if (colon && args_double(s, colon + 1, "scale", -1e6, 1e6, &spec.arg))
        return -1;
    for (int l = 0; l < net->n_layers; l++)
        net->L[l].init = spec;
    return 0;
}

/* act=NAME for every hidden layer ("prelu=0.1", "maxout:3" too: the
 * engine gives maxout layers their pieces and PReLU layers their slopes;
 * the trial re-initializes every weight anyway). */
static int set_hidden_act(Session *s, nn_net *net, const char *text)
{
    nn_act a;
    double arg;
    int i;
    char name[32];
    nn_err err;
    if (nn_act_parse(text, &a, &arg)) {
        snprintf(name, sizeof name, "%.*s", (int)strcspn(text, "=:"), text);
        if (args_enum(s, name, "hidden activation", nn_act_names, &i))
            return -1;
        return cmd_error(s, "bad parameter in '%s', e.g. leaky=0.01, "
                         "prelu=0.25, maxout:2", text), -1;
    }
    for (int l = 0; l < net->n_layers - 1; l++)
        if (nn_net_set_act(net, l + 1, a, arg, model_seed(s), &err))
            return cmd_error(s, "%s", err.msg), -1;
    return 0;
}

/* units=N or layers=N: the hidden layers built again, all alike (layer
 * 1's activation, keep-probability, batch norm and initializer), `units`
 * each (0: as many as layer 1 has) and `layers` of them (0: as many as
 * now).  The trial initializes every weight afterwards anyway. */
static int set_hidden(Session *s, nn_net *net, int units, int layers)
{
    nn_err err;
    if (net->n_layers < 2)
        return cmd_error(s, "units= and layers= need a network with a "
                         "hidden layer, e.g. net 2 10 1"), -1;
    nn_layer tmpl = net->L[0];
    units = units ? units : tmpl.out;
    layers = layers ? layers : net->n_layers - 1;
    while (net->n_layers > 1)
        if (nn_net_delete(net, 1, model_seed(s), &err))
            return cmd_error(s, "%s", err.msg), -1;
    for (int i = 1; i <= layers; i++) {
        if (nn_net_insert(net, i, units, tmpl.act, tmpl.act_arg,
                          model_seed(s), &err) ||
            (tmpl.bn && nn_net_set_bn(net, i, 1, &err)))
            return cmd_error(s, "%s", err.msg), -1;
        net->L[i - 1].keep = tmpl.keep;
        net->L[i - 1].init = tmpl.init;
    }
    return 0;
}

/* Apply key=text to a copy of the network and the trainer settings. */
int trial_apply_setting(Session *s, nn_net *net,
                         nn_trainer *tr, const char *key, const char *text)
{
    int k, i;
    double v;
    long b;
    if (args_enum(s, key, "setting", trial_keys, &k))
        return -1;
    switch (k) {
    case 0:
        if (args_enum(s, text, "optimizer", nn_optim_names, &i))
            return -1;
        tr->opt.kind = (nn_optim_kind)i;
        return 0;
    case 1:
        return args_double(s, text, "learning rate", 0, NN_LR_MAX,
                          &tr->opt.lr);
    case 2:
        if (!strcmp(text, "full"))
            b = 0;
        else if (args_int(s, text, "batch size", 1, 1000000, &b))
            return -1;
        nn_trainer_set_batch(tr, (int)b, NULL);
        return 0;
    case 3:
        return set_init(s, net, text);
    case 4:
        net->reg = net->reg == NN_REG_NONE ? NN_REG_L2 : net->reg;
        if (!strcmp(text, "none")) {
            net->reg = NN_REG_NONE;
            return 0;
        }
        if (!strncmp(text, "l1:", 3) || !strncmp(text, "l2:", 3)) {
            net->reg = text[1] == '1' ? NN_REG_L1 : NN_REG_L2;
            text += 3;
        }
        if (args_double(s, text, "lambda", 0, 1e6, &net->lambda))
            return -1;
        if (net->lambda == 0)
            net->reg = NN_REG_NONE;
        return 0;
    case 5:
        if (args_double(s, text, "keep-probability", 0.01, 1, &v))
            return -1;
        for (int l = 0; l < net->n_layers - 1; l++)
            net->L[l].keep = v;
        return 0;
    case 6:
        return set_hidden_act(s, net, text);
    case 7:
        return args_double(s, text, "beta", 0, NN_BETA_MAX,
                          &tr->opt.beta);
    case 8:
        return args_double(s, text, "beta1", 0, NN_BETA_MAX,
                          &tr->opt.beta1);
    case 9:
        return args_double(s, text, "beta2", 0, NN_BETA2_MAX,
                          &tr->opt.beta2);
    case 10:
        return args_int(s, text, "units", 1, TRIAL_UNITS_MAX, &b) ? -1
               : set_hidden(s, net, (int)b, 0);
    default:
        return args_int(s, text, "layers", 1, TRIAL_LAYERS_MAX, &b) ? -1
               : set_hidden(s, net, 0, (int)b);
    }
}

/* A copy of the session's network and a trainer with its settings. */
nn_net *trial_new(Session *s, nn_trainer *tr)
{
    nn_net *net = nn_net_clone(s->net, NULL);
    nn_trainer_init(tr);
    nn_trainer_copy_settings(tr, &s->model->tr);
    /* every trial trains the epochs asked for */
    nn_trainer_set_early(tr, 0, tr->patience, NULL);
    tr->seed = model_seed(s);
    return net;
}

int trial_start(Session *s, nn_net *net, nn_trainer *tr)
{
    nn_err err;
    net->bug_param = -1;
    nn_net_init(net, model_seed(s), 0);
    if (nn_trainer_bind(tr, net, s->data, &err)) {
        cmd_error(s, "%s", err.msg);
        return -1;
    }
    nn_trainer_restart(tr);
    return 0;
}

int trial_advance(Session *s, nn_trainer *tr, int epochs, TrialResult *r)
{
    nn_err err;
    double t0 = clock_now(), seconds = r->seconds;
    int st = NN_STEP_OK;
    while (tr->epoch < epochs && !nnlab_interrupted && !r->diverged) {
        nn_step_info info;
        st = nn_trainer_step(tr, &info, &err);
        if (st < 0) {
            cmd_error(s, "%s", err.msg);
            return -1;
        }
        r->diverged = st == NN_STEP_DIVERGED;
        if (st == NN_STEP_EARLY)
            break;
    }
    if (nnlab_interrupted)
        return -1;
    const nn_history *h = &tr->hist;
    r->train_loss = h->ne ? h->train_loss[h->ne - 1] : NAN;
    double loss;
    nn_trainer_evaluate(tr, NN_TRAIN, &loss, &r->train_acc, NULL);
    nn_trainer_evaluate(tr, NN_DEV, &r->dev_loss, &r->dev_acc, NULL);
    r->epochs = tr->epoch;
    r->seconds = seconds + clock_now() - t0;
    r->n = 0;
    return 0;
}

/* The whole gradient's norm, sqrt of the layers' ||dW||^2 summed, as a
 * mean over the updates recorded in each completed epoch (out[e] for
 * history epoch e; NAN where none was recorded). */
static void epoch_grad_norms(const nn_history *h, double *out)
{
    int i = 0, L = h->n_layers;
    for (int e = 0; e < h->ne; e++) {
        double sum = 0;
        int n = 0;
        while (i < h->n && h->epoch[i] < h->e_epoch[e])
            i++;
        for (; i < h->n && h->epoch[i] == h->e_epoch[e]; i++) {
            double sq = 0;
            for (int l = 0; l < L; l++)
                sq += h->g_norm[(size_t)i * L + l] * h->g_norm[(size_t)i * L + l];
            if (isfinite(sq))
                sum += sqrt(sq), n++;
        }
        out[e] = n ? sum / n : NAN;
    }
}

/* The bytes: a TrialResult, then for curves n epoch numbers and n of
 * each per-epoch curve: train loss, dev loss, train accuracy, dev
 * accuracy, gradient norm (CompareRun's order).  Worker and shell are the
 * same program, so the struct's layout is the same on both ends. */
enum { TRIAL_CURVES = 6 };

void trial_pack(const nn_trainer *tr, const TrialResult *r, int curves,
                Buf *out)
{
    TrialResult head = *r;
    const nn_history *h = &tr->hist;
    head.n = curves ? h->ne : 0;
    buf_add(out, (const char *)&head, sizeof head);
    if (!head.n)
        return;
    size_t bytes = (size_t)head.n * sizeof(double);
    double *grads = malloc(bytes);
    for (int i = 0; i < head.n; i++) {
        double x = h->e_epoch[i];
        buf_add(out, (const char *)&x, sizeof x);
    }
    buf_add(out, (const char *)h->train_loss, bytes);
    buf_add(out, (const char *)h->dev_loss, bytes);
    buf_add(out, (const char *)h->train_acc, bytes);
    buf_add(out, (const char *)h->dev_acc, bytes);
    if (grads) {
        epoch_grad_norms(h, grads);
        buf_add(out, (const char *)grads, bytes);
        free(grads);
    } else {
        out->failed = 1; /* the shell then says the result was garbled */
    }
}

int trial_unpack(const char *data, size_t len, TrialResult *r,
                 CompareRun *run)
{
    if (len < sizeof *r)
        return -1;
    memcpy(r, data, sizeof *r);
    size_t n = r->n > 0 ? (size_t)r->n : 0;
    if (len != sizeof *r + TRIAL_CURVES * n * sizeof(double))
        return -1;
    if (!run)
        return 0;
    double **dst[TRIAL_CURVES] = { &run->x, &run->train_loss, &run->dev_loss,
                                   &run->train_accs, &run->dev_accs,
                                   &run->grads };
    int ok = 1;
    run->n = 0;
    for (int c = 0; c < TRIAL_CURVES; c++) {
        *dst[c] = malloc((n + 1) * sizeof(double));
        if (*dst[c])
            memcpy(*dst[c], data + sizeof *r + c * n * sizeof(double),
                   n * sizeof(double));
        else
            ok = 0;
    }
    if (ok)
        run->n = (int)n;
    run->train_acc = r->train_acc;
    run->dev_acc = r->dev_acc;
    run->seconds = r->seconds;
    run->stopped = r->diverged;
    return 0;
}

int trial_need_model(Session *s)
{
    if (!model_state(s) || model_bind(s))
        return -1;
    if (nn_data_task(s->data) == NN_TASK_NONE) {
        cmd_error(s, "needs labelled data");
        return -1;
    }
    if (s->job.active) {
        cmd_error(s, "training is running; type pause first");
        return -1;
    }
    return 0;
}

int trial_jobs(Session *s, const char *text, int *jobs)
{
    long n = workers_cores();
    if (text && args_int(s, text, "jobs", 1, 64, &n))
        return -1;
    *jobs = (int)(n > 64 ? 64 : n);
    return 0;
}
