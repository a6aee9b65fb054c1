/* libpinn — strong-Wolfe line search (Moré–Thuente).
 *
 * Finds a step alpha > 0 along a descent direction p that satisfies the
 * strong Wolfe conditions for phi(alpha) = f(x + alpha p):
 *
 *   phi(alpha)     <= phi(0) + ftol * alpha * phi'(0)     (sufficient decrease)
 *   |phi'(alpha)|  <= gtol * |phi'(0)|                    (curvature)
 *
 * Algorithm: J. J. Moré and D. J. Thuente, "Line search algorithms with
 * guaranteed sufficient decrease", ACM Trans. Math. Software 20(3):286-307,
 * 1994 (the dcsrch/dcstep logic of MINPACK-2), written from the paper.
 * Addition: a NaN or Inf in phi or phi' does not end the search; the step
 * is halved toward the best step so far (up to max_backtracks times in a row)
 * and later trial steps stay below the smallest step that gave a non-finite
 * value.
 *
 * The caller owns the vectors: the callback computes x + alpha p, f and the
 * gradient there, keeps them, and returns phi and phi'.  The search reports
 * which evaluation it settled on, so nothing has to be evaluated twice.
 */
#ifndef PINN_LINESEARCH_H
#define PINN_LINESEARCH_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Why a search stopped (pinn_linesearch_result.reason). */
typedef enum pinn_linesearch_reason {
  PINN_LINESEARCH_CONVERGED = 0, /* the strong Wolfe conditions hold at alpha */
  PINN_LINESEARCH_MAXEVAL,       /* max_evals evaluations used up */
  PINN_LINESEARCH_ROUNDING,      /* rounding errors prevent further progress */
  PINN_LINESEARCH_XTOL,          /* interval of uncertainty narrower than xtol */
  PINN_LINESEARCH_STPMAX,        /* alpha = stpmax and phi still decreases steeply */
  PINN_LINESEARCH_STPMIN,        /* alpha = stpmin and the conditions still fail */
  PINN_LINESEARCH_NONFINITE,     /* NaN/Inf at every trial of the last backtracking run */
  PINN_LINESEARCH_CALLBACK,      /* the callback returned nonzero */
  PINN_LINESEARCH_INVALID        /* bad input: phi'(0) >= 0, alpha0 <= 0, options out of range */
} pinn_linesearch_reason;

/* Parameters of the search; start from pinn_linesearch_options_default(). */
typedef struct pinn_linesearch_options {
  double ftol;        /* sufficient-decrease constant c1, 0 < ftol < 1 (default 1e-4) */
  double gtol;        /* curvature constant c2, 0 < gtol < 1 (default 0.9; 0.1 for CG) */
  double xtol;        /* stop when the bracket is narrower than xtol * its right end (1e-10) */
  double stpmin;      /* smallest step allowed, >= 0 (default 1e-20) */
  double stpmax;      /* largest step allowed, > stpmin (default 1e20) */
  int max_evals;      /* most callback calls per search (default 20) */
  int max_backtracks; /* most consecutive non-finite trials, each halving the step (default 10) */
} pinn_linesearch_options;

/* The default options listed above. */
pinn_linesearch_options pinn_linesearch_options_default(void);

/* phi along the line: given alpha, evaluate the objective at x + alpha p,
 * write *phi = f(x + alpha p) and *dphi = g(x + alpha p) . p, keep that point
 * and its gradient for the caller, and return 0 (nonzero ends the search with
 * PINN_LINESEARCH_CALLBACK; the value is passed back in callback_status).
 * NaN/Inf in *phi or *dphi is allowed: the search then shrinks the step. */
typedef int (*pinn_linesearch_fn)(double alpha, double *phi, double *dphi, void *ctx);

/* Outcome of one search. */
typedef struct pinn_linesearch_result {
  pinn_linesearch_reason reason; /* why it stopped */
  double alpha;        /* the step the search settled on */
  double phi, dphi;    /* phi(alpha), phi'(alpha) */
  int alpha_is_last;   /* 1 when alpha was the callback's last evaluation (so the
                          caller's kept point and gradient are those at alpha);
                          0 only for NONFINITE / CALLBACK / INVALID, where alpha is
                          best_alpha (possibly 0: nothing better than phi(0) found) */
  double best_alpha;   /* step with the lowest finite phi seen (0 if none < phi(0)) */
  double best_phi, best_dphi; /* phi, phi' there (phi(0), phi'(0) if none) */
  int nevals;          /* callback calls */
  int nnonfinite;      /* calls that returned NaN/Inf in phi or phi' */
  int callback_status; /* the callback's nonzero return (reason CALLBACK), else 0 */
} pinn_linesearch_result;

/* Run a strong-Wolfe search from phi(0) = phi0, phi'(0) = dphi0 < 0 with first
 * trial step alpha0 > 0 (clamped to [stpmin, stpmax]); opt NULL means the
 * defaults.  Fills *res (required).  Returns 0 when the Wolfe conditions
 * hold, else PINN_EMAXITER (MAXEVAL), PINN_ENOPROG (ROUNDING, XTOL),
 * PINN_ERANGE (STPMAX, STPMIN), PINN_ENONFINITE, PINN_ECALLBACK or
 * PINN_EINVAL; res->reason says which.  On MAXEVAL/ROUNDING/XTOL/STP*, alpha
 * is still the last evaluated step (a caller may accept it if it lowers phi). */
int pinn_linesearch_run(pinn_linesearch_fn fn, void *ctx, double phi0, double dphi0,
                        double alpha0, const pinn_linesearch_options *opt,
                        pinn_linesearch_result *res);

/* A sentence for a pinn_linesearch_reason (static storage, never NULL). */
const char *pinn_linesearch_reason_str(pinn_linesearch_reason reason);

PINN_END_DECLS
#endif
