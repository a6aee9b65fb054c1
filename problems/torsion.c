/* torsion — elastic-plastic torsion of a round bar, an UPPER obstacle problem
 * on the unit disk (Glowinski 1984, ch. 2; the stress function is bounded by
 * the distance to the boundary):
 *   -Lap u = 4 where u < psi,  u <= psi = 1 - r,  -Lap u <= 4,  u = 0 on r = 1.
 * Exact: u = 3/4 - r^2 for r < 1/2 (elastic core), u = 1 - r for r >= 1/2
 * (plastic ring, the contact set); u and u_r are continuous at r = 1/2.
 * The multiplier on contact is lambda* = Lap psi + 4 = 4 - 1/r (2 at r = 1/2).
 *
 * The upper obstacle is first class (sense PINN_SENSE_UPPER): the
 * complementarity min(-R, psi - u) with R = (-Lap u - 4)/4 written as for a
 * lower obstacle, plus a quadratic barrier on u - psi, stated as in
 * obstacle1d.c (a barrier alone goes with the energy
 * (1/2)|grad u|^2 - 4 u = (1/2)|grad u + 2 x|^2 + const, since u = 0 on the
 * boundary).  The boundary condition is exact: u = (1 - r^2) N.
 */
#include <pinn/pinn.h>
#include "free_boundary.h"

#include <math.h>
#include <stdlib.h>

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  const double r = hypot(x[0], x[1]);
  *u = r < 0.5 ? 0.75 - r * r : 1 - r;
  return 0;
}

static int psi(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = 1 - hypot(x[0], x[1]);
  return 0;
}

/* R = (-Lap u - 4) / 4 (scaled by lambda* ~ 4: both arguments of the min are
 * lengths of the same size); the term's sense -1 makes it min(-R, psi - u) */
static int torsion(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_subc(pd_scale(pd_add(u->xx, u->yy), -0.25), 1);
  return 0;
}

/* |r|^2 = (1/2) |grad u + 2 x|^2, the energy density (barriers) */
static int energy(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  r[0] = pd_scale(pd_addc(u->x, 2 * x[0]), M_SQRT1_2);
  r[1] = pd_scale(pd_addc(u->y, 2 * x[1]), M_SQRT1_2);
  return 0;
}

/* u = (1 - x^2 - y^2) N: zero on the circle */
static int disk_distance(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_csub(1.0, px_add(px_sq(x[0]), px_sq(x[1])));
  return 0;
}

/* contact_radius: the radius of the elastic core, sqrt(area / pi) of the
 * points of a 401^2 grid of the (closed) disk that pinn_obstacle_contact does NOT mark
 * as contact (the criterion of the output's contact field: the gap psi - u
 * small and, with the complementarity term, its multiplier (Lap u + 4)/4
 * above a quarter of its median there).  Exact 1/2.  free_boundary_error:
 * the Hausdorff distance between the boundary of that contact set (located
 * between grid points, pinn_free_boundary_level) and the circle r = 1/2
 * (10000 points); the disk's rim r = 1 is not free boundary. */
static int contact(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)ctx;
  enum { M = 401, NB = 10000 };
  const double h = 2.0 / (M - 1);
  double *on, *level, core = 0;
  pinn_free_boundary_error fb = {.hausdorff = NAN};
  int st = pinn_problem_contact_grid(l, 2, (size_t[]){M, M}, (double[]){-1, -1}, (double[]){1, 1},
                                     &on, &level);
  for (size_t i = 0; i < (size_t)M * M && !st; ++i) core += on[i] == 0.0; /* NaN outside */
  double *circle = st ? NULL : malloc(2 * NB * sizeof *circle);
  if (!st && !circle) st = PINN_ENOMEM;
  if (!st) {
    pinn_circle_points(0.5, NB, circle);
    st = pinn_free_boundary_distance(2, (size_t[]){M, M}, (double[]){-1, -1}, (double[]){1, 1},
                                     level, NB, circle, &fb, NULL);
  }
  free(circle);
  if (!st) free(on);
  pinn_metric mt[2] = {{"contact_radius", h * sqrt(core / M_PI)},
                       {"free_boundary_error", fb.hausdorff}};
  for (*n = 0; *n < 2 && *n < max; ++*n) out[*n] = mt[*n];
  return st;
}

int pinn_problem_torsion(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  /* u <= psi; no other terms (the boundary condition is exact) */
  const pinn_obstacle_spec ob = {
      .sense = PINN_SENSE_UPPER, .psi = psi, .residual = torsion,
      .residual_needs = PINN_NEED_LAPLACIAN, .energy = energy, .n_energy = 2,
      .energy_needs = PINN_NEED_GRAD, .points = 2000, .method = PINN_OBSTACLE_BOTH, .rho = 10,
      .energy_rho = 1e3, .energy_weight_factor = 1};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("torsion", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st = pinn_domain_ball(&dom, 2, (double[]){0, 0}, 1.0, err);
  if (!st) st = pinn_problem_set_domain(p, &dom);
  if (!st) st = pinn_problem_set_description(p, "elastic-plastic torsion on the unit disk: -Lap u = 4 "
                                             "where u < psi = 1 - r, u <= psi, u = 0 on r = 1");
  if (!st) st = pinn_problem_set_obstacle(p, &ob);
  if (!st) {
    const pinn_transform hard = pinn_transform_dirichlet(0, NULL, disk_distance, NULL);
    st = pinn_problem_set_transform(p, &hard);
  }
  if (!st) st = pinn_problem_set_exact(p, exact, NULL);
  if (!st) st = pinn_problem_set_metrics(p, contact, NULL);
  if (st) return pinn_solve_create_done(p, st, pp, err);
  /* the default network (4 x 20, tanh) and Adam phase (1000 iterations) */
  cfg->train.phases[1].max_iter = 3000;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 5000);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
