/* The free-boundary error (pinn/freeboundary.h) on constructed contact
 * sets with known boundaries: a disk against its own circle (second-order
 * accurate with a continuous level, within a grid step with a 0/1 field), a
 * shifted and an enlarged disk (the shift, the enlargement), a 1D interval
 * (exact: the level is linear), a ring clipped by NaN points outside a ball
 * (the rim is not free boundary), empty sets, the level of exact torsion
 * data against pinn_obstacle_contact, and bad arguments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/pinn.h>

#include "testutil.h"

enum { M = 201 }; /* grid of [-1, 1]^2, h = 0.01 */
static const double H = 2.0 / (M - 1);
static const size_t COUNTS[2] = {M, M};
static const double LO[2] = {-1, -1}, HI[2] = {1, 1};

static double gx(size_t i) { return -1 + H * (double)(i % M); }
static double gy(size_t i) { return -1 + H * (double)(i / M); }

static double *circle(double cx, double r, size_t m)
{
  double *p = malloc(2 * m * sizeof *p);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  for (size_t k = 0; k < m; ++k) {
    const double t = 2 * M_PI * (double)k / (double)m;
    p[2 * k] = cx + r * cos(t);
    p[2 * k + 1] = r * sin(t);
  }
  return p;
}

/* level = R' - |x - (s, 0)| (binary: 1/2 inside, -1/2 outside) against the
 * circle of radius R about 0 sampled at m points */
static pinn_free_boundary_error disk_error(double s, double Rc, double R, int binary, size_t m)
{
  static double level[M * M];
  for (size_t i = 0; i < (size_t)M * M; ++i) {
    const double v = Rc - hypot(gx(i) - s, gy(i));
    level[i] = binary ? (v > 0 ? 0.5 : -0.5) : v;
  }
  double *ex = circle(0, R, m);
  pinn_free_boundary_error e = {0};
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, m, ex, &e, &err), 0);
  free(ex);
  return e;
}

static void disk_level_finds_its_circle_to_second_order(void)
{
  /* measured 3.5e-5: the interpolant's error (~h^2 / (8 R) = 1.8e-5 along
   * an edge; the miss is measured to the chords between crossings), plus at
   * most half the sample spacing 2 pi 0.7 / 1e5 = 4.4e-5 */
  const pinn_free_boundary_error e = disk_error(0, 0.7, 0.7, 0, 100000);
  printf("\n  disk r = 0.7, continuous level: hausdorff %.3e (excess %.3e, miss %.3e, %zu points)",
         e.hausdorff, e.excess, e.miss, e.n_computed);
  CU_ASSERT(e.hausdorff < 1e-4);
  /* two crossings per grid line through the disk: about 4 (2 R / h) = 560 */
  CU_ASSERT(e.n_computed > 540 && e.n_computed < 580);
  CU_ASSERT_DOUBLE_EQUAL(e.hausdorff, fmax(e.excess, e.miss), 0);
}

static void binary_contact_field_is_within_a_grid_step(void)
{
  const pinn_free_boundary_error e = disk_error(0, 0.7, 0.7, 1, 20000);
  printf("\n  disk r = 0.7, 0/1 field: hausdorff %.3e (h %.3g)", e.hausdorff, H);
  /* edge midpoints: at most h/2 along the edge, the miss at most h/sqrt 2 */
  CU_ASSERT(e.excess <= 0.5 * H + 1e-4);
  CU_ASSERT(e.hausdorff <= H);
}

static void shifted_disk_gives_the_shift(void)
{
  const pinn_free_boundary_error e = disk_error(0.1, 0.5, 0.5, 0, 20000);
  printf("\n  disk r = 0.5 shifted by 0.1: hausdorff %.5f (excess %.5f, miss %.5f)", e.hausdorff,
         e.excess, e.miss);
  CU_ASSERT_DOUBLE_EQUAL(e.hausdorff, 0.1, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(e.excess, 0.1, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(e.miss, 0.1, 1e-3);
}

static void enlarged_disk_gives_the_enlargement(void)
{
  const pinn_free_boundary_error e = disk_error(0, 0.55, 0.5, 0, 20000);
  CU_ASSERT_DOUBLE_EQUAL(e.hausdorff, 0.05, 2e-4);
}

/* 1D: contact [a + 0.01, 1 - a] on a 1001-point grid of [0, 1]: the level
 * min(x - a', b - x) is linear between grid points, so the ends are exact */
static void interval_ends_are_exact_in_one_dimension(void)
{
  enum { N = 1001 };
  const double a = 0.25 * M_SQRT2, ends[2] = {a, 1 - a};
  double level[N];
  for (size_t i = 0; i < N; ++i) {
    const double x = (double)i / (N - 1);
    level[i] = fmin(x - (a + 0.01), (1 - a) - x);
  }
  pinn_free_boundary_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_free_boundary_distance(1, (size_t[]){N}, (double[]){0}, (double[]){1},
                                                    level, 2, ends, &e, NULL), 0);
  CU_ASSERT_EQUAL(e.n_computed, 2);
  CU_ASSERT_DOUBLE_EQUAL(e.hausdorff, 0.01, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(e.excess, 0.01, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(e.miss, 0.01, 1e-12);
  double pts[2];
  size_t n = 0;
  CU_ASSERT_EQUAL(pinn_free_boundary_points(1, (size_t[]){N}, (double[]){0}, (double[]){1}, level,
                                            pts, 2, &n, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(pts[0], a + 0.01, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(pts[1], 1 - a, 1e-12);
  /* too small a buffer: the count, the first points, PINN_ERANGE */
  CU_ASSERT_EQUAL(pinn_free_boundary_points(1, (size_t[]){N}, (double[]){0}, (double[]){1}, level,
                                            pts, 1, &n, NULL), PINN_ERANGE);
  CU_ASSERT_EQUAL(n, 2);
  CU_ASSERT_DOUBLE_EQUAL(pts[0], a + 0.01, 1e-12);
}

/* torsion's geometry: contact the ring 1/2 <= r <= 1, NaN outside the unit
 * disk; the rim r = 1 borders NaN points only, so the one boundary is
 * r = 1/2 */
static void rim_next_to_nan_points_is_not_free_boundary(void)
{
  static double level[M * M];
  for (size_t i = 0; i < (size_t)M * M; ++i) {
    const double r = hypot(gx(i), gy(i));
    level[i] = r <= 1 ? r - 0.5 : NAN;
  }
  double *ex = circle(0, 0.5, 20000);
  pinn_free_boundary_error e;
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, 20000, ex, &e, NULL), 0);
  free(ex);
  printf("\n  ring 1/2 <= r <= 1: hausdorff %.3e, %zu points", e.hausdorff, e.n_computed);
  CU_ASSERT(e.hausdorff < 2e-4);
  CU_ASSERT(e.n_computed < 4 * 2 * 0.5 / H + 8); /* the inner circle's crossings only */
}

static void empty_sets_are_infinitely_far(void)
{
  static double level[M * M];
  for (size_t i = 0; i < (size_t)M * M; ++i) level[i] = -1;
  double ex[2] = {0.5, 0};
  pinn_free_boundary_error e;
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, 1, ex, &e, NULL), 0);
  CU_ASSERT_EQUAL(e.n_computed, 0);
  CU_ASSERT(isinf(e.hausdorff) && isinf(e.miss));
  CU_ASSERT_EQUAL(e.excess, 0);
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, 0, NULL, &e, NULL), 0);
  CU_ASSERT_EQUAL(e.hausdorff, 0);
  level[M * (M / 2) + M / 2] = 1; /* one contact point, no exact boundary */
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, 0, NULL, &e, NULL), 0);
  CU_ASSERT_EQUAL(e.n_computed, 4);
  CU_ASSERT(isinf(e.hausdorff) && isinf(e.excess));
}

/* torsion's exact u, psi = 1 - r and multiplier (0 in the core, 4 - 1/r on
 * contact): the level is positive exactly where pinn_obstacle_contact
 * marks contact, and its boundary is within a grid step of r = 1/2 */
static void level_of_exact_torsion_matches_the_contact_criterion(void)
{
  static double u[M * M], ps[M * M], lam[M * M], on[M * M], level[M * M];
  for (size_t i = 0; i < (size_t)M * M; ++i) {
    const double r = hypot(gx(i), gy(i));
    u[i] = r > 1 ? NAN : r < 0.5 ? 0.75 - r * r : 1 - r;
    ps[i] = 1 - r;
    lam[i] = r < 0.5 ? 0.0 : 4 - 1 / r;
  }
  double gt, lt;
  CU_ASSERT_EQUAL_FATAL(pinn_obstacle_contact(M * M, u, ps, lam, -1, on, &gt, &lt, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_free_boundary_level(M * M, u, ps, lam, -1, gt, lt, level, NULL), 0);
  size_t disagree = 0;
  for (size_t i = 0; i < (size_t)M * M; ++i)
    disagree += isnan(on[i]) ? !isnan(level[i]) : (on[i] == 1.0) != (level[i] > 0);
  CU_ASSERT_EQUAL(disagree, 0);
  double *ex = circle(0, 0.5, 20000);
  pinn_free_boundary_error e;
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, 20000, ex, &e, NULL), 0);
  free(ex);
  printf("\n  exact torsion: free boundary %.3e from r = 1/2 (h %.3g)", e.hausdorff, H);
  CU_ASSERT(e.hausdorff <= H);
  /* without the multiplier the gap band (r - 1/2)^2 <= 1e-3 is contact: the
   * boundary moves in by about sqrt(1e-3) = 0.032 */
  CU_ASSERT_EQUAL_FATAL(pinn_obstacle_contact(M * M, u, ps, NULL, -1, on, &gt, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_free_boundary_level(M * M, u, ps, NULL, -1, gt, 0, level, NULL), 0);
  ex = circle(0, 0.5, 20000);
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(2, COUNTS, LO, HI, level, 20000, ex, &e, NULL), 0);
  free(ex);
  printf(", gap only: %.4f", e.hausdorff);
  CU_ASSERT_DOUBLE_EQUAL(e.hausdorff, sqrt(1e-3), 2e-3);
}

static void bad_arguments_are_refused(void)
{
  double level[4] = {1, -1, 1, -1}, pts[8], ex[2] = {0, 0};
  size_t n;
  pinn_free_boundary_error e;
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_free_boundary_points(0, (size_t[]){4}, (double[]){0}, (double[]){1}, level,
                                            pts, 4, &n, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_free_boundary_points(1, (size_t[]){0}, (double[]){0}, (double[]){1}, level,
                                            pts, 4, &n, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_free_boundary_points(1, (size_t[]){4}, (double[]){1}, (double[]){1}, level,
                                            pts, 4, &n, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "lo < hi"));
  CU_ASSERT_EQUAL(pinn_free_boundary_points(1, (size_t[]){4}, (double[]){0}, (double[]){1}, NULL,
                                            pts, 4, &n, &err), PINN_EINVAL);
  ex[0] = NAN;
  CU_ASSERT_EQUAL(pinn_free_boundary_distance(1, (size_t[]){4}, (double[]){0}, (double[]){1},
                                              level, 1, ex, &e, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_free_boundary_level(4, level, level, NULL, 0, 1, 0, pts, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_free_boundary_level(4, level, level, NULL, 1, 0, 0, pts, &err), PINN_EINVAL);
  /* three sign changes on a 4-point line: 1 | -1 | 1 | -1 at 1/6, 1/2, 5/6 */
  CU_ASSERT_EQUAL(pinn_free_boundary_points(1, (size_t[]){4}, (double[]){0}, (double[]){1}, level,
                                            pts, 4, &n, &err), 0);
  CU_ASSERT_EQUAL(n, 3);
  CU_ASSERT_DOUBLE_EQUAL(pts[1], 0.5, 1e-15);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"disk_level_finds_its_circle_to_second_order", disk_level_finds_its_circle_to_second_order},
      {"binary_contact_field_is_within_a_grid_step", binary_contact_field_is_within_a_grid_step},
      {"shifted_disk_gives_the_shift", shifted_disk_gives_the_shift},
      {"enlarged_disk_gives_the_enlargement", enlarged_disk_gives_the_enlargement},
      {"interval_ends_are_exact_in_one_dimension", interval_ends_are_exact_in_one_dimension},
      {"rim_next_to_nan_points_is_not_free_boundary", rim_next_to_nan_points_is_not_free_boundary},
      {"empty_sets_are_infinitely_far", empty_sets_are_infinitely_far},
      {"level_of_exact_torsion_matches_the_contact_criterion",
       level_of_exact_torsion_matches_the_contact_criterion},
      {"bad_arguments_are_refused", bad_arguments_are_refused},
      {NULL, NULL}};
  if (pinn_test_add_suite("freeboundary", cases)) return 1;
  return pinn_test_run_all();
}
