/* kovasznay2d: steady incompressible Navier-Stokes at Re = 20 on
 * (-0.5, 1) x (-0.5, 1.5) with Kovasznay's exact solution (L. I. G. Kovasznay,
 * "Laminar flow behind a two-dimensional grid", Proc. Camb. Phil. Soc. 44
 * (1948) 58-62):
 *   lambda = Re/2 - sqrt(Re^2/4 + 4 pi^2),
 *   u = 1 - e^(lambda x) cos(2 pi y),  v = lambda/(2 pi) e^(lambda x) sin(2 pi y),
 *   p = (1 - e^(2 lambda x))/2.
 * Outputs u, v, p; residuals (term "pde", three components)
 *   u u_x + v u_y + p_x - (u_xx + u_yy)/Re,
 *   u v_x + v v_y + p_y - (v_xx + v_yy)/Re,
 *   u_x + v_y;
 * Dirichlet u and v from the exact solution on the whole boundary (terms
 * "bc_u", "bc_v").  The pressure is determined only up to a constant: the
 * term "p_gauge" fixes it by one data point, p(0.25, 0.5) = its exact value,
 * so the p reported is compared with the exact p as it is (no mean removed). */
#include <math.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;
static const double RE = 20.0;

static double lambda(void) { return 0.5 * RE - sqrt(0.25 * RE * RE + 4.0 * PI * PI); }

static void solution(const double *x, double *w)
{
  const double l = lambda(), e = exp(l * x[0]);
  w[0] = 1.0 - e * cos(2.0 * PI * x[1]);
  w[1] = l / (2.0 * PI) * e * sin(2.0 * PI * x[1]);
  w[2] = 0.5 * (1.0 - e * e);
}

/* momentum (x and y) and continuity */
static int pde(const double *x, const pinn_jet *w, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  const pinn_jet *u = &w[0], *v = &w[1], *p = &w[2];
  const double nu = 1.0 / RE;
  r[0] = pd_sub(pd_add(pd_fma(u->v, u->x, pd_mul(v->v, u->y)), p->x),
                pd_scale(pd_add(u->xx, u->yy), nu));
  r[1] = pd_sub(pd_add(pd_fma(u->v, v->x, pd_mul(v->v, v->y)), p->y),
                pd_scale(pd_add(v->xx, v->yy), nu));
  r[2] = pd_add(u->x, v->y);
  return 0;
}

static int exact(const double *x, double *w, void *ctx)
{
  (void)ctx;
  solution(x, w);
  return 0;
}

/* boundary data: component *(const int *)ctx of the exact solution */
static int bc(const double *x, double *value, void *ctx)
{
  double w[3];
  solution(x, w);
  *value = w[*(const int *)ctx];
  return 0;
}

/* read only: bc casts the context back to const int * */
static const int U_COMPONENT = 0, V_COMPONENT = 1;

int pinn_problem_kovasznay2d(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  const double lo[2] = {-0.5, -0.5}, hi[2] = {1.0, 1.5};
  const double x_gauge[2] = {0.25, 0.5};
  double w_gauge[3];
  solution(x_gauge, w_gauge);
  pinn_domain dom;
  pinn_error_clear(err);
  pinn_problem *p = pinn_problem_alloc("kovasznay2d", 2, 0, 3, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  int st;
  if ((st = pinn_domain_box(&dom, 2, lo, hi, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "steady Navier-Stokes, Re = 20, Kovasznay flow on (-0.5,1)x(-0.5,1.5); u, v "
              "Dirichlet from the exact solution; p fixed by one data point p(0.25, 0.5)")) ||
      (st = pinn_problem_set_output_names(p, "u,v,p")) ||
      (st = pinn_problem_add_residual(p, "pde", 3, pde, PINN_NEED_GRAD | PINN_NEED_LAPLACIAN,
                                      NULL)) ||
      (st = pinn_problem_add_dirichlet(p, "bc_u", 0, bc, (void *)&U_COMPONENT)) ||
      (st = pinn_problem_add_dirichlet(p, "bc_v", 1, bc, (void *)&V_COMPONENT)) ||
      (st = pinn_problem_add_data(p, "p_gauge", 2, 1, x_gauge, &w_gauge[2])) ||
      (st = pinn_problem_set_points(p, 0, 2000)) ||
      (st = pinn_problem_set_points(p, 1, 400)) ||
      (st = pinn_problem_set_points(p, 2, 400)) ||
      (st = pinn_problem_set_weight(p, 1, 10.0)) ||
      (st = pinn_problem_set_weight(p, 2, 10.0)) ||
      (st = pinn_problem_set_weight(p, 3, 10.0)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)))
    return pinn_solve_create_done(p, st, out, err);
  /* tuned (seeds 1 and 2, one thread): 3 x 20 tanh (963 parameters), input
   * normalisation on (the default; off: 7.8e-7 against 6.2e-7); boundary and
   * gauge weight 10 (100: 4.9e-7 and 8.8e-7 against 6.2e-7 and 6.3e-7);
   * 2000 interior points (1000: 8.0e-7, 3000: 9.6e-7); a short Adam warm-up,
   * L-BFGS with 100 pairs, then the high-accuracy phase, self-scaled Broyden
   * on the dense inverse Hessian (pinn/ssqn.h), a fixed number of iterations.
   * (Those comparisons: 3 x 30, SSBroyden 5000.)  The SSBroyden phase's cost
   * grows with the parameters squared, so the smaller network runs longer in
   * the same time and ends more accurate: 3 x 20 with SSBroyden 25000 gives
   * rel. L2 3.3e-8 / 2.3e-8 (seeds 1 / 2) in 117 s of CPU with one thread;
   * 3 x 30 (2043 parameters) with SSBroyden 10000, 7.8e-8 / 7.2e-8 in 127 s
   * (15000: 2.0e-8, seed 2, about 185 s); 4 x 30 and sin were worse than
   * 3 x 30 tanh (8.7e-7, 9.6e-7 after SSBroyden 5000).  Two threads are not
   * slower than one on a quiet machine, so the default ends within 300 s at
   * 2 threads with a margin of more than 2x. */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 20;
  cfg->act = pinn_activation_default(PINN_ACT_TANH);
  cfg->train.phases[0].max_iter = 500;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 1000;
  cfg->train.phases[1].memory = 100;
  cfg->train.phases[1].gtol = 1e-10;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 25000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
