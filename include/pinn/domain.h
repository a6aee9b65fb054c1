/* libpinn — a problem's domain: a box, a ball or any pinn_geom region (2-D/3-D
 * polygons and constructive solid geometry, pinn/geometry.h) in space,
 * optionally x time, and the maps from unit-cube samples (pinn_sampler) to
 * training points.
 *
 * A domain is a box prod_k [lo_k, hi_k] or a ball |x - c| <= r in d space
 * dimensions (1 <= d <= PINN_DOMAIN_MAX_DIM = PINN_MAX_INPUTS - 1), or the
 * region of a geometry (d = 2, 3; pinn_domain_geometry), optionally
 * times a time interval [t0, t1].  A point is a row of pinn_domain_dim(dom) =
 * d (+1 when timed) doubles, time LAST; arrays of points are row-major n x dim.
 * Normals are rows of d doubles (space only).
 *
 * Regions and the maps used (u = the sampler's coordinates, time last):
 *   interior   box: x_k = lo_k + (hi_k - lo_k) u_k.
 *              ball: direction and radius rho = r v^(1/d) (uniform in volume):
 *                d = 2: angle 2 pi u_0, rho from u_1;
 *                d = 3: z = 1 - 2 u_0, azimuth 2 pi u_1 (Archimedes' equal-area
 *                  map of the sphere), rho from u_2;
 *                d >= 4: direction g / |g| with g_k = Phi^-1(u_k), k < d
 *                  (gsl_cdf_ugaussian_Pinv; Muller 1959), rho from u_d.
 *              Timed: t = t0 + (t1 - t0) u_last.
 *   boundary   the space boundary (x [t0, t1] when timed), with outward unit
 *              normals.  Box: faces numbered f = 2k (x_k = lo_k) and 2k + 1
 *              (x_k = hi_k); the n points are shared among the selected faces
 *              in proportion to their area by largest remainders (ties to the
 *              lower face), then each face is filled from the sampler in face
 *              order (rows grouped by face, in face order), the d - 1 free
 *              coordinates in increasing axis order.  d = 1: the two end
 *              points share n evenly (the extra point goes to lo).  Ball: one
 *              face (number 0), the sphere, with the direction maps above.
 *   initial    the interior of the space domain at t = t0 (timed domains).
 *
 * Geometry domains (PINN_DOMAIN_GEOM) sample with pinn/geometry.h's maps
 * (rejection on the bounding box inside; by measure over the boundary
 * parts), time as its pass-through coordinate: t = t0 + (t1 - t0) u_last.
 *
 * Boundary parts.  Every domain names the pieces of its boundary, so a
 * condition can target some of them by name (pinn_domain_sample_parts,
 * pinn_problem_set_parts): a box (and an interval) has the parts "x0-",
 * "x0+", "x1-", ... (face x_k = lo_k, x_k = hi_k: face numbers 2k, 2k + 1),
 * a ball of d >= 2 the one part "ball", a geometry the parts its pieces were
 * named (pinn_geom_name; default names as listed in pinn/geometry.h).  The
 * "faces" of the face-mask calls are these parts in pinn_domain_part_name
 * order (a geometry's first 16 parts have bits; PINN_FACES_ALL selects all
 * of any number).
 *
 * pinn_domain_sampler_dim(dom, region) is the sampler dim a region needs.  A
 * region needing 0 coordinates (the end points of an untimed interval, the
 * single pair of periodic points of an untimed interval) ignores the sampler,
 * which may be NULL, and repeats its points to give n rows.
 *
 * GRID samplers give regular point sets, never more than n points (the
 * number written is returned in *count; every other kind writes exactly n):
 *   box interior / initial / periodic faces: a cell-centred tensor grid
 *     (points at the centres of equal cells, none on the boundary) with
 *     spacing as equal as the counts allow across all axes, time included,
 *     in the problem's own units: m_k = max(1, round(s L_k)) points on an axis
 *     of length L_k, with the largest s such that prod m_k <= n.
 *   box boundary: the nodes of the tensor grid that INCLUDES the ends
 *     (m_k = max(2, 1 + round(s L_k)) nodes on space axis k, spacing
 *     L_k / (m_k - 1)) lying on a selected face, each node exactly once
 *     (corners and edges too), times a cell-centred grid of m_t =
 *     max(1, round(s (t1 - t0))) time levels when timed; s is the largest
 *     with (prod m_k - prod (m_k - a_k)) m_t <= n, a_k = selected faces on
 *     axis k.  On a unit square with n = 4m - 4 this is m equally spaced
 *     points per side, every corner once.  Rows: time level slowest, then
 *     each node with the lowest selected face it lies on, in face order.  A
 *     node on several selected faces (edge, corner) gets the normalised sum
 *     of their normals (the normal of the rounded corner).
 *   ball: the sampler's cell-centred cube grid mapped as above (a polar grid
 *     for d = 2; a valid but irregular set for d >= 4).
 *   geometry: pinn/geometry.h's GRID rule (the cell-centred grid of the
 *     bounding box, time included, with the most points <= n inside; on
 *     parts, a regular grid of each piece).
 * The GRID sampler must still have the dim pinn_domain_sampler_dim gives, so
 * swapping GRID for another kind needs no other change.
 */
#ifndef PINN_DOMAIN_H
#define PINN_DOMAIN_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/sample.h>

PINN_BEGIN_DECLS

/* Most network inputs (space dimensions plus time); the same value as in
 * pinn/mlp.h, repeated so this header stands alone. */
#ifndef PINN_MAX_INPUTS
#define PINN_MAX_INPUTS 9
#endif
/* Most space dimensions of a domain (one input is kept for time). */
#define PINN_DOMAIN_MAX_DIM (PINN_MAX_INPUTS - 1)

/* Shape of the space domain (0 is deliberately not a kind: a zeroed struct
 * is refused by pinn_domain_check). */
typedef enum pinn_domain_kind {
  PINN_DOMAIN_BOX = 1,
  PINN_DOMAIN_BALL = 2,
  PINN_DOMAIN_GEOM = 3 /* the region of a pinn_geom (pinn/geometry.h) */
} pinn_domain_kind;

/* A geometry (pinn/geometry.h). */
typedef struct pinn_geom pinn_geom;

/* Where training points are wanted. */
typedef enum pinn_region {
  PINN_REGION_INTERIOR = 0, /* space interior (x time) */
  PINN_REGION_BOUNDARY = 1, /* space boundary (x time), with normals */
  PINN_REGION_INITIAL = 2   /* space interior at t = t0 */
} pinn_region;

/* Face bit masks for pinn_domain_sample_faces / pinn_domain_face_counts:
 * face x_k = lo_k, face x_k = hi_k, and every face (bits past the domain's
 * faces are ignored; a ball of d >= 2 has the single face 0). */
#define PINN_FACE_LO(k) (1u << (2u * (unsigned)(k)))
#define PINN_FACE_HI(k) (1u << (2u * (unsigned)(k) + 1u))
#define PINN_FACES_ALL 0xFFFFu

/* A domain: an open value type.  Fill it with the constructors below (which
 * validate); if filled by hand, pinn_domain_check validates it, and every
 * function below checks it again. */
typedef struct pinn_domain {
  pinn_domain_kind kind;
  size_t d;                            /* space dimensions, 1..PINN_DOMAIN_MAX_DIM */
  double lo[PINN_DOMAIN_MAX_DIM];      /* box: lower corner (lo_k < hi_k) */
  double hi[PINN_DOMAIN_MAX_DIM];      /* box: upper corner */
  double center[PINN_DOMAIN_MAX_DIM];  /* ball: centre */
  double radius;                       /* ball: radius > 0 */
  int has_time;                        /* nonzero: domain x [t0, t1] */
  double t0, t1;                       /* time interval, t0 < t1 */
  const pinn_geom *geom;               /* geometry: borrowed, prepared by pinn_geom_set_root */
} pinn_domain;

/* Set *dom to the interval [a, b] (a box with d = 1, untimed).  Returns 0 or
 * PINN_EINVAL (a >= b or not finite; *dom unchanged) with err filled. */
int pinn_domain_interval(pinn_domain *dom, double a, double b, pinn_error *err);

/* Set *dom to the box prod_k [lo[k], hi[k]], k < d (arrays of d doubles,
 * copied), untimed.  Returns 0 or PINN_EINVAL (d out of 1..8, lo[k] >= hi[k],
 * not finite; *dom unchanged). */
int pinn_domain_box(pinn_domain *dom, size_t d, const double *lo, const double *hi,
                    pinn_error *err);

/* Set *dom to the ball |x - center| <= r in d dimensions (center: d doubles,
 * copied), untimed.  Returns 0 or PINN_EINVAL (d out of range, r <= 0, not
 * finite; *dom unchanged). */
int pinn_domain_ball(pinn_domain *dom, size_t d, const double *center, double r,
                     pinn_error *err);

/* Set *dom to the region of g (d = pinn_geom_dim(g)), untimed.  g is
 * borrowed: it must stay alive and unchanged while the domain (and any
 * problem or loss holding it; pinn_problem_own_geometry hands it to a
 * problem) is used.  Returns 0 or PINN_EINVAL (g NULL, or
 * pinn_geom_set_root not called since the last building call; *dom
 * unchanged). */
int pinn_domain_geometry(pinn_domain *dom, const pinn_geom *g, pinn_error *err);

/* Make *dom (a valid domain) space x [t0, t1].  Returns 0 or PINN_EINVAL
 * (t0 >= t1, not finite, invalid dom; *dom unchanged). */
int pinn_domain_with_time(pinn_domain *dom, double t0, double t1, pinn_error *err);

/* Validate a domain filled by hand.  Returns 0 or PINN_EINVAL with err
 * saying which field is wrong. */
int pinn_domain_check(const pinn_domain *dom, pinn_error *err);

/* Coordinates per point: d, plus 1 when timed. */
size_t pinn_domain_dim(const pinn_domain *dom);

/* Number of boundary faces (= parts): 2d for a box (and a ball with d = 1),
 * 1 for a ball with d >= 2, the number of parts of a geometry. */
size_t pinn_domain_num_faces(const pinn_domain *dom);

/* Name of boundary part (face) i < pinn_domain_num_faces(dom): "x0-",
 * "x0+", ... for a box, "ball", or the geometry's part name; NULL past the
 * end.  (Owned by the domain or its geometry.) */
const char *pinn_domain_part_name(const pinn_domain *dom, size_t i);

/* Check that the nparts names in parts are distinct boundary parts of dom;
 * PINN_EINVAL naming the unknown (or repeated, or absent from the
 * boundary of a geometry's region) part and listing the known ones. */
int pinn_domain_check_parts(const pinn_domain *dom, size_t nparts, const char *const *parts,
                            pinn_error *err);

/* Bounding box of the domain, time included: lo and hi get dim doubles each. */
void pinn_domain_bounds(const pinn_domain *dom, double *lo, double *hi);

/* 1 if the point x (dim doubles, time last) lies in the closed domain
 * (boundary included, no tolerance), else 0. */
int pinn_domain_contains(const pinn_domain *dom, const double *x);

/* Signed Euclidean distance from the space part of x to the space boundary:
 * negative inside, 0 on it, positive outside (time is ignored). */
double pinn_domain_signed_distance(const pinn_domain *dom, const double *x);

/* Measure of a region: interior = volume (length, area) x (t1 - t0) when
 * timed; boundary = surface measure (the 2 end points count 1 each when
 * d = 1) x (t1 - t0) when timed; initial = volume (0 when untimed).  A
 * geometry's volume is pinn_geom_volume's estimate, its boundary the sum of
 * its parts' measures on the boundary (pinn_geom_part_measure). */
double pinn_domain_measure(const pinn_domain *dom, pinn_region region);

/* Sampler dim a region needs (allocate the sampler with it):
 *   box:  interior d (+1), boundary and periodic faces d - 1 (+1), initial d;
 *   ball: interior 2, 3, d + 1 for d = 2, 3, >= 4 (+1); boundary 1, 2, d (+1);
 *         initial as the untimed interior;
 *   geometry: interior d (+1), boundary d (+1), initial d;
 * (+1) when timed.  0 also for a region the domain lacks (initial of an
 * untimed domain); the sampling call then says why. */
size_t pinn_domain_sampler_dim(const pinn_domain *dom, pinn_region region);

/* Write n interior points (space x time when timed) into x (room for n x dim
 * doubles), *count (if not NULL) = rows written (n except GRID, see above).
 * s must have dim pinn_domain_sampler_dim(dom, PINN_REGION_INTERIOR); it is
 * advanced.  Returns 0, PINN_EINVAL (invalid domain, NULL array, sampler of
 * the wrong dim) or the sampler's failure, with err filled. */
int pinn_domain_sample_interior(const pinn_domain *dom, pinn_sampler *s, size_t n, double *x,
                                size_t *count, pinn_error *err);

/* Write n boundary points (x time when timed) into x (n x dim) and their
 * outward unit normals into normals (n x d; NULL if not wanted).  Same as
 * pinn_domain_sample_faces(dom, PINN_FACES_ALL, ...). */
int pinn_domain_sample_boundary(const pinn_domain *dom, pinn_sampler *s, size_t n, double *x,
                                double *normals, size_t *count, pinn_error *err);

/* As pinn_domain_sample_boundary, on the selected faces only (a mask of
 * PINN_FACE_LO(k) | PINN_FACE_HI(k) bits), points shared among them by
 * area.  s must have dim pinn_domain_sampler_dim(dom, PINN_REGION_BOUNDARY).
 * Returns 0 or PINN_EINVAL (also: no face selected; GRID with fewer points
 * than the corner nodes of the selected faces), with err filled. */
int pinn_domain_sample_faces(const pinn_domain *dom, unsigned faces, pinn_sampler *s, size_t n,
                             double *x, double *normals, size_t *count, pinn_error *err);

/* As pinn_domain_sample_faces on the boundary parts named in parts (nparts
 * distinct names, see "Boundary parts"): points shared among them by their
 * measure on the boundary (x the time interval), rows grouped by part (box:
 * in face order; geometry: in the order given).  Returns 0 or PINN_EINVAL
 * (also: as pinn_domain_check_parts), with err filled. */
int pinn_domain_sample_parts(const pinn_domain *dom, size_t nparts, const char *const *parts,
                             pinn_sampler *s, size_t n, double *x, double *normals, size_t *count,
                             pinn_error *err);

/* How pinn_domain_sample_faces shares n points among faces (non-GRID kinds):
 * counts gets pinn_domain_num_faces(dom) entries (0 for unselected faces),
 * summing to n.  Returns 0 or PINN_EINVAL. */
int pinn_domain_face_counts(const pinn_domain *dom, unsigned faces, size_t n, size_t *counts,
                            pinn_error *err);

/* Write n points of the initial slice (space interior, t = t0) into x
 * (n x dim, time last).  s must have dim
 * pinn_domain_sampler_dim(dom, PINN_REGION_INITIAL).  Returns 0 or
 * PINN_EINVAL (also: untimed domain). */
int pinn_domain_sample_initial(const pinn_domain *dom, pinn_sampler *s, size_t n, double *x,
                               size_t *count, pinn_error *err);

/* Periodic pairs on a box along axis k < d: n points on the face x_k = lo_k
 * into x_lo and the matching points on x_k = hi_k into x_hi (both n x dim;
 * rows equal except column k).  s must have dim
 * pinn_domain_sampler_dim(dom, PINN_REGION_BOUNDARY).  Returns 0 or
 * PINN_EINVAL (also: a ball, k >= d). */
int pinn_domain_sample_periodic(const pinn_domain *dom, size_t axis, pinn_sampler *s, size_t n,
                                double *x_lo, double *x_hi, size_t *count, pinn_error *err);

/* Number of points of pinn_domain_grid with these counts (dim entries), 0 if
 * a count is 0 or the product overflows. */
size_t pinn_domain_grid_size(const pinn_domain *dom, const size_t *counts);

/* Full tensor grid for output, ends included: counts[k] >= 1 points on axis k
 * of the bounding box (time last), at lo + (hi - lo) i / (m - 1) (the
 * midpoint when m = 1).  Point index p = i_0 + m_0 (i_1 + m_1 (i_2 + ...)):
 * axis 0 fastest, time slowest (one contiguous space grid per time level,
 * the order of XDMF/VTK structured grids).  For a ball the grid covers the
 * bounding box; mask it with pinn_domain_contains.  x has room for
 * pinn_domain_grid_size(dom, counts) x dim doubles.  Returns 0 or PINN_EINVAL. */
int pinn_domain_grid(const pinn_domain *dom, const size_t *counts, double *x, pinn_error *err);

PINN_END_DECLS
#endif
