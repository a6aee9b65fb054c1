/* libpinn — self-scaled SSBFGS and SSBroyden as GSL multimin fdfminimizer
 * types (see include/pinn/ssqn.h).
 *
 * The self-scaled Broyden family of M. Al-Baali, JOTA 96:533-553 (1998),
 * with the parameter choices of M. Al-Baali and H. Khalfan, Optim. Methods
 * Softw. 20:679-691 (2005), as used for PINNs by J. F. Urbán, P. Stefanou
 * and J. A. Pons, J. Comput. Phys. 523:113656 (2025), eq. (11) (SSBFGS
 * tau) and eqs. (13)-(23) (SSBroyden); the formulas were taken from the
 * authors' published code (methods SSBFGS_AB and SSBroyden2 of their
 * modified scipy BFGS) and cross-checked against the JAX implementation of
 * I. Bioli and M. Mendibe (arXiv 2603.10599), not from the equations of the
 * paper itself, which were not available to us.
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
 * The line search machinery (two buffers, the lowest trial kept by pointer
 * swaps, fallback to the lowest point) is that of lib/lbfgs.c.
 */
#include <pinn/ssqn.h>
#include <pinn/linesearch.h>
#include <pinn/status.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_SSBFGS = 1, KIND_SSBROYDEN = 2 };
enum { NVEC = 8 };

typedef struct {
  size_t n;
  int kind;            /* KIND_SSBFGS or KIND_SSBROYDEN */
  double *H;           /* M: n x n row-major (upper triangle used), NULL until set() */
  double hscale;       /* c: the approximation is c M (scaling by tau costs no pass over M) */
  int have_h;          /* c M holds an approximation */
  size_t max_bytes;    /* limit on the bytes of H */
  double *work;        /* NVEC n doubles behind the vectors below */
  gsl_vector_view views[NVEC];
  gsl_vector *p;       /* search direction */
  pinn_linesearch_fdf ls; /* the line search's trial and best vectors */
  gsl_vector *y;       /* gradient change of the accepted step */
  gsl_vector *u, *w;   /* H y, and the second vector of the rank-2 update */
  double step_size;    /* first step length, from set() */
  double gtol;         /* line-search curvature constant, from set()'s tol */
  int is_set;
  pinn_ssqn_statistics stats;
  char errmsg[PINN_ERRMSG_SIZE];
} ssqn_state;

static const char wrong_type_msg[] =
    "not an SSBFGS/SSBroyden minimizer: allocate it with "
    "gsl_multimin_fdfminimizer_alloc(pinn_multimin_fdfminimizer_ssbfgs, n) or "
    "(pinn_multimin_fdfminimizer_ssbroyden, n)";

static const char *kind_name(int kind)
{
  return kind == KIND_SSBFGS ? "SSBFGS" : "SSBroyden";
}

static int fail(ssqn_state *st, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(ssqn_state *st, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

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

/* ---- the GSL type --------------------------------------------------------- */

static void ssqn_free(void *vstate)
{
  ssqn_state *st = vstate;
  free(st->H);
  free(st->work);
  st->H = st->work = NULL;
}

static int alloc_common(void *vstate, size_t n, int kind)
{
  ssqn_state *st = vstate;
  memset(st, 0, sizeof *st);
  st->n = n;
  st->kind = kind;
  st->max_bytes = PINN_SSQN_DEFAULT_MAX_BYTES;
  st->stats.last_ls_reason = PINN_LINESEARCH_CONVERGED;
  st->stats.max_bytes = st->max_bytes;
  /* H is allocated by set(), which can report a refusal with a message. */
  if (n == 0 || n > ((size_t)-1) / sizeof(double) / NVEC) return GSL_EINVAL;
  st->work = calloc(NVEC * n, sizeof *st->work);
  if (!st->work) return GSL_ENOMEM;
  for (int k = 0; k < NVEC; ++k) st->views[k] = gsl_vector_view_array(st->work + k * n, n);
  st->p = &st->views[0].vector;
  st->ls.xt = &st->views[1].vector;
  st->ls.gt = &st->views[2].vector;
  st->ls.xb = &st->views[3].vector;
  st->ls.gb = &st->views[4].vector;
  st->y = &st->views[5].vector;
  st->u = &st->views[6].vector;
  st->w = &st->views[7].vector;
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

/* Allocate H under the limit (or free it when above). */
static int ensure_h(ssqn_state *st)
{
  pinn_error e;
  const int rc = pinn_ssqn_check_size(st->n, st->max_bytes, &e);
  if (rc) {
    free(st->H);
    st->H = NULL;
    return fail(st, rc, "%s", e.msg);
  }
  if (!st->H) {
    st->H = malloc(st->n * st->n * sizeof *st->H);
    if (!st->H)
      return fail(st, GSL_ENOMEM,
                  "cannot allocate the %zu x %zu inverse-Hessian approximation (%.3g GiB): "
                  "free memory, or use L-BFGS (pinn_multimin_fdfminimizer_lbfgs)",
                  st->n, st->n, (double)st->n * (double)st->n * 8.0 / 1073741824.0);
  }
  return GSL_SUCCESS;
}

static int all_finite(const gsl_vector *v)
{
  for (size_t i = 0; i < v->size; ++i)
    if (!isfinite(gsl_vector_get(v, i))) return 0;
  return 1;
}

static int ssqn_set(void *vstate, gsl_multimin_function_fdf *fdf, const gsl_vector *x, double *f,
                    gsl_vector *gradient, double step_size, double tol)
{
  ssqn_state *st = vstate;
  st->is_set = 0;
  st->have_h = 0;
  memset(&st->stats, 0, sizeof st->stats);
  st->stats.last_ls_reason = PINN_LINESEARCH_CONVERGED;
  st->stats.max_bytes = st->max_bytes;
  st->errmsg[0] = '\0';
  if (!(step_size > 0.0) || !isfinite(step_size))
    return fail(st, GSL_EINVAL,
                "step_size = %g must be positive and finite: it is the length of the first "
                "step (e.g. 0.1 |x0|, or 1)", step_size);
  const int rc = ensure_h(st);
  if (rc) return rc;
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

static int ssqn_restart(void *vstate)
{
  ssqn_state *st = vstate;
  st->have_h = 0;
  return GSL_SUCCESS;
}

/* ---- line search ---------------------------------------------------------- */

typedef struct {
  const gsl_vector *x, *g;
  double f, alpha;
} accepted_point;

/* Search along st->p (pinn_linesearch_fdf_run): 1 and *acc filled when f
 * went down (the Wolfe point, else the lowest trial). */
static int search(ssqn_state *st, gsl_multimin_function_fdf *fdf, const gsl_vector *x, double f,
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

/* ---- the update ----------------------------------------------------------- */

static void set_identity(ssqn_state *st)
{
  const size_t n = st->n;
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
    const double sp = st->n > 1 ? pow(fabs(sigma), 1.0 / (1.0 - (double)st->n)) : 1.0;
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
  const size_t n = st->n;
  for (size_t i = 0; i < n; ++i) {
    gsl_vector_view r = gsl_vector_view_array(st->H + i * n + i, n - i);
    gsl_blas_dscal(f, &r.vector);
  }
  st->hscale = c / f;
}

/* Update H with the pair (s, y); sg = s'g at the old point, alpha the step
 * length along the direction that produced s (so b = -alpha s'g / y's). */
static void update(ssqn_state *st, const gsl_vector *s, const gsl_vector *y, double sg,
                   double alpha)
{
  const size_t n = st->n;
  gsl_matrix_view Hm = gsl_matrix_view_array(st->H, n, n);
  double sy;
  gsl_blas_ddot(s, y, &sy);
  const double snorm = gsl_blas_dnrm2(s), ynorm = gsl_blas_dnrm2(y);
  const double rho = 1.0 / sy;
  double b = -alpha * sg * rho;
  if (!(sy > PINN_SSQN_CURVATURE_EPS * snorm * ynorm) || !isfinite(sy) || !(b > 0.0)
      || !isfinite(b)) {
    st->stats.skipped++;
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
    st->stats.restarts++;
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
  if (!(h > 0.0) || !isfinite(h) || !(sigma > 0.0) || !(tau > 0.0) || !isfinite(it)
      || !isfinite(phi) || !isfinite(c_uu) || !isfinite(c_su) || !isfinite(c_ss)) {
    st->stats.skipped++;
    return; /* with first = 1, have_h stays 0: H = I is not used */
  }
  /* c M / tau + R = (c / tau) (M + R tau / c) */
  const double cnew = st->hscale * it, ic = 1.0 / cnew;
  if (!(cnew > 0.0) || !isfinite(cnew) || !isfinite(ic)) {
    st->stats.skipped++;
    return;
  }
  st->hscale = cnew;
  gsl_vector_memcpy(st->w, st->u);
  gsl_blas_dscal(c_su, st->w);
  gsl_blas_daxpy(0.5 * c_ss, s, st->w);
  gsl_blas_dsyr2(CblasUpper, ic, s, st->w, &Hm.matrix);
  if (phi != 1.0) gsl_blas_dsyr(CblasUpper, c_uu * ic, st->u, &Hm.matrix);
  renormalize(st);
  st->have_h = 1;
  st->stats.updates++;
  st->stats.last_tau = tau;
  st->stats.last_phi = phi;
  st->stats.last_theta = theta;
  st->stats.last_b = b;
  st->stats.last_h = h;
}

/* Move to the accepted point and update H. */
static void accept(ssqn_state *st, const accepted_point *acc, gsl_vector *x, double *f,
                   gsl_vector *gradient, gsl_vector *dx)
{
  gsl_vector_memcpy(dx, acc->x);
  gsl_blas_daxpy(-1.0, x, dx);
  gsl_vector_memcpy(st->y, acc->g);
  gsl_blas_daxpy(-1.0, gradient, st->y);
  double sg;
  gsl_blas_ddot(dx, gradient, &sg);
  update(st, dx, st->y, sg, acc->alpha);
  gsl_vector_memcpy(x, acc->x);
  gsl_vector_memcpy(gradient, acc->g);
  *f = acc->f;
  st->stats.iterations++;
  st->stats.last_step = gsl_blas_dnrm2(dx);
  st->stats.last_alpha = acc->alpha;
}

/* p = -g; returns g'p. */
static double steepest_descent(ssqn_state *st, const gsl_vector *gradient, double gnorm)
{
  gsl_vector_memcpy(st->p, gradient);
  gsl_blas_dscal(-1.0, st->p);
  return -gnorm * gnorm;
}

static int ssqn_iterate(void *vstate, gsl_multimin_function_fdf *fdf, gsl_vector *x, double *f,
                        gsl_vector *gradient, gsl_vector *dx)
{
  ssqn_state *st = vstate;
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

  /* Direction: -H g if H is held and gives descent, else -g. */
  int steepest = !st->have_h;
  double dphi0 = 0.0;
  if (!steepest) {
    gsl_matrix_view Hm = gsl_matrix_view_array(st->H, st->n, st->n);
    gsl_blas_dsymv(CblasUpper, -st->hscale, &Hm.matrix, gradient, 0.0, st->p);
    gsl_blas_ddot(gradient, st->p, &dphi0);
    if (!(dphi0 < 0.0) || !isfinite(dphi0)) {
      st->have_h = 0;
      st->stats.restarts++;
      steepest = 1;
    }
  }
  const double restart_len = st->stats.last_step > 0.0 ? st->stats.last_step : st->step_size;
  if (steepest) dphi0 = steepest_descent(st, gradient, gnorm);

  pinn_linesearch_result res, res_first = {0};
  accepted_point acc;
  int found = search(st, fdf, x, *f, dphi0, steepest ? restart_len / gnorm : 1.0, &res, &acc);
  const int tried_qn = !steepest;
  if (!found && !steepest) {
    /* The quasi-Newton direction failed: empty H and retry along -g. */
    res_first = res;
    st->have_h = 0;
    st->stats.restarts++;
    dphi0 = steepest_descent(st, gradient, gnorm);
    found = search(st, fdf, x, *f, dphi0, restart_len / gnorm, &res, &acc);
  }
  if (!found) {
    gsl_vector_set_zero(dx);
    if (tried_qn)
      return fail(st, GSL_ENOPROG,
                  "no point with a lower f found: along the %s direction %s (%d evaluations), "
                  "then along -g after emptying H %s (%d evaluations); f = %.17g, |g| = %.3g. "
                  "Either x is a minimum to rounding precision, or the gradient does not match "
                  "f (check it against finite differences)",
                  kind_name(st->kind), pinn_linesearch_reason_str(res_first.reason),
                  res_first.nevals, pinn_linesearch_reason_str(res.reason), res.nevals, *f,
                  gnorm);
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

static const gsl_multimin_fdfminimizer_type ssbfgs_type = {
    "pinn_ssbfgs", sizeof(ssqn_state), &ssbfgs_alloc, &ssqn_set,
    &ssqn_iterate, &ssqn_restart, &ssqn_free};

static const gsl_multimin_fdfminimizer_type ssbroyden_type = {
    "pinn_ssbroyden", sizeof(ssqn_state), &ssbroyden_alloc, &ssqn_set,
    &ssqn_iterate, &ssqn_restart, &ssqn_free};

const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_ssbfgs = &ssbfgs_type;
const gsl_multimin_fdfminimizer_type *const pinn_multimin_fdfminimizer_ssbroyden = &ssbroyden_type;

/* The state of an SSBFGS/SSBroyden minimizer, or NULL for anything else. */
static ssqn_state *state_of(const gsl_multimin_fdfminimizer *s)
{
  return (s && (s->type == &ssbfgs_type || s->type == &ssbroyden_type)) ? s->state : NULL;
}

int pinn_ssqn_set_max_bytes(gsl_multimin_fdfminimizer *s, size_t max_bytes)
{
  ssqn_state *st = state_of(s);
  if (!st) return GSL_EINVAL;
  st->max_bytes = max_bytes ? max_bytes : PINN_SSQN_DEFAULT_MAX_BYTES;
  st->stats.max_bytes = st->max_bytes;
  return GSL_SUCCESS;
}

int pinn_ssqn_stats(const gsl_multimin_fdfminimizer *s, pinn_ssqn_statistics *stats)
{
  const ssqn_state *st = state_of(s);
  if (!st || !stats) return GSL_EINVAL;
  *stats = st->stats;
  stats->have_h = st->have_h;
  stats->max_bytes = st->max_bytes;
  return GSL_SUCCESS;
}

int pinn_ssqn_reset(gsl_multimin_fdfminimizer *s)
{
  ssqn_state *st = state_of(s);
  if (!st) return GSL_EINVAL;
  st->have_h = 0;
  return GSL_SUCCESS;
}

int pinn_ssqn_inverse_hessian(const gsl_multimin_fdfminimizer *s, gsl_matrix *H)
{
  const ssqn_state *st = state_of(s);
  if (!st || !H) return GSL_EINVAL;
  const size_t n = st->n;
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

const char *pinn_ssqn_errmsg(const gsl_multimin_fdfminimizer *s)
{
  const ssqn_state *st = state_of(s);
  return st ? st->errmsg : wrong_type_msg;
}

/* ---- checkpoints ---------------------------------------------------------- */

#define STATE_MAGIC 1397969230.0 /* "SSQN" as a 32-bit integer */
#define STATE_VERSION 1.0
enum {
  H_MAGIC, H_VERSION, H_KIND, H_N, H_HAVE_H, H_LAST_STEP, H_LAST_ALPHA, H_LS_REASON,
  H_ITERATIONS, H_FDF_EVALS, H_LS_EVALS, H_RESTARTS, H_UPDATES, H_SKIPPED, H_NONFINITE,
  H_LAST_TAU, H_LAST_PHI, H_LAST_THETA, H_LAST_B, H_LAST_H, H_HSCALE, H_LEN
};

size_t pinn_ssqn_state_size(const gsl_multimin_fdfminimizer *s)
{
  const ssqn_state *st = state_of(s);
  if (!st) return 0;
  return H_LEN + (st->have_h && st->H ? st->n * (st->n + 1) / 2 : 0);
}

int pinn_ssqn_state_save(const gsl_multimin_fdfminimizer *s, double *buf)
{
  const ssqn_state *st = state_of(s);
  if (!st || !buf) return GSL_EINVAL;
  const size_t n = st->n;
  const int have = st->have_h && st->H;
  buf[H_MAGIC] = STATE_MAGIC;
  buf[H_VERSION] = STATE_VERSION;
  buf[H_KIND] = st->kind;
  buf[H_N] = (double)n;
  buf[H_HAVE_H] = have;
  buf[H_LAST_STEP] = st->stats.last_step;
  buf[H_LAST_ALPHA] = st->stats.last_alpha;
  buf[H_LS_REASON] = st->stats.last_ls_reason;
  buf[H_ITERATIONS] = (double)st->stats.iterations;
  buf[H_FDF_EVALS] = (double)st->stats.fdf_evals;
  buf[H_LS_EVALS] = (double)st->stats.ls_evals;
  buf[H_RESTARTS] = (double)st->stats.restarts;
  buf[H_UPDATES] = (double)st->stats.updates;
  buf[H_SKIPPED] = (double)st->stats.skipped;
  buf[H_NONFINITE] = (double)st->stats.nonfinite;
  buf[H_LAST_TAU] = st->stats.last_tau;
  buf[H_LAST_PHI] = st->stats.last_phi;
  buf[H_LAST_THETA] = st->stats.last_theta;
  buf[H_LAST_B] = st->stats.last_b;
  buf[H_LAST_H] = st->stats.last_h;
  buf[H_HSCALE] = have ? st->hscale : 1.0;
  if (have) {
    double *b = buf + H_LEN;
    for (size_t i = 0; i < n; ++i) { /* upper triangle, row by row */
      memcpy(b, st->H + i * n + i, (n - i) * sizeof *b);
      b += n - i;
    }
  }
  return GSL_SUCCESS;
}

/* A nonnegative whole number that fits a size_t. */
static int is_count(double v)
{
  return v >= 0.0 && v < 9007199254740992.0 && v == floor(v);
}

int pinn_ssqn_state_load(gsl_multimin_fdfminimizer *s, const double *buf, size_t len)
{
  ssqn_state *st = state_of(s);
  if (!st || !buf) return GSL_EINVAL;
  if (!st->is_set || !st->H)
    return fail(st, GSL_EINVAL,
                "state_load before a successful gsl_multimin_fdfminimizer_set: set at the saved "
                "x first (set empties H), then load");
  if (len < H_LEN || buf[H_MAGIC] != STATE_MAGIC)
    return fail(st, PINN_EFORMAT, "not an SSBFGS/SSBroyden state (%zu doubles, bad header)", len);
  if (buf[H_VERSION] != STATE_VERSION)
    return fail(st, PINN_EFORMAT, "SSBFGS/SSBroyden state format %g, this library reads %g",
                buf[H_VERSION], STATE_VERSION);
  if (buf[H_KIND] != (double)st->kind)
    return fail(st, PINN_EFORMAT, "the state was written by %s, this minimizer is %s: resume with "
                "the same type", buf[H_KIND] == KIND_SSBFGS ? "SSBFGS"
                : buf[H_KIND] == KIND_SSBROYDEN ? "SSBroyden" : "an unknown type",
                kind_name(st->kind));
  if (buf[H_N] != (double)st->n)
    return fail(st, PINN_EFORMAT, "%s state is for n = %g variables, this minimizer has %zu",
                kind_name(st->kind), buf[H_N], st->n);
  for (int h = H_HAVE_H; h < H_LEN; ++h)
    if (!isfinite(buf[h])) return fail(st, PINN_EFORMAT, "%s state header holds NaN/Inf",
                                       kind_name(st->kind));
  if ((buf[H_HAVE_H] != 0.0 && buf[H_HAVE_H] != 1.0) || !is_count(buf[H_ITERATIONS])
      || !is_count(buf[H_FDF_EVALS]) || !is_count(buf[H_LS_EVALS]) || !is_count(buf[H_RESTARTS])
      || !is_count(buf[H_UPDATES]) || !is_count(buf[H_SKIPPED]) || !is_count(buf[H_NONFINITE])
      || !(buf[H_LAST_STEP] >= 0.0) || !(buf[H_HSCALE] > 0.0))
    return fail(st, PINN_EFORMAT, "%s state header is inconsistent (counters or flags out of range)",
                kind_name(st->kind));
  const size_t n = st->n;
  const int have = buf[H_HAVE_H] == 1.0;
  const size_t need = H_LEN + (have ? n * (n + 1) / 2 : 0);
  if (len < need)
    return fail(st, PINN_EFORMAT, "%s state truncated: %zu doubles, %zu needed",
                kind_name(st->kind), len, need);
  if (have) {
    const double *b = buf + H_LEN;
    for (size_t i = 0; i < n; ++i) {
      if (!(b[0] > 0.0))
        return fail(st, PINN_EFORMAT,
                    "%s state: H[%zu][%zu] = %g, but the diagonal of a positive definite H is > 0",
                    kind_name(st->kind), i, i, b[0]);
      for (size_t j = 0; j < n - i; ++j)
        if (!isfinite(b[j]))
          return fail(st, PINN_EFORMAT, "%s state: H[%zu][%zu] is NaN/Inf", kind_name(st->kind),
                      i, i + j);
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
  st->stats.last_step = buf[H_LAST_STEP];
  st->stats.last_alpha = buf[H_LAST_ALPHA];
  st->stats.last_ls_reason = (int)buf[H_LS_REASON];
  st->stats.iterations = (size_t)buf[H_ITERATIONS];
  st->stats.fdf_evals = (size_t)buf[H_FDF_EVALS];
  st->stats.ls_evals = (size_t)buf[H_LS_EVALS];
  st->stats.restarts = (size_t)buf[H_RESTARTS];
  st->stats.updates = (size_t)buf[H_UPDATES];
  st->stats.skipped = (size_t)buf[H_SKIPPED];
  st->stats.nonfinite = (size_t)buf[H_NONFINITE];
  st->stats.last_tau = buf[H_LAST_TAU];
  st->stats.last_phi = buf[H_LAST_PHI];
  st->stats.last_theta = buf[H_LAST_THETA];
  st->stats.last_b = buf[H_LAST_B];
  st->stats.last_h = buf[H_LAST_H];
  st->errmsg[0] = '\0';
  return GSL_SUCCESS;
}
