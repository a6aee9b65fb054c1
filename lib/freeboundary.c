/* libpinn — the free-boundary error: Hausdorff distance between the
 * boundary of a computed contact set (sign changes of a level field on a
 * grid, located by linear interpolation along the edges) and sampled points
 * of the exact free boundary.  See include/pinn/freeboundary.h.
 *
 * In 2D the miss (exact points to the computed boundary) is measured to the
 * segments joining the crossings within each grid cell (marching squares),
 * not to the crossings themselves, whose spacing along the boundary (up to
 * h sqrt 2) would otherwise dominate it; in 1D the crossings are the
 * boundary; in 3 or more dimensions the crossings stand for it.
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

/* squared distance from p to the segment [a, b] in the plane */
static double seg_dist2(const double *p, const double *a, const double *b)
{
  const double ux = b[0] - a[0], uy = b[1] - a[1], len2 = ux * ux + uy * uy;
  double t = len2 > 0 ? ((p[0] - a[0]) * ux + (p[1] - a[1]) * uy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const double dx = p[0] - a[0] - t * ux, dy = p[1] - a[1] - t * uy;
  return dx * dx + dy * dy;
}

/* 2D: the computed boundary as segments, one per grid cell with two sign
 * changes on its edges (two for a saddle cell, joined in the order around
 * the cell), as in marching squares.  seg gets 4 doubles per segment; at most
 * 2 (counts[0] - 1)(counts[1] - 1) segments.  Returns their number. */
static size_t cell_segments(const size_t *counts, const double *lo, const double *hi,
                            const double *level, double *seg)
{
  const size_t m0 = counts[0], m1 = counts[1];
  size_t ns = 0;
  for (size_t j = 0; j + 1 < m1; ++j)
    for (size_t i = 0; i + 1 < m0; ++i) {
      /* corners counter-clockwise: (i,j) (i+1,j) (i+1,j+1) (i,j+1) */
      const size_t ci[4] = {i, i + 1, i + 1, i}, cj[4] = {j, j, j + 1, j + 1};
      double cr[8];
      int nc = 0;
      for (int e = 0; e < 4; ++e) {
        const int f = (e + 1) % 4;
        const double l0 = level[ci[e] + m0 * cj[e]], l1 = level[ci[f] + m0 * cj[f]];
        if (isnan(l0) || isnan(l1) || (l0 > 0) == (l1 > 0)) continue;
        const double t = l0 / (l0 - l1);
        const double x0 = coord(0, ci[e], counts, lo, hi), y0 = coord(1, cj[e], counts, lo, hi);
        const double x1 = coord(0, ci[f], counts, lo, hi), y1 = coord(1, cj[f], counts, lo, hi);
        cr[2 * nc] = x0 + t * (x1 - x0);
        cr[2 * nc + 1] = y0 + t * (y1 - y0);
        ++nc;
      }
      for (int k = 0; k + 1 < nc; k += 2) {
        for (int q = 0; q < 4; ++q) seg[4 * ns + q] = cr[2 * k + q];
        ++ns;
      }
    }
  return ns;
}

/* max over the points e of E of the distance to the nearest segment
 * (+Inf without segments, 0 without points) */
static double directed_to_segments(const double *E, size_t m, const double *seg, size_t ns)
{
  if (m == 0) return 0;
  if (ns == 0) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < m; ++i) {
    double best = INFINITY;
    for (size_t k = 0; k < ns && best > worst; ++k)
      best = fmin(best, seg_dist2(E + 2 * i, seg + 4 * k, seg + 4 * k + 2));
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
  /* 2D: the miss to the segments through the crossings (at most one per
   * crossing: each crossing ends at most two segments, each segment has two) */
  double *seg = NULL;
  if (!st && dim == 2 && !(seg = malloc((nc ? nc : 1) * 4 * sizeof *seg)))
    st = pinn_error_set(err, PINN_ENOMEM, "free boundary: out of memory (%zu segments)", nc);
  if (!st) {
    out->excess = directed(c, nc, exact, m, dim);
    out->miss = dim == 2 ? directed_to_segments(exact, m, seg, cell_segments(counts, lo, hi, level, seg))
                         : directed(exact, m, c, nc, dim);
    out->hausdorff = fmax(out->excess, out->miss);
    out->n_computed = nc;
  }
  free(c);
  free(seg);
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
