/* libpinn — activation functions: the table (name, default parameter, flags,
 * scalar s, s', s'', s'''), parsing and formatting, Gaussian moments and
 * Lipschitz constants.  See include/pinn/activation.h.
 *
 * Formulas (Z ~ N(0,1), Phi / phi its CDF / density, sigma the logistic):
 *   tanh     t = tanh x;  s' = 1 - t^2 = sech^2 x (from exp(-2|x|) when |x| > 1/2,
 *            so it keeps its relative accuracy in the tails);  s'' = -2 t s';
 *            s''' = -2 s' (1 - 3 t^2).
 *   sigmoid  e = exp(-|x|), r = 1/(1+e): sigma = r (x >= 0) or e r (x < 0),
 *            sigma' = e r^2, 1 - 2 sigma = -sign(x) (1 - e) r (1 - e by expm1),
 *            sigma'' = sigma' (1 - 2 sigma), sigma''' = sigma' (1 - 6 sigma').
 *   softplus s = (max(y,0) + log1p(exp(-|y|))) / beta with y = beta x (no overflow
 *            for any y), s' = sigma(y), s'' = beta sigma'(y), s''' = beta^2 sigma''(y).
 *   SiLU     s = x sigma, s' = sigma + x sigma', s'' = 2 sigma' + x sigma'',
 *            s''' = 3 sigma'' + x sigma'''.
 *   GELU     Phi(x) = erfc(-x/sqrt2)/2 (accurate in the left tail), phi = exp(-x^2/2)/sqrt(2 pi):
 *            s = x Phi, s' = Phi + x phi, s'' = phi (2 - x^2), s''' = x phi (x^2 - 4).
 *   ReLU family: kink convention of the header (s'(0) = 1, s'' = s''' = 0).
 * Lipschitz constants: SiLU's sup s' is at x* with x tanh(x/2) = 2 (x* = 2.3993572805...),
 * GELU's at x = sqrt2: Phi(sqrt2) + sqrt2 phi(sqrt2) = (1 + erf 1)/2 + 1/(e sqrt(pi)).
 * Moments: the ReLU family (s = x for x >= 0, alpha x below) in closed form,
 * E[s(Z)] = (1 - alpha)/sqrt(2 pi), E[s'(Z)^2] = (1 + alpha^2)/2; the smooth kinds by
 * adaptive Gauss-Kronrod quadrature (GSL QAGIL/QAGIU, QUADPACK: Piessens et al. 1983)
 * on (-inf,0] and [0,inf).
 */
#include <pinn/activation.h>
#include "activation_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

/* ------------------------------------------------------------------------- */
/* Scalar s, s', s'', s''' per kind.                                          */

static void eval_identity(double x, double p, double d[4])
{
  (void)p;
  d[0] = x;
  d[1] = 1.0;
  d[2] = 0.0;
  d[3] = 0.0;
}

static void eval_tanh(double x, double p, double d[4])
{
  (void)p;
  double t = tanh(x), s1;
  if (fabs(x) > 0.5) {
    double e = exp(-2.0 * fabs(x)); /* sech^2 = 4 e / (1 + e)^2 */
    s1 = 4.0 * e / ((1.0 + e) * (1.0 + e));
  } else {
    s1 = 1.0 - t * t;
  }
  d[0] = t;
  d[1] = s1;
  d[2] = -2.0 * t * s1;
  d[3] = -2.0 * s1 * (1.0 - 3.0 * t * t);
}

/* sigma(y) and its first three derivatives into g[0..3], stable for any y. */
static void sigmoid_jet(double y, double g[4])
{
  double e = exp(-fabs(y));
  double r = 1.0 / (1.0 + e);
  double g1 = e * r * r;
  double m = -expm1(-fabs(y)) * r; /* (1 - e) r = |1 - 2 sigma| */
  g[0] = y >= 0 ? r : e * r;
  if (isnan(y)) g[0] = y;
  g[1] = g1;
  g[2] = y >= 0 ? -g1 * m : g1 * m;
  g[3] = g1 * (1.0 - 6.0 * g1);
}

static void eval_sigmoid(double x, double p, double d[4])
{
  (void)p;
  sigmoid_jet(x, d);
}

static void eval_softplus(double x, double beta, double d[4])
{
  double y = beta * x, g[4];
  sigmoid_jet(y, g);
  d[0] = (fmax(y, 0.0) + log1p(exp(-fabs(y)))) / beta;
  if (isnan(y)) d[0] = y;
  d[1] = g[0];
  d[2] = beta * g[1];
  d[3] = beta * beta * g[2];
}

static void eval_silu(double x, double p, double d[4])
{
  (void)p;
  double g[4];
  sigmoid_jet(x, g);
  d[0] = x * g[0];
  d[1] = g[0] + x * g[1];
  d[2] = 2.0 * g[1] + x * g[2];
  d[3] = 3.0 * g[2] + x * g[3];
}

static void eval_sin(double x, double p, double d[4])
{
  (void)p;
  double s = sin(x), c = cos(x);
  d[0] = s;
  d[1] = c;
  d[2] = -s;
  d[3] = -c;
}

#define PINN_INV_SQRT_2PI 0.39894228040143267793994605993438 /* 1/sqrt(2 pi) */
#define PINN_SQRT1_2 0.70710678118654752440084436210485     /* 1/sqrt(2) */
#define PINN_INV_SQRT_PI 0.56418958354775628694807945156077 /* 1/sqrt(pi) */

static void eval_gelu(double x, double p, double d[4])
{
  (void)p;
  double Phi = 0.5 * erfc(-x * PINN_SQRT1_2);
  double phi = PINN_INV_SQRT_2PI * exp(-0.5 * x * x);
  d[0] = x * Phi;
  d[1] = Phi + x * phi;
  d[2] = phi * (2.0 - x * x);
  d[3] = x * phi * (x * x - 4.0);
}

/* ReLU family with slope a on the negative side (a = 0: ReLU).  x < 0 tests
 * the negative side, so x = 0 takes the right derivative and NaN propagates
 * through the value. */
static void eval_leaky_slope(double x, double a, double d[4])
{
  int neg = x < 0;
  d[0] = neg ? a * x : x;
  d[1] = neg ? a : 1.0;
  d[2] = 0.0;
  d[3] = 0.0;
}

static void eval_relu(double x, double p, double d[4])
{
  (void)p;
  int neg = x < 0;
  d[0] = neg ? 0.0 : x;
  d[1] = neg ? 0.0 : 1.0;
  d[2] = 0.0;
  d[3] = 0.0;
}

/* ------------------------------------------------------------------------- */
/* Parameter checks and Lipschitz constants.                                  */

/* Lipschitz constant of SiLU: sup s' at x* = 2.39935728051546766783 (root of
 * x tanh(x/2) = 2), computed with 40-digit arithmetic (mpmath) and checked by
 * the tests against a dense scan. */
#define PINN_SILU_LIPSCHITZ 1.0998393201288669170

static double lip_one(double p) { (void)p; return 1.0; }
static double lip_sigmoid(double p) { (void)p; return 0.25; }
static double lip_silu(double p) { (void)p; return PINN_SILU_LIPSCHITZ; }
static double lip_gelu(double p)
{
  (void)p;
  return 0.5 * (1.0 + erf(1.0)) + exp(-1.0) * PINN_INV_SQRT_PI;
}
static double lip_slope(double a) { return fmax(1.0, fabs(a)); }

static int ok_any(double p) { (void)p; return 1; }
static int ok_positive(double p) { return isfinite(p) && p > 0.0; }
static int ok_unit(double p) { return p >= 0.0 && p < 1.0; }
static int ok_finite(double p) { return isfinite(p); }

/* ------------------------------------------------------------------------- */
/* The table: one entry per kind, indexed by the enum.                        */

typedef struct act_entry {
  const char *name;        /* canonical name (parse and format) */
  const char *alias;       /* another accepted name, or NULL */
  const char *param_name;  /* "beta", "alpha", ... or NULL: takes no parameter */
  const char *param_range; /* human-readable range of the parameter */
  double default_param;
  int smooth;
  int relu_family;
  void (*eval)(double x, double param, double d[4]);
  int (*param_ok)(double param);
  double (*lipschitz)(double param);
} act_entry;

static const act_entry act_table[PINN_ACT_COUNT] = {
  [PINN_ACT_IDENTITY] = {"identity", "linear", NULL, NULL, 0.0, 1, 0,
                         eval_identity, ok_any, lip_one},
  [PINN_ACT_TANH] = {"tanh", NULL, NULL, NULL, 0.0, 1, 0, eval_tanh, ok_any, lip_one},
  [PINN_ACT_SIGMOID] = {"sigmoid", NULL, NULL, NULL, 0.0, 1, 0,
                        eval_sigmoid, ok_any, lip_sigmoid},
  [PINN_ACT_GELU] = {"gelu", NULL, NULL, NULL, 0.0, 1, 0, eval_gelu, ok_any, lip_gelu},
  [PINN_ACT_SOFTPLUS] = {"softplus", NULL, "beta", "beta > 0, finite", 1.0, 1, 0,
                         eval_softplus, ok_positive, lip_one},
  [PINN_ACT_SILU] = {"silu", "swish", NULL, NULL, 0.0, 1, 0, eval_silu, ok_any, lip_silu},
  [PINN_ACT_SIN] = {"sin", NULL, NULL, NULL, 0.0, 1, 0, eval_sin, ok_any, lip_one},
  [PINN_ACT_RELU] = {"relu", NULL, NULL, NULL, 0.0, 0, 1, eval_relu, ok_any, lip_one},
  [PINN_ACT_LEAKY_RELU] = {"leaky", "leaky_relu", "alpha", "0 <= alpha < 1", 0.01, 0, 1,
                           eval_leaky_slope, ok_unit, lip_slope},
  [PINN_ACT_PRELU] = {"prelu", NULL, "alpha0", "alpha0 finite", 0.25, 0, 1,
                      eval_leaky_slope, ok_finite, lip_slope},
};

static const act_entry *entry(pinn_activation_kind kind)
{
  if ((int)kind < 0 || kind >= PINN_ACT_COUNT) return NULL;
  return &act_table[kind];
}

/* ------------------------------------------------------------------------- */
/* Table queries.                                                            */

pinn_activation pinn_activation_default(pinn_activation_kind kind)
{
  const act_entry *e = entry(kind);
  pinn_activation a = {kind, e ? e->default_param : NAN};
  return a;
}

const char *pinn_activation_name(pinn_activation_kind kind)
{
  const act_entry *e = entry(kind);
  return e ? e->name : NULL;
}

int pinn_activation_is_smooth(pinn_activation_kind kind)
{
  const act_entry *e = entry(kind);
  return e ? e->smooth : 0;
}

int pinn_activation_is_relu_family(pinn_activation_kind kind)
{
  const act_entry *e = entry(kind);
  return e ? e->relu_family : 0;
}

void pinn_activation_eval(const pinn_activation *a, double x, double d[4])
{
  const act_entry *e = a ? entry(a->kind) : NULL;
  if (!e) {
    d[0] = d[1] = d[2] = d[3] = NAN;
    return;
  }
  e->eval(x, a->param, d);
}

void pinn_activation_eval_n(const pinn_activation *a, size_t n, const double *z, double *s0,
                            double *s1, double *s2, double *s3)
{
  pinn_act_block(a ? a->kind : PINN_ACT_COUNT, a ? a->param : 0.0, n, z, s0, s1, s2, s3);
}

double pinn_activation_lipschitz(const pinn_activation *a)
{
  const act_entry *e = a ? entry(a->kind) : NULL;
  return e ? e->lipschitz(a->param) : NAN;
}

/* ------------------------------------------------------------------------- */
/* Parse, format, check.                                                      */

/* The accepted forms, e.g. "tanh, ..., softplus[:beta] (beta > 0, finite,
 * default 1), ...", for error messages. */
static void accepted_forms(char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < PINN_ACT_COUNT && used < size; ++k) {
    const act_entry *e = &act_table[k];
    char alias[32] = "";
    if (e->alias) snprintf(alias, sizeof alias, "or %s%s", e->alias, e->param_name ? "; " : "");
    int w;
    if (e->param_name)
      w = snprintf(buf + used, size - used, "%s%s[:%s] (%s%s, default %g)", k ? ", " : "",
                   e->name, e->param_name, alias, e->param_range, e->default_param);
    else if (e->alias)
      w = snprintf(buf + used, size - used, "%s%s (%s)", k ? ", " : "", e->name, alias);
    else
      w = snprintf(buf + used, size - used, "%s%s", k ? ", " : "", e->name);
    if (w < 0) break;
    used += (size_t)w;
  }
}

/* Case-insensitive comparison of the first n chars of s with the whole of name. */
static int name_matches(const char *s, size_t n, const char *name)
{
  if (!name || strlen(name) != n) return 0;
  for (size_t i = 0; i < n; ++i)
    if (tolower((unsigned char)s[i]) != (unsigned char)name[i]) return 0;
  return 1;
}

static int check_entry(const act_entry *e, double param, pinn_error *err)
{
  if (e->param_ok(param)) return PINN_SUCCESS;
  return pinn_error_set(err, PINN_EINVAL,
                        "%s parameter %s = %g is out of range: need %s (e.g. \"%s:%g\")",
                        e->name, e->param_name, param, e->param_range, e->name,
                        e->default_param);
}

int pinn_activation_check(const pinn_activation *a, pinn_error *err)
{
  if (!a) return pinn_error_set(err, PINN_EINVAL, "activation is NULL: pass a pinn_activation");
  const act_entry *e = entry(a->kind);
  if (!e)
    return pinn_error_set(err, PINN_EINVAL,
                          "activation kind %d is not a pinn_activation_kind (0..%d)",
                          (int)a->kind, PINN_ACT_COUNT - 1);
  return check_entry(e, a->param, err);
}

int pinn_activation_parse(const char *text, pinn_activation *out, pinn_error *err)
{
  char forms[600];
  if (!text || !out)
    return pinn_error_set(err, PINN_EINVAL, "pinn_activation_parse needs a string and an output");
  const char *colon = strchr(text, ':');
  size_t nlen = colon ? (size_t)(colon - text) : strlen(text);
  const act_entry *e = NULL;
  int kind = 0;
  for (; kind < PINN_ACT_COUNT; ++kind) {
    if (name_matches(text, nlen, act_table[kind].name)
        || name_matches(text, nlen, act_table[kind].alias)) {
      e = &act_table[kind];
      break;
    }
  }
  if (!e) {
    accepted_forms(forms, sizeof forms);
    return pinn_error_set(err, PINN_EINVAL, "unknown activation \"%.40s\": use one of %s", text,
                          forms);
  }
  double param = e->default_param;
  if (colon) {
    const char *ptext = colon + 1;
    if (!e->param_name)
      return pinn_error_set(err, PINN_EINVAL,
                            "activation \"%.40s\": %s takes no parameter; write \"%s\"", text,
                            e->name, e->name);
    char *end = NULL;
    param = strtod(ptext, &end);
    if (*ptext == '\0' || end == ptext || *end != '\0' || isspace((unsigned char)*ptext))
      return pinn_error_set(err, PINN_EINVAL,
                            "activation \"%.40s\": \"%.20s\" is not a number; write %s:<%s> with %s "
                            "(e.g. \"%s:%g\") or just \"%s\" for %s = %g",
                            text, ptext, e->name, e->param_name, e->param_range, e->name,
                            e->default_param, e->name, e->param_name, e->default_param);
  }
  int status = check_entry(e, param, err);
  if (status) return status;
  out->kind = (pinn_activation_kind)kind;
  out->param = param;
  return PINN_SUCCESS;
}

char *pinn_activation_format(const pinn_activation *a, char *buf, size_t size)
{
  if (!buf || size == 0) return buf;
  const act_entry *e = a ? entry(a->kind) : NULL;
  if (!e) {
    snprintf(buf, size, "invalid");
    return buf;
  }
  if (!e->param_name) {
    snprintf(buf, size, "%s", e->name);
    return buf;
  }
  /* Shortest %g form that reads back to the same double. */
  char num[40];
  for (int prec = 1; prec <= 17; ++prec) {
    snprintf(num, sizeof num, "%.*g", prec, a->param);
    if (strtod(num, NULL) == a->param) break;
  }
  snprintf(buf, size, "%s:%s", e->name, num);
  return buf;
}

/* ------------------------------------------------------------------------- */
/* Gaussian moments by quadrature.                                           */

enum { MOMENT_MEAN, MOMENT_GAIN };

typedef struct moment_ctx {
  const act_entry *e;
  double param;
  int which;
} moment_ctx;

static double moment_integrand(double x, void *vctx)
{
  const moment_ctx *c = vctx;
  double w = PINN_INV_SQRT_2PI * exp(-0.5 * x * x);
  if (w == 0.0) return 0.0; /* beyond |x| ~ 38.6: also avoids 0 * inf */
  double d[4];
  c->e->eval(x, c->param, d);
  return c->which == MOMENT_MEAN ? d[0] * w : d[1] * d[1] * w;
}

#define MOMENT_LIMIT 200
#define MOMENT_EPSABS 1e-15
#define MOMENT_EPSREL 1e-12
/* Softplus betas the quadrature handles (it fails below ~7e-309, where the
 * mean ln2/beta overflows, and above ~5e306, where beta x does). */
#define MOMENT_BETA_MIN 1e-300
#define MOMENT_BETA_MAX 1e300

static int gaussian_moment(const pinn_activation *a, int which, double *result, pinn_error *err)
{
  const char *what = which == MOMENT_MEAN ? "E[s(Z)]" : "E[s'(Z)^2]";
  int status = pinn_activation_check(a, err);
  if (status) return status;
  if (!result) return pinn_error_set(err, PINN_EINVAL, "%s: result pointer is NULL", what);
  char name[64];
  pinn_activation_format(a, name, sizeof name);
  if (entry(a->kind)->relu_family) { /* s = x (x >= 0), alpha x (x < 0): no quadrature */
    double alpha = a->kind == PINN_ACT_RELU ? 0.0 : a->param;
    double m =
        which == MOMENT_MEAN ? (1.0 - alpha) * PINN_INV_SQRT_2PI : 0.5 * (1.0 + alpha * alpha);
    if (!isfinite(m))
      return pinn_error_set(err, PINN_ENONFINITE, "%s of %s = (1 + alpha^2)/2 overflows", what,
                            name);
    *result = m;
    return PINN_SUCCESS;
  }
  if (a->kind == PINN_ACT_SOFTPLUS &&
      !(a->param >= MOMENT_BETA_MIN && a->param <= MOMENT_BETA_MAX))
    return pinn_error_set(err, PINN_EINVAL,
                          "%s of %s: the quadrature needs %g <= beta <= %g (a larger beta is "
                          "ReLU to double precision: use relu)",
                          what, name, MOMENT_BETA_MIN, MOMENT_BETA_MAX);
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(MOMENT_LIMIT);
  if (!ws) return pinn_error_set(err, PINN_ENOMEM, "%s: out of memory for the quadrature", what);
  moment_ctx ctx = {entry(a->kind), a->param, which};
  gsl_function f = {moment_integrand, &ctx};
  double left = 0.0, right = 0.0, eleft = 0.0, eright = 0.0;
  status = gsl_integration_qagil(&f, 0.0, MOMENT_EPSABS, MOMENT_EPSREL, MOMENT_LIMIT, ws, &left,
                                 &eleft);
  if (!status)
    status = gsl_integration_qagiu(&f, 0.0, MOMENT_EPSABS, MOMENT_EPSREL, MOMENT_LIMIT, ws,
                                   &right, &eright);
  gsl_integration_workspace_free(ws);
  if (status)
    return pinn_error_set(err, status,
                          "%s of %s: GSL quadrature failed (%s); error estimate %g. Try a "
                          "parameter closer to the default",
                          what, name, gsl_strerror(status), eleft + eright);
  if (!isfinite(left + right))
    return pinn_error_set(err, PINN_ENONFINITE, "%s: quadrature gave a non-finite value", what);
  *result = left + right;
  return PINN_SUCCESS;
}

int pinn_activation_gain(const pinn_activation *a, double *mean_sq_deriv, pinn_error *err)
{
  return gaussian_moment(a, MOMENT_GAIN, mean_sq_deriv, err);
}

int pinn_activation_mean(const pinn_activation *a, double *mean, pinn_error *err)
{
  return gaussian_moment(a, MOMENT_MEAN, mean, err);
}

/* ------------------------------------------------------------------------- */
/* Derivatives of any order (pinn_activation_derivs, pinn_act_derivs_block).  */

#define DMAX PINN_ACT_MAX_DERIV
/* Values per pass of the block version (stack buffers of this length). */
#define DCHUNK 64

/* Coefficients of the polynomials Q_m (m = 1..M) with tanh^(m) = sech^2 Q_m(tanh):
 * q[m][j] multiplies t^j.  Q_1 = 1, Q_{m+1} = -2t Q_m + (1 - t^2) Q_m'
 * (differentiate (1 - t^2) Q_m(t) and use dt/dx = 1 - t^2).  Integers, exact. */
static void tanh_polys(int M, double q[DMAX + 2][DMAX + 2])
{
  memset(q, 0, sizeof(double) * (DMAX + 2) * (DMAX + 2));
  q[1][0] = 1.0;
  for (int m = 1; m < M; ++m)
    for (int j = 0; j < m; ++j) {
      double c = q[m][j];
      q[m + 1][j + 1] -= 2.0 * c + j * c;
      if (j >= 1) q[m + 1][j - 1] += j * c;
    }
}

/* d[k * ld + i] = scale^(k-1) s1[i] Q_k(t[i]) for k = 1..order (Horner, the
 * loops over i innermost so that they vectorise). */
static void poly_rows(int order, size_t m, const double *t, const double *s1, double scale,
                      double *d, size_t ld, double q[DMAX + 2][DMAX + 2])
{
  double sk = 1.0;
  for (int k = 1; k <= order; ++k, sk *= scale) {
    double *restrict dk = d + (size_t)k * ld;
    const double c0 = q[k][k - 1];
    for (size_t i = 0; i < m; ++i) dk[i] = c0;
    for (int j = k - 2; j >= 0; --j) {
      const double c = q[k][j];
      for (size_t i = 0; i < m; ++i) dk[i] = dk[i] * t[i] + c;
    }
    for (size_t i = 0; i < m; ++i) dk[i] *= sk * s1[i];
  }
}

/* tanh: d[m * ld + i], m <= order, for m values. */
static void derivs_tanh(int order, size_t m, const double *z, double *d, size_t ld,
                        double q[DMAX + 2][DMAX + 2])
{
  double s0[DCHUNK], s1[DCHUNK];
  pinn_act_block(PINN_ACT_TANH, 0.0, m, z, s0, s1, NULL, NULL);
  memcpy(d, s0, m * sizeof *d);
  poly_rows(order, m, s0, s1, 1.0, d, ld, q);
}

/* The sigmoid's derivatives sigma^(k)(y_i), k <= order, into g[k * ld + i]:
 * sigma^(k)(y) = 2^(1-k) sigma'(y) Q_k(t) with t = tanh(y/2) = 2 sigma - 1 =
 * -sigma''/sigma' (relative accuracy in both tails). */
static void derivs_sigmoid(int order, size_t m, const double *y, double *g, size_t ld,
                           double q[DMAX + 2][DMAX + 2])
{
  double s0[DCHUNK], s1[DCHUNK], s2[DCHUNK], t[DCHUNK];
  pinn_act_block(PINN_ACT_SIGMOID, 0.0, m, y, s0, s1, s2, NULL);
  for (size_t i = 0; i < m; ++i) t[i] = s1[i] > 0.0 ? -s2[i] / s1[i] : (y[i] > 0.0 ? 1.0 : -1.0);
  memcpy(g, s0, m * sizeof *g);
  poly_rows(order, m, t, s1, 0.5, g, ld, q);
}

/* GELU = x Phi(x): s^(k) = x Phi^(k) + k Phi^(k-1), Phi^(k) = (-1)^(k-1) He_(k-1) phi. */
static void derivs_gelu(int order, size_t m, const double *z, double *d, size_t ld)
{
  for (size_t i = 0; i < m; ++i) {
    double x = z[i], Phi = 0.5 * erfc(-x * PINN_SQRT1_2);
    double phi = PINN_INV_SQRT_2PI * exp(-0.5 * x * x);
    double P[DMAX + 2]; /* P[k] = Phi^(k) */
    double he0 = 1.0, he1 = x, sign = 1.0; /* He_(k-1), He_k */
    P[0] = Phi;
    for (int k = 1; k <= order; ++k) {
      P[k] = sign * he0 * phi;
      double he2 = x * he1 - k * he0;
      he0 = he1;
      he1 = he2;
      sign = -sign;
    }
    d[i] = x * Phi;
    for (int k = 1; k <= order; ++k) d[k * ld + i] = x * P[k] + k * P[k - 1];
  }
}

/* One chunk of m <= DCHUNK values. */
static void derivs_chunk(pinn_activation_kind kind, double param, int order, size_t m,
                         const double *z, double *d, size_t ld, double q[DMAX + 2][DMAX + 2])
{
  double g[(DMAX + 2) * DCHUNK], y[DCHUNK], s0[DCHUNK], s1[DCHUNK];
  switch (kind) {
  case PINN_ACT_TANH: derivs_tanh(order, m, z, d, ld, q); return;
  case PINN_ACT_SIGMOID: derivs_sigmoid(order, m, z, d, ld, q); return;
  case PINN_ACT_SOFTPLUS: { /* s^(k)(x) = beta^(k-1) sigma^(k-1)(beta x) */
    for (size_t i = 0; i < m; ++i) y[i] = param * z[i];
    pinn_act_block(PINN_ACT_SOFTPLUS, param, m, z, s0, NULL, NULL, NULL);
    if (order >= 1) derivs_sigmoid(order - 1, m, y, g, DCHUNK, q);
    for (size_t i = 0; i < m; ++i) {
      d[i] = s0[i];
      double bk = 1.0;
      for (int k = 1; k <= order; ++k, bk *= param) d[k * ld + i] = bk * g[(k - 1) * DCHUNK + i];
    }
    return;
  }
  case PINN_ACT_SILU: /* s^(k) = x sigma^(k) + k sigma^(k-1) */
    derivs_sigmoid(order, m, z, g, DCHUNK, q);
    for (size_t i = 0; i < m; ++i) {
      d[i] = z[i] * g[i];
      for (int k = 1; k <= order; ++k)
        d[k * ld + i] = z[i] * g[k * DCHUNK + i] + k * g[(k - 1) * DCHUNK + i];
    }
    return;
  case PINN_ACT_GELU: derivs_gelu(order, m, z, d, ld); return;
  case PINN_ACT_SIN:
    pinn_act_block(PINN_ACT_SIN, 0.0, m, z, s0, s1, NULL, NULL);
    for (size_t i = 0; i < m; ++i)
      for (int k = 0; k <= order; ++k) {
        double v = (k & 1) ? s1[i] : s0[i];
        d[k * ld + i] = (k & 2) ? -v : v;
      }
    return;
  case PINN_ACT_IDENTITY:
  case PINN_ACT_RELU:
  case PINN_ACT_LEAKY_RELU:
  case PINN_ACT_PRELU:
    pinn_act_block(kind, param, m, z, s0, s1, NULL, NULL);
    for (size_t i = 0; i < m; ++i) {
      d[i] = s0[i];
      if (order >= 1) d[ld + i] = s1[i];
      for (int k = 2; k <= order; ++k) d[k * ld + i] = 0.0;
    }
    return;
  case PINN_ACT_COUNT: break;
  }
  for (size_t i = 0; i < m; ++i)
    for (int k = 0; k <= order; ++k) d[k * ld + i] = NAN;
}

void pinn_act_derivs_block(pinn_activation_kind kind, double param, int order, size_t n,
                           const double *z, double *d)
{
  double q[DMAX + 2][DMAX + 2];
  if (order < 0) return;
  if (order > DMAX) order = DMAX;
  tanh_polys(order + 1, q);
  for (size_t off = 0; off < n; off += DCHUNK) {
    size_t m = n - off < DCHUNK ? n - off : DCHUNK;
    derivs_chunk(kind, param, order, m, z + off, d + off, n, q);
  }
}

int pinn_activation_derivs(const pinn_activation *a, int order, double x, double *d,
                           pinn_error *err)
{
  int st = pinn_activation_check(a, err);
  if (st) return st;
  if (!d) return pinn_error_set(err, PINN_EINVAL, "pinn_activation_derivs: the output d is NULL");
  if (order < 0 || order > DMAX)
    return pinn_error_set(err, PINN_EINVAL, "derivative order %d is out of range: use 0 to %d",
                          order, DMAX);
  if (order >= 2 && entry(a->kind)->relu_family)
    return pinn_error_set(err, PINN_EUNSUPPORTED,
                          "%s has no derivative of order %d: its s'' is a Dirac mass at the kink "
                          "x = 0 (zero elsewhere), which no number represents; use a smooth "
                          "activation (tanh, sin, gelu, softplus, silu, sigmoid)",
                          entry(a->kind)->name, order);
  pinn_act_derivs_block(a->kind, a->param, order, 1, &x, d);
  return PINN_SUCCESS;
}
