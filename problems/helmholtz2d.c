/* helmholtz2d: Lap u + u = q on (-1, 1)^2, u = 0 on the boundary, with
 * q = (1 - 17 pi^2) sin(pi x) sin(4 pi y), so that u = sin(pi x) sin(4 pi y)
 * (a1 = 1, a2 = 4, k = 1).  The benchmark of Wang, Teng & Perdikaris,
 * "Understanding and mitigating gradient flow pathologies in physics-informed
 * neural networks", SIAM J. Sci. Comput. 43 (2021) A3055-A3081, sec. 2.3. */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

static double solution(const double *x) { return sin(PI * x[0]) * sin(4.0 * PI * x[1]); }

/* u_xx + u_yy + u - q = 0 */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  double q = (1.0 - 17.0 * PI * PI) * solution(x);
  r[0] = pd_subc(pd_add(pd_add(u->xx, u->yy), u->v), q);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = solution(x);
  return 0;
}

int pinn_problem_helmholtz2d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  const double lo[2] = {-1.0, -1.0}, hi[2] = {1.0, 1.0};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("helmholtz2d", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st;
  if ((st = pinn_domain_box(&dom, 2, lo, hi, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "Lap u + u = q on (-1,1)^2, u = 0 on the boundary, u = sin(pi x) sin(4 pi y)")) ||
      (st = pinn_problem_add_residual(p, "pde", 1, pde, PINN_NEED_LAPLACIAN, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 1500)) ||
      (st = pinn_problem_set_points(p, 1, 300)) ||
      (st = pinn_problem_set_weight(p, 1, 100.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned: 3 x 30 tanh; the boundary weighted 100 against the residual, whose
   * scale is 17 pi^2 ~ 170 times u's (the imbalance Wang et al. point out);
   * a short Adam warm-up, then L-BFGS with 100 pairs */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 30;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 100;
  cfg->train.phases[1].gtol = 1e-10;
  /* then the high-accuracy phase: self-scaled Broyden on the dense inverse
   * Hessian (pinn/ssqn.h), a fixed number of iterations (same result on any
   * machine), tuned on a quiet 2-core machine (2 threads): Adam + L-BFGS
   * 14 s, then 15.6 ms per SSBroyden iteration, so about 155 s in all */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 9000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
