/* pinn eval: evaluate a saved network (a solve file, a checkpoint or a saved
 * model) on a grid or at points from a CSV file, optionally with first
 * derivatives and the diagonal second derivatives; write CSV or HDF5.
 *
 * A grid spans the bounding box of the problem's domain.  When the domain is
 * not a box (a ball, a geometry) it is re-created from the problem the file
 * names (bundled, or --plugin) and only the grid points inside are
 * evaluated: CSV gets those rows, HDF5 NaN outside, /solution/mask and the
 * solve file's sidecar (the mesh of the inside cells; pinn/output.h). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h> /* cli.h uses size_t without including it */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/domain.h>
#include <pinn/h5io.h>
#include <pinn/mlp.h>
#include <pinn/model.h>
#include <pinn/output.h>
#include <pinn/reference.h>
#include <pinn/taylor.h>

#include "problems.h"

static const char *const CMD = "eval";

static void eval_help(void)
{
  printf("usage: pinn eval FILE.h5 (--grid NX[xNY[xNZ]][,NT] | --points IN.csv|IN.h5)\n"
         "                 [--out OUT.csv|OUT.h5] [--derivatives] [--derivative D ...]\n"
         "                 [--bounds LO:HI[,LO:HI...]]\n"
         "                 [--plugin ./my_problem.so]\n"
         "\n"
         "Evaluate the network saved in FILE.h5 (a pinn solve file, a checkpoint or a\n"
         "model saved with pinn_model_save) and print or write its outputs.\n"
         "\n"
         "  --grid NX[xNY[xNZ]][,NT]  a tensor grid over the problem's bounding box, ends\n"
         "                            included: one count per space dimension, and NT time\n"
         "                            levels for time-dependent problems (e.g. 256,100 for\n"
         "                            x-t, 101x101 for x-y); 1 to 100000 points per axis.\n"
         "                            When the domain is not a box (a ball, a geometry) only\n"
         "                            the points inside are evaluated: CSV lists those, HDF5\n"
         "                            holds NaN outside and /solution/mask\n"
         "  --points IN.csv|IN.h5     points from a CSV file: one point per line, one\n"
         "                            column per input (space coordinates, then time); an\n"
         "                            optional first line of column names is skipped.  One\n"
         "                            more column per output holds reference values: then\n"
         "                            the error is reported on stderr (rel_l2_error=..\n"
         "                            max_abs_error=..) and the output gets <u>_ref and\n"
         "                            <u>_error.  HDF5: /points [n][inputs] and, optionally,\n"
         "                            /values [n][outputs]\n"
         "  --out OUT.csv|OUT.h5      write there (CSV with a header line, or HDF5: /grid/<x>\n"
         "                            and /solution/<name> shaped [nt][nz][ny][nx] for\n"
         "                            --grid, /points [n][inputs] and /solution/<name> [n]\n"
         "                            for --points, plus a .xmf sidecar for ParaView with a\n"
         "                            --grid); default: CSV on standard output\n"
         "  --derivatives             also the first derivatives <out>_<in> and the second\n"
         "                            derivatives <out>_<in><in> (e.g. u_x, u_t, u_xx, u_tt)\n"
         "  --derivative D            also the partial derivative D of every output, of any\n"
         "                            order up to 8, named by the inputs it differentiates\n"
         "                            by (xxxx, xxyy, xt, ttx; column <out>_<D>), or by input\n"
         "                            indices after a d (d0011 = d4/dx0^2 dx1^2); repeatable\n"
         "  --bounds LO:HI[,...]      the box for --grid, one interval per input (needed\n"
         "                            when the model was saved without a problem); the\n"
         "                            whole box is evaluated, inside the domain or not\n"
         "  --plugin ./my_problem.so  the plugin that defined the file's problem: its domain\n"
         "                            tells inside from outside for --grid, and its output\n"
         "                            transform (hard constraints), if it has one, is applied\n"
         "                            to the network as in training (bundled problems are\n"
         "                            found by name)\n"
         "  --help                    this text\n"
         "\n"
         "Exit status: 0 success, 1 the file or the evaluation failed, 2 bad arguments.\n");
}

/* Parse "NX[xNY[xNZ]][,NT]" into counts; *n_space, *has_nt. */
static int parse_grid(const char *s, size_t *counts, size_t *n_space, int *has_nt)
{
  char buf[128];
  if (strlen(s) >= sizeof buf) return -1;
  strcpy(buf, s);
  char *comma = strchr(buf, ',');
  *has_nt = 0;
  if (comma) {
    *comma = '\0';
    if (pinn_cli_parse_size(comma + 1, 1, 100000, &counts[PINN_MAX_INPUTS - 1])) return -1;
    *has_nt = 1;
  }
  size_t k = 0;
  char *save = NULL;
  if (!buf[0] || buf[strlen(buf) - 1] == 'x' || buf[0] == 'x' || strstr(buf, "xx")) return -1;
  for (char *tok = strtok_r(buf, "x", &save); tok; tok = strtok_r(NULL, "x", &save)) {
    if (k >= 3) return -1;
    if (pinn_cli_parse_size(tok, 1, 100000, &counts[k])) return -1;
    ++k;
  }
  if (k == 0) return -1;
  *n_space = k;
  return 0;
}

/* Parse "LO:HI[,LO:HI...]" into lo/hi; returns the number of intervals or -1. */
static int parse_bounds(const char *s, double *lo, double *hi)
{
  char buf[512];
  if (strlen(s) >= sizeof buf) return -1;
  strcpy(buf, s);
  int k = 0;
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (k >= PINN_MAX_INPUTS) return -1;
    char *colon = strchr(tok, ':');
    if (!colon) return -1;
    *colon = '\0';
    if (pinn_cli_parse_double(tok, -1e300, 1e300, &lo[k]) ||
        pinn_cli_parse_double(colon + 1, -1e300, 1e300, &hi[k]) || !(lo[k] < hi[k]))
      return -1;
    ++k;
  }
  return k;
}

/* The points of --points (CSV, "-" for standard input, or HDF5: pinn/reference.h),
 * with the reference values when the file has them (*ref, else NULL).
 * Returns the points (n x n_in, malloc'd) or NULL after a message. */
static double *read_points(const char *path, size_t n_in, size_t n_out, size_t *n, double **ref)
{
  pinn_error err;
  double *x = NULL;
  int st = strcmp(path, "-") == 0
               ? pinn_reference_read_csv(stdin, "(stdin)", n_in, n_out, 1, n, &x, ref, &err)
               : pinn_reference_read(path, n_in, n_out, 1, n, &x, ref, &err);
  if (st) fprintf(stderr, "pinn eval: --points %s\n", err.msg);
  return x;
}

/* Most --derivative options. */
#define MAX_PARTIALS 32

/* Column names: inputs, then per output u [, u_<in>..., u_<in><in>...]
 * [, u_<D> for every --derivative D]. */
typedef struct evalspec {
  size_t n_in, n_out, C;
  pinn_jet_spec spec;
  int deriv;
  size_t nq;                          /* --derivative partials */
  char qname[MAX_PARTIALS][40];       /* canonical: "xxxx", "xxyy" for d0011 */
  pinn_partial q[MAX_PARTIALS];
  const double *hi;                   /* their values: hi[(p n_out + k) nq + j] */
} evalspec;

/* Columns per output. */
static size_t jet_cols(const evalspec *e) { return e->deriv ? 1 + 2 * e->n_in : 1; }
static size_t n_cols(const evalspec *e) { return jet_cols(e) + e->nq; }

/* Parse a --derivative: input names or d + input indices
 * (pinn_partial_parse_names). */
static int parse_partial(const pinn_model_meta *m, const char *text, pinn_partial *q)
{
  pinn_error err;
  const char *names[PINN_MAX_INPUTS];
  for (size_t i = 0; i < m->n_in; ++i) names[i] = m->inputs[i];
  if (pinn_partial_parse_names(text, m->n_in, names, q, &err))
    return pinn_cli_usage_error(CMD, "--derivative: %s", err.msg);
  return 0;
}

static void out_name(const pinn_model_meta *m, size_t k, char *buf, size_t cap)
{
  if (k < PINN_MAX_OUTPUTS)
    snprintf(buf, cap, "%s", m->outputs[k]);
  else
    snprintf(buf, cap, "u%zu", k);
}

/* Name of channel c of output k ("u", "u_x", "u_xx"). */
static void channel_name(const pinn_model_meta *m, const evalspec *e, size_t k, size_t c,
                         char *buf, size_t cap)
{
  char o[40];
  out_name(m, k, o, sizeof o);
  const size_t per = jet_cols(e);
  if (c >= per)
    snprintf(buf, cap, "%s_%s", o, e->qname[c - per]);
  else if (c == 0)
    snprintf(buf, cap, "%s", o);
  else if (c <= e->n_in)
    snprintf(buf, cap, "%s_%s", o, m->inputs[c - 1]);
  else
    snprintf(buf, cap, "%s_%s%s", o, m->inputs[c - 1 - e->n_in], m->inputs[c - 1 - e->n_in]);
}

/* Column c (in name order) of output k at row p: a jet channel, or a
 * --derivative's value. */
static size_t jet_channel(const evalspec *e, size_t c);
static double col_value(const evalspec *e, const double *jets, size_t p, size_t k, size_t c)
{
  const size_t per = jet_cols(e);
  if (c >= per) return e->hi[(p * e->n_out + k) * e->nq + (c - per)];
  return jets[(p * e->n_out + k) * e->C + jet_channel(e, c)];
}

/* Channel c (in name order) -> index in the jet. */
static size_t jet_channel(const evalspec *e, size_t c)
{
  if (c == 0) return 0;
  if (c <= e->n_in) return (size_t)pinn_jet_spec_first_channel(&e->spec, (unsigned)(c - 1));
  unsigned i = (unsigned)(c - 1 - e->n_in);
  return (size_t)pinn_jet_spec_pair_channel(&e->spec, i, i);
}

static int write_csv(const char *path, const pinn_model_meta *m, const evalspec *e, size_t n,
                     const double *x, const double *jets, const double *ref)
{
  FILE *f = path ? fopen(path, "w") : stdout;
  if (!f) {
    fprintf(stderr, "pinn eval: cannot write '%s': %s\n", path, strerror(errno));
    return 1;
  }
  size_t per = n_cols(e);
  for (size_t i = 0; i < e->n_in; ++i) fprintf(f, "%s%s", i ? "," : "", m->inputs[i]);
  for (size_t k = 0; k < e->n_out; ++k)
    for (size_t c = 0; c < per; ++c) {
      char nm[96];
      channel_name(m, e, k, c, nm, sizeof nm);
      fprintf(f, ",%s", nm);
    }
  for (size_t k = 0; ref && k < e->n_out; ++k) {
    char o[40];
    out_name(m, k, o, sizeof o);
    fprintf(f, ",%s_ref,%s_error", o, o);
  }
  fputc('\n', f);
  for (size_t p = 0; p < n; ++p) {
    for (size_t i = 0; i < e->n_in; ++i) fprintf(f, "%s%.17g", i ? "," : "", x[p * e->n_in + i]);
    for (size_t k = 0; k < e->n_out; ++k)
      for (size_t c = 0; c < per; ++c)
        fprintf(f, ",%.17g", col_value(e, jets, p, k, c));
    for (size_t k = 0; ref && k < e->n_out; ++k) {
      double r = ref[p * e->n_out + k];
      fprintf(f, ",%.17g,%.17g", r, fabs(jets[(p * e->n_out + k) * e->C] - r));
    }
    fputc('\n', f);
  }
  int bad = ferror(f);
  if (path && fclose(f) != 0) bad = 1;
  if (!path) fflush(f);
  if (bad) {
    fprintf(stderr, "pinn eval: writing '%s' failed: %s\n", path ? path : "(stdout)",
            strerror(errno));
    return 1;
  }
  return 0;
}

/* --points to HDF5: /points [n][inputs] and /solution/<name> [n]. */
static int write_h5(const char *path, const pinn_model_meta *m, const evalspec *e, size_t n,
                    const double *x, const double *jets, const double *ref)
{
  pinn_error err;
  pinn_h5_writer *w = pinn_h5_create(path, &err);
  if (!w) {
    fprintf(stderr, "pinn eval: %s\n", err.msg);
    return 1;
  }
  int st = 0;
  size_t dims[PINN_H5_MAX_RANK];
  int rank = 0;
  {
    size_t d2[2] = {n, e->n_in};
    st = pinn_h5_write_dataset(w, "/points", 2, d2, x);
    dims[rank++] = n;
  }
  size_t per = n_cols(e);
  double *col = malloc(n * sizeof *col);
  if (!col) st = PINN_ENOMEM;
  for (size_t k = 0; k < e->n_out && !st; ++k)
    for (size_t c = 0; c < per && !st; ++c) {
      char nm[96], ds[128];
      channel_name(m, e, k, c, nm, sizeof nm);
      snprintf(ds, sizeof ds, "/solution/%s", nm);
      for (size_t p = 0; p < n; ++p) col[p] = col_value(e, jets, p, k, c);
      st = pinn_h5_write_dataset(w, ds, rank, dims, col);
    }
  for (size_t k = 0; ref && k < e->n_out && !st; ++k)
    for (int v = 0; v < 2 && !st; ++v) {
      char o[40], ds[128];
      out_name(m, k, o, sizeof o);
      snprintf(ds, sizeof ds, "/solution/%s%s", o, v ? "_error" : "_ref");
      for (size_t p = 0; p < n; ++p) {
        double r = ref[p * e->n_out + k];
        col[p] = v ? fabs(jets[(p * e->n_out + k) * e->C] - r) : r;
      }
      st = pinn_h5_write_dataset(w, ds, rank, dims, col);
    }
  free(col);
  if (!st) st = pinn_h5_set_attr_string(w, "/", "problem", m->problem);
  if (!st) st = pinn_h5_set_attr_string(w, "/", "libpinn_version", pinn_version());
  if (st) {
    fprintf(stderr, "pinn eval: %s\n", st == PINN_ENOMEM ? "out of memory" : pinn_h5_writer_errmsg(w));
    pinn_h5_abort(w);
    return 1;
  }
  if (pinn_h5_commit(w, &err)) {
    fprintf(stderr, "pinn eval: %s\n", err.msg);
    return 1;
  }
  return 0;
}

/* --grid to HDF5: pinn_output_write_grid (the sidecar too); NaN outside a
 * domain that is not a box (mask). */
static int write_grid_h5(const char *path, const pinn_model_meta *m, const evalspec *e, size_t n,
                         const double *jets, const size_t *counts, size_t n_axes,
                         double *const *axes, const pinn_domain *dom, const double *mask)
{
  size_t per = n_cols(e), nf = e->n_out * per;
  char (*names)[96] = malloc(nf * sizeof *names);
  const char **np = malloc(nf * sizeof *np);
  const double **vp = malloc(nf * sizeof *vp);
  double *cols = n <= ((size_t)1 << 40) / (nf * sizeof(double)) ? malloc(nf * n * sizeof *cols)
                                                                : NULL;
  int rc = 1;
  if (!names || !np || !vp || !cols) {
    fprintf(stderr, "pinn eval: out of memory writing '%s'\n", path);
    goto done;
  }
  for (size_t k = 0, i = 0; k < e->n_out; ++k)
    for (size_t c = 0; c < per; ++c, ++i) {
      channel_name(m, e, k, c, names[i], sizeof names[i]);
      np[i] = names[i];
      for (size_t p = 0; p < n; ++p) cols[i * n + p] = col_value(e, jets, p, k, c);
      vp[i] = cols + i * n;
    }
  pinn_output_grid g;
  memset(&g, 0, sizeof g);
  g.space_dim = n_axes - (size_t)(m->space_dim && m->has_time);
  g.has_time = m->space_dim && m->has_time;
  for (size_t a = 0; a < n_axes; ++a) {
    g.counts[a] = counts[a];
    g.axes[a] = axes[a];
    g.axis_names[a] = m->inputs[a];
  }
  g.n_fields = nf;
  g.names = np;
  g.values = vp;
  g.domain = dom;
  g.mask = mask;
  g.problem = m->problem;
  pinn_error err;
  if (pinn_output_write_grid(path, &g, &err))
    fprintf(stderr, "pinn eval: %s\n", err.msg);
  else
    rc = 0;
done:
  free(names);
  free(np);
  free(vp);
  free(cols);
  return rc;
}

/* The root attribute "format" of file ("" when none) into buf, and whether
 * it has /solution/mask (a domain that is not a box). */
static void file_kind(const char *file, char *buf, size_t cap, int *masked)
{
  buf[0] = '\0';
  *masked = 0;
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(file, &e);
  if (!r) return;
  char *f = NULL;
  if (pinn_h5_has_attr(r, "/", "format") && !pinn_h5_get_attr_string(r, "/", "format", &f))
    snprintf(buf, cap, "%s", f);
  free(f);
  *masked = pinn_h5_has(r, "/solution/mask");
  pinn_h5_close(r);
}

/* The file's problem re-created from --plugin or, without one, the bundled
 * problem of the file's name; it must be that problem, with the network's
 * inputs and outputs.  quiet_fail: a failure to build a bundled problem is
 * returned as -1 without a message.  Returns 0 or the exit status after a
 * message. */
static int recreate_problem(const char *file, const char *plugin, const pinn_model_meta *m,
                            int quiet_fail, pinn_problem **p, void **dl)
{
  pinn_solve_config cfg = pinn_solve_config_default();
  int rc = pinn_cli_create_problem(CMD, plugin ? NULL : m->problem, plugin, p, &cfg, dl);
  if (rc) return plugin || !quiet_fail ? rc : -1;
  if (strcmp(pinn_problem_name(*p), m->problem) != 0)
    return pinn_cli_usage_error(CMD, "--plugin '%s' defines problem '%s', but '%s' holds '%s'",
                                plugin, pinn_problem_name(*p), file, m->problem);
  if (pinn_problem_dim(*p) != m->n_in || pinn_problem_n_out(*p) != m->n_out ||
      (m->space_dim && pinn_problem_space_dim(*p) != m->space_dim) ||
      (m->space_dim && pinn_problem_has_time(*p) != m->has_time))
    return pinn_cli_usage_error(CMD, "problem '%s' now has another shape than the network in "
                                     "'%s' (space dimensions, time or outputs)",
                                pinn_problem_name(*p), file);
  return 0;
}

/* The domain of the file's problem, re-created (from --plugin or the
 * bundled problem of that name) when the grid must know inside from
 * outside: *p and *dl receive what to free.  Returns 0 (dom NULL: use the
 * recorded bounding box) or the exit status after a message. */
static int problem_domain(const char *file, const char *plugin, const pinn_model_meta *m,
                          size_t d, int timed, pinn_problem **p, void **dl,
                          const pinn_domain **dom)
{
  *p = NULL;
  *dl = NULL;
  *dom = NULL;
  char fmt[64];
  int masked;
  file_kind(file, fmt, sizeof fmt, &masked);
  const int solve_file = !strcmp(fmt, "libpinn-solution");
  const pinn_bundled *b = m->problem[0] ? pinn_bundled_find(m->problem) : NULL;
  if (!plugin) {
    if (solve_file && !masked) return 0; /* a box: its bounding box is the domain */
    if (!b) {
      if (!masked) return 0; /* a checkpoint or model of a plugin's problem: as recorded */
      return pinn_cli_usage_error(
          CMD, "'%s' was solved on a domain that is not a box, and its problem '%s' is not "
               "bundled: give --plugin ./%s.so (the plugin that defined it) so the points "
               "outside can be left out, or --bounds to evaluate the whole box",
          file, m->problem, m->problem[0] ? m->problem : "my_problem");
    }
  }
  int rc = recreate_problem(file, plugin, m, !masked, p, dl);
  if (rc == -1) {
    fprintf(stderr, "pinn eval: note: evaluating over the bounding box recorded in '%s'\n", file);
    pinn_problem_free(*p);
    *p = NULL;
    return 0;
  }
  if (rc) return rc;
  const pinn_domain *pd = pinn_problem_domain(*p);
  if (!pd || pinn_problem_space_dim(*p) != d || pinn_problem_has_time(*p) != timed)
    return pinn_cli_usage_error(CMD, "problem '%s' now has another shape than the network in "
                                     "'%s' (space dimensions or time)",
                                pinn_problem_name(*p), file);
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
  pinn_domain_bounds(pd, lo, hi);
  for (size_t a = 0; a < d + (size_t)timed && m->has_bounds; ++a) {
    double tol = 1e-12 * fmax(1.0, fmax(fabs(m->lo[a]), fabs(m->hi[a])));
    if (fabs(lo[a] - m->lo[a]) > tol || fabs(hi[a] - m->hi[a]) > tol)
      return pinn_cli_usage_error(CMD, "problem '%s' now spans [%g, %g] on input %s, but '%s' "
                                       "was trained on [%g, %g]",
                                  pinn_problem_name(*p), lo[a], hi[a], m->inputs[a], file,
                                  m->lo[a], m->hi[a]);
  }
  if (pd->kind != PINN_DOMAIN_BOX) *dom = pd;
  return 0;
}

/* The problem whose output transforms the network's outputs pass through
 * (m->problem_transform): re-created from --plugin or the bundled problem of
 * that name, unless the domain step made it already.  Returns 0 or the exit
 * status after a message. */
static int transform_problem(const char *file, const char *plugin, const pinn_model_meta *m,
                             pinn_problem **p, void **dl)
{
  if (*p || !m->problem_transform) return 0;
  if (!plugin && !(m->problem[0] && pinn_bundled_find(m->problem)))
    return pinn_cli_usage_error(
        CMD, "the outputs in '%s' pass through the output transform (hard constraints) of "
             "problem '%s', which is not bundled: give --plugin ./%s.so (the plugin that "
             "defined it)",
        file, m->problem, m->problem[0] ? m->problem : "my_problem");
  return recreate_problem(file, plugin, m, 0, p, dl);
}

/* --points with reference values: the errors of the outputs (channel 0 of
 * the jets) against them, on stderr (pinn/reference.h: the same figures as
 * a solve's).  Returns 0, or 1 when out of memory. */
static int report_error(const char *path, const pinn_model_meta *m, const evalspec *e, size_t n,
                        const double *jets, const double *ref)
{
  double *u = malloc(n * e->n_out * sizeof *u);
  if (!u) return 1;
  for (size_t p = 0; p < n; ++p)
    for (size_t k = 0; k < e->n_out; ++k) u[p * e->n_out + k] = jets[(p * e->n_out + k) * e->C];
  pinn_reference_error re;
  pinn_reference_error_compute(n, e->n_out, u, ref, NULL, &re, NULL);
  free(u);
  fprintf(stderr, "pinn eval: error against the reference values in %s (%zu points): "
                  "rel_l2_error=%.6e max_abs_error=%.6e",
          path, n, re.rel_l2, re.max_abs);
  for (size_t k = 0; e->n_out > 1 && k < e->n_out; ++k) {
    char o[40];
    out_name(m, k, o, sizeof o);
    fprintf(stderr, " rel_l2_error_%s=%.6e max_abs_error_%s=%.6e", o, re.rel_l2_out[k], o,
            re.max_abs_out[k]);
  }
  fputc('\n', stderr);
  return 0;
}

static int ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

int pinn_cmd_eval(int argc, char **argv)
{
  const char *file = NULL, *grid = NULL, *points = NULL, *out = NULL, *bounds = NULL,
             *plugin = NULL;
  int deriv = 0;
  const char *partial_arg[MAX_PARTIALS];
  size_t n_partial = 0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      eval_help();
      return 0;
    } else if (strcmp(a, "--derivatives") == 0) {
      deriv = 1;
      continue;
    } else if (strcmp(a, "--derivative") == 0) {
      if (i + 1 >= argc)
        return pinn_cli_usage_error(CMD, "--derivative needs a value: the inputs to differentiate "
                                         "by (xxxx, xt) or d and their indices (d0011)");
      if (n_partial == MAX_PARTIALS)
        return pinn_cli_usage_error(CMD, "at most %d --derivative options", MAX_PARTIALS);
      if (strlen(argv[i + 1]) >= sizeof ((evalspec *)0)->qname[0])
        return pinn_cli_usage_error(CMD, "--derivative '%s' is too long", argv[i + 1]);
      partial_arg[n_partial++] = argv[++i];
      continue;
    } else if (strcmp(a, "--grid") == 0) {
      slot = &grid;
    } else if (strcmp(a, "--points") == 0) {
      slot = &points;
    } else if (strcmp(a, "--out") == 0) {
      slot = &out;
    } else if (strcmp(a, "--bounds") == 0) {
      slot = &bounds;
    } else if (strcmp(a, "--plugin") == 0) {
      slot = &plugin;
    } else if (a[0] == '-' && a[1] != '\0') {
      return pinn_cli_usage_error(CMD, "unknown option '%s'; accepted: --grid, --points, --out, "
                                       "--derivatives, --derivative, --bounds, --plugin, --help",
                                  a);
    } else {
      if (file)
        return pinn_cli_usage_error(CMD, "unexpected argument '%s': give one FILE.h5 (see pinn "
                                         "eval --help)",
                                    a);
      file = a;
      continue;
    }
    if (i + 1 >= argc)
      return pinn_cli_usage_error(CMD, "%s needs a value (see pinn eval --help)", a);
    if (*slot) return pinn_cli_usage_error(CMD, "%s given twice; give it once", a);
    *slot = argv[++i];
  }
  if (!file)
    return pinn_cli_usage_error(CMD, "no input file; usage: pinn eval FILE.h5 --grid "
                                     "NX[xNY[xNZ]][,NT] | --points IN.csv [--out OUT.csv|OUT.h5]");
  if (!grid == !points)
    return pinn_cli_usage_error(CMD, "give exactly one of --grid NX[xNY[xNZ]][,NT] and --points "
                                     "IN.csv");
  if (out && !(ends_with(out, ".csv") || ends_with(out, ".h5") || ends_with(out, ".hdf5")))
    return pinn_cli_usage_error(CMD, "--out '%s': the name must end in .csv or .h5", out);
  if (bounds && !grid)
    return pinn_cli_usage_error(CMD, "--bounds applies to --grid only");
  size_t counts[PINN_MAX_INPUTS] = {0}, n_space = 0;
  int has_nt = 0;
  if (grid && parse_grid(grid, counts, &n_space, &has_nt))
    return pinn_cli_usage_error(CMD, "--grid '%s': write NX, NXxNY or NXxNYxNZ (1 to 100000 "
                                     "each), then ,NT for time-dependent problems, e.g. 201 or "
                                     "101x101 or 256,100",
                                grid);
  double blo[PINN_MAX_INPUTS], bhi[PINN_MAX_INPUTS];
  int nb = 0;
  if (bounds && (nb = parse_bounds(bounds, blo, bhi)) < 0)
    return pinn_cli_usage_error(CMD, "--bounds '%s': write LO:HI per input, comma-separated, "
                                     "with LO < HI (e.g. -1:1,0:2)",
                                bounds);

  if (access(file, R_OK) != 0)
    return pinn_cli_usage_error(CMD, "'%s': no such readable file (give a solve file or a checkpoint)",
                                file);
  pinn_error err;
  pinn_model_meta m;
  pinn_mlp *net = pinn_model_load_network(file, &m, &err); /* transforms: below */
  if (!net) {
    fprintf(stderr, "pinn eval: %s\n", err.msg);
    return 1;
  }
  int rc = 1;
  double *x = NULL, *jets = NULL, *mask = NULL, *xin = NULL, *jin = NULL, *ref = NULL;
  double *hi = NULL, *hin = NULL; /* --derivative values: all rows, the rows inside */
  double *axes[PINN_MAX_INPUTS] = {NULL};
  size_t n = 0, n_axes = 0, n_in = 0;
  size_t *grid_counts = NULL;
  pinn_problem *prob = NULL;
  void *dl = NULL;
  const pinn_domain *pdom = NULL; /* the problem's domain when it is not a box */
  size_t d = m.space_dim ? m.space_dim : m.n_in;
  int timed = m.space_dim ? m.has_time : 0;

  if (grid) {
    if (n_space != d || has_nt != timed) {
      rc = pinn_cli_usage_error(
          CMD, "--grid '%s' does not fit this network: it takes %zu space coordinate%s%s, so "
               "write %s%s",
          grid, d, d == 1 ? "" : "s", timed ? " and time" : "",
          d == 1 ? "NX" : d == 2 ? "NXxNY" : d == 3 ? "NXxNYxNZ" : "(use --points)",
          timed ? ",NT" : "");
      goto done;
    }
    if (d > 3 || d > PINN_DOMAIN_MAX_DIM) {
      rc = pinn_cli_usage_error(CMD, "this network has %zu inputs; --grid supports 1 to 3 space "
                                     "dimensions (use --points)",
                                m.n_in);
      goto done;
    }
    if (timed) counts[d] = counts[PINN_MAX_INPUTS - 1];
    n_axes = d + (size_t)timed;
    if (nb && (size_t)nb != n_axes) {
      rc = pinn_cli_usage_error(CMD, "--bounds gives %d intervals; this network takes %zu inputs",
                                nb, n_axes);
      goto done;
    }
    if (!nb && !m.has_bounds) {
      rc = pinn_cli_usage_error(CMD, "'%s' does not record the problem's domain (saved without a "
                                     "problem): give --bounds LO:HI per input",
                                file);
      goto done;
    }
    if (!nb && (rc = problem_domain(file, plugin, &m, d, timed, &prob, &dl, &pdom))) goto done;
    rc = 1;
    double *lo = nb ? blo : m.lo, *hi = nb ? bhi : m.hi;
    pinn_domain dom;
    if (pinn_domain_box(&dom, d, lo, hi, &err) ||
        (timed && pinn_domain_with_time(&dom, lo[d], hi[d], &err))) {
      fprintf(stderr, "pinn eval: %s\n", err.msg);
      goto done;
    }
    if (pdom) dom = *pdom; /* same bounding box (checked), and its inside test */
    n = pinn_domain_grid_size(&dom, counts);
    if (n == 0 || n > PINN_FIELDS_MAX_POINTS) {
      rc = pinn_cli_usage_error(CMD, "--grid '%s' has more than %zu points; give smaller counts",
                                grid, PINN_FIELDS_MAX_POINTS);
      goto done;
    }
    x = malloc(n * n_axes * sizeof *x);
    if (!x) goto oom;
    if (pinn_domain_grid(&dom, counts, x, &err)) {
      fprintf(stderr, "pinn eval: %s\n", err.msg);
      goto done;
    }
    size_t stride = 1;
    for (size_t a = 0; a < n_axes; ++a) {
      if (!(axes[a] = malloc(counts[a] * sizeof(double)))) goto oom;
      for (size_t i = 0; i < counts[a]; ++i) axes[a][i] = x[i * stride * n_axes + a];
      stride *= counts[a];
    }
    grid_counts = counts;
    if (pdom) {
      if (!(mask = malloc(n * sizeof *mask))) goto oom;
      if (pinn_output_mask(pdom, n, x, mask, &n_in, &err)) {
        fprintf(stderr, "pinn eval: %s\n", err.msg);
        goto done;
      }
    }
  } else {
    x = read_points(points, m.n_in, m.n_out, &n, &ref);
    if (!x) goto done;
  }

  if ((rc = transform_problem(file, plugin, &m, &prob, &dl))) goto done;
  rc = 1;
  evalspec e;
  e.n_in = m.n_in;
  e.n_out = m.n_out;
  e.deriv = deriv;
  e.spec = pinn_jet_spec_value();
  if (deriv)
    for (unsigned i = 0; i < m.n_in; ++i) pinn_jet_spec_add_pair(&e.spec, i, i);
  e.C = pinn_jet_spec_channels(&e.spec);
  e.nq = n_partial;
  e.hi = NULL;
  for (size_t j = 0; j < n_partial; ++j) {
    if ((rc = parse_partial(&m, partial_arg[j], &e.q[j]))) goto done;
    /* the column's name: the input names in input order ("d100" -> "xxy") */
    e.qname[j][0] = '\0';
    for (size_t i = 0; i < m.n_in; ++i)
      for (unsigned k = 0; k < e.q[j].n[i]; ++k)
        strncat(e.qname[j], m.inputs[i], sizeof e.qname[j] - strlen(e.qname[j]) - 1);
  }
  rc = 1;
  for (size_t k = 0; n_partial && m.problem_transform && k < pinn_problem_n_transforms(prob); ++k)
    if (!pinn_transform_is_series(pinn_problem_transform(prob, k))) {
      fprintf(stderr,
              "pinn eval: --derivative: the network of '%s' passes through problem '%s''s "
              "output transform (hard constraints), given in xjet form, which carries second "
              "derivatives only; use --derivatives for first and second derivatives (or give "
              "the transform in series form, pinn_transform_dirichlet_series)\n",
              file, m.problem);
      goto done;
    }
  if (n > ((size_t)1 << 40) / ((e.C + e.nq) * e.n_out)) goto oom;
  jets = malloc(n * e.n_out * e.C * sizeof *jets);
  if (!jets) goto oom;
  /* the points to evaluate: all, or those inside a domain that is not a box */
  const size_t ne = mask ? n_in : n, row = e.n_out * e.C;
  if (mask) {
    xin = malloc((ne ? ne : 1) * n_axes * sizeof *xin);
    jin = malloc((ne ? ne : 1) * row * sizeof *jin);
    if (!xin || !jin) goto oom;
    for (size_t q = 0, j = 0; q < n; ++q)
      if (mask[q] > 0.5) memcpy(xin + j++ * n_axes, x + q * n_axes, n_axes * sizeof *xin);
  }
  if (ne && pinn_mlp_jets(net, &e.spec, ne, mask ? xin : x, mask ? jin : jets)) {
    fprintf(stderr, "pinn eval: evaluating the network: %s\n", pinn_mlp_errmsg(net));
    goto done;
  }
  /* the problem's hard constraints, as in training: u = g + phi N, ... */
  for (size_t k = 0; m.problem_transform && ne && k < pinn_problem_n_transforms(prob); ++k) {
    double *J = mask ? jin : jets;
    if (pinn_transform_jets(pinn_problem_transform(prob, k), &e.spec, e.n_out, e.n_in, ne,
                            mask ? xin : x, J, J, &err)) {
      fprintf(stderr, "pinn eval: the output transform of problem '%s': %s\n", m.problem,
              err.msg);
      goto done;
    }
  }
  if (e.nq) { /* --derivative: the Taylor engine, any order */
    const size_t hrow = e.n_out * e.nq;
    hi = malloc((n ? n : 1) * hrow * sizeof *hi);
    hin = mask ? malloc((ne ? ne : 1) * hrow * sizeof *hin) : NULL;
    pinn_taylor *tay = pinn_taylor_alloc(e.n_in, &err);
    if (!hi || (mask && !hin) || !tay) {
      pinn_taylor_free(tay);
      if (tay) goto oom;
      fprintf(stderr, "pinn eval: --derivative: %s\n", err.msg);
      goto done;
    }
    int ts = 0;
    if (m.problem_transform) { /* the hard constraints, composed at every order */
      pinn_transform tr[PINN_TAYLOR_MAX_TRANSFORMS];
      size_t ntr = pinn_problem_n_transforms(prob);
      if (ntr > PINN_TAYLOR_MAX_TRANSFORMS) ntr = PINN_TAYLOR_MAX_TRANSFORMS;
      for (size_t k = 0; k < ntr; ++k) tr[k] = *pinn_problem_transform(prob, k);
      ts = pinn_taylor_set_transforms(tay, ntr, tr);
    }
    for (size_t j = 0; j < e.nq && !ts; ++j) ts = pinn_taylor_add_partial(tay, &e.q[j]);
    if (!ts && ne) ts = pinn_taylor_eval(tay, net, ne, mask ? xin : x, mask ? hin : hi);
    if (ts) fprintf(stderr, "pinn eval: --derivative: %s\n", pinn_taylor_errmsg(tay));
    pinn_taylor_free(tay);
    if (ts) goto done;
    if (mask)
      for (size_t q = 0, j = 0; q < n; ++q) {
        if (mask[q] > 0.5)
          memcpy(hi + q * hrow, hin + j++ * hrow, hrow * sizeof *hi);
        else
          for (size_t c = 0; c < hrow; ++c) hi[q * hrow + c] = NAN;
      }
  }
  if (mask) /* NaN outside */
    for (size_t q = 0, j = 0; q < n; ++q) {
      if (mask[q] > 0.5)
        memcpy(jets + q * row, jin + j++ * row, row * sizeof *jets);
      else
        for (size_t c = 0; c < row; ++c) jets[q * row + c] = NAN;
    }
  e.hi = hi;
  if (ref && report_error(points, &m, &e, n, jets, ref)) goto oom;
  if (out && !ends_with(out, ".csv") && grid_counts)
    rc = write_grid_h5(out, &m, &e, n, jets, grid_counts, n_axes, axes, pdom, mask);
  else if (out && !ends_with(out, ".csv"))
    rc = write_h5(out, &m, &e, n, x, jets, ref);
  else if (mask) { /* the rows inside */
    e.hi = hin;
    rc = write_csv(out, &m, &e, ne, xin, jin, NULL);
  } else
    rc = write_csv(out, &m, &e, n, x, jets, ref);
  goto done;
oom:
  fprintf(stderr, "pinn eval: out of memory for %zu points\n", n);
  rc = 1;
done:
  for (size_t a = 0; a < PINN_MAX_INPUTS; ++a) free(axes[a]);
  free(x);
  free(ref);
  free(jets);
  free(mask);
  free(xin);
  free(jin);
  free(hi);
  free(hin);
  pinn_mlp_free(net);
  pinn_problem_free(prob);
  pinn_cli_close_plugin(dl);
  return rc;
}
