/* burgers_inverse — identify lambda1 and lambda2 in
 *   u_t + lambda1 u u_x = lambda2 u_xx,  x in (-1, 1), t in (0, 1),
 * from 2000 observations of u (Raissi, Perdikaris & Karniadakis 2019,
 * J. Comput. Phys. 378, 686-707, section 4.1.1; true values lambda1 = 1,
 * lambda2 = 0.01/pi).  The observations are 2000 of the 256 x 100 grid points
 * of data/burgers1d_ref.h5, drawn without replacement by gsl_ran_choose with
 * an MT19937 generator seeded with 1234 (the same points on every run); no
 * boundary or initial condition is given.  Both coefficients start at 0.
 * `--set noise=SIGMA` adds Gaussian noise of standard deviation SIGMA to the
 * observations (stream 1 of pinn_solve_rng: fixed by --seed), the noisy
 * inverse problem of pinn solve --validation / --noise-level (README).
 */
#include <pinn/pinn.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "ref_grid.h"

#define N_OBS 2000
#define OBS_SEED 1234

static const double lambda_true[2] = {1.0, 0.01 / M_PI};

/* u_t + lambda1 u u_x - lambda2 u_xx */
static int burgers(const double *x, const pinn_jet *u, const pinn_dual *lam, pinn_dual *r,
                   void *ctx)
{
  (void)x, (void)ctx;
  r[0] = pd_sub(pd_fma(lam[0], pd_mul(u->v, u->x), u->t), pd_mul(lam[1], u->xx));
  return 0;
}

/* lambda1, lambda2 and their relative errors */
static int coefficients(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)ctx;
  const double l1 = pinn_loss_coef(l, 0), l2 = pinn_loss_coef(l, 1);
  pinn_metric m[4] = {{"lambda1", l1}, {"lambda2", l2},
                      {"lambda1_rel_err", fabs(l1 - lambda_true[0]) / lambda_true[0]},
                      {"lambda2_rel_err", fabs(l2 - lambda_true[1]) / lambda_true[1]}};
  for (*n = 0; *n < 4 && *n < max; ++*n) out[*n] = m[*n];
  return PINN_SUCCESS;
}

/* N_OBS grid points (x, t) and their u, reproducibly (plus noise of
 * standard deviation sigma from rng when sigma > 0). */
static int observations(const pinn_ref_grid *d, double *x, double *y, double sigma,
                        gsl_rng *noise)
{
  const size_t n = d->nx * d->nt;
  size_t *all = malloc(n * sizeof *all), *pick = malloc(N_OBS * sizeof *pick);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!all || !pick || !r || n < N_OBS) {
    free(all), free(pick), gsl_rng_free(r);
    return n < N_OBS ? PINN_EFORMAT : PINN_ENOMEM;
  }
  for (size_t i = 0; i < n; ++i) all[i] = i;
  gsl_rng_set(r, OBS_SEED);
  gsl_ran_choose(r, pick, N_OBS, all, n, sizeof *all);
  for (size_t k = 0; k < N_OBS; ++k) {
    x[2 * k] = d->x[pick[k] % d->nx];
    x[2 * k + 1] = d->t[pick[k] / d->nx];
    y[k] = d->u[pick[k]] + (sigma > 0 ? gsl_ran_gaussian(noise, sigma) : 0.0);
  }
  free(all), free(pick), gsl_rng_free(r);
  return PINN_SUCCESS;
}

int pinn_problem_burgers_inverse(pinn_problem **pp, pinn_solve_config *cfg, pinn_error *err)
{
  pinn_ref_grid ref = {0};
  double *xo = malloc(3 * N_OBS * sizeof *xo), *yo = xo + 2 * N_OBS;
  const double sigma = pinn_params_double(cfg->params, "noise", 0.0,
                                          "standard deviation of Gaussian noise added to the "
                                          "observations (u is of order 1)");
  gsl_rng *noise = sigma > 0 ? pinn_solve_rng(cfg, 1, err) : NULL;
  int st = !xo || (sigma > 0 && !noise) ? pinn_error_set(err, PINN_ENOMEM, "out of memory")
           : !(sigma >= 0) ? pinn_error_set(err, PINN_EINVAL, "burgers_inverse: noise = %g: give "
                                            "a standard deviation >= 0", sigma)
                           : pinn_ref_grid_load("burgers1d_ref.h5", &ref, err);
  if (!st && observations(&ref, xo, yo, sigma, noise))
    st = pinn_error_set(err, PINN_EFORMAT, "burgers_inverse: cannot draw %d observations", N_OBS);
  gsl_rng_free(noise);
  pinn_domain dom;
  pinn_problem *p = st ? NULL : pinn_problem_alloc("burgers_inverse", 1, 1, 1, err);
  if (!st && !p) st = err ? err->code : PINN_ENOMEM;
  if (!st) st = pinn_domain_interval(&dom, -1, 1, err);
  if (!st) st = pinn_domain_with_time(&dom, 0, 1, err);
  if (!st && (st = pinn_problem_set_domain(p, &dom)) == 0) {
    st = pinn_problem_add_coefficient(p, "lambda1", 0.0, NULL);
    if (!st) st = pinn_problem_add_coefficient(p, "lambda2", 0.0, NULL);
    /* lambda2 ~ 0.003 is trained as lambda2 / 0.01: unscaled, its gradient is
     * too small next to the weights' and it stalls 15% off (measured) */
    if (!st) st = pinn_problem_set_coefficient_scale(p, 1, 0.01);
    if (!st) st = pinn_problem_add_residual(p, "pde", 1, burgers,
                                            PINN_NEED_X | PINN_NEED_T | PINN_NEED_XX, NULL);
    if (!st) st = pinn_problem_add_data(p, "data", 0, N_OBS, xo, yo);
    if (!st) st = pinn_problem_set_points(p, 0, 2000);
    if (!st) st = pinn_problem_set_reference_grid(p, (size_t[]){ref.nx, ref.nt},
                                                  (const double *[]){ref.x, ref.t}, ref.u);
    if (!st) st = pinn_problem_set_metrics(p, coefficients, NULL);
  }
  free(xo);
  pinn_ref_grid_free(&ref);
  if (st) return pinn_solve_create_done(p, st, pp, err);
  cfg->n_hidden = 8;
  for (size_t i = 0; i < 8; ++i) cfg->width[i] = 20;
  cfg->train.phases[0].max_iter = 1000;
  cfg->train.phases[1].max_iter = 3000;
  /* then SSBroyden on the dense inverse Hessian until the time budget (2
   * threads, 170 s): lambda1 3.7e-8 and lambda2 8.0e-6 relative errors, u 8.8e-6;
   * L-BFGS alone (19000 iterations): 1.2e-4, 4.8e-4 and 5.9e-4 */
  /* then SSBroyden on the dense inverse Hessian, a fixed number of
   * iterations tuned on a quiet 2-core machine (2 threads): Adam + L-BFGS
   * 55 s, then 30.8 ms per SSBroyden iteration, about 155 s in all
   * (L-BFGS alone, 19000 iterations: lambda errors 1.2e-4, 4.8e-4) */
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 3200);
  return pinn_solve_create_done(p, PINN_SUCCESS, pp, err);
}
