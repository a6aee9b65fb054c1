/* libpinn internal — a problem's term definitions, as the loss assembler
 * (lib/loss.c, lib/lsq.c, lib/term.c) reads them.  Users read them through
 * the accessors of pinn/problem.h.  Not installed. */
#ifndef PINN_PROBLEM_IMPL_H
#define PINN_PROBLEM_IMPL_H

#include <stddef.h>
#include <pinn/problem.h>
#include <pinn/taylor.h>

/* Name of input i of a problem with d space dimensions: x, y, z when
 * d <= 3, x0 .. x7 beyond; t (time, last) for i == d when has_time; NULL
 * past the end.  The one naming rule of problems, model files and output. */
const char *pinn_input_name_(size_t d, int has_time, size_t i);

/* Most derivatives one PINN_TERM_RESIDUAL_ANY term reads. */
#define PINN_MAX_DERIVS 15

typedef struct pinn_term_def {
  pinn_term_kind kind;
  char name[64];
  size_t k;               /* output component */
  size_t n_res;           /* residual: components */
  pinn_residual_fn res;   /* residual / complementarity */
  unsigned needs;
  void *ctx;
  pinn_scalar_fn g;       /* data function (g, psi) */
  void *g_ctx;
  double a, b;            /* Robin coefficients */
  size_t axis;            /* periodic */
  int derivative;         /* periodic C^1 */
  pinn_sense sense;       /* obstacle, complementarity */
  pinn_barrier barrier;   /* obstacle */
  double weight;
  size_t n_points;
  pinn_where_fn where;
  void *where_ctx;
  size_t n_parts;         /* boundary terms: the parts targeted (0: all) */
  char parts[PINN_MAX_TERM_PARTS][64];
  size_t n_data;          /* data term */
  double *data_x, *data_y;
  /* residual of any order (PINN_TERM_RESIDUAL_ANY): its callback and the
   * derivatives it reads, by name and as Taylor quantities */
  pinn_residual_any_fn res_any;
  size_t n_derivs;
  char deriv_names[PINN_MAX_DERIVS][24];
  pinn_partial deriv_p[PINN_MAX_DERIVS];     /* the partial, by input index */
  int deriv_lap[PINN_MAX_DERIVS];            /* 0, or the Laplacian's power (lap, lap2) */
} pinn_term_def;

/* Term i's definition (NULL past the end); borrowed. */
const pinn_term_def *pinn_problem_term_(const pinn_problem *p, size_t i);

#endif
