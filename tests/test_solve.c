/* Tests for pinn_solve and its helpers (include/pinn/solve.h): the default
 * configuration, the layers parser, the checks before training, a short
 * solve read back from its result, failures that keep their own message,
 * continuation through the trainer's step hook, and two solves at the same
 * time in two threads of one program giving bitwise what each gives alone
 * (the library sets no process-wide thread count or GSL handler). */
#define _POSIX_C_SOURCE 200809L
#include <pinn/pinn.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "problems.h"
#include "testutil.h"

static const double PI = 3.14159265358979323846;

/* How the test problem misbehaves (all 0: it does not). */
typedef struct {
  int fail_residual; /* a second residual term's callback fails */
  int fail_metrics;  /* the metrics callback fails */
  double growth;     /* > 0: an obstacle u >= sin(pi x) - 0.1 whose penalty grows by this */
} quirks;

static int failing(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c;
  (void)ctx;
  r[0] = u->v;
  return x[0] > 0.5 ? 3 : 0;
}

static int below_exact(const double *x, double *psi, void *ctx)
{
  (void)ctx;
  psi[0] = sin(PI * x[0]) - 0.1;
  return 0;
}

static int one_metric(pinn_loss *l, pinn_metric *out, size_t max, size_t *n, void *ctx)
{
  (void)l;
  const quirks *q = ctx;
  if (q->fail_metrics) return 4;
  if (max < 1) return 0;
  snprintf(out[0].name, sizeof out[0].name, "answer");
  out[0].value = 42;
  *n = 1;
  return 0;
}

/* The bundled poisson1d (256 interior points: 8 blocks, so the network's
 * passes run in parallel), cut short: [1, 10, 10, 1], Adam 40, L-BFGS 40. */
static pinn_problem *make(const quirks *q, pinn_solve_config *cfg)
{
  pinn_problem *p = NULL;
  *cfg = pinn_solve_config_default();
  CU_ASSERT_EQUAL_FATAL(pinn_problem_poisson1d(&p, cfg, NULL), PINN_SUCCESS);
  pinn_problem_set_metrics(p, one_metric, (void *)q);
  if (q->fail_residual) pinn_problem_add_residual(p, "fails", 1, failing, 0, NULL);
  if (q->growth > 0) {
    pinn_barrier b = pinn_barrier_default();
    b.rho = 1;
    b.growth = q->growth;
    b.rho_max = 1e3;
    pinn_problem_add_obstacle(p, "ob", 0, 1, below_exact, NULL, &b);
    pinn_problem_set_points(p, 2, 64);
  }
  cfg->n_hidden = 2;
  cfg->width[0] = cfg->width[1] = 10;
  pinn_train_options_drop_after_main(&cfg->train);
  pinn_train_options_set_adam(&cfg->train, 40, NULL);
  pinn_train_options_set_main_iters(&cfg->train, 40, NULL);
  return p;
}

static void the_default_configuration_is_the_documented_one(void)
{
  pinn_solve_config c = pinn_solve_config_default();
  CU_ASSERT_EQUAL(c.normalize_inputs, 1);
  CU_ASSERT_EQUAL(c.n_hidden, 4);
  for (size_t i = 0; i < PINN_SOLVE_MAX_HIDDEN; ++i) CU_ASSERT_EQUAL(c.width[i], 20);
  CU_ASSERT_EQUAL(c.act.kind, PINN_ACT_TANH);
  CU_ASSERT_EQUAL(c.init, PINN_INIT_XAVIER);
  CU_ASSERT_EQUAL(c.seed, 1);
  CU_ASSERT_EQUAL(c.prelu_per_unit, 0);
  CU_ASSERT_EQUAL(c.continuation_every, 0);
  CU_ASSERT_PTR_NULL(c.output);
  CU_ASSERT_PTR_NULL(c.resume);
  CU_ASSERT_EQUAL(c.obstacle_method, PINN_OBSTACLE_DEFAULT);
  CU_ASSERT_EQUAL(c.penalty, 0.0);
  CU_ASSERT_EQUAL(c.threads, 0);
  pinn_train_options t = pinn_train_options_default();
  CU_ASSERT_EQUAL(c.train.n_phases, t.n_phases);
  CU_ASSERT_EQUAL(memcmp(c.train.phases, t.phases, t.n_phases * sizeof *t.phases), 0);
  pinn_loss_options l = pinn_loss_options_default();
  CU_ASSERT_EQUAL(c.loss.sampler, l.sampler);
  CU_ASSERT_EQUAL(c.loss.points_scale, l.points_scale);
}

static void layers_parse_as_width_by_depth_or_a_list_of_widths(void)
{
  pinn_solve_config c = pinn_solve_config_default();
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_solve_parse_layers("30x8", &c, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(c.n_hidden, 8);
  for (size_t i = 0; i < 8; ++i) CU_ASSERT_EQUAL(c.width[i], 30);
  CU_ASSERT_EQUAL(pinn_solve_parse_layers("50,40,3", &c, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(c.n_hidden, 3);
  CU_ASSERT_EQUAL(c.width[0], 50);
  CU_ASSERT_EQUAL(c.width[1], 40);
  CU_ASSERT_EQUAL(c.width[2], 3);
  CU_ASSERT_EQUAL(pinn_solve_parse_layers("7", &c, NULL), PINN_SUCCESS);
  CU_ASSERT_EQUAL(c.n_hidden, 1);
  CU_ASSERT_EQUAL(c.width[0], 7);
  /* refused, with cfg left alone */
  const char *shape[] = {"x8", "20x", "20x8x2", "a,b", "3,,4", "3,4,", "-3", " 20x8"};
  for (size_t k = 0; k < sizeof shape / sizeof *shape; ++k) {
    CU_ASSERT_EQUAL(pinn_solve_parse_layers(shape[k], &c, &err), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "comma-separated list"));
  }
  const char *range[] = {"0x3", "20x33", "5000x2", "10,0", "4097"};
  for (size_t k = 0; k < sizeof range / sizeof *range; ++k) {
    CU_ASSERT_EQUAL(pinn_solve_parse_layers(range[k], &c, &err), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1 to 4096 and at most 32 hidden layers"));
  }
  CU_ASSERT_EQUAL(pinn_solve_parse_layers("", &c, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_solve_parse_layers(NULL, &c, &err), PINN_EINVAL);
  CU_ASSERT_EQUAL(c.n_hidden, 1);
  CU_ASSERT_EQUAL(c.width[0], 7);
}

static int no_hook(pinn_trainer *t, pinn_loss *l, void *ctx)
{
  (void)t;
  (void)l;
  (void)ctx;
  return 0;
}

/* What pinn_solve_check refuses, each with a message naming the setting. */
static void the_checks_before_training_name_the_setting(void)
{
  quirks q = {0, 0, 0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  pinn_error err;
  char *dir = pinn_test_tmpdir("check");
  char ok[512], missing[512];
  snprintf(ok, sizeof ok, "%s/r.h5", dir);
  snprintf(missing, sizeof missing, "%s/no/such/folder/r.h5", dir);
  c.output = ok;
  c.train.checkpoint_path = ok;
  CU_ASSERT_EQUAL(pinn_solve_check(p, &c, &err), PINN_SUCCESS);
  CU_ASSERT_NOT_EQUAL(access(ok, F_OK), 0); /* the probe file is gone */
  pinn_solve_config b = c;
  b.obstacle_method = PINN_BARRIER_RELU;
  CU_ASSERT_EQUAL(pinn_solve_check(p, &b, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "problem 'poisson1d' has no obstacle"));
  b = c;
  b.penalty = 10;
  CU_ASSERT_EQUAL(pinn_solve_check(p, &b, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has no obstacle"));
  b = c;
  b.output = missing;
  CU_ASSERT_EQUAL(pinn_solve_check(p, &b, &err), PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot write the result file"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "(the folder does not exist)"));
  b = c;
  b.train.checkpoint_path = missing;
  CU_ASSERT_EQUAL(pinn_solve_check(p, &b, &err), PINN_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot write the checkpoint"));
  /* the configuration's own values, named as C code writes them */
  struct {
    pinn_solve_config c;
    const char *msg;
  } bad[6];
  for (size_t k = 0; k < 6; ++k) bad[k].c = c;
  bad[0].c.threads = -1;
  bad[0].msg = "cfg->threads = -1: use 0 (OpenMP's default) to 1024";
  bad[1].c.n_hidden = 33;
  bad[1].msg = "cfg->n_hidden = 33: use 1 to 32 hidden layers";
  bad[2].c.width[1] = 5000;
  bad[2].msg = "cfg->width[1] = 5000: widths must be 1 to 4096";
  bad[3].c.act.kind = (pinn_activation_kind)99;
  bad[3].msg = "cfg->act: activation kind 99";
  bad[4].c.train.n_phases = 0;
  bad[4].msg = "cfg->train.n_phases = 0: use 1 to 8 phases";
  bad[5].c.train.phases[1].memory = 0;
  bad[5].msg = "cfg->train.phases[1] (lbfgs): memory must be 1 to 1000, got 0";
  for (size_t k = 0; k < 6; ++k) {
    CU_ASSERT_EQUAL(pinn_solve_check(p, &bad[k].c, &err), PINN_EINVAL);
    if (!strstr(err.msg, bad[k].msg)) printf("\n  %s\n", err.msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[k].msg));
  }
  b = c;
  b.continuation_every = 10;
  b.train.step_hook = no_hook;
  CU_ASSERT_EQUAL(pinn_solve_check(p, &b, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "step_hook"));
  CU_ASSERT_EQUAL(pinn_solve_check(NULL, &c, &err), PINN_EINVAL);
  /* pinn_solve checks the same before anything trains */
  pinn_solve_result res;
  b = c;
  b.output = missing;
  CU_ASSERT_EQUAL(pinn_solve(p, &b, &res, &err), PINN_EIO);
  CU_ASSERT_EQUAL(res.iterations, 0);
  pinn_problem_free(p);
  rmdir(dir);
  free(dir);
}

/* pinn_solve_network: cfg's layout between the problem's inputs and
 * outputs, initialised from cfg->seed, on cfg->threads threads. */
static void the_network_is_the_configured_one_seeded(void)
{
  quirks q = {0, 0, 0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  c.threads = 3;
  pinn_error err;
  pinn_mlp *a = pinn_solve_network(p, &c, &err), *b = pinn_solve_network(p, &c, &err);
  c.seed = 2;
  pinn_mlp *d = pinn_solve_network(p, &c, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT_EQUAL(pinn_mlp_n_layers(a), 4);
  CU_ASSERT_EQUAL(pinn_mlp_n_in(a), 1);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(a, 1), 10);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(a, 2), 10);
  CU_ASSERT_EQUAL(pinn_mlp_n_out(a), 1);
  CU_ASSERT_EQUAL(pinn_mlp_activation(a, 1).kind, PINN_ACT_TANH);
  CU_ASSERT_EQUAL(pinn_mlp_threads(a), 3);
  const size_t n = pinn_mlp_n_params(a) * sizeof(double);
  CU_ASSERT_EQUAL(memcmp(pinn_mlp_params(a), pinn_mlp_params(b), n), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(pinn_mlp_params(a), pinn_mlp_params(d), n), 0);
  pinn_mlp_free(a);
  pinn_mlp_free(b);
  pinn_mlp_free(d);
  c.n_hidden = 0;
  CU_ASSERT_PTR_NULL(pinn_solve_network(p, &c, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cfg->n_hidden = 0"));
  CU_ASSERT_PTR_NULL(pinn_solve_network(NULL, &c, &err));
  pinn_problem_free(p);
}

/* Input normalisation: the network maps the domain's box (time included) to
 * [-1, 1]; the result file keeps the map, a checkpoint resumes only with the
 * same setting. */
static void normalized_inputs_map_the_domain_box_and_resume_only_alike(void)
{
  char *dir = pinn_test_tmpdir("solvemap");
  char out[512], ckpt[512];
  snprintf(out, sizeof out, "%s/map.h5", dir);
  snprintf(ckpt, sizeof ckpt, "%s/map.ckpt.h5", dir);
  pinn_problem *p = NULL;
  pinn_solve_config c = pinn_solve_config_default();
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_problem_heat1d(&p, &c, &err), PINN_SUCCESS);
  c.n_hidden = 2;
  c.width[0] = c.width[1] = 10;
  pinn_train_options_drop_after_main(&c.train);
  pinn_train_options_set_adam(&c.train, 20, NULL);
  pinn_train_options_set_main_iters(&c.train, 20, NULL);
  c.normalize_inputs = 2;
  CU_ASSERT_PTR_NULL(pinn_solve_network(p, &c, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "normalize_inputs"));
  c.normalize_inputs = 1;
  pinn_mlp *net = pinn_solve_network(p, &c, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  double lo[2], hi[2];
  CU_ASSERT_EQUAL(pinn_mlp_input_map(net, lo, hi), 1);
  CU_ASSERT(lo[0] == 0.0 && hi[0] == 1.0 && lo[1] == 0.0 && hi[1] == 1.0); /* x, then t */
  pinn_mlp_free(net);
  c.output = out;
  c.train.checkpoint_path = ckpt;
  pinn_solve_result r, r2;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r, &err), PINN_SUCCESS);
  /* the file's network is the mapped one: the solve's own error again */
  pinn_model_meta meta;
  net = pinn_model_load_meta(out, &meta, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(meta.has_input_map, 1);
  const double x[2] = {0.25, 0.5};
  double u, ue;
  CU_ASSERT_EQUAL(pinn_mlp_eval(net, 1, x, &u), PINN_SUCCESS);
  ue = sin(PI * 0.25) * exp(-0.1 * PI * PI * 0.5);
  CU_ASSERT(fabs(u - ue) < 0.2);
  pinn_mlp_free(net);
  /* and it trained differently from the plain network (same seed) */
  c.normalize_inputs = 0;
  c.output = NULL;
  c.train.checkpoint_path = NULL;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r2, &err), PINN_SUCCESS);
  CU_ASSERT(r.loss != r2.loss);
  /* resuming the mapped run's checkpoint without the map is refused, with the fix */
  c.resume = ckpt;
  CU_ASSERT_EQUAL(pinn_solve(p, &c, &r2, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--normalize-inputs on"));
  c.normalize_inputs = 1;
  c.train.checkpoint_path = ckpt;
  CU_ASSERT_EQUAL(pinn_solve(p, &c, &r2, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(r2.loss, r.loss); /* a finished run resumed: the same point */
  pinn_problem_free(p);
  char xmf[512];
  snprintf(xmf, sizeof xmf, "%s/map.xmf", dir);
  unlink(out);
  unlink(xmf);
  unlink(ckpt);
  rmdir(dir);
  free(dir);
}

/* Fourier features (cfg->fourier): the network's first layer has them,
 * with B drawn from their seed as pinn_embedding_set_fourier draws it; an
 * input the problem lacks is refused; a checkpoint resumes only with the
 * same features. */
static void fourier_features_are_configured_and_resume_only_alike(void)
{
  char *dir = pinn_test_tmpdir("solvefourier");
  char ckpt[512];
  snprintf(ckpt, sizeof ckpt, "%s/fourier.ckpt.h5", dir);
  pinn_problem *p = NULL;
  pinn_solve_config c = pinn_solve_config_default();
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_problem_heat1d(&p, &c, &err), PINN_SUCCESS);
  c.n_hidden = 2;
  c.width[0] = c.width[1] = 10;
  pinn_train_options_drop_after_main(&c.train);
  pinn_train_options_set_adam(&c.train, 10, NULL);
  pinn_train_options_set_main_iters(&c.train, 10, NULL);
  const pinn_fourier f = {.m = 6, .sigma = 1.0, .seed = 5, .axis = {2, 0}};
  c.fourier = f;
  pinn_mlp *net = pinn_solve_network(p, &c, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_layer_size(net, 0), 5 + 1 + 12); /* x and 2 pairs, t, 6 pairs */
  pinn_embedding *got = calloc(1, sizeof *got), *want = calloc(1, sizeof *want);
  CU_ASSERT_EQUAL(pinn_mlp_embedding(net, got), 1);
  CU_ASSERT_EQUAL(pinn_embedding_set_fourier(want, 2, &f, &err), PINN_SUCCESS);
  CU_ASSERT(pinn_embedding_equal(got, want, 2));
  pinn_mlp_free(net);
  c.fourier.axis[2] = 1;
  CU_ASSERT_PTR_NULL(pinn_solve_network(p, &c, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cfg->fourier: input 2"));
  c.fourier.axis[2] = 0;
  c.train.checkpoint_path = ckpt;
  pinn_solve_result r, r2;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r, &err), PINN_SUCCESS);
  c.resume = ckpt;
  c.fourier.seed = 6; /* another B */
  CU_ASSERT_EQUAL(pinn_solve(p, &c, &r2, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "another input embedding"));
  c.fourier.seed = 5;
  CU_ASSERT_EQUAL(pinn_solve(p, &c, &r2, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(r2.loss, r.loss); /* a finished run resumed: the same point */
  pinn_problem_free(p);
  free(got);
  free(want);
  unlink(ckpt);
  rmdir(dir);
  free(dir);
}

/* pinn_solve_create_done: the end of a create function, either way. */
static void a_create_function_ends_with_its_problem_or_its_failure(void)
{
  pinn_error err;
  pinn_problem *out = NULL, *p = pinn_problem_alloc("made", 1, 0, 1, NULL);
  CU_ASSERT_EQUAL(pinn_solve_create_done(p, PINN_SUCCESS, &out, &err), PINN_SUCCESS);
  CU_ASSERT_PTR_EQUAL(out, p);
  pinn_problem_free(p);
  /* a setup call failed: the problem's message, named; p is freed (ASan) */
  out = NULL;
  p = pinn_problem_alloc("broken", 1, 0, 1, NULL);
  const int st = pinn_problem_set_points(p, 7, 10); /* no term 7 */
  CU_ASSERT_NOT_EQUAL_FATAL(st, PINN_SUCCESS);
  err.code = 12345; /* an uninitialised record is overwritten */
  CU_ASSERT_EQUAL(pinn_solve_create_done(p, st, &out, &err), st);
  CU_ASSERT_PTR_NULL(out);
  CU_ASSERT_EQUAL(err.code, st);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "broken: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "set_points(term 7)"));
  /* a call that filled err keeps its message */
  p = pinn_problem_alloc("kept", 1, 0, 1, NULL);
  pinn_error_set(&err, PINN_EINVAL, "the domain's own words");
  CU_ASSERT_EQUAL(pinn_solve_create_done(p, PINN_EINVAL, &out, &err), PINN_EINVAL);
  CU_ASSERT_STRING_EQUAL(err.msg, "the domain's own words");
  CU_ASSERT_EQUAL(pinn_solve_create_done(NULL, PINN_ENOMEM, &out, NULL), PINN_ENOMEM);
}

static int gsl_errors_seen;
static void count_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
  (void)reason;
  (void)file;
  (void)line;
  (void)gsl_errno;
  ++gsl_errors_seen; /* a test-only counter, never reached when the library checks first */
}

/* Reference points are THE error of a solve; the output grid's error stays
 * in grid_rel_l2.  With the exact solution at the output grid's points, in
 * its order, the two are the same bits. */
static void reference_points_give_the_error_of_the_solve(void)
{
  quirks q = {0, 0, 0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  size_t counts[1];
  pinn_problem_output_grid(p, counts);
  double *x = malloc(counts[0] * sizeof *x), *u = malloc(counts[0] * sizeof *u);
  CU_ASSERT_EQUAL_FATAL(pinn_domain_grid(pinn_problem_domain(p), counts, x, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_exact(p, counts[0], x, u, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, counts[0], x, u), 0);
  pinn_solve_result r;
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r, &err), PINN_SUCCESS);
  CU_ASSERT(r.has_reference && r.has_grid_reference);
  CU_ASSERT_STRING_EQUAL(r.reference, "reference points");
  CU_ASSERT_EQUAL(r.n_reference_points, counts[0]);
  CU_ASSERT(r.rel_l2 > 0 && memcmp(&r.rel_l2, &r.grid_rel_l2, sizeof r.rel_l2) == 0);
  CU_ASSERT(memcmp(&r.max_abs, &r.grid_max_abs, sizeof r.max_abs) == 0);
  /* other values at the points: they, not the grid, give the error */
  for (size_t i = 0; i < counts[0]; ++i) u[i] += 0.5;
  CU_ASSERT_EQUAL(pinn_problem_set_reference_points(p, counts[0], x, u), 0);
  pinn_solve_result r2;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r2, &err), PINN_SUCCESS);
  CU_ASSERT(memcmp(&r2.grid_rel_l2, &r.grid_rel_l2, sizeof r.rel_l2) == 0); /* same training */
  CU_ASSERT(fabs(r2.max_abs - 0.5) < 2 * r.max_abs);
  CU_ASSERT_EQUAL(r2.rel_l2_out[0], r2.rel_l2);
  free(x);
  free(u);
  pinn_problem_free(p);
  /* without points: the grid's reference, named */
  p = make(&q, &c);
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r2, &err), PINN_SUCCESS);
  CU_ASSERT_STRING_EQUAL(r2.reference, "exact");
  CU_ASSERT(r2.n_reference_points == 0 && r2.rel_l2 == r2.grid_rel_l2);
  pinn_problem_free(p);
}

/* A short solve: the result says what happened, the file holds the
 * network, and the process's thread count and GSL handler are untouched. */
static void a_short_solve_reports_its_run_and_writes_the_network(void)
{
  char *dir = pinn_test_tmpdir("solve");
  char out[512], xmf[512];
  snprintf(out, sizeof out, "%s/run.h5", dir);
  snprintf(xmf, sizeof xmf, "%s/run.xmf", dir);
  quirks q = {0, 0, 0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  c.output = out;
#ifdef _OPENMP
  const int max_threads = omp_get_max_threads();
  c.threads = max_threads + 1;
#endif
  gsl_error_handler_t *before = gsl_set_error_handler(count_gsl_error);
  pinn_solve_result r;
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r, &err), PINN_SUCCESS);
  CU_ASSERT_PTR_EQUAL(gsl_set_error_handler(before), count_gsl_error);
  CU_ASSERT_EQUAL(gsl_errors_seen, 0);
#ifdef _OPENMP
  CU_ASSERT_EQUAL(omp_get_max_threads(), max_threads);
#endif
  printf("\n  %zu iterations, %zu evaluations, loss %.3e, rel. L2 %.3e, %s\n", r.iterations,
         r.evals, r.loss, r.rel_l2, pinn_stop_reason_name(r.reason));
  CU_ASSERT_EQUAL(r.iterations, 80);
  CU_ASSERT_EQUAL(r.reason, PINN_STOP_MAX_ITER);
  CU_ASSERT(r.evals >= r.iterations);
  CU_ASSERT(isfinite(r.loss) && r.loss > 0);
  CU_ASSERT_EQUAL(r.n_params, (1 * 10 + 10) + (10 * 10 + 10) + (10 * 1 + 1));
  CU_ASSERT_EQUAL(r.n_outputs, 1);
  CU_ASSERT_EQUAL(r.has_reference, 1);
  CU_ASSERT(r.rel_l2 > 0 && r.rel_l2 < 0.5); /* 80 iterations of a small network: well trained */
  CU_ASSERT_EQUAL(r.rel_l2_out[0], r.rel_l2);
  CU_ASSERT(r.max_abs > 0);
  CU_ASSERT_EQUAL(r.n_metrics, 1);
  CU_ASSERT_STRING_EQUAL(r.metrics[0].name, "answer");
  CU_ASSERT_EQUAL(r.metrics[0].value, 42);
  CU_ASSERT_EQUAL(r.diagnostics.n_hidden, 2);
  CU_ASSERT_STRING_EQUAL(r.warning, "");
  CU_ASSERT_EQUAL(r.wrote_output, 1);
  CU_ASSERT_EQUAL(access(xmf, R_OK), 0);
  pinn_mlp *net = pinn_model_load(out, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(net);
  CU_ASSERT_EQUAL(pinn_mlp_n_params(net), r.n_params);
  double x = 0.5, u;
  pinn_mlp_eval(net, 1, &x, &u);
  CU_ASSERT(fabs(u - 1.0) < 0.5); /* u(0.5) = sin(pi / 2) = 1 */
  pinn_mlp_free(net);
  pinn_problem_free(p);
  unlink(out);
  unlink(xmf);
  rmdir(dir);
  free(dir);
}

/* Failures that are not the problem's keep their own message and status
 * (also with err NULL); a problem's failing callbacks name themselves. */
static void a_failed_solve_reports_the_real_failure(void)
{
  char *dir = pinn_test_tmpdir("fail");
  char bogus[512];
  snprintf(bogus, sizeof bogus, "%s/not_a_checkpoint.h5", dir);
  FILE *f = fopen(bogus, "w");
  fputs("not HDF5\n", f);
  fclose(f);
  quirks q = {0, 0, 0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  pinn_solve_result r;
  pinn_error err;
  pinn_solve_config b = c;
  b.resume = bogus;
  const int st = pinn_solve(p, &b, &r, &err);
  CU_ASSERT(st == PINN_EFORMAT || st == PINN_EIO);
  CU_ASSERT_EQUAL(err.code, st);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "resume"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not_a_checkpoint.h5"));
  CU_ASSERT_EQUAL(pinn_solve(p, &b, &r, NULL), st);
  b = c;
  b.train.phases[0].lr = -1;
  CU_ASSERT_EQUAL(pinn_solve(p, &b, &r, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cfg->train.phases[0] (adam): need lr > 0"));
  CU_ASSERT_EQUAL(pinn_solve(p, &b, &r, NULL), PINN_EINVAL);
  b = c;
  b.n_hidden = 0;
  CU_ASSERT_EQUAL(pinn_solve(p, &b, &r, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cfg->n_hidden = 0: use 1 to 32 hidden layers"));
  pinn_problem_free(p);
  /* the problem's metrics callback */
  q.fail_metrics = 1;
  p = make(&q, &c);
  CU_ASSERT_EQUAL(pinn_solve(p, &c, &r, &err), PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "metrics"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "failed (4)"));
  pinn_problem_free(p);
  /* the residual callback: the run fails, its best point is still written */
  char out[512];
  snprintf(out, sizeof out, "%s/best.h5", dir);
  q.fail_metrics = 0;
  q.fail_residual = 1;
  p = make(&q, &c);
  c.output = out;
  CU_ASSERT_EQUAL(pinn_solve(p, &c, &r, &err), PINN_ECALLBACK);
  CU_ASSERT_EQUAL(r.reason, PINN_STOP_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "term 'fails' at x="));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the residual callback returned 3"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the best point reached is in"));
  CU_ASSERT_EQUAL(r.wrote_output, 1);
  pinn_problem_free(p);
  free(dir);
}

/* Progress calls record the penalty of the obstacle term. */
typedef struct {
  size_t calls, at[16];
  double rho[16];
} progress_log;

static int log_progress(const pinn_progress *pr, void *ctx)
{
  progress_log *g = ctx;
  if (g->calls < 16) {
    g->at[g->calls] = pr->total_iter;
    g->rho[g->calls] = pinn_loss_barrier_rho(pr->assembler, 2);
  }
  g->calls++;
  return 0;
}

/* continuation_every grows the penalty through the trainer's step hook:
 * every 10 iterations of the run, and progress reports keep their own
 * period (25). */
static void continuation_grows_the_penalty_and_leaves_progress_alone(void)
{
  quirks q = {0, 0, 2.0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  c.continuation_every = 10;
  progress_log g = {0};
  c.train.progress = log_progress;
  c.train.progress_ctx = &g;
  c.train.progress_every = 25;
  pinn_solve_result r;
  pinn_error err;
  CU_ASSERT_EQUAL_FATAL(pinn_solve(p, &c, &r, &err), PINN_SUCCESS);
  CU_ASSERT_EQUAL(r.iterations, 80);
  /* Adam: 25, its end at 40; L-BFGS: 65 (its 25th), its end at 80 */
  const size_t at[4] = {25, 40, 65, 80};
  const double rho[4] = {4, 16, 64, 256};
  CU_ASSERT_EQUAL_FATAL(g.calls, 4);
  for (size_t i = 0; i < 4; ++i) {
    CU_ASSERT_EQUAL(g.at[i], at[i]);
    CU_ASSERT_EQUAL(g.rho[i], rho[i]);
  }
  pinn_problem_free(p);
}

/* One solve of its own problem; the result is compared field by field. */
typedef struct {
  unsigned long seed;
  int threads;
  pinn_solve_result r;
  int st;
} job;

static void *run_job(void *arg)
{
  job *j = arg;
  quirks q = {0, 0, 0};
  pinn_solve_config c;
  pinn_problem *p = make(&q, &c);
  c.seed = j->seed;
  c.threads = j->threads;
  j->st = pinn_solve(p, &c, &j->r, NULL);
  pinn_problem_free(p);
  return NULL;
}

static int same_result(const pinn_solve_result *a, const pinn_solve_result *b)
{
  return a->iterations == b->iterations && a->evals == b->evals &&
         memcmp(&a->loss, &b->loss, sizeof a->loss) == 0 &&
         memcmp(&a->rel_l2, &b->rel_l2, sizeof a->rel_l2) == 0 &&
         memcmp(&a->max_abs, &b->max_abs, sizeof a->max_abs) == 0 &&
         memcmp(&a->diagnostics.lipschitz_bound, &b->diagnostics.lipschitz_bound,
                sizeof(double)) == 0;
}

/* Two solves at the same time in two threads of one program, with 1 and 2
 * OpenMP threads, give bitwise what each gives alone. */
static void two_solves_in_two_threads_give_what_each_gives_alone(void)
{
  job alone[2] = {{1, 1, {0}, -1}, {2, 2, {0}, -1}};
  for (int k = 0; k < 2; ++k) run_job(&alone[k]);
  job both[2] = {{1, 1, {0}, -1}, {2, 2, {0}, -1}};
  pthread_t th[2];
  for (int k = 0; k < 2; ++k) CU_ASSERT_EQUAL_FATAL(pthread_create(&th[k], NULL, run_job, &both[k]), 0);
  for (int k = 0; k < 2; ++k) pthread_join(th[k], NULL);
  for (int k = 0; k < 2; ++k) {
    CU_ASSERT_EQUAL(alone[k].st, PINN_SUCCESS);
    CU_ASSERT_EQUAL(both[k].st, PINN_SUCCESS);
    CU_ASSERT(same_result(&alone[k].r, &both[k].r));
    printf("\n  seed %lu, %d thread(s): loss %.17g alone, %.17g beside the other", alone[k].seed,
           alone[k].threads, alone[k].r.loss, both[k].r.loss);
  }
  printf("\n");
  CU_ASSERT(!same_result(&alone[0].r, &alone[1].r)); /* two different runs */
}

/* pinn_solve_rng: the same seed and stream give the same numbers, another
 * stream or seed other ones. */
static void the_problem_rng_is_reproducible_from_seed_and_stream(void)
{
  pinn_solve_config a = pinn_solve_config_default(), b = a;
  a.seed = b.seed = 7;
  gsl_rng *r1 = pinn_solve_rng(&a, 0, NULL), *r2 = pinn_solve_rng(&b, 0, NULL);
  gsl_rng *r3 = pinn_solve_rng(&a, 1, NULL);
  b.seed = 8;
  gsl_rng *r4 = pinn_solve_rng(&b, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r4);
  int same12 = 1, same13 = 1, same14 = 1;
  for (int i = 0; i < 100; ++i) {
    const double u1 = gsl_rng_uniform(r1), u2 = gsl_rng_uniform(r2), u3 = gsl_rng_uniform(r3),
                 u4 = gsl_rng_uniform(r4);
    same12 &= u1 == u2;
    same13 &= u1 == u3;
    same14 &= u1 == u4;
  }
  CU_ASSERT_TRUE(same12);
  CU_ASSERT_FALSE(same13);
  CU_ASSERT_FALSE(same14);
  gsl_rng_free(r1);
  gsl_rng_free(r2);
  gsl_rng_free(r3);
  gsl_rng_free(r4);
  pinn_error e;
  CU_ASSERT_PTR_NULL(pinn_solve_rng(NULL, 0, &e));
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
}

int main(void)
{
#define CASE(f) {#f, f}
  static const pinn_test_case cases[] = {
      {"fourier_features_are_configured_and_resume_only_alike",
       fourier_features_are_configured_and_resume_only_alike},
      {"the_problem_rng_is_reproducible_from_seed_and_stream", the_problem_rng_is_reproducible_from_seed_and_stream},
      CASE(the_default_configuration_is_the_documented_one),
      CASE(layers_parse_as_width_by_depth_or_a_list_of_widths),
      CASE(the_checks_before_training_name_the_setting),
      CASE(the_network_is_the_configured_one_seeded),
      CASE(normalized_inputs_map_the_domain_box_and_resume_only_alike),
      CASE(a_create_function_ends_with_its_problem_or_its_failure),
      CASE(reference_points_give_the_error_of_the_solve),
      CASE(a_short_solve_reports_its_run_and_writes_the_network),
      CASE(a_failed_solve_reports_the_real_failure),
      CASE(continuation_grows_the_penalty_and_leaves_progress_alone),
      CASE(two_solves_in_two_threads_give_what_each_gives_alone),
      {NULL, NULL}};
  if (pinn_test_add_suite("solve", cases)) return 1;
  return pinn_test_run_all();
}
