/* libpinn internal — the quasi-Newton driver (lib/qn.c) that the GSL multimin
 * types of lib/lbfgs.c (L-BFGS) and lib/ssqn.c (SSBFGS, SSBroyden) share:
 * set, iterate (direction, descent test, line search, restart along -g,
 * accept), restart, the counters, the error message, the checkpoint header
 * and the calls of <pinn/qn.h>.  A method keeps only what is its own, as
 * GSL's conjugate_fr.c and vector_bfgs2.c do: how it computes p = -H g, how
 * it stores a step, and what it forgets on a restart.  Not installed. */
#ifndef PINN_QN_IMPL_H
#define PINN_QN_IMPL_H
#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/qn.h>
#include "linesearch_impl.h"

typedef struct pinn_qn_state pinn_qn_state;

/* What a method adds to the driver (one static table per GSL type). */
typedef struct pinn_qn_method {
  const char *name;     /* "L-BFGS", "SSBFGS", "SSBroyden": in messages */
  const char *family;   /* names of the types that share one state format */
  const char *clearing; /* "clearing the memory": what a restart does, in messages */
  const char *clears;   /* "clears the memory": the same, said of set() */
  /* p = -H g into st->p; returns 0 without writing p when the memory is
   * empty (the driver then steps along -g). */
  int (*direction)(pinn_qn_state *st, const gsl_vector *g);
  /* Forget the memory (set(), restarts, resets). */
  void (*forget)(pinn_qn_state *st);
  /* Called by set() before fdf is evaluated; may refuse with a message (NULL: nothing). */
  int (*prepare)(pinn_qn_state *st);
  /* The step dx = acc->x - x from (x, g) was accepted: update the memory
   * (counting skipped updates) and return |dx|. */
  double (*update)(pinn_qn_state *st, const pinn_linesearch_point *acc, const gsl_vector *g,
                   const gsl_vector *dx);
  /* Fill the method's own fields of the counters. */
  void (*stats)(const pinn_qn_state *st, pinn_qn_statistics *stats);
  /* Checkpoints.  The number of doubles the state has now; writing the
   * method's slots of the header and its data after it; reading them (after
   * the driver checked the shared slots): check everything first, leave the
   * state unchanged on failure (PINN_EFORMAT, GSL_ENOMEM with the message). */
  size_t (*state_size)(const pinn_qn_state *st);
  void (*save)(const pinn_qn_state *st, double *buf);
  int (*load)(pinn_qn_state *st, const double *buf, size_t len);
  /* Checkpoint header: magic number, slots of n, skipped, nonfinite, and its length. */
  double magic;
  size_t h_n, h_skipped, h_nonfinite, h_len;
} pinn_qn_method;

enum { PINN_QN_MAX_VECTORS = 8 };

/* The state every method's state starts with (GSL mallocs it once, so the
 * views into work stay valid). */
struct pinn_qn_state {
  const pinn_qn_method *method;
  size_t n;
  double *work;                /* (5 + extra) n doubles behind the views */
  gsl_vector_view views[PINN_QN_MAX_VECTORS]; /* p, the search's four vectors, the method's */
  gsl_vector *p;               /* search direction */
  pinn_linesearch_fdf ls;      /* the line search's trial and best vectors */
  double step_size;            /* first step length, from set() */
  double gtol;                 /* line-search curvature constant, from set()'s tol */
  int is_set;                  /* a set() succeeded */
  pinn_qn_statistics stats;
  pinn_error err;              /* the last failure (errmsg); written by pinn_error_set */
};

/* Fill the state for n variables and `extra` (<= 3) more work vectors, the
 * method's: views[5 + k].  GSL_EINVAL for n = 0 or a size overflow, GSL_ENOMEM. */
int pinn_qn_alloc(pinn_qn_state *st, const pinn_qn_method *method, size_t n, size_t extra);
void pinn_qn_free(pinn_qn_state *st);

/* The set, iterate and restart hooks of a gsl_multimin_fdfminimizer_type. */
int pinn_qn_set(void *vstate, gsl_multimin_function_fdf *fdf, const gsl_vector *x, double *f,
                gsl_vector *gradient, double step_size, double tol);
int pinn_qn_iterate(void *vstate, gsl_multimin_function_fdf *fdf, gsl_vector *x, double *f,
                    gsl_vector *gradient, gsl_vector *dx);
int pinn_qn_restart(void *vstate);

/* Slots of the checkpoint header that every method shares (format 1); the
 * method's own slots are 2-4 and from 12 on. */
enum {
  PINN_QN_H_MAGIC, PINN_QN_H_VERSION, PINN_QN_H_LAST_STEP = 5, PINN_QN_H_LAST_ALPHA,
  PINN_QN_H_LS_REASON, PINN_QN_H_ITERATIONS, PINN_QN_H_FDF_EVALS, PINN_QN_H_LS_EVALS,
  PINN_QN_H_RESTARTS
};

/* A nonnegative whole number that fits a size_t. */
int pinn_qn_is_count(double v);

#endif
