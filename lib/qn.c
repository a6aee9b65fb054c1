/* libpinn — the quasi-Newton driver shared by the L-BFGS (lib/lbfgs.c) and
 * dense self-scaled (lib/ssqn.c) multimin types (lib/qn_impl.h), and the
 * calls of include/pinn/qn.h, whose comment states the contract.  One
 * iteration is Algorithm 6.1 of Nocedal & Wright (2nd ed., 2006) with the
 * Moré–Thuente search of lib/linesearch.c: p = -H g from the method, or -g
 * when the memory is empty or p is not a descent direction.
 */
#include "qn_impl.h"

#include <pinn/lbfgs.h>
#include <pinn/ssqn.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NVEC = 5 }; /* p and the line search's xt, gt, xb, gb */

int pinn_qn_alloc(pinn_qn_state *st, const pinn_qn_method *method, size_t n, size_t extra)
{
  st->method = method;
  st->n = n;
  st->stats.last_ls_reason = PINN_LINESEARCH_CONVERGED;
  /* Plain calloc, not gsl_vector_alloc: no call of the GSL error handler. */
  if (n == 0 || NVEC + extra > PINN_QN_MAX_VECTORS
      || n > ((size_t)-1) / sizeof(double) / (NVEC + extra))
    return GSL_EINVAL;
  st->work = calloc((NVEC + extra) * n, sizeof *st->work);
  if (!st->work) return GSL_ENOMEM;
  for (size_t k = 0; k < NVEC + extra; ++k)
    st->views[k] = gsl_vector_view_array(st->work + k * n, n);
  st->p = &st->views[0].vector;
  st->ls.xt = &st->views[1].vector;
  st->ls.gt = &st->views[2].vector;
  st->ls.xb = &st->views[3].vector;
  st->ls.gb = &st->views[4].vector;
  return GSL_SUCCESS;
}

void pinn_qn_free(pinn_qn_state *st)
{
  free(st->work);
  st->work = NULL;
}

static int all_finite(const gsl_vector *v)
{
  for (size_t i = 0; i < v->size; ++i)
    if (!isfinite(gsl_vector_get(v, i))) return 0;
  return 1;
}

int pinn_qn_set(void *vstate, gsl_multimin_function_fdf *fdf, const gsl_vector *x, double *f,
                gsl_vector *gradient, double step_size, double tol)
{
  pinn_qn_state *st = vstate;
  st->is_set = 0;
  st->method->forget(st);
  memset(&st->stats, 0, sizeof st->stats);
  st->stats.last_ls_reason = PINN_LINESEARCH_CONVERGED;
  pinn_error_clear(&st->err);
  if (!(step_size > 0.0) || !isfinite(step_size))
    return pinn_error_set(&st->err, GSL_EINVAL,
                          "step_size = %g must be positive and finite: it is the length of the "
                          "first step (e.g. 0.1 |x0|, or 1)", step_size);
  if (st->method->prepare) {
    const int rc = st->method->prepare(st);
    if (rc) return rc;
  }
  st->step_size = step_size;
  st->gtol = (tol > 0.0 && tol < 1.0) ? tol : 0.9;

  GSL_MULTIMIN_FN_EVAL_F_DF(fdf, x, f, gradient);
  st->stats.fdf_evals = 1;
  if (!isfinite(*f) || !all_finite(gradient))
    return pinn_error_set(&st->err, GSL_EBADFUNC,
                          "fdf gave f = %g and %s gradient at the starting point: start where "
                          "the objective and its gradient are finite", *f,
                          all_finite(gradient) ? "a finite" : "a NaN/Inf in the");
  st->is_set = 1;
  return GSL_SUCCESS;
}

int pinn_qn_restart(void *vstate)
{
  pinn_qn_state *st = vstate;
  st->method->forget(st);
  return GSL_SUCCESS;
}

/* Search along st->p: 1 and *acc filled when f went down (the Wolfe point,
 * else the lowest trial). */
static int search(pinn_qn_state *st, gsl_multimin_function_fdf *fdf, const gsl_vector *x, double f,
                  double dphi0, double alpha0, pinn_linesearch_result *res,
                  pinn_linesearch_point *acc)
{
  const int ok =
      pinn_linesearch_fdf_run(&st->ls, fdf, x, st->p, f, dphi0, alpha0, st->gtol, res, acc);
  st->stats.fdf_evals += st->ls.evals;
  st->stats.ls_evals += st->ls.evals;
  st->stats.nonfinite += st->ls.nonfinite;
  st->stats.last_ls_reason = res->reason;
  return ok;
}

/* p = -g; returns g'p. */
static double steepest_descent(pinn_qn_state *st, const gsl_vector *gradient, double gnorm)
{
  gsl_vector_memcpy(st->p, gradient);
  gsl_blas_dscal(-1.0, st->p);
  return -gnorm * gnorm;
}

/* The method forgets its memory on its own (counted as a restart). */
static void restart(pinn_qn_state *st)
{
  st->method->forget(st);
  st->stats.restarts++;
}

int pinn_qn_iterate(void *vstate, gsl_multimin_function_fdf *fdf, gsl_vector *x, double *f,
                    gsl_vector *gradient, gsl_vector *dx)
{
  pinn_qn_state *st = vstate;
  const pinn_qn_method *m = st->method;
  pinn_error_clear(&st->err);
  if (!st->is_set)
    return pinn_error_set(&st->err, GSL_EINVAL,
                          "iterate called before a successful gsl_multimin_fdfminimizer_set: "
                          "set the function and starting point first");
  const double gnorm = gsl_blas_dnrm2(gradient);
  if (gnorm == 0.0) {
    gsl_vector_set_zero(dx);
    return pinn_error_set(&st->err, GSL_ENOPROG,
                          "the gradient is exactly zero at x (f = %.17g): x is a stationary "
                          "point; test convergence with gsl_multimin_test_gradient before "
                          "iterating", *f);
  }

  /* Direction: the method's if it has a memory and it gives descent, else -g. */
  int steepest = !m->direction(st, gradient);
  double dphi0 = 0.0;
  if (!steepest) {
    gsl_blas_ddot(gradient, st->p, &dphi0);
    if (!(dphi0 < 0.0) || !isfinite(dphi0)) {
      restart(st);
      steepest = 1;
    }
  }
  const double restart_len = st->stats.last_step > 0.0 ? st->stats.last_step : st->step_size;
  if (steepest) dphi0 = steepest_descent(st, gradient, gnorm);

  pinn_linesearch_result res, res_first = {0};
  pinn_linesearch_point acc;
  int found = search(st, fdf, x, *f, dphi0, steepest ? restart_len / gnorm : 1.0, &res, &acc);
  const int tried_qn = !steepest;
  if (!found && !steepest) {
    /* The quasi-Newton direction failed: forget the memory and retry along -g. */
    res_first = res;
    restart(st);
    dphi0 = steepest_descent(st, gradient, gnorm);
    found = search(st, fdf, x, *f, dphi0, restart_len / gnorm, &res, &acc);
  }
  if (!found) {
    gsl_vector_set_zero(dx);
    if (tried_qn)
      return pinn_error_set(
          &st->err, GSL_ENOPROG,
          "no point with a lower f found: along the %s direction %s (%d evaluations), then "
          "along -g after %s %s (%d evaluations); f = %.17g, |g| = %.3g. Either x is a minimum "
          "to rounding precision, or the gradient does not match f (check it against finite "
          "differences)",
          m->name, pinn_linesearch_reason_str(res_first.reason), res_first.nevals, m->clearing,
          pinn_linesearch_reason_str(res.reason), res.nevals, *f, gnorm);
    return pinn_error_set(&st->err, GSL_ENOPROG,
                          "no point with a lower f found along -g: %s (%d evaluations, %d of "
                          "them NaN/Inf); f = %.17g, |g| = %.3g. Either x is a minimum to "
                          "rounding precision, the gradient does not match f (check it against "
                          "finite differences), or step_size is far too large",
                          pinn_linesearch_reason_str(res.reason), res.nevals, res.nnonfinite, *f,
                          gnorm);
  }
  gsl_vector_memcpy(dx, acc.x);
  gsl_blas_daxpy(-1.0, x, dx);
  const double step = m->update(st, &acc, gradient, dx);
  gsl_vector_memcpy(x, acc.x);
  gsl_vector_memcpy(gradient, acc.g);
  *f = acc.f;
  st->stats.iterations++;
  st->stats.last_step = step;
  st->stats.last_alpha = acc.alpha;
  return GSL_SUCCESS;
}

/* ---- the calls of <pinn/qn.h>, checkpoints ----------------------------------- */

#define STATE_VERSION 1.0

static const char wrong_type[] =
    "not a libpinn quasi-Newton minimizer: allocate it with gsl_multimin_fdfminimizer_alloc("
    "pinn_multimin_fdfminimizer_lbfgs, n), or _ssbfgs or _ssbroyden";

int pinn_qn_is_libpinn(const gsl_multimin_fdfminimizer *s)
{
  return s && (s->type == pinn_multimin_fdfminimizer_lbfgs
               || s->type == pinn_multimin_fdfminimizer_ssbfgs
               || s->type == pinn_multimin_fdfminimizer_ssbroyden);
}

/* The driver's state of s, or NULL for any other minimizer. */
static pinn_qn_state *qn_of(const gsl_multimin_fdfminimizer *s)
{
  return pinn_qn_is_libpinn(s) ? s->state : NULL;
}

int pinn_qn_stats(const gsl_multimin_fdfminimizer *s, pinn_qn_statistics *stats)
{
  const pinn_qn_state *st = qn_of(s);
  if (!st || !stats) return GSL_EINVAL;
  *stats = st->stats;
  st->method->stats(st, stats);
  return GSL_SUCCESS;
}

int pinn_qn_reset(gsl_multimin_fdfminimizer *s)
{
  return qn_of(s) ? pinn_qn_restart(s->state) : GSL_EINVAL;
}

const char *pinn_qn_errmsg(const gsl_multimin_fdfminimizer *s)
{
  return qn_of(s) ? qn_of(s)->err.msg : wrong_type;
}

size_t pinn_qn_state_size(const gsl_multimin_fdfminimizer *s)
{
  const pinn_qn_state *st = qn_of(s);
  return st ? st->method->state_size(st) : 0;
}

int pinn_qn_state_save(const gsl_multimin_fdfminimizer *s, double *buf, pinn_error *err)
{
  const pinn_qn_state *st = qn_of(s);
  if (!st) return pinn_error_set(err, GSL_EINVAL, "%s", wrong_type);
  if (!buf) return pinn_error_set(err, GSL_EINVAL, "state_save: buf is NULL");
  const pinn_qn_method *m = st->method;
  buf[PINN_QN_H_MAGIC] = m->magic;
  buf[PINN_QN_H_VERSION] = STATE_VERSION;
  buf[m->h_n] = (double)st->n;
  buf[PINN_QN_H_LAST_STEP] = st->stats.last_step;
  buf[PINN_QN_H_LAST_ALPHA] = st->stats.last_alpha;
  buf[PINN_QN_H_LS_REASON] = st->stats.last_ls_reason;
  buf[PINN_QN_H_ITERATIONS] = (double)st->stats.iterations;
  buf[PINN_QN_H_FDF_EVALS] = (double)st->stats.fdf_evals;
  buf[PINN_QN_H_LS_EVALS] = (double)st->stats.ls_evals;
  buf[PINN_QN_H_RESTARTS] = (double)st->stats.restarts;
  buf[m->h_skipped] = (double)st->stats.skipped;
  buf[m->h_nonfinite] = (double)st->stats.nonfinite;
  m->save(st, buf);
  return GSL_SUCCESS;
}

int pinn_qn_is_count(double v)
{
  return v >= 0.0 && v < 9007199254740992.0 && v == floor(v);
}

/* The shared slots: set() done, magic number, version, n, no NaN/Inf after
 * n, whole counters. */
static int check_header(pinn_qn_state *st, const double *buf, size_t len)
{
  const pinn_qn_method *m = st->method;
  if (!st->is_set)
    return pinn_error_set(&st->err, GSL_EINVAL,
                          "state_load before a successful gsl_multimin_fdfminimizer_set: set at "
                          "the saved x first (set %s), then load", m->clears);
  if (len < m->h_len || buf[PINN_QN_H_MAGIC] != m->magic)
    return pinn_error_set(&st->err, PINN_EFORMAT, "not an %s state (%zu doubles, bad header)",
                          m->family, len);
  if (buf[PINN_QN_H_VERSION] != STATE_VERSION)
    return pinn_error_set(&st->err, PINN_EFORMAT, "%s state format %g, this library reads %g",
                          m->family, buf[PINN_QN_H_VERSION], STATE_VERSION);
  if (buf[m->h_n] != (double)st->n)
    return pinn_error_set(&st->err, PINN_EFORMAT,
                          "%s state is for n = %g variables, this minimizer has %zu", m->name,
                          buf[m->h_n], st->n);
  for (size_t h = m->h_n + 1; h < m->h_len; ++h)
    if (!isfinite(buf[h]))
      return pinn_error_set(&st->err, PINN_EFORMAT, "%s state header holds NaN/Inf", m->name);
  const size_t counts[] = {PINN_QN_H_ITERATIONS, PINN_QN_H_FDF_EVALS, PINN_QN_H_LS_EVALS,
                           PINN_QN_H_RESTARTS, m->h_skipped, m->h_nonfinite};
  int ok = buf[PINN_QN_H_LAST_STEP] >= 0.0;
  for (size_t k = 0; k < sizeof counts / sizeof counts[0]; ++k)
    ok = ok && pinn_qn_is_count(buf[counts[k]]);
  if (!ok)
    return pinn_error_set(&st->err, PINN_EFORMAT,
                          "%s state header is inconsistent (counters out of range)", m->name);
  return GSL_SUCCESS;
}

int pinn_qn_state_load(gsl_multimin_fdfminimizer *s, const double *buf, size_t len,
                       pinn_error *err)
{
  pinn_qn_state *st = qn_of(s);
  if (!st) return pinn_error_set(err, GSL_EINVAL, "%s", wrong_type);
  int rc = buf ? check_header(st, buf, len)
               : pinn_error_set(&st->err, GSL_EINVAL, "state_load: buf is NULL");
  if (!rc) rc = st->method->load(st, buf, len);
  if (rc) {
    if (err) *err = st->err;
    return rc;
  }
  const pinn_qn_method *m = st->method;
  st->stats.last_step = buf[PINN_QN_H_LAST_STEP];
  st->stats.last_alpha = buf[PINN_QN_H_LAST_ALPHA];
  st->stats.last_ls_reason = (pinn_linesearch_reason)(int)buf[PINN_QN_H_LS_REASON];
  st->stats.iterations = (size_t)buf[PINN_QN_H_ITERATIONS];
  st->stats.fdf_evals = (size_t)buf[PINN_QN_H_FDF_EVALS];
  st->stats.ls_evals = (size_t)buf[PINN_QN_H_LS_EVALS];
  st->stats.restarts = (size_t)buf[PINN_QN_H_RESTARTS];
  st->stats.skipped = (size_t)buf[m->h_skipped];
  st->stats.nonfinite = (size_t)buf[m->h_nonfinite];
  pinn_error_clear(&st->err);
  return GSL_SUCCESS;
}
