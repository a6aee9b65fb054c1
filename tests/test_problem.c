/* Tests for problem descriptions: every function of pinn/problem.h.
 * Sticky setup errors: every setter and adder that can fail records its
 * first failure on the problem (pinn_problem_status,
 * pinn_problem_setup_errmsg), its message naming the call; later calls
 * still work and do not replace it; pinn_loss_alloc and pinn_solve refuse
 * the problem with that message, so nothing trains.  Then metadata,
 * coefficients, terms, barriers, transforms, solutions, grids, metrics,
 * and the obstacle formulation (pinn_problem_set_obstacle and
 * pinn_problem_set_obstacle_method). */
#include <pinn/pinn.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
  case 21: {
    pinn_obstacle_spec ob = pinn_obstacle_spec_default(); /* psi missing */
    return pinn_problem_set_obstacle(p, &ob);
  }
  case 22: return pinn_problem_set_obstacle_method(p, PINN_BARRIER_RELU, 0);
  case 23: {
    const char *faces[1] = {"x5+"}; /* the interval has x0- and x0+ */
    return pinn_problem_set_parts(p, 1, 1, faces);
  }
  case 24: return pinn_problem_keep(p, NULL, free);
  case 25: return pinn_problem_set_reference_points(p, 1, (double[]){0.5, 2.0}, &y0);
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
    "set_output_grid: ", "set_obstacle: ", "set_obstacle_method: ", "set_parts(term 1): ",
    "keep: ", "set_reference_points: "};
#define N_CALLS (sizeof call_names / sizeof *call_names)

static pinn_mlp *small_net(void)
{
  size_t sizes[] = {2, 5, 1};
  pinn_activation a[1] = {pinn_activation_default(PINN_ACT_TANH)};
  pinn_mlp_layout lay = {3, sizes, a, 0, NULL};
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

/* ------------------------------------------------------------ metadata */

static void allocation_metadata_and_inputs_read_back(void)
{
  pinn_error err;
  CU_ASSERT_PTR_NULL(pinn_problem_alloc("bad name", 1, 0, 1, &err));
  CU_ASSERT_EQUAL(err.code, PINN_EINVAL);
  CU_ASSERT_PTR_NULL(pinn_problem_alloc("d9", 9, 0, 1, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1 to 8"));
  CU_ASSERT_PTR_NULL(pinn_problem_alloc("many", 1, 0, PINN_MAX_OUTPUTS + 1, &err));
  pinn_problem_free(NULL); /* a no-op */
  pinn_problem *p = pinn_problem_alloc("flow", 2, 1, 3, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_STRING_EQUAL(pinn_problem_name(p), "flow");
  CU_ASSERT_STRING_EQUAL(pinn_problem_description(p), "");
  CU_ASSERT_EQUAL(pinn_problem_set_description(p, "a 2-D flow"), 0);
  CU_ASSERT_STRING_EQUAL(pinn_problem_description(p), "a 2-D flow");
  CU_ASSERT_EQUAL(pinn_problem_space_dim(p), 2);
  CU_ASSERT_EQUAL(pinn_problem_has_time(p), 1);
  CU_ASSERT_EQUAL(pinn_problem_dim(p), 3);
  CU_ASSERT_EQUAL(pinn_problem_n_out(p), 3);
  CU_ASSERT_STRING_EQUAL(pinn_problem_output_name(p, 0), "u0");
  CU_ASSERT_STRING_EQUAL(pinn_problem_output_name(p, 2), "u2");
  CU_ASSERT_EQUAL(pinn_problem_set_output_names(p, "u,v,p"), 0);
  CU_ASSERT_STRING_EQUAL(pinn_problem_output_name(p, 1), "v");
  CU_ASSERT_PTR_NULL(pinn_problem_output_name(p, 3));
  CU_ASSERT_PTR_NULL(pinn_problem_domain(p));
  pinn_domain dom;
  pinn_domain_box(&dom, 2, (double[]){0, -1}, (double[]){2, 1}, NULL);
  pinn_domain_with_time(&dom, 0, 3, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  const pinn_domain *d = pinn_problem_domain(p);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT(d->hi[0] == 2 && d->lo[1] == -1 && d->t1 == 3);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  CU_ASSERT_STRING_EQUAL(pinn_problem_errmsg(p), "");
  pinn_problem_free(p);
}

static void coefficients_read_back_with_their_scales(void)
{
  pinn_problem *p = pinn_problem_alloc("inv", 1, 1, 1, NULL);
  size_t i0 = 99, i1 = 99;
  CU_ASSERT_EQUAL(pinn_problem_n_coefs(p), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "lambda1", 0.5, &i0), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "nu", 0.003, &i1), 0);
  CU_ASSERT(i0 == 0 && i1 == 1);
  CU_ASSERT_EQUAL(pinn_problem_n_coefs(p), 2);
  CU_ASSERT_STRING_EQUAL(pinn_problem_coef_name(p, 1), "nu");
  CU_ASSERT_EQUAL(pinn_problem_coef_initial(p, 0), 0.5);
  CU_ASSERT_EQUAL(pinn_problem_coef_scale(p, 1), 1.0);
  CU_ASSERT_EQUAL(pinn_problem_set_coefficient_scale(p, 1, 0.01), 0);
  CU_ASSERT_EQUAL(pinn_problem_coef_scale(p, 1), 0.01);
  CU_ASSERT_PTR_NULL(pinn_problem_coef_name(p, 2));
  CU_ASSERT(isnan(pinn_problem_coef_initial(p, 2)));
  CU_ASSERT(isnan(pinn_problem_coef_scale(p, 2)));
  CU_ASSERT_EQUAL(pinn_problem_set_coefficient_scale(p, 0, -1), PINN_EINVAL);
  pinn_problem_free(p);
}

/* ------------------------------------------------------------ terms */

static int right_half(const double *x, void *ctx)
{
  (void)ctx;
  return x[0] > 0.5;
}

static int lap(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_scale(u->xx, -1.0);
  return 0;
}

static void terms_read_back_by_index_and_name(void)
{
  pinn_problem *p = heat_problem(); /* pde, walls, start */
  double xd[4] = {0.1, 0.2, 0.3, 0.4}, yd[2] = {1, 2};
  pinn_barrier b = pinn_barrier_default();
  b.kind = PINN_BARRIER_SOFTPLUS;
  b.param = 20;
  CU_ASSERT_EQUAL(pinn_problem_add_neumann(p, "flux", 0, zero, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_robin(p, "robin", 0, 1.0, 2.0, zero, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_periodic(p, "per", 0, 0, 1), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_initial_rate(p, "rate", 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_data(p, "obs", 0, 2, xd, yd), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_obstacle(p, "ob", 0, PINN_SENSE_LOWER, zero, NULL, &b), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_complementarity(p, "comp", 0, lap, PINN_NEED_XX, NULL, zero,
                                                   NULL), 0);
  static const pinn_term_kind kinds[] = {
      PINN_TERM_RESIDUAL, PINN_TERM_DIRICHLET,    PINN_TERM_INITIAL, PINN_TERM_NEUMANN,
      PINN_TERM_ROBIN,    PINN_TERM_PERIODIC,     PINN_TERM_INITIAL_RATE, PINN_TERM_DATA,
      PINN_TERM_OBSTACLE, PINN_TERM_COMPLEMENTARITY};
  static const size_t points[] = {64, 200, 200, 200, 200, 200, 200, 2, 1000, 1000};
  CU_ASSERT_EQUAL_FATAL(pinn_problem_n_terms(p), 10);
  for (size_t i = 0; i < 10; ++i) {
    CU_ASSERT_EQUAL(pinn_problem_term_kind(p, i), kinds[i]);
    CU_ASSERT_EQUAL(pinn_problem_term_points(p, i), points[i]);
    CU_ASSERT_EQUAL(pinn_problem_term_weight(p, i), 1.0);
    CU_ASSERT_EQUAL(pinn_problem_find_term(p, pinn_problem_term_name(p, i)), (int)i);
    CU_ASSERT_EQUAL(pinn_problem_term_output(p, i), 0);
    CU_ASSERT_EQUAL(pinn_problem_term_sense(p, i), i >= 8 ? 1 : 0);
  }
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 7), "obs");
  CU_ASSERT_PTR_NULL(pinn_problem_term_name(p, 10));
  CU_ASSERT_EQUAL(pinn_problem_find_term(p, "nosuch"), -1);
  CU_ASSERT_EQUAL(pinn_problem_set_weight(p, 3, 2.5), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_weight(p, 3), 2.5);
  CU_ASSERT(isnan(pinn_problem_term_weight(p, 10)));
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 3, 50), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_points(p, 3), 50);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 7, 5), PINN_EINVAL); /* data: its points are given */
  /* sense: obstacle and complementarity terms only */
  CU_ASSERT_EQUAL(pinn_problem_set_sense(p, 9, PINN_SENSE_UPPER), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_sense(p, 9), -1);
  CU_ASSERT_EQUAL(pinn_problem_set_sense(p, 1, PINN_SENSE_UPPER), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "has no sense"));
  /* barriers */
  const pinn_barrier *tb = pinn_problem_term_barrier(p, 8);
  CU_ASSERT(tb->kind == PINN_BARRIER_SOFTPLUS && tb->param == 20 && tb->rho == 1000);
  b.rho = 50;
  CU_ASSERT_EQUAL(pinn_problem_set_barrier(p, 8, &b), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_barrier(p, 8)->rho, 50);
  CU_ASSERT_EQUAL(pinn_problem_set_barrier(p, 0, &b), PINN_EINVAL);
  CU_ASSERT_PTR_NULL(pinn_problem_term_barrier(p, 10));
  CU_ASSERT_EQUAL(pinn_problem_status(p), PINN_EINVAL); /* the failed calls above are recorded */
  pinn_problem_free(p);

  /* a 'where' filter keeps only the points it accepts */
  p = heat_problem();
  CU_ASSERT_EQUAL(pinn_problem_set_where(p, 0, right_half, NULL), 0);
  pinn_mlp *net = small_net();
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  size_t n, dim;
  const double *x;
  CU_ASSERT_EQUAL(pinn_loss_term_points(l, 0, &n, &dim, &x), 0);
  CU_ASSERT_EQUAL(n, 64);
  int all = 1;
  for (size_t i = 0; i < n; ++i) all &= x[i * dim] > 0.5;
  CU_ASSERT(all);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* Boundary conditions on named parts: the points of 'walls' land on the
 * named end only; other kinds of term, too many names and (at the loss,
 * when the names came before the domain) unknown names are refused. */
static void boundary_terms_target_parts_by_name(void)
{
  pinn_problem *p = heat_problem();
  const char *right[1] = {"x0+"}, *got[PINN_MAX_TERM_PARTS];
  const char *many[PINN_MAX_TERM_PARTS + 1];
  for (size_t j = 0; j <= PINN_MAX_TERM_PARTS; ++j) many[j] = "x0-";
  CU_ASSERT_EQUAL(pinn_problem_term_parts(p, 1, got), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 1, 1, right), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_parts(p, 1, got), 1);
  CU_ASSERT_STRING_EQUAL(got[0], "x0+");
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 0, 1, right), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "only boundary conditions take parts"));
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 2, 1, right), PINN_EINVAL); /* initial */
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 1, PINN_MAX_TERM_PARTS + 1, many), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_term_parts(p, 1, NULL), 1); /* unchanged by the refusals */
  pinn_problem_free(p);

  p = heat_problem();
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 1, 1, right), 0);
  pinn_mlp *net = small_net();
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  size_t n, dim;
  const double *x;
  CU_ASSERT_EQUAL(pinn_loss_term_points(l, 1, &n, &dim, &x), 0);
  CU_ASSERT_EQUAL(n, 200);
  size_t at_right = 0;
  for (size_t i = 0; i < n; ++i) at_right += x[i * dim] == 1.0;
  CU_ASSERT_EQUAL(at_right, n);
  pinn_loss_free(l);
  /* nparts = 0 restores the whole boundary: both ends, 100 each */
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 1, 0, NULL), 0);
  l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  CU_ASSERT_EQUAL(pinn_loss_term_points(l, 1, &n, &dim, &x), 0);
  at_right = 0;
  for (size_t i = 0; i < n; ++i) at_right += x[i * dim] == 1.0;
  CU_ASSERT_EQUAL(at_right, n / 2);
  pinn_loss_free(l);
  pinn_problem_free(p);

  /* names given before the domain are checked by the loss */
  p = pinn_problem_alloc("late", 1, 0, 1, NULL);
  const char *nope[1] = {"inlet"};
  pinn_domain dom;
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 1, heat, PINN_NEED_XX, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "walls", 0, zero, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_parts(p, 1, 1, nope), 0);
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, 0, 1, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  size_t sizes[] = {1, 5, 1};
  pinn_activation a[1] = {pinn_activation_default(PINN_ACT_TANH)};
  pinn_mlp_layout lay = {3, sizes, a, 0, NULL};
  pinn_mlp *net1 = pinn_mlp_alloc(&lay, NULL);
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(p, net1, NULL, &err));
  CU_ASSERT_EQUAL(err.code, PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "term 'walls'"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'inlet'"));
  pinn_mlp_free(net1);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* An object handed to the problem, logging its destruction. */
typedef struct kept_obj {
  int id;
  int *log;
  size_t *n;
} kept_obj;

static void kept_destroy(void *o)
{
  kept_obj *k = o;
  k->log[(*k->n)++] = k->id;
}

static void kept_objects_are_destroyed_in_reverse_order(void)
{
  int log[PINN_MAX_KEPT + 2];
  size_t n = 0;
  kept_obj objs[PINN_MAX_KEPT + 1];
  for (int i = 0; i <= PINN_MAX_KEPT; ++i) objs[i] = (kept_obj){i, log, &n};
  pinn_problem *p = pinn_problem_alloc("keep", 1, 0, 1, NULL);
  for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL(pinn_problem_keep(p, &objs[i], kept_destroy), 0);
  CU_ASSERT_EQUAL(n, 0);
  pinn_problem_free(p);
  CU_ASSERT_EQUAL(n, 3);
  CU_ASSERT(log[0] == 2 && log[1] == 1 && log[2] == 0);
  /* one too many: destroyed at once, the call fails, the others wait */
  n = 0;
  p = pinn_problem_alloc("keep", 1, 0, 1, NULL);
  for (int i = 0; i < PINN_MAX_KEPT; ++i)
    CU_ASSERT_EQUAL(pinn_problem_keep(p, &objs[i], kept_destroy), 0);
  CU_ASSERT_EQUAL(pinn_problem_keep(p, &objs[PINN_MAX_KEPT], kept_destroy), PINN_EINVAL);
  CU_ASSERT_EQUAL(n, 1);
  CU_ASSERT_EQUAL(log[0], PINN_MAX_KEPT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "keeps 16 objects"));
  pinn_problem_free(p);
  CU_ASSERT_EQUAL(n, (size_t)PINN_MAX_KEPT + 1);
  CU_ASSERT_EQUAL(log[PINN_MAX_KEPT], 0);
  /* a NULL problem still destroys what it is handed */
  n = 0;
  CU_ASSERT_EQUAL(pinn_problem_keep(NULL, &objs[5], kept_destroy), PINN_EINVAL);
  CU_ASSERT_EQUAL(n, 1);
  /* a malloc'd object with free: nothing leaks (the sanitizer build checks) */
  p = pinn_problem_alloc("keep", 1, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_keep(p, malloc(64), free), 0);
  pinn_problem_free(p);
}

static void interior_kinds_are_residual_obstacle_and_complementarity(void)
{
  CU_ASSERT_EQUAL(pinn_term_kind_is_interior(PINN_TERM_RESIDUAL), 1);
  CU_ASSERT_EQUAL(pinn_term_kind_is_interior(PINN_TERM_OBSTACLE), 1);
  CU_ASSERT_EQUAL(pinn_term_kind_is_interior(PINN_TERM_COMPLEMENTARITY), 1);
  const pinn_term_kind others[] = {PINN_TERM_DIRICHLET, PINN_TERM_NEUMANN,  PINN_TERM_ROBIN,
                                   PINN_TERM_PERIODIC,  PINN_TERM_INITIAL,  PINN_TERM_INITIAL_RATE,
                                   PINN_TERM_DATA,      (pinn_term_kind)99, (pinn_term_kind)-1};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i)
    CU_ASSERT_EQUAL(pinn_term_kind_is_interior(others[i]), 0);
}

static void barriers_have_names_a_parser_and_a_default(void)
{
  const pinn_barrier d = pinn_barrier_default();
  CU_ASSERT(d.kind == PINN_BARRIER_RELU2 && d.rho == 1000 && d.growth == 1 && d.param == 0);
  CU_ASSERT_STRING_EQUAL(pinn_barrier_name(PINN_BARRIER_RELU2), "relu2");
  CU_ASSERT_STRING_EQUAL(pinn_barrier_name(PINN_BARRIER_SOFTPLUS), "softplus");
  CU_ASSERT_PTR_NULL(pinn_barrier_name((pinn_barrier_kind)7));
  pinn_barrier b = d;
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_barrier_parse("softplus:20", &b, &err), 0);
  CU_ASSERT(b.kind == PINN_BARRIER_SOFTPLUS && b.param == 20 && b.rho == 1000);
  CU_ASSERT_EQUAL(pinn_barrier_parse("leaky", &b, &err), 0);
  CU_ASSERT(b.kind == PINN_BARRIER_LEAKY && b.param == 0.01);
  CU_ASSERT_EQUAL(pinn_barrier_parse("quadratic", &b, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "relu2, relu, leaky"));
  CU_ASSERT_EQUAL(pinn_barrier_parse("leaky:2", &b, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_barrier_parse("relu:3", &b, &err), PINN_EINVAL);
  CU_ASSERT(b.kind == PINN_BARRIER_LEAKY); /* unchanged on failure */
}

static void transforms_replace_per_component_and_none_removes(void)
{
  pinn_problem *p = pinn_problem_alloc("tr", 1, 0, 2, NULL);
  CU_ASSERT_EQUAL(pinn_problem_n_transforms(p), 0);
  pinn_transform t0 = pinn_transform_dirichlet(0, NULL, tr_zero, NULL),
                 t1 = pinn_transform_dirichlet(1, tr_zero, tr_zero, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &t0), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &t1), 0);
  CU_ASSERT_EQUAL(pinn_problem_n_transforms(p), 2);
  CU_ASSERT_EQUAL(pinn_problem_transform(p, 1)->component, 1);
  CU_ASSERT_PTR_NULL(pinn_problem_transform(p, 2));
  t0.g = tr_zero; /* the same component again: replaced */
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &t0), 0);
  CU_ASSERT_EQUAL(pinn_problem_n_transforms(p), 2);
  CU_ASSERT(pinn_problem_transform(p, 0)->g == tr_zero);
  pinn_transform none = t0;
  none.kind = PINN_TRANSFORM_NONE; /* removes component 0 */
  CU_ASSERT_EQUAL(pinn_problem_set_transform(p, &none), 0);
  CU_ASSERT_EQUAL(pinn_problem_n_transforms(p), 1);
  CU_ASSERT_EQUAL(pinn_problem_transform(p, 0)->component, 1);
  pinn_problem_free(p);
}

/* ------------------------------------------------------- solutions, grids */

static int parabola(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = x[0] * (1 - x[0]);
  return x[0] > 2 ? -3 : 0; /* fails outside [0, 1] */
}

static int two_metrics(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)l;
  const int fail = *(const int *)ctx;
  pinn_metric m[2] = {{"a", 1.5}, {"b", -2}};
  for (*n = 0; *n < 2 && *n < max; ++*n) out[*n] = m[*n];
  return fail;
}

static void exact_obstacle_and_metrics_evaluate_their_callbacks(void)
{
  pinn_problem *p = pinn_problem_alloc("sol", 1, 0, 1, NULL);
  double x[3] = {0, 0.5, 3}, u[3], psi[3];
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_problem_has_exact(p), 0);
  CU_ASSERT_EQUAL(pinn_problem_exact(p, 1, x, u, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no exact solution"));
  CU_ASSERT_EQUAL(pinn_problem_set_exact(p, parabola, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_has_exact(p), 1);
  CU_ASSERT_EQUAL(pinn_problem_exact(p, 2, x, u, &err), 0);
  CU_ASSERT(u[0] == 0 && u[1] == 0.25 && err.code == 0);
  CU_ASSERT_EQUAL(pinn_problem_exact(p, 3, x, u, &err), PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "failed (-3) at point 2"));
  CU_ASSERT_EQUAL(pinn_problem_exact(p, 3, x, u, NULL), PINN_ECALLBACK); /* err may be NULL */
  /* the obstacle of the first obstacle term */
  CU_ASSERT_EQUAL(pinn_problem_obstacle(p, 2, x, psi, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has no obstacle"));
  CU_ASSERT_EQUAL(pinn_problem_add_obstacle(p, "ob", 0, PINN_SENSE_LOWER, parabola, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_obstacle(p, 2, x, psi, &err), 0);
  CU_ASSERT(psi[1] == 0.25);
  CU_ASSERT_EQUAL(pinn_problem_obstacle(p, 3, x, psi, &err), PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "term 'ob': the obstacle callback failed"));
  /* metrics: none set gives none; a failing callback is reported */
  pinn_metric m[PINN_MAX_METRICS];
  size_t n = 9;
  CU_ASSERT_EQUAL(pinn_problem_metrics(p, NULL, m, PINN_MAX_METRICS, &n, &err), 0);
  CU_ASSERT_EQUAL(n, 0);
  int fail = 0;
  CU_ASSERT_EQUAL(pinn_problem_set_metrics(p, two_metrics, &fail), 0);
  CU_ASSERT_EQUAL(pinn_problem_metrics(p, NULL, m, PINN_MAX_METRICS, &n, &err), 0);
  CU_ASSERT(n == 2 && m[1].value == -2 && !strcmp(m[0].name, "a"));
  CU_ASSERT_EQUAL(pinn_problem_metrics(p, NULL, m, 1, &n, &err), 0);
  CU_ASSERT_EQUAL(n, 1);
  fail = 7;
  CU_ASSERT_EQUAL(pinn_problem_metrics(p, NULL, m, PINN_MAX_METRICS, &n, &err), PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "metrics callback failed (7)"));
  /* a const evaluation leaves the handle's setup state alone */
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  pinn_problem_free(p);
}

static void output_grid_defaults_and_the_reference_grid(void)
{
  size_t c[4];
  pinn_problem *p = pinn_problem_alloc("g1", 1, 1, 1, NULL);
  pinn_problem_output_grid(p, c);
  CU_ASSERT(c[0] == 201 && c[1] == 51);
  CU_ASSERT_EQUAL(pinn_problem_set_output_grid(p, (size_t[]){11, 5}), 0);
  pinn_problem_output_grid(p, c);
  CU_ASSERT(c[0] == 11 && c[1] == 5);
  CU_ASSERT_EQUAL(pinn_problem_reference_grid(p, NULL, NULL, NULL), 0);
  const double ax[3] = {0, 0.5, 1}, at[2] = {0, 1}, u[6] = {1, 2, 3, 4, 5, 6};
  const double *axes[2] = {ax, at};
  CU_ASSERT_EQUAL(pinn_problem_set_reference_grid(p, (size_t[]){3, 2}, axes, u), 0);
  size_t rc[2];
  const double *ra[2], *ru;
  CU_ASSERT_EQUAL(pinn_problem_reference_grid(p, rc, ra, &ru), 1);
  CU_ASSERT(rc[0] == 3 && rc[1] == 2 && ra[0][1] == 0.5 && ra[1][1] == 1 && ru[5] == 6);
  CU_ASSERT(ra[0] != ax && ru != u); /* copied */
  pinn_problem_output_grid(p, c); /* the reference grid is the output grid */
  CU_ASSERT(c[0] == 3 && c[1] == 2);
  pinn_problem_free(p);
  p = pinn_problem_alloc("g2", 2, 0, 1, NULL);
  pinn_problem_output_grid(p, c);
  CU_ASSERT(c[0] == 101 && c[1] == 101);
  pinn_problem_free(p);
  /* beyond 3 space dimensions: the 3-D slice through the middle of the rest */
  size_t c6[6];
  p = pinn_problem_alloc("g5", 5, 1, 1, NULL);
  pinn_problem_output_grid(p, c6);
  CU_ASSERT(c6[0] == 41 && c6[1] == 41 && c6[2] == 41 && c6[3] == 1 && c6[4] == 1 && c6[5] == 21);
  CU_ASSERT_EQUAL(pinn_problem_set_output_grid(p, (size_t[]){5, 6, 7, 2, 1, 3}), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "give axis 3 1 point, not 2"));
  CU_ASSERT_EQUAL(pinn_problem_set_output_grid(p, (size_t[]){5, 6, 7, 1, 1, 3}), 0);
  pinn_problem_output_grid(p, c6);
  CU_ASSERT(c6[0] == 5 && c6[2] == 7 && c6[3] == 1 && c6[5] == 3);
  const double a5[2] = {0, 1}, u5[64] = {0};
  const double *axes5[6] = {a5, a5, a5, a5, a5, a5};
  CU_ASSERT_EQUAL(pinn_problem_set_reference_grid(p, (size_t[]){2, 2, 2, 2, 2, 2}, axes5, u5),
                  PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "takes reference points"));
  pinn_problem_free(p);
  p = pinn_problem_alloc("g3", 3, 0, 1, NULL);
  pinn_problem_output_grid(p, c);
  CU_ASSERT(c[0] == 41 && c[2] == 41);
  pinn_problem_free(p);
}

static void reference_points_are_copied_and_bad_points_are_refused(void)
{
  /* heat on (0, 1) x (0, 1): points (x, t), one output */
  pinn_problem *p = heat_problem();
  CU_ASSERT_EQUAL(pinn_problem_reference_points(p, NULL, NULL), 0);
  double x[6] = {0.25, 0.5, 1.0, 0.0, 0.0, 1.0}, u[3] = {1, 2, 3};
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 3, x, u), 0);
  x[0] = 9;
  u[0] = 9; /* copied: the caller's arrays are free again */
  const double *rx, *ru;
  CU_ASSERT_EQUAL(pinn_problem_reference_points(p, &rx, &ru), 3);
  CU_ASSERT(rx[0] == 0.25 && rx[5] == 1.0 && ru[0] == 1 && ru[2] == 3);
  /* on the boundary up to the tolerance (1e-6 of the domain's size): kept */
  double edge[2] = {1 + 5e-7, -5e-7}, v = 0;
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 1, edge, &v), 0);
  CU_ASSERT_EQUAL(pinn_problem_reference_points(p, &rx, NULL), 1); /* replaced */
  CU_ASSERT_EQUAL(rx[0], 1 + 5e-7);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  pinn_problem_free(p);
  /* refusals: each names the point and says what to fix; the points stay */
  struct {
    size_t n;
    double x[2], u;
    const char *says;
  } bad[] = {
      {0, {0.5, 0.5}, 1, "give 1 to"},
      {1, {1.01, 0.5}, 1, "reference point 0 (1.01, 0.5) lies outside the domain"},
      {1, {0.5, -0.01}, 1, "lies outside the domain"}, /* before t0 */
      {1, {NAN, 0.5}, 1, "reference point 0: coordinate 1 is not finite"},
      {1, {0.5, 0.5}, INFINITY, "reference point 0: the value of u is not finite"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    p = heat_problem();
    CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 1, (double[]){0.5, 0.5}, (double[]){7}), 0);
    CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, bad[i].n, bad[i].x, &bad[i].u), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), bad[i].says));
    if (!strstr(pinn_problem_errmsg(p), bad[i].says))
      printf("\n  case %zu: got '%s'\n", i, pinn_problem_errmsg(p));
    CU_ASSERT_EQUAL(strncmp(pinn_problem_errmsg(p), "set_reference_points: ", 22), 0);
    CU_ASSERT_EQUAL(pinn_problem_reference_points(p, NULL, &ru), 1);
    CU_ASSERT_EQUAL(ru[0], 7);
    pinn_problem_free(p);
  }
  /* NULL arrays, and a problem without a domain yet */
  p = heat_problem();
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 1, NULL, u), PINN_EINVAL);
  pinn_problem_free(p);
  p = pinn_problem_alloc("nodomain", 2, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 1, (double[]){0, 0}, u), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "call pinn_problem_set_domain first"));
  /* a disc: a node on the circle rounded outwards to 10 digits is kept */
  pinn_domain disc;
  CU_ASSERT_EQUAL(pinn_domain_ball(&disc, 2, (double[]){0, 0}, 1.0, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &disc), 0);
  double c9[2] = {0.7071067812, 0.7071067812}, far[2] = {0.8, 0.8};
  CU_ASSERT(!pinn_domain_contains(&disc, c9));
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 1, c9, u), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, 1, far, u), PINN_EINVAL);
  pinn_problem_free(p);
}

/* ------------------------------------------------------------ obstacle */

static int ob_psi(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = 0.1 - x[0] * x[0];
  return 0;
}

static int ob_energy(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r,
                     void *ctx)
{
  (void)x; (void)c; (void)ctx;
  r[0] = pd_scale(u->x, M_SQRT1_2);
  return 0;
}

/* -u'' = 0, u >= psi on (-1, 1), u(+-1) = 0: the obstacle stated once, then
 * a Dirichlet term of weight 10 (1000 with the energy: factor 100). */
static pinn_obstacle_spec ob_spec(void)
{
  pinn_obstacle_spec s = pinn_obstacle_spec_default();
  s.psi = ob_psi;
  s.residual = lap;
  s.residual_needs = PINN_NEED_XX;
  s.energy = ob_energy;
  s.n_energy = 1;
  s.energy_needs = PINN_NEED_X;
  s.points = 64;
  s.rho = 30;
  s.energy_rho = 1e4;
  s.energy_weight_factor = 100;
  return s;
}

static pinn_problem *ob_problem(const pinn_obstacle_spec *s)
{
  pinn_problem *p = pinn_problem_alloc("ob1", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle(p, s), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_weight(p, pinn_problem_n_terms(p) - 1, 10), 0);
  return p;
}

/* The loss of p on a fixed small network. */
static double loss_of(pinn_problem *p)
{
  size_t sizes[] = {1, 6, 1};
  pinn_mlp_layout lay = {3, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  double *th = pinn_mlp_params(net), f = NAN;
  for (size_t i = 0; i < pinn_mlp_n_params(net); ++i) th[i] = sin(1.0 + (double)i);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL(l);
  if (l) CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f, NULL, NULL), 0);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  return f;
}

static void obstacle_spec_adds_its_default_formulation_in_place(void)
{
  const pinn_obstacle_spec d = pinn_obstacle_spec_default();
  CU_ASSERT(d.sense == PINN_SENSE_LOWER && d.method == PINN_OBSTACLE_BOTH && d.points == 1000 &&
            d.rho == 1000 && d.energy_rho == 1000 && d.energy_weight_factor == 1 && !d.psi);
  pinn_obstacle_spec s = ob_spec();
  pinn_problem *p = ob_problem(&s);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_n_terms(p), 3);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 0), "pde");
  CU_ASSERT_EQUAL(pinn_problem_term_kind(p, 0), PINN_TERM_COMPLEMENTARITY);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 1), "obstacle");
  CU_ASSERT_EQUAL(pinn_problem_term_kind(p, 1), PINN_TERM_OBSTACLE);
  CU_ASSERT_EQUAL(pinn_problem_term_points(p, 0), 64);
  CU_ASSERT_EQUAL(pinn_problem_term_points(p, 1), 64);
  const pinn_barrier *b = pinn_problem_term_barrier(p, 1);
  CU_ASSERT(b->kind == PINN_BARRIER_RELU2 && b->rho == 30 && b->rho_max == 30 && b->growth == 1);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_OBSTACLE_BOTH);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_penalty(p), 30);
  /* the same terms added by hand give the same loss, bitwise */
  pinn_problem *q = pinn_problem_alloc("ob1", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, -1, 1, NULL);
  pinn_problem_set_domain(q, &dom);
  pinn_barrier hb = pinn_barrier_default();
  hb.rho = hb.rho_max = 30;
  pinn_problem_add_complementarity(q, "pde", 0, lap, PINN_NEED_XX, NULL, ob_psi, NULL);
  pinn_problem_add_obstacle(q, "obstacle", 0, PINN_SENSE_LOWER, ob_psi, NULL, &hb);
  pinn_problem_add_dirichlet(q, "bc", 0, NULL, NULL);
  pinn_problem_set_points(q, 0, 64);
  pinn_problem_set_points(q, 1, 64);
  pinn_problem_set_weight(q, 2, 10);
  CU_ASSERT_EQUAL(pinn_problem_status(q), 0);
  const double f = loss_of(p), g = loss_of(q);
  CU_ASSERT(isfinite(f) && f == g);
  pinn_problem_free(q);
  /* one obstacle per problem */
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle(p, &s), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "already states its obstacle"));
  pinn_problem_free(p);
  /* an upper obstacle: both terms take the sense */
  s.sense = PINN_SENSE_UPPER;
  s.method = PINN_OBSTACLE_COMPLEMENTARITY;
  p = ob_problem(&s);
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 2);
  CU_ASSERT_EQUAL(pinn_problem_term_sense(p, 0), -1);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_penalty(p), 0);
  pinn_problem_free(p);
}

static void obstacle_method_switches_terms_weights_and_barriers(void)
{
  pinn_obstacle_spec s = ob_spec();
  pinn_problem *p = ob_problem(&s);
  const double f_default = loss_of(p);
  /* a barrier alone: the energy and the barrier, the boundary weight x 100 */
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_SOFTPLUS, 0), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_n_terms(p), 3);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 0), "energy");
  CU_ASSERT_EQUAL(pinn_problem_term_kind(p, 0), PINN_TERM_RESIDUAL);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 1), "obstacle");
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 2), "bc");
  const pinn_barrier *b = pinn_problem_term_barrier(p, 1);
  CU_ASSERT(b->kind == PINN_BARRIER_SOFTPLUS && b->param == 50 && b->rho == 1e4 &&
            b->rho_max == 1e4 && b->growth == 1);
  CU_ASSERT_EQUAL(pinn_problem_term_weight(p, 2), 1000);
  CU_ASSERT_EQUAL(pinn_problem_term_points(p, 0), 64);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_BARRIER_SOFTPLUS);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_penalty(p), 1e4);
  /* asking again changes nothing: a caller's later changes stay */
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 0, 80), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_SOFTPLUS, 1e4), 0);
  CU_ASSERT_EQUAL(pinn_problem_term_points(p, 0), 80);
  /* another barrier, a given penalty */
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_LEAKY, 77), 0);
  b = pinn_problem_term_barrier(p, 1);
  CU_ASSERT(b->kind == PINN_BARRIER_LEAKY && b->param == 0.01 && b->rho == 77);
  CU_ASSERT_EQUAL(pinn_problem_term_weight(p, 2), 1000); /* still the energy form */
  CU_ASSERT_EQUAL(pinn_problem_term_points(p, 0), 64);   /* rebuilt */
  /* the complementarity alone: one term before bc, the weight back */
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_OBSTACLE_COMPLEMENTARITY, 5), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_n_terms(p), 2);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 0), "pde");
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 1), "bc");
  CU_ASSERT_EQUAL(pinn_problem_term_weight(p, 1), 10);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_penalty(p), 0); /* no barrier: the penalty is unused */
  /* back to the default: the same loss as built, bitwise */
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_OBSTACLE_DEFAULT, 0), 0);
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 3);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_OBSTACLE_BOTH);
  CU_ASSERT(loss_of(p) == f_default);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  pinn_problem_free(p);
}

static void obstacle_method_refusals_say_what_to_fix_and_change_nothing(void)
{
  pinn_problem *p = heat_problem();
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_OBSTACLE_COMPLEMENTARITY, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "has no obstacle"));
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_OBSTACLE_DEFAULT);
  pinn_problem_free(p);
  pinn_obstacle_spec s = ob_spec();
  p = ob_problem(&s);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, 7, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "unknown obstacle method 7"));
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_RELU, -1), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "penalty"));
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_RELU, NAN), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 3);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_OBSTACLE_BOTH);
  pinn_problem_free(p);
  /* no energy density: no barrier form */
  s.energy = NULL;
  p = ob_problem(&s);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_RELU2, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "no energy density"));
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 3);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 1), "obstacle");
  CU_ASSERT_EQUAL(pinn_problem_term_weight(p, 2), 10);
  pinn_problem_free(p);
  /* a term named "energy" already: refused, everything as it was */
  s = ob_spec();
  p = pinn_problem_alloc("ob2", 1, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "energy", 1, lap, PINN_NEED_XX, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle(p, &s), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle_method(p, PINN_BARRIER_RELU, 0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "already has a term named 'energy'"));
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 3);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 1), "pde");
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_OBSTACLE_BOTH);
  pinn_problem_free(p);
  /* a bad spec adds nothing */
  s = ob_spec();
  s.sense = (pinn_sense)0;
  p = pinn_problem_alloc("ob3", 1, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle(p, &s), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 0);
  s = ob_spec();
  s.residual = NULL; /* the default (both) needs the complementarity */
  CU_ASSERT_EQUAL(pinn_problem_set_obstacle(p, &s), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_problem_errmsg(p), "no residual R"));
  CU_ASSERT_EQUAL(pinn_problem_n_terms(p), 0);
  pinn_problem_free(p);
}

/* pinn_solve applies the configuration's obstacle settings to the problem. */
static void solve_applies_the_configured_obstacle_method(void)
{
  pinn_obstacle_spec s = ob_spec();
  pinn_problem *p = ob_problem(&s);
  pinn_solve_config cfg = pinn_solve_config_default();
  cfg.n_hidden = 1;
  cfg.width[0] = 4;
  cfg.train.phases[0].max_iter = 2;
  cfg.train.n_phases = 1;
  cfg.output = NULL;
  cfg.obstacle_method = PINN_BARRIER_RELU;
  cfg.penalty = 300;
  pinn_solve_result res;
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_solve(p, &cfg, &res, &err), 0);
  CU_ASSERT_EQUAL(pinn_problem_obstacle_method(p), PINN_BARRIER_RELU);
  CU_ASSERT_EQUAL(pinn_problem_term_barrier(p, 1)->rho, 300);
  CU_ASSERT_STRING_EQUAL(pinn_problem_term_name(p, 0), "energy");
  pinn_problem_free(p);
}

/* The contact set from u, psi and (optionally) the multiplier; the full
 * criterion is checked on exact solutions in test_problems_obstacle.c. */
static void contact_set_marks_small_gaps_where_the_multiplier_pushes(void)
{
  const double u[5] = {0, 0.0005, 0.5, NAN, 0}, psi[5] = {0, 0, 0, 0, 0.5},
               lam[5] = {4, 0.1, 0, 4, 4};
  double on[5], gt, lt;
  CU_ASSERT_EQUAL(pinn_obstacle_contact(5, u, psi, NULL, PINN_SENSE_LOWER, on, &gt, &lt, NULL), 0);
  CU_ASSERT(on[0] == 1 && on[1] == 1 && on[2] == 0 && isnan(on[3]) && gt == 1e-3 && lt == 0);
  CU_ASSERT_EQUAL(on[4], 1); /* u below a lower obstacle: a (violated) contact */
  CU_ASSERT_EQUAL(pinn_obstacle_contact(5, u, psi, lam, PINN_SENSE_LOWER, on, &gt, &lt, NULL), 0);
  CU_ASSERT(on[0] == 1 && on[1] == 0 && on[2] == 0 && gt == 1e-2 && lt == 1); /* median 4 / 4 */
  CU_ASSERT_EQUAL(pinn_obstacle_contact(5, u, psi, NULL, PINN_SENSE_UPPER, on, NULL, NULL, NULL), 0);
  CU_ASSERT(on[2] == 1 && on[4] == 0); /* u <= psi: u above is the contact side */
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_obstacle_contact(1, NULL, psi, NULL, PINN_SENSE_LOWER, on, NULL, NULL, &err),
                  PINN_EINVAL);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"every_failing_setup_call_is_sticky_and_refused_by_the_loss",
       every_failing_setup_call_is_sticky_and_refused_by_the_loss},
      {"solve_refuses_an_ignored_set_points_failure_before_training",
       solve_refuses_an_ignored_set_points_failure_before_training},
      {"input_names_are_space_then_time", input_names_are_space_then_time},
      {"reference_points_are_copied_and_bad_points_are_refused",
       reference_points_are_copied_and_bad_points_are_refused},
      {"allocation_metadata_and_inputs_read_back", allocation_metadata_and_inputs_read_back},
      {"coefficients_read_back_with_their_scales", coefficients_read_back_with_their_scales},
      {"terms_read_back_by_index_and_name", terms_read_back_by_index_and_name},
      {"interior_kinds_are_residual_obstacle_and_complementarity",
       interior_kinds_are_residual_obstacle_and_complementarity},
      {"barriers_have_names_a_parser_and_a_default", barriers_have_names_a_parser_and_a_default},
      {"transforms_replace_per_component_and_none_removes",
       transforms_replace_per_component_and_none_removes},
      {"exact_obstacle_and_metrics_evaluate_their_callbacks",
       exact_obstacle_and_metrics_evaluate_their_callbacks},
      {"output_grid_defaults_and_the_reference_grid", output_grid_defaults_and_the_reference_grid},
      {"obstacle_spec_adds_its_default_formulation_in_place",
       obstacle_spec_adds_its_default_formulation_in_place},
      {"obstacle_method_switches_terms_weights_and_barriers",
       obstacle_method_switches_terms_weights_and_barriers},
      {"obstacle_method_refusals_say_what_to_fix_and_change_nothing",
       obstacle_method_refusals_say_what_to_fix_and_change_nothing},
      {"solve_applies_the_configured_obstacle_method", solve_applies_the_configured_obstacle_method},
      {"contact_set_marks_small_gaps_where_the_multiplier_pushes",
       contact_set_marks_small_gaps_where_the_multiplier_pushes},
      {"boundary_terms_target_parts_by_name", boundary_terms_target_parts_by_name},
      {"kept_objects_are_destroyed_in_reverse_order", kept_objects_are_destroyed_in_reverse_order},
      {NULL, NULL}};
  if (pinn_test_add_suite("problem", cases)) return 1;
  return pinn_test_run_all();
}
