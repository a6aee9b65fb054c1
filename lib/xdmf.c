/* libpinn — XDMF 2 sidecar builder (www.xdmf.org).  The layout is documented
 * in include/pinn/xdmf.h and checked against ParaView 5.11 by
 * tests/paraview_check.py; documents are written atomically with the helpers
 * of lib/h5io_impl.h.
 */
#define _XOPEN_SOURCE 700
#include <pinn/xdmf.h>
#include <pinn/h5io.h>
#include "h5io_impl.h"
#include "text_impl.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ model */

typedef struct xattr {
  char *name;
  char *h5;
  char *dataset;
} xattr;

enum gkind { G_UNIFORM, G_RECT, G_POINTS, G_CELLS };

typedef struct xgrid {
  enum gkind kind;
  char *name;
  int ndim;              /* uniform/rect: 1..3 */
  size_t counts[3];      /* x, y, z */
  double origin[3], spacing[3];
  char *h5;              /* rect coordinates / point coordinates file */
  char *coords[3];       /* rect: per-axis datasets; points, cells: [0] coords */
  char *conn;            /* points: connectivity dataset or NULL (inline); cells: dataset */
  size_t npoints;
  size_t ncells;         /* cells: number of cells */
  int cell_nodes;        /* cells: nodes per cell (pinn_xdmf_cell) */
  int coord_dim;
  size_t nt;             /* 0 = static */
  double *times;
  xattr *attrs;
  size_t nattr, capattr;
} xgrid;

#define RUN_ID_MAX 64 /* hex digits */

struct pinn_xdmf {
  xgrid *grids;
  size_t ngrid, capgrid;
  char run_id[RUN_ID_MAX + 1]; /* "" = none */
  /* The first failure of a builder call (pinn_error_set_first): it poisons
   * the document, every later call returns it.  Failures that leave the
   * document usable (render, write, check) keep their message here but
   * release the code (release_failure). */
  pinn_error err;
};

/* End a render, write or check: on failure (st != 0) err gets st and x's
 * message, and x stays usable (its code is cleared: a bad path, a full disk
 * or a missing dataset does not poison the document). */
static int release_failure(pinn_xdmf *x, int st, pinn_error *err)
{
  if (!st) {
    pinn_error_clear(err);
    return 0;
  }
  x->err.code = 0;
  return pinn_error_set(err, st, "%s", x->err.msg);
}

pinn_xdmf *pinn_xdmf_alloc(void) { return calloc(1, sizeof(pinn_xdmf)); }

static void grid_clear(xgrid *g)
{
  free(g->name);
  free(g->h5);
  for (int i = 0; i < 3; ++i) free(g->coords[i]);
  free(g->conn);
  free(g->times);
  for (size_t i = 0; i < g->nattr; ++i) {
    free(g->attrs[i].name);
    free(g->attrs[i].h5);
    free(g->attrs[i].dataset);
  }
  free(g->attrs);
}

void pinn_xdmf_free(pinn_xdmf *x)
{
  if (!x) return;
  for (size_t i = 0; i < x->ngrid; ++i) grid_clear(&x->grids[i]);
  free(x->grids);
  free(x);
}

const char *pinn_xdmf_errmsg(const pinn_xdmf *x) { return x ? x->err.msg : ""; }

/* 1 if s is 1..RUN_ID_MAX lower-case hex digits. */
static int run_id_ok(const char *s, size_t len)
{
  if (len == 0 || len > RUN_ID_MAX) return 0;
  for (size_t i = 0; i < len; ++i)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return 1;
}

int pinn_xdmf_set_run_id(pinn_xdmf *x, const char *run_id)
{
  if (!x) return PINN_EINVAL;
  if (x->err.code) return x->err.code;
  if (!run_id || !run_id_ok(run_id, strlen(run_id)))
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "run id '%.80s' is not 1 to %d lower-case hex digits",
                                run_id ? run_id : "(null)", RUN_ID_MAX);
  snprintf(x->run_id, sizeof x->run_id, "%s", run_id);
  return 0;
}

int pinn_xdmf_read_run_id(const char *xmf_path, char *buf, size_t cap, pinn_error *err)
{
  if (!xmf_path || !buf || cap < RUN_ID_MAX + 1)
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_xdmf_read_run_id: need a path and a buffer of %d bytes",
                          RUN_ID_MAX + 1);
  buf[0] = '\0';
  FILE *f = fopen(xmf_path, "rb");
  if (!f) {
    int e = errno;
    return pinn_error_set(err, PINN_EIO, "cannot open '%s': %s", xmf_path, strerror(e));
  }
  /* the element follows <Domain>: the head of the document is enough */
  char head[4096];
  size_t n = fread(head, 1, sizeof head - 1, f);
  fclose(f);
  head[n] = '\0';
  static const char key[] = "<Information Name=\"run_id\" Value=\"";
  const char *p = strstr(head, key);
  if (!p) {
    pinn_error_clear(err);
    return 0; /* written before run ids (or by someone else) */
  }
  p += sizeof key - 1;
  const char *q = strchr(p, '"');
  if (!q || !run_id_ok(p, (size_t)(q - p)))
    return pinn_error_set(err, PINN_EFORMAT, "'%s': its run_id Information is malformed",
                          xmf_path);
  memcpy(buf, p, (size_t)(q - p));
  buf[q - p] = '\0';
  pinn_error_clear(err);
  return 0;
}

/* A printable name: non-empty, no control characters. */
static int text_ok(const char *s)
{
  if (!s || !s[0]) return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; ++p)
    if (*p < 0x20 || *p == 0x7f) return 0;
  return 1;
}

/* A heavy-data reference (file or dataset): printable, no ':' (XDMF's
 * separator between file and dataset). */
static int ref_ok(const char *s) { return text_ok(s) && !strchr(s, ':'); }

static int check_ref(pinn_xdmf *x, const char *what, const char *s)
{
  if (!ref_ok(s))
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "%s '%s' is empty, has control characters or a ':' (XDMF "
                                "separates file and dataset with ':'); rename it",
                                what, s ? s : "(null)");
  if (!strcmp(what, "h5 file")) {
    size_t n = strlen(s);
    if (s[n - 1] == '/')
      return pinn_error_set_first(&x->err, PINN_EINVAL, "h5 file '%s' names a directory", s);
  }
  return 0;
}

/* Append a zeroed grid; NULL when out of memory (status set). */
static xgrid *new_grid(pinn_xdmf *x, const char *name, enum gkind kind)
{
  if (x->ngrid == x->capgrid) {
    size_t cap = x->capgrid ? 2 * x->capgrid : 4;
    xgrid *g = realloc(x->grids, cap * sizeof *g);
    if (!g) goto oom;
    x->grids = g;
    x->capgrid = cap;
  }
  xgrid *g = &x->grids[x->ngrid];
  memset(g, 0, sizeof *g);
  g->kind = kind;
  char buf[32];
  snprintf(buf, sizeof buf, "grid%zu", x->ngrid);
  if (!(g->name = strdup(name ? name : buf))) goto oom;
  x->ngrid++;
  return g;
oom:
  pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory adding a grid");
  return NULL;
}

/* Common start of the add_* calls: a usable document and a printable name. */
static int add_ok(pinn_xdmf *x, const char *name)
{
  if (!x) return PINN_EINVAL;
  if (x->err.code) return x->err.code;
  if (name && !text_ok(name))
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "grid name is empty or has control characters");
  return 0;
}

/* Common end of the add_* calls: out of memory (oom) drops the half-filled
 * grid, else *grid_out (optional) gets its index. */
static int grid_added(pinn_xdmf *x, int oom, const char *what, const char *name, int *grid_out)
{
  if (oom) {
    grid_clear(&x->grids[--x->ngrid]);
    return pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory adding %s '%s'", what,
                                name ? name : "");
  }
  if (grid_out) *grid_out = (int)(x->ngrid - 1);
  return 0;
}

static int check_axes(pinn_xdmf *x, const char *name, int ndim, const size_t *counts)
{
  if (ndim < 1 || ndim > 3)
    return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s': ndim %d must be 1, 2 or 3",
                                name ? name : "", ndim);
  if (!counts)
    return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s': counts is NULL",
                                name ? name : "");
  for (int i = 0; i < ndim; ++i)
    if (counts[i] < 1 || counts[i] > (size_t)1 << 31)
      return pinn_error_set_first(&x->err, PINN_EINVAL,
                                  "grid '%s': count %zu on axis %d must be in 1..2^31",
                                  name ? name : "", counts[i], i);
  return 0;
}

int pinn_xdmf_add_uniform_grid(pinn_xdmf *x, const char *name, int ndim, const size_t *counts,
                               const double *origin, const double *spacing, int *grid_out)
{
  int st = add_ok(x, name);
  if (st) return st;
  if (check_axes(x, name, ndim, counts)) return x->err.code;
  if (!origin || !spacing)
    return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s': origin or spacing is NULL",
                                name ? name : "");
  for (int i = 0; i < ndim; ++i)
    if (!isfinite(origin[i]) || !isfinite(spacing[i]) || !(spacing[i] > 0))
      return pinn_error_set_first(&x->err, PINN_EINVAL,
                                  "grid '%s': axis %d has origin %g and spacing %g; need finite "
                                  "values and spacing > 0",
                                  name ? name : "", i, origin[i], spacing[i]);
  xgrid *g = new_grid(x, name, G_UNIFORM);
  if (!g) return x->err.code;
  g->ndim = ndim;
  for (int i = 0; i < 3; ++i) {
    g->counts[i] = i < ndim ? counts[i] : 1;
    g->origin[i] = i < ndim ? origin[i] : 0.0;
    g->spacing[i] = i < ndim ? spacing[i] : 1.0;
  }
  return grid_added(x, 0, "grid", name, grid_out);
}

int pinn_xdmf_add_rectilinear_grid(pinn_xdmf *x, const char *name, int ndim,
                                   const size_t *counts, const char *h5file,
                                   const char *const *coord_datasets, int *grid_out)
{
  int st = add_ok(x, name);
  if (st) return st;
  if (check_axes(x, name, ndim, counts)) return x->err.code;
  if (check_ref(x, "h5 file", h5file)) return x->err.code;
  if (!coord_datasets)
    return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s': coord_datasets is NULL",
                                name ? name : "");
  for (int i = 0; i < ndim; ++i)
    if (check_ref(x, "coordinate dataset", coord_datasets[i])) return x->err.code;
  xgrid *g = new_grid(x, name, G_RECT);
  if (!g) return x->err.code;
  g->ndim = ndim;
  int oom = !(g->h5 = strdup(h5file));
  for (int i = 0; i < 3; ++i) {
    g->counts[i] = i < ndim ? counts[i] : 1;
    if (i < ndim && !(g->coords[i] = strdup(coord_datasets[i]))) oom = 1;
  }
  return grid_added(x, oom, "grid", name, grid_out);
}

int pinn_xdmf_add_point_set(pinn_xdmf *x, const char *name, size_t n, int coord_dim,
                            const char *h5file, const char *coords_dataset,
                            const char *conn_dataset, int *grid_out)
{
  int st = add_ok(x, name);
  if (st) return st;
  if (n < 1 || n > (size_t)1 << 31)
    return pinn_error_set_first(&x->err, PINN_EINVAL, "point set '%s': %zu points; need 1..2^31",
                                name ? name : "", n);
  if (coord_dim != 2 && coord_dim != 3)
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "point set '%s': coord_dim %d must be 2 or 3 (for 1-D points "
                                "write an [n][2] dataset with y = 0)",
                                name ? name : "", coord_dim);
  if (check_ref(x, "h5 file", h5file) || check_ref(x, "coordinate dataset", coords_dataset))
    return x->err.code;
  if (conn_dataset && check_ref(x, "connectivity dataset", conn_dataset)) return x->err.code;
  xgrid *g = new_grid(x, name, G_POINTS);
  if (!g) return x->err.code;
  g->npoints = n;
  g->coord_dim = coord_dim;
  g->h5 = strdup(h5file);
  g->coords[0] = strdup(coords_dataset);
  int oom = !g->h5 || !g->coords[0];
  if (conn_dataset && !(g->conn = strdup(conn_dataset))) oom = 1;
  return grid_added(x, oom, "point set", name, grid_out);
}

int pinn_xdmf_add_unstructured_grid(pinn_xdmf *x, const char *name, pinn_xdmf_cell type,
                                    size_t n_cells, size_t n_points, int coord_dim,
                                    const char *h5file, const char *conn_dataset,
                                    const char *coords_dataset, int *grid_out)
{
  int st = add_ok(x, name);
  if (st) return st;
  const char *nm = name ? name : "";
  if (type != PINN_XDMF_QUADRILATERAL && type != PINN_XDMF_HEXAHEDRON)
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "unstructured grid '%s': cell type %d; use "
                                "PINN_XDMF_QUADRILATERAL or PINN_XDMF_HEXAHEDRON",
                                nm, (int)type);
  if (n_cells < 1 || n_cells > (size_t)1 << 31 || n_points < 1 || n_points > (size_t)1 << 31)
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "unstructured grid '%s': %zu cells over %zu points; need 1..2^31 "
                                "of each",
                                nm, n_cells, n_points);
  if (coord_dim != 2 && coord_dim != 3)
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "unstructured grid '%s': coord_dim %d must be 2 or 3", nm,
                                coord_dim);
  if (type == PINN_XDMF_HEXAHEDRON && coord_dim != 3)
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "unstructured grid '%s': hexahedra need 3 coordinates per point "
                                "(got %d)",
                                nm, coord_dim);
  if (check_ref(x, "h5 file", h5file) || check_ref(x, "connectivity dataset", conn_dataset) ||
      check_ref(x, "coordinate dataset", coords_dataset))
    return x->err.code;
  xgrid *g = new_grid(x, name, G_CELLS);
  if (!g) return x->err.code;
  g->npoints = n_points;
  g->ncells = n_cells;
  g->cell_nodes = (int)type;
  g->coord_dim = coord_dim;
  g->h5 = strdup(h5file);
  g->coords[0] = strdup(coords_dataset);
  g->conn = strdup(conn_dataset);
  return grid_added(x, !g->h5 || !g->coords[0] || !g->conn, "unstructured grid", name, grid_out);
}

static xgrid *grid_at(pinn_xdmf *x, int grid)
{
  if (grid < 0 || (size_t)grid >= x->ngrid) {
    pinn_error_set_first(&x->err, PINN_EINVAL,
                         "grid index %d is out of range (the document has %zu grids)", grid,
                         x->ngrid);
    return NULL;
  }
  return &x->grids[grid];
}

int pinn_xdmf_set_times(pinn_xdmf *x, int grid, size_t nt, const double *times)
{
  int st = add_ok(x, NULL);
  if (st) return st;
  xgrid *g = grid_at(x, grid);
  if (!g) return x->err.code;
  if (g->nt)
    return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s' already has times", g->name);
  if (nt < 1 || nt > 100000000 || !times)
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "grid '%s': need 1..1e8 times and a times array (got %zu)", g->name,
                                nt);
  for (size_t k = 0; k < nt; ++k) {
    if (!isfinite(times[k]))
      return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s': time %zu is not finite",
                                  g->name, k);
    if (k > 0 && !(times[k] > times[k - 1]))
      return pinn_error_set_first(&x->err, PINN_EINVAL,
                                  "grid '%s': times must increase strictly (t[%zu] = %g after %g)",
                                  g->name, k, times[k], times[k - 1]);
  }
  g->times = malloc(nt * sizeof *g->times);
  if (!g->times)
    return pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory storing %zu times", nt);
  memcpy(g->times, times, nt * sizeof *g->times);
  g->nt = nt;
  return 0;
}

int pinn_xdmf_add_attribute(pinn_xdmf *x, int grid, const char *name, const char *h5file,
                            const char *dataset)
{
  int st = add_ok(x, NULL);
  if (st) return st;
  xgrid *g = grid_at(x, grid);
  if (!g) return x->err.code;
  if (!text_ok(name))
    return pinn_error_set_first(&x->err, PINN_EINVAL,
                                "attribute name on grid '%s' is empty or has control characters",
                                g->name);
  if (check_ref(x, "h5 file", h5file) || check_ref(x, "dataset", dataset)) return x->err.code;
  for (size_t i = 0; i < g->nattr; ++i)
    if (!strcmp(g->attrs[i].name, name))
      return pinn_error_set_first(&x->err, PINN_EINVAL, "grid '%s' already has an attribute '%s'",
                                  g->name, name);
  if (g->nattr == g->capattr) {
    size_t cap = g->capattr ? 2 * g->capattr : 4;
    xattr *a = realloc(g->attrs, cap * sizeof *a);
    if (!a)
      return pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory adding attribute '%s'",
                                  name);
    g->attrs = a;
    g->capattr = cap;
  }
  xattr *a = &g->attrs[g->nattr];
  a->name = strdup(name);
  a->h5 = strdup(h5file);
  a->dataset = strdup(dataset);
  if (!a->name || !a->h5 || !a->dataset) {
    free(a->name);
    free(a->h5);
    free(a->dataset);
    return pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory adding attribute '%s'", name);
  }
  g->nattr++;
  return 0;
}

int pinn_xdmf_step_dataset(char *buf, size_t cap, const char *base, size_t k)
{
  if (!buf || !base || !base[0]) return PINN_EINVAL;
  int n = snprintf(buf, cap, "%s/%06zu", base, k);
  if (n < 0 || (size_t)n >= cap) {
    if (cap) buf[0] = '\0';
    return PINN_EINVAL;
  }
  return 0;
}

/* ------------------------------------------------------- relative paths */

/* Lexically normalise an absolute path in place ('.', '..', '//'). */
static void normalise(char *p)
{
  size_t n = strlen(p);
  char *out = p;            /* write cursor; out[0] = '/' */
  size_t w = 0;
  size_t i = 0;
  out[w++] = '/';
  while (i < n) {
    while (i < n && p[i] == '/') ++i;
    size_t s = i;
    while (i < n && p[i] != '/') ++i;
    size_t len = i - s;
    if (len == 0 || (len == 1 && p[s] == '.')) continue;
    if (len == 2 && p[s] == '.' && p[s + 1] == '.') {
      if (w > 1) {
        w--;                 /* drop trailing '/' */
        while (w > 1 && out[w - 1] != '/') --w;
      }
      continue;
    }
    memmove(out + w, p + s, len);
    w += len;
    out[w++] = '/';
  }
  if (w > 1) w--;           /* no trailing '/' except for the root */
  out[w] = '\0';
}

/* Absolute directory of a file path (symlinks resolved when it exists). */
static char *abs_dir(const char *path)
{
  char *d = pinn_h5io_dir_of(path);
  if (!d) return NULL;
  char *rp = realpath(d, NULL);
  if (rp) {
    free(d);
    return rp;
  }
  if (d[0] == '/') {
    normalise(d);
    return d;
  }
  char *cwd = realpath(".", NULL);
  if (!cwd) {
    free(d);
    return NULL;
  }
  size_t n = strlen(cwd) + strlen(d) + 2;
  char *full = malloc(n);
  if (full) {
    snprintf(full, n, "%s/%s", cwd, d);
    normalise(full);
  }
  free(cwd);
  free(d);
  return full;
}

/* Path of file `target` relative to the directory holding `from`
 * (both paths as seen from the current directory).  malloc'd. */
static char *relative_path(const char *target, const char *from)
{
  char *td = abs_dir(target), *fd = abs_dir(from);
  char *res = NULL;
  if (!td || !fd) goto done;
  const char *base = strrchr(target, '/');
  base = base ? base + 1 : target;
  /* Common prefix by components. */
  size_t i = 0, common = 0;
  size_t tl = strlen(td), fl = strlen(fd);
  while (i < tl && i < fl && td[i] == fd[i]) {
    ++i;
    if (td[i - 1] == '/') common = i;
  }
  if ((i == tl || td[i] == '/') && (i == fl || fd[i] == '/')) common = i;
  /* Count the components of fd after the common prefix. */
  size_t ups = 0;
  for (size_t k = common; k < fl; ++k)
    if (fd[k] != '/' && (k == common || fd[k - 1] == '/')) ++ups;
  const char *rest = td + common;
  while (*rest == '/') ++rest;
  size_t n = 3 * ups + strlen(rest) + strlen(base) + 2;
  res = malloc(n);
  if (!res) goto done;
  res[0] = '\0';
  for (size_t k = 0; k < ups; ++k) strcat(res, "../");
  if (*rest) {
    strcat(res, rest);
    strcat(res, "/");
  }
  strcat(res, base);
done:
  free(td);
  free(fd);
  return res;
}

/* ---------------------------------------------------------------- render */

/* Append s with the five XML special characters escaped. */
static void sb_xml(pinn_text *b, const char *s)
{
  for (; *s; ++s) {
    switch (*s) {
    case '&': pinn_text_put(b, "&amp;"); break;
    case '<': pinn_text_put(b, "&lt;"); break;
    case '>': pinn_text_put(b, "&gt;"); break;
    case '"': pinn_text_put(b, "&quot;"); break;
    case '\'': pinn_text_put(b, "&apos;"); break;
    default: pinn_text_put(b, "%c", *s);
    }
  }
}

/* A DataItem of heavy data: "<rel>:/<dataset>" with the given dimensions. */
static void sb_item(pinn_text *b, const char *ind, const char *dims, const char *type,
                    const char *rel, const char *dataset)
{
  pinn_text_put(b,
                "%s  <DataItem Dimensions=\"%s\" NumberType=\"%s\" Precision=\"8\" Format=\"HDF\">",
                ind, dims, type);
  sb_xml(b, rel);
  pinn_text_put(b, ":%s", dataset[0] == '/' ? "" : "/");
  sb_xml(b, dataset);
  pinn_text_put(b, "</DataItem>\n");
}

/* XDMF Dimensions of a grid's node array: "NZ NY NX" or "N". */
static void dims_text(const xgrid *g, char *buf, size_t cap)
{
  if (g->kind == G_POINTS || g->kind == G_CELLS)
    snprintf(buf, cap, "%zu", g->npoints);
  else
    snprintf(buf, cap, "%zu %zu %zu", g->counts[2], g->counts[1], g->counts[0]);
}

/* Topology + Geometry of a grid (the part shared by all its time steps). */
static void render_mesh(pinn_text *b, const xgrid *g, const char *rel, const char *ind)
{
  char dims[96], n[64];
  dims_text(g, dims, sizeof dims);
  if (g->kind == G_UNIFORM) {
    pinn_text_put(b, "%s<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%s\"/>\n", ind, dims);
    pinn_text_put(b, "%s<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n", ind);
    pinn_text_put(b,
                  "%s  <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" "
                  "Precision=\"8\" Format=\"XML\">%.17g %.17g %.17g</DataItem>\n",
                  ind, g->origin[2], g->origin[1], g->origin[0]);
    pinn_text_put(b,
                  "%s  <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" "
                  "Precision=\"8\" Format=\"XML\">%.17g %.17g %.17g</DataItem>\n",
                  ind, g->spacing[2], g->spacing[1], g->spacing[0]);
  } else if (g->kind == G_RECT) {
    pinn_text_put(b, "%s<Topology TopologyType=\"3DRectMesh\" Dimensions=\"%s\"/>\n", ind, dims);
    pinn_text_put(b, "%s<Geometry GeometryType=\"VXVYVZ\">\n", ind);
    for (int i = 0; i < 3; ++i) {
      snprintf(n, sizeof n, "%zu", g->counts[i]);
      if (i < g->ndim)
        sb_item(b, ind, n, "Float", rel, g->coords[i]);
      else
        pinn_text_put(b,
                      "%s  <DataItem Dimensions=\"1\" NumberType=\"Float\" Precision=\"8\" "
                      "Format=\"XML\">0</DataItem>\n",
                      ind);
    }
  } else if (g->kind == G_CELLS) {
    pinn_text_put(b,
                  "%s<Topology TopologyType=\"%s\" NumberOfElements=\"%zu\" "
                  "NodesPerElement=\"%d\">\n",
                  ind, g->cell_nodes == 8 ? "Hexahedron" : "Quadrilateral", g->ncells,
                  g->cell_nodes);
    snprintf(n, sizeof n, "%zu %d", g->ncells, g->cell_nodes);
    sb_item(b, ind, n, "Int", rel, g->conn);
    pinn_text_put(b, "%s</Topology>\n", ind);
    pinn_text_put(b, "%s<Geometry GeometryType=\"%s\">\n", ind, g->coord_dim == 3 ? "XYZ" : "XY");
    snprintf(n, sizeof n, "%zu %d", g->npoints, g->coord_dim);
    sb_item(b, ind, n, "Float", rel, g->coords[0]);
  } else {
    pinn_text_put(b,
                  "%s<Topology TopologyType=\"Polyvertex\" NumberOfElements=\"%zu\" "
                  "NodesPerElement=\"1\">\n",
                  ind, g->npoints);
    if (g->conn) {
      sb_item(b, ind, dims, "Int", rel, g->conn);
    } else {
      pinn_text_put(b,
                    "%s  <DataItem Dimensions=\"%zu\" NumberType=\"Int\" Precision=\"8\" "
                    "Format=\"XML\">",
                    ind, g->npoints);
      for (size_t k = 0; k < g->npoints; ++k)
        pinn_text_put(b, "%s%zu", k == 0 ? "" : (k % 16 == 0 ? "\n" : " "), k);
      pinn_text_put(b, "</DataItem>\n");
    }
    pinn_text_put(b, "%s</Topology>\n", ind);
    pinn_text_put(b, "%s<Geometry GeometryType=\"%s\">\n", ind, g->coord_dim == 3 ? "XYZ" : "XY");
    snprintf(n, sizeof n, "%zu %d", g->npoints, g->coord_dim);
    sb_item(b, ind, n, "Float", rel, g->coords[0]);
  }
  pinn_text_put(b, "%s</Geometry>\n", ind);
}

/* Render one grid, static or a temporal collection of one grid per step; 0
 * or a status (message set). */
static int render_grid(pinn_xdmf *x, pinn_text *b, const xgrid *g, const char *xmf_path)
{
  char *grel = NULL, *step = NULL;
  char **arel = NULL;
  int st = 0;
  size_t cap = 32;
  if (g->h5 && !(grel = relative_path(g->h5, xmf_path))) goto oom;
  if (g->nattr && !(arel = calloc(g->nattr, sizeof *arel))) goto oom;
  for (size_t i = 0; i < g->nattr; ++i) {
    if (!(arel[i] = relative_path(g->attrs[i].h5, xmf_path))) goto oom;
    if (strlen(g->attrs[i].dataset) + 32 > cap) cap = strlen(g->attrs[i].dataset) + 32;
  }
  if (!(step = malloc(cap))) goto oom;
  const char *rel = grel ? grel : "", *ind = g->nt ? "        " : "      ";
  if (g->nt) {
    pinn_text_put(b, "    <Grid Name=\"");
    sb_xml(b, g->name);
    pinn_text_put(b, "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  }
  for (size_t k = 0; k < (g->nt ? g->nt : 1); ++k) {
    pinn_text_put(b, "%s<Grid Name=\"", ind + 2);
    sb_xml(b, g->name);
    if (g->nt) pinn_text_put(b, "_%06zu", k);
    pinn_text_put(b, "\" GridType=\"Uniform\">\n");
    if (g->nt) pinn_text_put(b, "%s<Time Value=\"%.17g\"/>\n", ind, g->times[k]);
    render_mesh(b, g, rel, ind);
    for (size_t i = 0; i < g->nattr; ++i) {
      const char *ds = g->attrs[i].dataset;
      char dims[96];
      dims_text(g, dims, sizeof dims);
      if (g->nt) pinn_xdmf_step_dataset(step, cap, ds, k);
      pinn_text_put(b, "%s<Attribute Name=\"", ind);
      sb_xml(b, g->attrs[i].name);
      pinn_text_put(b, "\" AttributeType=\"Scalar\" Center=\"Node\">\n");
      sb_item(b, ind, dims, "Float", arel[i], g->nt ? step : ds);
      pinn_text_put(b, "%s</Attribute>\n", ind);
    }
    pinn_text_put(b, "%s</Grid>\n", ind + 2);
  }
  if (g->nt) pinn_text_put(b, "    </Grid>\n");
  goto done;
oom:
  st = pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory rendering the XDMF document");
done:
  free(grel);
  free(step);
  for (size_t i = 0; arel && i < g->nattr; ++i) free(arel[i]);
  free(arel);
  return st;
}

/* Render the document into *doc (malloc'd); on failure a status with the
 * message on x (x->err.code set: the caller releases it). */
static int render_doc(pinn_xdmf *x, const char *xmf_path, char **doc)
{
  *doc = NULL;
  if (!text_ok(xmf_path))
    return pinn_error_set(&x->err, PINN_EINVAL,
                          "xmf path is NULL, empty or has control characters");
  if (x->ngrid == 0)
    return pinn_error_set(&x->err, PINN_EINVAL,
                          "the XDMF document has no grid; add one before writing");
  pinn_text b = {NULL, 0, 0, 1, 0};
  pinn_text_put(&b, "<?xml version=\"1.0\" ?>\n"
                    "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                    "<Xdmf Version=\"2.0\">\n"
                    "  <Domain>\n");
  if (x->run_id[0])
    pinn_text_put(&b, "    <Information Name=\"run_id\" Value=\"%s\"/>\n", x->run_id);
  for (size_t i = 0; i < x->ngrid && !b.full; ++i)
    if (render_grid(x, &b, &x->grids[i], xmf_path)) b.full = 1;
  pinn_text_put(&b, "  </Domain>\n</Xdmf>\n");
  if (b.full) {
    free(b.buf);
    return pinn_error_set(&x->err, PINN_ENOMEM, "out of memory rendering the XDMF document");
  }
  *doc = b.buf;
  return 0;
}

char *pinn_xdmf_render(pinn_xdmf *x, const char *xmf_path)
{
  if (!x || x->err.code) return NULL;
  char *doc;
  release_failure(x, render_doc(x, xmf_path, &doc), NULL);
  return doc;
}

/* Write doc to xmf_path atomically; a status with the message on x. */
static int write_doc(pinn_xdmf *x, const char *xmf_path, const char *doc)
{
  char *tmp = NULL;
  int fd = pinn_h5io_tmp_create(xmf_path, &tmp, &x->err);
  if (fd < 0) return x->err.code;
  int st = pinn_h5io_write_all(fd, doc, strlen(doc), tmp, xmf_path, &x->err);
  if (!st) st = pinn_h5io_finish(fd, tmp, xmf_path, &x->err);
  if (st) unlink(tmp);
  free(tmp);
  return st;
}

int pinn_xdmf_write(pinn_xdmf *x, const char *xmf_path, pinn_error *err)
{
  if (!x) return pinn_error_set(err, PINN_EINVAL, "pinn_xdmf_write: document is NULL");
  if (x->err.code)
    return pinn_error_set(err, x->err.code, "not writing '%s': an earlier call failed: %s",
                          xmf_path ? xmf_path : "(null)", x->err.msg);
  char *doc;
  int st = render_doc(x, xmf_path, &doc);
  if (!st) st = write_doc(x, xmf_path, doc);
  free(doc);
  return release_failure(x, st, err);
}

/* ----------------------------------------------------------------- check */

typedef struct checker {
  pinn_xdmf *x;
  pinn_h5_reader *r;
  char *open_name;
} checker;

/* Dataset `ds` in `h5` must exist and hold `want` values; if last_dim > 0 it
 * must be rank 2 with that last extent. */
static int check_one(checker *c, const char *h5, const char *ds, size_t want, size_t last_dim)
{
  if (!c->open_name || strcmp(c->open_name, h5) != 0) {
    pinn_h5_close(c->r);
    free(c->open_name);
    c->r = NULL;
    c->open_name = NULL;
    pinn_error e;
    c->r = pinn_h5_open(h5, &e);
    if (!c->r)
      return pinn_error_set_first(&c->x->err, e.code, "XDMF check: %s", e.msg);
    c->open_name = strdup(h5);
    if (!c->open_name)
      return pinn_error_set_first(&c->x->err, PINN_ENOMEM, "out of memory checking '%s'", h5);
  }
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  int st = pinn_h5_dataset_shape(c->r, ds, &rank, dims);
  if (st)
    return pinn_error_set_first(&c->x->err, st, "XDMF check: %s", pinn_h5_reader_errmsg(c->r));
  size_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  if (n != want || (last_dim && (rank != 2 || dims[1] != last_dim))) {
    char shape[48] = "";
    if (last_dim) snprintf(shape, sizeof shape, " as [n][%zu]", last_dim);
    return pinn_error_set_first(&c->x->err, PINN_EFORMAT,
                                "XDMF check: dataset '%s' in '%s' has %zu values (rank %d), the "
                                "document needs %zu%s",
                                ds, h5, n, rank, want, shape);
  }
  return 0;
}

/* Every index of an unstructured grid's connectivity (just opened by
 * check_one, so c->r reads its file) lies in 0..npoints-1. */
static int check_conn(checker *c, const xgrid *g)
{
  int64_t *v = NULL;
  size_t want[2] = {g->ncells, (size_t)g->cell_nodes};
  int st = pinn_h5_read_dataset_int64(c->r, g->conn, 2, want, &v, NULL, NULL);
  if (st) {
    free(v);
    return pinn_error_set_first(&c->x->err, st, "XDMF check: %s", pinn_h5_reader_errmsg(c->r));
  }
  for (size_t i = 0; i < want[0] * want[1]; ++i)
    if (v[i] < 0 || (uint64_t)v[i] >= (uint64_t)g->npoints) {
      st = pinn_error_set_first(&c->x->err, PINN_EFORMAT,
                                "XDMF check: connectivity '%s' in '%s': cell %zu names point "
                                "%lld; the grid has points 0..%zu",
                                g->conn, g->h5, i / want[1], (long long)v[i], g->npoints - 1);
      break;
    }
  free(v);
  return st;
}

int pinn_xdmf_check(pinn_xdmf *x, pinn_error *err)
{
  if (!x) return pinn_error_set(err, PINN_EINVAL, "pinn_xdmf_check: document is NULL");
  if (x->err.code) return pinn_error_set(err, x->err.code, "%s", x->err.msg);
  checker c = {x, NULL, NULL};
  int st = 0;
  for (size_t gi = 0; gi < x->ngrid && !st; ++gi) {
    const xgrid *g = &x->grids[gi];
    const size_t nodes = g->kind == G_POINTS || g->kind == G_CELLS
                             ? g->npoints
                             : g->counts[0] * g->counts[1] * g->counts[2];
    if (g->kind == G_RECT)
      for (int i = 0; i < g->ndim && !st; ++i)
        st = check_one(&c, g->h5, g->coords[i], g->counts[i], 0);
    if (g->kind == G_POINTS) {
      st = check_one(&c, g->h5, g->coords[0], g->npoints * (size_t)g->coord_dim,
                     (size_t)g->coord_dim);
      if (!st && g->conn) st = check_one(&c, g->h5, g->conn, g->npoints, 0);
    }
    if (g->kind == G_CELLS) {
      st = check_one(&c, g->h5, g->coords[0], g->npoints * (size_t)g->coord_dim,
                     (size_t)g->coord_dim);
      if (!st) st = check_one(&c, g->h5, g->conn, g->ncells * (size_t)g->cell_nodes,
                              (size_t)g->cell_nodes);
      if (!st) st = check_conn(&c, g);
    }
    for (size_t i = 0; i < g->nattr && !st; ++i) {
      const xattr *a = &g->attrs[i];
      size_t cap = strlen(a->dataset) + 32;
      char *ds = malloc(cap);
      if (!ds) {
        st = pinn_error_set_first(&x->err, PINN_ENOMEM, "out of memory checking '%s'", a->dataset);
        break;
      }
      for (size_t k = 0; k < (g->nt ? g->nt : 1) && !st; ++k) { /* every step of a series */
        if (g->nt) pinn_xdmf_step_dataset(ds, cap, a->dataset, k);
        st = check_one(&c, a->h5, g->nt ? ds : a->dataset, nodes, 0);
      }
      free(ds);
    }
  }
  pinn_h5_close(c.r);
  free(c.open_name);
  return release_failure(x, st, err);
}
