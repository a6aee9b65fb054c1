/* burgers1d: the viscous Burgers benchmark of Raissi, Perdikaris & Karniadakis,
 * J. Comput. Phys. 378 (2019) 686-707:
 *   u_t + u u_x = (0.01/pi) u_xx,  x in (-1, 1), t in (0, 1),
 *   u(x, 0) = -sin(pi x),  u(-1, t) = u(1, t) = 0.
 * Reference: the Cole-Hopf solution on Raissi's 256 x 100 grid, computed by
 * data/make_burgers_ref.c (data/README.md), read from data/burgers1d_ref.h5. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;
static const double NU = 0.01 / 3.14159265358979323846;

/* u_t + u u_x - nu u_xx */
static int burgers(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_sub(pd_add(u->t, pd_mul(u->v, u->x)), pd_scale(u->xx, NU));
  return 0;
}

static int initial(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = -sin(PI * x[0]);
  return 0;
}

/* The reference grid: $PINN_DATA_DIR, the source tree, the installed copy. */
static int load_reference(pinn_problem *p, pinn_error *err)
{
  const char *env = getenv("PINN_DATA_DIR");
  const char *dirs[3] = {env, PINN_SOURCE_DATA_DIR, PINN_INSTALL_DATA_DIR};
  char path[1024], tried[3200] = "";
  pinn_h5_reader *r = NULL;
  for (int i = 0; i < 3 && !r; ++i) {
    if (!dirs[i]) continue;
    snprintf(path, sizeof path, "%s/burgers1d_ref.h5", dirs[i]);
    r = pinn_h5_open(path, NULL);
    if (!r) {
      strncat(tried, " ", sizeof tried - strlen(tried) - 1);
      strncat(tried, path, sizeof tried - strlen(tried) - 1);
    }
  }
  if (!r)
    return pinn_error_set(err, PINN_EIO,
                          "burgers1d: reference data burgers1d_ref.h5 not found (looked at%s); set "
                          "PINN_DATA_DIR to the folder holding it",
                          tried);
  double *x = NULL, *t = NULL, *u = NULL;
  size_t nx[1] = {256}, nt[1] = {100}, nu[2] = {100, 256};
  int st = PINN_SUCCESS;
  if (pinn_h5_read_dataset(r, "/x", 1, nx, &x, NULL, NULL) ||
      pinn_h5_read_dataset(r, "/t", 1, nt, &t, NULL, NULL) ||
      pinn_h5_read_dataset(r, "/u", 2, nu, &u, NULL, NULL))
    st = pinn_error_set(err, PINN_EFORMAT, "burgers1d: %s", pinn_h5_reader_errmsg(r));
  pinn_h5_close(r);
  if (!st) {
    const size_t counts[2] = {256, 100};
    const double *axes[2] = {x, t};
    st = pinn_problem_set_reference_grid(p, counts, axes, u); /* u is [t][x]: x fastest */
    if (st) pinn_error_set(err, st, "burgers1d: %s", pinn_problem_errmsg(p));
  }
  free(x);
  free(t);
  free(u);
  return st;
}

int pinn_problem_burgers1d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_domain dom;
  pinn_problem *p = pinn_problem_alloc("burgers1d", 1, 1, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st;
  if ((st = pinn_domain_interval(&dom, -1.0, 1.0, err)) ||
      (st = pinn_domain_with_time(&dom, 0.0, 1.0, err)) || (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "u_t + u u_x = (0.01/pi) u_xx, u(x,0) = -sin(pi x), u(+-1,t) = 0 (Raissi et al. 2019)")) ||
      (st = pinn_problem_add_residual(p, "pde", 1, burgers,
                                      PINN_NEED_X | PINN_NEED_T | PINN_NEED_XX, NULL)) ||
      (st = pinn_problem_add_initial(p, "initial", 0, initial, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 10000)) || (st = pinn_problem_set_points(p, 1, 200)) ||
      (st = pinn_problem_set_points(p, 2, 200))) {
    if (err && !err->code) pinn_error_set(err, st, "burgers1d: %s", pinn_problem_errmsg(p));
    pinn_problem_free(p);
    return st;
  }
  if ((st = load_reference(p, err))) {
    pinn_problem_free(p);
    return st;
  }
  /* Raissi's network: 8 hidden layers of 20 tanh units; Adam warm-up, then
   * L-BFGS within a wall-clock budget */
  cfg->n_hidden = 8;
  for (size_t i = 0; i < 8; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 1000;
  cfg->train.phases[0].lr = 1e-3;
  cfg->train.phases[1].max_iter = 20000;
  cfg->train.phases[1].memory = 50;
  cfg->train.time_budget = 170.0;
  *out = p;
  return PINN_SUCCESS;
}
