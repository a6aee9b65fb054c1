/* A clamped beam with hard deflection clamps, compiled as a plugin for the
 * CLI tests: u'''' = 384 on (0, 1), u = d N with d = x (1 - x) given in
 * series form (pinn/tseries.h), so u(0) = u(1) = 0 exactly and the fourth
 * derivative of the transformed output reaches the residual through the
 * Taylor engine; the slope clamps u'(0) = u'(1) = 0 are a loss term.
 * Exact u = 16 x^2 (1 - x)^2. */
#include <pinn/pinn.h>

static int pde(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_addc(d[1], -384.0);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  const double s = x[0] * (1.0 - x[0]);
  u[0] = 16.0 * s * s;
  return 0;
}

/* the distance-like function in series form: one formula for every order */
static int dist(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(x[0], pt_csub(1.0, x[0]));
  return 0;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_problem *p = pinn_problem_alloc("beam_hard", 1, 0, 1, err);
  if (!p) return err->code;
  pinn_domain dom;
  pinn_domain_interval(&dom, 0.0, 1.0, err);
  const pinn_transform t = pinn_transform_dirichlet_series(0, NULL, dist, NULL);
  int st;
  if ((st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(p, "u'''' = 384 on (0,1), u = d N, d = x (1-x)")) ||
      (st = pinn_problem_add_residual_any(p, "pde", 1, pde, "xxxx", NULL)) ||
      (st = pinn_problem_add_neumann(p, "slope_end", 0, NULL, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 200)) || (st = pinn_problem_set_points(p, 1, 2)) ||
      (st = pinn_problem_set_weight(p, 1, 100.0)) || (st = pinn_problem_set_transform(p, &t)) ||
      (st = pinn_problem_set_exact(p, exact, NULL))) {
    pinn_error_set(err, st, "%s", pinn_problem_errmsg(p));
    pinn_problem_free(p);
    return st;
  }
  cfg->n_hidden = 2;
  cfg->width[0] = cfg->width[1] = 20;
  *out = p;
  return 0;
}
