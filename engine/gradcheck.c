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

/* Compare one tensor; -1 when interrupted (every entry is restored). */
static int check_tensor(nn_net *net, const double *X, const double *Y,
                        int m, double eps, int max, const double *g,
                        nn_param *p, nn_gc_result *r)
{
    int n = nn_mat_size(&p->w);
    int stride = max > 0 && n > max ? (n + max - 1) / max : 1;
    double diff = 0, ng = 0, nn = 0;
    r->checked = 0;
    r->size = n;
    for (int k = 0; k < n; k += stride) {
        if (nn_cancelled()) /* two forward passes per entry: poll each */
            return -1;
        double keep = p->w.v[k];
        p->w.v[k] = keep + eps;
        double up = cost_at(net, X, Y, m);
        p->w.v[k] = keep - eps;
        double down = cost_at(net, X, Y, m);
        p->w.v[k] = keep;
        double num = (up - down) / (2 * eps);
        diff += (g[k] - num) * (g[k] - num);
        ng += g[k] * g[k];
        nn += num * num;
        r->checked++;
    }
    nn_param_name(p, r->name, sizeof r->name);
    r->grad_norm = sqrt(ng);
    r->num_norm = sqrt(nn);
    double den = r->grad_norm + r->num_norm;
    r->rel_err = den > 0 ? sqrt(diff) / den : 0;
    return 0;
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
    if (!running || !grads) {
        free(running);
        free(grads);
        return nn_fail(err, "out of memory");
    }
    /* backprop's gradients (with any planted bug) first, all at once */
    cost_at(net, X, Y, m);
    nn_net_backward(net, X, Y);
    double *g = grads;
    for (int i = 0; i < net->n_params; i++) {
        nn_param *p = net->params[i];
        memcpy(g, p->g.v, (size_t)nn_mat_size(&p->g) * sizeof *g);
        g += nn_mat_size(&p->g);
    }
    double worst = 0;
    int done = 0;
    g = grads;
    for (; done < net->n_params; done++) {
        nn_param *p = net->params[done];
        if (check_tensor(net, X, Y, m, eps, max_per_tensor, g, p, &res[done]))
            break;
        if (res[done].rel_err > worst || isnan(res[done].rel_err))
            worst = isnan(res[done].rel_err) ? INFINITY : res[done].rel_err;
        g += nn_mat_size(&p->g);
    }
    restore_running(net, running);
    free(running);
    free(grads);
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
