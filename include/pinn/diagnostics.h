/* libpinn — network diagnostics a trainer reports during and after training.
 *
 * For a network and a set of points (usually the collocation points):
 *
 * - Dead units (ReLU family): units whose pre-activation z is <= 0 on every
 *   point.  For ReLU their weights and bias get zero gradient on those points
 *   forever.  Leaky ReLU / PReLU units with z <= 0 everywhere are counted the
 *   same way but still pass gradient (slope alpha on the negative side; a
 *   PReLU slope also gets dL/da = sum delta z over z < 0), so they are not
 *   dead: `gradient_blocked` tells which reading applies.
 *   Convention: z == 0 counts as inactive ("<= 0"), although the activation
 *   module's kink convention s'(0) = 1 lets a unit at exactly 0 pass gradient;
 *   exact zeros only occur for degenerate weights (e.g. all zero).
 * - Sparsity: the fraction of (unit, point) pairs with z <= 0.  For z ~
 *   N(mu, sigma^2) it is Phi(-mu/sigma): about half for zero-mean symmetric z.
 * - PReLU slopes per layer (mean, min, max over the layer's one slope or its
 *   per-unit slopes) with the fraction of negative pre-activations next to
 *   them: only z < 0 moves a slope.
 * - Lipschitz upper bound of x -> u(x) in the 2-norm (input and output):
 *     Lip(u) <= ||W_L||_2 * prod_{hidden l} ||W_l||_2 Lip(s_l),
 *   Lip(s_l) from pinn_activation_lipschitz (PReLU: max over the layer's
 *   learned slopes a of max(1, |a|)).  Biases do not enter.
 *
 * The spectral norm ||W||_2 is the square root of the largest eigenvalue of
 * the Gram matrix of W's smaller side (W^T W or W W^T), see lib/diagnostics.c.
 *
 * Values only: the result is a plain struct; nothing is allocated for the
 * caller, nothing is printed, no global state.
 */
#ifndef PINN_DIAGNOSTICS_H
#define PINN_DIAGNOSTICS_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/activation.h>
#include <pinn/mlp.h>

PINN_BEGIN_DECLS

/* Most hidden layers a diagnostics record holds: the network's own limit
 * (64 layers including input and output). */
#define PINN_DIAGNOSTICS_MAX_HIDDEN 62

/* A buffer of this many bytes always holds pinn_diagnostics_format's text for a
 * record filled by pinn_diagnostics_compute (fractions in [0, 1]). */
#define PINN_DIAGNOSTICS_FORMAT_MAX (512 + 256 * PINN_DIAGNOSTICS_MAX_HIDDEN)

/* What is known about one hidden layer.  Fields that do not apply are NaN
 * (fractions without points, or for activations outside the ReLU family;
 * slopes of layers without PReLU). */
typedef struct pinn_layer_diagnostics {
  pinn_activation act;      /* the layer's activation (for PReLU: param = initial slope) */
  size_t width;             /* number of units */
  int relu_family;          /* 1 for ReLU, Leaky ReLU, PReLU */
  int gradient_blocked;     /* 1 when units counted in dead_units get no gradient
                               at all: ReLU, Leaky ReLU with alpha = 0 */
  size_t dead_units;        /* ReLU family: units with z <= 0 on every point (0 without points) */
  double dead_fraction;     /* dead_units / width (ReLU family, n > 0) */
  double inactive_fraction; /* (unit, point) pairs with z <= 0, over width * n (ReLU family, n > 0) */
  double negative_fraction; /* (unit, point) pairs with z < 0, over width * n (any kind, n > 0) */
  int has_slopes;           /* 1 for PReLU layers */
  size_t n_slopes;          /* 1 (per layer) or width (per unit); 0 without PReLU */
  double slope_mean, slope_min, slope_max; /* learned PReLU slopes */
  double spectral_norm;     /* ||W_l||_2, W_l of shape width x (previous width) */
  double act_lipschitz;     /* Lipschitz constant of the activation (PReLU: max(1, max |a|)) */
  double lipschitz_factor;  /* spectral_norm * act_lipschitz */
} pinn_layer_diagnostics;

/* Diagnostics of a whole network; layer[k] describes hidden layer k + 1. */
typedef struct pinn_diagnostics {
  size_t n_points;          /* points the unit statistics were taken over (may be 0) */
  size_t n_in, n_out;       /* input and output widths */
  size_t n_hidden;          /* hidden layers described (n_layers - 2) */
  pinn_layer_diagnostics layer[PINN_DIAGNOSTICS_MAX_HIDDEN];
  double output_spectral_norm; /* ||W||_2 of the linear output layer */
  double lipschitz_bound;   /* output_spectral_norm * prod_k layer[k].lipschitz_factor */
} pinn_diagnostics;

/* Compute the diagnostics of net at n points x[p * n_in + i] into *out.
 * n may be 0 (x may then be NULL): only slopes, spectral norms and the
 * Lipschitz bound are computed.  The points are processed in chunks, so
 * memory stays bounded for any n.  Returns 0; PINN_EINVAL (NULL net or out,
 * n > 0 with x NULL, a non-finite coordinate); PINN_ENONFINITE when a
 * parameter is NaN or Inf (training diverged); PINN_ENOMEM; or the status of
 * pinn_mlp_preactivations / GSL.  err (may be NULL) gets the message.
 * GSL's default error handler aborts on allocation failure: applications call
 * gsl_set_error_handler_off() once.  *out is fully written on success only. */
int pinn_diagnostics_compute(pinn_mlp *net, size_t n, const double *x, pinn_diagnostics *out,
                             pinn_error *err);

/* Spectral norm ||W||_2 (largest singular value) of a row-major rows x cols
 * matrix (rows, cols >= 1) into *norm.  PINN_EINVAL for NULL arguments or a
 * zero dimension, PINN_ENONFINITE for a NaN/Inf entry, PINN_ENOMEM. */
int pinn_diagnostics_spectral_norm(const double *W, size_t rows, size_t cols, double *norm,
                                   pinn_error *err);

/* A short human-readable multi-line summary of d into buf (always
 * NUL-terminated when size > 0): one line per hidden layer, one for the
 * output layer, one for the Lipschitz bound.  Returns 0, PINN_ERANGE when
 * the text was truncated to fit size (PINN_DIAGNOSTICS_FORMAT_MAX always
 * suffices), PINN_EINVAL for NULL d or buf. */
int pinn_diagnostics_format(const pinn_diagnostics *d, char *buf, size_t size);

PINN_END_DECLS
#endif
