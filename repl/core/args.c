/*
 * args.c — parsing command arguments the same way everywhere.
 *
 * A student who types `lr 0.1x` or `optim adm` should get one line saying
 * what was wrong and what was expected, and nothing should change.  So every
 * parser here reports through cmd_error() itself, and args_parse() checks
 * every key=value option before it writes any result: either all the
 * handler's variables are filled or none is.
 *
 * Suggestions ("did you mean 'adam'?") come from an edit distance that
 * counts a swap of two neighbouring letters as one edit, since `tarin` for
 * `train` is the commonest slip of all.
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"

/* ------------------------------------------------------------------ */
/* Numbers                                                              */
/* ------------------------------------------------------------------ */

/* "in [0, 10]", ">= 0", "<= 1" or "" for the error messages. */
static void describe_range(char *buf, size_t len, double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi))
        snprintf(buf, len, " in [%g, %g]", lo, hi);
    else if (isfinite(lo))
        snprintf(buf, len, " >= %g", lo);
    else if (isfinite(hi))
        snprintf(buf, len, " <= %g", hi);
    else
        buf[0] = '\0';
}

/* Parse all of text as a finite double; 0 on success. */
static int parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || isspace((unsigned char)text[0]))
        return -1;
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1))
        return -1;
    *out = v;
    return 0;
}

int arg_double(Session *s, const char *cmd, const char *text,
               const char *what, double lo, double hi, double *out)
{
    char range[80];
    double v;
    describe_range(range, sizeof range, lo, hi);
    if (parse_double(text, &v) < 0 || v < lo || v > hi) {
        cmd_error(s, "%s: expected a number%s for %s, got '%s'", cmd, range,
                  what, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* Whole numbers may be written 1000, 1e3 or 1000.0, but not 2.5. */
static int parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end != text && *end == '\0' && errno == 0 &&
        !isspace((unsigned char)text[0])) {
        *out = v;
        return 0;
    }
    double d;
    if (parse_double(text, &d) < 0 || d != floor(d) || fabs(d) > 9e15)
        return -1;
    *out = (long)d;
    return 0;
}

int arg_int(Session *s, const char *cmd, const char *text, const char *what,
            long lo, long hi, long *out)
{
    long v;
    if (parse_long(text, &v) < 0 || v < lo || v > hi) {
        cmd_error(s, "%s: expected a whole number in [%ld, %ld] for %s, "
                  "got '%s'", cmd, lo, hi, what, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

/* "gd, momentum, nesterov, rmsprop or adam" into buf. */
static void list_names(char *buf, size_t len, const char *const *names)
{
    size_t used = 0;
    int n = 0;
    while (names[n])
        n++;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        int k = snprintf(buf + used, len - used, "%s%s", sep, names[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

int arg_enum(Session *s, const char *cmd, const char *text,
             const char *what, const char *const *names, int *index)
{
    for (int i = 0; names[i]; i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *index = i;
            return 0;
        }
    }
    const char *near = did_you_mean(text, names);
    if (near) {
        cmd_error(s, "%s: unknown %s '%s' (did you mean '%s'?)", cmd, what,
                  text, near);
    } else {
        char list[400];
        list_names(list, sizeof list, names);
        cmd_error(s, "%s: unknown %s '%s' (expected %s)", cmd, what, text,
                  list);
    }
    return -1;
}

/* on/off and its synonyms; `what` (may be NULL) names an option. */
static int parse_bool(Session *s, const char *cmd, const char *text,
                      const char *what, int *out)
{
    static const char *const yes[] = {"on", "yes", "1", "true", NULL};
    static const char *const no[] = {"off", "no", "0", "false", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    cmd_error(s, "%s: expected on or off%s%s, got '%s'", cmd,
              what ? " for " : "", what ? what : "", text);
    return -1;
}

int arg_bool(Session *s, const char *cmd, const char *text, int *out)
{
    return parse_bool(s, cmd, text, NULL, out);
}

/* ------------------------------------------------------------------ */
/* Did you mean                                                         */
/* ------------------------------------------------------------------ */

/* Edit distance (insert, delete, substitute, swap neighbours), ignoring
 * case.  Words longer than 63 letters are never close to a command. */
static int edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la >= MAX || lb >= MAX)
        return MAX;
    int d[MAX][MAX];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++) {
        for (int j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* How many edits still count as a slip for a word this long. */
static int slip_allowance(size_t len)
{
    return len <= 2 ? 0 : len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *did_you_mean(const char *word, const char *const *names)
{
    size_t len = strlen(word);
    if (len == 0 || !names)
        return NULL;
    const char *best = NULL;
    int best_d = slip_allowance(len) + 1;
    for (int i = 0; names[i]; i++) {
        int d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    if (best)
        return best;
    /* A beginning typed out: "mom" for "momentum". */
    for (int i = 0; names[i] && len >= 2; i++)
        if (strncasecmp(word, names[i], len) == 0)
            return names[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* key=value options                                                    */
/* ------------------------------------------------------------------ */

typedef union OptValue {
    double d;
    long i;
    int e;
    const char *text;
} OptValue;

/* "key=value": the key is letters, digits, '_' or '-' before the '='. */
static const char *option_value(const char *word)
{
    const char *eq = strchr(word, '=');
    if (!eq || eq == word)
        return NULL;
    for (const char *p = word; p < eq; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return NULL;
    return eq + 1;
}

static int find_key(const OptSpec *spec, const char *word, size_t keylen)
{
    for (int k = 0; spec && spec[k].key; k++)
        if (strlen(spec[k].key) == keylen &&
            strncasecmp(spec[k].key, word, keylen) == 0)
            return k;
    return -1;
}

static int unknown_key(Session *s, const char *cmd, const OptSpec *spec,
                       const char *word, size_t keylen)
{
    enum { MAXKEYS = 32 };
    const char *names[MAXKEYS + 1];
    char key[64];
    int n = 0;
    for (int k = 0; spec && spec[k].key && n < MAXKEYS; k++)
        names[n++] = spec[k].key;
    names[n] = NULL;
    snprintf(key, sizeof key, "%.*s", (int)keylen, word);
    const char *near = did_you_mean(key, names);
    if (near)
        return cmd_error(s, "%s: unknown option '%s=' (did you mean '%s='?)",
                         cmd, key, near);
    if (n == 0)
        return cmd_error(s, "%s: takes no key=value options, got '%s'", cmd,
                         word);
    char list[400];
    list_names(list, sizeof list, names);
    return cmd_error(s, "%s: unknown option '%s=' (expected %s)", cmd, key,
                     list);
}

/* Parse one option's value by the type of its spec row. */
static int parse_option(Session *s, const char *cmd, const OptSpec *o,
                        const char *value, OptValue *v)
{
    char what[72];
    snprintf(what, sizeof what, "%s=", o->key);
    if (*value == '\0') {
        cmd_error(s, "%s: expected a value after '%s'", cmd, what);
        return -1;
    }
    switch (o->type) {
    case 'd':
        return arg_double(s, cmd, value, what, o->lo, o->hi, &v->d);
    case 'i':
        return arg_int(s, cmd, value, what, (long)o->lo, (long)o->hi,
                       &v->i);
    case 'e': {
        char value_of[80];
        snprintf(value_of, sizeof value_of, "%s= value", o->key);
        return arg_enum(s, cmd, value, value_of, o->names, &v->e);
    }
    case 'b':
        return parse_bool(s, cmd, value, what, &v->e);
    case 's':
    case 'l':
        v->text = value;
        return 0;
    default:
        cmd_error(s, "%s: internal error: option type '%c'", cmd, o->type);
        return -1;
    }
}

static void store_option(const OptSpec *o, const OptValue *v)
{
    switch (o->type) {
    case 'd': *(double *)o->dst = v->d; break;
    case 'i': *(long *)o->dst = v->i; break;
    case 'e':
    case 'b': *(int *)o->dst = v->e; break;
    default: *(const char **)o->dst = v->text; break;
    }
    if (o->seen)
        *o->seen = 1;
}

int args_parse(Session *s, const char *cmd, int argc, char **argv, int first,
               const OptSpec *spec, char **pos, int maxpos)
{
    enum { MAXOPT = 64 };
    int nspec = 0;
    while (spec && spec[nspec].key)
        nspec++;
    if (nspec > MAXOPT) {
        cmd_error(s, "%s: internal error: too many options", cmd);
        return -1;
    }
    OptValue val[MAXOPT];
    char given[MAXOPT] = {0};
    int npos = 0;

    for (int a = first; a < argc; a++) {
        const char *value = option_value(argv[a]);
        if (!value) {
            if (npos >= maxpos) {
                if (maxpos == 0)
                    cmd_error(s, "%s: unexpected argument '%s'", cmd,
                              argv[a]);
                else
                    cmd_error(s, "%s: too many arguments at '%s' (at most "
                              "%d)", cmd, argv[a], maxpos);
                return -1;
            }
            pos[npos++] = argv[a];
            continue;
        }
        size_t keylen = (size_t)(value - 1 - argv[a]);
        int k = find_key(spec, argv[a], keylen);
        if (k < 0) {
            unknown_key(s, cmd, spec, argv[a], keylen);
            return -1;
        }
        if (given[k]) {
            cmd_error(s, "%s: '%s=' given twice", cmd, spec[k].key);
            return -1;
        }
        if (parse_option(s, cmd, &spec[k], value, &val[k]) < 0)
            return -1;
        given[k] = 1;
    }
    for (int k = 0; k < nspec; k++)
        if (given[k])
            store_option(&spec[k], &val[k]);
    return npos;
}
