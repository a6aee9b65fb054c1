/* Tests for the Moré–Thuente strong-Wolfe line search. */
#include <pinn/lbfgs.h>
#include <pinn/linesearch.h>
#include <pinn/status.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static const double PI = 3.14159265358979323846;

/* ---- the six test functions of Moré & Thuente (1994), Section 5 ---------- */

typedef struct {
  int fn;              /* 1..6 */
  double beta1, beta2; /* parameters of functions 4-6 */
  int calls;
} mt_problem;

static int mt_phi(double a, double *f, double *g, void *ctx)
{
  mt_problem *p = ctx;
  p->calls++;
  switch (p->fn) {
  case 1: { /* phi(a) = -a / (a^2 + beta), beta = 2 */
    const double b = 2.0, d = a * a + b;
    *f = -a / d;
    *g = (a * a - b) / (d * d);
    break;
  }
  case 2: { /* phi(a) = (a + beta)^5 - 2 (a + beta)^4, beta = 0.004 */
    const double t = a + 0.004;
    *f = pow(t, 5) - 2.0 * pow(t, 4);
    *g = 5.0 * pow(t, 4) - 8.0 * pow(t, 3);
    break;
  }
  case 3: { /* phi0(a) + 2 (1 - beta) / (l pi) sin(l pi a / 2), beta = 0.01, l = 39 */
    const double b = 0.01, l = 39.0;
    double f0, g0;
    if (a <= 1.0 - b) {
      f0 = 1.0 - a;
      g0 = -1.0;
    } else if (a >= 1.0 + b) {
      f0 = a - 1.0;
      g0 = 1.0;
    } else {
      f0 = (a - 1.0) * (a - 1.0) / (2.0 * b) + b / 2.0;
      g0 = (a - 1.0) / b;
    }
    *f = f0 + 2.0 * (1.0 - b) / (l * PI) * sin(l * PI * a / 2.0);
    *g = g0 + (1.0 - b) * cos(l * PI * a / 2.0);
    break;
  }
  default: { /* 4-6: gamma(b1) sqrt((1 - a)^2 + b2^2) + gamma(b2) sqrt(a^2 + b1^2) */
    const double b1 = p->beta1, b2 = p->beta2;
    const double g1 = sqrt(1.0 + b1 * b1) - b1, g2 = sqrt(1.0 + b2 * b2) - b2;
    const double r1 = sqrt((1.0 - a) * (1.0 - a) + b2 * b2), r2 = sqrt(a * a + b1 * b1);
    *f = g1 * r1 + g2 * r2;
    *g = -g1 * (1.0 - a) / r1 + g2 * a / r2;
  }
  }
  return 0;
}

/* The paper's parameters (ftol = mu, gtol = eta) and its Tables 1-6: for
 * initial steps 1e-3, 1e-1, 1e1, 1e3, the number of evaluations and the final
 * step it reports. */
static const struct {
  int fn;
  double beta1, beta2, mu, eta;
  int nfev[4];
  double alpha[4];
} paper[6] = {
    {1, 0, 0, 1e-3, 0.1, {6, 3, 1, 4}, {1.4, 1.4, 10, 37}},
    {2, 0, 0, 0.1, 0.1, {12, 8, 8, 11}, {1.6, 1.6, 1.6, 1.6}},
    {3, 0, 0, 0.1, 0.1, {12, 12, 10, 13}, {1.0, 1.0, 1.0, 1.0}},
    {4, 1e-3, 1e-3, 1e-3, 1e-3, {4, 1, 3, 4}, {0.08, 0.10, 0.35, 0.83}},
    {5, 1e-2, 1e-3, 1e-3, 1e-3, {6, 3, 7, 8}, {0.075, 0.078, 0.073, 0.076}},
    {6, 1e-3, 1e-2, 1e-3, 1e-3, {13, 11, 8, 11}, {0.93, 0.93, 0.92, 0.92}},
};

/* Comparison with the paper (measured here, gcc 12 / glibc, with
 * -march=native on AVX-512, PINN_NATIVE=OFF, -march=haswell and ASan): all 24
 * runs end with the strong Wolfe conditions and use exactly the number of
 * evaluations of Tables 1-6 (total 179); the final steps agree with the
 * tables' two digits.  The strong Wolfe conditions are what is required
 * exactly; the counts depend on rounding (libm, FMA contraction), so two
 * evaluations either way per run and a total within 5% are allowed. */
static void paper_functions_reach_strong_wolfe_in_the_papers_number_of_evaluations(void)
{
  static const double alpha0[4] = {1e-3, 1e-1, 1e1, 1e3};
  int total = 0, paper_total = 0;
  printf("\n  fn  alpha0   nfev(paper)  alpha (paper)\n");
  for (int k = 0; k < 6; ++k) {
    for (int j = 0; j < 4; ++j) {
      mt_problem p = {paper[k].fn, paper[k].beta1, paper[k].beta2, 0};
      double f0, g0;
      mt_phi(0.0, &f0, &g0, &p);
      p.calls = 0;
      pinn_linesearch_options o = pinn_linesearch_options_default();
      o.ftol = paper[k].mu;
      o.gtol = paper[k].eta;
      o.stpmin = 0.0;
      o.stpmax = 1e10;
      o.xtol = 1e-15;
      o.max_evals = 100;
      pinn_linesearch_result r;
      const int rc = pinn_linesearch_run(mt_phi, &p, f0, g0, alpha0[j], &o, &r);
      printf("  %d   %-7g  %2d (%2d)      %-8.5g (%g)\n", paper[k].fn, alpha0[j], r.nevals,
             paper[k].nfev[j], r.alpha, paper[k].alpha[j]);
      CU_ASSERT_EQUAL(rc, PINN_SUCCESS);
      CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_CONVERGED);
      CU_ASSERT_EQUAL(r.alpha_is_last, 1);
      CU_ASSERT_EQUAL(r.nevals, p.calls);
      /* the strong Wolfe conditions, recomputed from the function itself */
      double f, g;
      mt_phi(r.alpha, &f, &g, &p);
      CU_ASSERT_EQUAL(f, r.phi);
      CU_ASSERT(f <= f0 + paper[k].mu * r.alpha * g0);
      CU_ASSERT(fabs(g) <= paper[k].eta * fabs(g0));
      CU_ASSERT(abs(r.nevals - paper[k].nfev[j]) <= 2);
      CU_ASSERT(fabs(r.alpha - paper[k].alpha[j]) <= 0.05 * paper[k].alpha[j] + 0.005);
      total += r.nevals;
      paper_total += paper[k].nfev[j];
    }
  }
  printf("  total evaluations %d (paper %d)\n", total, paper_total);
  CU_ASSERT_EQUAL(paper_total, 179);
  CU_ASSERT(abs(total - paper_total) <= 9);
}

/* ---- a quadratic: phi(a) = (a - 2)^2 - 4, minimizer a = 2 ----------------- */

typedef struct {
  double nan_from;  /* phi is NaN for a >= nan_from */
  int fail_at_call; /* return this call's number as an error (0: never) */
  int calls;
} quad_problem;

static int quad_phi(double a, double *f, double *g, void *ctx)
{
  quad_problem *q = ctx;
  q->calls++;
  if (q->fail_at_call && q->calls == q->fail_at_call) return 7;
  if (a >= q->nan_from) {
    *f = NAN;
    *g = NAN;
    return 0;
  }
  *f = (a - 2.0) * (a - 2.0) - 4.0;
  *g = 2.0 * (a - 2.0);
  return 0;
}

static void quadratic_gives_the_exact_step(void)
{
  /* Two points of a quadratic determine it, so the interpolated step is the
   * minimizer as soon as it lies in the allowed range: from 0.5, 1, 10, 1e3
   * the second evaluation is at a = 2.  From 1e-3 the extrapolation (at most
   * 5x per trial) needs 6 trials to bracket 2 first. */
  static const double alpha0[] = {1e-3, 0.5, 1.0, 10.0, 1e3};
  static const int nevals[] = {8, 2, 2, 2, 2};
  pinn_linesearch_options o = pinn_linesearch_options_default();
  o.gtol = 1e-3; /* ask for (nearly) the exact minimizer */
  for (size_t j = 0; j < sizeof alpha0 / sizeof alpha0[0]; ++j) {
    quad_problem q = {INFINITY, 0, 0};
    pinn_linesearch_result r;
    CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, alpha0[j], &o, &r), 0);
    CU_ASSERT(fabs(r.alpha - 2.0) <= 1e-13);
    CU_ASSERT(fabs(r.phi + 4.0) <= 1e-15);
    CU_ASSERT_EQUAL(r.nevals, nevals[j]);
  }
}

static void nonfinite_values_shrink_the_step_until_finite(void)
{
  /* NaN for a >= 3: a first step of 100 must halve down into [0, 3), then
   * converge to the minimizer a = 2 without stepping beyond 3 again. */
  quad_problem q = {3.0, 0, 0};
  pinn_linesearch_options o = pinn_linesearch_options_default();
  o.gtol = 0.1;
  pinn_linesearch_result r;
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 100.0, &o, &r), 0);
  CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_CONVERGED);
  CU_ASSERT_EQUAL(r.nnonfinite, 6); /* 100, 50, 25, 12.5, 6.25, 3.125 */
  CU_ASSERT(r.alpha < 3.0);
  CU_ASSERT(fabs(r.dphi) <= 0.1 * 4.0);
  CU_ASSERT(r.phi <= 1e-4 * r.alpha * -4.0);
  CU_ASSERT_EQUAL(r.nevals, q.calls);
}

static void nonfinite_everywhere_fails_cleanly_after_the_backtracks(void)
{
  quad_problem q = {0.0, 0, 0}; /* NaN for every a > 0 */
  pinn_linesearch_options o = pinn_linesearch_options_default();
  o.max_backtracks = 4;
  pinn_linesearch_result r;
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 1.0, &o, &r), PINN_ENONFINITE);
  CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_NONFINITE);
  CU_ASSERT_EQUAL(r.nevals, 5); /* the first trial and 4 halvings */
  CU_ASSERT_EQUAL(r.nnonfinite, 5);
  CU_ASSERT_EQUAL(r.alpha_is_last, 0);
  CU_ASSERT_EQUAL(r.alpha, 0.0);
  CU_ASSERT_EQUAL(r.phi, 0.0);
}

static void callback_failure_ends_the_search_with_its_code(void)
{
  quad_problem q = {INFINITY, 2, 0};
  pinn_linesearch_result r;
  /* first trial a = 1e-3 is fine; the second call fails */
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 1e-3, NULL, &r), PINN_ECALLBACK);
  CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_CALLBACK);
  CU_ASSERT_EQUAL(r.callback_status, 7);
  CU_ASSERT_EQUAL(r.nevals, 2);
  CU_ASSERT_EQUAL(r.alpha_is_last, 0);
  CU_ASSERT_EQUAL(r.alpha, 1e-3); /* the best (and only) good trial */
  CU_ASSERT(fabs(r.phi - ((1e-3 - 2.0) * (1e-3 - 2.0) - 4.0)) < 1e-15);
}

static void evaluation_limit_stops_at_the_last_trial(void)
{
  mt_problem p = {2, 0, 0, 0};
  double f0, g0;
  mt_phi(0.0, &f0, &g0, &p);
  p.calls = 0;
  pinn_linesearch_options o = pinn_linesearch_options_default();
  o.ftol = o.gtol = 0.1;
  o.max_evals = 3; /* the paper's run from 1e-3 needs 12 */
  pinn_linesearch_result r;
  CU_ASSERT_EQUAL(pinn_linesearch_run(mt_phi, &p, f0, g0, 1e-3, &o, &r), PINN_EMAXITER);
  CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_MAXEVAL);
  CU_ASSERT_EQUAL(r.nevals, 3);
  CU_ASSERT_EQUAL(p.calls, 3);
  CU_ASSERT_EQUAL(r.alpha_is_last, 1);
  double f, g;
  mt_phi(r.alpha, &f, &g, &p);
  CU_ASSERT_EQUAL(f, r.phi);
  CU_ASSERT(r.best_phi <= r.phi);
  CU_ASSERT(r.best_phi < f0);
}

static int linear_phi(double a, double *f, double *g, void *ctx)
{
  (void)ctx;
  *f = -a;
  *g = -1.0;
  return 0;
}

/* f rises although phi'(0) claims descent: a wrong derivative. */
static int lying_phi(double a, double *f, double *g, void *ctx)
{
  (void)ctx;
  *f = a;
  *g = 1.0;
  return 0;
}

static void step_bounds_are_reported(void)
{
  pinn_linesearch_options o = pinn_linesearch_options_default();
  o.stpmax = 10.0;
  pinn_linesearch_result r;
  CU_ASSERT_EQUAL(pinn_linesearch_run(linear_phi, NULL, 0.0, -1.0, 1.0, &o, &r), PINN_ERANGE);
  CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_STPMAX);
  CU_ASSERT_EQUAL(r.alpha, 10.0);
  CU_ASSERT_EQUAL(r.phi, -10.0);

  /* No step lowers phi: the search must not report success, and its best
   * point is phi(0) at alpha 0. */
  o = pinn_linesearch_options_default();
  o.stpmin = 1e-3;
  const int rc = pinn_linesearch_run(lying_phi, NULL, 0.0, -1.0, 1.0, &o, &r);
  CU_ASSERT_NOT_EQUAL(rc, PINN_SUCCESS);
  CU_ASSERT(r.reason == PINN_LINESEARCH_STPMIN || r.reason == PINN_LINESEARCH_ROUNDING
            || r.reason == PINN_LINESEARCH_XTOL);
  CU_ASSERT(r.alpha >= 1e-3);
  CU_ASSERT(r.nevals <= 20);
  CU_ASSERT_EQUAL(r.best_alpha, 0.0);
  CU_ASSERT_EQUAL(r.best_phi, 0.0);
}

static void invalid_input_is_refused_without_evaluating(void)
{
  quad_problem q = {INFINITY, 0, 0};
  pinn_linesearch_result r;
  pinn_linesearch_options o = pinn_linesearch_options_default();
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, 4.0, 1.0, &o, &r), PINN_EINVAL);
  CU_ASSERT_EQUAL(r.reason, PINN_LINESEARCH_INVALID);
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 0.0, &o, &r), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, NAN, -4.0, 1.0, &o, &r), PINN_EINVAL);
  o.gtol = 1.0;
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 1.0, &o, &r), PINN_EINVAL);
  o = pinn_linesearch_options_default();
  o.stpmax = o.stpmin;
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 1.0, &o, &r), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_linesearch_run(quad_phi, &q, 0.0, -4.0, 1.0, NULL, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(q.calls, 0);
  CU_ASSERT_EQUAL(r.nevals, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_linesearch_reason_str(PINN_LINESEARCH_ROUNDING), "rounding"));
}

/* f(x) = sum_i d_i x_i^2 / 2 (d = 1, 10), or NaN everywhere but at x0 = 1
 * when nan_away; counts the calls. */
typedef struct {
  int nan_away;
  size_t calls;
} quad_params;
static void quad_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
  quad_params *q = params;
  const int bad = q && q->nan_away && gsl_vector_get(x, 0) != 1.0;
  if (q) q->calls++;
  *f = 0;
  for (size_t i = 0; i < x->size; ++i) {
    const double d = i ? 10.0 : 1.0, xi = gsl_vector_get(x, i);
    *f += 0.5 * d * xi * xi;
    if (g) gsl_vector_set(g, i, bad ? NAN : d * xi);
  }
  if (bad) *f = NAN;
}
static double quad_f(const gsl_vector *x, void *params)
{
  double f;
  quad_fdf(x, params, &f, NULL);
  return f;
}
static void quad_df(const gsl_vector *x, void *params, gsl_vector *g)
{
  double f;
  quad_fdf(x, params, &f, g);
}

/* The quasi-Newton step search on a GSL fdf function, seen through the first
 * step of an L-BFGS minimizer (along p = -g, first trial alpha = 1): the
 * accepted point is x + alpha p with its own f and gradient, evaluations are
 * counted, and a line with nothing lower (NaN beyond x) accepts nothing. */
static void fdf_search_accepts_a_lower_point_with_its_gradient(void)
{
  quad_params q = {0, 0};
  gsl_multimin_function_fdf fdf = {quad_f, quad_df, quad_fdf, 2, &q};
  gsl_vector *x = gsl_vector_alloc(2);
  gsl_vector_set(x, 0, 1.0);
  gsl_vector_set(x, 1, 1.0);
  const double f0 = 5.5, g0[2] = {1.0, 10.0}, p[2] = {-g0[0], -g0[1]};
  const double dphi0 = -(g0[0] * g0[0] + g0[1] * g0[1]);
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, 2);
  CU_ASSERT_EQUAL_FATAL(gsl_multimin_fdfminimizer_set(s, &fdf, x, sqrt(-dphi0), 0.9), GSL_SUCCESS);
  q.calls = 0;
  const int ok = gsl_multimin_fdfminimizer_iterate(s) == GSL_SUCCESS;
  pinn_qn_statistics st;
  pinn_qn_stats(s, &st);
  const double alpha = st.last_alpha, fa = s->f;
  const gsl_vector *xa = s->x, *ga = s->gradient;
  CU_ASSERT_EQUAL(ok, 1);
  CU_ASSERT_EQUAL(st.last_ls_reason, PINN_LINESEARCH_CONVERGED);
  CU_ASSERT(fa < f0 + 1e-4 * alpha * dphi0); /* sufficient decrease */
  for (size_t i = 0; i < 2; ++i) {
    const double xi = gsl_vector_get(x, i) + alpha * p[i];
    CU_ASSERT_DOUBLE_EQUAL(gsl_vector_get(xa, i), xi, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(gsl_vector_get(ga, i), (i ? 10.0 : 1.0) * xi, 1e-14);
  }
  CU_ASSERT_DOUBLE_EQUAL(fa, quad_f(xa, NULL), 1e-15);
  CU_ASSERT_EQUAL(st.ls_evals, q.calls);
  CU_ASSERT(st.ls_evals >= 1);
  CU_ASSERT_EQUAL(st.nonfinite, 0);
  /* NaN everywhere along the line but at x: nothing lower, x stays */
  q.nan_away = 1;
  CU_ASSERT_EQUAL_FATAL(gsl_multimin_fdfminimizer_set(s, &fdf, x, sqrt(-dphi0), 0.9), GSL_SUCCESS);
  const int ok2 = gsl_multimin_fdfminimizer_iterate(s) == GSL_SUCCESS;
  pinn_qn_stats(s, &st);
  CU_ASSERT_EQUAL(ok2, 0);
  CU_ASSERT(gsl_vector_equal(s->x, x) && gsl_vector_isnull(s->dx)); /* nothing accepted */
  CU_ASSERT(st.nonfinite >= 1);
  CU_ASSERT_EQUAL(st.nonfinite, st.ls_evals);
  gsl_multimin_fdfminimizer_free(s);
  gsl_vector_free(x);
}

static void defaults_are_the_documented_ones(void)
{
  const pinn_linesearch_options o = pinn_linesearch_options_default();
  CU_ASSERT_EQUAL(o.ftol, 1e-4);
  CU_ASSERT_EQUAL(o.gtol, 0.9);
  CU_ASSERT_EQUAL(o.max_evals, 20);
  CU_ASSERT(o.stpmin < 1e-10 && o.stpmax > 1e10 && o.xtol > 0.0);
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
      {"paper_functions_reach_strong_wolfe_in_the_papers_number_of_evaluations",
       paper_functions_reach_strong_wolfe_in_the_papers_number_of_evaluations},
      {"quadratic_gives_the_exact_step", quadratic_gives_the_exact_step},
      {"nonfinite_values_shrink_the_step_until_finite",
       nonfinite_values_shrink_the_step_until_finite},
      {"nonfinite_everywhere_fails_cleanly_after_the_backtracks",
       nonfinite_everywhere_fails_cleanly_after_the_backtracks},
      {"callback_failure_ends_the_search_with_its_code",
       callback_failure_ends_the_search_with_its_code},
      {"evaluation_limit_stops_at_the_last_trial", evaluation_limit_stops_at_the_last_trial},
      {"step_bounds_are_reported", step_bounds_are_reported},
      {"invalid_input_is_refused_without_evaluating", invalid_input_is_refused_without_evaluating},
      {"defaults_are_the_documented_ones", defaults_are_the_documented_ones},
      {"fdf_search_accepts_a_lower_point_with_its_gradient",
       fdf_search_accepts_a_lower_point_with_its_gradient},
      {NULL, NULL}};
  if (pinn_test_add_suite("linesearch", cases)) return 1;
  return pinn_test_run_all();
}
