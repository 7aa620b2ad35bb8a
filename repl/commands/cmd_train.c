/*
 * cmd_train.c — the Training commands: step, train, run, pause (eval is
 * in cmd_eval.c).
 *
 * `train` and `run` do not loop themselves: they set up a Job whose
 * slice() makes updates for a few tens of milliseconds and returns, so the
 * shell's event loop can read keys between slices and a student can type
 * `lr 0.001` or `pause` while the network trains.  In a script the shell
 * runs the job to its end straight away.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "commands.h"
#include "model.h"
#include "num.h"
#include "out.h"
#include "clock.h"
#include "interrupt.h"
#include "job.h"
#include "plot.h"

#define SLICE_SECONDS 0.03
#define PROGRESS_SECONDS 0.1

/* ------------------------------------------------------------------ */
/* Messages for the ways a run ends                                     */
/* ------------------------------------------------------------------ */

/* A starting cost far above any sensible one (ln C is about 2.3 for ten
 * classes): outputs already saturated and confidently wrong. */
#define HUGE_FIRST_LOSS 50.0

/* RMSprop without bias correction, a rho that makes its first steps
 * more than 10 times the rate, stopped while s is still filling (within
 * about 1/(1-rho) updates). */
static int rmsprop_start(const nn_trainer *tr)
{
    const nn_optim *o = &tr->opt;
    return o->kind == NN_OPT_RMSPROP && !o->correct && o->rho > 0.99 &&
           tr->stop_iter <= 1 / (1 - o->rho);
}

/* The guard stopped training.  `made` is the number of updates this
 * command made: with none, the loss that tripped the guard comes from
 * weights an earlier command left diverged, so the learning rate in use
 * now is not to blame. */
static void report_diverged(Session *s, const nn_trainer *tr, long made)
{
    double lr = nn_trainer_lr(tr);
    char what[224];
    if (!isfinite(tr->last_loss))
        snprintf(what, sizeof what, "the loss is %s",
                 isnan(tr->last_loss) ? "NaN" : "Inf");
    else
        snprintf(what, sizeof what, "the loss (%.4g, averaged over the "
                 "last batches) is more than 3x %.4g (its starting value, or "
                 "an uninformed network's if larger)",
                 nn_trainer_guard_avg(tr),
                 nn_trainer_guard_ref(tr));
    if (made == 0 && tr->iter > 0)
        cmd_error(s, "the guard stopped training before update %ld: %s. These weights "
                  "diverged in earlier training: type reset to start again "
                  "(or guard off to go on anyway)", tr->stop_iter, what);
    else if (tr->first_loss > HUGE_FIRST_LOSS)
        /* a cost like that before any update: the weights' scale, not the
         * step size, is what blew up (init normal 1 in a deep net) */
        cmd_error(s, "the guard stopped training before update %ld: %s. The first loss "
                  "(%.4g) was already huge: the initialization is the "
                  "likely cause; try init he or init xavier, then reset",
                  tr->stop_iter, what, tr->first_loss);
    else if (rmsprop_start(tr))
        /* s starts at 0: the first steps are lr/sqrt(1-rho) per weight */
        cmd_error(s, "the guard stopped training before update %ld: %s. "
                  "RMSprop's first steps are about lr/sqrt(1-rho) = %.0fx "
                  "the learning rate with rho %g (s starts at 0): try rho=0.9 "
                  "or correct=on, then reset", tr->stop_iter, what,
                  1 / sqrt(1 - tr->opt.rho), tr->opt.rho);
    else if (tr->sched.kind == NN_SCHED_CYCLIC)
        /* lr itself is not used: the cycle's top is what was too high */
        cmd_error(s, "the guard stopped training before update %ld: %s. The "
                  "cyclic schedule's rate (%g, up to %g) is probably too "
                  "high; try decay cyclic %g %g, then reset", tr->stop_iter,
                  what, lr, tr->sched.high, tr->sched.low / 10,
                  tr->sched.high / 10);
    else if (lr != tr->opt.lr)
        cmd_error(s, "the guard stopped training before update %ld: %s. The "
                  "learning rate (%g after the schedule, from lr %g) is "
                  "probably too high; try lr %g, then reset", tr->stop_iter,
                  what, lr, tr->opt.lr, tr->opt.lr / 10);
    else
        cmd_error(s, "the guard stopped training before update %ld: %s. The learning "
                  "rate (%g) is probably too high; try lr %g, then reset",
                  tr->stop_iter, what, lr, lr / 10);
}

static void report_early(Session *s, const nn_trainer *tr)
{
    if (!isfinite(tr->best_dev)) {
        out_printf(s, "early stopping at epoch %d: dev loss has not been "
                   "finite for %d epochs; weights kept as they are\n",
                   tr->epoch, tr->patience);
        return;
    }
    /* best_epoch counts completed epochs, as the history's epoch column */
    out_printf(s, "early stopping at epoch %d: dev loss has not improved for "
               "%d epochs; restored the weights of epoch %d (dev loss %.4g)\n",
               tr->epoch, tr->patience, tr->best_epoch, tr->best_dev);
}

/* ------------------------------------------------------------------ */
/* The training job                                                     */
/* ------------------------------------------------------------------ */

static long run_position(const ModelState *m)
{
    return m->run == RUN_EPOCHS ? m->tr.epoch : m->tr.iter;
}

static void show_progress_bar(Session *s, ModelState *m)
{
    char bar[160];
    double elapsed = clock_now() - m->t0;
    long done = m->tr.iter - m->iter0;
    double speed = elapsed > 0 ? done / elapsed : 0;
    if (m->speed > 0) /* what the pace gives now, not the run's mean */
        speed = m->pace_n / fmax(clock_now() - m->pace_t0, 1e-3);
    if (m->run == RUN_FOREVER) {
        snprintf(bar, sizeof bar, "running: iter %ld  epoch %d  cost %.6g  "
                 "lr %g  %.0f it/s%s  (pause or Ctrl-C stops)", m->tr.iter,
                 m->tr.epoch, num_plain(m->tr.last_loss),
                 nn_trainer_lr(&m->tr), speed,
                 m->speed > 0 ? " (speed)" : "");
    } else {
        long total = m->run_target - m->start_pos;
        long now = run_position(m) - m->start_pos;
        double frac = total > 0 ? (double)now / total : 1;
        int filled = (int)(frac * 30);
        double left = frac > 0 ? elapsed * (1 - frac) / frac : 0;
        snprintf(bar, sizeof bar, "[%.*s%.*s] %3.0f%%  %.0f it/s  %.1fs left  "
                 "cost %.6g", filled, "##############################",
                 30 - filled, "..............................", frac * 100,
                 speed, left, num_plain(m->tr.last_loss));
    }
    out_progress(s, bar);
}

/* End the run: the last progress line (unless the guard tripped: its loss
 * belongs to an update that was not made, and the guard's message says
 * it), then how it ended.  With -q the time and speed are left out, so
 * that scripts give the same output on every run and machine. */
static void finish_run(Session *s, const char *how, int diverged)
{
    ModelState *m = s->model;
    double elapsed = clock_now() - m->t0;
    long done = m->tr.iter - m->iter0;
    s->job.active = 0;
    out_progress(s, NULL);
    if (m->tr.iter != m->last_printed && done > 0 && !diverged)
        model_print_progress(s);
    if (how && s->quiet)
        out_printf(s, "%s after %ld update%s\n", how, done,
                   done == 1 ? "" : "s");
    else if (how)
        out_printf(s, "%s after %ld update%s in %.2fs (%.0f updates/s)\n",
                   how, done, done == 1 ? "" : "s", elapsed,
                   elapsed > 0 ? done / elapsed : 0.0);
    m->run = RUN_NONE;
    plot_live(s, 1);
}

/* The trainer measures the dev split at only some epochs' ends (train.h):
 * ask it for the one whose figures the next line shows, the last epoch's
 * end before the next mark or the run's end. */
static void want_dev_for_line(ModelState *m)
{
    if (m->run == RUN_FOREVER)
        return;
    long mark = m->next_print < m->run_target ? m->next_print : m->run_target;
    if (m->run == RUN_EPOCHS)
        nn_trainer_want_dev(&m->tr, -1, mark > INT_MAX ? -1 : (int)mark);
    else
        nn_trainer_want_dev(&m->tr, mark, -1);
}

/* Print the periodic log line when the run passes the next mark. */
static void maybe_log(Session *s, ModelState *m)
{
    long p = run_position(m);
    if (m->run == RUN_FOREVER || p < m->next_print)
        return;
    model_print_progress(s);
    m->last_printed = m->tr.iter;
    while (m->next_print <= p)
        m->next_print += m->every;
    want_dev_for_line(m);
}

static int train_slice(Session *s)
{
    ModelState *m = s->model;
    nn_err err;
    double start = clock_now(), now = start;
    if (model_bind(s)) {
        finish_run(s, NULL, 0);
        return 0;
    }
    while (now - start < SLICE_SECONDS) {
        if (m->run != RUN_FOREVER && run_position(m) >= m->run_target) {
            finish_run(s, "done", 0);
            return 0;
        }
        if (pace_hold(s, m, now))
            break; /* speed N: the shell waits for the next update */
        nn_step_info info;
        int st = nn_trainer_step(&m->tr, &info, &err);
        if (st < 0) {
            finish_run(s, NULL, 0);
            cmd_error(s, "%s", err.msg);
            return 0;
        }
        if (st == NN_STEP_DIVERGED || st == NN_STEP_EARLY) {
            finish_run(s, "stopped", st == NN_STEP_DIVERGED);
            if (st == NN_STEP_DIVERGED)
                report_diverged(s, &m->tr, m->tr.iter - m->iter0);
            else
                report_early(s, &m->tr);
            return 0;
        }
        if (m->snapshot && info.cycle_end)
            ensemble_snapshot(s); /* a snapshot ensemble's member */
        maybe_log(s, m);
        now = clock_now();
    }
    if (now - m->last_bar >= PROGRESS_SECONDS) {
        show_progress_bar(s, m);
        m->last_bar = now;
    }
    plot_live(s, 0);
    return 1;
}

static void train_stop(Session *s, const char *why)
{
    ModelState *m = s->model;
    finish_run(s, NULL, 0);
    out_printf(s, "%s at iteration %ld, epoch %d; every weight kept (run or "
               "train goes on from here)\n", why, m->tr.iter, m->tr.epoch);
}

/* A planted gradient bug makes training follow a wrong gradient: say so
 * each time training starts, so it is not forgotten. */
static void warn_planted_bug(Session *s)
{
    const nn_net *net = s->net;
    if (net->bug_param < 0)
        return;
    char name[16];
    nn_param_name(net->params[net->bug_param], name, sizeof name);
    out_printf(s, "note: a planted bug multiplies d%s by %g, so training "
               "follows a wrong gradient (gradcheck bug off removes it)\n",
               name, net->bug_factor);
}

/* Labelled data and a network with a loss; 0 after reporting (commands.h). */
int cmd_trainable(Session *s)
{
    if (nn_data_task(s->data) == NN_TASK_NONE) {
        cmd_error(s, "these data have no labels to train on; use forward "
                  "to look at activations");
        return 0;
    }
    if (s->net->loss == NN_LOSS_NONE) {
        cmd_error(s, "the network has no loss (it was built for "
                  "unlabeled data): build a new one with net");
        return 0;
    }
    return 1;
}

static int start_run(Session *s, RunKind kind, long n,
                     long every)
{
    ModelState *m = model_state(s);
    if (!m || model_bind(s))
        return CMD_ERR;
    if (s->job.active)
        return cmd_error(s, "training is already running; type pause "
                         "first");
    if (!cmd_trainable(s))
        return CMD_ERR;
    warn_planted_bug(s);
    if (kind == RUN_EPOCHS && nn_trainer_epoch_pos(&m->tr) > 0 && !s->quiet)
        out_printf(s, "note: epoch %d is partway (%d of %d examples seen); "
                   "the first of these epochs finishes it\n",
                   m->tr.epoch + 1, nn_trainer_epoch_pos(&m->tr),
                   nn_trainer_train_size(&m->tr));
    m->run = kind;
    m->snapshot = 0; /* train's snapshot=cycle sets it after */
    m->iter0 = m->tr.iter;
    m->start_pos = run_position(m);
    m->run_target = m->start_pos + n;
    m->every = every > 0 ? every : n >= 10 ? n / 10 : 1;
    m->next_print = m->start_pos + m->every;
    m->last_printed = -1;
    m->t0 = clock_now();
    m->last_bar = 0;
    pace_restart(m);
    s->job.resume_at = 0;
    want_dev_for_line(m);
    s->job.active = 1;
    s->job.slice = train_slice;
    s->job.stop = train_stop;
    return CMD_OK;
}

/* snapshot=cycle needs a schedule whose cycles end. */
static int snapshot_ok(Session *s)
{
    ModelState *m = model_state(s);
    if (!m)
        return 0;
    nn_sched_kind k = m->tr.sched.kind;
    if (k == NN_SCHED_CYCLIC || k == NN_SCHED_SGDR)
        return 1;
    cmd_error(s, "snapshot=cycle takes a snapshot at the end of each cycle "
              "of the learning rate: set decay cyclic or decay sgdr first");
    return 0;
}

static int cmd_train(Session *s, int argc, char **argv)
{
    /* the singular too: "train 1 epoch" is what people write */
    static const char *const units[] = { "iters", "epochs", "iter", "epoch",
                                         "iterations", "iteration", NULL };
    /* which of them count epochs */
    static const int is_epochs[] = { 0, 1, 0, 1, 0, 0 };
    static const char *const snapshots[] = { "off", "cycle", NULL };
    long n, every = 0;
    int unit = 1, snapshot = 0;
    char *pos[2];
    const OptSpec spec[] = {
        { "every", 'i', &every, 1, 100000000, NULL, NULL },
        { "snapshot", 'e', &snapshot, 0, 0, snapshots, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int np = args_parse(s, argc, argv, 1, spec, pos, 2);
    if (np < 0)
        return CMD_ERR;
    if (np == 0)
        return cmd_error(s, "how long? e.g. train 100 epochs or "
                         "train 500 iters");
    if (args_int(s, pos[0], "count", 1, 100000000, &n) ||
        (np == 2 && args_enum(s, pos[1], "unit", units, &unit)))
        return CMD_ERR;
    if (snapshot && !snapshot_ok(s))
        return CMD_ERR;
    int rc = start_run(s, np == 1 || is_epochs[unit] ? RUN_EPOCHS
                                                     : RUN_ITERS, n, every);
    if (rc == CMD_OK)
        s->model->snapshot = snapshot;
    return rc;
}

static int cmd_run(Session *s, int argc, char **argv)
{
    const char *speed_text = NULL;
    double speed = 0;
    char *pos[1];
    const OptSpec spec[] = {
        { "speed", 's', &speed_text, 0, 0, NULL, NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL },
    };
    int np = args_parse(s, argc, argv, 1, spec, pos, 1);
    if (np < 0)
        return CMD_ERR;
    if (np > 0)
        return cmd_error(s, "takes only speed=N (use train N for a "
                         "fixed length)");
    if (speed_text && pace_parse(s, speed_text, &speed))
        return CMD_ERR;
    if (!s->interactive)
        return cmd_error(s, "trains until pause or Ctrl-C, so it needs "
                         "a terminal; in a script use train N epochs");
    if (speed_text && model_state(s))
        pace_set(s, speed);
    if (start_run(s, RUN_FOREVER, 0, 0) != CMD_OK)
        return CMD_ERR;
    if (s->model->speed > 0)
        out_printf(s, "speed %g: at most %g updates a second (speed N "
                   "changes it, speed off lifts it)\n", s->model->speed,
                   s->model->speed);
    out_printf(s, "running; type pause (or press Ctrl-C) to stop, and any "
               "command meanwhile\n");
    return CMD_OK;
}

static int cmd_pause(Session *s, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cmd_error(s, "takes no arguments");
    if (!s->job.active)
        return cmd_error(s, "nothing is running");
    job_stop(s, "paused");
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* step                                                                 */
/* ------------------------------------------------------------------ */

/* 1 when the last pass applied a dropout mask somewhere. */
static int masked(const nn_net *net)
{
    for (int l = 0; l < net->n_layers; l++)
        if (net->L[l].mask_on)
            return 1;
    return 0;
}

static void step_detail(Session *s, ModelState *m, const nn_step_info *info)
{
    /* "after" is the cost the update differentiated, with its dropout
     * masks, as "before" was: at lr 0 they are equal */
    double after = nn_trainer_probe_cost_same_mask(&m->tr, info->rows);
    /* epochs counted from 1 here, so that the update that ends epoch 1
     * says "epoch 1", as the progress lines and history do */
    out_printf(s, "step: iteration %ld (in epoch %d), batch of %d, lr %g\n",
               info->iter, info->epoch + 1, info->rows, info->lr);
    out_printf(s, "  loss before %.6g  after %.6g  (%+.3g)\n",
               num_plain(info->loss), num_plain(after),
               num_plain(after - info->loss));
    if (masked(s->net))
        out_printf(s, "  both with the dropout masks this update drew (the "
                   "cost it differentiated); eval measures without dropout\n");
    OutTable *t = out_table_new(4);
    out_table_cell(t, "layer");
    out_table_cell(t, "|dW|");
    out_table_cell(t, "|W|");
    out_table_cell(t, "|dW step|/|W|");
    for (int l = 0; l < s->net->n_layers; l++) {
        nn_layer_stats st;
        const nn_mat *w = &s->net->L[l].W.w;
        nn_stats_layer(s->net, l, &st);
        out_table_cell(t, "%d", l + 1);
        out_table_cell(t, "%.4g", st.g_norm);
        out_table_cell(t, "%.4g", sqrt(nn_sum_sq(w->v, nn_mat_size(w))));
        out_table_cell(t, "%.3g", st.update_ratio);
    }
    out_table_print(s, t);
    out_printf(s, "  (|dW step|/|W| near 1e-3 is healthy; much larger: lr too "
               "high, much smaller: too low)\n");
}

static int cmd_step(Session *s, int argc, char **argv)
{
    long n = 1;
    ModelState *m = model_state(s);
    if (argc > 2)
        return cmd_error(s, "expected at most one count");
    if (argc == 2 && args_int(s, argv[1], "count", 1, 100000000, &n))
        return CMD_ERR;
    if (!m || model_bind(s) || !cmd_trainable(s))
        return CMD_ERR;
    warn_planted_bug(s);
    if (s->job.active)
        return cmd_error(s, "training is running; type pause first");
    nn_step_info info;
    nn_err err;
    long made = 0;
    if (n > 1) /* the line at the end shows the last epoch's dev figures */
        nn_trainer_want_dev(&m->tr, m->tr.iter + n, -1);
    for (long i = 0; i < n && !nnlab_interrupted; i++) {
        int st = nn_trainer_step(&m->tr, &info, &err);
        if (st < 0)
            return cmd_error(s, "%s", err.msg);
        if (st == NN_STEP_DIVERGED) {
            report_diverged(s, &m->tr, i);
            return CMD_ERR; /* as train: a script stops here */
        }
        made++;
        if (st == NN_STEP_EARLY) {
            report_early(s, &m->tr);
            break;
        }
    }
    if (made == 0)
        return cmd_error(s, "interrupted before the first update");
    if (n == 1)
        step_detail(s, m, &info);
    else
        model_print_progress(s);
    plot_live(s, 1);
    return CMD_OK;
}

/* ------------------------------------------------------------------ */
/* Rows of the command table                                            */
/* ------------------------------------------------------------------ */

const Command cmd_train_rows[] = {
{
    .name = "step", .group = "Training", .fn = cmd_step,
    .usage = "step [N]",
    .summary = "make N mini-batch updates (default 1)",
    .help =
        "N                    updates to make (default 1)\n"
        "A single step is shown in detail: the cost of its batch before and\n"
        "after (with dropout on, both with the masks the update drew, so\n"
        "that lr 0 changes nothing), and for each layer ||dW|| and\n"
        "||Delta W|| / ||W||.  Gradient descent, one update at a time.",
    .example = "step",
    .flags = CMD_IDLE,
},
{
    .name = "train", .group = "Training", .fn = cmd_train,
    .usage = "train N [iters|epochs] [every=K] [snapshot=cycle]",
    .summary = "train for N iterations or epochs",
    .help =
        "N iters|epochs       updates to make, or passes over the training\n"
        "                     set; N alone means epochs\n"
        "every=K              a line every K iterations or epochs: the\n"
        "                     last batch's cost (penalty included), dev\n"
        "                     loss (both to 6 significant digits, so a\n"
        "                     slow change shows), train accuracy (the last\n"
        "                     epoch's batches, in training mode: dropout\n"
        "                     on), dev accuracy, learning rate; eval gives\n"
        "                     exact train figures\n"
        "snapshot=cycle       with decay cyclic or sgdr: add the network to\n"
        "                     the ensemble at the end of every cycle\n"
        "The dev figures (lines, plot loss, plot acc, history) come from a\n"
        "pass over the dev split at an epoch's end: all of it, or 2000\n"
        "examples spread through a larger one (the lines then end with\n"
        "\"(dev: 2000 of N)\").  To keep training fast that pass is made at\n"
        "the epochs the lines show, at the first, and then after every 16\n"
        "training examples per dev example (every 4th epoch on digits), at\n"
        "every epoch with early stopping; eval measures every split whole.\n"
        "At the prompt training runs under a progress bar and the prompt\n"
        "stays live: lr 0.001, plot grads or pause take effect between two\n"
        "updates, and Ctrl-C pauses it, keeping every weight.  In a script\n"
        "train runs to its end.  A guard stops training when the loss turns\n"
        "NaN or Inf or grows past 3 times its first value, or 3 times the\n"
        "loss of a network that knows nothing (ln 2, ln C) if that is\n"
        "larger (measured again over the first updates after dropout or\n"
        "reg changes).",
    .example = "train 100 epochs every=10",
    .words = CMD_WORDS("2:iters|epochs"),
    .keys = CMD_WORDS("every=", "snapshot=cycle|off"),
    .flags = CMD_IDLE,
},
{
    .name = "run", .group = "Training", .fn = cmd_run,
    .usage = "run [speed=N]",
    .summary = "train on and on, until pause",
    .help =
        "speed=N              at most N updates a second, to watch them\n"
        "                     (as speed N; speed off lifts it)\n"
        "The play button of TensorFlow Playground: training goes on until\n"
        "pause, Ctrl-C, early stopping or the divergence guard.  Meanwhile\n"
        "change lr, reg, dropout or speed and watch the plots react.",
    .example = "run speed=20",
    .keys = CMD_WORDS("speed="),
    .flags = CMD_IDLE,
},
{
    .name = "pause", .group = "Training", .fn = cmd_pause,
    .usage = "pause",
    .summary = "pause training started by train or run",
    .help =
        "Weights, optimizer state and history are kept: train or run goes on\n"
        "from there.  Ctrl-C does the same.",
    .example = "pause",
},
{0},
};
