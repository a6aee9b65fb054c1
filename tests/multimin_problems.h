/* Classic test functions for the multimin types and a driver that runs a
 * table of them, in the manner of GSL's multimin/test.c and test_funcs.c:
 * one table, every minimizer type run against it (tests/test_lbfgs.c,
 * tests/test_ssqn.c).  Test support, not a test of its own. */
#ifndef PINN_MULTIMIN_PROBLEMS_H
#define PINN_MULTIMIN_PROBLEMS_H
#include <stddef.h>
#include <gsl/gsl_multimin.h>
#include <pinn/qn.h>

/* f at x (n variables), and the gradient into g when g != NULL. */
typedef double (*mm_fn)(const double *x, double *g, size_t n);

double mm_rosenbrock(const double *x, double *g, size_t n);       /* extended, n even */
double mm_illcond_quadratic(const double *x, double *g, size_t n); /* condition number 1e6 */
double mm_sphere(const double *x, double *g, size_t n);           /* 0.5 |x - (3, 4)|^2, n = 2 */
double mm_wrong_gradient(const double *x, double *g, size_t n);   /* |x|^2, gradient sign flipped */
void mm_x0_rosenbrock(double *x, size_t n);                       /* (-1.2, 1, -1.2, 1, ...) */

/* One row of the table. */
typedef struct mm_problem {
  const char *name;
  mm_fn fn;
  size_t n;                          /* 0: the caller's size (extended Rosenbrock) */
  void (*x0)(double *x, size_t n);   /* starting point */
  void (*xmin)(double *x, size_t n); /* the minimizer */
  double fmin;                       /* f there */
  double gtol;                       /* stop when |g| < gtol */
  double xtol;                       /* required max |x - x*| at the end */
  double ftol;                       /* required f - f* at the end */
  size_t max_evals;                  /* L-BFGS converges within this many evaluations */
  int beats_bfgs2;                   /* L-BFGS needs fewer evaluations than vector_bfgs2 */
} mm_problem;

extern const mm_problem mm_problems[];
extern const size_t mm_nproblems;

/* GSL function wrappers that count calls, with f = NaN where |x| > nan_radius
 * (0: nowhere).  make_fdf resets the counts. */
typedef struct mm_counted {
  mm_fn fn;
  size_t nf, ndf, nfdf; /* calls of f, df, fdf */
  double nan_radius;
} mm_counted;
gsl_multimin_function_fdf mm_make_fdf(mm_counted *c, mm_fn fn, size_t n);

/* The outcome of one run. */
typedef struct mm_result {
  size_t iterations; /* iterate() calls that returned GSL_SUCCESS */
  size_t fevals;     /* evaluations of f (f or fdf calls) */
  size_t gevals;     /* evaluations of the gradient (df or fdf calls) */
  int converged;     /* |g| < gtol reached */
  int last_status;   /* status of set() or of the last iterate() */
  double f, xerr;    /* final f and max |x - x*| */
  double gnorm;      /* final |g| */
} mm_result;

/* Minimize pb (n variables when pb->n = 0) with type T from x0, step_size
 * 0.1 |x0| (1 when x0 = 0, as GSL's test.c), the line-search tol, until
 * |g| < gtol or max_iter iterations.  For libpinn's types it asserts that
 * every success lowered f and that the statistics agree with the counts. */
mm_result mm_minimize(const gsl_multimin_fdfminimizer_type *T, const mm_problem *pb, size_t n,
                      double tol, size_t max_iter);

/* A type in a table run: check says whether it must reach each minimum
 * (converged, status GSL_SUCCESS, |x - x*| <= xtol, f - f* <= ftol). */
typedef struct mm_type {
  const gsl_multimin_fdfminimizer_type *T;
  const char *name;
  double tol;
  size_t max_iter;
  int check;
} mm_type;

/* Run every problem with every type (at most MM_MAX_TYPES; n_ext variables
 * for the extended Rosenbrock), print a row per problem, check the types
 * marked so, and call more(pb, r, ctx) with the results r[0..ntypes-1]
 * (more may be NULL). */
enum { MM_MAX_TYPES = 4 };
void mm_run_table(const mm_type *types, int ntypes, size_t n_ext,
                  void (*more)(const mm_problem *pb, const mm_result *r, void *ctx), void *ctx);

/* Assert that the table's gradients match central differences (n_ext as above). */
void mm_check_gradients(size_t n_ext);

/* The iteration contract every libpinn quasi-Newton type shares (lib/qn.c),
 * checked for one type T:
 *  - wrong_gradient: a gradient of the wrong sign gives GSL_ENOPROG without
 *    moving (f, x kept, dx = 0), a message that suggests finite differences,
 *    no iteration counted and 2-20 line-search evaluations;
 *  - bad_calls: iterate() before set() and after a failed set() is
 *    GSL_EINVAL; step_size 0 is GSL_EINVAL; NaN at the start GSL_EBADFUNC; a
 *    zero gradient GSL_ENOPROG with a message saying "stationary";
 *  - nan_for_large_steps: Rosenbrock with f = NaN outside |x| <= 3 and a first
 *    step of length 100 still converges (at least 5 halvings); at(s, iter),
 *    when not NULL, runs after each iteration. */
void mm_check_wrong_gradient(const gsl_multimin_fdfminimizer_type *T);
void mm_check_bad_calls(const gsl_multimin_fdfminimizer_type *T);
void mm_check_nan_for_large_steps(const gsl_multimin_fdfminimizer_type *T,
                                  void (*at)(gsl_multimin_fdfminimizer *s, int iter));

/* A memory that gives no descent direction is forgotten: one step of a new
 * minimizer of type T on F (mm_sphere, kept by the caller while s lives)
 * from x = 0; its state, of len doubles, saved into buf, edited by patch so
 * that p = -H g is not a descent direction at x = 0, and loaded there
 * (loaded(s), when not NULL, checks what was loaded).  The next iterate
 * must succeed along -g = (3, 4), counting a restart.  Returns s for the
 * type's own checks (the caller frees it). */
gsl_multimin_fdfminimizer *mm_check_restart_on_non_descent(
    const gsl_multimin_fdfminimizer_type *T, gsl_multimin_function_fdf *F, double *buf,
    size_t len, void (*patch)(double *buf), void (*loaded)(gsl_multimin_fdfminimizer *s));

/* Assert that two sets of counters agree in every field. */
void mm_check_same_stats(const pinn_qn_statistics *a, const pinn_qn_statistics *b);

/* Checkpoint and resume.  On the extended Rosenbrock (n variables, from
 * mm_x0_rosenbrock, step_size 1, tol 0.9) a minimizer a of type T runs
 * `total` iterations; another runs `at`, its state is saved, and a new one,
 * r, set at the saved x, loads it and runs the rest.  Asserted: the state
 * has hdr doubles after set(); the counters survive the load; a and r agree
 * bitwise at the end (x, gradient, f, counters, states); a load before set()
 * is GSL_EINVAL; a truncated state is PINN_EFORMAT and leaves r unchanged; a
 * state for another n and one with a wrong magic number are refused.
 * prepare(s), when not NULL, runs before set() on a and on the saved run.
 * Returns a, r (their fdf is gone: do not iterate them), the state saved
 * and the counters at the save for the type's own checks; free with
 * mm_resume_free. */
typedef struct mm_resume {
  gsl_multimin_fdfminimizer *a, *r;
  double *buf;
  size_t len;
  pinn_qn_statistics saved;
} mm_resume;
mm_resume mm_check_resume(const gsl_multimin_fdfminimizer_type *T, size_t n, int at, int total,
                          size_t hdr, void (*prepare)(gsl_multimin_fdfminimizer *s));
void mm_resume_free(mm_resume *res);

/* Run iters iterations; each must succeed. */
void mm_run_iterations(gsl_multimin_fdfminimizer *s, int iters);
#endif
