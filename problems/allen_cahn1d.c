/* allen_cahn1d — the Allen-Cahn benchmark (Raissi, Perdikaris & Karniadakis
 * 2019, section 4.2; Wang, Wang & Perdikaris, "An expert's guide to training
 * PINNs", 2023):
 *   u_t = 1e-4 u_xx + 5 u - 5 u^3,  x in [-1, 1) periodic,  t in (0, 1],
 *   u(x, 0) = x^2 cos(pi x).
 * Errors against the Fourier/ETDRK4 reference on the 512 x 201 grid of
 * data/allen_cahn1d_ref.h5 (data/make_allen_cahn_ref.c, see data/README.md).
 *
 * Periodicity in x (`--set periodic=...`): embedding (the default: the
 * network sees cos(pi x), sin(pi x) instead of x, so every output and
 * derivative is exactly 2-periodic: pinn_embedding) or loss (periodic loss
 * terms on u and u_x at x = -1, 1). */
#include <pinn/pinn.h>

#include <math.h>
#include <string.h>

#include "ref_grid.h"

static const double EPS = 1e-4;

/* u_t - 1e-4 u_xx - 5 u + 5 u^3 */
static int allen_cahn(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                      void *ctx)
{
  (void)x, (void)c, (void)ctx;
  const pinn_dual cubic = pd_mul(pd_mul(u->v, u->v), u->v);
  r[0] = pd_add(pd_sub(u->t, pd_scale(u->xx, EPS)), pd_scale(pd_sub(cubic, u->v), 5.0));
  return 0;
}

static int u0(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = x[0] * x[0] * cos(M_PI * x[0]);
  return 0;
}

int pinn_problem_allen_cahn1d(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_error_clear(err);
  const char *per = pinn_params_string(cfg->params, "periodic", "embedding",
                                       "how x is periodic: embedding (exact: the network sees "
                                       "cos(pi x), sin(pi x)) or loss (periodic loss terms on u "
                                       "and u_x)");
  if (strcmp(per, "embedding") != 0 && strcmp(per, "loss") != 0)
    return pinn_error_set(err, PINN_EINVAL,
                          "allen_cahn1d: periodic '%s': use embedding or loss", per);
  const int embed = strcmp(per, "embedding") == 0;
  pinn_ref_grid ref;
  int st = pinn_ref_grid_load("allen_cahn1d_ref.h5", &ref, err);
  if (st) return st;
  pinn_problem *p = pinn_problem_alloc("allen_cahn1d", 1, 1, 1, err);
  if (!p) {
    pinn_ref_grid_free(&ref);
    return err ? err->code : PINN_ENOMEM;
  }
  pinn_domain dom;
  st = pinn_domain_interval(&dom, -1, 1, err);
  if (!st) st = pinn_domain_with_time(&dom, 0, 1, err);
  if (!st) st = pinn_problem_set_domain(p, &dom);
  if (!st)
    st = pinn_problem_set_description(p, "u_t = 1e-4 u_xx + 5 u - 5 u^3, x periodic in [-1,1), "
                                         "u(x,0) = x^2 cos(pi x)");
  if (!st) st = pinn_problem_add_residual(p, "pde", 1, allen_cahn, PINN_NEED_T | PINN_NEED_XX,
                                          NULL);
  if (!st) st = pinn_problem_add_initial(p, "ic", 0, u0, NULL);
  if (!st && !embed) st = pinn_problem_add_periodic(p, "periodic", 0, 0, 1);
  if (!st) st = pinn_problem_set_points(p, 0, 8000);
  if (!st) st = pinn_problem_set_points(p, 1, 512);
  if (!st) st = pinn_problem_set_weight(p, 1, 100.0);
  if (!st) st = pinn_problem_set_reference_grid(p, (size_t[]){ref.nx, ref.nt},
                                                (const double *[]){ref.x, ref.t}, ref.u);
  pinn_ref_grid_free(&ref);
  if (st) return pinn_solve_create_done(p, st, pp, err);
  if (embed) {
    cfg->periodic.period[0] = 2.0;
    cfg->periodic.harmonics[0] = 1;
  }
  cfg->n_hidden = 4;
  for (size_t i = 0; i < 4; ++i) cfg->width[i] = 40;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 2000;
  cfg->train.phases[0].lr = 2e-3;
  cfg->train.phases[1].max_iter = 4000;
  cfg->train.phases[1].memory = 100;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 6000);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
