/* Tests for pinn/reference.h: the error against a reference (hand-computed
 * values, row selection, 0/0, NaN), the CSV and HDF5 readers of points and
 * values (good files read back exactly; malformed files refused with the
 * line, column or dataset and what to fix), the problem-level loader, and the
 * bundled lid-driven cavity references (data/cavity2d_ref_re*.h5, read back
 * through pinn/h5io.h: layout, boundary values, divergence, Ghia, Ghia &
 * Shin's 1982 centre-line tables and, at Re = 1000, Botella & Peyret's 1998
 * spectral values). */
#define _XOPEN_SOURCE 700
#include <pinn/h5io.h>
#include <pinn/reference.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *g_dir;

static char *write_text(const char *name, const char *text)
{
  char *path = pinn_test_join(g_dir, name);
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
  return path;
}

/* An HDF5 file with /points [n][dim] and, when vrank > 0, /values of rank
 * vrank ([n] or [n][n_out]). */
static char *write_h5(const char *name, size_t n, size_t dim, const double *x, int vrank,
                      size_t n_out, const double *u)
{
  char *path = pinn_test_join(g_dir, name);
  pinn_error err;
  pinn_h5_writer *w = pinn_h5_create(path, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  size_t dx[2] = {n, dim}, du[2] = {n, n_out};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/points", 2, dx, x), 0);
  if (vrank > 0) CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/values", vrank, du, u), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &err), 0);
  return path;
}

static void errors_match_hand_computed_values(void)
{
  /* two outputs at three points */
  const double u[6] = {1, 0, 2, 1, 3, -1}, ref[6] = {1, 1, 2, 2, 4, 0};
  pinn_reference_error e;
  CU_ASSERT_EQUAL(pinn_reference_error_compute(3, 2, u, ref, NULL, &e, NULL), 0);
  /* output 0: diffs 0, 0, 1 / ref^2 1 + 4 + 16; output 1: diffs 1, 1, 1 / ref^2 1 + 4 + 0 */
  CU_ASSERT_DOUBLE_EQUAL(e.rel_l2_out[0], sqrt(1.0 / 21), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(e.rel_l2_out[1], sqrt(3.0 / 5), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(e.rel_l2, sqrt(4.0 / 26), 1e-15);
  CU_ASSERT_EQUAL(e.max_abs_out[0], 1);
  CU_ASSERT_EQUAL(e.max_abs_out[1], 1);
  CU_ASSERT_EQUAL(e.max_abs, 1);
  CU_ASSERT(e.n == 3 && e.n_out == 2 && isnan(e.rel_l2_out[2]));
  /* rows: the last point alone, named by its index */
  const size_t rows[1] = {2};
  CU_ASSERT_EQUAL(pinn_reference_error_compute(1, 2, u, ref, rows, &e, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(e.rel_l2_out[0], 0.25, 1e-15);
  CU_ASSERT_EQUAL(e.rel_l2_out[1], INFINITY); /* x / 0 */
  /* 0 / 0 gives 0, no point gives NaN, a NaN solution gives NaN */
  const double z[1] = {0};
  CU_ASSERT_EQUAL(pinn_reference_error_compute(1, 1, z, z, NULL, &e, NULL), 0);
  CU_ASSERT(e.rel_l2 == 0 && e.max_abs == 0);
  CU_ASSERT_EQUAL(pinn_reference_error_compute(0, 1, NULL, NULL, NULL, &e, NULL), 0);
  CU_ASSERT(isnan(e.rel_l2) && isnan(e.max_abs));
  const double bad[2] = {NAN, 1}, one[2] = {1, 1};
  CU_ASSERT_EQUAL(pinn_reference_error_compute(2, 1, bad, one, NULL, &e, NULL), 0);
  CU_ASSERT(isnan(e.rel_l2) && isnan(e.max_abs));
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_reference_error_compute(1, 9, z, z, NULL, &e, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_reference_error_compute(1, 1, NULL, z, NULL, &e, &err), PINN_EINVAL);
}

static void csv_points_and_values_read_back_exactly(void)
{
  char *path = write_text("ok.csv", "x, t, u\n"
                                    "# a comment\n"
                                    "0.1, 0.2, 0.30000000000000004\n"
                                    "\n"
                                    "1e-3,\t1,-2.5\r\n"
                                    "0.5,0.25,7\n");
  size_t n = 0;
  double *x = NULL, *u = NULL;
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_reference_read(path, 2, 1, 0, &n, &x, &u, &err), 0);
  CU_ASSERT_EQUAL(n, 3);
  CU_ASSERT(x[0] == 0.1 && x[1] == 0.2 && x[2] == 1e-3 && x[3] == 1 && x[5] == 0.25);
  CU_ASSERT(u[0] == 0.30000000000000004 && u[1] == -2.5 && u[2] == 7);
  free(x);
  free(u);
  /* values optional: coordinates alone give no values */
  char *p2 = write_text("pts.csv", "0.1,0.2\n0.3,0.4\n");
  CU_ASSERT_EQUAL(pinn_reference_read(p2, 2, 1, 1, &n, &x, &u, &err), 0);
  CU_ASSERT(n == 2 && x[3] == 0.4 && u == NULL);
  free(x);
  /* ... but required by default */
  CU_ASSERT_EQUAL(pinn_reference_read(p2, 2, 1, 0, &n, &x, &u, &err), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 1 has 2 columns; give 2 coordinates"));
  CU_ASSERT(x == NULL && u == NULL);
  free(path);
  free(p2);
}

static void malformed_csv_files_are_refused_with_the_line_and_what_to_fix(void)
{
  struct {
    const char *text, *says;
  } bad[] = {
      {"0.1,0.2,1\n0.3,abc,1\n", "line 2, column 2: not a finite number"},
      {"0.1,0.2,1\n0.3,0.2,nan\n", "line 2, column 3: not a finite number"},
      {"0.1,0.2,1\n0.3,0.2,1e999\n", "line 2, column 3: not a finite number"},
      {"0.1,0.2,1\n0.3,0.2\n", "line 2 has 2 columns, but the lines before have 3"},
      {"0.1,0.2,1,4\n", "line 1 has 4 columns; give 2 coordinates (space, then time) and 1 "
                        "reference value per line"},
      {"0.1;0.2;1\n", "line 1: unexpected ';' after column 1; separate the numbers with commas"},
      {"x,t,u\n# nothing\n\n", "holds no points"},
      {"0.1,0.2,1\nx,t,u\n", "line 2, column 1: not a finite number"}, /* a header only first */
      {"0.1,,1\n", "line 1, column 2: not a finite number"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    char name[32];
    snprintf(name, sizeof name, "bad%zu.csv", i);
    char *path = write_text(name, bad[i].text);
    size_t n = 99;
    double *x = (double *)1, *u = (double *)1;
    pinn_error err;
    CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 1, 0, &n, &x, &u, &err), PINN_EFORMAT);
    CU_ASSERT(x == NULL && u == NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].says));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, name)); /* the file is named */
    if (!strstr(err.msg, bad[i].says)) printf("\n  case %zu: got '%s'\n", i, err.msg);
    free(path);
  }
  size_t n;
  double *x, *u;
  pinn_error err;
  char *missing = pinn_test_join(g_dir, "missing.csv");
  CU_ASSERT_EQUAL(pinn_reference_read(missing, 2, 1, 0, &n, &x, &u, &err), PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open"));
  free(missing);
  CU_ASSERT_EQUAL(pinn_reference_read("a.csv", 0, 1, 0, &n, &x, &u, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_reference_read("a.csv", 2, 99, 0, &n, &x, &u, &err), PINN_EINVAL);
}

static void hdf5_points_and_values_read_back_and_bad_shapes_are_refused(void)
{
  const double x[6] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, u2[6] = {1, 2, 3, 4, 5, 6};
  size_t n;
  double *rx, *ru;
  pinn_error err;
  /* [n][n_out] values */
  char *path = write_h5("ok.h5", 3, 2, x, 2, 2, u2);
  CU_ASSERT_EQUAL_FATAL(pinn_reference_read(path, 2, 2, 0, &n, &rx, &ru, &err), 0);
  CU_ASSERT(n == 3 && memcmp(rx, x, sizeof x) == 0 && memcmp(ru, u2, sizeof u2) == 0);
  free(rx);
  free(ru);
  free(path);
  /* [n] values for one output */
  path = write_h5("one.hdf5", 3, 2, x, 1, 1, u2);
  CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 1, 0, &n, &rx, &ru, &err), 0);
  CU_ASSERT(n == 3 && ru[2] == 3);
  free(rx);
  free(ru);
  /* ... which is not [n][2] */
  CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 2, 0, &n, &rx, &ru, &err), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/values must be [3][2]"));
  CU_ASSERT(rx == NULL && ru == NULL);
  /* points of another dimension */
  CU_ASSERT_EQUAL(pinn_reference_read(path, 3, 1, 0, &n, &rx, &ru, &err), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/points must be [n][3]"));
  free(path);
  /* no /values: refused unless optional */
  path = write_h5("novalues.h5", 3, 2, x, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 1, 0, &n, &rx, &ru, &err), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has no dataset /values"));
  CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 1, 1, &n, &rx, &ru, &err), 0);
  CU_ASSERT(n == 3 && ru == NULL);
  free(rx);
  free(path);
  /* a value that is not finite is named */
  const double un[3] = {1, NAN, 3};
  path = write_h5("nan.h5", 3, 2, x, 1, 1, un);
  CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 1, 0, &n, &rx, &ru, &err), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/values[1][0] is not a finite number"));
  free(path);
  /* not an HDF5 file at all, and a file without /points */
  path = write_text("text.h5", "0.1,0.2,1\n");
  CU_ASSERT(pinn_reference_read(path, 2, 1, 0, &n, &rx, &ru, &err) != 0);
  CU_ASSERT(rx == NULL && ru == NULL);
  free(path);
  path = pinn_test_join(g_dir, "nopoints.h5");
  pinn_h5_writer *w = pinn_h5_create(path, &err);
  size_t d1[1] = {3};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/values", 1, d1, un), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &err), 0);
  CU_ASSERT_EQUAL(pinn_reference_read(path, 2, 1, 0, &n, &rx, &ru, &err), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has no dataset /points"));
  free(path);
}

static int zero_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                         void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = u->xx;
  return 0;
}

static void a_problem_loads_its_reference_points_from_a_file(void)
{
  pinn_problem *p = pinn_problem_alloc("square", 2, 0, 1, NULL);
  pinn_domain dom;
  CU_ASSERT_EQUAL(pinn_domain_box(&dom, 2, (double[]){0, 0}, (double[]){1, 2}, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 1, zero_residual, PINN_NEED_XX, NULL), 0);
  char *ok = write_text("nodes.csv", "x,y,u\n0,0,1\n1,2,2\n0.5,1,3\n");
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_problem_load_reference_points(p, ok, &err), 0);
  const double *x, *u;
  CU_ASSERT_EQUAL(pinn_problem_reference_points(p, &x, &u), 3);
  CU_ASSERT(x[2] == 1 && x[3] == 2 && u[2] == 3);
  /* a node outside: the file and the point are named */
  char *out = write_text("outside.csv", "0,0,1\n1,2.5,2\n");
  CU_ASSERT_EQUAL(pinn_problem_load_reference_points(p, out, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "outside.csv: set_reference_points: reference point 1 "
                                         "(1, 2.5) lies outside the domain"));
  CU_ASSERT_EQUAL(pinn_problem_reference_points(p, NULL, NULL), 3); /* unchanged */
  free(ok);
  free(out);
  pinn_problem_free(p);
}

/* ------------------------------------------- the lid-driven cavity references (data/) */

/* Where the bundled reference files are: $PINN_DATA_DIR, else the source tree's data/. */
#ifndef PINN_SOURCE_DATA_DIR
#define PINN_SOURCE_DATA_DIR "data"
#endif
static char *data_path(const char *name)
{
  const char *env = getenv("PINN_DATA_DIR");
  return pinn_test_join(env && *env ? env : PINN_SOURCE_DATA_DIR, name);
}

/* Ghia, Ghia & Shin's and Botella & Peyret's centre lines */
#include "../problems/cavity_tables.h"
#define NGHIA PINN_GHIA_POINTS

/* f at t in [0,1] from samples f[k s] at t = k/n: the node when t is one, else the cubic through
 * the four nearest nodes. */
static double line_value(const double *f, size_t s, size_t n, double t)
{
  const double pos = t * (double)n;
  const double k = floor(pos + 0.5);
  if (fabs(pos - k) < 1e-9) return f[(size_t)k * s];
  long k0 = (long)floor(pos) - 1;
  if (k0 < 0) k0 = 0;
  if (k0 > (long)n - 3) k0 = (long)n - 3;
  double sum = 0;
  for (int a = 0; a < 4; a++) {
    double l = 1;
    for (int b = 0; b < 4; b++)
      if (b != a) l *= (pos - (double)(k0 + b)) / (double)(a - b);
    sum += l * f[(size_t)(k0 + a) * s];
  }
  return sum;
}

/* Read /x (n1 points, i/(n1-1)) and the fields u, v, p [n1][n1] of one grid; checks the grid,
 * finiteness, the boundary values (u = 1 on the whole lid row y = 1, zero on the other walls, v = 0
 * on all), the gauge p(1/2,1/2) = 0 and that the lid is the fastest point.  Returns the largest
 * |u_x + v_y| (central differences at interior nodes) over the largest |u_x|, and in *div_off the
 * same ratio over the nodes at least 0.1 from every wall. */
static double check_cavity_grid(pinn_h5_reader *r, const char *xname, const char *names[3],
                                size_t n1, double **u_out, double **v_out, double *div_off)
{
  double *x = NULL, *u = NULL, *v = NULL, *p = NULL;
  const size_t d1[1] = {n1}, d2[2] = {n1, n1}, n = n1 - 1;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, xname, 1, d1, &x, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, names[0], 2, d2, &u, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, names[1], 2, d2, &v, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, names[2], 2, d2, &p, NULL, NULL), 0);
  if (!x || !u || !v || !p) {
    free(x), free(u), free(v), free(p);
    *u_out = *v_out = NULL;
    return INFINITY;
  }
  size_t bad = 0, nonfinite = 0;
  for (size_t i = 0; i < n1; i++) {
    bad += fabs(x[i] - (double)i / (double)n) > 1e-15;
    bad += u[n * n1 + i] != 1 || v[n * n1 + i] != 0;            /* lid y = 1, corners included */
    bad += u[i] != 0 || v[i] != 0;                              /* y = 0 */
    if (i < n) bad += u[i * n1] != 0 || v[i * n1] != 0;         /* x = 0 */
    if (i < n) bad += u[i * n1 + n] != 0 || v[i * n1 + n] != 0; /* x = 1 */
  }
  CU_ASSERT_EQUAL(bad, 0);
  double speed = 0;
  for (size_t k = 0; k < n1 * n1; k++) {
    nonfinite += !isfinite(u[k]) || !isfinite(v[k]) || !isfinite(p[k]);
    speed = fmax(speed, hypot(u[k], v[k]));
  }
  CU_ASSERT_EQUAL(nonfinite, 0);
  CU_ASSERT_DOUBLE_EQUAL(speed, 1.0, 1e-12);
  CU_ASSERT_EQUAL(p[(n / 2) * n1 + n / 2], 0.0);
  const double h = 1.0 / (double)n;
  double div = 0, div_in = 0, scale = 0, scale_in = 0;
  for (size_t j = 1; j < n; j++)
    for (size_t i = 1; i < n; i++) {
      const size_t k = j * n1 + i;
      const double ux = (u[k + 1] - u[k - 1]) / (2 * h), vy = (v[k + n1] - v[k - n1]) / (2 * h);
      const double xi = (double)i * h, yj = (double)j * h;
      div = fmax(div, fabs(ux + vy));
      if (xi >= 0.1 && xi <= 0.9 && yj >= 0.1 && yj <= 0.9) {
        div_in = fmax(div_in, fabs(ux + vy));
        scale_in = fmax(scale_in, fabs(ux));
      }
      scale = fmax(scale, fabs(ux));
    }
  CU_ASSERT(scale > 1);
  *div_off = div_in / scale_in;
  free(x), free(p);
  *u_out = u;
  *v_out = v;
  return div / scale;
}

/* One cavity file (data/README.md): layout, attributes, boundary values, divergence, and the
 * centre lines against Ghia, Ghia & Shin and (Re = 1000) Botella & Peyret. */
static void check_cavity_reference(const char *name, double re, int col)
{
  char *path = data_path(name);
  pinn_error err = {0};
  pinn_h5_reader *r = pinn_h5_open(path, &err);
  free(path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double a = 0;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/", "Re", &a), 0);
  CU_ASSERT_EQUAL(a, re);
  int64_t grid = 0, grid_fine = 0;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/", "grid", &grid), 0);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/", "grid_fine", &grid_fine), 0);
  CU_ASSERT_EQUAL(grid, 129);
  CU_ASSERT_EQUAL(grid_fine, 257);
  pinn_test_assert_attr_string(r, "/", "generator", "data/make_cavity_ref.c");
  pinn_test_assert_attr_string(r, "/", "pressure_gauge", "p(0.5, 0.5) = 0");

  /* the 257 grid's velocities are central differences of one stream function: divergence-free to
   * rounding; the stored Richardson combination of two grids only to truncation error (its 129-grid
   * central divergence is 4.2e-3 / 4.7e-3 of max |u_x| at Re = 1000 / 100, nodes >= 0.1 from the
   * walls) */
  double *u = NULL, *v = NULL, *uf = NULL, *vf = NULL;
  const char *fine[3] = {"/u_fine", "/v_fine", "/p_fine"}, *rich[3] = {"/u", "/v", "/p"};
  double div_off = INFINITY;
  CU_ASSERT(check_cavity_grid(r, "/x_fine", fine, 257, &uf, &vf, &div_off) < 1e-13);
  (void)check_cavity_grid(r, "/x", rich, 129, &u, &v, &div_off);
  CU_ASSERT(div_off < 0.02);
  free(uf), free(vf);
  CU_ASSERT_PTR_NOT_NULL_FATAL(u);
  CU_ASSERT_PTR_NOT_NULL_FATAL(v);
  const size_t n = 128, n1 = 129;

  /* Ghia's centre lines (nodes of the 129 grid): within 1% of the lid speed at every tabulated
   * point, but for the five v points nearest the right wall at Re = 1000 (x = 0.9063 .. 0.9688,
   * k = 1..5): Ghia's values there are 1.1% to 1.8% smaller in magnitude than Botella & Peyret's
   * spectral ones, which the stored field meets to 1e-3 (data/README.md), so 2% there. */
  double dev_u = 0, dev_v = 0;
  for (int k = 0; k < NGHIA; k++) {
    const double uc = line_value(u + n / 2, n1, n, (pinn_ghia_j[k] - 1) / 128.0);
    const double vc = line_value(v + (n / 2) * n1, 1, n, (pinn_ghia_i[k] - 1) / 128.0);
    const double tol_v = (col == 1 && k >= 1 && k <= 5) ? 0.02 : 0.01;
    CU_ASSERT(fabs(uc - pinn_ghia_u[col][k]) < 0.01);
    CU_ASSERT(fabs(vc - pinn_ghia_v[col][k]) < tol_v);
    dev_u = fmax(dev_u, fabs(uc - pinn_ghia_u[col][k]));
    dev_v = fmax(dev_v, fabs(vc - pinn_ghia_v[col][k]));
    if (col == 1) { /* Botella & Peyret, at their printed points (cubic interpolation) */
      CU_ASSERT(fabs(line_value(u + n / 2, n1, n, pinn_bp_y[k]) - pinn_bp_u[k]) < 1e-3);
      CU_ASSERT(fabs(line_value(v + (n / 2) * n1, 1, n, pinn_bp_x[k]) - pinn_bp_v[k]) < 1e-3);
    }
  }
  /* the deviations are the ones the generator recorded */
  double rec_u = -1, rec_v = -1;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/", "ghia_max_dev_u", &rec_u), 0);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/", "ghia_max_dev_v", &rec_v), 0);
  CU_ASSERT_DOUBLE_EQUAL(dev_u, rec_u, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(dev_v, rec_v, 1e-12);

  pinn_h5_close(r);
  free(u), free(v);
}

static void cavity_re100_reference_meets_ghias_centre_lines(void)
{
  check_cavity_reference("cavity2d_ref_re100.h5", 100, 0);
}

static void cavity_re1000_reference_meets_ghias_centre_lines(void)
{
  check_cavity_reference("cavity2d_ref_re1000.h5", 1000, 1);
}

int main(void)
{
  g_dir = pinn_test_tmpdir("reference");
  static const pinn_test_case cases[] = {
      {"errors_match_hand_computed_values", errors_match_hand_computed_values},
      {"csv_points_and_values_read_back_exactly", csv_points_and_values_read_back_exactly},
      {"malformed_csv_files_are_refused_with_the_line_and_what_to_fix",
       malformed_csv_files_are_refused_with_the_line_and_what_to_fix},
      {"hdf5_points_and_values_read_back_and_bad_shapes_are_refused",
       hdf5_points_and_values_read_back_and_bad_shapes_are_refused},
      {"a_problem_loads_its_reference_points_from_a_file",
       a_problem_loads_its_reference_points_from_a_file},
      {"cavity_re100_reference_meets_ghias_centre_lines",
       cavity_re100_reference_meets_ghias_centre_lines},
      {"cavity_re1000_reference_meets_ghias_centre_lines",
       cavity_re1000_reference_meets_ghias_centre_lines},
      {NULL, NULL}};
  int rc = pinn_test_add_suite("reference", cases) ? 1 : pinn_test_run_all();
  pinn_test_rmtree(g_dir);
  free(g_dir);
  return rc;
}
