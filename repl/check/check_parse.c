/*
 * check_parse.c — compile lesson check expressions (see check.h for the
 * language), and the compiled expression's accessors.
 *
 * A recursive-descent parser turns the text into a small tree kept in one
 * array (a node per token at most, so the array is sized from the text
 * length up front and never grows).  Variables are collected and
 * deduplicated by their spelling, so check.c looks each up once per
 * evaluation.  Errors name the column, because a lesson author reads them.
 */
#include "check_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64  /* nesting of (), unary operators and `not` */
#define MAX_TEXT 1000 /* characters; bounds the tree depth and the stack */

typedef struct Parser {
    const char *s;
    size_t pos;
    CheckExpr *c;
    int depth;
    int failed;
    char *err;
    size_t errlen;
} Parser;

static void perr(Parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void perr(Parser *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    if (!p->err || !p->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

static int is_ident_start(int ch) { return isalpha(ch) || ch == '_'; }
static int is_ident_char(int ch) { return isalnum(ch) || ch == '_'; }

static void skip_space(Parser *p)
{
    while (isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

static int column(const Parser *p) { return (int)p->pos + 1; }

/* Describe what is at the current position, for error messages. */
static void describe_here(Parser *p, char *buf, size_t n)
{
    const char *t = p->s + p->pos;
    if (!*t) {
        snprintf(buf, n, "the end");
        return;
    }
    size_t len = 1;
    if (is_ident_start((unsigned char)*t) || isdigit((unsigned char)*t))
        while (t[len] && (is_ident_char((unsigned char)t[len]) || t[len] == '.'))
            len++;
    if (len > 20)
        len = 20;
    snprintf(buf, n, "'%.*s' at column %d", (int)len, t, column(p));
}

static void expected(Parser *p, const char *what)
{
    char here[64];
    describe_here(p, here, sizeof here);
    perr(p, "expected %s, found %s", what, here);
}

static int new_node(Parser *p, int kind, int a, int b)
{
    Node *n = &p->c->nodes[p->c->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->a = a;
    n->b = b;
    return p->c->nnodes++;
}

/* Match a keyword (and, or, not) as a whole word. */
static int match_word(Parser *p, const char *w)
{
    skip_space(p);
    size_t n = strlen(w);
    if (strncmp(p->s + p->pos, w, n) == 0 &&
        !is_ident_char((unsigned char)p->s[p->pos + n])) {
        p->pos += n;
        return 1;
    }
    return 0;
}

static int match_char(Parser *p, char ch)
{
    skip_space(p);
    if (p->s[p->pos] == ch) {
        p->pos++;
        return 1;
    }
    return 0;
}

static int parse_or(Parser *p);

static int enter(Parser *p)
{
    if (++p->depth > MAX_DEPTH) {
        perr(p, "expression nested too deeply");
        return -1;
    }
    return 0;
}

static int parse_number(Parser *p)
{
    const char *start = p->s + p->pos;
    size_t i = 0;
    while (isdigit((unsigned char)start[i]))
        i++;
    if (start[i] == '.') {
        i++;
        while (isdigit((unsigned char)start[i]))
            i++;
    }
    if (start[i] == 'e' || start[i] == 'E') {
        size_t j = i + 1;
        if (start[j] == '+' || start[j] == '-')
            j++;
        if (isdigit((unsigned char)start[j])) {
            while (isdigit((unsigned char)start[j]))
                j++;
            i = j;
        }
    }
    if (is_ident_char((unsigned char)start[i]) || start[i] == '.') {
        expected(p, "a number");
        return -1;
    }
    char buf[64];
    if (i >= sizeof buf) {
        perr(p, "number too long at column %d", column(p));
        return -1;
    }
    memcpy(buf, start, i);
    buf[i] = 0;
    int n = new_node(p, N_NUM, -1, -1);
    p->c->nodes[n].num = strtod(buf, NULL);
    p->pos += i;
    return n;
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static size_t ident_len(const char *s)
{
    size_t n = 0;
    if (!is_ident_start((unsigned char)s[0]))
        return 0;
    while (is_ident_char((unsigned char)s[n]))
        n++;
    return n;
}

/* Record a variable (deduplicated by spelling) and return its slot. */
static int add_var(Parser *p, const char *name, const char *text, int index,
                   int has_index)
{
    CheckExpr *c = p->c;
    for (int i = 0; i < c->nvars; i++)
        if (strcmp(c->vars[i].text, text) == 0)
            return i;
    Var *nv = realloc(c->vars, (size_t)(c->nvars + 1) * sizeof *nv);
    if (!nv) {
        perr(p, "out of memory");
        return -1;
    }
    c->vars = nv;
    Var *v = &c->vars[c->nvars];
    v->name = strdup(name);
    v->text = strdup(text);
    v->index = index;
    v->has_index = has_index;
    if (!v->name || !v->text) {
        free(v->name);
        free(v->text);
        perr(p, "out of memory");
        return -1;
    }
    return c->nvars++;
}

/* NAME, NAME[i], NAME[i].FIELD or NAME.FIELD (the last is parsed so that
 * the caller can say the index is missing). */
static int parse_variable(Parser *p, const char *id, size_t idlen)
{
    char name[128], text[160];
    int index = 0, has_index = 0;
    if (idlen >= 64) {
        perr(p, "name too long at column %d", column(p));
        return -1;
    }
    p->pos += idlen;
    snprintf(name, sizeof name, "%.*s", (int)idlen, id);
    snprintf(text, sizeof text, "%s", name);
    if (p->s[p->pos] == '[') {
        p->pos++;
        skip_space(p);
        const char *d = p->s + p->pos;
        size_t n = 0;
        while (isdigit((unsigned char)d[n]))
            n++;
        if (n == 0 || n > 6) {
            expected(p, "a layer number (0, 1, 2, ...)");
            return -1;
        }
        index = atoi(d);
        has_index = 1;
        p->pos += n;
        if (!match_char(p, ']')) {
            expected(p, "']'");
            return -1;
        }
        snprintf(text + strlen(text), sizeof text - strlen(text), "[%d]",
                 index);
    }
    if (p->s[p->pos] == '.') {
        p->pos++;
        size_t flen = ident_len(p->s + p->pos);
        if (flen == 0 || flen >= 64) {
            expected(p, "a field name after '.'");
            return -1;
        }
        snprintf(name + strlen(name), sizeof name - strlen(name), ".%.*s",
                 (int)flen, p->s + p->pos);
        snprintf(text + strlen(text), sizeof text - strlen(text), ".%.*s",
                 (int)flen, p->s + p->pos);
        p->pos += flen;
    }
    int slot = add_var(p, name, text, index, has_index);
    if (slot < 0)
        return -1;
    int node = new_node(p, N_VAR, -1, -1);
    p->c->nodes[node].var = slot;
    return node;
}

static int parse_call(Parser *p, const char *id, size_t idlen)
{
    int f = -1;
    for (int i = 0; i < check_nfuncs; i++)
        if (strlen(check_funcs[i].name) == idlen &&
            strncmp(check_funcs[i].name, id, idlen) == 0)
            f = i;
    if (f < 0) {
        perr(p, "unknown function '%.*s' at column %d (functions: abs log "
                "log10 sqrt exp min max)", (int)idlen, id, column(p));
        return -1;
    }
    p->pos += idlen;
    match_char(p, '(');
    if (enter(p) < 0)
        return -1;
    int a = parse_or(p), b = -1;
    p->depth--;
    if (a < 0)
        return -1;
    if (check_funcs[f].nargs == 2) {
        if (!match_char(p, ',')) {
            expected(p, "',' (min and max take two values)");
            return -1;
        }
        p->depth++;
        b = parse_or(p);
        p->depth--;
        if (b < 0)
            return -1;
    }
    if (!match_char(p, ')')) {
        expected(p, "')'");
        return -1;
    }
    int n = new_node(p, N_CALL, a, b);
    p->c->nodes[n].fn = f;
    return n;
}

static int parse_primary(Parser *p)
{
    skip_space(p);
    const char *t = p->s + p->pos;
    if (*t == '(') {
        p->pos++;
        if (enter(p) < 0)
            return -1;
        int n = parse_or(p);
        p->depth--;
        if (n < 0)
            return -1;
        if (!match_char(p, ')')) {
            expected(p, "')'");
            return -1;
        }
        return n;
    }
    if (isdigit((unsigned char)*t) ||
        (*t == '.' && isdigit((unsigned char)t[1])))
        return parse_number(p);
    size_t len = ident_len(t);
    if (len > 0) {
        if ((len == 3 && (!strncmp(t, "and", 3) || !strncmp(t, "not", 3))) ||
            (len == 2 && !strncmp(t, "or", 2))) {
            expected(p, "a value");
            return -1;
        }
        size_t after = len;
        while (isspace((unsigned char)t[after]))
            after++;
        if (t[after] == '(')
            return parse_call(p, t, len);
        return parse_variable(p, t, len);
    }
    expected(p, "a number, a name or '('");
    return -1;
}

static int parse_unary(Parser *p)
{
    skip_space(p);
    char ch = p->s[p->pos];
    if (ch == '-' || ch == '+') {
        p->pos++;
        if (enter(p) < 0)
            return -1;
        int a = parse_unary(p);
        p->depth--;
        if (a < 0 || ch == '+')
            return a;
        return new_node(p, N_NEG, a, -1);
    }
    return parse_primary(p);
}

static int parse_product(Parser *p)
{
    int a = parse_unary(p);
    while (a >= 0) {
        int kind;
        if (match_char(p, '*'))
            kind = N_MUL;
        else if (match_char(p, '/'))
            kind = N_DIV;
        else
            break;
        int b = parse_unary(p);
        if (b < 0)
            return -1;
        a = new_node(p, kind, a, b);
    }
    return a;
}

static int parse_sum(Parser *p)
{
    int a = parse_product(p);
    while (a >= 0) {
        int kind;
        if (match_char(p, '+'))
            kind = N_ADD;
        else if (match_char(p, '-'))
            kind = N_SUB;
        else
            break;
        int b = parse_product(p);
        if (b < 0)
            return -1;
        a = new_node(p, kind, a, b);
    }
    return a;
}

/* A comparison operator at the current position, or -1. */
static int match_relop(Parser *p)
{
    static const struct { const char *op; int kind; } ops[] = {
        {"<=", N_LE}, {">=", N_GE}, {"==", N_EQ}, {"!=", N_NE},
        {"~=", N_APPROX}, {"<", N_LT}, {">", N_GT},
    };
    skip_space(p);
    const char *t = p->s + p->pos;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].op);
        if (strncmp(t, ops[i].op, n) == 0) {
            p->pos += n;
            return ops[i].kind;
        }
    }
    if (t[0] == '=') {
        perr(p, "'=' at column %d: write '==' to compare", column(p));
        return -2;
    }
    return -1;
}

/* a < b < c reads as (a < b) and (b < c); b is shared, which is fine in a
 * tree that is only ever evaluated. */
static int parse_comparison(Parser *p)
{
    int a = parse_sum(p);
    int result = -1;
    while (a >= 0) {
        int kind = match_relop(p);
        if (kind == -2)
            return -1;
        if (kind < 0)
            break;
        int b = parse_sum(p);
        if (b < 0)
            return -1;
        int cmp = new_node(p, kind, a, b);
        result = result < 0 ? cmp : new_node(p, N_AND, result, cmp);
        a = b;
    }
    if (a < 0)
        return -1;
    return result < 0 ? a : result;
}

static int parse_not(Parser *p)
{
    if (match_word(p, "not")) {
        if (enter(p) < 0)
            return -1;
        int a = parse_not(p);
        p->depth--;
        return a < 0 ? -1 : new_node(p, N_NOT, a, -1);
    }
    return parse_comparison(p);
}

static int parse_and(Parser *p)
{
    int a = parse_not(p);
    while (a >= 0 && match_word(p, "and")) {
        int b = parse_not(p);
        if (b < 0)
            return -1;
        a = new_node(p, N_AND, a, b);
    }
    return a;
}

static int parse_or(Parser *p)
{
    int a = parse_and(p);
    while (a >= 0 && match_word(p, "or")) {
        int b = parse_and(p);
        if (b < 0)
            return -1;
        a = new_node(p, N_OR, a, b);
    }
    return a;
}

CheckExpr *check_compile(const char *text, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    CheckExpr *c = calloc(1, sizeof *c);
    if (!c)
        goto oom;
    c->text = dup_range(text, len);
    /* Every node comes from at least one character of the text, but a
     * comparison chain adds an `and` per extra operator: 2 per char. */
    c->nodes = malloc((2 * len + 2) * sizeof *c->nodes);
    if (!c->text || !c->nodes)
        goto oom;
    Parser p = {.s = c->text, .c = c, .err = err, .errlen = errlen};
    if (len == 0)
        perr(&p, "empty check (write a comparison such as train_acc >= 0.9)");
    else if (len > MAX_TEXT)
        perr(&p, "check too long (at most %d characters)", MAX_TEXT);
    if (p.failed) {
        check_free(c);
        return NULL;
    }
    c->root = parse_or(&p);
    if (c->root >= 0) {
        skip_space(&p);
        if (p.s[p.pos]) {
            char here[64];
            describe_here(&p, here, sizeof here);
            perr(&p, "unexpected %s (expected an operator or the end)", here);
        }
    }
    if (p.failed || c->root < 0) {
        check_free(c);
        return NULL;
    }
    return c;
oom:
    if (err && errlen)
        snprintf(err, errlen, "out of memory");
    check_free(c);
    return NULL;
}

void check_free(CheckExpr *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nvars; i++) {
        free(c->vars[i].name);
        free(c->vars[i].text);
    }
    free(c->vars);
    free(c->nodes);
    free(c->text);
    free(c);
}

const char *check_text(const CheckExpr *c) { return c->text; }
int check_nvars(const CheckExpr *c) { return c->nvars; }
const char *check_var_name(const CheckExpr *c, int i) { return c->vars[i].name; }
const char *check_var_text(const CheckExpr *c, int i) { return c->vars[i].text; }
int check_var_index(const CheckExpr *c, int i) { return c->vars[i].index; }
int check_var_has_index(const CheckExpr *c, int i)
{
    return c->vars[i].has_index;
}
