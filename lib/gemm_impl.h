/* libpinn internal — small dense kernels on blocks of points (lib/gemm.c).
 * Row-major matrices; N (columns) a multiple of 32.  Not installed. */
#ifndef PINN_GEMM_IMPL_H
#define PINN_GEMM_IMPL_H
#include <stddef.h>

/* Y (M x N) = W (M x K, leading dimension ldw) X (K x N); when bias is not
 * NULL, bias[m] is added to the first 32 columns of row m (the value
 * channel of a 32-point block). */
void pinn_gemm_nn_(size_t M, size_t K, size_t N, const double *W, size_t ldw, const double *X,
                   double *Y, const double *bias);
/* Y (K x N) = W^T X, W (M x K), X (M x N). */
void pinn_gemm_tn_(size_t M, size_t K, size_t N, const double *W, const double *X, double *Y);
/* G (M x K) += Zb (M x N) X^T, X (K x N). */
void pinn_gemm_nt_acc_(size_t M, size_t K, size_t N, const double *Zb, const double *X, double *G);
#endif
