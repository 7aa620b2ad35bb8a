/*
 * test_check.c — the check expression language (repl/check/check_parse.c, repl/check/check.c): numbers,
 * arithmetic, comparisons and their tolerances, logic, chains, functions,
 * variable naming for the lookup, the "found" text, NaN, unavailable
 * variables, and syntax errors with their columns.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "check.h"

/* A lookup over a small table; records the calls it got. */
typedef struct Var {
    const char *name;
    int index;
    double value;
} Var;

typedef struct Table {
    const Var *vars;
    int calls;
    char last_name[64];
    int last_index;
} Table;

static int table_lookup(void *ctx, const char *name, int index, double *v)
{
    Table *t = ctx;
    t->calls++;
    snprintf(t->last_name, sizeof t->last_name, "%s", name);
    t->last_index = index;
    for (const Var *p = t->vars; p && p->name; p++)
        if (strcmp(p->name, name) == 0 && p->index == index) {
            *v = p->value;
            return 0;
        }
    /* a network of two layers */
    if (strncmp(name, "layer.", 6) == 0 && (index < 1 || index > 2))
        return CHECK_OUT_OF_RANGE;
    return -1;
}

/* Compile and evaluate with an empty table. */
static int eval_const(const char *text)
{
    char err[256];
    CheckExpr *c = check_compile(text, err, sizeof err);
    if (!c) {
        fprintf(stderr, "compile '%s': %s\n", text, err);
        return -99;
    }
    Table t = {0};
    CheckResult r;
    int st = check_eval(c, table_lookup, &t, &r);
    check_free(c);
    return st;
}

static int eval_with(const char *text, const Var *vars, CheckResult *r)
{
    char err[256];
    CheckExpr *c = check_compile(text, err, sizeof err);
    if (!c) {
        fprintf(stderr, "compile '%s': %s\n", text, err);
        return -99;
    }
    Table t = {.vars = vars};
    int st = check_eval(c, table_lookup, &t, r);
    check_free(c);
    return st;
}

static void compile_error(const char *text, const char *expect)
{
    char err[256] = "";
    CheckExpr *c = check_compile(text, err, sizeof err);
    assert_null(c);
    if (strcmp(err, expect) != 0)
        fprintf(stderr, "'%s': got  '%s'\n        want '%s'\n", text, err,
                expect);
    assert_string_equal(err, expect);
}

static void test_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(eval_const("1 + 2 * 3 == 7"), CHECK_PASS);
    assert_int_equal(eval_const("(1 + 2) * 3 == 9"), CHECK_PASS);
    assert_int_equal(eval_const("10 / 4 == 2.5"), CHECK_PASS);
    assert_int_equal(eval_const("10 - 4 - 3 == 3"), CHECK_PASS);
    assert_int_equal(eval_const("-2 < -1"), CHECK_PASS);
    assert_int_equal(eval_const("- -2 == +2"), CHECK_PASS);
    assert_int_equal(eval_const("1e-7 < 1e-6"), CHECK_PASS);
    assert_int_equal(eval_const("2.5E+2 == 250"), CHECK_PASS);
    assert_int_equal(eval_const(".5 == 0.5"), CHECK_PASS);
    assert_int_equal(eval_const("3"), CHECK_PASS);
    assert_int_equal(eval_const("0"), CHECK_FAIL);
    assert_int_equal(eval_const("1 / 0 > 1e300"), CHECK_PASS);
}

static void test_comparisons(void **state)
{
    (void)state;
    assert_int_equal(eval_const("1 < 2"), CHECK_PASS);
    assert_int_equal(eval_const("2 < 2"), CHECK_FAIL);
    assert_int_equal(eval_const("2 <= 2"), CHECK_PASS);
    assert_int_equal(eval_const("3 > 2"), CHECK_PASS);
    assert_int_equal(eval_const("2 >= 3"), CHECK_FAIL);
    /* == forgives rounding, not real differences */
    assert_int_equal(eval_const("0.1 + 0.2 == 0.3"), CHECK_PASS);
    assert_int_equal(eval_const("1 == 1.0000001"), CHECK_FAIL);
    assert_int_equal(eval_const("0 == 0"), CHECK_PASS);
    assert_int_equal(eval_const("1 != 1.0000001"), CHECK_PASS);
    assert_int_equal(eval_const("0.1 + 0.2 != 0.3"), CHECK_FAIL);
    /* ~= is 2% of the right-hand side */
    assert_int_equal(eval_const("1.019 ~= 1"), CHECK_PASS);
    assert_int_equal(eval_const("0.981 ~= 1"), CHECK_PASS);
    assert_int_equal(eval_const("1.03 ~= 1"), CHECK_FAIL);
    assert_int_equal(eval_const("0.213 ~= 0.21"), CHECK_PASS);
    assert_int_equal(eval_const("1e-9 ~= 0"), CHECK_FAIL);
    assert_int_equal(eval_const("0 ~= 0"), CHECK_PASS);
}

static void test_logic_and_chains(void **state)
{
    (void)state;
    assert_int_equal(eval_const("1 < 2 and 2 < 3"), CHECK_PASS);
    assert_int_equal(eval_const("1 < 2 and 3 < 2"), CHECK_FAIL);
    assert_int_equal(eval_const("1 > 2 or 2 < 3"), CHECK_PASS);
    /* and binds tighter than or */
    assert_int_equal(eval_const("1 == 1 or 1 == 2 and 1 == 3"), CHECK_PASS);
    assert_int_equal(eval_const("(1 == 1 or 1 == 2) and 1 == 3"), CHECK_FAIL);
    assert_int_equal(eval_const("not 1 > 2"), CHECK_PASS);
    assert_int_equal(eval_const("not not 1"), CHECK_PASS);
    assert_int_equal(eval_const("1 < 2 < 3"), CHECK_PASS);
    assert_int_equal(eval_const("1 < 3 < 2"), CHECK_FAIL);
    assert_int_equal(eval_const("3 > 2 >= 2 > 1"), CHECK_PASS);
    /* keywords are whole words */
    compile_error("1 < 2 andy", "unexpected 'andy' at column 7 (expected an "
                                "operator or the end)");
}

static void test_functions(void **state)
{
    (void)state;
    assert_int_equal(eval_const("abs(-3) == 3"), CHECK_PASS);
    assert_int_equal(eval_const("log(exp(2)) == 2"), CHECK_PASS);
    assert_int_equal(eval_const("log10(1000) == 3"), CHECK_PASS);
    assert_int_equal(eval_const("sqrt(16) == 4"), CHECK_PASS);
    assert_int_equal(eval_const("min(1, 2) == 1 and max(1, 2) == 2"),
                     CHECK_PASS);
    assert_int_equal(eval_const("abs (1 - 3) == 2"), CHECK_PASS);
    assert_int_equal(eval_const("log(10) ~= 2.3026"), CHECK_PASS);
    assert_int_equal(eval_const("log(-1) < 0"), CHECK_FAIL); /* NaN */
}

static void test_variables_and_names(void **state)
{
    (void)state;
    char err[256];
    CheckExpr *c = check_compile("  layer[10].act_std < 1e-4 and train_acc "
                                 ">= 0.5 or layer[10].act_std > 2  ",
                                 err, sizeof err);
    assert_non_null(c);
    assert_string_equal(check_text(c), "layer[10].act_std < 1e-4 and "
                        "train_acc >= 0.5 or layer[10].act_std > 2");
    assert_int_equal(check_nvars(c), 2);
    assert_string_equal(check_var_name(c, 0), "layer.act_std");
    assert_string_equal(check_var_text(c, 0), "layer[10].act_std");
    assert_int_equal(check_var_index(c, 0), 10);
    assert_int_equal(check_var_has_index(c, 0), 1);
    assert_string_equal(check_var_name(c, 1), "train_acc");
    assert_int_equal(check_var_index(c, 1), 0);
    assert_int_equal(check_var_has_index(c, 1), 0);

    Var vars[] = {{"layer.act_std", 10, 3e-7}, {"train_acc", 0, 0.4},
                  {NULL, 0, 0}};
    Table t = {.vars = vars};
    CheckResult r;
    assert_int_equal(check_eval(c, table_lookup, &t, &r), CHECK_FAIL);
    assert_int_equal(t.calls, 2); /* each variable read once */
    assert_string_equal(r.found, "layer[10].act_std = 3e-07, train_acc = 0.4");
    check_free(c);

    /* other spellings the lookup may see */
    c = check_compile("acc[2] + x.y >= 0", err, sizeof err);
    assert_non_null(c);
    assert_string_equal(check_var_name(c, 0), "acc");
    assert_int_equal(check_var_index(c, 0), 2);
    assert_string_equal(check_var_name(c, 1), "x.y");
    assert_int_equal(check_var_has_index(c, 1), 0);
    check_free(c);
}

static void test_found_digits(void **state)
{
    (void)state;
    CheckResult r;
    Var v1[] = {{"train_acc", 0, 0.91333333333}, {NULL, 0, 0}};
    assert_int_equal(eval_with("train_acc >= 0.95", v1, &r), CHECK_FAIL);
    assert_string_equal(r.found, "train_acc = 0.9133");
    /* 0.95 would contradict the verdict: more digits are shown */
    Var v2[] = {{"train_acc", 0, 0.9499999999}, {NULL, 0, 0}};
    assert_int_equal(eval_with("train_acc >= 0.95", v2, &r), CHECK_FAIL);
    assert_string_equal(r.found, "train_acc = 0.9499999999");
    Var v3[] = {{"gradcheck_max", 0, 2.345678e-9}, {NULL, 0, 0}};
    assert_int_equal(eval_with("gradcheck_max < 1e-7", v3, &r), CHECK_PASS);
    assert_string_equal(r.found, "gradcheck_max = 2.346e-09");
    assert_int_equal(eval_with("1 < 2", v3, &r), CHECK_PASS);
    assert_string_equal(r.found, "");
    assert_true(r.value == 1.0);
}

static void test_nan_and_missing(void **state)
{
    (void)state;
    CheckResult r;
    Var v[] = {{"loss", 0, NAN}, {NULL, 0, 0}};
    assert_int_equal(eval_with("loss < 0.1", v, &r), CHECK_FAIL);
    assert_int_equal(eval_with("loss >= 0.1", v, &r), CHECK_FAIL);
    assert_int_equal(eval_with("loss == loss", v, &r), CHECK_FAIL);
    assert_int_equal(eval_with("loss != 0.1", v, &r), CHECK_PASS);
    assert_int_equal(eval_with("not loss < 0.1", v, &r), CHECK_PASS);
    assert_int_equal(eval_with("loss", v, &r), CHECK_FAIL);
    assert_string_equal(r.found, "loss = nan");

    assert_int_equal(eval_with("loss < 1 and gradcheck_max < 1e-7", v, &r),
                     CHECK_ERROR);
    assert_string_equal(r.error, "gradcheck_max is not available");
    assert_int_equal(eval_with("layer[2].dead < 0.5", v, &r), CHECK_ERROR);
    assert_string_equal(r.error, "layer[2].dead is not available");
    assert_false(r.out_of_range);
    /* no command can make layer[5] of a two-layer network available */
    assert_int_equal(eval_with("layer[5].w_var > 0", v, &r), CHECK_ERROR);
    assert_string_equal(r.error, "layer[5].w_var is out of range");
    assert_true(r.out_of_range);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    compile_error("", "empty check (write a comparison such as "
                      "train_acc >= 0.9)");
    compile_error("   ", "empty check (write a comparison such as "
                         "train_acc >= 0.9)");
    compile_error("train_acc >=", "expected a number, a name or '(', "
                                  "found the end");
    compile_error("(1 < 2", "expected ')', found the end");
    compile_error("1 < 2)", "unexpected ')' at column 6 (expected an "
                            "operator or the end)");
    compile_error("1 2", "unexpected '2' at column 3 (expected an operator "
                         "or the end)");
    compile_error("train_acc = 1", "'=' at column 11: write '==' to compare");
    compile_error("foo(1) > 0", "unknown function 'foo' at column 1 "
                                "(functions: abs log log10 sqrt exp min max)");
    compile_error("min(1) > 0", "expected ',' (min and max take two values), "
                                "found ')' at column 6");
    compile_error("abs(1, 2) > 0", "expected ')', found ',' at column 6");
    compile_error("layer[].act_std < 1", "expected a layer number (0, 1, 2, "
                                         "...), found ']' at column 7");
    compile_error("layer[x].act_std < 1", "expected a layer number (0, 1, 2, "
                                          "...), found 'x' at column 7");
    compile_error("layer[-1].act_std < 1", "expected a layer number (0, 1, "
                                           "2, ...), found '-' at column 7");
    compile_error("layer[1 < 2", "expected ']', found '<' at column 9");
    compile_error("layer[1]. < 2", "expected a field name after '.', found "
                                   "' ' at column 10");
    compile_error("1.2.3 < 4", "expected a number, found '1.2.3' at "
                               "column 1");
    compile_error("3x > 1", "expected a number, found '3x' at column 1");
    compile_error("loss < 0.1 and", "expected a number, a name or '(', "
                                    "found the end");
    compile_error("loss < and 1", "expected a value, found 'and' at "
                                  "column 8");
    compile_error("loss || 1", "unexpected '|' at column 6 (expected an "
                               "operator or the end)");
    compile_error("loss @ 1", "unexpected '@' at column 6 (expected an "
                              "operator or the end)");

    /* nesting is bounded, so hostile input cannot exhaust the stack */
    char deep[400];
    memset(deep, '(', 200);
    strcpy(deep + 200, "1");
    compile_error(deep, "expression nested too deeply");
    memset(deep, '-', 200);
    compile_error(deep, "expression nested too deeply");
    char longtext[1200];
    memset(longtext, '1', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = 0;
    compile_error(longtext, "check too long (at most 1000 characters)");
    /* a NULL or tiny error buffer is fine */
    assert_null(check_compile("(", NULL, 0));
    char tiny[4];
    assert_null(check_compile("(", tiny, sizeof tiny));
    assert_string_equal(tiny, "exp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_logic_and_chains),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_variables_and_names),
        cmocka_unit_test(test_found_digits),
        cmocka_unit_test(test_nan_and_missing),
        cmocka_unit_test(test_syntax_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
