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
#endif
