/* Benchmark of the least-squares view and Levenberg–Marquardt on poisson1d
 * (-u'' = pi^2 sin(pi x) on (-1,1), u(+-1) = 0), network [1,W,W,1] tanh:
 * the cost of R and of R with its Jacobian (pinn_lsq_eval), of a loss and
 * gradient (pinn_loss_eval), of LM iterations with the QR and the
 * Cholesky solver (5 iterations each), and then plain LM and LM with
 * geodesic acceleration for lm_iterations against L-BFGS with as many
 * evaluations and with as much wall time, all from the same Adam warm
 * start (300 steps, lr 1e-2).  Run it with OMP_NUM_THREADS=1 on a busy
 * machine: OpenMP's spinning threads distort wall times when cores are shared.
 *
 * Usage: bench_lsq [width=20] [points=100] [lm_iterations=100]
 */
#include <pinn/lsq.h>
#include <pinn/train.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>

static double cpu(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
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
  const size_t iters = argc > 3 ? (size_t)atol(argv[3]) : 100;
  gsl_set_error_handler_off(); /* GSL's handler is the application's (pinn/lsq.h) */
  pinn_problem *p = pinn_problem_alloc("poisson1d", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, poisson, PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(p, 0, N);
  pinn_problem_set_points(p, 1, 2);
  size_t sizes[] = {1, W, W, 1};
  pinn_mlp_layout lay = {4, sizes, NULL, 0, NULL};
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
  for (int k = 0; k < 2; ++k) {
    pinn_loss_set_params(l, th);
    pinn_lm_options o = pinn_lm_options_default();
    o.method = PINN_LM;
    o.solver = solvers[k];
    o.max_iter = 5;
    pinn_lm_report rep;
    pinn_error err;
    c0 = cpu();
    if (pinn_lm_run(l, &o, &rep, &err)) {
      printf("  LM failed: %s\n", err.msg);
      return 1;
    }
    printf("  LM iteration, %-8s %8.2f ms cpu (%8.2f wall), loss after 5: %.9e\n",
           k ? "cholesky" : "qr", 1e3 * (cpu() - c0) / 5, 1e3 * rep.seconds / 5, rep.loss);
  }
  const pinn_lm_method ms[2] = {PINN_LM, PINN_LM_ACCEL};
  for (int k = 0; k < 2; ++k) {
    pinn_loss_set_params(l, th);
    pinn_lm_options o = pinn_lm_options_default();
    o.method = ms[k];
    o.max_iter = iters;
    pinn_lm_report rep;
    pinn_error err;
    if (pinn_lm_run(l, &o, &rep, &err)) {
      printf("  LM failed: %s\n", err.msg);
      return 1;
    }
    printf("  %-7s          %4zu it, %4zu f + %4zu J, %7.3f s: loss %.3e -> %.3e (%s)\n",
           pinn_lm_method_name(ms[k]), rep.iterations, rep.evals_f, rep.evals_J, rep.seconds,
           rep.loss0, rep.loss, pinn_stop_reason_name(rep.reason));
    for (int b = 0; b < 2; ++b) {
      pinn_loss_set_params(l, th);
      pinn_train_options lo = pinn_train_options_default();
      lo.n_phases = 1;
      lo.phases[0] = pinn_phase_default(PINN_OPT_LBFGS);
      lo.phases[0].max_iter = 10000000;
      lo.phases[0].gtol = 1e-14;
      if (b == 0) lo.phases[0].max_evals = rep.evals_f + rep.evals_J;
      else lo.time_budget = rep.seconds;
      pinn_trainer *t = pinn_trainer_alloc(l, &lo, NULL);
      pinn_trainer_run(t);
      const pinn_phase_report *pr = pinn_trainer_phase_report(t, 0);
      printf("    L-BFGS %-9s %6zu it, %6zu evals, %7.3f s: loss %.3e (%s)\n",
             b ? "same time" : "same evals", pr->iterations, pr->evals, pr->seconds,
             pinn_trainer_loss(t), pinn_stop_reason_name(pr->reason));
      pinn_trainer_free(t);
    }
  }
  free(th); free(R); free(J); free(g);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  return 0;
}
