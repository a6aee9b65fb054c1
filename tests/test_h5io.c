/* Tests for the HDF5 layer: bitwise round trips, atomic commit/abort, and
 * clear errors (never crashes) for missing, foreign, truncated, corrupt or
 * mismatched files. */
#define _XOPEN_SOURCE 700
#include <pinn/h5io.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "testutil.h"

/* ------------------------------------------------------------ helpers */

/* A test's temporary folder and the path of its main file in it. */
typedef struct scratch {
  char *dir, *path;
} scratch;

static scratch scratch_open(const char *tag, const char *name)
{
  scratch t;
  t.dir = pinn_test_tmpdir(tag);
  t.path = pinn_test_join(t.dir, name);
  return t;
}

/* Remove the folder with everything in it and free the names. */
static void scratch_close(scratch *t)
{
  pinn_test_rmtree(t->dir);
  free(t->path);
  free(t->dir);
}

static int exists(const char *p)
{
  struct stat sb;
  return stat(p, &sb) == 0;
}

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* A writer for path (which must start). */
static pinn_h5_writer *create_ok(const char *path)
{
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  return w;
}

/* A small valid file with one dataset "/u" [3][4] and attribute. */
static void write_small(const char *path, double offset)
{
  pinn_error e;
  pinn_h5_writer *w = create_ok(path);
  double u[12];
  for (int i = 0; i < 12; ++i) u[i] = offset + i * 0.5;
  size_t dims[2] = {3, 4};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "u", 2, dims, u), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_string(w, "/", "format", "libpinn-test"), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);
}

/* A scratch folder with out.h5 written by write_small, and that file's bytes:
 * the old file a failed write must leave as it was. */
typedef struct kept {
  scratch t;
  unsigned char *bytes;
  size_t n;
} kept;

static kept keep_old(const char *tag, double offset)
{
  kept k;
  k.t = scratch_open(tag, "out.h5");
  write_small(k.t.path, offset);
  k.bytes = pinn_test_read_file(k.t.path, &k.n);
  return k;
}

/* Assert that the old file is unchanged and alone in its folder. */
static void assert_kept(const kept *k)
{
  size_t n;
  unsigned char *now = pinn_test_read_file(k->t.path, &n);
  CU_ASSERT(now && n == k->n && memcmp(now, k->bytes, n) == 0);
  CU_ASSERT_EQUAL(pinn_test_count_entries(k->t.dir), 1);
  free(now);
}

/* ------------------------------------------------------------ writing */

static void datasets_of_rank_0_to_4_and_attributes_read_back_bitwise(void)
{
  scratch t = scratch_open("h5rt", "rt.h5");
  pinn_error e;
  pinn_h5_writer *w = create_ok(t.path);

  /* Tricky values: signed zero, subnormal, extremes, NaN with payload. */
  double special[8] = {-0.0, 4.9e-324, 1.7976931348623157e308, -M_PI, 1.0 / 3.0, INFINITY, 0, 0};
  uint64_t nanbits = 0x7ff8000000001234ULL;
  memcpy(&special[6], &nanbits, 8);
  special[7] = -1e-310;
  size_t d1[1] = {8};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "r1", 1, d1, special), 0);

  double scalar = 2.5;
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "r0", 0, NULL, &scalar), 0);

  size_t d2[2] = {3, 5}, d3[3] = {2, 3, 4}, d4[4] = {2, 1, 3, 2};
  double a2[15], a3[24], a4[12];
  for (int i = 0; i < 15; ++i) a2[i] = sin(i + 0.1);
  for (int i = 0; i < 24; ++i) a3[i] = exp(-i * 0.37) * (i % 2 ? -1 : 1);
  for (int i = 0; i < 12; ++i) a4[i] = 1.0 / (i + 1.0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "model/layers/r2", 2, d2, a2), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/model/r3", 3, d3, a3), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "a/b/c/d/r4", 4, d4, a4), 0);
  size_t dz[2] = {0, 3};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "empty", 2, dz, NULL), 0);

  int64_t iv[5] = {INT64_MIN, -1, 0, 42, INT64_MAX};
  size_t di[1] = {5};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset_int64(w, "sizes", 1, di, iv), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_string(w, "meta/config", "activation = tanh\nwidth = 20\n"), 0);
  CU_ASSERT_EQUAL(pinn_h5_create_group(w, "meta/empty_group"), 0);
  CU_ASSERT_EQUAL(pinn_h5_create_group(w, "meta/empty_group"), 0); /* idempotent */

  double arr[3] = {0.1, -0.2, 1e-300};
  CU_ASSERT_EQUAL(pinn_h5_set_attr_string(w, "/", "format", "libpinn"), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_string(w, "/", "format", "libpinn-solution"), 0); /* replace */
  CU_ASSERT_EQUAL(pinn_h5_set_attr_int64(w, "/", "version", INT64_MIN + 7), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double(w, "model", "nu", 0.01 / M_PI), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double_array(w, "model/layers/r2", "scale", 3, arr), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_string(w, "meta/empty_group", "note", ""), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);

  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double *got = NULL;
  size_t dims[PINN_H5_MAX_RANK];
  int rank = -7;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "r1", 1, d1, &got, dims, &rank), 0);
  CU_ASSERT_EQUAL(rank, 1);
  CU_ASSERT_EQUAL(dims[0], 8);
  CU_ASSERT_EQUAL(memcmp(got, special, sizeof special), 0);
  free(got);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "r0", 0, NULL, &got, dims, &rank), 0);
  CU_ASSERT_EQUAL(rank, 0);
  CU_ASSERT_EQUAL(got[0], 2.5);
  free(got);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "/model/layers/r2", 2, d2, &got, dims, &rank), 0);
  CU_ASSERT_EQUAL(memcmp(got, a2, sizeof a2), 0);
  free(got);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "model/r3", -1, NULL, &got, dims, &rank), 0);
  CU_ASSERT_EQUAL(rank, 3);
  CU_ASSERT(dims[0] == 2 && dims[1] == 3 && dims[2] == 4);
  CU_ASSERT_EQUAL(memcmp(got, a3, sizeof a3), 0);
  free(got);
  size_t want4[4] = {2, PINN_H5_ANY, 3, PINN_H5_ANY};
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "a/b/c/d/r4", 4, want4, &got, dims, &rank), 0);
  CU_ASSERT(dims[0] == 2 && dims[1] == 1 && dims[2] == 3 && dims[3] == 2);
  CU_ASSERT_EQUAL(memcmp(got, a4, sizeof a4), 0);
  free(got);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "empty", 2, dz, &got, dims, &rank), 0);
  CU_ASSERT_PTR_NOT_NULL(got);
  CU_ASSERT(dims[0] == 0 && dims[1] == 3);
  free(got);

  int64_t *ig = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "sizes", 1, di, &ig, NULL, NULL), 0);
  CU_ASSERT_EQUAL(memcmp(ig, iv, sizeof iv), 0);
  free(ig);
  char *text = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_string(r, "meta/config", &text), 0);
  CU_ASSERT_STRING_EQUAL(text, "activation = tanh\nwidth = 20\n");
  free(text);

  pinn_test_assert_attr_string(r, "/", "format", "libpinn-solution");
  pinn_test_assert_attr_string(r, "meta/empty_group", "note", "");
  int64_t ver = 0;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/", "version", &ver), 0);
  CU_ASSERT_EQUAL(ver, INT64_MIN + 7);
  double nu = 0;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/model", "nu", &nu), 0);
  CU_ASSERT_EQUAL(memcmp(&nu, &(double){0.01 / M_PI}, 8), 0);
  size_t len = 0;
  CU_ASSERT_EQUAL(pinn_h5_attr_length(r, "model/layers/r2", "scale", &len), 0);
  CU_ASSERT_EQUAL(len, 3);
  double arr2[3];
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double_array(r, "model/layers/r2", "scale", 3, arr2), 0);
  CU_ASSERT_EQUAL(memcmp(arr, arr2, sizeof arr), 0);

  CU_ASSERT_EQUAL(pinn_h5_has(r, "model/layers"), 1);
  CU_ASSERT_EQUAL(pinn_h5_has(r, "/a/b/c/d/r4"), 1);
  CU_ASSERT_EQUAL(pinn_h5_has(r, "a/x/y"), 0);
  CU_ASSERT_EQUAL(pinn_h5_has(r, ""), 0);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "/", "version"), 1);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "/", "nope"), 0);
  CU_ASSERT_EQUAL(pinn_h5_has_attr(r, "no/such", "version"), 0);
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "a/b/c/d/r4", &rank, dims), 0);
  CU_ASSERT(rank == 4 && dims[3] == 2);
  pinn_h5_close(r);
  pinn_h5_close(NULL);
  pinn_h5_abort(NULL);
  CU_ASSERT_EQUAL(pinn_test_count_entries(t.dir), 1); /* only rt.h5: no temporary left */
  scratch_close(&t);
}

static void temp_file_lives_next_to_target_until_commit_renames_it(void)
{
  scratch t = scratch_open("h5tmp", "out.h5");
  pinn_error e;
  pinn_h5_writer *w = create_ok(t.path);
  const char *tmp = pinn_h5_writer_temp_path(w);
  char prefix[4096];
  snprintf(prefix, sizeof prefix, "%s.tmp.%ld.", t.path, (long)getpid());
  CU_ASSERT_EQUAL(strncmp(tmp, prefix, strlen(prefix)), 0);
  CU_ASSERT(exists(tmp));
  CU_ASSERT(!exists(t.path));
  char *tmpcopy = strdup(tmp);
  /* A second writer on the same target gets a different temporary name. */
  pinn_h5_writer *w2 = create_ok(t.path);
  CU_ASSERT_STRING_NOT_EQUAL(pinn_h5_writer_temp_path(w2), tmpcopy);
  CU_ASSERT_EQUAL(pinn_test_count_entries(t.dir), 2);
  pinn_h5_abort(w2);
  double v = 1.0;
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "v", 0, NULL, &v), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);
  CU_ASSERT_EQUAL(e.code, 0);
  CU_ASSERT(!exists(tmpcopy));
  CU_ASSERT(exists(t.path));
  CU_ASSERT_EQUAL(pinn_test_count_entries(t.dir), 1);
  free(tmpcopy);
  scratch_close(&t);
}

static void abort_deletes_the_temp_file_and_creates_nothing(void)
{
  scratch t = scratch_open("h5abort", "out.h5");
  pinn_h5_writer *w = create_ok(t.path);
  char *tmp = strdup(pinn_h5_writer_temp_path(w));
  size_t d[1] = {1000};
  double *big = calloc(1000, sizeof *big);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "big", 1, d, big), 0);
  CU_ASSERT(exists(tmp));
  pinn_h5_abort(w);
  CU_ASSERT(!exists(tmp));
  CU_ASSERT(!exists(t.path));
  CU_ASSERT_EQUAL(pinn_test_count_entries(t.dir), 0);
  free(big);
  free(tmp);
  scratch_close(&t);
}

static void unwritable_directory_gives_eio_naming_the_path_and_leaves_nothing(void)
{
  char *dir = pinn_test_tmpdir("h5unw");
  char *missing = pinn_test_join(dir, "no/such/dir/out.h5");
  pinn_error e;
  pinn_error_clear(&e);
  pinn_h5_writer *w = pinn_h5_create(missing, &e);
  CU_ASSERT_PTR_NULL(w);
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT(contains(e.msg, missing));
  CU_ASSERT(contains(e.msg, "No such file or directory"));

  /* Parent is a regular file. */
  char *file = pinn_test_join(dir, "plain");
  pinn_test_write_file(file, "x", 1);
  char *under = pinn_test_join(file, "out.h5");
  pinn_error_clear(&e);
  CU_ASSERT_PTR_NULL(pinn_h5_create(under, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT(contains(e.msg, under));

  /* Read-only directory (only meaningful when not running as root). */
  char *ro = pinn_test_join(dir, "ro");
  mkdir(ro, 0555);
  char *inro = pinn_test_join(ro, "out.h5");
  if (geteuid() != 0) {
    pinn_error_clear(&e);
    CU_ASSERT_PTR_NULL(pinn_h5_create(inro, &e));
    CU_ASSERT_EQUAL(e.code, PINN_EIO);
    CU_ASSERT(contains(e.msg, inro));
  }
  CU_ASSERT_EQUAL(pinn_test_count_entries(ro), 0);
  chmod(ro, 0755);
  CU_ASSERT_EQUAL(pinn_test_count_entries(dir), 2); /* plain + ro, nothing else */
  pinn_error_clear(&e);
  CU_ASSERT_PTR_NULL(pinn_h5_create("", &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  pinn_test_rmtree(dir);
  free(missing);
  free(file);
  free(under);
  free(ro);
  free(inro);
  free(dir);
}

static void any_writer_failure_makes_commit_fail_and_keeps_the_old_file(void)
{
  kept o = keep_old("h5sticky", 100.0);

  pinn_error e;
  pinn_h5_writer *w = create_ok(o.t.path);
  double v[2] = {1, 2};
  size_t d[1] = {2};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "u", 1, d, v), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "u", 1, d, v), PINN_EINVAL);
  CU_ASSERT(contains(pinn_h5_writer_errmsg(w), "'u'"));
  CU_ASSERT(contains(pinn_h5_writer_errmsg(w), "already exists"));
  /* Later calls keep failing with the first status and message. */
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "w", 1, d, v), PINN_EINVAL);
  CU_ASSERT(contains(pinn_h5_writer_errmsg(w), "already exists"));
  char *tmp = strdup(pinn_h5_writer_temp_path(w));
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), PINN_EINVAL);
  CU_ASSERT(contains(e.msg, "already exists"));
  CU_ASSERT(!exists(tmp));
  assert_kept(&o);

  /* Other argument errors are failures too. */
  w = pinn_h5_create(o.t.path, &e);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double(w, "no/such/object", "x", 1.0), PINN_EINVAL);
  CU_ASSERT(contains(pinn_h5_writer_errmsg(w), "no/such/object"));
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), PINN_EINVAL);
  w = pinn_h5_create(o.t.path, &e);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "r9", 9, (size_t[9]){1, 1, 1, 1, 1, 1, 1, 1, 1}, v),
                  PINN_EINVAL);
  pinn_h5_abort(w);
  w = pinn_h5_create(o.t.path, &e);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "x", 1, d, NULL), PINN_EINVAL);
  pinn_h5_abort(w);
  w = pinn_h5_create(o.t.path, &e);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "u", 1, d, v), 0);
  CU_ASSERT_EQUAL(pinn_h5_create_group(w, "u"), PINN_EINVAL); /* a dataset has that name */
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), PINN_EINVAL);
  w = pinn_h5_create(o.t.path, &e);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "u", 1, d, v), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "u/below", 1, d, v), PINN_EIO); /* parent is data */
  CU_ASSERT(contains(pinn_h5_writer_errmsg(w), "u/below"));
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), PINN_EIO);
  CU_ASSERT_EQUAL(pinn_h5_commit(NULL, &e), PINN_EINVAL);
  assert_kept(&o);
  free(o.bytes);
  free(tmp);
  scratch_close(&o.t);
}

static void commit_replaces_an_existing_file(void)
{
  scratch t = scratch_open("h5repl", "out.h5");
  write_small(t.path, 1.0);
  write_small(t.path, 7.0);
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double *u = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "u", 2, (size_t[2]){3, 4}, &u, NULL, NULL), 0);
  CU_ASSERT_EQUAL(u[0], 7.0);
  CU_ASSERT_EQUAL(u[11], 7.0 + 5.5);
  free(u);
  pinn_h5_close(r);
  CU_ASSERT_EQUAL(pinn_test_count_entries(t.dir), 1);
  scratch_close(&t);
}

/* Under a file-size limit of `limit` bytes (SIGXFSZ ignored, so writes past
 * it fail with EFBIG as a full disk fails with ENOSPC), write n doubles to
 * path and commit; returns the commit status, message in *e. */
static int commit_under_limit(const char *path, rlim_t limit, size_t n, pinn_error *e)
{
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
  lim = old;
  lim.rlim_cur = limit;
  setrlimit(RLIMIT_FSIZE, &lim);
  double *big = malloc(n * sizeof *big);
  for (size_t i = 0; i < n; ++i) big[i] = (double)i;
  int st = -1;
  pinn_h5_writer *w = pinn_h5_create(path, e);
  if (w) {
    CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "big", 1, &n, big), 0);
    st = pinn_h5_commit(w, e);
  }
  free(big);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, oldsig);
  return st;
}

static void full_disk_gives_eio_naming_the_path_and_keeps_the_old_file(void)
{
  kept o = keep_old("h5full", 3.0);
  pinn_error e;
  pinn_error_clear(&e);
  CU_ASSERT_EQUAL(commit_under_limit(o.t.path, 64 * 1024, 200000, &e), PINN_EIO);
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT(contains(e.msg, o.t.path));
  CU_ASSERT(contains(e.msg, "File too large"));
  assert_kept(&o);
  /* The same data fits without the limit. */
  CU_ASSERT_EQUAL(commit_under_limit(o.t.path, RLIM_INFINITY, 200000, &e), 0);
  pinn_h5_reader *r = pinn_h5_open(o.t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double *u = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "big", 1, (size_t[1]){200000}, &u, NULL, NULL), 0);
  CU_ASSERT(u && u[199999] == 199999.0);
  free(u);
  pinn_h5_close(r);
  free(o.bytes);
  scratch_close(&o.t);
}

static void process_exits_cleanly_after_a_full_disk_failure(void)
{
  /* HDF5 closes leftover files at exit; a file left half-closed by a failed
   * flush used to crash there.  Run the failure in a child that exits
   * normally with the limit still in force. */
  scratch t = scratch_open("h5exit", "out.h5");
  fflush(NULL);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim;
    getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = 16 * 1024;
    setrlimit(RLIMIT_FSIZE, &lim);
    pinn_error e;
    pinn_h5_writer *w = pinn_h5_create(t.path, &e);
    size_t n = 100000;
    double *big = calloc(n, sizeof *big);
    int ok = w && pinn_h5_write_dataset(w, "big", 1, &n, big) == 0 &&
             pinn_h5_commit(w, &e) == PINN_EIO;
    free(big);
    exit(ok ? 0 : 3);
  }
  int status = 0;
  CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
  CU_ASSERT(WIFEXITED(status));
  CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
  CU_ASSERT_EQUAL(pinn_test_count_entries(t.dir), 0);
  scratch_close(&t);
}

/* ------------------------------------------------------------ reading */

static void missing_file_gives_eio_naming_it(void)
{
  scratch t = scratch_open("h5miss", "absent.h5");
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_h5_open(t.path, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT(contains(e.msg, t.path));
  CU_ASSERT(contains(e.msg, "No such file"));
  CU_ASSERT_PTR_NULL(pinn_h5_open(t.dir, &e)); /* a directory */
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT(contains(e.msg, "not a regular file"));
  CU_ASSERT_PTR_NULL(pinn_h5_open(NULL, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  scratch_close(&t);
}

static void random_bytes_and_empty_files_are_not_hdf5(void)
{
  scratch t = scratch_open("h5rand", "noise.h5");
  unsigned char buf[4096];
  unsigned s = 12345;
  for (size_t i = 0; i < sizeof buf; ++i) {
    s = s * 1103515245u + 12345u;
    buf[i] = (unsigned char)(s >> 16);
  }
  pinn_test_write_file(t.path, buf, sizeof buf);
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_h5_open(t.path, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT(contains(e.msg, t.path));
  CU_ASSERT(contains(e.msg, "not an HDF5 file"));
  pinn_test_write_file(t.path, buf, 0);
  CU_ASSERT_PTR_NULL(pinn_h5_open(t.path, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT(contains(e.msg, "empty"));
  scratch_close(&t);
}

static void truncated_file_gives_eformat_naming_it(void)
{
  char *dir = pinn_test_tmpdir("h5trunc");
  char *good = pinn_test_join(dir, "good.h5");
  char *bad = pinn_test_join(dir, "half.h5");
  write_small(good, 0.0);
  size_t n;
  unsigned char *b = pinn_test_read_file(good, &n);
  CU_ASSERT_FATAL(n > 100);
  pinn_test_write_file(bad, b, n / 2);
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_h5_open(bad, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT(contains(e.msg, bad));
  CU_ASSERT(contains(e.msg, "truncated"));
  /* Every shorter prefix fails cleanly too. */
  for (size_t k = 1; k < n; k += 97) {
    pinn_test_write_file(bad, b, k);
    pinn_h5_reader *r = pinn_h5_open(bad, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT(e.code == PINN_EFORMAT);
    pinn_h5_close(r);
  }
  free(b);
  pinn_test_rmtree(dir);
  free(good);
  free(bad);
  free(dir);
}

/* Child of the corruption test: 0 when every outcome was clean, else a code. */
static int probe_corruptions(const char *good, const char *bad)
{
  size_t n;
  unsigned char *b = pinn_test_read_file(good, &n);
  unsigned char *c = malloc(n);
  int errors = 0, reads = 0, bad_outcome = 0;
  for (size_t off = 0; off + 16 <= n; off += 16) {
    memcpy(c, b, n);
    for (int i = 0; i < 16; ++i) c[off + i] ^= 0xA5;
    FILE *f = fopen(bad, "wb");
    if (!f || fwrite(c, 1, n, f) != n) return 10;
    fclose(f);
    pinn_error e;
    pinn_h5_reader *r = pinn_h5_open(bad, &e);
    if (!r) {
      if (e.code != PINN_EFORMAT || !contains(e.msg, bad)) bad_outcome = 1;
      ++errors;
      continue;
    }
    double *u = NULL;
    int st = pinn_h5_read_dataset(r, "u", 2, (size_t[2]){3, 4}, &u, NULL, NULL);
    if (st && (u != NULL || !contains(pinn_h5_reader_errmsg(r), bad))) bad_outcome = 1;
    for (int i = 0; !st && i < 12; ++i) /* read: then intact (raw data has a checksum) */
      if (u[i] != i * 0.5) bad_outcome = 4;
    char *s = NULL;
    int st2 = pinn_h5_get_attr_string(r, "/", "format", &s);
    if (st2 && (s != NULL || !contains(pinn_h5_reader_errmsg(r), bad))) bad_outcome = 1;
    if (st || st2)
      ++errors;
    else
      ++reads;
    free(u);
    free(s);
    pinn_h5_close(r);
  }
  free(b);
  free(c);
  return bad_outcome ? 1 : errors == 0 ? 2 : reads == 0 ? 3 : 0;
}

static void corrupted_bytes_give_an_error_or_intact_data_never_a_crash(void)
{
  /* Flip each 16-byte block of a valid file in turn; every outcome must be a
   * clean PINN_EFORMAT naming the file or a successful read of the intact
   * data (metadata and raw data both carry checksums).  Runs in a child: HDF5 1.10.8 leaks internal state after a
   * metadata checksum failure (it reports "infinite loop closing library"
   * at exit), which must not fail the leak checker of this process. */
  char *dir = pinn_test_tmpdir("h5corrupt");
  char *good = pinn_test_join(dir, "good.h5");
  char *bad = pinn_test_join(dir, "bad.h5");
  write_small(good, 0.0);
  fflush(NULL);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) _exit(probe_corruptions(good, bad));
  int status = 0;
  CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
  CU_ASSERT(WIFEXITED(status)); /* no crash */
  CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
  pinn_test_rmtree(dir);
  free(good);
  free(bad);
  free(dir);
}

static void missing_or_mismatched_objects_give_eformat_naming_the_object(void)
{
  scratch t = scratch_open("h5mism", "m.h5");
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(t.path, &e);
  double v[6] = {1, 2, 3, 4, 5, 6};
  size_t d[2] = {2, 3};
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "net/W0", 2, d, v), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_string(w, "net/name", "mlp"), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double_array(w, "net/W0", "range", 2, v), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_string(w, "net", "act", "tanh"), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);

  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double *out = (double *)1;
  size_t dims[PINN_H5_MAX_RANK];
  int rank;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "net/W1", -1, NULL, &out, dims, &rank), PINN_EFORMAT);
  CU_ASSERT_PTR_NULL(out);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "net/W1"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), t.path));
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "net", -1, NULL, &out, dims, &rank), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "is a group"));
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "net/W0", 1, NULL, &out, dims, &rank), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "rank 2"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "net/W0"));
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "net/W0", 2, (size_t[2]){3, 2}, &out, dims, &rank),
                  PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "[2 x 3]"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "expected [3 x 2]"));
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "net/W0", 2, (size_t[2]){PINN_H5_ANY, 4}, &out, dims,
                                       &rank),
                  PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "expected [* x 4]"));
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "net/name", -1, NULL, &out, dims, &rank), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "string"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "net/name"));
  int64_t *iv = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "net/W0", -1, NULL, &iv, NULL, NULL),
                  PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "floating-point"));
  CU_ASSERT_PTR_NULL(iv);
  char *s = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_string(r, "net/W0", &s), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "not a string"));
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "nothing", &rank, dims), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "nothing"));

  /* Attributes. */
  double val;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "net/W0", "scale", &val), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "scale"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "net/W0"));
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "net/W0", "range", &val), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "has 2 values, expected 1"));
  double three[3];
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double_array(r, "net/W0", "range", 3, three), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "expected 3"));
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "net", "act", &val), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "act"));
  CU_ASSERT_EQUAL(pinn_h5_get_attr_string(r, "net/W0", "range", &s), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "not a string"));
  CU_ASSERT_EQUAL(pinn_h5_get_attr_string(r, "ghost", "act", &s), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "ghost"));
  CU_ASSERT_PTR_NULL(s);
  pinn_h5_close(r);
  scratch_close(&t);
}

/* A file written directly with HDF5, as another program would. */
static void write_foreign(const char *path)
{
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hsize_t huge[2] = {70000, 70000}; /* 4.9e9 elements, never allocated */
  hid_t s = H5Screate_simple(2, huge, NULL);
  hid_t d = H5Dcreate2(f, "huge", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(d);
  H5Sclose(s);
  hsize_t n4[1] = {4};
  int32_t i32[4] = {-3, 0, 7, 2147483647};
  s = H5Screate_simple(1, n4, NULL);
  d = H5Dcreate2(f, "i32", H5T_STD_I32BE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, i32);
  H5Dclose(d);
  uint64_t u64[4] = {1, 2, 3, 18446744073709551615ULL};
  d = H5Dcreate2(f, "u64", H5T_STD_U64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, u64);
  H5Dclose(d);
  float f32[4] = {0.5f, -1.25f, 3.0f, 1e30f};
  d = H5Dcreate2(f, "f32", H5T_IEEE_F32BE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, f32);
  H5Dclose(d);
  H5Sclose(s);
  /* Variable-length and space-padded string attributes on the root. */
  hid_t vt = H5Tcopy(H5T_C_S1);
  H5Tset_size(vt, H5T_VARIABLE);
  hid_t sc = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, "vlen", vt, sc, H5P_DEFAULT, H5P_DEFAULT);
  const char *txt = "written by someone else";
  H5Awrite(a, vt, &txt);
  H5Aclose(a);
  hid_t ft = H5Tcopy(H5T_C_S1);
  H5Tset_size(ft, 8);
  H5Tset_strpad(ft, H5T_STR_SPACEPAD);
  a = H5Acreate2(f, "padded", ft, sc, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, ft, "abc     ");
  H5Aclose(a);
  H5Tclose(ft);
  H5Tclose(vt);
  H5Sclose(sc);
  H5Fclose(f);
}

static void foreign_files_convert_numbers_and_refuse_absurd_sizes(void)
{
  scratch t = scratch_open("h5foreign", "foreign.h5");
  write_foreign(t.path);
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  int rank;
  size_t dims[PINN_H5_MAX_RANK];
  CU_ASSERT_EQUAL(pinn_h5_dataset_shape(r, "huge", &rank, dims), 0);
  CU_ASSERT(rank == 2 && dims[0] == 70000 && dims[1] == 70000);
  double *out = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "huge", -1, NULL, &out, NULL, NULL), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "huge"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "2^31"));
  CU_ASSERT_PTR_NULL(out);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "i32", 1, NULL, &out, NULL, NULL), 0);
  CU_ASSERT(out[0] == -3 && out[1] == 0 && out[2] == 7 && out[3] == 2147483647.0);
  free(out);
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "f32", 1, NULL, &out, NULL, NULL), 0);
  CU_ASSERT(out[0] == 0.5 && out[1] == -1.25 && out[2] == 3.0 && out[3] == (double)1e30f);
  free(out);
  int64_t *iv = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "i32", 1, NULL, &iv, NULL, NULL), 0);
  CU_ASSERT(iv[0] == -3 && iv[3] == 2147483647);
  free(iv);
  /* 2^64-1 does not fit in int64: refused, not clipped. */
  CU_ASSERT_EQUAL(pinn_h5_read_dataset_int64(r, "u64", 1, NULL, &iv, NULL, NULL), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "u64"));
  CU_ASSERT_PTR_NULL(iv);
  pinn_test_assert_attr_string(r, "/", "vlen", "written by someone else");
  pinn_test_assert_attr_string(r, "/", "padded", "abc");
  pinn_h5_close(r);
  scratch_close(&t);
}

static void library_never_prints_and_restores_the_hdf5_error_handler(void)
{
  char *dir = pinn_test_tmpdir("h5quiet");
  char *noise = pinn_test_join(dir, "noise.h5");
  char *half = pinn_test_join(dir, "half.h5");
  char *good = pinn_test_join(dir, "good.h5");
  char *log = pinn_test_join(dir, "stderr.txt");
  write_small(good, 0);
  size_t n;
  unsigned char *b = pinn_test_read_file(good, &n);
  pinn_test_write_file(half, b, n / 2);
  pinn_test_write_file(noise, "definitely not hdf5", 19);
  H5E_auto2_t fn0;
  void *data0;
  H5Eget_auto2(H5E_DEFAULT, &fn0, &data0);
  CU_ASSERT_PTR_NOT_NULL(fn0); /* HDF5's default printer is installed */

  fflush(stderr);
  int saved = dup(2);
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 2);
  close(fd);
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_h5_open(noise, &e));
  CU_ASSERT_PTR_NULL(pinn_h5_open(half, &e));
  pinn_h5_reader *r = pinn_h5_open(good, &e);
  double *out = NULL;
  CU_ASSERT_NOT_EQUAL(pinn_h5_read_dataset(r, "ghost", -1, NULL, &out, NULL, NULL), 0);
  CU_ASSERT_NOT_EQUAL(pinn_h5_read_string(r, "u", (char **)&out), 0);
  pinn_h5_close(r);
  pinn_h5_writer *w = pinn_h5_create(good, &e);
  double v = 1;
  pinn_h5_write_dataset(w, "u", 0, NULL, &v);
  pinn_h5_write_dataset(w, "u/x", 0, NULL, &v);
  pinn_h5_abort(w);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);

  size_t logged = 0;
  unsigned char *txt = pinn_test_read_file(log, &logged);
  CU_ASSERT_EQUAL(logged, 0);
  free(txt);
  H5E_auto2_t fn1;
  void *data1;
  H5Eget_auto2(H5E_DEFAULT, &fn1, &data1);
  CU_ASSERT(fn1 == fn0 && data1 == data0);
  free(b);
  pinn_test_rmtree(dir);
  free(noise);
  free(half);
  free(good);
  free(log);
  free(dir);
}

/* ------------------------------------------ checksums, attributes, temps */

/* Offset of needle (n bytes) in hay (len bytes), or -1. */
static long find_bytes(const unsigned char *hay, size_t len, const void *needle, size_t n)
{
  for (size_t i = 0; i + n <= len; ++i)
    if (memcmp(hay + i, needle, n) == 0) return (long)i;
  return -1;
}

/* 1 if dataset name of the file at path carries the Fletcher32 filter. */
static int has_fletcher32(const char *path, const char *name)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return -1;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  hid_t dcpl = d >= 0 ? H5Dget_create_plist(d) : -1;
  int n = dcpl >= 0 ? H5Pget_nfilters(dcpl) : -1, hit = 0;
  for (int i = 0; i < n; ++i) {
    unsigned flags, cd[4];
    size_t ncd = 4;
    if (H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_FLETCHER32)
      hit = 1;
  }
  if (dcpl >= 0) H5Pclose(dcpl);
  if (d >= 0) H5Dclose(d);
  H5Fclose(f);
  return hit;
}

static void flipped_raw_data_gives_a_checksum_error_never_success(void)
{
  scratch t = scratch_open("h5flip", "ck.h5");
  char *bad = pinn_test_join(t.dir, "bad.h5");
  pinn_error e;
  pinn_h5_writer *w = create_ok(t.path);
  double x[64];
  int64_t iv[16];
  for (int i = 0; i < 64; ++i) x[i] = 1234.5 + i / 7.0;
  for (int i = 0; i < 16; ++i) iv[i] = 0x1122334455660000LL + i;
  size_t dx[1] = {64}, di[2] = {4, 4}, dz[1] = {0};
  double one = 3.25;
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/trainer/x", 1, dx, x), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset_int64(w, "/trainer/counters", 2, di, iv), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/scalar", 0, NULL, &one), 0);
  CU_ASSERT_EQUAL(pinn_h5_write_dataset(w, "/empty", 1, dz, NULL), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);
  CU_ASSERT_EQUAL(has_fletcher32(t.path, "/trainer/x"), 1);
  CU_ASSERT_EQUAL(has_fletcher32(t.path, "/trainer/counters"), 1);
  /* scalars and empty ones cannot be chunked */
  CU_ASSERT_EQUAL(has_fletcher32(t.path, "/scalar"), 0);
  CU_ASSERT_EQUAL(has_fletcher32(t.path, "/empty"), 0);

  size_t n;
  unsigned char *b = pinn_test_read_file(t.path, &n);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  const char *names[2] = {"/trainer/x", "/trainer/counters"};
  const void *payload[2] = {x, iv};
  const size_t bytes[2] = {sizeof x, sizeof iv};
  for (int which = 0; which < 2; ++which) {
    long off = find_bytes(b, n, payload[which], bytes[which]);
    CU_ASSERT_FATAL(off > 0);
    /* the first, a middle and the last byte of the payload, one bit each */
    size_t at[3] = {(size_t)off, (size_t)off + bytes[which] / 2 + 3, (size_t)off + bytes[which] - 1};
    for (int k = 0; k < 3; ++k) {
      b[at[k]] ^= 0x10;
      pinn_test_write_file(bad, b, n);
      b[at[k]] ^= 0x10;
      pinn_h5_reader *r = pinn_h5_open(bad, &e);
      CU_ASSERT_PTR_NOT_NULL_FATAL(r); /* metadata intact: the file opens */
      void *out = (void *)1;
      int st = which == 0 ? pinn_h5_read_dataset(r, names[0], 1, dx, (double **)&out, NULL, NULL)
                          : pinn_h5_read_dataset_int64(r, names[1], 2, di, (int64_t **)&out,
                                                       NULL, NULL);
      CU_ASSERT_EQUAL(st, PINN_EFORMAT);
      CU_ASSERT_PTR_NULL(out);
      const char *msg = pinn_h5_reader_errmsg(r);
      CU_ASSERT(contains(msg, "checksum mismatch"));
      CU_ASSERT(contains(msg, names[which]));
      CU_ASSERT(contains(msg, "corrupt"));
      CU_ASSERT(contains(msg, bad));
      /* the other dataset still reads */
      double *ok = NULL;
      if (which == 1) {
        CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, names[0], 1, dx, &ok, NULL, NULL), 0);
        if (ok) CU_ASSERT_EQUAL(memcmp(ok, x, sizeof x), 0);
        free(ok);
      }
      pinn_h5_close(r);
    }
  }
  /* the unflipped file reads back bitwise */
  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double *got = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "/trainer/x", 1, dx, &got, NULL, NULL), 0);
  CU_ASSERT(got && memcmp(got, x, sizeof x) == 0);
  free(got);
  pinn_h5_close(r);
  free(b);
  scratch_close(&t);
  free(bad);
}

/* A file as libpinn wrote it before checksums: contiguous datasets and
 * numeric attributes as 1-element arrays (the H5LT calls of that version). */
static void write_pre_checksum_file(const char *path)
{
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hsize_t n[1] = {5};
  double v[5] = {1, 2, 3, 4.5, -6};
  hid_t s = H5Screate_simple(1, n, NULL);
  hid_t d = H5Dcreate2(f, "u", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  H5Sclose(s);
  double rel = 7.5e-4;
  long long it = 1234;
  CU_ASSERT(H5LTset_attribute_double(f, "/", "rel_l2_error", &rel, 1) >= 0);
  CU_ASSERT(H5LTset_attribute_long_long(f, "/", "iterations", &it, 1) >= 0);
  H5Fclose(f);
}

static void numeric_attributes_are_scalars_and_old_one_element_arrays_still_read(void)
{
  scratch t = scratch_open("h5scalar", "new.h5");
  char *old = pinn_test_join(t.dir, "old.h5");
  pinn_error e;
  pinn_h5_writer *w = create_ok(t.path);
  double arr[1] = {0.5};
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double(w, "/", "rel_l2_error", 1.25e-3), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double(w, "/", "rel_l2_error", 2.5e-3), 0); /* replace */
  CU_ASSERT_EQUAL(pinn_h5_set_attr_int64(w, "/", "iterations", 4321), 0);
  CU_ASSERT_EQUAL(pinn_h5_set_attr_double_array(w, "/", "lo", 1, arr), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);
  /* as HDF5 (and h5py) see them: scalar dataspaces; the array stays an array */
  hid_t f = H5Fopen(t.path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  const char *an[3] = {"rel_l2_error", "iterations", "lo"};
  const H5S_class_t want[3] = {H5S_SCALAR, H5S_SCALAR, H5S_SIMPLE};
  for (int i = 0; i < 3; ++i) {
    hid_t a = H5Aopen(f, an[i], H5P_DEFAULT);
    hid_t s = H5Aget_space(a);
    CU_ASSERT_EQUAL(H5Sget_simple_extent_type(s), want[i]);
    H5Sclose(s);
    H5Aclose(a);
  }
  double rel = 0;
  CU_ASSERT(H5LTget_attribute_double(f, "/", "rel_l2_error", &rel) >= 0);
  CU_ASSERT_EQUAL(rel, 2.5e-3);
  H5Fclose(f);
  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  int64_t it = 0;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/", "rel_l2_error", &rel), 0);
  CU_ASSERT_EQUAL(rel, 2.5e-3);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/", "iterations", &it), 0);
  CU_ASSERT_EQUAL(it, 4321);
  size_t len = 0;
  CU_ASSERT_EQUAL(pinn_h5_attr_length(r, "/", "rel_l2_error", &len), 0);
  CU_ASSERT_EQUAL(len, 1);
  pinn_h5_close(r);

  /* a file written before: 1-element arrays and no checksums, still read */
  write_pre_checksum_file(old);
  CU_ASSERT_EQUAL(has_fletcher32(old, "u"), 0);
  r = pinn_h5_open(old, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_double(r, "/", "rel_l2_error", &rel), 0);
  CU_ASSERT_EQUAL(rel, 7.5e-4);
  CU_ASSERT_EQUAL(pinn_h5_get_attr_int64(r, "/", "iterations", &it), 0);
  CU_ASSERT_EQUAL(it, 1234);
  double *u = NULL;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "u", 1, (size_t[1]){5}, &u, NULL, NULL), 0);
  CU_ASSERT(u && u[3] == 4.5 && u[4] == -6);
  free(u);
  pinn_h5_close(r);
  scratch_close(&t);
  free(old);
}

static void utf8_variable_length_strings_as_h5py_writes_them_are_read(void)
{
  scratch t = scratch_open("h5vlen", "py.h5");
  /* what h5py does for f.attrs['problem'] = 'burgers1d – ü': a scalar,
   * variable-length, UTF-8 string */
  hid_t f = H5Fcreate(t.path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hid_t vt = H5Tcopy(H5T_C_S1);
  H5Tset_cset(vt, H5T_CSET_UTF8); /* before the size, as h5py does */
  H5Tset_size(vt, H5T_VARIABLE);
  hid_t sc = H5Screate(H5S_SCALAR);
  const char *txt = "burgers1d \xe2\x80\x93 \xc3\xbc";
  hid_t a = H5Acreate2(f, "problem", vt, sc, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT(H5Awrite(a, vt, &txt) >= 0);
  H5Aclose(a);
  hid_t d = H5Dcreate2(f, "note", vt, sc, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT(H5Dwrite(d, vt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &txt) >= 0);
  H5Dclose(d);
  H5Sclose(sc);
  H5Tclose(vt);
  H5Fclose(f);
  /* Read in a child process with HDF5 restarted: once any ASCII
   * variable-length string has been read in a process, HDF5 1.10 caches a
   * conversion path that also serves UTF-8 ones, which would hide the bug
   * (an earlier test of this suite does so). */
  fflush(NULL);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    H5close(); /* forget the conversion paths inherited from the parent */
    pinn_error e;
    pinn_h5_reader *r = pinn_h5_open(t.path, &e);
    if (!r) _exit(10);
    char *s = NULL, *t = NULL;
    int code = pinn_h5_get_attr_string(r, "/", "problem", &s) ? 11
               : strcmp(s, txt) != 0                         ? 12
               : pinn_h5_read_string(r, "note", &t)          ? 13
               : strcmp(t, txt) != 0                         ? 14
                                                             : 0;
    free(s);
    free(t);
    pinn_h5_close(r);
    _exit(code);
  }
  int status = 0;
  CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
  CU_ASSERT(WIFEXITED(status));
  CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
  scratch_close(&t);
}

static void dataspace_larger_than_the_stored_data_and_external_data_are_refused(void)
{
  scratch t = scratch_open("h5claim", "claim.h5");
  char *extf = pinn_test_join(t.dir, "outside.bin");
  double v[4] = {1, 2, 3, 4};
  pinn_test_write_file(extf, v, sizeof v);
  hid_t f = H5Fcreate(t.path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  /* declares 3e6 points, holds nothing (HDF5 would return fill values) */
  hsize_t big[2] = {3000000, 2}, four[1] = {4};
  hid_t s = H5Screate_simple(2, big, NULL);
  hid_t d = H5Dcreate2(f, "x", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(d);
  H5Sclose(s);
  /* raw data in another file */
  s = H5Screate_simple(1, four, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_external(dcpl, "outside.bin", 0, sizeof v);
  d = H5Dcreate2(f, "ext", H5T_IEEE_F64LE, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(s);
  H5Fclose(f);
  pinn_error e;
  pinn_h5_reader *r = pinn_h5_open(t.path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double *out = (double *)1;
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "x", 2, NULL, &out, NULL, NULL), PINN_EFORMAT);
  CU_ASSERT_PTR_NULL(out);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "declares 6000000 elements"));
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "'x'"));
  CU_ASSERT_EQUAL(pinn_h5_read_dataset(r, "ext", 1, NULL, &out, NULL, NULL), PINN_EFORMAT);
  CU_ASSERT(contains(pinn_h5_reader_errmsg(r), "outside the file"));
  pinn_h5_close(r);
  scratch_close(&t);
  free(extf);
}

static void stale_temporaries_of_dead_writers_are_removed_live_ones_kept(void)
{
  scratch t = scratch_open("h5stale", "run.h5");
  fflush(NULL);
  pid_t child = fork();
  CU_ASSERT_FATAL(child >= 0);
  if (child == 0) _exit(0);
  CU_ASSERT_EQUAL(waitpid(child, NULL, 0), child); /* reaped: its PID names no process */
  char name[256];
  const char *keep[4], *gone[2];
  char *paths[6];
  snprintf(name, sizeof name, "run.h5.tmp.%ld.0", (long)child);
  paths[0] = pinn_test_join(t.dir, name);
  gone[0] = paths[0];
  snprintf(name, sizeof name, "run.h5.tmp.%ld.17", (long)child);
  paths[1] = pinn_test_join(t.dir, name);
  gone[1] = paths[1];
  snprintf(name, sizeof name, "run.h5.tmp.%ld.3", (long)getpid()); /* this process: live */
  paths[2] = pinn_test_join(t.dir, name);
  keep[0] = paths[2];
  snprintf(name, sizeof name, "run.h5.tmp.%ld.0.bak", (long)child); /* not the pattern */
  paths[3] = pinn_test_join(t.dir, name);
  keep[1] = paths[3];
  snprintf(name, sizeof name, "other.h5.tmp.%ld.0", (long)child); /* another NAME */
  paths[4] = pinn_test_join(t.dir, name);
  keep[2] = paths[4];
  snprintf(name, sizeof name, "run.h5.tmp.1.0"); /* init: alive (EPERM or 0) */
  paths[5] = pinn_test_join(t.dir, name);
  keep[3] = paths[5];
  for (int i = 0; i < 6; ++i) pinn_test_write_file(paths[i], "x", 1);
  write_small(t.path, 1.0);
  for (int i = 0; i < 2; ++i) CU_ASSERT(!exists(gone[i]));
  for (int i = 0; i < 4; ++i) CU_ASSERT(exists(keep[i]));
  CU_ASSERT(exists(t.path));
  for (int i = 0; i < 6; ++i) free(paths[i]);
  scratch_close(&t);
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"datasets_of_rank_0_to_4_and_attributes_read_back_bitwise",
     datasets_of_rank_0_to_4_and_attributes_read_back_bitwise},
    {"temp_file_lives_next_to_target_until_commit_renames_it",
     temp_file_lives_next_to_target_until_commit_renames_it},
    {"abort_deletes_the_temp_file_and_creates_nothing",
     abort_deletes_the_temp_file_and_creates_nothing},
    {"unwritable_directory_gives_eio_naming_the_path_and_leaves_nothing",
     unwritable_directory_gives_eio_naming_the_path_and_leaves_nothing},
    {"any_writer_failure_makes_commit_fail_and_keeps_the_old_file",
     any_writer_failure_makes_commit_fail_and_keeps_the_old_file},
    {"commit_replaces_an_existing_file", commit_replaces_an_existing_file},
    {"full_disk_gives_eio_naming_the_path_and_keeps_the_old_file",
     full_disk_gives_eio_naming_the_path_and_keeps_the_old_file},
    {"process_exits_cleanly_after_a_full_disk_failure",
     process_exits_cleanly_after_a_full_disk_failure},
    {"missing_file_gives_eio_naming_it", missing_file_gives_eio_naming_it},
    {"random_bytes_and_empty_files_are_not_hdf5", random_bytes_and_empty_files_are_not_hdf5},
    {"truncated_file_gives_eformat_naming_it", truncated_file_gives_eformat_naming_it},
    {"corrupted_bytes_give_an_error_or_intact_data_never_a_crash",
     corrupted_bytes_give_an_error_or_intact_data_never_a_crash},
    {"missing_or_mismatched_objects_give_eformat_naming_the_object",
     missing_or_mismatched_objects_give_eformat_naming_the_object},
    {"foreign_files_convert_numbers_and_refuse_absurd_sizes",
     foreign_files_convert_numbers_and_refuse_absurd_sizes},
    {"library_never_prints_and_restores_the_hdf5_error_handler",
     library_never_prints_and_restores_the_hdf5_error_handler},
    {"flipped_raw_data_gives_a_checksum_error_never_success",
     flipped_raw_data_gives_a_checksum_error_never_success},
    {"numeric_attributes_are_scalars_and_old_one_element_arrays_still_read",
     numeric_attributes_are_scalars_and_old_one_element_arrays_still_read},
    {"utf8_variable_length_strings_as_h5py_writes_them_are_read",
     utf8_variable_length_strings_as_h5py_writes_them_are_read},
    {"dataspace_larger_than_the_stored_data_and_external_data_are_refused",
     dataspace_larger_than_the_stored_data_and_external_data_are_refused},
    {"stale_temporaries_of_dead_writers_are_removed_live_ones_kept",
     stale_temporaries_of_dead_writers_are_removed_live_ones_kept},
    {NULL, NULL}};
  if (pinn_test_add_suite("h5io", cases)) return 1;
  return pinn_test_run_all();
}
