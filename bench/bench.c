/*
 * bench.c — how fast libnnlab trains: microseconds per training step
 * (forward, cost, backward, Adam update) of four networks, in double
 * precision on random data, and the machine's dgemm peak for reference.
 *
 *   bench [-t THREADS] [-q] [WORKLOAD...]
 *   bench gemm-write FILE | gemm-compare FILE | kernel
 *
 *   -t N   OpenBLAS threads (default: $NNLAB_BENCH_THREADS, else the
 *          number of online CPUs)
 *   -q     quick: shorter measurements (for smoke tests)
 *
 * gemm-write stores a few products (the shapes of the workloads, odd
 * sizes, every transposition) as computed by the kernels OpenBLAS chose;
 * gemm-compare, run with other kernels (OPENBLAS_CORETYPE unset), computes
 * them again and checks each value against the stored one within
 * rounding: |c − c'| <= 4·k·ε·(|A|·|B|) for a sum of k products.  Exit
 * status 0 when every value agrees.  kernel prints the first two lines
 * below and stops.
 *
 * Output, one machine-readable line each (bench/run.sh turns them into a
 * table; torch_bench.py prints the same lines for PyTorch):
 *
 *   nnlab threads 2
 *   nnlab kernel Haswell
 *   nnlab peak 2048 84.12 GFLOP/s
 *   nnlab tiny 3.21 us/step 1.23 GFLOP/s
 *   nnlab-split tiny fwd 1.10 bwd 1.40 upd 0.71 us
 *
 * FLOPs per step count the matrix products a step really does, which is
 * what PyTorch does too: 2·m·Σ in·out forward, as many for the weight
 * gradients, and 2·m·Σ in·out over layers 2.. for the gradient passed back
 * (no layer computes a gradient for the input data).
 *
 * Timing: a warm-up, then blocks of k steps (k chosen so a block lasts
 * about 10 ms) until the time budget is spent; the figure is the median
 * over the blocks of the mean step time within a block.
 */
#include "nnlab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct workload {
    const char *name;
    int sizes[4];
    int batch;
} workload;

static const workload workloads[] = {
    { "tiny", { 2, 10, 5, 2 }, 64 },
    { "digits", { 64, 64, 32, 10 }, 64 },
    { "fmnist", { 784, 256, 128, 10 }, 128 },
    { "large", { 784, 1024, 1024, 10 }, 256 },
};
enum { N_WORKLOADS = sizeof workloads / sizeof *workloads, N_SIZES = 4 };

/* Random batches cycled through, so the network never memorizes one. */
enum { N_BATCHES = 4, MAX_BLOCKS = 200 };

static int quick;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    return p;
}

/* ------------------------------------------------------------------ */
/* dgemm peak                                                           */
/* ------------------------------------------------------------------ */

/* Median GFLOP/s of C = A·B on n x n matrices through nn_gemm. */
static double gemm_gflops(int n, int reps)
{
    size_t nn = (size_t)n * (size_t)n;
    double *A = xcalloc(nn, sizeof *A), *B = xcalloc(nn, sizeof *B),
           *C = xcalloc(nn, sizeof *C);
    nn_rng r;
    nn_rng_seed(&r, 7, 9, (uint64_t)n);
    for (size_t i = 0; i < nn; i++) {
        A[i] = nn_rng_uniform(&r) - 0.5;
        B[i] = nn_rng_uniform(&r) - 0.5;
    }
    double t[MAX_BLOCKS];
    nn_gemm(0, 0, n, n, n, 1.0, A, n, B, n, 0.0, C, n); /* warm-up */
    for (int i = 0; i < reps; i++) {
        double t0 = now();
        nn_gemm(0, 0, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
        t[i] = now() - t0;
    }
    double flops = 2.0 * n * (double)n * n;
    free(A);
    free(B);
    free(C);
    return flops / median(t, reps) * 1e-9;
}

/* ------------------------------------------------------------------ */
/* Do two kernels compute the same products?                            */
/* ------------------------------------------------------------------ */

/* OpenBLAS's own calls (its cblas.h declares them; spelled out here as
 * mat.c does). */
char *openblas_get_corename(void);
char *openblas_get_config(void);

typedef struct gemm_case {
    int ta, tb, m, n, k;
} gemm_case;

static const gemm_case gemm_cases[] = {
    { 0, 1, 64, 64, 64 },     /* digits' forward: A·Wᵀ */
    { 1, 0, 64, 64, 64 },     /* its weight gradient: dZᵀ·A */
    { 0, 0, 64, 64, 32 },     /* the gradient passed back: dZ·W */
    { 0, 1, 128, 256, 784 },  /* fmnist's first layer */
    { 1, 1, 67, 129, 255 },   /* odd sizes, both transposed */
    { 0, 0, 1024, 1024, 1024 },
};
enum { N_GEMM_CASES = sizeof gemm_cases / sizeof *gemm_cases };

/* C = op(A)·op(B) of one case on fixed random inputs; *A and *B are
 * allocated for the caller. */
static double *gemm_case_run(const gemm_case *c, double **A, double **B)
{
    size_t na = (size_t)c->m * c->k, nb = (size_t)c->k * c->n;
    *A = xcalloc(na, sizeof **A);
    *B = xcalloc(nb, sizeof **B);
    double *C = xcalloc((size_t)c->m * c->n, sizeof *C);
    nn_rng r;
    nn_rng_seed(&r, 11, 5, (uint64_t)(c->m * 7 + c->k));
    for (size_t i = 0; i < na; i++)
        (*A)[i] = nn_rng_normal(&r);
    for (size_t i = 0; i < nb; i++)
        (*B)[i] = nn_rng_normal(&r);
    int lda = c->ta ? c->m : c->k, ldb = c->tb ? c->k : c->n;
    nn_gemm(c->ta, c->tb, c->m, c->n, c->k, 1.0, *A, lda, *B, ldb, 0.0, C,
            c->n);
    return C;
}

/* (|A|·|B|)_ij, the scale of the rounding of C_ij. */
static double abs_product(const gemm_case *c, const double *A,
                          const double *B, int i, int j)
{
    double s = 0;
    for (int p = 0; p < c->k; p++) {
        double a = c->ta ? A[(size_t)p * c->m + i] : A[(size_t)i * c->k + p];
        double b = c->tb ? B[(size_t)j * c->k + p] : B[(size_t)p * c->n + j];
        s += fabs(a) * fabs(b);
    }
    return s;
}

static int gemm_write(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return fprintf(stderr, "bench: cannot write %s\n", path), 1;
    for (int t = 0; t < N_GEMM_CASES; t++) {
        double *A, *B, *C = gemm_case_run(&gemm_cases[t], &A, &B);
        size_t n = (size_t)gemm_cases[t].m * gemm_cases[t].n;
        if (fwrite(C, sizeof *C, n, f) != n)
            return fprintf(stderr, "bench: write error\n"), fclose(f), 1;
        free(A);
        free(B);
        free(C);
    }
    printf("nnlab gemm-write %s %d products\n", openblas_get_corename(),
           N_GEMM_CASES);
    return fclose(f) != 0;
}

static int gemm_compare(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fprintf(stderr, "bench: cannot read %s\n", path), 1;
    double worst = 0; /* largest |c − c'| / bound */
    long values = 0, bad = 0;
    for (int t = 0; t < N_GEMM_CASES; t++) {
        const gemm_case *c = &gemm_cases[t];
        double *A, *B, *C = gemm_case_run(c, &A, &B);
        size_t n = (size_t)c->m * c->n;
        double *R = xcalloc(n, sizeof *R);
        if (fread(R, sizeof *R, n, f) != n) {
            fclose(f);
            return fprintf(stderr, "bench: %s is short\n", path), 1;
        }
        for (size_t q = 0; q < n; q++) {
            double bound = 4.0 * c->k * 2.220446049250313e-16 *
                           abs_product(c, A, B, (int)(q / c->n),
                                       (int)(q % c->n));
            double d = fabs(C[q] - R[q]) / (bound > 0 ? bound : 1e-300);
            bad += !(d <= 1);
            worst = d > worst ? d : worst;
            values++;
        }
        free(A);
        free(B);
        free(C);
        free(R);
    }
    fclose(f);
    printf("nnlab gemm-compare %s %d products %ld values %ld outside "
           "worst %.3f of the rounding bound\n", openblas_get_corename(),
           N_GEMM_CASES, values, bad, worst);
    return bad != 0;
}

/* ------------------------------------------------------------------ */
/* Training steps                                                       */
/* ------------------------------------------------------------------ */

typedef struct bench_net {
    nn_net *net;
    nn_optim opt;
    double *X[N_BATCHES], *Y[N_BATCHES];
    int batch, next;
} bench_net;

static void bench_net_init(bench_net *b, const workload *w)
{
    nn_err err;
    b->net = nn_net_new(w->sizes, N_SIZES, NN_ACT_RELU, 0, NN_ACT_SOFTMAX, 0,
                        NN_LOSS_XENT, &err);
    if (!b->net || nn_net_reserve(b->net, w->batch, &err)) {
        fprintf(stderr, "bench: %s: %s\n", w->name, err.msg);
        exit(1);
    }
    nn_net_init(b->net, 1, 0); /* every layer He, the default spec */
    nn_optim_defaults(&b->opt);
    b->opt.kind = NN_OPT_ADAM;
    b->opt.lr = 1e-3;
    b->batch = w->batch;
    b->next = 0;

    int in = w->sizes[0], out = w->sizes[N_SIZES - 1];
    nn_rng r;
    nn_rng_seed(&r, 1, 99, 0);
    for (int k = 0; k < N_BATCHES; k++) {
        b->X[k] = xcalloc((size_t)w->batch * in, sizeof(double));
        b->Y[k] = xcalloc((size_t)w->batch * out, sizeof(double));
        for (size_t i = 0; i < (size_t)w->batch * in; i++)
            b->X[k][i] = nn_rng_normal(&r);
        for (int i = 0; i < w->batch; i++)
            b->Y[k][(size_t)i * out + nn_rng_u64(&r) % (uint64_t)out] = 1;
    }
}

static void bench_net_free(bench_net *b)
{
    nn_net_free(b->net);
    for (int k = 0; k < N_BATCHES; k++) {
        free(b->X[k]);
        free(b->Y[k]);
    }
}

static volatile double sink;

/* One training step: the forward, cost, backward and update the trainer
 * makes for a batch, without its bookkeeping (each layer's statistics for
 * the history, the epoch's running loss), which PyTorch's loop does not
 * do either. */
static inline void step(bench_net *b)
{
    const double *X = b->X[b->next], *Y = b->Y[b->next];
    b->next = (b->next + 1) % N_BATCHES;
    nn_net_forward(b->net, X, b->batch, 1, NULL);
    sink = nn_net_cost(b->net, Y, 1);
    nn_net_backward(b->net, X, Y);
    nn_optim_step(&b->opt, b->net, b->opt.lr);
}

/* The same step with a clock read between phases; adds the phase times
 * to t[0..2] (forward + cost, backward, update). */
static inline void step_split(bench_net *b, double *t)
{
    const double *X = b->X[b->next], *Y = b->Y[b->next];
    b->next = (b->next + 1) % N_BATCHES;
    double t0 = now();
    nn_net_forward(b->net, X, b->batch, 1, NULL);
    sink = nn_net_cost(b->net, Y, 1);
    double t1 = now();
    nn_net_backward(b->net, X, Y);
    double t2 = now();
    nn_optim_step(&b->opt, b->net, b->opt.lr);
    double t3 = now();
    t[0] += t1 - t0;
    t[1] += t2 - t1;
    t[2] += t3 - t2;
}

/* Steps per block so that a block lasts about `block` seconds. */
static int calibrate(bench_net *b, double block)
{
    int k = 1;
    for (;;) {
        double t0 = now();
        for (int i = 0; i < k; i++)
            step(b);
        double dt = now() - t0;
        if (dt >= block / 4 || k >= 1 << 20)
            return dt >= block ? k : (int)(k * block / dt) + 1;
        k *= 2;
    }
}

static double median_step(bench_net *b, int k, double budget)
{
    double t[MAX_BLOCKS];
    int n = 0;
    double start = now();
    while (n < MAX_BLOCKS && (n < 5 || now() - start < budget)) {
        double t0 = now();
        for (int i = 0; i < k; i++)
            step(b);
        t[n++] = (now() - t0) / k;
    }
    return median(t, n);
}

static void median_split(bench_net *b, int k, double budget, double *out)
{
    double t[3][MAX_BLOCKS];
    int n = 0;
    double start = now();
    while (n < MAX_BLOCKS && (n < 5 || now() - start < budget)) {
        double s[3] = { 0, 0, 0 };
        for (int i = 0; i < k; i++)
            step_split(b, s);
        for (int j = 0; j < 3; j++)
            t[j][n] = s[j] / k;
        n++;
    }
    for (int j = 0; j < 3; j++)
        out[j] = median(t[j], n);
}

static double step_flops(const workload *w)
{
    double f = 0;
    for (int l = 1; l < N_SIZES; l++) {
        double io = (double)w->sizes[l - 1] * w->sizes[l];
        f += (l == 1 ? 2 : 3) * 2.0 * w->batch * io;
    }
    return f;
}

static void run(const workload *w)
{
    bench_net b;
    bench_net_init(&b, w);
    double block = quick ? 0.005 : 0.01, budget = quick ? 0.1 : 1.0;

    /* warm-up: a fifth of a second of steps (faults in the pages, lets
     * OpenBLAS start its threads, lets the CPU clock settle) */
    double t0 = now();
    while (now() - t0 < (quick ? 0.02 : 0.2))
        step(&b);
    int k = calibrate(&b, block);
    double us = median_step(&b, k, budget) * 1e6;
    double split[3];
    median_split(&b, k, budget / 2, split);

    printf("nnlab %s %.2f us/step %.2f GFLOP/s\n", w->name, us,
           step_flops(w) / us * 1e-3);
    printf("nnlab-split %s fwd %.2f bwd %.2f upd %.2f us\n", w->name,
           split[0] * 1e6, split[1] * 1e6, split[2] * 1e6);
    fflush(stdout);
    bench_net_free(&b);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench [-t THREADS] [-q] [WORKLOAD...]\n"
                    "       bench gemm-write FILE | gemm-compare FILE | "
                    "kernel\n"
                    "workloads:");
    for (int i = 0; i < N_WORKLOADS; i++)
        fprintf(stderr, " %s", workloads[i].name);
    fprintf(stderr, " peak\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int threads = 0, opt;
    const char *env = getenv("NNLAB_BENCH_THREADS");
    if (env && *env)
        threads = atoi(env);
    while ((opt = getopt(argc, argv, "t:q")) != -1) {
        if (opt == 't')
            threads = atoi(optarg);
        else if (opt == 'q')
            quick = 1;
        else
            usage();
    }
    if (threads < 1)
        threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (optind + 2 == argc && !strcmp(argv[optind], "gemm-write"))
        return gemm_write(argv[optind + 1]);
    if (optind + 2 == argc && !strcmp(argv[optind], "gemm-compare"))
        return gemm_compare(argv[optind + 1]);
    printf("nnlab threads %d\n", nn_blas_threads(threads));
    printf("nnlab kernel %s\n", openblas_get_corename());
    fflush(stdout);
    if (optind + 1 == argc && !strcmp(argv[optind], "kernel"))
        return 0; /* which kernels, and nothing else */

    int want[N_WORKLOADS + 1], any = optind < argc;
    for (int i = 0; i <= N_WORKLOADS; i++)
        want[i] = !any;
    for (int a = optind; a < argc; a++) {
        int found = 0;
        for (int i = 0; i <= N_WORKLOADS; i++)
            if (!strcmp(argv[a], i < N_WORKLOADS ? workloads[i].name : "peak"))
                want[i] = found = 1;
        if (!found)
            usage();
    }

    for (int i = 0; i < N_WORKLOADS; i++)
        if (want[i])
            run(&workloads[i]);

    if (want[N_WORKLOADS]) {
        /* the best of two sizes: 1024 is not always big enough to fill
         * both cores' pipelines, 2048 usually is */
        int sizes[] = { 1024, 2048 }, best_n = 0;
        double best = 0;
        for (int i = 0; i < 2; i++) {
            int n = sizes[i];
            double g = gemm_gflops(n, quick ? 1 : n <= 1024 ? 15 : 5);
            if (g > best) {
                best = g;
                best_n = n;
            }
        }
        printf("nnlab peak %d %.2f GFLOP/s\n", best_n, best);
    }
    return 0;
}
