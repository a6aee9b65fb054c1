/* Tests for pinn/reference.h: the error against a reference (hand-computed
 * values, row selection, 0/0, NaN), the CSV and HDF5 readers of points and
 * values (good files read back exactly; malformed files refused with the
 * line, column or dataset and what to fix), and the problem-level loader. */
#define _XOPEN_SOURCE 700
#include <pinn/h5io.h>
#include <pinn/reference.h>

#include <math.h>
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
      {NULL, NULL}};
  int rc = pinn_test_add_suite("reference", cases) ? 1 : pinn_test_run_all();
  pinn_test_rmtree(g_dir);
  free(g_dir);
  return rc;
}
