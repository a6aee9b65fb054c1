/* Tests for the Taylor engine (pinn/taylor.h) and the activations' higher
 * derivatives: every partial up to order 4 (pure and mixed, 1, 2, 3 and 5
 * inputs) against the second-order engine of pinn/mlp.h (orders <= 2, to
 * 1e-13) and against central differences of that engine's second derivatives
 * (orders 3 and 4: O(h^4) stencils at h = 0.02 and 0.01, Richardson-
 * extrapolated, to 1e-8); order 6 in 1-D against a one-unit network in
 * closed form and against differences; collapsed Laplacian and biharmonic;
 * the parameter gradient against central differences; refusals.  Output
 * transforms in series form composed with the jets: g + d N to order 4
 * against the product rule on the raw network's partials (plain and
 * collapsed plans), Dirichlet and obstacle quantities against differences of
 * the quantity one order below, the parameter gradient and Jacobian rows. */
#include <pinn/taylor.h>
#include <pinn/activation.h>
#include <pinn/mlp.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "../lib/taylor_impl.h" /* the rank shares of a pass */

/* ---------------------------------------------------------------- helpers */

static pinn_mlp *make_net(size_t L, const size_t *sizes, const pinn_activation *acts, int per_unit,
                          unsigned long seed)
{
  pinn_mlp_layout lay = {L, sizes, acts, per_unit, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  double *th = pinn_mlp_params(net);
  for (size_t l = 1; l < L; ++l) {
    size_t bo = pinn_mlp_bias_offset(net, l);
    for (size_t u = 0; u < sizes[l]; ++u) th[bo + u] = 0.3 * gsl_ran_gaussian(r, 1.0);
    size_t so = pinn_mlp_slope_offset(net, l);
    if (so != (size_t)-1)
      for (size_t u = 0; u < (per_unit ? sizes[l] : 1); ++u) th[so + u] = 0.1 + 0.3 * gsl_rng_uniform(r);
  }
  gsl_rng_free(r);
  return net;
}

/* [n_in, 8, 7, n_out] with activation act in both hidden layers. */
static pinn_mlp *small_net(size_t n_in, size_t n_out, pinn_activation_kind act, unsigned long seed)
{
  size_t sizes[] = {n_in, 8, 7, n_out};
  pinn_activation a[2] = {pinn_activation_default(act), pinn_activation_default(act)};
  return make_net(4, sizes, a, 0, seed);
}

static double *random_points(size_t n, size_t d, unsigned long seed)
{
  double *x = malloc(n * d * sizeof *x);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  for (size_t i = 0; i < n * d; ++i) x[i] = -0.8 + 1.6 * gsl_rng_uniform(r);
  gsl_rng_free(r);
  return x;
}

/* Every multi-index of total order lo..hi over n inputs, into ps (count returned). */
static size_t all_partials(size_t n, int lo, int hi, pinn_partial *ps)
{
  size_t np = 0;
  int idx[PINN_TAYLOR_MAX_INPUTS] = {0};
  for (;;) {
    int ord = 0;
    for (size_t i = 0; i < n; ++i) ord += idx[i];
    if (ord >= lo && ord <= hi) {
      memset(&ps[np], 0, sizeof ps[np]);
      for (size_t i = 0; i < n; ++i) ps[np].n[i] = (unsigned char)idx[i];
      np++;
    }
    size_t i = 0;
    while (i < n && ++idx[i] > hi) idx[i++] = 0;
    if (i == n) break;
  }
  return np;
}

/* The mlp engine's jets with every first and second derivative of n inputs
 * at m points: jets[(p n_out + k) C + c]; spec returned through *s. */
static double *mlp_second(pinn_mlp *net, size_t m, const double *x, pinn_jet_spec *s)
{
  size_t n = pinn_mlp_n_in(net), n_out = pinn_mlp_n_out(net);
  *s = pinn_jet_spec_value();
  for (unsigned i = 0; i < n; ++i)
    for (unsigned j = i; j < n; ++j) pinn_jet_spec_add_pair(s, i, j);
  size_t C = pinn_jet_spec_channels(s);
  double *jets = malloc(m * n_out * C * sizeof *jets);
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_jets(net, s, m, x, jets), PINN_SUCCESS);
  return jets;
}

/* The channel of the mlp jet holding d^beta u for |beta| <= 2. */
static int mlp_channel(const pinn_jet_spec *s, const int *beta, size_t n)
{
  int i1 = -1, i2 = -1;
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < beta[i]; ++c) {
      if (i1 < 0) i1 = (int)i;
      else i2 = (int)i;
    }
  if (i1 < 0) return 0;
  if (i2 < 0) return pinn_jet_spec_first_channel(s, (unsigned)i1);
  return pinn_jet_spec_pair_channel(s, (unsigned)i1, (unsigned)i2);
}

/* d^alpha u at point x (output k), |alpha| <= 4: the mlp's d^beta u for
 * |beta| = min(2, |alpha|) and 4th-order central differences (step h) of it
 * for the rest gamma = alpha - beta (one or two differentiations). */
static double reference_partial(pinn_mlp *net, const double *x, size_t k, const pinn_partial *a, double h)
{
  size_t n = pinn_mlp_n_in(net), n_out = pinn_mlp_n_out(net);
  int beta[PINN_TAYLOR_MAX_INPUTS] = {0}, gam[PINN_TAYLOR_MAX_INPUTS] = {0}, taken = 0;
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < a->n[i]; ++c) {
      if (taken < 2) beta[i]++, taken++;
      else gam[i]++;
    }
  /* stencils: first derivative (offsets -2..2 without 0), second (-2..2) */
  static const double w1[5] = {1.0 / 12, -8.0 / 12, 0.0, 8.0 / 12, -1.0 / 12};
  static const double w2[5] = {-1.0 / 12, 16.0 / 12, -30.0 / 12, 16.0 / 12, -1.0 / 12};
  int vars[2], pows[2], nv = 0;
  for (size_t i = 0; i < n; ++i)
    if (gam[i]) {
      vars[nv] = (int)i;
      pows[nv++] = gam[i];
    }
  size_t npts = 1;
  for (int v = 0; v < nv; ++v) npts *= 5;
  double *xs = malloc(npts * n * sizeof *xs), *wt = malloc(npts * sizeof *wt);
  for (size_t p = 0; p < npts; ++p) {
    size_t r = p;
    double w = 1.0;
    memcpy(xs + p * n, x, n * sizeof *x);
    for (int v = 0; v < nv; ++v) {
      int o = (int)(r % 5) - 2;
      r /= 5;
      xs[p * n + vars[v]] += o * h;
      w *= (pows[v] == 1 ? w1[o + 2] / h : w2[o + 2] / (h * h));
    }
    wt[p] = w;
  }
  pinn_jet_spec s;
  double *jets = mlp_second(net, npts, xs, &s);
  size_t C = pinn_jet_spec_channels(&s);
  int ch = mlp_channel(&s, beta, n);
  double sum = 0.0;
  for (size_t p = 0; p < npts; ++p) sum += wt[p] * jets[(p * n_out + k) * C + (size_t)ch];
  free(xs);
  free(wt);
  free(jets);
  return sum;
}

/* Compare every partial of order <= 4 from the Taylor engine with the
 * references at m points; returns the largest relative error (per partial:
 * |a - b| / max(max over points of |b|, 1e-3)). */
static double check_all_partials(pinn_mlp *net, size_t m, unsigned long seed, int maxorder)
{
  size_t n = pinn_mlp_n_in(net), n_out = pinn_mlp_n_out(net);
  pinn_partial ps[PINN_TAYLOR_MAX_QUANTITIES];
  size_t np = all_partials(n, 0, maxorder, ps);
  CU_ASSERT_FATAL(np <= PINN_TAYLOR_MAX_QUANTITIES);
  pinn_error err;
  pinn_taylor *t = pinn_taylor_alloc(n, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  for (size_t q = 0; q < np; ++q) CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &ps[q]), PINN_SUCCESS);
  double *x = random_points(m, n, seed);
  double *out = malloc(m * n_out * np * sizeof *out);
  int st = pinn_taylor_eval(t, net, m, x, out);
  CU_ASSERT_EQUAL_FATAL(st, PINN_SUCCESS);
  pinn_jet_spec s;
  double *jets = mlp_second(net, m, x, &s);
  size_t C = pinn_jet_spec_channels(&s);
  double worst = 0.0;
  double *ref = malloc(m * sizeof *ref);
  for (size_t q = 0; q < np; ++q) {
    int ord = pinn_partial_order(&ps[q]);
    for (size_t k = 0; k < n_out; ++k) {
      double scale = 1e-3;
      for (size_t p = 0; p < m; ++p) {
        if (ord <= 2) {
          int beta[PINN_TAYLOR_MAX_INPUTS] = {0};
          for (size_t i = 0; i < n; ++i) beta[i] = ps[q].n[i];
          ref[p] = jets[(p * n_out + k) * C + (size_t)mlp_channel(&s, beta, n)];
        } else {
          /* Richardson on the O(h^4) stencils: O(h^6) */
          double r1 = reference_partial(net, x + p * n, k, &ps[q], 2e-2);
          double r2 = reference_partial(net, x + p * n, k, &ps[q], 1e-2);
          ref[p] = (16.0 * r2 - r1) / 15.0;
        }
        if (fabs(ref[p]) > scale) scale = fabs(ref[p]);
      }
      for (size_t p = 0; p < m; ++p) {
        double e = fabs(out[(p * n_out + k) * np + q] - ref[p]) / scale;
        double tol = ord <= 2 ? 1e-13 : 1e-8;
        if (e > tol) {
          char buf[16] = "";
          for (size_t i = 0, c = 0; i < n; ++i)
            for (int r = 0; r < ps[q].n[i] && c < 15; ++r) buf[c++] = (char)('0' + i);
          printf("\n  partial \"%s\" output %zu point %zu: taylor %.17g reference %.17g (rel %g)", buf,
                 k, p, out[(p * n_out + k) * np + q], ref[p], e);
        }
        if (e / tol > worst) worst = e / tol;
      }
    }
  }
  free(ref);
  free(jets);
  free(out);
  free(x);
  pinn_taylor_free(t);
  return worst; /* in units of the tolerance: <= 1 passes */
}

/* ------------------------------------------------------------ activations */

static void activation_derivatives_of_every_order_match_finite_differences(void)
{
  const pinn_activation_kind kinds[] = {PINN_ACT_TANH, PINN_ACT_SIGMOID, PINN_ACT_SOFTPLUS,
                                        PINN_ACT_SILU, PINN_ACT_GELU, PINN_ACT_SIN,
                                        PINN_ACT_IDENTITY};
  const double xs[] = {-3.1, -0.7, -0.05, 0.0, 0.3, 1.2, 4.5};
  const int K = PINN_ACT_MAX_DERIV;
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
    pinn_activation a = pinn_activation_default(kinds[k]);
    if (kinds[k] == PINN_ACT_SOFTPLUS) a.param = 1.7;
    for (size_t ix = 0; ix < sizeof xs / sizeof xs[0]; ++ix) {
      double d[PINN_ACT_MAX_DERIV + 1], dp[PINN_ACT_MAX_DERIV + 1], dm[PINN_ACT_MAX_DERIV + 1];
      double d2p[PINN_ACT_MAX_DERIV + 1], d2m[PINN_ACT_MAX_DERIV + 1], e4[4];
      const double x = xs[ix], h = 1e-3;
      CU_ASSERT_EQUAL_FATAL(pinn_activation_derivs(&a, K, x, d, NULL), PINN_SUCCESS);
      pinn_activation_derivs(&a, K, x + h, dp, NULL);
      pinn_activation_derivs(&a, K, x - h, dm, NULL);
      pinn_activation_derivs(&a, K, x + 2 * h, d2p, NULL);
      pinn_activation_derivs(&a, K, x - 2 * h, d2m, NULL);
      pinn_activation_eval(&a, x, e4);
      for (int m = 0; m < 4; ++m) CU_ASSERT(pinn_test_reldiff(d[m], e4[m], 1e-12) < 1e-13);
      for (int m = 0; m < K; ++m) {
        double fd = (d2m[m] - 8.0 * dm[m] + 8.0 * dp[m] - d2p[m]) / (12.0 * h);
        double scale = fabs(d[m + 1]) > 1.0 ? fabs(d[m + 1]) : 1.0;
        /* truncation h^4 s^(m+5)/30 with |s^(m+5)| up to ~1e5 at order 12 */
        double err = fabs(fd - d[m + 1]) / scale;
        if (err > 1e-6)
          printf("\n  %s order %d at x = %g: %.17g vs differences %.17g", pinn_activation_name(kinds[k]),
                 m + 1, x, d[m + 1], fd);
        CU_ASSERT(err < 1e-6);
      }
    }
  }
  /* sin^(m) in closed form */
  pinn_activation s = pinn_activation_default(PINN_ACT_SIN);
  double d[PINN_ACT_MAX_DERIV + 1];
  pinn_activation_derivs(&s, 9, 0.4, d, NULL);
  CU_ASSERT_DOUBLE_EQUAL(d[9], cos(0.4), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d[6], -sin(0.4), 1e-15);
}

static void relu_family_is_refused_beyond_the_first_derivative(void)
{
  const pinn_activation_kind kinds[] = {PINN_ACT_RELU, PINN_ACT_LEAKY_RELU, PINN_ACT_PRELU};
  for (size_t k = 0; k < 3; ++k) {
    pinn_activation a = pinn_activation_default(kinds[k]);
    double d[PINN_ACT_MAX_DERIV + 1];
    pinn_error err;
    CU_ASSERT_EQUAL(pinn_activation_derivs(&a, 1, -0.5, d, &err), PINN_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(d[1], kinds[k] == PINN_ACT_RELU ? 0.0 : a.param, 0.0);
    CU_ASSERT_EQUAL(pinn_activation_derivs(&a, 2, -0.5, d, &err), PINN_EUNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Dirac"));
  }
  pinn_activation a = pinn_activation_default(PINN_ACT_TANH);
  double d[PINN_ACT_MAX_DERIV + 2];
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_activation_derivs(&a, PINN_ACT_MAX_DERIV + 1, 0.0, d, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of range"));
  CU_ASSERT_EQUAL(pinn_activation_derivs(&a, 2, 0.0, NULL, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_activation_derivs(NULL, 2, 0.0, d, &err), PINN_EINVAL);
}

/* ------------------------------------------------------------ the engine */

static void partials_up_to_order_four_match_references_in_1_2_3_and_5_inputs(void)
{
  const size_t dims[] = {1, 2, 3, 5};
  const pinn_activation_kind acts[] = {PINN_ACT_TANH, PINN_ACT_SIN, PINN_ACT_GELU, PINN_ACT_SILU};
  for (size_t i = 0; i < 4; ++i) {
    pinn_mlp *net = small_net(dims[i], dims[i] == 2 ? 2 : 1, acts[i], 11 + i);
    double w = check_all_partials(net, dims[i] == 5 ? 3 : 5, 100 + i, 4);
    if (w > 1.0 || getenv("TAYLOR_VERBOSE")) printf("\n  %zu inputs: worst error %g tolerances", dims[i], w);
    CU_ASSERT(w <= 1.0);
    pinn_mlp_free(net);
  }
  /* softplus, sigmoid and a mixed tanh / per-unit PReLU network */
  pinn_mlp *net = small_net(2, 1, PINN_ACT_SOFTPLUS, 21);
  CU_ASSERT(check_all_partials(net, 4, 7, 4) <= 1.0);
  pinn_mlp_free(net);
  net = small_net(3, 1, PINN_ACT_SIGMOID, 22);
  CU_ASSERT(check_all_partials(net, 4, 8, 3) <= 1.0);
  pinn_mlp_free(net);
  size_t sizes[] = {2, 8, 7, 1};
  pinn_activation mixed[2] = {pinn_activation_default(PINN_ACT_TANH),
                              pinn_activation_default(PINN_ACT_PRELU)};
  net = make_net(4, sizes, mixed, 1, 23);
  CU_ASSERT(check_all_partials(net, 4, 9, 4) <= 1.0);
  pinn_mlp_free(net);
}

/* A network with an input map (pinn_mlp_set_input_map): the directions are
 * scaled through the first layer, every partial to order 4 and the parameter
 * gradient as without one. */
static double check_gradient(pinn_mlp *net, pinn_taylor *t, size_t m, unsigned long seed);

static void input_map_scales_every_order_and_the_gradient(void)
{
  const double lo[3] = {-2.0, 0.0, -0.5}, hi[3] = {2.0, 3.0, 1.5};
  pinn_mlp *net = small_net(3, 1, PINN_ACT_TANH, 51);
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, lo, hi), PINN_SUCCESS);
  double w = check_all_partials(net, 5, 52, 4);
  if (w > 1.0) printf("\n  mapped: worst error %g tolerances", w);
  CU_ASSERT(w <= 1.0);
  pinn_taylor *t = pinn_taylor_alloc(3, NULL);
  pinn_partial p;
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x3, 2), PINN_SUCCESS);
  pinn_partial_parse("0012", &p, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_SUCCESS);
  check_gradient(net, t, 37, 53);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

/* A periodic embedding (pinn/mlp.h: x as cos/sin of 2 harmonics of period
 * 12, y through the input map, t as one harmonic of period 8: frequencies low
 * enough for the differences of the references): every partial
 * to order 4 against the second-order engine and differences, the
 * parameter gradient (collapsed biharmonic and a mixed partial) against
 * central differences, and periodicity of a fourth derivative. */
static void periodic_embedding_gives_every_order_and_the_gradient(void)
{
  const pinn_embedding emb = {.period = {12.0, 0.0, 8.0}, .harmonics = {2, 0, 1}};
  const size_t sizes[] = {3, 8, 7, 2};
  pinn_activation a[2] = {pinn_activation_default(PINN_ACT_TANH),
                          pinn_activation_default(PINN_ACT_SIN)};
  pinn_mlp_layout lay = {4, sizes, a, 0, &emb};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 61);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  gsl_rng_free(r);
  const double lo[3] = {-2.0, 0.0, -0.5}, hi[3] = {2.0, 3.0, 1.5};
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, lo, hi), PINN_SUCCESS);
  double w = check_all_partials(net, 5, 62, 4);
  if (w > 1.0) printf("\n  periodic embedding: worst error %g tolerances", w);
  CU_ASSERT(w <= 1.0);
  pinn_taylor *t = pinn_taylor_alloc(3, NULL);
  pinn_partial p;
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x5, 2), PINN_SUCCESS); /* x, t */
  pinn_partial_parse("0012", &p, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_SUCCESS);
  check_gradient(net, t, 37, 63);
  /* the biharmonic in (x, t) at x + 12 and t - 8 equals its value at (x, t) */
  double x0[3] = {0.3, 1.2, 0.4}, x1[3] = {12.3, 1.2, -7.6}, o0[4], o1[4];
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 1, x0, o0), 0);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 1, x1, o1), 0);
  for (int k = 0; k < 4; ++k) CU_ASSERT(fabs(o0[k] - o1[k]) <= 1e-11 * (1.0 + fabs(o0[k])));
  CU_ASSERT(fabs(o0[0]) > 1e-3);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

/* Fourier features (pinn/mlp.h: pinn_fourier) beside a periodic input: x
 * with 2 fixed frequencies, 4 random features of scale 0.3 on (x, y) drawn
 * from a seed, t periodic (period 8): every partial to order 4 against the
 * second-order engine and differences, the parameter gradient (collapsed
 * biharmonic in (x, y) and a mixed partial) against central differences. */
static void fourier_features_give_every_order_and_the_gradient(void)
{
  pinn_embedding *emb = calloc(1, sizeof *emb);
  emb->period[2] = 8.0;
  emb->harmonics[2] = 1;
  const pinn_fourier f = {.m = 4, .sigma = 0.3, .seed = 5, .axis = {2, 0, 0}};
  CU_ASSERT_EQUAL_FATAL(pinn_embedding_set_fourier(emb, 3, &f, NULL), PINN_SUCCESS);
  const size_t sizes[] = {3, 8, 7, 2};
  pinn_activation a[2] = {pinn_activation_default(PINN_ACT_TANH),
                          pinn_activation_default(PINN_ACT_SIN)};
  pinn_mlp_layout lay = {4, sizes, a, 0, emb};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(net, 0), 5 + 1 + 2 + 8);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 71);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  gsl_rng_free(r);
  /* x on [-4, 4]: its top frequency 2 pi / 4 in x, low enough for the
   * differences of the references */
  const double lo[3] = {-4.0, 0.0, -0.5}, hi[3] = {4.0, 3.0, 1.5};
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, lo, hi), PINN_SUCCESS);
  double w = check_all_partials(net, 5, 72, 4);
  if (w > 0.25 || getenv("PINN_TEST_VERBOSE"))
    printf("\n  Fourier features: worst error %g tolerances", w);
  CU_ASSERT(w <= 0.25);
  pinn_taylor *t = pinn_taylor_alloc(3, NULL);
  pinn_partial p;
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x3, 2), PINN_SUCCESS); /* x, y */
  pinn_partial_parse("0012", &p, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_SUCCESS);
  const double gw = check_gradient(net, t, 37, 73);
  if (getenv("PINN_TEST_VERBOSE")) printf("\n  Fourier features: gradient worst %g", gw);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
  free(emb);
}

/* The 7-point O(h^4) stencils of the 4th and 3rd derivatives applied to the
 * mlp engine's u'' at x (a 1-D network): u^(6) and u^(5). */
static void stencil_d4_d3(pinn_mlp *net, double x, double h, double *d6, double *d5)
{
  static const double w4[7] = {-1.0, 12.0, -39.0, 56.0, -39.0, 12.0, -1.0};
  static const double w3[7] = {1.0 / 8, -1.0, 13.0 / 8, 0.0, -13.0 / 8, 1.0, -1.0 / 8};
  double xs7[7];
  for (int k = 0; k < 7; ++k) xs7[k] = x + (k - 3) * h;
  pinn_jet_spec s;
  double *jets = mlp_second(net, 7, xs7, &s);
  *d6 = *d5 = 0.0;
  for (int k = 0; k < 7; ++k) {
    *d6 += w4[k] * jets[k * 3 + 2] / (6.0 * pow(h, 4));
    *d5 += w3[k] * jets[k * 3 + 2] / pow(h, 3);
  }
  free(jets);
}

/* u^(6) of u = w2 tanh(w1 x + b1) + b2 is w2 w1^6 tanh^(6)(w1 x + b1). */
static void sixth_derivative_in_1d_matches_closed_form_and_differences(void)
{
  size_t sizes[] = {1, 1, 1};
  pinn_activation act = pinn_activation_default(PINN_ACT_TANH);
  pinn_mlp_layout lay = {3, sizes, &act, 0, NULL};
  pinn_mlp *one = pinn_mlp_alloc(&lay, NULL);
  double *th = pinn_mlp_params(one);
  const double w1 = 1.3, b1 = -0.2, w2 = 0.7, b2 = 0.1;
  th[pinn_mlp_weight_offset(one, 1)] = w1;
  th[pinn_mlp_bias_offset(one, 1)] = b1;
  th[pinn_mlp_weight_offset(one, 2)] = w2;
  th[pinn_mlp_bias_offset(one, 2)] = b2;
  pinn_taylor *t = pinn_taylor_alloc(1, NULL);
  pinn_partial p;
  for (int ord = 0; ord <= PINN_TAYLOR_MAX_ORDER; ++ord) {
    char s[16] = "";
    for (int k = 0; k < ord; ++k) s[k] = '0';
    CU_ASSERT_EQUAL(pinn_partial_parse(s, &p, NULL), PINN_SUCCESS);
    CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_SUCCESS);
  }
  const double xs[] = {-0.9, 0.15, 0.6};
  double out[3 * (PINN_TAYLOR_MAX_ORDER + 1)];
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, one, 3, xs, out), PINN_SUCCESS);
  for (int i = 0; i < 3; ++i) {
    double d[PINN_ACT_MAX_DERIV + 1];
    pinn_activation_derivs(&act, PINN_TAYLOR_MAX_ORDER, w1 * xs[i] + b1, d, NULL);
    for (int ord = 0; ord <= PINN_TAYLOR_MAX_ORDER; ++ord) {
      double want = w2 * pow(w1, ord) * d[ord] + (ord == 0 ? b2 : 0.0);
      CU_ASSERT(pinn_test_reldiff(out[i * (PINN_TAYLOR_MAX_ORDER + 1) + ord], want, 1.0) < 1e-13);
    }
  }
  pinn_taylor_free(t);
  pinn_mlp_free(one);

  /* a [1, 8, 7, 1] network: u^(6) and u^(5) against the 7-point stencils
   * applied to the mlp engine's u'', Richardson-extrapolated from h = 0.05, 0.025 */
  pinn_mlp *net = small_net(1, 1, PINN_ACT_TANH, 5);
  t = pinn_taylor_alloc(1, NULL);
  pinn_partial_parse("000000", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  pinn_partial_parse("00000", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  size_t chans = 0, ndir = 0;
  int order = 0;
  CU_ASSERT_EQUAL(pinn_taylor_plan(t, &chans, &ndir, &order), PINN_SUCCESS);
  CU_ASSERT_EQUAL(order, 6);
  CU_ASSERT_EQUAL(ndir, 1);
  CU_ASSERT_EQUAL(chans, 7); /* value + coefficients 1..6 */
  const double x0[] = {-0.5, 0.2, 0.7};
  double o2[6];
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, 3, x0, o2), PINN_SUCCESS);
  for (int i = 0; i < 3; ++i) {
    double d6[2], d5[2];
    for (int r = 0; r < 2; ++r) stencil_d4_d3(net, x0[i], r ? 0.025 : 0.05, &d6[r], &d5[r]);
    /* Richardson: both stencils are O(h^4) */
    double e6 = (16.0 * d6[1] - d6[0]) / 15.0, e5 = (16.0 * d5[1] - d5[0]) / 15.0;
    CU_ASSERT(fabs(o2[2 * i] - e6) < 1e-6 * fmax(fabs(e6), 1.0));
    CU_ASSERT(fabs(o2[2 * i + 1] - e5) < 1e-6 * fmax(fabs(e5), 1.0));
  }
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

static void collapsed_laplacian_and_biharmonic_are_cheap_and_exact(void)
{
  /* Laplacians in 5-D and 8-D: 1 + D + 1 channels; equal the sums of the mlp's u_ii */
  size_t chans = 0, ndir = 0;
  pinn_mlp *net;
  pinn_taylor *t;
  double *x;
  for (unsigned D = 5; D <= 8; D += 3) {
    net = small_net(D, 1, PINN_ACT_TANH, 3);
    t = pinn_taylor_alloc(D, NULL);
    CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, (1u << D) - 1, 1), PINN_SUCCESS);
    CU_ASSERT_EQUAL(pinn_taylor_plan(t, &chans, &ndir, NULL), PINN_SUCCESS);
    CU_ASSERT_EQUAL(chans, D + 2);
    CU_ASSERT_EQUAL(ndir, D);
    x = random_points(40, D, 1);
    double lap[40];
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, 40, x, lap), PINN_SUCCESS);
    pinn_jet_spec s;
    double *jets = mlp_second(net, 40, x, &s);
    size_t C = pinn_jet_spec_channels(&s);
    for (size_t p = 0; p < 40; ++p) {
      double want = 0.0;
      for (unsigned i = 0; i < D; ++i) want += jets[p * C + (size_t)pinn_jet_spec_pair_channel(&s, i, i)];
      CU_ASSERT(fabs(lap[p] - want) < 1e-13 * fmax(fabs(want), 1.0));
    }
    free(jets);
    free(x);
    pinn_taylor_free(t);
    pinn_mlp_free(net);
  }

  /* 2-D biharmonic from 3 directions 60 degrees apart: 1 + 3 * 3 + 1 channels;
   * equals u_xxxx + 2 u_xxyy + u_yyyy from a plan of the three partials */
  net = small_net(2, 1, PINN_ACT_TANH, 4);
  t = pinn_taylor_alloc(2, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x3, 2), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_taylor_plan(t, &chans, &ndir, NULL), PINN_SUCCESS);
  CU_ASSERT_EQUAL(ndir, 3);
  CU_ASSERT_EQUAL(chans, 11);
  pinn_taylor *t3 = pinn_taylor_alloc(2, NULL);
  pinn_partial p;
  const char *names[] = {"0000", "0011", "1111"};
  for (int k = 0; k < 3; ++k) {
    pinn_partial_parse(names[k], &p, NULL);
    pinn_taylor_add_partial(t3, &p);
  }
  x = random_points(50, 2, 2);
  double bih[50], parts[150];
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, 50, x, bih), PINN_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t3, net, 50, x, parts), PINN_SUCCESS);
  for (size_t q = 0; q < 50; ++q) {
    double want = parts[3 * q] + 2.0 * parts[3 * q + 1] + parts[3 * q + 2];
    CU_ASSERT(fabs(bih[q] - want) < 1e-12 * fmax(fabs(want), 1.0));
  }
  /* and u_xxxx against the mlp's u_xx differenced twice */
  for (size_t q = 0; q < 3; ++q) {
    pinn_partial_parse("0000", &p, NULL);
    double ref = reference_partial(net, x + 2 * q, 0, &p, 1e-2);
    CU_ASSERT(fabs(parts[3 * q] - ref) < 1e-7 * fmax(fabs(ref), 1.0));
  }
  free(x);
  pinn_taylor_free(t);
  pinn_taylor_free(t3);
  pinn_mlp_free(net);
}

/* sum seed . out as a function of theta, for central differences */
static double seeded_sum(pinn_taylor *t, pinn_mlp *net, size_t m, const double *x,
                         const double *seed, size_t nout)
{
  double *out = malloc(nout * sizeof *out), s = 0.0;
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, m, x, out), PINN_SUCCESS);
  for (size_t i = 0; i < nout; ++i) s += seed[i] * out[i];
  free(out);
  return s;
}

/* The worst error relative to the largest component (checked < 1e-7). */
static double check_gradient(pinn_mlp *net, pinn_taylor *t, size_t m, unsigned long seed)
{
  size_t n = pinn_mlp_n_in(net), Q = pinn_taylor_n_quantities(t), n_out = pinn_mlp_n_out(net);
  size_t P = pinn_mlp_n_params(net), nout = m * n_out * Q;
  double *x = random_points(m, n, seed), *sd = random_points(nout, 1, seed + 1);
  double *g = calloc(P, sizeof *g), *out = malloc(nout * sizeof *out), *out2 = malloc(nout * sizeof *out2);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval_grad(t, net, m, x, sd, out, g), PINN_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, m, x, out2), PINN_SUCCESS);
  CU_ASSERT_EQUAL(memcmp(out, out2, nout * sizeof *out), 0);
  double *th = pinn_mlp_params(net), gmax = 0.0, worst = 0.0;
  for (size_t j = 0; j < P; ++j) gmax = fmax(gmax, fabs(g[j]));
  CU_ASSERT(gmax > 1e-3); /* not all zeros */
  for (size_t j = 0; j < P; ++j) {
    const double save = th[j], h = 1e-5 * fmax(1.0, fabs(save));
    th[j] = save + h;
    double fp = seeded_sum(t, net, m, x, sd, nout);
    th[j] = save - h;
    double fm = seeded_sum(t, net, m, x, sd, nout);
    th[j] = save + 2 * h;
    double fp2 = seeded_sum(t, net, m, x, sd, nout);
    th[j] = save - 2 * h;
    double fm2 = seeded_sum(t, net, m, x, sd, nout);
    th[j] = save;
    double fd = (fm2 - 8.0 * fm + 8.0 * fp - fp2) / (12.0 * h);
    double e = fabs(fd - g[j]) / gmax;
    if (e > worst) worst = e;
  }
  if (worst > 1e-7) printf("\n  gradient: worst relative error %g", worst);
  CU_ASSERT(worst < 1e-7);
  free(x);
  free(sd);
  free(g);
  free(out);
  free(out2);
  return worst;
}

static void parameter_gradient_matches_central_differences(void)
{
  /* (x, y, t): biharmonic, u_xxx, u_xxyt, u_t, u, and a sum of mixed orders */
  pinn_mlp *net = small_net(3, 2, PINN_ACT_TANH, 31);
  pinn_taylor *t = pinn_taylor_alloc(3, NULL);
  pinn_partial p[3];
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x3, 2), PINN_SUCCESS);
  const char *names[] = {"000", "0012", "2", ""};
  for (int k = 0; k < 4; ++k) {
    pinn_partial_parse(names[k], &p[0], NULL);
    CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p[0]), PINN_SUCCESS);
  }
  pinn_partial_parse("2", &p[0], NULL);
  pinn_partial_parse("000", &p[1], NULL);
  pinn_partial_parse("11", &p[2], NULL);
  const double c[3] = {1.0, 6.0, -0.5};
  CU_ASSERT_EQUAL(pinn_taylor_add_sum(t, 3, c, p), PINN_SUCCESS);
  check_gradient(net, t, 37, 5); /* 37 points: a partial second block */
  pinn_taylor_free(t);
  pinn_mlp_free(net);

  /* sin then per-unit PReLU (slopes are parameters too), order 3 in 2-D;
   * and a collapsed 2-D Laplacian with softplus */
  size_t sizes[] = {2, 6, 5, 1};
  pinn_activation mixed[2] = {pinn_activation_default(PINN_ACT_SIN),
                              pinn_activation_default(PINN_ACT_PRELU)};
  net = make_net(4, sizes, mixed, 1, 32);
  t = pinn_taylor_alloc(2, NULL);
  pinn_partial_parse("001", &p[0], NULL);
  pinn_taylor_add_partial(t, &p[0]);
  pinn_partial_parse("1", &p[0], NULL);
  pinn_taylor_add_partial(t, &p[0]);
  check_gradient(net, t, 9, 6);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
  net = small_net(2, 1, PINN_ACT_SOFTPLUS, 33);
  t = pinn_taylor_alloc(2, NULL);
  pinn_taylor_add_laplacian(t, 0x3, 1);
  check_gradient(net, t, 12, 7);
  pinn_taylor_free(t);
  pinn_mlp_free(net);

  /* orders 6 and 8 in 1-D (GELU: s up to s^(9)) */
  net = small_net(1, 1, PINN_ACT_GELU, 34);
  t = pinn_taylor_alloc(1, NULL);
  pinn_partial_parse("000000", &p[0], NULL);
  pinn_taylor_add_partial(t, &p[0]);
  pinn_partial_parse("00000000", &p[0], NULL);
  pinn_taylor_add_partial(t, &p[0]);
  check_gradient(net, t, 6, 8);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

/* the fused pass: a callback that sums squares of quantity 0 gives the loss
 * and the same gradient as eval_grad with seeds 2 u */
typedef struct {
  size_t Q;
} sq_ctx;

static int sum_squares(size_t p0, size_t nb, size_t ld, const double *vals, double *vals_bar,
                       double *acc, void *ctx)
{
  (void)p0;
  (void)ctx;
  for (size_t q = 0; q < nb; ++q) {
    acc[0] += vals[q] * vals[q];
    vals_bar[q] = 2.0 * vals[q];
  }
  (void)ld;
  return 0;
}

static int fail_second_block(size_t p0, size_t nb, size_t ld, const double *vals, double *vals_bar,
                             double *acc, void *ctx)
{
  (void)nb, (void)ld, (void)vals, (void)vals_bar, (void)acc, (void)ctx;
  return p0 >= PINN_BLOCK ? 7 : 0;
}

static void fused_loss_pass_matches_eval_grad(void)
{
  pinn_mlp *net = small_net(1, 1, PINN_ACT_TANH, 41);
  pinn_taylor *t = pinn_taylor_alloc(1, NULL);
  pinn_partial p;
  pinn_partial_parse("0000", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  double *x = random_points(70, 1, 9), v[70], sd[70], loss = 0.0, want = 0.0;
  size_t P = pinn_mlp_n_params(net);
  double *g1 = calloc(P, sizeof *g1), *g2 = calloc(P, sizeof *g2);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 70, x, v), PINN_SUCCESS);
  for (int q = 0; q < 70; ++q) {
    want += v[q] * v[q];
    sd[q] = 2.0 * v[q];
  }
  CU_ASSERT_EQUAL(pinn_taylor_loss_grad(t, net, 70, x, sum_squares, NULL, 1, &loss, g1), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_taylor_eval_grad(t, net, 70, x, sd, NULL, g2), PINN_SUCCESS);
  CU_ASSERT(fabs(loss - want) <= 1e-13 * want);
  for (size_t j = 0; j < P; ++j) CU_ASSERT(fabs(g1[j] - g2[j]) <= 1e-13 * fmax(1.0, fabs(g2[j])));
  CU_ASSERT_EQUAL(pinn_taylor_loss_grad(t, net, 70, x, fail_second_block, NULL, 1, &loss, g1),
                  PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "32..63"));
  free(g1);
  free(g2);
  free(x);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

/* A pass over the rank shares of a team (1 to 8 ranks, each holding only its
 * own points) combines, in rank order, to the bits of the whole pass: the
 * reduction tree of lib/reduce.c, shared with the second-order engine. */
static int tg_ts(const pinn_ts *x, pinn_ts *out, void *ctx);
static int td_ts(const pinn_ts *x, pinn_ts *out, void *ctx);

static void rank_shares_combine_to_the_whole_pass_bitwise(void)
{
  for (int hard = 0; hard < 2; ++hard) { /* and with an output transform */
    pinn_mlp *net = small_net(2, 1, PINN_ACT_TANH, 61);
    pinn_taylor *t = pinn_taylor_alloc(2, NULL);
    CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x3, 2), PINN_SUCCESS);
    const pinn_transform tr = pinn_transform_dirichlet_series(0, tg_ts, td_ts, NULL);
    if (hard) CU_ASSERT_EQUAL(pinn_taylor_set_transforms(t, 1, &tr), PINN_SUCCESS);
    const size_t n = 9000, P = pinn_mlp_n_params(net); /* 282 blocks: 32 leaves */
    double *x = random_points(n, 2, 62), loss = 0.0;
    double *g = calloc(P, sizeof *g), *root = calloc(1 + P, sizeof *root);
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_loss_grad(t, net, n, x, sum_squares, NULL, 1, &loss, g),
                          PINN_SUCCESS);
    CU_ASSERT(loss > 0.0);
    const size_t nblocks = (n + PINN_BLOCK - 1) / PINN_BLOCK, leaves = pinn_reduce_leaves_(nblocks);
    CU_ASSERT_EQUAL(leaves, 32);
    for (size_t size = 1; size <= 8; ++size) {
      pinn_reduce_list_ all;
      pinn_reduce_list_init_(&all, 1 + P, leaves);
      int ok = 1;
      for (size_t r = 0; r < size && ok; ++r) {
        /* the rows of rank r's leaves: what a rank of a team keeps */
        size_t a, b, b0, b1, e0, e1;
        pinn_reduce_share_(r, size, leaves, &a, &b);
        size_t row0 = 0, rows = 0;
        if (a < b) {
          pinn_reduce_leaf_blocks_(nblocks, leaves, a, &b0, &b1);
          pinn_reduce_leaf_blocks_(nblocks, leaves, b - 1, &e0, &e1);
          row0 = b0 * PINN_BLOCK;
          rows = (e1 * PINN_BLOCK < n ? e1 * PINN_BLOCK : n) - row0;
        }
        double *mine = malloc((rows ? rows : 1) * 2 * sizeof *mine);
        memcpy(mine, x + row0 * 2, rows * 2 * sizeof *mine);
        pinn_reduce_list_ part;
        ok = pinn_taylor_loss_grad_part_(t, net, n, mine, sum_squares, NULL, 1, 1, r, size, row0,
                                         &part) == PINN_SUCCESS;
        if (ok) ok = pinn_reduce_append_(&all, &part) == 0;
        pinn_reduce_list_free_(&part);
        free(mine);
      }
      CU_ASSERT_FATAL(ok);
      memset(root, 0, (1 + P) * sizeof *root);
      CU_ASSERT_EQUAL(pinn_reduce_root_(&all, root), 0);
      CU_ASSERT(memcmp(root, &loss, sizeof loss) == 0);
      CU_ASSERT(memcmp(root + 1, g, P * sizeof *g) == 0);
      pinn_reduce_list_free_(&all);
    }
    /* a share that does not hold its first point is refused */
    pinn_reduce_list_ part;
    CU_ASSERT_EQUAL(pinn_taylor_loss_grad_part_(t, net, n, x, sum_squares, NULL, 1, 1, 1, 2, 5000,
                                                &part),
                    PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "points held start at 5000"));
    pinn_reduce_list_free_(&part);
    free(x); free(g); free(root);
    pinn_taylor_free(t);
    pinn_mlp_free(net);
  }
}

/* Jacobian rows: row r has constant sensitivities rowc[r][k * 2 + q] */
static const double rowc[2][4] = {{1.0, -0.5, 0.0, 2.0}, {0.3, 0.0, -1.0, 0.7}};

static int jac_rows(size_t p0, size_t nb, size_t ld, const double *vals, size_t row,
                    double *vals_bar, void *ctx)
{
  (void)p0, (void)vals, (void)ctx;
  for (size_t c = 0; c < 4; ++c)
    for (size_t q = 0; q < nb; ++q) vals_bar[c * ld + q] = rowc[row][c];
  return 0;
}

static void jacobian_rows_equal_single_point_gradients(void)
{
  size_t sizes[] = {2, 6, 5, 2};
  pinn_activation acts[2] = {pinn_activation_default(PINN_ACT_TANH),
                             pinn_activation_default(PINN_ACT_PRELU)};
  pinn_mlp *net = make_net(4, sizes, acts, 1, 61);
  pinn_taylor *t = pinn_taylor_alloc(2, NULL);
  pinn_taylor_add_laplacian(t, 0x3, 2);
  pinn_partial p;
  pinn_partial_parse("0", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  const size_t n = 40, P = pinn_mlp_n_params(net), ldJ = P + 3;
  double *x = random_points(n, 2, 12), *J = malloc(n * 2 * ldJ * sizeof *J);
  for (size_t i = 0; i < n * 2 * ldJ; ++i) J[i] = -7.0; /* columns >= P stay */
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_jacobian(t, net, n, x, 2, jac_rows, NULL, J, ldJ), PINN_SUCCESS);
  double *seed = calloc(n * 4, sizeof *seed), *g = malloc(P * sizeof *g), worst = 0.0;
  for (size_t pt = 0; pt < n; pt += 7)
    for (size_t r = 0; r < 2; ++r) {
      memset(seed, 0, n * 4 * sizeof *seed);
      memcpy(seed + pt * 4, rowc[r], sizeof rowc[r]);
      memset(g, 0, P * sizeof *g);
      CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval_grad(t, net, n, x, seed, NULL, g), PINN_SUCCESS);
      const double *row = J + (pt * 2 + r) * ldJ;
      for (size_t j = 0; j < P; ++j) {
        double e = fabs(row[j] - g[j]) / fmax(1.0, fabs(g[j]));
        if (e > worst) worst = e;
      }
      CU_ASSERT_EQUAL(row[P], -7.0);
    }
  CU_ASSERT(worst < 1e-12);
  free(x);
  free(J);
  free(seed);
  free(g);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}


/* ---------------------------------------------------- output transforms */

/* g = sin(x) exp(y), d = x (1 - x) y (1 - y), psi = 0.3 cos(x + 2 y), in
 * series form, with their closed-form partials. */
static int tg_ts(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(pt_sin(x[0]), pt_exp(x[1]));
  return 0;
}
static int td_ts(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_mul(pt_mul(x[0], pt_csub(1.0, x[0])), pt_mul(x[1], pt_csub(1.0, x[1])));
  return 0;
}
static int tpsi_ts(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = pt_scale(pt_cos(pt_add(x[0], pt_scale(x[1], 2.0))), 0.3);
  return 0;
}
static int tpsi_xjet(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_scale(px_cos(px_add(x[0], px_scale(x[1], 2.0))), 0.3);
  return 0;
}
static double tg_partial(const double *x, int a, int b)
{
  (void)b; /* d/dy exp(y) = exp(y) */
  return sin(x[0] + a * M_PI / 2) * exp(x[1]);
}
static double poly_d(double x, int a)
{
  return a == 0 ? x - x * x : a == 1 ? 1.0 - 2.0 * x : a == 2 ? -2.0 : 0.0;
}
static double td_partial(const double *x, int a, int b) { return poly_d(x[0], a) * poly_d(x[1], b); }


static double binom(int n, int k)
{
  double c = 1.0;
  for (int i = 0; i < k; ++i) c = c * (n - i) / (i + 1);
  return c;
}

/* The quantities of the transform tests: 9 partials and the Laplacian and
 * biharmonic (plan "full"), or only the value and the two Laplacians (plan
 * "collapsed": their tops travel as weighted sums). */
static const char *const tq_partials[] = {"",    "0",   "1",   "00",   "01",  "11",
                                           "000", "001", "111", "0000", "0011"};
static pinn_taylor *transform_plan(int collapsed)
{
  pinn_taylor *t = pinn_taylor_alloc(2, NULL);
  pinn_partial p;
  const size_t np = collapsed ? 1 : sizeof tq_partials / sizeof *tq_partials;
  for (size_t i = 0; i < np; ++i) {
    pinn_partial_parse(tq_partials[i], &p, NULL);
    pinn_taylor_add_partial(t, &p);
  }
  pinn_taylor_add_laplacian(t, 0x3, 1);
  pinn_taylor_add_laplacian(t, 0x3, 2);
  return t;
}

/* The multi-index sums each quantity of transform_plan stands for:
 * (a, b, coefficient) triples, up to 3. */
static size_t quantity_terms(int collapsed, size_t qi, int (*ab)[2], double *c)
{
  const size_t np = collapsed ? 1 : sizeof tq_partials / sizeof *tq_partials;
  if (qi < np) {
    const char *s = tq_partials[qi];
    ab[0][0] = ab[0][1] = 0;
    for (; *s; ++s) ab[0][*s - '0']++;
    c[0] = 1.0;
    return 1;
  }
  if (qi == np) { /* Laplacian */
    ab[0][0] = 2, ab[0][1] = 0, ab[1][0] = 0, ab[1][1] = 2;
    c[0] = c[1] = 1.0;
    return 2;
  }
  ab[0][0] = 4, ab[0][1] = 0, ab[1][0] = 2, ab[1][1] = 2, ab[2][0] = 0, ab[2][1] = 4;
  c[0] = 1.0, c[1] = 2.0, c[2] = 1.0;
  return 3;
}

static void dirichlet_series_transform_obeys_the_product_rule_to_order_four(void)
{
  pinn_mlp *net = small_net(2, 2, PINN_ACT_TANH, 71);
  const size_t m = 37, n_out = 2;
  double *x = random_points(m, 2, 72);
  /* the raw network's partials of order <= 4 */
  pinn_partial all[15];
  size_t na = all_partials(2, 0, 4, all);
  CU_ASSERT_EQUAL_FATAL(na, 15);
  pinn_taylor *r = pinn_taylor_alloc(2, NULL);
  for (size_t i = 0; i < na; ++i) pinn_taylor_add_partial(r, &all[i]);
  double *N = malloc(m * n_out * na * sizeof *N);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(r, net, m, x, N), PINN_SUCCESS);
  const pinn_transform tr = pinn_transform_dirichlet_series(1, tg_ts, td_ts, NULL);
  for (int collapsed = 0; collapsed < 2; ++collapsed) {
    pinn_taylor *t = transform_plan(collapsed);
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(t, 1, &tr), PINN_SUCCESS);
    size_t C = 0;
    pinn_taylor_plan(t, &C, NULL, NULL);
    if (collapsed) CU_ASSERT_EQUAL(C, 1 + 3 * 3 + 1); /* collapsed biharmonic top */
    const size_t Q = pinn_taylor_n_quantities(t);
    double *U = malloc(m * n_out * Q * sizeof *U), *V = malloc(m * n_out * Q * sizeof *V);
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, m, x, U), PINN_SUCCESS);
    pinn_taylor *plain = transform_plan(collapsed); /* the same plan without the transform */
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(plain, net, m, x, V), PINN_SUCCESS);
    double worst = 0.0;
    int big = 0;
    for (size_t p = 0; p < m; ++p)
      for (size_t qi = 0; qi < Q; ++qi) {
        int ab[3][2];
        double c[3], ref = 0.0;
        size_t nt = quantity_terms(collapsed, qi, ab, c);
        for (size_t j = 0; j < nt; ++j) {
          const int A = ab[j][0], Bb = ab[j][1];
          double u = tg_partial(x + 2 * p, A, Bb);
          for (int a = 0; a <= A; ++a)
            for (int b = 0; b <= Bb; ++b) {
              size_t k = 0; /* N's partial (A - a, B - b) */
              while (k < na && !(all[k].n[0] == A - a && all[k].n[1] == Bb - b)) ++k;
              u += binom(A, a) * binom(Bb, b) * td_partial(x + 2 * p, a, b) *
                   N[(p * n_out + 1) * na + k];
            }
          ref += c[j] * u;
        }
        const double got = U[(p * n_out + 1) * Q + qi];
        const double e = fabs(got - ref) / fmax(1.0, fabs(ref));
        if (e > worst) worst = e;
        if (fabs(ref) > 0.5) big++;
        /* the untransformed output is the plain plan's */
        CU_ASSERT_EQUAL(U[(p * n_out) * Q + qi], V[(p * n_out) * Q + qi]);
      }
    if (worst > 1e-11) printf("\n  collapsed %d: product rule: worst relative error %g", collapsed, worst);
    CU_ASSERT(worst < 1e-11);
    CU_ASSERT(big > (int)(m * Q / 4));
    free(U);
    free(V);
    pinn_taylor_free(plain);
    pinn_taylor_free(t);
  }
  free(N);
  free(x);
  pinn_taylor_free(r);
  pinn_mlp_free(net);
}

/* Quantity qi of output k at one point x (plan t). */
static double quantity_at(pinn_taylor *t, pinn_mlp *net, const double *x, size_t k, size_t qi)
{
  double out[2 * 16];
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval(t, net, 1, x, out), PINN_SUCCESS);
  return out[k * pinn_taylor_n_quantities(t) + qi];
}

/* d/dx_dir of quantity lo by Richardson central differences. */
static double fd_quantity(pinn_taylor *t, pinn_mlp *net, const double *x, size_t k, size_t lo,
                          int dir, double h)
{
  double y[2], v[4];
  const double off[4] = {h, -h, h / 2, -h / 2};
  for (int j = 0; j < 4; ++j) {
    y[0] = x[0], y[1] = x[1];
    y[dir] += off[j];
    v[j] = quantity_at(t, net, y, k, lo);
  }
  const double d1 = (v[0] - v[1]) / (2 * h), d2 = (v[2] - v[3]) / h;
  return (4 * d2 - d1) / 3;
}

/* Laplacian of quantity lo by the 5-point stencil, Richardson h, h/2. */
static double fd_laplacian(pinn_taylor *t, pinn_mlp *net, const double *x, size_t k, size_t lo,
                           double h)
{
  double L[2];
  for (int s = 0; s < 2; ++s) {
    const double hh = s ? h / 2 : h, c = quantity_at(t, net, x, k, lo);
    double sum = -4.0 * c, y[2];
    for (int dir = 0; dir < 2; ++dir)
      for (int sg = -1; sg <= 1; sg += 2) {
        y[0] = x[0], y[1] = x[1];
        y[dir] += sg * hh;
        sum += quantity_at(t, net, y, k, lo);
      }
    L[s] = sum / (hh * hh);
  }
  return (4 * L[1] - L[0]) / 3;
}

static void transformed_derivatives_match_differences_of_the_order_below(void)
{
  pinn_mlp *net = small_net(2, 2, PINN_ACT_TANH, 73);
  const double pts[3][2] = {{0.3, 0.6}, {-0.4, 0.2}, {0.7, -0.5}};
  /* quantity, the one below, direction (-1: Laplacian) in transform_plan(0):
   * "", "0", "1", "00", "01", "11", "000", "001", "111", "0000", "0011", lap, lap2 */
  static const int chk[][3] = {{1, 0, 0}, {2, 0, 1}, {3, 1, 0},  {4, 1, 1},  {5, 2, 1},  {6, 3, 0},
                               {7, 4, 0}, {8, 5, 1}, {9, 6, 0}, {10, 7, 1}, {12, 11, -1}};
  pinn_transform trs[2] = {pinn_transform_dirichlet_series(1, tg_ts, td_ts, NULL),
                           pinn_transform_obstacle_upper_series(0, tpsi_ts, 2.0, NULL)};
  for (int kind = 0; kind < 2; ++kind) {
    pinn_taylor *t = transform_plan(0);
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(t, 1, &trs[kind]), PINN_SUCCESS);
    const size_t k = trs[kind].component;
    double worst = 0.0;
    for (int p = 0; p < 3; ++p)
      for (size_t c = 0; c < sizeof chk / sizeof *chk; ++c) {
        const double got = quantity_at(t, net, pts[p], k, (size_t)chk[c][0]);
        const double fd = chk[c][2] < 0 ? fd_laplacian(t, net, pts[p], k, (size_t)chk[c][1], 1e-2)
                                        : fd_quantity(t, net, pts[p], k, (size_t)chk[c][1],
                                                      chk[c][2], 1e-3);
        const double e = fabs(got - fd) / fmax(1.0, fabs(fd));
        if (e > worst) worst = e;
      }
    if (worst > 1e-6) printf("\n  kind %d: worst relative difference error %g", kind, worst);
    CU_ASSERT(worst < 1e-6);
    /* the value is the transform of the network's value */
    double u[2], n[2];
    pinn_mlp_eval(net, 1, pts[0], n);
    double f[1], d[1], zero[2] = {0, 0};
    pinn_transform_series(&trs[kind], 2, pts[0], zero, 0, f, d, NULL);
    const double want = kind ? f[0] - log1p(exp(2.0 * n[0])) / 2.0 : f[0] + d[0] * n[1];
    u[k] = quantity_at(t, net, pts[0], k, 0);
    CU_ASSERT_DOUBLE_EQUAL(u[k], want, 1e-14);
    /* the collapsed plan (value, lap, lap2: other directions, summed tops)
     * gives the full plan's Laplacian and biharmonic */
    pinn_taylor *c = transform_plan(1);
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(c, 1, &trs[kind]), PINN_SUCCESS);
    size_t Cf = 0, Cc = 0;
    pinn_taylor_plan(t, &Cf, NULL, NULL);
    pinn_taylor_plan(c, &Cc, NULL, NULL);
    CU_ASSERT(Cc < Cf);
    for (int p = 0; p < 3; ++p)
      for (size_t j = 0; j < 2; ++j) {
        const double full = quantity_at(t, net, pts[p], k, 11 + j);
        const double coll = quantity_at(c, net, pts[p], k, 1 + j);
        CU_ASSERT(fabs(full - coll) <= 1e-12 * fmax(1.0, fabs(full)));
      }
    pinn_taylor_free(c);
    pinn_taylor_free(t);
  }
  pinn_mlp_free(net);
}

static void transformed_parameter_gradient_and_jacobian_match_references(void)
{
  size_t sizes[] = {2, 6, 5, 2};
  pinn_activation acts[2] = {pinn_activation_default(PINN_ACT_TANH),
                             pinn_activation_default(PINN_ACT_SIN)};
  pinn_mlp *net = make_net(4, sizes, acts, 0, 75);
  pinn_transform trs[2] = {pinn_transform_dirichlet_series(1, tg_ts, td_ts, NULL),
                           pinn_transform_obstacle_series(0, tpsi_ts, 3.0, NULL)};
  for (int collapsed = 0; collapsed < 2; ++collapsed) {
    pinn_taylor *t = transform_plan(collapsed);
    CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(t, 2, trs), PINN_SUCCESS);
    check_gradient(net, t, 37, 76 + (unsigned long)collapsed);
    pinn_taylor_free(t);
  }
  /* Jacobian rows: value and biharmonic of both outputs (the collapsed plan
   * without the Laplacian: lap2, "0") */
  pinn_taylor *t = pinn_taylor_alloc(2, NULL);
  pinn_taylor_add_laplacian(t, 0x3, 2);
  pinn_partial p;
  pinn_partial_parse("0", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(t, 2, trs), PINN_SUCCESS);
  const size_t n = 40, P = pinn_mlp_n_params(net), ldJ = P;
  double *x = random_points(n, 2, 77), *J = malloc(n * 2 * ldJ * sizeof *J);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_jacobian(t, net, n, x, 2, jac_rows, NULL, J, ldJ), PINN_SUCCESS);
  double *seed = calloc(n * 4, sizeof *seed), *g = malloc(P * sizeof *g), worst = 0.0;
  for (size_t pt = 0; pt < n; pt += 13)
    for (size_t r = 0; r < 2; ++r) {
      memset(seed, 0, n * 4 * sizeof *seed);
      memcpy(seed + pt * 4, rowc[r], sizeof rowc[r]);
      memset(g, 0, P * sizeof *g);
      CU_ASSERT_EQUAL_FATAL(pinn_taylor_eval_grad(t, net, n, x, seed, NULL, g), PINN_SUCCESS);
      const double *row = J + (pt * 2 + r) * ldJ;
      for (size_t j = 0; j < P; ++j) worst = fmax(worst, fabs(row[j] - g[j]) / fmax(1.0, fabs(g[j])));
    }
  CU_ASSERT(worst < 1e-12);
  free(x);
  free(J);
  free(seed);
  free(g);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

static int failing_series(const pinn_ts *x, pinn_ts *out, void *ctx)
{
  (void)ctx;
  *out = x[0];
  return x[0].c[0] > 0.63 ? 7 : 0; /* points 32.. (x_0 = 0.02 p) */
}

static void transforms_in_xjet_form_or_failing_are_refused_with_reasons(void)
{
  pinn_taylor *t = transform_plan(1);
  const pinn_transform xj = pinn_transform_obstacle(0, tpsi_xjet, 2.0, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_set_transforms(t, 1, &xj), PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "series form"));
  pinn_mlp *net = small_net(2, 1, PINN_ACT_TANH, 79);
  const pinn_transform far = pinn_transform_dirichlet_series(1, NULL, td_ts, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(t, 1, &far), PINN_SUCCESS);
  double x[2 * 40], out[40 * 3];
  for (size_t i = 0; i < 80; ++i) x[i] = 0.01 * (double)i;
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 40, x, out), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "output 1"));
  const pinn_transform bad = pinn_transform_dirichlet_series(0, NULL, failing_series, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_taylor_set_transforms(t, 1, &bad), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 40, x, out), PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "returned 7"));
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "block of points 32..39"));
  CU_ASSERT_EQUAL(pinn_taylor_set_transforms(t, 0, NULL), PINN_SUCCESS); /* removed */
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 40, x, out), PINN_SUCCESS);
  pinn_mlp_free(net);
  pinn_taylor_free(t);
}

static void one_and_two_threads_give_bitwise_identical_results(void)
{
  pinn_mlp *net = small_net(2, 1, PINN_ACT_TANH, 51);
  pinn_taylor *t = pinn_taylor_alloc(2, NULL);
  pinn_taylor_add_laplacian(t, 0x3, 2);
  pinn_partial p;
  pinn_partial_parse("001", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  const size_t n = 1000, P = pinn_mlp_n_params(net);
  double *x = random_points(n, 2, 3), *sd = random_points(2 * n, 1, 4);
  double *o1 = malloc(2 * n * sizeof *o1), *o2 = malloc(2 * n * sizeof *o2);
  double *g1 = calloc(P, sizeof *g1), *g2 = calloc(P, sizeof *g2);
  pinn_mlp_set_threads(net, 1);
  CU_ASSERT_EQUAL(pinn_taylor_eval_grad(t, net, n, x, sd, o1, g1), PINN_SUCCESS);
  pinn_mlp_set_threads(net, 2);
  CU_ASSERT_EQUAL(pinn_taylor_eval_grad(t, net, n, x, sd, o2, g2), PINN_SUCCESS);
  CU_ASSERT_EQUAL(memcmp(o1, o2, 2 * n * sizeof *o1), 0);
  CU_ASSERT_EQUAL(memcmp(g1, g2, P * sizeof *g1), 0);
  free(x);
  free(sd);
  free(o1);
  free(o2);
  free(g1);
  free(g2);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
}

static void bad_requests_are_refused_with_clear_messages(void)
{
  pinn_error err;
  pinn_partial p;
  CU_ASSERT_PTR_NULL(pinn_taylor_alloc(0, &err));
  CU_ASSERT_PTR_NULL(pinn_taylor_alloc(PINN_TAYLOR_MAX_INPUTS + 1, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1 to 9 inputs"));
  CU_ASSERT_EQUAL(pinn_partial_parse("000000000", &p, &err), PINN_EINVAL); /* order 9 */
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "highest order is 8"));
  CU_ASSERT_EQUAL(pinn_partial_parse("0x", &p, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an input index"));
  CU_ASSERT_EQUAL(pinn_partial_parse(NULL, &p, &err), PINN_EINVAL);

  pinn_taylor *t = pinn_taylor_alloc(2, &err);
  CU_ASSERT_EQUAL(pinn_partial_parse("02", &p, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_EINVAL); /* input 2 of 2 */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "input 2"));
  memset(&p, 0, sizeof p);
  p.n[0] = 5;
  p.n[1] = 4;
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_EINVAL); /* order 9 */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "highest order"));
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(NULL, &p), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x4, 1), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_taylor_add_laplacian(t, 0x3, 5), PINN_EINVAL);
  double c = NAN;
  pinn_partial_parse("0", &p, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_add_sum(t, 1, &c, &p), PINN_EINVAL);
  /* no quantities yet */
  CU_ASSERT_EQUAL(pinn_taylor_plan(t, NULL, NULL, NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "no quantities"));

  /* ReLU-family networks: first order fine, second order refused */
  size_t sizes[] = {2, 5, 5, 1};
  pinn_activation relu[2] = {pinn_activation_default(PINN_ACT_RELU),
                             pinn_activation_default(PINN_ACT_LEAKY_RELU)};
  pinn_mlp *net = make_net(4, sizes, relu, 0, 3);
  double x[2] = {0.3, -0.2}, out[4];
  pinn_partial_parse("0", &p, NULL);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 1, x, out), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_taylor_add_partial(t, &p), PINN_EINVAL); /* plan built */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "plan is built"));
  pinn_taylor_free(t);
  t = pinn_taylor_alloc(2, NULL);
  pinn_partial_parse("01", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 1, x, out), PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "piecewise linear"));
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, NULL, 1, x, out), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 1, NULL, out), PINN_EINVAL);
  pinn_mlp_free(net);
  net = small_net(3, 1, PINN_ACT_TANH, 1);
  CU_ASSERT_EQUAL(pinn_taylor_eval(t, net, 1, x, out), PINN_EINVAL); /* 3 inputs vs 2 */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_taylor_errmsg(t), "3 inputs"));
  pinn_mlp_free(net);
  pinn_taylor_free(t);
  pinn_taylor_free(NULL);
}

/* Derivative names: input names (longest match: x0 before x), or d and
 * indices; the refusals name the inputs. */
static void partials_parse_by_name_and_by_index(void)
{
  static const char *const xyt[3] = {"x", "y", "t"};
  static const char *const x5t[6] = {"x0", "x1", "x2", "x3", "x4", "t"};
  pinn_partial p;
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_partial_parse_names("xxt", 3, xyt, &p, &e), 0);
  CU_ASSERT(p.n[0] == 2 && p.n[1] == 0 && p.n[2] == 1 && pinn_partial_order(&p) == 3);
  CU_ASSERT_EQUAL(pinn_partial_parse_names("d0012", 3, xyt, &p, &e), 0);
  CU_ASSERT(p.n[0] == 2 && p.n[1] == 1 && p.n[2] == 1);
  CU_ASSERT_EQUAL(pinn_partial_parse_names("x0x0x3x3t", 6, x5t, &p, &e), 0);
  CU_ASSERT(p.n[0] == 2 && p.n[3] == 2 && p.n[5] == 1 && pinn_partial_order(&p) == 5);
  CU_ASSERT_EQUAL(pinn_partial_parse_names("d55", 6, x5t, &p, &e), 0);
  CU_ASSERT(p.n[5] == 2 && pinn_partial_order(&p) == 2);
  /* names that are prefixes of others: the longest wins */
  static const char *const pre[2] = {"x", "x1"};
  CU_ASSERT_EQUAL(pinn_partial_parse_names("x1xx1", 2, pre, &p, &e), 0);
  CU_ASSERT(p.n[0] == 1 && p.n[1] == 2);
  /* refusals */
  CU_ASSERT_EQUAL(pinn_partial_parse_names("x", 6, x5t, &p, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'x' starts no input name (inputs: x0, x1, x2, x3, x4, t)"));
  CU_ASSERT_EQUAL(pinn_partial_parse_names("x5", 6, x5t, &p, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_partial_parse_names("xz", 3, xyt, &p, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'z'"));
  CU_ASSERT_EQUAL(pinn_partial_parse_names("d3", 3, xyt, &p, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "input 3 does not exist (inputs 0..2: x, y, t)"));
  CU_ASSERT_EQUAL(pinn_partial_parse_names("xxxxxxxxx", 3, xyt, &p, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "order above 8"));
  CU_ASSERT_EQUAL(pinn_partial_parse_names("", 3, xyt, &p, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_partial_parse_names("d", 3, xyt, &p, &e), PINN_EINVAL); /* not a name */
  CU_ASSERT_EQUAL(pinn_partial_parse_names("x", 0, xyt, &p, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_partial_parse_names("x", 10, xyt, &p, &e), PINN_EINVAL);
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"dirichlet_series_transform_obeys_the_product_rule_to_order_four",
     dirichlet_series_transform_obeys_the_product_rule_to_order_four},
    {"transformed_derivatives_match_differences_of_the_order_below",
     transformed_derivatives_match_differences_of_the_order_below},
    {"transformed_parameter_gradient_and_jacobian_match_references",
     transformed_parameter_gradient_and_jacobian_match_references},
    {"transforms_in_xjet_form_or_failing_are_refused_with_reasons",
     transforms_in_xjet_form_or_failing_are_refused_with_reasons},
      {"activation_derivatives_of_every_order_match_finite_differences",
       activation_derivatives_of_every_order_match_finite_differences},
      {"relu_family_is_refused_beyond_the_first_derivative",
       relu_family_is_refused_beyond_the_first_derivative},
      {"partials_up_to_order_four_match_references_in_1_2_3_and_5_inputs",
       partials_up_to_order_four_match_references_in_1_2_3_and_5_inputs},
      {"sixth_derivative_in_1d_matches_closed_form_and_differences",
       sixth_derivative_in_1d_matches_closed_form_and_differences},
      {"collapsed_laplacian_and_biharmonic_are_cheap_and_exact",
       collapsed_laplacian_and_biharmonic_are_cheap_and_exact},
      {"parameter_gradient_matches_central_differences",
       parameter_gradient_matches_central_differences},
      {"fused_loss_pass_matches_eval_grad", fused_loss_pass_matches_eval_grad},
      {"jacobian_rows_equal_single_point_gradients", jacobian_rows_equal_single_point_gradients},
      {"one_and_two_threads_give_bitwise_identical_results",
       one_and_two_threads_give_bitwise_identical_results},
      {"bad_requests_are_refused_with_clear_messages", bad_requests_are_refused_with_clear_messages},
      {"input_map_scales_every_order_and_the_gradient", input_map_scales_every_order_and_the_gradient},
      {"rank_shares_combine_to_the_whole_pass_bitwise", rank_shares_combine_to_the_whole_pass_bitwise},
      {"partials_parse_by_name_and_by_index", partials_parse_by_name_and_by_index},
      {"periodic_embedding_gives_every_order_and_the_gradient",
       periodic_embedding_gives_every_order_and_the_gradient},
      {"fourier_features_give_every_order_and_the_gradient",
       fourier_features_give_every_order_and_the_gradient},
      {NULL, NULL}};
  if (pinn_test_add_suite("taylor", cases)) return 1;
  return pinn_test_run_all();
}
