/* optim.c — optimizers and schedules (see optim.h). */
#include "optim.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const nn_optim_names[] = { "gd", "momentum", "nesterov",
                                       "rmsprop", "adam", NULL };
const char *const nn_sched_names[] = { "none", "inverse", "exp", "step",
                                       NULL };

/* lo <= v <= hi, and not NaN */
static int in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi;
}

int nn_optim_uses(nn_optim_kind k, const char *setting)
{
    if (!strcmp(setting, "beta"))
        return k == NN_OPT_MOMENTUM || k == NN_OPT_NESTEROV;
    if (!strcmp(setting, "beta1"))
        return k == NN_OPT_ADAM;
    if (!strcmp(setting, "beta2") || !strcmp(setting, "eps"))
        return k == NN_OPT_ADAM || k == NN_OPT_RMSPROP;
    return 1;
}

int nn_optim_check(const nn_optim *o, nn_err *err)
{
    if ((unsigned)o->kind > NN_OPT_ADAM)
        return nn_fail(err, "unknown optimizer %d", (int)o->kind);
    if (!in_range(o->lr, 0, NN_LR_MAX))
        return nn_fail(err, "lr must be 0..%g, got %g", NN_LR_MAX, o->lr);
    if (!in_range(o->beta, 0, NN_BETA_MAX) ||
        !in_range(o->beta1, 0, NN_BETA_MAX))
        return nn_fail(err, "beta and beta1 must be 0..%g, got %g and %g",
                       NN_BETA_MAX, o->beta, o->beta1);
    if (!in_range(o->beta2, 0, NN_BETA2_MAX))
        return nn_fail(err, "beta2 must be 0..%g, got %g", NN_BETA2_MAX,
                       o->beta2);
    if (!in_range(o->eps, 0, NN_EPS_MAX))
        return nn_fail(err, "eps must be 0..%g, got %g", NN_EPS_MAX, o->eps);
    return 0;
}

int nn_sched_check(const nn_sched *s, nn_err *err)
{
    if ((unsigned)s->kind > NN_SCHED_STEP)
        return nn_fail(err, "unknown schedule %d", (int)s->kind);
    if (!in_range(s->rate, 0, NN_DECAY_RATE_MAX))
        return nn_fail(err, "the decay rate must be 0..%g, got %g",
                       NN_DECAY_RATE_MAX, s->rate);
    if (s->every < 1 || s->every > NN_DECAY_EVERY_MAX)
        return nn_fail(err, "the decay interval must be 1..%d epochs, got %d",
                       NN_DECAY_EVERY_MAX, s->every);
    if (!in_range(s->factor, 0, 1))
        return nn_fail(err, "the step factor must be 0..1, got %g", s->factor);
    return 0;
}

void nn_optim_defaults(nn_optim *o)
{
    o->kind = NN_OPT_GD;
    o->lr = 0.01;
    o->beta = 0.9;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->t = 0;
}

/* Adam: −α·(v/c1)/(√(s/c2) + ε) with the divisions by c1 and c2 hoisted,
 * so one square root and one division per value, in four independent
 * lanes that the compiler turns into vector instructions (the sum of
 * squares too, which a single accumulator would forbid). */
NN_VECTOR_CLONES
static double adam_update(double step, double ic2, double b1, double b2,
                          double eps, double *restrict w,
                          const double *restrict g, double *restrict v,
                          double *restrict s, int n, double *w_sq)
{
    double q[4] = { 0, 0, 0, 0 }, r[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double gi = g[i + j];
            r[j] += w[i + j] * w[i + j];
            double vi = v[i + j] = b1 * v[i + j] + (1 - b1) * gi;
            double si = s[i + j] = b2 * s[i + j] + (1 - b2) * gi * gi;
            double d = step * vi / (sqrt(si) * ic2 + eps);
            w[i + j] += d;
            q[j] += d * d;
        }
    double sq = (q[0] + q[1]) + (q[2] + q[3]);
    double wsq = (r[0] + r[1]) + (r[2] + r[3]);
    for (; i < n; i++) {
        double gi = g[i];
        wsq += w[i] * w[i];
        double vi = v[i] = b1 * v[i] + (1 - b1) * gi;
        double si = s[i] = b2 * s[i] + (1 - b2) * gi * gi;
        double d = step * vi / (sqrt(si) * ic2 + eps);
        w[i] += d;
        sq += d * d;
    }
    *w_sq = wsq;
    return sq;
}

double nn_optim_update(const nn_optim *o, long t, double lr, double *w,
                       const double *g, double *v, double *s, int n,
                       double *w_sq)
{
    double sq = 0, d = 0, wsq = 0, unused;
    if (!w_sq)
        w_sq = &unused;
    double b = o->beta, b2 = o->beta2, eps = o->eps;
    if (o->kind == NN_OPT_ADAM) {
        double c1 = 1 - pow(o->beta1, (double)t);
        double c2 = 1 - pow(b2, (double)t);
        return adam_update(-lr / c1, 1 / sqrt(c2), o->beta1, b2, eps, w, g, v,
                           s, n, w_sq);
    }
    for (int i = 0; i < n; i++) {
        wsq += w[i] * w[i];
        switch (o->kind) {
        case NN_OPT_GD:
            d = -lr * g[i];
            break;
        case NN_OPT_MOMENTUM:
            v[i] = b * v[i] + (1 - b) * g[i];
            d = -lr * v[i];
            break;
        case NN_OPT_NESTEROV:
            v[i] = b * v[i] + (1 - b) * g[i];
            d = -lr * (b * v[i] + (1 - b) * g[i]);
            break;
        case NN_OPT_RMSPROP:
            s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i];
            d = -lr * g[i] / (sqrt(s[i]) + eps);
            break;
        case NN_OPT_ADAM: /* adam_update, above */
            break;
        }
        w[i] += d;
        sq += d * d;
    }
    *w_sq = wsq;
    return sq;
}

void nn_optim_step(nn_optim *o, nn_net *net, double lr)
{
    o->t++;
    for (int i = 0; i < net->n_params; i++) {
        nn_param *p = net->params[i];
        double before;
        double sq = nn_optim_update(o, o->t, lr, p->w.v, p->g.v, p->v.v,
                                    p->s.v, nn_mat_size(&p->w), &before);
        if (p->type == NN_P_W) {
            net->L[p->layer - 1].update_sq = sq;
            net->L[p->layer - 1].weight_sq = before;
        }
    }
}

double nn_sched_lr(const nn_sched *s, double lr0, int epoch)
{
    int every = s->every > 0 ? s->every : 1;
    double k = floor((double)epoch / every);
    switch (s->kind) {
    case NN_SCHED_INVERSE:
        return lr0 / (1 + s->rate * k);
    case NN_SCHED_EXP:
        return lr0 * pow(s->rate, k);
    case NN_SCHED_STEP:
        return lr0 * pow(s->factor, k);
    default:
        return lr0;
    }
}
