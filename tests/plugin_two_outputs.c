/* A plugin with two outputs (built by tests/cli_table.sh): u'' = -pi^2 sin(pi x),
 * v'' = -4 pi^2 sin(2 pi x) on (0, 1), u = v = 0 at both ends; exact u = sin(pi x),
 * v = sin(2 pi x).  The summary line then gives each output's own error. */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;

static int residual(const double *x, const pinn_jet *u, const pinn_dual *coef, pinn_dual *r,
                    void *ctx)
{
  (void)coef; (void)ctx;
  r[0] = pd_addc(u[0].xx, PI * PI * sin(PI * x[0]));
  r[1] = pd_addc(u[1].xx, 4 * PI * PI * sin(2 * PI * x[0]));
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]);
  u[1] = sin(2 * PI * x[0]);
  return 0;
}

int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_problem *p = pinn_problem_alloc("two_outputs", 1, 0, 2, err);
  if (!p) return err->code;
  pinn_domain dom;
  pinn_domain_interval(&dom, 0.0, 1.0, err);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_set_output_names(p, "u,v");
  pinn_problem_add_residual(p, "pde", 2, residual, PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(p, "walls_u", 0, NULL, NULL);
  pinn_problem_add_dirichlet(p, "walls_v", 1, NULL, NULL);
  pinn_problem_set_points(p, 0, 100);
  pinn_problem_set_exact(p, exact, NULL);
  cfg->n_hidden = 2;
  cfg->width[0] = cfg->width[1] = 20;
  cfg->train.phases[0].max_iter = 200;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 300;
  *out = p;
  return 0;
}
