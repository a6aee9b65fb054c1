/* A helper of two bundled problems (membrane2d, obstacle2d): the trained
 * network's jets on a square grid, for their contact-radius metrics. */
#ifndef PINN_PROBLEMS_GRID2D_H
#define PINN_PROBLEMS_GRID2D_H

#include <pinn/pinn.h>

/* The network of l at the m x m grid of [-1, 1]^2 (x fastest, spacing
 * 2 / (m - 1)): *x gets the 2 m^2 coordinates and *J the 5 m^2 jet entries
 * u, u_x, u_y, u_xx, u_yy (point i at J[5 i ..]), one block freed with
 * free(*x) (NULL when out of memory: PINN_ENOMEM). */
int pinn_grid2d_jets(pinn_loss *l, size_t m, double **x, double **J);

#endif
