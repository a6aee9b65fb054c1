/* heat2d_multiscale: anisotropic heat equation with two length scales,
 *   u_t = u_xx / (500 pi)^2 + u_yy / pi^2  on (0,1)^2 x (0,5],
 *   u(x, y, 0) = sin(20 pi x) sin(pi y),  u = 0 on the spatial boundary,
 * exact solution u = sin(20 pi x) sin(pi y) exp(-1.0016 t)
 * ((20 pi)^2 / (500 pi)^2 = 0.0016, pi^2 / pi^2 = 1): ten periods in x, a
 * half period in y, and decay over a time axis five units long (issue 18's
 * user report; issue 14's table).
 *
 * The parameter `constraint` (`pinn solve heat2d_multiscale --set
 * constraint=...`) picks how the initial and boundary data are imposed:
 *   soft        penalties: Dirichlet on the four sides, initial value;
 *   hard        u = u0(x, y) + d N, d = 16 x (1-x) y (1-y) (1 - e^-t)
 *               (initial value and walls exact for any network N, from the
 *               data alone, pinn/transform.h);
 *   hard_decay  u = u0(x, y) e^-t + d N, the same d: the data times the
 *               decay e^-t of the slow y mode (u_yy / pi^2 = -u on sin(pi y)),
 *               so N carries only the small x-diffusion correction
 *               (N = 0 alone is 1.1e-3 off in rel. L2).
 */
#include <math.h>
#include <string.h>
#include <pinn/pinn.h>

static const double PI = 3.14159265358979323846;
static const double KX = 20.0;        /* u0 = sin(KX pi x) sin(pi y) */
static const double DX = 1.0 / 500.0; /* u_xx is divided by (500 pi)^2 = (pi / DX)^2 */
static const double T1 = 5.0;

/* u_t - u_xx / (500 pi)^2 - u_yy / pi^2 = 0 */
static int pde(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  const double ax = DX * DX / (PI * PI), ay = 1.0 / (PI * PI);
  r[0] = pd_sub(pd_sub(u->t, pd_scale(u->xx, ax)), pd_scale(u->yy, ay));
  return 0;
}

static double u0(const double *x) { return sin(KX * PI * x[0]) * sin(PI * x[1]); }

/* the initial value (the point carries x, y; t = 0 last) */
static int initial(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = u0(x);
  return 0;
}

/* x = (x, y, t) */
static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  const double rate = 1.0 + KX * KX * DX * DX; /* 1.0016 */
  u[0] = u0(x) * exp(-rate * x[2]);
  return 0;
}

/* Hard constraints u = g + d N: g = u0 (constraint=hard) or u0 e^-t
 * (hard_decay), both exact at t = 0 and zero on the walls; d vanishes at
 * t = 0 and on the walls and is of order 1 inside (at most 1). */
static pinn_xjet u0_xjet(const pinn_xjet *x)
{
  return px_mul(px_sin(px_scale(x[0], KX * PI)), px_sin(px_scale(x[1], PI)));
}

static int g_data(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = u0_xjet(x);
  return 0;
}

static int g_decay(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_mul(u0_xjet(x), px_exp(px_neg(x[2])));
  return 0;
}

static int d_vanishing(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  const pinn_xjet bx = px_mul(x[0], px_csub(1.0, x[0]));
  const pinn_xjet by = px_mul(x[1], px_csub(1.0, x[1]));
  const pinn_xjet bt = px_csub(1.0, px_exp(px_neg(x[2])));
  *out = px_scale(px_mul(px_mul(bx, by), bt), 16.0);
  return 0;
}

int pinn_problem_heat2d_multiscale(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_domain dom;
  pinn_error_clear(err);
  const char *how = pinn_params_string(cfg->params, "constraint", "hard_decay",
                                       "soft (penalty terms), hard (u = u0 + d N) or hard_decay "
                                       "(u = u0 e^-t + d N): how the initial and wall data are "
                                       "imposed");
  const int soft = strcmp(how, "soft") == 0, decay = strcmp(how, "hard_decay") == 0;
  if (!soft && !decay && strcmp(how, "hard") != 0)
    return pinn_error_set(err, PINN_EINVAL,
                          "heat2d_multiscale: constraint = '%s': give soft, hard or hard_decay",
                          how);
  pinn_problem *p = pinn_problem_alloc("heat2d_multiscale", 2, 1, 1, err);
  if (!p) return err ? err->code : PINN_ENOMEM;
  const double lo[2] = {0.0, 0.0}, hi[2] = {1.0, 1.0};
  /* 10 periods of sin(20 pi x): 20 grid intervals a period */
  const size_t grid[3] = {201, 41, 51};
  int st;
  if ((st = pinn_domain_box(&dom, 2, lo, hi, err)) ||
      (st = pinn_domain_with_time(&dom, 0.0, T1, err)) ||
      (st = pinn_problem_set_domain(p, &dom)) ||
      (st = pinn_problem_set_description(
           p, "u_t = u_xx/(500 pi)^2 + u_yy/pi^2 on (0,1)^2 x (0,5], u(x,y,0) = "
              "sin(20 pi x) sin(pi y), u = 0 on the walls; u = u(x,y,0) exp(-1.0016 t)")) ||
      (st = pinn_problem_add_residual(p, "pde", 1, pde,
                                      PINN_NEED_T | PINN_NEED_XX | PINN_NEED_YY, NULL)) ||
      (st = pinn_problem_set_points(p, 0, 8000)) ||
      (st = pinn_problem_set_exact(p, exact, NULL)) ||
      (st = pinn_problem_set_output_grid(p, grid)))
    return pinn_solve_create_done(p, st, out, err);
  if (soft) {
    if ((st = pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL)) ||
        (st = pinn_problem_add_initial(p, "ic", 0, initial, NULL)) ||
        (st = pinn_problem_set_points(p, 1, 800)) ||
        (st = pinn_problem_set_points(p, 2, 1500)) ||
        (st = pinn_problem_set_weight(p, 1, 10.0)) ||
        (st = pinn_problem_set_weight(p, 2, 10.0)))
      return pinn_solve_create_done(p, st, out, err);
  } else {
    const pinn_transform hard =
        pinn_transform_dirichlet(0, decay ? g_decay : g_data, d_vanishing, NULL);
    if ((st = pinn_problem_set_transform(p, &hard)))
      return pinn_solve_create_done(p, st, out, err);
  }
  /* tuned (one thread, rel. L2 on the output grid; the branch's report has
   * the whole table): sin, not tanh (soft form: tanh 0.90, 0.21 with
   * normalised inputs, stuck near u = 0; sin 3.3e-3); hard_decay, not soft
   * (2.95e-4 after SSBroyden 8000) or hard (2.6e-4 after SSBroyden 6000 on
   * 16000 points; on 4000-12000 points it stays at N = 0, rel. L2 2.5).
   * Every hard_decay run first sits on plateaus (loss 6.4e-8: N = 0, 1.1e-3;
   * then 6.5e-9: 1.45e-4, where 3x30 on 16000 points stops after SSBroyden
   * 3000 and 3x20 after 8000); SSBroyden leaves them: these defaults reach
   * 8.2e-6 (loss 2.0e-11) after 7000 iterations, 11009 evaluations; 16000
   * points without normalisation reach 2.5e-6 after SSBroyden 6000, with
   * normalisation the loss was 4.7e-11 after 5750. */
  cfg->n_hidden = 3;
  for (size_t i = 0; i < 3; ++i) cfg->width[i] = 30;
  cfg->act = pinn_activation_default(PINN_ACT_SIN);
  cfg->normalize_inputs = 1;
  cfg->train.phases[0].max_iter = 1000;
  cfg->train.phases[0].lr = 5e-3;
  cfg->train.phases[1].max_iter = 2000;
  cfg->train.phases[1].memory = 100;
  cfg->train.phases[1].gtol = 1e-10;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 4000);
  return pinn_solve_create_done(p, PINN_SUCCESS, out, err);
}
