/* libpinn — XDMF (schema 2, plain text) sidecars that let ParaView open .h5 output.
 *
 * A pinn_xdmf is a small builder: add grids (uniform, rectilinear,
 * unstructured or point sets), optionally give a grid time steps, add scalar
 * node-centred attributes that name datasets in an .h5 file, then
 * pinn_xdmf_write() the document
 * atomically (temporary file + fsync + rename, as in h5io.h).  Nothing is read
 * from the .h5 files unless you call pinn_xdmf_check().
 *
 * Conventions (what ParaView 5.11 reads reliably with both its Xdmf3 reader,
 * picked by OpenDataFile, and the legacy "XDMF Reader"; see TOOLCHAIN.md):
 *  - Axes are given in x, y, z order; HDF5 arrays are C order with x fastest:
 *    a grid attribute is a dataset of shape [nx] (1D), [ny][nx] (2D) or
 *    [nz][ny][nx] (3D); a point-set attribute has shape [n].
 *  - Every grid is written as a 3D one: 1D as 3DCoRectMesh Dimensions="1 1 NX",
 *    2D as "1 NY NX" (the unused axes get origin 0 and spacing 1, listed in
 *    z y x order in ORIGIN_DXDYDZ), 3D as "NZ NY NX"; attribute DataItems carry
 *    the same Dimensions.  Non-uniform grids use 3DRectMesh + VXVYVZ with one
 *    1-D coordinate dataset per real axis (the unused axes are an inline 0).
 *  - Point sets are a Polyvertex topology WITH an explicit connectivity
 *    (0..n-1; inline in the .xmf or an int64 [n] dataset): without it the
 *    Xdmf3 reader makes 0 cells.  Coordinates come from one [n][2] (XY) or
 *    [n][3] (XYZ) float64 dataset; for 1-D points write an [n][2] dataset with
 *    y = 0.
 *  - Unstructured meshes (the inside of a domain that is not a box, as the
 *    cells of a background grid): one cell type per grid, Quadrilateral (4
 *    nodes, counter-clockwise) or Hexahedron (8 nodes: the bottom face
 *    counter-clockwise seen from above, then the top face in the same order;
 *    VTK's order), connectivity from an int64 [n_cells][4|8] dataset of
 *    0-based indices into the points, coordinates from a float64
 *    [n_points][2|3] dataset (XY or XYZ; hexahedra need XYZ).  Attributes are
 *    node-centred datasets of [n_points] values.
 *  - Time series: a grid given times becomes a Collection of
 *    CollectionType="Temporal" with one Uniform grid per step (<Time Value>)
 *    sharing the geometry.  Each step's attribute is its own dataset,
 *    "<dataset>/<k>" with k zero-padded to 6 digits (pinn_xdmf_step_dataset
 *    builds the name).  Per-step datasets were chosen over HyperSlab
 *    DataItems into one [nt][...] dataset because ParaView 5.11's Xdmf3
 *    reader drops HyperSlab attributes ("Skipping unrecognized array type").
 *  - File names given here are paths as seen from the current directory; the
 *    document refers to each .h5 by a path relative to the .xmf's folder, so
 *    the pair can be moved together.  ParaView's Xdmf3 reader resolves them
 *    wrongly when the .xmf is opened by a bare name: open "./u.xmf" or an
 *    absolute path.  A ':' may not appear in .h5 paths or dataset names.
 */
#ifndef PINN_XDMF_H
#define PINN_XDMF_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

typedef struct pinn_xdmf pinn_xdmf;

/* A new, empty document (NULL when out of memory).  Free with pinn_xdmf_free. */
pinn_xdmf *pinn_xdmf_alloc(void);

/* Free a document.  NULL is a no-op. */
void pinn_xdmf_free(pinn_xdmf *x);

/* Last error message ("" if none); owned by x. */
const char *pinn_xdmf_errmsg(const pinn_xdmf *x);

/* Add a uniform grid of ndim = 1, 2 or 3 axes: counts[ndim] nodes per axis
 * (>= 1), origin[ndim] and spacing[ndim] (> 0), all in x, y, z order.  name
 * may be NULL ("grid<i>").  *grid_out (optional) receives its index. */
int pinn_xdmf_add_uniform_grid(pinn_xdmf *x, const char *name, int ndim, const size_t *counts,
                               const double *origin, const double *spacing, int *grid_out);

/* Add a rectilinear (non-uniform) grid: counts[ndim] nodes per axis; the
 * coordinates of axis i are the float64 dataset coord_datasets[i] (length
 * counts[i]) in h5file.  *grid_out (optional) receives its index. */
int pinn_xdmf_add_rectilinear_grid(pinn_xdmf *x, const char *name, int ndim,
                                   const size_t *counts, const char *h5file,
                                   const char *const *coord_datasets, int *grid_out);

/* Add a set of n scattered points whose coordinates are the float64 dataset
 * coords_dataset of shape [n][coord_dim] (coord_dim 2 or 3) in h5file.
 * conn_dataset: an int64 [n] dataset holding 0..n-1, or NULL to write the
 * connectivity inline in the .xmf (about 7 bytes per point). */
int pinn_xdmf_add_point_set(pinn_xdmf *x, const char *name, size_t n, int coord_dim,
                            const char *h5file, const char *coords_dataset,
                            const char *conn_dataset, int *grid_out);

/* Cell types of unstructured grids (the value is the nodes per cell). */
typedef enum pinn_xdmf_cell {
  PINN_XDMF_QUADRILATERAL = 4, /* 2-D cells (coordinates XY or XYZ) */
  PINN_XDMF_HEXAHEDRON = 8     /* 3-D cells (coordinates XYZ) */
} pinn_xdmf_cell;

/* Add an unstructured grid of n_cells cells of one type over n_points
 * points: conn_dataset is an int64 [n_cells][type] dataset of point indices
 * (0..n_points-1, each cell's nodes in the order above), coords_dataset a
 * float64 [n_points][coord_dim] dataset (coord_dim 2 or 3; 3 for hexahedra),
 * both in h5file.  n_cells and n_points: 1..2^31.  pinn_xdmf_check also
 * reads the connectivity and refuses an index out of range.  *grid_out
 * (optional) receives its index. */
int pinn_xdmf_add_unstructured_grid(pinn_xdmf *x, const char *name, pinn_xdmf_cell type,
                                    size_t n_cells, size_t n_points, int coord_dim,
                                    const char *h5file, const char *conn_dataset,
                                    const char *coords_dataset, int *grid_out);

/* Make grid a time series of nt >= 1 steps at times[nt] (finite, strictly
 * increasing; copied).  Call before adding attributes or after: attributes of
 * a timed grid name per-step datasets (see pinn_xdmf_step_dataset). */
int pinn_xdmf_set_times(pinn_xdmf *x, int grid, size_t nt, const double *times);

/* Add a scalar node-centred attribute called name to grid, read from dataset
 * (float64) in h5file.  Untimed grid: dataset has the grid's shape ([n] for
 * point sets and unstructured grids: one value per point).  Timed
 * grid: step k reads pinn_xdmf_step_dataset(dataset, k), each of the grid's
 * shape. */
int pinn_xdmf_add_attribute(pinn_xdmf *x, int grid, const char *name, const char *h5file,
                            const char *dataset);

/* Tag the document with the run identifier of the .h5 it describes (1 to 64
 * lower-case hex digits), written as <Information Name="run_id" Value="..."/>
 * right after <Domain> (viewers ignore it).  A reader compares it with the
 * .h5's own run_id attribute to tell a pair written together from a new .h5
 * beside an old sidecar (a write interrupted between the two renames). */
int pinn_xdmf_set_run_id(pinn_xdmf *x, const char *run_id);

/* Read the run id of the .xmf at xmf_path into buf (cap >= 65): "" when the
 * document has none (written before run ids).  PINN_EIO when the file cannot
 * be read, PINN_EFORMAT when the element is malformed. */
int pinn_xdmf_read_run_id(const char *xmf_path, char *buf, size_t cap, pinn_error *err);

/* Write "<base>/<k>" (k zero-padded to 6 digits) into buf[cap]: the dataset
 * that step k of a timed attribute reads.  Returns 0, or PINN_EINVAL when
 * base is NULL/empty or buf is too small. */
int pinn_xdmf_step_dataset(char *buf, size_t cap, const char *base, size_t k);

/* Check every dataset the document references: the .h5 opens, the dataset
 * exists and holds the number of values its grid needs.  Returns 0, or the
 * h5io status with err (optional) and the document's message naming it. */
int pinn_xdmf_check(pinn_xdmf *x, pinn_error *err);

/* Render the document as a malloc'd NUL-terminated string (caller frees),
 * with .h5 paths made relative to the folder of xmf_path.  NULL on failure
 * (message in pinn_xdmf_errmsg). */
char *pinn_xdmf_render(pinn_xdmf *x, const char *xmf_path);

/* Write the document to xmf_path atomically.  Fails (PINN_EINVAL) if any
 * earlier call on x failed or there is no grid; PINN_EIO naming the path when
 * the folder is missing or unwritable (nothing is left behind). */
int pinn_xdmf_write(pinn_xdmf *x, const char *xmf_path, pinn_error *err);

PINN_END_DECLS
#endif
