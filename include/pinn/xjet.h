/* libpinn — second-order forward-mode scalars for functions of the point x.
 *
 * A pinn_xjet carries a value v, its gradient g[i] = dv/dx_i and its Hessian
 * h[i][j] = d2v/dx_i dx_j with respect to the (at most PINN_XJET_MAX = 4)
 * coordinates of a point: x, y, z, t.  Every operation applies the chain
 * rule to second order, exactly, with no step size (Griewank & Walther,
 * "Evaluating Derivatives", 2nd ed., SIAM 2008, ch. 13, univariate Taylor
 * propagation, here written out for the full second-order jet):
 *
 *   f(a):   v = f(a),  g_i = f'(a) a_i,  h_ij = f''(a) a_i a_j + f'(a) a_ij
 *   a * b:  v = a b,   g_i = a_i b + a b_i,
 *           h_ij = a_ij b + a_i b_j + a_j b_i + a b_ij
 *
 * How libpinn uses it.  An output transform (pinn/transform.h) needs the
 * boundary data extension g(x), the distance-like function d(x) or the
 * obstacle psi(x) with their gradients and Hessians.  The user writes them
 * once, as plain formulas in xjets; the coordinates arrive seeded
 * (x[i] = px_var(x_i, i)) and every derivative follows:
 *
 *   // d(x, t) = x (1 - x) t on [0,1] x [0,T]:  d vanishes at x = 0, 1, t = 0
 *   static int dist(const pinn_xjet *x, pinn_xjet *out, void *ctx)
 *   {
 *     *out = px_mul(px_mul(x[0], px_csub(1.0, x[0])), x[1]);
 *     return 0;
 *   }
 *   => out->v = x(1-x)t, out->g = ((1-2x)t, x(1-x)), out->h[0][0] = -2t,
 *      out->h[0][1] = out->h[1][0] = 1-2x, out->h[1][1] = 0.
 *
 * Storage.  The Hessian is stored in full (16 doubles, h[i][j] with
 * h[j][i] the same number): a pinn_xjet is 1 + 4 + 16 = 21 doubles
 * (168 bytes), passed by value like pinn_dual.  Every operation computes
 * the entries with i <= j and copies them to j > i, so the Hessian of any
 * result is exactly (bitwise) symmetric.  Entries of coordinates a caller
 * did not seed stay exactly 0.
 *
 * Cost.  An operation costs some 30-50 ns (d = x (1 - x) t, three
 * operations, ~140 ns per call including the seeding; gcc 12 -O3
 * -march=native, AMD EPYC).  The output transforms evaluate g, d, psi once
 * per point set (pinn_transform_coefs), not at every loss evaluation.
 *
 * Names.  As for pinn_dual (pd_), the operations use the short prefix px_
 * (a documented exception to the house rule) so that a formula reads as the
 * mathematics; suffix c means "with a plain double constant": px_addc(a, c)
 * is a + c, px_csub(c, a) is c - a.  Only smooth functions are provided:
 * the Hessian of a kink is not defined.  For a function not here, use
 * px_chain(a, f(a.v), f'(a.v), f''(a.v)).
 *
 * Domain errors follow IEEE 754 and the C library (px_log of a negative
 * number is NaN, px_sqrt(0) has infinite derivatives, a division by 0 gives
 * Inf/NaN); nothing here branches to avoid them.  The transform checks what
 * it receives and reports the point.  An index out of range (px_var with
 * i >= PINN_XJET_MAX) gives value NaN.
 *
 * All functions are pure (no state, thread-safe).
 */
#ifndef PINN_XJET_H
#define PINN_XJET_H

#include <math.h>
#include <stddef.h>
#include <pinn/dual.h> /* pinn_dual_ipow */

PINN_BEGIN_DECLS

/* Most coordinates an xjet differentiates by: x, y, z, t. */
#define PINN_XJET_MAX 4

/* A second-order jet: value v, gradient g[i] = dv/dx_i, symmetric Hessian
 * h[i][j] = d2v/dx_i dx_j (both triangles stored, bitwise equal). */
typedef struct pinn_xjet {
  double v;
  double g[PINN_XJET_MAX];
  double h[PINN_XJET_MAX][PINN_XJET_MAX];
} pinn_xjet;

/* ----------------------------------------------------------------------- */
/* Constructors and accessors                                              */

/* The constant c: value c, gradient and Hessian 0. */
static inline pinn_xjet px_const(double c)
{
  pinn_xjet r;
  r.v = c;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = 0.0;
    for (int j = 0; j < PINN_XJET_MAX; ++j) r.h[i][j] = 0.0;
  }
  return r;
}

/* Coordinate i with value v: gradient e_i, Hessian 0 (0 <= i <
 * PINN_XJET_MAX; out of range gives value NaN, gradient 0). */
static inline pinn_xjet px_var(double v, int i)
{
  pinn_xjet r = px_const(i < 0 || i >= PINN_XJET_MAX ? (double)NAN : v);
  if (i >= 0 && i < PINN_XJET_MAX) r.g[i] = 1.0;
  return r;
}

/* The value of a. */
static inline double px_value(pinn_xjet a) { return a.v; }

/* da/dx_i (NaN when i is out of range). */
static inline double px_deriv(pinn_xjet a, int i)
{
  return (i >= 0 && i < PINN_XJET_MAX) ? a.g[i] : (double)NAN;
}

/* d2a/dx_i dx_j (NaN when i or j is out of range). */
static inline double px_deriv2(pinn_xjet a, int i, int j)
{
  return (i >= 0 && i < PINN_XJET_MAX && j >= 0 && j < PINN_XJET_MAX) ? a.h[i][j] : (double)NAN;
}

/* Chain rule for a scalar function f: given fv = f(a.v), f1 = f'(a.v) and
 * f2 = f''(a.v):  v = fv,  g_i = f1 a_i,  h_ij = f2 a_i a_j + f1 a_ij.
 * Every unary operation below is this; use it for a function not provided. */
static inline pinn_xjet px_chain(pinn_xjet a, double fv, double f1, double f2)
{
  pinn_xjet r;
  r.v = fv;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = f1 * a.g[i];
    const double ti = f2 * a.g[i];
    for (int j = i; j < PINN_XJET_MAX; ++j) r.h[i][j] = r.h[j][i] = ti * a.g[j] + f1 * a.h[i][j];
  }
  return r;
}

/* ----------------------------------------------------------------------- */
/* Arithmetic                                                              */

/* a + b:  every entry added. */
static inline pinn_xjet px_add(pinn_xjet a, pinn_xjet b)
{
  pinn_xjet r;
  r.v = a.v + b.v;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = a.g[i] + b.g[i];
    for (int j = i; j < PINN_XJET_MAX; ++j) r.h[i][j] = r.h[j][i] = a.h[i][j] + b.h[i][j];
  }
  return r;
}

/* a - b:  every entry subtracted. */
static inline pinn_xjet px_sub(pinn_xjet a, pinn_xjet b)
{
  pinn_xjet r;
  r.v = a.v - b.v;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = a.g[i] - b.g[i];
    for (int j = i; j < PINN_XJET_MAX; ++j) r.h[i][j] = r.h[j][i] = a.h[i][j] - b.h[i][j];
  }
  return r;
}

/* a * b:  g_i = a_i b + a b_i,  h_ij = a_ij b + a_i b_j + a_j b_i + a b_ij */
static inline pinn_xjet px_mul(pinn_xjet a, pinn_xjet b)
{
  pinn_xjet r;
  r.v = a.v * b.v;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = a.g[i] * b.v + a.v * b.g[i];
    for (int j = i; j < PINN_XJET_MAX; ++j)
      r.h[i][j] = r.h[j][i] =
          a.h[i][j] * b.v + (a.g[i] * b.g[j] + a.g[j] * b.g[i]) + a.v * b.h[i][j];
  }
  return r;
}

/* a / b:  with q = a / b,  g_i = (a_i - q b_i) / b,
 * h_ij = (a_ij - q_i b_j - q_j b_i - q b_ij) / b  (from a = q b). */
static inline pinn_xjet px_div(pinn_xjet a, pinn_xjet b)
{
  pinn_xjet r;
  const double ib = 1.0 / b.v;
  r.v = a.v * ib;
  for (int i = 0; i < PINN_XJET_MAX; ++i) r.g[i] = (a.g[i] - r.v * b.g[i]) * ib;
  for (int i = 0; i < PINN_XJET_MAX; ++i)
    for (int j = i; j < PINN_XJET_MAX; ++j)
      r.h[i][j] = r.h[j][i] =
          (a.h[i][j] - (r.g[i] * b.g[j] + r.g[j] * b.g[i]) - r.v * b.h[i][j]) * ib;
  return r;
}

/* -a */
static inline pinn_xjet px_neg(pinn_xjet a)
{
  pinn_xjet r;
  r.v = -a.v;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = -a.g[i];
    for (int j = 0; j < PINN_XJET_MAX; ++j) r.h[i][j] = -a.h[i][j];
  }
  return r;
}

/* s * a for a constant s (every entry scaled). */
static inline pinn_xjet px_scale(pinn_xjet a, double s)
{
  pinn_xjet r;
  r.v = s * a.v;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = s * a.g[i];
    for (int j = 0; j < PINN_XJET_MAX; ++j) r.h[i][j] = s * a.h[i][j];
  }
  return r;
}

/* a + c for a constant c (derivatives unchanged). */
static inline pinn_xjet px_addc(pinn_xjet a, double c)
{
  a.v += c;
  return a;
}

/* a - c for a constant c (derivatives unchanged). */
static inline pinn_xjet px_subc(pinn_xjet a, double c)
{
  a.v -= c;
  return a;
}

/* c - a for a constant c (derivatives negated). */
static inline pinn_xjet px_csub(double c, pinn_xjet a) { return px_addc(px_neg(a), c); }

/* a / c for a constant c. */
static inline pinn_xjet px_divc(pinn_xjet a, double c)
{
  pinn_xjet r;
  r.v = a.v / c;
  for (int i = 0; i < PINN_XJET_MAX; ++i) {
    r.g[i] = a.g[i] / c;
    for (int j = 0; j < PINN_XJET_MAX; ++j) r.h[i][j] = a.h[i][j] / c;
  }
  return r;
}

/* 1 / a:  f' = -1/a^2,  f'' = 2/a^3 */
static inline pinn_xjet px_recip(pinn_xjet a)
{
  const double q = 1.0 / a.v;
  return px_chain(a, q, -q * q, 2.0 * q * q * q);
}

/* a^2:  f' = 2a,  f'' = 2 */
static inline pinn_xjet px_sq(pinn_xjet a) { return px_chain(a, a.v * a.v, 2.0 * a.v, 2.0); }

/* ----------------------------------------------------------------------- */
/* Powers                                                                  */

/* a^n for an integer n (any sign; a^0 = 1 with zero derivatives, a^1 = a):
 * f' = n a^(n-1),  f'' = n (n-1) a^(n-2) */
static inline pinn_xjet px_powi(pinn_xjet a, int n)
{
  if (n == 0) return px_const(1.0);
  if (n == 1) return a;
  const double nn = (double)n;
  return px_chain(a, pinn_dual_ipow(a.v, n), nn * pinn_dual_ipow(a.v, (long long)n - 1),
                  nn * (nn - 1.0) * pinn_dual_ipow(a.v, (long long)n - 2));
}

/* a^p for a constant real p (a > 0, or any a when p is an integer; a^0 = 1,
 * a^1 = a):  f' = p a^(p-1),  f'' = p (p-1) a^(p-2) */
static inline pinn_xjet px_powc(pinn_xjet a, double p)
{
  if (p == 0.0) return px_const(1.0);
  if (p == 1.0) return a;
  return px_chain(a, pow(a.v, p), p * pow(a.v, p - 1.0), p * (p - 1.0) * pow(a.v, p - 2.0));
}

/* sqrt(a) (a > 0; infinite derivatives at 0):
 * f' = 1 / (2 sqrt(a)),  f'' = -1 / (4 a sqrt(a)) */
static inline pinn_xjet px_sqrt(pinn_xjet a)
{
  const double s = sqrt(a.v), d1 = 0.5 / s;
  return px_chain(a, s, d1, -0.5 * d1 / a.v);
}

/* ----------------------------------------------------------------------- */
/* Transcendental functions                                                */

/* exp(a):  f' = f'' = exp(a) */
static inline pinn_xjet px_exp(pinn_xjet a)
{
  const double e = exp(a.v);
  return px_chain(a, e, e, e);
}

/* log(a) (natural, a > 0):  f' = 1/a,  f'' = -1/a^2 */
static inline pinn_xjet px_log(pinn_xjet a)
{
  const double q = 1.0 / a.v;
  return px_chain(a, log(a.v), q, -q * q);
}

/* sin(a):  f' = cos(a),  f'' = -sin(a) */
static inline pinn_xjet px_sin(pinn_xjet a)
{
  const double s = sin(a.v);
  return px_chain(a, s, cos(a.v), -s);
}

/* cos(a):  f' = -sin(a),  f'' = -cos(a) */
static inline pinn_xjet px_cos(pinn_xjet a)
{
  const double c = cos(a.v);
  return px_chain(a, c, -sin(a.v), -c);
}

/* tanh(a):  f' = 1 - tanh^2,  f'' = -2 tanh (1 - tanh^2) */
static inline pinn_xjet px_tanh(pinn_xjet a)
{
  const double t = tanh(a.v), d1 = 1.0 - t * t;
  return px_chain(a, t, d1, -2.0 * t * d1);
}

/* sigmoid(a) = 1 / (1 + exp(-a)), overflow-free for any a:
 * f' = s (1 - s),  f'' = s (1 - s) (1 - 2 s) */
static inline pinn_xjet px_sigmoid(pinn_xjet a)
{
  const double e = exp(-fabs(a.v)); /* in (0, 1] */
  const double s = a.v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  const double sc = a.v >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e); /* 1 - s */
  const double d1 = s * sc;
  return px_chain(a, s, d1, d1 * (sc - s));
}

/* softplus_beta(a) = log(1 + exp(beta a)) / beta (beta > 0), overflow-free:
 * f' = sigmoid(beta a) = s,  f'' = beta s (1 - s) */
static inline pinn_xjet px_softplus(pinn_xjet a, double beta)
{
  const double z = beta * a.v;
  const double e = exp(-fabs(z));
  const double v = (z > 0.0 ? a.v : 0.0) + log1p(e) / beta;
  const double s = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  const double sc = z >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
  return px_chain(a, v, s, beta * s * sc);
}

/* ----------------------------------------------------------------------- */
/* Library-side helpers (lib/xjet.c)                                       */

/* 1 when a's value, gradient and Hessian entries of coordinates
 * 0 .. dim-1 are all finite (dim > PINN_XJET_MAX counts as PINN_XJET_MAX),
 * else 0. */
int pinn_xjet_isfinite(const pinn_xjet *a, size_t dim);

/* Format a as "v g=[g_0 ..] h=[[h_00 ..] ..]" for coordinates 0 .. dim-1
 * (%.17g) into buf of the given size (truncated, always NUL-terminated when
 * size > 0); returns buf. */
char *pinn_xjet_format(const pinn_xjet *a, size_t dim, char *buf, size_t size);

PINN_END_DECLS
#endif
