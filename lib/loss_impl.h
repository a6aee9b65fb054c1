/* libpinn internal — the loss assembler's data structures, shared by
 * lib/loss.c and lib/lsq.c (the least-squares view of a loss).  Not
 * installed. */
#ifndef PINN_LOSS_IMPL_H
#define PINN_LOSS_IMPL_H

#include <stddef.h>
#include <pinn/loss.h>
#include <pinn/team.h>
#include <pinn/transform.h>
#include <pinn/taylor.h>

#include "causal_impl.h"
#include "problem_impl.h"
#include "term_impl.h"

/* Named jet entries: flag, field offset in pinn_jet, inputs (j < 0: first). */
typedef struct {
  unsigned flag;
  size_t off;
  int a, b; /* 0,1,2 = x,y,z; 3 = t */
} entry_def;

static const entry_def pinn_loss_entries_[] = {
    {PINN_NEED_X, offsetof(pinn_jet, x), 0, -1},   {PINN_NEED_Y, offsetof(pinn_jet, y), 1, -1},
    {PINN_NEED_Z, offsetof(pinn_jet, z), 2, -1},   {PINN_NEED_T, offsetof(pinn_jet, t), 3, -1},
    {PINN_NEED_XX, offsetof(pinn_jet, xx), 0, 0},  {PINN_NEED_YY, offsetof(pinn_jet, yy), 1, 1},
    {PINN_NEED_ZZ, offsetof(pinn_jet, zz), 2, 2},  {PINN_NEED_TT, offsetof(pinn_jet, tt), 3, 3},
    {PINN_NEED_XY, offsetof(pinn_jet, xy), 0, 1},  {PINN_NEED_XZ, offsetof(pinn_jet, xz), 0, 2},
    {PINN_NEED_XT, offsetof(pinn_jet, xt), 0, 3},  {PINN_NEED_YZ, offsetof(pinn_jet, yz), 1, 2},
    {PINN_NEED_YT, offsetof(pinn_jet, yt), 1, 3},  {PINN_NEED_ZT, offsetof(pinn_jet, zt), 2, 3},
};
#define N_ENTRIES (sizeof pinn_loss_entries_ / sizeof *pinn_loss_entries_)
#define entries pinn_loss_entries_

typedef struct {
  pinn_term_def def;      /* copy of the problem's definition */
  const pinn_term_ops_ *ops; /* its kind (lib/term.c) */
  pinn_jet_spec spec;
  size_t C;
  int chan[N_ENTRIES];    /* channel of each named entry, -1 if not carried */
  int first_ch[4];        /* channel of d/dx, d/dy, d/dz, d/dt (-1 if absent) */
  size_t n;               /* rows of the term (periodic: 2 x pairs) */
  /* The rows this process holds: [lo, lo + nh) (all n without a sharing
   * team; a rank's share of the reduction tree's leaves with one).  x, g,
   * normals and tcoef hold these rows only (row i of the term at i - lo). */
  size_t lo, nh;
  double *x;              /* nh x dim */
  double *g;              /* nh: g / psi / observations (NULL: zero) */
  double *normals;        /* nh x d (Neumann, Robin) */
  double *xall, *nall;    /* every row's coordinates and normals, gathered
                             from the team (pinn_loss_gather_points) */
  pinn_sampler *sampler;
  pinn_region region;
  double *tcoef[PINN_MAX_OUTPUTS]; /* per problem transform: nh x coef_size (NULL: none) */
  /* data terms: the training observations (x, y; n_obs of them, what
   * x and g hold) and the held-out ones (pinn_loss_options.validation) */
  size_t n_obs, n_val;
  double *obs_x, *obs_y, *val_x, *val_y;
  /* residual of any order: its Taylor plan (quantity 0 the value, then the
   * term's derivatives; nq1 of them per output); NULL for every other kind */
  pinn_taylor *tay;
  size_t nq1;
  double rho;             /* obstacle: current penalty */
  double w;               /* the weight in the loss: def.weight unless
                             pinn_loss_set_term_weight changed it */
  double last;            /* L_t at the last evaluation */
  /* first failure seen by the seed callback (lowest point index) */
  pinn_error fail;
  size_t fail_point;
} term_state;

struct pinn_loss {
  const pinn_problem *p;
  pinn_mlp *net;
  pinn_loss_options opt;
  size_t dim, d, m, n_coef, n_net;
  int has_time;
  double coef[PINN_MAX_COEFS];
  double coef_scale[PINN_MAX_COEFS]; /* coef_j = coef_theta_j * coef_scale_j */
  double coef_theta[PINN_MAX_COEFS]; /* the trained parameters of the coefficients */
  size_t n_terms;
  term_state *terms;
  size_t n_tr;                            /* output transforms (hard constraints) */
  pinn_transform tr[PINN_MAX_OUTPUTS];
  size_t n_evals;
  int last_status;
  double *last_theta, *last_terms; /* the last successful evaluation */
  int have_last;
  int has_team;   /* pinn_loss_set_team */
  int sharded;    /* a team of several ranks: each holds its share of the points */
  pinn_team team;
  pinn_causal_state_ *causal; /* causal weights (lib/causal.c); NULL: none */
  pinn_error err;
};


/* The values per output that a term's seeds address (seed index k W + c
 * for output k, then one per coefficient): the jet's channels C, or the
 * Taylor quantities nq1 of a residual of any order (vals[(k Q + j) ld + q]
 * of pinn_taylor_seed_fn: the same layout with W = Q). */
static inline size_t pinn_loss_width_(const term_state *t) { return t->tay ? t->nq1 : t->C; }

/* Evaluating a residual term's user callback on a block of jets (or, for a
 * residual of any order, of Taylor quantities): begin seeds the dual
 * tangents (index k*W + c for output k, W = pinn_loss_width_, then one per
 * coefficient), point fills the values of point q of the block and calls
 * the callback (applying the complementarity map with obstacle value psi),
 * checks the results are finite, and records a failure on the term.  The
 * gradient pass (lib/loss.c) and the least-squares rows (lib/lsq.c) both
 * evaluate residuals through these. */
typedef struct {
  const pinn_loss *l;
  pinn_jet u[PINN_MAX_OUTPUTS];
  pinn_dual any[PINN_DUAL_MAX]; /* a residual of any order: its quantities */
  pinn_dual coef[PINN_MAX_COEFS];
  pinn_dual *slot[PINN_MAX_OUTPUTS * (N_ENTRIES + 1)];
  size_t slot_ch[PINN_MAX_OUTPUTS * (N_ENTRIES + 1)];
  size_t ns;
} pinn_res_eval_;
void pinn_loss_res_begin_(const pinn_loss *l, const term_state *t, pinn_res_eval_ *e);
int pinn_loss_res_point_(term_state *t, pinn_res_eval_ *e, const double *J, size_t ld, size_t q,
                         size_t pt, const double *x, double psi, pinn_dual *r, size_t *nr);
/* Remember e as the failure of a pass at point `point` unless one at a
 * lower point is known (so the message does not depend on the threads);
 * thread-safe.  Returns e->code. */
int pinn_loss_record_failure_(term_state *t, size_t point, const pinn_error *e);
/* The status of a failed pass of term t, its message on the loss: the
 * recorded failure, or else the network's message. */
int pinn_loss_pass_failed_(pinn_loss *l, const term_state *t, int st);
/* st of a Taylor engine pass of term t (a residual of any order); when it
 * failed with no failure recorded at a point, records the engine's message
 * (for pinn_loss_pass_failed_).  Returns st. */
int pinn_loss_taylor_failed_(term_state *t, int st);
/* Failure messages name the term, the point by its coordinates and what
 * failed.  point_text writes "x=0.5, t=0.25"; error_at writes "term 'NAME'
 * at x=..: WHAT" into e (to record, or the loss's own err).  data_fn_at
 * evaluates the term's data function g (or psi) at x and checks the value. */
void pinn_loss_point_text_(const pinn_loss *l, const double *x, char *buf, size_t n);
int pinn_loss_error_at_(pinn_error *e, const pinn_loss *l, const term_state *t, int status,
                        const double *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
int pinn_loss_data_fn_at_(pinn_loss *l, const term_state *t, const double *x, double *v);
/* A condition term's block (jets U with leading dimension ld, nb points from
 * global index pt0; x and g the pass's points and data values) gave a
 * non-finite value: records the first point whose jet entry or data value
 * is not finite (or where the value overflows) and returns PINN_ENONFINITE. */
int pinn_loss_condition_failure_(const pinn_loss *l, term_state *t, const double *U, size_t ld,
                                 size_t nb, size_t pt0, const double *x, const double *g);
/* A block of term t's pass (jets U with leading dimension ld, nb points;
 * g and nrm the block's data values and normals) as its kind reads it. */
/* On a team of several ranks: share = 0 gathers every term's rows onto
 * every rank (collective; for phases that need all of them: the
 * least-squares Jacobian), share = 1 keeps only this rank's share again.
 * Nothing to do without a team or when already so. */
int pinn_loss_share_points_(pinn_loss *l, int share);
/* Free the copies made by pinn_loss_gather_points. */
void pinn_loss_release_points_(pinn_loss *l);
pinn_term_block_ pinn_loss_block_(const pinn_loss *l, const term_state *t, const double *U,
                                  size_t ld, size_t nb, const double *g, const double *nrm);
#endif
