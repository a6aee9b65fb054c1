/* libpinn — 2-D/3-D geometry (see include/pinn/geometry.h).
 *
 * Exact distance to an ellipse/ellipsoid: D. Eberly, "Distance from a point
 * to an ellipse, an ellipsoid, or a hyperellipsoid" (Geometric Tools, 2013),
 * bisection on the root of the Lagrange condition in scaled coordinates.
 * Distance bounds of CSG trees: J. C. Hart, "Sphere tracing", The Visual
 * Computer 12 (1996).  Approximate distance functions: N. Sukumar and
 * A. Srivastava, CMAME 389 (2022) 114333, sections 4-5 (trimmed ADF of a
 * segment, R-equivalence join).  Ellipse perimeter by the trapezoidal rule
 * in the angle (periodic and analytic: geometric convergence).
 */
#include <pinn/geometry.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_ellint.h>

#define NONE ((size_t)-1)
#define NAME_MAX_LEN 63
#define MAX_DRAWS ((size_t)1 << 24)
#define BATCH_MAX ((size_t)65536)
#define ADF_CHECK_POINTS 1024

enum { K_BOX, K_BALL, K_ELLIPSOID, K_POLYGON, K_CYLINDER, K_UNION, K_INTER, K_DIFF };

typedef struct gnode {
  int kind;
  size_t a, b;         /* operands of a CSG node */
  int used;            /* an operand of another node */
  double lo[3], hi[3]; /* bounding box */
  double c[3], h[3];   /* box centre, half-widths; ball/ellipsoid centre, semi-axes */
  double p0[3], ax[3], e1[3], e2[3], len, r; /* cylinder: base, unit axis, basis, length */
  size_t nv;                                 /* polygon vertices v (2 nv doubles) */
  double *v, orient;                         /* orient +1 counter-clockwise, -1 clockwise */
  size_t piece0, npieces;
} gnode;

typedef struct gpiece {
  size_t node, local, name;
  double measure, on_measure;
  /* +1: the region lies inside the primitive at the piece, -1 outside (one
   * side only: a primitive occurs once in the tree, whose result is monotone
   * in it, decreasing under an odd number of difference right operands). */
  int orient;
  int crosses; /* some of the piece lies in the region's interior */
} gpiece;

struct pinn_geom {
  size_t d;
  gnode *nodes;
  size_t nn, ncap;
  gpiece *pieces;
  size_t npc, pcap;
  char **names;
  size_t nnames, namecap;
  size_t root;
  int ready;
  double volume; /* QMC estimate of the region's measure (set_root) */
  pinn_error err;
};

struct pinn_geom_adf {
  const pinn_geom *g;
  size_t n;
  size_t *piece;
};

/* ---------------------------------------------------------------------------
 * Handle, names, nodes */

pinn_geom *pinn_geom_alloc(size_t d, pinn_error *err)
{
  if (d != 2 && d != 3) {
    pinn_error_set(err, PINN_EINVAL, "pinn_geom_alloc: d = %zu; a geometry has d = 2 or 3", d);
    return NULL;
  }
  pinn_geom *g = calloc(1, sizeof *g);
  if (!g) {
    pinn_error_set(err, PINN_ENOMEM, "pinn_geom_alloc: out of memory");
    return NULL;
  }
  g->d = d;
  g->root = NONE;
  return g;
}

void pinn_geom_free(pinn_geom *g)
{
  if (!g) return;
  for (size_t i = 0; i < g->nn; ++i) free(g->nodes[i].v);
  for (size_t i = 0; i < g->nnames; ++i) free(g->names[i]);
  free(g->nodes);
  free(g->pieces);
  free(g->names);
  free(g);
}

void pinn_geom_destroy(void *g) { pinn_geom_free(g); }

size_t pinn_geom_dim(const pinn_geom *g) { return g->d; }

const char *pinn_geom_errmsg(const pinn_geom *g) { return g ? g->err.msg : ""; }

static int name_used(const pinn_geom *g, size_t id)
{
  for (size_t i = 0; i < g->npc; ++i)
    if (g->pieces[i].name == id) return 1;
  return 0;
}

/* Index of a name some piece carries, NONE for any other. */
static size_t name_find(const pinn_geom *g, const char *name)
{
  for (size_t i = 0; i < g->nnames; ++i)
    if (strcmp(g->names[i], name) == 0) return name_used(g, i) ? i : NONE;
  return NONE;
}

size_t pinn_geom_num_parts(const pinn_geom *g)
{
  size_t n = 0;
  for (size_t i = 0; i < g->nnames; ++i) n += name_used(g, i);
  return n;
}

const char *pinn_geom_part_name(const pinn_geom *g, size_t i)
{
  for (size_t j = 0; j < g->nnames; ++j)
    if (name_used(g, j) && i-- == 0) return g->names[j];
  return NULL;
}

/* Index of name, added when new; NONE when out of memory. */
static size_t name_intern(pinn_geom *g, const char *name)
{
  for (size_t i = 0; i < g->nnames; ++i)
    if (strcmp(g->names[i], name) == 0) return i;
  if (g->nnames == g->namecap) {
    size_t cap = g->namecap ? 2 * g->namecap : 16;
    char **p = realloc(g->names, cap * sizeof *p);
    if (!p) return NONE;
    g->names = p;
    g->namecap = cap;
  }
  size_t len = strlen(name);
  char *copy = malloc(len + 1);
  if (!copy) return NONE;
  memcpy(copy, name, len + 1);
  g->names[g->nnames] = copy;
  return g->nnames++;
}

/* A new node (zeroed, kind set); NULL when out of memory. */
static gnode *node_new(pinn_geom *g, int kind, size_t *index)
{
  if (g->nn == g->ncap) {
    size_t cap = g->ncap ? 2 * g->ncap : 16;
    gnode *p = realloc(g->nodes, cap * sizeof *p);
    if (!p) return NULL;
    g->nodes = p;
    g->ncap = cap;
  }
  gnode *n = &g->nodes[g->nn];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->a = n->b = NONE;
  n->piece0 = g->npc;
  *index = g->nn++;
  g->ready = 0;
  return n;
}

/* Append the npieces pieces of the last node with the given default names
 * (NULL: "e<i>"), their measures filled in later. */
static int pieces_add(pinn_geom *g, const char *fn, size_t npieces, const char *const *names)
{
  if (g->npc + npieces > g->pcap) {
    size_t cap = g->pcap ? 2 * g->pcap : 32;
    while (cap < g->npc + npieces) cap *= 2;
    gpiece *p = realloc(g->pieces, cap * sizeof *p);
    if (!p) return pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
    g->pieces = p;
    g->pcap = cap;
  }
  gnode *n = &g->nodes[g->nn - 1];
  for (size_t k = 0; k < npieces; ++k) {
    char buf[32];
    if (!names) snprintf(buf, sizeof buf, "e%zu", k);
    size_t id = name_intern(g, names ? names[k] : buf);
    if (id == NONE) return pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
    gpiece *p = &g->pieces[g->npc + k];
    memset(p, 0, sizeof *p);
    p->node = g->nn - 1;
    p->local = k;
    p->name = id;
  }
  n->piece0 = g->npc;
  n->npieces = npieces;
  g->npc += npieces;
  return 0;
}

static int finite_all(size_t n, const double *v)
{
  for (size_t i = 0; i < n; ++i)
    if (!isfinite(v[i])) return 0;
  return 1;
}

/* ---------------------------------------------------------------------------
 * Measures */

static double ellipse_perimeter(double a, double b)
{
  const int n = 4096;
  double s = 0.0;
  for (int i = 0; i < n; ++i) {
    double t = 2.0 * M_PI * i / n;
    s += hypot(a * sin(t), b * cos(t));
  }
  return s * 2.0 * M_PI / n;
}

/* Legendre's closed form (a >= b >= c sorted here; DLMF 19.33.2):
 * S = 2 pi c^2 + 2 pi a b / sin(phi) (E(phi, k) sin^2 phi + F(phi, k) cos^2 phi),
 * cos phi = c / a, k^2 = a^2 (b^2 - c^2) / (b^2 (a^2 - c^2)); k = 1 (an
 * oblate spheroid) with F = atanh(sin phi), E = sin phi. */
static double ellipsoid_area(const double *ax)
{
  double a = fmax(ax[0], fmax(ax[1], ax[2])), c = fmin(ax[0], fmin(ax[1], ax[2]));
  const double b = ax[0] + ax[1] + ax[2] - a - c;
  if (a == c) return 4.0 * M_PI * a * a;
  const double phi = acos(c / a), sp = sin(phi), cp = c / a;
  const double k = sqrt(fmin(1.0, a * a * (b * b - c * c) / (b * b * (a * a - c * c))));
  const double F = k < 1.0 ? gsl_sf_ellint_F(phi, k, GSL_PREC_DOUBLE) : atanh(sp);
  const double E = k < 1.0 ? gsl_sf_ellint_E(phi, k, GSL_PREC_DOUBLE) : sp;
  return 2.0 * M_PI * c * c + 2.0 * M_PI * a * b / sp * (E * sp * sp + F * cp * cp);
}

static double piece_measure(const pinn_geom *g, const gnode *p, size_t k)
{
  const size_t d = g->d;
  switch (p->kind) {
  case K_BOX: {
    double m = 1.0;
    for (size_t j = 0; j < d; ++j)
      if (j != k / 2) m *= 2.0 * p->h[j];
    return m;
  }
  case K_BALL: return d == 2 ? 2.0 * M_PI * p->h[0] : 4.0 * M_PI * p->h[0] * p->h[0];
  case K_ELLIPSOID: return d == 2 ? ellipse_perimeter(p->h[0], p->h[1]) : ellipsoid_area(p->h);
  case K_POLYGON: {
    const double *a = p->v + 2 * k, *b = p->v + 2 * ((k + 1) % p->nv);
    return hypot(b[0] - a[0], b[1] - a[1]);
  }
  case K_CYLINDER: return k == 0 ? 2.0 * M_PI * p->r * p->len : M_PI * p->r * p->r;
  }
  return 0.0;
}

/* ---------------------------------------------------------------------------
 * Primitives */

static int add_prim_pieces(pinn_geom *g, const char *fn, size_t npieces, const char *const *names,
                           size_t *node, size_t index)
{
  int rc = pieces_add(g, fn, npieces, names);
  if (rc) {
    g->nn--; /* drop the half-made node */
    return rc;
  }
  gnode *n = &g->nodes[index];
  for (size_t k = 0; k < npieces; ++k) g->pieces[n->piece0 + k].measure = piece_measure(g, n, k);
  if (node) *node = index;
  return 0;
}

int pinn_geom_box(pinn_geom *g, const double *lo, const double *hi, size_t *node)
{
  static const char *const names[] = {"x0-", "x0+", "x1-", "x1+", "x2-", "x2+"};
  const size_t d = g->d;
  if (!lo || !hi)
    return pinn_error_set(&g->err, PINN_EINVAL, "pinn_geom_box: lo and hi are required");
  for (size_t k = 0; k < d; ++k)
    if (!(isfinite(lo[k]) && isfinite(hi[k]) && lo[k] < hi[k]))
      return pinn_error_set(&g->err, PINN_EINVAL,
                            "pinn_geom_box: axis %zu has lo = %g, hi = %g; need finite lo < hi", k,
                            lo[k], hi[k]);
  size_t id;
  gnode *n = node_new(g, K_BOX, &id);
  if (!n) return pinn_error_set(&g->err, PINN_ENOMEM, "pinn_geom_box: out of memory");
  for (size_t k = 0; k < d; ++k) {
    n->lo[k] = lo[k];
    n->hi[k] = hi[k];
    n->c[k] = 0.5 * (lo[k] + hi[k]);
    n->h[k] = 0.5 * (hi[k] - lo[k]);
  }
  return add_prim_pieces(g, "pinn_geom_box", 2 * d, names, node, id);
}

int pinn_geom_ball(pinn_geom *g, const double *center, double r, size_t *node)
{
  static const char *const names[] = {"ball"};
  if (!center || !finite_all(g->d, center) || !(isfinite(r) && r > 0.0))
    return pinn_error_set(
        &g->err, PINN_EINVAL,
        "pinn_geom_ball: need a finite centre of %zu coordinates and a radius r > 0 "
        "(got r = %g)",
        g->d, r);
  size_t id;
  gnode *n = node_new(g, K_BALL, &id);
  if (!n) return pinn_error_set(&g->err, PINN_ENOMEM, "pinn_geom_ball: out of memory");
  for (size_t k = 0; k < g->d; ++k) {
    n->c[k] = center[k];
    n->h[k] = r;
    n->lo[k] = center[k] - r;
    n->hi[k] = center[k] + r;
  }
  return add_prim_pieces(g, "pinn_geom_ball", 1, names, node, id);
}

int pinn_geom_ellipsoid(pinn_geom *g, const double *center, const double *semi_axes, size_t *node)
{
  static const char *const names[] = {"ellipsoid"};
  if (!center || !semi_axes || !finite_all(g->d, center) || !finite_all(g->d, semi_axes))
    return pinn_error_set(&g->err, PINN_EINVAL,
                          "pinn_geom_ellipsoid: need a finite centre and semi-axes");
  for (size_t k = 0; k < g->d; ++k)
    if (!(semi_axes[k] > 0.0))
      return pinn_error_set(&g->err, PINN_EINVAL,
                            "pinn_geom_ellipsoid: semi-axis %zu is %g; need > 0", k, semi_axes[k]);
  size_t id;
  gnode *n = node_new(g, K_ELLIPSOID, &id);
  if (!n) return pinn_error_set(&g->err, PINN_ENOMEM, "pinn_geom_ellipsoid: out of memory");
  for (size_t k = 0; k < g->d; ++k) {
    n->c[k] = center[k];
    n->h[k] = semi_axes[k];
    n->lo[k] = center[k] - semi_axes[k];
    n->hi[k] = center[k] + semi_axes[k];
  }
  return add_prim_pieces(g, "pinn_geom_ellipsoid", 1, names, node, id);
}

static double orient2(const double *a, const double *b, const double *c)
{
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/* c (collinear with a-b) lies within the segment's bounding box. */
static int on_segment(const double *a, const double *b, const double *c)
{
  return fmin(a[0], b[0]) <= c[0] && c[0] <= fmax(a[0], b[0]) && fmin(a[1], b[1]) <= c[1] &&
         c[1] <= fmax(a[1], b[1]);
}

/* Closed segments a-b and c-d share a point. */
static int segments_meet(const double *a, const double *b, const double *c, const double *d)
{
  const double o1 = orient2(a, b, c), o2 = orient2(a, b, d), o3 = orient2(c, d, a),
               o4 = orient2(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)))
    return 1;
  return (o1 == 0 && on_segment(a, b, c)) || (o2 == 0 && on_segment(a, b, d)) ||
         (o3 == 0 && on_segment(c, d, a)) || (o4 == 0 && on_segment(c, d, b));
}

int pinn_geom_polygon(pinn_geom *g, size_t nv, const double *xy, size_t *node)
{
  const char *fn = "pinn_geom_polygon";
  if (g->d != 2)
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: polygons are 2-d; this geometry is 3-d", fn);
  if (nv < 3 || !xy)
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: a polygon needs at least 3 vertices (got %zu)",
                          fn, nv);
  if (!finite_all(2 * nv, xy))
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: a vertex is not finite", fn);
  double area = 0.0, scale = 0.0;
  for (size_t i = 0; i < nv; ++i) {
    const double *a = xy + 2 * i, *b = xy + 2 * ((i + 1) % nv);
    if (a[0] == b[0] && a[1] == b[1])
      return pinn_error_set(&g->err, PINN_EINVAL, "%s: edge %zu (vertices %zu-%zu) has zero length",
                            fn, i, i, (i + 1) % nv);
    area += a[0] * b[1] - a[1] * b[0];
    scale = fmax(scale, fmax(fabs(a[0]), fabs(a[1])));
  }
  area *= 0.5;
  for (size_t i = 0; i < nv; ++i)
    for (size_t j = i + 1; j < nv; ++j) {
      const double *a = xy + 2 * i, *b = xy + 2 * ((i + 1) % nv);
      const double *c = xy + 2 * j, *e = xy + 2 * ((j + 1) % nv);
      const int adjacent = j == i + 1 || (i == 0 && j == nv - 1);
      if (adjacent) {
        /* Adjacent edges share one vertex; they must not fold back onto each other. */
        const double *s = j == i + 1 ? b : a; /* the shared vertex */
        const double *p = j == i + 1 ? a : b, *q = j == i + 1 ? e : c;
        const double cr = orient2(s, p, q),
                     dt = (p[0] - s[0]) * (q[0] - s[0]) + (p[1] - s[1]) * (q[1] - s[1]);
        if (cr == 0.0 && dt > 0.0)
          return pinn_error_set(
              &g->err, PINN_EINVAL,
              "%s: edges %zu (vertices %zu-%zu) and %zu (vertices %zu-%zu) overlap: the "
              "polygon must be simple",
              fn, i, i, (i + 1) % nv, j, j, (j + 1) % nv);
      } else if (segments_meet(a, b, c, e)) {
        return pinn_error_set(
            &g->err, PINN_EINVAL,
            "%s: edges %zu (vertices %zu-%zu) and %zu (vertices %zu-%zu) cross: the "
            "polygon must be simple (not self-intersecting)",
            fn, i, i, (i + 1) % nv, j, j, (j + 1) % nv);
      }
    }
  if (!(fabs(area) > 1e-14 * scale * scale))
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: the polygon has zero area (degenerate)", fn);
  double *v = malloc(2 * nv * sizeof *v);
  size_t id;
  gnode *n = v ? node_new(g, K_POLYGON, &id) : NULL;
  if (!n) {
    free(v);
    return pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
  }
  memcpy(v, xy, 2 * nv * sizeof *v);
  n->v = v;
  n->nv = nv;
  n->orient = area > 0.0 ? 1.0 : -1.0;
  for (size_t k = 0; k < 2; ++k) {
    n->lo[k] = HUGE_VAL;
    n->hi[k] = -HUGE_VAL;
    for (size_t i = 0; i < nv; ++i) {
      n->lo[k] = fmin(n->lo[k], v[2 * i + k]);
      n->hi[k] = fmax(n->hi[k], v[2 * i + k]);
    }
  }
  int rc = add_prim_pieces(g, fn, nv, NULL, node, id);
  if (rc) free(v);
  return rc;
}

int pinn_geom_cylinder(pinn_geom *g, const double *p0, const double *p1, double r, size_t *node)
{
  static const char *const names[] = {"side", "bottom", "top"};
  const char *fn = "pinn_geom_cylinder";
  if (g->d != 3)
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: cylinders are 3-d; this geometry is 2-d", fn);
  if (!p0 || !p1 || !finite_all(3, p0) || !finite_all(3, p1) || !(isfinite(r) && r > 0.0))
    return pinn_error_set(&g->err, PINN_EINVAL,
                          "%s: need finite end points and a radius r > 0 (got r = %g)", fn, r);
  double a[3] = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
  const double len = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
  if (!(len > 0.0)) return pinn_error_set(&g->err, PINN_EINVAL, "%s: the end points coincide", fn);
  size_t id;
  gnode *n = node_new(g, K_CYLINDER, &id);
  if (!n) return pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
  for (size_t k = 0; k < 3; ++k) {
    n->p0[k] = p0[k];
    n->ax[k] = a[k] / len;
  }
  n->len = len;
  n->r = r;
  /* e1: the axis crossed with the coordinate axis it is least aligned with. */
  size_t m = 0;
  for (size_t k = 1; k < 3; ++k)
    if (fabs(n->ax[k]) < fabs(n->ax[m])) m = k;
  double u[3] = {0, 0, 0};
  u[m] = 1.0;
  double *e1 = n->e1, *e2 = n->e2, *x = n->ax;
  e1[0] = x[1] * u[2] - x[2] * u[1];
  e1[1] = x[2] * u[0] - x[0] * u[2];
  e1[2] = x[0] * u[1] - x[1] * u[0];
  const double l1 = sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]);
  for (size_t k = 0; k < 3; ++k) e1[k] /= l1;
  e2[0] = x[1] * e1[2] - x[2] * e1[1];
  e2[1] = x[2] * e1[0] - x[0] * e1[2];
  e2[2] = x[0] * e1[1] - x[1] * e1[0];
  for (size_t k = 0; k < 3; ++k) {
    /* Extent of a disk of radius r normal to the axis: r sqrt(1 - a_k^2). */
    const double ext = r * sqrt(fmax(0.0, 1.0 - x[k] * x[k]));
    n->lo[k] = fmin(p0[k], p1[k]) - ext;
    n->hi[k] = fmax(p0[k], p1[k]) + ext;
  }
  return add_prim_pieces(g, fn, 3, names, node, id);
}

/* ---------------------------------------------------------------------------
 * CSG nodes and names */

static int csg(pinn_geom *g, int kind, const char *fn, size_t a, size_t b, size_t *node)
{
  if (a >= g->nn || b >= g->nn || a == b)
    return pinn_error_set(&g->err, PINN_EINVAL,
                          "%s: operands %zu and %zu must be two distinct existing nodes "
                          "(0..%zu)",
                          fn, a, b, g->nn ? g->nn - 1 : 0);
  if (g->nodes[a].used || g->nodes[b].used)
    return pinn_error_set(&g->err, PINN_EINVAL,
                          "%s: node %zu is already an operand of another node", fn,
                          g->nodes[a].used ? a : b);
  size_t id;
  gnode *n = node_new(g, kind, &id);
  if (!n) return pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
  const gnode *na = &g->nodes[a], *nb = &g->nodes[b];
  n->a = a;
  n->b = b;
  n->npieces = 0;
  for (size_t k = 0; k < g->d; ++k) {
    n->lo[k] = na->lo[k];
    n->hi[k] = na->hi[k];
    if (kind == K_UNION) {
      n->lo[k] = fmin(n->lo[k], nb->lo[k]);
      n->hi[k] = fmax(n->hi[k], nb->hi[k]);
    } else if (kind == K_INTER) {
      n->lo[k] = fmax(n->lo[k], nb->lo[k]);
      n->hi[k] = fmin(n->hi[k], nb->hi[k]);
    }
  }
  g->nodes[a].used = g->nodes[b].used = 1;
  if (node) *node = id;
  return 0;
}

int pinn_geom_union(pinn_geom *g, size_t a, size_t b, size_t *node)
{
  return csg(g, K_UNION, "pinn_geom_union", a, b, node);
}

int pinn_geom_intersection(pinn_geom *g, size_t a, size_t b, size_t *node)
{
  return csg(g, K_INTER, "pinn_geom_intersection", a, b, node);
}

int pinn_geom_difference(pinn_geom *g, size_t a, size_t b, size_t *node)
{
  return csg(g, K_DIFF, "pinn_geom_difference", a, b, node);
}

int pinn_geom_name(pinn_geom *g, size_t node, size_t npieces, const size_t *pieces,
                   const char *name)
{
  const char *fn = "pinn_geom_name";
  if (node >= g->nn || g->nodes[node].kind >= K_UNION)
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: node %zu is not a primitive", fn, node);
  const size_t len = name ? strlen(name) : 0;
  if (len == 0 || len > NAME_MAX_LEN)
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: a part name has 1..%d characters", fn,
                          NAME_MAX_LEN);
  const gnode *n = &g->nodes[node];
  if (pieces)
    for (size_t i = 0; i < npieces; ++i)
      if (pieces[i] >= n->npieces)
        return pinn_error_set(&g->err, PINN_EINVAL,
                              "%s: piece %zu is out of range: node %zu has %zu pieces", fn,
                              pieces[i], node, n->npieces);
  size_t id = name_intern(g, name);
  if (id == NONE) return pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
  const size_t count = pieces ? npieces : n->npieces;
  for (size_t i = 0; i < count; ++i) g->pieces[n->piece0 + (pieces ? pieces[i] : i)].name = id;
  g->ready = 0;
  return 0;
}

/* ---------------------------------------------------------------------------
 * Inside tests and signed distances */

/* a <= b, or a < b for the open set. */
static inline int below(double a, double b, int open) { return open ? a < b : a <= b; }

/* x in the closed primitive, or (open) in its interior: its surface out
 * (a polygon's edges exactly, by collinearity within the edge's box). */
static int prim_in(const gnode *p, size_t d, const double *x, int open)
{
  switch (p->kind) {
  case K_BOX:
    for (size_t k = 0; k < d; ++k)
      if (!(below(p->lo[k], x[k], open) && below(x[k], p->hi[k], open))) return 0;
    return 1;
  case K_BALL: {
    double s = 0.0;
    for (size_t k = 0; k < d; ++k) s += (x[k] - p->c[k]) * (x[k] - p->c[k]);
    return below(s, p->h[0] * p->h[0], open);
  }
  case K_ELLIPSOID: {
    double s = 0.0;
    for (size_t k = 0; k < d; ++k) {
      const double z = (x[k] - p->c[k]) / p->h[k];
      s += z * z;
    }
    return below(s, 1.0, open);
  }
  case K_POLYGON: {
    int in = 0;
    for (size_t i = 0, j = p->nv - 1; i < p->nv; j = i++) {
      const double *a = p->v + 2 * i, *b = p->v + 2 * j;
      if (open && (b[0] - a[0]) * (x[1] - a[1]) == (b[1] - a[1]) * (x[0] - a[0]) &&
          fmin(a[0], b[0]) <= x[0] && x[0] <= fmax(a[0], b[0]) && fmin(a[1], b[1]) <= x[1] &&
          x[1] <= fmax(a[1], b[1]))
        return 0; /* on an edge */
      if ((a[1] > x[1]) != (b[1] > x[1]) &&
          x[0] < (b[0] - a[0]) * (x[1] - a[1]) / (b[1] - a[1]) + a[0])
        in = !in;
    }
    return in;
  }
  case K_CYLINDER: {
    double y[3], t = 0.0, s = 0.0;
    for (size_t k = 0; k < 3; ++k) {
      y[k] = x[k] - p->p0[k];
      t += y[k] * p->ax[k];
      s += y[k] * y[k];
    }
    return below(0.0, t, open) && below(t, p->len, open) && below(s - t * t, p->r * p->r, open);
  }
  }
  return 0;
}

static int prim_inside(const gnode *p, size_t d, const double *x) { return prim_in(p, d, x, 0); }

/* Inside test of node i; primitive `over` (NONE: none) is taken as `state`. */
static int node_inside(const pinn_geom *g, size_t i, const double *x, size_t over, int state);

/* 1 if x is in the region's interior: open primitives, unions and
 * intersections of open sets, a difference removing the closed subtrahend
 * (a point on a face two primitives share counts as outside: coincident
 * surfaces are not supported anyway). */
static int node_inside_open(const pinn_geom *g, size_t i, const double *x)
{
  const gnode *n = &g->nodes[i];
  for (size_t k = 0; k < g->d; ++k)
    if (!(n->lo[k] <= x[k] && x[k] <= n->hi[k])) return 0;
  switch (n->kind) {
  case K_UNION: return node_inside_open(g, n->a, x) || node_inside_open(g, n->b, x);
  case K_INTER: return node_inside_open(g, n->a, x) && node_inside_open(g, n->b, x);
  case K_DIFF: return node_inside_open(g, n->a, x) && !node_inside(g, n->b, x, NONE, 0);
  }
  return prim_in(n, g->d, x, 1);
}

static int node_inside(const pinn_geom *g, size_t i, const double *x, size_t over, int state)
{
  const gnode *n = &g->nodes[i];
  if (i == over) return state;
  if (over == NONE)
    for (size_t k = 0; k < g->d; ++k)
      if (!(n->lo[k] <= x[k] && x[k] <= n->hi[k])) return 0;
  switch (n->kind) {
  case K_UNION: return node_inside(g, n->a, x, over, state) || node_inside(g, n->b, x, over, state);
  case K_INTER: return node_inside(g, n->a, x, over, state) && node_inside(g, n->b, x, over, state);
  case K_DIFF: return node_inside(g, n->a, x, over, state) && !node_inside(g, n->b, x, over, state);
  }
  return prim_inside(n, g->d, x);
}

/* Eberly's bisection for the root s of sum_i (r_i z_i / (s + r_i))^2 = 1
 * (m = 2 or 3 terms, r_m-1 = 1): the scaled Lagrange condition. */
static double ellipsoid_root(size_t m, const double *r, const double *z, double g)
{
  double n[3], len = 0.0;
  for (size_t i = 0; i < m; ++i) {
    n[i] = r[i] * z[i];
    len += n[i] * n[i];
  }
  double s0 = z[m - 1] - 1.0, s1 = g < 0.0 ? 0.0 : sqrt(len) - 1.0, s = 0.0;
  for (int it = 0; it < 2200; ++it) {
    s = 0.5 * (s0 + s1);
    if (s == s0 || s == s1) break;
    g = -1.0;
    for (size_t i = 0; i < m; ++i) g += (n[i] / (s + r[i])) * (n[i] / (s + r[i]));
    if (g > 0.0)
      s0 = s;
    else if (g < 0.0)
      s1 = s;
    else
      break;
  }
  return s;
}

/* The ellipse (e0 >= e1 > 0, y >= 0): closest point (x0, x1), returns the
 * distance. */
static double ellipse_dist(double e0, double e1, double y0, double y1, double *x0, double *x1)
{
  if (y1 > 0.0) {
    if (y0 > 0.0) {
      const double z0 = y0 / e0, z1 = y1 / e1, g = z0 * z0 + z1 * z1 - 1.0;
      if (g != 0.0) {
        const double r[2] = {(e0 / e1) * (e0 / e1), 1.0}, z[2] = {z0, z1};
        const double s = ellipsoid_root(2, r, z, g);
        *x0 = r[0] * y0 / (s + r[0]);
        *x1 = y1 / (s + 1.0);
        return hypot(*x0 - y0, *x1 - y1);
      }
      *x0 = y0;
      *x1 = y1;
      return 0.0;
    }
    *x0 = 0.0;
    *x1 = e1;
    return fabs(y1 - e1);
  }
  const double numer0 = e0 * y0, denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const double xde0 = numer0 / denom0;
    *x0 = e0 * xde0;
    *x1 = e1 * sqrt(1.0 - xde0 * xde0);
    return hypot(*x0 - y0, *x1);
  }
  *x0 = e0;
  *x1 = 0.0;
  return fabs(y0 - e0);
}

/* e0 >= e1 >= e2 > 0, y >= 0: closest point x, returns the distance. */
static double ellipsoid_dist(const double *e, const double *y, double *x)
{
  if (y[2] > 0.0) {
    if (y[1] > 0.0) {
      if (y[0] > 0.0) {
        const double z[3] = {y[0] / e[0], y[1] / e[1], y[2] / e[2]};
        const double g = z[0] * z[0] + z[1] * z[1] + z[2] * z[2] - 1.0;
        if (g != 0.0) {
          const double r[3] = {(e[0] / e[2]) * (e[0] / e[2]), (e[1] / e[2]) * (e[1] / e[2]), 1.0};
          const double s = ellipsoid_root(3, r, z, g);
          x[0] = r[0] * y[0] / (s + r[0]);
          x[1] = r[1] * y[1] / (s + r[1]);
          x[2] = y[2] / (s + 1.0);
        } else {
          memcpy(x, y, 3 * sizeof *x);
        }
        return sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) +
                    (x[2] - y[2]) * (x[2] - y[2]));
      }
      x[0] = 0.0;
      return hypot(y[0], ellipse_dist(e[1], e[2], y[1], y[2], &x[1], &x[2]));
    }
    x[1] = 0.0;
    if (y[0] > 0.0) return hypot(y[1], ellipse_dist(e[0], e[2], y[0], y[2], &x[0], &x[2]));
    x[0] = 0.0;
    x[2] = e[2];
    return fabs(y[2] - e[2]);
  }
  const double denom0 = e[0] * e[0] - e[2] * e[2], denom1 = e[1] * e[1] - e[2] * e[2];
  const double numer0 = e[0] * y[0], numer1 = e[1] * y[1];
  if (numer0 < denom0 && numer1 < denom1) {
    const double xde0 = numer0 / denom0, xde1 = numer1 / denom1;
    const double discr = 1.0 - xde0 * xde0 - xde1 * xde1;
    if (discr > 0.0) {
      x[0] = e[0] * xde0;
      x[1] = e[1] * xde1;
      x[2] = e[2] * sqrt(discr);
      return sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) + x[2] * x[2]);
    }
  }
  x[2] = 0.0;
  return ellipse_dist(e[0], e[1], y[0], y[1], &x[0], &x[1]);
}

static double ellipsoid_sdf(const gnode *p, size_t d, const double *x, double *grad)
{
  size_t perm[3] = {0, 1, 2};
  for (size_t i = 0; i < d; ++i) /* axes by decreasing semi-axis */
    for (size_t j = i + 1; j < d; ++j)
      if (p->h[perm[j]] > p->h[perm[i]]) {
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
  double e[3], y[3], cl[3], q = 0.0;
  for (size_t i = 0; i < d; ++i) {
    e[i] = p->h[perm[i]];
    y[i] = fabs(x[perm[i]] - p->c[perm[i]]);
    q += (y[i] / e[i]) * (y[i] / e[i]);
  }
  const double dist =
      d == 2 ? ellipse_dist(e[0], e[1], y[0], y[1], &cl[0], &cl[1]) : ellipsoid_dist(e, y, cl);
  double nn = 0.0, nv[3];
  for (size_t i = 0; i < d; ++i) {
    nv[i] = cl[i] / (e[i] * e[i]);
    nn += nv[i] * nv[i];
  }
  nn = sqrt(nn);
  for (size_t i = 0; i < d; ++i)
    grad[perm[i]] = (x[perm[i]] < p->c[perm[i]] ? -1.0 : 1.0) * nv[i] / nn;
  return q <= 1.0 ? -dist : dist;
}

static double prim_sdf(const gnode *p, size_t d, const double *x, double *grad)
{
  switch (p->kind) {
  case K_BOX: {
    double q[3], o = 0.0, m = -HUGE_VAL;
    size_t km = 0;
    for (size_t k = 0; k < d; ++k) {
      q[k] = fabs(x[k] - p->c[k]) - p->h[k];
      o += q[k] > 0.0 ? q[k] * q[k] : 0.0;
      if (q[k] > m) {
        m = q[k];
        km = k;
      }
    }
    for (size_t k = 0; k < d; ++k) grad[k] = 0.0;
    if (m > 0.0) {
      o = sqrt(o);
      for (size_t k = 0; k < d; ++k)
        grad[k] = q[k] > 0.0 ? (x[k] < p->c[k] ? -q[k] : q[k]) / o : 0.0;
      return o;
    }
    grad[km] = x[km] < p->c[km] ? -1.0 : 1.0;
    return m;
  }
  case K_BALL: {
    double l = 0.0;
    for (size_t k = 0; k < d; ++k) l += (x[k] - p->c[k]) * (x[k] - p->c[k]);
    l = sqrt(l);
    for (size_t k = 0; k < d; ++k) grad[k] = l > 0.0 ? (x[k] - p->c[k]) / l : (k == 0);
    return l - p->h[0];
  }
  case K_ELLIPSOID: return ellipsoid_sdf(p, d, x, grad);
  case K_POLYGON: {
    double best = HUGE_VAL, cp[2] = {0, 0};
    size_t be = 0;
    for (size_t i = 0; i < p->nv; ++i) {
      const double *a = p->v + 2 * i, *b = p->v + 2 * ((i + 1) % p->nv);
      const double ex = b[0] - a[0], ey = b[1] - a[1];
      double t = ((x[0] - a[0]) * ex + (x[1] - a[1]) * ey) / (ex * ex + ey * ey);
      t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
      const double px = a[0] + t * ex, py = a[1] + t * ey;
      const double dd = (x[0] - px) * (x[0] - px) + (x[1] - py) * (x[1] - py);
      if (dd < best) {
        best = dd;
        cp[0] = px;
        cp[1] = py;
        be = i;
      }
    }
    const double s = prim_inside(p, 2, x) ? -1.0 : 1.0, dist = sqrt(best);
    if (dist > 0.0) {
      grad[0] = s * (x[0] - cp[0]) / dist;
      grad[1] = s * (x[1] - cp[1]) / dist;
    } else {
      const double *a = p->v + 2 * be, *b = p->v + 2 * ((be + 1) % p->nv);
      const double l = hypot(b[0] - a[0], b[1] - a[1]);
      grad[0] = p->orient * (b[1] - a[1]) / l;
      grad[1] = -p->orient * (b[0] - a[0]) / l;
    }
    return s * dist;
  }
  case K_CYLINDER: {
    double y[3], t = 0.0, rv[3], rho = 0.0;
    for (size_t k = 0; k < 3; ++k) {
      y[k] = x[k] - p->p0[k] - 0.5 * p->len * p->ax[k];
      t += y[k] * p->ax[k];
    }
    for (size_t k = 0; k < 3; ++k) {
      rv[k] = y[k] - t * p->ax[k];
      rho += rv[k] * rv[k];
    }
    rho = sqrt(rho);
    for (size_t k = 0; k < 3; ++k) rv[k] = rho > 0.0 ? rv[k] / rho : p->e1[k];
    const double q0 = rho - p->r, q1 = fabs(t) - 0.5 * p->len, sa = t < 0.0 ? -1.0 : 1.0;
    if (q0 > 0.0 || q1 > 0.0) {
      const double a0 = fmax(q0, 0.0), a1 = fmax(q1, 0.0), o = hypot(a0, a1);
      for (size_t k = 0; k < 3; ++k) grad[k] = (a0 * rv[k] + a1 * sa * p->ax[k]) / o;
      return o;
    }
    for (size_t k = 0; k < 3; ++k) grad[k] = q0 >= q1 ? rv[k] : sa * p->ax[k];
    return fmax(q0, q1);
  }
  }
  return NAN;
}

static double node_sdf(const pinn_geom *g, size_t i, const double *x, double *grad)
{
  const gnode *n = &g->nodes[i];
  if (n->kind < K_UNION) return prim_sdf(n, g->d, x, grad);
  double gb[3];
  double fa = node_sdf(g, n->a, x, grad), fb = node_sdf(g, n->b, x, gb);
  if (n->kind == K_DIFF) {
    fb = -fb;
    for (size_t k = 0; k < g->d; ++k) gb[k] = -gb[k];
  }
  const int take_b = n->kind == K_UNION ? fb < fa : fb > fa;
  if (!take_b) return fa;
  memcpy(grad, gb, g->d * sizeof *gb);
  return fb;
}

void pinn_geom_bounds(const pinn_geom *g, double *lo, double *hi)
{
  for (size_t k = 0; k < g->d; ++k) {
    lo[k] = g->ready ? g->nodes[g->root].lo[k] : NAN;
    hi[k] = g->ready ? g->nodes[g->root].hi[k] : NAN;
  }
}

int pinn_geom_contains(const pinn_geom *g, const double *x)
{
  return g->ready && node_inside(g, g->root, x, NONE, 0);
}

double pinn_geom_signed_distance(const pinn_geom *g, const double *x, double *normal)
{
  double grad[3];
  if (!g->ready) return NAN;
  double f = node_sdf(g, g->root, x, grad);
  if (normal) memcpy(normal, grad, g->d * sizeof *grad);
  return f;
}

/* ---------------------------------------------------------------------------
 * Points on pieces, the region's boundary */

/* Point x on piece k of primitive p from u (d coordinates, uniform by
 * measure) and the primitive's outward normal nrm; 0 when the density test
 * of an ellipse/ellipsoid rejects u. */
static int piece_point(size_t d, const gnode *p, size_t k, const double *u, double *x, double *nrm)
{
  switch (p->kind) {
  case K_BOX: {
    const size_t axis = k / 2;
    for (size_t j = 0, m = 0; j < d; ++j) {
      nrm[j] = 0.0;
      if (j != axis) x[j] = p->lo[j] + (p->hi[j] - p->lo[j]) * u[m++];
    }
    x[axis] = k % 2 ? p->hi[axis] : p->lo[axis];
    nrm[axis] = k % 2 ? 1.0 : -1.0;
    return 1;
  }
  case K_BALL:
  case K_ELLIPSOID: {
    if (d == 2) {
      nrm[0] = cos(2.0 * M_PI * u[0]);
      nrm[1] = sin(2.0 * M_PI * u[0]);
    } else {
      const double z = 1.0 - 2.0 * u[0], s = sqrt(fmax(0.0, 1.0 - z * z));
      nrm[0] = s * cos(2.0 * M_PI * u[1]);
      nrm[1] = s * sin(2.0 * M_PI * u[1]);
      nrm[2] = z;
    }
    if (p->kind == K_ELLIPSOID) {
      double w = 0.0, amin = p->h[0];
      for (size_t j = 0; j < d; ++j) {
        nrm[j] /= p->h[j];
        w += nrm[j] * nrm[j];
        amin = fmin(amin, p->h[j]);
      }
      w = sqrt(w);
      if (!(u[d - 1] < amin * w)) return 0;
      for (size_t j = 0; j < d; ++j) {
        x[j] = p->c[j] + p->h[j] * p->h[j] * nrm[j];
        nrm[j] /= w;
      }
      return 1;
    }
    for (size_t j = 0; j < d; ++j) x[j] = p->c[j] + p->h[0] * nrm[j];
    return 1;
  }
  case K_POLYGON: {
    const double *a = p->v + 2 * k, *b = p->v + 2 * ((k + 1) % p->nv);
    const double l = hypot(b[0] - a[0], b[1] - a[1]);
    x[0] = a[0] + u[0] * (b[0] - a[0]);
    x[1] = a[1] + u[0] * (b[1] - a[1]);
    nrm[0] = p->orient * (b[1] - a[1]) / l;
    nrm[1] = -p->orient * (b[0] - a[0]) / l;
    return 1;
  }
  case K_CYLINDER: {
    const double th = 2.0 * M_PI * (k == 0 ? u[0] : u[1]);
    const double rho = k == 0 ? p->r : p->r * sqrt(u[0]);
    const double t = k == 0 ? p->len * u[1] : k == 1 ? 0.0 : p->len;
    for (size_t j = 0; j < 3; ++j) {
      const double radial = cos(th) * p->e1[j] + sin(th) * p->e2[j];
      x[j] = p->p0[j] + t * p->ax[j] + rho * radial;
      nrm[j] = k == 0 ? radial : k == 1 ? -p->ax[j] : p->ax[j];
    }
    return 1;
  }
  }
  return 0;
}

/* Where x on a surface of primitive `prim` lies: +1 on the region's boundary
 * with the region inside the primitive, -1 with it outside, 0 off the
 * region, 2 in its interior. */
static int classify(const pinn_geom *g, size_t prim, const double *x)
{
  const int in = node_inside(g, g->root, x, prim, 1), out = node_inside(g, g->root, x, prim, 0);
  return in && out ? 2 : in ? 1 : out ? -1 : 0;
}

/* Map u to a candidate; 1 when kept (x, and nrm if not NULL, written). */
static int accept(const pinn_geom *g, size_t piece, const double *u, double *x, double *nrm)
{
  const size_t d = g->d;
  if (piece == NONE) {
    const gnode *r = &g->nodes[g->root];
    for (size_t k = 0; k < d; ++k) x[k] = r->lo[k] + (r->hi[k] - r->lo[k]) * u[k];
    /* strictly inside: a candidate on the boundary (Sobol's first point,
     * the box centre, is the L-shape's re-entrant corner) is no interior
     * point, and a distance-function transform is not differentiable there */
    return node_inside_open(g, g->root, x);
  }
  const gpiece *pc = &g->pieces[piece];
  double n[3];
  if (!piece_point(d, &g->nodes[pc->node], pc->local, u, x, n)) return 0;
  const int c = classify(g, pc->node, x);
  if (c != 1 && c != -1) return 0;
  if (nrm)
    for (size_t k = 0; k < d; ++k) nrm[k] = c * n[k];
  return 1;
}

/* Count the kept points among the points of the GRID sampler sg for side m
 * (dim gd: d (+1) for the interior, d - 1 (+1) for a piece, whose density
 * coordinate is then 0, i.e. always kept; the +1 is the pass-through
 * coordinate); they are written into x (rows of xs = d or d + 1 doubles),
 * nrm while the count stays <= n; *kept = count, n + 1 when above n. */
static int grid_pass(const pinn_geom *g, size_t piece, pinn_sampler *sg, size_t m, size_t n,
                     size_t xs, double *x, double *nrm, size_t *kept, pinn_error *err)
{
  const size_t d = g->d, gd = pinn_sampler_dim(sg);
  size_t req = 1, got = 0;
  for (size_t k = 0; k < gd; ++k) req *= m;
  double *u = malloc(req * gd * sizeof *u), row[4] = {0, 0, 0, 0}, xt[4], nt[3];
  if (!u) return pinn_error_set(err, PINN_ENOMEM, "geometry sampling: out of memory");
  int rc = pinn_sampler_fill(sg, req, u);
  if (rc) {
    free(u);
    return pinn_error_set(err, rc, "geometry sampling: %s", pinn_sampler_errmsg(sg));
  }
  const size_t cnt = pinn_sampler_count(sg, req);
  /* a piece's grid lacks the density coordinate d - 1: the pass-through
   * coordinate is its last */
  const size_t own = piece == NONE ? gd : (xs > d ? gd - 1 : gd);
  for (size_t i = 0; i < cnt && got <= n; ++i) {
    memcpy(row, u + i * gd, own * sizeof *u);
    if (xs > d) row[d] = u[i * gd + gd - 1];
    if (accept(g, piece, row, xt, nt)) {
      if (got < n && x) {
        memcpy(x + got * xs, xt, d * sizeof *xt);
        if (xs > d) x[got * xs + d] = row[d];
        if (nrm) memcpy(nrm + got * d, nt, d * sizeof *nt);
      }
      ++got;
    }
  }
  free(u);
  *kept = got;
  return 0;
}

/* GRID: a side m keeping <= n points while m + 1 keeps more, from the
 * largest grid of at most n points (all of which may be kept). */
static int fill_grid(const pinn_geom *g, size_t piece, pinn_sampler *s, size_t n, double *x,
                     double *nrm, size_t *count, pinn_error *err)
{
  const size_t xs = pinn_sampler_dim(s), gd = piece == NONE ? xs : xs - 1;
  pinn_sampler *sg = piece == NONE ? s : pinn_sampler_alloc(PINN_SAMPLER_GRID, gd, 0, err);
  if (!sg) return err ? err->code : PINN_ENOMEM;
  /* lo: the largest side seen with kept <= n, hi: the smallest with more (0:
   * none yet).  Jump by the kept fraction (up to sides of 8 n + 65536
   * points: a region filling less of its box gets fewer points), then step
   * down from an overshoot. */
  size_t m = 1, mmax, kept = 0, lo = 0, hi = 0;
  int rc = 0;
  while (pow((double)(m + 1), (double)gd) <= (double)n) ++m;
  for (mmax = m; pow((double)(mmax + 1), (double)gd) <= 8.0 * (double)n + 65536.0;) ++mmax;
  for (;;) {
    if ((rc = grid_pass(g, piece, sg, m, n, xs, NULL, NULL, &kept, err))) break;
    if (kept > n)
      hi = m;
    else
      lo = m;
    if (hi ? hi == lo + 1 : m == mmax) break;
    if (hi) {
      m = hi - 1;
    } else {
      const double jump = kept ? pow((double)n / (double)kept, 1.0 / (double)gd) : 2.0;
      const size_t next = (size_t)fmin((double)m * jump, (double)mmax);
      m = next > m ? next : m + 1;
    }
  }
  if (!rc && lo) rc = grid_pass(g, piece, sg, lo, n, xs, x, nrm, count, err);
  if (sg != s) pinn_sampler_free(sg);
  return rc;
}

/* n kept points of a piece (NONE: the interior) into x (rows of the
 * sampler's dim: d, or d + 1 with the pass-through coordinate last) and nrm
 * (rows of d). */
static int fill(const pinn_geom *g, size_t piece, pinn_sampler *s, size_t n, double *x, double *nrm,
                size_t *count, pinn_error *err)
{
  const size_t d = g->d, sd = pinn_sampler_dim(s);
  *count = 0;
  if (n == 0) return 0;
  if (pinn_sampler_get_kind(s) == PINN_SAMPLER_GRID)
    return fill_grid(g, piece, s, n, x, nrm, count, err);
  double *u = malloc(BATCH_MAX * sd * sizeof *u);
  if (!u) return pinn_error_set(err, PINN_ENOMEM, "geometry sampling: out of memory");
  size_t got = 0, drawn = 0;
  while (got < n) {
    size_t b = n - got;
    b = b < 256 ? 256 : b > BATCH_MAX ? BATCH_MAX : b;
    int rc = pinn_sampler_fill(s, b, u);
    if (rc) {
      free(u);
      return pinn_error_set(err, rc, "geometry sampling: %s", pinn_sampler_errmsg(s));
    }
    for (size_t i = 0; i < b && got < n; ++i)
      if (accept(g, piece, u + i * sd, x + got * sd, nrm ? nrm + got * d : NULL)) {
        if (sd > d) x[got * sd + d] = u[i * sd + d];
        ++got;
      }
    drawn += b;
    if (got == 0 && drawn >= MAX_DRAWS) {
      free(u);
      return pinn_error_set(err, PINN_EFAILED,
                            "geometry sampling: no point kept after %zu draws: the %s has "
                            "(almost) zero measure",
                            drawn, piece == NONE ? "region" : "boundary piece");
    }
  }
  free(u);
  *count = got;
  return 0;
}

/* ---------------------------------------------------------------------------
 * Preparing the region */

static void subtree_mark(const pinn_geom *g, size_t i, unsigned char *mark)
{
  const gnode *n = &g->nodes[i];
  mark[i] = 1;
  if (n->kind < K_UNION) return;
  subtree_mark(g, n->a, mark);
  subtree_mark(g, n->b, mark);
}

/* 1 when the bounding box of a piece meets that of no other primitive of
 * the tree: every other primitive is then "outside" all along the piece, so
 * one point classifies all of it (exactly). */
static int piece_isolated(const pinn_geom *g, const unsigned char *mark, const gpiece *pc)
{
  const gnode *p = &g->nodes[pc->node];
  double lo[3], hi[3];
  memcpy(lo, p->lo, sizeof lo);
  memcpy(hi, p->hi, sizeof hi);
  if (p->kind == K_BOX) {
    const size_t a = pc->local / 2;
    lo[a] = hi[a] = pc->local % 2 ? p->hi[a] : p->lo[a];
  } else if (p->kind == K_POLYGON) {
    const double *v = p->v + 2 * pc->local, *w = p->v + 2 * ((pc->local + 1) % p->nv);
    for (size_t k = 0; k < 2; ++k) {
      lo[k] = fmin(v[k], w[k]);
      hi[k] = fmax(v[k], w[k]);
    }
  }
  for (size_t i = 0; i < g->nn; ++i) {
    const gnode *q = &g->nodes[i];
    if (!mark[i] || i == pc->node || q->kind >= K_UNION) continue;
    size_t k = 0;
    while (k < g->d && q->lo[k] <= hi[k] && lo[k] <= q->hi[k]) ++k;
    if (k == g->d) return 0;
  }
  return 1;
}

int pinn_geom_set_root(pinn_geom *g, size_t node)
{
  const char *fn = "pinn_geom_set_root";
  const size_t d = g->d;
  g->ready = 0;
  if (node >= g->nn)
    return pinn_error_set(&g->err, PINN_EINVAL, "%s: no node %zu (%zu nodes)", fn, node, g->nn);
  if (g->nodes[node].used)
    return pinn_error_set(&g->err, PINN_EINVAL,
                          "%s: node %zu is an operand of another node; use the top node", fn, node);
  const gnode *r = &g->nodes[node];
  for (size_t k = 0; k < d; ++k)
    if (!(r->lo[k] < r->hi[k]))
      return pinn_error_set(&g->err, PINN_EINVAL,
                            "%s: the region is empty (its bounding box is empty on axis %zu)", fn,
                            k);
  unsigned char *mark = calloc(g->nn, 1);
  pinn_error e;
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_HALTON, d, 0, &e);
  double *u = malloc(PINN_GEOM_QMC_POINTS * d * sizeof *u);
  int rc = 0;
  if (!mark || !s || !u) {
    rc = pinn_error_set(&g->err, PINN_ENOMEM, "%s: out of memory", fn);
    goto done;
  }
  subtree_mark(g, node, mark);
  g->root = node;
  /* The region must hold interior points. */
  size_t inside = 0;
  double x[3];
  if ((rc = pinn_sampler_fill(s, PINN_GEOM_QMC_POINTS, u))) goto sampler_failed;
  for (size_t i = 0; i < PINN_GEOM_QMC_POINTS; ++i) inside += accept(g, NONE, u + i * d, x, NULL);
  if (inside == 0) {
    rc = pinn_error_set(
        &g->err, PINN_EINVAL,
        "%s: the region is empty or has zero measure (none of %d points of its bounding "
        "box lies inside)",
        fn, PINN_GEOM_QMC_POINTS);
    goto done;
  }
  g->volume = (double)inside / PINN_GEOM_QMC_POINTS;
  for (size_t k = 0; k < d; ++k) g->volume *= r->hi[k] - r->lo[k];
  /* Each piece: the fraction of it on the region's boundary, its side. */
  for (size_t pi = 0; pi < g->npc; ++pi) {
    gpiece *pc = &g->pieces[pi];
    const gnode *p = &g->nodes[pc->node];
    size_t tot = 0, plus = 0, minus = 0, cross = 0;
    if (mark[pc->node]) {
      const int one = piece_isolated(g, mark, pc);
      for (size_t i = 0; i < PINN_GEOM_QMC_POINTS && !(one && tot); ++i) { /* same Halton points */
        double nrm[3];
        if (!piece_point(d, p, pc->local, u + i * d, x, nrm)) continue;
        ++tot;
        const int c = classify(g, pc->node, x);
        plus += c == 1;
        minus += c == -1;
        cross += c == 2;
      }
    }
    pc->on_measure = plus + minus == tot && tot ? pc->measure
                     : tot                      ? pc->measure * (double)(plus + minus) / (double)tot
                                                : 0.0;
    pc->orient = plus >= minus ? 1 : -1;
    pc->crosses = cross > 0;
  }
  g->ready = 1;
  goto done;
sampler_failed:
  rc = pinn_error_set(&g->err, rc, "%s: %s", fn, pinn_sampler_errmsg(s));
done:
  free(mark);
  free(u);
  pinn_sampler_free(s);
  return rc;
}

/* ---------------------------------------------------------------------------
 * Parts, counts, sampling */

static int need_ready(const pinn_geom *g, const char *fn, pinn_error *err)
{
  return g->ready ? 0
                  : pinn_error_set(err, PINN_EINVAL,
                                   "%s: the geometry has no region; call pinn_geom_set_root", fn);
}

int pinn_geom_ready(const pinn_geom *g) { return g && g->ready; }

double pinn_geom_volume(const pinn_geom *g) { return g && g->ready ? g->volume : NAN; }

int pinn_geom_part_measure(const pinn_geom *g, const char *name, double *total, double *on_boundary,
                           pinn_error *err)
{
  const char *fn = "pinn_geom_part_measure";
  if (need_ready(g, fn, err)) return PINN_EINVAL;
  const size_t id = name ? name_find(g, name) : NONE;
  if (id == NONE)
    return pinn_error_set(err, PINN_EINVAL, "%s: no part is named '%s'", fn, name ? name : "");
  double t = 0.0, o = 0.0;
  for (size_t i = 0; i < g->npc; ++i)
    if (g->pieces[i].name == id) {
      t += g->pieces[i].measure;
      o += g->pieces[i].on_measure;
    }
  if (total) *total = t;
  if (on_boundary) *on_boundary = o;
  return 0;
}

/* Hamilton apportionment of n by weights w (k entries, sum > 0): floors,
 * then one more for the largest remainders, ties to the lower index. */
static void largest_remainders(size_t k, const double *w, size_t n, size_t *out)
{
  double sum = 0.0;
  size_t given = 0;
  for (size_t i = 0; i < k; ++i) sum += w[i];
  for (size_t i = 0; i < k; ++i) {
    out[i] = (size_t)floor((double)n * w[i] / sum);
    given += out[i];
  }
  while (given < n) {
    size_t best = NONE;
    double br = -1.0;
    for (size_t i = 0; i < k; ++i) {
      if (w[i] <= 0.0) continue;
      const double rem = (double)n * w[i] / sum - (double)out[i];
      if (rem > br) {
        br = rem;
        best = i;
      }
    }
    out[best] += 1; /* its remainder is now negative: never chosen again */
    ++given;
  }
}

/* Resolve part names to name ids (ids: nparts entries). */
static int parts_resolve(const pinn_geom *g, const char *fn, size_t nparts,
                         const char *const *parts, size_t *ids, double *meas, pinn_error *err)
{
  if (need_ready(g, fn, err)) return PINN_EINVAL;
  if (nparts == 0 || !parts) return pinn_error_set(err, PINN_EINVAL, "%s: no part named", fn);
  for (size_t j = 0; j < nparts; ++j) {
    ids[j] = parts[j] ? name_find(g, parts[j]) : NONE;
    if (ids[j] == NONE) {
      size_t len = 0;
      char known[256] = "";
      for (size_t i = 0; i < g->nnames && len + 1 < sizeof known; ++i)
        if (name_used(g, i))
          len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", len ? ", " : "",
                                  g->names[i]);
      return pinn_error_set(err, PINN_EINVAL, "%s: no part is named '%s' (parts: %s)", fn,
                            parts[j] ? parts[j] : "(null)", known);
    }
    for (size_t i = 0; i < j; ++i)
      if (ids[i] == ids[j])
        return pinn_error_set(err, PINN_EINVAL, "%s: part '%s' is given twice", fn, parts[j]);
    meas[j] = 0.0;
    for (size_t i = 0; i < g->npc; ++i)
      if (g->pieces[i].name == ids[j]) meas[j] += g->pieces[i].on_measure;
    if (!(meas[j] > 0.0))
      return pinn_error_set(err, PINN_EINVAL,
                            "%s: part '%s' has no piece on the boundary of the region", fn,
                            parts[j]);
  }
  return 0;
}

/* Counts per part (cpart) and per piece (cpiece, npc entries). */
static int plan(const pinn_geom *g, const char *fn, size_t nparts, const char *const *parts,
                size_t n, size_t *cpart, size_t *cpiece, pinn_error *err)
{
  size_t *ids = malloc((nparts + 1) * sizeof *ids);
  double *meas = malloc((nparts + g->npc + 1) * sizeof *meas);
  size_t *tmp = malloc((g->npc + 1) * sizeof *tmp), *sel = malloc((g->npc + 1) * sizeof *sel);
  int rc = 0;
  if (!ids || !meas || !tmp || !sel) {
    rc = pinn_error_set(err, PINN_ENOMEM, "%s: out of memory", fn);
    goto done;
  }
  if ((rc = parts_resolve(g, fn, nparts, parts, ids, meas, err))) goto done;
  largest_remainders(nparts, meas, n, cpart);
  if (cpiece) {
    double *w = meas + nparts;
    for (size_t i = 0; i < g->npc; ++i) cpiece[i] = 0;
    for (size_t j = 0; j < nparts; ++j) {
      size_t k = 0;
      for (size_t i = 0; i < g->npc; ++i)
        if (g->pieces[i].name == ids[j]) {
          sel[k] = i;
          w[k++] = g->pieces[i].on_measure;
        }
      largest_remainders(k, w, cpart[j], tmp);
      for (size_t i = 0; i < k; ++i) cpiece[sel[i]] = tmp[i];
    }
  }
done:
  free(ids);
  free(meas);
  free(tmp);
  free(sel);
  return rc;
}

int pinn_geom_boundary_counts(const pinn_geom *g, size_t nparts, const char *const *parts, size_t n,
                              size_t *counts, pinn_error *err)
{
  return plan(g, "pinn_geom_boundary_counts", nparts, parts, n, counts, NULL, err);
}

static int sampler_ok(const pinn_geom *g, const char *fn, const pinn_sampler *s, const void *x,
                      pinn_error *err)
{
  if (need_ready(g, fn, err)) return PINN_EINVAL;
  if (!s || !x) return pinn_error_set(err, PINN_EINVAL, "%s: the sampler and x are required", fn);
  if (pinn_sampler_dim(s) != g->d && pinn_sampler_dim(s) != g->d + 1)
    return pinn_error_set(err, PINN_EINVAL,
                          "%s: the sampler has dim %zu; this needs dim %zu (or %zu with a "
                          "pass-through coordinate)",
                          fn, pinn_sampler_dim(s), g->d, g->d + 1);
  return 0;
}

int pinn_geom_sample_interior(const pinn_geom *g, pinn_sampler *s, size_t n, double *x,
                              size_t *count, pinn_error *err)
{
  size_t got = 0;
  int rc = sampler_ok(g, "pinn_geom_sample_interior", s, x, err);
  if (!rc) rc = fill(g, NONE, s, n, x, NULL, &got, err);
  if (count) *count = got;
  return rc;
}

int pinn_geom_sample_boundary(const pinn_geom *g, size_t nparts, const char *const *parts,
                              pinn_sampler *s, size_t n, double *x, double *normals, size_t *part,
                              size_t *count, pinn_error *err)
{
  const char *fn = "pinn_geom_sample_boundary";
  size_t got = 0;
  int rc = sampler_ok(g, fn, s, x, err);
  size_t *cpart = rc ? NULL : malloc((nparts + 1) * sizeof *cpart);
  size_t *cpiece = rc ? NULL : malloc((g->npc + 1) * sizeof *cpiece);
  if (!rc && (!cpart || !cpiece)) rc = pinn_error_set(err, PINN_ENOMEM, "%s: out of memory", fn);
  if (!rc) rc = plan(g, fn, nparts, parts, n, cpart, cpiece, err);
  for (size_t j = 0; !rc && j < nparts; ++j) {
    const size_t id = name_find(g, parts[j]);
    for (size_t i = 0; !rc && i < g->npc; ++i) {
      if (g->pieces[i].name != id || cpiece[i] == 0) continue;
      size_t c = 0;
      rc = fill(g, i, s, cpiece[i], x + got * pinn_sampler_dim(s),
                normals ? normals + got * g->d : NULL, &c, err);
      if (part)
        for (size_t k = 0; k < c; ++k) part[got + k] = j;
      got += c;
    }
  }
  free(cpart);
  free(cpiece);
  if (count) *count = got;
  return rc;
}

/* ---------------------------------------------------------------------------
 * Approximate distance function */

/* Trimmed ADF sqrt(f^2 + ((sqrt(t^2 + f^4) - t) / 2)^2), the difference
 * written without cancellation for t > 0. */
static pinn_xjet trimmed(pinn_xjet f, pinn_xjet t)
{
  const pinn_xjet f2 = px_sq(f), f4 = px_sq(f2), rho = px_sqrt(px_add(px_sq(t), f4));
  const pinn_xjet w =
      t.v > 0.0 ? px_div(f4, px_scale(px_add(rho, t), 2.0)) : px_scale(px_sub(rho, t), 0.5);
  return px_sqrt(px_add(f2, px_sq(w)));
}

/* (h^2 - (x - c)^2) / (2 h): >= 0 on the slab |x - c| <= h. */
static pinn_xjet slab(pinn_xjet x, double c, double h)
{
  return px_scale(px_csub(h * h, px_sq(px_subc(x, c))), 0.5 / h);
}

static pinn_xjet piece_adf(const pinn_geom *g, const gpiece *pc, const pinn_xjet *x)
{
  const gnode *p = &g->nodes[pc->node];
  const size_t d = g->d, k = pc->local;
  switch (p->kind) {
  case K_BOX: {
    const size_t a = k / 2;
    const pinn_xjet f = px_subc(x[a], k % 2 ? p->hi[a] : p->lo[a]);
    pinn_xjet t[2];
    for (size_t j = 0, m = 0; j < d; ++j)
      if (j != a) t[m++] = slab(x[j], p->c[j], p->h[j]);
    if (d == 3) /* R0 conjunction: >= 0 where both are */
      t[0] = px_sub(px_add(t[0], t[1]), px_sqrt(px_add(px_sq(t[0]), px_sq(t[1]))));
    return trimmed(f, t[0]);
  }
  case K_BALL:
  case K_ELLIPSOID: {
    pinn_xjet q = px_const(0.0);
    double amin = p->h[0];
    for (size_t j = 0; j < d; ++j) {
      q = px_add(q, px_sq(px_scale(px_subc(x[j], p->c[j]), 1.0 / p->h[j])));
      amin = fmin(amin, p->h[j]);
    }
    return px_scale(px_csub(1.0, q), 0.5 * amin * pc->orient);
  }
  case K_POLYGON: {
    const double *a = p->v + 2 * k, *b = p->v + 2 * ((k + 1) % p->nv);
    const double l = hypot(b[0] - a[0], b[1] - a[1]);
    const pinn_xjet dx = px_subc(x[0], a[0]), dy = px_subc(x[1], a[1]);
    const pinn_xjet f =
        px_scale(px_sub(px_scale(dx, b[1] - a[1]), px_scale(dy, b[0] - a[0])), 1.0 / l);
    const pinn_xjet mx = px_subc(x[0], 0.5 * (a[0] + b[0]));
    const pinn_xjet my = px_subc(x[1], 0.5 * (a[1] + b[1]));
    const pinn_xjet t = px_scale(px_csub(0.25 * l * l, px_add(px_sq(mx), px_sq(my))), 1.0 / l);
    return trimmed(f, t);
  }
  case K_CYLINDER: {
    pinn_xjet ax = px_const(0.0), y2 = px_const(0.0);
    for (size_t j = 0; j < 3; ++j) {
      const pinn_xjet y = px_subc(x[j], p->p0[j]);
      ax = px_add(ax, px_scale(y, p->ax[j]));
      y2 = px_add(y2, px_sq(y));
    }
    const pinn_xjet radial = px_scale(px_csub(p->r * p->r, px_sub(y2, px_sq(ax))), 0.5 / p->r);
    if (k == 0) return trimmed(radial, slab(ax, 0.5 * p->len, 0.5 * p->len));
    return trimmed(k == 1 ? ax : px_subc(ax, p->len), radial);
  }
  }
  return px_const(NAN);
}

void pinn_geom_adf_eval(const pinn_geom_adf *a, const pinn_xjet *x, pinn_xjet *out)
{
  /* phi = P / D with P = prod phi_i, D = sum_j prod_{i != j} phi_i, both
   * rescaled by the same constant after each factor (no underflow). */
  pinn_xjet P = px_const(1.0), D = px_const(0.0);
  for (size_t i = 0; i < a->n; ++i) {
    const pinn_xjet f = piece_adf(a->g, &a->g->pieces[a->piece[i]], x);
    if (f.v == 0.0) { /* on a piece: phi = phi_i there (and 0/0 where two meet) */
      *out = f;
      return;
    }
    D = px_add(px_mul(D, f), P);
    P = px_mul(P, f);
    const double sc = fabs(D.v);
    if (sc > 0.0 && isfinite(sc)) {
      D = px_scale(D, 1.0 / sc);
      P = px_scale(P, 1.0 / sc);
    }
  }
  *out = px_div(P, D);
}

int pinn_geom_adf_xjet(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  pinn_geom_adf_eval((const pinn_geom_adf *)ctx, x, out);
  return 0;
}

void pinn_geom_adf_free(pinn_geom_adf *a)
{
  if (!a) return;
  free(a->piece);
  free(a);
}

void pinn_geom_adf_destroy(void *a) { pinn_geom_adf_free(a); }

pinn_geom_adf *pinn_geom_adf_alloc(const pinn_geom *g, size_t nparts, const char *const *parts,
                                   pinn_error *err)
{
  const char *fn = "pinn_geom_adf_alloc";
  size_t *cpart = malloc((nparts ? nparts : 1) * sizeof *cpart);
  pinn_geom_adf *a = calloc(1, sizeof *a);
  double *u = malloc(ADF_CHECK_POINTS * 3 * sizeof *u);
  pinn_sampler *s = NULL;
  int rc = 0;
  if (!cpart || !a || !u || !(a->piece = malloc((g->npc ? g->npc : 1) * sizeof *a->piece))) {
    rc = pinn_error_set(err, PINN_ENOMEM, "%s: out of memory", fn);
    goto done;
  }
  a->g = g;
  if ((rc = plan(g, fn, nparts, parts, 0, cpart, NULL, err))) goto done;
  for (size_t i = 0; i < g->npc; ++i) {
    const gpiece *pc = &g->pieces[i];
    size_t j = 0;
    while (j < nparts && strcmp(g->names[pc->name], parts[j]) != 0) ++j;
    if (j == nparts || pc->on_measure <= 0.0) continue;
    if (pc->crosses) {
      rc = pinn_error_set(err, PINN_EINVAL,
                          "%s: part '%s' passes through the interior of the region (piece %zu of "
                          "node %zu); phi would vanish inside",
                          fn, parts[j], pc->local, pc->node);
      goto done;
    }
    a->piece[a->n++] = i;
  }
  /* phi must be positive inside. */
  pinn_error e;
  size_t got = 0;
  const size_t d = g->d;
  if (!(s = pinn_sampler_alloc(PINN_SAMPLER_HALTON, d, 0, &e)) ||
      (rc = fill(g, NONE, s, ADF_CHECK_POINTS, u, NULL, &got, err))) {
    if (!s) rc = pinn_error_set(err, e.code, "%s: %s", fn, e.msg);
    goto done;
  }
  for (size_t i = 0; i < got; ++i) {
    pinn_xjet xj[PINN_XJET_MAX], phi;
    for (size_t k = 0; k < PINN_XJET_MAX; ++k) xj[k] = px_var(k < d ? u[i * d + k] : 0.0, (int)k);
    pinn_geom_adf_eval(a, xj, &phi);
    if (!(phi.v > 0.0)) {
      rc = pinn_error_set(err, PINN_EINVAL,
                          "%s: phi of the chosen parts is %g at the interior point (%g, %g, %g) "
                          "(z = 0 in 2-d); it must be positive inside",
                          fn, phi.v, u[i * d], u[i * d + 1], d == 3 ? u[i * d + 2] : 0.0);
      goto done;
    }
  }
done:
  free(cpart);
  free(u);
  pinn_sampler_free(s);
  if (rc) {
    pinn_geom_adf_free(a);
    return NULL;
  }
  return a;
}
