/* libpinn internal — small dense kernels on blocks of points, for the jet
 * engines (lib/mlp.c, lib/taylor.c).  The matrices of a block are [unit][channel][point]
 * with 32-point blocks, so N (columns) is always a multiple of 32.  GCC
 * vector extensions give portable SIMD (AVX-512 with -march=native), which
 * beats Debian's OpenBLAS here (it runs its generic Prescott kernels on this
 * CPU: TOOLCHAIN.md; bench/bench_taylor measured both).
 *
 * Both engines (lib/mlp.c, lib/taylor.c) call this one copy; the order of
 * operations is fixed here, so results are bitwise the same whichever engine
 * or thread runs a block.
 */
#include "gemm_impl.h"

#include <string.h>

typedef double v8d __attribute__((vector_size(64), aligned(8)));
/* The same vector for loads and stores at any double-aligned address: a
 * direct (may_alias) access compiles to one unaligned 512-bit move.  A
 * memcpy into a local is lowered by some -march tunings (gcc 12's
 * rocketlake/sapphirerapids prefer 256-bit moves) into two halves stored
 * and reloaded whole, a store-forwarding stall on every load that made the
 * kernels 5x slower on such a CPU. */
typedef double v8d_u __attribute__((vector_size(64), aligned(8), may_alias));

static inline v8d ld8(const double *p) { return *(const v8d_u *)p; }

static inline void st8(double *p, v8d v) { *(v8d_u *)p = v; }

static inline v8d bc8(double s) { return (v8d){s, s, s, s, s, s, s, s}; }

/* The register tile of gemm_nn and gemm_tn: 4 rows x 32 columns of Y in
 * a[r][c] (v8d each), accumulated from the rows x0..x3 of X and the
 * broadcast weights b0..b3; then stored to y with row stride N.  The
 * one-row tile of the remainder rows is a0..a3.  Macros, so each kernel keeps
 * its registers and its exact order of operations. */
#define TILE_ZERO                                                                                  \
  v8d a00 = bc8(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00, \
      a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00
#define TILE_FMA                                                                                   \
  do {                                                                                             \
    a00 += b0 * x0; a01 += b0 * x1; a02 += b0 * x2; a03 += b0 * x3;                                \
    a10 += b1 * x0; a11 += b1 * x1; a12 += b1 * x2; a13 += b1 * x3;                                \
    a20 += b2 * x0; a21 += b2 * x1; a22 += b2 * x2; a23 += b2 * x3;                                \
    a30 += b3 * x0; a31 += b3 * x1; a32 += b3 * x2; a33 += b3 * x3;                                \
  } while (0)
#define TILE_STORE(y)                                                                              \
  do {                                                                                             \
    st8(y, a00); st8(y + 8, a01); st8(y + 16, a02); st8(y + 24, a03);                              \
    st8(y + N, a10); st8(y + N + 8, a11); st8(y + N + 16, a12); st8(y + N + 24, a13);              \
    st8(y + 2 * N, a20); st8(y + 2 * N + 8, a21); st8(y + 2 * N + 16, a22); st8(y + 2 * N + 24, a23); \
    st8(y + 3 * N, a30); st8(y + 3 * N + 8, a31); st8(y + 3 * N + 16, a32); st8(y + 3 * N + 24, a33); \
  } while (0)
#define ROW_ZERO v8d a0 = bc8(0), a1 = a0, a2 = a0, a3 = a0
#define ROW_FMA(x)                                                                                 \
  do {                                                                                             \
    a0 += b0 * ld8(x); a1 += b0 * ld8(x + 8); a2 += b0 * ld8(x + 16); a3 += b0 * ld8(x + 24);      \
  } while (0)
#define ROW_STORE(y)                                                                               \
  do {                                                                                             \
    st8(y, a0); st8(y + 8, a1); st8(y + 16, a2); st8(y + 24, a3);                                  \
  } while (0)

/* Y (M x N) = W (M x K, row-major, leading dim ldw) * X (K x N); if bias is
 * not NULL, bias[m] is added to columns [0, B) of every row (the value
 * channel).  Columns: N multiple of 32. */
void pinn_gemm_nn_(size_t M, size_t K, size_t N, const double *W, size_t ldw, const double *X,
                    double *Y, const double *bias)
{
  size_t m = 0;
  for (; m + 4 <= M; m += 4) {
    const double *w0 = W + m * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
    for (size_t n = 0; n < N; n += 32) {
      TILE_ZERO;
      for (size_t k = 0; k < K; ++k) {
        const double *x = X + k * N + n;
        v8d x0 = ld8(x), x1 = ld8(x + 8), x2 = ld8(x + 16), x3 = ld8(x + 24);
        v8d b0 = bc8(w0[k]), b1 = bc8(w1[k]), b2 = bc8(w2[k]), b3 = bc8(w3[k]);
        TILE_FMA;
      }
      if (bias && n == 0) {
        v8d c0 = bc8(bias[m]), c1 = bc8(bias[m + 1]), c2 = bc8(bias[m + 2]), c3 = bc8(bias[m + 3]);
        a00 += c0; a01 += c0; a02 += c0; a03 += c0;
        a10 += c1; a11 += c1; a12 += c1; a13 += c1;
        a20 += c2; a21 += c2; a22 += c2; a23 += c2;
        a30 += c3; a31 += c3; a32 += c3; a33 += c3;
      }
      double *y = Y + m * N + n;
      TILE_STORE(y);
    }
  }
  for (; m < M; ++m) {
    const double *w0 = W + m * ldw;
    for (size_t n = 0; n < N; n += 32) {
      ROW_ZERO;
      for (size_t k = 0; k < K; ++k) {
        const double *x = X + k * N + n;
        v8d b0 = bc8(w0[k]);
        ROW_FMA(x);
      }
      if (bias && n == 0) {
        v8d c = bc8(bias[m]);
        a0 += c; a1 += c; a2 += c; a3 += c;
      }
      double *y = Y + m * N + n;
      ROW_STORE(y);
    }
  }
}

/* Y (K x N) = W^T X, W (M x K) row-major, X (M x N). */
void pinn_gemm_tn_(size_t M, size_t K, size_t N, const double *W, const double *X, double *Y)
{
  size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    for (size_t n = 0; n < N; n += 32) {
      TILE_ZERO;
      for (size_t m = 0; m < M; ++m) {
        const double *x = X + m * N + n;
        const double *w = W + m * K + k;
        v8d x0 = ld8(x), x1 = ld8(x + 8), x2 = ld8(x + 16), x3 = ld8(x + 24);
        v8d b0 = bc8(w[0]), b1 = bc8(w[1]), b2 = bc8(w[2]), b3 = bc8(w[3]);
        TILE_FMA;
      }
      double *y = Y + k * N + n;
      TILE_STORE(y);
    }
  }
  for (; k < K; ++k) {
    for (size_t n = 0; n < N; n += 32) {
      ROW_ZERO;
      for (size_t m = 0; m < M; ++m) {
        const double *x = X + m * N + n;
        v8d b0 = bc8(W[m * K + k]);
        ROW_FMA(x);
      }
      double *y = Y + k * N + n;
      ROW_STORE(y);
    }
  }
}

typedef long long v8i __attribute__((vector_size(64)));
#if defined(__clang__)
#define SHUF2(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF2(a, b, ...) __builtin_shuffle(a, b, (v8i){__VA_ARGS__})
#endif

/* The sums of four vectors, as four doubles added to g[0..3] (a fixed
 * order: pairwise within the vectors). */
static inline void hsum4_add(v8d a0, v8d a1, v8d a2, v8d a3, double *g)
{
  v8d u0 = SHUF2(a0, a1, 0, 8, 2, 10, 4, 12, 6, 14) + SHUF2(a0, a1, 1, 9, 3, 11, 5, 13, 7, 15);
  v8d u1 = SHUF2(a2, a3, 0, 8, 2, 10, 4, 12, 6, 14) + SHUF2(a2, a3, 1, 9, 3, 11, 5, 13, 7, 15);
  /* u0 = [a0 a1 a0 a1 a0 a1 a0 a1] partial sums, u1 likewise for a2, a3 */
  v8d v = SHUF2(u0, u1, 0, 1, 8, 9, 4, 5, 12, 13) + SHUF2(u0, u1, 2, 3, 10, 11, 6, 7, 14, 15);
  /* v = [a0 a1 a2 a3 a0 a1 a2 a3] */
  g[0] += v[0] + v[4];
  g[1] += v[1] + v[5];
  g[2] += v[2] + v[6];
  g[3] += v[3] + v[7];
}

static inline double hsum8(v8d v)
{
  /* fixed order: pairwise */
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

/* G (M x K, row-major) += Zb (M x N) * X^T, X (K x N).  4 x 4 register
 * blocks: 8 vector loads feed 16 FMAs. */
#define NT_DOT(i, j) a##i##j += q##i * u##j
void pinn_gemm_nt_acc_(size_t M, size_t K, size_t N, const double *Zb,
                                                  const double *X, double *G)
{
  size_t m = 0;
  for (; m + 4 <= M; m += 4) {
    const double *z0 = Zb + m * N, *z1 = z0 + N, *z2 = z1 + N, *z3 = z2 + N;
    size_t k = 0;
    for (; k + 4 <= K; k += 4) {
      const double *x0 = X + k * N, *x1 = x0 + N, *x2 = x1 + N, *x3 = x2 + N;
      v8d a00 = bc8(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00,
          a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00,
          a32 = a00, a33 = a00;
      for (size_t n = 0; n < N; n += 8) {
        v8d u0 = ld8(x0 + n), u1 = ld8(x1 + n), u2 = ld8(x2 + n), u3 = ld8(x3 + n);
        v8d q0 = ld8(z0 + n), q1 = ld8(z1 + n), q2 = ld8(z2 + n), q3 = ld8(z3 + n);
        NT_DOT(0, 0); NT_DOT(0, 1); NT_DOT(0, 2); NT_DOT(0, 3);
        NT_DOT(1, 0); NT_DOT(1, 1); NT_DOT(1, 2); NT_DOT(1, 3);
        NT_DOT(2, 0); NT_DOT(2, 1); NT_DOT(2, 2); NT_DOT(2, 3);
        NT_DOT(3, 0); NT_DOT(3, 1); NT_DOT(3, 2); NT_DOT(3, 3);
      }
      double *g0 = G + m * K + k;
      hsum4_add(a00, a01, a02, a03, g0);
      hsum4_add(a10, a11, a12, a13, g0 + K);
      hsum4_add(a20, a21, a22, a23, g0 + 2 * K);
      hsum4_add(a30, a31, a32, a33, g0 + 3 * K);
    }
    for (; k < K; ++k) {
      ROW_ZERO;
      const double *x0 = X + k * N;
      for (size_t n = 0; n < N; n += 8) {
        v8d u0 = ld8(x0 + n);
        a0 += ld8(z0 + n) * u0; a1 += ld8(z1 + n) * u0;
        a2 += ld8(z2 + n) * u0; a3 += ld8(z3 + n) * u0;
      }
      G[m * K + k] += hsum8(a0); G[(m + 1) * K + k] += hsum8(a1);
      G[(m + 2) * K + k] += hsum8(a2); G[(m + 3) * K + k] += hsum8(a3);
    }
  }
  for (; m < M; ++m)
    for (size_t k = 0; k < K; ++k) {
      v8d a0 = bc8(0);
      const double *z0 = Zb + m * N, *x0 = X + k * N;
      for (size_t n = 0; n < N; n += 8) a0 += ld8(z0 + n) * ld8(x0 + n);
      G[m * K + k] += hsum8(a0);
    }
}
#undef NT_DOT
