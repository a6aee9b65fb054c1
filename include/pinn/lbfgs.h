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
 * Arguments of gsl_multimin_fdfminimizer_set:
 *   step_size  length of the first step, |alpha p| = step_size; later steps
 *              with an empty memory (after a reset or restart) have the length
 *              of the last accepted step instead;
 *   tol        the line search's curvature constant c2 (gtol).  0.9 is right
 *              for quasi-Newton methods: the unit step is then accepted most of
 *              the time; small values (0.1) make each line search exact and
 *              expensive.  A tol outside (0, 1) means 0.9.
 * set() evaluates fdf at x, clears the memory and zeroes the statistics.
 *
 * set() returns GSL_EBADFUNC when f or the gradient at x is NaN/Inf, and
 * GSL_EINVAL when step_size is not positive.
 *
 * gsl_multimin_fdfminimizer_iterate returns
 *   GSL_SUCCESS    only after moving to a point with a strictly lower f;
 *   GSL_ENOPROG    no lower point found: the L-BFGS direction failed, and so
 *                  did a restart along -g (memory cleared); x, f, gradient are
 *                  unchanged and dx = 0.  Also returned at a zero gradient;
 *   GSL_EINVAL     no successful set() before.
 * If the search finds a lower f but not the Wolfe conditions (evaluation
 * limit, rounding), the lowest point is accepted.  pinn_lbfgs_errmsg() says
 * why a call failed, with the numbers.  A direction that is not a
 * descent direction clears the memory and uses -g (counted as a restart).  A
 * pair with s'y <= PINN_LBFGS_CURVATURE_EPS |s| |y| is not stored (counted as
 * skipped).  NaN/Inf from fdf at a trial point makes the line search shrink
 * the step.
 *
 * The functions below take a minimizer allocated with this type and return
 * GSL_EINVAL for any other minimizer.  This module never calls the GSL error
 * handler (GSL's own alloc/set still do, e.g. for a size mismatch).
 *
 * The dense self-scaled types of <pinn/ssqn.h> run the same iteration (one
 * driver, lib/qn.c) and share this contract: set()'s arguments and returns,
 * iterate()'s returns, the statistics struct and the checkpoint protocol.
 */
#ifndef PINN_LBFGS_H
#define PINN_LBFGS_H

#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/linesearch.h>
#include <pinn/status.h>

#ifdef __cplusplus
extern "C" {
#endif
#if defined(__GNUC__)
#pragma GCC visibility push(default) /* the declared API is exported */
#endif

/* The L-BFGS type, for gsl_multimin_fdfminimizer_alloc (static, never freed;
 * the pointer is const, unlike GSL's own, so there is no mutable global). */
extern const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_lbfgs;

/* Default number of (s, y) pairs kept. */
#define PINN_LBFGS_DEFAULT_MEMORY 30

/* A pair is skipped when s'y <= PINN_LBFGS_CURVATURE_EPS * |s| * |y|. */
#define PINN_LBFGS_CURVATURE_EPS 1e-10

/* Counters of one run of a libpinn quasi-Newton minimizer, from set() on (a
 * checkpoint load restores them): this L-BFGS and the dense types of
 * <pinn/ssqn.h> (pinn_ssqn_statistics), one struct for both; the fields of
 * the other kind stay 0. */
typedef struct pinn_qn_statistics {
  size_t iterations;  /* accepted steps (iterate() calls that returned GSL_SUCCESS) */
  size_t fdf_evals;   /* all calls of fdf: 1 for set() plus the line searches' */
  size_t ls_evals;    /* fdf calls made by line searches */
  size_t restarts;    /* automatic memory resets: non-descent direction, failed line
                         search, or (dense types) y'H y <= 0 at an update */
  size_t skipped;     /* updates not stored: s'y too small (dense: or non-finite scalars) */
  size_t nonfinite;   /* trial points where f or the gradient was NaN/Inf */
  double last_step;   /* |x_{k+1} - x_k| of the last accepted step (0 before any) */
  double last_alpha;  /* line-search step length alpha of the last accepted step */
  pinn_linesearch_reason last_ls_reason; /* how the last line search ended */
  /* L-BFGS only */
  size_t memory;      /* the memory m (pairs kept at most) */
  size_t stored;      /* pairs currently stored (<= memory) */
  /* SSBFGS/SSBroyden only (see <pinn/ssqn.h> for the formulas) */
  size_t updates;     /* updates of H made */
  int have_h;         /* 1 when H holds an approximation; 0 when the next step is along -g */
  double last_tau;    /* tau of the last update (H+ = (1/tau)[...] + rho s s'); 0 before any */
  double last_phi;    /* phi of the last update (1 for SSBFGS) */
  double last_theta;  /* theta of the last update (0 for SSBFGS; phi = (1 - theta) / (1 + a theta)) */
  double last_b, last_h; /* b = s'B s / y's and h = y'H y / y's of the last update */
  size_t max_bytes;   /* the memory limit on H in force */
} pinn_lbfgs_statistics;

/* Set the memory m >= 1 (pairs kept).  Clears the stored pairs.  GSL_ENOMEM
 * leaves the minimizer as it was. */
int pinn_lbfgs_set_memory(gsl_multimin_fdfminimizer *s, size_t m);

/* Copy the counters of the run into *stats. */
int pinn_lbfgs_stats(const gsl_multimin_fdfminimizer *s, pinn_lbfgs_statistics *stats);

/* Clear the stored pairs (x, f, gradient and counters stay); the next step
 * is along -g with the length of the last accepted step. */
int pinn_lbfgs_reset(gsl_multimin_fdfminimizer *s);

/* Why the last call failed, with the numbers (empty after success; static
 * text for a minimizer of another type).  Owned by the minimizer. */
const char *pinn_lbfgs_errmsg(const gsl_multimin_fdfminimizer *s);

/* Checkpoints (the protocol of every libpinn quasi-Newton type).  The state
 * is a flat array of doubles whose length can change as the run goes on:
 * ask for it right before saving.  To resume: alloc a minimizer of the same
 * type and n, call gsl_multimin_fdfminimizer_set at the saved x with the
 * same fdf, step_size and tol (set() evaluates fdf there and forgets the
 * memory), then load.  Load replaces the memory and the counters and keeps
 * x, f and the gradient that set() computed; if fdf is deterministic the run
 * continues bitwise identically (the evaluation made by that set() is not
 * counted).  Loaded at another x, the memory serves as a warm start.  Load
 * and save fill err (may be NULL) when they fail, as the minimizer's errmsg.
 *
 * The L-BFGS state: a header (format version, n, m, number of pairs, last
 * step, counters) and the stored pairs, oldest first (rho, s[n], y[n] each). */

/* Number of doubles pinn_lbfgs_state_save will write now (0 for a minimizer
 * of another type). */
size_t pinn_lbfgs_state_size(const gsl_multimin_fdfminimizer *s);

/* Write the state to buf, which holds pinn_lbfgs_state_size(s) doubles. */
int pinn_lbfgs_state_save(const gsl_multimin_fdfminimizer *s, double *buf, pinn_error *err);

/* Read a state written by pinn_lbfgs_state_save; len is the number of
 * doubles in buf.  Must follow gsl_multimin_fdfminimizer_set.  Returns
 * PINN_EFORMAT (minimizer unchanged) when buf is not such a state, its n
 * differs, or len is too short. */
int pinn_lbfgs_state_load(gsl_multimin_fdfminimizer *s, const double *buf, size_t len,
                          pinn_error *err);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
#ifdef __cplusplus
}
#endif
#endif
