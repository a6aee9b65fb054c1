/* libpinn — safe HDF5 reading and atomic writing (see include/pinn/h5io.h).
 *
 * A writer builds its file in memory (core driver without backing store) and
 * commit writes the image (H5Fget_file_image) with write(2), then fsync /
 * rename / fsync(dir): disk errors are ours to report, and HDF5 never fails
 * while closing a file on disk (1.10.8 leaves such a file half-destroyed and
 * crashes at exit).  The innermost entry of HDF5's error stack (H5Ewalk2) is
 * appended to our messages.  String attributes are written with H5LT.
 *
 * Raw-data checksums: datasets with payload are chunked (one chunk up to 16
 * MiB, larger ones split along their first axes) with the Fletcher32 filter,
 * which every HDF5 tool verifies on read.  Chunks are indexed by a version-1
 * B-tree without a checksum, so the reader checks that every chunk is in the
 * index (a damaged key would read as fill values); its nodes hold 2K entries,
 * and K = 1 (H5Pset_istore_k) instead of 32 keeps a burgers1d result within
 * +0.6% of its size without checksums (+11% with K = 32).  The reader also
 * refuses raw data outside the file (external, virtual) and stored bytes that
 * cannot hold the extent the dataspace declares.
 */
#define _POSIX_C_SOURCE 200809L
#include <pinn/h5io.h>
#include "h5io_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

/* ------------------------------------------------------ atomic file helpers */

/* The message of a failed write of tmp (fsync included): a full disk, mostly. */
static int write_failed(pinn_error *err, const char *tmp, const char *path, int e)
{
  return pinn_error_set(err, PINN_EIO,
                        "cannot write '%s' (temporary file for '%s'): %s; check free disk "
                        "space and retry",
                        tmp, path, strerror(e));
}

int pinn_h5io_write_all(int fd, const void *buf, size_t n, const char *tmp, const char *path,
                        pinn_error *err)
{
  const char *p = buf;
  while (n > 0) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      int e = k < 0 ? errno : EIO;
      close(fd);
      return write_failed(err, tmp, path, e);
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* Parse a decimal number made of digits only (no sign, no spaces) from
 * s[0..len); 0 on success. */
static int parse_digits(const char *s, size_t len, unsigned long long *out)
{
  if (len == 0 || len > 19) return -1;
  unsigned long long v = 0;
  for (size_t i = 0; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (unsigned long long)(s[i] - '0');
  }
  *out = v;
  return 0;
}

char *pinn_h5io_dir_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  size_t dl = slash ? (size_t)(slash - path) : 1;
  char *dir = malloc(dl + 2);
  if (!dir) return NULL;
  if (!slash)
    memcpy(dir, ".", 2);
  else if (dl == 0)
    memcpy(dir, "/", 2);
  else {
    memcpy(dir, path, dl);
    dir[dl] = '\0';
  }
  return dir;
}

/* Remove "<base>.tmp.<pid>.<n>" files next to path whose writer process is
 * gone (kill(pid, 0) fails with ESRCH): temporaries left by killed runs.
 * Only names of exactly that pattern for this path are touched; files of
 * this process and of live (or not signalable: EPERM) processes stay.  PIDs
 * are those of this machine: a folder shared with other hosts may hold a
 * live writer's file whose PID means nothing here — such a writer loses its
 * temporary and its commit fails cleanly (rename reports ENOENT). */
static void remove_stale_temporaries(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  char *dir = pinn_h5io_dir_of(path);
  if (!dir) return;
  size_t bl = strlen(base);
  DIR *dd = opendir(dir);
  if (!dd) {
    free(dir);
    return;
  }
  const pid_t self = getpid();
  struct dirent *e;
  while ((e = readdir(dd)) != NULL) {
    const char *nm = e->d_name;
    if (strncmp(nm, base, bl) != 0 || strncmp(nm + bl, ".tmp.", 5) != 0) continue;
    const char *p = nm + bl + 5, *dot = strchr(p, '.');
    unsigned long long pid, k;
    if (!dot || parse_digits(p, (size_t)(dot - p), &pid) ||
        parse_digits(dot + 1, strlen(dot + 1), &k) || pid == 0 || pid > INT_MAX ||
        (pid_t)pid == self)
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    (void)unlinkat(dirfd(dd), nm, 0);
  }
  closedir(dd);
  free(dir);
}

int pinn_h5io_tmp_create(const char *path, char **tmp_out, pinn_error *err)
{
  *tmp_out = NULL;
  if (!path || !path[0]) {
    pinn_error_set(err, PINN_EINVAL, "output path is NULL or empty; pass a file name");
    return -1;
  }
  size_t len = strlen(path);
  if (path[len - 1] == '/') {
    pinn_error_set(err, PINN_EINVAL, "output path '%s' names a directory; pass a file name", path);
    return -1;
  }
  size_t cap = len + 64;
  char *tmp = malloc(cap);
  if (!tmp) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory preparing to write '%s'", path);
    return -1;
  }
  remove_stale_temporaries(path);
  long pid = (long)getpid();
  for (unsigned n = 0; n < 1000; ++n) {
    snprintf(tmp, cap, "%s.tmp.%ld.%u", path, pid, n);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      *tmp_out = tmp;
      return fd;
    }
    if (errno == EINTR || errno == EEXIST) continue;
    int e = errno;
    pinn_error_set(err, PINN_EIO,
                   "cannot create '%s' (temporary file for '%s'): %s; check that the "
                   "directory exists and is writable",
                   tmp, path, strerror(e));
    free(tmp);
    return -1;
  }
  pinn_error_set(err, PINN_EIO,
                 "cannot create a temporary file next to '%s': 1000 names '%s.tmp.%ld.*' "
                 "are taken; remove stale temporary files",
                 path, path, pid);
  free(tmp);
  return -1;
}

/* fsync a directory (by path). */
static int fsync_path(const char *p, int flags)
{
  int fd;
  do fd = open(p, flags | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  int rc = fsync(fd) ? errno : 0;
  close(fd);
  return rc;
}

int pinn_h5io_finish(int fd, const char *tmp, const char *path, pinn_error *err)
{
  int e = fsync(fd) ? errno : 0;
  if (close(fd) != 0 && !e) e = errno;
  if (e) return write_failed(err, tmp, path, e);
  if (rename(tmp, path) != 0) {
    e = errno;
    return pinn_error_set(err, PINN_EIO, "cannot rename '%s' onto '%s': %s", tmp, path,
                          strerror(e));
  }
  /* Make the rename durable: fsync the containing directory. */
  char *dir = pinn_h5io_dir_of(path);
  if (dir) (void)fsync_path(dir, O_RDONLY | O_DIRECTORY);
  free(dir);
  return 0;
}

/* ------------------------------------------------- HDF5 error stack control */

typedef struct quiet {
  H5E_auto2_t fn;
  void *data;
  int saved;
} quiet;

static quiet quiet_on(void)
{
  quiet q = {NULL, NULL, 0};
  q.saved = H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data) >= 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  H5Eclear2(H5E_DEFAULT);
  return q;
}

static void quiet_off(quiet *q)
{
  H5Eclear2(H5E_DEFAULT);
  if (q->saved) H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

typedef struct detail_buf {
  char text[200];
} detail_buf;

static herr_t walk_first(unsigned n, const H5E_error2_t *e, void *data)
{
  detail_buf *d = data;
  if (n == 0) {
    if (e->desc && e->desc[0]) {
      snprintf(d->text, sizeof d->text, "%s", e->desc);
    } else {
      char m[128];
      if (H5Eget_msg(e->min_num, NULL, m, sizeof m) > 0) snprintf(d->text, sizeof d->text, "%s", m);
    }
  }
  return 0;
}

/* Keep the innermost error HDF5 recorded (if any) in keep[].  Call right
 * after a failing HDF5 call when cleanup calls (which clear the stack) come
 * before the failure is reported. */
static void keep_detail(detail_buf *keep)
{
  if (H5Eget_num(H5E_DEFAULT) <= 0) return;
  detail_buf d;
  d.text[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_first, &d);
  if (d.text[0]) *keep = d;
}

/* Append " (HDF5: <innermost error>)" to the message err just received:
 * from HDF5's stack if it holds one, else from *kept; then clear both.
 * Returns code (the status err was set to). */
static int with_hdf5_detail(pinn_error *err, detail_buf *kept, int code)
{
  keep_detail(kept);
  H5Eclear2(H5E_DEFAULT);
  if (kept->text[0]) {
    size_t len = strlen(err->msg);
    if (len + 10 < sizeof err->msg)
      snprintf(err->msg + len, sizeof err->msg - len, " (HDF5: %s)", kept->text);
  }
  kept->text[0] = '\0';
  return code;
}

/* Fail on a reader or writer h (both have err and h5err): the message goes
 * through pinn_error_set onto h->err, HDF5's reason is appended; evaluates
 * to the code. */
#define h5fail(h, ...)                                                                      \
  with_hdf5_detail(&(h)->err, &(h)->h5err, pinn_error_set(&(h)->err, __VA_ARGS__))

/* ------------------------------------------------------------------ writer */

struct pinn_h5_writer {
  hid_t file;                 /* in-memory (core driver) HDF5 file */
  hid_t lcpl;                 /* link creation: missing parent groups are created */
  int fd;                     /* the reserved temporary file, open for writing */
  char *path;
  char *tmp;
  pinn_error err;             /* sticky: the first failure (every call checks
                                 err.code first, so no second one is recorded) */
  detail_buf h5err;           /* HDF5's reason, kept across cleanup calls */
};

pinn_h5_writer *pinn_h5_create(const char *path, pinn_error *err)
{
  char *tmp = NULL;
  int fd = pinn_h5io_tmp_create(path, &tmp, err);
  if (fd < 0) return NULL;

  pinn_h5_writer *w = calloc(1, sizeof *w);
  char *pcopy = strdup(path);
  if (!w || !pcopy) {
    close(fd);
    unlink(tmp);
    free(tmp);
    free(w);
    free(pcopy);
    pinn_error_set(err, PINN_ENOMEM, "out of memory preparing to write '%s'", path);
    return NULL;
  }
  w->path = pcopy;
  w->tmp = tmp;
  w->fd = fd;
  w->file = w->lcpl = -1;

  quiet q = quiet_on();
  w->lcpl = H5Pcreate(H5P_LINK_CREATE);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0) {
    if (w->lcpl >= 0 && H5Pset_create_intermediate_group(w->lcpl, 1) >= 0 &&
        H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) >= 0 &&
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
    {
      /* K = 1 for the chunk index (see the top of this file) */
      hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
      if (fcpl >= 0 && H5Pset_istore_k(fcpl, 1) >= 0)
        w->file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
      if (fcpl >= 0) H5Pclose(fcpl);
    }
    keep_detail(&w->h5err);
    H5Pclose(fapl);
  }
  quiet_off(&q);
  if (w->file < 0) {
    h5fail(w, PINN_EFAILED, "cannot create an HDF5 file for '%s' in memory", path);
    pinn_error_set(err, PINN_EFAILED, "%s", w->err.msg);
    pinn_h5_abort(w);
    return NULL;
  }
  pinn_error_clear(err);
  return w;
}

const char *pinn_h5_writer_errmsg(const pinn_h5_writer *w) { return w ? w->err.msg : ""; }

const char *pinn_h5_writer_temp_path(const pinn_h5_writer *w) { return w ? w->tmp : ""; }

static int check_name(const char *s) { return s && s[0]; }

/* PINN_EINVAL for NULL, else the writer's sticky status (0 while usable). */
static int writer_status(const pinn_h5_writer *w) { return w ? w->err.code : PINN_EINVAL; }

/* Number of elements of dims[0..rank-1]; 0 on overflow of size_t (reported
 * through *ovf). */
static size_t count_elements(int rank, const size_t *dims, int *ovf)
{
  size_t n = 1;
  *ovf = 0;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] != 0 && n > SIZE_MAX / dims[i]) {
      *ovf = 1;
      return 0;
    }
    n *= dims[i];
  }
  return n;
}

static hid_t make_space(int rank, const size_t *dims)
{
  if (rank == 0) return H5Screate(H5S_SCALAR);
  hsize_t hd[PINN_H5_MAX_RANK];
  for (int i = 0; i < rank; ++i) hd[i] = (hsize_t)dims[i];
  return H5Screate_simple(rank, hd, NULL);
}

/* Dataset creation properties: chunked with the Fletcher32 checksum filter
 * when the dataspace is simple with every extent > 0 (see the comment at the
 * top of this file); the default (contiguous or compact, no checksum) for
 * scalar and empty datasets.  Chunks hold whole rows of the first axes, at
 * most CHUNK_BYTES each (one chunk for everything libpinn writes today). */
#define CHUNK_BYTES ((size_t)1 << 24)
static hid_t make_dcpl(hid_t space, size_t elsize)
{
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (dcpl < 0) return -1;
  if (H5Sget_simple_extent_type(space) != H5S_SIMPLE) return dcpl;
  int rank = H5Sget_simple_extent_ndims(space);
  hsize_t dims[PINN_H5_MAX_RANK], chunk[PINN_H5_MAX_RANK];
  if (rank < 1 || rank > PINN_H5_MAX_RANK || H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
    H5Pclose(dcpl);
    return -1;
  }
  hsize_t bytes = elsize ? elsize : 1;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] == 0) return dcpl; /* no payload: nothing to protect */
    chunk[i] = dims[i];
    bytes *= dims[i];
  }
  /* halve the outer extents until a chunk fits (HDF5 allows < 4 GiB) */
  for (int i = 0; i < rank && bytes > CHUNK_BYTES; ++i)
    while (chunk[i] > 1 && bytes > CHUNK_BYTES) {
      hsize_t half = (chunk[i] + 1) / 2;
      bytes = bytes / chunk[i] * half;
      chunk[i] = half;
    }
  if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0) {
    H5Pclose(dcpl);
    return -1;
  }
  return dcpl;
}

/* Create dataset name of file type ftype over space, write buf (if not NULL)
 * from memory type mtype.  Caller has silenced HDF5. */
static int create_and_write(pinn_h5_writer *w, const char *name, const char *what, hid_t ftype,
                            hid_t mtype, hid_t space, const void *buf)
{
  htri_t ex = H5LTpath_valid(w->file, name, 1);
  if (ex > 0)
    return h5fail(w, PINN_EINVAL,
                  "cannot write %s '%s' in '%s': an object of that name already exists; "
                  "use a new name",
                  what, name, w->path);
  hid_t dcpl = make_dcpl(space, H5Tget_size(ftype));
  hid_t d = dcpl >= 0 ? H5Dcreate2(w->file, name, ftype, space, w->lcpl, dcpl, H5P_DEFAULT) : -1;
  if (d < 0) keep_detail(&w->h5err);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (d < 0)
    return h5fail(w, PINN_EIO,
                  "cannot create %s '%s' in '%s' (is a parent a dataset, or the name invalid?)",
                  what, name, w->path);
  if (buf && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    keep_detail(&w->h5err);
    H5Dclose(d);
    return h5fail(w, PINN_EFAILED, "cannot write %s '%s' for '%s' (out of memory?)", what, name,
                  w->path);
  }
  if (H5Dclose(d) < 0)
    return h5fail(w, PINN_EFAILED, "cannot close %s '%s' for '%s'", what, name, w->path);
  return 0;
}

static int write_numeric(pinn_h5_writer *w, const char *name, int rank, const size_t *dims,
                         const void *data, hid_t ftype, hid_t mtype, size_t elsize,
                         const char *what)
{
  if (writer_status(w)) return writer_status(w);
  if (!check_name(name))
    return h5fail(w, PINN_EINVAL, "%s name is NULL or empty (writing '%s'); pass a name", what,
                  w->path);
  if (rank < 0 || rank > PINN_H5_MAX_RANK)
    return h5fail(w, PINN_EINVAL, "%s '%s' (file '%s'): rank %d is outside 0..%d", what, name,
                  w->path, rank, PINN_H5_MAX_RANK);
  if (rank > 0 && !dims)
    return h5fail(w, PINN_EINVAL, "%s '%s' (file '%s'): dims is NULL for rank %d", what, name,
                  w->path, rank);
  int ovf;
  size_t n = count_elements(rank, dims, &ovf);
  if (ovf || n > SIZE_MAX / elsize)
    return h5fail(w, PINN_EINVAL, "%s '%s' (file '%s'): dims overflow the address space", what,
                  name, w->path);
  if (n > 0 && !data)
    return h5fail(w, PINN_EINVAL, "%s '%s' (file '%s'): data is NULL for %zu elements", what, name,
                  w->path, n);
  quiet q = quiet_on();
  int st;
  hid_t space = make_space(rank, dims);
  if (space < 0) {
    st = h5fail(w, PINN_EINVAL, "%s '%s' (file '%s'): HDF5 refused the dataspace", what, name,
                w->path);
  } else {
    st = create_and_write(w, name, what, ftype, mtype, space, n > 0 ? data : NULL);
    H5Sclose(space);
  }
  quiet_off(&q);
  return st;
}

int pinn_h5_write_dataset(pinn_h5_writer *w, const char *name, int rank, const size_t *dims,
                          const double *data)
{
  return write_numeric(w, name, rank, dims, data, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                       sizeof(double), "dataset");
}

int pinn_h5_write_dataset_int64(pinn_h5_writer *w, const char *name, int rank,
                                const size_t *dims, const int64_t *data)
{
  return write_numeric(w, name, rank, dims, data, H5T_STD_I64LE, H5T_NATIVE_INT64,
                       sizeof(int64_t), "int64 dataset");
}

int pinn_h5_write_string(pinn_h5_writer *w, const char *name, const char *text)
{
  if (writer_status(w)) return writer_status(w);
  if (!check_name(name))
    return h5fail(w, PINN_EINVAL, "string dataset name is NULL or empty (writing '%s')", w->path);
  if (!text)
    return h5fail(w, PINN_EINVAL, "string dataset '%s' (file '%s'): text is NULL", name, w->path);
  quiet q = quiet_on();
  int st = 0;
  hid_t t = H5Tcopy(H5T_C_S1);
  hid_t space = H5Screate(H5S_SCALAR);
  if (t < 0 || space < 0 || H5Tset_size(t, strlen(text) + 1) < 0 ||
      H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)
    st = h5fail(w, PINN_EFAILED, "string dataset '%s' (file '%s'): HDF5 type setup failed", name,
                w->path);
  else
    st = create_and_write(w, name, "string dataset", t, t, space, text);
  if (t >= 0) H5Tclose(t);
  if (space >= 0) H5Sclose(space);
  quiet_off(&q);
  return st;
}

/* 1 group, 2 dataset, 3 other, 0 missing, -1 lookup error (HDF5 silenced). */
static int object_kind(hid_t file, const char *name)
{
  htri_t v = H5LTpath_valid(file, name, 1);
  if (v < 0) return -1;
  if (v == 0) return 0;
  hid_t o = H5Oopen(file, name, H5P_DEFAULT);
  if (o < 0) return -1;
  H5I_type_t t = H5Iget_type(o);
  H5Oclose(o);
  return t == H5I_GROUP ? 1 : t == H5I_DATASET ? 2 : 3;
}

int pinn_h5_create_group(pinn_h5_writer *w, const char *name)
{
  if (writer_status(w)) return writer_status(w);
  if (!check_name(name))
    return h5fail(w, PINN_EINVAL, "group name is NULL or empty (writing '%s')", w->path);
  quiet q = quiet_on();
  int st = 0, k = object_kind(w->file, name);
  if (k > 1) {
    st = h5fail(w, PINN_EINVAL, "cannot create group '%s' in '%s': a dataset has that name", name,
                w->path);
  } else if (k != 1) {
    hid_t g = H5Gcreate2(w->file, name, w->lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) keep_detail(&w->h5err);
    if (g < 0)
      st = h5fail(w, PINN_EIO, "cannot create group '%s' in '%s' (is a parent a dataset?)", name,
                  w->path);
    else if (H5Gclose(g) < 0)
      st = h5fail(w, PINN_EIO, "cannot close group '%s' in '%s'", name, w->path);
  }
  quiet_off(&q);
  return st;
}

enum attr_kind { ATTR_STRING, ATTR_DOUBLE, ATTR_INT64 };

/* Write a numeric attribute: one value with a scalar dataspace (h5py shows
 * it as a number), an array (array != 0) as a 1-D dataspace of n values.
 * Replaces an existing attribute of that name.  Caller has silenced HDF5. */
static herr_t set_attr_numeric(hid_t file, const char *object, const char *name, int is_double,
                               const void *value, size_t n, int array)
{
  htri_t ex = H5Aexists_by_name(file, object, name, H5P_DEFAULT);
  if (ex < 0 || (ex > 0 && H5Adelete_by_name(file, object, name, H5P_DEFAULT) < 0)) return -1;
  hsize_t hn = (hsize_t)n;
  hid_t space = array ? H5Screate_simple(1, &hn, NULL) : H5Screate(H5S_SCALAR);
  if (space < 0) return -1;
  hid_t ft = is_double ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  hid_t mt = is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
  hid_t a = H5Acreate_by_name(file, object, name, ft, space, H5P_DEFAULT, H5P_DEFAULT,
                              H5P_DEFAULT);
  herr_t h = a >= 0 ? H5Awrite(a, mt, value) : -1;
  if (a >= 0 && H5Aclose(a) < 0) h = -1;
  H5Sclose(space);
  return h;
}

static int set_attr(pinn_h5_writer *w, const char *object, const char *name, enum attr_kind kind,
                    const void *value, size_t n, int array)
{
  if (writer_status(w)) return writer_status(w);
  if (!check_name(object) || !check_name(name))
    return h5fail(w, PINN_EINVAL,
                  "attribute: object or attribute name is NULL or empty (writing '%s')", w->path);
  quiet q = quiet_on();
  int st = 0;
  if (object_kind(w->file, object) <= 0) {
    st = h5fail(w, PINN_EINVAL,
                "cannot set attribute '%s' on '%s' in '%s': no such object; write the dataset or "
                "create the group first",
                name, object, w->path);
  } else {
    herr_t h = kind == ATTR_STRING
                    ? H5LTset_attribute_string(w->file, object, name, (const char *)value)
                    : set_attr_numeric(w->file, object, name, kind == ATTR_DOUBLE, value, n, array);
    if (h < 0)
      st = h5fail(w, PINN_EIO, "cannot set attribute '%s' on '%s' in '%s'", name, object,
                  w->path);
  }
  quiet_off(&q);
  return st;
}

int pinn_h5_set_attr_string(pinn_h5_writer *w, const char *object, const char *name,
                            const char *value)
{
  if (!writer_status(w) && !value)
    return h5fail(w, PINN_EINVAL, "string attribute '%s' on '%s' (file '%s'): value is NULL",
                  name ? name : "(null)", object ? object : "(null)", w->path);
  return set_attr(w, object, name, ATTR_STRING, value, 1, 0);
}

int pinn_h5_set_attr_double(pinn_h5_writer *w, const char *object, const char *name,
                            double value)
{
  return set_attr(w, object, name, ATTR_DOUBLE, &value, 1, 0);
}

int pinn_h5_set_attr_int64(pinn_h5_writer *w, const char *object, const char *name,
                           int64_t value)
{
  return set_attr(w, object, name, ATTR_INT64, &value, 1, 0);
}

int pinn_h5_set_attr_double_array(pinn_h5_writer *w, const char *object, const char *name,
                                  size_t n, const double *values)
{
  if (!writer_status(w) && (n == 0 || !values))
    return h5fail(w, PINN_EINVAL,
                  "array attribute '%s' on '%s' (file '%s'): need n >= 1 values (got n = %zu%s)",
                  name ? name : "(null)", object ? object : "(null)", w->path, n,
                  values ? "" : ", values NULL");
  return set_attr(w, object, name, ATTR_DOUBLE, values, n, 1);
}

/* Bob Jenkins' lookup3 hashlittle() over bytes (public domain, 2006), the
 * checksum HDF5 puts on its metadata (H5_checksum_lookup3). */
static uint32_t rot32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static uint32_t lookup3(const unsigned char *k, size_t length)
{
  uint32_t a, b, c;
  a = b = c = 0xdeadbeefu + (uint32_t)length;
  while (length > 12) {
    a += k[0] + ((uint32_t)k[1] << 8) + ((uint32_t)k[2] << 16) + ((uint32_t)k[3] << 24);
    b += k[4] + ((uint32_t)k[5] << 8) + ((uint32_t)k[6] << 16) + ((uint32_t)k[7] << 24);
    c += k[8] + ((uint32_t)k[9] << 8) + ((uint32_t)k[10] << 16) + ((uint32_t)k[11] << 24);
    a -= c; a ^= rot32(c, 4);  c += b;
    b -= a; b ^= rot32(a, 6);  a += c;
    c -= b; c ^= rot32(b, 8);  b += a;
    a -= c; a ^= rot32(c, 16); c += b;
    b -= a; b ^= rot32(a, 19); a += c;
    c -= b; c ^= rot32(b, 4);  b += a;
    length -= 12;
    k += 12;
  }
  if (length == 0) return c;
  unsigned char t[12] = {0};
  memcpy(t, k, length);
  a += t[0] + ((uint32_t)t[1] << 8) + ((uint32_t)t[2] << 16) + ((uint32_t)t[3] << 24);
  b += t[4] + ((uint32_t)t[5] << 8) + ((uint32_t)t[6] << 16) + ((uint32_t)t[7] << 24);
  c += t[8] + ((uint32_t)t[9] << 8) + ((uint32_t)t[10] << 16) + ((uint32_t)t[11] << 24);
  c ^= b; c -= rot32(b, 14);
  a ^= c; a -= rot32(c, 11);
  b ^= a; b -= rot32(a, 25);
  c ^= b; c -= rot32(b, 16);
  a ^= c; a -= rot32(c, 4);
  b ^= a; b -= rot32(a, 14);
  c ^= b; c -= rot32(b, 24);
  return c;
}

/* HDF5 1.10.8's H5Fget_file_image clears the superblock's status flags
 * (version >= 2) without updating the superblock checksum, so the image does
 * not open ("incorrect metadata checksum").  Recompute it: the superblock
 * v2/v3 is signature(8) version sizeof_addr sizeof_size flags, 4 addresses,
 * then a lookup3 checksum of everything before it. */
static void fix_superblock_checksum(unsigned char *img, size_t size)
{
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (size < 12 || memcmp(img, sig, 8) != 0 || img[8] < 2) return;
  size_t n = 12 + 4 * (size_t)img[9];
  if (n + 4 > size) return;
  uint32_t c = lookup3(img, n);
  img[n] = (unsigned char)c;
  img[n + 1] = (unsigned char)(c >> 8);
  img[n + 2] = (unsigned char)(c >> 16);
  img[n + 3] = (unsigned char)(c >> 24);
}

/* 0 if the HDF5 file at path opens read-only (HDF5 silenced by caller). */
static int opens_cleanly(const char *path, detail_buf *why)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    keep_detail(why);
    return -1;
  }
  return H5Fclose(f) < 0 ? -1 : 0;
}

static void writer_free(pinn_h5_writer *w)
{
  if (w->lcpl >= 0) H5Pclose(w->lcpl);
  free(w->tmp);
  free(w->path);
  free(w);
}

int pinn_h5_commit(pinn_h5_writer *w, pinn_error *err)
{
  if (!w)
    return pinn_error_set(err, PINN_EINVAL, "pinn_h5_commit: writer is NULL (did create fail?)");
  quiet q = quiet_on();
  int st = w->err.code;
  void *image = NULL;
  ssize_t size = -1;
  if (!st) {
    if (H5Fflush(w->file, H5F_SCOPE_LOCAL) >= 0) size = H5Fget_file_image(w->file, NULL, 0);
    if (size > 0 && (image = malloc((size_t)size)) != NULL &&
        H5Fget_file_image(w->file, image, (size_t)size) != size)
      size = -1;
    if (size > 0 && image) fix_superblock_checksum(image, (size_t)size);
    if (size <= 0)
      st = h5fail(w, PINN_EFAILED, "cannot assemble the HDF5 image of '%s'", w->path);
    else if (!image)
      st = h5fail(w, PINN_ENOMEM, "out of memory assembling '%s' (%lld bytes)", w->path,
                  (long long)size);
  }
  H5Fclose(w->file); /* in memory: nothing to flush to disk, cannot fail on I/O */
  w->file = -1;
  quiet_off(&q);
  if (!st) {
    st = pinn_h5io_write_all(w->fd, image, (size_t)size, w->tmp, w->path, &w->err);
    if (!st) {
      /* Self-check before publishing: the written file must open. */
      q = quiet_on();
      if (opens_cleanly(w->tmp, &w->h5err) != 0) {
        st = h5fail(w, PINN_EFAILED,
                    "the HDF5 file written to '%s' for '%s' does not open again; not "
                    "publishing it (a libpinn/HDF5 bug: please report)",
                    w->tmp, w->path);
        close(w->fd);
      }
      quiet_off(&q);
    }
    if (!st) st = pinn_h5io_finish(w->fd, w->tmp, w->path, &w->err);
    w->fd = -1; /* closed by write_all, finish or above */
  }
  free(image);
  if (w->fd >= 0) close(w->fd);
  if (st) {
    unlink(w->tmp);
    pinn_error_set(err, st, "%s", w->err.msg);
  } else {
    pinn_error_clear(err);
  }
  writer_free(w);
  return st;
}

/* Close HDF5 file f (if open) with HDF5 silenced. */
static void close_file(hid_t f)
{
  quiet q = quiet_on();
  if (f >= 0) H5Fclose(f);
  quiet_off(&q);
}

void pinn_h5_abort(pinn_h5_writer *w)
{
  if (!w) return;
  close_file(w->file);
  if (w->fd >= 0) close(w->fd);
  unlink(w->tmp);
  writer_free(w);
}

/* ------------------------------------------------------------------ reader */

struct pinn_h5_reader {
  hid_t file;
  char *path;
  pinn_error err;             /* the last failure */
  detail_buf h5err;           /* HDF5's reason, kept across cleanup calls */
};

pinn_h5_reader *pinn_h5_open(const char *path, pinn_error *err)
{
  if (!path || !path[0]) {
    pinn_error_set(err, PINN_EINVAL, "input path is NULL or empty; pass an .h5 file name");
    return NULL;
  }
  struct stat sb;
  if (stat(path, &sb) != 0) {
    int e = errno;
    pinn_error_set(err, PINN_EIO, "cannot open '%s': %s", path, strerror(e));
    return NULL;
  }
  if (!S_ISREG(sb.st_mode)) {
    pinn_error_set(err, PINN_EIO, "cannot open '%s': not a regular file (a directory?)", path);
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    pinn_error_set(err, PINN_EIO, "cannot open '%s': %s", path, strerror(e));
    return NULL;
  }
  close(fd);
  if (sb.st_size == 0) {
    pinn_error_set(err, PINN_EFORMAT, "'%s' is empty (0 bytes), not an HDF5 file", path);
    return NULL;
  }

  pinn_h5_reader *r = calloc(1, sizeof *r);
  char *pcopy = strdup(path);
  if (!r || !pcopy) {
    free(r);
    free(pcopy);
    pinn_error_set(err, PINN_ENOMEM, "out of memory opening '%s'", path);
    return NULL;
  }
  r->path = pcopy;
  r->file = -1;

  quiet q = quiet_on();
  int st = 0;
  htri_t is = H5Fis_hdf5(path);
  if (is <= 0) {
    st = h5fail(r, PINN_EFORMAT,
                "'%s' is not an HDF5 file (no HDF5 signature); expected an .h5 file written by "
                "libpinn",
                path);
  } else {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) {
      H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
      r->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
      if (r->file < 0) keep_detail(&r->h5err);
      H5Pclose(fapl);
    }
    if (r->file < 0)
      st = h5fail(r, PINN_EFORMAT,
                  "'%s' looks like HDF5 but cannot be opened: truncated or corrupt; write it "
                  "again",
                  path);
  }
  quiet_off(&q);
  if (st) {
    pinn_error_set(err, st, "%s", r->err.msg);
    pinn_h5_close(r);
    return NULL;
  }
  pinn_error_clear(err);
  return r;
}

void pinn_h5_close(pinn_h5_reader *r)
{
  if (!r) return;
  close_file(r->file);
  free(r->path);
  free(r);
}

const char *pinn_h5_reader_errmsg(const pinn_h5_reader *r) { return r ? r->err.msg : ""; }

int pinn_h5_has(pinn_h5_reader *r, const char *name)
{
  if (!r || !check_name(name)) return 0;
  quiet q = quiet_on();
  htri_t v = H5LTpath_valid(r->file, name, 1);
  quiet_off(&q);
  return v > 0;
}

int pinn_h5_has_attr(pinn_h5_reader *r, const char *object, const char *attr)
{
  if (!r || !check_name(object) || !check_name(attr)) return 0;
  quiet q = quiet_on();
  int ok = H5LTpath_valid(r->file, object, 1) > 0 &&
           H5Aexists_by_name(r->file, object, attr, H5P_DEFAULT) > 0;
  quiet_off(&q);
  return ok;
}

/* Open dataset name (HDF5 silenced by caller). */
static int open_dataset(pinn_h5_reader *r, const char *name, hid_t *out)
{
  *out = -1;
  if (!check_name(name))
    return h5fail(r, PINN_EINVAL, "dataset name is NULL or empty (reading '%s')", r->path);
  int k = object_kind(r->file, name);
  if (k < 0)
    return h5fail(r, PINN_EFORMAT, "cannot look up '%s' in '%s': file corrupt?", name, r->path);
  if (k == 0)
    return h5fail(r, PINN_EFORMAT,
                  "'%s' has no dataset '%s'; was it written by this version of libpinn?", r->path,
                  name);
  if (k != 2)
    return h5fail(r, PINN_EFORMAT, "'%s' in '%s' is a %s, not a dataset", name, r->path,
                  k == 1 ? "group" : "named type");
  hid_t d = H5Dopen2(r->file, name, H5P_DEFAULT);
  if (d < 0)
    return h5fail(r, PINN_EFORMAT, "cannot open dataset '%s' in '%s': file corrupt?", name,
                  r->path);
  *out = d;
  return 0;
}

/* Rank and dims of a dataspace; what/name/file for messages. */
static int space_shape(pinn_h5_reader *r, hid_t space, const char *what, const char *name,
                       int *rank, size_t dims[PINN_H5_MAX_RANK])
{
  H5S_class_t c = H5Sget_simple_extent_type(space);
  if (c == H5S_SCALAR) {
    *rank = 0;
    return 0;
  }
  if (c != H5S_SIMPLE)
    return h5fail(r, PINN_EFORMAT, "%s '%s' in '%s' has an empty (null) dataspace", what, name,
                  r->path);
  int nd = H5Sget_simple_extent_ndims(space);
  if (nd < 0)
    return h5fail(r, PINN_EFORMAT, "cannot read the shape of %s '%s' in '%s'", what, name, r->path);
  if (nd > PINN_H5_MAX_RANK)
    return h5fail(r, PINN_EFORMAT, "%s '%s' in '%s' has rank %d, more than libpinn's limit %d",
                  what, name, r->path, nd, PINN_H5_MAX_RANK);
  hsize_t hd[PINN_H5_MAX_RANK];
  if (H5Sget_simple_extent_dims(space, hd, NULL) < 0)
    return h5fail(r, PINN_EFORMAT, "cannot read the shape of %s '%s' in '%s'", what, name, r->path);
  for (int i = 0; i < nd; ++i) {
    if (hd[i] > (hsize_t)SIZE_MAX)
      return h5fail(r, PINN_EFORMAT, "%s '%s' in '%s' has an extent too large for this machine",
                    what, name, r->path);
    dims[i] = (size_t)hd[i];
  }
  *rank = nd;
  return 0;
}

int pinn_h5_dataset_shape(pinn_h5_reader *r, const char *name, int *rank,
                          size_t dims[PINN_H5_MAX_RANK])
{
  if (!r) return PINN_EINVAL;
  if (!rank || !dims)
    return h5fail(r, PINN_EINVAL, "pinn_h5_dataset_shape: rank or dims is NULL");
  quiet q = quiet_on();
  hid_t d;
  int st = open_dataset(r, name, &d);
  if (!st) {
    hid_t s = H5Dget_space(d);
    if (s < 0)
      st = h5fail(r, PINN_EFORMAT, "cannot read the dataspace of '%s' in '%s'", name, r->path);
    else {
      st = space_shape(r, s, "dataset", name, rank, dims);
      H5Sclose(s);
    }
    H5Dclose(d);
  }
  quiet_off(&q);
  return st;
}

static void format_shape(char *buf, size_t cap, int rank, const size_t *dims)
{
  size_t len = 0;
  len += (size_t)snprintf(buf, cap, "[");
  for (int i = 0; i < rank && len < cap; ++i) {
    if (dims[i] == PINN_H5_ANY)
      len += (size_t)snprintf(buf + len, cap - len, "%s*", i ? " x " : "");
    else
      len += (size_t)snprintf(buf + len, cap - len, "%s%zu", i ? " x " : "", dims[i]);
  }
  if (len < cap) snprintf(buf + len, cap - len, "]");
}

/* Abort conversions that would overflow the destination (e.g. uint64 > INT64_MAX). */
static H5T_conv_ret_t conv_guard(H5T_conv_except_t e, hid_t s, hid_t d, void *sb, void *db,
                                 void *ctx)
{
  (void)s;
  (void)d;
  (void)sb;
  (void)db;
  (void)ctx;
  if (e == H5T_CONV_EXCEPT_RANGE_HI || e == H5T_CONV_EXCEPT_RANGE_LOW) return H5T_CONV_ABORT;
  return H5T_CONV_UNHANDLED;
}

/* HDF5 error-stack walker: does any entry mention "Fletcher32"? */
static herr_t walk_fletcher(unsigned n, const H5E_error2_t *e, void *data)
{
  (void)n;
  if (e->desc && strstr(e->desc, "Fletcher32")) *(int *)data = 1;
  return 0;
}

/* 1 when the last failed HDF5 call failed on a Fletcher32 checksum. */
static int checksum_failed(void)
{
  int hit = 0;
  if (H5Eget_num(H5E_DEFAULT) > 0) H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_fletcher, &hit);
  return hit;
}

/* Every chunk of a chunked dataset must be in the index (the version-1
 * B-tree that indexes chunks has no checksum of its own: a flipped key there
 * would make HDF5 return fill values for a "missing" chunk) with at least a
 * full chunk of bytes unless compressed.  The number of chunks is bounded by
 * the stored bytes, checked before.  rank, dims: the dataset's shape.  Caller
 * has silenced HDF5. */
static int check_chunks(pinn_h5_reader *r, hid_t d, const char *name, int rank,
                        const size_t *dims, int crank, const hsize_t *chunk, size_t es,
                        int compressed)
{
  if (crank != rank)
    return h5fail(r, PINN_EFORMAT,
                  "dataset '%s' in '%s' has chunks of rank %d for rank %d: corrupt", name,
                  r->path, crank, rank);
  hsize_t cbytes = es, off[PINN_H5_MAX_RANK];
  for (int i = 0; i < rank; ++i) {
    if (chunk[i] == 0)
      return h5fail(r, PINN_EFORMAT, "dataset '%s' in '%s' has a zero chunk extent: corrupt", name,
                    r->path);
    cbytes *= chunk[i];
    off[i] = 0;
  }
  for (;;) {
    hsize_t nb = 0;
    if (H5Dget_chunk_storage_size(d, off, &nb) < 0 || nb == 0 || (!compressed && nb < cbytes))
      return h5fail(r, PINN_EFORMAT,
                    "dataset '%s' in '%s': a chunk of its data is missing from the file's index "
                    "(%llu bytes found, %llu expected): the file is corrupt",
                    name, r->path, (unsigned long long)nb, (unsigned long long)cbytes);
    int i = rank - 1;
    for (; i >= 0; --i) {
      off[i] += chunk[i];
      if (off[i] < (hsize_t)dims[i]) break;
      off[i] = 0;
    }
    if (i < 0) return 0;
  }
}

/* Before trusting a dataset's declared shape: its raw data must live in this
 * file (no external files, no virtual datasets: a hostile file could map any
 * local file into a dataset) and the file must hold it.  Without a filter
 * other than Fletcher32 the stored bytes must cover n elements of the file
 * type (a dataspace that claims more than was written is corrupt, never read
 * as fill values); with compression at least some storage must exist; and
 * never more than the file's own size.  Caller has silenced HDF5. */
static int check_storage(pinn_h5_reader *r, hid_t d, hid_t ftype, const char *name, int rank,
                         const size_t *dims, size_t n)
{
  if (n == 0) return 0;
  hid_t dcpl = H5Dget_create_plist(d);
  if (dcpl < 0)
    return h5fail(r, PINN_EFORMAT, "cannot read the storage properties of dataset '%s' in '%s'",
                  name, r->path);
  H5D_layout_t layout = H5Pget_layout(dcpl);
  hsize_t chunk[PINN_H5_MAX_RANK];
  int crank = layout == H5D_CHUNKED ? H5Pget_chunk(dcpl, PINN_H5_MAX_RANK, chunk) : 0;
  int ext = H5Pget_external_count(dcpl);
  int nf = H5Pget_nfilters(dcpl);
  int other_filters = 0;
  for (int i = 0; i < nf; ++i) {
    unsigned flags = 0, cd[8];
    size_t ncd = 8;
    char fname[64];
    H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof fname, fname,
                                     NULL);
    if (id != H5Z_FILTER_FLETCHER32) other_filters = 1;
  }
  H5Pclose(dcpl);
  if (layout == H5D_VIRTUAL || ext != 0 || nf < 0 || layout == H5D_LAYOUT_ERROR)
    return h5fail(r, PINN_EFORMAT,
                  "dataset '%s' in '%s' keeps its data outside the file (external or virtual "
                  "storage); libpinn reads only self-contained files",
                  name, r->path);
  hsize_t stored = H5Dget_storage_size(d);
  hsize_t fsize = 0;
  if (H5Fget_filesize(r->file, &fsize) < 0) fsize = 0;
  size_t es = H5Tget_size(ftype);
  int too_little = other_filters ? stored == 0
                                 : (es == 0 || (hsize_t)n > (hsize_t)-1 / es ||
                                    stored < (hsize_t)n * es);
  if (too_little || (fsize > 0 && stored > fsize)) {
    return h5fail(r, PINN_EFORMAT,
                  "dataset '%s' in '%s' declares %zu elements but the file holds %llu bytes of "
                  "data for it (file size %llu bytes): truncated or corrupt",
                  name, r->path, n, (unsigned long long)stored, (unsigned long long)fsize);
  }
  if (layout == H5D_CHUNKED)
    return check_chunks(r, d, name, rank, dims, crank, chunk, es, other_filters);
  return 0;
}

/* Read dataset name as float64 into *dbl_out, or (dbl_out NULL) as int64
 * into *int_out. */
static int read_numeric(pinn_h5_reader *r, const char *name, int expected_rank,
                        const size_t *expected_dims, double **dbl_out, int64_t **int_out,
                        size_t dims_out[PINN_H5_MAX_RANK], int *rank_out)
{
  if (dbl_out) *dbl_out = NULL;
  if (int_out) *int_out = NULL;
  if (!r) return PINN_EINVAL;
  if (!dbl_out && !int_out)
    return h5fail(r, PINN_EINVAL, "read of '%s': data_out is NULL", name ? name : "");
  const int want_int = !dbl_out;
  if (expected_rank < -1 || expected_rank > PINN_H5_MAX_RANK)
    return h5fail(r, PINN_EINVAL, "read of '%s': expected_rank %d is outside -1..%d",
                  name ? name : "", expected_rank, PINN_H5_MAX_RANK);
  if (expected_dims && expected_rank < 0)
    return h5fail(r, PINN_EINVAL, "read of '%s': expected_dims needs expected_rank >= 0",
                  name ? name : "");
  quiet q = quiet_on();
  hid_t d = -1, s = -1, t = -1, dxpl = -1;
  void *buf = NULL;
  int rank = 0;
  size_t dims[PINN_H5_MAX_RANK];
  int st = open_dataset(r, name, &d);
  if (st) goto done;
  s = H5Dget_space(d);
  t = H5Dget_type(d);
  if (s < 0 || t < 0) {
    st = h5fail(r, PINN_EFORMAT, "cannot read the dataspace or type of '%s' in '%s'", name,
                r->path);
    goto done;
  }
  H5T_class_t cls = H5Tget_class(t);
  if (!(cls == H5T_INTEGER || (!want_int && cls == H5T_FLOAT))) {
    const char *kind = cls == H5T_STRING     ? "string"
                       : cls == H5T_FLOAT    ? "floating-point"
                       : cls == H5T_COMPOUND ? "compound"
                                             : "non-numeric";
    st = h5fail(r, PINN_EFORMAT, "dataset '%s' in '%s' holds %s data, expected %s", name, r->path,
                kind, want_int ? "integers" : "numbers (float64)");
    goto done;
  }
  st = space_shape(r, s, "dataset", name, &rank, dims);
  if (st) goto done;
  if (expected_rank >= 0) {
    int ok = rank == expected_rank;
    for (int i = 0; ok && expected_dims && i < rank; ++i)
      if (expected_dims[i] != PINN_H5_ANY && expected_dims[i] != dims[i]) ok = 0;
    if (!ok) {
      char got[160], want[160];
      format_shape(got, sizeof got, rank, dims);
      if (expected_dims)
        format_shape(want, sizeof want, expected_rank, expected_dims);
      else
        snprintf(want, sizeof want, "rank %d", expected_rank);
      st = h5fail(r, PINN_EFORMAT,
                  "dataset '%s' in '%s' has shape %s (rank %d), expected %s; the file does not "
                  "match this problem/network",
                  name, r->path, got, rank, want);
      goto done;
    }
  }
  int ovf;
  size_t n = count_elements(rank, dims, &ovf);
  if (ovf || n > PINN_H5_MAX_ELEMENTS) {
    char got[160];
    format_shape(got, sizeof got, rank, dims);
    st = h5fail(r, PINN_EFORMAT,
                "dataset '%s' in '%s' has shape %s, more than the limit of 2^31 elements; the "
                "file is corrupt or not libpinn's",
                name, r->path, got);
    goto done;
  }
  st = check_storage(r, d, t, name, rank, dims, n);
  if (st) goto done;
  buf = malloc((n ? n : 1) * 8);
  if (!buf) {
    st = h5fail(r, PINN_ENOMEM, "out of memory reading '%s' (%zu elements) from '%s'", name, n,
                r->path);
    goto done;
  }
  if (n > 0) {
    dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl >= 0) H5Pset_type_conv_cb(dxpl, conv_guard, NULL);
    hid_t mt = want_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
    if (H5Dread(d, mt, H5S_ALL, H5S_ALL, dxpl >= 0 ? dxpl : H5P_DEFAULT, buf) < 0) {
      if (checksum_failed())
        st = h5fail(r, PINN_EFORMAT,
                    "checksum mismatch in '%s' of '%s': the file is corrupt (its data changed "
                    "after it was written); write it again or use a backup",
                    name, r->path);
      else
        st = h5fail(r, PINN_EFORMAT,
                    "cannot read dataset '%s' from '%s': truncated, corrupt, or values out of "
                    "range",
                    name, r->path);
      goto done;
    }
  }
  if (dims_out)
    for (int i = 0; i < rank; ++i) dims_out[i] = dims[i];
  if (rank_out) *rank_out = rank;
  if (want_int)
    *int_out = buf;
  else
    *dbl_out = buf;
  buf = NULL;
done:
  free(buf);
  if (dxpl >= 0) H5Pclose(dxpl);
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  if (d >= 0) H5Dclose(d);
  quiet_off(&q);
  return st;
}

int pinn_h5_read_dataset(pinn_h5_reader *r, const char *name, int expected_rank,
                         const size_t *expected_dims, double **data_out,
                         size_t dims_out[PINN_H5_MAX_RANK], int *rank_out)
{
  return read_numeric(r, name, expected_rank, expected_dims, data_out, NULL, dims_out, rank_out);
}

int pinn_h5_read_dataset_int64(pinn_h5_reader *r, const char *name, int expected_rank,
                               const size_t *expected_dims, int64_t **data_out,
                               size_t dims_out[PINN_H5_MAX_RANK], int *rank_out)
{
  return read_numeric(r, name, expected_rank, expected_dims, NULL, data_out, dims_out, rank_out);
}

/* Longest string we accept from a file (fixed-length type size). */
#define STRING_LIMIT ((size_t)1 << 28)

/* Read a one-element string from a dataset (is_attr 0) or attribute (1). */
static int read_string_obj(pinn_h5_reader *r, hid_t obj, int is_attr, const char *what,
                           const char *label, char **out)
{
  int st = 0;
  hid_t t = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
  hid_t s = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
  hid_t mt = -1;
  char *buf = NULL;
  if (t < 0 || s < 0) {
    st = h5fail(r, PINN_EFORMAT, "cannot read the type of %s %s in '%s'", what, label, r->path);
    goto done;
  }
  if (H5Tget_class(t) != H5T_STRING) {
    st = h5fail(r, PINN_EFORMAT, "%s %s in '%s' is not a string", what, label, r->path);
    goto done;
  }
  hssize_t np = H5Sget_simple_extent_npoints(s);
  if (np != 1) {
    st = h5fail(r, PINN_EFORMAT, "%s %s in '%s' holds %lld strings, expected exactly one", what,
                label, r->path, (long long)np);
    goto done;
  }
  htri_t vl = H5Tis_variable_str(t);
  if (vl < 0) {
    st = h5fail(r, PINN_EFORMAT, "cannot read the type of %s %s in '%s'", what, label, r->path);
    goto done;
  }
  /* variable length: HDF5 allocates the string (p); fixed: into buf */
  size_t size = vl ? 0 : H5Tget_size(t);
  H5T_str_t pad = vl ? H5T_STR_NULLTERM : H5Tget_strpad(t);
  if (!vl && (size == 0 || size > STRING_LIMIT)) {
    st = h5fail(r, PINN_EFORMAT, "%s %s in '%s' has an implausible string size %zu", what, label,
                r->path, size);
    goto done;
  }
  char *p = NULL;
  void *dst = vl ? (void *)&p : (buf = malloc(size + 1));
  if (!dst) {
    st = h5fail(r, PINN_ENOMEM, "out of memory reading %s %s from '%s'", what, label, r->path);
    goto done;
  }
  /* the memory type must carry the file's character set: HDF5 does not
   * convert between ASCII and UTF-8 (h5py writes UTF-8) */
  mt = H5Tcopy(H5T_C_S1);
  herr_t h = -1;
  if (mt >= 0 && H5Tset_size(mt, vl ? H5T_VARIABLE : size) >= 0 &&
      (vl || H5Tset_strpad(mt, pad) >= 0) && H5Tset_cset(mt, H5Tget_cset(t)) >= 0)
    h = is_attr ? H5Aread(obj, mt, dst) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst);
  if (h < 0) {
    st = h5fail(r, PINN_EFORMAT, "cannot read %s %s from '%s': truncated or corrupt", what, label,
                r->path);
    goto done;
  }
  if (vl) {
    buf = strdup(p ? p : "");
    if (p) H5free_memory(p);
  } else {
    buf[size] = '\0';
    for (size_t len = strlen(buf); pad == H5T_STR_SPACEPAD && len > 0 && buf[len - 1] == ' ';)
      buf[--len] = '\0';
  }
  if (!buf) {
    st = h5fail(r, PINN_ENOMEM, "out of memory reading %s %s from '%s'", what, label, r->path);
    goto done;
  }
  *out = buf;
  buf = NULL;
done:
  free(buf);
  if (mt >= 0) H5Tclose(mt);
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  return st;
}

int pinn_h5_read_string(pinn_h5_reader *r, const char *name, char **text_out)
{
  if (text_out) *text_out = NULL;
  if (!r) return PINN_EINVAL;
  if (!text_out) return h5fail(r, PINN_EINVAL, "read of string '%s': text_out is NULL", name ? name : "");
  quiet q = quiet_on();
  hid_t d;
  int st = open_dataset(r, name, &d);
  if (!st) {
    char label[300];
    snprintf(label, sizeof label, "'%s'", name);
    st = read_string_obj(r, d, 0, "dataset", label, text_out);
    H5Dclose(d);
  }
  quiet_off(&q);
  return st;
}

/* Open attribute name on object (HDF5 silenced by caller). */
static int open_attr(pinn_h5_reader *r, const char *object, const char *name, hid_t *out)
{
  *out = -1;
  if (!check_name(object) || !check_name(name))
    return h5fail(r, PINN_EINVAL, "attribute: object or attribute name is NULL or empty "
                  "(reading '%s')", r->path);
  int k = object_kind(r->file, object);
  if (k < 0)
    return h5fail(r, PINN_EFORMAT, "cannot look up '%s' in '%s': file corrupt?", object, r->path);
  if (k == 0)
    return h5fail(r, PINN_EFORMAT, "'%s' has no object '%s' (looking for its attribute '%s')",
                  r->path, object, name);
  htri_t ex = H5Aexists_by_name(r->file, object, name, H5P_DEFAULT);
  if (ex < 0)
    return h5fail(r, PINN_EFORMAT, "cannot list the attributes of '%s' in '%s': file corrupt?",
                  object, r->path);
  if (ex == 0)
    return h5fail(r, PINN_EFORMAT,
                  "'%s' in '%s' has no attribute '%s'; was it written by this version of libpinn?",
                  object, r->path, name);
  hid_t a = H5Aopen_by_name(r->file, object, name, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0)
    return h5fail(r, PINN_EFORMAT, "cannot open attribute '%s' of '%s' in '%s': file corrupt?",
                  name, object, r->path);
  *out = a;
  return 0;
}

int pinn_h5_get_attr_string(pinn_h5_reader *r, const char *object, const char *name,
                            char **value_out)
{
  if (value_out) *value_out = NULL;
  if (!r) return PINN_EINVAL;
  if (!value_out) return h5fail(r, PINN_EINVAL, "attribute read: value_out is NULL");
  quiet q = quiet_on();
  hid_t a;
  int st = open_attr(r, object, name, &a);
  if (!st) {
    char label[300];
    snprintf(label, sizeof label, "'%s' of '%s'", name, object);
    st = read_string_obj(r, a, 1, "attribute", label, value_out);
    H5Aclose(a);
  }
  quiet_off(&q);
  return st;
}

/* Read a numeric attribute of exactly n elements into out (n == 0: its
 * length into the size_t at out). */
static int read_attr_numeric(pinn_h5_reader *r, const char *object, const char *name, size_t n,
                             void *out, int want_int)
{
  if (!r) return PINN_EINVAL;
  if (!out)
    return h5fail(r, PINN_EINVAL, "attribute %s: %s is NULL", n ? "read" : "length",
                  n ? "value_out" : "n_out");
  quiet q = quiet_on();
  hid_t a, s = -1, t = -1;
  int st = open_attr(r, object, name, &a);
  if (st) goto done;
  s = H5Aget_space(a);
  t = H5Aget_type(a);
  if (s < 0 || t < 0) {
    st = h5fail(r, PINN_EFORMAT, "cannot read attribute '%s' of '%s' in '%s'", name, object,
                r->path);
    goto done;
  }
  hssize_t np = H5Sget_simple_extent_npoints(s);
  if (np < 0 || (unsigned long long)np > PINN_H5_MAX_ELEMENTS) {
    st = h5fail(r, PINN_EFORMAT, "attribute '%s' of '%s' in '%s' has an implausible size", name,
                object, r->path);
    goto done;
  }
  if (n == 0) {
    *(size_t *)out = (size_t)np;
    goto done;
  }
  H5T_class_t cls = H5Tget_class(t);
  if (!(cls == H5T_INTEGER || (!want_int && cls == H5T_FLOAT))) {
    st = h5fail(r, PINN_EFORMAT, "attribute '%s' of '%s' in '%s' is not %s", name, object,
                r->path, want_int ? "an integer" : "numeric");
    goto done;
  }
  if ((size_t)np != n) {
    st = h5fail(r, PINN_EFORMAT, "attribute '%s' of '%s' in '%s' has %lld values, expected %zu",
                name, object, r->path, (long long)np, n);
    goto done;
  }
  if (H5Aread(a, want_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, out) < 0)
    st = h5fail(r, PINN_EFORMAT, "cannot read attribute '%s' of '%s' in '%s': corrupt?", name,
                object, r->path);
done:
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  if (a >= 0) H5Aclose(a);
  quiet_off(&q);
  return st;
}

int pinn_h5_get_attr_double(pinn_h5_reader *r, const char *object, const char *name,
                            double *value_out)
{
  return read_attr_numeric(r, object, name, 1, value_out, 0);
}

int pinn_h5_get_attr_int64(pinn_h5_reader *r, const char *object, const char *name,
                           int64_t *value_out)
{
  return read_attr_numeric(r, object, name, 1, value_out, 1);
}

int pinn_h5_attr_length(pinn_h5_reader *r, const char *object, const char *name, size_t *n_out)
{
  return read_attr_numeric(r, object, name, 0, n_out, 0);
}

int pinn_h5_get_attr_double_array(pinn_h5_reader *r, const char *object, const char *name,
                                  size_t n, double *values)
{
  if (r && (!values || n == 0))
    return h5fail(r, PINN_EINVAL, "attribute array read: need n >= 1 and a values buffer");
  return read_attr_numeric(r, object, name, n, values, 0);
}
