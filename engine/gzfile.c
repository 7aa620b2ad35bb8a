/*
 * gzfile.c — opening a loader's file through zlib, which reads plain
 * files unchanged, and saying what went wrong with it (shared by csv.c
 * and idx.c; see data_internal.h).
 */
#include "data_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

gzFile nn_data_gz_open(const char *path, nn_err *err)
{
    struct stat st;
    gzFile f;
    if (stat(path, &st) != 0) {
        nn_fail(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        nn_fail(err, "%s: is a directory, expected a file", path);
        return NULL;
    }
    errno = 0;
    f = gzopen(path, "rb");
    if (!f) {
        nn_fail(err, "%s: cannot open: %s", path,
                errno ? strerror(errno) : "out of memory");
        return NULL;
    }
    gzbuffer(f, 1 << 17); /* fewer, larger reads: IDX files are big */
    return f;
}

int nn_data_gz_error(gzFile f, const char *path, nn_err *err)
{
    int code;
    const char *msg = gzerror(f, &code);
    switch (code) {
    case Z_OK:
    case Z_STREAM_END:
        return 0;
    case Z_ERRNO:
        return nn_fail(err, "%s: read error: %s", path, strerror(errno));
    case Z_BUF_ERROR:
        return nn_fail(err, "%s: truncated gzip file (%s)", path, msg);
    case Z_MEM_ERROR: /* zlib's buffers, allocated at the first read */
        return nn_fail(err, "%s: out of memory", path);
    default:
        return nn_fail(err, "%s: corrupt gzip data (%s)", path, msg);
    }
}

const char *nn_data_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
