/* libpinn — unit-cube point sequences (see include/pinn/sample.h, which
 * cites the generators).  top_k keeps a binary min-heap of the k best entries
 * seen (Williams 1964), O(n log k).
 */
#include <pinn/sample.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* GSL's dimension limits (SOBOL_MAX_DIMENSION, HALTON_MAX_DIMENSION in
 * GSL's qrng/sobol.c and qrng/halton.c); gsl_qrng_alloc aborts beyond them
 * under GSL's default error handler, so they are checked here first. */
#define SAMPLE_SOBOL_MAX_DIM 40
#define SAMPLE_HALTON_MAX_DIM 1229

struct pinn_sampler {
  pinn_sampler_kind kind;
  size_t dim;
  unsigned long seed;
  gsl_rng *rng;   /* UNIFORM, LHS */
  gsl_qrng *qrng; /* SOBOL, HALTON */
  size_t *perm;   /* LHS workspace, grown on demand */
  size_t perm_cap;
  pinn_error err; /* the last failure */
};

/* State blob header: magic, version, kind, payload bytes, dim (native). */
static const unsigned char state_magic[8] = {'P', 'I', 'N', 'N', 'S', 'M', 'P', '1'};
typedef struct {
  unsigned char magic[8];
  uint64_t kind;
  uint64_t dim;
  uint64_t payload;
} state_header;

const char *pinn_sampler_kind_name(pinn_sampler_kind kind)
{
  switch (kind) {
  case PINN_SAMPLER_GRID: return "grid";
  case PINN_SAMPLER_UNIFORM: return "uniform";
  case PINN_SAMPLER_LHS: return "lhs";
  case PINN_SAMPLER_SOBOL: return "sobol";
  case PINN_SAMPLER_HALTON: return "halton";
  }
  return "unknown";
}

static int name_equal(const char *a, const char *b)
{
  for (; *a && *b; ++a, ++b)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
  return *a == *b;
}

int pinn_sampler_kind_parse(const char *name, pinn_sampler_kind *kind, pinn_error *err)
{
  static const struct { const char *name; pinn_sampler_kind kind; } table[] = {
    {"grid", PINN_SAMPLER_GRID},   {"uniform", PINN_SAMPLER_UNIFORM},
    {"random", PINN_SAMPLER_UNIFORM}, {"lhs", PINN_SAMPLER_LHS},
    {"sobol", PINN_SAMPLER_SOBOL}, {"halton", PINN_SAMPLER_HALTON}};
  if (!name || !kind)
    return pinn_error_set(err, PINN_EINVAL, "pinn_sampler_kind_parse: name and kind are required");
  for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i)
    if (name_equal(name, table[i].name)) {
      *kind = table[i].kind;
      pinn_error_clear(err);
      return PINN_SUCCESS;
    }
  return pinn_error_set(err, PINN_EINVAL,
                        "unknown sampler kind '%.60s'; use grid, uniform (or random), lhs, sobol "
                        "or halton",
                        name);
}

size_t pinn_sampler_max_dim(pinn_sampler_kind kind)
{
  switch (kind) {
  case PINN_SAMPLER_SOBOL: return SAMPLE_SOBOL_MAX_DIM;
  case PINN_SAMPLER_HALTON: return SAMPLE_HALTON_MAX_DIM;
  default: return (size_t)-1;
  }
}

pinn_sampler *pinn_sampler_alloc(pinn_sampler_kind kind, size_t dim, unsigned long seed,
                                 pinn_error *err)
{
  if ((unsigned)kind > PINN_SAMPLER_HALTON) {
    pinn_error_set(err, PINN_EINVAL,
                   "sampler kind %d is not one of PINN_SAMPLER_GRID, _UNIFORM, _LHS, _SOBOL, "
                   "_HALTON; pick one of those (or parse a name with pinn_sampler_kind_parse)",
                   (int)kind);
    return NULL;
  }
  if (dim == 0) {
    pinn_error_set(err, PINN_EINVAL,
                   "sampler dim is 0; give the number of coordinates per point (>= 1). A region "
                   "that needs no coordinates (the end points of an untimed interval) takes a "
                   "NULL sampler");
    return NULL;
  }
  if (dim > pinn_sampler_max_dim(kind)) {
    pinn_error_set(err, PINN_EUNSUPPORTED,
                   "%s sampler of dim %zu exceeds GSL's limit of %zu dimensions; use dim <= %zu "
                   "or another kind (halton allows 1229; uniform and lhs have no limit)",
                   pinn_sampler_kind_name(kind), dim, pinn_sampler_max_dim(kind),
                   pinn_sampler_max_dim(kind));
    return NULL;
  }
  pinn_sampler *s = calloc(1, sizeof *s);
  if (s) {
    s->kind = kind;
    s->dim = dim;
    s->seed = seed;
    if (kind == PINN_SAMPLER_UNIFORM || kind == PINN_SAMPLER_LHS)
      s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    else if (kind != PINN_SAMPLER_GRID)
      s->qrng = gsl_qrng_alloc(kind == PINN_SAMPLER_SOBOL ? gsl_qrng_sobol : gsl_qrng_halton,
                               (unsigned)dim);
  }
  if (!s || (kind != PINN_SAMPLER_GRID && !s->rng && !s->qrng)) {
    pinn_sampler_free(s);
    pinn_error_set(err, PINN_ENOMEM, "out of memory allocating a %s sampler; free memory and retry",
                   pinn_sampler_kind_name(kind));
    return NULL;
  }
  /* GSL mallocs the generator state and its init fills only what the
   * dimension uses (Sobol's and Halton's tables are sized for their maximum
   * dimension): zero it all and initialise it, so a saved state (a
   * checkpoint) holds no uninitialised bytes and is the same for the same
   * seed. */
  if (s->qrng) {
    memset(gsl_qrng_state(s->qrng), 0, gsl_qrng_size(s->qrng));
    gsl_qrng_init(s->qrng);
  }
  if (s->rng) {
    memset(gsl_rng_state(s->rng), 0, gsl_rng_size(s->rng));
    gsl_rng_set(s->rng, seed);
  }
  return s;
}

void pinn_sampler_free(pinn_sampler *s)
{
  if (!s) return;
  if (s->rng) gsl_rng_free(s->rng);
  if (s->qrng) gsl_qrng_free(s->qrng);
  free(s->perm);
  free(s);
}

pinn_sampler_kind pinn_sampler_get_kind(const pinn_sampler *s) { return s->kind; }

size_t pinn_sampler_dim(const pinn_sampler *s) { return s->dim; }

const char *pinn_sampler_errmsg(const pinn_sampler *s) { return s ? s->err.msg : ""; }

void pinn_sampler_reset(pinn_sampler *s)
{
  if (s->rng) gsl_rng_set(s->rng, s->seed);
  if (s->qrng) gsl_qrng_init(s->qrng);
  pinn_error_clear(&s->err);
}

/* Is m^dim <= n (without overflow)? */
static int pow_le(size_t m, size_t dim, size_t n)
{
  size_t p = 1;
  for (size_t j = 0; j < dim; ++j) {
    if (m != 0 && p > n / m) return 0;
    p *= m;
  }
  return p <= n;
}

/* Points per axis of the GRID for a request of n: largest m with m^dim <= n. */
static size_t grid_side(size_t dim, size_t n)
{
  if (n == 0) return 0;
  size_t m = (size_t)floor(pow((double)n, 1.0 / (double)dim));
  if (m < 1) m = 1;
  while (m > 1 && !pow_le(m, dim, n)) --m;
  while (pow_le(m + 1, dim, n)) ++m;
  return m;
}

size_t pinn_sampler_count(const pinn_sampler *s, size_t n)
{
  if (s->kind != PINN_SAMPLER_GRID || n == 0) return n;
  size_t m = grid_side(s->dim, n), p = 1;
  for (size_t j = 0; j < s->dim; ++j) p *= m;
  return p;
}

/* Keep a value drawn as k/n + U/n strictly below 1 despite rounding. */
static double below_one(double v) { return v < 1.0 ? v : nextafter(1.0, 0.0); }

static int fill_grid(pinn_sampler *s, size_t n, double *u)
{
  const size_t dim = s->dim, m = grid_side(dim, n), count = pinn_sampler_count(s, n);
  const double h = 1.0 / (double)m;
  for (size_t p = 0; p < count; ++p) {
    size_t q = p;
    for (size_t j = 0; j < dim; ++j) {
      u[p * dim + j] = ((double)(q % m) + 0.5) * h;
      q /= m;
    }
  }
  return PINN_SUCCESS;
}

static int fill_lhs(pinn_sampler *s, size_t n, double *u)
{
  if (n > s->perm_cap) {
    if (n > SIZE_MAX / sizeof *s->perm)
      return pinn_error_set(&s->err, PINN_ENOMEM,
                            "a Latin hypercube of %zu points is too large; ask for fewer points",
                            n);
    size_t *p = realloc(s->perm, n * sizeof *p);
    if (!p)
      return pinn_error_set(&s->err, PINN_ENOMEM,
                            "out of memory for the permutation of a %zu-point Latin hypercube; "
                            "ask for fewer points per fill",
                            n);
    s->perm = p;
    s->perm_cap = n;
  }
  const size_t dim = s->dim;
  const double inv = 1.0 / (double)n;
  for (size_t j = 0; j < dim; ++j) {
    for (size_t i = 0; i < n; ++i) s->perm[i] = i;
    gsl_ran_shuffle(s->rng, s->perm, n, sizeof *s->perm);
    for (size_t i = 0; i < n; ++i)
      u[i * dim + j] = below_one(((double)s->perm[i] + gsl_rng_uniform(s->rng)) * inv);
  }
  return PINN_SUCCESS;
}

int pinn_sampler_fill(pinn_sampler *s, size_t n, double *u)
{
  if (n == 0) return PINN_SUCCESS;
  if (!u)
    return pinn_error_set(&s->err, PINN_EINVAL,
                          "output array is NULL; pass room for %zu x %zu doubles", n, s->dim);
  switch (s->kind) {
  case PINN_SAMPLER_GRID: return fill_grid(s, n, u);
  case PINN_SAMPLER_UNIFORM:
    for (size_t i = 0, len = n * s->dim; i < len; ++i) u[i] = gsl_rng_uniform(s->rng);
    return PINN_SUCCESS;
  case PINN_SAMPLER_LHS: return fill_lhs(s, n, u);
  case PINN_SAMPLER_SOBOL:
  case PINN_SAMPLER_HALTON:
    for (size_t i = 0; i < n; ++i)
      if (gsl_qrng_get(s->qrng, u + i * s->dim) != 0)
        return pinn_error_set(&s->err, PINN_EFAILED,
                              "the %s sequence is exhausted (GSL gives at most 2^30 - 1 Sobol "
                              "points); reset the sampler or use another kind",
                              pinn_sampler_kind_name(s->kind));
    return PINN_SUCCESS;
  }
  return PINN_EINVAL;
}

/* Payload bytes and pointer of the generator state (none for GRID). */
static size_t payload_size(const pinn_sampler *s)
{
  return s->rng ? gsl_rng_size(s->rng) : s->qrng ? gsl_qrng_size(s->qrng) : 0;
}

static void *payload_ptr(const pinn_sampler *s)
{
  return s->rng ? gsl_rng_state(s->rng) : s->qrng ? gsl_qrng_state(s->qrng) : NULL;
}

size_t pinn_sampler_state_size(const pinn_sampler *s)
{
  return sizeof(state_header) + payload_size(s);
}

int pinn_sampler_state_save(const pinn_sampler *s, void *buf, size_t size, pinn_error *err)
{
  const size_t need = pinn_sampler_state_size(s);
  if (!buf || size < need)
    return pinn_error_set(err, PINN_EINVAL,
                          "the %s sampler's state needs a buffer of %zu bytes (got %zu%s); size it "
                          "with pinn_sampler_state_size",
                          pinn_sampler_kind_name(s->kind), need, size, buf ? "" : ", NULL");
  state_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, state_magic, sizeof h.magic);
  h.kind = (uint64_t)s->kind;
  h.dim = (uint64_t)s->dim;
  h.payload = (uint64_t)payload_size(s);
  memcpy(buf, &h, sizeof h);
  if (h.payload) memcpy((unsigned char *)buf + sizeof h, payload_ptr(s), (size_t)h.payload);
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

/* A quasi-random state from a file: does a copy of the generator, put in
 * that state, draw a point inside [0,1)^dim?  (GSL's Sobol and Halton
 * generators index only fixed tables with their state, but scale by numbers
 * in it: a corrupt state gives points anywhere, or none.)  The state of the
 * pseudo-random kinds (mt19937) is safe with any bytes. */
static int qrng_state_sane(const pinn_sampler *s, const unsigned char *payload, size_t n)
{
  gsl_qrng *c = gsl_qrng_clone(s->qrng);
  double *v = malloc(s->dim * sizeof *v);
  int ok = c && v && n == gsl_qrng_size(c);
  if (ok) {
    memcpy(gsl_qrng_state(c), payload, n);
    ok = gsl_qrng_get(c, v) == 0;
    for (size_t j = 0; ok && j < s->dim; ++j) ok = v[j] >= 0.0 && v[j] < 1.0;
  }
  free(v);
  if (c) gsl_qrng_free(c);
  return ok;
}

/* Validate a saved state for s: 0, or PINN_EFORMAT with the message on s. */
static int state_check(pinn_sampler *s, const void *buf, size_t size)
{
  state_header h;
  if (!buf || size < sizeof h)
    return pinn_error_set(&s->err, PINN_EFORMAT,
                          "sampler state of %zu bytes is too short to be one; pass the bytes "
                          "written by pinn_sampler_state_save",
                          size);
  memcpy(&h, buf, sizeof h);
  if (memcmp(h.magic, state_magic, sizeof h.magic) != 0)
    return pinn_error_set(&s->err, PINN_EFORMAT,
                          "bytes are not a libpinn sampler state; pass the bytes written by "
                          "pinn_sampler_state_save");
  if (h.kind != (uint64_t)s->kind || h.dim != (uint64_t)s->dim)
    return pinn_error_set(&s->err, PINN_EFORMAT,
                          "state was saved from a %s sampler of dim %llu but this sampler is %s "
                          "of dim %zu; load it into a sampler allocated with the same kind and "
                          "dim",
                          h.kind <= 4 ? pinn_sampler_kind_name((pinn_sampler_kind)h.kind)
                                      : "unknown",
                          (unsigned long long)h.dim, pinn_sampler_kind_name(s->kind), s->dim);
  if (h.payload != (uint64_t)payload_size(s) || size < sizeof h + payload_size(s))
    return pinn_error_set(&s->err, PINN_EFORMAT,
                          "sampler state is truncated or from another GSL build (%llu state "
                          "bytes, this build needs %zu); save and load with the same libpinn/GSL",
                          (unsigned long long)h.payload, payload_size(s));
  if (s->qrng && !qrng_state_sane(s, (const unsigned char *)buf + sizeof h, (size_t)h.payload))
    return pinn_error_set(&s->err, PINN_EFORMAT,
                          "%s sampler state is corrupt: its next point is not in [0,1)^%zu; "
                          "pass the bytes written by pinn_sampler_state_save",
                          pinn_sampler_kind_name(s->kind), s->dim);
  return 0;
}

int pinn_sampler_state_load(pinn_sampler *s, const void *buf, size_t size, pinn_error *err)
{
  int st = state_check(s, buf, size);
  if (st) return pinn_error_set(err, st, "%s", s->err.msg);
  size_t n = payload_size(s);
  if (n) memcpy(payload_ptr(s), (const unsigned char *)buf + sizeof(state_header), n);
  pinn_error_clear(&s->err);
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * top_k: "a beats b" = larger score, or equal score and lower index. */
static int beats(const double *score, size_t a, size_t b)
{
  return score[a] > score[b] || (score[a] == score[b] && a < b);
}

/* Sift down in a heap whose root is the entry every other entry beats. */
static void sift_down(const double *score, size_t *h, size_t len, size_t i)
{
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    if (l < len && beats(score, h[w], h[l])) w = l;
    if (r < len && beats(score, h[w], h[r])) w = r;
    if (w == i) return;
    size_t t = h[i];
    h[i] = h[w];
    h[w] = t;
    i = w;
  }
}

int pinn_sample_top_k(size_t n, const double *score, size_t k, size_t *idx)
{
  if (k > n) return PINN_EINVAL;
  if (k == 0) return PINN_SUCCESS;
  if (!score || !idx) return PINN_EINVAL;
  for (size_t i = 0; i < n; ++i)
    if (isnan(score[i])) return PINN_ENONFINITE;
  /* Build a heap of the first k (weakest at the root), then replace the root
   * by every later entry that beats it. */
  for (size_t i = 0; i < k; ++i) idx[i] = i;
  for (size_t i = k / 2; i-- > 0;) sift_down(score, idx, k, i);
  for (size_t i = k; i < n; ++i)
    if (beats(score, i, idx[0])) {
      idx[0] = i;
      sift_down(score, idx, k, 0);
    }
  /* Heap sort: repeatedly move the weakest to the end -> best first. */
  for (size_t len = k; len > 1; --len) {
    size_t t = idx[0];
    idx[0] = idx[len - 1];
    idx[len - 1] = t;
    sift_down(score, idx, len - 1, 0);
  }
  return PINN_SUCCESS;
}
