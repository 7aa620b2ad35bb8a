/*
 * trial.c — one trial of an experiment: a copy of the session's network
 * and trainer with one setting changed, trained from the seed's initial
 * weights, its numbers kept, then thrown away.
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

const char *const trial_keys[] = {
    "optim", "lr", "batch", "init", "reg", "keep", "act", "beta", "beta1",
    "beta2", NULL
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
    nn_init_spec spec = { (nn_init_kind)i, 0.01, 1 };
    if (colon && args_double(s, colon + 1, "scale", -1e6, 1e6, &spec.arg))
        return -1;
    for (int l = 0; l < net->n_layers; l++)
        net->L[l].init = spec;
    return 0;
}

/* act=NAME for every hidden layer. */
static int set_hidden_act(Session *s, nn_net *net, const char *text)
{
    nn_act a;
    double arg;
    int i;
    if (nn_act_parse(text, &a, &arg) || a == NN_ACT_SOFTMAX)
        return args_enum(s, text, "hidden activation", nn_act_names,
                        &i) ? -1 : (cmd_error(s, "softmax is for the "
                                              "output layer"), -1);
    for (int l = 0; l < net->n_layers - 1; l++) {
        net->L[l].act = a;
        net->L[l].act_arg = arg;
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
        if (!strcmp(text, "full")) {
            tr->batch = 0;
            return 0;
        }
        if (args_int(s, text, "batch size", 1, 1000000, &b))
            return -1;
        tr->batch = (int)b;
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
    default:
        return args_double(s, text, "beta2", 0, NN_BETA2_MAX,
                          &tr->opt.beta2);
    }
}

/* A copy of the session's network and a trainer with its settings. */
nn_net *trial_new(Session *s, nn_trainer *tr)
{
    nn_net *net = nn_net_clone(s->net, NULL);
    nn_trainer_init(tr);
    nn_trainer_copy_settings(tr, &s->model->tr);
    tr->early = 0; /* every trial trains the epochs asked for */
    tr->seed = model_seed(s);
    return net;
}

/* Train for `epochs` from the seed's initial weights; fill run (if given)
 * with the curves and the final accuracies.  -1 if interrupted. */
int trial_train(Session *s, nn_net *net, nn_trainer *tr, int epochs,
                         CompareRun *run, double *train_acc, double *dev_acc)
{
    nn_err err;
    net->bug_param = -1;
    nn_net_init(net, model_seed(s), 0);
    if (nn_trainer_bind(tr, net, s->data, &err)) {
        cmd_error(s, "%s", err.msg);
        return -1;
    }
    nn_trainer_restart(tr);
    double t0 = clock_now();
    int st = NN_STEP_OK;
    while (tr->epoch < epochs && !nnlab_interrupted) {
        nn_step_info info;
        st = nn_trainer_step(tr, &info, &err);
        if (st < 0 || st == NN_STEP_DIVERGED || st == NN_STEP_EARLY)
            break;
    }
    if (nnlab_interrupted || st < 0)
        return -1;
    double loss;
    nn_trainer_evaluate(tr, NN_TRAIN, &loss, train_acc, NULL);
    nn_trainer_evaluate(tr, NN_DEV, &loss, dev_acc, NULL);
    if (run) {
        const nn_history *h = &tr->hist;
        run->n = h->ne;
        run->x = malloc((size_t)(h->ne + 1) * sizeof *run->x);
        run->train_loss = malloc((size_t)(h->ne + 1) * sizeof(double));
        run->dev_loss = malloc((size_t)(h->ne + 1) * sizeof(double));
        for (int i = 0; run->x && run->train_loss && run->dev_loss &&
                        i < h->ne; i++) {
            run->x[i] = h->e_epoch[i];
            run->train_loss[i] = h->train_loss[i];
            run->dev_loss[i] = h->dev_loss[i];
        }
        if (!run->x || !run->train_loss || !run->dev_loss)
            run->n = 0;
        run->train_acc = *train_acc;
        run->dev_acc = *dev_acc;
        run->seconds = clock_now() - t0;
        run->stopped = st == NN_STEP_DIVERGED;
    }
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
