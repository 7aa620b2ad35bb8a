/*
 * paths.h — finding nnlab's own files (shipped data, lessons) wherever the
 * program was started from: in the source tree (beside build/), installed
 * (NNLAB_DATADIR), or from the current directory.
 */
#ifndef NNLAB_PATHS_H
#define NNLAB_PATHS_H

#include <stddef.h>

#ifndef NNLAB_DATADIR
#define NNLAB_DATADIR "/usr/local/share/nnlab"
#endif

/* Path of subdir/file into buf, searching, in order: $env_var (a directory,
 * if env_var is non-NULL and set), the executable's ../subdir and
 * ../../subdir, ./subdir, NNLAB_DATADIR/subdir.  0, or -1 if not found. */
int path_find(const char *env_var, const char *subdir, const char *file,
              char *buf, size_t n);

#endif
