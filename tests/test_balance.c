/* Tests for loss balancing: the weights of both kinds on a two-term toy
 * loss against a hand computation, per-term gradients against central
 * differences and summing to the total gradient, NTK traces against the
 * least-squares Jacobian, weights in checkpoints, options and their
 * refusals.  (Resuming a balanced run bitwise: tests/test_train.c.) */
#include <pinn/balance.h>
#include <pinn/h5io.h>
#include <pinn/loss.h>
#include <pinn/lsq.h>
#include <pinn/train.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ------------------------------------------------------ the toy loss */

/* r_a = c - 1 and r_b = 2 (c - 3): constant in x and in the network, so
 * L_a = (c - 1)^2, L_b = 4 (c - 3)^2, their gradients are 2 (c - 1) and
 * 8 (c - 3) in the coefficient's entry and 0 elsewhere, and tr K_a = 1,
 * tr K_b = 4 (|dr/dc|^2). */
static int toy_a(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)u, (void)ctx;
  r[0] = pd_addc(c[0], -1.0);
  return 0;
}

static int toy_b(const double *x, const pinn_jet *u, const pinn_dual *c, pinn_dual *r, void *ctx)
{
  (void)x, (void)u, (void)ctx;
  r[0] = pd_scale(pd_addc(c[0], -3.0), 2.0);
  return 0;
}

/* The toy problem on (0, 1) with c = 0 and problem weights 1 and 0.5, and
 * an optional third term "off" of weight 0. */
static pinn_problem *toy_problem(int with_off)
{
  pinn_problem *p = pinn_problem_alloc("toy", 1, 0, 1, NULL);
  pinn_domain dom;
  pinn_domain_interval(&dom, 0, 1, NULL);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_set_domain(p, &dom), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_add_coefficient(p, "c", 0.0, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_add_residual(p, "a", 1, toy_a, PINN_NEED_X, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_add_residual(p, "b", 1, toy_b, PINN_NEED_X, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_problem_set_weight(p, 1, 0.5), 0);
  if (with_off) {
    CU_ASSERT_EQUAL_FATAL(pinn_problem_add_residual(p, "off", 1, toy_b, PINN_NEED_X, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(pinn_problem_set_weight(p, 2, 0.0), 0);
  }
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i)
    CU_ASSERT_EQUAL_FATAL(pinn_problem_set_points(p, i, 16), 0);
  return p;
}

static double worst_close = 0; /* the largest relative difference close_to saw */

static int close_to(double got, double want)
{
  worst_close = fmax(worst_close, fabs(got - want) / fabs(want));
  const int ok = fabs(got - want) <= 1e-12 * fabs(want);
  if (!ok) printf("\n  got %.17g, want %.17g\n", got, want);
  return ok;
}

/* The requirement: the balancing weights of a two-term toy loss
 * against a hand computation.
 *   LRA: |grad L_a| = 2, |grad L_b| = 24 at c = 0, w_hat = (26/2, 26/24);
 *        from the problem's weights (1, 0.5) with alpha = 0.9:
 *        w_a = 0.9 + 0.1 * 13 = 2.2, w_b = 0.45 + 0.1 * 13/12;
 *        a second update at the same point: w_a = 0.9 * 2.2 + 1.3 = 3.28,
 *        w_b = 0.9 w_b + 0.1 * 13/12.
 *   NTK: tr K = (1, 4), w_hat = (5, 5/4): w_a = 0.9 + 0.5 = 1.4,
 *        w_b = 0.45 + 0.125 = 0.575.
 * A term of problem weight 0 stays 0. */
static void balancing_weights_of_a_two_term_toy_loss_are_the_hand_computed_ones(void)
{
  pinn_problem *p = toy_problem(1);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 1);
  pinn_error err;
  for (int kind = PINN_BALANCE_LRA; kind <= PINN_BALANCE_NTK; ++kind) {
    pinn_loss *l = pinn_loss_alloc(p, net, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    pinn_balance_options o = pinn_balance_options_default();
    o.kind = (pinn_balance_kind)kind;
    double stat[3];
    CU_ASSERT_EQUAL(pinn_balance_stats(l, NULL, &o, stat, &err), 0);
    if (kind == PINN_BALANCE_LRA) {
      CU_ASSERT(close_to(stat[0], 2.0) && close_to(stat[1], 24.0));
    } else {
      CU_ASSERT(close_to(stat[0], 1.0) && close_to(stat[1], 4.0));
    }
    CU_ASSERT_EQUAL(stat[2], 0.0);
    CU_ASSERT_EQUAL(pinn_balance_update(l, NULL, &o, &err), 0);
    const double wa = kind == PINN_BALANCE_LRA ? 2.2 : 1.4;
    const double wb = kind == PINN_BALANCE_LRA ? 0.45 + 0.1 * 13.0 / 12.0 : 0.575;
    CU_ASSERT(close_to(pinn_loss_term_weight(l, 0), wa));
    CU_ASSERT(close_to(pinn_loss_term_weight(l, 1), wb));
    CU_ASSERT_EQUAL(pinn_loss_term_weight(l, 2), 0.0);
    if (kind == PINN_BALANCE_LRA) {
      CU_ASSERT_EQUAL(pinn_balance_update(l, NULL, &o, &err), 0);
      CU_ASSERT(close_to(pinn_loss_term_weight(l, 0), 3.28));
      CU_ASSERT(close_to(pinn_loss_term_weight(l, 1), 0.9 * wb + 0.1 * 13.0 / 12.0));
    }
    /* the loss uses them: f = w_a L_a + w_b L_b with L = (1, 36) */
    double f, terms[3];
    CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f, NULL, terms), 0);
    CU_ASSERT(close_to(terms[0], 1.0) && close_to(terms[1], 36.0));
    CU_ASSERT(close_to(f, pinn_loss_term_weight(l, 0) + 36.0 * pinn_loss_term_weight(l, 1)));
    /* and the least-squares view too */
    const size_t nr = pinn_lsq_n_residuals(l);
    double *R = malloc(nr * sizeof *R), s = 0;
    CU_ASSERT_EQUAL(pinn_lsq_eval(l, NULL, R, NULL), 0);
    for (size_t i = 0; i < nr; ++i) s += R[i] * R[i];
    CU_ASSERT(fabs(s - f) <= 1e-12 * f);
    free(R);
    /* back to the problem's */
    CU_ASSERT_EQUAL(pinn_balance_restore(l), 1);
    CU_ASSERT_EQUAL(pinn_loss_term_weight(l, 0), 1.0);
    CU_ASSERT_EQUAL(pinn_loss_term_weight(l, 1), 0.5);
    CU_ASSERT_EQUAL(pinn_balance_restore(l), 0);
    pinn_loss_free(l);
  }
  /* the arithmetic alone: a term whose statistic is 0 keeps its weight */
  const double stat[3] = {3.0, 0.0, 1.0};
  const int active[3] = {1, 1, 1};
  double w[3] = {1.0, 7.0, 2.0};
  CU_ASSERT_EQUAL(pinn_balance_mix(3, stat, active, 0.5, w, &err), 0);
  CU_ASSERT(close_to(w[0], 0.5 + 0.5 * 4.0 / 3.0) && w[1] == 7.0 && close_to(w[2], 1.0 + 2.0));
  const double bad[2] = {1.0, NAN};
  CU_ASSERT_EQUAL(pinn_balance_mix(2, bad, active, 0.5, w, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "term 1"));
  printf("\n  toy weights: largest relative difference from the hand computation %.2g "
         "(bound 1e-12)", worst_close);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ------------------------------------------- per-term gradients */

/* Each row of pinn_loss_term_grads against central differences of that
 * term's L_t (relative 2-norm error), and sum_t w_t row_t against
 * pinn_loss_eval's gradient (weights changed from the problem's first). */
static void check_term_grads(pinn_problem *p, pinn_mlp *net, const char *what)
{
  pinn_error err;
  pinn_loss_options lo = pinn_loss_options_default();
  lo.points_scale = 0.05;
  pinn_loss *l = pinn_loss_alloc(p, net, &lo, &err);
  if (!l) printf("\n  %s: %s\n", what, err.msg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  const size_t P = pinn_loss_n_params(l), T = pinn_loss_n_terms(l);
  for (size_t t = 0; t < T; ++t)
    CU_ASSERT_EQUAL(pinn_loss_set_term_weight(l, t, 0.5 + 0.75 * (double)t), 0);
  double *th = malloc(P * sizeof *th), *G = malloc(T * P * sizeof *G), *g = malloc(P * sizeof *g);
  double *tp = malloc(T * sizeof *tp), *tm = malloc(T * sizeof *tm), *t0 = malloc(T * sizeof *t0);
  double *num = calloc(T, sizeof *num), *den = calloc(T, sizeof *den);
  double f1, f2;
  pinn_loss_get_params(l, th);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_term_grads(l, th, &f1, G, t0), 0);
  CU_ASSERT_EQUAL_FATAL(pinn_loss_eval(l, th, &f2, g, NULL), 0);
  CU_ASSERT(f1 == f2);
  for (size_t j = 0; j < P; ++j) {
    const double v = th[j], h = 1e-6 * fmax(1.0, fabs(v));
    th[j] = v + h;
    pinn_loss_eval(l, th, &f1, NULL, tp);
    th[j] = v - h;
    pinn_loss_eval(l, th, &f1, NULL, tm);
    th[j] = v;
    for (size_t t = 0; t < T; ++t) {
      const double fd = (tp[t] - tm[t]) / (2 * h);
      num[t] += (fd - G[t * P + j]) * (fd - G[t * P + j]);
      den[t] += fd * fd;
    }
  }
  double worst = 0, gmax = 0, dmax = 0;
  for (size_t t = 0; t < T; ++t) {
    const double e = den[t] > 0 ? sqrt(num[t] / den[t]) : (num[t] > 0 ? INFINITY : 0);
    worst = fmax(worst, e);
  }
  for (size_t j = 0; j < P; ++j) {
    double s = 0;
    for (size_t t = 0; t < T; ++t) s += pinn_loss_term_weight(l, t) * G[t * P + j];
    dmax = fmax(dmax, fabs(s - g[j]));
    gmax = fmax(gmax, fabs(g[j]));
  }
  printf("\n  %s: %zu terms, per-term gradient error %.2g (bound 1e-6), |sum w_t g_t - g| %.2g "
         "of |g| %.3g",
         what, T, worst, dmax, gmax);
  CU_ASSERT(worst <= 1e-6);
  CU_ASSERT(gmax > 1e-3 && dmax <= 1e-12 * gmax);
  free(th); free(G); free(g); free(tp); free(tm); free(t0); free(num); free(den);
  pinn_loss_free(l);
}

static void per_term_gradients_match_finite_differences_and_sum_to_the_gradient(void)
{
  pinn_problem *p = pinn_test_rd_problem(0.3); /* a residual with a coefficient */
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, pinn_test_sin_pi_x, NULL), 0);
  pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 1);
  check_term_grads(p, net, "rd + dirichlet");
  pinn_mlp_free(net);
  pinn_problem_free(p);
  p = pinn_test_conditions_problem(0); /* every condition kind */
  net = pinn_test_small_net(3, 1, PINN_ACT_GELU, 2);
  check_term_grads(p, net, "conditions");
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ------------------------------------------------------- NTK traces */

/* tr K_t from pinn_lsq_ntk_traces is the term's rows of the scaled
 * Jacobian of pinn_lsq_eval, unscaled: sum_rows |J_row|^2 / w_t for all
 * points, and the same over the first k points times N / k for a subsample. */
static void ntk_traces_are_the_least_squares_jacobian_rows(void)
{
  pinn_problem *p = pinn_test_rd_problem(0.3);
  CU_ASSERT_EQUAL(pinn_problem_add_dirichlet(p, "bc", 0, pinn_test_sin_pi_x, NULL), 0);
  CU_ASSERT_EQUAL(pinn_problem_set_weight(p, 1, 3.0), 0);
  pinn_mlp *net = pinn_test_small_net(2, 1, PINN_ACT_TANH, 1);
  pinn_loss_options lo = pinn_loss_options_default();
  lo.points_scale = 0.1;
  pinn_loss *l = pinn_loss_alloc(p, net, &lo, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  const size_t P = pinn_loss_n_params(l), nr = pinn_lsq_n_residuals(l), T = 2;
  double *R = malloc(nr * sizeof *R), *J = malloc(nr * P * sizeof *J);
  CU_ASSERT_EQUAL_FATAL(pinn_lsq_eval(l, NULL, R, J), 0);
  double tr[2], sub[2];
  CU_ASSERT_EQUAL(pinn_lsq_ntk_traces(l, 0, tr), 0);
  CU_ASSERT_EQUAL(pinn_lsq_ntk_traces(l, 7, sub), 0);
  for (size_t t = 0; t < T; ++t) {
    size_t first, count, n;
    CU_ASSERT_EQUAL(pinn_lsq_term_rows(l, t, &first, &count), 0);
    pinn_loss_term_points(l, t, &n, NULL, NULL);
    const double w = pinn_problem_term_weight(p, t);
    double all = 0, part = 0;
    for (size_t r = 0; r < count; ++r)
      for (size_t j = 0; j < P; ++j) {
        const double v = J[(first + r) * P + j];
        all += v * v;
        if (r < 7 * (count / n)) part += v * v; /* count / n rows per point */
      }
    CU_ASSERT(tr[t] > 1e-3);
    CU_ASSERT(fabs(tr[t] - all / w) <= 1e-10 * tr[t]);
    const double k = n < 7 ? (double)n : 7.0;
    CU_ASSERT(n > 7 && count % n == 0 && fabs(sub[t] - part / w * (double)n / k) <= 1e-10 * sub[t]);
  }
  free(R);
  free(J);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  /* every condition kind (periodic pairs, Robin, data, ...): finite, positive, and for
   * a term of problem weight 0 nothing */
  p = pinn_test_conditions_problem(0);
  CU_ASSERT_EQUAL(pinn_problem_set_weight(p, 0, 0.0), 0);
  net = pinn_test_small_net(3, 1, PINN_ACT_GELU, 2);
  l = pinn_loss_alloc(p, net, &lo, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  const size_t Tc = pinn_loss_n_terms(l);
  double *tc = malloc(Tc * sizeof *tc), *ts = malloc(Tc * sizeof *ts);
  CU_ASSERT_EQUAL(pinn_lsq_ntk_traces(l, 0, tc), 0);
  CU_ASSERT_EQUAL(pinn_lsq_ntk_traces(l, 7, ts), 0);
  CU_ASSERT_EQUAL(tc[0], 0.0);
  for (size_t t = 1; t < Tc; ++t) {
    CU_ASSERT(isfinite(tc[t]) && tc[t] > 1e-6 && isfinite(ts[t]) && ts[t] > 1e-6);
    if (!(tc[t] > 1e-6)) printf("\n  term '%s': tr K %g\n", pinn_loss_term_name(l, t), tc[t]);
  }
  free(tc);
  free(ts);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ------------------------------------------- weights in checkpoints */

static void the_weights_are_saved_and_loaded_with_the_loss(void)
{
  pinn_problem *p = toy_problem(0);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 1);
  pinn_loss *a = pinn_loss_alloc(p, net, NULL, NULL), *b = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL(pinn_loss_set_term_weight(a, 0, 2.5), 0);
  CU_ASSERT_EQUAL(pinn_loss_set_term_weight(a, 1, 0.125), 0);
  char *dir = pinn_test_tmpdir("balance-state");
  char *path = pinn_test_join(dir, "state.h5");
  pinn_error e;
  pinn_h5_writer *w = pinn_h5_create(path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  CU_ASSERT_EQUAL(pinn_loss_save_state(a, w, "/loss", &e), 0);
  CU_ASSERT_EQUAL(pinn_h5_commit(w, &e), 0);
  pinn_h5_reader *r = pinn_h5_open(path, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(pinn_loss_load_state(b, r, "/loss", &e), 0);
  pinn_h5_close(r);
  CU_ASSERT_EQUAL(pinn_loss_term_weight(b, 0), 2.5);
  CU_ASSERT_EQUAL(pinn_loss_term_weight(b, 1), 0.125);
  /* bad weights are refused */
  CU_ASSERT_EQUAL(pinn_loss_set_term_weight(a, 0, -1.0), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_loss_errmsg(a), "term 'a'"));
  CU_ASSERT_EQUAL(pinn_loss_set_term_weight(a, 0, INFINITY), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_loss_set_term_weight(a, 5, 1.0), PINN_EINVAL);
  CU_ASSERT(isnan(pinn_loss_term_weight(a, 5)));
  pinn_test_rmtree(dir);
  free(path);
  free(dir);
  pinn_loss_free(a);
  pinn_loss_free(b);
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

/* ----------------------------------------------------------- options */

static void options_are_parsed_and_checked_with_clear_messages(void)
{
  pinn_balance_options o = pinn_balance_options_default();
  pinn_error err;
  CU_ASSERT_EQUAL(o.kind, PINN_BALANCE_NONE);
  CU_ASSERT_EQUAL(o.every, 100);
  CU_ASSERT_EQUAL(o.alpha, 0.9);
  CU_ASSERT_EQUAL(pinn_balance_parse_spec("lra", &o, &err), 0);
  CU_ASSERT(o.kind == PINN_BALANCE_LRA && o.every == 100 && o.alpha == 0.9);
  CU_ASSERT_EQUAL(pinn_balance_parse_spec("ntk:50", &o, &err), 0);
  CU_ASSERT(o.kind == PINN_BALANCE_NTK && o.every == 50);
  CU_ASSERT_EQUAL(pinn_balance_parse_spec("lra:10:0.5", &o, &err), 0);
  CU_ASSERT(o.kind == PINN_BALANCE_LRA && o.every == 10 && o.alpha == 0.5);
  const char *bad[] = {"foo", "lra:0", "lra:-3", "lra:x", "lra:", "lra:10:1", "lra:10:-0.1",
                       "none:5", ""};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
    pinn_balance_options c = o;
    CU_ASSERT_EQUAL(pinn_balance_parse_spec(bad[k], &c, &err), PINN_EINVAL);
    CU_ASSERT(memcmp(&c, &o, sizeof c) == 0); /* unchanged */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "KIND[:EVERY[:ALPHA]]") ? err.msg
                                                                   : strstr(err.msg, "lra"));
  }
  pinn_train_options t = pinn_train_options_default();
  t.balance.kind = PINN_BALANCE_LRA;
  t.balance.every = 0;
  CU_ASSERT_EQUAL(pinn_train_options_check(&t, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "balance.every"));
  t.balance.every = 10;
  t.balance.alpha = 1.0;
  CU_ASSERT_EQUAL(pinn_train_options_check(&t, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "balance.alpha"));
  t.balance.alpha = 0.9;
  t.balance.kind = (pinn_balance_kind)7;
  CU_ASSERT_EQUAL(pinn_train_options_check(&t, &err), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "balance.kind"));
  t.balance.kind = PINN_BALANCE_NTK;
  CU_ASSERT_EQUAL(pinn_train_options_check(&t, &err), 0);
  /* the trainer refuses balancing without an Adam phase */
  pinn_problem *p = toy_problem(0);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 1);
  pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
  CU_ASSERT_EQUAL(pinn_train_options_set_adam(&t, 0, &err), 0);
  CU_ASSERT_PTR_NULL(pinn_trainer_alloc(l, &t, &err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Adam"));
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  CU_ASSERT_STRING_EQUAL(pinn_balance_name(PINN_BALANCE_NTK), "ntk");
  CU_ASSERT_PTR_NULL(pinn_balance_name((pinn_balance_kind)9));
}

/* A run with balancing ends with balanced weights (keep), or the problem's
 * (restore) after the quasi-Newton phase; both train the toy's coefficient
 * towards its minimiser of the weighted loss. */
static void a_trainer_balances_during_adam_and_keeps_or_restores_after(void)
{
  pinn_problem *p = toy_problem(0);
  pinn_mlp *net = pinn_test_small_net(1, 1, PINN_ACT_TANH, 1);
  for (int after = 0; after <= 1; ++after) {
    pinn_loss *l = pinn_loss_alloc(p, net, NULL, NULL);
    pinn_train_options o = pinn_train_options_default();
    o.phases[0].max_iter = 20;
    o.phases[1].max_iter = 5;
    o.progress = NULL;
    o.balance.kind = PINN_BALANCE_LRA;
    o.balance.every = 10;
    o.balance.after = after ? PINN_BALANCE_RESTORE : PINN_BALANCE_KEEP;
    pinn_error err;
    pinn_trainer *t = pinn_trainer_alloc(l, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(pinn_trainer_run(t), 0);
    const double wa = pinn_loss_term_weight(l, 0);
    if (after) {
      CU_ASSERT(wa == 1.0 && pinn_loss_term_weight(l, 1) == 0.5);
    } else {
      CU_ASSERT(wa > 1.5); /* two updates towards ~ 13 */
    }
    /* the reported loss is the loss of the weights in force */
    double f;
    CU_ASSERT_EQUAL(pinn_loss_eval(l, NULL, &f, NULL, NULL), 0);
    CU_ASSERT(fabs(f - pinn_trainer_loss(t)) <= 1e-12 * f);
    pinn_trainer_free(t);
    pinn_loss_free(l);
  }
  pinn_mlp_free(net);
  pinn_problem_free(p);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"balancing weights of a two-term toy loss are the hand-computed ones",
       balancing_weights_of_a_two_term_toy_loss_are_the_hand_computed_ones},
      {"per-term gradients match finite differences and sum to the gradient",
       per_term_gradients_match_finite_differences_and_sum_to_the_gradient},
      {"NTK traces are the least-squares Jacobian rows",
       ntk_traces_are_the_least_squares_jacobian_rows},
      {"the weights are saved and loaded with the loss",
       the_weights_are_saved_and_loaded_with_the_loss},
      {"options are parsed and checked with clear messages",
       options_are_parsed_and_checked_with_clear_messages},
      {"a trainer balances during Adam and keeps or restores after",
       a_trainer_balances_during_adam_and_keeps_or_restores_after},
      {NULL, NULL}};
  if (pinn_test_add_suite("balance", cases)) return 1;
  return pinn_test_run_all();
}
