/* Tests for the XDMF sidecar builder: documents for 1D/2D/3D uniform,
 * rectilinear, temporal, unstructured (quadrilateral, hexahedral) and
 * point-set grids are rendered, written atomically, parsed back (tag
 * balance, Dimensions, relative .h5 paths) and checked against real .h5
 * files written with h5io.
 *
 * With PINN_XDMF_EXAMPLES=<dir> set, the example files (.xmf files in <dir>,
 * <dir>/view and <dir>/data, .h5 files in <dir>/data) are left there for
 * tests/paraview_check.py. */
#define _XOPEN_SOURCE 700
#include <pinn/h5io.h>
#include <pinn/xdmf.h>

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* ------------------------------------------------------------ helpers */

static int count_of(const char *hay, const char *needle)
{
  int n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) ++n;
  return n;
}

/* A minimal XML well-formedness check: every start tag is closed in order,
 * attribute values are quoted, no stray '<' or '&' in text.  Returns 1 if ok. */
static int xml_balanced(const char *s)
{
  if (!s) return 0;
  char stack[64][64];
  int depth = 0, roots = 0;
  const char *p = s;
  while (*p) {
    if (*p == '&') {
      const char *semi = strchr(p, ';');
      if (!semi || semi - p > 6) return 0;
      p = semi + 1;
      continue;
    }
    if (*p != '<') {
      ++p;
      continue;
    }
    if (p[1] == '?' || p[1] == '!') {
      const char *end = strchr(p, '>');
      if (!end) return 0;
      p = end + 1;
      continue;
    }
    int closing = p[1] == '/';
    const char *q = p + 1 + closing;
    char name[64];
    size_t n = 0;
    while (*q && *q != ' ' && *q != '>' && *q != '/' && *q != '\n' && n < 63) name[n++] = *q++;
    name[n] = '\0';
    if (n == 0) return 0;
    /* Skip attributes, respecting quotes. */
    int self = 0;
    while (*q && *q != '>') {
      if (*q == '"') {
        const char *r = strchr(q + 1, '"');
        if (!r) return 0;
        for (const char *t = q + 1; t < r; ++t)
          if (*t == '<') return 0;
        q = r + 1;
        continue;
      }
      if (*q == '/' && q[1] == '>') self = 1;
      ++q;
    }
    if (!*q) return 0;
    if (closing) {
      if (depth == 0 || strcmp(stack[depth - 1], name) != 0) return 0;
      --depth;
    } else if (!self) {
      if (depth == 0) ++roots;
      if (depth == 64) return 0;
      strcpy(stack[depth++], name);
    } else if (depth == 0) {
      ++roots;
    }
    p = q + 1;
  }
  return depth == 0 && roots == 1;
}

/* Text of the first DataItem (HDF format) inside the first <Attribute
 * Name="name"...> after `from`; "" if none.  Static buffer. */
static const char *attr_ref(const char *doc, const char *name, int nth)
{
  static char out[512];
  out[0] = '\0';
  char key[128];
  snprintf(key, sizeof key, "<Attribute Name=\"%s\"", name);
  const char *p = doc;
  for (int k = 0; k <= nth; ++k) {
    p = strstr(p, key);
    if (!p) return out;
    if (k < nth) p += strlen(key);
  }
  p = strstr(p, "Format=\"HDF\">");
  if (!p) return out;
  p += strlen("Format=\"HDF\">");
  const char *e = strstr(p, "</DataItem>");
  if (!e || e - p >= (long)sizeof out) return out;
  memcpy(out, p, (size_t)(e - p));
  out[e - p] = '\0';
  return out;
}

/* The example folder: PINN_XDMF_EXAMPLES (kept) or a fresh temporary one. */
static char *example_dir(int *keep)
{
  const char *env = getenv("PINN_XDMF_EXAMPLES");
  if (env && env[0]) {
    mkdir(env, 0755);
    *keep = 1;
    return strdup(env);
  }
  *keep = 0;
  return pinn_test_tmpdir("xdmf");
}

/* An example's folder (example_dir), its data/ subfolder and the .h5 in it. */
typedef struct example {
  int keep;
  char *dir, *data, *h5;
} example;

/* Set up an example writing data/<h5name>; returns the writer of that .h5. */
static pinn_h5_writer *example_begin(example *ex, const char *h5name)
{
  ex->dir = example_dir(&ex->keep);
  ex->data = pinn_test_join(ex->dir, "data");
  mkdir(ex->data, 0755);
  ex->h5 = pinn_test_join(ex->data, h5name);
  pinn_error e;
  return pinn_h5_create(ex->h5, &e);
}

/* Remove the example's files (unless kept) and free its names. */
static void example_end(example *ex)
{
  if (!ex->keep) pinn_test_rmtree(ex->dir);
  free(ex->h5);
  free(ex->data);
  free(ex->dir);
}

/* Check x against its .h5 files, write it to <folder>/<name> and read the
 * document back: asserts that all of it works and the text is well-formed. */
static char *checked_write(pinn_xdmf *x, const char *folder, const char *name)
{
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_xdmf_check(x, &e), 0);
  char *xmf = pinn_test_join(folder, name);
  CU_ASSERT_EQUAL(pinn_xdmf_write(x, xmf, &e), 0);
  char *doc = (char *)pinn_test_read_file(xmf, NULL);
  free(xmf);
  CU_ASSERT(xml_balanced(doc));
  return doc;
}

/* A document of one uniform grid with the attribute u (dataset ds of ex's
 * .h5), written as <ex's folder>/<file> and checked: the text written. */
static char *uniform_example(const example *ex, const char *name, int ndim, const size_t *counts,
                             const double *origin, const double *spacing, const char *ds,
                             const char *file)
{
  pinn_xdmf *x = pinn_xdmf_alloc();
  int g = -1;
  CU_ASSERT_EQUAL(pinn_xdmf_add_uniform_grid(x, name, ndim, counts, origin, spacing, &g), 0);
  CU_ASSERT_EQUAL(g, 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", ex->h5, ds), 0);
  char *doc = checked_write(x, ex->dir, file);
  pinn_xdmf_free(x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  return doc;
}

/* A uniform grid "g" that pinn_xdmf_add_uniform_grid must refuse, with a
 * message containing want (when not NULL). */
static void refused_uniform(int ndim, const size_t *counts, const double *origin,
                            const double *spacing, const char *want)
{
  pinn_xdmf *x = pinn_xdmf_alloc();
  int g;
  CU_ASSERT_EQUAL(pinn_xdmf_add_uniform_grid(x, "g", ndim, counts, origin, spacing, &g),
                  PINN_EINVAL);
  if (want) CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), want));
  pinn_xdmf_free(x);
}

/* A document with one 1-D grid "g" of 2 nodes (index in *g). */
static pinn_xdmf *line_doc(int *g)
{
  pinn_xdmf *x = pinn_xdmf_alloc();
  pinn_xdmf_add_uniform_grid(x, "g", 1, (size_t[1]){2}, (double[1]){0}, (double[1]){1}, g);
  return x;
}

static void write_or_fail(pinn_h5_writer *w, const char *name, int rank, const size_t *dims,
                          const double *v)
{
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, name, rank, dims, v), 0);
}

/* ---------------------------------------------------- example documents */

static void uniform_grids_use_3d_corect_meshes_listed_z_y_x(void)
{
  example ex;
  pinn_h5_writer *w = example_begin(&ex, "uniform.h5");
  pinn_error e;
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  /* 1D: u = x^2 on 11 nodes of [0, 1]. */
  double line[11];
  for (int i = 0; i < 11; ++i) line[i] = (i * 0.1) * (i * 0.1);
  write_or_fail(w, "line/u", 1, (size_t[1]){11}, line);
  /* 2D: u[j][i] = i + 10 j, nx = 5, ny = 4. */
  double plane[20];
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 5; ++i) plane[j * 5 + i] = i + 10 * j;
  write_or_fail(w, "plane/u", 2, (size_t[2]){4, 5}, plane);
  /* 3D: u[k][j][i] = i + 10 j + 100 k, nx = 4, ny = 3, nz = 2. */
  double vol[24];
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 4; ++i) vol[(k * 3 + j) * 4 + i] = i + 10 * j + 100 * k;
  write_or_fail(w, "volume/u", 3, (size_t[3]){2, 3, 4}, vol);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);

  /* 1D */
  char *doc = uniform_example(&ex, "line", 1, (size_t[1]){11}, (double[1]){0.0},
                              (double[1]){0.1}, "line/u", "line.xmf");
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "TopologyType=\"3DCoRectMesh\" Dimensions=\"1 1 11\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Format=\"XML\">0 0 0</DataItem>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Format=\"XML\">1 1 0.10000000000000001</DataItem>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<DataItem Dimensions=\"1 1 11\" NumberType=\"Float\""));
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "data/uniform.h5:/line/u");
  free(doc);

  /* 2D: origin (-1, 2), spacing (0.5, 0.25) listed z y x. */
  doc = uniform_example(&ex, "plane", 2, (size_t[2]){5, 4}, (double[2]){-1.0, 2.0},
                        (double[2]){0.5, 0.25}, "/plane/u", "plane.xmf");
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "TopologyType=\"3DCoRectMesh\" Dimensions=\"1 4 5\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Format=\"XML\">0 2 -1</DataItem>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Format=\"XML\">1 0.25 0.5</DataItem>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<DataItem Dimensions=\"1 4 5\" NumberType=\"Float\""));
  CU_ASSERT_EQUAL(count_of(doc, "2DCoRectMesh"), 0);
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "data/uniform.h5:/plane/u");
  free(doc);

  /* 3D */
  doc = uniform_example(&ex, NULL, 3, (size_t[3]){4, 3, 2}, (double[3]){0, 0, 0},
                        (double[3]){1, 2, 3}, "volume/u", "volume.xmf");
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<Grid Name=\"grid0\" GridType=\"Uniform\">"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "TopologyType=\"3DCoRectMesh\" Dimensions=\"2 3 4\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Format=\"XML\">3 2 1</DataItem>"));
  CU_ASSERT_EQUAL(count_of(doc, "<DataItem Dimensions=\"2 3 4\" NumberType=\"Float\""), 1);
  free(doc);
  example_end(&ex);
}

static void rectilinear_grid_uses_vxvyvz_with_inline_zero_for_missing_axes(void)
{
  example ex;
  pinn_h5_writer *w = example_begin(&ex, "rect.h5");
  pinn_error e;
  double xs[5] = {0, 1, 3, 6, 10}, ys[4] = {0, 0.5, 2, 2.5}, u[20];
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 5; ++i) u[j * 5 + i] = xs[i] * ys[j];
  write_or_fail(w, "x", 1, (size_t[1]){5}, xs);
  write_or_fail(w, "y", 1, (size_t[1]){4}, ys);
  write_or_fail(w, "u", 2, (size_t[2]){4, 5}, u);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);

  pinn_xdmf *x = pinn_xdmf_alloc();
  int g;
  const char *coords[2] = {"x", "/y"};
  CU_ASSERT_EQUAL(
      pinn_xdmf_add_rectilinear_grid(x, "rect", 2, (size_t[2]){5, 4}, ex.h5, coords, &g), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "xy", ex.h5, "u"), 0);
  char *doc = checked_write(x, ex.dir, "rect.xmf");
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "TopologyType=\"3DRectMesh\" Dimensions=\"1 4 5\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "GeometryType=\"VXVYVZ\""));
  const char *vx = strstr(doc, "<DataItem Dimensions=\"5\"");
  const char *vy = strstr(doc, "<DataItem Dimensions=\"4\"");
  const char *vz = strstr(doc, "Format=\"XML\">0</DataItem>");
  CU_ASSERT(vx && vy && vz && vx < vy && vy < vz); /* X, Y, then the inline Z */
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, ">data/rect.h5:/x</DataItem>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, ">data/rect.h5:/y</DataItem>"));
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "xy", 0), "data/rect.h5:/u");
  free(doc);
  /* A coordinate dataset of the wrong length is caught by the check. */
  pinn_xdmf *bad = pinn_xdmf_alloc();
  const char *swapped[2] = {"y", "x"};
  CU_ASSERT_EQUAL(pinn_xdmf_add_rectilinear_grid(bad, "rect", 2, (size_t[2]){5, 4}, ex.h5, swapped,
                                                 &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_check(bad, &e), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'y'"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "needs 5"));
  pinn_xdmf_free(bad);
  pinn_xdmf_free(x);
  example_end(&ex);
}

static void temporal_grid_has_one_uniform_step_per_time_reading_per_step_datasets(void)
{
  example ex;
  pinn_h5_writer *w = example_begin(&ex, "series.h5");
  pinn_error e;
  const double times[3] = {0.0, 0.5, 1.0};
  for (int k = 0; k < 3; ++k) {
    double u[20];
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) u[j * 5 + i] = 100 * k + i + 10 * j;
    char name[64];
    CU_ASSERT_EQUAL(pinn_xdmf_step_dataset(name, sizeof name, "u", (size_t)k), 0);
    write_or_fail(w, name, 2, (size_t[2]){4, 5}, u);
  }
  write_or_fail(w, "t", 1, (size_t[1]){3}, times);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);

  pinn_xdmf *x = pinn_xdmf_alloc();
  int g;
  CU_ASSERT_EQUAL(pinn_xdmf_add_uniform_grid(x, "series", 2, (size_t[2]){5, 4},
                                             (double[2]){0, 0}, (double[2]){0.25, 0.5}, &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_set_times(x, g, 3, times), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", ex.h5, "u"), 0);
  char *doc = checked_write(x, ex.dir, "series.xmf");
  CU_ASSERT_EQUAL(count_of(doc, "GridType=\"Collection\" CollectionType=\"Temporal\""), 1);
  CU_ASSERT_EQUAL(count_of(doc, "GridType=\"Uniform\""), 3);
  CU_ASSERT_EQUAL(count_of(doc, "<Time Value="), 3);
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<Time Value=\"0.5\"/>"));
  CU_ASSERT_EQUAL(count_of(doc, "Dimensions=\"1 4 5\""), 6); /* topology + attribute per step */
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "data/series.h5:/u/000000");
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 2), "data/series.h5:/u/000002");
  CU_ASSERT_EQUAL(count_of(doc, "HyperSlab"), 0);
  /* Steps appear in time order. */
  const char *t0 = strstr(doc, "<Time Value=\"0\"/>"), *t1 = strstr(doc, "<Time Value=\"1\"/>");
  CU_ASSERT(t0 && t1 && t0 < t1);
  free(doc);
  pinn_xdmf_free(x);

  /* A missing step dataset is caught by the check, naming it. */
  x = pinn_xdmf_alloc();
  pinn_xdmf_add_uniform_grid(x, "series", 2, (size_t[2]){5, 4}, (double[2]){0, 0},
                             (double[2]){0.25, 0.5}, &g);
  CU_ASSERT_EQUAL(pinn_xdmf_set_times(x, g, 4, (double[4]){0, 1, 2, 3}), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", ex.h5, "u"), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_check(x, &e), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "u/000003"));
  pinn_xdmf_free(x);

  char small[8];
  CU_ASSERT_EQUAL(pinn_xdmf_step_dataset(small, sizeof small, "u", 3), PINN_EINVAL);
  char big[32];
  CU_ASSERT_EQUAL(pinn_xdmf_step_dataset(big, sizeof big, "sol/u", 1234567), 0);
  CU_ASSERT_STRING_EQUAL(big, "sol/u/1234567");
  example_end(&ex);
}

static void point_sets_are_polyvertex_with_explicit_connectivity(void)
{
  example ex;
  pinn_h5_writer *w = example_begin(&ex, "points.h5");
  pinn_error e;
  double p3[18], p2[10], u3[6], u2[5];
  int64_t conn[6];
  for (int i = 0; i < 6; ++i) {
    p3[3 * i] = i;
    p3[3 * i + 1] = 2.0 * i;
    p3[3 * i + 2] = -1.0 * i;
    u3[i] = 10.0 * i;
    conn[i] = i;
  }
  for (int i = 0; i < 5; ++i) {
    p2[2 * i] = cos(i);
    p2[2 * i + 1] = sin(i);
    u2[i] = i - 2.0;
  }
  write_or_fail(w, "cloud3/xyz", 2, (size_t[2]){6, 3}, p3);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset_int64(w, "cloud3/conn", 1, (size_t[1]){6}, conn), 0);
  write_or_fail(w, "cloud3/u", 1, (size_t[1]){6}, u3);
  write_or_fail(w, "cloud2/xy", 2, (size_t[2]){5, 2}, p2);
  write_or_fail(w, "cloud2/u", 1, (size_t[1]){5}, u2);
  for (int k = 0; k < 2; ++k) {
    double v[5];
    for (int i = 0; i < 5; ++i) v[i] = u2[i] * (k + 1);
    char name[64];
    pinn_xdmf_step_dataset(name, sizeof name, "cloud2/v", (size_t)k);
    write_or_fail(w, name, 1, (size_t[1]){5}, v);
  }
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);

  /* XYZ with a connectivity dataset. */
  pinn_xdmf *x = pinn_xdmf_alloc();
  int g;
  CU_ASSERT_EQUAL(
      pinn_xdmf_add_point_set(x, "cloud3", 6, 3, ex.h5, "cloud3/xyz", "cloud3/conn", &g), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", ex.h5, "cloud3/u"), 0);
  char *doc = checked_write(x, ex.dir, "cloud3.xmf");
  CU_ASSERT_PTR_NOT_NULL(
      strstr(doc, "TopologyType=\"Polyvertex\" NumberOfElements=\"6\" NodesPerElement=\"1\">"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "NumberType=\"Int\" Precision=\"8\" "
                                     "Format=\"HDF\">data/points.h5:/cloud3/conn</DataItem>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<Geometry GeometryType=\"XYZ\">"));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<DataItem Dimensions=\"6 3\""));
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "data/points.h5:/cloud3/u");
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<DataItem Dimensions=\"6\" NumberType=\"Float\""));
  free(doc);
  pinn_xdmf_free(x);

  /* XY with inline connectivity, as a 2-step time series, in a subfolder. */
  char *view = pinn_test_join(ex.dir, "view");
  mkdir(view, 0755);
  x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_add_point_set(x, "cloud2", 5, 2, ex.h5, "cloud2/xy", NULL, &g), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_set_times(x, g, 2, (double[2]){1.0, 2.0}), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "v", ex.h5, "cloud2/v"), 0);
  doc = checked_write(x, view, "cloud2.xmf");
  CU_ASSERT_EQUAL(count_of(doc, "Format=\"XML\">0 1 2 3 4</DataItem>"), 2);
  CU_ASSERT_EQUAL(count_of(doc, "<Geometry GeometryType=\"XY\">"), 2);
  CU_ASSERT_EQUAL(count_of(doc, ">../data/points.h5:/cloud2/xy</DataItem>"), 2);
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "v", 1), "../data/points.h5:/cloud2/v/000001");
  free(doc);
  pinn_xdmf_free(x);

  /* Inline connectivity wraps lines; every index 0..n-1 appears once. */
  x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_add_point_set(x, "big", 40, 3, "a.h5", "xyz", NULL, &g), 0);
  char *text = pinn_xdmf_render(x, "a.xmf");
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n16 17"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "37 38 39</DataItem>"));
  free(text);
  /* Point sets need 2 or 3 coordinates. */
  CU_ASSERT_EQUAL(pinn_xdmf_add_point_set(x, "line", 4, 1, "a.h5", "x", NULL, &g), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), "[n][2]"));
  pinn_xdmf_free(x);

  free(view);
  example_end(&ex);
}

static void unstructured_grids_are_quadrilaterals_or_hexahedra_with_hdf_connectivity(void)
{
  example ex;
  pinn_h5_writer *w = example_begin(&ex, "cells.h5");
  pinn_error e;
  /* an L: the 3 x 3 nodes of [0,2]^2 without the top-right cell (node (2,2)
   * unused): 8 points, 3 quadrilaterals; u = x + 10 y */
  double xy[16], u[8];
  int n = 0;
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 3; ++i) {
      if (i == 2 && j == 2) continue;
      xy[2 * n] = i;
      xy[2 * n + 1] = j;
      u[n++] = i + 10.0 * j;
    }
  int64_t quads[12] = {0, 1, 4, 3, 1, 2, 5, 4, 3, 4, 7, 6};
  write_or_fail(w, "l/xy", 2, (size_t[2]){8, 2}, xy);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset_int64(w, "l/cells", 2, (size_t[2]){3, 4}, quads), 0);
  write_or_fail(w, "l/u", 1, (size_t[1]){8}, u);
  /* two unit cubes side by side along x: 3 x 2 x 2 nodes, point
   * i + 3 (j + 2 k); two time steps, v = x + 10 y + 100 z + 1000 step */
  double xyz[36];
  for (int q = 0; q < 12; ++q) {
    xyz[3 * q] = q % 3;
    xyz[3 * q + 1] = (q / 3) % 2;
    xyz[3 * q + 2] = q / 6;
  }
  int64_t hexes[16];
  for (int c = 0; c < 2; ++c) {
    const int64_t b = c; /* node (c, 0, 0) */
    const int64_t h[8] = {b, b + 1, b + 4, b + 3, b + 6, b + 7, b + 10, b + 9};
    memcpy(hexes + 8 * c, h, sizeof h);
  }
  write_or_fail(w, "box2/xyz", 2, (size_t[2]){12, 3}, xyz);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset_int64(w, "box2/cells", 2, (size_t[2]){2, 8}, hexes), 0);
  for (int k = 0; k < 2; ++k) {
    double v[12];
    for (int q = 0; q < 12; ++q)
      v[q] = xyz[3 * q] + 10 * xyz[3 * q + 1] + 100 * xyz[3 * q + 2] + 1000.0 * k;
    char name[64];
    pinn_xdmf_step_dataset(name, sizeof name, "box2/v", (size_t)k);
    write_or_fail(w, name, 1, (size_t[1]){12}, v);
  }
  int64_t bad[8] = {0, 1, 4, 3, 1, 2, 5, 8}; /* point 8 of 8 */
  CU_ASSERT_EQUAL(pinn_h5_write_dataset_int64(w, "l/bad", 2, (size_t[2]){2, 4}, bad), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);

  pinn_xdmf *x = pinn_xdmf_alloc();
  int g = -1;
  CU_ASSERT_EQUAL(pinn_xdmf_add_unstructured_grid(x, "l", PINN_XDMF_QUADRILATERAL, 3, 8, 2, ex.h5,
                                                  "l/cells", "l/xy", &g),
                  0);
  CU_ASSERT_EQUAL(g, 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", ex.h5, "l/u"), 0);
  char *doc = checked_write(x, ex.dir, "quads.xmf");
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  CU_ASSERT_PTR_NOT_NULL(strstr(
      doc, "<Topology TopologyType=\"Quadrilateral\" NumberOfElements=\"3\" NodesPerElement=\"4\">\n"
           "        <DataItem Dimensions=\"3 4\" NumberType=\"Int\" Precision=\"8\" "
           "Format=\"HDF\">data/cells.h5:/l/cells</DataItem>\n      </Topology>\n"
           "      <Geometry GeometryType=\"XY\">\n"
           "        <DataItem Dimensions=\"8 2\" NumberType=\"Float\" Precision=\"8\" "
           "Format=\"HDF\">data/cells.h5:/l/xy</DataItem>\n      </Geometry>"));
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "data/cells.h5:/l/u");
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<DataItem Dimensions=\"8\" NumberType=\"Float\""));
  free(doc);
  pinn_xdmf_free(x);

  x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_add_unstructured_grid(x, "box2", PINN_XDMF_HEXAHEDRON, 2, 12, 3,
                                                  ex.h5, "box2/cells", "box2/xyz", &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_set_times(x, g, 2, (double[2]){0.0, 1.0}), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "v", ex.h5, "box2/v"), 0);
  doc = checked_write(x, ex.dir, "hexes.xmf");
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  CU_ASSERT_EQUAL(count_of(doc, "<Topology TopologyType=\"Hexahedron\" NumberOfElements=\"2\" "
                                "NodesPerElement=\"8\">"),
                  2);
  CU_ASSERT_EQUAL(count_of(doc, "<DataItem Dimensions=\"2 8\" NumberType=\"Int\""), 2);
  CU_ASSERT_EQUAL(count_of(doc, "<Geometry GeometryType=\"XYZ\">"), 2);
  CU_ASSERT_EQUAL(count_of(doc, "<DataItem Dimensions=\"12 3\" NumberType=\"Float\""), 2);
  CU_ASSERT_EQUAL(count_of(doc, "<Time Value="), 2);
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "v", 1), "data/cells.h5:/box2/v/000001");
  free(doc);
  pinn_xdmf_free(x);

  /* the check reads the connectivity: an index past the points is refused */
  x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_add_unstructured_grid(x, "l", PINN_XDMF_QUADRILATERAL, 2, 8, 2, ex.h5,
                                                  "l/bad", "l/xy", &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_check(x, &e), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cell 1 names point 8"));
  /* ... and so is a connectivity of the wrong shape */
  pinn_xdmf_free(x);
  x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_add_unstructured_grid(x, "l", PINN_XDMF_QUADRILATERAL, 4, 8, 2, ex.h5,
                                                  "l/cells", "l/xy", &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_check(x, &e), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "needs 16 as [n][4]"));
  pinn_xdmf_free(x);

  /* refusals: cell type, counts, coordinates, hexahedra in 2-D */
  struct {
    int type;
    size_t nc, np;
    int cd;
    const char *want;
  } bad_args[] = {{3, 1, 4, 2, "cell type 3"},
                  {PINN_XDMF_QUADRILATERAL, 0, 4, 2, "0 cells over 4 points"},
                  {PINN_XDMF_QUADRILATERAL, 1, 0, 2, "1 cells over 0 points"},
                  {PINN_XDMF_QUADRILATERAL, 1, 4, 1, "coord_dim 1"},
                  {PINN_XDMF_HEXAHEDRON, 1, 8, 2, "hexahedra need 3"}};
  for (size_t i = 0; i < sizeof bad_args / sizeof bad_args[0]; ++i) {
    x = pinn_xdmf_alloc();
    CU_ASSERT_EQUAL(pinn_xdmf_add_unstructured_grid(x, "m", (pinn_xdmf_cell)bad_args[i].type,
                                                    bad_args[i].nc, bad_args[i].np,
                                                    bad_args[i].cd, "a.h5", "c", "p", &g),
                    PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), bad_args[i].want));
    pinn_xdmf_free(x);
  }
  x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_add_unstructured_grid(x, "m", PINN_XDMF_QUADRILATERAL, 1, 4, 2,
                                                  "a.h5", "c:d", "p", &g),
                  PINN_EINVAL);
  pinn_xdmf_free(x);
  example_end(&ex);
}

static void two_grids_share_one_document(void)
{
  /* A solution grid plus its collocation points, the .xmf next to the data. */
  example ex;
  pinn_h5_writer *w = example_begin(&ex, "combined.h5");
  pinn_error e;
  double plane[20], xyz[9] = {-1, 2, 0, 0, 2.5, 0, 1, 2.75, 0}, res[3] = {1e-3, 2e-3, 5e-4};
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 5; ++i) plane[j * 5 + i] = i + 10 * j;
  write_or_fail(w, "solution/u", 2, (size_t[2]){4, 5}, plane);
  write_or_fail(w, "points/xyz", 2, (size_t[2]){3, 3}, xyz);
  write_or_fail(w, "points/residual", 1, (size_t[1]){3}, res);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);

  pinn_xdmf *x = pinn_xdmf_alloc();
  int g0, g1;
  CU_ASSERT_EQUAL(pinn_xdmf_add_uniform_grid(x, "solution", 2, (size_t[2]){5, 4},
                                             (double[2]){-1.0, 2.0}, (double[2]){0.5, 0.25},
                                             &g0),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g0, "u", ex.h5, "solution/u"), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_point_set(x, "points", 3, 3, ex.h5, "points/xyz", NULL, &g1), 0);
  CU_ASSERT_EQUAL(g1, 1);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g1, "residual", ex.h5, "points/residual"), 0);
  char *doc = checked_write(x, ex.data, "combined.xmf");
  CU_ASSERT_EQUAL(count_of(doc, "<Grid "), 2);
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "combined.h5:/solution/u");
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "residual", 0), "combined.h5:/points/residual");
  free(doc);
  pinn_xdmf_free(x);
  example_end(&ex);
}

/* ------------------------------------------------------ paths and errors */

static void h5_paths_are_made_relative_to_the_xmf_folder(void)
{
  char *dir = pinn_test_tmpdir("xdmfrel");
  char *cwd = getcwd(NULL, 4096);
  CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
  mkdir("a", 0755);
  mkdir("a/b", 0755);
  mkdir("c", 0755);
  struct {
    const char *h5, *xmf, *want;
  } cases[] = {
      {"u.h5", "u.xmf", "u.h5:/u"},
      {"a/u.h5", "u.xmf", "a/u.h5:/u"},
      {"u.h5", "a/b/u.xmf", "../../u.h5:/u"},
      {"a/b/u.h5", "c/u.xmf", "../a/b/u.h5:/u"},
      {"./a/./b/../b/u.h5", "a/u.xmf", "b/u.h5:/u"},
      {"a/b/u.h5", "./a/b/u.xmf", "u.h5:/u"},
      {"not/yet/made/u.h5", "a/u.xmf", "../not/yet/made/u.h5:/u"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
    int g;
    pinn_xdmf *x = line_doc(&g);
    CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", cases[k].h5, "u"), 0);
    char *doc = pinn_xdmf_render(x, cases[k].xmf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    if (strcmp(attr_ref(doc, "u", 0), cases[k].want) != 0)
      fprintf(stderr, "case %zu: got '%s' want '%s'\n", k, attr_ref(doc, "u", 0), cases[k].want);
    CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), cases[k].want);
    free(doc);
    pinn_xdmf_free(x);
  }
  /* Absolute paths work the same way. */
  char abs_h5[4200], abs_xmf[4200];
  snprintf(abs_h5, sizeof abs_h5, "%s/a/b/u.h5", dir);
  snprintf(abs_xmf, sizeof abs_xmf, "%s/c/u.xmf", dir);
  int g;
  pinn_xdmf *x = line_doc(&g);
  pinn_xdmf_add_attribute(x, g, "u", abs_h5, "u");
  char *doc = pinn_xdmf_render(x, abs_xmf);
  CU_ASSERT_STRING_EQUAL(attr_ref(doc, "u", 0), "../a/b/u.h5:/u");
  free(doc);
  pinn_xdmf_free(x);
  CU_ASSERT_EQUAL(chdir(cwd), 0);
  free(cwd);
  pinn_test_rmtree(dir);
  free(dir);
}

static void names_are_escaped_and_bad_references_refused(void)
{
  pinn_xdmf *x = pinn_xdmf_alloc();
  int g;
  CU_ASSERT_EQUAL(pinn_xdmf_add_uniform_grid(x, "a<b>&'c'", 1, (size_t[1]){3}, (double[1]){0},
                                             (double[1]){1}, &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u \"x\" & <y>", "f&g.h5", "grp/d<1>"), 0);
  char *doc = pinn_xdmf_render(x, "out.xmf");
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  CU_ASSERT(xml_balanced(doc));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Name=\"a&lt;b&gt;&amp;&apos;c&apos;\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, "Name=\"u &quot;x&quot; &amp; &lt;y&gt;\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(doc, ">f&amp;g.h5:/grp/d&lt;1&gt;</DataItem>"));
  free(doc);
  pinn_xdmf_free(x);

  /* Each bad call fails with PINN_EINVAL and a message naming the problem. */
  refused_uniform(4, (size_t[4]){2, 2, 2, 2}, (double[4]){0}, (double[4]){1, 1, 1, 1}, "ndim 4");
  refused_uniform(2, (size_t[2]){2, 2}, (double[2]){0, 0}, (double[2]){1, 0}, "spacing > 0");
  refused_uniform(2, (size_t[2]){2, 0}, (double[2]){0, 0}, (double[2]){1, 1}, NULL);
  x = line_doc(&g);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", "c:/data.h5", "u"), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), "c:/data.h5"));
  pinn_xdmf_free(x);
  x = line_doc(&g);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, 1, "u", "d.h5", "u"), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), "grid index 1"));
  pinn_xdmf_free(x);
  x = line_doc(&g);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "bad\nname", "d.h5", "u"), PINN_EINVAL);
  pinn_xdmf_free(x);
  x = line_doc(&g);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", "d.h5", "u"), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", "d.h5", "v"), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), "already has an attribute 'u'"));
  pinn_xdmf_free(x);
  x = line_doc(&g);
  CU_ASSERT_EQUAL(pinn_xdmf_set_times(x, g, 3, (double[3]){0, 1, 1}), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(x), "increase strictly"));
  pinn_xdmf_free(x);
  x = line_doc(&g);
  CU_ASSERT_EQUAL(pinn_xdmf_set_times(x, g, 2, (double[2]){0, NAN}), PINN_EINVAL);
  pinn_xdmf_free(x);
  pinn_xdmf_free(NULL);
  CU_ASSERT_STRING_EQUAL(pinn_xdmf_errmsg(NULL), "");
}

static void failed_calls_block_the_write_and_empty_documents_are_refused(void)
{
  char *dir = pinn_test_tmpdir("xdmfsticky");
  char *xmf = pinn_test_join(dir, "u.xmf");
  pinn_error e;
  pinn_xdmf *x = pinn_xdmf_alloc();
  CU_ASSERT_EQUAL(pinn_xdmf_write(x, xmf, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no grid"));
  int g;
  CU_ASSERT_EQUAL(pinn_xdmf_add_uniform_grid(x, "g", 1, (size_t[1]){2}, (double[1]){0},
                                             (double[1]){1}, &g),
                  0);
  CU_ASSERT_EQUAL(pinn_xdmf_write(x, "", &e), PINN_EINVAL); /* does not poison */
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "u", "d.h5", "a:b"), PINN_EINVAL);
  /* Later calls return the first failure; nothing gets written. */
  CU_ASSERT_EQUAL(pinn_xdmf_add_attribute(x, g, "v", "d.h5", "v"), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_xdmf_write(x, xmf, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "a:b"));
  CU_ASSERT_PTR_NULL(pinn_xdmf_render(x, xmf));
  CU_ASSERT_EQUAL(pinn_test_count_entries(dir), 0);
  pinn_xdmf_free(x);
  pinn_test_rmtree(dir);
  free(xmf);
  free(dir);
}

/* A scratch folder, its "u.xmf" and a document of one uniform grid (ndim
 * axes of 3, 2 and 2 points) with the attribute u of u.h5. */
typedef struct scratch_doc {
  char *dir, *xmf;
  pinn_xdmf *x;
} scratch_doc;

static scratch_doc scratch_doc_open(const char *tag, int ndim)
{
  scratch_doc d;
  d.dir = pinn_test_tmpdir(tag);
  d.xmf = pinn_test_join(d.dir, "u.xmf");
  d.x = pinn_xdmf_alloc();
  int g;
  pinn_xdmf_add_uniform_grid(d.x, "g", ndim, (size_t[3]){3, 2, 2}, (double[3]){0, 0, 0},
                             (double[3]){1, 1, 1}, &g);
  pinn_xdmf_add_attribute(d.x, g, "u", "u.h5", "u");
  return d;
}

static void scratch_doc_close(scratch_doc *d)
{
  pinn_xdmf_free(d->x);
  pinn_test_rmtree(d->dir);
  free(d->xmf);
  free(d->dir);
}

static void write_is_atomic_and_an_unwritable_folder_gives_eio(void)
{
  scratch_doc d = scratch_doc_open("xdmfatomic", 2);
  FILE *f = fopen(d.xmf, "w");
  fputs("old content\n", f);
  fclose(f);
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_xdmf_write(d.x, d.xmf, &e), 0);
  CU_ASSERT_EQUAL(e.code, 0);
  char *doc = (char *)pinn_test_read_file(d.xmf, NULL);
  char *want = pinn_xdmf_render(d.x, d.xmf);
  CU_ASSERT_STRING_EQUAL(doc, want);
  CU_ASSERT_EQUAL(pinn_test_count_entries(d.dir), 1); /* replaced in place, no temporary left */
  free(doc);
  free(want);

  char *missing = pinn_test_join(d.dir, "no/such/u.xmf");
  pinn_error_clear(&e);
  CU_ASSERT_EQUAL(pinn_xdmf_write(d.x, missing, &e), PINN_EIO);
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, missing));
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(d.x), missing));
  CU_ASSERT_EQUAL(pinn_xdmf_write(d.x, missing, NULL), PINN_EIO);
  CU_ASSERT_EQUAL(pinn_test_count_entries(d.dir), 1);
  /* The document is still usable afterwards. */
  CU_ASSERT_EQUAL(pinn_xdmf_write(d.x, d.xmf, &e), 0);
  free(missing);
  scratch_doc_close(&d);
}

static void run_id_is_written_after_domain_and_read_back(void)
{
  scratch_doc d = scratch_doc_open("xdmfrunid", 1);
  char *old = pinn_test_join(d.dir, "old.xmf");
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_xdmf_write(d.x, old, &e), 0); /* no run id yet */
  const char *id = "0123456789abcdef0123456789abcdef";
  CU_ASSERT_EQUAL(pinn_xdmf_set_run_id(d.x, id), 0);
  CU_ASSERT_EQUAL(pinn_xdmf_write(d.x, d.xmf, &e), 0);
  char *doc = (char *)pinn_test_read_file(d.xmf, NULL);
  const char *dom = strstr(doc, "<Domain>\n"), *info = strstr(doc, "<Information");
  CU_ASSERT(dom && info && info > dom && info < strstr(doc, "<Grid"));
  CU_ASSERT_PTR_NOT_NULL(
      strstr(doc, "<Information Name=\"run_id\" Value=\"0123456789abcdef0123456789abcdef\"/>"));
  free(doc);
  char buf[65];
  CU_ASSERT_EQUAL(pinn_xdmf_read_run_id(d.xmf, buf, sizeof buf, &e), 0);
  CU_ASSERT_STRING_EQUAL(buf, id);
  CU_ASSERT_EQUAL(pinn_xdmf_read_run_id(old, buf, sizeof buf, &e), 0);
  CU_ASSERT_STRING_EQUAL(buf, "");
  char *missing = pinn_test_join(d.dir, "none.xmf");
  CU_ASSERT_EQUAL(pinn_xdmf_read_run_id(missing, buf, sizeof buf, &e), PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "none.xmf"));
  /* a malformed id in a file, and bad ids given */
  FILE *f = fopen(old, "w");
  fputs("<Xdmf>\n  <Domain>\n    <Information Name=\"run_id\" Value=\"zz<>\"/>\n", f);
  fclose(f);
  CU_ASSERT_EQUAL(pinn_xdmf_read_run_id(old, buf, sizeof buf, &e), PINN_EFORMAT);
  CU_ASSERT_EQUAL(pinn_xdmf_set_run_id(d.x, "ABC\"/>"), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_xdmf_errmsg(d.x), "hex"));
  free(missing);
  free(old);
  scratch_doc_close(&d);
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"uniform_grids_use_3d_corect_meshes_listed_z_y_x",
     uniform_grids_use_3d_corect_meshes_listed_z_y_x},
    {"rectilinear_grid_uses_vxvyvz_with_inline_zero_for_missing_axes",
     rectilinear_grid_uses_vxvyvz_with_inline_zero_for_missing_axes},
    {"temporal_grid_has_one_uniform_step_per_time_reading_per_step_datasets",
     temporal_grid_has_one_uniform_step_per_time_reading_per_step_datasets},
    {"point_sets_are_polyvertex_with_explicit_connectivity",
     point_sets_are_polyvertex_with_explicit_connectivity},
    {"unstructured_grids_are_quadrilaterals_or_hexahedra_with_hdf_connectivity",
     unstructured_grids_are_quadrilaterals_or_hexahedra_with_hdf_connectivity},
    {"two_grids_share_one_document", two_grids_share_one_document},
    {"h5_paths_are_made_relative_to_the_xmf_folder", h5_paths_are_made_relative_to_the_xmf_folder},
    {"names_are_escaped_and_bad_references_refused", names_are_escaped_and_bad_references_refused},
    {"failed_calls_block_the_write_and_empty_documents_are_refused",
     failed_calls_block_the_write_and_empty_documents_are_refused},
    {"write_is_atomic_and_an_unwritable_folder_gives_eio",
     write_is_atomic_and_an_unwritable_folder_gives_eio},
    {"run_id_is_written_after_domain_and_read_back", run_id_is_written_after_domain_and_read_back},
    {NULL, NULL}};
  if (pinn_test_add_suite("xdmf", cases)) return 1;
  return pinn_test_run_all();
}
