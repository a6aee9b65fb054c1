/* Tests for the L-BFGS multimin type, in the manner of GSL's multimin/test.c:
 * a table of classic functions, each minimized by L-BFGS and by GSL's
 * vector_bfgs2 with the evaluations counted through a wrapper. */
#include <pinn/lbfgs.h>
#include <pinn/ssqn.h>
#include <pinn/linesearch.h>
#include <pinn/status.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "multimin_problems.h"
#include "testutil.h"

/* The table of tests/multimin_problems.c with L-BFGS (checked) and GSL's
 * vector_bfgs2 (for comparison); iteration limits far above the largest count
 * measured (vector_bfgs2: 7206 on the quadratic), so that neither run is cut
 * short.  The budgets and the comparison are explained at the table. */
static void budget_and_bfgs2(const mm_problem *pb, const mm_result *r, void *ctx)
{
  (void)ctx;
  CU_ASSERT(r[0].fevals <= pb->max_evals);
  CU_ASSERT(r[0].gevals <= pb->max_evals);
  if (pb->beats_bfgs2) {
    CU_ASSERT(r[1].converged);
    CU_ASSERT(r[0].fevals < r[1].fevals);
    CU_ASSERT(r[0].gevals < r[1].gevals);
  }
}

static void classic_functions_converge_within_budget_and_beat_bfgs2_where_the_gap_is_large(void)
{
  const mm_type types[2] = {
      {pinn_multimin_fdfminimizer_lbfgs, "pinn_lbfgs (tol 0.9)", 0.9, 30000, 1},
      {gsl_multimin_fdfminimizer_vector_bfgs2, "vector_bfgs2 (tol 0.1)", 0.1, 30000, 0}};
  mm_run_table(types, 2, 1000, budget_and_bfgs2, NULL);
}

static void gradients_of_the_test_functions_match_finite_differences(void)
{
  mm_check_gradients(1000);
}

/* 0.5 (x - c)' A (x - c) with A = [1 -0.9; -0.9 1], c = (1, 0). */
static double skew_quadratic(const double *x, double *g, size_t n)
{
  (void)n;
  const double u = x[0] - 1.0, v = x[1];
  if (g) {
    g[0] = u - 0.9 * v;
    g[1] = v - 0.9 * u;
  }
  return 0.5 * (u * u - 1.8 * u * v + v * v);
}

/* 0.5 (x1^2 + (x2 - 5)^2) for x1 <= 0; NaN for x1 > 0. */
static double nan_wall(const double *x, double *g, size_t n)
{
  (void)n;
  if (x[0] > 0.0) {
    if (g) g[0] = g[1] = NAN;
    return NAN;
  }
  if (g) {
    g[0] = x[0];
    g[1] = x[1] - 5.0;
  }
  return 0.5 * (x[0] * x[0] + (x[1] - 5.0) * (x[1] - 5.0));
}

static void failed_lbfgs_direction_restarts_along_minus_g(void)
{
  /* One step on skew_quadratic from 0 stores a pair whose H maps
   * g = (0, -5) to a direction with p1 > 0 (computed: p = (0.0073, 2.5)).
   * Loaded at x = 0 of nan_wall, every step along p has x1 > 0 and gives
   * NaN: the search fails after 11 trials, the memory is cleared, and -g =
   * (0, 5) stays on the wall and succeeds. */
  mm_counted c1 = {0}, c2 = {0};
  gsl_multimin_function_fdf F1 = mm_make_fdf(&c1, skew_quadratic, 2);
  gsl_multimin_function_fdf F2 = mm_make_fdf(&c2, nan_wall, 2);
  gsl_vector *x0 = gsl_vector_calloc(2);
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, 2);
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_set(s, &F1, x0, 1.0, 0.9), GSL_SUCCESS);
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_iterate(s), GSL_SUCCESS);
  double buf[14 + 5];
  CU_ASSERT_EQUAL_FATAL(pinn_qn_state_size(s), 19u);
  pinn_qn_state_save(s, buf, NULL);

  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_set(s, &F2, x0, 1.0, 0.9), GSL_SUCCESS);
  CU_ASSERT_EQUAL(pinn_qn_state_load(s, buf, 19, NULL), GSL_SUCCESS);
  pinn_qn_statistics before, after;
  pinn_qn_stats(s, &before);
  CU_ASSERT_EQUAL(before.stored, 1u);
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_iterate(s), GSL_SUCCESS);
  pinn_qn_stats(s, &after);
  CU_ASSERT_EQUAL(after.restarts, before.restarts + 1);
  CU_ASSERT_EQUAL(after.nonfinite, before.nonfinite + 11);
  CU_ASSERT_EQUAL(gsl_vector_get(s->x, 0), 0.0);
  CU_ASSERT(s->f < 12.5);
  CU_ASSERT(gsl_vector_get(s->x, 1) > 0.0);
  gsl_vector_free(x0);
  gsl_multimin_fdfminimizer_free(s);
}

/* A pair with s'y > 0 but y'y underflowing to 0 makes the two-loop direction
 * Inf/NaN (gamma = s'y / y'y): it is not a descent direction.  The pair
 * replaces the one of a real step: s = (1, 0), y = (1e-170, 0), rho = 1e170. */
static void tiny_curvature_pair(double *buf)
{
  buf[14] = 1e170;
  buf[15] = 1.0; buf[16] = 0.0;
  buf[17] = 1e-170; buf[18] = 0.0;
}

static void non_descent_direction_clears_the_memory_and_uses_minus_g(void)
{
  mm_counted c = {0};
  gsl_multimin_function_fdf F = mm_make_fdf(&c, mm_sphere, 2);
  double buf[19];
  gsl_multimin_fdfminimizer *s = mm_check_restart_on_non_descent(
      pinn_multimin_fdfminimizer_lbfgs, &F, buf, 19, tiny_curvature_pair, NULL);
  /* a pair whose rho is not 1 / s'y is refused */
  buf[14] = 1.0;
  CU_ASSERT_EQUAL(pinn_qn_state_load(s, buf, 19, NULL), PINN_EFORMAT);
  gsl_multimin_fdfminimizer_free(s);
}

static void nan_for_large_steps_still_converges(void)
{
  mm_check_nan_for_large_steps(pinn_multimin_fdfminimizer_lbfgs, NULL);
}

static void wrong_gradient_gives_enoprog_without_moving(void)
{
  mm_check_wrong_gradient(pinn_multimin_fdfminimizer_lbfgs);
}

static void zero_gradient_and_bad_calls_are_reported(void)
{
  mm_check_bad_calls(pinn_multimin_fdfminimizer_lbfgs);
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, 2);
  CU_ASSERT_EQUAL(pinn_lbfgs_set_memory(s, 0), GSL_EINVAL);
  gsl_multimin_fdfminimizer_free(s);
}

static void set_memory_on_another_minimizer_type_returns_einval(void)
{
  const gsl_multimin_fdfminimizer_type *others[2] = {gsl_multimin_fdfminimizer_vector_bfgs2,
                                                     pinn_multimin_fdfminimizer_ssbfgs};
  for (int k = 0; k < 2; ++k) {
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(others[k], 2);
    CU_ASSERT_EQUAL(pinn_lbfgs_set_memory(s, 5), GSL_EINVAL);
    gsl_multimin_fdfminimizer_free(s);
  }
  CU_ASSERT_EQUAL(pinn_lbfgs_set_memory(NULL, 5), GSL_EINVAL);
}

static void every_memory_from_1_to_50_converges(void)
{
  const size_t n = 10;
  gsl_vector *x = gsl_vector_alloc(n);
  size_t evals_m1 = 0, evals_m10 = 0;
  for (size_t m = 1; m <= 50; ++m) {
    mm_counted c = {0};
    gsl_multimin_function_fdf F = mm_make_fdf(&c, mm_rosenbrock, n);
    mm_x0_rosenbrock(x->data, n);
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, n);
    CU_ASSERT_EQUAL(pinn_lbfgs_set_memory(s, m), GSL_SUCCESS);
    CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_set(s, &F, x, 1.0, 0.9), GSL_SUCCESS);
    int status = GSL_SUCCESS, iter = 0;
    while (status == GSL_SUCCESS && iter++ < 2000
           && gsl_multimin_test_gradient(s->gradient, 1e-8) == GSL_CONTINUE)
      status = gsl_multimin_fdfminimizer_iterate(s);
    pinn_qn_statistics st;
    pinn_qn_stats(s, &st);
    CU_ASSERT_EQUAL(status, GSL_SUCCESS);
    CU_ASSERT(gsl_blas_dnrm2(s->gradient) < 1e-8);
    CU_ASSERT(s->f < 1e-16);
    CU_ASSERT_EQUAL(st.memory, m);
    CU_ASSERT(st.stored <= m && st.stored > 0);
    if (m == 1) evals_m1 = st.fdf_evals;
    if (m == 10) evals_m10 = st.fdf_evals;
    gsl_multimin_fdfminimizer_free(s);
  }
  /* memory helps: measured 0.575 evals_m1 in every build; the gap (1.74x) is
   * large enough to compare */
  CU_ASSERT(evals_m10 < evals_m1);
  gsl_vector_free(x);
}

static void tol_outside_0_1_means_0_9_and_reset_clears_the_memory(void)
{
  const size_t n = 2;
  gsl_vector *x = gsl_vector_alloc(n);
  mm_x0_rosenbrock(x->data, n);
  double xs[3][2];
  const double tols[3] = {0.9, 0.0, 1.5};
  for (int k = 0; k < 3; ++k) {
    mm_counted c = {0};
    gsl_multimin_function_fdf F = mm_make_fdf(&c, mm_rosenbrock, n);
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, n);
    CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_set(s, &F, x, 0.1, tols[k]), GSL_SUCCESS);
    mm_run_iterations(s, 12);
    xs[k][0] = gsl_vector_get(s->x, 0);
    xs[k][1] = gsl_vector_get(s->x, 1);
    if (k == 0) {
      pinn_qn_statistics st;
      pinn_qn_stats(s, &st);
      CU_ASSERT(st.stored > 1);
      CU_ASSERT_EQUAL(pinn_qn_reset(s), GSL_SUCCESS);
      pinn_qn_stats(s, &st);
      CU_ASSERT_EQUAL(st.stored, 0u);
      CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_iterate(s), GSL_SUCCESS);
      pinn_qn_statistics st2;
      pinn_qn_stats(s, &st2);
      CU_ASSERT_EQUAL(st2.restarts, st.restarts); /* explicit resets are not mm_counted */
      CU_ASSERT_EQUAL(st2.stored, 1u);
      CU_ASSERT_EQUAL(st2.iterations, 13u);
    }
    gsl_multimin_fdfminimizer_free(s);
  }
  CU_ASSERT(xs[0][0] == xs[1][0] && xs[0][1] == xs[1][1]);
  CU_ASSERT(xs[0][0] == xs[2][0] && xs[0][1] == xs[2][1]);
  gsl_vector_free(x);
}

/* 1-D: f = -x for x <= 1, NaN beyond: the slope never flattens before the wall. */
static double ramp_to_wall(const double *x, double *g, size_t n)
{
  (void)n;
  if (x[0] > 1.0) {
    if (g) g[0] = NAN;
    return NAN;
  }
  if (g) g[0] = -1.0;
  return -x[0];
}

static void lower_point_without_wolfe_is_accepted_and_flat_pair_skipped(void)
{
  /* From 0 with step 4: 4 and 2 are NaN, 1 is finite (f = -1) but fails the
   * curvature condition, and every step past 1 is NaN.  The search gives up,
   * the lower point x = 1 is still accepted, and its pair has y = 0, so it is
   * skipped.  From x = 1 no lower finite point exists: GSL_ENOPROG. */
  mm_counted c = {0};
  gsl_multimin_function_fdf F = mm_make_fdf(&c, ramp_to_wall, 1);
  gsl_vector *x = gsl_vector_calloc(1);
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, 1);
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_set(s, &F, x, 4.0, 0.9), GSL_SUCCESS);
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_iterate(s), GSL_SUCCESS);
  pinn_qn_statistics st;
  pinn_qn_stats(s, &st);
  CU_ASSERT_EQUAL(gsl_vector_get(s->x, 0), 1.0);
  CU_ASSERT_EQUAL(s->f, -1.0);
  CU_ASSERT_EQUAL(st.skipped, 1u);
  CU_ASSERT_EQUAL(st.stored, 0u);
  CU_ASSERT_EQUAL(st.last_ls_reason, PINN_LINESEARCH_NONFINITE);
  CU_ASSERT_EQUAL(st.last_step, 1.0);
  CU_ASSERT_EQUAL(st.nonfinite, st.ls_evals - 1); /* only x = 1 was finite */
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_iterate(s), GSL_ENOPROG);
  CU_ASSERT_EQUAL(gsl_vector_get(s->x, 0), 1.0);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_qn_errmsg(s), "NaN/Inf"));
  gsl_vector_free(x);
  gsl_multimin_fdfminimizer_free(s);
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
      {"classic_functions_converge_within_budget_and_beat_bfgs2_where_the_gap_is_large",
       classic_functions_converge_within_budget_and_beat_bfgs2_where_the_gap_is_large},
      {"gradients_of_the_test_functions_match_finite_differences",
       gradients_of_the_test_functions_match_finite_differences},
      {"failed_lbfgs_direction_restarts_along_minus_g",
       failed_lbfgs_direction_restarts_along_minus_g},
      {"non_descent_direction_clears_the_memory_and_uses_minus_g",
       non_descent_direction_clears_the_memory_and_uses_minus_g},
      {"nan_for_large_steps_still_converges", nan_for_large_steps_still_converges},
      {"wrong_gradient_gives_enoprog_without_moving", wrong_gradient_gives_enoprog_without_moving},
      {"zero_gradient_and_bad_calls_are_reported", zero_gradient_and_bad_calls_are_reported},
      {"set_memory_on_another_minimizer_type_returns_einval",
       set_memory_on_another_minimizer_type_returns_einval},
      {"lower_point_without_wolfe_is_accepted_and_flat_pair_skipped",
       lower_point_without_wolfe_is_accepted_and_flat_pair_skipped},
      {"every_memory_from_1_to_50_converges", every_memory_from_1_to_50_converges},
      {"tol_outside_0_1_means_0_9_and_reset_clears_the_memory",
       tol_outside_0_1_means_0_9_and_reset_clears_the_memory},
      {NULL, NULL}};
  if (pinn_test_add_suite("lbfgs", cases)) return 1;
  return pinn_test_run_all();
}
