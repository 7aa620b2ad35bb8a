/*
 * search_space.c — a search's space: the hyperparameters it may vary,
 * their ranges as typed and as written back (linear, :log, or :log1m for
 * a beta near 1: 1 - beta on a log scale), the whole numbers of units
 * and layers, and the score its trials are ranked by.  Below the rest of
 * the search (cmd_search.c, search_run.c, search_files.c,
 * search_import.c), which all use it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cmd.h"
#include "nnlab.h"
#include "search.h"
#include "trial.h"

const char *const search_keys[] = { "lr", "reg", "keep", "beta", "beta1",
                                    "beta2", "units", "layers", NULL };
/* What each key may be, as its command takes it: a range is checked
 * before any trial runs, and refine stays inside. */
static const double search_bounds[][2] = {
    { 0, NN_LR_MAX }, { 0, 1e6 }, { 0.01, 1 }, { 0, NN_BETA_MAX },
    { 0, NN_BETA_MAX }, { 0, NN_BETA2_MAX }, { 1, TRIAL_UNITS_MAX },
    { 1, TRIAL_LAYERS_MAX } };
/* The scales a range may be sampled on, as written after its ':'. */
static const char *const scale_names[] = { "", "log", "log1m" };

const double *search_bounds_of(const SearchKey *k)
{
    for (int i = 0; search_keys[i]; i++)
        if (!strcmp(search_keys[i], k->name))
            return search_bounds[i];
    return search_bounds[0];
}

int search_key_whole(const SearchKey *k)
{
    return !strcmp(k->name, "units") || !strcmp(k->name, "layers");
}

double search_key_value(const SearchKey *k, double u)
{
    nn_range r = { k->lo, k->hi, k->log };
    double v = nn_range_from_unit(&r, u);
    return search_key_whole(k) ? round(v) : v;
}

/* ":log" or ":log1m" after a range into k->log; 0, or -1 reported. */
static int parse_scale(Session *s, const char *name, const char *colon,
                       SearchKey *k)
{
    k->log = NN_RANGE_LINEAR;
    if (!colon)
        return 0;
    for (int i = 1; i < 3; i++)
        if (!strcmp(colon + 1, scale_names[i])) {
            k->log = i;
            return 0;
        }
    return cmd_error(s, "%s: only ':log' or ':log1m' may follow the range "
                     "(log1m: 1 - value on a log scale, for a beta near 1)",
                     name), -1;
}

int search_parse_range(Session *s, const char *name, const char *text,
                       SearchKey *k)
{
    char lo[64], hi[64];
    int i;
    const char *dots = strstr(text, "..");
    if (args_enum(s, name, "hyperparameter", search_keys, &i))
        return -1;
    if (!dots || dots - text >= 63)
        return cmd_error(s, "%s: expected LO..HI or LO..HI:log, got "
                         "'%s'", name, text), -1;
    snprintf(lo, sizeof lo, "%.*s", (int)(dots - text), text);
    snprintf(hi, sizeof hi, "%s", dots + 2);
    char *colon = strchr(hi, ':');
    if (parse_scale(s, name, colon, k))
        return -1;
    if (colon)
        *colon = '\0';
    if (args_double(s, lo, "range start", -1e9, 1e9, &k->lo) ||
        args_double(s, hi, "range end", -1e9, 1e9, &k->hi))
        return -1;
    if (!(k->lo < k->hi) || (k->log == NN_RANGE_LOG && k->lo <= 0) ||
        (k->log == NN_RANGE_LOG1M && k->hi >= 1))
        return cmd_error(s, "%s: need LO < HI%s", name,
                         k->log == NN_RANGE_LOG ? " and LO > 0 on a log scale"
                         : k->log ? " and HI < 1 on a log1m scale" : ""), -1;
    snprintf(k->name, sizeof k->name, "%s", name);
    const double *b = search_bounds_of(k);
    if (k->lo < b[0] || k->hi > b[1])
        return cmd_error(s, "%s=%g..%g: %s must be within %g..%g",
                         name, k->lo, k->hi, name, b[0], b[1]), -1;
    return 0;
}

double search_score(const SearchTrial *t)
{
    if (t->state != TRIAL_DONE)
        return -INFINITY;
    if (!isnan(t->dev_acc))
        return t->dev_acc;
    if (!isnan(t->dev_loss))
        return -t->dev_loss;
    return isnan(t->train_acc) ? -INFINITY : t->train_acc;
}

const char *search_scale_suffix(const SearchKey *k)
{
    return k->log == NN_RANGE_LOG ? ":log"
           : k->log == NN_RANGE_LOG1M ? ":log1m" : "";
}

void search_space_text(const Experiments *e, Buf *b)
{
    for (int k = 0; k < e->nkeys; k++)
        buf_printf(b, "%s%s=%.17g..%.17g%s", k ? " " : "", e->keys[k].name,
                   e->keys[k].lo, e->keys[k].hi,
                   search_scale_suffix(&e->keys[k]));
}

