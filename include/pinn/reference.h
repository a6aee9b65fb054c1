/* libpinn — reference solutions at scattered points: reading points and
 * values from a file (CSV or HDF5), attaching them to a problem
 * (pinn_problem_set_reference_points, pinn/problem.h), and the error of a
 * solution against a reference: the one computation behind every error
 * libpinn reports (output grids, reference points, pinn eval).
 *
 *   rel_l2  = ||u - ref||_2 / ||ref||_2, all outputs together (and per output
 *             in rel_l2_out); 0/0 gives 0, x/0 gives +Inf, no point gives NaN;
 *   max_abs = max |u - ref| over the same points and outputs.
 *   A NaN in u (a diverged network) makes both NaN.
 *
 * File formats (pinn_reference_read):
 *   CSV   one point per line: its dim coordinates (space, then time), then
 *         the n_out reference values, comma-separated (spaces around commas
 *         allowed).  Blank lines and lines starting with '#' are skipped, and
 *         so is a first line of column names (one starting with a letter or
 *         '"').  Every line has the same number of columns.
 *   HDF5  a path ending in .h5 or .hdf5: the datasets /points [n][dim] and
 *         /values [n][n_out] ([n] is accepted when n_out = 1), any numeric
 *         type (converted to float64).
 * Every value must be a finite number; messages name the file, and the line
 * and column of a CSV.
 */
#ifndef PINN_REFERENCE_H
#define PINN_REFERENCE_H

#include <stddef.h>
#include <stdio.h>
#include <pinn/status.h>
#include <pinn/problem.h>
#include <pinn/loss.h>

PINN_BEGIN_DECLS

/* Errors of a solution against a reference (formulas above). */
typedef struct pinn_reference_error {
  size_t n;                                   /* points compared */
  size_t n_out;                               /* outputs per point */
  double rel_l2, max_abs;                     /* all outputs together */
  double rel_l2_out[PINN_MAX_OUTPUTS], max_abs_out[PINN_MAX_OUTPUTS];
} pinn_reference_error;

/* The errors of u against ref (rows of n_out values each) over n rows: rows
 * 0..n-1, or rows[0..n-1] when rows is not NULL.  The sums run over the rows
 * in the order given, outputs innermost, so the same rows in the same order
 * give the same bits.  Returns 0, or PINN_EINVAL (NULL arrays, n_out not in
 * 1..PINN_MAX_OUTPUTS) with err filled (err may be NULL). */
int pinn_reference_error_compute(size_t n, size_t n_out, const double *u, const double *ref,
                                 const size_t *rows, pinn_reference_error *e, pinn_error *err);

/* Read points and values from path: HDF5 when the name ends in .h5 or
 * .hdf5, else CSV ("-" is not special: use pinn_reference_read_csv(stdin,
 * ...)).  dim: coordinates per point (1..PINN_MAX_INPUTS); n_out: values per
 * point (1..PINN_MAX_OUTPUTS).  values_optional: a file without values
 * (CSV of dim columns, HDF5 without /values) is accepted and *u set to NULL;
 * else values are required.  On success *n (1..PINN_REFERENCE_MAX_POINTS),
 * *x (n x dim) and *u (n x n_out, or NULL) are malloc'd arrays owned by the
 * caller.  Returns 0, or PINN_EIO (cannot open), PINN_EFORMAT (malformed:
 * the message says where and what to fix), PINN_EINVAL (bad arguments),
 * PINN_ENOMEM, with err filled; *x and *u are then NULL. */
int pinn_reference_read(const char *path, size_t dim, size_t n_out, int values_optional, size_t *n,
                        double **x, double **u, pinn_error *err);

/* The CSV reader of pinn_reference_read on an open stream (not closed);
 * name is the file's name for messages. */
int pinn_reference_read_csv(FILE *f, const char *name, size_t dim, size_t n_out,
                            int values_optional, size_t *n, double **x, double **u,
                            pinn_error *err);

/* Read path (pinn_reference_read, values required, dim and n_out of p) and
 * attach the points to p (pinn_problem_set_reference_points).  Returns 0 or
 * the status with err saying what is wrong with the file or its points. */
int pinn_problem_load_reference_points(pinn_problem *p, const char *path, pinn_error *err);

/* The solution of loss l (pinn_loss_predict) at its problem's reference
 * points and its errors against them.  u: NULL, or room for n x n_out values
 * that receive the solution.  Returns 0, PINN_EINVAL (the problem has no
 * reference points), or the evaluation's status, with err filled. */
int pinn_loss_reference_error(pinn_loss *l, double *u, pinn_reference_error *e, pinn_error *err);

PINN_END_DECLS
#endif
