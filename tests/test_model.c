/* Tests for saving and loading networks: bitwise round trips (parameters and
 * jets) for every activation, the documented layout read back with h5io, and
 * clear errors (never a crash) for missing, empty, random, truncated,
 * corrupted, foreign and inconsistent files. */
#define _XOPEN_SOURCE 700
#include <pinn/model.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <hdf5.h>

#include "testutil.h"

static char *g_dir;

static char *path_in(const char *name)
{
  size_t n = strlen(g_dir) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", g_dir, name);
  return p;
}

/* A network with the given hidden activations and random parameters
 * (including PReLU slopes, so per-unit slopes differ). */
static pinn_mlp *make_net(size_t n_in, size_t n_out, size_t n_hidden, const pinn_activation *act,
                          int per_unit, unsigned long seed)
{
  size_t sizes[16];
  sizes[0] = n_in;
  for (size_t l = 0; l < n_hidden; ++l) sizes[1 + l] = 5 + l;
  sizes[1 + n_hidden] = n_out;
  pinn_mlp_layout lay = {n_hidden + 2, sizes, act, per_unit, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  double *th = pinn_mlp_params(net);
  for (size_t i = 0; i < pinn_mlp_n_params(net); ++i) th[i] = gsl_rng_uniform(r) * 2 - 1;
  gsl_rng_free(r);
  return net;
}

/* Jets (value, all first, all second derivatives) at a few points agree
 * bitwise between two networks. */
static int same_jets(pinn_mlp *a, pinn_mlp *b)
{
  size_t n_in = pinn_mlp_n_in(a), n_out = pinn_mlp_n_out(a), n = 37;
  pinn_jet_spec spec = pinn_jet_spec_value();
  for (unsigned i = 0; i < n_in; ++i)
    for (unsigned j = i; j < n_in; ++j) pinn_jet_spec_add_pair(&spec, i, j);
  size_t C = pinn_jet_spec_channels(&spec);
  double *x = malloc(n * n_in * sizeof *x);
  double *ja = malloc(n * n_out * C * sizeof *ja), *jb = malloc(n * n_out * C * sizeof *jb);
  for (size_t i = 0; i < n * n_in; ++i) x[i] = sin(1.7 * (double)i) * 1.3;
  int ok = pinn_mlp_jets(a, &spec, n, x, ja) == 0 && pinn_mlp_jets(b, &spec, n, x, jb) == 0 &&
           memcmp(ja, jb, n * n_out * C * sizeof *ja) == 0;
  /* and the jets are not trivially equal (e.g. all zero) */
  double s = 0;
  for (size_t i = 0; i < n * n_out * C; ++i) s += fabs(ja[i]);
  free(x);
  free(ja);
  free(jb);
  return ok && s > 0;
}

static int same_net(pinn_mlp *a, pinn_mlp *b)
{
  if (pinn_mlp_n_layers(a) != pinn_mlp_n_layers(b)) return 0;
  for (size_t l = 0; l < pinn_mlp_n_layers(a); ++l)
    if (pinn_mlp_layer_size(a, l) != pinn_mlp_layer_size(b, l)) return 0;
  for (size_t l = 1; l + 1 < pinn_mlp_n_layers(a); ++l) {
    pinn_activation x = pinn_mlp_activation(a, l), y = pinn_mlp_activation(b, l);
    if (x.kind != y.kind || memcmp(&x.param, &y.param, sizeof x.param) != 0) return 0;
  }
  double alo[PINN_MAX_INPUTS], ahi[PINN_MAX_INPUTS], blo[PINN_MAX_INPUTS], bhi[PINN_MAX_INPUTS];
  const int am = pinn_mlp_input_map(a, alo, ahi), bm = pinn_mlp_input_map(b, blo, bhi);
  if (am != bm) return 0;
  pinn_embedding ea, eb;
  memset(&ea, 0, sizeof ea);
  memset(&eb, 0, sizeof eb);
  if (pinn_mlp_embedding(a, &ea) != pinn_mlp_embedding(b, &eb) || memcmp(&ea, &eb, sizeof ea))
    return 0;
  if (am && (memcmp(alo, blo, pinn_mlp_n_in(a) * sizeof *alo) != 0
             || memcmp(ahi, bhi, pinn_mlp_n_in(a) * sizeof *ahi) != 0))
    return 0;
  return pinn_mlp_prelu_per_unit(a) == pinn_mlp_prelu_per_unit(b) &&
         pinn_mlp_n_params(a) == pinn_mlp_n_params(b) &&
         memcmp(pinn_mlp_params_const(a), pinn_mlp_params_const(b),
                pinn_mlp_n_params(a) * sizeof(double)) == 0;
}

/* ---------------------------------------------------------- round trips */

/* Save net alone to p, load it back and assert that the copy has the same
 * parameters and jets, bitwise; returns whether the parameters agree. */
static int round_trips(const char *p, pinn_mlp *net)
{
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_model_save(p, net, NULL, &e), 0);
  pinn_mlp *back = pinn_model_load(p, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  int same = same_net(net, back);
  CU_ASSERT(same);
  CU_ASSERT(same_jets(net, back));
  pinn_mlp_free(back);
  return same;
}

static void every_activation_round_trips_bitwise_in_params_and_jets(void)
{
  char *p = path_in("acts.h5");
  for (int k = 0; k < PINN_ACT_COUNT; ++k) {
    for (int per_unit = 0; per_unit <= (k == PINN_ACT_PRELU); ++per_unit) {
      pinn_activation act[3];
      for (int l = 0; l < 3; ++l) act[l] = pinn_activation_default((pinn_activation_kind)k);
      if (k == PINN_ACT_SOFTPLUS) act[1].param = 2.5;
      if (k == PINN_ACT_LEAKY_RELU) act[2].param = 0.1 / 3; /* needs 17 digits */
      if (k == PINN_ACT_PRELU) act[0].param = 0.3;
      pinn_mlp *net = make_net(2, 2, 3, act, per_unit, 10 + (unsigned long)k);
      if (!round_trips(p, net))
        printf("\n  activation %s per_unit %d differs\n",
               pinn_activation_name((pinn_activation_kind)k), per_unit);
      pinn_mlp_free(net);
    }
  }
  free(p);
}

static void mixed_activations_and_a_linear_model_round_trip(void)
{
  char *p = path_in("mixed.h5");
  pinn_activation act[4] = {pinn_activation_default(PINN_ACT_GELU),
                            pinn_activation_default(PINN_ACT_PRELU),
                            {PINN_ACT_SOFTPLUS, 0.75}, pinn_activation_default(PINN_ACT_SIN)};
  pinn_mlp *net = make_net(3, 4, 4, act, 1, 3);
  round_trips(p, net);
  pinn_mlp_free(net);
  pinn_error e;
  /* no hidden layer: an affine map; activations = "" */
  net = make_net(2, 1, 0, NULL, 0, 4);
  CU_ASSERT_EQUAL_FATAL(pinn_model_save(p, net, NULL, &e), 0);
  pinn_model_meta m;
  pinn_mlp *back = pinn_model_load_meta(p, &m, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  CU_ASSERT(same_net(net, back));
  CU_ASSERT_STRING_EQUAL(m.activations, "");
  CU_ASSERT_EQUAL(m.n_layers, 2);
  pinn_mlp_free(back);
  pinn_mlp_free(net);
  free(p);
}

static int zero_fn(const double *x, double *v, void *ctx)
{
  (void)x;
  (void)ctx;
  *v = 0;
  return 0;
}

static void layout_on_disk_is_the_documented_one(void)
{
  char *p = path_in("layout.h5");
  pinn_problem *pb = pinn_problem_alloc("heat2", 2, 1, 2, NULL);
  pinn_domain dom;
  double lo[2] = {-1, 0}, hi[2] = {1, 3};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0.5, 2, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(pb, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_output_names(pb, "temp,flux"), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(pb, "bc", 0, zero_fn, NULL), 0);
  pinn_activation act[2] = {pinn_activation_default(PINN_ACT_TANH), {PINN_ACT_LEAKY_RELU, 0.2}};
  pinn_mlp *net = make_net(3, 2, 2, act, 0, 5);
  pinn_error e;
  /* a problem that does not match the network is refused */
  pinn_mlp *wrong = make_net(2, 2, 2, act, 0, 5);
  CU_ASSERT_EQUAL(pinn_model_save(p, wrong, pb, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "heat2"));
  CU_ASSERT_EQUAL(access(p, F_OK), -1); /* nothing left behind */
  pinn_mlp_free(wrong);

  CU_ASSERT_EQUAL_FATAL(pinn_model_save(p, net, pb, &e), 0);
  pinn_h5_reader *r = pinn_h5_open(p, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  int64_t v = 0;
  pinn_test_assert_attr_string(r, "/model", "format", "libpinn-mlp");
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/model", "format_version", &v), 0);
  CU_ASSERT_EQUAL(v, 1);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/model", "n_layers", &v), 0);
  CU_ASSERT_EQUAL(v, 4);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/model", "n_params", &v), 0);
  CU_ASSERT_EQUAL((size_t)v, pinn_mlp_n_params(net));
  pinn_test_assert_attr_string(r, "/model", "activations", "tanh,leaky:0.2");
  pinn_test_assert_attr_string(r, "/model", "inputs", "x,y,t");
  pinn_test_assert_attr_string(r, "/model", "outputs", "temp,flux");
  pinn_test_assert_attr_string(r, "/model", "libpinn_version", pinn_version());
  double b[3];
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double_array(r, "/model", "input_hi", 3, b), 0);
  CU_ASSERT(b[0] == 1 && b[1] == 3 && b[2] == 2);
  int64_t *sz = NULL;
  size_t d4[1] = {4};
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "/model/sizes", 1, d4, &sz, NULL, NULL), 0);
  CU_ASSERT(sz && sz[0] == 3 && sz[1] == 5 && sz[2] == 6 && sz[3] == 2);
  free(sz);
  double *th = NULL;
  size_t dn[1] = {pinn_mlp_n_params(net)};
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "/model/theta", 1, dn, &th, NULL, NULL), 0);
  CU_ASSERT(th && memcmp(th, pinn_mlp_params_const(net), dn[0] * sizeof *th) == 0);
  free(th);
  pinn_model_meta m;
  CU_ASSERT_EQUAL(pinn_model_read_meta(r, NULL, &m, &e), 0);
  CU_ASSERT_STRING_EQUAL(m.problem, "heat2");
  CU_ASSERT_EQUAL(m.space_dim, 2);
  CU_ASSERT_EQUAL(m.has_time, 1);
  CU_ASSERT_EQUAL(m.has_bounds, 1);
  CU_ASSERT(m.lo[0] == -1 && m.lo[1] == 0 && m.lo[2] == 0.5);
  CU_ASSERT_STRING_EQUAL(m.inputs[2], "t");
  CU_ASSERT_STRING_EQUAL(m.outputs[1], "flux");
  /* the same network read from another group name of the same file fails clearly */
  CU_ASSERT_PTR_NULL(pinn_model_read(r, "/nothing", &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nothing"));
  pinn_h5_close(r);
  pinn_mlp_free(net);
  pinn_problem_free(pb);
  free(p);
}

static int half_xjet(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_scale(x[0], 0.5);
  return 0;
}

/* A network behind its problem's output transform is recorded as such:
 * pinn_model_load refuses the file alone, pinn_model_load_network loads the
 * bare network (bitwise) and says so in meta.problem_transform. */
static void a_network_behind_a_problem_transform_loads_only_bare(void)
{
  char *p = path_in("transformed.h5");
  pinn_problem *pb = pinn_problem_alloc("hard1", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(pb, &dom), 0);
  pinn_transform t = pinn_transform_dirichlet(0, NULL, half_xjet, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(pb, &t), 0);
  pinn_activation act[1] = {pinn_activation_default(PINN_ACT_TANH)};
  pinn_mlp *net = make_net(1, 1, 1, act, 0, 7);
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_model_save(p, net, pb, &e), 0);
  pinn_model_meta m;
  CU_ASSERT_PTR_NULL(pinn_model_load_meta(p, &m, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EUNSUPPORTED);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinn_model_load_network"));
  pinn_mlp *bare = pinn_model_load_network(p, &m, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(bare);
  CU_ASSERT_EQUAL(m.problem_transform, 1);
  CU_ASSERT_STRING_EQUAL(m.problem, "hard1");
  CU_ASSERT_EQUAL(memcmp(pinn_mlp_params_const(bare), pinn_mlp_params_const(net),
                         pinn_mlp_n_params(net) * sizeof(double)), 0);
  pinn_mlp_free(bare);
  /* a plain network reads with problem_transform 0 */
  pinn_problem *plain = pinn_problem_alloc("plain1", 1, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(plain, &dom), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_model_save(p, net, plain, &e), 0);
  bare = pinn_model_load_network(p, &m, &e);
  CU_ASSERT_PTR_NOT_NULL(bare);
  CU_ASSERT_EQUAL(m.problem_transform, 0);
  pinn_mlp_free(bare);
  pinn_problem_free(plain);
  pinn_mlp_free(net);
  pinn_problem_free(pb);
  free(p);
}

static void a_model_in_a_custom_group_of_a_bigger_file_reads_back(void)
{
  char *p = path_in("custom.h5");
  pinn_mlp *net = make_net(1, 1, 2, NULL, 0, 8);
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(p, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  double v[3] = {1, 2, 3};
  size_t d3[1] = {3};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/other/data", 1, d3, v), 0);
  CU_ASSERT_EQUAL(pinn_model_write(w, "/ckpt/net", net, NULL, &e), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);
  pinn_h5_reader *r = pinn_h5_open(p, &e);
  pinn_mlp *back = pinn_model_read(r, "/ckpt/net/", &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  CU_ASSERT(same_net(net, back));
  pinn_mlp_free(back);
  pinn_h5_close(r);
  /* pinn_model_load looks in /model only */
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/model"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, p));
  pinn_mlp_free(net);
  free(p);
}

/* ---------------------------------------------------------- bad files */

/* Run fn in a child process and return its exit status (or 100 + signal).
 * Corrupt files are probed in a child: HDF5 1.10.8 leaks internal state
 * after a metadata checksum failure (it prints "infinite loop closing
 * library" at exit), which must not trip the leak checker of this process
 * (tests/test_h5io.c does the same). */
static int in_child(int (*fn)(void))
{
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return 99;
  if (pid == 0) _exit(fn());
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 98;
  if (WIFSIGNALED(status)) return 100 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 97;
}

static int write_raw(const char *p, const unsigned char *b, size_t n)
{
  FILE *f = fopen(p, "wb");
  if (!f) return -1;
  size_t w = n ? fwrite(b, 1, n, f) : 0;
  fclose(f);
  return w == n ? 0 : -1;
}

static int probe_random(void)
{
  char *p = path_in("random.h5");
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  unsigned char buf[4096];
  int bad = 0;
  for (int trial = 0; trial < 40 && !bad; ++trial) {
    size_t n = 1 + gsl_rng_uniform_int(r, sizeof buf);
    for (size_t i = 0; i < n; ++i) buf[i] = (unsigned char)gsl_rng_uniform_int(r, 256);
    /* half of them start with the HDF5 signature to get past the first check */
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (trial % 2 && n > 8) memcpy(buf, sig, 8);
    if (write_raw(p, buf, n)) return 10;
    pinn_error e;
    pinn_error_clear(&e);
    pinn_mlp *x = pinn_model_load(p, &e);
    if (x || e.code != PINN_EFORMAT || !strstr(e.msg, p)) bad = 1;
    pinn_mlp_free(x);
  }
  gsl_rng_free(r);
  free(p);
  return bad;
}

static void missing_empty_and_random_files_give_clear_errors(void)
{
  pinn_error e;
  char *p = path_in("nope.h5");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nope.h5"));
  free(p);
  p = path_in("empty.h5");
  pinn_test_write_file(p, NULL, 0);
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "empty"));
  free(p);
  /* a directory */
  CU_ASSERT_PTR_NULL(pinn_model_load(g_dir, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  /* 40 files of random bytes: PINN_EFORMAT naming the file, every time */
  CU_ASSERT_EQUAL(in_child(probe_random), 0);
}

static unsigned char *g_good;
static size_t g_good_n, g_good_params;
static const double *g_good_theta;

/* Every truncation of a valid file: PINN_EFORMAT (or PINN_EIO), never a
 * network.  Exit status: 0 ok, 1 a truncation loaded, 2 wrong code. */
static int probe_truncations(void)
{
  char *q = path_in("trunc.h5");
  int bad = 0;
  size_t refused = 0;
  for (size_t len = 0; len < g_good_n && !bad; len += (len < 64 ? 7 : g_good_n / 40 + 1)) {
    if (write_raw(q, g_good, len)) return 10;
    pinn_error e;
    pinn_mlp *x = pinn_model_load(q, &e);
    if (x) bad = 1;
    else if (e.code != PINN_EFORMAT && e.code != PINN_EIO) bad = 2;
    else ++refused;
    pinn_mlp_free(x);
  }
  free(q);
  return bad ? bad : refused > 10 ? 0 : 3;
}

/* 300 single-byte corruptions at random places: a clear error, or the
 * saved network bit for bit (the byte was in unused space). */
static int probe_flips(void)
{
  char *q = path_in("flip.h5");
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  unsigned char *c = malloc(g_good_n);
  size_t errors = 0, loads = 0;
  int bad = 0;
  for (int trial = 0; trial < 300 && !bad; ++trial) {
    memcpy(c, g_good, g_good_n);
    size_t at = gsl_rng_uniform_int(r, g_good_n);
    c[at] ^= (unsigned char)(1 + gsl_rng_uniform_int(r, 255));
    if (write_raw(q, c, g_good_n)) return 10;
    pinn_error e;
    pinn_error_clear(&e);
    pinn_mlp *x = pinn_model_load(q, &e);
    if (x) {
      ++loads;
      /* raw data is checksummed: a network that loads is the saved one */
      if (pinn_mlp_n_params(x) != g_good_params ||
          memcmp(pinn_mlp_params_const(x), g_good_theta, g_good_params * sizeof(double)) != 0) {
        printf("\n  flip at %zu: loaded a network other than the saved one\n", at);
        bad = 1;
      }
    } else {
      ++errors;
      if ((e.code != PINN_EFORMAT && e.code != PINN_EUNSUPPORTED) || strlen(e.msg) < 10) {
        printf("\n  flip at %zu: status %d, message '%s'\n", at, e.code, e.msg);
        bad = 2;
      }
    }
    pinn_mlp_free(x);
  }
  printf("\n  300 single-byte corruptions: %zu loaded, %zu refused with a message\n", loads,
         errors);
  free(c);
  gsl_rng_free(r);
  free(q);
  return bad ? bad : errors ? 0 : 3;
}

static void truncated_and_bit_flipped_files_never_crash(void)
{
  char *p = path_in("good.h5");
  pinn_activation act[2] = {pinn_activation_default(PINN_ACT_PRELU),
                            pinn_activation_default(PINN_ACT_GELU)};
  pinn_mlp *net = make_net(2, 1, 2, act, 1, 9);
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_model_save(p, net, NULL, &e), 0);
  g_good = pinn_test_read_file(p, &g_good_n);
  g_good_params = pinn_mlp_n_params(net);
  g_good_theta = pinn_mlp_params_const(net);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g_good);
  CU_ASSERT_EQUAL(in_child(probe_truncations), 0);
  CU_ASSERT_EQUAL(in_child(probe_flips), 0);
  /* one bit of theta flipped: the checksum names the dataset */
  const unsigned char *th = (const unsigned char *)g_good_theta;
  const size_t tb = g_good_params * sizeof(double);
  long at = -1;
  for (size_t i = 0; i + tb <= g_good_n && at < 0; ++i)
    if (memcmp(g_good + i, th, tb) == 0) at = (long)i;
  CU_ASSERT_FATAL(at > 0);
  char *q = path_in("theta_flip.h5");
  g_good[at + tb / 2] ^= 0x04;
  pinn_test_write_file(q, g_good, g_good_n);
  g_good[at + tb / 2] ^= 0x04;
  pinn_mlp *x = pinn_model_load(q, &e);
  CU_ASSERT_PTR_NULL(x);
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "checksum mismatch"));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "theta"));
  pinn_mlp_free(x);
  free(q);
  free(g_good);
  pinn_mlp_free(net);
  free(p);
}

static void a_foreign_hdf5_file_says_there_is_no_network(void)
{
  char *p = path_in("foreign.h5");
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(p, &e);
  double v[2] = {1, 2};
  size_t d[1] = {2};
  pinn_h5_write_dataset(w, "/data", 1, d, v);
  pinn_h5_create_group(w, "/model");
  pinn_h5_set_attr_string(w, "/model", "format", "keras");
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a libpinn network"));
  free(p);
}

/* Write a valid model, then replace one attribute (h5io replaces). */
typedef struct {
  const char *attr;
  int kind; /* 0 int64, 1 string, 2 double array */
  int64_t iv;
  const char *sv;
  int want;          /* expected status */
  const char *words; /* expected in the message */
} attr_case;

static void inconsistent_attributes_are_refused_with_the_reason(void)
{
  static const attr_case cases[] = {
    {"n_layers", 0, 1, NULL, PINN_EFORMAT, "n_layers"},
    {"n_layers", 0, 1000000, NULL, PINN_EFORMAT, "n_layers"},
    {"n_layers", 0, 5, NULL, PINN_EFORMAT, "sizes"},
    {"n_in", 0, 9, NULL, PINN_EFORMAT, "n_in"},
    {"n_in", 0, 3, NULL, PINN_EFORMAT, "n_in"},
    {"n_out", 0, 0, NULL, PINN_EFORMAT, "n_out"},
    {"n_params", 0, 7, NULL, PINN_EFORMAT, "parameters"},
    {"n_params", 0, (int64_t)1 << 40, NULL, PINN_EFORMAT, "n_params"},
    {"prelu_per_unit", 0, 2, NULL, PINN_EFORMAT, "prelu_per_unit"},
    {"prelu_per_unit", 0, 1, NULL, PINN_EFORMAT, "parameters"},
    {"format_version", 0, PINN_MODEL_FORMAT_VERSION + 1, NULL, PINN_EUNSUPPORTED, "upgrade"},
    {"n_in", 0, 10, NULL, PINN_EFORMAT, "n_in"},
    {"periodic_period", 2, 0, NULL, PINN_EFORMAT, "only one of periodic_period"},
    {"input_map_lo", 2, 0, NULL, PINN_EFORMAT, "only one of input_map_lo"},
    {"format_version", 0, 0, NULL, PINN_EFORMAT, "format_version"},
    {"format", 1, 0, "libpinn-mlp2", PINN_EFORMAT, "not a libpinn network"},
    {"output_transform", 1, 0, "hard_dirichlet", PINN_EUNSUPPORTED, "hard_dirichlet"},
    {"activations", 1, 0, "tanh,banana", PINN_EFORMAT, "banana"},
    {"activations", 1, 0, "tanh", PINN_EFORMAT, "activations"},
    {"activations", 1, 0, "tanh,prelu,tanh", PINN_EFORMAT, "activations"},
    {"activations", 1, 0, "softplus:-1,prelu", PINN_EFORMAT, "softplus"},
    {"activations", 1, 0, "tanh,relu", PINN_EFORMAT, "parameters"},
    {"activations", 1, 0, ",prelu", PINN_EFORMAT, "empty"},
    {"inputs", 1, 0, "x", PINN_EFORMAT, "inputs"},
    {"inputs", 1, 0, "x,y z", PINN_EFORMAT, "inputs"},
    {"outputs", 1, 0, "u,v", PINN_EFORMAT, "outputs"},
    {"outputs", 1, 0, "", PINN_EFORMAT, "outputs"},
    {"has_time", 0, 1, NULL, PINN_EFORMAT, "space_dim"},
    {"input_lo", 2, 0, NULL, PINN_EFORMAT, "bounds"},
    {"n_layers", 1, 0, "three", PINN_EFORMAT, "n_layers"},
  };
  char *p = path_in("attr.h5");
  pinn_activation act[2] = {pinn_activation_default(PINN_ACT_TANH),
                            pinn_activation_default(PINN_ACT_PRELU)};
  pinn_mlp *net = make_net(2, 1, 2, act, 0, 11);
  pinn_problem *pb = pinn_problem_alloc("p", 2, 0, 1, NULL);
  pinn_domain dom;
  double lo[2] = {0, 0}, hi[2] = {1, 1};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_problem_set_domain(pb, &dom);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const attr_case *c = &cases[i];
    pinn_error e;
    pinn_h5_writer *w = pinn_h5_create(p, &e);
    CU_ASSERT_EQUAL_FATAL(pinn_model_write(w, NULL, net, pb, &e), 0);
    if (c->kind == 0) {
      CU_ASSERT_EQUAL(pinn_h5_set_attr_int64(w, "/model", c->attr, c->iv), 0);
    } else if (c->kind == 1) {
      CU_ASSERT_EQUAL(pinn_h5_set_attr_string(w, "/model", c->attr, c->sv), 0);
    } else {
      double bad[2] = {2, 0};
      CU_ASSERT_EQUAL(pinn_h5_set_attr_double_array(w, "/model", c->attr, 2, bad), 0);
    }
    CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
    pinn_error_clear(&e);
    pinn_mlp *x = pinn_model_load(p, &e);
    CU_ASSERT_PTR_NULL(x);
    pinn_mlp_free(x);
    CU_ASSERT_EQUAL(e.code, c->want);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, c->words));
    if (e.code != c->want || !strstr(e.msg, c->words))
      printf("\n  case %zu (%s): status %d, message: %s\n", i, c->attr, e.code, e.msg);
  }
  pinn_problem_free(pb);
  pinn_mlp_free(net);
  free(p);
}

/* An input map travels with the network: format_version 2 only then, the
 * same jets after loading, and a bad or inconsistent map refused. */
static void an_input_map_round_trips_and_bad_maps_are_refused(void)
{
  char *p = path_in("map.h5");
  pinn_activation act[2] = {pinn_activation_default(PINN_ACT_TANH),
                            pinn_activation_default(PINN_ACT_SIN)};
  pinn_mlp *net = make_net(2, 1, 2, act, 0, 12);
  pinn_error e;
  int64_t ver = 0;
  /* no map: version 1, readable by older libraries */
  round_trips(p, net);
  pinn_h5_reader *r = pinn_h5_open(p, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/model", "format_version", &ver), 0);
  CU_ASSERT_EQUAL(ver, 1);
  CU_ASSERT_FALSE(pinn_h5_has_attr(r, "/model", "input_map_lo"));
  pinn_h5_close(r);
  const double lo[2] = {0.0, -5.0}, hi[2] = {0.25, 5.0};
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, lo, hi), PINN_SUCCESS);
  CU_ASSERT(round_trips(p, net)); /* parameters, map and jets bitwise */
  pinn_model_meta meta;
  pinn_mlp *back = pinn_model_load_meta(p, &meta, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  CU_ASSERT_EQUAL(meta.format_version, 2);
  CU_ASSERT_EQUAL(meta.has_input_map, 1);
  CU_ASSERT_EQUAL(meta.map_hi[0], 0.25);
  pinn_mlp_free(back);
  /* a broken map: an empty interval, and a map in a file that says version 1 */
  for (int c = 0; c < 2; ++c) {
    pinn_h5_writer *w = pinn_h5_create(p, &e);
    CU_ASSERT_EQUAL_FATAL(pinn_model_write(w, NULL, net, NULL, &e), 0);
    if (c == 0) {
      const double bad[2] = {1.0, 5.0};
      CU_ASSERT_EQUAL(pinn_h5_set_attr_double_array(w, "/model", "input_map_lo", 2, bad), 0);
    } else {
      CU_ASSERT_EQUAL(pinn_h5_set_attr_int64(w, "/model", "format_version", 1), 0);
    }
    CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
    pinn_error_clear(&e);
    back = pinn_model_load(p, &e);
    CU_ASSERT_PTR_NULL(back);
    pinn_mlp_free(back);
    CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, c == 0 ? "input map of input 0" : "format_version 1"));
    if (e.code != PINN_EFORMAT) printf("\n  map case %d: %s\n", c, e.msg);
  }
  pinn_mlp_free(net);
  free(p);
}

/* A periodic embedding travels with the network: format_version 3 only
 * then, the same jets after loading, and bad embeddings refused. */
static void a_periodic_embedding_round_trips_and_bad_ones_are_refused(void)
{
  char *p = path_in("periodic.h5");
  const pinn_embedding emb = {.period = {2.0, 0.0}, .harmonics = {3, 0}};
  const size_t sizes[] = {2, 6, 5, 1};
  pinn_activation act[2] = {pinn_activation_default(PINN_ACT_TANH),
                            pinn_activation_default(PINN_ACT_SIN)};
  pinn_mlp_layout lay = {4, sizes, act, 0, &emb};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  double *th = pinn_mlp_params(net);
  for (size_t i = 0; i < pinn_mlp_n_params(net); ++i) th[i] = sin(0.37 * (double)i + 0.1);
  const double lo[2] = {-1.0, 0.0}, hi[2] = {1.0, 5.0};
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, lo, hi), PINN_SUCCESS);
  CU_ASSERT(round_trips(p, net)); /* parameters, map and jets bitwise */
  pinn_error e;
  pinn_model_meta meta;
  pinn_mlp *back = pinn_model_load_meta(p, &meta, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  CU_ASSERT_EQUAL(meta.format_version, 3);
  CU_ASSERT_EQUAL(meta.has_embedding, 1);
  CU_ASSERT(meta.embedding.period[0] == 2.0 && meta.embedding.harmonics[0] == 3);
  CU_ASSERT(meta.embedding.period[1] == 0.0 && meta.embedding.harmonics[1] == 0);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(back, 0), 7);
  pinn_embedding got;
  CU_ASSERT_EQUAL(pinn_mlp_embedding(back, &got), 1);
  CU_ASSERT_EQUAL(got.harmonics[0], 3);
  pinn_mlp_free(back);
  /* bad: harmonics not an integer, a negative period, only one attribute,
   * version 2, no periodic input */
  for (int c = 0; c < 5; ++c) {
    pinn_h5_writer *w = pinn_h5_create(p, &e);
    CU_ASSERT_EQUAL_FATAL(pinn_model_write(w, NULL, net, NULL, &e), 0);
    const double h_bad[2] = {2.5, 0.0}, p_bad[2] = {-2.0, 0.0}, zero[2] = {0.0, 0.0};
    if (c == 0) pinn_h5_set_attr_double_array(w, "/model", "periodic_harmonics", 2, h_bad);
    if (c == 1) pinn_h5_set_attr_double_array(w, "/model", "periodic_period", 2, p_bad);
    if (c == 2) pinn_h5_set_attr_string(w, "/model", "periodic_harmonics_x", "");
    if (c == 3) pinn_h5_set_attr_int64(w, "/model", "format_version", 2);
    if (c == 4) {
      pinn_h5_set_attr_double_array(w, "/model", "periodic_period", 2, zero);
      pinn_h5_set_attr_double_array(w, "/model", "periodic_harmonics", 2, zero);
    }
    CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
    pinn_error_clear(&e);
    back = pinn_model_load(p, &e);
    if (c == 2) { /* an unrelated attribute changes nothing */
      CU_ASSERT_PTR_NOT_NULL(back);
      pinn_mlp_free(back);
      continue;
    }
    CU_ASSERT_PTR_NULL(back);
    pinn_mlp_free(back);
    CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
    static const char *const want[5] = {"periodic embedding (period 2, 2.5 harmonics)",
                                        "period -2", "", "format_version 2",
                                        "no periodic input"};
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want[c]));
    if (!strstr(e.msg, want[c])) printf("\n  embedding case %d: %s\n", c, e.msg);
  }
  pinn_mlp_free(net);
  free(p);
}

/* A model written attribute by attribute (the documented layout, by hand),
 * with a chosen sizes dataset and theta. */
static void write_manual(const char *p, const int64_t *sizes, size_t L, size_t sizes_len,
                         const double *theta, size_t n_theta, int64_t n_params, const char *acts)
{
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(p, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  const char *g = "/model";
  pinn_h5_create_group(w, g);
  pinn_h5_set_attr_string(w, g, "format", "libpinn-mlp");
  pinn_h5_set_attr_int64(w, g, "format_version", 1);
  pinn_h5_set_attr_string(w, g, "libpinn_version", "0.0.0");
  pinn_h5_set_attr_int64(w, g, "n_layers", (int64_t)L);
  pinn_h5_set_attr_int64(w, g, "n_in", sizes[0]);
  pinn_h5_set_attr_int64(w, g, "n_out", sizes[L - 1]);
  pinn_h5_set_attr_int64(w, g, "n_params", n_params);
  pinn_h5_set_attr_string(w, g, "activations", acts);
  pinn_h5_set_attr_int64(w, g, "prelu_per_unit", 0);
  pinn_h5_set_attr_string(w, g, "inputs", "x");
  pinn_h5_set_attr_string(w, g, "outputs", "u");
  pinn_h5_set_attr_string(w, g, "problem", "");
  pinn_h5_set_attr_int64(w, g, "space_dim", 0);
  pinn_h5_set_attr_int64(w, g, "has_time", 0);
  size_t d[1] = {sizes_len};
  pinn_h5_write_dataset_int64(w, "/model/sizes", 1, d, sizes);
  size_t dt[1] = {n_theta};
  pinn_h5_write_dataset(w, "/model/theta", 1, dt, theta);
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
}

static void bad_sizes_and_theta_datasets_are_refused(void)
{
  char *p = path_in("manual.h5");
  pinn_error e;
  /* [1, 3, 1] tanh: 3 + 3 + 3 + 1 = 10 parameters */
  int64_t sizes[3] = {1, 3, 1};
  double theta[12];
  for (int i = 0; i < 12; ++i) theta[i] = 0.1 * i;
  write_manual(p, sizes, 3, 3, theta, 10, 10, "tanh");
  pinn_mlp *net = pinn_model_load(p, &e);
  CU_ASSERT_PTR_NOT_NULL(net); /* the hand-written file is valid */
  if (net) CU_ASSERT(memcmp(pinn_mlp_params_const(net), theta, 10 * sizeof(double)) == 0);
  pinn_mlp_free(net);

  write_manual(p, sizes, 3, 3, theta, 12, 10, "tanh");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "12 values"));

  write_manual(p, sizes, 3, 2, theta, 10, 10, "tanh");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "sizes"));

  int64_t wide[3] = {1, 5000, 1};
  write_manual(p, wide, 3, 3, theta, 10, 10, "tanh");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "width 5000"));

  int64_t neg[3] = {1, -3, 1};
  write_manual(p, neg, 3, 3, theta, 10, 10, "tanh");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "width -3"));

  theta[4] = NAN;
  write_manual(p, sizes, 3, 3, theta, 10, 10, "tanh");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "parameter 4"));
  theta[4] = INFINITY;
  write_manual(p, sizes, 3, 3, theta, 10, 10, "tanh");
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not finite"));

  /* theta stored as a string: refused, not misread */
  pinn_h5_writer *w = pinn_h5_create(p, &e);
  pinn_mlp *good = make_net(1, 1, 1, NULL, 0, 1);
  pinn_model_write(w, "/m2", good, NULL, &e);
  pinn_h5_create_group(w, "/model");
  pinn_h5_write_string(w, "/model/theta", "0.1 0.2");
  CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
  CU_ASSERT_PTR_NULL(pinn_model_load(p, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  pinn_mlp_free(good);
  free(p);
}

static void arguments_are_checked(void)
{
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_model_write(NULL, NULL, NULL, NULL, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_model_save(NULL, NULL, NULL, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NULL(pinn_model_read(NULL, NULL, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  CU_ASSERT_PTR_NULL(pinn_model_load(NULL, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  pinn_mlp *net = make_net(1, 1, 1, NULL, 0, 1);
  CU_ASSERT_EQUAL(pinn_model_save("/nonexistent-dir/x.h5", net, NULL, &e), PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nonexistent-dir"));
  pinn_mlp_free(net);
}

/* Fourier features travel with the network: format_version 4 only then
 * (a periodic embedding alone keeps 3), B bit for bit (and the seed, the
 * largest too), the same jets after loading; bad ones refused with the
 * reason. */
static void fourier_features_round_trip_and_bad_ones_are_refused(void)
{
  char *p = path_in("fourier.h5");
  pinn_embedding *emb = calloc(1, sizeof *emb);
  emb->period[1] = 3.0;
  emb->harmonics[1] = 2;
  const pinn_fourier f = {.m = 5, .sigma = 1.5, .seed = 18446744073709551557UL, .axis = {3, 0}};
  pinn_error e;
  CU_ASSERT_EQUAL_FATAL(pinn_embedding_set_fourier(emb, 2, &f, &e), PINN_SUCCESS);
  const size_t sizes[] = {2, 6, 5, 1};
  pinn_mlp_layout lay = {4, sizes, NULL, 0, emb};
  pinn_mlp *net = pinn_mlp_alloc(&lay, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(net, 0), 7 + 4 + 10);
  double *th = pinn_mlp_params(net);
  for (size_t i = 0; i < pinn_mlp_n_params(net); ++i) th[i] = 0.3 * sin(0.37 * (double)i + 0.1);
  const double lo[2] = {-1.0, 0.0}, hi[2] = {3.0, 5.0};
  CU_ASSERT_EQUAL_FATAL(pinn_mlp_set_input_map(net, lo, hi), PINN_SUCCESS);
  CU_ASSERT(round_trips(p, net)); /* parameters, map, embedding and jets bitwise */
  pinn_model_meta *meta = malloc(sizeof *meta);
  pinn_mlp *back = pinn_model_load_meta(p, meta, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(back);
  CU_ASSERT_EQUAL(meta->format_version, 4);
  CU_ASSERT_EQUAL(meta->has_embedding, 1);
  CU_ASSERT(meta->embedding.fourier.m == 5 && meta->embedding.fourier.sigma == 1.5 &&
            meta->embedding.fourier.seed == 18446744073709551557UL &&
            meta->embedding.fourier.axis[0] == 3 && meta->embedding.harmonics[1] == 2);
  CU_ASSERT(pinn_embedding_equal(&meta->embedding, emb, 2));
  pinn_mlp_free(back);
  /* bad: B not finite, fourier_m against B's rows, version 3, a fractional
   * or a periodic input's frequency count, sigma 0, only some attributes */
  static const char *const want[7] = {"B[2][0] = nan", "fourier_B", "format_version 3",
                                      "(1.5 frequencies)", "none to a periodic input",
                                      "sigma = 0", "only some of fourier_axis"};
  for (int c = 0; c < 7; ++c) {
    pinn_h5_writer *w = pinn_h5_create(p, &e);
    CU_ASSERT_EQUAL_FATAL(pinn_model_write(w, NULL, net, NULL, &e), 0);
    const double frac[2] = {1.5, 0.0}, per[2] = {3.0, 1.0};
    if (c == 1) pinn_h5_set_attr_int64(w, "/model", "fourier_m", 4);
    if (c == 2) pinn_h5_set_attr_int64(w, "/model", "format_version", 3);
    if (c == 3) pinn_h5_set_attr_double_array(w, "/model", "fourier_axis", 2, frac);
    if (c == 4) pinn_h5_set_attr_double_array(w, "/model", "fourier_axis", 2, per);
    if (c == 5) pinn_h5_set_attr_double(w, "/model", "fourier_sigma", 0.0);
    CU_ASSERT_EQUAL_FATAL(pinn_h5_commit(w, &e), 0);
    if (c == 0 || c == 6) { /* by hand: a NaN in B; the seed deleted */
      hid_t fh = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
      if (c == 0) {
        hid_t d = H5Dopen2(fh, "/model/fourier_B", H5P_DEFAULT);
        double buf[10];
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        buf[4] = NAN; /* row 2, column 0 */
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        H5Dclose(d);
      } else {
        H5Adelete_by_name(fh, "/model", "fourier_seed", H5P_DEFAULT);
      }
      H5Fclose(fh);
    }
    pinn_error_clear(&e);
    back = pinn_model_load(p, &e);
    CU_ASSERT_PTR_NULL(back);
    pinn_mlp_free(back);
    CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want[c]));
    if (!strstr(e.msg, want[c]) || e.code != PINN_EFORMAT)
      printf("\n  Fourier case %d: %d %s\n", c, e.code, e.msg);
  }
  /* a periodic embedding alone is still written as version 3 */
  pinn_embedding *per = calloc(1, sizeof *per);
  per->period[0] = 2.0;
  per->harmonics[0] = 1;
  lay.embed = per;
  pinn_mlp *pnet = pinn_mlp_alloc(&lay, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(pnet);
  CU_ASSERT_EQUAL(pinn_model_save(p, pnet, NULL, &e), 0);
  back = pinn_model_load_meta(p, meta, &e);
  CU_ASSERT_PTR_NOT_NULL(back);
  CU_ASSERT_EQUAL(meta->format_version, 3);
  pinn_mlp_free(back);
  pinn_mlp_free(pnet);
  free(per);
  free(meta);
  free(emb);
  pinn_mlp_free(net);
  free(p);
}

int main(void)
{
  g_dir = pinn_test_tmpdir("model");
  static const pinn_test_case cases[] = {
    {"an_input_map_round_trips_and_bad_maps_are_refused",
     an_input_map_round_trips_and_bad_maps_are_refused},
    {"a_periodic_embedding_round_trips_and_bad_ones_are_refused",
     a_periodic_embedding_round_trips_and_bad_ones_are_refused},
    {"fourier_features_round_trip_and_bad_ones_are_refused",
     fourier_features_round_trip_and_bad_ones_are_refused},
    {"every_activation_round_trips_bitwise_in_params_and_jets",
     every_activation_round_trips_bitwise_in_params_and_jets},
    {"mixed_activations_and_a_linear_model_round_trip",
     mixed_activations_and_a_linear_model_round_trip},
    {"layout_on_disk_is_the_documented_one", layout_on_disk_is_the_documented_one},
      {"a_network_behind_a_problem_transform_loads_only_bare",
       a_network_behind_a_problem_transform_loads_only_bare},
    {"a_model_in_a_custom_group_of_a_bigger_file_reads_back",
     a_model_in_a_custom_group_of_a_bigger_file_reads_back},
    {"missing_empty_and_random_files_give_clear_errors",
     missing_empty_and_random_files_give_clear_errors},
    {"truncated_and_bit_flipped_files_never_crash", truncated_and_bit_flipped_files_never_crash},
    {"a_foreign_hdf5_file_says_there_is_no_network", a_foreign_hdf5_file_says_there_is_no_network},
    {"inconsistent_attributes_are_refused_with_the_reason",
     inconsistent_attributes_are_refused_with_the_reason},
    {"bad_sizes_and_theta_datasets_are_refused", bad_sizes_and_theta_datasets_are_refused},
    {"arguments_are_checked", arguments_are_checked},
    {NULL, NULL}};
  if (pinn_test_add_suite("model", cases)) return 1;
  int rc = pinn_test_run_all();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  if (system(cmd) != 0) rc = rc ? rc : 1;
  free(g_dir);
  return rc;
}
