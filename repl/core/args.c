/*
 * args.c — parsing command arguments the same way everywhere.
 *
 * A student who types `lr 0.1x` or `optim adm` should get one line saying
 * what was wrong and what was expected, and nothing should change.  So every
 * parser here reports through cmd_error() itself, and args_parse() checks
 * every key=value option before it writes any result: either all the
 * handler's variables are filled or none is.
 * Suggestions ("did you mean 'adam'?") come from text_did_you_mean.
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "text.h"

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

int args_double(Session *s, const char *text,
               const char *what, double lo, double hi, double *out)
{
    char range[80];
    double v;
    describe_range(range, sizeof range, lo, hi);
    if (parse_double(text, &v) < 0 || v < lo || v > hi) {
        cmd_error(s, "expected a number%s for %s, got '%s'", range,
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

int args_int(Session *s, const char *text, const char *what,
            long lo, long hi, long *out)
{
    long v;
    if (parse_long(text, &v) < 0 || v < lo || v > hi) {
        cmd_error(s, "expected a whole number in [%ld, %ld] for %s, "
                  "got '%s'", lo, hi, what, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

int args_enum(Session *s, const char *text,
             const char *what, const char *const *names, int *index)
{
    for (int i = 0; names[i]; i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *index = i;
            return 0;
        }
    }
    const char *near = text_did_you_mean(text, names);
    if (near) {
        cmd_error(s, "unknown %s '%s' (did you mean '%s'?)", what,
                  text, near);
    } else {
        char list[400];
        text_list(list, sizeof list, names);
        cmd_error(s, "unknown %s '%s' (expected %s)", what, text,
                  list);
    }
    return -1;
}

/* on/off and its synonyms; `what` (may be NULL) names an option. */
static int parse_bool(Session *s, const char *text,
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
    cmd_error(s, "expected on or off%s%s, got '%s'",
              what ? " for " : "", what ? what : "", text);
    return -1;
}

int args_bool(Session *s, const char *text, int *out)
{
    return parse_bool(s, text, NULL, out);
}

/* ------------------------------------------------------------------ */
/* Did you mean                                                         */
/* ------------------------------------------------------------------ */

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

static int unknown_key(Session *s, const OptSpec *spec,
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
    const char *near = text_did_you_mean(key, names);
    if (near)
        return cmd_error(s, "unknown option '%s=' (did you mean '%s='?)",
                         key, near);
    if (n == 0)
        return cmd_error(s, "takes no key=value options, got '%s'",
                         word);
    char list[400];
    text_list(list, sizeof list, names);
    return cmd_error(s, "unknown option '%s=' (expected %s)", key,
                     list);
}

/* Parse one option's value by the type of its spec row. */
static int parse_option(Session *s, const OptSpec *o,
                        const char *value, OptValue *v)
{
    char what[72];
    snprintf(what, sizeof what, "%s=", o->key);
    if (*value == '\0') {
        cmd_error(s, "expected a value after '%s'", what);
        return -1;
    }
    switch (o->type) {
    case 'd':
        return args_double(s, value, what, o->lo, o->hi, &v->d);
    case 'i':
        return args_int(s, value, what, (long)o->lo, (long)o->hi,
                       &v->i);
    case 'e': {
        char value_of[80];
        snprintf(value_of, sizeof value_of, "%s= value", o->key);
        return args_enum(s, value, value_of, o->names, &v->e);
    }
    case 'b':
        return parse_bool(s, value, what, &v->e);
    case 's':
    case 'l':
        v->text = value;
        return 0;
    default:
        cmd_error(s, "internal error: option type '%c'", o->type);
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

int args_parse(Session *s, int argc, char **argv, int first,
               const OptSpec *spec, char **pos, int maxpos)
{
    enum { MAXOPT = 64 };
    int nspec = 0;
    while (spec && spec[nspec].key)
        nspec++;
    if (nspec > MAXOPT) {
        cmd_error(s, "internal error: too many options");
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
                    cmd_error(s, "unexpected argument '%s'",
                              argv[a]);
                else
                    cmd_error(s, "too many arguments at '%s' (at most "
                              "%d)", argv[a], maxpos);
                return -1;
            }
            pos[npos++] = argv[a];
            continue;
        }
        size_t keylen = (size_t)(value - 1 - argv[a]);
        int k = find_key(spec, argv[a], keylen);
        if (k < 0) {
            unknown_key(s, spec, argv[a], keylen);
            return -1;
        }
        if (given[k]) {
            cmd_error(s, "'%s=' given twice", spec[k].key);
            return -1;
        }
        if (parse_option(s, &spec[k], value, &val[k]) < 0)
            return -1;
        given[k] = 1;
    }
    for (int k = 0; k < nspec; k++)
        if (given[k])
            store_option(&spec[k], &val[k]);
    return npos;
}
