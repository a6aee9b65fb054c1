/* libpinn — causal weights of time-dependent residual terms (see
 * include/pinn/causal.h).
 *
 * The loss (lib/loss.c) calls pinn_causal_prepare_ before each evaluation;
 * it measures every causal term's |r|^2 at its points with
 * pinn_loss_residual_at (a forward pass, per-point results), sums them per
 * slab in point order (deterministic), and leaves each point's seed
 * multiplier n w_k / (M n_k) for the fused pass (seed_residual scales the
 * point's loss and seed by it).
 */
#include <pinn/causal.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/h5io.h>
#include <pinn/loss.h>

#include "causal_impl.h"
#include "loss_impl.h"

struct pinn_causal_state_ {
  pinn_causal_options o;
  double t0, t1;   /* the domain's time interval */
  int active;      /* the next evaluations use the weights */
  size_t rung;     /* of the annealing ladder (o.eps == 0) */
  int have;        /* the last evaluation used the weights: L, w, min_w are its */
  double min_w;    /* min_k w_k over every causal term at that evaluation */
  size_t n_terms;
  unsigned char *on; /* term i is causal */
  double **pw;     /* per term: the seed multiplier of each point (NULL: not causal) */
  size_t *pw_cap;
  double *L, *w;   /* n_terms x M: slab losses and weights */
  double *sq;      /* scratch: |r|^2 of a term's points */
  size_t sq_cap;
  size_t *cnt;     /* scratch: M points per slab */
};

pinn_causal_options pinn_causal_options_default(void)
{
  pinn_causal_options o = {0, 0.0, 0};
  return o;
}

int pinn_causal_options_check(const pinn_causal_options *o, pinn_error *err)
{
  if (!o) return pinn_error_set(err, PINN_EINVAL, "causal options: NULL");
  if (o->slabs > PINN_CAUSAL_MAX_SLABS)
    return pinn_error_set(err, PINN_EINVAL,
                          "causal weights: %zu time slabs; give 1 to %d (0: off)", o->slabs,
                          PINN_CAUSAL_MAX_SLABS);
  if (!(o->eps == 0 || (o->eps > 0 && isfinite(o->eps))))
    return pinn_error_set(err, PINN_EINVAL,
                          "causal weights: eps = %g; give a finite eps > 0, or 0 for the annealed "
                          "ladder 1e-2 .. 100",
                          o->eps);
  return PINN_SUCCESS;
}

int pinn_causal_parse(const char *text, pinn_causal_options *o, pinn_error *err)
{
  static const char form[] =
      "give M[:EPS][:qn]: M time slabs (1 to 1000), an optional fixed eps > 0 (without it eps is "
      "annealed 1e-2 .. 100) and qn to weight the quasi-Newton phases too, e.g. 32, 32:1 or 32:qn";
  if (!text || !o) return pinn_error_set(err, PINN_EINVAL, "causal: NULL argument");
  char *end;
  errno = 0;
  if (text[0] < '0' || text[0] > '9')
    return pinn_error_set(err, PINN_EINVAL, "causal '%s': %s", text, form);
  const unsigned long long m = strtoull(text, &end, 10);
  if (errno || m < 1 || m > PINN_CAUSAL_MAX_SLABS || (*end && *end != ':'))
    return pinn_error_set(err, PINN_EINVAL, "causal '%s': %s", text, form);
  pinn_causal_options r = {(size_t)m, 0.0, 0};
  int have_eps = 0;
  while (*end == ':') {
    const char *e = end + 1;
    if (!strncmp(e, "qn", 2) && (e[2] == ':' || !e[2]) && !r.quasi_newton) {
      r.quasi_newton = 1;
      end = (char *)e + 2;
      continue;
    }
    errno = 0;
    const double eps = strtod(e, &end);
    if (have_eps || end == e || (*end && *end != ':') || errno || !(eps > 0) || !isfinite(eps))
      return pinn_error_set(err, PINN_EINVAL, "causal '%s': %s", text, form);
    r.eps = eps;
    have_eps = 1;
  }
  *o = r;
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

double pinn_causal_rung_eps(size_t rung)
{
  static const double ladder[PINN_CAUSAL_RUNGS] = {1e-2, 1e-1, 1, 10, 100};
  return ladder[rung < PINN_CAUSAL_RUNGS ? rung : PINN_CAUSAL_RUNGS - 1];
}

size_t pinn_causal_slab(double t, double t0, double t1, size_t M)
{
  const double s = floor((double)M * (t - t0) / (t1 - t0));
  if (!(s > 0)) return 0; /* also NaN */
  return s >= (double)M ? M - 1 : (size_t)s;
}

void pinn_causal_weights(size_t M, const double *L, double eps, double *w)
{
  double sum = 0;
  for (size_t k = 0; k < M; ++k) {
    w[k] = exp(-eps * sum);
    sum += L[k];
  }
}

/* ------------------------------------------------------ the loss's state */

static double current_eps(const pinn_causal_state_ *c)
{
  return c->o.eps > 0 ? c->o.eps : pinn_causal_rung_eps(c->rung);
}

void pinn_causal_free_(pinn_causal_state_ *c)
{
  if (!c) return;
  for (size_t i = 0; c->pw && i < c->n_terms; ++i) free(c->pw[i]);
  free(c->pw);
  free(c->pw_cap);
  free(c->on);
  free(c->L);
  free(c->w);
  free(c->sq);
  free(c->cnt);
  free(c);
}

int pinn_causal_attach_(pinn_loss *l)
{
  const pinn_causal_options *o = &l->opt.causal;
  if (pinn_causal_options_check(o, &l->err)) return l->err.code;
  if (o->slabs == 0) return PINN_SUCCESS;
  const char *name = pinn_problem_name(l->p);
  if (!l->has_time)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "causal weights: problem '%s' has no time coordinate; they are for "
                          "time-dependent problems",
                          name);
  if (l->sharded)
    return pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                          "causal weights are not supported on a team of processes (each slab "
                          "loss would need every rank's points); train on one process");
  size_t any = 0;
  for (size_t i = 0; i < l->n_terms; ++i) any += l->terms[i].ops->dual != 0;
  if (!any)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "causal weights: problem '%s' has no residual term to weight", name);
  pinn_causal_state_ *c = calloc(1, sizeof *c);
  if (!c) return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  const size_t T = l->n_terms, M = o->slabs;
  c->o = *o;
  c->active = 1;
  c->n_terms = T;
  c->on = calloc(T, 1);
  c->pw = calloc(T, sizeof *c->pw);
  c->pw_cap = calloc(T, sizeof *c->pw_cap);
  c->L = calloc(T * M, sizeof *c->L);
  c->w = calloc(T * M, sizeof *c->w);
  c->cnt = calloc(M, sizeof *c->cnt);
  if (!c->on || !c->pw || !c->pw_cap || !c->L || !c->w || !c->cnt) {
    pinn_causal_free_(c);
    return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < T; ++i) c->on[i] = l->terms[i].ops->dual != 0;
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
  pinn_domain_bounds(pinn_problem_domain(l->p), lo, hi);
  c->t0 = lo[l->dim - 1];
  c->t1 = hi[l->dim - 1];
  l->causal = c;
  return PINN_SUCCESS;
}

/* Room for n doubles in *a of capacity *cap. */
static int reserve(double **a, size_t *cap, size_t n)
{
  if (n <= *cap) return 0;
  double *b = realloc(*a, n * sizeof *b);
  if (!b) return -1;
  *a = b;
  *cap = n;
  return 0;
}

int pinn_causal_prepare_(pinn_loss *l)
{
  pinn_causal_state_ *c = l->causal;
  if (!c || !c->active) return PINN_SUCCESS;
  if (l->sharded)
    return pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                          "causal weights are not supported on a team of processes");
  const size_t M = c->o.slabs, dim = l->dim;
  const double eps = current_eps(c);
  c->have = 0;
  double min_w = 1;
  for (size_t i = 0; i < c->n_terms; ++i) {
    if (!c->on[i]) continue;
    const term_state *t = &l->terms[i];
    const size_t n = t->n;
    if (reserve(&c->sq, &c->sq_cap, n) || reserve(&c->pw[i], &c->pw_cap[i], n))
      return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
    int st = pinn_loss_residual_at(l, i, n, t->x, c->sq);
    if (st) return st;
    double *L = c->L + i * M, *w = c->w + i * M;
    memset(L, 0, M * sizeof *L);
    memset(c->cnt, 0, M * sizeof *c->cnt);
    for (size_t p = 0; p < n; ++p) {
      const size_t k = pinn_causal_slab(t->x[p * dim + dim - 1], c->t0, c->t1, M);
      L[k] += c->sq[p];
      c->cnt[k]++;
    }
    for (size_t k = 0; k < M; ++k)
      if (c->cnt[k]) L[k] /= (double)c->cnt[k];
    pinn_causal_weights(M, L, eps, w);
    for (size_t k = 0; k < M; ++k) min_w = fmin(min_w, w[k]);
    for (size_t p = 0; p < n; ++p) {
      const size_t k = pinn_causal_slab(t->x[p * dim + dim - 1], c->t0, c->t1, M);
      c->pw[i][p] = (double)n * w[k] / ((double)M * (double)c->cnt[k]);
    }
  }
  c->min_w = min_w;
  c->have = 1;
  return PINN_SUCCESS;
}

const double *pinn_causal_point_weights_(const pinn_loss *l, size_t i)
{
  const pinn_causal_state_ *c = l->causal;
  return c && c->active && c->have && c->on[i] ? c->pw[i] : NULL;
}

const pinn_causal_options *pinn_loss_causal(const pinn_loss *l)
{
  return l && l->causal ? &l->causal->o : NULL;
}

void pinn_loss_causal_activate(pinn_loss *l, int on)
{
  if (!l || !l->causal) return;
  l->causal->active = on != 0;
  l->causal->have = 0;
}

double pinn_loss_causal_eps(const pinn_loss *l)
{
  return l && l->causal ? current_eps(l->causal) : NAN;
}

size_t pinn_loss_causal_rung(const pinn_loss *l)
{
  return l && l->causal ? l->causal->rung : 0;
}

int pinn_loss_causal_slabs(const pinn_loss *l, size_t i, double *L, double *w)
{
  if (!l) return PINN_EINVAL;
  const pinn_causal_state_ *c = l->causal;
  if (!c || i >= c->n_terms || !c->on[i] || !c->have) return PINN_EINVAL;
  const size_t M = c->o.slabs;
  if (L) memcpy(L, c->L + i * M, M * sizeof *L);
  if (w) memcpy(w, c->w + i * M, M * sizeof *w);
  return PINN_SUCCESS;
}

int pinn_loss_causal_anneal(pinn_loss *l)
{
  pinn_causal_state_ *c = l ? l->causal : NULL;
  if (!c || c->o.eps > 0 || !c->active || !c->have || c->rung + 1 >= PINN_CAUSAL_RUNGS) return 0;
  if (!(c->min_w > PINN_CAUSAL_THRESHOLD)) return 0;
  c->rung++;
  c->have = 0;
  return 1;
}

/* ---------------------------------------------------------- checkpoints */

int pinn_causal_save_(const pinn_loss *l, pinn_h5_writer *w, const char *group)
{
  const pinn_causal_state_ *c = l->causal;
  if (!c) return PINN_SUCCESS;
  int st = pinn_h5_set_attr_int64(w, group, "causal_slabs", (int64_t)c->o.slabs);
  if (!st) st = pinn_h5_set_attr_double(w, group, "causal_eps", c->o.eps);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "causal_quasi_newton", c->o.quasi_newton);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "causal_rung", (int64_t)c->rung);
  return st;
}

int pinn_causal_load_(pinn_loss *l, pinn_h5_reader *r, const char *group, size_t *rung)
{
  const pinn_causal_state_ *c = l->causal;
  const int has = pinn_h5_has_attr(r, group, "causal_slabs") > 0;
  *rung = 0;
  if (!c && !has) return PINN_SUCCESS;
  if (!c || !has)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "the checkpoint was written by a run %s causal weights but this run "
                          "has %s: resume with the saved run's --causal setting",
                          has ? "with" : "without", c ? "them" : "none");
  int64_t m, qn, rg;
  double eps;
  if (pinn_h5_get_attr_int64(r, group, "causal_slabs", &m) ||
      pinn_h5_get_attr_double(r, group, "causal_eps", &eps) ||
      pinn_h5_get_attr_int64(r, group, "causal_quasi_newton", &qn) ||
      pinn_h5_get_attr_int64(r, group, "causal_rung", &rg))
    return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  if (m != (int64_t)c->o.slabs || !(eps == c->o.eps) || qn != c->o.quasi_newton)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "the checkpoint's causal weights are %lld slabs, eps %g%s but this "
                          "run's are %zu slabs, eps %g%s: resume with the saved run's setting",
                          (long long)m, eps, qn ? " (quasi-Newton too)" : "", c->o.slabs,
                          c->o.eps, c->o.quasi_newton ? " (quasi-Newton too)" : "");
  if (rg < 0 || rg >= PINN_CAUSAL_RUNGS || (c->o.eps > 0 && rg != 0))
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: causal_rung is %lld, not a rung of the ladder 0..%d: "
                          "the file is corrupt",
                          group, (long long)rg, PINN_CAUSAL_RUNGS - 1);
  *rung = (size_t)rg;
  return PINN_SUCCESS;
}

void pinn_causal_set_rung_(pinn_loss *l, size_t rung)
{
  if (!l->causal) return;
  l->causal->rung = rung;
  l->causal->have = 0;
}
