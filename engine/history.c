/* history.c — the trainer's records in fixed memory; see history.h. */
#include "history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define BUDGET_BYTES (16u << 20)
#define MIN_CAP 1024
#define EPOCH_CAP 8192

void nn_history_free(nn_history *h)
{
    void *p[] = { h->iter, h->epoch, h->loss, h->lr, h->grad_norm,
                  h->w_mean, h->w_var, h->g_norm, h->g_var, h->update_ratio,
                  h->e_iter, h->e_epoch, h->e_lr, h->train_loss,
                  h->train_acc, h->dev_loss, h->dev_acc };
    for (size_t i = 0; i < sizeof p / sizeof *p; i++)
        free(p[i]);
    memset(h, 0, sizeof *h);
}

void nn_history_clear(nn_history *h)
{
    h->n = h->ne = 0;
    h->stride = h->e_stride = 1;
    h->tail_extra = h->e_tail_extra = 0;
}

/* The most records (a power of two) whose arrays fit the budget. */
static int iter_cap(int n_layers)
{
    size_t row = sizeof(long) + sizeof(int) + 3 * sizeof(double) +
                 5 * sizeof(double) * (size_t)n_layers;
    int cap = MIN_CAP;
    while ((size_t)cap * 2 * row <= BUDGET_BYTES)
        cap *= 2;
    return cap;
}

int nn_history_reserve(nn_history *h, int n_layers)
{
    if (h->iter && h->n_layers == n_layers)
        return 0;
    nn_history_free(h);
    int cap = iter_cap(n_layers);
    size_t per_layer = (size_t)cap * n_layers * sizeof(double);
    h->iter = malloc((size_t)cap * sizeof *h->iter);
    h->epoch = malloc((size_t)cap * sizeof *h->epoch);
    h->loss = malloc((size_t)cap * sizeof *h->loss);
    h->lr = malloc((size_t)cap * sizeof *h->lr);
    h->grad_norm = malloc((size_t)cap * sizeof *h->grad_norm);
    h->w_mean = malloc(per_layer);
    h->w_var = malloc(per_layer);
    h->g_norm = malloc(per_layer);
    h->g_var = malloc(per_layer);
    h->update_ratio = malloc(per_layer);
    h->e_iter = malloc(EPOCH_CAP * sizeof *h->e_iter);
    h->e_epoch = malloc(EPOCH_CAP * sizeof *h->e_epoch);
    h->e_lr = malloc(EPOCH_CAP * sizeof(double));
    h->train_loss = malloc(EPOCH_CAP * sizeof(double));
    h->train_acc = malloc(EPOCH_CAP * sizeof(double));
    h->dev_loss = malloc(EPOCH_CAP * sizeof(double));
    h->dev_acc = malloc(EPOCH_CAP * sizeof(double));
    if (!h->iter || !h->epoch || !h->loss || !h->lr || !h->grad_norm ||
        !h->w_mean || !h->w_var || !h->g_norm || !h->g_var ||
        !h->update_ratio || !h->e_iter || !h->e_epoch || !h->e_lr ||
        !h->train_loss || !h->train_acc || !h->dev_loss || !h->dev_acc) {
        nn_history_free(h);
        return -1;
    }
    h->cap = cap;
    h->ecap = EPOCH_CAP;
    h->n_layers = n_layers;
    nn_history_clear(h);
    return 0;
}

static void move_layers(double *a, int L, int to, int from)
{
    memmove(a + (size_t)to * L, a + (size_t)from * L, (size_t)L * sizeof *a);
}

/* Full: keep the records on the doubled stride. */
static void thin_iters(nn_history *h)
{
    int L = h->n_layers, j = 0;
    h->stride *= 2;
    for (int i = 0; i < h->n; i++) {
        if (h->iter[i] % h->stride)
            continue;
        h->iter[j] = h->iter[i];
        h->epoch[j] = h->epoch[i];
        h->loss[j] = h->loss[i];
        h->lr[j] = h->lr[i];
        h->grad_norm[j] = h->grad_norm[i];
        move_layers(h->w_mean, L, j, i);
        move_layers(h->w_var, L, j, i);
        move_layers(h->g_norm, L, j, i);
        move_layers(h->g_var, L, j, i);
        move_layers(h->update_ratio, L, j, i);
        j++;
    }
    h->n = j;
}

static void thin_epochs(nn_history *h)
{
    int j = 0;
    h->e_stride *= 2;
    for (int i = 0; i < h->ne; i++) {
        if (h->e_epoch[i] % h->e_stride)
            continue;
        h->e_iter[j] = h->e_iter[i];
        h->e_epoch[j] = h->e_epoch[i];
        h->e_lr[j] = h->e_lr[i];
        h->train_loss[j] = h->train_loss[i];
        h->train_acc[j] = h->train_acc[i];
        h->dev_loss[j] = h->dev_loss[i];
        h->dev_acc[j] = h->dev_acc[i];
        j++;
    }
    h->ne = j;
}

void nn_history_add_iter(nn_history *h, const nn_net *net, long iter,
                         int epoch, double loss, double lr)
{
    nn_history_add_update(h, net, iter, epoch, loss, lr, NAN);
}

typedef void (*layer_stats_fn)(const nn_net *net, int l, nn_layer_stats *st);

static void add_record(nn_history *h, const nn_net *net, long iter, int epoch,
                       double loss, double lr, double grad_norm,
                       layer_stats_fn stats)
{
    if (!h->iter)
        return;
    if (!h->tail_extra && h->n == h->cap)
        thin_iters(h);
    int k = h->tail_extra ? h->n - 1 : h->n++;
    int L = h->n_layers;
    h->iter[k] = iter;
    h->epoch[k] = epoch;
    h->loss[k] = loss;
    h->lr[k] = lr;
    h->grad_norm[k] = grad_norm;
    for (int l = 0; l < L; l++) {
        nn_layer_stats st;
        size_t at = (size_t)k * L + l;
        stats(net, l, &st);
        h->w_mean[at] = st.w_mean;
        h->w_var[at] = st.w_var;
        h->g_norm[at] = st.g_norm;
        h->g_var[at] = st.g_var;
        h->update_ratio[at] = st.update_ratio;
    }
    h->tail_extra = iter % h->stride != 0;
}

void nn_history_add_update(nn_history *h, const nn_net *net, long iter,
                           int epoch, double loss, double lr,
                           double grad_norm)
{
    add_record(h, net, iter, epoch, loss, lr, grad_norm, nn_stats_weights);
}

void nn_history_add_step(nn_history *h, const nn_net *net, long iter,
                         int epoch, double loss, double lr, double grad_norm)
{
    add_record(h, net, iter, epoch, loss, lr, grad_norm, nn_stats_step);
}

void nn_history_add_epoch(nn_history *h, long iter, int epoch, double lr,
                          double train_loss, double train_acc,
                          double dev_loss, double dev_acc)
{
    if (!h->e_iter)
        return;
    if (!h->e_tail_extra && h->ne == h->ecap)
        thin_epochs(h);
    int k = h->e_tail_extra ? h->ne - 1 : h->ne++;
    h->e_iter[k] = iter;
    h->e_epoch[k] = epoch;
    h->e_lr[k] = lr;
    h->train_loss[k] = train_loss;
    h->train_acc[k] = train_acc;
    h->dev_loss[k] = dev_loss;
    h->dev_acc[k] = dev_acc;
    h->e_tail_extra = epoch % h->e_stride != 0;
}
