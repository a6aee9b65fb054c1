/* kdv1d: the Korteweg-de Vries equation u_t + 6 u u_x + u_xxx = 0 on the
 * window (-10, 10) x (0, 2) with its two-soliton solution (Hirota):
 *   u = 2 (log F)_xx,  F = 1 + e^h1 + e^h2 + A e^(h1 + h2),
 *   h_i = k_i (x - x_i) - k_i^3 t,  A = ((k1 - k2) / (k1 + k2))^2,
 * k1 = 2 (amplitude k1^2/2 = 2, speed 4) starting at x1 = -6, k2 = 1
 * (amplitude 1/2, speed 1) at x2 = -2: the fast soliton overtakes the slow
 * one around t = 1 and both leave the collision unchanged but shifted.  A
 * third-order residual read through the Taylor engine
 * (pinn_problem_add_residual_any), the initial and boundary data from the
 * exact solution. */
#include <math.h>
#include <pinn/pinn.h>

static const double K1 = 2.0, K2 = 1.0, X1 = -6.0, X2 = -2.0;

/* d = u, u_t, u_x, u_xxx */
static int pde(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_add(pd_add(d[1], pd_scale(pd_mul(d[0], d[2]), 6.0)), d[3]);
  return 0;
}

/* u = 2 (F F'' - F'^2) / F^2, written with e^-hmax factored out of F so that
 * no exponential overflows anywhere in the window. */
static double two_soliton(double x, double t)
{
  const double h1 = K1 * (x - X1) - K1 * K1 * K1 * t, h2 = K2 * (x - X2) - K2 * K2 * K2 * t;
  const double A = ((K1 - K2) / (K1 + K2)) * ((K1 - K2) / (K1 + K2));
  const double m = fmax(0.0, fmax(h1, fmax(h2, h1 + h2 + log(A))));
  const double e0 = exp(-m), e1 = exp(h1 - m), e2 = exp(h2 - m), e12 = A * exp(h1 + h2 - m);
  const double F = e0 + e1 + e2 + e12;
  const double Fx = K1 * e1 + K2 * e2 + (K1 + K2) * e12;
  const double Fxx = K1 * K1 * e1 + K2 * K2 * e2 + (K1 + K2) * (K1 + K2) * e12;
  return 2.0 * (F * Fxx - Fx * Fx) / (F * F);
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = two_soliton(x[0], x[1]);
  return 0;
}

static int data(const double *x, double *u, void *ctx) { return exact(x, u, ctx); }

int pinn_problem_kdv1d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("kdv1d", 1, 1, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  pinn_domain dom;
  int st;
  if ((st = pinn_domain_interval(&dom, -10.0, 10.0, err)) ||
      (st = pinn_domain_with_time(&dom, 0.0, 2.0, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "u_t + 6 u u_x + u_xxx = 0 on (-10,10) x (0,2), two solitons (k = 2 and 1) that "
              "collide")) ||
      (st = pinn_problem_add_residual_any(p, "pde", 1, pde, "t,x,xxx", NULL)) ||
      (st = pinn_problem_add_initial(p, "ic", 0, data, NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc", 0, data, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 4000)) ||
      (st = pinn_problem_set_points(p, 1, 400)) ||
      (st = pinn_problem_set_points(p, 2, 100)) ||
      (st = pinn_problem_set_weight(p, 1, 10.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  cfg->n_hidden = 4;
  for (size_t i = 0; i < 4; ++i) cfg->width[i] = 30;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 2000;
  cfg->train.phases[0].lr = 2e-3;
  cfg->train.phases[1].max_iter = 3000;
  cfg->train.phases[1].memory = 100;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 2000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
