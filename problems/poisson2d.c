/* poisson2d: -Lap u = 2 pi^2 sin(pi x) sin(pi y) on (0, 1)^2, u = 0 on the
 * boundary.  Exact solution u = sin(pi x) sin(pi y). */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

/* -(u_xx + u_yy) - f = 0 */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  double f = 2.0 * PI * PI * sin(PI * x[0]) * sin(PI * x[1]);
  r[0] = pd_neg(pd_addc(pd_add(u->xx, u->yy), f));
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]) * sin(PI * x[1]);
  return 0;
}

int pinn_problem_poisson2d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  const double lo[2] = {0.0, 0.0}, hi[2] = {1.0, 1.0};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("poisson2d", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st;
  if ((st = pinn_domain_box(&dom, 2, lo, hi, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "-Lap u = 2 pi^2 sin(pi x) sin(pi y) on (0,1)^2, u = 0 on the boundary")) ||
      (st = pinn_problem_add_residual(p, "pde", 1, pde, PINN_NEED_LAPLACIAN, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 500)) ||
      (st = pinn_problem_set_points(p, 1, 120)) ||
      (st = pinn_problem_set_weight(p, 1, 100.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned: 3 x 20 tanh; the boundary weighted 100 (its error, not the
   * residual's, limits the rel. L2); a short Adam warm-up, then L-BFGS with a
   * long memory (100 pairs converge about twice as fast as 30 here) */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 300;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 100;
  cfg->train.phases[1].gtol = 1e-10;
  /* then the high-accuracy phase: self-scaled Broyden on the dense inverse
   * Hessian (pinn/ssqn.h) until no progress or the time budget; measured with
   * one thread, budget 600 s (bench/accuracy_table.sh): rel. L2 3.5e-10 in 42 s */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 20000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
