/* Tests for 2-D/3-D geometry: primitives, CSG, named parts, sampling, ADF. */
#include <pinn/geometry.h>
#include <pinn/sample.h>
#include <pinn/xjet.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const pinn_sampler_kind all_kinds[] = {PINN_SAMPLER_GRID, PINN_SAMPLER_UNIFORM,
                                              PINN_SAMPLER_LHS, PINN_SAMPLER_SOBOL,
                                              PINN_SAMPLER_HALTON};
#define NKINDS (sizeof all_kinds / sizeof all_kinds[0])

/* The unit square minus disks of radii 0.1, 0.15, 0.2 (fully inside), the
 * square's sides named "left", "right", "bottom", "top", the disks "holes". */
static const double hole_c[3][2] = {{0.25, 0.3}, {0.7, 0.35}, {0.45, 0.72}};
static const double hole_r[3] = {0.1, 0.15, 0.2};

static pinn_geom *square_with_holes(void)
{
  const double lo[2] = {0, 0}, hi[2] = {1, 1};
  const size_t l = 0, r = 1, b = 2, t = 3;
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  size_t sq, node = 0, disk;
  int rc = pinn_geom_box(g, lo, hi, &sq);
  rc |= pinn_geom_name(g, sq, 1, &l, "left");
  rc |= pinn_geom_name(g, sq, 1, &r, "right");
  rc |= pinn_geom_name(g, sq, 1, &b, "bottom");
  rc |= pinn_geom_name(g, sq, 1, &t, "top");
  node = sq;
  for (int i = 0; i < 3; ++i) {
    rc |= pinn_geom_ball(g, hole_c[i], hole_r[i], &disk);
    rc |= pinn_geom_name(g, disk, 0, NULL, "holes");
    rc |= pinn_geom_difference(g, node, disk, &node);
  }
  rc |= pinn_geom_set_root(g, node);
  CU_ASSERT_EQUAL(rc, 0);
  return g;
}

static void polygons_are_validated_with_errors_that_name_the_edges(void)
{
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  size_t node;
  const double two[] = {0, 0, 1, 0};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 2, two, &node), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g), "at least 3 vertices"));
  const double bowtie[] = {0, 0, 1, 1, 1, 0, 0, 1};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 4, bowtie, &node), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(pinn_geom_errmsg(g), "edges 0 (vertices 0-1) and 2 (vertices 2-3) cross"));
  const double dup[] = {0, 0, 1, 0, 1, 0, 0, 1};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 4, dup, &node), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g), "edge 1 (vertices 1-2) has zero length"));
  const double flat[] = {0, 0, 1, 0, 2, 0};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 3, flat, &node), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g), "overlap"));
  /* A vertex touching a non-adjacent edge is a crossing too. */
  const double touch[] = {0, 0, 2, 0, 2, 2, 1, 0.0, 0, 2};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 5, touch, &node), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(pinn_geom_errmsg(g), "edges 0 (vertices 0-1) and 2 (vertices 2-3)"));
  const double nan_v[] = {0, 0, 1, 0, NAN, 1};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 3, nan_v, &node), PINN_EINVAL);
  /* Non-convex, clockwise: accepted, normals still outward. */
  const double lshape_cw[] = {-1, -1, -1, 1, 1, 1, 1, 0, 0, 0, 0, -1};
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 6, lshape_cw, &node), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, node), 0);
  double n[2];
  const double left[2] = {-1.5, 0.2}, notch[2] = {0.5, -0.25}, in[2] = {-0.5, 0.5};
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, left, n), 0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(n[0], -1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, notch, n), 0.25, 1e-15); /* to (0.5, 0) */
  CU_ASSERT_DOUBLE_EQUAL(n[1], -1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, in, n), -0.5, 1e-15);
  CU_ASSERT_FALSE(pinn_geom_contains(g, notch));
  CU_ASSERT_TRUE(pinn_geom_contains(g, in));
  double total, on;
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "e3", &total, &on, NULL), 0); /* (1,0)-(0,0) */
  CU_ASSERT_DOUBLE_EQUAL(total, 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(on, 1.0, 1e-15);
  pinn_geom_free(g);
  pinn_geom *g3 = pinn_geom_alloc(3, NULL);
  CU_ASSERT_EQUAL(pinn_geom_polygon(g3, 3, flat, &node), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g3), "2-d"));
  pinn_geom_free(g3);
}

static void building_refuses_bad_input_and_says_what_to_fix(void)
{
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_geom_alloc(4, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  const double lo[2] = {0, 0}, hi[2] = {1, 0}, c[2] = {0, 0}, far[2] = {5, 5};
  size_t a, b, u;
  CU_ASSERT_EQUAL(pinn_geom_box(g, lo, hi, &a), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g), "axis 1"));
  CU_ASSERT_EQUAL(pinn_geom_ball(g, c, -1.0, &a), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_ball(g, c, 1.0, &a), 0);
  CU_ASSERT_EQUAL(pinn_geom_ball(g, far, 1.0, &b), 0);
  CU_ASSERT_EQUAL(pinn_geom_union(g, a, a, &u), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, 7), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_intersection(g, a, b, &u), 0);
  CU_ASSERT_EQUAL(pinn_geom_union(g, a, u, &u), PINN_EINVAL); /* a is used */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g), "already an operand"));
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, a), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, u), PINN_EINVAL); /* disjoint disks: empty */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_geom_errmsg(g), "empty"));
  CU_ASSERT_EQUAL(pinn_geom_name(g, u, 0, NULL, "x"), PINN_EINVAL); /* not a primitive */
  const size_t bad = 3;
  CU_ASSERT_EQUAL(pinn_geom_name(g, a, 1, &bad, "x"), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_name(g, a, 0, NULL, ""), PINN_EINVAL);
  pinn_geom_free(g);
  pinn_geom_free(NULL);
  /* Queries before set_root are refused. */
  g = pinn_geom_alloc(3, NULL);
  const double p0[3] = {0, 0, 0};
  CU_ASSERT_EQUAL(pinn_geom_cylinder(g, p0, p0, 1.0, &a), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_geom_ball(g, p0, 1.0, &a), 0);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "ball", NULL, NULL, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_geom_set_root"));
  CU_ASSERT_FALSE(pinn_geom_contains(g, p0));
  CU_ASSERT_FALSE(pinn_geom_ready(g));
  CU_ASSERT(isnan(pinn_geom_volume(g)));
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, a), 0);
  CU_ASSERT_TRUE(pinn_geom_ready(g));
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_volume(g), 4.0 * M_PI / 3.0, 2e-2); /* QMC of a ball */
  CU_ASSERT_EQUAL(pinn_geom_ball(g, p0, 2.0, &b), 0); /* a building call unprepares */
  CU_ASSERT_FALSE(pinn_geom_ready(g));
  CU_ASSERT_FALSE(pinn_geom_ready(NULL));
  pinn_geom_free(g);
}

static void primitive_distances_and_measures_have_their_exact_values(void)
{
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  const double c[2] = {0, 0}, ax[2] = {2, 1};
  size_t e;
  CU_ASSERT_EQUAL(pinn_geom_ellipsoid(g, c, ax, &e), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, e), 0);
  double total, on;
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "ellipsoid", &total, &on, NULL), 0);
  /* 4 a E(e), e^2 = 3/4 (Abramowitz & Stegun 17.3). */
  CU_ASSERT_DOUBLE_EQUAL(total, 9.688448220547675, 1e-12);
  CU_ASSERT_EQUAL(on, total);
  /* Distance against a dense search over the ellipse, inside and outside. */
  const double pts[][2] = {{3, 0.5}, {0.3, 0.2}, {0, 0}, {-1.9, 0.01}, {0.5, -2.0}, {1.2, 0.0}};
  for (size_t i = 0; i < sizeof pts / sizeof pts[0]; ++i) {
    double best = HUGE_VAL;
    for (int k = 0; k < 2000000; ++k) {
      const double t = 2 * M_PI * k / 2000000.0;
      best = fmin(best, hypot(2 * cos(t) - pts[i][0], sin(t) - pts[i][1]));
    }
    const double s = (pts[i][0] * pts[i][0] / 4 + pts[i][1] * pts[i][1]) <= 1 ? -1 : 1;
    CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, pts[i], NULL), s * best, 1e-9);
  }
  pinn_geom_free(g);

  g = pinn_geom_alloc(3, NULL);
  const double c3[3] = {1, 2, 3}, pro[3] = {1, 1, 2}, p0[3] = {0, 0, 0}, p1[3] = {0, 0, 2};
  size_t cyl;
  CU_ASSERT_EQUAL(pinn_geom_ellipsoid(g, c3, pro, &e), 0);
  CU_ASSERT_EQUAL(pinn_geom_cylinder(g, p0, p1, 0.5, &cyl), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, e), 0);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "ellipsoid", &total, NULL, NULL), 0);
  /* Prolate spheroid: 2 pi a^2 (1 + c asin(ecc) / (a ecc)), ecc^2 = 1 - a^2/c^2. */
  const double ecc = sqrt(0.75);
  CU_ASSERT_DOUBLE_EQUAL(total, 2 * M_PI * (1 + 2 * asin(ecc) / ecc), 1e-11);
  /* Oblate spheroid: 2 pi a^2 + pi c^2 / ecc log((1 + ecc) / (1 - ecc)). */
  const double obl[3] = {2, 1, 2}, eo = sqrt(0.75);
  size_t e2;
  CU_ASSERT_EQUAL(pinn_geom_ellipsoid(g, c3, obl, &e2), 0);
  CU_ASSERT_EQUAL(pinn_geom_name(g, e2, 0, NULL, "oblate"), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, e), 0);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "oblate", &total, NULL, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(total, 8 * M_PI + M_PI / eo * log((1 + eo) / (1 - eo)), 1e-12);
  const double y[3] = {1, 2, 6}, yin[3] = {1.5, 2, 3};
  double n[3];
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, y, n), 1.0, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(n[2], 1.0, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, yin, n), -0.5, 1e-14);
  /* A triaxial ellipsoid at generic points: x* = x - f n lies on it, n is
   * its normal there, and no point of a dense net on it is nearer. */
  const double tri[3] = {3, 2, 1};
  size_t et;
  CU_ASSERT_EQUAL(pinn_geom_ellipsoid(g, p0, tri, &et), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, et), 0);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  for (int i = 0; i < 12; ++i) {
    double x[3], xs[3], q = 0.0, dot = 0.0, len = 0.0, best = HUGE_VAL;
    for (int k = 0; k < 3; ++k)
      x[k] = (2 * gsl_rng_uniform(rng) - 1) * (i < 6 ? 0.8 : 2.5) * tri[k];
    const double f = pinn_geom_signed_distance(g, x, n);
    for (int k = 0; k < 3; ++k) {
      xs[k] = x[k] - f * n[k];
      q += (xs[k] / tri[k]) * (xs[k] / tri[k]);
      const double gk = xs[k] / (tri[k] * tri[k]);
      dot += gk * n[k];
      len += gk * gk;
    }
    CU_ASSERT_DOUBLE_EQUAL(q, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(dot / sqrt(len), 1.0, 1e-12);
    for (int a = 0; a < 600; ++a)
      for (int b = 0; b < 600; ++b) {
        const double z = -1 + 2 * (a + 0.5) / 600, ph = 2 * M_PI * b / 600, r = sqrt(1 - z * z);
        const double p[3] = {3 * r * cos(ph), 2 * r * sin(ph), z};
        best = fmin(best, hypot(hypot(p[0] - x[0], p[1] - x[1]), p[2] - x[2]));
      }
    CU_ASSERT_TRUE(fabs(f) <= best + 1e-14 && best - fabs(f) < 2e-2);
  }
  gsl_rng_free(rng);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, cyl), 0);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "side", &total, NULL, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(total, 2 * M_PI * 0.5 * 2, 1e-14);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "top", &total, NULL, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(total, M_PI * 0.25, 1e-15);
  const double above[3] = {0.3, 0, 3}, side[3] = {0, 1.5, 1}, corner[3] = {1.5, 0, -1},
               mid[3] = {0.1, 0, 1.0};
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, above, n), 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(n[2], 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, side, n), 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(n[1], 1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, corner, NULL), sqrt(2.0), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(g, mid, NULL), -0.4, 1e-15);
  pinn_geom_free(g);
}

/* Central differences of the signed distance, h = 1e-6. */
static void fd_gradient(const pinn_geom *g, const double *x, double *grad)
{
  const size_t d = pinn_geom_dim(g);
  for (size_t k = 0; k < d; ++k) {
    double xp[3], xm[3];
    memcpy(xp, x, d * sizeof *x);
    memcpy(xm, x, d * sizeof *x);
    xp[k] += 1e-6;
    xm[k] -= 1e-6;
    grad[k] =
        (pinn_geom_signed_distance(g, xp, NULL) - pinn_geom_signed_distance(g, xm, NULL)) / 2e-6;
  }
}

/* A 3-D body: box [-1,1]^3 minus a ball, minus a z-cylinder, union an
 * ellipsoid sticking out of +x. */
static pinn_geom *body3d(void)
{
  pinn_geom *g = pinn_geom_alloc(3, NULL);
  const double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1}, bc[3] = {0.4, 0.4, 0.4},
               p0[3] = {-0.5, -0.5, -2}, p1[3] = {-0.5, -0.5, 2}, ec[3] = {1, 0, 0},
               ea[3] = {0.6, 0.3, 0.4};
  size_t box, ball, cyl, ell, n;
  int rc = pinn_geom_box(g, lo, hi, &box);
  rc |= pinn_geom_ball(g, bc, 0.3, &ball);
  rc |= pinn_geom_cylinder(g, p0, p1, 0.25, &cyl);
  rc |= pinn_geom_ellipsoid(g, ec, ea, &ell);
  rc |= pinn_geom_difference(g, box, ball, &n);
  rc |= pinn_geom_difference(g, n, cyl, &n);
  rc |= pinn_geom_union(g, n, ell, &n);
  rc |= pinn_geom_set_root(g, n);
  CU_ASSERT_EQUAL(rc, 0);
  return g;
}

static void normals_match_the_gradient_of_the_signed_distance(void)
{
  pinn_geom *gs[2] = {square_with_holes(), body3d()};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  for (int gi = 0; gi < 2; ++gi) {
    const pinn_geom *g = gs[gi];
    const size_t d = pinn_geom_dim(g);
    size_t checked = 0;
    for (int i = 0; i < 4000; ++i) {
      double x[3], n[3], fd[3];
      for (size_t k = 0; k < d; ++k) x[k] = -1.3 + 2.6 * gsl_rng_uniform(r);
      if (d == 2)
        for (size_t k = 0; k < 2; ++k) x[k] = 0.5 + 0.5 * x[k];
      const double f = pinn_geom_signed_distance(g, x, n);
      CU_ASSERT_EQUAL(f <= 0, pinn_geom_contains(g, x));
      fd_gradient(g, x, fd);
      double len = 0.0, err = 0.0;
      for (size_t k = 0; k < d; ++k) {
        len += n[k] * n[k];
        err = fmax(err, fabs(fd[k] - n[k]));
      }
      CU_ASSERT_DOUBLE_EQUAL(len, 1.0, 1e-12);
      /* Skip the few points within 1e-4 of a ridge of the distance (medial
       * axis, where the active surface switches): the FD straddles it. */
      if (err < 1e-5) ++checked;
    }
    CU_ASSERT_TRUE(checked > 3800);
  }
  /* On the boundary: the sampled normals are those gradients. */
  const char *const holes[] = {"holes"};
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, 2, 0, NULL);
  double x[2 * 300], n[2 * 300];
  CU_ASSERT_EQUAL(pinn_geom_sample_boundary(gs[0], 1, holes, s, 300, x, n, NULL, NULL, NULL), 0);
  for (size_t i = 0; i < 300; ++i) {
    double gr[2];
    CU_ASSERT_DOUBLE_EQUAL(pinn_geom_signed_distance(gs[0], x + 2 * i, gr), 0.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gr[0], n[2 * i], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(gr[1], n[2 * i + 1], 1e-12);
  }
  pinn_sampler_free(s);
  gsl_rng_free(r);
  pinn_geom_free(gs[0]);
  pinn_geom_free(gs[1]);
}

static void area_of_a_square_minus_disks_matches_monte_carlo(void)
{
  pinn_geom *g = square_with_holes();
  const double exact = 1.0 - M_PI * (0.01 + 0.0225 + 0.04);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 12345);
  const size_t n = 200000;
  size_t in = 0;
  for (size_t i = 0; i < n; ++i) {
    const double x[2] = {gsl_rng_uniform(r), gsl_rng_uniform(r)};
    in += pinn_geom_contains(g, x);
  }
  const double p = (double)in / (double)n, se = sqrt(p * (1 - p) / (double)n);
  CU_ASSERT_TRUE(fabs(p - exact) < 4 * se);
  CU_ASSERT_TRUE(se < 1.1e-3);
  /* the region's own measure: the QMC estimate of set_root (16384 Halton
   * points; 2e-3 here, about the Monte Carlo's standard error) */
  CU_ASSERT_DOUBLE_EQUAL(pinn_geom_volume(g), exact, 2e-3);
  gsl_rng_free(r);
  pinn_geom_destroy(g);
}

static void lengths_of_parts_match_their_exact_values(void)
{
  pinn_geom *g = square_with_holes();
  static const char *const names[] = {"left", "right", "bottom", "top", "holes"};
  const double exact[] = {1, 1, 1, 1, 2 * M_PI * 0.45};
  CU_ASSERT_EQUAL(pinn_geom_num_parts(g), 5); /* the defaults were all renamed */
  CU_ASSERT_STRING_EQUAL(pinn_geom_part_name(g, 4), "holes");
  CU_ASSERT_PTR_NULL(pinn_geom_part_name(g, 5));
  for (int i = 0; i < 5; ++i) {
    double total, on;
    CU_ASSERT_EQUAL(pinn_geom_part_measure(g, names[i], &total, &on, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(total, exact[i], 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(on, exact[i], 1e-14); /* unclipped: exact */
  }
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "inlet", NULL, NULL, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'inlet'"));
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "x0-", NULL, NULL, &e), PINN_EINVAL); /* renamed */
  pinn_geom_free(g);

  /* Clipped pieces: the square minus a disk at its corner (0, 0), r = 0.5,
   * and union a disk at (1, 0.5) of r = 0.25 (half outside). */
  g = pinn_geom_alloc(2, NULL);
  const double lo[2] = {0, 0}, hi[2] = {1, 1}, c0[2] = {0, 0}, c1[2] = {1, 0.5};
  size_t sq, d0, d1, n;
  int rc = pinn_geom_box(g, lo, hi, &sq);
  rc |= pinn_geom_ball(g, c0, 0.5, &d0);
  rc |= pinn_geom_name(g, d0, 0, NULL, "cut");
  rc |= pinn_geom_ball(g, c1, 0.25, &d1);
  rc |= pinn_geom_name(g, d1, 0, NULL, "bump");
  rc |= pinn_geom_difference(g, sq, d0, &n);
  rc |= pinn_geom_union(g, n, d1, &n);
  rc |= pinn_geom_set_root(g, n);
  CU_ASSERT_EQUAL(rc, 0);
  double total, on;
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "cut", &total, &on, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(total, M_PI, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(on, M_PI / 4, 2e-3 * M_PI / 4);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "bump", &total, &on, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(on, M_PI * 0.25, 2e-3 * M_PI * 0.25);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "x0-", &total, &on, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(on, 0.5, 1e-3);
  CU_ASSERT_EQUAL(pinn_geom_part_measure(g, "x0+", &total, &on, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(on, 0.5, 1e-3); /* the bump covers 0.25..0.75 */
  pinn_geom_free(g);
}

static void sampled_points_are_in_the_region_exactly_n_for_every_sampler(void)
{
  pinn_geom *gs[2] = {square_with_holes(), body3d()};
  enum { N = 3000 };
  double *x = malloc(3 * N * sizeof *x), *nrm = malloc(3 * N * sizeof *nrm);
  size_t part[N];
  for (int gi = 0; gi < 2; ++gi) {
    const pinn_geom *g = gs[gi];
    const size_t d = pinn_geom_dim(g);
    for (size_t k = 0; k < NKINDS; ++k) {
      pinn_sampler *s = pinn_sampler_alloc(all_kinds[k], d, 7, NULL);
      size_t count = 0;
      CU_ASSERT_EQUAL(pinn_geom_sample_interior(g, s, N, x, &count, NULL), 0);
      if (all_kinds[k] == PINN_SAMPLER_GRID) {
        CU_ASSERT_TRUE(count <= N && count > N / 2);
      } else {
        CU_ASSERT_EQUAL(count, N);
      }
      size_t bad = 0;
      for (size_t i = 0; i < count; ++i) bad += !pinn_geom_contains(g, x + d * i);
      CU_ASSERT_EQUAL(bad, 0);
      /* Boundary: on the surface of the region, normals outward. */
      const char *const all2[] = {"left", "right", "bottom", "top", "holes"};
      const char *const all3[] = {"x0-", "x0+",  "x1-",  "x1+",      "x2-",
                                  "x2+", "ball", "side", "ellipsoid"};
      const size_t np = d == 2 ? 5 : 9;
      CU_ASSERT_EQUAL(
          pinn_geom_sample_boundary(g, np, d == 2 ? all2 : all3, s, N, x, nrm, part, &count, NULL),
          0);
      if (all_kinds[k] != PINN_SAMPLER_GRID) {
        CU_ASSERT_EQUAL(count, N);
      }
      CU_ASSERT_TRUE(count > N / 2);
      bad = 0;
      for (size_t i = 0; i < count; ++i) {
        double gr[3], out[3], in[3];
        bad += fabs(pinn_geom_signed_distance(g, x + d * i, gr)) > 1e-12;
        for (size_t j = 0; j < d; ++j) {
          out[j] = x[d * i + j] + 1e-7 * nrm[d * i + j];
          in[j] = x[d * i + j] - 1e-7 * nrm[d * i + j];
        }
        bad += pinn_geom_contains(g, out) || !pinn_geom_contains(g, in);
        bad += part[i] >= np;
      }
      CU_ASSERT_EQUAL(bad, 0);
      pinn_sampler_free(s);
    }
  }
  /* GRID on a region filling 2e-4 of its box: fewer points, all inside. */
  pinn_geom *g = pinn_geom_alloc(3, NULL);
  const double a[3] = {0, 0, 0}, b[3] = {10, 10, 10};
  size_t p, q, n;
  pinn_geom_ball(g, a, 0.3, &p);
  pinn_geom_ball(g, b, 0.3, &q);
  pinn_geom_union(g, p, q, &n);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, n), 0);
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_GRID, 3, 0, NULL);
  size_t count = 0, bad = 0;
  CU_ASSERT_EQUAL(pinn_geom_sample_interior(g, s, N, x, &count, NULL), 0);
  CU_ASSERT_TRUE(count > 0 && count < N / 4);
  for (size_t i = 0; i < count; ++i) bad += !pinn_geom_contains(g, x + 3 * i);
  CU_ASSERT_EQUAL(bad, 0);
  pinn_sampler_free(s);
  pinn_geom_free(g);
  free(x);
  free(nrm);
  pinn_geom_free(gs[0]);
  pinn_geom_free(gs[1]);
}

/* Largest remainders of n over weights w, ties to the lower index: written
 * out here independently of the library. */
static void hamilton(size_t k, const double *w, size_t n, size_t *out)
{
  double sum = 0.0, rem[16];
  size_t given = 0;
  for (size_t i = 0; i < k; ++i) sum += w[i];
  for (size_t i = 0; i < k; ++i) {
    const double q = (double)n * w[i] / sum;
    out[i] = (size_t)q;
    rem[i] = q - (double)out[i];
    given += out[i];
  }
  for (; given < n; ++given) {
    size_t b = 0;
    for (size_t i = 1; i < k; ++i)
      if (rem[i] > rem[b]) b = i;
    out[b]++;
    rem[b] = -1.0;
  }
}

static void boundary_counts_per_part_are_proportional_to_measure(void)
{
  pinn_geom *g = square_with_holes();
  const char *const parts[] = {"holes", "top", "left"};
  const double w[] = {2 * M_PI * 0.45, 1, 1};
  for (size_t n = 1; n < 60; n += 7) {
    size_t counts[3], expect[3], part[60], seen[3] = {0, 0, 0};
    double x[120];
    hamilton(3, w, n, expect);
    CU_ASSERT_EQUAL(pinn_geom_boundary_counts(g, 3, parts, n, counts, NULL), 0);
    pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_HALTON, 2, 0, NULL);
    CU_ASSERT_EQUAL(pinn_geom_sample_boundary(g, 3, parts, s, n, x, NULL, part, NULL, NULL), 0);
    for (size_t i = 0; i < n; ++i) seen[part[i]]++;
    for (int j = 0; j < 3; ++j) {
      CU_ASSERT_EQUAL(counts[j], expect[j]);
      CU_ASSERT_EQUAL(seen[j], expect[j]);
    }
    pinn_sampler_free(s);
  }
  /* Within "holes": the disks by their circumference, 0.1 : 0.15 : 0.2. */
  const char *const holes[] = {"holes"};
  double x[2 * 450];
  size_t per[3] = {0, 0, 0};
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_UNIFORM, 2, 3, NULL);
  CU_ASSERT_EQUAL(pinn_geom_sample_boundary(g, 1, holes, s, 450, x, NULL, NULL, NULL, NULL), 0);
  for (size_t i = 0; i < 450; ++i)
    for (int j = 0; j < 3; ++j)
      per[j] +=
          fabs(hypot(x[2 * i] - hole_c[j][0], x[2 * i + 1] - hole_c[j][1]) - hole_r[j]) < 1e-12;
  CU_ASSERT_EQUAL(per[0], 100);
  CU_ASSERT_EQUAL(per[1], 150);
  CU_ASSERT_EQUAL(per[2], 200);
  /* Errors: unknown part, repeated part, a part not on the boundary. */
  pinn_error e;
  size_t counts[2];
  const char *const unknown[] = {"top", "inlet"}, *const twice[] = {"top", "top"};
  CU_ASSERT_EQUAL(pinn_geom_boundary_counts(g, 2, unknown, 10, counts, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no part is named 'inlet'"));
  CU_ASSERT_EQUAL(pinn_geom_boundary_counts(g, 2, twice, 10, counts, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "twice"));
  CU_ASSERT_EQUAL(pinn_geom_boundary_counts(g, 0, twice, 10, counts, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no part named"));
  double xb[4];
  CU_ASSERT_EQUAL(pinn_geom_sample_boundary(g, 0, twice, s, 2, xb, NULL, NULL, NULL, &e),
                  PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no part named"));
  pinn_sampler_free(s);
  pinn_geom_free(g);

  g = pinn_geom_alloc(2, NULL);
  const double lo[2] = {0, 0}, hi[2] = {1, 1}, far[2] = {3, 3};
  size_t sq, disk, n;
  pinn_geom_box(g, lo, hi, &sq);
  pinn_geom_ball(g, far, 0.5, &disk);
  pinn_geom_difference(g, sq, disk, &n);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, n), 0);
  const char *const off[] = {"ball"};
  CU_ASSERT_EQUAL(pinn_geom_boundary_counts(g, 1, off, 10, counts, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "part 'ball' has no piece on the boundary"));
  pinn_geom_free(g);
}

/* Fraction of n boundary points of a lone ellipse/ellipsoid (semi-axes a)
 * in a cap, against the cap's share of the measure by a midpoint rule on the
 * angle (2-d) or on (z, azimuth) with the area element a b c |n / a| (3-d):
 * within 4 standard errors. */
static void check_cap_fraction(size_t d, const double *a, double cut)
{
  const double c[3] = {0, 0, 0};
  pinn_geom *g = pinn_geom_alloc(d, NULL);
  size_t e;
  CU_ASSERT_EQUAL(pinn_geom_ellipsoid(g, c, a, &e), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, e), 0);
  enum { N = 40000 };
  double *x = malloc(3 * N * sizeof *x);
  const char *const part[] = {"ellipsoid"};
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_UNIFORM, d, 5, NULL);
  CU_ASSERT_EQUAL(pinn_geom_sample_boundary(g, 1, part, s, N, x, NULL, NULL, NULL, NULL), 0);
  size_t in = 0;
  for (size_t i = 0; i < N; ++i) in += x[d * i] > cut * a[0];
  double cap = 0.0, all = 0.0;
  const int m = 2000;
  for (int i = 0; i < m; ++i) {
    const double t = 2 * M_PI * (i + 0.5) / m;
    if (d == 2) {
      const double w = hypot(a[0] * sin(t), a[1] * cos(t));
      all += w;
      cap += cos(t) > cut ? w : 0.0;
      continue;
    }
    for (int j = 0; j < m; ++j) {
      const double z = -1 + 2 * (j + 0.5) / m, r = sqrt(1 - z * z);
      const double n0 = r * cos(t), n1 = r * sin(t);
      const double w =
          sqrt(n0 * n0 / (a[0] * a[0]) + n1 * n1 / (a[1] * a[1]) + z * z / (a[2] * a[2]));
      all += w;
      cap += n0 > cut ? w : 0.0;
    }
  }
  const double p = cap / all, ph = (double)in / N;
  CU_ASSERT_TRUE(fabs(ph - p) < 4 * sqrt(p * (1 - p) / N));
  /* The map without the density test would be off by many errors. */
  CU_ASSERT_TRUE(fabs(p - acos(cut) / M_PI) > 12 * sqrt(p * (1 - p) / N) || d == 3);
  pinn_sampler_free(s);
  free(x);
  pinn_geom_free(g);
}

static void boundary_points_are_uniform_by_measure_on_ellipses_and_ellipsoids(void)
{
  const double a2[2] = {2, 1}, a3[3] = {3, 2, 1};
  check_cap_fraction(2, a2, 0.5);
  check_cap_fraction(3, a3, 0.5);
}

/* Interior points are strictly inside: the L-shape's re-entrant corner
 * (0, 0), the centre of its bounding box and so Sobol's first point, is on
 * the boundary and never drawn; every point has a negative signed distance. */
static void interior_points_are_strictly_inside(void)
{
  const double v[12] = {-1, -1, 0, -1, 0, 0, 1, 0, 1, 1, -1, 1};
  size_t node;
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_geom_polygon(g, 6, v, &node), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_geom_set_root(g, node), 0);
  const double corner[2] = {0, 0};
  CU_ASSERT_TRUE(pinn_geom_contains(g, corner));
  CU_ASSERT_EQUAL(pinn_geom_signed_distance(g, corner, NULL), 0.0);
  static const pinn_sampler_kind kinds[] = {PINN_SAMPLER_SOBOL, PINN_SAMPLER_HALTON, PINN_SAMPLER_GRID};
  for (size_t k = 0; k < 3; ++k) {
    pinn_sampler *s = pinn_sampler_alloc(kinds[k], 2, 1, NULL);
    double x[2 * 400];
    size_t cnt = 0, bad = 0;
    CU_ASSERT_EQUAL(pinn_geom_sample_interior(g, s, 400, x, &cnt, NULL), 0);
    for (size_t i = 0; i < cnt; ++i) bad += !(pinn_geom_signed_distance(g, x + 2 * i, NULL) < 0.0);
    CU_ASSERT(cnt > 300);
    CU_ASSERT_EQUAL(bad, 0);
    pinn_sampler_free(s);
  }
  pinn_geom_free(g);
}

static void sampling_is_reproducible_from_the_seed(void)
{
  pinn_geom *g = body3d();
  const char *const parts[] = {"ball", "x2+"};
  double a[3 * 500], b[3 * 500], na[3 * 500], nb[3 * 500];
  for (int rep = 0; rep < 2; ++rep) {
    pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_UNIFORM, 3, 99, NULL);
    double *x = rep ? b : a, *n = rep ? nb : na;
    CU_ASSERT_EQUAL(pinn_geom_sample_interior(g, s, 250, x, NULL, NULL), 0);
    CU_ASSERT_EQUAL(pinn_geom_sample_boundary(g, 2, parts, s, 250, x + 750, n, NULL, NULL, NULL),
                    0);
    pinn_sampler_free(s);
  }
  CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
  CU_ASSERT_EQUAL(memcmp(na, nb, 750 * sizeof *na), 0);
  pinn_geom_free(g);
}

static pinn_xjet adf_at(const pinn_geom_adf *a, size_t d, const double *x)
{
  pinn_xjet xj[PINN_XJET_MAX], out;
  for (int k = 0; k < PINN_XJET_MAX; ++k) xj[k] = px_var((size_t)k < d ? x[k] : 0.0, k);
  pinn_geom_adf_eval(a, xj, &out);
  return out;
}

/* phi: zero on sampled points of the parts, positive inside, jet = FD. */
static void check_adf(const pinn_geom *g, size_t np, const char *const *parts)
{
  const size_t d = pinn_geom_dim(g);
  pinn_error e;
  pinn_geom_adf *a = pinn_geom_adf_alloc(g, np, parts, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  double x[3 * 400];
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, d, 0, NULL);
  CU_ASSERT_EQUAL(pinn_geom_sample_boundary(g, np, parts, s, 400, x, NULL, NULL, NULL, NULL), 0);
  double worst = 0.0;
  for (size_t i = 0; i < 400; ++i) worst = fmax(worst, fabs(adf_at(a, d, x + d * i).v));
  CU_ASSERT_TRUE(worst < 1e-14);
  CU_ASSERT_EQUAL(pinn_geom_sample_interior(g, s, 400, x, NULL, NULL), 0);
  size_t nonpos = 0;
  double gerr = 0.0, herr = 0.0;
  const double h = 1e-5;
  for (size_t i = 0; i < 400; ++i) {
    const double *p = x + d * i;
    const pinn_xjet j = adf_at(a, d, p);
    nonpos += !(j.v > 0.0);
    if (i % 8) continue;
    for (size_t k = 0; k < d; ++k) {
      double xp[3], xm[3];
      memcpy(xp, p, d * sizeof *p);
      memcpy(xm, p, d * sizeof *p);
      xp[k] += h;
      xm[k] -= h;
      const pinn_xjet jp = adf_at(a, d, xp), jm = adf_at(a, d, xm);
      const double scale = 1.0 + fabs(j.g[k]);
      gerr = fmax(gerr, fabs((jp.v - jm.v) / (2 * h) - j.g[k]) / scale);
      for (size_t l = 0; l < d; ++l)
        herr =
            fmax(herr, fabs((jp.g[l] - jm.g[l]) / (2 * h) - j.h[k][l]) / (1.0 + fabs(j.h[k][l])));
    }
  }
  CU_ASSERT_EQUAL(nonpos, 0);
  CU_ASSERT_TRUE(gerr < 1e-7);
  CU_ASSERT_TRUE(herr < 1e-5);
  pinn_sampler_free(s);
  pinn_geom_adf_free(a);
}

/* Bounding boxes: a difference keeps its first operand's, an intersection
 * shrinks to the overlap, a union grows to the hull. */
static void bounds_follow_the_set_operations(void)
{
  double lo[2], hi[2];
  pinn_geom *g = square_with_holes();
  pinn_geom_bounds(g, lo, hi);
  CU_ASSERT_EQUAL(lo[0], 0.0);
  CU_ASSERT_EQUAL(lo[1], 0.0);
  CU_ASSERT_EQUAL(hi[0], 1.0);
  CU_ASSERT_EQUAL(hi[1], 1.0);
  pinn_geom_free(g);
  /* a 2 x 1 box and a disk of radius 1/2 at its corner (2, 1) */
  const double want[2][4] = {{1.5, 0.5, 2.0, 1.0}, {0.0, 0.0, 2.5, 1.5}};
  for (int op = 0; op < 2; ++op) {
    const double alo[2] = {0, 0}, ahi[2] = {2, 1}, c[2] = {2, 1};
    size_t box, disk, node;
    g = pinn_geom_alloc(2, NULL);
    CU_ASSERT_EQUAL(pinn_geom_box(g, alo, ahi, &box), 0);
    CU_ASSERT_EQUAL(pinn_geom_ball(g, c, 0.5, &disk), 0);
    CU_ASSERT_EQUAL((op ? pinn_geom_union : pinn_geom_intersection)(g, box, disk, &node), 0);
    CU_ASSERT_EQUAL(pinn_geom_set_root(g, node), 0);
    pinn_geom_bounds(g, lo, hi);
    for (int k = 0; k < 2; ++k) {
      CU_ASSERT_DOUBLE_EQUAL(lo[k], want[op][k], 1e-15);
      CU_ASSERT_DOUBLE_EQUAL(hi[k], want[op][2 + k], 1e-15);
    }
    pinn_geom_free(g);
  }
}

/* The pinn_xjet_fn adapter (what pinn_transform_dirichlet calls) gives
 * bitwise the jet of pinn_geom_adf_eval. */
static void adf_adapter_gives_the_same_jet(void)
{
  pinn_geom *g = square_with_holes();
  const char *const holes[] = {"holes"};
  pinn_geom_adf *a = pinn_geom_adf_alloc(g, 1, holes, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  const double x[2] = {0.1, 0.9};
  pinn_xjet xj[PINN_XJET_MAX], via;
  for (int k = 0; k < PINN_XJET_MAX; ++k) xj[k] = px_var(k < 2 ? x[k] : 0.0, k);
  CU_ASSERT_EQUAL(pinn_geom_adf_xjet(xj, &via, a), 0);
  const pinn_xjet direct = adf_at(a, 2, x);
  CU_ASSERT_EQUAL(memcmp(&via, &direct, sizeof via), 0);
  CU_ASSERT_TRUE(via.v > 0.0);
  pinn_geom_adf_destroy(a); /* the void * form */
  pinn_geom_free(g);
}

static void adf_is_zero_on_its_parts_positive_inside_and_its_jet_matches_fd(void)
{
  pinn_geom *g = square_with_holes();
  const char *const outer[] = {"left", "right", "bottom", "top"}, *const holes[] = {"holes"},
                    *const some[] = {"top", "holes"};
  check_adf(g, 4, outer);
  check_adf(g, 1, holes);
  check_adf(g, 2, some);
  pinn_geom_free(g);

  /* L-shaped polygon (the lshape2d domain), every edge. */
  g = pinn_geom_alloc(2, NULL);
  const double lsh[] = {-1, -1, 0, -1, 0, 0, 1, 0, 1, 1, -1, 1};
  size_t node;
  CU_ASSERT_EQUAL(pinn_geom_polygon(g, 6, lsh, &node), 0);
  CU_ASSERT_EQUAL(pinn_geom_name(g, node, 0, NULL, "wall"), 0);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, node), 0);
  const char *const wall[] = {"wall"};
  check_adf(g, 1, wall);
  pinn_geom_adf *a = pinn_geom_adf_alloc(g, 1, wall, NULL);
  for (int i = 0; i < 6; ++i) /* 0 at the vertices too (the ends of the trimmed pieces) */
    CU_ASSERT_EQUAL(adf_at(a, 2, lsh + 2 * i).v, 0.0);
  pinn_geom_adf_free(a);
  pinn_geom_free(g);

  /* 3-D: a box minus a through-cylinder and a ball. */
  g = pinn_geom_alloc(3, NULL);
  const double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1}, p0[3] = {0, 0, -2}, p1[3] = {0, 0, 2},
               bc[3] = {0.5, 0.5, 0.4};
  size_t box, cyl, ball, n;
  int rc = pinn_geom_box(g, lo, hi, &box);
  rc |= pinn_geom_cylinder(g, p0, p1, 0.3, &cyl);
  rc |= pinn_geom_ball(g, bc, 0.25, &ball);
  rc |= pinn_geom_difference(g, box, cyl, &n);
  rc |= pinn_geom_difference(g, n, ball, &n);
  rc |= pinn_geom_set_root(g, n);
  CU_ASSERT_EQUAL(rc, 0);
  const char *const bore[] = {"side", "ball"}, *const faces[] = {"x0-", "x0+", "x2+"};
  check_adf(g, 2, bore);
  check_adf(g, 3, faces);
  /* The cylinder's caps lie outside the box: not on the boundary. */
  pinn_error e;
  const char *const top[] = {"top"};
  CU_ASSERT_PTR_NULL(pinn_geom_adf_alloc(g, 1, top, &e));
  pinn_geom_free(g);

  /* A piece passing through the interior is refused. */
  g = pinn_geom_alloc(2, NULL);
  const double c0[2] = {0, 0}, c1[2] = {0.8, 0};
  size_t d0, d1;
  pinn_geom_ball(g, c0, 1.0, &d0);
  pinn_geom_ball(g, c1, 0.5, &d1);
  pinn_geom_name(g, d1, 0, NULL, "small");
  pinn_geom_union(g, d0, d1, &n);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, n), 0);
  const char *const small[] = {"small"};
  CU_ASSERT_PTR_NULL(pinn_geom_adf_alloc(g, 1, small, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "passes through the interior"));
  pinn_geom_free(g);

  /* A disk and a box far from it: phi of the circle is negative in the box. */
  g = pinn_geom_alloc(2, NULL);
  const double blo[2] = {3, 3}, bhi[2] = {4, 4};
  size_t box2;
  pinn_geom_ball(g, c0, 1.0, &d0);
  pinn_geom_box(g, blo, bhi, &box2);
  pinn_geom_union(g, d0, box2, &n);
  CU_ASSERT_EQUAL(pinn_geom_set_root(g, n), 0);
  const char *const circle[] = {"ball"};
  CU_ASSERT_PTR_NULL(pinn_geom_adf_alloc(g, 1, circle, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "it must be positive inside"));
  pinn_geom_free(g);
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
      {"polygons_are_validated_with_errors_that_name_the_edges",
       polygons_are_validated_with_errors_that_name_the_edges},
      {"building_refuses_bad_input_and_says_what_to_fix",
       building_refuses_bad_input_and_says_what_to_fix},
      {"primitive_distances_and_measures_have_their_exact_values",
       primitive_distances_and_measures_have_their_exact_values},
      {"normals_match_the_gradient_of_the_signed_distance",
       normals_match_the_gradient_of_the_signed_distance},
      {"area_of_a_square_minus_disks_matches_monte_carlo",
       area_of_a_square_minus_disks_matches_monte_carlo},
      {"lengths_of_parts_match_their_exact_values", lengths_of_parts_match_their_exact_values},
      {"sampled_points_are_in_the_region_exactly_n_for_every_sampler",
       sampled_points_are_in_the_region_exactly_n_for_every_sampler},
      {"boundary_counts_per_part_are_proportional_to_measure",
       boundary_counts_per_part_are_proportional_to_measure},
      {"boundary_points_are_uniform_by_measure_on_ellipses_and_ellipsoids",
       boundary_points_are_uniform_by_measure_on_ellipses_and_ellipsoids},
      {"sampling_is_reproducible_from_the_seed", sampling_is_reproducible_from_the_seed},
      {"interior_points_are_strictly_inside", interior_points_are_strictly_inside},
      {"bounds_follow_the_set_operations", bounds_follow_the_set_operations},
      {"adf_adapter_gives_the_same_jet", adf_adapter_gives_the_same_jet},
      {"adf_is_zero_on_its_parts_positive_inside_and_its_jet_matches_fd",
       adf_is_zero_on_its_parts_positive_inside_and_its_jet_matches_fd},
      {NULL, NULL}};
  if (pinn_test_add_suite("geometry", cases)) return 1;
  return pinn_test_run_all();
}
