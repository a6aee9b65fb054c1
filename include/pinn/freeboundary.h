/* libpinn — the free-boundary error of an obstacle problem: the Hausdorff
 * distance between the boundary of a computed contact set and the exact
 * free boundary.
 *
 * The computed contact set is given on a uniform box grid as a level field:
 * level > 0 on contact, level <= 0 off contact, NaN where there is no point
 * (outside a ball).  Its boundary is sampled where the level changes sign
 * along a grid edge (two neighbours along one axis, both not NaN), at the
 * root of the linear interpolant of the level on that edge.  A 0/1 contact
 * field (pinn_fields.contact, pinn_obstacle_contact) passed as contact - 1/2
 * gives the edge midpoints: the boundary to within half a grid step; a
 * continuous level (pinn_free_boundary_level) locates it to O(h^2) where
 * the level is smooth.  Edges into NaN points (the domain boundary) are not
 * free boundary.
 *
 * The exact free boundary is given as m points on it (a closed curve
 * sampled finely, or the two ends of a 1D contact interval).  With C the
 * computed boundary points and E the exact ones,
 *   excess    = max_{c in C} min_{e in E} |c - e|   (computed boundary that
 *               is not near the exact one),
 *   miss      = max_{e in E} min_{c in C} |c - e|   (exact boundary that the
 *               computed set does not reproduce),
 *   hausdorff = max(excess, miss).
 * In 2D, miss is measured to the computed boundary drawn as segments
 * between the crossings of each grid cell (marching squares): the
 * crossings alone lie up to h sqrt 2 apart along the boundary, which would
 * put about h / sqrt 2 into miss however exact the crossings are.  In 1D
 * the crossings are the boundary; in 3 or more dimensions miss is measured
 * to the crossings (so it carries up to about h of sampling).
 * A point set sampling a curve with spacing s overstates excess by at most
 * s / 2: sample the exact boundary much more finely than the grid.  By
 * convention a distance to an empty set is +Inf (no computed boundary while
 * the exact one exists, or the reverse), and both empty give 0.
 * The cost is O(|C| m) distance evaluations (401^2 grid, 20000 exact
 * points: ~2e7, tens of milliseconds).
 *
 * For radial problems hausdorff is the largest |r_computed(theta) - r*|
 * over directions (up to the grid); in 1D it is the larger of the two
 * ends' errors |a_computed - a*|.
 */
#ifndef PINN_FREEBOUNDARY_H
#define PINN_FREEBOUNDARY_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/problem.h>

PINN_BEGIN_DECLS

/* The result of pinn_free_boundary_distance (see the file comment). */
typedef struct pinn_free_boundary_error {
  double hausdorff;  /* max(excess, miss) */
  double excess;     /* farthest computed boundary point from the exact boundary */
  double miss;       /* farthest exact boundary point from the computed boundary */
  size_t n_computed; /* computed boundary points (sign changes on grid edges) */
} pinn_free_boundary_error;

/* The boundary points of a level field on the grid of dim axes (1 <=
 * dim <= PINN_MAX_INPUTS), counts[a] >= 1 points on axis a from lo[a] to
 * hi[a] (ends included; lo < hi where counts > 1), point index
 * i_0 + counts_0 (i_1 + counts_1 (...)) (axis 0 fastest, as
 * pinn_domain_grid): for every edge whose two ends have levels of different
 * sign (> 0 against <= 0, neither NaN), the root of the linear interpolant
 * of the level along it.  Writes at most max points (dim coordinates each)
 * to pts (may be NULL when max is 0) and the number of all such points to
 * *n (so a call with max 0 counts them).  PINN_EINVAL for bad arguments,
 * PINN_ERANGE when more than max points exist (the first max are written). */
int pinn_free_boundary_points(size_t dim, const size_t *counts, const double *lo,
                              const double *hi, const double *level, double *pts, size_t max,
                              size_t *n, pinn_error *err);

/* The free-boundary error of a level field (grid as in
 * pinn_free_boundary_points) against m exact boundary points exact
 * (m x dim; may be NULL when m is 0) into *out.  Returns 0, PINN_EINVAL
 * for bad arguments (a NaN exact point, lo >= hi, a zero count),
 * PINN_ENOMEM. */
int pinn_free_boundary_distance(size_t dim, const size_t *counts, const double *lo,
                                const double *hi, const double *level, size_t m,
                                const double *exact, pinn_free_boundary_error *out,
                                pinn_error *err);

/* A continuous contact level for pinn_free_boundary_distance from the
 * quantities of pinn_obstacle_contact (n points; lambda may be NULL;
 * gap_tol > 0 and lambda_tol the tolerances that function reports):
 *   level_j = min(1 - gap_j / gap_tol, lambda_j / lambda_tol - 1)
 *            (lambda_j - 0 when lambda_tol <= 0; the first part alone
 *            without lambda),  gap_j = sense (u_j - psi_j),
 * positive exactly where pinn_obstacle_contact marks contact (up to ties
 * at the tolerances), NaN where u, psi or lambda is NaN.  Both parts
 * vanish on the criterion's boundary and vary smoothly with a smooth
 * network, so interpolating the level places the boundary between grid
 * points.  PINN_EINVAL for NULL arrays, a sense other than +1 / -1, or
 * gap_tol <= 0. */
int pinn_free_boundary_level(size_t n, const double *u, const double *psi, const double *lambda,
                             pinn_sense sense, double gap_tol, double lambda_tol, double *level,
                             pinn_error *err);

PINN_END_DECLS
#endif
