/* membrane2d — an obstacle problem with a source: -Lap u = -4 where u > 0,
 * u >= psi = 0, -Lap u + 4 >= 0, on (-1, 1)^2, u = exact on the boundary.
 * Exact: u = 0 for r <= 1/2, u = (r^2 - 1/4) - (1/2) ln(2 r) outside (u and
 * u_r vanish at r = 1/2); the multiplier on the contact disk is
 * lambda* = -Lap psi - f = 4.
 *
 * The obstacle is stated as in obstacle1d.c.  The energy that goes with a
 * barrier is (1/2)|grad u|^2 + 4 u; with u fixed on the boundary it equals,
 * up to a constant, (1/2)|grad u - 2 x|^2 = (1/2)|grad(u - |x|^2)|^2 (Gauss:
 * the integral of -2 x . grad u is that of 4 u minus a boundary term), a
 * sum of squares as the loss wants.
 */
#include <pinn/pinn.h>
#include "grid2d.h"
#include "free_boundary.h"

#include <math.h>
#include <stdlib.h>

#define GAP_TOL 1e-3   /* u <= GAP_TOL counts as contact (contact_radius_gap) */

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  const double r = hypot(x[0], x[1]);
  *u = r <= 0.5 ? 0 : (r * r - 0.25) - 0.5 * log(2 * r);
  return 0;
}

static int zero(const double *x, double *v, void *ctx)
{
  (void)x, (void)ctx;
  *v = 0;
  return 0;
}

static int exact_g(const double *x, double *v, void *ctx) { return exact(x, v, ctx); }

/* R = (-Lap u + 4) / 4, scaled by lambda*, for min(R, u - 0) */
static int membrane(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_csub(1, pd_scale(pd_add(u->xx, u->yy), 0.25));
  return 0;
}

/* |r|^2 = (1/2) |grad u - 2 x|^2, the energy density (barriers) */
static int energy(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  r[0] = pd_scale(pd_subc(u->x, 2 * x[0]), M_SQRT1_2);
  r[1] = pd_scale(pd_subc(u->y, 2 * x[1]), M_SQRT1_2);
  return 0;
}

/* Contact radii sqrt(area / pi) on a 401^2 grid of the square (exact 1/2):
 * contact_radius of the active set, where the multiplier -Lap u + 4 of the
 * trained u is nearer lambda* = 4 than 0; contact_radius_gap of
 * {u <= GAP_TOL}; free_boundary_error, the Hausdorff distance between the
 * boundary of the library's contact set (pinn_obstacle_contact) on the same
 * grid and the circle r = 1/2 (10000 points). */
static int contact(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)ctx;
  enum { M = 401 };
  const double h = 2.0 / (M - 1);
  double *x, *J, active = 0, gap = 0;
  int st = pinn_grid2d_jets(l, M, &x, &J); /* u, u_x, u_y, u_xx, u_yy */
  for (size_t i = 0; i < M * M && !st; ++i) {
    active += -(J[5 * i + 3] + J[5 * i + 4]) + 4 >= 2;
    gap += J[5 * i] <= GAP_TOL;
  }
  free(x);
  enum { NB = 10000 };
  pinn_free_boundary_error fb = {.hausdorff = NAN};
  double *circle = st ? NULL : malloc(2 * NB * sizeof *circle);
  if (!st && !circle) st = PINN_ENOMEM;
  if (!st) {
    pinn_circle_points(0.5, NB, circle);
    st = pinn_problem_free_boundary_error(l, 2, (size_t[]){M, M}, (double[]){-1, -1},
                                          (double[]){1, 1}, NB, circle, &fb);
  }
  free(circle);
  pinn_metric m[3] = {{"contact_radius", h * sqrt(active / M_PI)},
                      {"contact_radius_gap", h * sqrt(gap / M_PI)},
                      {"free_boundary_error", fb.hausdorff}};
  for (*n = 0; *n < 3 && *n < max; ++*n) out[*n] = m[*n];
  return st;
}

int pinn_problem_membrane2d(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  /* u >= 0; the boundary weight is 10, 1e3 with the energy */
  const pinn_obstacle_spec ob = {
      .sense = PINN_SENSE_LOWER, .psi = zero, .residual = membrane,
      .residual_needs = PINN_NEED_LAPLACIAN, .energy = energy, .n_energy = 2,
      .energy_needs = PINN_NEED_GRAD, .points = 2000, .method = PINN_OBSTACLE_BOTH, .rho = 10,
      .energy_rho = 1e3, .energy_weight_factor = 100};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("membrane2d", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st = pinn_domain_box(&dom, 2, (double[]){-1, -1}, (double[]){1, 1}, err);
  if (!st) st = pinn_problem_set_domain(p, &dom);
  if (!st) st = pinn_problem_set_obstacle(p, &ob);
  if (!st) st = pinn_problem_add_dirichlet(p, "bc", 0, exact_g, NULL);
  if (!st) st = pinn_problem_set_weight(p, pinn_problem_n_terms(p) - 1, 10);
  if (!st) st = pinn_problem_set_points(p, pinn_problem_n_terms(p) - 1, 400);
  if (!st) st = pinn_problem_set_exact(p, exact, NULL);
  if (!st) st = pinn_problem_set_metrics(p, contact, NULL);
  if (st) return pinn_solve_create_done(p, st, pp, err);
  /* the default network (4 x 20, tanh) and Adam phase (1000 iterations) */
  cfg->train.phases[1].max_iter = 3000;
  /* then SSBroyden, a fixed number of iterations tuned on a quiet 2-core
   * machine (2 threads): Adam + L-BFGS 31 s, then 14.5 ms per iteration,
   * about 155 s in all; rel. L2 2.5e-5, contact radius 0.5005 (exact 1/2),
   * where L-BFGS alone reaches 4.8e-3 after 20000 iterations */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 8500);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
