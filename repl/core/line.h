/*
 * line.h — a line of the command language split into commands and words
 * (line.c says the syntax).
 */
#ifndef NNLAB_LINE_H
#define NNLAB_LINE_H

#include <stddef.h>

/* The words of one command of a line. */
typedef struct LineCmd {
    int argc;
    char **argv;         /* argv[argc] == NULL */
} LineCmd;

/* Split a line into commands (';'), words (spaces, double quotes) and drop
 * a '#' comment.  On success returns the number of commands and sets *cmds
 * (free with line_free); empty commands are skipped.  On a syntax error
 * returns -1 with a message in err. */
int line_split(const char *line, LineCmd **cmds, char *err, size_t errlen);
void line_free(LineCmd *cmds, int n);

#endif
