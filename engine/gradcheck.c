/* gradcheck.c — two-sided numerical gradient check (see gradcheck.h). */
#include "gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double cost_at(nn_net *net, const double *X, const double *Y, int m)
{
    nn_net_forward(net, X, m, 1, NULL);
    return nn_net_cost(net, Y, 1);
}

/* Batch norm's running statistics change on every training-mode forward
 * pass; the check must leave them as it found them. */
static double *save_running(const nn_net *net)
{
    size_t n = 0;
    for (int i = 0; i < net->n_layers; i++)
        n += 2 * (size_t)nn_layer_zcols(&net->L[i]);
    double *buf = malloc(n * sizeof *buf), *p = buf;
    if (!buf)
        return NULL;
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        size_t zc = (size_t)nn_layer_zcols(l);
        memcpy(p, l->run_mean.v, zc * sizeof *p);
        p += zc;
        memcpy(p, l->run_var.v, zc * sizeof *p);
        p += zc;
    }
    return buf;
}

static void restore_running(nn_net *net, const double *buf)
{
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *l = &net->L[i];
        size_t zc = (size_t)nn_layer_zcols(l);
        memcpy(l->run_mean.v, buf, zc * sizeof *buf);
        buf += zc;
        memcpy(l->run_var.v, buf, zc * sizeof *buf);
        buf += zc;
    }
}

/* ------------------------------------------------------------------ */
/* Kinks                                                                */
/* ------------------------------------------------------------------ */

/* Does layer l's activation have a kink at z = 0 (its derivative jumps)?
 * ELU with α = 1 is smooth there (both sides have slope 1). */
static int kinked_at_zero(const nn_layer *l)
{
    switch (l->act) {
    case NN_ACT_RELU: case NN_ACT_LEAKY: case NN_ACT_PRELU:
    case NN_ACT_SELU:
        return 1;
    case NN_ACT_ELU:
        return l->act_arg != 1;
    default:
        return 0;
    }
}

/* Bytes kink_state writes for m rows. */
static size_t kink_bytes(const nn_net *net, int m)
{
    size_t n = 0;
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        if (l->pieces > 1 || kinked_at_zero(l))
            n += (size_t)m * l->out;
    }
    return n;
}

/* Which side of its kink every unit is on after the last pass: the sign
 * of z, or the index of a maxout unit's largest piece. */
static void kink_state(const nn_net *net, int m, unsigned char *out)
{
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *l = &net->L[i];
        int k = l->pieces, zc = nn_layer_zcols(l);
        if (k <= 1 && !kinked_at_zero(l))
            continue;
        for (int r = 0; r < m; r++)
            for (int j = 0; j < l->out; j++) {
                const double *z = l->Z.v + (size_t)r * zc;
                int best = 0;
                if (k > 1) {
                    for (int p = 1; p < k; p++)
                        if (z[j * k + p] > z[j * k + best])
                            best = p;
                } else {
                    best = z[j] > 0;
                }
                *out++ = (unsigned char)best;
            }
    }
}

/* A weight under L1 whose two evaluations fall on both sides of 0. */
static int l1_kink(const nn_net *net, const nn_param *p, double w,
                   double eps)
{
    double l1, l2;
    nn_reg_strengths(net, &l1, &l2);
    return p->type == NN_P_W && l1 > 0 && w != 0 && fabs(w) < eps;
}

/* ------------------------------------------------------------------ */
/* The check                                                            */
/* ------------------------------------------------------------------ */

/* Where the two evaluations of each entry leave the units (two buffers
 * of kink_bytes each). */
typedef struct Kinks {
    unsigned char *up, *down;
    size_t n;
} Kinks;

/* One entry: the two-sided difference, and whether a kink lies between
 * its two evaluations. */
static double difference(nn_net *net, const double *X, const double *Y,
                         int m, double eps, nn_param *p, int k, Kinks *kn,
                         int *kink)
{
    double keep = p->w.v[k];
    p->w.v[k] = keep + eps;
    double up = cost_at(net, X, Y, m);
    kink_state(net, m, kn->up);
    p->w.v[k] = keep - eps;
    double down = cost_at(net, X, Y, m);
    kink_state(net, m, kn->down);
    p->w.v[k] = keep;
    *kink = memcmp(kn->up, kn->down, kn->n) != 0 ||
            l1_kink(net, p, keep, eps);
    return (up - down) / (2 * eps);
}

/* Compare one tensor; -1 when interrupted (every entry is restored). */
static int check_tensor(nn_net *net, const double *X, const double *Y,
                        int m, double eps, int max, const double *g,
                        nn_param *p, Kinks *kn, nn_gc_result *r)
{
    int n = nn_mat_size(&p->w);
    int stride = max > 0 && n > max ? (n + max - 1) / max : 1;
    double diff = 0, ng = 0, nn = 0;
    r->checked = r->kinks = r->nonfinite = 0;
    r->size = n;
    for (int k = 0; k < n; k += stride) {
        if (nn_cancelled()) /* two forward passes per entry: poll each */
            return -1;
        int kink;
        double num = difference(net, X, Y, m, eps, p, k, kn, &kink);
        r->checked++;
        if (kink && isfinite(g[k]) && isfinite(num)) {
            r->kinks++;
            continue;
        }
        /* a NaN goes into the norms too, so that they show it */
        r->nonfinite += !isfinite(g[k]) || !isfinite(num);
        diff += (g[k] - num) * (g[k] - num);
        ng += g[k] * g[k];
        nn += num * num;
    }
    nn_param_name(p, r->name, sizeof r->name);
    r->grad_norm = sqrt(ng);
    r->num_norm = sqrt(nn);
    double den = r->grad_norm + r->num_norm;
    r->rel_err = r->nonfinite ? INFINITY : den > 0 ? sqrt(diff) / den : 0;
    if (isnan(r->rel_err)) /* squares past the largest double */
        r->rel_err = INFINITY;
    return 0;
}

/* The gradients backprop gives (with any planted bug), all at once. */
static void backprop_grads(nn_net *net, const double *X, const double *Y,
                           int m, double *grads)
{
    cost_at(net, X, Y, m);
    nn_net_backward(net, X, Y);
    for (int i = 0; i < net->n_params; i++) {
        nn_param *p = net->params[i];
        memcpy(grads, p->g.v, (size_t)nn_mat_size(&p->g) * sizeof *grads);
        grads += nn_mat_size(&p->g);
    }
}

double nn_gradcheck(nn_net *net, const double *X, const double *Y, int m,
                    double eps, int max_per_tensor, nn_gc_result *res,
                    nn_err *err)
{
    if (m < 1 || m > net->cap)
        return nn_fail(err, "gradient check needs 1..%d rows, got %d",
                       net->cap, m);
    if (!(eps > 0))
        return nn_fail(err, "eps must be positive");
    if (net->loss == NN_LOSS_NONE)
        return nn_fail(err, "the network has no loss: load labelled data");
    double *running = save_running(net);
    long total = nn_net_param_count(net);
    double *grads = malloc((size_t)total * sizeof *grads);
    Kinks kn = { NULL, NULL, kink_bytes(net, m) };
    kn.up = malloc(kn.n + 1);
    kn.down = malloc(kn.n + 1);
    if (!running || !grads || !kn.up || !kn.down) {
        free(running);
        free(grads);
        free(kn.up);
        free(kn.down);
        return nn_fail(err, "out of memory");
    }
    backprop_grads(net, X, Y, m, grads);
    double worst = 0;
    int done = 0;
    const double *g = grads;
    for (; done < net->n_params; done++) {
        nn_param *p = net->params[done];
        if (check_tensor(net, X, Y, m, eps, max_per_tensor, g, p, &kn,
                         &res[done]))
            break;
        if (!(res[done].rel_err <= worst))
            worst = res[done].rel_err;
        g += nn_mat_size(&p->g);
    }
    restore_running(net, running);
    free(running);
    free(grads);
    free(kn.up);
    free(kn.down);
    if (done < net->n_params)
        return nn_fail(err, "gradient check interrupted after %d of %d "
                       "tensors; the weights are as they were", done,
                       net->n_params);
    return worst;
}

const char *nn_gradcheck_verdict(double e)
{
    return e < 1e-7 ? "great" : e < 1e-5 ? "ok" : e < 1e-3 ? "suspicious"
                                                           : "wrong";
}

const char *nn_gc_result_verdict(const nn_gc_result *r)
{
    if (r->nonfinite)
        return "NaN/Inf";
    if (r->kinks && r->kinks == r->checked)
        return "kinks only";
    return nn_gradcheck_verdict(r->rel_err);
}
