/* Tests for the second-order jets of the point (include/pinn/xjet.h,
 * lib/xjet.c).
 *
 * Every rule is checked against central finite differences with one
 * Richardson step (h = 1e-3, h/2), at several base points in all four
 * coordinates: the operands a(x), b(x) are xjets built from the seeded
 * coordinates (full gradients, Hessians with several nonzero entries), the
 * gradient of the result must match differences of its VALUE and the
 * Hessian must match differences of its GRADIENT at shifted points, to a
 * relative 1e-7 (absolute below magnitude 1e-3).  Guards make sure the
 * checked derivatives are not all zero, and every Hessian must be bitwise
 * symmetric.  Values are compared with libm references.
 */
#include <pinn/xjet.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "testutil.h"

#define D PINN_XJET_MAX
static const double X0[D] = {0.3, -0.7, 0.45, 0.2};

/* An xjet function of the seeded coordinates x[0..3]. */
typedef pinn_xjet (*xfun)(const pinn_xjet *x, const void *ctx);

static pinn_xjet eval_at(xfun f, const void *ctx, const double *X)
{
  pinn_xjet x[D];
  for (int i = 0; i < D; ++i) x[i] = px_var(X[i], i);
  return f(x, ctx);
}

typedef struct {
  double grad_err, hess_err;  /* largest relative errors */
  int grad_nonzero, hess_nonzero; /* entries with magnitude > 1e-3 */
  int asym;                   /* Hessian entries with h[i][j] != h[j][i] */
} fd_result;

/* One Richardson-extrapolated central difference of component `what` of f
 * (-1: value, else gradient entry) along coordinate j at X. */
static double diff(xfun f, const void *ctx, const double *X, int j, int what)
{
  double Y[D], v[4];
  const double h = 1e-3 * fmax(1.0, fabs(X[j]));
  const double t[4] = {h, -h, h / 2, -h / 2};
  for (int k = 0; k < 4; ++k) {
    memcpy(Y, X, sizeof Y);
    Y[j] += t[k];
    pinn_xjet r = eval_at(f, ctx, Y);
    v[k] = what < 0 ? r.v : r.g[what];
  }
  const double d1 = (v[0] - v[1]) / (2 * h), d2 = (v[2] - v[3]) / h;
  return (4 * d2 - d1) / 3;
}

static fd_result fd_check(xfun f, const void *ctx, const double *X)
{
  fd_result res = {0.0, 0.0, 0, 0, 0};
  pinn_xjet r = eval_at(f, ctx, X);
  for (int i = 0; i < D; ++i) {
    double e = pinn_test_reldiff(r.g[i], diff(f, ctx, X, i, -1), 1e-3);
    if (!(e <= res.grad_err)) res.grad_err = e; /* NaN sticks */
    if (fabs(r.g[i]) > 1e-3) res.grad_nonzero++;
    for (int j = 0; j < D; ++j) {
      e = pinn_test_reldiff(r.h[i][j], diff(f, ctx, X, j, i), 1e-3);
      if (!(e <= res.hess_err)) res.hess_err = e;
      if (fabs(r.h[i][j]) > 1e-3) res.hess_nonzero++;
      if (memcmp(&r.h[i][j], &r.h[j][i], sizeof(double)) != 0) res.asym++;
    }
  }
  return res;
}

/* ---- single operations on inputs a(x), b(x) ---------------------------- */

typedef pinn_xjet (*op2)(pinn_xjet a, pinn_xjet b, double p);
typedef double (*ref2)(double x, double y, double p);
typedef struct {
  op2 op;
  double x, y, p;
} op_ctx;

static double pa(const double *s) { return s[0] + s[1] * s[2] + 0.3 * s[3] * s[3]; }
static double pb(const double *s)
{
  return s[1] - 0.5 * s[0] * s[2] + 0.2 * s[2] * s[2] + s[3] * s[0];
}

/* a = x + pa(X) - pa(X0), b = y + pb(X) - pb(X0): values x, y at X0, full
 * gradients and Hessians with entries (1,2), (3,3) and (0,2), (2,2), (0,3). */
static void inputs(const pinn_xjet *s, const op_ctx *c, pinn_xjet *a, pinn_xjet *b)
{
  *a = px_addc(px_add(px_add(s[0], px_mul(s[1], s[2])), px_scale(px_sq(s[3]), 0.3)),
               c->x - pa(X0));
  *b = px_addc(px_add(px_add(px_sub(s[1], px_scale(px_mul(s[0], s[2]), 0.5)),
                             px_scale(px_sq(s[2]), 0.2)),
                      px_mul(s[3], s[0])),
               c->y - pb(X0));
}

static pinn_xjet op_of_inputs(const pinn_xjet *s, const void *vctx)
{
  const op_ctx *c = vctx;
  pinn_xjet a, b;
  inputs(s, c, &a, &b);
  return c->op(a, b, c->p);
}

/* Check op at each point (x, y, p): value against ref, gradient and Hessian
 * against finite differences.  Fails when no point shows nonzero
 * derivatives. */
static void check_op(const char *name, op2 op, ref2 ref, const double (*pts)[3], int npts)
{
  int gnz = 0, hnz = 0;
  for (int k = 0; k < npts; ++k) {
    op_ctx c = {op, pts[k][0], pts[k][1], pts[k][2]};
    pinn_xjet s[D], a, b;
    for (int i = 0; i < D; ++i) s[i] = px_var(X0[i], i);
    inputs(s, &c, &a, &b);
    const double v = op(a, b, c.p).v, vref = ref(a.v, b.v, c.p);
    const double ev = pinn_test_reldiff(v, vref, 1e-300);
    fd_result r = fd_check(op_of_inputs, &c, X0);
    if (!(ev <= 1e-13) || !(r.grad_err <= 1e-7) || !(r.hess_err <= 1e-7) || r.asym)
      fprintf(stderr, "\n  %s at (%g, %g, p=%g): value err %.3g, gradient err %.3g, "
              "Hessian err %.3g, asymmetric %d\n", name, c.x, c.y, c.p, ev, r.grad_err,
              r.hess_err, r.asym);
    CU_ASSERT(ev <= 1e-13);
    CU_ASSERT(r.grad_err <= 1e-7);
    CU_ASSERT(r.hess_err <= 1e-7);
    CU_ASSERT_EQUAL(r.asym, 0);
    gnz += r.grad_nonzero;
    hnz += r.hess_nonzero;
  }
  if (gnz < 3 * npts || hnz < 3 * npts)
    fprintf(stderr, "\n  %s: only %d gradient and %d Hessian entries nonzero\n", name, gnz, hnz);
  CU_ASSERT(gnz >= 3 * npts);
  CU_ASSERT(hnz >= 3 * npts);
}

#define NPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define CHECK(name, pts) check_op(#name, w_##name, r_##name, (const double(*)[3])(pts), NPTS(pts))

/* w_<op> is the xjet operation, r_<op> its libm reference. */
#define OP(name, expr_xjet, expr_ref)                                                           \
  static pinn_xjet w_##name(pinn_xjet a, pinn_xjet b, double p)                                 \
  {                                                                                             \
    (void)a; (void)b; (void)p;                                                                  \
    return expr_xjet;                                                                           \
  }                                                                                             \
  static double r_##name(double x, double y, double p)                                          \
  {                                                                                             \
    (void)x; (void)y; (void)p;                                                                  \
    return expr_ref;                                                                            \
  }

OP(add, px_add(a, b), x + y)
OP(sub, px_sub(a, b), x - y)
OP(mul, px_mul(a, b), x * y)
OP(div, px_div(a, b), x / y)
OP(neg, px_neg(a), -x)
OP(scale, px_scale(a, p), p * x)
OP(addc, px_addc(a, p), x + p)
OP(subc, px_subc(a, p), x - p)
OP(csub, px_csub(p, a), p - x)
OP(divc, px_divc(a, p), x / p)
OP(recip, px_recip(a), 1.0 / x)
OP(sq, px_sq(a), x * x)
OP(powi, px_powi(a, (int)p), pow(x, p))
OP(powc, px_powc(a, p), pow(x, p))
OP(sqrt, px_sqrt(a), sqrt(x))
OP(exp, px_exp(a), exp(x))
OP(log, px_log(a), log(x))
OP(sin, px_sin(a), sin(x))
OP(cos, px_cos(a), cos(x))
OP(tanh, px_tanh(a), tanh(x))
OP(sigmoid, px_sigmoid(a), 1.0 / (1.0 + exp(-x)))
OP(softplus, px_softplus(a, p), log1p(exp(p * x)) / p)
OP(chain_atan, px_chain(a, atan(a.v), 1.0 / (1.0 + a.v * a.v),
                        -2.0 * a.v / ((1.0 + a.v * a.v) * (1.0 + a.v * a.v))),
   atan(x))
/* a composition: the product of a quotient and a transcendental function */
OP(mixed, px_mul(px_div(px_sin(a), px_addc(px_sq(b), 1.0)), px_exp(px_scale(b, 0.5))),
   sin(x) / (y * y + 1.0) * exp(0.5 * y))

static void arithmetic_matches_finite_differences(void)
{
  static const double pts[][3] = {{0.7, -1.3, 0.0}, {-2.0, 0.4, 0.0}, {1.5, 2.5, 0.0}};
  static const double sc[][3] = {{0.7, 0.0, -2.5}, {-1.1, 0.0, 0.3}};
  static const double nz[][3] = {{0.7, 0.0, 0.0}, {-1.6, 0.0, 0.0}, {2.2, 0.0, 0.0}};
  CHECK(add, pts);
  CHECK(sub, pts);
  CHECK(mul, pts);
  CHECK(div, pts);
  CHECK(neg, pts);
  CHECK(scale, sc);
  CHECK(addc, sc);
  CHECK(subc, sc);
  CHECK(csub, sc);
  CHECK(divc, sc);
  CHECK(recip, nz);
  CHECK(sq, nz);
  CHECK(mixed, pts);
}

static void powers_match_finite_differences(void)
{
  static const double ipts[][3] = {{0.8, 0.0, 3.0},  {-1.4, 0.0, 3.0}, {1.3, 0.0, -2.0},
                                   {-0.9, 0.0, 5.0}, {1.2, 0.0, 2.0},  {0.6, 0.0, 1.0}};
  static const double cpts[][3] = {{0.8, 0.0, 2.5}, {1.7, 0.0, -0.5}, {0.4, 0.0, 1.5},
                                   {-1.2, 0.0, 3.0}};
  static const double spts[][3] = {{0.8, 0.0, 0.0}, {2.6, 0.0, 0.0}};
  CHECK(powi, ipts);
  CHECK(powc, cpts);
  CHECK(sqrt, spts);
}

static void transcendental_functions_match_finite_differences(void)
{
  static const double pts[][3] = {{0.7, 0.0, 0.0}, {-1.3, 0.0, 0.0}, {2.1, 0.0, 0.0}};
  static const double pos[][3] = {{0.7, 0.0, 0.0}, {2.6, 0.0, 0.0}};
  static const double sp[][3] = {{0.7, 0.0, 1.0}, {-1.3, 0.0, 4.0}, {2.1, 0.0, 0.5}};
  CHECK(exp, pts);
  CHECK(log, pos);
  CHECK(sin, pts);
  CHECK(cos, pts);
  CHECK(tanh, pts);
  CHECK(sigmoid, pts);
  CHECK(softplus, sp);
  CHECK(chain_atan, pts);
}

/* d(x, t) = x (1 - x) t, the example of the header comment. */
static pinn_xjet dist_xt(const pinn_xjet *x, const void *ctx)
{
  (void)ctx;
  return px_mul(px_mul(x[0], px_csub(1.0, x[0])), x[1]);
}

static void header_example_has_the_closed_form_derivatives(void)
{
  const double X[D] = {0.3, 1.7, 0.0, 0.0};
  pinn_xjet r = eval_at(dist_xt, NULL, X);
  const double x = X[0], t = X[1];
  CU_ASSERT_DOUBLE_EQUAL(r.v, x * (1 - x) * t, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(r.g[0], (1 - 2 * x) * t, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(r.g[1], x * (1 - x), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(r.h[0][0], -2 * t, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(r.h[0][1], 1 - 2 * x, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(r.h[1][0], 1 - 2 * x, 1e-15);
  CU_ASSERT_EQUAL(r.h[1][1], 0.0);
  /* coordinates the function does not use stay exactly zero */
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j)
      if (i >= 2 || j >= 2) CU_ASSERT_EQUAL(r.h[i][j], 0.0);
  CU_ASSERT_EQUAL(r.g[2], 0.0);
  CU_ASSERT_EQUAL(r.g[3], 0.0);
  fd_result f = fd_check(dist_xt, NULL, X);
  CU_ASSERT(f.grad_err <= 1e-7 && f.hess_err <= 1e-7);
}

/* A disk distance and data extension of the kind a user writes. */
static pinn_xjet disk(const pinn_xjet *x, const void *ctx)
{
  (void)ctx;
  pinn_xjet r2 = px_add(px_add(px_sq(x[0]), px_sq(x[1])), px_sq(x[2]));
  pinn_xjet d = px_csub(1.0, r2);
  pinn_xjet g = px_mul(px_cos(px_scale(x[0], 2.0)), px_tanh(px_sub(x[1], x[3])));
  return px_add(px_mul(d, px_log(px_addc(px_sqrt(px_addc(r2, 1.0)), 0.5))), px_powc(px_exp(g), 1.5));
}

static void compositions_match_finite_differences(void)
{
  const double pts[][D] = {{0.3, -0.7, 0.45, 0.2}, {-0.5, 0.1, 0.2, 1.3}, {0.9, 0.6, -0.3, -0.4}};
  for (int k = 0; k < 3; ++k) {
    fd_result f = fd_check(disk, NULL, pts[k]);
    CU_ASSERT(f.grad_err <= 1e-7);
    CU_ASSERT(f.hess_err <= 1e-7);
    CU_ASSERT_EQUAL(f.asym, 0);
    CU_ASSERT(f.grad_nonzero == 4);
    CU_ASSERT(f.hess_nonzero >= 12);
  }
}

static void cube_is_the_same_by_product_powi_and_powc(void)
{
  pinn_xjet a = px_add(px_mul(px_var(1.3, 0), px_var(0.4, 2)), px_sin(px_var(0.7, 3)));
  pinn_xjet p = px_mul(px_mul(a, a), a), q = px_powi(a, 3), r = px_powc(a, 3.0);
  CU_ASSERT(pinn_test_reldiff(p.v, q.v, 1e-300) <= 1e-15);
  CU_ASSERT(pinn_test_reldiff(p.v, r.v, 1e-300) <= 1e-15);
  for (int i = 0; i < D; ++i) {
    CU_ASSERT(pinn_test_reldiff(p.g[i], q.g[i], 1e-12) <= 1e-14);
    CU_ASSERT(pinn_test_reldiff(p.g[i], r.g[i], 1e-12) <= 1e-14);
    for (int j = 0; j < D; ++j) {
      CU_ASSERT(pinn_test_reldiff(p.h[i][j], q.h[i][j], 1e-12) <= 1e-14);
      CU_ASSERT(pinn_test_reldiff(p.h[i][j], r.h[i][j], 1e-12) <= 1e-14);
    }
  }
  CU_ASSERT(fabs(q.h[0][2]) > 0.1 && fabs(q.h[3][3]) > 0.1);
}

static void trivial_powers_and_zero_bases_stay_finite(void)
{
  pinn_xjet z = px_add(px_var(0.0, 0), px_scale(px_var(0.0, 1), 2.0)); /* 0 with gradient (1,2) */
  pinn_xjet one = px_powi(z, 1), sq = px_powi(z, 2), p0 = px_powc(z, 0.0), p1 = px_powc(z, 1.0);
  CU_ASSERT(pinn_xjet_isfinite(&one, D));
  CU_ASSERT(memcmp(&one, &z, sizeof z) == 0);
  CU_ASSERT(memcmp(&p1, &z, sizeof z) == 0);
  CU_ASSERT_EQUAL(sq.v, 0.0);
  CU_ASSERT_EQUAL(sq.g[0], 0.0);
  CU_ASSERT_EQUAL(sq.h[0][1], 4.0); /* 2 z_x z_y */
  CU_ASSERT_EQUAL(sq.h[1][1], 8.0);
  CU_ASSERT_EQUAL(p0.v, 1.0);
  CU_ASSERT_EQUAL(p0.g[1], 0.0);
  CU_ASSERT_EQUAL(px_powi(z, 0).h[0][0], 0.0);
}

static void softplus_and_sigmoid_do_not_overflow(void)
{
  pinn_xjet big = px_scale(px_var(400.0, 0), 2.0); /* 800, gradient (2, 0, ..) */
  pinn_xjet s = px_softplus(big, 2.0);
  CU_ASSERT(pinn_xjet_isfinite(&s, D));
  CU_ASSERT_EQUAL(s.v, 800.0);
  CU_ASSERT_EQUAL(s.g[0], 2.0);
  CU_ASSERT_EQUAL(s.h[0][0], 0.0);
  s = px_softplus(px_neg(big), 2.0);
  CU_ASSERT(pinn_xjet_isfinite(&s, D));
  CU_ASSERT(s.v >= 0.0 && s.v < 1e-300);
  pinn_xjet g = px_sigmoid(px_neg(big));
  CU_ASSERT(pinn_xjet_isfinite(&g, D));
  CU_ASSERT(g.v >= 0.0 && g.v < 1e-300);
  g = px_sigmoid(big);
  CU_ASSERT_EQUAL(g.v, 1.0);
  /* softplus'' = beta s (1 - s) with s = 1/2 at 0 */
  s = px_softplus(px_var(0.0, 2), 3.0);
  CU_ASSERT_DOUBLE_EQUAL(s.v, log(2.0) / 3.0, 1e-16);
  CU_ASSERT_EQUAL(s.g[2], 0.5);
  CU_ASSERT_EQUAL(s.h[2][2], 0.75);
}

static void constructors_and_accessors_seed_what_they_say(void)
{
  pinn_xjet c = px_const(2.5);
  CU_ASSERT_EQUAL(px_value(c), 2.5);
  for (int i = 0; i < D; ++i) {
    CU_ASSERT_EQUAL(px_deriv(c, i), 0.0);
    for (int j = 0; j < D; ++j) CU_ASSERT_EQUAL(px_deriv2(c, i, j), 0.0);
  }
  for (int k = 0; k < D; ++k) {
    pinn_xjet v = px_var(-1.5, k);
    CU_ASSERT_EQUAL(v.v, -1.5);
    for (int i = 0; i < D; ++i) {
      CU_ASSERT_EQUAL(px_deriv(v, i), i == k ? 1.0 : 0.0);
      for (int j = 0; j < D; ++j) CU_ASSERT_EQUAL(v.h[i][j], 0.0);
    }
  }
  CU_ASSERT(isnan(px_var(1.0, D).v));
  CU_ASSERT(isnan(px_var(1.0, -1).v));
  CU_ASSERT(isnan(px_deriv(c, D)));
  CU_ASSERT(isnan(px_deriv2(c, 0, D)));
  CU_ASSERT(isnan(px_deriv2(c, -1, 0)));
  pinn_xjet m = px_mul(px_var(2.0, 0), px_var(3.0, 1));
  CU_ASSERT_EQUAL(px_deriv2(m, 0, 1), 1.0);
  CU_ASSERT_EQUAL(px_deriv2(m, 1, 0), 1.0);
  CU_ASSERT_EQUAL(px_deriv(m, 0), 3.0);
}

static void finiteness_check_looks_only_at_the_used_coordinates(void)
{
  pinn_xjet a = px_var(1.0, 0);
  CU_ASSERT(pinn_xjet_isfinite(&a, D));
  a.h[3][3] = NAN;
  CU_ASSERT(pinn_xjet_isfinite(&a, 3));
  CU_ASSERT(!pinn_xjet_isfinite(&a, 4));
  CU_ASSERT(!pinn_xjet_isfinite(&a, 99));
  a = px_var(1.0, 0);
  a.g[1] = INFINITY;
  CU_ASSERT(pinn_xjet_isfinite(&a, 1));
  CU_ASSERT(!pinn_xjet_isfinite(&a, 2));
  pinn_xjet l = px_log(px_var(-1.0, 0));
  CU_ASSERT(!pinn_xjet_isfinite(&l, 1));
  pinn_xjet s = px_sqrt(px_var(0.0, 0));
  CU_ASSERT_EQUAL(s.v, 0.0);
  CU_ASSERT(!pinn_xjet_isfinite(&s, 1));
  CU_ASSERT(pinn_xjet_isfinite(&s, 0));
}

static void format_lists_value_gradient_and_hessian(void)
{
  char buf[256];
  pinn_xjet m = px_mul(px_var(2.0, 0), px_var(3.0, 1));
  CU_ASSERT_STRING_EQUAL(pinn_xjet_format(&m, 2, buf, sizeof buf), "6 g=[3 2] h=[[0 1] [1 0]]");
  pinn_xjet c = px_const(-0.5);
  CU_ASSERT_STRING_EQUAL(pinn_xjet_format(&c, 0, buf, sizeof buf), "-0.5 g=[] h=[]");
  char small[8];
  CU_ASSERT_STRING_EQUAL(pinn_xjet_format(&m, 2, small, sizeof small), "6 g=[3 ");
  char one[1] = {'x'};
  CU_ASSERT_EQUAL(pinn_xjet_format(&m, 2, one, 0)[0], 'x');
  CU_ASSERT_STRING_EQUAL(pinn_xjet_format(&m, 2, one, 1), "");
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"arithmetic_matches_finite_differences", arithmetic_matches_finite_differences},
    {"powers_match_finite_differences", powers_match_finite_differences},
    {"transcendental_functions_match_finite_differences",
     transcendental_functions_match_finite_differences},
    {"header_example_has_the_closed_form_derivatives",
     header_example_has_the_closed_form_derivatives},
    {"compositions_match_finite_differences", compositions_match_finite_differences},
    {"cube_is_the_same_by_product_powi_and_powc", cube_is_the_same_by_product_powi_and_powc},
    {"trivial_powers_and_zero_bases_stay_finite", trivial_powers_and_zero_bases_stay_finite},
    {"softplus_and_sigmoid_do_not_overflow", softplus_and_sigmoid_do_not_overflow},
    {"constructors_and_accessors_seed_what_they_say",
     constructors_and_accessors_seed_what_they_say},
    {"finiteness_check_looks_only_at_the_used_coordinates",
     finiteness_check_looks_only_at_the_used_coordinates},
    {"format_lists_value_gradient_and_hessian", format_lists_value_gradient_and_hessian},
    {NULL, NULL}};
  if (pinn_test_add_suite("xjet", cases)) return 1;
  return pinn_test_run_all();
}
