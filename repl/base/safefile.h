/*
 * safefile.h — replacing a file without destroying what it replaces.
 *
 * Every file nnlab writes for the user (a model, a history CSV, a saved
 * plot) goes through here.  It is written under a temporary name beside
 * its target, flushed to the disk and renamed over the target only when
 * complete, so a full disk, an error or a crash leaves the old file as it
 * was.  What the name stands for decides what happens:
 *
 *   a new name           created, mode 0666 less the umask
 *   a regular file       replaced; its mode (and, as root, its owner) kept;
 *                        refused when it is read-only (no write permission
 *                        bit at all) or the user may not write it
 *   a symbolic link      followed: its target is replaced and the link
 *                        stays a link
 *   a character device   written directly, never replaced (/dev/null,
 *   or a FIFO            /dev/stdout); a FIFO needs a reader.  Only with
 *                        SAFEFILE_DIRECT; refused otherwise
 *   anything else        refused (a directory, a block device, a socket)
 *
 * Errors are one line "PATH ...: reason" in the caller's buffer, saying
 * what was kept ("the old file is kept").
 *
 * Use: safefile_open, then write through safefile_stream() (or let another
 * program write to safefile_write_path()), then safefile_commit(), or
 * safefile_abort() to drop it all.  Both free what open made.
 */
#ifndef NNLAB_SAFEFILE_H
#define NNLAB_SAFEFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct SafeFile {
    char *path;     /* as given, for messages (owned) */
    char *target;   /* the file replaced in the end: a link's target */
    char *tmp;      /* the temporary beside it; NULL when direct */
    int fd;         /* the temporary, or the device, open for writing */
    FILE *f;        /* made by safefile_stream, or NULL */
    struct SafeSink *sink;  /* f's writer, which keeps the first error */
    int direct;     /* a device or FIFO, written in place */
    int existed;    /* a regular file is being replaced */
} SafeFile;

/* Flags of safefile_open. */
enum { SAFEFILE_DIRECT = 1 };   /* devices and FIFOs are written directly */

/* Get ready to replace `path`.  0, or -1 with the reason in err (nothing
 * was created then). */
int safefile_open(SafeFile *sf, const char *path, unsigned flags, char *err,
                  size_t errlen);

/* A stream on the open file (made once; owned by sf).  NULL when out of
 * memory (err is untouched: commit reports it). */
FILE *safefile_stream(SafeFile *sf);

/* Where a program that opens the file by name should write: the
 * temporary, or the device itself. */
const char *safefile_write_path(const SafeFile *sf);

/* Finish: flush, sync and rename over the target (or just flush a device).
 * 0, or -1 with the reason in err and the target as it was before (the
 * temporary is removed).  sf is freed either way. */
int safefile_commit(SafeFile *sf, char *err, size_t errlen);

/* Drop what was written; the target is as it was.  sf is freed. */
void safefile_abort(SafeFile *sf);

#endif
