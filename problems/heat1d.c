/* heat1d: u_t = 0.1 u_xx on (0, 1) x (0, 1), u(x, 0) = sin(pi x),
 * u(0, t) = u(1, t) = 0.  Exact solution u = sin(pi x) exp(-0.1 pi^2 t). */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;
static const double KAPPA = 0.1;

/* u_t - kappa u_xx = 0 */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_sub(u->t, pd_scale(u->xx, KAPPA));
  return 0;
}

static int initial(const double *x, double *u0, void *ctx)
{
  (void)ctx;
  *u0 = sin(PI * x[0]);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]) * exp(-KAPPA * PI * PI * x[1]);
  return 0;
}

int pinn_problem_heat1d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("heat1d", 1, 1, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st;
  if ((st = pinn_domain_interval(&dom, 0.0, 1.0, err)) ||
      (st = pinn_domain_with_time(&dom, 0.0, 1.0, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "u_t = 0.1 u_xx on (0,1) x (0,1), u(x,0) = sin(pi x), u(0,t) = u(1,t) = 0")) ||
      (st = pinn_problem_add_residual(p, "pde", 1, pde, PINN_NEED_T | PINN_NEED_XX, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL)) ||
      (st = pinn_problem_add_initial(p, "ic", 0, initial, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 1000)) ||
      (st = pinn_problem_set_points(p, 1, 200)) ||
      (st = pinn_problem_set_points(p, 2, 200)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned: 3 x 20 tanh, a short Adam warm-up, then L-BFGS with 100 pairs */
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
   * one thread, budget 600 s (bench/accuracy_table.sh): rel. L2 2.0e-10 in 39 s */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 20000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
