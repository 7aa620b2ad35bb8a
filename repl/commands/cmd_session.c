/*
 * cmd_session.c — the Session commands: save, load, history, show.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "out.h"
#include "safefile.h"

static int cmd_save(Session *s, int argc, char **argv)
{
    nn_err err;
    if (argc != 2)
        return cmd_error(s, "usage: save FILE");
    if (!s->net)
        return cmd_error(s, "no network to save yet");
    if (!model_state(s))
        return CMD_ERR;
    if (model_save_file(s, argv[1], &err))
        return cmd_error(s, "%s", err.msg);
    out_printf(s, "saved the network (%ld parameters) and its settings to %s\n",
               nn_net_param_count(s->net), argv[1]);
    return CMD_OK;
}

static int cmd_load(Session *s, int argc, char **argv)
{
    nn_err err;
    ModelState *m = model_state(s);
    if (argc != 2)
        return cmd_error(s, "usage: load FILE");
    if (!m)
        return CMD_ERR;
    if (s->job.active)
        return cmd_error(s, "training is running; type pause first");
    struct stat st;
    if (stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode))
        return cmd_error(s, "%s is a directory, not a model file",
                         argv[1]);
    nn_trainer settings = m->tr; /* a copy to read the settings into */
    nn_prep prep;
    nn_net *net = nn_model_load_prep(argv[1], &settings, &prep, &err);
    if (!net)
        return cmd_error(s, "%s", err.msg);
    nn_net_free(s->net);
    s->net = net;
    nn_trainer_copy_settings(&m->tr, &settings);
    model_set_seed(s, settings.seed);
    m->reg = net->reg;
    m->lambda = net->lambda;
    m->lambda2 = net->lambda2;
    model_restart(s);
    out_printf(s, "loaded %s\n", argv[1]);
    cmd_net_show(s);
    prep_load(s, &prep); /* the data preprocessed as the file says */
    if (s->data && nn_data_inputs(s->data) != net->n_in)
        out_printf(s, "note: this network takes %d input%s and the current "
                   "data %s %d%s\n", net->n_in, net->n_in == 1 ? "" : "s",
                   nn_data_inputs(s->data) == nn_data_features(s->data)
                       ? "have" : "give", nn_data_inputs(s->data),
                   nn_data_inputs(s->data) == nn_data_features(s->data)
                       ? (nn_data_inputs(s->data) == 1 ? " feature"
                                                       : " features")
                       : "");
    return CMD_OK;
}

/* One CSV row: update record i (or -1: none), epoch record e (or -1). */
static void csv_row(FILE *f, const nn_history *h, int i, int e)
{
    int L = h->n_layers;
    if (i >= 0)
        fprintf(f, "%ld,%d,%.17g,%.17g", h->iter[i], h->epoch[i], h->loss[i],
                h->lr[i]);
    else
        fprintf(f, "%ld,%d,,%.17g", h->e_iter[e], h->e_epoch[e], h->e_lr[e]);
    if (e >= 0)
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g", h->train_loss[e],
                h->train_acc[e], h->dev_loss[e], h->dev_acc[e]);
    else
        fprintf(f, ",,,,");
    for (int l = 0; l < L; l++) {
        size_t k = (size_t)i * L + l;
        if (i >= 0)
            fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g", h->w_mean[k],
                    h->w_var[k], h->g_norm[k], h->g_var[k],
                    h->update_ratio[k]);
        else
            fprintf(f, ",,,,,");
    }
    fprintf(f, "\n");
}

static int history_csv(Session *s, const char *path)
{
    const nn_history *h = &s->model->tr.hist;
    char msg[512];
    SafeFile sf;
    if (safefile_open(&sf, path, SAFEFILE_DIRECT, msg, sizeof msg))
        return cmd_error(s, "%s", msg);
    FILE *f = safefile_stream(&sf);
    if (!f) {
        safefile_abort(&sf);
        return cmd_error(s, "out of memory");
    }
    fprintf(f, "iter,epoch,loss,lr,train_loss,train_acc,dev_loss,dev_acc");
    for (int l = 1; l <= h->n_layers; l++)
        fprintf(f, ",w_mean%d,w_var%d,grad_norm%d,grad_var%d,update_ratio%d",
                l, l, l, l, l);
    fprintf(f, "\n");
    /* the two kinds of record merged by update number: epoch figures on
     * the update that ended the epoch, or (a long run thins each kind on
     * its own stride) on a row of their own */
    int i = 0, e = 0;
    while (i < h->n || e < h->ne) {
        long it = i < h->n ? h->iter[i] : LONG_MAX;
        long et = e < h->ne ? h->e_iter[e] : LONG_MAX;
        csv_row(f, h, it <= et ? i : -1, et <= it ? e : -1);
        i += it <= et;
        e += et <= it;
    }
    if (safefile_commit(&sf, msg, sizeof msg))
        return cmd_error(s, "%s", msg);
    if (h->stride > 1)
        out_printf(s, "history: wrote %d update records (one in %ld) and %d "
                   "epochs to %s\n", h->n, h->stride, h->ne, path);
    else
        out_printf(s, "history: wrote %d iterations to %s\n", h->n, path);
    return CMD_OK;
}

/* The record that stands for epochs e .. e+step-1 in the table: the
 * first, unless the trainer did not measure its dev split (it measures
 * it at some epochs' ends only; train.h) and a later one it did. */
static int row_of(const nn_history *h, int e, int step)
{
    if (!isnan(h->dev_loss[e]))
        return e;
    for (int k = e + step - 1; k > e; k--)
        if (!isnan(h->dev_loss[k]))
            return k;
    return e;
}

static int cmd_history(Session *s, int argc, char **argv)
{
    if (!model_state(s))
        return CMD_ERR;
    if (argc == 3 && !strcmp(argv[1], "csv"))
        return history_csv(s, argv[2]);
    if (argc != 1)
        return cmd_error(s, "usage: history [csv FILE]");
    const nn_history *h = &s->model->tr.hist;
    if (h->ne == 0) {
        out_printf(s, "history: %d iterations recorded, no complete epoch "
                   "yet\n", h->n);
        return CMD_OK;
    }
    OutTable *t = out_table_new(6);
    const char *head[] = { "epoch", "iter", "train loss", "train acc",
                           "dev loss", "dev acc" };
    for (int i = 0; i < 6; i++)
        out_table_cell(t, "%s", head[i]);
    int step = h->ne > 20 ? h->ne / 20 : 1;
    for (int e = 0; e < h->ne; e += step) {
        int k = e + step >= h->ne ? h->ne - 1 : row_of(h, e, step);
        out_table_cell(t, "%d", h->e_epoch[k]);
        out_table_cell(t, "%ld", h->e_iter[k]);
        double v[4] = { h->train_loss[k], h->train_acc[k], h->dev_loss[k],
                        h->dev_acc[k] };
        for (int j = 0; j < 4; j++) {
            if (isnan(v[j]))
                out_table_cell(t, "-");
            else
                out_table_cell(t, "%.4f", v[j]);
        }
        if (k == h->ne - 1)
            break;
    }
    out_table_print(s, t);
    if (h->stride > 1)
        out_printf(s, "  %d iterations, %d epochs recorded: a long run keeps "
                   "one in %ld iterations (history csv FILE writes them)\n",
                   h->n, h->ne, h->stride);
    else
        out_printf(s, "  %d iterations, %d epochs recorded (history csv FILE "
                   "writes them all)\n", h->n, h->ne);
    return CMD_OK;
}

/* "net 2 500*10 1 act=relu out=sigmoid loss=bce": the network as net
 * reads it, a run of equal sizes written 500*10; hidden layers that
 * differ (layer set) are listed one by one, "act=relu,tanh*2". */
static void show_net_line(Session *s, const nn_net *net)
{
    int L = net->n_layers;
    char act[32];
    out_printf(s, "net %d", net->n_in);
    for (int i = 0, run; i < L; i += run) {
        for (run = 1; i + run < L && net->L[i + run].out == net->L[i].out;
             run++)
            ;
        out_printf(s, run > 1 ? " %d*%d" : " %d", net->L[i].out, run);
    }
    for (int i = 0, run; i < L - 1; i += run) {
        const nn_layer *l = &net->L[i];
        for (run = 1; i + run < L - 1 && net->L[i + run].act == l->act &&
                      net->L[i + run].act_arg == l->act_arg; run++)
            ;
        nn_act_text(l->act, l->act_arg, act, sizeof act);
        out_printf(s, run > 1 && (i || run < L - 1) ? "%s%s*%d" : "%s%s",
                   i ? "," : " act=", act, run);
    }
    nn_act_text(net->L[L - 1].act, net->L[L - 1].act_arg, act, sizeof act);
    out_printf(s, " out=%s", act);
    nn_loss_text(net->loss, net->loss_arg, act, sizeof act);
    out_printf(s, " loss=%s\n", act);
}

static int cmd_show(Session *s, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cmd_error(s, "takes no arguments");
    /* each setting shown by its own command, so show and the command
     * always agree */
    static const char *const settings[] = { "seed", "threads", "optim",
                                            "clip", "batch", "decay",
                                            "warmup", "reg", "early",
                                            "guard", "augment",
                                            "plot term" };
    ModelState *m = model_state(s);
    if (!m)
        return CMD_ERR;
    if (s->data) {
        out_printf(s, "data: %s, ", nn_data_name(s->data));
        cmd_run_line(s, "split");
        cmd_run_line(s, "normalize");
    } else {
        out_printf(s, "data: none\n");
    }
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        cmd_run_line(s, settings[i]);
    if (s->net) {
        cmd_run_line(s, "dropout");
        cmd_run_line(s, "bn");
        cmd_run_line(s, "init");
        if (s->net->bug_param >= 0)
            cmd_run_line(s, "gradcheck bug");
        show_net_line(s, s->net);
        out_printf(s, "  %ld parameters; trained %ld iterations, %d epochs\n",
                   nn_net_param_count(s->net), m->tr.iter, m->tr.epoch);
    } else {
        out_printf(s, "net: none\n");
    }
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_session_rows[] = {
{
    .name = "save", .group = "Sessions", .fn = cmd_save,
    .usage = "save FILE",
    .summary = "save the model and its settings",
    .help =
        "The network, every weight exactly, and the training settings\n"
        "(augmentation included), and the data's preprocessing (normalize:\n"
        "its mode, K and eps, not the statistics fitted).  The file is\n"
        "written under a temporary name, synced and then renamed, so a full\n"
        "disk or a crash never leaves half a model: the old file stays\n"
        "until the new one is whole.  A file replaced keeps its mode; a\n"
        "read-only one is refused.  A symbolic link is followed: the file it\n"
        "points to is replaced and the link stays.  A device or FIFO\n"
        "(/dev/stdout, a pipe made with mkfifo) is written directly; a\n"
        "directory, block device or socket is refused.",
    .example = "save moons.model",
    .words = CMD_WORDS("@files"),
},
{
    .name = "load", .group = "Sessions", .fn = cmd_load,
    .usage = "load FILE",
    .summary = "load a model written by save",
    .help =
        "Replaces the network and its settings with the saved ones, and\n"
        "fits the preprocessing the file records on the current data, so\n"
        "the network sees inputs made as when it was saved (a file that\n"
        "records none, as older ones, leaves the data as they are).  A\n"
        "file that is not a valid model changes nothing.",
    .example = "load moons.model",
    .words = CMD_WORDS("@files"),
    .flags = CMD_IDLE,
},
{
    .name = "history", .group = "Sessions", .fn = cmd_history,
    .usage = "history [csv FILE]",
    .summary = "the recorded training metrics",
    .help =
        "Alone, a summary of what training recorded ('-' for dev at the\n"
        "epochs that did not measure it: help train).\n"
        "csv FILE             write the records to FILE as CSV, for a\n"
        "                     spreadsheet or a notebook; FILE is replaced\n"
        "                     as save replaces a model (help save): whole\n"
        "                     or not at all",
    .example = "history csv run1.csv",
    .words = CMD_WORDS("csv:@files"),
},
{
    .name = "show", .group = "Sessions", .fn = cmd_show,
    .usage = "show",
    .summary = "list every setting",
    .help =
        "The data and their preprocessing, network, initialization,\n"
        "regularization, dropout, batch norm, optimizer, learning rate,\n"
        "clipping, decay and warm-up, batch size, early stopping,\n"
        "augmentation, seed and threads, all in one place.",
    .example = "show",
},
{0},
};
