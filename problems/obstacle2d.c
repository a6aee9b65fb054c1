/* obstacle2d — Bueler's radial obstacle problem (E. Bueler, "PETSc for
 * Partial Differential Equations", SIAM 2021, ch. 12; also his obstacle
 * example in PETSc, snes/tutorials/ex9):
 *   -Lap u >= 0, u >= psi, (-Lap u)(u - psi) = 0 on (-2, 2)^2,
 *   psi = sqrt(1 - r^2) for r <= 1, -1 otherwise; u = exact on the boundary.
 * Exact: u = psi for r <= r*, u = -A ln(r / 2) = -A ln r + B outside, with
 * A = r*^2 / sqrt(1 - r*^2), B = A ln 2, where r* solves the free-boundary
 * equation (u and u_r continuous at r*):  r^2 (1 - ln(r / 2)) = 1,
 * r* = 0.6979651482...  The multiplier -Lap psi grows from 2 at r = 0 to
 * 4.12 at r*.
 *
 * The obstacle is stated as in obstacle1d.c: the default is the
 * complementarity min(-Lap u / 4, u - psi) = 0 plus a quadratic barrier; a
 * barrier alone goes with the Dirichlet energy (1/2)|grad u|^2.
 */
#include <pinn/pinn.h>
#include "grid2d.h"
#include "free_boundary.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#define GAP_TOL 1e-3   /* u - psi <= GAP_TOL counts as contact (contact_radius_gap) */

static double free_boundary(double r, void *params)
{
  (void)params;
  return r * r * (1 - log(r / 2)) - 1;
}

/* r* by Brent's method on [0.5, 0.9] (GSL), to machine precision. */
static double contact_radius_exact(void)
{
  gsl_function F = {free_boundary, NULL};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  double lo = 0.5, hi = 0.9, r = NAN;
  if (s && gsl_root_fsolver_set(s, &F, lo, hi) == GSL_SUCCESS)
    for (int it = 0; it < 200; ++it) {
      if (gsl_root_fsolver_iterate(s)) break;
      r = gsl_root_fsolver_root(s);
      lo = gsl_root_fsolver_x_lower(s);
      hi = gsl_root_fsolver_x_upper(s);
      if (gsl_root_test_interval(lo, hi, 0, 4 * GSL_DBL_EPSILON) == GSL_SUCCESS) break;
    }
  gsl_root_fsolver_free(s);
  return r;
}

static double obstacle(double r) { return r <= 1 ? sqrt(1 - r * r) : -1; }

static int psi(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = obstacle(hypot(x[0], x[1]));
  return 0;
}

/* (r* is recomputed per call, ~1 us: the problem keeps no state of its own) */
static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  const double rs = contact_radius_exact(), r = hypot(x[0], x[1]);
  *u = r <= rs ? obstacle(r) : -rs * rs / sqrt(1 - rs * rs) * log(r / 2);
  return 0;
}

static int exact_g(const double *x, double *v, void *ctx) { return exact(x, v, ctx); }

/* R = -Lap u / 4 (the multiplier's size), for min(R, u - psi) */
static int laplace(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_scale(pd_add(u->xx, u->yy), -0.25);
  return 0;
}

/* |r|^2 = (1/2) |grad u|^2, the energy density (barriers) */
static int energy(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_scale(u->x, M_SQRT1_2);
  r[1] = pd_scale(u->y, M_SQRT1_2);
  return 0;
}

/* Contact radii sqrt(area / pi) on a 401^2 grid of [-1, 1]^2 (outside r = 1,
 * psi = -1 never touches): contact_radius of the active set, where the
 * multiplier -Lap u of the trained u is nearer -Lap psi than 0; and
 * contact_radius_gap of {u - psi <= GAP_TOL}.  Also r* itself, and
 * free_boundary_error: the Hausdorff distance between the boundary of the
 * library's contact set (pinn_obstacle_contact) on the same grid and the
 * circle r = r* (20000 points), max over directions of |r(theta) - r*|. */
static int contact(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)ctx;
  enum { M = 401 };
  const double h = 2.0 / (M - 1);
  double *x, *J, active = 0, gap = 0;
  int st = pinn_grid2d_jets(l, M, &x, &J); /* u, u_x, u_y, u_xx, u_yy */
  for (size_t i = 0; i < M * M && !st; ++i) {
    const double r2 = x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1], *j = J + 5 * i;
    if (r2 >= 1) continue;
    const double lap_psi = -(2 - r2) / pow(1 - r2, 1.5);
    active += -(j[3] + j[4]) >= -0.5 * lap_psi;
    gap += j[0] - sqrt(1 - r2) <= GAP_TOL;
  }
  free(x);
  enum { NB = 20000 };
  pinn_free_boundary_error fb = {.hausdorff = NAN};
  double *circle = st ? NULL : malloc(2 * NB * sizeof *circle);
  if (!st && !circle) st = PINN_ENOMEM;
  if (!st) {
    pinn_circle_points(contact_radius_exact(), NB, circle);
    st = pinn_problem_free_boundary_error(l, 2, (size_t[]){M, M}, (double[]){-1, -1},
                                          (double[]){1, 1}, NB, circle, &fb);
  }
  free(circle);
  pinn_metric m[4] = {{"contact_radius", h * sqrt(active / M_PI)},
                      {"contact_radius_gap", h * sqrt(gap / M_PI)},
                      {"contact_radius_exact", contact_radius_exact()},
                      {"free_boundary_error", fb.hausdorff}};
  for (*n = 0; *n < 4 && *n < max; ++*n) out[*n] = m[*n];
  return st;
}

int pinn_problem_obstacle2d(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  /* the boundary weight is 10, 1e3 with the energy */
  const pinn_obstacle_spec ob = {
      .sense = PINN_SENSE_LOWER, .psi = psi, .residual = laplace,
      .residual_needs = PINN_NEED_LAPLACIAN, .energy = energy, .n_energy = 2,
      .energy_needs = PINN_NEED_GRAD, .points = 4000, .method = PINN_OBSTACLE_BOTH, .rho = 10,
      .energy_rho = 1e3, .energy_weight_factor = 100};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("obstacle2d", 2, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st = pinn_domain_box(&dom, 2, (double[]){-2, -2}, (double[]){2, 2}, err);
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
  /* then SSBroyden for a number of iterations tuned on a quiet 2-core
   * machine (2 threads: Adam + L-BFGS 56 s, 25.7 ms per SSBroyden
   * iteration, about 155 s in all): radius 0.694 (r* 0.698), rel. L2 5.5e-4,
   * where L-BFGS alone gives radius 0.683, rel. L2 6.9e-4 after 34700 */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 3800);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
