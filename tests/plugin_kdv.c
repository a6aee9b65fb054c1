/* KdV u_t + 6 u u_x + u_xxx = 0 on (-8, 8) x (0, 2): one soliton of speed c
 * (--set c=...), u = (c/2) sech^2(sqrt(c)/2 (x - c t + 3)), from its initial
 * profile and the boundary values.  A third-order residual: the Taylor
 * engine gives u_t, u_x and u_xxx exactly, in dual numbers. */
#include <math.h>
#include <stdlib.h>
#include <pinn/pinn.h>

static double soliton(double c, double x, double t)
{
  const double s = 1.0 / cosh(0.5 * sqrt(c) * (x - c * t + 3.0));
  return 0.5 * c * s * s;
}

/* d = u, u_t, u_x, u_xxx (the order of "t,x,xxx") */
static int kdv(const double *x, const pinn_dual *d, const pinn_dual *coef, pinn_dual *r,
               void *ctx)
{
  (void)x, (void)coef, (void)ctx;
  r[0] = pd_add(pd_add(d[1], pd_scale(pd_mul(d[0], d[2]), 6.0)), d[3]);
  return 0;
}

/* the exact solution: initial and boundary data, and the error */
static int exact(const double *x, double *u, void *ctx)
{
  u[0] = soliton(*(const double *)ctx, x[0], x[1]);
  return 0;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  double *c = malloc(sizeof *c);
  if (!c) return pinn_error_set(err, PINN_ENOMEM, "out of memory");
  *c = pinn_params_double(cfg->params, "c", 2.0, "the soliton's speed (amplitude c/2)");
  pinn_problem *p = pinn_problem_alloc("kdv_soliton", 1, 1, 1, err); /* x, t; one output */
  if (!p) {
    free(c);
    return err->code;
  }
  pinn_problem_keep(p, c, free);
  pinn_domain dom;
  pinn_domain_interval(&dom, -8.0, 8.0, err);
  pinn_domain_with_time(&dom, 0.0, 2.0, err);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_set_description(p, "u_t + 6 u u_x + u_xxx = 0, one soliton");
  pinn_problem_add_residual_any(p, "pde", 1, kdv, "t,x,xxx", NULL);
  pinn_problem_add_initial(p, "ic", 0, exact, c);
  pinn_problem_add_dirichlet(p, "bc", 0, exact, c);
  pinn_problem_set_points(p, 0, 2000);
  pinn_problem_set_points(p, 1, 200);
  pinn_problem_set_points(p, 2, 100);
  pinn_problem_set_weight(p, 1, 10.0);
  pinn_problem_set_exact(p, exact, c);
  /* tuned defaults: 3 x 20 tanh, Adam, then L-BFGS and SSBroyden */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 20;
  cfg->train.phases[0].max_iter = 1000;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 2000;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 1000);
  return pinn_solve_create_done(p, pinn_problem_status(p), out, err);
}
