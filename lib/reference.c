/* libpinn — reference solutions at scattered points (see
 * include/pinn/reference.h): the error against a reference, the CSV and
 * HDF5 readers of points and values, and the problem-level loader. */
#include <pinn/reference.h>
#include <pinn/h5io.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int pinn_reference_error_compute(size_t n, size_t n_out, const double *u, const double *ref,
                                 const size_t *rows, pinn_reference_error *e, pinn_error *err)
{
  if (!e || (n && (!u || !ref)))
    return pinn_error_set(err, PINN_EINVAL, "pinn_reference_error_compute: NULL argument");
  if (n_out < 1 || n_out > PINN_MAX_OUTPUTS)
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_reference_error_compute: %zu outputs; give 1 to %d", n_out,
                          PINN_MAX_OUTPUTS);
  memset(e, 0, sizeof *e);
  e->n = n;
  e->n_out = n_out;
  double num = 0, den = 0, mx = 0;
  double num_k[PINN_MAX_OUTPUTS] = {0}, den_k[PINN_MAX_OUTPUTS] = {0},
         mx_k[PINN_MAX_OUTPUTS] = {0};
  for (size_t j = 0; j < n; ++j) {
    const size_t q = rows ? rows[j] : j;
    for (size_t k = 0; k < n_out; ++k) {
      double r = ref[q * n_out + k], d = fabs(u[q * n_out + k] - r);
      num_k[k] += d * d; /* a NaN (diverged network) propagates to rel_l2 */
      den_k[k] += r * r;
      if (d > mx_k[k] || isnan(d)) mx_k[k] = isnan(mx_k[k]) ? mx_k[k] : d;
    }
  }
  for (size_t k = 0; k < PINN_MAX_OUTPUTS; ++k) e->rel_l2_out[k] = e->max_abs_out[k] = NAN;
  for (size_t k = 0; k < n_out; ++k) {
    num += num_k[k];
    den += den_k[k];
    if (mx_k[k] > mx || isnan(mx_k[k])) mx = isnan(mx) ? mx : mx_k[k];
    e->rel_l2_out[k] =
        n ? (den_k[k] > 0 ? sqrt(num_k[k] / den_k[k]) : (num_k[k] > 0 ? INFINITY : 0)) : NAN;
    e->max_abs_out[k] = n ? mx_k[k] : NAN;
  }
  e->rel_l2 = n ? (den > 0 ? sqrt(num / den) : (num > 0 ? INFINITY : 0)) : NAN;
  e->max_abs = n ? mx : NAN;
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

static int check_shape(size_t dim, size_t n_out, size_t *n, double **x, double **u,
                       pinn_error *err)
{
  if (x) *x = NULL;
  if (u) *u = NULL;
  if (!n || !x || !u) return pinn_error_set(err, PINN_EINVAL, "reading reference points: NULL argument");
  if (dim < 1 || dim > PINN_MAX_INPUTS || n_out < 1 || n_out > PINN_MAX_OUTPUTS)
    return pinn_error_set(err, PINN_EINVAL,
                          "reading reference points: %zu coordinates and %zu values per point; "
                          "give 1 to %d and 1 to %d",
                          dim, n_out, PINN_MAX_INPUTS, PINN_MAX_OUTPUTS);
  return PINN_SUCCESS;
}

/* One line read whole (any length) into *buf; 0 at the end of the file, -1
 * when out of memory. */
static int read_line(FILE *f, char **buf, size_t *cap)
{
  size_t len = 0;
  for (;;) {
    if (*cap - len < 2) {
      size_t nc = *cap ? 2 * *cap : 256;
      char *nb = realloc(*buf, nc);
      if (!nb) return -1;
      *buf = nb;
      *cap = nc;
    }
    if (!fgets(*buf + len, (int)(*cap - len), f)) return len > 0;
    len += strlen(*buf + len);
    if (len && (*buf)[len - 1] == '\n') return 1;
  }
}

int pinn_reference_read_csv(FILE *f, const char *name, size_t dim, size_t n_out,
                            int values_optional, size_t *n, double **x, double **u,
                            pinn_error *err)
{
  int st = check_shape(dim, n_out, n, x, u, err);
  if (st) return st;
  if (!f) return pinn_error_set(err, PINN_EINVAL, "reading reference points: NULL stream");
  if (!name) name = "(stream)";
  const size_t full = dim + n_out;
  size_t ncol = 0; /* columns per line, fixed by the first data line */
  size_t cap = 0, np = 0, line_no = 0, lcap = 0;
  double *v = NULL; /* np x ncol */
  char *line = NULL;
  int r;
  while ((r = read_line(f, &line, &lcap)) > 0) {
    ++line_no;
    char *s = line;
    while (isspace((unsigned char)*s)) ++s;
    if (*s == '\0' || *s == '#') continue;
    if (line_no == 1 && (isalpha((unsigned char)*s) || *s == '"')) continue; /* header */
    double row[PINN_MAX_INPUTS + PINN_MAX_OUTPUTS];
    size_t c = 0;
    for (char *p = s;;) {
      char *end;
      errno = 0;
      double val = strtod(p, &end);
      if (end == p || errno == ERANGE || !isfinite(val)) {
        st = pinn_error_set(err, PINN_EFORMAT,
                            "%s line %zu, column %zu: not a finite number; each line needs %zu "
                            "comma-separated numbers (%zu coordinate%s%s)",
                            name, line_no, c + 1, ncol ? ncol : full, dim, dim == 1 ? "" : "s",
                            values_optional ? ", then optionally the reference values"
                                            : ", then the reference values");
        goto fail;
      }
      if (c < PINN_MAX_INPUTS + PINN_MAX_OUTPUTS) row[c] = val;
      ++c;
      while (*end == ' ' || *end == '\t') ++end;
      if (*end == ',') {
        p = end + 1;
        continue;
      }
      if (*end == '\0' || *end == '\n' || *end == '\r') break;
      st = pinn_error_set(err, PINN_EFORMAT,
                          "%s line %zu: unexpected '%c' after column %zu; separate the numbers "
                          "with commas",
                          name, line_no, *end, c);
      goto fail;
    }
    if (!ncol) {
      if (c != full && !(values_optional && c == dim)) {
        st = pinn_error_set(err, PINN_EFORMAT,
                            "%s line %zu has %zu column%s; give %zu coordinate%s (space, then "
                            "time) and %zu reference value%s per line%s",
                            name, line_no, c, c == 1 ? "" : "s", dim, dim == 1 ? "" : "s", n_out,
                            n_out == 1 ? "" : "s",
                            values_optional ? " (or the coordinates alone)" : "");
        goto fail;
      }
      ncol = c;
    } else if (c != ncol) {
      st = pinn_error_set(err, PINN_EFORMAT,
                          "%s line %zu has %zu column%s, but the lines before have %zu; give "
                          "every point the same columns",
                          name, line_no, c, c == 1 ? "" : "s", ncol);
      goto fail;
    }
    if (np == PINN_REFERENCE_MAX_POINTS) {
      st = pinn_error_set(err, PINN_EFORMAT, "%s holds more than %zu points", name,
                          PINN_REFERENCE_MAX_POINTS);
      goto fail;
    }
    if (np == cap) {
      size_t nc = cap ? 2 * cap : 1024;
      double *nv = realloc(v, nc * ncol * sizeof *v);
      if (!nv) goto nomem;
      v = nv;
      cap = nc;
    }
    memcpy(v + np * ncol, row, ncol * sizeof *v);
    ++np;
  }
  if (r < 0) goto nomem;
  if (ferror(f)) {
    st = pinn_error_set(err, PINN_EIO, "reading %s failed: %s", name, strerror(errno));
    goto fail;
  }
  if (np == 0) {
    st = pinn_error_set(err, PINN_EFORMAT,
                        "%s holds no points; give one point per line: %zu coordinates, then "
                        "%zu reference value%s",
                        name, dim, n_out, n_out == 1 ? "" : "s");
    goto fail;
  }
  *x = malloc(np * dim * sizeof **x);
  if (ncol == full) *u = malloc(np * n_out * sizeof **u);
  if (!*x || (ncol == full && !*u)) goto nomem;
  for (size_t q = 0; q < np; ++q) {
    memcpy(*x + q * dim, v + q * ncol, dim * sizeof **x);
    if (*u) memcpy(*u + q * n_out, v + q * ncol + dim, n_out * sizeof **u);
  }
  *n = np;
  free(v);
  free(line);
  pinn_error_clear(err);
  return PINN_SUCCESS;
nomem:
  st = pinn_error_set(err, PINN_ENOMEM, "out of memory reading %s", name);
fail:
  free(v);
  free(line);
  free(*x);
  free(*u);
  *x = *u = NULL;
  return st;
}

/* /points [n][dim] and /values [n][n_out] (or [n] for one output). */
static int read_h5(const char *path, size_t dim, size_t n_out, int values_optional, size_t *n,
                   double **x, double **u, pinn_error *err)
{
  pinn_h5_reader *r = pinn_h5_open(path, err);
  if (!r) return err ? err->code : PINN_EIO;
  int st = PINN_SUCCESS, rank = 0;
  size_t dims[PINN_H5_MAX_RANK];
  if (!pinn_h5_has(r, "/points")) {
    st = pinn_error_set(err, PINN_EFORMAT,
                        "%s has no dataset /points; give the points as /points [n][%zu] and "
                        "their values as /values [n][%zu]",
                        path, dim, n_out);
    goto done;
  }
  if (pinn_h5_dataset_shape(r, "/points", &rank, dims) || rank != 2 || dims[1] != dim ||
      dims[0] < 1 || dims[0] > PINN_REFERENCE_MAX_POINTS) {
    st = pinn_error_set(err, PINN_EFORMAT,
                        "%s: /points must be [n][%zu] (n from 1 to %zu; %zu coordinates per "
                        "point: space, then time)",
                        path, dim, PINN_REFERENCE_MAX_POINTS, dim);
    goto done;
  }
  const size_t np = dims[0];
  if (pinn_h5_read_dataset(r, "/points", 2, dims, x, NULL, NULL)) {
    st = pinn_error_set(err, PINN_EFORMAT, "%s: /points: %s", path, pinn_h5_reader_errmsg(r));
    goto done;
  }
  const int has_values = pinn_h5_has(r, "/values");
  if (!has_values && !values_optional) {
    st = pinn_error_set(err, PINN_EFORMAT,
                        "%s has no dataset /values; give the reference values as /values "
                        "[%zu][%zu]",
                        path, np, n_out);
    goto done;
  }
  if (has_values) {
    int ok = !pinn_h5_dataset_shape(r, "/values", &rank, dims) && dims[0] == np &&
             ((rank == 2 && dims[1] == n_out) || (rank == 1 && n_out == 1));
    if (!ok) {
      st = pinn_error_set(err, PINN_EFORMAT,
                          "%s: /values must be [%zu][%zu] (one row of %zu value%s per point of "
                          "/points)",
                          path, np, n_out, n_out, n_out == 1 ? "" : "s");
      goto done;
    }
    if (pinn_h5_read_dataset(r, "/values", rank, dims, u, NULL, NULL)) {
      st = pinn_error_set(err, PINN_EFORMAT, "%s: /values: %s", path, pinn_h5_reader_errmsg(r));
      goto done;
    }
  }
  for (size_t i = 0; i < np * dim; ++i)
    if (!isfinite((*x)[i])) {
      st = pinn_error_set(err, PINN_EFORMAT, "%s: /points[%zu][%zu] is not a finite number", path,
                          i / dim, i % dim);
      goto done;
    }
  for (size_t i = 0; *u && i < np * n_out; ++i)
    if (!isfinite((*u)[i])) {
      st = pinn_error_set(err, PINN_EFORMAT, "%s: /values[%zu][%zu] is not a finite number", path,
                          i / n_out, i % n_out);
      goto done;
    }
  *n = np;
done:
  pinn_h5_close(r);
  if (st) {
    free(*x);
    free(*u);
    *x = *u = NULL;
  } else {
    pinn_error_clear(err);
  }
  return st;
}

static int ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

int pinn_reference_read(const char *path, size_t dim, size_t n_out, int values_optional, size_t *n,
                        double **x, double **u, pinn_error *err)
{
  int st = check_shape(dim, n_out, n, x, u, err);
  if (st) return st;
  if (!path || !path[0]) return pinn_error_set(err, PINN_EINVAL, "reading reference points: no path");
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5"))
    return read_h5(path, dim, n_out, values_optional, n, x, u, err);
  FILE *f = fopen(path, "r");
  if (!f) return pinn_error_set(err, PINN_EIO, "cannot open %s: %s", path, strerror(errno));
  st = pinn_reference_read_csv(f, path, dim, n_out, values_optional, n, x, u, err);
  fclose(f);
  return st;
}

int pinn_problem_load_reference_points(pinn_problem *p, const char *path, pinn_error *err)
{
  if (!p) return pinn_error_set(err, PINN_EINVAL, "pinn_problem_load_reference_points: NULL problem");
  size_t n = 0;
  double *x = NULL, *u = NULL;
  int st = pinn_reference_read(path, pinn_problem_dim(p), pinn_problem_n_out(p), 0, &n, &x, &u,
                               err);
  if (!st && (st = pinn_problem_set_reference_points(p, n, x, u)))
    pinn_error_set(err, st, "%s: %s", path, pinn_problem_errmsg(p));
  free(x);
  free(u);
  return st;
}

int pinn_loss_reference_error(pinn_loss *l, double *u, pinn_reference_error *e, pinn_error *err)
{
  if (!l || !e) return pinn_error_set(err, PINN_EINVAL, "pinn_loss_reference_error: NULL argument");
  const pinn_problem *p = pinn_loss_problem(l);
  const double *x = NULL, *ref = NULL;
  const size_t n = pinn_problem_reference_points(p, &x, &ref), n_out = pinn_problem_n_out(p);
  if (!n)
    return pinn_error_set(err, PINN_EINVAL,
                          "problem '%s' has no reference points (pinn_problem_set_reference_points)",
                          pinn_problem_name(p));
  double *v = u ? u : malloc(n * n_out * sizeof *v);
  if (!v) return pinn_error_set(err, PINN_ENOMEM, "out of memory for %zu reference points", n);
  int st = pinn_loss_predict(l, n, x, v);
  if (st)
    pinn_error_set(err, st, "evaluating the network at the reference points: %s",
                   pinn_loss_errmsg(l));
  else
    st = pinn_reference_error_compute(n, n_out, v, ref, NULL, e, err);
  if (v != u) free(v);
  return st;
}
