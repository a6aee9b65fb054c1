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

/* pinn_test_poisson1d in two steps, so a test can add terms to the problem
 * before the loss exists: the problem (n_interior + 2 points, the exact
 * solution), then s->net and s->l for s->p with the weights of seed. */
pinn_problem *pinn_test_poisson1d_problem(pinn_residual_fn residual, void *ctx, size_t n_interior);
void pinn_test_poisson1d_net(pinn_test_net *s, unsigned long seed);

/* An MLP [1, width, width, 1] (tanh) with Xavier weights from mt19937(seed). */
pinn_mlp *pinn_test_line_net(size_t width, unsigned long seed);

/* An Adam warm-up of l: one phase of iters iterations at learning rate lr
 * (asserted to succeed); returns the trainer's loss. */
double pinn_test_adam(pinn_loss *l, size_t iters, double lr);

/* Fixtures of the term-kind tests (test_loss, test_lsq): an MLP
 * [n_in, 6, 5, n_out] of activation act, Xavier weights and biases in
 * +-0.1 from mt19937(seed); boundary data sin(pi x) and 0.25 + 0.1 x;
 * residuals r0 = u_t - c0 u_xx + u^3 - exp(u) u_x - sin x, r1 = u u_t / 2
 * (one learnable coefficient), -u'' - 1 (obstacles: R = -Lu - f), the
 * 2-output system r0 = u0_xx + u0_yy - u1, r1 = u1_x u0_y - u0 u1_xy, and
 * one that fails (returns 3) for x > 0.5; hard-constraint pieces on
 * (x, y, t): g = 0.5 + 0.2 x y, d = x (1 - x) y (1 - y) t, psi = 0.1 sin x. */
#include <pinn/xjet.h>
pinn_mlp *pinn_test_small_net(size_t n_in, size_t n_out, pinn_activation_kind act,
                              unsigned long seed);
int pinn_test_sin_pi_x(const double *x, double *v, void *ctx);
int pinn_test_quarter(const double *x, double *v, void *ctx);
int pinn_test_rd_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                          void *ctx);
int pinn_test_poisson_R(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                        void *ctx);
int pinn_test_system_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                              void *ctx);
int pinn_test_failing_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                               void *ctx);
int pinn_test_tr_g(const pinn_xjet *x, pinn_xjet *out, void *ctx);
int pinn_test_tr_d(const pinn_xjet *x, pinn_xjet *out, void *ctx);
int pinn_test_tr_psi(const pinn_xjet *x, pinn_xjet *out, void *ctx);

/* Problems of those tests (every call that builds them asserted to
 * succeed): "rd", pinn_test_rd_residual ("pde") on [-1, 1] x [0, 1] with the
 * coefficient nu; "conds", on the box [0, 1] x [-1, 2] with time in
 * [0, 0.5], the terms dir, neu, rob (weight 3), per (C^1 along y), per0 (C^0
 * along x, with c0_periodic), ini, rate and obs (2 data points), 100
 * points each but the data. */
pinn_problem *pinn_test_rd_problem(double nu);
pinn_problem *pinn_test_conditions_problem(int c0_periodic);
#endif
