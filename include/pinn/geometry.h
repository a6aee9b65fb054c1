/* libpinn — 2-D/3-D geometry: primitives, constructive solid geometry (CSG),
 * named boundary parts, sampling, and approximate distance functions.
 *
 * A pinn_geom is a tree of nodes in d = 2 or 3 space dimensions.  Leaves are
 * primitives, inner nodes are CSG operations; pinn_geom_set_root picks the
 * node that is "the region" and prepares it for queries.  Points are rows of
 * d doubles; arrays of points are row-major n x d; normals likewise.
 *
 * Primitives, their boundary pieces (numbered per primitive) and the
 * default piece names:
 *   box        prod_k [lo_k, hi_k]; 2 d pieces, piece 2k is x_k = lo_k
 *              ("x<k>-"), piece 2k+1 is x_k = hi_k ("x<k>+").
 *   ball       |x - c| <= r; 1 piece, the circle/sphere ("ball").
 *   ellipsoid  sum_k ((x_k - c_k) / a_k)^2 <= 1, axis-aligned semi-axes a_k;
 *              1 piece ("ellipsoid").
 *   polygon    (d = 2) a simple polygon, convex or not, from its vertices
 *              in either orientation; n pieces, edge i from vertex i to
 *              vertex i+1 (mod n) ("e<i>").  Refused: fewer than 3 vertices,
 *              a zero-length edge, zero area, edges that cross or overlap
 *              (the message names the two edges and their vertices).
 *   cylinder   (d = 3) the points within r of the segment p0 -> p1 (any
 *              axis), between the planes through p0 and p1 normal to it;
 *              3 pieces: the side ("side"), the cap at p0 ("bottom"), the
 *              cap at p1 ("top").
 * Default names are shared by every primitive of a kind (two boxes both have
 * a part "x0-"); pinn_geom_name renames pieces, so one name (a "part") may
 * collect pieces of several primitives ("holes", "outer", "inlet").
 *
 * Per primitive: the inside test is exact for the closed set (points exactly
 * on a polygon edge may go either way: even-odd crossing rule); the signed
 * distance is the exact Euclidean one, negative inside (ellipsoid: Eberly's
 * robust bisection, "Distance from a point to an ellipse, an ellipsoid, or a
 * hyperellipsoid", 2013, to the last bit of the root); the outward normal is
 * the gradient of the signed distance (on a face, the face normal).
 *
 * CSG: union (a or b), intersection (a and b), difference (a and not b),
 * nested to any depth; each node is an operand of at most one other node
 * (a tree, not a graph).  Inside test exact (from the primitives'); signed
 * distance by the min/max rules union = min(fa, fb), intersection =
 * max(fa, fb), difference = max(fa, -fb): the sign is exact and |f| is a
 * lower bound on the true distance (Hart 1996, "Sphere tracing"); it is exact
 * outside a union of primitives and inside an intersection or difference of
 * two.  The normal is the gradient of that f (the normal of the active
 * surface, negated for a subtracted one), which on the boundary of the result
 * is its outward normal.
 *
 * Boundary of the result.  A point x on piece P of primitive p lies on the
 * result's boundary when the tree evaluated at x with p counted as "inside"
 * differs from the tree with p "outside" (the other primitives' inside tests
 * as usual); the result's outward normal there is +n_P when the "inside"
 * evaluation is the one in the region, else -n_P.  (Surfaces of different
 * primitives that coincide over an area are not supported.)  The measure
 * (length/area) of a piece is exact (ellipse perimeter by the trapezoidal
 * rule, to rounding for axis ratios up to 100; ellipsoid area by Legendre's
 * closed form with GSL's elliptic integrals).  The measure of the part of a
 * piece on the result's boundary is that times the fraction of
 * PINN_GEOM_QMC_POINTS Halton points on the piece (uniform by measure) that
 * lie on the result's boundary (one point suffices, and the result is exact,
 * when the piece's bounding box meets no other primitive's): the exact
 * measure when all of them do, 0 when none does, else a quasi-Monte Carlo
 * estimate of a discontinuous integrand (error about 1e-4 of the piece's
 * measure on a 2-d curve, 1e-3 on a 3-d surface).
 *
 * Sampling (any pinn_sampler kind, of dim d for interior and boundary):
 *   interior  x = lo + (hi - lo) u on the result's bounding box, kept when
 *             strictly inside (inside, and signed distance < 0: a point on
 *             the boundary is not an interior point); the sampler is drawn
 *             on (in batches) until exactly n
 *             points are kept, so a low-discrepancy stream stays one stream.
 *   boundary  on a set of parts: n is shared among the parts by largest
 *             remainders in proportion to the measure of each part that
 *             lies on the result's boundary (ties to the earlier part), then
 *             within a part among its pieces the same way; each piece is
 *             filled by rejection as above from a map of u to the piece,
 *             uniform by measure: box face: the free coordinates in axis
 *             order; polygon edge: v_i + u_0 (v_i+1 - v_i); circle: angle
 *             2 pi u_0; sphere: z = 1 - 2 u_0, azimuth 2 pi u_1 (Archimedes);
 *             ellipse/ellipsoid: the circle/sphere map scaled by a, kept
 *             with probability a_min |n / a| (u_d-1 decides: the surface
 *             element of the scaled sphere); cylinder side: angle 2 pi u_0,
 *             height u_1; cap: radius r sqrt(u_0), angle 2 pi u_1.
 *             Rows are grouped by part (in the order given), then by piece.
 *   GRID      the cell-centred grid of a side m that keeps at most n points
 *             while side m + 1 would keep more (found by a jump by the kept
 *             fraction, then single steps), with m^dim <= 8 n + 65536 (a
 *             region filling less than 1/8 of its bounding box gets fewer
 *             points); *count says how many were written (every other kind
 *             writes exactly n).  On a piece the grid has d - 1 dims (a GRID
 *             of that dim made inside: the kind is stateless) and no density
 *             test, so on an ellipse/ellipsoid it is regular in the angles,
 *             not by measure.
 * Everything is deterministic: the same geometry, sampler state and n give
 * bitwise the same points.
 *
 * Approximate distance function (ADF) for hard Dirichlet constraints
 * (Sukumar & Srivastava 2022, "Exact imposition of boundary conditions with
 * distance functions in physics-informed deep neural networks", CMAME 389,
 * 114333, theory of R-functions / R-equivalence).  For a set of parts, each
 * piece i gets a function phi_i >= 0 that vanishes exactly on it:
 *   flat pieces (polygon edges, box faces, cylinder caps): f = signed
 *     distance to the carrier line/plane, t >= 0 exactly on the piece
 *     within the carrier (segment: t = ((L/2)^2 - |x - m|^2) / L; 3-D box
 *     face: t = t_1 + t_2 - sqrt(t_1^2 + t_2^2), t_j = (h_j^2 - (x_j -
 *     c_j)^2) / (2 h_j), the R0 conjunction of two slabs; cap: t = (r^2 -
 *     rho^2) / (2 r)), and the trimmed form phi_i = sqrt(f^2 + ((sqrt(t^2
 *     + f^4) - t) / 2)^2);
 *   cylinder side: the same with f = (r^2 - rho^2) / (2 r) and the axial
 *     slab as t;
 *   closed pieces (ball, ellipsoid): phi_i = s a_min (1 - |(x - c)/a|^2) / 2,
 *     s = +1 when the region lies inside the primitive, -1 outside (a hole);
 * and phi = prod_i phi_i / sum_j prod_{i != j} phi_i (the R-equivalence
 * join with m = 1: 1/phi = sum_i 1/phi_i), which is zero exactly on the
 * chosen parts, positive elsewhere in the region and normalised to first
 * order (|grad phi| = 1 on a flat piece or a sphere).  phi is smooth off the
 * chosen pieces; on a trimmed piece it behaves like |f|, so its jet there has
 * infinite/NaN derivatives (the value is 0: where some phi_i is exactly 0,
 * phi is that phi_i, so corners where two pieces meet give 0, not 0/0).
 * Refused: a chosen piece that passes through the region's interior (a
 * surface clipped inside it), and any set for which phi is not positive at
 * 1024 interior check points (Halton, as sampled by
 * pinn_geom_sample_interior).
 *
 * Using it: with the Dirichlet data g (an xjet function) and ADF a,
 *   pinn_transform_dirichlet(0, g, pinn_geom_adf_xjet, a)   (ctx = a)
 * makes u = g + phi N exact on the chosen parts; other parts keep soft
 * Neumann/Robin terms on points from pinn_geom_sample_boundary (with the
 * normals it returns).  When g needs its own context, call
 * pinn_geom_adf_eval from a wrapper that holds both.
 *
 * Pass-through coordinate: every sampling call also takes a sampler of dim
 * d + 1; the last coordinate of each kept sample is then copied unchanged
 * into column d of its row of x (rows of d + 1 doubles; normals stay rows of
 * d).  pinn/domain.h uses it for time (pinn_domain_geometry + _with_time),
 * so a space-time point set stays one low-discrepancy stream; GRID then adds
 * one axis of m (interior) or the piece grid's side (boundary) levels.
 *
 * Threads: building a geometry is not thread-safe; once pinn_geom_set_root
 * has returned, every const query (contains, distance, sampling, ADF
 * evaluation) may run concurrently.
 */
#ifndef PINN_GEOMETRY_H
#define PINN_GEOMETRY_H

#include <stddef.h>
#include <pinn/sample.h>
#include <pinn/status.h>
#include <pinn/xjet.h>

PINN_BEGIN_DECLS

/* Halton points per piece used to estimate clipped measures, and in the
 * bounding box to check that the region is not empty. */
#define PINN_GEOM_QMC_POINTS 16384

/* A geometry: primitives and CSG nodes with named boundary pieces (opaque). */
typedef struct pinn_geom pinn_geom;

/* An approximate distance function of some parts of a geometry (opaque). */
typedef struct pinn_geom_adf pinn_geom_adf;

/* A new, empty geometry in d = 2 or 3 dimensions.  Returns NULL with err
 * (may be NULL) filled on failure: PINN_EINVAL (d), PINN_ENOMEM.  Release it
 * with pinn_geom_free. */
pinn_geom *pinn_geom_alloc(size_t d, pinn_error *err);

/* Release a geometry.  NULL is a no-op.  pinn_geom_destroy is the same as a
 * void * destructor (pinn_problem_keep). */
void pinn_geom_free(pinn_geom *g);
void pinn_geom_destroy(void *g);

/* Space dimension d. */
size_t pinn_geom_dim(const pinn_geom *g);

/* Message of the last failed building call ("" if none; owned by g). */
const char *pinn_geom_errmsg(const pinn_geom *g);

/* Primitives.  Each adds a leaf and writes its node number to *node; every
 * array is copied.  Return 0 or PINN_EINVAL (not finite, lo_k >= hi_k,
 * r <= 0, a_k <= 0, wrong d, invalid polygon, p0 == p1) or PINN_ENOMEM, with
 * the message on g. */
int pinn_geom_box(pinn_geom *g, const double *lo, const double *hi, size_t *node);
int pinn_geom_ball(pinn_geom *g, const double *center, double r, size_t *node);
int pinn_geom_ellipsoid(pinn_geom *g, const double *center, const double *semi_axes, size_t *node);
/* xy: nv vertices (x_0, y_0, x_1, y_1, ...), d = 2 only. */
int pinn_geom_polygon(pinn_geom *g, size_t nv, const double *xy, size_t *node);
/* d = 3 only. */
int pinn_geom_cylinder(pinn_geom *g, const double *p0, const double *p1, double r, size_t *node);

/* CSG nodes of two earlier nodes a and b (each an operand only once).
 * Return 0 or PINN_EINVAL (no such node, a == b, already an operand). */
int pinn_geom_union(pinn_geom *g, size_t a, size_t b, size_t *node);
int pinn_geom_intersection(pinn_geom *g, size_t a, size_t b, size_t *node);
int pinn_geom_difference(pinn_geom *g, size_t a, size_t b, size_t *node);

/* Name pieces of the primitive at node: the npieces piece numbers in pieces,
 * or every piece of it when pieces is NULL (e.g. "holes" for a disk).  name:
 * 1..63 characters, copied.  Returns 0 or PINN_EINVAL (not a primitive, a
 * piece number out of range, bad name).  Call before pinn_geom_set_root (a
 * later call needs set_root again). */
int pinn_geom_name(pinn_geom *g, size_t node, size_t npieces, const size_t *pieces,
                   const char *name);

/* Make node the region and prepare queries: bounding box, the measure of each
 * piece on the region's boundary.  Returns 0 or PINN_EINVAL (no such node, a
 * node used as an operand, an empty or zero-measure region: no inside point
 * among PINN_GEOM_QMC_POINTS in the bounding box) or PINN_ENOMEM.  Building
 * calls made later undo it until it is called again. */
int pinn_geom_set_root(pinn_geom *g, size_t node);

/* 1 once pinn_geom_set_root has prepared the region (and no building call
 * came after it), else 0 (also for NULL). */
int pinn_geom_ready(const pinn_geom *g);

/* Measure (area, volume) of the region: the bounding box's times the
 * fraction of PINN_GEOM_QMC_POINTS Halton points inside (a quasi-Monte
 * Carlo estimate, relative error about 1e-3 for a boundary of moderate
 * length; exact for a box).  NaN before set_root. */
double pinn_geom_volume(const pinn_geom *g);

/* Bounding box of the region: lo and hi get d doubles each (intersections
 * shrink it, differences keep the first operand's).  Requires set_root. */
void pinn_geom_bounds(const pinn_geom *g, double *lo, double *hi);

/* 1 if x (d doubles) is in the region, else 0 (0 before set_root).  Every
 * primitive is closed (its surface is inside), union and intersection keep
 * that, and a difference a - b removes the closed b: a point on the surface
 * of a subtracted primitive is outside (box minus disk: the circle is out,
 * the box's faces are in).  Tests that need the closure use the signed
 * distance with a tolerance (pinn/output.h's inside test does). */
int pinn_geom_contains(const pinn_geom *g, const double *x);

/* Signed distance of x to the region's boundary (see the file comment for
 * where it is exact); normal (d doubles, may be NULL) gets its gradient, a
 * unit vector.  NaN before set_root. */
double pinn_geom_signed_distance(const pinn_geom *g, const double *x, double *normal);

/* Number of parts (distinct names some piece carries) and the name of part
 * i < that number (NULL past the end; owned by g), in the order the names
 * first appeared.  A name no piece carries any more is unknown everywhere. */
size_t pinn_geom_num_parts(const pinn_geom *g);
const char *pinn_geom_part_name(const pinn_geom *g, size_t i);

/* Measure of a part: *total = sum of its pieces' full measures (exact),
 * *on_boundary = the measure of the part lying on the region's boundary
 * (estimated when clipped, see the file comment); either may be NULL.
 * Returns 0 or PINN_EINVAL (unknown name, no set_root) with err filled. */
int pinn_geom_part_measure(const pinn_geom *g, const char *name, double *total, double *on_boundary,
                           pinn_error *err);

/* Write n interior points into x (n x d); *count (may be NULL) = rows written
 * (n but for GRID).  s must have dim d (or d + 1: x is n x (d + 1), see
 * "Pass-through coordinate"); it is advanced.  Returns 0,
 * PINN_EINVAL (no set_root, wrong sampler dim, NULL array), PINN_EFAILED
 * (no point kept after 2^24 draws) or the sampler's failure, err filled. */
int pinn_geom_sample_interior(const pinn_geom *g, pinn_sampler *s, size_t n, double *x,
                              size_t *count, pinn_error *err);

/* How pinn_geom_sample_boundary shares n points among nparts named parts:
 * counts gets nparts entries summing to n.  Returns 0 or PINN_EINVAL (no
 * parts, an unknown name or one given twice, a part with no piece on the
 * region's boundary: the message names it). */
int pinn_geom_boundary_counts(const pinn_geom *g, size_t nparts, const char *const *parts, size_t n,
                              size_t *counts, pinn_error *err);

/* Write n points on the parts named in parts into x (n x d) with the region's
 * outward unit normals (n x d, may be NULL) and the index into parts of each
 * point's part (n entries, may be NULL).  s must have dim d (or d + 1: x is
 * n x (d + 1)).  Returns as
 * pinn_geom_boundary_counts and pinn_geom_sample_interior. */
int pinn_geom_sample_boundary(const pinn_geom *g, size_t nparts, const char *const *parts,
                              pinn_sampler *s, size_t n, double *x, double *normals, size_t *part,
                              size_t *count, pinn_error *err);

/* The ADF of the named parts (see the file comment).  g must stay alive and
 * unchanged while the ADF is used.  Returns NULL with err filled: PINN_EINVAL
 * (as pinn_geom_boundary_counts, and the refusals listed above), PINN_ENOMEM. */
pinn_geom_adf *pinn_geom_adf_alloc(const pinn_geom *g, size_t nparts, const char *const *parts,
                                   pinn_error *err);

/* Release an ADF.  NULL is a no-op.  pinn_geom_adf_destroy: the same as a
 * void * destructor (pinn_problem_keep). */
void pinn_geom_adf_free(pinn_geom_adf *a);
void pinn_geom_adf_destroy(void *a);

/* phi at the point x[0 .. d-1] (xjets, normally seeded px_var(x_k, k)) as a
 * second-order jet in *out. */
void pinn_geom_adf_eval(const pinn_geom_adf *a, const pinn_xjet *x, pinn_xjet *out);

/* pinn_xjet_fn adapter for pinn/transform.h: ctx is the pinn_geom_adf.
 * Always returns 0. */
int pinn_geom_adf_xjet(const pinn_xjet *x, pinn_xjet *out, void *ctx);

PINN_END_DECLS
#endif
