/* A helper of the bundled obstacle problems (obstacle1d, obstacle2d,
 * membrane2d, torsion): the free-boundary error of the trained network,
 * their free_boundary_error metric. */
#ifndef PINN_PROBLEMS_FREE_BOUNDARY_H
#define PINN_PROBLEMS_FREE_BOUNDARY_H

#include <pinn/pinn.h>

/* The Hausdorff distance (pinn_free_boundary_distance) between the contact
 * set of l's solution on a uniform grid (dim axes, counts[a] points from
 * lo[a] to hi[a], axis 0 fastest) and m exact free-boundary points exact
 * (m x dim).  Contact is the library's criterion (pinn_obstacle_contact:
 * the gap to the obstacle of the problem's first obstacle term, with the
 * multiplier of its complementarity term "pde" when there is one), located
 * between grid points by pinn_free_boundary_level; grid points outside the
 * domain do not count.  *out gets the distances. */
int pinn_problem_free_boundary_error(pinn_loss *l, size_t dim, const size_t *counts,
                                     const double *lo, const double *hi, size_t m,
                                     const double *exact, pinn_free_boundary_error *out);

/* The library's contact set of l's solution on that grid, as
 * pinn_problem_free_boundary_error computes it: *on gets the 0/1 contact
 * field (NaN outside the domain) and *level its pinn_free_boundary_level,
 * one block freed with free(*on).  PINN_EINVAL when the problem has no
 * obstacle, PINN_ENOMEM, or a status of the evaluation. */
int pinn_problem_contact_grid(pinn_loss *l, size_t dim, const size_t *counts, const double *lo,
                              const double *hi, double **on, double **level);

/* m points on the circle of radius r about the origin into xy (2 m). */
void pinn_circle_points(double r, size_t m, double *xy);

#endif
