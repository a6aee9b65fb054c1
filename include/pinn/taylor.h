/* libpinn — derivatives of any order of a network's outputs with respect to
 * its inputs (Taylor jets of order up to PINN_TAYLOR_MAX_ORDER), for a
 * declared set of quantities, and their exact adjoint (parameter gradient).
 *
 * A quantity is a partial derivative (pure or mixed: u_xxxx, u_xxyy, u_t,
 * u_xxx, the value) or a fixed linear combination of partials (a Laplacian,
 * a biharmonic, a whole linear operator).  The engine never forms a tensor:
 * it propagates univariate Taylor series along a few directions v through
 * the network (x(s) = x + s v; Griewank & Walther, "Evaluating Derivatives",
 * 2nd ed., ch. 13) and recovers every quantity as a fixed linear combination
 * of the directional coefficients u_k(v) = (v . grad)^k u / k!.  A mixed
 * partial of degree d is interpolated from degree-d coefficients along
 * integer directions (Griewank, Utke & Walther, Math. Comp. 69 (2000)):
 * the planner picks the directions greedily, cheapest first (directions
 * already carried, then the axes e_i, then e_i +- e_j, then the grid of
 * Griewank-Utke-Walther, which always suffices; for a rotation-invariant form
 * in two inputs first d/2 + 1 equally spaced directions), so that u_xxyy
 * comes from e_x, e_y, e_x + e_y, e_x - e_y and the 2-D biharmonic from three
 * directions 60 degrees apart, and solves for the weights.  When a degree is
 * needed only through fewer combinations than it has directions, the top
 * coefficients are propagated as those weighted sums instead of one by one
 * ("collapsed Taylor mode", Dangel, Mueller & Zeinhofer, NeurIPS 2024): a
 * Laplacian in D inputs costs 1 + D + 1 channels instead of 1 + 2D, the 2-D
 * biharmonic 1 + 3*3 + 1 (channels: values per unit and point that every
 * layer carries).  See lib/taylor.c for the recurrences.
 *
 * Typical use (beam: u'''' in 1-D):
 *   pinn_taylor *t = pinn_taylor_alloc(1, &err);
 *   pinn_partial p;  pinn_partial_parse("0000", &p, &err);
 *   pinn_taylor_add_partial(t, &p);                        quantity 0
 *   pinn_taylor_eval(t, net, n, x, out);     out[(point * n_out + k) * Q + q]
 * A plan depends only on the number of inputs and the quantities; it is
 * built at the first evaluation and reused.  A pinn_taylor is used by one
 * thread at a time (its passes are OpenMP-parallel inside).
 */
#ifndef PINN_TAYLOR_H
#define PINN_TAYLOR_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/mlp.h>
#include <pinn/transform.h>

PINN_BEGIN_DECLS

/* Highest total order of a partial (the activations supply s .. s^(K+1)). */
#define PINN_TAYLOR_MAX_ORDER 8
/* Most inputs (8 space dimensions plus time; pinn_mlp itself takes up to
 * PINN_MAX_INPUTS). */
#define PINN_TAYLOR_MAX_INPUTS 9
/* Most quantities of one plan, and partials in one quantity. */
#define PINN_TAYLOR_MAX_QUANTITIES 128
#define PINN_TAYLOR_MAX_TERMS 64
/* Most output transforms on one plan (one per output component). */
#define PINN_TAYLOR_MAX_TRANSFORMS 8

/* A partial derivative by its multi-index: d^|n| / dx_0^n[0] ... dx_8^n[8]
 * (all zero: the value). */
typedef struct pinn_partial {
  unsigned char n[PINN_TAYLOR_MAX_INPUTS];
} pinn_partial;

/* Parse a partial written as the input indices it differentiates by, one
 * digit 0..8 each, in any order: "0011" = d^4/dx_0^2 dx_1^2, "1" = d/dx_1,
 * "" = the value.  PINN_EINVAL (message in err, may be NULL) for another
 * character or an order above PINN_TAYLOR_MAX_ORDER. */
int pinn_partial_parse(const char *text, pinn_partial *p, pinn_error *err);
/* Parse a partial written with the inputs' names, n_in of them in names[]
 * (e.g. x, y, t or x0 .. x7, t): "xxt" = d^3/dx^2 dt, "x0x0x3" =
 * d^3/dx0^2 dx3 (each name matched longest first), or as "d" and input
 * indices ("d001" = d^3/dx_0^2 dx_1, as pinn_partial_parse).  Order 1 to
 * PINN_TAYLOR_MAX_ORDER.  PINN_EINVAL with a message naming the inputs
 * otherwise.  The one parser of derivative names (residual terms of any
 * order, pinn eval --derivative). */
int pinn_partial_parse_names(const char *text, size_t n_in, const char *const *names,
                             pinn_partial *p, pinn_error *err);
/* Total order |n|. */
int pinn_partial_order(const pinn_partial *p);

typedef struct pinn_taylor pinn_taylor;

/* A plan for networks with n_in inputs (1..PINN_TAYLOR_MAX_INPUTS) and no
 * quantities yet.  NULL on failure, with err filled (may be NULL). */
pinn_taylor *pinn_taylor_alloc(size_t n_in, pinn_error *err);
/* Free; NULL is a no-op. */
void pinn_taylor_free(pinn_taylor *t);
/* Message of the last failure on this handle ("" when none). */
const char *pinn_taylor_errmsg(const pinn_taylor *t);

/* Add the quantity d^p u (its index is the number of quantities added
 * before it).  PINN_EINVAL for an input index >= n_in, an order above
 * PINN_TAYLOR_MAX_ORDER, too many quantities or after the plan is built. */
int pinn_taylor_add_partial(pinn_taylor *t, const pinn_partial *p);
/* Add the quantity sum_j coef[j] d^p[j] u (n_terms 1..PINN_TAYLOR_MAX_TERMS;
 * the partials may have different orders; repeated partials add up). */
int pinn_taylor_add_sum(pinn_taylor *t, size_t n_terms, const double *coef,
                        const pinn_partial *p);
/* Add the quantity Delta^power u over the inputs in the bitmask `inputs`
 * (power 1: the Laplacian, 2: the biharmonic; 2 power <= max order). */
int pinn_taylor_add_laplacian(pinn_taylor *t, unsigned inputs, int power);

/* Output transforms (hard constraints, pinn/transform.h) the quantities
 * see: every evaluation, loss pass and Jacobian below then works on
 * u = g + d N (or psi +- softplus_beta(N)) instead of the raw outputs N.
 * The transform is composed along each direction of the plan before the
 * mixed partials are interpolated: with the series f(s), d(s) of g (psi)
 * and d at x + s v (pinn_transform_series, evaluated for every block),
 *   U_k = f_k + sum_{i=0..k} d_i N_{k-i}   (truncated Cauchy product)
 * (obstacle: U = f + sense softplus_beta(N(s)) by (1) of lib/taylor.c), and
 * the adjoint maps Ubar to Nbar_j = sum_{i>=j} d_{i-j} Ubar_i.  Collapsed
 * tops compose exactly: a weighted sum sum_r W_r U_K(v_r) is d_0 times the
 * collapsed N top plus sum_r W_r (f_K(v_r) + sum_{i>=1} d_i(v_r) N_{K-i}(v_r)),
 * all of whose factors the plan carries.  n transforms (at most
 * PINN_TAYLOR_MAX_TRANSFORMS) are copied and applied in order; n = 0
 * removes them.  PINN_EUNSUPPORTED for a transform not in series form (give
 * it with pinn_transform_dirichlet_series / _obstacle_series), PINN_EINVAL
 * for an invalid one; the component is checked against the network at each
 * evaluation.  The callbacks must be thread-safe. */
int pinn_taylor_set_transforms(pinn_taylor *t, size_t n, const pinn_transform *tr);

/* Number of quantities Q. */
size_t pinn_taylor_n_quantities(const pinn_taylor *t);
/* Build the plan now (otherwise the first evaluation does) and report its
 * cost: *channels (the jet's width per unit, value included), *directions
 * (Taylor series propagated), *order (highest order); any may be NULL. */
int pinn_taylor_plan(pinn_taylor *t, size_t *channels, size_t *directions, int *order);

/* Values of the quantities at n points x[p * n_in + i]:
 * out[(p * n_out + k) * Q + q].  PINN_EINVAL when the network's input count
 * differs from the plan's; PINN_EUNSUPPORTED for a piecewise-linear network
 * (ReLU family only) and a quantity of order >= 2 (its derivatives vanish
 * almost everywhere: the residual would carry no signal). */
int pinn_taylor_eval(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x, double *out);

/* The fused forward-adjoint pass a loss uses (as pinn_mlp_loss_grad): points
 * in blocks of at most PINN_BLOCK; for each block the quantities are handed
 * to fn as vals[(k * Q + q) * ld + j] (output k, quantity q, point p0 + j,
 * j < nb), fn adds to acc[0..n_acc-1] and writes d loss / d vals into
 * vals_bar (same layout, zero on entry; entries j >= nb must stay zero); the
 * adjoint then ADDS that block's gradient with respect to theta to grad
 * (when not NULL; length pinn_mlp_n_params).  fn returns 0, or nonzero to
 * stop: >= 100 passes through as the status, anything else is
 * PINN_ECALLBACK.  OpenMP over the blocks, with the network's thread count
 * (pinn_mlp_set_threads; 0 = OpenMP's default): the blocks are summed up the
 * fixed reduction tree the second-order engine uses (its leaves depend on n
 * alone), so results are bitwise the same for any thread count.  fn is called concurrently on
 * different blocks (it must write only its arguments). */
typedef int (*pinn_taylor_seed_fn)(size_t p0, size_t nb, size_t ld, const double *vals,
                                   double *vals_bar, double *acc, void *ctx);
int pinn_taylor_loss_grad(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                          pinn_taylor_seed_fn fn, void *ctx, size_t n_acc, double *acc_out,
                          double *grad);

/* Per-point parameter gradients (Jacobian rows, e.g. for Gauss-Newton), as
 * pinn_mlp_jacobian: for every block the quantities are computed once, then
 * for each row r < n_rows fn writes, for every point j < nb of the block,
 * that row's sensitivity to the point's quantities into vals_bar (layout of
 * pinn_taylor_seed_fn, zero on entry); the adjoint writes the row's gradient
 * into J[((p0 + j) * n_rows + r) * ldJ + i], i < pinn_mlp_n_params (columns
 * from n_params to ldJ are left alone).  No reduction over points: results
 * do not depend on the thread count. */
typedef int (*pinn_taylor_row_fn)(size_t p0, size_t nb, size_t ld, const double *vals, size_t row,
                                  double *vals_bar, void *ctx);
int pinn_taylor_jacobian(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                         size_t n_rows, pinn_taylor_row_fn fn, void *ctx, double *J, size_t ldJ);

/* Adjoint of pinn_taylor_eval: ADD sum_{p,k,q} seed[(p n_out + k) Q + q]
 * d out[...] / d theta to grad; out (may be NULL) receives the values. */
int pinn_taylor_eval_grad(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                          const double *seed, double *out, double *grad);

PINN_END_DECLS
#endif
