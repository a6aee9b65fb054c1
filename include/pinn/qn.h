/* libpinn — the calls every libpinn quasi-Newton minimizer answers: the
 * L-BFGS type of <pinn/lbfgs.h> and the dense SSBFGS/SSBroyden types of
 * <pinn/ssqn.h>.  They run one iteration (one driver, lib/qn.c) and share
 * this contract.
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
 * set() returns GSL_EBADFUNC when f or the gradient at x is NaN/Inf, and
 * GSL_EINVAL when step_size is not positive.
 *
 * gsl_multimin_fdfminimizer_iterate returns
 *   GSL_SUCCESS    only after moving to a point with a strictly lower f;
 *   GSL_ENOPROG    no lower point found: the quasi-Newton direction failed, and
 *                  so did a restart along -g (memory cleared); x, f, gradient
 *                  are unchanged and dx = 0.  Also returned at a zero gradient;
 *   GSL_EINVAL     no successful set() before.
 * If the search finds a lower f but not the Wolfe conditions (evaluation
 * limit, rounding), the lowest point is accepted.  pinn_qn_errmsg() says why
 * a call failed, with the numbers.  A direction that is not a descent
 * direction clears the memory and uses -g (counted as a restart).  NaN/Inf
 * from fdf at a trial point makes the line search shrink the step.
 *
 * The calls below take a minimizer of one of these types; for any other
 * (GSL's own types, NULL) they return GSL_EINVAL (0 for the size) with a
 * message saying so.  This module never calls the GSL error handler (GSL's
 * own alloc/set still do, e.g. for a size mismatch).
 */
#ifndef PINN_QN_H
#define PINN_QN_H

#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/linesearch.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Counters of one run, from set() on (a checkpoint load restores them).  The
 * fields of the other kind of type stay 0. */
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
} pinn_qn_statistics;

/* 1 when s is a libpinn quasi-Newton minimizer (the calls below apply), else 0. */
int pinn_qn_is_libpinn(const gsl_multimin_fdfminimizer *s);

/* Copy the counters of the run into *stats. */
int pinn_qn_stats(const gsl_multimin_fdfminimizer *s, pinn_qn_statistics *stats);

/* Forget the memory (L-BFGS: the stored pairs; dense: H, the next update
 * starts from H = I); x, f, gradient and counters stay.  The next step is
 * along -g with the length of the last accepted step. */
int pinn_qn_reset(gsl_multimin_fdfminimizer *s);

/* Why the last call failed, with the numbers (empty after success; static
 * text for a minimizer of another type).  Owned by the minimizer. */
const char *pinn_qn_errmsg(const gsl_multimin_fdfminimizer *s);

/* Checkpoints.  The state is a flat array of doubles whose length can change
 * as the run goes on: ask for it right before saving.  To resume: alloc a
 * minimizer of the same type and n, call gsl_multimin_fdfminimizer_set at
 * the saved x with the same fdf, step_size and tol (set() evaluates fdf
 * there and forgets the memory), then load.  Load replaces the memory and
 * the counters and keeps x, f and the gradient that set() computed; if fdf
 * is deterministic the run continues bitwise identically (the evaluation
 * made by that set() is not counted).  Loaded at another x, the memory
 * serves as a warm start.  Load and save fill err (may be NULL) when they
 * fail, with the minimizer's errmsg.  Each type documents its layout. */

/* Number of doubles pinn_qn_state_save will write now (0 for a minimizer of
 * another type). */
size_t pinn_qn_state_size(const gsl_multimin_fdfminimizer *s);

/* Write the state to buf, which holds pinn_qn_state_size(s) doubles. */
int pinn_qn_state_save(const gsl_multimin_fdfminimizer *s, double *buf, pinn_error *err);

/* Read a state written by pinn_qn_state_save; len is the number of doubles
 * in buf.  Must follow gsl_multimin_fdfminimizer_set.  Returns PINN_EFORMAT
 * (minimizer unchanged) when buf is not a state of this type, its n differs,
 * or len is too short. */
int pinn_qn_state_load(gsl_multimin_fdfminimizer *s, const double *buf, size_t len,
                       pinn_error *err);

PINN_END_DECLS
#endif
