/* libpinn — the loss assembler: samples a problem's training points and
 * evaluates its loss and the exact gradient with respect to every trained
 * parameter (network weights, biases, PReLU slopes, learnable PDE
 * coefficients), in the shape GSL's multimin expects.
 *
 *   loss = sum_t w_t L_t,
 *   L_t  = mean over the term's points of |r|^2 (residuals, conditions,
 *          data, complementarity), or rho * mean(phi(gap)) (obstacle
 *          barriers, see pinn/problem.h).
 *
 * Each term is one fused forward-adjoint pass of the network over its own
 * points carrying only the derivatives the term needs (pinn_mlp_loss_grad);
 * residual callbacks are called per point with dual numbers and their
 * tangents seed the adjoint.  OpenMP inside; bitwise identical results for
 * any number of threads.
 *
 * The trained parameter vector is [network theta (pinn_mlp_params), then the
 * problem's learnable coefficients].
 */
#ifndef PINN_LOSS_H
#define PINN_LOSS_H

#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/status.h>
#include <pinn/causal.h>
#include <pinn/mlp.h>
#include <pinn/problem.h>
#include <pinn/sample.h>
#include <pinn/team.h>

PINN_BEGIN_DECLS

/* How the loss samples its points. */
typedef struct pinn_loss_options {
  pinn_sampler_kind sampler; /* default PINN_SAMPLER_SOBOL */
  unsigned long seed;        /* default 1 */
  double points_scale;       /* multiplies every term's point count (default 1) */
  /* a team of processes (pinn/team.h; copied; default NULL: none): given
   * here, each rank keeps only its share of the points from the start (as
   * pinn_loss_set_team, without the moment of holding every point) */
  const pinn_team *team;
  /* held-out observations: this fraction (0 <= v < 1) of every data term's
   * observations is kept out of the loss and only measured
   * (pinn_loss_validation): round(v n) of its n, at least 1 and at most
   * n - 1 (none from a term of one observation), drawn without replacement
   * by an MT19937 generator seeded from `seed` and the term's index, so the
   * split is the same on every run, thread and rank count.  Default 0. */
  double validation;
  /* causal weights of the residual terms of a time-dependent problem
   * (pinn/causal.h; default off) */
  pinn_causal_options causal;
} pinn_loss_options;

/* The defaults above. */
pinn_loss_options pinn_loss_options_default(void);

typedef struct pinn_loss pinn_loss;

/* Sample the problem's points and bind it to the network (both are borrowed
 * and must outlive the loss; the network's parameters are overwritten by
 * pinn_loss_eval).  Refuses (PINN_EUNSUPPORTED) a term that needs second
 * derivatives on a network whose activations are all piecewise linear, and
 * problems whose inputs or outputs do not match the network.  NULL on
 * failure with err filled. */
pinn_loss *pinn_loss_alloc(const pinn_problem *p, pinn_mlp *net, const pinn_loss_options *opt,
                           pinn_error *err);
/* Free; NULL is a no-op. */
void pinn_loss_free(pinn_loss *l);
/* Message of the last failure. */
const char *pinn_loss_errmsg(const pinn_loss *l);

/* Number of trained parameters: network + learnable coefficients. */
size_t pinn_loss_n_params(const pinn_loss *l);
/* Number of terms (as in the problem) and their names. */
size_t pinn_loss_n_terms(const pinn_loss *l);
const char *pinn_loss_term_name(const pinn_loss *l, size_t i);
/* The problem and network bound to this loss. */
const pinn_problem *pinn_loss_problem(const pinn_loss *l);
pinn_mlp *pinn_loss_network(pinn_loss *l);

/* Copy the current parameters (network, then coefficients) into theta.
 * A coefficient's entry is c_j / scale_j (pinn_problem_set_coefficient_scale). */
void pinn_loss_get_params(const pinn_loss *l, double *theta);
/* Set the parameters (network, then coefficients) from theta. */
void pinn_loss_set_params(pinn_loss *l, const double *theta);
/* Current value c_j of learnable coefficient j (the scale applied). */
double pinn_loss_coef(const pinn_loss *l, size_t j);

/* Loss at theta (NULL: the current parameters).  f: total loss; grad (may
 * be NULL): its gradient, overwritten, length pinn_loss_n_params; terms (may
 * be NULL): each term's L_t (unweighted).  Returns 0, PINN_ECALLBACK or
 * PINN_ENONFINITE (a callback failed or produced NaN/Inf: the message names
 * the term and the point), or another status. */
int pinn_loss_eval(pinn_loss *l, const double *theta, double *f, double *grad, double *terms);

/* Each term's own gradient (loss balancing, pinn/balance.h): grads (n_terms
 * x pinn_loss_n_params, row-major) gets in row t the gradient of the
 * unweighted L_t; f (may be NULL) the total loss sum_t w_t L_t, terms (may
 * be NULL) each L_t, as pinn_loss_eval.  One evaluation (the same per-term
 * passes, each seeded with weight 1 instead of w_t), so sum_t w_t grads_t
 * is pinn_loss_eval's gradient up to rounding.  Works on a team too (every
 * rank gets every row).  The statuses of pinn_loss_eval; PINN_EINVAL for
 * grads NULL. */
int pinn_loss_term_grads(pinn_loss *l, const double *theta, double *f, double *grads,
                         double *terms);

/* The weight w_t of term i in the loss: the problem's
 * (pinn_problem_set_weight) until set here.  Loss balancing
 * (pinn/balance.h) sets it; it is saved in checkpoints
 * (pinn_loss_save_state).  The validation loss keeps the problem's weights.
 * PINN_EINVAL for a bad index or a weight that is not finite and >= 0.
 * pinn_loss_term_weight: NaN for a bad index. */
int pinn_loss_set_term_weight(pinn_loss *l, size_t i, double w);
double pinn_loss_term_weight(const pinn_loss *l, size_t i);

/* Each term's loss at theta: copied from the last evaluation when it was at
 * exactly theta, evaluated (without gradient) otherwise. */
int pinn_loss_last_terms(pinn_loss *l, const double *theta, double *terms);

/* Split the evaluations of pinn_loss_eval over a team of processes
 * (pinn/team.h: each rank holds and computes its share of every term's
 * points, one all-gather per evaluation; bitwise the result of one process).
 * Every rank must build the same loss and call this with its own rank; the
 * team is copied.  A loss built without a team keeps only its share from
 * here on (pinn_loss_options.team avoids holding every point even once).
 * NULL detaches (collective: the points are gathered back first).  Returns
 * 0, PINN_EINVAL (pinn_team_check's message on the loss) or the exchange's
 * failure. */
int pinn_loss_set_team(pinn_loss *l, const pinn_team *team);
/* The loss's team (NULL when it has none). */
const pinn_team *pinn_loss_team(const pinn_loss *l);

/* Held-out observations of term i (pinn_loss_options.validation; 0 for
 * another kind of term or without a split); its training observations are
 * the others (pinn_loss_term_points). */
size_t pinn_loss_n_validation(const pinn_loss *l, size_t i);
/* The validation loss at theta (NULL: the current parameters): the data
 * terms' loss on their held-out observations, f = sum_t w_t mean_i (u_k(x_i)
 * - y_i)^2 over the terms that have some; terms (may be NULL, n_terms) gets
 * each term's unweighted mean (NaN for a term without held-out points).
 * No gradient; not counted in pinn_loss_n_evals and leaves the per-term
 * cache of pinn_loss_last_terms alone, so measuring it does not change a
 * training run.  On a team every rank computes the whole (equal) value.
 * PINN_EINVAL when the loss holds no held-out observations. */
int pinn_loss_validation(pinn_loss *l, const double *theta, double *f, double *terms);

/* Number of loss evaluations so far (with or without gradient). */
size_t pinn_loss_n_evals(const pinn_loss *l);

/* Fill F so that GSL's multimin minimizers run on this loss (F->params = l).
 * A failed evaluation returns GSL_NAN as f (GSL's convention); the status and
 * message stay on the loss (pinn_loss_last_status). */
void pinn_loss_gsl_function(pinn_loss *l, gsl_multimin_function_fdf *F);
/* Status of the last evaluation (0 when it succeeded). */
int pinn_loss_last_status(const pinn_loss *l);

/* The training points of term i: *n rows of *dim doubles (time last); for a
 * periodic term, rows alternate lo/hi partners.  On a team each rank holds
 * only its share of the rows (pinn_loss_term_share): *x is then set only
 * after pinn_loss_gather_points (else PINN_EINVAL; n and dim are set). */
int pinn_loss_term_points(const pinn_loss *l, size_t i, size_t *n, size_t *dim, const double **x);

/* The rows [*first, *first + *count) of term i that this process holds and
 * evaluates: every row without a team; on a team of several ranks, rank r
 * holds the points of its leaves of the reduction tree (pinn/team.h), a
 * function of the term's point count, the rank and the team size only. */
int pinn_loss_term_share(const pinn_loss *l, size_t i, size_t *first, size_t *count);

/* On a team: a copy of every term's points on every rank (collective: every
 * rank calls it), for pinn_loss_term_points and checkpoints; the copy lasts
 * until the points change (resampling, refinement, loading).  Without a
 * team, nothing to do.  0, or the exchange's failure (the same on every
 * rank). */
int pinn_loss_gather_points(pinn_loss *l);

/* Draw a fresh set of points for every sampled term (the samplers continue
 * their sequences, so the new points differ; data terms keep theirs). */
int pinn_loss_resample(pinn_loss *l);

/* Residual-based adaptive refinement (Lu et al. 2021, DeepXDE's RAR): draw
 * n_candidates interior points for residual term i, and add the n_add with
 * the largest |r|^2 to its points. */
int pinn_loss_refine(pinn_loss *l, size_t i, size_t n_candidates, size_t n_add);

/* Residual-based adaptive distribution (Wu et al. 2023, RAD): draw
 * n_candidates points of residual term i's region (its sampler continues,
 * as for pinn_loss_refine) and replace the term's points by as many as it
 * has, drawn without replacement from the candidates with probability
 *   p(x) ~ |r(x)|^k / mean |r|^k + c
 * (k >= 0, c >= 0, not both 0; the paper's default k = 1, c = 1; |r| the
 * residual's 2-norm over its components).  The draw is an MT19937 stream
 * seeded from the loss's seed, the term and `round` (the trainer passes its
 * iteration count): the same on any thread count, and a checkpoint (points
 * and sampler positions) resumes it bitwise.  PINN_EINVAL for a term that
 * is not a residual, fewer candidates than the term's points, or bad k, c. */
int pinn_loss_redistribute(pinn_loss *l, size_t i, size_t n_candidates, double k, double c,
                           size_t round);

/* The solution at n points (n x dim): the network's outputs with the
 * problem's output transforms applied; u is n x n_out. */
int pinn_loss_predict(pinn_loss *l, size_t n, const double *x, double *u);

/* Squared residual norm |r|^2 of residual (or complementarity) term i at n
 * points (n x dim) into out (n).  Used for refinement and for output. */
int pinn_loss_residual_at(pinn_loss *l, size_t i, size_t n, const double *x, double *out);

/* The obstacle's multiplier lambda = sense R of complementarity term i at n
 * points (n x dim) into lambda (n): R the term's residual (-Lu - f), sense
 * +1 for u >= psi, -1 for u <= psi.  lambda >= 0 holds for the exact
 * solution, = 0 where the PDE holds (off contact), > 0 where the obstacle
 * pushes (the contact set).  PINN_EINVAL for another kind of term. */
int pinn_loss_multiplier_at(pinn_loss *l, size_t i, size_t n, const double *x, double *lambda);

/* One continuation step of every obstacle barrier: rho <- min(rho * growth,
 * rho_max).  Returns the number of barriers whose rho changed. */
int pinn_loss_continue(pinn_loss *l);
/* Current penalty rho of term i (obstacle terms; NaN otherwise). */
double pinn_loss_barrier_rho(const pinn_loss *l, size_t i);

/* Checkpoints: write the loss's mutable state (every term's points and
 * normals, sampler positions, barrier penalties, weights, learnable coefficients,
 * evaluation count) under group `group` of an open writer, and read it back
 * into a loss built from the same problem.  A loaded loss continues exactly
 * (bitwise) as the saved one would have.  Both fill err (may be NULL) on
 * failure (load: PINN_EFORMAT for a file of another problem or a corrupt
 * one, and the loss is unchanged; its errmsg says the same). */
struct pinn_h5_writer;
struct pinn_h5_reader;
int pinn_loss_save_state(const pinn_loss *l, struct pinn_h5_writer *w, const char *group,
                         pinn_error *err);
int pinn_loss_load_state(pinn_loss *l, struct pinn_h5_reader *r, const char *group,
                         pinn_error *err);

PINN_END_DECLS
#endif
