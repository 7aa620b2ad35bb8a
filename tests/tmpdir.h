/*
 * tmpdir.h — a fresh directory under /tmp for one test program's files,
 * and its removal with everything below it.  Static inline, like
 * testutil.h, so each test stays one translation unit.
 */
#ifndef NN_TMPDIR_H
#define NN_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* Make /tmp/nnlab-NAME-XXXXXX into dir (at least 64 bytes); 0 or -1. */
static inline int tu_tmpdir_make(char *dir, size_t size, const char *name)
{
    snprintf(dir, size, "/tmp/nnlab-%s-XXXXXX", name);
    return mkdtemp(dir) ? 0 : -1;
}

static inline int tu_tmpdir_remove_entry(const char *path,
                                         const struct stat *st, int flag,
                                         struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Remove dir and everything in it (depth first, links not followed). */
static inline int tu_tmpdir_remove(const char *dir)
{
    return nftw(dir, tu_tmpdir_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
