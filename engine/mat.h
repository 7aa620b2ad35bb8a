/*
 * mat.h — dense row-major matrices of doubles, and the one matrix product.
 *
 * Every matrix product in nnlab, forward and backward, goes through
 * nn_gemm(), which calls cblas_dgemm when the engine is built with
 * HAVE_CBLAS and otherwise (or after nn_blas_use(0)) a plain C loop.  The
 * tests run both and compare them.
 */
#ifndef NN_MAT_H
#define NN_MAT_H

#include "err.h"

typedef struct nn_mat {
    int rows, cols;
    double *v; /* rows*cols values, row-major; owned */
} nn_mat;

/* Allocate a zero-filled rows x cols matrix into *m (which must be empty or
 * freed).  0 on success, -1 when out of memory (m is left empty). */
int nn_mat_alloc(nn_mat *m, int rows, int cols);
void nn_mat_free(nn_mat *m);
static inline int nn_mat_size(const nn_mat *m) { return m->rows * m->cols; }

/* C = alpha * op(A) * op(B) + beta * C, row-major, where op(X) is X or its
 * transpose as ta/tb are 0 or 1.  op(A) is M x K, op(B) is K x N, C is
 * M x N; lda/ldb/ldc are the row strides of A, B, C as stored. */
void nn_gemm(int ta, int tb, int M, int N, int K, double alpha,
             const double *A, int lda, const double *B, int ldb,
             double beta, double *C, int ldc);

/* Use OpenBLAS (1, the default when built with it) or the C loop (0).
 * Returns the previous setting. */
int nn_blas_use(int on);
/* Threads OpenBLAS may use (n >= 1); returns the number now in effect.
 * Under a limit on the address space (ulimit -v), no more than have room
 * for their buffers (see nn_blas_check). */
int nn_blas_threads(int n);

/* OpenBLAS needs about 128 MB of address space per thread for its buffers
 * (each worker thread takes its own as it starts, before main) and, when
 * a limit on the address space (ulimit -v) leaves no room for one, waits
 * for ever in its first product.  nn_blas_limited() is 1 under such a
 * limit: a program should then start OpenBLAS with one thread
 * (OPENBLAS_NUM_THREADS=1, read when the library loads).
 *
 * nn_blas_check(): call once before the first product.  Without a limit it
 * does nothing and returns 0.  Under one it takes this thread's buffer now,
 * while there is room, or switches OpenBLAS and LAPACK off (nn_blas_use(0),
 * nn_lapack_use(0)) when there is none: then it returns 1 and err says so,
 * for the program to tell. */
int nn_blas_limited(void);
int nn_blas_check(nn_err *err);

/* Loops that gain from AVX2 are marked NN_VECTOR_CLONES: GCC on x86-64
 * builds an AVX2 copy and a plain one and picks at load time by the CPU.
 * Elsewhere the mark is empty and the plain loop is all there is: clang 14
 * (Debian 12's) emits both copies of a target_clones function but no
 * symbol under its own name, so nothing could call it. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NN_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NN_VECTOR_CLONES
#endif

/* Small vector helpers used across the engine. */
double nn_sum_sq(const double *x, int n);
void nn_mean_var(const double *x, int n, double *mean, double *var);

/* nn_mean_var and, in its second pass, the extremes and two counts: what
 * the statistics of a weight matrix need in two passes over it. */
typedef struct nn_summary {
    double mean, var;  /* exactly as nn_mean_var gives them */
    double min, max;   /* NaN skipped; both NAN when nothing else is left */
    long small;        /* values with |x| < the threshold given */
    long zero;         /* values exactly 0 (−0 too) */
} nn_summary;
void nn_summarize(const double *x, int n, double small, nn_summary *s);

#endif
