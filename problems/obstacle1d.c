/* obstacle1d — the 1D obstacle problem: -u'' = 0 on (0,1) where u > psi,
 * u >= psi, -u'' >= 0, u(0) = u(1) = 0, with the three-piece obstacle
 *   psi = 100 x^2 (x <= 1/4),  100 x (1 - x) - 12.5 (1/4 <= x <= 3/4),  100 (1 - x)^2.
 * Exact: contact set [a, 1-a], a = 1/(2 sqrt 2); u = (100 - 50 sqrt 2) x on [0, a],
 * u = psi on [a, 1 - a], symmetric.  The multiplier on the contact set is
 * lambda* = -psi'' = 200.
 *
 * The obstacle is stated once (pinn_problem_set_obstacle): the
 * complementarity min(-u'', u - psi) = 0 at every point, or a barrier with
 * the Dirichlet energy (1/2) u'^2 written as the square of the residual
 * u'/sqrt 2 (the penalty method for the variational inequality; Glowinski
 * 1984, ch. 1).  Default: the complementarity plus a relu2 barrier at rho 30.
 */
#include <pinn/pinn.h>
#include "free_boundary.h"

#include <math.h>
#include <stdlib.h>

#define CONTACT_TOL 1e-4   /* u - psi <= tol counts as contact */

static double obstacle(double x)
{
  if (x <= 0.25) return 100 * x * x;
  if (x <= 0.75) return 100 * x * (1 - x) - 12.5;
  return 100 * (1 - x) * (1 - x);
}

static int psi(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = obstacle(x[0]);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  const double a = 0.25 * M_SQRT2, s = fmin(x[0], 1 - x[0]);
  *u = s <= a ? (100 - 50 * M_SQRT2) * s : obstacle(x[0]);
  return 0;
}

/* R = -u''/lambda*: the complementarity min(R, u - psi) with R scaled by the
 * multiplier lambda* = 200, so both arguments are lengths of the same size */
static int laplace(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_scale(u->xx, -1.0 / 200);
  return 0;
}

/* (u'/sqrt 2)^2 = the energy density (barriers) */
static int energy(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_scale(u->x, M_SQRT1_2);
  return 0;
}

/* contact_left / contact_right: the first and last x of a 20001-point grid
 * where the trained u - psi <= CONTACT_TOL, skipping x < 0.01 and x > 0.99
 * (the ends, where u = psi = 0 by the boundary condition).
 * free_boundary_error: max |a_computed - a*| over both ends of the library's
 * contact set (pinn_obstacle_contact, with the multiplier -u''/200: the
 * ends x = 0, 1 are not contact) on a 20001-point grid of [0, 1], located
 * between grid points (pinn_free_boundary_level). */
static int contact_ends(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)ctx;
  enum { N = 20001 };
  double *x = malloc(2 * N * sizeof *x), *u = x + N, lo = NAN, hi = NAN;
  if (!x) return PINN_ENOMEM;
  for (size_t i = 0; i < N; ++i) x[i] = 0.01 + 0.98 * (double)i / (N - 1);
  int st = pinn_mlp_eval(pinn_loss_network(l), N, x, u);
  for (size_t i = 0; i < N && !st; ++i)
    if (u[i] - obstacle(x[i]) <= CONTACT_TOL) {
      if (isnan(lo)) lo = x[i];
      hi = x[i];
    }
  free(x);
  const double a = 0.25 * M_SQRT2, ends[2] = {a, 1 - a};
  pinn_free_boundary_error fb = {.hausdorff = NAN};
  if (!st)
    st = pinn_problem_free_boundary_error(l, 1, (size_t[]){N}, (double[]){0}, (double[]){1}, 2,
                                          ends, &fb);
  pinn_metric m[3] = {{"contact_left", lo}, {"contact_right", hi},
                      {"free_boundary_error", fb.hausdorff}};
  for (*n = 0; *n < 3 && *n < max; ++*n) out[*n] = m[*n];
  return st;
}

int pinn_problem_obstacle1d(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  /* the boundary weight is 100, 1e5 with the energy */
  const pinn_obstacle_spec ob = {
      .sense = PINN_SENSE_LOWER, .psi = psi, .residual = laplace, .residual_needs = PINN_NEED_XX,
      .energy = energy, .n_energy = 1, .energy_needs = PINN_NEED_X, .points = 250,
      .method = PINN_OBSTACLE_BOTH, .rho = 30, .energy_rho = 1e4, .energy_weight_factor = 1000};
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("obstacle1d", 1, 0, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st = pinn_domain_interval(&dom, 0, 1, err);
  if (!st) st = pinn_problem_set_domain(p, &dom);
  if (!st) st = pinn_problem_set_obstacle(p, &ob);
  if (!st) st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL);
  if (!st) st = pinn_problem_set_weight(p, pinn_problem_n_terms(p) - 1, 100);
  if (!st) st = pinn_problem_set_exact(p, exact, NULL);
  if (!st) st = pinn_problem_set_metrics(p, contact_ends, NULL);
  if (!st) st = pinn_problem_set_output_grid(p, (size_t[]){1001});
  if (st) return pinn_solve_create_done(p, st, pp, err);
  /* the default network (4 x 20, tanh) and Adam phase (1000 iterations) */
  cfg->loss.sampler = PINN_SAMPLER_GRID;
  cfg->train.phases[1].max_iter = 3000;
  /* then SSBroyden on the dense inverse Hessian until no progress: rel. L2
   * 6.0e-6 in 36 s with 2 threads, 52 s with one (contact ends 0.353 /
   * 0.64695, the metric's grid is 0.001), where 10000 L-BFGS iterations alone
   * reach 3.4e-4 */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 16000);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
