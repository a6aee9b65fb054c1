#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <pinn/h5io.h>
#include <pinn/train.h>

#include <CUnit/Basic.h>
#include <gsl/gsl_rng.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pinn_test_run_all(void)
{
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed()
                    + CU_get_number_of_failures();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  if (run == 0) {
    fprintf(stderr, "no test ran\n");
    return 1;
  }
  return failed ? 1 : 0;
}

double pinn_test_reldiff(double a, double b, double floor)
{
  double s = fmax(fabs(a), fabs(b));
  if (s < floor) s = floor;
  return fabs(a - b) / s;
}

int pinn_test_add_suite(const char *suite, const pinn_test_case *cases)
{
  if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  if (!s) return CU_get_error();
  for (; cases->name; ++cases)
    if (!CU_add_test(s, cases->name, cases->fn)) return CU_get_error();
  return 0;
}

char *pinn_test_tmpdir(const char *tag)
{
  const char *base = getenv("TMPDIR");
  if (!base) base = "/tmp";
  size_t n = strlen(base) + strlen(tag) + 32;
  char *p = malloc(n);
  if (!p) return NULL;
  snprintf(p, n, "%s/pinn-%s-XXXXXX", base, tag);
  if (!mkdtemp(p)) { free(p); return NULL; }
  return p;
}

static const double PI = 3.14159265358979323846;

int pinn_test_poisson_residual(const double *x, const pinn_jet *u, const pinn_dual *c,
                               pinn_dual *r, void *ctx)
{
  (void)c;
  (void)ctx;
  r[0] = pd_addc(u->xx, PI * PI * sin(PI * x[0]));
  return 0;
}

int pinn_test_poisson_exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]);
  return 0;
}

pinn_test_net pinn_test_poisson1d(pinn_residual_fn residual, void *ctx, size_t n_interior,
                                  unsigned long seed)
{
  pinn_test_net s = {pinn_test_poisson1d_problem(residual, ctx, n_interior), NULL, NULL};
  pinn_test_poisson1d_net(&s, seed);
  return s;
}

void pinn_test_net_free(pinn_test_net *s)
{
  pinn_loss_free(s->l);
  pinn_mlp_free(s->net);
  pinn_problem_free(s->p);
}

double pinn_test_rel_l2(const pinn_test_net *s)
{
  double x[401], u[401], ue[401], e = 0, n = 0;
  for (int i = 0; i < 401; ++i) x[i] = -1 + i * 0.005;
  pinn_mlp_eval(s->net, 401, x, u);
  pinn_problem_exact(s->p, 401, x, ue, NULL);
  for (int i = 0; i < 401; ++i) {
    e += (u[i] - ue[i]) * (u[i] - ue[i]);
    n += ue[i] * ue[i];
  }
  return sqrt(e / n);
}

char *pinn_test_join(const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

int pinn_test_count_entries(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) ++n;
  closedir(d);
  return n;
}

void pinn_test_rmtree(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *p = pinn_test_join(dir, e->d_name);
    struct stat sb;
    if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
      pinn_test_rmtree(p);
    else
      unlink(p);
    free(p);
  }
  closedir(d);
  rmdir(dir);
}

unsigned char *pinn_test_read_file(const char *path, size_t *n)
{
  if (n) *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc(len > 0 ? (size_t)len + 1 : 1);
  size_t got = b && len > 0 ? fread(b, 1, (size_t)len, f) : 0;
  fclose(f);
  if (b) b[got] = '\0';
  if (n) *n = got;
  return b;
}

void pinn_test_write_file(const char *path, const void *b, size_t n)
{
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_EQUAL(n ? fwrite(b, 1, n, f) : 0, n);
  fclose(f);
}

void pinn_test_assert_attr_string(pinn_h5_reader *r, const char *object, const char *name,
                                  const char *want)
{
  char *s = NULL;
  CU_ASSERT_EQUAL(pinn_h5_get_attr_string(r, object, name, &s), 0);
  CU_ASSERT_STRING_EQUAL(s ? s : "(not read)", want);
  free(s);
}

pinn_problem *pinn_test_poisson1d_problem(pinn_residual_fn residual, void *ctx, size_t n_interior)
{
  pinn_problem *p = pinn_problem_alloc("poisson1d", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, residual ? residual : pinn_test_poisson_residual,
                            PINN_NEED_XX, ctx);
  pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL);
  pinn_problem_set_points(p, 0, n_interior);
  pinn_problem_set_points(p, 1, 2);
  pinn_problem_set_exact(p, pinn_test_poisson_exact, NULL);
  return p;
}

void pinn_test_poisson1d_net(pinn_test_net *s, unsigned long seed)
{
  s->net = pinn_test_line_net(20, seed);
  s->l = pinn_loss_alloc(s->p, s->net, NULL, NULL);
}

pinn_mlp *pinn_test_line_net(size_t width, unsigned long seed)
{
  size_t sizes[] = {1, width, width, 1};
  pinn_mlp_layout lay = {4, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  gsl_rng_free(r);
  return net;
}

double pinn_test_adam(pinn_loss *l, size_t iters, double lr)
{
  pinn_train_options o = pinn_train_options_default();
  o.n_phases = 1;
  o.phases[0].max_iter = iters;
  o.phases[0].lr = lr;
  pinn_trainer *t = pinn_trainer_alloc(l, &o, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  CU_ASSERT_EQUAL_FATAL(pinn_trainer_run(t), PINN_SUCCESS);
  const double f = pinn_trainer_loss(t);
  pinn_trainer_free(t);
  return f;
}

pinn_mlp *pinn_test_small_net(size_t n_in, size_t n_out, pinn_activation_kind act,
                              unsigned long seed)
{
  size_t sizes[] = {n_in, 6, 5, n_out};
  pinn_activation a[2] = {pinn_activation_default(act), pinn_activation_default(act)};
  pinn_mlp_layout lay = {4, sizes, a, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  double *th = pinn_mlp_params(net);
  for (size_t l = 1; l < 4; ++l) {
    size_t bo = pinn_mlp_bias_offset(net, l);
    for (size_t u = 0; u < sizes[l]; ++u) th[bo + u] = 0.2 * (gsl_rng_uniform(r) - 0.5);
  }
  gsl_rng_free(r);
  return net;
}

int pinn_test_sin_pi_x(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = sin(PI * x[0]);
  return 0;
}

int pinn_test_quarter(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = 0.25 + 0.1 * x[0];
  return 0;
}

int pinn_test_rd_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                          void *ctx)
{
  (void)ctx;
  pinn_dual diff = pd_mul(c[0], u->xx);
  pinn_dual nl = pd_sub(pd_powi(u->v, 3), pd_mul(pd_exp(u->v), u->x));
  r[0] = pd_subc(pd_add(pd_sub(u->t, diff), nl), sin(x[0]));
  r[1] = pd_scale(pd_mul(u->v, u->t), 0.5);
  return 0;
}

int pinn_test_poisson_R(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                        void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_subc(pd_neg(u->xx), 1.0);
  return 0;
}

int pinn_test_system_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                              void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_sub(pd_add(u[0].xx, u[0].yy), u[1].v);
  r[1] = pd_sub(pd_mul(u[1].x, u[0].y), pd_mul(u[0].v, u[1].xy));
  return 0;
}

int pinn_test_failing_residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                               void *ctx)
{
  (void)u; (void)c; (void)ctx;
  r[0] = pd_const(0);
  return x[0] > 0.5 ? 3 : 0;
}

int pinn_test_tr_g(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_addc(px_scale(px_mul(x[0], x[1]), 0.2), 0.5);
  return 0;
}

int pinn_test_tr_d(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  pinn_xjet a = px_mul(x[0], px_csub(1.0, x[0])), b = px_mul(x[1], px_csub(1.0, x[1]));
  *out = px_mul(px_mul(a, b), x[2]);
  return 0;
}

int pinn_test_tr_psi(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)ctx;
  *out = px_scale(px_sin(x[0]), 0.1);
  return 0;
}

pinn_problem *pinn_test_rd_problem(double nu)
{
  pinn_problem *p = pinn_problem_alloc("rd", 1, 1, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "nu", nu, NULL), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 2, pinn_test_rd_residual,
                                            PINN_NEED_X | PINN_NEED_T | PINN_NEED_XX, NULL),
                  PINN_SUCCESS);
  return p;
}

pinn_problem *pinn_test_conditions_problem(int c0_periodic)
{
  pinn_problem *p = pinn_problem_alloc("conds", 2, 1, 1, NULL);
  pinn_domain dom;
  double lo[2] = {0, -1}, hi[2] = {1, 2};
  pinn_domain_box(&dom, 2, lo, hi, NULL);
  pinn_domain_with_time(&dom, 0, 0.5, NULL);
  pinn_problem_set_domain(p, &dom);
  double xd[6] = {0.1, 0.2, 0.3, 0.5, -0.5, 0.1}, yd[2] = {0.3, -0.2};
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "dir", 0, pinn_test_sin_pi_x, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_neumann(p, "neu", 0, pinn_test_quarter, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_robin(p, "rob", 0, 2.0, 0.5, pinn_test_quarter, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_periodic(p, "per", 0, 1, 1), 0);
  if (c0_periodic) CU_ASSERT_EQUAL(pinn_problem_add_periodic(p, "per0", 0, 0, 0), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_initial(p, "ini", 0, pinn_test_sin_pi_x, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_initial_rate(p, "rate", 0, pinn_test_quarter, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_data(p, "obs", 0, 2, xd, yd), 0);
  pinn_problem_set_weight(p, 2, 3.0);
  for (size_t i = 0; i + 1 < pinn_problem_n_terms(p); ++i) pinn_problem_set_points(p, i, 100);
  return p;
}
