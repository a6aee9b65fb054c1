/* libpinn — multilayer perceptrons: layout, initialisation, forward Taylor
 * jets and their adjoint (see include/pinn/mlp.h).
 *
 * Layout of a block of B = PINN_BLOCK points inside the engine: for every
 * layer a matrix [unit][channel][point] (structure of arrays), so that one
 * affine layer is a single small GEMM  Z (H_out x C*B) = W (H_out x H_in) *
 * A (H_in x C*B)  and every activation loop runs over points with unit
 * stride.  The last block is padded with zero points whose adjoint seed is
 * zero, so every kernel works on full blocks.
 *
 * Forward (DESIGN.md "Jets"), for hidden layer l with activation s:
 *   z = W a + b,  z_i = W a_i,  z_ij = W a_ij
 *   a = s(z),  a_i = s'(z) z_i,  a_ij = s''(z) z_i z_j + s'(z) z_ij
 * Reverse, given abar, abar_i, abar_ij:
 *   zbar_ij = s' abar_ij
 *   zbar_i  = s' abar_i + sum_{pairs (i,j)} s'' z_j abar_ij  (2 s'' z_i abar_ii for i = j)
 *   zbar    = s' abar + sum_i s'' z_i abar_i + sum_ij (s''' z_i z_j + s'' z_ij) abar_ij
 *   Wbar += Zbar A^T,  bbar += sum_points zbar,  Abar_prev = W^T Zbar.
 * PReLU slope alpha (z < 0: s = alpha z): alphabar += abar z + sum abar_i z_i
 * + sum abar_ij z_ij over the points where z < 0.
 *
 * Determinism: a pass sums its blocks up the fixed reduction tree of
 * lib/reduce.c (leaves and their order depend on the number of points only),
 * so every thread count, and every rank count of a team, gives the same bits.
 */
#include <pinn/mlp.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "activation_impl.h"
#include "gemm_impl.h"
#include "mlp_impl.h"
#include "reduce_impl.h"
#include "text_impl.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define B PINN_BLOCK
#define MAX_LAYERS 64

/* Most phases of an embedding: K per input, m random. */
#define MAX_PHASES (PINN_MAX_INPUTS * PINN_MAX_HARMONICS + PINN_MAX_FOURIER)

struct pinn_mlp {
  size_t L;            /* layers including input and output */
  size_t *sizes;       /* L widths; sizes[0] the first layer's fan-in (n_in or features) */
  size_t n_in;         /* inputs (coordinates) */
  int has_embed;       /* an embedding (pinn_embedding: periodic inputs, Fourier features) */
  pinn_embedding embed;
  size_t n_id, n_ph;   /* its features (mlp_impl.h: pinn_features_) */
  unsigned char id_in[PINN_MAX_INPUTS];
  size_t id_col[PINN_MAX_INPUTS];
  size_t *ph_col;      /* n_ph columns (cos; sin beside it) */
  double *ph_om, *ph_g;/* n_ph x n_in: phase = om . u, d phase / d x = g */
  pinn_activation *act;/* L-2 hidden activations (index l-1 for layer l) */
  int prelu_per_unit;
  size_t nparams;
  size_t *w_off, *b_off, *a_off; /* per layer l (index l), a_off = SIZE_MAX if none */
  size_t maxw;         /* widest layer */
  double *theta;
  int has_map;         /* input normalisation (pinn_mlp_set_input_map) */
  double map_lo[PINN_MAX_INPUTS], map_hi[PINN_MAX_INPUTS];
  double in_shift[PINN_MAX_INPUTS], in_scale[PINN_MAX_INPUTS]; /* x' = (x - shift) scale */
  int threads;         /* OpenMP threads of the parallel passes, 0 = OpenMP's default */
  pinn_error err;
};

/* ------------------------------------------------------------------------ */
/* Jet specs                                                                 */

pinn_jet_spec pinn_jet_spec_value(void)
{
  const pinn_jet_spec s = {0};
  return s;
}

int pinn_jet_spec_add_first(pinn_jet_spec *s, unsigned i)
{
  if (!s || i >= PINN_MAX_INPUTS) return PINN_EINVAL;
  s->first |= 1u << i;
  return PINN_SUCCESS;
}

int pinn_jet_spec_add_pair(pinn_jet_spec *s, unsigned i, unsigned j)
{
  if (!s || i >= PINN_MAX_INPUTS || j >= PINN_MAX_INPUTS) return PINN_EINVAL;
  if (i > j) { unsigned t = i; i = j; j = t; }
  s->first |= (1u << i) | (1u << j);
  for (size_t k = 0; k < s->n_pairs; ++k)
    if (s->pairs[k][0] == i && s->pairs[k][1] == j) return PINN_SUCCESS;
  if (s->n_pairs >= PINN_MAX_PAIRS) return PINN_EINVAL;
  s->pairs[s->n_pairs][0] = (unsigned char)i;
  s->pairs[s->n_pairs][1] = (unsigned char)j;
  s->n_pairs++;
  return PINN_SUCCESS;
}

int pinn_jet_spec_merge(pinn_jet_spec *dst, const pinn_jet_spec *src)
{
  if (!dst || !src) return PINN_EINVAL;
  dst->first |= src->first;
  for (size_t k = 0; k < src->n_pairs; ++k) {
    int st = pinn_jet_spec_add_pair(dst, src->pairs[k][0], src->pairs[k][1]);
    if (st) return st;
  }
  return PINN_SUCCESS;
}

static size_t popcount_u(unsigned m)
{
  size_t c = 0;
  for (; m; m &= m - 1) ++c;
  return c;
}

size_t pinn_jet_spec_channels(const pinn_jet_spec *s)
{
  return 1 + popcount_u(s->first) + s->n_pairs;
}

int pinn_jet_spec_first_channel(const pinn_jet_spec *s, unsigned i)
{
  if (i >= PINN_MAX_INPUTS || !(s->first & (1u << i))) return -1;
  return 1 + (int)popcount_u(s->first & ((1u << i) - 1u));
}

int pinn_jet_spec_pair_channel(const pinn_jet_spec *s, unsigned i, unsigned j)
{
  if (i > j) { unsigned t = i; i = j; j = t; }
  size_t base = 1 + popcount_u(s->first);
  for (size_t k = 0; k < s->n_pairs; ++k)
    if (s->pairs[k][0] == i && s->pairs[k][1] == j) return (int)(base + k);
  return -1;
}

int pinn_jet_spec_has_second(const pinn_jet_spec *s) { return s->n_pairs > 0; }

/* ------------------------------------------------------------------------ */
/* Allocation and accessors                                                  */

static const char *const init_names[] = {"xavier", "he", "lecun", "variance"};

const char *pinn_init_name(pinn_init_kind kind)
{
  if ((unsigned)kind > PINN_INIT_VARIANCE) return NULL;
  return init_names[kind];
}

int pinn_init_parse(const char *text, pinn_init_kind *out, pinn_error *err)
{
  const int k = pinn_name_index_(init_names, PINN_INIT_VARIANCE + 1, text);
  if (k >= 0) {
    *out = (pinn_init_kind)k;
    return PINN_SUCCESS;
  }
  if (text && strcmp(text, "glorot") == 0) {
    *out = PINN_INIT_XAVIER;
    return PINN_SUCCESS;
  }
  return pinn_error_set(err, PINN_EINVAL,
                        "unknown initialisation '%s': use xavier (or glorot), he, lecun or variance",
                        text ? text : "(null)");
}

void pinn_mlp_free(pinn_mlp *net)
{
  if (!net) return;
  free(net->sizes);
  free(net->act);
  free(net->w_off);
  free(net->b_off);
  free(net->a_off);
  free(net->theta);
  free(net->ph_col);
  free(net->ph_om);
  free(net->ph_g);
  free(net);
}

/* The PReLU slopes of hidden layer l (if any) to its activation's alpha0. */
static void reset_slopes(pinn_mlp *net, size_t l)
{
  const size_t na = net->a_off[l] == SIZE_MAX ? 0 : net->prelu_per_unit ? net->sizes[l] : 1;
  for (size_t u = 0; u < na; ++u) net->theta[net->a_off[l] + u] = net->act[l - 1].param;
}

/* ------------------------------------------------------------------------ */
/* Embeddings                                                                */

static const double TWO_PI = 6.283185307179586476925286766559;
static const double PI = 3.14159265358979323846264338327950288;

int pinn_embedding_any(const pinn_embedding *e, size_t n_in)
{
  if (!e) return 0;
  if (e->fourier.m > 0) return 1;
  for (size_t i = 0; i < n_in && i < PINN_MAX_INPUTS; ++i)
    if (e->period[i] != 0.0 || e->fourier.axis[i] > 0) return 1;
  return 0;
}

size_t pinn_embedding_features(const pinn_embedding *e, size_t n_in)
{
  if (!e) return n_in;
  size_t n = 2 * e->fourier.m;
  for (size_t i = 0; i < n_in && i < PINN_MAX_INPUTS; ++i)
    n += e->period[i] > 0 ? 2 * (size_t)e->harmonics[i] : 1 + 2 * (size_t)e->fourier.axis[i];
  return n;
}

int pinn_embedding_equal(const pinn_embedding *a, const pinn_embedding *b, size_t n_in)
{
  const int ea = pinn_embedding_any(a, n_in), eb = pinn_embedding_any(b, n_in);
  if (ea != eb) return 0;
  if (!ea) return 1;
  if (a->fourier.m != b->fourier.m) return 0;
  for (size_t i = 0; i < n_in; ++i) {
    if (a->period[i] != b->period[i] || a->fourier.axis[i] != b->fourier.axis[i]) return 0;
    if (a->period[i] > 0 && a->harmonics[i] != b->harmonics[i]) return 0;
    for (size_t r = 0; r < a->fourier.m; ++r)
      if (memcmp(&a->fourier_B[r][i], &b->fourier_B[r][i], sizeof(double)) != 0) return 0;
  }
  return 1;
}

int pinn_embedding_check(const pinn_embedding *e, size_t n_in, pinn_error *err)
{
  const pinn_fourier *f = &e->fourier;
  size_t open = 0; /* inputs that are not periodic */
  for (size_t i = 0; i < n_in; ++i) {
    const double P = e->period[i];
    const unsigned K = e->harmonics[i];
    if (!(P >= 0 && isfinite(P)) || (P > 0 && (K < 1 || K > PINN_MAX_HARMONICS)))
      return pinn_error_set(err, PINN_EINVAL,
                            "periodic embedding: input %zu has period %g and %u harmonics; give a "
                            "finite period > 0 with 1 to %d harmonics (or period 0: not periodic)",
                            i, P, K, PINN_MAX_HARMONICS);
    if (f->axis[i] > PINN_MAX_HARMONICS || (P > 0 && f->axis[i] > 0))
      return pinn_error_set(err, PINN_EINVAL,
                            "Fourier features: input %zu has %u fixed frequencies; give 0 to %d, "
                            "and none to a periodic input (its embedding is already Fourier)",
                            i, f->axis[i], PINN_MAX_HARMONICS);
    if (!(P > 0)) ++open;
  }
  if (f->m > PINN_MAX_FOURIER)
    return pinn_error_set(err, PINN_EINVAL,
                          "Fourier features: %zu random features; give 0 to %d", f->m,
                          PINN_MAX_FOURIER);
  if (f->m == 0) return PINN_SUCCESS;
  if (!(f->sigma > 0 && isfinite(f->sigma)))
    return pinn_error_set(err, PINN_EINVAL,
                          "Fourier features: sigma = %g; the random features need a finite "
                          "sigma > 0",
                          f->sigma);
  if (!open)
    return pinn_error_set(err, PINN_EINVAL,
                          "Fourier features: random features need an input that is not periodic, "
                          "and every input is");
  for (size_t r = 0; r < f->m; ++r)
    for (size_t i = 0; i < n_in; ++i)
      if (!isfinite(e->fourier_B[r][i]) || (e->period[i] > 0 && e->fourier_B[r][i] != 0.0))
        return pinn_error_set(err, PINN_EINVAL,
                              "Fourier features: B[%zu][%zu] = %g; B must be finite, and 0 in a "
                              "periodic input's column",
                              r, i, e->fourier_B[r][i]);
  return PINN_SUCCESS;
}

int pinn_embedding_set_fourier(pinn_embedding *e, size_t n_in, const pinn_fourier *f,
                               pinn_error *err)
{
  if (!e || !f)
    return pinn_error_set(err, PINN_EINVAL, "pinn_embedding_set_fourier: NULL argument");
  if (n_in < 1 || n_in > PINN_MAX_INPUTS)
    return pinn_error_set(err, PINN_EINVAL, "Fourier features: %zu inputs; a network has 1 to %d",
                          n_in, PINN_MAX_INPUTS);
  for (size_t i = n_in; i < PINN_MAX_INPUTS; ++i)
    if (f->axis[i])
      return pinn_error_set(err, PINN_EINVAL,
                            "Fourier features: fixed frequencies for input %zu, but there are "
                            "only %zu inputs",
                            i, n_in);
  pinn_embedding *t = malloc(sizeof *t);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!t || !r) {
    free(t);
    if (r) gsl_rng_free(r);
    return pinn_error_set(err, PINN_ENOMEM, "out of memory drawing Fourier features");
  }
  *t = *e;
  t->fourier = *f;
  /* splitmix64's finaliser of the seed, away from the network's stream */
  uint64_t z = (uint64_t)f->seed * 0x9E3779B97F4A7C15u + 0x3C6EF372FE94F82Bu;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  z ^= z >> 31;
  gsl_rng_set(r, (unsigned long)z);
  const int draw = f->sigma > 0 && isfinite(f->sigma);
  for (size_t k = 0; k < PINN_MAX_FOURIER; ++k)
    for (size_t i = 0; i < PINN_MAX_INPUTS; ++i)
      t->fourier_B[k][i] =
          draw && k < f->m && i < n_in && !(e->period[i] > 0) ? gsl_ran_gaussian(r, f->sigma) : 0.0;
  gsl_rng_free(r);
  int st = pinn_embedding_check(t, n_in, err);
  if (!st) {
    *e = *t;
    pinn_error_clear(err);
  }
  free(t);
  return st;
}

/* The network's copy of a (checked) embedding and its features: input by
 * input (periodic: K (cos, sin) pairs; else the input, then its fixed
 * pairs), then the random pairs. */
static int embed_build(pinn_mlp *net, const pinn_embedding *e, size_t n_feat)
{
  const size_t n_in = net->n_in;
  pinn_embedding *me = &net->embed;
  *me = *e;
  size_t n_ph = me->fourier.m;
  for (size_t i = 0; i < PINN_MAX_INPUTS; ++i) {
    if (i >= n_in) me->period[i] = 0.0, me->fourier.axis[i] = 0;
    if (!(me->period[i] > 0)) me->harmonics[i] = 0;
    n_ph += me->period[i] > 0 ? me->harmonics[i] : me->fourier.axis[i];
  }
  if (!me->fourier.m) me->fourier.sigma = 0.0, me->fourier.seed = 0;
  for (size_t r = 0; r < PINN_MAX_FOURIER; ++r)
    for (size_t i = 0; i < PINN_MAX_INPUTS; ++i)
      if (r >= me->fourier.m || i >= n_in) me->fourier_B[r][i] = 0.0;
  net->has_embed = 1;
  net->n_ph = n_ph;
  net->ph_col = malloc((n_ph ? n_ph : 1) * sizeof *net->ph_col);
  net->ph_om = calloc(n_ph ? n_ph * n_in : 1, sizeof *net->ph_om);
  net->ph_g = calloc(n_ph ? n_ph * n_in : 1, sizeof *net->ph_g);
  if (!net->ph_col || !net->ph_om || !net->ph_g) return PINN_ENOMEM;
  size_t col = 0, p = 0;
  for (size_t i = 0; i < n_in; ++i) {
    const double P = me->period[i];
    if (!(P > 0)) {
      net->id_in[net->n_id] = (unsigned char)i;
      net->id_col[net->n_id++] = col++;
    }
    const unsigned K = P > 0 ? me->harmonics[i] : me->fourier.axis[i];
    for (unsigned k = 1; k <= K; ++k, ++p, col += 2) {
      net->ph_col[p] = col;
      net->ph_om[p * n_in + i] = P > 0 ? TWO_PI * (double)k / P : PI * (double)k;
    }
  }
  for (size_t r = 0; r < me->fourier.m; ++r, ++p, col += 2) {
    net->ph_col[p] = col;
    for (size_t i = 0; i < n_in; ++i) net->ph_om[p * n_in + i] = TWO_PI * me->fourier_B[r][i];
  }
  return col == n_feat && p == n_ph ? PINN_SUCCESS : PINN_EFAILED;
}

/* d phase / d x_i: the frequency times the input map's scale (1 for a
 * periodic input, which enters raw). */
static void embed_scale(pinn_mlp *net)
{
  const size_t n_in = net->n_in;
  for (size_t p = 0; p < net->n_ph; ++p)
    for (size_t i = 0; i < n_in; ++i)
      net->ph_g[p * n_in + i] =
          net->ph_om[p * n_in + i] * (net->embed.period[i] > 0 ? 1.0 : net->in_scale[i]);
}

pinn_mlp *pinn_mlp_alloc(const pinn_mlp_layout *layout, pinn_error *err)
{
  if (!layout || !layout->sizes) {
    pinn_error_set(err, PINN_EINVAL, "network layout is missing: give n_layers and sizes");
    return NULL;
  }
  size_t L = layout->n_layers;
  if (L < 2 || L > MAX_LAYERS) {
    pinn_error_set(err, PINN_EINVAL,
                   "a network needs between 2 and %d layers (input and output included), got %zu",
                   MAX_LAYERS, L);
    return NULL;
  }
  if (layout->sizes[0] < 1 || layout->sizes[0] > PINN_MAX_INPUTS) {
    pinn_error_set(err, PINN_EINVAL, "the input layer has %zu units; it must have 1 to %d",
                   layout->sizes[0], PINN_MAX_INPUTS);
    return NULL;
  }
  for (size_t l = 1; l < L; ++l)
    if (layout->sizes[l] < 1 || layout->sizes[l] > 4096) {
      pinn_error_set(err, PINN_EINVAL, "layer %zu has %zu units; widths must be 1 to 4096", l,
                     layout->sizes[l]);
      return NULL;
    }
  const size_t n_in = layout->sizes[0];
  const int has_embed = pinn_embedding_any(layout->embed, n_in);
  if (has_embed && pinn_embedding_check(layout->embed, n_in, err)) return NULL;
  const size_t n_feat = has_embed ? pinn_embedding_features(layout->embed, n_in) : n_in;
  if (layout->act)
    for (size_t l = 0; l + 2 < L; ++l) {
      pinn_error e;
      if (pinn_activation_check(&layout->act[l], &e)) {
        pinn_error_set(err, PINN_EINVAL, "hidden layer %zu: %s", l + 1, e.msg);
        return NULL;
      }
    }

  pinn_mlp *net = calloc(1, sizeof *net);
  if (!net) goto nomem;
  net->L = L;
  net->prelu_per_unit = layout->prelu_per_unit ? 1 : 0;
  net->sizes = malloc(L * sizeof *net->sizes);
  net->act = malloc((L > 2 ? L - 2 : 1) * sizeof *net->act);
  net->w_off = malloc(L * sizeof(size_t));
  net->b_off = malloc(L * sizeof(size_t));
  net->a_off = malloc(L * sizeof(size_t));
  if (!net->sizes || !net->act || !net->w_off || !net->b_off || !net->a_off) goto nomem;
  memcpy(net->sizes, layout->sizes, L * sizeof *net->sizes);
  net->n_in = n_in;
  if (has_embed) {
    net->sizes[0] = n_feat;
    if (embed_build(net, layout->embed, n_feat)) goto nomem;
  }
  for (size_t l = 0; l + 2 < L; ++l)
    net->act[l] = layout->act ? layout->act[l] : pinn_activation_default(PINN_ACT_TANH);

  size_t off = 0;
  net->maxw = 0;
  net->w_off[0] = net->b_off[0] = net->a_off[0] = SIZE_MAX;
  for (size_t l = 0; l < L; ++l)
    if (net->sizes[l] > net->maxw) net->maxw = net->sizes[l];
  for (size_t l = 1; l < L; ++l) {
    net->w_off[l] = off;
    off += net->sizes[l] * net->sizes[l - 1];
    net->b_off[l] = off;
    off += net->sizes[l];
  }
  for (size_t l = 1; l < L; ++l) {
    net->a_off[l] = SIZE_MAX;
    if (l + 1 < L && net->act[l - 1].kind == PINN_ACT_PRELU) {
      net->a_off[l] = off;
      off += net->prelu_per_unit ? net->sizes[l] : 1;
    }
  }
  net->nparams = off;
  net->theta = calloc(off ? off : 1, sizeof(double));
  if (!net->theta) goto nomem;
  for (size_t l = 1; l + 1 < L; ++l) reset_slopes(net, l);
  for (size_t i = 0; i < PINN_MAX_INPUTS; ++i) net->in_scale[i] = 1.0; /* no map: the identity */
  embed_scale(net);
  pinn_error_clear(&net->err);
  return net;

nomem:
  pinn_mlp_free(net);
  pinn_error_set(err, PINN_ENOMEM, "out of memory allocating the network");
  return NULL;
}

pinn_mlp *pinn_mlp_clone(const pinn_mlp *net, pinn_error *err)
{
  if (!net) {
    pinn_error_set(err, PINN_EINVAL, "cannot clone a NULL network");
    return NULL;
  }
  size_t sizes[MAX_LAYERS];
  memcpy(sizes, net->sizes, net->L * sizeof *sizes);
  sizes[0] = net->n_in;
  pinn_mlp_layout lay = {net->L, sizes, net->act, net->prelu_per_unit,
                         net->has_embed ? &net->embed : NULL};
  pinn_mlp *c = pinn_mlp_alloc(&lay, err);
  if (c) {
    memcpy(c->theta, net->theta, net->nparams * sizeof(double));
    c->threads = net->threads;
    if (net->has_map) pinn_mlp_set_input_map(c, net->map_lo, net->map_hi);
  }
  return c;
}

const char *pinn_mlp_errmsg(const pinn_mlp *net) { return net ? net->err.msg : "no network"; }

int pinn_mlp_set_threads(pinn_mlp *net, int n)
{
  if (!net) return PINN_EINVAL;
  if (n < 0 || n > PINN_MAX_THREADS)
    return pinn_error_set(&net->err, PINN_EINVAL, "threads must be 0 (OpenMP's default) to %d, got %d",
                          PINN_MAX_THREADS, n);
  net->threads = n;
  return PINN_SUCCESS;
}

int pinn_mlp_threads(const pinn_mlp *net) { return net ? net->threads : 0; }

/* The team size of a parallel pass: a num_threads clause, not
 * omp_set_num_threads, so that two networks in two threads of one program
 * each get their own count. */
int pinn_mlp_team_size_(const pinn_mlp *net)
{
#ifdef _OPENMP
  return net->threads > 0 ? net->threads : omp_get_max_threads();
#else
  (void)net;
  return 1;
#endif
}
int pinn_mlp_set_input_map(pinn_mlp *net, const double *lo, const double *hi)
{
  if (!net) return PINN_EINVAL;
  const size_t n = net->n_in;
  if (!lo && !hi) {
    net->has_map = 0;
    for (size_t i = 0; i < n; ++i) {
      net->in_shift[i] = 0.0;
      net->in_scale[i] = 1.0;
    }
    embed_scale(net);
    return PINN_SUCCESS;
  }
  if (!lo || !hi)
    return pinn_error_set(&net->err, PINN_EINVAL,
                          "pinn_mlp_set_input_map: give both lo and hi (or neither, for no map)");
  double shift[PINN_MAX_INPUTS], scale[PINN_MAX_INPUTS];
  for (size_t i = 0; i < n; ++i) {
    shift[i] = 0.5 * (lo[i] + hi[i]);
    scale[i] = 2.0 / (hi[i] - lo[i]);
    if (!(isfinite(lo[i]) && isfinite(hi[i]) && lo[i] < hi[i]) || !isfinite(shift[i])
        || !isfinite(scale[i]))
      return pinn_error_set(&net->err, PINN_EINVAL,
                            "input map: input %zu's interval [%g, %g] must be finite with lo < hi "
                            "(and hi - lo neither 0 nor overflowing)",
                            i, lo[i], hi[i]);
  }
  net->has_map = 1;
  for (size_t i = 0; i < n; ++i) {
    net->map_lo[i] = lo[i];
    net->map_hi[i] = hi[i];
    net->in_shift[i] = shift[i];
    net->in_scale[i] = scale[i];
  }
  embed_scale(net);
  return PINN_SUCCESS;
}

int pinn_mlp_input_map(const pinn_mlp *net, double *lo, double *hi)
{
  if (!net || !net->has_map) return 0;
  for (size_t i = 0; i < net->n_in; ++i) {
    if (lo) lo[i] = net->map_lo[i];
    if (hi) hi[i] = net->map_hi[i];
  }
  return 1;
}

void pinn_mlp_map_inputs_(const pinn_mlp *net, double *x, size_t n, size_t stride)
{
  const size_t n_in = net->n_in;
  for (size_t i = 0; i < n_in; ++i) {
    if (net->has_embed && net->embed.period[i] > 0) continue; /* its features take it raw */
    const double c = net->in_shift[i], s = net->in_scale[i];
    double *xi = x + i * stride;
    for (size_t q = 0; q < n; ++q) xi[q] = (xi[q] - c) * s;
  }
}

const double *pinn_mlp_input_scale_(const pinn_mlp *net) { return net->in_scale; }

int pinn_mlp_features_(const pinn_mlp *net, pinn_features_ *f)
{
  memset(f, 0, sizeof *f);
  if (!net->has_embed) return 0;
  f->n_in = net->n_in;
  f->n_feat = net->sizes[0];
  f->n_id = net->n_id;
  f->n_ph = net->n_ph;
  f->id_in = net->id_in;
  f->id_col = net->id_col;
  f->ph_col = net->ph_col;
  f->ph_om = net->ph_om;
  f->ph_g = net->ph_g;
  return 1;
}

void pinn_features_phase_(const pinn_features_ *f, size_t p, const double *u, size_t stride,
                          size_t n, double *phi)
{
  const double *om = f->ph_om + p * f->n_in;
  for (size_t q = 0; q < n; ++q) phi[q] = 0.0;
  for (size_t i = 0; i < f->n_in; ++i) {
    if (om[i] == 0.0) continue;
    const double *ui = u + i * stride;
    for (size_t q = 0; q < n; ++q) phi[q] += om[i] * ui[q];
  }
}

size_t pinn_mlp_n_in(const pinn_mlp *net) { return net->n_in; }

int pinn_mlp_embedding(const pinn_mlp *net, pinn_embedding *out)
{
  if (!net || !net->has_embed) return 0;
  if (out) *out = net->embed;
  return 1;
}
size_t pinn_mlp_n_out(const pinn_mlp *net) { return net->sizes[net->L - 1]; }
size_t pinn_mlp_n_layers(const pinn_mlp *net) { return net->L; }
size_t pinn_mlp_layer_size(const pinn_mlp *net, size_t l) { return l < net->L ? net->sizes[l] : 0; }
int pinn_mlp_prelu_per_unit(const pinn_mlp *net) { return net->prelu_per_unit; }
size_t pinn_mlp_n_params(const pinn_mlp *net) { return net->nparams; }
double *pinn_mlp_params(pinn_mlp *net) { return net->theta; }
const double *pinn_mlp_params_const(const pinn_mlp *net) { return net->theta; }

pinn_activation pinn_mlp_activation(const pinn_mlp *net, size_t l)
{
  if (l >= 1 && l + 1 < net->L) return net->act[l - 1];
  return pinn_activation_default(PINN_ACT_IDENTITY);
}

gsl_vector_view pinn_mlp_params_view(pinn_mlp *net)
{
  return gsl_vector_view_array(net->theta, net->nparams);
}

size_t pinn_mlp_weight_offset(const pinn_mlp *net, size_t l)
{
  return (l >= 1 && l < net->L) ? net->w_off[l] : SIZE_MAX;
}

size_t pinn_mlp_bias_offset(const pinn_mlp *net, size_t l)
{
  return (l >= 1 && l < net->L) ? net->b_off[l] : SIZE_MAX;
}

size_t pinn_mlp_slope_offset(const pinn_mlp *net, size_t l)
{
  return (l >= 1 && l + 1 < net->L) ? net->a_off[l] : SIZE_MAX;
}

int pinn_mlp_is_piecewise_linear(const pinn_mlp *net)
{
  for (size_t l = 0; l + 2 < net->L; ++l)
    if (pinn_activation_is_smooth(net->act[l].kind) && net->act[l].kind != PINN_ACT_IDENTITY)
      return 0;
  return 1;
}

int pinn_mlp_init(pinn_mlp *net, pinn_init_kind kind, gsl_rng *r)
{
  if (!net) return PINN_EINVAL;
  if (!r) return pinn_error_set(&net->err, PINN_EINVAL, "initialisation needs a gsl_rng");
  if ((unsigned)kind > PINN_INIT_VARIANCE)
    return pinn_error_set(&net->err, PINN_EINVAL, "unknown initialisation kind %d", (int)kind);
  for (size_t l = 1; l < net->L; ++l) {
    double fin = (double)net->sizes[l - 1], fout = (double)net->sizes[l], var;
    switch (kind) {
    case PINN_INIT_XAVIER: var = 2.0 / (fin + fout); break;
    case PINN_INIT_HE: var = 2.0 / fin; break;
    case PINN_INIT_LECUN: var = 1.0 / fin; break;
    default: {
      /* The gain of the activation that consumes this layer's input: the
       * previous hidden layer's (layer 1 sees raw inputs: gain 1). */
      double g = 1.0;
      if (l >= 2) {
        pinn_error e;
        int st = pinn_activation_gain(&net->act[l - 2], &g, &e);
        if (st) return pinn_error_set(&net->err, st, "variance initialisation: %s", e.msg);
      }
      var = 1.0 / (fin * g);
    }
    }
    double sd = sqrt(var);
    double *W = net->theta + net->w_off[l];
    size_t nw = net->sizes[l] * net->sizes[l - 1];
    for (size_t i = 0; i < nw; ++i) W[i] = gsl_ran_gaussian(r, sd);
    memset(net->theta + net->b_off[l], 0, net->sizes[l] * sizeof(double));
    if (l + 1 < net->L) reset_slopes(net, l);
  }
  pinn_error_clear(&net->err);
  return PINN_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* Vector helpers of the activation and adjoint loops.  The GEMMs of a block
 * (N = C * B columns, a multiple of 32) are lib/gemm.c's, shared with the
 * Taylor engine.  GCC vector extensions give portable SIMD (AVX-512 with
 * -march=native). */

typedef double v8d __attribute__((vector_size(64), aligned(8)));
/* The same vector for loads and stores at any double-aligned address: a
 * direct (may_alias) access compiles to one unaligned 512-bit move.  A
 * memcpy into a local is lowered by some -march tunings (gcc 12's
 * rocketlake/sapphirerapids prefer 256-bit moves) into two halves stored
 * and reloaded whole, a store-forwarding stall on every load that made the
 * kernels 5x slower on such a CPU. */
typedef double v8d_u __attribute__((vector_size(64), aligned(8), may_alias));

static inline v8d ld8(const double *p) { return *(const v8d_u *)p; }

static inline v8d bc8(double s) { return (v8d){s, s, s, s, s, s, s, s}; }

static inline double hsum8(v8d v)
{
  /* fixed order: pairwise */
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

static inline double sum_block(const double *v)
{
  v8d a = ld8(v) + ld8(v + 8), b = ld8(v + 16) + ld8(v + 24);
  return hsum8(a + b);
}

/* ------------------------------------------------------------------------ */
/* The engine: one thread's workspace and the per-block passes.              */

typedef struct {
  size_t C;                  /* channels */
  size_t n1;                 /* first-derivative channels */
  unsigned char fin[PINN_MAX_INPUTS]; /* input index of first channel 1+k */
  unsigned char pa[PINN_MAX_PAIRS], pb[PINN_MAX_PAIRS]; /* pair channel -> first channels (1-based) */
  size_t np;
} chan_map;

static int chan_map_make(const pinn_jet_spec *spec, size_t n_in, chan_map *cm, pinn_error *err)
{
  memset(cm, 0, sizeof *cm);
  if (spec->first >> n_in)
    return pinn_error_set(err, PINN_EINVAL,
                          "the jet asks for derivatives with respect to input %d but the network "
                          "has %zu inputs",
                          (int)(sizeof(unsigned) * 8 - 1 - __builtin_clz(spec->first)), n_in);
  if (spec->n_pairs > PINN_MAX_PAIRS)
    return pinn_error_set(err, PINN_EINVAL, "too many second-derivative pairs (%zu > %d)",
                          spec->n_pairs, PINN_MAX_PAIRS);
  size_t k = 0;
  for (unsigned i = 0; i < n_in; ++i)
    if (spec->first & (1u << i)) cm->fin[k++] = (unsigned char)i;
  cm->n1 = k;
  cm->np = spec->n_pairs;
  for (size_t p = 0; p < spec->n_pairs; ++p) {
    int a = pinn_jet_spec_first_channel(spec, spec->pairs[p][0]);
    int b = pinn_jet_spec_first_channel(spec, spec->pairs[p][1]);
    if (a < 0 || b < 0 || spec->pairs[p][0] > spec->pairs[p][1])
      return pinn_error_set(err, PINN_EINVAL,
                            "jet pair (%d,%d) needs both first derivatives in the spec; build specs "
                            "with pinn_jet_spec_add_pair",
                            spec->pairs[p][0], spec->pairs[p][1]);
    cm->pa[p] = (unsigned char)a;
    cm->pb[p] = (unsigned char)b;
  }
  cm->C = 1 + cm->n1 + cm->np;
  return PINN_SUCCESS;
}

typedef struct {
  double *x0;      /* n_in x B inputs (transposed) */
  double **Z;      /* per layer l >= 1: H_l x C x B */
  double **A;      /* per hidden layer: H_l x C x B */
  double **S;      /* per hidden layer: 3 x H_l x B (s', s'', s''') */
  double *bar0, *bar1; /* maxw x C x B each */
  double *mem;
} workspace;

static void ws_free(workspace *w)
{
  if (!w) return;
  free(w->Z);
  free(w->mem);
}

static int ws_alloc(const pinn_mlp *net, size_t C, workspace *w)
{
  size_t L = net->L, tot = net->n_in * B + 2 * net->maxw * C * B;
  if (net->has_embed) tot += net->sizes[0] * C * B; /* A[0]: the features' jets */
  for (size_t l = 1; l < L; ++l) {
    tot += net->sizes[l] * C * B;
    if (l + 1 < L) tot += net->sizes[l] * C * B + 3 * net->sizes[l] * B;
  }
  memset(w, 0, sizeof *w);
  w->Z = malloc(3 * L * sizeof(double *));
  w->mem = aligned_alloc(64, ((tot * sizeof(double) + 63) / 64) * 64);
  if (!w->Z || !w->mem) {
    ws_free(w);
    return PINN_ENOMEM;
  }
  w->A = w->Z + L;
  w->S = w->A + L;
  double *p = w->mem;
  w->x0 = p; p += net->n_in * B;
  w->A[0] = NULL;
  if (net->has_embed) {
    w->A[0] = p;
    p += net->sizes[0] * C * B;
  }
  w->bar0 = p; p += net->maxw * C * B;
  w->bar1 = p; p += net->maxw * C * B;
  for (size_t l = 1; l < L; ++l) {
    w->Z[l] = p; p += net->sizes[l] * C * B;
    if (l + 1 < L) {
      w->A[l] = p; p += net->sizes[l] * C * B;
      w->S[l] = p; p += 3 * net->sizes[l] * B;
    }
  }
  return PINN_SUCCESS;
}

/* A thread's workspace in a parallel pass: 1, or 0 with *failed raised for
 * the whole team (the pass then reports out of memory once). */
static int ws_alloc_in_team(const pinn_mlp *net, size_t C, workspace *w, int *failed)
{
  if (ws_alloc(net, C, w) == PINN_SUCCESS) return 1;
#pragma omp atomic write
  *failed = 1;
  return 0;
}

static inline double slope_of(const pinn_mlp *net, size_t l, size_t u)
{
  if (net->a_off[l] == SIZE_MAX) return net->act[l - 1].param;
  return net->theta[net->a_off[l] + (net->prelu_per_unit ? u : 0)];
}

/* Forward pass of one block (points already in w->x0, padded to B). */
__attribute__((noinline)) static void block_forward(const pinn_mlp *net, const chan_map *cm, workspace *w, int need_s3)
{
  const size_t L = net->L, C = cm->C, CB = C * B;
  const size_t n_in = net->sizes[0];
  for (size_t l = 1; l < L; ++l) {
    const size_t H = net->sizes[l], Hp = net->sizes[l - 1];
    const double *W = net->theta + net->w_off[l], *bias = net->theta + net->b_off[l];
    double *Z = w->Z[l];
    if (l == 1 && !net->has_embed) {
      /* a = x, a_i = e_i, a_ij = 0 */
      for (size_t o = 0; o < H; ++o) {
        double *z = Z + o * CB;
        const double *wr = W + o * n_in;
        double acc[B];
        for (size_t q = 0; q < B; ++q) acc[q] = bias[o];
        for (size_t i = 0; i < n_in; ++i) {
          const double wi = wr[i], *xi = w->x0 + i * B;
          for (size_t q = 0; q < B; ++q) acc[q] += wi * xi[q];
        }
        memcpy(z, acc, sizeof acc);
        for (size_t c = 0; c < cm->n1; ++c) { /* d x'_i / d x_i = scale_i */
          const double wi = wr[cm->fin[c]] * net->in_scale[cm->fin[c]];
          for (size_t q = 0; q < B; ++q) z[(1 + c) * B + q] = wi;
        }
        if (cm->np) memset(z + (1 + cm->n1) * B, 0, cm->np * B * sizeof(double));
      }
    } else {
      pinn_gemm_nn_(H, Hp, CB, W, Hp, w->A[l - 1], Z, bias);
    }
    if (l + 1 == L) break;
    /* activation */
    const pinn_activation *act = &net->act[l - 1];
    double *A = w->A[l], *S = w->S[l];
    for (size_t o = 0; o < H; ++o) {
      const double *z = Z + o * CB;
      double *a = A + o * CB;
      double *s1 = S + o * B, *s2 = S + (H + o) * B, *s3 = S + (2 * H + o) * B;
      double param = act->kind == PINN_ACT_PRELU ? slope_of(net, l, o) : act->param;
      pinn_act_block(act->kind, param, B, z, a, s1, C > 1 ? s2 : NULL, need_s3 ? s3 : NULL);
      for (size_t c = 1; c <= cm->n1; ++c) {
        const double *zc = z + c * B;
        double *ac = a + c * B;
#pragma omp simd
        for (size_t q = 0; q < B; ++q) ac[q] = s1[q] * zc[q];
      }
      for (size_t p = 0; p < cm->np; ++p) {
        const size_t c = 1 + cm->n1 + p;
        const double *zi = z + cm->pa[p] * B, *zj = z + cm->pb[p] * B, *zc = z + c * B;
        double *ac = a + c * B;
#pragma omp simd
        for (size_t q = 0; q < B; ++q) ac[q] = s2[q] * zi[q] * zj[q] + s1[q] * zc[q];
      }
    }
  }
}

/* The features' jets into A[0] (n_feat x C x B) from the block's inputs
 * u = w->x0 (mapped, or raw for a periodic input): the input itself has
 * value u_i, first derivative s_i along its own input and no second; with
 * g_i = d phase / d x_i, cos(phase) has -g_i sin, -g_i g_j cos along inputs
 * i, j, sin(phase) g_i cos, -g_i g_j sin; every other channel is 0.  cos and
 * sin of a phase once per point. */
static void embed_jets(const pinn_mlp *net, const chan_map *cm, workspace *w)
{
  pinn_features_ f;
  pinn_mlp_features_(net, &f);
  const size_t C = cm->C, CB = C * B, n_in = net->n_in;
  memset(w->A[0], 0, f.n_feat * CB * sizeof(double));
  for (size_t k = 0; k < f.n_id; ++k) {
    const size_t i = f.id_in[k];
    double *a = w->A[0] + f.id_col[k] * CB;
    memcpy(a, w->x0 + i * B, B * sizeof *a);
    for (size_t c = 0; c < cm->n1; ++c)
      if (cm->fin[c] == i)
        for (size_t q = 0; q < B; ++q) a[(1 + c) * B + q] = net->in_scale[i];
  }
  for (size_t p = 0; p < f.n_ph; ++p) {
    double *ac = w->A[0] + f.ph_col[p] * CB, *as = ac + CB, phi[B];
    const double *g = f.ph_g + p * n_in;
    pinn_features_phase_(&f, p, w->x0, B, B, phi);
    for (size_t q = 0; q < B; ++q) {
      ac[q] = cos(phi[q]);
      as[q] = sin(phi[q]);
    }
    for (size_t c = 0; c < cm->n1; ++c) {
      const double gi = g[cm->fin[c]];
      if (gi == 0.0) continue;
      double *dc = ac + (1 + c) * B, *ds = as + (1 + c) * B;
      for (size_t q = 0; q < B; ++q) {
        dc[q] = -gi * as[q];
        ds[q] = gi * ac[q];
      }
    }
    for (size_t k = 0; k < cm->np; ++k) {
      const double gij = g[cm->fin[cm->pa[k] - 1]] * g[cm->fin[cm->pb[k] - 1]];
      if (gij == 0.0) continue;
      double *dc = ac + (1 + cm->n1 + k) * B, *ds = as + (1 + cm->n1 + k) * B;
      for (size_t q = 0; q < B; ++q) {
        dc[q] = -gij * ac[q];
        ds[q] = -gij * as[q];
      }
    }
  }
}

/* The forward pass of nb <= B points x[q * n_in + i]: laid out by input
 * channel and padded with zero points to a full block. */
static void forward_points(const pinn_mlp *net, const chan_map *cm, workspace *w, const double *x,
                           size_t nb, int need_s3)
{
  const size_t n_in = net->n_in;
  for (size_t i = 0; i < n_in; ++i) {
    double *xi = w->x0 + i * B;
    for (size_t q = 0; q < nb; ++q) xi[q] = x[q * n_in + i];
    for (size_t q = nb; q < B; ++q) xi[q] = 0.0;
  }
  /* a periodic input stays raw: its features take the period in its units */
  pinn_mlp_map_inputs_(net, w->x0, nb, B);
  if (net->has_embed) embed_jets(net, cm, w);
  block_forward(net, cm, w, need_s3);
}

/* Where the adjoint puts parameter gradients: summed over the block's points
 * into g, or (J != NULL) one row per point, J + q * ldJ for point q < nb. */
typedef struct {
  double *J;
  size_t ldJ, nb;
} point_rows;

/* J_q[off + o * K + k] += sum_c Zb[o][c][q] X[k][c][q] for every point q. */
static void point_weights(size_t M, size_t K, size_t C, const double *Zb, const double *X,
                          const point_rows *pr, size_t off)
{
  const size_t CB = C * B;
  for (size_t o = 0; o < M; ++o)
    for (size_t k = 0; k < K; ++k) {
      double v[B];
      for (size_t q = 0; q < B; ++q) v[q] = 0.0;
      for (size_t c = 0; c < C; ++c) {
        const double *z = Zb + o * CB + c * B, *x = X + k * CB + c * B;
#pragma omp simd
        for (size_t q = 0; q < B; ++q) v[q] += z[q] * x[q];
      }
      for (size_t q = 0; q < pr->nb; ++q) pr->J[q * pr->ldJ + off + o * K + k] += v[q];
    }
}

/* Reverse pass of one block.  On entry w->bar0 holds Zbar of the output
 * layer (n_out x C x B).  Adds to g (length nparams), or to per-point rows
 * when pr is not NULL. */
__attribute__((noinline)) static void block_adjoint(const pinn_mlp *net, const chan_map *cm,
                                                    workspace *w, double *g, const point_rows *pr)
{
  const size_t L = net->L, C = cm->C, CB = C * B;
  double *zbar = w->bar0, *abar = w->bar1;
  for (size_t l = L - 1; l >= 1; --l) {
    const size_t H = net->sizes[l], Hp = net->sizes[l - 1];
    const double *W = net->theta + net->w_off[l];
    double *gW = pr ? NULL : g + net->w_off[l], *gb = pr ? NULL : g + net->b_off[l];
    if (pr) {
      for (size_t o = 0; o < H; ++o)
        for (size_t q = 0; q < pr->nb; ++q) pr->J[q * pr->ldJ + net->b_off[l] + o] += zbar[o * CB + q];
    } else {
      for (size_t o = 0; o < H; ++o) gb[o] += sum_block(zbar + o * CB);
    }
    if (l == 1 && net->has_embed) { /* W1 acts on the features' jets A[0] */
      if (pr) point_weights(H, Hp, C, zbar, w->A[0], pr, net->w_off[1]);
      else pinn_gemm_nt_acc_(H, Hp, CB, zbar, w->A[0], gW);
      break;
    }
    if (l == 1 && pr) {
      const size_t n_in = Hp;
      for (size_t o = 0; o < H; ++o) {
        const double *zb = zbar + o * CB;
        for (size_t q = 0; q < pr->nb; ++q) {
          double *row = pr->J + q * pr->ldJ + net->w_off[1] + o * n_in;
          for (size_t i = 0; i < n_in; ++i) row[i] += zb[q] * w->x0[i * B + q];
          for (size_t c = 0; c < cm->n1; ++c)
            row[cm->fin[c]] += zb[(1 + c) * B + q] * net->in_scale[cm->fin[c]];
        }
      }
      break;
    }
    if (l == 1) {
      /* Wbar[o][i] += sum_q zbar0 x_i + zbar_(first channel of i) */
      const size_t n_in = Hp;
      for (size_t o = 0; o < H; ++o) {
        const double *zb = zbar + o * CB;
        for (size_t i = 0; i < n_in; ++i) {
          const double *xi = w->x0 + i * B;
          v8d a = ld8(zb) * ld8(xi);
          a += ld8(zb + 8) * ld8(xi + 8);
          a += ld8(zb + 16) * ld8(xi + 16);
          a += ld8(zb + 24) * ld8(xi + 24);
          gW[o * n_in + i] += hsum8(a);
        }
        for (size_t c = 0; c < cm->n1; ++c)
          gW[o * n_in + cm->fin[c]] += sum_block(zb + (1 + c) * B) * net->in_scale[cm->fin[c]];
      }
      break;
    }
    if (pr) point_weights(H, Hp, C, zbar, w->A[l - 1], pr, net->w_off[l]);
    else pinn_gemm_nt_acc_(H, Hp, CB, zbar, w->A[l - 1], gW);
    pinn_gemm_tn_(H, Hp, CB, W, zbar, abar);
    /* through the activation of layer l-1: abar -> zbar (in place into zbar buffer) */
    const size_t lp = l - 1;
    const pinn_activation *act = &net->act[lp - 1];
    const double *Z = w->Z[lp], *S = w->S[lp];
    const int prelu = act->kind == PINN_ACT_PRELU;
    double *ga = prelu && !pr ? g + net->a_off[lp] : NULL;
    for (size_t o = 0; o < Hp; ++o) {
      const double *z = Z + o * CB, *ab = abar + o * CB;
      const double *s1 = S + o * B, *s2 = S + (Hp + o) * B, *s3 = S + (2 * Hp + o) * B;
      double *zb = zbar + o * CB;
      if (prelu && pr) {
        const size_t col = net->a_off[lp] + (net->prelu_per_unit ? o : 0);
        for (size_t q = 0; q < pr->nb; ++q) {
          if (!(z[q] < 0)) continue;
          double v = 0;
          for (size_t c = 0; c < C; ++c) v += z[c * B + q] * ab[c * B + q];
          pr->J[q * pr->ldJ + col] += v;
        }
      } else if (prelu) {
        v8d acc = bc8(0);
        for (size_t c = 0; c < C; ++c) {
          const double *zc = z + c * B, *abc = ab + c * B;
          for (size_t q = 0; q < B; q += 8) {
            v8d zz = ld8(z + q), m;
            for (int r = 0; r < 8; ++r) m[r] = zz[r] < 0 ? 1.0 : 0.0;
            acc += m * ld8(zc + q) * ld8(abc + q);
          }
        }
        ga[net->prelu_per_unit ? o : 0] += hsum8(acc);
      }
      /* value channel */
      double v[B];
#pragma omp simd
      for (size_t q = 0; q < B; ++q) v[q] = s1[q] * ab[q];
      for (size_t c = 1; c <= cm->n1; ++c) {
        const double *zc = z + c * B, *abc = ab + c * B;
        double *zbc = zb + c * B;
#pragma omp simd
        for (size_t q = 0; q < B; ++q) {
          v[q] += s2[q] * zc[q] * abc[q];
          zbc[q] = s1[q] * abc[q];
        }
      }
      for (size_t p = 0; p < cm->np; ++p) {
        const size_t c = 1 + cm->n1 + p;
        const double *zi = z + cm->pa[p] * B, *zj = z + cm->pb[p] * B, *zc = z + c * B;
        const double *abc = ab + c * B;
        double *zbi = zb + cm->pa[p] * B, *zbj = zb + cm->pb[p] * B, *zbc = zb + c * B;
#pragma omp simd
        for (size_t q = 0; q < B; ++q) {
          v[q] += (s3[q] * zi[q] * zj[q] + s2[q] * zc[q]) * abc[q];
          zbc[q] = s1[q] * abc[q];
        }
        /* first-channel updates: 2 s'' z_i abar_ii on the diagonal */
        if (zbi == zbj) {
#pragma omp simd
          for (size_t q = 0; q < B; ++q) zbi[q] += 2.0 * s2[q] * abc[q] * zi[q];
        } else {
#pragma omp simd
          for (size_t q = 0; q < B; ++q) zbi[q] += s2[q] * abc[q] * zj[q];
#pragma omp simd
          for (size_t q = 0; q < B; ++q) zbj[q] += s2[q] * abc[q] * zi[q];
        }
      }
      memcpy(zb, v, sizeof v);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Drivers                                                                   */

/* A loss pass as lib/reduce.c's driver sees it: the block's forward pass,
 * the caller's seed callback, the adjoint into the leaf's vector. */
typedef struct {
  pinn_mlp *net;
  const chan_map *cm;
  size_t n, row0, n_acc;
  const double *x;
  pinn_jet_seed_fn fn;
  void *ctx;
  int need_grad, need_s3;
} pass_ctx;

static void *pass_alloc(void *vctx)
{
  const pass_ctx *pc = vctx;
  workspace *w = malloc(sizeof *w);
  if (w && ws_alloc(pc->net, pc->cm->C, w) != PINN_SUCCESS) {
    free(w);
    w = NULL;
  }
  return w;
}

static void pass_release(void *ws)
{
  ws_free(ws);
  free(ws);
}

static int pass_block(void *ws, size_t b, double *v, void *vctx)
{
  const pass_ctx *pc = vctx;
  workspace *w = ws;
  const pinn_mlp *net = pc->net;
  const size_t p0 = b * B, nb = (pc->n - p0) < B ? (pc->n - p0) : B, n_in = net->n_in;
  forward_points(net, pc->cm, w, pc->x + (p0 - pc->row0) * n_in, nb, pc->need_s3);
  double *jb = w->bar0;
  memset(jb, 0, net->sizes[net->L - 1] * pc->cm->C * B * sizeof(double));
  const int r = pc->fn(p0 - pc->row0, nb, B, w->Z[net->L - 1], jb, v, pc->ctx);
  if (r) return r;
  if (pc->need_grad) block_adjoint(net, pc->cm, w, v + pc->n_acc, NULL);
  return 0;
}

int pinn_mlp_loss_grad_part_(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                             pinn_jet_seed_fn fn, void *ctx, size_t n_acc, int need_grad,
                             size_t rank, size_t size, size_t row0, pinn_reduce_list_ *out)
{
  if (!net) return PINN_EINVAL;
  if (!spec || !fn || (n && !x) || !out || size < 1 || rank >= size)
    return pinn_error_set(&net->err, PINN_EINVAL,
                          "pinn_mlp_loss_grad: spec, fn, points and accumulators must not be NULL");
  chan_map cm;
  int st = chan_map_make(spec, net->n_in, &cm, &net->err);
  if (st) return st;
  const size_t len = n_acc + (need_grad ? net->nparams : 0);
  const size_t nblocks = (n + B - 1) / B, leaves = pinn_reduce_leaves_(nblocks);
  size_t leaf0, leaf1;
  pinn_reduce_share_(rank, size, leaves, &leaf0, &leaf1);
  pinn_reduce_list_init_(out, len, leaves);
  if (leaf0 < leaf1) {
    size_t first_block, last_block;
    pinn_reduce_leaf_blocks_(nblocks, leaves, leaf0, &first_block, &last_block);
    if (first_block * B < row0)
      return pinn_error_set(&net->err, PINN_EINVAL,
                            "pinn_mlp_loss_grad: the points held start at %zu, after this share's "
                            "first point %zu",
                            row0, first_block * B);
  }
  pass_ctx pc = {net, &cm, n, row0, n_acc, x, fn, ctx, need_grad, cm.np > 0 && need_grad};
  static const pinn_reduce_pass_ops_ ops = {pass_alloc, pass_release, pass_block};
  pinn_reduce_pass_fail_ fail;
  st = pinn_reduce_pass_(nblocks, rank, size, len, pinn_mlp_team_size_(net), &ops, &pc, out, &fail);
  if (!st) return PINN_SUCCESS;
  if (fail.no_workspace)
    return pinn_error_set(&net->err, PINN_ENOMEM, "out of memory for the jet workspaces");
  if (fail.block == SIZE_MAX)
    return pinn_error_set(&net->err, PINN_ENOMEM, "out of memory in the loss pass");
  return pinn_error_set(&net->err, st,
                        "the loss callback failed (status %d) in the block of points %zu..%zu", st,
                        fail.block * B, fail.block * B + B - 1);
}

int pinn_mlp_loss_grad(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                       pinn_jet_seed_fn fn, void *ctx, size_t n_acc, double *acc_out, double *grad)
{
  if (!net) return PINN_EINVAL;
  if (!spec || !fn || (n && !x) || (n_acc && !acc_out))
    return pinn_error_set(&net->err, PINN_EINVAL,
                          "pinn_mlp_loss_grad: spec, fn, points and accumulators must not be NULL");
  for (size_t a = 0; a < n_acc; ++a) acc_out[a] = 0.0;
  if (n == 0) {
    chan_map cm;
    return chan_map_make(spec, net->n_in, &cm, &net->err);
  }
  pinn_reduce_list_ list;
  int st = pinn_mlp_loss_grad_part_(net, spec, n, x, fn, ctx, n_acc, grad != NULL, 0, 1, 0, &list);
  if (st) return st;
  st = pinn_reduce_total_(&list, n_acc, acc_out, grad);
  if (st == PINN_ENOMEM) return pinn_error_set(&net->err, st, "out of memory in the loss pass");
  return st ? pinn_error_set(&net->err, st, "the reduction tree is incomplete") : PINN_SUCCESS;
}

/* Copying seeds for the plain forward / adjoint entry points. */
typedef struct {
  size_t n_out, C;
  double *jets;          /* forward: output, AoS */
  const double *jets_bar;/* adjoint: input, AoS */
} copy_ctx;

/* Forward (jets_bar NULL): the block's jets (k C + c) ld + q out to the
 * caller's ((p0 + q) n_out + k) C + c; adjoint: the caller's in as jets_bar. */
static int copy_seed(size_t p0, size_t nb, size_t ld, const double *jets, double *jets_bar,
                     double *acc, void *ctx)
{
  (void)acc;
  const copy_ctx *cc = ctx;
  for (size_t k = 0; k < cc->n_out; ++k)
    for (size_t c = 0; c < cc->C; ++c)
      for (size_t q = 0; q < nb; ++q) {
        const size_t blk = (k * cc->C + c) * ld + q, usr = ((p0 + q) * cc->n_out + k) * cc->C + c;
        if (cc->jets_bar) jets_bar[blk] = cc->jets_bar[usr];
        else cc->jets[usr] = jets[blk];
      }
  return 0;
}

int pinn_mlp_jets(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                  double *jets)
{
  if (!net) return PINN_EINVAL;
  if (!spec || (n && (!x || !jets)))
    return pinn_error_set(&net->err, PINN_EINVAL, "pinn_mlp_jets: NULL argument");
  copy_ctx cc = {net->sizes[net->L - 1], pinn_jet_spec_channels(spec), jets, NULL};
  return pinn_mlp_loss_grad(net, spec, n, x, copy_seed, &cc, 0, NULL, NULL);
}

int pinn_mlp_eval(pinn_mlp *net, size_t n, const double *x, double *out)
{
  pinn_jet_spec s = pinn_jet_spec_value();
  return pinn_mlp_jets(net, &s, n, x, out);
}

int pinn_mlp_jets_adjoint(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                          const double *jets_bar, double *grad)
{
  if (!net) return PINN_EINVAL;
  if (!spec || !grad || (n && (!x || !jets_bar)))
    return pinn_error_set(&net->err, PINN_EINVAL, "pinn_mlp_jets_adjoint: NULL argument");
  copy_ctx cc = {net->sizes[net->L - 1], pinn_jet_spec_channels(spec), NULL, jets_bar};
  return pinn_mlp_loss_grad(net, spec, n, x, copy_seed, &cc, 0, NULL, grad);
}

int pinn_mlp_preactivations(pinn_mlp *net, size_t l, size_t n, const double *x, double *z)
{
  if (!net) return PINN_EINVAL;
  if (l < 1 || l + 1 >= net->L)
    return pinn_error_set(&net->err, PINN_EINVAL,
                          "layer %zu is not a hidden layer (hidden layers are 1..%zu)", l, net->L - 2);
  if (n && (!x || !z)) return pinn_error_set(&net->err, PINN_EINVAL, "NULL points or output");
  double *a = malloc(net->maxw * sizeof *a), *b = malloc(net->maxw * sizeof *b);
  if (!a || !b) {
    free(a);
    free(b);
    return pinn_error_set(&net->err, PINN_ENOMEM, "out of memory");
  }
  for (size_t p = 0; p < n; ++p) {
    double u[PINN_MAX_INPUTS];
    memcpy(u, x + p * net->n_in, net->n_in * sizeof *u);
    pinn_mlp_map_inputs_(net, u, 1, 1);
    pinn_features_ f;
    if (pinn_mlp_features_(net, &f)) { /* the features of the point */
      for (size_t k = 0; k < f.n_id; ++k) a[f.id_col[k]] = u[f.id_in[k]];
      for (size_t k = 0; k < f.n_ph; ++k) {
        double phi;
        pinn_features_phase_(&f, k, u, 1, 1, &phi);
        a[f.ph_col[k]] = cos(phi);
        a[f.ph_col[k] + 1] = sin(phi);
      }
    } else {
      memcpy(a, u, net->n_in * sizeof *a);
    }
    for (size_t k = 1; k <= l; ++k) {
      const size_t H = net->sizes[k], Hp = net->sizes[k - 1];
      const double *W = net->theta + net->w_off[k], *bias = net->theta + net->b_off[k];
      for (size_t o = 0; o < H; ++o) {
        double s = bias[o];
        for (size_t i = 0; i < Hp; ++i) s += W[o * Hp + i] * a[i];
        b[o] = s;
      }
      if (k == l) {
        memcpy(z + p * H, b, H * sizeof *b);
        break;
      }
      for (size_t o = 0; o < H; ++o) {
        double d[4];
        pinn_activation act = net->act[k - 1];
        if (act.kind == PINN_ACT_PRELU) act.param = slope_of(net, k, o);
        pinn_activation_eval(&act, b[o], d);
        a[o] = d[0];
      }
    }
  }
  free(a);
  free(b);
  return PINN_SUCCESS;
}

int pinn_mlp_jacobian(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                      size_t n_rows, pinn_jet_row_fn fn, void *ctx, double *J, size_t ldJ)
{
  if (!net) return PINN_EINVAL;
  if (!spec || !fn || (n && (!x || !J)) || n_rows < 1 || ldJ < net->nparams)
    return pinn_error_set(&net->err, PINN_EINVAL,
                          "pinn_mlp_jacobian: need spec, fn, points, J, n_rows >= 1 and ldJ >= %zu",
                          net->nparams);
  chan_map cm;
  int st = chan_map_make(spec, net->n_in, &cm, &net->err);
  if (st) return st;
  if (n == 0) return PINN_SUCCESS;
  const size_t nblocks = (n + B - 1) / B, n_in = net->n_in, n_out = net->sizes[net->L - 1];
  const size_t C = cm.C, P = net->nparams;
  int fail = 0, alloc_fail = 0;
  size_t fail_block = (size_t)-1;
#pragma omp parallel if (nblocks >= 4) num_threads(pinn_mlp_team_size_(net))
  {
    workspace w;
    const int ok = ws_alloc_in_team(net, C, &w, &alloc_fail);
#pragma omp for schedule(dynamic, 1)
    for (size_t b = 0; b < nblocks; ++b) {
      if (!ok || fail) continue;
      const size_t p0 = b * B, nb = (n - p0) < B ? (n - p0) : B;
      forward_points(net, &cm, &w, x + p0 * n_in, nb, cm.np > 0);
      for (size_t r = 0; r < n_rows; ++r) {
        memset(w.bar0, 0, n_out * C * B * sizeof(double));
        int rc = fn(p0, nb, B, w.Z[net->L - 1], r, w.bar0, ctx);
        if (rc) {
#pragma omp critical /* unnamed: a named one would be an exported symbol */
          {
            if (b < fail_block) {
              fail_block = b;
              fail = rc >= 100 ? rc : PINN_ECALLBACK;
            }
          }
          break;
        }
        point_rows pr = {J + (p0 * n_rows + r) * ldJ, n_rows * ldJ, nb};
        for (size_t q = 0; q < nb; ++q) memset(pr.J + q * pr.ldJ, 0, P * sizeof(double));
        block_adjoint(net, &cm, &w, NULL, &pr);
      }
    }
    ws_free(&w);
  }
  if (alloc_fail) return pinn_error_set(&net->err, PINN_ENOMEM, "out of memory for the jet workspaces");
  if (fail)
    return pinn_error_set(&net->err, fail, "the Jacobian row callback failed in the block of points %zu..%zu",
                          fail_block * B, fail_block * B + B - 1);
  return PINN_SUCCESS;
}
