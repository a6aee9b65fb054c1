/* lshape2d: Laplace's equation on the L-shaped domain
 *   Omega = (-1, 1)^2 minus [0, 1) x (-1, 0]
 * (the lower right quadrant removed; a pinn_geom_polygon of 6 vertices), the
 * classic benchmark of adaptive finite elements for a corner singularity:
 *   Lap u = 0 in Omega,  u = g on the boundary,
 * with g the trace of the exact solution
 *   u = r^(2/3) sin(2 theta / 3),  theta in [0, 3 pi / 2] measured from the
 *   positive x axis (polar coordinates about the re-entrant corner (0, 0)).
 * u = 0 on the two edges at the re-entrant corner (theta = 0 and 3 pi / 2:
 * the part "corner_edges"); u is smooth up to the rest of the boundary (the
 * part "outer"), but grad u ~ r^(-1/3) is singular at the corner: u is in
 * H^1, not in H^2, and the error of a smooth approximation starts there.
 *
 * What limits the accuracy is that corner.  A smooth network cannot follow
 * r^(2/3) into the corner; the part it misses acts like a source there and
 * pollutes the whole domain with a harmonic error (as a finite element
 * solution on a quasi-uniform mesh does).  On the output grid (101 x 101,
 * the points inside) with uniform points the error is spread over all
 * radii, about as much from r in (0.25, 0.5) as from r < 0.06.  So the
 * residual and the
 * boundary data are collocated more densely towards the corner, by data-free
 * graded sampling: a second residual term "pde_corner" keeps the interior
 * points with probability min(1, (RC / r)^2) (as many points per dyadic
 * annulus r in (s, 2 s), s >= RC, as a geometrically graded mesh has, and
 * uniform within r < RC), and a second Dirichlet term "bc_corner" on the
 * corner edges keeps points with probability min(1, RB / r) (uniform in
 * log r along the edge); the "probability" is a hash of the point's bits,
 * so the sets are deterministic.  RC = 0.055 is about the smallest radius
 * whose acceptance rate (1.6%) the 64 sampling rounds of a `where` filter
 * still fill.  No singular function enters the network or the loss: the
 * boundary data is the only place the exact solution appears.
 *
 * Measured (one thread, tanh 3 x 20, Adam 500, L-BFGS 1000, SSBroyden;
 * the rel. L2 error on the output grid): 2000 uniform residual points:
 * 9.4e-4; 1500 uniform + 500 uniform in the disk r < 0.25: 8.2e-4 after
 * 4000 SSBroyden iterations and 8.3e-4 after 15000 (the loss fell 180x, the
 * error not: the error is the corner, not the optimizer); 1000 graded points
 * with RC = 0.07 plus the graded edge term: 5.8e-4; 2000 with RC = 0.055:
 * 4.1e-4; the corner term weighted 10: 3.3e-4 after 8000 SSBroyden
 * iterations (4.0e-4 after 14000; weight 30: 4.3e-4); 3 x 30 tanh: 1.0e-3;
 * 4000 graded points: 2.6e-4; and 400 graded edge points: 2.6e-4 after
 * 8000 SSBroyden iterations, 1.9e-4 after 12000 (the defaults: 94 s CPU on a
 * loaded machine; seed 2: 1.7e-4), where the rest of the domain is down to
 * about 3e-5 and the grid point at the corner itself, u = 0 at a cusp the
 * smooth network rounds off (error 9e-3), is most of the error left.
 * A hard boundary condition u = phi N with phi the ADF of the corner edges
 * (pinn_geom_adf_alloc) was far worse: 2.5e-2 with 2000 uniform points (0.21
 * with 500 of them in the disk r < 0.25):
 * u / phi ~ r^(-1/3) makes N singular, and then collocation does not rule
 * out adding the harmonic c r^(-2/3) sin(2 theta / 3) (zero on the corner
 * edges, not in H^1), which the trained network did.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;
/* graded sampling radii (see above) */
static const double RC = 0.055, RB = 0.05;

/* Lap u = 0 */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_add(u->xx, u->yy);
  return 0;
}

/* r^(2/3) sin(2 theta / 3), theta = atan2(y, x) in [0, 2 pi) (at most
 * 3 pi / 2 in Omega; atan2(-0.0, x) = -0.0 counts as 0) */
static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  double th = atan2(x[1], x[0]);
  if (th < 0) th += 2 * PI;
  u[0] = pow(hypot(x[0], x[1]), 2.0 / 3.0) * sin(2.0 * th / 3.0);
  return 0;
}

/* A number in [0, 1) that is a fixed function of the point's bits
 * (splitmix64, Steele et al. 2014, of the two coordinates): the acceptance
 * draw of the graded filters, deterministic and without state. */
static double point_hash(const double *x)
{
  uint64_t a, b;
  memcpy(&a, &x[0], sizeof a);
  memcpy(&b, &x[1], sizeof b);
  uint64_t z = a ^ (b * 0x9E3779B97F4A7C15u) ^ 0xD1B54A32D192ED03u;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1.0p-53;
}

/* interior points kept with probability min(1, (RC / r)^2) */
static int graded_interior(const double *x, void *ctx)
{
  (void)ctx;
  const double r2 = x[0] * x[0] + x[1] * x[1];
  return r2 <= RC * RC || point_hash(x) * r2 < RC * RC;
}

/* corner-edge points kept with probability min(1, RB / r) */
static int graded_edge(const double *x, void *ctx)
{
  (void)ctx;
  const double r = hypot(x[0], x[1]);
  return r <= RB || point_hash(x) * r < RB;
}

int pinn_problem_lshape2d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  /* counter-clockwise from the re-entrant corner: edge i from vertex i to
   * i + 1; e0 (x = 0, theta = 3 pi/2) and e5 (y = 0, theta = 0) meet there */
  static const double xy[12] = {0, 0, 0, -1, -1, -1, -1, 1, 1, 1, 1, 0};
  static const size_t corner_pieces[2] = {0, 5}, outer_pieces[4] = {1, 2, 3, 4};
  static const char *const corner[1] = {"corner_edges"};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("lshape2d", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  pinn_geom *g = pinn_geom_alloc(2, err);
  if (!g) return pinn_solve_create_done(p, err ? err->code : PINN_ENOMEM, out, err);
  int st = pinn_problem_keep(p, g, pinn_geom_destroy);
  size_t poly = 0;
  if (!st) st = pinn_geom_polygon(g, 6, xy, &poly);
  if (!st) st = pinn_geom_name(g, poly, 2, corner_pieces, corner[0]);
  if (!st) st = pinn_geom_name(g, poly, 4, outer_pieces, "outer");
  if (!st) st = pinn_geom_set_root(g, poly);
  if (st) {
    pinn_error_set(err, st, "lshape2d: %s", pinn_geom_errmsg(g));
    return pinn_solve_create_done(p, st, out, err);
  }
  if ((st = pinn_domain_geometry(&dom, g, err)) || (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "Lap u = 0 on the L-shape (-1,1)^2 minus [0,1)x(-1,0], u = r^(2/3) sin(2 theta/3)")) ||
      /* 0: uniform residual points; 1: graded towards the corner */
      (st = pinn_problem_add_residual(p, "pde", 1, pde, PINN_NEED_LAPLACIAN, NULL)) ||
      (st = pinn_problem_add_residual(p, "pde_corner", 1, pde, PINN_NEED_LAPLACIAN, NULL)) ||
      (st = pinn_problem_set_where(p, 1, graded_interior, NULL)) ||
      /* 2: the data on the whole boundary; 3: graded on the corner edges */
      (st = pinn_problem_add_dirichlet(p, "bc", 0, exact, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc_corner", 0, exact, NULL)) ||
      (st = pinn_problem_set_parts(p, 3, 1, corner)) ||
      (st = pinn_problem_set_where(p, 3, graded_edge, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 1500)) || (st = pinn_problem_set_points(p, 1, 4000)) ||
      (st = pinn_problem_set_points(p, 2, 400)) || (st = pinn_problem_set_points(p, 3, 400)) ||
      (st = pinn_problem_set_weight(p, 1, 10.0)) || (st = pinn_problem_set_weight(p, 2, 100.0)) ||
      (st = pinn_problem_set_weight(p, 3, 100.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned (see the file comment): 3 x 20 tanh, boundary weight 100, a short
   * Adam warm-up, L-BFGS with 100 pairs, then SSBroyden; longer runs lower
   * the loss but not the error */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 100;
  cfg->train.phases[1].gtol = 1e-10;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 12000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
