/* Tests for problem descriptions: sticky setup errors.  Every setter and
 * adder that can fail records its first failure on the problem
 * (pinn_problem_status, pinn_problem_setup_errmsg), its message naming the
 * call; later calls still work and do not replace it; pinn_loss_alloc and
 * pinn_solve refuse the problem with that message, so nothing trains. */
#include <pinn/pinn.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static int heat(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_sub(u->t, u->xx);
  return 0;
}

static int zero(const double *x, double *v, void *ctx)
{
  (void)x; (void)ctx;
  *v = 0;
  return 0;
}

static int keep(const double *x, void *ctx)
{
  (void)x; (void)ctx;
  return 1;
}

static int tr_zero(const pinn_xjet *x, pinn_xjet *out, void *ctx)
{
  (void)x; (void)ctx;
  *out = px_const(0.0);
  return 0;
}

/* A valid heat problem on (0, 1) x (0, 1): term 0 "pde", term 1 "walls". */
static pinn_problem *heat_problem(void)
{
  pinn_problem *p = pinn_problem_alloc("heat", 1, 1, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 1, heat, PINN_NEED_T | PINN_NEED_XX, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "walls", 0, zero, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_initial(p, "start", 0, zero, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 0, 64), 0);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  return p;
}

/* One failing call per setter/adder of problem.h that can fail. */
static int bad_call(pinn_problem *p, int which)
{
  double lo[2] = {0, 0}, hi[2] = {1, 1}, x0[2] = {0.5, 0.5}, y0 = 0;
  pinn_domain box;
  pinn_barrier rb = pinn_barrier_default();
  pinn_transform bad_tr = pinn_transform_dirichlet(3, tr_zero, tr_zero, NULL);
  size_t grid[2] = {1, 5};
  switch (which) {
  case 0: return pinn_problem_set_output_names(p, "a,b");
  case 1:
    pinn_domain_box(&box, 2, lo, hi, NULL);
    return pinn_problem_set_domain(p, &box);
  case 2: return pinn_problem_add_coefficient(p, "bad name", 1.0, NULL);
  case 3: return pinn_problem_set_coefficient_scale(p, 3, 1.0);
  case 4: return pinn_problem_add_residual(p, "r2", 0, heat, PINN_NEED_XX, NULL);
  case 5: return pinn_problem_add_dirichlet(p, "pde", 0, zero, NULL);
  case 6: return pinn_problem_add_neumann(p, "n", 3, zero, NULL);
  case 7: return pinn_problem_add_robin(p, "rb", 0, 0.0, 0.0, zero, NULL);
  case 8: return pinn_problem_add_periodic(p, "per", 0, 5, 0);
  case 9: return pinn_problem_add_initial(p, "ini", 4, zero, NULL);
  case 10: return pinn_problem_add_initial_rate(p, "bad-name", 0, zero, NULL);
  case 11: return pinn_problem_add_data(p, "d", 0, 0, x0, &y0);
  case 12: return pinn_problem_add_obstacle(p, "ob", 0, 2, zero, NULL, NULL);
  case 13: return pinn_problem_add_complementarity(p, "c", 0, heat, PINN_NEED_XX, NULL, NULL, NULL);
  case 14: return pinn_problem_set_weight(p, 0, -1.0);
  case 15: return pinn_problem_set_points(p, 0, 1000000000);
  case 16: return pinn_problem_set_where(p, 7, keep, NULL);
  case 17: return pinn_problem_set_barrier(p, 0, &rb);
  case 18: return pinn_problem_set_transform(p, &bad_tr);
  case 19: return pinn_problem_set_reference_grid(p, NULL, NULL, NULL);
  case 20: return pinn_problem_set_output_grid(p, grid);
  default: return -1;
  }
}

static const char *const call_names[] = {
    "set_output_names: ", "set_domain: ", "add_coefficient('bad name'): ",
    "set_coefficient_scale(coefficient 3): ", "add_residual('r2'): ", "add_dirichlet('pde'): ",
    "add_neumann('n'): ", "add_robin('rb'): ", "add_periodic('per'): ", "add_initial('ini'): ",
    "add_initial_rate('bad-name'): ", "add_data('d'): ", "add_obstacle('ob'): ",
    "add_complementarity('c'): ", "set_weight(term 0): ", "set_points(term 0): ",
    "set_where(term 7): ", "set_barrier(term 0): ", "set_transform: ", "set_reference_grid: ",
    "set_output_grid: "};
#define N_CALLS (sizeof call_names / sizeof *call_names)

static pinn_mlp *small_net(void)
{
  size_t sizes[] = {2, 5, 1};
  pinn_activation a[1] = {pinn_activation_default(PINN_ACT_TANH)};
  pinn_mlp_layout lay = {3, sizes, a, 0};
  return pinn_mlp_alloc(&lay, NULL);
}

static void every_failing_setup_call_is_sticky_and_refused_by_the_loss(void)
{
  pinn_mlp *net = small_net();
  pinn_error err;
  for (size_t w = 0; w < N_CALLS; ++w) {
    pinn_problem *p = heat_problem();
    const size_t n_terms = pinn_problem_n_terms(p);
    int st = bad_call(p, (int)w);
    CU_ASSERT(st != 0);
    CU_ASSERT_EQUAL(pinn_problem_status(p), st);
    /* the message names the call, then says what is wrong */
    const char *m = pinn_problem_setup_errmsg(p);
    CU_ASSERT_EQUAL(strncmp(m, call_names[w], strlen(call_names[w])), 0);
    CU_ASSERT(strlen(m) > strlen(call_names[w]) + 10);
    if (strncmp(m, call_names[w], strlen(call_names[w])))
      printf("\n  call %zu: want '%s...', got '%s'\n", w, call_names[w], m);
    CU_ASSERT_STRING_EQUAL(pinn_problem_errmsg(p), m);
    CU_ASSERT_EQUAL(pinn_problem_n_terms(p), n_terms); /* nothing was added */
    /* later calls work; a success does not clear it, a second failure does not replace it */
    CU_ASSERT_EQUAL(pinn_problem_set_weight(p, 1, 2.0), 0);
    CU_ASSERT_EQUAL(pinn_problem_status(p), st);
    CU_ASSERT_STRING_EQUAL(pinn_problem_errmsg(p), m);
    CU_ASSERT_EQUAL(pinn_problem_set_points(p, 9, 10), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "set_points(term 9): "));
    CU_ASSERT_EQUAL(pinn_problem_status(p), st);
    CU_ASSERT_EQUAL(strncmp(pinn_problem_setup_errmsg(p), call_names[w], strlen(call_names[w])), 0);
    /* the loss refuses it with the first failure */
    CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net, NULL, &err));
    CU_ASSERT_EQUAL(err.code, st);
    CU_ASSERT_EQUAL(strncmp(err.msg, "problem setup failed: ", 22), 0);
    CU_ASSERT_EQUAL(strncmp(err.msg + 22, call_names[w], strlen(call_names[w])), 0);
    pinn_problem_free(p);
  }
  /* the same calls done right: no setup error, the loss is built */
  pinn_problem *p = heat_problem();
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 0, 100), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_weight(p, 1, 2.0), 0);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  CU_ASSERT_STRING_EQUAL(pinn_problem_setup_errmsg(p), "");
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, &err);
  CU_ASSERT_PTR_NOT_NULL(l);
  pinn_loss_free(l);
  pinn_problem_free(p);
  pinn_mlp_free(net);
}

static void solve_refuses_an_ignored_set_points_failure_before_training(void)
{
  pinn_problem *p = heat_problem();
  pinn_problem_set_points(p, 0, 1000000000); /* status ignored, as a careless plugin would */
  pinn_solve_config cfg = pinn_solve_config_default();
  cfg.n_hidden = 1;
  cfg.width[0] = 5;
  cfg.output = NULL;
  pinn_solve_result res;
  pinn_error err;
  pinn_error_clear(&err);
  int st = pinn_solve(p, &cfg, &res, &err);
  CU_ASSERT_EQUAL(st, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "problem setup failed: set_points(term 0): term 'pde': "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1000000000"));
  CU_ASSERT_EQUAL(res.iterations, 0);
  CU_ASSERT_EQUAL(res.evals, 0);
  pinn_problem_free(p);
}

static void input_names_are_space_then_time(void)
{
  pinn_problem *p = pinn_problem_alloc("n", 2, 1, 1, NULL);
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 0), "x");
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 1), "y");
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 2), "t");
  CU_ASSERT_PTR_NULL(pinn_problem_input_name(p, 3));
  pinn_problem_free(p);
  p = pinn_problem_alloc("n3", 3, 0, 1, NULL);
  CU_ASSERT_STRING_EQUAL(pinn_problem_input_name(p, 2), "z");
  CU_ASSERT_PTR_NULL(pinn_problem_input_name(p, 3));
  pinn_problem_free(p);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"every_failing_setup_call_is_sticky_and_refused_by_the_loss",
       every_failing_setup_call_is_sticky_and_refused_by_the_loss},
      {"solve_refuses_an_ignored_set_points_failure_before_training",
       solve_refuses_an_ignored_set_points_failure_before_training},
      {"input_names_are_space_then_time", input_names_are_space_then_time},
      {NULL, NULL}};
  if (pinn_test_add_suite("problem", cases)) return 1;
  return pinn_test_run_all();
}
