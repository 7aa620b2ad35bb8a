/* paths.c — finding nnlab's own files (see paths.h). */
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int try_path(char *buf, size_t n, const char *dir, const char *sub,
                    const char *file)
{
    int w = sub ? snprintf(buf, n, "%s/%s/%s", dir, sub, file)
                : snprintf(buf, n, "%s/%s", dir, file);
    return w > 0 && (size_t)w < n && access(buf, R_OK) == 0 ? 0 : -1;
}

int path_find(const char *env_var, const char *subdir, const char *file,
              char *buf, size_t n)
{
    const char *env = env_var ? getenv(env_var) : NULL;
    if (env && *env && !try_path(buf, n, env, NULL, file))
        return 0;
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char up[4200];
            snprintf(up, sizeof up, "%s/..", exe);
            if (!try_path(buf, n, up, subdir, file))
                return 0;
            snprintf(up, sizeof up, "%s/../..", exe);
            if (!try_path(buf, n, up, subdir, file))
                return 0;
        }
    }
    if (!try_path(buf, n, ".", subdir, file))
        return 0;
    return try_path(buf, n, NNLAB_DATADIR, subdir, file);
}
