/* libpinn — network diagnostics: dead units and sparsity of the ReLU family,
 * PReLU slopes, spectral norms and the Lipschitz product bound.  See
 * include/pinn/diagnostics.h.
 *
 * Unit statistics.  Hidden layer l's pre-activations come from
 * pinn_mlp_preactivations, a chunk of points at a time (a bounded buffer of
 * CHUNK_DOUBLES values); a unit is dead when no point gave it z > 0.  Each
 * layer is a separate forward pass through layers 1..l, so the cost is
 * O(n_hidden^2 / 2) layer products per point: fine for diagnostics taken
 * every few hundred iterations.
 *
 * Spectral norm.  G = W^T W or W W^T (the smaller side, k = min(rows, cols))
 * is formed by BLAS dsyrk and its eigenvalues, without vectors, by GSL's
 * symmetric tridiagonal QR (gsl_eigen_symm; Golub & Van Loan, Matrix
 * Computations, 4th ed., 8.3): several times less work than
 * gsl_linalg_SV_decomp, which always accumulates U and V and needs rows >=
 * cols.  Squaring W costs accuracy only in the SMALL singular values:
 * lambda_max is perfectly conditioned (Weyl), so sigma_max keeps a relative
 * accuracy of about k eps / 2.  W is first scaled by its largest |entry| so
 * that G can neither overflow nor underflow.
 *
 * Lipschitz bound.  u is a composition of maps with Lipschitz constants
 * ||W_l||_2 and Lip(s_l) (a unit-wise activation with per-unit constants c_u
 * is max_u c_u-Lipschitz in the 2-norm), hence the product; it is exact for
 * identity activations when the singular vectors align (e.g. diagonal W).
 */
#include <pinn/diagnostics.h>
#include "text_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

/* Pre-activation buffer size (doubles) per chunk of points. */
#define CHUNK_DOUBLES 65536

/* ---------------------------------------------------------- spectral norm */

int pinn_diagnostics_spectral_norm(const double *W, size_t rows, size_t cols, double *norm,
                                   pinn_error *err)
{
  if (!W || !norm)
    return pinn_error_set(err, PINN_EINVAL, "spectral norm: NULL matrix or result pointer");
  if (!rows || !cols)
    return pinn_error_set(err, PINN_EINVAL,
                          "spectral norm: the matrix is %zu x %zu; both dimensions must be >= 1",
                          rows, cols);
  const size_t mn = rows * cols;
  double scale = 0.0;
  for (size_t i = 0; i < mn; ++i) {
    if (!isfinite(W[i]))
      return pinn_error_set(err, PINN_ENONFINITE,
                            "spectral norm: entry (%zu, %zu) is %g; the weights must be finite",
                            i / cols, i % cols, W[i]);
    if (fabs(W[i]) > scale) scale = fabs(W[i]);
  }
  if (scale == 0.0) {
    *norm = 0.0;
    return PINN_SUCCESS;
  }
  const size_t k = rows < cols ? rows : cols;
  double *A = malloc(mn * sizeof *A), *G = malloc(k * k * sizeof *G), *ev = malloc(k * sizeof *ev);
  gsl_eigen_symm_workspace *ws = (A && G && ev) ? gsl_eigen_symm_alloc(k) : NULL;
  int st = PINN_SUCCESS;
  if (!ws) {
    st = pinn_error_set(err, PINN_ENOMEM, "spectral norm: out of memory for a %zu x %zu matrix",
                        rows, cols);
    goto done;
  }
  for (size_t i = 0; i < mn; ++i) A[i] = W[i] / scale;
  gsl_matrix_const_view Av = gsl_matrix_const_view_array(A, rows, cols);
  gsl_matrix_view Gv = gsl_matrix_view_array(G, k, k);
  gsl_vector_view ev_v = gsl_vector_view_array(ev, k);
  /* G = A^T A (k = cols) or A A^T (k = rows); the lower triangle is what
   * gsl_eigen_symm reads. */
  st = gsl_blas_dsyrk(CblasLower, rows >= cols ? CblasTrans : CblasNoTrans, 1.0, &Av.matrix, 0.0,
                      &Gv.matrix);
  if (!st) st = gsl_eigen_symm(&Gv.matrix, &ev_v.vector, ws);
  if (st) {
    pinn_error_set(err, st, "spectral norm: GSL failed (%s)", gsl_strerror(st));
    goto done;
  }
  double lmax = 0.0;
  for (size_t i = 0; i < k; ++i)
    if (ev[i] > lmax) lmax = ev[i];
  *norm = scale * sqrt(lmax);
done:
  gsl_eigen_symm_free(ws);
  free(A);
  free(G);
  free(ev);
  return st;
}

/* ---------------------------------------------------------------- compute */

/* First non-finite parameter: 0 when all are finite, else the status with err filled. */
static int check_params(const pinn_mlp *net, pinn_error *err)
{
  const size_t L = pinn_mlp_n_layers(net);
  const double *th = pinn_mlp_params_const(net);
  for (size_t l = 1; l < L; ++l) {
    const size_t H = pinn_mlp_layer_size(net, l), Hp = pinn_mlp_layer_size(net, l - 1);
    const size_t wo = pinn_mlp_weight_offset(net, l), bo = pinn_mlp_bias_offset(net, l);
    const size_t ao = pinn_mlp_slope_offset(net, l);
    size_t na = 0;
    if (ao != SIZE_MAX) na = pinn_mlp_prelu_per_unit(net) ? H : 1;
    const size_t ranges[3][2] = {{wo, wo + H * Hp}, {bo, bo + H}, {ao, ao + na}};
    for (int r = 0; r < 3; ++r) {
      if (ranges[r][0] == SIZE_MAX) continue;
      for (size_t i = ranges[r][0]; i < ranges[r][1]; ++i)
        if (!isfinite(th[i]))
          return pinn_error_set(err, PINN_ENONFINITE,
                                "layer %zu: the %s contain %g; training diverged — lower the "
                                "learning rate or restart from a checkpoint",
                                l, r == 2 ? "PReLU slopes" : r == 1 ? "biases" : "weights", th[i]);
    }
  }
  return PINN_SUCCESS;
}

/* Slopes and the activation's Lipschitz constant of hidden layer l. */
static void layer_slopes(const pinn_mlp *net, size_t l, pinn_layer_diagnostics *d)
{
  const size_t ao = pinn_mlp_slope_offset(net, l);
  d->has_slopes = 0;
  d->n_slopes = 0;
  d->slope_mean = d->slope_min = d->slope_max = NAN;
  d->act_lipschitz = pinn_activation_lipschitz(&d->act);
  if (d->act.kind != PINN_ACT_PRELU || ao == SIZE_MAX) return;
  const double *a = pinn_mlp_params_const(net) + ao;
  const size_t na = pinn_mlp_prelu_per_unit(net) ? d->width : 1;
  double sum = 0.0, mn = a[0], mx = a[0], lip = 0.0;
  for (size_t u = 0; u < na; ++u) {
    sum += a[u];
    mn = fmin(mn, a[u]);
    mx = fmax(mx, a[u]);
    pinn_activation au = {PINN_ACT_PRELU, a[u]};
    lip = fmax(lip, pinn_activation_lipschitz(&au));
  }
  d->has_slopes = 1;
  d->n_slopes = na;
  d->slope_mean = sum / (double)na;
  d->slope_min = mn;
  d->slope_max = mx;
  d->act_lipschitz = lip;
}

/* Unit statistics of hidden layer l over n points, using z (chunk * width)
 * and ever_pos (width) as scratch. */
static int layer_units(pinn_mlp *net, size_t l, size_t n, const double *x, size_t chunk,
                       double *z, unsigned char *ever_pos, pinn_layer_diagnostics *d,
                       pinn_error *err)
{
  const size_t H = d->width, n_in = pinn_mlp_n_in(net);
  size_t n_inactive = 0, n_negative = 0;
  memset(ever_pos, 0, H);
  for (size_t p0 = 0; p0 < n; p0 += chunk) {
    const size_t nb = n - p0 < chunk ? n - p0 : chunk;
    int st = pinn_mlp_preactivations(net, l, nb, x + p0 * n_in, z);
    if (st)
      return pinn_error_set(err, st, "pre-activations of layer %zu: %s", l, pinn_mlp_errmsg(net));
    for (size_t q = 0; q < nb; ++q)
      for (size_t u = 0; u < H; ++u) {
        const double v = z[q * H + u];
        if (v > 0.0)
          ever_pos[u] = 1;
        else {
          ++n_inactive;
          if (v < 0.0) ++n_negative;
        }
      }
  }
  const double pairs = (double)H * (double)n;
  d->negative_fraction = (double)n_negative / pairs;
  if (d->relu_family) {
    size_t dead = 0;
    for (size_t u = 0; u < H; ++u) dead += !ever_pos[u];
    d->dead_units = dead;
    d->dead_fraction = (double)dead / (double)H;
    d->inactive_fraction = (double)n_inactive / pairs;
  }
  return PINN_SUCCESS;
}

int pinn_diagnostics_compute(pinn_mlp *net, size_t n, const double *x, pinn_diagnostics *out,
                             pinn_error *err)
{
  if (!net || !out)
    return pinn_error_set(err, PINN_EINVAL, "diagnostics: NULL %s; pass a network and a result",
                          net ? "result" : "network");
  const size_t L = pinn_mlp_n_layers(net), n_in = pinn_mlp_n_in(net);
  if (n && !x)
    return pinn_error_set(err, PINN_EINVAL,
                          "diagnostics: %zu points requested but x is NULL; pass the points or n = 0",
                          n);
  if (L - 2 > PINN_DIAGNOSTICS_MAX_HIDDEN)
    return pinn_error_set(err, PINN_EUNSUPPORTED,
                          "diagnostics: the network has %zu hidden layers; at most %d are supported",
                          L - 2, PINN_DIAGNOSTICS_MAX_HIDDEN);
  for (size_t i = 0; i < n * n_in; ++i)
    if (!isfinite(x[i]))
      return pinn_error_set(err, PINN_EINVAL,
                            "diagnostics: coordinate %zu of point %zu is %g; points must be finite",
                            i % n_in, i / n_in, x[i]);
  int st = check_params(net, err);
  if (st) return st;

  pinn_diagnostics *d = malloc(sizeof *d); /* written to *out only on success */
  size_t maxH = 1;
  for (size_t l = 1; l + 1 < L; ++l)
    if (pinn_mlp_layer_size(net, l) > maxH) maxH = pinn_mlp_layer_size(net, l);
  size_t chunk = CHUNK_DOUBLES / maxH;
  if (chunk < 1) chunk = 1;
  if (n && chunk > n) chunk = n;
  double *z = n ? malloc(chunk * maxH * sizeof *z) : NULL;
  unsigned char *ever_pos = malloc(maxH);
  if (!d || (n && !z) || !ever_pos) {
    st = pinn_error_set(err, PINN_ENOMEM, "diagnostics: out of memory");
    goto done;
  }
  memset(d, 0, sizeof *d);
  d->n_points = n;
  d->n_in = n_in;
  d->n_out = pinn_mlp_n_out(net);
  d->n_hidden = L - 2;

  const double *th = pinn_mlp_params_const(net);
  double bound = 1.0;
  for (size_t l = 1; l + 1 < L; ++l) {
    pinn_layer_diagnostics *ld = &d->layer[l - 1];
    ld->act = pinn_mlp_activation(net, l);
    ld->width = pinn_mlp_layer_size(net, l);
    ld->relu_family = pinn_activation_is_relu_family(ld->act.kind);
    ld->gradient_blocked = ld->act.kind == PINN_ACT_RELU
                           || (ld->act.kind == PINN_ACT_LEAKY_RELU && ld->act.param == 0.0);
    ld->dead_fraction = ld->inactive_fraction = ld->negative_fraction = NAN;
    layer_slopes(net, l, ld);
    st = pinn_diagnostics_spectral_norm(th + pinn_mlp_weight_offset(net, l), ld->width,
                                        pinn_mlp_layer_size(net, l - 1), &ld->spectral_norm, err);
    if (st) goto done;
    ld->lipschitz_factor = ld->spectral_norm * ld->act_lipschitz;
    bound *= ld->lipschitz_factor;
    if (n) {
      st = layer_units(net, l, n, x, chunk, z, ever_pos, ld, err);
      if (st) goto done;
    }
  }
  st = pinn_diagnostics_spectral_norm(th + pinn_mlp_weight_offset(net, L - 1), d->n_out,
                                      pinn_mlp_layer_size(net, L - 2), &d->output_spectral_norm,
                                      err);
  if (st) goto done;
  d->lipschitz_bound = bound * d->output_spectral_norm;
  *out = *d;
done:
  free(d);
  free(z);
  free(ever_pos);
  return st;
}

/* ----------------------------------------------------------------- format */

int pinn_diagnostics_format(const pinn_diagnostics *d, char *buf, size_t size)
{
  if (!d || !buf) return PINN_EINVAL;
  if (!size) return PINN_ERANGE;
  buf[0] = '\0';
  pinn_text t = {buf, size, 0, 0, 0};
  if (d->n_hidden > PINN_DIAGNOSTICS_MAX_HIDDEN) return PINN_EINVAL;
  pinn_text_put(&t, "network %zu -> ", d->n_in);
  for (size_t k = 0; k < d->n_hidden; ++k) pinn_text_put(&t, "%zu -> ", d->layer[k].width);
  /* The width list is the one unbounded-looking part: at most 62 entries of
   * <= 4 digits, within the budget of PINN_DIAGNOSTICS_FORMAT_MAX. */
  if (d->n_points)
    pinn_text_put(&t, "%zu; unit statistics over %zu points\n", d->n_out, d->n_points);
  else
    pinn_text_put(&t, "%zu; no points given: unit statistics skipped\n", d->n_out);
  for (size_t k = 0; k < d->n_hidden; ++k) {
    const pinn_layer_diagnostics *ld = &d->layer[k];
    char name[48];
    if (ld->act.kind == PINN_ACT_PRELU) {
      const char *nm = pinn_activation_name(ld->act.kind);
      snprintf(name, sizeof name, "%s (%s)", nm ? nm : "?",
               ld->n_slopes > 1 ? "per-unit slopes" : "one slope");
    } else {
      pinn_activation_format(&ld->act, name, sizeof name);
    }
    pinn_text_put(&t, "layer %zu %s, %zu units:", k + 1, name, ld->width);
    if (d->n_points && ld->relu_family && !ld->has_slopes) {
      if (ld->gradient_blocked)
        pinn_text_put(&t, " dead %zu/%zu (%.1f%%), inactive %.1f%%,", ld->dead_units, ld->width,
                      100.0 * ld->dead_fraction, 100.0 * ld->inactive_fraction);
      else
        pinn_text_put(&t, " negative everywhere %zu/%zu (%.1f%%, still pass gradient), "
                          "inactive %.1f%%,",
                      ld->dead_units, ld->width, 100.0 * ld->dead_fraction,
                      100.0 * ld->inactive_fraction);
    }
    if (d->n_points && ld->has_slopes) /* PReLU: inactive ~ negative, shown next to the slopes */
      pinn_text_put(&t, " negative everywhere %zu/%zu (%.1f%%, still pass gradient),",
                    ld->dead_units, ld->width, 100.0 * ld->dead_fraction);
    if (ld->has_slopes) {
      if (ld->n_slopes > 1)
        pinn_text_put(&t, " slopes mean %.4g [%.4g, %.4g],", ld->slope_mean, ld->slope_min,
                      ld->slope_max);
      else
        pinn_text_put(&t, " slope %.4g,", ld->slope_mean);
      if (d->n_points)
        pinn_text_put(&t, " negative z %.1f%% of pairs,", 100.0 * ld->negative_fraction);
    }
    pinn_text_put(&t, " ||W||_2 %.4g, Lipschitz factor %.4g\n", ld->spectral_norm,
                  ld->lipschitz_factor);
  }
  pinn_text_put(&t, "output, %zu units: ||W||_2 %.4g\n", d->n_out, d->output_spectral_norm);
  pinn_text_put(&t, "Lipschitz bound (2-norm, input to output): %.4g\n", d->lipschitz_bound);
  return t.full ? PINN_ERANGE : PINN_SUCCESS;
}
