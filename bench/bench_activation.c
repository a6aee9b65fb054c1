/* Benchmark of the activation kernels: ns per value of pinn_activation_eval_n for
 * every kind (blocks of 32 values in L1, as the network jets call it, and one
 * call over 1.6 million values, the count of a Burgers loss evaluation),
 * against the scalar pinn_activation_eval and a plain scalar libm loop that
 * computes s only.  For tanh it also times two alternative kernels, built on
 * libmvec's own tanh and on expm1 (t first, then s' = 1 - t^2, ...).
 *
 * Usage: bench_activation [n_large]      (one core; best of 11 trials)
 */
#include <pinn/activation.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* libmvec's tanh, for the comparison kernel (as in lib/activation_kernels.c). */
#if defined(__x86_64__) && defined(_OPENMP) && defined(__GLIBC__) && !defined(__FAST_MATH__)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)
#pragma omp declare simd notinbranch
extern double tanh(double);
#pragma omp declare simd notinbranch
extern double expm1(double);
#endif
#endif

#define BLOCK 32
#define NSMALL 2048 /* 64 blocks of 32: inputs and outputs stay in L1 */

/* CPU time of this thread: robust against preemption on a shared machine. */
static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile double sink;

typedef struct {
  const pinn_activation *a;
  size_t n;
  const double *z;
  double *s0, *s1, *s2, *s3;
} job;

typedef void (*run_fn)(const job *j);

static void run_blocks(const job *j) /* pinn_activation_eval_n per block of 32 */
{
  for (size_t off = 0; off < j->n; off += BLOCK)
    pinn_activation_eval_n(j->a, BLOCK, j->z + off, j->s0 + off, j->s1 + off, j->s2 + off,
                           j->s3 + off);
}

static void run_blocks_value_only(const job *j)
{
  for (size_t off = 0; off < j->n; off += BLOCK)
    pinn_activation_eval_n(j->a, BLOCK, j->z + off, j->s0 + off, NULL, NULL, NULL);
}

static void run_large(const job *j) /* one call over all n */
{
  pinn_activation_eval_n(j->a, j->n, j->z, j->s0, j->s1, j->s2, j->s3);
}

static void run_scalar_eval(const job *j)
{
  for (size_t i = 0; i < j->n; ++i) {
    double d[4];
    pinn_activation_eval(j->a, j->z[i], d);
    j->s0[i] = d[0];
    j->s1[i] = d[1];
    j->s2[i] = d[2];
    j->s3[i] = d[3];
  }
}

/* s only, plain scalar libm (kept scalar: this file declares tanh simd). */
__attribute__((optimize("no-tree-vectorize"))) static void run_libm_value(const job *j)
{
  const double *z = j->z;
  double *s = j->s0, p = j->a->param;
  size_t n = j->n;
  switch (j->a->kind) {
  case PINN_ACT_IDENTITY: for (size_t i = 0; i < n; ++i) s[i] = z[i]; break;
  case PINN_ACT_TANH: for (size_t i = 0; i < n; ++i) s[i] = tanh(z[i]); break;
  case PINN_ACT_SIGMOID: for (size_t i = 0; i < n; ++i) s[i] = 1.0 / (1.0 + exp(-z[i])); break;
  case PINN_ACT_GELU:
    for (size_t i = 0; i < n; ++i) s[i] = 0.5 * z[i] * erfc(-0.7071067811865476 * z[i]);
    break;
  case PINN_ACT_SOFTPLUS:
    for (size_t i = 0; i < n; ++i) s[i] = log1p(exp(p * z[i])) / p;
    break;
  case PINN_ACT_SILU: for (size_t i = 0; i < n; ++i) s[i] = z[i] / (1.0 + exp(-z[i])); break;
  case PINN_ACT_SIN: for (size_t i = 0; i < n; ++i) s[i] = sin(z[i]); break;
  case PINN_ACT_RELU: for (size_t i = 0; i < n; ++i) s[i] = z[i] > 0 ? z[i] : 0.0; break;
  case PINN_ACT_LEAKY_RELU:
  case PINN_ACT_PRELU: for (size_t i = 0; i < n; ++i) s[i] = z[i] > 0 ? z[i] : p * z[i]; break;
  case PINN_ACT_COUNT: break;
  }
}

/* Alternative tanh kernel on libmvec's tanh, blocks of 32. */
static void tanh_libmvec_block(size_t n, const double *restrict z, double *restrict s0,
                               double *restrict s1, double *restrict s2, double *restrict s3)
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double t = tanh(z[i]);
    double d1 = 1.0 - t * t;
    s0[i] = t;
    s1[i] = d1;
    s2[i] = -2.0 * t * d1;
    s3[i] = -2.0 * d1 * (1.0 - 3.0 * t * t);
  }
}

/* Alternative tanh kernel on one expm1: t = -em/(2 + em), s' = 1 - t^2 (s' and
 * the higher derivatives only absolutely accurate, ~1e-15, in the tails). */
static void tanh_expm1_block(size_t n, const double *restrict z, double *restrict s0,
                             double *restrict s1, double *restrict s2, double *restrict s3)
{
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    double em = expm1(-2.0 * fabs(z[i]));
    double t = copysign(-em / (2.0 + em), z[i]);
    double d1 = 1.0 - t * t;
    s0[i] = t;
    s1[i] = d1;
    s2[i] = -2.0 * t * d1;
    s3[i] = -2.0 * d1 * (1.0 - 3.0 * t * t);
  }
}

static void run_tanh_expm1(const job *j)
{
  for (size_t off = 0; off < j->n; off += BLOCK)
    tanh_expm1_block(BLOCK, j->z + off, j->s0 + off, j->s1 + off, j->s2 + off, j->s3 + off);
}

static void run_tanh_libmvec(const job *j)
{
  for (size_t off = 0; off < j->n; off += BLOCK)
    tanh_libmvec_block(BLOCK, j->z + off, j->s0 + off, j->s1 + off, j->s2 + off, j->s3 + off);
}

/* Best of 11 trials of ~target seconds each; ns per value. */
static double time_ns(run_fn f, const job *j, double target)
{
  f(j);
  double t0 = now();
  f(j);
  double once = fmax(now() - t0, 1e-7);
  long reps = (long)(target / once) + 1;
  double best = INFINITY;
  for (int trial = 0; trial < 11; ++trial) {
    t0 = now();
    for (long r = 0; r < reps; ++r) f(j);
    best = fmin(best, (now() - t0) / (double)reps);
    sink = j->s0[j->n / 2];
  }
  return best / (double)j->n * 1e9;
}

int main(int argc, char **argv)
{
  size_t nlarge = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1600000;
  double *zs = malloc(NSMALL * 5 * sizeof *zs);
  double *zl = malloc(nlarge * 5 * sizeof *zl);
  if (!zs || !zl) return 1;
  unsigned long long state = 12345;
  for (size_t i = 0; i < NSMALL; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    zs[i] = -4.0 + 8.0 * (double)(state >> 11) / 9007199254740992.0; /* U(-4, 4) */
  }
  for (size_t i = 0; i < nlarge; ++i) zl[i] = zs[i % NSMALL];
  printf("ns per value (thread CPU time), one core; inputs uniform in [-4, 4]; best of 11\n");
  printf("%-12s %10s %10s %10s %12s %10s\n", "kind", "block32", "block32-s", "large", "scalar-eval",
         "libm-s");
  printf("%-12s %10s %10s %10s %12s %10s\n", "", "(s..s''')", "(s only)", "(s..s''')",
         "(s..s''')", "(s only)");
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    pinn_activation a = pinn_activation_default((pinn_activation_kind)k);
    job small = {&a, NSMALL, zs, zs + NSMALL, zs + 2 * NSMALL, zs + 3 * NSMALL,
                 zs + 4 * NSMALL};
    job large = {&a, nlarge, zl, zl + nlarge, zl + 2 * nlarge, zl + 3 * nlarge, zl + 4 * nlarge};
    char name[32];
    double tb = time_ns(run_blocks, &small, 0.02);
    double tv = time_ns(run_blocks_value_only, &small, 0.02);
    double tl = time_ns(run_large, &large, 0.05);
    double ts = time_ns(run_scalar_eval, &small, 0.02);
    double tm = time_ns(run_libm_value, &small, 0.02);
    printf("%-12s %10.2f %10.2f %10.2f %12.2f %10.2f\n",
           pinn_activation_format(&a, name, sizeof name), tb, tv, tl, ts, tm);
  }
  pinn_activation th = {PINN_ACT_TANH, 0.0};
  job small = {&th, NSMALL, zs, zs + NSMALL, zs + 2 * NSMALL, zs + 3 * NSMALL, zs + 4 * NSMALL};
  printf("alternative tanh kernels, block32 (s..s'''):\n");
  printf("  on libmvec's tanh (t, 1 - t^2, ...): %.2f ns/value\n",
         time_ns(run_tanh_libmvec, &small, 0.02));
  printf("  on libmvec's expm1 (t = -em/(2+em), 1 - t^2, ...): %.2f ns/value\n",
         time_ns(run_tanh_expm1, &small, 0.02));
  free(zs);
  free(zl);
  return 0;
}
