/* Tests for network diagnostics: dead units and sparsity on hand-built ReLU
 * nets, PReLU slope statistics, spectral norms of matrices with known
 * singular values, the Lipschitz bound against empirical difference quotients
 * (an upper bound for every activation, attained for one-unit nets and
 * aligned linear nets), the summary text, and error handling. */
#include <pinn/diagnostics.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"

/* ---------------------------------------------------------------- helpers */

/* A network with parameters zeroed (PReLU slopes at act's param). */
static pinn_mlp *make_net(size_t L, const size_t *sizes, pinn_activation act, int per_unit)
{
  pinn_activation acts[16];
  for (size_t l = 0; l + 2 < L; ++l) acts[l] = act;
  pinn_mlp_layout lay = {L, sizes, acts, per_unit, NULL};
  pinn_error err;
  pinn_mlp *net = pinn_mlp_alloc(&lay, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  return net;
}

/* W_l[o][i] = v */
static void set_w(pinn_mlp *net, size_t l, size_t o, size_t i, double v)
{
  pinn_mlp_params(net)[pinn_mlp_weight_offset(net, l) + o * pinn_mlp_layer_size(net, l - 1) + i] = v;
}

static void set_b(pinn_mlp *net, size_t l, size_t o, double v)
{
  pinn_mlp_params(net)[pinn_mlp_bias_offset(net, l) + o] = v;
}

static void set_slope(pinn_mlp *net, size_t l, size_t u, double v)
{
  pinn_mlp_params(net)[pinn_mlp_slope_offset(net, l) + u] = v;
}

/* Random weights (He), biases N(0, 0.3^2) and PReLU slopes in [-2, 2]. */
static void randomise(pinn_mlp *net, gsl_rng *r)
{
  CU_ASSERT_EQUAL(pinn_mlp_init(net, PINN_INIT_HE, r), 0);
  double *th = pinn_mlp_params(net);
  const size_t L = pinn_mlp_n_layers(net);
  for (size_t l = 1; l < L; ++l) {
    const size_t H = pinn_mlp_layer_size(net, l);
    for (size_t u = 0; u < H; ++u) th[pinn_mlp_bias_offset(net, l) + u] = gsl_ran_gaussian(r, 0.3);
    size_t so = pinn_mlp_slope_offset(net, l);
    if (so != (size_t)-1) {
      size_t na = pinn_mlp_prelu_per_unit(net) ? H : 1;
      for (size_t u = 0; u < na; ++u) th[so + u] = -2.0 + 4.0 * gsl_rng_uniform(r);
    }
  }
}

/* The [1,3,1] net of the dead-unit tests: z0 = x (active), z1 = -x - 0.5
 * (negative on x >= 0: dead), z2 = x - 0.5 (active for x > 0.5). */
static pinn_mlp *three_unit_net(pinn_activation act)
{
  static const size_t sizes[] = {1, 3, 1};
  pinn_mlp *net = make_net(3, sizes, act, 0);
  set_w(net, 1, 0, 0, 1.0);
  set_w(net, 1, 1, 0, -1.0);
  set_b(net, 1, 1, -0.5);
  set_w(net, 1, 2, 0, 1.0);
  set_b(net, 1, 2, -0.5);
  for (size_t u = 0; u < 3; ++u) set_w(net, 2, 0, u, 1.0);
  return net;
}

static const double four_points[] = {0.2, 0.4, 0.6, 0.8};

/* Diagnostics of net over four_points (which must succeed). */
static pinn_diagnostics at_four_points(pinn_mlp *net)
{
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 4, four_points, &d, NULL), 0);
  return d;
}

/* Assert the family flags and the dead-unit count of one layer's statistics. */
static void expect_units(const pinn_layer_diagnostics *l, int relu_family, int blocked,
                         size_t dead)
{
  CU_ASSERT_EQUAL(l->relu_family, relu_family);
  CU_ASSERT_EQUAL(l->gradient_blocked, blocked);
  CU_ASSERT_EQUAL(l->dead_units, dead);
}

/* ------------------------------------------------------------ dead units */

static void relu_net_with_one_unit_negative_on_every_point_reports_one_third_dead(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_RELU));
  pinn_diagnostics d = at_four_points(net);
  CU_ASSERT_EQUAL(d.n_hidden, 1);
  CU_ASSERT_EQUAL(d.n_points, 4);
  CU_ASSERT_EQUAL(d.layer[0].width, 3);
  CU_ASSERT_EQUAL(d.layer[0].act.kind, PINN_ACT_RELU);
  expect_units(&d.layer[0], 1, 1, 1);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].dead_fraction, 1.0 / 3.0, 1e-15);
  /* inactive pairs: unit 1 on all 4 points, unit 2 at 0.2 and 0.4 -> 6 of 12 */
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, 0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].negative_fraction, 0.5, 1e-15);
  CU_ASSERT_EQUAL(d.layer[0].has_slopes, 0);
  CU_ASSERT(isnan(d.layer[0].slope_mean));
  /* With bias +1.5, z1 = 1.5 - x > 0 on every point: no unit is dead any more. */
  set_b(net, 1, 1, 1.5);
  d = at_four_points(net);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, 2.0 / 12.0, 1e-15);
  pinn_mlp_free(net);
}

static void unit_exactly_at_zero_on_every_point_counts_as_dead_but_not_negative(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_RELU));
  set_w(net, 1, 0, 0, 0.0); /* z0 = 0 everywhere */
  pinn_diagnostics d = at_four_points(net);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 2);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, 10.0 / 12.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].negative_fraction, 6.0 / 12.0, 1e-15);
  pinn_mlp_free(net);
}

static void leaky_units_negative_everywhere_are_counted_but_flagged_as_passing_gradient(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_LEAKY_RELU));
  pinn_diagnostics d = at_four_points(net);
  expect_units(&d.layer[0], 1, 0, 1);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].dead_fraction, 1.0 / 3.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, 0.5, 1e-15);
  pinn_mlp_free(net);
  /* Leaky with alpha = 0 is ReLU: its all-negative units are dead. */
  pinn_activation a0 = {PINN_ACT_LEAKY_RELU, 0.0};
  net = three_unit_net(a0);
  d = at_four_points(net);
  expect_units(&d.layer[0], 1, 1, 1);
  pinn_mlp_free(net);
}

static void smooth_layers_report_negative_fraction_but_no_dead_units(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_TANH));
  pinn_diagnostics d = at_four_points(net);
  expect_units(&d.layer[0], 0, 0, 0);
  CU_ASSERT(isnan(d.layer[0].dead_fraction));
  CU_ASSERT(isnan(d.layer[0].inactive_fraction));
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].negative_fraction, 0.5, 1e-15);
  pinn_mlp_free(net);
}

static void a_unit_firing_only_at_the_first_or_last_of_many_points_is_not_dead(void)
{
  /* More points than one chunk of pre-activations holds (65536 / 3). */
  const size_t n = 50000;
  double *x = malloc(n * sizeof *x);
  for (size_t p = 0; p < n; ++p) x[p] = 0.5 * (double)p / (double)n; /* < 0.5: z2 <= 0 */
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_RELU));
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, n, x, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 2);
  x[n - 1] = 0.75; /* z2 = 0.25 > 0 at the very last point */
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, n, x, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 1);
  /* inactive: unit 0 at x = 0 only, unit 1 always, unit 2 all but one */
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, (1.0 + n + (n - 1.0)) / (3.0 * n), 1e-15);
  x[n - 1] = 0.25;
  x[0] = 0.75; /* now only the first point, in the first chunk */
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, n, x, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 1);
  pinn_mlp_free(net);
  free(x);
}

static void deeper_layers_see_the_activated_outputs_of_earlier_layers(void)
{
  /* [1,2,1,1] ReLU: a1 = (relu(x), relu(-x)), z2 = a1_0 + a1_1 - 0.5 = |x| - 0.5 */
  static const size_t sizes[] = {1, 2, 1, 1};
  pinn_mlp *net = make_net(4, sizes, pinn_activation_default(PINN_ACT_RELU), 0);
  set_w(net, 1, 0, 0, 1.0);
  set_w(net, 1, 1, 0, -1.0);
  set_w(net, 2, 0, 0, 1.0);
  set_w(net, 2, 0, 1, 1.0);
  set_b(net, 2, 0, -0.5);
  set_w(net, 3, 0, 0, 1.0);
  const double x[] = {-0.25, 0.25, 0.1, -0.4};
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 4, x, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.n_hidden, 2);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, 0.5, 1e-15);
  CU_ASSERT_EQUAL(d.layer[1].dead_units, 1); /* |x| < 0.5 on every point */
  CU_ASSERT_DOUBLE_EQUAL(d.layer[1].dead_fraction, 1.0, 1e-15);
  /* with x = 0.9 the second-layer unit fires (a linear first layer would say -1.4) */
  const double y[] = {-0.25, 0.25, 0.1, -0.9};
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 4, y, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.layer[1].dead_units, 0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[1].inactive_fraction, 0.75, 1e-15);
  pinn_mlp_free(net);
}

/* ------------------------------------------------------------ sparsity */

static void symmetric_zero_mean_preactivations_are_half_inactive(void)
{
  const size_t H = 64, n = 200;
  const size_t sizes[] = {1, H, 1};
  pinn_mlp *net = make_net(3, sizes, pinn_activation_default(PINN_ACT_RELU), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  for (size_t u = 0; u < H; ++u) set_w(net, 1, u, 0, gsl_ran_gaussian(r, 1.0));
  double x[200];
  for (size_t p = 0; p < n / 2; ++p) x[2 * p] = -(x[2 * p + 1] = (p + 1.0) / 100.0);
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, n, x, &d, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].inactive_fraction, 0.5, 1e-15); /* z = w x, x symmetric */
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 0);
  pinn_mlp_free(net);
  gsl_rng_free(r);
}

static void gaussian_preactivations_are_inactive_with_probability_phi_of_minus_mu_over_sigma(void)
{
  /* z_u = w_u * 1 + mu with w_u ~ N(0, sigma^2): P(z <= 0) = Phi(-mu / sigma). */
  const size_t H = 4096;
  const size_t sizes[] = {1, H, 1};
  pinn_mlp *net = make_net(3, sizes, pinn_activation_default(PINN_ACT_RELU), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  const double mu = 0.5, sigma = 1.5, one = 1.0;
  for (size_t u = 0; u < H; ++u) {
    set_w(net, 1, u, 0, gsl_ran_gaussian(r, sigma));
    set_b(net, 1, u, mu);
  }
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 1, &one, &d, NULL), 0);
  const double p = gsl_cdf_ugaussian_P(-mu / sigma); /* 0.3694 */
  const double se = sqrt(p * (1 - p) / H);            /* 0.0075 */
  CU_ASSERT(fabs(d.layer[0].inactive_fraction - p) < 4 * se);
  /* one point: the inactive units are exactly the dead ones */
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].dead_fraction, d.layer[0].inactive_fraction, 1e-15);
  pinn_mlp_free(net);
  gsl_rng_free(r);
}

/* ------------------------------------------------------------ PReLU slopes */

static void prelu_per_unit_slopes_give_mean_min_max_and_the_largest_magnitude_lipschitz(void)
{
  pinn_mlp *net = make_net(3, (const size_t[]){1, 3, 1}, pinn_activation_default(PINN_ACT_PRELU), 1);
  set_w(net, 1, 0, 0, 1.0);  /* z0 = x */
  set_w(net, 1, 1, 0, -1.0); /* z1 = -x */
  set_w(net, 1, 2, 0, 2.0);  /* z2 = 2x + 1 */
  set_b(net, 1, 2, 1.0);
  set_slope(net, 1, 0, 0.1);
  set_slope(net, 1, 1, 0.5);
  set_slope(net, 1, 2, -2.0);
  const double x[] = {-1.0, -0.25, 0.5, 1.0};
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 4, x, &d, NULL), 0);
  const pinn_layer_diagnostics *l = &d.layer[0];
  CU_ASSERT_EQUAL(l->has_slopes, 1);
  CU_ASSERT_EQUAL(l->n_slopes, 3);
  CU_ASSERT_DOUBLE_EQUAL(l->slope_mean, (0.1 + 0.5 - 2.0) / 3.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(l->slope_min, -2.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(l->slope_max, 0.5, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(l->act_lipschitz, 2.0, 0.0); /* max(1, |-2|), not the initial 0.25 */
  /* W1 = (1, -1, 2)^T: ||W1|| = sqrt 6 */
  CU_ASSERT_DOUBLE_EQUAL(l->spectral_norm, sqrt(6.0), 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(l->lipschitz_factor, 2.0 * sqrt(6.0), 1e-14);
  /* negative z: unit 0 at -1, -0.25; unit 1 at 0.5, 1; unit 2 at -1 (z = -1) -> 5 of 12 */
  CU_ASSERT_DOUBLE_EQUAL(l->negative_fraction, 5.0 / 12.0, 1e-15);
  CU_ASSERT_EQUAL(l->gradient_blocked, 0);
  CU_ASSERT_EQUAL(l->dead_units, 0);
  pinn_mlp_free(net);
}

static void prelu_one_slope_per_layer_reports_that_slope(void)
{
  const size_t sizes[] = {2, 4, 4, 1};
  pinn_activation pr = {PINN_ACT_PRELU, 0.25};
  pinn_mlp *net = make_net(4, sizes, pr, 0);
  set_slope(net, 1, 0, 3.0);
  set_slope(net, 2, 0, -0.5);
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.layer[0].n_slopes, 1);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].slope_mean, 3.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].slope_min, 3.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].slope_max, 3.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].act_lipschitz, 3.0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[1].slope_mean, -0.5, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[1].act_lipschitz, 1.0, 0.0);
  pinn_mlp_free(net);
}

/* ------------------------------------------------------------ spectral norms */

static void spectral_norm_of_a_diagonal_matrix_is_its_largest_absolute_entry(void)
{
  const double D[] = {3, 0, 0, 0, -5, 0, 0, 0, 0.5};
  double s;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(D, 3, 3, &s, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(s, 5.0, 5e-15);
  const double Z[] = {0, 0, 0, 0};
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(Z, 2, 2, &s, NULL), 0);
  CU_ASSERT_EQUAL(s, 0.0);
}

static void spectral_norm_of_a_rank_one_matrix_is_the_product_of_the_vector_norms(void)
{
  const double u[] = {1, 2, 2}, v[] = {3, 4}; /* |u| = 3, |v| = 5 */
  double A[6], At[6], s;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) At[j * 3 + i] = A[i * 2 + j] = u[i] * v[j];
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(A, 3, 2, &s, NULL), 0); /* tall */
  CU_ASSERT(pinn_test_reldiff(s, 15.0, 1.0) < 1e-15);
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(At, 2, 3, &s, NULL), 0); /* wide */
  CU_ASSERT(pinn_test_reldiff(s, 15.0, 1.0) < 1e-15);
  /* a single row or column: the Euclidean norm */
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(u, 1, 3, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, 3.0, 1.0) < 1e-15);
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(v, 2, 1, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, 5.0, 1.0) < 1e-15);
}

static void spectral_norm_of_two_by_two_matrices_matches_their_known_singular_values(void)
{
  /* [[1,1],[0,1]]: singular values phi and 1/phi (golden ratio) */
  const double S[] = {1, 1, 0, 1}, B[] = {3, 0, 4, 5}; /* B^T B = [[25,20],[20,25]]: 45, 5 */
  double s;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(S, 2, 2, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, (1 + sqrt(5.0)) / 2, 1.0) < 4e-16);
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(B, 2, 2, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, 3 * sqrt(5.0), 1.0) < 4e-16);
  /* scaling by 1e200 and 1e-200 neither overflows nor underflows */
  double Bh[4], Bt[4];
  for (int i = 0; i < 4; ++i) Bh[i] = 1e200 * B[i], Bt[i] = 1e-200 * B[i];
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(Bh, 2, 2, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, 3e200 * sqrt(5.0), 1.0) < 1e-15);
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(Bt, 2, 2, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, 3e-200 * sqrt(5.0), 0.0) < 1e-15);
}

static void spectral_norm_agrees_with_power_iteration_on_a_random_matrix(void)
{
  enum { R = 40, C = 25 };
  static double W[R * C];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  for (int i = 0; i < R * C; ++i) W[i] = gsl_ran_gaussian(r, 1.0);
  gsl_rng_free(r);
  /* power iteration on W^T W, plenty of steps for a random Gaussian matrix */
  double v[C], w[R], lam = 0;
  for (int j = 0; j < C; ++j) v[j] = 1.0;
  for (int it = 0; it < 5000; ++it) {
    double nv = 0;
    for (int i = 0; i < R; ++i) {
      w[i] = 0;
      for (int j = 0; j < C; ++j) w[i] += W[i * C + j] * v[j];
    }
    for (int j = 0; j < C; ++j) {
      v[j] = 0;
      for (int i = 0; i < R; ++i) v[j] += W[i * C + j] * w[i];
      nv += v[j] * v[j];
    }
    nv = sqrt(nv);
    lam = nv;
    for (int j = 0; j < C; ++j) v[j] /= nv;
  }
  double s;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(W, R, C, &s, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(s, sqrt(lam), 1.0) < 1e-12);
  /* and the transpose has the same norm */
  static double Wt[R * C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) Wt[j * R + i] = W[i * C + j];
  double st;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_spectral_norm(Wt, C, R, &st, NULL), 0);
  CU_ASSERT(pinn_test_reldiff(st, s, 1.0) < 1e-14);
}

static void network_reports_the_spectral_norm_of_every_layer(void)
{
  /* [2,3,2,1] tanh: W1 = u v^T (3x2), W2 = [[1,1,0],[0,1,0]] (norm phi), W3 = (3, 4) */
  const size_t sizes[] = {2, 3, 2, 1};
  pinn_mlp *net = make_net(4, sizes, pinn_activation_default(PINN_ACT_SIGMOID), 0);
  const double u[] = {1, 2, 2}, v[] = {3, 4};
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 2; ++j) set_w(net, 1, i, j, u[i] * v[j]);
  set_w(net, 2, 0, 0, 1);
  set_w(net, 2, 0, 1, 1);
  set_w(net, 2, 1, 1, 1);
  set_w(net, 3, 0, 0, 3);
  set_w(net, 3, 0, 1, 4);
  for (size_t o = 0; o < 3; ++o) set_b(net, 1, o, 100.0); /* biases do not enter */
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
  const double phi = (1 + sqrt(5.0)) / 2;
  CU_ASSERT(pinn_test_reldiff(d.layer[0].spectral_norm, 15.0, 1.0) < 1e-15);
  CU_ASSERT(pinn_test_reldiff(d.layer[1].spectral_norm, phi, 1.0) < 1e-15);
  CU_ASSERT(pinn_test_reldiff(d.output_spectral_norm, 5.0, 1.0) < 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].act_lipschitz, 0.25, 0.0); /* sigmoid */
  CU_ASSERT(pinn_test_reldiff(d.layer[0].lipschitz_factor, 15.0 / 4, 1.0) < 1e-15);
  CU_ASSERT(pinn_test_reldiff(d.lipschitz_bound, 15.0 / 4 * phi / 4 * 5.0, 1.0) < 1e-14);
  pinn_mlp_free(net);
}

/* ------------------------------------------------------------ Lipschitz bound */

/* Largest ||u(x) - u(y)||_2 / ||x - y||_2 over `pairs` random pairs in
 * [-2, 2]^d: half far apart, half 1e-5 apart (local Jacobian norms). */
static double empirical_lipschitz(pinn_mlp *net, size_t pairs, gsl_rng *r)
{
  const size_t d = pinn_mlp_n_in(net), m = pinn_mlp_n_out(net);
  double *x = malloc(2 * pairs * d * sizeof *x), *u = malloc(2 * pairs * m * sizeof *u);
  for (size_t p = 0; p < pairs; ++p) {
    double *a = x + 2 * p * d, *b = a + d;
    for (size_t i = 0; i < d; ++i) {
      a[i] = -2 + 4 * gsl_rng_uniform(r);
      b[i] = (p % 2) ? -2 + 4 * gsl_rng_uniform(r) : a[i] + 1e-5 * gsl_ran_gaussian(r, 1.0);
    }
  }
  CU_ASSERT_EQUAL(pinn_mlp_eval(net, 2 * pairs, x, u), 0);
  double best = 0;
  for (size_t p = 0; p < pairs; ++p) {
    double dx = 0, du = 0;
    for (size_t i = 0; i < d; ++i) dx += gsl_pow_2(x[(2 * p + 1) * d + i] - x[2 * p * d + i]);
    for (size_t k = 0; k < m; ++k) du += gsl_pow_2(u[(2 * p + 1) * m + k] - u[2 * p * m + k]);
    if (dx > 0) best = fmax(best, sqrt(du / dx));
  }
  free(x);
  free(u);
  return best;
}

static void lipschitz_bound_exceeds_every_empirical_difference_quotient_for_every_activation(void)
{
  static const size_t shapes[2][4] = {{2, 8, 8, 1}, {3, 6, 5, 2}};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2024);
  for (int k = 0; k < PINN_ACT_COUNT; ++k)
    for (int s = 0; s < 2; ++s)
      for (int per_unit = 0; per_unit < 2; ++per_unit) {
        pinn_mlp *net = make_net(4, shapes[s], pinn_activation_default((pinn_activation_kind)k), per_unit);
        randomise(net, r);
        pinn_diagnostics d;
        CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
        double emp = empirical_lipschitz(net, 4000, r);
        CU_ASSERT(emp > 0);
        CU_ASSERT(emp <= d.lipschitz_bound * (1 + 1e-6)); /* 1e-6: rounding of 1e-5 quotients */
        if (!(emp <= d.lipschitz_bound * (1 + 1e-6)))
          fprintf(stderr, "%s: empirical %g > bound %g\n",
                  pinn_activation_name((pinn_activation_kind)k), emp, d.lipschitz_bound);
        double prod = d.output_spectral_norm;
        for (size_t l = 0; l < d.n_hidden; ++l) prod *= d.layer[l].lipschitz_factor;
        CU_ASSERT(pinn_test_reldiff(prod, d.lipschitz_bound, 1.0) < 1e-15);
        pinn_mlp_free(net);
      }
  gsl_rng_free(r);
}

static void one_unit_nets_attain_their_bound_for_every_activation(void)
{
  /* u(x) = w2 s(w1 x + b): Lip = |w1 w2| sup|s'|, attained on a fine grid
   * (Softplus and Leaky's sup is approached as x -> +inf; PReLU's slope -3
   * on the negative side). */
  static const size_t sizes[] = {1, 1, 1};
  const size_t n = 120001;
  double *x = malloc(n * sizeof *x), *u = malloc(n * sizeof *u);
  const double h = 1e-3;
  for (size_t p = 0; p < n; ++p) x[p] = -60.0 + h * (double)p;
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    pinn_mlp *net = make_net(3, sizes, pinn_activation_default((pinn_activation_kind)k), 0);
    set_w(net, 1, 0, 0, 0.5);
    set_b(net, 1, 0, 0.3);
    set_w(net, 2, 0, 0, -1.5);
    if (k == PINN_ACT_PRELU) set_slope(net, 1, 0, -3.0);
    pinn_diagnostics d;
    CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
    CU_ASSERT_EQUAL(pinn_mlp_eval(net, n, x, u), 0);
    double emp = 0;
    for (size_t p = 0; p + 1 < n; ++p) emp = fmax(emp, fabs(u[p + 1] - u[p]) / (x[p + 1] - x[p]));
    CU_ASSERT(emp <= d.lipschitz_bound * (1 + 1e-9));
    CU_ASSERT(emp >= d.lipschitz_bound * (1 - 1e-6));
    if (!(emp >= d.lipschitz_bound * (1 - 1e-6)) || !(emp <= d.lipschitz_bound * (1 + 1e-9)))
      fprintf(stderr, "%s: empirical %.12g, bound %.12g\n",
              pinn_activation_name((pinn_activation_kind)k), emp, d.lipschitz_bound);
    pinn_mlp_free(net);
  }
  free(x);
  free(u);
}

static void identity_network_bound_is_exact_when_the_singular_vectors_align(void)
{
  /* u = W2 W1 x, W1 = diag(3, 0.5), W2 = diag(2, 1): W2 W1 = diag(6, 0.5),
   * Lip = 6 = ||W2|| ||W1||, attained along e1. */
  static const size_t sizes[] = {2, 2, 2};
  pinn_mlp *net = make_net(3, sizes, pinn_activation_default(PINN_ACT_IDENTITY), 0);
  set_w(net, 1, 0, 0, 3.0);
  set_w(net, 1, 1, 1, 0.5);
  set_w(net, 2, 0, 0, 2.0);
  set_w(net, 2, 1, 1, 1.0);
  set_b(net, 1, 0, 0.7);
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(d.lipschitz_bound, 6.0, 1e-14);
  const double x[] = {0.1, -0.2, 1.1, -0.2};
  double u[4];
  CU_ASSERT_EQUAL(pinn_mlp_eval(net, 2, x, u), 0);
  CU_ASSERT_DOUBLE_EQUAL(hypot(u[2] - u[0], u[3] - u[1]), 6.0, 1e-14);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  CU_ASSERT(empirical_lipschitz(net, 2000, r) <= 6.0 * (1 + 1e-9));
  /* Misaligned, W2 = diag(1, 2): W2 W1 = diag(3, 1), Lip 3 < bound 6. */
  set_w(net, 2, 0, 0, 1.0);
  set_w(net, 2, 1, 1, 2.0);
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(d.lipschitz_bound, 6.0, 1e-14);
  double emp = empirical_lipschitz(net, 2000, r);
  CU_ASSERT(emp <= 3.0 * (1 + 1e-9));
  CU_ASSERT(emp > 2.9);
  gsl_rng_free(r);
  pinn_mlp_free(net);
}

/* ------------------------------------------------------------ without points */

static void without_points_only_slopes_and_lipschitz_are_computed(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_RELU));
  pinn_diagnostics d;
  CU_ASSERT_EQUAL_FATAL(pinn_diagnostics_compute(net, 0, NULL, &d, NULL), 0);
  CU_ASSERT_EQUAL(d.n_points, 0);
  CU_ASSERT_EQUAL(d.layer[0].dead_units, 0);
  CU_ASSERT(isnan(d.layer[0].dead_fraction));
  CU_ASSERT(isnan(d.layer[0].inactive_fraction));
  CU_ASSERT(isnan(d.layer[0].negative_fraction));
  /* W1 = (1, -1, 1)^T, W2 = (1, 1, 1): sqrt3 * sqrt3 */
  CU_ASSERT_DOUBLE_EQUAL(d.layer[0].spectral_norm, sqrt(3.0), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(d.lipschitz_bound, 3.0, 1e-14);
  pinn_mlp_free(net);
}

/* ------------------------------------------------------------ format */

static void summary_names_each_layer_its_dead_units_and_the_bound(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_RELU));
  pinn_diagnostics d = at_four_points(net);
  char buf[PINN_DIAGNOSTICS_FORMAT_MAX];
  CU_ASSERT_EQUAL(pinn_diagnostics_format(&d, buf, sizeof buf), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "network 1 -> 3 -> 1; unit statistics over 4 points\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "layer 1 relu, 3 units: dead 1/3 (33.3%), inactive 50.0%"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Lipschitz bound (2-norm, input to output): 3\n"));
  size_t lines = 0;
  for (const char *c = buf; *c; ++c) lines += *c == '\n';
  CU_ASSERT_EQUAL(lines, 4);
  /* truncation: PINN_ERANGE, the prefix, NUL-terminated */
  char small[20];
  CU_ASSERT_EQUAL(pinn_diagnostics_format(&d, small, sizeof small), PINN_ERANGE);
  CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
  CU_ASSERT_EQUAL(strncmp(small, buf, sizeof small - 1), 0);
  pinn_mlp_free(net);

  net = three_unit_net(pinn_activation_default(PINN_ACT_LEAKY_RELU));
  d = at_four_points(net);
  CU_ASSERT_EQUAL(pinn_diagnostics_format(&d, buf, sizeof buf), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "layer 1 leaky:0.01, 3 units: negative everywhere 1/3 (33.3%, still pass gradient)"));
  pinn_mlp_free(net);
}

static void the_longest_summary_fits_the_stated_buffer_size(void)
{
  static pinn_diagnostics d;
  for (int variant = 0; variant < 2; ++variant) {
    memset(&d, 0, sizeof d);
    d.n_points = (size_t)-1;
    d.n_in = PINN_MAX_INPUTS;
    d.n_out = 4096;
    d.n_hidden = PINN_DIAGNOSTICS_MAX_HIDDEN;
    const double big = -1.2345678e-300;
    for (size_t k = 0; k < d.n_hidden; ++k) {
      pinn_layer_diagnostics *l = &d.layer[k];
      l->act.kind = variant ? PINN_ACT_LEAKY_RELU : PINN_ACT_PRELU;
      l->act.param = variant ? 0.012345678901234567 : -1.2345678901234567e-300;
      l->width = 4096;
      l->relu_family = 1;
      l->gradient_blocked = 0;
      l->dead_units = 4096;
      l->dead_fraction = l->inactive_fraction = l->negative_fraction = -1.0;
      l->has_slopes = !variant;
      l->n_slopes = 4096;
      l->slope_mean = l->slope_min = l->slope_max = big;
      l->spectral_norm = l->act_lipschitz = l->lipschitz_factor = big;
    }
    d.output_spectral_norm = d.lipschitz_bound = big;
    static char buf[PINN_DIAGNOSTICS_FORMAT_MAX];
    CU_ASSERT_EQUAL(pinn_diagnostics_format(&d, buf, sizeof buf), 0);
    CU_ASSERT(strlen(buf) > 62 * 100);
  }
}

/* ------------------------------------------------------------ errors */

static void errors_are_reported_with_a_message_and_leave_the_result_untouched(void)
{
  pinn_mlp *net = three_unit_net(pinn_activation_default(PINN_ACT_RELU));
  pinn_diagnostics d;
  memset(&d, 0xAB, sizeof d);
  const size_t sentinel = d.n_points;
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(NULL, 0, NULL, &d, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NULL network"));
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(net, 0, NULL, NULL, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NULL result"));
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(net, 3, NULL, &d, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "3 points requested but x is NULL"));
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(net, 3, NULL, &d, NULL), PINN_EINVAL); /* err optional */
  const double bad[] = {0.1, NAN, 0.3};
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(net, 3, bad, &d, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "coordinate 0 of point 1 is nan"));
  set_b(net, 2, 0, INFINITY);
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(net, 4, four_points, &d, &err), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "layer 2: the biases contain inf"));
  set_b(net, 2, 0, 0.0);
  set_w(net, 1, 2, 0, NAN);
  CU_ASSERT_EQUAL(pinn_diagnostics_compute(net, 4, four_points, &d, &err), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "layer 1: the weights contain nan"));
  CU_ASSERT_EQUAL(d.n_points, sentinel);
  pinn_mlp_free(net);

  double s = -1;
  const double W[] = {1, 2};
  CU_ASSERT_EQUAL(pinn_diagnostics_spectral_norm(NULL, 1, 2, &s, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_diagnostics_spectral_norm(W, 1, 2, NULL, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_diagnostics_spectral_norm(W, 0, 2, &s, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "0 x 2"));
  const double Wn[] = {1, NAN};
  CU_ASSERT_EQUAL(pinn_diagnostics_spectral_norm(Wn, 1, 2, &s, &err), PINN_ENONFINITE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entry (0, 1)"));
  CU_ASSERT_EQUAL(s, -1);

  char buf[8];
  CU_ASSERT_EQUAL(pinn_diagnostics_format(NULL, buf, sizeof buf), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_diagnostics_format(&d, NULL, 8), PINN_EINVAL);
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
#define T(f) {#f, f}
    T(relu_net_with_one_unit_negative_on_every_point_reports_one_third_dead),
    T(unit_exactly_at_zero_on_every_point_counts_as_dead_but_not_negative),
    T(leaky_units_negative_everywhere_are_counted_but_flagged_as_passing_gradient),
    T(smooth_layers_report_negative_fraction_but_no_dead_units),
    T(a_unit_firing_only_at_the_first_or_last_of_many_points_is_not_dead),
    T(deeper_layers_see_the_activated_outputs_of_earlier_layers),
    T(symmetric_zero_mean_preactivations_are_half_inactive),
    T(gaussian_preactivations_are_inactive_with_probability_phi_of_minus_mu_over_sigma),
    T(prelu_per_unit_slopes_give_mean_min_max_and_the_largest_magnitude_lipschitz),
    T(prelu_one_slope_per_layer_reports_that_slope),
    T(spectral_norm_of_a_diagonal_matrix_is_its_largest_absolute_entry),
    T(spectral_norm_of_a_rank_one_matrix_is_the_product_of_the_vector_norms),
    T(spectral_norm_of_two_by_two_matrices_matches_their_known_singular_values),
    T(spectral_norm_agrees_with_power_iteration_on_a_random_matrix),
    T(network_reports_the_spectral_norm_of_every_layer),
    T(lipschitz_bound_exceeds_every_empirical_difference_quotient_for_every_activation),
    T(one_unit_nets_attain_their_bound_for_every_activation),
    T(identity_network_bound_is_exact_when_the_singular_vectors_align),
    T(without_points_only_slopes_and_lipschitz_are_computed),
    T(summary_names_each_layer_its_dead_units_and_the_bound),
    T(the_longest_summary_fits_the_stated_buffer_size),
    T(errors_are_reported_with_a_message_and_leave_the_result_untouched),
#undef T
    {NULL, NULL}};
  if (pinn_test_add_suite("diagnostics", cases)) return 1;
  return pinn_test_run_all();
}
