/* Tests for the truncated Taylor series of the point (include/pinn/tseries.h,
 * lib/tseries.c).
 *
 * Closed forms first: known Maclaurin series (tanh, log(1+x), (1+x)^r,
 * 1/(1-x), exp(2x)), the derivatives of exp(sin x) from the Leibniz
 * recurrence f^(n+1) = sum_k C(n,k) cos^(k)(x) f^(n-k) (f' = cos(x) f), and a
 * function of two coordinates along a direction, exp(x) sin(y) along (1, 2),
 * whose coefficients are Im(e^(x+iy) (1+2i)^k) / k!.  Then every operation,
 * composed, against finite differences: the k-th derivative along the line
 * must match a Richardson central difference of the (k-1)-th, for every
 * k = 1..8, to a relative 1e-7.
 */
#include <pinn/tseries.h>

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include "testutil.h"

#define KM PINN_TS_MAX_ORDER

static double fact(int k)
{
  double f = 1.0;
  for (int i = 2; i <= k; ++i) f *= i;
  return f;
}

static void maclaurin_series_match_known_coefficients(void)
{
  const pinn_ts x = pt_var(0.0, 1.0, KM);
  const pinn_ts t = pt_tanh(x);
  const double tanh_c[KM + 1] = {0, 1, 0, -1.0 / 3, 0, 2.0 / 15, 0, -17.0 / 315, 0};
  const pinn_ts l = pt_log(pt_addc(x, 1.0));
  const pinn_ts g = pt_cdiv(1.0, pt_csub(1.0, x));
  const pinn_ts e = pt_exp(pt_scale(x, 2.0));
  const pinn_ts p = pt_pow(pt_addc(x, 1.0), 0.37);
  const pinn_ts s = pt_sqrt(pt_addc(x, 1.0));
  CU_ASSERT_EQUAL(t.K, KM);
  double binom_r = 1.0, binom_h = 1.0;
  for (int k = 0; k <= KM; ++k) {
    CU_ASSERT(fabs(t.c[k] - tanh_c[k]) < 1e-15);
    CU_ASSERT(fabs(l.c[k] - (k ? (k % 2 ? 1.0 : -1.0) / k : 0.0)) < 1e-15);
    CU_ASSERT(fabs(g.c[k] - 1.0) < 1e-15);
    CU_ASSERT(pinn_test_reldiff(e.c[k], pow(2.0, k) / fact(k), 1e-300) < 1e-14);
    CU_ASSERT(pinn_test_reldiff(p.c[k], binom_r, 1e-300) < 1e-13);
    CU_ASSERT(pinn_test_reldiff(s.c[k], binom_h, 1e-300) < 1e-13);
    binom_r *= (0.37 - k) / (k + 1);
    binom_h *= (0.5 - k) / (k + 1);
  }
}

static void exp_of_sin_matches_the_leibniz_recurrence(void)
{
  const double x0 = 0.7;
  double f[KM + 1];
  f[0] = exp(sin(x0));
  for (int n = 0; n < KM; ++n) { /* f^(n+1) = sum_k C(n,k) cos^(k)(x0) f^(n-k) */
    double s = 0.0, c = 1.0;
    for (int k = 0; k <= n; ++k) {
      s += c * cos(x0 + k * M_PI / 2) * f[n - k];
      c = c * (n - k) / (k + 1);
    }
    f[n + 1] = s;
  }
  for (int K = 0; K <= KM; ++K) {
    const pinn_ts r = pt_exp(pt_sin(pt_var(x0, 1.0, K)));
    CU_ASSERT_EQUAL(r.K, K);
    for (int k = 0; k <= KM; ++k) {
      if (k > K) {
        CU_ASSERT_EQUAL(r.c[k], 0.0);
        continue;
      }
      CU_ASSERT(pinn_test_reldiff(pt_deriv(r, k), f[k], 1e-12) < 1e-13);
    }
  }
  /* the same through pt_chain with exp's derivatives */
  const pinn_ts a = pt_sin(pt_var(x0, 1.0, KM));
  double df[KM + 1];
  for (int m = 0; m <= KM; ++m) df[m] = exp(a.c[0]);
  const pinn_ts c = pt_chain(a, df);
  for (int k = 0; k <= KM; ++k) CU_ASSERT(pinn_test_reldiff(pt_deriv(c, k), f[k], 1e-12) < 1e-13);
}

static void two_coordinates_along_a_direction_match_the_complex_closed_form(void)
{
  const double x = 0.3, y = -0.8, v[2] = {1.0, 2.0};
  const pinn_ts X = pt_var(x, v[0], KM), Y = pt_var(y, v[1], KM);
  const pinn_ts r = pt_mul(pt_exp(X), pt_sin(Y));
  const pinn_ts c = pt_mul(pt_exp(X), pt_cos(Y));
  double complex z = cexp(x + I * y), w = 1.0;
  for (int k = 0; k <= KM; ++k) {
    CU_ASSERT(pinn_test_reldiff(r.c[k], cimag(z * w) / fact(k), 1e-12) < 1e-14);
    CU_ASSERT(pinn_test_reldiff(c.c[k], creal(z * w) / fact(k), 1e-12) < 1e-14);
    w *= v[0] + I * v[1];
  }
}

/* A composite of every operation, along the line x + s v, to order K. */
static pinn_ts composite(double x, double v, int K, int which)
{
  const pinn_ts X = pt_var(x, v, K);
  switch (which) {
  case 0: return pt_div(pt_sqrt(pt_addc(pt_sq(X), 1.0)), pt_addc(pt_tanh(X), 2.0));
  case 1: return pt_mul(pt_log(pt_addc(pt_exp(X), 0.5)), pt_cos(pt_scale(X, 1.3)));
  case 2: return pt_sub(pt_pow(pt_addc(X, 2.0), -1.7), pt_powi(pt_sin(X), 3));
  default: return pt_neg(pt_cdiv(2.0, pt_add(pt_const(3.0), pt_mul(X, pt_csub(1.0, X)))));
  }
}

static void every_order_matches_a_difference_of_the_order_below(void)
{
  const double xs[3] = {-0.6, 0.25, 1.1};
  for (int which = 0; which < 4; ++which)
    for (int i = 0; i < 3; ++i) {
      const double x = xs[i], h = 1e-3;
      const pinn_ts r = composite(x, 1.0, KM, which);
      for (int k = 1; k <= KM; ++k) {
        double d[4];
        const double off[4] = {h, -h, h / 2, -h / 2};
        for (int j = 0; j < 4; ++j) d[j] = pt_deriv(composite(x + off[j], 1.0, k - 1, which), k - 1);
        const double d1 = (d[0] - d[1]) / (2 * h), d2 = (d[2] - d[3]) / h;
        const double fd = (4 * d2 - d1) / 3;
        const double e = pinn_test_reldiff(pt_deriv(r, k), fd, 1e-2 * fmax(1.0, fabs(fd)));
        if (!(e < 1e-7))
          printf("\n  composite %d at x = %g: order %d: series %.12g, difference %.12g\n", which,
                 x, k, pt_deriv(r, k), fd);
        CU_ASSERT(e < 1e-7);
      }
      /* a direction v scales coefficient k by v^k */
      const pinn_ts s = composite(x, -0.7, KM, which);
      for (int k = 0; k <= KM; ++k)
        CU_ASSERT(pinn_test_reldiff(s.c[k], r.c[k] * pow(-0.7, k), 1e-12) < 1e-12);
    }
}

static void orders_combine_by_the_minimum_and_constants_keep_theirs(void)
{
  const pinn_ts a = pt_var(0.5, 1.0, 3), b = pt_var(0.2, 1.0, 5), c = pt_const(2.0);
  CU_ASSERT_EQUAL(pt_mul(a, b).K, 3);
  CU_ASSERT_EQUAL(pt_add(b, c).K, 5);
  CU_ASSERT_EQUAL(c.K, KM);
  CU_ASSERT_EQUAL(pt_var(1.0, 1.0, 99).K, KM);
  CU_ASSERT_EQUAL(pt_var(1.0, 1.0, -2).K, 0);
  CU_ASSERT_EQUAL(pt_var(1.0, 1.0, 0).c[1], 0.0);
  const pinn_ts m = pt_mul(a, b);
  for (int k = 4; k <= KM; ++k) CU_ASSERT_EQUAL(m.c[k], 0.0);
  CU_ASSERT_EQUAL(pt_coef(a, 7), 0.0);
  CU_ASSERT_EQUAL(pt_coef(a, -1), 0.0);
  CU_ASSERT_EQUAL(pt_deriv(pt_powi(pt_var(0.0, 1.0, 4), 3), 3), 6.0);
  /* a whole power of a negative base is exact (pt_powi); a real one is NaN */
  const pinn_ts q = pt_pow(pt_var(-2.0, 1.0, 3), 2.0);
  CU_ASSERT_EQUAL(q.c[0], 4.0);
  CU_ASSERT_EQUAL(q.c[1], -4.0);
  CU_ASSERT_EQUAL(q.c[2], 1.0);
  CU_ASSERT(isnan(pt_pow(pt_var(-2.0, 1.0, 3), 0.5).c[0]));
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"maclaurin_series_match_known_coefficients", maclaurin_series_match_known_coefficients},
    {"exp_of_sin_matches_the_leibniz_recurrence", exp_of_sin_matches_the_leibniz_recurrence},
    {"two_coordinates_along_a_direction_match_the_complex_closed_form",
     two_coordinates_along_a_direction_match_the_complex_closed_form},
    {"every_order_matches_a_difference_of_the_order_below",
     every_order_matches_a_difference_of_the_order_below},
    {"orders_combine_by_the_minimum_and_constants_keep_theirs",
     orders_combine_by_the_minimum_and_constants_keep_theirs},
    {NULL, NULL}};
  if (pinn_test_add_suite("tseries", cases)) return 1;
  return pinn_test_run_all();
}
