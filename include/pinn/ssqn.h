/* libpinn — self-scaled full-memory quasi-Newton methods (SSBFGS and
 * SSBroyden) as GSL multimin fdfminimizer types.
 *
 * Use them like any GSL type, for compact networks (up to a few thousand
 * parameters) where a dense n x n matrix fits in memory:
 *
 *   pinn_error err;
 *   if (pinn_ssqn_check_size(n, 0, &err)) ... too large: use L-BFGS instead
 *   gsl_multimin_fdfminimizer *s =
 *       gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_ssbroyden, n);
 *   gsl_multimin_fdfminimizer_set(s, &fdf, x0, step_size, 0.9);
 *   do status = gsl_multimin_fdfminimizer_iterate(s);
 *   while (status == GSL_SUCCESS
 *          && gsl_multimin_test_gradient(s->gradient, 1e-10) == GSL_CONTINUE);
 *
 * Both keep a dense approximation H of the inverse Hessian (n x n doubles,
 * row-major, upper triangle referenced, times a scalar), step along p = -H g with the
 * Moré–Thuente strong-Wolfe line search of <pinn/linesearch.h>, and update H
 * after each step s = x+ - x, y = g+ - g by a self-scaled member of the
 * Broyden family (Al-Baali 1998; Al-Baali & Khalfan 2005):
 *
 *   H+ = (1/tau) [H - H y y'H / (y'H y) + phi (y'H y) v v'] + rho s s',
 *   v  = rho s - H y / (y'H y),   rho = 1 / (y's),
 *
 * with the scalars (B = inverse of H, the Hessian approximation)
 *   b = s'B s / y's = -alpha s'g / y's,   h = y'H y / y's,   a = b h - 1 >= 0.
 *
 *   SSBFGS:    phi = 1 (BFGS), tau = min(1, 1/b)
 *              (Al-Baali 1998; Urbán, Stefanou & Pons 2025, eq. 11).
 *   SSBroyden: c = sqrt(a / (1 + a)), rho- = min(1, h (1 - c)),
 *              theta- = (rho- - 1) / a, theta+ = 1 / rho-,
 *              theta = max(theta-, min(theta+, (1 - b) / b)),
 *              sigma = 1 + a theta, phi = (1 - theta) / sigma,
 *              tau = min(min(1, 1/b) sigma^(1/(1-n)), sigma)    if theta <= 0,
 *                    min(1, 1/b) min(sigma^(1/(1-n)), 1/theta) otherwise
 *              (Al-Baali & Khalfan 2005; Urbán et al. 2025, eqs. 13-23).
 *   The first update after set(), a reset or a restart starts from H = I and
 *   uses tau = h / sigma instead (for SSBFGS: H+ is the BFGS update of
 *   (s'y / y'y) I, Nocedal & Wright eq. 6.20).
 * Note the convention: tau divides H (the brief's "tau_k [H - ...]" is 1/tau).
 *
 * References: M. Al-Baali, "Numerical experience with a class of
 * self-scaling quasi-Newton algorithms", JOTA 96:533-553, 1998; M. Al-Baali
 * and H. Khalfan, "A wide interval for efficient self-scaling quasi-Newton
 * algorithms", Optim. Methods Softw. 20:679-691, 2005; J. F. Urbán,
 * P. Stefanou and J. A. Pons, "Unveiling the optimization process of
 * physics informed neural networks: how accurate and competitive can PINNs
 * be?", J. Comput. Phys. 523:113656, 2025 (arXiv 2405.04230), the methods
 * SSBFGS_AB and SSBroyden2 of its published code; E. Kiyani et al., arXiv
 * 2501.16371, 2025; J. Nocedal and S. J. Wright, Numerical Optimization,
 * 2nd ed., 2006, ch. 6.
 *
 * set() and iterate() follow the contract of <pinn/qn.h>, whose calls
 * (pinn_qn_stats, _reset, _errmsg, _state_size, _state_save, _state_load)
 * apply to these types, with "the memory" being H: a reset empties H (the
 * next update starts from H = I).  In addition, set() allocates H on first
 * use, refusing PINN_EUNSUPPORTED when n x n doubles exceed the memory limit
 * (see pinn_ssqn_check_size) and GSL_ENOMEM when malloc fails.  An update
 * with y's <= PINN_SSQN_CURVATURE_EPS |s| |y|, or with non-finite scalars,
 * is not made (counted as skipped); y'H y <= 0 at an update restarts H from
 * I.  The checkpoint state: a header of 21 doubles (format version, type, n,
 * whether H is held, last step, counters, last scalars, and the scalar c of
 * H = c M) followed, when H is held, by the upper triangle of M row by row
 * (n (n + 1) / 2 doubles).  Load also refuses a state of the other type,
 * and an H with a NaN/Inf or a diagonal entry <= 0 (positive definiteness
 * is not checked in full: a non-descent direction later restarts).
 *
 * Cost per iteration: two symmetric matrix-vector products and one (SSBFGS)
 * or two (SSBroyden) rank updates of the n x n triangle through GSL BLAS on
 * OpenBLAS (the scaling by tau is folded into a scalar), plus the line
 * search's evaluations; memory bound, see bench/bench_ssqn.c.
 *
 * The functions below return GSL_EINVAL for a minimizer of another type.
 */
#ifndef PINN_SSQN_H
#define PINN_SSQN_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <pinn/qn.h>

PINN_BEGIN_DECLS

/* Self-scaled BFGS, for gsl_multimin_fdfminimizer_alloc (static, never freed). */
extern const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_ssbfgs;

/* Self-scaled Broyden (Al-Baali & Khalfan's theta and tau), for
 * gsl_multimin_fdfminimizer_alloc (static, never freed). */
extern const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_ssbroyden;

/* Default limit on the bytes of H: 2 GiB, i.e. n <= 16384. */
#define PINN_SSQN_DEFAULT_MAX_BYTES ((size_t)2 * 1024 * 1024 * 1024)

/* An update is skipped when y's <= PINN_SSQN_CURVATURE_EPS * |s| * |y|. */
#define PINN_SSQN_CURVATURE_EPS 1e-10

/* Whether a dense n x n matrix of doubles fits under max_bytes (0 means
 * PINN_SSQN_DEFAULT_MAX_BYTES).  Returns 0, or PINN_EUNSUPPORTED with a
 * message in err (may be NULL) that gives the largest n allowed and suggests
 * L-BFGS; PINN_EINVAL for n = 0.  Call it before allocating a minimizer:
 * gsl_multimin_fdfminimizer_alloc cannot say why it failed. */
int pinn_ssqn_check_size(size_t n, size_t max_bytes, pinn_error *err);

/* Set the limit on the bytes of H (0 means the default), checked by the
 * next set(); H allocated earlier above the new limit is freed there. */
int pinn_ssqn_set_max_bytes(gsl_multimin_fdfminimizer *s, size_t max_bytes);

/* Copy the current inverse-Hessian approximation (full symmetric n x n)
 * into H, the identity when it is empty.  GSL_EBADLEN for a wrong shape. */
int pinn_ssqn_inverse_hessian(const gsl_multimin_fdfminimizer *s, gsl_matrix *H);

PINN_END_DECLS
#endif
