/* libpinn — truncated univariate Taylor series (include/pinn/tseries.h).
 * Recurrences: Griewank & Walther, "Evaluating Derivatives", 2nd ed., SIAM
 * 2008, ch. 13, table 13.2 (products, quotients, square roots, exp, log,
 * powers, sin/cos pairs; tanh with its derivative series 1 - t^2 built
 * alongside). */
#include <pinn/tseries.h>

#include <math.h>
#include <string.h>

#define KM PINN_TS_MAX_ORDER

static pinn_ts zero(int K)
{
  pinn_ts r;
  memset(&r, 0, sizeof r);
  r.K = K < 0 ? 0 : K > KM ? KM : K;
  return r;
}

static int kmin(pinn_ts a, pinn_ts b) { return a.K < b.K ? a.K : b.K; }

pinn_ts pinn_ts_const(double c)
{
  pinn_ts r = zero(KM);
  r.c[0] = c;
  return r;
}

pinn_ts pinn_ts_var(double x, double v, int K)
{
  pinn_ts r = zero(K);
  r.c[0] = x;
  if (r.K >= 1) r.c[1] = v;
  return r;
}

double pinn_ts_coef(pinn_ts a, int k) { return k >= 0 && k <= a.K && k <= KM ? a.c[k] : 0.0; }

double pinn_ts_deriv(pinn_ts a, int k)
{
  double f = 1.0;
  for (int i = 2; i <= k; ++i) f *= i;
  return f * pinn_ts_coef(a, k);
}

pinn_ts pinn_ts_add(pinn_ts a, pinn_ts b)
{
  pinn_ts r = zero(kmin(a, b));
  for (int k = 0; k <= r.K; ++k) r.c[k] = a.c[k] + b.c[k];
  return r;
}

pinn_ts pinn_ts_sub(pinn_ts a, pinn_ts b)
{
  pinn_ts r = zero(kmin(a, b));
  for (int k = 0; k <= r.K; ++k) r.c[k] = a.c[k] - b.c[k];
  return r;
}

pinn_ts pinn_ts_mul(pinn_ts a, pinn_ts b)
{
  pinn_ts r = zero(kmin(a, b));
  for (int k = 0; k <= r.K; ++k) {
    double s = 0.0;
    for (int j = 0; j <= k; ++j) s += a.c[j] * b.c[k - j];
    r.c[k] = s;
  }
  return r;
}

pinn_ts pinn_ts_div(pinn_ts a, pinn_ts b)
{
  pinn_ts r = zero(kmin(a, b));
  const double ib = 1.0 / b.c[0];
  for (int k = 0; k <= r.K; ++k) {
    double s = a.c[k];
    for (int j = 1; j <= k; ++j) s -= b.c[j] * r.c[k - j];
    r.c[k] = s * ib;
  }
  return r;
}

pinn_ts pinn_ts_neg(pinn_ts a) { return pinn_ts_scale(a, -1.0); }

pinn_ts pinn_ts_scale(pinn_ts a, double s)
{
  pinn_ts r = zero(a.K);
  for (int k = 0; k <= r.K; ++k) r.c[k] = s * a.c[k];
  return r;
}

pinn_ts pinn_ts_addc(pinn_ts a, double c)
{
  pinn_ts r = a;
  r.c[0] += c;
  return r;
}

pinn_ts pinn_ts_csub(double c, pinn_ts a) { return pinn_ts_addc(pinn_ts_neg(a), c); }

pinn_ts pinn_ts_cdiv(double c, pinn_ts a)
{
  pinn_ts n = zero(a.K);
  n.c[0] = c;
  return pinn_ts_div(n, a);
}

pinn_ts pinn_ts_sq(pinn_ts a) { return pinn_ts_mul(a, a); }

pinn_ts pinn_ts_exp(pinn_ts a)
{
  pinn_ts r = zero(a.K);
  r.c[0] = exp(a.c[0]);
  for (int k = 1; k <= r.K; ++k) {
    double s = 0.0;
    for (int j = 1; j <= k; ++j) s += j * a.c[j] * r.c[k - j];
    r.c[k] = s / k;
  }
  return r;
}

pinn_ts pinn_ts_log(pinn_ts a)
{
  pinn_ts r = zero(a.K);
  r.c[0] = log(a.c[0]);
  const double ia = 1.0 / a.c[0];
  for (int k = 1; k <= r.K; ++k) {
    double s = 0.0;
    for (int j = 1; j < k; ++j) s += j * r.c[j] * a.c[k - j];
    r.c[k] = (a.c[k] - s / k) * ia;
  }
  return r;
}

pinn_ts pinn_ts_sqrt(pinn_ts a)
{
  pinn_ts r = zero(a.K);
  r.c[0] = sqrt(a.c[0]);
  const double i2 = 0.5 / r.c[0];
  for (int k = 1; k <= r.K; ++k) {
    double s = a.c[k];
    for (int j = 1; j < k; ++j) s -= r.c[j] * r.c[k - j];
    r.c[k] = s * i2;
  }
  return r;
}

pinn_ts pinn_ts_powi(pinn_ts a, unsigned n)
{
  pinn_ts r = zero(a.K), b = a;
  r.c[0] = 1.0;
  while (n) { /* binary powering: r = a^n exactly by products */
    if (n & 1u) r = pinn_ts_mul(r, b);
    n >>= 1;
    if (n) b = pinn_ts_mul(b, b);
  }
  return r;
}

pinn_ts pinn_ts_pow(pinn_ts a, double r)
{
  if (r >= 0.0 && r <= 64.0 && r == floor(r)) return pinn_ts_powi(a, (unsigned)r);
  pinn_ts c = zero(a.K);
  c.c[0] = pow(a.c[0], r);
  const double ia = 1.0 / a.c[0];
  for (int k = 1; k <= c.K; ++k) {
    double s = 0.0;
    for (int j = 0; j < k; ++j) s += (r * (k - j) - j) * a.c[k - j] * c.c[j];
    c.c[k] = s * ia / k;
  }
  return c;
}

/* sin and cos of a together. */
static void sincos_ts(pinn_ts a, pinn_ts *s, pinn_ts *c)
{
  *s = zero(a.K);
  *c = zero(a.K);
  s->c[0] = sin(a.c[0]);
  c->c[0] = cos(a.c[0]);
  for (int k = 1; k <= a.K; ++k) {
    double ss = 0.0, cc = 0.0;
    for (int j = 1; j <= k; ++j) {
      ss += j * a.c[j] * c->c[k - j];
      cc -= j * a.c[j] * s->c[k - j];
    }
    s->c[k] = ss / k;
    c->c[k] = cc / k;
  }
}

pinn_ts pinn_ts_sin(pinn_ts a)
{
  pinn_ts s, c;
  sincos_ts(a, &s, &c);
  return s;
}

pinn_ts pinn_ts_cos(pinn_ts a)
{
  pinn_ts s, c;
  sincos_ts(a, &s, &c);
  return c;
}

pinn_ts pinn_ts_tanh(pinn_ts a)
{
  pinn_ts t = zero(a.K), w = zero(a.K); /* w = 1 - t^2 */
  t.c[0] = tanh(a.c[0]);
  w.c[0] = 1.0 - t.c[0] * t.c[0];
  for (int k = 1; k <= a.K; ++k) {
    double s = 0.0;
    for (int j = 1; j <= k; ++j) s += j * a.c[j] * w.c[k - j];
    t.c[k] = s / k;
    double q = 0.0;
    for (int i = 0; i <= k; ++i) q += t.c[i] * t.c[k - i];
    w.c[k] = -q;
  }
  return t;
}

pinn_ts pinn_ts_chain(pinn_ts a, const double *df)
{
  pinn_ts r = zero(a.K), w = a, p;
  w.c[0] = 0.0; /* w = a - a_0 */
  r.c[0] = df[0];
  p = w;        /* p = w^m, m = 1.. */
  double f = 1.0;
  for (int m = 1; m <= a.K; ++m) {
    f /= m;
    for (int k = m; k <= a.K; ++k) r.c[k] += df[m] * f * p.c[k];
    if (m < a.K) p = pinn_ts_mul(p, w);
  }
  return r;
}
