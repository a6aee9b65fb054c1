/* libpinn — limited-memory BFGS as a GSL multimin fdfminimizer type.
 *
 * Use it like any GSL type:
 *
 *   gsl_multimin_fdfminimizer *s =
 *       gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, n);
 *   pinn_lbfgs_set_memory(s, 20);                  optional (default 30)
 *   gsl_multimin_fdfminimizer_set(s, &fdf, x0, step_size, 0.9);
 *   do status = gsl_multimin_fdfminimizer_iterate(s);
 *   while (status == GSL_SUCCESS
 *          && gsl_multimin_test_gradient(s->gradient, 1e-6) == GSL_CONTINUE);
 *
 * Algorithm: J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed.,
 * Springer 2006, Algorithms 7.4 (two-loop recursion) and 7.5 (L-BFGS), with
 * H0 = gamma I, gamma = s'y / y'y of the newest pair, and the Moré–Thuente
 * strong-Wolfe line search of <pinn/linesearch.h> (ftol 1e-4, max 20
 * evaluations).
 *
 * set() and iterate() follow the contract of <pinn/qn.h>, whose calls
 * (pinn_qn_stats, _reset, _errmsg, _state_size, _state_save, _state_load)
 * apply to this type.  A pair with s'y <= PINN_LBFGS_CURVATURE_EPS |s| |y|
 * is not stored (counted as skipped).  The checkpoint state: a header
 * (format version, n, m, number of pairs, last step, counters) and the
 * stored pairs, oldest first (rho, s[n], y[n] each).
 */
#ifndef PINN_LBFGS_H
#define PINN_LBFGS_H

#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/qn.h>

PINN_BEGIN_DECLS

/* The L-BFGS type, for gsl_multimin_fdfminimizer_alloc (static, never freed;
 * the pointer is const, unlike GSL's own, so there is no mutable global). */
extern const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_lbfgs;

/* Default number of (s, y) pairs kept. */
#define PINN_LBFGS_DEFAULT_MEMORY 30

/* A pair is skipped when s'y <= PINN_LBFGS_CURVATURE_EPS * |s| * |y|. */
#define PINN_LBFGS_CURVATURE_EPS 1e-10

/* Set the memory m >= 1 (pairs kept).  Clears the stored pairs.  GSL_ENOMEM
 * leaves the minimizer as it was; GSL_EINVAL for m = 0 or another type. */
int pinn_lbfgs_set_memory(gsl_multimin_fdfminimizer *s, size_t m);

PINN_END_DECLS
#endif
