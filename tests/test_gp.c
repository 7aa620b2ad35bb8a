/*
 * test_gp.c — the gnuplot pipe (repl/gp*.c) and the charts (repl/chart*.c),
 * against a real gnuplot.
 *
 * Each chart is rendered to PNG and the file checked (signature, size in
 * the IHDR, more ink than a blank picture of the same size); gnuplot must
 * print nothing while drawing them (no warnings).  The fault tests run
 * gnuplot missing (NNLAB_GNUPLOT=/nonexistent/gnuplot), killed, and
 * stopped with several MB to send.
 *
 * NNLAB_GP_KEEP=DIR keeps the pictures in DIR to look at them.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "chart.h"
#include "clock.h"
#include "gp.h"
#include "tmpdir.h"

static char dir[512];       /* where the pictures go */
static int keep;            /* NNLAB_GP_KEEP: leave them there */
static long blank_size;     /* bytes of a blank 800x600 PNG */

/* ======================================================================
 * Helpers
 * ====================================================================== */

static const char *path_in_dir(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    size_t got = fread(s, 1, (size_t)n, f);
    fclose(f);
    s[got] = '\0';
    if (len)
        *len = got;
    return s;
}

typedef struct Text {
    char buf[1 << 16];
    size_t len;
} Text;

static void collect(void *ctx, const char *text, size_t n)
{
    Text *t = ctx;
    size_t room = sizeof t->buf - 1 - t->len;
    size_t k = n < room ? n : room;
    memcpy(t->buf + t->len, text, k);
    t->len += k;
    t->buf[t->len] = '\0';
}

/* Wait for gnuplot; fail the test if it printed anything. */
static void sync_quiet(Gp *gp)
{
    Text *t = calloc(1, sizeof *t);
    assert_non_null(t);
    int rc = gp_sync(gp, 10000, collect, t);
    if (t->len)
        fprintf(stderr, "# gnuplot said: %s\n", t->buf);
    assert_int_equal(rc, 0);
    assert_int_equal(t->len, 0);
    free(t);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* A complete PNG of w x h; returns its size in bytes. */
static long check_png(const char *path, uint32_t w, uint32_t h)
{
    size_t len = 0;
    unsigned char *s = (unsigned char *)slurp(path, &len);
    assert_non_null(s);
    assert_true(len > 33);
    assert_memory_equal(s, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(s + 12, "IHDR", 4);
    assert_int_equal(be32(s + 16), w);
    assert_int_equal(be32(s + 20), h);
    assert_memory_equal(s + len - 8, "IEND", 4);   /* not cut short */
    free(s);
    return (long)len;
}

/* Save window 0 as NAME (800x600) and check it has real content. */
static void save_and_check(Gp *gp, const char *name)
{
    const char *p = path_in_dir(name);
    assert_int_equal(gp_save(gp, 0, p, 800, 600), 0);
    sync_quiet(gp);
    long size = check_png(p, 800, 600);
    assert_true(size > 3 * blank_size);
}

static Gp *new_png_gp(void)
{
    Gp *gp = gp_new();
    assert_non_null(gp);
    assert_int_equal(gp_set_output_dir(gp, dir), 0);
    assert_int_equal(gp_set_term(gp, GP_TERM_PNG), 0);
    return gp;
}

static int group_setup(void **state)
{
    (void)state;
    const char *k = getenv("NNLAB_GP_KEEP");
    if (k && *k) {
        snprintf(dir, sizeof dir, "%s", k);
        mkdir(dir, 0777);
        keep = 1;
    } else {
        if (tu_tmpdir_make(dir, sizeof dir, "test-gp"))
            return -1;
    }
    unsetenv("NNLAB_GNUPLOT");
    unsetenv("NNLAB_GNUPLOT_LOG");
    /* a blank picture, to tell drawn ones from empty ones */
    Gp *gp = gp_new();
    const char *body = "reset\nunset border\nunset tics\nunset key\n"
                       "plot [0:1][0:1] 2 notitle\n";
    if (!gp || gp_draw(gp, 0, body, strlen(body)) < 0 ||
        gp_save(gp, 0, path_in_dir("blank.png"), 800, 600) < 0 ||
        gp_sync(gp, 10000, NULL, NULL) != 0)
        return -1;
    gp_free(gp);
    struct stat st;
    if (stat(path_in_dir("blank.png"), &st) < 0)
        return -1;
    blank_size = (long)st.st_size;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (keep)
        return 0;
    return tu_tmpdir_remove(dir);
}

/* ======================================================================
 * Test data
 * ====================================================================== */

#define NIT 300
static double it_x[NIT], loss_train[NIT], loss_dev[NIT];
static double grads[4][NIT];

static void make_curves(void)
{
    for (int i = 0; i < NIT; i++) {
        it_x[i] = i + 1;
        loss_train[i] = 0.1 + 2.2 * exp(-i / 60.0) + 0.05 * sin(i * 0.7);
        loss_dev[i] = 0.25 + 2.1 * exp(-i / 70.0) + 0.0004 * i;
        for (int l = 0; l < 4; l++)
            grads[l][i] = pow(10, -1 - 1.5 * l) * (1 + 0.3 * sin(i * 0.1 + l));
    }
}

/* ======================================================================
 * Tests: the string helper
 * ====================================================================== */

static void test_buf_quote(void **state)
{
    (void)state;
    Buf b = BUF_INIT;
    gp_quote(&b, "it's a \\ test\nwith %s%n\x01 end");
    assert_string_equal(b.s, "'it''s a \\ test with %s%n  end'");
    buf_clear(&b);
    gp_quote(&b, NULL);
    assert_string_equal(b.s, "''");
    buf_clear(&b);
    gp_num(&b, 1.0 / 3);
    buf_puts(&b, " ");
    gp_num(&b, 1e-300);
    assert_string_equal(b.s, "0.3333333333 1e-300");
    buf_clear(&b);
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 20000);
    assert_false(b.failed);
    buf_free(&b);
}

static void test_term_names(void **state)
{
    (void)state;
    for (int t = 0; t < GP_TERM_COUNT; t++) {
        GpTerm back;
        assert_int_equal(gp_term_parse(gp_term_str((GpTerm)t), &back), 0);
        assert_int_equal(back, t);
    }
    GpTerm x;
    assert_int_equal(gp_term_parse("postscript", &x), -1);
}

static void test_due_throttles(void **state)
{
    (void)state;
    Gp *gp = gp_new();
    assert_int_equal(gp_due(gp, 1, 10.0), 1);
    assert_int_equal(gp_due(gp, 1, 10.05), 0);
    assert_int_equal(gp_due(gp, 2, 10.05), 1);   /* windows are separate */
    assert_int_equal(gp_due(gp, 1, 10.1001), 1);
    assert_int_equal(gp_due(gp, 1, 10.15), 0);
    assert_int_equal(gp_due(gp, 99, 10.0), 0);
    gp_set_interval(gp, 0);
    assert_int_equal(gp_due(gp, 1, 10.15), 1);
    assert_false(gp_running(gp));   /* throttling alone starts nothing */
    assert_int_equal(gp_name_window(gp, 1, "../x"), -1);
    assert_int_equal(gp_name_window(gp, 1, "a\nb"), -1);
    assert_int_equal(gp_name_window(gp, GP_MAX_WINDOWS, "x"), -1);
    assert_int_equal(gp_set_output_dir(gp, ""), -1);
    assert_non_null(gp_take_message(gp));
    assert_false(gp_running(gp));
    gp_free(gp);
}

/* ======================================================================
 * Tests: each chart type to PNG
 * ====================================================================== */

static void test_lines_png(void **state)
{
    (void)state;
    make_curves();
    Gp *gp = new_png_gp();
    ChartSeries s[] = {{"train", NIT, it_x, loss_train, CHART_LINE, 0 },
                       {"dev", NIT, it_x, loss_dev, CHART_DASHED, 0 }};
    ChartLines c = {.title = "loss", .xlabel = "iteration", .ylabel = "cost",
                    .series = s, .nseries = 2};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    save_and_check(gp, "lines-loss.png");
    gp_free(gp);
}

static void test_lines_log_refs_png(void **state)
{
    (void)state;
    make_curves();
    Gp *gp = new_png_gp();
    ChartSeries s[4];
    const char *names[] = {"layer 1", "layer 2", "layer 3", "layer 4"};
    for (int l = 0; l < 4; l++)
        s[l] = (ChartSeries){names[l], NIT, NULL, grads[l], CHART_LINE, 0 };
    ChartRef ref = {1e-3, "healthy"};
    ChartLines c = {.title = "update / weight ratio per layer",
                    .xlabel = "iteration", .ylabel = "||dW|| / ||W||",
                    .series = s, .nseries = 4, .refs = &ref, .nrefs = 1,
                    .yscale = CHART_SCALE_AUTO};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    save_and_check(gp, "lines-updates.png");
    gp_free(gp);
}

static void test_live_png_terminal(void **state)
{
    (void)state;
    make_curves();
    Gp *gp = new_png_gp();
    assert_int_equal(gp_name_window(gp, 3, "acc"), 0);
    ChartSeries s = {"train", 5, it_x, loss_train, CHART_LINE, 0 };
    ChartLines c = {.title = "accuracy", .series = &s, .nseries = 1,
                    .ymin = 0, .ymax = 3};
    assert_int_equal(chart_lines(gp, 3, &c), 0);
    sync_quiet(gp);
    assert_string_equal(gp_term_name(gp), "png");
    check_png(path_in_dir("plot-acc.png"), 1024, 768);
    gp_free(gp);
}

static void test_histograms_png(void **state)
{
    (void)state;
    enum { L = 6, B = 30 };
    static double edges[L][B + 1], counts[L][B];
    static char titles[L][80];
    ChartHistPanel p[L];
    for (int l = 0; l < L; l++) {
        double sd = 0.8 * pow(0.5, l);   /* activations shrink with depth */
        for (int i = 0; i <= B; i++)
            edges[l][i] = -1 + 2.0 * i / B;
        for (int i = 0; i < B; i++) {
            double x = (edges[l][i] + edges[l][i + 1]) / 2;
            counts[l][i] = floor(1000 * exp(-x * x / (2 * sd * sd)));
        }
        snprintf(titles[l], sizeof titles[l],
                 "layer %d (tanh): mean 0.00 std %.2f", l + 1, sd);
        p[l] = (ChartHistPanel){titles[l], B, edges[l], counts[l]};
    }
    Gp *gp = new_png_gp();
    ChartHist c = {.title = "activations per layer", .xlabel = "activation",
                   .panels = p, .npanels = L, .same_x = 1};
    assert_int_equal(chart_histograms(gp, 0, &c), 0);
    save_and_check(gp, "hist.png");
    gp_free(gp);
}

static void test_bars_log_png(void **state)
{
    (void)state;
    const char *labels[] = {"W1", "b1", "W2", "b2", "W3", "b3"};
    double v[] = {3.2e-9, 1.1e-10, 4.5e-8, 0.0, 0.31, 2.5e-6};
    Gp *gp = new_png_gp();
    ChartBars c = {.title = "gradient check: relative error",
                   .ylabel = "relative error", .n = 6, .labels = labels,
                   .values = v};
    assert_int_equal(chart_bars_log(gp, 0, &c), 0);
    save_and_check(gp, "bars.png");
    gp_free(gp);
}

#define NPTS 120
static double px[NPTS], py[NPTS];
static int pc[NPTS];

static void make_points(void)
{
    for (int i = 0; i < NPTS; i++) {   /* two moons, roughly */
        double t = M_PI * (i % 60) / 59.0;
        int cls = i < 60 ? 0 : 1;
        px[i] = cls ? 1 - cos(t) : cos(t);
        py[i] = (cls ? 0.5 - sin(t) : sin(t)) + 0.08 * sin(i * 12.9898);
        pc[i] = cls;
    }
    for (int i = 0; i < NPTS; i += 4) {   /* test points from both classes */
        int j = 90 + (i / 4) % 30;
        double tx = px[i], ty = py[i];
        int tc = pc[i];
        px[i] = px[j], py[i] = py[j], pc[i] = pc[j];
        px[j] = tx, py[j] = ty, pc[j] = tc;
    }
}

static void test_regions_png(void **state)
{
    (void)state;
    make_points();
    enum { NX = 80, NY = 60 };
    static double grid[NX * NY];
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) {
            double x = -1.5 + 4.0 * i / (NX - 1), y = -1.0 + 2.5 * j / (NY - 1);
            grid[j * NX + i] = 1 / (1 + exp(-4 * (x - 0.5 - 0.6 * y)));
        }
    ChartPoints sets[] = {{"train", 90, px, py, pc, 0},
                          {"test", 30, px + 90, py + 90, pc + 90, 1}};
    ChartRegions c = {.title = "decision boundary", .xlabel = "x1",
                      .ylabel = "x2", .nx = NX, .ny = NY, .x0 = -1.5,
                      .x1 = 2.5, .y0 = -1.0, .y1 = 1.5, .grid = grid,
                      .grid_prob = 1, .nclasses = 2, .sets = sets,
                      .nsets = 2};
    Gp *gp = new_png_gp();
    assert_int_equal(chart_regions(gp, 0, &c), 0);
    save_and_check(gp, "regions-prob.png");

    for (int k = 0; k < NX * NY; k++)   /* three classes */
        grid[k] = (double)((k % NX) * 3 / NX);
    const char *names[] = {"setosa", "versicolor", "virginica"};
    c.grid_prob = 0;
    c.nclasses = 3;
    c.class_names = names;
    assert_int_equal(chart_regions(gp, 0, &c), 0);
    save_and_check(gp, "regions-class.png");

    c.nx = c.ny = 0;   /* plot data: points only */
    c.grid = NULL;
    c.nclasses = 2;
    c.class_names = NULL;
    c.title = "data";
    assert_int_equal(chart_regions(gp, 0, &c), 0);
    save_and_check(gp, "regions-data.png");
    gp_free(gp);
}

static void test_scatter_png(void **state)
{
    (void)state;
    enum { N = 25 };
    double lr[N], reg[N], acc[N];
    for (int i = 0; i < N; i++) {
        lr[i] = pow(10, -4 + 4.0 * ((i * 7) % N) / N);
        reg[i] = pow(10, -5 + 5.0 * ((i * 11) % N) / N);
        double d = log10(lr[i]) + 1.5;
        acc[i] = 0.95 - 0.12 * d * d - 0.02 * log10(reg[i] * 1e5);
    }
    ChartScatter c = {.title = "random search", .xlabel = "learning rate",
                      .ylabel = "L2 strength", .clabel = "dev accuracy",
                      .n = N, .x = lr, .y = reg, .c = acc, .xlog = 1,
                      .ylog = 1, .mark_best = 1};
    Gp *gp = new_png_gp();
    assert_int_equal(chart_scatter(gp, 0, &c), 0);
    save_and_check(gp, "scatter.png");
    gp_free(gp);
}

static void test_empty_charts_draw_quietly(void **state)
{
    (void)state;
    Gp *gp = new_png_gp();
    ChartSeries s = {"train", 0, NULL, NULL, CHART_LINE, 0 };
    ChartLines l = {.title = "loss", .series = &s, .nseries = 1};
    assert_int_equal(chart_lines(gp, 0, &l), 0);
    sync_quiet(gp);
    ChartHist h = {.title = "acts"};
    assert_int_equal(chart_histograms(gp, 1, &h), 0);
    sync_quiet(gp);
    ChartBars b = {.title = "check"};
    assert_int_equal(chart_bars_log(gp, 2, &b), 0);
    sync_quiet(gp);
    ChartRegions r = {.title = "data", .nclasses = 2};
    assert_int_equal(chart_regions(gp, 3, &r), 0);
    sync_quiet(gp);
    ChartScatter sc = {.title = "search"};
    assert_int_equal(chart_scatter(gp, 4, &sc), 0);
    sync_quiet(gp);
    /* a bad call is refused with a message, nothing drawn */
    assert_int_equal(chart_lines(gp, 0, NULL), -1);
    assert_non_null(gp_take_message(gp));
    gp_free(gp);
}

static void test_save_svg(void **state)
{
    (void)state;
    make_curves();
    Gp *gp = new_png_gp();
    ChartSeries s = {"train", NIT, it_x, loss_train, CHART_LINE, 0 };
    ChartLines c = {.title = "loss", .series = &s, .nseries = 1};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    const char *p = path_in_dir("loss.svg");
    assert_int_equal(gp_save(gp, 0, p, 0, 0), 0);
    sync_quiet(gp);
    char *svg = slurp(p, NULL);
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);
    /* errors: no frame, bad extension, unwritable place */
    assert_int_equal(gp_save(gp, 5, path_in_dir("x.png"), 0, 0), -1);
    assert_non_null(strstr(gp_take_message(gp), "nothing to save"));
    assert_int_equal(gp_save(gp, 0, path_in_dir("x.pdf"), 0, 0), -1);
    assert_non_null(strstr(gp_take_message(gp), ".png or .svg"));
    assert_int_equal(gp_save(gp, 0, "/nonexistent/dir/x.png", 0, 0), -1);
    assert_non_null(strstr(gp_take_message(gp), "cannot write"));
    assert_null(gp_take_message(gp));
    gp_free(gp);
}

/* ======================================================================
 * Tests: what is sent (script log)
 * ====================================================================== */

static void test_nan_inf_skipped(void **state)
{
    (void)state;
    const char *log = path_in_dir("nan.log");
    unlink(log);
    Gp *gp = new_png_gp();
    assert_int_equal(gp_set_script_log(gp, log), 0);
    double x[] = {1, 2, 3, 4, 5, 6, 7};
    double y[] = {0.5, NAN, 0.25, INFINITY, -INFINITY, 0.125, 0.0625};
    ChartSeries s = {"cost", 7, x, y, CHART_LINE, 0 };
    ChartLines c = {.title = "nan", .series = &s, .nseries = 1};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    sync_quiet(gp);
    gp_set_script_log(gp, NULL);
    char *text = slurp(log, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "$w0_s0 << EOD\n1 0.5\n\n3 0.25\n\n"
                                 "6 0.125\n7 0.0625\nEOD\n"));
    for (char *p = text; *p; p++)
        *p = (char)(*p | 0x20);   /* lower case */
    assert_null(strstr(text, "nan\n"));
    assert_null(strstr(text, "inf"));
    free(text);
    gp_free(gp);
}

/* A long series is thinned to min/max pairs: a one-point spike stays. */
static void test_long_series_thinned(void **state)
{
    (void)state;
    enum { N = 100000 };
    static double y[N];
    for (int i = 0; i < N; i++)
        y[i] = 1 + 0.001 * (i % 7);
    y[54321] = 50;
    const char *log = path_in_dir("thin.log");
    unlink(log);
    Gp *gp = new_png_gp();
    assert_int_equal(gp_set_script_log(gp, log), 0);
    ChartSeries s = {"cost", N, NULL, y, CHART_LINE, 0 };
    ChartLines c = {.title = "thin", .series = &s, .nseries = 1,
                    .max_points = 1000};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    sync_quiet(gp);
    gp_set_script_log(gp, NULL);
    char *text = slurp(log, NULL);
    assert_non_null(text);
    char *start = strstr(text, "$w0_s0 << EOD\n"), *end = strstr(text, "EOD\nset");
    assert_non_null(start);
    assert_non_null(end);
    int lines = 0;
    for (char *p = start; p < end; p++)
        lines += *p == '\n';
    assert_true(lines <= 1001);
    assert_true(lines >= 900);
    assert_non_null(strstr(start, "54322 50\n"));   /* x counts from 1 */
    free(text);
    gp_free(gp);
}

static void test_title_escaped(void **state)
{
    (void)state;
    const char *log = path_in_dir("escape.log");
    unlink(log);
    setenv("NNLAB_GNUPLOT_LOG", log, 1);
    Gp *gp = new_png_gp();
    unsetenv("NNLAB_GNUPLOT_LOG");
    double y[] = {1, 2, 3};
    const char *evil = "it's \"q\" \\ back\nslash %s%n @NN_LOGFMT `ls`";
    ChartSeries s = {evil, 3, NULL, y, CHART_LINE, 0 };
    ChartLines c = {.title = evil, .xlabel = evil, .series = &s,
                    .nseries = 1};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    save_and_check(gp, "escape.png");
    char *text = slurp(log, NULL);
    assert_non_null(text);
    const char *quoted =
        "'it''s \"q\" \\ back slash %s%n @NN_LOGFMT `ls`'";
    char want[256];
    snprintf(want, sizeof want, "set title %s noenhanced", quoted);
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof want, "title %s", quoted);
    assert_non_null(strstr(text, want));
    assert_null(strstr(text, "back\nslash"));
    free(text);
    gp_free(gp);
}

/* ======================================================================
 * Tests: output captured, dumb terminal
 * ====================================================================== */

static void test_output_captured(void **state)
{
    (void)state;
    Gp *gp = new_png_gp();
    const char *bad = "reset\nplot nosuchfunction(x)\nprint 'hello'\n";
    assert_int_equal(gp_draw(gp, 0, bad, strlen(bad)), 0);
    Text *t = calloc(1, sizeof *t);
    assert_int_equal(gp_sync(gp, 10000, collect, t), 0);
    assert_non_null(strstr(t->buf, "undefined function"));
    assert_non_null(strstr(t->buf, "hello\n"));
    assert_null(strstr(t->buf, "@@nnlab"));   /* sentinels taken out */
    /* kept for gp_read_output when gp_sync gets no callback */
    assert_int_equal(gp_draw(gp, 0, bad, strlen(bad)), 0);
    assert_int_equal(gp_sync(gp, 10000, NULL, NULL), 0);
    char buf[4096];
    int n = gp_read_output(gp, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "hello"));
    assert_int_equal(gp_read_output(gp, buf, sizeof buf), 0);
    assert_true(gp_output_fd(gp) >= 0);
    free(t);
    gp_free(gp);
}

static void test_dumb_terminal(void **state)
{
    (void)state;
    make_curves();
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    setenv("COLUMNS", "72", 1);
    setenv("LINES", "22", 1);
    Gp *gp = gp_new();
    assert_int_equal(gp_set_term(gp, GP_TERM_AUTO), 0);
    assert_string_equal(gp_term_name(gp), "dumb");
    ChartSeries s[] = {{"train", NIT, it_x, loss_train, CHART_LINE, 0 },
                       {"dev", NIT, it_x, loss_dev, CHART_LINE, 0 }};
    ChartLines c = {.title = "loss", .series = s, .nseries = 2,
                    .yscale = CHART_SCALE_LOG};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    Text *t = calloc(1, sizeof *t);
    assert_int_equal(gp_sync(gp, 10000, collect, t), 0);
    assert_non_null(strstr(t->buf, "loss"));
    assert_non_null(strstr(t->buf, "+-----"));
    assert_non_null(strstr(t->buf, "e-0"));   /* log tics readable */
    if (!isatty(1) && !isatty(2) && !isatty(0)) {   /* $COLUMNS was used */
        int lines = 0, width = 0, w = 0;
        for (char *p = t->buf; *p; p++, w++)
            if (*p == '\n') {
                lines++;
                width = w > width ? w : width;
                w = -1;
            }
        assert_int_equal(width, 71);
        assert_int_equal(lines, 21);
    }
    /* regions as characters: colour is lost on dumb */
    make_points();
    double grid[4] = {0, 1, 0, 1};
    ChartPoints set = {"train", NPTS, px, py, pc, 0};
    ChartRegions r = {.title = "boundary", .nx = 2, .ny = 2, .x0 = -1.5,
                      .x1 = 2.5, .y0 = -1, .y1 = 1.5, .grid = grid,
                      .nclasses = 2, .sets = &set, .nsets = 1};
    t->len = 0;
    assert_int_equal(chart_regions(gp, 1, &r), 0);
    assert_int_equal(gp_sync(gp, 10000, collect, t), 0);
    assert_non_null(strstr(t->buf, "train: class 0    o"));
    assert_non_null(strstr(t->buf, "train: class 1    x"));
    assert_null(strstr(t->buf, "arning"));
    /* a frame every second at most: each one scrolls the terminal */
    assert_int_equal(gp_due(gp, 1, 50.0), 1);
    assert_int_equal(gp_due(gp, 1, 50.5), 0);
    assert_int_equal(gp_due(gp, 1, 51.0), 1);
    free(t);
    gp_free(gp);
    unsetenv("COLUMNS");
    unsetenv("LINES");
}

static void test_window_terminal_refused_or_ok(void **state)
{
    (void)state;
    Gp *gp = gp_new();
    int rc = gp_set_term(gp, GP_TERM_QT);
    if (rc < 0) {   /* gnuplot-nox: says so, keeps the old terminal */
        const char *m = gp_take_message(gp);
        assert_non_null(m);
        assert_non_null(strstr(m, "no qt terminal"));
        assert_string_not_equal(gp_term_name(gp), "qt");
    } else {
        assert_string_equal(gp_term_name(gp), "qt");
    }
    gp_free(gp);
}

/* ======================================================================
 * Tests: faults
 * ====================================================================== */

static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_gnuplot_missing(void **state)
{
    (void)state;
    int fds = count_fds();
    setenv("NNLAB_GNUPLOT", "/nonexistent/gnuplot", 1);
    Gp *gp = gp_new();
    double y[] = {1, 2, 3};
    ChartSeries s = {"cost", 3, NULL, y, CHART_LINE, 0 };
    ChartLines c = {.title = "loss", .series = &s, .nseries = 1};
    assert_int_equal(chart_lines(gp, 0, &c), -1);
    const char *m = gp_take_message(gp);
    assert_non_null(m);
    assert_string_equal(m, "plot: gnuplot is not installed (apt-get install "
                           "gnuplot); plotting is off");
    assert_int_equal(chart_lines(gp, 0, &c), -1);
    assert_int_equal(gp_flush(gp), -1);
    assert_int_equal(gp_due(gp, 0, 100.0), 0);
    assert_null(gp_take_message(gp));   /* said once */
    assert_false(gp_running(gp));
    assert_int_equal(gp_pid(gp), 0);
    assert_no_children();
    /* an explicit plot command tries again, and says it again once */
    gp_allow_restart(gp);
    assert_int_equal(chart_lines(gp, 0, &c), -1);
    assert_non_null(gp_take_message(gp));
    assert_null(gp_take_message(gp));
    assert_no_children();
    assert_int_equal(gp_sync(gp, 100, NULL, NULL), -1);
    gp_free(gp);
    unsetenv("NNLAB_GNUPLOT");
    assert_int_equal(count_fds(), fds);   /* no pipe left open */
}

/* Wait until pid is a zombie (dead, not yet reaped). */
static void wait_zombie(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'Z')
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("gnuplot did not die");
}

static void test_gnuplot_killed(void **state)
{
    (void)state;
    make_curves();
    int fds = count_fds();
    Gp *gp = new_png_gp();
    ChartSeries s = {"train", NIT, it_x, loss_train, CHART_LINE, 0 };
    ChartLines c = {.title = "loss", .series = &s, .nseries = 1};
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    sync_quiet(gp);
    pid_t pid = gp_pid(gp);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    wait_zombie(pid);
    assert_int_equal(chart_lines(gp, 0, &c), -1);
    const char *m = gp_take_message(gp);
    assert_non_null(m);
    assert_non_null(strstr(m, "gnuplot was killed"));
    assert_non_null(strstr(m, "until the next plot command"));
    assert_int_equal(chart_lines(gp, 0, &c), -1);
    assert_null(gp_take_message(gp));
    assert_no_children();
    /* the next plot command starts a new gnuplot */
    gp_allow_restart(gp);
    assert_int_equal(chart_lines(gp, 0, &c), 0);
    assert_true(gp_pid(gp) > 0 && gp_pid(gp) != pid);
    save_and_check(gp, "after-restart.png");
    assert_null(gp_take_message(gp));
    gp_free(gp);
    assert_no_children();
    assert_int_equal(count_fds(), fds);
}

/* A fake gnuplot: a shell script of `body`, made executable in the
 * test directory; returns its path. */
static const char *fake_gnuplot(const char *name, const char *body)
{
    const char *p = path_in_dir(name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(p, 0755);
    return p;
}

/* The whole file, or "" when there is none. */
static const char *contents(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Files in the test directory whose name starts with '.' (what gp_save
 * writes before the file is whole). */
static int temporaries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
             strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

/* Save window 0 to kept.png, which holds an old picture, and expect it to
 * fail with a message holding `part`, the old picture kept. */
static void save_fails(Gp *gp, const char *part)
{
    const char *p = path_in_dir("kept.png");
    assert_int_equal(gp_save(gp, 0, p, 0, 0), -1);
    const char *m = gp_take_message(gp);
    assert_non_null(m);
    print_message("%s\n", m);
    assert_non_null(strstr(m, part));
    assert_non_null(strstr(m, "the old file is kept") ? m
                    : strstr(m, "not written"));
    assert_string_equal(contents(p), "the old picture");
    assert_int_equal(temporaries(), 0);
    assert_no_children();
}

/* gp_save keeps the old file unless gnuplot wrote a whole new one: a
 * gnuplot that writes something that is not a PNG, one that hangs (given
 * up on after the stuck limit, which counts only time without CPU
 * progress), Ctrl-C while it works, and a file size limit that cuts the
 * real gnuplot's PNG short.  Each says why in one line and leaves no
 * child and no temporary file. */
static void test_save_faults(void **state)
{
    (void)state;
    FILE *f = fopen(path_in_dir("kept.png"), "w");
    assert_non_null(f);
    fputs("the old picture", f);
    fclose(f);
    Gp *gp = gp_new();
    gp_store_only(gp, 1);   /* a frame to save, no live gnuplot */
    const char *body = "reset\nplot [0:1] x notitle\n";
    assert_int_equal(gp_draw(gp, 0, body, strlen(body)), 0);

    /* writes "not a png" into the file it is told to */
    setenv("NNLAB_GNUPLOT", fake_gnuplot("garbage-gp",
           "while read -r l; do case \"$l\" in\n"
           "\"set output '/dev/null'\") ;;\n"
           "\"set output '\"*) f=${l#set output ?}; f=${f%?};"
           " printf 'not a png' > \"$f\";;\n"
           "esac; done"), 1);
    save_fails(gp, "gnuplot wrote an incomplete PNG of 9 bytes to ");

    /* never uses any CPU: given up on after the stuck limit */
    setenv("NNLAB_GNUPLOT", fake_gnuplot("stuck-gp", "exec sleep 100"), 1);
    gp_set_stuck_limit(gp, 0.5);
    double t0 = clock_now();
    save_fails(gp, "gnuplot used no CPU time for 0.5 s (stopped or "
                   "stuck?)");
    print_message("stuck gnuplot given up after %.2f s\n", clock_now() - t0);
    assert_true(clock_now() - t0 < 3);

    /* busy for longer than the stuck limit, then done: waited for */
    setenv("NNLAB_GNUPLOT", fake_gnuplot("slow-gp",
           "end=$(($(date +%s) + 2)); while [ $(date +%s) -lt $end ]; do :;"
           " done; exec gnuplot"), 1);
    t0 = clock_now();
    assert_int_equal(gp_save(gp, 0, path_in_dir("slow.png"), 800, 600), 0);
    print_message("a gnuplot busy for 2 s (limit 0.5 s): saved after "
                  "%.2f s\n", clock_now() - t0);
    check_png(path_in_dir("slow.png"), 800, 600);

    /* Ctrl-C while it hangs */
    static volatile sig_atomic_t flag = 1;
    setenv("NNLAB_GNUPLOT", fake_gnuplot("stuck-gp", "exec sleep 100"), 1);
    gp_set_stuck_limit(gp, 60);
    gp_set_cancel(gp, &flag);
    save_fails(gp, "plot: interrupted; ");
    gp_set_cancel(gp, NULL);
    unsetenv("NNLAB_GNUPLOT");

    /* the real gnuplot, its PNG cut short by a file size limit */
    struct rlimit old, small;
    getrlimit(RLIMIT_FSIZE, &old);
    small = old;
    small.rlim_cur = 2048;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    save_fails(gp, "kept.png");
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    gp_free(gp);
}

static void test_gnuplot_exits_between_frames(void **state)
{
    (void)state;
    Gp *gp = new_png_gp();
    const char *bye = "exit\n";
    assert_int_equal(gp_draw(gp, 0, bye, strlen(bye)), 0);
    assert_int_equal(gp_sync(gp, 5000, NULL, NULL), -1);
    const char *m = gp_take_message(gp);
    assert_non_null(m);
    assert_non_null(strstr(m, "gnuplot exited"));
    assert_int_equal(gp_draw(gp, 0, bye, strlen(bye)), -1);
    assert_null(gp_take_message(gp));
    assert_no_children();
    gp_free(gp);
}

/* A frame of several MB while gnuplot is stopped: the draw returns at
 * once, the rest waits; a newer frame replaces the waiting one; after
 * SIGCONT gp_sync sees it all done. */
static void test_stopped_gnuplot_never_blocks(void **state)
{
    (void)state;
    const char *log = path_in_dir("big.log");
    Gp *gp = new_png_gp();
    const char *hello = "reset\n";
    assert_int_equal(gp_draw(gp, 0, hello, strlen(hello)), 0);
    sync_quiet(gp);
    pid_t pid = gp_pid(gp);
    assert_int_equal(kill(pid, SIGSTOP), 0);

    Buf big = BUF_INIT;
    buf_puts(&big, "reset\n$big << EOD\n");
    for (int i = 0; i < 200000; i++)
        buf_printf(&big, "%d %.10g\n", i, sin(i * 0.001));
    buf_puts(&big, "EOD\nstats $big using 2 nooutput\n"
                      "print sprintf('rows %d', STATS_records)\n");
    assert_true(big.len > 3u << 20);
    unlink(log);
    gp_set_script_log(gp, log);

    double t0 = clock_now();
    assert_int_equal(gp_draw(gp, 0, big.s, big.len), 0);
    double t1 = clock_now();
    assert_true(t1 - t0 < 0.1);
    assert_int_equal(gp_pending(gp), 1);
    assert_int_equal(gp_flush(gp), 1);
    /* newer frames replace the one waiting; the one in flight goes on */
    const char *second = "print 'second'\n", *third = "print 'third'\n";
    assert_int_equal(gp_draw(gp, 0, second, strlen(second)), 0);
    assert_int_equal(gp_draw(gp, 0, third, strlen(third)), 0);
    assert_true(clock_now() - t1 < 0.1);
    assert_int_equal(gp_sync(gp, 50, NULL, NULL), 1);   /* times out */

    assert_int_equal(kill(pid, SIGCONT), 0);
    Text *t = calloc(1, sizeof *t);
    assert_int_equal(gp_sync(gp, 20000, collect, t), 0);
    assert_non_null(strstr(t->buf, "rows 200000\n"));
    assert_null(strstr(t->buf, "second"));
    assert_non_null(strstr(t->buf, "third\n"));
    assert_int_equal(gp_pending(gp), 0);
    gp_set_script_log(gp, NULL);
    struct stat st;
    assert_int_equal(stat(log, &st), 0);
    assert_true((size_t)st.st_size > big.len);   /* all of it was sent */
    free(t);
    buf_free(&big);
    gp_free(gp);
    assert_no_children();
}

static void test_free_while_stopped(void **state)
{
    (void)state;
    Gp *gp = new_png_gp();
    const char *hello = "reset\n";
    assert_int_equal(gp_draw(gp, 0, hello, strlen(hello)), 0);
    sync_quiet(gp);
    kill(gp_pid(gp), SIGSTOP);
    double t0 = clock_now();
    gp_free(gp);   /* waits a bounded time, then kills */
    assert_true(clock_now() - t0 < 5.0);
    assert_no_children();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_quote),
        cmocka_unit_test(test_term_names),
        cmocka_unit_test(test_due_throttles),
        cmocka_unit_test(test_lines_png),
        cmocka_unit_test(test_lines_log_refs_png),
        cmocka_unit_test(test_live_png_terminal),
        cmocka_unit_test(test_histograms_png),
        cmocka_unit_test(test_bars_log_png),
        cmocka_unit_test(test_regions_png),
        cmocka_unit_test(test_scatter_png),
        cmocka_unit_test(test_empty_charts_draw_quietly),
        cmocka_unit_test(test_save_svg),
        cmocka_unit_test(test_nan_inf_skipped),
        cmocka_unit_test(test_long_series_thinned),
        cmocka_unit_test(test_title_escaped),
        cmocka_unit_test(test_output_captured),
        cmocka_unit_test(test_dumb_terminal),
        cmocka_unit_test(test_window_terminal_refused_or_ok),
        cmocka_unit_test(test_gnuplot_missing),
        cmocka_unit_test(test_gnuplot_killed),
        cmocka_unit_test(test_save_faults),
        cmocka_unit_test(test_gnuplot_exits_between_frames),
        cmocka_unit_test(test_stopped_gnuplot_never_blocks),
        cmocka_unit_test(test_free_while_stopped),
    };
    return cmocka_run_group_tests_name("gp", tests, group_setup,
                                       group_teardown);
}
