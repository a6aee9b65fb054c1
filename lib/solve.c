#define _POSIX_C_SOURCE 200809L
/* libpinn — pinn_solve: problem -> trained network -> errors -> files
 * (see include/pinn/solve.h). */
#include <pinn/solve.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>

#include <gsl/gsl_rng.h>
#include <pinn/output.h>

/* Widest hidden layer a configuration may ask for. */
enum { MAX_WIDTH = 4096 };

pinn_solve_config pinn_solve_config_default(void)
{
  pinn_solve_config c;
  memset(&c, 0, sizeof c);
  c.n_hidden = 4;
  for (size_t i = 0; i < PINN_SOLVE_MAX_HIDDEN; ++i) c.width[i] = 20;
  c.act = pinn_activation_default(PINN_ACT_TANH);
  c.init = PINN_INIT_XAVIER;
  c.seed = 1;
  c.normalize_inputs = 1; /* measured: README "Input normalisation and sin versus tanh" */
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
    if (width < 1 || width > MAX_WIDTH || depth < 1 || depth > PINN_SOLVE_MAX_HIDDEN) goto range;
    for (size_t i = 0; i < depth; ++i) w[i] = width;
    n = depth;
  } else {
    while (*s) {
      char *end;
      if (!isdigit((unsigned char)*s)) goto bad;
      unsigned long v = strtoul(s, &end, 10);
      if (v < 1 || v > MAX_WIDTH || n >= PINN_SOLVE_MAX_HIDDEN) goto range;
      w[n++] = v;
      if (*end == '\0') break;
      if (*end != ',' || !end[1]) goto bad; /* a comma must be followed by a width */
      s = end + 1;
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
                        "layers '%s': widths must be 1 to %d and at most %d hidden layers", text,
                        MAX_WIDTH, PINN_SOLVE_MAX_HIDDEN);
}

/* The configuration's own values; messages name the field as C code writes it. */
static int check_config(const pinn_solve_config *c, pinn_error *err)
{
  if (c->n_hidden < 1 || c->n_hidden > PINN_SOLVE_MAX_HIDDEN)
    return pinn_error_set(err, PINN_EINVAL,
                          "cfg->n_hidden = %zu: use 1 to %d hidden layers (PINN_SOLVE_MAX_HIDDEN)",
                          c->n_hidden, PINN_SOLVE_MAX_HIDDEN);
  for (size_t i = 0; i < c->n_hidden; ++i)
    if (c->width[i] < 1 || c->width[i] > MAX_WIDTH)
      return pinn_error_set(err, PINN_EINVAL, "cfg->width[%zu] = %zu: widths must be 1 to %d", i,
                            c->width[i], MAX_WIDTH);
  pinn_error e;
  if (pinn_activation_check(&c->act, &e))
    return pinn_error_set(err, e.code, "cfg->act: %s", e.msg);
  if (c->normalize_inputs != 0 && c->normalize_inputs != 1)
    return pinn_error_set(err, PINN_EINVAL, "cfg->normalize_inputs = %d: use 0 or 1",
                          c->normalize_inputs);
  for (size_t i = 0; i < PINN_MAX_INPUTS; ++i)
    if (!(c->periodic.period[i] >= 0 && isfinite(c->periodic.period[i])) ||
        (c->periodic.period[i] > 0 &&
         (c->periodic.harmonics[i] < 1 || c->periodic.harmonics[i] > PINN_MAX_HARMONICS)))
      return pinn_error_set(err, PINN_EINVAL,
                            "cfg->periodic: input %zu has period %g and %u harmonics; give a "
                            "finite period > 0 with 1 to %d harmonics, or period 0",
                            i, c->periodic.period[i], c->periodic.harmonics[i],
                            PINN_MAX_HARMONICS);
  if (c->threads < 0 || c->threads > PINN_MAX_THREADS)
    return pinn_error_set(err, PINN_EINVAL, "cfg->threads = %d: use 0 (OpenMP's default) to %d",
                          c->threads, PINN_MAX_THREADS);
  if (pinn_train_options_check(&c->train, &e))
    return pinn_error_set(err, e.code, "cfg->train.%s", e.msg);
  return PINN_SUCCESS;
}

gsl_rng *pinn_solve_rng(const pinn_solve_config *cfg, unsigned long stream, pinn_error *err)
{
  if (!cfg) {
    pinn_error_set(err, PINN_EINVAL, "pinn_solve_rng: NULL configuration");
    return NULL;
  }
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) {
    pinn_error_set(err, PINN_ENOMEM, "pinn_solve_rng: out of memory");
    return NULL;
  }
  /* a 64-bit mix of (seed, stream) (splitmix64's finaliser), away from the
   * seeds the network (seed) and the samplers (seed + 7919 i) use */
  uint64_t z = (uint64_t)cfg->seed * 0x9E3779B97F4A7C15u + ((uint64_t)stream + 1) * 0xD1B54A32D192ED03u;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  z ^= z >> 31;
  gsl_rng_set(r, (unsigned long)z);
  pinn_error_clear(err);
  return r;
}

pinn_mlp *pinn_solve_network(const pinn_problem *p, const pinn_solve_config *c, pinn_error *err)
{
  if (!p || !c) {
    pinn_error_set(err, PINN_EINVAL, "pinn_solve_network: NULL argument");
    return NULL;
  }
  if (check_config(c, err)) return NULL;
  size_t sizes[PINN_SOLVE_MAX_HIDDEN + 2];
  pinn_activation acts[PINN_SOLVE_MAX_HIDDEN];
  sizes[0] = pinn_problem_dim(p);
  for (size_t i = 0; i < c->n_hidden; ++i) {
    sizes[i + 1] = c->width[i];
    acts[i] = c->act;
  }
  sizes[c->n_hidden + 1] = pinn_problem_n_out(p);
  for (size_t i = sizes[0]; i < PINN_MAX_INPUTS; ++i)
    if (c->periodic.period[i] > 0 || c->fourier.axis[i] > 0) {
      pinn_error_set(err, PINN_EINVAL,
                     "cfg->%s: input %zu is %s, but problem '%s' has %zu inputs",
                     c->periodic.period[i] > 0 ? "periodic" : "fourier", i,
                     c->periodic.period[i] > 0 ? "periodic" : "given Fourier features",
                     pinn_problem_name(p), sizes[0]);
      return NULL;
    }
  pinn_embedding *emb = malloc(sizeof *emb); /* the periodic inputs, then B drawn */
  if (!emb) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  *emb = c->periodic;
  pinn_error fe;
  if (pinn_embedding_set_fourier(emb, sizes[0], &c->fourier, &fe)) {
    pinn_error_set(err, fe.code, "cfg->fourier: %s", fe.msg);
    free(emb);
    return NULL;
  }
  pinn_mlp_layout lay = {c->n_hidden + 2, sizes, acts, c->prelu_per_unit,
                         pinn_embedding_any(emb, sizes[0]) ? emb : NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, err);
  free(emb);
  if (!net) return NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937); /* GSL reports out of memory to its handler too */
  if (!r) {
    pinn_mlp_free(net);
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  gsl_rng_set(r, c->seed);
  int st = pinn_mlp_init(net, c->init, r);
  gsl_rng_free(r);
  if (!st) st = pinn_mlp_set_threads(net, c->threads);
  if (!st && c->normalize_inputs) {
    const pinn_domain *dom = pinn_problem_domain(p);
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    if (!dom) {
      pinn_error_set(err, PINN_EINVAL,
                     "normalize_inputs: problem '%s' has no domain to take the input box from",
                     pinn_problem_name(p));
      pinn_mlp_free(net);
      return NULL;
    }
    pinn_domain_bounds(dom, lo, hi);
    st = pinn_mlp_set_input_map(net, lo, hi);
  }
  if (st) {
    pinn_error_set(err, st, "%s", pinn_mlp_errmsg(net));
    pinn_mlp_free(net);
    return NULL;
  }
  return net;
}

int pinn_solve_create_done(pinn_problem *p, int st, pinn_problem **out, pinn_error *err)
{
  if (!st) {
    *out = p;
    return PINN_SUCCESS;
  }
  /* a failing call that filled err left its own status there (err may come
   * uninitialised from the caller: a code that is not st is not a message) */
  if (p && err && err->code != st)
    pinn_error_set(err, st, "%s: %s", pinn_problem_name(p), pinn_problem_errmsg(p));
  pinn_problem_free(p);
  return st;
}

/* Obstacle continuation as the trainer's step hook: the barrier penalty
 * grows every continuation_every iterations. */
static int grow_penalty(pinn_trainer *t, pinn_loss *l, void *ctx)
{
  (void)ctx;
  return pinn_loss_continue(l) ? pinn_trainer_loss_changed(t) : PINN_SUCCESS;
}

/* Can a file be created at path?  A probe file beside it (same folder) is
 * made and removed: access() cannot tell (root passes every W_OK test, a
 * read-only file system does not). */
static int check_writable(const char *what, const char *path, pinn_error *err)
{
  if (!path) return PINN_SUCCESS;
  size_t n = strlen(path);
  if (n == 0 || n > 4000) return pinn_error_set(err, PINN_EINVAL, "%s: an empty or too long path", what);
  char *probe = malloc(n + 64);
  if (!probe) return pinn_error_set(err, PINN_ENOMEM, "out of memory");
  snprintf(probe, n + 64, "%s.probe.%ld", path, (long)getpid());
  int st = PINN_SUCCESS;
  int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const char *slash = strrchr(path, '/');
    st = pinn_error_set(err, PINN_EIO, "cannot write the %s %s: %s%s", what, path, strerror(errno),
                        errno == ENOENT ? (slash ? " (the folder does not exist)" : "") : "");
  } else {
    close(fd);
    unlink(probe);
  }
  free(probe);
  return st;
}

/* Held-out data and a noise level need observations: a data term (of 2 or
 * more observations to hold some out), and a patience needs held-out ones. */
static int check_noisy_data(const pinn_problem *p, const pinn_solve_config *cfg, pinn_error *err)
{
  size_t data = 0, splittable = 0;
  for (size_t i = 0; i < pinn_problem_n_terms(p); ++i)
    if (pinn_problem_term_kind(p, i) == PINN_TERM_DATA) {
      data++;
      splittable += pinn_problem_term_points(p, i) >= 2;
    }
  const char *name = pinn_problem_name(p);
  if (cfg->loss.validation > 0 && !splittable)
    return pinn_error_set(err, PINN_EINVAL,
                          "problem '%s' has no data term of 2 or more observations: there is "
                          "nothing to hold out for validation",
                          name);
  if (cfg->train.validation_patience && !(cfg->loss.validation > 0))
    return pinn_error_set(err, PINN_EINVAL,
                          "a validation patience needs held-out observations: set "
                          "cfg->loss.validation (pinn solve --validation FRAC)");
  if (cfg->train.noise_level > 0 && !data)
    return pinn_error_set(err, PINN_EINVAL,
                          "problem '%s' has no data term: a noise level (discrepancy principle) "
                          "does not apply to it",
                          name);
  return PINN_SUCCESS;
}

int pinn_solve_check(const pinn_problem *p, const pinn_solve_config *cfg, pinn_error *err)
{
  if (!p || !cfg) return pinn_error_set(err, PINN_EINVAL, "pinn_solve_check: NULL argument");
  if ((cfg->obstacle_method != PINN_OBSTACLE_DEFAULT || cfg->penalty != 0) &&
      pinn_problem_obstacle_method(p) == PINN_OBSTACLE_DEFAULT) /* it states no obstacle */
    return pinn_error_set(err, PINN_EINVAL,
                          "problem '%s' has no obstacle: a barrier, penalty or complementarity "
                          "setting does not apply to it",
                          pinn_problem_name(p));
  int st = check_config(cfg, err);
  if (st) return st;
  if (cfg->continuation_every && cfg->train.step_hook)
    return pinn_error_set(err, PINN_EINVAL,
                          "continuation_every runs as the trainer's step hook: give it or "
                          "train.step_hook, not both");
  st = check_noisy_data(p, cfg, err);
  if (!st) st = check_writable("result file", cfg->output, err);
  if (!st) st = check_writable("checkpoint", cfg->train.checkpoint_path, err);
  return st;
}

int pinn_solve(pinn_problem *p, const pinn_solve_config *cfg, pinn_solve_result *res,
               pinn_error *err)
{
  if (!p || !cfg || !res) return pinn_error_set(err, PINN_EINVAL, "pinn_solve: NULL argument");
  memset(res, 0, sizeof *res);
  res->reference = "none";
  res->rel_l2 = res->max_abs = res->grid_rel_l2 = res->grid_max_abs = NAN;
  res->validation_best = NAN;
  /* the run's own record of what failed: the caller's err may be NULL, and
   * every step below reads the status from it */
  pinn_error e;
  pinn_error_clear(&e);
  int st = pinn_solve_check(p, cfg, &e);
  if (st) return pinn_error_set(err, st, "%s", e.msg);
  if ((cfg->obstacle_method != PINN_OBSTACLE_DEFAULT || cfg->penalty != 0) &&
      (st = pinn_problem_set_obstacle_method(p, cfg->obstacle_method, cfg->penalty)))
    return pinn_error_set(err, st, "%s", pinn_problem_errmsg(p));
  pinn_solve_config c = *cfg;
  c.loss.seed = c.seed;
  c.loss.team = c.team; /* each rank samples and keeps its share of the points */
  pinn_loss *l = NULL;
  pinn_trainer *t = NULL;
  pinn_mlp *net = pinn_solve_network(p, &c, &e);
  if (!net) st = e.code ? e.code : PINN_EFAILED;
  if (!st) {
    l = pinn_loss_alloc(p, net, &c.loss, &e);
    if (!l) st = e.code ? e.code : PINN_EFAILED;
  }
  pinn_fields fields;
  int have_fields = 0;
  memset(&fields, 0, sizeof fields);
  if (!st) {
    pinn_train_options to = c.train;
    if (c.continuation_every) {
      to.step_hook = grow_penalty;
      to.step_hook_every = c.continuation_every;
    }
    t = pinn_trainer_alloc(l, &to, &e);
    if (!t) st = e.code ? e.code : PINN_EFAILED;
  }
  if (!st && c.resume) {
    st = pinn_trainer_resume(t, c.resume);
    if (st) pinn_error_set(&e, st, "%s", pinn_trainer_errmsg(t));
  }
  /* training: a failure still leaves the best point in the network, which
   * is evaluated and written below with the stop reason and the message */
  int train_st = PINN_SUCCESS;
  pinn_error train_err;
  pinn_error_clear(&train_err);
  if (!st) {
    train_st = pinn_trainer_run(t);
    if (train_st) pinn_error_set(&train_err, train_st, "%s", pinn_trainer_errmsg(t));
  }
  /* on a team the diagnostics, metrics and files below read every point */
  if (!st && (st = pinn_loss_gather_points(l))) pinn_error_set(&e, st, "%s", pinn_loss_errmsg(l));
  if (!st) {
    res->iterations = pinn_trainer_iterations(t);
    res->evals = pinn_trainer_evals(t);
    res->seconds = pinn_trainer_seconds(t);
    res->loss = pinn_trainer_loss(t);
    res->reason = pinn_trainer_stop_reason(t);
    res->validation_best = pinn_trainer_validation_best(t);
    res->validation_best_iter = pinn_trainer_validation_best_iter(t);
    for (size_t i = 0; i < pinn_trainer_n_phase_reports(t) && !train_st; ++i)
      if (pinn_trainer_phase_report(t, i)->reason == PINN_STOP_NONFINITE && !res->warning[0])
        snprintf(res->warning, sizeof res->warning, "phase %zu (%s) ended early: %s", i + 1,
                 pinn_optimizer_name(pinn_trainer_phase_report(t, i)->kind),
                 pinn_trainer_errmsg(t));
    res->n_params = pinn_loss_n_params(l);
    res->n_coefs = pinn_problem_n_coefs(p);
    for (size_t j = 0; j < res->n_coefs; ++j) res->coefs[j] = pinn_loss_coef(l, j);
    st = pinn_fields_compute(l, NULL, &fields, &e);
    have_fields = 1;
    if (!st && fields.residual_error[0] && !res->warning[0])
      snprintf(res->warning, sizeof res->warning, "the residual field is NaN: %.400s",
               fields.residual_error);
    res->n_outputs = pinn_problem_n_out(p);
    if (!st && fields.has_ref) {
      res->has_reference = res->has_grid_reference = 1;
      res->reference = fields.ref_source;
      res->rel_l2 = res->grid_rel_l2 = fields.rel_l2;
      res->max_abs = res->grid_max_abs = fields.max_abs;
      memcpy(res->rel_l2_out, fields.rel_l2_out, sizeof res->rel_l2_out);
      memcpy(res->max_abs_out, fields.max_abs_out, sizeof res->max_abs_out);
    }
    if (!st && fields.n_ref_points) { /* the user's points are THE reference */
      const pinn_reference_error *re = &fields.ref_points_error;
      res->has_reference = 1;
      res->reference = "reference points";
      res->n_reference_points = fields.n_ref_points;
      res->rel_l2 = re->rel_l2;
      res->max_abs = re->max_abs;
      memcpy(res->rel_l2_out, re->rel_l2_out, sizeof res->rel_l2_out);
      memcpy(res->max_abs_out, re->max_abs_out, sizeof res->max_abs_out);
    }
    if (!st) {
      size_t nd = 0;
      const double *xd = NULL;
      for (size_t i = 0; i < pinn_loss_n_terms(l) && !xd; ++i) {
        if (pinn_term_kind_is_interior(pinn_problem_term_kind(p, i)))
          pinn_loss_term_points(l, i, &nd, NULL, &xd);
      }
      if (!xd) nd = 0;
      st = pinn_diagnostics_compute(net, nd, xd, &res->diagnostics, &e);
    }
    if (!st) {
      pinn_error me;
      st = pinn_problem_metrics(p, l, res->metrics, PINN_MAX_METRICS, &res->n_metrics, &me);
      if (st) pinn_error_set(&e, st, "metrics: %s", me.msg);
    }
  }
  if (!st && c.output && (!c.team || c.team->rank == 0)) { /* rank 0 writes for a team */
    pinn_run_info info = pinn_output_run_info(l, t, c.seed);
    info.time_budget = c.train.time_budget;
    info.error = train_st ? train_err.msg : NULL;
    st = pinn_output_write(c.output, l, t, &fields, &info, &e);
    res->wrote_output = !st;
  }
  if (train_st) { /* the training failure is the run's error; say what became of the file */
    if (st)
      pinn_error_set(err, train_st, "%s (no result file: %.300s)", train_err.msg, e.msg);
    else if (c.output)
      pinn_error_set(err, train_st, "%s (the best point reached is in %s, stop_reason=%s)",
                     train_err.msg, c.output, pinn_stop_reason_name(res->reason));
    else
      pinn_error_set(err, train_st, "%s", train_err.msg);
    st = train_st;
  } else if (st) {
    pinn_error_set(err, st, "%s", e.msg);
  }
  if (have_fields) pinn_fields_free(&fields);
  pinn_trainer_free(t);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  return st;
}
