/* libpinn — the training driver (see include/pinn/train.h).
 *
 * Adam (Kingma & Ba 2015):  m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g^2,
 *   x -= lr (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps).
 * Quasi-Newton phases run a gsl_multimin_fdfminimizer on
 * pinn_loss_gsl_function; a step that cannot make progress is retried once
 * from a reset memory (L-BFGS does that itself).
 */
#include <pinn/train.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <pinn/lbfgs.h>
#include <pinn/ssqn.h>
#include <pinn/lsq.h>
#include <pinn/h5io.h>
#include <pinn/model.h>
#include "clock_impl.h"
#include "loss_impl.h"
#include "text_impl.h"

static const char *const opt_names[] = {"adam",   "lbfgs",     "bfgs2", "cg",
                                        "ssbfgs", "ssbroyden", "lm"};
#define N_OPT (sizeof opt_names / sizeof *opt_names)


const char *pinn_optimizer_name(pinn_optimizer_kind kind)
{
  return (unsigned)kind < N_OPT ? opt_names[kind] : NULL;
}

int pinn_optimizer_parse(const char *text, pinn_optimizer_kind *out, pinn_error *err)
{
  const int k = pinn_name_index_(opt_names, N_OPT, text);
  if (k < 0)
    return pinn_error_set(err, PINN_EINVAL,
                          "unknown optimizer '%s': use adam, lbfgs, ssbfgs, ssbroyden, lm, bfgs2 "
                          "or cg",
                          text ? text : "(null)");
  *out = (pinn_optimizer_kind)k;
  return PINN_SUCCESS;
}

static const char *const transform_names[] = {"none", "log", "sqrt"};

const char *pinn_loss_transform_name(pinn_loss_transform_kind kind)
{
  return (unsigned)kind <= PINN_LOSS_SQRT ? transform_names[kind] : NULL;
}

int pinn_loss_transform_parse(const char *text, pinn_loss_transform_kind *out, pinn_error *err)
{
  const int k = pinn_name_index_(transform_names, 3, text);
  if (k < 0)
    return pinn_error_set(err, PINN_EINVAL, "unknown loss transform '%s': use none, log or sqrt",
                          text ? text : "(null)");
  *out = (pinn_loss_transform_kind)k;
  return PINN_SUCCESS;
}

pinn_phase pinn_phase_default(pinn_optimizer_kind kind)
{
  pinn_phase p;
  memset(&p, 0, sizeof p);
  p.kind = kind;
  p.max_iter = kind == PINN_OPT_ADAM ? 1000 : kind == PINN_OPT_LM ? 500 : 5000;
  p.window = 100;
  p.lr = 1e-3;
  p.lr_decay = 1.0;
  p.decay_steps = 1000;
  p.beta1 = 0.9;
  p.beta2 = 0.999;
  p.eps = 1e-8;
  p.memory = 30;
  p.step = 0.1;
  p.line_tol = (kind == PINN_OPT_BFGS2 || kind == PINN_OPT_CG) ? 0.1 : 0.9;
  p.lm_method = PINN_LM_ACCEL;
  p.xtol = 1e-12;
  return p;
}

pinn_train_options pinn_train_options_default(void)
{
  pinn_train_options o;
  memset(&o, 0, sizeof o);
  o.n_phases = 2;
  o.phases[0] = pinn_phase_default(PINN_OPT_ADAM);
  o.phases[1] = pinn_phase_default(PINN_OPT_LBFGS);
  o.progress_every = 100;
  o.step_hook_every = 1;
  o.max_recoveries = 5;
  o.refine_candidates = 10000;
  o.refine_add = 100;
  o.rad_k = 1.0;
  o.rad_c = 1.0;
  o.validation_every = 10;
  o.noise_tau = 1.0;
  o.balance = pinn_balance_options_default();
  return o;
}

pinn_phase *pinn_train_options_add_phase(pinn_train_options *o, pinn_optimizer_kind kind,
                                         size_t max_iter)
{
  if (o->n_phases >= PINN_MAX_PHASES) return NULL;
  pinn_phase *ph = &o->phases[o->n_phases++];
  *ph = pinn_phase_default(kind);
  if (max_iter) ph->max_iter = max_iter;
  return ph;
}

/* The first phase that is (want_adam) or is not Adam, or NULL. */
static pinn_phase *find_phase(pinn_train_options *o, int want_adam)
{
  for (size_t i = 0; i < o->n_phases; ++i)
    if ((o->phases[i].kind == PINN_OPT_ADAM) == want_adam) return &o->phases[i];
  return NULL;
}

pinn_phase *pinn_train_options_adam_phase(pinn_train_options *o) { return find_phase(o, 1); }
pinn_phase *pinn_train_options_main_phase(pinn_train_options *o) { return find_phase(o, 0); }

static int phases_full(const pinn_train_options *o, const char *what, pinn_error *err)
{
  return pinn_error_set(err, PINN_EINVAL, "%s: the run already has %zu phases, the most there may be",
                        what, o->n_phases);
}

int pinn_train_options_set_adam(pinn_train_options *o, size_t n, pinn_error *err)
{
  pinn_phase *a = find_phase(o, 1);
  if (n == 0) {
    if (!a) return PINN_SUCCESS;
    memmove(a, a + 1, (size_t)(o->phases + o->n_phases - (a + 1)) * sizeof *a);
    if (--o->n_phases == 0) pinn_train_options_add_phase(o, PINN_OPT_LBFGS, 0);
    return PINN_SUCCESS;
  }
  if (!a) { /* the warm-up goes first */
    if (o->n_phases >= PINN_MAX_PHASES) return phases_full(o, "adding an Adam phase", err);
    memmove(&o->phases[1], &o->phases[0], o->n_phases * sizeof *o->phases);
    o->phases[0] = pinn_phase_default(PINN_OPT_ADAM);
    o->n_phases++;
    a = &o->phases[0];
  }
  a->max_iter = n;
  return PINN_SUCCESS;
}

int pinn_train_options_set_main_iters(pinn_train_options *o, size_t n, pinn_error *err)
{
  if (n == 0) { /* Adam only */
    size_t k = 0;
    for (size_t j = 0; j < o->n_phases; ++j)
      if (o->phases[j].kind == PINN_OPT_ADAM) o->phases[k++] = o->phases[j];
    if (k == 0)
      return pinn_error_set(err, PINN_EINVAL,
                            "no quasi-Newton phase and no Adam phase would be left: give Adam "
                            "iterations too");
    o->n_phases = k;
    return PINN_SUCCESS;
  }
  pinn_phase *m = pinn_train_options_main_phase(o);
  if (!m) m = pinn_train_options_add_phase(o, PINN_OPT_LBFGS, 0);
  if (!m) return phases_full(o, "adding an L-BFGS phase", err);
  m->max_iter = n;
  return PINN_SUCCESS;
}

int pinn_train_options_set_main_optimizer(pinn_train_options *o, pinn_optimizer_kind kind,
                                          pinn_error *err)
{
  if ((unsigned)kind >= N_OPT || kind == PINN_OPT_ADAM)
    return pinn_error_set(err, PINN_EINVAL,
                          "the main phase's optimizer must be lbfgs, ssbfgs, ssbroyden, lm, bfgs2 "
                          "or cg, not %s",
                          kind == PINN_OPT_ADAM ? "adam" : "an unknown kind");
  pinn_phase *m = pinn_train_options_main_phase(o);
  if (!m) return pinn_train_options_add_phase(o, kind, 0) ? PINN_SUCCESS
                                                         : phases_full(o, "adding a phase", err);
  const size_t it = m->max_iter;
  const double gt = m->gtol;
  *m = pinn_phase_default(kind);
  m->max_iter = it;
  m->gtol = gt;
  return PINN_SUCCESS;
}

int pinn_train_options_set_last_iters(pinn_train_options *o, size_t n, pinn_error *err)
{
  if (n == 0 || o->n_phases == 0)
    return pinn_error_set(err, PINN_EINVAL, "the last phase needs at least 1 iteration%s",
                          o->n_phases ? "" : " (and the run has no phase)");
  o->phases[o->n_phases - 1].max_iter = n;
  return PINN_SUCCESS;
}

void pinn_train_options_drop_after_main(pinn_train_options *o)
{
  const pinn_phase *m = find_phase(o, 0);
  if (m) o->n_phases = (size_t)(m - o->phases) + 1;
}

struct pinn_trainer {
  pinn_loss *l;
  pinn_train_options o;
  size_t P, n_terms;
  double *x, *g, *best_x, *m, *v, *terms, *xprev;
  double best_f, f, gnorm, step;
  /* position */
  size_t phase, iter, total_iter;
  size_t evals0;
  double t0, elapsed_before, phase_t0;
  size_t adam_k;
  double lr;
  /* history */
  size_t hist_len, hist_cap;
  double *h_loss, *h_gnorm, *h_terms;
  pinn_phase_report reports[PINN_MAX_PHASES];
  size_t n_reports;
  pinn_stop_reason reason;
  size_t recoveries;
  gsl_multimin_fdfminimizer *s; /* the current quasi-Newton phase's minimizer */
  size_t s_phase;               /* the phase s belongs to */
  size_t evals_carry;           /* evaluations of the current phase before a resume */
  double *lbfgs_resume;         /* L-BFGS / dense state to load at the phase's set() */
  size_t lbfgs_resume_len;
  size_t lbfgs_resume_phase;    /* the phase that state belongs to */
  int resumed;
  int in_hook, changed;         /* inside the step hook; it changed the loss */
  /* noisy data (pinn_train_options.validation_*, noise_*) */
  int has_val;                  /* the loss holds held-out observations */
  double val_f, val_best;       /* the last and the best validation loss (NaN, +inf: none yet) */
  size_t val_iter, val_best_iter; /* the run-wide iterations they were measured at */
  double *val_best_x;           /* the parameters of val_best */
  double end_f;                 /* the loss at val_best_x, once a run restored it (else NaN) */
  int done;                     /* a validation or discrepancy stop ended the run */
  pinn_error err;
};

int pinn_train_options_check(const pinn_train_options *o, pinn_error *err)
{
  if (!o) return pinn_error_set(err, PINN_EINVAL, "the training options are NULL");
  if (o->n_phases < 1 || o->n_phases > PINN_MAX_PHASES)
    return pinn_error_set(err, PINN_EINVAL, "n_phases = %zu: use 1 to %d phases (PINN_MAX_PHASES)",
                          o->n_phases, PINN_MAX_PHASES);
  for (size_t i = 0; i < o->n_phases; ++i) {
    const pinn_phase *p = &o->phases[i];
    const char *name = pinn_optimizer_name(p->kind);
    if (!name)
      return pinn_error_set(err, PINN_EINVAL,
                            "phases[%zu].kind = %d is not an optimizer (use a PINN_OPT_* value)", i,
                            (int)p->kind);
    if (p->gtol < 0 || p->ftol < 0 || !isfinite(p->gtol) || !isfinite(p->ftol))
      return pinn_error_set(err, PINN_EINVAL, "phases[%zu] (%s): gtol and ftol must be >= 0", i,
                            name);
    if (p->ftol > 0 && p->window < 1)
      return pinn_error_set(err, PINN_EINVAL, "phases[%zu] (%s): ftol needs a window >= 1", i, name);
    if (p->kind == PINN_OPT_ADAM &&
        (!(p->lr > 0) || !isfinite(p->lr) || !(p->beta1 >= 0 && p->beta1 < 1) ||
         !(p->beta2 >= 0 && p->beta2 < 1) || !(p->eps > 0) || !(p->lr_decay > 0) ||
         p->decay_steps < 1))
      return pinn_error_set(err, PINN_EINVAL,
                            "phases[%zu] (adam): need lr > 0, 0 <= beta1, beta2 < 1, eps > 0, "
                            "lr_decay > 0, decay_steps >= 1",
                            i);
    if (p->kind != PINN_OPT_ADAM && p->kind != PINN_OPT_LM && (!(p->step > 0) || !isfinite(p->step)))
      return pinn_error_set(err, PINN_EINVAL, "phases[%zu] (%s): the first step length must be > 0",
                            i, name);
    if (p->kind == PINN_OPT_LBFGS && (p->memory < 1 || p->memory > 1000))
      return pinn_error_set(err, PINN_EINVAL,
                            "phases[%zu] (lbfgs): memory must be 1 to 1000, got %zu", i, p->memory);
  }
  if (o->time_budget < 0 || !isfinite(o->time_budget))
    return pinn_error_set(err, PINN_EINVAL, "time_budget = %g: give seconds >= 0 (0 = none)",
                          o->time_budget);
  if (!(o->noise_level >= 0) || !isfinite(o->noise_level))
    return pinn_error_set(err, PINN_EINVAL,
                          "noise_level = %g: give the noise's standard deviation >= 0 (0 = off)",
                          o->noise_level);
  if (!(o->rad_k >= 0) || !isfinite(o->rad_k) || !(o->rad_c >= 0) || !isfinite(o->rad_c))
    return pinn_error_set(err, PINN_EINVAL,
                          "rad_k = %g, rad_c = %g: the RAD density needs finite k >= 0 and c >= 0",
                          o->rad_k, o->rad_c);
  if (!(o->noise_tau > 0) || !isfinite(o->noise_tau))
    return pinn_error_set(err, PINN_EINVAL, "noise_tau = %g: give a factor > 0 (default 1)",
                          o->noise_tau);
  return pinn_balance_options_check(&o->balance, err);
}

void pinn_trainer_free(pinn_trainer *t)
{
  if (!t) return;
  free(t->x); free(t->g); free(t->best_x); free(t->m); free(t->v); free(t->terms);
  free(t->xprev); free(t->h_loss); free(t->h_gnorm); free(t->h_terms);
  free(t->lbfgs_resume); free(t->val_best_x);
  if (t->s) gsl_multimin_fdfminimizer_free(t->s);
  free(t);
}

pinn_trainer *pinn_trainer_alloc(pinn_loss *l, const pinn_train_options *opt, pinn_error *err)
{
  if (!l) {
    pinn_error_set(err, PINN_EINVAL, "pinn_trainer_alloc: the loss is NULL");
    return NULL;
  }
  pinn_train_options o = opt ? *opt : pinn_train_options_default();
  if (pinn_train_options_check(&o, err)) return NULL;
  for (size_t i = 0; i < o.n_phases; ++i) {
    if ((o.phases[i].kind == PINN_OPT_SSBFGS || o.phases[i].kind == PINN_OPT_SSBROYDEN) &&
        pinn_ssqn_check_size(pinn_loss_n_params(l), 0, err))
      return NULL;
    pinn_lm_options lo = pinn_lm_options_default();
    lo.method = o.phases[i].lm_method;
    if (o.phases[i].kind == PINN_OPT_LM && pinn_lm_check(l, &lo, err)) return NULL;
  }
  if (o.balance.kind != PINN_BALANCE_NONE) {
    size_t adam = 0;
    for (size_t i = 0; i < o.n_phases; ++i) adam += o.phases[i].kind == PINN_OPT_ADAM;
    if (!adam) {
      pinn_error_set(err, PINN_EINVAL, "balance = %s acts in Adam phases, and this run has none "
                     "(add an Adam phase, e.g. pinn solve --adam N)",
                     pinn_balance_name(o.balance.kind));
      return NULL;
    }
    if (o.balance.kind == PINN_BALANCE_NTK && pinn_lsq_check(l, err)) return NULL;
  }
  if (o.max_recoveries == 0) o.max_recoveries = 5;
  if (o.validation_every == 0) o.validation_every = 10;
  const pinn_problem *prob = pinn_loss_problem(l);
  size_t held = 0, data = 0;
  for (size_t i = 0; i < pinn_loss_n_terms(l); ++i) {
    held += pinn_loss_n_validation(l, i);
    data += pinn_problem_term_kind(prob, i) == PINN_TERM_DATA;
  }
  if (o.validation_patience && !held) {
    pinn_error_set(err, PINN_EINVAL,
                   "validation_patience = %zu needs held-out observations: build the loss with "
                   "pinn_loss_options.validation > 0 (pinn solve --validation FRAC) on a problem "
                   "with data",
                   o.validation_patience);
    return NULL;
  }
  if (o.noise_level > 0 && !data) {
    pinn_error_set(err, PINN_EINVAL,
                   "noise_level = %g: problem '%s' has no data term whose misfit could reach it",
                   o.noise_level, pinn_problem_name(prob));
    return NULL;
  }
  pinn_trainer *t = calloc(1, sizeof *t);
  if (!t) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  t->l = l;
  t->o = o;
  t->P = pinn_loss_n_params(l);
  t->n_terms = pinn_loss_n_terms(l);
  double **const vecs[] = {&t->x, &t->g, &t->best_x, &t->m, &t->v, &t->xprev, &t->val_best_x};
  int oom = !(t->terms = calloc(t->n_terms ? t->n_terms : 1, sizeof(double)));
  for (size_t k = 0; k < sizeof vecs / sizeof *vecs; ++k)
    oom |= !(*vecs[k] = calloc(t->P, sizeof(double)));
  if (oom) {
    pinn_trainer_free(t);
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  pinn_loss_get_params(l, t->x);
  memcpy(t->best_x, t->x, t->P * sizeof(double));
  t->best_f = INFINITY;
  t->f = NAN;
  t->has_val = held > 0;
  t->val_f = NAN;
  t->val_best = INFINITY;
  t->end_f = NAN;
  t->lr = o.phases[0].lr;
  return t;
}

const char *pinn_trainer_errmsg(const pinn_trainer *t) { return t ? t->err.msg : "no trainer"; }

/* Room for cap history entries. */
static int grow_history(pinn_trainer *t, size_t cap)
{
  double *a = realloc(t->h_loss, cap * sizeof *a);
  if (a) t->h_loss = a;
  double *b = realloc(t->h_gnorm, cap * sizeof *b);
  if (b) t->h_gnorm = b;
  double *c = realloc(t->h_terms, cap * (t->n_terms ? t->n_terms : 1) * sizeof *c);
  if (c) t->h_terms = c;
  if (!a || !b || !c) return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory for history");
  t->hist_cap = cap;
  return PINN_SUCCESS;
}

static int push_history(pinn_trainer *t)
{
  if (t->hist_len == t->hist_cap && grow_history(t, t->hist_cap ? 2 * t->hist_cap : 1024))
    return t->err.code;
  t->h_loss[t->hist_len] = t->f;
  t->h_gnorm[t->hist_len] = t->gnorm;
  memcpy(t->h_terms + t->hist_len * t->n_terms, t->terms, t->n_terms * sizeof(double));
  t->hist_len++;
  return PINN_SUCCESS;
}

static double elapsed(const pinn_trainer *t) { return t->elapsed_before + pinn_now_seconds_() - t->t0; }

static int report_progress(pinn_trainer *t, const pinn_phase *ph)
{
  if (!t->o.progress) return 0;
  pinn_progress pr = {.phase = t->phase, .n_phases = t->o.n_phases, .kind = ph->kind,
                      .iter = t->iter, .max_iter = ph->max_iter, .total_iter = t->total_iter,
                      .evals = pinn_loss_n_evals(t->l) - t->evals0, .loss = t->f,
                      .terms = t->terms, .n_terms = t->n_terms, .grad_norm = t->gnorm,
                      .step = t->step, .elapsed = elapsed(t),
                      .lr = ph->kind == PINN_OPT_ADAM ? t->lr : 0.0, .assembler = t->l,
                      .validation = NAN};
  /* measured at this iteration, or now for the report only (it changes nothing) */
  if (t->has_val && t->val_iter == t->total_iter && !isnan(t->val_f)) pr.validation = t->val_f;
  else if (t->has_val && pinn_loss_validation(t->l, t->x, &pr.validation, NULL))
    pr.validation = NAN;
  double pe = pinn_now_seconds_() - t->phase_t0;
  pr.eta = t->iter ? pe / (double)t->iter * (double)(ph->max_iter - (t->iter < ph->max_iter ? t->iter : ph->max_iter)) : NAN;
  if (t->o.time_budget > 0 && !(pr.eta <= t->o.time_budget - pr.elapsed)) /* the budget ends it first */
    pr.eta = fmax(0.0, t->o.time_budget - pr.elapsed);
  return t->o.progress(&pr, t->o.progress_ctx);
}

/* Common stopping tests after an iteration; returns a reason or NONE. */
static pinn_stop_reason check_stop(pinn_trainer *t, const pinn_phase *ph)
{
  if (ph->gtol > 0 && t->gnorm <= ph->gtol) return PINN_STOP_GTOL;
  if (ph->ftol > 0 && t->iter > ph->window && t->hist_len > ph->window) {
    double fo = t->h_loss[t->hist_len - 1 - ph->window], fn = t->h_loss[t->hist_len - 1];
    if ((fo - fn) / fmax(fabs(fn), 1e-300) < ph->ftol) return PINN_STOP_FTOL;
  }
  if (t->iter >= ph->max_iter) return PINN_STOP_MAX_ITER;
  if (ph->max_evals && pinn_loss_n_evals(t->l) - t->evals0 >= ph->max_evals) return PINN_STOP_MAX_EVALS;
  return PINN_STOP_NONE;
}

/* The loss's team when it has more than one rank, else NULL. */
static const pinn_team *team_of(const pinn_trainer *t)
{
  const pinn_team *tm = pinn_loss_team(t->l);
  return tm && tm->size > 1 ? tm : NULL;
}

/* Interrupt and time budget; on a team the ranks agree (the maximum of
 * their flags: one rank interrupted or out of time stops them all at the
 * same iteration). */
static pinn_stop_reason check_external(pinn_trainer *t)
{
  double v[2] = {t->o.interrupt && *t->o.interrupt ? 1.0 : 0.0,
                 t->o.time_budget > 0 && elapsed(t) >= t->o.time_budget ? 1.0 : 0.0};
  const pinn_team *tm = team_of(t);
  if (tm && pinn_team_max(tm, 2, v, &t->err)) return PINN_STOP_ERROR;
  if (v[0] != 0.0) return PINN_STOP_INTERRUPT;
  if (v[1] != 0.0) return PINN_STOP_TIME;
  return PINN_STOP_NONE;
}

static void note_best(pinn_trainer *t, const double *x, double f)
{
  if (f < t->best_f) {
    t->best_f = f;
    memcpy(t->best_x, x, t->P * sizeof(double));
  }
}

/* Evaluate at t->x into f, g, terms. */
static int eval_here(pinn_trainer *t)
{
  int st = pinn_loss_eval(t->l, t->x, &t->f, t->g, t->terms);
  gsl_vector_const_view g = gsl_vector_const_view_array(t->g, t->P);
  if (!st) t->gnorm = gsl_blas_dnrm2(&g.vector);
  return st;
}

/* The first residual term (what RAR and RAD adapt), n_terms when none. */
static size_t first_residual(const pinn_trainer *t)
{
  const pinn_problem *p = pinn_loss_problem(t->l);
  for (size_t i = 0; i < t->n_terms; ++i) {
    pinn_term_kind k = pinn_problem_term_kind(p, i);
    if (k == PINN_TERM_RESIDUAL || k == PINN_TERM_COMPLEMENTARITY || k == PINN_TERM_RESIDUAL_ANY)
      return i;
  }
  return t->n_terms;
}

static int refine_first_residual(pinn_trainer *t)
{
  const size_t i = first_residual(t);
  if (i == t->n_terms) return PINN_SUCCESS;
  int st = pinn_loss_refine(t->l, i, t->o.refine_candidates, t->o.refine_add);
  if (st) return pinn_error_set(&t->err, st, "refinement: %s", pinn_loss_errmsg(t->l));
  return PINN_SUCCESS;
}

/* RAD (pinn_loss_redistribute) of the first residual term, the draw seeded
 * by the run-wide iteration. */
static int redistribute_first_residual(pinn_trainer *t)
{
  const size_t i = first_residual(t);
  if (i == t->n_terms) return PINN_SUCCESS;
  size_t n;
  pinn_loss_term_points(t->l, i, &n, NULL, NULL);
  const size_t nc = t->o.rad_candidates ? t->o.rad_candidates : 10 * n;
  int st = pinn_loss_redistribute(t->l, i, nc, t->o.rad_k, t->o.rad_c, t->total_iter);
  if (st) return pinn_error_set(&t->err, st, "%s", pinn_loss_errmsg(t->l));
  return PINN_SUCCESS;
}

/* Does phase ph train on the causal loss (pinn/causal.h)? */
static int causal_in(const pinn_trainer *t, const pinn_phase *ph)
{
  const pinn_causal_options *c = pinn_loss_causal(t->l);
  return c && (ph->kind == PINN_OPT_ADAM || (c->quasi_newton && ph->kind != PINN_OPT_LM));
}

/* A phase's objective: causal weights on or off; at the start of a phase
 * whose objective is not the previous phase's, the best point's loss under
 * the new one (decided by the options alone, so a resumed run does the same). */
static int causal_phase(pinn_trainer *t, const pinn_phase *ph)
{
  if (!pinn_loss_causal(t->l)) return PINN_SUCCESS;
  const int on = causal_in(t, ph);
  pinn_loss_causal_activate(t->l, on);
  if (t->iter || !t->phase || on == causal_in(t, &t->o.phases[t->phase - 1]) ||
      !isfinite(t->best_f))
    return PINN_SUCCESS;
  double f;
  int st = pinn_loss_eval(t->l, t->best_x, &f, NULL, NULL);
  if (st)
    return pinn_error_set(&t->err, st, "phase %zu: the loss %s causal weights at the best point: "
                          "%s", t->phase + 1, on ? "with" : "without", pinn_loss_errmsg(t->l));
  t->best_f = f;
  return PINN_SUCCESS;
}

static int periodic_checkpoint(pinn_trainer *t)
{
  if (!t->o.checkpoint_path || !t->o.checkpoint_every || t->total_iter % t->o.checkpoint_every)
    return PINN_SUCCESS;
  return pinn_trainer_checkpoint(t, t->o.checkpoint_path);
}

/* The data terms' mean squared misfit over their training observations,
 * sum_t n_t L_t / sum_t n_t, from this iteration's per-term losses. */
static double data_misfit(const pinn_trainer *t)
{
  const pinn_problem *p = pinn_loss_problem(t->l);
  double sum = 0, count = 0;
  for (size_t i = 0; i < t->n_terms; ++i) {
    size_t n = 0;
    if (pinn_problem_term_kind(p, i) != PINN_TERM_DATA) continue;
    pinn_loss_term_points(t->l, i, &n, NULL, NULL);
    sum += (double)n * t->terms[i];
    count += (double)n;
  }
  return count > 0 ? sum / count : NAN;
}

/* Noisy data after an iteration: the validation loss when its count is due
 * (the best one and its parameters kept), then the validation and
 * discrepancy stops.  PINN_STOP_NONE to go on. */
static pinn_stop_reason watch_data(pinn_trainer *t, int *status)
{
  if (t->has_val && t->total_iter % t->o.validation_every == 0) {
    int st = pinn_loss_validation(t->l, t->x, &t->val_f, NULL);
    if (st) {
      *status = pinn_error_set(&t->err, st, "iteration %zu: the validation loss: %s",
                               t->total_iter, pinn_loss_errmsg(t->l));
      return PINN_STOP_ERROR;
    }
    t->val_iter = t->total_iter;
    if (t->val_f < t->val_best) {
      t->val_best = t->val_f;
      t->val_best_iter = t->total_iter;
      memcpy(t->val_best_x, t->x, t->P * sizeof(double));
    }
    if (t->o.validation_patience && t->total_iter - t->val_best_iter >= t->o.validation_patience)
      return PINN_STOP_VALIDATION;
  }
  const double s = t->o.noise_level;
  if (s > 0 && data_misfit(t) <= t->o.noise_tau * s * s) return PINN_STOP_DISCREPANCY;
  return PINN_STOP_NONE;
}

/* The end of an iteration of Adam or a quasi-Newton phase: the noisy-data
 * watch, the progress report, the stopping tests, then the periodic
 * checkpoint (after the tests: a checkpoint holds a phase that goes on; the
 * one written at a phase's end is the run loop's).  PINN_STOP_NONE to go on. */
static pinn_stop_reason end_iteration(pinn_trainer *t, const pinn_phase *ph, int *status)
{
  const pinn_stop_reason w = watch_data(t, status);
  if (w == PINN_STOP_ERROR) return w;
  if (t->o.progress_every && t->iter % t->o.progress_every == 0 && report_progress(t, ph))
    return PINN_STOP_USER;
  if (w) return w;
  const pinn_stop_reason r = check_stop(t, ph);
  if (r || !periodic_checkpoint(t)) return r;
  *status = t->err.code;
  return PINN_STOP_ERROR;
}

/* The step hook, when this iteration's count is due: 1 when the run must
 * stop (status set), else 0 with t->changed saying whether the loss changed. */
static int step_hook(pinn_trainer *t, int *status)
{
  t->changed = 0;
  const size_t every = t->o.step_hook_every ? t->o.step_hook_every : 1;
  if (!t->o.step_hook || t->total_iter % every) return 0;
  t->in_hook = 1;
  int rc = t->o.step_hook(t, t->l, t->o.step_hook_ctx);
  t->in_hook = 0;
  if (!rc) return 0;
  *status = pinn_error_set(&t->err, PINN_ECALLBACK, "iteration %zu: the step hook failed (%d)",
                           t->total_iter, rc);
  return 1;
}

int pinn_trainer_loss_changed(pinn_trainer *t)
{
  if (!t) return PINN_EINVAL;
  if (!t->in_hook)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "pinn_trainer_loss_changed: call it from the step hook");
  t->changed = 1;
  return PINN_SUCCESS;
}

/* After the hook changed the loss: the new loss at the current point, which
 * becomes the best point (earlier losses measured another objective). */
static int rebase_on_change(pinn_trainer *t, int *status)
{
  int st = eval_here(t);
  const char *why = st ? pinn_loss_errmsg(t->l) : "it is not finite";
  if (!st && !isfinite(t->f)) st = PINN_ENONFINITE;
  if (st) {
    *status = pinn_error_set(&t->err, st, "iteration %zu: the loss the step hook (or the causal "
                             "eps) changed: %s",
                             t->total_iter, why);
    return 1;
  }
  t->best_f = t->f;
  memcpy(t->best_x, t->x, t->P * sizeof(double));
  return 0;
}

/* Loss balancing after an Adam iteration (after the step hook): when due,
 * new weights at the current point, and the loss has changed.  1 when the
 * run must stop (status set). */
static int balance_step(pinn_trainer *t, int *status)
{
  const pinn_balance_options *b = &t->o.balance;
  if (b->kind == PINN_BALANCE_NONE || t->iter % b->every) return 0;
  pinn_error e;
  int st = pinn_balance_update(t->l, t->x, b, &e);
  if (st) {
    *status = pinn_error_set(&t->err, st, "iteration %zu: %s", t->total_iter, e.msg);
    return 1;
  }
  t->changed = 1;
  return 0;
}

/* A loss evaluation of iteration iter failed with st: the loss's words. */
static pinn_stop_reason eval_failed(pinn_trainer *t, int st, size_t iter, int *status)
{
  *status = pinn_error_set(&t->err, st, "iteration %zu: %s", iter, pinn_loss_errmsg(t->l));
  return PINN_STOP_ERROR;
}

/* The message of a phase that stops on a non-finite loss: the iteration,
 * the recoveries tried, and the loss's own words (term, point, entry). */
static void nonfinite_message(pinn_trainer *t, int loss_status, size_t recoveries)
{
  const char *m = loss_status ? pinn_loss_errmsg(t->l) : "";
  pinn_error_set(&t->err, PINN_ENONFINITE, "iteration %zu: the loss is not finite%s%s%s%s",
                 t->total_iter + 1,
                 recoveries ? " (after restoring the best point and halving the learning rate "
                              "each time)"
                            : "",
                 *m ? ": " : "", m,
                 *m ? "" : " (it overflowed: no term reported a NaN; lower the learning rate "
                           "or scale the problem)");
}

static pinn_stop_reason run_adam(pinn_trainer *t, const pinn_phase *ph, int *status)
{
  size_t recoveries = 0;
  for (;;) {
    pinn_stop_reason r = check_external(t);
    if (r == PINN_STOP_ERROR) *status = t->err.code;
    if (r) return r;
    int st = eval_here(t);
    if (st == PINN_ENONFINITE || (!st && !isfinite(t->f))) {
      if (++recoveries > t->o.max_recoveries || !isfinite(t->best_f)) {
        nonfinite_message(t, st, recoveries - 1);
        return PINN_STOP_NONFINITE;
      }
      t->recoveries++;
      memcpy(t->x, t->best_x, t->P * sizeof(double));
      t->lr *= 0.5;
      memset(t->m, 0, t->P * sizeof(double));
      memset(t->v, 0, t->P * sizeof(double));
      t->adam_k = 0;
      continue;
    }
    if (st) return eval_failed(t, st, t->total_iter, status);
    note_best(t, t->x, t->f);
    /* the step */
    t->adam_k++;
    const double b1 = ph->beta1, b2 = ph->beta2;
    const double c1 = 1 - pow(b1, (double)t->adam_k), c2 = 1 - pow(b2, (double)t->adam_k);
    double s2 = 0;
    for (size_t j = 0; j < t->P; ++j) {
      const double gj = t->g[j];
      t->m[j] = b1 * t->m[j] + (1 - b1) * gj;
      t->v[j] = b2 * t->v[j] + (1 - b2) * gj * gj;
      const double dx = t->lr * (t->m[j] / c1) / (sqrt(t->v[j] / c2) + ph->eps);
      t->x[j] -= dx;
      s2 += dx * dx;
    }
    t->step = sqrt(s2);
    t->iter++;
    t->total_iter++;
    if (t->iter % ph->decay_steps == 0) t->lr *= ph->lr_decay;
    if (push_history(t)) {
      *status = t->err.code;
      return PINN_STOP_ERROR;
    }
    const int annealed = pinn_loss_causal_anneal(t->l); /* eps up a rung: a new objective */
    int rs = t->o.refine_every && t->iter % t->o.refine_every == 0 ? refine_first_residual(t) : 0;
    if (!rs && t->o.rad_every && t->iter % t->o.rad_every == 0)
      rs = redistribute_first_residual(t);
    if (!rs && t->o.resample_every && t->iter % t->o.resample_every == 0 &&
        (rs = pinn_loss_resample(t->l)))
      pinn_error_set(&t->err, rs, "%s", pinn_loss_errmsg(t->l));
    if (rs) {
      *status = rs;
      return PINN_STOP_ERROR;
    }
    if (step_hook(t, status) || balance_step(t, status) ||
        ((t->changed || annealed) && rebase_on_change(t, status)))
      return PINN_STOP_ERROR;
    r = end_iteration(t, ph, status);
    if (r) return r;
  }
}

/* Loss transforms for quasi-Newton phases: minimise log(f) or sqrt(f). */
typedef struct {
  gsl_multimin_function_fdf inner;
  int kind;
} xform_ctx;

static double apply_transform(int kind, double f)
{
  return kind == PINN_LOSS_LOG ? log(f) : kind == PINN_LOSS_SQRT ? sqrt(f) : f;
}

/* the loss from the transformed value */
static double untransform(int kind, double v)
{
  return kind == PINN_LOSS_LOG ? exp(v) : kind == PINN_LOSS_SQRT ? v * v : v;
}

/* d f / d transformed = the factor from the transformed gradient back to the loss's */
static double dtransform(int kind, double f)
{
  return kind == PINN_LOSS_LOG ? f : kind == PINN_LOSS_SQRT ? 2.0 * sqrt(f) : 1.0;
}

static double xform_f(const gsl_vector *x, void *params)
{
  xform_ctx *c = params;
  return apply_transform(c->kind, c->inner.f(x, c->inner.params));
}

static void xform_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
  xform_ctx *c = params;
  c->inner.fdf(x, c->inner.params, f, g);
  const double scale = 1.0 / dtransform(c->kind, *f);
  *f = apply_transform(c->kind, *f);
  gsl_vector_scale(g, scale);
}

static void xform_df(const gsl_vector *x, void *params, gsl_vector *g)
{
  double f;
  xform_fdf(x, params, &f, g);
}

/* Start (or restart) minimizer s at t->x: PINN_STOP_NONE, or why it cannot
 * (status and message set).  The sizes agree by construction (both are the
 * loss's parameter count), so GSL's own size checks never fire. */
static pinn_stop_reason qn_set(pinn_trainer *t, const pinn_phase *ph, gsl_multimin_fdfminimizer *s,
                               gsl_multimin_function_fdf *F, int *status)
{
  gsl_vector_view xv = gsl_vector_view_array(t->x, t->P);
  int st = gsl_multimin_fdfminimizer_set(s, F, &xv.vector, ph->step, ph->line_tol);
  if (!st && !pinn_loss_last_status(t->l) && isfinite(s->f)) return PINN_STOP_NONE;
  int ls = pinn_loss_last_status(t->l);
  if (pinn_qn_is_libpinn(s) && (st == PINN_EUNSUPPORTED || st == GSL_ENOMEM)) {
    *status = pinn_error_set(&t->err, st, "%s", pinn_qn_errmsg(s));
    return PINN_STOP_ERROR;
  }
  if (ls && ls != PINN_ENONFINITE) return eval_failed(t, ls, t->total_iter, status);
  nonfinite_message(t, ls, 0);
  return PINN_STOP_NONFINITE;
}

static pinn_stop_reason run_qn(pinn_trainer *t, const pinn_phase *ph, int *status)
{
  const gsl_multimin_fdfminimizer_type *T =
      ph->kind == PINN_OPT_LBFGS       ? pinn_multimin_fdfminimizer_lbfgs
      : ph->kind == PINN_OPT_SSBFGS    ? pinn_multimin_fdfminimizer_ssbfgs
      : ph->kind == PINN_OPT_SSBROYDEN ? pinn_multimin_fdfminimizer_ssbroyden
      : ph->kind == PINN_OPT_BFGS2     ? gsl_multimin_fdfminimizer_vector_bfgs2
                                       : gsl_multimin_fdfminimizer_conjugate_pr;
  gsl_multimin_function_fdf F;
  pinn_loss_gsl_function(t->l, &F);
  xform_ctx xc = {F, ph->loss_transform};
  if (ph->loss_transform != PINN_LOSS_PLAIN) {
    F.f = xform_f;
    F.df = xform_df;
    F.fdf = xform_fdf;
    F.params = &xc;
  }
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(T, t->P);
  t->s = s;
  if (!s) {
    *status = pinn_error_set(&t->err, PINN_ENOMEM, "out of memory for the %s minimizer",
                             pinn_optimizer_name(ph->kind));
    return PINN_STOP_ERROR;
  }
  if (ph->kind == PINN_OPT_LBFGS) pinn_lbfgs_set_memory(s, ph->memory);
  pinn_stop_reason r = qn_set(t, ph, s, &F, status);
  pinn_error e;
  if (!r && t->lbfgs_resume && t->lbfgs_resume_phase == t->phase && pinn_qn_is_libpinn(s) &&
      pinn_qn_state_load(s, t->lbfgs_resume, t->lbfgs_resume_len, &e)) {
    *status = pinn_error_set(&t->err, PINN_EFORMAT,
                             "checkpoint: the optimizer state does not load: %s", e.msg);
    r = PINN_STOP_ERROR;
  }
  free(t->lbfgs_resume); /* loaded, or a state of another phase: of no use */
  t->lbfgs_resume = NULL;
  if (r) {
    gsl_multimin_fdfminimizer_free(s);
    t->s = NULL;
    return r;
  }
  t->s_phase = t->phase;
  t->f = untransform(ph->loss_transform, s->f);
  t->gnorm = gsl_blas_dnrm2(s->gradient) * dtransform(ph->loss_transform, t->f);
  note_best(t, s->x->data, t->f);
  /* the per-term losses of the starting point (never a previous phase's) */
  pinn_loss_last_terms(t->l, s->x->data, t->terms);
  int retried = 0;
  for (;;) {
    r = check_external(t);
    if (r == PINN_STOP_ERROR) *status = t->err.code;
    if (r) break;
    memcpy(t->xprev, s->x->data, t->P * sizeof(double));
    const int st = gsl_multimin_fdfminimizer_iterate(s);
    int ls = pinn_loss_last_status(t->l);
    if (ls && ls != PINN_ENONFINITE) {
      r = eval_failed(t, ls, t->total_iter + 1, status);
      break;
    }
    const double fnew = untransform(ph->loss_transform, s->f);
    if (st || !isfinite(s->f) || fnew > t->f) {
      /* GSL's own types may report success without progress: treat alike */
      if (!retried && ph->kind != PINN_OPT_LBFGS) {
        retried = 1;
        gsl_multimin_fdfminimizer_restart(s);
        continue;
      }
      r = st == GSL_ENOPROG || isfinite(s->f) ? PINN_STOP_NO_PROGRESS : PINN_STOP_NONFINITE;
      if (r == PINN_STOP_NONFINITE) nonfinite_message(t, pinn_loss_last_status(t->l), 0);
      break;
    }
    if (fnew == t->f && memcmp(t->xprev, s->x->data, t->P * sizeof(double)) == 0) {
      r = PINN_STOP_NO_PROGRESS;
      break;
    }
    retried = 0;
    double s2 = 0;
    for (size_t j = 0; j < t->P; ++j) {
      double d = s->x->data[j] - t->xprev[j];
      s2 += d * d;
    }
    t->step = sqrt(s2);
    t->f = fnew;
    t->gnorm = gsl_blas_dnrm2(s->gradient) * dtransform(ph->loss_transform, t->f);
    memcpy(t->x, s->x->data, t->P * sizeof(double));
    note_best(t, t->x, t->f);
    pinn_loss_last_terms(t->l, t->x, t->terms);
    t->iter++;
    t->total_iter++;
    if (push_history(t) || step_hook(t, status)) {
      *status = t->err.code;
      r = PINN_STOP_ERROR;
      break;
    }
    if (t->changed) { /* another objective: restart the minimizer where it is */
      r = qn_set(t, ph, s, &F, status);
      if (r) break;
      t->f = t->best_f = untransform(ph->loss_transform, s->f);
      t->gnorm = gsl_blas_dnrm2(s->gradient) * dtransform(ph->loss_transform, t->f);
      memcpy(t->best_x, t->x, t->P * sizeof(double));
      pinn_loss_last_terms(t->l, t->x, t->terms);
    }
    r = end_iteration(t, ph, status);
    if (r) break;
  }
  memcpy(t->x, t->best_x, t->P * sizeof(double));
  /* t->s stays alive until the run loop has written its checkpoint */
  return r;
}

typedef struct {
  pinn_trainer *t;
  const pinn_phase *ph;
  int status;
  pinn_stop_reason external; /* a team's agreed interrupt / time stop */
} lm_hook;

static int lm_progress(const pinn_lm_progress *p, void *ctx)
{
  lm_hook *h = ctx;
  pinn_trainer *t = h->t;
  if (p->iter == 0 || p->iter <= t->iter) return 0; /* the start, or the closing call */
  if (team_of(t) && (h->external = check_external(t))) {
    if (h->external == PINN_STOP_ERROR) h->status = t->err.code;
    return 1;
  }
  t->iter = p->iter;
  t->total_iter++;
  t->f = p->loss;
  t->gnorm = p->grad_norm;
  t->step = p->step;
  for (size_t i = 0; i < t->n_terms; ++i) t->terms[i] = p->terms[i];
  pinn_loss_get_params(t->l, t->x);
  note_best(t, t->x, t->f);
  if (push_history(t) || step_hook(t, &h->status) || (t->changed && rebase_on_change(t, &h->status))) {
    h->status = t->err.code;
    return 1;
  }
  const pinn_stop_reason w = watch_data(t, &h->status);
  if (w == PINN_STOP_ERROR || (!w && periodic_checkpoint(t))) {
    h->status = t->err.code;
    return 1;
  }
  if (t->o.progress_every && t->iter % t->o.progress_every == 0 && report_progress(t, h->ph))
    return 1;
  h->external = w; /* a validation or discrepancy stop ends LM as it ends the run */
  return w != PINN_STOP_NONE;
}

static pinn_stop_reason run_lm(pinn_trainer *t, const pinn_phase *ph, int *status)
{
  pinn_loss_set_params(t->l, t->x);
  pinn_lm_options lo = pinn_lm_options_default();
  lo.method = (pinn_lm_method)ph->lm_method;
  lo.max_iter = ph->max_iter > t->iter ? ph->max_iter - t->iter : 0;
  lo.max_evals = ph->max_evals;
  lo.xtol = ph->xtol;
  lo.gtol = ph->gtol;
  lo.ftol = ph->ftol;
  if (ph->window) lo.window = ph->window;
  if (t->o.time_budget > 0) {
    lo.time_budget = t->o.time_budget - elapsed(t);
    if (lo.time_budget <= 0) return PINN_STOP_TIME;
  }
  lo.interrupt = t->o.interrupt;
  if (team_of(t)) { /* the ranks agree in lm_progress instead */
    lo.interrupt = NULL;
    lo.time_budget = 0;
  }
  lo.progress_every = 1;
  lm_hook h = {t, ph, 0, PINN_STOP_NONE};
  lo.progress = lm_progress;
  lo.progress_ctx = &h;
  /* iterations of a resumed LM phase restart LM's own count from the saved point */
  const size_t base = t->iter;
  t->iter = 0;
  pinn_lm_report rep;
  pinn_error e;
  int st = pinn_lm_run(t->l, &lo, &rep, &e);
  t->iter = base + rep.iterations;
  pinn_loss_get_params(t->l, t->x);
  if (isfinite(rep.loss)) note_best(t, t->x, rep.loss);
  if (h.status) {
    *status = h.status;
    return PINN_STOP_ERROR;
  }
  if (h.external) return h.external;
  if (st) {
    if (st == PINN_ENONFINITE) return PINN_STOP_NONFINITE;
    *status = pinn_error_set(&t->err, st, "Levenberg-Marquardt: %s", e.msg);
    return PINN_STOP_ERROR;
  }
  /* the same words as a quasi-Newton phase that cannot go down */
  return rep.reason == PINN_STOP_NO_STEP ? PINN_STOP_NO_PROGRESS : rep.reason;
}

/* The run ends with the best-validation parameters (validation_patience
 * set and a validation loss measured). */
static int restores_validation(const pinn_trainer *t)
{
  return t->o.validation_patience && t->has_val && isfinite(t->val_best);
}

/* The parameters the run ends with (and a checkpoint's /model holds). */
static const double *final_params(const pinn_trainer *t)
{
  return restores_validation(t) ? t->val_best_x : isfinite(t->best_f) ? t->best_x : t->x;
}

int pinn_trainer_run(pinn_trainer *t)
{
  if (!t) return PINN_EINVAL;
  t->t0 = pinn_now_seconds_();
  int status = PINN_SUCCESS;
  while (!t->done && t->phase < t->o.n_phases) {
    const pinn_phase *ph = &t->o.phases[t->phase];
    t->evals0 = pinn_loss_n_evals(t->l);
    t->phase_t0 = pinn_now_seconds_();
    const size_t carry = t->resumed ? t->evals_carry : 0;
    t->resumed = 0;
    if (t->iter == 0 && ph->kind == PINN_OPT_ADAM) {
      t->lr = ph->lr;
      t->adam_k = 0;
      memset(t->m, 0, t->P * sizeof(double));
      memset(t->v, 0, t->P * sizeof(double));
    }
    if (causal_phase(t, ph)) {
      status = t->err.code;
      t->reason = PINN_STOP_ERROR;
      break;
    }
    if (t->iter == 0 && isfinite(t->best_f)) memcpy(t->x, t->best_x, t->P * sizeof(double));
    /* balancing's weights after Adam: back to the problem's (the best point
     * restarts with the loss that changed) */
    if (t->iter == 0 && ph->kind != PINN_OPT_ADAM && t->o.balance.kind != PINN_BALANCE_NONE &&
        t->o.balance.after == PINN_BALANCE_RESTORE && pinn_balance_restore(t->l) &&
        rebase_on_change(t, &status)) {
      t->reason = PINN_STOP_ERROR;
      break;
    }
    /* a resumed phase that had reached its limit (a checkpoint written when
     * the run stopped at the phase's last iteration) is over */
    pinn_stop_reason r = t->iter && t->iter >= ph->max_iter ? PINN_STOP_MAX_ITER
                         : ph->kind == PINN_OPT_ADAM        ? run_adam(t, ph, &status)
                         : ph->kind == PINN_OPT_LM          ? run_lm(t, ph, &status)
                                                            : run_qn(t, ph, &status);
    pinn_phase_report *rep = &t->reports[t->phase];
    rep->kind = ph->kind;
    rep->iterations = t->iter;
    rep->evals = pinn_loss_n_evals(t->l) - t->evals0 + carry;
    rep->seconds = pinn_now_seconds_() - t->phase_t0;
    rep->loss = t->best_f;
    rep->reason = r;
    t->n_reports = t->phase + 1;
    t->reason = r;
    if (t->iter % (t->o.progress_every ? t->o.progress_every : 1) != 0 || t->iter == 0)
      report_progress(t, ph);
    /* a non-finite loss with no finite point ever seen ends the run: the
     * next phase would start from the same place */
    t->done = r == PINN_STOP_VALIDATION || r == PINN_STOP_DISCREPANCY;
    const int last = r == PINN_STOP_ERROR || r == PINN_STOP_USER ||
                     r == PINN_STOP_INTERRUPT || r == PINN_STOP_TIME || t->done ||
                     (r == PINN_STOP_NONFINITE && !isfinite(t->best_f));
    if (!last) {
      t->phase++;
      t->iter = 0;
    }
    /* A finished phase hands its best point to the next (the next phase's
     * start copies it); the checkpoint keeps the phase's own last point and,
     * for the last phase, its minimizer state, so that extending that phase
     * on resume continues bitwise.  A run stopped early keeps the current
     * point and state, so a resume continues exactly. */
    if (!last && t->s && t->s_phase + 1 < t->o.n_phases) {
      gsl_multimin_fdfminimizer_free(t->s); /* not needed by any checkpoint */
      t->s = NULL;
    }
    if (t->o.checkpoint_path && r != PINN_STOP_ERROR) {
      int cs = pinn_trainer_checkpoint(t, t->o.checkpoint_path);
      if (cs && !status) status = cs;
    }
    if (t->s) {
      gsl_multimin_fdfminimizer_free(t->s);
      t->s = NULL;
    }
    if (last) break;
  }
  if (!status && t->reason == PINN_STOP_NONFINITE) status = t->err.code ? t->err.code : PINN_ENONFINITE;
  t->elapsed_before += pinn_now_seconds_() - t->t0;
  t->t0 = pinn_now_seconds_();
  if (restores_validation(t)) { /* the loss there, for pinn_trainer_loss */
    double f;
    if (pinn_loss_eval(t->l, t->val_best_x, &f, NULL, NULL) == PINN_SUCCESS) t->end_f = f;
    else if (!status) status = pinn_error_set(&t->err, pinn_loss_last_status(t->l),
                                              "the loss at the best validation point: %s",
                                              pinn_loss_errmsg(t->l));
  } else if (isfinite(t->best_f)) {
    pinn_loss_set_params(t->l, t->best_x);
    t->f = t->best_f;
  }
  return status;
}

pinn_stop_reason pinn_trainer_stop_reason(const pinn_trainer *t) { return t->reason; }
size_t pinn_trainer_n_phase_reports(const pinn_trainer *t) { return t->n_reports; }
const pinn_phase_report *pinn_trainer_phase_report(const pinn_trainer *t, size_t i)
{
  return i < t->n_reports ? &t->reports[i] : NULL;
}
size_t pinn_trainer_iterations(const pinn_trainer *t) { return t->total_iter; }
size_t pinn_trainer_evals(const pinn_trainer *t)
{
  size_t e = 0;
  for (size_t i = 0; i < t->n_reports; ++i) e += t->reports[i].evals;
  return e;
}
double pinn_trainer_seconds(const pinn_trainer *t) { return t->elapsed_before; }
double pinn_trainer_loss(const pinn_trainer *t)
{
  return restores_validation(t) && !isnan(t->end_f) ? t->end_f : t->best_f;
}
double pinn_trainer_validation_best(const pinn_trainer *t)
{
  return isfinite(t->val_best) ? t->val_best : NAN;
}
size_t pinn_trainer_validation_best_iter(const pinn_trainer *t)
{
  return isfinite(t->val_best) ? t->val_best_iter : 0;
}
size_t pinn_trainer_history_length(const pinn_trainer *t) { return t->hist_len; }
const double *pinn_trainer_history_loss(const pinn_trainer *t) { return t->h_loss; }
const double *pinn_trainer_history_grad_norm(const pinn_trainer *t) { return t->h_gnorm; }
const double *pinn_trainer_history_terms(const pinn_trainer *t) { return t->h_terms; }
size_t pinn_trainer_recoveries(const pinn_trainer *t) { return t->recoveries; }

/* ---------------------------------------------------------- checkpoints */

#define CKPT_FORMAT 1

/* The options a checkpoint records, so that a resume can refuse options that
 * contradict it: per phase OPT_PER_PHASE values, then the run-wide ones,
 * then each term's configured point count. */
#define OPT_PER_PHASE 18
#define OPT_GLOBAL 5

static void phase_record(const pinn_phase *p, double *o)
{
  const double v[OPT_PER_PHASE] = {(double)p->kind, (double)p->max_iter, (double)p->max_evals,
                                   p->gtol, p->ftol, (double)p->window, p->lr, p->lr_decay,
                                   (double)p->decay_steps, p->beta1, p->beta2, p->eps,
                                   (double)p->memory, p->step, p->line_tol,
                                   (double)p->loss_transform, (double)p->lm_method, p->xtol};
  memcpy(o, v, sizeof v);
}

static const char *const phase_field[OPT_PER_PHASE] = {
    "optimizer", "iterations", "evaluation limit", "gtol", "ftol", "ftol window",
    "learning rate", "lr decay", "decay steps", "beta1", "beta2", "eps", "memory",
    "first step", "line-search tolerance", "loss transform", "LM method", "xtol"};

static void options_record(const pinn_trainer *t, double *o)
{
  for (size_t i = 0; i < t->o.n_phases; ++i) phase_record(&t->o.phases[i], o + i * OPT_PER_PHASE);
  double *g = o + t->o.n_phases * OPT_PER_PHASE;
  g[0] = (double)t->o.n_phases;
  g[1] = (double)t->o.resample_every;
  g[2] = (double)t->o.refine_every;
  g[3] = (double)t->o.refine_candidates;
  g[4] = (double)t->o.refine_add;
  const pinn_problem *p = pinn_loss_problem(t->l);
  for (size_t i = 0; i < t->n_terms; ++i) g[OPT_GLOBAL + i] = (double)pinn_problem_term_points(p, i);
}

/* Refuse options that contradict the checkpoint's record `saved` (n values)
 * of a run at phase `phase`, iteration `iter` in it. */
static int check_options_record(pinn_trainer *t, const char *path, const double *saved, size_t n,
                                size_t phase, size_t iter)
{
  static const char may[] =
      " (on resume only the iteration limits of the current and later phases, e.g. to extend the "
      "last one, the time budget, threads, progress and checkpoint settings may change)";
  if (n < OPT_GLOBAL + t->n_terms || (n - OPT_GLOBAL - t->n_terms) % OPT_PER_PHASE)
    return pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s: the options record has %zu values",
                          path, n);
  const size_t sp = (n - OPT_GLOBAL - t->n_terms) / OPT_PER_PHASE;
  if (sp != t->o.n_phases)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: %s was written by a run of %zu phases, this run has %zu%s", path,
                          sp, t->o.n_phases, may);
  double *mine = malloc(n * sizeof *mine);
  if (!mine) return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory");
  options_record(t, mine);
  int st = PINN_SUCCESS;
  for (size_t q = 0; q < n && !st; ++q) {
    const double a = saved[q], b = mine[q];
    if (a == b || (isnan(a) && isnan(b))) continue;
    if (q < sp * OPT_PER_PHASE) {
      const size_t i = q / OPT_PER_PHASE, j = q % OPT_PER_PHASE;
      const char *on = pinn_optimizer_name(t->o.phases[i].kind);
      if (j == 1 && i > phase) continue;
      if (j == 1 && i == phase && b >= (double)iter) continue;
      if (j == 0)
        st = pinn_error_set(&t->err, PINN_EINVAL,
                            "resume: phase %zu is %s in %s but %s in this run%s", i + 1,
                            a >= 0 && a < (double)N_OPT ? opt_names[(int)a] : "unknown", path, on,
                            may);
      else if (j == 1 && i == phase)
        st = pinn_error_set(&t->err, PINN_EINVAL,
                            "resume: phase %zu (%s) has done %zu iterations in %s, more than this "
                            "run's limit of %.0f",
                            i + 1, on, iter, path, b);
      else
        st = pinn_error_set(&t->err, PINN_EINVAL,
                            "resume: phase %zu (%s): %s is %.10g in %s but %.10g in this run%s",
                            i + 1, on, phase_field[j], a, path, b, may);
    } else if (q < sp * OPT_PER_PHASE + OPT_GLOBAL) {
      static const char *const gname[OPT_GLOBAL] = {"phases", "resample every", "refine every",
                                                    "refine candidates", "refine points added"};
      st = pinn_error_set(&t->err, PINN_EINVAL, "resume: %s is %.10g in %s but %.10g in this run%s",
                          gname[q - sp * OPT_PER_PHASE], a, path, b, may);
    } else {
      const size_t i = q - sp * OPT_PER_PHASE - OPT_GLOBAL;
      st = pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: term '%s' has %.0f points in %s but %.0f in this run (--points)%s",
                          pinn_problem_term_name(pinn_loss_problem(t->l), i), a, path, b, may);
    }
  }
  free(mine);
  return st;
}

/* /trainer/validation: validation_every, validation_patience, noise_level,
 * noise_tau, has_val (the settings a resume must share), then val_f,
 * val_best, val_iter, val_best_iter. */
#define VAL_RECORD 9

/* Read the noisy-data watch of checkpoint r (path) into t, checked: the
 * settings must be this run's, the values sane.  A checkpoint written before
 * the watch existed has none: fine when this run uses none either. */
static int load_validation(pinn_trainer *t, pinn_h5_reader *r, const char *path, size_t total_iter)
{
  const int uses = t->has_val || t->o.noise_level > 0;
  if (!pinn_h5_has(r, "/trainer/validation")) {
    if (!uses) return PINN_SUCCESS;
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: %s was written by a run without held-out data or noise level; "
                          "resume it without --validation and --noise-level",
                          path);
  }
  size_t vd[1] = {VAL_RECORD}, dims[1] = {t->P};
  double *va = NULL, *vx = NULL;
  int st = PINN_SUCCESS;
  if (pinn_h5_read_dataset(r, "/trainer/validation", 1, vd, &va, NULL, NULL) ||
      (t->has_val && pinn_h5_read_dataset(r, "/trainer/validation_x", 1, dims, &vx, NULL, NULL)))
    st = pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
  const double mine[5] = {(double)t->o.validation_every, (double)t->o.validation_patience,
                          t->o.noise_level, t->o.noise_tau, (double)t->has_val};
  static const char *const field[5] = {"the validation interval", "the validation patience",
                                       "the noise level", "the discrepancy factor noise_tau",
                                       "holding out observations (--validation)"};
  for (size_t k = 0; k < 5 && !st; ++k)
    if (va[k] != mine[k])
      st = pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: %s is %.10g in %s but %.10g in this run: resume with the "
                          "settings of the saved run",
                          field[k], va[k], path, mine[k]);
  if (!st && (!(isnan(va[5]) || va[5] >= 0) || !(va[6] >= 0) || isnan(va[6]) ||
              !(va[7] >= 0 && va[7] <= (double)total_iter && va[7] == floor(va[7])) ||
              !(va[8] >= 0 && va[8] <= (double)total_iter && va[8] == floor(va[8]))))
    st = pinn_error_set(&t->err, PINN_EFORMAT,
                        "resume: %s: /trainer/validation holds a negative loss or an iteration "
                        "beyond the run's: the file is corrupt",
                        path);
  for (size_t j = 0; vx && j < t->P && !st; ++j)
    if (!isfinite(vx[j]))
      st = pinn_error_set(&t->err, PINN_EFORMAT,
                          "resume: %s: /trainer/validation_x holds a non-finite parameter", path);
  if (!st) {
    t->val_f = va[5];
    t->val_best = va[6];
    t->val_iter = (size_t)va[7];
    t->val_best_iter = (size_t)va[8];
    if (vx) memcpy(t->val_best_x, vx, t->P * sizeof *vx);
  }
  free(va);
  free(vx);
  return st;
}

/* /trainer/rad (written when RAD is on): rad_every, rad_candidates, rad_k,
 * rad_c.  A resume must use the same (none when the file has none). */
#define RAD_RECORD 4

static int check_rad(pinn_trainer *t, pinn_h5_reader *r, const char *path)
{
  double mine[RAD_RECORD] = {(double)t->o.rad_every, (double)t->o.rad_candidates, t->o.rad_k,
                             t->o.rad_c},
         *saved = NULL;
  size_t d[1] = {RAD_RECORD};
  if (!pinn_h5_has(r, "/trainer/rad")) {
    if (!t->o.rad_every) return PINN_SUCCESS;
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: %s was written by a run without RAD; resume it without --rad",
                          path);
  }
  if (pinn_h5_read_dataset(r, "/trainer/rad", 1, d, &saved, NULL, NULL))
    return pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
  int st = PINN_SUCCESS;
  if (memcmp(saved, mine, sizeof mine) != 0)
    st = pinn_error_set(&t->err, PINN_EINVAL,
                        "resume: %s was written with RAD every %.0f iterations, %.0f candidates, "
                        "k = %g, c = %g; this run has %.0f, %.0f, %g, %g: resume with the saved "
                        "run's --rad",
                        path, saved[0], saved[1], saved[2], saved[3], mine[0], mine[1], mine[2],
                        mine[3]);
  free(saved);
  return st;
}

/* /trainer/balance: kind, every, alpha, ntk_points, after. */
#define BALANCE_RECORD 5

static void balance_record(const pinn_balance_options *b, double *o)
{
  const double v[BALANCE_RECORD] = {(double)b->kind, (double)b->every, b->alpha,
                                    (double)b->ntk_points, (double)b->after};
  memcpy(o, v, sizeof v);
}

/* A resume balances as the checkpoint's run did (none when it has no record). */
static int check_balance(pinn_trainer *t, pinn_h5_reader *r, const char *path)
{
  static const char *const field[BALANCE_RECORD] = {"the balancing", "its interval",
                                                    "its alpha", "its NTK points",
                                                    "what follows Adam"};
  double mine[BALANCE_RECORD], saved[BALANCE_RECORD];
  balance_record(&t->o.balance, mine);
  balance_record(&(pinn_balance_options){PINN_BALANCE_NONE, t->o.balance.every,
                                         t->o.balance.alpha, t->o.balance.ntk_points,
                                         t->o.balance.after},
                 saved);
  if (pinn_h5_has(r, "/trainer/balance")) {
    double *d = NULL;
    size_t n[1] = {BALANCE_RECORD};
    if (pinn_h5_read_dataset(r, "/trainer/balance", 1, n, &d, NULL, NULL))
      return pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
    memcpy(saved, d, sizeof saved);
    free(d);
  }
  const int none = saved[0] == (double)PINN_BALANCE_NONE && mine[0] == saved[0];
  const char *sk = saved[0] >= 0 && saved[0] <= PINN_BALANCE_NTK
                       ? pinn_balance_name((pinn_balance_kind)saved[0]) : "unknown";
  if (saved[0] != mine[0])
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: loss balancing is %s in %s but %s in this run (a resume "
                          "balances as the saved run did: --balance)",
                          sk, path, pinn_balance_name(t->o.balance.kind));
  for (size_t k = 1; k < BALANCE_RECORD && !none; ++k)
    if (saved[k] != mine[k])
      return pinn_error_set(&t->err, PINN_EINVAL,
                            "resume: loss balancing (%s): %s is %.10g in %s but %.10g in this run "
                            "(a resume balances as the saved run did)",
                            sk, field[k], saved[k], path, mine[k]);
  return PINN_SUCCESS;
}

/* The vectors of P doubles a checkpoint holds: x, best_x, Adam's m and v. */
static const char *const vec_names[4] = {"/trainer/x", "/trainer/best_x", "/trainer/adam_m",
                                         "/trainer/adam_v"};

static int write_checkpoint(pinn_trainer *t, const char *path)
{
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(path, &e);
  if (!w) return pinn_error_set(&t->err, e.code, "checkpoint: %s", e.msg);
  size_t dims[2] = {t->P, 0};
  int st = pinn_h5_set_attr_string(w, "/", "kind", "libpinn checkpoint");
  if (!st) st = pinn_h5_set_attr_int64(w, "/", "format", CKPT_FORMAT);
  if (!st) st = pinn_h5_create_group(w, "/trainer");
  /* the parameters the run would continue from */
  double *const vecs[4] = {t->x, t->best_x, t->m, t->v};
  for (size_t k = 0; k < 4 && !st; ++k) st = pinn_h5_write_dataset(w, vec_names[k], 1, dims, vecs[k]);
  const int64_t iv[] = {(int64_t)t->P, (int64_t)t->n_terms, (int64_t)t->phase, (int64_t)t->iter,
                        (int64_t)t->total_iter, (int64_t)t->adam_k, (int64_t)t->recoveries,
                        (int64_t)t->n_reports, (int64_t)t->hist_len,
                        (int64_t)(pinn_loss_n_evals(t->l) - t->evals0 +
                                  (t->resumed ? t->evals_carry : 0))};
  size_t ni[1] = {sizeof iv / sizeof *iv};
  if (!st) st = pinn_h5_write_dataset_int64(w, "/trainer/counters", 1, ni, iv);
  const double dv[] = {t->best_f, t->f, t->gnorm, t->step, t->lr,
                       t->elapsed_before + pinn_now_seconds_() - t->t0};
  size_t nd[1] = {sizeof dv / sizeof *dv};
  if (!st) st = pinn_h5_write_dataset(w, "/trainer/scalars", 1, nd, dv);
  if (!st && t->n_reports) {
    double rep[PINN_MAX_PHASES * 6];
    for (size_t i = 0; i < t->n_reports; ++i) {
      const pinn_phase_report *r = &t->reports[i];
      double row[6] = {(double)r->kind, (double)r->iterations, (double)r->evals, r->seconds,
                       r->loss, (double)r->reason};
      memcpy(rep + 6 * i, row, sizeof row);
    }
    size_t rd[2] = {t->n_reports, 6};
    st = pinn_h5_write_dataset(w, "/trainer/reports", 2, rd, rep);
  }
  size_t hd[1] = {t->hist_len}, htd[2] = {t->hist_len, t->n_terms};
  if (!st) st = pinn_h5_write_dataset(w, "/trainer/history_loss", 1, hd, t->h_loss);
  if (!st) st = pinn_h5_write_dataset(w, "/trainer/history_grad_norm", 1, hd, t->h_gnorm);
  if (!st) st = pinn_h5_write_dataset(w, "/trainer/history_terms", 2, htd, t->h_terms);
  /* the noisy-data watch: its settings, then its state */
  const double va[VAL_RECORD] = {(double)t->o.validation_every, (double)t->o.validation_patience,
                                 t->o.noise_level, t->o.noise_tau, (double)t->has_val,
                                 t->val_f, t->val_best, (double)t->val_iter,
                                 (double)t->val_best_iter};
  size_t vd[1] = {VAL_RECORD};
  if (!st) st = pinn_h5_write_dataset(w, "/trainer/validation", 1, vd, va);
  if (!st && t->has_val) st = pinn_h5_write_dataset(w, "/trainer/validation_x", 1, dims, t->val_best_x);
  const double rad[RAD_RECORD] = {(double)t->o.rad_every, (double)t->o.rad_candidates, t->o.rad_k,
                                  t->o.rad_c};
  size_t rd1[1] = {RAD_RECORD};
  if (!st && t->o.rad_every) st = pinn_h5_write_dataset(w, "/trainer/rad", 1, rd1, rad);
  /* loss balancing's settings (its state, the weights, is the loss's) */
  double ba[BALANCE_RECORD];
  balance_record(&t->o.balance, ba);
  size_t bd[1] = {BALANCE_RECORD};
  if (!st) st = pinn_h5_write_dataset(w, "/trainer/balance", 1, bd, ba);
  const size_t nrec = t->o.n_phases * OPT_PER_PHASE + OPT_GLOBAL + t->n_terms;
  double *rec = malloc(nrec * sizeof *rec);
  if (!rec) st = PINN_ENOMEM;
  else {
    options_record(t, rec);
    size_t od[1] = {nrec};
    if (!st) st = pinn_h5_write_dataset(w, "/trainer/options", 1, od, rec);
    free(rec);
  }
  /* the minimizer's state: of the current phase, or of the last phase when
   * the run has finished (so that extending it continues bitwise) */
  if (!st && pinn_qn_is_libpinn(t->s)) {
    const int64_t sp = (int64_t)t->s_phase;
    size_t one[1] = {1}, sd[1] = {pinn_qn_state_size(t->s)};
    double *buf = malloc(sd[0] * sizeof *buf);
    const int qs = buf ? pinn_qn_state_save(t->s, buf, &t->err)
                       : pinn_error_set(&t->err, PINN_ENOMEM, "checkpoint: out of memory");
    if (!qs) st = pinn_h5_write_dataset_int64(w, "/trainer/state_phase", 1, one, &sp);
    if (!qs && !st) st = pinn_h5_write_dataset(w, "/trainer/lbfgs_state", 1, sd, buf);
    free(buf);
    if (qs) {
      pinn_h5_abort(w);
      return qs;
    }
  }
  if (st) {
    pinn_error_set(&t->err, st, "checkpoint %s: %s", path, pinn_h5_writer_errmsg(w));
    pinn_h5_abort(w);
    return t->err.code;
  }
  st = pinn_loss_save_state(t->l, w, "/loss", &e);
  /* the network as a result file holds it, so that pinn eval / pinn info
   * work on a checkpoint (the parameters the run would continue from) */
  if (!st) {
    pinn_mlp *net = pinn_loss_network(t->l);
    double *keep = malloc(t->P * sizeof *keep);
    if (!keep) st = pinn_error_set(&e, PINN_ENOMEM, "out of memory");
    else {
      pinn_loss_get_params(t->l, keep);
      pinn_loss_set_params(t->l, final_params(t));
      st = pinn_model_write(w, NULL, net, pinn_loss_problem(t->l), &e);
      pinn_loss_set_params(t->l, keep);
      free(keep);
    }
  }
  if (st) {
    pinn_h5_abort(w);
    return pinn_error_set(&t->err, st, "checkpoint %s: %s", path, e.msg);
  }
  st = pinn_h5_commit(w, &e);
  if (st) return pinn_error_set(&t->err, st, "checkpoint: %s", e.msg);
  return PINN_SUCCESS;
}

int pinn_trainer_checkpoint(pinn_trainer *t, const char *path)
{
  const pinn_team *tm = team_of(t);
  if (!tm) return write_checkpoint(t, path);
  /* a team: every rank hands in its share of the points, rank 0 writes */
  int st = pinn_loss_gather_points(t->l);
  if (st) return pinn_error_set(&t->err, st, "checkpoint: %s", pinn_loss_errmsg(t->l));
  if (tm->rank == 0) st = write_checkpoint(t, path);
  pinn_loss_release_points_(t->l);
  return st;
}

/* The trainer's saved counters, scalars, vectors and reports, checked before
 * anything is trusted: a corrupt or crafted file gets a message naming the
 * field, never a run that trains on NaN or without a time budget. */
static int validate_loaded(pinn_trainer *t, const char *path, const int64_t *iv, const double *dv,
                           const double *vec, const double *rep, size_t hist)
{
#define BAD(...) return pinn_error_set(&t->err, PINN_EFORMAT, __VA_ARGS__)
  static const char *const bad_value[4] = {"a non-finite parameter", "a non-finite parameter",
                                           "a non-finite value", "a negative or non-finite value"};
  for (size_t k = 0; k < 4; ++k)
    for (size_t j = 0; j < t->P; ++j)
      if (!isfinite(vec[k * t->P + j]) || (k == 3 && !(vec[k * t->P + j] >= 0)))
        BAD("resume: %s: %s holds %s", path, vec_names[k], bad_value[k]);
  if (!(dv[0] > -INFINITY))
    BAD("resume: %s: the best loss (scalars[0]) is %g: it must be a number or +inf", path, dv[0]);
  if (isfinite(dv[0]) && dv[0] < 0) BAD("resume: %s: the best loss (scalars[0]) is negative", path);
  if (!(dv[3] >= 0) && !isnan(dv[3])) BAD("resume: %s: the last step (scalars[3]) is negative", path);
  if (!(dv[4] > 0) || !isfinite(dv[4]) || dv[4] > 1e6)
    BAD("resume: %s: the learning rate (scalars[4]) is %g: it must be in (0, 1e6]", path, dv[4]);
  if (!(dv[5] >= 0) || !(dv[5] < 1e12))
    BAD("resume: %s: the elapsed time (scalars[5]) is %g s: it must be in [0, 1e12)", path, dv[5]);
  if ((size_t)iv[5] > (size_t)iv[4] + 1 || (size_t)iv[6] > (size_t)iv[4] + 1000)
    BAD("resume: %s: the Adam step or recovery counters exceed the iterations done", path);
  /* reports: one per finished phase, plus the current one's after a stop */
  const size_t done = (size_t)iv[2];
  if ((size_t)iv[7] != done && (size_t)iv[7] != done + 1)
    BAD("resume: %s: %lld phase reports for phase %lld", path, (long long)iv[7], (long long)iv[2]);
  size_t sum = 0;
  for (size_t i = 0; i < (size_t)iv[7]; ++i) {
    const double *q = rep + 6 * i;
    if (!(q[0] >= 0 && q[0] < (double)N_OPT && q[0] == floor(q[0])) ||
        !(((q[5] >= 0 && q[5] <= (double)PINN_STOP_XTOL) || q[5] == (double)PINN_STOP_VALIDATION ||
          q[5] == (double)PINN_STOP_DISCREPANCY) && q[5] == floor(q[5])) ||
        !(q[1] >= 0 && q[1] <= (double)iv[4] && q[1] == floor(q[1])) || !(q[2] >= 0 && q[2] < 1e15) ||
        !(q[3] >= 0 && q[3] < 1e12) || isnan(q[4]) || (size_t)q[0] != (size_t)t->o.phases[i].kind)
      BAD("resume: %s: phase report %zu is not valid for this run (optimizer, counts, reason)",
          path, i + 1);
    if (i < done) sum += (size_t)q[1];
  }
  if (sum + (size_t)iv[3] != (size_t)iv[4] || hist != (size_t)iv[4])
    BAD("resume: %s: the iteration counters do not add up (%zu in the phases + %lld in the current "
        "one, %lld in all, %zu history entries)",
        path, sum, (long long)iv[3], (long long)iv[4], hist);
#undef BAD
  return PINN_SUCCESS;
}

/* The checkpoint's network must map its inputs as this run's does (the same
 * parameters mean another function under another map). */
static int check_input_map(pinn_trainer *t, pinn_h5_reader *r, const char *path)
{
  pinn_model_meta meta;
  pinn_error e;
  if (pinn_model_read_meta(r, NULL, &meta, &e))
    return pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s: %s", path, e.msg);
  pinn_embedding *emb = malloc(sizeof *emb);
  if (!emb) return pinn_error_set(&t->err, PINN_ENOMEM, "resume: out of memory");
  const int has_emb = pinn_mlp_embedding(pinn_loss_network(t->l), emb);
  const int same_emb = pinn_embedding_equal(has_emb ? emb : NULL,
                                            meta.has_embedding ? &meta.embedding : NULL, meta.n_in);
  free(emb);
  if (!same_emb)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: %s was written by a run with another input embedding than this "
                          "one: resume with the same periodic inputs, periods and harmonics "
                          "(--periodic) and the same Fourier features (--fourier, "
                          "--fourier-axis: m, sigma and seed)",
                          path);
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
  const int has = pinn_mlp_input_map(pinn_loss_network(t->l), lo, hi);
  int same = has == meta.has_input_map;
  for (size_t i = 0; same && has && i < meta.n_in; ++i)
    same = lo[i] == meta.map_lo[i] && hi[i] == meta.map_hi[i];
  if (same) return PINN_SUCCESS;
  if (has != meta.has_input_map)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "resume: %s was written by a run %s input normalisation, this run is %s "
                          "it: resume with --normalize-inputs %s",
                          path, meta.has_input_map ? "with" : "without", has ? "with" : "without",
                          meta.has_input_map ? "on" : "off");
  return pinn_error_set(&t->err, PINN_EINVAL,
                        "resume: %s normalises the inputs from another box than this run's "
                        "domain: it was written for another problem",
                        path);
}

int pinn_trainer_resume(pinn_trainer *t, const char *path)
{
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(path, &e);
  if (!r) return pinn_error_set(&t->err, e.code, "resume: %s", e.msg);
  char *kind = NULL;
  int64_t fmt = 0;
  int st = PINN_SUCCESS;
  if (pinn_h5_get_attr_string(r, "/", "kind", &kind) || strcmp(kind, "libpinn checkpoint") != 0 ||
      pinn_h5_get_attr_int64(r, "/", "format", &fmt) || fmt != CKPT_FORMAT)
    st = pinn_error_set(&t->err, PINN_EFORMAT,
                        "resume: %s is not a libpinn checkpoint (format %d)", path, CKPT_FORMAT);
  free(kind);
  int64_t *iv = NULL;
  double *dv = NULL, *rep = NULL, *hl = NULL, *hg = NULL, *ht = NULL, *lb = NULL;
  size_t dout[PINN_H5_MAX_RANK];
  size_t ni[1] = {10}, nd[1] = {6};
  if (!st && (pinn_h5_read_dataset_int64(r, "/trainer/counters", 1, ni, &iv, NULL, NULL) ||
              pinn_h5_read_dataset(r, "/trainer/scalars", 1, nd, &dv, NULL, NULL)))
    st = pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
  /* the embedding and map first: another embedding has other parameters too */
  if (!st && pinn_h5_has(r, PINN_MODEL_GROUP)) st = check_input_map(t, r, path);
  if (!st && (iv[0] != (int64_t)t->P || iv[1] != (int64_t)t->n_terms))
    st = pinn_error_set(&t->err, PINN_EFORMAT,
                        "resume: %s holds %lld parameters and %lld terms but this run has %zu and "
                        "%zu: it was written for another network or problem",
                        path, (long long)iv[0], (long long)iv[1], t->P, t->n_terms);
  if (!st && (iv[2] < 0 || (size_t)iv[2] > t->o.n_phases || iv[3] < 0 || iv[4] < iv[3] ||
              iv[5] < 0 || iv[6] < 0 || iv[7] < 0 || (size_t)iv[7] > t->o.n_phases ||
              iv[8] != iv[4] || iv[9] < 0))
    st = pinn_error_set(&t->err, PINN_EFORMAT,
                        "resume: %s has counters that do not fit this run's %zu phases", path,
                        t->o.n_phases);
  const size_t hist = st ? 0 : (size_t)iv[8];
  double *vec = malloc(4 * t->P * sizeof *vec); /* the vectors of vec_names */
  if (!vec) st = pinn_error_set(&t->err, PINN_ENOMEM, "out of memory");
  for (size_t k = 0; k < 4 && !st; ++k) {
    size_t dims[1] = {t->P};
    double *d;
    if (pinn_h5_read_dataset(r, vec_names[k], 1, dims, &d, NULL, NULL))
      st = pinn_error_set(&t->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
    else
      memcpy(vec + k * t->P, d, t->P * sizeof *d);
    free(d);
  }
  if (!st && iv[7] > 0) {
    size_t rd[2] = {(size_t)iv[7], 6};
    if (pinn_h5_read_dataset(r, "/trainer/reports", 2, rd, &rep, NULL, NULL))
      st = pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
  }
  size_t hd[1] = {hist}, htd[2] = {hist, t->n_terms};
  if (!st && (pinn_h5_read_dataset(r, "/trainer/history_loss", 1, hd, &hl, NULL, NULL) ||
              pinn_h5_read_dataset(r, "/trainer/history_grad_norm", 1, hd, &hg, NULL, NULL) ||
              pinn_h5_read_dataset(r, "/trainer/history_terms", 2, htd, &ht, NULL, NULL)))
    st = pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
  /* every value the run continues from must be sane */
  if (!st) st = validate_loaded(t, path, iv, dv, vec, rep, hist);
  if (!st && pinn_h5_has(r, "/trainer/options")) { /* written since the options record exists */
    double *rec = NULL;
    if (pinn_h5_read_dataset(r, "/trainer/options", 1, NULL, &rec, dout, NULL))
      st = pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
    else if ((size_t)iv[2] == t->o.n_phases && iv[7] > 0) /* finished: its last phase may grow */
      st = check_options_record(t, path, rec, dout[0], (size_t)iv[2] - 1,
                                (size_t)rep[6 * ((size_t)iv[7] - 1) + 1]);
    else
      st = check_options_record(t, path, rec, dout[0], (size_t)iv[2], (size_t)iv[3]);
    free(rec);
  }
  size_t lb_len = 0, lb_phase = st ? 0 : (size_t)iv[2];
  if (!st && pinn_h5_has(r, "/trainer/lbfgs_state")) {
    if (pinn_h5_read_dataset(r, "/trainer/lbfgs_state", 1, NULL, &lb, dout, NULL))
      st = pinn_error_set(&t->err, PINN_EFORMAT, "resume: %s", pinn_h5_reader_errmsg(r));
    lb_len = dout[0];
    if (!st && pinn_h5_has(r, "/trainer/state_phase")) {
      int64_t *sp = NULL;
      size_t one[1] = {1};
      if (pinn_h5_read_dataset_int64(r, "/trainer/state_phase", 1, one, &sp, NULL, NULL) ||
          sp[0] < 0 || (size_t)sp[0] >= t->o.n_phases)
        st = pinn_error_set(&t->err, PINN_EFORMAT,
                            "resume: %s: /trainer/state_phase is missing or not a phase of this run",
                            path);
      else
        lb_phase = (size_t)sp[0];
      free(sp);
    }
  }
  if (!st) st = load_validation(t, r, path, (size_t)iv[4]);
  if (!st) st = check_rad(t, r, path);
  if (!st) st = check_balance(t, r, path);
  if (!st) {
    st = pinn_loss_load_state(t->l, r, "/loss", NULL);
    if (st) pinn_error_set(&t->err, st, "resume: %s", pinn_loss_errmsg(t->l));
  }
  if (!st && hist > 0) st = grow_history(t, hist + 1024); /* room for the saved entries */
  if (!st) {
    double *const dst[4] = {t->x, t->best_x, t->m, t->v};
    for (size_t k = 0; k < 4; ++k) memcpy(dst[k], vec + k * t->P, t->P * sizeof *vec);
    t->phase = (size_t)iv[2];
    t->iter = (size_t)iv[3];
    t->total_iter = (size_t)iv[4];
    t->adam_k = (size_t)iv[5];
    t->recoveries = (size_t)iv[6];
    t->n_reports = (size_t)iv[7];
    t->hist_len = hist;
    t->evals_carry = (size_t)iv[9];
    t->resumed = 1;
    t->best_f = dv[0];
    t->f = dv[1];
    t->gnorm = dv[2];
    t->step = dv[3];
    t->lr = dv[4];
    t->elapsed_before = dv[5];
    for (size_t i = 0; i < t->n_reports; ++i) {
      pinn_phase_report *p = &t->reports[i];
      p->kind = (pinn_optimizer_kind)rep[6 * i];
      p->iterations = (size_t)rep[6 * i + 1];
      p->evals = (size_t)rep[6 * i + 2];
      p->seconds = rep[6 * i + 3];
      p->loss = rep[6 * i + 4];
      p->reason = (pinn_stop_reason)rep[6 * i + 5];
    }
    memcpy(t->h_loss, hl, hist * sizeof *hl);
    memcpy(t->h_gnorm, hg, hist * sizeof *hg);
    memcpy(t->h_terms, ht, hist * t->n_terms * sizeof *ht);
    free(t->lbfgs_resume);
    t->lbfgs_resume = lb;
    t->lbfgs_resume_len = lb_len;
    t->lbfgs_resume_phase = lb_phase;
    lb = NULL;
    pinn_loss_set_params(t->l, t->x);
    /* a run that stopped on validation or discrepancy is over */
    const pinn_stop_reason last = t->n_reports ? t->reports[t->n_reports - 1].reason : PINN_STOP_NONE;
    t->done = last == PINN_STOP_VALIDATION || last == PINN_STOP_DISCREPANCY;
    if (t->done) t->reason = last;
    /* A finished run whose last phase now has a larger limit continues that
     * phase where it ended: its last point, its Adam moments or its
     * quasi-Newton state (saved with the end-of-run checkpoint), so the
     * extension is bitwise the run that had the larger limit from the start.
     * (GSL's bfgs2/cg and LM restart their direction from that point.) */
    const size_t L = t->o.n_phases;
    if (t->phase == L && t->n_reports == L && t->reports[L - 1].kind == t->o.phases[L - 1].kind &&
        t->reports[L - 1].reason == PINN_STOP_MAX_ITER &&
        t->reports[L - 1].iterations < t->o.phases[L - 1].max_iter) {
      t->phase = L - 1;
      t->iter = t->reports[L - 1].iterations;
      t->n_reports = L - 1;
      t->evals_carry = t->reports[L - 1].evals;
    }
  }
  free(iv); free(dv); free(rep); free(hl); free(hg); free(ht); free(lb);
  free(vec);
  pinn_h5_close(r);
  return st;
}
