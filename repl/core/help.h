/*
 * help.h — `help`, `help CMD`, `help GROUP` and `CMD --help`, read from
 * the registered command rows alone: a command documented in its row is
 * documented everywhere.
 */
#ifndef NNLAB_HELP_H
#define NNLAB_HELP_H

#include "session.h"

/* name NULL: every command by group.  A command's name: its usage,
 * summary, help and example.  A group's name (any case): that group.
 * CMD_OK, or CMD_ERR with "no command 'x' (did you mean ...)". */
int help_show(Session *s, const char *name);

#endif
