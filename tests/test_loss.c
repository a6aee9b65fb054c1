/* Tests for the loss assembler: the gradient of every term kind against
 * central differences, loss values against hand-computed numbers, the
 * refusal of second-order residuals on piecewise-linear networks, callback
 * failures, reproducibility across threads, and refinement. */
#include <pinn/loss.h>
#include <pinn/taylor.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>
#include <pinn/h5io.h>
#include <pinn/lsq.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "testutil.h"

/* ----------------------------------------------------------- helpers */

/* Central-difference check of the whole gradient of l at its current
 * parameters; returns the relative error (2-norm) and sets *gmax. */
static double gradient_error(pinn_loss *l, double *gmax)
{
  const size_t P = pinn_loss_n_params(l);
  double *th = malloc(P * sizeof *th), *g = malloc(P * sizeof *g), f0;
  pinn_loss_get_params(l, th);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_eval(l, th, &f0, g, NULL), PINN_SUCCESS);
  double num = 0, den = 0;
  *gmax = 0;
  for (size_t j = 0; j < P; ++j) {
    const double t0 = th[j], h = 1e-6 * fmax(1.0, fabs(t0));
    double fp, fm;
    th[j] = t0 + h;
    pinn_loss_eval(l, th, &fp, NULL, NULL);
    th[j] = t0 - h;
    pinn_loss_eval(l, th, &fm, NULL, NULL);
    th[j] = t0;
    const double fd = (fp - fm) / (2 * h);
    num += (fd - g[j]) * (fd - g[j]);
    den += fd * fd;
    if (fabs(g[j]) > *gmax) *gmax = fabs(g[j]);
  }
  pinn_loss_set_params(l, th);
  free(th);
  free(g);
  return den > 0 ? sqrt(num / den) : INFINITY;
}

/* ------------------------------------------------- gradient of every kind */

static void check_problem_gradient(pinn_problem *p, pinn_mlp *net, const char *what)
{
  pinn_error err;
  pinn_loss_options o = pinn_loss_options_default();
  o.points_scale = 0.05; /* small point sets: fast finite differences */
  pinn_loss *l = pinn_loss_alloc(p, net, &o, &err);
  if (!l) printf("\n  %s: %s\n", what, err.msg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  double gmax, e = gradient_error(l, &gmax);
  if (e > 1e-6) printf("\n  %s: gradient error %.3g\n", what, e);
  CU_ASSERT(e <= 1e-6);
  CU_ASSERT(gmax > 1e-4);
  pinn_loss_free(l);
}

static void residual_term_with_coefficient_has_exact_gradient(void)
{
  pinn_problem *p = pinn_test_rd_problem(0.3);
  pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 1);
  check_problem_gradient(p, net, "residual");
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* A scaled coefficient (c = theta * scale) is trained as theta: the loss is
 * that of the same c unscaled, the coefficient's gradient entry is scale
 * times the unscaled one, and finite differences in theta agree. */
static void scaled_coefficient_is_trained_as_theta(void)
{
  pinn_loss *l[2];
  pinn_mlp *net[2];
  pinn_problem *p[2];
  const double scale = 0.01;
  for (int k = 0; k < 2; ++k) {
    p[k] = pinn_test_rd_problem(0.003);
    pinn_problem_set_points(p[k], 0, 200);
    if (k) CU_ASSERT_EQUAL(pinn_problem_set_coefficient_scale(p[k], 0, scale), PINN_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(pinn_problem_coef_scale(p[k], 0), k ? scale : 1.0, 0);
    net[k] = pinn_test_small_net(2, 1, PINN_ACT_TANH, 4);
    l[k] = pinn_loss_alloc(p[k], net[k], NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l[k]);
  }
  const size_t P = pinn_loss_n_params(l[0]);
  CU_ASSERT_EQUAL_FATAL(P, pinn_loss_n_params(l[1]));
  double *th = malloc(2 * P * sizeof *th), g[2][1], f[2];
  double *grad = malloc(2 * P * sizeof *grad);
  for (int k = 0; k < 2; ++k) {
    pinn_loss_get_params(l[k], th + k * P);
    CU_ASSERT_DOUBLE_EQUAL(pinn_loss_coef(l[k], 0), 0.003, 0);
    CU_ASSERT(pinn_loss_eval(l[k], NULL, &f[k], grad + k * P, NULL) == PINN_SUCCESS);
    g[k][0] = grad[k * P + P - 1];
  }
  CU_ASSERT_DOUBLE_EQUAL(th[P - 1], 0.003, 0);
  CU_ASSERT_DOUBLE_EQUAL(th[2 * P - 1], 0.3, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(f[1], f[0], 1e-14 * fabs(f[0]));
  CU_ASSERT(fabs(g[0][0]) > 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(g[1][0], scale * g[0][0], 1e-12 * fabs(g[0][0]));
  /* central difference in theta of the scaled loss */
  const double h = 1e-5;
  double fp, fm;
  th[2 * P - 1] += h;
  pinn_loss_eval(l[1], th + P, &fp, NULL, NULL);
  CU_ASSERT_DOUBLE_EQUAL(pinn_loss_coef(l[1], 0), (0.3 + h) * scale, 1e-15);
  th[2 * P - 1] -= 2 * h;
  pinn_loss_eval(l[1], th + P, &fm, NULL, NULL);
  CU_ASSERT_DOUBLE_EQUAL((fp - fm) / (2 * h), g[1][0], 1e-7 * fabs(g[1][0]) + 1e-12);
  /* bad scales and indices are refused with a message */
  CU_ASSERT_EQUAL(pinn_problem_set_coefficient_scale(p[0], 0, 0.0), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_set_coefficient_scale(p[0], 0, NAN), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_set_coefficient_scale(p[0], 1, 1.0), PINN_EINVAL);
  CU_ASSERT(strstr(pinn_problem_errmsg(p[0]), "coefficients") != NULL);
  CU_ASSERT(isnan(pinn_problem_coef_scale(p[0], 1)));
  for (int k = 0; k < 2; ++k) {
    pinn_loss_free(l[k]);
    pinn_mlp_free(net[k]);
    pinn_problem_free(p[k]);
  }
  free(th);
  free(grad);
}

static void condition_terms_have_exact_gradients(void)
{
  /* 2D box with time: Dirichlet, Neumann, Robin, periodic (C^1), initial,
   * initial rate, data */
  pinn_problem *p = pinn_test_conditions_problem(0);
  pinn_mlp *net = pinn_test_small_net(3, 1, PINN_ACT_GELU, 2);
  check_problem_gradient(p, net, "conditions");
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

static void obstacle_barriers_and_complementarity_have_exact_gradients(void)
{
  const pinn_barrier_kind kinds[] = {PINN_BARRIER_RELU2, PINN_BARRIER_RELU, PINN_BARRIER_LEAKY,
                                     PINN_BARRIER_SOFTPLUS};
  for (size_t b = 0; b < 4; ++b) {
    pinn_problem *p = pinn_problem_alloc("obst", 1, 0, 1, NULL);
    pinn_domain dom;
    pinn_domain_interval(&dom, 0, 1, NULL);
    pinn_problem_set_domain(p, &dom);
    pinn_barrier bar = pinn_barrier_default();
    bar.kind = kinds[b];
    bar.rho = 10;
    bar.param = kinds[b] == PINN_BARRIER_LEAKY ? 0.1 : 20;
    CU_ASSERT_EQUAL(pinn_problem_add_obstacle(p, "obs", 0, b % 2 ? -1 : 1, pinn_test_quarter, NULL, &bar), 0);
    CU_ASSERT_EQUAL(pinn_problem_add_complementarity(p, "comp", 0, pinn_test_poisson_R, PINN_NEED_XX, NULL,
                                                     pinn_test_quarter, NULL),
                    0);
    /* both senses of both terms: lower/upper barrier, upper/lower complementarity */
    CU_ASSERT_EQUAL(pinn_problem_set_sense(p, 1, b % 2 ? 1 : -1), 0);
    CU_ASSERT_EQUAL(pinn_problem_term_sense(p, 1), b % 2 ? 1 : -1);
    CU_ASSERT_EQUAL(pinn_problem_term_sense(p, 0), b % 2 ? -1 : 1);
    pinn_problem_set_points(p, 0, 2000);
    pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 3 + b);
    char what[64];
    snprintf(what, sizeof what, "barrier %s", pinn_barrier_name(kinds[b]));
    check_problem_gradient(p, net, what);
    pinn_mlp_free(net);
    pinn_problem_free(p);
  }
}

static void systems_of_outputs_and_residuals_have_exact_gradients(void)
{
  pinn_problem *p = pinn_problem_alloc("sys", 2, 0, 2, NULL);
  pinn_domain dom;
  double c[2] = {0, 0};
  pinn_domain_ball(&dom, 2, c, 1.0, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_set_output_names(p, "phi,psi"), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 2, pinn_test_system_residual,
                                            PINN_NEED_LAPLACIAN | PINN_NEED_GRAD | PINN_NEED_XY,
                                            NULL),
                  0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc1", 1, pinn_test_quarter, NULL), 0);
  pinn_mlp *net = pinn_test_small_net(2, 2, PINN_ACT_SILU, 4);
  check_problem_gradient(p, net, "system");
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

static int heat2d(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_sub(u->t, pd_scale(pd_add(u->xx, u->yy), 0.3));
  r[1] = pd_mul(u[1].v, u[1].x);
  return 0;
}

static void hard_constraint_transforms_have_exact_gradients_and_exact_data(void)
{
  pinn_problem *p = pinn_problem_alloc("hard", 2, 1, 2, NULL);
  pinn_domain dom;
  double lo[2] = {0, 0}, hi[2] = {1, 1};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 2, heat2d,
                            PINN_NEED_T | PINN_NEED_LAPLACIAN | PINN_NEED_X, NULL);
  pinn_problem_add_neumann(p, "flux", 0, pinn_test_quarter, NULL);
  pinn_problem_set_points(p, 0, 300);
  pinn_transform td = pinn_transform_dirichlet(0, pinn_test_tr_g, pinn_test_tr_d, NULL);
  pinn_transform to = pinn_transform_obstacle(1, pinn_test_tr_psi, 3.0, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &td), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &to), 0);
  CU_ASSERT_EQUAL(pinn_problem_n_transforms(p), 2);
  pinn_problem *q = pinn_problem_alloc("hard_bad", 2, 1, 2, NULL); /* a refused transform */
  pinn_transform bad = pinn_transform_dirichlet(5, pinn_test_tr_g, pinn_test_tr_d, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(q, &bad), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_status(q), PINN_EINVAL);
  pinn_problem_free(q);
  pinn_mlp *net = pinn_test_small_net(3, 2, PINN_ACT_TANH, 8);
  check_problem_gradient(p, net, "hard constraints");
  /* the data hold exactly where d = 0, and u1 >= psi everywhere */
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  double x[4 * 3] = {0, 0.3, 0.7, 1, 0.6, 0.2, 0.4, 0, 0.9, 0.5, 0.5, 0.0}, u[8];
  CU_ASSERT_EQUAL(pinn_loss_predict(l, 4, x, u), 0);
  CU_ASSERT_DOUBLE_EQUAL(u[0], 0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(u[2], 0.5 + 0.2 * 1.0 * 0.6, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(u[4], 0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(u[6], 0.5 + 0.2 * 0.25, 1e-15); /* t = 0 */
  for (int i = 0; i < 4; ++i) CU_ASSERT(u[2 * i + 1] >= 0.1 * sin(x[3 * i]) - 1e-15);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ------------------------------------------ residuals of any order */

/* pinn_test_rd_residual written on Taylor quantities: d = u, u_x, u_t, u_xx. */
static int rd_any(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)ctx;
  pinn_dual diff = pd_mul(c[0], d[3]);
  pinn_dual nl = pd_sub(pd_powi(d[0], 3), pd_mul(pd_exp(d[0]), d[1]));
  r[0] = pd_subc(pd_add(pd_sub(d[2], diff), nl), sin(x[0]));
  r[1] = pd_scale(pd_mul(d[0], d[2]), 0.5);
  return 0;
}

/* The same residual through the Taylor engine and through the second-order
 * jets: the same loss, term values and gradient (coefficient included) to
 * rounding, and the same residual field. */
static void a_residual_of_any_order_is_the_jet_residual_when_both_can_read_it(void)
{
  pinn_problem *a = pinn_test_rd_problem(0.3);
  pinn_problem *b = pinn_problem_alloc("rd", 1, 1, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(b, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(b, "nu", 0.3, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(b, "pde", 2, rd_any, "x,t,xx", NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_kind(b, 0), PINN_TERM_RESIDUAL_ANY);
  pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 1);
  pinn_loss *la = pinn_loss_alloc(a, net, NULL, NULL), *lb = pinn_loss_alloc(b, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(la);
  CU_ASSERT_PTR_NOT_NULL_FATAL(lb);
  const size_t P = pinn_loss_n_params(la);
  CU_ASSERT_EQUAL_FATAL(P, pinn_loss_n_params(lb));
  double *ga = calloc(P, sizeof *ga), *gb = calloc(P, sizeof *gb), fa, fb;
  CU_ASSERT_EQUAL(pinn_loss_eval(la, NULL, &fa, ga, NULL), 0);
  CU_ASSERT_EQUAL(pinn_loss_eval(lb, NULL, &fb, gb, NULL), 0);
  CU_ASSERT(fa > 1e-3 && fabs(fa - fb) <= 1e-13 * fa);
  double worst = 0, gmax = 0;
  for (size_t j = 0; j < P; ++j) {
    worst = fmax(worst, fabs(ga[j] - gb[j]));
    gmax = fmax(gmax, fabs(ga[j]));
  }
  CU_ASSERT(gmax > 1e-3 && worst <= 1e-12 * gmax);
  CU_ASSERT(fabs(ga[P - 1]) > 1e-6); /* the coefficient's gradient is there */
  const double x[6] = {-0.5, 0.1, 0.2, 0.5, 0.7, 0.9};
  double ra[3], rb[3];
  CU_ASSERT_EQUAL(pinn_loss_residual_at(la, 0, 3, x, ra), 0);
  CU_ASSERT_EQUAL(pinn_loss_residual_at(lb, 0, 3, x, rb), 0);
  for (int q = 0; q < 3; ++q) CU_ASSERT(fabs(ra[q] - rb[q]) <= 1e-13 * fmax(1.0, ra[q]));
  /* the least-squares rows too: the same R through either engine */
  CU_ASSERT_EQUAL(pinn_lsq_check(lb, NULL), PINN_SUCCESS);
  const size_t nr = pinn_lsq_n_residuals(la);
  CU_ASSERT_FATAL(nr > 0 && nr == pinn_lsq_n_residuals(lb));
  double *Ra = malloc(nr * sizeof *Ra), *Rb = malloc(nr * sizeof *Rb);
  CU_ASSERT_EQUAL(pinn_lsq_eval(la, NULL, Ra, NULL), 0);
  CU_ASSERT_EQUAL(pinn_lsq_eval(lb, NULL, Rb, NULL), 0);
  double rw = 0, rmax = 0;
  for (size_t i = 0; i < nr; ++i) {
    rw = fmax(rw, fabs(Ra[i] - Rb[i]));
    rmax = fmax(rmax, fabs(Ra[i]));
  }
  CU_ASSERT(rmax > 1e-3 && rw <= 1e-12 * rmax);
  free(Ra); free(Rb);
  free(ga); free(gb);
  pinn_loss_free(la); pinn_loss_free(lb);
  pinn_mlp_free(net);
  pinn_problem_free(a); pinn_problem_free(b);
}

/* Series-form g, d, psi of (x, t) for the reaction-diffusion problem. */
static int rd_g(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(pt_sin(x[0]), pt_exp(pt_neg(x[1])));
  return 0;
}
static int rd_d(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(pt_csub(1.0, pt_sq(x[0])), x[1]);
  return 0;
}
static int rd_psi(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_scale(pt_cos(pt_add(x[0], x[1])), 0.2);
  return 0;
}

/* With a series-form transform the two routes still agree: the Taylor
 * engine composes u = g + d N (or psi + softplus(N)) along its directions,
 * the jets by the second-order formulas on channels derived from the same
 * series. */
static void a_transformed_residual_of_any_order_is_the_transformed_jet_residual(void)
{
  const pinn_transform trs[2] = {pinn_transform_dirichlet_series(0, rd_g, rd_d, NULL),
                                 pinn_transform_obstacle_series(0, rd_psi, 2.5, NULL)};
  for (int k = 0; k < 2; ++k) {
    pinn_problem *a = pinn_test_rd_problem(0.3);
    pinn_problem *b = pinn_problem_alloc("rd", 1, 1, 1, NULL);
    pinn_domain dom;
    pinn_domain_interval(&dom, -1, 1, NULL);
    pinn_domain_with_time(&dom, 0, 1, NULL);
    CU_ASSERT_EQUAL(pinn_problem_set_domain(b, &dom), 0);
    CU_ASSERT_EQUAL(pinn_problem_add_coefficient(b, "nu", 0.3, NULL), 0);
    CU_ASSERT_EQUAL(pinn_problem_add_residual_any(b, "pde", 2, rd_any, "x,t,xx", NULL), 0);
    CU_ASSERT_EQUAL(pinn_problem_set_transform(a, &trs[k]), 0);
    CU_ASSERT_EQUAL(pinn_problem_set_transform(b, &trs[k]), 0);
    pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 1);
    pinn_loss *la = pinn_loss_alloc(a, net, NULL, NULL), *lb = pinn_loss_alloc(b, net, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(la);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lb);
    const size_t P = pinn_loss_n_params(la);
    double *ga = calloc(P, sizeof *ga), *gb = calloc(P, sizeof *gb), fa, fb, fa0;
    CU_ASSERT_EQUAL(pinn_loss_eval(la, NULL, &fa, ga, NULL), 0);
    CU_ASSERT_EQUAL(pinn_loss_eval(lb, NULL, &fb, gb, NULL), 0);
    CU_ASSERT(fa > 1e-3 && fabs(fa - fb) <= 1e-12 * fa);
    double worst = 0, gmax = 0;
    for (size_t j = 0; j < P; ++j) {
      worst = fmax(worst, fabs(ga[j] - gb[j]));
      gmax = fmax(gmax, fabs(ga[j]));
    }
    CU_ASSERT(gmax > 1e-3 && worst <= 1e-11 * gmax);
    const double x[6] = {-0.5, 0.1, 0.2, 0.5, 0.7, 0.9};
    double ra[3], rb[3];
    CU_ASSERT_EQUAL(pinn_loss_residual_at(la, 0, 3, x, ra), 0);
    CU_ASSERT_EQUAL(pinn_loss_residual_at(lb, 0, 3, x, rb), 0);
    for (int q = 0; q < 3; ++q) CU_ASSERT(fabs(ra[q] - rb[q]) <= 1e-12 * fmax(1.0, ra[q]));
    /* and the transform matters: without it the loss is another number */
    pinn_problem *c = pinn_test_rd_problem(0.3);
    pinn_loss *lc = pinn_loss_alloc(c, net, NULL, NULL);
    CU_ASSERT_EQUAL(pinn_loss_eval(lc, NULL, &fa0, NULL, NULL), 0);
    CU_ASSERT(fabs(fa0 - fa) > 1e-3 * fa);
    pinn_loss_free(lc);
    pinn_problem_free(c);
    free(ga); free(gb);
    pinn_loss_free(la); pinn_loss_free(lb);
    pinn_mlp_free(net);
    pinn_problem_free(a); pinn_problem_free(b);
  }
}

/* Two outputs, a coefficient, the biharmonic, a mixed third and a time
 * derivative: d = (u0, lap2 u0, u0_xxy, u0_t, u1, lap2 u1, u1_xxy, u1_t). */
static int plate_any(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r,
                     void *ctx)
{
  (void)ctx;
  r[0] = pd_subc(pd_add(d[1], pd_mul(c[0], d[6])), sin(x[0] + x[1]));
  r[1] = pd_add(pd_mul(d[0], d[7]), pd_scale(d[3], 0.5));
  return 0;
}

/* On the boundary: d = (u0, lap u0, u1, lap u1). */
static int edge_any(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r,
                    void *ctx)
{
  (void)c, (void)ctx;
  r[0] = pd_add(d[1], pd_scale(pd_mul(d[2], d[3]), x[0]));
  return 0;
}

/* The plate system on (0,1) x (0,2) x (0,1): a coefficient c, the
 * fourth-order residual (lap2, xxy, t), a Dirichlet term on output 1 and a
 * boundary residual "lap" on output 0. */
static pinn_problem *plate_system(const char *name)
{
  pinn_problem *p = pinn_problem_alloc(name, 2, 1, 2, NULL);
  pinn_domain dom;
  double lo[2] = {0, 0}, hi[2] = {1, 2};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "c", 0.7, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "pde", 2, plate_any, "lap2,xxy,t", NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 1, pinn_test_quarter, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_boundary_residual_any(p, "edge", 1, edge_any, "lap", NULL), 0);
  return p;
}

static void a_fourth_order_system_has_exact_gradients(void)
{
  pinn_problem *p = plate_system("plate");
  CU_ASSERT_EQUAL(pinn_problem_term_kind(p, 2), PINN_TERM_BOUNDARY_ANY);
  pinn_mlp *net = pinn_test_small_net(3, 2, PINN_ACT_TANH, 5);
  double mlo[3] = {0, 0, 0}, mhi[3] = {1, 2, 1};
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(net, mlo, mhi), 0); /* and through the input map */
  check_problem_gradient(p, net, "fourth-order system");
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* Five space dimensions and time: d = (u, u_x1x3, u_t) -> u_x1x3 + 10. */
static int mixed13(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_addc(d[1], 10.0);
  return 0;
}
/* d = (u, lap u) or (u, u_x0x0, ..., u_x4x4): the Laplacian plus u_t-free terms. */
static int lap5(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c;
  const int full = *(const int *)ctx;
  pinn_dual s = d[1];
  for (int i = 1; full && i < 5; ++i) s = pd_add(s, d[1 + i]);
  r[0] = pd_add(s, pd_scale(pd_mul(d[0], d[0]), x[4]));
  return 0;
}
static int ut_only(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)c, (void)ctx;
  r[0] = pd_sub(u->t, u->v);
  return 0;
}

/* Problems beyond 3 space dimensions (up to 8): inputs x0 .. x7 (and t),
 * derivatives named by input; the named jet's space derivatives, Neumann
 * and Robin terms refused with what to use instead; the full and the
 * collapsed Laplacian give the same loss and gradient; a mixed partial by
 * name equals the Taylor engine's by index. */
static void problems_in_five_dimensions_read_derivatives_by_input_name(void)
{
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_problem_alloc("nine", 9, 0, 1, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "1 to 8"));
  pinn_problem *p8 = pinn_problem_alloc("eight", 8, 1, 1, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p8);
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p8, 7), "x7");
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p8, 8), "t");
  CU_ASSERT_PTR_NULL(pinn_problem_input_name(p8, 9));
  pinn_problem_free(p8);

  const double lo[5] = {0, 0, 0, 0, 0}, hi[5] = {1, 1, 2, 1, 1};
  pinn_domain dom;
  CU_ASSERT_EQUAL(pinn_domain_box(&dom, 5, lo, hi, NULL), 0);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  pinn_problem *p = pinn_problem_alloc("five", 5, 1, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 0), "x0");
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 4), "x4");
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 5), "t");
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "a", 1, ut_only, PINN_NEED_X, NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "pinn_problem_add_residual_any"));
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "b", 1, ut_only, PINN_NEED_LAPLACIAN, NULL),
                  PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_add_neumann(p, "c", 0, NULL, NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "add_boundary_residual_any"));
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "d", 1, mixed13, "x,t", NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "(inputs: x0, x1, x2, x3, x4, t)"));
  pinn_problem_free(p);

  /* a mixed partial by name = the Taylor engine's by index */
  p = pinn_problem_alloc("five", 5, 1, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "m", 1, mixed13, "x1x3,t", NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "ut", 1, ut_only, PINN_NEED_T, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  pinn_mlp *net = pinn_test_small_net(6, 1, PINN_ACT_TANH, 3);
  pinn_loss_options o = pinn_loss_options_default();
  o.points_scale = 0.05;
  pinn_loss *l = pinn_loss_alloc(p, net, &o, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  enum { NP = 7 };
  double x[NP * 6], r2[NP], ref[NP];
  for (size_t q = 0; q < NP * 6; ++q) x[q] = 0.1 + 0.8 * (double)((q * 37) % 11) / 11.0;
  CU_ASSERT_EQUAL(pinn_loss_residual_at(l, 0, NP, x, r2), 0);
  pinn_taylor *t = pinn_taylor_alloc(6, &e);
  pinn_partial q13;
  pinn_partial_parse("13", &q13, NULL);
  pinn_taylor_add_partial(t, &q13);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, NP, x, ref), 0);
  for (size_t q = 0; q < NP; ++q)
    CU_ASSERT_DOUBLE_EQUAL(sqrt(r2[q]) - 10.0, ref[q], 1e-12 * (1 + fabs(ref[q])));
  pinn_taylor_free(t);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);

  /* full = collapsed Laplacian: loss and gradient */
  double f[2], *g[2];
  size_t P = 0;
  for (int full = 0; full < 2; ++full) {
    static int flag[2] = {0, 1};
    p = pinn_problem_alloc("five", 5, 0, 1, NULL);
    pinn_domain box;
    pinn_domain_box(&box, 5, lo, hi, NULL);
    pinn_problem_set_domain(p, &box);
    CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "pde", 1, lap5,
                                                  full ? "x0x0,x1x1,x2x2,x3x3,x4x4" : "lap",
                                                  &flag[full]), 0);
    CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), 0);
    net = pinn_test_small_net(5, 1, PINN_ACT_TANH, 4);
    l = pinn_loss_alloc(p, net, &o, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    P = pinn_loss_n_params(l);
    g[full] = malloc(P * sizeof *g[full]);
    CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f[full], g[full], NULL), 0);
    if (full) check_problem_gradient(p, net, "five-dimensional Laplacian, full");
    pinn_loss_free(l);
    pinn_mlp_free(net);
    pinn_problem_free(p);
  }
  CU_ASSERT(f[0] > 0);
  CU_ASSERT_DOUBLE_EQUAL(f[0], f[1], 1e-12 * f[0]);
  double gn = 0, dn = 0;
  for (size_t i = 0; i < P; ++i) {
    gn += g[0][i] * g[0][i];
    dn += (g[0][i] - g[1][i]) * (g[0][i] - g[1][i]);
  }
  CU_ASSERT(sqrt(dn) <= 1e-11 * sqrt(gn));
  free(g[0]);
  free(g[1]);
}

/* Series-form hard constraints of the plate system: g, d of (x, y, t) on
 * output 0, an obstacle psi on output 1. */
static int plate_g(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_add(pt_scale(pt_sin(x[0]), 0.2), pt_scale(pt_mul(x[1], x[2]), 0.1));
  return 0;
}
static int plate_d(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(pt_mul(pt_mul(x[0], pt_csub(1.0, x[0])), pt_mul(x[1], pt_csub(2.0, x[1]))),
                pt_addc(x[2], 0.5));
  return 0;
}
static int plate_psi(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_sub(pt_scale(pt_cos(pt_add(x[0], x[1])), 0.1), x[2]);
  return 0;
}

/* The same system with both outputs transformed: the fourth-order terms
 * see g + d N and psi + softplus(N) through the Taylor engine, the
 * second-order term through the jets, all from the same series. */
static void a_fourth_order_system_with_series_hard_constraints_has_exact_gradients(void)
{
  pinn_problem *p = plate_system("plate_hard");
  pinn_transform td = pinn_transform_dirichlet_series(0, plate_g, plate_d, NULL);
  pinn_transform to = pinn_transform_obstacle_series(1, plate_psi, 2.0, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &td), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &to), 0);
  pinn_mlp *net = pinn_test_small_net(3, 2, PINN_ACT_TANH, 5);
  double mlo[3] = {0, 0, 0}, mhi[3] = {1, 2, 1};
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(net, mlo, mhi), 0);
  check_problem_gradient(p, net, "fourth-order system with hard constraints");
  /* the loss is a finite positive number */
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  double *th = calloc(pinn_loss_n_params(l), sizeof *th), f = 0.0;
  pinn_loss_get_params(l, th);
  CU_ASSERT_EQUAL(pinn_loss_eval(l, th, &f, NULL, NULL), 0);
  CU_ASSERT(isfinite(f) && f > 0.0);
  free(th);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* What cannot be: names that are not coordinates, too many values for a
 * dual, an xjet-form output transform, a piecewise-linear network. */
static void residuals_of_any_order_refuse_what_they_cannot_do(void)
{
  pinn_problem *p = pinn_problem_alloc("beam", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "a", 1, plate_any, "xt", NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "'t' starts no input name (inputs: x)"));
  pinn_problem_free(p);
  p = pinn_problem_alloc("beam", 1, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "a", 1, plate_any, "xxxxxxxxx", NULL),
                  PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "order above 8"));
  pinn_problem_free(p);
  p = pinn_problem_alloc("beam", 1, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "a", 1, plate_any, "x,,xx", NULL), PINN_EINVAL);
  pinn_problem_free(p);
  pinn_problem *w = pinn_problem_alloc("wide", 1, 0, 3, NULL); /* 3 x 11 > 32 duals */
  pinn_problem_set_domain(w, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(w, "a", 1, plate_any,
                                                "x,xx,xxx,xxxx,x,xx,xxx,xxxx,x,xx", NULL),
                  PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(w), "PINN_DUAL_MAX"));
  pinn_problem_free(w);
  /* a transform, and a ReLU network: refused when the loss is built */
  p = pinn_problem_alloc("beam", 1, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "pde", 1, plate_any, "xxxx", NULL), 0);
  pinn_error e;
  pinn_mlp *relu = pinn_test_small_net(1, 1, PINN_ACT_RELU, 2);
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, relu, NULL, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "piecewise linear"));
  pinn_transform td = pinn_transform_dirichlet(0, pinn_test_tr_g, pinn_test_tr_d, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &td), 0);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 2);
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, NULL, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "output transform"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "series form"));
  pinn_mlp_free(net);
  pinn_mlp_free(relu);
  pinn_problem_free(p);
}

/* ------------------------------------------------- hand-computed values */

static void loss_values_match_hand_computed_numbers(void)
{
  /* network [1,1,1] tanh: u(x) = w2 tanh(w1 x + b1) + b2; data term at 3
   * points and an obstacle u >= 0.25 + 0.1x with the RELU2 barrier. */
  size_t sizes[] = {1, 1, 1};
  pinn_mlp_layout lay = {3, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  double *th = pinn_mlp_params(net);
  th[0] = 0.8; th[1] = 0.1; th[2] = 1.5; th[3] = -0.2;
  pinn_problem *p = pinn_problem_alloc("tiny", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  double xd[3] = {0.0, 0.5, 1.0}, yd[3] = {0.1, 0.4, 0.2};
  pinn_problem_add_data(p, "obs", 0, 3, xd, yd);
  pinn_barrier bar = pinn_barrier_default();
  bar.rho = 7;
  pinn_problem_add_obstacle(p, "ob", 0, 1, pinn_test_quarter, NULL, &bar);
  pinn_problem_set_points(p, 1, 16);
  pinn_problem_set_weight(p, 1, 0.5);
  pinn_loss_options o = pinn_loss_options_default();
  o.sampler = PINN_SAMPLER_GRID;
  pinn_loss *l = pinn_loss_alloc(p, net, &o, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  double f, terms[2];
  CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f, NULL, terms), 0);
  double s = 0;
  for (int i = 0; i < 3; ++i) {
    double u = 1.5 * tanh(0.8 * xd[i] + 0.1) - 0.2;
    s += (u - yd[i]) * (u - yd[i]);
  }
  CU_ASSERT_DOUBLE_EQUAL(terms[0], s / 3, 1e-15);
  size_t n;
  const double *x;
  pinn_loss_term_points(l, 1, &n, NULL, &x);
  CU_ASSERT_EQUAL(n, 16);
  double so = 0;
  for (size_t i = 0; i < n; ++i) {
    double u = 1.5 * tanh(0.8 * x[i] + 0.1) - 0.2, gap = 0.25 + 0.1 * x[i] - u;
    so += gap > 0 ? gap * gap : 0;
  }
  CU_ASSERT(so > 0); /* the constraint is violated somewhere: the term is live */
  CU_ASSERT_DOUBLE_EQUAL(terms[1], 7 * so / 16, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(f, terms[0] + 0.5 * terms[1], 1e-14);
  pinn_loss_free(l);
  pinn_problem_free(p);
  pinn_mlp_free(net);
}

/* pinn_loss_options.validation: a seeded share of each data term's
 * observations leaves the loss and is only measured, hand-checked on the
 * network [1,1,1] tanh, u(x) = 1.5 tanh(0.8 x + 0.1) - 0.2. */
static void a_validation_split_holds_out_a_seeded_share_of_the_observations(void)
{
  size_t sizes[] = {1, 1, 1};
  pinn_mlp_layout lay = {3, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  double *th = pinn_mlp_params(net);
  th[0] = 0.8; th[1] = 0.1; th[2] = 1.5; th[3] = -0.2;
  pinn_problem *p = pinn_problem_alloc("split", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  double xd[10], yd[10];
  for (int i = 0; i < 10; ++i) xd[i] = 0.1 * i, yd[i] = 0.05 * i * i;
  pinn_problem_add_residual(p, "pde", 1, pinn_test_poisson_R, PINN_NEED_XX, NULL);
  pinn_problem_add_data(p, "obs", 0, 10, xd, yd);
  pinn_problem_set_weight(p, 1, 3.0);
  pinn_loss_options o = pinn_loss_options_default();
  o.validation = 0.3;
  pinn_error e;
  pinn_loss *l = pinn_loss_alloc(p, net, &o, &e), *l2 = pinn_loss_alloc(p, net, &o, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l2);
  CU_ASSERT_EQUAL(pinn_loss_n_validation(l, 1), 3); /* round(0.3 * 10) */
  CU_ASSERT_EQUAL(pinn_loss_n_validation(l, 0), 0);
  size_t n, n2;
  const double *x, *x2;
  pinn_loss_term_points(l, 1, &n, NULL, &x);
  pinn_loss_term_points(l2, 1, &n2, NULL, &x2);
  CU_ASSERT_EQUAL_FATAL(n, 7);
  CU_ASSERT_EQUAL_FATAL(n2, 7);
  CU_ASSERT_EQUAL(memcmp(x, x2, 7 * sizeof *x), 0); /* the same seed, the same split */
  /* training points in the problem's order; the others are held out */
  int held[10], k = 0;
  for (int i = 0; i < 10; ++i) {
    held[i] = !(k < 7 && x[k] == xd[i]);
    k += !held[i];
  }
  CU_ASSERT_EQUAL(k, 7);
  double f, terms[2], sv = 0, st = 0;
  for (int i = 0; i < 10; ++i) {
    const double u = 1.5 * tanh(0.8 * xd[i] + 0.1) - 0.2, r2 = (u - yd[i]) * (u - yd[i]);
    if (held[i]) sv += r2 / 3;
    else st += r2 / 7;
  }
  const size_t evals = pinn_loss_n_evals(l);
  CU_ASSERT_EQUAL(pinn_loss_validation(l, NULL, &f, terms), 0);
  CU_ASSERT_DOUBLE_EQUAL(terms[1], sv, 1e-15);
  CU_ASSERT(isnan(terms[0]));
  CU_ASSERT_DOUBLE_EQUAL(f, 3.0 * sv, 3e-15);
  CU_ASSERT_EQUAL(pinn_loss_n_evals(l), evals); /* measuring is not an evaluation */
  CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f, NULL, terms), 0);
  CU_ASSERT_DOUBLE_EQUAL(terms[1], st, 1e-15); /* the loss trains on the 7 only */
  pinn_loss_free(l2);
  /* another seed, another split; no split without data; a fraction < 1 */
  o.seed = 2;
  l2 = pinn_loss_alloc(p, net, &o, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l2);
  pinn_loss_term_points(l2, 1, &n2, NULL, &x2);
  CU_ASSERT_NOT_EQUAL(memcmp(x, x2, 7 * sizeof *x), 0);
  pinn_loss_free(l2);
  o.validation = 1.0;
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, &o, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "0 <= v < 1"));
  pinn_loss_free(l);
  pinn_problem_free(p);
  p = pinn_problem_alloc("nodata", 1, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, pinn_test_poisson_R, PINN_NEED_XX, NULL);
  o.validation = 0.2;
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, &o, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no data term"));
  o.validation = 0;
  l = pinn_loss_alloc(p, net, &o, &e);
  CU_ASSERT_EQUAL(pinn_loss_validation(l, NULL, &f, NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "--validation"));
  pinn_loss_free(l);
  pinn_problem_free(p);
  pinn_mlp_free(net);
}

/* Upper complementarity u <= psi on the network [1,1,1] tanh,
 * u = w2 tanh(w1 x + b1) + b2, R = -u'' - 1: m = min(-R, psi - u) (the lower
 * problem of w = -u), and the multiplier -R, against closed forms. */
static void upper_complementarity_matches_hand_computed_numbers(void)
{
  size_t sizes[] = {1, 1, 1};
  pinn_mlp_layout lay = {3, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  double *th = pinn_mlp_params(net);
  th[0] = 1.7; th[1] = -0.6; th[2] = 0.9; th[3] = 0.05;
  pinn_problem *p = pinn_problem_alloc("tinyc", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  CU_ASSERT_EQUAL(pinn_problem_add_complementarity(p, "comp", 0, pinn_test_poisson_R, PINN_NEED_XX, NULL,
                                                   pinn_test_quarter, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_sense(p, 0), 1);
  CU_ASSERT_EQUAL(pinn_problem_set_sense(p, 0, -1), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_sense(p, 0, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "+1 (u >= psi) or -1 (u <= psi)"));
  CU_ASSERT_EQUAL(pinn_problem_add_data(p, "obs", 0, 1, (double[]){0.0}, (double[]){0.0}), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_sense(p, 1, -1), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "not an obstacle or complementarity"));
  CU_ASSERT_EQUAL(pinn_problem_term_sense(p, 1), 0);
  pinn_problem_set_points(p, 0, 40);
  pinn_loss_options o = pinn_loss_options_default();
  o.sampler = PINN_SAMPLER_GRID;
  pinn_loss *l = pinn_loss_alloc(p, net, &o, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  double f, terms[2], lam[40];
  CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f, NULL, terms), 0);
  size_t n;
  const double *x;
  pinn_loss_term_points(l, 0, &n, NULL, &x);
  CU_ASSERT_EQUAL_FATAL(n, 40);
  CU_ASSERT_EQUAL(pinn_loss_multiplier_at(l, 0, n, x, lam), 0);
  double sm = 0;
  int gap_wins = 0, pde_wins = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = tanh(1.7 * x[i] - 0.6), u = 0.9 * t + 0.05;
    const double uxx = 0.9 * 1.7 * 1.7 * (-2 * t * (1 - t * t)), R = -uxx - 1;
    const double gap = 0.25 + 0.1 * x[i] - u, m = fmin(-R, gap);
    sm += m * m;
    gap_wins += gap < -R;
    pde_wins += -R < gap;
    CU_ASSERT_DOUBLE_EQUAL(lam[i], -R, 1e-13);
  }
  CU_ASSERT(gap_wins > 3 && pde_wins > 3); /* both branches of the min are exercised */
  CU_ASSERT_DOUBLE_EQUAL(terms[0], sm / 40, 1e-14);
  CU_ASSERT_EQUAL(pinn_loss_multiplier_at(l, 1, n, x, lam), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "not a complementarity term"));
  pinn_loss_free(l);
  pinn_problem_free(p);
  pinn_mlp_free(net);
}

/* ------------------------------------------------- refusals and failures */

static int lap_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                        void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_add(u->xx, u->v);
  return 0;
}

static void second_order_residual_on_relu_network_is_refused(void)
{
  pinn_problem *p = pinn_problem_alloc("lap", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, lap_residual, PINN_NEED_XX, NULL);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_RELU, 1);
  pinn_error err;
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, NULL, &err));
  CU_ASSERT_EQUAL(err.code, PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "u_xx = 0 almost everywhere"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "tanh"));
  pinn_mlp_free(net);
  net = pinn_test_small_net(1, 1, PINN_ACT_LEAKY_RELU, 1);
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, NULL, &err));
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

static int undeclared_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                               void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_add(u->xx, u->x); /* u->x not declared */
  return 0;
}

static int nan_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                        void *ctx)
{
  (void)c; (void)ctx;
  r[0] = pd_log(pd_subc(u->v, x[0] > 0.7 ? 1e9 : -1e9)); /* log of a negative number */
  return 0;
}

static void failing_or_nan_callbacks_give_documented_errors(void)
{
  pinn_residual_fn fns[3] = {pinn_test_failing_residual, undeclared_residual, nan_residual};
  int codes[3] = {PINN_ECALLBACK, PINN_ENONFINITE, PINN_ENONFINITE};
  const char *words[3] = {"returned 3", "does not declare", "is NaN"};
  for (int i = 0; i < 3; ++i) {
    pinn_problem *p = pinn_problem_alloc("bad", 1, 0, 1, NULL);
    pinn_domain dom;
    pinn_domain_interval(&dom, 0, 1, NULL);
    pinn_problem_set_domain(p, &dom);
    pinn_problem_add_residual(p, "pde", 1, fns[i], PINN_NEED_XX, NULL);
    pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 1);
    pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    double f;
    int st = pinn_loss_eval(l, NULL, &f, NULL, NULL);
    CU_ASSERT_EQUAL(st, codes[i]);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "'pde'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), words[i]));
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "' at x="));
    /* through GSL the failure is a NaN, and the status stays on the loss */
    gsl_multimin_function_fdf F;
    pinn_loss_gsl_function(l, &F);
    gsl_vector *v = gsl_vector_alloc(F.n);
    pinn_loss_get_params(l, v->data);
    CU_ASSERT(isnan(F.f(v, F.params)));
    CU_ASSERT_EQUAL(pinn_loss_last_status(l), codes[i]);
    gsl_vector_free(v);
    pinn_loss_free(l);
    pinn_mlp_free(net);
    pinn_problem_free(p);
  }
}

/* ------------------------------------------- failure messages: term + point */

static void set_threads(int n)
{
#ifdef _OPENMP
  omp_set_num_threads(n);
#else
  (void)n;
#endif
}

/* "x=..., t=..." of point i of term `term` (the library's %.6g format). */
static void point_text(const pinn_loss *l, size_t term, size_t i, char *buf, size_t n)
{
  size_t np, dim;
  const double *x;
  pinn_loss_term_points(l, term, &np, &dim, &x);
  CU_ASSERT_FATAL(i < np && dim == 2);
  snprintf(buf, n, "x=%.6g, t=%.6g", x[i * dim], x[i * dim + 1]);
}

/* Index of the first point of the term with x > 0.5 (at least 3 chunks on). */
static size_t first_right(const pinn_loss *l, size_t term)
{
  size_t np, dim;
  const double *x;
  pinn_loss_term_points(l, term, &np, &dim, &x);
  for (size_t i = 0; i < np; ++i)
    if (x[i * dim] > 0.5) return i;
  CU_FAIL("no point with x > 0.5");
  return 0;
}

/* Evaluate with 1 and with 2 threads (gradient too): the same status and
 * message both times, which must contain the term and the point. */
static int eval_both(pinn_loss *l, const char *term, const char *where, const char *what)
{
  double f, *g = malloc(pinn_loss_n_params(l) * sizeof *g);
  char m1[PINN_ERRMSG_SIZE];
  set_threads(1);
  int st1 = pinn_loss_eval(l, NULL, &f, g, NULL);
  snprintf(m1, sizeof m1, "%s", pinn_loss_errmsg(l));
  set_threads(2);
  int st2 = pinn_loss_eval(l, NULL, &f, g, NULL);
  set_threads(1);
  free(g);
  CU_ASSERT_EQUAL(st1, st2);
  CU_ASSERT_STRING_EQUAL(m1, pinn_loss_errmsg(l));
  CU_ASSERT_EQUAL(pinn_loss_last_status(l), st1);
  char want[256];
  snprintf(want, sizeof want, "term '%s' at %s: ", term, where);
  CU_ASSERT_PTR_NOT_NULL(strstr(m1, want));
  CU_ASSERT_PTR_NOT_NULL(strstr(m1, what));
  CU_ASSERT_PTR_NULL(strchr(m1, '\n'));
  if (!strstr(m1, want) || !strstr(m1, what)) printf("\n  want '%s' and '%s' in: %s\n", want, what, m1);
  return st1;
}

/* A residual that fails at the points with x > 0.5, in the way *ctx says. */
static int faulty_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                           void *ctx)
{
  const int mode = *(const int *)ctx;
  r[0] = pd_add(pd_add(u->t, pd_mul(c[0], u->xx)), u->x);
  r[1] = pd_sub(u->v, u->x);
  if (x[0] <= 0.5) return 0;
  switch (mode) {
  case 1: return 3;                                   /* the callback fails */
  case 2: r[1] = pd_log(pd_addc(pd_sq(u->v), -1e9)); break; /* NaN from finite inputs */
  case 3: r[0] = pd_add(r[0], u->tt); break;          /* reads u_tt, not declared */
  case 4: r[0] = pd_add(r[0], u->y); break;           /* reads u_y: the problem has no y */
  case 5:                                             /* infinite d r0 / d u_xx */
    for (int k = 0; k < PINN_DUAL_MAX; ++k)
      if (u->xx.d[k] != 0) r[0].d[k] = INFINITY;
    break;
  case 6: r[1] = pd_addc(pd_scale(r[1], 1e-10), 1e200); break; /* finite, its square is not */
  default: break;
  }
  return 0;
}

static pinn_problem *faulty_problem(int *mode, int dirichlet_first)
{
  pinn_problem *p = pinn_problem_alloc("faulty", 1, 1, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "nu", 0.1, NULL), 0);
  if (dirichlet_first) CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 2, faulty_residual,
                                            PINN_NEED_X | PINN_NEED_T | PINN_NEED_XX, mode),
                  0);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, dirichlet_first ? 1 : 0, 3000), 0);
  return p;
}

static void residual_failures_name_the_term_the_point_and_what_failed(void)
{
  const char *what[7] = {NULL,
                         "the residual callback returned 3",
                         "residual component 1 is NaN",
                         "reads u_tt, which the term does not declare (add PINN_NEED_TT",
                         "reads u_y, but the problem has no coordinate y",
                         "residual component 0 (= ",
                         "the squared residual overflows (component 1 = 1e+200)"};
  const int codes[7] = {0, PINN_ECALLBACK, PINN_ENONFINITE, PINN_ENONFINITE, PINN_ENONFINITE,
                        PINN_ENONFINITE, PINN_ENONFINITE};
  for (int mode = 1; mode <= 6; ++mode) {
    pinn_problem *p = faulty_problem(&mode, 0);
    pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 3);
    pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    char where[96];
    const size_t i = first_right(l, 0);
    CU_ASSERT(i > 0); /* not simply the first point */
    point_text(l, 0, i, where, sizeof where);
    CU_ASSERT_EQUAL(eval_both(l, "pde", where, what[mode]), codes[mode]);
    if (mode == 5)
      CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "derivative with respect to u_xx"));
    pinn_loss_free(l);
    pinn_mlp_free(net);
    pinn_problem_free(p);
  }
}

static void non_finite_network_values_and_coefficients_are_named(void)
{
  int mode = 0;
  /* a NaN coefficient: the residual term names it at its first point */
  pinn_problem *p = faulty_problem(&mode, 0);
  pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 3);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  const size_t P = pinn_loss_n_params(l);
  double *th = malloc(P * sizeof *th);
  pinn_loss_get_params(l, th);
  th[P - 1] = NAN;
  pinn_loss_set_params(l, th);
  char where[96];
  point_text(l, 0, 0, where, sizeof where);
  CU_ASSERT_EQUAL(eval_both(l, "pde", where, "coefficient nu is NaN"), PINN_ENONFINITE);
  /* NaN weights: the network's own value is named, for a residual term ... */
  th[P - 1] = 0.1;
  th[0] = NAN;
  pinn_loss_set_params(l, th);
  CU_ASSERT_EQUAL(eval_both(l, "pde", where, "output u is NaN"), PINN_ENONFINITE);
  pinn_loss_free(l);
  pinn_problem_free(p);
  /* ... and for a condition term */
  p = faulty_problem(&mode, 1);
  l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  pinn_loss_set_params(l, th);
  point_text(l, 0, 0, where, sizeof where);
  CU_ASSERT_EQUAL(eval_both(l, "walls", where, "output u is NaN"), PINN_ENONFINITE);
  free(th);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* Boundary data: NaN at x = 1, the callback fails (returns 4) at x = 1 when
 * *ctx is 1; initial data: NaN for x > 0.5. */
static int bad_g(const double *x, double *v, void *ctx)
{
  *v = x[0] > 0.5 ? NAN : 0.0;
  return (ctx && *(const int *)ctx == 1 && x[0] > 0.5) ? 4 : 0;
}

static void data_function_failures_name_the_term_and_the_point(void)
{
  pinn_error err;
  pinn_mlp *net1 = pinn_test_small_net(1, 1, PINN_ACT_TANH, 3), *net2 = pinn_test_small_net(2, 1, PINN_ACT_TANH, 3);
  const int fail = 1;
  for (int mode = 0; mode < 3; ++mode) {
    const int timed = mode == 2;
    pinn_problem *p = pinn_problem_alloc("g", 1, timed, 1, NULL);
    pinn_domain dom;
    pinn_domain_interval(&dom, 0, 1, NULL);
    if (timed) pinn_domain_with_time(&dom, 0, 2, NULL);
    pinn_problem_set_domain(p, &dom);
    if (timed) pinn_problem_add_initial(p, "start", 0, bad_g, NULL);
    else pinn_problem_add_dirichlet(p, "walls", 0, bad_g, mode == 1 ? (void *)&fail : NULL);
    CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, timed ? net2 : net1, NULL, &err));
    const char *want[3] = {"term 'walls' at x=1: boundary data g returned NaN",
                           "term 'walls' at x=1: boundary data g failed: its callback returned 4",
                           "initial data g returned NaN"};
    CU_ASSERT_EQUAL(err.code, mode == 1 ? PINN_ECALLBACK : PINN_ENONFINITE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want[mode]));
    if (timed) CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "term 'start' at x=0."));
    if (timed) CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ", t=0: "));
    if (!strstr(err.msg, want[mode])) printf("\n  want '%s' in: %s\n", want[mode], err.msg);
    pinn_problem_free(p);
  }
  pinn_mlp_free(net1);
  pinn_mlp_free(net2);
}

static void mismatched_network_and_bad_terms_are_rejected(void)
{
  pinn_error err;
  pinn_problem *p = pinn_problem_alloc("mm", 2, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), PINN_EINVAL); /* 1D domain for a 2D problem */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "space dimension"));
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 1, lap_residual, PINN_NEED_T, NULL),
                  PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_add_initial(p, "ini", 0, NULL, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 1, NULL, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bad name", 0, NULL, NULL), PINN_EINVAL);
  double lo[2] = {0, 0}, hi[2] = {1, 1};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), PINN_EINVAL); /* duplicate */
  pinn_mlp *net = pinn_test_small_net(3, 1, PINN_ACT_TANH, 1);
  /* the failed setup calls above are sticky: the first one is reported */
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, NULL, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "problem setup failed: set_domain: "));
  pinn_problem_free(p);
  p = pinn_problem_alloc("mm", 2, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), 0);
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, NULL, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "inputs"));
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ------------------------------------------------- determinism, RAR */

static void loss_is_bitwise_identical_with_one_and_two_threads(void)
{
#ifdef _OPENMP
  pinn_problem *p = pinn_test_rd_problem(0.3);
  pinn_problem_add_initial(p, "ini", 0, pinn_test_sin_pi_x, NULL);
  pinn_problem_set_points(p, 0, 3000);
  pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 9);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  const size_t P = pinn_loss_n_params(l);
  double *g1 = malloc(P * sizeof *g1), *g2 = malloc(P * sizeof *g2), f1, f2;
  int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  pinn_loss_eval(l, NULL, &f1, g1, NULL);
  omp_set_num_threads(2);
  pinn_loss_eval(l, NULL, &f2, g2, NULL);
  omp_set_num_threads(saved);
  CU_ASSERT_EQUAL(memcmp(&f1, &f2, sizeof f1), 0);
  CU_ASSERT_EQUAL(memcmp(g1, g2, P * sizeof *g1), 0);
  CU_ASSERT(g1[P - 1] != 0.0); /* the coefficient's gradient is live */
  free(g1); free(g2);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
#endif
}

static void refinement_adds_the_points_with_largest_residuals(void)
{
  pinn_problem *p = pinn_problem_alloc("rar", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, pinn_test_poisson_R, PINN_NEED_XX, NULL);
  pinn_problem_set_points(p, 0, 50);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 5);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_refine(l, 0, 500, 10), PINN_SUCCESS);
  size_t n;
  const double *x;
  pinn_loss_term_points(l, 0, &n, NULL, &x);
  CU_ASSERT_EQUAL(n, 60);
  double r_new[10], r_old[50];
  pinn_loss_residual_at(l, 0, 10, x + 50, r_new);
  pinn_loss_residual_at(l, 0, 50, x, r_old);
  double min_new = INFINITY, mean_old = 0;
  for (int i = 0; i < 10; ++i) min_new = fmin(min_new, r_new[i]);
  for (int i = 0; i < 50; ++i) mean_old += r_old[i] / 50;
  CU_ASSERT(min_new >= mean_old);
  CU_ASSERT_EQUAL(pinn_loss_resample(l), PINN_SUCCESS);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* r = x on (0, 1), whatever the network: |r| = x. */
static int residual_is_x(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                         void *ctx)
{
  (void)c;
  (void)ctx;
  r[0] = pd_addc(pd_scale(u[0].v, 0.0), x[0]);
  return 0;
}

/* The mean x of term 0's points after one RAD draw (k, c) from 20000
 * candidates; the points of a second loss drawn the same way (same, or
 * another round) compared into *same. */
static double rad_mean(double k, double c, size_t round, int *same)
{
  pinn_problem *p = pinn_problem_alloc("rad", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, residual_is_x, PINN_NEED_X, NULL);
  pinn_problem_set_points(p, 0, 2000);
  pinn_problem_add_dirichlet(p, "ends", 0, NULL, NULL);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 5);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL), *l2 = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_redistribute(l, 0, 20000, k, c, 7), PINN_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_redistribute(l2, 0, 20000, k, c, round), PINN_SUCCESS);
  size_t n, n2;
  const double *x, *x2;
  pinn_loss_term_points(l, 0, &n, NULL, &x);
  pinn_loss_term_points(l2, 0, &n2, NULL, &x2);
  CU_ASSERT_EQUAL(n, 2000);
  CU_ASSERT_EQUAL(n2, 2000);
  *same = memcmp(x, x2, n * sizeof *x) == 0;
  double mean = 0;
  int inside = 1;
  for (size_t i = 0; i < n; ++i) {
    mean += x[i] / (double)n;
    inside &= x[i] >= 0 && x[i] <= 1;
  }
  CU_ASSERT(inside);
  pinn_loss_free(l);
  pinn_loss_free(l2);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  return mean;
}

/* RAD with |r| = x: density ~ x (k = 1, c = 0) gives points of mean near
 * 2/3 (a 10% draw without replacement: a little below), uniform (k = 0)
 * near 1/2, the paper's k = 1, c = 1 (x / mean|r| + 1 = 2x + 1, mean
 * (2/3 + 1/2) / 2) near 7/12; the same seed and round draw the same
 * points, another round others. */
static void redistribution_draws_points_with_the_residual_density(void)
{
  int same;
  const double m1 = rad_mean(1, 0, 7, &same);
  CU_ASSERT(same);
  const double m0 = rad_mean(0, 1, 8, &same);
  CU_ASSERT(!same);
  const double m11 = rad_mean(1, 1, 7, &same);
  printf("\n  RAD means: %.4f (k=1,c=0; 2/3 exact), %.4f (uniform; 1/2), %.4f (k=1,c=1; 7/12)\n",
         m1, m0, m11);
  CU_ASSERT(fabs(m1 - 2.0 / 3) < 0.03);
  CU_ASSERT(fabs(m0 - 0.5) < 0.03);
  CU_ASSERT(fabs(m11 - 7.0 / 12) < 0.03);
  /* errors */
  pinn_problem *p = pinn_problem_alloc("rad_bad", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, residual_is_x, PINN_NEED_X, NULL);
  pinn_problem_set_points(p, 0, 100);
  pinn_problem_add_dirichlet(p, "ends", 0, NULL, NULL);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 5);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_EQUAL(pinn_loss_redistribute(l, 1, 1000, 1, 1, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "residual term"));
  CU_ASSERT_EQUAL(pinn_loss_redistribute(l, 0, 50, 1, 1, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "at least as many candidates"));
  CU_ASSERT_EQUAL(pinn_loss_redistribute(l, 0, 1000, -1, 1, 0), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_loss_redistribute(l, 0, 1000, 1, NAN, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(l), "k >= 0 and c >= 0"));
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

static void barrier_continuation_grows_rho_to_its_cap(void)
{
  pinn_problem *p = pinn_problem_alloc("cont", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_barrier b = {PINN_BARRIER_RELU2, 10, 0, 3, 50};
  CU_ASSERT_EQUAL(pinn_problem_add_obstacle(p, "ob", 0, 1, pinn_test_quarter, NULL, &b), 0);
  pinn_problem *q = pinn_problem_alloc("cont_bad", 1, 0, 1, NULL);
  pinn_barrier bad = {PINN_BARRIER_RELU2, -1, 0, 1, 1};
  CU_ASSERT_EQUAL(pinn_problem_add_obstacle(q, "ob2", 0, 1, pinn_test_quarter, NULL, &bad), PINN_EINVAL);
  pinn_problem_free(q);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 5);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_DOUBLE_EQUAL(pinn_loss_barrier_rho(l, 0), 10, 0);
  CU_ASSERT_EQUAL(pinn_loss_continue(l), 1);
  CU_ASSERT_DOUBLE_EQUAL(pinn_loss_barrier_rho(l, 0), 30, 0);
  pinn_loss_continue(l);
  CU_ASSERT_DOUBLE_EQUAL(pinn_loss_barrier_rho(l, 0), 50, 0);
  CU_ASSERT_EQUAL(pinn_loss_continue(l), 0);
  pinn_barrier parsed = pinn_barrier_default();
  CU_ASSERT_EQUAL(pinn_barrier_parse("softplus:30", &parsed, NULL), 0);
  CU_ASSERT_EQUAL(parsed.kind, PINN_BARRIER_SOFTPLUS);
  CU_ASSERT_DOUBLE_EQUAL(parsed.param, 30, 0);
  CU_ASSERT_EQUAL(pinn_barrier_parse("leaky:2", &parsed, NULL), PINN_EINVAL);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ------------------------------------------------- checkpoint state */

/* A 1-D problem with a residual, a Dirichlet term (normals) and a data term
 * of 5 observations. */
static pinn_problem *state_problem(void)
{
  static const double ox[5] = {0.1, 0.3, 0.5, 0.7, 0.9};
  static const double oy[5] = {0.3, 0.8, 1.0, 0.8, 0.3};
  pinn_problem *p = pinn_problem_alloc("state", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, pinn_test_poisson_R, PINN_NEED_XX, NULL);
  pinn_problem_set_points(p, 0, 40);
  pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL);
  pinn_problem_add_data(p, "obs", 0, 5, ox, oy);
  return p;
}

static void save_state_file(pinn_loss *l, const char *path)
{
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  CU_ASSERT_EQUAL(pinn_loss_save_state(l, w, "/loss", &e), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
}

/* Replace dataset name of the file at path by one of the given shape holding
 * data (NULL: declared but never written, as a crafted file would). */
static void replace_dataset(const char *path, const char *name, hid_t type, int rank,
                            const hsize_t *dims, const void *data)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  CU_ASSERT(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
  hid_t s = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(f, name, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(d >= 0);
  if (data) CU_ASSERT(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
}

static void set_int_attr(const char *path, const char *obj, const char *name, long long v)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  CU_ASSERT(H5Adelete_by_name(f, obj, name, H5P_DEFAULT) >= 0);
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate_by_name(f, obj, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT,
                              H5P_DEFAULT);
  CU_ASSERT(a >= 0 && H5Awrite(a, H5T_NATIVE_LLONG, &v) >= 0);
  H5Aclose(a);
  H5Sclose(s);
  H5Fclose(f);
}

/* Load the state at path into l: the status, and the message in msg. */
static int load_state_file(pinn_loss *l, const char *path, char *msg, size_t cap)
{
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(path, &e);
  if (!r) {
    snprintf(msg, cap, "%s", e.msg);
    return e.code;
  }
  int st = pinn_loss_load_state(l, r, "/loss", &e);
  snprintf(msg, cap, "%s", st ? e.msg : "");
  if (st) CU_ASSERT_STRING_EQUAL(pinn_loss_errmsg(l), e.msg);
  pinn_h5_close(r);
  return st;
}

static void copy_file(const char *from, const char *to)
{
  FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
  CU_ASSERT_FATAL(a && b);
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, a)) > 0) fwrite(buf, 1, k, b);
  fclose(a);
  fclose(b);
}

static void saved_state_reloads_bitwise_and_corrupt_states_are_refused(void)
{
  char *dir = pinn_test_tmpdir("lossstate");
  char good[512], bad[512], msg[1024];
  snprintf(good, sizeof good, "%s/good.h5", dir);
  snprintf(bad, sizeof bad, "%s/bad.h5", dir);
  pinn_problem *p = state_problem();
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 3);
  pinn_loss_options o = pinn_loss_options_default();
  pinn_loss *a = pinn_loss_alloc(p, net, &o, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_EQUAL(pinn_loss_resample(a), 0); /* move the samplers on */
  save_state_file(a, good);
  o.seed = 99; /* another seed: only the file decides the points */
  pinn_loss *b = pinn_loss_alloc(p, net, &o, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  size_t n0;
  const double *x0;
  pinn_loss_term_points(b, 0, &n0, NULL, &x0);
  double before[64];
  CU_ASSERT_FATAL(n0 <= 64);
  memcpy(before, x0, n0 * sizeof *before);

  /* each corruption: refused with the field named, b unchanged */
  hsize_t d6[2] = {6, 1}, d40[2] = {40, 1}, d40x2[2] = {40, 2}, huge[2] = {300000000, 1},
          h31[2] = {(hsize_t)1 << 31, 1}, over[2] = {100000001, 1}, nb[1] = {1};
  double six[6] = {0.1, 0.3, 0.5, 0.7, 0.9, 0.95}, pts[80];
  const double *xa;
  size_t na;
  pinn_loss_term_points(a, 0, &na, NULL, &xa);
  CU_ASSERT_FATAL(na == 40);
  struct {
    const char *what, *ds, *expect;
    hid_t type;
    int rank;
    const hsize_t *dims;
    const void *data;
    int nan_at; /* >= 0: put NaN (or 5.0 when > 100) at this index of pts */
  } cases[] = {
      {"data term with more rows than the problem's data", "/loss/obs/x", "observations",
       H5T_NATIVE_DOUBLE, 2, d6, six, -1},
      {"3e8 points declared in a small file", "/loss/pde/x", "1e8", H5T_NATIVE_DOUBLE, 2, huge,
       NULL, -1},
      {"2^31 points declared", "/loss/pde/x", "1e8", H5T_NATIVE_DOUBLE, 2, h31, NULL, -1},
      {"1e8 + 1 points declared", "/loss/pde/x", "1e8", H5T_NATIVE_DOUBLE, 2, over, NULL, -1},
      {"NaN coordinate", "/loss/pde/x", "coordinate 0 = nan", H5T_NATIVE_DOUBLE, 2, d40, pts, 7},
      {"point outside the domain", "/loss/pde/x", "outside the domain", H5T_NATIVE_DOUBLE, 2, d40,
       pts, 107},
      {"wrong width", "/loss/pde/x", "1 coordinates", H5T_NATIVE_DOUBLE, 2, d40x2, pts, -1},
      {"sampler state of the wrong size", "/loss/pde/sampler_state", "/loss/pde/sampler_state",
       H5T_NATIVE_INT64, 1, nb, pts, -1},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    for (size_t i = 0; i < 80; ++i) pts[i] = xa[i % 40];
    if (cases[c].nan_at >= 100) pts[cases[c].nan_at - 100] = 5.0;
    else if (cases[c].nan_at >= 0) pts[cases[c].nan_at] = NAN;
    copy_file(good, bad);
    replace_dataset(bad, cases[c].ds, cases[c].type, cases[c].rank, cases[c].dims, cases[c].data);
    int st = load_state_file(b, bad, msg, sizeof msg);
    if (st != PINN_EFORMAT || !strstr(msg, cases[c].expect))
      fprintf(stderr, "\n  case '%s': status %d, message: %s\n", cases[c].what, st, msg);
    CU_ASSERT_EQUAL(st, PINN_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, cases[c].expect));
    size_t n1;
    const double *x1;
    pinn_loss_term_points(b, 0, &n1, NULL, &x1);
    CU_ASSERT(n1 == n0 && memcmp(x1, before, n0 * sizeof *x1) == 0);
  }
  /* attributes: sampler size, negative counters, bad rho */
  copy_file(good, bad);
  set_int_attr(bad, "/loss/pde", "sampler_bytes", 1LL << 40);
  CU_ASSERT_EQUAL(load_state_file(b, bad, msg, sizeof msg), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "sampler_bytes"));
  copy_file(good, bad);
  set_int_attr(bad, "/loss", "n_evals", -5);
  CU_ASSERT_EQUAL(load_state_file(b, bad, msg, sizeof msg), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "n_evals"));
  /* a flipped byte of the points, and a truncated file */
  FILE *f = fopen(good, "rb");
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *img = malloc((size_t)len);
  CU_ASSERT_FATAL(fread(img, 1, (size_t)len, f) == (size_t)len);
  fclose(f);
  long at = -1;
  for (long i = 0; i + 40 * 8 <= len && at < 0; ++i)
    if (memcmp(img + i, xa, 40 * 8) == 0) at = i;
  CU_ASSERT_FATAL(at > 0);
  img[at + 100] ^= 0x01;
  f = fopen(bad, "wb");
  fwrite(img, 1, (size_t)len, f);
  fclose(f);
  CU_ASSERT_EQUAL(load_state_file(b, bad, msg, sizeof msg), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "checksum mismatch in '/loss/pde/x'"));
  img[at + 100] ^= 0x01;
  f = fopen(bad, "wb");
  fwrite(img, 1, (size_t)len / 2, f);
  fclose(f);
  CU_ASSERT_EQUAL(load_state_file(b, bad, msg, sizeof msg), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "truncated"));
  free(img);
  /* the good file loads: b takes a's points bitwise, and the same loss */
  CU_ASSERT_EQUAL(load_state_file(b, good, msg, sizeof msg), 0);
  for (size_t i = 0; i < pinn_loss_n_terms(a); ++i) {
    size_t n1, n2;
    const double *x1, *x2;
    pinn_loss_term_points(a, i, &n1, NULL, &x1);
    pinn_loss_term_points(b, i, &n2, NULL, &x2);
    CU_ASSERT(n1 == n2 && memcmp(x1, x2, n1 * sizeof *x1) == 0);
  }
  const size_t np = pinn_loss_n_params(a);
  double *th = malloc(np * sizeof *th), fa, fb;
  pinn_loss_get_params(a, th);
  CU_ASSERT_EQUAL(pinn_loss_eval(a, th, &fa, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_loss_eval(b, th, &fb, NULL, NULL), 0);
  CU_ASSERT(fa == fb && fa > 0);
  /* and both samplers continue alike */
  CU_ASSERT_EQUAL(pinn_loss_resample(a), 0);
  CU_ASSERT_EQUAL(pinn_loss_resample(b), 0);
  pinn_loss_term_points(a, 0, &na, NULL, &xa);
  pinn_loss_term_points(b, 0, &n0, NULL, &x0);
  CU_ASSERT(na == n0 && memcmp(xa, x0, na * sizeof *xa) == 0);
  free(th);
  pinn_loss_free(a);
  pinn_loss_free(b);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  free(dir);
}

/* growth 1 means a fixed rho: any size works without touching rho_max (the
 * default rho_max 1000 is below it), and continuation leaves it alone */
static void fixed_barrier_rho_of_any_size_needs_no_rho_max(void)
{
  pinn_problem *p = pinn_problem_alloc("fixed", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_barrier b = pinn_barrier_default();
  b.rho = 5e4; /* growth 1, rho_max 1000 */
  CU_ASSERT_EQUAL_FATAL(pinn_problem_add_obstacle(p, "ob", 0, 1, pinn_test_quarter, NULL, &b), 0);
  b.rho = 2e5;
  CU_ASSERT_EQUAL(pinn_problem_set_barrier(p, 0, &b), 0);
  CU_ASSERT_DOUBLE_EQUAL(pinn_problem_term_barrier(p, 0)->rho, 2e5, 0);
  /* with growth > 1, rho_max < rho is still an error that says what to fix
   * (on a throwaway problem: a failed setup call is sticky) */
  pinn_problem *q = pinn_problem_alloc("grow", 1, 0, 1, NULL);
  pinn_problem_set_domain(q, &dom);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_add_obstacle(q, "ob", 0, 1, pinn_test_quarter, NULL, &b), 0);
  pinn_barrier grow = b;
  grow.growth = 2;
  CU_ASSERT_EQUAL(pinn_problem_set_barrier(q, 0, &grow), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(q), "rho_max"));
  pinn_problem_free(q);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 5);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  CU_ASSERT_DOUBLE_EQUAL(pinn_loss_barrier_rho(l, 0), 2e5, 0);
  CU_ASSERT_EQUAL(pinn_loss_continue(l), 0);
  CU_ASSERT_DOUBLE_EQUAL(pinn_loss_barrier_rho(l, 0), 2e5, 0);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"residual_term_with_coefficient_has_exact_gradient",
       residual_term_with_coefficient_has_exact_gradient},
      {"scaled_coefficient_is_trained_as_theta", scaled_coefficient_is_trained_as_theta},
      {"condition_terms_have_exact_gradients", condition_terms_have_exact_gradients},
      {"obstacle_barriers_and_complementarity_have_exact_gradients",
       obstacle_barriers_and_complementarity_have_exact_gradients},
      {"systems_of_outputs_and_residuals_have_exact_gradients",
       systems_of_outputs_and_residuals_have_exact_gradients},
      {"hard_constraint_transforms_have_exact_gradients_and_exact_data",
       hard_constraint_transforms_have_exact_gradients_and_exact_data},
      {"loss_values_match_hand_computed_numbers", loss_values_match_hand_computed_numbers},
      {"a_validation_split_holds_out_a_seeded_share_of_the_observations",
       a_validation_split_holds_out_a_seeded_share_of_the_observations},
      {"upper_complementarity_matches_hand_computed_numbers",
       upper_complementarity_matches_hand_computed_numbers},
      {"second_order_residual_on_relu_network_is_refused",
       second_order_residual_on_relu_network_is_refused},
      {"failing_or_nan_callbacks_give_documented_errors",
       failing_or_nan_callbacks_give_documented_errors},
      {"residual_failures_name_the_term_the_point_and_what_failed",
       residual_failures_name_the_term_the_point_and_what_failed},
      {"non_finite_network_values_and_coefficients_are_named",
       non_finite_network_values_and_coefficients_are_named},
      {"data_function_failures_name_the_term_and_the_point",
       data_function_failures_name_the_term_and_the_point},
      {"mismatched_network_and_bad_terms_are_rejected",
       mismatched_network_and_bad_terms_are_rejected},
      {"loss_is_bitwise_identical_with_one_and_two_threads",
       loss_is_bitwise_identical_with_one_and_two_threads},
      {"refinement_adds_the_points_with_largest_residuals",
       refinement_adds_the_points_with_largest_residuals},
      {"redistribution_draws_points_with_the_residual_density",
       redistribution_draws_points_with_the_residual_density},
      {"barrier_continuation_grows_rho_to_its_cap", barrier_continuation_grows_rho_to_its_cap},
      {"saved_state_reloads_bitwise_and_corrupt_states_are_refused",
       saved_state_reloads_bitwise_and_corrupt_states_are_refused},
      {"a_residual_of_any_order_is_the_jet_residual_when_both_can_read_it",
       a_residual_of_any_order_is_the_jet_residual_when_both_can_read_it},
      {"a_fourth_order_system_has_exact_gradients", a_fourth_order_system_has_exact_gradients},
      {"problems_in_five_dimensions_read_derivatives_by_input_name",
       problems_in_five_dimensions_read_derivatives_by_input_name},
      {"a_transformed_residual_of_any_order_is_the_transformed_jet_residual",
       a_transformed_residual_of_any_order_is_the_transformed_jet_residual},
      {"a_fourth_order_system_with_series_hard_constraints_has_exact_gradients",
       a_fourth_order_system_with_series_hard_constraints_has_exact_gradients},
      {"residuals_of_any_order_refuse_what_they_cannot_do",
       residuals_of_any_order_refuse_what_they_cannot_do},
      {"fixed_barrier_rho_of_any_size_needs_no_rho_max",
       fixed_barrier_rho_of_any_size_needs_no_rho_max},
      {NULL, NULL}};
  if (pinn_test_add_suite("loss", cases)) return 1;
  return pinn_test_run_all();
}
