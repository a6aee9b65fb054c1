/* burgers1d — the viscous Burgers benchmark of Raissi, Perdikaris &
 * Karniadakis (2019, J. Comput. Phys. 378, 686-707):
 *   u_t + u u_x = (0.01/pi) u_xx,  x in (-1, 1), t in (0, 1),
 *   u(x, 0) = -sin(pi x),  u(-1, t) = u(1, t) = 0.
 * Errors are measured against the Cole-Hopf solution on the 256 x 100 grid of
 * data/burgers1d_ref.h5 (t = 0 .. 0.99). */
#include <pinn/pinn.h>

#include <math.h>

#include "ref_grid.h"

static const double nu = 0.01 / M_PI;

/* u_t + u u_x - nu u_xx */
static int burgers(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_sub(pd_fma(u->v, u->x, u->t), pd_scale(u->xx, nu));
  return 0;
}

static int minus_sin_pi_x(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = -sin(M_PI * x[0]);
  return 0;
}

int pinn_problem_burgers1d(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_ref_grid ref;
  int st = pinn_ref_grid_load("burgers1d_ref.h5", &ref, err);
  if (st) return st;
  pinn_domain dom;
  pinn_problem *p = pinn_problem_alloc("burgers1d", 1, 1, 1, err);
  if (!p) {
    pinn_ref_grid_free(&ref);
    return err ? err->code : PINN_ENOMEM;
  }
  st = pinn_domain_interval(&dom, -1, 1, err);
  if (!st) st = pinn_domain_with_time(&dom, 0, 1, err);
  if (!st) st = pinn_problem_set_domain(p, &dom);
  if (!st) st = pinn_problem_add_residual(p, "pde", 1, burgers,
                                          PINN_NEED_X | PINN_NEED_T | PINN_NEED_XX, NULL);
  if (!st) st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL);
  if (!st) st = pinn_problem_add_initial(p, "ic", 0, minus_sin_pi_x, NULL);
  if (!st) st = pinn_problem_set_points(p, 0, 10000);
  if (!st) st = pinn_problem_set_reference_grid(p, (size_t[]){ref.nx, ref.nt},
                                                (const double *[]){ref.x, ref.t}, ref.u);
  pinn_ref_grid_free(&ref);
  if (st) return pinn_solve_create_done(p, st, pp, err);
  cfg->n_hidden = 8;
  for (size_t i = 0; i < 8; ++i) cfg->width[i] = 20;
  cfg->train.phases[0].max_iter = 1000;
  cfg->train.phases[1].max_iter = 1000;
  /* then the high-accuracy phase: self-scaled Broyden on the dense inverse
   * Hessian (pinn/ssqn.h), a fixed number of iterations tuned on a quiet
   * 2-core machine (2 threads): Adam 47 s, L-BFGS 52 s, then 85 ms per
   * SSBroyden iteration, about 160 s in all (with one thread and 600 s,
   * bench/accuracy_table.sh: rel. L2 1.5e-6) */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 700);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
