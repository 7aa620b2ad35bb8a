/*
 * complete.h — Tab completion from the command table (complete.c).
 */
#ifndef NNLAB_COMPLETE_H
#define NNLAB_COMPLETE_H

#include "session.h"

/* Install readline's completion hooks for the session's table; free what
 * completion keeps. */
void complete_install(Session *s);
void complete_free(void);

#endif
