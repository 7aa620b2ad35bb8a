/*
 * search_files.c — a search that outgrows one machine: export writes one
 * self-contained command line per trial (for GNU parallel) and a Slurm
 * job array; each trial appends one CSV row to the file named by nnlab
 * --result; search import reads the rows back.
 *
 * A row carries the settings, the seed, the metrics, the time and the
 * host, so a file merged from many machines is complete.  Many trials
 * append to one file at once: each row goes in a single write() to a
 * file opened O_APPEND, under flock(), and the header is written only
 * into an empty file under the same lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "model.h"
#include "out.h"
#include "search.h"

/* Every key a search may vary (search_keys) has its column, empty when
 * not searched. */
static const char csv_header[] =
    "trial,method,rung,epochs,seed,lr,reg,keep,beta,beta1,beta2,units,"
    "layers,space,status,train_loss,train_acc,dev_loss,dev_acc,seconds,host,"
    "finished\n";

/* ------------------------------------------------------------------ */
/* --result rows                                                        */
/* ------------------------------------------------------------------ */

static void put_num(Buf *b, double v)
{
    if (isfinite(v))
        buf_printf(b, ",%.17g", v);
    else
        buf_puts(b, ",");
}

static void compose_row(Session *s, const Experiments *e, int t, Buf *b)
{
    const SearchTrial *x = &e->t[t];
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    for (char *p = host; *p; p++)
        *p = *p == ',' || *p == '\n' ? '_' : *p;
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    buf_printf(b, "%d,%s,%d,%d,%llu", t + 1, experiment_methods[e->method],
               x->rung + 1, x->epochs, (unsigned long long)model_seed(s));
    for (int c = 0; search_keys[c]; c++) {
        int k = 0;
        while (k < e->nkeys && strcmp(e->keys[k].name, search_keys[c]))
            k++;
        if (k < e->nkeys)
            put_num(b, x->values[k]);
        else
            buf_puts(b, ",");
    }
    buf_puts(b, ",");
    search_space_text(e, b);
    buf_printf(b, ",%s", x->state == TRIAL_FAILED ? "failed"
                         : x->diverged ? "diverged" : "done");
    put_num(b, x->train_loss);
    put_num(b, x->train_acc);
    put_num(b, x->dev_loss);
    put_num(b, x->dev_acc);
    buf_printf(b, ",%.3f,%s,%s\n", x->seconds, host, when);
}

void search_append_result(Session *s, const Experiments *e, int t)
{
    if (!e->result_file)
        return;
    Buf row = BUF_INIT;
    compose_row(s, e, t, &row);
    int fd = open(e->result_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                  0644);
    int ok = fd >= 0 && !row.failed && flock(fd, LOCK_EX) == 0;
    struct stat st;
    if (ok && fstat(fd, &st) == 0 && st.st_size == 0) {
        Buf both = BUF_INIT;    /* header and row in one write too */
        buf_puts(&both, csv_header);
        buf_add(&both, row.s, row.len);
        buf_free(&row);
        row = both;
    }
    ok = ok && !row.failed &&
         write(fd, row.s, row.len) == (ssize_t)row.len;
    if (!ok)
        cmd_error(s, "cannot append trial %d to '%s': %s", t + 1,
                  e->result_file, strerror(errno));
    if (fd >= 0)
        close(fd);   /* and the lock with it */
    buf_free(&row);
}

/* ------------------------------------------------------------------ */
/* export                                                               */
/* ------------------------------------------------------------------ */

/* The shell's single quotes around text ('\'' for a quote inside). */
static void sh_quote(Buf *b, const char *text)
{
    buf_puts(b, "'");
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            buf_puts(b, "'\\''");
        else
            buf_add(b, p, 1);
    }
    buf_puts(b, "'");
}

/* path made absolute against the working directory. */
static void absolute(Buf *b, const char *cwd, const char *path)
{
    if (path[0] == '/')
        buf_puts(b, path);
    else
        buf_printf(b, "%s/%s", cwd, path);
}

/* The export's files: the trials (as given), BASE.model, BASE.slurm and
 * the results BASE.csv, all absolute. */
typedef struct ExportFiles {
    char cwd[4096], exe[4096];
    Buf jobs, model, slurm, csv, base;
    Buf rel;         /* BASE as given, for the messages */
} ExportFiles;

static int export_names(Session *s, const char *path, ExportFiles *f)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    const char *name = slash ? slash + 1 : path;
    if (dot == name)
        dot = NULL;   /* ".jobs" is a name, not an extension */
    if (dot && (!strcmp(dot, ".csv") || !strcmp(dot, ".model") ||
                !strcmp(dot, ".slurm")))
        return cmd_error(s, "export=%s: the export writes BASE.model, "
                         "BASE.slurm and its trials write BASE.csv; name "
                         "the trials' file BASE.jobs", path), -1;
    if (!getcwd(f->cwd, sizeof f->cwd))
        return cmd_error(s, "cannot tell the working directory: %s",
                         strerror(errno)), -1;
    ssize_t n = readlink("/proc/self/exe", f->exe, sizeof f->exe - 1);
    snprintf(f->exe + (n > 0 ? n : 0), sizeof f->exe - (n > 0 ? (size_t)n : 0),
             "%s", n > 0 ? "" : "nnlab");
    absolute(&f->jobs, f->cwd, path);
    buf_add(&f->base, f->jobs.s, f->jobs.len - (dot ? strlen(dot) : 0));
    buf_add(&f->rel, path, strlen(path) - (dot ? strlen(dot) : 0));
    buf_printf(&f->model, "%s.model", f->base.s);
    buf_printf(&f->slurm, "%s.slurm", f->base.s);
    buf_printf(&f->csv, "%s.csv", f->base.s);
    if (f->jobs.failed || f->model.failed || f->slurm.failed ||
        f->csv.failed || f->rel.failed)
        return cmd_error(s, "out of memory"), -1;
    return 0;
}

/* One trial's command line: the data made again, the network and its
 * settings loaded, the one trial run, its row appended. */
static void trial_line(const Experiments *e, const ExportFiles *f, int t,
                       Buf *b)
{
    Buf cmds = BUF_INIT;
    buf_printf(&cmds, "%s; load ", e->recipe);
    experiment_quote_word(&cmds, f->model.s);
    buf_puts(&cmds, "; search ");
    search_space_text(e, &cmds);
    buf_printf(&cmds, " n=%d epochs=%d method=%s trial=%d jobs=1", e->trials,
               e->epochs, experiment_methods[e->method], t + 1);
    buf_puts(b, "cd ");
    sh_quote(b, f->cwd);
    buf_puts(b, " && ");
    sh_quote(b, f->exe);
    buf_puts(b, " -q -c ");
    sh_quote(b, cmds.s ? cmds.s : "");
    buf_puts(b, " --result ");
    sh_quote(b, f->csv.s);
    buf_puts(b, "\n");
    buf_free(&cmds);
}

static void slurm_script(const Experiments *e, const ExportFiles *f, Buf *b)
{
    buf_printf(b,
        "#!/bin/bash\n"
        "# A Slurm job array for a search nnlab exported: task N runs trial\n"
        "# N, line N of the trials' file, which appends its row to the\n"
        "# results.  Submit it with   sbatch %s\n"
        "# and when every task is done, in nnlab:   search import %s\n"
        "#SBATCH --job-name=nnlab-search\n"
        "#SBATCH --array=1-%d\n"
        "#SBATCH --ntasks=1\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=%s-%%a.out\n"
        "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" ", f->slurm.s, f->csv.s,
        e->ntrials, f->base.s);
    sh_quote(b, f->jobs.s);
    buf_puts(b, ")\n"
        "if [ -z \"$line\" ]; then\n"
        "    echo \"no trial ${SLURM_ARRAY_TASK_ID} in the trials' file\" >&2\n"
        "    exit 1\n"
        "fi\n"
        "exec bash -c \"$line\"\n");
}

static int write_text(Session *s, const char *path, const Buf *b, int mode)
{
    FILE *fp = fopen(path, "w");
    int ok = fp && !b->failed && fwrite(b->s, 1, b->len, fp) == b->len;
    if (fp && fclose(fp) != 0)
        ok = 0;
    if (!ok)
        return cmd_error(s, "cannot write '%s': %s", path,
                         strerror(errno)), -1;
    chmod(path, (mode_t)mode);
    return 0;
}

static void export_free(ExportFiles *f)
{
    buf_free(&f->jobs);
    buf_free(&f->model);
    buf_free(&f->slurm);
    buf_free(&f->csv);
    buf_free(&f->base);
    buf_free(&f->rel);
}

int search_export(Session *s, Experiments *e, const char *path)
{
    ExportFiles f = { .jobs = BUF_INIT };
    Buf lines = BUF_INIT, slurm = BUF_INIT;
    nn_err err;
    int rc = CMD_ERR;
    if (!e->recipe) {
        cmd_error(s, "export makes the data again from the commands that "
                  "made it; load the data with data first");
        return CMD_ERR;
    }
    if (export_names(s, path, &f))
        goto out;
    for (int t = 0; t < e->ntrials; t++)
        trial_line(e, &f, t, &lines);
    slurm_script(e, &f, &slurm);
    if (model_save_file(s, f.model.s, &err)) {
        cmd_error(s, "%s", err.msg);
        goto out;
    }
    if (write_text(s, f.jobs.s, &lines, 0644) ||
        write_text(s, f.slurm.s, &slurm, 0755))
        goto out;
    out_printf(s, "search: %d %s trials of %d epoch%s written to %s, one "
               "command each\n", e->ntrials, experiment_methods[e->method],
               e->epochs, e->epochs == 1 ? "" : "s", path);
    const char *r = f.rel.s;
    out_printf(s, "  network and settings: %s.model; Slurm job array: "
               "%s.slurm\n  run them:  parallel -j 2 < %s   (or with "
               "--sshloginfile FILE; or: sbatch %s.slurm)\n  each trial "
               "appends a row to %s.csv; then: search import %s.csv\n",
               r, r, path, r, r, r);
    rc = CMD_OK;
out:
    buf_free(&lines);
    buf_free(&slurm);
    export_free(&f);
    return rc;
}
