/*
 * safefile.c — replacing a file without destroying what it replaces (see
 * safefile.h for what each kind of name gets).
 *
 * Why it is built this way:
 *  - rename() over the target is atomic, but only within one directory and
 *    one file system: the temporary is made beside the target, which for a
 *    symbolic link is beside the file it points to (renaming over the link
 *    itself would turn it into a file and leave its target as it was).
 *  - rename() replaces whatever the name is.  As root, `save /dev/null`
 *    would turn the device into a regular file, so devices and FIFOs are
 *    opened and written in place instead, and anything that is not a
 *    regular file, a device or a FIFO is refused.
 *  - mkstemp() makes the temporary private (0600) and owned by whoever
 *    writes: the replaced file's mode (and owner, which only root can give
 *    away) is copied onto it before it takes the file's place.
 *  - A write error found only when the buffer is flushed at the end would
 *    have lost its errno: the stream is a cookie stream whose writes
 *    remember the first error, so "No space left on device" is what the
 *    user reads, not "write error".
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40   /* as the kernel's ELOOP limit */

static int fail(SafeFile *sf, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Report, free what was made, and return -1. */
static int fail(SafeFile *sf, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    safefile_abort(sf);
    return -1;
}

/* ------------------------------------------------------------------ */
/* What the name is                                                     */
/* ------------------------------------------------------------------ */

/* The directory part of path, "." when none (malloc'd). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Where a chain of symbolic links from `path` ends: a name that is not a
 * link (it may not exist: a dangling link creates its target).  malloc'd;
 * NULL with errno (ELOOP for a loop). */
static char *follow_links(const char *path)
{
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
            return cur;
        char link[PATH_MAX];
        ssize_t n = hops < MAX_LINKS ? readlink(cur, link, sizeof link - 1)
                                     : (errno = ELOOP, -1);
        if (n < 0) {
            int e = errno;
            free(cur);
            errno = e;
            return NULL;
        }
        link[n] = '\0';
        char *next = NULL;
        const char *slash = strrchr(cur, '/');
        if (link[0] == '/' || !slash)
            next = strdup(link);
        else if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur,
                          link) < 0)
            next = NULL;
        free(cur);
        cur = next;
    }
    errno = ENOMEM;
    return NULL;
}

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO"
         : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */
/* ------------------------------------------------------------------ */

/* A device or FIFO, opened for writing in place.  O_NONBLOCK so that a
 * FIFO nobody reads says so (ENXIO) instead of waiting forever; writes
 * then block as usual, and Ctrl-C interrupts them. */
static int open_direct(SafeFile *sf, mode_t mode, char *err, size_t errlen)
{
    sf->fd = open(sf->target, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (sf->fd < 0 && errno == ENXIO && S_ISFIFO(mode))
        return fail(sf, err, errlen, "%s is a FIFO and nothing is reading "
                    "it", sf->path);
    if (sf->fd < 0)
        return fail(sf, err, errlen, "cannot write %s: %s", sf->path,
                    strerror(errno));
    int fl = fcntl(sf->fd, F_GETFL);
    if (fl >= 0)
        fcntl(sf->fd, F_SETFL, fl & ~O_NONBLOCK);
    sf->direct = 1;
    return 0;
}

/* The temporary beside the target, with the mode the file will have. */
static int open_temp(SafeFile *sf, const struct stat *old, char *err,
                     size_t errlen)
{
    char *dir = dir_of(sf->target);
    const char *slash = strrchr(sf->target, '/');
    const char *base = slash ? slash + 1 : sf->target;
    /* a hidden name, cut so that a long one still fits in NAME_MAX */
    if (!dir || asprintf(&sf->tmp, "%s/.%.64s.XXXXXX", dir, base) < 0) {
        sf->tmp = NULL;
        free(dir);
        return fail(sf, err, errlen, "%s: out of memory", sf->path);
    }
    sf->fd = mkostemp(sf->tmp, O_CLOEXEC);
    if (sf->fd < 0) {
        int e = errno;
        free(sf->tmp);
        sf->tmp = NULL;
        free(dir);
        return fail(sf, err, errlen, "cannot write %s: %s", sf->path,
                    strerror(e));
    }
    free(dir);
    if (old) {
        /* only root may give a file away; a group we are in, anyone */
        if (fchown(sf->fd, geteuid() == 0 ? old->st_uid : (uid_t)-1,
                   old->st_gid) < 0) {
            /* the file becomes ours: it was writable, nothing is lost */
        }
        fchmod(sf->fd, old->st_mode & 07777);
    } else {
        mode_t mask = umask(0);
        umask(mask);
        fchmod(sf->fd, 0666 & ~mask);
    }
    return 0;
}

int safefile_open(SafeFile *sf, const char *path, unsigned flags, char *err,
                  size_t errlen)
{
    memset(sf, 0, sizeof *sf);
    sf->fd = -1;
    if (!path || !*path)
        return fail(sf, err, errlen, "no file name");
    sf->path = strdup(path);
    sf->target = follow_links(path);
    if (!sf->path || !sf->target)
        return fail(sf, err, errlen, "cannot write %s: %s", path,
                    strerror(errno));
    struct stat st;
    if (stat(sf->target, &st) < 0) {
        if (errno != ENOENT)
            return fail(sf, err, errlen, "cannot write %s: %s", path,
                        strerror(errno));
        return open_temp(sf, NULL, err, errlen);
    }
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        if (flags & SAFEFILE_DIRECT)
            return open_direct(sf, st.st_mode, err, errlen);
        return fail(sf, err, errlen, "%s is %s: only regular files are "
                    "written here", path, kind_of(st.st_mode));
    }
    if (!S_ISREG(st.st_mode))
        return fail(sf, err, errlen, "%s is %s: not replaced", path,
                    kind_of(st.st_mode));
    if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        return fail(sf, err, errlen, "%s is read-only: not replaced "
                    "(chmod u+w %s allows it)", path, path);
    if (faccessat(AT_FDCWD, sf->target, W_OK, AT_EACCESS) < 0)
        return fail(sf, err, errlen, "cannot replace %s: %s", path,
                    strerror(errno));
    sf->existed = 1;
    return open_temp(sf, &st, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

/* The cookie of safefile_stream: the descriptor and the first error. */
struct SafeSink {
    int fd;
    int error;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    struct SafeSink *k = cookie;
    size_t done = 0;
    while (done < n && !k->error) {
        ssize_t w = write(k->fd, buf + done, n - done);
        if (w > 0)
            done += (size_t)w;
        else
            k->error = w < 0 ? errno : EIO;  /* EINTR: Ctrl-C, give up */
    }
    return k->error ? -1 : (ssize_t)n;
}

/* The first write error of the stream, or 0. */
static int sink_error(const SafeFile *sf)
{
    return sf->sink ? sf->sink->error : 0;
}

FILE *safefile_stream(SafeFile *sf)
{
    if (sf->f || sf->fd < 0)
        return sf->f;
    sf->sink = calloc(1, sizeof *sf->sink);
    if (!sf->sink)
        return NULL;
    sf->sink->fd = sf->fd;
    /* no close function: the descriptor is safefile's to close */
    cookie_io_functions_t io = { NULL, sink_write, NULL, NULL };
    sf->f = fopencookie(sf->sink, "w", io);
    return sf->f;
}

const char *safefile_write_path(const SafeFile *sf)
{
    return sf->direct ? sf->target : sf->tmp;
}

/* ------------------------------------------------------------------ */
/* Finishing                                                            */
/* ------------------------------------------------------------------ */

/* The rename itself must reach the disk too; a failure here loses
 * nothing (the file is complete under its name), so it is not reported. */
static void sync_dir(const char *target)
{
    char *dir = dir_of(target);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int safefile_commit(SafeFile *sf, char *err, size_t errlen)
{
    int e = 0;
    if (sf->f) {
        if (fflush(sf->f) == EOF || ferror(sf->f))
            e = sink_error(sf) ? sink_error(sf) : EIO;
        fclose(sf->f);   /* the descriptor stays open */
        sf->f = NULL;
    }
    if (sf->fd < 0 && !e)
        e = EBADF;
    /* a device has nothing to sync (and /dev/null refuses) */
    if (!e && !sf->direct && fsync(sf->fd) < 0)
        e = errno;
    if (sf->fd >= 0 && close(sf->fd) < 0 && !e)
        e = errno;
    sf->fd = -1;
    if (!e && !sf->direct && rename(sf->tmp, sf->target) < 0)
        e = errno;
    if (e)
        return fail(sf, err, errlen, "could not write %s: %s; %s", sf->path,
                    strerror(e), sf->direct ? "it may be incomplete"
                                 : sf->existed ? "the old file is kept"
                                               : "nothing was written");
    if (!sf->direct)
        sync_dir(sf->target);
    free(sf->tmp);   /* renamed: nothing to remove */
    sf->tmp = NULL;
    safefile_abort(sf);
    return 0;
}

void safefile_abort(SafeFile *sf)
{
    if (sf->f)
        fclose(sf->f);
    if (sf->fd >= 0)
        close(sf->fd);
    if (sf->tmp)
        unlink(sf->tmp);
    free(sf->sink);
    free(sf->tmp);
    free(sf->target);
    free(sf->path);
    memset(sf, 0, sizeof *sf);
    sf->fd = -1;
}
