/* libpinn — a PDE problem as C callbacks: domain, outputs, loss terms,
 * learnable coefficients, exact or reference solution.
 *
 * A problem is a description only; pinn_loss (pinn/loss.h) samples its
 * points and evaluates it on a network.  Users write the PDE residual as a
 * callback in dual numbers (pinn/dual.h): it receives the jet of every
 * network output at a point — u and the derivatives it declared it needs,
 * each a dual seeded with its own unit tangent — and the learnable
 * coefficients as duals, and writes its residuals as duals.  The library
 * reads every d residual / d jet entry from the tangents, so nothing is
 * derived by hand:
 *
 *   // Burgers: u_t + u u_x - nu u_xx = 0
 *   static int burgers(const double *x, const pinn_jet *u, const pinn_dual *c,
 *                      pinn_dual *r, void *ctx)
 *   {
 *     double nu = *(const double *)ctx;
 *     r[0] = pd_sub(pd_add(u->t, pd_mul(u->v, u->x)), pd_scale(u->xx, nu));
 *     return 0;
 *   }
 *   pinn_problem_add_residual(p, "pde", 1, burgers,
 *                             PINN_NEED_X | PINN_NEED_T | PINN_NEED_XX, &nu);
 *
 * Coordinates: the space coordinates are named x, y, z (the first, second,
 * third space dimension) and time t; a point is (x[, y[, z]][, t]), time
 * last.  A problem in 4 to 8 space dimensions names them x0 .. x7 (then t);
 * its residuals read space derivatives through pinn_problem_add_residual_any
 * (the named jet below has fields for x, y, z only).  A jet entry that the term did not declare holds NaN, so a residual
 * that reads it fails with a message instead of silently using 0.
 *
 * Every callback takes `void *ctx` last and returns 0, or nonzero to stop
 * the computation with PINN_ECALLBACK and a message naming the term and the
 * point.  A NaN or Inf coming out of a callback is reported the same way
 * (PINN_ENONFINITE).
 */
#ifndef PINN_PROBLEM_H
#define PINN_PROBLEM_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/dual.h>
#include <pinn/domain.h>
#include <pinn/transform.h>

PINN_BEGIN_DECLS

/* Most outputs (components of the solution) a problem may have. */
#define PINN_MAX_OUTPUTS 8
/* Most residual components one residual callback may write. */
#define PINN_MAX_RESIDUALS 8
/* Most learnable coefficients. */
#define PINN_MAX_COEFS 8
/* Most training points of one term (pinn_problem_set_points, the CLI's
 * --points, and what a checkpoint may hold; periodic terms: pairs). */
#define PINN_MAX_TERM_POINTS ((size_t)100000000)

/* The jet of one network output at one point, as duals: the value and the
 * first and second derivatives with respect to x, y, z (space) and t. */
typedef struct pinn_jet {
  pinn_dual v;                       /* u */
  pinn_dual x, y, z, t;              /* u_x, u_y, u_z, u_t */
  pinn_dual xx, yy, zz, tt;          /* u_xx, u_yy, u_zz, u_tt */
  pinn_dual xy, xz, xt, yz, yt, zt;  /* mixed second derivatives */
} pinn_jet;

/* What a residual reads besides u itself (bit flags, or-ed). */
enum {
  PINN_NEED_X = 1u << 0, PINN_NEED_Y = 1u << 1, PINN_NEED_Z = 1u << 2, PINN_NEED_T = 1u << 3,
  PINN_NEED_XX = 1u << 4, PINN_NEED_YY = 1u << 5, PINN_NEED_ZZ = 1u << 6, PINN_NEED_TT = 1u << 7,
  PINN_NEED_XY = 1u << 8, PINN_NEED_XZ = 1u << 9, PINN_NEED_XT = 1u << 10,
  PINN_NEED_YZ = 1u << 11, PINN_NEED_YT = 1u << 12, PINN_NEED_ZT = 1u << 13
};
/* The space gradient and the Laplacian (restricted to the problem's space
 * dimensions when the term is added). */
#define PINN_NEED_GRAD (PINN_NEED_X | PINN_NEED_Y | PINN_NEED_Z)
#define PINN_NEED_LAPLACIAN (PINN_NEED_XX | PINN_NEED_YY | PINN_NEED_ZZ)

/* A residual: x is the point (dim doubles), u the jets of the n_out
 * outputs, coef the learnable coefficients (pinn_problem_add_coefficient),
 * r the n_res residuals to write. */
typedef int (*pinn_residual_fn)(const double *x, const pinn_jet *u, const pinn_dual *coef,
                                pinn_dual *r, void *ctx);

/* A plain function of the point: writes one value (boundary data g,
 * obstacle psi, initial data, source term). */
typedef int (*pinn_scalar_fn)(const double *x, double *value, void *ctx);

/* A solution: writes the n_out components at x (exact solution). */
typedef int (*pinn_solution_fn)(const double *x, double *u, void *ctx);

/* Selects part of a region (e.g. the boundary x = 0 only): nonzero keeps x. */
typedef int (*pinn_where_fn)(const double *x, void *ctx);

/* Kinds of loss term. */
typedef enum pinn_term_kind {
  PINN_TERM_RESIDUAL = 0,  /* user residual r(x, u) = 0 on the interior */
  PINN_TERM_DIRICHLET,     /* u_k = g on the boundary */
  PINN_TERM_NEUMANN,       /* du_k/dn = g on the boundary (outward normal) */
  PINN_TERM_ROBIN,         /* a u_k + b du_k/dn = g on the boundary */
  PINN_TERM_PERIODIC,      /* u_k (and optionally du_k/dx_axis) equal on opposite faces */
  PINN_TERM_INITIAL,       /* u_k(x, t0) = g(x) */
  PINN_TERM_INITIAL_RATE,  /* du_k/dt(x, t0) = g(x) */
  PINN_TERM_DATA,          /* u_k(x_i) = y_i at given points (observations) */
  PINN_TERM_OBSTACLE,      /* u_k >= psi (or <= psi) by a barrier penalty */
  PINN_TERM_COMPLEMENTARITY,/* min(R(u), u_k - psi) = 0, R the user residual (-Lu - f) */
  PINN_TERM_RESIDUAL_ANY,  /* user residual reading derivatives of any order (add_residual_any) */
  PINN_TERM_BOUNDARY_ANY   /* the same on the boundary (add_boundary_residual_any) */
} pinn_term_kind;

/* 1 when terms of this kind are sampled in the interior (residual, obstacle,
 * complementarity: the terms `--points N` sets), 0 otherwise (boundary,
 * initial and data terms, an invalid kind). */
int pinn_term_kind_is_interior(pinn_term_kind kind);

/* Barrier shapes for obstacle terms (gap = psi - u_k for u_k >= psi):
 *   RELU2      rho * mean(ReLU(gap)^2)        smooth, leaves a violation ~ lambda/rho
 *   RELU       rho * mean(ReLU(gap))          exact once rho > lambda (the multiplier)
 *   LEAKY      rho * mean(Leaky_a(gap))       pushes everywhere (a spurious body force)
 *   SOFTPLUS   rho * mean(softplus_beta(gap)) smooth, offset ~ ln(lambda/(rho-lambda))/beta
 */
typedef enum pinn_barrier_kind {
  PINN_BARRIER_RELU2 = 0,
  PINN_BARRIER_RELU,
  PINN_BARRIER_LEAKY,
  PINN_BARRIER_SOFTPLUS
} pinn_barrier_kind;

/* A barrier: kind, penalty rho, shape parameter (Leaky slope a, Softplus
 * beta), and continuation: rho <- min(rho * growth, rho_max) at each call of
 * pinn_loss_continue.  growth 1 keeps rho fixed at any size (rho_max is then
 * ignored); growth > 1 needs rho_max >= rho. */
typedef struct pinn_barrier {
  pinn_barrier_kind kind;
  double rho;
  double param;
  double growth;
  double rho_max;
} pinn_barrier;

/* Default barrier: RELU2, rho = 1000, no continuation. */
pinn_barrier pinn_barrier_default(void);
/* Name ("relu2", "relu", "leaky", "softplus") and parser ("softplus:50"). */
const char *pinn_barrier_name(pinn_barrier_kind kind);
int pinn_barrier_parse(const char *text, pinn_barrier *out, pinn_error *err);

typedef struct pinn_problem pinn_problem;

/* A problem with d space dimensions (1..8, PINN_DOMAIN_MAX_DIM), time or
 * not, and n_out outputs.  Beyond 3 dimensions add_residual reads u, u_t
 * and u_tt only and Neumann, Robin, C^1 periodic terms and reference grids
 * are refused (each says what to use instead); the output grid is the 3-D
 * slice through the middle of axes 3 and up.  The domain is set with
 * pinn_problem_set_domain.  NULL on failure. */
pinn_problem *pinn_problem_alloc(const char *name, size_t d, int has_time, size_t n_out,
                                 pinn_error *err);
/* Free; NULL is a no-op. */
void pinn_problem_free(pinn_problem *p);
/* Setup errors are sticky: the setters and adders below (set_*, add_*)
 * return a status as usual, and the first one that fails is also recorded
 * on the problem, its message naming the call ("set_points(term 0): term
 * 'pde': point count must be 1 to 1e8, got 1000000000").  pinn_loss_alloc
 * (hence pinn_solve and the pinn CLI) refuses a problem with a recorded
 * setup error, so a create function that ignores a status never trains a
 * problem other than the one it described.  Later calls still work. */
/* Status of the first failed setup call (0 when none failed), and its
 * message ("" when none failed). */
int pinn_problem_status(const pinn_problem *p);
const char *pinn_problem_setup_errmsg(const pinn_problem *p);
/* Message of the last failure on this handle: right after a call that
 * failed, that call's; after a setup call that succeeded, the first failed
 * setup call's (or "" when none failed). */
const char *pinn_problem_errmsg(const pinn_problem *p);

/* Metadata. */
int pinn_problem_set_description(pinn_problem *p, const char *text);
const char *pinn_problem_name(const pinn_problem *p);
const char *pinn_problem_description(const pinn_problem *p);
/* Output names, comma-separated ("u,v,p"); default "u" or "u0,u1,...". */
int pinn_problem_set_output_names(pinn_problem *p, const char *names);
const char *pinn_problem_output_name(const pinn_problem *p, size_t k);

/* The domain: its space dimension and time flag must match the problem's. */
int pinn_problem_set_domain(pinn_problem *p, const pinn_domain *dom);
const pinn_domain *pinn_problem_domain(const pinn_problem *p);
size_t pinn_problem_space_dim(const pinn_problem *p);
int pinn_problem_has_time(const pinn_problem *p);
size_t pinn_problem_dim(const pinn_problem *p);     /* d + has_time */
/* Name of input i: "x", "y", "z" (space; "x0" .. "x7" beyond 3 space
 * dimensions), "t" (time, last); NULL past the end. */
const char *pinn_problem_input_name(const pinn_problem *p, size_t i);
size_t pinn_problem_n_out(const pinn_problem *p);

/* A learnable PDE coefficient (inverse problems) with its initial value;
 * *index (if not NULL) receives its position in the residuals' coef array. */
int pinn_problem_add_coefficient(pinn_problem *p, const char *name, double initial, size_t *index);
size_t pinn_problem_n_coefs(const pinn_problem *p);
const char *pinn_problem_coef_name(const pinn_problem *p, size_t j);
double pinn_problem_coef_initial(const pinn_problem *p, size_t j);
/* Train coefficient j as theta = c / scale (default scale 1): the optimizer
 * sees theta, the residuals, pinn_loss_coef and the output files see c.
 * Choose scale near c's expected magnitude when it is far from 1, so that
 * its gradient is comparable to the network weights' (Raissi's Burgers
 * viscosity 0.01/pi ~ 0.003 is found to 1% with scale 0.01, and stays 15%
 * off without).  PINN_EINVAL for a bad index or a scale that is not finite
 * and > 0.  pinn_problem_coef_scale returns it (NaN for a bad index). */
int pinn_problem_set_coefficient_scale(pinn_problem *p, size_t j, double scale);
double pinn_problem_coef_scale(const pinn_problem *p, size_t j);

/* ---- terms.  Each add returns a status; the new term's index is
 * pinn_problem_n_terms(p) - 1.  Names must be unique, [A-Za-z0-9_]+. */

/* Residual r(x, u, coef) = 0 on the interior: n_res components (1..8),
 * `needs` the PINN_NEED_* flags of the derivatives fn reads. */
int pinn_problem_add_residual(pinn_problem *p, const char *name, size_t n_res,
                              pinn_residual_fn fn, unsigned needs, void *ctx);
/* Residual r(x, d, coef) = 0 on the interior reading derivatives of any
 * order up to 8 (fourth-order beams and plates, third-order KdV), computed
 * exactly by the Taylor engine (pinn/taylor.h).  `derivs` lists them,
 * comma-separated, each named by the coordinates it differentiates by
 * ("xxxx", "xxyy", "t", "xxx"), or "lap" / "lap2" for the space Laplacian /
 * biharmonic (carried as one collapsed sum: cheaper than its terms); at
 * most 15.  fn receives, for output k, d[k * (1 + nd)] = u_k and
 * d[k * (1 + nd) + 1 + j] = derivative j, as duals, so KdV u_t + 6 u u_x +
 * u_xxx = 0 with derivs "t,x,xxx" is
 *   r[0] = pd_add(pd_add(d[1], pd_scale(pd_mul(d[0], d[2]), 6.0)), d[3]);
 * Outputs times (1 + nd), plus the coefficients, must fit PINN_DUAL_MAX.  An
 * output transform (hard constraints) acts on these derivatives too when it
 * is given in series form (pinn_transform_dirichlet_series,
 * pinn_transform_obstacle_series; pinn/tseries.h): it is composed with the
 * Taylor jets of every order; an xjet-form transform is refused with the
 * reason when the loss is built.  Every trainer (Levenberg-Marquardt too: its
 * least-squares rows and Jacobian come through the Taylor engine,
 * pinn/lsq.h), teams (MPI), output residual fields and refinement take it as
 * any residual. */
typedef int (*pinn_residual_any_fn)(const double *x, const pinn_dual *d, const pinn_dual *coef,
                                    pinn_dual *r, void *ctx);
int pinn_problem_add_residual_any(pinn_problem *p, const char *name, size_t n_res,
                                  pinn_residual_any_fn fn, const char *derivs, void *ctx);
/* The same condition on the boundary (every part, or those chosen with
 * pinn_problem_set_parts): boundary conditions of any order, such as a
 * simply supported plate's w_nn = 0 (written as "lap" on a straight edge
 * where w = 0) or a beam's free end u_xx = u_xxx = 0. */
int pinn_problem_add_boundary_residual_any(pinn_problem *p, const char *name, size_t n_res,
                                           pinn_residual_any_fn fn, const char *derivs,
                                           void *ctx);
/* u_k = g on the boundary (g NULL means 0). */
int pinn_problem_add_dirichlet(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                               void *ctx);
/* du_k/dn = g on the boundary (outward normal; g NULL means 0). */
int pinn_problem_add_neumann(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                             void *ctx);
/* a u_k + b du_k/dn = g on the boundary. */
int pinn_problem_add_robin(pinn_problem *p, const char *name, size_t k, double a, double b,
                           pinn_scalar_fn g, void *ctx);
/* u_k(x with x_axis = lo) = u_k(x with x_axis = hi); with derivative = 1
 * also du_k/dx_axis equal (C^1 periodicity). Box domains. */
int pinn_problem_add_periodic(pinn_problem *p, const char *name, size_t k, size_t axis,
                              int derivative);
/* u_k(x, t0) = g(x) (time-dependent problems). */
int pinn_problem_add_initial(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                             void *ctx);
/* du_k/dt(x, t0) = g(x) (g NULL means 0). */
int pinn_problem_add_initial_rate(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                                  void *ctx);
/* Observations u_k(x_i) = y_i, i < n (x: n x dim, copied). */
int pinn_problem_add_data(pinn_problem *p, const char *name, size_t k, size_t n, const double *x,
                          const double *y);
/* u_k >= psi (sense = +1) or u_k <= psi (sense = -1) on the interior, by the
 * barrier b. */
int pinn_problem_add_obstacle(pinn_problem *p, const char *name, size_t k, pinn_sense sense,
                              pinn_scalar_fn psi, void *ctx, const pinn_barrier *b);
/* Complementarity for the obstacle problem -Lu = f, u >= psi: fn's first
 * residual is R = -Lu - f; the conditions R >= 0, u_k - psi >= 0,
 * R (u_k - psi) = 0 are the single equation m = min(R, u_k - psi) = 0,
 * m = (u_k - psi) - ReLU(u_k - psi - R); the term is mean(m^2).  Use it
 * INSTEAD of a residual term for R on the interior.  The obstacle is a lower
 * one; pinn_problem_set_sense(p, i, -1) makes it an upper one, u_k <= psi. */
int pinn_problem_add_complementarity(pinn_problem *p, const char *name, size_t k,
                                     pinn_residual_fn fn, unsigned needs, void *ctx,
                                     pinn_scalar_fn psi, void *psi_ctx);

/* Sense of obstacle or complementarity term i: +1 for a lower obstacle
 * u_k >= psi, -1 for an upper one u_k <= psi.  Every method follows it:
 *   barriers       gap = sense (psi - u_k), L = rho mean phi(gap);
 *   complementarity with R = -Lu - f written as for a lower obstacle,
 *                  m = min(sense R, sense (u_k - psi)): for u_k <= psi the
 *                  constraint is psi - u_k >= 0 and the multiplier is
 *                  -R = Lu + f >= 0 (the lower problem for w = -u_k, whose
 *                  residual is -Lw - (-f) = -R, obstacle -psi);
 *   output         the contact field and its multiplier (pinn/output.h).
 * (The hard constraint has its own sense, pinn_transform_obstacle_upper.)
 * PINN_EINVAL for another kind of term or a sense other than +1 / -1. */
int pinn_problem_set_sense(pinn_problem *p, size_t i, pinn_sense sense);
/* The sense of term i (+1 or -1), 0 when it is not an obstacle or
 * complementarity term. */
int pinn_problem_term_sense(const pinn_problem *p, size_t i);

/* ---- an obstacle problem stated once
 *
 * -L u = f with u_k >= psi (or u_k <= psi), imposed in one of three ways
 * (see DESIGN.md and README "Obstacle problems"):
 *   a pinn_barrier_kind   the energy form: the energy density E(x, u) whose
 *                         integral the solution minimises, as residuals
 *                         with |r|^2 = E (term "energy"), plus the barrier
 *                         rho phi(gap) (term "obstacle"): the penalty method
 *                         for the variational inequality.  (A strong
 *                         residual plus a barrier is not the obstacle
 *                         problem: it minimises the integral of (Lu + f)^2.)
 *   PINN_OBSTACLE_COMPLEMENTARITY
 *                         min(R, u_k - psi) = 0 with R = -Lu - f (term "pde",
 *                         pinn_problem_add_complementarity);
 *   PINN_OBSTACLE_BOTH    the complementarity plus a relu2 barrier (terms
 *                         "pde" and "obstacle").
 * The problem states its formulation with pinn_problem_set_obstacle; its
 * caller (the pinn CLI's --barrier / --penalty, pinn_solve's
 * obstacle_method / penalty) may switch it with
 * pinn_problem_set_obstacle_method. */
enum {
  PINN_OBSTACLE_DEFAULT = -1,          /* the problem's own choice (spec.method) */
  PINN_OBSTACLE_COMPLEMENTARITY = 100, /* the complementarity term alone */
  PINN_OBSTACLE_BOTH = 101             /* the complementarity and a relu2 barrier */
};

/* What an obstacle problem states once.  The terms are added where
 * pinn_problem_set_obstacle is called (term order decides sampling seeds),
 * each with weight 1 and `points` points. */
typedef struct pinn_obstacle_spec {
  size_t output;              /* the constrained output k (default 0) */
  pinn_sense sense;           /* default PINN_SENSE_LOWER */
  pinn_scalar_fn psi;         /* the obstacle (required) */
  void *psi_ctx;
  /* complementarity: R = -Lu - f, one residual written as for a lower
   * obstacle (the sense flips it); NULL: no complementarity form */
  pinn_residual_fn residual;
  unsigned residual_needs;
  void *residual_ctx;
  /* energy form: n_energy residuals with |r|^2 = the energy density;
   * NULL: no barrier form */
  pinn_residual_fn energy;
  size_t n_energy;
  unsigned energy_needs;
  void *energy_ctx;
  size_t points;              /* training points of each obstacle term (default 1000) */
  int method;                 /* the default: a pinn_barrier_kind, PINN_OBSTACLE_COMPLEMENTARITY
                                 or PINN_OBSTACLE_BOTH (default) */
  double rho;                 /* relu2 barrier rho beside the complementarity (default 1000) */
  double energy_rho;          /* barrier rho of the energy form (default 1000) */
  /* the energy form multiplies the weights of the problem's other terms
   * (its boundary conditions) by this, since the energy has another size
   * than the scaled residual R (default 1: the same weights) */
  double energy_weight_factor;
} pinn_obstacle_spec;

/* The defaults listed above (psi, residual and energy NULL). */
pinn_obstacle_spec pinn_obstacle_spec_default(void);

/* State the problem's obstacle (one per problem) and add the terms of
 * spec->method at the current end of the term list.  The barrier of a
 * barrier term has growth 1 (no continuation), rho_max = rho and the shape
 * parameter of pinn_barrier_parse (leaky 0.01, softplus 50).  PINN_EINVAL
 * for a second call, a missing psi, a sense other than +1 / -1, a method
 * whose residual (or energy) is NULL, a rho or factor that is not finite
 * and > 0. */
int pinn_problem_set_obstacle(pinn_problem *p, const pinn_obstacle_spec *spec);

/* Switch the obstacle formulation after the problem was built: method is a
 * pinn_barrier_kind, PINN_OBSTACLE_COMPLEMENTARITY, PINN_OBSTACLE_BOTH or
 * PINN_OBSTACLE_DEFAULT (the spec's method); penalty > 0 is the barrier's
 * rho, 0 the spec's (rho with the complementarity, energy_rho alone; the
 * complementarity alone has no barrier and ignores it).  The obstacle terms
 * are rebuilt in place (later terms move up or down, keeping their order)
 * with the spec's points and weight 1; going between the energy form and
 * the complementarity forms multiplies (divides) the other terms' weights
 * by energy_weight_factor.  Asking for the formulation already in place
 * changes nothing (so a caller may apply its settings twice), so call it
 * before changing the obstacle terms' points or weights.  PINN_EINVAL with
 * a message saying what to fix when the problem states no obstacle, the
 * method is unknown, the spec has no residual (energy) for it, or the
 * penalty is negative or not finite. */
int pinn_problem_set_obstacle_method(pinn_problem *p, int method, double penalty);
/* The formulation in place (never PINN_OBSTACLE_DEFAULT) and its barrier
 * rho (0 for the complementarity alone); PINN_OBSTACLE_DEFAULT and 0 when
 * the problem states no obstacle. */
int pinn_problem_obstacle_method(const pinn_problem *p);
double pinn_problem_obstacle_penalty(const pinn_problem *p);

/* Term settings (by index). */
size_t pinn_problem_n_terms(const pinn_problem *p);
const char *pinn_problem_term_name(const pinn_problem *p, size_t i);
pinn_term_kind pinn_problem_term_kind(const pinn_problem *p, size_t i);
/* The output component k a condition, data, obstacle or complementarity
 * term constrains (0 for a residual term). */
size_t pinn_problem_term_output(const pinn_problem *p, size_t i);
/* Index of the term with this name, or -1. */
int pinn_problem_find_term(const pinn_problem *p, const char *name);
/* Fixed weight of the term in the total loss (default 1). */
int pinn_problem_set_weight(pinn_problem *p, size_t i, double w);
double pinn_problem_term_weight(const pinn_problem *p, size_t i);
/* Number of training points the term samples (defaults: 1000 interior,
 * 200 boundary / initial / periodic pairs). Not for data terms. */
int pinn_problem_set_points(pinn_problem *p, size_t i, size_t n);
size_t pinn_problem_term_points(const pinn_problem *p, size_t i);
/* Keep only the sampled points where fn is nonzero; the term samples more
 * candidates until it has its count (up to 64x).  For a condition on some
 * boundary parts use pinn_problem_set_parts instead (a filter skews counts:
 * the kept points are not spread by measure); keep `where` for special
 * cases (a part of a face). */
int pinn_problem_set_where(pinn_problem *p, size_t i, pinn_where_fn fn, void *ctx);
/* Most boundary parts one term may name. */
#define PINN_MAX_TERM_PARTS 16
/* Put the points of boundary term i (Dirichlet, Neumann, Robin) on the
 * nparts (1..PINN_MAX_TERM_PARTS) boundary parts named in parts (copied;
 * names of pinn/domain.h "Boundary parts": "x0-", "x1+" on a box, the
 * geometry's part names on a geometry domain), spread over them in
 * proportion to their measure; nparts = 0 restores the whole boundary.
 * PINN_EINVAL for another kind of term, too many or repeated names, and
 * (when the domain is set; pinn_loss_alloc checks again) a name that is not
 * a part of the domain's boundary, with the known parts listed. */
int pinn_problem_set_parts(pinn_problem *p, size_t i, size_t nparts, const char *const *parts);
/* Number of parts term i targets (0: the whole boundary, or not a boundary
 * term) and, when names is not NULL (room for PINN_MAX_TERM_PARTS), their
 * names (borrowed). */
size_t pinn_problem_term_parts(const pinn_problem *p, size_t i, const char **names);
/* Most objects one problem keeps (pinn_problem_keep). */
#define PINN_MAX_KEPT 16
/* Hand an object the problem's callbacks or domain use (the pinn_geom of
 * its domain, an ADF of a transform, a context struct) to the problem:
 * pinn_problem_free calls destroy(obj), in the reverse order of the keep
 * calls (so keep a geometry before the ADFs made from it).  Destructors
 * for libpinn objects: pinn_geom_destroy, pinn_geom_adf_destroy; free for
 * malloc'd memory.  PINN_EINVAL for NULL obj or destroy, more than
 * PINN_MAX_KEPT objects; destroy(obj) is then called at once (when both are
 * given), so an object handed over never leaks. */
int pinn_problem_keep(pinn_problem *p, void *obj, void (*destroy)(void *));
/* The barrier of an obstacle term (to change rho, the shape or continuation). */
int pinn_problem_set_barrier(pinn_problem *p, size_t i, const pinn_barrier *b);
const pinn_barrier *pinn_problem_term_barrier(const pinn_problem *p, size_t i);

/* ---- hard constraints */
/* Output transform of one component (pinn/transform.h), applied inside the
 * jets of every term and to every output: u = g + d N (Dirichlet data exact
 * where d = 0) or u = psi + softplus_beta(N) (u >= psi exactly).  Replaces
 * an earlier transform of the same component.  Terms of any order
 * (pinn_problem_add_residual_any) need it in series form. */
int pinn_problem_set_transform(pinn_problem *p, const pinn_transform *t);
/* Number of transformed components and the i-th transform. */
size_t pinn_problem_n_transforms(const pinn_problem *p);
const pinn_transform *pinn_problem_transform(const pinn_problem *p, size_t i);

/* ---- solutions */
/* Exact solution (used for errors on the output grid). */
int pinn_problem_set_exact(pinn_problem *p, pinn_solution_fn fn, void *ctx);
/* Evaluate the exact solution at n points (x: n x dim) into u (n x n_out);
 * PINN_EINVAL when the problem has none, PINN_ECALLBACK / PINN_ENONFINITE
 * when the callback fails, with err (may be NULL) saying where. */
int pinn_problem_exact(const pinn_problem *p, size_t n, const double *x, double *u,
                       pinn_error *err);
int pinn_problem_has_exact(const pinn_problem *p);
/* Obstacle of the first obstacle/complementarity term at n points (for
 * output: contact sets); PINN_EINVAL when there is none, PINN_ECALLBACK when
 * psi fails, with err (may be NULL) saying why. */
int pinn_problem_obstacle(const pinn_problem *p, size_t n, const double *x, double *psi,
                          pinn_error *err);

/* The contact set of an obstacle problem at n points, from the values of
 * the solution u, the obstacle psi and (optionally) the multiplier lambda
 * of a complementarity term (pinn_loss_multiplier_at; NULL without one):
 *   contact[j] = 1 where gap_j = sense (u_j - psi_j) <= gap_tol and, with
 *                lambda, lambda_j > lambda_tol; else 0; NaN where u_j,
 *                psi_j (or lambda_j) is NaN (points outside a ball);
 *   gap_tol    = 1e-3 max(1, max |psi|) without lambda, 1e-2 max(1, max |psi|)
 *                with it: the gap is small for the scale of the solution
 *                (with the multiplier the gap only guards against points
 *                where the network violates the PDE, and the looser value
 *                keeps a trained network's error, up to ~1e-2, from
 *                punching holes in the contact set);
 *   lambda_tol = a quarter of the median of lambda over the points with
 *                gap <= gap_tol (0 when that median is not positive).
 * Why the multiplier: off contact the PDE holds, so lambda = 0, but the gap
 * vanishes only quadratically at the free boundary (torsion: (r - 1/2)^2),
 * so a gap tolerance alone marks a band of width sqrt(2 gap_tol / gap'')
 * (0.032 for torsion) as contact; on contact lambda is the obstacle's force
 * (of the size of -L psi - f), and a quarter of its typical value separates
 * the two for the exact solution and for any network whose residual error
 * is below that.  A network smooths the jump of lambda at the free boundary
 * (from 0 to its value there, which may be below the median: torsion's
 * multiplier grows from 2 at the free boundary to 3); a level between a
 * quarter and a half of that jump puts the boundary near where the jump
 * is.  (A multiplier that varies by more than 4x over the contact set, or
 * vanishes at the free boundary, loses the points where it is below.)  Without a complementarity term (barrier formulations,
 * whose residual is not the PDE) only the gap is used.  *gap_tol and
 * *lambda_tol (each may be NULL) receive the tolerances.  PINN_EINVAL for a
 * sense other than +1 / -1 or NULL arrays, PINN_ENOMEM. */
int pinn_obstacle_contact(size_t n, const double *u, const double *psi, const double *lambda,
                          pinn_sense sense, double *contact, double *gap_tol, double *lambda_tol,
                          pinn_error *err);

/* Reference solution on a tensor grid (a numerical reference, e.g. Burgers):
 * counts[a] points on axis a (space axes, then time), axes[a] their
 * increasing coordinates, u[p * n_out + k] with point index
 * p = i_0 + m_0 (i_1 + m_1 (...)) (axis 0 fastest, time slowest: the order
 * of pinn_domain_grid).  Copied.  The output grid is then this grid. */
int pinn_problem_set_reference_grid(pinn_problem *p, const size_t *counts,
                                    const double *const *axes, const double *u);
/* 1 and the grid (borrowed pointers; axes gets dim pointers) when the
 * problem has a reference grid, 0 otherwise. */
int pinn_problem_reference_grid(const pinn_problem *p, size_t *counts, const double **axes,
                                const double **u);

/* Reference solution at n scattered points (e.g. the nodes of a
 * finite-element solution): x is n x dim (space coordinates, then time),
 * u is n x n_out; both copied.  Every value must be finite, 1 <= n <=
 * PINN_REFERENCE_MAX_POINTS, and every point inside the domain (set the
 * domain first) up to PINN_REFERENCE_INSIDE_RTOL times the largest side of
 * its bounding box (a node written with a few digits on a curved boundary
 * is kept).  A second call replaces the points.  When a problem has
 * reference points, they give THE error of a solve (pinn_solve_result,
 * the summary line, the progress lines); the output grid keeps its own
 * reference (reference grid or exact solution) and both are written to the
 * result file (pinn/output.h).  PINN_EINVAL naming the first bad point or
 * value, PINN_ENOMEM.  pinn/reference.h reads points from CSV or HDF5. */
#define PINN_REFERENCE_MAX_POINTS ((size_t)50000000)
#define PINN_REFERENCE_INSIDE_RTOL 1e-6
int pinn_problem_set_reference_points(pinn_problem *p, size_t n, const double *x,
                                      const double *u);
/* The number of reference points (0 without), and (borrowed; each may be
 * NULL) the points x (n x dim) and values u (n x n_out). */
size_t pinn_problem_reference_points(const pinn_problem *p, const double **x, const double **u);

/* Output grid: points per axis (space axes, then time), ends included.
 * Default: 201 (1D), 101 x 101 (2D), 41^3 (3D), and 51 time levels. */
int pinn_problem_set_output_grid(pinn_problem *p, const size_t *counts);
void pinn_problem_output_grid(const pinn_problem *p, size_t *counts);

/* Problem-specific figures reported after a solve (contact-set ends,
 * identified coefficients, ...): fn writes up to max metrics and sets *n. */
struct pinn_loss;
#define PINN_MAX_METRICS 16
typedef struct pinn_metric {
  char name[32];
  double value;
} pinn_metric;
typedef int (*pinn_metrics_fn)(struct pinn_loss *l, pinn_metric *out, size_t max, size_t *n,
                               void *ctx);
int pinn_problem_set_metrics(pinn_problem *p, pinn_metrics_fn fn, void *ctx);
/* Evaluate the metrics (0 metrics when none are set); PINN_ECALLBACK with
 * err (may be NULL) filled when the callback fails. */
int pinn_problem_metrics(const pinn_problem *p, struct pinn_loss *l, pinn_metric *out, size_t max,
                         size_t *n, pinn_error *err);

PINN_END_DECLS
#endif
