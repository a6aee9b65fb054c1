/* libpinn — L-BFGS as a GSL multimin fdfminimizer type (see include/pinn/lbfgs.h:
 * Nocedal & Wright, Algorithms 7.4 and 7.5, H0 = gamma I as their eq. 7.20).
 *
 * The pairs live in a ring of m slots (S and Y, m rows of n doubles each).
 * This file keeps what is L-BFGS's own: the two-loop direction, storing a
 * pair, and the pairs in checkpoints; the iteration around them (line
 * search, restart along -g, accepting the step) is the driver's, lib/qn.c.
 */
#include <pinn/lbfgs.h>
#include "qn_impl.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  pinn_qn_state qn;    /* the driver's part: first, so the GSL state is both */
  size_t m;
  double *S, *Y;       /* ring of pairs: slot i holds s_i = S + i n, y_i = Y + i n */
  double *rho;         /* 1 / s_i'y_i */
  double *coef;        /* two-loop coefficients a_i */
  size_t head;         /* slot the next pair goes to */
  size_t count;        /* pairs stored */
} lbfgs_state;

/* Empty the memory (the hook the driver calls on set(), restarts and resets). */
static void forget(pinn_qn_state *qs)
{
  lbfgs_state *st = (lbfgs_state *)qs;
  st->head = 0;
  st->count = 0;
}

/* Allocate the ring for memory m; on success replace the old one. */
static int alloc_ring(lbfgs_state *st, size_t m)
{
  const size_t n = st->qn.n;
  const int fits = m > 0 && m <= ((size_t)-1) / sizeof(double) / (n ? n : 1);
  double *S = fits ? malloc(m * n * sizeof *S) : NULL;
  double *Y = fits ? malloc(m * n * sizeof *Y) : NULL;
  double *rho = fits ? malloc(m * sizeof *rho) : NULL;
  double *coef = fits ? malloc(m * sizeof *coef) : NULL;
  if (!S || !Y || !rho || !coef) {
    free(S); free(Y); free(rho); free(coef);
    return pinn_error_set(&st->qn.err, fits ? GSL_ENOMEM : GSL_EINVAL,
                          "cannot allocate the memory for m = %zu pairs of n = %zu", m, n);
  }
  free(st->S); free(st->Y); free(st->rho); free(st->coef);
  st->S = S; st->Y = Y; st->rho = rho; st->coef = coef;
  st->m = m;
  forget(&st->qn);
  return GSL_SUCCESS;
}

/* Slot of the k-th newest pair (k = 0: newest). */
static size_t slot(const lbfgs_state *st, size_t k)
{
  return (st->head + st->m - 1 - k) % st->m;
}

/* p = -H g by the two-loop recursion (N&W Algorithm 7.4); 0 with no pairs. */
static int direction(pinn_qn_state *qs, const gsl_vector *g)
{
  lbfgs_state *st = (lbfgs_state *)qs;
  if (st->count == 0) return 0;
  const size_t n = qs->n;
  gsl_vector *q = qs->p;
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
  return 1;
}

/* Store the pair (s, y) of the accepted step if s'y is large enough (N&W
 * Algorithm 7.5, with the skip rule of the header); returns |s|. */
static double update(pinn_qn_state *qs, const pinn_linesearch_point *acc,
                     const gsl_vector *gradient, const gsl_vector *dx)
{
  lbfgs_state *st = (lbfgs_state *)qs;
  const size_t n = qs->n;
  gsl_vector_view s = gsl_vector_view_array(st->S + st->head * n, n);
  gsl_vector_view y = gsl_vector_view_array(st->Y + st->head * n, n);
  gsl_vector_memcpy(&s.vector, dx);
  gsl_vector_memcpy(&y.vector, acc->g);
  gsl_blas_daxpy(-1.0, gradient, &y.vector);

  double sy;
  const double snorm = gsl_blas_dnrm2(&s.vector), ynorm = gsl_blas_dnrm2(&y.vector);
  gsl_blas_ddot(&s.vector, &y.vector, &sy);
  if (sy > PINN_LBFGS_CURVATURE_EPS * snorm * ynorm && isfinite(sy)) {
    st->rho[st->head] = 1.0 / sy;
    st->head = (st->head + 1) % st->m;
    if (st->count < st->m) st->count++;
  } else {
    qs->stats.skipped++;
  }
  return snorm;
}

static void stats(const pinn_qn_state *qs, pinn_qn_statistics *stats)
{
  const lbfgs_state *st = (const lbfgs_state *)qs;
  stats->memory = st->m;
  stats->stored = st->count;
}

/* ---- checkpoints: the driver's header, m, pairs, and the pairs ------------- */

#define STATE_MAGIC 1279412807.0 /* "LBFG" as a 32-bit integer */
enum { H_N = 2, H_M, H_COUNT, H_SKIPPED = 12, H_NONFINITE, H_LEN };

static size_t state_size(const pinn_qn_state *qs)
{
  const lbfgs_state *st = (const lbfgs_state *)qs;
  return H_LEN + st->count * (2 * qs->n + 1);
}

static void save(const pinn_qn_state *qs, double *buf)
{
  const lbfgs_state *st = (const lbfgs_state *)qs;
  const size_t n = qs->n;
  buf[H_M] = (double)st->m;
  buf[H_COUNT] = (double)st->count;
  double *b = buf + H_LEN;
  for (size_t k = st->count; k-- > 0;) { /* oldest first: the ring position is not needed */
    const size_t i = slot(st, k);
    *b++ = st->rho[i];
    memcpy(b, st->S + i * n, n * sizeof *b);
    b += n;
    memcpy(b, st->Y + i * n, n * sizeof *b);
    b += n;
  }
}

static int load(pinn_qn_state *qs, const double *buf, size_t len)
{
  lbfgs_state *st = (lbfgs_state *)qs;
  pinn_error *err = &qs->err;
  if (!pinn_qn_is_count(buf[H_M]) || buf[H_M] < 1.0 || !pinn_qn_is_count(buf[H_COUNT])
      || buf[H_COUNT] > buf[H_M])
    return pinn_error_set(err, PINN_EFORMAT,
                          "L-BFGS state header is inconsistent (m = %g, pairs = %g)", buf[H_M],
                          buf[H_COUNT]);
  const size_t n = qs->n, m = (size_t)buf[H_M], count = (size_t)buf[H_COUNT];
  const size_t need = H_LEN + count * (2 * n + 1);
  if (len < need)
    return pinn_error_set(err, PINN_EFORMAT, "L-BFGS state truncated: %zu doubles, %zu needed",
                          len, need);
  for (size_t k = 0; k < count; ++k) {
    const double *blk = buf + H_LEN + k * (2 * n + 1);
    for (size_t i = 0; i <= 2 * n; ++i)
      if (!isfinite(blk[i]))
        return pinn_error_set(err, PINN_EFORMAT, "L-BFGS state pair %zu has NaN/Inf", k);
    /* rho must be 1 / s'y > 0, else H is not positive definite */
    gsl_vector_const_view sv = gsl_vector_const_view_array(blk + 1, n);
    gsl_vector_const_view yv = gsl_vector_const_view_array(blk + 1 + n, n);
    double sy;
    gsl_blas_ddot(&sv.vector, &yv.vector, &sy);
    if (!(blk[0] > 0.0) || !(fabs(blk[0] * sy - 1.0) <= 1e-6))
      return pinn_error_set(
          err, PINN_EFORMAT,
          "L-BFGS state pair %zu has rho = %g but s'y = %g (rho must be 1 / s'y > 0)", k, blk[0],
          sy);
  }
  if (m != st->m && alloc_ring(st, m)) return err->code;
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
  return GSL_SUCCESS;
}

/* ---- the GSL type ------------------------------------------------------------ */

static const pinn_qn_method lbfgs_method = {
    "L-BFGS", "L-BFGS", "clearing the memory", "clears the memory", direction, forget, NULL,
    update, stats, state_size, save, load, STATE_MAGIC, H_N, H_SKIPPED, H_NONFINITE, H_LEN};

static void lbfgs_free(void *vstate)
{
  lbfgs_state *st = vstate;
  free(st->S); free(st->Y); free(st->rho); free(st->coef);
  st->S = st->Y = st->rho = st->coef = NULL;
  pinn_qn_free(&st->qn);
}

static int lbfgs_alloc(void *vstate, size_t n)
{
  lbfgs_state *st = vstate;
  memset(st, 0, sizeof *st);
  const int rc = pinn_qn_alloc(&st->qn, &lbfgs_method, n, 0);
  if (rc || !alloc_ring(st, PINN_LBFGS_DEFAULT_MEMORY)) return rc;
  lbfgs_free(st);
  return GSL_ENOMEM;
}

static const gsl_multimin_fdfminimizer_type lbfgs_type = {
    "pinn_lbfgs", sizeof(lbfgs_state), &lbfgs_alloc, &pinn_qn_set,
    &pinn_qn_iterate, &pinn_qn_restart, &lbfgs_free};

const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_lbfgs = &lbfgs_type;

int pinn_lbfgs_set_memory(gsl_multimin_fdfminimizer *s, size_t m)
{
  if (!s || s->type != &lbfgs_type) return GSL_EINVAL;
  lbfgs_state *st = s->state;
  if (m == 0)
    return pinn_error_set(&st->qn.err, GSL_EINVAL, "memory m = 0: keep at least one pair (m >= 1)");
  return alloc_ring(st, m);
}
