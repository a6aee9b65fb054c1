/* poisson5d: -Delta u = (pi^2/4) sum_i sin(pi x_i / 2) on [0,1]^5, u = g on
 * the boundary, exact u = sum_i sin(pi x_i / 2).  A problem in five space
 * dimensions: the inputs are x0 .. x4, the residual reads the Laplacian
 * through the Taylor engine (pinn_problem_add_residual_any).
 *
 * `--set laplacian=collapsed` (the default) propagates the Laplacian as one
 * collapsed sum ("lap": 1 + 5 + 1 channels per unit); `laplacian=full`
 * reads the five second derivatives one by one ("x0x0,...,x4x4": 1 + 2 x 5
 * channels) and sums them in the residual — the same loss, for the
 * full-versus-collapsed benchmark (`pinn bench poisson5d --set laplacian=full`).
 *
 * The error: the output grid of a problem in more than 3 space dimensions is
 * a 3-D slice (x0, x1, x2 at the middle of x3, x4), so the problem sets
 * 20000 reference points (a Halton sequence over the whole cube, away from
 * the training points' Sobol sequence) with the exact values: the reported
 * error is over the whole domain. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pinn/pinn.h>

enum { D = 5, N_REF = 20000 };
static const double PI = 3.14159265358979323846;

typedef struct {
  int full; /* 1: the five second derivatives, 0: the collapsed Laplacian */
} p5;

static double exact_u(const double *x)
{
  double s = 0.0;
  for (int i = 0; i < D; ++i) s += sin(0.5 * PI * x[i]);
  return s;
}

/* d[0] = u, then "lap" or u_x0x0 .. u_x4x4 */
static int pde(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c;
  const p5 *q = ctx;
  pinn_dual lap = d[1];
  for (int i = 1; q->full && i < D; ++i) lap = pd_add(lap, d[1 + i]);
  r[0] = pd_addc(lap, 0.25 * PI * PI * exact_u(x)); /* -lap u = f: lap u + f = 0 */
  return 0;
}

static int g(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = exact_u(x);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = exact_u(x);
  return 0;
}

/* The reference points: N_REF Halton points of the cube, exact values. */
static int set_reference(pinn_problem *p, const pinn_domain *dom, pinn_error *err)
{
  double *x = malloc((size_t)N_REF * (D + 1) * sizeof *x), *u = x ? x + (size_t)N_REF * D : NULL;
  pinn_sampler *s = x ? pinn_sampler_alloc(PINN_SAMPLER_HALTON, D, 0, err) : NULL;
  size_t n = 0;
  int st = !x ? pinn_error_set(err, PINN_ENOMEM, "out of memory") : !s ? PINN_ENOMEM : 0;
  if (!st) st = pinn_domain_sample_interior(dom, s, N_REF, x, &n, err);
  for (size_t q = 0; !st && q < n; ++q) u[q] = exact_u(x + q * D);
  if (!st) st = pinn_problem_set_reference_points(p, n, x, u);
  pinn_sampler_free(s);
  free(x);
  return st;
}

int pinn_problem_poisson5d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_error_clear(err);
  const char *lap = pinn_params_string(cfg->params, "laplacian", "collapsed",
                                       "how the residual reads the Laplacian: collapsed (one "
                                       "propagated sum, \"lap\") or full (the five u_xixi)");
  if (strcmp(lap, "collapsed") != 0 && strcmp(lap, "full") != 0)
    return pinn_error_set(err, PINN_EINVAL, "poisson5d: laplacian '%s': use collapsed or full",
                          lap);
  p5 *q = malloc(sizeof *q);
  if (!q) return pinn_error_set(err, PINN_ENOMEM, "out of memory");
  q->full = strcmp(lap, "full") == 0;
  pinn_problem *p = pinn_problem_alloc("poisson5d", D, 0, 1, err);
  if (!p) {
    free(q);
    return err ? err->code : PINN_ENOMEM;
  }
  const double lo[D] = {0, 0, 0, 0, 0}, hi[D] = {1, 1, 1, 1, 1};
  pinn_domain dom;
  int st;
  if ((st = pinn_problem_keep(p, q, free)) || (st = pinn_domain_box(&dom, D, lo, hi, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "-Delta u = (pi^2/4) sum sin(pi x_i / 2) on [0,1]^5, u = sum sin(pi x_i / 2)")) ||
      (st = pinn_problem_add_residual_any(p, "pde", 1, pde,
                                          q->full ? "x0x0,x1x1,x2x2,x3x3,x4x4" : "lap", q)) ||
      (st = pinn_problem_add_dirichlet(p, "bc", 0, g, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 2000)) ||
      (st = pinn_problem_set_points(p, 1, 1000)) ||
      (st = pinn_problem_set_weight(p, 1, 10.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)) ||
      (st = set_reference(p, &dom, err)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned (README "Bundled problems"): 2 x 32 tanh, Adam, L-BFGS, SSBroyden */
  cfg->n_hidden = 2;
  for (size_t i = 0; i < 2; ++i) cfg->width[i] = 32;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 1e-2;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 50;
  cfg->train.phases[1].gtol = 1e-12;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 1500);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
