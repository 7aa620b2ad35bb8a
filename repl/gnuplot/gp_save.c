/*
 * gp_save.c — a window's last frame saved to a file (gp_save): rendered by
 * a gnuplot of its own, checked, and only then put in the file's place.
 *
 * Why a gnuplot of its own: the live one runs at nice 19 so that drawing
 * never slows training down, and on a busy machine (a busy loop on each
 * core) it gets about 1.5% of a core: a boundary plot then takes it half a
 * minute, and a fixed timeout either gives up on it or waits for ever on
 * one that is really stuck.  A file the user asked for must come whatever
 * the load, so a one-off gnuplot at the usual priority renders it, and the
 * wait lasts as long as it makes progress: only a gnuplot that has used
 * no CPU time for gp->stuck seconds (stopped, or waiting on something that
 * never comes) is given up on, and Ctrl-C (gp->cancel) stops the wait.
 *
 * Why it is checked: on a full disk gnuplot leaves a 0- or 4096-byte PNG
 * and says nothing, and where it cannot open the file it says so in a few
 * lines and writes the picture to its output instead.  The file is written
 * under a temporary name (base/safefile.h) and must be a whole PNG (its
 * signature and the IEND chunk at the end) or SVG (<svg ... </svg>) before
 * it replaces the old one.
 */
#include "clock.h"
#include "gp_internal.h"
#include "safefile.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUTPUT_KEPT 8192   /* of gnuplot's output, for the message */
#define UNKNOWN_CPU_WAIT 120.0   /* without /proc: a plain timeout */

void gp_set_stuck_limit(Gp *gp, double seconds)
{
    gp->stuck = seconds > 0 ? seconds : GP_STUCK_SECONDS;
}

void gp_set_cancel(Gp *gp, const volatile sig_atomic_t *flag)
{
    gp->cancel = flag;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* ------------------------------------------------------------------ */
/* Running the one-off gnuplot                                          */
/* ------------------------------------------------------------------ */

typedef struct Render {
    pid_t pid;
    int in_fd, out_fd;
    const Buf *script;
    size_t sent;
    Buf out;             /* the first OUTPUT_KEPT bytes gnuplot printed */
    double cpu;          /* its CPU time when last seen to grow */
    double still_since;  /* since when it has not grown */
} Render;

/* Send what the pipe takes; close it once all is sent (gnuplot then
 * finishes and exits).  A gnuplot gone early shows in its output. */
static void send_some(Render *r)
{
    while (r->in_fd >= 0 && r->sent < r->script->len) {
        ssize_t w = write(r->in_fd, r->script->s + r->sent,
                          r->script->len - r->sent);
        if (w > 0)
            r->sent += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        else
            break;   /* EPIPE: gone */
    }
    gp_close_fd(&r->in_fd);
}

/* Read what gnuplot printed; 1 at the end of its output. */
static int read_some(Render *r)
{
    char tmp[4096];
    for (;;) {
        ssize_t n = read(r->out_fd, tmp, sizeof tmp);
        if (n > 0 && r->out.len < OUTPUT_KEPT)
            buf_add(&r->out, tmp, (size_t)n);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
}

/* Is gnuplot still working?  Its CPU time must grow now and then. */
static int stuck(const Gp *gp, Render *r, double now)
{
    double cpu = gp_child_cpu(r->pid);
    if (cpu > r->cpu) {
        r->cpu = cpu;
        r->still_since = now;
    }
    double limit = cpu < 0 ? UNKNOWN_CPU_WAIT : gp->stuck;
    return now - r->still_since > limit;
}

static void kill_render(Render *r)
{
    kill(r->pid, SIGKILL);
    while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Feed the script and wait for gnuplot to exit.  0, or -1 with a message
 * (stuck, interrupted, killed). */
static int wait_render(Gp *gp, Render *r, const char *file)
{
    r->cpu = 0;
    r->still_since = clock_now();
    for (int done = 0; !done;) {
        if (gp->cancel && *gp->cancel) {
            kill_render(r);
            gp_set_msg(gp, "plot: interrupted; %s not written", file);
            return -1;
        }
        if (stuck(gp, r, clock_now())) {
            kill_render(r);
            gp_set_msg(gp, "plot: gnuplot used no CPU time for %g s (stopped "
                       "or stuck?); %s not written", gp->stuck, file);
            return -1;
        }
        struct pollfd p[2] = {{r->out_fd, POLLIN, 0}, {r->in_fd, POLLOUT, 0}};
        if (poll(p, r->in_fd >= 0 ? 2 : 1, 250) < 0 && errno != EINTR)
            break;
        if (r->in_fd >= 0 && p[1].revents)
            send_some(r);
        if (p[0].revents)
            done = read_some(r);
    }
    int status;
    while (waitpid(r->pid, &status, 0) < 0)
        if (errno != EINTR)
            return 0;
    if (WIFSIGNALED(status)) {
        gp_set_msg(gp, "plot: gnuplot was killed (signal %d); %s not "
                   "written", WTERMSIG(status), file);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Checking what it wrote                                               */
/* ------------------------------------------------------------------ */

/* NULL when path holds a whole PNG or SVG; else what is wrong. */
static const char *not_whole(const char *path, GpTerm t, char *why,
                             size_t n)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r',
                                             '\n', 0x1a, '\n'};
    static const unsigned char png_end[8] = {'I', 'E', 'N', 'D', 0xae, 0x42,
                                             0x60, 0x82};
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) < 0) {
        if (f)
            fclose(f);
        return "nothing";
    }
    unsigned char head[64] = {0}, tail[64] = {0};
    size_t nh = fread(head, 1, sizeof head, f);
    long from = st.st_size > (long)sizeof tail ? st.st_size - (long)sizeof tail
                                               : 0;
    size_t nt = fseek(f, from, SEEK_SET) == 0
                    ? fread(tail, 1, sizeof tail, f) : 0;
    fclose(f);
    int whole = t == GP_TERM_PNG
        ? nh >= 8 && !memcmp(head, png_sig, 8) && nt >= 8 &&
              !memcmp(tail + nt - 8, png_end, 8)
        : nh > 0 && (memmem(head, nh, "<?xml", 5) || memmem(head, nh, "<svg",
                                                            4)) &&
              memmem(tail, nt, "</svg>", 6);
    if (whole)
        return NULL;
    /* gnuplot does not say why: a full disk is the usual reason */
    struct statvfs fs;
    int full = statvfs(path, &fs) == 0 &&
               (unsigned long long)fs.f_bavail * fs.f_frsize < 65536;
    snprintf(why, n, "an incomplete %s of %lld bytes%s",
             t == GP_TERM_PNG ? "PNG" : "SVG", (long long)st.st_size,
             full ? " (the disk is full)" : "");
    return why;
}

/* gnuplot's last words, for the message: its last line of text, from
 * after the "line N:" it starts with ("cannot open file; output not
 * changed").  "" when it said nothing readable. */
static void last_words(Buf *out, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!out->s)
        return;
    char *end = out->s + out->len;
    while (end > out->s && (end[-1] == '\n' || end[-1] == ' '))
        *--end = '\0';
    char *line = end;
    while (line > out->s && line[-1] != '\n')
        line--;
    char *colon = strstr(line, "line ");
    colon = colon ? strstr(colon, ": ") : NULL;
    const char *text = colon ? colon + 2 : line + strspn(line, " \t");
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return;   /* binary: a picture that went to the output */
    snprintf(buf, n, "%s", text);
}

/* ------------------------------------------------------------------ */
/* gp_save                                                              */
/* ------------------------------------------------------------------ */

/* The whole script of the one-off gnuplot: terminal, file, frame. */
static int build_script(Gp *gp, Buf *b, int window, GpTerm t, int width,
                        int height, const char *file)
{
    buf_printf(b, "# nnlab save window %d\nset encoding utf8\n", window);
    gp_put_term(gp, b, window, t, width, height, file);
    buf_add(b, gp->win[window].body.s, gp->win[window].body.len);
    buf_puts(b, "unset output\n");
    if (gp->log && !b->failed) {
        fwrite(b->s, 1, b->len, gp->log);
        fflush(gp->log);
    }
    return b->failed ? gp_fail(gp, "plot: out of memory") : 0;
}

/* Render the script; 0 when gnuplot ran to its end. */
static int render(Gp *gp, const Buf *script, const char *file, Buf *out)
{
    const char *bin = getenv("NNLAB_GNUPLOT");
    Render r = {.script = script};
    if (gp_spawn(gp, bin && *bin ? bin : "gnuplot", 0, &r.pid, &r.in_fd,
                 &r.out_fd) < 0) {
        if (gp->state == GP_OFF)   /* the live one would fail the same */
            gp->state = GP_DEAD;
        return -1;
    }
    int rc = wait_render(gp, &r, file);
    gp_close_fd(&r.in_fd);
    gp_close_fd(&r.out_fd);
    *out = r.out;
    return rc;
}

/* After render: is the file whole?  0, or -1 with a message. */
static int check_render(Gp *gp, const char *tmp, GpTerm t, Buf *out,
                        const char *file, int existed)
{
    char why[96], said[200];
    const char *bad = not_whole(tmp, t, why, sizeof why);
    if (!bad)
        return 0;
    last_words(out, said, sizeof said);
    gp_set_msg(gp, "plot: gnuplot wrote %s to %s%s%s%s; %s", bad, file,
               said[0] ? " (" : "", said, said[0] ? ")" : "",
               existed ? "the old file is kept" : "nothing was written");
    return -1;
}

int gp_save(Gp *gp, int window, const char *path, int width, int height)
{
    if (!gp_valid_window(window) || !gp->win[window].has_body) {
        gp_set_msg(gp, "plot: nothing to save yet: draw the plot first");
        return -1;
    }
    if (!path || !*path || gp_has_control_chars(path)) {
        gp_set_msg(gp, "plot: save needs a plain file name");
        return -1;
    }
    GpTerm t = ends_with(path, ".png") ? GP_TERM_PNG
             : ends_with(path, ".svg") ? GP_TERM_SVG : GP_TERM_AUTO;
    if (t == GP_TERM_AUTO) {
        gp_set_msg(gp, "plot: save needs a file name ending in .png or .svg");
        return -1;
    }
    if (width <= 0 || height <= 0 || width > 10000 || height > 10000)
        width = 1024, height = 768;
    char msg[512];
    SafeFile sf;
    if (safefile_open(&sf, path, 0, msg, sizeof msg)) {
        gp_set_msg(gp, "plot: %s", msg);
        return -1;
    }
    Buf script = BUF_INIT, out = BUF_INIT;
    int existed = sf.existed;
    int rc = build_script(gp, &script, window, t, width, height,
                          safefile_write_path(&sf));
    if (rc == 0)
        rc = render(gp, &script, path, &out);
    if (rc == 0)
        rc = check_render(gp, safefile_write_path(&sf), t, &out, path,
                          existed);
    buf_free(&script);
    buf_free(&out);
    if (rc < 0) {
        safefile_abort(&sf);
        return -1;
    }
    if (safefile_commit(&sf, msg, sizeof msg)) {
        gp_set_msg(gp, "plot: %s", msg);
        return -1;
    }
    return 0;
}
