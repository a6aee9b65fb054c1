/* A user's own problem, compiled as a plugin for `pinn solve --plugin`:
 *   -u'' + a u^3 = f  on (0, 1),  u(0) = u(1) = 0,
 * with f chosen so that the exact solution is u = sin(pi x), and a a
 * parameter (default 1: `pinn solve --plugin ./my_problem.so --set a=5`).
 *
 *   cc -shared -fPIC -O2 my_problem.c -o my_problem.so $(pkg-config --cflags --libs pinn)
 *   pinn solve --plugin ./my_problem.so
 */
#include <math.h>
#include <stdlib.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

/* the residual, in dual numbers: nothing is differentiated by hand */
static int residual(const double *x, const pinn_jet *u, const pinn_dual *coef, pinn_dual *r,
                    void *ctx)
{
  (void)coef;
  const double a = *(const double *)ctx;
  double s = sin(PI * x[0]), f = PI * PI * s + a * s * s * s;
  r[0] = pd_subc(pd_add(pd_neg(u->xx), pd_scale(pd_powi(u->v, 3), a)), f);
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]);
  return 0;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_problem *p = pinn_problem_alloc("cubic1d", 1, 0, 1, err);
  if (!p) return err->code;
  pinn_domain dom;
  pinn_domain_interval(&dom, 0.0, 1.0, err);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_set_description(p, "-u'' + a u^3 = f on (0,1), u = 0 at both ends");
  /* a parameter: --set a=VALUE; its storage lives as long as the problem */
  double *a = malloc(sizeof *a);
  if (!a) {
    pinn_problem_free(p);
    return PINN_ENOMEM;
  }
  *a = pinn_params_double(cfg->params, "a", 1.0, "the coefficient of u^3");
  pinn_problem_keep(p, a, free);
  pinn_problem_add_residual(p, "pde", 1, residual, PINN_NEED_XX, a);
  pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL); /* u = 0 */
  pinn_problem_set_points(p, 0, 200);
  pinn_problem_set_exact(p, exact, NULL);
  /* tuned defaults: a small tanh network, Adam warm-up, then L-BFGS */
  cfg->n_hidden = 2;
  cfg->width[0] = cfg->width[1] = 20;
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 2000;
  *out = p;
  return 0;
}
