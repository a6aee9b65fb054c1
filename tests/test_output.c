/* Tests for solve output: small problems (1-D Poisson with an exact solution,
 * 2-D Poisson with a learnable coefficient and metrics, x-t heat with an
 * exact solution and with a non-uniform reference grid, a 1-D obstacle
 * problem, and on domains that are not boxes: a 2-D ball, a disc x time, a
 * 3-D ball, a 1-D ball, a CSG square minus a disk) are trained for a few
 * iterations, their fields
 * computed and written, and every dataset and attribute is read back with
 * h5io and checked: shapes, names, values (u on the grid equals
 * pinn_mlp_eval at the grid points bitwise; errors and rel_l2 recomputed from
 * the arrays read back), the .xmf's references against the .h5, and failures
 * (unwritable paths leave nothing).  Domains that are not boxes: the mask
 * against the domain, the sidecar's mesh of the inside cells recomputed from
 * it, pinn_output_mesh_build on hand-made masks, pinn_output_write_grid.
 *
 * With PINN_OUTPUT_EXAMPLES=<dir> the solve files are left in <dir> for
 * tests/paraview_solve_check.py (the ctest label "paraview"). */
#define _XOPEN_SOURCE 700
#include <pinn/geometry.h>
#include <pinn/h5io.h>
#include <pinn/model.h>
#include <pinn/output.h>
#include <pinn/train.h>
#include <pinn/xdmf.h>

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"

static char *g_dir;
static int g_keep;

/* ------------------------------------------------------------ problems */

/* 2-D: k Laplacian(phi) + 2 pi^2 sin(pi x) sin(pi y) = 0, k learnable (true 1). */
static int poisson2(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                    void *ctx)
{
  (void)ctx;
  r[0] = pd_addc(pd_mul(c[0], pd_add(u->xx, u->yy)),
                 2 * M_PI * M_PI * sin(M_PI * x[0]) * sin(M_PI * x[1]));
  return 0;
}
static int exact2(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(M_PI * x[0]) * sin(M_PI * x[1]);
  return 0;
}
static int metrics2(struct pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)ctx;
  if (max < 2) return 1;
  snprintf(out[0].name, sizeof out[0].name, "k_error");
  out[0].value = fabs(pinn_loss_coef(l, 0) - 1);
  snprintf(out[1].name, sizeof out[1].name, "answer");
  out[1].value = 42;
  *n = 2;
  return 0;
}

/* x-t heat: u_t = u_xx / pi^2 on (-1, 1) x (0, 1); u = exp(-t) sin(pi x). */
static int heat(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x;
  (void)c;
  (void)ctx;
  r[0] = pd_sub(u->t, pd_scale(u->xx, 1 / (M_PI * M_PI)));
  return 0;
}
static int exact_heat(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = exp(-x[1]) * sin(M_PI * x[0]);
  return 0;
}
/* obstacle (ctx OBSTACLE): -u'' = -8 on (-1, 1), u(+-1) = 0, u >= psi = 0.5 -
 * 2 x^2 (the free solution 4 x^2 - 4 ... lies below psi near 0: contact).
 * ball (ctx BALL): -Laplacian(u) = 4 on the unit disc, u = 0 on the circle;
 * u = 1 - r^2.  Both as r = s Laplacian(u) + f, ctx = {s, f, dim, psi0, psi2}
 * with psi = psi0 - psi2 x^2. */
static double OBSTACLE[5] = {-1, 8, 1, 0.5, 2}, BALL[3] = {1, 4, 2};
static int const_source(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                        void *ctx)
{
  const double *k = ctx;
  (void)x;
  (void)c;
  r[0] = pd_addc(pd_scale(k[2] > 1 ? pd_add(u->xx, u->yy) : u->xx, k[0]), k[1]);
  return 0;
}
static int obst_psi(const double *x, double *v, void *ctx)
{
  const double *k = ctx;
  *v = k[3] - k[4] * x[0] * x[0];
  return 0;
}
/* The ball's exact solution refuses points outside (so nothing is evaluated
 * there). */
static int ball_exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  double r2 = x[0] * x[0] + x[1] * x[1];
  if (r2 > 1 + 1e-9) return 7;
  u[0] = 1 - r2;
  return 0;
}

typedef struct solve {
  pinn_problem *p;
  pinn_mlp *net;
  pinn_loss *l;
  pinn_trainer *t;
  pinn_fields f;
  unsigned long seed;
} solve;

static void train(solve *s, size_t width, size_t adam, size_t lbfgs)
{
  size_t d = pinn_problem_dim(s->p), n_out = pinn_problem_n_out(s->p);
  size_t sizes[4] = {d, width, width, n_out};
  pinn_mlp_layout lay = {4, sizes, NULL, 0, NULL};
  pinn_error e;
  s->net = pinn_mlp_alloc(&lay, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s->net);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, s->seed);
  pinn_mlp_init(s->net, PINN_INIT_XAVIER, r);
  gsl_rng_free(r);
  pinn_loss_options lo = pinn_loss_options_default();
  lo.seed = s->seed;
  s->l = pinn_loss_alloc(s->p, s->net, &lo, &e);
  if (!s->l) printf("\n  loss: %s\n", e.msg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s->l);
  pinn_train_options o = pinn_train_options_default();
  o.phases[0].max_iter = adam;
  o.phases[0].lr = 1e-2;
  o.phases[1].max_iter = lbfgs;
  o.n_phases = lbfgs ? 2 : 1;
  s->t = pinn_trainer_alloc(s->l, &o, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s->t);
  CU_ASSERT_EQUAL_FATAL(pinn_trainer_run(s->t), 0);
}

static void release(solve *s)
{
  pinn_fields_free(&s->f);
  pinn_trainer_free(s->t);
  pinn_loss_free(s->l);
  pinn_mlp_free(s->net);
  pinn_problem_free(s->p);
  memset(s, 0, sizeof *s);
}

/* A solve of a one-output problem on dom, seed for its network and training. */
static solve start(unsigned long seed, const char *name, size_t d, int has_time,
                   const pinn_domain *dom)
{
  solve s = {0};
  s.seed = seed;
  s.p = pinn_problem_alloc(name, d, has_time, 1, NULL);
  pinn_problem_set_domain(s.p, dom);
  return s;
}

static solve make_1d(void)
{
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  solve s = start(3, "poisson1d", 1, 0, &dom);
  pinn_problem_set_description(s.p, "-u'' = pi^2 sin(pi x), u(+-1) = 0");
  pinn_problem_add_residual(s.p, "pde", 1, pinn_test_poisson_residual, PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(s.p, 0, 64);
  pinn_problem_set_points(s.p, 1, 2);
  pinn_problem_set_exact(s.p, pinn_test_poisson_exact, NULL);
  train(&s, 10, 40, 40);
  return s;
}

static solve make_2d(void)
{
  pinn_domain dom;
  double lo[2] = {0, 0}, hi[2] = {1, 2};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  solve s = start(5, "poisson2d", 2, 0, &dom);
  pinn_problem_set_output_names(s.p, "phi");
  pinn_problem_add_coefficient(s.p, "k", 0.8, NULL);
  pinn_problem_add_residual(s.p, "pde", 1, poisson2, PINN_NEED_XX | PINN_NEED_YY, NULL);
  pinn_problem_add_dirichlet(s.p, "wall", 0, NULL, NULL);
  pinn_problem_set_points(s.p, 0, 128);
  pinn_problem_set_points(s.p, 1, 64);
  pinn_problem_set_exact(s.p, exact2, NULL);
  pinn_problem_set_metrics(s.p, metrics2, NULL);
  size_t grid[2] = {31, 41};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 10, 30, 10);
  return s;
}

static solve heat_common(unsigned long seed, const char *name)
{
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  solve s = start(seed, name, 1, 1, &dom);
  pinn_problem_add_residual(s.p, "pde", 1, heat, PINN_NEED_T | PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_add_initial(s.p, "ic", 0, pinn_test_poisson_exact, NULL); /* sin(pi x) */
  pinn_problem_set_points(s.p, 0, 128);
  pinn_problem_set_points(s.p, 1, 32);
  pinn_problem_set_points(s.p, 2, 32);
  return s;
}

static solve make_heat(void)
{
  solve s = heat_common(7, "heat1d");
  pinn_problem_set_exact(s.p, exact_heat, NULL);
  size_t grid[2] = {41, 6};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 10, 30, 10);
  return s;
}

/* The heat problem with a reference grid: x clustered at the ends
 * (non-uniform), t uniform. */
static double g_ref_x[17], g_ref_t[5], g_ref_u[17 * 5];
static solve make_heat_ref(void)
{
  solve s = heat_common(8, "heat1d_ref");
  for (int i = 0; i < 17; ++i) g_ref_x[i] = -cos(M_PI * i / 16.0);
  g_ref_x[0] = -1;
  g_ref_x[16] = 1;
  for (int j = 0; j < 5; ++j) g_ref_t[j] = 0.25 * j;
  for (int j = 0; j < 5; ++j)
    for (int i = 0; i < 17; ++i) {
      double x[2] = {g_ref_x[i], g_ref_t[j]};
      exact_heat(x, &g_ref_u[j * 17 + i], NULL);
    }
  size_t counts[2] = {17, 5};
  const double *axes[2] = {g_ref_x, g_ref_t};
  CU_ASSERT_EQUAL(pinn_problem_set_reference_grid(s.p, counts, axes, g_ref_u), 0);
  train(&s, 8, 20, 0);
  return s;
}

static solve make_obstacle(void)
{
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  solve s = start(9, "obstacle1d", 1, 0, &dom);
  pinn_problem_add_residual(s.p, "pde", 1, const_source, PINN_NEED_XX, OBSTACLE);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_add_obstacle(s.p, "obstacle", 0, 1, obst_psi, OBSTACLE, NULL);
  pinn_problem_set_points(s.p, 0, 64);
  pinn_problem_set_points(s.p, 1, 2);
  pinn_problem_set_points(s.p, 2, 64);
  train(&s, 10, 60, 20);
  return s;
}

static solve make_ball(void)
{
  pinn_domain dom;
  double c[2] = {0, 0};
  pinn_domain_ball(&dom, 2, c, 1, NULL);
  solve s = start(11, "disc", 2, 0, &dom);
  pinn_problem_add_residual(s.p, "pde", 1, const_source, PINN_NEED_XX | PINN_NEED_YY, BALL);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(s.p, 0, 128);
  pinn_problem_set_points(s.p, 1, 64);
  pinn_problem_set_exact(s.p, ball_exact, NULL);
  size_t grid[2] = {21, 21};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 10, 30, 0);
  return s;
}

/* heat on the unit disc: u_t = u_xx + u_yy, u = 0 on the circle, u = 1 - r^2
 * at t = 0 (no reference) */
static int disc_heat(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                     void *ctx)
{
  (void)x;
  (void)c;
  (void)ctx;
  r[0] = pd_sub(u->t, pd_add(u->xx, u->yy));
  return 0;
}
static int disc_initial(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = 1 - x[0] * x[0] - x[1] * x[1];
  return 0;
}

static solve make_disc_heat(void)
{
  pinn_domain dom;
  double c[2] = {0, 0};
  pinn_domain_ball(&dom, 2, c, 1, NULL);
  pinn_domain_with_time(&dom, 0, 0.5, NULL);
  solve s = start(13, "discheat", 2, 1, &dom);
  pinn_problem_add_residual(s.p, "pde", 1, disc_heat, PINN_NEED_T | PINN_NEED_XX | PINN_NEED_YY,
                            NULL);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_add_initial(s.p, "ic", 0, disc_initial, NULL);
  pinn_problem_set_points(s.p, 0, 128);
  pinn_problem_set_points(s.p, 1, 48);
  pinn_problem_set_points(s.p, 2, 48);
  size_t grid[3] = {15, 15, 4};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 8, 20, 0);
  return s;
}

/* -Laplacian(u) = 6 in the unit ball of R^3, u = 0 on the sphere: u = 1 - r^2 */
static int ball3_pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                     void *ctx)
{
  (void)x;
  (void)c;
  (void)ctx;
  r[0] = pd_addc(pd_add(pd_add(u->xx, u->yy), u->zz), 6);
  return 0;
}
static int ball3_exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = 1 - x[0] * x[0] - x[1] * x[1] - x[2] * x[2];
  return 0;
}

static solve make_ball3(void)
{
  pinn_domain dom;
  double c[3] = {0.5, 0, 0};
  pinn_domain_ball(&dom, 3, c, 1, NULL);
  solve s = start(17, "ball3", 3, 0, &dom);
  pinn_problem_add_residual(s.p, "pde", 1, ball3_pde, PINN_NEED_LAPLACIAN, NULL);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(s.p, 0, 128);
  pinn_problem_set_points(s.p, 1, 64);
  pinn_problem_set_exact(s.p, ball3_exact, NULL);
  size_t grid[3] = {9, 9, 9};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 8, 20, 0);
  return s;
}

/* -Laplacian(u) = 4 on the square [-1, 1]^2 minus the disk |x - (0.3, 0.2)|
 * < 0.4 (a CSG geometry domain), u = 0 on both boundaries (no reference) */
static solve make_csg(void)
{
  pinn_geom *g = pinn_geom_alloc(2, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g);
  size_t a, b, root;
  CU_ASSERT_EQUAL(pinn_geom_box(g, (double[2]){-1, -1}, (double[2]){1, 1}, &a), 0);
  CU_ASSERT_EQUAL(pinn_geom_ball(g, (double[2]){0.3, 0.2}, 0.4, &b), 0);
  CU_ASSERT_EQUAL(pinn_geom_difference(g, a, b, &root), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_geom_set_root(g, root), 0);
  pinn_domain dom;
  CU_ASSERT_EQUAL_FATAL(pinn_domain_geometry(&dom, g, NULL), 0);
  solve s = start(19, "csg", 2, 0, &dom);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_keep(s.p, g, pinn_geom_destroy), 0);
  pinn_problem_add_residual(s.p, "pde", 1, const_source, PINN_NEED_XX | PINN_NEED_YY, BALL);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(s.p, 0, 128);
  pinn_problem_set_points(s.p, 1, 64);
  size_t grid[2] = {41, 31};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 8, 20, 0);
  return s;
}

/* -u'' = 2 on the 1-D ball |x - 0.5| <= 1 (an interval), u = 0 at the ends */
static double SEG[3] = {1, 2, 1};
static int seg_exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = 1 - (x[0] - 0.5) * (x[0] - 0.5);
  return 0;
}

static solve make_seg(void)
{
  pinn_domain dom;
  pinn_domain_ball(&dom, 1, (double[1]){0.5}, 1, NULL);
  solve s = start(23, "seg", 1, 0, &dom);
  pinn_problem_add_residual(s.p, "pde", 1, const_source, PINN_NEED_XX, SEG);
  pinn_problem_add_dirichlet(s.p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(s.p, 0, 64);
  pinn_problem_set_points(s.p, 1, 2);
  pinn_problem_set_exact(s.p, seg_exact, NULL);
  size_t grid[1] = {33};
  pinn_problem_set_output_grid(s.p, grid);
  train(&s, 8, 20, 0);
  return s;
}

/* ------------------------------------------------------------ checks */

static double *read_ds(pinn_h5_reader *r, const char *name, int rank, const size_t *dims)
{
  double *v = NULL;
  int st = pinn_h5_read_dataset(r, name, rank, dims, &v, NULL, NULL);
  if (st) printf("\n  reading %s: %s\n", name, pinn_h5_reader_errmsg(r));
  CU_ASSERT_EQUAL(st, 0);
  return v;
}

static char *attr_str(pinn_h5_reader *r, const char *name)
{
  char *s = NULL;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_string(r, "/", name, &s), 0);
  return s ? s : strdup("");
}

static double attr_dbl(pinn_h5_reader *r, const char *name)
{
  double v = NAN;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/", name, &v), 0);
  return v;
}

static int64_t attr_int(pinn_h5_reader *r, const char *name)
{
  int64_t v = -1;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/", name, &v), 0);
  return v;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every HDF DataItem of the .xmf names a dataset of the .h5 next to it with
 * as many values as its Dimensions say; returns the number of references
 * checked (and counts <Time> elements and grids). */
static size_t check_xmf(const char *xmf, const char *h5, size_t *n_times, size_t *n_grids)
{
  FILE *fp = fopen(xmf, "rb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
  fseek(fp, 0, SEEK_END);
  long len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *text = malloc((size_t)len + 1);
  CU_ASSERT_EQUAL((long)fread(text, 1, (size_t)len, fp), len);
  text[len] = '\0';
  fclose(fp);
  const char *base = strrchr(h5, '/');
  base = base ? base + 1 : h5;
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(h5, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  size_t checked = 0;
  *n_times = 0;
  *n_grids = 0;
  for (const char *s = text; (s = strstr(s, "<Time Value=")); ++s) ++*n_times;
  for (const char *s = text; (s = strstr(s, "GridType=\"Uniform\"")); ++s) ++*n_grids;
  for (const char *s = text; (s = strstr(s, "<DataItem")); ++s) {
    const char *end = strchr(s, '>');
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    if (!strstr(s, "Format=\"HDF\"") || strstr(s, "Format=\"HDF\"") > end) continue;
    const char *dm = strstr(s, "Dimensions=\"");
    CU_ASSERT_FATAL(dm && dm < end);
    size_t want = 1;
    for (const char *q = dm + 12; *q != '"';) {
      char *nx;
      unsigned long v = strtoul(q, &nx, 10);
      want *= v;
      q = nx;
      while (*q == ' ') ++q;
    }
    const char *content = end + 1, *close = strstr(content, "</DataItem>");
    const char *colon = strchr(content, ':');
    CU_ASSERT_FATAL(colon && close && colon < close);
    char file[256], ds[256];
    snprintf(file, sizeof file, "%.*s", (int)(colon - content), content);
    snprintf(ds, sizeof ds, "%.*s", (int)(close - colon - 1), colon + 1);
    CU_ASSERT_STRING_EQUAL(file, base);
    int rank;
    size_t dims[PINN_H5_MAX_RANK];
    int st = pinn_h5_dataset_shape(r, ds, &rank, dims);
    CU_ASSERT_EQUAL(st, 0);
    if (st) {
      printf("\n  %s: %s\n", ds, pinn_h5_reader_errmsg(r));
      continue;
    }
    size_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    CU_ASSERT_EQUAL(n, want);
    ++checked;
  }
  pinn_h5_close(r);
  free(text);
  return checked;
}

/* The sidecar mesh of a grid with a mask (2-D/3-D, not a box), recomputed
 * from the mask read back: the cells are exactly the grid cells whose 2^d
 * corners are all inside, in VTK order and positively oriented, over exactly
 * the nodes they use; the coordinates are the grid's; every field's values
 * at the mesh points (per step when timed) are the /solution values there.
 * Returns the number of cells. */
static size_t check_mesh(pinn_h5_reader *r, const pinn_fields *f, const double *mask,
                         const char *u_name)
{
  const size_t d = f->space_dim, npc = (size_t)1 << d;
  const size_t nt = f->has_time ? f->counts[f->dim - 1] : 1, ns = f->n / nt;
  const size_t c0 = f->counts[0], c1 = f->counts[1], c2 = d == 3 ? f->counts[2] : 1;
  const size_t sy = c0, sz = c0 * c1;
  const size_t off[8] = {0, 1, 1 + sy, sy, sz, sz + 1, sz + 1 + sy, sz + sy};
  /* expected: cells by lowest corner, used nodes */
  char *used = calloc(ns, 1);
  size_t want_cells = 0;
  const size_t kz = d == 3 ? c2 - 1 : 1;
  for (size_t k = 0; k < kz; ++k)
    for (size_t j = 0; j + 1 < c1; ++j)
      for (size_t i = 0; i + 1 < c0; ++i) {
        size_t b = i + sy * j + sz * k, all = 1;
        for (size_t v = 0; v < npc; ++v)
          for (size_t t = 0; t < nt; ++t) all &= mask[t * ns + b + off[v]] == 1.0;
        if (!all) continue;
        ++want_cells;
        for (size_t v = 0; v < npc; ++v) used[b + off[v]] = 1;
      }
  size_t want_pts = 0;
  for (size_t q = 0; q < ns; ++q) want_pts += used[q];
  CU_ASSERT_FATAL(want_cells > 0);
  int64_t *node = NULL, *cells = NULL;
  size_t nd[1] = {want_pts}, cd[2] = {want_cells, npc}, xd[2] = {want_pts, d};
  CU_ASSERT_EQUAL_FATAL(pinn_h5_read_dataset_int64(r, "/xdmf/mesh/node", 1, nd, &node, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_read_dataset_int64(r, "/xdmf/mesh/cells", 2, cd, &cells, NULL, NULL), 0);
  double *xyz = read_ds(r, "/xdmf/mesh/xyz", 2, xd);
  CU_ASSERT_PTR_NOT_NULL_FATAL(xyz);
  size_t bad = 0;
  for (size_t j = 0; j < want_pts; ++j) {
    size_t q = (size_t)node[j];
    if (q >= ns || !used[q] || (j && node[j] <= node[j - 1])) ++bad;
    size_t rr = q;
    for (size_t a = 0; a < d; ++a) {
      if (!same_bits(xyz[j * d + a], f->axes[a][rr % f->counts[a]])) ++bad;
      rr /= f->counts[a];
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
  /* each cell: its lowest corner b, the others at b + off[v]; volume > 0 */
  for (size_t c = 0; c < want_cells; ++c) {
    const int64_t *cc = cells + c * npc;
    size_t b = (size_t)node[cc[0]];
    for (size_t v = 0; v < npc; ++v)
      if (cc[v] < 0 || (size_t)cc[v] >= want_pts || (size_t)node[cc[v]] != b + off[v]) ++bad;
    const double *p0 = xyz + cc[0] * d, *p1 = xyz + cc[1] * d, *p3 = xyz + cc[3] * d;
    double e1[3] = {0}, e2[3] = {0}, e3[3] = {0, 0, 1};
    for (size_t a = 0; a < d; ++a) {
      e1[a] = p1[a] - p0[a];
      e2[a] = p3[a] - p0[a];
      if (d == 3) e3[a] = xyz[cc[4] * d + a] - p0[a];
    }
    double vol = e3[0] * (e1[1] * e2[2] - e1[2] * e2[1]) - e3[1] * (e1[0] * e2[2] - e1[2] * e2[0]) +
                 e3[2] * (e1[0] * e2[1] - e1[1] * e2[0]);
    if (!(vol > 0)) ++bad;
  }
  CU_ASSERT_EQUAL(bad, 0);
  /* the values at the mesh points */
  size_t pdim[1] = {want_pts};
  char uds[120];
  snprintf(uds, sizeof uds, "/solution/%s", u_name);
  double *u = read_ds(r, uds, -1, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(u);
  for (size_t t = 0; t < nt; ++t) {
    char ds[120];
    if (f->has_time)
      snprintf(ds, sizeof ds, "/xdmf/steps/%s/%06zu", u_name, t);
    else
      snprintf(ds, sizeof ds, "/xdmf/inside/%s", u_name);
    double *v = read_ds(r, ds, 1, pdim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (size_t j = 0; j < want_pts; ++j)
      if (!same_bits(v[j], u[t * ns + (size_t)node[j]]) || isnan(v[j])) ++bad;
    free(v);
  }
  CU_ASSERT_EQUAL(bad, 0);
  free(u);
  free(used);
  free(node);
  free(cells);
  free(xyz);
  return want_cells;
}

/* The common checks of a written solve file. */
static void check_file(solve *s, const char *h5)
{
  pinn_fields *f = &s->f;
  const pinn_problem *p = s->p;
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(h5, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  /* root attributes */
  char *a = attr_str(r, "problem");
  CU_ASSERT_STRING_EQUAL(a, pinn_problem_name(p));
  free(a);
  a = attr_str(r, "libpinn_version");
  CU_ASSERT_STRING_EQUAL(a, pinn_version());
  free(a);
  a = attr_str(r, "format");
  CU_ASSERT_STRING_EQUAL(a, "libpinn-solution");
  free(a);
  a = attr_str(r, "stop_reason");
  CU_ASSERT_STRING_EQUAL(a, pinn_stop_reason_name(pinn_trainer_stop_reason(s->t)));
  free(a);
  CU_ASSERT_EQUAL(attr_int(r, "seed"), (int64_t)s->seed);
  CU_ASSERT_EQUAL(attr_int(r, "iterations"), (int64_t)pinn_trainer_iterations(s->t));
  CU_ASSERT(same_bits(attr_dbl(r, "final_loss"), pinn_trainer_loss(s->t)));
  CU_ASSERT(same_bits(attr_dbl(r, "seconds"), pinn_trainer_seconds(s->t)));
  CU_ASSERT_EQUAL(attr_int(r, "space_dim"), (int64_t)f->space_dim);
  CU_ASSERT_EQUAL(attr_int(r, "has_time"), f->has_time);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "/", "rel_l2_error"), f->has_ref);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "/", "max_abs_error"), f->has_ref);

  /* grid axes: [m] each, named x, y, z, t */
  static const char *const ax[4] = {"x", "y", "z", "t"};
  size_t dims[PINN_H5_MAX_RANK];
  int rank = 0;
  for (size_t a2 = f->dim; a2-- > 0;) dims[rank++] = f->counts[a2];
  for (size_t k = 0; k < f->dim; ++k) {
    char ds[32];
    snprintf(ds, sizeof ds, "/grid/%s", k < f->space_dim ? ax[k] : "t");
    size_t m[1] = {f->counts[k]};
    double *v = read_ds(r, ds, 1, m);
    CU_ASSERT(v && memcmp(v, f->axes[k], m[0] * sizeof *v) == 0);
    free(v);
  }
  for (size_t k = f->space_dim; k < 3; ++k) {
    char ds[32];
    snprintf(ds, sizeof ds, "/grid/%s", ax[k]);
    CU_ASSERT_FALSE(pinn_h5_has(r, ds));
  }
  if (!f->has_time) CU_ASSERT_FALSE(pinn_h5_has(r, "/grid/t"));

  /* u on the grid equals pinn_mlp_eval at the grid points, bitwise (NaN
   * outside a ball); the grid points are rebuilt from the axes read back */
  size_t n = f->n, n_out = f->n_out, dim = f->dim;
  double *x = malloc(n * dim * sizeof *x), *ev = malloc(n * n_out * sizeof *ev);
  for (size_t q = 0; q < n; ++q) {
    size_t rr = q;
    for (size_t k = 0; k < dim; ++k) {
      x[q * dim + k] = f->axes[k][rr % f->counts[k]];
      rr /= f->counts[k];
    }
  }
  CU_ASSERT_EQUAL(pinn_mlp_eval(s->net, n, x, ev), 0);
  const pinn_domain *dom = pinn_problem_domain(p);
  /* domains that are not a box: the mask read back is 1 exactly where the
   * domain contains the point or its signed distance is <= 1e-12 times the
   * largest side of the bounding box (pinn_domain_contains alone agrees away
   * from the boundary) */
  double *mask = NULL;
  const int boxed = dom->kind == PINN_DOMAIN_BOX;
  CU_ASSERT_EQUAL(pinn_h5_has(r, "/solution/mask"), !boxed);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "/", "domain"), !boxed);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "/", "inside_points"), !boxed);
  if (!boxed) {
    double blo[PINN_MAX_INPUTS], bhi[PINN_MAX_INPUTS], side = 0;
    pinn_domain_bounds(dom, blo, bhi);
    for (size_t k = 0; k < f->space_dim; ++k) side = fmax(side, bhi[k] - blo[k]);
    mask = read_ds(r, "/solution/mask", rank, dims);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mask);
    size_t in = 0;
    for (size_t q = 0; q < n; ++q) {
      double sd = pinn_domain_signed_distance(dom, x + q * dim);
      int c = pinn_domain_contains(dom, x + q * dim);
      CU_ASSERT_EQUAL(mask[q], c || sd <= 1e-12 * side ? 1.0 : 0.0);
      if (fabs(sd) > 1e-9) CU_ASSERT_EQUAL(mask[q], (double)c);
      in += mask[q] == 1.0;
    }
    CU_ASSERT_EQUAL(attr_int(r, "inside_points"), (int64_t)in);
    CU_ASSERT_EQUAL(in, f->n_inside);
    CU_ASSERT_EQUAL(attr_dbl(r, "inside_rtol"), 1e-12);
    char *kind = attr_str(r, "domain");
    CU_ASSERT_STRING_EQUAL(kind, dom->kind == PINN_DOMAIN_BALL ? "ball" : "geometry");
    free(kind);
  }
  double num = 0, den = 0, mx = 0;
  for (size_t k = 0; k < n_out; ++k) {
    char ds[120];
    const char *o = pinn_problem_output_name(p, k);
    snprintf(ds, sizeof ds, "/solution/%s", o);
    double *u = read_ds(r, ds, rank, dims);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    size_t mismatch = 0, outside = 0;
    for (size_t q = 0; q < n; ++q) {
      int in = mask ? mask[q] == 1.0 : 1;
      if (!in) {
        ++outside;
        if (!isnan(u[q])) ++mismatch;
      } else if (!same_bits(u[q], ev[q * n_out + k])) {
        ++mismatch;
      }
    }
    CU_ASSERT_EQUAL(mismatch, 0);
    if (!boxed && f->space_dim > 1) CU_ASSERT(outside > 0);
    snprintf(ds, sizeof ds, "/solution/%s_ref", o);
    CU_ASSERT_EQUAL(pinn_h5_has(r, ds), f->has_ref);
    if (f->has_ref) {
      double *ref = read_ds(r, ds, rank, dims);
      snprintf(ds, sizeof ds, "/solution/%s_error", o);
      double *err = read_ds(r, ds, rank, dims);
      CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
      CU_ASSERT_PTR_NOT_NULL_FATAL(err);
      double nk = 0, dk = 0, mk = 0;
      for (size_t q = 0; q < n; ++q) {
        if (isnan(u[q])) {
          CU_ASSERT(isnan(ref[q]) && isnan(err[q]));
          continue;
        }
        CU_ASSERT(same_bits(err[q], fabs(u[q] - ref[q])));
        nk += err[q] * err[q];
        dk += ref[q] * ref[q];
        if (err[q] > mk) mk = err[q];
      }
      double v = NAN;
      CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, ds, "rel_l2_error", &v), 0);
      CU_ASSERT(pinn_test_reldiff(v, sqrt(nk / dk), 1e-300) < 1e-12);
      CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, ds, "max_abs_error", &v), 0);
      CU_ASSERT_EQUAL(v, mk);
      num += nk;
      den += dk;
      if (mk > mx) mx = mk;
      free(ref);
      free(err);
    }
    free(u);
  }
  if (f->has_ref) {
    double rel = attr_dbl(r, "rel_l2_error");
    CU_ASSERT(pinn_test_reldiff(rel, sqrt(num / den), 1e-300) < 1e-12);
    CU_ASSERT(rel > 0 && rel < 10);
    CU_ASSERT_EQUAL(attr_dbl(r, "max_abs_error"), mx);
  }
  /* residual: sqrt(|r|^2) of the first residual term, bitwise */
  CU_ASSERT_EQUAL(pinn_h5_has(r, "/solution/residual"), f->has_residual);
  if (f->has_residual) {
    double *res = read_ds(r, "/solution/residual", rank, dims);
    double *r2 = malloc(n * sizeof *r2);
    CU_ASSERT_EQUAL(pinn_loss_residual_at(s->l, f->residual_term, n, x, r2), 0);
    size_t bad = 0, pos = 0;
    for (size_t q = 0; q < n; ++q) {
      if (f->mask && !f->mask[q]) {
        if (!isnan(res[q])) ++bad;
        continue;
      }
      if (!same_bits(res[q], sqrt(r2[q]))) ++bad;
      if (res[q] > 0) ++pos;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(pos > (mask ? f->n_inside : n) / 2);
    free(res);
    free(r2);
  }
  /* training points: bitwise the loss's, [N][dim] */
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
    size_t np, pd;
    const double *px;
    CU_ASSERT_EQUAL(pinn_loss_term_points(s->l, i, &np, &pd, &px), 0);
    char ds[120];
    snprintf(ds, sizeof ds, "/points/%s", pinn_problem_term_name(p, i));
    size_t want[2] = {np, pd};
    double *v = read_ds(r, ds, 2, want);
    CU_ASSERT(v && np > 0 && memcmp(v, px, np * pd * sizeof *v) == 0);
    free(v);
  }
  /* history: per iteration, bitwise the trainer's */
  size_t hl = pinn_trainer_history_length(s->t), nt = pinn_problem_n_terms(p);
  CU_ASSERT(hl > 0);
  size_t hd[1] = {hl};
  double *h = read_ds(r, "/history/loss", 1, hd);
  CU_ASSERT(h && memcmp(h, pinn_trainer_history_loss(s->t), hl * sizeof *h) == 0);
  free(h);
  h = read_ds(r, "/history/grad_norm", 1, hd);
  CU_ASSERT(h && memcmp(h, pinn_trainer_history_grad_norm(s->t), hl * sizeof *h) == 0);
  free(h);
  for (size_t j = 0; j < nt; ++j) {
    char ds[120];
    snprintf(ds, sizeof ds, "/history/%s", pinn_problem_term_name(p, j));
    h = read_ds(r, ds, 1, hd);
    for (size_t i = 0; h && i < hl; ++i)
      CU_ASSERT(same_bits(h[i], pinn_trainer_history_terms(s->t)[i * nt + j]));
    free(h);
  }
  if (mask && f->space_dim >= 2) check_mesh(r, f, mask, pinn_problem_output_name(p, 0));
  free(mask);
  pinn_h5_close(r);
  /* the model reloads bitwise */
  pinn_model_meta m;
  pinn_mlp *back = pinn_model_load_meta(h5, &m, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  CU_ASSERT_EQUAL(pinn_mlp_n_params(back), pinn_mlp_n_params(s->net));
  CU_ASSERT(memcmp(pinn_mlp_params_const(back), pinn_mlp_params_const(s->net),
                   pinn_mlp_n_params(back) * sizeof(double)) == 0);
  CU_ASSERT_STRING_EQUAL(m.problem, pinn_problem_name(p));
  CU_ASSERT_STRING_EQUAL(m.outputs[0], pinn_problem_output_name(p, 0));
  pinn_mlp_free(back);
  free(x);
  free(ev);
  /* the sidecar: same basename, every reference resolves with the right size */
  char xmf[512];
  CU_ASSERT_EQUAL(pinn_output_xmf_path(h5, xmf, sizeof xmf), 0);
  size_t n_times, n_grids;
  size_t refs = check_xmf(xmf, h5, &n_times, &n_grids);
  size_t fields = n_out * (f->has_ref ? 3 : 1) + (f->residual != NULL) + (f->psi != NULL) +
                  (f->contact != NULL) + (f->mask != NULL);
  size_t steps = f->has_time ? f->counts[f->dim - 1] : 1;
  size_t n_points_grids = 0;
  for (size_t i = 0; i < nt; ++i) {
    size_t np;
    pinn_loss_term_points(s->l, i, &np, NULL, NULL);
    n_points_grids += np > 0;
  }
  n_points_grids += f->n_ref_points > 0; /* the reference points' set */
  CU_ASSERT_EQUAL(n_times, f->has_time ? steps * (1 + n_points_grids) : 0);
  CU_ASSERT_EQUAL(n_grids, steps * (1 + n_points_grids));
  CU_ASSERT(refs >= fields * steps + 2 * n_points_grids);
  /* the space-time sidecar: time-dependent problems with d <= 2 only */
  char xst[512];
  CU_ASSERT_EQUAL(pinn_output_spacetime_path(h5, xst, sizeof xst), 0);
  int want_st = f->has_time && f->dim <= 3 && !(f->mask && f->space_dim >= 2);
  CU_ASSERT_EQUAL(access(xst, F_OK) == 0, want_st);
  if (want_st) {
    refs = check_xmf(xst, h5, &n_times, &n_grids);
    CU_ASSERT_EQUAL(n_times, 0);
    CU_ASSERT_EQUAL(n_grids, 1 + n_points_grids);
    CU_ASSERT(refs >= fields + 2 * n_points_grids);
  }
}

static void write_and_check(solve *s, const char *name)
{
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(s->l, NULL, &s->f, &e), 0);
  char *h5 = pinn_test_join(g_dir, name);
  pinn_run_info info = pinn_output_run_info(s->l, s->t, s->seed);
  int st = pinn_output_write(h5, s->l, s->t, &s->f, &info, &e);
  if (st) printf("\n  write: %s\n", e.msg);
  CU_ASSERT_EQUAL_FATAL(st, 0);
  check_file(s, h5);
  free(h5);
}

/* write_and_check s as <g_dir>/<name>, then open it: the reader, its path in
 * *h5 (the caller frees). */
static pinn_h5_reader *write_and_open(solve *s, const char *name, char **h5)
{
  write_and_check(s, name);
  *h5 = pinn_test_join(g_dir, name);
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(*h5, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  return r;
}

/* ------------------------------------------------------------ tests */

static void poisson_1d_file_holds_every_dataset_with_the_right_values(void)
{
  solve s = make_1d();
  write_and_check(&s, "line.h5");
  pinn_fields *f = &s.f;
  CU_ASSERT_EQUAL(f->n, 201);
  CU_ASSERT_STRING_EQUAL(f->ref_source, "exact");
  CU_ASSERT_EQUAL(f->axes[0][0], -1);
  CU_ASSERT_EQUAL(f->axes[0][200], 1);
  printf("\n  poisson1d: %zu iterations, rel. L2 error %.3g, max abs %.3g\n",
         pinn_trainer_iterations(s.t), f->rel_l2, f->max_abs);
  /* a coarser grid on request */
  pinn_fields g;
  size_t c[1] = {11};
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_fields_compute(s.l, c, &g, &e), 0);
  CU_ASSERT_EQUAL(g.n, 11);
  CU_ASSERT_DOUBLE_EQUAL(g.axes[0][5], 0, 1e-15);
  pinn_fields_free(&g);
  c[0] = 0;
  CU_ASSERT_EQUAL(pinn_fields_compute(s.l, c, &g, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "axis x"));
  pinn_fields_free(&g);
  pinn_fields_free(NULL);
  /* pinn_output_describe tells what the file holds */
  char *h5 = pinn_test_join(g_dir, "line.h5");
  char text[8192];
  CU_ASSERT_EQUAL(pinn_output_describe(h5, text, sizeof text, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "problem: poisson1d"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "network: 1 -> 10 tanh -> 10 tanh -> 1"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "relative L2"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "/solution/u_error"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "/points/pde"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "[201]"));
  /* truncation keeps a terminated string */
  char small[40];
  CU_ASSERT_EQUAL(pinn_output_describe(h5, small, sizeof small, &e), 0);
  CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
  free(h5);
  release(&s);
}

static void poisson_2d_file_has_coefficients_metrics_and_yx_order(void)
{
  solve s = make_2d();
  char *h5;
  pinn_h5_reader *r = write_and_open(&s, "plane.h5", &h5);
  /* [ny][nx]: element (j, i) is at x_i, y_j */
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "/solution/phi_ref", &rank, dims), 0);
  CU_ASSERT(rank == 2 && dims[0] == 41 && dims[1] == 31);
  double *ref = read_ds(r, "/solution/phi_ref", 2, dims);
  double xy[2] = {s.f.axes[0][7], s.f.axes[1][29]}, want;
  exact2(xy, &want, NULL);
  CU_ASSERT(ref && same_bits(ref[29 * 31 + 7], want));
  free(ref);
  double k = attr_dbl(r, "coef_k");
  CU_ASSERT(same_bits(k, pinn_loss_coef(s.l, 0)));
  CU_ASSERT(k != 0.8); /* it was trained */
  CU_ASSERT(same_bits(attr_dbl(r, "metric_k_error"), fabs(k - 1)));
  CU_ASSERT_EQUAL(attr_dbl(r, "metric_answer"), 42);
  char *a = attr_str(r, "metrics");
  CU_ASSERT_STRING_EQUAL(a, "k_error,answer");
  free(a);
  a = attr_str(r, "outputs");
  CU_ASSERT_STRING_EQUAL(a, "phi");
  free(a);
  pinn_h5_close(r);
  char text[8192];
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_output_describe(h5, text, sizeof text, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "coefficients: k = "));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "answer = 42"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "/solution/phi"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "[41 x 31]"));
  free(h5);
  release(&s);
}

static void heat_xt_file_has_nt_by_nx_fields_and_per_step_slices(void)
{
  solve s = make_heat();
  char *h5;
  pinn_h5_reader *r = write_and_open(&s, "heat.h5", &h5);
  size_t d2[2] = {6, 41}, d1[1] = {41};
  double *u = read_ds(r, "/solution/u", 2, d2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(u);
  /* each step slice is row k of [nt][nx] */
  for (size_t k = 0; k < 6; ++k) {
    char ds[64];
    CU_ASSERT_EQUAL(pinn_xdmf_step_dataset(ds, sizeof ds, "/xdmf/steps/u", k), 0);
    double *v = read_ds(r, ds, 1, d1);
    CU_ASSERT(v && memcmp(v, u + k * 41, 41 * sizeof *v) == 0);
    free(v);
  }
  /* u_ref at (x_i, t_k) is the exact solution there */
  double *ref = read_ds(r, "/solution/u_ref", 2, d2);
  double xt[2] = {s.f.axes[0][30], s.f.axes[1][4]}, want;
  exact_heat(xt, &want, NULL);
  CU_ASSERT(ref && same_bits(ref[4 * 41 + 30], want));
  CU_ASSERT_EQUAL(s.f.axes[1][5], 1);
  free(ref);
  free(u);
  pinn_h5_close(r);
  free(h5);
  release(&s);
}

static void a_reference_grid_becomes_the_output_grid_with_a_rectilinear_sidecar(void)
{
  solve s = make_heat_ref();
  write_and_check(&s, "heatref.h5");
  CU_ASSERT_STRING_EQUAL(s.f.ref_source, "reference grid");
  CU_ASSERT_EQUAL(s.f.counts[0], 17);
  CU_ASSERT(memcmp(s.f.ref, g_ref_u, sizeof g_ref_u) == 0);
  char *h5 = pinn_test_join(g_dir, "heatref.h5"), xmf[512];
  pinn_output_xmf_path(h5, xmf, sizeof xmf);
  FILE *fp = fopen(xmf, "r");
  char text[65536];
  size_t len = fp ? fread(text, 1, sizeof text - 1, fp) : 0;
  text[len] = '\0';
  if (fp) fclose(fp);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "3DRectMesh"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "heatref.h5:/grid/x"));
  /* another grid: no reference grid there and no exact solution -> none */
  size_t c[2] = {9, 3};
  pinn_fields g;
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_fields_compute(s.l, c, &g, &e), 0);
  CU_ASSERT_EQUAL(g.has_ref, 0);
  CU_ASSERT_PTR_NULL(g.ref);
  CU_ASSERT(isnan(g.rel_l2));
  pinn_fields_free(&g);
  free(h5);
  release(&s);
}

/* The test: a scattered reference gives the same error as a tensor
 * grid holding the same points.  Bitwise when the points come in the grid's
 * order: pinn_loss_predict sees the same points in the same blocks, and
 * both errors are pinn_reference_error_compute summing the same terms in
 * the same order.  In another order only to round-off (the sums run in
 * another order).  The file holds the points, the solution and the
 * reference there, and the errors. */
static void scattered_reference_points_give_the_error_of_a_grid_of_the_same_points(void)
{
  solve s = make_heat_ref(); /* a 17 x 5 reference grid */
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(s.l, NULL, &s.f, &e), 0);
  const size_t n = s.f.n;
  CU_ASSERT_EQUAL_FATAL(n, 85);
  CU_ASSERT(s.f.has_ref && s.f.rel_l2 > 0 && s.f.n_ref_points == 0);
  /* the grid's points, in its order (axis 0 fastest), with its values */
  CU_ASSERT_EQUAL_FATAL(pinn_problem_set_reference_points(s.p, n, s.f.x, g_ref_u), 0);
  pinn_fields g;
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(s.l, NULL, &g, &e), 0);
  const pinn_reference_error *re = &g.ref_points_error;
  CU_ASSERT_EQUAL(g.n_ref_points, n);
  CU_ASSERT(memcmp(g.ref_points_u, s.f.u, n * sizeof *g.u) == 0);
  CU_ASSERT(same_bits(re->rel_l2, s.f.rel_l2) && same_bits(re->max_abs, s.f.max_abs));
  CU_ASSERT(same_bits(re->rel_l2_out[0], s.f.rel_l2_out[0]) &&
            same_bits(re->max_abs_out[0], s.f.max_abs_out[0]));
  CU_ASSERT(same_bits(g.rel_l2, s.f.rel_l2)); /* the grid's own error is unchanged */
  printf("\n  grid error %.17g, points error %.17g\n", s.f.rel_l2, re->rel_l2);
  /* the same points reversed: the same error to round-off */
  double *xr = malloc(n * 2 * sizeof *xr), *ur = malloc(n * sizeof *ur);
  for (size_t q = 0; q < n; ++q) {
    memcpy(xr + 2 * q, s.f.x + 2 * (n - 1 - q), 2 * sizeof *xr);
    ur[q] = g_ref_u[n - 1 - q];
  }
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(s.p, n, xr, ur), 0);
  pinn_reference_error rr;
  CU_ASSERT_EQUAL(pinn_loss_reference_error(s.l, NULL, &rr, &e), 0);
  CU_ASSERT(pinn_test_reldiff(rr.rel_l2, s.f.rel_l2, 0) < 1e-13);
  CU_ASSERT(pinn_test_reldiff(rr.max_abs, s.f.max_abs, 0) < 1e-13);
  free(xr);
  free(ur);
  /* the file: scattered points of another set (every other grid point) */
  const size_t m = (n + 1) / 2;
  double *xs = malloc(m * 2 * sizeof *xs), *us = malloc(m * sizeof *us);
  for (size_t j = 0; j < m; ++j) {
    memcpy(xs + 2 * j, s.f.x + 2 * (2 * j), 2 * sizeof *xs);
    us[j] = g_ref_u[2 * j] + 0.01 * (double)j; /* not the exact values */
  }
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(s.p, m, xs, us), 0);
  char *h5 = NULL;
  pinn_fields_free(&s.f);
  pinn_h5_reader *r = write_and_open(&s, "heatrefpts.h5", &h5);
  CU_ASSERT_EQUAL(s.f.n_ref_points, m);
  CU_ASSERT_EQUAL(attr_int(r, "reference_points"), (int64_t)m);
  CU_ASSERT(same_bits(attr_dbl(r, "reference_points_rel_l2_error"), s.f.ref_points_error.rel_l2));
  CU_ASSERT(same_bits(attr_dbl(r, "reference_points_max_abs_error"), s.f.ref_points_error.max_abs));
  CU_ASSERT(same_bits(attr_dbl(r, "rel_l2_error"), g.rel_l2)); /* the grid's, as before */
  size_t d2[2] = {m, 2}, d1[1] = {m};
  double *px = read_ds(r, "/reference_points/points", 2, d2);
  double *pu = read_ds(r, "/reference_points/u", 1, d1);
  double *pr = read_ds(r, "/reference_points/u_ref", 1, d1);
  double *pe = read_ds(r, "/reference_points/u_error", 1, d1);
  CU_ASSERT_FATAL(px && pu && pr && pe);
  CU_ASSERT(memcmp(px, xs, m * 2 * sizeof *xs) == 0 && memcmp(pr, us, m * sizeof *us) == 0);
  double num = 0, den = 0, mx = 0;
  int ok = 1;
  for (size_t j = 0; j < m; ++j) {
    ok &= same_bits(pu[j], g.u[2 * j]); /* the solution at the grid point it is */
    ok &= pe[j] == fabs(pu[j] - pr[j]);
    num += pe[j] * pe[j];
    den += pr[j] * pr[j];
    mx = fmax(mx, pe[j]);
  }
  CU_ASSERT(ok);
  CU_ASSERT(same_bits(sqrt(num / den), s.f.ref_points_error.rel_l2)); /* recomputed */
  CU_ASSERT(same_bits(mx, s.f.ref_points_error.max_abs));
  double a = NAN;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/reference_points/u_error", "rel_l2_error", &a), 0);
  CU_ASSERT(same_bits(a, s.f.ref_points_error.rel_l2_out[0]));
  pinn_h5_close(r);
  /* the sidecar has the point set with the three values */
  char xmf[512];
  pinn_output_xmf_path(h5, xmf, sizeof xmf);
  unsigned char *text = pinn_test_read_file(xmf, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  CU_ASSERT_PTR_NOT_NULL(strstr((char *)text, "Name=\"reference_points\""));
  CU_ASSERT_PTR_NOT_NULL(strstr((char *)text, "Name=\"u_error\""));
  /* pinn info says it */
  char desc[16384];
  CU_ASSERT_EQUAL(pinn_output_describe(h5, desc, sizeof desc, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(desc, "error vs 43 reference points: relative L2"));
  free(text);
  free(px);
  free(pu);
  free(pr);
  free(pe);
  free(xs);
  free(us);
  free(h5);
  pinn_fields_free(&g);
  release(&s);
}

static void obstacle_file_has_psi_and_the_contact_set(void)
{
  solve s = make_obstacle();
  char *h5;
  pinn_h5_reader *r = write_and_open(&s, "obstacle.h5", &h5);
  size_t d[1] = {201};
  double *u = read_ds(r, "/solution/u", 1, d), *psi = read_ds(r, "/solution/psi", 1, d),
         *c = read_ds(r, "/solution/contact", 1, d), *x = read_ds(r, "/grid/x", 1, d);
  CU_ASSERT_FATAL(u && psi && c && x);
  double tol = attr_dbl(r, "contact_tolerance"), mx = 0;
  for (int i = 0; i < 201; ++i) {
    double v;
    obst_psi(&x[i], &v, OBSTACLE);
    CU_ASSERT(same_bits(psi[i], v));
    if (fabs(v) > mx) mx = fabs(v);
  }
  CU_ASSERT_EQUAL(tol, 1e-3 * fmax(1, mx));
  size_t contact = 0;
  for (int i = 0; i < 201; ++i) {
    CU_ASSERT_EQUAL(c[i], u[i] - psi[i] <= tol ? 1.0 : 0.0);
    contact += c[i] == 1.0;
  }
  printf("\n  obstacle1d: %zu of 201 grid points in contact\n", contact);
  CU_ASSERT(contact > 0 && contact < 201);
  CU_ASSERT_FALSE(pinn_h5_has(r, "/solution/u_ref"));
  CU_ASSERT_FALSE(pinn_h5_has_attr(r, "/", "rel_l2_error"));
  free(u);
  free(psi);
  free(c);
  free(x);
  pinn_h5_close(r);
  free(h5);
  release(&s);
}

static void ball_file_masks_the_outside_with_nan(void)
{
  solve s = make_ball();
  write_and_check(&s, "disc.h5");
  pinn_fields *f = &s.f;
  CU_ASSERT_PTR_NOT_NULL_FATAL(f->mask);
  size_t inside = 0;
  for (size_t q = 0; q < f->n; ++q) inside += f->mask[q] == 1.0;
  CU_ASSERT_EQUAL(inside, f->n_inside);
  CU_ASSERT(inside > 300 && inside < 441); /* ~ pi/4 of 441 */
  CU_ASSERT(f->mask[0] == 0.0 && f->mask[10 * 21 + 10] == 1.0);
  CU_ASSERT(isnan(f->u[0]) && isnan(f->ref[0]) && isnan(f->residual[0]));
  CU_ASSERT(isfinite(f->rel_l2));
  release(&s);
}

/* The sidecar's solution grid of a masked file: the Topology line. */
static char *xmf_text(const char *h5)
{
  char xmf[512];
  CU_ASSERT_EQUAL(pinn_output_xmf_path(h5, xmf, sizeof xmf), 0);
  return (char *)pinn_test_read_file(xmf, NULL);
}

static void ball_file_sidecar_is_the_mesh_of_the_inside_cells(void)
{
  solve s = make_ball();
  char *h5 = NULL;
  pinn_h5_reader *r = write_and_open(&s, "disc.h5", &h5);
  /* 21 x 21 nodes on [-1, 1]^2, h = 0.1: the cells inside the unit circle */
  size_t cells = 0, used = 0;
  char node_used[441] = {0};
  for (int j = 0; j < 20; ++j)
    for (int i = 0; i < 20; ++i) {
      int all = 1;
      for (int v = 0; v < 4; ++v) {
        double x = -1 + 0.1 * (i + (v == 1 || v == 2)), y = -1 + 0.1 * (j + (v >= 2));
        all &= x * x + y * y <= 1 + 1e-9;
      }
      if (!all) continue;
      ++cells;
      for (int v = 0; v < 4; ++v) node_used[(j + (v >= 2)) * 21 + i + (v == 1 || v == 2)] = 1;
    }
  for (int q = 0; q < 441; ++q) used += node_used[q];
  CU_ASSERT(cells > 200 && cells < 400);
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "/xdmf/mesh/cells", &rank, dims), 0);
  CU_ASSERT(rank == 2 && dims[0] == cells && dims[1] == 4);
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "/xdmf/mesh/xyz", &rank, dims), 0);
  CU_ASSERT(rank == 2 && dims[0] == used && dims[1] == 2);
  pinn_h5_close(r);
  char *doc = xmf_text(h5);
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  char want[160];
  snprintf(want, sizeof want,
           "<Topology TopologyType=\"Quadrilateral\" NumberOfElements=\"%zu\" "
           "NodesPerElement=\"4\">",
           cells);
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, want));
  CU_ASSERT_PTR_NULL(strstr(doc, "3DCoRectMesh"));
  snprintf(want, sizeof want, "<DataItem Dimensions=\"%zu\" NumberType=\"Float\" Precision=\"8\" "
                              "Format=\"HDF\">disc.h5:/xdmf/inside/u</DataItem>", used);
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, want));
  free(doc);
  /* pinn info says what the file holds */
  char *text = malloc(1 << 16);
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_output_describe(h5, text, 1 << 16, &e), 0);
  snprintf(want, sizeof want, "domain: ball (not a box): %zu of the 441 grid points inside",
           s.f.n_inside);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
  snprintf(want, sizeof want, "ParaView mesh: %zu quadrilaterals over %zu points", cells, used);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
  free(text);
  free(h5);
  release(&s);
}

static void timed_disc_file_is_a_series_of_the_inside_mesh_without_spacetime(void)
{
  solve s = make_disc_heat();
  char *h5 = NULL;
  pinn_h5_reader *r = write_and_open(&s, "discheat.h5", &h5);
  CU_ASSERT_EQUAL(s.f.n, 15u * 15u * 4u);
  CU_ASSERT_FALSE(pinn_h5_has(r, "/xdmf/inside"));
  CU_ASSERT(pinn_h5_has(r, "/xdmf/steps/u/000003"));
  pinn_h5_close(r);
  char *doc = xmf_text(h5);
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  int quads = 0;
  for (const char *q = doc; (q = strstr(q, "TopologyType=\"Quadrilateral\"")); ++q) ++quads;
  CU_ASSERT_EQUAL(quads, 4); /* one mesh per time step */
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<Time Value=\"0.5\"/>"));
  free(doc);
  free(h5);
  release(&s);
}

static void ball_3d_file_sidecar_is_hexahedra(void)
{
  solve s = make_ball3();
  char *h5 = NULL;
  pinn_h5_reader *r = write_and_open(&s, "ball3.h5", &h5);
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "/xdmf/mesh/cells", &rank, dims), 0);
  CU_ASSERT(rank == 2 && dims[1] == 8 && dims[0] > 100 && dims[0] < 512);
  pinn_h5_close(r);
  char *doc = xmf_text(h5);
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "TopologyType=\"Hexahedron\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<Geometry GeometryType=\"XYZ\">"));
  free(doc);
  CU_ASSERT(isfinite(s.f.rel_l2) && s.f.rel_l2 > 0);
  free(h5);
  release(&s);
}

static void csg_file_sidecar_shows_the_square_minus_the_disk_only(void)
{
  solve s = make_csg();
  char *h5 = NULL;
  pinn_h5_reader *r = write_and_open(&s, "csg.h5", &h5);
  char *kind = attr_str(r, "domain");
  CU_ASSERT_STRING_EQUAL(kind, "geometry");
  free(kind);
  /* inside: 41 x 31 nodes minus those in the hole (0.2 > the grid steps) */
  CU_ASSERT(s.f.n_inside > 1000 && s.f.n_inside < 41 * 31);
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  CU_ASSERT_EQUAL_FATAL(pinn_h5_dataset_shape(r, "/xdmf/mesh/xyz", &rank, dims), 0);
  double *xyz = read_ds(r, "/xdmf/mesh/xyz", 2, dims);
  CU_ASSERT_PTR_NOT_NULL_FATAL(xyz);
  size_t in_hole = 0, off_square = 0, near_hole = 0;
  for (size_t j = 0; j < dims[0]; ++j) {
    double x = xyz[2 * j], y = xyz[2 * j + 1], rr = hypot(x - 0.3, y - 0.2);
    in_hole += rr < 0.4 - 1e-12;
    near_hole += rr < 0.5;
    off_square += fabs(x) > 1 || fabs(y) > 1;
  }
  CU_ASSERT_EQUAL(in_hole, 0);
  CU_ASSERT_EQUAL(off_square, 0);
  CU_ASSERT(near_hole > 0); /* the mesh reaches the hole */
  free(xyz);
  pinn_h5_close(r);
  char *doc = xmf_text(h5);
  CU_ASSERT(doc && strstr(doc, "TopologyType=\"Quadrilateral\""));
  free(doc);
  free(h5);
  release(&s);
}

/* A 1-D ball is an interval: every grid point (the ends too, despite
 * rounding) is inside, and the sidecar keeps the structured grid. */
static void one_d_ball_file_keeps_the_structured_grid(void)
{
  solve s = make_seg();
  char *h5 = NULL;
  pinn_h5_reader *r = write_and_open(&s, "seg.h5", &h5);
  CU_ASSERT_EQUAL(s.f.n_inside, 33);
  CU_ASSERT_EQUAL(attr_int(r, "inside_points"), 33);
  CU_ASSERT_FALSE(pinn_h5_has(r, "/xdmf/mesh"));
  pinn_h5_close(r);
  char *doc = xmf_text(h5);
  CU_ASSERT(doc && strstr(doc, "3DCoRectMesh") && !strstr(doc, "Quadrilateral"));
  free(doc);
  free(h5);
  release(&s);
}

/* The mesh of a hand-made mask, cell by cell. */
static void mesh_keeps_the_cells_with_every_corner_inside(void)
{
  /* 4 x 3 nodes, node (i, j) = i + 4 j; outside: (3, 2) and (0, 0)
   *   j=2:  1 1 1 0
   *   j=1:  1 1 1 1
   *   j=0:  0 1 1 1
   * kept cells (lowest corner): (1,0) (2,0) (0,1) (1,1); not (0,0), (2,1) */
  double mask[12] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  pinn_output_mesh m;
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_output_mesh_build(2, (size_t[2]){4, 3}, mask, &m, &e), 0);
  CU_ASSERT_EQUAL(m.dim, 2);
  CU_ASSERT_EQUAL(m.n_cells, 4);
  const int64_t nodes[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CU_ASSERT_EQUAL_FATAL(m.n_points, 10);
  CU_ASSERT(memcmp(m.node, nodes, sizeof nodes) == 0);
  /* cells in mesh-point indices (node q is point q - 1) */
  const int64_t cells[16] = {0, 1, 5, 4, 1, 2, 6, 5, 3, 4, 8, 7, 4, 5, 9, 8};
  CU_ASSERT(memcmp(m.cells, cells, sizeof cells) == 0);
  pinn_output_mesh_free(&m);
  CU_ASSERT_PTR_NULL(m.node);
  pinn_output_mesh_free(NULL);

  /* 3 x 2 x 2 nodes, all inside but node (2, 1, 1): only the hexahedron at
   * (0, 0, 0) is kept */
  double m3[12];
  for (int q = 0; q < 12; ++q) m3[q] = q == 11 ? 0 : 1;
  CU_ASSERT_EQUAL_FATAL(pinn_output_mesh_build(3, (size_t[3]){3, 2, 2}, m3, &m, &e), 0);
  CU_ASSERT_EQUAL(m.n_cells, 1);
  CU_ASSERT_EQUAL_FATAL(m.n_points, 8);
  const int64_t n3[8] = {0, 1, 3, 4, 6, 7, 9, 10}, h3[8] = {0, 1, 3, 2, 4, 5, 7, 6};
  CU_ASSERT(memcmp(m.node, n3, sizeof n3) == 0);
  CU_ASSERT(memcmp(m.cells, h3, sizeof h3) == 0);
  pinn_output_mesh_free(&m);

  /* no cell: a single line of nodes, or a checkerboard */
  CU_ASSERT_EQUAL(pinn_output_mesh_build(3, (size_t[3]){3, 4, 1}, mask, &m, &e), 0);
  CU_ASSERT(m.n_cells == 0 && m.n_points == 0);
  pinn_output_mesh_free(&m);
  double board[9] = {1, 0, 1, 0, 1, 0, 1, 0, 1};
  CU_ASSERT_EQUAL(pinn_output_mesh_build(2, (size_t[2]){3, 3}, board, &m, &e), 0);
  CU_ASSERT(m.n_cells == 0 && m.n_points == 0);
  pinn_output_mesh_free(&m);
  /* refused */
  CU_ASSERT_EQUAL(pinn_output_mesh_build(1, (size_t[1]){3}, mask, &m, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_output_mesh_build(2, (size_t[2]){0, 3}, mask, &m, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_output_mesh_build(2, (size_t[2]){100000, 100000}, mask, &m, &e),
                  PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_output_mesh_build(2, (size_t[2]){4, 3}, NULL, &m, &e), PINN_EINVAL);

  /* the mask of a disc of radius 1 centred at (1, 0): boundary nodes are in */
  pinn_domain dom;
  CU_ASSERT_EQUAL(pinn_domain_ball(&dom, 2, (double[2]){1, 0}, 1, &e), 0);
  const double pts[10] = {0, 0, 2, 0, 1, 1, 1, -1, 0.2929, 0.7072};
  double out[5];
  size_t in = 99;
  CU_ASSERT_EQUAL(pinn_output_mask(&dom, 5, pts, out, &in, &e), 0);
  CU_ASSERT_EQUAL(in, 4);
  CU_ASSERT(out[0] == 1 && out[1] == 1 && out[2] == 1 && out[3] == 1 && out[4] == 0);
  /* a box: its own grid (the far end rounded) is inside, a point past it not */
  CU_ASSERT_EQUAL(pinn_domain_box(&dom, 2, (double[2]){0.1, 0.2}, (double[2]){0.7, 0.9}, &e), 0);
  double gx[3 * 3 * 2], gm[9];
  CU_ASSERT_EQUAL(pinn_domain_grid(&dom, (size_t[2]){3, 3}, gx, &e), 0);
  gx[16] = 0.9 + 1e-9; /* the last node moved out */
  CU_ASSERT_EQUAL(pinn_output_mask(&dom, 9, gx, gm, &in, &e), 0);
  CU_ASSERT_EQUAL(in, 8);
  CU_ASSERT(gm[7] == 1 && gm[8] == 0);
  CU_ASSERT_EQUAL(pinn_output_mask(NULL, 5, pts, out, &in, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_output_mask(&dom, 5, NULL, out, &in, &e), PINN_EINVAL);
}

/* pinn_output_write_grid: a box (structured sidecar) and a disc (the mesh of
 * the inside), read back. */
static void grid_files_have_the_solve_files_sidecar(void)
{
  pinn_error e;
  double ax[5] = {-1, -0.5, 0, 0.5, 1}, ay[3] = {-1, 0, 1}, at[2] = {0, 1};
  double x[30 * 3], v[30], m[30];
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 5; ++i) {
        int q = i + 5 * j + 15 * k;
        x[3 * q] = ax[i];
        x[3 * q + 1] = ay[j];
        x[3 * q + 2] = at[k];
        v[q] = ax[i] + 10 * ay[j] + 100 * at[k];
      }
  const char *names[1] = {"w"};
  const double *vals[1] = {v};
  pinn_output_grid g = {0};
  g.space_dim = 2;
  g.has_time = 1;
  g.counts[0] = 5;
  g.counts[1] = 3;
  g.counts[2] = 2;
  g.axes[0] = ax;
  g.axes[1] = ay;
  g.axes[2] = at;
  g.axis_names[0] = "x";
  g.axis_names[1] = "y";
  g.axis_names[2] = "t";
  g.n_fields = 1;
  g.names = names;
  g.values = vals;
  g.problem = "demo";
  char *h5 = pinn_test_join(g_dir, "grid_box.h5");
  CU_ASSERT_EQUAL_FATAL(pinn_output_write_grid(h5, &g, &e), 0);
  CU_ASSERT_EQUAL(pinn_output_check_sidecar(h5, &e), 0);
  pinn_h5_reader *r = pinn_h5_open(h5, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  char *a = attr_str(r, "format");
  CU_ASSERT_STRING_EQUAL(a, "libpinn-grid");
  free(a);
  a = attr_str(r, "fields");
  CU_ASSERT_STRING_EQUAL(a, "w");
  free(a);
  CU_ASSERT_FALSE(pinn_h5_has(r, "/solution/mask"));
  double *back = read_ds(r, "/solution/w", 3, (size_t[3]){2, 3, 5});
  CU_ASSERT(back && memcmp(back, v, sizeof v) == 0);
  free(back);
  back = read_ds(r, "/xdmf/steps/w/000001", 2, (size_t[2]){3, 5});
  CU_ASSERT(back && memcmp(back, v + 15, 15 * sizeof *v) == 0);
  free(back);
  pinn_h5_close(r);
  char *doc = xmf_text(h5);
  CU_ASSERT(doc && strstr(doc, "3DCoRectMesh") && !strstr(doc, "Quadrilateral"));
  free(doc);
  free(h5);

  /* the unit disc: per step 7 nodes inside (the row y = 0 and x = 0), no
   * cell: the sidecar shows the inside nodes as points */
  pinn_domain dom;
  CU_ASSERT_EQUAL(pinn_domain_ball(&dom, 2, (double[2]){0, 0}, 1, &e), 0);
  CU_ASSERT_EQUAL(pinn_domain_with_time(&dom, 0, 1, &e), 0);
  size_t in = 0;
  CU_ASSERT_EQUAL(pinn_output_mask(&dom, 30, x, m, &in, &e), 0);
  CU_ASSERT_EQUAL(in, 14);
  g.domain = &dom;
  h5 = pinn_test_join(g_dir, "grid_disc.h5");
  CU_ASSERT_EQUAL(pinn_output_write_grid(h5, &g, &e), PINN_EINVAL); /* no mask */
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mask"));
  CU_ASSERT_EQUAL(access(h5, F_OK), -1);
  g.mask = m;
  CU_ASSERT_EQUAL_FATAL(pinn_output_write_grid(h5, &g, &e), 0);
  doc = xmf_text(h5);
  CU_ASSERT(doc && strstr(doc, "TopologyType=\"Polyvertex\" NumberOfElements=\"7\""));
  CU_ASSERT(doc && strstr(doc, "grid_disc.h5:/xdmf/mesh/conn"));
  free(doc);
  char *text = malloc(1 << 16);
  CU_ASSERT_EQUAL(pinn_output_describe(h5, text, 1 << 16, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "pinn eval"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "domain: ball (not a box): 14 of the 30 grid points"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "ParaView mesh: the 7 inside points"));
  free(text);

  /* radius 1.2: 11 nodes inside per step, the 4 cells around the origin
   * over 9 nodes */
  CU_ASSERT_EQUAL(pinn_domain_ball(&dom, 2, (double[2]){0, 0}, 1.2, &e), 0);
  CU_ASSERT_EQUAL(pinn_domain_with_time(&dom, 0, 1, &e), 0);
  CU_ASSERT_EQUAL(pinn_output_mask(&dom, 30, x, m, &in, &e), 0);
  CU_ASSERT_EQUAL(in, 22);
  for (int q = 0; q < 30; ++q)
    if (m[q] == 0) v[q] = NAN;
  CU_ASSERT_EQUAL_FATAL(pinn_output_write_grid(h5, &g, &e), 0);
  r = pinn_h5_open(h5, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(attr_int(r, "inside_points"), 22);
  a = attr_str(r, "domain");
  CU_ASSERT_STRING_EQUAL(a, "ball");
  free(a);
  int64_t *node = NULL, *cells = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "/xdmf/mesh/node", 1, (size_t[1]){9}, &node,
                                             NULL, NULL),
                  0);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "/xdmf/mesh/cells", 2, (size_t[2]){4, 4}, &cells,
                                             NULL, NULL),
                  0);
  const int64_t wn[9] = {1, 2, 3, 6, 7, 8, 11, 12, 13}, wc[16] = {0, 1, 4, 3, 1, 2, 5, 4,
                                                                   3, 4, 7, 6, 4, 5, 8, 7};
  CU_ASSERT(node && memcmp(node, wn, sizeof wn) == 0);
  CU_ASSERT(cells && memcmp(cells, wc, sizeof wc) == 0);
  free(node);
  free(cells);
  back = read_ds(r, "/xdmf/steps/w/000001", 1, (size_t[1]){9});
  for (int j = 0; back && j < 9; ++j) CU_ASSERT_EQUAL(back[j], v[15 + wn[j]]);
  free(back);
  back = read_ds(r, "/solution/mask", 3, (size_t[3]){2, 3, 5});
  CU_ASSERT(back && memcmp(back, m, sizeof m) == 0);
  free(back);
  pinn_h5_close(r);
  doc = xmf_text(h5);
  CU_ASSERT(doc && strstr(doc, "TopologyType=\"Quadrilateral\" NumberOfElements=\"4\""));
  free(doc);
  /* bad input: a repeated name, decreasing axis */
  const char *twice[2] = {"w", "w"};
  const double *vv[2] = {v, v};
  g.names = twice;
  g.values = vv;
  g.n_fields = 2;
  CU_ASSERT_EQUAL(pinn_output_write_grid(h5, &g, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "given twice"));
  g.n_fields = 1;
  double bad[5] = {0, 1, 1, 2, 3};
  g.axes[0] = bad;
  CU_ASSERT_EQUAL(pinn_output_write_grid(h5, &g, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "do not increase at index 2"));
  free(h5);
}

static void unwritable_paths_give_eio_and_leave_nothing(void)
{
  solve s = make_1d();
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(s.l, NULL, &s.f, &e), 0);
  /* a folder that does not exist, and a "folder" that is a regular file */
  CU_ASSERT_EQUAL(pinn_output_write("/nonexistent-pinn-dir/out.h5", s.l, s.t, &s.f, NULL, &e),
                  PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nonexistent-pinn-dir"));
  char *sub = pinn_test_tmpdir("output-ro");
  CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
  char file[600], out[700];
  snprintf(file, sizeof file, "%s/plain", sub);
  FILE *fp = fopen(file, "w");
  fputs("x", fp);
  fclose(fp);
  snprintf(out, sizeof out, "%s/out.h5", file);
  CU_ASSERT_EQUAL(pinn_output_write(out, s.l, s.t, &s.f, NULL, &e), PINN_EIO);
  /* the folder holds only the plain file: no .h5, .xmf or temporary left */
  DIR *dir = opendir(sub);
  size_t entries = 0;
  for (struct dirent *de; (de = readdir(dir));)
    if (de->d_name[0] != '.') ++entries;
  closedir(dir);
  CU_ASSERT_EQUAL(entries, 1);
  /* the sidecar cannot be written (its name is taken by a folder): the new
   * .h5 is removed too */
  snprintf(out, sizeof out, "%s/pair.xmf", sub);
  mkdir(out, 0755);
  snprintf(out, sizeof out, "%s/pair.h5", sub);
  CU_ASSERT_NOT_EQUAL(pinn_output_write(out, s.l, s.t, &s.f, NULL, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pair.xmf"));
  CU_ASSERT_EQUAL(access(out, F_OK), -1);
  /* without trainer and run info: no history, defaults in the attributes */
  snprintf(out, sizeof out, "%s/bare.h5", sub);
  CU_ASSERT_EQUAL(pinn_output_write(out, s.l, NULL, &s.f, NULL, &e), 0);
  pinn_h5_reader *r = pinn_h5_open(out, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_FALSE(pinn_h5_has(r, "/history/loss"));
  CU_ASSERT(pinn_h5_has(r, "/solution/u"));
  char *a = attr_str(r, "stop_reason");
  CU_ASSERT_STRING_EQUAL(a, "none");
  free(a);
  CU_ASSERT_EQUAL(attr_int(r, "iterations"), 0);
  pinn_h5_close(r);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", sub);
  CU_ASSERT_EQUAL(system(cmd), 0);
  free(sub);
  release(&s);
}

static void mismatched_fields_and_colliding_names_are_refused(void)
{
  solve a = make_1d();
  pinn_error e;
  char *h5 = pinn_test_join(g_dir, "clash.h5");
  CU_ASSERT_EQUAL(pinn_output_write(h5, a.l, a.t, &a.f, NULL, &e), PINN_EINVAL); /* no fields */
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(a.l, NULL, &a.f, &e), 0);
  /* an output named "residual" would collide with /solution/residual */
  pinn_problem_set_output_names(a.p, "residual");
  CU_ASSERT_EQUAL(pinn_output_write(h5, a.l, a.t, &a.f, NULL, &e), PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/solution/residual"));
  CU_ASSERT_EQUAL(access(h5, F_OK), -1);
  pinn_problem_set_output_names(a.p, "u");
  /* fields of another problem */
  solve b = make_heat();
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(b.l, NULL, &b.f, &e), 0);
  CU_ASSERT_EQUAL(pinn_output_write(h5, a.l, a.t, &b.f, NULL, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "do not match"));
  CU_ASSERT_EQUAL(access(h5, F_OK), -1);
  /* the sidecar name */
  char buf[64];
  CU_ASSERT_EQUAL(pinn_output_xmf_path("dir.v2/run.h5", buf, sizeof buf), 0);
  CU_ASSERT_STRING_EQUAL(buf, "dir.v2/run.xmf");
  CU_ASSERT_EQUAL(pinn_output_xmf_path("dir.v2/run", buf, sizeof buf), 0);
  CU_ASSERT_STRING_EQUAL(buf, "dir.v2/run.xmf");
  CU_ASSERT_EQUAL(pinn_output_xmf_path(".hidden", buf, sizeof buf), 0);
  CU_ASSERT_STRING_EQUAL(buf, ".hidden.xmf");
  CU_ASSERT_EQUAL(pinn_output_xmf_path("run.h5", buf, 5), PINN_EINVAL);
  /* describe of a missing file */
  char text[256];
  CU_ASSERT_EQUAL(pinn_output_describe("/nonexistent-pinn-dir/x.h5", text, sizeof text, &e),
                  PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "x.h5"));
  free(h5);
  release(&a);
  release(&b);
}

static int failing_exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = 0;
  return x[0] > 0.5 ? 4 : 0;
}

static int nan_psi(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = x[0] > 0.999 ? NAN : 0.0; /* the grid reaches 1; 16 Sobol points do not */
  return 0;
}

static void failing_fields_compute_frees_everything(void)
{
  /* an exact solution that fails, and an obstacle that is NaN somewhere:
   * pinn_fields_compute fails and leaves nothing allocated (the caller does
   * not call pinn_fields_free here, so the leak checker sees any leak) */
  for (int which = 0; which < 2; ++which) {
    pinn_domain dom;
    pinn_domain_interval(&dom, 0, 1, NULL);
    pinn_problem *p = start(0, "failing", 1, 0, &dom).p;
    pinn_problem_add_residual(p, "pde", 1, pinn_test_poisson_residual, PINN_NEED_XX, NULL);
    pinn_problem_set_points(p, 0, 16);
    if (which == 0) {
      pinn_problem_set_exact(p, failing_exact, NULL);
    } else {
      pinn_barrier b = pinn_barrier_default();
      CU_ASSERT_EQUAL(pinn_problem_add_obstacle(p, "ob", 0, 1, nan_psi, NULL, &b), 0);
      pinn_problem_set_points(p, 1, 16);
    }
    size_t sizes[3] = {1, 4, 1};
    pinn_mlp_layout lay = {3, sizes, NULL, 0, NULL};
    pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(net);
    pinn_error e;
    pinn_loss *l = pinn_loss_alloc(p, net, NULL, &e);
    if (!l) printf("\n  loss: %s\n", e.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    pinn_fields f;
    int st = pinn_fields_compute(l, NULL, &f, &e);
    CU_ASSERT_EQUAL(st, which == 0 ? PINN_ECALLBACK : PINN_ENONFINITE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, which == 0 ? "exact" : "psi"));
    CU_ASSERT_PTR_NULL(f.x);
    CU_ASSERT_PTR_NULL(f.u);
    CU_ASSERT_PTR_NULL(f.axes[0]);
    CU_ASSERT_PTR_NULL(f.ref);
    CU_ASSERT_PTR_NULL(f.error);
    CU_ASSERT_PTR_NULL(f.residual);
    CU_ASSERT_PTR_NULL(f.psi);
    CU_ASSERT_PTR_NULL(f.contact);
    CU_ASSERT(isnan(f.rel_l2));
    pinn_loss_free(l);
    pinn_mlp_free(net);
    pinn_problem_free(p);
  }
}

static void interrupted_pair_of_h5_and_xmf_is_reported(void)
{
  solve s = make_1d();
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_fields_compute(s.l, NULL, &s.f, &e), 0);
  char *h5 = pinn_test_join(g_dir, "pair.h5"), *xmf = pinn_test_join(g_dir, "pair.xmf"),
       *keep = pinn_test_join(g_dir, "pair.xmf.first");
  CU_ASSERT_EQUAL_FATAL(pinn_output_write(h5, s.l, s.t, &s.f, NULL, &e), 0);
  /* the pair as written: one run id, 32 hex digits, in both files */
  pinn_h5_reader *r = pinn_h5_open(h5, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  char *id1 = attr_str(r, "run_id");
  pinn_h5_close(r);
  CU_ASSERT_FATAL(id1 != NULL);
  CU_ASSERT_EQUAL(strlen(id1), 32);
  CU_ASSERT_EQUAL(strspn(id1, "0123456789abcdef"), 32);
  char xid[65];
  CU_ASSERT_EQUAL(pinn_xdmf_read_run_id(xmf, xid, sizeof xid, &e), 0);
  CU_ASSERT_STRING_EQUAL(xid, id1);
  CU_ASSERT_EQUAL(pinn_output_check_sidecar(h5, &e), 0);
  char text[8192];
  CU_ASSERT_EQUAL(pinn_output_describe(h5, text, sizeof text, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "the sidecar matches"));
  CU_ASSERT_PTR_NULL(strstr(text, "WARNING"));
  CU_ASSERT_EQUAL(rename(xmf, keep), 0);
  /* a second write, then the state a kill between the two renames leaves:
   * the new .h5 beside the first run's .xmf */
  CU_ASSERT_EQUAL_FATAL(pinn_output_write(h5, s.l, s.t, &s.f, NULL, &e), 0);
  r = pinn_h5_open(h5, &e);
  char *id2 = attr_str(r, "run_id");
  pinn_h5_close(r);
  CU_ASSERT(id2 && strcmp(id1, id2) != 0); /* every write gets its own id */
  CU_ASSERT_EQUAL(rename(keep, xmf), 0);
  CU_ASSERT_EQUAL(pinn_output_check_sidecar(h5, &e), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "belongs to another run"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, id1));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pair.xmf"));
  CU_ASSERT_EQUAL(pinn_output_describe(h5, text, sizeof text, &e), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "WARNING"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "belongs to another run"));
  /* and a .h5 whose sidecar is gone */
  CU_ASSERT_EQUAL(unlink(xmf), 0);
  CU_ASSERT_EQUAL(pinn_output_check_sidecar(h5, &e), PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no sidecar"));
  free(id1);
  free(id2);
  free(h5);
  free(xmf);
  free(keep);
  release(&s);
}

int main(void)
{
  const char *env = getenv("PINN_OUTPUT_EXAMPLES");
  if (env && env[0]) {
    mkdir(env, 0755);
    g_dir = strdup(env);
    g_keep = 1;
  } else {
    g_dir = pinn_test_tmpdir("output");
  }
  static const pinn_test_case cases[] = {
    {"poisson_1d_file_holds_every_dataset_with_the_right_values",
     poisson_1d_file_holds_every_dataset_with_the_right_values},
    {"poisson_2d_file_has_coefficients_metrics_and_yx_order",
     poisson_2d_file_has_coefficients_metrics_and_yx_order},
    {"heat_xt_file_has_nt_by_nx_fields_and_per_step_slices",
     heat_xt_file_has_nt_by_nx_fields_and_per_step_slices},
    {"a_reference_grid_becomes_the_output_grid_with_a_rectilinear_sidecar",
     a_reference_grid_becomes_the_output_grid_with_a_rectilinear_sidecar},
    {"scattered_reference_points_give_the_error_of_a_grid_of_the_same_points",
     scattered_reference_points_give_the_error_of_a_grid_of_the_same_points},
    {"obstacle_file_has_psi_and_the_contact_set", obstacle_file_has_psi_and_the_contact_set},
    {"ball_file_masks_the_outside_with_nan", ball_file_masks_the_outside_with_nan},
    {"ball_file_sidecar_is_the_mesh_of_the_inside_cells",
     ball_file_sidecar_is_the_mesh_of_the_inside_cells},
    {"timed_disc_file_is_a_series_of_the_inside_mesh_without_spacetime",
     timed_disc_file_is_a_series_of_the_inside_mesh_without_spacetime},
    {"ball_3d_file_sidecar_is_hexahedra", ball_3d_file_sidecar_is_hexahedra},
    {"one_d_ball_file_keeps_the_structured_grid", one_d_ball_file_keeps_the_structured_grid},
    {"csg_file_sidecar_shows_the_square_minus_the_disk_only",
     csg_file_sidecar_shows_the_square_minus_the_disk_only},
    {"mesh_keeps_the_cells_with_every_corner_inside", mesh_keeps_the_cells_with_every_corner_inside},
    {"grid_files_have_the_solve_files_sidecar", grid_files_have_the_solve_files_sidecar},
    {"unwritable_paths_give_eio_and_leave_nothing", unwritable_paths_give_eio_and_leave_nothing},
    {"mismatched_fields_and_colliding_names_are_refused",
     mismatched_fields_and_colliding_names_are_refused},
    {"failing_fields_compute_frees_everything", failing_fields_compute_frees_everything},
    {"interrupted_pair_of_h5_and_xmf_is_reported", interrupted_pair_of_h5_and_xmf_is_reported},
    {NULL, NULL}};
  if (pinn_test_add_suite("output", cases)) return 1;
  int rc = pinn_test_run_all();
  if (!g_keep) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0 && rc == 0) rc = 1;
  }
  free(g_dir);
  return rc;
}
