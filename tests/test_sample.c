/* Tests for unit-cube samplers and top-k selection. */
#include <pinn/sample.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const pinn_sampler_kind all_kinds[] = {PINN_SAMPLER_GRID, PINN_SAMPLER_UNIFORM,
                                              PINN_SAMPLER_LHS, PINN_SAMPLER_SOBOL,
                                              PINN_SAMPLER_HALTON};
#define NKINDS (sizeof all_kinds / sizeof all_kinds[0])

/* A new sampler (which must allocate). */
static pinn_sampler *sampler_ok(pinn_sampler_kind kind, size_t dim, unsigned long seed)
{
  pinn_sampler *s = pinn_sampler_alloc(kind, dim, seed, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  return s;
}

static void kind_names_round_trip_through_parse(void)
{
  for (size_t i = 0; i < NKINDS; ++i) {
    pinn_sampler_kind k = (pinn_sampler_kind)-1;
    CU_ASSERT_EQUAL(pinn_sampler_kind_parse(pinn_sampler_kind_name(all_kinds[i]), &k, NULL), 0);
    CU_ASSERT_EQUAL(k, all_kinds[i]);
  }
  pinn_sampler_kind k = PINN_SAMPLER_GRID;
  CU_ASSERT_EQUAL(pinn_sampler_kind_parse("random", &k, NULL), 0);
  CU_ASSERT_EQUAL(k, PINN_SAMPLER_UNIFORM);
  CU_ASSERT_EQUAL(pinn_sampler_kind_parse("Sobol", &k, NULL), 0);
  CU_ASSERT_EQUAL(k, PINN_SAMPLER_SOBOL);
  CU_ASSERT_EQUAL(pinn_sampler_kind_parse("sobolx", &k, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_sampler_kind_parse("", &k, NULL), PINN_EINVAL);
  CU_ASSERT_EQUAL(k, PINN_SAMPLER_SOBOL);
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_sampler_kind_parse("sobolx", &k, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(err.code, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'sobolx'"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "halton"));
  CU_ASSERT_STRING_EQUAL(pinn_sampler_kind_name(PINN_SAMPLER_LHS), "lhs");
  CU_ASSERT_STRING_EQUAL(pinn_sampler_kind_name((pinn_sampler_kind)42), "unknown");
}

static void grid_is_the_largest_cell_centred_tensor_grid_not_above_n(void)
{
  static const struct { size_t dim, n, count, side; } cases[] = {
    {1, 7, 7, 7}, {2, 100, 100, 10}, {2, 99, 81, 9}, {3, 1000, 1000, 10},
    {3, 999, 729, 9}, {3, 7, 1, 1}, {4, 10000, 10000, 10}, {2, 0, 0, 0}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    pinn_sampler *s = sampler_ok(PINN_SAMPLER_GRID, cases[c].dim, 0);
    CU_ASSERT_EQUAL(pinn_sampler_count(s, cases[c].n), cases[c].count);
    double *u = malloc((cases[c].n + 1) * cases[c].dim * sizeof *u);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s, cases[c].n, u), 0);
    const size_t m = cases[c].side;
    for (size_t p = 0; p < cases[c].count; ++p) {
      size_t q = p;
      for (size_t j = 0; j < cases[c].dim; ++j) {
        CU_ASSERT_DOUBLE_EQUAL(u[p * cases[c].dim + j], ((double)(q % m) + 0.5) / (double)m,
                               1e-15);
        q /= m;
      }
    }
    pinn_sampler_free(s);
    free(u);
  }
}

static void uniform_sampler_has_the_moments_of_the_uniform_law(void)
{
  const size_t n = 20000, dim = 3;
  double *u = malloc(n * dim * sizeof *u);
  pinn_sampler *s = sampler_ok(PINN_SAMPLER_UNIFORM, dim, 12345);
  CU_ASSERT_EQUAL(pinn_sampler_fill(s, n, u), 0);
  for (size_t j = 0; j < dim; ++j) {
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < n; ++i) {
      CU_ASSERT(u[i * dim + j] >= 0.0 && u[i * dim + j] < 1.0);
      mean += u[i * dim + j];
    }
    mean /= (double)n;
    for (size_t i = 0; i < n; ++i) var += (u[i * dim + j] - 0.5) * (u[i * dim + j] - 0.5);
    var /= (double)n;
    /* sd of the mean: sqrt(1/12/n); of E(u - 1/2)^2: sqrt((1/80 - 1/144)/n). */
    CU_ASSERT(fabs(mean - 0.5) < 5.0 * sqrt(1.0 / 12.0 / (double)n));
    CU_ASSERT(fabs(var - 1.0 / 12.0) < 5.0 * sqrt((1.0 / 80.0 - 1.0 / 144.0) / (double)n));
  }
  /* Coordinates are uncorrelated: E[(u0 - 1/2)(u1 - 1/2)] ~ 0, sd 1/(12 sqrt n). */
  double cov = 0.0;
  for (size_t i = 0; i < n; ++i) cov += (u[i * dim] - 0.5) * (u[i * dim + 1] - 0.5);
  cov /= (double)n;
  CU_ASSERT(fabs(cov) < 5.0 / 12.0 / sqrt((double)n));
  pinn_sampler_free(s);
  free(u);
}

static void lhs_hits_every_stratum_exactly_once_per_dimension(void)
{
  const size_t n = 97, dim = 4;
  pinn_sampler *s = sampler_ok(PINN_SAMPLER_LHS, dim, 7);
  double *u = malloc(n * dim * sizeof *u);
  int *hit = malloc(n * sizeof *hit);
  for (int round = 0; round < 3; ++round) {
    const size_t nr = round == 1 ? 13 : n; /* other sizes reuse the workspace */
    CU_ASSERT_EQUAL(pinn_sampler_fill(s, nr, u), 0);
    for (size_t j = 0; j < dim; ++j) {
      memset(hit, 0, n * sizeof *hit);
      for (size_t i = 0; i < nr; ++i) {
        const double v = u[i * dim + j];
        CU_ASSERT(v >= 0.0 && v < 1.0);
        hit[(size_t)floor(v * (double)nr)]++;
      }
      for (size_t k = 0; k < nr; ++k) CU_ASSERT_EQUAL(hit[k], 1);
    }
  }
  /* Not the identity design: the strata are shuffled per coordinate. */
  size_t same = 0;
  for (size_t i = 0; i < n; ++i)
    same += floor(u[i * dim] * (double)n) == floor(u[i * dim + 1] * (double)n);
  CU_ASSERT(same < n / 2);
  pinn_sampler_free(s);
  free(u);
  free(hit);
}

static void quasi_random_sequences_equal_gsl_qrng_output(void)
{
  static const size_t sizes[] = {7, 13, 100};
  struct { pinn_sampler_kind kind; const gsl_qrng_type *type; size_t dim; } cases[2];
  cases[0].kind = PINN_SAMPLER_SOBOL;
  cases[0].type = gsl_qrng_sobol;
  cases[0].dim = 5;
  cases[1].kind = PINN_SAMPLER_HALTON;
  cases[1].type = gsl_qrng_halton;
  cases[1].dim = 7;
  for (size_t c = 0; c < 2; ++c) {
    const size_t dim = cases[c].dim;
    pinn_sampler *s = pinn_sampler_alloc(cases[c].kind, dim, 99, NULL);
    gsl_qrng *q = gsl_qrng_alloc(cases[c].type, (unsigned)dim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    double u[100 * 7], v[7];
    size_t mismatches = 0;
    for (size_t r = 0; r < 3; ++r) {
      CU_ASSERT_EQUAL(pinn_sampler_fill(s, sizes[r], u), 0);
      for (size_t i = 0; i < sizes[r]; ++i) {
        gsl_qrng_get(q, v);
        mismatches += memcmp(u + i * dim, v, dim * sizeof *v) != 0;
      }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    gsl_qrng_free(q);
    pinn_sampler_free(s);
  }
  /* The first points: GSL's Sobol starts at (1/2, ...), never the origin;
   * Halton at (1/2, 1/3, 1/5). */
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, 3, 0, NULL);
  double u[6];
  pinn_sampler_fill(s, 2, u);
  CU_ASSERT_EQUAL(u[0], 0.5);
  CU_ASSERT_EQUAL(u[2], 0.5);
  CU_ASSERT_EQUAL(u[3], 0.75);
  pinn_sampler_free(s);
  s = pinn_sampler_alloc(PINN_SAMPLER_HALTON, 3, 0, NULL);
  pinn_sampler_fill(s, 1, u);
  CU_ASSERT_DOUBLE_EQUAL(u[0], 1.0 / 2.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(u[1], 1.0 / 3.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(u[2], 1.0 / 5.0, 1e-15);
  pinn_sampler_free(s);
}

static void same_seed_gives_the_same_points_and_another_seed_other_points(void)
{
  const size_t n = 50, dim = 3;
  double a[150] = {0}, b[150] = {0}, c[150] = {0};
  for (size_t i = 0; i < NKINDS; ++i) {
    pinn_sampler *s1 = pinn_sampler_alloc(all_kinds[i], dim, 2024, NULL);
    pinn_sampler *s2 = pinn_sampler_alloc(all_kinds[i], dim, 2024, NULL);
    pinn_sampler *s3 = sampler_ok(all_kinds[i], dim, 2025);
    for (int r = 0; r < 2; ++r) {
      pinn_sampler_fill(s1, n, a);
      pinn_sampler_fill(s2, n, b);
      pinn_sampler_fill(s3, n, c);
      CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
      const size_t cnt = pinn_sampler_count(s1, n) * dim;
      int differ = memcmp(a, c, cnt * sizeof *a) != 0;
      /* The seed drives UNIFORM and LHS; GRID, SOBOL, HALTON ignore it. */
      const int seeded = all_kinds[i] == PINN_SAMPLER_UNIFORM || all_kinds[i] == PINN_SAMPLER_LHS;
      CU_ASSERT_EQUAL(differ, seeded);
    }
    pinn_sampler_free(s1);
    pinn_sampler_free(s2);
    pinn_sampler_free(s3);
  }
}

static void saved_state_continues_the_sequence_bitwise(void)
{
  const size_t dim = 4;
  double a[4 * 64] = {0}, b[4 * 64] = {0}, head[4 * 10] = {0};
  for (size_t i = 0; i < NKINDS; ++i) {
    pinn_sampler *s1 = pinn_sampler_alloc(all_kinds[i], dim, 11, NULL);
    pinn_sampler *s2 = sampler_ok(all_kinds[i], dim, 999);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s1, 10, head), 0);
    const size_t size = pinn_sampler_state_size(s1);
    unsigned char *buf = malloc(size);
    CU_ASSERT_EQUAL(pinn_sampler_state_save(s1, buf, size - 1, NULL), PINN_EINVAL);
    CU_ASSERT_EQUAL(pinn_sampler_state_save(s1, buf, size, NULL), 0);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s1, 64, a), 0);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s1, 64, a), 0); /* 2nd block after the save */
    CU_ASSERT_EQUAL(pinn_sampler_state_load(s2, buf, size, NULL), 0);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s2, 64, b), 0);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s2, 64, b), 0);
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
    /* Restart: the stream begins again with the first block. */
    pinn_sampler_reset(s1);
    CU_ASSERT_EQUAL(pinn_sampler_fill(s1, 10, b), 0);
    CU_ASSERT_EQUAL(memcmp(head, b, pinn_sampler_count(s1, 10) * dim * sizeof *b), 0);
    /* Refused: truncated bytes, garbage, another kind or dim. */
    CU_ASSERT_EQUAL(pinn_sampler_state_load(s2, buf, size - 1, NULL), PINN_EFORMAT);
    pinn_sampler *other = pinn_sampler_alloc(all_kinds[(i + 1) % NKINDS], dim, 11, NULL);
    CU_ASSERT_EQUAL(pinn_sampler_state_load(other, buf, size, NULL), PINN_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_sampler_errmsg(other), "same kind and dim"));
    pinn_sampler *wider = pinn_sampler_alloc(all_kinds[i], dim + 1, 11, NULL);
    CU_ASSERT_EQUAL(pinn_sampler_state_load(wider, buf, size, NULL), PINN_EFORMAT);
    buf[0] ^= 0xff;
    CU_ASSERT_EQUAL(pinn_sampler_state_load(s2, buf, size, NULL), PINN_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_sampler_errmsg(s2), "pinn_sampler_state_save"));
    pinn_error err;
    CU_ASSERT_EQUAL(pinn_sampler_state_load(s2, buf, size, &err), PINN_EFORMAT);
    CU_ASSERT_STRING_EQUAL(err.msg, pinn_sampler_errmsg(s2));
    CU_ASSERT_EQUAL(pinn_sampler_state_save(s1, buf, size - 1, &err), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pinn_sampler_state_size"));
    pinn_sampler_free(other);
    pinn_sampler_free(wider);
    pinn_sampler_free(s1);
    pinn_sampler_free(s2);
    free(buf);
  }
}

static void gsl_dimension_limits_are_refused_with_the_limit_named(void)
{
  pinn_error e;
  static const struct {
    pinn_sampler_kind kind;
    size_t max;
    const char *says;
  } lim[2] = {{PINN_SAMPLER_SOBOL, 40, "dim <= 40"}, {PINN_SAMPLER_HALTON, 1229, "dim <= 1229"}};
  for (int i = 0; i < 2; ++i) {
    pinn_error_clear(&e);
    CU_ASSERT_PTR_NULL(pinn_sampler_alloc(lim[i].kind, lim[i].max + 1, 0, &e));
    CU_ASSERT_EQUAL(e.code, PINN_EUNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, lim[i].says));
    pinn_sampler *s = pinn_sampler_alloc(lim[i].kind, lim[i].max, 0, &e);
    CU_ASSERT_PTR_NOT_NULL(s);
    pinn_sampler_free(s);
    CU_ASSERT_EQUAL(pinn_sampler_max_dim(lim[i].kind), lim[i].max);
  }
  pinn_error_clear(&e);
  CU_ASSERT_PTR_NULL(pinn_sampler_alloc(PINN_SAMPLER_UNIFORM, 0, 0, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ">= 1"));
  CU_ASSERT_PTR_NULL(pinn_sampler_alloc((pinn_sampler_kind)17, 2, 0, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  pinn_sampler_free(NULL);
  pinn_sampler *s = pinn_sampler_alloc(PINN_SAMPLER_UNIFORM, 2, 0, NULL);
  CU_ASSERT_STRING_EQUAL(pinn_sampler_errmsg(s), "");
  CU_ASSERT_EQUAL(pinn_sampler_fill(s, 3, NULL), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_sampler_errmsg(s), "3 x 2"));
  CU_ASSERT_EQUAL(pinn_sampler_fill(s, 0, NULL), 0);
  pinn_sampler_free(s);
}

/* Reference order for top_k: score descending, index ascending. */
static const double *ref_score;
static int ref_cmp(const void *pa, const void *pb)
{
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  if (ref_score[a] != ref_score[b]) return ref_score[a] > ref_score[b] ? -1 : 1;
  return a < b ? -1 : a > b;
}

static void top_k_agrees_with_a_full_sort_ties_to_lower_index(void)
{
  const size_t n = 1000;
  double *score = malloc(n * sizeof *score);
  size_t *ref = malloc(n * sizeof *ref), *idx = malloc(n * sizeof *idx);
  unsigned long x = 88172645463325252UL;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    score[i] = (double)(x % 50) - 20.0; /* many ties */
    ref[i] = i;
  }
  score[500] = INFINITY;
  score[3] = -INFINITY;
  ref_score = score;
  qsort(ref, n, sizeof *ref, ref_cmp);
  static const size_t ks[] = {0, 1, 2, 10, 37, 999, 1000};
  for (size_t c = 0; c < sizeof ks / sizeof ks[0]; ++c) {
    CU_ASSERT_EQUAL(pinn_sample_top_k(n, score, ks[c], idx), 0);
    CU_ASSERT_EQUAL(memcmp(idx, ref, ks[c] * sizeof *idx), 0);
  }
  CU_ASSERT_EQUAL(idx[0], 500);
  CU_ASSERT_EQUAL(idx[n - 1], 3);
  CU_ASSERT_EQUAL(pinn_sample_top_k(n, score, n + 1, idx), PINN_EINVAL);
  score[10] = NAN;
  CU_ASSERT_EQUAL(pinn_sample_top_k(n, score, 5, idx), PINN_ENONFINITE);
  free(score);
  free(ref);
  free(idx);
}

/* Leave freed heap blocks of sizes around `size` filled with `byte`, so the
 * next malloc of that size (GSL's generator state) gets dirty memory. */
static void dirty_heap(size_t size, unsigned char byte)
{
  enum { N = 24 };
  void *blocks[N];
  for (int i = 0; i < N; ++i) {
    size_t sz = (size > 48 ? size - 48 : 1) + (size_t)(i % 8) * 16;
    blocks[i] = malloc(sz);
    if (blocks[i]) memset(blocks[i], byte, sz);
  }
  for (int i = N - 1; i >= 0; --i) free(blocks[i]);
}

static void saved_states_hold_no_uninitialised_bytes(void)
{
  /* Two samplers of the same kind, dim and seed, allocated on heaps left
   * dirty with different bytes, must save byte-identical states (Sobol and
   * Halton states are sized for GSL's maximum dimension; init fills only
   * what the dimension uses). */
  for (size_t i = 0; i < NKINDS; ++i) {
    if (all_kinds[i] == PINN_SAMPLER_GRID) continue;
    pinn_sampler *probe = sampler_ok(all_kinds[i], 3, 5);
    const size_t size = pinn_sampler_state_size(probe);
    pinn_sampler_free(probe);
    CU_ASSERT_FATAL(size > 32); /* header, then the generator state */
    unsigned char *buf[2];
    for (int k = 0; k < 2; ++k) {
      dirty_heap(size - 32, k ? 0xCD : 0xAB);
      pinn_sampler *s = sampler_ok(all_kinds[i], 3, 5);
      double pts[3 * 7];
      CU_ASSERT_EQUAL(pinn_sampler_fill(s, 7, pts), 0);
      buf[k] = calloc(1, size);
      CU_ASSERT_EQUAL(pinn_sampler_state_save(s, buf[k], size, NULL), 0);
      pinn_sampler_free(s);
    }
    CU_ASSERT_EQUAL(memcmp(buf[0], buf[1], size), 0);
    free(buf[0]);
    free(buf[1]);
  }
}

static void corrupt_quasi_random_state_is_refused(void)
{
  pinn_sampler *s = sampler_ok(PINN_SAMPLER_SOBOL, 2, 1);
  const size_t size = pinn_sampler_state_size(s);
  unsigned char *buf = malloc(size);
  CU_ASSERT_EQUAL(pinn_sampler_state_save(s, buf, size, NULL), 0);
  /* header intact, generator state all ones: an exhausted or out-of-range
   * sequence, never a point in [0,1)^2 */
  memset(buf + 32, 0xFF, size - 32);
  CU_ASSERT_EQUAL(pinn_sampler_state_load(s, buf, size, NULL), PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_sampler_errmsg(s), "corrupt"));
  /* the sampler is unchanged: it continues from its own position */
  double a[2], b[2];
  pinn_sampler *ref = pinn_sampler_alloc(PINN_SAMPLER_SOBOL, 2, 1, NULL);
  CU_ASSERT_EQUAL(pinn_sampler_fill(s, 1, a), 0);
  CU_ASSERT_EQUAL(pinn_sampler_fill(ref, 1, b), 0);
  CU_ASSERT(a[0] == b[0] && a[1] == b[1]);
  pinn_sampler_free(ref);
  pinn_sampler_free(s);
  free(buf);
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
    {"kind_names_round_trip_through_parse", kind_names_round_trip_through_parse},
    {"grid_is_the_largest_cell_centred_tensor_grid_not_above_n",
     grid_is_the_largest_cell_centred_tensor_grid_not_above_n},
    {"uniform_sampler_has_the_moments_of_the_uniform_law",
     uniform_sampler_has_the_moments_of_the_uniform_law},
    {"lhs_hits_every_stratum_exactly_once_per_dimension",
     lhs_hits_every_stratum_exactly_once_per_dimension},
    {"quasi_random_sequences_equal_gsl_qrng_output", quasi_random_sequences_equal_gsl_qrng_output},
    {"same_seed_gives_the_same_points_and_another_seed_other_points",
     same_seed_gives_the_same_points_and_another_seed_other_points},
    {"saved_state_continues_the_sequence_bitwise", saved_state_continues_the_sequence_bitwise},
    {"saved_states_hold_no_uninitialised_bytes", saved_states_hold_no_uninitialised_bytes},
    {"corrupt_quasi_random_state_is_refused", corrupt_quasi_random_state_is_refused},
    {"gsl_dimension_limits_are_refused_with_the_limit_named",
     gsl_dimension_limits_are_refused_with_the_limit_named},
    {"top_k_agrees_with_a_full_sort_ties_to_lower_index",
     top_k_agrees_with_a_full_sort_ties_to_lower_index},
    {NULL, NULL}};
  if (pinn_test_add_suite("sample", cases)) return 1;
  return pinn_test_run_all();
}
