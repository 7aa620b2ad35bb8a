/* optim.c — optimizers and gradient clipping (see optim.h); the schedules
 * are in schedule.c. */
#include "optim.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const nn_optim_names[] = { "gd", "momentum", "nesterov",
                                       "rmsprop", "adam", NULL };
const char *const nn_clip_names[] = { "off", "norm", "value", NULL };

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
    if (!strcmp(setting, "beta2"))
        return k == NN_OPT_ADAM;
    if (!strcmp(setting, "eps"))
        return k == NN_OPT_ADAM || k == NN_OPT_RMSPROP;
    if (!strcmp(setting, "rho") || !strcmp(setting, "correct"))
        return k == NN_OPT_RMSPROP;
    return 1;
}

int nn_optim_check(const nn_optim *o, nn_err *err)
{
    if ((unsigned)o->kind > NN_OPT_ADAM)
        return nn_fail(err, "unknown optimizer %d", (int)o->kind);
    if (!(o->lr >= 0) || !isfinite(o->lr))
        return nn_fail(err, "lr must be a finite number >= 0, got %g", o->lr);
    if (!in_range(o->beta, 0, NN_BETA_MAX) ||
        !in_range(o->beta1, 0, NN_BETA_MAX))
        return nn_fail(err, "beta and beta1 must be 0..%g, got %g and %g",
                       NN_BETA_MAX, o->beta, o->beta1);
    if (!in_range(o->beta2, 0, NN_BETA2_MAX))
        return nn_fail(err, "beta2 must be 0..%g, got %g", NN_BETA2_MAX,
                       o->beta2);
    if (!in_range(o->rho, 0, NN_BETA2_MAX))
        return nn_fail(err, "rho must be 0..%g, got %g", NN_BETA2_MAX, o->rho);
    if (!in_range(o->eps, 0, NN_EPS_MAX))
        return nn_fail(err, "eps must be 0..%g, got %g", NN_EPS_MAX, o->eps);
    if (o->eps <= 0 && nn_optim_uses(o->kind, "eps"))
        return nn_fail(err, "eps must be above 0 for %s, got %g (a weight "
                       "whose gradient is 0 would step by 0/0 = NaN)",
                       nn_optim_names[o->kind], o->eps);
    if (o->correct != 0 && o->correct != 1)
        return nn_fail(err, "correct must be 0 or 1, got %d", o->correct);
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
    o->rho = 0.9;
    o->correct = 0;
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
    double b = o->beta, rho = o->rho, eps = o->eps;
    /* RMSprop's bias correction: √(s/c) = √s · (1/√c) */
    double ic = o->kind == NN_OPT_RMSPROP && o->correct
                    ? 1 / sqrt(1 - pow(rho, (double)t)) : 1;
    if (o->kind == NN_OPT_ADAM) {
        double b2 = o->beta2;
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
            s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
            d = -lr * g[i] / (sqrt(s[i]) * ic + eps);
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

/* ------------------------------------------------------------------ */
/* Gradient clipping                                                    */
/* ------------------------------------------------------------------ */

void nn_clip_defaults(nn_clip *c)
{
    c->kind = NN_CLIP_OFF;
    c->max = 1;
}

int nn_clip_check(const nn_clip *c, nn_err *err)
{
    if ((unsigned)c->kind > NN_CLIP_VALUE)
        return nn_fail(err, "unknown clipping %d", (int)c->kind);
    if (!(c->max > 0) || !isfinite(c->max))
        return nn_fail(err, "the clipping threshold must be a finite number "
                       "above 0, got %g", c->max);
    return 0;
}

/* Σ (g/scale)² over every gradient entry of net. */
static double grad_sum_sq(const nn_net *net, double scale)
{
    double sq = 0;
    for (int i = 0; i < net->n_params; i++) {
        const nn_mat *g = &net->params[i]->g;
        int n = nn_mat_size(g);
        if (scale == 1) {
            sq += nn_sum_sq(g->v, n);
            continue;
        }
        for (int k = 0; k < n; k++)
            sq += (g->v[k] / scale) * (g->v[k] / scale);
    }
    return sq;
}

double nn_grad_norm(const nn_net *net)
{
    double sq = grad_sum_sq(net, 1), big = 0;
    if (!isinf(sq))
        return sqrt(sq);
    /* the squares overflowed: scale by the largest entry */
    for (int i = 0; i < net->n_params; i++) {
        const nn_mat *g = &net->params[i]->g;
        for (int k = 0; k < nn_mat_size(g); k++)
            big = fmax(big, fabs(g->v[k]));
    }
    return isinf(big) ? big : big * sqrt(grad_sum_sq(net, big));
}

int nn_clip_grads(const nn_clip *c, nn_net *net, double norm)
{
    int changed = 0;
    if (c->kind == NN_CLIP_NORM) {
        /* an Inf norm would scale the entries to 0 and Inf to NaN: the
         * guard is there for that */
        if (!(norm > c->max) || isinf(norm))
            return 0;
        double scale = c->max / norm;
        for (int i = 0; i < net->n_params; i++) {
            nn_mat *g = &net->params[i]->g;
            for (int k = 0; k < nn_mat_size(g); k++)
                g->v[k] *= scale;
        }
        return 1;
    }
    if (c->kind != NN_CLIP_VALUE)
        return 0;
    for (int i = 0; i < net->n_params; i++) {
        nn_mat *g = &net->params[i]->g;
        for (int k = 0; k < nn_mat_size(g); k++)
            if (fabs(g->v[k]) > c->max) {
                g->v[k] = copysign(c->max, g->v[k]);
                changed = 1;
            }
    }
    return changed;
}
