/* libpinn — L-BFGS as a GSL multimin fdfminimizer type (see include/pinn/lbfgs.h).
 *
 * J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed., Springer
 * 2006: Algorithm 7.4 (two-loop recursion for p = -H g) and Algorithm 7.5
 * (L-BFGS), with H0 = gamma I, gamma = s'y / y'y of the newest pair (eq. 7.20).
 * Steps come from the Moré–Thuente strong-Wolfe search (lib/linesearch.c).
 *
 * The pairs live in a ring of m slots (S and Y, m rows of n doubles each).
 * Each line search evaluates trial points into one of two buffers: the
 * lowest-f trial so far is kept in (xb, gb) by swapping pointers, so the
 * accepted point is never evaluated twice, and a failed search can still
 * fall back on its best point if that lowered f.
 */
#include <pinn/lbfgs.h>
#include <pinn/linesearch.h>
#include <pinn/status.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  size_t n, m;
  double *S, *Y;       /* ring of pairs: slot i holds s_i = S + i n, y_i = Y + i n */
  double *rho;         /* 1 / s_i'y_i */
  double *coef;        /* two-loop coefficients a_i */
  size_t head;         /* slot the next pair goes to */
  size_t count;        /* pairs stored */
  double *work;        /* 5 n doubles behind the five vectors below */
  gsl_vector_view views[5];
  gsl_vector *p;       /* search direction */
  pinn_linesearch_fdf ls; /* the line search's trial and best vectors */
  double step_size;    /* first step length, from set() */
  double gtol;         /* line-search curvature constant, from set()'s tol */
  int is_set;
  pinn_lbfgs_statistics stats;
  char errmsg[PINN_ERRMSG_SIZE];
} lbfgs_state;

static const char wrong_type_msg[] =
    "not an L-BFGS minimizer: allocate it with "
    "gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_lbfgs, n)";

static int fail(lbfgs_state *st, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(lbfgs_state *st, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

static void clear_memory(lbfgs_state *st)
{
  st->head = 0;
  st->count = 0;
}

/* Allocate the ring for memory m; on success replace the old one. */
static int alloc_ring(lbfgs_state *st, size_t m)
{
  if (m == 0 || m > ((size_t)-1) / sizeof(double) / (st->n ? st->n : 1)) return GSL_EINVAL;
  double *S = malloc(m * st->n * sizeof *S);
  double *Y = malloc(m * st->n * sizeof *Y);
  double *rho = malloc(m * sizeof *rho);
  double *coef = malloc(m * sizeof *coef);
  if (!S || !Y || !rho || !coef) {
    free(S); free(Y); free(rho); free(coef);
    return GSL_ENOMEM;
  }
  free(st->S); free(st->Y); free(st->rho); free(st->coef);
  st->S = S; st->Y = Y; st->rho = rho; st->coef = coef;
  st->m = m;
  clear_memory(st);
  return GSL_SUCCESS;
}

static void lbfgs_free(void *vstate)
{
  lbfgs_state *st = vstate;
  free(st->S); free(st->Y); free(st->rho); free(st->coef); free(st->work);
  st->S = st->Y = st->rho = st->coef = st->work = NULL;
}

static int lbfgs_alloc(void *vstate, size_t n)
{
  lbfgs_state *st = vstate;
  memset(st, 0, sizeof *st);
  st->n = n;
  st->stats.last_ls_reason = PINN_LINESEARCH_CONVERGED;
  /* Plain malloc, not gsl_vector_alloc: no call of the GSL error handler.
   * The state does not move (GSL mallocs it once), so the views stay valid. */
  if (n == 0 || n > ((size_t)-1) / sizeof(double) / 5) return GSL_EINVAL;
  st->work = calloc(5 * n, sizeof *st->work);
  if (!st->work || alloc_ring(st, PINN_LBFGS_DEFAULT_MEMORY) != GSL_SUCCESS) {
    lbfgs_free(st);
    return GSL_ENOMEM;
  }
  for (int k = 0; k < 5; ++k) st->views[k] = gsl_vector_view_array(st->work + k * n, n);
  st->p = &st->views[0].vector;
  st->ls.xt = &st->views[1].vector;
  st->ls.gt = &st->views[2].vector;
  st->ls.xb = &st->views[3].vector;
  st->ls.gb = &st->views[4].vector;
  return GSL_SUCCESS;
}

static int all_finite(const gsl_vector *v)
{
  for (size_t i = 0; i < v->size; ++i)
    if (!isfinite(gsl_vector_get(v, i))) return 0;
  return 1;
}

static int lbfgs_set(void *vstate, gsl_multimin_function_fdf *fdf, const gsl_vector *x,
                     double *f, gsl_vector *gradient, double step_size, double tol)
{
  lbfgs_state *st = vstate;
  st->is_set = 0;
  clear_memory(st);
  memset(&st->stats, 0, sizeof st->stats);
  st->stats.last_ls_reason = PINN_LINESEARCH_CONVERGED;
  st->errmsg[0] = '\0';
  if (!(step_size > 0.0) || !isfinite(step_size))
    return fail(st, GSL_EINVAL,
                "step_size = %g must be positive and finite: it is the length of the first "
                "step (e.g. 0.1 |x0|, or 1)", step_size);
  st->step_size = step_size;
  st->gtol = (tol > 0.0 && tol < 1.0) ? tol : 0.9;

  GSL_MULTIMIN_FN_EVAL_F_DF(fdf, x, f, gradient);
  st->stats.fdf_evals = 1;
  if (!isfinite(*f) || !all_finite(gradient))
    return fail(st, GSL_EBADFUNC,
                "fdf gave f = %g and %s gradient at the starting point: start where the "
                "objective and its gradient are finite", *f,
                all_finite(gradient) ? "a finite" : "a NaN/Inf in the");
  st->is_set = 1;
  return GSL_SUCCESS;
}

static int lbfgs_restart(void *vstate)
{
  clear_memory(vstate);
  return GSL_SUCCESS;
}

/* Slot of the k-th newest pair (k = 0: newest). */
static size_t slot(const lbfgs_state *st, size_t k)
{
  return (st->head + st->m - 1 - k) % st->m;
}

/* p = -H g by the two-loop recursion (N&W Algorithm 7.4). */
static void two_loop(lbfgs_state *st, const gsl_vector *g)
{
  const size_t n = st->n;
  gsl_vector *q = st->p;
  gsl_vector_memcpy(q, g);
  for (size_t k = 0; k < st->count; ++k) {
    const size_t i = slot(st, k);
    gsl_vector_const_view s = gsl_vector_const_view_array(st->S + i * n, n);
    gsl_vector_const_view y = gsl_vector_const_view_array(st->Y + i * n, n);
    double sq;
    gsl_blas_ddot(&s.vector, q, &sq);
    st->coef[i] = st->rho[i] * sq;
    gsl_blas_daxpy(-st->coef[i], &y.vector, q);
  }
  {
    const size_t j = slot(st, 0);
    gsl_vector_const_view s = gsl_vector_const_view_array(st->S + j * n, n);
    gsl_vector_const_view y = gsl_vector_const_view_array(st->Y + j * n, n);
    double sy, yy;
    gsl_blas_ddot(&s.vector, &y.vector, &sy);
    gsl_blas_ddot(&y.vector, &y.vector, &yy);
    gsl_blas_dscal(sy / yy, q); /* H0 = gamma I */
  }
  for (size_t k = st->count; k-- > 0;) {
    const size_t i = slot(st, k);
    gsl_vector_const_view s = gsl_vector_const_view_array(st->S + i * n, n);
    gsl_vector_const_view y = gsl_vector_const_view_array(st->Y + i * n, n);
    double yr;
    gsl_blas_ddot(&y.vector, q, &yr);
    gsl_blas_daxpy(st->coef[i] - st->rho[i] * yr, &s.vector, q);
  }
  gsl_blas_dscal(-1.0, q);
}

typedef struct {
  const gsl_vector *x, *g;
  double f, alpha;
} accepted_point;

/* Search along st->p (pinn_linesearch_fdf_run): 1 and *acc filled when f
 * went down (the Wolfe point, else the lowest trial). */
static int search(lbfgs_state *st, gsl_multimin_function_fdf *fdf, const gsl_vector *x, double f,
                  double dphi0, double alpha0, pinn_linesearch_result *res, accepted_point *acc)
{
  const int ok = pinn_linesearch_fdf_run(&st->ls, fdf, x, st->p, f, dphi0, alpha0, st->gtol, res,
                                         &acc->x, &acc->g, &acc->f, &acc->alpha);
  st->stats.fdf_evals += st->ls.evals;
  st->stats.ls_evals += st->ls.evals;
  st->stats.nonfinite += st->ls.nonfinite;
  st->stats.last_ls_reason = res->reason;
  return ok;
}

/* Move to the accepted point and store the pair (s, y) if s'y is large
 * enough (N&W Algorithm 7.5, with the skip rule of the header). */
static void accept(lbfgs_state *st, const accepted_point *acc, gsl_vector *x, double *f,
                   gsl_vector *gradient, gsl_vector *dx)
{
  const size_t n = st->n;
  gsl_vector_view s = gsl_vector_view_array(st->S + st->head * n, n);
  gsl_vector_view y = gsl_vector_view_array(st->Y + st->head * n, n);
  gsl_vector_memcpy(&s.vector, acc->x);
  gsl_blas_daxpy(-1.0, x, &s.vector);
  gsl_vector_memcpy(&y.vector, acc->g);
  gsl_blas_daxpy(-1.0, gradient, &y.vector);
  gsl_vector_memcpy(dx, &s.vector);

  double sy;
  const double snorm = gsl_blas_dnrm2(&s.vector), ynorm = gsl_blas_dnrm2(&y.vector);
  gsl_blas_ddot(&s.vector, &y.vector, &sy);
  if (sy > PINN_LBFGS_CURVATURE_EPS * snorm * ynorm && isfinite(sy)) {
    st->rho[st->head] = 1.0 / sy;
    st->head = (st->head + 1) % st->m;
    if (st->count < st->m) st->count++;
  } else {
    st->stats.skipped++;
  }
  gsl_vector_memcpy(x, acc->x);
  gsl_vector_memcpy(gradient, acc->g);
  *f = acc->f;
  st->stats.iterations++;
  st->stats.last_step = snorm;
  st->stats.last_alpha = acc->alpha;
}

/* p = -g; returns g'p. */
static double steepest_descent(lbfgs_state *st, const gsl_vector *gradient, double gnorm)
{
  gsl_vector_memcpy(st->p, gradient);
  gsl_blas_dscal(-1.0, st->p);
  return -gnorm * gnorm;
}

static int lbfgs_iterate(void *vstate, gsl_multimin_function_fdf *fdf, gsl_vector *x,
                         double *f, gsl_vector *gradient, gsl_vector *dx)
{
  lbfgs_state *st = vstate;
  st->errmsg[0] = '\0';
  if (!st->is_set)
    return fail(st, GSL_EINVAL,
                "iterate called before a successful gsl_multimin_fdfminimizer_set: set the "
                "function and starting point first");
  const double gnorm = gsl_blas_dnrm2(gradient);
  if (gnorm == 0.0) {
    gsl_vector_set_zero(dx);
    return fail(st, GSL_ENOPROG,
                "the gradient is exactly zero at x (f = %.17g): x is a stationary point; test "
                "convergence with gsl_multimin_test_gradient before iterating", *f);
  }

  /* Direction: L-BFGS if there is memory and it gives descent, else -g. */
  int steepest = st->count == 0;
  double dphi0 = 0.0;
  if (!steepest) {
    two_loop(st, gradient);
    gsl_blas_ddot(gradient, st->p, &dphi0);
    if (!(dphi0 < 0.0) || !isfinite(dphi0)) {
      clear_memory(st);
      st->stats.restarts++;
      steepest = 1;
    }
  }
  /* With an empty memory the step has the length of the last accepted step
   * (step_size before the first); otherwise the unit quasi-Newton step. */
  const double restart_len = st->stats.last_step > 0.0 ? st->stats.last_step : st->step_size;
  if (steepest) dphi0 = steepest_descent(st, gradient, gnorm);

  pinn_linesearch_result res, res_first = {0};
  accepted_point acc;
  int found = search(st, fdf, x, *f, dphi0, steepest ? restart_len / gnorm : 1.0, &res, &acc);
  const int tried_lbfgs = !steepest;
  if (!found && !steepest) {
    /* The quasi-Newton direction failed: forget the pairs and retry along -g. */
    res_first = res;
    clear_memory(st);
    st->stats.restarts++;
    dphi0 = steepest_descent(st, gradient, gnorm);
    found = search(st, fdf, x, *f, dphi0, restart_len / gnorm, &res, &acc);
  }
  if (!found) {
    gsl_vector_set_zero(dx);
    if (tried_lbfgs)
      return fail(st, GSL_ENOPROG,
                  "no point with a lower f found: along the L-BFGS direction %s (%d "
                  "evaluations), then along -g after clearing the memory %s (%d evaluations); "
                  "f = %.17g, |g| = %.3g. Either x is a minimum to rounding precision, or the "
                  "gradient does not match f (check it against finite differences)",
                  pinn_linesearch_reason_str(res_first.reason), res_first.nevals,
                  pinn_linesearch_reason_str(res.reason), res.nevals, *f, gnorm);
    return fail(st, GSL_ENOPROG,
                "no point with a lower f found along -g: %s (%d evaluations, %d of them "
                "NaN/Inf); f = %.17g, |g| = %.3g. Either x is a minimum to rounding precision, "
                "the gradient does not match f (check it against finite differences), or "
                "step_size is far too large",
                pinn_linesearch_reason_str(res.reason), res.nevals, res.nnonfinite, *f, gnorm);
  }
  accept(st, &acc, x, f, gradient, dx);
  return GSL_SUCCESS;
}

static const gsl_multimin_fdfminimizer_type lbfgs_type = {
    "pinn_lbfgs", sizeof(lbfgs_state), &lbfgs_alloc, &lbfgs_set,
    &lbfgs_iterate, &lbfgs_restart, &lbfgs_free};

const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_lbfgs = &lbfgs_type;

/* The state of an L-BFGS minimizer, or NULL for anything else. */
static lbfgs_state *state_of(const gsl_multimin_fdfminimizer *s)
{
  return (s && s->type == &lbfgs_type) ? s->state : NULL;
}

int pinn_lbfgs_set_memory(gsl_multimin_fdfminimizer *s, size_t m)
{
  lbfgs_state *st = state_of(s);
  if (!st) return GSL_EINVAL;
  if (m == 0) return fail(st, GSL_EINVAL, "memory m = 0: keep at least one pair (m >= 1)");
  const int rc = alloc_ring(st, m);
  if (rc) return fail(st, rc, "cannot allocate the memory for m = %zu pairs of n = %zu", m, st->n);
  return GSL_SUCCESS;
}

int pinn_lbfgs_stats(const gsl_multimin_fdfminimizer *s, pinn_lbfgs_statistics *stats)
{
  const lbfgs_state *st = state_of(s);
  if (!st || !stats) return GSL_EINVAL;
  *stats = st->stats;
  stats->memory = st->m;
  stats->stored = st->count;
  return GSL_SUCCESS;
}

int pinn_lbfgs_reset(gsl_multimin_fdfminimizer *s)
{
  lbfgs_state *st = state_of(s);
  if (!st) return GSL_EINVAL;
  clear_memory(st);
  return GSL_SUCCESS;
}

const char *pinn_lbfgs_errmsg(const gsl_multimin_fdfminimizer *s)
{
  const lbfgs_state *st = state_of(s);
  return st ? st->errmsg : wrong_type_msg;
}

/* ---- checkpoints ---------------------------------------------------------- */

#define STATE_MAGIC 1279412807.0 /* "LBFG" as a 32-bit integer */
#define STATE_VERSION 1.0
enum {
  H_MAGIC, H_VERSION, H_N, H_M, H_COUNT, H_LAST_STEP, H_LAST_ALPHA, H_LS_REASON,
  H_ITERATIONS, H_FDF_EVALS, H_LS_EVALS, H_RESTARTS, H_SKIPPED, H_NONFINITE, H_LEN
};

size_t pinn_lbfgs_state_size(const gsl_multimin_fdfminimizer *s)
{
  const lbfgs_state *st = state_of(s);
  return st ? H_LEN + st->count * (2 * st->n + 1) : 0;
}

int pinn_lbfgs_state_save(const gsl_multimin_fdfminimizer *s, double *buf)
{
  const lbfgs_state *st = state_of(s);
  if (!st || !buf) return GSL_EINVAL;
  const size_t n = st->n;
  buf[H_MAGIC] = STATE_MAGIC;
  buf[H_VERSION] = STATE_VERSION;
  buf[H_N] = (double)n;
  buf[H_M] = (double)st->m;
  buf[H_COUNT] = (double)st->count;
  buf[H_LAST_STEP] = st->stats.last_step;
  buf[H_LAST_ALPHA] = st->stats.last_alpha;
  buf[H_LS_REASON] = st->stats.last_ls_reason;
  buf[H_ITERATIONS] = (double)st->stats.iterations;
  buf[H_FDF_EVALS] = (double)st->stats.fdf_evals;
  buf[H_LS_EVALS] = (double)st->stats.ls_evals;
  buf[H_RESTARTS] = (double)st->stats.restarts;
  buf[H_SKIPPED] = (double)st->stats.skipped;
  buf[H_NONFINITE] = (double)st->stats.nonfinite;
  double *b = buf + H_LEN;
  for (size_t k = st->count; k-- > 0;) { /* oldest first */
    const size_t i = slot(st, k);
    *b++ = st->rho[i];
    memcpy(b, st->S + i * n, n * sizeof *b);
    b += n;
    memcpy(b, st->Y + i * n, n * sizeof *b);
    b += n;
  }
  return GSL_SUCCESS;
}

/* A nonnegative whole number that fits a size_t. */
static int is_count(double v)
{
  return v >= 0.0 && v < 9007199254740992.0 && v == floor(v);
}

int pinn_lbfgs_state_load(gsl_multimin_fdfminimizer *s, const double *buf, size_t len)
{
  lbfgs_state *st = state_of(s);
  if (!st || !buf) return GSL_EINVAL;
  if (!st->is_set)
    return fail(st, GSL_EINVAL,
                "state_load before gsl_multimin_fdfminimizer_set: set at the saved x first "
                "(set clears the memory), then load");
  if (len < H_LEN || buf[H_MAGIC] != STATE_MAGIC)
    return fail(st, PINN_EFORMAT, "not an L-BFGS state (%zu doubles, bad header)", len);
  if (buf[H_VERSION] != STATE_VERSION)
    return fail(st, PINN_EFORMAT, "L-BFGS state format %g, this library reads %g",
                buf[H_VERSION], STATE_VERSION);
  if (buf[H_N] != (double)st->n)
    return fail(st, PINN_EFORMAT, "L-BFGS state is for n = %g variables, this minimizer has %zu",
                buf[H_N], st->n);
  for (int h = H_M; h < H_LEN; ++h)
    if (!isfinite(buf[h])) return fail(st, PINN_EFORMAT, "L-BFGS state header holds NaN/Inf");
  if (!is_count(buf[H_M]) || buf[H_M] < 1.0 || !is_count(buf[H_COUNT])
      || buf[H_COUNT] > buf[H_M] || !is_count(buf[H_ITERATIONS]) || !is_count(buf[H_FDF_EVALS])
      || !is_count(buf[H_LS_EVALS]) || !is_count(buf[H_RESTARTS]) || !is_count(buf[H_SKIPPED])
      || !is_count(buf[H_NONFINITE]) || !(buf[H_LAST_STEP] >= 0.0))
    return fail(st, PINN_EFORMAT, "L-BFGS state header is inconsistent (m = %g, pairs = %g)",
                buf[H_M], buf[H_COUNT]);
  const size_t n = st->n, m = (size_t)buf[H_M], count = (size_t)buf[H_COUNT];
  const size_t need = H_LEN + count * (2 * n + 1);
  if (len < need)
    return fail(st, PINN_EFORMAT, "L-BFGS state truncated: %zu doubles, %zu needed", len, need);
  for (size_t k = 0; k < count; ++k) {
    const double *blk = buf + H_LEN + k * (2 * n + 1);
    for (size_t i = 0; i <= 2 * n; ++i)
      if (!isfinite(blk[i])) return fail(st, PINN_EFORMAT, "L-BFGS state pair %zu has NaN/Inf", k);
    /* rho must be 1 / s'y > 0, else H is not positive definite */
    gsl_vector_const_view sv = gsl_vector_const_view_array(blk + 1, n);
    gsl_vector_const_view yv = gsl_vector_const_view_array(blk + 1 + n, n);
    double sy;
    gsl_blas_ddot(&sv.vector, &yv.vector, &sy);
    if (!(blk[0] > 0.0) || !(fabs(blk[0] * sy - 1.0) <= 1e-6))
      return fail(st, PINN_EFORMAT,
                  "L-BFGS state pair %zu has rho = %g but s'y = %g (rho must be 1 / s'y > 0)",
                  k, blk[0], sy);
  }
  if (m != st->m) {
    const int rc = alloc_ring(st, m);
    if (rc) return fail(st, rc, "cannot allocate the memory for m = %zu pairs of n = %zu", m, n);
  }
  const double *b = buf + H_LEN;
  for (size_t k = 0; k < count; ++k) { /* slots 0..count-1, oldest first */
    st->rho[k] = *b++;
    memcpy(st->S + k * n, b, n * sizeof *b);
    b += n;
    memcpy(st->Y + k * n, b, n * sizeof *b);
    b += n;
  }
  st->count = count;
  st->head = count % m;
  st->stats.last_step = buf[H_LAST_STEP];
  st->stats.last_alpha = buf[H_LAST_ALPHA];
  st->stats.last_ls_reason = (int)buf[H_LS_REASON];
  st->stats.iterations = (size_t)buf[H_ITERATIONS];
  st->stats.fdf_evals = (size_t)buf[H_FDF_EVALS];
  st->stats.ls_evals = (size_t)buf[H_LS_EVALS];
  st->stats.restarts = (size_t)buf[H_RESTARTS];
  st->stats.skipped = (size_t)buf[H_SKIPPED];
  st->stats.nonfinite = (size_t)buf[H_NONFINITE];
  st->errmsg[0] = '\0';
  return GSL_SUCCESS;
}
