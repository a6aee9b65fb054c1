/* libpinn — solve output: the trained solution evaluated on a grid, and one
 * HDF5 file (+ an XDMF sidecar for ParaView) holding everything about a solve.
 *
 * pinn_fields_compute evaluates a trained loss on the problem's output grid
 * (pinn_problem_output_grid; the reference grid when the problem has one):
 * the network's outputs u, the reference (exact solution callback or
 * reference grid) and |u - ref|, the magnitude |r| of the first residual (or
 * complementarity) term (when it cannot be evaluated at every inside point,
 * it is evaluated off the boundary and left NaN on it: a distance-function
 * transform has infinite derivatives on its trimmed pieces, where grid nodes
 * lie), and for obstacle problems psi and the contact set.
 *
 *   contact = 1 where the gap sense (u_k - psi) <= tol and, when the problem
 *   has a complementarity term for that output, where its multiplier
 *   lambda = sense R (pinn_loss_multiplier_at) > lambda_tol, else 0
 *   (pinn_obstacle_contact, pinn/problem.h: tol = 1e-3 max(1, max |psi|),
 *   1e-2 max(1, max |psi|) with the multiplier, lambda_tol = a quarter
 *   of the median of lambda near the obstacle); k and sense
 *   (+1 u_k >= psi, -1 u_k <= psi) are those of the first obstacle or
 *   complementarity term.
 *
 *   rel_l2  = ||u - ref||_2 / ||ref||_2 over the grid points inside the
 *             domain, all outputs together (and per output in rel_l2_out);
 *             0/0 gives 0, x/0 gives +Inf.
 *   max_abs = max |u - ref| over the same points and outputs.
 *   (pinn_reference_error_compute, pinn/reference.h.)  A problem with
 *   reference points also gets the solution at them and the same two
 *   figures there (n_ref_points, ref_points_u, ref_points_error).
 *
 * Domains that are not a box (balls, geometries): the grid covers the
 * bounding box; a grid point is inside when pinn_domain_contains says so or
 * its signed distance is <= PINN_OUTPUT_INSIDE_RTOL (1e-12) times the
 * largest side of the space bounding box (pinn_output_mask: points on the
 * boundary stay in despite rounding).  Points outside hold NaN in every
 * field, and the field `mask` is 1 inside and 0 outside.  Nothing is
 * evaluated outside.
 *
 * pinn_output_write writes the file layout documented in README
 * ("Output files"); the short form:
 *
 *   /            attributes: format="libpinn-solution", format_version=1,
 *                problem, description, libpinn_version, seed, iterations,
 *                seconds, stop_reason, final_loss, [rel_l2_error,
 *                max_abs_error, reference], space_dim, has_time, outputs,
 *                terms, metric_<name>..., coef_<name>...,
 *                [contact_tolerance, contact_multiplier_tolerance],
 *                [reference_points, reference_points_rel_l2_error,
 *                reference_points_max_abs_error]
 *   /grid/x, /grid/y, /grid/z, /grid/t       1-D axes (those that exist)
 *   /solution/<u>             [nt][nz][ny][nx], absent axes dropped
 *   /solution/<u>_ref, /solution/<u>_error   when a reference exists
 *   /solution/residual        |r| of the first residual term
 *   /solution/psi, /solution/contact         obstacle problems
 *   /solution/mask            domains that are not a box (with the root
 *                             attributes domain, inside_points, inside_rtol)
 *   /points/<term>            [N][dim] training points (time last)
 *   /reference_points/points  [n][dim] the problem's reference points
 *                             (pinn_problem_set_reference_points), and
 *                             /reference_points/<u>, <u>_ref, <u>_error [n]:
 *                             the solution there, the reference, |u - ref|
 *                             (with that output's rel_l2_error, max_abs_error)
 *   /history/loss, /history/grad_norm, /history/<term>   per iteration
 *   /model                    the network (pinn/model.h)
 *   /xdmf/...                 copies and helpers for the sidecars (not part
 *                             of the contract: per-time-step slices of the
 *                             fields, point coordinates padded to 2-D/3-D,
 *                             |r| at the training points)
 *
 * The sidecar "<basename>.xmf" (same folder, extension replaced) holds, as
 * XDMF 2 grids (pinn/xdmf.h conventions):
 *   "solution"   every field on the spatial grid (3DCoRectMesh, or
 *                3DRectMesh for a non-uniform reference grid); for a
 *                time-dependent problem a temporal collection over /grid/t,
 *                step k reading /xdmf/steps/<field>/<k> (6-digit k).
 *                A domain that is not a box, in 2-D or 3-D: the inside of
 *                the grid as an unstructured mesh (pinn_output_mesh_build):
 *                the grid cells whose 2^d corners are all inside
 *                (Quadrilateral in 2-D, Hexahedron in 3-D) over the grid
 *                nodes they use, so ParaView shows no point outside the
 *                domain.  Helpers: /xdmf/mesh/xyz [P][d] (coordinates),
 *                /xdmf/mesh/cells [C][2^d] (int64, 0-based into xyz),
 *                /xdmf/mesh/node [P] (int64 index of each mesh point in the
 *                space grid, axis 0 fastest), each field's values at those
 *                points in /xdmf/inside/<field> [P] (untimed) or
 *                /xdmf/steps/<field>/<k> [P] (timed).  Inside nodes that no
 *                kept cell uses are in the .h5 but not drawn; when no cell
 *                is kept (a grid too coarse for the domain) the mesh is the
 *                inside nodes as a Polyvertex point set (/xdmf/mesh/conn
 *                [P] instead of cells); with no inside node at all, the
 *                whole grid as for a box (all NaN).
 *   "points_<term>"  each term's training points (Polyvertex) with
 *                coordinates /xdmf/points/<term>/xyz: the point itself with
 *                time as the next axis (1-D untimed points get y = 0; 3-D +
 *                time: space only, with the attribute "t"); residual terms
 *                carry "<term>_residual" = |r| at their points.  For a
 *                time-dependent problem these are time series too (the same
 *                points at every step): ParaView's Xdmf3 reader shows only
 *                the temporal grids of a document that has any.
 *   "reference_points"  the reference points likewise, carrying <u>,
 *                <u>_ref and <u>_error.
 * Time-dependent problems with 1 or 2 space dimensions also get
 * "<basename>_spacetime.xmf": the fields as one static grid "spacetime" with
 * time as the next axis (y for 1-D, z for 2-D), read straight from
 * /solution/<field>, with the same point sets (the x-t picture of Burgers);
 * not for a 2-D domain that is not a box (its structured x-y-t volume would
 * show the outside).
 *
 * The files are written atomically (each via a temporary name + rename); when
 * a sidecar cannot be written, the new .h5 is removed as well, so a failed
 * write leaves no new file.
 */
#ifndef PINN_OUTPUT_H
#define PINN_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <pinn/status.h>
#include <pinn/domain.h>
#include <pinn/loss.h>
#include <pinn/train.h>
#include <pinn/problem.h>
#include <pinn/reference.h>

PINN_BEGIN_DECLS

/* Most grid points pinn_fields_compute evaluates (5e7). */
#define PINN_FIELDS_MAX_POINTS ((size_t)50000000)

/* A trained solution evaluated on a tensor grid.  Point index
 * p = i_0 + m_0 (i_1 + m_1 (...)): axis 0 (x) fastest, time slowest, which is
 * also the C order of the [nt][nz][ny][nx] datasets.  All arrays are owned by
 * the struct (pinn_fields_free). */
typedef struct pinn_fields {
  size_t dim;                          /* axes: space_dim + has_time */
  size_t space_dim;
  int has_time;
  size_t counts[PINN_MAX_INPUTS];      /* points per axis (space axes, then time) */
  double *axes[PINN_MAX_INPUTS];       /* coordinates of each axis (counts[a] values) */
  size_t n;                            /* grid points: product of counts */
  size_t n_out;
  double *x;                           /* n x dim: the grid points */
  double *u;                           /* n x n_out: network outputs */
  int has_ref;
  const char *ref_source;              /* "exact", "reference grid" or "none" (static) */
  double *ref;                         /* n x n_out reference, NULL without */
  double *error;                       /* n x n_out |u - ref|, NULL without */
  int has_residual;
  size_t residual_term;                /* index of the term |r| comes from */
  double *residual;                    /* n: |r|, NULL without a residual term */
  char residual_error[PINN_ERRMSG_SIZE]; /* "" or why the residual could not be evaluated on
                                            the grid (a callback error or a non-finite value:
                                            the field is then NaN; the rest is computed) */
  int has_obstacle;
  size_t obstacle_term, obstacle_output;
  pinn_sense obstacle_sense;           /* PINN_SENSE_LOWER (u >= psi) or _UPPER (u <= psi) */
  double contact_tol;                  /* gap tolerance */
  double contact_multiplier_tol;       /* multiplier threshold (contact_uses_multiplier) */
  int contact_uses_multiplier;         /* 1: a complementarity term's multiplier is used */
  double *psi, *contact;               /* n each, NULL without an obstacle */
  double *mask;                        /* n: 1 inside, 0 outside; NULL for boxes */
  size_t n_inside;                     /* points inside the domain */
  double rel_l2, max_abs;              /* all outputs; NaN without a reference */
  double rel_l2_out[PINN_MAX_OUTPUTS], max_abs_out[PINN_MAX_OUTPUTS];
  /* the problem's reference points (pinn_problem_set_reference_points), 0
   * without: the solution at them (in the problem's order) and its errors */
  size_t n_ref_points;
  double *ref_points_u;                /* n_ref_points x n_out */
  pinn_reference_error ref_points_error;
} pinn_fields;

/* Evaluate the trained loss l (its network and coefficients as they are) on a
 * grid: counts (dim entries, each 1..100000, space axes then time) or NULL
 * for the problem's output grid.  A problem with a reference grid uses that
 * grid when counts is NULL or equal to its counts; on another grid the
 * reference comes from the exact solution if the problem has one, else there
 * is none.  *f is overwritten (free it with pinn_fields_free); on failure
 * every array is already freed and *f zeroed.  Returns 0, PINN_EINVAL (bad counts, more than
 * PINN_FIELDS_MAX_POINTS points, no domain), a callback's PINN_ECALLBACK /
 * PINN_ENONFINITE, or PINN_ENOMEM, with err filled. */
int pinn_fields_compute(pinn_loss *l, const size_t *counts, pinn_fields *f, pinn_error *err);

/* Free the arrays of f and zero it.  NULL is a no-op. */
void pinn_fields_free(pinn_fields *f);

/* Relative tolerance of the inside test of output grids (pinn_output_mask). */
#define PINN_OUTPUT_INSIDE_RTOL 1e-12

/* Which of the n points x (rows of pinn_domain_dim(dom) doubles) count as
 * inside dom on output grids: mask[q] = 1 when pinn_domain_contains(dom, x_q)
 * or pinn_domain_signed_distance(dom, x_q) <= PINN_OUTPUT_INSIDE_RTOL * L, L
 * the largest side of the space bounding box, else 0 (the distance ignores
 * time: give points with t in [t0, t1], as grids have).  *n_inside (may be
 * NULL) gets the count.
 * Returns 0 or
 * PINN_EINVAL (invalid domain, NULL arrays) with err filled. */
int pinn_output_mask(const pinn_domain *dom, size_t n, const double *x, double *mask,
                     size_t *n_inside, pinn_error *err);

/* The inside of a tensor grid as an unstructured mesh: the cells of the grid
 * whose 2^dim corners are all inside, over the grid nodes they use.  Node
 * index q = i + m_0 (j + m_1 k) (axis 0 fastest).  Cells are listed in the
 * order of their lowest corner, their nodes as XDMF/VTK want them:
 * quadrilateral (i,j) (i+1,j) (i+1,j+1) (i,j+1); hexahedron the same at k,
 * then at k+1.  Owned arrays (pinn_output_mesh_free). */
typedef struct pinn_output_mesh {
  size_t dim;        /* 2 (quadrilaterals) or 3 (hexahedra) */
  size_t n_points;   /* grid nodes used by kept cells */
  size_t n_cells;    /* kept cells */
  int64_t *node;     /* n_points: grid index of each mesh point, increasing */
  int64_t *cells;    /* n_cells x 2^dim: indices into the mesh points */
} pinn_output_mesh;

/* Build the mesh of a grid of counts[dim] nodes (dim 2 or 3, each count >= 1,
 * at most PINN_FIELDS_MAX_POINTS in all) from mask (one value per node,
 * inside where > 0.5, as pinn_output_mask writes).  A grid with an axis of
 * one node has no cells.  *m is overwritten (free with
 * pinn_output_mesh_free).  Returns 0, PINN_EINVAL or PINN_ENOMEM. */
int pinn_output_mesh_build(size_t dim, const size_t *counts, const double *mask,
                           pinn_output_mesh *m, pinn_error *err);

/* Free the arrays of m and zero it.  NULL is a no-op. */
void pinn_output_mesh_free(pinn_output_mesh *m);

/* What a solve did, for the root attributes of the output file. */
typedef struct pinn_run_info {
  const char *problem;     /* NULL: the loss's problem name */
  unsigned long seed;
  size_t iterations;
  double seconds;
  const char *stop_reason; /* e.g. pinn_stop_reason_name(); NULL: "none" */
  double final_loss;
  double time_budget;      /* the run's wall-clock budget in seconds, 0 = none */
  const char *error;       /* a failed run's message (the file then holds its best point), or NULL */
} pinn_run_info;

/* The run info of a finished trainer (t may be NULL: zeros, "none", NaN loss). */
pinn_run_info pinn_output_run_info(const pinn_loss *l, const pinn_trainer *t, unsigned long seed);

/* The sidecar's path for h5path: the extension of the last path component
 * replaced by ".xmf" (appended when there is none), into buf[size].
 * Returns 0 or PINN_EINVAL (NULL/empty path, buf too small). */
int pinn_output_xmf_path(const char *h5path, char *buf, size_t size);

/* The space-time sidecar's path: as pinn_output_xmf_path with
 * "_spacetime.xmf" ("run.h5" -> "run_spacetime.xmf"). */
int pinn_output_spacetime_path(const char *h5path, char *buf, size_t size);

/* Write one solve: h5path (layout above, atomically) and its .xmf sidecar.
 * l: the trained loss; t: its trainer for /history (may be NULL: no
 * history); f: fields computed from l; info: run facts (NULL: from t).
 * Returns 0, or PINN_EIO (folder missing or unwritable, disk full: nothing is
 * left behind), PINN_EINVAL (f does not match l), PINN_EUNSUPPORTED (an
 * output or term name collides with a reserved dataset name), PINN_ENOMEM,
 * a metrics callback's status; err says which. */
int pinn_output_write(const char *h5path, pinn_loss *l, const pinn_trainer *t,
                      const pinn_fields *f, const pinn_run_info *info, pinn_error *err);

/* Values on a tensor grid that do not come from a loss (pinn eval's HDF5
 * output): n_fields fields of n = prod counts values each, C order
 * [nt][nz][ny][nx] (axis 0 fastest, time slowest), as in pinn_fields. */
typedef struct pinn_output_grid {
  size_t space_dim;                        /* 1..3 */
  int has_time;
  size_t counts[PINN_MAX_INPUTS];          /* nodes per axis: space axes, then time */
  const double *axes[PINN_MAX_INPUTS];     /* counts[a] increasing coordinates each */
  const char *axis_names[PINN_MAX_INPUTS]; /* datasets /grid/<name> (e.g. the model's inputs) */
  size_t n_fields;
  const char *const *names;                /* datasets /solution/<name> */
  const double *const *values;             /* n values each (NaN outside the domain) */
  const pinn_domain *domain;               /* the domain the grid spans, or NULL (a box) */
  const double *mask;                      /* n values, 1 inside, 0 outside
                                              (pinn_output_mask); needed when domain is
                                              not a box, else ignored */
  const char *problem;                     /* root attribute "problem", may be NULL */
} pinn_output_grid;

/* Write g to h5path atomically with its sidecar (pinn_output_xmf_path): root
 * attributes format = "libpinn-grid", format_version = 1, run_id, problem,
 * libpinn_version, space_dim, has_time, fields (comma-separated); /grid/<axis
 * name>, /solution/<name>; for a domain that is not a box /solution/mask and
 * the root attributes domain, inside_points, inside_rtol; and the sidecar's
 * "solution" grid with every field, built as the solve file's (above: the
 * unstructured mesh of the inside for a domain that is not a box).  Returns
 * 0, PINN_EINVAL (bad sizes, names, missing mask), PINN_EIO or PINN_ENOMEM,
 * with err filled; a failed write leaves no new file. */
int pinn_output_write_grid(const char *h5path, const pinn_output_grid *g, pinn_error *err);

/* Check that the sidecars of a solve file belong to it: the run_id root
 * attribute of h5path against the run id in its .xmf (and _spacetime.xmf when
 * present).  Returns 0 when they match (or the file predates run ids),
 * PINN_EFORMAT when a sidecar belongs to another run (a write interrupted
 * between the renames of the .h5 and the .xmf), PINN_EIO when the .xmf is
 * missing or h5path cannot be read; err says which. */
int pinn_output_check_sidecar(const char *h5path, pinn_error *err);

/* Describe in words what a file holds (a solve file, a checkpoint or a saved
 * model): problem, network, run, errors, metrics, the run id and whether the
 * sidecar matches it (a WARNING line when not), and the datasets with their
 * shapes and value ranges, one item per line, into buf[size] (truncated to
 * fit, always NUL-terminated).  Returns 0, or the reader's PINN_EIO /
 * PINN_EFORMAT with err filled (the text then says as much as was read). */
int pinn_output_describe(const char *h5path, char *buf, size_t size, pinn_error *err);

PINN_END_DECLS
#endif
