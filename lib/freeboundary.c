/* libpinn — the free-boundary error: Hausdorff distance between the
 * boundary of a computed contact set (sign changes of a level field on a
 * grid, located by linear interpolation along the edges) and sampled points
 * of the exact free boundary.  See include/pinn/freeboundary.h.
 *
 * The directed distances are brute force, O(|C| m): the boundaries of the
 * bundled problems have a few thousand grid crossings against some 10^4
 * exact points, well below the cost of the network evaluation that
 * produced the level.
 */
#include <pinn/freeboundary.h>

#include <math.h>
#include <stdlib.h>

static int check_grid(size_t dim, const size_t *counts, const double *lo, const double *hi,
                      const double *level, size_t *total, pinn_error *err)
{
  if (dim < 1 || dim > PINN_MAX_INPUTS)
    return pinn_error_set(err, PINN_EINVAL, "free boundary: dim %zu outside 1..%d", dim,
                          PINN_MAX_INPUTS);
  if (!counts || !lo || !hi || !level)
    return pinn_error_set(err, PINN_EINVAL, "free boundary: NULL grid or level");
  size_t t = 1;
  for (size_t a = 0; a < dim; ++a) {
    if (counts[a] < 1) return pinn_error_set(err, PINN_EINVAL, "free boundary: axis %zu has no points", a);
    if (counts[a] > 1 && !(lo[a] < hi[a]))
      return pinn_error_set(err, PINN_EINVAL, "free boundary: axis %zu needs lo < hi", a);
    if (t > (size_t)-1 / counts[a])
      return pinn_error_set(err, PINN_EINVAL, "free boundary: grid too large");
    t *= counts[a];
  }
  *total = t;
  return 0;
}

static double coord(size_t a, size_t i, const size_t *counts, const double *lo, const double *hi)
{
  return counts[a] > 1 ? lo[a] + (hi[a] - lo[a]) * (double)i / (double)(counts[a] - 1) : lo[a];
}

int pinn_free_boundary_points(size_t dim, const size_t *counts, const double *lo,
                              const double *hi, const double *level, double *pts, size_t max,
                              size_t *n, pinn_error *err)
{
  size_t total;
  int st = check_grid(dim, counts, lo, hi, level, &total, err);
  if (st) return st;
  if (!n || (max > 0 && !pts))
    return pinn_error_set(err, PINN_EINVAL, "free boundary: NULL point buffer or count");
  size_t idx[PINN_MAX_INPUTS] = {0}, found = 0;
  for (size_t p = 0; p < total; ++p) {
    /* idx = the multi-index of p (axis 0 fastest) */
    for (size_t a = 0, q = p; a < dim; ++a) {
      idx[a] = q % counts[a];
      q /= counts[a];
    }
    const double l0 = level[p];
    size_t stride = 1;
    for (size_t a = 0; a < dim; stride *= counts[a], ++a) {
      if (idx[a] + 1 >= counts[a]) continue;
      const double l1 = level[p + stride];
      if (isnan(l0) || isnan(l1) || (l0 > 0) == (l1 > 0)) continue;
      if (found < max) {
        /* root of the interpolant; l0 != l1 here (one > 0, one <= 0) */
        const double t = l0 / (l0 - l1);
        double *c = pts + found * dim;
        for (size_t b = 0; b < dim; ++b) c[b] = coord(b, idx[b], counts, lo, hi);
        c[a] += t * (coord(a, idx[a] + 1, counts, lo, hi) - c[a]);
      }
      ++found;
    }
  }
  *n = found;
  if (found > max)
    return pinn_error_set(err, PINN_ERANGE, "free boundary: %zu points, room for %zu", found, max);
  pinn_error_clear(err);
  return 0;
}

static double dist2(const double *a, const double *b, size_t dim)
{
  double s = 0;
  for (size_t k = 0; k < dim; ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
  return s;
}

/* max over a in A of min over b in B of |a - b| (+Inf for empty B and
 * non-empty A; 0 for empty A) */
static double directed(const double *A, size_t na, const double *B, size_t nb, size_t dim)
{
  if (na == 0) return 0;
  if (nb == 0) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < na; ++i) {
    double best = INFINITY;
    for (size_t j = 0; j < nb && best > worst; ++j) best = fmin(best, dist2(A + i * dim, B + j * dim, dim));
    worst = fmax(worst, best);
  }
  return sqrt(worst);
}

int pinn_free_boundary_distance(size_t dim, const size_t *counts, const double *lo,
                                const double *hi, const double *level, size_t m,
                                const double *exact, pinn_free_boundary_error *out,
                                pinn_error *err)
{
  size_t total, nc = 0;
  int st = check_grid(dim, counts, lo, hi, level, &total, err);
  if (st) return st;
  if (!out || (m > 0 && !exact))
    return pinn_error_set(err, PINN_EINVAL, "free boundary: NULL exact points or result");
  for (size_t j = 0; j < m * dim; ++j)
    if (!isfinite(exact[j]))
      return pinn_error_set(err, PINN_EINVAL, "free boundary: exact point %zu is not finite", j / dim);
  st = pinn_free_boundary_points(dim, counts, lo, hi, level, NULL, 0, &nc, NULL);
  if (st && st != PINN_ERANGE) return pinn_error_set(err, st, "free boundary: counting points failed");
  double *c = malloc((nc ? nc : 1) * dim * sizeof *c);
  if (!c) return pinn_error_set(err, PINN_ENOMEM, "free boundary: out of memory (%zu points)", nc);
  st = pinn_free_boundary_points(dim, counts, lo, hi, level, c, nc, &nc, err);
  if (!st) {
    out->excess = directed(c, nc, exact, m, dim);
    out->miss = directed(exact, m, c, nc, dim);
    out->hausdorff = fmax(out->excess, out->miss);
    out->n_computed = nc;
  }
  free(c);
  return st;
}

int pinn_free_boundary_level(size_t n, const double *u, const double *psi, const double *lambda,
                             pinn_sense sense, double gap_tol, double lambda_tol, double *level,
                             pinn_error *err)
{
  if (n > 0 && (!u || !psi || !level))
    return pinn_error_set(err, PINN_EINVAL, "free boundary level: NULL array");
  if (sense != 1 && sense != -1)
    return pinn_error_set(err, PINN_EINVAL, "free boundary level: sense must be +1 or -1");
  if (!(gap_tol > 0))
    return pinn_error_set(err, PINN_EINVAL, "free boundary level: gap_tol must be positive");
  for (size_t j = 0; j < n; ++j) {
    double v = 1 - (double)sense * (u[j] - psi[j]) / gap_tol;
    if (lambda) v = fmin(v, lambda_tol > 0 ? lambda[j] / lambda_tol - 1 : lambda[j]);
    level[j] = (isnan(u[j]) || isnan(psi[j]) || (lambda && isnan(lambda[j]))) ? NAN : v;
  }
  pinn_error_clear(err);
  return 0;
}
