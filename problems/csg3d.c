/* csg3d — Poisson in a 3-D CSG body (issue 11, "Geometry"):
 *   -Lap u = f   in Omega = (-1, 1)^3 minus the closed ball |x| <= 1/2,
 *    u = a        on the whole boundary (the six faces and the sphere),
 * with the manufactured solution
 *   u = a + 4 s b,  a = e^(z/2) sin(x + y),
 *                   s = (1 - x^2)(1 - y^2)(1 - z^2)(x^2 + y^2 + z^2 - 1/4),
 *                   b = sin(x + 2 y - z),
 * and f = -Lap u (u(0.75, 0, 0) = sin(3/4) (1 + 4 * 0.13671875)).  s
 * vanishes on every boundary piece, so the data there is a; u is written
 * once as an xjet formula (pinn/xjet.h), whose value is the exact solution
 * and whose Hessian gives f.
 *
 * The Dirichlet condition is exact on every part: u = a + phi N with phi
 * the approximate distance function of all parts (pinn_geom_adf_alloc on
 * the faces "x0-" .. "x2+" and "ball": six trimmed faces and the sphere
 * joined by R-equivalence, Sukumar & Srivastava 2022).  a is the data's
 * extension into the body, not the solution: the network learns
 * 4 s b / phi.  The loss is the PDE residual alone.
 */
#include <pinn/pinn.h>

#include <math.h>

static const double R_HOLE = 0.5;

/* the boundary data a = e^(z/2) sin(x + y), also its extension inside */
static pinn_xjet boundary_data(const pinn_xjet *x)
{
  return px_mul(px_exp(px_scale(x[2], 0.5)), px_sin(px_add(x[0], x[1])));
}

/* u = a + 4 s b */
static pinn_xjet solution(const pinn_xjet *x)
{
  const pinn_xjet r2 = px_add(px_add(px_sq(x[0]), px_sq(x[1])), px_sq(x[2]));
  const pinn_xjet box = px_mul(px_mul(px_csub(1.0, px_sq(x[0])), px_csub(1.0, px_sq(x[1]))),
                               px_csub(1.0, px_sq(x[2])));
  const pinn_xjet s = px_mul(box, px_subc(r2, R_HOLE * R_HOLE));
  const pinn_xjet b = px_sin(px_sub(px_add(x[0], px_scale(x[1], 2.0)), x[2]));
  return px_add(boundary_data(x), px_scale(px_mul(s, b), 4.0));
}

static pinn_xjet solution_at(const double *x)
{
  const pinn_xjet xj[3] = {px_var(x[0], 0), px_var(x[1], 1), px_var(x[2], 2)};
  return solution(xj);
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = px_value(solution_at(x));
  return 0;
}

/* -(u_xx + u_yy + u_zz) - f = 0, f = -Lap u_exact */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  const pinn_xjet e = solution_at(x);
  const double f = -(px_deriv2(e, 0, 0) + px_deriv2(e, 1, 1) + px_deriv2(e, 2, 2));
  r[0] = pd_neg(pd_addc(pd_add(pd_add(u->xx, u->yy), u->zz), f));
  return 0;
}

/* the data's extension for the transform u = a + phi N */
static int extension(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = boundary_data(x);
  return 0;
}

int pinn_problem_csg3d(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  static const char *const parts[] = {"x0-", "x0+", "x1-", "x1+", "x2-", "x2+", "ball"};
  const double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1}, centre[3] = {0, 0, 0};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("csg3d", 3, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  pinn_geom *g = pinn_geom_alloc(3, err);
  int st = g ? pinn_problem_keep(p, g, pinn_geom_destroy) : (err ? err->code : PINN_ENOMEM);
  size_t box = 0, ball = 0, region = 0;
  if (!st) st = pinn_geom_box(g, lo, hi, &box);
  if (!st) st = pinn_geom_ball(g, centre, R_HOLE, &ball);
  if (!st) st = pinn_geom_difference(g, box, ball, &region);
  if (!st) st = pinn_geom_set_root(g, region);
  if (st && g) pinn_error_set_first(err, st, "csg3d: geometry: %s", pinn_geom_errmsg(g));
  if (!st) st = pinn_domain_geometry(&dom, g, err);
  if (!st) st = pinn_problem_set_domain(p, &dom);
  if (!st) st = pinn_problem_set_description(
               p, "-Lap u = f in (-1,1)^3 minus the ball |x| <= 1/2, u = e^(z/2) sin(x+y) on the "
                  "boundary, exact by a distance function; u = e^(z/2) sin(x+y) + 4 s sin(x+2y-z), "
                  "s = (1-x^2)(1-y^2)(1-z^2)(|x|^2-1/4)");
  if (!st) st = pinn_problem_add_residual(p, "pde", 1, pde, PINN_NEED_LAPLACIAN, NULL);
  if (!st) {
    pinn_geom_adf *adf = pinn_geom_adf_alloc(g, sizeof parts / sizeof *parts, parts, err);
    st = adf ? pinn_problem_keep(p, adf, pinn_geom_adf_destroy) : (err ? err->code : PINN_ENOMEM);
    if (!st) {
      const pinn_transform hard = pinn_transform_dirichlet(0, extension, pinn_geom_adf_xjet, adf);
      st = pinn_problem_set_transform(p, &hard);
    }
  }
  if (!st) st = pinn_problem_set_points(p, 0, 3000);
  if (!st) st = pinn_problem_set_exact(p, exact, NULL);
  if (st) return pinn_solve_create_done(p, st, pp, err);
  /* tuned (one thread, CPU seconds on a loaded 2-core Xeon): 3 x 20 tanh
   * (901 parameters), 3000 points, Adam 300, L-BFGS 1000 (m 100), then
   * SSBroyden 10000: rel. L2 3.6e-5 in 116 s.  Measured alternatives:
   * 2000 points and SSBroyden 5000: 5.7e-5 in 43 s; 3 x 30 (2011
   * parameters) on 2000 points: 6.9e-5 in 82 s (a lower loss, 6e-6 against
   * 5e-5, but it fits the points better than the body: more parameters
   * need more points in 3-D) */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 300;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 100;
  cfg->train.phases[1].gtol = 1e-10;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 10000);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
