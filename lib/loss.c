/* libpinn — the loss assembler (see include/pinn/loss.h).
 *
 * Every term keeps its points, the values of its data function at them
 * (g, psi, observations), normals where needed, and the jet spec of the
 * derivatives it reads.  Evaluating a term is one pinn_mlp_loss_grad pass
 * whose seed callback turns each block of output jets into the term's loss
 * and its sensitivities:
 *   residual r(x, u, c):  L = mean |r|^2,  dL/dJ_e = (2/N) sum_i r_i dr_i/dJ_e,
 *     with dr_i/dJ_e read from the dual tangents (index k*C + channel for
 *     output k, then one index per coefficient);
 *   conditions:  e = (value or derivative combination) - g,  L = mean e^2;
 *   obstacle:    gap = sense (psi - u),  L = rho mean phi(gap);
 *   complementarity:  m = g - ReLU(g - lambda), g = sense (u - psi),
 *     lambda = sense R (the multiplier),  L = mean m^2.
 * The per-term accumulators of pinn_mlp_loss_grad carry [L_t, dL/dcoef_j]
 * so coefficient gradients are reduced in the same fixed order as the
 * network's: results are bitwise identical for any thread count.
 */
#include <pinn/loss.h>

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <pinn/h5io.h>

#include "loss_impl.h"
#include "mlp_impl.h"
#include "reduce_impl.h"
#include "taylor_impl.h"

pinn_loss_options pinn_loss_options_default(void)
{
  pinn_loss_options o = {PINN_SAMPLER_SOBOL, 1, 1.0, NULL, 0.0, {0, 0.0, 0}};
  return o;
}

/* Input index of named coordinate a (0,1,2 space; 3 time). */
static int input_of(const pinn_loss *l, int a) { return a == 3 ? (int)l->d : a; }

/* ------------------------------------------------------------ sampling */

static int eval_data_fn(pinn_loss *l, term_state *t)
{
  if (t->ops->given || !t->ops->data_name) return PINN_SUCCESS;
  if (!t->def.g) {
    memset(t->g, 0, t->nh * sizeof *t->g);
    return PINN_SUCCESS;
  }
  for (size_t i = 0; i < t->nh; ++i) {
    int st = pinn_loss_data_fn_at_(l, t, t->x + i * l->dim, &t->g[i]);
    if (st) return st;
  }
  return PINN_SUCCESS;
}

/* The end of a points reader: x, nrm and their count n to the caller on
 * success (st 0), else freed. */
static int hand_over(int st, double *x, double *nrm, size_t n, double **xo, double **no,
                     size_t *count)
{
  if (st) {
    free(x);
    free(nrm);
    return st;
  }
  *xo = x;
  *no = nrm;
  *count = n;
  return PINN_SUCCESS;
}

/* Sample `want` points of the term's region into a fresh array. */
static int sample_term(pinn_loss *l, term_state *t, size_t want, double **xo, double **no,
                       size_t *count)
{
  const pinn_domain *dom = pinn_problem_domain(l->p);
  const size_t dim = l->dim, d = l->d;
  const int periodic = t->ops->paired;
  const size_t rows = periodic ? 2 * want : want;
  double *x = malloc(rows * dim * sizeof *x), *nrm = NULL;
  double *bx = malloc(want * dim * sizeof *bx), *bn = malloc(want * d * sizeof *bn),
         *bx2 = periodic ? malloc(want * dim * sizeof *bx2) : NULL;
  /* normals for boundary terms; a periodic term's pairs need none (its rows
   * are 2 per pair: normals of `want` rows would not match them) */
  const int with_normals = t->region == PINN_REGION_BOUNDARY && !periodic;
  if (with_normals) nrm = malloc(want * d * sizeof *nrm);
  if (!x || !bx || !bn || (periodic && !bx2) || (with_normals && !nrm)) {
    free(x); free(bx); free(bn); free(bx2); free(nrm);
    return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory sampling term '%s'", t->def.name);
  }
  size_t have = 0;
  int st = PINN_SUCCESS;
  pinn_error e;
  for (int round = 0; round < 64 && have < want; ++round) {
    size_t got = 0, ask = want;
    if (periodic)
      st = pinn_domain_sample_periodic(dom, t->def.axis, t->sampler, ask, bx, bx2, &got, &e);
    else if (t->region == PINN_REGION_INTERIOR)
      st = pinn_domain_sample_interior(dom, t->sampler, ask, bx, &got, &e);
    else if (t->region == PINN_REGION_BOUNDARY && t->def.n_parts) {
      const char *parts[PINN_MAX_TERM_PARTS];
      for (size_t j = 0; j < t->def.n_parts; ++j) parts[j] = t->def.parts[j];
      st = pinn_domain_sample_parts(dom, t->def.n_parts, parts, t->sampler, ask, bx, bn, &got, &e);
    } else if (t->region == PINN_REGION_BOUNDARY)
      st = pinn_domain_sample_boundary(dom, t->sampler, ask, bx, bn, &got, &e);
    else
      st = pinn_domain_sample_initial(dom, t->sampler, ask, bx, &got, &e);
    if (st) {
      st = pinn_error_set(&l->err, st, "term '%s': %s", t->def.name, e.msg);
      break;
    }
    for (size_t i = 0; i < got && have < want; ++i) {
      if (t->def.where && !t->def.where(bx + i * dim, t->def.where_ctx)) continue;
      if (periodic) {
        memcpy(x + 2 * have * dim, bx + i * dim, dim * sizeof *x);
        memcpy(x + (2 * have + 1) * dim, bx2 + i * dim, dim * sizeof *x);
      } else {
        memcpy(x + have * dim, bx + i * dim, dim * sizeof *x);
        if (nrm) memcpy(nrm + have * d, bn + i * d, d * sizeof *nrm);
      }
      ++have;
    }
    if (pinn_sampler_get_kind(t->sampler) == PINN_SAMPLER_GRID || !t->def.where) break;
  }
  free(bx); free(bn); free(bx2);
  if (!st && have == 0)
    st = pinn_error_set(&l->err, PINN_EINVAL,
                        "term '%s': no sampled point satisfies its 'where' filter; check the filter "
                        "against the domain",
                        t->def.name);
  return hand_over(st, x, nrm, periodic ? 2 * have : have, xo, no, count);
}

/* ------------------------------------------------------------- shares */

/* Rows [*lo, *hi) of a term of n rows that rank r of a sharing team holds:
 * the blocks of its leaves of the pass's reduction tree (lib/reduce_impl.h;
 * empty for a rank beyond the tree's leaves).  Every row without sharing. */
static void held_rows(const pinn_loss *l, size_t r, size_t n, size_t *lo, size_t *hi)
{
  *lo = 0;
  *hi = n;
  if (!l->sharded || n == 0) return;
  const size_t nblocks = (n + PINN_BLOCK - 1) / PINN_BLOCK, L = pinn_reduce_leaves_(nblocks);
  size_t a, b, b0, b1, unused;
  pinn_reduce_share_(r, (size_t)l->team.size, L, &a, &b);
  if (a == b) {
    *lo = *hi = n;
    return;
  }
  pinn_reduce_leaf_blocks_(nblocks, L, a, &b0, &unused);
  pinn_reduce_leaf_blocks_(nblocks, L, b - 1, &unused, &b1);
  *lo = b0 * PINN_BLOCK < n ? b0 * PINN_BLOCK : n;
  *hi = b1 * PINN_BLOCK < n ? b1 * PINN_BLOCK : n;
}

/* Rows [lo, lo + nh) of src (w doubles a row) in a fresh array; src is
 * freed.  NULL src stays NULL; *fail set when out of memory. */
static double *keep_rows(double *src, size_t lo, size_t nh, size_t w, int *fail)
{
  if (!src) return NULL;
  const size_t count = nh * w;
  double *d = malloc((count ? count : 1) * sizeof *d);
  if (!d) *fail = 1;
  else if (count) memcpy(d, src + lo * w, count * sizeof *d);
  free(src);
  return d;
}

/* Every rank's rows of one of term t's per-row arrays (w doubles a row, this
 * rank's in mine) concatenated in row order into a fresh *out of n x w.
 * Collective: every rank of the team calls it for the same term and array.
 * A rank out of memory sends a count that cannot be right, so every rank
 * sees the same shortfall and none waits in the second exchange. */
static int gather_rows(pinn_loss *l, const term_state *t, const double *mine, size_t w,
                       double **out)
{
  const pinn_team *tm = &l->team;
  const size_t R = (size_t)tm->size, want = t->n * w, own = t->nh * w;
  size_t counts[PINN_TEAM_MAX_SIZE];
  double *all = malloc((want ? want : 1) * sizeof *all), dummy = 0;
  const size_t send = all ? own : own ? 0 : 1;
  *out = NULL;
  if (tm->allgather(all ? mine : &dummy, send, counts, NULL, tm->ctx)) {
    free(all);
    return pinn_error_set(&l->err, PINN_EFAILED, "the team exchange of rank %d failed while "
                          "gathering the points of term '%s'", tm->rank, t->def.name);
  }
  int ok = 1;
  for (size_t r = 0; r < R; ++r) {
    size_t lo, hi;
    held_rows(l, r, t->n, &lo, &hi);
    ok &= counts[r] == (hi - lo) * w;
  }
  if (!ok) {
    const int oom = !all;
    free(all);
    return pinn_error_set(&l->err, oom ? PINN_ENOMEM : PINN_EFAILED,
                          "term '%s': the team could not gather its points (%s)", t->def.name,
                          oom ? "out of memory"
                              : "a rank is out of memory, or the ranks run different problems");
  }
  if (tm->allgather(mine, own, counts, all, tm->ctx)) {
    free(all);
    return pinn_error_set(&l->err, PINN_EFAILED, "the team exchange of rank %d failed while "
                          "gathering the points of term '%s'", tm->rank, t->def.name);
  }
  *out = all;
  return PINN_SUCCESS;
}

static void release_gathered(term_state *t)
{
  free(t->xall);
  free(t->nall);
  t->xall = t->nall = NULL;
}

/* Take the term's n rows x and nrm (owned from here on, freed on failure),
 * keep this rank's share, and evaluate the data values and the output
 * transforms' coefficients at the rows held. */
static int set_points(pinn_loss *l, term_state *t, double *x, double *nrm, size_t n)
{
  size_t lo, hi;
  held_rows(l, (size_t)l->team.rank, n, &lo, &hi);
  int fail = 0;
  if (lo != 0 || hi != n) {
    x = keep_rows(x, lo, hi - lo, l->dim, &fail);
    nrm = keep_rows(nrm, lo, hi - lo, l->d, &fail);
  }
  const size_t nh = hi - lo;
  double *g = fail ? NULL : malloc((nh ? nh : 1) * sizeof *g);
  if (!g) {
    free(x);
    free(nrm);
    return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  }
  free(t->x);
  free(t->normals);
  free(t->g);
  release_gathered(t);
  t->x = x;
  t->normals = nrm;
  t->g = g;
  t->n = n;
  t->lo = lo;
  t->nh = nh;
  for (size_t k = 0; k < l->n_tr; ++k) {
    const size_t cs = pinn_transform_coef_size(&t->spec);
    double *c = malloc((nh ? nh : 1) * cs * sizeof *c);
    free(t->tcoef[k]);
    t->tcoef[k] = c;
    if (!c) return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
    pinn_error e;
    int st = pinn_transform_coefs(&l->tr[k], &t->spec, l->dim, nh, x, c, &e);
    if (st) return pinn_error_set(&l->err, st, "term '%s': output transform: %s", t->def.name, e.msg);
  }
  if (t->ops->given) {
    if (nh) memcpy(t->g, t->obs_y + lo, nh * sizeof *t->g);
    return PINN_SUCCESS;
  }
  return eval_data_fn(l, t);
}

static int resample_term(pinn_loss *l, term_state *t)
{
  if (t->ops->given) return PINN_SUCCESS;
  double *x, *nrm;
  size_t n;
  size_t want = (size_t)ceil((double)t->def.n_points * l->opt.points_scale);
  if (want < 1) want = 1;
  int st = sample_term(l, t, want, &x, &nrm, &n);
  if (st) return st;
  return set_points(l, t, x, nrm, n);
}

/* --------------------------------------------------------------- setup */

static void term_spec(pinn_loss *l, term_state *t)
{
  t->spec = pinn_jet_spec_value();
  const unsigned needs = t->ops->needs(&t->def, l->d);
  for (size_t e = 0; e < N_ENTRIES; ++e) {
    if (!(needs & entries[e].flag)) continue;
    int a = input_of(l, entries[e].a);
    if (entries[e].b < 0) pinn_jet_spec_add_first(&t->spec, (unsigned)a);
    else pinn_jet_spec_add_pair(&t->spec, (unsigned)a, (unsigned)input_of(l, entries[e].b));
  }
  for (size_t e = 0; e < N_ENTRIES; ++e) {
    int a = input_of(l, entries[e].a);
    if (!(needs & entries[e].flag)) t->chan[e] = -1;
    else if (entries[e].b < 0) t->chan[e] = pinn_jet_spec_first_channel(&t->spec, (unsigned)a);
    else t->chan[e] = pinn_jet_spec_pair_channel(&t->spec, (unsigned)a,
                                                 (unsigned)input_of(l, entries[e].b));
  }
  for (int a = 0; a < 4; ++a) {
    int in = input_of(l, a);
    t->first_ch[a] = (a < 3 && (size_t)a >= l->d) || (a == 3 && !l->has_time)
                         ? -1
                         : pinn_jet_spec_first_channel(&t->spec, (unsigned)in);
  }
  t->C = pinn_jet_spec_channels(&t->spec);
}

/* Data term t (index i): its observations split into training (obs_x,
 * obs_y) and held-out (val_x, val_y) ones, pinn_loss_options.validation of
 * them held out (see pinn/loss.h); both keep the problem's order. */
static int split_observations(pinn_loss *l, term_state *t, size_t i)
{
  const size_t n = t->def.n_data, dim = l->dim;
  size_t nv = (size_t)floor(l->opt.validation * (double)n + 0.5);
  if (l->opt.validation > 0 && nv < 1) nv = 1;
  if (n < 2) nv = 0;
  if (nv > n - 1 && n >= 1) nv = n - 1;
  double *buf = malloc((n * (dim + 1) + 1) * sizeof *buf);
  size_t *all = malloc((n + 1) * sizeof *all), *pick = malloc((nv + 1) * sizeof *pick);
  gsl_rng *r = nv ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
  if (!buf || !all || !pick || (nv && !r)) {
    free(buf), free(all), free(pick), gsl_rng_free(r);
    return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  }
  for (size_t q = 0; q < n; ++q) all[q] = q;
  if (nv) { /* away from the network's seed and the samplers' (seed + 7919 i) */
    gsl_rng_set(r, (unsigned long)(l->opt.seed * 2654435761u + 104729u * (i + 1) + 17u));
    gsl_ran_choose(r, pick, nv, all, n, sizeof *all);
  }
  gsl_rng_free(r);
  /* training first (n - nv rows, then their values), held-out after */
  t->obs_x = buf;
  t->obs_y = buf + (n - nv) * dim;
  t->val_x = t->obs_y + (n - nv);
  t->val_y = t->val_x + nv * dim;
  t->n_obs = n - nv;
  t->n_val = nv;
  for (size_t q = 0, a = 0, b = 0; q < n; ++q) {
    const int held = b < nv && pick[b] == q;
    double *x = held ? t->val_x + b * dim : t->obs_x + a * dim;
    memcpy(x, t->def.data_x + q * dim, dim * sizeof *x);
    if (held) t->val_y[b++] = t->def.data_y[q];
    else t->obs_y[a++] = t->def.data_y[q];
  }
  t->val_x = nv ? t->val_x : NULL; /* one block: freed through obs_x */
  free(all), free(pick);
  return PINN_SUCCESS;
}

void pinn_loss_free(pinn_loss *l)
{
  if (!l) return;
  for (size_t i = 0; i < l->n_terms; ++i) {
    free(l->terms[i].x);
    free(l->terms[i].g);
    free(l->terms[i].normals);
    free(l->terms[i].obs_x); /* and obs_y, val_x, val_y */
    release_gathered(&l->terms[i]);
    for (size_t k = 0; k < PINN_MAX_OUTPUTS; ++k) free(l->terms[i].tcoef[k]);
    pinn_sampler_free(l->terms[i].sampler);
    pinn_taylor_free(l->terms[i].tay);
  }
  free(l->terms);
  pinn_causal_free_(l->causal);
  free(l->last_theta);
  free(l->last_terms);
  free(l);
}

/* The Taylor plan of a residual of any order: the value, then its
 * derivatives (coordinates x, y, z are inputs 0..d-1, t is input d). */
static int any_order_plan(pinn_loss *l, term_state *t, const pinn_mlp *net)
{
  const pinn_term_def *def = &t->def;
  for (size_t k = 0; k < l->n_tr; ++k)
    if (!pinn_transform_is_series(&l->tr[k]))
      return pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                            "term '%s' reads derivatives through the Taylor engine, and the "
                            "problem's output transform (hard constraints) on output %zu gives "
                            "g, d, psi as xjets, which carry second derivatives only: give the "
                            "transform in series form (pinn_transform_dirichlet_series, "
                            "pinn_transform_obstacle_series; pinn/tseries.h), which serves "
                            "terms of every order",
                            def->name, l->tr[k].component);
  if (l->m * (1 + def->n_derivs) + l->n_coef > PINN_DUAL_MAX)
    return pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                          "term '%s' sees %zu values (%zu outputs x %zu) plus %zu coefficients, "
                          "more than the %d a dual number carries",
                          def->name, l->m * (1 + def->n_derivs), l->m, 1 + def->n_derivs,
                          l->n_coef, PINN_DUAL_MAX);
  pinn_error e;
  t->tay = pinn_taylor_alloc(l->dim, &e);
  if (!t->tay) return pinn_error_set(&l->err, e.code, "term '%s': %s", def->name, e.msg);
  pinn_partial q;
  memset(&q, 0, sizeof q);
  int st = pinn_taylor_set_transforms(t->tay, l->n_tr, l->tr), second = 0;
  if (!st) st = pinn_taylor_add_partial(t->tay, &q);
  for (size_t j = 0; j < def->n_derivs && !st; ++j) {
    if (def->deriv_lap[j]) {
      st = pinn_taylor_add_laplacian(t->tay, (1u << l->d) - 1u, def->deriv_lap[j]);
      second = 1;
      continue;
    }
    q = def->deriv_p[j];
    if (pinn_partial_order(&q) >= 2) second = 1;
    st = pinn_taylor_add_partial(t->tay, &q);
  }
  if (st)
    return pinn_error_set(&l->err, st, "term '%s': %s", def->name, pinn_taylor_errmsg(t->tay));
  if (second && pinn_mlp_is_piecewise_linear(net))
    return pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                          "term '%s' reads derivatives of order 2 or more, but every activation of "
                          "the network is piecewise linear (ReLU family): they vanish almost "
                          "everywhere, so the residual carries no signal. Use a smooth activation "
                          "(tanh, gelu, softplus, silu, sigmoid, sin) in at least one hidden layer",
                          def->name);
  t->nq1 = 1 + def->n_derivs;
  return PINN_SUCCESS;
}

pinn_loss *pinn_loss_alloc(const pinn_problem *p, pinn_mlp *net, const pinn_loss_options *opt,
                           pinn_error *err)
{
  if (!p || !net) {
    pinn_error_set(err, PINN_EINVAL, "pinn_loss_alloc: problem and network are required");
    return NULL;
  }
  if (pinn_problem_status(p)) { /* a setup call failed, even if its caller ignored it */
    pinn_error_set(err, pinn_problem_status(p), "problem setup failed: %s",
                   pinn_problem_setup_errmsg(p));
    return NULL;
  }
  const pinn_domain *dom = pinn_problem_domain(p);
  if (!dom) {
    pinn_error_set(err, PINN_EINVAL, "problem '%s' has no domain: call pinn_problem_set_domain",
                   pinn_problem_name(p));
    return NULL;
  }
  if (pinn_problem_n_terms(p) == 0) {
    pinn_error_set(err, PINN_EINVAL, "problem '%s' has no loss terms", pinn_problem_name(p));
    return NULL;
  }
  const size_t dim = pinn_problem_dim(p), m = pinn_problem_n_out(p);
  if (pinn_mlp_n_in(net) != dim || pinn_mlp_n_out(net) != m) {
    pinn_error_set(err, PINN_EINVAL,
                   "problem '%s' has %zu inputs and %zu outputs but the network has %zu and %zu",
                   pinn_problem_name(p), dim, m, pinn_mlp_n_in(net), pinn_mlp_n_out(net));
    return NULL;
  }
  pinn_loss_options o = opt ? *opt : pinn_loss_options_default();
  if (!(o.points_scale > 0) || !isfinite(o.points_scale)) {
    pinn_error_set(err, PINN_EINVAL, "points_scale must be positive, got %g", o.points_scale);
    return NULL;
  }
  if (!(o.validation >= 0 && o.validation < 1)) {
    pinn_error_set(err, PINN_EINVAL,
                   "validation = %g: hold out a fraction 0 <= v < 1 of the observations", o.validation);
    return NULL;
  }
  if (o.team && pinn_team_check(o.team, err)) return NULL;
  pinn_loss *l = calloc(1, sizeof *l);
  if (!l) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  l->p = p;
  l->net = net;
  if (o.team) { /* before sampling: each rank keeps only its share */
    l->team = *o.team;
    l->has_team = 1;
    l->sharded = o.team->size > 1;
    o.team = NULL;
  }
  l->opt = o;
  l->dim = dim;
  l->d = pinn_problem_space_dim(p);
  l->has_time = pinn_problem_has_time(p);
  l->m = m;
  l->n_coef = pinn_problem_n_coefs(p);
  l->n_net = pinn_mlp_n_params(net);
  for (size_t j = 0; j < l->n_coef; ++j) {
    l->coef[j] = pinn_problem_coef_initial(p, j);
    l->coef_scale[j] = pinn_problem_coef_scale(p, j);
    l->coef_theta[j] = l->coef[j] / l->coef_scale[j];
  }
  l->n_tr = pinn_problem_n_transforms(p);
  for (size_t k = 0; k < l->n_tr; ++k) l->tr[k] = *pinn_problem_transform(p, k);
  l->n_terms = pinn_problem_n_terms(p);
  l->terms = calloc(l->n_terms, sizeof *l->terms);
  l->last_theta = malloc((l->n_net + l->n_coef) * sizeof(double));
  l->last_terms = malloc(l->n_terms * sizeof(double));
  if (!l->terms || !l->last_theta || !l->last_terms) {
    pinn_loss_free(l);
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  int st = PINN_SUCCESS;
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    term_state *t = &l->terms[i];
    t->def = *pinn_problem_term_(p, i);
    t->ops = pinn_term_ops_of_(t->def.kind);
    t->rho = t->def.barrier.rho;
    t->w = t->def.weight;
    term_spec(l, t);
    if (pinn_jet_spec_has_second(&t->spec) && pinn_mlp_is_piecewise_linear(net)) {
      st = pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                          "term '%s' needs second derivatives, but every activation of the network "
                          "is piecewise linear (ReLU family): such a network has u_xx = 0 almost "
                          "everywhere, so the residual carries no signal. Use a smooth activation "
                          "(tanh, gelu, softplus, silu, sigmoid, sin) in at least one hidden layer",
                          t->def.name);
      break;
    }
    if ((t->def.kind == PINN_TERM_RESIDUAL_ANY || t->def.kind == PINN_TERM_BOUNDARY_ANY) &&
        (st = any_order_plan(l, t, net)))
      break;
    if (t->ops->dual && !t->tay && m * t->C + l->n_coef > PINN_DUAL_MAX) {
      st = pinn_error_set(&l->err, PINN_EUNSUPPORTED,
                          "term '%s' sees %zu jet entries (%zu outputs x %zu channels) plus %zu "
                          "coefficients, more than the %d a dual number carries: declare fewer "
                          "derivatives or split the residual",
                          t->def.name, m * t->C, m, t->C, l->n_coef, PINN_DUAL_MAX);
      break;
    }
    t->region = t->ops->region;
    if (t->def.n_parts) {
      const char *parts[PINN_MAX_TERM_PARTS];
      pinn_error pe;
      for (size_t j = 0; j < t->def.n_parts; ++j) parts[j] = t->def.parts[j];
      if ((st = pinn_domain_check_parts(dom, t->def.n_parts, parts, &pe))) {
        st = pinn_error_set(&l->err, st, "term '%s': %s", t->def.name, pe.msg);
        break;
      }
    }
    if (t->ops->paired && dom->kind != PINN_DOMAIN_BOX) {
      st = pinn_error_set(&l->err, PINN_EINVAL, "periodic term '%s' needs a box domain",
                          t->def.name);
      break;
    }
    if (t->ops->given) {
      if ((st = split_observations(l, t, i))) break;
      double *x = malloc(t->n_obs * dim * sizeof *x);
      if (!x) {
        st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
        break;
      }
      memcpy(x, t->obs_x, t->n_obs * dim * sizeof *x);
      st = set_points(l, t, x, NULL, t->n_obs);
      continue;
    }
    pinn_error e;
    size_t sdim = pinn_domain_sampler_dim(dom, t->region);
    t->sampler = pinn_sampler_alloc(o.sampler, sdim ? sdim : 1, o.seed + 7919 * i, &e);
    if (!t->sampler) {
      st = pinn_error_set(&l->err, e.code, "term '%s': %s", t->def.name, e.msg);
      break;
    }
    st = resample_term(l, t);
  }
  if (!st) st = pinn_causal_attach_(l);
  size_t held = 0;
  for (size_t i = 0; i < l->n_terms && !st; ++i) held += l->terms[i].n_val;
  if (!st && o.validation > 0 && held == 0)
    st = pinn_error_set(&l->err, PINN_EINVAL,
                        "validation = %g: problem '%s' has no data term of 2 or more observations "
                        "to hold some out (the split applies to data terms only)",
                        o.validation, pinn_problem_name(p));
  if (st) {
    pinn_error_set(err, st, "%s", l->err.msg);
    pinn_loss_free(l);
    return NULL;
  }
  pinn_error_clear(&l->err);
  return l;
}

const char *pinn_loss_errmsg(const pinn_loss *l) { return l ? l->err.msg : "no loss"; }
size_t pinn_loss_n_params(const pinn_loss *l) { return l->n_net + l->n_coef; }
size_t pinn_loss_n_terms(const pinn_loss *l) { return l->n_terms; }
const char *pinn_loss_term_name(const pinn_loss *l, size_t i)
{
  return i < l->n_terms ? l->terms[i].def.name : NULL;
}
const pinn_problem *pinn_loss_problem(const pinn_loss *l) { return l->p; }
pinn_mlp *pinn_loss_network(pinn_loss *l) { return l->net; }
size_t pinn_loss_n_evals(const pinn_loss *l) { return l->n_evals; }
int pinn_loss_last_status(const pinn_loss *l) { return l->last_status; }
double pinn_loss_coef(const pinn_loss *l, size_t j) { return j < l->n_coef ? l->coef[j] : NAN; }

void pinn_loss_get_params(const pinn_loss *l, double *theta)
{
  memcpy(theta, pinn_mlp_params_const(l->net), l->n_net * sizeof *theta);
  memcpy(theta + l->n_net, l->coef_theta, l->n_coef * sizeof *theta);
}

void pinn_loss_set_params(pinn_loss *l, const double *theta)
{
  double *th = pinn_mlp_params(l->net);
  if (theta != th) memmove(th, theta, l->n_net * sizeof *theta);
  memcpy(l->coef_theta, theta + l->n_net, l->n_coef * sizeof *theta);
  for (size_t j = 0; j < l->n_coef; ++j) l->coef[j] = l->coef_theta[j] * l->coef_scale[j];
}

/* ------------------------------------------------------- seed callbacks */

typedef struct {
  pinn_loss *l;
  term_state *t;
  const double *x;   /* points being evaluated (term's or caller's) */
  const double *g;   /* data values or NULL */
  const double *nrm;
  double scale;      /* w / N */
  double inv_n;      /* 1 / N (N: points, or pairs for periodic terms) */
  double *out;       /* residual_at: |r|^2 per point, else NULL */
  const double *pw;  /* causal weights: each point's seed multiplier (NULL: none) */
} seed_ctx;

int pinn_loss_record_failure_(term_state *t, size_t point, const pinn_error *e)
{
#pragma omp critical /* unnamed: a named one would be an exported symbol */
  {
    if (!t->fail.code || point < t->fail_point) {
      t->fail = *e;
      t->fail_point = point;
    }
  }
  return e->code;
}

int pinn_loss_pass_failed_(pinn_loss *l, const term_state *t, int st)
{
  if (t->fail.code) return pinn_error_set(&l->err, t->fail.code, "%s", t->fail.msg);
  return pinn_error_set(&l->err, st, "term '%s': %s", t->def.name, pinn_mlp_errmsg(l->net));
}

/* ------------------------------------------------------- failure messages
 *
 * Every evaluation failure names the term, the point by its coordinates
 * (x=..., t=... with %.6g) and what failed: the callback's return code, a
 * non-finite network value ("output u, derivative u_xx is NaN"), a
 * non-finite residual component, or the data function's value.  Failures
 * inside a pass are recorded per term with the smallest point index, so the
 * message does not depend on the number of threads. */

static const char *const coord_letter[4] = {"x", "y", "z", "t"};

/* "NaN", "Inf", "-Inf", or the value in %.6g. */
static void value_text(double v, char *buf, size_t n)
{
  if (isnan(v)) snprintf(buf, n, "NaN");
  else if (isinf(v)) snprintf(buf, n, "%s", v > 0 ? "Inf" : "-Inf");
  else snprintf(buf, n, "%.6g", v);
}

void pinn_loss_point_text_(const pinn_loss *l, const double *x, char *buf, size_t n)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t a = 0; a < l->dim; ++a) {
    const char *name = pinn_problem_input_name(l->p, a);
    int w = snprintf(buf + len, n - len, "%s%s=%.6g", a ? ", " : "", name ? name : "?", x[a]);
    if (w < 0 || (size_t)w >= n - len) break;
    len += (size_t)w;
  }
}

/* Name of seed index idx of term t: output k's channel c for idx = k C + c
 * ("u", "u_xx"), coefficient j for idx = m C + j.  *is_coef tells which. */
static void entry_name(const pinn_loss *l, const term_state *t, size_t idx, char *buf, size_t n,
                       int *is_coef)
{
  const size_t C = t->C, m = l->m;
  *is_coef = idx >= m * C;
  if (*is_coef) {
    const char *c = pinn_problem_coef_name(l->p, idx - m * C);
    snprintf(buf, n, "%s", c ? c : "?");
    return;
  }
  const size_t k = idx / C, c = idx % C;
  const char *u = pinn_problem_output_name(l->p, k);
  if (c == 0) {
    snprintf(buf, n, "%s", u);
    return;
  }
  for (size_t e = 0; e < N_ENTRIES; ++e)
    if (t->chan[e] == (int)c) {
      snprintf(buf, n, "%s_%s%s", u, coord_letter[entries[e].a],
               entries[e].b < 0 ? "" : coord_letter[entries[e].b]);
      return;
    }
  snprintf(buf, n, "%s (jet channel %zu)", u, c);
}

/* "output u", "output u, derivative u_xx" or "coefficient nu". */
static void jet_text(const pinn_loss *l, const term_state *t, size_t idx, char *buf, size_t n)
{
  char name[96];
  int is_coef;
  entry_name(l, t, idx, name, sizeof name, &is_coef);
  if (is_coef) snprintf(buf, n, "coefficient %s", name);
  else if (idx % t->C == 0) snprintf(buf, n, "output %s", name);
  else snprintf(buf, n, "output %s, derivative %s", pinn_problem_output_name(l->p, idx / t->C), name);
}

int pinn_loss_error_at_(pinn_error *e, const pinn_loss *l, const term_state *t, int status,
                        const double *x, const char *fmt, ...)
{
  char where[200];
  pinn_error what;
  va_list ap;
  va_start(ap, fmt);
  pinn_error_vset(&what, status, fmt, ap);
  va_end(ap);
  pinn_loss_point_text_(l, x, where, sizeof where);
  return pinn_error_set(e, status, "term '%s' at %s: %s", t->def.name, where, what.msg);
}

/* What a term's data function is called in messages. */
static const char *data_fn_name(const term_state *t)
{
  return t->ops->data_name ? t->ops->data_name : "data function";
}

int pinn_loss_data_fn_at_(pinn_loss *l, const term_state *t, const double *x, double *v)
{
  int r = t->def.g(x, v, t->def.g_ctx);
  if (r)
    return pinn_loss_error_at_(&l->err, l, t, PINN_ECALLBACK, x,
                               "%s failed: its callback returned %d", data_fn_name(t), r);
  if (!isfinite(*v)) {
    char v_txt[32];
    value_text(*v, v_txt, sizeof v_txt);
    return pinn_loss_error_at_(&l->err, l, t, PINN_ENONFINITE, x, "%s returned %s",
                               data_fn_name(t), v_txt);
  }
  return PINN_SUCCESS;
}

int pinn_loss_condition_failure_(const pinn_loss *l, term_state *t, const double *U, size_t ld,
                                 size_t nb, size_t pt0, const double *x, const double *g)
{
  const size_t C = t->C, k = t->def.k, dim = l->dim;
  const int has_g = g && t->ops->data_name;
  char what[160], v[32];
  pinn_error e;
  for (size_t q = 0; q < nb; ++q) {
    const size_t pt = pt0 + q;
    for (size_t c = 0; c < C; ++c) {
      const double u = U[(k * C + c) * ld + q];
      if (isfinite(u)) continue;
      jet_text(l, t, k * C + c, what, sizeof what);
      value_text(u, v, sizeof v);
      pinn_loss_error_at_(&e, l, t, PINN_ENONFINITE, x + pt * dim, "%s is %s", what, v);
      return pinn_loss_record_failure_(t, pt, &e);
    }
    if (has_g && !isfinite(g[pt])) {
      value_text(g[pt], v, sizeof v);
      pinn_loss_error_at_(&e, l, t, PINN_ENONFINITE, x + pt * dim, "%s is %s", data_fn_name(t),
                          v);
      return pinn_loss_record_failure_(t, pt, &e);
    }
  }
  /* every input is finite: the term's value overflows; name the largest */
  size_t qm = 0, cm = 0;
  double big = -1;
  for (size_t q = 0; q < nb; ++q)
    for (size_t c = 0; c < C; ++c)
      if (fabs(U[(k * C + c) * ld + q]) > big) {
        big = fabs(U[(k * C + c) * ld + q]);
        qm = q;
        cm = c;
      }
  jet_text(l, t, k * C + cm, what, sizeof what);
  pinn_loss_error_at_(&e, l, t, PINN_ENONFINITE, x + (pt0 + qm) * dim,
                      "the term's value overflows (%s = %.6g)", what, U[(k * C + cm) * ld + qm]);
  return pinn_loss_record_failure_(t, pt0 + qm, &e);
}

/* Does coordinate a (0..3 = x, y, z, t) exist in the problem? */
static int has_coord(const pinn_loss *l, int a) { return a == 3 ? l->has_time : (size_t)a < l->d; }

/* Residual component i came out NaN from finite inputs: does the callback
 * read a jet entry the term did not declare (those hold NaN)?  Calls it
 * again with the undeclared entries at 0, then with one at a time at NaN,
 * and writes a hint naming the entry (empty when it is not that).  The
 * undeclared entries hold NaN again on return. */
static void undeclared_hint(const pinn_loss *l, const term_state *t, pinn_res_eval_ *e,
                            const double *x, size_t i, char *hint, size_t n)
{
  pinn_dual r2[PINN_MAX_RESIDUALS];
  const pinn_dual zero = pd_const(0.0), nan = pd_const(NAN);
  hint[0] = '\0';
#define UNDECLARED(k, ent) (*(pinn_dual *)(void *)((char *)&e->u[k] + entries[ent].off))
  for (size_t k = 0; k < l->m; ++k)
    for (size_t ent = 0; ent < N_ENTRIES; ++ent)
      if (t->chan[ent] < 0) UNDECLARED(k, ent) = zero;
  int rc = t->def.res(x, e->u, e->coef, r2, t->def.ctx);
  if (!rc && isfinite(r2[i].v)) {
    for (size_t k = 0; k < l->m && !hint[0]; ++k)
      for (size_t ent = 0; ent < N_ENTRIES && !hint[0]; ++ent) {
        if (t->chan[ent] >= 0) continue;
        UNDECLARED(k, ent) = nan;
        rc = t->def.res(x, e->u, e->coef, r2, t->def.ctx);
        UNDECLARED(k, ent) = zero;
        if (rc || isfinite(r2[i].v)) continue;
        const int a = entries[ent].a, b = entries[ent].b;
        const char *u = pinn_problem_output_name(l->p, k);
        char d[8], flag[8];
        snprintf(d, sizeof d, "%s%s", coord_letter[a], b < 0 ? "" : coord_letter[b]);
        for (size_t c = 0; c <= strlen(d); ++c) flag[c] = (char)(d[c] >= 'a' ? d[c] - 32 : d[c]);
        if (has_coord(l, a) && (b < 0 || has_coord(l, b)))
          snprintf(hint, n, ": the residual reads %s_%s, which the term does not declare "
                   "(add PINN_NEED_%s to its needs)", u, d, flag);
        else
          snprintf(hint, n, ": the residual reads %s_%s, but the problem has no coordinate %s", u,
                   d, has_coord(l, a) ? coord_letter[b] : coord_letter[a]);
      }
  }
  for (size_t k = 0; k < l->m; ++k)
    for (size_t ent = 0; ent < N_ENTRIES; ++ent)
      if (t->chan[ent] < 0) UNDECLARED(k, ent) = nan;
#undef UNDECLARED
}

/* The message for a non-finite result of a residual callback at one point,
 * recorded on the term; returns PINN_ENONFINITE. */
static int residual_failure(term_state *t, pinn_res_eval_ *e, const double *x,
                            const pinn_dual *r, size_t pt)
{
  const pinn_loss *l = e->l;
  char what[160], v[32], hint[200];
  pinn_error f;
  for (size_t s = 0; s < e->ns; ++s) /* the network's own values */
    if (!isfinite(e->slot[s]->v)) {
      jet_text(l, t, e->slot_ch[s], what, sizeof what);
      value_text(e->slot[s]->v, v, sizeof v);
      pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, x, "%s is %s", what, v);
      return pinn_loss_record_failure_(t, pt, &f);
    }
  for (size_t j = 0; j < l->n_coef; ++j)
    if (!isfinite(e->coef[j].v)) {
      value_text(e->coef[j].v, v, sizeof v);
      pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, x, "coefficient %s is %s",
                          pinn_problem_coef_name(l->p, j), v);
      return pinn_loss_record_failure_(t, pt, &f);
    }
  size_t i = 0;
  while (i + 1 < t->def.n_res && pinn_dual_isfinite(&r[i])) ++i;
  if (!isfinite(r[i].v)) {
    value_text(r[i].v, v, sizeof v);
    undeclared_hint(l, t, e, x, i, hint, sizeof hint);
    pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, x, "residual component %zu is %s%s", i, v,
                        hint[0] ? hint
                                : " (from finite inputs: log or sqrt of a negative number, 0/0 "
                                  "or an overflow in the formula?)");
    return pinn_loss_record_failure_(t, pt, &f);
  }
  const size_t used = l->m * t->C + l->n_coef;
  size_t j = 0;
  while (j + 1 < used && isfinite(r[i].d[j])) ++j;
  int is_coef;
  entry_name(l, t, j, what, sizeof what, &is_coef);
  pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, x,
                      "residual component %zu (= %.6g) has a non-finite derivative with respect "
                      "to %s (not differentiable there: sqrt, a fractional power or log at 0?)",
                      i, r[i].v, what);
  return pinn_loss_record_failure_(t, pt, &f);
}

static void nan_jets(pinn_jet *u, size_t m)
{
  pinn_dual nd = pd_const(NAN);
  pinn_dual *flat = (pinn_dual *)(void *)u;
  size_t per = sizeof(pinn_jet) / sizeof(pinn_dual);
  for (size_t i = 0; i < m * per; ++i) flat[i] = nd;
}

/* Residual and complementarity terms: user callback in duals. */
void pinn_loss_res_begin_(const pinn_loss *l, const term_state *t, pinn_res_eval_ *e)
{
  const size_t C = t->C, m = l->m, nc = l->n_coef, tc = m * pinn_loss_width_(t);
  e->l = l;
  /* d coef_j / d theta_j = coef_scale_j: every derivative is then taken with
   * respect to the trained theta (pinn_problem_set_coefficient_scale) */
  for (size_t j = 0; j < nc; ++j) {
    e->coef[j] = pd_var(l->coef[j], (int)(tc + j));
    e->coef[j].d[tc + j] = l->coef_scale[j];
  }
  /* Seed the tangents once per block; per point only the values change. */
  e->ns = 0;
  if (t->tay) { /* a residual of any order: quantity j of output k at k Q + j */
    for (size_t i = 0; i < tc; ++i) {
      e->any[i] = pd_var(0.0, (int)i);
      e->slot[e->ns] = &e->any[i];
      e->slot_ch[e->ns++] = i;
    }
    return;
  }
  nan_jets(e->u, m);
  for (size_t k = 0; k < m; ++k) {
    e->u[k].v = pd_var(0.0, (int)(k * C));
    e->slot[e->ns] = &e->u[k].v;
    e->slot_ch[e->ns++] = k * C;
    for (size_t i = 0; i < N_ENTRIES; ++i) {
      int c = t->chan[i];
      if (c < 0) continue;
      pinn_dual *dst = (pinn_dual *)(void *)((char *)&e->u[k] + entries[i].off);
      *dst = pd_var(0.0, (int)(k * C + (size_t)c));
      e->slot[e->ns] = dst;
      e->slot_ch[e->ns++] = k * C + (size_t)c;
    }
  }
}

static int any_call(term_state *t, pinn_res_eval_ *e, size_t pt, const double *x, pinn_dual *r);

/* The user callback at row q of the block: its raw residuals into r, each
 * checked (a failure names the term, the point and what failed). */
static int res_call(term_state *t, pinn_res_eval_ *e, const double *J, size_t ld, size_t q,
                    size_t pt, const double *x, pinn_dual *r)
{
  for (size_t i = 0; i < e->ns; ++i) e->slot[i]->v = J[e->slot_ch[i] * ld + q];
  if (t->tay) return any_call(t, e, pt, x, r);
  int rc = t->def.res(x, e->u, e->coef, r, t->def.ctx);
  if (rc) {
    pinn_error f;
    pinn_loss_error_at_(&f, e->l, t, PINN_ECALLBACK, x, "the residual callback returned %d", rc);
    return pinn_loss_record_failure_(t, pt, &f);
  }
  for (size_t i = 0; i < t->def.n_res; ++i)
    if (!pinn_dual_isfinite(&r[i])) return residual_failure(t, e, x, r, pt);
  return PINN_SUCCESS;
}

int pinn_loss_res_point_(term_state *t, pinn_res_eval_ *e, const double *J, size_t ld, size_t q,
                         size_t pt, const double *x, double psi, pinn_dual *r, size_t *nr)
{
  int st = res_call(t, e, J, ld, q, pt, x, r);
  if (st) return st;
  *nr = t->def.n_res;
  if (t->ops->dual_map) {
    t->ops->dual_map(&t->def, &e->u[t->def.k].v, psi, r, nr);
    for (size_t i = 0; i < *nr; ++i)
      if (!pinn_dual_isfinite(&r[i])) {
        char v[32];
        pinn_error f;
        value_text(psi, v, sizeof v);
        pinn_loss_error_at_(&f, e->l, t, PINN_ENONFINITE, x, "%s is not finite (psi = %s)",
                            t->ops->dual_map_name, v);
        return pinn_loss_record_failure_(t, pt, &f);
      }
  }
  return PINN_SUCCESS;
}

/* Residual and complementarity terms: user callback in duals (a residual
 * of any order too: the Taylor engine hands it its quantities in the jets'
 * layout, pinn_loss_width_). */
static int seed_residual(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                         void *vctx)
{
  seed_ctx *s = vctx;
  pinn_loss *l = s->l;
  term_state *t = s->t;
  const size_t nc = l->n_coef, tc = l->m * pinn_loss_width_(t);
  pinn_res_eval_ e;
  pinn_dual r[PINN_MAX_RESIDUALS];
  pinn_loss_res_begin_(l, t, &e);
  for (size_t q = 0; q < nb; ++q) {
    const size_t pt = p0 + q;
    size_t nr;
    int st = pinn_loss_res_point_(t, &e, J, ld, q, pt, s->x + pt * l->dim, s->g ? s->g[pt] : 0.0,
                                  r, &nr);
    if (st) return st;
    double sq = 0;
    for (size_t i = 0; i < nr; ++i) sq += r[i].v * r[i].v;
    if (s->out) {
      s->out[pt] = sq;
      continue;
    }
    if (!isfinite(sq)) {
      size_t i = 0;
      pinn_error f;
      while (i + 1 < nr && fabs(r[i].v) < 1e150) ++i;
      pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, s->x + pt * l->dim,
                          "the squared residual overflows (component %zu = %.6g)", i, r[i].v);
      return pinn_loss_record_failure_(t, pt, &f);
    }
    /* causal weights: the point's loss and seed scaled (pinn/causal.h) */
    const double scale = s->pw ? s->scale * s->pw[pt] : s->scale;
    acc[0] += (s->pw ? sq * s->pw[pt] : sq) * s->inv_n;
    for (size_t i = 0; i < nr; ++i) {
      const double f = 2.0 * scale * r[i].v;
      if (f == 0.0) continue;
      for (size_t c = 0; c < tc; ++c) Jb[c * ld + q] += f * r[i].d[c];
      for (size_t j = 0; j < nc; ++j) acc[1 + j] += f * r[i].d[tc + j];
    }
  }
  return 0;
}

/* The name of quantity j of a residual of any order ("u", "u_xxxx", "lap2(u)"). */
static void any_name(const pinn_loss *l, const term_state *t, size_t k, size_t j, char *buf,
                     size_t n)
{
  const char *u = pinn_problem_output_name(l->p, k);
  if (j == 0) snprintf(buf, n, "%s", u);
  else if (t->def.deriv_lap[j - 1]) snprintf(buf, n, "%s(%s)", t->def.deriv_names[j - 1], u);
  else snprintf(buf, n, "%s_%s", u, t->def.deriv_names[j - 1]);
}

/* A residual of any order (PINN_TERM_RESIDUAL_ANY, _BOUNDARY_ANY) at one
 * point, its Taylor quantities already in e->any: each checked, then the
 * user's callback and its residuals (the gradient pass goes through
 * seed_residual as for any residual, the Taylor engine calling it). */
static int any_call(term_state *t, pinn_res_eval_ *e, size_t pt, const double *x, pinn_dual *r)
{
  const pinn_loss *l = e->l;
  const size_t Q = t->nq1;
  pinn_error f;
  char what[96], v[32];
  for (size_t i = 0; i < e->ns; ++i)
    if (!isfinite(e->any[i].v)) {
      any_name(l, t, i / Q, i % Q, what, sizeof what);
      value_text(e->any[i].v, v, sizeof v);
      pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, x, "%s is %s", what, v);
      return pinn_loss_record_failure_(t, pt, &f);
    }
  int rc = t->def.res_any(x, e->any, e->coef, r, t->def.ctx);
  if (rc) {
    pinn_loss_error_at_(&f, l, t, PINN_ECALLBACK, x, "the residual callback returned %d", rc);
    return pinn_loss_record_failure_(t, pt, &f);
  }
  for (size_t i = 0; i < t->def.n_res; ++i)
    if (!pinn_dual_isfinite(&r[i])) {
      value_text(r[i].v, v, sizeof v);
      pinn_loss_error_at_(&f, l, t, PINN_ENONFINITE, x,
                          isfinite(r[i].v) ? "residual component %zu has a non-finite "
                                             "derivative (sqrt, a fractional power or log at 0?)"
                                           : "residual component %zu is %s (log or sqrt of a "
                                             "negative number, 0/0 or an overflow?)",
                          i, v);
      return pinn_loss_record_failure_(t, pt, &f);
    }
  return PINN_SUCCESS;
}

pinn_term_block_ pinn_loss_block_(const pinn_loss *l, const term_state *t, const double *U,
                                  size_t ld, size_t nb, const double *g, const double *nrm)
{
  const pinn_term_block_ b = {&t->def, t->first_ch, t->C, l->d, U, ld, nb, g, nrm};
  return b;
}

/* Conditions, data and obstacle terms (the kind's residual and seed, no
 * callbacks in the hot loop): L = mean r^2, or rho mean phi(r) for a
 * barrier; paired kinds: r = r(lo) - r(hi). */
static int seed_condition(size_t p0, size_t nb, size_t ld, const double *J, double *Jb,
                          double *acc, void *vctx)
{
  seed_ctx *s = vctx;
  const pinn_loss *l = s->l;
  const term_state *t = s->t;
  const pinn_term_ops_ *k = t->ops;
  const size_t rows = k->rows(&t->def), step = k->paired ? 2 : 1;
  const pinn_term_block_ b =
      pinn_loss_block_(l, t, J, ld, nb, s->g + p0, s->nrm ? s->nrm + p0 * l->d : NULL);
  /* the squares go through sq[] and are added in order: never fused into
   * an FMA, whatever -ffp-contract does (it used to fuse the scalar loops
   * of Neumann, Robin and C^1-periodic terms and not the vectorised ones) */
  double r[PINN_BLOCK * PINN_TERM_MAX_ROWS_], sq[PINN_BLOCK * PINN_TERM_MAX_ROWS_], sum = 0;
  k->residual(&b, r);
  size_t m = 0;
  for (size_t q = 0; q + step <= nb; q += step) /* blocks hold whole pairs (PINN_BLOCK is even) */
    for (size_t i = 0; i < rows; ++i) {
      double e = r[q * rows + i], f;
      if (k->paired) e -= r[(q + 1) * rows + i];
      if (k->barrier) {
        double dphi;
        sum += t->rho * pinn_term_barrier_phi_(&t->def.barrier, e, &dphi);
        f = s->scale * t->rho * dphi;
      } else {
        sq[m++] = e * e;
        f = 2 * s->scale * e;
      }
      k->seed(&b, q, i, f, Jb + q, ld);
      if (k->paired) k->seed(&b, q + 1, i, -f, Jb + q + 1, ld);
    }
  for (size_t j = 0; j < m; ++j) sum += sq[j];
  if (!isfinite(sum)) return pinn_loss_condition_failure_(l, s->t, J, ld, nb, p0, s->x, s->g);
  acc[0] += sum * s->inv_n;
  return 0;
}

/* Hard constraints: the seed callbacks see the transformed jets U, and
 * their sensitivities are mapped back to the network's jets. */
typedef struct {
  pinn_loss *l;
  term_state *t;
  pinn_jet_seed_fn inner;
  void *inner_ctx;
  const double *x;   /* points of the pass (for transforms without coefficients) */
  int use_coefs;     /* the term's own points: use the cached coefficients */
} wrap_ctx;

static int seed_transformed(size_t p0, size_t nb, size_t ld, const double *J, double *Jb,
                            double *acc, void *vctx)
{
  wrap_ctx *w = vctx;
  pinn_loss *l = w->l;
  term_state *t = w->t;
  const size_t C = t->C, m = l->m, ws = pinn_transform_work_size(&t->spec, nb);
  const size_t cs = pinn_transform_coef_size(&t->spec);
  double *U = malloc((m * C * ld + l->n_tr * ws) * sizeof *U);
  if (!U) return PINN_ENOMEM;
  double *work = U + m * C * ld;
  memcpy(U, J, m * C * ld * sizeof *U);
  pinn_error e;
  int st = PINN_SUCCESS;
  for (size_t k = 0; k < l->n_tr && !st; ++k) {
    if (w->use_coefs)
      st = pinn_transform_forward_coefs(&l->tr[k], &t->spec, m, t->tcoef[k] + p0 * cs, nb, ld, U,
                                        U, work + k * ws, &e);
    else
      st = pinn_transform_forward(&l->tr[k], &t->spec, m, l->dim, w->x + p0 * l->dim, nb, ld, U,
                                  U, work + k * ws, &e);
  }
  if (st) {
    pinn_error f;
    pinn_error_set(&f, st, "term '%s': output transform: %s", t->def.name, e.msg);
    free(U);
    return pinn_loss_record_failure_(t, p0, &f);
  }
  st = w->inner(p0, nb, ld, U, Jb, acc, w->inner_ctx);
  for (size_t k = l->n_tr; k-- > 0 && !st;)
    st = pinn_transform_adjoint(&l->tr[k], &t->spec, m, nb, ld, Jb, Jb, work + k * ws, &e);
  free(U);
  return st;
}

/* A Taylor pass's failure without a recorded point: the engine's message. */
int pinn_loss_taylor_failed_(term_state *t, int st)
{
  if (st && !t->fail.code) {
    pinn_error e;
    pinn_error_set(&e, st, "term '%s': %s", t->def.name, pinn_taylor_errmsg(t->tay));
    pinn_loss_record_failure_(t, SIZE_MAX, &e);
  }
  return st;
}

/* One network pass of term t over points x (its own when own_points).  A
 * residual of any order goes through the Taylor engine, which hands fn its
 * quantities in the jets' layout (pinn_loss_width_); a failure without a
 * recorded point carries the engine's message. */
static int run_pass(pinn_loss *l, term_state *t, size_t n, const double *x, int own_points,
                    pinn_jet_seed_fn fn, void *ctx, size_t nacc, double *acc, double *grad)
{
  if (t->tay) {
    (void)own_points;
    return pinn_loss_taylor_failed_(t, pinn_taylor_loss_grad(t->tay, l->net, n, x, fn, ctx, nacc,
                                                             acc, grad));
  }
  if (!l->n_tr) return pinn_mlp_loss_grad(l->net, &t->spec, n, x, fn, ctx, nacc, acc, grad);
  wrap_ctx w = {l, t, fn, ctx, x, own_points};
  return pinn_mlp_loss_grad(l->net, &t->spec, n, x, seed_transformed, &w, nacc, acc, grad);
}

/* Rank `rank`'s share of the reduction tree of a pass over the term's own
 * points (lib/reduce_impl.h): its node list into *out. */
static int run_pass_part(pinn_loss *l, term_state *t, pinn_jet_seed_fn fn, void *ctx, size_t nacc,
                         int need_grad, size_t rank, size_t size, pinn_reduce_list_ *out)
{
  if (t->tay)
    return pinn_loss_taylor_failed_(t, pinn_taylor_loss_grad_part_(t->tay, l->net, t->n, t->x, fn,
                                                                   ctx, nacc, need_grad, rank, size,
                                                                   t->lo, out));
  if (!l->n_tr)
    return pinn_mlp_loss_grad_part_(l->net, &t->spec, t->n, t->x, fn, ctx, nacc, need_grad,
                                    rank, size, t->lo, out);
  wrap_ctx w = {l, t, fn, ctx, t->x, 1};
  return pinn_mlp_loss_grad_part_(l->net, &t->spec, t->n, t->x, seed_transformed, &w, nacc,
                                  need_grad, rank, size, t->lo, out);
}

int pinn_loss_predict(pinn_loss *l, size_t n, const double *x, double *u)
{
  if (!l || (n && (!x || !u))) return PINN_EINVAL;
  int st = pinn_mlp_eval(l->net, n, x, u);
  if (st) return pinn_error_set(&l->err, st, "%s", pinn_mlp_errmsg(l->net));
  pinn_jet_spec v = pinn_jet_spec_value();
  for (size_t k = 0; k < l->n_tr; ++k) {
    pinn_error e;
    st = pinn_transform_jets(&l->tr[k], &v, l->m, l->dim, n, x, u, u, &e);
    if (st) return pinn_error_set(&l->err, st, "output transform: %s", e.msg);
  }
  return PINN_SUCCESS;
}

/* ----------------------------------------------------------- evaluation */

/* The seed context of term t's loss pass over its own points, its
 * gradient weighted by w (1: the gradient of L_t alone). */
static seed_ctx term_seed(pinn_loss *l, term_state *t, double w)
{
  const size_t npairs = t->ops->paired ? t->n / 2 : t->n;
  seed_ctx s = {l, t, t->x, t->g, t->normals, w / (double)npairs,
                1.0 / (double)npairs, NULL, pinn_causal_point_weights_(l, (size_t)(t - l->terms))};
  return s;
}

/* A term's pass result: acc = [L_t, dL/dcoef_j (residual terms)]; the
 * network gradient was already added to grad.  The term loss and
 * coefficient gradients are taken in (the same order for one process or a
 * team). */
static int finish_term(pinn_loss *l, const term_state *t, const double *acc, double *grad,
                       double *term_loss)
{
  if (!isfinite(acc[0]))
    return pinn_error_set(&l->err, PINN_ENONFINITE, "term '%s': the loss is not finite (%g)",
                          t->def.name, acc[0]);
  *term_loss = acc[0];
  if (grad && t->ops->dual)
    for (size_t j = 0; j < l->n_coef; ++j) grad[l->n_net + j] += acc[1 + j];
  return PINN_SUCCESS;
}

static size_t term_nacc(const pinn_loss *l, const term_state *t)
{
  return 1 + (t->ops->dual ? l->n_coef : 0);
}

/* ------------------------------------------------------------------ teams */

/* Every per-row array of term t gathered from the team: the term holds
 * all its rows again (collective). */
static int unshare_term(pinn_loss *l, term_state *t)
{
  double *x = NULL, *nrm = NULL, *g = NULL, *c[PINN_MAX_OUTPUTS] = {NULL};
  const size_t cs = pinn_transform_coef_size(&t->spec);
  int st = gather_rows(l, t, t->x, l->dim, &x);
  /* every rank has the same kinds of arrays: the same collectives */
  if (!st && t->normals) st = gather_rows(l, t, t->normals, l->d, &nrm);
  if (!st) st = gather_rows(l, t, t->g, 1, &g);
  for (size_t k = 0; k < l->n_tr && !st; ++k) st = gather_rows(l, t, t->tcoef[k], cs, &c[k]);
  if (st) {
    free(x); free(nrm); free(g);
    for (size_t k = 0; k < l->n_tr; ++k) free(c[k]);
    return st;
  }
  free(t->x); free(t->normals); free(t->g);
  release_gathered(t);
  t->x = x;
  t->normals = nrm;
  t->g = g;
  for (size_t k = 0; k < l->n_tr; ++k) {
    free(t->tcoef[k]);
    t->tcoef[k] = c[k];
  }
  t->lo = 0;
  t->nh = t->n;
  return PINN_SUCCESS;
}

/* Keep only this rank's share of every per-row array of term t (which
 * holds all its rows). */
static int share_term(pinn_loss *l, term_state *t)
{
  size_t lo, hi;
  held_rows(l, (size_t)l->team.rank, t->n, &lo, &hi);
  const size_t nh = hi - lo, cs = pinn_transform_coef_size(&t->spec);
  int fail = 0;
  t->x = keep_rows(t->x, lo, nh, l->dim, &fail);
  t->normals = keep_rows(t->normals, lo, nh, l->d, &fail);
  t->g = keep_rows(t->g, lo, nh, 1, &fail);
  for (size_t k = 0; k < l->n_tr; ++k) t->tcoef[k] = keep_rows(t->tcoef[k], lo, nh, cs, &fail);
  t->lo = lo;
  t->nh = nh;
  release_gathered(t);
  return fail ? pinn_error_set(&l->err, PINN_ENOMEM, "out of memory keeping the share of term '%s'",
                               t->def.name)
              : PINN_SUCCESS;
}

int pinn_loss_share_points_(pinn_loss *l, int share)
{
  if (!l->has_team || l->team.size < 2 || l->sharded == !!share) return PINN_SUCCESS;
  int st = PINN_SUCCESS;
  for (size_t i = 0; i < l->n_terms && !st; ++i)
    st = share ? PINN_SUCCESS : unshare_term(l, &l->terms[i]);
  if (st) return st;
  l->sharded = !!share;
  for (size_t i = 0; i < l->n_terms && !st && share; ++i) st = share_term(l, &l->terms[i]);
  return st;
}

int pinn_loss_set_team(pinn_loss *l, const pinn_team *team)
{
  if (!l) return PINN_EINVAL;
  if (team) {
    int st = pinn_team_check(team, &l->err);
    if (st) return st;
  }
  /* the points come back from the old team before it goes */
  int st = pinn_loss_share_points_(l, 0);
  if (st) return st;
  l->has_team = team != NULL;
  if (team) l->team = *team;
  return pinn_loss_share_points_(l, 1);
}

/* Term t's coordinates and normals gathered from the team into xall, nall
 * (collective; nothing to do without sharing or when already gathered). */
static int gather_term(pinn_loss *l, term_state *t)
{
  if (!l->sharded || t->xall) return PINN_SUCCESS;
  int st = gather_rows(l, t, t->x, l->dim, &t->xall);
  if (!st && t->normals) st = gather_rows(l, t, t->normals, l->d, &t->nall);
  if (st) release_gathered(t);
  return st;
}

int pinn_loss_gather_points(pinn_loss *l)
{
  if (!l) return PINN_EINVAL;
  int st = PINN_SUCCESS;
  for (size_t i = 0; i < l->n_terms && !st; ++i) st = gather_term(l, &l->terms[i]);
  return st;
}

void pinn_loss_release_points_(pinn_loss *l)
{
  for (size_t i = 0; l && i < l->n_terms; ++i) release_gathered(&l->terms[i]);
}

const pinn_team *pinn_loss_team(const pinn_loss *l)
{
  return l && l->has_team ? &l->team : NULL;
}

/* A rank's contribution to an evaluation: status, failing term, failing
 * point, the message (PINN_ERRMSG_SIZE bytes in doubles), then per term the
 * packed node list's length and the list. */
enum { HDR = 3, MSG_DOUBLES = (PINN_ERRMSG_SIZE + sizeof(double) - 1) / sizeof(double) };

/* The contribution of status st (failing term fterm, point fpoint, message
 * msg) and node lists[0..T) (left out after a failure), packed into a
 * fresh buffer of *count doubles; NULL when out of memory. */
static double *pack_contribution(const pinn_loss *l, double st, double fterm, double fpoint,
                                 const char *msg, const pinn_reduce_list_ *lists, size_t *count)
{
  size_t n = HDR + MSG_DOUBLES;
  for (size_t i = 0; i < l->n_terms; ++i) n += 1 + (st == 0.0 ? pinn_reduce_pack_(&lists[i], NULL) : 0);
  double *b = calloc(n, sizeof *b);
  if (!b) return NULL;
  b[0] = st;
  b[1] = fterm;
  b[2] = fpoint;
  if (st != 0.0) memcpy(b + HDR, msg, PINN_ERRMSG_SIZE);
  size_t k = HDR + MSG_DOUBLES;
  for (size_t i = 0; i < l->n_terms; ++i) {
    const size_t c = st == 0.0 ? pinn_reduce_pack_(&lists[i], b + k + 1) : 0;
    b[k] = (double)c;
    k += 1 + c;
  }
  *count = n;
  return b;
}

/* Does contribution header h fail before (lower term, then point) the
 * failure kept in best (NULL: none kept)? */
static int fails_first(const double *h, const double *best)
{
  return h[0] != 0.0 && (!best || h[1] < best[1] || (h[1] == best[1] && h[2] < best[2]));
}

/* Append the node lists of rank r's packed contribution buf (count doubles,
 * no failure) to lists[0..T), in term order. */
static int absorb(pinn_loss *l, const double *buf, size_t count, size_t r, pinn_reduce_list_ *lists)
{
  size_t k = HDR + MSG_DOUBLES;
  for (size_t i = 0; i < l->n_terms; ++i) {
    /* a list's length, then the list */
    const double room = k < count ? (double)(count - k - 1) : -1.0;
    const double dc = room >= 0.0 ? buf[k] : -1.0;
    const size_t c = dc >= 0.0 && dc <= room ? (size_t)dc : 0;
    if (!(dc >= 0.0 && dc <= room) || pinn_reduce_unpack_(&lists[i], buf + k + 1, c))
      return pinn_error_set(&l->err, PINN_EFAILED,
                            "term '%s': the team exchange from rank %zu is malformed (do all ranks "
                            "run the same problem and network?)",
                            l->terms[i].def.name, r);
    k += 1 + c;
  }
  return PINN_SUCCESS;
}

/* The length of term i's vectors: its accumulators, then the network's
 * gradient when one is wanted. */
static size_t team_len(const pinn_loss *l, size_t i, int grad)
{
  return term_nacc(l, &l->terms[i]) + (grad ? l->n_net : 0);
}

/* The roots of complete lists[0..T) into roots (each term's vector after
 * the previous term's). */
static int team_roots(pinn_loss *l, const pinn_reduce_list_ *lists, int grad, double *roots)
{
  size_t off = 0;
  for (size_t i = 0; i < l->n_terms; ++i) {
    if (pinn_reduce_root_(&lists[i], roots + off))
      return pinn_error_set(&l->err, PINN_EFAILED,
                            "term '%s': the team's shares do not cover its points (do all ranks "
                            "run the same problem and network?)",
                            l->terms[i].def.name);
    off += team_len(l, i, grad);
  }
  return PINN_SUCCESS;
}

/* The all-gather exchange: every rank receives every contribution and
 * completes every tree.  roots as team_roots. */
static int exchange_allgather(pinn_loss *l, const double *send, size_t count, int grad,
                              double *roots)
{
  const pinn_team *tm = &l->team;
  const size_t T = l->n_terms, R = (size_t)tm->size;
  size_t counts[PINN_TEAM_MAX_SIZE], total = 0;
  double *recv = NULL;
  int tst = 0;
  if (tm->allgather(send, send ? count : 0, counts, NULL, tm->ctx)) tst = PINN_EFAILED;
  for (size_t r = 0; r < R && !tst; ++r) total += counts[r];
  if (!tst && !(recv = malloc((total ? total : 1) * sizeof *recv))) tst = PINN_ENOMEM;
  if (!tst && tm->allgather(send, count, counts, recv, tm->ctx)) tst = PINN_EFAILED;
  if (tst) {
    free(recv);
    return pinn_error_set(&l->err, tst, "the team exchange of rank %d failed%s", tm->rank,
                          tst == PINN_ENOMEM ? " (out of memory)" : "");
  }
  /* failures: the smallest term, then point, of any rank (as one process) */
  const double *best = NULL;
  for (size_t r = 0, off = 0; r < R; off += counts[r++])
    if (counts[r] >= HDR + MSG_DOUBLES && fails_first(recv + off, best)) best = recv + off;
  int st = PINN_SUCCESS;
  if (best) {
    char msg[PINN_ERRMSG_SIZE];
    memcpy(msg, best + HDR, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    st = pinn_error_set(&l->err, (int)best[0], "%s", msg);
  }
  pinn_reduce_list_ *all = st ? NULL : calloc(T ? T : 1, sizeof *all);
  if (!st && !all) st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory for the team exchange");
  for (size_t i = 0; all && i < T; ++i)
    pinn_reduce_list_init_(&all[i], team_len(l, i, grad),
                           pinn_reduce_leaves_((l->terms[i].n + PINN_BLOCK - 1) / PINN_BLOCK));
  /* every term: the ranks' node lists in rank order make its tree */
  for (size_t r = 0, off = 0; r < R && !st; off += counts[r++])
    st = absorb(l, recv + off, counts[r], r, all);
  if (!st) st = team_roots(l, all, grad, roots);
  for (size_t i = 0; all && i < T; ++i) pinn_reduce_list_free_(&all[i]);
  free(all);
  free(recv);
  return st;
}

/* The next message from rank src into a fresh *buf of *count doubles. */
static int team_receive(const pinn_team *tm, int src, double **buf, size_t *count)
{
  *buf = NULL;
  if (tm->recv(NULL, count, src, tm->ctx)) return PINN_EFAILED;
  *buf = malloc((*count ? *count : 1) * sizeof **buf);
  if (!*buf) return PINN_ENOMEM; /* the message stays unread: the job ends anyway */
  return tm->recv(*buf, count, src, tm->ctx) ? PINN_EFAILED : PINN_SUCCESS;
}

/* The tree exchange: a binomial reduction of the contributions to rank 0
 * (rank r receives from r + s for s = 1, 2, 4, ... below its lowest set
 * bit, then sends everything it holds, the contiguous ranks [r, r + 2^k),
 * to r - 2^k), rank 0 completes the trees, and the result (status, message,
 * roots) goes back down the same tree.  hdr: this rank's contribution
 * header (HDR + MSG_DOUBLES doubles), which keeps the first failure seen;
 * lists: its node lists, which grow by the ranks received.  (Out of memory
 * for a message leaves the ranks below waiting: a job out of memory ends
 * anyway.) */
static int exchange_tree(pinn_loss *l, double *hdr, pinn_reduce_list_ *lists, int grad,
                         double *roots)
{
  const pinn_team *tm = &l->team;
  const size_t R = (size_t)tm->size, r = (size_t)tm->rank, T = l->n_terms;
  const size_t H = HDR + MSG_DOUBLES;
  size_t nroots = 0;
  for (size_t i = 0; i < T; ++i) nroots += team_len(l, i, grad);
  int tst = PINN_SUCCESS;
  size_t s = 1;
  for (; s < R && !tst; s *= 2) { /* up */
    if (r & s) {
      size_t c = H;
      double *packed = hdr[0] == 0.0 ? pack_contribution(l, 0.0, 0, 0, NULL, lists, &c) : NULL;
      if (hdr[0] == 0.0 && !packed) {
        hdr[0] = PINN_ENOMEM;
        hdr[1] = hdr[2] = 0;
        snprintf((char *)(hdr + HDR), PINN_ERRMSG_SIZE, "out of memory for the team exchange");
        c = H;
      }
      if (tm->send(packed ? packed : hdr, c, (int)(r - s), tm->ctx)) tst = PINN_EFAILED;
      free(packed);
      break;
    }
    if (r + s >= R) continue;
    double *in = NULL;
    size_t n = 0;
    tst = team_receive(tm, (int)(r + s), &in, &n);
    if (!tst && n < H) tst = PINN_EFAILED;
    if (!tst && fails_first(in, hdr[0] != 0.0 ? hdr : NULL)) {
      memcpy(hdr, in, H * sizeof *hdr);
    } else if (!tst && hdr[0] == 0.0 && absorb(l, in, n, r + s, lists)) {
      hdr[0] = PINN_EFAILED;
      hdr[1] = hdr[2] = 0;
      memcpy(hdr + HDR, l->err.msg, PINN_ERRMSG_SIZE);
    }
    free(in);
  }
  /* down: [status, message, then the roots when the status is 0] */
  const size_t full = 1 + MSG_DOUBLES + nroots;
  double *res = NULL, fail[1 + MSG_DOUBLES];
  size_t n = 0;
  if (!tst && r == 0) {
    res = calloc(full, sizeof *res);
    if (hdr[0] == 0.0 && !res) {
      hdr[0] = PINN_ENOMEM;
      snprintf((char *)(hdr + HDR), PINN_ERRMSG_SIZE, "out of memory for the team exchange");
    }
    if (hdr[0] == 0.0 && team_roots(l, lists, grad, res + 1 + MSG_DOUBLES)) {
      hdr[0] = PINN_EFAILED;
      memcpy(hdr + HDR, l->err.msg, PINN_ERRMSG_SIZE);
    }
    if (hdr[0] != 0.0) {
      free(res);
      res = NULL;
    }
    double *out = res ? res : fail;
    out[0] = hdr[0];
    memcpy(out + 1, hdr + HDR, MSG_DOUBLES * sizeof *out);
    n = res ? full : 1 + MSG_DOUBLES;
    for (s = 1; s < R;) s *= 2; /* rank 0 sends to s/2, s/4, ..., 1 */
  } else if (!tst) {
    s = r & (~r + 1); /* the lowest set bit: the parent is r - s */
    tst = team_receive(tm, (int)(r - s), &res, &n);
    if (!tst && !(n == full || (n == 1 + MSG_DOUBLES && res[0] != 0.0))) tst = PINN_EFAILED;
  }
  const double *out = res ? res : fail;
  for (s /= 2; !tst && s >= 1; s /= 2)
    if (r + s < R && tm->send(out, n, (int)(r + s), tm->ctx)) tst = PINN_EFAILED;
  int st = PINN_SUCCESS;
  if (tst) {
    st = pinn_error_set(&l->err, tst, "the team exchange of rank %d failed%s", tm->rank,
                        tst == PINN_ENOMEM ? " (out of memory)" : "");
  } else if (out[0] != 0.0) {
    char msg[PINN_ERRMSG_SIZE];
    memcpy(msg, out + 1, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    st = pinn_error_set(&l->err, (int)out[0], "%s", msg);
  } else {
    memcpy(roots, out + 1 + MSG_DOUBLES, nroots * sizeof *roots);
  }
  free(res);
  return st;
}

/* pinn_loss_eval over the team: this rank's share of every term, one
 * exchange (a binomial tree when the team has point-to-point messages,
 * else an all-gather), every rank gets the same complete trees. */
static int eval_team(pinn_loss *l, double *grad, int per_term, double *terms, double *total)
{
  const pinn_team *tm = &l->team;
  const size_t T = l->n_terms, R = (size_t)tm->size;
  size_t nroots = 0;
  for (size_t i = 0; i < T; ++i) nroots += team_len(l, i, grad != NULL);
  pinn_reduce_list_ *lists = calloc(T ? T : 1, sizeof *lists);
  double *roots = calloc(nroots ? nroots : 1, sizeof *roots);
  if (!lists || !roots) {
    free(lists);
    free(roots);
    return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory for the team exchange");
  }
  for (size_t i = 0; i < T; ++i) pinn_reduce_list_init_(&lists[i], 0, 1);
  /* this rank's share; a failure stops the later terms but not the exchange */
  size_t fterm = T, fpoint = 0;
  int st = PINN_SUCCESS;
  for (size_t i = 0; i < T && !st; ++i) {
    term_state *t = &l->terms[i];
    seed_ctx s = term_seed(l, t, per_term ? 1.0 : t->w);
    pinn_error_clear(&t->fail);
    st = run_pass_part(l, t, t->ops->dual ? seed_residual : seed_condition, &s, term_nacc(l, t),
                       grad != NULL, (size_t)tm->rank, R, &lists[i]);
    if (st) {
      st = pinn_loss_pass_failed_(l, t, st);
      fterm = i;
      fpoint = t->fail.code ? t->lo + t->fail_point : 0;
    }
  }
  if (tm->send) { /* the lists travel as they grow */
    double hdr[HDR + MSG_DOUBLES] = {0};
    hdr[0] = (double)st;
    hdr[1] = (double)fterm;
    hdr[2] = (double)fpoint;
    if (st) memcpy(hdr + HDR, l->err.msg, PINN_ERRMSG_SIZE);
    st = exchange_tree(l, hdr, lists, grad != NULL, roots);
  } else {
    size_t count = 0;
    double *own = pack_contribution(l, (double)st, (double)fterm, (double)fpoint, l->err.msg,
                                    lists, &count);
    st = exchange_allgather(l, own, count, grad != NULL, roots);
    free(own);
  }
  for (size_t i = 0; i < T; ++i) pinn_reduce_list_free_(&lists[i]);
  free(lists);
  /* every rank: the same roots, added in term order */
  for (size_t i = 0, off = 0; i < T && !st; off += team_len(l, i++, grad != NULL)) {
    const term_state *t = &l->terms[i];
    const size_t nacc = term_nacc(l, t);
    double *gi = grad && per_term ? grad + i * pinn_loss_n_params(l) : grad;
    if (gi)
      for (size_t j = 0; j < l->n_net; ++j) gi[j] += roots[off + nacc + j];
    double li = 0;
    st = finish_term(l, t, roots + off, gi, &li);
    if (terms) terms[i] = li;
    l->terms[i].last = li;
    *total += l->terms[i].w * li;
  }
  free(roots);
  return st;
}

/* Term i's loss into *term_loss and its gradient weighted by w added to grad. */
static int eval_term(pinn_loss *l, size_t i, double w, double *grad, double *term_loss)
{
  term_state *t = &l->terms[i];
  seed_ctx s = term_seed(l, t, w);
  double acc[1 + PINN_MAX_COEFS];
  const int resid = t->ops->dual;
  const size_t nacc = term_nacc(l, t);
  pinn_error_clear(&t->fail);
  int st = run_pass(l, t, t->n, t->x, 1, resid ? seed_residual : seed_condition, &s, nacc, acc,
                    grad);
  if (st) return pinn_loss_pass_failed_(l, t, st);
  return finish_term(l, t, acc, grad, term_loss);
}

/* pinn_loss_eval, or with per_term pinn_loss_term_grads (grad: n_terms
 * rows, term i's unweighted gradient in row i). */
static int evaluate(pinn_loss *l, const double *theta, double *f, double *grad, int per_term,
                    double *terms)
{
  if (!l) return PINN_EINVAL;
  const size_t P = pinn_loss_n_params(l);
  if (theta) pinn_loss_set_params(l, theta);
  if (grad) memset(grad, 0, (per_term ? l->n_terms : 1) * P * sizeof *grad);
  l->n_evals++;
  double total = 0;
  int st = PINN_SUCCESS;
  const int team = l->has_team && l->team.size > 1;
  st = pinn_causal_prepare_(l); /* the causal weights at theta (pinn/causal.h) */
  if (team && !st) st = eval_team(l, grad, per_term, terms, &total);
  for (size_t i = 0; !team && i < l->n_terms && !st; ++i) {
    double li = 0;
    term_state *t = &l->terms[i];
    st = eval_term(l, i, per_term ? 1.0 : t->w, grad && per_term ? grad + i * P : grad, &li);
    if (terms) terms[i] = li;
    t->last = li;
    total += t->w * li;
  }
  l->last_status = st;
  if (st) {
    l->have_last = 0;
    return st;
  }
  if (f) *f = total;
  pinn_loss_get_params(l, l->last_theta);
  for (size_t i = 0; i < l->n_terms; ++i) l->last_terms[i] = terms ? terms[i] : l->terms[i].last;
  l->have_last = 1;
  return PINN_SUCCESS;
}

int pinn_loss_eval(pinn_loss *l, const double *theta, double *f, double *grad, double *terms)
{
  return evaluate(l, theta, f, grad, 0, terms);
}

int pinn_loss_term_grads(pinn_loss *l, const double *theta, double *f, double *grads,
                         double *terms)
{
  if (l && !grads)
    return pinn_error_set(&l->err, PINN_EINVAL, "pinn_loss_term_grads: grads must not be NULL");
  return evaluate(l, theta, f, grads, 1, terms);
}

int pinn_loss_set_term_weight(pinn_loss *l, size_t i, double w)
{
  if (!l) return PINN_EINVAL;
  if (i >= l->n_terms)
    return pinn_error_set(&l->err, PINN_EINVAL, "pinn_loss_set_term_weight: term %zu of %zu", i,
                          l->n_terms);
  if (!(w >= 0) || !isfinite(w))
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "term '%s': the weight must be finite and >= 0, got %g",
                          l->terms[i].def.name, w);
  l->terms[i].w = w; /* the cached per-term losses are unweighted: still valid */
  return PINN_SUCCESS;
}

double pinn_loss_term_weight(const pinn_loss *l, size_t i)
{
  return l && i < l->n_terms ? l->terms[i].w : NAN;
}

int pinn_loss_last_terms(pinn_loss *l, const double *theta, double *terms)
{
  const size_t P = pinn_loss_n_params(l);
  if (l->have_last && memcmp(theta, l->last_theta, P * sizeof(double)) == 0) {
    memcpy(terms, l->last_terms, l->n_terms * sizeof(double));
    return PINN_SUCCESS;
  }
  double f;
  return pinn_loss_eval(l, theta, &f, NULL, terms);
}

/* GSL glue */
static double gsl_f(const gsl_vector *x, void *params)
{
  pinn_loss *l = params;
  double f;
  if (x->stride != 1) return GSL_NAN;
  if (pinn_loss_eval(l, x->data, &f, NULL, NULL)) return GSL_NAN;
  return f;
}

static void gsl_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
  pinn_loss *l = params;
  if (x->stride != 1 || g->stride != 1 || pinn_loss_eval(l, x->data, f, g->data, NULL)) {
    *f = GSL_NAN;
    gsl_vector_set_all(g, GSL_NAN);
  }
}

static void gsl_df(const gsl_vector *x, void *params, gsl_vector *g)
{
  double f;
  gsl_fdf(x, params, &f, g);
}

void pinn_loss_gsl_function(pinn_loss *l, gsl_multimin_function_fdf *F)
{
  F->n = pinn_loss_n_params(l);
  F->f = gsl_f;
  F->df = gsl_df;
  F->fdf = gsl_fdf;
  F->params = l;
}

/* ------------------------------------------------------- points, RAR */

/* Every row of term t: its own arrays, or the team's gathered copy (NULL
 * when the points are shared and were not gathered). */
static const double *all_rows(const pinn_loss *l, const term_state *t)
{
  return l->sharded ? t->xall : t->x;
}

int pinn_loss_term_points(const pinn_loss *l, size_t i, size_t *n, size_t *dim, const double **x)
{
  if (!l || i >= l->n_terms) return PINN_EINVAL;
  if (n) *n = l->terms[i].n;
  if (dim) *dim = l->dim;
  if (x) {
    *x = all_rows(l, &l->terms[i]);
    if (!*x) return PINN_EINVAL; /* shared and not gathered */
  }
  return PINN_SUCCESS;
}

int pinn_loss_term_share(const pinn_loss *l, size_t i, size_t *first, size_t *count)
{
  if (!l || i >= l->n_terms) return PINN_EINVAL;
  if (first) *first = l->terms[i].lo;
  if (count) *count = l->terms[i].nh;
  return PINN_SUCCESS;
}

int pinn_loss_resample(pinn_loss *l)
{
  for (size_t i = 0; i < l->n_terms; ++i) {
    int st = resample_term(l, &l->terms[i]);
    if (st) return st;
  }
  return PINN_SUCCESS;
}

int pinn_loss_residual_at(pinn_loss *l, size_t i, size_t n, const double *x, double *out)
{
  if (!l) return PINN_EINVAL;
  if (i >= l->n_terms || !l->terms[i].ops->dual)
    return pinn_error_set(&l->err, PINN_EINVAL, "term %zu is not a residual term", i);
  term_state *t = &l->terms[i];
  double *g = NULL;
  if (t->ops->obstacle) { /* complementarity: psi at the points */
    g = malloc((n ? n : 1) * sizeof *g);
    if (!g) return pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
    for (size_t q = 0; q < n; ++q) {
      int st = pinn_loss_data_fn_at_(l, t, x + q * l->dim, &g[q]);
      if (st) {
        free(g);
        return st;
      }
    }
  }
  seed_ctx s = {l, t, x, g, NULL, 0.0, 0.0, out, NULL};
  double acc[1 + PINN_MAX_COEFS];
  pinn_error_clear(&t->fail);
  int st = run_pass(l, t, n, x, 0, seed_residual, &s, 1 + l->n_coef, acc, NULL);
  free(g);
  return st ? pinn_loss_pass_failed_(l, t, st) : PINN_SUCCESS;
}

size_t pinn_loss_n_validation(const pinn_loss *l, size_t i)
{
  return l && i < l->n_terms ? l->terms[i].n_val : 0;
}

int pinn_loss_validation(pinn_loss *l, const double *theta, double *f, double *terms)
{
  if (!l) return PINN_EINVAL;
  size_t held = 0;
  for (size_t i = 0; i < l->n_terms; ++i) held += l->terms[i].n_val;
  if (!held)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "the loss holds no held-out observations (set "
                          "pinn_loss_options.validation, --validation FRAC)");
  if (theta) pinn_loss_set_params(l, theta);
  double total = 0;
  for (size_t i = 0; i < l->n_terms; ++i) {
    term_state *t = &l->terms[i];
    if (terms) terms[i] = NAN;
    if (!t->n_val) continue;
    seed_ctx s = {l, t, t->val_x, t->val_y, NULL, t->def.weight / (double)t->n_val,
                  1.0 / (double)t->n_val, NULL, NULL};
    double acc[1] = {0};
    pinn_error_clear(&t->fail);
    int st = run_pass(l, t, t->n_val, t->val_x, 0, seed_condition, &s, 1, acc, NULL);
    if (st) return pinn_loss_pass_failed_(l, t, st);
    if (!isfinite(acc[0]))
      return pinn_error_set(&l->err, PINN_ENONFINITE,
                            "term '%s': the validation loss is not finite (%g)", t->def.name, acc[0]);
    if (terms) terms[i] = acc[0];
    total += t->def.weight * acc[0];
  }
  if (f) *f = total;
  return PINN_SUCCESS;
}

/* Complementarity terms: lambda = sense R at each point (no gradient). */
static int seed_multiplier(size_t p0, size_t nb, size_t ld, const double *J, double *Jb,
                           double *acc, void *vctx)
{
  (void)Jb, (void)acc;
  seed_ctx *s = vctx;
  pinn_loss *l = s->l;
  term_state *t = s->t;
  pinn_res_eval_ e;
  pinn_dual r[PINN_MAX_RESIDUALS];
  pinn_loss_res_begin_(l, t, &e);
  for (size_t q = 0; q < nb; ++q) {
    const size_t pt = p0 + q;
    const double *x = s->x + pt * l->dim;
    int st = res_call(t, &e, J, ld, q, pt, x, r);
    if (st) return st;
    s->out[pt] = t->def.sense < 0 ? -r[0].v : r[0].v;
  }
  return 0;
}

int pinn_loss_multiplier_at(pinn_loss *l, size_t i, size_t n, const double *x, double *lambda)
{
  if (!l) return PINN_EINVAL;
  if (i >= l->n_terms || !(l->terms[i].ops->dual && l->terms[i].ops->obstacle))
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "term %zu is not a complementarity term: it has no multiplier", i);
  if (n && (!x || !lambda))
    return pinn_error_set(&l->err, PINN_EINVAL, "multiplier: NULL points or output");
  term_state *t = &l->terms[i];
  seed_ctx s = {l, t, x, NULL, NULL, 0.0, 0.0, lambda, NULL};
  double acc[1 + PINN_MAX_COEFS];
  pinn_error_clear(&t->fail);
  int st = run_pass(l, t, n, x, 0, seed_multiplier, &s, 1 + l->n_coef, acc, NULL);
  return st ? pinn_loss_pass_failed_(l, t, st) : PINN_SUCCESS;
}

/* The candidates of adaptive sampling (RAR, RAD): n_candidates fresh
 * points of residual term i's region (its sampler continues) into *cx
 * (*nc x dim, their normals *cn or NULL) and their |r|^2 into *score, all
 * malloc'd (freed on failure).  `what` names the caller in messages. */
static int candidates(pinn_loss *l, size_t i, size_t n_candidates, const char *what, double **cx,
                      double **cn, double **score, size_t *nc)
{
  *cx = *cn = *score = NULL;
  if (i >= l->n_terms || !l->terms[i].ops->dual)
    return pinn_error_set(&l->err, PINN_EINVAL, "%s needs a residual term (term %zu is not)", what,
                          i);
  int st = sample_term(l, &l->terms[i], n_candidates, cx, cn, nc);
  if (st) return st;
  *score = malloc((*nc ? *nc : 1) * sizeof **score);
  if (!*score) st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  if (!st) st = pinn_loss_residual_at(l, i, *nc, *cx, *score);
  if (st) {
    free(*cx);
    free(*cn);
    free(*score);
    *cx = *cn = *score = NULL;
  }
  return st;
}

int pinn_loss_refine(pinn_loss *l, size_t i, size_t n_candidates, size_t n_add)
{
  if (!l) return PINN_EINVAL;
  if (n_add == 0 || n_add > n_candidates)
    return pinn_error_set(&l->err, PINN_EINVAL, "refinement: need 0 < n_add <= n_candidates");
  if (i >= l->n_terms || !l->terms[i].ops->dual)
    return pinn_error_set(&l->err, PINN_EINVAL, "refinement needs a residual term (term %zu is not)",
                          i);
  term_state *t = &l->terms[i];
  double *cx, *cn, *score;
  size_t nc;
  /* the new rows follow every rank's old ones (a team gathers them) */
  int st = gather_term(l, t);
  if (st) return st;
  st = candidates(l, i, n_candidates, "refinement", &cx, &cn, &score, &nc);
  if (st) return st;
  free(cn);
  if (n_add > nc) n_add = nc;
  size_t *idx = malloc(n_add * sizeof *idx);
  double *nx = NULL;
  if (!idx) st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  if (!st) st = pinn_sample_top_k(nc, score, n_add, idx);
  if (!st) {
    nx = malloc((t->n + n_add) * l->dim * sizeof *nx);
    if (!nx) st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  }
  if (!st) {
    memcpy(nx, all_rows(l, t), t->n * l->dim * sizeof *nx);
    for (size_t j = 0; j < n_add; ++j)
      memcpy(nx + (t->n + j) * l->dim, cx + idx[j] * l->dim, l->dim * sizeof *nx);
    st = set_points(l, t, nx, NULL, t->n + n_add);
  }
  free(cx);
  free(score);
  free(idx);
  return st;
}

static int cmp_index(const void *a, const void *b)
{
  const size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

int pinn_loss_redistribute(pinn_loss *l, size_t i, size_t n_candidates, double k, double c,
                           size_t round)
{
  if (!l) return PINN_EINVAL;
  if (!(k >= 0) || !isfinite(k) || !(c >= 0) || !isfinite(c))
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "redistribution (RAD): need finite k >= 0 and c >= 0, got k = %g, c = %g",
                          k, c);
  if (i >= l->n_terms || !l->terms[i].ops->dual)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "redistribution (RAD) needs a residual term (term %zu is not)", i);
  term_state *t = &l->terms[i];
  const size_t n = t->n, dim = l->dim;
  if (n_candidates < n)
    return pinn_error_set(&l->err, PINN_EINVAL,
                          "redistribution (RAD): %zu candidates for the %zu points of term '%s'; "
                          "draw at least as many candidates as points",
                          n_candidates, n, t->def.name);
  double *cx, *cn, *score;
  size_t nc;
  int st = candidates(l, i, n_candidates, "redistribution (RAD)", &cx, &cn, &score, &nc);
  if (st) return st;
  size_t *idx = malloc(n * sizeof *idx);
  double *nx = malloc(n * dim * sizeof *nx), *nn = cn ? malloc(n * l->d * sizeof *nn) : NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!idx || !nx || (cn && !nn) || !rng) st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
  if (!st && nc < n)
    st = pinn_error_set(&l->err, PINN_EINVAL,
                        "redistribution (RAD): term '%s' kept only %zu of %zu candidates (its "
                        "'where' filter); draw more candidates",
                        t->def.name, nc, n);
  if (!st) {
    /* p_j = |r_j|^k / mean |r|^k + c; score holds |r|^2 */
    double mean = 0;
    for (size_t j = 0; j < nc; ++j) {
      score[j] = k == 0 ? 1.0 : pow(score[j], 0.5 * k);
      mean += score[j];
    }
    mean /= (double)nc;
    /* Efraimidis-Spirakis: the n largest keys log(u_j) / p_j are a draw
     * without replacement with probabilities proportional to p_j (every p
     * the same when no residual is left) */
    gsl_rng_set(rng, l->opt.seed * 2654435761UL + 7919UL * i + 104729UL * round + 1);
    for (size_t j = 0; j < nc; ++j) {
      const double p = mean > 0 && isfinite(mean) ? score[j] / mean + c : 1.0;
      const double u = gsl_rng_uniform_pos(rng);
      score[j] = p > 0 ? log(u) / p : -INFINITY;
    }
    st = pinn_sample_top_k(nc, score, n, idx);
    if (st) st = pinn_error_set(&l->err, st, "redistribution (RAD): term '%s': a residual at the "
                                "candidates is not finite", t->def.name);
  }
  if (!st) {
    qsort(idx, n, sizeof *idx, cmp_index); /* the kept points in their candidate order */
    for (size_t j = 0; j < n; ++j) {
      memcpy(nx + j * dim, cx + idx[j] * dim, dim * sizeof *nx);
      if (nn) memcpy(nn + j * l->d, cn + idx[j] * l->d, l->d * sizeof *nn);
    }
    st = set_points(l, t, nx, nn, n);
    nx = nn = NULL;
  }
  gsl_rng_free(rng);
  free(cx);
  free(cn);
  free(score);
  free(idx);
  free(nx);
  free(nn);
  return st;
}

int pinn_loss_continue(pinn_loss *l)
{
  int changed = 0;
  for (size_t i = 0; i < l->n_terms; ++i) {
    term_state *t = &l->terms[i];
    if (!t->ops->barrier || !(t->def.barrier.growth > 1)) continue; /* fixed */
    double r = fmin(t->rho * t->def.barrier.growth, t->def.barrier.rho_max);
    if (r != t->rho) {
      t->rho = r;
      ++changed;
    }
  }
  return changed;
}

double pinn_loss_barrier_rho(const pinn_loss *l, size_t i)
{
  return (i < l->n_terms && l->terms[i].ops->barrier) ? l->terms[i].rho : NAN;
}

/* ------------------------------------------------------- checkpoints */

int pinn_loss_save_state(const pinn_loss *l, pinn_h5_writer *w, const char *group, pinn_error *err)
{
  char name[256];
  int st = pinn_h5_create_group(w, group);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "n_terms", (int64_t)l->n_terms);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "n_evals", (int64_t)l->n_evals);
  if (!st) st = pinn_causal_save_(l, w, group);
  if (!st && l->n_coef) {
    size_t dims[1] = {l->n_coef};
    snprintf(name, sizeof name, "%s/coefs", group); /* the trained values (scaled) */
    st = pinn_h5_write_dataset(w, name, 1, dims, l->coef_theta);
  }
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    const term_state *t = &l->terms[i];
    char tg[200];
    snprintf(tg, sizeof tg, "%s/%s", group, t->def.name);
    st = pinn_h5_create_group(w, tg);
    size_t dims[2] = {t->n, l->dim};
    const double *x = all_rows(l, t), *nrm = l->sharded ? t->nall : t->normals;
    if (!x || (t->normals && !nrm))
      return pinn_error_set(err, PINN_EINVAL, "the points of term '%s' are shared among the "
                            "team's ranks: call pinn_loss_gather_points on every rank first",
                            t->def.name);
    snprintf(name, sizeof name, "%s/x", tg);
    if (!st) st = pinn_h5_write_dataset(w, name, 2, dims, x);
    if (!st && nrm) {
      size_t nd[2] = {t->n, l->d};
      snprintf(name, sizeof name, "%s/normals", tg);
      st = pinn_h5_write_dataset(w, name, 2, nd, nrm);
    }
    if (!st) st = pinn_h5_set_attr_double(w, tg, "rho", t->rho);
    if (!st) st = pinn_h5_set_attr_double(w, tg, "weight", t->w);
    if (!st && t->sampler) {
      size_t nb = pinn_sampler_state_size(t->sampler), nw = (nb + 7) / 8;
      int64_t *buf = calloc(nw ? nw : 1, sizeof *buf);
      if (!buf) return pinn_error_set(err, PINN_ENOMEM, "out of memory");
      pinn_sampler_state_save(t->sampler, buf, nw * 8, NULL);
      size_t sd[1] = {nw};
      snprintf(name, sizeof name, "%s/sampler_state", tg);
      st = pinn_h5_write_dataset_int64(w, name, 1, sd, buf);
      if (!st) st = pinn_h5_set_attr_int64(w, tg, "sampler_bytes", (int64_t)nb);
      free(buf);
    }
  }
  if (st) return pinn_error_set(err, st, "%s", pinn_h5_writer_errmsg(w));
  return PINN_SUCCESS;
}

/* Read and check one term's points (and normals) from checkpoint group tg:
 * the real extent of the dataset counts (never a count stated elsewhere);
 * 1..PINN_MAX_TERM_POINTS points (pairs for periodic terms), the problem's
 * own points for a data term, finite coordinates inside the domain's
 * bounding box (a relative 1e-6 of slack for rounding), unit normals.  On
 * success *xo / *no (NULL when the term has none) are malloc'd. */
static int load_term_points(pinn_loss *l, pinn_h5_reader *r, const char *tg, term_state *t,
                            double **xo, double **no, size_t *count)
{
  char name[256];
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  const int periodic = t->ops->paired, data = t->ops->given;
  const size_t max_rows = periodic ? 2 * PINN_MAX_TERM_POINTS : PINN_MAX_TERM_POINTS;
  *xo = *no = NULL;
  snprintf(name, sizeof name, "%s/x", tg);
  if (pinn_h5_dataset_shape(r, name, &rank, dims))
    return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  if (rank != 2 || dims[1] != l->dim)
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: expected points of %zu coordinates ([N][%zu]), found "
                          "rank %d%s; it was written for another problem",
                          name, l->dim, l->dim, rank, rank == 2 ? " with another width" : "");
  const size_t n = dims[0];
  if (n == 0 || n > max_rows || (periodic && n % 2))
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: %zu points; a term holds 1 to 1e8 points (pairs for "
                          "periodic terms): the file is corrupt",
                          name, n);
  if (data && n != t->n_obs)
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: %zu points but data term '%s' of the problem trains on "
                          "%zu observations; it was written for other data or another "
                          "validation split",
                          name, n, t->def.name, t->n_obs);
  size_t want[2] = {n, l->dim};
  double *x = NULL, *nrm = NULL;
  if (pinn_h5_read_dataset(r, name, 2, want, &x, NULL, NULL))
    return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  int st = PINN_SUCCESS;
  if (data) {
    if (memcmp(x, t->obs_x, n * l->dim * sizeof *x) != 0)
      st = pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: the points differ from the observations of data term "
                          "'%s'; it was written for other data or another validation split",
                          name, t->def.name);
  } else {
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    pinn_domain_bounds(pinn_problem_domain(l->p), lo, hi);
    for (size_t q = 0; q < n * l->dim && !st; ++q) {
      const size_t a = q % l->dim;
      const double slack = 1e-6 * (hi[a] - lo[a]) + 1e-12;
      if (!isfinite(x[q]) || x[q] < lo[a] - slack || x[q] > hi[a] + slack)
        st = pinn_error_set(&l->err, PINN_EFORMAT,
                            "checkpoint %s: point %zu has coordinate %zu = %g, outside the "
                            "domain's box [%g, %g]: the file is corrupt or for another problem",
                            name, q / l->dim, a, x[q], lo[a], hi[a]);
    }
  }
  if (!st && t->region == PINN_REGION_BOUNDARY && !periodic && !data) {
    size_t nd[2] = {n, l->d};
    snprintf(name, sizeof name, "%s/normals", tg);
    if (pinn_h5_read_dataset(r, name, 2, nd, &nrm, NULL, NULL))
      st = pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
    for (size_t q = 0; q < n && !st; ++q) {
      double len2 = 0;
      for (size_t a = 0; a < l->d; ++a) len2 += nrm[q * l->d + a] * nrm[q * l->d + a];
      if (!(fabs(len2 - 1.0) <= 1e-6))
        st = pinn_error_set(&l->err, PINN_EFORMAT,
                            "checkpoint %s: normal %zu is not a unit vector (length^2 %g): the "
                            "file is corrupt",
                            name, q, len2);
    }
  }
  return hand_over(st, x, nrm, n, xo, no, count);
}

/* Read a term's sampler position: exactly the size this run's sampler
 * saves, accepted by pinn_sampler_state_load (kind, dim, a sane position).
 * The sampler changes only on success. */
static int load_term_sampler(pinn_loss *l, pinn_h5_reader *r, const char *tg, term_state *t)
{
  char name[256];
  int64_t nb;
  const size_t want_b = pinn_sampler_state_size(t->sampler), nw = (want_b + 7) / 8;
  if (pinn_h5_get_attr_int64(r, tg, "sampler_bytes", &nb))
    return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  if (nb != (int64_t)want_b)
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: sampler_bytes is %lld but this run's %s sampler saves "
                          "%zu bytes (another sampler, or a corrupt file)",
                          tg, (long long)nb, pinn_sampler_kind_name(pinn_sampler_get_kind(t->sampler)),
                          want_b);
  snprintf(name, sizeof name, "%s/sampler_state", tg);
  int64_t *buf = NULL;
  size_t dims[1] = {nw};
  if (pinn_h5_read_dataset_int64(r, name, 1, dims, &buf, NULL, NULL))
    return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  int st = PINN_SUCCESS;
  if (pinn_sampler_state_load(t->sampler, buf, want_b, NULL))
    st = pinn_error_set(&l->err, PINN_EFORMAT, "checkpoint %s: %s", name,
                        pinn_sampler_errmsg(t->sampler));
  free(buf);
  return st;
}

static int load_state(pinn_loss *l, pinn_h5_reader *r, const char *group);

int pinn_loss_load_state(pinn_loss *l, pinn_h5_reader *r, const char *group, pinn_error *err)
{
  if (!l || !r || !group)
    return pinn_error_set(err, PINN_EINVAL, "pinn_loss_load_state: NULL argument");
  int st = load_state(l, r, group);
  if (st) return pinn_error_set(err, st, "%s", l->err.msg);
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

/* The loss is unchanged on failure; the message is on l->err. */
static int load_state(pinn_loss *l, pinn_h5_reader *r, const char *group)
{
  char name[256];
  int64_t nt, ne;
  if (pinn_h5_get_attr_int64(r, group, "n_terms", &nt) ||
      pinn_h5_get_attr_int64(r, group, "n_evals", &ne))
    return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  if (nt != (int64_t)l->n_terms)
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint has %lld loss terms but the problem has %zu: it was written "
                          "for another problem",
                          (long long)nt, l->n_terms);
  if (ne < 0)
    return pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: n_evals is %lld, negative: the file is corrupt", group,
                          (long long)ne);
  size_t causal_rung;
  int cs = pinn_causal_load_(l, r, group, &causal_rung);
  if (cs) return cs;
  double coef[PINN_MAX_COEFS];
  if (l->n_coef) {
    double *c;
    size_t dims[1] = {l->n_coef};
    snprintf(name, sizeof name, "%s/coefs", group);
    if (pinn_h5_read_dataset(r, name, 1, dims, &c, NULL, NULL))
      return pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
    memcpy(coef, c, l->n_coef * sizeof *c);
    free(c);
    for (size_t j = 0; j < l->n_coef; ++j)
      if (!isfinite(coef[j]))
        return pinn_error_set(&l->err, PINN_EFORMAT,
                              "checkpoint %s: coefficient %zu is %g, not finite: the file is "
                              "corrupt",
                              name, j, coef[j]);
  }
  /* read and check everything first, then commit (the loss is unchanged on
   * failure; the samplers change only once all of them loaded) */
  double **xs = calloc(l->n_terms, sizeof *xs), **ns = calloc(l->n_terms, sizeof *ns);
  size_t *cnt = calloc(l->n_terms, sizeof *cnt);
  double *rho = calloc(l->n_terms, sizeof *rho), *wt = calloc(l->n_terms, sizeof *wt);
  unsigned char **keep = calloc(l->n_terms, sizeof *keep);
  int st = (!xs || !ns || !cnt || !rho || !wt || !keep)
               ? pinn_error_set(&l->err, PINN_ENOMEM, "out of memory")
               : 0;
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    term_state *t = &l->terms[i];
    char tg[200];
    snprintf(tg, sizeof tg, "%s/%s", group, t->def.name);
    st = load_term_points(l, r, tg, t, &xs[i], &ns[i], &cnt[i]);
    if (st) break;
    if (pinn_h5_get_attr_double(r, tg, "rho", &rho[i])) {
      st = pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
      break;
    }
    if (!(rho[i] > 0) || !isfinite(rho[i])) {
      st = pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: barrier rho is %g; it must be positive and finite",
                          tg, rho[i]);
      break;
    }
    /* the weight (pinn_loss_set_term_weight); older checkpoints: the problem's */
    wt[i] = t->def.weight;
    if (pinn_h5_has_attr(r, tg, "weight") && pinn_h5_get_attr_double(r, tg, "weight", &wt[i])) {
      st = pinn_error_set(&l->err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
      break;
    }
    if (!(wt[i] >= 0) || !isfinite(wt[i])) {
      st = pinn_error_set(&l->err, PINN_EFORMAT,
                          "checkpoint %s: the term's weight is %g; it must be finite and >= 0",
                          tg, wt[i]);
      break;
    }
  }
  /* sampler positions: each sampler's own position is kept aside and put
   * back if any later one fails */
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    term_state *t = &l->terms[i];
    if (!t->sampler) continue;
    const size_t nb = pinn_sampler_state_size(t->sampler);
    if (!(keep[i] = malloc(nb))) {
      st = pinn_error_set(&l->err, PINN_ENOMEM, "out of memory");
      break;
    }
    pinn_sampler_state_save(t->sampler, keep[i], nb, NULL);
    char tg[200];
    snprintf(tg, sizeof tg, "%s/%s", group, t->def.name);
    st = load_term_sampler(l, r, tg, t);
  }
  for (size_t i = 0; keep && i < l->n_terms; ++i) {
    if (st && keep[i])
      pinn_sampler_state_load(l->terms[i].sampler, keep[i],
                              pinn_sampler_state_size(l->terms[i].sampler), NULL);
    free(keep[i]);
  }
  for (size_t i = 0; i < l->n_terms && !st; ++i) {
    st = set_points(l, &l->terms[i], xs[i], ns[i], cnt[i]);
    xs[i] = ns[i] = NULL;
    l->terms[i].rho = rho[i];
    l->terms[i].w = wt[i];
  }
  if (!st) {
    memcpy(l->coef_theta, coef, l->n_coef * sizeof *coef);
    for (size_t j = 0; j < l->n_coef; ++j) l->coef[j] = l->coef_theta[j] * l->coef_scale[j];
    l->n_evals = (size_t)ne;
    l->have_last = 0;
    pinn_causal_set_rung_(l, causal_rung);
  }
  for (size_t i = 0; i < l->n_terms; ++i) {
    if (xs) free(xs[i]);
    if (ns) free(ns[i]);
  }
  free(xs); free(ns); free(cnt); free(rho); free(wt); free(keep);
  return st;
}
