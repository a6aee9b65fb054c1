/* Tests for the activation table, the block kernels (through
 * pinn_activation_eval_n), Gaussian moments, Lipschitz constants, parsing and
 * formatting. */
#include <pinn/activation.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "testutil.h"

#define PI 3.14159265358979323846
#define LN2 0.69314718055994530942

/* Every kind with a few parameters (defaults and others). */
static const pinn_activation cases[] = {
  {PINN_ACT_IDENTITY, 0.0},   {PINN_ACT_TANH, 0.0},         {PINN_ACT_SIGMOID, 0.0},
  {PINN_ACT_GELU, 0.0},       {PINN_ACT_SOFTPLUS, 1.0},     {PINN_ACT_SOFTPLUS, 0.5},
  {PINN_ACT_SOFTPLUS, 4.0},   {PINN_ACT_SILU, 0.0},         {PINN_ACT_SIN, 0.0},
  {PINN_ACT_RELU, 0.0},       {PINN_ACT_LEAKY_RELU, 0.01},  {PINN_ACT_LEAKY_RELU, 0.3},
  {PINN_ACT_PRELU, 0.25},     {PINN_ACT_PRELU, -0.4},       {PINN_ACT_PRELU, 1.7},
};
#define NCASES (sizeof cases / sizeof cases[0])

static double scale_of(const pinn_activation *a)
{
  return a->kind == PINN_ACT_SOFTPLUS ? a->param : 1.0;
}

/* d^k s at x from pinn_activation_eval. */
static double level(const pinn_activation *a, int k, double x)
{
  double d[4];
  pinn_activation_eval(a, x, d);
  return d[k];
}

static void every_derivative_matches_fourth_order_finite_differences_of_the_level_below(void)
{
  static const double xs[] = {-12.5, -7.3, -2.1, -0.37, -1.3e-3, 4.1e-4, 0.61, 1.9, 4.4, 9.8};
  int checked_nonzero = 0;
  for (size_t c = 0; c < NCASES; ++c) {
    const pinn_activation *a = &cases[c];
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; ++i) {
      double x = xs[i];
      double h = 1e-3 * fmin(fmax(1.0, fabs(x)), 4.0) / fmax(1.0, scale_of(a));
      if (pinn_activation_is_relu_family(a->kind)) h = fmin(h, fabs(x) / 4.0);
      for (int k = 1; k <= 3; ++k) {
        double fp1 = level(a, k - 1, x + h), fm1 = level(a, k - 1, x - h);
        double fp2 = level(a, k - 1, x + 2 * h), fm2 = level(a, k - 1, x - 2 * h);
        double fd = (8.0 * (fp1 - fm1) - (fp2 - fm2)) / (12.0 * h);
        double d = level(a, k, x);
        double fmag = fmax(fmax(fabs(fp1), fabs(fm1)), fmax(fabs(fp2), fabs(fm2)));
        double rel = pinn_test_reldiff(fd, d, 1e-4 * fmax(1.0, fmag));
        if (rel > 1e-7) {
          char name[64];
          printf("\n  %s x=%g d%d: eval %.17g fd %.17g rel %.3g",
                 pinn_activation_format(a, name, sizeof name), x, k, d, fd, rel);
        }
        CU_ASSERT(rel <= 1e-7);
        if (k == 3 && fabs(d) > 1e-3) ++checked_nonzero;
      }
    }
  }
  CU_ASSERT(checked_nonzero > 40); /* third derivatives really were compared */
}

/* |a - b| <= 1e-14 max(|a|,|b|) + 1e-15 */
static int close_block(double a, double b)
{
  return fabs(a - b) <= 1e-14 * fmax(fabs(a), fabs(b)) + 1e-15;
}

static void block_kernel_matches_scalar_eval_for_every_kind_and_output(void)
{
  enum { N = 1203 };
  static double z[N], s[4][N];
  for (int i = 0; i < 1001; ++i) z[i] = -50.0 + 0.1 * i;
  static const double special[] = {0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.3125,
                                   -0.3125, 0.31250000000000006, 0.3124999999999999,
                                   1.4142135623730951, -2.3993572805154677, 37.0, -37.0,
                                   300.0, -300.0, 700.0, -700.0};
  size_t ns = sizeof special / sizeof special[0];
  for (size_t i = 0; i < ns; ++i) z[1001 + i] = special[i];
  for (size_t i = 1001 + ns; i < N; ++i) z[i] = 6.0 * sin(1.7 * (double)i); /* scattered */
  for (size_t c = 0; c < NCASES; ++c) {
    const pinn_activation *a = &cases[c];
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < N; ++i) s[j][i] = -12345.0;
    pinn_activation_eval_n(a, N, z, s[0], s[1], s[2], s[3]);
    int bad = 0;
    for (int i = 0; i < N; ++i) {
      double d[4];
      pinn_activation_eval(a, z[i], d);
      for (int j = 0; j < 4; ++j) {
        if (!close_block(s[j][i], d[j])) {
          if (bad++ < 3) {
            char name[64];
            printf("\n  %s z=%.17g s%d: block %.17g eval %.17g",
                   pinn_activation_format(a, name, sizeof name), z[i], j, s[j][i], d[j]);
          }
        }
      }
    }
    CU_ASSERT_EQUAL(bad, 0);
  }
}

static void block_kernel_accepts_null_derivatives_and_any_length(void)
{
  enum { N = 600 };
  static double z[N], full[4][N], part[4][N];
  for (int i = 0; i < N; ++i) z[i] = -8.0 + 16.0 * i / (N - 1.0);
  static const size_t lens[] = {0, 1, 7, 32, 37, 256, 257, 600};
  for (size_t c = 0; c < NCASES; ++c) {
    const pinn_activation *a = &cases[c];
    pinn_activation_eval_n(a, N, z, full[0], full[1], full[2], full[3]);
    for (int mask = 0; mask < 8; ++mask) {
      for (size_t l = 0; l < sizeof lens / sizeof lens[0]; ++l) {
        size_t n = lens[l];
        for (int j = 0; j < 4; ++j)
          for (int i = 0; i < N; ++i) part[j][i] = -777.0;
        pinn_activation_eval_n(a, n, z, part[0], (mask & 1) ? part[1] : NULL,
                               (mask & 2) ? part[2] : NULL, (mask & 4) ? part[3] : NULL);
        int bad = 0;
        for (size_t i = 0; i < N; ++i) {
          for (int j = 0; j < 4; ++j) {
            int wanted = j == 0 || (mask & (1 << (j - 1)));
            if (wanted && i < n) {
              if (!close_block(part[j][i], full[j][i])) ++bad;
            } else if (part[j][i] != -777.0) {
              ++bad; /* written although not asked for, or past n */
            }
          }
        }
        CU_ASSERT_EQUAL(bad, 0);
      }
    }
  }
}

static void relu_family_takes_the_right_derivative_at_the_kink(void)
{
  static const pinn_activation relus[] = {
    {PINN_ACT_RELU, 0.0}, {PINN_ACT_LEAKY_RELU, 0.1}, {PINN_ACT_PRELU, -0.4}};
  for (size_t c = 0; c < 3; ++c) {
    const pinn_activation *a = &relus[c];
    double slope = a->kind == PINN_ACT_RELU ? 0.0 : a->param;
    double zs[3] = {0.0, -0.0, -1e-300}, s[4][3];
    pinn_activation_eval_n(a, 3, zs, s[0], s[1], s[2], s[3]);
    for (int i = 0; i < 2; ++i) {
      double d[4];
      pinn_activation_eval(a, zs[i], d);
      CU_ASSERT_EQUAL(d[0], 0.0);
      CU_ASSERT_EQUAL(d[1], 1.0);
      CU_ASSERT_EQUAL(d[2], 0.0);
      CU_ASSERT_EQUAL(d[3], 0.0);
      CU_ASSERT_EQUAL(s[0][i], 0.0);
      CU_ASSERT_EQUAL(s[1][i], 1.0);
      CU_ASSERT_EQUAL(s[2][i], 0.0);
      CU_ASSERT_EQUAL(s[3][i], 0.0);
    }
    /* just left of the kink: the negative-side slope */
    CU_ASSERT_EQUAL(level(a, 1, -1e-300), slope);
    CU_ASSERT_EQUAL(s[1][2], slope);
    CU_ASSERT_EQUAL(level(a, 1, 1e-300), 1.0);
    CU_ASSERT_EQUAL(level(a, 0, -2.0), -2.0 * slope);
  }
}

static void only_the_relu_family_is_not_smooth(void)
{
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    int relu = k == PINN_ACT_RELU || k == PINN_ACT_LEAKY_RELU || k == PINN_ACT_PRELU;
    CU_ASSERT_EQUAL(pinn_activation_is_relu_family((pinn_activation_kind)k), relu);
    CU_ASSERT_EQUAL(pinn_activation_is_smooth((pinn_activation_kind)k), !relu);
  }
  CU_ASSERT_EQUAL(pinn_activation_is_smooth(PINN_ACT_COUNT), 0);
  CU_ASSERT_EQUAL(pinn_activation_is_relu_family(PINN_ACT_COUNT), 0);
  CU_ASSERT_PTR_NULL(pinn_activation_name(PINN_ACT_COUNT));
  CU_ASSERT_PTR_NULL(pinn_activation_name((pinn_activation_kind)-1));
}

static void invalid_kind_gives_nan_and_einval(void)
{
  pinn_activation bad = {PINN_ACT_COUNT, 0.0};
  double d[4], m = 42.0;
  pinn_error err;
  pinn_activation_eval(&bad, 0.5, d);
  CU_ASSERT(isnan(d[0]) && isnan(d[1]) && isnan(d[2]) && isnan(d[3]));
  CU_ASSERT(isnan(pinn_activation_lipschitz(&bad)));
  CU_ASSERT_EQUAL(pinn_activation_gain(&bad, &m, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(m, 42.0);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "kind"));
  double z = 1.0, s0 = 0.0;
  pinn_activation_eval_n(&bad, 1, &z, &s0, NULL, NULL, NULL);
  CU_ASSERT(isnan(s0));
  s0 = 0.0;
  pinn_activation_eval_n(NULL, 1, &z, &s0, NULL, NULL, NULL);
  CU_ASSERT(isnan(s0));
  char buf[32];
  CU_ASSERT_STRING_EQUAL(pinn_activation_format(&bad, buf, sizeof buf), "invalid");
}

static void defaults_carry_the_documented_parameters(void)
{
  CU_ASSERT_EQUAL(pinn_activation_default(PINN_ACT_SOFTPLUS).param, 1.0);
  CU_ASSERT_EQUAL(pinn_activation_default(PINN_ACT_LEAKY_RELU).param, 0.01);
  CU_ASSERT_EQUAL(pinn_activation_default(PINN_ACT_PRELU).param, 0.25);
  CU_ASSERT_EQUAL(pinn_activation_default(PINN_ACT_TANH).kind, PINN_ACT_TANH);
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    pinn_activation a = pinn_activation_default((pinn_activation_kind)k);
    CU_ASSERT_EQUAL(pinn_activation_check(&a, NULL), 0);
  }
}

/* ------------------------------------------------------------------------- */
/* Moments */

/* Composite Simpson on [-12, 0] and [0, 12] (kink at a node) of g(x) phi(x),
 * g = s (which 0) or s'^2 (which 1); step 1e-3, error ~1e-15. */
static double simpson_moment(const pinn_activation *a, int which)
{
  const int m = 12000;
  const double h = 12.0 / m;
  double total = 0.0;
  for (int side = -1; side <= 1; side += 2) {
    double sum = 0.0;
    for (int i = 0; i <= m; ++i) {
      double x = side * i * h;
      double d[4];
      /* left limit at the kink on the left half */
      pinn_activation_eval(a, side < 0 && i == 0 ? -1e-300 : x, d);
      double g = which == 0 ? d[0] : d[1] * d[1];
      double w = (i == 0 || i == m) ? 1.0 : (i % 2 ? 4.0 : 2.0);
      sum += w * g * exp(-0.5 * x * x) / sqrt(2.0 * PI);
    }
    total += sum * h / 3.0;
  }
  return total;
}

static void gaussian_means_of_relu_and_gelu_are_exact(void)
{
  double m;
  pinn_error err;
  pinn_activation relu = {PINN_ACT_RELU, 0.0}, gelu = {PINN_ACT_GELU, 0.0};
  pinn_activation leaky = {PINN_ACT_LEAKY_RELU, 0.2};
  CU_ASSERT_EQUAL(pinn_activation_mean(&relu, &m, &err), 0);
  CU_ASSERT(fabs(m - 1.0 / sqrt(2.0 * PI)) <= 1e-10);
  double mrelu = m;
  CU_ASSERT_EQUAL(pinn_activation_mean(&gelu, &m, &err), 0);
  CU_ASSERT(fabs(m - 0.5 / sqrt(PI)) <= 1e-10);
  CU_ASSERT(fabs(mrelu / m - sqrt(2.0)) <= 1e-10);
  CU_ASSERT_EQUAL(pinn_activation_mean(&leaky, &m, &err), 0);
  CU_ASSERT(fabs(m - 0.8 / sqrt(2.0 * PI)) <= 1e-10);
  static const pinn_activation odd[] = {{PINN_ACT_IDENTITY, 0}, {PINN_ACT_TANH, 0},
                                        {PINN_ACT_SIN, 0}};
  for (int i = 0; i < 3; ++i) {
    CU_ASSERT_EQUAL(pinn_activation_mean(&odd[i], &m, &err), 0);
    CU_ASSERT(fabs(m) <= 1e-12);
  }
  pinn_activation sig = {PINN_ACT_SIGMOID, 0};
  CU_ASSERT_EQUAL(pinn_activation_mean(&sig, &m, &err), 0);
  CU_ASSERT(fabs(m - 0.5) <= 1e-12);
}

static void gains_of_relu_family_identity_and_sin_are_exact(void)
{
  double g;
  pinn_error err;
  static const pinn_activation rel[] = {{PINN_ACT_RELU, 0.0},       {PINN_ACT_LEAKY_RELU, 0.01},
                                        {PINN_ACT_LEAKY_RELU, 0.5}, {PINN_ACT_PRELU, -0.4},
                                        {PINN_ACT_PRELU, 1.7}};
  for (int i = 0; i < 5; ++i) {
    double a = rel[i].kind == PINN_ACT_RELU ? 0.0 : rel[i].param;
    CU_ASSERT_EQUAL(pinn_activation_gain(&rel[i], &g, &err), 0);
    CU_ASSERT(fabs(g - 0.5 * (1.0 + a * a)) <= 1e-12);
  }
  pinn_activation id = {PINN_ACT_IDENTITY, 0}, sn = {PINN_ACT_SIN, 0};
  CU_ASSERT_EQUAL(pinn_activation_gain(&id, &g, &err), 0);
  CU_ASSERT(fabs(g - 1.0) <= 1e-12);
  CU_ASSERT_EQUAL(pinn_activation_gain(&sn, &g, &err), 0);
  CU_ASSERT(fabs(g - 0.5 * (1.0 + exp(-2.0))) <= 1e-12); /* E[cos^2 Z] */
}

static void gains_and_means_match_an_independent_simpson_sum(void)
{
  pinn_error err;
  for (size_t c = 0; c < NCASES; ++c) {
    double g, m;
    CU_ASSERT_EQUAL(pinn_activation_gain(&cases[c], &g, &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_mean(&cases[c], &m, &err), 0);
    CU_ASSERT(fabs(g - simpson_moment(&cases[c], 1)) <= 1e-11 * fmax(1.0, g));
    CU_ASSERT(fabs(m - simpson_moment(&cases[c], 0)) <= 1e-11 * fmax(1.0, fabs(m)));
  }
  /* Values from 40-digit quadrature (mpmath): tanh, sigmoid, SiLU, GELU, Softplus_1. */
  static const struct { pinn_activation a; double gain, mean; } ref[] = {
    {{PINN_ACT_TANH, 0}, 0.46440290244826824197, 0.0},
    {{PINN_ACT_SIGMOID, 0}, 0.044836241350194371793, 0.5},
    {{PINN_ACT_SILU, 0}, 0.37948235163282930900, 0.20662096414190703726},
    {{PINN_ACT_GELU, 0}, 0.45585086564928712211, 0.28209479177387814347},
    {{PINN_ACT_SOFTPLUS, 1.0}, 0.29337903585809296274, 0.80605918334743978453},
  };
  for (int i = 0; i < 5; ++i) {
    double g, m;
    CU_ASSERT_EQUAL(pinn_activation_gain(&ref[i].a, &g, &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_mean(&ref[i].a, &m, &err), 0);
    CU_ASSERT(fabs(g - ref[i].gain) <= 1e-12);
    CU_ASSERT(fabs(m - ref[i].mean) <= 1e-12);
  }
}

static int handler_calls = 0;
static void counting_handler(const char *reason, const char *file, int line, int gsl_errno)
{
  (void)reason;
  (void)file;
  (void)line;
  (void)gsl_errno;
  ++handler_calls;
}

static void moments_never_call_the_gsl_error_handler_over_wide_parameter_ranges(void)
{
  gsl_error_handler_t *old = gsl_set_error_handler(counting_handler);
  handler_calls = 0;
  pinn_error err;
  static const double betas[] = {1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4};
  for (size_t i = 0; i < sizeof betas / sizeof betas[0]; ++i) {
    pinn_activation sp = {PINN_ACT_SOFTPLUS, betas[i]};
    double g = -1, m = -1;
    CU_ASSERT_EQUAL(pinn_activation_gain(&sp, &g, &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_mean(&sp, &m, &err), 0);
    /* sup |softplus_beta - relu| = ln2/beta bounds the mean's distance from ReLU's. */
    CU_ASSERT(fabs(m - 1.0 / sqrt(2.0 * PI)) <= LN2 / betas[i] * (1 + 1e-12));
    CU_ASSERT(m > 1.0 / sqrt(2.0 * PI)); /* softplus > relu everywhere */
    if (betas[i] >= 10.0) CU_ASSERT(fabs(g - 0.5) <= 1.0 / betas[i]);
  }
  static const double alphas[] = {-50.0, -1.0, 0.0, 0.5, 0.999, 3.0, 50.0};
  for (size_t i = 0; i < sizeof alphas / sizeof alphas[0]; ++i) {
    pinn_activation pr = {PINN_ACT_PRELU, alphas[i]};
    double g = -1, m = -1;
    CU_ASSERT_EQUAL(pinn_activation_gain(&pr, &g, &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_mean(&pr, &m, &err), 0);
    CU_ASSERT(fabs(g - 0.5 * (1 + alphas[i] * alphas[i])) <= 1e-12 * g);
    CU_ASSERT(fabs(m - (1 - alphas[i]) / sqrt(2 * PI)) <= 1e-12 * fmax(1.0, fabs(m)));
  }
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    pinn_activation a = pinn_activation_default((pinn_activation_kind)k);
    double g, m;
    CU_ASSERT_EQUAL(pinn_activation_gain(&a, &g, &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_mean(&a, &m, &err), 0);
  }
  CU_ASSERT_EQUAL(handler_calls, 0);
  gsl_set_error_handler(old);
}

/* s(x) phi(x) (which 0) or s'(x)^2 phi(x) (which 1), for GSL's quadrature. */
static double moment_density(double x, void *ctx)
{
  const pinn_activation *a = ((const pinn_activation **)ctx)[0];
  int which = a == ((const pinn_activation **)ctx)[1];
  double w = exp(-0.5 * x * x) / sqrt(2.0 * PI), d[4];
  if (w == 0.0) return 0.0;
  pinn_activation_eval(a, x, d);
  return which ? d[1] * d[1] * w : d[0] * w;
}

static void relu_family_closed_forms_match_gsl_quadrature(void)
{
  static const pinn_activation rel[] = {
    {PINN_ACT_RELU, 0.0},   {PINN_ACT_LEAKY_RELU, 0.01}, {PINN_ACT_LEAKY_RELU, 0.3},
    {PINN_ACT_PRELU, 0.25}, {PINN_ACT_PRELU, -1.0},      {PINN_ACT_PRELU, 3.0},
    {PINN_ACT_PRELU, 50.0}, {PINN_ACT_PRELU, -1e4}};
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
  pinn_error err;
  for (size_t i = 0; i < sizeof rel / sizeof rel[0]; ++i) {
    double got[2], quad[2];
    CU_ASSERT_EQUAL(pinn_activation_mean(&rel[i], &got[0], &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_gain(&rel[i], &got[1], &err), 0);
    for (int which = 0; which < 2; ++which) {
      const pinn_activation *ctx[2] = {&rel[i], which ? &rel[i] : NULL};
      gsl_function f = {moment_density, ctx};
      double left, right, e;
      CU_ASSERT_EQUAL(gsl_integration_qagil(&f, 0.0, 1e-15, 1e-12, 200, ws, &left, &e), 0);
      CU_ASSERT_EQUAL(gsl_integration_qagiu(&f, 0.0, 1e-15, 1e-12, 200, ws, &right, &e), 0);
      quad[which] = left + right;
      CU_ASSERT(fabs(got[which] - quad[which]) <= 1e-12 * fmax(1.0, fabs(quad[which])));
    }
  }
  gsl_integration_workspace_free(ws);
}

static void huge_slopes_and_betas_give_closed_forms_or_a_clear_error(void)
{
  gsl_error_handler_t *old = gsl_set_error_handler(counting_handler);
  handler_calls = 0;
  pinn_error err;
  static const double slopes[] = {1e155, -1e155, 1e200, 1e300};
  for (size_t i = 0; i < sizeof slopes / sizeof slopes[0]; ++i) {
    pinn_activation pr = {PINN_ACT_PRELU, slopes[i]};
    double g = 7.0, m = 7.0;
    CU_ASSERT_EQUAL(pinn_activation_mean(&pr, &m, &err), 0);
    CU_ASSERT_EQUAL(m, (1.0 - slopes[i]) * 0.39894228040143267794);
    CU_ASSERT_EQUAL(pinn_activation_gain(&pr, &g, &err), PINN_ENONFINITE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "(1 + alpha^2)/2 overflows"));
    CU_ASSERT_EQUAL(g, 7.0);
  }
  pinn_activation pr = {PINN_ACT_PRELU, 1e150};
  double g = 0.0;
  CU_ASSERT_EQUAL(pinn_activation_gain(&pr, &g, &err), 0);
  CU_ASSERT(fabs(g / 0.5e300 - 1.0) <= 1e-15);
  static const double betas[] = {1e-320, 1e-301, 1e301, 1.7e308};
  for (size_t i = 0; i < sizeof betas / sizeof betas[0]; ++i) {
    pinn_activation sp = {PINN_ACT_SOFTPLUS, betas[i]};
    double v = 7.0;
    CU_ASSERT_EQUAL(pinn_activation_check(&sp, NULL), 0);
    CU_ASSERT_EQUAL(pinn_activation_gain(&sp, &v, &err), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1e-300 <= beta <= 1e+300"));
    CU_ASSERT_EQUAL(pinn_activation_mean(&sp, &v, &err), PINN_EINVAL);
    CU_ASSERT_EQUAL(v, 7.0);
  }
  static const double edge[] = {1e-300, 1e300};
  for (size_t i = 0; i < 2; ++i) {
    pinn_activation sp = {PINN_ACT_SOFTPLUS, edge[i]};
    double gv, mv;
    CU_ASSERT_EQUAL(pinn_activation_gain(&sp, &gv, &err), 0);
    CU_ASSERT_EQUAL(pinn_activation_mean(&sp, &mv, &err), 0);
    CU_ASSERT(fabs(gv - (i ? 0.5 : 0.25)) <= 1e-12);
    CU_ASSERT(fabs(mv - (i ? 1.0 / sqrt(2.0 * PI) : LN2 / edge[i])) <= 1e-12 * fabs(mv));
  }
  CU_ASSERT_EQUAL(handler_calls, 0);
  gsl_set_error_handler(old);
}

static void gain_rejects_out_of_range_parameters(void)
{
  pinn_error err;
  double g = 7.0;
  pinn_activation sp = {PINN_ACT_SOFTPLUS, -1.0};
  CU_ASSERT_EQUAL(pinn_activation_gain(&sp, &g, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(err.code, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "beta > 0"));
  CU_ASSERT_EQUAL(g, 7.0);
  pinn_activation lk = {PINN_ACT_LEAKY_RELU, 1.0};
  CU_ASSERT_EQUAL(pinn_activation_mean(&lk, &g, NULL), PINN_EINVAL);
}

/* ------------------------------------------------------------------------- */
/* Softplus vs ReLU, Lipschitz constants */

static void softplus_differs_from_relu_by_at_most_ln2_over_beta_at_zero(void)
{
  static const double betas[] = {0.5, 1.0, 4.0, 20.0};
  pinn_activation relu = {PINN_ACT_RELU, 0.0};
  for (int b = 0; b < 4; ++b) {
    pinn_activation sp = {PINN_ACT_SOFTPLUS, betas[b]};
    double worst = 0.0, at = 1.0;
    for (int i = -20000; i <= 20000; ++i) {
      double x = 1e-3 * i;
      double diff = fabs(level(&sp, 0, x) - level(&relu, 0, x));
      if (diff > worst) {
        worst = diff;
        at = x;
      }
    }
    CU_ASSERT_EQUAL(at, 0.0);
    CU_ASSERT(pinn_test_reldiff(worst, LN2 / betas[b], 1e-300) <= 1e-14);
  }
}

static void lipschitz_constants_match_a_dense_scan_of_the_derivative(void)
{
  for (size_t c = 0; c < NCASES; ++c) {
    const pinn_activation *a = &cases[c];
    double L = pinn_activation_lipschitz(a);
    double range = 40.0 / scale_of(a);
    double sup = 0.0;
    for (int i = -400000; i <= 400000; ++i) {
      double x = range * i / 400000.0;
      sup = fmax(sup, fabs(level(a, 1, x)));
    }
    char name[64];
    if (!(sup <= L * (1 + 1e-14) && sup >= L - 1e-8))
      printf("\n  %s: L %.17g scan %.17g", pinn_activation_format(a, name, sizeof name), L, sup);
    CU_ASSERT(sup <= L * (1 + 1e-14));
    CU_ASSERT(sup >= L - 1e-8);
  }
  /* SiLU and GELU: L = s'(x*) where s''(x*) = 0, x* by bisection on s''. */
  static const struct { pinn_activation a; double lo, hi; } peaks[] = {
    {{PINN_ACT_SILU, 0}, 2.0, 3.0}, {{PINN_ACT_GELU, 0}, 1.0, 2.0}};
  for (int p = 0; p < 2; ++p) {
    double lo = peaks[p].lo, hi = peaks[p].hi;
    for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
      double mid = 0.5 * (lo + hi);
      if (level(&peaks[p].a, 2, mid) > 0) lo = mid;
      else hi = mid;
    }
    double L = pinn_activation_lipschitz(&peaks[p].a);
    CU_ASSERT(fabs(level(&peaks[p].a, 1, 0.5 * (lo + hi)) - L) <= 4e-16);
  }
  CU_ASSERT(fabs(pinn_activation_lipschitz(&peaks[0].a) - 1.0998) < 1e-4);
  CU_ASSERT(fabs(pinn_activation_lipschitz(&peaks[1].a) - 1.1289) < 1e-4);
}

/* ------------------------------------------------------------------------- */
/* Parse / format / check */

static void parse_and_format_round_trip_every_kind(void)
{
  static const char *names[PINN_ACT_COUNT] = {"identity", "tanh", "sigmoid", "gelu",
                                              "softplus", "silu", "sin", "relu",
                                              "leaky", "prelu"};
  char buf[64];
  pinn_error err;
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    CU_ASSERT_STRING_EQUAL(pinn_activation_name((pinn_activation_kind)k), names[k]);
    pinn_activation a = pinn_activation_default((pinn_activation_kind)k), b = {0, -9.0};
    CU_ASSERT_EQUAL(pinn_activation_parse(pinn_activation_format(&a, buf, sizeof buf), &b,
                                          &err), 0);
    CU_ASSERT_EQUAL(b.kind, a.kind);
    if (pinn_activation_is_relu_family(a.kind) || a.kind == PINN_ACT_SOFTPLUS)
      CU_ASSERT_EQUAL(b.param, a.param);
    pinn_activation c = {PINN_ACT_TANH, 0};
    CU_ASSERT_EQUAL(pinn_activation_parse(names[k], &c, &err), 0);
    CU_ASSERT_EQUAL(c.kind, a.kind);
    CU_ASSERT_EQUAL(c.param, a.param); /* default parameter */
  }
  static const pinn_activation odd[] = {{PINN_ACT_SOFTPLUS, 0.1}, {PINN_ACT_SOFTPLUS, 1.0 / 3.0},
                                        {PINN_ACT_SOFTPLUS, 2.5e-7}, {PINN_ACT_LEAKY_RELU, 0.0},
                                        {PINN_ACT_PRELU, -1e300}};
  for (int i = 0; i < 5; ++i) {
    pinn_activation b;
    CU_ASSERT_EQUAL(pinn_activation_parse(pinn_activation_format(&odd[i], buf, sizeof buf), &b,
                                          &err), 0);
    CU_ASSERT_EQUAL(b.kind, odd[i].kind);
    CU_ASSERT_EQUAL(b.param, odd[i].param);
  }
  pinn_activation p = {PINN_ACT_SOFTPLUS, 0.1};
  CU_ASSERT_STRING_EQUAL(pinn_activation_format(&p, buf, sizeof buf), "softplus:0.1");
  pinn_activation lk = {PINN_ACT_LEAKY_RELU, 0.01};
  CU_ASSERT_STRING_EQUAL(pinn_activation_format(&lk, buf, sizeof buf), "leaky:0.01");
  pinn_activation t = {PINN_ACT_TANH, 0};
  CU_ASSERT_STRING_EQUAL(pinn_activation_format(&t, buf, sizeof buf), "tanh");
  CU_ASSERT_STRING_EQUAL(pinn_activation_format(&lk, buf, 4), "lea"); /* truncated */
}

static void parse_accepts_aliases_parameters_and_any_case(void)
{
  static const struct { const char *text; pinn_activation_kind kind; double param; } ok[] = {
    {"swish", PINN_ACT_SILU, 0.0},          {"SiLU", PINN_ACT_SILU, 0.0},
    {"leaky_relu", PINN_ACT_LEAKY_RELU, 0.01}, {"LEAKY:0.2", PINN_ACT_LEAKY_RELU, 0.2},
    {"leaky_relu:0", PINN_ACT_LEAKY_RELU, 0.0}, {"softplus:2", PINN_ACT_SOFTPLUS, 2.0},
    {"softplus:1e3", PINN_ACT_SOFTPLUS, 1000.0}, {"prelu:-0.5", PINN_ACT_PRELU, -0.5},
    {"prelu", PINN_ACT_PRELU, 0.25},          {"GELU", PINN_ACT_GELU, 0.0},
    {"linear", PINN_ACT_IDENTITY, 0.0},
  };
  pinn_error err;
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
    pinn_activation a = {PINN_ACT_COUNT, -1.0};
    CU_ASSERT_EQUAL(pinn_activation_parse(ok[i].text, &a, &err), 0);
    CU_ASSERT_EQUAL(a.kind, ok[i].kind);
    CU_ASSERT_EQUAL(a.param, ok[i].param);
  }
}

static void parse_rejects_bad_strings_with_a_message_naming_the_accepted_forms(void)
{
  static const struct { const char *text, *needle1, *needle2; } bad[] = {
    {"softplus:-1", "beta > 0", "softplus:1"},
    {"softplus:0", "beta > 0", "-1"},
    {"leaky:2", "0 <= alpha < 1", "leaky:0.01"},
    {"leaky:-0.1", "0 <= alpha < 1", "alpha"},
    {"foo", "unknown activation \"foo\"", "softplus[:beta]"},
    {"", "unknown activation", "leaky[:alpha]"},
    {"tanh:", "takes no parameter", "\"tanh\""},
    {"relu:0.1", "takes no parameter", "relu"},
    {"softplus:", "not a number", "softplus:<beta>"},
    {"softplus:1x", "not a number", "beta > 0"},
    {"softplus: 2", "not a number", "beta"},
    {"softplus:inf", "beta > 0", "softplus"},
    {"leaky:nan", "0 <= alpha < 1", "leaky"},
    {"prelu:inf", "alpha0 finite", "prelu"},
    {"tan h", "unknown activation", "sigmoid"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    pinn_activation a = {PINN_ACT_SIN, 3.0};
    pinn_error err;
    pinn_error_clear(&err);
    CU_ASSERT_EQUAL(pinn_activation_parse(bad[i].text, &a, &err), PINN_EINVAL);
    CU_ASSERT_EQUAL(err.code, PINN_EINVAL);
    int found = strstr(err.msg, bad[i].needle1) != NULL;
    if (bad[i].needle2[0] != '-') found = found && strstr(err.msg, bad[i].needle2) != NULL;
    if (!found) printf("\n  \"%s\": %s", bad[i].text, err.msg);
    CU_ASSERT(found);
    CU_ASSERT_EQUAL(a.kind, PINN_ACT_SIN); /* output untouched */
    CU_ASSERT_EQUAL(a.param, 3.0);
  }
  pinn_activation a;
  CU_ASSERT_EQUAL(pinn_activation_parse(NULL, &a, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_activation_parse("tanh", NULL, NULL), PINN_EINVAL);
}

static void check_validates_parameter_ranges(void)
{
  static const struct { pinn_activation a; int ok; } t[] = {
    {{PINN_ACT_SOFTPLUS, 1e-9}, 1},   {{PINN_ACT_SOFTPLUS, 0.0}, 0},
    {{PINN_ACT_SOFTPLUS, INFINITY}, 0}, {{PINN_ACT_SOFTPLUS, NAN}, 0},
    {{PINN_ACT_LEAKY_RELU, 0.0}, 1},  {{PINN_ACT_LEAKY_RELU, 0.999}, 1},
    {{PINN_ACT_LEAKY_RELU, 1.0}, 0},  {{PINN_ACT_LEAKY_RELU, -1e-9}, 0},
    {{PINN_ACT_PRELU, -7.0}, 1},      {{PINN_ACT_PRELU, NAN}, 0},
    {{PINN_ACT_TANH, NAN}, 1},        {{PINN_ACT_RELU, -3.0}, 1},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i) {
    pinn_error err;
    int status = pinn_activation_check(&t[i].a, &err);
    CU_ASSERT_EQUAL(status, t[i].ok ? 0 : PINN_EINVAL);
    if (!t[i].ok) CU_ASSERT(strlen(err.msg) > 20);
  }
  pinn_activation bad = {(pinn_activation_kind)99, 0.0};
  CU_ASSERT_EQUAL(pinn_activation_check(&bad, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_activation_check(NULL, NULL), PINN_EINVAL);
}

int main(void)
{
  static const pinn_test_case tests[] = {
#define T(f) {#f, f}
    T(every_derivative_matches_fourth_order_finite_differences_of_the_level_below),
    T(block_kernel_matches_scalar_eval_for_every_kind_and_output),
    T(block_kernel_accepts_null_derivatives_and_any_length),
    T(relu_family_takes_the_right_derivative_at_the_kink),
    T(only_the_relu_family_is_not_smooth),
    T(invalid_kind_gives_nan_and_einval),
    T(defaults_carry_the_documented_parameters),
    T(gaussian_means_of_relu_and_gelu_are_exact),
    T(gains_of_relu_family_identity_and_sin_are_exact),
    T(gains_and_means_match_an_independent_simpson_sum),
    T(moments_never_call_the_gsl_error_handler_over_wide_parameter_ranges),
    T(relu_family_closed_forms_match_gsl_quadrature),
    T(huge_slopes_and_betas_give_closed_forms_or_a_clear_error),
    T(gain_rejects_out_of_range_parameters),
    T(softplus_differs_from_relu_by_at_most_ln2_over_beta_at_zero),
    T(lipschitz_constants_match_a_dense_scan_of_the_derivative),
    T(parse_and_format_round_trip_every_kind),
    T(parse_accepts_aliases_parameters_and_any_case),
    T(parse_rejects_bad_strings_with_a_message_naming_the_accepted_forms),
    T(check_validates_parameter_ranges),
#undef T
    {NULL, NULL}};
  if (pinn_test_add_suite("activation", tests)) return 1;
  return pinn_test_run_all();
}
