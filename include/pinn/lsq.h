/* libpinn — the least-squares view of a loss, and Levenberg–Marquardt on it.
 *
 * Every least-squares loss term (see pinn/loss.h) is a mean of squares, so
 *
 *   loss = sum_t w_t L_t = ||R(theta)||^2,
 *
 * with R the stacked residual vector, term by term in the problem's order:
 *   residual            R = sqrt(w / N) r_i         (N points x n_res rows, point-major;
 *                       residuals of any order and on the boundary too)
 *   complementarity     R = sqrt(w / N) min(R, u - psi)  (N rows)
 *   Dirichlet, initial, data
 *                       R = sqrt(w / N) (u - g)     (N rows)
 *   initial rate        R = sqrt(w / N) (u_t - g)
 *   Neumann, Robin      R = sqrt(w / N) (a u + b du/dn - g)
 *   periodic            R = sqrt(w / N) (u(lo) - u(hi)) [, then the same for
 *                       du/dx_axis]   (N pairs x 1 or 2 rows)
 *   obstacle (relu2)    R = sqrt(w rho / N) ReLU(gap)
 * The other barriers (relu, leaky, softplus) are not sums of squares: such
 * a loss has no least-squares view (pinn_lsq_check says which term).
 *
 * The Jacobian J = dR/dtheta (n_res x P, P = pinn_loss_n_params: network
 * parameters, then learnable coefficients) is exact: per point, each row's
 * sensitivities to the (transformed) jets seed one adjoint pass of the
 * network (pinn_mlp_jacobian); residual rows read them from the residual's
 * dual tangents, which also give the coefficient columns; output transforms
 * (hard constraints) are applied forward once per block of points and each
 * row's seeds are mapped back through their adjoint.  Residuals of any order
 * (pinn_problem_add_residual_any) take their rows from the Taylor engine
 * (pinn_taylor_jacobian: the same seeds, with respect to the Taylor
 * quantities); combined with an output transform they are refused.  OpenMP
 * inside; the results are bitwise identical for any number of threads (no
 * reductions).
 *
 * Levenberg–Marquardt: pinn_lm_run minimises ||R||^2 with GSL's trust-region
 * nonlinear least-squares solver (gsl_multifit_nlinear_trust): Levenberg–
 * Marquardt (Moré 1978, scaling "more"), with geodesic acceleration
 * (Transtrum & Sethna 2012, the second directional derivative by GSL's
 * finite difference), or Powell's dogleg.  GSL needs at least as many
 * residuals as parameters: when n_res < P the residual vector is padded
 * with zero rows (they change neither the loss nor the steps).  Memory:
 * GSL keeps the dense max(n_res, P) x P Jacobian, and the QR solver a copy
 * of it; pinn_lm_run refuses runs above options.max_bytes (default 4 GiB).
 *
 * References: J. J. Moré, The Levenberg–Marquardt algorithm: implementation
 * and theory, Lecture Notes in Math. 630 (1978); M. K. Transtrum and
 * J. P. Sethna, arXiv:1201.5885 (2012); GSL manual, "Nonlinear Least-Squares
 * Fitting".
 */
#ifndef PINN_LSQ_H
#define PINN_LSQ_H

#include <signal.h>
#include <stddef.h>
#include <pinn/status.h>
#include <pinn/loss.h>

PINN_BEGIN_DECLS

/* 0 when every term of l is a sum of squares whose rows are assembled;
 * PINN_EUNSUPPORTED otherwise (a non-quadratic barrier; a residual of any
 * order with an output transform), with err (may be NULL) naming the term
 * and what to use instead. */
int pinn_lsq_check(const pinn_loss *l, pinn_error *err);

/* Length of R (the rows listed in the file comment); 0 when pinn_lsq_check fails. */
size_t pinn_lsq_n_residuals(const pinn_loss *l);

/* Rows of term i in R: [*first, *first + *count).  PINN_EINVAL for a bad i. */
int pinn_lsq_term_rows(const pinn_loss *l, size_t i, size_t *first, size_t *count);

/* Bytes of the dense Jacobian, n_res x P doubles (what pinn_lsq_eval's Jac holds). */
size_t pinn_lsq_jacobian_bytes(const pinn_loss *l);

/* R (length pinn_lsq_n_residuals) and, when Jac is not NULL, the Jacobian
 * Jac[i * P + j] = dR_i / dtheta_j (row-major, P = pinn_loss_n_params) at
 * theta (NULL: the current parameters; otherwise they become the loss's
 * parameters).  sum(R^2) equals pinn_loss_eval's f up to rounding.  Counts
 * one evaluation of the loss (pinn_loss_n_evals).  Returns 0,
 * PINN_EUNSUPPORTED (a term is not least squares), PINN_ECALLBACK /
 * PINN_ENONFINITE (a callback failed or gave NaN/Inf: the message, on the
 * loss, names the term and the point), PINN_ENOMEM. */
int pinn_lsq_eval(pinn_loss *l, const double *theta, double *R, double *Jac);

/* Each term's neural tangent kernel trace per point (Wang, Yu & Perdikaris
 * 2022), tr K_t = (1/N) sum over its first N points (pairs for a periodic
 * term) of |dr/dtheta|^2, r the point's unweighted rows of R above (the
 * components of a vector residual summed; a relu2 barrier's rows are
 * sqrt(rho) ReLU(gap), as L_t counts them), from the same Jacobian rows as
 * pinn_lsq_eval, into traces (n_terms; 0 for a term of problem weight 0,
 * not evaluated).  N = min(max_points, the term's points) (max_points 0:
 * all): a deterministic subsample (the first points of a low-discrepancy
 * sequence spread over the region).  Not counted as an evaluation.  On a
 * team, collective: every rank gathers the points and computes every trace
 * (as pinn_lm_run).  PINN_EUNSUPPORTED when the loss is not least squares
 * (pinn_lsq_check), or the pass's failure. */
int pinn_lsq_ntk_traces(pinn_loss *l, size_t max_points, double *traces);

/* ------------------------------------------------------------------ LM */

/* Trust-region subproblem methods (GSL's trs_lm, trs_lmaccel, trs_dogleg). */
typedef enum pinn_lm_method {
  PINN_LM = 0,    /* Levenberg–Marquardt */
  PINN_LM_ACCEL,  /* Levenberg–Marquardt with geodesic acceleration */
  PINN_DOGLEG     /* Powell's dogleg */
} pinn_lm_method;

/* Name ("lm", "lmaccel", "dogleg") and parser. */
const char *pinn_lm_method_name(pinn_lm_method m);
int pinn_lm_method_parse(const char *text, pinn_lm_method *out, pinn_error *err);

/* Linear solvers of the trust-region steps (GSL's solver_qr, solver_cholesky). */
typedef enum pinn_lm_solver {
  PINN_LM_SOLVER_QR = 0,   /* QR of J with column pivoting: accurate, ~2 n P^2 flops */
  PINN_LM_SOLVER_CHOLESKY  /* Cholesky of J^T J + mu D^2: faster when n >> P, squares the condition */
} pinn_lm_solver;

/* Why a run stopped: pinn_lm_run's report and the trainer's phases
 * (pinn/train.h).  New reasons go at the end (checkpoints store the values). */
typedef enum pinn_stop_reason {
  PINN_STOP_NONE = 0,     /* still running */
  PINN_STOP_MAX_ITER,     /* the iteration limit */
  PINN_STOP_MAX_EVALS,    /* the evaluation limit (LM: residual + Jacobian evaluations) */
  PINN_STOP_GTOL,         /* gradient norm <= gtol (LM: GSL's scaled test,
                             max_i |g_i max(x_i, 1)| <= gtol max(||R||^2 / 2, 1)) */
  PINN_STOP_FTOL,         /* relative loss decrease over the window < ftol */
  PINN_STOP_TIME,         /* the wall-clock budget ran out */
  PINN_STOP_NO_PROGRESS,  /* the line search could not decrease the loss, even after a restart */
  PINN_STOP_NONFINITE,    /* the loss stayed NaN/Inf after recovery attempts */
  PINN_STOP_USER,         /* the progress callback asked to stop */
  PINN_STOP_INTERRUPT,    /* the interrupt flag was raised (SIGINT/SIGTERM) */
  PINN_STOP_ERROR,        /* an evaluation failed (callback error): see the message */
  PINN_STOP_XTOL,         /* LM: |dx_i| <= xtol (|x_i| + xtol) for every i: converged */
  PINN_STOP_NO_STEP,      /* LM: no acceptable step, 16 rejected in a row (GSL_ENOPROG);
                             named "no_progress" as PINN_STOP_NO_PROGRESS, which a
                             trainer's LM phase reports for it */
  PINN_STOP_VALIDATION,   /* trainer: the validation loss did not improve for
                             validation_patience iterations (pinn/train.h) */
  PINN_STOP_DISCREPANCY   /* trainer: the data misfit reached the noise level
                             (the discrepancy principle, pinn/train.h) */
} pinn_stop_reason;

/* A sentence for a stop reason (static storage). */
const char *pinn_stop_reason_str(pinn_stop_reason r);
/* A one-word name ("max_iter", "gtol", ...). */
const char *pinn_stop_reason_name(pinn_stop_reason r);

/* Progress record handed to the callback after every progress_every-th
 * iteration and once at the end; the loss then holds the current (accepted)
 * parameters (pinn_loss_get_params). */
typedef struct pinn_lm_progress {
  size_t iter, max_iter;
  size_t evals_f, evals_J;  /* residual and Jacobian evaluations so far */
  double loss;              /* ||R||^2 */
  const double *terms;      /* each term's L_t (NaN for a term of weight 0) */
  size_t n_terms;
  double grad_norm;         /* |2 J^T R|_2, the loss's gradient */
  double step;              /* |dx|_2 of the last iteration */
  double elapsed;           /* seconds since pinn_lm_run started */
  pinn_loss *assembler;     /* the loss being trained (do not free) */
} pinn_lm_progress;

/* Return nonzero to stop (PINN_STOP_USER). */
typedef int (*pinn_lm_progress_fn)(const pinn_lm_progress *p, void *ctx);

/* Options of pinn_lm_run. */
typedef struct pinn_lm_options {
  pinn_lm_method method;    /* default PINN_LM_ACCEL (fastest in tests/test_lsq.c) */
  pinn_lm_solver solver;    /* default PINN_LM_SOLVER_CHOLESKY (GSL's QR is unblocked: ~10x slower) */
  size_t max_iter;          /* accepted steps (default 500) */
  size_t max_evals;         /* residual + Jacobian evaluations, 0 = no limit */
  double xtol;              /* GSL's step test (default 1e-12; 0 = off) */
  double gtol;              /* GSL's gradient test (default 0 = off) */
  double ftol;              /* relative decrease over `window` iterations (0 = off) */
  size_t window;            /* default 10 */
  double time_budget;       /* seconds, 0 = none */
  size_t max_bytes;         /* memory limit for GSL's matrices (default 4 GiB; 0 = none) */
  size_t progress_every;    /* default 10 */
  pinn_lm_progress_fn progress; /* may be NULL */
  void *progress_ctx;
  volatile sig_atomic_t *interrupt; /* nonzero stops before the next iteration (may be NULL) */
} pinn_lm_options;

/* The defaults above. */
pinn_lm_options pinn_lm_options_default(void);

/* What a run did. */
typedef struct pinn_lm_report {
  size_t iterations;
  size_t evals_f, evals_J;  /* residual evaluations (incl. finite-difference fvv) and Jacobians */
  size_t n_residuals, n_params, n_rows; /* n_rows = max(n_residuals, n_params) given to GSL */
  double seconds;
  double loss0, loss;       /* at the start and at the end (the best point) */
  double grad_norm;         /* at the end */
  pinn_stop_reason reason;
  int gsl_status;           /* last status of gsl_multifit_nlinear_iterate */
  char message[256];        /* the stop reason in words, with GSL's status */
} pinn_lm_report;

/* Memory pinn_lm_run would allocate for its matrices (bytes), for the
 * options' method and solver. */
size_t pinn_lm_bytes(const pinn_loss *l, const pinn_lm_options *o);

/* What pinn_lm_run refuses before it allocates (o NULL = defaults): bad
 * options (PINN_EINVAL), a loss that is not least squares, or matrices above
 * o->max_bytes (PINN_EUNSUPPORTED, saying what to change); err may be NULL. */
int pinn_lm_check(const pinn_loss *l, const pinn_lm_options *o, pinn_error *err);

/* Levenberg–Marquardt (or dogleg) from the loss's current parameters; the
 * best parameters (GSL accepts only decreasing steps: the last accepted
 * point) are left in the loss.  o NULL = defaults; rep may be NULL.
 * Returns 0 when the run ended for an ordinary reason (limits, tolerances,
 * time, user, interrupt, no progress), or the failing status with err
 * filled: PINN_EUNSUPPORTED (not least squares, or above max_bytes: use
 * fewer points or L-BFGS), PINN_EINVAL (bad options), PINN_ECALLBACK /
 * PINN_ENONFINITE (an evaluation failed), PINN_ENOMEM.  A non-finite
 * residual at a trial point is a rejected step, not an error.
 * GSL's error handler is left as the application set it: GSL reports a
 * singular trust-region system (the Cholesky solver on a rank-deficient J,
 * always with dogleg) through it and then rejects the step, so call
 * gsl_set_error_handler_off() once at startup (GSL's default aborts).
 * On a team (pinn_loss_set_team) every rank calls it: each gathers every
 * point for the run (the whole Jacobian on every rank) and keeps only its
 * share again after it; pinn_lsq_eval alone refuses a loss whose points are
 * shared. */
int pinn_lm_run(pinn_loss *l, const pinn_lm_options *o, pinn_lm_report *rep, pinn_error *err);

PINN_END_DECLS
#endif
