/* libpinn — activation functions: one table, each entry with s, s', s'', s'''.
 *
 * Smooth: identity, tanh, sigmoid, GELU (exact, x Phi(x) with erf),
 * Softplus_beta = log(1 + exp(beta x)) / beta, SiLU/Swish = x sigmoid(x), sin.
 * Piecewise linear (ReLU family): ReLU, Leaky ReLU (slope alpha for x < 0),
 * PReLU (slope alpha learned, per layer or per unit).
 *
 * Convention at the kink x = 0 of the ReLU family: the value is 0 and the
 * derivative is the right-hand one, s'(0) = 1 (so a unit sitting exactly at 0
 * still passes gradient); s'' = s''' = 0 everywhere (the Dirac mass at 0 is
 * not represented).
 */
#ifndef PINN_ACTIVATION_H
#define PINN_ACTIVATION_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

typedef enum pinn_activation_kind {
  PINN_ACT_IDENTITY = 0,
  PINN_ACT_TANH,
  PINN_ACT_SIGMOID,
  PINN_ACT_GELU,
  PINN_ACT_SOFTPLUS, /* param = beta > 0 (default 1) */
  PINN_ACT_SILU,
  PINN_ACT_SIN,
  PINN_ACT_RELU,
  PINN_ACT_LEAKY_RELU, /* param = alpha, slope for x < 0 (default 0.01) */
  PINN_ACT_PRELU,      /* param = initial alpha (default 0.25); learned */
  PINN_ACT_COUNT
} pinn_activation_kind;

/* An activation with its parameter (beta for Softplus, alpha for Leaky ReLU
 * and the initial slope of PReLU; ignored by the others). */
typedef struct pinn_activation {
  pinn_activation_kind kind;
  double param;
} pinn_activation;

/* The activation of this kind with its default parameter. */
pinn_activation pinn_activation_default(pinn_activation_kind kind);

/* Name of a kind as accepted by pinn_activation_parse ("tanh", "gelu",
 * "softplus", "silu", "sigmoid", "sin", "relu", "leaky", "prelu",
 * "identity"); NULL for an invalid kind. */
const char *pinn_activation_name(pinn_activation_kind kind);

/* Parse "name" or "name:param" (e.g. "softplus:2", "leaky:0.1"); names are
 * case-insensitive, with aliases "swish" (silu), "leaky_relu" (leaky) and
 * "linear" (identity); a missing parameter takes the default.  Returns
 * PINN_EINVAL with a message in err (may be NULL) naming the accepted forms
 * and ranges, and leaves *out unchanged. */
int pinn_activation_parse(const char *text, pinn_activation *out, pinn_error *err);

/* Format an activation as pinn_activation_parse reads it ("tanh",
 * "softplus:2", "leaky:0.01": the shortest number that reads back exactly;
 * "invalid" for a bad kind), truncated to size; returns buf. */
char *pinn_activation_format(const pinn_activation *a, char *buf, size_t size);

/* Check the parameter's range (Softplus beta > 0, Leaky alpha in [0,1),
 * finite PReLU alpha).  PINN_EINVAL with a message otherwise. */
int pinn_activation_check(const pinn_activation *a, pinn_error *err);

/* 1 when s is C^2 or smoother (second-order residuals carry signal), 0 for
 * the piecewise-linear ReLU family. */
int pinn_activation_is_smooth(pinn_activation_kind kind);

/* 1 for ReLU, Leaky ReLU and PReLU. */
int pinn_activation_is_relu_family(pinn_activation_kind kind);

/* s(x), s'(x), s''(x), s'''(x) into d[0..3] (scalar reference; the network
 * uses the vectorised kernels).  For a PReLU unit with its own learned slope,
 * pass an activation whose param is that slope.  An invalid kind gives NaN. */
void pinn_activation_eval(const pinn_activation *a, double x, double d[4]);

/* s(z[i]) into s0[i] and s'(z[i]), s''(z[i]), s'''(z[i]) into s1, s2, s3 for
 * i < n, with the network's vectorised kernels (the values agree with
 * pinn_activation_eval to a few ulp).  s1, s2, s3 may each be NULL when that
 * order is not wanted (only the non-NULL arrays are written); s0 is always
 * written.  The arrays must not overlap.  For PReLU the slope is a->param.
 * An invalid kind (or a NULL a) writes NaN. */
void pinn_activation_eval_n(const pinn_activation *a, size_t n, const double *z, double *s0,
                            double *s1, double *s2, double *s3);

/* Highest derivative order pinn_activation_derivs gives (the Taylor engine
 * of order K needs s .. s^(K+1); pinn/taylor.h goes to K = 8). */
#define PINN_ACT_MAX_DERIV 12

/* s(x), s'(x), ..., s^(order)(x) into d[0..order], 0 <= order <=
 * PINN_ACT_MAX_DERIV, for every smooth kind, from closed forms:
 * tanh^(m) = sech^2 Q_m(tanh) with Q_1 = 1, Q_{m+1} = -2t Q_m + (1-t^2) Q_m';
 * sigmoid^(m)(x) = 2^(-m-1) tanh^(m)(x/2); softplus_beta^(m)(x) =
 * beta^(m-1) sigmoid^(m-1)(beta x); SiLU^(m) = x sigmoid^(m) + m sigmoid^(m-1);
 * GELU^(m) = x Phi^(m) + m Phi^(m-1), Phi^(m) = (-1)^(m-1) He_(m-1) phi (Hermite);
 * sin^(m) = sin(x + m pi/2).  The ReLU family is refused for order >= 2
 * (PINN_EUNSUPPORTED): its s'' is a Dirac mass at the kink, which no number
 * represents; orders 0 and 1 follow the kink convention above.  PINN_EINVAL
 * for a bad activation, order or NULL d, with the reason in err (may be NULL).
 * Relative accuracy: a few ulp for orders <= 3, degrading slowly with the order
 * (polynomials with growing coefficients: ~1e-13 at order 9 for tanh). */
int pinn_activation_derivs(const pinn_activation *a, int order, double x, double *d,
                           pinn_error *err);

/* E[s'(Z)^2] for Z ~ N(0,1): (1+alpha^2)/2 in closed form for the ReLU
 * family (1/2 for ReLU), by GSL quadrature for the smooth kinds.  The
 * variance-preserving initialisation draws weights with variance
 * 1 / (fan_in * E[s'(Z)^2]).  Returns PINN_EINVAL for a bad parameter or a
 * Softplus beta outside [1e-300, 1e300] (where the quadrature would fail),
 * PINN_ENONFINITE when (1+alpha^2)/2 overflows (|alpha| > ~1.3e154); no
 * parameter reaches GSL's error handler. */
int pinn_activation_gain(const pinn_activation *a, double *mean_sq_deriv, pinn_error *err);

/* E[s(Z)] for Z ~ N(0,1): (1-alpha)/sqrt(2 pi) for the ReLU family, by GSL
 * quadrature for the smooth kinds (1/(2 sqrt(pi)) for GELU; odd kinds give
 * 0 to ~1e-13).  Statuses as for pinn_activation_gain. */
int pinn_activation_mean(const pinn_activation *a, double *mean, pinn_error *err);

/* Lipschitz constant of s on the real line (sup |s'|): 1 for tanh, ReLU,
 * sin; 1/4 for sigmoid; max(1,|alpha|) for Leaky/PReLU; ~1.0998 for SiLU;
 * ~1.1289 for GELU; 1 for Softplus. */
double pinn_activation_lipschitz(const pinn_activation *a);

PINN_END_DECLS
#endif
