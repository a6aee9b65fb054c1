/* Tests for teams (pinn/team.h): a loss split over a team of ranks gives
 * bitwise the one-process loss and gradient, for any team size and thread
 * count; failures on one rank reach every rank with the same message; and
 * training on a team follows the one-process run bit for bit.  The team is
 * in-process (one thread per rank, a barrier-based all-gather), so these
 * tests need no MPI; tests/mpi.cmake runs the same under mpirun. */
#define _POSIX_C_SOURCE 200809L /* pthread barriers under -std=c11 */
#include <pinn/pinn.h>

#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ------------------------------------------------ an in-process team */

enum { MAX_RANKS = 8 };

/* A message between two ranks (a FIFO per sender and receiver). */
typedef struct message {
  double *buf;
  size_t count;
  struct message *next;
} message;

typedef struct shared {
  int size;
  pthread_barrier_t bar;
  const double *send[MAX_RANKS];
  size_t count[MAX_RANKS];
  pthread_mutex_t mu; /* the mailboxes (point-to-point teams) */
  pthread_cond_t cv;
  message *box[MAX_RANKS][MAX_RANKS]; /* [to][from] */
} shared;

typedef struct member {
  shared *sh;
  int rank;
} member;

static int thread_allgather(const double *send, size_t count, size_t *counts, double *recv,
                            void *ctx)
{
  member *m = ctx;
  shared *sh = m->sh;
  sh->send[m->rank] = send;
  sh->count[m->rank] = count;
  pthread_barrier_wait(&sh->bar);
  size_t off = 0;
  for (int r = 0; r < sh->size; ++r) {
    counts[r] = sh->count[r];
    if (recv && counts[r]) memcpy(recv + off, sh->send[r], counts[r] * sizeof *recv);
    off += counts[r];
  }
  pthread_barrier_wait(&sh->bar); /* nobody reuses send before everyone copied */
  return 0;
}

static int thread_send(const double *buf, size_t count, int dest, void *ctx)
{
  member *m = ctx;
  shared *sh = m->sh;
  message *msg = malloc(sizeof *msg);
  if (!msg || !(msg->buf = malloc((count ? count : 1) * sizeof *buf))) return 1;
  memcpy(msg->buf, buf, count * sizeof *buf);
  msg->count = count;
  msg->next = NULL;
  pthread_mutex_lock(&sh->mu);
  message **q = &sh->box[dest][m->rank];
  while (*q) q = &(*q)->next;
  *q = msg;
  pthread_cond_broadcast(&sh->cv);
  pthread_mutex_unlock(&sh->mu);
  return 0;
}

static int thread_recv(double *buf, size_t *count, int src, void *ctx)
{
  member *m = ctx;
  shared *sh = m->sh;
  pthread_mutex_lock(&sh->mu);
  while (!sh->box[m->rank][src]) pthread_cond_wait(&sh->cv, &sh->mu);
  message *msg = sh->box[m->rank][src];
  if (buf) { /* take it */
    memcpy(buf, msg->buf, msg->count * sizeof *buf);
    sh->box[m->rank][src] = msg->next;
  }
  *count = msg->count;
  pthread_mutex_unlock(&sh->mu);
  if (buf) {
    free(msg->buf);
    free(msg);
  }
  return 0;
}

/* ------------------------------------------------ the problem */

/* -u'' + c u = f on (-1, 1) with a learnable c (its gradient comes through
 * the residual's accumulators); fails (returns 7) at x > fail_above. */
typedef struct job_ctx {
  double fail_above;
} job_ctx;

static int residual(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  const job_ctx *j = ctx;
  if (x[0] > j->fail_above) return 7;
  const double f = M_PI * M_PI * sin(M_PI * x[0]) + sin(M_PI * x[0]);
  r[0] = pd_subc(pd_add(pd_neg(u->xx), pd_mul(c[0], u->v)), f);
  return 0;
}

static pinn_problem *make_problem(job_ctx *ctx, size_t n_interior)
{
  pinn_problem *p = pinn_problem_alloc("team", 1, 0, 1, NULL);
  pinn_domain dom;
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, -1, 1, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "c", 0.5, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual(p, "pde", 1, residual, PINN_NEED_XX, ctx), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 0, n_interior), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 1, 40), 0);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  return p;
}

/* The same residual read through the Taylor engine (d = u, u_xx). */
static int residual_any(const double *x, const pinn_dual *d, const pinn_dual *c, pinn_dual *r,
                        void *ctx)
{
  const job_ctx *j = ctx;
  if (x[0] > j->fail_above) return 7;
  const double f = M_PI * M_PI * sin(M_PI * x[0]) + sin(M_PI * x[0]);
  r[0] = pd_subc(pd_add(pd_neg(d[1]), pd_mul(c[0], d[0])), f);
  return 0;
}

static pinn_problem *make_problem_any(job_ctx *ctx, size_t n_interior)
{
  pinn_problem *p = pinn_problem_alloc("team_any", 1, 0, 1, NULL);
  pinn_domain dom;
  CU_ASSERT_EQUAL(pinn_domain_interval(&dom, -1, 1, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_coefficient(p, "c", 0.5, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_residual_any(p, "pde", 1, residual_any, "xx", ctx), 0);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 0, n_interior), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_points(p, 1, 40), 0);
  CU_ASSERT_EQUAL(pinn_problem_status(p), 0);
  return p;
}

/* What a rank computes: the loss, its gradient and each term, or a
 * training run's parameters and loss history. */
typedef struct job {
  const pinn_problem *p;
  member m;
  int use_team;
  int threads;
  int train;            /* 0: one evaluation; 1: Adam, L-BFGS, SSBroyden phases */
  int at_alloc;         /* the team through pinn_loss_options (else pinn_loss_set_team) */
  int p2p;              /* the team has send/recv: the tree exchange */
  int refine;           /* RAR before the evaluation: 20 of 200 candidates */
  int balance;          /* 1: per-term gradients (grad: 2 rows), 2: NTK traces (terms) */
  size_t first[2], count[2]; /* the rows of each term this rank holds */
  double *pts;          /* every point of term 0 after pinn_loss_gather_points */
  size_t n_pts;
  double f, terms[2];
  double *grad;         /* n_params */
  size_t n_params;
  int status;
  char msg[PINN_ERRMSG_SIZE];
  double *hist;         /* training: the loss history */
  size_t n_hist;
  int interrupted;      /* training: this rank's interrupt flag is raised from the start */
  pinn_stop_reason reason;
  size_t iterations;
} job;

static void *run_job(void *arg)
{
  job *j = arg;
  size_t sizes[] = {1, 16, 16, 1};
  pinn_activation act[2] = {pinn_activation_default(PINN_ACT_TANH),
                            pinn_activation_default(PINN_ACT_TANH)};
  pinn_mlp_layout lay = {4, sizes, act, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 3);
  pinn_mlp_init(net, PINN_INIT_XAVIER, rng);
  gsl_rng_free(rng);
  pinn_mlp_set_threads(net, j->threads);
  pinn_team team = {j->m.rank, j->m.sh ? j->m.sh->size : 1, thread_allgather, &j->m,
                    j->p2p ? thread_send : NULL, j->p2p ? thread_recv : NULL};
  pinn_loss_options lo = pinn_loss_options_default();
  if (j->use_team && j->at_alloc) lo.team = &team;
  pinn_loss *l = pinn_loss_alloc(j->p, net, &lo, NULL);
  if (j->use_team && !j->at_alloc) pinn_loss_set_team(l, &team);
  j->n_params = pinn_loss_n_params(l);
  j->grad = calloc(2 * j->n_params, sizeof *j->grad);
  if (j->refine) CU_ASSERT_EQUAL(pinn_loss_refine(l, 0, 200, 20), 0);
  for (size_t i = 0; i < 2; ++i) pinn_loss_term_share(l, i, &j->first[i], &j->count[i]);
  if (j->balance == 1) {
    j->status = pinn_loss_term_grads(l, NULL, &j->f, j->grad, j->terms);
  } else if (j->balance == 2) {
    j->status = pinn_lsq_ntk_traces(l, 0, j->terms);
  } else if (!j->train) {
    j->status = pinn_loss_eval(l, NULL, &j->f, j->grad, j->terms);
  } else {
    pinn_train_options o = pinn_train_options_default();
    pinn_train_options_set_adam(&o, 30, NULL);
    pinn_train_options_set_main_iters(&o, 30, NULL);
    pinn_train_options_add_phase(&o, PINN_OPT_SSBFGS, 20);
    pinn_train_options_add_phase(&o, PINN_OPT_LM, 5);
    o.resample_every = 12; /* fresh points (12, 24), then refinement (25), during Adam */
    o.refine_every = 25;
    o.refine_candidates = 300;
    o.refine_add = 30;
    o.progress = NULL;
    volatile sig_atomic_t flag = j->interrupted;
    o.interrupt = &flag;
    pinn_trainer *t = pinn_trainer_alloc(l, &o, NULL);
    j->status = pinn_trainer_run(t);
    j->reason = pinn_trainer_stop_reason(t);
    j->iterations = pinn_trainer_iterations(t);
    j->n_hist = pinn_trainer_history_length(t);
    j->hist = calloc(j->n_hist ? j->n_hist : 1, sizeof *j->hist);
    if (j->n_hist) memcpy(j->hist, pinn_trainer_history_loss(t), j->n_hist * sizeof *j->hist);
    pinn_loss_get_params(l, j->grad);
    pinn_trainer_free(t);
  }
  const double *x = NULL;
  if (pinn_loss_gather_points(l) == 0 && pinn_loss_term_points(l, 0, &j->n_pts, NULL, &x) == 0) {
    j->pts = malloc(j->n_pts * sizeof *j->pts);
    memcpy(j->pts, x, j->n_pts * sizeof *j->pts);
  }
  snprintf(j->msg, sizeof j->msg, "%s", pinn_loss_errmsg(l));
  pinn_loss_free(l);
  pinn_mlp_free(net);
  return NULL;
}

/* Run the job on a team of `size` ranks with `threads` threads each; the
 * results of every rank in out[0..size-1]. */
static void run_team(const pinn_problem *p, int size, int threads, int train, const job *how,
                        job *out)
{
  shared sh = {.size = size};
  pthread_barrier_init(&sh.bar, NULL, (unsigned)size);
  pthread_mutex_init(&sh.mu, NULL);
  pthread_cond_init(&sh.cv, NULL);
  pthread_t th[MAX_RANKS];
  for (int r = 0; r < size; ++r) {
    out[r] = (job){.p = p, .m = {&sh, r}, .use_team = 1, .threads = threads, .train = train,
                   .at_alloc = how ? how->at_alloc : 0, .refine = how ? how->refine : 0,
                   .p2p = how ? how->p2p : 0, .balance = how ? how->balance : 0};
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th[r], NULL, run_job, &out[r]), 0);
  }
  for (int r = 0; r < size; ++r) pthread_join(th[r], NULL);
  pthread_barrier_destroy(&sh.bar);
  pthread_mutex_destroy(&sh.mu);
  pthread_cond_destroy(&sh.cv);
  for (int a = 0; a < MAX_RANKS; ++a) /* every message was taken */
    for (int b = 0; b < MAX_RANKS; ++b) CU_ASSERT_PTR_NULL(sh.box[a][b]);
}


static void free_job(job *j)
{
  free(j->grad);
  free(j->hist);
  free(j->pts);
}

/* Bitwise equality of two results. */
static int same(const job *a, const job *b)
{
  if (a->status != b->status || a->n_params != b->n_params) return 0;
  if (a->status) return strcmp(a->msg, b->msg) == 0;
  if (a->train)
    return a->n_hist == b->n_hist && memcmp(a->hist, b->hist, a->n_hist * sizeof *a->hist) == 0 &&
           memcmp(a->grad, b->grad, a->n_params * sizeof *a->grad) == 0;
  return memcmp(&a->f, &b->f, sizeof a->f) == 0 && memcmp(a->terms, b->terms, sizeof a->terms) == 0 &&
         memcmp(a->grad, b->grad, a->n_params * sizeof *a->grad) == 0;
}

/* ------------------------------------------------ tests */

static void team_check_refuses_bad_teams(void)
{
  pinn_error e;
  member m = {NULL, 0};
  pinn_team t = {0, 0, thread_allgather, &m, NULL, NULL};
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "team size 0"));
  t.size = 2;
  t.rank = 2;
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "rank 2"));
  t.rank = 1;
  t.allgather = NULL;
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_team_check(NULL, &e), PINN_EINVAL);
  t.size = PINN_TEAM_MAX_SIZE + 1;
  t.allgather = thread_allgather;
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), PINN_EINVAL);
  t.size = 1;
  t.rank = 0;
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), 0);
  t.send = thread_send; /* point-to-point: both or neither */
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no recv"));
  t.recv = thread_recv;
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), 0);
  t.send = NULL;
  CU_ASSERT_EQUAL(pinn_team_check(&t, &e), PINN_EINVAL);
  t.recv = NULL;
  /* one rank: the maximum is the value itself */
  double v[2] = {3, -1};
  CU_ASSERT_EQUAL(pinn_team_max(&t, 2, v, &e), 0);
  CU_ASSERT(v[0] == 3 && v[1] == -1);
}

/* The loss and gradient on 1..5 ranks x 1 or 2 threads are the bits of one
 * process, for a pass of 4 leaves (2000 points: some ranks of a team of 5
 * have no share) and one of 256 leaves (70000 points), and every rank has
 * them. */
static void team_evaluation_is_bitwise_the_single_process(void)
{
  static const size_t npts[2] = {2000, 70000};
  for (int c = 0; c < 2; ++c) {
    job_ctx ctx = {2.0};
    pinn_problem *p = make_problem(&ctx, npts[c]);
    job single = {.p = p, .threads = 1};
    run_job(&single);
    CU_ASSERT_EQUAL(single.status, 0);
    CU_ASSERT(isfinite(single.f) && single.f > 0);
    CU_ASSERT(single.grad[single.n_params - 1] != 0.0); /* the coefficient's gradient */
    /* the all-gather (1..5 ranks x 1-2 threads) and the tree exchange
     * (1..8 ranks: every shape of a binomial tree up to 8) */
    for (int p2p = 0; p2p <= 1; ++p2p)
      for (int threads = 1; threads <= 2 - p2p; ++threads)
        for (int size = 1; size <= (p2p ? MAX_RANKS : 5); ++size) {
          job out[MAX_RANKS], how = {.p2p = p2p};
          run_team(p, size, threads, 0, &how, out);
          for (int r = 0; r < size; ++r) {
            CU_ASSERT_TRUE(same(&out[r], &single));
            if (!same(&out[r], &single))
              printf("\n  %zu points, %d ranks x %d threads (%s), rank %d: f %.17g vs %.17g\n",
                     npts[c], size, threads, p2p ? "tree" : "all-gather", r, out[r].f, single.f);
            free_job(&out[r]);
          }
        }
    free_job(&single);
    pinn_problem_free(p);
  }
}

/* Loss balancing's statistics on a team: each term's gradient
 * (pinn_loss_term_grads: the same exchange as an evaluation) and the NTK
 * traces (every rank gathers the points) are the single process's bits on
 * 1..4 ranks, tree and all-gather. */
static void balancing_statistics_on_a_team_are_bitwise_the_single_process(void)
{
  job_ctx ctx = {2.0};
  pinn_problem *p = make_problem(&ctx, 3000);
  for (int b = 1; b <= 2; ++b) {
    job single = {.p = p, .threads = 1, .balance = b};
    run_job(&single);
    CU_ASSERT_EQUAL(single.status, 0);
    CU_ASSERT(single.terms[0] > 0 && single.terms[1] > 0);
    const size_t P = single.n_params, n = b == 1 ? 2 * P : 0;
    if (b == 1) CU_ASSERT(single.grad[P - 1] != 0.0 && single.grad[P] != 0.0);
    for (int p2p = 0; p2p <= 1; ++p2p)
      for (int size = 2; size <= 4; ++size) {
        job out[MAX_RANKS], how = {.p2p = p2p, .balance = b};
        run_team(p, size, 1, 0, &how, out);
        for (int r = 0; r < size; ++r) {
          CU_ASSERT_EQUAL(out[r].status, 0);
          CU_ASSERT(memcmp(out[r].terms, single.terms, sizeof single.terms) == 0);
          CU_ASSERT(memcmp(out[r].grad, single.grad, n * sizeof *single.grad) == 0);
          if (b == 1) CU_ASSERT(memcmp(&out[r].f, &single.f, sizeof single.f) == 0);
          free_job(&out[r]);
        }
      }
    free_job(&single);
  }
  pinn_problem_free(p);
}

/* A residual of any order (the Taylor engine's pass, the same reduction
 * tree) on 1..8 ranks, tree and all-gather: the bits of one process; and a
 * failure on the last rank's points reaches every rank with its message. */
static void a_residual_of_any_order_on_a_team_is_bitwise_the_single_process(void)
{
  for (int fails = 0; fails <= 1; ++fails) {
    job_ctx ctx = {fails ? 0.9 : 2.0};
    pinn_problem *p = make_problem_any(&ctx, 9000);
    job single = {.p = p, .threads = 1};
    run_job(&single);
    CU_ASSERT_EQUAL(single.status, fails ? PINN_ECALLBACK : 0);
    if (fails) CU_ASSERT_PTR_NOT_NULL(strstr(single.msg, "returned 7"));
    if (!fails) CU_ASSERT(single.grad[single.n_params - 1] != 0.0);
    for (int p2p = 0; p2p <= 1; ++p2p)
      for (int size = 1; size <= (p2p ? MAX_RANKS : 4); ++size) {
        job out[MAX_RANKS], how = {.p2p = p2p};
        run_team(p, size, 1, 0, &how, out);
        for (int r = 0; r < size; ++r) {
          CU_ASSERT_TRUE(same(&out[r], &single));
          if (!same(&out[r], &single))
            printf("\n  any order, %d ranks (%s), rank %d: status %d f %.17g vs %.17g (%s)\n", size,
                   p2p ? "tree" : "all-gather", r, out[r].status, out[r].f, single.f, out[r].msg);
          free_job(&out[r]);
        }
      }
    free_job(&single);
    pinn_problem_free(p);
  }
}

/* A callback failing on some points (x > 0.9: on the last rank's share and
 * maybe others) fails every rank with the one-process status and message
 * (the failing point with the smallest index), and nobody hangs. */
static void a_failure_on_one_rank_reaches_every_rank(void)
{
  job_ctx ctx = {0.9};
  pinn_problem *p = make_problem(&ctx, 3000);
  job single = {.p = p, .threads = 1};
  run_job(&single);
  CU_ASSERT_EQUAL(single.status, PINN_ECALLBACK);
  CU_ASSERT_PTR_NOT_NULL(strstr(single.msg, "term 'pde' at x="));
  for (int p2p = 0; p2p <= 1; ++p2p)
    for (int size = 2; size <= (p2p ? 7 : 4); ++size) {
      job out[MAX_RANKS], how = {.p2p = p2p};
      run_team(p, size, 1, 0, &how, out);
      for (int r = 0; r < size; ++r) {
        CU_ASSERT_EQUAL(out[r].status, PINN_ECALLBACK);
        CU_ASSERT_STRING_EQUAL(out[r].msg, single.msg);
        free_job(&out[r]);
      }
    }
  free_job(&single);
  pinn_problem_free(p);
}

/* Training on 2 ranks (all-gather) and 3 (tree exchange) (Adam with
 * resampling and refinement, L-BFGS, SSBFGS, LM: every rank holds all
 * points for LM and its share again after) ends with the parameters and
 * loss history of the one-process run, bit for bit; also with the residual
 * read through the Taylor engine (its LM rows too). */
static void team_training_follows_the_single_process_bit_for_bit(void)
{
  job_ctx ctx = {2.0};
  for (int any = 0; any <= 1; ++any) { /* the residual through the jets, then the Taylor engine */
    pinn_problem *p = any ? make_problem_any(&ctx, 500) : make_problem(&ctx, 500);
    job single = {.p = p, .threads = 1, .train = 1};
    run_job(&single);
    CU_ASSERT_EQUAL(single.status, 0);
    CU_ASSERT(single.n_hist >= 80);
    CU_ASSERT(single.n_pts >= 530); /* refinement added points */
    for (int size = 2; size <= 3; ++size) {
      job out[MAX_RANKS], how = {.p2p = size == 3}; /* 3 ranks: the tree exchange */
      run_team(p, size, 1, 1, &how, out);
      for (int r = 0; r < size; ++r) {
        CU_ASSERT_TRUE(same(&out[r], &single));
        CU_ASSERT(out[r].pts && out[r].n_pts == single.n_pts &&
                  memcmp(out[r].pts, single.pts, single.n_pts * sizeof *single.pts) == 0);
        free_job(&out[r]);
      }
    }
    free_job(&single);
    pinn_problem_free(p);
  }
}

/* Each rank holds only its share of every term: the shares of 1..5 ranks
 * are contiguous, in rank order and cover every row once (a rank beyond
 * the tree's leaves holds none); the gathered points are the one-process
 * points; and the evaluation is the one-process bits whether the team came
 * with the loss's options (the share sampled from the start) or later, and
 * after adaptive refinement (new rows change every share). */
static void each_rank_holds_its_share_of_the_points(void)
{
  job_ctx ctx = {2.0};
  pinn_problem *p = make_problem(&ctx, 5000);
  for (int refine = 0; refine <= 1; ++refine) {
    job single = {.p = p, .threads = 1, .refine = refine};
    run_job(&single);
    CU_ASSERT_EQUAL(single.status, 0);
    CU_ASSERT_EQUAL(single.n_pts, (5000 + 20 * (size_t)refine) * 1);
    CU_ASSERT(single.first[0] == 0 && single.count[0] == 5000 + 20 * (size_t)refine);
    for (int at_alloc = 0; at_alloc <= 1; ++at_alloc)
      for (int size = 2; size <= 5; ++size) {
        job out[MAX_RANKS], how = {.at_alloc = at_alloc, .refine = refine};
        run_team(p, size, 1, 0, &how, out);
        for (size_t i = 0; i < 2; ++i) {
          size_t next = 0, most = 0;
          for (int r = 0; r < size; ++r) {
            if (out[r].count[i]) CU_ASSERT_EQUAL(out[r].first[i], next);
            next += out[r].count[i];
            if (out[r].count[i] > most) most = out[r].count[i];
          }
          CU_ASSERT_EQUAL(next, single.count[i]);
          /* a real share of the 5000+ interior rows: whole leaves of the
           * tree (16 here), so up to ceil(16 / size) of them */
          if (i == 0) CU_ASSERT(most <= 2 * single.count[0] / (size_t)size);
        }
        for (int r = 0; r < size; ++r) {
          CU_ASSERT_TRUE(same(&out[r], &single));
          CU_ASSERT_EQUAL(out[r].n_pts, single.n_pts);
          CU_ASSERT(out[r].pts && single.pts &&
                    memcmp(out[r].pts, single.pts, single.n_pts * sizeof *single.pts) == 0);
          free_job(&out[r]);
        }
      }
    free_job(&single);
  }
  pinn_problem_free(p);
}

/* One rank interrupted (its flag raised, as SIGINT would): every rank
 * stops at the same iteration with the same reason. */
static void an_interrupt_on_one_rank_stops_every_rank_together(void)
{
  job_ctx ctx = {2.0};
  pinn_problem *p = make_problem(&ctx, 500);
  shared sh = {.size = 3};
  pthread_barrier_init(&sh.bar, NULL, 3);
  pthread_t th[3];
  job out[3];
  for (int r = 0; r < 3; ++r) {
    out[r] = (job){.p = p, .m = {&sh, r}, .use_team = 1, .threads = 1, .train = 1,
                   .interrupted = r == 1};
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th[r], NULL, run_job, &out[r]), 0);
  }
  for (int r = 0; r < 3; ++r) pthread_join(th[r], NULL);
  pthread_barrier_destroy(&sh.bar);
  for (int r = 0; r < 3; ++r) {
    CU_ASSERT_EQUAL(out[r].reason, PINN_STOP_INTERRUPT);
    CU_ASSERT_EQUAL(out[r].iterations, out[0].iterations);
    CU_ASSERT_TRUE(same(&out[r], &out[0]));
  }
  for (int r = 0; r < 3; ++r) free_job(&out[r]);
  pinn_problem_free(p);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"team_check_refuses_bad_teams", team_check_refuses_bad_teams},
      {"balancing_statistics_on_a_team_are_bitwise_the_single_process",
       balancing_statistics_on_a_team_are_bitwise_the_single_process},
      {"team_evaluation_is_bitwise_the_single_process",
       team_evaluation_is_bitwise_the_single_process},
      {"a_failure_on_one_rank_reaches_every_rank", a_failure_on_one_rank_reaches_every_rank},
      {"a_residual_of_any_order_on_a_team_is_bitwise_the_single_process",
       a_residual_of_any_order_on_a_team_is_bitwise_the_single_process},
      {"team_training_follows_the_single_process_bit_for_bit",
       team_training_follows_the_single_process_bit_for_bit},
      {"each_rank_holds_its_share_of_the_points", each_rank_holds_its_share_of_the_points},
      {"an_interrupt_on_one_rank_stops_every_rank_together",
       an_interrupt_on_one_rank_stops_every_rank_together},
      {NULL, NULL}};
  if (pinn_test_add_suite("team", cases)) return 1;
  return pinn_test_run_all();
}
