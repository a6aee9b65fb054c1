/* Reading reference grids shipped under data/ (problems/ref_grid.h). */
#include "ref_grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/h5io.h>

#ifndef PINN_SOURCE_DATA_DIR
#define PINN_SOURCE_DATA_DIR "data"
#endif
#ifndef PINN_INSTALL_DATA_DIR
#define PINN_INSTALL_DATA_DIR "/usr/local/share/libpinn"
#endif

void pinn_ref_grid_free(pinn_ref_grid *d)
{
  if (!d) return;
  free(d->x);
  free(d->t);
  free(d->u);
  memset(d, 0, sizeof *d);
}

int pinn_ref_grid_load(const char *file, pinn_ref_grid *d, pinn_error *err)
{
  memset(d, 0, sizeof *d);
  const char *env = getenv("PINN_DATA_DIR");
  const char *dirs[3] = {env && *env ? env : NULL, PINN_SOURCE_DATA_DIR, PINN_INSTALL_DATA_DIR};
  char path[4096];
  FILE *f = NULL;
  for (int i = 0; i < 3 && !f; ++i) {
    if (!dirs[i]) continue;
    snprintf(path, sizeof path, "%s/%s", dirs[i], file);
    f = fopen(path, "rb");
  }
  if (!f)
    return pinn_error_set(err, PINN_EIO,
                          "reference data %s not found: looked in $PINN_DATA_DIR (%s), %s and %s; "
                          "set PINN_DATA_DIR to the folder holding it (data/ of the source tree)",
                          file, env && *env ? env : "unset", PINN_SOURCE_DATA_DIR,
                          PINN_INSTALL_DATA_DIR);
  fclose(f);
  pinn_h5_reader *r = pinn_h5_open(path, err);
  if (!r) return err ? err->code : PINN_EIO;
  size_t dims[PINN_H5_MAX_RANK];
  int st = pinn_h5_read_dataset(r, "x", 1, NULL, &d->x, dims, NULL);
  d->nx = st ? 0 : dims[0];
  if (!st) st = pinn_h5_read_dataset(r, "t", 1, NULL, &d->t, dims, NULL);
  d->nt = st ? 0 : dims[0];
  size_t want[2] = {d->nt, d->nx};
  if (!st) st = pinn_h5_read_dataset(r, "u", 2, want, &d->u, NULL, NULL);
  if (st) {
    pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    pinn_ref_grid_free(d);
  }
  pinn_h5_close(r);
  return st;
}
