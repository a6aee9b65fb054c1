/* poisson1d: -u'' = pi^2 sin(pi x) on (-1, 1), u(-1) = u(1) = 0.
 * Exact solution u = sin(pi x).  The PINN smoke test of Raissi, Perdikaris &
 * Karniadakis, J. Comput. Phys. 378 (2019) 686-707, in its simplest form. */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

/* -u'' - f = 0 */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  r[0] = pd_neg(pd_addc(u->xx, PI * PI * sin(PI * x[0])));
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]);
  return 0;
}

int pinn_problem_poisson1d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("poisson1d", 1, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st;
  if ((st = pinn_domain_interval(&dom, -1.0, 1.0, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(p, "-u'' = pi^2 sin(pi x) on (-1,1), u(+-1) = 0")) ||
      (st = pinn_problem_add_residual(p, "pde", 1, pde, PINN_NEED_XX, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 256)) ||
      (st = pinn_problem_set_points(p, 1, 2)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned: 2 x 20 tanh, a short Adam warm-up, then L-BFGS */
  cfg->n_hidden = 2;
  for (size_t i = 0; i < 2; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 1e-2;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 30;
  cfg->train.phases[1].gtol = 1e-10;
  /* then the high-accuracy phase: self-scaled Broyden on the dense inverse
   * Hessian (pinn/ssqn.h) until no progress or the time budget; measured with
   * one thread, budget 600 s (bench/accuracy_table.sh): rel. L2 1.2e-11 in 0.9 s */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 5000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
