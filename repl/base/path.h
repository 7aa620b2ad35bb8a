/*
 * path.h — where nnlab's files are: its own (shipped data, lessons)
 * wherever the program was started from — in the source tree (beside
 * build/), installed (PREFIX/share/nnlab beside PREFIX/bin/nnlab, by make
 * install), or the current directory — and the user's state (history,
 * lesson progress).
 */
#ifndef NNLAB_PATH_H
#define NNLAB_PATH_H

#include <stddef.h>

#ifndef NNLAB_DATADIR
#define NNLAB_DATADIR "/usr/local/share/nnlab"
/* The user's state file `name` ("history", "progress") into buf:
 * $XDG_STATE_HOME/nnlab/NAME when XDG_STATE_HOME is an absolute path, else
 * $HOME/.local/state/nnlab/NAME.  With `create`, the directories are made
 * (private to the user).  0, or -1 without a home or a directory. */
int path_state(const char *name, char *buf, size_t n, int create);

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

/* The user's state file `name` ("history", "progress") into buf:
 * $XDG_STATE_HOME/nnlab/NAME when XDG_STATE_HOME is an absolute path, else
 * $HOME/.local/state/nnlab/NAME.  With `create`, the directories are made
 * (private to the user).  0, or -1 without a home or a directory. */
int path_state(const char *name, char *buf, size_t n, int create);

#endif
