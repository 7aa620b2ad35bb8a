/*
 * check_internal.h — the compiled form of a check, shared by the parser
 * (check_parse.c) and the evaluator (check.c); not for other modules.
 *
 * An expression is a tree kept in one array of nodes, operands referring
 * to other nodes by index, and a table of the distinct variables it reads.
 */
#ifndef NNLAB_CHECK_INTERNAL_H
#define NNLAB_CHECK_INTERNAL_H

#include "check.h"

enum {
    N_NUM, N_VAR, N_NEG, N_NOT,
    N_ADD, N_SUB, N_MUL, N_DIV,
    N_LT, N_LE, N_GT, N_GE, N_EQ, N_NE, N_APPROX,
    N_AND, N_OR, N_CALL
};

typedef struct Node {
    int kind;
    int a, b;     /* operands (node indices); b = -1 for one operand */
    int fn;       /* N_CALL: index into check_funcs[] */
    int var;      /* N_VAR: index into vars */
    double num;   /* N_NUM */
} Node;

typedef struct Var {
    char *name;   /* "layer.act_std" */
    char *text;   /* "layer[10].act_std" */
    int index;
    int has_index;
} Var;

struct CheckExpr {
    char *text;
    Node *nodes;
    int nnodes, root;
    Var *vars;
    int nvars;
};

/* The functions a check may call (check.c); one-argument functions
 * ignore their second argument. */
typedef struct CheckFunc {
    const char *name;
    int nargs;
    double (*f)(double, double);
} CheckFunc;

extern const CheckFunc check_funcs[];
extern const int check_nfuncs;

#endif
