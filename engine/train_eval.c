/*
 * train_eval.c — measuring a split with the trainer's network (see
 * train.h): loss, accuracy, the regression errors, and the measurements
 * of the dev split at epochs' ends that the history records.
 *
 * Why those are rationed: measuring the dev split costs a forward pass
 * over it, about 0.4 of a training step's work per example.  On digits
 * (1258 training and 270 dev examples, an epoch every 20 updates at batch
 * 64) measuring it at every epoch's end took a tenth of all the training
 * time, and on Fashion-MNIST (10 000 dev examples) 7%.  A curve of the dev
 * loss needs neither: the shell's trainer measures the whole split (up to
 * NN_DEV_SAMPLE_MAX examples, a fixed sample of a larger one, so that the
 * curve moves only with the network) at the first epoch's end and then
 * once every NN_DEV_SPACING training examples per example measured (every
 * fourth epoch on digits, every epoch on Fashion-MNIST: about 2.5% of the
 * time), plus where a progress line shows the figures and at every epoch
 * with early stopping.  `eval` and the lesson checks measure whole splits.
 */
#include "train.h"

#include <math.h>

double nn_accuracy(const double *out, const double *Y, int rows, int ycols)
{
    int right = 0;
    for (int i = 0; i < rows; i++) {
        const double *o = out + (size_t)i * ycols, *y = Y + (size_t)i * ycols;
        if (ycols == 1) {
            right += (o[0] >= 0.5) == (y[0] >= 0.5);
            continue;
        }
        int bo = 0, by = 0;
        for (int j = 1; j < ycols; j++) {
            if (o[j] > o[bo])
                bo = j;
            if (y[j] > y[by])
                by = j;
        }
        right += bo == by;
    }
    return rows ? (double)right / rows : NAN;
}

/* Σ(a − y)² and Σ|a − y| of n values into sums[0] and sums[1]. */
static void add_errors(const double *out, const double *Y, size_t n,
                       double sums[2])
{
    for (size_t i = 0; i < n; i++) {
        double r = out[i] - Y[i];
        sums[0] += r * r;
        sums[1] += fabs(r);
    }
}

int nn_trainer_dev_sample(const nn_trainer *tr)
{
    if (!tr->data)
        return 0;
    int dev = nn_data_count(tr->data, NN_DEV);
    return dev < NN_DEV_SAMPLE_MAX ? dev : NN_DEV_SAMPLE_MAX;
}

void nn_trainer_set_dev_spacing(nn_trainer *tr, int k)
{
    tr->dev_spacing = k < 0 ? 0 : k > 1000 ? 1000 : k;
}

void nn_trainer_want_dev(nn_trainer *tr, long iter, int epoch)
{
    tr->want_iter = iter < 0 ? -1 : iter;
    tr->want_epoch = epoch < 0 ? -1 : epoch;
}

int nn_trainer_dev_due(const nn_trainer *tr)
{
    if (tr->dev_spacing <= 0 || tr->early || tr->want_epoch == tr->epoch)
        return 1;
    /* the last epoch's end at or before want_iter: the next one would
     * come after it */
    long next_end = tr->iter + nn_trainer_iters_per_epoch(tr);
    if (tr->want_iter >= tr->iter && tr->want_iter < next_end)
        return 1;
    return tr->dev_since >=
           (long)tr->dev_spacing * nn_trainer_dev_sample(tr);
}

/* Example k of `count` spread evenly over a split of `total`: every one,
 * in order, when count == total. */
static int spread_row(int k, int count, int total)
{
    return (int)((long long)k * total / count);
}

/* The measurement itself, `chunk` rows per forward pass; the cancel flag
 * is polled between them when `cancellable` (not at the end of a training
 * epoch, where the update is made already and the caller polls between
 * steps anyway). */
static int measure(nn_trainer *tr, nn_split s, int count, int chunk,
                   int cancellable, nn_eval *ev, nn_err *err)
{
    if (!tr->net)
        return nn_fail(err, "the trainer has no network bound");
    nn_net *net = tr->net;
    int total = nn_data_count(tr->data, s);
    nn_task task = nn_data_task(tr->data);
    double lsum = 0, right = 0, sums[2] = { 0, 0 };
    ev->loss = ev->acc = ev->rmse = ev->mae = NAN;
    ev->rows = 0;
    if (count <= 0 || count > total)
        count = total;
    if (count == 0 || task == NN_TASK_NONE)
        return 0;
    int rows[NN_EVAL_CHUNK];
    if (chunk < 1 || chunk > NN_EVAL_CHUNK)
        chunk = NN_EVAL_CHUNK;
    for (int at = 0; at < count; at += chunk) {
        if (cancellable && nn_cancelled())
            return nn_fail(err, "evaluation interrupted after %d of %d "
                           "examples", at, count);
        int m = count - at < chunk ? count - at : chunk;
        for (int i = 0; i < m; i++)
            rows[i] = spread_row(at + i, count, total);
        nn_data_fill(tr->data, s, rows, m, tr->EX, tr->EY, tr->ycols);
        const double *out = nn_net_forward(net, tr->EX, m, 0, NULL);
        lsum += nn_net_cost(net, tr->EY, 0) * m;
        if (task == NN_TASK_CLASSIFY)
            right += nn_accuracy(out, tr->EY, m, tr->ycols) * m;
        else
            add_errors(out, tr->EY, (size_t)m * tr->ycols, sums);
    }
    double values = (double)count * tr->ycols;
    ev->rows = count;
    ev->loss = lsum / count;
    if (task == NN_TASK_CLASSIFY) {
        ev->acc = right / count;
    } else {
        ev->rmse = sqrt(sums[0] / values);
        ev->mae = sums[1] / values;
    }
    return 0;
}

int nn_trainer_evaluate_sample(nn_trainer *tr, nn_split s, int count,
                               nn_eval *ev, nn_err *err)
{
    return measure(tr, s, count, NN_EVAL_CHUNK, 1, ev, err);
}

/* Passes of the training batch's size: OpenBLAS spreads a product over
 * its threads past a size (64·64·64 multiply-adds), and a pass over 270
 * digits at once would wake a second thread that a batch of 64 never
 * does, which then spins for a while after each product: a core taken
 * from everything else, and training measurably slower on a busy
 * machine.  Batch-sized passes use the threads as training does. */
int nn_trainer_measure_dev(nn_trainer *tr, nn_eval *ev, nn_err *err)
{
    int batch = tr->batch > 0 && tr->batch < tr->n_train ? tr->batch
                                                         : tr->n_train;
    return measure(tr, NN_DEV, nn_trainer_dev_sample(tr), batch, 0, ev,
                   err);
}

int nn_trainer_evaluate_full(nn_trainer *tr, nn_split s, nn_eval *ev,
                             nn_err *err)
{
    return nn_trainer_evaluate_sample(tr, s, 0, ev, err);
}

int nn_trainer_evaluate(nn_trainer *tr, nn_split s, double *loss,
                        double *acc, nn_err *err)
{
    nn_eval ev;
    *loss = *acc = NAN;
    if (nn_trainer_evaluate_full(tr, s, &ev, err))
        return -1;
    *loss = ev.loss;
    *acc = ev.acc;
    return 0;
}
