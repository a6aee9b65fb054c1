/* libpinn — loss balancing: the weights w_t of loss = sum_t w_t L_t
 * (pinn/loss.h) adapted during Adam phases so that no term's gradient
 * drowns the others.
 *
 * Every `every` Adam iterations each active term (problem weight > 0) gets
 * a statistic s_t, the target weight
 *
 *   w_hat_t = (sum_s s_s) / s_t,
 *
 * and its weight moves towards it: w_t <- alpha w_t + (1 - alpha) w_hat_t.
 *
 *   PINN_BALANCE_LRA  learning-rate annealing in the gradient-norm form of
 *     Wang et al. 2023 (JAX-PI, "An expert's guide to training
 *     physics-informed neural networks"): s_t = |grad_theta L_t|_2 of the
 *     unweighted term (pinn_loss_term_grads).  The weighted terms then have
 *     equal gradient norms, w_t |grad L_t| = sum_s |grad L_s|.  This form,
 *     rather than the max/mean form of Wang, Teng & Perdikaris 2021
 *     (w_hat_t = max_j |d L_r / d theta_j| / mean_j |d L_t / d theta_j|):
 *     it treats every term alike (no term is singled out as the residual),
 *     does not depend on the current weights, and a norm is steadier than
 *     the maximum of one gradient entry.
 *   PINN_BALANCE_NTK  neural tangent kernel weights (Wang, Yu & Perdikaris
 *     2022, "When and why PINNs fail to train"): s_t = tr K_t, the mean over
 *     the first ntk_points points of the term of |d r / d theta|^2
 *     (pinn_lsq_term_jacobian_trace: the Levenberg-Marquardt Jacobian rows).
 *     Least-squares losses only (pinn_lsq_check: not the relu/leaky/softplus
 *     barriers).
 *
 * The problem's weights are where the weights start: the balanced weight
 * replaces the problem's weight (as in both papers, whose weights start at
 * the user's and are then the algorithm's); after k updates the problem's
 * weight counts alpha^k.  A term of problem weight 0 stays off; a term
 * whose statistic is 0 (nothing to learn from it: w_hat would be infinite)
 * keeps its weight at that update.
 *
 * After the Adam phases (pinn_balance_options.after): keep the last weights
 * in the quasi-Newton and Levenberg-Marquardt phases that follow (the
 * default), or go back to the problem's weights at the start of the first
 * such phase; measured in the notes of this module (NOTES-balance.md).
 *
 * The trainer (pinn/train.h, pinn_train_options.balance) calls
 * pinn_balance_update after the Adam step of every `every`-th iteration of
 * an Adam phase (after the step hook), then treats the loss as changed
 * (pinn_trainer_loss_changed: the best point restarts there).  The weights
 * live on the loss and are saved in checkpoints, so a resumed run is bitwise
 * the uninterrupted one.
 */
#ifndef PINN_BALANCE_H
#define PINN_BALANCE_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/loss.h>

PINN_BEGIN_DECLS

typedef enum pinn_balance_kind {
  PINN_BALANCE_NONE = 0,
  PINN_BALANCE_LRA,  /* learning-rate annealing, gradient-norm form */
  PINN_BALANCE_NTK   /* neural tangent kernel traces */
} pinn_balance_kind;

/* What happens to the weights after the Adam phases. */
typedef enum pinn_balance_after {
  PINN_BALANCE_KEEP = 0,   /* later phases keep the last balanced weights */
  PINN_BALANCE_RESTORE     /* later phases start from the problem's weights again */
} pinn_balance_after;

typedef struct pinn_balance_options {
  pinn_balance_kind kind;   /* default PINN_BALANCE_NONE */
  size_t every;             /* Adam iterations between updates (default 100) */
  double alpha;             /* memory of the moving average, 0 <= alpha < 1 (default 0.9) */
  size_t ntk_points;        /* NTK: points per term in the trace (default 256; 0 = all) */
  pinn_balance_after after; /* default PINN_BALANCE_KEEP */
} pinn_balance_options;

/* The defaults above. */
pinn_balance_options pinn_balance_options_default(void);

/* Name ("none", "lra", "ntk") and parser (PINN_EINVAL naming the choices). */
const char *pinn_balance_name(pinn_balance_kind kind);
int pinn_balance_parse(const char *text, pinn_balance_kind *out, pinn_error *err);

/* The command line's form "KIND[:EVERY[:ALPHA]]" ("lra", "ntk:50",
 * "lra:100:0.5", "none") into o's kind, every and alpha (the others are
 * left alone).  PINN_EINVAL with a message saying what to write. */
int pinn_balance_parse_spec(const char *text, pinn_balance_options *o, pinn_error *err);

/* PINN_EINVAL naming the field ("balance.every must be >= 1") for an
 * unknown kind or after, every 0 with a kind, alpha outside [0, 1). */
int pinn_balance_options_check(const pinn_balance_options *o, pinn_error *err);

/* The update's arithmetic, for n terms: stat[t] the statistic,
 * active[t] nonzero for a term that takes part (problem weight > 0), w[t]
 * the current weights (changed in place): w_t <- alpha w_t + (1 - alpha)
 * (sum_active stat) / stat_t for the active terms of stat_t > 0; others
 * keep theirs.  PINN_EINVAL when a statistic is negative or not finite. */
int pinn_balance_mix(size_t n, const double *stat, const int *active, double alpha, double *w,
                     pinn_error *err);

/* Each term's statistic at theta (NULL: the current parameters) for kind
 * (LRA: |grad L_t|_2; NTK: tr K_t over ntk_points points) into stat
 * (n_terms; 0 for terms of problem weight 0, which are not evaluated by
 * NTK).  The loss's failures (its message in err). */
int pinn_balance_stats(pinn_loss *l, const double *theta, const pinn_balance_options *o,
                       double *stat, pinn_error *err);

/* One update of l's weights at theta (the statistics, then
 * pinn_balance_mix on the loss's current weights).  Nothing for
 * PINN_BALANCE_NONE. */
int pinn_balance_update(pinn_loss *l, const double *theta, const pinn_balance_options *o,
                        pinn_error *err);

/* Set every weight of l back to its problem's (pinn_problem_term_weight);
 * returns 1 when one changed, else 0. */
int pinn_balance_restore(pinn_loss *l);

PINN_END_DECLS
#endif
