/* The exact solution of the viscous Burgers benchmark on its 256 x 100 grid
 * (data/burgers1d_ref.h5, see data/README.md), shared by the problems
 * burgers1d and burgers_inverse.  Not installed. */
#ifndef PINN_PROBLEMS_BURGERS_DATA_H
#define PINN_PROBLEMS_BURGERS_DATA_H

#include <stddef.h>
#include <pinn/status.h>

/* The grid: nx points x (increasing), nt times t, u[j * nx + i] = u(x_i, t_j). */
typedef struct pinn_burgers_data {
  size_t nx, nt;
  double *x, *t, *u;
} pinn_burgers_data;

/* Find burgers1d_ref.h5 in $PINN_DATA_DIR, then the source tree's data/,
 * then the installed data folder, and read it into *d (free with
 * pinn_burgers_data_free).  PINN_EIO naming every folder tried when the file
 * is nowhere, or the reader's status and message when it is unreadable. */
int pinn_burgers_data_load(pinn_burgers_data *d, pinn_error *err);

/* Free the arrays of *d (and zero it); NULL is a no-op. */
void pinn_burgers_data_free(pinn_burgers_data *d);

#endif
