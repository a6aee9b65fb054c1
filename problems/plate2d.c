/* plate2d: a simply supported Kirchhoff plate, Delta^2 w = q / D on (0, 1)^2
 * (D = 1), w = 0 and the bending moment w_nn = 0 on every edge.  The load is
 * two Navier modes, q = pi^4 (4 sin(pi x) sin(pi y) + 84.5 sin(2 pi x)
 * sin(3 pi y)), so that w = sin(pi x) sin(pi y) + 0.5 sin(2 pi x) sin(3 pi y)
 * exactly (mode (m, n) of q is divided by pi^4 (m^2 + n^2)^2).  The
 * biharmonic goes through the Taylor engine as one collapsed sum ("lap2":
 * 3 directions, 11 channels); on an edge where w = 0 the tangential second
 * derivative vanishes, so w_nn = 0 is the boundary residual "lap" = 0. */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

static double load(const double *x)
{
  const double p4 = PI * PI * PI * PI;
  return p4 * (4.0 * sin(PI * x[0]) * sin(PI * x[1]) +
               84.5 * sin(2.0 * PI * x[0]) * sin(3.0 * PI * x[1]));
}

/* d = w, Delta^2 w */
static int pde(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  r[0] = pd_scale(pd_addc(d[1], -load(x)), 1.0 / (PI * PI * PI * PI)); /* of order 1 */
  return 0;
}

/* d = w, Delta w: the bending moment on an edge */
static int moment(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_scale(d[1], 1.0 / (PI * PI));
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]) * sin(PI * x[1]) + 0.5 * sin(2.0 * PI * x[0]) * sin(3.0 * PI * x[1]);
  return 0;
}

int pinn_problem_plate2d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("plate2d", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  pinn_domain dom;
  const double lo[2] = {0.0, 0.0}, hi[2] = {1.0, 1.0};
  int st;
  if ((st = pinn_domain_box(&dom, 2, lo, hi, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "Kirchhoff plate Delta^2 w = q on (0,1)^2, simply supported (w = w_nn = 0), "
              "w = sin(pi x) sin(pi y) + 0.5 sin(2 pi x) sin(3 pi y)")) ||
      (st = pinn_problem_add_residual_any(p, "pde", 1, pde, "lap2", NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "w_edge", 0, NULL, NULL)) ||
      (st = pinn_problem_add_boundary_residual_any(p, "moment_edge", 1, moment, "lap", NULL)) ||
      (st = pinn_problem_set_points(p, 0, 2000)) ||
      (st = pinn_problem_set_points(p, 1, 400)) ||
      (st = pinn_problem_set_points(p, 2, 400)) ||
      (st = pinn_problem_set_weight(p, 1, 100.0)) ||
      (st = pinn_problem_set_weight(p, 2, 10.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 30;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 1000;
  cfg->train.phases[0].lr = 2e-3;
  cfg->train.phases[1].max_iter = 2000;
  cfg->train.phases[1].memory = 100;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 3000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
