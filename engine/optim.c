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

/* Four lanes of each sum, added pairwise at the end. */
typedef struct lanes {
    double d[4], wb[4], ws[4], wq[4], gs[4], gq[4];
} lanes;

static void lanes_init(lanes *a)
{
    for (int j = 0; j < 4; j++)
        a->d[j] = a->wb[j] = a->ws[j] = a->wq[j] = a->gs[j] = a->gq[j] = 0;
}

static double lane_total(const double *q)
{
    return (q[0] + q[1]) + (q[2] + q[3]);
}

/* The lanes' totals, then the values past the last group of four (given
 * with their w before and after and their step d), into *u. */
static void lanes_total(const lanes *a, nn_update_sums *u)
{
    u->d_sq = lane_total(a->d);
    u->w_sq_before = lane_total(a->wb);
    u->w_sum = lane_total(a->ws);
    u->w_sq = lane_total(a->wq);
    u->g_sum = lane_total(a->gs);
    u->g_sq = lane_total(a->gq);
}

static inline void sums_add(nn_update_sums *u, double before, double after,
                            double g, double d)
{
    u->w_sq_before += before * before;
    u->w_sum += after;
    u->w_sq += after * after;
    u->g_sum += g;
    u->g_sq += g * g;
    u->d_sq += d * d;
}

/* Adam: −α·(v/c1)/(√(s/c2) + ε) with the divisions by c1 and c2 hoisted,
 * so one square root and one division per value, in four independent
 * lanes that the compiler turns into vector instructions (the sums too,
 * which a single accumulator would forbid; the square root and the
 * division, not the sums, set the pace). */
NN_VECTOR_CLONES
static void adam_update(double step, double ic2, double b1, double b2,
                        double eps, double *restrict w,
                        const double *restrict g, double *restrict v,
                        double *restrict s, int n, nn_update_sums *u)
{
    lanes a;
    lanes_init(&a);
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double gi = g[i + j], wi = w[i + j];
            a.wb[j] += wi * wi;
            double vi = v[i + j] = b1 * v[i + j] + (1 - b1) * gi;
            double si = s[i + j] = b2 * s[i + j] + (1 - b2) * gi * gi;
            double d = step * vi / (sqrt(si) * ic2 + eps);
            wi = w[i + j] = wi + d;
            a.d[j] += d * d;
            a.ws[j] += wi;
            a.wq[j] += wi * wi;
            a.gs[j] += gi;
            a.gq[j] += gi * gi;
        }
    lanes_total(&a, u);
    for (; i < n; i++) {
        double gi = g[i], before = w[i];
        double vi = v[i] = b1 * v[i] + (1 - b1) * gi;
        double si = s[i] = b2 * s[i] + (1 - b2) * gi * gi;
        double d = step * vi / (sqrt(si) * ic2 + eps);
        w[i] = before + d;
        sums_add(u, before, w[i], gi, d);
    }
}

void nn_optim_update_sums(const nn_optim *o, long t, double lr, double *w,
                          const double *g, double *v, double *s, int n,
                          nn_update_sums *u)
{
    double d = 0;
    double b = o->beta, rho = o->rho, eps = o->eps;
    /* RMSprop's bias correction: √(s/c) = √s · (1/√c) */
    double ic = o->kind == NN_OPT_RMSPROP && o->correct
                    ? 1 / sqrt(1 - pow(rho, (double)t)) : 1;
    if (o->kind == NN_OPT_ADAM) {
        double b2 = o->beta2;
        double c1 = 1 - pow(o->beta1, (double)t);
        double c2 = 1 - pow(b2, (double)t);
        adam_update(-lr / c1, 1 / sqrt(c2), o->beta1, b2, eps, w, g, v, s,
                    n, u);
        return;
    }
    memset(u, 0, sizeof *u);
    for (int i = 0; i < n; i++) {
        double before = w[i];
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
        w[i] = before + d;
        sums_add(u, before, w[i], g[i], d);
    }
}

double nn_optim_update(const nn_optim *o, long t, double lr, double *w,
                       const double *g, double *v, double *s, int n,
                       double *w_sq)
{
    nn_update_sums u;
    nn_optim_update_sums(o, t, lr, w, g, v, s, n, &u);
    if (w_sq)
        *w_sq = u.w_sq_before;
    return u.d_sq;
}

double nn_optim_step(nn_optim *o, nn_net *net, double lr)
{
    double g_sq = 0;
    o->t++;
    for (int i = 0; i < net->n_params; i++) {
        nn_param *p = net->params[i];
        nn_update_sums u;
        nn_optim_update_sums(o, o->t, lr, p->w.v, p->g.v, p->v.v, p->s.v,
                             nn_mat_size(&p->w), &u);
        g_sq += u.g_sq;
        if (p->type == NN_P_W) {
            nn_layer *l = &net->L[p->layer - 1];
            l->update_sq = u.d_sq;
            l->weight_sq = u.w_sq_before;
            l->w_sum = u.w_sum;
            l->w_sq = u.w_sq;
            l->g_sum = u.g_sum;
            l->g_sq = u.g_sq;
        }
    }
    return g_sq;
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
