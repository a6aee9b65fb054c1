/* See problems/free_boundary.h. */
#include "free_boundary.h"

#include <math.h>
#include <stdlib.h>

int pinn_problem_contact_grid(pinn_loss *l, size_t dim, const size_t *counts, const double *lo,
                              const double *hi, double **on_out, double **level_out)
{
  const pinn_problem *p = pinn_loss_problem(l);
  const pinn_domain *dom = pinn_problem_domain(p);
  size_t n = 1;
  for (size_t a = 0; a < dim; ++a) n *= counts[a];
  *on_out = *level_out = NULL;
  int sense = 0;
  for (size_t i = 0; i < pinn_problem_n_terms(p) && !sense; ++i) sense = pinn_problem_term_sense(p, i);
  if (!sense) return PINN_EINVAL; /* not an obstacle problem */
  double *on = malloc(n * 2 * sizeof *on), *x = malloc(n * (dim + 3) * sizeof *x);
  if (!on || !x) {
    free(on);
    free(x);
    return PINN_ENOMEM;
  }
  double *level = on + n, *u = x + n * dim, *ps = u + n, *lam = ps + n;
  for (size_t j = 0; j < n; ++j)
    for (size_t a = 0, q = j; a < dim; q /= counts[a], ++a)
      x[j * dim + a] = counts[a] > 1 ? lo[a] + (hi[a] - lo[a]) * (double)(q % counts[a]) /
                                                   (double)(counts[a] - 1)
                                     : lo[a];
  const int ic = pinn_problem_find_term(p, "pde");
  double gap_tol = 0, lambda_tol = 0;
  int st = pinn_loss_predict(l, n, x, u);
  if (!st) st = pinn_problem_obstacle(p, n, x, ps, NULL);
  if (!st && ic >= 0) st = pinn_loss_multiplier_at(l, (size_t)ic, n, x, lam);
  for (size_t j = 0; j < n && !st; ++j)
    if (!pinn_domain_contains(dom, x + j * dim)) u[j] = NAN;
  if (!st)
    st = pinn_obstacle_contact(n, u, ps, ic >= 0 ? lam : NULL, sense, on, &gap_tol, &lambda_tol,
                               NULL);
  if (!st)
    st = pinn_free_boundary_level(n, u, ps, ic >= 0 ? lam : NULL, sense, gap_tol, lambda_tol,
                                  level, NULL);
  free(x);
  if (st) {
    free(on);
    return st;
  }
  *on_out = on;
  *level_out = level;
  return 0;
}

int pinn_problem_free_boundary_error(pinn_loss *l, size_t dim, const size_t *counts,
                                     const double *lo, const double *hi, size_t m,
                                     const double *exact, pinn_free_boundary_error *out)
{
  double *on, *level;
  int st = pinn_problem_contact_grid(l, dim, counts, lo, hi, &on, &level);
  if (!st) st = pinn_free_boundary_distance(dim, counts, lo, hi, level, m, exact, out, NULL);
  free(on);
  return st;
}

void pinn_circle_points(double r, size_t m, double *xy)
{
  for (size_t k = 0; k < m; ++k) {
    const double t = 2 * M_PI * (double)k / (double)m;
    xy[2 * k] = r * cos(t);
    xy[2 * k + 1] = r * sin(t);
  }
}
