/*
 * eig.h — eigenvalues and eigenvectors of a symmetric matrix, the one
 * LAPACK call.
 *
 * PCA and whitening (preprocess.c) diagonalize the training covariance.
 * Like nn_gemm, the decomposition sits behind one function: LAPACK's
 * dsyevd (which OpenBLAS ships) when the engine is built with HAVE_CBLAS,
 * and otherwise (or after nn_lapack_use(0)) a plain cyclic Jacobi method,
 * slower but obviously correct, that the tests compare with LAPACK.
 *
 * Everything the decomposition needs is allocated by nn_eig_alloc, so a
 * data set can re-fit its PCA after a new split without allocating.
 */
#ifndef NN_EIG_H
#define NN_EIG_H

typedef struct nn_eig {
    int n;
    double *work;   /* LAPACK's workspace, or Jacobi's n x n rotations */
    int *iwork;
    int lwork, liwork;
} nn_eig;

/* Workspace for n x n matrices.  0, or -1 when out of memory (e is then
 * empty and may be freed). */
int nn_eig_alloc(nn_eig *e, int n);
void nn_eig_free(nn_eig *e);

/* Diagonalize the symmetric n x n matrix A (row-major; both triangles
 * read by the fallback, the upper one by LAPACK).  On return w holds the
 * n eigenvalues in decreasing order and row k of A the unit eigenvector of
 * w[k], its largest component (the first, on a tie) positive so that the
 * result does not depend on the method.  0, or -1 when the method did not
 * converge (A and w are then unspecified). */
int nn_eig_sym(nn_eig *e, double *A, double *w);

/* Use LAPACK (1, the default when built with it) or the Jacobi fallback
 * (0).  Returns the previous setting. */
int nn_lapack_use(int on);

#endif
