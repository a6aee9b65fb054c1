/* Tests for domains and the maps from unit-cube samples to training points. */
#include <pinn/domain.h>
#include <pinn/geometry.h>
#include <pinn/sample.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const pinn_sampler_kind all_kinds[] = {PINN_SAMPLER_GRID, PINN_SAMPLER_UNIFORM,
                                              PINN_SAMPLER_LHS, PINN_SAMPLER_SOBOL,
                                              PINN_SAMPLER_HALTON};
#define NKINDS (sizeof all_kinds / sizeof all_kinds[0])

/* A table of domains covering boxes, balls, 1..7 dims, with and without time. */
enum { NDOM = 10 };
static void make_domains(pinn_domain *dom)
{
  static const double lo3[] = {-1.0, 0.0, 2.0}, hi3[] = {1.0, 0.5, 5.0};
  static const double lo7[] = {0, 0, 0, 0, 0, 0, 0}, hi7[] = {1, 2, 1, 1, 3, 1, 1};
  static const double c2[] = {0.3, -0.2}, c3[] = {1.0, 2.0, 3.0}, c5[] = {0, 1, 0, -1, 0};
  static const double c1[] = {4.0};
  int rc = 0;
  rc |= pinn_domain_interval(&dom[0], -1.0, 2.0, NULL);
  rc |= pinn_domain_interval(&dom[1], 0.0, 1.0, NULL);
  rc |= pinn_domain_with_time(&dom[1], 0.0, 2.0, NULL);
  rc |= pinn_domain_box(&dom[2], 2, lo3, hi3, NULL);
  rc |= pinn_domain_with_time(&dom[2], 1.0, 1.5, NULL);
  rc |= pinn_domain_box(&dom[3], 3, lo3, hi3, NULL);
  rc |= pinn_domain_box(&dom[4], 7, lo7, hi7, NULL);
  rc |= pinn_domain_ball(&dom[5], 2, c2, 1.5, NULL);
  rc |= pinn_domain_ball(&dom[6], 3, c3, 0.5, NULL);
  rc |= pinn_domain_with_time(&dom[6], 0.0, 1.0, NULL);
  rc |= pinn_domain_ball(&dom[7], 5, c5, 2.0, NULL);
  rc |= pinn_domain_ball(&dom[8], 1, c1, 0.25, NULL);
  rc |= pinn_domain_ball(&dom[9], 4, c5, 1.0, NULL);
  rc |= pinn_domain_with_time(&dom[9], -1.0, 0.0, NULL);
  CU_ASSERT_EQUAL(rc, 0);
}

/* A sampler for a region, NULL when the region needs no coordinates. */
static pinn_sampler *sampler_for(const pinn_domain *dom, pinn_region r, pinn_sampler_kind k,
                                 unsigned long seed)
{
  size_t sd = pinn_domain_sampler_dim(dom, r);
  return sd ? pinn_sampler_alloc(k, sd, seed, NULL) : NULL;
}

static void constructors_refuse_bad_input_and_say_what_to_fix(void)
{
  pinn_domain dom, before;
  pinn_error e;
  const double lo[9] = {0}, hi[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, bad_hi[2] = {1.0, -1.0};
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, 0.0, 1.0, NULL), 0);
  before = dom;
  CU_ASSERT_EQUAL(pinn_domain_box(&dom, 0, lo, hi, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "1 <= d <= 8"));
  CU_ASSERT_EQUAL(pinn_domain_box(&dom, 9, lo, hi, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "d = 9"));
  CU_ASSERT_EQUAL(pinn_domain_box(&dom, 2, lo, bad_hi, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "axis 1"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lo < hi"));
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, 2.0, 2.0, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lo < hi"));
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, NAN, 2.0, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "finite"));
  CU_ASSERT_EQUAL(pinn_domain_ball(&dom, 2, lo, 0.0, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "r > 0"));
  CU_ASSERT_EQUAL(pinn_domain_ball(&dom, 2, lo, -1.0, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "r > 0"));
  CU_ASSERT_EQUAL(pinn_domain_ball(&dom, 9, lo, 1.0, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "1 <= d <= 8"));
  CU_ASSERT_EQUAL(pinn_domain_with_time(&dom, 1.0, 0.0, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t0 < t1"));
  CU_ASSERT_EQUAL(pinn_domain_with_time(&dom, 0.0, INFINITY, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "finite"));
  /* Failed constructors leave the domain untouched. */
  CU_ASSERT_EQUAL(memcmp(&dom, &before, sizeof dom), 0);
  /* A zeroed struct is not a domain. */
  pinn_domain zero;
  memset(&zero, 0, sizeof zero);
  CU_ASSERT_EQUAL(pinn_domain_check(&zero, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_domain_box"));
  CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&zero, PINN_REGION_INTERIOR), 0);
  double x[2];
  CU_ASSERT_EQUAL(pinn_domain_sample_interior(&zero, NULL, 1, x, NULL, &e), PINN_EINVAL);
}

static void dimensions_and_measures_have_their_textbook_values(void)
{
  pinn_domain dom;
  const double lo[] = {0.0, 0.0}, hi[] = {2.0, 1.0}, c[] = {0, 0, 0, 0, 0};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  CU_ASSERT_EQUAL(pinn_domain_dim(&dom), 2);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), 2.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 6.0, 1e-15);
  CU_ASSERT_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INITIAL), 0.0);
  pinn_domain_with_time(&dom, 1.0, 4.0, NULL);
  CU_ASSERT_EQUAL(pinn_domain_dim(&dom), 3);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), 6.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 18.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INITIAL), 2.0, 1e-15);
  double blo[3], bhi[3];
  pinn_domain_bounds(&dom, blo, bhi);
  CU_ASSERT(blo[0] == 0.0 && bhi[0] == 2.0 && blo[2] == 1.0 && bhi[2] == 4.0);
  pinn_domain_ball(&dom, 2, c, 2.0, NULL);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), 4.0 * M_PI, 1e-13);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 4.0 * M_PI, 1e-13);
  pinn_domain_ball(&dom, 3, c, 1.0, NULL);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), 4.0 * M_PI / 3.0,
                         1e-13);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 4.0 * M_PI, 1e-13);
  pinn_domain_ball(&dom, 4, c, 1.0, NULL);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), M_PI * M_PI / 2.0,
                         1e-13);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 2.0 * M_PI * M_PI,
                         1e-13);
  pinn_domain_ball(&dom, 1, c, 0.5, NULL);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 2.0, 1e-15);
  CU_ASSERT_EQUAL(pinn_domain_num_faces(&dom), 2);
}

static void sampler_dims_follow_the_documented_table(void)
{
  pinn_domain dom[NDOM];
  make_domains(dom);
  /* interior, boundary, initial */
  static const size_t want[NDOM][3] = {
    {1, 0, 0}, {2, 1, 1}, {3, 2, 2}, {3, 2, 0}, {7, 6, 0},
    {2, 1, 0}, {4, 3, 3}, {6, 5, 0}, {1, 0, 0}, {6, 5, 5}};
  for (size_t i = 0; i < NDOM; ++i) {
    CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&dom[i], PINN_REGION_INTERIOR), want[i][0]);
    CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&dom[i], PINN_REGION_BOUNDARY), want[i][1]);
    CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&dom[i], PINN_REGION_INITIAL), want[i][2]);
  }
}

static void signed_distance_and_contains_agree_with_geometry(void)
{
  pinn_domain box, ball;
  const double lo[] = {0.0, 0.0}, hi[] = {2.0, 1.0}, c[] = {1.0, 1.0};
  pinn_domain_box(&box, 2, lo, hi, NULL);
  pinn_domain_ball(&ball, 2, c, 2.0, NULL);
  const double p1[] = {3.0, 0.5}, p2[] = {3.0, 2.0}, p3[] = {1.0, 0.25}, p4[] = {0.0, 0.5};
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&box, p1), 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&box, p2), sqrt(2.0), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&box, p3), -0.25, 1e-15);
  CU_ASSERT_EQUAL(pinn_domain_signed_distance(&box, p4), 0.0);
  CU_ASSERT(!pinn_domain_contains(&box, p1));
  CU_ASSERT(pinn_domain_contains(&box, p3));
  CU_ASSERT(pinn_domain_contains(&box, p4));
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&ball, p2), sqrt(5.0) - 2.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&ball, c), -2.0, 1e-15);
  CU_ASSERT(pinn_domain_contains(&ball, p3));
  CU_ASSERT(!pinn_domain_contains(&ball, p1)); /* distance sqrt(4.25) > 2 */
  CU_ASSERT(!pinn_domain_contains(&ball, (const double[]){3.0, 3.0}));
  pinn_domain_with_time(&box, 0.0, 1.0, NULL);
  CU_ASSERT(pinn_domain_contains(&box, (const double[]){1.0, 0.5, 1.0}));
  CU_ASSERT(!pinn_domain_contains(&box, (const double[]){1.0, 0.5, 1.5}));
}

static void interior_and_initial_points_lie_in_the_domain_for_every_sampler(void)
{
  pinn_domain dom[NDOM];
  make_domains(dom);
  const size_t n = 300;
  double *x = malloc(n * PINN_MAX_INPUTS * sizeof *x);
  for (size_t i = 0; i < NDOM; ++i) {
    const size_t dim = pinn_domain_dim(&dom[i]);
    for (size_t k = 0; k < NKINDS; ++k) {
      pinn_sampler *s = sampler_for(&dom[i], PINN_REGION_INTERIOR, all_kinds[k], 5);
      size_t count = 0, outside = 0, strict_out = 0;
      CU_ASSERT_EQUAL_FATAL(pinn_domain_sample_interior(&dom[i], s, n, x, &count, NULL), 0);
      if (all_kinds[k] != PINN_SAMPLER_GRID) CU_ASSERT_EQUAL(count, n);
      CU_ASSERT(count >= 1 && count <= n);
      for (size_t p = 0; p < count; ++p) {
        outside += !pinn_domain_contains(&dom[i], x + p * dim);
        strict_out += pinn_domain_signed_distance(&dom[i], x + p * dim) > 0.0;
      }
      CU_ASSERT_EQUAL(outside, 0);
      CU_ASSERT_EQUAL(strict_out, 0);
      pinn_sampler_free(s);
      if (!dom[i].has_time) continue;
      s = sampler_for(&dom[i], PINN_REGION_INITIAL, all_kinds[k], 5);
      CU_ASSERT_EQUAL_FATAL(pinn_domain_sample_initial(&dom[i], s, n, x, &count, NULL), 0);
      for (size_t p = 0; p < count; ++p) {
        outside += !pinn_domain_contains(&dom[i], x + p * dim);
        outside += x[p * dim + dim - 1] != dom[i].t0;
      }
      CU_ASSERT_EQUAL(outside, 0);
      pinn_sampler_free(s);
    }
  }
  free(x);
}

static void boundary_points_lie_on_the_boundary_with_outward_unit_normals(void)
{
  pinn_domain dom[NDOM];
  make_domains(dom);
  const size_t n = 400;
  double *x = malloc(n * PINN_MAX_INPUTS * sizeof *x), *nv = malloc(n * 7 * sizeof *nv);
  for (size_t i = 0; i < NDOM; ++i) {
    const size_t dim = pinn_domain_dim(&dom[i]), d = dom[i].d;
    for (size_t k = 0; k < NKINDS; ++k) {
      pinn_sampler *s = sampler_for(&dom[i], PINN_REGION_BOUNDARY, all_kinds[k], 9);
      size_t count = 0, off = 0, not_unit = 0, not_outward = 0;
      pinn_error e;
      int rc = pinn_domain_sample_boundary(&dom[i], s, n, x, nv, &count, &e);
      CU_ASSERT_EQUAL_FATAL(rc, 0);
      CU_ASSERT(count >= 2 && count <= n);
      for (size_t p = 0; p < count; ++p) {
        double *xp = x + p * dim, *np = nv + p * d, norm2 = 0.0, y[PINN_MAX_INPUTS];
        off += fabs(pinn_domain_signed_distance(&dom[i], xp)) >= 1e-12;
        off += !pinn_domain_contains(&dom[i], xp) && pinn_domain_signed_distance(&dom[i], xp) > 1e-12;
        for (size_t j = 0; j < d; ++j) norm2 += np[j] * np[j];
        not_unit += fabs(sqrt(norm2) - 1.0) >= 1e-12;
        const double eps = 1e-6;
        memcpy(y, xp, dim * sizeof *y);
        for (size_t j = 0; j < d; ++j) y[j] = xp[j] + eps * np[j];
        not_outward += pinn_domain_contains(&dom[i], y);
        for (size_t j = 0; j < d; ++j) y[j] = xp[j] - eps * np[j];
        not_outward += !pinn_domain_contains(&dom[i], y);
        if (dom[i].has_time) off += xp[d] < dom[i].t0 || xp[d] > dom[i].t1;
      }
      CU_ASSERT_EQUAL(off, 0);
      CU_ASSERT_EQUAL(not_unit, 0);
      CU_ASSERT_EQUAL(not_outward, 0);
      pinn_sampler_free(s);
    }
  }
  free(x);
  free(nv);
}

static void faces_get_points_in_proportion_to_their_area(void)
{
  pinn_domain rect;
  const double lo[] = {0.0, 0.0}, hi[] = {2.0, 1.0};
  pinn_domain_box(&rect, 2, lo, hi, NULL);
  size_t counts[4];
  CU_ASSERT_EQUAL(pinn_domain_face_counts(&rect, PINN_FACES_ALL, 600, counts, NULL), 0);
  CU_ASSERT(counts[0] == 100 && counts[1] == 100 && counts[2] == 200 && counts[3] == 200);
  /* Largest remainders: quotas 7/6, 7/6, 7/3, 7/3 -> 1, 1, 3, 2 (tie to lower face). */
  CU_ASSERT_EQUAL(pinn_domain_face_counts(&rect, PINN_FACES_ALL, 7, counts, NULL), 0);
  CU_ASSERT(counts[0] == 1 && counts[1] == 1 && counts[2] == 3 && counts[3] == 2);
  /* The sampled points follow the counts, face by face. */
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, 1, 0, NULL);
  double x[1200], nv[1200];
  size_t count = 0, on[4] = {0, 0, 0, 0};
  CU_ASSERT_EQUAL(pinn_domain_sample_boundary(&rect, s, 600, x, nv, &count, NULL), 0);
  CU_ASSERT_EQUAL(count, 600);
  for (size_t p = 0; p < count; ++p) {
    if (nv[2 * p] == -1.0 && x[2 * p] == 0.0) on[0]++;
    if (nv[2 * p] == 1.0 && x[2 * p] == 2.0) on[1]++;
    if (nv[2 * p + 1] == -1.0 && x[2 * p + 1] == 0.0) on[2]++;
    if (nv[2 * p + 1] == 1.0 && x[2 * p + 1] == 1.0) on[3]++;
  }
  CU_ASSERT(on[0] == 100 && on[1] == 100 && on[2] == 200 && on[3] == 200);
  CU_ASSERT(nv[0] == -1.0 && nv[2 * 599 + 1] == 1.0); /* grouped in face order */
  /* Only the selected faces: x_0 = lo and x_1 = hi, areas 1 and 2. */
  CU_ASSERT_EQUAL(pinn_domain_face_counts(&rect, PINN_FACE_LO(0) | PINN_FACE_HI(1), 30, counts,
                                          NULL), 0);
  CU_ASSERT(counts[0] == 10 && counts[1] == 0 && counts[2] == 0 && counts[3] == 20);
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_domain_sample_faces(&rect, PINN_FACE_LO(2), s, 10, x, nv, &count, &e),
                  PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "PINN_FACE_LO(k)"));
  pinn_sampler_free(s);
  /* An interval: two end points share n evenly, the extra one at lo; no sampler needed. */
  pinn_domain iv;
  pinn_domain_interval(&iv, -1.0, 3.0, NULL);
  CU_ASSERT_EQUAL(pinn_domain_sample_boundary(&iv, NULL, 5, x, nv, &count, NULL), 0);
  CU_ASSERT_EQUAL(count, 5);
  const double want_x[] = {-1, -1, -1, 3, 3}, want_n[] = {-1, -1, -1, 1, 1};
  CU_ASSERT_EQUAL(memcmp(x, want_x, sizeof want_x), 0);
  CU_ASSERT_EQUAL(memcmp(nv, want_n, sizeof want_n), 0);
}

/* Fraction of points within R/2 of the centre is 2^-d; coordinates average
 * to the centre (variance R^2 / (d + 2)); normals average to 0. */
static void ball_samples_are_uniform_in_volume_and_on_the_sphere(void)
{
  const size_t n = 20000;
  static const size_t dims[] = {2, 3, 5, 7};
  const double c[] = {1.0, -2.0, 0.5, 0.0, 3.0, 1.0, -1.0}, R = 2.0;
  double *x = malloc(n * 7 * sizeof *x), *nv = malloc(n * 7 * sizeof *nv);
  for (size_t t = 0; t < sizeof dims / sizeof dims[0]; ++t) {
    const size_t d = dims[t];
    pinn_domain ball;
    pinn_domain_ball(&ball, d, c, R, NULL);
    for (int kind = 0; kind < 2; ++kind) {
      pinn_sampler_kind k = kind ? PINN_SAMPLER_SOBOL : PINN_SAMPLER_UNIFORM;
      pinn_sampler *s = sampler_for(&ball, PINN_REGION_INTERIOR, k, 31 + d);
      CU_ASSERT_EQUAL_FATAL(pinn_domain_sample_interior(&ball, s, n, x, NULL, NULL), 0);
      const double p = pow(0.5, (double)d), sd = sqrt(p * (1.0 - p) / (double)n);
      size_t inner = 0;
      double mean[7] = {0};
      for (size_t i = 0; i < n; ++i) {
        double r2 = 0.0;
        for (size_t j = 0; j < d; ++j) {
          r2 += (x[i * d + j] - c[j]) * (x[i * d + j] - c[j]);
          mean[j] += x[i * d + j] / (double)n;
        }
        inner += r2 < 0.25 * R * R;
      }
      CU_ASSERT(fabs((double)inner / (double)n - p) < 5.0 * sd);
      for (size_t j = 0; j < d; ++j)
        CU_ASSERT(fabs(mean[j] - c[j]) < 5.0 * R / sqrt((double)(d + 2) * (double)n));
      pinn_sampler_free(s);
      /* Sphere: normals average to 0 (variance 1/d per coordinate); half the
       * points have x_0 above the centre. */
      s = sampler_for(&ball, PINN_REGION_BOUNDARY, k, 77 + d);
      CU_ASSERT_EQUAL_FATAL(pinn_domain_sample_boundary(&ball, s, n, x, nv, NULL, NULL), 0);
      double nmean[7] = {0};
      size_t upper = 0;
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < d; ++j) nmean[j] += nv[i * d + j] / (double)n;
        upper += x[i * d] > c[0];
      }
      for (size_t j = 0; j < d; ++j) CU_ASSERT(fabs(nmean[j]) < 5.0 / sqrt((double)(d * n)));
      CU_ASSERT(fabs((double)upper / (double)n - 0.5) < 5.0 * 0.5 / sqrt((double)n));
      pinn_sampler_free(s);
    }
  }
  free(x);
  free(nv);
}

static int cmp_rows2(const void *a, const void *b)
{
  const double *p = a, *q = b;
  if (p[0] != q[0]) return p[0] < q[0] ? -1 : 1;
  if (p[1] != q[1]) return p[1] < q[1] ? -1 : 1;
  return 0;
}

static void grid_boundary_of_a_square_is_equally_spaced_with_each_corner_once(void)
{
  pinn_domain sq;
  const double lo[] = {0.0, 0.0}, hi[] = {1.0, 1.0};
  pinn_domain_box(&sq, 2, lo, hi, NULL);
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_GRID, 1, 0, NULL);
  double x[2 * 43], nv[2 * 43];
  for (size_t n = 40; n <= 43; ++n) {
    size_t count = 0;
    CU_ASSERT_EQUAL_FATAL(pinn_domain_sample_boundary(&sq, s, n, x, nv, &count, NULL), 0);
    CU_ASSERT_EQUAL(count, 40); /* 11 points per side, 4 m - 4 = 40 */
  }
  size_t corners = 0, off_grid = 0;
  for (size_t p = 0; p < 40; ++p) {
    const double a = x[2 * p], b = x[2 * p + 1];
    off_grid += fabs(a * 10.0 - nearbyint(a * 10.0)) > 1e-12;
    off_grid += fabs(b * 10.0 - nearbyint(b * 10.0)) > 1e-12;
    if ((a == 0.0 || a == 1.0) && (b == 0.0 || b == 1.0)) {
      corners++;
      CU_ASSERT_DOUBLE_EQUAL(nv[2 * p], a == 0.0 ? -M_SQRT1_2 : M_SQRT1_2, 1e-15);
      CU_ASSERT_DOUBLE_EQUAL(nv[2 * p + 1], b == 0.0 ? -M_SQRT1_2 : M_SQRT1_2, 1e-15);
    }
  }
  CU_ASSERT_EQUAL(corners, 4);
  CU_ASSERT_EQUAL(off_grid, 0);
  qsort(x, 40, 2 * sizeof *x, cmp_rows2);
  size_t dups = 0;
  for (size_t p = 1; p < 40; ++p) dups += x[2 * p] == x[2 * p - 2] && x[2 * p + 1] == x[2 * p - 1];
  CU_ASSERT_EQUAL(dups, 0);
  /* The left face only: its 11 nodes, corners with the face's own normal. */
  size_t count = 0;
  CU_ASSERT_EQUAL(pinn_domain_sample_faces(&sq, PINN_FACE_LO(0), s, 40, x, nv, &count, NULL), 0);
  CU_ASSERT_EQUAL(count, 40); /* 40 nodes on the left face with spacing 1/39 */
  size_t wrong = 0;
  for (size_t p = 0; p < count; ++p)
    wrong += x[2 * p] != 0.0 || nv[2 * p] != -1.0 || nv[2 * p + 1] != 0.0;
  CU_ASSERT_EQUAL(wrong, 0);
  CU_ASSERT(x[1] == 0.0 && x[2 * 39 + 1] == 1.0);
  pinn_sampler_free(s);
  /* Too few points for the corners of a cube: refused with the minimum. */
  pinn_domain cube;
  const double lo3[] = {0, 0, 0}, hi3[] = {1, 1, 1};
  pinn_domain_box(&cube, 3, lo3, hi3, NULL);
  s = pinn_sampler_alloc(PINN_SAMPLER_GRID, 2, 0, NULL);
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_domain_sample_boundary(&cube, s, 7, x, nv, &count, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at least 8 points"));
  /* A cube: m^3 - (m - 2)^3 distinct nodes. */
  double *y = malloc(3 * 1000 * sizeof *y);
  CU_ASSERT_EQUAL(pinn_domain_sample_boundary(&cube, s, 1000, y, NULL, &count, NULL), 0);
  CU_ASSERT_EQUAL(count, 13 * 13 * 13 - 11 * 11 * 11); /* 866; m = 14 would give 1016 */
  size_t bad = 0;
  for (size_t p = 0; p < count; ++p) {
    bad += fabs(pinn_domain_signed_distance(&cube, y + 3 * p)) > 0.0;
    for (size_t q = 0; q < p; ++q) bad += memcmp(y + 3 * p, y + 3 * q, 3 * sizeof *y) == 0;
  }
  CU_ASSERT_EQUAL(bad, 0);
  free(y);
  pinn_sampler_free(s);
}

static void grid_interior_has_equal_spacing_across_axes(void)
{
  pinn_domain rect;
  const double lo[] = {0.0, 0.0}, hi[] = {2.0, 1.0};
  pinn_domain_box(&rect, 2, lo, hi, NULL);
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_GRID, 2, 0, NULL);
  double x[2 * 209];
  size_t count = 0;
  CU_ASSERT_EQUAL(pinn_domain_sample_interior(&rect, s, 209, x, &count, NULL), 0);
  CU_ASSERT_EQUAL(count, 200); /* 20 x 10 cells of 0.1 x 0.1 */
  for (size_t p = 0; p < count; ++p) {
    CU_ASSERT_DOUBLE_EQUAL(x[2 * p], 0.05 + 0.1 * (double)(p % 20), 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(x[2 * p + 1], 0.05 + 0.1 * (double)(p / 20), 1e-14);
  }
  pinn_sampler_free(s);
  /* A timed interval: its boundary is the two end points times cell-centred times. */
  pinn_domain iv;
  pinn_domain_interval(&iv, 0.0, 1.0, NULL);
  pinn_domain_with_time(&iv, 0.0, 1.0, NULL);
  s = pinn_sampler_alloc(PINN_SAMPLER_GRID, 1, 0, NULL);
  double nv[11];
  CU_ASSERT_EQUAL(pinn_domain_sample_boundary(&iv, s, 11, x, nv, &count, NULL), 0);
  CU_ASSERT_EQUAL(count, 10);
  for (size_t p = 0; p < count; ++p) {
    CU_ASSERT_EQUAL(x[2 * p], p % 2 ? 1.0 : 0.0);
    CU_ASSERT_DOUBLE_EQUAL(x[2 * p + 1], 0.1 + 0.2 * (double)(p / 2), 1e-15);
  }
  pinn_sampler_free(s);
}

static void output_grid_includes_ends_with_axis_zero_fastest(void)
{
  pinn_domain dom;
  const double lo[] = {0.0, 0.0}, hi[] = {1.0, 2.0};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0.0, 1.0, NULL);
  const size_t counts[] = {3, 2, 2};
  CU_ASSERT_EQUAL(pinn_domain_grid_size(&dom, counts), 12);
  double x[36];
  CU_ASSERT_EQUAL(pinn_domain_grid(&dom, counts, x, NULL), 0);
  CU_ASSERT(x[3 * 1] == 0.5 && x[3 * 1 + 1] == 0.0 && x[3 * 1 + 2] == 0.0);
  CU_ASSERT(x[3 * 3] == 0.0 && x[3 * 3 + 1] == 2.0 && x[3 * 3 + 2] == 0.0);
  CU_ASSERT(x[3 * 6] == 0.0 && x[3 * 6 + 1] == 0.0 && x[3 * 6 + 2] == 1.0);
  CU_ASSERT(x[3 * 11] == 1.0 && x[3 * 11 + 1] == 2.0 && x[3 * 11 + 2] == 1.0);
  const size_t one[] = {1, 2, 1};
  CU_ASSERT_EQUAL(pinn_domain_grid(&dom, one, x, NULL), 0);
  CU_ASSERT(x[0] == 0.5 && x[1] == 0.0 && x[2] == 0.5 && x[4] == 2.0);
  const size_t zero[] = {3, 0, 2};
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_domain_grid_size(&dom, zero), 0);
  CU_ASSERT_EQUAL(pinn_domain_grid(&dom, zero, x, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "axis 1"));
  /* A ball's grid spans its bounding box. */
  const double c[] = {1.0, 1.0};
  pinn_domain_ball(&dom, 2, c, 0.5, NULL);
  const size_t c2[] = {2, 2};
  CU_ASSERT_EQUAL(pinn_domain_grid(&dom, c2, x, NULL), 0);
  CU_ASSERT(x[0] == 0.5 && x[1] == 0.5 && x[6] == 1.5 && x[7] == 1.5);
}

static void periodic_pairs_match_across_opposite_faces(void)
{
  pinn_domain dom;
  const double lo[] = {-1.0, 0.0, 2.0}, hi[] = {1.0, 0.5, 5.0};
  pinn_domain_box(&dom, 3, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0.0, 2.0, NULL);
  double a[4 * 100], b[4 * 100];
  for (size_t k = 0; k < NKINDS; ++k) {
    pinn_sampler *s = sampler_for(&dom, PINN_REGION_BOUNDARY, all_kinds[k], 3);
    size_t count = 0, bad = 0;
    CU_ASSERT_EQUAL_FATAL(pinn_domain_sample_periodic(&dom, 1, s, 100, a, b, &count, NULL), 0);
    CU_ASSERT(count >= 1 && count <= 100);
    for (size_t p = 0; p < count; ++p) {
      bad += a[4 * p + 1] != 0.0 || b[4 * p + 1] != 0.5;
      bad += a[4 * p] != b[4 * p] || a[4 * p + 2] != b[4 * p + 2] || a[4 * p + 3] != b[4 * p + 3];
      bad += !pinn_domain_contains(&dom, a + 4 * p) || !pinn_domain_contains(&dom, b + 4 * p);
    }
    CU_ASSERT_EQUAL(bad, 0);
    pinn_sampler_free(s);
  }
  pinn_error e;
  pinn_sampler *s = sampler_for(&dom, PINN_REGION_BOUNDARY, PINN_SAMPLER_UNIFORM, 3);
  CU_ASSERT_EQUAL(pinn_domain_sample_periodic(&dom, 3, s, 10, a, b, NULL, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "axis 0..2"));
  pinn_domain ball;
  pinn_domain_ball(&ball, 3, lo, 1.0, NULL);
  pinn_domain_with_time(&ball, 0.0, 1.0, NULL);
  CU_ASSERT_EQUAL(pinn_domain_sample_periodic(&ball, 0, s, 10, a, b, NULL, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "use a box"));
  pinn_sampler_free(s);
}

static void sampler_of_the_wrong_dim_is_refused_naming_the_dim_needed(void)
{
  pinn_domain dom;
  const double lo[] = {0.0, 0.0}, hi[] = {1.0, 1.0};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0.0, 1.0, NULL);
  pinn_sampler *s2 = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, 2, 0, NULL);
  double x[30], nv[20];
  pinn_error e;
  size_t count = 99;
  CU_ASSERT_EQUAL(pinn_domain_sample_interior(&dom, s2, 10, x, &count, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  CU_ASSERT_EQUAL(count, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "needs 3 coordinates"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_domain_sampler_dim(dom, PINN_REGION_INTERIOR) = 3"));
  CU_ASSERT_EQUAL(pinn_domain_sample_interior(&dom, NULL, 10, x, &count, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "got NULL"));
  /* The boundary of the timed square needs 2: this sampler fits there. */
  CU_ASSERT_EQUAL(pinn_domain_sample_boundary(&dom, s2, 10, x, nv, &count, &e), 0);
  CU_ASSERT_EQUAL(count, 10);
  /* No initial slice without time. */
  pinn_domain flat;
  pinn_domain_box(&flat, 2, lo, hi, NULL);
  CU_ASSERT_EQUAL(pinn_domain_sample_initial(&flat, s2, 10, x, &count, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_domain_with_time"));
  CU_ASSERT_EQUAL(pinn_domain_sample_interior(&flat, s2, 10, NULL, &count, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "10 x 2"));
  pinn_sampler_free(s2);
}

/* The square [0, 2]^2 minus the disk |x - (1, 1)| <= 0.5 (named "hole"; the
 * square's faces named "outer"), prepared. */
static pinn_geom *square_minus_disk(void)
{
  const double lo[2] = {0.0, 0.0}, hi[2] = {2.0, 2.0}, c[2] = {1.0, 1.0};
  size_t sq, disk, diff;
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g);
  CU_ASSERT_EQUAL(pinn_geom_box(g, lo, hi, &sq), 0);
  CU_ASSERT_EQUAL(pinn_geom_name(g, sq, 0, NULL, "outer"), 0);
  CU_ASSERT_EQUAL(pinn_geom_ball(g, c, 0.5, &disk), 0);
  CU_ASSERT_EQUAL(pinn_geom_name(g, disk, 0, NULL, "hole"), 0);
  CU_ASSERT_EQUAL(pinn_geom_difference(g, sq, disk, &diff), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, diff), 0);
  return g;
}

static void geometry_domain_refuses_an_unprepared_geometry(void)
{
  pinn_domain dom, before;
  pinn_error e;
  const double lo[2] = {0, 0}, hi[2] = {1, 1};
  size_t node;
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, 0.0, 1.0, NULL), 0);
  before = dom;
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g);
  CU_ASSERT_EQUAL(pinn_domain_geometry(&dom, NULL, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_box(g, lo, hi, &node), 0);
  CU_ASSERT_EQUAL(pinn_domain_geometry(&dom, g, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_geom_set_root"));
  CU_ASSERT_EQUAL(memcmp(&dom, &before, sizeof dom), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, node), 0);
  CU_ASSERT_EQUAL(pinn_domain_geometry(&dom, g, &e), 0);
  CU_ASSERT_EQUAL(dom.kind, PINN_DOMAIN_GEOM);
  CU_ASSERT_EQUAL(dom.d, 2);
  /* a later building call unprepares it: every use of the domain says so */
  CU_ASSERT_EQUAL(pinn_geom_ball(g, lo, 0.5, &node), 0);
  CU_ASSERT_EQUAL(pinn_domain_check(&dom, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_geom_set_root"));
  pinn_geom_free(g);
}

/* Bounds, measures, contains and the signed distance of a timed geometry
 * domain are the geometry's, time appended. */
static void geometry_domain_measures_and_queries_are_the_regions(void)
{
  pinn_geom *g = square_minus_disk();
  pinn_domain dom;
  CU_ASSERT_EQUAL_FATAL(pinn_domain_geometry(&dom, g, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_domain_with_time(&dom, 1.0, 3.0, NULL), 0);
  CU_ASSERT_EQUAL(pinn_domain_dim(&dom), 3);
  double lo[3], hi[3];
  pinn_domain_bounds(&dom, lo, hi);
  CU_ASSERT_DOUBLE_EQUAL(lo[0], 0.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(hi[1], 2.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(lo[2], 1.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(hi[2], 3.0, 0.0);
  const double area = 4.0 - M_PI * 0.25, perim = 8.0 + M_PI;
  /* the area is a QMC estimate (16384 Halton points): within 1% here */
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INTERIOR), 2.0 * area, 0.02 * area);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_INITIAL), area, 0.01 * area);
  /* the disk lies inside the square: both boundaries are whole, so exact */
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_measure(&dom, PINN_REGION_BOUNDARY), 2.0 * perim, 1e-12 * perim);
  const double in[3] = {0.2, 0.2, 2.0}, hole[3] = {1.1, 1.0, 2.0}, late[3] = {0.2, 0.2, 3.5};
  CU_ASSERT_EQUAL(pinn_domain_contains(&dom, in), 1);
  CU_ASSERT_EQUAL(pinn_domain_contains(&dom, hole), 0);
  CU_ASSERT_EQUAL(pinn_domain_contains(&dom, late), 0);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&dom, in), -0.2, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_domain_signed_distance(&dom, hole), 0.4, 1e-15);
  CU_ASSERT_EQUAL(pinn_domain_num_faces(&dom), 2);
  CU_ASSERT_STRING_EQUAL(pinn_domain_part_name(&dom, 0), "outer");
  CU_ASSERT_STRING_EQUAL(pinn_domain_part_name(&dom, 1), "hole");
  CU_ASSERT_PTR_NULL(pinn_domain_part_name(&dom, 2));
  CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&dom, PINN_REGION_INTERIOR), 3);
  CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&dom, PINN_REGION_BOUNDARY), 3);
  CU_ASSERT_EQUAL(pinn_domain_sampler_dim(&dom, PINN_REGION_INITIAL), 2);
  pinn_geom_free(g);
}

/* Every sampler kind: interior points inside with t in [t0, t1], the
 * initial slice at t0, boundary points on the boundary with outward unit
 * normals (a step along n leaves the region, a step back enters it); for the
 * random kinds the time coordinate has the mean of U(1, 3) within 4
 * standard errors. */
static void geometry_domain_points_are_inside_on_the_boundary_and_in_time(void)
{
  pinn_geom *g = square_minus_disk();
  pinn_domain dom;
  CU_ASSERT_EQUAL_FATAL(pinn_domain_geometry(&dom, g, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_domain_with_time(&dom, 1.0, 3.0, NULL), 0);
  enum { N = 4000 };
  double *x = malloc(N * 3 * sizeof *x), *nrm = malloc(N * 2 * sizeof *nrm);
  CU_ASSERT_PTR_NOT_NULL_FATAL(x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(nrm);
  for (size_t kk = 0; kk < NKINDS; ++kk) {
    const pinn_region regions[3] = {PINN_REGION_INTERIOR, PINN_REGION_INITIAL, PINN_REGION_BOUNDARY};
    for (int r = 0; r < 3; ++r) {
      pinn_sampler *s = sampler_for(&dom, regions[r], all_kinds[kk], 11);
      CU_ASSERT_PTR_NOT_NULL_FATAL(s);
      size_t cnt = 0, bad = 0;
      pinn_error e;
      int rc = regions[r] == PINN_REGION_INTERIOR
                   ? pinn_domain_sample_interior(&dom, s, N, x, &cnt, &e)
               : regions[r] == PINN_REGION_INITIAL
                   ? pinn_domain_sample_initial(&dom, s, N, x, &cnt, &e)
                   : pinn_domain_sample_boundary(&dom, s, N, x, nrm, &cnt, &e);
      CU_ASSERT_EQUAL(rc, 0);
      if (all_kinds[kk] == PINN_SAMPLER_GRID) {
        CU_ASSERT(cnt > N / 2 && cnt <= N);
      } else {
        CU_ASSERT_EQUAL(cnt, N);
      }
      double tsum = 0.0;
      for (size_t i = 0; i < cnt; ++i) {
        const double *xi = x + 3 * i;
        tsum += xi[2];
        if (!(xi[2] >= 1.0 && xi[2] <= 3.0)) ++bad;
        if (regions[r] == PINN_REGION_INITIAL && xi[2] != 1.0) ++bad;
        if (regions[r] != PINN_REGION_BOUNDARY) {
          if (!pinn_domain_contains(&dom, xi)) ++bad;
          continue;
        }
        const double *n = nrm + 2 * i;
        if (fabs(hypot(n[0], n[1]) - 1.0) > 1e-12) ++bad;
        if (fabs(pinn_domain_signed_distance(&dom, xi)) > 1e-12) ++bad;
        double out[3] = {xi[0] + 1e-6 * n[0], xi[1] + 1e-6 * n[1], xi[2]};
        double back[3] = {xi[0] - 1e-6 * n[0], xi[1] - 1e-6 * n[1], xi[2]};
        if (pinn_domain_contains(&dom, out) || !pinn_domain_contains(&dom, back)) ++bad;
      }
      CU_ASSERT_EQUAL(bad, 0);
      if (regions[r] != PINN_REGION_INITIAL && all_kinds[kk] == PINN_SAMPLER_UNIFORM)
        CU_ASSERT_DOUBLE_EQUAL(tsum / (double)cnt, 2.0, 4.0 * (2.0 / sqrt(12.0)) / sqrt((double)cnt));
      if (regions[r] != PINN_REGION_INITIAL && all_kinds[kk] != PINN_SAMPLER_UNIFORM)
        CU_ASSERT_DOUBLE_EQUAL(tsum / (double)cnt, 2.0, 0.01);
      pinn_sampler_free(s);
    }
  }
  free(x);
  free(nrm);
  pinn_geom_free(g);
}

/* Conditions by part name: on a box the named faces share the points by
 * length (a 2 x 1 rectangle: face x0- of length 1 gets a third, x1+ of
 * length 2 two thirds, and nothing lands elsewhere), on a geometry by the
 * parts' measures; unknown and repeated names are refused, listing the
 * parts there are. */
static void boundary_parts_by_name_get_points_by_measure(void)
{
  const double lo[2] = {0.0, 0.0}, hi[2] = {2.0, 1.0};
  pinn_domain box, ball, geo;
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_domain_box(&box, 2, lo, hi, NULL), 0);
  const double c3[3] = {0.0, 0.0, 0.0};
  CU_ASSERT_EQUAL_FATAL(pinn_domain_ball(&ball, 3, c3, 1.0, NULL), 0);
  CU_ASSERT_STRING_EQUAL(pinn_domain_part_name(&box, 0), "x0-");
  CU_ASSERT_STRING_EQUAL(pinn_domain_part_name(&box, 3), "x1+");
  CU_ASSERT_PTR_NULL(pinn_domain_part_name(&box, 4));
  CU_ASSERT_STRING_EQUAL(pinn_domain_part_name(&ball, 0), "ball");
  enum { N = 300 };
  double x[N * 2], nrm[N * 2];
  size_t cnt = 0, left = 0, top = 0;
  const char *two[2] = {"x1+", "x0-"};
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, 1, 3, NULL);
  CU_ASSERT_EQUAL(pinn_domain_sample_parts(&box, 2, two, s, N, x, nrm, &cnt, &e), 0);
  CU_ASSERT_EQUAL(cnt, N);
  for (size_t i = 0; i < cnt; ++i) {
    left += x[2 * i] == 0.0 && nrm[2 * i] == -1.0;
    top += x[2 * i + 1] == 1.0 && nrm[2 * i + 1] == 1.0;
  }
  CU_ASSERT_EQUAL(left, 100);
  CU_ASSERT_EQUAL(top, 200);
  const char *unknown[1] = {"left"}, *twice[2] = {"x0-", "x0-"};
  CU_ASSERT_EQUAL(pinn_domain_check_parts(&box, 1, unknown, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'left'"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "x<k>-"));
  CU_ASSERT_EQUAL(pinn_domain_check_parts(&box, 2, twice, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "twice"));
  CU_ASSERT_EQUAL(pinn_domain_sample_parts(&box, 1, unknown, s, N, x, nrm, &cnt, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(cnt, 0);
  pinn_sampler_free(s);

  pinn_geom *g = square_minus_disk();
  CU_ASSERT_EQUAL_FATAL(pinn_domain_geometry(&geo, g, NULL), 0);
  const char *both[2] = {"hole", "outer"};
  size_t counts[2];
  CU_ASSERT_EQUAL(pinn_domain_face_counts(&geo, PINN_FACES_ALL, 1000, counts, &e), 0);
  /* outer: 8 of 8 + pi; hole: pi of 8 + pi (largest remainders) */
  CU_ASSERT_EQUAL(counts[0], (size_t)lround(1000.0 * 8.0 / (8.0 + M_PI)));
  CU_ASSERT_EQUAL(counts[0] + counts[1], 1000);
  s = pinn_sampler_alloc(PINN_SAMPLER_HALTON, 2, 3, NULL);
  size_t on_hole = 0;
  CU_ASSERT_EQUAL(pinn_domain_sample_parts(&geo, 2, both, s, N, x, nrm, &cnt, &e), 0);
  CU_ASSERT_EQUAL(cnt, N);
  for (size_t i = 0; i < cnt; ++i)
    on_hole += fabs(hypot(x[2 * i] - 1.0, x[2 * i + 1] - 1.0) - 0.5) < 1e-12;
  CU_ASSERT_EQUAL(on_hole, (size_t)lround(N * M_PI / (8.0 + M_PI)));
  /* the hole's points come first (the order given) */
  CU_ASSERT_DOUBLE_EQUAL(hypot(x[0] - 1.0, x[1] - 1.0), 0.5, 1e-12);
  CU_ASSERT_EQUAL(pinn_domain_check_parts(&geo, 1, unknown, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "outer, hole"));
  pinn_sampler_free(s);
  pinn_geom_free(g);
}

static void domain_sampling_is_reproducible_from_the_seed(void)
{
  pinn_domain dom;
  const double c[] = {0.0, 0.0, 0.0};
  pinn_domain_ball(&dom, 3, c, 1.0, NULL);
  pinn_domain_with_time(&dom, 0.0, 1.0, NULL);
  double a[4 * 64], b[4 * 64], na[3 * 64], nb[3 * 64];
  for (int kind = 0; kind < 2; ++kind) {
    pinn_sampler_kind k = kind ? PINN_SAMPLER_LHS : PINN_SAMPLER_UNIFORM;
    pinn_sampler *s = sampler_for(&dom, PINN_REGION_BOUNDARY, k, 42);
    pinn_sampler *t = sampler_for(&dom, PINN_REGION_BOUNDARY, k, 42);
    pinn_sampler *o = sampler_for(&dom, PINN_REGION_BOUNDARY, k, 43);
    pinn_domain_sample_boundary(&dom, s, 64, a, na, NULL, NULL);
    pinn_domain_sample_boundary(&dom, t, 64, b, nb, NULL, NULL);
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
    CU_ASSERT_EQUAL(memcmp(na, nb, sizeof na), 0);
    pinn_domain_sample_boundary(&dom, o, 64, b, nb, NULL, NULL);
    CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof a), 0);
    pinn_sampler_free(s);
    pinn_sampler_free(t);
    pinn_sampler_free(o);
  }
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
    {"constructors_refuse_bad_input_and_say_what_to_fix",
     constructors_refuse_bad_input_and_say_what_to_fix},
    {"dimensions_and_measures_have_their_textbook_values",
     dimensions_and_measures_have_their_textbook_values},
    {"sampler_dims_follow_the_documented_table", sampler_dims_follow_the_documented_table},
    {"signed_distance_and_contains_agree_with_geometry",
     signed_distance_and_contains_agree_with_geometry},
    {"interior_and_initial_points_lie_in_the_domain_for_every_sampler",
     interior_and_initial_points_lie_in_the_domain_for_every_sampler},
    {"boundary_points_lie_on_the_boundary_with_outward_unit_normals",
     boundary_points_lie_on_the_boundary_with_outward_unit_normals},
    {"faces_get_points_in_proportion_to_their_area", faces_get_points_in_proportion_to_their_area},
    {"ball_samples_are_uniform_in_volume_and_on_the_sphere",
     ball_samples_are_uniform_in_volume_and_on_the_sphere},
    {"grid_boundary_of_a_square_is_equally_spaced_with_each_corner_once",
     grid_boundary_of_a_square_is_equally_spaced_with_each_corner_once},
    {"grid_interior_has_equal_spacing_across_axes", grid_interior_has_equal_spacing_across_axes},
    {"output_grid_includes_ends_with_axis_zero_fastest",
     output_grid_includes_ends_with_axis_zero_fastest},
    {"periodic_pairs_match_across_opposite_faces", periodic_pairs_match_across_opposite_faces},
    {"sampler_of_the_wrong_dim_is_refused_naming_the_dim_needed",
     sampler_of_the_wrong_dim_is_refused_naming_the_dim_needed},
    {"domain_sampling_is_reproducible_from_the_seed", domain_sampling_is_reproducible_from_the_seed},
    {"geometry_domain_refuses_an_unprepared_geometry", geometry_domain_refuses_an_unprepared_geometry},
    {"geometry_domain_measures_and_queries_are_the_regions",
     geometry_domain_measures_and_queries_are_the_regions},
    {"geometry_domain_points_are_inside_on_the_boundary_and_in_time",
     geometry_domain_points_are_inside_on_the_boundary_and_in_time},
    {"boundary_parts_by_name_get_points_by_measure", boundary_parts_by_name_get_points_by_measure},
    {NULL, NULL}};
  if (pinn_test_add_suite("domain", cases)) return 1;
  return pinn_test_run_all();
}
