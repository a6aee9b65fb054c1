/* libpinn — self-scaled SSBFGS and SSBroyden as GSL multimin fdfminimizer
 * types (see include/pinn/ssqn.h, with the references).  The formulas were
 * taken from the published code of Urbán, Stefanou and Pons (methods
 * SSBFGS_AB and SSBroyden2 of their modified scipy BFGS) and cross-checked
 * against the JAX implementation of I. Bioli and M. Mendibe (arXiv
 * 2603.10599), not from the equations of the paper, not available to us.
 *
 * H+ = (1/tau)[H - u u'/(y'u) + phi (y'u) v v'] + rho s s', u = H y,
 * v = rho s - u / y'u, is expanded into
 *
 *   H+ = H / tau + c_uu u u' + c_su (s u' + u s') + c_ss s s',
 *   c_uu = (phi - 1) / (tau y'u),  c_su = -phi rho / tau,
 *   c_ss = rho (phi h / tau + 1),
 *
 * and applied to the upper triangle of the row-major n x n array.  H is
 * kept as c M with a scalar c, so H / tau costs nothing (c <- c / tau) and
 * the rank terms go into M divided by the new c: one gsl_blas_dsyr2 with
 * (s, c_ss/2 s + c_su u) and, for phi != 1, one gsl_blas_dsyr.  When c
 * leaves [2^-64, 2^64] a power of two moves from c into M (exact).  The
 * direction is p = -c M g and u = c M y (gsl_blas_dsymv): per iteration two
 * reads of the triangle and one or two read-writes.  The lower triangle is
 * never read or written.
 *
 * Safeguards of libpinn (not in the references): a = b h - 1 is clamped at
 * 0 (it is >= 0 by Cauchy-Schwarz, rounding can make it slightly negative);
 * theta- = -Inf when a = 0 and rho- < 1 (the max then ignores it; v = 0
 * there, so phi does not matter); sigma^(1/(1-n)) = 1 for n = 1; an update
 * whose scalars are not finite and positive is skipped; y'H y <= 0 means H
 * lost positive definiteness: H restarts from I.
 *
 * The iteration itself (direction test, line search, restart along -g,
 * accepting the step) is the driver's, lib/qn.c, shared with L-BFGS.
 */
#include <pinn/ssqn.h>
#include "qn_impl.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_SSBFGS = 1, KIND_SSBROYDEN = 2 };

typedef struct {
  pinn_qn_state qn;    /* the driver's part: first, so the GSL state is both */
  int kind;            /* KIND_SSBFGS or KIND_SSBROYDEN */
  double *H;           /* M: n x n row-major (upper triangle used), NULL until set() */
  double hscale;       /* c: the approximation is c M (scaling by tau costs no pass over M) */
  int have_h;          /* c M holds an approximation */
  size_t max_bytes;    /* limit on the bytes of H */
  gsl_vector *y;       /* gradient change of the accepted step */
  gsl_vector *u, *w;   /* H y, and the second vector of the rank-2 update */
} ssqn_state;

/* ---- memory limit --------------------------------------------------------- */

/* Largest n with n * n * sizeof(double) <= max_bytes. */
static size_t max_n_for(size_t max_bytes)
{
  const size_t cells = max_bytes / sizeof(double);
  size_t k = (size_t)sqrt((double)cells);
  while (k > 0 && (k > cells / k)) --k;          /* k * k > cells */
  while ((k + 1) <= cells / (k + 1)) ++k;        /* (k + 1)^2 <= cells */
  return k;
}

int pinn_ssqn_check_size(size_t n, size_t max_bytes, pinn_error *err)
{
  if (max_bytes == 0) max_bytes = PINN_SSQN_DEFAULT_MAX_BYTES;
  if (n == 0)
    return pinn_error_set(err, PINN_EINVAL, "SSBFGS/SSBroyden: n = 0 parameters; nothing to minimize");
  const size_t nmax = max_n_for(max_bytes);
  if (n > nmax) {
    const double gib = 1024.0 * 1024.0 * 1024.0;
    return pinn_error_set(
        err, PINN_EUNSUPPORTED,
        "SSBFGS/SSBroyden keep a dense n x n inverse-Hessian approximation: n = %zu parameters "
        "need %.3g GiB, above the limit of %.3g GiB (n <= %zu). Use L-BFGS "
        "(pinn_multimin_fdfminimizer_lbfgs, optimizer 'lbfgs') for a network this large, or "
        "raise the limit (pinn_ssqn_set_max_bytes) if the memory is there",
        n, (double)n * (double)n * sizeof(double) / gib, (double)max_bytes / gib, nmax);
  }
  return PINN_SUCCESS;
}

/* ---- the method's part of the driver ---------------------------------------- */

/* Empty H (set(), restarts, resets). */
static void forget(pinn_qn_state *qs)
{
  ((ssqn_state *)qs)->have_h = 0;
}

/* Allocate H under the limit (or free it when above); set() calls it. */
static int ensure_h(pinn_qn_state *qs)
{
  ssqn_state *st = (ssqn_state *)qs;
  const size_t n = qs->n;
  const int rc = pinn_ssqn_check_size(n, st->max_bytes, &qs->err);
  if (rc) {
    free(st->H);
    st->H = NULL;
    return rc;
  }
  if (!st->H) {
    st->H = malloc(n * n * sizeof *st->H);
    if (!st->H)
      return pinn_error_set(&qs->err, GSL_ENOMEM,
                            "cannot allocate the %zu x %zu inverse-Hessian approximation (%.3g "
                            "GiB): free memory, or use L-BFGS (pinn_multimin_fdfminimizer_lbfgs)",
                            n, n, (double)n * (double)n * 8.0 / 1073741824.0);
  }
  return GSL_SUCCESS;
}

/* p = -H g; 0 when H is empty. */
static int direction(pinn_qn_state *qs, const gsl_vector *g)
{
  ssqn_state *st = (ssqn_state *)qs;
  if (!st->have_h) return 0;
  gsl_matrix_view Hm = gsl_matrix_view_array(st->H, qs->n, qs->n);
  gsl_blas_dsymv(CblasUpper, -st->hscale, &Hm.matrix, g, 0.0, qs->p);
  return 1;
}

/* ---- the update ----------------------------------------------------------- */

static void set_identity(ssqn_state *st)
{
  const size_t n = st->qn.n;
  memset(st->H, 0, n * n * sizeof *st->H);
  for (size_t i = 0; i < n; ++i) st->H[i * n + i] = 1.0;
  st->hscale = 1.0;
}

/* theta and tau of the self-scaled family for the scalars a, b, h. */
static void choose_parameters(const ssqn_state *st, int first, double a, double b, double h,
                              double *theta_out, double *tau_out)
{
  double theta = 0.0; /* SSBFGS */
  if (st->kind == KIND_SSBROYDEN) {
    const double c = sqrt(a / (1.0 + a));
    const double rm = fmin(1.0, h * (1.0 - c));
    const double thm = a > 0.0 ? (rm - 1.0) / a : (rm < 1.0 ? -INFINITY : 0.0);
    const double thp = 1.0 / rm;
    theta = fmax(thm, fmin(thp, (1.0 - b) / b));
  }
  const double sigma = 1.0 + a * theta;
  double tau;
  if (first) {
    tau = h / sigma;
  } else {
    const double rt = fmin(1.0, 1.0 / b);
    const double sp = st->qn.n > 1 ? pow(fabs(sigma), 1.0 / (1.0 - (double)st->qn.n)) : 1.0;
    tau = theta <= 0.0 ? fmin(rt * sp, sigma) : rt * fmin(sp, 1.0 / theta);
  }
  *theta_out = theta;
  *tau_out = tau;
}

/* Keep c within [2^-64, 2^64]: move a power of two from c into M (exact
 * unless entries of M underflow). */
static void renormalize(ssqn_state *st)
{
  const double c = st->hscale;
  if (c >= 0x1p-64 && c <= 0x1p64) return;
  int e;
  frexp(c, &e);
  const double f = ldexp(1.0, e - 1); /* c / f in [1, 2) */
  const size_t n = st->qn.n;
  for (size_t i = 0; i < n; ++i) {
    gsl_vector_view r = gsl_vector_view_array(st->H + i * n + i, n - i);
    gsl_blas_dscal(f, &r.vector);
  }
  st->hscale = c / f;
}

/* Update H with the pair (s, y); sg = s'g at the old point, alpha the step
 * length along the direction that produced s (so b = -alpha s'g / y's). */
static void update_h(ssqn_state *st, const gsl_vector *s, const gsl_vector *y, double sg,
                   double alpha)
{
  const size_t n = st->qn.n;
  gsl_matrix_view Hm = gsl_matrix_view_array(st->H, n, n);
  double sy;
  gsl_blas_ddot(s, y, &sy);
  const double snorm = gsl_blas_dnrm2(s), ynorm = gsl_blas_dnrm2(y);
  const double rho = 1.0 / sy;
  double b = -alpha * sg * rho;
  if (!(sy > PINN_SSQN_CURVATURE_EPS * snorm * ynorm) || !isfinite(sy) || !(b > 0.0)
      || !isfinite(b)) {
    st->qn.stats.skipped++;
    return;
  }
  int first = !st->have_h;
  if (first) set_identity(st);
  double yHy;
  gsl_blas_dsymv(CblasUpper, st->hscale, &Hm.matrix, y, 0.0, st->u);
  gsl_blas_ddot(y, st->u, &yHy);
  if (!first && (!(yHy > 0.0) || !isfinite(yHy))) {
    /* H is no longer positive definite: start again from I */
    st->have_h = 0;
    st->qn.stats.restarts++;
    first = 1;
    set_identity(st);
    gsl_vector_memcpy(st->u, y);
    yHy = ynorm * ynorm;
    b = snorm * snorm * rho; /* s'B s with B = I */
  }
  const double h = rho * yHy;
  const double a = fmax(b * h - 1.0, 0.0);
  double theta, tau;
  choose_parameters(st, first, a, b, h, &theta, &tau);
  const double sigma = 1.0 + a * theta, phi = (1.0 - theta) / sigma;
  const double it = 1.0 / tau;
  const double c_uu = (phi - 1.0) * it / yHy, c_su = -phi * rho * it,
               c_ss = rho * (phi * h * it + 1.0);
  /* c M / tau + R = (c / tau) (M + R tau / c) */
  const double cnew = st->hscale * it, ic = 1.0 / cnew;
  if (!(h > 0.0) || !isfinite(h) || !(sigma > 0.0) || !(tau > 0.0) || !isfinite(it)
      || !isfinite(phi) || !isfinite(c_uu) || !isfinite(c_su) || !isfinite(c_ss)
      || !(cnew > 0.0) || !isfinite(cnew) || !isfinite(ic)) {
    st->qn.stats.skipped++;
    return; /* with first = 1, have_h stays 0: H = I is not used */
  }
  st->hscale = cnew;
  gsl_vector_memcpy(st->w, st->u);
  gsl_blas_dscal(c_su, st->w);
  gsl_blas_daxpy(0.5 * c_ss, s, st->w);
  gsl_blas_dsyr2(CblasUpper, ic, s, st->w, &Hm.matrix);
  if (phi != 1.0) gsl_blas_dsyr(CblasUpper, c_uu * ic, st->u, &Hm.matrix);
  renormalize(st);
  st->have_h = 1;
  st->qn.stats.updates++;
  st->qn.stats.last_tau = tau;
  st->qn.stats.last_phi = phi;
  st->qn.stats.last_theta = theta;
  st->qn.stats.last_b = b;
  st->qn.stats.last_h = h;
}

/* The accepted step s = dx: y = g+ - g and the update of H; returns |s|. */
static double update(pinn_qn_state *qs, const pinn_linesearch_point *acc,
                     const gsl_vector *gradient, const gsl_vector *dx)
{
  ssqn_state *st = (ssqn_state *)qs;
  gsl_vector_memcpy(st->y, acc->g);
  gsl_blas_daxpy(-1.0, gradient, st->y);
  double sg;
  gsl_blas_ddot(dx, gradient, &sg);
  update_h(st, dx, st->y, sg, acc->alpha);
  return gsl_blas_dnrm2(dx);
}

static void stats(const pinn_qn_state *qs, pinn_qn_statistics *stats)
{
  const ssqn_state *st = (const ssqn_state *)qs;
  stats->have_h = st->have_h;
  stats->max_bytes = st->max_bytes;
}

/* ---- checkpoints: the driver's header, these slots, and the upper triangle of M - */

#define STATE_MAGIC 1397969230.0 /* "SSQN" as a 32-bit integer */
enum {
  H_KIND = 2, H_N, H_HAVE_H, H_UPDATES = 12, H_SKIPPED, H_NONFINITE, H_LAST_TAU, H_LAST_PHI,
  H_LAST_THETA, H_LAST_B, H_LAST_H, H_HSCALE, H_LEN
};

static size_t state_size(const pinn_qn_state *qs)
{
  const ssqn_state *st = (const ssqn_state *)qs;
  return H_LEN + (st->have_h && st->H ? qs->n * (qs->n + 1) / 2 : 0);
}

static void save(const pinn_qn_state *qs, double *buf)
{
  const ssqn_state *st = (const ssqn_state *)qs;
  const size_t n = qs->n;
  const int have = st->have_h && st->H;
  buf[H_KIND] = st->kind;
  buf[H_HAVE_H] = have;
  buf[H_UPDATES] = (double)qs->stats.updates;
  buf[H_LAST_TAU] = qs->stats.last_tau;
  buf[H_LAST_PHI] = qs->stats.last_phi;
  buf[H_LAST_THETA] = qs->stats.last_theta;
  buf[H_LAST_B] = qs->stats.last_b;
  buf[H_LAST_H] = qs->stats.last_h;
  buf[H_HSCALE] = have ? st->hscale : 1.0;
  if (have) {
    double *b = buf + H_LEN;
    for (size_t i = 0; i < n; ++i) { /* upper triangle, row by row */
      memcpy(b, st->H + i * n + i, (n - i) * sizeof *b);
      b += n - i;
    }
  }
}

static int load(pinn_qn_state *qs, const double *buf, size_t len)
{
  ssqn_state *st = (ssqn_state *)qs;
  pinn_error *err = &qs->err;
  const char *name = qs->method->name;
  if (buf[H_KIND] != (double)st->kind)
    return pinn_error_set(err, PINN_EFORMAT,
                          "the state was written by %s, this minimizer is %s: resume with the "
                          "same type", buf[H_KIND] == KIND_SSBFGS ? "SSBFGS"
                          : buf[H_KIND] == KIND_SSBROYDEN ? "SSBroyden" : "an unknown type",
                          name);
  if ((buf[H_HAVE_H] != 0.0 && buf[H_HAVE_H] != 1.0) || !pinn_qn_is_count(buf[H_UPDATES])
      || !(buf[H_HSCALE] > 0.0))
    return pinn_error_set(err, PINN_EFORMAT,
                          "%s state header is inconsistent (flags out of range)", name);
  const size_t n = qs->n;
  const int have = buf[H_HAVE_H] == 1.0;
  const size_t need = H_LEN + (have ? n * (n + 1) / 2 : 0);
  if (len < need)
    return pinn_error_set(err, PINN_EFORMAT, "%s state truncated: %zu doubles, %zu needed", name,
                          len, need);
  if (have) {
    const double *b = buf + H_LEN;
    for (size_t i = 0; i < n; ++i) {
      if (!(b[0] > 0.0))
        return pinn_error_set(
            err, PINN_EFORMAT,
            "%s state: H[%zu][%zu] = %g, but the diagonal of a positive definite H is > 0", name,
            i, i, b[0]);
      for (size_t j = 0; j < n - i; ++j)
        if (!isfinite(b[j]))
          return pinn_error_set(err, PINN_EFORMAT, "%s state: H[%zu][%zu] is NaN/Inf", name, i,
                                i + j);
      b += n - i;
    }
    b = buf + H_LEN;
    for (size_t i = 0; i < n; ++i) {
      memcpy(st->H + i * n + i, b, (n - i) * sizeof *b);
      b += n - i;
    }
  }
  st->have_h = have;
  st->hscale = have ? buf[H_HSCALE] : 1.0;
  qs->stats.updates = (size_t)buf[H_UPDATES];
  qs->stats.last_tau = buf[H_LAST_TAU];
  qs->stats.last_phi = buf[H_LAST_PHI];
  qs->stats.last_theta = buf[H_LAST_THETA];
  qs->stats.last_b = buf[H_LAST_B];
  qs->stats.last_h = buf[H_LAST_H];
  return GSL_SUCCESS;
}

/* ---- the GSL types ------------------------------------------------------------ */

static const pinn_qn_method ssbfgs_method = {
    "SSBFGS", "SSBFGS/SSBroyden", "emptying H", "empties H", direction, forget, ensure_h,
    update, stats, state_size, save, load, STATE_MAGIC, H_N, H_SKIPPED, H_NONFINITE, H_LEN};
static const pinn_qn_method ssbroyden_method = {
    "SSBroyden", "SSBFGS/SSBroyden", "emptying H", "empties H", direction, forget, ensure_h,
    update, stats, state_size, save, load, STATE_MAGIC, H_N, H_SKIPPED, H_NONFINITE, H_LEN};

static void ssqn_free(void *vstate)
{
  ssqn_state *st = vstate;
  free(st->H);
  st->H = NULL;
  pinn_qn_free(&st->qn);
}

static int alloc_common(void *vstate, size_t n, int kind)
{
  ssqn_state *st = vstate;
  memset(st, 0, sizeof *st);
  st->kind = kind;
  st->max_bytes = PINN_SSQN_DEFAULT_MAX_BYTES;
  /* H is allocated by set(), which can report a refusal with a message. */
  const int rc = pinn_qn_alloc(&st->qn, kind == KIND_SSBFGS ? &ssbfgs_method : &ssbroyden_method,
                               n, 3);
  if (rc) return rc;
  st->y = &st->qn.views[5].vector;
  st->u = &st->qn.views[6].vector;
  st->w = &st->qn.views[7].vector;
  return GSL_SUCCESS;
}

static int ssbfgs_alloc(void *vstate, size_t n)
{
  return alloc_common(vstate, n, KIND_SSBFGS);
}

static int ssbroyden_alloc(void *vstate, size_t n)
{
  return alloc_common(vstate, n, KIND_SSBROYDEN);
}

static const gsl_multimin_fdfminimizer_type ssbfgs_type = {
    "pinn_ssbfgs", sizeof(ssqn_state), &ssbfgs_alloc, &pinn_qn_set,
    &pinn_qn_iterate, &pinn_qn_restart, &ssqn_free};

static const gsl_multimin_fdfminimizer_type ssbroyden_type = {
    "pinn_ssbroyden", sizeof(ssqn_state), &ssbroyden_alloc, &pinn_qn_set,
    &pinn_qn_iterate, &pinn_qn_restart, &ssqn_free};

const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_ssbfgs = &ssbfgs_type;
const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_ssbroyden = &ssbroyden_type;

/* The state of an SSBFGS/SSBroyden minimizer, or NULL for anything else. */
static ssqn_state *ssqn_of(const gsl_multimin_fdfminimizer *s)
{
  return (s && (s->type == &ssbfgs_type || s->type == &ssbroyden_type)) ? s->state : NULL;
}

int pinn_ssqn_set_max_bytes(gsl_multimin_fdfminimizer *s, size_t max_bytes)
{
  ssqn_state *st = ssqn_of(s);
  if (!st) return GSL_EINVAL;
  st->max_bytes = max_bytes ? max_bytes : PINN_SSQN_DEFAULT_MAX_BYTES;
  return GSL_SUCCESS;
}

int pinn_ssqn_inverse_hessian(const gsl_multimin_fdfminimizer *s, gsl_matrix *H)
{
  const ssqn_state *st = ssqn_of(s);
  if (!st || !H) return GSL_EINVAL;
  const size_t n = st->qn.n;
  if (H->size1 != n || H->size2 != n) return GSL_EBADLEN;
  if (!st->H || !st->have_h) {
    gsl_matrix_set_identity(H);
    return GSL_SUCCESS;
  }
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i; j < n; ++j) {
      gsl_matrix_set(H, i, j, st->hscale * st->H[i * n + j]);
      gsl_matrix_set(H, j, i, st->hscale * st->H[i * n + j]);
    }
  return GSL_SUCCESS;
}
