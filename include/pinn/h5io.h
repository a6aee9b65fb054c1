/* libpinn — a thin, safe layer over HDF5 for solutions, checkpoints and models.
 *
 * Writing is atomic: pinn_h5_create() reserves "<path>.tmp.<pid>.<n>" in the
 * same directory and builds the HDF5 file in memory; pinn_h5_commit() writes
 * the image to the temporary file, fsync()s it, renames it onto <path> and
 * fsync()s the directory (the usual POSIX recipe).  Memory use is about the
 * file's size while writing, twice that during commit.  Any failure on a
 * writer is sticky: later calls return the same status, and commit then fails
 * and removes the temporary file, so a reader sees either the complete old
 * file or the complete new one.
 *
 * Reading validates everything it returns: object kind, type class, rank,
 * dimensions and an element-count limit (PINN_H5_MAX_ELEMENTS); a missing,
 * foreign, truncated or corrupt file, or an unexpected object, gives
 * PINN_EIO / PINN_EFORMAT / PINN_EINVAL and a message naming the file and
 * the object, never a crash of ours.
 *
 * HDF5 prints its error stack by default; every function here silences it for
 * the duration of the call (H5Eget_auto2 / H5Eset_auto2, restored before
 * returning) and folds HDF5's innermost error description into the handle's
 * message.  Files are created with the HDF5 1.8 format (H5F_LIBVER_V18) so
 * their metadata carries checksums, which turns most corruption into an error
 * instead of garbage; HDF5 >= 1.8 (h5py, ParaView) reads them.
 *
 * Layout conventions: numbers are stored as IEEE float64 little-endian or
 * int64 little-endian, arrays in C order (last index fastest); strings as
 * fixed-length, NUL-terminated ASCII/UTF-8 (fixed- and variable-length ones
 * are read).  Numeric attributes of one value have a scalar dataspace.
 * Datasets with data are chunked with HDF5's Fletcher32 checksum, verified
 * on every read ("checksum mismatch in '<name>'"); files without it read as
 * before.  Creating a writer removes "<path>.tmp.<pid>.<n>" files whose
 * process is gone (left by killed writers).  Object names may contain '/'
 * (groups are created as needed) and are taken relative to the root group.
 *
 * The serial HDF5 library is not thread-safe: use one thread at a time for
 * all HDF5 work in a process.
 */
#ifndef PINN_H5IO_H
#define PINN_H5IO_H

#include <stddef.h>
#include <stdint.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Highest dataset rank read or written (dims arrays have this many slots). */
#define PINN_H5_MAX_RANK 8
/* Largest number of elements a reader will load from one dataset (2^31). */
#define PINN_H5_MAX_ELEMENTS ((size_t)1 << 31)
/* Wildcard for one entry of expected_dims: any extent is accepted there. */
#define PINN_H5_ANY ((size_t)-1)

typedef struct pinn_h5_writer pinn_h5_writer;
typedef struct pinn_h5_reader pinn_h5_reader;

/* ----------------------------------------------------------------- writer */

/* Start writing <path> atomically (temporary file "<path>.tmp.<pid>.<n>" created
 * now in the same directory).  Returns NULL and fills err (PINN_EIO naming the
 * path) when the directory is missing or unwritable.  Finish with commit or
 * abort. */
pinn_h5_writer *pinn_h5_create(const char *path, pinn_error *err);

/* Write a float64 dataset of the given rank (0..8; 0 = scalar) and dims (C
 * order, rank entries, zeros allowed) from data (prod(dims) values).  The name
 * may contain '/'; missing groups are created.  Fails if it already exists. */
int pinn_h5_write_dataset(pinn_h5_writer *w, const char *name, int rank,
                          const size_t *dims, const double *data);

/* Same as pinn_h5_write_dataset for int64 data (indices, counts, seeds). */
int pinn_h5_write_dataset_int64(pinn_h5_writer *w, const char *name, int rank,
                                const size_t *dims, const int64_t *data);

/* Write a scalar string dataset holding text (NUL-terminated, copied). */
int pinn_h5_write_string(pinn_h5_writer *w, const char *name, const char *text);

/* Create a group (and missing parents); succeeds if it already exists. */
int pinn_h5_create_group(pinn_h5_writer *w, const char *name);

/* Set (or replace) a string attribute on object ("/", a group or a dataset,
 * which must exist). */
int pinn_h5_set_attr_string(pinn_h5_writer *w, const char *object, const char *name,
                            const char *value);

/* Set (or replace) a float64 attribute (one value) on object. */
int pinn_h5_set_attr_double(pinn_h5_writer *w, const char *object, const char *name,
                            double value);

/* Set (or replace) an int64 attribute (one value) on object. */
int pinn_h5_set_attr_int64(pinn_h5_writer *w, const char *object, const char *name,
                           int64_t value);

/* Set (or replace) a float64 array attribute of n >= 1 values on object. */
int pinn_h5_set_attr_double_array(pinn_h5_writer *w, const char *object, const char *name,
                                  size_t n, const double *values);

/* Finish: write the file image to the temporary file, fsync, rename onto the
 * final path, fsync the directory; then free w (always, even on failure).  On
 * any failure (now, e.g. PINN_EIO for a full disk, or earlier on this writer)
 * the temporary file is removed, the final path is untouched and err
 * (optional) gets the status and message.  NULL w returns PINN_EINVAL. */
int pinn_h5_commit(pinn_h5_writer *w, pinn_error *err);

/* Discard: close and delete the temporary file, free w.  NULL is a no-op. */
void pinn_h5_abort(pinn_h5_writer *w);

/* Last error message of the writer ("" if none); owned by w. */
const char *pinn_h5_writer_errmsg(const pinn_h5_writer *w);

/* Path of the temporary file being written (owned by w), for diagnostics. */
const char *pinn_h5_writer_temp_path(const pinn_h5_writer *w);

/* ----------------------------------------------------------------- reader */

/* Open an existing HDF5 file read-only.  Returns NULL and fills err with
 * PINN_EIO (missing or unreadable) or PINN_EFORMAT (not HDF5, truncated,
 * corrupt), with a message naming the path. */
pinn_h5_reader *pinn_h5_open(const char *path, pinn_error *err);

/* Close the file and free r.  NULL is a no-op. */
void pinn_h5_close(pinn_h5_reader *r);

/* Last error message of the reader ("" if none); owned by r. */
const char *pinn_h5_reader_errmsg(const pinn_h5_reader *r);

/* 1 if an object (group or dataset) called name exists, 0 if not (also for
 * NULL arguments or an unreadable path). */
int pinn_h5_has(pinn_h5_reader *r, const char *name);

/* 1 if object ("/", group or dataset) exists and has attribute attr, else 0. */
int pinn_h5_has_attr(pinn_h5_reader *r, const char *object, const char *attr);

/* Rank (0..8) and dims (C order; *rank entries filled) of dataset name. */
int pinn_h5_dataset_shape(pinn_h5_reader *r, const char *name, int *rank,
                          size_t dims[PINN_H5_MAX_RANK]);

/* Read a numeric dataset (any integer or float type, converted to float64).
 * expected_rank: required rank or -1 for any; expected_dims: NULL for any, or
 * expected_rank entries each an extent or PINN_H5_ANY.  On success *data_out
 * is a malloc'd array of prod(dims) values (at least one slot, so free() is
 * always valid) owned by the caller; dims_out and rank_out (both optional)
 * receive the shape.  On failure *data_out is NULL. */
int pinn_h5_read_dataset(pinn_h5_reader *r, const char *name, int expected_rank,
                         const size_t *expected_dims, double **data_out,
                         size_t dims_out[PINN_H5_MAX_RANK], int *rank_out);

/* Same as pinn_h5_read_dataset for an integer dataset read as int64 (float
 * datasets are refused rather than rounded). */
int pinn_h5_read_dataset_int64(pinn_h5_reader *r, const char *name, int expected_rank,
                               const size_t *expected_dims, int64_t **data_out,
                               size_t dims_out[PINN_H5_MAX_RANK], int *rank_out);

/* Read a scalar (or one-element) string dataset into a malloc'd,
 * NUL-terminated copy owned by the caller. */
int pinn_h5_read_string(pinn_h5_reader *r, const char *name, char **text_out);

/* Read a string attribute (fixed or variable length) into a malloc'd copy. */
int pinn_h5_get_attr_string(pinn_h5_reader *r, const char *object, const char *name,
                            char **value_out);

/* Read a numeric attribute holding exactly one value, as float64. */
int pinn_h5_get_attr_double(pinn_h5_reader *r, const char *object, const char *name,
                            double *value_out);

/* Read an integer attribute holding exactly one value, as int64. */
int pinn_h5_get_attr_int64(pinn_h5_reader *r, const char *object, const char *name,
                           int64_t *value_out);

/* Number of elements of attribute name on object (for sizing an array read). */
int pinn_h5_attr_length(pinn_h5_reader *r, const char *object, const char *name,
                        size_t *n_out);

/* Read a numeric attribute of exactly n elements into values[0..n-1] (float64);
 * a different length fails with PINN_EFORMAT naming both lengths. */
int pinn_h5_get_attr_double_array(pinn_h5_reader *r, const char *object, const char *name,
                                  size_t n, double *values);

PINN_END_DECLS
#endif
