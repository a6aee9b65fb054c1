/* Tests for the dual numbers (include/pinn/dual.h, lib/dual.c).
 *
 * Every derivative rule is checked against central finite differences with
 * one Richardson step: the operands are duals whose tangents are functions of
 * three underlying scalars s = (s0, s1, s2), seeded at tangent slots 0, 7 and
 * 31 (so the whole tangent length is exercised), e.g. a(s) = x + s0 + s1 s2 -
 * (same at the base point).  The value function g(s) is the very same code
 * evaluated on constant duals, and d g / d s_i must equal r.d[slot i] to a
 * relative 1e-7 (absolute 1e-10 below magnitude 1e-3); every other tangent
 * entry must stay exactly 0.  Values are compared with libm references.
 */
#include <pinn/dual.h>
#include <pinn/status.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "testutil.h"

#define NS 3
#define PI 3.14159265358979323846
static const int SLOT[NS] = {0, 7, 31};
static const double S0[NS] = {0.3, -0.7, 0.45};

/* A dual function of the underlying scalars s[0..n-1]. */
typedef pinn_dual (*sfun)(const pinn_dual *s, const void *ctx);

/* Results of one finite-difference comparison. */
typedef struct {
  double max_err;  /* largest relative error over the checked slots */
  int nonzero;     /* how many checked derivatives have |d| > 1e-3 */
  int stray;       /* tangent entries outside the slots that are not 0 */
} fd_result;

static double eval_value(sfun f, const void *ctx, const double *s, int n)
{
  pinn_dual c[8];
  for (int i = 0; i < 8; ++i) c[i] = pd_const(i < n ? s[i] : 0.0);
  return f(c, ctx).v;
}

/* Compare the tangent of f at base point s (n scalars at slots[]) with a
 * Richardson-extrapolated central difference of its value. */
static fd_result fd_check(sfun f, const void *ctx, const double *base, const int *slots, int n)
{
  fd_result res = {0.0, 0, 0};
  pinn_dual sv[8];
  for (int i = 0; i < 8; ++i) sv[i] = i < n ? pd_var(base[i], slots[i]) : pd_zero();
  pinn_dual r = f(sv, ctx);
  for (int i = 0; i < n; ++i) {
    double s[8];
    memcpy(s, base, (size_t)n * sizeof *s);
    double h = 1e-3 * fmax(1.0, fabs(base[i])), g[4];
    const double t[4] = {h, -h, h / 2, -h / 2};
    for (int j = 0; j < 4; ++j) {
      s[i] = base[i] + t[j];
      g[j] = eval_value(f, ctx, s, n);
    }
    double d1 = (g[0] - g[1]) / (2 * h), d2 = (g[2] - g[3]) / h;
    double fd = (4 * d2 - d1) / 3;
    double e = pinn_test_reldiff(r.d[slots[i]], fd, 1e-3);
    if (!(e <= res.max_err)) res.max_err = e; /* NaN sticks */
    if (fabs(r.d[slots[i]]) > 1e-3) res.nonzero++;
  }
  for (int k = 0; k < PINN_DUAL_MAX; ++k) {
    int is_slot = 0;
    for (int i = 0; i < n; ++i) is_slot |= (slots[i] == k);
    if (!is_slot && r.d[k] != 0.0) res.stray++;
  }
  return res;
}

/* ---- single operations on inputs a(s), b(s), c(s) ---------------------- */

typedef pinn_dual (*op3)(pinn_dual a, pinn_dual b, pinn_dual c, double p);
typedef double (*ref3)(double x, double y, double z, double p);
typedef struct {
  op3 op;
  double x, y, z, p;
} op_ctx;

static double ha(const double *s) { return s[0] + s[1] * s[2]; }
static double hb(const double *s) { return s[1] - 0.5 * s[0] * s[2] + 0.2 * s[2] * s[2]; }
static double hc(const double *s) { return s[2] - s[0] * s[1]; }

/* a = x + ha(s) - ha(S0), etc.: values x, y, z at the base point, tangents
 * spread over all three slots. */
static void inputs(const pinn_dual *s, const op_ctx *c, pinn_dual *a, pinn_dual *b, pinn_dual *cc)
{
  *a = pd_addc(pd_add(s[0], pd_mul(s[1], s[2])), c->x - ha(S0));
  *b = pd_addc(pd_add(pd_sub(s[1], pd_scale(pd_mul(s[0], s[2]), 0.5)), pd_scale(pd_sq(s[2]), 0.2)),
               c->y - hb(S0));
  *cc = pd_addc(pd_sub(s[2], pd_mul(s[0], s[1])), c->z - hc(S0));
}

static pinn_dual op_of_inputs(const pinn_dual *s, const void *vctx)
{
  const op_ctx *c = vctx;
  pinn_dual a, b, cc;
  inputs(s, c, &a, &b, &cc);
  return c->op(a, b, cc, c->p);
}

/* Check op at each point (x, y, z, p); value against ref, tangent against
 * finite differences.  Returns the number of nonzero derivatives seen. */
static int check_op(const char *name, op3 op, ref3 ref, const double (*pts)[4], int npts)
{
  int nonzero = 0;
  for (int j = 0; j < npts; ++j) {
    op_ctx c = {op, pts[j][0], pts[j][1], pts[j][2], pts[j][3]};
    pinn_dual sv[NS], a, b, cc;
    for (int i = 0; i < NS; ++i) sv[i] = pd_var(S0[i], SLOT[i]);
    inputs(sv, &c, &a, &b, &cc);
    double v = op(a, b, cc, c.p).v, vref = ref(a.v, b.v, cc.v, c.p);
    double ev = pinn_test_reldiff(v, vref, 1e-300);
    fd_result r = fd_check(op_of_inputs, &c, S0, SLOT, NS);
    if (!(ev <= 1e-13) || !(r.max_err <= 1e-7) || r.stray)
      fprintf(stderr, "\n  %s at (%g, %g, %g, p=%g): value err %.3g, fd err %.3g, stray %d\n",
              name, c.x, c.y, c.z, c.p, ev, r.max_err, r.stray);
    CU_ASSERT(ev <= 1e-13);
    CU_ASSERT(r.max_err <= 1e-7);
    CU_ASSERT_EQUAL(r.stray, 0);
    nonzero += r.nonzero;
  }
  return nonzero;
}

#define NPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define CHECK(name, pts)                                                         \
  CU_ASSERT(check_op(#name, w_##name, r_##name, (const double(*)[4])(pts), NPTS(pts)) > 0)

/* Wrappers: w_<op> is the dual operation, r_<op> its libm reference. */
#define UNARY(name, expr_dual, expr_ref)                                                        \
  static pinn_dual w_##name(pinn_dual a, pinn_dual b, pinn_dual c, double p)                    \
  {                                                                                             \
    (void)b; (void)c; (void)p;                                                                  \
    return expr_dual;                                                                           \
  }                                                                                             \
  static double r_##name(double x, double y, double z, double p)                                \
  {                                                                                             \
    (void)y; (void)z; (void)p;                                                                  \
    return expr_ref;                                                                            \
  }
#define BINARY(name, expr_dual, expr_ref)                                                       \
  static pinn_dual w_##name(pinn_dual a, pinn_dual b, pinn_dual c, double p)                    \
  {                                                                                             \
    (void)c; (void)p;                                                                           \
    return expr_dual;                                                                           \
  }                                                                                             \
  static double r_##name(double x, double y, double z, double p)                                \
  {                                                                                             \
    (void)z; (void)p;                                                                           \
    return expr_ref;                                                                            \
  }

BINARY(add, pd_add(a, b), x + y)
BINARY(sub, pd_sub(a, b), x - y)
BINARY(mul, pd_mul(a, b), x * y)
BINARY(div, pd_div(a, b), x / y)
BINARY(pow, pd_pow(a, b), pow(x, y))
BINARY(min, pd_min(a, b), fmin(x, y))
BINARY(max, pd_max(a, b), fmax(x, y))
UNARY(neg, pd_neg(a), -x)
UNARY(scale, pd_scale(a, p), p * x)
UNARY(addc, pd_addc(a, p), x + p)
UNARY(subc, pd_subc(a, p), x - p)
UNARY(csub, pd_csub(p, a), p - x)
UNARY(divc, pd_divc(a, p), x / p)
UNARY(cdiv, pd_cdiv(p, a), p / x)
UNARY(sq, pd_sq(a), x * x)
UNARY(recip, pd_recip(a), 1.0 / x)
UNARY(powi, pd_powi(a, (int)p), pow(x, p))
UNARY(powc, pd_powc(a, p), pow(x, p))
UNARY(sqrt, pd_sqrt(a), sqrt(x))
UNARY(exp, pd_exp(a), exp(x))
UNARY(log, pd_log(a), log(x))
UNARY(sin, pd_sin(a), sin(x))
UNARY(cos, pd_cos(a), cos(x))
UNARY(tan, pd_tan(a), tan(x))
UNARY(atan, pd_atan(a), atan(x))
UNARY(sinh, pd_sinh(a), sinh(x))
UNARY(cosh, pd_cosh(a), cosh(x))
UNARY(tanh, pd_tanh(a), tanh(x))
UNARY(erf, pd_erf(a), erf(x))
UNARY(sigmoid, pd_sigmoid(a), 1.0 / (1.0 + exp(-x)))
UNARY(softplus, pd_softplus(a, p), log1p(exp(p * x)) / p)
UNARY(abs, pd_abs(a), fabs(x))
UNARY(relu, pd_relu(a), x < 0 ? 0.0 : x)
UNARY(leaky, pd_leaky(a, p), x < 0 ? p * x : x)
UNARY(chain_atan, pd_chain(a, atan(a.v), 1.0 / (1.0 + a.v * a.v)), atan(x))

static pinn_dual w_fma(pinn_dual a, pinn_dual b, pinn_dual c, double p)
{
  (void)p;
  return pd_fma(a, b, c);
}
static double r_fma(double x, double y, double z, double p)
{
  (void)p;
  return x * y + z;
}

/* (x, y, z, p) points; unused coordinates are ignored. */
static const double P_GENERAL[][4] = {{-2.3, 0, 0, 0}, {-0.4, 0, 0, 0}, {0.7, 0, 0, 0}, {1.9, 0, 0, 0}};
static const double P_POSITIVE[][4] = {{0.3, 0, 0, 0}, {1.7, 0, 0, 0}, {4.2, 0, 0, 0}};
static const double P_NONZERO[][4] = {{-2.3, 0, 0, 0}, {-0.4, 0, 0, 0}, {0.7, 0, 0, 0}, {3.1, 0, 0, 0}};
static const double P_PAIRS[][4] = {{1.3, -0.4, 0, 0}, {-2.1, 3.7, 0, 0}, {0.2, -1.5, 0, 0}, {-0.6, -0.6 + 1.1, 0, 0}};

static void arithmetic_matches_finite_differences(void)
{
  static const double p_fma[][4] = {{1.3, -0.4, 2.2, 0}, {-0.6, 0.9, -3.0, 0}, {2.0, 0.0, 0.5, 0}};
  static const double p_const[][4] = {{1.3, 0, 0, -2.5}, {-0.8, 0, 0, 3.0}, {2.4, 0, 0, 0.7}};
  CHECK(add, P_PAIRS);
  CHECK(sub, P_PAIRS);
  CHECK(mul, P_PAIRS);
  CHECK(div, P_PAIRS);
  CHECK(fma, p_fma);
  CHECK(neg, P_GENERAL);
  CHECK(scale, p_const);
  CHECK(addc, p_const);
  CHECK(subc, p_const);
  CHECK(csub, p_const);
  CHECK(divc, p_const);
  CHECK(cdiv, p_const);
  CHECK(sq, P_GENERAL);
  CHECK(recip, P_NONZERO);
}

static void powers_match_finite_differences(void)
{
  double p_powi[9 * 3][4];
  static const int ns[9] = {-3, -2, -1, 0, 1, 2, 3, 5, 8};
  static const double xs[3] = {-1.3, 0.7, 2.1};
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 3; ++j) {
      double *q = p_powi[3 * i + j];
      q[0] = xs[j], q[1] = q[2] = 0.0, q[3] = ns[i];
    }
  static const double p_powc[][4] = {{0.4, 0, 0, 0.5},   {1.7, 0, 0, 0.5},   {3.2, 0, 0, -1.5},
                                     {0.4, 0, 0, 2.7},   {1.7, 0, 0, 1.0 / 3}, {-1.4, 0, 0, 3.0},
                                     {-1.4, 0, 0, -2.0}, {2.5, 0, 0, 0.0}};
  static const double p_pow[][4] = {{0.4, 1.7, 0, 0}, {2.3, -0.6, 0, 0}, {1.5, 3.1, 0, 0}, {0.8, 0.0, 0, 0}};
  static const double p_sqrt[][4] = {{0.2, 0, 0, 0}, {1.5, 0, 0, 0}, {9.0, 0, 0, 0}};
  CHECK(powi, p_powi);
  CHECK(powc, p_powc);
  CHECK(pow, p_pow);
  CHECK(sqrt, p_sqrt);
}

static void transcendental_functions_match_finite_differences(void)
{
  static const double p_trig[][4] = {{-2.3, 0, 0, 0}, {-0.4, 0, 0, 0}, {0.7, 0, 0, 0}, {1.9, 0, 0, 0}, {5.0, 0, 0, 0}};
  static const double p_tan[][4] = {{-1.2, 0, 0, 0}, {-0.3, 0, 0, 0}, {0.5, 0, 0, 0}, {1.1, 0, 0, 0}};
  static const double p_erf[][4] = {{-1.5, 0, 0, 0}, {-0.2, 0, 0, 0}, {0.4, 0, 0, 0}, {2.0, 0, 0, 0}};
  static const double p_sig[][4] = {{-8.0, 0, 0, 0}, {-0.7, 0, 0, 0}, {0.0, 0, 0, 0}, {0.4, 0, 0, 0}, {5.0, 0, 0, 0}};
  static const double p_sp[][4] = {{-3.0, 0, 0, 1.0}, {-0.1, 0, 0, 1.0}, {0.5, 0, 0, 1.0}, {4.0, 0, 0, 1.0},
                                   {-3.0, 0, 0, 2.5}, {0.5, 0, 0, 2.5}, {-0.2, 0, 0, 10.0}, {0.3, 0, 0, 10.0}};
  CHECK(exp, P_GENERAL);
  CHECK(log, P_POSITIVE);
  CHECK(sin, p_trig);
  CHECK(cos, p_trig);
  CHECK(tan, p_tan);
  CHECK(atan, p_trig);
  CHECK(sinh, P_GENERAL);
  CHECK(cosh, P_GENERAL);
  CHECK(tanh, P_GENERAL);
  CHECK(erf, p_erf);
  CHECK(sigmoid, p_sig);
  CHECK(softplus, p_sp);
  CHECK(chain_atan, p_trig);
}

static void piecewise_functions_match_finite_differences_away_from_kinks(void)
{
  static const double p_leaky[][4] = {{-1.3, 0, 0, 0.1}, {0.6, 0, 0, 0.1}, {-0.9, 0, 0, 0.01}};
  static const double p_minmax[][4] = {{1.3, -0.4, 0, 0}, {-0.4, 1.3, 0, 0}, {-2.0, -1.0, 0, 0}};
  CHECK(abs, P_NONZERO);
  CHECK(relu, P_NONZERO);
  CHECK(leaky, p_leaky);
  CHECK(min, p_minmax);
  CHECK(max, p_minmax);
}

/* ---- compositions -------------------------------------------------------- */

/* Burgers residual r = u_t + u u_x - nu u_xx; s = (u, u_x, u_t, u_xx, nu). */
static pinn_dual burgers(const pinn_dual *s, const void *ctx)
{
  (void)ctx;
  pinn_dual u = s[0], ux = s[1], ut = s[2], uxx = s[3], nu = s[4];
  return pd_sub(pd_add(ut, pd_mul(u, ux)), pd_mul(nu, uxx));
}

static void burgers_residual_has_the_exact_tangent(void)
{
  static const double pts[][5] = {{0.7, -1.3, 0.4, 2.1, 0.01 / PI}, {-0.9, 2.5, -1.1, -40.0, 0.05}};
  static const int slots[5] = {0, 1, 2, 3, 4};
  for (int j = 0; j < 2; ++j) {
    const double *q = pts[j];
    pinn_dual s[5];
    for (int i = 0; i < 5; ++i) s[i] = pd_var(q[i], i);
    pinn_dual r = burgers(s, NULL);
    double expect[5] = {q[1], q[0], 1.0, -q[4], -q[3]};
    CU_ASSERT_DOUBLE_EQUAL(r.v, q[2] + q[0] * q[1] - q[4] * q[3], 1e-15 * (1 + fabs(q[3])));
    for (int i = 0; i < 5; ++i) CU_ASSERT_EQUAL(pd_deriv(r, i), expect[i]);
    fd_result f = fd_check(burgers, NULL, q, slots, 5);
    CU_ASSERT(f.max_err <= 1e-7);
    CU_ASSERT_EQUAL(f.stray, 0);
    CU_ASSERT_EQUAL(f.nonzero, 5);
  }
  /* The written-out form of the design sketch gives the same dual. */
  pinn_dual u = pd_var(0.7, 0), ux = pd_var(-1.3, 1), ut = pd_var(0.4, 2), uxx = pd_var(2.1, 3);
  double nu = 0.01 / PI;
  pinn_dual r = pd_sub(pd_add(ut, pd_mul(u, ux)), pd_scale(uxx, nu));
  CU_ASSERT_EQUAL(r.d[0], -1.3);
  CU_ASSERT_EQUAL(r.d[1], 0.7);
  CU_ASSERT_EQUAL(r.d[2], 1.0);
  CU_ASSERT_EQUAL(r.d[3], -nu);
  CU_ASSERT_EQUAL(r.d[4], 0.0);
}

static pinn_dual exp_sin(const pinn_dual *s, const void *ctx)
{
  (void)ctx;
  return pd_mul(pd_exp(s[0]), pd_sin(s[1]));
}

static pinn_dual pow_chain(const pinn_dual *s, const void *ctx)
{
  (void)ctx; /* (1 + u^2)^(nu sin(u_x)) / (u_x - 3) + log(cosh(u u_x)) */
  pinn_dual base = pd_addc(pd_sq(s[0]), 1.0), expo = pd_mul(s[2], pd_sin(s[1]));
  return pd_add(pd_div(pd_pow(base, expo), pd_subc(s[1], 3.0)), pd_log(pd_cosh(pd_mul(s[0], s[1]))));
}

static pinn_dual pow_both(const pinn_dual *s, const void *ctx)
{
  (void)ctx; /* sqrt(x)^(y^2 - x) with x = s0 s1, y = s2 + s0 */
  pinn_dual x = pd_mul(s[0], s[1]), y = pd_add(s[2], s[0]);
  return pd_pow(pd_sqrt(x), pd_sub(pd_sq(y), x));
}

static void compositions_match_finite_differences(void)
{
  static const double pts[][3] = {{0.7, -1.3, 0.4}, {-0.9, 2.5, 1.7}, {1.6, 0.35, -2.2}};
  static const int slots2[2] = {3, 17}, slots3[3] = {0, 12, 29};
  for (int j = 0; j < 3; ++j) {
    fd_result f = fd_check(exp_sin, NULL, pts[j], slots2, 2);
    CU_ASSERT(f.max_err <= 1e-7);
    CU_ASSERT_EQUAL(f.stray, 0);
    CU_ASSERT(f.nonzero == 2);
    f = fd_check(pow_chain, NULL, pts[j], slots3, 3);
    CU_ASSERT(f.max_err <= 1e-7);
    CU_ASSERT_EQUAL(f.stray, 0);
    CU_ASSERT(f.nonzero == 3);
  }
  static const double pos[][3] = {{0.7, 1.3, 0.4}, {2.1, 0.6, -1.7}};
  for (int j = 0; j < 2; ++j) {
    fd_result f = fd_check(pow_both, NULL, pos[j], slots3, 3);
    CU_ASSERT(f.max_err <= 1e-7);
    CU_ASSERT_EQUAL(f.stray, 0);
    CU_ASSERT(f.nonzero == 3);
  }
  /* exp(u) sin(u_x): exact tangent too. */
  pinn_dual r = exp_sin((pinn_dual[]){pd_var(0.7, 3), pd_var(-1.3, 17)}, NULL);
  CU_ASSERT_DOUBLE_EQUAL(r.d[3], exp(0.7) * sin(-1.3), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(r.d[17], exp(0.7) * cos(-1.3), 1e-15);
}

static void cube_is_the_same_by_product_powi_and_powc(void)
{
  static const double us[] = {-1.7, -0.3, 0.0, 0.8, 2.4};
  for (size_t j = 0; j < sizeof us / sizeof us[0]; ++j) {
    double u = us[j];
    pinn_dual a = pd_var(u, 5);
    pinn_dual p1 = pd_mul(a, pd_sq(a)), p2 = pd_powi(a, 3), p3 = pd_powc(a, 3.0);
    CU_ASSERT_DOUBLE_EQUAL(p1.v, u * u * u, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(p2.v, u * u * u, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(p3.v, u * u * u, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(p1.d[5], 3 * u * u, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(p2.d[5], 3 * u * u, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(p3.d[5], 3 * u * u, 1e-14);
    CU_ASSERT(pinn_dual_isfinite(&p1) && pinn_dual_isfinite(&p2) && pinn_dual_isfinite(&p3));
  }
  /* Powers at 0 that are differentiable stay finite with the right slope. */
  pinn_dual z = pd_var(0.0, 2);
  CU_ASSERT_EQUAL(pd_powi(z, 1).d[2], 1.0);
  CU_ASSERT_EQUAL(pd_powi(z, 2).d[2], 0.0);
  CU_ASSERT_EQUAL(pd_powc(z, 1.5).d[2], 0.0);
  CU_ASSERT_EQUAL(pd_powi(z, 0).v, 1.0);
  pinn_dual q = pd_pow(z, pd_var(2.0, 4)); /* 0^b: d/db is its limit 0 */
  CU_ASSERT_EQUAL(q.v, 0.0);
  CU_ASSERT_EQUAL(q.d[2], 0.0);
  CU_ASSERT_EQUAL(q.d[4], 0.0);
  CU_ASSERT(pinn_dual_isfinite(&q));
  CU_ASSERT_EQUAL(pd_pow(z, pd_const(1.0)).d[2], 1.0);
}

static void every_tangent_entry_is_carried(void)
{
  pinn_dual a = pd_zero();
  for (int i = 0; i < PINN_DUAL_MAX; ++i) a = pd_add(a, pd_scale(pd_var(0.01 * i, i), i + 1.0));
  pinn_dual r = pd_exp(pd_scale(a, 0.1));
  for (int i = 0; i < PINN_DUAL_MAX; ++i) CU_ASSERT_DOUBLE_EQUAL(r.d[i], 0.1 * (i + 1) * r.v, 1e-13 * r.v);
  CU_ASSERT(r.d[PINN_DUAL_MAX - 1] > 0.0);
}

/* ---- conventions, constructors, domain errors, helpers ------------------- */

static void kinks_follow_the_documented_conventions(void)
{
  pinn_dual z = pd_var(0.0, 3), nz = pd_var(-0.0, 3);
  CU_ASSERT_EQUAL(pd_relu(z).v, 0.0);
  CU_ASSERT_EQUAL(pd_relu(z).d[3], 1.0);      /* right-hand derivative */
  CU_ASSERT_EQUAL(pd_relu(nz).d[3], 1.0);
  CU_ASSERT_EQUAL(pd_leaky(z, 0.1).d[3], 1.0);
  CU_ASSERT_EQUAL(pd_leaky(pd_var(-2.0, 3), 0.1).d[3], 0.1);
  CU_ASSERT_EQUAL(pd_relu(pd_var(-1e-300, 3)).d[3], 0.0);
  CU_ASSERT_EQUAL(pd_abs(z).v, 0.0);
  CU_ASSERT_EQUAL(pd_abs(z).d[3], 0.0);
  CU_ASSERT_EQUAL(pd_abs(nz).d[3], 0.0);
  CU_ASSERT_EQUAL(pd_abs(pd_var(-1e-300, 3)).d[3], -1.0);
  /* Ties: the first argument's tangent. */
  pinn_dual a = pd_var(1.5, 1), b = pd_scale(pd_var(0.75, 2), 2.0);
  CU_ASSERT_EQUAL(pd_min(a, b).d[1], 1.0);
  CU_ASSERT_EQUAL(pd_min(a, b).d[2], 0.0);
  CU_ASSERT_EQUAL(pd_max(a, b).d[1], 1.0);
  CU_ASSERT_EQUAL(pd_min(b, a).d[2], 2.0);
  CU_ASSERT_EQUAL(pd_max(b, a).d[1], 0.0);
  /* NaN propagates through the selections. */
  pinn_dual n = pd_const(NAN);
  CU_ASSERT(isnan(pd_min(n, a).v) && isnan(pd_min(a, n).v));
  CU_ASSERT(isnan(pd_max(n, a).v) && isnan(pd_max(a, n).v));
  CU_ASSERT(isnan(pd_relu(n).v) && isnan(pd_leaky(n, 0.1).v) && isnan(pd_abs(n).d[0]));
}

static void constructors_and_accessors_seed_what_they_say(void)
{
  pinn_dual c = pd_const(2.5), z = pd_zero(), v = pd_var(-1.25, 31);
  CU_ASSERT_EQUAL(pd_value(c), 2.5);
  CU_ASSERT_EQUAL(pd_value(z), 0.0);
  CU_ASSERT_EQUAL(pd_value(v), -1.25);
  int nz = 0;
  for (int i = 0; i < PINN_DUAL_MAX; ++i) nz += (c.d[i] != 0) + (z.d[i] != 0) + (v.d[i] != 0);
  CU_ASSERT_EQUAL(nz, 1);
  CU_ASSERT_EQUAL(pd_deriv(v, 31), 1.0);
  CU_ASSERT(isnan(pd_deriv(v, 32)));
  CU_ASSERT(isnan(pd_deriv(v, -1)));
  CU_ASSERT(isnan(pd_var(1.0, PINN_DUAL_MAX).v));
  CU_ASSERT(isnan(pd_var(1.0, -1).v));
  CU_ASSERT_EQUAL(PINN_DUAL_MAX, 32);
  CU_ASSERT_EQUAL(pinn_dual_ipow(-2.0, 5), -32.0);
  CU_ASSERT_EQUAL(pinn_dual_ipow(2.0, -3), 0.125);
  CU_ASSERT_EQUAL(pinn_dual_ipow(0.0, 0), 1.0);
}

static void domain_errors_give_ieee_values_that_the_check_reports(void)
{
  pinn_dual r[3];
  r[0] = pd_sq(pd_var(1.5, 0));
  r[1] = pd_log(pd_var(-1.0, 1));
  r[2] = pd_sqrt(pd_var(0.0, 2));
  CU_ASSERT(isnan(r[1].v));
  CU_ASSERT_EQUAL(r[2].v, 0.0);
  CU_ASSERT(isinf(r[2].d[2]));
  CU_ASSERT(isinf(pd_recip(pd_var(0.0, 0)).v));
  CU_ASSERT(isnan(pd_pow(pd_var(-2.0, 0), pd_var(0.5, 1)).v));

  pinn_error err;
  pinn_error_clear(&err);
  CU_ASSERT_EQUAL(pinn_dual_check(r, 1, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_dual_check(r, 3, &err), PINN_ENONFINITE);
  CU_ASSERT_EQUAL(err.code, PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "residual 1 of 3"));
  CU_ASSERT_EQUAL(pinn_dual_check(r + 2, 1, &err), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entry 0 (32 of 32 entries non-finite)"));
  pinn_dual one_bad = pd_var(2.0, 5);
  one_bad.d[9] = NAN;
  CU_ASSERT_EQUAL(pinn_dual_check(&one_bad, 1, &err), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entry 9 (1 of 32"));
  CU_ASSERT_EQUAL(pinn_dual_check(r, 3, NULL), PINN_ENONFINITE);
  CU_ASSERT_EQUAL(pinn_dual_check(r, 0, NULL), PINN_SUCCESS);

  CU_ASSERT(pinn_dual_isfinite(&r[0]));
  CU_ASSERT(!pinn_dual_isfinite(&r[1]));
  CU_ASSERT(!pinn_dual_isfinite(&r[2]));
  pinn_dual bad = pd_var(1.0, 40);
  CU_ASSERT(!pinn_dual_isfinite(&bad));
  pinn_dual inf_last = pd_zero();
  inf_last.d[PINN_DUAL_MAX - 1] = -INFINITY;
  CU_ASSERT(!pinn_dual_isfinite(&inf_last));
}

static void format_lists_value_and_nonzero_entries(void)
{
  char buf[128];
  pinn_dual a = pd_add(pd_scale(pd_var(1.5, 2), 2.0), pd_var(0.25, 30));
  CU_ASSERT_STRING_EQUAL(pinn_dual_format(&a, buf, sizeof buf), "3.25 [2]=2 [30]=1");
  pinn_dual c = pd_const(-0.5);
  CU_ASSERT_STRING_EQUAL(pinn_dual_format(&c, buf, sizeof buf), "-0.5");
  char small[6];
  CU_ASSERT_STRING_EQUAL(pinn_dual_format(&a, small, sizeof small), "3.25 ");
  char one[1] = {'x'};
  CU_ASSERT_EQUAL(pinn_dual_format(&a, one, 0)[0], 'x');
  CU_ASSERT_STRING_EQUAL(pinn_dual_format(&a, one, 1), "");
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"arithmetic_matches_finite_differences", arithmetic_matches_finite_differences},
    {"powers_match_finite_differences", powers_match_finite_differences},
    {"transcendental_functions_match_finite_differences", transcendental_functions_match_finite_differences},
    {"piecewise_functions_match_finite_differences_away_from_kinks",
     piecewise_functions_match_finite_differences_away_from_kinks},
    {"burgers_residual_has_the_exact_tangent", burgers_residual_has_the_exact_tangent},
    {"compositions_match_finite_differences", compositions_match_finite_differences},
    {"cube_is_the_same_by_product_powi_and_powc", cube_is_the_same_by_product_powi_and_powc},
    {"every_tangent_entry_is_carried", every_tangent_entry_is_carried},
    {"kinks_follow_the_documented_conventions", kinks_follow_the_documented_conventions},
    {"constructors_and_accessors_seed_what_they_say", constructors_and_accessors_seed_what_they_say},
    {"domain_errors_give_ieee_values_that_the_check_reports",
     domain_errors_give_ieee_values_that_the_check_reports},
    {"format_lists_value_and_nonzero_entries", format_lists_value_and_nonzero_entries},
    {NULL, NULL}};
  if (pinn_test_add_suite("dual", cases)) return 1;
  return pinn_test_run_all();
}
