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

/* The poisson1d fixture several tests train: -u'' = pi^2 sin(pi x) on
 * (-1, 1), u(+-1) = 0, exact u = sin(pi x), n_interior collocation points
 * and 2 boundary points, an MLP [1, 20, 20, 1] (tanh) with Xavier weights
 * from mt19937(seed), and its loss.  residual NULL means
 * pinn_test_poisson_residual; ctx goes to the residual. */
#include <pinn/loss.h>
#include <pinn/mlp.h>
#include <pinn/problem.h>
typedef struct pinn_test_net {
  pinn_problem *p;
  pinn_mlp *net;
  pinn_loss *l;
} pinn_test_net;
int pinn_test_poisson_residual(const double *x, const pinn_jet *u, const pinn_dual *c,
                               pinn_dual *r, void *ctx);
int pinn_test_poisson_exact(const double *x, double *u, void *ctx); /* sin(pi x) */
pinn_test_net pinn_test_poisson1d(pinn_residual_fn residual, void *ctx, size_t n_interior,
                                  unsigned long seed);
void pinn_test_net_free(pinn_test_net *s);
/* Relative L2 error of the network against the exact solution on 401
 * equispaced points of [-1, 1]. */
double pinn_test_rel_l2(const pinn_test_net *s);
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
