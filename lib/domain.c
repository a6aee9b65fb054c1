/* libpinn — boxes, balls and geometry regions, and their training-point maps (see
 * include/pinn/domain.h: the maps, Muller's directions for d >= 4, the faces'
 * apportionment, the boundary parts; geometry regions dispatch to
 * pinn/geometry.h). */
#include <pinn/domain.h>
#include <pinn/geometry.h>
#include <pinn/mlp.h> /* PINN_MAX_INPUTS: an identical definition, checked by the compiler */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>

_Static_assert(PINN_DOMAIN_MAX_DIM + 1 == PINN_MAX_INPUTS,
               "a domain keeps one network input for time");

/* ---------------------------------------------------------------------------
 * Validation and description */

static const char *region_macro(pinn_region r)
{
  switch (r) {
  case PINN_REGION_INTERIOR: return "PINN_REGION_INTERIOR";
  case PINN_REGION_BOUNDARY: return "PINN_REGION_BOUNDARY";
  case PINN_REGION_INITIAL: return "PINN_REGION_INITIAL";
  }
  return "an unknown region";
}

/* "a 2-d box with time" into buf. */
static const char *describe(const pinn_domain *dom, char *buf, size_t size)
{
  snprintf(buf, size, "this %zu-d %s%s", dom->d,
           dom->kind == PINN_DOMAIN_BALL   ? "ball"
           : dom->kind == PINN_DOMAIN_GEOM ? "geometry"
                                           : "box",
           dom->has_time ? " with time" : "");
  return buf;
}

int pinn_domain_check(const pinn_domain *dom, pinn_error *err)
{
  if (!dom)
    return pinn_error_set(err, PINN_EINVAL,
                          "domain is NULL; pass a domain set by pinn_domain_box/_ball/_interval");
  if (dom->kind != PINN_DOMAIN_BOX && dom->kind != PINN_DOMAIN_BALL &&
      dom->kind != PINN_DOMAIN_GEOM)
    return pinn_error_set(err, PINN_EINVAL,
                          "domain kind %d is not PINN_DOMAIN_BOX, _BALL or _GEOM; set the domain "
                          "with pinn_domain_box, _ball, _interval or _geometry",
                          (int)dom->kind);
  if (dom->kind == PINN_DOMAIN_GEOM) {
    if (!dom->geom)
      return pinn_error_set(err, PINN_EINVAL,
                            "geometry domain has no geometry (geom is NULL); set it with "
                            "pinn_domain_geometry");
    if (!pinn_geom_ready(dom->geom))
      return pinn_error_set(err, PINN_EINVAL,
                            "the domain's geometry has no region: call pinn_geom_set_root after "
                            "the last building call");
    if (dom->d != pinn_geom_dim(dom->geom))
      return pinn_error_set(err, PINN_EINVAL,
                            "geometry domain has d = %zu but its geometry is %zu-d; set it with "
                            "pinn_domain_geometry",
                            dom->d, pinn_geom_dim(dom->geom));
  }
  if (dom->d < 1 || dom->d > PINN_DOMAIN_MAX_DIM)
    return pinn_error_set(err, PINN_EINVAL,
                          "domain dimension d = %zu is out of range; use 1 <= d <= %d "
                          "(PINN_MAX_INPUTS - 1, one input is kept for time)",
                          dom->d, PINN_DOMAIN_MAX_DIM);
  if (dom->kind == PINN_DOMAIN_GEOM) {
    /* validated by pinn_geom_set_root */
  } else if (dom->kind == PINN_DOMAIN_BOX) {
    for (size_t k = 0; k < dom->d; ++k) {
      if (!isfinite(dom->lo[k]) || !isfinite(dom->hi[k]))
        return pinn_error_set(err, PINN_EINVAL,
                              "box bound on axis %zu is not finite (lo = %g, hi = %g); give "
                              "finite bounds",
                              k, dom->lo[k], dom->hi[k]);
      if (!(dom->lo[k] < dom->hi[k]))
        return pinn_error_set(err, PINN_EINVAL,
                              "box axis %zu has lo = %g >= hi = %g; give lo < hi on every axis",
                              k, dom->lo[k], dom->hi[k]);
      if (!isfinite(dom->hi[k] - dom->lo[k]))
        return pinn_error_set(err, PINN_EINVAL,
                              "box axis %zu is too long (hi - lo overflows); rescale the problem",
                              k);
    }
  } else {
    for (size_t k = 0; k < dom->d; ++k)
      if (!isfinite(dom->center[k]))
        return pinn_error_set(err, PINN_EINVAL,
                              "ball centre coordinate %zu is not finite (%g); give a finite centre",
                              k, dom->center[k]);
    if (!(dom->radius > 0.0) || !isfinite(dom->radius))
      return pinn_error_set(err, PINN_EINVAL,
                            "ball radius r = %g must be positive and finite; give r > 0",
                            dom->radius);
  }
  if (dom->has_time) {
    if (!isfinite(dom->t0) || !isfinite(dom->t1) || !isfinite(dom->t1 - dom->t0))
      return pinn_error_set(err, PINN_EINVAL,
                            "time interval [%g, %g] is not finite; give finite t0 < t1",
                            dom->t0, dom->t1);
    if (!(dom->t0 < dom->t1))
      return pinn_error_set(err, PINN_EINVAL,
                            "time interval has t0 = %g >= t1 = %g; give t0 < t1", dom->t0,
                            dom->t1);
  }
  return PINN_SUCCESS;
}

/* A zeroed domain of this kind and dimension (the constructors fill the rest). */
static pinn_domain blank(pinn_domain_kind kind, size_t d)
{
  const pinn_domain t = {.kind = kind, .d = d};
  return t;
}

/* Store t in *dom if it is valid (the constructors' one exit): *dom is
 * untouched on failure. */
static int store_checked(pinn_domain *dom, const pinn_domain *t, pinn_error *err)
{
  int rc = pinn_domain_check(t, err);
  if (rc == PINN_SUCCESS) *dom = *t;
  return rc;
}

int pinn_domain_interval(pinn_domain *dom, double a, double b, pinn_error *err)
{
  return pinn_domain_box(dom, 1, &a, &b, err);
}

int pinn_domain_box(pinn_domain *dom, size_t d, const double *lo, const double *hi,
                    pinn_error *err)
{
  if (!dom || ((!lo || !hi) && d > 0))
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_domain_box needs a domain to fill and lo, hi arrays of d doubles");
  pinn_domain t = blank(PINN_DOMAIN_BOX, d);
  if (d >= 1 && d <= PINN_DOMAIN_MAX_DIM)
    for (size_t k = 0; k < d; ++k) {
      t.lo[k] = lo[k];
      t.hi[k] = hi[k];
    }
  return store_checked(dom, &t, err);
}

int pinn_domain_ball(pinn_domain *dom, size_t d, const double *center, double r,
                     pinn_error *err)
{
  if (!dom || (!center && d > 0))
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_domain_ball needs a domain to fill and a centre of d doubles");
  pinn_domain t = blank(PINN_DOMAIN_BALL, d);
  t.radius = r;
  if (d >= 1 && d <= PINN_DOMAIN_MAX_DIM)
    for (size_t k = 0; k < d; ++k) t.center[k] = center[k];
  return store_checked(dom, &t, err);
}

int pinn_domain_geometry(pinn_domain *dom, const pinn_geom *g, pinn_error *err)
{
  if (!dom || !g)
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_domain_geometry needs a domain to fill and a geometry");
  pinn_domain t = blank(PINN_DOMAIN_GEOM, pinn_geom_dim(g));
  t.geom = g;
  return store_checked(dom, &t, err);
}

int pinn_domain_with_time(pinn_domain *dom, double t0, double t1, pinn_error *err)
{
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  pinn_domain t = *dom;
  t.has_time = 1;
  t.t0 = t0;
  t.t1 = t1;
  return store_checked(dom, &t, err);
}

/* A ball in one dimension is the interval [c - r, c + r]: every function
 * works on this "effective" domain. */
static pinn_domain effective(const pinn_domain *dom)
{
  pinn_domain e = *dom;
  if (e.kind == PINN_DOMAIN_BALL && e.d == 1) {
    e.kind = PINN_DOMAIN_BOX;
    e.lo[0] = dom->center[0] - dom->radius;
    e.hi[0] = dom->center[0] + dom->radius;
  }
  return e;
}

size_t pinn_domain_dim(const pinn_domain *dom) { return dom->d + (dom->has_time ? 1 : 0); }

size_t pinn_domain_num_faces(const pinn_domain *dom)
{
  pinn_domain e = effective(dom);
  if (e.kind == PINN_DOMAIN_GEOM) return pinn_geom_num_parts(e.geom);
  return e.kind == PINN_DOMAIN_BOX ? 2 * e.d : 1;
}

/* "x0-" ... "x7+": the box faces' part names. */
static const char *const box_part[2 * PINN_DOMAIN_MAX_DIM] = {
    "x0-", "x0+", "x1-", "x1+", "x2-", "x2+", "x3-", "x3+",
    "x4-", "x4+", "x5-", "x5+", "x6-", "x6+", "x7-", "x7+"};
_Static_assert(PINN_DOMAIN_MAX_DIM == 8, "one part name per box face");

const char *pinn_domain_part_name(const pinn_domain *dom, size_t i)
{
  if (pinn_domain_check(dom, NULL) || i >= pinn_domain_num_faces(dom)) return NULL;
  pinn_domain e = effective(dom);
  if (e.kind == PINN_DOMAIN_GEOM) return pinn_geom_part_name(e.geom, i);
  return e.kind == PINN_DOMAIN_BOX ? box_part[i] : "ball";
}

void pinn_domain_bounds(const pinn_domain *dom, double *lo, double *hi)
{
  pinn_domain e = effective(dom);
  if (e.kind == PINN_DOMAIN_GEOM) pinn_geom_bounds(e.geom, lo, hi);
  for (size_t k = 0; k < e.d && e.kind != PINN_DOMAIN_GEOM; ++k) {
    lo[k] = e.kind == PINN_DOMAIN_BOX ? e.lo[k] : e.center[k] - e.radius;
    hi[k] = e.kind == PINN_DOMAIN_BOX ? e.hi[k] : e.center[k] + e.radius;
  }
  if (e.has_time) {
    lo[e.d] = e.t0;
    hi[e.d] = e.t1;
  }
}

int pinn_domain_contains(const pinn_domain *dom, const double *x)
{
  pinn_domain e = effective(dom);
  if (e.has_time && !(x[e.d] >= e.t0 && x[e.d] <= e.t1)) return 0;
  if (e.kind == PINN_DOMAIN_GEOM) return pinn_geom_contains(e.geom, x);
  if (e.kind == PINN_DOMAIN_BOX) {
    for (size_t k = 0; k < e.d; ++k)
      if (!(x[k] >= e.lo[k] && x[k] <= e.hi[k])) return 0;
    return 1;
  }
  double r2 = 0.0;
  for (size_t k = 0; k < e.d; ++k) r2 += (x[k] - e.center[k]) * (x[k] - e.center[k]);
  return r2 <= e.radius * e.radius;
}

double pinn_domain_signed_distance(const pinn_domain *dom, const double *x)
{
  pinn_domain e = effective(dom);
  if (e.kind == PINN_DOMAIN_GEOM) return pinn_geom_signed_distance(e.geom, x, NULL);
  if (e.kind == PINN_DOMAIN_BALL) {
    double r2 = 0.0;
    for (size_t k = 0; k < e.d; ++k) r2 += (x[k] - e.center[k]) * (x[k] - e.center[k]);
    return sqrt(r2) - e.radius;
  }
  /* q_k = max(lo - x, x - hi): > 0 outside along axis k, <= 0 inside. */
  double out2 = 0.0, in = -HUGE_VAL;
  for (size_t k = 0; k < e.d; ++k) {
    double q = fmax(e.lo[k] - x[k], x[k] - e.hi[k]);
    if (q > 0.0) out2 += q * q;
    if (q > in) in = q;
  }
  return out2 > 0.0 ? sqrt(out2) : in;
}

/* Space volume and boundary measure. */
static double space_volume(const pinn_domain *e)
{
  if (e->kind == PINN_DOMAIN_GEOM) return pinn_geom_volume(e->geom);
  if (e->kind == PINN_DOMAIN_BOX) {
    double v = 1.0;
    for (size_t k = 0; k < e->d; ++k) v *= e->hi[k] - e->lo[k];
    return v;
  }
  const double dd = (double)e->d;
  return pow(M_PI, 0.5 * dd) / tgamma(0.5 * dd + 1.0) * pow(e->radius, dd);
}

/* Area of face f of a box: the product of the other axes' lengths. */
static double face_area(const pinn_domain *e, size_t f)
{
  double a = 1.0;
  for (size_t j = 0; j < e->d; ++j)
    if (j != f / 2) a *= e->hi[j] - e->lo[j];
  return a;
}

static double space_area(const pinn_domain *e)
{
  if (e->kind == PINN_DOMAIN_GEOM) {
    double a = 0.0;
    for (size_t i = 0, np = pinn_geom_num_parts(e->geom); i < np; ++i) {
      double on = 0.0;
      pinn_geom_part_measure(e->geom, pinn_geom_part_name(e->geom, i), NULL, &on, NULL);
      a += on;
    }
    return a;
  }
  if (e->kind == PINN_DOMAIN_BALL) return (double)e->d * space_volume(e) / e->radius;
  double a = 0.0;
  for (size_t f = 0; f < 2 * e->d; ++f) a += face_area(e, f);
  return a;
}

double pinn_domain_measure(const pinn_domain *dom, pinn_region region)
{
  if (pinn_domain_check(dom, NULL)) return 0.0;
  pinn_domain e = effective(dom);
  const double T = e.has_time ? e.t1 - e.t0 : 1.0;
  switch (region) {
  case PINN_REGION_INTERIOR: return space_volume(&e) * T;
  case PINN_REGION_BOUNDARY: return space_area(&e) * T;
  case PINN_REGION_INITIAL: return e.has_time ? space_volume(&e) : 0.0;
  }
  return 0.0;
}

/* Sampler coordinates of a direction on the sphere (ball, d >= 2). */
static size_t ball_dir_dim(size_t d) { return d == 2 ? 1 : d == 3 ? 2 : d; }

/* Sampler coordinates of a space interior point (no time). */
static size_t space_interior_dim(const pinn_domain *e)
{
  return e->kind == PINN_DOMAIN_BALL ? ball_dir_dim(e->d) + 1 : e->d;
}

static size_t space_boundary_dim(const pinn_domain *e)
{
  return e->kind == PINN_DOMAIN_BOX ? e->d - 1 : e->kind == PINN_DOMAIN_GEOM ? e->d : ball_dir_dim(e->d);
}

size_t pinn_domain_sampler_dim(const pinn_domain *dom, pinn_region region)
{
  if (pinn_domain_check(dom, NULL)) return 0;
  pinn_domain e = effective(dom);
  const size_t t = e.has_time ? 1 : 0;
  switch (region) {
  case PINN_REGION_INTERIOR: return space_interior_dim(&e) + t;
  case PINN_REGION_BOUNDARY: return space_boundary_dim(&e) + t;
  case PINN_REGION_INITIAL: return e.has_time ? space_interior_dim(&e) : 0;
  }
  return 0;
}

/* ---------------------------------------------------------------------------
 * Shared pieces of the sampling calls */

/* Check that s fits a region needing `need` coordinates. */
static int check_sampler(const pinn_domain *dom, pinn_region region, const char *what,
                         const pinn_sampler *s, size_t need, pinn_error *err)
{
  char buf[64];
  if (need == 0) return PINN_SUCCESS;
  if (!s)
    return pinn_error_set(err, PINN_EINVAL,
                          "the %s of %s needs a sampler of dim %zu but got NULL; allocate one "
                          "with dim pinn_domain_sampler_dim(dom, %s) = %zu",
                          what, describe(dom, buf, sizeof buf), need, region_macro(region), need);
  if (pinn_sampler_dim(s) != need)
    return pinn_error_set(err, PINN_EINVAL,
                          "sampler has dim %zu but the %s of %s needs %zu coordinates per "
                          "point; allocate the sampler with dim pinn_domain_sampler_dim(dom, "
                          "%s) = %zu",
                          pinn_sampler_dim(s), what, describe(dom, buf, sizeof buf), need,
                          region_macro(region), need);
  return PINN_SUCCESS;
}

static int is_grid(const pinn_sampler *s)
{
  return s && pinn_sampler_get_kind(s) == PINN_SAMPLER_GRID;
}

static int null_array(const char *name, size_t n, size_t cols, pinn_error *err)
{
  return pinn_error_set(err, PINN_EINVAL, "%s is NULL; pass room for %zu x %zu doubles", name, n,
                        cols);
}

static int oom(pinn_error *err, size_t n)
{
  return pinn_error_set(err, PINN_ENOMEM,
                        "out of memory for the unit-cube samples of %zu points; ask for fewer "
                        "points per call",
                        n);
}

/* Rows of n x sd scratch doubles (caller frees); NULL with err filled. */
static double *scratch(size_t n, size_t sd, int *rc, pinn_error *err)
{
  double *u = n <= SIZE_MAX / sizeof(double) / (sd ? sd : 1) ? malloc((n ? n : 1) * sd * sizeof *u)
                                                              : NULL;
  if (!u) *rc = oom(err, n);
  return u;
}

/* Fill n x dim(s) unit-cube samples into fresh scratch (caller frees);
 * *cnt = points written.  NULL on failure with err filled. */
static double *fill_scratch(pinn_sampler *s, size_t n, size_t *cnt, int *rc, pinn_error *err)
{
  double *u = scratch(n, pinn_sampler_dim(s), rc, err);
  if (!u) return NULL;
  *rc = pinn_sampler_fill(s, n, u);
  if (*rc) {
    pinn_error_set(err, *rc, "%s", pinn_sampler_errmsg(s));
    free(u);
    return NULL;
  }
  *cnt = pinn_sampler_count(s, n);
  return u;
}

/* Unit direction from ball_dir_dim(d) sampler coordinates. */
static void ball_direction(size_t d, const double *u, double *dir)
{
  if (d == 2) {
    const double th = 2.0 * M_PI * u[0];
    dir[0] = cos(th);
    dir[1] = sin(th);
    return;
  }
  if (d == 3) {
    const double z = 1.0 - 2.0 * u[0], ph = 2.0 * M_PI * u[1];
    const double rho = sqrt(fmax(0.0, 1.0 - z * z));
    dir[0] = rho * cos(ph);
    dir[1] = rho * sin(ph);
    dir[2] = z;
    return;
  }
  double n2 = 0.0;
  for (size_t k = 0; k < d; ++k) {
    /* u in [0,1); keep Phi^-1 finite at u = 0. */
    const double v = u[k] > 1e-300 ? u[k] : 1e-300;
    dir[k] = gsl_cdf_ugaussian_Pinv(v);
    n2 += dir[k] * dir[k];
  }
  if (!(n2 > 0.0)) {
    /* All coordinates exactly 1/2 (e.g. the first Sobol point): a fixed
     * direction, documented as e_0. */
    for (size_t k = 0; k < d; ++k) dir[k] = k == 0 ? 1.0 : 0.0;
    return;
  }
  const double inv = 1.0 / sqrt(n2);
  for (size_t k = 0; k < d; ++k) dir[k] *= inv;
}

/* Radius r v^(1/d): uniform in volume. */
static double ball_radius(size_t d, double r, double v)
{
  return r * (d == 2 ? sqrt(v) : d == 3 ? cbrt(v) : pow(v, 1.0 / (double)d));
}

/* ---------------------------------------------------------------------------
 * Regular grids in physical units (GRID sampler on boxes) */

/* Axes of a grid: cell-centred (m >= 1) or with both ends (m >= 2); in
 * boundary mode the count is (prod_ends m - prod_ends (m - sel)) x
 * prod_centred m, the nodes of the ends-grid on the selected faces. */
typedef struct {
  size_t naxes;
  double len[PINN_MAX_INPUTS];
  int ends[PINN_MAX_INPUTS];
  unsigned sel[PINN_MAX_INPUTS];
  int boundary;
} grid_spec;

static size_t sat_mul(size_t a, size_t b)
{
  if (a != 0 && b > SIZE_MAX / a) return SIZE_MAX;
  return a * b;
}

static void grid_axes(const grid_spec *g, double s, size_t *m)
{
  for (size_t k = 0; k < g->naxes; ++k) {
    double r = nearbyint(s * g->len[k]);
    if (r > 1e15) r = 1e15;
    size_t ri = (size_t)r;
    m[k] = g->ends[k] ? (ri + 1 > 2 ? ri + 1 : 2) : (ri > 1 ? ri : 1);
  }
}

static size_t grid_total(const grid_spec *g, const size_t *m)
{
  size_t centred = 1, all = 1, inner = 1;
  for (size_t k = 0; k < g->naxes; ++k) {
    if (g->boundary && g->ends[k]) {
      all = sat_mul(all, m[k]);
      inner = sat_mul(inner, m[k] - g->sel[k]);
    } else {
      centred = sat_mul(centred, m[k]);
    }
  }
  if (!g->boundary) return centred;
  if (all == SIZE_MAX) return SIZE_MAX;
  return sat_mul(all - inner, centred);
}

/* The finest grid of the family with at most n points: m gets the counts per
 * axis; returns the total (0 if even the coarsest grid exceeds n). */
static size_t grid_resolve(const grid_spec *g, size_t n, size_t *m)
{
  grid_spec h = *g;
  double lmax = 0.0, lmin = HUGE_VAL;
  for (size_t k = 0; k < h.naxes; ++k) {
    lmax = fmax(lmax, h.len[k]);
    lmin = fmin(lmin, h.len[k]);
  }
  for (size_t k = 0; k < h.naxes; ++k) h.len[k] /= lmax; /* units: longest axis = 1 */
  grid_axes(&h, 0.0, m);
  if (grid_total(&h, m) > n) return 0;
  /* At s = hi every axis has more than n + 1 points: the total exceeds n. */
  double lo = 0.0, hi = ((double)n + 2.0) * lmax / lmin;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    grid_axes(&h, mid, m);
    if (grid_total(&h, m) <= n)
      lo = mid;
    else
      hi = mid;
  }
  grid_axes(&h, lo, m);
  return grid_total(&h, m);
}

/* Coordinate of cell centre i of m on [a, b]. */
static double centre(double a, double b, size_t i, size_t m)
{
  return a + (b - a) * (((double)i + 0.5) / (double)m);
}

/* Node i of m on [a, b], ends exact. */
static double node(double a, double b, size_t i, size_t m)
{
  if (m == 1) return 0.5 * (a + b);
  if (i + 1 == m) return b;
  return a + (b - a) * ((double)i / (double)(m - 1));
}

/* Write the cell-centred grid over axes `axes` (space axes < d; d means
 * time) with m points each, axis order as listed (first fastest), into
 * columns `axes` of rows of stride ld. */
static void write_centred(const pinn_domain *e, size_t naxes, const size_t *axes,
                          const size_t *m, size_t total, double *x, size_t ld)
{
  for (size_t p = 0; p < total; ++p) {
    size_t q = p;
    for (size_t a = 0; a < naxes; ++a) {
      const size_t k = axes[a], i = q % m[a];
      q /= m[a];
      x[p * ld + k] = k < e->d ? centre(e->lo[k], e->hi[k], i, m[a]) : centre(e->t0, e->t1, i, m[a]);
    }
  }
}

/* Cell-centred grid over the given axes with at most n points. */
static int centred_grid(const pinn_domain *e, size_t naxes, const size_t *axes, size_t n,
                        double *x, size_t ld, size_t *cnt)
{
  grid_spec g;
  memset(&g, 0, sizeof g);
  g.naxes = naxes;
  for (size_t a = 0; a < naxes; ++a)
    g.len[a] = axes[a] < e->d ? e->hi[axes[a]] - e->lo[axes[a]] : e->t1 - e->t0;
  size_t m[PINN_MAX_INPUTS];
  const size_t total = naxes ? grid_resolve(&g, n, m) : 1;
  write_centred(e, naxes, axes, m, total, x, ld);
  *cnt = total;
  return PINN_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * Interior and initial slice */

/* Interior of a geometry's region (x time when use_time: the sampler's
 * pass-through coordinate) into rows of stride ld. */
static int sample_geom_space(const pinn_domain *e, int use_time, pinn_sampler *s, size_t n,
                             double *x, size_t ld, size_t *cnt, pinn_error *err)
{
  const size_t d = e->d, sd = pinn_sampler_dim(s);
  int rc;
  double *u = scratch(n, sd, &rc, err);
  if (!u) return rc;
  rc = pinn_geom_sample_interior(e->geom, s, n, u, cnt, err);
  for (size_t i = 0; !rc && i < *cnt; ++i) {
    memcpy(x + i * ld, u + i * sd, d * sizeof *x);
    if (use_time) x[i * ld + d] = e->t0 + (e->t1 - e->t0) * u[i * sd + d];
  }
  free(u);
  return rc;
}

/* Interior of the space domain (x time when use_time) into rows of stride
 * ld; *cnt = rows written. */
static int sample_space(const pinn_domain *e, int use_time, pinn_sampler *s, size_t n,
                        double *x, size_t ld, size_t *cnt, pinn_error *err)
{
  const size_t d = e->d;
  if (e->kind == PINN_DOMAIN_GEOM) return sample_geom_space(e, use_time, s, n, x, ld, cnt, err);
  if (e->kind == PINN_DOMAIN_BOX && is_grid(s)) {
    size_t axes[PINN_MAX_INPUTS];
    for (size_t k = 0; k < d; ++k) axes[k] = k;
    if (use_time) axes[d] = d;
    return centred_grid(e, d + (use_time ? 1 : 0), axes, n, x, ld, cnt);
  }
  int rc;
  double *u = fill_scratch(s, n, cnt, &rc, err);
  if (!u) return rc;
  const size_t sd = pinn_sampler_dim(s);
  for (size_t i = 0; i < *cnt; ++i) {
    const double *ui = u + i * sd;
    double *xi = x + i * ld;
    if (e->kind == PINN_DOMAIN_BOX) {
      for (size_t k = 0; k < d; ++k) xi[k] = e->lo[k] + (e->hi[k] - e->lo[k]) * ui[k];
    } else {
      double dir[PINN_DOMAIN_MAX_DIM];
      ball_direction(d, ui, dir);
      const double rho = ball_radius(d, e->radius, ui[ball_dir_dim(d)]);
      for (size_t k = 0; k < d; ++k) xi[k] = e->center[k] + rho * dir[k];
    }
    if (use_time) xi[d] = e->t0 + (e->t1 - e->t0) * ui[sd - 1];
  }
  free(u);
  return PINN_SUCCESS;
}

/* The interior, or (initial) the initial slice t = t0. */
static int sample_volume(const pinn_domain *dom, int initial, pinn_sampler *s, size_t n,
                         double *x, size_t *count, pinn_error *err)
{
  const pinn_region region = initial ? PINN_REGION_INITIAL : PINN_REGION_INTERIOR;
  size_t cnt = 0;
  char buf[64];
  if (count) *count = 0;
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  const pinn_domain e = effective(dom);
  if (initial && !e.has_time)
    return pinn_error_set(err, PINN_EINVAL,
                          "%s has no initial slice; add a time interval with "
                          "pinn_domain_with_time first",
                          describe(dom, buf, sizeof buf));
  const size_t dim = pinn_domain_dim(&e);
  rc = check_sampler(dom, region, initial ? "initial slice" : "interior", s,
                     pinn_domain_sampler_dim(&e, region), err);
  if (rc) return rc;
  if (n == 0) return PINN_SUCCESS;
  if (!x)
    return null_array(initial ? "initial point array x" : "interior point array x", n, dim, err);
  rc = sample_space(&e, initial ? 0 : e.has_time, s, n, x, dim, &cnt, err);
  if (rc) return rc;
  for (size_t i = 0; initial && i < cnt; ++i) x[i * dim + e.d] = e.t0;
  if (count) *count = cnt;
  return PINN_SUCCESS;
}

int pinn_domain_sample_interior(const pinn_domain *dom, pinn_sampler *s, size_t n, double *x,
                                size_t *count, pinn_error *err)
{
  return sample_volume(dom, 0, s, n, x, count, err);
}

int pinn_domain_sample_initial(const pinn_domain *dom, pinn_sampler *s, size_t n, double *x,
                               size_t *count, pinn_error *err)
{
  return sample_volume(dom, 1, s, n, x, count, err);
}

/* ---------------------------------------------------------------------------
 * Boundary */

/* Selected faces of the effective domain as a mask of its own faces (a
 * geometry: its first 16 parts; PINN_FACES_ALL stays all of any number). */
static unsigned face_mask(const pinn_domain *e, unsigned faces)
{
  if (e->kind == PINN_DOMAIN_GEOM && faces == PINN_FACES_ALL) return PINN_FACES_ALL;
  size_t nf = pinn_domain_num_faces(e);
  if (nf > 16) nf = 16;
  return faces & (unsigned)((1u << nf) - 1u);
}

/* The names of a geometry's selected parts (those with boundary measure:
 * PINN_FACES_ALL skips parts clipped away entirely) into a fresh array
 * (caller frees) and *np; NULL with err filled. */
static const char **geom_parts(const pinn_domain *e, unsigned mask, size_t *np, pinn_error *err)
{
  const size_t nf = pinn_domain_num_faces(e);
  const char **names = malloc((nf ? nf : 1) * sizeof *names);
  if (!names) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory for %zu part names", nf);
    return NULL;
  }
  *np = 0;
  for (size_t i = 0; i < nf; ++i) {
    const char *name = pinn_geom_part_name(e->geom, i);
    double on = 0.0;
    pinn_geom_part_measure(e->geom, name, NULL, &on, NULL);
    if ((mask == PINN_FACES_ALL ? on > 0.0 : i < 16 && ((mask >> i) & 1u))) names[(*np)++] = name;
  }
  return names;
}

/* Boundary points of a geometry on parts (x time, the pass-through
 * coordinate): rows of dim doubles. */
static int boundary_geom(const pinn_domain *e, size_t np, const char *const *names,
                         pinn_sampler *s, size_t n, double *x, double *normals, size_t *cnt,
                         pinn_error *err)
{
  const size_t d = e->d, dim = pinn_domain_dim(e);
  int rc = pinn_geom_sample_boundary(e->geom, np, names, s, n, x, normals, NULL, cnt, err);
  for (size_t i = 0; !rc && e->has_time && i < *cnt; ++i)
    x[i * dim + d] = e->t0 + (e->t1 - e->t0) * x[i * dim + d];
  return rc;
}

static int no_face(const pinn_domain *dom, unsigned faces, pinn_error *err)
{
  char buf[64];
  return pinn_error_set(err, PINN_EINVAL,
                        "face mask 0x%x selects no face of %s (faces 0..%zu); use "
                        "PINN_FACE_LO(k) / PINN_FACE_HI(k) with k < d, or PINN_FACES_ALL",
                        faces, describe(dom, buf, sizeof buf), pinn_domain_num_faces(dom) - 1);
}

/* Largest-remainder shares of n among the selected faces of a box. */
static void apportion(const pinn_domain *e, unsigned mask, size_t n, size_t *counts)
{
  const size_t nf = 2 * e->d;
  double w[2 * PINN_DOMAIN_MAX_DIM], frac[2 * PINN_DOMAIN_MAX_DIM], W = 0.0;
  size_t given = 0;
  for (size_t f = 0; f < nf; ++f) {
    w[f] = (mask >> f) & 1u ? face_area(e, f) : 0.0;
    W += w[f];
  }
  for (size_t f = 0; f < nf; ++f) {
    const double q = (double)n * w[f] / W;
    counts[f] = (size_t)floor(q);
    frac[f] = (mask >> f) & 1u ? q - floor(q) : -1.0;
    given += counts[f];
  }
  /* Hand out the rest one by one: largest remainder first, ties to the lower
   * face (the sum of remainders bounds the rest, so one pass suffices). */
  while (given < n) {
    size_t best = nf;
    for (size_t f = 0; f < nf; ++f)
      if (frac[f] >= 0.0 && (best == nf || frac[f] > frac[best])) best = f;
    if (best == nf) break;
    counts[best] += 1;
    frac[best] = -1.0;
    given += 1;
  }
  /* Guard against rounding: never give away more or fewer than n. */
  for (size_t f = 0; given < n; f = (f + 1) % nf)
    if ((mask >> f) & 1u) {
      counts[f] += 1;
      given += 1;
    }
}

int pinn_domain_face_counts(const pinn_domain *dom, unsigned faces, size_t n, size_t *counts,
                            pinn_error *err)
{
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  const pinn_domain e = effective(dom);
  const unsigned mask = face_mask(&e, faces);
  if (!mask) return no_face(dom, faces, err);
  if (!counts)
    return pinn_error_set(err, PINN_EINVAL, "counts is NULL; pass room for %zu sizes",
                          pinn_domain_num_faces(&e));
  if (e.kind == PINN_DOMAIN_GEOM) {
    size_t np = 0, *c = NULL;
    const char **names = geom_parts(&e, mask, &np, err);
    if (!names) return PINN_ENOMEM;
    c = malloc((np ? np : 1) * sizeof *c);
    rc = c ? pinn_geom_boundary_counts(e.geom, np, names, n, c, err)
           : pinn_error_set(err, PINN_ENOMEM, "out of memory for %zu part counts", np);
    for (size_t i = 0, j = 0, nf = pinn_domain_num_faces(&e); !rc && i < nf; ++i)
      counts[i] = j < np && names[j] == pinn_geom_part_name(e.geom, i) ? c[j++] : 0;
    free(c);
    free(names);
    return rc;
  }
  if (e.kind == PINN_DOMAIN_BALL)
    counts[0] = n;
  else
    apportion(&e, mask, n, counts);
  return PINN_SUCCESS;
}

/* GRID on a box boundary: the nodes of the ends-included grid on the
 * selected faces, each once, times cell-centred time levels. */
static int boundary_grid(const pinn_domain *dom, const pinn_domain *e, unsigned mask, size_t n,
                         double *x, double *normals, size_t *cnt, pinn_error *err)
{
  const size_t d = e->d, dim = pinn_domain_dim(e);
  grid_spec g;
  memset(&g, 0, sizeof g);
  g.boundary = 1;
  g.naxes = d + (e->has_time ? 1 : 0);
  for (size_t k = 0; k < d; ++k) {
    g.len[k] = e->hi[k] - e->lo[k];
    g.ends[k] = 1;
    g.sel[k] = ((mask >> (2 * k)) & 1u) + ((mask >> (2 * k + 1)) & 1u);
  }
  if (e->has_time) g.len[d] = e->t1 - e->t0;
  size_t m[PINN_MAX_INPUTS];
  const size_t total = grid_resolve(&g, n, m);
  if (total == 0) {
    char buf[64];
    grid_axes(&g, 0.0, m);
    return pinn_error_set(err, PINN_EINVAL,
                          "a GRID on the selected faces of %s needs at least %zu points (its "
                          "corner nodes) but %zu were asked; ask for more points or use another "
                          "sampler kind",
                          describe(dom, buf, sizeof buf), grid_total(&g, m), n);
  }
  const size_t mt = e->has_time ? m[d] : 1;
  size_t p = 0;
  for (size_t it = 0; it < mt; ++it) {
    for (size_t f = 0; f < 2 * d; ++f) {
      if (!((mask >> f) & 1u)) continue;
      const size_t k = f / 2;
      /* Index range per axis: axes before k skip their selected ends (those
       * nodes belong to an earlier face); axis k is fixed; later axes full. */
      size_t first[PINN_DOMAIN_MAX_DIM], len[PINN_DOMAIN_MAX_DIM], nodes = 1;
      for (size_t j = 0; j < d; ++j) {
        if (j == k) {
          first[j] = (f & 1u) ? m[j] - 1 : 0;
          len[j] = 1;
        } else if (j < k) {
          const size_t a = (mask >> (2 * j)) & 1u, b = (mask >> (2 * j + 1)) & 1u;
          first[j] = a;
          len[j] = m[j] - a - b;
        } else {
          first[j] = 0;
          len[j] = m[j];
        }
        nodes *= len[j];
      }
      for (size_t q = 0; q < nodes; ++q, ++p) {
        size_t r = q, nsel = 0;
        double *xp = x + p * dim;
        double nv[PINN_DOMAIN_MAX_DIM];
        for (size_t j = 0; j < d; ++j) {
          const size_t i = first[j] + r % len[j];
          r /= len[j];
          xp[j] = node(e->lo[j], e->hi[j], i, m[j]);
          nv[j] = 0.0;
          if (i == 0 && ((mask >> (2 * j)) & 1u)) nv[j] = -1.0;
          if (i + 1 == m[j] && ((mask >> (2 * j + 1)) & 1u)) nv[j] = 1.0;
          nsel += nv[j] != 0.0;
        }
        if (e->has_time) xp[d] = centre(e->t0, e->t1, it, mt);
        if (normals) {
          const double inv = 1.0 / sqrt((double)nsel);
          for (size_t j = 0; j < d; ++j) normals[p * d + j] = nv[j] * inv;
        }
      }
    }
  }
  *cnt = p;
  return p == total ? PINN_SUCCESS
                    : pinn_error_set(err, PINN_EFAILED, "internal: boundary grid wrote %zu of "
                                                        "%zu nodes; please report",
                                     p, total);
}

/* Random / quasi-random points on the selected faces of a box. */
static int boundary_faces(const pinn_domain *e, unsigned mask, pinn_sampler *s, size_t n,
                          double *x, double *normals, pinn_error *err)
{
  const size_t d = e->d, dim = pinn_domain_dim(e), sd = space_boundary_dim(e) + (e->has_time ? 1 : 0);
  size_t counts[2 * PINN_DOMAIN_MAX_DIM], nmax = 0;
  apportion(e, mask, n, counts);
  for (size_t f = 0; f < 2 * d; ++f)
    if (counts[f] > nmax) nmax = counts[f];
  double *u = NULL;
  if (sd > 0) {
    if (nmax > SIZE_MAX / sizeof(double) / sd) return oom(err, nmax);
    u = malloc(nmax * sd * sizeof *u);
    if (!u) return oom(err, nmax);
  }
  size_t p = 0;
  for (size_t f = 0; f < 2 * d; ++f) {
    if (counts[f] == 0) continue;
    const size_t k = f / 2;
    const double side = (f & 1u) ? e->hi[k] : e->lo[k], sign = (f & 1u) ? 1.0 : -1.0;
    if (sd > 0) {
      int rc = pinn_sampler_fill(s, counts[f], u);
      if (rc) {
        free(u);
        return pinn_error_set(err, rc, "%s", pinn_sampler_errmsg(s));
      }
    }
    for (size_t i = 0; i < counts[f]; ++i, ++p) {
      const double *ui = u ? u + i * sd : NULL;
      double *xp = x + p * dim;
      size_t c = 0;
      for (size_t j = 0; j < d; ++j)
        xp[j] = j == k ? side : e->lo[j] + (e->hi[j] - e->lo[j]) * ui[c++];
      if (e->has_time) xp[d] = e->t0 + (e->t1 - e->t0) * ui[sd - 1];
      if (normals)
        for (size_t j = 0; j < d; ++j) normals[p * d + j] = j == k ? sign : 0.0;
    }
  }
  free(u);
  return PINN_SUCCESS;
}

/* Points on a sphere (ball, d >= 2). */
static int boundary_sphere(const pinn_domain *e, pinn_sampler *s, size_t n, double *x,
                           double *normals, size_t *cnt, pinn_error *err)
{
  const size_t d = e->d, dim = pinn_domain_dim(e);
  int rc;
  double *u = fill_scratch(s, n, cnt, &rc, err);
  if (!u) return rc;
  const size_t sd = pinn_sampler_dim(s);
  for (size_t i = 0; i < *cnt; ++i) {
    const double *ui = u + i * sd;
    double dir[PINN_DOMAIN_MAX_DIM];
    ball_direction(d, ui, dir);
    for (size_t k = 0; k < d; ++k) x[i * dim + k] = e->center[k] + e->radius * dir[k];
    if (e->has_time) x[i * dim + d] = e->t0 + (e->t1 - e->t0) * ui[sd - 1];
    if (normals)
      for (size_t k = 0; k < d; ++k) normals[i * d + k] = dir[k];
  }
  free(u);
  return PINN_SUCCESS;
}

int pinn_domain_sample_faces(const pinn_domain *dom, unsigned faces, pinn_sampler *s, size_t n,
                             double *x, double *normals, size_t *count, pinn_error *err)
{
  size_t cnt = n;
  if (count) *count = 0;
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  const pinn_domain e = effective(dom);
  const unsigned mask = face_mask(&e, faces);
  if (!mask) return no_face(dom, faces, err);
  const size_t need = pinn_domain_sampler_dim(&e, PINN_REGION_BOUNDARY);
  rc = check_sampler(dom, PINN_REGION_BOUNDARY, "boundary", s, need, err);
  if (rc) return rc;
  if (n == 0) return PINN_SUCCESS;
  if (!x) return null_array("boundary point array x", n, pinn_domain_dim(&e), err);
  if (e.kind == PINN_DOMAIN_GEOM) {
    size_t np = 0;
    const char **names = geom_parts(&e, mask, &np, err);
    if (!names) return PINN_ENOMEM;
    rc = boundary_geom(&e, np, names, s, n, x, normals, &cnt, err);
    free(names);
  } else if (e.kind == PINN_DOMAIN_BALL)
    rc = boundary_sphere(&e, s, n, x, normals, &cnt, err);
  else if (need > 0 && is_grid(s))
    rc = boundary_grid(dom, &e, mask, n, x, normals, &cnt, err);
  else
    rc = boundary_faces(&e, mask, s, n, x, normals, err);
  if (rc == PINN_SUCCESS && count) *count = cnt;
  return rc;
}

/* Index of part `name` of the (box or ball) domain, or SIZE_MAX. */
static size_t part_index(const pinn_domain *e, const char *name)
{
  for (size_t i = 0, nf = pinn_domain_num_faces(e); name && i < nf; ++i)
    if (strcmp(pinn_domain_part_name(e, i), name) == 0) return i;
  return SIZE_MAX;
}

int pinn_domain_check_parts(const pinn_domain *dom, size_t nparts, const char *const *parts,
                            pinn_error *err)
{
  char buf[64];
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  const pinn_domain e = effective(dom);
  if (nparts == 0 || !parts)
    return pinn_error_set(err, PINN_EINVAL, "no boundary part named; give at least one name");
  if (e.kind == PINN_DOMAIN_GEOM) {
    size_t *c = malloc(nparts * sizeof *c);
    if (!c) return pinn_error_set(err, PINN_ENOMEM, "out of memory for %zu parts", nparts);
    rc = pinn_geom_boundary_counts(e.geom, nparts, parts, 0, c, err);
    free(c);
    return rc;
  }
  for (size_t j = 0; j < nparts; ++j) {
    const size_t i = part_index(&e, parts[j]);
    if (i == SIZE_MAX)
      return pinn_error_set(err, PINN_EINVAL,
                            "%s has no boundary part named '%s'; its parts are %s", describe(dom, buf, sizeof buf),
                            parts[j] ? parts[j] : "(null)",
                            e.kind == PINN_DOMAIN_BALL ? "\"ball\""
                                                       : "\"x<k>-\" and \"x<k>+\" (faces x_k = lo_k, hi_k)");
    for (size_t k = 0; k < j; ++k)
      if (strcmp(parts[k], parts[j]) == 0)
        return pinn_error_set(err, PINN_EINVAL, "boundary part '%s' is given twice", parts[j]);
  }
  return PINN_SUCCESS;
}

int pinn_domain_sample_parts(const pinn_domain *dom, size_t nparts, const char *const *parts,
                             pinn_sampler *s, size_t n, double *x, double *normals, size_t *count,
                             pinn_error *err)
{
  if (count) *count = 0;
  int rc = pinn_domain_check_parts(dom, nparts, parts, err);
  if (rc) return rc;
  const pinn_domain e = effective(dom);
  if (e.kind != PINN_DOMAIN_GEOM) {
    unsigned mask = 0;
    for (size_t j = 0; j < nparts; ++j) mask |= 1u << part_index(&e, parts[j]);
    return pinn_domain_sample_faces(dom, mask, s, n, x, normals, count, err);
  }
  const size_t need = pinn_domain_sampler_dim(&e, PINN_REGION_BOUNDARY);
  rc = check_sampler(dom, PINN_REGION_BOUNDARY, "boundary", s, need, err);
  if (rc) return rc;
  if (n == 0) return PINN_SUCCESS;
  if (!x) return null_array("boundary point array x", n, pinn_domain_dim(&e), err);
  size_t cnt = 0;
  rc = boundary_geom(&e, nparts, parts, s, n, x, normals, &cnt, err);
  if (rc == PINN_SUCCESS && count) *count = cnt;
  return rc;
}

int pinn_domain_sample_boundary(const pinn_domain *dom, pinn_sampler *s, size_t n, double *x,
                                double *normals, size_t *count, pinn_error *err)
{
  return pinn_domain_sample_faces(dom, PINN_FACES_ALL, s, n, x, normals, count, err);
}

/* ---------------------------------------------------------------------------
 * Periodic pairs */

int pinn_domain_sample_periodic(const pinn_domain *dom, size_t axis, pinn_sampler *s, size_t n,
                                double *x_lo, double *x_hi, size_t *count, pinn_error *err)
{
  char buf[64];
  size_t cnt = n;
  if (count) *count = 0;
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  const pinn_domain e = effective(dom);
  if (e.kind != PINN_DOMAIN_BOX)
    return pinn_error_set(err, PINN_EINVAL,
                          "periodic pairs need opposite faces, which %s lacks; use a box",
                          describe(dom, buf, sizeof buf));
  if (axis >= e.d)
    return pinn_error_set(err, PINN_EINVAL,
                          "periodic axis %zu does not exist in %s; use an axis 0..%zu", axis,
                          describe(dom, buf, sizeof buf), e.d - 1);
  const size_t d = e.d, dim = pinn_domain_dim(&e);
  const size_t need = pinn_domain_sampler_dim(&e, PINN_REGION_BOUNDARY);
  rc = check_sampler(dom, PINN_REGION_BOUNDARY, "periodic faces", s, need, err);
  if (rc) return rc;
  if (n == 0) return PINN_SUCCESS;
  if (!x_lo || !x_hi) return null_array("periodic point array x_lo or x_hi", n, dim, err);
  if (need == 0) {
    for (size_t i = 0; i < n; ++i) x_lo[i * dim] = e.lo[0];
  } else if (is_grid(s)) {
    size_t axes[PINN_MAX_INPUTS], na = 0;
    for (size_t k = 0; k <= d; ++k)
      if (k != axis && (k < d || e.has_time)) axes[na++] = k;
    centred_grid(&e, na, axes, n, x_lo, dim, &cnt);
    for (size_t i = 0; i < cnt; ++i) x_lo[i * dim + axis] = e.lo[axis];
  } else {
    double *u = fill_scratch(s, n, &cnt, &rc, err);
    if (!u) return rc;
    for (size_t i = 0; i < cnt; ++i) {
      const double *ui = u + i * need;
      double *xp = x_lo + i * dim;
      size_t c = 0;
      for (size_t j = 0; j < d; ++j)
        xp[j] = j == axis ? e.lo[j] : e.lo[j] + (e.hi[j] - e.lo[j]) * ui[c++];
      if (e.has_time) xp[d] = e.t0 + (e.t1 - e.t0) * ui[need - 1];
    }
    free(u);
  }
  for (size_t i = 0; i < cnt; ++i) {
    memcpy(x_hi + i * dim, x_lo + i * dim, dim * sizeof *x_hi);
    x_hi[i * dim + axis] = e.hi[axis];
  }
  if (count) *count = cnt;
  return PINN_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * Output grid */

size_t pinn_domain_grid_size(const pinn_domain *dom, const size_t *counts)
{
  if (!counts) return 0;
  size_t total = 1;
  for (size_t k = 0, dim = pinn_domain_dim(dom); k < dim; ++k) {
    if (counts[k] == 0) return 0;
    total = sat_mul(total, counts[k]);
    if (total == SIZE_MAX) return 0;
  }
  return total;
}

int pinn_domain_grid(const pinn_domain *dom, const size_t *counts, double *x, pinn_error *err)
{
  int rc = pinn_domain_check(dom, err);
  if (rc) return rc;
  const size_t dim = pinn_domain_dim(dom);
  if (!counts)
    return pinn_error_set(err, PINN_EINVAL, "counts is NULL; pass %zu point counts (time last)",
                          dim);
  for (size_t k = 0; k < dim; ++k)
    if (counts[k] == 0)
      return pinn_error_set(err, PINN_EINVAL,
                            "grid count on axis %zu is 0; give at least 1 point per axis", k);
  const size_t total = pinn_domain_grid_size(dom, counts);
  if (total == 0)
    return pinn_error_set(err, PINN_EINVAL, "grid has more points than memory can index; give "
                                            "smaller counts");
  if (!x) return null_array("grid array x", total, dim, err);
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
  pinn_domain_bounds(dom, lo, hi);
  for (size_t p = 0; p < total; ++p) {
    size_t q = p;
    for (size_t k = 0; k < dim; ++k) {
      x[p * dim + k] = node(lo[k], hi[k], q % counts[k], counts[k]);
      q /= counts[k];
    }
  }
  return PINN_SUCCESS;
}
