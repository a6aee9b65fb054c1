/* Benchmark: cost per iteration of the dense self-scaled quasi-Newton types
 * (SSBFGS, SSBroyden) against L-BFGS (m = 30), as the number of parameters
 * P grows.
 *
 * The objective is the quadratic 0.5 sum d_i x_i^2 with d_i = 10^(4 i /
 * (P - 1)), whose gradient costs O(P), so the time measured is the
 * optimizer's own: for the dense types two symmetric matrix-vector
 * products, a scaling and one or two rank-2 updates of the P x P triangle
 * per iteration (through GSL BLAS on OpenBLAS), plus O(P) vector work per
 * line-search evaluation.  Each type runs `warm` iterations first (so H is
 * populated), then `iters` timed iterations.
 *
 * Usage: bench_ssqn [Pmax [iters]]   (default Pmax 4000, 20 iterations; P
 * doubles from 250 up to Pmax).  OPENBLAS_NUM_THREADS sets BLAS threads.
 */
#define _POSIX_C_SOURCE 199309L
#include <pinn/lbfgs.h>
#include <pinn/ssqn.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  double *d;
  size_t evals;
} quad;

static double q_f(const gsl_vector *x, void *p)
{
  const quad *q = p;
  double f = 0.0;
  for (size_t i = 0; i < x->size; ++i) f += 0.5 * q->d[i] * x->data[i] * x->data[i];
  return f;
}

static void q_df(const gsl_vector *x, void *p, gsl_vector *g)
{
  const quad *q = p;
  for (size_t i = 0; i < x->size; ++i) g->data[i] = q->d[i] * x->data[i];
}

static void q_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g)
{
  quad *q = p;
  q->evals++;
  *f = q_f(x, p);
  q_df(x, p, g);
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds per iteration and evaluations per iteration of type T at size P. */
static int run(const gsl_multimin_fdfminimizer_type *T, size_t P, int warm, int iters,
               double *sec_per_iter, double *evals_per_iter)
{
  quad q = {malloc(P * sizeof(double)), 0};
  for (size_t i = 0; i < P; ++i) q.d[i] = pow(10.0, 4.0 * (double)i / (double)(P - 1));
  gsl_multimin_function_fdf F = {q_f, q_df, q_fdf, P, &q};
  gsl_vector *x = gsl_vector_alloc(P);
  gsl_vector_set_all(x, 1.0);
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(T, P);
  int status = s ? gsl_multimin_fdfminimizer_set(s, &F, x, 1.0, 0.9) : GSL_ENOMEM;
  for (int k = 0; k < warm && !status; ++k) status = gsl_multimin_fdfminimizer_iterate(s);
  const size_t e0 = q.evals;
  const double t0 = now();
  for (int k = 0; k < iters && !status; ++k) status = gsl_multimin_fdfminimizer_iterate(s);
  const double t1 = now();
  *sec_per_iter = (t1 - t0) / iters;
  *evals_per_iter = (double)(q.evals - e0) / iters;
  if (status)
    fprintf(stderr, "%s at P = %zu: status %d (%s)\n", gsl_multimin_fdfminimizer_name(s), P,
            status, pinn_qn_errmsg(s));
  gsl_multimin_fdfminimizer_free(s);
  gsl_vector_free(x);
  free(q.d);
  return status;
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  const size_t pmax = argc > 1 ? (size_t)atol(argv[1]) : 4000;
  const int iters = argc > 2 ? atoi(argv[2]) : 20;
  const gsl_multimin_fdfminimizer_type *types[3] = {pinn_multimin_fdfminimizer_ssbfgs,
                                                    pinn_multimin_fdfminimizer_ssbroyden,
                                                    pinn_multimin_fdfminimizer_lbfgs};
  printf("# cost per iteration (ms) on a diagonal quadratic; H = P x P doubles\n");
  printf("# %7s %9s | %10s %10s %10s | %s\n", "P", "H (MB)", "SSBFGS", "SSBroyden", "L-BFGS",
         "evals/iter (SSBFGS, SSBroyden, L-BFGS)");
  for (size_t P = 250; P <= pmax; P *= 2) {
    if (pinn_ssqn_check_size(P, 0, NULL)) break;
    double ms[3], ev[3];
    for (int k = 0; k < 3; ++k) {
      double sec = NAN, e = NAN;
      run(types[k], P, 10, iters, &sec, &e);
      ms[k] = 1e3 * sec;
      ev[k] = e;
    }
    printf("  %7zu %9.1f | %10.3f %10.3f %10.3f | %.2f %.2f %.2f\n", P,
           (double)P * (double)P * 8.0 / 1e6, ms[0], ms[1], ms[2], ev[0], ev[1], ev[2]);
  }
  return 0;
}
