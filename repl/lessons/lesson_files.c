/*
 * lesson_files.c — where lessons live and where progress is kept.
 *
 * Lessons are looked up by name in a short list of directories, so that
 * nnlab finds its lessons when run from the source tree (build/nnlab, next
 * to lessons/), from an install (PREFIX/share/nnlab/lessons), or wherever
 * a teacher points $NNLAB_LESSONS.
 *
 * Progress is one small text file rewritten through a temporary file and a
 * rename, so a crash never leaves it half written.
 */
#include "lesson.h"
#include "path.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define MAX_DIRS 8
#define DIR_LEN 1024

typedef struct DirList {
    char dir[MAX_DIRS][DIR_LEN];
    int n;
} DirList;

static void add_dir(DirList *d, const char *path)
{
    struct stat st;
    if (d->n >= MAX_DIRS || !*path || strlen(path) >= DIR_LEN)
        return;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    for (int i = 0; i < d->n; i++)
        if (strcmp(d->dir[i], path) == 0)
            return;
    snprintf(d->dir[d->n++], DIR_LEN, "%s", path);
}

static void lesson_dirs(DirList *d)
{
    char buf[DIR_LEN + 32];
    d->n = 0;
    const char *env = getenv("NNLAB_LESSONS");
    if (env && *env) {
        const char *p = env;
        while (*p) {
            size_t n = strcspn(p, ":");
            if (n < DIR_LEN) {
                snprintf(buf, sizeof buf, "%.*s", (int)n, p);
                add_dir(d, buf);
            }
            p += n + (p[n] == ':');
        }
        return;
    }
    char dirs[PATH_MAX_DIRS][PATH_DIR_LEN];
    int nd = path_dirs("lessons", dirs, PATH_MAX_DIRS);
    for (int i = 0; i < nd; i++)
        add_dir(d, dirs[i]);
}

static int valid_name(const char *name)
{
    if (!*name || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}

static int is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 7 && !strcmp(name + n - 7, ".lesson"));
}

int lesson_find(const char *name, char *buf, size_t n)
{
    if (is_path(name)) {
        if (access(name, R_OK) != 0)
            return -1;
        snprintf(buf, n, "%s", name);
        return 0;
    }
    if (!valid_name(name))
        return -1;
    DirList d;
    lesson_dirs(&d);
    for (int i = 0; i < d.n; i++) {
        int w = snprintf(buf, n, "%s/%s.lesson", d.dir[i], name);
        if (w > 0 && (size_t)w < n && access(buf, R_OK) == 0)
            return 0;
    }
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The one piece of static state: completion asks for the names with no
 * Session at hand, and each call rescans (it is a few readdir calls). */
static char **names_cache;

static void free_names(void)
{
    if (!names_cache)
        return;
    for (char **p = names_cache; *p; p++)
        free(*p);
    free(names_cache);
    names_cache = NULL;
}

const char *const *lesson_list_names(void)
{
    static char *const empty[] = {NULL};
    free_names();
    DirList d;
    lesson_dirs(&d);
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (int i = 0; i < d.n; i++) {
        DIR *dir = opendir(d.dir[i]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir))) {
            size_t len = strlen(e->d_name);
            if (len <= 7 || strcmp(e->d_name + len - 7, ".lesson") != 0)
                continue;
            char name[80];
            if (len - 7 >= sizeof name)
                continue;
            snprintf(name, sizeof name, "%.*s", (int)(len - 7), e->d_name);
            if (!valid_name(name))
                continue;
            int seen = 0;
            for (size_t k = 0; k < count && !seen; k++)
                seen = strcmp(names[k], name) == 0;
            if (seen)
                continue;
            if (count + 2 > cap) {
                size_t ncap = cap ? 2 * cap : 16;
                char **nn = realloc(names, ncap * sizeof *nn);
                if (!nn)
                    break;
                names = nn;
                cap = ncap;
            }
            if ((names[count] = strdup(name)))
                count++;
        }
        closedir(dir);
    }
    if (!names)
        return (const char *const *)empty;
    qsort(names, count, sizeof *names, cmp_str);
    names[count] = NULL;
    names_cache = names;
    return (const char *const *)names_cache;
}

/* ------------------------------------------------------------------ */
/* Progress                                                             */

int lesson_progress_path(char *buf, size_t n)
{
    return path_state("progress", buf, n, 0);
}

/* The name at the start of a progress line, if it is `name`. */
static int line_is(const char *line, const char *name)
{
    size_t n = strlen(name);
    return strncmp(line, name, n) == 0 &&
           (line[n] == ' ' || line[n] == '\n' || line[n] == 0);
}

int lesson_progress_get(const char *name, unsigned char *done, int n)
{
    char path[DIR_LEN + 64], line[1024];
    memset(done, 0, (size_t)n);
    if (lesson_progress_path(path, sizeof path) < 0)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || !line_is(line, name))
            continue;
        char *p = line + strlen(name);
        for (;;) {
            char *end;
            long k = strtol(p, &end, 10);
            if (end == p)
                break;
            if (k >= 1 && k <= n && !done[k - 1]) {
                done[k - 1] = 1;
                count++;
            }
            p = end;
        }
    }
    fclose(f);
    return count;
}

int lesson_progress_put(const char *name, const unsigned char *done, int n)
{
    char path[DIR_LEN + 64], tmp[DIR_LEN + 80], line[1024];
    if (!valid_name(name) || path_state("progress", path, sizeof path, 1) < 0)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    FILE *in = fopen(path, "r");
    if (in) {
        while (fgets(line, sizeof line, in))
            if (!line_is(line, name))
                fputs(line, out);
        fclose(in);
    } else {
        fputs("# nnlab lesson progress: a lesson, then the sections done\n",
              out);
    }
    int any = 0;
    for (int i = 0; i < n; i++)
        if (done[i]) {
            if (!any)
                fputs(name, out);
            fprintf(out, " %d", i + 1);
            any = 1;
        }
    if (any)
        fputc('\n', out);
    int bad = ferror(out);
    if (fclose(out) != 0 || bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
