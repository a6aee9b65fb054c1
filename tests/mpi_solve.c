/* MPI tests (run by ctest as `mpirun -np 2 --oversubscribe mpi_solve`, see
 * tests/mpi.cmake): a bundled problem solved by a team of 2 ranks ends with
 * the bits of the one-process solve (Adam, L-BFGS and SSBroyden phases), a
 * checkpoint written at 2 ranks resumes bitwise at 1 and one written at 1
 * resumes bitwise at 2, and a callback failing on one rank's points ends
 * every rank with the same message.  Every rank runs the same CUnit suite,
 * so the collective calls match. */
#include <mpi.h>
#include <pinn/pinn.h>
#include <pinn/team_mpi.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "problems.h"
#include "testutil.h"

static pinn_team team;
static int rank_, size_;
static char *dir; /* shared by the ranks (rank 0 makes it) */

/* heat1d, shortened: a 2 x 16 network, 400 + 100 + 100 points, Adam 40,
 * L-BFGS 40, SSBroyden 30 (every optimizer kind that keeps state). */
static pinn_problem *heat(pinn_solve_config *cfg)
{
  pinn_problem *p = NULL;
  pinn_error e;
  *cfg = pinn_solve_config_default();
  CU_ASSERT_EQUAL_FATAL(pinn_problem_heat1d(&p, cfg, &e), 0);
  cfg->n_hidden = 2;
  cfg->width[0] = cfg->width[1] = 16;
  cfg->threads = 1;
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i)
    pinn_problem_set_points(p, i, pinn_term_kind_is_interior(pinn_problem_term_kind(p, i)) ? 400 : 100);
  cfg->train.n_phases = 0;
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_ADAM, 40);
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_LBFGS, 40);
  pinn_train_options_add_phase(&cfg->train, PINN_OPT_SSBROYDEN, 30);
  cfg->train.progress = NULL;
  cfg->output = NULL;
  return p;
}

static int same_result(const pinn_solve_result *a, const pinn_solve_result *b)
{
  return a->iterations == b->iterations && memcmp(&a->loss, &b->loss, sizeof a->loss) == 0 &&
         memcmp(&a->rel_l2, &b->rel_l2, sizeof a->rel_l2) == 0 &&
         memcmp(&a->max_abs, &b->max_abs, sizeof a->max_abs) == 0;
}

/* Stop after `at` iterations (every rank the same: a user stop). */
static int stop_at(const pinn_progress *pr, void *ctx)
{
  return pr->total_iter >= *(const size_t *)ctx;
}

static void team_solve_is_bitwise_the_one_process_solve(void)
{
  pinn_solve_config cfg;
  pinn_problem *p = heat(&cfg);
  pinn_solve_result one, two;
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_solve(p, &cfg, &one, &e), 0);
  CU_ASSERT_EQUAL(one.iterations, 110);
  cfg.team = &team;
  CU_ASSERT_EQUAL(pinn_solve(p, &cfg, &two, &e), 0);
  CU_ASSERT_TRUE(same_result(&one, &two));
  if (!same_result(&one, &two))
    printf("\n  rank %d: one process loss %.17g, team %.17g\n", rank_, one.loss, two.loss);
  CU_ASSERT(one.rel_l2 < 0.5);
  pinn_problem_free(p);
}

/* A run stopped at iteration 60 (inside L-BFGS) by the team and resumed by
 * one process, and the other way round, end as the uninterrupted run. */
static void checkpoints_resume_bitwise_across_rank_counts(void)
{
  pinn_solve_config cfg;
  pinn_problem *p = heat(&cfg);
  pinn_solve_result full, part, rest;
  pinn_error e;
  CU_ASSERT_EQUAL(pinn_solve(p, &cfg, &full, &e), 0);
  char *ckpt = pinn_test_join(dir, "run.ckpt.h5");
  size_t at = 60;
  for (int way = 0; way < 2; ++way) {
    pinn_solve_config c = cfg;
    c.train.checkpoint_path = ckpt;
    c.train.progress = stop_at;
    c.train.progress_ctx = &at;
    c.train.progress_every = 1;
    /* way 0: the team stops, rank 0 resumes alone; way 1: rank 0 stops alone, the team resumes */
    if (way == 0) {
      c.team = &team;
      CU_ASSERT_EQUAL(pinn_solve(p, &c, &part, &e), 0);
      CU_ASSERT_EQUAL(part.reason, PINN_STOP_USER);
    } else if (rank_ == 0) {
      c.team = NULL;
      CU_ASSERT_EQUAL(pinn_solve(p, &c, &part, &e), 0);
      CU_ASSERT_EQUAL(part.reason, PINN_STOP_USER);
    }
    MPI_Barrier(MPI_COMM_WORLD); /* the checkpoint is on disk */
    pinn_solve_config r = cfg;
    r.resume = ckpt;
    if (way == 0 && rank_ == 0) {
      r.team = NULL;
      CU_ASSERT_EQUAL(pinn_solve(p, &r, &rest, &e), 0);
      CU_ASSERT_TRUE(same_result(&rest, &full));
    } else if (way == 1) {
      r.team = &team;
      CU_ASSERT_EQUAL(pinn_solve(p, &r, &rest, &e), 0);
      CU_ASSERT_TRUE(same_result(&rest, &full));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank_ == 0) unlink(ckpt);
  }
  free(ckpt);
  pinn_problem_free(p);
}

/* A residual that fails (returns 5) at points x > 0.97 after iteration 20:
 * only some ranks hold such points; every rank stops with the one-process
 * status and message, none hangs. */
typedef struct fail_ctx {
  const pinn_solve_config *cfg;
  size_t evals;
} fail_ctx;

static int failing(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c, (void)ctx;
  if (x[0] > 0.97 && x[1] > 0.5) return 5;
  r[0] = pd_sub(u->t, pd_scale(u->xx, 0.1));
  return 0;
}

static void a_failing_callback_on_one_rank_ends_every_rank(void)
{
  pinn_problem *p = pinn_problem_alloc("failing", 1, 1, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_domain_with_time(&dom, 0, 1, NULL);
  pinn_problem_set_domain(p, &dom);
  pinn_problem_add_residual(p, "pde", 1, failing, PINN_NEED_T | PINN_NEED_XX, NULL);
  pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL);
  pinn_problem_set_points(p, 0, 3000);
  pinn_solve_config cfg = pinn_solve_config_default();
  cfg.n_hidden = 1;
  cfg.width[0] = 8;
  cfg.threads = 1;
  cfg.train.n_phases = 0;
  pinn_train_options_add_phase(&cfg.train, PINN_OPT_ADAM, 10);
  pinn_solve_result one, two;
  pinn_error e1, e2;
  const int s1 = pinn_solve(p, &cfg, &one, &e1);
  cfg.team = &team;
  const int s2 = pinn_solve(p, &cfg, &two, &e2);
  CU_ASSERT_EQUAL(s1, PINN_ECALLBACK);
  CU_ASSERT_EQUAL(s2, s1);
  CU_ASSERT_STRING_EQUAL(e2.msg, e1.msg);
  CU_ASSERT_PTR_NOT_NULL(strstr(e2.msg, "returned 5"));
  /* every rank has it */
  char m0[PINN_ERRMSG_SIZE];
  memcpy(m0, e2.msg, sizeof m0);
  MPI_Bcast(m0, (int)sizeof m0, MPI_CHAR, 0, MPI_COMM_WORLD);
  CU_ASSERT_STRING_EQUAL(e2.msg, m0);
  pinn_problem_free(p);
}

int main(int argc, char **argv)
{
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  pinn_team_mpi_ctx tc;
  team = pinn_team_mpi(MPI_COMM_WORLD, &tc);
  rank_ = team.rank;
  size_ = team.size;
  char path[512] = "";
  if (rank_ == 0) {
    dir = pinn_test_tmpdir("mpi");
    snprintf(path, sizeof path, "%s", dir ? dir : "");
  }
  MPI_Bcast(path, (int)sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank_ != 0 && (dir = malloc(strlen(path) + 1))) memcpy(dir, path, strlen(path) + 1);
  static const pinn_test_case cases[] = {
      {"team_solve_is_bitwise_the_one_process_solve", team_solve_is_bitwise_the_one_process_solve},
      {"checkpoints_resume_bitwise_across_rank_counts",
       checkpoints_resume_bitwise_across_rank_counts},
      {"a_failing_callback_on_one_rank_ends_every_rank",
       a_failing_callback_on_one_rank_ends_every_rank},
      {NULL, NULL}};
  int rc = size_ < 2 || !path[0];
  if (size_ < 2) fprintf(stderr, "mpi_solve: run with mpirun -np 2 (or more)\n");
  if (!rc) rc = pinn_test_add_suite("mpi", cases) || pinn_test_run_all();
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank_ == 0 && path[0]) pinn_test_rmtree(path);
  free(dir);
  pinn_team_mpi_free(&tc);
  /* one verdict for the job */
  int worst = rc;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return worst;
}
