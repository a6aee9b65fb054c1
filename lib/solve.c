/* libpinn — pinn_solve: problem -> trained network -> errors -> files
 * (see include/pinn/solve.h). */
#include <pinn/solve.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif


pinn_solve_config pinn_solve_config_default(void)
{
  pinn_solve_config c;
  memset(&c, 0, sizeof c);
  c.n_hidden = 4;
  for (size_t i = 0; i < PINN_SOLVE_MAX_HIDDEN; ++i) c.width[i] = 20;
  c.act = pinn_activation_default(PINN_ACT_TANH);
  c.init = PINN_INIT_XAVIER;
  c.seed = 1;
  c.loss = pinn_loss_options_default();
  c.train = pinn_train_options_default();
  c.obstacle_method = PINN_OBSTACLE_DEFAULT;
  return c;
}

int pinn_solve_parse_layers(const char *text, pinn_solve_config *cfg, pinn_error *err)
{
  if (!text || !*text)
    return pinn_error_set(err, PINN_EINVAL, "layers: give WIDTHxDEPTH (e.g. 20x8) or a list (30,30,20)");
  size_t w[PINN_SOLVE_MAX_HIDDEN], n = 0;
  const char *s = text;
  const char *x = strchr(text, 'x');
  if (x && !strchr(text, ',')) {
    char *end;
    unsigned long width = strtoul(text, &end, 10), depth;
    if (end != x || !isdigit((unsigned char)*text)) goto bad;
    depth = strtoul(x + 1, &end, 10);
    if (*end || !isdigit((unsigned char)x[1])) goto bad;
    if (width < 1 || width > 4096 || depth < 1 || depth > PINN_SOLVE_MAX_HIDDEN) goto range;
    for (size_t i = 0; i < depth; ++i) w[i] = width;
    n = depth;
  } else {
    while (*s) {
      char *end;
      if (!isdigit((unsigned char)*s)) goto bad;
      unsigned long v = strtoul(s, &end, 10);
      if (v < 1 || v > 4096 || n >= PINN_SOLVE_MAX_HIDDEN) goto range;
      w[n++] = v;
      if (*end == ',') s = end + 1;
      else if (*end == '\0') s = end;
      else goto bad;
    }
    if (n == 0) goto bad;
  }
  cfg->n_hidden = n;
  memcpy(cfg->width, w, n * sizeof *w);
  return PINN_SUCCESS;
bad:
  return pinn_error_set(err, PINN_EINVAL,
                        "layers '%s': give WIDTHxDEPTH (e.g. 20x8) or a comma-separated list of "
                        "widths (e.g. 30,30,20)",
                        text);
range:
  return pinn_error_set(err, PINN_EINVAL,
                        "layers '%s': widths must be 1 to 4096 and at most %d hidden layers", text,
                        PINN_SOLVE_MAX_HIDDEN);
}

static pinn_mlp *make_network(const pinn_problem *p, const pinn_solve_config *c,
                                  pinn_error *err)
{
  if (c->n_hidden < 1 || c->n_hidden > PINN_SOLVE_MAX_HIDDEN) {
    pinn_error_set(err, PINN_EINVAL, "the network needs 1 to %d hidden layers, got %zu",
                   PINN_SOLVE_MAX_HIDDEN, c->n_hidden);
    return NULL;
  }
  size_t sizes[PINN_SOLVE_MAX_HIDDEN + 2];
  pinn_activation acts[PINN_SOLVE_MAX_HIDDEN];
  sizes[0] = pinn_problem_dim(p);
  for (size_t i = 0; i < c->n_hidden; ++i) {
    sizes[i + 1] = c->width[i];
    acts[i] = c->act;
  }
  sizes[c->n_hidden + 1] = pinn_problem_n_out(p);
  pinn_mlp_layout lay = {c->n_hidden + 2, sizes, acts, c->prelu_per_unit};
  pinn_mlp *net = pinn_mlp_alloc(&lay, err);
  if (!net) return NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) {
    pinn_mlp_free(net);
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  gsl_rng_set(r, c->seed);
  int st = pinn_mlp_init(net, c->init, r);
  gsl_rng_free(r);
  if (st) {
    pinn_error_set(err, st, "%s", pinn_mlp_errmsg(net));
    pinn_mlp_free(net);
    return NULL;
  }
  return net;
}

/* Relative L2 and max error of the network against the problem's reference
 * on its output grid (points of a ball's bounding box outside the ball are
 * skipped). */
int pinn_solve_errors(pinn_loss *l, double *rel_l2, double *max_abs, pinn_error *err)
{
  const pinn_problem *p = pinn_loss_problem(l);
  const size_t dim = pinn_problem_dim(p), m = pinn_problem_n_out(p);
  size_t counts[4];
  const double *axes[4], *ref = NULL;
  int has_grid = pinn_problem_reference_grid(p, counts, axes, &ref);
  if (!has_grid && !pinn_problem_has_exact(p))
    return pinn_error_set(err, PINN_EINVAL, "problem '%s' has no reference solution",
                          pinn_problem_name(p));
  if (!has_grid) pinn_problem_output_grid(p, counts);
  const pinn_domain *dom = pinn_problem_domain(p);
  size_t n = pinn_domain_grid_size(dom, counts);
  double *x = malloc(n * dim * sizeof *x), *u = malloc(n * m * sizeof *u),
         *ue = has_grid ? NULL : malloc(n * m * sizeof *ue);
  int st = PINN_SUCCESS;
  if (!x || !u || (!has_grid && !ue)) st = pinn_error_set(err, PINN_ENOMEM, "out of memory");
  if (!st) {
    if (has_grid) {
      for (size_t i = 0; i < n; ++i) {
        size_t r = i;
        for (size_t a = 0; a < dim; ++a) {
          x[i * dim + a] = axes[a][r % counts[a]];
          r /= counts[a];
        }
      }
    } else {
      pinn_error e;
      st = pinn_domain_grid(dom, counts, x, &e);
      if (st) pinn_error_set(err, st, "%s", e.msg);
    }
  }
  if (!st) {
    st = pinn_loss_predict(l, n, x, u);
    if (st) pinn_error_set(err, st, "%s", pinn_loss_errmsg(l));
  }
  if (!st && !has_grid) {
    st = pinn_problem_exact(p, n, x, ue);
    if (st) pinn_error_set(err, st, "%s", pinn_problem_errmsg(p));
    ref = ue;
  }
  if (!st) {
    double e2 = 0, r2 = 0, mx = 0;
    for (size_t i = 0; i < n; ++i) {
      if (dom->kind == PINN_DOMAIN_BALL && !pinn_domain_contains(dom, x + i * dim)) continue;
      for (size_t k = 0; k < m; ++k) {
        double d = u[i * m + k] - ref[i * m + k];
        e2 += d * d;
        r2 += ref[i * m + k] * ref[i * m + k];
        if (fabs(d) > mx) mx = fabs(d);
      }
    }
    *rel_l2 = r2 > 0 ? sqrt(e2 / r2) : sqrt(e2);
    *max_abs = mx;
  }
  free(x);
  free(u);
  free(ue);
  return st;
}

/* The trainer's progress callback chained with continuation / refinement. */
typedef struct {
  const pinn_solve_config *c;
  pinn_loss *l;
  size_t last_cont;
} hook_ctx;

static int solve_hook(const pinn_progress *pr, void *vctx)
{
  hook_ctx *h = vctx;
  if (h->c->continuation_every && pr->total_iter >= h->last_cont + h->c->continuation_every) {
    pinn_loss_continue(h->l);
    h->last_cont = pr->total_iter;
  }
  if (h->c->train.progress) return h->c->train.progress(pr, h->c->train.progress_ctx);
  return 0;
}

int pinn_solve(pinn_problem *p, const pinn_solve_config *cfg, pinn_solve_result *res,
               pinn_error *err)
{
  if (!p || !cfg || !res) return pinn_error_set(err, PINN_EINVAL, "pinn_solve: NULL argument");
  memset(res, 0, sizeof *res);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
#ifdef _OPENMP
  int saved_threads = omp_get_max_threads();
  if (cfg->threads > 0) omp_set_num_threads(cfg->threads);
#endif
  pinn_solve_config c = *cfg;
  c.loss.seed = c.seed;
  int st = PINN_SUCCESS;
  pinn_loss *l = NULL;
  pinn_trainer *t = NULL;
  pinn_mlp *net = make_network(p, &c, err);
  if (!net) st = err ? err->code : PINN_EFAILED;
  if (!st) {
    l = pinn_loss_alloc(p, net, &c.loss, err);
    if (!l) st = err ? err->code : PINN_EFAILED;
  }
  hook_ctx h = {&c, l, 0};
  if (!st) {
    pinn_train_options to = c.train;
    if (c.continuation_every) {
      to.progress = solve_hook;
      to.progress_ctx = &h;
      if (!to.progress_every || to.progress_every > c.continuation_every)
        to.progress_every = c.continuation_every;
    }
    t = pinn_trainer_alloc(l, &to, err);
    if (!t) st = err ? err->code : PINN_EFAILED;
  }
  if (!st && c.resume) {
    st = pinn_trainer_resume(t, c.resume);
    if (st) pinn_error_set(err, st, "%s", pinn_trainer_errmsg(t));
  }
  if (!st) {
    st = pinn_trainer_run(t);
    if (st) pinn_error_set(err, st, "%s", pinn_trainer_errmsg(t));
  }
  if (!st) {
    res->iterations = pinn_trainer_iterations(t);
    res->evals = pinn_trainer_evals(t);
    res->seconds = pinn_trainer_seconds(t);
    res->loss = pinn_trainer_loss(t);
    res->reason = pinn_trainer_stop_reason(t);
    res->n_params = pinn_loss_n_params(l);
    res->n_coefs = pinn_problem_n_coefs(p);
    for (size_t j = 0; j < res->n_coefs; ++j) res->coefs[j] = pinn_loss_coef(l, j);
    double rl, ma;
    pinn_error e;
    if (pinn_solve_errors(l, &rl, &ma, &e) == PINN_SUCCESS) {
      res->has_reference = 1;
      res->rel_l2 = rl;
      res->max_abs = ma;
    }
    {
      size_t nd = 0;
      const double *xd = NULL;
      for (size_t i = 0; i < pinn_loss_n_terms(l) && !xd; ++i) {
        pinn_term_kind k = pinn_problem_term_kind(p, i);
        if (k == PINN_TERM_RESIDUAL || k == PINN_TERM_OBSTACLE || k == PINN_TERM_COMPLEMENTARITY)
          pinn_loss_term_points(l, i, &nd, NULL, &xd);
      }
      if (!xd) nd = 0;
      st = pinn_diagnostics_compute(net, nd, xd, &res->diagnostics, err);
    }
    if (!st) st = pinn_problem_metrics(p, l, res->metrics, PINN_MAX_METRICS, &res->n_metrics);
    if (st) pinn_error_set(err, st, "%s", pinn_problem_errmsg(p));
  }
  if (!st && c.output)
    st = pinn_error_set(err, PINN_EUNSUPPORTED, "writing %s: the output module is not built yet",
                        c.output);
  pinn_trainer_free(t);
  pinn_loss_free(l);
  pinn_mlp_free(net);
#ifdef _OPENMP
  omp_set_num_threads(saved_threads);
#endif
  gsl_set_error_handler(old);
  return st;
}
