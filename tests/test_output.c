/* Tests for solve output: small problems (1-D Poisson with an exact solution,
 * 2-D Poisson with a learnable coefficient and metrics, x-t heat with an
 * exact solution and with a non-uniform reference grid, a 1-D obstacle
 * problem, a 2-D ball) are trained for a few iterations, their fields
 * computed and written, and every dataset and attribute is read back with
 * h5io and checked: shapes, names, values (u on the grid equals
 * pinn_mlp_eval at the grid points bitwise; errors and rel_l2 recomputed from
 * the arrays read back), the .xmf's references against the .h5, and failures
 * (unwritable paths leave nothing).
 *
 * With PINN_OUTPUT_EXAMPLES=<dir> the solve files are left in <dir> for
 * tests/paraview_solve_check.py (the ctest label "paraview"). */
#define _XOPEN_SOURCE 700
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
  pinn_mlp_layout lay = {4, sizes, NULL, 0};
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
  /* ball domains: the mask read back is 1 exactly where the signed distance
   * is <= 1e-12 r (pinn_domain_contains agrees away from the circle) */
  double *mask = NULL;
  CU_ASSERT_EQUAL(pinn_h5_has(r, "/solution/mask"), dom->kind == PINN_DOMAIN_BALL);
  if (dom->kind == PINN_DOMAIN_BALL) {
    mask = read_ds(r, "/solution/mask", rank, dims);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mask);
    for (size_t q = 0; q < n; ++q) {
      double sd = pinn_domain_signed_distance(dom, x + q * dim);
      CU_ASSERT_EQUAL(mask[q], sd <= 1e-12 * dom->radius ? 1.0 : 0.0);
      if (fabs(sd) > 1e-9) CU_ASSERT_EQUAL(mask[q], (double)pinn_domain_contains(dom, x + q * dim));
    }
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
    if (dom->kind == PINN_DOMAIN_BALL) CU_ASSERT(outside > 0);
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
    CU_ASSERT(pos > n / 2);
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
  CU_ASSERT_EQUAL(n_times, f->has_time ? steps * (1 + n_points_grids) : 0);
  CU_ASSERT_EQUAL(n_grids, steps * (1 + n_points_grids));
  CU_ASSERT(refs >= fields * steps + 2 * n_points_grids);
  /* the space-time sidecar: time-dependent problems with d <= 2 only */
  char xst[512];
  CU_ASSERT_EQUAL(pinn_output_spacetime_path(h5, xst, sizeof xst), 0);
  int want_st = f->has_time && f->dim <= 3;
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
    pinn_mlp_layout lay = {3, sizes, NULL, 0};
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
    {"obstacle_file_has_psi_and_the_contact_set", obstacle_file_has_psi_and_the_contact_set},
    {"ball_file_masks_the_outside_with_nan", ball_file_masks_the_outside_with_nan},
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
