/* Reference solutions on an x-t grid shipped under data/ (burgers1d_ref.h5,
 * allen_cahn1d_ref.h5; see data/README.md): datasets /x [nx], /t [nt] and
 * /u [nt][nx].  Shared by the problems that compare with them.  Not
 * installed. */
#ifndef PINN_PROBLEMS_REF_GRID_H
#define PINN_PROBLEMS_REF_GRID_H

#include <stddef.h>
#include <pinn/status.h>

/* The grid: nx points x (increasing), nt times t, u[j * nx + i] = u(x_i, t_j). */
typedef struct pinn_ref_grid {
  size_t nx, nt;
  double *x, *t, *u;
} pinn_ref_grid;

/* Find `file` in $PINN_DATA_DIR, then the source tree's data/, then the
 * installed data folder, and read it into *d (free with pinn_ref_grid_free).
 * PINN_EIO naming every folder tried when the file is nowhere, or the
 * reader's status and message when it is unreadable or malformed. */
int pinn_ref_grid_load(const char *file, pinn_ref_grid *d, pinn_error *err);

/* Free the arrays of *d (and zero it); NULL is a no-op. */
void pinn_ref_grid_free(pinn_ref_grid *d);

#endif
