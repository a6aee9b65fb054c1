/* libpinn — truncated univariate Taylor series for functions of the point.
 *
 * A pinn_ts holds the coefficients c[0..K] of a function along a line,
 * f(x + s v) = c_0 + c_1 s + ... + c_K s^K + O(s^(K+1)), so c_k = (v . grad)^k f / k!
 * (K <= PINN_TS_MAX_ORDER = PINN_TAYLOR_MAX_ORDER, carried in the value).
 * Every operation applies the standard recurrences of univariate Taylor
 * arithmetic (Griewank & Walther, "Evaluating Derivatives", 2nd ed., SIAM
 * 2008, ch. 13, table 13.2), exactly, with no step size, to any order:
 *
 *   a * b:   c_k = sum_{j=0..k} a_j b_{k-j}
 *   a / b:   c_k = (a_k - sum_{j=1..k} b_j c_{k-j}) / b_0
 *   sqrt a:  c_k = (a_k - sum_{j=1..k-1} c_j c_{k-j}) / (2 c_0)
 *   exp a:   k c_k = sum_{j=1..k} j a_j c_{k-j}
 *   log a:   c_k = (a_k - (1/k) sum_{j=1..k-1} j c_j a_{k-j}) / a_0
 *   a^r:     c_k = (1/(k a_0)) sum_{j=0..k-1} (r (k-j) - j) a_{k-j} c_j
 *   sin/cos: k s_k = sum_j j a_j co_{k-j},  k co_k = -sum_j j a_j s_{k-j}
 *   tanh:    k t_k = sum_j j a_j w_{k-j},  w = 1 - t^2 (built alongside)
 *   f(a):    c = sum_{m=0..K} f^(m)(a_0)/m! [(a - a_0)^m]   (pt_chain)
 *
 * How libpinn uses it.  An output transform in series form
 * (pinn/transform.h: pinn_transform_dirichlet_series) receives the point's
 * coordinates as series along a direction, x_i(s) = x_i + s v_i, and writes
 * the series of g and d (or psi).  The Taylor engine (pinn/taylor.h) then
 * composes u = g + d N along each of its directions, to any order; the
 * second-order engine gets value, gradient and Hessian from the same
 * callbacks (directions e_i and e_i + e_j).  The user writes g and d once:
 *
 *   // d(x, y) = x (1 - x) y (1 - y) on the unit square
 *   static int dist(const pinn_ts *x, pinn_ts *out, void *ctx)
 *   {
 *     *out = pt_mul(pt_mul(x[0], pt_csub(1.0, x[0])), pt_mul(x[1], pt_csub(1.0, x[1])));
 *     return 0;
 *   }
 *
 * Orders.  A binary operation truncates at the smaller K of its operands.
 * Constants (pt_const) carry K = PINN_TS_MAX_ORDER with zero higher
 * coefficients, which is exact, so they never lower the order; the
 * coordinates (pt_var) carry the order the caller asks for.
 * Coefficients above K are zero in every result.
 *
 * Names.  As pd_ (dual numbers) and px_ (xjets), the short prefix pt_ is a
 * documented exception to the house naming rule, so formulas read as the
 * mathematics; suffix c means a plain double constant (pt_addc(a, c) = a + c,
 * pt_csub(c, a) = c - a).  Domain errors follow IEEE 754 (log of a negative
 * number is NaN, sqrt and a fractional power at 0 have infinite higher
 * coefficients); nothing branches to avoid them.
 *
 * All functions are pure (no state, thread-safe).
 */
#ifndef PINN_TSERIES_H
#define PINN_TSERIES_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Highest order of a series (equal to PINN_TAYLOR_MAX_ORDER). */
#define PINN_TS_MAX_ORDER 8
/* Most coordinates a series-form function receives (PINN_TAYLOR_MAX_INPUTS). */
#define PINN_TS_MAX_VARS 9

/* A truncated series c[0..K] (entries above K are 0). */
typedef struct pinn_ts {
  int K;
  double c[PINN_TS_MAX_ORDER + 1];
} pinn_ts;

/* The constant c (order PINN_TS_MAX_ORDER, higher coefficients 0). */
pinn_ts pinn_ts_const(double c);
/* A coordinate along a line: x + s v to order K (K clipped to 0..PINN_TS_MAX_ORDER). */
pinn_ts pinn_ts_var(double x, double v, int K);
/* Coefficient c_k (0 for k outside 0..K). */
double pinn_ts_coef(pinn_ts a, int k);
/* k-th derivative along the line, k! c_k (0 for k outside 0..K). */
double pinn_ts_deriv(pinn_ts a, int k);

/* a + b, a - b, a * b, a / b (order min(a.K, b.K)). */
pinn_ts pinn_ts_add(pinn_ts a, pinn_ts b);
pinn_ts pinn_ts_sub(pinn_ts a, pinn_ts b);
pinn_ts pinn_ts_mul(pinn_ts a, pinn_ts b);
pinn_ts pinn_ts_div(pinn_ts a, pinn_ts b);
/* -a, s a, a + c, c - a, c / a, a^2. */
pinn_ts pinn_ts_neg(pinn_ts a);
pinn_ts pinn_ts_scale(pinn_ts a, double s);
pinn_ts pinn_ts_addc(pinn_ts a, double c);
pinn_ts pinn_ts_csub(double c, pinn_ts a);
pinn_ts pinn_ts_cdiv(double c, pinn_ts a);
pinn_ts pinn_ts_sq(pinn_ts a);

/* exp, log, sqrt, a^r for a real r (a_0 > 0 unless r is a whole number 0 .. 64, which
 * goes through pt_powi). */
pinn_ts pinn_ts_exp(pinn_ts a);
pinn_ts pinn_ts_log(pinn_ts a);
pinn_ts pinn_ts_sqrt(pinn_ts a);
pinn_ts pinn_ts_pow(pinn_ts a, double r);
/* a^n for a whole n >= 0 by repeated products (any sign of a_0). */
pinn_ts pinn_ts_powi(pinn_ts a, unsigned n);
/* sin, cos, tanh. */
pinn_ts pinn_ts_sin(pinn_ts a);
pinn_ts pinn_ts_cos(pinn_ts a);
pinn_ts pinn_ts_tanh(pinn_ts a);

/* f(a) for a scalar function f given its derivatives at a_0:
 * df[m] = f^(m)(a.c[0]) for m = 0..a.K (Faa di Bruno in series form,
 * sum_m df[m]/m! [(a - a_0)^m]).  Use it for a function not provided. */
pinn_ts pinn_ts_chain(pinn_ts a, const double *df);


/* The short names a formula reads with (like px_ and pd_: a documented
 * exception to the house prefix), inline, so that libpinn exports only
 * pinn_ names. */
static inline pinn_ts pt_const(double c) { return pinn_ts_const(c); }
static inline pinn_ts pt_var(double x, double v, int K) { return pinn_ts_var(x, v, K); }
static inline double pt_coef(pinn_ts a, int k) { return pinn_ts_coef(a, k); }
static inline double pt_deriv(pinn_ts a, int k) { return pinn_ts_deriv(a, k); }
static inline pinn_ts pt_add(pinn_ts a, pinn_ts b) { return pinn_ts_add(a, b); }
static inline pinn_ts pt_sub(pinn_ts a, pinn_ts b) { return pinn_ts_sub(a, b); }
static inline pinn_ts pt_mul(pinn_ts a, pinn_ts b) { return pinn_ts_mul(a, b); }
static inline pinn_ts pt_div(pinn_ts a, pinn_ts b) { return pinn_ts_div(a, b); }
static inline pinn_ts pt_neg(pinn_ts a) { return pinn_ts_neg(a); }
static inline pinn_ts pt_scale(pinn_ts a, double s) { return pinn_ts_scale(a, s); }
static inline pinn_ts pt_addc(pinn_ts a, double c) { return pinn_ts_addc(a, c); }
static inline pinn_ts pt_csub(double c, pinn_ts a) { return pinn_ts_csub(c, a); }
static inline pinn_ts pt_cdiv(double c, pinn_ts a) { return pinn_ts_cdiv(c, a); }
static inline pinn_ts pt_sq(pinn_ts a) { return pinn_ts_sq(a); }
static inline pinn_ts pt_exp(pinn_ts a) { return pinn_ts_exp(a); }
static inline pinn_ts pt_log(pinn_ts a) { return pinn_ts_log(a); }
static inline pinn_ts pt_sqrt(pinn_ts a) { return pinn_ts_sqrt(a); }
static inline pinn_ts pt_pow(pinn_ts a, double r) { return pinn_ts_pow(a, r); }
static inline pinn_ts pt_powi(pinn_ts a, unsigned n) { return pinn_ts_powi(a, n); }
static inline pinn_ts pt_sin(pinn_ts a) { return pinn_ts_sin(a); }
static inline pinn_ts pt_cos(pinn_ts a) { return pinn_ts_cos(a); }
static inline pinn_ts pt_tanh(pinn_ts a) { return pinn_ts_tanh(a); }
static inline pinn_ts pt_chain(pinn_ts a, const double *df) { return pinn_ts_chain(a, df); }

PINN_END_DECLS
#endif
