/* Benchmark: interior and boundary sampling of CSG regions (pinn/geometry.h).
 *
 * Regions of 10 primitives each:
 *   3-d  a box [-1,1]^3 minus 4 balls and 2 cylinders (one along z, one
 *        tilted), union an ellipsoid and a ball sticking out, intersected
 *        with a big ball (the corners cut off);
 *   2-d  the L-shaped polygon minus 5 disks, union 2 ellipses, minus a box
 *        slot, intersected with a disk.
 * Timed: pinn_geom_set_root (piece measures), N interior points with a
 * Sobol and a uniform sampler, N / 10 boundary points on every part.
 *
 * Usage: bench_geometry [N [reps]]   (default 1000000 points, 3 repetitions;
 * the minimum over repetitions is reported).  Target: <= 1 s for 10^6
 * interior points on one core.
 */
#define _POSIX_C_SOURCE 199309L
#include <pinn/geometry.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* g, or exit with its message when building failed (rc != 0). */
static pinn_geom *built(pinn_geom *g, int rc)
{
  if (!rc) return g;
  fprintf(stderr, "bench_geometry: %s\n", pinn_geom_errmsg(g));
  exit(1);
}

static pinn_geom *region3d(size_t *root)
{
  pinn_geom *g = pinn_geom_alloc(3, NULL);
  const double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
  const double bc[4][3] = {{0.5, 0.5, 0.5}, {-0.5, 0.5, -0.3}, {0.4, -0.5, 0.2}, {-0.4, -0.4, 0.6}};
  const double br[4] = {0.3, 0.25, 0.2, 0.15};
  const double z0[3] = {0, 0, -2}, z1[3] = {0, 0, 2}, t0[3] = {-2, -1, -1}, t1[3] = {2, 1, 0.5};
  const double ec[3] = {1.0, 0, 0}, ea[3] = {0.5, 0.3, 0.4}, sc[3] = {0, 1.0, 0},
               big[3] = {0, 0, 0};
  size_t n, p;
  int rc = pinn_geom_box(g, lo, hi, &n);
  for (int i = 0; i < 4; ++i) {
    rc |= pinn_geom_ball(g, bc[i], br[i], &p);
    rc |= pinn_geom_name(g, p, 0, NULL, "holes");
    rc |= pinn_geom_difference(g, n, p, &n);
  }
  rc |= pinn_geom_cylinder(g, z0, z1, 0.2, &p);
  rc |= pinn_geom_difference(g, n, p, &n);
  rc |= pinn_geom_cylinder(g, t0, t1, 0.1, &p);
  rc |= pinn_geom_difference(g, n, p, &n);
  rc |= pinn_geom_ellipsoid(g, ec, ea, &p);
  rc |= pinn_geom_union(g, n, p, &n);
  rc |= pinn_geom_ball(g, sc, 0.3, &p);
  rc |= pinn_geom_union(g, n, p, &n);
  rc |= pinn_geom_ball(g, big, 1.5, &p);
  rc |= pinn_geom_intersection(g, n, p, &n);
  *root = n;
  return built(g, rc);
}

static pinn_geom *region2d(size_t *root)
{
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  const double lsh[] = {-1, -1, 0, -1, 0, 0, 1, 0, 1, 1, -1, 1};
  const double dc[5][2] = {{-0.5, -0.5}, {-0.5, 0.5}, {0.5, 0.5}, {-0.1, 0.2}, {-0.7, 0.0}};
  const double dr[5] = {0.2, 0.15, 0.25, 0.1, 0.08};
  const double e0[2] = {1.0, 0.5}, a0[2] = {0.3, 0.2}, e1[2] = {0.0, -1.0}, a1[2] = {0.4, 0.2};
  const double slo[2] = {-0.9, 0.85}, shi[2] = {0.9, 0.9}, o[2] = {0, 0};
  size_t n, p;
  int rc = pinn_geom_polygon(g, 6, lsh, &n);
  for (int i = 0; i < 5; ++i) {
    rc |= pinn_geom_ball(g, dc[i], dr[i], &p);
    rc |= pinn_geom_name(g, p, 0, NULL, "holes");
    rc |= pinn_geom_difference(g, n, p, &n);
  }
  rc |= pinn_geom_ellipsoid(g, e0, a0, &p);
  rc |= pinn_geom_union(g, n, p, &n);
  rc |= pinn_geom_ellipsoid(g, e1, a1, &p);
  rc |= pinn_geom_union(g, n, p, &n);
  rc |= pinn_geom_box(g, slo, shi, &p);
  rc |= pinn_geom_difference(g, n, p, &n);
  rc |= pinn_geom_ball(g, o, 1.3, &p);
  rc |= pinn_geom_intersection(g, n, p, &n);
  *root = n;
  return built(g, rc);
}

int main(int argc, char **argv)
{
  const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
  const int reps = argc > 2 ? atoi(argv[2]) : 3;
  double *x = malloc(3 * n * sizeof *x), *nrm = malloc(3 * n * sizeof *nrm);
  if (!x || !nrm || n == 0 || reps < 1) return 1;
  for (int dim = 3; dim >= 2; --dim) {
    size_t root;
    pinn_geom *g = dim == 3 ? region3d(&root) : region2d(&root);
    double t = now();
    built(g, pinn_geom_set_root(g, root));
    const double t_root = now() - t;
    /* Every part with some piece on the region's boundary. */
    size_t np = 0;
    const char **parts = malloc(pinn_geom_num_parts(g) * sizeof *parts);
    for (size_t i = 0; i < pinn_geom_num_parts(g); ++i) {
      double on = 0.0;
      pinn_geom_part_measure(g, pinn_geom_part_name(g, i), NULL, &on, NULL);
      if (on > 0.0) parts[np++] = pinn_geom_part_name(g, i);
    }
    const pinn_sampler_kind kinds[2] = {PINN_SAMPLER_SOBOL, PINN_SAMPLER_UNIFORM};
    for (int k = 0; k < 2; ++k) {
      double best_in = 1e300, best_bd = 1e300;
      for (int r = 0; r < reps; ++r) {
        pinn_error e;
        pinn_sampler *s = pinn_sampler_alloc(kinds[k], (size_t)dim, 1, NULL);
        t = now();
        int rc = pinn_geom_sample_interior(g, s, n, x, NULL, &e);
        const double t_in = now() - t;
        t = now();
        if (!rc) rc = pinn_geom_sample_boundary(g, np, parts, s, n / 10, x, nrm, NULL, NULL, &e);
        const double t_bd = now() - t;
        pinn_sampler_free(s);
        if (rc) {
          fprintf(stderr, "bench_geometry: %s\n", e.msg);
          return 1;
        }
        best_in = t_in < best_in ? t_in : best_in;
        best_bd = t_bd < best_bd ? t_bd : best_bd;
      }
      printf("%d-d, 10 primitives, %zu parts, %-7s: set_root %.3f s, %zu interior points "
             "%.3f s, %zu boundary points %.3f s\n",
             dim, np, pinn_sampler_kind_name(kinds[k]), t_root, n, best_in, n / 10, best_bd);
    }
    free(parts);
    pinn_geom_free(g);
  }
  free(x);
  free(nrm);
  return 0;
}
