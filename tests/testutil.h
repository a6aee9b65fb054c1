/* Shared helpers for the CUnit tests (not part of the library). */
#ifndef PINN_TESTUTIL_H
#define PINN_TESTUTIL_H
#include <CUnit/CUnit.h>
#include <stddef.h>

/* Run every registered suite with the basic runner; returns the process exit
 * status (nonzero when any test or suite setup failed, which CUnit's own
 * runner does not report through its return value). */
int pinn_test_run_all(void);

/* Relative difference |a-b| / max(|a|,|b|,floor). */
double pinn_test_reldiff(double a, double b, double floor);

/* Register a suite with the given tests (NULL-terminated arrays of names and
 * functions of equal length). Returns 0 or a CUnit error. */
typedef struct { const char *name; void (*fn)(void); } pinn_test_case;
int pinn_test_add_suite(const char *suite, const pinn_test_case *cases);

/* Make a fresh temporary directory for a test; returns its path (static
 * storage per call site is not used: the caller frees). */
char *pinn_test_tmpdir(const char *tag);

/* "<dir>/<name>", malloc'd (the caller frees). */
char *pinn_test_join(const char *dir, const char *name);

/* Number of entries in dir other than . and .. (-1 when it cannot be read). */
int pinn_test_count_entries(const char *dir);

/* Remove dir and everything below it (a test's temporary folder). */
void pinn_test_rmtree(const char *dir);

/* The whole file at path, malloc'd with a NUL after its bytes (so text can
 * be searched), their number in *n (n may be NULL); NULL and *n = 0 when the
 * file cannot be opened.  The caller frees. */
unsigned char *pinn_test_read_file(const char *path, size_t *n);

/* Write the n bytes of b to path (created or truncated), asserting that the
 * file opens (fatal) and takes all n bytes. */
void pinn_test_write_file(const char *path, const void *b, size_t n);

struct pinn_h5_reader;

/* Assert that the string attribute name of object in r reads (status 0) and
 * equals want. */
void pinn_test_assert_attr_string(struct pinn_h5_reader *r, const char *object, const char *name,
                                  const char *want);
#endif
