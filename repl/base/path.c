/* path.c — nnlab's own files and the user's state (see path.h). */
#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int try_path(char *buf, size_t n, const char *dir, const char *sub,
                    const char *file)
{
    int w = sub ? snprintf(buf, n, "%s/%s/%s", dir, sub, file)
                : snprintf(buf, n, "%s/%s", dir, file);
    return w > 0 && (size_t)w < n && access(buf, R_OK) == 0 ? 0 : -1;
}

int path_dirs(const char *subdir, char dirs[][PATH_DIR_LEN], int max)
{
    int n = 0;
    char exe[PATH_DIR_LEN];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* build/nnlab, build-asan/tests/..., and an install's
             * PREFIX/bin/nnlab beside PREFIX/share/nnlab */
            static const char *const up[] = { "..", "../..",
                                              "../share/nnlab" };
            for (int i = 0; i < 3 && n < max; i++) {
                int w = snprintf(dirs[n], PATH_DIR_LEN, "%s/%s/%s", exe,
                                 up[i], subdir);
                n += w > 0 && w < PATH_DIR_LEN;
            }
        }
    }
    if (n < max)
        n += snprintf(dirs[n], PATH_DIR_LEN, "%s", subdir) < PATH_DIR_LEN;
    if (n < max)
        n += snprintf(dirs[n], PATH_DIR_LEN, "%s/%s", NNLAB_DATADIR,
                      subdir) < PATH_DIR_LEN;
    return n;
}

int path_find(const char *env_var, const char *subdir, const char *file,
              char *buf, size_t n)
{
    const char *env = env_var ? getenv(env_var) : NULL;
    if (env && *env && !try_path(buf, n, env, NULL, file))
        return 0;
    char dirs[PATH_MAX_DIRS][PATH_DIR_LEN];
    int nd = path_dirs(subdir, dirs, PATH_MAX_DIRS);
    for (int i = 0; i < nd; i++)
        if (!try_path(buf, n, dirs[i], NULL, file))
            return 0;
    return -1;
}

/* mkdir -p, private to the user. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0700);
        *p = '/';
        if (r < 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int path_state(const char *name, char *buf, size_t n, int create)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int w;
    if (xdg && xdg[0] == '/')
        w = snprintf(buf, n, "%s/nnlab", xdg);
    else if (home && home[0] == '/')
        w = snprintf(buf, n, "%s/.local/state/nnlab", home);
    else
        return -1;
    if (w <= 0 || (size_t)w >= n || (create && make_dirs(buf) < 0))
        return -1;
    size_t dir = (size_t)w;
    w = snprintf(buf + dir, n - dir, "/%s", name);
    return w > 0 && (size_t)w < n - dir ? 0 : -1;
}
