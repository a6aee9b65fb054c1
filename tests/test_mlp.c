/* Tests for the MLP: jets against hand-computed values and finite
 * differences, the adjoint (parameter gradient) against central differences
 * for every activation, initialisation statistics, reproducibility across
 * thread counts, and error handling. */
#include <pinn/mlp.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "testutil.h"

/* ---------------------------------------------------------------- helpers */

/* The embedding make_net gives its networks (NULL: none); the periodic
 * embedding tests set it and run the generic checks again. */
static const pinn_embedding *g_embed = NULL;
/* The step of the input central differences (the Fourier features' test
 * takes a smaller one: their frequencies make the O(h^2) error larger). */
static double g_fd_h = 1e-5;

static pinn_mlp *make_net(size_t L, const size_t *sizes, pinn_activation act, int per_unit,
                          unsigned long seed)
{
  pinn_activation acts[16];
  for (size_t l = 0; l + 2 < L; ++l) acts[l] = act;
  pinn_mlp_layout lay = {L, sizes, acts, per_unit, g_embed};
  pinn_error err;
  pinn_mlp *net = pinn_mlp_alloc(&lay, &err);
  if (!net) return NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  /* non-zero biases and slopes so every parameter matters */
  double *th = pinn_mlp_params(net);
  for (size_t l = 1; l < L; ++l) {
    size_t bo = pinn_mlp_bias_offset(net, l);
    for (size_t u = 0; u < sizes[l]; ++u) th[bo + u] = 0.3 * gsl_ran_gaussian_ziggurat(r, 1.0);
    size_t so = pinn_mlp_slope_offset(net, l);
    if (so != (size_t)-1) {
      size_t na = per_unit ? sizes[l] : 1;
      for (size_t u = 0; u < na; ++u) th[so + u] = 0.1 + 0.3 * gsl_rng_uniform(r);
    }
  }
  gsl_rng_free(r);
  return net;
}

static double *random_points(size_t n, size_t d, unsigned long seed)
{
  double *x = malloc(n * d * sizeof *x);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  for (size_t i = 0; i < n * d; ++i) x[i] = -1.0 + 2.0 * gsl_rng_uniform(r);
  gsl_rng_free(r);
  return x;
}

/* An input map used by the tests: boxes far from [-1, 1] (a time axis (0, 5],
 * a narrow interval, a shifted one). */
static const double map_lo[3] = {0.0, 0.1, -3.0}, map_hi[3] = {5.0, 0.3, -1.0};

/* x in [-1, 1]^3 to the points of the box of map_lo/map_hi. */
static void to_box(double *x, size_t n)
{
  for (size_t p = 0; p < n; ++p)
    for (size_t i = 0; i < 3; ++i)
      x[p * 3 + i] = map_lo[i] + 0.5 * (x[p * 3 + i] + 1.0) * (map_hi[i] - map_lo[i]);
}

/* ------------------------------------------------------- jet spec basics */

static void jet_spec_channels_are_numbered_value_first_then_pairs(void)
{
  pinn_jet_spec s = pinn_jet_spec_value();
  CU_ASSERT_EQUAL(pinn_jet_spec_channels(&s), 1);
  CU_ASSERT_EQUAL(pinn_jet_spec_add_pair(&s, 1, 0), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_jet_spec_add_first(&s, 2), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_jet_spec_add_pair(&s, 0, 0), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_jet_spec_add_pair(&s, 0, 1), PINN_SUCCESS); /* duplicate */
  CU_ASSERT_EQUAL(pinn_jet_spec_channels(&s), 6);
  CU_ASSERT_EQUAL(pinn_jet_spec_first_channel(&s, 0), 1);
  CU_ASSERT_EQUAL(pinn_jet_spec_first_channel(&s, 1), 2);
  CU_ASSERT_EQUAL(pinn_jet_spec_first_channel(&s, 2), 3);
  CU_ASSERT_EQUAL(pinn_jet_spec_first_channel(&s, 3), -1);
  CU_ASSERT_EQUAL(pinn_jet_spec_pair_channel(&s, 1, 0), 4);
  CU_ASSERT_EQUAL(pinn_jet_spec_pair_channel(&s, 0, 1), 4);
  CU_ASSERT_EQUAL(pinn_jet_spec_pair_channel(&s, 0, 0), 5);
  CU_ASSERT_EQUAL(pinn_jet_spec_pair_channel(&s, 2, 2), -1);
  CU_ASSERT_TRUE(pinn_jet_spec_has_second(&s));
  CU_ASSERT_EQUAL(pinn_jet_spec_add_first(&s, PINN_MAX_INPUTS), PINN_EINVAL);
}

/* --------------------------------------------- hand-computed tiny network */

static void tiny_tanh_network_jets_match_hand_computed_values(void)
{
  const size_t sizes[] = {1, 1, 1};
  pinn_activation act = {PINN_ACT_TANH, 0};
  pinn_mlp_layout lay = {3, sizes, &act, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_n_params(net), 4);
  double *th = pinn_mlp_params(net);
  const double w1 = 0.7, b1 = -0.2, w2 = 1.3, b2 = 0.4;
  th[0] = w1; th[1] = b1; th[2] = w2; th[3] = b2;
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_pair(&s, 0, 0);
  double x[3] = {-0.9, 0.1, 0.5}, jets[9];
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(net, &s, 3, x, jets), PINN_SUCCESS);
  for (int p = 0; p < 3; ++p) {
    double t = tanh(w1 * x[p] + b1), sp = 1 - t * t;
    double u = w2 * t + b2, ux = w2 * w1 * sp, uxx = w2 * w1 * w1 * (-2 * t * sp);
    CU_ASSERT_DOUBLE_EQUAL(jets[3 * p + 0], u, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(jets[3 * p + 1], ux, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(jets[3 * p + 2], uxx, 1e-15);
  }
  pinn_mlp_free(net);
}

/* ------------------------------------ input derivatives vs finite differences */

static const pinn_activation_kind smooth_kinds[] = {PINN_ACT_TANH, PINN_ACT_SIGMOID, PINN_ACT_GELU,
                                                   PINN_ACT_SOFTPLUS, PINN_ACT_SILU, PINN_ACT_SIN};
static const pinn_activation_kind all_kinds[] = {
    PINN_ACT_TANH, PINN_ACT_SIGMOID, PINN_ACT_GELU,       PINN_ACT_SOFTPLUS, PINN_ACT_SILU,
    PINN_ACT_SIN,  PINN_ACT_RELU,    PINN_ACT_LEAKY_RELU, PINN_ACT_PRELU,    PINN_ACT_IDENTITY};

static void input_derivatives_match_central_differences_for_smooth_activations(void)
{
  const size_t sizes[] = {3, 7, 6, 2};
  const size_t n = 37, d = 3, m = 2;
  pinn_jet_spec s = pinn_jet_spec_value();
  for (unsigned i = 0; i < d; ++i)
    for (unsigned j = i; j < d; ++j) pinn_jet_spec_add_pair(&s, i, j);
  const size_t C = pinn_jet_spec_channels(&s);
  CU_ASSERT_EQUAL(C, 10);
  double *x = random_points(n, d, 3);
  double *jets = malloc(n * m * C * sizeof *jets), *jp = malloc(n * m * C * sizeof *jp),
         *jm = malloc(n * m * C * sizeof *jm), *xs = malloc(n * d * sizeof *xs);
  for (size_t a = 0; a < sizeof smooth_kinds / sizeof *smooth_kinds; ++a) {
    pinn_activation act = pinn_activation_default(smooth_kinds[a]);
    pinn_mlp *net = make_net(4, sizes, act, 0, 11 + a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(net);
    CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(net, &s, n, x, jets), PINN_SUCCESS);
    double maxerr = 0, maxabs = 0;
    const double h = g_fd_h;
    for (unsigned i = 0; i < d; ++i) {
      memcpy(xs, x, n * d * sizeof *xs);
      for (size_t p = 0; p < n; ++p) xs[p * d + i] = x[p * d + i] + h;
      pinn_mlp_jets(net, &s, n, xs, jp);
      for (size_t p = 0; p < n; ++p) xs[p * d + i] = x[p * d + i] - h;
      pinn_mlp_jets(net, &s, n, xs, jm);
      int ci = pinn_jet_spec_first_channel(&s, i);
      for (size_t p = 0; p < n; ++p)
        for (size_t k = 0; k < m; ++k) {
          const size_t o = (p * m + k) * C;
          /* first derivative from the value channel */
          double fd = (jp[o] - jm[o]) / (2 * h);
          double e = fabs(fd - jets[o + ci]) / fmax(1.0, fabs(fd));
          if (e > maxerr) maxerr = e;
          if (fabs(jets[o + ci]) > maxabs) maxabs = fabs(jets[o + ci]);
          /* second derivatives from the first-derivative channels */
          for (unsigned j = 0; j < d; ++j) {
            int cj = pinn_jet_spec_first_channel(&s, j), cij = pinn_jet_spec_pair_channel(&s, i, j);
            double fd2 = (jp[o + cj] - jm[o + cj]) / (2 * h);
            double e2 = fabs(fd2 - jets[o + cij]) / fmax(1.0, fabs(fd2));
            if (e2 > maxerr) maxerr = e2;
            if (fabs(jets[o + cij]) > maxabs) maxabs = fabs(jets[o + cij]);
          }
        }
    }
    if (maxerr > 1e-8 || getenv("PINN_TEST_VERBOSE"))
      printf("\n  %s: max error %.3g\n", pinn_activation_name(act.kind), maxerr);
    CU_ASSERT(maxerr < 1e-8);
    CU_ASSERT(maxabs > 1e-3); /* the derivatives checked are not all zero */
    pinn_mlp_free(net);
  }
  free(x); free(jets); free(jp); free(jm); free(xs);
}

/* ------------------------------------------ adjoint vs finite differences */

/* Loss: the Burgers residual mean((u_t + u u_x - nu u_xx)^2) on output 0
 * plus a quadratic form of every jet entry of every output, so every
 * channel is seeded. */
typedef struct {
  size_t m, C;
  int cx, ct, cxx;
  double nu;
  const double *wq; /* m*C weights */
} seed_ctx;

static int seed_fn(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                   void *vctx)
{
  (void)p0;
  const seed_ctx *c = vctx;
  for (size_t q = 0; q < nb; ++q) {
    double u = J[0 * ld + q], ux = J[c->cx * ld + q], ut = J[c->ct * ld + q],
           uxx = J[c->cxx * ld + q];
    double r = ut + u * ux - c->nu * uxx;
    acc[0] += r * r;
    Jb[0 * ld + q] += 2 * r * ux;
    Jb[c->cx * ld + q] += 2 * r * u;
    Jb[c->ct * ld + q] += 2 * r;
    Jb[c->cxx * ld + q] += -2 * r * c->nu;
    for (size_t k = 0; k < c->m; ++k)
      for (size_t ch = 0; ch < c->C; ++ch) {
        double w = c->wq[k * c->C + ch], v = J[(k * c->C + ch) * ld + q];
        acc[1] += 0.5 * w * v * v;
        Jb[(k * c->C + ch) * ld + q] += w * v;
      }
  }
  return 0;
}

static double loss_of(pinn_mlp *net, const pinn_jet_spec *s, size_t n, const double *x,
                      seed_ctx *c, double *grad)
{
  double acc[2];
  int st = pinn_mlp_loss_grad(net, s, n, x, seed_fn, c, 2, acc, grad);
  CU_ASSERT_EQUAL(st, PINN_SUCCESS);
  return acc[0] + acc[1];
}

static void check_gradient_mapped(pinn_activation act, int per_unit, int all_pairs, int mapped)
{
  const size_t sizes[] = {3, 6, 5, 2};
  const size_t n = 45, d = 3, m = 2;
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&s, 2); /* t */
  pinn_jet_spec_add_pair(&s, 0, 0);
  if (all_pairs) {
    pinn_jet_spec_add_pair(&s, 0, 2);
    pinn_jet_spec_add_pair(&s, 1, 1);
  }
  const size_t C = pinn_jet_spec_channels(&s);
  double wq[64];
  for (size_t i = 0; i < m * C; ++i) wq[i] = 0.2 + 0.1 * (double)(i % 7);
  seed_ctx c = {m, C, pinn_jet_spec_first_channel(&s, 0), pinn_jet_spec_first_channel(&s, 2),
                pinn_jet_spec_pair_channel(&s, 0, 0), 0.01 / M_PI, wq};
  double *x = random_points(n, d, 5);
  pinn_mlp *net = make_net(4, sizes, act, per_unit, 17);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  if (mapped) {
    to_box(x, n);
    CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, map_lo, map_hi), PINN_SUCCESS);
  }
  const size_t P = pinn_mlp_n_params(net);
  double *g = calloc(P, sizeof *g);
  loss_of(net, &s, n, x, &c, g);
  double *th = pinn_mlp_params(net);
  double num = 0, den = 0, gmax = 0, worst = 0;
  for (size_t j = 0; j < P; ++j) {
    const double t0 = th[j], h = 1e-6 * fmax(1.0, fabs(t0));
    th[j] = t0 + h;
    double fp = loss_of(net, &s, n, x, &c, NULL);
    th[j] = t0 - h;
    double fm = loss_of(net, &s, n, x, &c, NULL);
    th[j] = t0;
    double fd = (fp - fm) / (2 * h);
    num += (fd - g[j]) * (fd - g[j]);
    den += fd * fd;
    if (fabs(g[j]) > gmax) gmax = fabs(g[j]);
    double e = fabs(fd - g[j]) / fmax(fabs(fd), 1e-3);
    if (e > worst) worst = e;
  }
  double rel = sqrt(num / den);
  char name[64];
  if (rel > 1e-7 || worst > 1e-5 || getenv("PINN_TEST_VERBOSE"))
    printf("\n  %s%s%s: gradient rel. error %.3g (worst component %.3g)\n",
           pinn_activation_format(&act, name, sizeof name), per_unit ? " per unit" : "",
           mapped ? " mapped" : "", rel, worst);
  CU_ASSERT(rel <= 1e-7);
  /* the worst single component of a central difference: measured up to
   * 3.8e-6 (rounding of f differs between builds), so 4e-5 */
  CU_ASSERT(worst <= 4e-5);
  CU_ASSERT(gmax > 1e-3); /* not all zeros */
  if (act.kind == PINN_ACT_PRELU) {
    /* the slopes themselves got a gradient */
    size_t so = pinn_mlp_slope_offset(net, 1);
    CU_ASSERT(fabs(g[so]) > 1e-8);
  }
  free(g);
  free(x);
  pinn_mlp_free(net);
}

static void check_gradient(pinn_activation act, int per_unit, int all_pairs)
{
  check_gradient_mapped(act, per_unit, all_pairs, 0);
}

static void parameter_gradient_matches_central_differences_for_every_activation(void)
{
  for (size_t a = 0; a < sizeof all_kinds / sizeof *all_kinds; ++a) {
    pinn_activation act = pinn_activation_default(all_kinds[a]);
    check_gradient(act, 0, 0);
    check_gradient(act, 0, 1);
  }
}

static void prelu_slopes_per_unit_get_exact_gradients(void)
{
  check_gradient(pinn_activation_default(PINN_ACT_PRELU), 1, 1);
}

static void jets_adjoint_is_the_transpose_of_the_jets(void)
{
  /* <jets_bar, d jets/d theta . v> = <adjoint(jets_bar), v>, checked with a
   * directional central difference. */
  const size_t sizes[] = {2, 8, 8, 1};
  const size_t n = 33;
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_pair(&s, 0, 1);
  pinn_jet_spec_add_pair(&s, 1, 1);
  const size_t C = pinn_jet_spec_channels(&s);
  pinn_mlp *net = make_net(4, sizes, pinn_activation_default(PINN_ACT_GELU), 0, 3);
  const size_t P = pinn_mlp_n_params(net);
  double *x = random_points(n, 2, 9), *jb = random_points(n, C, 10), *v = random_points(P, 1, 11);
  double *g = calloc(P, sizeof *g), *jp = malloc(n * C * sizeof *jp), *jm = malloc(n * C * sizeof *jm);
  CU_ASSERT_EQUAL(pinn_mlp_jets_adjoint(net, &s, n, x, jb, g), PINN_SUCCESS);
  double *th = pinn_mlp_params(net), h = 1e-6;
  for (size_t j = 0; j < P; ++j) th[j] += h * v[j];
  pinn_mlp_jets(net, &s, n, x, jp);
  for (size_t j = 0; j < P; ++j) th[j] -= 2 * h * v[j];
  pinn_mlp_jets(net, &s, n, x, jm);
  double lhs = 0, rhs = 0;
  for (size_t i = 0; i < n * C; ++i) lhs += jb[i] * (jp[i] - jm[i]) / (2 * h);
  for (size_t j = 0; j < P; ++j) rhs += g[j] * v[j];
  CU_ASSERT(fabs(rhs) > 1e-3);
  CU_ASSERT(pinn_test_reldiff(lhs, rhs, 1e-12) < 1e-8);
  free(x); free(jb); free(v); free(g); free(jp); free(jm);
  pinn_mlp_free(net);
}

/* ------------------------------------------------- per-point Jacobian */

typedef struct {
  size_t m, C;
  long only;   /* only this point gets a seed (-1: all) */
  size_t row;  /* for the reduced pass: which row */
} row_ctx;

/* seed of row r at point p: sum over entries of w(r, k, c, p) J_kc */
static double row_weight(size_t r, size_t e, size_t p)
{
  return 0.3 + 0.1 * (double)((r * 7 + e * 3 + p) % 11) - 0.05 * (double)r;
}

static int rows_fn(size_t p0, size_t nb, size_t ld, const double *J, size_t row, double *Jb,
                   void *vctx)
{
  (void)J;
  const row_ctx *c = vctx;
  for (size_t q = 0; q < nb; ++q)
    for (size_t e = 0; e < c->m * c->C; ++e) Jb[e * ld + q] = row_weight(row, e, p0 + q);
  return 0;
}

static int one_point_seed(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                          void *vctx)
{
  (void)J; (void)acc;
  const row_ctx *c = vctx;
  for (size_t q = 0; q < nb; ++q)
    if ((long)(p0 + q) == c->only)
      for (size_t e = 0; e < c->m * c->C; ++e) Jb[e * ld + q] = row_weight(c->row, e, p0 + q);
  return 0;
}

static void jacobian_rows_equal_single_point_gradients(void)
{
  const size_t sizes[] = {3, 7, 6, 2};
  const size_t n = 45, d = 3, m = 2, R = 2;
  for (int per_unit = 0; per_unit < 2; ++per_unit) {
    pinn_activation act = pinn_activation_default(per_unit ? PINN_ACT_PRELU : PINN_ACT_SILU);
    pinn_mlp *net = make_net(4, sizes, act, per_unit, 23);
    if (per_unit) pinn_mlp_set_input_map(net, map_lo, map_hi); /* the map's row entries too */
    pinn_jet_spec s = pinn_jet_spec_value();
    pinn_jet_spec_add_first(&s, 2);
    pinn_jet_spec_add_pair(&s, 0, 0);
    pinn_jet_spec_add_pair(&s, 0, 1);
    const size_t C = pinn_jet_spec_channels(&s), P = pinn_mlp_n_params(net), ld = P + 3;
    double *x = random_points(n, d, 31);
    double *J = malloc(n * R * ld * sizeof *J), *g = malloc(P * sizeof *g);
    row_ctx rc = {m, C, -1, 0};
    CU_ASSERT_EQUAL_FATAL(pinn_mlp_jacobian(net, &s, n, x, R, rows_fn, &rc, J, ld), PINN_SUCCESS);
    const size_t pts[] = {0, 17, 31, 32, 44};
    double worst = 0, gmax = 0;
    for (size_t ip = 0; ip < 5; ++ip)
      for (size_t r = 0; r < R; ++r) {
        row_ctx one = {m, C, (long)pts[ip], r};
        memset(g, 0, P * sizeof *g);
        pinn_mlp_loss_grad(net, &s, n, x, one_point_seed, &one, 0, NULL, g);
        const double *row = J + (pts[ip] * R + r) * ld;
        for (size_t j = 0; j < P; ++j) {
          worst = fmax(worst, fabs(row[j] - g[j]) / fmax(1e-8, fabs(g[j])));
          gmax = fmax(gmax, fabs(g[j]));
        }
      }
    CU_ASSERT(worst < 1e-12);
    CU_ASSERT(gmax > 1e-3);
    free(x); free(J); free(g);
    pinn_mlp_free(net);
  }
}


/* ------------------------------------------------------------ input map */

/* The map x' = (x - c) s in front of W1 is the network whose first layer is
 * W1 diag(s), b1 - W1 diag(s) c: jets of every order agree to rounding. */
static void input_map_is_the_folded_first_layer_in_every_jet_channel(void)
{
  const size_t sizes[] = {3, 7, 6, 2};
  const size_t n = 45, d = 3, m = 2;
  pinn_jet_spec s = pinn_jet_spec_value();
  for (unsigned i = 0; i < d; ++i)
    for (unsigned j = i; j < d; ++j) pinn_jet_spec_add_pair(&s, i, j);
  const size_t C = pinn_jet_spec_channels(&s);
  double *x = random_points(n, d, 41);
  to_box(x, n);
  double *ja = malloc(n * m * C * sizeof *ja), *jb = malloc(n * m * C * sizeof *jb);
  pinn_mlp *a = make_net(4, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 43);
  pinn_error err;
  pinn_mlp *b = pinn_mlp_clone(a, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL(pinn_mlp_input_map(a, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(a, map_lo, map_hi), PINN_SUCCESS);
  double lo[3], hi[3];
  CU_ASSERT_EQUAL(pinn_mlp_input_map(a, lo, hi), 1);
  CU_ASSERT(memcmp(lo, map_lo, sizeof lo) == 0 && memcmp(hi, map_hi, sizeof hi) == 0);
  double *W = pinn_mlp_params(b) + pinn_mlp_weight_offset(b, 1);
  double *bias = pinn_mlp_params(b) + pinn_mlp_bias_offset(b, 1);
  for (size_t o = 0; o < sizes[1]; ++o)
    for (size_t i = 0; i < d; ++i) {
      const double c = 0.5 * (map_lo[i] + map_hi[i]), sc = 2.0 / (map_hi[i] - map_lo[i]);
      W[o * d + i] *= sc;
      bias[o] -= W[o * d + i] * c;
    }
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(a, &s, n, x, ja), PINN_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(b, &s, n, x, jb), PINN_SUCCESS);
  double worst = 0, big = 0;
  for (size_t e = 0; e < n * m * C; ++e) {
    worst = fmax(worst, fabs(ja[e] - jb[e]) / fmax(1.0, fabs(jb[e])));
    big = fmax(big, fabs(jb[e]));
  }
  CU_ASSERT(worst < 1e-12);
  CU_ASSERT(big > 1.0); /* the scales (up to 10 on the narrow input) reach the derivatives */
  /* a clone keeps the map; removing it gives back the plain network bitwise */
  pinn_mlp *c = pinn_mlp_clone(a, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(c, &s, n, x, jb), PINN_SUCCESS);
  CU_ASSERT(memcmp(ja, jb, n * m * C * sizeof *ja) == 0);
  pinn_mlp *plain = make_net(4, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 43);
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(c, NULL, NULL), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_mlp_input_map(c, NULL, NULL), 0);
  pinn_mlp_jets(c, &s, n, x, ja);
  pinn_mlp_jets(plain, &s, n, x, jb);
  CU_ASSERT(memcmp(ja, jb, n * m * C * sizeof *ja) == 0);
  /* preactivations see the mapped inputs too */
  double za[7], zb[7];
  CU_ASSERT_EQUAL(pinn_mlp_preactivations(a, 1, 1, x, za), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_mlp_preactivations(b, 1, 1, x, zb), PINN_SUCCESS);
  for (size_t o = 0; o < 7; ++o) CU_ASSERT_DOUBLE_EQUAL(za[o], zb[o], 1e-12 * fmax(1.0, fabs(zb[o])));
  /* bad boxes are refused and leave the map as it was */
  const double bad_hi[3] = {5.0, 0.1, -1.0}, nan_lo[3] = {0.0, NAN, -3.0};
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(a, map_lo, bad_hi), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_mlp_errmsg(a), "input 1"));
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(a, nan_lo, map_hi), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(a, map_lo, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_mlp_input_map(a, lo, hi), 1);
  CU_ASSERT_EQUAL(hi[1], map_hi[1]);
  free(x); free(ja); free(jb);
  pinn_mlp_free(a); pinn_mlp_free(b); pinn_mlp_free(c); pinn_mlp_free(plain);
}

static void input_map_gradient_matches_central_differences(void)
{
  check_gradient_mapped(pinn_activation_default(PINN_ACT_TANH), 0, 1, 1);
  check_gradient_mapped(pinn_activation_default(PINN_ACT_SIN), 0, 1, 1);
  check_gradient_mapped(pinn_activation_default(PINN_ACT_PRELU), 1, 0, 1);
}

/* ------------------------------------------------------ initialisation */

static double layer_weight_variance(pinn_mlp *net, size_t l)
{
  const double *th = pinn_mlp_params(net);
  size_t n = pinn_mlp_layer_size(net, l) * pinn_mlp_layer_size(net, l - 1);
  return gsl_stats_variance_m(th + pinn_mlp_weight_offset(net, l), 1, n, 0.0);
}

static void initialisations_draw_the_documented_variances(void)
{
  const size_t sizes[] = {2, 300, 200, 1};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  struct { pinn_activation_kind k; double param; pinn_init_kind init; double var2; } cases[] = {
      {PINN_ACT_RELU, 0, PINN_INIT_HE, 2.0 / 300},
      {PINN_ACT_RELU, 0, PINN_INIT_VARIANCE, 2.0 / 300},            /* He: (1 + 0^2)/2 */
      {PINN_ACT_LEAKY_RELU, 0.2, PINN_INIT_VARIANCE, 2.0 / (300 * 1.04)},
      {PINN_ACT_TANH, 0, PINN_INIT_XAVIER, 2.0 / 500},
      {PINN_ACT_TANH, 0, PINN_INIT_LECUN, 1.0 / 300},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
    pinn_activation act = {cases[i].k, cases[i].param};
    pinn_activation acts[2] = {act, act};
    pinn_mlp_layout lay = {4, sizes, acts, 0, NULL};
    pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
    gsl_rng_set(r, 100 + i);
    CU_ASSERT_EQUAL_FATAL(pinn_mlp_init(net, cases[i].init, r), PINN_SUCCESS);
    double v = layer_weight_variance(net, 2); /* 60000 draws: 0.6% std. error */
    CU_ASSERT(fabs(v / cases[i].var2 - 1) < 0.03);
    const double *th = pinn_mlp_params(net);
    CU_ASSERT_EQUAL(th[pinn_mlp_bias_offset(net, 1)], 0.0);
    pinn_mlp_free(net);
  }
  gsl_rng_free(r);
}

static void variance_init_with_a_huge_prelu_slope_fails_with_a_message(void)
{
  const size_t sizes[] = {2, 8, 8, 1};
  pinn_activation acts[2] = {{PINN_ACT_PRELU, 1e155}, {PINN_ACT_PRELU, 1e155}};
  pinn_mlp_layout lay = {4, sizes, acts, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  CU_ASSERT_EQUAL(pinn_mlp_init(net, PINN_INIT_VARIANCE, r), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_mlp_errmsg(net), "variance initialisation"));
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_mlp_errmsg(net), "prelu:1e+155"));
  gsl_rng_free(r);
  pinn_mlp_free(net);
}

static void same_seed_gives_same_parameters(void)
{
  const size_t sizes[] = {2, 20, 20, 1};
  pinn_mlp *a = make_net(4, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 42);
  pinn_mlp *b = make_net(4, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 42);
  pinn_mlp *c = make_net(4, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 43);
  size_t P = pinn_mlp_n_params(a);
  CU_ASSERT_EQUAL(memcmp(pinn_mlp_params(a), pinn_mlp_params(b), P * sizeof(double)), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(pinn_mlp_params(a), pinn_mlp_params(c), P * sizeof(double)), 0);
  pinn_mlp *d = pinn_mlp_clone(a, NULL);
  CU_ASSERT_EQUAL(memcmp(pinn_mlp_params(a), pinn_mlp_params(d), P * sizeof(double)), 0);
  gsl_vector_view v = pinn_mlp_params_view(a);
  CU_ASSERT_PTR_EQUAL(v.vector.data, pinn_mlp_params(a));
  CU_ASSERT_EQUAL(v.vector.size, P);
  pinn_mlp_free(a); pinn_mlp_free(b); pinn_mlp_free(c); pinn_mlp_free(d);
}

/* ---------------------------------------------------------- determinism */

static void one_and_two_threads_give_bitwise_identical_results(void)
{
#ifdef _OPENMP
  const size_t sizes[] = {2, 20, 20, 20, 1};
  const size_t n = 5000;
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&s, 1);
  pinn_jet_spec_add_pair(&s, 0, 0);
  const size_t C = pinn_jet_spec_channels(&s);
  double wq[8] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
  seed_ctx c = {1, C, 1, 2, 3, 0.003, wq};
  pinn_mlp *net = make_net(5, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 7);
  double *x = random_points(n, 2, 8);
  const size_t P = pinn_mlp_n_params(net);
  double *g1 = calloc(P, sizeof *g1), *g2 = calloc(P, sizeof *g2), a1[2], a2[2];
  pinn_mlp_set_threads(net, 1);
  CU_ASSERT_EQUAL(pinn_mlp_loss_grad(net, &s, n, x, seed_fn, &c, 2, a1, g1), PINN_SUCCESS);
  pinn_mlp_set_threads(net, 2);
  CU_ASSERT_EQUAL(pinn_mlp_loss_grad(net, &s, n, x, seed_fn, &c, 2, a2, g2), PINN_SUCCESS);
  CU_ASSERT_EQUAL(memcmp(a1, a2, sizeof a1), 0);
  CU_ASSERT_EQUAL(memcmp(g1, g2, P * sizeof *g1), 0);
  CU_ASSERT(a1[0] > 0);
  free(g1); free(g2); free(x);
  pinn_mlp_free(net);
#else
  CU_FAIL("built without OpenMP");
#endif
}

/* The seed of a pass that records the size of the team running it. */
static int team_seed(size_t p0, size_t nb, size_t ld, const double *jets, double *jets_bar,
                     double *acc, void *ctx)
{
  (void)p0, (void)nb, (void)ld, (void)jets, (void)jets_bar, (void)acc;
#ifdef _OPENMP
  int *team = ctx;
#pragma omp atomic write
  *team = omp_get_num_threads();
#endif
  return 0;
}

/* A network's passes run on its own thread count (0: OpenMP's default at the
 * call); the process's setting is not touched; a clone keeps the count. */
static void the_thread_count_belongs_to_the_network(void)
{
#ifdef _OPENMP
  const size_t sizes[] = {1, 8, 1};
  pinn_mlp *net = make_net(3, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 7);
  double *x = random_points(1000, 1, 8); /* 32 blocks: the pass runs in parallel */
  pinn_jet_spec s = pinn_jet_spec_value();
  const int max = omp_get_max_threads();
  CU_ASSERT_EQUAL(pinn_mlp_threads(net), 0);
  for (int n = 0; n <= 3; ++n) {
    CU_ASSERT_EQUAL(pinn_mlp_set_threads(net, n), PINN_SUCCESS);
    int team = -1;
    double acc;
    CU_ASSERT_EQUAL(pinn_mlp_loss_grad(net, &s, 1000, x, team_seed, &team, 1, &acc, NULL), 0);
    CU_ASSERT_EQUAL(team, n ? n : max);
    CU_ASSERT_EQUAL(omp_get_max_threads(), max);
  }
  pinn_mlp *c = pinn_mlp_clone(net, NULL);
  CU_ASSERT_EQUAL(pinn_mlp_threads(c), 3);
  CU_ASSERT_EQUAL(pinn_mlp_set_threads(net, -1), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_mlp_errmsg(net), "threads must be 0"));
  CU_ASSERT_EQUAL(pinn_mlp_set_threads(net, PINN_MAX_THREADS + 1), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_mlp_threads(net), 3);
  CU_ASSERT_EQUAL(pinn_mlp_set_threads(NULL, 1), PINN_EINVAL);
  pinn_mlp_free(c);
  pinn_mlp_free(net);
  free(x);
#else
  CU_FAIL("built without OpenMP");
#endif
}

/* ------------------------------------------------------- queries, errors */

static void piecewise_linear_networks_are_recognised(void)
{
  const size_t sizes[] = {2, 4, 4, 1};
  pinn_activation relu = pinn_activation_default(PINN_ACT_RELU);
  pinn_activation mixed[2] = {relu, pinn_activation_default(PINN_ACT_TANH)};
  pinn_activation pl[2] = {relu, pinn_activation_default(PINN_ACT_PRELU)};
  pinn_mlp_layout a = {4, sizes, mixed, 0, NULL}, b = {4, sizes, pl, 0, NULL};
  pinn_mlp *na = pinn_mlp_alloc(&a, NULL), *nb = pinn_mlp_alloc(&b, NULL);
  CU_ASSERT_FALSE(pinn_mlp_is_piecewise_linear(na));
  CU_ASSERT_TRUE(pinn_mlp_is_piecewise_linear(nb));
  /* and indeed: u_xx of the piecewise-linear net is exactly zero */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  pinn_mlp_init(nb, PINN_INIT_HE, r);
  gsl_rng_free(r);
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_pair(&s, 0, 0);
  double *x = random_points(10, 2, 1), jets[30];
  pinn_mlp_jets(nb, &s, 10, x, jets);
  for (int p = 0; p < 10; ++p) CU_ASSERT_EQUAL(jets[3 * p + 2], 0.0);
  free(x);
  pinn_mlp_free(na);
  pinn_mlp_free(nb);
}

static int failing_seed(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                        void *ctx)
{
  (void)nb; (void)ld; (void)J; (void)Jb; (void)acc; (void)ctx;
  return p0 >= 64 ? 7 : 0;
}

static void bad_layouts_and_failing_callbacks_give_clear_errors(void)
{
  pinn_error err;
  size_t bad1[] = {0, 4, 1};
  pinn_mlp_layout l1 = {3, bad1, NULL, 0, NULL};
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&l1, &err));
  CU_ASSERT_EQUAL(err.code, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "input layer"));
  size_t ok[] = {2, 4, 1};
  pinn_mlp_layout l2 = {1, ok, NULL, 0, NULL};
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&l2, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "layers"));
  pinn_mlp_layout l3 = {3, ok, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&l3, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_activation(net, 1).kind, PINN_ACT_TANH);
  double *x = random_points(100, 2, 2), acc;
  pinn_jet_spec s = pinn_jet_spec_value();
  int st = pinn_mlp_loss_grad(net, &s, 100, x, failing_seed, NULL, 1, &acc, NULL);
  CU_ASSERT_EQUAL(st, PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_mlp_errmsg(net), "callback"));
  pinn_jet_spec_add_first(&s, 5);
  st = pinn_mlp_loss_grad(net, &s, 100, x, failing_seed, NULL, 1, &acc, NULL);
  CU_ASSERT_EQUAL(st, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_mlp_errmsg(net), "input 5"));
  free(x);
  pinn_mlp_free(net);
  pinn_mlp_free(NULL);
}

/* --------------------------------------------------- periodic embedding */

/* x periodic with period 5 (2 harmonics), y as itself, t periodic with
 * period 4 (1 harmonic): 4 + 1 + 2 = 7 features.  Modest frequencies, so
 * that central differences (h = 1e-5) stay accurate to the checks' 1e-8. */
static const pinn_embedding periodic_xt = {.period = {5.0, 0.0, 4.0}, .harmonics = {2, 0, 1}};

static void periodic_embedding_jets_gradients_and_rows_are_exact(void)
{
  g_embed = &periodic_xt;
  input_derivatives_match_central_differences_for_smooth_activations();
  check_gradient_mapped(pinn_activation_default(PINN_ACT_TANH), 0, 1, 0);
  check_gradient_mapped(pinn_activation_default(PINN_ACT_TANH), 0, 1, 1); /* y mapped */
  check_gradient_mapped(pinn_activation_default(PINN_ACT_PRELU), 1, 1, 1);
  jacobian_rows_equal_single_point_gradients();
  g_embed = NULL;
}

/* Every output and derivative is periodic for any parameters; the first
 * layer has one column per feature; a clone keeps the embedding; bad
 * embeddings are refused (tests/test_taylor.c: the Taylor engine on it). */
static void periodic_embedding_is_exactly_periodic_and_refuses_what_it_cannot(void)
{
  const size_t sizes[] = {3, 8, 5, 2};
  g_embed = &periodic_xt;
  pinn_mlp *net = make_net(4, sizes, pinn_activation_default(PINN_ACT_SIN), 0, 41);
  g_embed = NULL;
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_n_in(net), 3);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(net, 0), 7);
  CU_ASSERT_EQUAL(pinn_mlp_n_params(net), 8 * 7 + 8 + 5 * 8 + 5 + 2 * 5 + 2);
  pinn_embedding e;
  CU_ASSERT_EQUAL(pinn_mlp_embedding(net, &e), 1);
  CU_ASSERT(e.period[0] == 5.0 && e.harmonics[0] == 2 && e.period[1] == 0 && e.harmonics[2] == 1);
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(net, map_lo, map_hi), 0);
  pinn_jet_spec s = pinn_jet_spec_value();
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = i; j < 3; ++j) pinn_jet_spec_add_pair(&s, i, j);
  const size_t C = pinn_jet_spec_channels(&s), n = 40;
  double *x = random_points(n, 3, 43), *xs = malloc(n * 3 * sizeof *xs);
  double *j0 = malloc(n * 2 * C * sizeof *j0), *j1 = malloc(n * 2 * C * sizeof *j1);
  CU_ASSERT_EQUAL(pinn_mlp_jets(net, &s, n, x, j0), 0);
  for (size_t p = 0; p < n; ++p) {
    xs[p * 3] = x[p * 3] + 5.0 * (double)(p % 3 + 1); /* whole periods in x and t */
    xs[p * 3 + 1] = x[p * 3 + 1];
    xs[p * 3 + 2] = x[p * 3 + 2] - 4.0;
  }
  CU_ASSERT_EQUAL(pinn_mlp_jets(net, &s, n, xs, j1), 0);
  double worst = 0, big = 0;
  for (size_t i = 0; i < n * 2 * C; ++i) {
    worst = fmax(worst, fabs(j0[i] - j1[i]));
    big = fmax(big, fabs(j0[i]));
  }
  CU_ASSERT(worst <= 1e-12 * big);
  CU_ASSERT(big > 1e-2);
  /* and y is not periodic */
  for (size_t p = 0; p < n; ++p) xs[p * 3 + 1] += 0.1;
  pinn_mlp_jets(net, &s, n, xs, j1);
  CU_ASSERT(fabs(j0[0] - j1[0]) > 1e-6);
  /* a clone computes the same jets, bitwise */
  pinn_error err;
  pinn_mlp *c = pinn_mlp_clone(net, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(pinn_mlp_jets(c, &s, n, x, j1), 0);
  CU_ASSERT_EQUAL(memcmp(j0, j1, n * 2 * C * sizeof *j0), 0);
  pinn_mlp_free(c);
  /* bad embeddings */
  pinn_embedding bad = periodic_xt;
  bad.harmonics[0] = 0;
  pinn_mlp_layout lay = {4, sizes, NULL, 0, &bad};
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&lay, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "input 0 has period 5 and 0 harmonics"));
  bad = periodic_xt;
  bad.period[2] = -1.0;
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&lay, &err));
  bad.period[2] = NAN;
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&lay, &err));
  /* an embedding with no periodic input is no embedding */
  pinn_embedding none = {.period = {0}};
  lay.embed = &none;
  pinn_mlp *plain = pinn_mlp_alloc(&lay, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
  CU_ASSERT_EQUAL(pinn_mlp_embedding(plain, NULL), 0);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(plain, 0), 3);
  pinn_mlp_free(plain);
  free(x); free(xs); free(j0); free(j1);
  pinn_mlp_free(net);
}

/* ------------------------------------------------------ Fourier features */

/* x periodic (period 5, 1 harmonic), y as itself, t with 1 fixed
 * frequency, and 3 random features on (y, t) with a B set by hand (finite,
 * 0 in x's column: what pinn_mlp_alloc checks) whose y column is small, so
 * that through the test map (y scaled by 10) the frequencies stay modest for
 * the central differences: 2 + 1 + 3 + 6 = 12 features. */
static pinn_embedding fourier_mix;

static void make_fourier_mix(void)
{
  memset(&fourier_mix, 0, sizeof fourier_mix);
  fourier_mix.period[0] = 5.0;
  fourier_mix.harmonics[0] = 1;
  const pinn_fourier f = {.m = 3, .sigma = 0.3, .seed = 7, .axis = {0, 0, 1}};
  fourier_mix.fourier = f;
  static const double Bh[3][3] = {{0.0, 0.02, 0.3}, {0.0, -0.025, 0.1}, {0.0, 0.01, -0.3}};
  for (size_t r = 0; r < 3; ++r)
    for (size_t i = 0; i < 3; ++i) fourier_mix.fourier_B[r][i] = Bh[r][i];
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_embedding_check(&fourier_mix, 3, &err), PINN_SUCCESS);
}

static void fourier_features_jets_gradients_and_rows_are_exact(void)
{
  make_fourier_mix();
  g_embed = &fourier_mix;
  g_fd_h = 4e-6;
  input_derivatives_match_central_differences_for_smooth_activations();
  g_fd_h = 1e-5;
  check_gradient_mapped(pinn_activation_default(PINN_ACT_TANH), 0, 1, 0);
  check_gradient_mapped(pinn_activation_default(PINN_ACT_TANH), 0, 1, 1); /* y mapped */
  check_gradient_mapped(pinn_activation_default(PINN_ACT_PRELU), 1, 1, 1);
  jacobian_rows_equal_single_point_gradients();
  g_embed = NULL;
}

/* A network with no hidden layer, u = W f(x) + b, picks one feature: the
 * columns are z, cos(pi z), sin(pi z), cos(2 pi z), sin(2 pi z), then the
 * random pair cos(2 pi b z), sin(2 pi b z), with z = (x - 2) / 2 (the map of
 * [0, 4]); value, u_x and u_xx against their closed forms. */
static void fourier_features_are_the_documented_functions(void)
{
  pinn_embedding e;
  memset(&e, 0, sizeof e);
  const pinn_fourier f = {.m = 1, .sigma = 1.0, .seed = 3, .axis = {2}};
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_embedding_set_fourier(&e, 1, &f, &err), PINN_SUCCESS);
  const double b = e.fourier_B[0][0];
  CU_ASSERT(b != 0.0 && isfinite(b));
  const size_t sizes[] = {1, 1};
  pinn_mlp_layout lay = {2, sizes, NULL, 0, &e};
  pinn_mlp *net = pinn_mlp_alloc(&lay, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(net, 0), 7);
  const double lo = 0.0, hi = 4.0;
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, &lo, &hi), PINN_SUCCESS);
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_pair(&s, 0, 0);
  const double xs[3] = {0.3, 1.7, 3.9};
  const double w[4] = {M_PI, 2.0 * M_PI, 2.0 * M_PI * b}; /* d phase / d z of the pairs */
  double worst = 0.0;
  for (size_t col = 0; col < 7; ++col) {
    double *th = pinn_mlp_params(net);
    for (size_t k = 0; k < 7; ++k) th[k] = k == col ? 1.0 : 0.0;
    th[7] = 0.25; /* the bias */
    double jets[9];
    CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(net, &s, 3, xs, jets), PINN_SUCCESS);
    for (size_t p = 0; p < 3; ++p) {
      const double z = (xs[p] - 2.0) / 2.0;
      double v, d1, d2;
      if (col == 0) {
        v = z, d1 = 0.5, d2 = 0.0;
      } else {
        const double om = w[(col - 1) / 2], ph = om * z;
        const int is_sin = col % 2 == 0;
        v = is_sin ? sin(ph) : cos(ph);
        d1 = 0.5 * om * (is_sin ? cos(ph) : -sin(ph));
        d2 = -0.25 * om * om * v;
      }
      worst = fmax(worst, fabs(jets[p * 3] - (v + 0.25)));
      worst = fmax(worst, fabs(jets[p * 3 + 1] - d1));
      worst = fmax(worst, fabs(jets[p * 3 + 2] - d2) / (1.0 + fabs(d2)));
    }
  }
  if (worst > 1e-13 || getenv("PINN_TEST_VERBOSE"))
    printf("\n  Fourier features: worst error %g\n", worst);
  CU_ASSERT(worst <= 1e-13);
  pinn_mlp_free(net);
}

/* B is drawn from the seed as documented (N(0, sigma^2), 0 in a periodic
 * input's column, the same for the same seed); the network keeps it
 * (clone, pinn_mlp_embedding), stays periodic in a periodic input, and bad
 * settings are refused with the reason. */
static void fourier_features_draw_b_from_the_seed_and_refuse_what_they_cannot(void)
{
  make_fourier_mix();
  pinn_embedding *big = malloc(sizeof *big), *again = malloc(sizeof *again);
  memset(big, 0, sizeof *big);
  big->period[2] = 1.0;
  big->harmonics[2] = 2;
  pinn_fourier f = {.m = PINN_MAX_FOURIER, .sigma = 2.5, .seed = 11};
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_embedding_set_fourier(big, 3, &f, &err), PINN_SUCCESS);
  *again = *big;
  CU_ASSERT_EQUAL(pinn_embedding_set_fourier(again, 3, &f, &err), PINN_SUCCESS);
  CU_ASSERT(pinn_embedding_equal(big, again, 3));
  f.seed = 12;
  CU_ASSERT_EQUAL(pinn_embedding_set_fourier(again, 3, &f, &err), PINN_SUCCESS);
  CU_ASSERT(!pinn_embedding_equal(big, again, 3));
  double sum = 0.0, sum2 = 0.0, zeros = 0.0;
  for (size_t r = 0; r < PINN_MAX_FOURIER; ++r) {
    zeros += fabs(big->fourier_B[r][2]);
    for (size_t i = 0; i < 2; ++i) {
      sum += big->fourier_B[r][i];
      sum2 += big->fourier_B[r][i] * big->fourier_B[r][i];
    }
  }
  const double N = 2.0 * PINN_MAX_FOURIER, sd = sqrt(sum2 / N);
  /* 512 draws: the sample sd within 15% of sigma (its sd is ~3%), the mean
   * within 0.5 sigma / sqrt(N) * 5 */
  if (fabs(sd / 2.5 - 1.0) > 0.15 || fabs(sum / N) > 5 * 2.5 / sqrt(N) ||
      getenv("PINN_TEST_VERBOSE"))
    printf("\n  B: sd %g (sigma 2.5), mean %g\n", sd, sum / N);
  CU_ASSERT(fabs(sd / 2.5 - 1.0) <= 0.15);
  CU_ASSERT(fabs(sum / N) <= 5 * 2.5 / sqrt(N));
  CU_ASSERT_EQUAL(zeros, 0.0);

  /* the network: feature count, the embedding kept, periodic in x */
  const size_t sizes[] = {3, 8, 5, 2};
  g_embed = &fourier_mix;
  pinn_mlp *net = make_net(4, sizes, pinn_activation_default(PINN_ACT_TANH), 0, 51);
  g_embed = NULL;
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(net, 0), 12);
  CU_ASSERT_EQUAL(pinn_mlp_n_params(net), 8 * 12 + 8 + 5 * 8 + 5 + 2 * 5 + 2);
  CU_ASSERT_EQUAL(pinn_mlp_embedding(net, again), 1);
  CU_ASSERT(pinn_embedding_equal(again, &fourier_mix, 3));
  CU_ASSERT_EQUAL(fourier_mix.fourier_B[1][0], 0.0);
  CU_ASSERT_EQUAL(pinn_mlp_set_input_map(net, map_lo, map_hi), 0);
  pinn_jet_spec s = pinn_jet_spec_value();
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = i; j < 3; ++j) pinn_jet_spec_add_pair(&s, i, j);
  const size_t C = pinn_jet_spec_channels(&s), n = 40;
  double *x = random_points(n, 3, 53), *xs = malloc(n * 3 * sizeof *xs);
  to_box(x, n);
  double *j0 = malloc(n * 2 * C * sizeof *j0), *j1 = malloc(n * 2 * C * sizeof *j1);
  CU_ASSERT_EQUAL(pinn_mlp_jets(net, &s, n, x, j0), 0);
  memcpy(xs, x, n * 3 * sizeof *xs);
  for (size_t p = 0; p < n; ++p) xs[p * 3] += 5.0 * (double)(p % 3 + 1);
  CU_ASSERT_EQUAL(pinn_mlp_jets(net, &s, n, xs, j1), 0);
  double worst = 0, big_jet = 0;
  for (size_t i = 0; i < n * 2 * C; ++i) {
    worst = fmax(worst, fabs(j0[i] - j1[i]));
    big_jet = fmax(big_jet, fabs(j0[i]));
  }
  CU_ASSERT(worst <= 1e-12 * big_jet);
  CU_ASSERT(big_jet > 1e-2);
  pinn_mlp *c = pinn_mlp_clone(net, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(pinn_mlp_jets(c, &s, n, x, j1), 0);
  CU_ASSERT_EQUAL(memcmp(j0, j1, n * 2 * C * sizeof *j0), 0);
  pinn_mlp_free(c);
  /* pre-activations agree with the jets' path: the first layer's through a
   * one-hidden-layer view is checked by the value of a 2-layer network */
  double z1[8], z2[8];
  CU_ASSERT_EQUAL(pinn_mlp_preactivations(net, 1, 1, x, z1), 0);
  {
    const size_t s2[] = {3, 8};
    pinn_mlp_layout l2 = {2, s2, NULL, 0, &fourier_mix};
    pinn_mlp *lin = pinn_mlp_alloc(&l2, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lin);
    memcpy(pinn_mlp_params(lin), pinn_mlp_params(net), (8 * 12 + 8) * sizeof(double));
    pinn_mlp_set_input_map(lin, map_lo, map_hi);
    CU_ASSERT_EQUAL(pinn_mlp_eval(lin, 1, x, z2), 0);
    double dz = 0.0;
    for (int u = 0; u < 8; ++u) dz = fmax(dz, fabs(z1[u] - z2[u]));
    CU_ASSERT(dz <= 1e-14);
    pinn_mlp_free(lin);
  }

  /* refused: the reason in the message */
  struct {
    pinn_fourier f;
    const char *words;
  } bad[] = {
      {{.m = PINN_MAX_FOURIER + 1, .sigma = 1.0}, "random features; give 0 to 256"},
      {{.m = 4, .sigma = 0.0}, "sigma = 0"},
      {{.m = 4, .sigma = NAN}, "sigma = nan"},
      {{.axis = {0, 0, 1}}, "input 2 has 1 fixed frequencies"}, /* periodic in *big */
      {{.axis = {PINN_MAX_HARMONICS + 1}}, "give 0 to 16"},
      {{.axis = {0, 0, 0, 2}}, "only 3 inputs"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
    *again = *big;
    CU_ASSERT_EQUAL(pinn_embedding_set_fourier(again, 3, &bad[k].f, &err), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[k].words));
    if (!strstr(err.msg, bad[k].words)) printf("\n  case %zu: %s\n", k, err.msg);
    CU_ASSERT(pinn_embedding_equal(again, big, 3)); /* unchanged */
  }
  memset(again, 0, sizeof *again);
  again->period[0] = 2.0;
  again->harmonics[0] = 1;
  const pinn_fourier one = {.m = 2, .sigma = 1.0};
  CU_ASSERT_EQUAL(pinn_embedding_set_fourier(again, 1, &one, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "every input is"));
  /* a hand-made B: not finite, or not 0 in a periodic column */
  *again = fourier_mix;
  again->fourier_B[2][1] = INFINITY;
  pinn_mlp_layout lay = {4, sizes, NULL, 0, again};
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&lay, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "B[2][1] = inf"));
  *again = fourier_mix;
  again->fourier_B[0][0] = 0.5;
  CU_ASSERT_PTR_NULL(pinn_mlp_alloc(&lay, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "periodic input's column"));
  free(x); free(xs); free(j0); free(j1); free(big); free(again);
  pinn_mlp_free(net);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"periodic_embedding_jets_gradients_and_rows_are_exact",
       periodic_embedding_jets_gradients_and_rows_are_exact},
      {"periodic_embedding_is_exactly_periodic_and_refuses_what_it_cannot",
       periodic_embedding_is_exactly_periodic_and_refuses_what_it_cannot},
      {"fourier_features_jets_gradients_and_rows_are_exact",
       fourier_features_jets_gradients_and_rows_are_exact},
      {"fourier_features_are_the_documented_functions",
       fourier_features_are_the_documented_functions},
      {"fourier_features_draw_b_from_the_seed_and_refuse_what_they_cannot",
       fourier_features_draw_b_from_the_seed_and_refuse_what_they_cannot},
      {"jet_spec_channels_are_numbered_value_first_then_pairs",
       jet_spec_channels_are_numbered_value_first_then_pairs},
      {"tiny_tanh_network_jets_match_hand_computed_values",
       tiny_tanh_network_jets_match_hand_computed_values},
      {"input_derivatives_match_central_differences_for_smooth_activations",
       input_derivatives_match_central_differences_for_smooth_activations},
      {"parameter_gradient_matches_central_differences_for_every_activation",
       parameter_gradient_matches_central_differences_for_every_activation},
      {"prelu_slopes_per_unit_get_exact_gradients", prelu_slopes_per_unit_get_exact_gradients},
      {"jets_adjoint_is_the_transpose_of_the_jets", jets_adjoint_is_the_transpose_of_the_jets},
      {"jacobian_rows_equal_single_point_gradients", jacobian_rows_equal_single_point_gradients},
      {"input_map_is_the_folded_first_layer_in_every_jet_channel",
       input_map_is_the_folded_first_layer_in_every_jet_channel},
      {"input_map_gradient_matches_central_differences",
       input_map_gradient_matches_central_differences},
      {"initialisations_draw_the_documented_variances", initialisations_draw_the_documented_variances},
      {"variance_init_with_a_huge_prelu_slope_fails_with_a_message",
       variance_init_with_a_huge_prelu_slope_fails_with_a_message},
      {"same_seed_gives_same_parameters", same_seed_gives_same_parameters},
      {"one_and_two_threads_give_bitwise_identical_results",
       one_and_two_threads_give_bitwise_identical_results},
      {"the_thread_count_belongs_to_the_network", the_thread_count_belongs_to_the_network},
      {"piecewise_linear_networks_are_recognised", piecewise_linear_networks_are_recognised},
      {"bad_layouts_and_failing_callbacks_give_clear_errors",
       bad_layouts_and_failing_callbacks_give_clear_errors},
      {NULL, NULL}};
  if (pinn_test_add_suite("mlp", cases)) return 1;
  return pinn_test_run_all();
}
