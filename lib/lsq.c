/* libpinn — the least-squares view of a loss and Levenberg–Marquardt on it
 * (see include/pinn/lsq.h).
 *
 * Rows.  For every block of points the network's jets are computed once
 * (pinn_mlp_jacobian); the first time a block is seen, its jets are pushed
 * through the output transforms (the forward pass's scratch is kept per
 * block for the adjoints) and every row's value and "seed" are computed:
 * the row's sensitivity to each transformed jet entry U (index k C + c)
 * and to each learnable coefficient.  For residual terms the seeds are the
 * dual tangents of the user's residual; for the other kinds they are the
 * constants of the linear conditions (Dirichlet: dR/dU = s on the value
 * channel, Neumann: s b n_i on the first-derivative channels, ...).  For
 * each row the seeds are copied into jets_bar and mapped back through the
 * transforms' adjoints, and pinn_mlp_jacobian's adjoint turns them into the
 * network columns of that point's row; the coefficient columns are the
 * seeds' tail.  Periodic rows are differences of two points' rows.
 * A residual of any order takes the same road through the Taylor engine
 * (pinn_taylor_jacobian): its quantities come in the jets' layout (index
 * k Q + j), so the same callbacks compute its values, seeds and rows; the
 * engine applies the output transforms (series form) itself, so the
 * callbacks see the transformed quantities and skip their own transform.
 *
 * Terms are processed in chunks of points (4096, periodic 256) so the
 * temporaries stay small next to the Jacobian itself.
 *
 * LM: gsl_multifit_nlinear_trust as include/pinn/lsq.h says (fvv = NULL:
 * GSL's finite difference with h_fvv = 0.02).
 */
#include <pinn/lsq.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "clock_impl.h"
#include "loss_impl.h"
#include "text_impl.h"

/* ------------------------------------------------------------ layout */

static size_t term_n_rows(const term_state *t)
{
  const size_t rpp = t->ops->rows(&t->def); /* per point (periodic: per point of a pair) */
  return t->ops->paired ? (t->n / 2) * rpp : t->n * rpp;
}

/* sqrt(w / N), or sqrt(w rho / N) for the relu2 barrier. */
static double term_scale(const term_state *t)
{
  const size_t N = t->ops->paired ? t->n / 2 : t->n;
  double s = t->w / (double)(N ? N : 1);
  if (t->ops->barrier) s *= t->rho;
  return sqrt(s);
}

int pinn_lsq_check(const pinn_loss *l, pinn_error *err)
{
  if (!l) return pinn_error_set(err, PINN_EINVAL, "pinn_lsq_check: the loss is NULL");
  for (size_t i = 0; i < l->n_terms; ++i) {
    const term_state *t = &l->terms[i];
    if (t->ops->barrier && t->def.barrier.kind != PINN_BARRIER_RELU2)
      return pinn_error_set(err, PINN_EUNSUPPORTED,
                            "term '%s' uses the %s barrier, which is not a sum of squares, so the "
                            "loss has no least-squares form for Gauss-Newton/Levenberg-Marquardt: "
                            "use the relu2 barrier (rho ReLU(gap)^2) or a complementarity term, or "
                            "train this problem with L-BFGS",
                            t->def.name, pinn_barrier_name(t->def.barrier.kind));
  }
  return PINN_SUCCESS;
}

size_t pinn_lsq_n_residuals(const pinn_loss *l)
{
  if (pinn_lsq_check(l, NULL)) return 0;
  size_t n = 0;
  for (size_t i = 0; i < l->n_terms; ++i) n += term_n_rows(&l->terms[i]);
  return n;
}

int pinn_lsq_term_rows(const pinn_loss *l, size_t i, size_t *first, size_t *count)
{
  if (!l || i >= l->n_terms) return PINN_EINVAL;
  size_t r = 0;
  for (size_t j = 0; j < i; ++j) r += term_n_rows(&l->terms[j]);
  if (first) *first = r;
  if (count) *count = term_n_rows(&l->terms[i]);
  return PINN_SUCCESS;
}

size_t pinn_lsq_jacobian_bytes(const pinn_loss *l)
{
  return pinn_lsq_n_residuals(l) * pinn_loss_n_params(l) * sizeof(double);
}

/* ------------------------------------------------------- block passes */

typedef struct {
  pinn_loss *l;
  term_state *t;
  size_t base;          /* global index of the chunk's first point */
  size_t rpp, mc, ns;   /* rows per point; m C jet entries; mc + n_coef seeds per row */
  double sw;            /* sqrt(w / N) (relu2: sqrt(w rho / N)) */
  double *val;          /* val[p * rpp + r], p relative to base */
  double *seed;         /* seed[(p * rpp + r) * ns + e]; NULL: values only */
  double *work;         /* transform scratch, wsb doubles per block (NULL: none) */
  size_t wsb;
  unsigned char *ready; /* per block: values and seeds computed */
  double *J;            /* J[(p * rpp + r) * P + j], the chunk's rows */
  size_t P;
} pass_ctx;

/* Record t's failure at point: "term '<name>': <what><detail>". */
static int prep_fail(term_state *t, int st, size_t point, const char *what, const char *detail)
{
  pinn_error e;
  pinn_error_set(&e, st, "term '%s': %s%s", t->def.name, what, detail);
  return pinn_loss_record_failure_(t, point, &e);
}

/* Values and seeds of every row of block p0 .. p0+nb-1 (chunk-relative);
 * work (may be NULL) receives the transforms' forward scratch. */
static int prep_block(pass_ctx *c, size_t p0, size_t nb, size_t ld, const double *jets,
                      double *work)
{
  pinn_loss *l = c->l;
  term_state *t = c->t;
  const size_t C = t->C, m = l->m, ns = c->ns, rpp = c->rpp, dim = l->dim, d = l->d;
  const size_t g0 = c->base + p0;
  const double sw = c->sw;
  const double *U = jets;
  double *Ubuf = NULL;
  int st = PINN_SUCCESS;
  if (l->n_tr && !t->tay) { /* the Taylor engine applies the transforms itself */
    const size_t ws = pinn_transform_work_size(&t->spec, nb), cs = pinn_transform_coef_size(&t->spec);
    Ubuf = malloc(m * C * ld * sizeof *Ubuf);
    if (!Ubuf) return prep_fail(t, PINN_ENOMEM, g0, "out of memory for the transformed jets", "");
    memcpy(Ubuf, jets, m * C * ld * sizeof *Ubuf);
    pinn_error e;
    for (size_t k = 0; k < l->n_tr && !st; ++k)
      st = pinn_transform_forward_coefs(&l->tr[k], &t->spec, m, t->tcoef[k] + g0 * cs, nb, ld, Ubuf,
                                        Ubuf, work ? work + k * ws : NULL, &e);
    if (st) {
      free(Ubuf);
      return prep_fail(t, st, g0, "output transform: ", e.msg);
    }
    U = Ubuf;
  }
  double *val = c->val + p0 * rpp;
  double *sd = c->seed ? c->seed + p0 * rpp * ns : NULL;
  if (sd) memset(sd, 0, nb * rpp * ns * sizeof *sd);
  const double *g = t->g;
  if (t->ops->dual) {
    pinn_res_eval_ e;
    pinn_dual r[PINN_MAX_RESIDUALS];
    pinn_loss_res_begin_(l, t, &e);
    for (size_t q = 0; q < nb && !st; ++q) {
      const size_t pt = g0 + q;
      size_t nr = 0;
      st = pinn_loss_res_point_(t, &e, U, ld, q, pt, t->x + pt * dim, g ? g[pt] : 0.0, r, &nr);
      for (size_t i = 0; i < nr && !st; ++i) {
        val[q * rpp + i] = sw * r[i].v;
        if (sd)
          for (size_t j = 0; j < ns; ++j) sd[(q * rpp + i) * ns + j] = sw * r[i].d[j];
      }
    }
  } else { /* the kind's residual and seed; a barrier (relu2) row is ReLU(gap) */
    const pinn_term_ops_ *k = t->ops;
    const pinn_term_block_ b =
        pinn_loss_block_(l, t, U, ld, nb, g + g0, t->normals ? t->normals + g0 * d : NULL);
    double r[PINN_BLOCK * PINN_TERM_MAX_ROWS_];
    k->residual(&b, r);
    for (size_t q = 0; q < nb; ++q)
      for (size_t i = 0; i < rpp; ++i) {
        const double ri = r[q * rpp + i];
        const int off = k->barrier && !(ri > 0); /* seeds stay 0 where ReLU(gap) is */
        val[q * rpp + i] = off ? 0.0 : sw * ri;
        if (sd && !off) k->seed(&b, q, i, sw, sd + (q * rpp + i) * ns, 1);
      }
    for (size_t i = 0; i < nb * rpp; ++i)
      if (!isfinite(val[i])) { /* name the first point and what was not finite */
        st = pinn_loss_condition_failure_(l, t, U, ld, nb, g0, t->x, t->g);
        break;
      }
  }
  free(Ubuf);
  return st;
}

/* pinn_jet_seed_fn (and pinn_taylor_seed_fn) for the values-only pass. */
static int seed_values(size_t p0, size_t nb, size_t ld, const double *jets, double *jets_bar,
                       double *acc, void *ctx)
{
  (void)jets_bar;
  (void)acc;
  return prep_block(ctx, p0, nb, ld, jets, NULL);
}

/* pinn_jet_row_fn (and pinn_taylor_row_fn): row `row` of every point of the block. */
static int row_jac(size_t p0, size_t nb, size_t ld, const double *jets, size_t row,
                   double *jets_bar, void *ctx)
{
  pass_ctx *c = ctx;
  pinn_loss *l = c->l;
  term_state *t = c->t;
  const size_t b = p0 / PINN_BLOCK;
  double *work = c->work ? c->work + b * c->wsb : NULL;
  if (!c->ready[b]) {
    int st = prep_block(c, p0, nb, ld, jets, work);
    if (st) return st;
    c->ready[b] = 1;
  }
  const size_t mc = c->mc, ns = c->ns, rpp = c->rpp, nc = l->n_coef;
  for (size_t q = 0; q < nb; ++q) {
    const double *s = c->seed + ((p0 + q) * rpp + row) * ns;
    for (size_t e = 0; e < mc; ++e) jets_bar[e * ld + q] = s[e];
    double *Jr = c->J + ((p0 + q) * rpp + row) * c->P + l->n_net;
    for (size_t j = 0; j < nc; ++j) Jr[j] = s[mc + j];
  }
  if (l->n_tr && !t->tay) {
    const size_t ws = pinn_transform_work_size(&t->spec, nb);
    pinn_error e;
    for (size_t k = l->n_tr; k-- > 0;) {
      int st = pinn_transform_adjoint(&l->tr[k], &t->spec, l->m, nb, ld, jets_bar, jets_bar,
                                      work + k * ws, &e);
      if (st) return prep_fail(t, st, c->base + p0, "output transform adjoint: ", e.msg);
    }
  }
  return PINN_SUCCESS;
}

/* The pass over a chunk's cnt points x: Jacobian rows into c->J (rows) or
 * the values only, through the term's engine: the second-order jets, or the
 * Taylor engine for a residual of any order (its quantities come in the
 * jets' layout, so prep_block and row_jac serve both). */
static int chunk_pass(pass_ctx *c, size_t cnt, const double *x, int rows)
{
  pinn_loss *l = c->l;
  term_state *t = c->t;
  double acc = 0;
  if (t->tay)
    return pinn_loss_taylor_failed_(
        t, rows ? pinn_taylor_jacobian(t->tay, l->net, cnt, x, c->rpp, row_jac, c, c->J, c->P)
                : pinn_taylor_loss_grad(t->tay, l->net, cnt, x, seed_values, c, 1, &acc, NULL));
  return rows ? pinn_mlp_jacobian(l->net, &t->spec, cnt, x, c->rpp, row_jac, c, c->J, c->P)
              : pinn_mlp_loss_grad(l->net, &t->spec, cnt, x, seed_values, c, 1, &acc, NULL);
}

/* Rows row0 .. of R (and Jac) for the first npts points of term ti (all
 * of them for the loss's R; periodic: an even count), each row scaled by sw. */
static int eval_rows(pinn_loss *l, size_t ti, size_t npts, double sw, double *R, double *Jac,
                     size_t row0)
{
  term_state *t = &l->terms[ti];
  const int periodic = t->ops->paired;
  const size_t rpp = t->ops->rows(&t->def), P = l->n_net + l->n_coef, dim = l->dim;
  const size_t chunk = periodic ? 256 : 4096; /* even: whole pairs */
  const size_t maxc = npts == 0 ? 1 : npts < chunk ? npts : chunk;
  const size_t nblk = (maxc + PINN_BLOCK - 1) / PINN_BLOCK;
  const size_t mc = l->m * pinn_loss_width_(t), ns = mc + l->n_coef;
  const size_t wsb = l->n_tr ? l->n_tr * pinn_transform_work_size(&t->spec, PINN_BLOCK) : 0;
  double *val = periodic ? malloc(maxc * rpp * sizeof *val) : NULL;
  double *seed = Jac ? malloc(maxc * rpp * ns * sizeof *seed) : NULL;
  double *work = Jac && wsb ? malloc(nblk * wsb * sizeof *work) : NULL;
  unsigned char *ready = Jac ? malloc(nblk) : NULL;
  double *Jtmp = periodic && Jac ? malloc(maxc * rpp * P * sizeof *Jtmp) : NULL;
  int st = PINN_SUCCESS;
  if ((periodic && !val) || (Jac && (!seed || !ready || (wsb && !work) || (periodic && !Jtmp))))
    st = pinn_error_set(&l->err, PINN_ENOMEM, "term '%s': out of memory for the least-squares rows",
                        t->def.name);
  pinn_error_clear(&t->fail);
  for (size_t base = 0; base < npts && !st; base += chunk) {
    const size_t cnt = npts - base < chunk ? npts - base : chunk;
    pass_ctx c = {l, t, base, rpp, mc, ns, sw, periodic ? val : R + row0 + base * rpp, seed,
                  work, wsb, ready, NULL, P};
    if (Jac) {
      c.J = periodic ? Jtmp : Jac + (row0 + base * rpp) * P;
      memset(ready, 0, nblk);
    }
    st = chunk_pass(&c, cnt, t->x + base * dim, Jac != NULL);
    if (st && Jac && t->fail.code) {
      /* pinn_mlp_jacobian skips the blocks not yet started once one fails,
       * so which failure it saw depends on the threads: find the first
       * failing point with a values pass (each chunk runs up to its first
       * failure); keep the Jacobian's record if the values are fine */
      const pinn_error fj = t->fail;
      const size_t fp = t->fail_point;
      pinn_error_clear(&t->fail);
      chunk_pass(&c, cnt, t->x + base * dim, 0);
      if (!t->fail.code) {
        t->fail = fj;
        t->fail_point = fp;
      }
    }
    if (st) break;
    if (periodic) { /* pair i: row(lo) - row(hi) */
      for (size_t i = 0; i < cnt / 2; ++i)
        for (size_t r = 0; r < rpp; ++r) {
          const size_t out = row0 + (base / 2 + i) * rpp + r, lo = 2 * i * rpp + r, hi = lo + rpp;
          R[out] = val[lo] - val[hi];
          if (Jac) {
            double *Jo = Jac + out * P;
            const double *Jl = Jtmp + lo * P, *Jh = Jtmp + hi * P;
            for (size_t j = 0; j < P; ++j) Jo[j] = Jl[j] - Jh[j];
          }
        }
    }
  }
  if (st && st != PINN_ENOMEM) st = pinn_loss_pass_failed_(l, t, st);
  if (!st) {
    const size_t nr = (periodic ? npts / 2 : npts) * rpp;
    for (size_t i = 0; i < nr; ++i)
      if (!isfinite(R[row0 + i])) { /* row i is point i / rpp (periodic: pair i / rpp) */
        const size_t pt = (periodic ? 2 : 1) * (i / rpp);
        st = pinn_loss_error_at_(&l->err, l, t, PINN_ENONFINITE, t->x + pt * dim,
                                 "least-squares row %zu is not finite (%g)", i, R[row0 + i]);
        break;
      }
  }
  free(val);
  free(seed);
  free(work);
  free(ready);
  free(Jtmp);
  return st;
}

/* Rows row0 .. of R (and Jac) for term ti. */
static int eval_term(pinn_loss *l, size_t ti, double *R, double *Jac, size_t row0)
{
  const term_state *t = &l->terms[ti];
  return eval_rows(l, ti, t->n, term_scale(t), R, Jac, row0);
}

/* tr K of term i over its first max_points points (0: all), see pinn_lsq_ntk_traces. */
static int term_trace(pinn_loss *l, size_t i, size_t max_points, double *trace)
{
  const term_state *t = &l->terms[i];
  const size_t step = t->ops->paired ? 2 : 1, rpp = t->ops->rows(&t->def);
  const size_t P = pinn_loss_n_params(l);
  size_t npts = max_points && max_points < t->n ? max_points : t->n;
  npts -= npts % step; /* whole pairs */
  const size_t units = npts / step, nr = units * rpp;
  if (!units) return pinn_error_set(&l->err, PINN_EINVAL, "term '%s' has no points", t->def.name);
  int st = PINN_SUCCESS;
  double *R = malloc(nr * sizeof *R), *J = malloc(nr * P * sizeof *J);
  if (!R || !J)
    st = pinn_error_set(&l->err, PINN_ENOMEM, "term '%s': out of memory for %zu Jacobian rows",
                        t->def.name, nr);
  /* unit rows: r itself (relu2: sqrt(rho) ReLU(gap), as L_t counts it) */
  if (!st) st = eval_rows(l, i, npts, t->ops->barrier ? sqrt(t->rho) : 1.0, R, J, 0);
  double s = 0;
  for (size_t k = 0; !st && k < nr * P; ++k) s += J[k] * J[k];
  if (!st) *trace = s / (double)units;
  free(R);
  free(J);
  return st;
}

int pinn_lsq_ntk_traces(pinn_loss *l, size_t max_points, double *traces)
{
  if (!l) return PINN_EINVAL;
  if (!traces) return pinn_error_set(&l->err, PINN_EINVAL, "pinn_lsq_ntk_traces: traces is NULL");
  int st = pinn_lsq_check(l, &l->err);
  if (st) return st;
  /* on a team every rank computes every trace from all the points (collective) */
  st = pinn_loss_share_points_(l, 0);
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    traces[i] = 0;
    if (l->terms[i].def.weight > 0) st = term_trace(l, i, max_points, &traces[i]);
  }
  const int sst = pinn_loss_share_points_(l, 1);
  return st ? st : sst;
}

int pinn_lsq_eval(pinn_loss *l, const double *theta, double *R, double *Jac)
{
  if (!l) return PINN_EINVAL;
  if (!R) return pinn_error_set(&l->err, PINN_EINVAL, "pinn_lsq_eval: R must not be NULL");
  if (l->sharded)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "pinn_lsq_eval: each rank of the loss's team holds only its share of the "
                          "points; pinn_lm_run gathers them (or detach the team)");
  int st = pinn_lsq_check(l, &l->err);
  if (st) return st;
  if (theta) pinn_loss_set_params(l, theta);
  l->n_evals++;
  size_t row = 0;
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    st = eval_term(l, i, R, Jac, row);
    row += term_n_rows(&l->terms[i]);
  }
  l->last_status = st;
  return st;
}

/* ------------------------------------------------------------------- LM */

static int lm_run(pinn_loss *l, const pinn_lm_options *opt, pinn_lm_report *rep, pinn_error *err);

int pinn_lm_run(pinn_loss *l, const pinn_lm_options *opt, pinn_lm_report *rep, pinn_error *err)
{
  pinn_lm_report dummy;
  if (!rep) rep = &dummy;
  memset(rep, 0, sizeof *rep);
  rep->loss0 = rep->loss = NAN;
  if (!l) return pinn_error_set(err, PINN_EINVAL, "pinn_lm_run: the loss is NULL");
  /* on a team every rank forms the whole Jacobian: it holds every point for
   * the run, and only its share again after it (collective) */
  int st = pinn_loss_share_points_(l, 0);
  if (st) return pinn_error_set(err, st, "%s", l->err.msg);
  st = lm_run(l, opt, rep, err);
  const int sst = pinn_loss_share_points_(l, 1);
  if (sst && !st) st = pinn_error_set(err, sst, "%s", l->err.msg);
  return st;
}

static const char *const method_names[] = {"lm", "lmaccel", "dogleg"};

const char *pinn_lm_method_name(pinn_lm_method m)
{
  return (unsigned)m <= PINN_DOGLEG ? method_names[m] : NULL;
}

int pinn_lm_method_parse(const char *text, pinn_lm_method *out, pinn_error *err)
{
  const int k = pinn_name_index_(method_names, PINN_DOGLEG + 1, text);
  if (k >= 0) {
    *out = (pinn_lm_method)k;
    return PINN_SUCCESS;
  }
  return pinn_error_set(err, PINN_EINVAL, "unknown least-squares method '%s': use lm, lmaccel or dogleg",
                        text ? text : "(null)");
}

static const char *const stop_names[] = {
    "none",      "max_iter", "max_evals", "gtol",  "ftol", "time",       "no_progress",
    "nonfinite", "user",     "interrupted", "error", "xtol", "no_progress",
    "validation", "discrepancy"};
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
    "an evaluation failed (see the message)",
    "the Levenberg-Marquardt step became negligible (converged)",
    "no acceptable step: 16 rejected trial steps in a row (GSL_ENOPROG)",
    "the validation loss stopped improving (kept the parameters of its best)",
    "the data misfit reached the noise level (discrepancy principle)"};

const char *pinn_stop_reason_str(pinn_stop_reason r)
{
  return (unsigned)r <= PINN_STOP_DISCREPANCY ? stop_text[r] : "unknown";
}

const char *pinn_stop_reason_name(pinn_stop_reason r)
{
  return (unsigned)r <= PINN_STOP_DISCREPANCY ? stop_names[r] : "unknown";
}

pinn_lm_options pinn_lm_options_default(void)
{
  pinn_lm_options o;
  memset(&o, 0, sizeof o);
  o.method = PINN_LM_ACCEL;
  o.solver = PINN_LM_SOLVER_CHOLESKY;
  o.max_iter = 500;
  o.xtol = 1e-12;
  o.window = 10;
  o.max_bytes = (size_t)4 << 30;
  o.progress_every = 10;
  return o;
}

size_t pinn_lm_bytes(const pinn_loss *l, const pinn_lm_options *o)
{
  const size_t n = pinn_lsq_n_residuals(l), P = pinn_loss_n_params(l);
  const size_t rows = n > P ? n : P;
  const int qr = !o || o->solver == PINN_LM_SOLVER_QR;
  /* GSL's J; QR: a copy of J and the p x p T; Cholesky: J^T J and a copy */
  return sizeof(double) * (rows * P * (qr ? 2 : 1) + P * P * (qr ? 1 : 2) + 8 * rows + 8 * P);
}

typedef struct {
  pinn_loss *l;
  size_t n_res, n_rows, P;
  double *Rtmp;    /* n_res: the residuals of a Jacobian evaluation */
  int strict;      /* non-finite residuals are errors (the starting point) */
  int status;      /* first hard failure */
  size_t n_nonfinite;
} lm_ctx;

static int lm_f(const gsl_vector *x, void *params, gsl_vector *f)
{
  lm_ctx *c = params;
  if (x->stride != 1 || f->stride != 1) return GSL_EBADLEN;
  int st = pinn_lsq_eval(c->l, x->data, f->data, NULL);
  if (c->n_rows > c->n_res) memset(f->data + c->n_res, 0, (c->n_rows - c->n_res) * sizeof(double));
  if (st == PINN_ENONFINITE && !c->strict) {
    c->n_nonfinite++; /* a residual vector GSL rejects (|f| huge) */
    memset(f->data, 0, c->n_rows * sizeof(double));
    f->data[0] = 1e150;
    return GSL_SUCCESS;
  }
  if (st && !c->status) c->status = st;
  return st;
}

static int lm_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
  lm_ctx *c = params;
  if (x->stride != 1 || J->tda != c->P) return GSL_EBADLEN;
  int st = pinn_lsq_eval(c->l, x->data, c->Rtmp, J->data);
  if (c->n_rows > c->n_res)
    memset(J->data + c->n_res * c->P, 0, (c->n_rows - c->n_res) * c->P * sizeof(double));
  if (st && !c->status) c->status = st;
  return st;
}

/* loss = |f|^2 over the real rows, and each term's L_t. */
static double lm_loss(const pinn_loss *l, const double *f, double *terms)
{
  double total = 0;
  size_t row = 0;
  for (size_t i = 0; i < l->n_terms; ++i) {
    const size_t nr = term_n_rows(&l->terms[i]);
    double s = 0;
    for (size_t r = 0; r < nr; ++r) s += f[row + r] * f[row + r];
    const double w = l->terms[i].w;
    if (terms) terms[i] = w > 0 ? s / w : NAN;
    total += s;
    row += nr;
  }
  return total;
}

int pinn_lm_check(const pinn_loss *l, const pinn_lm_options *opt, pinn_error *err)
{
  const pinn_lm_options d = pinn_lm_options_default(), *o = opt ? opt : &d;
  if ((unsigned)o->method > PINN_DOGLEG)
    return pinn_error_set(err, PINN_EINVAL, "unknown least-squares method %d: use PINN_LM, "
                                            "PINN_LM_ACCEL or PINN_DOGLEG", (int)o->method);
  if ((unsigned)o->solver > PINN_LM_SOLVER_CHOLESKY)
    return pinn_error_set(err, PINN_EINVAL, "unknown linear solver %d: use PINN_LM_SOLVER_QR or "
                                            "PINN_LM_SOLVER_CHOLESKY", (int)o->solver);
  if (!(o->xtol >= 0) || !(o->gtol >= 0) || !(o->ftol >= 0) || !isfinite(o->xtol) ||
      !isfinite(o->gtol) || !isfinite(o->ftol))
    return pinn_error_set(err, PINN_EINVAL, "xtol, gtol and ftol must be finite and >= 0");
  if (o->ftol > 0 && o->window < 1)
    return pinn_error_set(err, PINN_EINVAL, "ftol needs a window of at least 1 iteration");
  if (!(o->time_budget >= 0) || !isfinite(o->time_budget))
    return pinn_error_set(err, PINN_EINVAL, "the time budget must be >= 0 seconds");
  if (o->max_iter < 1) return pinn_error_set(err, PINN_EINVAL, "max_iter must be at least 1");
  const int st = pinn_lsq_check(l, err); /* a NULL loss too: nothing below may read it */
  if (st) return st;
  const size_t bytes = pinn_lm_bytes(l, o), n = pinn_lsq_n_residuals(l), P = pinn_loss_n_params(l);
  if (!o->max_bytes || bytes <= o->max_bytes) return PINN_SUCCESS;
  return pinn_error_set(
      err, PINN_EUNSUPPORTED,
      "Levenberg-Marquardt needs %.2f GiB for the dense %zu x %zu Jacobian and its %s "
      "factorization, more than the limit of %.2f GiB: use fewer training points "
      "(points_scale) or a smaller network, the Cholesky solver, or train with L-BFGS/SSBFGS",
      (double)bytes / 1073741824.0, n > P ? n : P, P,
      o->solver == PINN_LM_SOLVER_QR ? "QR" : "Cholesky", (double)o->max_bytes / 1073741824.0);
}

static int lm_run(pinn_loss *l, const pinn_lm_options *opt, pinn_lm_report *rep, pinn_error *err)
{
  const pinn_lm_options o = opt ? *opt : pinn_lm_options_default();
  pinn_error e;
  pinn_error_clear(&e);
  int st = pinn_lm_check(l, &o, err);
  if (st) return st;
  const double t0 = pinn_now_seconds_();
  const size_t n_res = pinn_lsq_n_residuals(l), P = pinn_loss_n_params(l);
  const size_t n_rows = n_res > P ? n_res : P, bytes = pinn_lm_bytes(l, &o);
  rep->n_residuals = n_res;
  rep->n_params = P;
  rep->n_rows = n_rows;

  gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
  par.trs = o.method == PINN_LM_ACCEL ? gsl_multifit_nlinear_trs_lmaccel
            : o.method == PINN_DOGLEG ? gsl_multifit_nlinear_trs_dogleg
                                      : gsl_multifit_nlinear_trs_lm;
  par.solver = o.solver == PINN_LM_SOLVER_CHOLESKY ? gsl_multifit_nlinear_solver_cholesky
                                                   : gsl_multifit_nlinear_solver_qr;
  par.scale = gsl_multifit_nlinear_scale_more;

  /* GSL's error handler is the application's (pinn/lsq.h).  Every GSL_ERROR
   * that bad arguments could raise is ruled out above: n_rows >= P (alloc's
   * "n < p"), xtol >= 0 (test's "tolerance is negative"), vector sizes fixed
   * by us.  What remains depends on data: Cholesky on a J^T J + mu D^T D
   * that is not numerically positive definite (GSL_EDOM; always for a
   * rank-deficient J with dogleg, mu = 0), QR with dogleg on a J of rank 0
   * (GSL_EBADLEN), and GSL_ENOMEM; GSL rejects such a step (rho = -1). */
  lm_ctx c = {l, n_res, n_rows, P, malloc((n_res ? n_res : 1) * sizeof(double)), 1, 0, 0};
  double *x0 = malloc(P * sizeof *x0);
  double *terms = calloc(l->n_terms ? l->n_terms : 1, sizeof *terms);
  double *hist = calloc(o.window + 1, sizeof *hist);
  gsl_multifit_nlinear_workspace *w =
      c.Rtmp && x0 && terms && hist ? gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par,
                                                                 n_rows, P)
                                    : NULL;
  if (!w) {
    free(c.Rtmp); free(x0); free(terms); free(hist);
    return pinn_error_set(err, PINN_ENOMEM,
                          "out of memory for Levenberg-Marquardt (%.2f GiB): use fewer training "
                          "points or train with L-BFGS",
                          (double)bytes / 1073741824.0);
  }
  pinn_loss_get_params(l, x0);
  gsl_multifit_nlinear_fdf fdf;
  memset(&fdf, 0, sizeof fdf);
  fdf.f = lm_f;
  fdf.df = lm_df;
  fdf.fvv = NULL; /* geodesic acceleration: GSL's finite difference */
  fdf.n = n_rows;
  fdf.p = P;
  fdf.params = &c;
  gsl_vector_view xv = gsl_vector_view_array(x0, P);
  int gst = gsl_multifit_nlinear_init(&xv.vector, &fdf, w);
  c.strict = 0;
  pinn_stop_reason reason = PINN_STOP_NONE;
  size_t iter = 0;
  if (gst) {
    reason = PINN_STOP_ERROR;
    st = c.status ? pinn_error_set(&e, c.status, "%s", pinn_loss_errmsg(l))
                  : pinn_error_set(&e, PINN_EFAILED, "GSL could not start: %s", gsl_strerror(gst));
  } else {
    rep->loss0 = lm_loss(l, w->f->data, terms);
    hist[0] = rep->loss0;
  }
  double step = 0;
  while (!reason) {
    if (o.interrupt && *o.interrupt) reason = PINN_STOP_INTERRUPT;
    else if (o.time_budget > 0 && pinn_now_seconds_() - t0 >= o.time_budget) reason = PINN_STOP_TIME;
    else if (o.max_evals && fdf.nevalf + fdf.nevaldf >= o.max_evals) reason = PINN_STOP_MAX_EVALS;
    else if (iter >= o.max_iter) reason = PINN_STOP_MAX_ITER;
    if (reason) break;
    gst = gsl_multifit_nlinear_iterate(w);
    if (c.status) { /* a callback failed (possibly inside a rejected step) */
      reason = PINN_STOP_ERROR;
      st = pinn_error_set(&e, c.status, "%s", pinn_loss_errmsg(l));
      break;
    }
    if (gst == GSL_ENOPROG) {
      reason = PINN_STOP_NO_STEP;
      break;
    }
    if (gst) {
      reason = PINN_STOP_ERROR;
      st = pinn_error_set(&e, PINN_EFAILED, "GSL's trust-region iteration failed: %s",
                          gsl_strerror(gst));
      break;
    }
    ++iter;
    step = gsl_blas_dnrm2(w->dx);
    const double f = lm_loss(l, w->f->data, NULL);
    hist[iter % (o.window + 1)] = f;
    if (o.progress && o.progress_every && iter % o.progress_every == 0) {
      pinn_loss_set_params(l, w->x->data); /* the callback sees the accepted point */
      lm_loss(l, w->f->data, terms);
      pinn_lm_progress pr = {iter, o.max_iter, fdf.nevalf, fdf.nevaldf, f, terms, l->n_terms,
                             2 * gsl_blas_dnrm2(w->g), step, pinn_now_seconds_() - t0, l};
      if (o.progress(&pr, o.progress_ctx)) {
        reason = PINN_STOP_USER;
        break;
      }
    }
    int info = 0;
    if (gsl_multifit_nlinear_test(o.xtol, o.gtol, 0.0, &info, w) == GSL_SUCCESS) {
      reason = info == 1 ? PINN_STOP_XTOL : PINN_STOP_GTOL;
      break;
    }
    if (o.ftol > 0 && iter >= o.window) {
      const double fo = hist[(iter - o.window) % (o.window + 1)];
      if ((fo - f) / fmax(f, 1e-300) < o.ftol) reason = PINN_STOP_FTOL;
    }
  }
  /* the last accepted point is the best one (GSL accepts only decreases) */
  if (rep->loss0 == rep->loss0) {
    pinn_loss_set_params(l, w->x->data);
    rep->loss = lm_loss(l, w->f->data, terms);
    rep->grad_norm = 2 * gsl_blas_dnrm2(w->g);
  } else {
    pinn_loss_set_params(l, x0);
  }
  rep->iterations = iter;
  rep->evals_f = fdf.nevalf;
  rep->evals_J = fdf.nevaldf;
  rep->reason = reason;
  rep->gsl_status = gst;
  rep->seconds = pinn_now_seconds_() - t0;
  if (o.progress && rep->loss == rep->loss && (!o.progress_every || iter % o.progress_every)) {
    pinn_lm_progress pr = {iter, o.max_iter, fdf.nevalf, fdf.nevaldf, rep->loss, terms, l->n_terms,
                           rep->grad_norm, step, rep->seconds, l};
    o.progress(&pr, o.progress_ctx);
  }
  if (reason == PINN_STOP_ERROR)
    snprintf(rep->message, sizeof rep->message, "%s: %.200s", pinn_stop_reason_str(reason),
             e.msg);
  else
    snprintf(rep->message, sizeof rep->message, "%s (GSL status %d: %s; %zu non-finite trial points)",
             pinn_stop_reason_str(reason), gst, gsl_strerror(gst), c.n_nonfinite);
  if (st) pinn_error_set(err, st, "%s", e.msg);
  gsl_multifit_nlinear_free(w);
  free(c.Rtmp);
  free(x0);
  free(terms);
  free(hist);
  return st;
}
