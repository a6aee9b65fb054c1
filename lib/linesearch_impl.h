/* libpinn internal — the line search of a quasi-Newton step on a GSL fdf
 * function (lib/linesearch.c), what lib/qn.c runs for every minimizer type.
 * Not installed. */
#ifndef PINN_LINESEARCH_IMPL_H
#define PINN_LINESEARCH_IMPL_H
#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/linesearch.h>

/* The caller owns four vectors of the problem's size and keeps this struct
 * for the life of its minimizer; the search swaps the pointers among them,
 * so the lowest trial is kept without a copy and never evaluated twice. */
typedef struct pinn_linesearch_fdf {
  gsl_vector *xt, *gt; /* trial point and gradient being evaluated */
  gsl_vector *xb, *gb; /* lowest-f trial of the current search */
  double fb;           /* its f (starts at f(x)) */
  int last_is_best;    /* the newest trial is the one in (xb, gb) */
  size_t evals;        /* evaluations of the last search */
  size_t nonfinite;    /* of them, those with a NaN/Inf f or slope */
} pinn_linesearch_fdf;

/* The point a search settled on: vectors of the pinn_linesearch_fdf, valid
 * until its next search. */
typedef struct pinn_linesearch_point {
  const gsl_vector *x, *g;
  double f, alpha; /* f there, and its step along p */
} pinn_linesearch_point;

/* Search along p from (x, f), slope dphi0 = g(x).p < 0, first step alpha0,
 * curvature constant gtol (the other options: the defaults).  Returns 1 when
 * a point with f below the current one was found, and fills *acc: the Wolfe
 * point if the search converged, else the lowest trial.  Returns 0 when
 * nothing lower was found.  *res tells how the search ended. */
int pinn_linesearch_fdf_run(pinn_linesearch_fdf *w, gsl_multimin_function_fdf *fdf,
                            const gsl_vector *x, const gsl_vector *p, double f, double dphi0,
                            double alpha0, double gtol, pinn_linesearch_result *res,
                            pinn_linesearch_point *acc);
#endif
