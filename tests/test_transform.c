/* Tests for the output transforms (include/pinn/transform.h,
 * lib/transform.c).
 *
 * A small tanh network of (x, t) with two outputs supplies the raw jets N;
 * output 1 (or 0) is transformed with u = g + d N, d = x (1 - x)(1 + t^2),
 * or with u = psi + softplus_beta(N).  Checks:
 *  - forward: the transformed first derivatives against Richardson central
 *    differences of u = g + d N (or psi + s(N)) computed from plain network
 *    values, the second derivatives against differences of the transformed
 *    first derivatives (relative 1e-7, absolute below 1e-3, with guards that
 *    the checked numbers are not all ~0);
 *  - adjoint: the dot-product identity <Ubar, dU> = <Nbar, dN> for random
 *    directions, and the parameter gradient of a loss of transformed jets
 *    computed through pinn_mlp_loss_grad against finite differences;
 *  - exactness: u = g (and u_t = g_t, u_tt = g_tt) at x = 0 and 1 for any
 *    network, u >= psi at random points for any network;
 *  - layout (rows >= nb untouched, in place, batch layout), the identity
 *    transform, and every error with its message;
 *  - series form (pinn/tseries.h): the channels derived from the series
 *    equal the xjet form's to 1e-14, the jets match differences, the
 *    directional coefficients match the xjet gradient and Hessian.
 */
#include <pinn/transform.h>
#include <pinn/mlp.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include "testutil.h"

#define DIM 2
#define NOUT 2
#define PI 3.14159265358979323846

/* ---- user functions ------------------------------------------------------ */

/* g(x, t) = sin(pi x) exp(-t) + 0.3 x t^2 + cos(t) */
static int g_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_add(px_add(px_mul(px_sin(px_scale(x[0], PI)), px_exp(px_neg(x[1]))),
                       px_scale(px_mul(x[0], px_sq(x[1])), 0.3)),
                px_cos(x[1]));
  return 0;
}
static double g_val(const double *x) { return sin(PI * x[0]) * exp(-x[1]) + 0.3 * x[0] * x[1] * x[1] + cos(x[1]); }

/* d(x, t) = x (1 - x)(1 + t^2): zero at x = 0 and x = 1 */
static int d_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_mul(px_mul(x[0], px_csub(1.0, x[0])), px_addc(px_sq(x[1]), 1.0));
  return 0;
}
static double d_val(const double *x) { return x[0] * (1 - x[0]) * (1 + x[1] * x[1]); }

/* psi(x, t) = 0.5 - (x - 0.5)^2 + 0.1 sin(3 t) */
static int psi_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_add(px_csub(0.5, px_sq(px_subc(x[0], 0.5))), px_scale(px_sin(px_scale(x[1], 3.0)), 0.1));
  return 0;
}
static double psi_val(const double *x) { return 0.5 - (x[0] - 0.5) * (x[0] - 0.5) + 0.1 * sin(3 * x[1]); }

/* The same three functions in series form (pinn/tseries.h). */
static int g_ts(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_add(pt_add(pt_mul(pt_sin(pt_scale(x[0], PI)), pt_exp(pt_neg(x[1]))),
                       pt_scale(pt_mul(x[0], pt_sq(x[1])), 0.3)),
                pt_cos(x[1]));
  return 0;
}
static int d_ts(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(pt_mul(x[0], pt_csub(1.0, x[0])), pt_addc(pt_sq(x[1]), 1.0));
  return 0;
}
static int psi_ts(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_add(pt_csub(0.5, pt_sq(pt_addc(x[0], -0.5))), pt_scale(pt_sin(pt_scale(x[1], 3.0)), 0.1));
  return 0;
}

static double softplus_val(double n, double beta)
{
  const double z = beta * n;
  return (z > 0 ? n : 0.0) + log1p(exp(-fabs(z))) / beta;
}

/* The callbacks as the library calls them: through a pointer, out of line
 * (an inlined copy may round differently under FMA contraction). */
static pinn_xjet_fn volatile psi_call = psi_fn, g_call = g_fn;

/* ---- helpers ------------------------------------------------------------- */

static pinn_mlp *make_net(unsigned long seed, double scale)
{
  static const size_t sizes[] = {DIM, 10, 10, NOUT};
  pinn_mlp_layout lay = {4, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  double *th = pinn_mlp_params(net);
  for (size_t i = 0; i < pinn_mlp_n_params(net); ++i) th[i] = scale * th[i] + 0.1 * gsl_rng_uniform(r);
  gsl_rng_free(r);
  return net;
}

static pinn_jet_spec full_spec(void)
{
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_pair(&s, 0, 0);
  pinn_jet_spec_add_pair(&s, 0, 1);
  pinn_jet_spec_add_pair(&s, 1, 1);
  return s;
}

static pinn_jet_spec first_spec(void)
{
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&s, 0);
  pinn_jet_spec_add_first(&s, 1);
  return s;
}

#define SENTINEL 12345.0

/* Network jets of nb points in block layout with leading dimension ld;
 * rows nb .. ld-1 hold SENTINEL. */
static double *block_jets(pinn_mlp *net, const pinn_jet_spec *s, size_t nb, size_t ld,
                          const double *x)
{
  const size_t C = pinn_jet_spec_channels(s);
  double *aos = malloc(nb * NOUT * C * sizeof *aos), *blk = malloc(NOUT * C * ld * sizeof *blk);
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(net, s, nb, x, aos), PINN_SUCCESS);
  for (size_t k = 0; k < NOUT; ++k)
    for (size_t c = 0; c < C; ++c)
      for (size_t q = 0; q < ld; ++q)
        blk[(k * C + c) * ld + q] = q < nb ? aos[(q * NOUT + k) * C + c] : SENTINEL;
  free(aos);
  return blk;
}

/* Transformed value at one point, from plain network values. */
static double u_value(pinn_mlp *net, const pinn_transform *t, const double *x)
{
  double n[NOUT];
  pinn_mlp_eval(net, 1, x, n);
  const double nk = n[t->component];
  if (t->kind == PINN_TRANSFORM_DIRICHLET) return g_val(x) + d_val(x) * nk;
  return psi_val(x) + (double)t->sense * softplus_val(nk, t->beta);
}

/* Transformed first derivative d u / d x_i at one point (through the
 * transform with a first-derivative spec). */
static double u_first(pinn_mlp *net, const pinn_transform *t, const double *x, unsigned i)
{
  pinn_jet_spec s = first_spec();
  double N[NOUT * 3], U[NOUT * 3];
  pinn_mlp_jets(net, &s, 1, x, N);
  CU_ASSERT_EQUAL(pinn_transform_jets(t, &s, NOUT, DIM, 1, x, N, U, NULL), PINN_SUCCESS);
  return U[t->component * 3 + (size_t)pinn_jet_spec_first_channel(&s, i)];
}

/* Richardson central difference along x_j of u (what < 0) or of u_i. */
static double diff(pinn_mlp *net, const pinn_transform *t, const double *x, unsigned j, int what)
{
  const double h = 1e-3, st[4] = {h, -h, h / 2, -h / 2};
  double v[4];
  for (int k = 0; k < 4; ++k) {
    double y[DIM] = {x[0], x[1]};
    y[j] += st[k];
    v[k] = what < 0 ? u_value(net, t, y) : u_first(net, t, y, (unsigned)what);
  }
  const double d1 = (v[0] - v[1]) / (2 * h), d2 = (v[2] - v[3]) / h;
  return (4 * d2 - d1) / 3;
}

/* Forward jets of a transform at nb points against finite differences;
 * also: the untransformed output is copied bitwise, rows >= nb untouched. */
static void check_forward_fd(const pinn_transform *t)
{
  enum { NB = 5, LD = 8 };
  const double x[NB * DIM] = {0.2, 0.3, 0.55, -0.4, 0.9, 1.1, -0.3, 0.05, 0.71, 0.62};
  pinn_mlp *net = make_net(7, 1.5);
  pinn_jet_spec s = full_spec();
  const size_t C = pinn_jet_spec_channels(&s);
  double *N = block_jets(net, &s, NB, LD, x);
  double *U = malloc(NOUT * C * LD * sizeof *U);
  double *work = malloc(pinn_transform_work_size(&s, NB) * sizeof *work);
  for (size_t e = 0; e < NOUT * C * LD; ++e) U[e] = -SENTINEL;
  pinn_error err;
  pinn_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(pinn_transform_forward(t, &s, NOUT, DIM, x, NB, LD, N, U, work, &err),
                        PINN_SUCCESS);
  const size_t k = t->component, other = 1 - k;
  double emax = 0.0;
  int nonzero1 = 0, nonzero2 = 0;
  for (size_t q = 0; q < NB; ++q) {
    const double *xq = x + q * DIM;
    CU_ASSERT(pinn_test_reldiff(U[(k * C) * LD + q], u_value(net, t, xq), 1e-12) <= 1e-13);
    for (unsigned i = 0; i < DIM; ++i) {
      const double a = U[(k * C + (size_t)pinn_jet_spec_first_channel(&s, i)) * LD + q];
      const double e = pinn_test_reldiff(a, diff(net, t, xq, i, -1), 1e-3);
      if (!(e <= emax)) emax = e;
      nonzero1 += fabs(a) > 1e-2;
      for (unsigned j = 0; j < DIM; ++j) {
        const double b = U[(k * C + (size_t)pinn_jet_spec_pair_channel(&s, i, j)) * LD + q];
        const double e2 = pinn_test_reldiff(b, diff(net, t, xq, j, (int)i), 1e-3);
        if (!(e2 <= emax)) emax = e2;
        nonzero2 += fabs(b) > 1e-2;
      }
    }
  }
  if (!(emax <= 1e-7)) fprintf(stderr, "\n  %s: max relative error %.3g\n", pinn_transform_kind_name(t->kind), emax);
  CU_ASSERT(emax <= 1e-7);
  CU_ASSERT(nonzero1 >= 2 * NB - 1);
  CU_ASSERT(nonzero2 >= 3 * NB);
  for (size_t c = 0; c < C; ++c)
    for (size_t q = 0; q < LD; ++q) {
      const size_t eo = (other * C + c) * LD + q, ek = (k * C + c) * LD + q;
      if (q < NB) CU_ASSERT_EQUAL(U[eo], N[eo]);
      if (q >= NB) CU_ASSERT(U[eo] == -SENTINEL && U[ek] == -SENTINEL);
    }
  free(N);
  free(U);
  free(work);
  pinn_mlp_free(net);
}

static void dirichlet_jets_match_finite_differences(void)
{
  pinn_transform t = pinn_transform_dirichlet(1, g_fn, d_fn, NULL);
  check_forward_fd(&t);
}

static void obstacle_jets_match_finite_differences(void)
{
  pinn_transform t = pinn_transform_obstacle(0, psi_fn, 3.0, NULL);
  check_forward_fd(&t);
  t.beta = 0.7;
  t.component = 1;
  check_forward_fd(&t);
}

/* u = psi - softplus_beta(N): value, gradient and Hessian by differences */
static void upper_obstacle_jets_match_finite_differences(void)
{
  pinn_transform t = pinn_transform_obstacle_upper(0, psi_fn, 3.0, NULL);
  CU_ASSERT_EQUAL(t.sense, -1);
  check_forward_fd(&t);
  t.beta = 0.7;
  t.component = 1;
  check_forward_fd(&t);
}

/* <Ubar, (U(N + e dN) - U(N - e dN)) / 2e> (Richardson for the obstacle) vs
 * <Nbar, dN> on a block of random jets. */
static void check_dot_product(const pinn_transform *t, double tol)
{
  enum { NB = 7, LD = 9 };
  pinn_jet_spec s = full_spec();
  const size_t C = pinn_jet_spec_channels(&s), L = NOUT * C * LD;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 99);
  double x[NB * DIM], *N = malloc(L * sizeof *N), *dN = malloc(L * sizeof *dN),
         *Ub = malloc(L * sizeof *Ub), *Nb = malloc(L * sizeof *Nb), *U = malloc(L * sizeof *U),
         *Np = malloc(L * sizeof *Np), *work = malloc(pinn_transform_work_size(&s, NB) * sizeof *work);
  for (size_t i = 0; i < NB * DIM; ++i) x[i] = gsl_rng_uniform(r) * 1.4 - 0.2;
  for (size_t e = 0; e < L; ++e) {
    const int pad = e % LD >= NB;
    N[e] = pad ? 0.0 : 2.0 * gsl_rng_uniform(r) - 1.0;
    dN[e] = pad ? 0.0 : 2.0 * gsl_rng_uniform(r) - 1.0;
    Ub[e] = pad ? 0.0 : 2.0 * gsl_rng_uniform(r) - 1.0;
    Nb[e] = SENTINEL;
  }
  CU_ASSERT_EQUAL_FATAL(pinn_transform_forward(t, &s, NOUT, DIM, x, NB, LD, N, U, work, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_transform_adjoint(t, &s, NOUT, NB, LD, Ub, Nb, work, NULL), 0);
  double rhs = 0.0, rhs_abs = 0.0;
  for (size_t e = 0; e < L; ++e)
    if (e % LD < NB) {
      rhs += Nb[e] * dN[e];
      rhs_abs += fabs(Nb[e] * dN[e]);
    } else {
      CU_ASSERT_EQUAL(Nb[e], SENTINEL); /* rows >= nb untouched */
    }
  const double h = t->kind == PINN_TRANSFORM_OBSTACLE ? 1e-3 : 1.0;
  const double st[4] = {h, -h, h / 2, -h / 2};
  double v[4];
  for (int j = 0; j < 4; ++j) {
    for (size_t e = 0; e < L; ++e) Np[e] = N[e] + st[j] * dN[e];
    CU_ASSERT_EQUAL(pinn_transform_forward(t, &s, NOUT, DIM, x, NB, LD, Np, U, NULL, NULL), 0);
    v[j] = 0.0;
    for (size_t e = 0; e < L; ++e)
      if (e % LD < NB) v[j] += Ub[e] * U[e];
  }
  const double d1 = (v[0] - v[1]) / (2 * h), d2 = (v[2] - v[3]) / h;
  const double lhs = t->kind == PINN_TRANSFORM_OBSTACLE ? (4 * d2 - d1) / 3 : d1;
  const double e = fabs(lhs - rhs) / rhs_abs;
  if (!(e <= tol)) fprintf(stderr, "\n  %s: <Ubar,dU> = %.17g, <Nbar,dN> = %.17g\n",
                           pinn_transform_kind_name(t->kind), lhs, rhs);
  CU_ASSERT(e <= tol);
  /* guards: the sums are not ~0, and the transformed component's
   * sensitivities differ from the pass-through ones */
  CU_ASSERT(rhs_abs > 1.0);
  int changed = 0;
  for (size_t e2 = t->component * C * LD; e2 < (t->component + 1) * C * LD; ++e2)
    changed += e2 % LD < NB && fabs(Nb[e2] - Ub[e2]) > 1e-3;
  CU_ASSERT(changed >= (int)(C * NB) / 2);
  /* in place: Nbar computed over Ubar itself is bitwise the same */
  double *Ub2 = malloc(L * sizeof *Ub2);
  memcpy(Ub2, Ub, L * sizeof *Ub2);
  CU_ASSERT_EQUAL(pinn_transform_adjoint(t, &s, NOUT, NB, LD, Ub2, Ub2, work, NULL), 0);
  for (size_t e2 = 0; e2 < L; ++e2)
    if (e2 % LD < NB) CU_ASSERT_EQUAL(Ub2[e2], Nb[e2]);
  free(Ub2);
  free(N); free(dN); free(Ub); free(Nb); free(U); free(Np); free(work);
  gsl_rng_free(r);
}

static void dirichlet_adjoint_satisfies_the_dot_product_identity(void)
{
  pinn_transform t = pinn_transform_dirichlet(0, g_fn, d_fn, NULL);
  check_dot_product(&t, 1e-13);
  t.component = 1;
  t.g = NULL;
  check_dot_product(&t, 1e-13);
}

static void obstacle_adjoint_satisfies_the_dot_product_identity(void)
{
  pinn_transform t = pinn_transform_obstacle(1, psi_fn, 2.5, NULL);
  check_dot_product(&t, 1e-9);
  t.beta = 0.4;
  t.component = 0;
  check_dot_product(&t, 1e-9);
  t = pinn_transform_obstacle_upper(1, psi_fn, 2.5, NULL);
  check_dot_product(&t, 1e-9);
  t.beta = 0.4;
  t.component = 0;
  check_dot_product(&t, 1e-9);
}

/* ---- gradient through the network --------------------------------------- */

typedef struct {
  const pinn_transform *t;
  const pinn_jet_spec *s;
  const double *x;
  const double *w;    /* weight of each (k, c) entry */
  const double *coef; /* cached coefficients, or NULL: call g, d, psi */
} loss_ctx;

/* L = sum over points and entries of 0.5 w_kc U_kc^2 (transformed jets). */
static int seed_transformed(size_t p0, size_t nb, size_t ld, const double *J, double *Jb,
                            double *acc, void *vctx)
{
  loss_ctx *c = vctx;
  const size_t C = pinn_jet_spec_channels(c->s);
  double U[NOUT * 6 * PINN_BLOCK], work[(6 + 3) * PINN_BLOCK];
  if (C != 6 || pinn_transform_work_size(c->s, nb) > sizeof work / sizeof *work) return 1;
  int st = c->coef ? pinn_transform_forward_coefs(c->t, c->s, NOUT,
                                                  c->coef + p0 * pinn_transform_coef_size(c->s),
                                                  nb, ld, J, U, work, NULL)
                   : pinn_transform_forward(c->t, c->s, NOUT, DIM, c->x + p0 * DIM, nb, ld, J, U,
                                            work, NULL);
  if (st) return st;
  for (size_t e = 0; e < NOUT * C; ++e)
    for (size_t q = 0; q < nb; ++q) {
      const double u = U[e * ld + q];
      acc[0] += 0.5 * c->w[e] * u * u;
      Jb[e * ld + q] = c->w[e] * u;
    }
  return pinn_transform_adjoint(c->t, c->s, NOUT, nb, ld, Jb, Jb, work, NULL);
}

static void check_network_gradient(const pinn_transform *t)
{
  enum { N = 40 }; /* blocks of 32 and 8 points */
  pinn_mlp *net = make_net(11, 1.0);
  pinn_jet_spec s = full_spec();
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  double x[N * DIM], w[NOUT * 6];
  for (size_t i = 0; i < N * DIM; ++i) x[i] = gsl_rng_uniform(r);
  for (size_t e = 0; e < NOUT * 6; ++e) w[e] = 0.2 + gsl_rng_uniform(r);
  loss_ctx c = {t, &s, x, w, NULL};
  const size_t P = pinn_mlp_n_params(net);
  double *grad = calloc(P, sizeof *grad), L0;
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_loss_grad(net, &s, N, x, seed_transformed, &c, 1, &L0, grad), 0);
  /* the same with coefficients cached once: bitwise the same loss and gradient */
  double *coef = malloc(N * pinn_transform_coef_size(&s) * sizeof *coef);
  double *grad2 = calloc(P, sizeof *grad2), L2;
  CU_ASSERT_EQUAL_FATAL(pinn_transform_coefs(t, &s, DIM, N, x, coef, NULL), 0);
  loss_ctx c2 = {t, &s, x, w, coef};
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_loss_grad(net, &s, N, x, seed_transformed, &c2, 1, &L2, grad2), 0);
  CU_ASSERT_EQUAL(L2, L0);
  CU_ASSERT(memcmp(grad, grad2, P * sizeof *grad) == 0);
  free(coef);
  free(grad2);
  double *th = pinn_mlp_params(net), emax = 0.0;
  int nonzero = 0;
  for (size_t j = 0; j < P; j += 7) {
    const double t0 = th[j], h = 1e-4, st[4] = {h, -h, h / 2, -h / 2};
    double v[4];
    for (int m = 0; m < 4; ++m) {
      th[j] = t0 + st[m];
      CU_ASSERT_EQUAL(pinn_mlp_loss_grad(net, &s, N, x, seed_transformed, &c, 1, &v[m], NULL), 0);
    }
    th[j] = t0;
    const double fd = (4 * (v[2] - v[3]) / h - (v[0] - v[1]) / (2 * h)) / 3;
    const double e = pinn_test_reldiff(grad[j], fd, 1e-3);
    if (!(e <= emax)) emax = e;
    nonzero += fabs(grad[j]) > 1e-3;
  }
  if (!(emax <= 1e-7)) fprintf(stderr, "\n  %s: gradient error %.3g\n", pinn_transform_kind_name(t->kind), emax);
  CU_ASSERT(emax <= 1e-7);
  CU_ASSERT(nonzero >= 10);
  free(grad);
  gsl_rng_free(r);
  pinn_mlp_free(net);
}

static void parameter_gradient_through_the_transform_matches_finite_differences(void)
{
  pinn_transform a = pinn_transform_dirichlet(1, g_fn, d_fn, NULL);
  check_network_gradient(&a);
  pinn_transform b = pinn_transform_obstacle(0, psi_fn, 2.0, NULL);
  check_network_gradient(&b);
  pinn_transform c = pinn_transform_obstacle_upper(1, psi_fn, 2.0, NULL);
  check_network_gradient(&c);
}

/* ---- exactness ----------------------------------------------------------- */

static void dirichlet_data_hold_exactly_on_the_boundary_for_any_network(void)
{
  enum { NB = 8 };
  pinn_jet_spec s = full_spec();
  const size_t C = pinn_jet_spec_channels(&s);
  const int ct = pinn_jet_spec_first_channel(&s, 1), ctt = pinn_jet_spec_pair_channel(&s, 1, 1);
  pinn_transform t = pinn_transform_dirichlet(0, g_fn, d_fn, NULL);
  double worst = 0.0, moved = 0.0;
  for (unsigned long seed = 1; seed <= 6; ++seed) {
    pinn_mlp *net = make_net(seed, seed % 2 ? 1.0 : 6.0);
    double x[NB * DIM];
    for (size_t q = 0; q < NB; ++q) {
      x[q * DIM] = (double)(q % 2);              /* x = 0 or 1 */
      x[q * DIM + 1] = 0.37 * (double)q - 0.8;   /* t */
    }
    double *N = block_jets(net, &s, NB, NB, x), *U = malloc(NOUT * C * NB * sizeof *U);
    CU_ASSERT_EQUAL_FATAL(pinn_transform_forward(&t, &s, NOUT, DIM, x, NB, NB, N, U, NULL, NULL), 0);
    for (size_t q = 0; q < NB; ++q) {
      pinn_xjet X[PINN_XJET_MAX] = {px_var(x[q * DIM], 0), px_var(x[q * DIM + 1], 1)}, G;
      g_call(X, &G, NULL);
      worst = fmax(worst, fabs(U[q] - G.v));
      worst = fmax(worst, fabs(U[(size_t)ct * NB + q] - G.g[1]));
      worst = fmax(worst, fabs(U[(size_t)ctt * NB + q] - G.h[1][1]));
      moved = fmax(moved, fabs(N[q])); /* the network itself is not g */
    }
    free(N);
    free(U);
    pinn_mlp_free(net);
  }
  CU_ASSERT(worst <= 1e-15);
  CU_ASSERT(moved > 0.1);
}

/* lower: u >= psi; upper: u <= psi, for networks with large outputs of
 * both signs */
static void obstacle_transform_never_crosses_psi(void)
{
  enum { NP = 1000 };
  pinn_jet_spec v = pinn_jet_spec_value();
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  double *x = malloc(NP * DIM * sizeof *x), *N = malloc(NP * NOUT * sizeof *N),
         *U = malloc(NP * NOUT * sizeof *U);
  for (size_t i = 0; i < NP * DIM; ++i) x[i] = 3.0 * gsl_rng_uniform(r) - 1.0;
  int below = 0, touching = 0, negative = 0;
  for (unsigned long seed = 1; seed <= 8; ++seed) {
    pinn_mlp *net = make_net(seed, 8.0 * (double)((seed - 1) % 4 + 1)); /* large outputs of both signs */
    const double beta = 0.5 + 10.0 * (double)((seed - 1) % 4);
    pinn_transform t = seed <= 4 ? pinn_transform_obstacle(seed % 2, psi_fn, beta, NULL)
                                 : pinn_transform_obstacle_upper(seed % 2, psi_fn, beta, NULL);
    CU_ASSERT_EQUAL(pinn_mlp_eval(net, NP, x, N), 0);
    CU_ASSERT_EQUAL(pinn_transform_jets(&t, &v, NOUT, DIM, NP, x, N, U, NULL), 0);
    for (size_t p = 0; p < NP; ++p) {
      pinn_xjet X[PINN_XJET_MAX] = {px_var(x[p * DIM], 0), px_var(x[p * DIM + 1], 1)}, P;
      psi_call(X, &P, NULL);
      const double u = U[p * NOUT + t.component], ps = P.v;
      below += seed <= 4 ? !(u >= ps) : !(u <= ps);
      touching += u == ps;
      negative += N[p * NOUT + t.component] < -1.0;
    }
    pinn_mlp_free(net);
  }
  CU_ASSERT_EQUAL(below, 0);
  CU_ASSERT(negative > 200); /* the guarantee was tested where it matters */
  CU_ASSERT(touching > 1);   /* softplus underflows to 0: u = psi exactly */
  free(x); free(N); free(U);
  gsl_rng_free(r);
}

/* ---- layout --------------------------------------------------------------- */

static void batch_layout_cached_coefficients_and_in_place_give_the_block_results(void)
{
  enum { NB = 6, LD = 8 };
  const double x[NB * DIM] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.15, -0.5};
  pinn_mlp *net = make_net(4, 1.0);
  pinn_jet_spec s = full_spec();
  const size_t C = pinn_jet_spec_channels(&s);
  pinn_transform ts[2] = {pinn_transform_dirichlet(1, g_fn, d_fn, NULL),
                          pinn_transform_obstacle(0, psi_fn, 4.0, NULL)};
  for (int i = 0; i < 2; ++i) {
    double *N = block_jets(net, &s, NB, LD, x), *U = malloc(NOUT * C * LD * sizeof *U);
    double aosN[NB * NOUT * 6], aosU[NB * NOUT * 6];
    CU_ASSERT_EQUAL(pinn_transform_forward(&ts[i], &s, NOUT, DIM, x, NB, LD, N, U, NULL, NULL), 0);
    CU_ASSERT_EQUAL(pinn_mlp_jets(net, &s, NB, x, aosN), 0);
    CU_ASSERT_EQUAL(pinn_transform_jets(&ts[i], &s, NOUT, DIM, NB, x, aosN, aosU, NULL), 0);
    int same = 1;
    for (size_t q = 0; q < NB; ++q)
      for (size_t k = 0; k < NOUT; ++k)
        for (size_t c = 0; c < C; ++c) same &= aosU[(q * NOUT + k) * C + c] == U[(k * C + c) * LD + q];
    CU_ASSERT(same);
    /* cached coefficients: bitwise the same jets and work */
    const size_t cs = pinn_transform_coef_size(&s), ws = pinn_transform_work_size(&s, NB);
    double coef[NB * 12], *U2 = malloc(NOUT * C * LD * sizeof *U2), w1[9 * NB], w2[9 * NB];
    CU_ASSERT_EQUAL_FATAL(cs, 12);
    CU_ASSERT_EQUAL_FATAL(ws, 9 * NB);
    CU_ASSERT_EQUAL(pinn_transform_coefs(&ts[i], &s, DIM, NB, x, coef, NULL), 0);
    for (size_t e = 0; e < NOUT * C * LD; ++e) U[e] = U2[e] = -1.0;
    for (size_t e = 0; e < 9 * NB; ++e) w1[e] = w2[e] = -1.0;
    CU_ASSERT_EQUAL(pinn_transform_forward(&ts[i], &s, NOUT, DIM, x, NB, LD, N, U, w1, NULL), 0);
    CU_ASSERT_EQUAL(pinn_transform_forward_coefs(&ts[i], &s, NOUT, coef, NB, LD, N, U2, w2, NULL), 0);
    CU_ASSERT(memcmp(U, U2, NOUT * C * LD * sizeof *U) == 0);
    CU_ASSERT(memcmp(w1, w2, sizeof w1) == 0);
    free(U2);
    /* in place, both layouts */
    CU_ASSERT_EQUAL(pinn_transform_forward(&ts[i], &s, NOUT, DIM, x, NB, LD, N, N, NULL, NULL), 0);
    same = 1;
    for (size_t e = 0; e < NOUT * C * LD; ++e) same &= e % LD < NB ? N[e] == U[e] : N[e] == SENTINEL;
    CU_ASSERT(same);
    CU_ASSERT_EQUAL(pinn_transform_jets(&ts[i], &s, NOUT, DIM, NB, x, aosN, aosN, NULL), 0);
    CU_ASSERT(memcmp(aosN, aosU, sizeof aosU) == 0);
    free(N);
    free(U);
  }
  pinn_mlp_free(net);
}

/* coef rows: the channels of g (or psi) and of d in the spec's order */
static void coefficients_are_the_channels_of_the_user_functions(void)
{
  pinn_jet_spec s = full_spec();
  const size_t C = pinn_jet_spec_channels(&s);
  const double x[2 * DIM] = {0.3, 0.8, 0.65, -0.2};
  double coef[2 * 12];
  for (int kind = 0; kind < 2; ++kind) {
    pinn_transform t = kind ? pinn_transform_obstacle(0, psi_fn, 2.0, NULL)
                            : pinn_transform_dirichlet(1, g_fn, d_fn, NULL);
    CU_ASSERT_EQUAL_FATAL(pinn_transform_coefs(&t, &s, DIM, 2, x, coef, NULL), 0);
    if (!kind) CU_ASSERT(fabs(coef[C + 3]) > 0.1); /* d_xx = -2 (1 + t^2) is carried */
    for (size_t p = 0; p < 2; ++p) {
      pinn_xjet X[PINN_XJET_MAX] = {px_var(x[p * DIM], 0), px_var(x[p * DIM + 1], 1)}, A, B;
      (kind ? psi_call : g_call)(X, &A, NULL);
      if (kind) B = px_const(0.0); else d_fn(X, &B, NULL);
      const double *a = coef + p * 2 * C, *b = a + C;
      CU_ASSERT_EQUAL(a[0], A.v);
      CU_ASSERT_DOUBLE_EQUAL(b[0], B.v, 1e-15);
      for (unsigned i = 0; i < DIM; ++i) {
        const size_t c = (size_t)pinn_jet_spec_first_channel(&s, i);
        CU_ASSERT_EQUAL(a[c], A.g[i]);
        CU_ASSERT_DOUBLE_EQUAL(b[c], B.g[i], 1e-15);
        for (unsigned j = i; j < DIM; ++j) {
          const size_t cp = (size_t)pinn_jet_spec_pair_channel(&s, i, j);
          CU_ASSERT_EQUAL(a[cp], A.h[i][j]);
          CU_ASSERT_DOUBLE_EQUAL(b[cp], B.h[i][j], 1e-15);
        }
      }
    }
  }
  pinn_transform none = pinn_transform_none();
  CU_ASSERT_EQUAL(pinn_transform_coefs(&none, &s, DIM, 2, x, NULL, NULL), 0);
}

static void identity_transform_copies_jets_and_sensitivities(void)
{
  pinn_jet_spec s = first_spec();
  double N[NOUT * 3 * 4], U[NOUT * 3 * 4], Nb[NOUT * 3 * 4];
  for (size_t e = 0; e < sizeof N / sizeof *N; ++e) {
    N[e] = 0.5 * (double)e - 3.0;
    U[e] = Nb[e] = SENTINEL;
  }
  pinn_transform t = pinn_transform_none();
  CU_ASSERT_EQUAL(t.kind, PINN_TRANSFORM_NONE);
  CU_ASSERT_EQUAL(pinn_transform_forward(&t, &s, NOUT, DIM, NULL, 3, 4, N, U, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_transform_adjoint(&t, &s, NOUT, 3, 4, N, Nb, NULL, NULL), 0);
  for (size_t e = 0; e < sizeof N / sizeof *N; ++e) {
    CU_ASSERT_EQUAL(U[e], e % 4 < 3 ? N[e] : SENTINEL);
    CU_ASSERT_EQUAL(Nb[e], e % 4 < 3 ? N[e] : SENTINEL);
  }
  CU_ASSERT_STRING_EQUAL(pinn_transform_kind_name(PINN_TRANSFORM_NONE), "none");
  CU_ASSERT_STRING_EQUAL(pinn_transform_kind_name(PINN_TRANSFORM_DIRICHLET), "dirichlet");
  CU_ASSERT_STRING_EQUAL(pinn_transform_kind_name(PINN_TRANSFORM_OBSTACLE), "obstacle");
  CU_ASSERT_PTR_NULL(pinn_transform_kind_name((pinn_transform_kind)9));
  CU_ASSERT_EQUAL(pinn_transform_work_size(&s, 32), (3 + 3) * 32);
}

/* ---- errors --------------------------------------------------------------- */

static int failing_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)x; (void)ctx;
  *out = px_const(1.0);
  return 7;
}

/* sqrt(x): infinite derivatives at x = 0 (fine when only values are used) */
static int sqrt_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_sqrt(x[0]);
  return 0;
}

/* d = x (1 - x) t, but with a nonfinite Hessian entry d2/dt2 */
static int bad_hessian_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_mul(px_mul(x[0], px_csub(1.0, x[0])), x[1]);
  out->h[1][1] = (double)NAN;
  return 0;
}

static int reads_z_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_add(x[0], x[2]);
  return 0;
}

static int writes_nothing_fn(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)x; (void)out; (void)ctx;
  return 0;
}

static void errors_say_what_is_wrong_and_where(void)
{
  pinn_jet_spec v = pinn_jet_spec_value(), f = first_spec(), s = full_spec();
  const double x[2 * DIM] = {0.25, 0.5, 0.0, 0.75};
  double N[NOUT * 6 * 2] = {0}, U[NOUT * 6 * 2], work[(6 + 3) * 2];
  pinn_error err;
  pinn_transform t = pinn_transform_dirichlet(0, g_fn, d_fn, NULL);

#define EXPECT(call, status, text)                                               \
  do {                                                                           \
    pinn_error_clear(&err);                                                      \
    CU_ASSERT_EQUAL(call, status);                                               \
    CU_ASSERT_EQUAL(err.code, status);                                           \
    if (!strstr(err.msg, text)) fprintf(stderr, "\n  message: %s\n", err.msg);  \
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, text));                               \
  } while (0)

  EXPECT(pinn_transform_check(NULL, 1, 2, &err), PINN_EINVAL, "NULL transform");
  t.kind = (pinn_transform_kind)5;
  EXPECT(pinn_transform_check(&t, NOUT, DIM, &err), PINN_EINVAL, "unknown kind 5");
  t = pinn_transform_dirichlet(2, g_fn, d_fn, NULL);
  EXPECT(pinn_transform_check(&t, NOUT, DIM, &err), PINN_EINVAL, "component 2 does not exist");
  t = pinn_transform_dirichlet(0, g_fn, NULL, NULL);
  EXPECT(pinn_transform_forward(&t, &s, NOUT, DIM, x, 2, 2, N, U, work, &err), PINN_EINVAL,
         "distance function d is missing");
  t = pinn_transform_obstacle(0, NULL, 1.0, NULL);
  EXPECT(pinn_transform_check(&t, NOUT, DIM, &err), PINN_EINVAL, "obstacle function psi is missing");
  t = pinn_transform_obstacle(0, psi_fn, 0.0, NULL);
  EXPECT(pinn_transform_check(&t, NOUT, DIM, &err), PINN_EINVAL, "beta = 0");
  t.beta = (double)NAN;
  EXPECT(pinn_transform_check(&t, NOUT, DIM, &err), PINN_EINVAL, "finite beta > 0");
  t = pinn_transform_obstacle(0, psi_fn, 1.0, NULL);
  t.sense = (pinn_sense)0; /* a struct filled by hand */
  EXPECT(pinn_transform_check(&t, NOUT, DIM, &err), PINN_EINVAL, "sense = 0; use +1");
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pinn_transform_obstacle_upper"));
  t = pinn_transform_dirichlet(0, g_fn, d_fn, NULL);
  EXPECT(pinn_transform_check(&t, NOUT, 5, &err), PINN_EINVAL, "5 coordinates");
  EXPECT(pinn_transform_check(&t, NOUT, 0, &err), PINN_EINVAL, "0 coordinates");
  CU_ASSERT_EQUAL(pinn_transform_check(&t, NOUT, 4, NULL), PINN_SUCCESS);
  EXPECT(pinn_transform_forward(&t, &s, NOUT, 1, x, 2, 2, N, U, work, &err), PINN_EINVAL,
         "carries d/dx_1 but the points have 1 coordinate");
  EXPECT(pinn_transform_forward(&t, &s, NOUT, DIM, x, 3, 2, N, U, work, &err), PINN_EINVAL,
         "ld must be >= nb");
  EXPECT(pinn_transform_adjoint(&t, &s, NOUT, 2, 2, U, U, NULL, &err), PINN_EINVAL,
         "pass the work");
  pinn_jet_spec bad = s;
  bad.first = 1u; /* pair (0,1) without d/dx_1 */
  EXPECT(pinn_transform_adjoint(&t, &bad, NOUT, 2, 2, U, U, work, &err), PINN_EINVAL,
         "jet pair (0,1) needs both first derivatives");

  /* callbacks: nonzero return, non-finite entries, named with the point */
  t = pinn_transform_dirichlet(0, failing_fn, d_fn, NULL);
  EXPECT(pinn_transform_forward(&t, &v, NOUT, DIM, x, 2, 2, N, U, work, &err), PINN_ECALLBACK,
         "the function g returned 7 at block row 0, x = (0.25, 0.5)");
  t = pinn_transform_dirichlet(0, g_fn, sqrt_fn, NULL);
  CU_ASSERT_EQUAL(pinn_transform_forward(&t, &v, NOUT, DIM, x, 2, 2, N, U, work, NULL), 0);
  EXPECT(pinn_transform_forward(&t, &f, NOUT, DIM, x, 2, 2, N, U, work, &err), PINN_ENONFINITE,
         "d has gradient entry d/dx_0 = inf at block row 1, x = (0, 0.75)");
  EXPECT(pinn_transform_jets(&t, &f, NOUT, DIM, 2, x, N, U, &err), PINN_ENONFINITE,
         "at point 1, x = (0, 0.75)");
  EXPECT(pinn_transform_coefs(&t, &f, DIM, 2, x, work, &err), PINN_ENONFINITE,
         "d has gradient entry d/dx_0 = inf at point 1, x = (0, 0.75)");
  EXPECT(pinn_transform_forward_coefs(&t, &f, NOUT, NULL, 2, 2, N, U, work, &err), PINN_EINVAL,
         "NULL coefficients");
  t = pinn_transform_dirichlet(0, g_fn, bad_hessian_fn, NULL);
  CU_ASSERT_EQUAL(pinn_transform_forward(&t, &f, NOUT, DIM, x, 2, 2, N, U, work, NULL), 0);
  EXPECT(pinn_transform_forward(&t, &s, NOUT, DIM, x, 2, 2, N, U, work, &err), PINN_ENONFINITE,
         "d has Hessian entry d2/dx_1 dx_1 = nan at block row 0");
  t = pinn_transform_obstacle(1, reads_z_fn, 1.0, NULL);
  EXPECT(pinn_transform_forward(&t, &v, NOUT, DIM, x, 2, 2, N, U, work, &err), PINN_ENONFINITE,
         "psi has value = nan");
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "read only x[0 .. 1]"));
  t = pinn_transform_obstacle(1, writes_nothing_fn, 1.0, NULL);
  EXPECT(pinn_transform_forward(&t, &v, NOUT, DIM, x, 2, 2, N, U, work, &err), PINN_ENONFINITE,
         "write *out");
  /* NULL err is accepted */
  CU_ASSERT_EQUAL(pinn_transform_forward(&t, &v, NOUT, DIM, x, 2, 2, N, U, work, NULL),
                  PINN_ENONFINITE);
#undef EXPECT
}

static void series_form_channels_equal_those_of_the_xjet_form(void)
{
  const double x[3 * DIM] = {0.3, 0.8, 0.65, -0.2, 0.05, 1.7};
  pinn_jet_spec specs[3] = {full_spec(), first_spec(), pinn_jet_spec_value()};
  double cx[3 * 2 * 12], cs[3 * 2 * 12];
  int compared = 0;
  for (int kind = 0; kind < 3; ++kind) {
    pinn_transform tx = kind == 0   ? pinn_transform_dirichlet(1, g_fn, d_fn, NULL)
                        : kind == 1 ? pinn_transform_obstacle(0, psi_fn, 2.0, NULL)
                                    : pinn_transform_dirichlet(0, NULL, d_fn, NULL);
    pinn_transform ts = kind == 0   ? pinn_transform_dirichlet_series(1, g_ts, d_ts, NULL)
                        : kind == 1 ? pinn_transform_obstacle_series(0, psi_ts, 2.0, NULL)
                                    : pinn_transform_dirichlet_series(0, NULL, d_ts, NULL);
    CU_ASSERT(pinn_transform_is_series(&ts));
    CU_ASSERT(!pinn_transform_is_series(&tx));
    for (int k = 0; k < 3; ++k) {
      const size_t C2 = pinn_transform_coef_size(&specs[k]);
      CU_ASSERT_EQUAL_FATAL(pinn_transform_coefs(&tx, &specs[k], DIM, 3, x, cx, NULL), 0);
      CU_ASSERT_EQUAL_FATAL(pinn_transform_coefs(&ts, &specs[k], DIM, 3, x, cs, NULL), 0);
      for (size_t p = 0; p < 3; ++p) {
        double scale = 1.0;
        for (size_t c = 0; c < C2; ++c) scale = fmax(scale, fabs(cx[p * C2 + c]));
        for (size_t c = 0; c < C2; ++c) {
          CU_ASSERT(fabs(cs[p * C2 + c] - cx[p * C2 + c]) <= 1e-14 * scale);
          compared++;
        }
        CU_ASSERT_EQUAL(cs[p * C2], cx[p * C2]); /* values: bitwise */
      }
    }
  }
  CU_ASSERT_EQUAL(compared, 3 * 3 * 2 * (6 + 3 + 1));
}

static void series_form_jets_match_finite_differences(void)
{
  pinn_transform t = pinn_transform_dirichlet_series(1, g_ts, d_ts, NULL);
  check_forward_fd(&t);
  t = pinn_transform_obstacle_series(0, psi_ts, 3.0, NULL);
  check_forward_fd(&t);
  t = pinn_transform_obstacle_upper_series(1, psi_ts, 1.5, NULL);
  check_forward_fd(&t);
}

static void series_along_a_direction_have_the_xjet_directional_derivatives(void)
{
  const double x[DIM] = {0.4, -0.3}, v[DIM] = {0.7, -1.2};
  pinn_xjet X[PINN_XJET_MAX] = {px_var(x[0], 0), px_var(x[1], 1)}, G, Dj;
  g_fn(X, &G, NULL);
  d_fn(X, &Dj, NULL);
  double f[9], d[9];
  pinn_transform t = pinn_transform_dirichlet_series(0, g_ts, d_ts, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_transform_series(&t, DIM, x, v, 4, f, d, NULL), 0);
  double f1 = 0.0, f2 = 0.0, d1 = 0.0, d2 = 0.0;
  for (int i = 0; i < DIM; ++i) {
    f1 += G.g[i] * v[i];
    d1 += Dj.g[i] * v[i];
    for (int j = 0; j < DIM; ++j) {
      f2 += 0.5 * G.h[i][j] * v[i] * v[j];
      d2 += 0.5 * Dj.h[i][j] * v[i] * v[j];
    }
  }
  CU_ASSERT_DOUBLE_EQUAL(f[0], G.v, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(f[1], f1, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(f[2], f2, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(d[0], Dj.v, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d[1], d1, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(d[2], d2, 1e-14);
  /* d is a polynomial of degree 2 in x times 2 in t: coefficient 4 is
   * -v0^2 v1^2, the top */
  CU_ASSERT_DOUBLE_EQUAL(d[4], -v[0] * v[0] * v[1] * v[1], 1e-14);
  pinn_transform o = pinn_transform_obstacle_series(0, psi_ts, 2.0, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_transform_series(&o, DIM, x, v, 3, f, d, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(f[0], psi_val(x), 1e-15);
  CU_ASSERT_EQUAL(d[0], 0.0);
  CU_ASSERT_EQUAL(d[3], 0.0);
}

static int short_series_fn(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_var(x[0].c[0], 1.0, 1); /* order 1 whatever was asked */
  return 0;
}

static void series_form_errors_say_what_is_wrong(void)
{
  pinn_error e;
  pinn_transform mix = pinn_transform_dirichlet_series(0, g_ts, d_ts, NULL);
  mix.g = g_fn;
  CU_ASSERT_EQUAL(pinn_transform_check(&mix, 1, DIM, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mix"));
  pinn_transform ok = pinn_transform_dirichlet_series(0, NULL, d_ts, NULL);
  CU_ASSERT_EQUAL(pinn_transform_check(&ok, 1, 9, NULL), 0); /* series: up to 9 coordinates */
  CU_ASSERT_EQUAL(pinn_transform_check(&ok, 1, 10, &e), PINN_EINVAL);
  pinn_transform xj = pinn_transform_dirichlet(0, NULL, d_fn, NULL);
  CU_ASSERT_EQUAL(pinn_transform_check(&xj, 1, 5, &e), PINN_EINVAL);
  const double x[DIM] = {0.4, 0.1}, v[DIM] = {1.0, 0.0};
  double f[9], d[9];
  CU_ASSERT_EQUAL(pinn_transform_series(&xj, DIM, x, v, 2, f, d, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "series form"));
  pinn_transform sh = pinn_transform_dirichlet_series(0, NULL, short_series_fn, NULL);
  CU_ASSERT_EQUAL(pinn_transform_series(&sh, DIM, x, v, 3, f, d, &e), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "order 1 where 3"));
  pinn_transform bad = pinn_transform_obstacle_series(0, psi_ts, 0.0, NULL);
  CU_ASSERT_EQUAL(pinn_transform_check(&bad, 1, DIM, &e), PINN_EINVAL);
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"dirichlet_jets_match_finite_differences", dirichlet_jets_match_finite_differences},
    {"obstacle_jets_match_finite_differences", obstacle_jets_match_finite_differences},
    {"upper_obstacle_jets_match_finite_differences", upper_obstacle_jets_match_finite_differences},
    {"dirichlet_adjoint_satisfies_the_dot_product_identity",
     dirichlet_adjoint_satisfies_the_dot_product_identity},
    {"obstacle_adjoint_satisfies_the_dot_product_identity",
     obstacle_adjoint_satisfies_the_dot_product_identity},
    {"parameter_gradient_through_the_transform_matches_finite_differences",
     parameter_gradient_through_the_transform_matches_finite_differences},
    {"dirichlet_data_hold_exactly_on_the_boundary_for_any_network",
     dirichlet_data_hold_exactly_on_the_boundary_for_any_network},
    {"obstacle_transform_never_crosses_psi", obstacle_transform_never_crosses_psi},
    {"batch_layout_cached_coefficients_and_in_place_give_the_block_results",
     batch_layout_cached_coefficients_and_in_place_give_the_block_results},
    {"coefficients_are_the_channels_of_the_user_functions",
     coefficients_are_the_channels_of_the_user_functions},
    {"identity_transform_copies_jets_and_sensitivities",
     identity_transform_copies_jets_and_sensitivities},
    {"errors_say_what_is_wrong_and_where", errors_say_what_is_wrong_and_where},
    {"series_form_channels_equal_those_of_the_xjet_form",
     series_form_channels_equal_those_of_the_xjet_form},
    {"series_form_jets_match_finite_differences", series_form_jets_match_finite_differences},
    {"series_along_a_direction_have_the_xjet_directional_derivatives",
     series_along_a_direction_have_the_xjet_directional_derivatives},
    {"series_form_errors_say_what_is_wrong", series_form_errors_say_what_is_wrong},
    {NULL, NULL}};
  if (pinn_test_add_suite("transform", cases)) return 1;
  return pinn_test_run_all();
}
