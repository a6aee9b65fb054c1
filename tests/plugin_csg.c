/* Test problems on domains that are not boxes, for `pinn solve --plugin`
 * (tests/paraview_domain_check.py, ctest label "paraview").  One source,
 * three plugins, chosen by -DPINN_CSG_CASE=N:
 *   1  csg2d    -Lap u = 2 pi^2 u on the square [-1, 1]^2 minus the disk
 *               |x - (0.3, 0.2)| < 0.4; u = sin(pi x) sin(pi y) + 1, Dirichlet
 *               data from it on both boundaries;
 *   2  csg3d    Lap u = 0 on the box [0, 1]^3 minus the ball
 *               |x - (0.5, 0.5, 0.5)| < 0.3; u = x + y + z;
 *   3  csgheat  u_t = Lap u + f on the square minus the disk of case 1, t in
 *               [0, 0.5]; u = exp(-t) (sin(pi x) sin(pi y) + 1).
 * Small networks and a few iterations: the point is the output files (the
 * errors are whatever they are), so each solve takes about a second.
 * The geometry is kept by the problem (pinn_problem_keep): freed with it.
 */
#include <math.h>
#include <pinn/pinn.h>

#ifndef PINN_CSG_CASE
#define PINN_CSG_CASE 1
#endif

#if PINN_CSG_CASE != 2
static const double PI = 3.14159265358979323846;

static double base(const double *x) { return sin(PI * x[0]) * sin(PI * x[1]) + 1; }
#endif

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
#if PINN_CSG_CASE == 1
  u[0] = base(x);
#elif PINN_CSG_CASE == 2
  u[0] = x[0] + x[1] + x[2];
#else
  u[0] = exp(-x[2]) * base(x);
#endif
  return 0;
}

static int residual(const double *x, const pinn_jet *u, const pinn_dual *coef, pinn_dual *r,
                    void *ctx)
{
  (void)coef;
  (void)ctx;
#if PINN_CSG_CASE == 1
  /* -Lap u = 2 pi^2 (u - 1) */
  r[0] = pd_add(pd_add(u->xx, u->yy), pd_scale(pd_subc(u->v, 1), 2 * PI * PI));
  (void)x;
#elif PINN_CSG_CASE == 2
  r[0] = pd_add(pd_add(u->xx, u->yy), u->zz);
  (void)x;
#else
  /* u_t - Lap u = f, f = exp(-t) ((2 pi^2 - 1) s - 1), s = sin sin */
  double s = sin(PI * x[0]) * sin(PI * x[1]), f = exp(-x[2]) * ((2 * PI * PI - 1) * s - 1);
  r[0] = pd_subc(pd_sub(u->t, pd_add(u->xx, u->yy)), f);
#endif
  return 0;
}

/* The domain of p: square minus disk (2-D) or box minus ball (3-D); the
 * geometry is kept by p (freed with it). */
static int make_domain(pinn_problem *p, pinn_domain *dom, pinn_error *err)
{
#if PINN_CSG_CASE == 2
  const size_t d = 3;
  const double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1}, c[3] = {0.5, 0.5, 0.5}, r = 0.3;
#else
  const size_t d = 2;
  const double lo[2] = {-1, -1}, hi[2] = {1, 1}, c[2] = {0.3, 0.2}, r = 0.4;
#endif
  pinn_geom *g = pinn_geom_alloc(d, err);
  if (!g) return err->code;
  int st = pinn_problem_keep(p, g, pinn_geom_destroy); /* on failure g is freed already */
  if (st) return pinn_error_set(err, st, "cannot keep the geometry");
  size_t a, b, root;
  st = pinn_geom_box(g, lo, hi, &a);
  if (!st) st = pinn_geom_ball(g, c, r, &b);
  if (!st) st = pinn_geom_difference(g, a, b, &root);
  if (!st) st = pinn_geom_set_root(g, root);
  if (st) return pinn_error_set(err, st, "geometry: %s", pinn_geom_errmsg(g));
  st = pinn_domain_geometry(dom, g, err);
#if PINN_CSG_CASE == 3
  if (!st) st = pinn_domain_with_time(dom, 0, 0.5, err);
#endif
  return st;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
#if PINN_CSG_CASE == 1
  pinn_problem *p = pinn_problem_alloc("csg2d", 2, 0, 1, err);
  const unsigned needs = PINN_NEED_XX | PINN_NEED_YY;
  const size_t grid[2] = {41, 41};
#elif PINN_CSG_CASE == 2
  pinn_problem *p = pinn_problem_alloc("csg3d", 3, 0, 1, err);
  const unsigned needs = PINN_NEED_LAPLACIAN;
  const size_t grid[3] = {17, 17, 17};
#else
  pinn_problem *p = pinn_problem_alloc("csgheat", 2, 1, 1, err);
  const unsigned needs = PINN_NEED_T | PINN_NEED_XX | PINN_NEED_YY;
  const size_t grid[3] = {31, 31, 5};
#endif
  if (!p) return err->code;
  pinn_domain dom;
  int st = make_domain(p, &dom, err);
  if (st) {
    pinn_problem_free(p);
    return st;
  }
  pinn_problem_set_domain(p, &dom);
  pinn_problem_set_description(p, "a test problem on a CSG domain (tests/plugin_csg.c)");
  pinn_problem_add_residual(p, "pde", 1, residual, needs, NULL);
  pinn_problem_add_dirichlet(p, "walls", 0, exact, NULL);
#if PINN_CSG_CASE == 3
  pinn_problem_add_initial(p, "initial", 0, exact, NULL);
  pinn_problem_set_points(p, 2, 100);
#endif
  pinn_problem_set_points(p, 0, 300);
  pinn_problem_set_points(p, 1, 150);
  pinn_problem_set_exact(p, exact, NULL);
  pinn_problem_set_output_grid(p, grid);
  cfg->n_hidden = 2;
  cfg->width[0] = cfg->width[1] = 12;
  cfg->train.phases[0].max_iter = 60;
  cfg->train.phases[0].lr = 1e-2;
  cfg->train.phases[1].max_iter = 60;
  cfg->train.n_phases = 2;
  *out = p;
  return 0;
}
