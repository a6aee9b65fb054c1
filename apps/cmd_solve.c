/* pinn solve — solve a bundled problem or a user's plugin with its tuned
 * defaults, options overriding them; progress on stderr, a summary line on
 * stdout. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinn/pinn.h>

#include "cli.h"

static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig)
{
  (void)sig;
  interrupted = 1;
}

static const char solve_help[] =
    "usage: pinn solve NAME [options]\n"
    "       pinn solve --plugin ./my_problem.so [options]\n"
    "Solves with the problem's tuned defaults; options override them.\n"
    "  --layers WxD | W1,W2,..   hidden layers: width x depth (20x8) or a list of widths\n"
    "  --activation A            tanh|gelu|softplus[:beta]|silu|sigmoid|sin|relu|leaky[:alpha]|prelu\n"
    "  --prelu-per-unit          PReLU: one learned slope per unit (default: per layer)\n"
    "  --init I                  xavier|he|lecun|variance\n"
    "  --points N                training points of every interior term\n"
    "  --points TERM=N           training points of one term (repeatable)\n"
    "  --sampler S               grid|uniform|lhs|sobol|halton\n"
    "  --adam N                  Adam iterations before the quasi-Newton phase (0: none)\n"
    "  --lr X                    Adam learning rate\n"
    "  --iters N                 iterations of the main quasi-Newton phase (the first after Adam);\n"
    "                            0: Adam only (drops the quasi-Newton phases)\n"
    "  --last-iters N            iterations of the last phase (e.g. a default's SSBroyden phase)\n"
    "  --memory M                L-BFGS memory\n"
    "  --optimizer O             lbfgs|ssbfgs|ssbroyden|bfgs2|cg (the main quasi-Newton phase)\n"
    "  --then O[:N]              append a phase: O = adam|lbfgs|ssbfgs|ssbroyden|lm|bfgs2|cg, N iterations\n"
    "                            (e.g. --then ssbroyden:2000 or --then lm:200): Adam -> L-BFGS -> ...\n"
    "  --then none               drop the phases after the main one (e.g. a default's SSBroyden)\n"
    "  --lm-method M             lm|lmaccel|dogleg for the Levenberg-Marquardt phases (default lmaccel)\n"
    "  --loss-transform T        none|log|sqrt: what the quasi-Newton phases minimise (default none)\n"
    "  --gtol X                  stop the quasi-Newton phase when |grad| <= X\n"
    "  --barrier B               obstacle problems: relu2|relu|leaky[:a]|softplus[:beta]|complementarity\n"
    "  --penalty RHO             obstacle barrier penalty\n"
    "  --seed S                  network initialisation and sampling seed\n"
    "  --threads T               OpenMP threads\n"
    "  --out FILE.h5             result file (default NAME.h5; the .xmf goes beside it)\n"
    "  --no-output               write no result file\n"
    "  --checkpoint FILE         checkpoint file, kept (default: the result file's name + .ckpt.h5,\n"
    "                            written at phase ends and on Ctrl-C and removed when the run ends\n"
    "                            normally unless --checkpoint or --checkpoint-every is given)\n"
    "  --checkpoint-every K      also checkpoint every K iterations (the checkpoint is then kept)\n"
    "  --resume CKPT             continue a run from its checkpoint\n"
    "  --time-budget SECONDS     stop training after this wall-clock time (the result then depends\n"
    "                            on the machine's speed; defaults are iteration counts only)\n"
    "  --progress-every N        a progress line every N iterations (default 100)\n"
    "  --quiet                   only the summary line\n"
    "The last line printed is: problem=.. iterations=.. seconds=.. final_loss=.. [rel_l2_error=..] [metrics]\n";

typedef struct {
  int quiet, tty;
  size_t every;       /* a full line every `every` iterations */
  const pinn_problem *p;
  double last_bar;    /* elapsed time of the last bar redraw */
  int bar_shown;
} progress_state;

static void clear_bar(progress_state *s)
{
  if (s->bar_shown) {
    fputs("\r\033[K", stderr);
    s->bar_shown = 0;
  }
}

/* A full progress line every `every` iterations; on a terminal, a live bar
 * with the ETA in between (redrawn at most 10 times a second). */
static int print_progress(const pinn_progress *pr, void *ctx)
{
  progress_state *s = ctx;
  if (s->quiet) return 0;
  if (pr->iter % s->every != 0 && pr->iter != 0) {
    if (!s->tty || pr->elapsed - s->last_bar < 0.1) return 0;
    s->last_bar = pr->elapsed;
    double frac = pr->max_iter ? (double)pr->iter / (double)pr->max_iter : 0.0;
    if (!(frac >= 0 && frac <= 1)) frac = 1;
    int filled = (int)(frac * 30 + 0.5);
    char bar[31];
    for (int i = 0; i < 30; ++i) bar[i] = i < filled ? '#' : '.';
    bar[30] = 0;
    fprintf(stderr, "\r\033[K[%s] %3.0f%% phase %zu/%zu %s it %zu/%zu  loss %.3e  %.0fs  eta %.0fs",
            bar, 100 * frac, pr->phase + 1, pr->n_phases, pinn_optimizer_name(pr->kind), pr->iter,
            pr->max_iter, pr->loss, pr->elapsed,
            isfinite(pr->eta) ? pr->eta : 0.0);
    s->bar_shown = 1;
    return 0;
  }
  clear_bar(s);
  fprintf(stderr, "%-5s it %6zu (total %6zu)  loss %.4e  |g| %.3e  step %.2e  evals %6zu  %7.1fs",
          pinn_optimizer_name(pr->kind), pr->iter, pr->total_iter, pr->loss, pr->grad_norm,
          pr->step, pr->evals, pr->elapsed);
  if (isfinite(pr->eta)) fprintf(stderr, "  eta %.0fs", pr->eta);
  if (pr->n_terms > 1) {
    fputs("  [", stderr);
    for (size_t i = 0; i < pr->n_terms; ++i)
      fprintf(stderr, "%s%s %.2e", i ? ", " : "", pinn_problem_term_name(s->p, i), pr->terms[i]);
    fputc(']', stderr);
  }
  fputc('\n', stderr);
  /* ReLU-family networks: dead units and learned slopes as training goes */
  pinn_mlp *net = pr->assembler ? pinn_loss_network(pr->assembler) : NULL;
  int relu = 0;
  for (size_t l = 1; net && l + 1 < pinn_mlp_n_layers(net); ++l)
    relu |= pinn_activation_is_relu_family(pinn_mlp_activation(net, l).kind);
  if (relu) {
    size_t n = 0;
    const double *x = NULL;
    for (size_t i = 0; i < pr->n_terms && !x; ++i) {
      pinn_term_kind k = pinn_problem_term_kind(s->p, i);
      if (k == PINN_TERM_RESIDUAL || k == PINN_TERM_OBSTACLE || k == PINN_TERM_COMPLEMENTARITY)
        pinn_loss_term_points(pr->assembler, i, &n, NULL, &x);
    }
    pinn_diagnostics d;
    if (x && pinn_diagnostics_compute(net, n, x, &d, NULL) == PINN_SUCCESS) {
      fputs("      units:", stderr);
      for (size_t l = 0; l < d.n_hidden; ++l) {
        const pinn_layer_diagnostics *ld = &d.layer[l];
        if (ld->relu_family) fprintf(stderr, " L%zu dead %.0f%%", l + 1, 100 * ld->dead_fraction);
        if (ld->has_slopes)
          fprintf(stderr, " slopes %.3g..%.3g (neg. inputs %.0f%%)", ld->slope_min, ld->slope_max,
                  100 * ld->negative_fraction);
        fputc(';', stderr);
      }
      fprintf(stderr, " Lipschitz bound %.3g\n", d.lipschitz_bound);
    }
  }
  return 0;
}

/* The summary line: the last line on stdout, for scripts. */
static void print_summary(const pinn_problem *p, const pinn_solve_result *res)
{
  printf("problem=%s iterations=%zu seconds=%.3f final_loss=%.6e", pinn_problem_name(p),
         res->iterations, res->seconds, res->loss);
  if (res->has_reference) {
    printf(" rel_l2_error=%.6e max_abs_error=%.6e", res->rel_l2, res->max_abs);
    if (res->n_outputs > 1)
      for (size_t k = 0; k < res->n_outputs && k < PINN_MAX_OUTPUTS; ++k)
        printf(" rel_l2_error_%s=%.6e max_abs_error_%s=%.6e", pinn_problem_output_name(p, k),
               res->rel_l2_out[k], pinn_problem_output_name(p, k), res->max_abs_out[k]);
  }
  for (size_t j = 0; j < res->n_metrics; ++j)
    printf(" %s=%.10g", res->metrics[j].name, res->metrics[j].value);
  printf(" stop=%s\n", pinn_stop_reason_name(res->reason));
}

/* Apply "TERM=N" or "N" point counts. */
static int apply_points(pinn_problem *p, const char *arg)
{
  const char *eq = strchr(arg, '=');
  size_t n;
  if (!eq) {
    if (pinn_cli_parse_size(arg, 1, 100000000, &n))
      return pinn_cli_usage_error("solve", "--points '%s': give a count from 1 to 1e8, or TERM=N",
                                  arg);
    int any = 0;
    for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
      pinn_term_kind k = pinn_problem_term_kind(p, i);
      if (k == PINN_TERM_RESIDUAL || k == PINN_TERM_OBSTACLE || k == PINN_TERM_COMPLEMENTARITY) {
        pinn_problem_set_points(p, i, n);
        any = 1;
      }
    }
    if (!any) return pinn_cli_usage_error("solve", "--points: the problem has no interior terms");
    return 0;
  }
  char name[64];
  size_t len = (size_t)(eq - arg);
  if (len == 0 || len >= sizeof name)
    return pinn_cli_usage_error("solve", "--points '%s': give TERM=N", arg);
  memcpy(name, arg, len);
  name[len] = 0;
  int t = pinn_problem_find_term(p, name);
  if (t < 0) {
    char list[512] = "";
    for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
      strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
      strncat(list, pinn_problem_term_name(p, i), sizeof list - strlen(list) - 1);
    }
    return pinn_cli_usage_error("solve", "--points: no term '%s' (the terms are: %s)", name, list);
  }
  if (pinn_cli_parse_size(eq + 1, 1, 100000000, &n))
    return pinn_cli_usage_error("solve", "--points %s: the count must be 1 to 1e8", arg);
  if (pinn_problem_set_points(p, (size_t)t, n))
    return pinn_cli_usage_error("solve", "--points %s: %s", arg, pinn_problem_errmsg(p));
  return 0;
}

int pinn_cmd_solve(int argc, char **argv)
{
  const char *name = NULL, *plugin = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(solve_help, stdout);
      return 0;
    }
  }
  /* pass 1: the problem, and what its create function reads */
  pinn_solve_config cfg = pinn_solve_config_default();
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--plugin")) {
      if (i + 1 >= argc) return pinn_cli_usage_error("solve", "--plugin needs a path to a .so");
      plugin = argv[++i];
    } else if (!strcmp(a, "--barrier")) {
      if (i + 1 >= argc) return pinn_cli_usage_error("solve", "--barrier needs a value");
      const char *b = argv[++i];
      if (!strcmp(b, "complementarity")) {
        cfg.obstacle_method = PINN_OBSTACLE_COMPLEMENTARITY;
      } else {
        pinn_barrier bar = pinn_barrier_default();
        pinn_error e;
        if (pinn_barrier_parse(b, &bar, &e))
          return pinn_cli_usage_error("solve", "--barrier: %s (or complementarity)", e.msg);
        cfg.obstacle_method = (int)bar.kind;
      }
    } else if (!strcmp(a, "--penalty")) {
      if (i + 1 >= argc || pinn_cli_parse_double(argv[i + 1], 1e-12, 1e15, &cfg.penalty))
        return pinn_cli_usage_error("solve", "--penalty needs a positive number");
      ++i;
    } else if (a[0] != '-') {
      if (name) return pinn_cli_usage_error("solve", "give one problem name (got '%s' and '%s')", name, a);
      name = a;
    } else if (i + 1 < argc && argv[i + 1][0] != '-' && strcmp(a, "--quiet") &&
               strcmp(a, "--no-output") && strcmp(a, "--prelu-per-unit")) {
      ++i; /* an option with a value: handled in pass 2 */
    }
  }
  if (name && plugin)
    return pinn_cli_usage_error("solve", "give a problem NAME or --plugin ./file.so, not both (got "
                                         "'%s' and --plugin %s)", name, plugin);
  if (!name && !plugin)
    return pinn_cli_usage_error("solve", "give a problem NAME (see pinn list) or --plugin ./file.so");
  pinn_problem *p = NULL;
  pinn_error err;
  pinn_error_clear(&err);
  void *dl = NULL;
  int st = pinn_cli_create_problem("solve", name, plugin, &p, &cfg, &dl);
  if (st) return st;
  const char *pname = pinn_problem_name(p);

  /* pass 2: everything else overrides the defaults */
  char out_default[512], ckpt_default[600];
  snprintf(out_default, sizeof out_default, "%s.h5", pname);
  cfg.output = out_default;
  const char *checkpoint = NULL;
  int keep_checkpoint = 0; /* asked for: kept after a normal end */
  progress_state ps = {0, isatty(STDERR_FILENO), 100, p, 0, 0};
  /* applied to every phase once all phases are known */
  pinn_lm_method lm_method = PINN_LM_ACCEL;
  pinn_loss_transform_kind loss_transform = PINN_LOSS_PLAIN;
  int set_lm_method = 0, set_loss_transform = 0;
  int rc = 0;
  for (int i = 1; i < argc && !rc; ++i) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    pinn_error e;
    size_t n;
    double x;
    pinn_phase *main_ph = pinn_train_options_main_phase(&cfg.train);
#define NEED_VALUE()                                                                          \
  do {                                                                                        \
    if (!v) {                                                                                 \
      rc = pinn_cli_usage_error("solve", "%s needs a value (see pinn solve --help)", a);      \
      break;                                                                                  \
    }                                                                                         \
    ++i;                                                                                      \
  } while (0)
    if (!strcmp(a, "--plugin") || !strcmp(a, "--barrier") || !strcmp(a, "--penalty")) {
      ++i;
    } else if (a[0] != '-') {
      continue;
    } else if (!strcmp(a, "--quiet")) {
      ps.quiet = 1;
    } else if (!strcmp(a, "--no-output")) {
      cfg.output = NULL;
    } else if (!strcmp(a, "--prelu-per-unit")) {
      cfg.prelu_per_unit = 1;
    } else if (!strcmp(a, "--layers")) {
      NEED_VALUE();
      if (!rc && pinn_solve_parse_layers(v, &cfg, &e)) rc = pinn_cli_usage_error("solve", "%s", e.msg);
    } else if (!strcmp(a, "--activation")) {
      NEED_VALUE();
      if (!rc && pinn_activation_parse(v, &cfg.act, &e))
        rc = pinn_cli_usage_error("solve", "--activation: %s", e.msg);
    } else if (!strcmp(a, "--init")) {
      NEED_VALUE();
      if (!rc && pinn_init_parse(v, &cfg.init, &e)) rc = pinn_cli_usage_error("solve", "--init: %s", e.msg);
    } else if (!strcmp(a, "--points")) {
      NEED_VALUE();
      if (!rc) rc = apply_points(p, v);
    } else if (!strcmp(a, "--sampler")) {
      NEED_VALUE();
      if (!rc && pinn_sampler_kind_parse(v, &cfg.loss.sampler))
        rc = pinn_cli_usage_error("solve", "--sampler '%s': use grid, uniform, lhs, sobol or halton", v);
    } else if (!strcmp(a, "--adam")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 0, 100000000, &n))
        rc = pinn_cli_usage_error("solve", "--adam '%s': give a number of iterations (0 for none)", v);
      else if (!rc && pinn_train_options_set_adam(&cfg.train, n, &e))
        rc = pinn_cli_usage_error("solve", "--adam: %s", e.msg);
    } else if (!strcmp(a, "--lr")) {
      NEED_VALUE();
      pinn_phase *adam = pinn_train_options_adam_phase(&cfg.train);
      if (!rc && pinn_cli_parse_double(v, 1e-12, 10, &x))
        rc = pinn_cli_usage_error("solve", "--lr '%s': give a learning rate in (0, 10]", v);
      else if (!rc && !adam)
        rc = pinn_cli_usage_error("solve", "--lr: this run has no Adam phase (add --adam N)");
      else if (!rc)
        adam->lr = x;
    } else if (!strcmp(a, "--iters")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 0, 100000000, &n))
        rc = pinn_cli_usage_error("solve", "--iters '%s': give a number of iterations (0: Adam only)", v);
      else if (!rc && pinn_train_options_set_main_iters(&cfg.train, n, &e))
        rc = pinn_cli_usage_error("solve", "--iters %zu: %s", n, e.msg);
    } else if (!strcmp(a, "--last-iters")) {
      NEED_VALUE();
      if (!rc && (pinn_cli_parse_size(v, 1, 100000000, &n) ||
                  pinn_train_options_set_last_iters(&cfg.train, n, &e)))
        rc = pinn_cli_usage_error("solve", "--last-iters '%s': give a number of iterations >= 1", v);
    } else if (!strcmp(a, "--memory")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 1, 1000, &n))
        rc = pinn_cli_usage_error("solve", "--memory '%s': give an L-BFGS memory from 1 to 1000", v);
      else if (!rc && main_ph) main_ph->memory = n;
    } else if (!strcmp(a, "--optimizer")) {
      NEED_VALUE();
      pinn_optimizer_kind k;
      if (!rc && (pinn_optimizer_parse(v, &k, &e) || k == PINN_OPT_ADAM))
        rc = pinn_cli_usage_error("solve", "--optimizer '%s': use lbfgs, ssbfgs, ssbroyden, bfgs2 or cg", v);
      else if (!rc && pinn_train_options_set_main_optimizer(&cfg.train, k, &e))
        rc = pinn_cli_usage_error("solve", "--optimizer: %s", e.msg);
    } else if (!strcmp(a, "--then")) {
      NEED_VALUE();
      if (!rc && !strcmp(v, "none")) {
        pinn_train_options_drop_after_main(&cfg.train);
      } else if (!rc) {
        char kind[32];
        const char *colon = strchr(v, ':');
        size_t len = colon ? (size_t)(colon - v) : strlen(v);
        pinn_optimizer_kind k;
        if (len >= sizeof kind) len = sizeof kind - 1;
        memcpy(kind, v, len);
        kind[len] = 0;
        n = 0;
        if (pinn_optimizer_parse(kind, &k, &e) ||
            (colon && pinn_cli_parse_size(colon + 1, 1, 100000000, &n)))
          rc = pinn_cli_usage_error("solve",
                                    "--then '%s': give OPTIMIZER[:ITERATIONS] with OPTIMIZER one of "
                                    "adam, lbfgs, ssbfgs, ssbroyden, lm, bfgs2, cg",
                                    v);
        else if (!pinn_train_options_add_phase(&cfg.train, k, n))
          rc = pinn_cli_usage_error("solve", "--then: at most %d phases", PINN_MAX_PHASES);
      }
    } else if (!strcmp(a, "--lm-method")) {
      NEED_VALUE();
      if (!rc && pinn_lm_method_parse(v, &lm_method, &e))
        rc = pinn_cli_usage_error("solve", "--lm-method: %s", e.msg);
      else if (!rc)
        set_lm_method = 1;
    } else if (!strcmp(a, "--loss-transform")) {
      NEED_VALUE();
      if (!rc && pinn_loss_transform_parse(v, &loss_transform, &e))
        rc = pinn_cli_usage_error("solve", "--loss-transform: %s", e.msg);
      else if (!rc)
        set_loss_transform = 1;
    } else if (!strcmp(a, "--gtol")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_double(v, 0, 1e10, &x))
        rc = pinn_cli_usage_error("solve", "--gtol '%s': give a number >= 0", v);
      else if (!rc && main_ph) main_ph->gtol = x;
    } else if (!strcmp(a, "--seed")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 0, (size_t)-1 >> 1, &n))
        rc = pinn_cli_usage_error("solve", "--seed '%s': give a non-negative integer", v);
      else if (!rc) cfg.seed = n;
    } else if (!strcmp(a, "--threads")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 1, 1024, &n))
        rc = pinn_cli_usage_error("solve", "--threads '%s': give 1 to 1024", v);
      else if (!rc) cfg.threads = (int)n;
    } else if (!strcmp(a, "--out")) {
      NEED_VALUE();
      if (!rc) {
        size_t len = strlen(v);
        if (len < 4 || strcmp(v + len - 3, ".h5"))
          rc = pinn_cli_usage_error("solve", "--out '%s': the result file must end in .h5", v);
        else cfg.output = v;
      }
    } else if (!strcmp(a, "--checkpoint")) {
      NEED_VALUE();
      if (!rc) checkpoint = v;
      keep_checkpoint = 1;
    } else if (!strcmp(a, "--checkpoint-every")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 1, 100000000, &n))
        rc = pinn_cli_usage_error("solve", "--checkpoint-every '%s': give a number of iterations >= 1", v);
      else if (!rc) {
        cfg.train.checkpoint_every = n;
        keep_checkpoint = 1;
      }
    } else if (!strcmp(a, "--resume")) {
      NEED_VALUE();
      if (!rc) {
        if (access(v, R_OK) != 0)
          rc = pinn_cli_usage_error("solve", "--resume '%s': no such readable file", v);
        else cfg.resume = v;
      }
    } else if (!strcmp(a, "--time-budget")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_double(v, 0.001, 1e9, &x))
        rc = pinn_cli_usage_error("solve", "--time-budget '%s': give seconds > 0", v);
      else if (!rc) cfg.train.time_budget = x;
    } else if (!strcmp(a, "--progress-every")) {
      NEED_VALUE();
      if (!rc && pinn_cli_parse_size(v, 1, 100000000, &n))
        rc = pinn_cli_usage_error("solve", "--progress-every '%s': give a number >= 1", v);
      else if (!rc) cfg.train.progress_every = n;
    } else {
      rc = pinn_cli_usage_error("solve", "unknown option '%s' (see pinn solve --help)", a);
    }
#undef NEED_VALUE
  }
  if (rc) {
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    return rc;
  }
  for (size_t j = 0; j < cfg.train.n_phases; ++j) {
    if (set_lm_method) cfg.train.phases[j].lm_method = lm_method;
    if (set_loss_transform) cfg.train.phases[j].loss_transform = loss_transform;
  }
  /* checkpoints: at phase ends and on Ctrl-C whenever results are written
   * (or a checkpoint was asked for) */
  if (!checkpoint && (cfg.output || cfg.train.checkpoint_every)) {
    const char *base = cfg.output ? cfg.output : out_default;
    size_t len = strlen(base);
    snprintf(ckpt_default, sizeof ckpt_default, "%.*s.ckpt.h5", (int)(len - 3), base);
    checkpoint = ckpt_default;
  }
  cfg.train.checkpoint_path = checkpoint;
  /* bad settings and unwritable files are found before anything trains */
  if (pinn_solve_check(p, &cfg, &err)) rc = pinn_cli_usage_error("solve", "%s", err.msg);
  if (rc) {
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    return rc;
  }
  cfg.train.interrupt = &interrupted;
  cfg.train.progress = print_progress;
  cfg.train.progress_ctx = &ps;
  ps.every = cfg.train.progress_every ? cfg.train.progress_every : 100;
  if (ps.tty && !ps.quiet) cfg.train.progress_every = 1; /* the live bar */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  if (!ps.quiet) {
    char act[64];
    fprintf(stderr, "pinn: solving %s — %s\n", pname, pinn_problem_description(p));
    fprintf(stderr, "pinn: network %zu hidden layer(s) of", cfg.n_hidden);
    for (size_t i = 0; i < cfg.n_hidden; ++i) fprintf(stderr, " %zu", cfg.width[i]);
    fprintf(stderr, ", %s; phases:", pinn_activation_format(&cfg.act, act, sizeof act));
    for (size_t i = 0; i < cfg.train.n_phases; ++i)
      fprintf(stderr, " %s(%zu)", pinn_optimizer_name(cfg.train.phases[i].kind),
              cfg.train.phases[i].max_iter);
    fputc('\n', stderr);
  }
  pinn_solve_result res;
  st = pinn_solve(p, &cfg, &res, &err);
  clear_bar(&ps);
  if (st) {
    fprintf(stderr, "pinn solve: %s\n", err.msg[0] ? err.msg : pinn_strerror(st));
    if (res.iterations || res.wrote_output) print_summary(p, &res);
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    return 1;
  }
  /* the default checkpoint lives only while the run can be resumed */
  const int resumable = res.reason == PINN_STOP_INTERRUPT || res.reason == PINN_STOP_TIME ||
                        res.reason == PINN_STOP_USER;
  if (checkpoint && !keep_checkpoint && !resumable) {
    unlink(checkpoint);
    checkpoint = NULL;
  }
  if (res.warning[0]) fprintf(stderr, "pinn: WARNING: %s\n", res.warning);
  if (res.reason == PINN_STOP_TIME)
    fprintf(stderr,
            "pinn: WARNING: the wall-clock budget (--time-budget %g s) ended training after %zu "
            "iterations, before the phases' iteration limits: this result depends on the "
            "machine's speed and load; rerun without --time-budget (or resume from %s) for the "
            "reproducible one\n",
            cfg.train.time_budget, res.iterations, checkpoint ? checkpoint : "a checkpoint");
  if (!ps.quiet) {
    fprintf(stderr, "pinn: stopped: %s\n", pinn_stop_reason_str(res.reason));
    if (cfg.output) fprintf(stderr, "pinn: wrote %s and its .xmf\n", cfg.output);
    if (checkpoint) fprintf(stderr, "pinn: checkpoint %s kept (resume with --resume %s)\n", checkpoint, checkpoint);
    for (size_t j = 0; j < res.n_coefs; ++j)
      fprintf(stderr, "pinn: coefficient %s = %.10g\n", pinn_problem_coef_name(p, j), res.coefs[j]);
    char diag[PINN_DIAGNOSTICS_FORMAT_MAX];
    pinn_diagnostics_format(&res.diagnostics, diag, sizeof diag);
    fprintf(stderr, "pinn: network diagnostics:\n%s", diag);
  }
  print_summary(p, &res);
  pinn_problem_free(p);
  pinn_cli_close_plugin(dl);
  return res.reason == PINN_STOP_INTERRUPT ? 130 : 0;
}
