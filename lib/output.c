/* libpinn — solve output: fields on a grid, one HDF5 file + XDMF sidecar per
 * solve, and a description of such files (layout in pinn/output.h and README
 * "Output files").
 *
 * A time-dependent field is stored twice: as the contract dataset
 * /solution/<name> [nt][...] and as the per-step slices
 * /xdmf/steps/<name>/<k> that XDMF time series need (pinn/xdmf.h).  The .h5
 * is replaced first (a new sidecar never names datasets of a file not yet in
 * place), then the sidecars, each atomically: a kill between the renames
 * leaves a new .h5 beside the old .xmf, which their run ids tell apart.
 */
#define _POSIX_C_SOURCE 200809L
#include <pinn/output.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pinn/domain.h>
#include <pinn/h5io.h>
#include <pinn/model.h>
#include <pinn/xdmf.h>

#include "term_impl.h"
#include "text_impl.h"

#define OUTPUT_FORMAT_NAME "libpinn-solution"
#define OUTPUT_FORMAT_VERSION 1


/* Name of axis a of a problem with d space dimensions (time last). */
static const char *axis_label(size_t d, size_t a)
{
  const char *s = pinn_input_name_(d, 1, a);
  return s ? s : "?";
}

/* ================================================================ fields */

void pinn_fields_free(pinn_fields *f)
{
  if (!f) return;
  double *v[] = {f->x,   f->u,       f->ref,  f->error,       f->residual,
                 f->psi, f->contact, f->mask, f->ref_points_u};
  for (size_t a = 0; a < PINN_MAX_INPUTS; ++a) free(f->axes[a]);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; ++i) free(v[i]);
  memset(f, 0, sizeof *f);
  f->ref_source = "none";
}

/* Error statistics not known (yet). */
static void stats_nan(pinn_fields *f)
{
  f->rel_l2 = f->max_abs = NAN;
  for (size_t k = 0; k < PINN_MAX_OUTPUTS; ++k) f->rel_l2_out[k] = f->max_abs_out[k] = NAN;
}

/* Name of a domain's kind for the root attribute "domain". */
static const char *domain_kind_name(const pinn_domain *dom)
{
  if (!dom) return "box";
  switch (dom->kind) {
  case PINN_DOMAIN_BOX: return "box";
  case PINN_DOMAIN_BALL: return "ball";
  case PINN_DOMAIN_GEOM: return "geometry";
  }
  return "unknown";
}

int pinn_output_mask(const pinn_domain *dom, size_t n, const double *x, double *mask,
                     size_t *n_inside, pinn_error *err)
{
  if (n_inside) *n_inside = 0;
  if (!dom || (n && (!x || !mask)))
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_mask: need a domain and %s",
                          dom ? "the point and mask arrays" : "its points");
  int st = pinn_domain_check(dom, err);
  if (st) return st;
  const size_t dim = pinn_domain_dim(dom);
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS], len = 0;
  pinn_domain_bounds(dom, lo, hi);
  for (size_t a = 0; a < dom->d; ++a)
    if (hi[a] - lo[a] > len) len = hi[a] - lo[a];
  const double tol = PINN_OUTPUT_INSIDE_RTOL * len;
  size_t in = 0;
  for (size_t q = 0; q < n; ++q) {
    const double *xq = x + q * dim;
    int inside = pinn_domain_contains(dom, xq) || pinn_domain_signed_distance(dom, xq) <= tol;
    mask[q] = inside ? 1.0 : 0.0;
    in += (size_t)inside;
  }
  if (n_inside) *n_inside = in;
  pinn_error_clear(err);
  return 0;
}

void pinn_output_mesh_free(pinn_output_mesh *m)
{
  if (!m) return;
  free(m->node);
  free(m->cells);
  memset(m, 0, sizeof *m);
}

int pinn_output_mesh_build(size_t dim, const size_t *counts, const double *mask,
                           pinn_output_mesh *m, pinn_error *err)
{
  if (!m) return pinn_error_set(err, PINN_EINVAL, "pinn_output_mesh_build: mesh pointer is NULL");
  memset(m, 0, sizeof *m);
  if ((dim != 2 && dim != 3) || !counts || !mask)
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_output_mesh_build: need dim 2 or 3 (got %zu), the counts and "
                          "the mask",
                          dim);
  size_t c[3] = {1, 1, 1}, n = 1;
  for (size_t a = 0; a < dim; ++a) {
    if (counts[a] < 1 || counts[a] > PINN_FIELDS_MAX_POINTS / n)
      return pinn_error_set(err, PINN_EINVAL,
                            "pinn_output_mesh_build: %zu nodes on axis %zu; need 1 or more and "
                            "at most %zu nodes in all",
                            counts[a], a, PINN_FIELDS_MAX_POINTS);
    c[a] = counts[a];
    n *= c[a];
  }
  const size_t npc = dim == 2 ? 4 : 8;
  /* corner offsets in VTK order: (0,0) (1,0) (1,1) (0,1), then the same at k+1 */
  const size_t sx = 1, sy = c[0], sz = c[0] * c[1];
  const size_t off[8] = {0, sx, sx + sy, sy, sz, sz + sx, sz + sx + sy, sz + sy};
  int64_t *map = malloc(n * sizeof *map); /* grid node -> mesh point, -1 unused */
  if (!map) goto nomem;
  for (size_t q = 0; q < n; ++q) map[q] = -1;
  const size_t kz = dim == 3 ? c[2] - (c[2] > 1) : 1;
  size_t nc = 0;
  /* pass 1: mark the corners of kept cells, count them */
  for (int pass = 0; pass < 2; ++pass) {
    nc = 0;
    for (size_t k = 0; k < kz && (dim == 2 || c[2] > 1); ++k)
      for (size_t j = 0; j + 1 < c[1]; ++j)
        for (size_t i = 0; i + 1 < c[0]; ++i) {
          const size_t b = i + sy * j + sz * k;
          int keep = 1;
          for (size_t v = 0; v < npc && keep; ++v) keep = mask[b + off[v]] > 0.5;
          if (!keep) continue;
          for (size_t v = 0; v < npc; ++v) {
            if (pass == 0)
              map[b + off[v]] = 0;
            else
              m->cells[nc * npc + v] = map[b + off[v]];
          }
          ++nc;
        }
    if (pass == 1) break;
    size_t np = 0;
    for (size_t q = 0; q < n; ++q)
      if (map[q] == 0) ++np;
    m->node = malloc((np ? np : 1) * sizeof *m->node);
    m->cells = malloc((nc ? nc : 1) * npc * sizeof *m->cells);
    if (!m->node || !m->cells) goto nomem;
    np = 0;
    for (size_t q = 0; q < n; ++q)
      if (map[q] == 0) {
        m->node[np] = (int64_t)q;
        map[q] = (int64_t)np++;
      }
    m->n_points = np;
  }
  m->dim = dim;
  m->n_cells = nc;
  free(map);
  pinn_error_clear(err);
  return 0;
nomem:
  free(map);
  pinn_output_mesh_free(m);
  return pinn_error_set(err, PINN_ENOMEM, "out of memory building the mesh of a %zu-node grid", n);
}

/* NaN for the n_out values of every point outside the domain. */
static void nan_outside(const pinn_fields *f, double *v)
{
  for (size_t q = 0; f->mask && q < f->n; ++q)
    if (!f->mask[q])
      for (size_t k = 0; k < f->n_out; ++k) v[q * f->n_out + k] = NAN;
}

static int is_residual_kind(pinn_term_kind k) { return pinn_term_ops_of_(k)->dual; }

/* The residual of term i at the n points x that lie off the boundary (signed
 * distance < -PINN_OUTPUT_INSIDE_RTOL L), NaN on it: a residual need not
 * exist on the boundary (a distance-function transform u = g + phi N has
 * infinite derivatives on a trimmed piece, pinn/geometry.h), and grid nodes
 * lie there.  |r|^2 into r2.  Returns pinn_loss_residual_at's status. */
static int residual_off_boundary(pinn_loss *l, size_t i, const pinn_domain *dom, size_t n,
                                 const double *x, double *r2)
{
  const size_t dim = pinn_domain_dim(dom);
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS], len = 0;
  pinn_domain_bounds(dom, lo, hi);
  for (size_t a = 0; a < dom->d; ++a) len = fmax(len, hi[a] - lo[a]);
  size_t *idx = malloc((n ? n : 1) * sizeof *idx), m = 0;
  double *xo = malloc((n ? n : 1) * dim * sizeof *xo), *ro = malloc((n ? n : 1) * sizeof *ro);
  int st = idx && xo && ro ? PINN_SUCCESS : PINN_ENOMEM;
  for (size_t q = 0; !st && q < n; ++q)
    if (pinn_domain_signed_distance(dom, x + q * dim) < -PINN_OUTPUT_INSIDE_RTOL * len) {
      memcpy(xo + m * dim, x + q * dim, dim * sizeof *xo);
      idx[m++] = q;
    }
  if (!st) st = pinn_loss_residual_at(l, i, m, xo, ro);
  if (!st) {
    for (size_t q = 0; q < n; ++q) r2[q] = NAN;
    for (size_t j = 0; j < m; ++j) r2[idx[j]] = ro[j];
  }
  free(idx);
  free(xo);
  free(ro);
  return st;
}

int pinn_fields_compute(pinn_loss *l, const size_t *counts, pinn_fields *f, pinn_error *err)
{
  if (!f) return pinn_error_set(err, PINN_EINVAL, "pinn_fields_compute: fields pointer is NULL");
  memset(f, 0, sizeof *f);
  f->ref_source = "none";
  stats_nan(f);
  if (!l) return pinn_error_set(err, PINN_EINVAL, "pinn_fields_compute: loss is NULL");
  const pinn_problem *p = pinn_loss_problem(l);
  const pinn_domain *dom = pinn_problem_domain(p);
  if (!dom)
    return pinn_error_set(err, PINN_EINVAL,
                          "problem '%s' has no domain; set one with pinn_problem_set_domain",
                          pinn_problem_name(p));
  const size_t d = pinn_problem_space_dim(p), dim = pinn_problem_dim(p),
               n_out = pinn_problem_n_out(p);
  f->dim = dim;
  f->space_dim = d;
  f->has_time = pinn_problem_has_time(p);
  f->n_out = n_out;

  size_t rc[PINN_MAX_INPUTS];
  const double *raxes[PINN_MAX_INPUTS];
  const double *ru = NULL;
  int has_rg = pinn_problem_reference_grid(p, rc, raxes, &ru);
  int use_rg = has_rg;
  if (has_rg && counts)
    for (size_t a = 0; a < dim; ++a)
      if (counts[a] != rc[a]) use_rg = 0;
  size_t *cnt = f->counts;
  if (use_rg) {
    memcpy(cnt, rc, dim * sizeof *cnt);
  } else if (counts) {
    for (size_t a = 0; a < dim; ++a) {
      if (a >= 3 && a < d && counts[a] != 1)
        return pinn_error_set(err, PINN_EINVAL,
                              "output grid: a problem in %zu space dimensions is written as the "
                              "3-D slice through the middle of axes 3 and up; give axis %s 1 "
                              "point, not %zu",
                              d, axis_label(d, a), counts[a]);
      if (counts[a] < 1 || counts[a] > 100000)
        return pinn_error_set(err, PINN_EINVAL,
                              "output grid: %zu points on axis %s; give 1 to 100000 per axis",
                              counts[a], axis_label(d, a));
      cnt[a] = counts[a];
    }
  } else {
    pinn_problem_output_grid(p, cnt);
  }
  size_t n = 1;
  for (size_t a = 0; a < dim; ++a) {
    if (cnt[a] == 0 || n > PINN_FIELDS_MAX_POINTS / cnt[a]) {
      n = 0;
      break;
    }
    n *= cnt[a];
  }
  if (n == 0 || n > PINN_FIELDS_MAX_POINTS)
    return pinn_error_set(err, PINN_EINVAL,
                          "output grid has more than %zu points; give smaller counts",
                          PINN_FIELDS_MAX_POINTS);
  f->n = n;

  int st = 0;
  size_t *idx = NULL;
  double *xin = NULL, *tmp = NULL;
  f->x = malloc(n * dim * sizeof *f->x);
  f->u = malloc(n * n_out * sizeof *f->u);
  if (!f->x || !f->u) goto nomem;
  for (size_t a = 0; a < dim; ++a)
    if (!(f->axes[a] = malloc(cnt[a] * sizeof(double)))) goto nomem;

  /* grid points and axes */
  if (use_rg) {
    for (size_t a = 0; a < dim; ++a) memcpy(f->axes[a], raxes[a], cnt[a] * sizeof(double));
    for (size_t q = 0; q < n; ++q) {
      size_t r = q;
      for (size_t a = 0; a < dim; ++a) {
        f->x[q * dim + a] = f->axes[a][r % cnt[a]];
        r /= cnt[a];
      }
    }
  } else {
    pinn_error e;
    if ((st = pinn_domain_grid(dom, cnt, f->x, &e))) {
      pinn_error_set(err, st, "output grid: %s", e.msg);
      goto fail;
    }
    size_t stride = 1;
    for (size_t a = 0; a < dim; ++a) {
      for (size_t i = 0; i < cnt[a]; ++i) f->axes[a][i] = f->x[i * stride * dim + a];
      stride *= cnt[a];
    }
  }

  /* inside the domain (a box's grid is inside by construction) */
  size_t n_in = n;
  if (dom->kind != PINN_DOMAIN_BOX) {
    f->mask = malloc(n * sizeof *f->mask);
    idx = malloc(n * sizeof *idx);
    if (!f->mask || !idx) goto nomem;
    if ((st = pinn_output_mask(dom, n, f->x, f->mask, NULL, err))) goto fail;
    n_in = 0;
    for (size_t q = 0; q < n; ++q)
      if (f->mask[q] > 0.5) idx[n_in++] = q;
    xin = malloc((n_in ? n_in : 1) * dim * sizeof *xin);
    if (!xin) goto nomem;
    for (size_t j = 0; j < n_in; ++j) memcpy(xin + j * dim, f->x + idx[j] * dim, dim * sizeof *xin);
  }
  f->n_inside = n_in;
  const double *xi = xin ? xin : f->x;
#define OUT_INDEX(j) (idx ? idx[j] : (j))

  /* network outputs (every grid point in one call, then NaN outside) */
  /* the solution: the network with the problem's output transforms */
  if ((st = pinn_loss_predict(l, n, f->x, f->u))) {
    pinn_error_set(err, st, "evaluating the network on the output grid: %s",
                   pinn_loss_errmsg(l));
    goto fail;
  }
  nan_outside(f, f->u);

  tmp = malloc((n_in ? n_in : 1) * (n_out > 1 ? n_out : 1) * sizeof *tmp);
  if (!tmp) goto nomem;

  /* reference */
  if (use_rg || pinn_problem_has_exact(p)) {
    f->ref = malloc(n * n_out * sizeof *f->ref);
    f->error = malloc(n * n_out * sizeof *f->error);
    if (!f->ref || !f->error) goto nomem;
    if (use_rg) {
      memcpy(f->ref, ru, n * n_out * sizeof *f->ref);
      nan_outside(f, f->ref);
      f->ref_source = "reference grid";
    } else {
      for (size_t q = 0; q < n * n_out; ++q) f->ref[q] = NAN;
      if ((st = pinn_problem_exact(p, n_in, xi, tmp, err))) goto fail;
      for (size_t j = 0; j < n_in; ++j)
        memcpy(f->ref + OUT_INDEX(j) * n_out, tmp + j * n_out, n_out * sizeof *tmp);
      f->ref_source = "exact";
    }
    f->has_ref = 1;
    for (size_t q = 0; q < n * n_out; ++q) f->error[q] = fabs(f->u[q] - f->ref[q]);
    pinn_reference_error ge;
    if ((st = pinn_reference_error_compute(n_in, n_out, f->u, f->ref, idx, &ge, err))) goto fail;
    f->rel_l2 = ge.rel_l2;
    f->max_abs = ge.max_abs;
    memcpy(f->rel_l2_out, ge.rel_l2_out, sizeof f->rel_l2_out);
    memcpy(f->max_abs_out, ge.max_abs_out, sizeof f->max_abs_out);
  }

  /* reference points: the solution there and its errors */
  if (pinn_problem_reference_points(p, NULL, NULL)) {
    const size_t nr = pinn_problem_reference_points(p, NULL, NULL);
    f->ref_points_u = malloc(nr * n_out * sizeof *f->ref_points_u);
    if (!f->ref_points_u) goto nomem;
    if ((st = pinn_loss_reference_error(l, f->ref_points_u, &f->ref_points_error, err))) goto fail;
    f->n_ref_points = nr;
  }

  /* residual of the first interior residual / complementarity term */
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
    if (!is_residual_kind(pinn_problem_term_kind(p, i)) ||
        pinn_term_ops_of_(pinn_problem_term_kind(p, i))->region != PINN_REGION_INTERIOR)
      continue;
    f->residual = malloc(n * sizeof *f->residual);
    if (!f->residual) goto nomem;
    for (size_t q = 0; q < n; ++q) f->residual[q] = NAN;
    st = pinn_loss_residual_at(l, i, n_in, xi, tmp);
    if (st == PINN_ECALLBACK || st == PINN_ENONFINITE)
      st = residual_off_boundary(l, i, dom, n_in, xi, tmp);
    if (st == PINN_ECALLBACK || st == PINN_ENONFINITE) {
      /* a residual that fails on the grid leaves the field NaN and says why:
       * the solution and its errors are still worth writing */
      snprintf(f->residual_error, sizeof f->residual_error, "residual of term '%s' on the output grid: %s",
               pinn_problem_term_name(p, i), pinn_loss_errmsg(l));
      st = PINN_SUCCESS;
    } else if (st) {
      pinn_error_set(err, st, "residual of term '%s' on the output grid: %s",
                     pinn_problem_term_name(p, i), pinn_loss_errmsg(l));
      goto fail;
    } else {
      for (size_t j = 0; j < n_in; ++j) f->residual[OUT_INDEX(j)] = sqrt(tmp[j]);
    }
    f->has_residual = 1;
    f->residual_term = i;
    break;
  }

  /* obstacle and contact set */
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
    pinn_term_kind kind = pinn_problem_term_kind(p, i);
    if (!pinn_term_ops_of_(kind)->obstacle) continue;
    const size_t k = pinn_problem_term_output(p, i);
    const int sense = pinn_problem_term_sense(p, i);
    f->psi = malloc(n * sizeof *f->psi);
    f->contact = malloc(n * sizeof *f->contact);
    if (!f->psi || !f->contact) goto nomem;
    if ((st = pinn_problem_obstacle(p, n_in, xi, tmp, err))) goto fail;
    for (size_t j = 0; j < n_in; ++j)
      if (!isfinite(tmp[j])) {
        st = pinn_error_set(err, PINN_ENONFINITE,
                            "term '%s': the obstacle psi is not finite at output grid point %zu",
                            pinn_problem_term_name(p, i), OUT_INDEX(j));
        goto fail;
      }
    f->has_obstacle = 1;
    f->obstacle_term = i;
    f->obstacle_output = k;
    f->obstacle_sense = sense < 0 ? PINN_SENSE_UPPER : PINN_SENSE_LOWER;
    /* the multiplier of a complementarity term on the same output and side
     * (pinn_obstacle_contact: the contact criterion) */
    int ic = -1;
    for (size_t c = 0; c < pinn_problem_n_terms(p) && ic < 0; ++c)
      if (pinn_term_ops_of_(pinn_problem_term_kind(p, c))->dual &&
          pinn_problem_term_output(p, c) == k && pinn_problem_term_sense(p, c) == sense)
        ic = (int)c;
    double *ob = malloc((n_in ? n_in : 1) * 3 * sizeof *ob), *uk = ob + n_in, *lam = uk + n_in;
    if (!ob) goto nomem;
    for (size_t j = 0; j < n_in; ++j) uk[j] = f->u[OUT_INDEX(j) * n_out + k];
    if (ic >= 0 && (st = pinn_loss_multiplier_at(l, (size_t)ic, n_in, xi, lam))) {
      pinn_error_set(err, st, "multiplier of term '%s' on the output grid: %s",
                     pinn_problem_term_name(p, (size_t)ic), pinn_loss_errmsg(l));
      free(ob);
      goto fail;
    }
    st = pinn_obstacle_contact(n_in, uk, tmp, ic >= 0 ? lam : NULL, f->obstacle_sense, ob,
                               &f->contact_tol, &f->contact_multiplier_tol, err);
    f->contact_uses_multiplier = ic >= 0;
    if (st) {
      free(ob);
      goto fail;
    }
    for (size_t q = 0; q < n; ++q) f->psi[q] = f->contact[q] = NAN;
    for (size_t j = 0; j < n_in; ++j) {
      f->psi[OUT_INDEX(j)] = tmp[j];
      f->contact[OUT_INDEX(j)] = ob[j];
    }
    free(ob);
    break;
  }
#undef OUT_INDEX
  pinn_error_clear(err);
  goto done;
nomem:
  st = pinn_error_set(err, PINN_ENOMEM, "out of memory evaluating the solution on %zu grid points",
                      n);
fail:
  /* nothing allocated here outlives a failure */
  pinn_fields_free(f);
  stats_nan(f);
done:
  free(idx);
  free(xin);
  free(tmp);
  return st;
}

/* ================================================================ write */

pinn_run_info pinn_output_run_info(const pinn_loss *l, const pinn_trainer *t, unsigned long seed)
{
  pinn_run_info r;
  r.problem = l ? pinn_problem_name(pinn_loss_problem(l)) : NULL;
  r.seed = seed;
  r.iterations = t ? pinn_trainer_iterations(t) : 0;
  r.seconds = t ? pinn_trainer_seconds(t) : 0;
  r.stop_reason = t ? pinn_stop_reason_name(pinn_trainer_stop_reason(t)) : "none";
  r.final_loss = t ? pinn_trainer_loss(t) : NAN;
  r.time_budget = 0;
  r.error = NULL;
  return r;
}

/* h5path with its extension replaced by suffix (".xmf", "_spacetime.xmf"). */
static int sidecar_path(const char *h5path, const char *suffix, char *buf, size_t size)
{
  if (!h5path || !h5path[0] || !buf) return PINN_EINVAL;
  const char *base = strrchr(h5path, '/');
  base = base ? base + 1 : h5path;
  const char *dot = strrchr(base, '.');
  size_t stem = (dot && dot != base) ? (size_t)(dot - h5path) : strlen(h5path);
  size_t sl = strlen(suffix);
  if (stem + sl + 1 > size) return PINN_EINVAL;
  memcpy(buf, h5path, stem);
  memcpy(buf + stem, suffix, sl + 1);
  return 0;
}

int pinn_output_xmf_path(const char *h5path, char *buf, size_t size)
{
  return sidecar_path(h5path, ".xmf", buf, size);
}

int pinn_output_spacetime_path(const char *h5path, char *buf, size_t size)
{
  return sidecar_path(h5path, "_spacetime.xmf", buf, size);
}

/* A fresh run identifier: 16 bytes from /dev/urandom as 32 hex digits (if
 * that cannot be read: the clock, the process id and an address, mixed by
 * splitmix64 — unique enough to tell two writes apart). */
static void make_run_id(char out[33])
{
  unsigned char b[16];
  size_t got = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  while (fd >= 0 && got < sizeof b) {
    ssize_t k = read(fd, b + got, sizeof b - got);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    got += (size_t)k;
  }
  if (fd >= 0) close(fd);
  if (got < sizeof b) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t z = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&ts;
    for (size_t i = 0; i < sizeof b; i += 8) {
      z += 0x9e3779b97f4a7c15ULL;
      uint64_t v = z;
      v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
      v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
      v ^= v >> 31;
      memcpy(b + i, &v, 8);
    }
  }
  for (size_t i = 0; i < sizeof b; ++i) snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* State of one write. */
typedef struct wstate {
  pinn_h5_writer *w;
  pinn_xdmf *x;     /* the sidecar */
  pinn_xdmf *xs;    /* the space-time sidecar (time-dependent, d <= 2), or NULL */
  const pinn_fields *f;
  const char *h5path;
  int g_sol;        /* xdmf grid of the fields */
  int g_st;         /* grid of the fields in xs */
  size_t ns, nt;    /* spatial points per step, steps (1 when untimed) */
  const int64_t *gather; /* masked sidecar grid: the space-grid node of each of its points */
  size_t ng;        /* its points */
  double *gbuf;     /* ng values gathered for it */
  pinn_output_mesh mesh;
  int64_t *inside;  /* the inside nodes, when no cell is kept */
  char run_id[33];  /* shared by the .h5 and its sidecars */
  pinn_error err;   /* the first failure (sticky): later steps are skipped */
} wstate;

/* Check an h5io status; on failure record the writer's message. */
static int wcheck(wstate *s, int st)
{
  if (st) pinn_error_set_first(&s->err, st, "%s", pinn_h5_writer_errmsg(s->w));
  return s->err.code;
}

static int xcheck_doc(wstate *s, pinn_xdmf *doc, int st)
{
  if (st) pinn_error_set_first(&s->err, st, "building the XDMF sidecar: %s", pinn_xdmf_errmsg(doc));
  return s->err.code;
}

static int xcheck(wstate *s, int st) { return xcheck_doc(s, s->x, st); }

/* Dims (C order) of a grid field: [nt][nz][ny][nx] with absent axes
 * dropped (beyond 3 space dimensions the grid is a 3-D slice: axes 3 .. d-1
 * have one point each and are dropped too). */
static int field_dims(const pinn_fields *f, size_t *dims, int space_only)
{
  int rank = 0;
  size_t dim = space_only ? f->space_dim : f->dim;
  for (size_t a = dim; a-- > 0;)
    if (a < 3 || a >= f->space_dim) dims[rank++] = f->counts[a];
  return rank;
}

/* Write one grid field (n values) as /solution/<name>, its per-step copies
 * when timed, and register it with the sidecar's grids. */
static int write_field(wstate *s, const char *name, const double *v)
{
  if (s->err.code) return s->err.code;
  const pinn_fields *f = s->f;
  char ds[160];
  size_t dims[PINN_H5_MAX_RANK];
  snprintf(ds, sizeof ds, "/solution/%s", name);
  int rank = field_dims(f, dims, 0);
  if (wcheck(s, pinn_h5_write_dataset(s->w, ds, rank, dims, v))) return s->err.code;
  if (s->xs && xcheck_doc(s, s->xs, pinn_xdmf_add_attribute(s->xs, s->g_st, name, s->h5path, ds)))
    return s->err.code;
  if (!f->has_time && !s->gather)
    return xcheck(s, pinn_xdmf_add_attribute(s->x, s->g_sol, name, s->h5path, ds));
  char base[160], step[200];
  snprintf(base, sizeof base, f->has_time ? "/xdmf/steps/%s" : "/xdmf/inside/%s", name);
  int srank = field_dims(f, dims, 1);
  for (size_t k = 0; k < s->nt; ++k) {
    const double *vk = v + k * s->ns;
    if (s->gather) { /* the values at the mesh points */
      for (size_t j = 0; j < s->ng; ++j) s->gbuf[j] = vk[s->gather[j]];
      vk = s->gbuf;
      srank = 1;
      dims[0] = s->ng;
    }
    if (f->has_time) pinn_xdmf_step_dataset(step, sizeof step, base, k);
    if (wcheck(s, pinn_h5_write_dataset(s->w, f->has_time ? step : base, srank, dims, vk)))
      return s->err.code;
  }
  return xcheck(s, pinn_xdmf_add_attribute(s->x, s->g_sol, name, s->h5path, base));
}

/* 1 when the axis is uniformly spaced (to 1e-9 of its length). */
static int axis_uniform(const double *ax, size_t m, double *origin, double *spacing)
{
  *origin = ax[0];
  if (m < 2) {
    *spacing = 1;
    return 1;
  }
  double h = (ax[m - 1] - ax[0]) / (double)(m - 1);
  double tol = 1e-9 * fabs(ax[m - 1] - ax[0]);
  for (size_t i = 0; i < m; ++i)
    if (fabs(ax[i] - (ax[0] + h * (double)i)) > tol) return 0;
  *spacing = h;
  return h > 0;
}

/* Add a grid over axes 0..ndim-1 of f to doc (uniform when every axis is). */
static int add_grid(wstate *s, pinn_xdmf *doc, const char *name, size_t ndim, int *g)
{
  const pinn_fields *f = s->f;
  double origin[3], spacing[3];
  int uniform = 1;
  for (size_t a = 0; a < ndim; ++a)
    if (!axis_uniform(f->axes[a], f->counts[a], &origin[a], &spacing[a])) uniform = 0;
  if (uniform)
    return xcheck_doc(s, doc, pinn_xdmf_add_uniform_grid(doc, name, (int)ndim, f->counts, origin,
                                                         spacing, g));
  char names[3][16];
  const char *coords[3];
  for (size_t a = 0; a < ndim; ++a) {
    snprintf(names[a], sizeof names[a], "/grid/%s", axis_label(f->space_dim, a));
    coords[a] = names[a];
  }
  return xcheck_doc(s, doc, pinn_xdmf_add_rectilinear_grid(doc, name, (int)ndim, f->counts,
                                                           s->h5path, coords, g));
}

/* The sidecar's "solution" grid: the spatial grid, or for a domain that is
 * not a box (f->mask, 2-D/3-D) the unstructured mesh of its inside
 * (pinn/output.h), its helpers written to /xdmf/mesh; a time series when
 * timed. */
static int add_solution_grid(wstate *s)
{
  const pinn_fields *f = s->f;
  const size_t d = f->space_dim;
  if (f->mask && (d == 2 || d == 3)) {
    /* inside at every time level (the domain is space x [t0, t1]) */
    double *smask = malloc(s->ns * sizeof *smask);
    if (!smask) return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory");
    size_t n_in = 0;
    for (size_t q = 0; q < s->ns; ++q) {
      smask[q] = 1;
      for (size_t k = 0; k < s->nt; ++k)
        if (!(f->mask[k * s->ns + q] > 0.5)) smask[q] = 0;
      n_in += smask[q] > 0;
    }
    pinn_error me;
    int st = pinn_output_mesh_build(d, f->counts, smask, &s->mesh, &me);
    if (st) {
      free(smask);
      return pinn_error_set_first(&s->err, st, "%s", me.msg);
    }
    if (s->mesh.n_cells) {
      s->gather = s->mesh.node;
      s->ng = s->mesh.n_points;
    } else if (n_in) { /* no cell: the inside nodes alone */
      s->inside = malloc(n_in * sizeof *s->inside);
      if (!s->inside) {
        free(smask);
        return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory");
      }
      for (size_t q = 0, j = 0; q < s->ns; ++q)
        if (smask[q] > 0) s->inside[j++] = (int64_t)q;
      s->gather = s->inside;
      s->ng = n_in;
    }
    free(smask);
  }
  if (!s->gather) {
    add_grid(s, s->x, "solution", d > 3 ? 3 : d, &s->g_sol);
  } else {
    const size_t np = s->ng, cd = d;
    double *xyz = malloc(np * cd * sizeof *xyz);
    int64_t *conn = s->mesh.n_cells ? NULL : malloc(np * sizeof *conn);
    s->gbuf = malloc(np * sizeof *s->gbuf);
    if (!xyz || !s->gbuf || (!s->mesh.n_cells && !conn)) {
      free(xyz);
      free(conn);
      return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory writing the mesh");
    }
    for (size_t j = 0; j < np; ++j) {
      size_t r = (size_t)s->gather[j];
      for (size_t a = 0; a < d; ++a) {
        xyz[j * cd + a] = f->axes[a][r % f->counts[a]];
        r /= f->counts[a];
      }
      if (conn) conn[j] = (int64_t)j;
    }
    size_t dx[2] = {np, cd}, dn[1] = {np};
    wcheck(s, pinn_h5_write_dataset(s->w, "/xdmf/mesh/xyz", 2, dx, xyz));
    wcheck(s, pinn_h5_write_dataset_int64(s->w, "/xdmf/mesh/node", 1, dn, s->gather));
    if (s->mesh.n_cells) {
      size_t dc[2] = {s->mesh.n_cells, (size_t)1 << d};
      wcheck(s, pinn_h5_write_dataset_int64(s->w, "/xdmf/mesh/cells", 2, dc, s->mesh.cells));
      if (!s->err.code)
        xcheck(s, pinn_xdmf_add_unstructured_grid(
                      s->x, "solution", d == 2 ? PINN_XDMF_QUADRILATERAL : PINN_XDMF_HEXAHEDRON,
                      s->mesh.n_cells, np, (int)cd, s->h5path, "/xdmf/mesh/cells",
                      "/xdmf/mesh/xyz", &s->g_sol));
    } else {
      wcheck(s, pinn_h5_write_dataset_int64(s->w, "/xdmf/mesh/conn", 1, dn, conn));
      if (!s->err.code)
        xcheck(s, pinn_xdmf_add_point_set(s->x, "solution", np, (int)cd, s->h5path,
                                          "/xdmf/mesh/xyz", "/xdmf/mesh/conn", &s->g_sol));
    }
    free(xyz);
    free(conn);
  }
  if (!s->err.code && f->has_time)
    xcheck(s, pinn_xdmf_set_times(s->x, s->g_sol, s->nt, f->axes[f->dim - 1]));
  return s->err.code;
}

/* Release what a write allocated besides the writer. */
static void wstate_free(wstate *s)
{
  pinn_xdmf_free(s->x);
  pinn_xdmf_free(s->xs);
  pinn_output_mesh_free(&s->mesh);
  free(s->inside);
  free(s->gbuf);
}

/* The root attributes of a masked grid: the domain's kind, the inside
 * points and the tolerance (pinn_output_mask). */
static int write_domain_attrs(wstate *s, const pinn_domain *dom, const double *mask, size_t n)
{
  if (!mask) return s->err.code;
  size_t in = 0;
  for (size_t q = 0; q < n; ++q) in += mask[q] > 0.5;
  wcheck(s, pinn_h5_set_attr_string(s->w, "/", "domain", domain_kind_name(dom)));
  wcheck(s, pinn_h5_set_attr_int64(s->w, "/", "inside_points", (int64_t)in));
  wcheck(s, pinn_h5_set_attr_double(s->w, "/", "inside_rtol", PINN_OUTPUT_INSIDE_RTOL));
  return s->err.code;
}

/* Names must be unique: fields in /solution, terms in /history. */
static int unique_names(char (*names)[80], size_t n, size_t *a, size_t *b)
{
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (strcmp(names[i], names[j]) == 0) {
        *a = i;
        *b = j;
        return 0;
      }
  return 1;
}

/* History dataset name of a term ("loss" and "grad_norm" are taken). */
static void history_name(const char *term, char *buf, size_t cap)
{
  if (strcmp(term, "loss") == 0 || strcmp(term, "grad_norm") == 0)
    snprintf(buf, cap, "term_%s", term);
  else
    snprintf(buf, cap, "%s", term);
}

static void sanitize(char *s)
{
  for (; *s; ++s)
    if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.')) *s = '_';
}

/* Attribute `name` of the point set g whose datasets live under base
 * (e.g. /xdmf/points/<term>): the dataset <base>/<name> (n values); when the
 * set is a time series also its per-step copies <base>/steps/<name>/<k>,
 * which the sidecar reads.  Returns the single dataset's name in ds. */
static int write_point_attr(wstate *s, int g, const char *base, const char *name, const double *v,
                            size_t n, char *ds, size_t cap)
{
  size_t dn[1] = {n};
  snprintf(ds, cap, "%s/%s", base, name);
  wcheck(s, pinn_h5_write_dataset(s->w, ds, 1, dn, v));
  if (!s->f->has_time) {
    if (s->err.code) return s->err.code;
    return xcheck(s, pinn_xdmf_add_attribute(s->x, g, name, s->h5path, ds));
  }
  char steps[260], step[300];
  snprintf(steps, sizeof steps, "%s/steps/%s", base, name);
  for (size_t k = 0; k < s->nt && !s->err.code; ++k) {
    pinn_xdmf_step_dataset(step, sizeof step, steps, k);
    wcheck(s, pinn_h5_write_dataset(s->w, step, 1, dn, v));
  }
  if (s->err.code) return s->err.code;
  return xcheck(s, pinn_xdmf_add_attribute(s->x, g, name, s->h5path, steps));
}

/* The point set gname (Polyvertex) of n points x (rows of dim) in the
 * sidecar and, when there is one, the space-time sidecar (*g, *gs; -1 when
 * absent): coordinates <base>/xyz (the point itself with time as the next
 * axis; 1-D untimed points get y = 0; more than 3 coordinates: the first 3
 * and the attribute "t") and connectivity <base>/conn.  For a
 * time-dependent problem the set is a time series (the same points at every
 * step): ParaView's Xdmf3 reader shows only the temporal grids of a
 * document that has any.  what names the points in messages. */
static int add_point_set(wstate *s, const char *base, const char *gname, const char *what,
                         size_t n, size_t dim, const double *x, int *g, int *gs)
{
  *g = *gs = -1;
  size_t cd = dim == 1 ? 2 : dim > 3 ? 3 : dim;
  double *xyz = malloc(n * (cd + 1) * sizeof *xyz); /* then n values t */
  int64_t *conn = malloc(n * sizeof *conn);
  if (!xyz || !conn) {
    free(xyz);
    free(conn);
    return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory writing %s", what);
  }
  for (size_t q = 0; q < n; ++q) {
    for (size_t c = 0; c < cd; ++c) xyz[q * cd + c] = c < dim ? x[q * dim + c] : 0.0;
    conn[q] = (int64_t)q;
  }
  char cname[200], kname[200], tname[200];
  snprintf(cname, sizeof cname, "%s/xyz", base);
  snprintf(kname, sizeof kname, "%s/conn", base);
  size_t dxyz[2] = {n, cd}, dn[1] = {n};
  wcheck(s, pinn_h5_write_dataset(s->w, cname, 2, dxyz, xyz));
  wcheck(s, pinn_h5_write_dataset_int64(s->w, kname, 1, dn, conn));
  if (!s->err.code)
    xcheck(s, pinn_xdmf_add_point_set(s->x, gname, n, (int)cd, s->h5path, cname, kname, g));
  if (!s->err.code && s->f->has_time)
    xcheck(s, pinn_xdmf_set_times(s->x, *g, s->nt, s->f->axes[s->f->dim - 1]));
  if (!s->err.code && s->xs)
    xcheck_doc(s, s->xs,
               pinn_xdmf_add_point_set(s->xs, gname, n, (int)cd, s->h5path, cname, kname, gs));
  if (!s->err.code && dim > 3 && s->f->has_time) {
    double *t = xyz + n * cd;
    for (size_t q = 0; q < n; ++q) t[q] = x[q * dim + dim - 1];
    write_point_attr(s, *g, base, "t", t, n, tname, sizeof tname);
  }
  free(xyz);
  free(conn);
  return s->err.code;
}

static int write_points(wstate *s, pinn_loss *l)
{
  const pinn_problem *p = pinn_loss_problem(l);
  for (size_t i = 0; i < pinn_problem_n_terms(p) && !s->err.code; ++i) {
    const char *term = pinn_problem_term_name(p, i);
    size_t n = 0, dim = 0;
    const double *x = NULL;
    if (pinn_loss_term_points(l, i, &n, &dim, &x))
      return pinn_error_set_first(&s->err, PINN_EINVAL,
                                  "cannot read the training points of term '%s' (on a team, call "
                                  "pinn_loss_gather_points on every rank first)",
                                  term);
    char ds[160];
    snprintf(ds, sizeof ds, "/points/%s", term);
    size_t dims[2] = {n, dim};
    if (wcheck(s, pinn_h5_write_dataset(s->w, ds, 2, dims, x))) return s->err.code;
    if (n == 0) continue;
    char base[160], gname[100], what[160];
    snprintf(base, sizeof base, "/xdmf/points/%s", term);
    snprintf(gname, sizeof gname, "points_%s", term);
    snprintf(what, sizeof what, "the points of term '%s'", term);
    int g, gs;
    if (add_point_set(s, base, gname, what, n, dim, x, &g, &gs)) return s->err.code;
    if (!is_residual_kind(pinn_problem_term_kind(p, i))) continue;
    double *r = malloc(n * sizeof *r);
    if (!r) return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory writing %s", what);
    int rs = pinn_loss_residual_at(l, i, n, x, r);
    if (rs && rs != PINN_ECALLBACK && rs != PINN_ENONFINITE) {
      pinn_error_set_first(&s->err, rs, "residual of term '%s' at its training points: %s", term,
                           pinn_loss_errmsg(l));
    } else {
      /* a residual that fails there (the file of a failed run, or of a
       * residual the grid field already reported) is NaN, as on the grid */
      for (size_t q = 0; q < n; ++q) r[q] = rs ? NAN : sqrt(r[q]);
      char aname[100], rname[200];
      snprintf(aname, sizeof aname, "%s_residual", term);
      write_point_attr(s, g, base, aname, r, n, rname, sizeof rname);
      if (!s->err.code && s->xs)
        xcheck_doc(s, s->xs, pinn_xdmf_add_attribute(s->xs, gs, aname, s->h5path, rname));
    }
    free(r);
  }
  return s->err.code;
}

/* The reference points: /reference_points/points [n][dim] and, per output
 * o, /reference_points/<o> (the solution), <o>_ref and <o>_error [n] (the
 * last with the attributes rel_l2_error and max_abs_error), and the
 * sidecars' point set "reference_points" carrying the three. */
static int write_reference_points(wstate *s, const pinn_problem *p)
{
  const pinn_fields *f = s->f;
  const double *x = NULL, *ref = NULL;
  const size_t n = pinn_problem_reference_points(p, &x, &ref), n_out = f->n_out, dim = f->dim;
  if (!n || s->err.code) return s->err.code;
  size_t dims[2] = {n, dim};
  wcheck(s, pinn_h5_write_dataset(s->w, "/reference_points/points", 2, dims, x));
  int g = -1, gs = -1;
  if (!s->err.code)
    add_point_set(s, "/xdmf/reference_points", "reference_points", "the reference points", n,
                  dim, x, &g, &gs);
  double *col = malloc(n * sizeof *col);
  if (!col) return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory writing the reference points");
  static const char *const suffix[3] = {"", "_ref", "_error"};
  for (size_t k = 0; k < n_out && !s->err.code; ++k) {
    const char *o = pinn_problem_output_name(p, k);
    for (size_t v = 0; v < 3 && !s->err.code; ++v) {
      for (size_t q = 0; q < n; ++q) {
        double uq = f->ref_points_u[q * n_out + k], rq = ref[q * n_out + k];
        col[q] = v == 0 ? uq : v == 1 ? rq : fabs(uq - rq);
      }
      char nm[80], ds[120], side[200];
      snprintf(nm, sizeof nm, "%s%s", o, suffix[v]);
      snprintf(ds, sizeof ds, "/reference_points/%s", nm);
      size_t dn[1] = {n};
      wcheck(s, pinn_h5_write_dataset(s->w, ds, 1, dn, col));
      if (v == 2) {
        wcheck(s, pinn_h5_set_attr_double(s->w, ds, "rel_l2_error",
                                          f->ref_points_error.rel_l2_out[k]));
        wcheck(s, pinn_h5_set_attr_double(s->w, ds, "max_abs_error",
                                          f->ref_points_error.max_abs_out[k]));
      }
      if (s->err.code) break;
      write_point_attr(s, g, "/xdmf/reference_points", nm, col, n, side, sizeof side);
      if (!s->err.code && s->xs)
        xcheck_doc(s, s->xs, pinn_xdmf_add_attribute(s->xs, gs, nm, s->h5path, side));
    }
  }
  free(col);
  return s->err.code;
}

static int write_history(wstate *s, pinn_loss *l, const pinn_trainer *t)
{
  if (!t || s->err.code) return s->err.code;
  const pinn_problem *p = pinn_loss_problem(l);
  size_t len = pinn_trainer_history_length(t), nt = pinn_problem_n_terms(p);
  size_t dims[1] = {len};
  const double *loss = pinn_trainer_history_loss(t), *gn = pinn_trainer_history_grad_norm(t),
               *terms = pinn_trainer_history_terms(t);
  static const double none = 0;
  wcheck(s, pinn_h5_write_dataset(s->w, "/history/loss", 1, dims, len ? loss : &none));
  wcheck(s, pinn_h5_write_dataset(s->w, "/history/grad_norm", 1, dims, len ? gn : &none));
  double *col = malloc((len ? len : 1) * sizeof *col);
  if (!col) return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory writing the loss history");
  for (size_t j = 0; j < nt && !s->err.code; ++j) {
    for (size_t i = 0; i < len; ++i) col[i] = terms[i * nt + j];
    char hn[100], ds[160];
    history_name(pinn_problem_term_name(p, j), hn, sizeof hn);
    snprintf(ds, sizeof ds, "/history/%s", hn);
    wcheck(s, pinn_h5_write_dataset(s->w, ds, 1, dims, col));
  }
  free(col);
  return s->err.code;
}

static int write_root(wstate *s, pinn_loss *l, const pinn_run_info *info)
{
  const pinn_problem *p = pinn_loss_problem(l);
  const pinn_fields *f = s->f;
  pinn_h5_writer *w = s->w;
  const char *R = "/";
  wcheck(s, pinn_h5_set_attr_string(w, R, "run_id", s->run_id));
  char list[PINN_MAX_OUTPUTS * 33 + 1] = "";
  for (size_t k = 0; k < f->n_out; ++k) {
    size_t len = strlen(list);
    snprintf(list + len, sizeof list - len, "%s%s", k ? "," : "", pinn_problem_output_name(p, k));
  }
  size_t tcap = 65 * (pinn_problem_n_terms(p) + 1);
  char *terms = malloc(tcap);
  if (!terms) return pinn_error_set_first(&s->err, PINN_ENOMEM, "out of memory writing attributes");
  terms[0] = '\0';
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
    size_t len = strlen(terms);
    snprintf(terms + len, tcap - len, "%s%s", i ? "," : "", pinn_problem_term_name(p, i));
  }
  wcheck(s, pinn_h5_set_attr_string(w, R, "format", OUTPUT_FORMAT_NAME));
  wcheck(s, pinn_h5_set_attr_int64(w, R, "format_version", OUTPUT_FORMAT_VERSION));
  wcheck(s, pinn_h5_set_attr_string(w, R, "problem",
                                    info->problem ? info->problem : pinn_problem_name(p)));
  const char *desc = pinn_problem_description(p);
  wcheck(s, pinn_h5_set_attr_string(w, R, "description", desc ? desc : ""));
  wcheck(s, pinn_h5_set_attr_string(w, R, "libpinn_version", pinn_version()));
  wcheck(s, pinn_h5_set_attr_int64(w, R, "seed", (int64_t)info->seed));
  wcheck(s, pinn_h5_set_attr_int64(w, R, "iterations", (int64_t)info->iterations));
  wcheck(s, pinn_h5_set_attr_double(w, R, "seconds", info->seconds));
  wcheck(s, pinn_h5_set_attr_string(w, R, "stop_reason",
                                    info->stop_reason ? info->stop_reason : "none"));
  /* a run cut short by the wall clock depends on the machine: say so */
  wcheck(s, pinn_h5_set_attr_double(w, R, "time_budget", info->time_budget));
  wcheck(s, pinn_h5_set_attr_int64(w, R, "ended_by_time_budget",
                                   info->stop_reason && !strcmp(info->stop_reason, "time")));
  if (info->error) wcheck(s, pinn_h5_set_attr_string(w, R, "error", info->error));
  wcheck(s, pinn_h5_set_attr_double(w, R, "final_loss", info->final_loss));
  if (f->has_ref) {
    wcheck(s, pinn_h5_set_attr_double(w, R, "rel_l2_error", f->rel_l2));
    wcheck(s, pinn_h5_set_attr_double(w, R, "max_abs_error", f->max_abs));
  }
  wcheck(s, pinn_h5_set_attr_string(w, R, "reference", f->ref_source));
  if (f->n_ref_points) {
    wcheck(s, pinn_h5_set_attr_int64(w, R, "reference_points", (int64_t)f->n_ref_points));
    wcheck(s, pinn_h5_set_attr_double(w, R, "reference_points_rel_l2_error",
                                      f->ref_points_error.rel_l2));
    wcheck(s, pinn_h5_set_attr_double(w, R, "reference_points_max_abs_error",
                                      f->ref_points_error.max_abs));
  }
  wcheck(s, pinn_h5_set_attr_int64(w, R, "space_dim", (int64_t)f->space_dim));
  wcheck(s, pinn_h5_set_attr_int64(w, R, "has_time", f->has_time));
  wcheck(s, pinn_h5_set_attr_string(w, R, "outputs", list));
  wcheck(s, pinn_h5_set_attr_string(w, R, "terms", terms));
  free(terms);
  if (f->has_obstacle) wcheck(s, pinn_h5_set_attr_double(w, R, "contact_tolerance", f->contact_tol));
  if (f->has_obstacle && f->contact_uses_multiplier)
    wcheck(s, pinn_h5_set_attr_double(w, R, "contact_multiplier_tolerance",
                                      f->contact_multiplier_tol));
  /* coef_<name> and metric_<name>, with their names listed in "coefficients"
   * and "metrics" (comma-separated) so readers need not list attributes */
  char names[PINN_MAX_METRICS * 40 + 1] = "";
  for (size_t j = 0; j < pinn_problem_n_coefs(p); ++j) {
    char an[80], nm[64];
    snprintf(nm, sizeof nm, "%s", pinn_problem_coef_name(p, j));
    sanitize(nm);
    snprintf(an, sizeof an, "coef_%s", nm);
    wcheck(s, pinn_h5_set_attr_double(w, R, an, pinn_loss_coef(l, j)));
    size_t len = strlen(names);
    snprintf(names + len, sizeof names - len, "%s%s", j ? "," : "", nm);
  }
  wcheck(s, pinn_h5_set_attr_string(w, R, "coefficients", names));
  if (s->err.code) return s->err.code;
  pinn_metric m[PINN_MAX_METRICS];
  size_t nm = 0;
  pinn_error me;
  int ms = pinn_problem_metrics(p, l, m, PINN_MAX_METRICS, &nm, &me);
  if (ms) return pinn_error_set_first(&s->err, ms, "%s", me.msg);
  names[0] = '\0';
  for (size_t i = 0; i < nm; ++i) {
    char an[80];
    m[i].name[sizeof m[i].name - 1] = '\0';
    if (!m[i].name[0]) snprintf(m[i].name, sizeof m[i].name, "unnamed%zu", i);
    sanitize(m[i].name);
    snprintf(an, sizeof an, "metric_%.40s", m[i].name);
    wcheck(s, pinn_h5_set_attr_double(w, R, an, m[i].value));
    size_t len = strlen(names);
    snprintf(names + len, sizeof names - len, "%s%s", i ? "," : "", m[i].name);
  }
  wcheck(s, pinn_h5_set_attr_string(w, R, "metrics", names));
  return s->err.code;
}

/* Check that f was computed from a loss of this shape. */
static int fields_match(const pinn_fields *f, const pinn_problem *p)
{
  if (f->n == 0 || !f->x || !f->u || f->dim != pinn_problem_dim(p) ||
      f->n_out != pinn_problem_n_out(p) || f->space_dim != pinn_problem_space_dim(p) ||
      f->n_ref_points != pinn_problem_reference_points(p, NULL, NULL) ||
      (f->n_ref_points && !f->ref_points_u))
    return 0;
  size_t n = 1;
  for (size_t a = 0; a < f->dim; ++a) {
    if (!f->axes[a] || f->counts[a] == 0) return 0;
    n *= f->counts[a];
  }
  return n == f->n;
}

int pinn_output_write(const char *h5path, pinn_loss *l, const pinn_trainer *t,
                      const pinn_fields *f, const pinn_run_info *info, pinn_error *err)
{
  if (!h5path || !h5path[0] || !l || !f)
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_output_write: need an .h5 path, the loss and its fields");
  const pinn_problem *p = pinn_loss_problem(l);
  if (!fields_match(f, p))
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_output_write: the fields do not match problem '%s' (compute them "
                          "with pinn_fields_compute on this loss)",
                          pinn_problem_name(p));
  char xmf[4096], xmf_st[4096];
  if (pinn_output_xmf_path(h5path, xmf, sizeof xmf) ||
      pinn_output_spacetime_path(h5path, xmf_st, sizeof xmf_st))
    return pinn_error_set(err, PINN_EINVAL, "output path '%.200s' is too long", h5path);

  /* every /solution and /history name must be unique */
  char fields[4 * PINN_MAX_OUTPUTS + 8][80];
  size_t nn = 0;
  for (size_t k = 0; k < f->n_out; ++k) {
    const char *o = pinn_problem_output_name(p, k);
    snprintf(fields[nn++], 80, "%s", o);
    if (f->has_ref) {
      snprintf(fields[nn++], 80, "%s_ref", o);
      snprintf(fields[nn++], 80, "%s_error", o);
    }
  }
  if (f->residual) snprintf(fields[nn++], 80, "residual");
  if (f->psi) snprintf(fields[nn++], 80, "psi");
  if (f->contact) snprintf(fields[nn++], 80, "contact");
  if (f->mask) snprintf(fields[nn++], 80, "mask");
  size_t a, b;
  if (!unique_names(fields, nn, &a, &b))
    return pinn_error_set(err, PINN_EUNSUPPORTED,
                          "problem '%s': output field '%s' would be written twice as "
                          "/solution/%s; rename the output (pinn_problem_set_output_names) — "
                          "residual, psi, contact, mask and <output>_ref/_error are taken",
                          pinn_problem_name(p), fields[b], fields[b]);
  size_t n_terms = pinn_problem_n_terms(p);
  char (*names)[80] = calloc(n_terms + 2, sizeof *names);
  if (!names) return pinn_error_set(err, PINN_ENOMEM, "out of memory");
  snprintf(names[0], 80, "loss");
  snprintf(names[1], 80, "grad_norm");
  for (size_t i = 0; i < n_terms; ++i)
    history_name(pinn_problem_term_name(p, i), names[i + 2], 80);
  if (!unique_names(names, n_terms + 2, &a, &b)) {
    int st = pinn_error_set(err, PINN_EUNSUPPORTED,
                            "problem '%s': the history of term '%s' would be written twice as "
                            "/history/%s; rename the term",
                            pinn_problem_name(p), pinn_problem_term_name(p, b - 2), names[b]);
    free(names);
    return st;
  }
  free(names);

  pinn_run_info dflt = pinn_output_run_info(l, t, 0);
  if (!info) info = &dflt;

  wstate s;
  memset(&s, 0, sizeof s);
  s.f = f;
  s.h5path = h5path;
  s.g_st = -1;
  s.nt = f->has_time ? f->counts[f->dim - 1] : 1;
  s.ns = f->n / s.nt;
  /* a 2-D domain that is not a box has no structured x-y-t volume */
  int with_st = f->has_time && f->dim <= 3 && !(f->mask && f->space_dim >= 2);
  s.x = pinn_xdmf_alloc();
  s.xs = with_st ? pinn_xdmf_alloc() : NULL;
  int st = 0;
  if (!s.x || (with_st && !s.xs))
    st = pinn_error_set(err, PINN_ENOMEM, "out of memory");
  else if (!(s.w = pinn_h5_create(h5path, err)))
    st = err ? err->code : PINN_EIO;
  if (st) goto done;

  /* sidecar grids */
  make_run_id(s.run_id);
  xcheck(&s, pinn_xdmf_set_run_id(s.x, s.run_id));
  if (s.xs) xcheck_doc(&s, s.xs, pinn_xdmf_set_run_id(s.xs, s.run_id));
  add_solution_grid(&s);
  if (!s.err.code && with_st) add_grid(&s, s.xs, "spacetime", f->dim, &s.g_st);

  write_root(&s, l, info);
  write_domain_attrs(&s, pinn_problem_domain(p), f->mask, f->n);
  for (size_t ax = 0; ax < f->dim && !s.err.code; ++ax) {
    char ds[32];
    snprintf(ds, sizeof ds, "/grid/%s", axis_label(f->space_dim, ax));
    size_t dims[1] = {f->counts[ax]};
    wcheck(&s, pinn_h5_write_dataset(s.w, ds, 1, dims, f->axes[ax]));
  }
  double *col = malloc(f->n * sizeof *col);
  if (!col) pinn_error_set_first(&s.err, PINN_ENOMEM, "out of memory writing the fields");
  const double *const src[3] = {f->u, f->ref, f->error}; /* <o>, <o>_ref, <o>_error */
  static const char *const suffix[3] = {"", "_ref", "_error"};
  for (size_t k = 0; k < f->n_out && !s.err.code; ++k) {
    char nm[80];
    for (size_t v = 0; v < (f->has_ref ? 3u : 1u) && !s.err.code; ++v) {
      for (size_t q = 0; q < f->n; ++q) col[q] = src[v][q * f->n_out + k];
      snprintf(nm, sizeof nm, "%s%s", pinn_problem_output_name(p, k), suffix[v]);
      write_field(&s, nm, col);
    }
    if (f->has_ref && !s.err.code) {
      char ds[120];
      snprintf(ds, sizeof ds, "/solution/%s", nm);
      wcheck(&s, pinn_h5_set_attr_double(s.w, ds, "rel_l2_error", f->rel_l2_out[k]));
      wcheck(&s, pinn_h5_set_attr_double(s.w, ds, "max_abs_error", f->max_abs_out[k]));
    }
  }
  free(col);
  if (f->residual) {
    write_field(&s, "residual", f->residual);
    if (!s.err.code)
      wcheck(&s, pinn_h5_set_attr_string(s.w, "/solution/residual", "term",
                                         pinn_problem_term_name(p, f->residual_term)));
  }
  if (f->psi) write_field(&s, "psi", f->psi);
  if (f->contact) write_field(&s, "contact", f->contact);
  if (f->mask) write_field(&s, "mask", f->mask);
  write_points(&s, l);
  write_reference_points(&s, p);
  write_history(&s, l, t);
  if (!s.err.code) {
    pinn_error me;
    int ms = pinn_model_write(s.w, PINN_MODEL_GROUP, pinn_loss_network(l), p, &me);
    if (ms) pinn_error_set_first(&s.err, ms, "%s", me.msg);
  }

  if (s.err.code) {
    pinn_h5_abort(s.w);
    st = pinn_error_set(err, s.err.code, "writing '%s': %s", h5path, s.err.msg);
    goto done;
  }
  if ((st = pinn_h5_commit(s.w, err))) goto done;
  /* the sidecars, checked against the file just written */
  pinn_error xe;
  const char *failed = xmf;
  st = pinn_xdmf_check(s.x, &xe);
  if (!st) st = pinn_xdmf_write(s.x, xmf, &xe);
  if (!st && s.xs) {
    failed = xmf_st;
    st = pinn_xdmf_check(s.xs, &xe);
    if (!st) st = pinn_xdmf_write(s.xs, xmf_st, &xe);
    if (st) unlink(xmf);
  }
  if (st) {
    unlink(h5path);
    st = pinn_error_set(err, st, "writing the sidecar '%s' (so '%s' was removed too): %s", failed,
                        h5path, xe.msg);
  } else {
    if (!with_st) unlink(xmf_st); /* a stale one from an earlier run would mislead */
    pinn_error_clear(err);
  }
done:
  wstate_free(&s);
  return st;
}

/* ========================================================== write_grid */

/* A name usable as an HDF5 link and an XDMF attribute: 1..79 printable
 * characters, no '/' or ':'. */
static int grid_name_ok(const char *s)
{
  if (!s || !s[0] || strlen(s) >= 80) return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; ++p)
    if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == ':') return 0;
  return 1;
}

int pinn_output_write_grid(const char *h5path, const pinn_output_grid *g, pinn_error *err)
{
  if (!h5path || !h5path[0] || !g)
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_write_grid: need an .h5 path and a grid");
  char xmf[4096];
  if (pinn_output_xmf_path(h5path, xmf, sizeof xmf))
    return pinn_error_set(err, PINN_EINVAL, "output path '%.200s' is too long", h5path);
  const size_t d = g->space_dim, dim = d + (g->has_time ? 1 : 0);
  if (d < 1 || d > 3)
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_write_grid: %zu space dimensions; "
                                            "give 1 to 3", d);
  pinn_fields f; /* a read-only view of g for the writer's helpers */
  memset(&f, 0, sizeof f);
  f.dim = dim;
  f.space_dim = d;
  f.has_time = g->has_time != 0;
  f.n = 1;
  for (size_t a = 0; a < dim; ++a) {
    if (g->counts[a] < 1 || g->counts[a] > PINN_FIELDS_MAX_POINTS / f.n || !g->axes[a] ||
        !grid_name_ok(g->axis_names[a]))
      return pinn_error_set(err, PINN_EINVAL,
                            "pinn_output_write_grid: axis %zu needs 1 or more nodes (%zu "
                            "points at most in all), its coordinates and a name",
                            a, PINN_FIELDS_MAX_POINTS);
    for (size_t i = 1; i < g->counts[a]; ++i)
      if (!(g->axes[a][i] > g->axes[a][i - 1]))
        return pinn_error_set(err, PINN_EINVAL,
                              "pinn_output_write_grid: the coordinates of axis '%s' do not "
                              "increase at index %zu",
                              g->axis_names[a], i);
    f.counts[a] = g->counts[a];
    f.axes[a] = (double *)(uintptr_t)g->axes[a]; /* only read */
    f.n *= g->counts[a];
  }
  const int masked = g->domain && g->domain->kind != PINN_DOMAIN_BOX;
  if (masked && !g->mask)
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_write_grid: the domain is not a box: "
                                            "give the mask (pinn_output_mask)");
  f.mask = masked ? (double *)(uintptr_t)g->mask : NULL;
  if (g->n_fields < 1 || g->n_fields > 4096 || !g->names || !g->values)
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_write_grid: give 1 to 4096 fields");
  for (size_t i = 0; i < g->n_fields; ++i) {
    if (!grid_name_ok(g->names[i]) || !g->values[i] || (masked && !strcmp(g->names[i], "mask")))
      return pinn_error_set(err, PINN_EINVAL,
                            "pinn_output_write_grid: field %zu needs its values and a name of 1 "
                            "to 79 characters without '/' or ':' (\"mask\" is taken)",
                            i);
    for (size_t j = 0; j < i; ++j)
      if (!strcmp(g->names[i], g->names[j]))
        return pinn_error_set(err, PINN_EINVAL, "pinn_output_write_grid: field '%s' is given "
                                                "twice", g->names[i]);
  }
  wstate s;
  memset(&s, 0, sizeof s);
  s.f = &f;
  s.h5path = h5path;
  s.g_st = -1;
  s.nt = f.has_time ? f.counts[dim - 1] : 1;
  s.ns = f.n / s.nt;
  int st = 0;
  if (!(s.x = pinn_xdmf_alloc()))
    st = pinn_error_set(err, PINN_ENOMEM, "out of memory");
  else if (!(s.w = pinn_h5_create(h5path, err)))
    st = err ? err->code : PINN_EIO;
  if (st) goto done;
  make_run_id(s.run_id);
  xcheck(&s, pinn_xdmf_set_run_id(s.x, s.run_id));
  add_solution_grid(&s);
  pinn_h5_writer *w = s.w;
  wcheck(&s, pinn_h5_set_attr_string(w, "/", "format", "libpinn-grid"));
  wcheck(&s, pinn_h5_set_attr_int64(w, "/", "format_version", 1));
  wcheck(&s, pinn_h5_set_attr_string(w, "/", "run_id", s.run_id));
  wcheck(&s, pinn_h5_set_attr_string(w, "/", "problem", g->problem ? g->problem : ""));
  wcheck(&s, pinn_h5_set_attr_string(w, "/", "libpinn_version", pinn_version()));
  wcheck(&s, pinn_h5_set_attr_int64(w, "/", "space_dim", (int64_t)d));
  wcheck(&s, pinn_h5_set_attr_int64(w, "/", "has_time", f.has_time));
  pinn_text names = {NULL, 0, 0, 1, 0};
  for (size_t i = 0; i < g->n_fields; ++i) pinn_text_put(&names, "%s%s", i ? "," : "", g->names[i]);
  if (names.full) pinn_error_set_first(&s.err, PINN_ENOMEM, "out of memory");
  else wcheck(&s, pinn_h5_set_attr_string(w, "/", "fields", names.buf));
  free(names.buf);
  write_domain_attrs(&s, g->domain, f.mask, f.n);
  for (size_t a = 0; a < dim && !s.err.code; ++a) {
    char ds[100];
    snprintf(ds, sizeof ds, "/grid/%s", g->axis_names[a]);
    size_t dn[1] = {f.counts[a]};
    wcheck(&s, pinn_h5_write_dataset(w, ds, 1, dn, f.axes[a]));
  }
  for (size_t i = 0; i < g->n_fields && !s.err.code; ++i) write_field(&s, g->names[i], g->values[i]);
  if (f.mask) write_field(&s, "mask", f.mask);
  if (s.err.code) {
    pinn_h5_abort(s.w);
    st = pinn_error_set(err, s.err.code, "writing '%s': %s", h5path, s.err.msg);
    goto done;
  }
  if ((st = pinn_h5_commit(s.w, err))) goto done;
  pinn_error xe;
  st = pinn_xdmf_check(s.x, &xe);
  if (!st) st = pinn_xdmf_write(s.x, xmf, &xe);
  if (st) {
    unlink(h5path);
    st = pinn_error_set(err, st, "writing the sidecar '%s' (so '%s' was removed too): %s", xmf,
                        h5path, xe.msg);
  } else {
    pinn_error_clear(err);
  }
done:
  wstate_free(&s);
  return st;
}

/* ============================================================= describe */

/* One dataset line: name, shape, range (NaN-free) when numeric. */
static void describe_dataset(pinn_text *b, pinn_h5_reader *r, const char *name)
{
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  if (!pinn_h5_has(r, name)) return;
  if (pinn_h5_dataset_shape(r, name, &rank, dims)) {
    pinn_text_put(b, "  %-28s (unreadable: %s)\n", name, pinn_h5_reader_errmsg(r));
    return;
  }
  char shape[120] = "";
  size_t len = 0, n = 1;
  for (int i = 0; i < rank; ++i) {
    len += (size_t)snprintf(shape + len, sizeof shape - len, "%s%zu", i ? " x " : "", dims[i]);
    if (len >= sizeof shape) len = sizeof shape - 1;
    n *= dims[i];
  }
  if (rank == 0) snprintf(shape, sizeof shape, "scalar");
  double *v = NULL;
  if (n > 0 && n <= ((size_t)1 << 25) && /* ranges of datasets up to 256 MiB */
      pinn_h5_read_dataset(r, name, -1, NULL, &v, NULL, NULL) == 0) {
    double lo = INFINITY, hi = -INFINITY;
    size_t nan = 0;
    for (size_t i = 0; i < n; ++i) {
      if (isnan(v[i])) {
        ++nan;
        continue;
      }
      if (v[i] < lo) lo = v[i];
      if (v[i] > hi) hi = v[i];
    }
    free(v);
    if (nan == n)
      pinn_text_put(b, "  %-28s [%s]  all NaN\n", name, shape);
    else
      pinn_text_put(b, "  %-28s [%s]  range %.6g .. %.6g%s\n", name, shape, lo, hi,
                    nan ? "  (NaN outside the domain)" : "");
  } else {
    pinn_text_put(b, "  %-28s [%s]\n", name, shape);
  }
}

/* The domain line of a file with a mask: kind, points inside, the mesh
 * ParaView shows; "domain: box" otherwise. */
static void describe_domain(pinn_text *b, pinn_h5_reader *r)
{
  char *kind = NULL;
  int64_t in = -1;
  double rtol = NAN;
  if (!pinn_h5_has_attr(r, "/", "domain") || pinn_h5_get_attr_string(r, "/", "domain", &kind)) {
    free(kind);
    if (pinn_h5_has(r, "/solution/mask")) /* a ball's file written before these attributes */
      pinn_text_put(b, "domain: not a box (the grid covers its bounding box; NaN outside)\n");
    else
      pinn_text_put(b, "domain: box\n");
    return;
  }
  pinn_h5_get_attr_int64(r, "/", "inside_points", &in);
  if (pinn_h5_has_attr(r, "/", "inside_rtol"))
    pinn_h5_get_attr_double(r, "/", "inside_rtol", &rtol);
  int rank;
  size_t dims[PINN_H5_MAX_RANK], n = 0;
  if (pinn_h5_has(r, "/solution/mask") &&
      !pinn_h5_dataset_shape(r, "/solution/mask", &rank, dims)) {
    n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
  }
  pinn_text_put(b, "domain: %s (not a box): %lld of the %zu grid points inside (signed distance "
                   "<= %g x the largest side of the bounding box); NaN outside\n",
                kind, (long long)in, n, rtol);
  free(kind);
  size_t cd[PINN_H5_MAX_RANK], pd[PINN_H5_MAX_RANK];
  int cr, pr;
  if (pinn_h5_has(r, "/xdmf/mesh/xyz") && !pinn_h5_dataset_shape(r, "/xdmf/mesh/xyz", &pr, pd)) {
    if (pinn_h5_has(r, "/xdmf/mesh/cells") &&
        !pinn_h5_dataset_shape(r, "/xdmf/mesh/cells", &cr, cd) && cr == 2)
      pinn_text_put(b, "ParaView mesh: %zu %s over %zu points (the grid cells with every corner "
                       "inside)\n",
                    cd[0], cd[1] == 8 ? "hexahedra" : "quadrilaterals", pd[0]);
    else
      pinn_text_put(b, "ParaView mesh: the %zu inside points (no grid cell lies inside)\n", pd[0]);
  }
}

/* Split a comma-separated attribute into up to max names of < 80 chars. */
static size_t split_list(const char *s, char (*out)[80], size_t max)
{
  size_t n = 0;
  while (*s && n < max) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len >= 80) len = 79;
    memcpy(out[n], s, len);
    out[n][len] = '\0';
    if (len) ++n;
    if (!e) break;
    s = e + 1;
  }
  return n;
}

static int attr_d(pinn_h5_reader *r, const char *name, double *v)
{
  return pinn_h5_has_attr(r, "/", name) && pinn_h5_get_attr_double(r, "/", name, v) == 0;
}

static char *attr_s(pinn_h5_reader *r, const char *name)
{
  char *s = NULL;
  if (pinn_h5_has_attr(r, "/", name) && pinn_h5_get_attr_string(r, "/", name, &s) == 0) return s;
  free(s);
  return NULL;
}

/* Compare the run id of the sidecar xmf with id (the .h5's). */
static int check_one_sidecar(const char *h5path, const char *xmf, const char *id,
                             pinn_error *err)
{
  char xid[80];
  int st = pinn_xdmf_read_run_id(xmf, xid, sizeof xid, err);
  if (st == PINN_EIO)
    return pinn_error_set(err, PINN_EIO,
                          "'%s' has no sidecar '%s' (it was removed, or a write was interrupted "
                          "before it); write the solve again to open it in ParaView",
                          h5path, xmf);
  if (st) return st;
  if (strcmp(xid, id) != 0)
    return pinn_error_set(err, PINN_EFORMAT,
                          "the sidecar '%s' belongs to another run (run id %s) than '%s' (run id "
                          "%s): a write was interrupted between the two files; write the solve "
                          "again",
                          xmf, xid[0] ? xid : "none", h5path, id);
  return 0;
}

int pinn_output_check_sidecar(const char *h5path, pinn_error *err)
{
  char xmf[4096], xmf_st[4096];
  if (!h5path || pinn_output_xmf_path(h5path, xmf, sizeof xmf) ||
      pinn_output_spacetime_path(h5path, xmf_st, sizeof xmf_st))
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_check_sidecar: bad path");
  pinn_h5_reader *r = pinn_h5_open(h5path, err);
  if (!r) return err ? err->code : PINN_EIO;
  char *id = NULL;
  int st = 0;
  if (pinn_h5_has_attr(r, "/", "run_id") && pinn_h5_get_attr_string(r, "/", "run_id", &id))
    st = pinn_error_set(err, PINN_EFORMAT, "%s", pinn_h5_reader_errmsg(r));
  pinn_h5_close(r);
  if (!st && id) {
    st = check_one_sidecar(h5path, xmf, id, err);
    if (!st && access(xmf_st, F_OK) == 0) st = check_one_sidecar(h5path, xmf_st, id, err);
  }
  free(id);
  if (!st) pinn_error_clear(err);
  return st;
}

int pinn_output_describe(const char *h5path, char *buf, size_t size, pinn_error *err)
{
  if (!buf || size == 0)
    return pinn_error_set(err, PINN_EINVAL, "pinn_output_describe: need a buffer");
  buf[0] = '\0';
  pinn_text b = {buf, size, 0, 0, 0};
  pinn_h5_reader *r = pinn_h5_open(h5path, err);
  if (!r) {
    pinn_text_put(&b, "%s: %s\n", h5path ? h5path : "(null)", err ? err->msg : "cannot open");
    return err ? err->code : PINN_EIO;
  }
  char *fmt = attr_s(r, "format");
  int is_solution = fmt && strcmp(fmt, OUTPUT_FORMAT_NAME) == 0;
  const int is_grid = fmt && strcmp(fmt, "libpinn-grid") == 0;
  free(fmt);
  fmt = attr_s(r, "kind");
  const int is_ckpt = fmt && strcmp(fmt, "libpinn checkpoint") == 0;
  free(fmt);
  pinn_text_put(&b, "file: %s (%s)\n", h5path,
                is_solution ? "libpinn solve output"
                : is_ckpt   ? "libpinn checkpoint"
                : is_grid   ? "libpinn grid values, from pinn eval"
                            : (pinn_h5_has(r, PINN_MODEL_GROUP) ? "libpinn model"
                                                                : "HDF5, not written by libpinn"));
  if (is_ckpt) { /* where the run stands (the trainer validates all of it on resume) */
    int64_t *iv = NULL;
    double *dv = NULL;
    size_t ni[1] = {10}, nd[1] = {6};
    if (!pinn_h5_read_dataset_int64(r, "/trainer/counters", 1, ni, &iv, NULL, NULL) &&
        !pinn_h5_read_dataset(r, "/trainer/scalars", 1, nd, &dv, NULL, NULL))
      pinn_text_put(&b, "checkpoint: phase %lld, iteration %lld of it, %lld in all, best loss "
                        "%.6g, %.3g s of training (resume with pinn solve ... --resume %s)\n",
                    (long long)iv[2] + 1, (long long)iv[3], (long long)iv[4], dv[0], dv[5], h5path);
    else
      pinn_text_put(&b, "checkpoint: the trainer's counters do not read: %s\n",
                    pinn_h5_reader_errmsg(r));
    free(iv);
    free(dv);
  }
  char (*outs)[80] = calloc(PINN_MAX_OUTPUTS + 1, sizeof *outs);
  char (*terms)[80] = calloc(64, sizeof *terms);
  size_t n_outs = 0, n_terms = 0;
  if (!outs || !terms) {
    free(outs);
    free(terms);
    pinn_h5_close(r);
    return pinn_error_set(err, PINN_ENOMEM, "out of memory");
  }
  if (is_solution) {
    char *s = attr_s(r, "problem");
    char *d = attr_s(r, "description");
    char *v = attr_s(r, "libpinn_version");
    int64_t sd = 0, ht = 0;
    pinn_h5_get_attr_int64(r, "/", "space_dim", &sd);
    pinn_h5_get_attr_int64(r, "/", "has_time", &ht);
    pinn_text_put(&b, "problem: %s%s%s (%lld space dimension%s%s)\n", s ? s : "?",
                  d && d[0] ? " — " : "", d && d[0] ? d : "", (long long)sd, sd == 1 ? "" : "s",
                  ht ? " + time" : "");
    pinn_text_put(&b, "written by: libpinn %s\n", v ? v : "?");
    free(s);
    free(d);
    free(v);
    s = attr_s(r, "outputs");
    if (s) n_outs = split_list(s, outs, PINN_MAX_OUTPUTS);
    free(s);
    s = attr_s(r, "terms");
    if (s) n_terms = split_list(s, terms, 64);
    free(s);
    int64_t seed = 0, it = 0;
    double sec = NAN, fl = NAN;
    pinn_h5_get_attr_int64(r, "/", "seed", &seed);
    pinn_h5_get_attr_int64(r, "/", "iterations", &it);
    attr_d(r, "seconds", &sec);
    attr_d(r, "final_loss", &fl);
    s = attr_s(r, "stop_reason");
    pinn_text_put(&b, "run: seed %lld, %lld iterations in %.3g s, stopped: %s, final loss %.6g\n",
                  (long long)seed, (long long)it, sec, s ? s : "?", fl);
    free(s);
    int64_t by_time = 0;
    double budget = 0;
    if (!pinn_h5_get_attr_int64(r, "/", "ended_by_time_budget", &by_time) && by_time &&
        attr_d(r, "time_budget", &budget))
      pinn_text_put(&b, "WARNING: ended by its time budget of %g s: the result depends on the "
                        "machine's speed\n", budget);
    s = attr_s(r, "error");
    if (s) pinn_text_put(&b, "the run failed: %s\n", s);
    free(s);
    double e1, e2, e3;
    s = attr_s(r, "reference");
    if (attr_d(r, "rel_l2_error", &e1) && attr_d(r, "max_abs_error", &e2))
      pinn_text_put(&b, "error vs %s: relative L2 %.6g, max abs %.6g\n",
                    s ? (strcmp(s, "exact") == 0 ? "exact solution" : s) : "reference", e1, e2);
    else
      pinn_text_put(&b, "error: no exact or reference solution\n");
    free(s);
    if (attr_d(r, "reference_points", &e1) && attr_d(r, "reference_points_rel_l2_error", &e2) &&
        attr_d(r, "reference_points_max_abs_error", &e3))
      pinn_text_put(&b, "error vs %.0f reference points: relative L2 %.6g, max abs %.6g\n", e1,
                    e2, e3);
    if (attr_d(r, "contact_tolerance", &e1)) {
      if (attr_d(r, "contact_multiplier_tolerance", &e2))
        pinn_text_put(&b, "obstacle: contact where the gap <= %.6g and the multiplier > %.6g\n", e1,
                      e2);
      else
        pinn_text_put(&b, "obstacle: contact where the gap <= %.6g\n", e1);
    }
    s = attr_s(r, "run_id");
    if (s) {
      pinn_error se;
      if (pinn_output_check_sidecar(h5path, &se) == 0)
        pinn_text_put(&b, "run id: %s (the sidecar matches)\n", s);
      else
        pinn_text_put(&b, "run id: %s\nWARNING: %s\n", s, se.msg);
    }
    free(s);
  }
  if (is_grid) {
    char *pr = attr_s(r, "problem");
    char *fl = attr_s(r, "fields");
    int64_t sd = 0, ht = 0;
    pinn_h5_get_attr_int64(r, "/", "space_dim", &sd);
    pinn_h5_get_attr_int64(r, "/", "has_time", &ht);
    pinn_text_put(&b, "problem: %s (%lld space dimension%s%s)\nfields: %s\n",
                  pr && pr[0] ? pr : "?", (long long)sd, sd == 1 ? "" : "s", ht ? " + time" : "",
                  fl ? fl : "?");
    if (fl) n_outs = split_list(fl, outs, PINN_MAX_OUTPUTS);
    free(pr);
    free(fl);
  }
  if (is_solution || is_grid) describe_domain(&b, r);
  /* network */
  pinn_model_meta m;
  pinn_error me;
  if (is_grid) {
    /* values only: no network */
  } else if (pinn_model_read_meta(r, NULL, &m, &me) == 0) {
    pinn_text_put(&b, "network: %zu", m.n_in);
    char acts[sizeof m.activations];
    memcpy(acts, m.activations, sizeof acts);
    char *save = NULL, *a = strtok_r(acts, ",", &save);
    int64_t *sz = NULL;
    size_t want[1] = {m.n_layers};
    char path[64];
    snprintf(path, sizeof path, "%s/sizes", PINN_MODEL_GROUP);
    if (pinn_h5_read_dataset_int64(r, path, 1, want, &sz, NULL, NULL) == 0) {
      for (size_t l = 1; l + 1 < m.n_layers; ++l) {
        pinn_text_put(&b, " -> %lld %s", (long long)sz[l], a ? a : "?");
        a = strtok_r(NULL, ",", &save);
      }
    }
    free(sz);
    pinn_text_put(&b, " -> %zu (%zu parameters)\n", m.n_out, m.n_params);
    if (m.problem_transform)
      pinn_text_put(&b, "output transform: the problem's own (hard constraints): pinn eval applies it "
                        "by re-creating problem '%s' (bundled, or --plugin)\n", m.problem);
    pinn_text_put(&b, "inputs:");
    for (size_t i = 0; i < m.n_in; ++i) {
      pinn_text_put(&b, " %s", m.inputs[i]);
      if (m.has_bounds)
        pinn_text_put(&b, " in [%g, %g]%s", m.lo[i], m.hi[i], i + 1 < m.n_in ? "," : "");
    }
    if (m.has_input_map) {
      pinn_text_put(&b, "\ninput map: [");
      for (size_t i = 0; i < m.n_in; ++i)
        pinn_text_put(&b, "%s[%g, %g]", i ? " x " : "", m.map_lo[i], m.map_hi[i]);
      pinn_text_put(&b, "] -> [-1, 1]^%zu in front of the first layer", m.n_in);
    }
    int periodic = 0, axis = 0;
    for (size_t i = 0; m.has_embedding && i < m.n_in; ++i) {
      periodic |= m.embedding.period[i] > 0;
      axis |= m.embedding.fourier.axis[i] > 0;
    }
    if (periodic) {
      pinn_text_put(&b, "\nperiodic:");
      for (size_t i = 0, first = 1; i < m.n_in; ++i)
        if (m.embedding.period[i] > 0) {
          pinn_text_put(&b, "%s %s with period %g (%u harmonic%s)", first ? "" : ",", m.inputs[i],
                        m.embedding.period[i], m.embedding.harmonics[i],
                        m.embedding.harmonics[i] == 1 ? "" : "s");
          first = 0;
        }
      pinn_text_put(&b, ": exact, by a cos/sin embedding");
    }
    if (axis) {
      pinn_text_put(&b, "\nFourier features:");
      for (size_t i = 0, first = 1; i < m.n_in; ++i)
        if (m.embedding.fourier.axis[i] > 0) {
          pinn_text_put(&b, "%s %s with cos/sin(k pi %s'), k = 1..%u", first ? "" : ",",
                        m.inputs[i], m.inputs[i], m.embedding.fourier.axis[i]);
          first = 0;
        }
    }
    if (m.has_embedding && m.embedding.fourier.m > 0)
      pinn_text_put(&b, "\nrandom Fourier features: %zu cos/sin pairs of 2 pi B z' (B ~ N(0, %g^2), "
                        "seed %lu; z' the inputs that are not periodic)",
                    m.embedding.fourier.m, m.embedding.fourier.sigma, m.embedding.fourier.seed);
    pinn_text_put(&b, "\noutputs:");
    for (size_t k = 0; k < m.n_out && k < PINN_MAX_OUTPUTS; ++k)
      pinn_text_put(&b, " %s", m.outputs[k]);
    if (m.n_out > PINN_MAX_OUTPUTS) pinn_text_put(&b, " ...");
    pinn_text_put(&b, "\n");
    if (!is_solution && m.problem[0]) pinn_text_put(&b, "problem: %s\n", m.problem);
    if (!is_solution && !n_outs)
      for (size_t k = 0; k < m.n_out && k < PINN_MAX_OUTPUTS; ++k, ++n_outs)
        snprintf(outs[k], 80, "%s", m.outputs[k]);
  } else {
    pinn_text_put(&b, "network: none readable (%s)\n", me.msg);
  }
  /* learnable coefficients and problem metrics */
  for (int which = 0; which < 2 && is_solution; ++which) {
    char *list = attr_s(r, which ? "metrics" : "coefficients");
    char (*items)[80] = calloc(PINN_MAX_METRICS, sizeof *items);
    size_t ni = list && items ? split_list(list, items, PINN_MAX_METRICS) : 0;
    if (ni) pinn_text_put(&b, "%s:", which ? "metrics" : "coefficients");
    for (size_t i = 0; i < ni; ++i) {
      char an[100];
      double v;
      snprintf(an, sizeof an, "%s_%s", which ? "metric" : "coef", items[i]);
      if (attr_d(r, an, &v)) pinn_text_put(&b, " %s = %.10g%s", items[i], v, i + 1 < ni ? "," : "");
    }
    if (ni) pinn_text_put(&b, "\n");
    free(items);
    free(list);
  }
  pinn_text_put(&b, "datasets:\n");
  static const char *const axes[4] = {"/grid/x", "/grid/y", "/grid/z", "/grid/t"};
  for (int i = 0; i < 4; ++i) describe_dataset(&b, r, axes[i]);
  char nm[200];
  for (size_t k = 0; k < n_outs; ++k) {
    static const char *const suf[3] = {"", "_ref", "_error"};
    for (int j = 0; j < 3; ++j) {
      snprintf(nm, sizeof nm, "/solution/%s%s", outs[k], suf[j]);
      describe_dataset(&b, r, nm);
    }
  }
  static const char *const extra[4] = {"/solution/residual", "/solution/psi",
                                       "/solution/contact", "/solution/mask"};
  for (int i = 0; i < 4; ++i) describe_dataset(&b, r, extra[i]);
  describe_dataset(&b, r, "/reference_points/points");
  for (size_t k = 0; k < n_outs; ++k) {
    static const char *const suf[3] = {"", "_ref", "_error"};
    for (int j = 0; j < 3; ++j) {
      snprintf(nm, sizeof nm, "/reference_points/%s%s", outs[k], suf[j]);
      describe_dataset(&b, r, nm);
    }
  }
  for (size_t i = 0; i < n_terms; ++i) {
    snprintf(nm, sizeof nm, "/points/%s", terms[i]);
    describe_dataset(&b, r, nm);
  }
  describe_dataset(&b, r, "/history/loss");
  describe_dataset(&b, r, "/history/grad_norm");
  for (size_t i = 0; i < n_terms; ++i) {
    char hn[100];
    history_name(terms[i], hn, sizeof hn);
    snprintf(nm, sizeof nm, "/history/%s", hn);
    describe_dataset(&b, r, nm);
  }
  describe_dataset(&b, r, "/model/sizes");
  describe_dataset(&b, r, "/model/theta");
  free(outs);
  free(terms);
  pinn_h5_close(r);
  pinn_error_clear(err);
  return 0;
}
