/*
 * check.h — the little expression language of lesson checks.
 *
 * A check is a line such as `train_acc >= 0.95` or
 * `0.19 < layer[1].act_std < 0.23 and loss < 0.1`.  It is compiled once
 * (when a lesson file is read, so a typo is reported with the file and
 * line) and evaluated any number of times against the current state through
 * a lookup callback.  Nothing here prints, touches the Session, or knows
 * what the variables mean: this module is pure and is tested on its own.
 *
 * The language:
 *   numbers      0.5  1e-7  10
 *   variables    train_acc            name "train_acc",     index 0
 *                layer[10].act_std    name "layer.act_std", index 10
 *                (written NAME, NAME[i] or NAME[i].FIELD; the looked-up
 *                name drops the brackets: "NAME", "NAME", "NAME.FIELD")
 *   arithmetic   + - * /  unary -  parentheses
 *   functions    abs(x) log(x) (natural) log10(x) sqrt(x) exp(x)
 *                min(a,b) max(a,b)
 *   comparisons  < <= > >= == != ~=
 *                a == b   equal within 1e-9 relative
 *                a ~= b   a within 2% of b (relative to the right side)
 *                chains read as in mathematics: 0.1 < x < 0.3
 *   logic        and  or  not
 * A check passes when its value is non-zero (a comparison is 1 or 0).
 * Any comparison with NaN is false, except != which is true.
 */
#ifndef NNLAB_CHECK_H
#define NNLAB_CHECK_H

#include <stddef.h>

/* Look up a variable: return 0 and store the value, -1 when it is not
 * known or not available now, or CHECK_OUT_OF_RANGE when the index names
 * nothing there is (layer[5] of a two-layer network).  `name` and `index`
 * as described above. */
enum { CHECK_OUT_OF_RANGE = -2 };
typedef int (*check_lookup_fn)(void *ctx, const char *name, int index,
                               double *value);

typedef struct CheckExpr CheckExpr;

/* Compile `text`.  Returns a new expression the caller frees with
 * check_free(), or NULL with a one-line message in err ("expected ')' at
 * column 12").  Columns count from 1. */
CheckExpr *check_compile(const char *text, char *err, size_t errlen);
void check_free(CheckExpr *c);

/* The expression as written, trimmed (points into c, valid until
 * check_free). */
const char *check_text(const CheckExpr *c);

/* The distinct variables the expression reads, in order of first use.
 * Strings point into c.  check_var_text gives the spelling for messages
 * ("layer[10].act_std"); check_var_has_index tells whether [i] was
 * written. */
int check_nvars(const CheckExpr *c);
const char *check_var_name(const CheckExpr *c, int i);
const char *check_var_text(const CheckExpr *c, int i);
int check_var_index(const CheckExpr *c, int i);
int check_var_has_index(const CheckExpr *c, int i);

enum { CHECK_ERROR = -1, CHECK_FAIL = 0, CHECK_PASS = 1 };

typedef struct CheckResult {
    int status;       /* CHECK_PASS, CHECK_FAIL or CHECK_ERROR */
    double value;     /* the value of the whole expression */
    char found[256];  /* "train_acc = 0.9133, loss = 0.05" (may be "") */
    char error[256];  /* with CHECK_ERROR: "gradcheck_max is not available"
                         or "layer[5].w_var is out of range" */
    int out_of_range; /* the error is an index out of range: running more
                         commands will not make it available */
} CheckResult;

/* Evaluate c, reading every variable once through lookup(ctx, ...).
 * Values in `found` are printed with as few digits as still give the same
 * verdict, so a failure never reads "found 0.95" against ">= 0.95".
 * Returns r->status. */
int check_eval(const CheckExpr *c, check_lookup_fn lookup, void *ctx,
               CheckResult *r);

#endif
