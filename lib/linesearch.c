/* libpinn — strong-Wolfe line search of Moré and Thuente (see include/pinn/linesearch.h):
 * the search logic of MINPACK-2's dcsrch/dcstep, written from the paper:
 *  - an interval of uncertainty with ends stx (the step with the least value
 *    of the working function so far) and sty;
 *  - stage 1 works with psi(a) = phi(a) - phi(0) - ftol a phi'(0) until a step
 *    has psi <= 0 and phi' >= 0; stage 2 then works with phi itself;
 *  - each trial comes from a safeguarded cubic or quadratic interpolation, the
 *    four cases of the paper's Section 4 (mt_step below); before a bracket is
 *    found, the next trial lies in [stp + 1.1 (stp - stx), stp + 4 (stp - stx)];
 *    once bracketed, a bisection is forced when two trials did not shrink the
 *    interval to 0.66 of its width.
 */
#include "linesearch_impl.h"

#include <gsl/gsl_blas.h>
#include <pinn/status.h>

#include <math.h>
#include <stddef.h>

#define XTRAPL 1.1 /* lower extrapolation factor before a bracket exists */
#define XTRAPU 4.0 /* upper extrapolation factor */
#define P66 0.66   /* shrink of the bracket required over two trials */

pinn_linesearch_options pinn_linesearch_options_default(void)
{
  pinn_linesearch_options o;
  o.ftol = 1e-4;
  o.gtol = 0.9;
  o.xtol = 1e-10;
  o.stpmin = 1e-20;
  o.stpmax = 1e20;
  o.max_evals = 20;
  o.max_backtracks = 10;
  return o;
}

const char *pinn_linesearch_reason_str(pinn_linesearch_reason reason)
{
  switch (reason) {
  case PINN_LINESEARCH_CONVERGED: return "the strong Wolfe conditions hold";
  case PINN_LINESEARCH_MAXEVAL: return "the line search used its maximum number of evaluations";
  case PINN_LINESEARCH_ROUNDING: return "rounding errors prevent progress in the line search";
  case PINN_LINESEARCH_XTOL: return "the line search interval is narrower than xtol";
  case PINN_LINESEARCH_STPMAX: return "the line search step is at stpmax";
  case PINN_LINESEARCH_STPMIN: return "the line search step is at stpmin";
  case PINN_LINESEARCH_NONFINITE: return "the function gave NaN/Inf at every backtracked step";
  case PINN_LINESEARCH_CALLBACK: return "the line search callback reported failure";
  case PINN_LINESEARCH_INVALID: return "invalid line search input";
  default: return "unknown line search outcome";
  }
}

/* The interval of uncertainty, with the working function's value and slope
 * at both ends. */
typedef struct {
  double stx, fx, gx; /* end with the least value so far */
  double sty, fy, gy; /* other end */
  int brackt;         /* 1 once a minimizer is known to lie between the ends */
} mt_interval;

/* Minimizer of the cubic that interpolates (a, fa, da) and (b, fb, db),
 * returned as r with minimizer b + r (a - b) (N&W eq. 3.59).  *gamma is the
 * square-root term, 0 when the cubic has no local minimizer.  Dividing by s
 * keeps theta^2 from overflowing. */
static double cubic_ratio(double a, double fa, double da, double b, double fb, double db,
                          double *gamma)
{
  const double theta = 3.0 * (fa - fb) / (b - a) + da + db;
  const double s = fmax(fabs(theta), fmax(fabs(da), fabs(db)));
  double gam = 0.0;
  if (s > 0.0) {
    const double disc = (theta / s) * (theta / s) - (da / s) * (db / s);
    if (disc > 0.0) gam = s * sqrt(disc);
  }
  if (b > a) gam = -gam;
  *gamma = gam;
  return ((gam - db) + theta) / (((gam - db) + gam) + da);
}

/* Given the trial (stp, fp, dp) just evaluated, update the interval and
 * return the next trial step; lo/hi bound the step while nothing is
 * bracketed.  The four cases are those of the paper's Section 4. */
static double mt_step(mt_interval *I, double stp, double fp, double dp, double lo, double hi)
{
  const double stx = I->stx, fx = I->fx, dx = I->gx;
  const double sgnd = dp * (dx / fabs(dx));
  double gamma, stpc, stpq, stpf;

  if (fp > fx) {
    /* Case 1: a higher value; the minimizer is bracketed.  Take the cubic
     * step when it is closer to stx than the quadratic one (fx, dx, fp),
     * else the average of both. */
    stpc = stx + cubic_ratio(stp, fp, dp, stx, fx, dx, &gamma) * (stp - stx);
    stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx)) / 2.0 * (stp - stx);
    stpf = fabs(stpc - stx) < fabs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
    I->brackt = 1;
  } else if (sgnd < 0.0) {
    /* Case 2: lower value, slopes of opposite sign: bracketed.  Take the
     * step (cubic or secant) farther from stp. */
    stpc = stp + cubic_ratio(stx, fx, dx, stp, fp, dp, &gamma) * (stx - stp);
    stpq = stp + dp / (dp - dx) * (stx - stp);
    stpf = fabs(stpc - stp) > fabs(stpq - stp) ? stpc : stpq;
    I->brackt = 1;
  } else if (fabs(dp) < fabs(dx)) {
    /* Case 3: lower value, same sign, slope magnitude decreasing.  Use the
     * cubic only if it has a minimizer beyond stp; otherwise go to the bound. */
    const double r = cubic_ratio(stx, fx, dx, stp, fp, dp, &gamma);
    if (r < 0.0 && gamma != 0.0)
      stpc = stp + r * (stx - stp);
    else
      stpc = stp > stx ? hi : lo;
    stpq = stp + dp / (dp - dx) * (stx - stp);
    if (I->brackt) {
      /* Closer of the two, but not past 0.66 of the way to sty. */
      stpf = fabs(stpc - stp) < fabs(stpq - stp) ? stpc : stpq;
      const double lim = stp + P66 * (I->sty - stp);
      stpf = stp > stx ? fmin(lim, stpf) : fmax(lim, stpf);
    } else {
      /* Extrapolate: farther of the two, within [lo, hi]. */
      stpf = fabs(stpc - stp) > fabs(stpq - stp) ? stpc : stpq;
      stpf = fmax(lo, fmin(hi, stpf));
    }
  } else {
    /* Case 4: lower value, same sign, slope not decreasing.  Cubic with the
     * other end when bracketed, else the bound. */
    if (I->brackt)
      stpf = stp + cubic_ratio(I->sty, I->fy, I->gy, stp, fp, dp, &gamma) * (I->sty - stp);
    else
      stpf = stp > stx ? hi : lo;
  }

  /* New ends: stx keeps the least value; sty is chosen so the interval still
   * contains a minimizer. */
  if (fp > fx) {
    I->sty = stp; I->fy = fp; I->gy = dp;
  } else {
    if (sgnd < 0.0) {
      I->sty = stx; I->fy = fx; I->gy = dx;
    }
    I->stx = stp; I->fx = fp; I->gx = dp;
  }
  return stpf;
}

/* Status code of a reason (0 for convergence). */
static int reason_code(pinn_linesearch_reason reason)
{
  switch (reason) {
  case PINN_LINESEARCH_CONVERGED: return PINN_SUCCESS;
  case PINN_LINESEARCH_MAXEVAL: return PINN_EMAXITER;
  case PINN_LINESEARCH_ROUNDING:
  case PINN_LINESEARCH_XTOL: return PINN_ENOPROG;
  case PINN_LINESEARCH_STPMAX:
  case PINN_LINESEARCH_STPMIN: return PINN_ERANGE;
  case PINN_LINESEARCH_NONFINITE: return PINN_ENONFINITE;
  case PINN_LINESEARCH_CALLBACK: return PINN_ECALLBACK;
  default: return PINN_EINVAL;
  }
}

/* End the search at the last evaluation (stp, f, g). */
static int finish_last(pinn_linesearch_result *res, pinn_linesearch_reason reason, double stp, double f, double g)
{
  res->reason = reason;
  res->alpha = stp;
  res->phi = f;
  res->dphi = g;
  res->alpha_is_last = 1;
  return reason_code(reason);
}

/* End the search at the best step seen (the last evaluation is unusable). */
static int finish_best(pinn_linesearch_result *res, pinn_linesearch_reason reason)
{
  const int rc = finish_last(res, reason, res->best_alpha, res->best_phi, res->best_dphi);
  res->alpha_is_last = 0;
  return rc;
}

int pinn_linesearch_run(pinn_linesearch_fn fn, void *ctx, double phi0, double dphi0,
                        double alpha0, const pinn_linesearch_options *opt_in,
                        pinn_linesearch_result *res)
{
  if (!res) return PINN_EINVAL;
  const pinn_linesearch_options opt = opt_in ? *opt_in : pinn_linesearch_options_default();
  const pinn_linesearch_result start = {PINN_LINESEARCH_INVALID, 0.0, phi0, dphi0, 0, 0.0,
                                        phi0, dphi0, 0, 0, 0};
  *res = start;
  if (!fn || !isfinite(phi0) || !isfinite(dphi0) || !(dphi0 < 0.0) || !(alpha0 > 0.0)
      || !isfinite(alpha0) || !(opt.ftol > 0.0 && opt.ftol < 1.0 && opt.gtol > 0.0 && opt.gtol < 1.0)
      || !(opt.xtol >= 0.0 && isfinite(opt.xtol) && opt.stpmin >= 0.0 && isfinite(opt.stpmax))
      || !(opt.stpmax > opt.stpmin && opt.max_evals >= 1 && opt.max_backtracks >= 0))
    return PINN_EINVAL;

  const double gtest = opt.ftol * dphi0; /* slope of the sufficient-decrease line */
  double stp = fmin(fmax(alpha0, opt.stpmin), opt.stpmax);
  mt_interval I = {0.0, phi0, dphi0, 0.0, phi0, dphi0, 0};
  int stage = 1;
  double width = opt.stpmax - opt.stpmin, width1 = 2.0 * width;
  double stmin = 0.0, stmax = stp + XTRAPU * stp;
  double bad = INFINITY; /* smallest step that gave NaN/Inf */
  int nbad = 0;          /* consecutive non-finite trials */
  int have_finite = 0;

  for (;;) {
    double f = NAN, g = NAN;
    const int cb = fn(stp, &f, &g, ctx);
    res->nevals++;
    if (cb) {
      res->callback_status = cb;
      return finish_best(res, PINN_LINESEARCH_CALLBACK);
    }

    if (!isfinite(f) || !isfinite(g)) {
      /* Backtrack toward the best finite step instead of failing. */
      res->nnonfinite++;
      if (stp < bad) bad = stp;
      const double next = fmax(I.stx + 0.5 * (stp - I.stx), opt.stpmin);
      if (++nbad > opt.max_backtracks || res->nevals >= opt.max_evals || next == stp)
        return finish_best(res, PINN_LINESEARCH_NONFINITE);
      stp = next;
      if (!I.brackt) {
        stmin = have_finite ? stp + XTRAPL * (stp - I.stx) : 0.0;
        stmax = stp + XTRAPU * (stp - I.stx);
      }
      continue;
    }
    nbad = 0;
    have_finite = 1;
    if (f < res->best_phi) {
      res->best_alpha = stp;
      res->best_phi = f;
      res->best_dphi = g;
    }

    const double ftest = phi0 + stp * gtest;
    if (stage == 1 && f <= ftest && g >= 0.0) stage = 2;

    /* Convergence first, then the reasons to give up (MINPACK-2's order). */
    if (f <= ftest && fabs(g) <= opt.gtol * (-dphi0))
      return finish_last(res, PINN_LINESEARCH_CONVERGED, stp, f, g);
    if (I.brackt && (stp <= stmin || stp >= stmax))
      return finish_last(res, PINN_LINESEARCH_ROUNDING, stp, f, g);
    if (I.brackt && stmax - stmin <= opt.xtol * stmax)
      return finish_last(res, PINN_LINESEARCH_XTOL, stp, f, g);
    if (stp == opt.stpmax && f <= ftest && g <= gtest)
      return finish_last(res, PINN_LINESEARCH_STPMAX, stp, f, g);
    if (stp == opt.stpmin && (f > ftest || g >= gtest))
      return finish_last(res, PINN_LINESEARCH_STPMIN, stp, f, g);
    if (res->nevals >= opt.max_evals)
      return finish_last(res, PINN_LINESEARCH_MAXEVAL, stp, f, g);

    double next;
    if (stage == 1 && f <= I.fx && f > ftest) {
      /* A lower value that still fails sufficient decrease: interpolate psi,
       * the function shifted by the sufficient-decrease line. */
      mt_interval M = I;
      M.fx -= M.stx * gtest; M.gx -= gtest;
      M.fy -= M.sty * gtest; M.gy -= gtest;
      next = mt_step(&M, stp, f - stp * gtest, g - gtest, stmin, stmax);
      I = M;
      I.fx += I.stx * gtest; I.gx += gtest;
      I.fy += I.sty * gtest; I.gy += gtest;
    } else {
      next = mt_step(&I, stp, f, g, stmin, stmax);
    }
    if (!isfinite(next)) /* degenerate interpolation: bisect, or extrapolate fully */
      next = I.brackt ? I.stx + 0.5 * (I.sty - I.stx) : stmax;

    if (I.brackt) {
      if (fabs(I.sty - I.stx) >= P66 * width1) next = I.stx + 0.5 * (I.sty - I.stx);
      width1 = width;
      width = fabs(I.sty - I.stx);
      stmin = fmin(I.stx, I.sty);
      stmax = fmax(I.stx, I.sty);
    } else {
      stmin = next + XTRAPL * (next - I.stx);
      stmax = next + XTRAPU * (next - I.stx);
    }
    next = fmin(fmax(next, opt.stpmin), opt.stpmax);
    /* No progress possible: evaluate the best step once more, so the search
     * ends there (the rounding or xtol test fires next time). */
    if (I.brackt && (next <= stmin || next >= stmax || stmax - stmin <= opt.xtol * stmax))
      next = I.stx;
    /* Stay below steps known to give NaN/Inf. */
    if (next >= bad && I.stx < bad) next = I.stx + 0.5 * (bad - I.stx);
    stp = next;
  }
}

/* ---- the search of a quasi-Newton step on a GSL fdf function ----------- */

typedef struct {
  pinn_linesearch_fdf *w;
  gsl_multimin_function_fdf *fdf;
  const gsl_vector *x0, *p;
} fdf_line;

static void swap_vectors(gsl_vector **a, gsl_vector **b)
{
  gsl_vector *t = *a;
  *a = *b;
  *b = t;
}

/* phi(alpha) = f(x0 + alpha p); keeps the trial in (xt, gt), or in (xb, gb)
 * when it is the lowest f so far. */
static int fdf_line_fn(double alpha, double *phi, double *dphi, void *vctx)
{
  fdf_line *c = vctx;
  pinn_linesearch_fdf *w = c->w;
  double f, d;
  gsl_vector_memcpy(w->xt, c->x0);
  gsl_blas_daxpy(alpha, c->p, w->xt);
  GSL_MULTIMIN_FN_EVAL_F_DF(c->fdf, w->xt, &f, w->gt);
  w->evals++;
  gsl_blas_ddot(w->gt, c->p, &d);
  *phi = f;
  *dphi = d;
  w->last_is_best = 0;
  if (!isfinite(f) || !isfinite(d)) {
    w->nonfinite++;
  } else if (f < w->fb) {
    swap_vectors(&w->xt, &w->xb);
    swap_vectors(&w->gt, &w->gb);
    w->fb = f;
    w->last_is_best = 1;
  }
  return 0;
}

int pinn_linesearch_fdf_run(pinn_linesearch_fdf *w, gsl_multimin_function_fdf *fdf,
                            const gsl_vector *x, const gsl_vector *p, double f, double dphi0,
                            double alpha0, double gtol, pinn_linesearch_result *res,
                            pinn_linesearch_point *acc)
{
  fdf_line c = {w, fdf, x, p};
  pinn_linesearch_options opt = pinn_linesearch_options_default();
  opt.gtol = gtol;
  w->fb = f;
  w->last_is_best = 0;
  w->evals = w->nonfinite = 0;
  pinn_linesearch_run(fdf_line_fn, &c, f, dphi0, alpha0, &opt, res);
  if (res->reason == PINN_LINESEARCH_CONVERGED && res->alpha_is_last && res->phi < f) {
    acc->x = w->last_is_best ? w->xb : w->xt;
    acc->g = w->last_is_best ? w->gb : w->gt;
    acc->f = res->phi;
    acc->alpha = res->alpha;
    return 1;
  }
  if (w->fb < f) { /* no Wolfe point, but a lower f: still progress */
    acc->x = w->xb;
    acc->g = w->gb;
    acc->f = w->fb;
    acc->alpha = res->best_alpha;
    return 1;
  }
  return 0;
}
