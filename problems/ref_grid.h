/* Reference solutions on two-axis grids shipped under data/ (see
 * data/README.md): x-t grids (burgers1d_ref.h5, allen_cahn1d_ref.h5:
 * datasets /x [nx], /t [nt], /u [nt][nx]) and x-y grids of several fields
 * (cavity2d_ref_re100.h5: /x, /y, /u, /v, /p, each field [ny][nx]).  Shared
 * by the problems that compare with them.  Not installed. */
#ifndef PINN_PROBLEMS_REF_GRID_H
#define PINN_PROBLEMS_REF_GRID_H

#include <stddef.h>
#include <pinn/status.h>

/* The grid: nx points x (increasing) on the first axis, nt on the second (t,
 * or y), and n_fields values per point, interleaved in the order of
 * pinn_problem_set_reference_grid: u[(j * nx + i) * n_fields + k] = field k
 * at (x_i, t_j). */
typedef struct pinn_ref_grid {
  size_t nx, nt, n_fields;
  double *x, *t, *u;
} pinn_ref_grid;

/* Find `file` in $PINN_DATA_DIR, then the source tree's data/, then the
 * installed data folder, and read it into *d (free with pinn_ref_grid_free).
 * PINN_EIO naming every folder tried when the file is nowhere, or the
 * reader's status and message when it is unreadable or malformed. */
int pinn_ref_grid_load(const char *file, pinn_ref_grid *d, pinn_error *err);

/* The same for named datasets: axes `axis0` [nx] and `axis1` [nt], and
 * n_fields (1 .. 8) fields of shape [nt][nx], interleaved into d->u. */
int pinn_ref_grid_load_fields(const char *file, const char *axis0, const char *axis1,
                              size_t n_fields, const char *const *fields, pinn_ref_grid *d,
                              pinn_error *err);

/* Free the arrays of *d (and zero it); NULL is a no-op. */
void pinn_ref_grid_free(pinn_ref_grid *d);

#endif
