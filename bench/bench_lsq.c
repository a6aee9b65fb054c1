/* Benchmark of the least-squares view and Levenberg–Marquardt on poisson1d
 * (-u'' = pi^2 sin(pi x) on (-1,1), u(+-1) = 0), network [1,W,W,1] tanh:
 * the cost of R and of R with its Jacobian (pinn_lsq_eval), of a loss and
 * gradient (pinn_loss_eval), and of LM iterations with the QR and the
 * Cholesky solver, each from the same Adam warm start.  Times are process
 * CPU seconds (robust on a shared machine) and wall seconds.
 *
 * Usage: bench_lsq [width=20] [points=100] [lm_iterations=30] [qr|cholesky|both]
 */
#include <pinn/lsq.h>
#include <pinn/train.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>

static double cpu(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double wall(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int poisson(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c; (void)ctx;
  r[0] = pd_addc(u->xx, M_PI * M_PI * sin(M_PI * x[0]));
  return 0;
}

int main(int argc, char **argv)
{
  const size_t W = argc > 1 ? (size_t)atol(argv[1]) : 20;
  const size_t N = argc > 2 ? (size_t)atol(argv[2]) : 100;
  const size_t iters = argc > 3 ? (size_t)atol(argv[3]) : 30;
  const char *which = argc > 4 ? argv[4] : "both";
  pinn_problem *p = pinn_problem_alloc("poisson1d", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, poisson, PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(p, 0, N);
  pinn_problem_set_points(p, 1, 2);
  size_t sizes[] = {1, W, W, 1};
  pinn_mlp_layout lay = {4, sizes, NULL, 0};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 1);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  gsl_rng_free(r);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  pinn_train_options to = pinn_train_options_default();
  to.n_phases = 1;
  to.phases[0].max_iter = 300;
  to.phases[0].lr = 1e-2;
  pinn_trainer *tr = pinn_trainer_alloc(l, &to, NULL);
  pinn_trainer_run(tr);
  pinn_trainer_free(tr);
  const size_t n = pinn_lsq_n_residuals(l), P = pinn_loss_n_params(l);
  double *th = malloc(P * sizeof *th), *R = malloc(n * sizeof *R), *J = malloc(n * P * sizeof *J);
  double *g = malloc(P * sizeof *g), f;
  pinn_loss_get_params(l, th);
  printf("poisson1d [1,%zu,%zu,1]: %zu residuals, %zu parameters\n", W, W, n, P);
  const int reps = 50;
  double c0 = cpu();
  for (int i = 0; i < reps; ++i) pinn_loss_eval(l, th, &f, g, NULL);
  printf("  loss + gradient      %9.3f ms cpu\n", 1e3 * (cpu() - c0) / reps);
  c0 = cpu();
  for (int i = 0; i < reps; ++i) pinn_lsq_eval(l, th, R, NULL);
  printf("  R                    %9.3f ms cpu\n", 1e3 * (cpu() - c0) / reps);
  c0 = cpu();
  for (int i = 0; i < reps; ++i) pinn_lsq_eval(l, th, R, J);
  printf("  R and J              %9.3f ms cpu\n", 1e3 * (cpu() - c0) / reps);
  const pinn_lm_solver solvers[2] = {PINN_LM_SOLVER_QR, PINN_LM_SOLVER_CHOLESKY};
  for (int s = 0; s < 2; ++s) {
    if (strcmp(which, "both") && strcmp(which, s ? "cholesky" : "qr")) continue;
    pinn_loss_set_params(l, th);
    pinn_lm_options o = pinn_lm_options_default();
    o.solver = solvers[s];
    o.max_iter = iters;
    pinn_lm_report rep;
    pinn_error err;
    c0 = cpu();
    double w0 = wall();
    int st = pinn_lm_run(l, &o, &rep, &err);
    const double c1 = cpu() - c0, w1 = wall() - w0;
    if (st) {
      printf("  LM failed: %s\n", err.msg);
      continue;
    }
    printf("  LM %-8s %3zu it, %3zu f + %3zu J: %8.2f ms cpu/it (%8.2f wall), loss %.3e -> %.3e\n",
           s ? "cholesky" : "qr", rep.iterations, rep.evals_f, rep.evals_J,
           1e3 * c1 / (double)rep.iterations, 1e3 * w1 / (double)rep.iterations, rep.loss0, rep.loss);
  }
  free(th); free(R); free(J); free(g);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  return 0;
}
