/*
 * paths.h — finding nnlab's own files (shipped data, lessons) wherever the
 * program was started from: in the source tree (beside build/), installed
 * (PREFIX/share/nnlab beside PREFIX/bin/nnlab, by make install), or from
 * the current directory.
 */
#ifndef NNLAB_PATHS_H
#define NNLAB_PATHS_H

#include <stddef.h>

#ifndef NNLAB_DATADIR
#define NNLAB_DATADIR "/usr/local/share/nnlab"
#endif

#define PATH_DIR_LEN 1024
#define PATH_MAX_DIRS 5

/* The directories that may hold nnlab's subdir ("data", "lessons"), in the
 * order to search: beside the executable (../subdir, ../../subdir,
 * ../share/nnlab/subdir), ./subdir, NNLAB_DATADIR/subdir.  Returns how
 * many were written (at most max). */
int path_dirs(const char *subdir, char dirs[][PATH_DIR_LEN], int max);

/* Path of subdir/file into buf, searching, in order: $env_var (a directory,
 * if env_var is non-NULL and set), the executable's ../subdir,
 * ../../subdir and ../share/nnlab/subdir, ./subdir, NNLAB_DATADIR/subdir.
 * 0, or -1 if not found. */
int path_find(const char *env_var, const char *subdir, const char *file,
              char *buf, size_t n);

#endif
