/* libpinn — the training driver (see include/pinn/train.h).
 *
 * Adam (Kingma & Ba 2015):  m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g^2,
 *   x -= lr (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps).
 * Quasi-Newton phases run a gsl_multimin_fdfminimizer (libpinn's L-BFGS,
 * GSL's vector_bfgs2 or conjugate_pr) on pinn_loss_gsl_function.
 *
 * Robustness: the best point seen is kept; a NaN/Inf loss in Adam restores
 * it and halves the learning rate; a quasi-Newton step that cannot make
 * progress is retried once from a reset memory (L-BFGS does that itself),
 * then the phase stops with PINN_STOP_NO_PROGRESS and training moves on.
 */
#include <pinn/train.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <pinn/lbfgs.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#include <time.h>

static double now_seconds(void)
{
#ifdef _OPENMP
  return omp_get_wtime();
#else
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
}

static const char *const opt_names[] = {"adam", "lbfgs", "bfgs2", "cg"};

const char *pinn_optimizer_name(pinn_optimizer_kind kind)
{
  return (unsigned)kind <= PINN_OPT_CG ? opt_names[kind] : NULL;
}

int pinn_optimizer_parse(const char *text, pinn_optimizer_kind *out, pinn_error *err)
{
  for (int k = 0; k <= PINN_OPT_CG; ++k)
    if (text && strcmp(text, opt_names[k]) == 0) {
      *out = (pinn_optimizer_kind)k;
      return PINN_SUCCESS;
    }
  return pinn_error_set(err, PINN_EINVAL, "unknown optimizer '%s': use adam, lbfgs, bfgs2 or cg",
                        text ? text : "(null)");
}

static const char *const stop_names[] = {"none",  "max_iter",    "max_evals", "gtol",
                                         "ftol",  "time",        "no_progress", "nonfinite",
                                         "user",  "interrupted", "error"};
static const char *const stop_text[] = {
    "still running",
    "reached the iteration limit",
    "reached the evaluation limit",
    "gradient norm below gtol",
    "relative loss decrease over the window below ftol",
    "wall-clock budget used up",
    "the line search could not decrease the loss (even after resetting the memory)",
    "the loss stayed NaN/Inf after recovery attempts",
    "stopped by the progress callback",
    "interrupted (SIGINT/SIGTERM)",
    "an evaluation failed (see the message)"};

const char *pinn_stop_reason_str(pinn_stop_reason r)
{
  return (unsigned)r <= PINN_STOP_ERROR ? stop_text[r] : "unknown";
}

const char *pinn_stop_reason_name(pinn_stop_reason r)
{
  return (unsigned)r <= PINN_STOP_ERROR ? stop_names[r] : "unknown";
}

pinn_phase pinn_phase_default(pinn_optimizer_kind kind)
{
  pinn_phase p;
  memset(&p, 0, sizeof p);
  p.kind = kind;
  p.max_iter = kind == PINN_OPT_ADAM ? 1000 : 5000;
  p.window = 100;
  p.lr = 1e-3;
  p.lr_decay = 1.0;
  p.decay_steps = 1000;
  p.beta1 = 0.9;
  p.beta2 = 0.999;
  p.eps = 1e-8;
  p.memory = 30;
  p.step = 0.1;
  p.line_tol = kind == PINN_OPT_LBFGS ? 0.9 : 0.1;
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
  o.max_recoveries = 5;
  return o;
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
  pinn_error err;
};

static int check_options(const pinn_train_options *o, pinn_error *err)
{
  if (o->n_phases < 1 || o->n_phases > PINN_MAX_PHASES)
    return pinn_error_set(err, PINN_EINVAL, "training needs 1 to %d phases, got %zu",
                          PINN_MAX_PHASES, o->n_phases);
  for (size_t i = 0; i < o->n_phases; ++i) {
    const pinn_phase *p = &o->phases[i];
    if ((unsigned)p->kind > PINN_OPT_CG)
      return pinn_error_set(err, PINN_EINVAL, "phase %zu: unknown optimizer %d", i + 1, (int)p->kind);
    if (p->gtol < 0 || p->ftol < 0 || !isfinite(p->gtol) || !isfinite(p->ftol))
      return pinn_error_set(err, PINN_EINVAL, "phase %zu: gtol and ftol must be >= 0", i + 1);
    if (p->ftol > 0 && p->window < 1)
      return pinn_error_set(err, PINN_EINVAL, "phase %zu: ftol needs a window >= 1", i + 1);
    if (p->kind == PINN_OPT_ADAM &&
        (!(p->lr > 0) || !isfinite(p->lr) || !(p->beta1 >= 0 && p->beta1 < 1) ||
         !(p->beta2 >= 0 && p->beta2 < 1) || !(p->eps > 0) || !(p->lr_decay > 0) ||
         p->decay_steps < 1))
      return pinn_error_set(err, PINN_EINVAL,
                            "phase %zu (adam): need lr > 0, 0 <= beta1, beta2 < 1, eps > 0, "
                            "lr_decay > 0, decay_steps >= 1",
                            i + 1);
    if (p->kind != PINN_OPT_ADAM && (!(p->step > 0) || !isfinite(p->step)))
      return pinn_error_set(err, PINN_EINVAL, "phase %zu: the first step length must be > 0", i + 1);
    if (p->kind == PINN_OPT_LBFGS && (p->memory < 1 || p->memory > 1000))
      return pinn_error_set(err, PINN_EINVAL, "phase %zu (lbfgs): memory must be 1 to 1000, got %zu",
                            i + 1, p->memory);
  }
  if (o->time_budget < 0 || !isfinite(o->time_budget))
    return pinn_error_set(err, PINN_EINVAL, "time budget must be >= 0 seconds");
  return PINN_SUCCESS;
}

void pinn_trainer_free(pinn_trainer *t)
{
  if (!t) return;
  free(t->x); free(t->g); free(t->best_x); free(t->m); free(t->v); free(t->terms);
  free(t->xprev); free(t->h_loss); free(t->h_gnorm); free(t->h_terms);
  free(t);
}

pinn_trainer *pinn_trainer_alloc(pinn_loss *l, const pinn_train_options *opt, pinn_error *err)
{
  if (!l) {
    pinn_error_set(err, PINN_EINVAL, "pinn_trainer_alloc: the loss is NULL");
    return NULL;
  }
  pinn_train_options o = opt ? *opt : pinn_train_options_default();
  if (check_options(&o, err)) return NULL;
  if (o.max_recoveries == 0) o.max_recoveries = 5;
  pinn_trainer *t = calloc(1, sizeof *t);
  if (!t) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  t->l = l;
  t->o = o;
  t->P = pinn_loss_n_params(l);
  t->n_terms = pinn_loss_n_terms(l);
  t->x = malloc(t->P * sizeof(double));
  t->g = malloc(t->P * sizeof(double));
  t->best_x = malloc(t->P * sizeof(double));
  t->m = calloc(t->P, sizeof(double));
  t->v = calloc(t->P, sizeof(double));
  t->xprev = malloc(t->P * sizeof(double));
  t->terms = calloc(t->n_terms ? t->n_terms : 1, sizeof(double));
  if (!t->x || !t->g || !t->best_x || !t->m || !t->v || !t->xprev || !t->terms) {
    pinn_trainer_free(t);
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  pinn_loss_get_params(l, t->x);
  memcpy(t->best_x, t->x, t->P * sizeof(double));
  t->best_f = INFINITY;
  t->f = NAN;
  t->lr = o.phases[0].lr;
  return t;
}

const char *pinn_trainer_errmsg(const pinn_trainer *t) { return t ? t->err.msg : "no trainer"; }

static int push_history(pinn_trainer *t)
{
  if (t->hist_len == t->hist_cap) {
    size_t cap = t->hist_cap ? 2 * t->hist_cap : 1024;
    double *a = realloc(t->h_loss, cap * sizeof *a);
    if (a) t->h_loss = a;
    double *b = realloc(t->h_gnorm, cap * sizeof *b);
    if (b) t->h_gnorm = b;
    double *c = realloc(t->h_terms, cap * (t->n_terms ? t->n_terms : 1) * sizeof *c);
    if (c) t->h_terms = c;
    if (!a || !b || !c) return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory for history");
    t->hist_cap = cap;
  }
  t->h_loss[t->hist_len] = t->f;
  t->h_gnorm[t->hist_len] = t->gnorm;
  memcpy(t->h_terms + t->hist_len * t->n_terms, t->terms, t->n_terms * sizeof(double));
  t->hist_len++;
  return PINN_SUCCESS;
}

static double norm2(const double *a, size_t n)
{
  gsl_vector_const_view v = gsl_vector_const_view_array(a, n);
  return gsl_blas_dnrm2(&v.vector);
}

static double elapsed(const pinn_trainer *t) { return t->elapsed_before + now_seconds() - t->t0; }

static int report_progress(pinn_trainer *t, const pinn_phase *ph)
{
  if (!t->o.progress) return 0;
  pinn_progress pr;
  pr.phase = t->phase;
  pr.n_phases = t->o.n_phases;
  pr.kind = ph->kind;
  pr.iter = t->iter;
  pr.total_iter = t->total_iter;
  pr.evals = pinn_loss_n_evals(t->l) - t->evals0;
  pr.loss = t->f;
  pr.terms = t->terms;
  pr.n_terms = t->n_terms;
  pr.grad_norm = t->gnorm;
  pr.step = t->step;
  pr.elapsed = elapsed(t);
  double pe = now_seconds() - t->phase_t0;
  pr.eta = t->iter ? pe / (double)t->iter * (double)(ph->max_iter - (t->iter < ph->max_iter ? t->iter : ph->max_iter)) : NAN;
  pr.lr = ph->kind == PINN_OPT_ADAM ? t->lr : 0.0;
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

static pinn_stop_reason check_external(pinn_trainer *t)
{
  if (t->o.interrupt && *t->o.interrupt) return PINN_STOP_INTERRUPT;
  if (t->o.time_budget > 0 && elapsed(t) >= t->o.time_budget) return PINN_STOP_TIME;
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
  if (!st) t->gnorm = norm2(t->g, t->P);
  return st;
}

static pinn_stop_reason run_adam(pinn_trainer *t, const pinn_phase *ph, int *status)
{
  size_t recoveries = 0;
  for (;;) {
    pinn_stop_reason r = check_external(t);
    if (r) return r;
    int st = eval_here(t);
    if (st == PINN_ENONFINITE || (!st && !isfinite(t->f))) {
      if (++recoveries > t->o.max_recoveries || !isfinite(t->best_f)) return PINN_STOP_NONFINITE;
      t->recoveries++;
      memcpy(t->x, t->best_x, t->P * sizeof(double));
      t->lr *= 0.5;
      memset(t->m, 0, t->P * sizeof(double));
      memset(t->v, 0, t->P * sizeof(double));
      t->adam_k = 0;
      continue;
    }
    if (st) {
      *status = pinn_error_set(&t->err, st, "%s", pinn_loss_errmsg(t->l));
      return PINN_STOP_ERROR;
    }
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
    if (t->o.resample_every && t->iter % t->o.resample_every == 0) {
      int rs = pinn_loss_resample(t->l);
      if (rs) {
        *status = pinn_error_set(&t->err, rs, "%s", pinn_loss_errmsg(t->l));
        return PINN_STOP_ERROR;
      }
    }
    if (t->o.progress_every && t->iter % t->o.progress_every == 0 && report_progress(t, ph))
      return PINN_STOP_USER;
    r = check_stop(t, ph);
    if (r) return r;
  }
}

static pinn_stop_reason run_qn(pinn_trainer *t, const pinn_phase *ph, int *status)
{
  const gsl_multimin_fdfminimizer_type *T =
      ph->kind == PINN_OPT_LBFGS   ? pinn_multimin_fdfminimizer_lbfgs
      : ph->kind == PINN_OPT_BFGS2 ? gsl_multimin_fdfminimizer_vector_bfgs2
                                   : gsl_multimin_fdfminimizer_conjugate_pr;
  gsl_multimin_function_fdf F;
  pinn_loss_gsl_function(t->l, &F);
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(T, t->P);
  if (!s) {
    *status = pinn_error_set(&t->err, PINN_ENOMEM, "out of memory for the %s minimizer",
                             pinn_optimizer_name(ph->kind));
    return PINN_STOP_ERROR;
  }
  if (ph->kind == PINN_OPT_LBFGS) pinn_lbfgs_set_memory(s, ph->memory);
  gsl_vector_view xv = gsl_vector_view_array(t->x, t->P);
  int st = gsl_multimin_fdfminimizer_set(s, &F, &xv.vector, ph->step, ph->line_tol);
  pinn_stop_reason r = PINN_STOP_NONE;
  if (st || pinn_loss_last_status(t->l) || !isfinite(s->f)) {
    int ls = pinn_loss_last_status(t->l);
    if (ls && ls != PINN_ENONFINITE) {
      *status = pinn_error_set(&t->err, ls, "%s", pinn_loss_errmsg(t->l));
      r = PINN_STOP_ERROR;
    } else {
      r = PINN_STOP_NONFINITE;
    }
    gsl_multimin_fdfminimizer_free(s);
    return r;
  }
  t->f = s->f;
  t->gnorm = gsl_blas_dnrm2(s->gradient);
  note_best(t, s->x->data, s->f);
  int retried = 0;
  for (;;) {
    r = check_external(t);
    if (r) break;
    memcpy(t->xprev, s->x->data, t->P * sizeof(double));
    st = gsl_multimin_fdfminimizer_iterate(s);
    int ls = pinn_loss_last_status(t->l);
    if (ls && ls != PINN_ENONFINITE) {
      *status = pinn_error_set(&t->err, ls, "%s", pinn_loss_errmsg(t->l));
      r = PINN_STOP_ERROR;
      break;
    }
    if (st || !isfinite(s->f) || s->f > t->f) {
      /* GSL's own types may report success without progress: treat alike */
      if (!retried && ph->kind != PINN_OPT_LBFGS) {
        retried = 1;
        gsl_multimin_fdfminimizer_restart(s);
        continue;
      }
      r = st == GSL_ENOPROG || isfinite(s->f) ? PINN_STOP_NO_PROGRESS : PINN_STOP_NONFINITE;
      break;
    }
    if (s->f == t->f && memcmp(t->xprev, s->x->data, t->P * sizeof(double)) == 0) {
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
    t->f = s->f;
    t->gnorm = gsl_blas_dnrm2(s->gradient);
    memcpy(t->x, s->x->data, t->P * sizeof(double));
    note_best(t, t->x, t->f);
    pinn_loss_last_terms(t->l, t->x, t->terms);
    t->iter++;
    t->total_iter++;
    if (push_history(t)) {
      *status = t->err.code;
      r = PINN_STOP_ERROR;
      break;
    }
    if (t->o.progress_every && t->iter % t->o.progress_every == 0 && report_progress(t, ph)) {
      r = PINN_STOP_USER;
      break;
    }
    r = check_stop(t, ph);
    if (r) break;
  }
  memcpy(t->x, t->best_x, t->P * sizeof(double));
  gsl_multimin_fdfminimizer_free(s);
  return r;
}

int pinn_trainer_run(pinn_trainer *t)
{
  if (!t) return PINN_EINVAL;
  t->t0 = now_seconds();
  int status = PINN_SUCCESS;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  while (t->phase < t->o.n_phases) {
    const pinn_phase *ph = &t->o.phases[t->phase];
    const size_t ev0 = pinn_loss_n_evals(t->l);
    t->evals0 = ev0;
    t->phase_t0 = now_seconds();
    if (t->iter == 0 && ph->kind == PINN_OPT_ADAM) {
      t->lr = ph->lr;
      t->adam_k = 0;
      memset(t->m, 0, t->P * sizeof(double));
      memset(t->v, 0, t->P * sizeof(double));
    }
    if (t->iter == 0 && isfinite(t->best_f)) memcpy(t->x, t->best_x, t->P * sizeof(double));
    pinn_stop_reason r =
        ph->kind == PINN_OPT_ADAM ? run_adam(t, ph, &status) : run_qn(t, ph, &status);
    if (ph->kind == PINN_OPT_ADAM) memcpy(t->x, t->best_x, t->P * sizeof(double));
    pinn_phase_report *rep = &t->reports[t->phase];
    rep->kind = ph->kind;
    rep->iterations = t->iter;
    rep->evals = pinn_loss_n_evals(t->l) - ev0;
    rep->seconds = now_seconds() - t->phase_t0;
    rep->loss = t->best_f;
    rep->reason = r;
    t->n_reports = t->phase + 1;
    t->reason = r;
    if (t->iter % (t->o.progress_every ? t->o.progress_every : 1) != 0 || t->iter == 0)
      report_progress(t, ph);
    if (r == PINN_STOP_ERROR || r == PINN_STOP_USER || r == PINN_STOP_INTERRUPT ||
        r == PINN_STOP_TIME)
      break;
    t->phase++;
    t->iter = 0;
  }
  gsl_set_error_handler(old);
  t->elapsed_before += now_seconds() - t->t0;
  t->t0 = now_seconds();
  if (isfinite(t->best_f)) {
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
double pinn_trainer_loss(const pinn_trainer *t) { return t->best_f; }
size_t pinn_trainer_history_length(const pinn_trainer *t) { return t->hist_len; }
const double *pinn_trainer_history_loss(const pinn_trainer *t) { return t->h_loss; }
const double *pinn_trainer_history_grad_norm(const pinn_trainer *t) { return t->h_gnorm; }
const double *pinn_trainer_history_terms(const pinn_trainer *t) { return t->h_terms; }
size_t pinn_trainer_recoveries(const pinn_trainer *t) { return t->recoveries; }
