/* libpinn — the training driver: phases of optimizers over a pinn_loss
 * (Adam warm-up, then L-BFGS as a GSL multimin type, or GSL's own
 * vector_bfgs2 / conjugate_pr), stopping rules with an honest reason,
 * recovery from non-finite losses, progress reporting, loss history.
 *
 * Iterations are real optimizer iterations: one Adam step, or one accepted
 * quasi-Newton step (a line search of several evaluations counts once).
 * Evaluations count every loss-and-gradient computation.
 *
 * GSL's error handler is process-wide, so the trainer never changes it, and
 * its GSL calls are made so that bad input cannot reach it: a minimizer's
 * size is the loss's parameter count (the only thing
 * gsl_multimin_fdfminimizer_set checks), GSL's vector_bfgs2 and conjugate_pr
 * report a failed line search through their status, and libpinn's own types
 * (L-BFGS, SSBFGS, SSBroyden) never call GSL_ERROR.  What can still reach the
 * handler is what cannot be checked first: out of memory inside GSL's
 * allocators (gsl_multimin_fdfminimizer_alloc and the vectors of GSL's types
 * call it before returning NULL), and in a Levenberg-Marquardt phase
 * whatever pinn_lm_run (pinn/lsq.h) leaves to GSL.  With GSL's default
 * handler that aborts the program: an application that must survive it calls
 * gsl_set_error_handler_off() once at startup, as the pinn CLI does; the
 * failure then comes back as a status with a message.
 *
 * References: Kingma & Ba 2015 (Adam); Nocedal & Wright, Numerical
 * Optimization, 2nd ed., Alg. 7.5 (L-BFGS, lib/lbfgs.c); Moré & Thuente 1994
 * (line search, lib/linesearch.c).
 */
#ifndef PINN_TRAIN_H
#define PINN_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <pinn/status.h>
#include <pinn/loss.h>
#include <pinn/lsq.h>
#include <pinn/balance.h>

PINN_BEGIN_DECLS

/* Optimizers a phase can use. */
typedef enum pinn_optimizer_kind {
  PINN_OPT_ADAM = 0,
  PINN_OPT_LBFGS,  /* libpinn's L-BFGS (pinn/lbfgs.h) through gsl_multimin */
  PINN_OPT_BFGS2,  /* GSL's vector_bfgs2 (memoryless BFGS) */
  PINN_OPT_CG,     /* GSL's conjugate_pr */
  PINN_OPT_SSBFGS, /* self-scaled BFGS, dense inverse Hessian (pinn/ssqn.h) */
  PINN_OPT_SSBROYDEN, /* self-scaled Broyden, dense inverse Hessian (pinn/ssqn.h) */
  PINN_OPT_LM      /* Levenberg-Marquardt through gsl_multifit_nlinear (pinn/lsq.h) */
} pinn_optimizer_kind;

/* Name ("adam", "lbfgs", "bfgs2", "cg", "ssbfgs", "ssbroyden", "lm") and parser. */
const char *pinn_optimizer_name(pinn_optimizer_kind kind);
int pinn_optimizer_parse(const char *text, pinn_optimizer_kind *out, pinn_error *err);

/* Why a phase (or the whole run) stopped: pinn_stop_reason of pinn/lsq.h,
 * with its names and sentences (PINN_STOP_XTOL for an LM phase only). */

/* What a quasi-Newton phase minimises (pinn_phase.loss_transform): the loss,
 * its logarithm or its square root; reported losses are always the loss. */
typedef enum pinn_loss_transform_kind {
  PINN_LOSS_PLAIN = 0,
  PINN_LOSS_LOG = 1,
  PINN_LOSS_SQRT = 2
} pinn_loss_transform_kind;

/* Name ("none", "log", "sqrt") and parser. */
const char *pinn_loss_transform_name(pinn_loss_transform_kind kind);
int pinn_loss_transform_parse(const char *text, pinn_loss_transform_kind *out, pinn_error *err);

/* One phase of training. */
typedef struct pinn_phase {
  pinn_optimizer_kind kind;
  size_t max_iter;     /* iterations (default 1000) */
  size_t max_evals;    /* evaluations, 0 = no limit */
  double gtol;         /* stop when |g|_2 <= gtol (default 0 = off) */
  double ftol;         /* stop when (f[i-w] - f[i]) / max(|f[i]|, tiny) < ftol over the window (0 = off) */
  size_t window;       /* ftol window in iterations (default 100) */
  /* Adam */
  double lr;           /* learning rate (default 1e-3) */
  double lr_decay;     /* lr *= lr_decay every decay_steps (default 1 = constant) */
  size_t decay_steps;  /* default 1000 */
  double beta1, beta2, eps; /* 0.9, 0.999, 1e-8 */
  /* quasi-Newton */
  size_t memory;       /* L-BFGS memory (default 30) */
  double step;         /* first trial step length |alpha p| (default 0.1) */
  double line_tol;     /* strong-Wolfe curvature parameter (default 0.9; GSL types: 0.1) */
  pinn_loss_transform_kind loss_transform; /* quasi-Newton phases (default PINN_LOSS_PLAIN) */
  /* Levenberg-Marquardt */
  pinn_lm_method lm_method; /* default PINN_LM_ACCEL: geodesic acceleration */
  double xtol;         /* LM step test (default 1e-12) */
} pinn_phase;

/* A phase of this kind with its defaults. */
pinn_phase pinn_phase_default(pinn_optimizer_kind kind);

/* Progress record handed to the callback and kept for the last iteration. */
typedef struct pinn_progress {
  size_t phase, n_phases;
  pinn_optimizer_kind kind;
  size_t iter;           /* iterations in this phase */
  size_t max_iter;       /* the phase's iteration limit */
  size_t total_iter;     /* iterations over all phases */
  size_t evals;          /* evaluations over all phases */
  double loss;
  const double *terms;   /* per-term losses (n_terms) */
  size_t n_terms;
  double grad_norm;
  double step;           /* |x_new - x_old|_2 of the last iteration */
  double elapsed;        /* seconds since the run started (resumed runs include earlier time) */
  double eta;            /* estimated seconds to the end of the phase's iteration budget,
                            or to the end of the wall-clock budget when that comes first */
  double lr;             /* Adam's current learning rate (0 for others) */
  pinn_loss *assembler;  /* the loss being trained (for diagnostics; do not free) */
  double validation;     /* the validation loss (pinn_loss_validation) at the current
                            parameters; NaN when the loss holds no held-out data */
} pinn_progress;

/* Called every `progress_every` iterations and at the end of each phase;
 * return nonzero to stop training (PINN_STOP_USER).  For reporting only
 * (PETSc's TSMonitor): what changes the problem belongs in a step hook. */
typedef int (*pinn_progress_fn)(const pinn_progress *p, void *ctx);

typedef struct pinn_trainer pinn_trainer;

/* A step hook (PETSc's TSSetPostStep): called with the trainer and the loss
 * it trains (borrowed) after every
 * iteration whose run-wide count (pinn_trainer_iterations) is a multiple of
 * `step_hook_every`, in every phase: after the iteration is in the history
 * and before the progress report, the stopping tests and the periodic
 * checkpoint, so a checkpoint holds what the hook did and a resumed run calls
 * it at the same iterations (bitwise the uninterrupted run).  The hook may
 * change the loss, e.g. grow an obstacle penalty (pinn_loss_continue); it
 * then calls pinn_trainer_loss_changed.  Return 0, or nonzero to fail the run
 * (PINN_ECALLBACK, stop reason PINN_STOP_ERROR). */
typedef int (*pinn_step_hook_fn)(pinn_trainer *t, pinn_loss *l, void *ctx);

#define PINN_MAX_PHASES 8

/* Training options. */
typedef struct pinn_train_options {
  size_t n_phases;
  pinn_phase phases[PINN_MAX_PHASES];
  double time_budget;            /* seconds for the whole run, 0 = none */
  size_t progress_every;         /* default 100 */
  pinn_progress_fn progress;     /* may be NULL */
  void *progress_ctx;
  pinn_step_hook_fn step_hook;   /* may be NULL */
  void *step_hook_ctx;
  size_t step_hook_every;        /* iterations between calls (default 1; 0 counts as 1) */
  volatile sig_atomic_t *interrupt; /* nonzero stops at the next iteration (may be NULL) */
  size_t resample_every;         /* resample the training points every N iterations of an Adam phase (0 = never) */
  size_t max_recoveries;         /* NaN/failed-step recoveries before giving up (default 5) */
  /* residual-based adaptive refinement (DeepXDE's RAR) during Adam phases */
  size_t refine_every;           /* every N iterations (0 = never) */
  size_t refine_candidates;      /* candidates drawn (default 10000) */
  size_t refine_add;             /* points added to the first residual term (default 100) */
  /* residual-based adaptive distribution (Wu et al. 2023, RAD; pinn_loss_redistribute)
   * during Adam phases: every rad_every iterations the first residual term's
   * points are redrawn from rad_candidates candidates (0, the default: 10 times
   * its points) with density ~ |r|^rad_k / mean |r|^rad_k + rad_c */
  size_t rad_every;              /* every N iterations (0 = never, the default) */
  size_t rad_candidates;         /* candidates drawn (default 0: 10 x the term's points) */
  double rad_k, rad_c;           /* the density's exponent and floor (default 1, 1) */
  /* checkpoints (HDF5, written atomically) */
  const char *checkpoint_path;   /* NULL = none */
  size_t checkpoint_every;       /* iterations; also at the end of every phase and on interrupt */
  /* noisy data: early stopping on held-out observations (a loss built with
   * pinn_loss_options.validation > 0) and the discrepancy principle.  The
   * validation loss is measured every `validation_every` iterations of the
   * run (a multiple of the run-wide count, in every phase); the best value,
   * its iteration and its parameters are kept (and checkpointed).  With
   * validation_patience N > 0 the run stops (PINN_STOP_VALIDATION, ending
   * every phase) once N iterations passed since its best, and ends with the
   * best-validation parameters, whatever stopped it.  With noise_level
   * sigma > 0 the run stops (PINN_STOP_DISCREPANCY) at the first iteration
   * where the data terms' mean squared misfit over their training
   * observations, sum_t n_t L_t / sum_t n_t, is <= noise_tau sigma^2 (Morozov's
   * discrepancy principle: fitting below the noise fits the noise). */
  size_t validation_every;       /* default 10 (0 counts as 10) */
  size_t validation_patience;    /* iterations, 0 = no validation stop (the default) */
  double noise_level;            /* sigma of the observations' noise, 0 = off (default) */
  double noise_tau;              /* the discrepancy factor (default 1: measured in README) */
  /* loss balancing during Adam phases (pinn/balance.h; default none): the
   * weights are updated after every balance.every-th iteration of an Adam
   * phase (the phase's count), after the step hook, and the loss counts as
   * changed (the best point restarts there); later phases keep them or go
   * back to the problem's (balance.after).  Recorded in checkpoints: a
   * resume must use the same settings. */
  pinn_balance_options balance;
} pinn_train_options;

/* Causal weights (a loss built with pinn_loss_options.causal, pinn/causal.h):
 * the trainer turns them on in Adam phases (and in the other quasi-Newton
 * phases with causal.quasi_newton; never in Levenberg-Marquardt), moves an
 * annealed eps up its ladder after Adam iterations, and at the start of a
 * phase whose objective differs from the previous phase's measures its best
 * point's loss again. */

/* Defaults: Adam 1000 iterations at lr 1e-3, then L-BFGS 5000 iterations. */
pinn_train_options pinn_train_options_default(void);

/* What pinn_trainer_alloc refuses: a phase count outside 1..PINN_MAX_PHASES,
 * an unknown optimizer, negative or non-finite tolerances, Adam settings out
 * of range, a first step <= 0, an L-BFGS memory outside 1..1000, a negative
 * time budget, a negative or non-finite noise level, a noise_tau <= 0,
 * a negative or non-finite rad_k or rad_c, balance settings that
 * pinn_balance_options_check refuses.
 * pinn_trainer_alloc also refuses balancing without an Adam phase, NTK
 * balancing of a loss that is not least squares (pinn_lsq_check),
 * validation_patience > 0 for a loss without
 * held-out observations and noise_level > 0 for a problem without data.  PINN_EINVAL with a message naming the field as C code writes
 * it ("phases[1] (lbfgs): memory must be 1 to 1000, got 0"). */
int pinn_train_options_check(const pinn_train_options *o, pinn_error *err);

/* Append pinn_phase_default(kind) to o's phases, with max_iter iterations
 * (0: the kind's default); returns the new phase for further settings, or
 * NULL when o already has PINN_MAX_PHASES phases. */
pinn_phase *pinn_train_options_add_phase(pinn_train_options *o, pinn_optimizer_kind kind,
                                         size_t max_iter);

/* Editing the phases of a problem's defaults (what `pinn solve --adam, --iters,
 * --optimizer, --last-iters, --then none` do).  The Adam phase is the first
 * Adam phase (the warm-up); the main phase is the first phase that is not
 * Adam (the quasi-Newton phase; a default may follow it with high-accuracy
 * phases).  Both lookups return NULL when there is none. */
pinn_phase *pinn_train_options_adam_phase(pinn_train_options *o);
pinn_phase *pinn_train_options_main_phase(pinn_train_options *o);
/* Adam iterations: 0 removes the Adam phase (a run left without phases gets
 * one default L-BFGS phase); n > 0 sets them, first inserting a default Adam
 * phase when there is none.  PINN_EINVAL (message in err) when the phases are
 * full. */
int pinn_train_options_set_adam(pinn_train_options *o, size_t n, pinn_error *err);
/* Main phase iterations: 0 removes every phase that is not Adam (Adam only;
 * PINN_EINVAL when no phase would be left); n > 0 sets them, first appending
 * a default L-BFGS phase when there is none (PINN_EINVAL when full). */
int pinn_train_options_set_main_iters(pinn_train_options *o, size_t n, pinn_error *err);
/* The main phase's optimizer: the phase becomes pinn_phase_default(kind)
 * keeping its iterations and gtol, or is appended with the kind's defaults
 * when there is none.  PINN_EINVAL for Adam or an unknown kind, or when full. */
int pinn_train_options_set_main_optimizer(pinn_train_options *o, pinn_optimizer_kind kind,
                                          pinn_error *err);
/* The last phase's iterations (n >= 1; PINN_EINVAL otherwise). */
int pinn_train_options_set_last_iters(pinn_train_options *o, size_t n, pinn_error *err);
/* Drop every phase after the main one (none when there is no main phase). */
void pinn_train_options_drop_after_main(pinn_train_options *o);

/* What one phase did. */
typedef struct pinn_phase_report {
  pinn_optimizer_kind kind;
  size_t iterations, evals;
  double seconds;
  double loss;            /* at the end of the phase */
  pinn_stop_reason reason;
} pinn_phase_report;

/* A trainer for loss l (borrowed; must outlive the trainer). */
pinn_trainer *pinn_trainer_alloc(pinn_loss *l, const pinn_train_options *opt, pinn_error *err);
/* Free; NULL is a no-op. */
void pinn_trainer_free(pinn_trainer *t);
/* Message of the last failure. */
const char *pinn_trainer_errmsg(const pinn_trainer *t);

/* Run the remaining phases to the end.  Returns 0 when training ended for
 * one of the ordinary reasons (limits, tolerances, time, user, interrupt,
 * no progress), or the failing status with the message on the trainer,
 * prefixed with the iteration: PINN_ECALLBACK (a callback failed),
 * PINN_ENONFINITE (the run ended on a non-finite loss: stop reason
 * PINN_STOP_NONFINITE; a phase that ends so while a finite point is known
 * hands that point to the next phase, and only the run's end counts).  The
 * best parameters seen are left in the loss (and so in the network): those
 * of the lowest loss, or with validation_patience > 0 those of the lowest
 * validation loss (pinn_trainer_loss is then the loss there).  A run that
 * stopped on validation or discrepancy is over: running it again (or its
 * resumed checkpoint) trains no further. */
int pinn_trainer_run(pinn_trainer *t);

/* Write a checkpoint now (atomically: a temporary file, then rename):
 * parameters, best point, optimizer state (Adam moments, L-BFGS pairs, the
 * dense SSBFGS/SSBroyden matrix; at the end of a run, the last phase's),
 * phase and counters, history, the options (phases, point counts), the
 * loss's points and sampler states, and the network with the best
 * parameters in /model (as a result file: pinn_model_load reads it). */
int pinn_trainer_checkpoint(pinn_trainer *t, const char *path);

/* Load a checkpoint written for the same problem, network and options; the
 * next pinn_trainer_run continues where the saved run was.  For Adam,
 * L-BFGS, SSBFGS and SSBroyden phases the continued run is bitwise identical
 * to an uninterrupted one; GSL's bfgs2/cg phases restart their direction
 * from the saved point (their state is private to GSL), and so does
 * Levenberg-Marquardt.  A checkpoint of a finished run whose last phase
 * stopped at its iteration limit continues that phase when the options give
 * it a larger limit, bitwise as a run that had that limit from the start.
 * Every value read is validated.  PINN_EFORMAT with a message when the file
 * is not a checkpoint, does not match the network or problem, or holds a
 * corrupt value (named); PINN_EINVAL when the options contradict the ones
 * recorded: only the iteration limits of the current and later phases, the
 * time budget, progress and checkpoint settings may differ. */
int pinn_trainer_resume(pinn_trainer *t, const char *path);

/* The reason the run stopped, and per-phase reports. */
pinn_stop_reason pinn_trainer_stop_reason(const pinn_trainer *t);
size_t pinn_trainer_n_phase_reports(const pinn_trainer *t);
const pinn_phase_report *pinn_trainer_phase_report(const pinn_trainer *t, size_t i);
/* Totals over the run. */
size_t pinn_trainer_iterations(const pinn_trainer *t);
size_t pinn_trainer_evals(const pinn_trainer *t);
double pinn_trainer_seconds(const pinn_trainer *t);
double pinn_trainer_loss(const pinn_trainer *t);

/* For a step hook that changed the loss (a penalty grew): the trainer
 * evaluates the new loss at the current point, takes that point as the best
 * one (losses before the change do not compare), and a quasi-Newton phase
 * restarts its memory there.  A Levenberg-Marquardt phase keeps its trust
 * region and sees the change from its next evaluation.  PINN_EINVAL when
 * called outside a step hook. */
int pinn_trainer_loss_changed(pinn_trainer *t);

/* Validation (pinn_train_options): the best validation loss measured and
 * the run-wide iteration it was measured at (NaN and 0 before the first
 * measurement or when the loss holds no held-out data). */
double pinn_trainer_validation_best(const pinn_trainer *t);
size_t pinn_trainer_validation_best_iter(const pinn_trainer *t);

/* Number of NaN/Inf recoveries (restore the best point, halve Adam's rate). */
size_t pinn_trainer_recoveries(const pinn_trainer *t);

/* Loss history, one entry per iteration over the run: total loss, gradient
 * norm, and each term's loss (history_terms[i * n_terms + j]). */
size_t pinn_trainer_history_length(const pinn_trainer *t);
const double *pinn_trainer_history_loss(const pinn_trainer *t);
const double *pinn_trainer_history_grad_norm(const pinn_trainer *t);
const double *pinn_trainer_history_terms(const pinn_trainer *t);

PINN_END_DECLS
#endif
