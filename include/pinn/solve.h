/* libpinn — one call from a problem to a trained network, its errors and
 * its output file: builds the network, samples the loss, trains (with
 * optional checkpoints and resume), evaluates on the output grid and writes
 * the .h5 + .xmf.  The `pinn solve` command is a thin layer over this.
 *
 * pinn_solve leaves the process alone: the thread count goes to the network
 * (cfg->threads, pinn_mlp_set_threads), never to omp_set_num_threads, and
 * GSL's error handler is not touched (pinn/train.h says which GSL failures
 * can still reach it), so two solves may run at the same time in two threads
 * of one program, each with its own problem and configuration.
 *
 * A problem file (bundled or a user's plugin) exports one function of type
 * pinn_problem_create_fn that builds the problem and fills the tuned
 * defaults of its solve configuration.
 */
#ifndef PINN_SOLVE_H
#define PINN_SOLVE_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include <pinn/status.h>
#include <pinn/activation.h>
#include <pinn/mlp.h>
#include <pinn/problem.h>
#include <pinn/params.h>
#include <pinn/loss.h>
#include <pinn/train.h>
#include <pinn/diagnostics.h>

PINN_BEGIN_DECLS

/* Most hidden layers of a solve configuration. */
#define PINN_SOLVE_MAX_HIDDEN 32

/* Everything a solve needs besides the problem. */
typedef struct pinn_solve_config {
  /* network */
  size_t n_hidden;                        /* hidden layers (default 4) */
  size_t width[PINN_SOLVE_MAX_HIDDEN];    /* their widths (default 20 each) */
  pinn_activation act;                    /* every hidden layer (default tanh) */
  int prelu_per_unit;                     /* PReLU: one slope per unit */
  pinn_init_kind init;                    /* default PINN_INIT_XAVIER */
  unsigned long seed;                     /* network initialisation and sampling (default 1) */
  int normalize_inputs;                   /* 1 (default): the network maps the domain's
                                             bounding box (time included) to [-1, 1] in front
                                             of its first layer (pinn_mlp_set_input_map; on a
                                             [-1, 1] box the identity, bitwise); 0: none */
  pinn_embedding periodic;                /* exact periodicity: period[i] > 0 makes input i
                                             enter as harmonics[i] cos/sin pairs (pinn/mlp.h:
                                             pinn_embedding); all 0 (default): none */
  pinn_fourier fourier;                   /* Fourier features of the inputs that are not
                                             periodic (pinn/mlp.h: pinn_fourier): m random ones
                                             of scale sigma, B drawn from seed (the CLI gives
                                             it --seed), and/or axis[i] fixed frequencies of
                                             input i; all 0 (default): none */
  /* points */
  pinn_loss_options loss;                 /* sampler, points_scale (its seed is set from `seed`) */
  /* training (phases, budgets, refinement, checkpoints: see pinn/train.h) */
  pinn_train_options train;
  size_t continuation_every;              /* obstacle barrier continuation: every N iterations (0 = none) */
  /* output */
  const char *output;                     /* .h5 path (the .xmf goes beside it); NULL = no file */
  const char *resume;                     /* resume from this checkpoint (NULL = fresh start) */
  /* obstacle problems: how u >= psi is imposed, applied by pinn_solve with
   * pinn_problem_set_obstacle_method (pinn/problem.h).  An int because two
   * enums share it: a pinn_barrier_kind (>= 0) or a PINN_OBSTACLE_* value
   * (PINN_OBSTACLE_DEFAULT, the default, keeps the problem's choice). */
  int obstacle_method;
  double penalty;                         /* barrier rho; 0 = the problem's default */
  int threads;                            /* OpenMP threads of the network's passes (0 = OpenMP's
                                             default; per network: see pinn_mlp_set_threads) */
  /* data parallelism: every rank of the team calls pinn_solve with the same
   * problem and settings; the evaluations are split over the ranks
   * (pinn/team.h), every rank trains to the same bits and rank 0 alone
   * writes the result file and checkpoints.  NULL (default): one process. */
  const pinn_team *team;
  /* the problem's own parameters (pinn/params.h: `pinn solve --set k=v`),
   * read by the create function with pinn_params_double/_int/_string; NULL
   * (default): none set, every getter gives its default */
  pinn_params *params;
} pinn_solve_config;

/* Defaults listed above; train = pinn_train_options_default(). */
pinn_solve_config pinn_solve_config_default(void);

/* What a solve measured. */
typedef struct pinn_solve_result {
  size_t iterations, evals;
  double seconds;                         /* training wall time (resumed runs include earlier time) */
  double loss;
  pinn_stop_reason reason;
  /* THE error of the solve, when has_reference: against the problem's
   * reference points when it has any (pinn_problem_set_reference_points),
   * else on the output grid against its reference grid or exact solution */
  int has_reference;
  const char *reference;                  /* "reference points", "reference grid", "exact" or
                                             "none" (static) */
  double rel_l2, max_abs;                 /* all outputs (pinn/reference.h formulas) */
  size_t n_outputs;
  double rel_l2_out[PINN_MAX_OUTPUTS];    /* each output's own errors, when has_reference */
  double max_abs_out[PINN_MAX_OUTPUTS];
  size_t n_reference_points;              /* 0, or the points the error above was taken at */
  int has_grid_reference;                 /* the output grid had a reference (grid or exact) */
  double grid_rel_l2, grid_max_abs;       /* its errors (equal to the above without points) */
  int wrote_output;                       /* 1 when the result file was written (also after a
                                             failed training: it then holds the best point) */
  char warning[PINN_ERRMSG_SIZE];         /* "" or what went wrong without failing the run (a
                                             phase that ended on a non-finite loss, whose best
                                             point the next phase took over) */
  size_t n_metrics;
  pinn_metric metrics[PINN_MAX_METRICS];
  size_t n_coefs;
  double coefs[PINN_MAX_COEFS];
  size_t n_params;
  pinn_diagnostics diagnostics;           /* of the trained network on the first interior term's points */
  double validation_best;                 /* the best validation loss (cfg->loss.validation > 0;
                                             NaN otherwise: pinn_trainer_validation_best) */
  size_t validation_best_iter;            /* the iteration it was measured at */
} pinn_solve_result;

/* Builds a problem and fills its tuned defaults into *cfg (which the caller
 * initialised with pinn_solve_config_default).  The entry point of a problem
 * file; a plugin .so exports it as `pinn_plugin_create`. */
typedef int (*pinn_problem_create_fn)(pinn_problem **p, pinn_solve_config *cfg, pinn_error *err);

/* The end of a create function whose setup calls on p returned st (0: all
 * succeeded): then *out = p and 0; else p is freed (NULL is fine), err says
 * "NAME: what failed" unless a failing call filled it already (err->code is
 * st), and st is returned. */
int pinn_solve_create_done(pinn_problem *p, int st, pinn_problem **out, pinn_error *err);

/* Solve: train, evaluate, write.  Returns 0 (also when training stopped for
 * an ordinary reason: see result->reason), or a status with err filled.
 * Before anything is trained it checks that the result and checkpoint files
 * can be written and that obstacle settings (obstacle_method, penalty)
 * are only given to a problem with an obstacle (pinn_solve_check).
 * When training fails (a callback error, a loss that stays non-finite) the
 * result file is still written with the best point reached, its stop reason
 * and the message (root attributes `stop_reason`, `error`), when the fields
 * can be evaluated there; result->wrote_output says whether it was. */
int pinn_solve(pinn_problem *p, const pinn_solve_config *cfg, pinn_solve_result *result,
               pinn_error *err);

/* What pinn_solve checks before anything trains: obstacle settings
 * (obstacle_method, penalty) only for a problem with an obstacle; the
 * configuration's own values (n_hidden, width[], act, threads, and train as
 * pinn_train_options_check says; continuation_every not together with
 * train.step_hook), with messages naming the field ("cfg->n_hidden = 50: use
 * 1 to 32 hidden layers"): PINN_EINVAL; held-out data (loss.validation)
 * only for a problem with a data term of 2 or more observations, a
 * validation patience only with held-out data, a noise level only for a
 * problem with data (PINN_EINVAL); and that cfg's result file
 * (cfg->output) and checkpoint (cfg->train.checkpoint_path) can be created:
 * their folders exist and a file can be made there (a probe file is created
 * and removed; PINN_EIO).  Returns 0 or the status with err naming the
 * setting or the path and the reason.  A problem's create function is
 * checked with it too (the pinn CLI does, right after create). */
int pinn_solve_check(const pinn_problem *p, const pinn_solve_config *cfg, pinn_error *err);

/* The network pinn_solve trains for p: cfg's hidden layers and activation
 * between p's inputs and outputs, initialised by cfg->init from cfg->seed,
 * running on cfg->threads threads (pinn_mlp_set_threads).  NULL with err
 * filled when cfg's values are refused (as pinn_solve_check says). */
pinn_mlp *pinn_solve_network(const pinn_problem *p, const pinn_solve_config *cfg, pinn_error *err);

/* A random number generator for a problem's own use (synthetic noisy data,
 * random coefficients), reproducible from the solve's seed: GSL's mt19937
 * seeded from cfg->seed and `stream` (different streams are independent,
 * and none repeats the network's initialisation or the samplers).  The
 * pinn CLI sets cfg->seed from --seed before it calls a create function, so
 * `--seed 7` changes the data too.  Free with gsl_rng_free.  NULL with err
 * filled when out of memory. */
gsl_rng *pinn_solve_rng(const pinn_solve_config *cfg, unsigned long stream, pinn_error *err);

/* Parse "20x8" (width x hidden layers) or "30,30,20" (widths) into cfg.
 * PINN_EINVAL with a message otherwise. */
int pinn_solve_parse_layers(const char *text, pinn_solve_config *cfg, pinn_error *err);

PINN_END_DECLS
#endif
