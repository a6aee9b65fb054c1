/* Faulty plugins for tests/cli_table.sh: the problem of plugin_example.c
 * (-u'' = pi^2 sin(pi x) on (0, 1), u = 0 at both ends) with one fault,
 * chosen when compiling with -DFAULT=N:
 *   1  pinn_plugin_create returns 7 without setting a message
 *   2  it sets cfg->n_hidden = 50 (more than PINN_SOLVE_MAX_HIDDEN)
 *   3  it ignores the status of pinn_problem_set_points(p, 0, 1e9)
 *   4  the residual returns NaN at the points with 0.5 <= x < 0.52
 *   5  the residual callback returns 5 at the points with x >= 0.9
 *   6  it sets cfg->train.n_phases = 0
 *   7  a hard constraint u = 0 + 0 N: the network cannot move the loss */
#include <math.h>
#include <pinn/pinn.h>

#ifndef FAULT
#define FAULT 0
#endif

static const double PI = 3.14159265358979323846;

static int residual(const double *x, const pinn_jet *u, const pinn_dual *coef, pinn_dual *r,
                    void *ctx)
{
  (void)coef; (void)ctx;
  r[0] = pd_subc(pd_neg(u->xx), PI * PI * sin(PI * x[0]));
  if (FAULT == 4 && x[0] >= 0.5 && x[0] < 0.52) r[0].v = NAN;
  if (FAULT == 5 && x[0] >= 0.9) return 5;
  return 0;
}

static int zero_d(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)x, (void)ctx;
  *out = px_const(0.0);
  return 0;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  if (FAULT == 1) return 7;
  pinn_problem *p = pinn_problem_alloc("faulty", 1, 0, 1, err);
  if (!p) return err->code;
  pinn_domain dom;
  pinn_domain_interval(&dom, 0.0, 1.0, err);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, residual, PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL);
  pinn_problem_set_points(p, 0, FAULT == 3 ? 1000000000 : 200);
  cfg->n_hidden = FAULT == 2 ? 50 : 1;
  cfg->width[0] = 8;
  if (FAULT == 6) cfg->train.n_phases = 0;
  if (FAULT == 7) {
    const pinn_transform t = pinn_transform_dirichlet(0, NULL, zero_d, NULL);
    pinn_problem_set_transform(p, &t);
  }
  cfg->train.phases[0].max_iter = 5;
  cfg->train.phases[1].max_iter = 5;
  *out = p;
  return 0;
}
