/* Laplace's equation on a plate with a hole: the plate [0, 2] x [0, 1] minus
 * the disk of radius 1/4 at (1, 1/2).  Exact solution u = e^x sin y.  The
 * ends x = 0 and x = 2 hold u exactly (a distance-function transform); the
 * walls y = 0, 1 and the hole get the normal derivative (soft terms). */
#include <math.h>
#include <pinn/pinn.h>

static const double CX = 1.0, CY = 0.5, R = 0.25;

static int laplace(const double *x, const pinn_jet *u, const pinn_dual *coef, pinn_dual *r,
                   void *ctx)
{
  (void)x; (void)coef; (void)ctx;
  r[0] = pd_add(u->xx, u->yy);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = exp(x[0]) * sin(x[1]);
  return 0;
}

/* the Dirichlet data as a jet: u = g + phi N with phi = 0 on the ends */
static int g_ends(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_mul(px_exp(x[0]), px_sin(x[1]));
  return 0;
}

/* du/dn on the walls: n = (0, -1) at y = 0, (0, 1) at y = 1 */
static int dudn_walls(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = (x[1] < 0.5 ? -1.0 : 1.0) * exp(x[0]) * cos(x[1]);
  return 0;
}

/* du/dn on the hole: the region's outward normal points into the hole */
static int dudn_hole(const double *x, double *v, void *ctx)
{
  (void)ctx;
  const double nx = (CX - x[0]) / R, ny = (CY - x[1]) / R;
  *v = exp(x[0]) * (sin(x[1]) * nx + cos(x[1]) * ny);
  return 0;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_problem *p = pinn_problem_alloc("plate_hole", 2, 0, 1, err);
  if (!p) return err->code;
  /* the geometry: a box minus a disk, its boundary pieces named */
  pinn_geom *g = pinn_geom_alloc(2, err);
  pinn_problem_keep(p, g, pinn_geom_destroy); /* freed with the problem */
  const double lo[2] = {0.0, 0.0}, hi[2] = {2.0, 1.0}, c[2] = {CX, CY};
  const size_t ends[2] = {0, 1}, walls[2] = {2, 3}; /* box pieces x0-, x0+, x1-, x1+ */
  size_t plate, hole, body;
  int st = !g ? PINN_ENOMEM : 0;
  if (!st) st = pinn_geom_box(g, lo, hi, &plate);
  if (!st) st = pinn_geom_name(g, plate, 2, ends, "ends");
  if (!st) st = pinn_geom_name(g, plate, 2, walls, "walls");
  if (!st) st = pinn_geom_ball(g, c, R, &hole);
  if (!st) st = pinn_geom_name(g, hole, 0, NULL, "hole");
  if (!st) st = pinn_geom_difference(g, plate, hole, &body);
  if (!st) st = pinn_geom_set_root(g, body);
  if (st) {
    pinn_error_set(err, st, "plate_hole geometry: %s", g ? pinn_geom_errmsg(g) : "no memory");
    pinn_problem_free(p);
    return st;
  }
  pinn_domain dom;
  pinn_domain_geometry(&dom, g, err);
  pinn_problem_set_domain(p, &dom);
  /* Dirichlet on the ends, exactly: u = g + phi N, phi the ADF of "ends" */
  const char *dirichlet_parts[1] = {"ends"};
  pinn_geom_adf *phi = pinn_geom_adf_alloc(g, 1, dirichlet_parts, err);
  if (!phi) {
    pinn_problem_free(p);
    return err->code;
  }
  pinn_problem_keep(p, phi, pinn_geom_adf_destroy);
  pinn_transform t = pinn_transform_dirichlet(0, g_ends, pinn_geom_adf_xjet, phi);
  pinn_problem_set_transform(p, &t);
  /* the PDE and the soft Neumann conditions, each on its parts */
  const char *wall_parts[1] = {"walls"}, *hole_parts[1] = {"hole"};
  pinn_problem_set_description(p, "Laplace on a plate with a hole, u = e^x sin y");
  pinn_problem_add_residual(p, "pde", 1, laplace, PINN_NEED_LAPLACIAN, NULL);
  pinn_problem_add_neumann(p, "walls", 0, dudn_walls, NULL);
  pinn_problem_set_parts(p, 1, 1, wall_parts);
  pinn_problem_add_neumann(p, "hole", 0, dudn_hole, NULL);
  pinn_problem_set_parts(p, 2, 1, hole_parts);
  pinn_problem_set_points(p, 0, 1000);
  pinn_problem_set_points(p, 1, 200);
  pinn_problem_set_points(p, 2, 100);
  pinn_problem_set_exact(p, exact, NULL);
  /* tuned defaults: 3 x 20 tanh, Adam warm-up, L-BFGS */
  cfg->n_hidden = 3;
  cfg->width[0] = cfg->width[1] = cfg->width[2] = 20;
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 3000;
  *out = p;
  return 0;
}
