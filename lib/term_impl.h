/* libpinn internal — one definition per kind of loss term.
 *
 * Each kind (pinn_term_kind) is one entry of the table in lib/term.c: where
 * its points live, which derivatives it reads, how many residual
 * components a point has, and its two formulas,
 *   residual   the block's (transformed) jets U -> r (the components of
 *              every point),
 *   seed       f * dr_i/dU at one point -> jets_bar (f = dL/dr_i: 2 w r / N
 *              for the loss, sqrt(w / N) for a least-squares row).
 * The loss (lib/loss.c: L = mean r^2, or rho mean phi(r) for a barrier), the
 * least-squares rows and Jacobian (lib/lsq.c) and, through them, the output
 * fields (lib/output.c) all go through this table, so a new kind is one
 * entry here plus its adder in lib/problem.c.
 *
 * Kinds whose residual is the user's callback in dual numbers (residual,
 * complementarity: `dual`) are evaluated by pinn_loss_res_point_
 * (lib/loss.c); their seed is f times the dual's tangent, and `dual_map`
 * turns the callback's result into the kind's residual (complementarity:
 * min(lambda, u - psi)).  Not installed. */
#ifndef PINN_TERM_IMPL_H
#define PINN_TERM_IMPL_H

#include <stddef.h>
#include <pinn/domain.h>
#include <pinn/dual.h>

#include "problem_impl.h"

/* Most residual components per point of a kind that is not `dual`. */
#define PINN_TERM_MAX_ROWS_ 2

/* One block of a pass as a kind reads it: jets U[(k C + c) ld + q] of nb
 * points q, the data value g[q] (g, psi or observation) and the outward
 * normal nrm[q d ..] of each (NULL where the kind has none). */
typedef struct pinn_term_block_ {
  const pinn_term_def *def;
  const int *first_ch;   /* jet channel of d/dx, d/dy, d/dz, d/dt (-1: not carried) */
  size_t C, d;           /* channels per output, space dimensions */
  const double *U;
  size_t ld, nb;
  const double *g, *nrm;
} pinn_term_block_;

typedef struct pinn_term_ops_ {
  pinn_region region;       /* where its points are sampled */
  size_t default_points;    /* pinn_problem_set_points' default */
  const char *data_name;    /* its data function in messages ("boundary data g"); NULL: none */
  int dual;                 /* the residual is the user's callback in duals */
  int paired;               /* points come in pairs lo, hi; the residual is r(lo) - r(hi) */
  int barrier;              /* L = rho mean phi(r) (pinn_term_barrier_phi_), not mean r^2 */
  int given;                /* its points are the problem's (data): never sampled */
  int obstacle;             /* it has an obstacle psi (its data function) and a sense */
  /* derivatives it reads (PINN_NEED_*), d space dimensions */
  unsigned (*needs)(const pinn_term_def *def, size_t d);
  /* residual components per point */
  size_t (*rows)(const pinn_term_def *def);
  /* not dual: r[q * rows + i] for every point q of the block */
  void (*residual)(const pinn_term_block_ *b, double *r);
  /* not dual: f * dr_i/dU_e of point q written (=) into out[e * stride] */
  void (*seed)(const pinn_term_block_ *b, size_t q, size_t i, double f, double *out,
               size_t stride);
  /* dual: the callback's residuals r (*nr of them) -> the kind's, given
   * the jet u of the constrained output and the data value psi */
  void (*dual_map)(const pinn_term_def *def, const pinn_dual *u, double psi, pinn_dual *r,
                   size_t *nr);
  const char *dual_map_name; /* what dual_map computes, in messages */
} pinn_term_ops_;

/* The definition of a kind (a valid pinn_term_kind). */
const pinn_term_ops_ *pinn_term_ops_of_(pinn_term_kind kind);

/* Barrier shape phi(gap) and its derivative (pinn/problem.h). */
double pinn_term_barrier_phi_(const pinn_barrier *b, double gap, double *dphi);

#endif
