/*
 * eig.c — the symmetric eigen-decomposition (see eig.h).
 *
 * LAPACK is reached through its Fortran symbol, dsyevd_, declared here
 * because Debian's OpenBLAS ships the routine but not lapacke.h.  Fortran
 * passes everything by reference and appends the lengths of character
 * arguments after the others (hidden size_t arguments in gfortran's ABI).
 * A row-major symmetric matrix is its own column-major transpose, so it
 * goes in as it is; the eigenvectors come back as the columns of a
 * column-major matrix, which are the rows of our row-major one.
 */
#include "eig.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CBLAS
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a,
             const int *lda, double *w, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t jobz_len,
             size_t uplo_len);
static int use_lapack = 1;
#else
static int use_lapack = 0;
#endif

int nn_lapack_use(int on)
{
    int was = use_lapack;
#ifdef HAVE_CBLAS
    use_lapack = on != 0;
#else
    (void)on;
#endif
    return was;
}

void nn_eig_free(nn_eig *e)
{
    free(e->work);
    free(e->iwork);
    memset(e, 0, sizeof *e);
}

int nn_eig_alloc(nn_eig *e, int n)
{
    size_t nn = (size_t)n * (size_t)n;
    memset(e, 0, sizeof *e);
    e->n = n;
    e->lwork = (int)(nn > 0 ? nn : 1);
    e->liwork = n > 0 ? n : 1;
#ifdef HAVE_CBLAS
    /* the workspace LAPACK asks for, if more than Jacobi's (it rejects
     * n = 0 with a message on stderr: nothing to ask then) */
    int lw = -1, liw = -1, iq = 0, info = n > 0 ? 0 : -1;
    double q = 0, a = 0, w = 0;
    if (n > 0)
        dsyevd_("V", "U", &n, &a, &n, &w, &q, &lw, &iq, &liw, &info, 1, 1);
    if (info == 0 && q > e->lwork)
        e->lwork = (int)q;
    if (info == 0 && iq > e->liwork)
        e->liwork = iq;
#endif
    e->work = malloc((size_t)e->lwork * sizeof *e->work);
    e->iwork = malloc((size_t)e->liwork * sizeof *e->iwork);
    if (!e->work || !e->iwork) {
        nn_eig_free(e);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * The Jacobi fallback
 * ------------------------------------------------------------------------ */

/* A' = Jᵀ·A·J for the rotation J in the (p, q) plane that zeroes A[p][q];
 * V accumulates the rotations (its columns become the eigenvectors). */
static void jacobi_rotate(int n, double *A, double *V, int p, int q)
{
    double apq = A[(size_t)p * n + q];
    double theta = (A[(size_t)q * n + q] - A[(size_t)p * n + p]) / (2 * apq);
    double t = (theta >= 0 ? 1.0 : -1.0) /
               (fabs(theta) + sqrt(theta * theta + 1));
    double c = 1 / sqrt(t * t + 1), s = t * c;
    for (int k = 0; k < n; k++) {
        double *row = A + (size_t)k * n;
        double akp = row[p], akq = row[q];
        row[p] = c * akp - s * akq;
        row[q] = s * akp + c * akq;
    }
    double *rp = A + (size_t)p * n, *rq = A + (size_t)q * n;
    for (int k = 0; k < n; k++) {
        double apk = rp[k], aqk = rq[k];
        rp[k] = c * apk - s * aqk;
        rq[k] = s * apk + c * aqk;
    }
    for (int k = 0; k < n; k++) {
        double *v = V + (size_t)k * n;
        double vkp = v[p], vkq = v[q];
        v[p] = c * vkp - s * vkq;
        v[q] = s * vkp + c * vkq;
    }
}

static double off_diagonal_sq(int n, const double *A, double *all)
{
    double off = 0, sum = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double a = A[(size_t)i * n + j];
            sum += a * a;
            if (i != j)
                off += a * a;
        }
    *all = sum;
    return off;
}

/* Cyclic Jacobi: sweeps over every pair until the off-diagonal part is
 * negligible.  Eigenvalues into w, eigenvectors into the columns of V. */
static int jacobi(int n, double *A, double *w, double *V)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            V[(size_t)i * n + j] = i == j;
    for (int sweep = 0;; sweep++) {
        double all, off = off_diagonal_sq(n, A, &all);
        if (off <= 1e-30 * all)
            break;
        if (sweep == 100) /* it converges quadratically: 10 is typical */
            return -1;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
                if (A[(size_t)p * n + q] != 0)
                    jacobi_rotate(n, A, V, p, q);
    }
    for (int i = 0; i < n; i++)
        w[i] = A[(size_t)i * n + i];
    return 0;
}

/* Rows of A from V's columns, in decreasing order of eigenvalue. */
static void jacobi_sorted(int n, double *A, double *w, double *V, int *idx)
{
    for (int i = 0; i < n; i++) {
        int k = i;
        while (k > 0 && w[idx[k - 1]] < w[i]) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = i;
    }
    for (int r = 0; r < n; r++)
        for (int j = 0; j < n; j++)
            A[(size_t)r * n + j] = V[(size_t)j * n + idx[r]];
    for (int r = 0; r < n; r++) /* V is spent: its first row holds w */
        V[r] = w[idx[r]];
    memcpy(w, V, (size_t)n * sizeof *w);
}

/* ------------------------------------------------------------------------
 * The one call
 * ------------------------------------------------------------------------ */

/* LAPACK's ascending order to decreasing: reverse rows and values. */
static void reverse_order(int n, double *A, double *w)
{
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        double t = w[i];
        w[i] = w[j];
        w[j] = t;
        double *a = A + (size_t)i * n, *b = A + (size_t)j * n;
        for (int k = 0; k < n; k++) {
            t = a[k];
            a[k] = b[k];
            b[k] = t;
        }
    }
}

/* The largest component positive; components within rounding of the
 * largest count as equal, and the first of them decides. */
static void fix_signs(int n, double *A)
{
    for (int r = 0; r < n; r++) {
        double *v = A + (size_t)r * n, big = 0;
        for (int j = 0; j < n; j++)
            big = fmax(big, fabs(v[j]));
        int j = 0;
        while (j < n - 1 && fabs(v[j]) < big * (1 - 1e-9))
            j++;
        if (v[j] < 0)
            for (int k = 0; k < n; k++)
                v[k] = -v[k];
    }
}

int nn_eig_sym(nn_eig *e, double *A, double *w)
{
    int n = e->n;
    if (n <= 0)
        return 0;
#ifdef HAVE_CBLAS
    if (use_lapack) {
        int info = 0;
        dsyevd_("V", "U", &n, A, &n, w, e->work, &e->lwork, e->iwork,
                &e->liwork, &info, 1, 1);
        if (info != 0)
            return -1;
        reverse_order(n, A, w);
        fix_signs(n, A);
        return 0;
    }
#endif
    if (jacobi(n, A, w, e->work))
        return -1;
    jacobi_sorted(n, A, w, e->work, e->iwork);
    fix_signs(n, A);
    return 0;
}
