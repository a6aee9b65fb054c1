/* libpinn — vectorised activation kernels: s, s', s'', s''' over a block of
 * values (see lib/activation_impl.h).  The hot loop of the network jets.
 *
 * This translation unit is built with -ffast-math -fno-finite-math-only
 * (CMakeLists.txt).  Each loop is `#pragma omp simd` and makes one call to a
 * transcendental per value where the function allows it; the derivatives
 * follow algebraically (formulas as in lib/activation.c):
 *   tanh     e = exp(-2|x|), t = sign(x) (1 - e)/(1 + e), s' = 4 e/(1 + e)^2 for
 *            |x| > 0.3125, a Taylor polynomial of degree 23 below; s'' = -2 t s',
 *            s''' = -2 s' (1 - 3 t^2)              [one exp: faster than libmvec's
 *            tanh (bench/bench_activation.c), and s' keeps its relative accuracy]
 *   sigmoid  e = exp(-|x|), r = 1/(1+e), sigma' = e r^2, 1 - 2 sigma = -sign(x)(1-e) r,
 *            sigma''' = sigma' (1 - 6 sigma')                    [one exp]
 *   SiLU     from the sigmoid jet                                [one exp]
 *   softplus from the sigmoid jet of beta x, plus log1p(e)        [exp + log1p]
 *   sin      sin and cos in two passes (gcc fuses a sin/cos pair into a scalar
 *            sincos call that it cannot vectorise)              [sin + cos]
 *   GELU     Phi = erfc(-x/sqrt2)/2, phi = exp(-x^2/2)/sqrt(2 pi) [erfc + exp]
 * Accuracy against pinn_activation_eval: a few ulp relative, except near a zero of
 * an output (e.g. sigmoid''' where sigma' = 1/6), where the error is a few ulp of
 * the terms that cancel.
 *
 * glibc's math-vector.h declares the libmvec variants only under __FAST_MATH__,
 * which gcc does NOT define when -fno-finite-math-only is on; we declare them here
 * (`omp declare simd notinbranch` = glibc's own declaration, so gcc calls
 * _ZGVeN8v_exp, _ZGVdN4v_exp, ... from libmvec, which libm.so pulls in as needed).
 * Nothing in this file tests for NaN or Inf.
 *
 * Measured (bench/bench_activation, one core of the Zen4 VM, blocks of 32, all four
 * outputs): tanh ~2.4 ns/value (libmvec tanh variant ~2.3-3.1, scalar libm tanh
 * alone ~10), sigmoid 1.6, SiLU 1.8, sin 2.0, softplus 3.2, GELU 3.4, ReLU family 0.5.
 */
#include "activation_impl.h"

#include <math.h>

#if defined(__x86_64__) && defined(_OPENMP) && defined(__GLIBC__) && !defined(__FAST_MATH__)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 22)
#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern double sin(double);
#pragma omp declare simd notinbranch
extern double cos(double);
#endif
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)
#pragma omp declare simd notinbranch
extern double log1p(double);
#pragma omp declare simd notinbranch
extern double erfc(double);
#endif
#endif

#define INV_SQRT_2PI 0.39894228040143267793994605993438 /* 1/sqrt(2 pi) */
#define SQRT1_2 0.70710678118654752440084436210485      /* 1/sqrt(2) */

/* Values per pass when some derivatives are not wanted (they go to scratch
 * buffers of this length on the stack), and per pass of the sin kernel. */
#define CHUNK 256

/* Every kernel below: n values, all four outputs non-NULL and not aliased;
 * param is the activation's parameter (beta, alpha; unused by most). */
#define KERNEL_ARGS(param)                                                                  \
  double param __attribute__((unused)), size_t n, const double *restrict z,                 \
      double *restrict s0, double *restrict s1, double *restrict s2, double *restrict s3
static void k_identity(KERNEL_ARGS(p))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    s0[i] = z[i];
    s1[i] = 1.0;
    s2[i] = 0.0;
    s3[i] = 0.0;
  }
}

/* tanh(a) = a + a u Q(u), u = a^2, for 0 <= a <= TANH_SMALL: the Taylor series
 * tanh a = sum_n 2^{2n}(2^{2n}-1) B_{2n} a^{2n-1} / (2n)!, 12 terms (to a^23),
 * relative truncation error < 1.2e-17 at a = TANH_SMALL (checked with 40-digit
 * arithmetic).  Above TANH_SMALL, e = exp(-2a) and tanh a = (1 - e)/(1 + e) lose
 * at most ~1 ulp to the cancellation in 1 - e (e < 0.54). */
#define TANH_SMALL 0.3125
#define TANH_Q(u)                                                                          \
  (-3.33333333333333315e-01                                                                \
   + (u) * (1.33333333333333331e-01                                                        \
   + (u) * (-5.39682539682539708e-02                                                       \
   + (u) * (2.18694885361552030e-02                                                        \
   + (u) * (-8.86323552990219733e-03                                                       \
   + (u) * (3.59212803657248114e-03                                                        \
   + (u) * (-1.45583438705131833e-03                                                       \
   + (u) * (5.90027440945585947e-04                                                        \
   + (u) * (-2.39129114243552478e-04                                                       \
   + (u) * (9.69153795692945095e-05                                                        \
   + (u) * (-3.92783238833168327e-05)))))))))))

static void k_tanh(KERNEL_ARGS(p))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double x = z[i];
    double a = fabs(x);
    double e = exp(-2.0 * a); /* (0, 1] */
    double r = 1.0 / (1.0 + e);
    double u = a * a;
    double ts = a + a * u * TANH_Q(u);
    int small = a <= TANH_SMALL;
    double ta = small ? ts : (1.0 - e) * r;
    double d1 = small ? 1.0 - ts * ts : 4.0 * e * r * r; /* sech^2, relative accuracy */
    double t = copysign(ta, x);
    s0[i] = t;
    s1[i] = d1;
    s2[i] = -2.0 * t * d1;
    s3[i] = -2.0 * d1 * (1.0 - 3.0 * t * t);
  }
}

/* sigma(x) and its first three derivatives with one exp (the formulas of the
 * file comment), for the sigmoid and SiLU kernels.  A struct returned by
 * value: inlined into their simd loops it stays in vector registers (an
 * array argument stops gcc from vectorising them). */
typedef struct sigjet {
  double g0, g1, g2, g3;
} sigjet;

static inline sigjet sigmoid_jet(double x)
{
  double e = exp(-fabs(x));
  double r = 1.0 / (1.0 + e);
  double g1 = e * r * r;
  sigjet g = {x >= 0.0 ? r : e * r, g1, g1 * copysign((1.0 - e) * r, -x), g1 * (1.0 - 6.0 * g1)};
  return g;
}

static void k_sigmoid(KERNEL_ARGS(p))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    sigjet g = sigmoid_jet(z[i]);
    s0[i] = g.g0;
    s1[i] = g.g1;
    s2[i] = g.g2;
    s3[i] = g.g3;
  }
}

static void k_silu(KERNEL_ARGS(p))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double x = z[i];
    sigjet g = sigmoid_jet(x);
    s0[i] = x * g.g0;
    s1[i] = g.g0 + x * g.g1;
    s2[i] = 2.0 * g.g1 + x * g.g2;
    s3[i] = 3.0 * g.g2 + x * g.g3;
  }
}

static void k_softplus(KERNEL_ARGS(beta))
{
  double b2 = beta * beta;
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double y = beta * z[i];
    double e = exp(-fabs(y));
    double r = 1.0 / (1.0 + e);
    double g1 = e * r * r;
    s0[i] = ((y > 0.0 ? y : 0.0) + log1p(e)) / beta;
    s1[i] = y >= 0.0 ? r : e * r;
    s2[i] = beta * g1;
    s3[i] = b2 * g1 * copysign((1.0 - e) * r, -y);
  }
}

/* sin then cos over chunks of CHUNK, so the second pass reads z from L1. */
static void k_sin(KERNEL_ARGS(p))
{
  for (size_t off = 0; off < n; off += CHUNK) {
    size_t m = n - off < CHUNK ? n - off : CHUNK;
    const double *restrict zc = z + off;
#pragma omp simd
    for (size_t i = 0; i < m; ++i) {
      double s = sin(zc[i]);
      s0[off + i] = s;
      s2[off + i] = -s;
    }
#pragma omp simd
    for (size_t i = 0; i < m; ++i) {
      double c = cos(zc[i]);
      s1[off + i] = c;
      s3[off + i] = -c;
    }
  }
}

static void k_gelu(KERNEL_ARGS(p))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double x = z[i];
    double Phi = 0.5 * erfc(-SQRT1_2 * x);
    double phi = INV_SQRT_2PI * exp(-0.5 * x * x);
    double x2 = x * x;
    s0[i] = x * Phi;
    s1[i] = Phi + x * phi;
    s2[i] = phi * (2.0 - x2);
    s3[i] = x * phi * (x2 - 4.0);
  }
}

/* ReLU (slope 0), Leaky ReLU and PReLU (slope a) for x < 0; s'(0) = 1. */
static void k_slope(KERNEL_ARGS(a))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double x = z[i];
    int neg = x < 0.0;
    s0[i] = neg ? a * x : x;
    s1[i] = neg ? a : 1.0;
    s2[i] = 0.0;
    s3[i] = 0.0;
  }
}

static void k_relu(KERNEL_ARGS(p))
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double x = z[i];
    int neg = x < 0.0;
    s0[i] = neg ? 0.0 : x;
    s1[i] = neg ? 0.0 : 1.0;
    s2[i] = 0.0;
    s3[i] = 0.0;
  }
}

/* Writes NaN: the kind is not a pinn_activation_kind. */
static void k_invalid(KERNEL_ARGS(p))
{
  (void)z;
  for (size_t i = 0; i < n; ++i) s0[i] = s1[i] = s2[i] = s3[i] = NAN;
}

/* Dispatch by kind (all outputs present). */
static inline void run_kernel(pinn_activation_kind kind, double p, size_t n,
                              const double *restrict z, double *restrict s0,
                              double *restrict s1, double *restrict s2, double *restrict s3)
{
  switch (kind) {
  case PINN_ACT_IDENTITY: k_identity(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_TANH: k_tanh(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_SIGMOID: k_sigmoid(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_GELU: k_gelu(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_SOFTPLUS: k_softplus(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_SILU: k_silu(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_SIN: k_sin(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_RELU: k_relu(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_LEAKY_RELU:
  case PINN_ACT_PRELU: k_slope(p, n, z, s0, s1, s2, s3); return;
  case PINN_ACT_COUNT: break;
  }
  k_invalid(p, n, z, s0, s1, s2, s3);
}

/* Some derivatives not wanted: chunks, with scratch buffers in their place.
 * Kept out of line so the common path has no large stack frame. */
__attribute__((noinline)) static void run_partial(pinn_activation_kind kind, double param,
                                                  size_t n, const double *z, double *s0,
                                                  double *s1, double *s2, double *s3)
{
  double b1[CHUNK], b2[CHUNK], b3[CHUNK];
  for (size_t off = 0; off < n; off += CHUNK) {
    size_t m = n - off < CHUNK ? n - off : CHUNK;
    run_kernel(kind, param, m, z + off, s0 + off, s1 ? s1 + off : b1, s2 ? s2 + off : b2,
               s3 ? s3 + off : b3);
  }
}

void pinn_act_block(pinn_activation_kind kind, double param, size_t n, const double *z,
                    double *s0, double *s1, double *s2, double *s3)
{
  if (s1 && s2 && s3)
    run_kernel(kind, param, n, z, s0, s1, s2, s3);
  else
    run_partial(kind, param, n, z, s0, s1, s2, s3);
}
