/* libpinn — saving and loading trained networks (layout in pinn/model.h).
 *
 * Reading is defensive by construction: every number read from the file is
 * range-checked before it sizes anything, theta's shape is compared with the
 * parameter count of the rebuilt layout (computed without overflow) before
 * theta is read, and the network is allocated only once everything else has
 * been validated.  HDF5 itself is reached only through pinn/h5io.h.
 */
#include <pinn/model.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/domain.h>

#define MODEL_FORMAT_NAME "libpinn-mlp"
/* Limits of pinn_mlp_alloc (lib/mlp.c), repeated to refuse before allocating. */
#define MODEL_MAX_LAYERS 64
#define MODEL_MAX_WIDTH 4096

/* ------------------------------------------------------------- helpers */

/* "<group>/<leaf>" into buf (group normalised by norm_group). */
static void child(char *buf, size_t cap, const char *group, const char *leaf)
{
  snprintf(buf, cap, "%s/%s", strcmp(group, "/") ? group : "", leaf);
}

/* Copy group without trailing '/' (except the root) into buf[256]; NULL
 * means the default group.  Returns buf, or NULL for a bad name. */
static const char *norm_group(const char *g, char *buf)
{
  if (!g) g = PINN_MODEL_GROUP;
  if (!g[0] || strlen(g) >= 200) return NULL;
  size_t n = strlen(g);
  while (n > 1 && g[n - 1] == '/') --n;
  memcpy(buf, g, n);
  buf[n] = '\0';
  return buf;
}

/* norm_group for the public call fn; NULL with err filled for a bad name. */
static const char *group_arg(const char *g, char *buf, const char *fn, pinn_error *err)
{
  const char *n = norm_group(g, buf);
  if (!n)
    pinn_error_set(err, PINN_EINVAL,
                   "%s: group name must be non-empty and under 200 characters, e.g. \"/model\"",
                   fn);
  return n;
}

/* Append text to buf (cap) after a comma unless first. */
static void join_append(char *buf, size_t cap, const char *text, int first)
{
  size_t len = strlen(buf);
  if (len + 2 >= cap) return;
  snprintf(buf + len, cap - len, "%s%s", first ? "" : ",", text);
}

/* Input names of a problem (pinn_problem_input_name) or generic x0, x1, ... */
static void input_name(const pinn_problem *p, size_t i, char *buf, size_t cap)
{
  const char *name = p ? pinn_problem_input_name(p, i) : NULL;
  if (name) {
    snprintf(buf, cap, "%s", name);
    return;
  }
  snprintf(buf, cap, "x%zu", i);
}

/* ---------------------------------------------------------------- write */

int pinn_model_write(pinn_h5_writer *w, const char *group, const pinn_mlp *net,
                     const pinn_problem *p, pinn_error *err)
{
  if (!w || !net)
    return pinn_error_set(err, PINN_EINVAL, "pinn_model_write: writer and network are required");
  char gbuf[256];
  group = group_arg(group, gbuf, "pinn_model_write", err);
  if (!group) return PINN_EINVAL;
  const size_t L = pinn_mlp_n_layers(net), n_in = pinn_mlp_n_in(net),
               n_out = pinn_mlp_n_out(net);
  if (p && (pinn_problem_dim(p) != n_in || pinn_problem_n_out(p) != n_out))
    return pinn_error_set(err, PINN_EINVAL,
                          "pinn_model_write: the network maps %zu inputs to %zu outputs but "
                          "problem '%s' has %zu inputs and %zu outputs",
                          n_in, n_out, pinn_problem_name(p), pinn_problem_dim(p),
                          pinn_problem_n_out(p));

  char acts[4096] = "";
  for (size_t l = 1; l + 1 < L; ++l) {
    char a[64];
    pinn_activation act = pinn_mlp_activation(net, l);
    pinn_activation_format(&act, a, sizeof a);
    join_append(acts, sizeof acts, a, l == 1);
  }
  char inputs[256] = "";
  for (size_t i = 0; i < n_in; ++i) {
    char nm[32];
    input_name(p, i, nm, sizeof nm);
    join_append(inputs, sizeof inputs, nm, i == 0);
  }
  /* Outputs: the problem's names, else u (one output) or u0, u1, ... (at
   * most 4096 outputs: written into a heap buffer). */
  size_t ocap = n_out * 8 + 64;
  char *outs = malloc(ocap);
  int64_t *sizes = malloc(L * sizeof *sizes);
  if (!outs || !sizes) {
    free(outs);
    free(sizes);
    return pinn_error_set(err, PINN_ENOMEM, "out of memory saving a network");
  }
  outs[0] = '\0';
  for (size_t k = 0; k < n_out; ++k) {
    char nm[40];
    if (p)
      snprintf(nm, sizeof nm, "%s", pinn_problem_output_name(p, k));
    else if (n_out == 1)
      snprintf(nm, sizeof nm, "u");
    else
      snprintf(nm, sizeof nm, "u%zu", k);
    join_append(outs, ocap, nm, k == 0);
  }
  for (size_t l = 0; l < L; ++l) sizes[l] = (int64_t)pinn_mlp_layer_size(net, l);
  sizes[0] = (int64_t)n_in; /* the inputs; an embedding's features follow from it */
  pinn_embedding *emb = malloc(sizeof *emb);
  if (!emb) {
    free(outs);
    free(sizes);
    return pinn_error_set(err, PINN_ENOMEM, "out of memory saving a network");
  }
  const int has_emb = pinn_mlp_embedding(net, emb);
  int has_periodic = 0, has_fourier = 0;
  for (size_t i = 0; has_emb && i < n_in; ++i) {
    has_periodic |= emb->period[i] > 0;
    has_fourier |= emb->fourier.axis[i] > 0;
  }
  has_fourier |= has_emb && emb->fourier.m > 0;

  char path[512];
  int st = pinn_h5_create_group(w, group);
  if (!st) st = pinn_h5_set_attr_string(w, group, "format", MODEL_FORMAT_NAME);
  /* version 1 unless the network has an input map (readers of version 1
   * would ignore it and evaluate another function) */
  double map_lo[PINN_MAX_INPUTS], map_hi[PINN_MAX_INPUTS];
  const int has_map = pinn_mlp_input_map(net, map_lo, map_hi);
  if (!st)
    st = pinn_h5_set_attr_int64(w, group, "format_version",
                                has_fourier ? 4 : has_emb ? 3 : has_map ? 2 : 1);
  if (!st) st = pinn_h5_set_attr_string(w, group, "libpinn_version", pinn_version());
  if (!st) st = pinn_h5_set_attr_int64(w, group, "n_layers", (int64_t)L);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "n_in", (int64_t)n_in);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "n_out", (int64_t)n_out);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "n_params", (int64_t)pinn_mlp_n_params(net));
  if (!st) st = pinn_h5_set_attr_string(w, group, "activations", acts);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "prelu_per_unit", pinn_mlp_prelu_per_unit(net));
  /* a problem with hard constraints passes the outputs through its own code */
  if (!st)
    st = pinn_h5_set_attr_string(w, group, "output_transform",
                                 p && pinn_problem_n_transforms(p) ? "problem" : "none");
  if (!st) st = pinn_h5_set_attr_string(w, group, "inputs", inputs);
  if (!st) st = pinn_h5_set_attr_string(w, group, "outputs", outs);
  if (!st) st = pinn_h5_set_attr_string(w, group, "problem", p ? pinn_problem_name(p) : "");
  if (!st)
    st = pinn_h5_set_attr_int64(w, group, "space_dim", p ? (int64_t)pinn_problem_space_dim(p) : 0);
  if (!st) st = pinn_h5_set_attr_int64(w, group, "has_time", p ? pinn_problem_has_time(p) : 0);
  if (!st && p && pinn_problem_domain(p)) {
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    pinn_domain_bounds(pinn_problem_domain(p), lo, hi);
    st = pinn_h5_set_attr_double_array(w, group, "input_lo", n_in, lo);
    if (!st) st = pinn_h5_set_attr_double_array(w, group, "input_hi", n_in, hi);
  }
  if (!st && has_map) {
    st = pinn_h5_set_attr_double_array(w, group, "input_map_lo", n_in, map_lo);
    if (!st) st = pinn_h5_set_attr_double_array(w, group, "input_map_hi", n_in, map_hi);
  }
  if (!st && has_periodic) { /* format 3: the periodic embedding */
    double harm[PINN_MAX_INPUTS];
    for (size_t i = 0; i < n_in; ++i) harm[i] = (double)emb->harmonics[i];
    st = pinn_h5_set_attr_double_array(w, group, "periodic_period", n_in, emb->period);
    if (!st) st = pinn_h5_set_attr_double_array(w, group, "periodic_harmonics", n_in, harm);
  }
  if (!st && has_fourier) { /* format 4: Fourier features */
    double axis[PINN_MAX_INPUTS];
    for (size_t i = 0; i < n_in; ++i) axis[i] = (double)emb->fourier.axis[i];
    st = pinn_h5_set_attr_double_array(w, group, "fourier_axis", n_in, axis);
    if (!st) st = pinn_h5_set_attr_int64(w, group, "fourier_m", (int64_t)emb->fourier.m);
    if (!st) st = pinn_h5_set_attr_double(w, group, "fourier_sigma", emb->fourier.sigma);
    if (!st) st = pinn_h5_set_attr_int64(w, group, "fourier_seed", (int64_t)emb->fourier.seed);
    if (!st && emb->fourier.m) {
      double *Bm = malloc(emb->fourier.m * n_in * sizeof *Bm);
      if (!Bm) st = PINN_ENOMEM;
      for (size_t r = 0; Bm && r < emb->fourier.m; ++r)
        for (size_t i = 0; i < n_in; ++i) Bm[r * n_in + i] = emb->fourier_B[r][i];
      size_t dims[2] = {emb->fourier.m, n_in};
      child(path, sizeof path, group, "fourier_B");
      if (!st) st = pinn_h5_write_dataset(w, path, 2, dims, Bm);
      free(Bm);
    }
  }
  if (!st) {
    size_t dims[1] = {L};
    child(path, sizeof path, group, "sizes");
    st = pinn_h5_write_dataset_int64(w, path, 1, dims, sizes);
  }
  if (!st) {
    size_t dims[1] = {pinn_mlp_n_params(net)};
    child(path, sizeof path, group, "theta");
    st = pinn_h5_write_dataset(w, path, 1, dims, pinn_mlp_params_const(net));
  }
  free(sizes);
  free(outs);
  free(emb);
  if (st) return pinn_error_set(err, st, "saving the network: %s", pinn_h5_writer_errmsg(w));
  pinn_error_clear(err);
  return 0;
}

int pinn_model_save(const char *path, const pinn_mlp *net, const pinn_problem *p, pinn_error *err)
{
  if (!path || !net)
    return pinn_error_set(err, PINN_EINVAL, "pinn_model_save: path and network are required");
  pinn_h5_writer *w = pinn_h5_create(path, err);
  if (!w) return err ? err->code : PINN_EIO;
  int st = pinn_model_write(w, NULL, net, p, err);
  if (st) {
    pinn_h5_abort(w);
    return st;
  }
  return pinn_h5_commit(w, err);
}

/* ----------------------------------------------------------------- read */

/* Read a required int64 attribute within [lo, hi]. */
static int get_int(pinn_h5_reader *r, const char *group, const char *name, int64_t lo, int64_t hi,
                   int64_t *out, pinn_error *err)
{
  int st = pinn_h5_get_attr_int64(r, group, name, out);
  if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
  if (*out < lo || *out > hi)
    return pinn_error_set(err, PINN_EFORMAT,
                          "model attribute '%s' of '%s' is %lld, outside %lld..%lld: the file is "
                          "corrupt or not a libpinn model",
                          name, group, (long long)*out, (long long)lo, (long long)hi);
  return 0;
}

/* Read a required string attribute (malloc'd into *out). */
static int get_str(pinn_h5_reader *r, const char *group, const char *name, char **out,
                   pinn_error *err)
{
  int st = pinn_h5_get_attr_string(r, group, name, out);
  if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
  return 0;
}

/* Split a comma-separated list into exactly n names of [A-Za-z0-9_] of
 * length < cap (copied into names[i], stride cap; names may be NULL to only
 * check, keep caps the number stored).  "" is zero names. */
static int split_names(const char *text, size_t n, char *names, size_t cap, size_t keep,
                       const char *what, pinn_error *err)
{
  size_t count = 0;
  const char *s = text;
  if (!*s && n == 0) return 0;
  for (;;) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len == 0 || len >= cap)
      return pinn_error_set(err, PINN_EFORMAT,
                            "model attribute '%s' (\"%.60s\") has an empty or over-long name "
                            "(names are 1 to %zu characters)",
                            what, text, cap - 1);
    for (size_t i = 0; i < len; ++i)
      if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
        return pinn_error_set(err, PINN_EFORMAT,
                              "model attribute '%s' (\"%.60s\") has a name with a character "
                              "other than [A-Za-z0-9_]",
                              what, text);
    if (names && count < keep) {
      memcpy(names + count * cap, s, len);
      names[count * cap + len] = '\0';
    }
    ++count;
    if (count > n) break;
    if (!e) break;
    s = e + 1;
  }
  if (count != n)
    return pinn_error_set(err, PINN_EFORMAT,
                          "model attribute '%s' (\"%.60s\") lists %s%zu names but the network "
                          "has %zu",
                          what, text, count > n ? "more than " : "", count > n ? n : count, n);
  return 0;
}

/* Parse the activation list into act[n_hidden]. */
static int parse_activations(const char *text, size_t n_hidden, pinn_activation *act,
                             pinn_error *err)
{
  if (n_hidden == 0) {
    if (*text)
      return pinn_error_set(err, PINN_EFORMAT,
                            "model attribute 'activations' is \"%.60s\" but the network has no "
                            "hidden layer",
                            text);
    return 0;
  }
  const char *s = text;
  for (size_t l = 0; l < n_hidden; ++l) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    char one[64];
    if (len == 0 || len >= sizeof one)
      return pinn_error_set(err, PINN_EFORMAT,
                            "model attribute 'activations': entry %zu is empty or too long "
                            "(\"%.60s\")",
                            l + 1, text);
    memcpy(one, s, len);
    one[len] = '\0';
    pinn_error pe;
    if (pinn_activation_parse(one, &act[l], &pe))
      return pinn_error_set(err, PINN_EFORMAT,
                            "model attribute 'activations': hidden layer %zu: %s", l + 1, pe.msg);
    if (!e && l + 1 < n_hidden)
      return pinn_error_set(err, PINN_EFORMAT,
                            "model attribute 'activations' lists %zu activations but the network "
                            "has %zu hidden layers",
                            l + 1, n_hidden);
    if (e && l + 1 == n_hidden)
      return pinn_error_set(err, PINN_EFORMAT,
                            "model attribute 'activations' lists more than %zu activations (the "
                            "number of hidden layers)",
                            n_hidden);
    if (e) s = e + 1;
  }
  return 0;
}

/* Everything but theta: validated layout + metadata. */
typedef struct model_desc {
  pinn_model_meta meta;
  size_t sizes[MODEL_MAX_LAYERS];
  pinn_activation act[MODEL_MAX_LAYERS];
  int prelu_per_unit;
} model_desc;

/* Number of parameters of a layout (sizes already in range: no overflow). */
static size_t layout_params(const model_desc *d)
{
  size_t L = d->meta.n_layers, n = 0, fan_in = d->sizes[0];
  if (d->meta.has_embedding) fan_in = pinn_embedding_features(&d->meta.embedding, d->meta.n_in);
  n += d->sizes[1] * fan_in + d->sizes[1];
  for (size_t l = 2; l < L; ++l) n += d->sizes[l] * d->sizes[l - 1] + d->sizes[l];
  for (size_t l = 1; l + 1 < L; ++l)
    if (d->act[l - 1].kind == PINN_ACT_PRELU) n += d->prelu_per_unit ? d->sizes[l] : 1;
  return n;
}

/* Fourier features (format 4): fourier_axis, fourier_m, fourier_sigma,
 * fourier_seed and the dataset fourier_B (m x n_in), checked as
 * pinn_mlp_alloc would (after the periodic embedding is read). */
static int read_fourier(pinn_h5_reader *r, const char *group, pinn_model_meta *m, pinn_error *err)
{
  static const char *const names[] = {"fourier_axis", "fourier_m", "fourier_sigma", "fourier_seed"};
  int n_has = 0;
  for (size_t k = 0; k < 4; ++k) n_has += pinn_h5_has_attr(r, group, names[k]);
  if (n_has == 0) return 0;
  if (n_has != 4)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s' has only some of fourier_axis, fourier_m, fourier_sigma and "
                          "fourier_seed: the file is corrupt",
                          group);
  if (m->format_version < 4)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s' has Fourier features but says format_version %d (they need "
                          "version 4): the file is corrupt",
                          group, m->format_version);
  pinn_fourier *f = &m->embedding.fourier;
  double axis[PINN_MAX_INPUTS];
  int64_t v;
  int st = get_int(r, group, "fourier_m", 0, PINN_MAX_FOURIER, &v, err);
  if (st) return st;
  f->m = (size_t)v;
  st = pinn_h5_get_attr_double_array(r, group, "fourier_axis", m->n_in, axis);
  if (!st) st = pinn_h5_get_attr_double(r, group, "fourier_sigma", &f->sigma);
  if (!st) st = pinn_h5_get_attr_int64(r, group, "fourier_seed", &v);
  if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
  f->seed = (unsigned long)(uint64_t)v;
  int any = f->m > 0;
  for (size_t i = 0; i < m->n_in; ++i) {
    if (!(axis[i] >= 0 && axis[i] <= PINN_MAX_HARMONICS && axis[i] == floor(axis[i])))
      return pinn_error_set(err, PINN_EFORMAT,
                            "'%s': input %zu's Fourier features (%g frequencies) are invalid: "
                            "the file is corrupt",
                            group, i, axis[i]);
    f->axis[i] = (unsigned)axis[i];
    any |= f->axis[i] > 0;
  }
  if (!any)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s': Fourier features with no frequency: the file is corrupt", group);
  if (f->m) {
    char path[512];
    child(path, sizeof path, group, "fourier_B");
    size_t want[2] = {f->m, m->n_in};
    double *Bm = NULL;
    st = pinn_h5_read_dataset(r, path, 2, want, &Bm, NULL, NULL);
    if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    for (size_t k = 0; k < f->m; ++k)
      for (size_t i = 0; i < m->n_in; ++i) m->embedding.fourier_B[k][i] = Bm[k * m->n_in + i];
    free(Bm);
  }
  pinn_error e;
  if (pinn_embedding_check(&m->embedding, m->n_in, &e))
    return pinn_error_set(err, PINN_EFORMAT, "'%s': %s: the file is corrupt", group, e.msg);
  m->has_embedding = 1;
  return 0;
}

static int read_desc(pinn_h5_reader *r, const char *group, model_desc *d, pinn_error *err)
{
  memset(d, 0, sizeof *d);
  pinn_model_meta *m = &d->meta;
  char *s = NULL;
  int st;
  if (!pinn_h5_has(r, group))
    return pinn_error_set(err, PINN_EFORMAT,
                          "no network in this file: group '%s' is missing (pinn solve files and "
                          "checkpoints keep it; was this written by libpinn?)",
                          group);
  if ((st = get_str(r, group, "format", &s, err))) return st;
  if (strcmp(s, MODEL_FORMAT_NAME) != 0)
    st = pinn_error_set(err, PINN_EFORMAT, "'%s' holds \"%.60s\", not a libpinn network (\"%s\")",
                        group, s, MODEL_FORMAT_NAME);
  free(s);
  if (st) return st;
  int64_t v;
  st = pinn_h5_get_attr_int64(r, group, "format_version", &v);
  if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
  if (v < 1)
    return pinn_error_set(err, PINN_EFORMAT, "'%s': format_version %lld is invalid (must be >= 1)",
                          group, (long long)v);
  if (v > PINN_MODEL_FORMAT_VERSION)
    return pinn_error_set(err, PINN_EUNSUPPORTED,
                          "'%s' was written in model format version %lld; this libpinn (%s) "
                          "reads version %d and older: upgrade libpinn",
                          group, (long long)v, pinn_version(), PINN_MODEL_FORMAT_VERSION);
  m->format_version = (int)v;
  if ((st = get_str(r, group, "libpinn_version", &s, err))) return st;
  snprintf(m->libpinn_version, sizeof m->libpinn_version, "%s", s);
  free(s);
  if (pinn_h5_has_attr(r, group, "output_transform")) {
    if ((st = get_str(r, group, "output_transform", &s, err))) return st;
    if (strcmp(s, "problem") == 0)
      m->problem_transform = 1;
    else if (strcmp(s, "none") != 0)
      st = pinn_error_set(err, PINN_EUNSUPPORTED,
                          "'%s' uses output transform \"%.60s\", which this libpinn (%s) cannot "
                          "rebuild; upgrade libpinn",
                          group, s, pinn_version());
    free(s);
    if (st) return st;
  }

  if ((st = get_int(r, group, "n_layers", 2, MODEL_MAX_LAYERS, &v, err))) return st;
  m->n_layers = (size_t)v;
  if ((st = get_int(r, group, "n_in", 1, PINN_MAX_INPUTS, &v, err))) return st;
  m->n_in = (size_t)v;
  if ((st = get_int(r, group, "n_out", 1, MODEL_MAX_WIDTH, &v, err))) return st;
  m->n_out = (size_t)v;
  if ((st = get_int(r, group, "n_params", 1, (int64_t)PINN_MODEL_MAX_PARAMS, &v, err))) return st;
  m->n_params = (size_t)v;
  if ((st = get_int(r, group, "prelu_per_unit", 0, 1, &v, err))) return st;
  d->prelu_per_unit = (int)v;

  /* sizes */
  char path[512];
  child(path, sizeof path, group, "sizes");
  size_t want[1] = {m->n_layers};
  int64_t *sz = NULL;
  st = pinn_h5_read_dataset_int64(r, path, 1, want, &sz, NULL, NULL);
  if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
  for (size_t l = 0; l < m->n_layers; ++l) {
    int64_t lim = l == 0 ? PINN_MAX_INPUTS : MODEL_MAX_WIDTH;
    if (sz[l] < 1 || sz[l] > lim) {
      pinn_error_set(err, PINN_EFORMAT,
                     "'%s': layer %zu has width %lld, outside 1..%lld: the file is corrupt", path,
                     l, (long long)sz[l], (long long)lim);
      free(sz);
      return PINN_EFORMAT;
    }
    d->sizes[l] = (size_t)sz[l];
  }
  free(sz);
  if (d->sizes[0] != m->n_in || d->sizes[m->n_layers - 1] != m->n_out)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s': sizes (%zu ... %zu) disagree with n_in = %zu, n_out = %zu: the "
                          "file is corrupt",
                          path, d->sizes[0], d->sizes[m->n_layers - 1], m->n_in, m->n_out);

  /* a periodic embedding (format 3): period >= 0 finite, harmonics 1..16 where periodic */
  const int has_pp = pinn_h5_has_attr(r, group, "periodic_period"),
            has_ph = pinn_h5_has_attr(r, group, "periodic_harmonics");
  if (has_pp != has_ph)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s' has only one of periodic_period and periodic_harmonics", group);
  if (has_pp && m->format_version < 3)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s' has a periodic embedding but says format_version %d (an embedding "
                          "needs version 3): the file is corrupt",
                          group, m->format_version);
  if (has_pp) {
    double harm[PINN_MAX_INPUTS];
    st = pinn_h5_get_attr_double_array(r, group, "periodic_period", m->n_in, m->embedding.period);
    if (!st) st = pinn_h5_get_attr_double_array(r, group, "periodic_harmonics", m->n_in, harm);
    if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    int any = 0;
    for (size_t i = 0; i < m->n_in; ++i) {
      const double P = m->embedding.period[i], K = harm[i];
      const int periodic = P > 0;
      if (!(P >= 0 && isfinite(P)) ||
          (periodic ? !(K >= 1 && K <= PINN_MAX_HARMONICS && K == floor(K)) : K != 0))
        return pinn_error_set(err, PINN_EFORMAT,
                              "'%s': input %zu's periodic embedding (period %g, %g harmonics) is "
                              "invalid: the file is corrupt",
                              group, i, P, K);
      m->embedding.harmonics[i] = periodic ? (unsigned)K : 0;
      any |= periodic;
    }
    if (!any)
      return pinn_error_set(err, PINN_EFORMAT,
                            "'%s': a periodic embedding with no periodic input: the file is "
                            "corrupt",
                            group);
    m->has_embedding = 1;
  }
  if ((st = read_fourier(r, group, m, err))) return st;

  /* activations */
  if ((st = get_str(r, group, "activations", &s, err))) return st;
  snprintf(m->activations, sizeof m->activations, "%s", s);
  st = strlen(s) >= sizeof m->activations
           ? pinn_error_set(err, PINN_EFORMAT, "model attribute 'activations' is too long")
           : parse_activations(s, m->n_layers - 2, d->act, err);
  free(s);
  if (st) return st;

  size_t np = layout_params(d);
  if (np != m->n_params)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s': the layout (%zu layers, activations \"%.80s\") has %zu "
                          "parameters but n_params says %zu: the file is corrupt",
                          group, m->n_layers, m->activations, np, m->n_params);

  /* names */
  if ((st = get_str(r, group, "inputs", &s, err))) return st;
  st = split_names(s, m->n_in, &m->inputs[0][0], sizeof m->inputs[0], PINN_MAX_INPUTS, "inputs",
                   err);
  free(s);
  if (st) return st;
  if ((st = get_str(r, group, "outputs", &s, err))) return st;
  st = split_names(s, m->n_out, &m->outputs[0][0], sizeof m->outputs[0], PINN_MAX_OUTPUTS,
                   "outputs", err);
  free(s);
  if (st) return st;
  if ((st = get_str(r, group, "problem", &s, err))) return st;
  snprintf(m->problem, sizeof m->problem, "%s", s);
  free(s);
  if ((st = get_int(r, group, "space_dim", 0, PINN_MAX_INPUTS, &v, err))) return st;
  m->space_dim = (size_t)v;
  if ((st = get_int(r, group, "has_time", 0, 1, &v, err))) return st;
  m->has_time = (int)v;
  if (m->space_dim && m->space_dim + (size_t)m->has_time != m->n_in)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s': space_dim %zu%s does not match the network's %zu inputs", group,
                          m->space_dim, m->has_time ? " + time" : "", m->n_in);
  int has_lo = pinn_h5_has_attr(r, group, "input_lo"), has_hi = pinn_h5_has_attr(r, group, "input_hi");
  if (has_lo != has_hi)
    return pinn_error_set(err, PINN_EFORMAT, "'%s' has only one of input_lo and input_hi", group);
  if (has_lo) {
    st = pinn_h5_get_attr_double_array(r, group, "input_lo", m->n_in, m->lo);
    if (!st) st = pinn_h5_get_attr_double_array(r, group, "input_hi", m->n_in, m->hi);
    if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    for (size_t i = 0; i < m->n_in; ++i)
      if (!(isfinite(m->lo[i]) && isfinite(m->hi[i]) && m->lo[i] < m->hi[i]))
        return pinn_error_set(err, PINN_EFORMAT,
                              "'%s': input bounds of input %zu ([%g, %g]) are not a finite, "
                              "non-empty interval",
                              group, i, m->lo[i], m->hi[i]);
    m->has_bounds = 1;
  }
  const int has_mlo = pinn_h5_has_attr(r, group, "input_map_lo"),
            has_mhi = pinn_h5_has_attr(r, group, "input_map_hi");
  if (has_mlo != has_mhi)
    return pinn_error_set(err, PINN_EFORMAT, "'%s' has only one of input_map_lo and input_map_hi",
                          group);
  if (has_mlo && m->format_version < 2)
    return pinn_error_set(err, PINN_EFORMAT,
                          "'%s' has an input map but says format_version %d (an input map needs "
                          "version 2): the file is corrupt",
                          group, m->format_version);
  if (has_mlo) {
    st = pinn_h5_get_attr_double_array(r, group, "input_map_lo", m->n_in, m->map_lo);
    if (!st) st = pinn_h5_get_attr_double_array(r, group, "input_map_hi", m->n_in, m->map_hi);
    if (st) return pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    for (size_t i = 0; i < m->n_in; ++i) {
      const double lo = m->map_lo[i], hi = m->map_hi[i];
      if (!(isfinite(lo) && isfinite(hi) && lo < hi && isfinite(2.0 / (hi - lo))
            && isfinite(0.5 * (lo + hi))))
        return pinn_error_set(err, PINN_EFORMAT,
                              "'%s': the input map of input %zu ([%g, %g]) is not a finite, "
                              "non-empty interval",
                              group, i, lo, hi);
    }
    m->has_input_map = 1;
  }
  return 0;
}

int pinn_model_read_meta(pinn_h5_reader *r, const char *group, pinn_model_meta *meta,
                         pinn_error *err)
{
  if (!r || !meta)
    return pinn_error_set(err, PINN_EINVAL, "pinn_model_read_meta: reader and meta are required");
  char gbuf[256];
  group = group_arg(group, gbuf, "pinn_model_read_meta", err);
  if (!group) return PINN_EINVAL;
  model_desc *d = malloc(sizeof *d);
  if (!d) return pinn_error_set(err, PINN_ENOMEM, "out of memory reading a network");
  int st = read_desc(r, group, d, err);
  if (!st) {
    *meta = d->meta;
    pinn_error_clear(err);
  }
  free(d);
  return st;
}

/* The network of group; a network whose outputs pass through its
 * problem's output transform only when bare (the caller applies them). */
static pinn_mlp *read_model(pinn_h5_reader *r, const char *group, pinn_model_meta *meta, int bare,
                            pinn_error *err)
{
  if (!r) {
    pinn_error_set(err, PINN_EINVAL, "pinn_model_read: reader is NULL");
    return NULL;
  }
  char gbuf[256];
  group = group_arg(group, gbuf, "pinn_model_read", err);
  if (!group) return NULL;
  model_desc *d = malloc(sizeof *d);
  if (!d) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory reading a network");
    return NULL;
  }
  pinn_mlp *net = NULL;
  double *theta = NULL;
  int st = read_desc(r, group, d, err);
  if (st) goto done;
  if (d->meta.problem_transform && !bare) {
    st = pinn_error_set(err, PINN_EUNSUPPORTED,
                        "'%s': the network's outputs pass through its problem's output transform "
                        "(hard constraints), which is the problem's own code: evaluate it with "
                        "the problem (pinn_model_load_network and pinn_problem_transform, "
                        "pinn_loss_predict, or pinn eval, which re-creates the problem) instead "
                        "of from the file alone",
                        group);
    goto done;
  }
  char path[512];
  child(path, sizeof path, group, "theta");
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  st = pinn_h5_dataset_shape(r, path, &rank, dims);
  if (st) {
    pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    goto done;
  }
  if (rank != 1 || dims[0] != d->meta.n_params) {
    st = pinn_error_set(err, PINN_EFORMAT,
                        "'%s' has %s%zu values but the network needs %zu parameters: the file is "
                        "corrupt",
                        path, rank == 1 ? "" : "rank != 1, ", rank == 1 ? dims[0] : (size_t)0,
                        d->meta.n_params);
    goto done;
  }
  size_t want[1] = {d->meta.n_params};
  st = pinn_h5_read_dataset(r, path, 1, want, &theta, NULL, NULL);
  if (st) {
    pinn_error_set(err, st, "%s", pinn_h5_reader_errmsg(r));
    goto done;
  }
  for (size_t i = 0; i < d->meta.n_params; ++i)
    if (!isfinite(theta[i])) {
      st = pinn_error_set(err, PINN_EFORMAT,
                          "'%s': parameter %zu is %g, not finite; the network diverged before it "
                          "was saved, or the file is corrupt",
                          path, i, theta[i]);
      goto done;
    }
  pinn_mlp_layout lay = {d->meta.n_layers, d->sizes, d->act, d->prelu_per_unit,
                         d->meta.has_embedding ? &d->meta.embedding : NULL};
  pinn_error pe;
  net = pinn_mlp_alloc(&lay, &pe);
  if (!net) {
    st = pinn_error_set(err, pe.code == PINN_ENOMEM ? PINN_ENOMEM : PINN_EFORMAT,
                        "'%s': cannot rebuild the network: %s", group, pe.msg);
    goto done;
  }
  if (pinn_mlp_n_params(net) != d->meta.n_params) { /* layout_params mirrors mlp.c */
    st = pinn_error_set(err, PINN_EFAILED,
                        "'%s': internal error: rebuilt network has %zu parameters, expected %zu",
                        group, pinn_mlp_n_params(net), d->meta.n_params);
    goto done;
  }
  memcpy(pinn_mlp_params(net), theta, d->meta.n_params * sizeof *theta);
  if (d->meta.has_input_map
      && (st = pinn_mlp_set_input_map(net, d->meta.map_lo, d->meta.map_hi))) {
    pinn_error_set(err, PINN_EFORMAT, "'%s': %s", group, pinn_mlp_errmsg(net));
    goto done;
  }
  if (meta) *meta = d->meta;
  pinn_error_clear(err);
done:
  if (st) {
    pinn_mlp_free(net);
    net = NULL;
  }
  free(theta);
  free(d);
  return net;
}

pinn_mlp *pinn_model_read(pinn_h5_reader *r, const char *group, pinn_error *err)
{
  return read_model(r, group, NULL, 0, err);
}

static pinn_mlp *load(const char *path, pinn_model_meta *meta, int bare, pinn_error *err)
{
  pinn_h5_reader *r = pinn_h5_open(path, err);
  if (!r) return NULL;
  pinn_error e;
  pinn_mlp *net = read_model(r, NULL, meta, bare, &e);
  pinn_h5_close(r);
  if (!net) {
    /* Name the file: messages from h5io do, our own may not. */
    if (strstr(e.msg, path))
      pinn_error_set(err, e.code, "%s", e.msg);
    else
      pinn_error_set(err, e.code, "'%s': %s", path, e.msg);
    return NULL;
  }
  pinn_error_clear(err);
  return net;
}

pinn_mlp *pinn_model_load_meta(const char *path, pinn_model_meta *meta, pinn_error *err)
{
  return load(path, meta, 0, err);
}

pinn_mlp *pinn_model_load_network(const char *path, pinn_model_meta *meta, pinn_error *err)
{
  return load(path, meta, 1, err);
}

pinn_mlp *pinn_model_load(const char *path, pinn_error *err)
{
  return pinn_model_load_meta(path, NULL, err);
}
