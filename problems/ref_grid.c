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

int pinn_ref_grid_load_fields(const char *file, const char *axis0, const char *axis1,
                              size_t n_fields, const char *const *fields, pinn_ref_grid *d,
                              pinn_error *err)
{
  memset(d, 0, sizeof *d);
  if (n_fields < 1 || n_fields > 8)
    return pinn_error_set(err, PINN_EINVAL, "reference data %s: 1 to 8 fields, not %zu", file,
                          n_fields);
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
  int st = pinn_h5_read_dataset(r, axis0, 1, NULL, &d->x, dims, NULL);
  d->nx = st ? 0 : dims[0];
  if (!st) st = pinn_h5_read_dataset(r, axis1, 1, NULL, &d->t, dims, NULL);
  d->nt = st ? 0 : dims[0];
  const size_t want[2] = {d->nt, d->nx}, n = d->nt * d->nx;
  if (!st && !(d->u = malloc((n ? n : 1) * n_fields * sizeof *d->u)))
    st = pinn_error_set(err, PINN_ENOMEM, "out of memory for the reference data %s", file);
  d->n_fields = n_fields;
  for (size_t k = 0; k < n_fields && !st; ++k) {
    double *fk = NULL;
    st = pinn_h5_read_dataset(r, fields[k], 2, want, &fk, NULL, NULL);
    for (size_t q = 0; q < n && !st; ++q) d->u[q * n_fields + k] = fk[q];
    free(fk);
  }
  if (st) {
    if (pinn_h5_reader_errmsg(r)[0]) pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    pinn_ref_grid_free(d);
  }
  pinn_h5_close(r);
  return st;
}

int pinn_ref_grid_load(const char *file, pinn_ref_grid *d, pinn_error *err)
{
  return pinn_ref_grid_load_fields(file, "x", "t", 1, (const char *const[]){"u"}, d, err);
}
