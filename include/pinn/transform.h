/* libpinn — output transforms: hard constraints built into the network.
 *
 * Instead of penalising a condition, an output transform rewrites one output
 * component so that the condition holds for ANY network parameters:
 *
 *   DIRICHLET  u = g(x) + d(x) N(x)      (Lagaris, Likas & Fotiadis, IEEE
 *              Trans. Neural Netw. 9(5), 1998; distance functions: Sukumar &
 *              Srivastava, Comput. Methods Appl. Mech. Engrg. 389, 2022)
 *              g extends the boundary data into the domain, d is a
 *              distance-like function with d = 0 on the constrained part of
 *              the boundary (and d != 0 inside): there u = g exactly.
 *   OBSTACLE   u = psi(x) + softplus_beta(N(x)),
 *              softplus_beta(N) = log(1 + exp(beta N)) / beta,
 *              so u >= psi everywhere (also in floating point: u is psi plus
 *              a non-negative number); u touches psi only as N -> -inf, so a
 *              larger beta gives a sharper contact set.  An upper obstacle
 *              (sense -1) is u = psi - softplus_beta(N) <= psi.
 *
 * N is the raw network output.  The loss sees jets (value, first and second
 * derivatives with respect to the inputs, pinn/mlp.h), so the transform is
 * applied to jets, with g, d, psi written once by the user as xjet formulas
 * (pinn/xjet.h) that deliver their gradients and Hessians exactly:
 *
 *   U   = g + d N
 *   U_i = g_i + d_i N + d N_i
 *   U_ij = g_ij + d_ij N + d_i N_j + d_j N_i + d N_ij
 * and, with s = softplus_beta and s', s'', s''' at N,
 *   U   = psi + s
 *   U_i = psi_i + s' N_i
 *   U_ij = psi_ij + s'' N_i N_j + s' N_ij
 * (s' = sigma(beta N), s'' = beta s'(1-s'), s''' = beta^2 s'(1-s')(1-2s')),
 * and for an upper obstacle the same with s, s', s'', s''' negated.
 *
 * The adjoint (reverse) pass maps the loss's sensitivities Ubar to Nbar, the
 * sensitivities to the network's jets (g, d, psi do not depend on the
 * parameters).  For DIRICHLET it is linear:
 *   Nbar    = d Ubar + sum_i d_i Ubar_i + sum_(ij) d_ij Ubar_ij
 *   Nbar_i  = d Ubar_i + sum_(pairs (i,j)) d_j Ubar_ij  (2 d_i Ubar_ii for i = j)
 *   Nbar_ij = d Ubar_ij
 * and for OBSTACLE it is that of an activation (lib/mlp.c):
 *   Nbar    = s' Ubar + sum_i s'' N_i Ubar_i + sum_(ij) (s''' N_i N_j + s'' N_ij) Ubar_ij
 *   Nbar_i  = s' Ubar_i + sum_(pairs (i,j)) s'' N_j Ubar_ij  (2 s'' N_i Ubar_ii for i = j)
 *   Nbar_ij = s' Ubar_ij
 * where the sums run over the channels the spec carries.
 *
 * Layout.  The functions work on the engine's block layout of
 * pinn_jet_seed_fn (pinn/mlp.h): jets[(k * C + c) * ld + q] for output k,
 * channel c (0 value, then one per first derivative, then one per pair) and
 * block row q < nb.  pinn_transform_jets does the same on the layout of
 * pinn_mlp_jets (whole batches, for output and diagnostics).
 *
 * Use in a loss.  g, d and psi depend on the point only, so their
 * channels can be evaluated once per point set (pinn_transform_coefs, when
 * the points are sampled) and reused at every evaluation:
 *   coef (n * pinn_transform_coef_size(spec) doubles) <- pinn_transform_coefs(x)
 * then inside the pinn_jet_seed_fn, per block p0, nb, ld:
 *   U (n_out * C * ld doubles) <- pinn_transform_forward_coefs(
 *       coef + p0 * pinn_transform_coef_size(spec), N = jets)
 *   evaluate the terms on U as if it were the network's jets, writing Ubar
 *   into jets_bar (zero on entry), then
 *   pinn_transform_adjoint(Ubar = jets_bar, Nbar = jets_bar)   (in place)
 * with a scratch `work` of pinn_transform_work_size(spec, nb) doubles kept
 * between the two calls.  pinn_transform_forward does the same but calls
 * g, d, psi on the block's points each time (simpler, slower).
 *
 * Series form.  g, d, psi may instead be written once in truncated Taylor
 * series (pinn/tseries.h, pinn_transform_dirichlet_series and friends).
 * The second-order engine then gets the channels above from series along
 * e_i and e_i + e_j (orders 1-2, by polarisation), and the Taylor engine of
 * any order (pinn/taylor.h) composes the transform per direction before it
 * interpolates the mixed partials:  U(s) = g(s) + d(s) N(s) (a truncated
 * Cauchy product), or U(s) = psi(s) +- softplus_beta(N(s)) (Faa di Bruno),
 * with the adjoints Nbar_j = sum_{i>=j} d_{i-j} Ubar_i and that of an
 * activation.  Only a series-form transform composes with residuals of
 * order above two.
 *
 * The callbacks must be thread-safe (the engine calls the seed function
 * from several threads).  Only the entries the spec carries are used and
 * checked: a d with a singular Hessian somewhere is fine for terms that
 * read values only.
 */
#ifndef PINN_TRANSFORM_H
#define PINN_TRANSFORM_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/mlp.h>
#include <pinn/xjet.h>
#include <pinn/tseries.h>

PINN_BEGIN_DECLS

/* A function of the point as an xjet: x[0 .. dim-1] are the coordinates
 * seeded px_var(x_i, i) (entries dim .. PINN_XJET_MAX-1 hold NaN constants);
 * writes *out.  Returns 0, or nonzero to stop with PINN_ECALLBACK. */
typedef int (*pinn_xjet_fn)(const pinn_xjet *x, pinn_xjet *out, void *ctx);

/* A function of the point in series form (pinn/tseries.h): x[0 .. dim-1]
 * are the coordinates along a line, x_i(s) = x_i + s v_i, to some order K
 * (pt_var(x_i, v_i, K); entries dim .. PINN_TS_MAX_VARS-1 hold NaN
 * constants); writes the series of the function to *out, to order K at
 * least.  Returns 0, or nonzero to stop with PINN_ECALLBACK. */
typedef int (*pinn_series_fn)(const pinn_ts *x, pinn_ts *out, void *ctx);

/* Kinds of output transform. */
typedef enum pinn_transform_kind {
  PINN_TRANSFORM_NONE = 0,   /* u = N (every output untouched) */
  PINN_TRANSFORM_DIRICHLET,  /* u = g + d N */
  PINN_TRANSFORM_OBSTACLE    /* u = psi + sense softplus_beta(N) */
} pinn_transform_kind;

/* The side of an obstacle: u_k >= psi (lower) or u_k <= psi (upper). */
typedef enum pinn_sense {
  PINN_SENSE_UPPER = -1,
  PINN_SENSE_LOWER = 1
} pinn_sense;

/* An output transform of one output component (the others are untouched).
 * DIRICHLET needs d (g NULL means g = 0); OBSTACLE needs psi, beta > 0 and
 * sense +1 (u >= psi) or -1 (u <= psi).  ctx is passed to every callback.
 * Build transforms with the constructors below (pinn_transform_none sets
 * sense +1). */
typedef struct pinn_transform {
  pinn_transform_kind kind;
  pinn_xjet_fn g, d, psi;
  void *ctx;
  double beta;
  size_t component;
  pinn_sense sense;
  /* Series form (set by the _series constructors; the xjet callbacks above
   * are then NULL): g_s (NULL: 0), d_s, psi_s. */
  pinn_series_fn g_s, d_s, psi_s;
} pinn_transform;

/* The identity transform (kind NONE); the default initializer. */
pinn_transform pinn_transform_none(void);
/* u_k = g + d N_k for component k (g may be NULL: 0). */
pinn_transform pinn_transform_dirichlet(size_t component, pinn_xjet_fn g, pinn_xjet_fn d,
                                        void *ctx);
/* u_k = psi + softplus_beta(N_k) for component k (u_k >= psi). */
pinn_transform pinn_transform_obstacle(size_t component, pinn_xjet_fn psi, double beta,
                                       void *ctx);
/* u_k = psi - softplus_beta(N_k) for component k (u_k <= psi). */
pinn_transform pinn_transform_obstacle_upper(size_t component, pinn_xjet_fn psi, double beta,
                                             void *ctx);

/* The same transforms with g, d, psi in series form (pinn_series_fn): one
 * formula serves every term kind.  Second-order terms get the value,
 * gradient and Hessian channels from the series along e_i (order 1, or 2
 * when second derivatives are carried: d2/dx_i^2 = 2 c_2) and e_i + e_j
 * (d2/dx_i dx_j = c_2(e_i + e_j) - c_2(e_i) - c_2(e_j), polarisation);
 * residuals of any order (pinn_problem_add_residual_any) compose u = g + d N
 * or u = psi +- softplus_beta(N) along each direction of their Taylor plan
 * (pinn/taylor.h: pinn_taylor_set_transforms).  Up to PINN_TS_MAX_VARS
 * coordinates (second-order terms: PINN_MAX_INPUTS). */
pinn_transform pinn_transform_dirichlet_series(size_t component, pinn_series_fn g,
                                               pinn_series_fn d, void *ctx);
pinn_transform pinn_transform_obstacle_series(size_t component, pinn_series_fn psi, double beta,
                                              void *ctx);
pinn_transform pinn_transform_obstacle_upper_series(size_t component, pinn_series_fn psi,
                                                    double beta, void *ctx);

/* 1 when t is in series form (or kind NONE, which needs no callbacks):
 * then it composes with Taylor jets of any order; 0 otherwise. */
int pinn_transform_is_series(const pinn_transform *t);

/* Series of a series-form transform's functions at the point x (dim
 * coordinates) along direction v (dim entries) to order K (0 ..
 * PINN_TS_MAX_ORDER): f[0..K] of g (DIRICHLET; 0 when g is NULL) or psi
 * (OBSTACLE), d[0..K] of d (DIRICHLET; 0 for OBSTACLE).  Errors:
 * PINN_EINVAL (not series form, bad dim or K), PINN_ECALLBACK,
 * PINN_ENONFINITE (a NaN/Inf coefficient or a series of lower order than
 * asked), with err naming the function and the point. */
int pinn_transform_series(const pinn_transform *t, size_t dim, const double *x, const double *v,
                          int K, double *f, double *d, pinn_error *err);

/* Name ("none", "dirichlet", "obstacle") of a kind; NULL when invalid. */
const char *pinn_transform_kind_name(pinn_transform_kind kind);

/* Check t for a network with n_out outputs and dim inputs (coordinates):
 * kind valid, component < n_out, callbacks present, beta > 0 and finite,
 * sense +1 or -1 (OBSTACLE), one form (xjet or series) only,
 * 1 <= dim <= PINN_XJET_MAX (xjet form) or PINN_TS_MAX_VARS (series form).  0 or PINN_EINVAL with err (if not NULL)
 * saying what to fix. */
int pinn_transform_check(const pinn_transform *t, size_t n_out, size_t dim, pinn_error *err);

/* Doubles of scratch the forward pass keeps for the adjoint of a block of
 * nb points: (C + 3) * nb, C = pinn_jet_spec_channels(spec). */
size_t pinn_transform_work_size(const pinn_jet_spec *spec, size_t nb);

/* Forward pass on a block: N, U are n_out * C * ld doubles in the layout
 * jets[(k * C + c) * ld + q]; x holds the nb points (nb rows of dim).
 * Writes U for rows q < nb of every output (transformed component by the
 * formulas above, others copied; rows nb .. ld-1 are not touched).  U may be
 * N itself (in place).  work (pinn_transform_work_size(spec, nb) doubles,
 * caller-owned) receives what the adjoint needs; NULL when no adjoint
 * follows.  Errors: PINN_EINVAL (bad transform, spec with an input >= dim,
 * nb > ld), PINN_ECALLBACK (a callback returned nonzero), PINN_ENONFINITE
 * (a callback gave a NaN/Inf value or carried derivative); err names the
 * function and the point. */
int pinn_transform_forward(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                           size_t dim, const double *x, size_t nb, size_t ld, const double *N,
                           double *U, double *work, pinn_error *err);

/* Adjoint of pinn_transform_forward on the same block (same t, spec, n_out,
 * nb, and the work it filled): writes Nbar = (dU/dN)^T Ubar for rows q < nb
 * of every output (untransformed components: Nbar = Ubar); rows nb .. ld-1
 * are not touched.  Nbar may be Ubar itself (in place). */
int pinn_transform_adjoint(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                           size_t nb, size_t ld, const double *Ubar, double *Nbar,
                           const double *work, pinn_error *err);

/* Doubles of coefficients per point: 2 C, C = pinn_jet_spec_channels(spec). */
size_t pinn_transform_coef_size(const pinn_jet_spec *spec);

/* Evaluate g, d (DIRICHLET) or psi (OBSTACLE) at n points x (rows of dim)
 * once: coef[p * 2C + c] = channel c of g or psi (value, d/dx_i, d2/dx_i dx_j
 * in the spec's channel order), coef[p * 2C + C + c] = channel c of d (0 for
 * OBSTACLE).  Nothing to do for kind NONE.  The component is not checked
 * here.  Errors as pinn_transform_forward (the point is its index p). */
int pinn_transform_coefs(const pinn_transform *t, const pinn_jet_spec *spec, size_t dim, size_t n,
                         const double *x, double *coef, pinn_error *err);

/* pinn_transform_forward with the coefficients of the block's nb points
 * (coef: nb rows of pinn_transform_coef_size(spec), from pinn_transform_coefs
 * with the same spec) instead of calling g, d, psi; the results are bitwise
 * the same. */
int pinn_transform_forward_coefs(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                                 const double *coef, size_t nb, size_t ld, const double *N,
                                 double *U, double *work, pinn_error *err);

/* Forward pass on n points in the layout of pinn_mlp_jets:
 * N[(p * n_out + k) * C + c] -> U (same layout; U may be N).  With a
 * value-only spec (pinn_jet_spec_value) this is the layout of pinn_mlp_eval,
 * out[p * n_out + k].  Errors as pinn_transform_forward. */
int pinn_transform_jets(const pinn_transform *t, const pinn_jet_spec *spec, size_t n_out,
                        size_t dim, size_t n, const double *x, const double *N, double *U,
                        pinn_error *err);

PINN_END_DECLS
#endif
