/*
 * mat.c — matrices and the BLAS seam (see mat.h).
 *
 * The fallback loop is written for clarity rather than speed: it exists so
 * the engine builds without BLAS and so the tests can check OpenBLAS
 * against an obviously correct product.
 */
#include "mat.h"

#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "eig.h"

#ifdef HAVE_CBLAS
#include <cblas.h>
static int use_blas = 1;
#else
static int use_blas = 0;
#endif

int nn_mat_alloc(nn_mat *m, int rows, int cols)
{
    m->rows = m->cols = 0;
    m->v = NULL;
    if (rows < 0 || cols < 0)
        return -1;
    size_t n = (size_t)rows * (size_t)cols;
    m->v = calloc(n ? n : 1, sizeof *m->v);
    if (!m->v)
        return -1;
    m->rows = rows;
    m->cols = cols;
    return 0;
}

void nn_mat_free(nn_mat *m)
{
    free(m->v);
    m->v = NULL;
    m->rows = m->cols = 0;
}

static void gemm_loop(int ta, int tb, int M, int N, int K, double alpha,
                      const double *A, int lda, const double *B, int ldb,
                      double beta, double *C, int ldc)
{
    for (int i = 0; i < M; i++) {
        double *c = C + (size_t)i * ldc;
        for (int j = 0; j < N; j++)
            c[j] = beta == 0.0 ? 0.0 : beta * c[j];
        for (int k = 0; k < K; k++) {
            double a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
            a *= alpha;
            if (a == 0.0)
                continue;
            if (tb) {
                for (int j = 0; j < N; j++)
                    c[j] += a * B[(size_t)j * ldb + k];
            } else {
                const double *b = B + (size_t)k * ldb;
                for (int j = 0; j < N; j++)
                    c[j] += a * b[j];
            }
        }
    }
}

void nn_gemm(int ta, int tb, int M, int N, int K, double alpha,
             const double *A, int lda, const double *B, int ldb,
             double beta, double *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
#ifdef HAVE_CBLAS
    if (use_blas && K > 0) {
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                    tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda,
                    B, ldb, beta, C, ldc);
        return;
    }
#endif
    gemm_loop(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

int nn_blas_use(int on)
{
    int was = use_blas;
#ifdef HAVE_CBLAS
    use_blas = on != 0;
#else
    (void)on;
#endif
    return was;
}

#ifdef HAVE_CBLAS
/* OpenBLAS's own calls; declared here so the engine does not depend on
 * openblas_config.h being the header that cblas.h happens to pull in. */
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
#endif

#ifdef HAVE_CBLAS
/* OpenBLAS takes a buffer of this much address space (BUFFER_SIZE of its
 * x86-64 builds, 32 << 22) for each thread and keeps it: its worker
 * threads when they start, the calling thread at its first product.  When
 * the address space is limited (ulimit -v) and a buffer does not fit, it
 * retries for ever: the program hangs in its first product.  So under a
 * limit the buffers are checked for and taken at once, and the threads are
 * as many as have room. */
#define BLAS_BUFFER ((size_t)128 << 20)
#define BLAS_HEADROOM ((size_t)32 << 20)  /* left for everything else */

/* 1 if the address space has room for n more buffers now. */
static int room_for(int n)
{
    size_t len = (size_t)n * BLAS_BUFFER + BLAS_HEADROOM;
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
                   MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    munmap(p, len);
    return 1;
}

/* Products that make OpenBLAS take its buffers now: a small one on this
 * thread, then one large enough to run on every thread (which also waits
 * for new worker threads to have taken theirs). */
static void take_buffers(int threads)
{
    int n = threads > 1 ? 256 * (threads < 4 ? threads : 4) : 2;
    double *a = calloc((size_t)n * n * 3, sizeof *a);
    if (!a)
        return;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0, a, 2,
                a, 2, 0.0, a, 2);
    if (threads > 1)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
                    a, n, a + (size_t)n * n, n, 0.0, a + (size_t)2 * n * n, n);
    free(a);
}

static int limited(struct rlimit *rl)
{
    return getrlimit(RLIMIT_AS, rl) == 0 && rl->rlim_cur != RLIM_INFINITY;
}
#endif

int nn_blas_limited(void)
{
#ifdef HAVE_CBLAS
    struct rlimit rl;
    return limited(&rl);
#else
    return 0;
#endif
}

int nn_blas_check(nn_err *err)
{
#ifdef HAVE_CBLAS
    struct rlimit rl;
    if (!use_blas || !limited(&rl))
        return 0;
    /* the workers' buffers, if any, are taken (or being taken) already:
     * only this thread's is still to come */
    if (room_for(1)) {
        take_buffers(1);
        return 0;
    }
    use_blas = 0;
    nn_lapack_use(0);
    nn_fail(err, "the address-space limit (ulimit -v %lu) leaves no room for "
            "OpenBLAS's %zu MB buffer: matrix products use the plain C loop "
            "(slower)", (unsigned long)(rl.rlim_cur >> 10), BLAS_BUFFER >> 20);
    return 1;
#else
    (void)err;
    return 0;
#endif
}

int nn_blas_threads(int n)
{
#ifdef HAVE_CBLAS
    struct rlimit rl;
    if (n >= 1 && limited(&rl)) {
        /* more threads than have room would hang (see BLAS_BUFFER);
         * those running now have theirs */
        int have = openblas_get_num_threads();
        while (n > have && !(use_blas && room_for(n - have)))
            n--;
        openblas_set_num_threads(n);
        if (use_blas)
            take_buffers(n);
    } else if (n >= 1) {
        openblas_set_num_threads(n);
    }
    return openblas_get_num_threads();
#else
    (void)n;
    return 1;
#endif
}

/* The reductions below run every training step over every weight and
 * gradient (the history's statistics), so they keep four independent
 * partial sums, which the compiler turns into vector instructions (one
 * accumulator would be a chain of dependent additions). */
NN_VECTOR_CLONES
double nn_sum_sq(const double *x, int n)
{
    double q[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++)
            q[j] += x[i + j] * x[i + j];
    double s = (q[0] + q[1]) + (q[2] + q[3]);
    for (; i < n; i++)
        s += x[i] * x[i];
    return s;
}

NN_VECTOR_CLONES
static double sum_lanes(const double *x, int n)
{
    double q[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++)
            q[j] += x[i + j];
    double s = (q[0] + q[1]) + (q[2] + q[3]);
    for (; i < n; i++)
        s += x[i];
    return s;
}

NN_VECTOR_CLONES
static double sum_sq_dev(const double *x, int n, double m)
{
    double q[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++)
            q[j] += (x[i + j] - m) * (x[i + j] - m);
    double s = (q[0] + q[1]) + (q[2] + q[3]);
    for (; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return s;
}

/* Two passes (the mean, then squared deviations from it): accurate when
 * the mean is large against the spread. */
void nn_mean_var(const double *x, int n, double *mean, double *var)
{
    double m = n ? sum_lanes(x, n) / n : 0;
    *mean = m;
    *var = n ? sum_sq_dev(x, n, m) / n : 0;
}

/* sum_sq_dev's lanes, to the same bits, with the counts and extremes
 * gathered on the way. */
NN_VECTOR_CLONES
static double summary_pass(const double *x, int n, double m, double small,
                           nn_summary *s)
{
    double q[4] = { 0, 0, 0, 0 };
    double lo[4] = { INFINITY, INFINITY, INFINITY, INFINITY };
    double hi[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
    long ns[4] = { 0, 0, 0, 0 }, nz[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double v = x[i + j];
            q[j] += (v - m) * (v - m);
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
            ns[j] += fabs(v) < small;
            nz[j] += v == 0;
        }
    double sq = (q[0] + q[1]) + (q[2] + q[3]);
    for (int j = 1; j < 4; j++) {
        lo[0] = lo[j] < lo[0] ? lo[j] : lo[0];
        hi[0] = hi[j] > hi[0] ? hi[j] : hi[0];
        ns[0] += ns[j];
        nz[0] += nz[j];
    }
    for (; i < n; i++) {
        double v = x[i];
        sq += (v - m) * (v - m);
        lo[0] = v < lo[0] ? v : lo[0];
        hi[0] = v > hi[0] ? v : hi[0];
        ns[0] += fabs(v) < small;
        nz[0] += v == 0;
    }
    /* only NaN (or nothing) seen: no extremes */
    int none = lo[0] == INFINITY && hi[0] == -INFINITY;
    s->min = none ? NAN : lo[0];
    s->max = none ? NAN : hi[0];
    s->small = ns[0];
    s->zero = nz[0];
    return sq;
}

void nn_summarize(const double *x, int n, double small, nn_summary *s)
{
    double m = n ? sum_lanes(x, n) / n : 0;
    double sq = summary_pass(x, n, m, small, s);
    s->mean = m;
    s->var = n ? sq / n : 0;
}
