/* Tests for causal weights (pinn/causal.h): the weights against hand
 * computations (a fixed list of slab losses, and a known residual profile
 * through the loss), the loss gradient with the weights held fixed against
 * finite differences, the annealing ladder, a resumed run bitwise the
 * uninterrupted one, and the errors. */
#include <pinn/causal.h>
#include <pinn/loss.h>
#include <pinn/train.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* r = u_t - 0.1 u_xx, or (profile) r = t + 0 u: a residual that does not
 * depend on the network, |r|^2 = t^2 at every point. */
typedef struct {
  int profile;
} res_ctx;

static int heat(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)c;
  const res_ctx *rc = ctx;
  if (rc->profile) r[0] = pd_addc(pd_scale(u[0].v, 0.0), x[1]);
  else r[0] = pd_sub(u[0].t, pd_scale(u[0].xx, 0.1));
  return 0;
}

static int sin_pi(const double *x, double *v, void *ctx)
{
  (void)ctx;
  *v = sin(3.14159265358979323846 * x[0]);
  return 0;
}

typedef struct {
  pinn_problem *p;
  pinn_mlp *net;
  pinn_loss *l;
} fixture;

static const res_ctx heat_ctx = {0}, profile_ctx = {1};

/* x in (0, 1), t in (0, 2): the residual (term 0), an initial condition
 * (term 1) and, unless profile, a boundary condition (term 2). */
static fixture make(int profile, pinn_causal_options c, size_t n_res, unsigned long seed)
{
  fixture f;
  memset(&f, 0, sizeof f);
  f.p = pinn_problem_alloc("causal_heat", 1, 1, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  pinn_domain_with_time(&dom, 0, 2, NULL);
  pinn_problem_set_domain(f.p, &dom);
  pinn_problem_add_residual(f.p, "pde", 1, heat, PINN_NEED_T | PINN_NEED_XX,
                            (void *)(profile ? &profile_ctx : &heat_ctx));
  pinn_problem_set_points(f.p, 0, n_res);
  pinn_problem_add_initial(f.p, "start", 0, sin_pi, NULL);
  pinn_problem_set_points(f.p, 1, 40);
  if (!profile) {
    pinn_problem_add_dirichlet(f.p, "ends", 0, NULL, NULL);
    pinn_problem_set_points(f.p, 2, 40);
  }
  f.net = pinn_test_small_net(2, 1, PINN_ACT_TANH, seed);
  pinn_loss_options o = pinn_loss_options_default();
  o.causal = c;
  pinn_error e;
  f.l = pinn_loss_alloc(f.p, f.net, &o, &e);
  if (!f.l) printf("\n  loss: %s\n", e.msg);
  return f;
}

static void unmake(fixture *f)
{
  pinn_loss_free(f->l);
  pinn_mlp_free(f->net);
  pinn_problem_free(f->p);
}

/* The hand computation: L = (0.5, 1, 2), eps = 1 -> w = (1, e^-0.5, e^-1.5);
 * the slabs of [0, 2] in 4. */
static void weights_match_a_hand_computation(void)
{
  const double L[3] = {0.5, 1.0, 2.0};
  double w[3];
  pinn_causal_weights(3, L, 1.0, w);
  CU_ASSERT_EQUAL(w[0], 1.0);
  CU_ASSERT(fabs(w[1] - 0.6065306597126334) < 1e-15);
  CU_ASSERT(fabs(w[2] - 0.22313016014842982) < 1e-15);
  pinn_causal_weights(3, L, 10.0, w); /* exp(-5), exp(-15) */
  CU_ASSERT(fabs(w[1] - 6.737946999085467e-03) < 1e-17);
  CU_ASSERT(fabs(w[2] - 3.059023205018258e-07) < 1e-20);
  CU_ASSERT_EQUAL(pinn_causal_slab(0.0, 0, 2, 4), 0);
  CU_ASSERT_EQUAL(pinn_causal_slab(0.49, 0, 2, 4), 0);
  CU_ASSERT_EQUAL(pinn_causal_slab(0.5, 0, 2, 4), 1);
  CU_ASSERT_EQUAL(pinn_causal_slab(1.99, 0, 2, 4), 3);
  CU_ASSERT_EQUAL(pinn_causal_slab(2.0, 0, 2, 4), 3); /* the end belongs to the last slab */
  CU_ASSERT_EQUAL(pinn_causal_slab(-1e-9, 0, 2, 4), 0);
  CU_ASSERT_EQUAL(pinn_causal_slab(NAN, 0, 2, 4), 0);
  CU_ASSERT_EQUAL(pinn_causal_rung_eps(0), 1e-2);
  CU_ASSERT_EQUAL(pinn_causal_rung_eps(4), 100.0);
  CU_ASSERT_EQUAL(pinn_causal_rung_eps(9), 100.0);
}

/* r = t: L_k is the mean t^2 of slab k's points, computed here from the
 * points; the loss's slab losses, weights and term loss match it. */
static void the_loss_weights_a_known_residual_profile(void)
{
  const size_t M = 4;
  pinn_causal_options c = {M, 0.5, 0};
  fixture f = make(1, c, 200, 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f.l);
  double fv, terms[2], Lg[4], wg[4];
  CU_ASSERT_EQUAL(pinn_loss_causal_slabs(f.l, 0, Lg, wg), PINN_EINVAL); /* none yet */
  CU_ASSERT_EQUAL_FATAL(pinn_loss_eval(f.l, NULL, &fv, NULL, terms), PINN_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_causal_slabs(f.l, 0, Lg, wg), PINN_SUCCESS);
  CU_ASSERT_EQUAL(pinn_loss_causal_slabs(f.l, 1, Lg, wg), PINN_EINVAL); /* not causal */
  size_t n, dim;
  const double *x;
  pinn_loss_term_points(f.l, 0, &n, &dim, &x);
  double L[4] = {0}, cnt[4] = {0};
  for (size_t p = 0; p < n; ++p) {
    const double t = x[p * dim + 1];
    const size_t k = (size_t)fmin(floor(t / 0.5), 3.0);
    L[k] += t * t;
    cnt[k] += 1;
  }
  double want = 0, sum = 0, worst = 0;
  for (size_t k = 0; k < M; ++k) {
    CU_ASSERT(cnt[k] > 0);
    L[k] /= cnt[k];
    const double w = exp(-0.5 * sum);
    sum += L[k];
    want += w * L[k] / (double)M;
    worst = fmax(worst, fabs(Lg[k] - L[k]) / L[k]);
    worst = fmax(worst, fabs(wg[k] - w) / w);
  }
  /* by hand: the slabs' mean t^2 are near 1/12, 7/12, 19/12, 37/12 */
  CU_ASSERT(fabs(L[3] - 37.0 / 12) < 0.05);
  CU_ASSERT(wg[3] < 0.35 && wg[3] > 0.3); /* exp(-0.5 * 27/12) = 0.325 for the exact means */
  CU_ASSERT(worst < 1e-13);
  CU_ASSERT(fabs(terms[0] - want) < 1e-13 * want);
  /* off: the plain mean t^2 */
  pinn_loss_causal_activate(f.l, 0);
  double plain[2];
  CU_ASSERT_EQUAL(pinn_loss_eval(f.l, NULL, &fv, NULL, plain), PINN_SUCCESS);
  double mean = 0;
  for (size_t p = 0; p < n; ++p) mean += x[p * dim + 1] * x[p * dim + 1] / (double)n;
  CU_ASSERT(fabs(plain[0] - mean) < 1e-13 * mean);
  CU_ASSERT_EQUAL(plain[1], terms[1]); /* the other terms are untouched */
  printf("\n  profile: slab weights off by %.2g (relative), term loss %.6f = %.6f by hand\n", worst,
         terms[0], want);
  unmake(&f);
}

/* F(theta) = sum_t w_t L_t with the residual term's slab weights w_k held at
 * their values at theta0: the plain loss of the other terms plus
 * (1/M) sum_k w_k L_k(theta), L_k measured here with pinn_loss_residual_at. */
static double held_loss(fixture *f, const double *th, size_t M, const double *w)
{
  double fv, terms[3];
  pinn_loss_causal_activate(f->l, 0);
  pinn_loss_eval(f->l, th, &fv, NULL, terms);
  size_t n, dim;
  const double *x;
  pinn_loss_term_points(f->l, 0, &n, &dim, &x);
  double *sq = malloc(n * sizeof *sq), L[16] = {0}, cnt[16] = {0};
  pinn_loss_residual_at(f->l, 0, n, x, sq);
  for (size_t p = 0; p < n; ++p) {
    const size_t k = pinn_causal_slab(x[p * dim + 1], 0, 2, M);
    L[k] += sq[p];
    cnt[k] += 1;
  }
  double causal = 0;
  for (size_t k = 0; k < M; ++k) causal += w[k] * (L[k] / cnt[k]) / (double)M;
  free(sq);
  return fv - terms[0] + causal;
}

static void the_gradient_with_weights_held_fixed_matches_finite_differences(void)
{
  const size_t M = 5;
  pinn_causal_options c = {M, 2.0, 0};
  fixture f = make(0, c, 300, 7);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f.l);
  const size_t P = pinn_loss_n_params(f.l);
  double *th = malloc(P * sizeof *th), *g = malloc(P * sizeof *g), fv, w[5], L[5];
  pinn_loss_get_params(f.l, th);
  /* a few Adam steps away from the initialisation (plain), so that the
   * residual has structure in time */
  pinn_loss_causal_activate(f.l, 0);
  pinn_test_adam(f.l, 30, 1e-2);
  pinn_loss_get_params(f.l, th);
  pinn_loss_causal_activate(f.l, 1);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_eval(f.l, th, &fv, g, NULL), PINN_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_causal_slabs(f.l, 0, L, w), PINN_SUCCESS);
  CU_ASSERT(w[M - 1] < 0.9); /* the weights matter */
  /* the weights are those of this theta's slab losses */
  double sum = 0, wdev = 0;
  for (size_t k = 0; k < M; ++k) {
    wdev = fmax(wdev, fabs(w[k] - exp(-2.0 * sum)));
    sum += L[k];
  }
  CU_ASSERT(wdev < 1e-15);
  /* bitwise the same on 3 threads */
  double *g3 = malloc(P * sizeof *g3), f3;
  pinn_mlp_set_threads(f.net, 3);
  CU_ASSERT_EQUAL(pinn_loss_eval(f.l, th, &f3, g3, NULL), PINN_SUCCESS);
  pinn_mlp_set_threads(f.net, 1);
  CU_ASSERT_EQUAL(f3, fv);
  CU_ASSERT_EQUAL(memcmp(g, g3, P * sizeof *g), 0);
  free(g3);
  /* the loss value is the held function's at theta */
  const double f0 = held_loss(&f, th, M, w);
  CU_ASSERT(fabs(f0 - fv) < 1e-13 * fv);
  double num = 0, den = 0;
  for (size_t j = 0; j < P; ++j) {
    const double t0 = th[j], h = 1e-6 * fmax(1.0, fabs(t0));
    th[j] = t0 + h;
    const double fp = held_loss(&f, th, M, w);
    th[j] = t0 - h;
    const double fm = held_loss(&f, th, M, w);
    th[j] = t0;
    const double fd = (fp - fm) / (2 * h);
    num += (fd - g[j]) * (fd - g[j]);
    den += g[j] * g[j];
  }
  const double rel = sqrt(num / den);
  printf("\n  causal gradient vs finite differences: %.2e relative (w_M = %.3f)\n", rel, w[M - 1]);
  CU_ASSERT(rel < 1e-6);
  free(th);
  free(g);
  unmake(&f);
}

/* eps 1e-2 -> 1e-1 -> ... once min w > 0.99; a fixed eps never moves. */
static void annealing_climbs_the_ladder_when_every_weight_is_near_one(void)
{
  pinn_causal_options c = {4, 0.0, 0};
  fixture f = make(1, c, 100, 3); /* L = mean t^2: sum_{j<3} L_j ~ 2.25 */
  CU_ASSERT_PTR_NOT_NULL_FATAL(f.l);
  CU_ASSERT_EQUAL(pinn_loss_causal_anneal(f.l), 0); /* no evaluation yet */
  double fv, w[4];
  CU_ASSERT_EQUAL(pinn_loss_causal_eps(f.l), 1e-2);
  pinn_loss_eval(f.l, NULL, &fv, NULL, NULL);
  pinn_loss_causal_slabs(f.l, 0, NULL, w);
  CU_ASSERT(w[3] > 0.97 && w[3] < 0.99); /* exp(-0.0225) = 0.978: stays */
  CU_ASSERT_EQUAL(pinn_loss_causal_anneal(f.l), 0);
  CU_ASSERT_EQUAL(pinn_loss_causal_rung(f.l), 0);
  unmake(&f);
  /* a profile scaled down: r = t on a shorter time axis would do; here the
   * pure state: a loss with small residuals climbs one rung per test */
  pinn_causal_options c2 = {1, 0.0, 0}; /* one slab: w = 1 always */
  f = make(1, c2, 50, 3);
  for (size_t r = 1; r < PINN_CAUSAL_RUNGS + 2; ++r) {
    pinn_loss_eval(f.l, NULL, &fv, NULL, NULL);
    CU_ASSERT_EQUAL(pinn_loss_causal_anneal(f.l), r < PINN_CAUSAL_RUNGS);
    CU_ASSERT_EQUAL(pinn_loss_causal_anneal(f.l), 0); /* needs a new evaluation */
  }
  CU_ASSERT_EQUAL(pinn_loss_causal_eps(f.l), 100.0);
  unmake(&f);
  pinn_causal_options c3 = {1, 3.0, 0};
  f = make(1, c3, 50, 3);
  pinn_loss_eval(f.l, NULL, &fv, NULL, NULL);
  CU_ASSERT_EQUAL(pinn_loss_causal_anneal(f.l), 0);
  CU_ASSERT_EQUAL(pinn_loss_causal_eps(f.l), 3.0);
  unmake(&f);
}

/* ------------------------------------------------------------ training */

static int stop_at(const pinn_progress *p, void *ctx)
{
  return p->total_iter >= *(const size_t *)ctx;
}

typedef struct {
  double *th;
  size_t P, iters, rung;
  double loss, plain; /* the trainer's loss, the plain loss at the end */
} run_result;

static run_result train(pinn_causal_options c, const char *ckpt, const char *resume,
                        size_t stop)
{
  fixture f = make(0, c, 120, 11);
  pinn_train_options o = pinn_train_options_default();
  o.n_phases = 0;
  pinn_train_options_add_phase(&o, PINN_OPT_ADAM, 60)->lr = 1e-2;
  pinn_train_options_add_phase(&o, PINN_OPT_LBFGS, 20);
  o.checkpoint_path = ckpt;
  if (stop) {
    o.progress = stop_at;
    o.progress_ctx = &stop;
    o.progress_every = 1;
  }
  pinn_error e;
  pinn_trainer *t = pinn_trainer_alloc(f.l, &o, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  if (resume) {
    const int st = pinn_trainer_resume(t, resume);
    if (st) printf("\n  resume: %s\n", pinn_trainer_errmsg(t));
    CU_ASSERT_EQUAL_FATAL(st, PINN_SUCCESS);
  }
  CU_ASSERT_EQUAL(pinn_trainer_run(t), PINN_SUCCESS);
  run_result r;
  r.P = pinn_loss_n_params(f.l);
  r.th = malloc(r.P * sizeof *r.th);
  pinn_loss_get_params(f.l, r.th);
  r.iters = pinn_trainer_iterations(t);
  r.rung = pinn_loss_causal_rung(f.l);
  r.loss = pinn_trainer_loss(t);
  pinn_loss_causal_activate(f.l, 0);
  pinn_loss_eval(f.l, r.th, &r.plain, NULL, NULL);
  pinn_trainer_free(t);
  unmake(&f);
  return r;
}

/* An annealed run stopped inside Adam (after its first rung changes) and
 * resumed ends bitwise on the uninterrupted run, rung included. */
static void a_causal_run_resumes_bitwise(void)
{
  char *dir = pinn_test_tmpdir("causal");
  char *path = pinn_test_join(dir, "run.ckpt.h5");
  pinn_causal_options c = {2, 0.0, 0};
  run_result ref = train(c, NULL, NULL, 0);
  CU_ASSERT_EQUAL(ref.iters, 80);
  CU_ASSERT(ref.rung >= 1);
  CU_ASSERT_EQUAL(ref.loss, ref.plain); /* L-BFGS trained the plain loss */
  run_result a = train(c, path, NULL, 40);
  CU_ASSERT_EQUAL(a.iters, 40);
  printf("\n  annealed run: rung %zu at iteration 40, %zu at the end (eps %g)\n", a.rung, ref.rung,
         pinn_causal_rung_eps(ref.rung));
  CU_ASSERT(a.rung >= 1); /* the checkpoint holds a climbed rung */
  run_result b = train(c, NULL, path, 0);
  CU_ASSERT_EQUAL(b.iters, 80);
  CU_ASSERT_EQUAL(b.rung, ref.rung);
  CU_ASSERT_EQUAL(memcmp(ref.th, b.th, ref.P * sizeof *ref.th), 0);
  CU_ASSERT_EQUAL(ref.loss, b.loss);
  /* stopped at Adam's last iteration and inside L-BFGS (plain loss there:
   * the best point measured again at the phase change) */
  const size_t stops[2] = {60, 65};
  for (int k = 0; k < 2; ++k) {
    run_result s = train(c, path, NULL, stops[k]), e = train(c, NULL, path, 0);
    CU_ASSERT_EQUAL(s.iters, stops[k]);
    CU_ASSERT_EQUAL(e.iters, 80);
    CU_ASSERT_EQUAL(memcmp(ref.th, e.th, ref.P * sizeof *ref.th), 0);
    CU_ASSERT_EQUAL(ref.loss, e.loss);
    free(s.th);
    free(e.th);
  }
  /* a checkpoint with causal weights refuses a resume without them, and
   * one with other settings */
  pinn_causal_options none = {0, 0.0, 0}, other = {8, 0.0, 0};
  const pinn_causal_options *bad[2] = {&none, &other};
  for (int k = 0; k < 2; ++k) {
    fixture f = make(0, *bad[k], 120, 11);
    pinn_train_options o = pinn_train_options_default();
    o.n_phases = 0;
    pinn_train_options_add_phase(&o, PINN_OPT_ADAM, 60)->lr = 1e-2;
    pinn_train_options_add_phase(&o, PINN_OPT_LBFGS, 20);
    pinn_trainer *t = pinn_trainer_alloc(f.l, &o, NULL);
    CU_ASSERT_NOT_EQUAL(pinn_trainer_resume(t, path), PINN_SUCCESS);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_trainer_errmsg(t), "causal"));
    pinn_trainer_free(t);
    unmake(&f);
  }
  free(ref.th);
  free(a.th);
  free(b.th);
  pinn_test_rmtree(dir);
  free(path);
  free(dir);
}

static void bad_settings_are_refused_with_a_message(void)
{
  pinn_causal_options o = pinn_causal_options_default();
  pinn_error e;
  CU_ASSERT_EQUAL(o.slabs, 0);
  CU_ASSERT_EQUAL(pinn_causal_parse("32", &o, &e), PINN_SUCCESS);
  CU_ASSERT(o.slabs == 32 && o.eps == 0 && !o.quasi_newton);
  CU_ASSERT_EQUAL(pinn_causal_parse("8:0.5:qn", &o, &e), PINN_SUCCESS);
  CU_ASSERT(o.slabs == 8 && o.eps == 0.5 && o.quasi_newton);
  CU_ASSERT_EQUAL(pinn_causal_parse("8:qn", &o, &e), PINN_SUCCESS);
  CU_ASSERT(o.slabs == 8 && o.eps == 0 && o.quasi_newton);
  const char *bad[] = {"0", "-3", "1001", "8:", "8:0", "8:-1", "8:x", "8:1:2", "8:qn:qn",
                       "x", "", "8:inf", "8:nan"};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
    pinn_causal_options keep = o;
    CU_ASSERT_EQUAL(pinn_causal_parse(bad[k], &o, &e), PINN_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "M[:EPS][:qn]"));
    CU_ASSERT_EQUAL(memcmp(&keep, &o, sizeof o), 0);
  }
  pinn_causal_options c = {2000, 0, 0};
  CU_ASSERT_EQUAL(pinn_causal_options_check(&c, &e), PINN_EINVAL);
  c.slabs = 4;
  c.eps = -1;
  CU_ASSERT_EQUAL(pinn_causal_options_check(&c, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "eps"));
  /* a problem without time */
  pinn_test_net s = pinn_test_poisson1d(NULL, NULL, 20, 1);
  pinn_loss_options lo = pinn_loss_options_default();
  lo.causal.slabs = 4;
  CU_ASSERT_PTR_NULL(pinn_loss_alloc(s.p, s.net, &lo, &e));
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no time coordinate"));
  CU_ASSERT_PTR_NULL(pinn_loss_causal(s.l));
  CU_ASSERT(isnan(pinn_loss_causal_eps(s.l)));
  pinn_test_net_free(&s);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"weights_match_a_hand_computation", weights_match_a_hand_computation},
      {"the_loss_weights_a_known_residual_profile", the_loss_weights_a_known_residual_profile},
      {"the_gradient_with_weights_held_fixed_matches_finite_differences",
       the_gradient_with_weights_held_fixed_matches_finite_differences},
      {"annealing_climbs_the_ladder_when_every_weight_is_near_one",
       annealing_climbs_the_ladder_when_every_weight_is_near_one},
      {"a_causal_run_resumes_bitwise", a_causal_run_resumes_bitwise},
      {"bad_settings_are_refused_with_a_message", bad_settings_are_refused_with_a_message},
      {NULL, NULL}};
  if (pinn_test_add_suite("causal", cases)) return 1;
  return pinn_test_run_all();
}
