/* libpinn — loss balancing (see pinn/balance.h). */
#include <pinn/balance.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/lsq.h>
#include <pinn/problem.h>
#include "text_impl.h"

pinn_balance_options pinn_balance_options_default(void)
{
  pinn_balance_options o;
  memset(&o, 0, sizeof o);
  o.kind = PINN_BALANCE_NONE;
  o.every = 100;
  o.alpha = 0.9;
  o.ntk_points = 256;
  o.after = PINN_BALANCE_KEEP;
  return o;
}

static const char *const kind_names[] = {"none", "lra", "ntk"};

const char *pinn_balance_name(pinn_balance_kind kind)
{
  return (unsigned)kind <= PINN_BALANCE_NTK ? kind_names[kind] : NULL;
}

int pinn_balance_parse(const char *text, pinn_balance_kind *out, pinn_error *err)
{
  const int k = pinn_name_index_(kind_names, PINN_BALANCE_NTK + 1, text);
  if (k >= 0) {
    *out = (pinn_balance_kind)k;
    return PINN_SUCCESS;
  }
  return pinn_error_set(err, PINN_EINVAL,
                        "unknown loss balancing '%s': use lra (learning-rate annealing), ntk "
                        "(neural tangent kernel) or none",
                        text ? text : "(null)");
}

int pinn_balance_parse_spec(const char *text, pinn_balance_options *o, pinn_error *err)
{
  static const char form[] = "write KIND[:EVERY[:ALPHA]], e.g. lra, ntk:50 or lra:100:0.9 "
                             "(KIND lra, ntk or none; EVERY Adam iterations >= 1; 0 <= ALPHA < 1)";
  if (!text || !o) return pinn_error_set(err, PINN_EINVAL, "balance: %s", form);
  char buf[128];
  if (strlen(text) >= sizeof buf)
    return pinn_error_set(err, PINN_EINVAL, "balance '%.20s...' is too long: %s", text, form);
  strcpy(buf, text);
  char *every = strchr(buf, ':'), *alpha = NULL;
  if (every) {
    *every++ = '\0';
    alpha = strchr(every, ':');
    if (alpha) *alpha++ = '\0';
  }
  pinn_balance_options n = *o;
  pinn_error e;
  if (pinn_balance_parse(buf, &n.kind, &e))
    return pinn_error_set(err, PINN_EINVAL, "balance '%s': %s", text, e.msg);
  if (every) {
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(every, &end, 10);
    if (!*every || *end || errno || v < 1 || every[0] == '-' || v > (unsigned long long)SIZE_MAX)
      return pinn_error_set(err, PINN_EINVAL,
                            "balance '%s': '%s' is not a number of iterations >= 1: %s", text,
                            every, form);
    n.every = (size_t)v;
  }
  if (alpha) {
    char *end;
    errno = 0;
    const double a = strtod(alpha, &end);
    if (!*alpha || *end || errno || !(a >= 0 && a < 1))
      return pinn_error_set(err, PINN_EINVAL, "balance '%s': alpha '%s' is not in [0, 1): %s",
                            text, alpha, form);
    n.alpha = a;
  }
  if (n.kind == PINN_BALANCE_NONE && (every || alpha))
    return pinn_error_set(err, PINN_EINVAL, "balance '%s': none takes no interval: %s", text,
                          form);
  *o = n;
  return PINN_SUCCESS;
}

int pinn_balance_options_check(const pinn_balance_options *o, pinn_error *err)
{
  if (!o) return pinn_error_set(err, PINN_EINVAL, "the balance options are NULL");
  if (!pinn_balance_name(o->kind))
    return pinn_error_set(err, PINN_EINVAL,
                          "balance.kind = %d is not a balancing (use a PINN_BALANCE_* value)",
                          (int)o->kind);
  if ((unsigned)o->after > PINN_BALANCE_RESTORE)
    return pinn_error_set(err, PINN_EINVAL,
                          "balance.after = %d: use PINN_BALANCE_KEEP or PINN_BALANCE_RESTORE",
                          (int)o->after);
  if (o->kind == PINN_BALANCE_NONE) return PINN_SUCCESS;
  if (o->every < 1)
    return pinn_error_set(err, PINN_EINVAL,
                          "balance.every must be >= 1 (Adam iterations between updates), got 0");
  if (!(o->alpha >= 0 && o->alpha < 1))
    return pinn_error_set(err, PINN_EINVAL,
                          "balance.alpha = %g: the moving average's memory must be in [0, 1)",
                          o->alpha);
  return PINN_SUCCESS;
}

int pinn_balance_mix(size_t n, const double *stat, const int *active, double alpha, double *w,
                     pinn_error *err)
{
  double sum = 0;
  for (size_t t = 0; t < n; ++t) {
    if (!active[t]) continue;
    if (!(stat[t] >= 0) || !isfinite(stat[t]))
      return pinn_error_set(err, PINN_EINVAL,
                            "loss balancing: term %zu's statistic is %g (it must be finite and "
                            ">= 0)",
                            t, stat[t]);
    sum += stat[t];
  }
  for (size_t t = 0; t < n; ++t)
    if (active[t] && stat[t] > 0) {
      const double target = sum / stat[t];
      if (isfinite(target)) w[t] = alpha * w[t] + (1 - alpha) * target;
    }
  return PINN_SUCCESS;
}

int pinn_balance_stats(pinn_loss *l, const double *theta, const pinn_balance_options *o,
                       double *stat, pinn_error *err)
{
  if (!l || !o || !stat) return pinn_error_set(err, PINN_EINVAL, "pinn_balance_stats: NULL argument");
  const size_t T = pinn_loss_n_terms(l), P = pinn_loss_n_params(l);
  const pinn_problem *p = pinn_loss_problem(l);
  memset(stat, 0, T * sizeof *stat);
  int st = PINN_SUCCESS;
  if (o->kind == PINN_BALANCE_LRA) {
    double *g = malloc((T ? T : 1) * P * sizeof *g);
    if (!g) return pinn_error_set(err, PINN_ENOMEM, "loss balancing: out of memory for %zu "
                                  "gradients", T);
    st = pinn_loss_term_grads(l, theta, NULL, g, NULL);
    for (size_t t = 0; t < T && !st; ++t) {
      double s = 0;
      for (size_t j = 0; j < P; ++j) s += g[t * P + j] * g[t * P + j];
      stat[t] = pinn_problem_term_weight(p, t) > 0 ? sqrt(s) : 0.0;
    }
    free(g);
  } else if (o->kind == PINN_BALANCE_NTK) {
    if (theta) pinn_loss_set_params(l, theta);
    st = pinn_lsq_ntk_traces(l, o->ntk_points, stat);
  }
  if (st) return pinn_error_set(err, st, "loss balancing (%s): %s", pinn_balance_name(o->kind),
                                pinn_loss_errmsg(l));
  return PINN_SUCCESS;
}

int pinn_balance_update(pinn_loss *l, const double *theta, const pinn_balance_options *o,
                        pinn_error *err)
{
  if (!l || !o) return pinn_error_set(err, PINN_EINVAL, "pinn_balance_update: NULL argument");
  if (o->kind == PINN_BALANCE_NONE) return PINN_SUCCESS;
  int st = pinn_balance_options_check(o, err);
  if (st) return st;
  const size_t T = pinn_loss_n_terms(l);
  const pinn_problem *p = pinn_loss_problem(l);
  double *stat = malloc((T ? T : 1) * 2 * sizeof *stat);
  int *active = malloc((T ? T : 1) * sizeof *active);
  if (!stat || !active) st = pinn_error_set(err, PINN_ENOMEM, "loss balancing: out of memory");
  double *w = stat + T;
  if (!st) st = pinn_balance_stats(l, theta, o, stat, err);
  for (size_t t = 0; t < T && !st; ++t) {
    active[t] = pinn_problem_term_weight(p, t) > 0;
    w[t] = pinn_loss_term_weight(l, t);
  }
  if (!st) st = pinn_balance_mix(T, stat, active, o->alpha, w, err);
  for (size_t t = 0; t < T && !st; ++t)
    if (pinn_loss_set_term_weight(l, t, w[t]))
      st = pinn_error_set(err, PINN_ENONFINITE, "loss balancing: %s", pinn_loss_errmsg(l));
  free(stat);
  free(active);
  return st;
}

int pinn_balance_restore(pinn_loss *l)
{
  const pinn_problem *p = pinn_loss_problem(l);
  int changed = 0;
  for (size_t t = 0; t < pinn_loss_n_terms(l); ++t) {
    const double w = pinn_problem_term_weight(p, t);
    if (pinn_loss_term_weight(l, t) != w) {
      pinn_loss_set_term_weight(l, t, w);
      changed = 1;
    }
  }
  return changed;
}
