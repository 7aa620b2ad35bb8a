/*
 * test_safefile.c — replacing files (repl/base/safefile.c): every kind of
 * name (new, regular, read-only, symbolic link, dangling link, loop, FIFO
 * with and without a reader, character device, directory), what is kept
 * (the old content and mode when writing fails, the link, the device),
 * and that no temporary file is left behind.  A write that fails half-way
 * is made with a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored): EFBIG,
 * as a full disk gives ENOSPC.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "safefile.h"
#include "tmpdir.h"

static char dir[128];
static char err[512];

static const char *in_dir(const char *name)
{
    static char path[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static void put(const char *name, const char *text, mode_t mode)
{
    const char *p = in_dir(name);
    unlink(p);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(p, mode);
}

/* The whole file, or "" when it cannot be read. */
static const char *slurp(const char *path)
{
    static char buf[4096];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Files in the directory whose name starts with '.' (temporaries). */
static int hidden_files(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
             strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

/* Replace path with text through safefile; 0 or -1 (err says why). */
static int write_text(const char *path, unsigned flags, const char *text)
{
    SafeFile sf;
    if (safefile_open(&sf, path, flags, err, sizeof err))
        return -1;
    FILE *f = safefile_stream(&sf);
    assert_non_null(f);
    fputs(text, f);
    return safefile_commit(&sf, err, sizeof err);
}

static void test_new_file(void **state)
{
    (void)state;
    const char *p = in_dir("new.txt");
    unlink(p);
    mode_t old = umask(022);
    assert_int_equal(write_text(p, 0, "hello\n"), 0);
    umask(old);
    assert_string_equal(slurp(p), "hello\n");
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);   /* not mkstemp's 0600 */
    assert_int_equal(hidden_files(), 0);
}

static void test_replace_keeps_mode(void **state)
{
    (void)state;
    put("mode.txt", "old\n", 0640);
    assert_int_equal(write_text(in_dir("mode.txt"), 0, "new\n"), 0);
    assert_string_equal(slurp(in_dir("mode.txt")), "new\n");
    struct stat st;
    assert_int_equal(stat(in_dir("mode.txt"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
}

static void test_read_only_refused(void **state)
{
    (void)state;
    put("ro.txt", "keep\n", 0444);
    assert_int_equal(write_text(in_dir("ro.txt"), 0, "lost\n"), -1);
    assert_non_null(strstr(err, "is read-only: not replaced"));
    assert_string_equal(slurp(in_dir("ro.txt")), "keep\n");
    assert_int_equal(hidden_files(), 0);
}

static void test_symlink_followed(void **state)
{
    (void)state;
    put("target.txt", "old\n", 0600);
    unlink(in_dir("link.txt"));
    assert_int_equal(symlink("target.txt", in_dir("link.txt")), 0);
    assert_int_equal(write_text(in_dir("link.txt"), 0, "new\n"), 0);
    struct stat st;
    assert_int_equal(lstat(in_dir("link.txt"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));               /* still a link */
    assert_string_equal(slurp(in_dir("target.txt")), "new\n");
    assert_int_equal(stat(in_dir("target.txt"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* a dangling link makes its target; a loop is refused */
    unlink(in_dir("made.txt"));
    unlink(in_dir("dangling"));
    assert_int_equal(symlink("made.txt", in_dir("dangling")), 0);
    assert_int_equal(write_text(in_dir("dangling"), 0, "made\n"), 0);
    assert_string_equal(slurp(in_dir("made.txt")), "made\n");
    unlink(in_dir("loop"));
    assert_int_equal(symlink("loop", in_dir("loop")), 0);
    assert_int_equal(write_text(in_dir("loop"), 0, "x"), -1);
    assert_non_null(strstr(err, "symbolic links"));
}

static void test_directory_refused(void **state)
{
    (void)state;
    assert_int_equal(write_text(dir, SAFEFILE_DIRECT, "x"), -1);
    assert_non_null(strstr(err, "is a directory: not replaced"));
    assert_int_equal(write_text(in_dir("no/such/dir/f"), 0, "x"), -1);
    assert_non_null(strstr(err, "No such file or directory"));
}

static void test_devices(void **state)
{
    (void)state;
    /* written in place: /dev/null stays a device, even for root */
    assert_int_equal(write_text("/dev/null", SAFEFILE_DIRECT, "x\n"), 0);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* the real cause, not "Permission denied" from /dev */
    assert_int_equal(write_text("/dev/full", SAFEFILE_DIRECT, "x\n"), -1);
    assert_non_null(strstr(err, "No space left on device"));
    /* without SAFEFILE_DIRECT, refused */
    assert_int_equal(write_text("/dev/null", 0, "x\n"), -1);
    assert_non_null(strstr(err, "is a character device"));
}

static void test_fifo(void **state)
{
    (void)state;
    const char *p = in_dir("fifo");
    unlink(p);
    assert_int_equal(mkfifo(p, 0600), 0);
    /* nobody reads it: refused at once instead of waiting for ever */
    assert_int_equal(write_text(p, SAFEFILE_DIRECT, "x\n"), -1);
    assert_non_null(strstr(err, "is a FIFO and nothing is reading it"));
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {   /* the reader: copies the FIFO into the pipe */
        char buf[64];
        int in = open(p, O_RDONLY);
        ssize_t n = in < 0 ? 0 : read(in, buf, sizeof buf);
        _exit(n > 0 && write(fds[1], buf, (size_t)n) == n ? 0 : 1);
    }
    close(fds[1]);
    int rc = -1;
    for (int i = 0; i < 200 && rc < 0; i++) {   /* until the reader opens */
        rc = write_text(p, SAFEFILE_DIRECT, "through\n");
        if (rc < 0)
            usleep(10000);
    }
    assert_int_equal(rc, 0);
    char buf[64] = "";
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "through\n");
    close(fds[0]);
    waitpid(pid, NULL, 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
}

/* A write that fails half-way keeps the old file whole. */
static void test_failed_write_keeps_old(void **state)
{
    (void)state;
    put("big.txt", "the old content\n", 0644);
    struct rlimit old, small = {1024, 1024};
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    SafeFile sf;
    assert_int_equal(safefile_open(&sf, in_dir("big.txt"), 0, err,
                                   sizeof err), 0);
    FILE *f = safefile_stream(&sf);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d of a file larger than the limit\n", i);
    int rc = safefile_commit(&sf, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &old);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "File too large; the old file is kept"));
    assert_string_equal(slurp(in_dir("big.txt")), "the old content\n");
    assert_int_equal(hidden_files(), 0);
}

/* Another program writes by name (gnuplot): the temporary, then abort. */
static void test_write_path_and_abort(void **state)
{
    (void)state;
    put("plot.png", "old picture", 0644);
    SafeFile sf;
    assert_int_equal(safefile_open(&sf, in_dir("plot.png"), 0, err,
                                   sizeof err), 0);
    const char *w = safefile_write_path(&sf);
    assert_string_not_equal(w, in_dir("plot.png"));
    FILE *f = fopen(w, "w");
    assert_non_null(f);
    fputs("half a pic", f);
    fclose(f);
    safefile_abort(&sf);
    assert_string_equal(slurp(in_dir("plot.png")), "old picture");
    assert_int_equal(hidden_files(), 0);
    /* and committed, it takes the old one's place with its mode */
    assert_int_equal(safefile_open(&sf, in_dir("plot.png"), 0, err,
                                   sizeof err), 0);
    f = fopen(safefile_write_path(&sf), "w");
    fputs("new picture", f);
    fclose(f);
    assert_int_equal(safefile_commit(&sf, err, sizeof err), 0);
    assert_string_equal(slurp(in_dir("plot.png")), "new picture");
}

static int setup(void **state)
{
    (void)state;
    return tu_tmpdir_make(dir, sizeof dir, "test-safefile");
}

static int teardown(void **state)
{
    (void)state;
    return tu_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file),
        cmocka_unit_test(test_replace_keeps_mode),
        cmocka_unit_test(test_read_only_refused),
        cmocka_unit_test(test_symlink_followed),
        cmocka_unit_test(test_directory_refused),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_failed_write_keeps_old),
        cmocka_unit_test(test_write_path_and_abort),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
