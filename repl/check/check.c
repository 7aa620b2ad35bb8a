/*
 * check.c — evaluate compiled lesson checks (check_parse.c compiles them).
 *
 * Every variable is looked up once, then the tree is evaluated.  A failed
 * check reports the values it found; they are printed with as few digits
 * as still give the same verdict, so "found 0.95" never appears against
 * ">= 0.95".  Comparisons follow check.h: NaN makes any comparison false
 * except !=.
 */
#include "check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Functions                                                            */

static double fn_abs(double a, double b) { (void)b; return fabs(a); }
static double fn_log(double a, double b) { (void)b; return log(a); }
static double fn_log10(double a, double b) { (void)b; return log10(a); }
static double fn_sqrt(double a, double b) { (void)b; return sqrt(a); }
static double fn_exp(double a, double b) { (void)b; return exp(a); }
static double fn_min(double a, double b) { return a < b ? a : b; }
static double fn_max(double a, double b) { return a > b ? a : b; }

const CheckFunc check_funcs[] = {
    {"abs", 1, fn_abs},   {"log", 1, fn_log}, {"log10", 1, fn_log10},
    {"sqrt", 1, fn_sqrt}, {"exp", 1, fn_exp}, {"min", 2, fn_min},
    {"max", 2, fn_max},
};
const int check_nfuncs = (int)(sizeof check_funcs / sizeof check_funcs[0]);

/* ------------------------------------------------------------------ */
/* Evaluation                                                           */

static int nearly_equal(double a, double b)
{
    if (a == b)
        return 1;
    double scale = fmax(fabs(a), fabs(b));
    return fabs(a - b) <= 1e-9 * scale;
}

static double eval_node(const CheckExpr *c, int i, const double *vals)
{
    const Node *n = &c->nodes[i];
    double a = 0, b = 0;
    if (n->kind == N_NUM)
        return n->num;
    if (n->kind == N_VAR)
        return vals[n->var];
    a = eval_node(c, n->a, vals);
    if (n->b >= 0)
        b = eval_node(c, n->b, vals);
    switch (n->kind) {
    case N_NEG: return -a;
    case N_NOT: return !(a != 0 && !isnan(a));
    case N_ADD: return a + b;
    case N_SUB: return a - b;
    case N_MUL: return a * b;
    case N_DIV: return a / b;
    case N_LT: return a < b;
    case N_LE: return a <= b;
    case N_GT: return a > b;
    case N_GE: return a >= b;
    case N_EQ: return nearly_equal(a, b);
    case N_NE: return isnan(a) || isnan(b) || !nearly_equal(a, b);
    case N_APPROX: return fabs(a - b) <= 0.02 * fabs(b);
    case N_AND: return (a != 0 && !isnan(a)) && (b != 0 && !isnan(b));
    case N_OR: return (a != 0 && !isnan(a)) || (b != 0 && !isnan(b));
    case N_CALL: return check_funcs[n->fn].f(a, b);
    }
    return NAN;
}

static int verdict(double v) { return v != 0 && !isnan(v); }

static double rounded(double v, int digits)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    return strtod(buf, NULL);
}

int check_eval(const CheckExpr *c, check_lookup_fn lookup, void *ctx,
               CheckResult *r)
{
    memset(r, 0, sizeof *r);
    double *vals = calloc((size_t)c->nvars + 1, 2 * sizeof *vals);
    if (!vals) {
        snprintf(r->error, sizeof r->error, "out of memory");
        return r->status = CHECK_ERROR;
    }
    double *shown = vals + c->nvars + 1;
    for (int i = 0; i < c->nvars; i++) {
        int found = lookup(ctx, c->vars[i].name, c->vars[i].index, &vals[i]);
        if (found != 0) {
            r->out_of_range = found == CHECK_OUT_OF_RANGE;
            snprintf(r->error, sizeof r->error, "%s is %s", c->vars[i].text,
                     r->out_of_range ? "out of range" : "not available");
            r->value = NAN;
            free(vals);
            return r->status = CHECK_ERROR;
        }
    }
    r->value = eval_node(c, c->root, vals);
    r->status = verdict(r->value) ? CHECK_PASS : CHECK_FAIL;

    /* Fewest digits that still give the same verdict. */
    static const int digits[] = {4, 6, 10, 17};
    int d = 17;
    for (size_t k = 0; k < sizeof digits / sizeof digits[0]; k++) {
        for (int i = 0; i < c->nvars; i++)
            shown[i] = rounded(vals[i], digits[k]);
        if (verdict(eval_node(c, c->root, shown)) == verdict(r->value)) {
            d = digits[k];
            break;
        }
    }
    size_t used = 0;
    for (int i = 0; i < c->nvars && used < sizeof r->found; i++) {
        int w = snprintf(r->found + used, sizeof r->found - used,
                         "%s%s = %.*g", i ? ", " : "", c->vars[i].text, d,
                         vals[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    free(vals);
    return r->status;
}
