/* beam1d: the Euler-Bernoulli beam u'''' = q on (0, 1), clamped at both ends
 * (u = u' = 0 at x = 0 and x = 1), EI = 1.  A fourth-order residual read
 * through the Taylor engine (pinn_problem_add_residual_any), the clamps as
 * two boundary terms.  Two load cases (`--set load=...`), each with its exact
 * solution:
 *   uniform  q = 384:            u = 16 x^2 (1 - x)^2            (max 1 at x = 1/2)
 *   sine     q = pi^4 sin(pi x): u = sin(pi x) - pi x (1 - x)     (u' = 0 at both ends) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

typedef struct {
  int sine; /* the load case */
} beam;

/* d[0] = u, d[1] = u_xxxx */
static int pde(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c;
  const beam *b = ctx;
  const double q = b->sine ? PI * PI * PI * PI * sin(PI * x[0]) : 384.0;
  r[0] = pd_addc(d[1], -q);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  const beam *b = ctx;
  const double s = x[0] * (1.0 - x[0]);
  u[0] = b->sine ? sin(PI * x[0]) - PI * s : 16.0 * s * s;
  return 0;
}

int pinn_problem_beam1d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_error_clear(err);
  const char *load = pinn_params_string(cfg->params, "load", "uniform",
                                        "the load: uniform (q = 384, u = 16 x^2 (1-x)^2) or sine "
                                        "(q = pi^4 sin(pi x), u = sin(pi x) - pi x (1-x))");
  if (strcmp(load, "uniform") != 0 && strcmp(load, "sine") != 0)
    return pinn_error_set(err, PINN_EINVAL, "beam1d: load '%s': use uniform or sine", load);
  beam *b = malloc(sizeof *b);
  if (!b) return pinn_error_set(err, PINN_ENOMEM, "out of memory");
  b->sine = strcmp(load, "sine") == 0;
  pinn_problem *p = pinn_problem_alloc("beam1d", 1, 0, 1, err);
  if (!p) {
    free(b);
    return err ? err->code : PINN_ENOMEM;
  }
  pinn_domain dom;
  int st;
  if ((st = pinn_problem_keep(p, b, free)) ||
      (st = pinn_domain_interval(&dom, 0.0, 1.0, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, b->sine ? "u'''' = pi^4 sin(pi x) on (0,1), clamped: u = u' = 0 at both ends"
                      : "u'''' = 384 on (0,1), clamped: u = u' = 0 at both ends")) ||
      (st = pinn_problem_add_residual_any(p, "pde", 1, pde, "xxxx", b)) ||
      (st = pinn_problem_add_dirichlet(p, "u_end", 0, NULL, NULL)) ||
      (st = pinn_problem_add_neumann(p, "slope_end", 0, NULL, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 200)) ||
      (st = pinn_problem_set_points(p, 1, 2)) ||
      (st = pinn_problem_set_points(p, 2, 2)) ||
      (st = pinn_problem_set_weight(p, 1, 100.0)) ||
      (st = pinn_problem_set_weight(p, 2, 100.0)) ||
      (st = pinn_problem_set_exact(p, exact, b)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned (README "Bundled problems"): 2 x 20 tanh, Adam, L-BFGS, SSBroyden */
  cfg->n_hidden = 2;
  for (size_t i = 0; i < 2; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 1e-2;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 50;
  cfg->train.phases[1].gtol = 1e-12;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 4000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
