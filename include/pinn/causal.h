/* libpinn — causal training of time-dependent problems (Wang, Sankaran &
 * Perdikaris 2022, "Respecting causality is all you need for training
 * physics-informed neural networks").
 *
 * A residual term's points are split into M time slabs by their time
 * coordinate (the last input): slab k = floor(M (t - t0) / (t1 - t0)),
 * clamped to 0..M-1, [t0, t1] the domain's time interval.  The term's loss
 * becomes
 *
 *   L_t = (1/M) sum_k w_k L_k,   w_k = exp(-eps sum_{j<k} L_j),
 *
 * L_k the mean |r|^2 over slab k's points (0 for an empty slab).  The
 * weights are constants of the gradient (the paper's stop-gradient): each
 * evaluation first computes every slab loss at the SAME parameters (a
 * forward-only pass over the term's points), then the usual fused pass with
 * each point's seed scaled by n w_k / (M n_k) (n points, n_k in its slab).
 * So the loss is a deterministic function of the parameters (and of eps),
 * bitwise the same for any thread count, and its gradient is exactly that
 * of (1/M) sum_k w_k L_k with the w_k held fixed.  Every residual term
 * (residual, residual of any order, complementarity) of a problem with time
 * gets the weights; conditions and data keep their plain losses.
 *
 * eps: fixed (eps > 0), or annealed (eps = 0, the default) up the paper's
 * ladder 1e-2, 1e-1, 1, 10, 100: the trainer (pinn/train.h) moves one rung
 * up after an Adam iteration whose evaluation had min_k w_k > 0.99 over
 * every causal term (the paper then stops at the top; libpinn stays there
 * and trains on).  A rung change is a change of objective: the trainer takes
 * the current point as its best one (as for pinn_trainer_loss_changed).  The
 * rung is part of the loss's checkpointed state (pinn_loss_save_state), so a
 * resumed run continues bitwise.
 *
 * Which phases see the weights: Adam phases always; the quasi-Newton phases
 * (L-BFGS, SSBFGS, SSBroyden, bfgs2, cg) see the plain loss unless
 * quasi_newton = 1, and Levenberg-Marquardt phases always see the plain
 * least squares.  The paper uses causal weights as an aid to first-order
 * training; a quasi-Newton phase needs one fixed objective (a weight that
 * moves with the parameters within a line search breaks its curvature
 * pairs); on allen_cahn1d both measured the same (README).  At the start of a phase whose objective differs from the
 * previous phase's, the trainer measures its best point's loss again.
 *
 * Not on a team of processes (pinn/team.h): PINN_EUNSUPPORTED.
 */
#ifndef PINN_CAUSAL_H
#define PINN_CAUSAL_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

#define PINN_CAUSAL_MAX_SLABS 1000
/* The annealing ladder: rungs 0..PINN_CAUSAL_RUNGS-1. */
#define PINN_CAUSAL_RUNGS 5
/* An annealed eps moves up a rung once min_k w_k exceeds this. */
#define PINN_CAUSAL_THRESHOLD 0.99

/* Causal weights of a loss (pinn_loss_options.causal). */
typedef struct pinn_causal_options {
  size_t slabs;     /* M time slabs: 0 = off (the default), 1..PINN_CAUSAL_MAX_SLABS */
  double eps;       /* > 0: fixed; 0 (default): annealed up the ladder from 1e-2 */
  int quasi_newton; /* 1: quasi-Newton phases see the causal loss too (default 0: plain) */
} pinn_causal_options;

/* Off: all zero. */
pinn_causal_options pinn_causal_options_default(void);

/* PINN_EINVAL (message in err) unless 0 <= slabs <= PINN_CAUSAL_MAX_SLABS and
 * eps is 0 or finite and > 0. */
int pinn_causal_options_check(const pinn_causal_options *o, pinn_error *err);

/* "M[:EPS][:qn]" (the CLI's --causal): M slabs, EPS > 0 fixed (without it
 * the annealed ladder), qn: the quasi-Newton phases see the weights too.
 * PINN_EINVAL with a message on bad text; *o is then unchanged. */
int pinn_causal_parse(const char *text, pinn_causal_options *o, pinn_error *err);

/* eps of rung r of the ladder (1e-2 * 10^r; the top rung beyond). */
double pinn_causal_rung_eps(size_t rung);

/* The slab 0..M-1 of time t in [t0, t1] (clamped; t1 > t0, M >= 1). */
size_t pinn_causal_slab(double t, double t0, double t1, size_t M);

/* w_k = exp(-eps sum_{j<k} L_j) for k < M (w_0 = 1), the partial sums in
 * order (deterministic). */
void pinn_causal_weights(size_t M, const double *L, double eps, double *w);

/* ---- a loss's causal weights (the loss built with pinn_loss_options.causal) */
typedef struct pinn_loss pinn_loss;

/* The loss's causal options, NULL when it has none. */
const pinn_causal_options *pinn_loss_causal(const pinn_loss *l);
/* Use the weights in the next evaluations (on = 1, the state after
 * pinn_loss_alloc) or the plain loss (0): what the trainer sets per phase.
 * No-op for a loss without causal weights. */
void pinn_loss_causal_activate(pinn_loss *l, int on);
/* The current eps (NaN without causal weights). */
double pinn_loss_causal_eps(const pinn_loss *l);
/* The rung of the annealing ladder (0 for a fixed eps). */
size_t pinn_loss_causal_rung(const pinn_loss *l);
/* Term i's slab losses L_k and weights w_k (M each, either may be NULL) of
 * the last evaluation that used the weights.  PINN_EINVAL when term i has
 * no causal weights or no evaluation used them yet. */
int pinn_loss_causal_slabs(const pinn_loss *l, size_t i, double *L, double *w);
/* One annealing test: with an annealed eps, after an evaluation that used
 * the weights, move up one rung when min_k w_k > PINN_CAUSAL_THRESHOLD over
 * every causal term and a rung is left.  1 when eps changed, else 0. */
int pinn_loss_causal_anneal(pinn_loss *l);

PINN_END_DECLS
#endif
