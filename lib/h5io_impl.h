/* libpinn — internal helpers for atomic file replacement, shared by h5io.c and
 * xdmf.c (never installed).
 *
 * Recipe: create "<path>.tmp.<pid>.<n>" with O_CREAT|O_EXCL in the same
 * directory (n = 0, 1, ... until a free name is found), write it, fsync it,
 * rename() it onto <path> (atomic within one file system), fsync the
 * directory so the rename itself is durable.
 */
#ifndef PINN_H5IO_IMPL_H
#define PINN_H5IO_IMPL_H

#include <stddef.h>
#include <pinn/status.h>

/* Create a fresh, empty temporary file next to path.  On success returns an
 * fd open for writing (>= 0) and *tmp_out (malloc'd name, caller frees); on
 * failure returns -1, *tmp_out = NULL and fills err with PINN_EIO naming the
 * path and the system's reason (or PINN_EINVAL / PINN_ENOMEM). */
int pinn_h5io_tmp_create(const char *path, char **tmp_out, pinn_error *err);

/* Finish a temporary file whose content has been written to fd: fsync and
 * close fd (always closed), rename tmp onto path, fsync the directory.
 * Returns 0, or PINN_EIO with err filled (tmp is then left for the caller to
 * unlink).  A failing fsync of the directory after a successful rename is
 * ignored (some file systems refuse it; the file is in place either way). */
int pinn_h5io_finish(int fd, const char *tmp, const char *path, pinn_error *err);

/* The directory part of path (".", "/" or everything before the last '/'),
 * malloc'd; NULL when out of memory. */
char *pinn_h5io_dir_of(const char *path);

/* Write all n bytes of buf to fd (the temporary file tmp for path), retrying
 * on EINTR and short writes.  Returns 0, or PINN_EIO with err filled (naming
 * tmp, path and the system's reason) after closing fd. */
int pinn_h5io_write_all(int fd, const void *buf, size_t n, const char *tmp, const char *path,
                        pinn_error *err);

#endif
