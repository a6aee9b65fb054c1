/* libpinn — scalar forward-mode dual numbers for writing PDE residuals.
 *
 * A dual number carries a value v and a tangent d[0..PINN_DUAL_MAX-1]:
 * it stands for v + sum_k d[k] eps_k with eps_j eps_k = 0, so every
 * operation f applied to it returns f(v) and the tangent f'(v) d (the chain
 * rule), exactly, with no step size.  See Griewank & Walther, "Evaluating
 * Derivatives" (2nd ed., SIAM 2008), ch. 3, for forward-mode differentiation.
 *
 * How libpinn uses it.  A residual callback receives the network outputs'
 * jet entries (u, u_x, u_t, u_xx, ...) and any learnable PDE coefficients as
 * duals, each seeded with a unit tangent at its own index (pd_var(value, i)),
 * and returns residuals as duals.  The library reads d(residual)/d(entry i)
 * from r.d[i] and back-propagates it through the network, so the user never
 * differentiates anything by hand:
 *
 *   Burgers, r = u_t + u u_x - nu u_xx  (u, u_x, u_t, u_xx at indices 0..3):
 *     r = pd_sub(pd_add(ut, pd_mul(u, ux)), pd_scale(uxx, nu));
 *     => r.v = u_t + u u_x - nu u_xx, r.d = (u_x, u, 1, -nu, 0, ...)
 *
 * Tangent length.  PINN_DUAL_MAX = 32 entries is the most jet entries plus
 * coefficients one residual may see (e.g. 3D incompressible Navier-Stokes:
 * u, v, w, p each with value, 3 first and 3 diagonal second derivatives is
 * 28, plus nu).  There is no runtime count: every operation loops over all
 * 32 entries (fixed-length loops vectorise; unused entries stay exactly 0).
 * A pinn_dual is 33 doubles (264 bytes) and is passed by value; the
 * operations below are static inline, so a residual of a few operations
 * compiles to a few dozen vector instructions.  Measured with
 * bench/bench_dual.c (gcc 12 -O3 -march=native, AVX-512): the Burgers
 * residual, called through a function pointer with its loss and adjoint
 * terms, costs ~22 ns per point when the inputs are seeded once
 * (in[i] = pd_var(0, i)) and only in[i].v changes per point, ~41 ns when
 * every input is rebuilt with pd_var per point (0.2-0.4 ms per 10000 points).
 *
 * Names.  The operations use the short prefix pd_ instead of pinn_dual_ (a
 * documented exception to the house rule) so that a residual reads as the
 * mathematics.  Suffix c means "with a plain double constant": pd_addc(a, c)
 * is a + c, pd_csub(c, a) is c - a.
 *
 * Conventions at kinks (derivative of a piecewise function at its switch
 * point): pd_relu and pd_leaky take the right-hand derivative 1 at 0 (the
 * same convention as libpinn's ReLU-family activations); pd_abs has
 * derivative 0 at 0; pd_min / pd_max return the first argument (value and
 * tangent) on a tie.
 *
 * Domain errors follow IEEE 754 and the C library: pd_log of a negative
 * number is NaN, pd_sqrt(0) has an infinite derivative, pd_div by 0 gives
 * Inf/NaN, and a non-finite factor multiplies every tangent entry (so even
 * entries that were 0 may become NaN).  Nothing here reports errors or
 * branches to avoid them: the library checks every residual it receives
 * (pinn_dual_check) and stops with PINN_ENONFINITE and a message naming the
 * residual.  An index out of range (pd_var with i >= PINN_DUAL_MAX, pd_deriv
 * likewise) gives NaN, so it is caught the same way.
 *
 * All functions are pure (no state, thread-safe).
 */
#ifndef PINN_DUAL_H
#define PINN_DUAL_H

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Tangent length of a pinn_dual: the most jet entries plus PDE coefficients
 * one residual may see (indices 0 .. PINN_DUAL_MAX-1). */
#define PINN_DUAL_MAX 32

/* A dual number: value v and tangent d (d[i] = dv / d(input i)). */
typedef struct pinn_dual {
  double v;
  double d[PINN_DUAL_MAX];
} pinn_dual;

/* Implementation note (speed).  Every operation works on the value and the
 * tangent together as one array of PINN_DUAL_MAX + 1 doubles (entry 0 = v,
 * entry 1 + i = d[i]; the struct has no padding, checked below) and writes
 * its result in full, never entry by entry.  Compilers copy a struct in
 * chunks from its start, so loops starting at d[0] (offset 8) would reload
 * every chunk across two stores and stall the CPU's store forwarding; with
 * whole-struct loops a residual of a few operations stays in registers
 * (Burgers, bench/bench_dual.c: ~22 instead of ~91 ns per point against
 * loops over d[] alone; ~41 instead of ~209 with pd_var per point).
 * Compile residual callbacks with -O3 and, where possible, -march=native:
 * gcc at -O3 for generic x86-64 keeps more struct copies (Burgers ~85 ns
 * per point) and at -O2 more still (~190 ns); clang -O3 ~20-35 ns. */

/* Length of the array view of a pinn_dual (value + tangent). */
#define PINN_DUAL_LEN_ (PINN_DUAL_MAX + 1)

#ifdef __cplusplus
static_assert(sizeof(pinn_dual) == PINN_DUAL_LEN_ * sizeof(double), "pinn_dual has padding");
#else
_Static_assert(sizeof(pinn_dual) == PINN_DUAL_LEN_ * sizeof(double), "pinn_dual has padding");
_Static_assert(offsetof(pinn_dual, d) == sizeof(double), "pinn_dual has padding");
#endif

/* Internal: entry k of the array view of the pinn_dual lvalue s (k = 0 is
 * s.v, k = 1 + i is s.d[i]), addressed through the object's bytes. */
#define PINN_DUAL_AT_(s, k) (*(double *)(void *)((char *)&(s) + (size_t)(k) * sizeof(double)))

/* ----------------------------------------------------------------------- */
/* Constructors and accessors                                              */

/* The constant c: value c, tangent 0. */
static inline pinn_dual pd_const(double c)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k) PINN_DUAL_AT_(r, k) = k == 0 ? c : 0.0;
  return r;
}

/* The constant 0. */
static inline pinn_dual pd_zero(void) { return pd_const(0.0); }

/* An independent variable: value v, tangent e_i (0 <= i < PINN_DUAL_MAX;
 * out of range gives value NaN and tangent 0). */
static inline pinn_dual pd_var(double v, int i)
{
  pinn_dual r;
  if (i < 0 || i >= PINN_DUAL_MAX) v = (double)NAN;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? v : (k == i + 1 ? 1.0 : 0.0);
  return r;
}

/* The value of a. */
static inline double pd_value(pinn_dual a) { return a.v; }

/* d a / d(input i) = a.d[i] (NaN when i is out of range). */
static inline double pd_deriv(pinn_dual a, int i)
{
  return (i >= 0 && i < PINN_DUAL_MAX) ? a.d[i] : (double)NAN;
}

/* Chain rule for a scalar function f: given fv = f(a.v) and dfv = f'(a.v),
 * the dual f(a) = (fv, dfv * a.d).  Every unary operation below is this;
 * use it for a function not provided. */
static inline pinn_dual pd_chain(pinn_dual a, double fv, double dfv)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? fv : dfv * PINN_DUAL_AT_(a, k);
  return r;
}

/* ----------------------------------------------------------------------- */
/* Arithmetic                                                              */

/* a + b:  d = a.d + b.d */
static inline pinn_dual pd_add(pinn_dual a, pinn_dual b)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = PINN_DUAL_AT_(a, k) + PINN_DUAL_AT_(b, k);
  return r;
}

/* a - b:  d = a.d - b.d */
static inline pinn_dual pd_sub(pinn_dual a, pinn_dual b)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = PINN_DUAL_AT_(a, k) - PINN_DUAL_AT_(b, k);
  return r;
}

/* a * b:  d = b a.d + a b.d */
static inline pinn_dual pd_mul(pinn_dual a, pinn_dual b)
{
  pinn_dual r;
  double av = a.v, bv = b.v;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = bv * PINN_DUAL_AT_(a, k) + (k == 0 ? 0.0 : av) * PINN_DUAL_AT_(b, k);
  return r;
}

/* a / b:  d = (a.d - (a/b) b.d) / b */
static inline pinn_dual pd_div(pinn_dual a, pinn_dual b)
{
  pinn_dual r;
  double q = a.v / b.v, ib = 1.0 / b.v;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? q : (PINN_DUAL_AT_(a, k) - q * PINN_DUAL_AT_(b, k)) * ib;
  return r;
}

/* -a:  d = -a.d */
static inline pinn_dual pd_neg(pinn_dual a)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k) PINN_DUAL_AT_(r, k) = -PINN_DUAL_AT_(a, k);
  return r;
}

/* s * a for a constant s:  d = s a.d */
static inline pinn_dual pd_scale(pinn_dual a, double s)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k) PINN_DUAL_AT_(r, k) = s * PINN_DUAL_AT_(a, k);
  return r;
}

/* a + c for a constant c:  d = a.d */
static inline pinn_dual pd_addc(pinn_dual a, double c)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? a.v + c : PINN_DUAL_AT_(a, k);
  return r;
}

/* a - c for a constant c:  d = a.d */
static inline pinn_dual pd_subc(pinn_dual a, double c)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? a.v - c : PINN_DUAL_AT_(a, k);
  return r;
}

/* c - a for a constant c:  d = -a.d */
static inline pinn_dual pd_csub(double c, pinn_dual a)
{
  pinn_dual r;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? c - a.v : -PINN_DUAL_AT_(a, k);
  return r;
}

/* a / c for a constant c:  d = a.d / c */
static inline pinn_dual pd_divc(pinn_dual a, double c)
{
  pinn_dual r;
  double ic = 1.0 / c;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? a.v / c : PINN_DUAL_AT_(a, k) * ic;
  return r;
}

/* c / a for a constant c:  d = -(c / a^2) a.d */
static inline pinn_dual pd_cdiv(double c, pinn_dual a)
{
  double q = c / a.v;
  return pd_chain(a, q, -q / a.v);
}

/* a * b + c (one call for the common product-plus-term):
 * d = b a.d + a b.d + c.d */
static inline pinn_dual pd_fma(pinn_dual a, pinn_dual b, pinn_dual c)
{
  pinn_dual r;
  double av = a.v, bv = b.v;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = bv * PINN_DUAL_AT_(a, k) + (k == 0
        ? 0.0 : av) * PINN_DUAL_AT_(b, k) + PINN_DUAL_AT_(c, k);
  return r;
}

/* a^2:  d = 2 a a.d */
static inline pinn_dual pd_sq(pinn_dual a) { return pd_chain(a, a.v * a.v, 2.0 * a.v); }

/* 1 / a:  d = -a.d / a^2 */
static inline pinn_dual pd_recip(pinn_dual a)
{
  double q = 1.0 / a.v;
  return pd_chain(a, q, -q * q);
}

/* ----------------------------------------------------------------------- */
/* Powers                                                                  */

/* x^n for a double x and any integer n, by repeated squaring (x^0 = 1). */
static inline double pinn_dual_ipow(double x, long long n)
{
  unsigned long long m = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
  double p = 1.0, b = x;
  while (m) {
    if (m & 1u) p *= b;
    m >>= 1;
    if (m) b *= b;
  }
  return n < 0 ? 1.0 / p : p;
}

/* a^n for an integer n (any sign; a^0 = 1 with tangent 0):
 * d = n a^(n-1) a.d */
static inline pinn_dual pd_powi(pinn_dual a, int n)
{
  if (n == 0) return pd_const(1.0);
  return pd_chain(a, pinn_dual_ipow(a.v, n), (double)n * pinn_dual_ipow(a.v, (long long)n - 1));
}

/* a^p for a constant real p (a > 0, or any a when p is an integer; a^0 = 1):
 * d = p a^(p-1) a.d */
static inline pinn_dual pd_powc(pinn_dual a, double p)
{
  if (p == 0.0) return pd_const(1.0);
  return pd_chain(a, pow(a.v, p), p * pow(a.v, p - 1.0));
}

/* a^b for duals a > 0 and b:  d = b a^(b-1) a.d + a^b log(a) b.d
 * (at a = 0 with b > 0 the b-derivative is taken as its limit 0). */
static inline pinn_dual pd_pow(pinn_dual a, pinn_dual b)
{
  pinn_dual r;
  double v = pow(a.v, b.v);
  double da = b.v * pow(a.v, b.v - 1.0);
  double db = (a.v == 0.0 && b.v > 0.0) ? 0.0 : v * log(a.v);
  for (int k = 0; k < PINN_DUAL_LEN_; ++k)
    PINN_DUAL_AT_(r, k) = k == 0 ? v : da * PINN_DUAL_AT_(a, k) + db * PINN_DUAL_AT_(b, k);
  return r;
}

/* sqrt(a) (a >= 0; infinite derivative at 0):  d = a.d / (2 sqrt(a)) */
static inline pinn_dual pd_sqrt(pinn_dual a)
{
  double s = sqrt(a.v);
  return pd_chain(a, s, 0.5 / s);
}

/* ----------------------------------------------------------------------- */
/* Transcendental functions                                                */

/* exp(a):  d = exp(a) a.d */
static inline pinn_dual pd_exp(pinn_dual a)
{
  double e = exp(a.v);
  return pd_chain(a, e, e);
}

/* log(a) (natural, a > 0):  d = a.d / a */
static inline pinn_dual pd_log(pinn_dual a) { return pd_chain(a, log(a.v), 1.0 / a.v); }

/* sin(a):  d = cos(a) a.d */
static inline pinn_dual pd_sin(pinn_dual a) { return pd_chain(a, sin(a.v), cos(a.v)); }

/* cos(a):  d = -sin(a) a.d */
static inline pinn_dual pd_cos(pinn_dual a) { return pd_chain(a, cos(a.v), -sin(a.v)); }

/* tan(a):  d = (1 + tan(a)^2) a.d */
static inline pinn_dual pd_tan(pinn_dual a)
{
  double t = tan(a.v);
  return pd_chain(a, t, 1.0 + t * t);
}

/* atan(a):  d = a.d / (1 + a^2) */
static inline pinn_dual pd_atan(pinn_dual a)
{
  return pd_chain(a, atan(a.v), 1.0 / (1.0 + a.v * a.v));
}

/* sinh(a):  d = cosh(a) a.d */
static inline pinn_dual pd_sinh(pinn_dual a) { return pd_chain(a, sinh(a.v), cosh(a.v)); }

/* cosh(a):  d = sinh(a) a.d */
static inline pinn_dual pd_cosh(pinn_dual a) { return pd_chain(a, cosh(a.v), sinh(a.v)); }

/* tanh(a):  d = (1 - tanh(a)^2) a.d */
static inline pinn_dual pd_tanh(pinn_dual a)
{
  double t = tanh(a.v);
  return pd_chain(a, t, 1.0 - t * t);
}

/* erf(a):  d = (2 / sqrt(pi)) exp(-a^2) a.d */
static inline pinn_dual pd_erf(pinn_dual a)
{
  return pd_chain(a, erf(a.v), 1.1283791670955126 * exp(-a.v * a.v));
}

/* sigmoid(a) = 1 / (1 + exp(-a)), overflow-free for any a:
 * d = sigmoid(a) (1 - sigmoid(a)) a.d */
static inline pinn_dual pd_sigmoid(pinn_dual a)
{
  double e = exp(-fabs(a.v));          /* in (0, 1] */
  double s = a.v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  double sc = a.v >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e); /* 1 - s */
  return pd_chain(a, s, s * sc);
}

/* softplus_beta(a) = log(1 + exp(beta a)) / beta (beta > 0), overflow-free:
 * d = sigmoid(beta a) a.d */
static inline pinn_dual pd_softplus(pinn_dual a, double beta)
{
  double z = beta * a.v;
  double e = exp(-fabs(z));
  double v = (z > 0.0 ? a.v : 0.0) + log1p(e) / beta;
  double s = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return pd_chain(a, v, s);
}

/* ----------------------------------------------------------------------- */
/* Piecewise functions (conventions at the kink: see the top of this file) */

/* |a|:  d = sign(a) a.d, with derivative 0 at a = 0 */
static inline pinn_dual pd_abs(pinn_dual a)
{
  double s = a.v > 0.0 ? 1.0 : (a.v < 0.0 ? -1.0 : (a.v == 0.0 ? 0.0 : a.v));
  return pd_chain(a, fabs(a.v), s);
}

/* min(a, b): the smaller argument (value and tangent); a on a tie; NaN in
 * either argument gives that argument. */
static inline pinn_dual pd_min(pinn_dual a, pinn_dual b)
{
  return (b.v < a.v || b.v != b.v) ? b : a;
}

/* max(a, b): the larger argument (value and tangent); a on a tie; NaN in
 * either argument gives that argument. */
static inline pinn_dual pd_max(pinn_dual a, pinn_dual b)
{
  return (b.v > a.v || b.v != b.v) ? b : a;
}

/* ReLU(a) = max(a, 0):  d = a.d for a >= 0 (right-hand derivative 1 at 0),
 * 0 for a < 0; NaN propagates. */
static inline pinn_dual pd_relu(pinn_dual a)
{
  pinn_dual r;
  int off = a.v < 0.0;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k) PINN_DUAL_AT_(r, k) = off ? 0.0 : PINN_DUAL_AT_(a, k);
  return r;
}

/* Leaky ReLU: a for a >= 0 (derivative 1 at 0), alpha a for a < 0. */
static inline pinn_dual pd_leaky(pinn_dual a, double alpha)
{
  return pd_scale(a, a.v < 0.0 ? alpha : 1.0);
}

/* ----------------------------------------------------------------------- */
/* Library-side helpers (lib/dual.c)                                       */

/* 1 when a's value and every tangent entry are finite, else 0. */
int pinn_dual_isfinite(const pinn_dual *a);

/* Check n residual duals r[0..n-1] for NaN/Inf in values or tangents.
 * Returns 0, or PINN_ENONFINITE with err (if not NULL) naming the first bad
 * residual, what is non-finite and the usual causes to fix.  Costs ~12 ns
 * per residual (bench/bench_dual.c); a caller may test its accumulated loss
 * and gradient instead and call this only to name the culprit. */
int pinn_dual_check(const pinn_dual *r, size_t n, pinn_error *err);

/* Format a as "v [i]=d_i ..." (nonzero tangent entries only, %.17g) into buf
 * of the given size (truncated, always NUL-terminated when size > 0);
 * returns buf. */
char *pinn_dual_format(const pinn_dual *a, char *buf, size_t size);

PINN_END_DECLS
#endif
