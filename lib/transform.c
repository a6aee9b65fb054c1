/* libpinn — output transforms (see include/pinn/transform.h for the maths:
 * u = g + d N after Lagaris, Likas & Fotiadis 1998; u = psi + softplus(N)).
 *
 * The callbacks g, d, psi are evaluated into per-point coefficients (the
 * channels of g or psi, then those of d: 2 C doubles per point), either in
 * chunks of a few points on the fly (pinn_transform_forward) or once by the
 * caller (pinn_transform_coefs); one kernel applies them.  Both passes work
 * point by point: the transformed component's C channels of one point are
 * read into a local array, combined, and written back, so the output may
 * alias the input.  The forward pass keeps per point, channel by channel,
 * what the adjoint needs in `work` (stride nb):
 *   DIRICHLET  work[c * nb + q] = d, d_i or d_ij  for channel c = value,
 *              first derivative d/dx_i, pair (i,j);
 *   OBSTACLE   work[c * nb + q] = N's channel c, and
 *              work[(C + m) * nb + q] = sense s', s'', s''' (m = 0, 1, 2):
 *              the upper obstacle u = psi - s(N) is the lower one with the
 *              derivatives of s negated, so one adjoint serves both.
 * Strides: the block layout is (k * C + c) * ld + q, the batch layout of
 * pinn_mlp_jets (q * n_out + k) * C + c; one kernel serves both with a
 * channel stride and a point stride.
 */
#include <pinn/transform.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Largest number of channels a spec may have. */
#define MAX_CH (1 + PINN_MAX_INPUTS + PINN_MAX_PAIRS)

pinn_transform pinn_transform_none(void)
{
  const pinn_transform t = {.kind = PINN_TRANSFORM_NONE, .sense = PINN_SENSE_LOWER};
  return t;
}

/* The transform of this kind on component k with context ctx (the rest as
 * pinn_transform_none). */
static pinn_transform of_kind(pinn_transform_kind kind, size_t component, void *ctx)
{
  const pinn_transform t = {
      .kind = kind, .component = component, .ctx = ctx, .sense = PINN_SENSE_LOWER};
  return t;
}

pinn_transform pinn_transform_dirichlet(size_t component, pinn_xjet_fn g, pinn_xjet_fn d,
                                        void *ctx)
{
  pinn_transform t = of_kind(PINN_TRANSFORM_DIRICHLET, component, ctx);
  t.g = g;
  t.d = d;
  return t;
}

pinn_transform pinn_transform_obstacle(size_t component, pinn_xjet_fn psi, double beta, void *ctx)
{
  pinn_transform t = of_kind(PINN_TRANSFORM_OBSTACLE, component, ctx);
  t.psi = psi;
  t.beta = beta;
  return t;
}

pinn_transform pinn_transform_obstacle_upper(size_t component, pinn_xjet_fn psi, double beta,
                                             void *ctx)
{
  pinn_transform t = pinn_transform_obstacle(component, psi, beta, ctx);
  t.sense = PINN_SENSE_UPPER;
  return t;
}

pinn_transform pinn_transform_dirichlet_series(size_t component, pinn_series_fn g,
                                               pinn_series_fn d, void *ctx)
{
  pinn_transform t = of_kind(PINN_TRANSFORM_DIRICHLET, component, ctx);
  t.g_s = g;
  t.d_s = d;
  return t;
}

pinn_transform pinn_transform_obstacle_series(size_t component, pinn_series_fn psi, double beta,
                                              void *ctx)
{
  pinn_transform t = of_kind(PINN_TRANSFORM_OBSTACLE, component, ctx);
  t.psi_s = psi;
  t.beta = beta;
  return t;
}

pinn_transform pinn_transform_obstacle_upper_series(size_t component, pinn_series_fn psi,
                                                    double beta, void *ctx)
{
  pinn_transform t = pinn_transform_obstacle_series(component, psi, beta, ctx);
  t.sense = PINN_SENSE_UPPER;
  return t;
}

/* Series form: the main callback given as a series (the checks refuse a
 * mixture of the two forms). */
static int series_form(const pinn_transform *t)
{
  return t->kind == PINN_TRANSFORM_DIRICHLET ? t->d_s != NULL : t->psi_s != NULL;
}

int pinn_transform_is_series(const pinn_transform *t)
{
  if (!t) return 0;
  return t->kind == PINN_TRANSFORM_NONE || series_form(t);
}

const char *pinn_transform_kind_name(pinn_transform_kind kind)
{
  switch (kind) {
  case PINN_TRANSFORM_NONE: return "none";
  case PINN_TRANSFORM_DIRICHLET: return "dirichlet";
  case PINN_TRANSFORM_OBSTACLE: return "obstacle";
  }
  return NULL;
}

/* Everything but the dimension (the adjoint has no points). */
static int check_kind(const pinn_transform *t, size_t n_out, pinn_error *err)
{
  if (!t) return pinn_error_set(err, PINN_EINVAL, "output transform: NULL transform");
  switch (t->kind) {
  case PINN_TRANSFORM_NONE: return PINN_SUCCESS;
  case PINN_TRANSFORM_DIRICHLET:
    if ((t->d || t->g) && (t->d_s || t->g_s))
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (dirichlet): g and d mix the xjet and the series "
                            "form; give both as series (pinn_transform_dirichlet_series) or both "
                            "as xjets");
    if (!t->d && !t->d_s)
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (dirichlet): the distance function d is missing; "
                            "give an xjet function vanishing on the constrained boundary");
    break;
  case PINN_TRANSFORM_OBSTACLE:
    if (t->psi && t->psi_s)
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (obstacle): psi is given both as an xjet and as a "
                            "series; give one");
    if (!t->psi && !t->psi_s)
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (obstacle): the obstacle function psi is missing; "
                            "give an xjet function (a constant obstacle is px_const(c))");
    if (!(t->beta > 0.0) || !isfinite(t->beta))
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (obstacle): softplus sharpness beta = %g; use a "
                            "finite beta > 0 (e.g. 1 to 50)",
                            t->beta);
    if (t->sense != 1 && t->sense != -1)
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (obstacle): sense = %d; use +1 (u >= psi, "
                            "pinn_transform_obstacle) or -1 (u <= psi, "
                            "pinn_transform_obstacle_upper)",
                            (int)t->sense);
    break;
  default:
    return pinn_error_set(err, PINN_EINVAL,
                          "output transform: unknown kind %d; use PINN_TRANSFORM_NONE, "
                          "_DIRICHLET or _OBSTACLE",
                          (int)t->kind);
  }
  if (t->component >= n_out)
    return pinn_error_set(err, PINN_EINVAL,
                          "output transform (%s): component %zu does not exist, the network has "
                          "%zu output(s); use a component in 0 .. %zu",
                          pinn_transform_kind_name(t->kind), t->component, n_out,
                          n_out ? n_out - 1 : 0);
  return PINN_SUCCESS;
}

int pinn_transform_check(const pinn_transform *t, size_t n_out, size_t dim, pinn_error *err)
{
  int st = check_kind(t, n_out, err);
  if (st) return st;
  if (t->kind == PINN_TRANSFORM_NONE) return PINN_SUCCESS;
  if (series_form(t)) {
    if (dim < 1 || dim > PINN_TS_MAX_VARS)
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform (%s): the points have %zu coordinates, but series-form "
                            "functions take 1 to %d",
                            pinn_transform_kind_name(t->kind), dim, PINN_TS_MAX_VARS);
    return PINN_SUCCESS;
  }
  if (dim < 1 || dim > PINN_XJET_MAX)
    return pinn_error_set(err, PINN_EINVAL,
                          "output transform (%s): the points have %zu coordinates, but g, d and "
                          "psi are xjets of 1 to %d coordinates (x, y, z, t)",
                          pinn_transform_kind_name(t->kind), dim, PINN_XJET_MAX);
  return PINN_SUCCESS;
}

size_t pinn_transform_work_size(const pinn_jet_spec *spec, size_t nb)
{
  if (!spec) return 0;
  return (pinn_jet_spec_channels(spec) + 3) * nb;
}

/* The channels of a spec: input of each first-derivative channel, and for
 * each pair channel its inputs and their first-derivative channels. */
typedef struct {
  size_t C, n1, np;
  unsigned char in1[PINN_MAX_INPUTS];       /* channel 1 + m: d/dx_in1[m] */
  unsigned char pa[PINN_MAX_PAIRS], pb[PINN_MAX_PAIRS];  /* pair inputs */
  unsigned char ca[PINN_MAX_PAIRS], cb[PINN_MAX_PAIRS];  /* their channels */
} chmap;

/* Fill m from spec; dim = 0 skips the coordinate check. */
static int map_spec(const pinn_jet_spec *spec, size_t dim, chmap *m, pinn_error *err)
{
  if (!spec) return pinn_error_set(err, PINN_EINVAL, "output transform: NULL jet spec");
  if (spec->n_pairs > PINN_MAX_PAIRS)
    return pinn_error_set(err, PINN_EINVAL, "output transform: jet spec with %zu pairs (at most %d)",
                          spec->n_pairs, PINN_MAX_PAIRS);
  m->n1 = 0;
  for (unsigned i = 0; i < 32; ++i) {
    if (!(spec->first & (1u << i))) continue;
    if (i >= PINN_MAX_INPUTS || (dim && i >= dim))
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform: the jet spec carries d/dx_%u but the points have "
                            "%zu coordinate(s); build the spec for the problem's inputs",
                            i, dim);
    m->in1[m->n1++] = (unsigned char)i;
  }
  m->np = spec->n_pairs;
  for (size_t p = 0; p < m->np; ++p) {
    const unsigned a = spec->pairs[p][0], b = spec->pairs[p][1];
    const int ca = pinn_jet_spec_first_channel(spec, a), cb = pinn_jet_spec_first_channel(spec, b);
    if (ca < 0 || cb < 0 || a > b)
      return pinn_error_set(err, PINN_EINVAL,
                            "output transform: jet pair (%u,%u) needs both first derivatives in "
                            "the spec; build specs with pinn_jet_spec_add_pair",
                            a, b);
    m->pa[p] = (unsigned char)a;
    m->pb[p] = (unsigned char)b;
    m->ca[p] = (unsigned char)ca;
    m->cb[p] = (unsigned char)cb;
  }
  m->C = 1 + m->n1 + m->np;
  return PINN_SUCCESS;
}

/* "(x0, x1, ...)" into buf. */
static void format_point(const double *x, size_t dim, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < dim && used < size; ++i) {
    int w = snprintf(buf + used, size - used, "%s%.17g%s", i ? ", " : "(", x[i],
                     i + 1 == dim ? ")" : "");
    if (w < 0) break;
    used += (size_t)w;
  }
}

/* Call fn (named name) at point x (row q) and check the entries the spec
 * uses: value, gradient entries of carried first derivatives, Hessian
 * entries of carried pairs. */
static int call_fn(pinn_xjet_fn fn, const char *name, void *ctx, const double *x, size_t dim,
                   size_t q, const char *rowname, const chmap *m, pinn_xjet *out, pinn_error *err)
{
  pinn_xjet X[PINN_XJET_MAX];
  for (size_t i = 0; i < PINN_XJET_MAX; ++i)
    X[i] = i < dim ? px_var(x[i], (int)i) : px_const((double)NAN);
  *out = px_const((double)NAN);
  int rc = fn(X, out, ctx);
  char pt[PINN_XJET_MAX * 26 + 8];
  if (rc) {
    format_point(x, dim, pt, sizeof pt);
    return pinn_error_set(err, PINN_ECALLBACK,
                          "output transform: the function %s returned %d at %s %zu, x = %s", name,
                          rc, rowname, q, pt);
  }
  const char *what = NULL;
  unsigned a = 0, b = 0;
  double bad = 0.0;
  if (!isfinite(out->v)) {
    what = "value";
    bad = out->v;
  }
  for (size_t i = 0; !what && i < m->n1; ++i)
    if (!isfinite(out->g[m->in1[i]])) {
      what = "gradient entry";
      a = m->in1[i];
      bad = out->g[a];
    }
  for (size_t p = 0; !what && p < m->np; ++p)
    if (!isfinite(out->h[m->pa[p]][m->pb[p]])) {
      what = "Hessian entry";
      a = m->pa[p];
      b = m->pb[p];
      bad = out->h[a][b];
    }
  if (!what) return PINN_SUCCESS;
  format_point(x, dim, pt, sizeof pt);
  char which[48] = "";
  if (what[0] == 'g') snprintf(which, sizeof which, " d/dx_%u", a);
  if (what[0] == 'H') snprintf(which, sizeof which, " d2/dx_%u dx_%u", a, b);
  return pinn_error_set(err, PINN_ENONFINITE,
                        "output transform: %s has %s%s = %g at %s %zu, x = %s; write *out in the "
                        "callback, read only x[0 .. %zu], and avoid non-differentiable forms "
                        "there (sqrt, log or a fractional power at 0, division by 0)",
                        name, what, which, bad, rowname, q, pt, dim ? dim - 1 : 0);
}

/* Call the series-form fn (named name) at point x along v to order K and
 * check the coefficients 0..K. */
static int call_series(pinn_series_fn fn, const char *name, void *ctx, const double *x,
                       size_t dim, const double *v, int K, size_t q, const char *rowname,
                       pinn_ts *out, pinn_error *err)
{
  pinn_ts X[PINN_TS_MAX_VARS];
  for (size_t i = 0; i < PINN_TS_MAX_VARS; ++i)
    X[i] = i < dim ? pt_var(x[i], v[i], K) : pt_const((double)NAN);
  *out = pt_const((double)NAN);
  int rc = fn(X, out, ctx);
  char pt[PINN_TS_MAX_VARS * 26 + 8];
  if (rc) {
    format_point(x, dim, pt, sizeof pt);
    return pinn_error_set(err, PINN_ECALLBACK,
                          "output transform: the function %s returned %d at %s %zu, x = %s", name,
                          rc, rowname, q, pt);
  }
  if (out->K < K) {
    format_point(x, dim, pt, sizeof pt);
    return pinn_error_set(err, PINN_ENONFINITE,
                          "output transform: %s returned a series of order %d where %d was asked, "
                          "at %s %zu, x = %s; build it from the coordinates x[i] and pt_const",
                          name, out->K, K, rowname, q, pt);
  }
  for (int k = 0; k <= K; ++k)
    if (!isfinite(out->c[k])) {
      format_point(x, dim, pt, sizeof pt);
      return pinn_error_set(err, PINN_ENONFINITE,
                            "output transform: %s has Taylor coefficient %d = %g at %s %zu, "
                            "x = %s; write *out in the callback, read only x[0 .. %zu], and "
                            "avoid non-differentiable forms there (sqrt, log or a fractional "
                            "power at 0, division by 0)",
                            name, k, out->c[k], rowname, q, pt, dim - 1);
    }
  return PINN_SUCCESS;
}

/* The channels of the series-form fn at x (spec map m) into a[0..C-1]:
 * the value, d/dx_i = c_1(e_i), d2/dx_i^2 = 2 c_2(e_i), and
 * d2/dx_i dx_j = c_2(e_i + e_j) - c_2(e_i) - c_2(e_j). */
static int series_channels(pinn_series_fn fn, const char *name, void *ctx, const double *x,
                           size_t dim, size_t q, const char *rowname, const chmap *m, double *a,
                           pinn_error *err)
{
  double v[PINN_TS_MAX_VARS] = {0}, c2[PINN_TS_MAX_VARS] = {0};
  const int K = m->np ? 2 : 1;
  const size_t p0 = 1 + m->n1;
  pinn_ts out;
  int st;
  if (m->n1 == 0) {
    if ((st = call_series(fn, name, ctx, x, dim, v, 0, q, rowname, &out, err))) return st;
    a[0] = out.c[0];
    return PINN_SUCCESS;
  }
  for (size_t j = 0; j < m->n1; ++j) {
    const unsigned i = m->in1[j];
    v[i] = 1.0;
    st = call_series(fn, name, ctx, x, dim, v, K, q, rowname, &out, err);
    v[i] = 0.0;
    if (st) return st;
    if (j == 0) a[0] = out.c[0];
    a[1 + j] = out.c[1];
    c2[i] = out.c[2];
  }
  for (size_t p = 0; p < m->np; ++p) {
    const unsigned ia = m->pa[p], ib = m->pb[p];
    if (ia == ib) {
      a[p0 + p] = 2.0 * c2[ia];
      continue;
    }
    v[ia] = v[ib] = 1.0;
    st = call_series(fn, name, ctx, x, dim, v, 2, q, rowname, &out, err);
    v[ia] = v[ib] = 0.0;
    if (st) return st;
    a[p0 + p] = out.c[2] - c2[ia] - c2[ib];
  }
  return PINN_SUCCESS;
}

int pinn_transform_series(const pinn_transform *t, size_t dim, const double *x, const double *v,
                          int K, double *f, double *d, pinn_error *err)
{
  int st = check_kind(t, t ? t->component + 1 : 1, err);
  if (st) return st;
  if (t->kind == PINN_TRANSFORM_NONE || !series_form(t))
    return pinn_error_set(err, PINN_EINVAL,
                          "output transform (%s) is not in series form: build it with "
                          "pinn_transform_dirichlet_series or pinn_transform_obstacle_series",
                          pinn_transform_kind_name(t->kind));
  if (dim < 1 || dim > PINN_TS_MAX_VARS || K < 0 || K > PINN_TS_MAX_ORDER || !x || !v || !f ||
      !d)
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_transform_series: dim %zu (1 .. %d), order %d (0 .. %d), and "
                          "non-NULL x, v, f, d",
                          dim, PINN_TS_MAX_VARS, K, PINN_TS_MAX_ORDER);
  pinn_ts A = pt_const(0.0), D = pt_const(0.0);
  if (t->kind == PINN_TRANSFORM_DIRICHLET) {
    if (t->g_s && (st = call_series(t->g_s, "g", t->ctx, x, dim, v, K, 0, "point", &A, err)))
      return st;
    if ((st = call_series(t->d_s, "d", t->ctx, x, dim, v, K, 0, "point", &D, err))) return st;
  } else if ((st = call_series(t->psi_s, "psi", t->ctx, x, dim, v, K, 0, "point", &A, err))) {
    return st;
  }
  for (int k = 0; k <= K; ++k) {
    f[k] = A.c[k];
    d[k] = D.c[k];
  }
  return PINN_SUCCESS;
}

/* softplus_beta and its derivatives at n (overflow-free). */
static void softplus3(double n, double beta, double *s, double *s1, double *s2, double *s3)
{
  const double z = beta * n, e = exp(-fabs(z));
  const double sig = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  const double sc = z >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e); /* 1 - sig */
  *s = (z > 0.0 ? n : 0.0) + log1p(e) / beta;
  *s1 = sig;
  *s2 = beta * sig * sc;
  *s3 = beta * beta * sig * sc * (sc - sig);
}

/* Coefficients of cnt points x (rows of dim), named row0 + r in messages:
 * coef[r * 2C + c] = channel c of g (zero when g is NULL) or psi,
 * coef[r * 2C + C + c] = channel c of d (zero for OBSTACLE). */
static int eval_coefs(const pinn_transform *t, const chmap *m, size_t dim, const double *x,
                      size_t cnt, size_t row0, const char *rowname, double *coef, pinn_error *err)
{
  const size_t C = m->C, p0 = 1 + m->n1;
  for (size_t r = 0; r < cnt; ++r) {
    const double *xr = x + r * dim;
    double *a = coef + r * 2 * C, *b = a + C;
    pinn_xjet A = px_const(0.0), B = px_const(0.0);
    int st;
    if (series_form(t)) {
      for (size_t c = 0; c < C; ++c) a[c] = b[c] = 0.0;
      if (t->kind == PINN_TRANSFORM_DIRICHLET) {
        if (t->g_s && (st = series_channels(t->g_s, "g", t->ctx, xr, dim, row0 + r, rowname, m,
                                            a, err)))
          return st;
        if ((st = series_channels(t->d_s, "d", t->ctx, xr, dim, row0 + r, rowname, m, b, err)))
          return st;
      } else if ((st = series_channels(t->psi_s, "psi", t->ctx, xr, dim, row0 + r, rowname, m, a,
                                       err))) {
        return st;
      }
      continue;
    }
    if (t->kind == PINN_TRANSFORM_DIRICHLET) {
      if (t->g && (st = call_fn(t->g, "g", t->ctx, xr, dim, row0 + r, rowname, m, &A, err)))
        return st;
      if ((st = call_fn(t->d, "d", t->ctx, xr, dim, row0 + r, rowname, m, &B, err))) return st;
    } else if ((st = call_fn(t->psi, "psi", t->ctx, xr, dim, row0 + r, rowname, m, &A, err))) {
      return st;
    }
    a[0] = A.v;
    b[0] = B.v;
    for (size_t j = 0; j < m->n1; ++j) {
      a[1 + j] = A.g[m->in1[j]];
      b[1 + j] = B.g[m->in1[j]];
    }
    for (size_t p = 0; p < m->np; ++p) {
      a[p0 + p] = A.h[m->pa[p]][m->pb[p]];
      b[p0 + p] = B.h[m->pa[p]][m->pb[p]];
    }
  }
  return PINN_SUCCESS;
}

/* Copy the untransformed outputs of n points from N to U.  Entry (k, c, q)
 * is at (k * C + c) * cs + q * qs (block: cs = ld, qs = 1; batch: cs = 1,
 * qs = n_out * C). */
static void copy_others(const pinn_transform *t, const chmap *m, size_t n_out, size_t n,
                        size_t cs, size_t qs, const double *N, double *U)
{
  if (U == N) return;
  for (size_t k = 0; k < n_out; ++k) {
    if (t->kind != PINN_TRANSFORM_NONE && k == t->component) continue;
    for (size_t c = 0; c < m->C; ++c)
      for (size_t q = 0; q < n; ++q) {
        const size_t e = (k * m->C + c) * cs + q * qs;
        U[e] = N[e];
      }
  }
}

/* The transformed component of points q0 .. q1-1 (strides as copy_others),
 * coef holding the coefficients of point q0 onwards; work has stride n. */
static void apply(const pinn_transform *t, const chmap *m, size_t q0, size_t q1, size_t n,
                  size_t cs, size_t qs, const double *coef, const double *N, double *U,
                  double *work)
{
  const size_t C = m->C, base = t->component * C * cs, p0 = 1 + m->n1;
  for (size_t q = q0; q < q1; ++q) {
    const double *a = coef + (q - q0) * 2 * C, *d = a + C;
    double nl[MAX_CH], ul[MAX_CH];
    nl[0] = N[base + q * qs];
    for (size_t c = 1; c < C; ++c) nl[c] = N[base + c * cs + q * qs];
    if (t->kind == PINN_TRANSFORM_DIRICHLET) {
      const double n0 = nl[0];
      ul[0] = a[0] + d[0] * n0;
      for (size_t c = 1; c < p0; ++c) ul[c] = a[c] + d[c] * n0 + d[0] * nl[c];
      for (size_t p = 0; p < m->np; ++p) {
        const size_t ca = m->ca[p], cb = m->cb[p], c = p0 + p;
        ul[c] = a[c] + d[c] * n0 + (d[ca] * nl[cb] + d[cb] * nl[ca]) + d[0] * nl[c];
      }
      if (work)
        for (size_t c = 0; c < C; ++c) work[c * n + q] = d[c];
    } else {
      double s, s1, s2, s3;
      softplus3(nl[0], t->beta, &s, &s1, &s2, &s3);
      if (t->sense < 0) { /* u = psi - s(N) */
        s = -s;
        s1 = -s1;
        s2 = -s2;
        s3 = -s3;
      }
      ul[0] = a[0] + s;
      for (size_t c = 1; c < p0; ++c) ul[c] = a[c] + s1 * nl[c];
      for (size_t p = 0; p < m->np; ++p) {
        const size_t c = p0 + p;
        ul[c] = a[c] + s2 * nl[m->ca[p]] * nl[m->cb[p]] + s1 * nl[c];
      }
      if (work) {
        for (size_t c = 0; c < C; ++c) work[c * n + q] = nl[c];
        work[C * n + q] = s1;
        work[(C + 1) * n + q] = s2;
        work[(C + 2) * n + q] = s3;
      }
    }
    for (size_t c = 0; c < C; ++c) U[base + c * cs + q * qs] = ul[c];
  }
}

/* Points per chunk when the coefficients are evaluated on the fly. */
#define CHUNK 8

/* Forward pass evaluating the callbacks chunk by chunk. */
static int forward_eval(const pinn_transform *t, const chmap *m, size_t n_out, size_t dim,
                        const double *x, size_t n, size_t cs, size_t qs, const double *N,
                        double *U, double *work, const char *rowname, pinn_error *err)
{
  copy_others(t, m, n_out, n, cs, qs, N, U);
  if (t->kind == PINN_TRANSFORM_NONE) return PINN_SUCCESS;
  double coef[CHUNK * 2 * MAX_CH];
  for (size_t q0 = 0; q0 < n; q0 += CHUNK) {
    const size_t q1 = q0 + CHUNK < n ? q0 + CHUNK : n;
    int st = eval_coefs(t, m, dim, x + q0 * dim, q1 - q0, q0, rowname, coef, err);
    if (st) return st;
    apply(t, m, q0, q1, n, cs, qs, coef, N, U, work);
  }
  return PINN_SUCCESS;
}

static int check_block(size_t nb, size_t ld, pinn_error *err)
{
  if (nb > ld)
    return pinn_error_set(err, PINN_EINVAL,
                          "output transform: block of %zu points with leading dimension %zu; "
                          "ld must be >= nb",
                          nb, ld);
  return PINN_SUCCESS;
}

/* The checks pinn_transform_forward_coefs and _adjoint start with: the
 * transform, the spec's channel map (no points: dim 0) and the block. */
static int check_block_call(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                            size_t nb, size_t ld, chmap *m, pinn_error *err)
{
  int st = check_kind(t, n_out, err);
  if (!st) st = map_spec(spec, 0, m, err);
  if (!st) st = check_block(nb, ld, err);
  return st;
}

int pinn_transform_forward(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                           size_t dim, const double *x, size_t nb, size_t ld, const double *N,
                           double *U, double *work, pinn_error *err)
{
  int st = pinn_transform_check(t, n_out, dim, err);
  if (st) return st;
  chmap m;
  if ((st = map_spec(spec, t->kind == PINN_TRANSFORM_NONE ? 0 : dim, &m, err))) return st;
  if ((st = check_block(nb, ld, err))) return st;
  if (nb == 0) return PINN_SUCCESS;
  if (!N || !U || (!x && t->kind != PINN_TRANSFORM_NONE))
    return pinn_error_set(err, PINN_EINVAL, "output transform: NULL points or jets");
  return forward_eval(t, &m, n_out, dim, x, nb, ld, 1, N, U, work, "block row", err);
}

int pinn_transform_jets(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                        size_t dim, size_t n, const double *x, const double *N, double *U,
                        pinn_error *err)
{
  int st = pinn_transform_check(t, n_out, dim, err);
  if (st) return st;
  chmap m;
  if ((st = map_spec(spec, t->kind == PINN_TRANSFORM_NONE ? 0 : dim, &m, err))) return st;
  if (n == 0) return PINN_SUCCESS;
  if (!N || !U || (!x && t->kind != PINN_TRANSFORM_NONE))
    return pinn_error_set(err, PINN_EINVAL, "output transform: NULL points or jets");
  return forward_eval(t, &m, n_out, dim, x, n, 1, n_out * m.C, N, U, NULL, "point", err);
}

size_t pinn_transform_coef_size(const pinn_jet_spec *spec)
{
  return spec ? 2 * pinn_jet_spec_channels(spec) : 0;
}

int pinn_transform_coefs(const pinn_transform *t, const pinn_jet_spec *spec, size_t dim, size_t n,
                         const double *x, double *coef, pinn_error *err)
{
  int st = pinn_transform_check(t, 1 + (t ? t->component : 0), dim, err);
  if (st) return st;
  if (t->kind == PINN_TRANSFORM_NONE) return PINN_SUCCESS;
  chmap m;
  if ((st = map_spec(spec, dim, &m, err))) return st;
  if (n == 0) return PINN_SUCCESS;
  if (!x || !coef) return pinn_error_set(err, PINN_EINVAL, "output transform: NULL points or coefficients");
  return eval_coefs(t, &m, dim, x, n, 0, "point", coef, err);
}

int pinn_transform_forward_coefs(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                                 const double *coef, size_t nb, size_t ld, const double *N,
                                 double *U, double *work, pinn_error *err)
{
  chmap m;
  int st = check_block_call(t, spec, n_out, nb, ld, &m, err);
  if (st || nb == 0) return st;
  if (!N || !U || (!coef && t->kind != PINN_TRANSFORM_NONE))
    return pinn_error_set(err, PINN_EINVAL, "output transform: NULL coefficients or jets");
  copy_others(t, &m, n_out, nb, ld, 1, N, U);
  if (t->kind != PINN_TRANSFORM_NONE) apply(t, &m, 0, nb, nb, ld, 1, coef, N, U, work);
  return PINN_SUCCESS;
}

int pinn_transform_adjoint(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                           size_t nb, size_t ld, const double *Ubar, double *Nbar,
                           const double *work, pinn_error *err)
{
  chmap m;
  int st = check_block_call(t, spec, n_out, nb, ld, &m, err);
  if (st || nb == 0) return st;
  if (!Ubar || !Nbar || (!work && t->kind != PINN_TRANSFORM_NONE))
    return pinn_error_set(err, PINN_EINVAL,
                          "output transform adjoint: NULL sensitivities or work; pass the work "
                          "that pinn_transform_forward filled for this block");
  const size_t C = m.C, kt = t->kind == PINN_TRANSFORM_NONE ? n_out : t->component;
  if (Nbar != Ubar)
    for (size_t k = 0; k < n_out; ++k) {
      if (k == kt) continue;
      for (size_t c = 0; c < C; ++c)
        memcpy(Nbar + (k * C + c) * ld, Ubar + (k * C + c) * ld, nb * sizeof *Nbar);
    }
  if (t->kind == PINN_TRANSFORM_NONE) return PINN_SUCCESS;
  const size_t base = kt * C * ld, p0 = 1 + m.n1;
  for (size_t q = 0; q < nb; ++q) {
    double ub[MAX_CH], nbl[MAX_CH];
    ub[0] = Ubar[base + q];
    for (size_t c = 1; c < C; ++c) ub[c] = Ubar[base + c * ld + q];
    if (t->kind == PINN_TRANSFORM_DIRICHLET) {
      double D[MAX_CH] = {0};
      for (size_t c = 0; c < C; ++c) D[c] = work[c * nb + q];
      double n0 = D[0] * ub[0];
      for (size_t c = 1; c < C; ++c) {
        n0 += D[c] * ub[c];
        nbl[c] = D[0] * ub[c];
      }
      nbl[0] = n0;
      for (size_t p = 0; p < m.np; ++p) {
        const double u = ub[p0 + p];
        nbl[m.ca[p]] += D[m.cb[p]] * u;
        nbl[m.cb[p]] += D[m.ca[p]] * u;
      }
    } else {
      double Nl[MAX_CH];
      for (size_t c = 0; c < C; ++c) Nl[c] = work[c * nb + q];
      const double s1 = work[C * nb + q], s2 = work[(C + 1) * nb + q], s3 = work[(C + 2) * nb + q];
      double n0 = s1 * ub[0];
      for (size_t c = 1; c < C; ++c) nbl[c] = s1 * ub[c];
      for (size_t j = 1; j < p0; ++j) n0 += s2 * Nl[j] * ub[j];
      for (size_t p = 0; p < m.np; ++p) {
        const double u = ub[p0 + p], na = Nl[m.ca[p]], nbv = Nl[m.cb[p]];
        n0 += (s3 * na * nbv + s2 * Nl[p0 + p]) * u;
        nbl[m.ca[p]] += s2 * nbv * u;
        nbl[m.cb[p]] += s2 * na * u;
      }
      nbl[0] = n0;
    }
    for (size_t c = 0; c < C; ++c) Nbar[base + c * ld + q] = nbl[c];
  }
  return PINN_SUCCESS;
}
