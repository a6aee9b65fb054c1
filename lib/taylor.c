/* libpinn — Taylor jets of any order and their adjoint (include/pinn/taylor.h).
 *
 * Directional Taylor series.  Along a direction v the input is x(s) = x + s v
 * and every unit carries the coefficients z_0 .. z_K of z(s) (z_0 is the value,
 * shared by every direction).  An affine layer maps each coefficient linearly
 * (bias only in z_0); the first layer gets z_0 = W x + b, z_1 = W v, z_k = 0.
 * An activation a(s) = s(z(s)) follows from Faa di Bruno in series form: with
 * w(s) = z(s) - z_0 = z_1 s + ... and c_m = s^(m)(z_0)/m!,
 *   a_k = sum_{m=1..k} c_m [w^m]_k                                      (1)
 * ([.]_k: coefficient of s^k; the powers by truncated series products).  Its
 * exact adjoint is a convolution with the series of s'(z(s)),
 *   e_k = sum_{m=0..k} c'_m [w^m]_k,  c'_m = s^(m+1)(z_0)/m!:
 *   zbar_j = sum_{k>=j} abar_k e_{k-j}        (j >= 0; e_0 = s'(z_0))      (2)
 * (d a_k / d z_j = [s'(z(s)) s^j]_k), so the forward pass keeps e_k beside a_k.
 *
 * Collapsed top coefficients.  The top coefficient a_K enters nothing else in
 * the network, and by (1) it is s'(z_0) z_K + h with h = sum_{m>=2} c_m [w^m]_K
 * free of z_K; a weighted sum sum_r W_tr z_K(v_r) therefore propagates as one
 * channel: A_t = s' Z_t + sum_r W_tr h_r.  Its adjoint: zbar_t = s' abar_t,
 * zbar_0 += abar_t (s'' Z_t + sum_r W_tr h'_r) (h' as h with c'), and the
 * lower coefficients of direction r get zbar_j += (sum_t W_tr abar_t) e_{K-j}.
 * Plain (uncollapsed) tops are the case W = I.
 *
 * Channels of a block (per unit, points innermost: [unit][channel][point], so
 * every layer is one GEMM  Z = W A, lib/gemm.c): channel 0 the value;
 * then per group of directions with the same order K: for each direction its
 * coefficients 1..K-1, then the group's top channels.  The E arrays keep, in
 * the same places, s' (channel 0), e_k (lower channels) and s'' Z_t + sum W h'
 * (tops), which is all the adjoint needs.
 *
 * The plan (which directions, which weights).  Each quantity is split into
 * pieces of one degree d.  Pieces are planned from the highest degree down;
 * a piece's target sum_alpha c_alpha d^alpha u must equal sum_v g_v u_d(v) =
 * sum_v g_v sum_alpha v^alpha/alpha! d^alpha u: a linear system over the
 * monomials of degree d in the piece's inputs.  Candidate directions are taken
 * in order of cost (already carried to a higher order, carried at this order,
 * carried lower, then new: e_i, e_i +- e_j, the grid {i : |i| = d} of
 * Griewank-Utke-Walther whose d-th powers span every form of degree d) and
 * kept when they raise the rank (Gram-Schmidt), until the target lies in
 * their span; then g solves the triangular system.  Before that, a form of
 * even degree d in two inputs is tried on d/2 + 1 equally spaced directions,
 * whose d-th powers sum to a multiple of (x^2 + y^2)^(d/2) (Reznick, "Sums
 * of even powers of real linear forms", 1992), so Delta^2 u needs 3 series
 * where the greedy takes 4.  A group of order K gets collapsed tops (one per
 * piece that uses its top coefficients) when the pieces are fewer than its
 * directions, plain tops otherwise.
 *
 * Output transforms (hard constraints, series form; pinn_taylor_set_transforms)
 * act on the output layer's channels between the forward pass and the
 * read-out.  With f(s), d(s) the series of g (or psi) and d along direction
 * r (callbacks evaluated per block), a lower channel k becomes
 * f_k + sum_{i<=k} d_i N_{k-i}; a top channel t, sum_r W_tr U_K(v_r), becomes
 * d_0 N_t + sum_r W_tr (f_K + sum_{i>=1} d_i N_{K-i})(v_r): exact for
 * collapsed tops too, since each direction's lower coefficients are carried.
 * The obstacle psi + sense softplus_beta(N) is an activation of the output
 * unit (unit_forward / unit_adjoint with the softplus derivatives) plus f.
 * The adjoint runs on the read-out's sensitivities before the network's.
 *
 * Why this route: one series of order K costs K channels (K - 1 with a
 * collapsed top) where the full tensor of order K in D inputs needs
 * C(D + K, K) - 1 of them, and the series need only the scalar recurrence
 * (1) per unit, whatever the order; the mixed partials a PDE names are few,
 * so a handful of directions carries them (u_xxyy: 4 series; Delta^2 in 2-D:
 * 3; u, u_x, u_t, u_xx: 2, 4 channels as in the second-order engine).
 * Speed: GEMMs through lib/gemm.c (Debian's OpenBLAS runs generic Prescott
 * kernels on this CPU: under perf, its dgemm took 61% of bench_taylor's
 * time, these kernels take about 30%); the activation derivatives are
 * computed once per layer.
 */
#include <pinn/taylor.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h> /* M_PI */

#include "activation_impl.h"
#include "gemm_impl.h"
#include "mlp_impl.h"
#include "reduce_impl.h"
#include "taylor_impl.h"

#define B PINN_BLOCK
#define KMAX PINN_TAYLOR_MAX_ORDER
#define NIN PINN_TAYLOR_MAX_INPUTS
#define MAXQ PINN_TAYLOR_MAX_QUANTITIES
#define MAXT PINN_TAYLOR_MAX_TERMS
/* Most directions of a plan and monomials in one piece's linear system. */
#define MAXDIR 512
#define MAXROWS 1000

/* ------------------------------------------------------------------------ */
/* Partials                                                                  */

int pinn_partial_order(const pinn_partial *p)
{
  int o = 0;
  for (int i = 0; i < NIN; ++i) o += p->n[i];
  return o;
}

int pinn_partial_parse(const char *text, pinn_partial *p, pinn_error *err)
{
  if (!text || !p) return pinn_error_set(err, PINN_EINVAL, "pinn_partial_parse: NULL argument");
  pinn_partial r;
  memset(&r, 0, sizeof r);
  size_t len = strlen(text);
  if (len > KMAX)
    return pinn_error_set(err, PINN_EINVAL,
                          "partial \"%.20s\" has order %zu; the highest order is %d", text, len,
                          KMAX);
  for (size_t k = 0; k < len; ++k) {
    if (text[k] < '0' || text[k] > '0' + NIN - 1)
      return pinn_error_set(err, PINN_EINVAL,
                            "partial \"%.20s\": '%c' is not an input index; write one digit 0..%d "
                            "per differentiation (\"0011\" = d4/dx0^2 dx1^2)",
                            text, text[k], NIN - 1);
    r.n[text[k] - '0']++;
  }
  *p = r;
  return PINN_SUCCESS;
}

int pinn_partial_parse_names(const char *text, size_t n_in, const char *const *names,
                             pinn_partial *p, pinn_error *err)
{
  if (!text || !p || !names || n_in < 1 || n_in > NIN)
    return pinn_error_set(err, PINN_EINVAL, "pinn_partial_parse_names: bad argument");
  char list[NIN * 8 + 16] = "";
  for (size_t i = 0; i < n_in; ++i)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
             names[i] ? names[i] : "?");
  pinn_partial r;
  memset(&r, 0, sizeof r);
  int order = 0;
  int by_index = text[0] == 'd' && text[1] != '\0';
  for (const char *c = text + 1; by_index && *c; ++c)
    if (*c < '0' || *c > '9') by_index = 0;
  for (const char *c = by_index ? text + 1 : text; *c;) {
    size_t in = n_in, len = 0;
    if (by_index) {
      in = (size_t)(*c - '0');
      len = 1;
    } else {
      for (size_t i = 0; i < n_in; ++i) {
        const size_t l = names[i] ? strlen(names[i]) : 0;
        if (l > len && !strncmp(c, names[i], l)) in = i, len = l;
      }
    }
    if (in >= n_in)
      return pinn_error_set(err, PINN_EINVAL,
                            by_index ? "derivative \"%.40s\": input %c does not exist (inputs "
                                       "0..%zu: %s)"
                                     : "derivative \"%.40s\": '%c' starts no input name%.0zu "
                                       "(inputs: %s); name the inputs (\"xxt\", \"x0x0\") or give "
                                       "their indices (\"d001\")",
                            text, *c, by_index ? n_in - 1 : (size_t)0, list);
    if (++order > KMAX)
      return pinn_error_set(err, PINN_EINVAL,
                            "derivative \"%.40s\" has order above %d, the highest", text, KMAX);
    r.n[in]++;
    c += len;
  }
  if (order == 0)
    return pinn_error_set(err, PINN_EINVAL,
                          "derivative \"%.40s\": name at least one input (inputs: %s)", text, list);
  *p = r;
  return PINN_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* The handle and its plan                                                   */

typedef struct {
  int q, d;            /* quantity, degree */
  size_t nt;           /* monomials with their coefficients */
  pinn_partial alpha[MAXT];
  double coef[MAXT];
  size_t nv;           /* chosen directions and weights */
  size_t *dir;
  double *gam;
  int top;             /* collapsed top channel, or -1 */
} piece;

typedef struct {
  int K;
  size_t R, T;         /* directions, top channels */
  size_t *dir;         /* R direction indices */
  double *Wt;          /* T x R weights (collapsed) or NULL (plain: T = R) */
  size_t lower0, top0; /* first lower channel (direction r, coefficient k: lower0 + r (K-1) + k-1) */
} group;

struct pinn_taylor {
  size_t n_in, nq;
  size_t nterms[MAXQ];
  pinn_partial *terms[MAXQ];
  double *coefs[MAXQ];
  /* the plan */
  int planned, K;
  size_t ndir;
  double (*dirs)[NIN];     /* integer directions */
  int *dirK;               /* order carried per direction */
  size_t npieces;
  piece *pieces;
  size_t ngroups;
  group *groups;
  size_t C;                /* channels */
  double ifact[KMAX + 2];  /* 1/m! */
  double *M;               /* Q x C read-out */
  double *indir;           /* C x n_in: first-layer input vector of each channel */
  size_t ntr;              /* output transforms (series form) */
  pinn_transform tr[PINN_TAYLOR_MAX_TRANSFORMS];
  pinn_error err;
};

static void plan_free(pinn_taylor *t)
{
  for (size_t i = 0; i < t->npieces; ++i) {
    free(t->pieces[i].dir);
    free(t->pieces[i].gam);
  }
  for (size_t g = 0; g < t->ngroups; ++g) {
    free(t->groups[g].dir);
    free(t->groups[g].Wt);
  }
  free(t->pieces);
  free(t->groups);
  free(t->dirs);
  free(t->dirK);
  free(t->M);
  free(t->indir);
  t->pieces = NULL;
  t->groups = NULL;
  t->dirs = NULL;
  t->dirK = NULL;
  t->M = t->indir = NULL;
  t->npieces = t->ngroups = t->ndir = 0;
  t->planned = 0;
}

pinn_taylor *pinn_taylor_alloc(size_t n_in, pinn_error *err)
{
  if (n_in < 1 || n_in > NIN) {
    pinn_error_set(err, PINN_EINVAL, "a Taylor plan takes 1 to %d inputs, got %zu", NIN, n_in);
    return NULL;
  }
  pinn_taylor *t = calloc(1, sizeof *t);
  if (!t) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory allocating a Taylor plan");
    return NULL;
  }
  t->n_in = n_in;
  pinn_error_clear(&t->err);
  return t;
}

void pinn_taylor_free(pinn_taylor *t)
{
  if (!t) return;
  plan_free(t);
  for (size_t q = 0; q < t->nq; ++q) {
    free(t->terms[q]);
    free(t->coefs[q]);
  }
  free(t);
}

const char *pinn_taylor_errmsg(const pinn_taylor *t) { return t ? t->err.msg : "no Taylor plan"; }

size_t pinn_taylor_n_quantities(const pinn_taylor *t) { return t ? t->nq : 0; }

int pinn_taylor_add_sum(pinn_taylor *t, size_t n_terms, const double *coef, const pinn_partial *p)
{
  if (!t) return PINN_EINVAL;
  if (!coef || !p)
    return pinn_error_set(&t->err, PINN_EINVAL, "pinn_taylor_add_sum: NULL coefficients or partials");
  if (t->planned)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "the plan is built (it has been evaluated): add every quantity before");
  if (t->nq >= MAXQ)
    return pinn_error_set(&t->err, PINN_EINVAL, "too many quantities (at most %d)", MAXQ);
  if (n_terms < 1 || n_terms > MAXT)
    return pinn_error_set(&t->err, PINN_EINVAL, "a quantity has 1 to %d partials, got %zu", MAXT,
                          n_terms);
  for (size_t j = 0; j < n_terms; ++j) {
    if (!isfinite(coef[j]))
      return pinn_error_set(&t->err, PINN_EINVAL, "coefficient %zu of the quantity is not finite", j);
    for (size_t i = t->n_in; i < NIN; ++i)
      if (p[j].n[i])
        return pinn_error_set(&t->err, PINN_EINVAL,
                              "partial %zu differentiates by input %zu but the plan has %zu "
                              "inputs (indices 0..%zu)",
                              j, i, t->n_in, t->n_in - 1);
    if (pinn_partial_order(&p[j]) > KMAX)
      return pinn_error_set(&t->err, PINN_EINVAL,
                            "partial %zu has order %d; the highest order is %d", j,
                            pinn_partial_order(&p[j]), KMAX);
  }
  t->terms[t->nq] = malloc(n_terms * sizeof(pinn_partial));
  t->coefs[t->nq] = malloc(n_terms * sizeof(double));
  if (!t->terms[t->nq] || !t->coefs[t->nq]) {
    free(t->terms[t->nq]);
    free(t->coefs[t->nq]);
    return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory adding a quantity");
  }
  memcpy(t->terms[t->nq], p, n_terms * sizeof(pinn_partial));
  memcpy(t->coefs[t->nq], coef, n_terms * sizeof(double));
  t->nterms[t->nq++] = n_terms;
  return PINN_SUCCESS;
}

int pinn_taylor_set_transforms(pinn_taylor *t, size_t n, const pinn_transform *tr)
{
  if (!t) return PINN_EINVAL;
  if (n && !tr) return pinn_error_set(&t->err, PINN_EINVAL, "pinn_taylor_set_transforms: NULL transforms");
  if (n > PINN_TAYLOR_MAX_TRANSFORMS)
    return pinn_error_set(&t->err, PINN_EINVAL, "%zu output transforms; at most %d", n,
                          PINN_TAYLOR_MAX_TRANSFORMS);
  for (size_t k = 0; k < n; ++k) {
    pinn_error e;
    if (pinn_transform_check(&tr[k], tr[k].component + 1, t->n_in, &e))
      return pinn_error_set(&t->err, e.code, "output transform %zu: %s", k, e.msg);
    if (!pinn_transform_is_series(&tr[k]))
      return pinn_error_set(&t->err, PINN_EUNSUPPORTED,
                            "output transform %zu (%s) gives g, d, psi as xjets, which carry "
                            "second derivatives only: to compose it with Taylor jets of any "
                            "order, give it in series form (pinn_transform_dirichlet_series, "
                            "pinn_transform_obstacle_series; pinn/tseries.h)",
                            k, pinn_transform_kind_name(tr[k].kind));
  }
  t->ntr = 0;
  for (size_t k = 0; k < n; ++k)
    if (tr[k].kind != PINN_TRANSFORM_NONE) t->tr[t->ntr++] = tr[k];
  return PINN_SUCCESS;
}

int pinn_taylor_add_partial(pinn_taylor *t, const pinn_partial *p)
{
  const double one = 1.0;
  if (!t) return PINN_EINVAL;
  if (!p) return pinn_error_set(&t->err, PINN_EINVAL, "pinn_taylor_add_partial: NULL partial");
  return pinn_taylor_add_sum(t, 1, &one, p);
}

/* ---- planning ---- */

/* The monomials of degree d in the inputs of `mask`: rows[r][i]. */
static size_t monomials(size_t n_in, unsigned mask, int d, unsigned char (*rows)[NIN], size_t cap)
{
  size_t idx[NIN], m = 0, nr = 0;
  for (size_t i = 0; i < n_in; ++i)
    if (mask & (1u << i)) idx[m++] = i;
  int a[NIN] = {0};
  if (m == 0) return 0;
  a[0] = d;
  for (;;) {
    if (nr >= cap) return cap + 1;
    memset(rows[nr], 0, NIN);
    for (size_t j = 0; j < m; ++j) rows[nr][idx[j]] = (unsigned char)a[j];
    nr++;
    if (m == 1) break;
    /* next: move one unit from the last nonzero part before the end to its right */
    int last = a[m - 1];
    a[m - 1] = 0;
    size_t j = m - 1;
    while (j > 0 && a[j - 1] == 0) --j;
    if (j == 0) break;
    a[j - 1]--;
    a[j] = last + 1;
  }
  return nr;
}


static double fact(int k)
{
  double f = 1.0;
  for (int i = 2; i <= k; ++i) f *= i;
  return f;
}

int pinn_taylor_add_laplacian(pinn_taylor *t, unsigned inputs, int power)
{
  if (!t) return PINN_EINVAL;
  if (inputs == 0 || (inputs >> t->n_in))
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "the Laplacian's input mask 0x%x must name some of the %zu inputs", inputs,
                          t->n_in);
  if (power < 1 || 2 * power > KMAX)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "Laplacian power %d: use 1 to %d (order 2 power <= %d)", power, KMAX / 2,
                          KMAX);
  /* Delta^power = sum over |beta| = power of power!/beta! d^(2 beta) */
  unsigned char beta[MAXT + 1][NIN];
  pinn_partial p[MAXT];
  double c[MAXT];
  size_t nt = monomials(t->n_in, inputs, power, beta, MAXT);
  if (nt > MAXT)
    return pinn_error_set(&t->err, PINN_EINVAL, "Laplacian power %d over %d inputs has more than %d terms",
                          power, __builtin_popcount(inputs), MAXT);
  for (size_t j = 0; j < nt; ++j) {
    memset(&p[j], 0, sizeof p[j]);
    c[j] = fact(power);
    for (int i = 0; i < NIN; ++i) {
      p[j].n[i] = (unsigned char)(2 * beta[j][i]);
      c[j] /= fact(beta[j][i]);
    }
  }
  return pinn_taylor_add_sum(t, nt, c, p);
}



/* Column of direction v: v^alpha / alpha! over the rows. */
static void dir_column(const double *v, size_t nr, unsigned char (*rows)[NIN], double *col)
{
  for (size_t r = 0; r < nr; ++r) {
    double x = 1.0;
    for (int i = 0; i < NIN; ++i)
      if (rows[r][i]) x *= pow(v[i], rows[r][i]) / fact(rows[r][i]);
    col[r] = x;
  }
}

static unsigned dir_mask(const double *v)
{
  unsigned m = 0;
  for (int i = 0; i < NIN; ++i)
    if (v[i] != 0.0) m |= 1u << i;
  return m;
}

/* Index of direction v in the plan, adding it when new (order 0);
 * SIZE_MAX when the plan is full. */
static size_t dir_index(pinn_taylor *t, const double *v)
{
  for (size_t k = 0; k < t->ndir; ++k)
    if (memcmp(t->dirs[k], v, sizeof t->dirs[k]) == 0) return k;
  if (t->ndir >= MAXDIR) return SIZE_MAX;
  memcpy(t->dirs[t->ndir], v, sizeof t->dirs[t->ndir]);
  t->dirK[t->ndir] = 0;
  return t->ndir++;
}

/* Gram-Schmidt state of one piece's system. */
typedef struct {
  size_t nr, nc;
  double *Q;  /* nr x cap columns, column-major */
  double *R;  /* cap x cap, R[i * cap + j] */
  size_t cap;
} gs_state;

/* Orthogonalise col against Q (twice, MGS); returns its remaining norm and
 * the coefficients in r[0..nc-1]. */
static double gs_project(const gs_state *g, double *col, double *r)
{
  for (size_t j = 0; j < g->nc; ++j) r[j] = 0.0;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t j = 0; j < g->nc; ++j) {
      const double *q = g->Q + j * g->nr;
      double s = 0.0;
      for (size_t i = 0; i < g->nr; ++i) s += q[i] * col[i];
      for (size_t i = 0; i < g->nr; ++i) col[i] -= s * q[i];
      r[j] += s;
    }
  double n = 0.0;
  for (size_t i = 0; i < g->nr; ++i) n += col[i] * col[i];
  return sqrt(n);
}

static double vnorm(const double *v, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += v[i] * v[i];
  return sqrt(s);
}

/* Greedy selection: take the candidates in order, keeping those that raise
 * the rank (Gram-Schmidt into g), until the target lies in their span.
 * chosen[] gets the candidates' indices, rt the target's coordinates in Q;
 * returns the target's remaining norm. */
static double greedy(gs_state *g, double (*cand)[NIN], size_t nc, unsigned char (*rows)[NIN],
                     const double *target, double tnorm, double *col, double *rc, double *rt,
                     size_t *chosen)
{
  const size_t nr = g->nr;
  memcpy(col, target, nr * sizeof *col);
  double res = gs_project(g, col, rt);
  for (size_t k = 0; k < nc && res > 1e-12 * tnorm && g->nc < g->cap; ++k) {
    dir_column(cand[k], nr, rows, col);
    double cn = vnorm(col, nr);
    double rn = gs_project(g, col, rc);
    if (!(rn > 1e-9 * cn)) continue;
    for (size_t i = 0; i < nr; ++i) g->Q[g->nc * nr + i] = col[i] / rn;
    for (size_t j = 0; j < g->nc; ++j) g->R[j * g->cap + g->nc] = rc[j];
    g->R[g->nc * g->cap + g->nc] = rn;
    chosen[g->nc++] = k;
    memcpy(col, target, nr * sizeof *col);
    res = gs_project(g, col, rt);
  }
  return res;
}

/* Choose the directions of piece pc and their weights. */
static int plan_piece(pinn_taylor *t, piece *pc)
{
  unsigned mask = 0;
  for (size_t j = 0; j < pc->nt; ++j)
    for (int i = 0; i < NIN; ++i)
      if (pc->alpha[j].n[i]) mask |= 1u << i;
  unsigned char(*rows)[NIN] = malloc((MAXROWS + 1) * sizeof *rows);
  if (!rows) return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory planning the jets");
  size_t nr = monomials(t->n_in, mask, pc->d, rows, MAXROWS);
  if (nr > MAXROWS) {
    free(rows);
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "quantity %d: its order-%d part involves %d inputs, more than %d "
                          "monomials to interpolate; ask for fewer inputs at that order",
                          pc->q, pc->d, __builtin_popcount(mask), MAXROWS);
  }
  /* candidates: the plan's directions within the mask by cost, then new ones */
  size_t ncand_cap = 3 * MAXDIR + nr + 2 * NIN * NIN;
  double(*cand)[NIN] = malloc(ncand_cap * sizeof *cand);
  gs_state g = {nr, 0, NULL, NULL, nr};
  double *target = malloc(nr * sizeof *target), *col = malloc(nr * sizeof *col);
  double *rc = malloc(nr * sizeof *rc), *rt = malloc(nr * sizeof *rt);
  g.Q = malloc(nr * nr * sizeof *g.Q);
  g.R = calloc(nr * nr, sizeof *g.R);
  size_t *chosen = malloc(nr * sizeof *chosen);
  int st = PINN_SUCCESS;
  if (!cand || !target || !col || !rc || !rt || !g.Q || !g.R || !chosen) {
    st = pinn_error_set(&t->err, PINN_ENOMEM, "out of memory planning the jets");
    goto done;
  }
  size_t nc = 0;
  for (int pass = 0; pass < 3; ++pass)
    for (size_t k = 0; k < t->ndir; ++k) {
      int K = t->dirK[k];
      if ((dir_mask(t->dirs[k]) & ~mask) || (pass == 0 && K <= pc->d) ||
          (pass == 1 && K != pc->d) || (pass == 2 && K >= pc->d))
        continue;
      memcpy(cand[nc++], t->dirs[k], sizeof cand[0]);
    }
  for (int i = 0; i < NIN; ++i)
    if (mask & (1u << i)) {
      memset(cand[nc], 0, sizeof cand[0]);
      cand[nc++][i] = 1.0;
    }
  for (int i = 0; i < NIN; ++i)
    for (int j = i + 1; j < NIN; ++j)
      if ((mask & (1u << i)) && (mask & (1u << j)) && pc->d >= 2)
        for (int s = 0; s < 2; ++s) {
          memset(cand[nc], 0, sizeof cand[0]);
          cand[nc][i] = 1.0;
          cand[nc++][j] = s ? -1.0 : 1.0;
        }
  for (size_t r = 0; r < nr; ++r) { /* the grid, each divided by the gcd of its entries */
    int gcd = 0;
    for (int i = 0; i < NIN; ++i) {
      int a = rows[r][i], b = gcd;
      while (b) {
        int tmp = a % b;
        a = b;
        b = tmp;
      }
      gcd = a;
    }
    for (int i = 0; i < NIN; ++i) cand[nc][i] = (double)(rows[r][i] / gcd);
    nc++;
  }
  /* target coefficients */
  for (size_t r = 0; r < nr; ++r) {
    target[r] = 0.0;
    for (size_t j = 0; j < pc->nt; ++j)
      if (memcmp(pc->alpha[j].n, rows[r], NIN) == 0) target[r] += pc->coef[j];
  }
  const double tnorm = vnorm(target, nr);
  /* A rotation-invariant form in two inputs, (x^2 + y^2)^(d/2), is a sum of
   * d-th powers along N = d/2 + 1 equally spaced directions (3 for the
   * biharmonic, against 4 for the greedy): try those first. */
  double res = HUGE_VAL;
  if (__builtin_popcount(mask) == 2 && pc->d >= 4 && pc->d % 2 == 0) {
    double(*poly)[NIN] = cand + ncand_cap - NIN * NIN; /* room left at the end */
    const int i0 = __builtin_ctz(mask), i1 = 31 - __builtin_clz(mask), N = pc->d / 2 + 1;
    for (int k = 0; k < N; ++k) {
      memset(poly[k], 0, sizeof poly[k]);
      poly[k][i0] = k ? cos(k * M_PI / N) : 1.0;
      poly[k][i1] = k ? sin(k * M_PI / N) : 0.0;
    }
    res = greedy(&g, poly, (size_t)N, rows, target, tnorm, col, rc, rt, chosen);
    if (res <= 1e-12 * tnorm && g.nc == (size_t)N)
      memcpy(cand, poly, (size_t)N * sizeof *cand);
    else
      g.nc = 0, res = HUGE_VAL;
  }
  if (res == HUGE_VAL) res = greedy(&g, cand, nc, rows, target, tnorm, col, rc, rt, chosen);
  if (res > 1e-12 * tnorm) {
    st = pinn_error_set(&t->err, PINN_EFAILED,
                        "quantity %d: no set of directions reproduces its order-%d part "
                        "(residual %g)",
                        pc->q, pc->d, res / tnorm);
    goto done;
  }
  for (size_t j = 0; j < g.nc; ++j) {
    size_t di = dir_index(t, cand[chosen[j]]);
    if (di == SIZE_MAX) {
      st = pinn_error_set(&t->err, PINN_EINVAL, "the plan needs more than %d directions", MAXDIR);
      goto done;
    }
    chosen[j] = di;
  }
  /* back substitution R gamma = Q^T target (rt) */
  pc->dir = malloc((g.nc ? g.nc : 1) * sizeof *pc->dir);
  pc->gam = malloc((g.nc ? g.nc : 1) * sizeof *pc->gam);
  if (!pc->dir || !pc->gam) {
    st = pinn_error_set(&t->err, PINN_ENOMEM, "out of memory planning the jets");
    goto done;
  }
  double gmax = 0.0;
  for (size_t j = g.nc; j-- > 0;) {
    double s = rt[j];
    for (size_t k = j + 1; k < g.nc; ++k) s -= g.R[j * g.cap + k] * rc[k];
    rc[j] = s / g.R[j * g.cap + j];
    if (fabs(rc[j]) > gmax) gmax = fabs(rc[j]);
  }
  pc->nv = 0;
  for (size_t j = 0; j < g.nc; ++j) {
    if (fabs(rc[j]) <= 1e-13 * gmax) continue;
    pc->dir[pc->nv] = chosen[j];
    pc->gam[pc->nv++] = rc[j];
    if (t->dirK[chosen[j]] < pc->d) t->dirK[chosen[j]] = pc->d;
  }
done:
  free(rows);
  free(cand);
  free(target);
  free(col);
  free(rc);
  free(rt);
  free(g.Q);
  free(g.R);
  free(chosen);
  return st;
}

static int cmp_piece_degree(const void *a, const void *b)
{
  const piece *x = a, *y = b;
  if (x->d != y->d) return y->d - x->d; /* highest degree first */
  return x->q - y->q;
}

static int build_plan(pinn_taylor *t)
{
  if (t->planned) return PINN_SUCCESS;
  if (t->nq == 0)
    return pinn_error_set(&t->err, PINN_EINVAL, "the Taylor plan has no quantities: add some first");
  size_t np = 0;
  for (size_t q = 0; q < t->nq; ++q) np += t->nterms[q];
  t->pieces = calloc(np, sizeof *t->pieces);
  t->dirs = calloc(MAXDIR, sizeof *t->dirs);
  t->dirK = calloc(MAXDIR, sizeof *t->dirK);
  if (!t->pieces || !t->dirs || !t->dirK) goto nomem;
  /* pieces: one per (quantity, degree) */
  for (size_t q = 0; q < t->nq; ++q)
    for (size_t j = 0; j < t->nterms[q]; ++j) {
      int d = pinn_partial_order(&t->terms[q][j]);
      piece *pc = NULL;
      for (size_t k = 0; k < t->npieces; ++k)
        if (t->pieces[k].q == (int)q && t->pieces[k].d == d) pc = &t->pieces[k];
      if (!pc) {
        pc = &t->pieces[t->npieces++];
        pc->q = (int)q;
        pc->d = d;
        pc->top = -1;
      }
      pc->alpha[pc->nt] = t->terms[q][j];
      pc->coef[pc->nt++] = t->coefs[q][j];
    }
  qsort(t->pieces, t->npieces, sizeof *t->pieces, cmp_piece_degree);
  t->K = 0;
  for (size_t k = 0; k < t->npieces; ++k) {
    piece *pc = &t->pieces[k];
    if (pc->d > t->K) t->K = pc->d;
    if (pc->d == 0) continue;
    int st = plan_piece(t, pc);
    if (st) {
      plan_free(t);
      return st;
    }
  }
  /* groups by order */
  t->groups = calloc(KMAX + 1, sizeof *t->groups);
  if (!t->groups) goto nomem;
  size_t C = 1;
  for (int K = 1; K <= KMAX; ++K) {
    size_t R = 0;
    for (size_t k = 0; k < t->ndir; ++k) R += t->dirK[k] == K;
    if (!R) continue;
    group *g = &t->groups[t->ngroups++];
    g->K = K;
    g->R = R;
    g->dir = malloc(R * sizeof *g->dir);
    if (!g->dir) goto nomem;
    R = 0;
    for (size_t k = 0; k < t->ndir; ++k)
      if (t->dirK[k] == K) g->dir[R++] = k;
    /* the pieces that use this group's top coefficients */
    size_t users = 0;
    for (size_t p = 0; p < t->npieces; ++p) {
      const piece *pc = &t->pieces[p];
      if (pc->d != K) continue;
      for (size_t v = 0; v < pc->nv; ++v)
        if (t->dirK[pc->dir[v]] == K) {
          users++;
          break;
        }
    }
    g->lower0 = C;
    C += R * (size_t)(K - 1);
    g->top0 = C;
    if (users < R) {
      g->T = users;
      g->Wt = calloc(users * R, sizeof *g->Wt);
      if (!g->Wt && users) goto nomem;
      size_t tt = 0;
      for (size_t p = 0; p < t->npieces; ++p) {
        piece *pc = &t->pieces[p];
        if (pc->d != K) continue;
        int used = 0;
        for (size_t v = 0; v < pc->nv; ++v)
          for (size_t r = 0; r < R; ++r)
            if (g->dir[r] == pc->dir[v]) {
              g->Wt[tt * R + r] += pc->gam[v];
              used = 1;
            }
        if (used) pc->top = (int)(g->top0 + tt++);
      }
    } else {
      g->T = R;
    }
    C += g->T;
  }
  t->C = C;
  /* read-out and first-layer input vectors */
  t->M = calloc(t->nq * C, sizeof *t->M);
  t->indir = calloc(C * t->n_in, sizeof *t->indir);
  if (!t->M || !t->indir) goto nomem;
  for (size_t p = 0; p < t->npieces; ++p) {
    const piece *pc = &t->pieces[p];
    double *m = t->M + (size_t)pc->q * C;
    if (pc->d == 0) {
      for (size_t j = 0; j < pc->nt; ++j) m[0] += pc->coef[j];
      continue;
    }
    if (pc->top >= 0) m[pc->top] += 1.0;
    for (size_t v = 0; v < pc->nv; ++v) {
      size_t k = pc->dir[v];
      for (size_t gi = 0; gi < t->ngroups; ++gi) {
        const group *g = &t->groups[gi];
        for (size_t r = 0; r < g->R; ++r) {
          if (g->dir[r] != k) continue;
          if (g->K > pc->d) m[g->lower0 + r * (size_t)(g->K - 1) + (size_t)pc->d - 1] += pc->gam[v];
          else if (!g->Wt) m[g->top0 + r] += pc->gam[v];
        }
      }
    }
  }
  for (size_t gi = 0; gi < t->ngroups; ++gi) {
    const group *g = &t->groups[gi];
    for (size_t r = 0; r < g->R; ++r) {
      const double *v = t->dirs[g->dir[r]];
      if (g->K >= 2) {
        double *u = t->indir + (g->lower0 + r * (size_t)(g->K - 1)) * t->n_in;
        for (size_t i = 0; i < t->n_in; ++i) u[i] = v[i];
      } else {
        for (size_t tt = 0; tt < g->T; ++tt) {
          double w = g->Wt ? g->Wt[tt * g->R + r] : (tt == r ? 1.0 : 0.0);
          double *u = t->indir + (g->top0 + tt) * t->n_in;
          for (size_t i = 0; i < t->n_in; ++i) u[i] += w * v[i];
        }
      }
    }
  }
  for (int m = 0; m <= KMAX + 1; ++m) t->ifact[m] = 1.0 / fact(m);
  t->planned = 1;
  return PINN_SUCCESS;
nomem:
  plan_free(t);
  return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory planning the jets");
}

int pinn_taylor_plan(pinn_taylor *t, size_t *channels, size_t *directions, int *order)
{
  if (!t) return PINN_EINVAL;
  int st = build_plan(t);
  if (st) return st;
  if (channels) *channels = t->C;
  if (directions) {
    size_t n = 0;
    for (size_t g = 0; g < t->ngroups; ++g) n += t->groups[g].R;
    *directions = n;
  }
  if (order) *order = t->K;
  return PINN_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* The engine                                                                */

typedef struct {
  double *x0;             /* n_in x B */
  double **Z, **A, **E;   /* per layer: H x C x B */
  double *bar0, *bar1;    /* maxw x C x B */
  double *zg;             /* maxw x B: a layer's z_0, gathered */
  double *D;              /* (K + 2) x maxw x B activation derivatives */
  double *pw;             /* (K + 1) x (K + 1) x B series powers */
  double *cD;             /* 2 (K + 1) x B: s^(m)/m!, s^(m+1)/m! */
  double *vals, *vbar;    /* n_out x Q x B */
  /* output transforms: per transform, the series of g (psi) and d along
   * every direction (slot ndir: the value), TS(j, f?, dir, k) below; the
   * obstacle's e channels (C x B); scratch channels tN (C x B) and softplus
   * derivatives sp ((K + 2) x B) */
  double *ser, *etr, *tN, *sp;
  size_t ser_dir;         /* directions + 1 */
  double *mem;
} workspace;

/* Coefficient k of the series of f (which 0) or d (which 1) of transform j
 * along direction kd, for the block's points. */
#define TS(w, j, which, kd, k) \
  ((w)->ser + ((((j) * 2 + (which)) * (w)->ser_dir + (kd)) * (KMAX + 1) + (k)) * B)

static void ws_free(workspace *w)
{
  free(w->Z);
  free(w->mem);
}

static int ws_alloc(const pinn_taylor *t, const pinn_mlp *net, workspace *w)
{
  const size_t L = pinn_mlp_n_layers(net), C = t->C, K = (size_t)t->K;
  size_t maxw = 0, tot = pinn_mlp_n_in(net) * B;
  for (size_t l = 0; l < L; ++l)
    if (pinn_mlp_layer_size(net, l) > maxw) maxw = pinn_mlp_layer_size(net, l);
  for (size_t l = 1; l < L; ++l) tot += (l + 1 < L ? 3 : 1) * pinn_mlp_layer_size(net, l) * C * B;
  tot += 2 * maxw * C * B + (K + 3) * maxw * B + (K + 3) * (K + 1) * B +
         2 * pinn_mlp_n_out(net) * t->nq * B;
  const size_t ser = t->ntr * 2 * (t->ndir + 1) * (KMAX + 1) * B;
  if (t->ntr) tot += ser + t->ntr * C * B + C * B + (K + 2) * B;
  pinn_features_ f;
  const size_t F = pinn_mlp_features_(net, &f) ? f.n_feat : 0;
  tot += F * C * B; /* A[0]: the embedding's features, as series */
  memset(w, 0, sizeof *w);
  w->Z = calloc(3 * L, sizeof(double *));
  w->mem = calloc(tot, sizeof(double));
  if (!w->Z || !w->mem) {
    ws_free(w);
    return PINN_ENOMEM;
  }
  w->A = w->Z + L;
  w->E = w->A + L;
  double *p = w->mem;
  w->x0 = p; p += pinn_mlp_n_in(net) * B;
  w->A[0] = F ? p : NULL;
  p += F * C * B;
  for (size_t l = 1; l < L; ++l) {
    const size_t sz = pinn_mlp_layer_size(net, l) * C * B;
    w->Z[l] = p; p += sz;
    if (l + 1 < L) {
      w->A[l] = p; p += sz;
      w->E[l] = p; p += sz;
    }
  }
  w->bar0 = p; p += maxw * C * B;
  w->bar1 = p; p += maxw * C * B;
  w->zg = p; p += maxw * B;
  w->D = p; p += (K + 2) * maxw * B;
  w->pw = p; p += (K + 1) * (K + 1) * B;
  w->cD = p; p += 2 * (K + 1) * B;
  w->vals = p; p += pinn_mlp_n_out(net) * t->nq * B;
  w->vbar = p; p += pinn_mlp_n_out(net) * t->nq * B;
  w->ser_dir = t->ndir + 1;
  if (t->ntr) {
    w->ser = p; p += ser;
    w->etr = p; p += t->ntr * C * B;
    w->tN = p; p += C * B;
    w->sp = p;
  }
  return PINN_SUCCESS;
}

/* The slope of unit o of PReLU layer l (or the activation's param). */
static double unit_param(const pinn_mlp *net, size_t l, size_t o, pinn_activation act)
{
  size_t off = pinn_mlp_slope_offset(net, l);
  if (act.kind != PINN_ACT_PRELU || off == SIZE_MAX) return act.param;
  return pinn_mlp_params_const(net)[off + (pinn_mlp_prelu_per_unit(net) ? o : 0)];
}

/* Activation of one unit: z (C x B) -> a, e (C x B), formulas (1), (2) and the
 * collapsed tops of the file comment; D[m * ldD + q] = s^(m)(z_0[q]). */
static void unit_forward(const pinn_taylor *t, workspace *w, const double *D, size_t ldD,
                         const double *z, double *a, double *e)
{
  const int K = t->K;
  double *pw = w->pw;
  const double *s1 = D + ldD, *s2 = D + 2 * ldD;
  /* c_m = s^(m)/m! and c'_m = s^(m+1)/m! at the block's points: rows cm(m), cpm(m) */
  double *cD = w->cD;
#define CM(m) (cD + (size_t)(m) * B)
#define CPM(m) (cD + (size_t)(K + 1 + (m)) * B)
  for (int m = 1; m <= K; ++m) {
    const double f = t->ifact[m], *dm = D + (size_t)m * ldD, *dm1 = dm + ldD;
    double *restrict c = CM(m), *restrict cp = CPM(m);
#pragma omp simd
    for (size_t q = 0; q < B; ++q) {
      c[q] = f * dm[q];
      cp[q] = f * dm1[q];
    }
  }
#define PW(m, k) (pw + ((size_t)(m) * (K + 1) + (size_t)(k)) * B)
  memcpy(a, D, B * sizeof(double));
  memcpy(e, s1, B * sizeof(double));
  for (size_t gi = 0; gi < t->ngroups; ++gi) {
    const group *g = &t->groups[gi];
    const int Kg = g->K;
    for (size_t tt = 0; tt < g->T; ++tt) {
      const double *zt = z + (g->top0 + tt) * B;
      double *restrict at = a + (g->top0 + tt) * B, *restrict et = e + (g->top0 + tt) * B;
#pragma omp simd
      for (size_t q = 0; q < B; ++q) {
        at[q] = s1[q] * zt[q];
        et[q] = s2[q] * zt[q];
      }
    }
    if (Kg < 2) continue;
    for (size_t r = 0; r < g->R; ++r) {
      const size_t l0 = g->lower0 + r * (size_t)(Kg - 1) - 1; /* channel of coefficient k: l0 + k */
      /* series powers [w^m]_k, m >= 2, of w = (0, z_1 .. z_{K-1}, 0); [w^1]_k = z_k */
      const double *wk[KMAX + 1];
      for (int k = 1; k < Kg; ++k) wk[k] = z + (l0 + (size_t)k) * B;
      for (int m = 2; m <= Kg; ++m)
        for (int k = m; k <= Kg; ++k) {
          double *restrict pk = PW(m, k);
          {
            const double *w1 = wk[1], *pm = m == 2 ? wk[k - 1] : PW(m - 1, k - 1);
#pragma omp simd
            for (size_t q = 0; q < B; ++q) pk[q] = w1[q] * pm[q];
          }
          for (int i = 2; i <= k - m + 1; ++i) {
            const double *wi = wk[i], *pm = m == 2 ? wk[k - i] : PW(m - 1, k - i);
#pragma omp simd
            for (size_t q = 0; q < B; ++q) pk[q] += wi[q] * pm[q];
          }
        }
      for (int k = 1; k <= Kg; ++k) {
        double ak[B], ek[B];
        if (k < Kg) {
          const double *c = CM(1), *cp = CPM(1), *zk = wk[k];
#pragma omp simd
          for (size_t q = 0; q < B; ++q) {
            ak[q] = c[q] * zk[q];
            ek[q] = cp[q] * zk[q];
          }
        } else {
          for (size_t q = 0; q < B; ++q) ak[q] = ek[q] = 0.0;
        }
        for (int m = 2; m <= k; ++m) {
          const double *pk = PW(m, k), *c = CM(m), *cp = CPM(m);
#pragma omp simd
          for (size_t q = 0; q < B; ++q) {
            ak[q] += c[q] * pk[q];
            ek[q] += cp[q] * pk[q];
          }
        }
        if (k < Kg) {
          memcpy(a + (l0 + (size_t)k) * B, ak, sizeof ak);
          memcpy(e + (l0 + (size_t)k) * B, ek, sizeof ek);
        } else {
          for (size_t tt = 0; tt < g->T; ++tt) {
            const double wt = g->Wt ? g->Wt[tt * g->R + r] : (tt == r ? 1.0 : 0.0);
            if (wt == 0.0) continue;
            double *restrict at = a + (g->top0 + tt) * B, *restrict et = e + (g->top0 + tt) * B;
#pragma omp simd
            for (size_t q = 0; q < B; ++q) {
              at[q] += wt * ak[q];
              et[q] += wt * ek[q];
            }
          }
        }
      }
    }
  }
#undef PW
#undef CM
#undef CPM
}

/* Adjoint of unit_forward: ab (C x B) -> zb (C x B). */
static void unit_adjoint(const pinn_taylor *t, const double *e, const double *ab, double *zb)
{
  const size_t C = t->C;
  const double *s1 = e;
  /* channel 0: s' abar_0 + sum over every other channel of abar_c e_c */
  for (size_t q = 0; q < B; ++q) zb[q] = s1[q] * ab[q];
  for (size_t c = 1; c < C; ++c) {
    const double *ec = e + c * B, *abc = ab + c * B;
    for (size_t q = 0; q < B; ++q) zb[q] += abc[q] * ec[q];
  }
  for (size_t gi = 0; gi < t->ngroups; ++gi) {
    const group *g = &t->groups[gi];
    const int Kg = g->K;
    for (size_t tt = 0; tt < g->T; ++tt) {
      const double *abt = ab + (g->top0 + tt) * B;
      double *zbt = zb + (g->top0 + tt) * B;
      for (size_t q = 0; q < B; ++q) zbt[q] = s1[q] * abt[q];
    }
    if (Kg < 2) continue;
    for (size_t r = 0; r < g->R; ++r) {
      const size_t l0 = g->lower0 + r * (size_t)(Kg - 1) - 1;
      double abt[B];
      if (!g->Wt) {
        memcpy(abt, ab + (g->top0 + r) * B, sizeof abt);
      } else {
        for (size_t q = 0; q < B; ++q) abt[q] = 0.0;
        for (size_t tt = 0; tt < g->T; ++tt) {
          const double wt = g->Wt[tt * g->R + r], *abq = ab + (g->top0 + tt) * B;
          for (size_t q = 0; q < B; ++q) abt[q] += wt * abq[q];
        }
      }
      /* e_k of this direction: k = 0 is s', k >= 1 at channel l0 + k */
      for (int j = 1; j < Kg; ++j) {
        double v[B];
        const double *etop = j == Kg ? s1 : e + (l0 + (size_t)(Kg - j)) * B;
        for (size_t q = 0; q < B; ++q) v[q] = abt[q] * etop[q];
        for (int k = j; k < Kg; ++k) {
          const double *ek = k == j ? s1 : e + (l0 + (size_t)(k - j)) * B;
          const double *abk = ab + (l0 + (size_t)k) * B;
          for (size_t q = 0; q < B; ++q) v[q] += abk[q] * ek[q];
        }
        memcpy(zb + (l0 + (size_t)j) * B, v, sizeof v);
      }
    }
  }
}


/* ---- output transforms ---- */

/* The series of transform j's functions at the block's points (zero for
 * the padding rows q >= nb): along every carried direction to its order,
 * and the value (slot ndir) from the first direction or an order-0 call. */
static int transform_series(const pinn_taylor *t, workspace *w, size_t j, const double *x,
                            size_t nb, pinn_error *err)
{
  const pinn_transform *tr = &t->tr[j];
  const size_t n_in = t->n_in, nd = t->ndir;
  double f[KMAX + 1], d[KMAX + 1], zero[NIN] = {0};
  for (size_t kd = 0; kd <= nd; ++kd) {
    const int K = kd < nd ? t->dirK[kd] : 0;
    if (kd < nd && K == 0) continue;
    if (kd == nd && t->ngroups) { /* the value: coefficient 0 of a direction */
      const size_t k0 = t->groups[0].dir[0];
      memcpy(TS(w, j, 0, nd, 0), TS(w, j, 0, k0, 0), B * sizeof(double));
      memcpy(TS(w, j, 1, nd, 0), TS(w, j, 1, k0, 0), B * sizeof(double));
      continue;
    }
    for (size_t q = 0; q < B; ++q) {
      if (q < nb) {
        int st = pinn_transform_series(tr, n_in, x + q * n_in, kd < nd ? t->dirs[kd] : zero, K,
                                       f, d, err);
        if (st) return st;
      } else {
        for (int k = 0; k <= K; ++k) f[k] = d[k] = 0.0;
      }
      for (int k = 0; k <= K; ++k) {
        TS(w, j, 0, kd, k)[q] = f[k];
        TS(w, j, 1, kd, k)[q] = d[k];
      }
    }
  }
  return PINN_SUCCESS;
}

/* Weight of direction r of group g in its top channel tt. */
static double top_weight(const group *g, size_t tt, size_t r)
{
  return g->Wt ? g->Wt[tt * g->R + r] : (tt == r ? 1.0 : 0.0);
}

/* Add the series f of transform j (g or psi) to the channels U (C x B):
 * the value, each direction's lower coefficients, the weighted tops. */
/* Add a series c[1..K] (B points each; K = g->K) along direction r of
 * group g to the channels U (C x B) where the plan carries it: coefficient
 * k < K to the direction's lower channel k, K to the group's tops with their
 * weights.  The one map from a direction's coefficients to channels (the
 * transforms' g, psi and the embedding's features use it). */
static void add_direction_series(const group *g, size_t r, const double *const *c, double *U)
{
  const int Kg = g->K;
  const size_t l0 = g->lower0 + r * (size_t)(Kg - 1) - 1;
  for (int k = 1; k < Kg; ++k) {
    double *u = U + (l0 + (size_t)k) * B;
    for (size_t q = 0; q < B; ++q) u[q] += c[k][q];
  }
  for (size_t tt = 0; tt < g->T; ++tt) {
    const double wt = top_weight(g, tt, r);
    if (wt == 0.0) continue;
    double *u = U + (g->top0 + tt) * B;
    for (size_t q = 0; q < B; ++q) u[q] += wt * c[Kg][q];
  }
}

static void add_series_channels(const pinn_taylor *t, const workspace *w, size_t j, double *U)
{
  const double *f0 = TS(w, j, 0, t->ndir, 0);
  for (size_t q = 0; q < B; ++q) U[q] += f0[q];
  for (size_t gi = 0; gi < t->ngroups; ++gi) {
    const group *g = &t->groups[gi];
    for (size_t r = 0; r < g->R; ++r) {
      const double *c[KMAX + 1];
      for (int k = 1; k <= g->K; ++k) c[k] = TS(w, j, 0, g->dir[r], k);
      add_direction_series(g, r, c, U);
    }
  }
}

/* Forward composition of every transform on the output layer's channels
 * (in order), keeping in w what the adjoint needs. */
static int transforms_forward(const pinn_taylor *t, const pinn_mlp *net, workspace *w,
                              const double *x, size_t nb, pinn_error *err)
{
  const size_t C = t->C, CB = C * B;
  double *ZL = w->Z[pinn_mlp_n_layers(net) - 1];
  for (size_t j = 0; j < t->ntr; ++j) {
    const pinn_transform *tr = &t->tr[j];
    int st = transform_series(t, w, j, x, nb, err);
    if (st) return st;
    double *U = ZL + tr->component * CB, *N = w->tN;
    memcpy(N, U, CB * sizeof(double));
    if (tr->kind == PINN_TRANSFORM_OBSTACLE) { /* U = psi + sense s(N), s = softplus_beta */
      const int K = t->K;
      pinn_act_derivs_block(PINN_ACT_SOFTPLUS, tr->beta, K + 1, B, N, w->sp);
      if (tr->sense < 0)
        for (size_t i = 0; i < (size_t)(K + 2) * B; ++i) w->sp[i] = -w->sp[i];
      unit_forward(t, w, w->sp, B, N, U, w->etr + j * CB);
      add_series_channels(t, w, j, U);
      continue;
    }
    /* DIRICHLET: U_k = f_k + sum_{i=0..k} d_i N_{k-i} along each direction */
    const double *d0 = TS(w, j, 1, t->ndir, 0);
    for (size_t c = 0; c < C; ++c)
      for (size_t q = 0; q < B; ++q) U[c * B + q] = d0[q] * N[c * B + q];
    for (size_t gi = 0; gi < t->ngroups; ++gi) {
      const group *g = &t->groups[gi];
      const int Kg = g->K;
      for (size_t r = 0; r < g->R; ++r) {
        const size_t kd = g->dir[r], l0 = g->lower0 + r * (size_t)(Kg - 1) - 1;
        /* N_k of this direction: k = 0 the value, 1 .. Kg-1 at l0 + k */
#define NK(k) ((k) == 0 ? N : N + (l0 + (size_t)(k)) * B)
        for (int k = 1; k <= Kg; ++k) {
          double h[B];
          for (size_t q = 0; q < B; ++q) h[q] = 0.0;
          for (int i = 1; i <= k; ++i) {
            const double *di = TS(w, j, 1, kd, i), *nk = NK(k - i);
            for (size_t q = 0; q < B; ++q) h[q] += di[q] * nk[q];
          }
          if (k < Kg) {
            double *u = U + (l0 + (size_t)k) * B;
            for (size_t q = 0; q < B; ++q) u[q] += h[q];
            continue;
          }
          for (size_t tt = 0; tt < g->T; ++tt) {
            const double wt = top_weight(g, tt, r);
            if (wt == 0.0) continue;
            double *u = U + (g->top0 + tt) * B;
            for (size_t q = 0; q < B; ++q) u[q] += wt * h[q];
          }
        }
#undef NK
      }
    }
    add_series_channels(t, w, j, U);
  }
  return PINN_SUCCESS;
}

/* Adjoint of transforms_forward on the output layer's sensitivities
 * (w->bar0, in place), transforms in reverse order. */
static void transforms_adjoint(const pinn_taylor *t, workspace *w)
{
  const size_t C = t->C, CB = C * B;
  for (size_t j = t->ntr; j-- > 0;) {
    const pinn_transform *tr = &t->tr[j];
    double *Nb = w->bar0 + tr->component * CB, *Ub = w->tN;
    memcpy(Ub, Nb, CB * sizeof(double));
    if (tr->kind == PINN_TRANSFORM_OBSTACLE) {
      unit_adjoint(t, w->etr + j * CB, Ub, Nb);
      continue;
    }
    /* DIRICHLET: Nbar_j = sum_{k>=j} d_{k-j} Ubar_k per direction (the tops
     * through their weights); d_0 on the value and the top channels */
    const double *d0 = TS(w, j, 1, t->ndir, 0);
    for (size_t c = 0; c < C; ++c)
      for (size_t q = 0; q < B; ++q) Nb[c * B + q] = d0[q] * Ub[c * B + q];
    for (size_t gi = 0; gi < t->ngroups; ++gi) {
      const group *g = &t->groups[gi];
      const int Kg = g->K;
      for (size_t r = 0; r < g->R; ++r) {
        const size_t kd = g->dir[r], l0 = g->lower0 + r * (size_t)(Kg - 1) - 1;
        double tb[B];
        for (size_t q = 0; q < B; ++q) tb[q] = 0.0;
        for (size_t tt = 0; tt < g->T; ++tt) {
          const double wt = top_weight(g, tt, r);
          if (wt == 0.0) continue;
          const double *u = Ub + (g->top0 + tt) * B;
          for (size_t q = 0; q < B; ++q) tb[q] += wt * u[q];
        }
        /* Ubar_k of this direction: k = 1 .. Kg-1 at l0 + k, k = Kg: tb */
#define UB(k) ((k) == Kg ? tb : Ub + (l0 + (size_t)(k)) * B)
        for (int jj = 0; jj < Kg; ++jj) {
          double *nb = jj == 0 ? Nb : Nb + (l0 + (size_t)jj) * B;
          for (int k = jj + 1; k <= Kg; ++k) { /* k = jj is the d_0 term above */
            const double *dk = TS(w, j, 1, kd, k - jj), *uk = UB(k);
            for (size_t q = 0; q < B; ++q) nb[q] += dk[q] * uk[q];
          }
        }
#undef UB
      }
    }
  }
}

/* The embedding's features as series (pinn_mlp_features_) into A[0]
 * (F x C x B): along direction v a phase is phi + s dv, dv = g . v (g its
 * gradient in x), so coefficient k of g(phi + s dv) is g^(k)(phi) dv^k / k!
 * (g = cos: cos(phi + k pi/2); sin: sin(phi + k pi/2)), cos and sin of a
 * phase computed once per point; the input itself (through the map) has
 * value x'_i and coefficient 1 s_i v_i.  Channel c holds what the plan
 * propagates there: coefficient k along one direction (lower channels) or a
 * weighted sum of top coefficients. */
static void embed_series(const pinn_taylor *t, const pinn_mlp *net, workspace *w)
{
  pinn_features_ f;
  pinn_mlp_features_(net, &f);
  const size_t C = t->C, CB = C * B, n_in = f.n_in;
  const double *scale = pinn_mlp_input_scale_(net);
  double cb[KMAX + 1][B]; /* a feature's coefficients 1..K along a direction */
  const double *c[KMAX + 1];
  for (int k = 0; k <= KMAX; ++k) c[k] = cb[k];
  memset(w->A[0], 0, f.n_feat * CB * sizeof(double));
  for (size_t j = 0; j < f.n_id; ++j) {
    const size_t i = f.id_in[j];
    double *a = w->A[0] + f.id_col[j] * CB;
    memcpy(a, w->x0 + i * B, B * sizeof *a);
    for (size_t gi = 0; gi < t->ngroups; ++gi) {
      const group *gr = &t->groups[gi];
      for (size_t r = 0; r < gr->R; ++r) {
        const double dv = scale[i] * t->dirs[gr->dir[r]][i];
        if (dv == 0.0) continue;
        for (int k = 1; k <= gr->K; ++k) /* the input itself is linear: only coefficient 1 */
          for (size_t q = 0; q < B; ++q) cb[k][q] = k == 1 ? dv : 0.0;
        add_direction_series(gr, r, c, a);
      }
    }
  }
  for (size_t p = 0; p < f.n_ph; ++p) {
    double *ac = w->A[0] + f.ph_col[p] * CB, *as = ac + CB, phi[B];
    const double *g = f.ph_g + p * n_in;
    pinn_features_phase_(&f, p, w->x0, B, B, phi);
    double cyc[4][B]; /* cos^(k) = cyc[k % 4], sin^(k) = cyc[(k + 3) % 4] */
    for (size_t q = 0; q < B; ++q) {
      const double co = cos(phi[q]), sn = sin(phi[q]);
      cyc[0][q] = co, cyc[1][q] = -sn, cyc[2][q] = -co, cyc[3][q] = sn;
      ac[q] = co;
      as[q] = sn;
    }
    for (size_t gi = 0; gi < t->ngroups; ++gi) {
      const group *gr = &t->groups[gi];
      for (size_t r = 0; r < gr->R; ++r) {
        double dv = 0.0;
        for (size_t i = 0; i < n_in; ++i) dv += g[i] * t->dirs[gr->dir[r]][i];
        if (dv == 0.0) continue;
        for (int part = 0; part < 2; ++part) { /* cos, then sin (cos one derivative back) */
          for (int k = 1; k <= gr->K; ++k) {
            const double ck = pow(dv, k) * t->ifact[k];
            const double *y = cyc[(k + 3 * part) % 4];
            for (size_t q = 0; q < B; ++q) cb[k][q] = ck * y[q];
          }
          add_direction_series(gr, r, c, part ? as : ac);
        }
      }
    }
  }
}

/* Forward pass of one block (points in w->x0). */
static void block_forward(const pinn_taylor *t, const pinn_mlp *net, workspace *w)
{
  const size_t L = pinn_mlp_n_layers(net), C = t->C, CB = C * B, n_in = t->n_in;
  const double *theta = pinn_mlp_params_const(net);
  for (size_t l = 1; l < L; ++l) {
    const size_t H = pinn_mlp_layer_size(net, l), Hp = pinn_mlp_layer_size(net, l - 1);
    const double *W = theta + pinn_mlp_weight_offset(net, l), *b = theta + pinn_mlp_bias_offset(net, l);
    double *Z = w->Z[l];
    if (l == 1 && w->A[0]) { /* an embedding: W1 on the features' series */
      embed_series(t, net, w);
      pinn_gemm_nn_(H, Hp, CB, W, Hp, w->A[0], Z, b);
    } else if (l == 1) {
      const double *scale = pinn_mlp_input_scale_(net);
      for (size_t o = 0; o < H; ++o) {
        double *z = Z + o * CB;
        const double *wr = W + o * n_in;
        for (size_t q = 0; q < B; ++q) z[q] = b[o];
        for (size_t i = 0; i < n_in; ++i)
          for (size_t q = 0; q < B; ++q) z[q] += wr[i] * w->x0[i * B + q];
        for (size_t c = 1; c < C; ++c) { /* the input map scales direction i by scale_i */
          double s = 0.0;
          for (size_t i = 0; i < n_in; ++i) s += wr[i] * (t->indir[c * n_in + i] * scale[i]);
          for (size_t q = 0; q < B; ++q) z[c * B + q] = s;
        }
      }
    } else {
      pinn_gemm_nn_(H, Hp, CB, W, Hp, w->A[l - 1], Z, b);
    }
    if (l + 1 == L) break;
    /* s .. s^(K+1) at every z_0 of the layer: one call (per unit for
     * per-unit PReLU slopes) */
    const pinn_activation act = pinn_mlp_activation(net, l);
    const int per_unit = act.kind == PINN_ACT_PRELU && pinn_mlp_prelu_per_unit(net) &&
                         pinn_mlp_slope_offset(net, l) != SIZE_MAX;
    for (size_t o = 0; o < H; ++o) memcpy(w->zg + o * B, Z + o * CB, B * sizeof(double));
    if (per_unit)
      for (size_t o = 0; o < H; ++o) {
        double *d = w->D + o * B;
        double tmp[(KMAX + 2) * B];
        pinn_act_derivs_block(act.kind, unit_param(net, l, o, act), t->K + 1, B, w->zg + o * B, tmp);
        for (int m = 0; m <= t->K + 1; ++m) memcpy(d + (size_t)m * H * B, tmp + m * B, B * sizeof(double));
      }
    else
      pinn_act_derivs_block(act.kind, unit_param(net, l, 0, act), t->K + 1, H * B, w->zg, w->D);
    for (size_t o = 0; o < H; ++o)
      unit_forward(t, w, w->D + o * B, H * B, Z + o * CB, w->A[l] + o * CB, w->E[l] + o * CB);
  }
}

/* Where the adjoint puts the parameter gradient: summed over the block's
 * points into g, or (J not NULL) one row per point, J + q ldJ for q < nb. */
typedef struct {
  double *g, *J;
  size_t ldJ, nb;
} grad_sink;

/* Parameter j gets v[q] from point q. */
static void sink_add(const grad_sink *s, size_t j, const double *v)
{
  if (s->J) {
    for (size_t q = 0; q < s->nb; ++q) s->J[q * s->ldJ + j] += v[q];
    return;
  }
  double t = 0.0;
  for (size_t q = 0; q < B; ++q) t += v[q];
  s->g[j] += t;
}

/* The gradient of a layer's weights W (H x Hp, at offset wo) from its
 * zbar (H x C x B) and its input jets A (Hp x C x B): summed over the block
 * into gs->g, or per point into rows. */
static void weight_grad(const grad_sink *gs, size_t H, size_t Hp, size_t C, const double *zbar,
                        const double *A, size_t wo)
{
  const size_t CB = C * B;
  if (!gs->J) {
    pinn_gemm_nt_acc_(H, Hp, CB, zbar, A, gs->g + wo);
    return;
  }
  double v[B];
  for (size_t o = 0; o < H; ++o)
    for (size_t k = 0; k < Hp; ++k) {
      for (size_t q = 0; q < B; ++q) v[q] = 0.0;
      for (size_t c = 0; c < C; ++c) {
        const double *zc = zbar + o * CB + c * B, *ac = A + k * CB + c * B;
        for (size_t q = 0; q < B; ++q) v[q] += zc[q] * ac[q];
      }
      sink_add(gs, wo + o * Hp + k, v);
    }
}

/* Reverse pass of one block; on entry w->bar0 holds Zbar of the output layer. */
static void block_adjoint(const pinn_taylor *t, const pinn_mlp *net, workspace *w,
                          const grad_sink *gs)
{
  const size_t L = pinn_mlp_n_layers(net), C = t->C, CB = C * B, n_in = t->n_in;
  const double *theta = pinn_mlp_params_const(net);
  double *zbar = w->bar0, *abar = w->bar1, v[B];
  for (size_t l = L - 1; l >= 1; --l) {
    const size_t H = pinn_mlp_layer_size(net, l), Hp = pinn_mlp_layer_size(net, l - 1);
    const double *W = theta + pinn_mlp_weight_offset(net, l);
    const size_t wo = pinn_mlp_weight_offset(net, l), bo = pinn_mlp_bias_offset(net, l);
    for (size_t o = 0; o < H; ++o) sink_add(gs, bo + o, zbar + o * CB);
    if (l == 1 && w->A[0]) { /* W1 on the features' series A[0] */
      weight_grad(gs, H, Hp, C, zbar, w->A[0], wo);
      break;
    }
    if (l == 1) { /* z_0 = W x' + b, z_c = W (scale * indir_c) */
      const double *scale = pinn_mlp_input_scale_(net);
      for (size_t o = 0; o < H; ++o) {
        const double *zb = zbar + o * CB;
        for (size_t i = 0; i < n_in; ++i) {
          for (size_t q = 0; q < B; ++q) v[q] = zb[q] * w->x0[i * B + q];
          for (size_t c = 1; c < C; ++c) {
            const double u = t->indir[c * n_in + i] * scale[i];
            if (u != 0.0)
              for (size_t q = 0; q < B; ++q) v[q] += u * zb[c * B + q];
          }
          sink_add(gs, wo + o * n_in + i, v);
        }
      }
      break;
    }
    weight_grad(gs, H, Hp, C, zbar, w->A[l - 1], wo);
    pinn_gemm_tn_(H, Hp, CB, W, zbar, abar);
    const size_t lp = l - 1;
    const pinn_activation act = pinn_mlp_activation(net, lp);
    const size_t aoff = pinn_mlp_slope_offset(net, lp);
    for (size_t o = 0; o < Hp; ++o) {
      const double *z = w->Z[lp] + o * CB, *ab = abar + o * CB;
      if (act.kind == PINN_ACT_PRELU && aoff != SIZE_MAX) { /* z_0 < 0: a_c = alpha z_c */
        for (size_t q = 0; q < B; ++q) v[q] = 0.0;
        for (size_t c = 0; c < C; ++c)
          for (size_t q = 0; q < B; ++q)
            if (z[q] < 0) v[q] += z[c * B + q] * ab[c * B + q];
        sink_add(gs, aoff + (pinn_mlp_prelu_per_unit(net) ? o : 0), v);
      }
      unit_adjoint(t, w->E[lp] + o * CB, ab, zbar + o * CB);
    }
  }
}

static int check_net(pinn_taylor *t, const pinn_mlp *net)
{
  if (pinn_mlp_n_in(net) != t->n_in)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "the network has %zu inputs but the Taylor plan was made for %zu",
                          pinn_mlp_n_in(net), t->n_in);
  int st = build_plan(t);
  if (st) return st;
  for (size_t j = 0; j < t->ntr; ++j)
    if (t->tr[j].component >= pinn_mlp_n_out(net))
      return pinn_error_set(&t->err, PINN_EINVAL,
                            "output transform %zu acts on output %zu, but the network has %zu "
                            "output(s)",
                            j, t->tr[j].component, pinn_mlp_n_out(net));
  if (t->K >= 2 && pinn_mlp_is_piecewise_linear(net))
    return pinn_error_set(&t->err, PINN_EUNSUPPORTED,
                          "a derivative of order %d of a network whose activations are all "
                          "piecewise linear (ReLU family) vanishes almost everywhere (their s'' "
                          "is a Dirac mass at the kink), so it carries no signal: use a smooth "
                          "activation (tanh, sin, gelu, softplus, silu, sigmoid)",
                          t->K);
  return PINN_SUCCESS;
}

/* Forward pass of the block of nb points x[q * n_in + i] and the read-out of
 * the quantities into w->vals. */
static int block_values(const pinn_taylor *t, const pinn_mlp *net, workspace *w, const double *x,
                        size_t nb, pinn_error *err)
{
  const size_t n_in = t->n_in, n_out = pinn_mlp_n_out(net), C = t->C, Q = t->nq;
  for (size_t i = 0; i < n_in; ++i)
    for (size_t q = 0; q < B; ++q) w->x0[i * B + q] = q < nb ? x[q * n_in + i] : 0.0;
  pinn_mlp_map_inputs_(net, w->x0, nb, B);
  block_forward(t, net, w);
  if (t->ntr) {
    int st = transforms_forward(t, net, w, x, nb, err);
    if (st) return st;
  }
  /* vals[k][qq] = sum_c M[qq][c] Z_L[k][c] */
  const double *ZL = w->Z[pinn_mlp_n_layers(net) - 1];
  for (size_t k = 0; k < n_out; ++k)
    for (size_t qq = 0; qq < Q; ++qq) {
      double *v = w->vals + (k * Q + qq) * B;
      const double *m = t->M + qq * C;
      for (size_t q = 0; q < B; ++q) v[q] = 0.0;
      for (size_t c = 0; c < C; ++c)
        if (m[c] != 0.0)
          for (size_t q = 0; q < B; ++q) v[q] += m[c] * ZL[(k * C + c) * B + q];
    }
  memset(w->vbar, 0, n_out * Q * B * sizeof(double));
  return PINN_SUCCESS;
}

/* The adjoint of the read-out (w->vbar -> w->bar0) and of the network. */
static void block_seeded_adjoint(const pinn_taylor *t, const pinn_mlp *net, workspace *w,
                                 const grad_sink *gs)
{
  const size_t n_out = pinn_mlp_n_out(net), C = t->C, Q = t->nq;
  memset(w->bar0, 0, n_out * C * B * sizeof(double));
  for (size_t k = 0; k < n_out; ++k)
    for (size_t qq = 0; qq < Q; ++qq) {
      const double *vb = w->vbar + (k * Q + qq) * B, *m = t->M + qq * C;
      for (size_t c = 0; c < C; ++c)
        if (m[c] != 0.0)
          for (size_t q = 0; q < B; ++q) w->bar0[(k * C + c) * B + q] += m[c] * vb[q];
    }
  if (t->ntr) transforms_adjoint(t, w);
  block_adjoint(t, net, w, gs);
}

/* One block of a loss pass: values of the nb points at x (the block's own),
 * fn (told the block starts at p0), adjoint into g (when not NULL).
 * Returns fn's status. */
static int run_block(const pinn_taylor *t, const pinn_mlp *net, workspace *w, const double *x,
                     size_t p0, size_t nb, pinn_taylor_seed_fn fn, void *ctx, double *acc,
                     double *g, pinn_error *err)
{
  int st = block_values(t, net, w, x, nb, err);
  if (st) return st;
  int r = fn(p0, nb, B, w->vals, w->vbar, acc, ctx);
  if (r || !g) return r;
  const grad_sink gs = {g, NULL, 0, nb};
  block_seeded_adjoint(t, net, w, &gs);
  return 0;
}

/* A loss pass as lib/reduce.c's driver sees it (the same driver as the
 * second-order engine's: the bits of a sum depend on the points alone, for
 * any thread count and any share of a team's ranks). */
typedef struct {
  const pinn_taylor *t;
  const pinn_mlp *net;
  size_t n, row0, n_acc;
  const double *x;
  pinn_taylor_seed_fn fn;
  void *ctx;
  int need_grad;
  pinn_error *terr;  /* the output transforms' failure of the lowest block */
  size_t *terr_block;
} pass_ctx;

/* Keep err as the transforms' failure when block b is the lowest so far. */
static void keep_transform_error(size_t *first, pinn_error *dst, size_t b, const pinn_error *err)
{
#pragma omp critical /* unnamed: a named one would be an exported symbol */
  {
    if (b < *first) {
      *first = b;
      *dst = *err;
    }
  }
}

static void *pass_alloc(void *vctx)
{
  const pass_ctx *pc = vctx;
  workspace *w = malloc(sizeof *w);
  if (w && ws_alloc(pc->t, pc->net, w) != PINN_SUCCESS) {
    free(w);
    w = NULL;
  }
  return w;
}

static void pass_release(void *ws)
{
  ws_free(ws);
  free(ws);
}

static int pass_block(void *ws, size_t b, double *v, void *vctx)
{
  const pass_ctx *pc = vctx;
  const size_t p0 = b * B, nb = pc->n - p0 < B ? pc->n - p0 : B;
  pinn_error e;
  e.code = 0;
  int st = run_block(pc->t, pc->net, ws, pc->x + (p0 - pc->row0) * pc->t->n_in, p0 - pc->row0, nb,
                     pc->fn, pc->ctx, v, pc->need_grad ? v + pc->n_acc : NULL, &e);
  if (st && e.code) keep_transform_error(pc->terr_block, pc->terr, b, &e);
  return st;
}

int pinn_taylor_loss_grad_part_(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                                pinn_taylor_seed_fn fn, void *ctx, size_t n_acc, int need_grad,
                                size_t rank, size_t size, size_t row0, pinn_reduce_list_ *out)
{
  if (!t) return PINN_EINVAL;
  if (!net || !fn || (n && !x) || !out || size < 1 || rank >= size)
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "pinn_taylor_loss_grad: network, fn, points and accumulators must not "
                          "be NULL");
  const size_t len = n_acc + (need_grad ? pinn_mlp_n_params(net) : 0);
  const size_t nblocks = (n + B - 1) / B, leaves = pinn_reduce_leaves_(nblocks);
  pinn_reduce_list_init_(out, len, leaves);
  int st = check_net(t, net);
  if (st) return st;
  size_t leaf0, leaf1;
  pinn_reduce_share_(rank, size, leaves, &leaf0, &leaf1);
  if (leaf0 < leaf1) {
    size_t first_block, last_block;
    pinn_reduce_leaf_blocks_(nblocks, leaves, leaf0, &first_block, &last_block);
    if (first_block * B < row0)
      return pinn_error_set(&t->err, PINN_EINVAL,
                            "pinn_taylor_loss_grad: the points held start at %zu, after this "
                            "share's first point %zu",
                            row0, first_block * B);
  }
  pinn_error terr;
  size_t terr_block = SIZE_MAX;
  pass_ctx pc = {t, net, n, row0, n_acc, x, fn, ctx, need_grad, &terr, &terr_block};
  static const pinn_reduce_pass_ops_ ops = {pass_alloc, pass_release, pass_block};
  pinn_reduce_pass_fail_ fail;
  const int team = pinn_mlp_team_size_(net);
  st = pinn_reduce_pass_(nblocks, rank, size, len, team, &ops, &pc, out, &fail);
  if (!st) return PINN_SUCCESS;
  if (fail.no_workspace)
    return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory for the jet workspaces");
  if (fail.block == SIZE_MAX)
    return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory in the Taylor pass");
  const size_t p0 = fail.block * B, p1 = p0 + B < n ? p0 + B : n;
  if (terr_block == fail.block)
    return pinn_error_set(&t->err, terr.code, "in the block of points %zu..%zu: %s", p0, p1 - 1,
                          terr.msg);
  return pinn_error_set(&t->err, st,
                        "the Taylor seed callback failed (status %d) in the block of points "
                        "%zu..%zu",
                        st, p0, p1 - 1);
}

int pinn_taylor_loss_grad(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                          pinn_taylor_seed_fn fn, void *ctx, size_t n_acc, double *acc_out,
                          double *grad)
{
  if (!t) return PINN_EINVAL;
  if (!net || !fn || (n && !x) || (n_acc && !acc_out))
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "pinn_taylor_loss_grad: network, fn, points and accumulators must not "
                          "be NULL");
  for (size_t a = 0; a < n_acc; ++a) acc_out[a] = 0.0;
  if (n == 0) return check_net(t, net);
  pinn_reduce_list_ list;
  int st = pinn_taylor_loss_grad_part_(t, net, n, x, fn, ctx, n_acc, grad != NULL, 0, 1, 0, &list);
  if (st) {
    pinn_reduce_list_free_(&list);
    return st;
  }
  st = pinn_reduce_total_(&list, n_acc, acc_out, grad);
  if (st == PINN_ENOMEM) return pinn_error_set(&t->err, st, "out of memory in the Taylor pass");
  return st ? pinn_error_set(&t->err, st, "the reduction tree is incomplete") : PINN_SUCCESS;
}

int pinn_taylor_jacobian(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                         size_t n_rows, pinn_taylor_row_fn fn, void *ctx, double *J, size_t ldJ)
{
  if (!t) return PINN_EINVAL;
  if (!net || !fn || (n && (!x || !J)) || n_rows < 1 || ldJ < pinn_mlp_n_params(net))
    return pinn_error_set(&t->err, PINN_EINVAL,
                          "pinn_taylor_jacobian: need a network, fn, points, J, n_rows >= 1 and "
                          "ldJ >= %zu",
                          net ? pinn_mlp_n_params(net) : 0);
  int st = check_net(t, net);
  if (st || n == 0) return st;
  const size_t nblocks = (n + B - 1) / B, P = pinn_mlp_n_params(net);
  int fail = 0, alloc_fail = 0;
  size_t fail_block = SIZE_MAX, terr_block = SIZE_MAX;
  pinn_error terr;
#pragma omp parallel num_threads(pinn_mlp_team_size_(net)) if (nblocks >= 2)
  {
    workspace w;
    int ok = ws_alloc(t, net, &w) == PINN_SUCCESS;
    if (!ok) {
#pragma omp atomic write
      alloc_fail = 1;
    }
#pragma omp for schedule(dynamic, 1)
    for (size_t b = 0; b < nblocks; ++b) {
      if (!ok) continue;
      const size_t p0 = b * B, nb = n - p0 < B ? n - p0 : B;
      pinn_error e;
      int tst = block_values(t, net, &w, x + p0 * t->n_in, nb, &e);
      if (tst) {
        keep_transform_error(&terr_block, &terr, b, &e);
#pragma omp critical
        {
          if (b < fail_block) {
            fail_block = b;
            fail = tst;
          }
        }
        continue;
      }
      for (size_t r = 0; r < n_rows; ++r) {
        memset(w.vbar, 0, pinn_mlp_n_out(net) * t->nq * B * sizeof(double));
        int rc = fn(p0, nb, B, w.vals, r, w.vbar, ctx);
        if (rc) {
#pragma omp critical
          {
            if (b < fail_block) {
              fail_block = b;
              fail = rc >= 100 ? rc : PINN_ECALLBACK;
            }
          }
          break;
        }
        const grad_sink gs = {NULL, J + (p0 * n_rows + r) * ldJ, n_rows * ldJ, nb};
        for (size_t q = 0; q < nb; ++q) memset(gs.J + q * gs.ldJ, 0, P * sizeof(double));
        block_seeded_adjoint(t, net, &w, &gs);
      }
    }
    if (ok) ws_free(&w);
  }
  if (alloc_fail) return pinn_error_set(&t->err, PINN_ENOMEM, "out of memory for the jet workspaces");
  if (fail && terr_block == fail_block)
    return pinn_error_set(&t->err, fail, "in the block of points %zu..%zu: %s", fail_block * B,
                          (fail_block + 1) * B < n ? (fail_block + 1) * B - 1 : n - 1, terr.msg);
  if (fail)
    return pinn_error_set(&t->err, fail,
                          "the Jacobian row callback failed (status %d) in the block of points "
                          "%zu..%zu",
                          fail, fail_block * B, (fail_block + 1) * B < n ? (fail_block + 1) * B - 1 : n - 1);
  return PINN_SUCCESS;
}

/* Copying seeds for pinn_taylor_eval / _eval_grad. */
typedef struct {
  size_t n_out, Q;
  double *out;
  const double *seed;
} copy_ctx;

static int copy_seed(size_t p0, size_t nb, size_t ld, const double *vals, double *vals_bar,
                     double *acc, void *ctx)
{
  (void)acc;
  const copy_ctx *cc = ctx;
  for (size_t k = 0; k < cc->n_out; ++k)
    for (size_t qq = 0; qq < cc->Q; ++qq)
      for (size_t q = 0; q < nb; ++q) {
        const size_t blk = (k * cc->Q + qq) * ld + q, usr = ((p0 + q) * cc->n_out + k) * cc->Q + qq;
        if (cc->out) cc->out[usr] = vals[blk];
        if (cc->seed) vals_bar[blk] = cc->seed[usr];
      }
  return 0;
}

int pinn_taylor_eval(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x, double *out)
{
  if (!t) return PINN_EINVAL;
  if (!net || (n && (!x || !out)))
    return pinn_error_set(&t->err, PINN_EINVAL, "pinn_taylor_eval: NULL argument");
  copy_ctx cc = {pinn_mlp_n_out(net), t->nq, out, NULL};
  return pinn_taylor_loss_grad(t, net, n, x, copy_seed, &cc, 0, NULL, NULL);
}

int pinn_taylor_eval_grad(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                          const double *seed, double *out, double *grad)
{
  if (!t) return PINN_EINVAL;
  if (!net || !grad || (n && (!x || !seed)))
    return pinn_error_set(&t->err, PINN_EINVAL, "pinn_taylor_eval_grad: NULL argument");
  copy_ctx cc = {pinn_mlp_n_out(net), t->nq, out, seed};
  return pinn_taylor_loss_grad(t, net, n, x, copy_seed, &cc, 0, NULL, grad);
}
