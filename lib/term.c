/* libpinn — the kinds of loss term, each defined once (see lib/term_impl.h).
 *
 *   residual         r = the user's residuals (duals)
 *   Dirichlet, initial, data
 *                    r = u_k - g
 *   initial rate     r = u_k,t - g
 *   Neumann, Robin   r = a u_k + b du_k/dn - g   (Neumann: a = 0, b = 1)
 *   periodic         r = u_k [, du_k/dx_axis] at each point; the term's is
 *                    r(lo) - r(hi) of each pair
 *   obstacle         r = gap = sense (psi - u_k), L = rho mean phi(gap)
 *   complementarity  r = min(lambda, g), g = sense (u_k - psi), lambda =
 *                    sense R (R the user's residual), as g - ReLU(g - lambda)
 *   residual, any order
 *                    r = the user's residuals (duals) of Taylor quantities
 */
#include "term_impl.h"

#include <math.h>

/* Jet index of output k's channel c. */
#define AT(b, c, q) ((b)->U[((b)->def->k * (b)->C + (size_t)(c)) * (b)->ld + (q)])
/* out[] entry of output k's channel c. */
#define SEED(b, out, stride, c) (out)[((b)->def->k * (b)->C + (size_t)(c)) * (stride)]

static unsigned needs_none(const pinn_term_def *def, size_t d)
{
  (void)def, (void)d;
  return 0;
}

static unsigned needs_declared(const pinn_term_def *def, size_t d)
{
  (void)d;
  return def->needs;
}

static unsigned needs_gradient(const pinn_term_def *def, size_t d)
{
  (void)def;
  return PINN_NEED_X | (d >= 2 ? PINN_NEED_Y : 0) | (d >= 3 ? PINN_NEED_Z : 0);
}

static unsigned needs_time(const pinn_term_def *def, size_t d)
{
  (void)def, (void)d;
  return PINN_NEED_T;
}

static unsigned needs_periodic(const pinn_term_def *def, size_t d)
{
  (void)d;
  return def->derivative ? (unsigned)PINN_NEED_X << def->axis : 0;
}

static size_t rows_one(const pinn_term_def *def)
{
  (void)def;
  return 1;
}

static size_t rows_declared(const pinn_term_def *def) { return def->n_res; }

static size_t rows_periodic(const pinn_term_def *def) { return def->derivative ? 2 : 1; }

/* ---- u_k = g (Dirichlet, initial, data) */

static void value_residual(const pinn_term_block_ *b, double *r)
{
  for (size_t q = 0; q < b->nb; ++q) r[q] = AT(b, 0, q) - b->g[q];
}

static void value_seed(const pinn_term_block_ *b, size_t q, size_t i, double f, double *out,
                       size_t stride)
{
  (void)q, (void)i;
  SEED(b, out, stride, 0) = f;
}

/* ---- u_k,t = g */

static void rate_residual(const pinn_term_block_ *b, double *r)
{
  for (size_t q = 0; q < b->nb; ++q) r[q] = AT(b, b->first_ch[3], q) - b->g[q];
}

static void rate_seed(const pinn_term_block_ *b, size_t q, size_t i, double f, double *out,
                      size_t stride)
{
  (void)q, (void)i;
  SEED(b, out, stride, b->first_ch[3]) = f;
}

/* ---- a u_k + b du_k/dn = g (Neumann: a = 0, b = 1) */

static double robin_a(const pinn_term_def *def) { return def->kind == PINN_TERM_ROBIN ? def->a : 0.0; }
static double robin_b(const pinn_term_def *def) { return def->kind == PINN_TERM_ROBIN ? def->b : 1.0; }

static void robin_residual(const pinn_term_block_ *b, double *r)
{
  const double a = robin_a(b->def), bb = robin_b(b->def);
  for (size_t q = 0; q < b->nb; ++q) {
    const double *nn = b->nrm + q * b->d;
    double dn = 0;
    for (size_t i = 0; i < b->d; ++i) dn += nn[i] * AT(b, b->first_ch[i], q);
    r[q] = a * AT(b, 0, q) + bb * dn - b->g[q];
  }
}

static void robin_seed(const pinn_term_block_ *b, size_t q, size_t i, double f, double *out,
                       size_t stride)
{
  (void)i;
  const double *nn = b->nrm + q * b->d, bb = robin_b(b->def);
  SEED(b, out, stride, 0) = f * robin_a(b->def);
  for (size_t a = 0; a < b->d; ++a) SEED(b, out, stride, b->first_ch[a]) = f * bb * nn[a];
}

/* ---- periodic: u_k [, du_k/dx_axis] at each point of a pair */

static void periodic_residual(const pinn_term_block_ *b, double *r)
{
  const size_t rows = rows_periodic(b->def);
  for (size_t q = 0; q < b->nb; ++q) {
    r[q * rows] = AT(b, 0, q);
    if (rows > 1) r[q * rows + 1] = AT(b, b->first_ch[b->def->axis], q);
  }
}

static void periodic_seed(const pinn_term_block_ *b, size_t q, size_t i, double f, double *out,
                          size_t stride)
{
  (void)q;
  SEED(b, out, stride, i ? b->first_ch[b->def->axis] : 0) = f;
}

/* ---- obstacle barrier: gap = sense (psi - u_k) */

static void gap_residual(const pinn_term_block_ *b, double *r)
{
  const double sense = (double)b->def->sense;
  for (size_t q = 0; q < b->nb; ++q) r[q] = sense * (b->g[q] - AT(b, 0, q));
}

static void gap_seed(const pinn_term_block_ *b, size_t q, size_t i, double f, double *out,
                     size_t stride)
{
  (void)q, (void)i;
  SEED(b, out, stride, 0) = -(double)b->def->sense * f;
}

double pinn_term_barrier_phi_(const pinn_barrier *b, double gap, double *dphi)
{
  switch (b->kind) {
  case PINN_BARRIER_RELU2:
    *dphi = gap > 0 ? 2 * gap : 0;
    return gap > 0 ? gap * gap : 0;
  case PINN_BARRIER_RELU:
    *dphi = gap > 0 ? 1 : 0;
    return gap > 0 ? gap : 0;
  case PINN_BARRIER_LEAKY:
    *dphi = gap > 0 ? 1 : b->param;
    return gap > 0 ? gap : b->param * gap;
  default: {
    const double z = b->param * gap;
    *dphi = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
    return (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) / b->param;
  }
  }
}

/* ---- complementarity: m = g - ReLU(g - lambda) = min(lambda, g) with
 * g = sense (u_k - psi), lambda = sense R: an upper obstacle is the lower
 * one of w = -u_k */

static void complementarity_map(const pinn_term_def *def, const pinn_dual *u, double psi,
                                pinn_dual *r, size_t *nr)
{
  pinn_dual gk = pd_subc(*u, psi), lam = r[0];
  if (def->sense < 0) {
    gk = pd_neg(gk);
    lam = pd_neg(lam);
  }
  r[0] = pd_sub(gk, pd_relu(pd_sub(gk, lam)));
  *nr = 1;
}

/* ---- the table, by pinn_term_kind */

static const pinn_term_ops_ kinds[] = {
    [PINN_TERM_RESIDUAL] = {PINN_REGION_INTERIOR, 1000, NULL, 1, 0, 0, 0, 0, needs_declared,
                            rows_declared, NULL, NULL, NULL, NULL},
    [PINN_TERM_DIRICHLET] = {PINN_REGION_BOUNDARY, 200, "boundary data g", 0, 0, 0, 0, 0,
                             needs_none, rows_one, value_residual, value_seed, NULL, NULL},
    [PINN_TERM_NEUMANN] = {PINN_REGION_BOUNDARY, 200, "boundary data g", 0, 0, 0, 0, 0,
                           needs_gradient, rows_one, robin_residual, robin_seed, NULL, NULL},
    [PINN_TERM_ROBIN] = {PINN_REGION_BOUNDARY, 200, "boundary data g", 0, 0, 0, 0, 0,
                         needs_gradient, rows_one, robin_residual, robin_seed, NULL, NULL},
    [PINN_TERM_PERIODIC] = {PINN_REGION_BOUNDARY, 200, NULL, 0, 1, 0, 0, 0, needs_periodic,
                            rows_periodic, periodic_residual, periodic_seed, NULL, NULL},
    [PINN_TERM_INITIAL] = {PINN_REGION_INITIAL, 200, "initial data g", 0, 0, 0, 0, 0, needs_none,
                           rows_one, value_residual, value_seed, NULL, NULL},
    [PINN_TERM_INITIAL_RATE] = {PINN_REGION_INITIAL, 200, "initial rate g", 0, 0, 0, 0, 0,
                                needs_time, rows_one, rate_residual, rate_seed, NULL, NULL},
    [PINN_TERM_DATA] = {PINN_REGION_INTERIOR, 200, "observation", 0, 0, 0, 1, 0, needs_none,
                        rows_one, value_residual, value_seed, NULL, NULL},
    [PINN_TERM_OBSTACLE] = {PINN_REGION_INTERIOR, 1000, "obstacle psi", 0, 0, 1, 0, 1,
                            needs_none, rows_one, gap_residual, gap_seed, NULL, NULL},
    [PINN_TERM_COMPLEMENTARITY] = {PINN_REGION_INTERIOR, 1000, "obstacle psi", 1, 0, 0, 0, 1,
                                   needs_declared, rows_one, NULL, NULL, complementarity_map,
                                   "the complementarity value min(R, u - psi)"},
    /* its callback sees Taylor quantities, not jets: lib/loss.c's Taylor path */
    [PINN_TERM_RESIDUAL_ANY] = {PINN_REGION_INTERIOR, 1000, NULL, 1, 0, 0, 0, 0, needs_none,
                                rows_declared, NULL, NULL, NULL, NULL},
    [PINN_TERM_BOUNDARY_ANY] = {PINN_REGION_BOUNDARY, 200, NULL, 1, 0, 0, 0, 0, needs_none,
                                rows_declared, NULL, NULL, NULL, NULL},
};

const pinn_term_ops_ *pinn_term_ops_of_(pinn_term_kind kind) { return &kinds[kind]; }

int pinn_term_kind_is_interior(pinn_term_kind kind)
{
  if ((unsigned)kind > PINN_TERM_BOUNDARY_ANY) return 0;
  return kinds[kind].region == PINN_REGION_INTERIOR && !kinds[kind].given;
}
