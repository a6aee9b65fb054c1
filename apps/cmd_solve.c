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
    "  --normalize-inputs on|off map the domain's box (time included) to [-1,1] in front of\n"
    "                            the network (the problem's default otherwise)\n"
    "  --periodic IN=P[:K]       make input IN (x, y, ...) exactly P-periodic: it enters the\n"
    "                            network as K cos/sin pairs (default K = 1; repeatable;\n"
    "                            IN=0 removes a problem's default)\n";
/* (two strings: C99 compilers need only support 4095 characters in one) */
static const char solve_help_fourier[] =
    "  --fourier m=M,sigma=S[,seed=N]  random Fourier features: the inputs that are not\n"
    "                            periodic (z, after --normalize-inputs) also enter as\n"
    "                            cos/sin(2 pi B z), B an M x d matrix of N(0, S^2) drawn from\n"
    "                            seed N (default --seed); M 1..256 (m=0 or off: none)\n"
    "  --fourier-axis IN=K       input IN also enters as cos/sin(k pi z), k = 1..K (K 0..16;\n"
    "                            repeatable; not for a periodic input)\n"
    "  --points N                training points of every interior term\n"
    "  --points TERM=N           training points of one term (repeatable)\n"
    "  --set KEY=VALUE           a parameter of the problem (repeatable; `pinn solve NAME --help`\n"
    "                            or `pinn solve --plugin ./p.so --help` lists them)\n"
    "  --weight TERM=W           the fixed weight W > 0 of one term in the total loss\n"
    "                            (repeatable; the problem's own weights otherwise)\n"
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
    "  --no-checkpoint           write no checkpoint (a kill loses the run; Ctrl-C still ends\n"
    "                            it cleanly with its result file)\n"
    "  --resume CKPT             continue a run from its checkpoint\n"
    "  --time-budget SECONDS     stop training after this wall-clock time (the result then depends\n"
    "                            on the machine's speed; defaults are iteration counts only)\n"
    "  --reference FILE          reference solution at scattered points (e.g. finite-element nodes):\n"
    "                            CSV (x[,y,z][,t],u... per line, optional header) or HDF5\n"
    "                            (/points [n][inputs], /values [n][outputs]); its error is THE\n"
    "                            error reported (progress lines, summary, result file)\n"
    ;
/* the help goes on (one literal would pass the 4095 characters C99 promises) */
static const char solve_help_data[] =
    "  --validation FRAC         hold out FRAC (0 <= FRAC < 1) of every data term's observations\n"
    "                            (a split fixed by --seed): their loss is shown on the progress\n"
    "                            lines and in the summary (validation_loss), never trained on\n"
    "  --validation-patience N   stop the run when the validation loss has not improved for N\n"
    "                            iterations, and keep the parameters of its best (stop=validation)\n"
    "  --validation-every K      measure the validation loss every K iterations (default 10)\n"
    "  --noise-level SIGMA       stop when the data terms' mean squared misfit reaches\n"
    "                            TAU*SIGMA^2, SIGMA the noise's standard deviation: the\n"
    "                            discrepancy principle (stop=discrepancy)\n"
    "  --noise-tau TAU           the discrepancy factor (default 1)\n"
    "  --rar N[:CAND[:ADD]]      RAR during Adam: every N iterations add the ADD (default 100)\n"
    "                            of CAND (default 10000) candidates with the largest residual\n"
    "                            to the first residual term's points\n"
    "  --rad N[:K[:C[:CAND]]]    RAD during Adam: every N iterations redraw the first residual\n"
    "                            term's points from CAND candidates (default 10 x its points)\n"
    "                            with density ~ |r|^K / mean|r|^K + C (default K = 1, C = 1)\n"
    "  --causal M[:EPS][:qn]     causal weights of the residual terms of a time-dependent\n"
    "                            problem over M time slabs; EPS fixed, else annealed 1e-2 ..\n"
    "                            100; Adam phases only unless :qn (quasi-Newton phases too)\n"
    "  --balance KIND[:N[:ALPHA]] loss balancing in Adam phases: lra (learning-rate annealing,\n"
    "                            gradient norms) or ntk (neural tangent kernel traces), the\n"
    "                            weights updated every N Adam iterations (default 100) with\n"
    "                            memory ALPHA (default 0.9); none (default) keeps the problem's\n"
    "  --balance-after keep|restore  the phases after Adam keep the balanced weights (default)\n"
    "                            or go back to the problem's\n"
    "  --progress-every N        a progress line every N iterations (default 100)\n"
    "  --quiet                   only the summary line\n"
    "The last line printed is: problem=.. iterations=.. seconds=.. final_loss=.. [rel_l2_error=..\n"
    "max_abs_error=..] [reference_points=N [grid_rel_l2_error=.. grid_max_abs_error=..]] [metrics]\n";

typedef struct {
  int quiet, tty;
  size_t every;       /* a full line every `every` iterations */
  const pinn_problem *p;
  double last_bar;    /* elapsed time of the last bar redraw */
  int bar_shown;
  double first_loss;  /* the loss at the first report (hint: a run that does not move) */
  size_t first_iter;  /* ... and its iteration */
  int have_first, hinted;
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
  if (!s->have_first) {
    s->first_loss = pr->loss;
    s->first_iter = pr->total_iter;
    s->have_first = 1;
  }
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
  pinn_reference_error re;
  if (pr->assembler && pinn_problem_reference_points(s->p, NULL, NULL) &&
      pinn_loss_reference_error(pr->assembler, NULL, &re, NULL) == PINN_SUCCESS)
    fprintf(stderr, "  ref_l2 %.3e", re.rel_l2);
  if (!isnan(pr->validation)) fprintf(stderr, "  val %.4e", pr->validation);
  if (pr->n_terms > 1) {
    fputs("  [", stderr);
    for (size_t i = 0; i < pr->n_terms; ++i)
      fprintf(stderr, "%s%s %.2e", i ? ", " : "", pinn_problem_term_name(s->p, i), pr->terms[i]);
    fputc(']', stderr);
  }
  fputc('\n', stderr);
  /* a hard-constrained run whose loss has not moved at all: say why it may be */
  if (!s->hinted && pr->total_iter >= s->first_iter + 200 && pinn_problem_n_transforms(s->p) > 0 &&
      fabs(pr->loss - s->first_loss) <= 1e-12 * fabs(s->first_loss)) {
    s->hinted = 1;
    fprintf(stderr,
            "pinn: NOTE: the loss has not moved in %zu iterations (%.6e): with a hard constraint "
            "u = g + d N the network only acts through d; check that d is not zero (or tiny) "
            "where the residual is sampled and is of order 1 inside, and the initialisation\n",
            pr->total_iter - s->first_iter, pr->loss);
  }
  /* ReLU-family networks: dead units and learned slopes as training goes */
  pinn_mlp *net = pr->assembler ? pinn_loss_network(pr->assembler) : NULL;
  int relu = 0;
  for (size_t l = 1; net && l + 1 < pinn_mlp_n_layers(net); ++l)
    relu |= pinn_activation_is_relu_family(pinn_mlp_activation(net, l).kind);
  if (relu) {
    size_t n = 0;
    const double *x = NULL;
    for (size_t i = 0; i < pr->n_terms && !x; ++i) {
      if (pinn_term_kind_is_interior(pinn_problem_term_kind(s->p, i)))
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
    if (res->n_reference_points) {
      printf(" reference_points=%zu", res->n_reference_points);
      if (res->has_grid_reference)
        printf(" grid_rel_l2_error=%.6e grid_max_abs_error=%.6e", res->grid_rel_l2,
               res->grid_max_abs);
    }
  }
  for (size_t j = 0; j < res->n_metrics; ++j)
    printf(" %s=%.10g", res->metrics[j].name, res->metrics[j].value);
  if (!isnan(res->validation_best))
    printf(" validation_loss=%.6e validation_best_iter=%zu", res->validation_best,
           res->validation_best_iter);
  printf(" stop=%s\n", pinn_stop_reason_name(res->reason));
}

/* The term named before '=' in "TERM=VALUE" of option opt: its index, or
 * -1 after a usage message (the problem's terms listed). */
static int term_of(const pinn_problem *p, const char *opt, const char *arg, const char *form)
{
  const char *eq = strchr(arg, '=');
  char name[64];
  size_t len = eq ? (size_t)(eq - arg) : 0;
  if (!eq || len == 0 || len >= sizeof name) {
    pinn_cli_usage_error("solve", "%s '%s': give %s", opt, arg, form);
    return -1;
  }
  memcpy(name, arg, len);
  name[len] = 0;
  int t = pinn_problem_find_term(p, name);
  if (t < 0) {
    char list[512] = "";
    for (size_t i = 0; i < pinn_problem_n_terms(p); ++i) {
      strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
      strncat(list, pinn_problem_term_name(p, i), sizeof list - strlen(list) - 1);
    }
    pinn_cli_usage_error("solve", "%s: no term '%s' (the terms are: %s)", opt, name, list);
  }
  return t;
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
      if (pinn_term_kind_is_interior(pinn_problem_term_kind(p, i))) {
        pinn_problem_set_points(p, i, n);
        any = 1;
      }
    }
    if (!any) return pinn_cli_usage_error("solve", "--points: the problem has no interior terms");
    return 0;
  }
  const int t = term_of(p, "--points", arg, "TERM=N");
  if (t < 0) return 2;
  if (pinn_cli_parse_size(eq + 1, 1, 100000000, &n))
    return pinn_cli_usage_error("solve", "--points %s: the count must be 1 to 1e8", arg);
  if (pinn_problem_set_points(p, (size_t)t, n))
    return pinn_cli_usage_error("solve", "--points %s: %s", arg, pinn_problem_errmsg(p));
  return 0;
}

/* `pinn solve NAME --help` / `--plugin P --help`: the problem's own
 * parameters (declared by its getters while it is built with none set). */
static int print_parameters(int argc, char **argv)
{
  const char *name = NULL, *plugin = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--plugin") && i + 1 < argc) plugin = argv[++i];
    else if (argv[i][0] != '-' && !name && i == 1) name = argv[i];
  }
  if (!name && !plugin) return 0;
  pinn_error e;
  pinn_params *ps = pinn_params_alloc(&e);
  if (!ps) return 1;
  pinn_solve_config cfg = pinn_solve_config_default();
  cfg.params = ps;
  pinn_problem *p = NULL;
  void *dl = NULL;
  int rc = pinn_cli_create_problem("solve", plugin ? NULL : name, plugin, &p, &cfg, &dl);
  if (!rc) {
    const size_t n = pinn_params_declared(ps);
    printf("\nparameters of %s (--set KEY=VALUE):%s\n", pinn_problem_name(p), n ? "" : " none");
    for (size_t i = 0; i < n; ++i) {
      const char *kind, *def, *help;
      const char *key = pinn_params_describe(ps, i, &kind, &def, &help);
      printf("  %-24s %s, default %s%s%s\n", key, kind, def[0] ? def : "\"\"", help[0] ? ": " : "",
             help);
    }
  }
  pinn_problem_free(p);
  pinn_cli_close_plugin(dl);
  pinn_params_free(ps);
  return rc;
}

/* Apply "TERM=W": the fixed weight of one term in the total loss. */
/* --periodic IN=P[:K]: input IN (by name) P-periodic with K harmonics. */
static int apply_periodic(const pinn_problem *p, const char *arg, pinn_embedding *e)
{
  const int i = pinn_cli_input_of("solve", p, "--periodic", arg, "IN=P[:K]");
  if (i < 0) return 2;
  const char *eq = strchr(arg, '=');
  char buf[64];
  snprintf(buf, sizeof buf, "%s", eq + 1);
  char *colon = strchr(buf, ':');
  size_t K = 1;
  if (colon) *colon = '\0';
  double P;
  if (pinn_cli_parse_double(buf, 0.0, 1e300, &P) ||
      (colon && pinn_cli_parse_size(colon + 1, 1, PINN_MAX_HARMONICS, &K)))
    return pinn_cli_usage_error("solve", "--periodic %s: the period must be a number >= 0 (0: not "
                                         "periodic) and K a count from 1 to %d",
                                arg, PINN_MAX_HARMONICS);
  e->period[i] = P;
  e->harmonics[i] = P > 0 ? (unsigned)K : 0;
  return 0;
}

static int apply_weight(pinn_problem *p, const char *arg)
{
  const int t = term_of(p, "--weight", arg, "TERM=W (W > 0)");
  if (t < 0) return 2;
  double w;
  if (pinn_cli_parse_double(strchr(arg, '=') + 1, 1e-300, 1e300, &w))
    return pinn_cli_usage_error("solve", "--weight %s: the weight must be a number > 0", arg);
  if (pinn_problem_set_weight(p, (size_t)t, w))
    return pinn_cli_usage_error("solve", "--weight %s: %s", arg, pinn_problem_errmsg(p));
  return 0;
}

/* An option that edits the phases.  The edits apply in command-line order
 * on top of the problem's defaults (--then none drops what an earlier
 * --then added; --lr needs an Adam phase at that point). */
typedef enum { ED_ADAM, ED_LR, ED_ITERS, ED_LAST_ITERS, ED_MEMORY, ED_GTOL, ED_OPTIMIZER, ED_THEN,
               ED_THEN_NONE } edit_kind;
typedef struct {
  edit_kind what;
  size_t n;
  double x;
  pinn_optimizer_kind kind;
} phase_edit;

/* Which plain settings the command line gives (they override the defaults). */
enum { SET_LAYERS = 1 << 0, SET_ACT = 1 << 1, SET_INIT = 1 << 2, SET_PRELU = 1 << 3,
       SET_SAMPLER = 1 << 4, SET_SEED = 1 << 5, SET_THREADS = 1 << 6, SET_BUDGET = 1 << 7,
       SET_PROGRESS = 1 << 8, SET_CKPT_EVERY = 1 << 9, SET_LM = 1 << 10, SET_TRANSFORM = 1 << 11,
       SET_VALIDATION = 1 << 12, SET_PATIENCE = 1 << 13, SET_VAL_EVERY = 1 << 14,
       SET_NOISE = 1 << 15, SET_NOISE_TAU = 1 << 16,
       SET_NORMALIZE = 1 << 17, SET_BALANCE = 1 << 18, SET_BALANCE_AFTER = 1 << 19 };

/* The command line, parsed once, before the problem exists. */
typedef struct {
  const char *name, *plugin;
  int quiet, no_output, no_checkpoint;
  unsigned set;            /* SET_* */
  pinn_solve_config v;     /* the values of the settings in `set` and the obstacle options */
  pinn_lm_method lm;
  pinn_loss_transform_kind transform;
  const char *out, *checkpoint, *resume, *reference;
  size_t n_points, n_edits, n_weights, n_sets, n_periodic, n_axis;
  const char **periodic;   /* "IN=P[:K]", in order */
  const char **axis;       /* "IN=K" of --fourier-axis, in order */
  const char *fourier;     /* --fourier's value (the last), NULL: none given */
  const char **sets;       /* "KEY=VALUE" of --set, in order */
  const char **points;     /* "N" or "TERM=N", in order */
  const char **weights;    /* "TERM=W", in order */
  phase_edit *edits;
  const char *rar, *rad;   /* --rar, --rad (parsed by parse_adaptive) */
  pinn_causal_options causal; /* --causal (slabs 0: not given) */
} solve_args;

/* --rar N[:CAND[:ADD]] and --rad N[:K[:C[:CAND]]] into the training options:
 * 0, or the usage exit status. */
static int parse_adaptive(const char *opt, const char *v, pinn_train_options *t)
{
  const int rad = !strcmp(opt, "--rad");
  const char *form = rad ? "give N[:K[:C[:CAND]]]: every N >= 1 Adam iterations, the density's "
                           "K >= 0 and C >= 0, CAND >= 1 candidates (e.g. 100 or 100:1:1:20000)"
                         : "give N[:CAND[:ADD]]: every N >= 1 Adam iterations, CAND >= 1 "
                           "candidates, ADD points added, 1 <= ADD <= CAND (e.g. 100:10000:100)";
  char buf[256], *f[5] = {NULL};
  size_t nf = 0;
  if (strlen(v) >= sizeof buf) return pinn_cli_usage_error("solve", "%s '%s': %s", opt, v, form);
  strcpy(buf, v);
  for (char *q = buf; nf < 5; ++nf) {
    f[nf] = q;
    q = strchr(q, ':');
    if (!q) {
      ++nf;
      break;
    }
    *q++ = '\0';
  }
  size_t every, cand = rad ? 0 : 10000, add = 100;
  double k = 1, c = 1;
  int bad = nf > 4 || (!rad && nf > 3) || pinn_cli_parse_size(f[0], 1, 100000000, &every);
  if (!bad && rad)
    bad = (nf > 1 && pinn_cli_parse_double(f[1], 0, 1e3, &k)) ||
          (nf > 2 && pinn_cli_parse_double(f[2], 0, 1e300, &c)) ||
          (nf > 3 && pinn_cli_parse_size(f[3], 1, 100000000, &cand));
  else if (!bad)
    bad = (nf > 1 && pinn_cli_parse_size(f[1], 1, 100000000, &cand)) ||
          (nf > 2 && pinn_cli_parse_size(f[2], 1, 100000000, &add)) || add > cand;
  if (bad) return pinn_cli_usage_error("solve", "%s '%s': %s", opt, v, form);
  if (rad) {
    t->rad_every = every;
    t->rad_candidates = cand;
    t->rad_k = k;
    t->rad_c = c;
  } else {
    t->refine_every = every;
    t->refine_candidates = cand;
    t->refine_add = add;
  }
  return 0;
}

/* The phase edits that take one number. */
typedef struct {
  const char *opt;
  edit_kind what;
  int integer;
  double lo, hi;
  const char *want;
} numeric_edit;
static const numeric_edit numeric_edits[] = {
    {"--adam", ED_ADAM, 1, 0, 1e8, "give a number of iterations (0 for none)"},
    {"--iters", ED_ITERS, 1, 0, 1e8, "give a number of iterations (0: Adam only)"},
    {"--last-iters", ED_LAST_ITERS, 1, 1, 1e8, "give a number of iterations >= 1"},
    {"--memory", ED_MEMORY, 1, 1, 1000, "give an L-BFGS memory from 1 to 1000"},
    {"--lr", ED_LR, 0, 1e-12, 10, "give a learning rate in (0, 10]"},
    {"--gtol", ED_GTOL, 0, 0, 1e10, "give a number >= 0"}};

static int find_numeric_edit(const char *opt)
{
  for (size_t k = 0; k < sizeof numeric_edits / sizeof *numeric_edits; ++k)
    if (!strcmp(opt, numeric_edits[k].opt)) return (int)k;
  return -1;
}

/* Parse argv into *a (its arrays sized for argc).  0, or the usage exit status. */
static int parse_args(int argc, char **argv, solve_args *a)
{
  pinn_error e;
  for (int i = 1; i < argc; ++i) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    size_t n;
    double x;
    int k;
    phase_edit *ed = &a->edits[a->n_edits];
    if (o[0] != '-') {
      if (a->name)
        return pinn_cli_usage_error("solve", "give one problem name (got '%s' and '%s')", a->name, o);
      a->name = o;
      continue;
    }
    if (!strcmp(o, "--quiet")) {
      a->quiet = 1;
      continue;
    }
    if (!strcmp(o, "--no-checkpoint")) {
      a->no_checkpoint = 1;
      continue;
    }
    if (!strcmp(o, "--no-output")) { /* the last of --out and --no-output counts */
      a->no_output = 1;
      a->out = NULL;
      continue;
    }
    if (!strcmp(o, "--prelu-per-unit")) {
      a->set |= SET_PRELU;
      continue;
    }
    if (!v) {
      if (!strcmp(o, "--plugin")) return pinn_cli_usage_error("solve", "--plugin needs a path to a .so");
      return pinn_cli_usage_error("solve", "%s needs a value (see pinn solve --help)", o);
    }
    ++i; /* every other option takes a value */
    if (!strcmp(o, "--plugin")) {
      a->plugin = v;
    } else if (!strcmp(o, "--barrier")) {
      pinn_barrier bar = pinn_barrier_default();
      if (!strcmp(v, "complementarity")) a->v.obstacle_method = PINN_OBSTACLE_COMPLEMENTARITY;
      else if (pinn_barrier_parse(v, &bar, &e))
        return pinn_cli_usage_error("solve", "--barrier: %s (or complementarity)", e.msg);
      else a->v.obstacle_method = (int)bar.kind;
    } else if (!strcmp(o, "--penalty")) {
      if (pinn_cli_parse_double(v, 1e-12, 1e15, &a->v.penalty))
        return pinn_cli_usage_error("solve", "--penalty needs a positive number");
    } else if (!strcmp(o, "--layers")) {
      if (pinn_solve_parse_layers(v, &a->v, &e)) return pinn_cli_usage_error("solve", "%s", e.msg);
      a->set |= SET_LAYERS;
    } else if (!strcmp(o, "--activation")) {
      if (pinn_activation_parse(v, &a->v.act, &e))
        return pinn_cli_usage_error("solve", "--activation: %s", e.msg);
      a->set |= SET_ACT;
    } else if (!strcmp(o, "--init")) {
      if (pinn_init_parse(v, &a->v.init, &e)) return pinn_cli_usage_error("solve", "--init: %s", e.msg);
      a->set |= SET_INIT;
    } else if (!strcmp(o, "--normalize-inputs")) {
      if (strcmp(v, "on") && strcmp(v, "off"))
        return pinn_cli_usage_error("solve", "--normalize-inputs '%s': use on or off", v);
      a->v.normalize_inputs = !strcmp(v, "on");
      a->set |= SET_NORMALIZE;
    } else if (!strcmp(o, "--points")) {
      a->points[a->n_points++] = v; /* the terms are known once the problem is */
    } else if (!strcmp(o, "--weight")) {
      a->weights[a->n_weights++] = v;
    } else if (!strcmp(o, "--periodic")) {
      a->periodic[a->n_periodic++] = v;
    } else if (!strcmp(o, "--fourier")) {
      a->fourier = v;
    } else if (!strcmp(o, "--fourier-axis")) {
      a->axis[a->n_axis++] = v;
    } else if (!strcmp(o, "--set")) {
      a->sets[a->n_sets++] = v;
    } else if (!strcmp(o, "--sampler")) {
      if (pinn_sampler_kind_parse(v, &a->v.loss.sampler, NULL))
        return pinn_cli_usage_error("solve", "--sampler '%s': use grid, uniform, lhs, sobol or halton", v);
      a->set |= SET_SAMPLER;
    } else if ((k = find_numeric_edit(o)) >= 0) {
      const numeric_edit *ne = &numeric_edits[k];
      if (ne->integer ? pinn_cli_parse_size(v, (size_t)ne->lo, (size_t)ne->hi, &ed->n)
                      : pinn_cli_parse_double(v, ne->lo, ne->hi, &ed->x))
        return pinn_cli_usage_error("solve", "%s '%s': %s", o, v, ne->want);
      ed->what = ne->what;
      a->n_edits++;
    } else if (!strcmp(o, "--optimizer")) {
      if (pinn_optimizer_parse(v, &ed->kind, &e) || ed->kind == PINN_OPT_ADAM)
        return pinn_cli_usage_error("solve", "--optimizer '%s': use lbfgs, ssbfgs, ssbroyden, bfgs2 or cg", v);
      ed->what = ED_OPTIMIZER;
      a->n_edits++;
    } else if (!strcmp(o, "--then")) {
      char kind[32];
      const char *colon = strchr(v, ':');
      size_t len = colon ? (size_t)(colon - v) : strlen(v);
      if (len >= sizeof kind) len = sizeof kind - 1;
      memcpy(kind, v, len);
      kind[len] = 0;
      ed->n = 0;
      ed->what = !strcmp(v, "none") ? ED_THEN_NONE : ED_THEN;
      if (ed->what == ED_THEN && (pinn_optimizer_parse(kind, &ed->kind, &e) ||
                                  (colon && pinn_cli_parse_size(colon + 1, 1, 100000000, &ed->n))))
        return pinn_cli_usage_error("solve",
                                    "--then '%s': give OPTIMIZER[:ITERATIONS] with OPTIMIZER one of "
                                    "adam, lbfgs, ssbfgs, ssbroyden, lm, bfgs2, cg",
                                    v);
      a->n_edits++;
    } else if (!strcmp(o, "--lm-method")) {
      if (pinn_lm_method_parse(v, &a->lm, &e)) return pinn_cli_usage_error("solve", "--lm-method: %s", e.msg);
      a->set |= SET_LM;
    } else if (!strcmp(o, "--loss-transform")) {
      if (pinn_loss_transform_parse(v, &a->transform, &e))
        return pinn_cli_usage_error("solve", "--loss-transform: %s", e.msg);
      a->set |= SET_TRANSFORM;
    } else if (!strcmp(o, "--seed")) {
      if (pinn_cli_parse_size(v, 0, (size_t)-1 >> 1, &n))
        return pinn_cli_usage_error("solve", "--seed '%s': give a non-negative integer", v);
      a->v.seed = n;
      a->set |= SET_SEED;
    } else if (!strcmp(o, "--threads")) {
      if (pinn_cli_parse_size(v, 1, 1024, &n))
        return pinn_cli_usage_error("solve", "--threads '%s': give 1 to 1024", v);
      a->v.threads = (int)n;
      a->set |= SET_THREADS;
    } else if (!strcmp(o, "--out")) {
      const size_t len = strlen(v);
      if (len < 4 || strcmp(v + len - 3, ".h5"))
        return pinn_cli_usage_error("solve", "--out '%s': the result file must end in .h5", v);
      a->out = v;
      a->no_output = 0;
    } else if (!strcmp(o, "--checkpoint")) {
      a->checkpoint = v;
    } else if (!strcmp(o, "--reference")) {
      if (a->reference) return pinn_cli_usage_error("solve", "--reference given twice; give one file");
      a->reference = v;
    } else if (!strcmp(o, "--checkpoint-every")) {
      if (pinn_cli_parse_size(v, 1, 100000000, &a->v.train.checkpoint_every))
        return pinn_cli_usage_error("solve", "--checkpoint-every '%s': give a number of iterations >= 1", v);
      a->set |= SET_CKPT_EVERY;
    } else if (!strcmp(o, "--resume")) {
      if (access(v, R_OK) != 0) return pinn_cli_usage_error("solve", "--resume '%s': no such readable file", v);
      a->resume = v;
    } else if (!strcmp(o, "--time-budget")) {
      if (pinn_cli_parse_double(v, 0.001, 1e9, &x))
        return pinn_cli_usage_error("solve", "--time-budget '%s': give seconds > 0", v);
      a->v.train.time_budget = x;
      a->set |= SET_BUDGET;
    } else if (!strcmp(o, "--validation")) {
      if (pinn_cli_parse_double(v, 0, 0.99, &a->v.loss.validation))
        return pinn_cli_usage_error("solve", "--validation '%s': give a fraction 0 <= FRAC < 1 (e.g. 0.2)", v);
      a->set |= SET_VALIDATION;
    } else if (!strcmp(o, "--validation-patience")) {
      if (pinn_cli_parse_size(v, 1, 100000000, &a->v.train.validation_patience))
        return pinn_cli_usage_error("solve", "--validation-patience '%s': give a number of iterations >= 1", v);
      a->set |= SET_PATIENCE;
    } else if (!strcmp(o, "--validation-every")) {
      if (pinn_cli_parse_size(v, 1, 100000000, &a->v.train.validation_every))
        return pinn_cli_usage_error("solve", "--validation-every '%s': give a number of iterations >= 1", v);
      a->set |= SET_VAL_EVERY;
    } else if (!strcmp(o, "--noise-level")) {
      if (pinn_cli_parse_double(v, 1e-300, 1e300, &a->v.train.noise_level))
        return pinn_cli_usage_error("solve", "--noise-level '%s': give the noise's standard deviation > 0", v);
      a->set |= SET_NOISE;
    } else if (!strcmp(o, "--noise-tau")) {
      if (pinn_cli_parse_double(v, 1e-300, 1e300, &a->v.train.noise_tau))
        return pinn_cli_usage_error("solve", "--noise-tau '%s': give a factor > 0", v);
      a->set |= SET_NOISE_TAU;
    } else if (!strcmp(o, "--rar") || !strcmp(o, "--rad")) {
      pinn_train_options t = pinn_train_options_default();
      if (parse_adaptive(o, v, &t)) return 2;
      if (o[4] == 'r') a->rar = v;
      else a->rad = v;
    } else if (!strcmp(o, "--causal")) {
      if (pinn_causal_parse(v, &a->causal, &e)) return pinn_cli_usage_error("solve", "--%s", e.msg);
    } else if (!strcmp(o, "--balance")) {
      pinn_error e;
      if (pinn_balance_parse_spec(v, &a->v.train.balance, &e))
        return pinn_cli_usage_error("solve", "--%s", e.msg);
      a->set |= SET_BALANCE;
    } else if (!strcmp(o, "--balance-after")) {
      if (strcmp(v, "keep") && strcmp(v, "restore"))
        return pinn_cli_usage_error("solve", "--balance-after '%s': give keep (the phases after "
                                    "Adam keep the balanced weights) or restore (the problem's)", v);
      a->v.train.balance.after = strcmp(v, "keep") ? PINN_BALANCE_RESTORE : PINN_BALANCE_KEEP;
      a->set |= SET_BALANCE_AFTER;
    } else if (!strcmp(o, "--progress-every")) {
      if (pinn_cli_parse_size(v, 1, 100000000, &a->v.train.progress_every))
        return pinn_cli_usage_error("solve", "--progress-every '%s': give a number >= 1", v);
      a->set |= SET_PROGRESS;
    } else {
      return pinn_cli_usage_error("solve", "unknown option '%s' (see pinn solve --help)", o);
    }
  }
  if (a->name && a->plugin)
    return pinn_cli_usage_error("solve", "give a problem NAME or --plugin ./file.so, not both (got "
                                         "'%s' and --plugin %s)", a->name, a->plugin);
  if (!a->name && !a->plugin)
    return pinn_cli_usage_error("solve", "give a problem NAME (see pinn list) or --plugin ./file.so");
  return 0;
}

/* One phase edit on cfg's phases: 0, or the usage exit status. */
static int apply_edit(const phase_edit *ed, pinn_train_options *t)
{
  pinn_error e;
  pinn_phase *adam = pinn_train_options_adam_phase(t), *main_ph = pinn_train_options_main_phase(t);
  switch (ed->what) {
  case ED_ADAM:
    if (pinn_train_options_set_adam(t, ed->n, &e)) return pinn_cli_usage_error("solve", "--adam: %s", e.msg);
    break;
  case ED_ITERS:
    if (pinn_train_options_set_main_iters(t, ed->n, &e))
      return pinn_cli_usage_error("solve", "--iters %zu: %s", ed->n, e.msg);
    break;
  case ED_LAST_ITERS: pinn_train_options_set_last_iters(t, ed->n, NULL); break;
  case ED_LR:
    if (!adam) return pinn_cli_usage_error("solve", "--lr: this run has no Adam phase (add --adam N)");
    adam->lr = ed->x;
    break;
  case ED_MEMORY: if (main_ph) main_ph->memory = ed->n; break;
  case ED_GTOL: if (main_ph) main_ph->gtol = ed->x; break;
  case ED_OPTIMIZER:
    if (pinn_train_options_set_main_optimizer(t, ed->kind, &e))
      return pinn_cli_usage_error("solve", "--optimizer: %s", e.msg);
    break;
  case ED_THEN:
    if (!pinn_train_options_add_phase(t, ed->kind, ed->n))
      return pinn_cli_usage_error("solve", "--then: at most %d phases", PINN_MAX_PHASES);
    break;
  case ED_THEN_NONE: pinn_train_options_drop_after_main(t); break;
  }
  return 0;
}

/* The command line on top of the problem's defaults in *cfg: 0, or the
 * usage exit status. */
static int apply_args(const solve_args *a, pinn_problem *p, pinn_solve_config *cfg)
{
  const pinn_solve_config *v = &a->v;
  if (a->set & SET_LAYERS) {
    cfg->n_hidden = v->n_hidden;
    memcpy(cfg->width, v->width, sizeof cfg->width);
  }
  if (a->set & SET_ACT) cfg->act = v->act;
  if (a->set & SET_INIT) cfg->init = v->init;
  if (a->set & SET_NORMALIZE) cfg->normalize_inputs = v->normalize_inputs;
  if (a->set & SET_PRELU) cfg->prelu_per_unit = 1;
  if (a->set & SET_SAMPLER) cfg->loss.sampler = v->loss.sampler;
  if (a->set & SET_SEED) cfg->seed = v->seed;
  if (a->set & SET_THREADS) cfg->threads = v->threads;
  if (a->set & SET_BUDGET) cfg->train.time_budget = v->train.time_budget;
  if (a->set & SET_PROGRESS) cfg->train.progress_every = v->train.progress_every;
  if (a->set & SET_CKPT_EVERY) cfg->train.checkpoint_every = v->train.checkpoint_every;
  if (a->set & SET_VALIDATION) cfg->loss.validation = v->loss.validation;
  if (a->set & SET_PATIENCE) cfg->train.validation_patience = v->train.validation_patience;
  if (a->set & SET_VAL_EVERY) cfg->train.validation_every = v->train.validation_every;
  if (a->set & SET_NOISE) cfg->train.noise_level = v->train.noise_level;
  if (a->set & SET_NOISE_TAU) cfg->train.noise_tau = v->train.noise_tau;
  if (a->set & SET_BALANCE) {
    cfg->train.balance.kind = v->train.balance.kind;
    cfg->train.balance.every = v->train.balance.every;
    cfg->train.balance.alpha = v->train.balance.alpha;
  }
  if (a->set & SET_BALANCE_AFTER) cfg->train.balance.after = v->train.balance.after;
  cfg->resume = a->resume;
  if ((a->rar && parse_adaptive("--rar", a->rar, &cfg->train)) ||
      (a->rad && parse_adaptive("--rad", a->rad, &cfg->train)))
    return 2;
  if (a->causal.slabs) {
    if (!pinn_problem_has_time(p))
      return pinn_cli_usage_error("solve", "--causal: problem '%s' has no time coordinate; causal "
                                           "weights are for time-dependent problems (see pinn list)",
                                  pinn_problem_name(p));
    cfg->loss.causal = a->causal;
  }
  /* the obstacle formulation first: it rebuilds the obstacle terms, which
   * --points may then size (pinn_solve applies it again: no change) */
  cfg->obstacle_method = v->obstacle_method;
  cfg->penalty = v->penalty;
  if ((cfg->obstacle_method != PINN_OBSTACLE_DEFAULT || cfg->penalty != 0) &&
      pinn_problem_set_obstacle_method(p, cfg->obstacle_method, cfg->penalty))
    return pinn_cli_usage_error("solve", "%s", pinn_problem_errmsg(p));
  int rc = 0;
  pinn_error e;
  if (a->reference && pinn_problem_load_reference_points(p, a->reference, &e))
    return pinn_cli_usage_error("solve", "--reference %s", e.msg);
  for (size_t i = 0; i < a->n_points && !rc; ++i) rc = apply_points(p, a->points[i]);
  for (size_t i = 0; i < a->n_weights && !rc; ++i) rc = apply_weight(p, a->weights[i]);
  for (size_t i = 0; i < a->n_periodic && !rc; ++i) rc = apply_periodic(p, a->periodic[i], &cfg->periodic);
  if (a->fourier && !rc) {
    cfg->fourier.seed = cfg->seed; /* unless seed= says otherwise */
    rc = pinn_cli_fourier("solve", a->fourier, &cfg->fourier);
  }
  for (size_t i = 0; i < a->n_axis && !rc; ++i)
    rc = pinn_cli_fourier_axis("solve", p, a->axis[i], &cfg->fourier);
  for (size_t i = 0; i < a->n_edits && !rc; ++i) rc = apply_edit(&a->edits[i], &cfg->train);
  /* on every phase, once all phases are known */
  for (size_t j = 0; j < cfg->train.n_phases; ++j) {
    if (a->set & SET_LM) cfg->train.phases[j].lm_method = a->lm;
    if (a->set & SET_TRANSFORM) cfg->train.phases[j].loss_transform = a->transform;
  }
  return rc;
}

/* The end of a solve that every rank of a team reached together (pinn_solve
 * agrees on every stop and failure): rank 0's output flushed, then no rank
 * leaves before the others (a launcher ends the whole job as soon as one
 * rank exits non-zero, 130 after an interrupt, which could cut rank 0's
 * summary off; MPI_Finalize need not wait).  Not for failures before
 * pinn_solve, which one rank may meet alone: a rank waiting here would hang
 * where its exit lets the launcher end the job. */
static int team_exit(const pinn_team *team, int rc)
{
  fflush(stdout);
  fflush(stderr);
  double v = 0;
  if (team) pinn_team_max(team, 1, &v, NULL);
  return rc;
}

int pinn_cmd_solve(int argc, char **argv, const pinn_team *team)
{
  const int rank = team ? team->rank : 0; /* rank 0 alone speaks and writes */
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(solve_help, stdout);
      fputs(solve_help_fourier, stdout);
      fputs(solve_help_data, stdout);
      return print_parameters(argc, argv);
    }
  }
  solve_args args;
  memset(&args, 0, sizeof args);
  args.v = pinn_solve_config_default();
  args.points = malloc((size_t)argc * sizeof *args.points);
  args.weights = malloc((size_t)argc * sizeof *args.weights);
  args.periodic = malloc((size_t)argc * sizeof *args.periodic);
  args.axis = malloc((size_t)argc * sizeof *args.axis);
  args.sets = malloc((size_t)argc * sizeof *args.sets);
  args.edits = malloc((size_t)argc * sizeof *args.edits);
  int rc = args.points && args.weights && args.periodic && args.axis && args.sets && args.edits
               ? parse_args(argc, argv, &args)
               : 1;
  pinn_problem *p = NULL;
  void *dl = NULL;
  pinn_solve_config cfg = pinn_solve_config_default();
  pinn_error perr;
  pinn_params *params = rc || !args.n_sets ? NULL : pinn_params_alloc(&perr);
  if (!rc && args.n_sets && !params) rc = 1;
  for (size_t i = 0; i < args.n_sets && !rc; ++i)
    if (pinn_params_set(params, args.sets[i], &perr))
      rc = pinn_cli_usage_error("solve", "--set %s", perr.msg);
  cfg.params = params;
  if (args.set & SET_SEED) cfg.seed = args.v.seed; /* before create: pinn_solve_rng uses it */
  if (!rc) rc = pinn_cli_create_problem("solve", args.name, args.plugin, &p, &cfg, &dl);
  if (!rc && pinn_params_check(params, &perr))
    rc = pinn_cli_usage_error("solve", "--set: %s (see pinn solve %s%s --help)", perr.msg,
                              args.plugin ? "--plugin " : "", args.plugin ? args.plugin : args.name);
  if (!rc) rc = apply_args(&args, p, &cfg);
  free(args.points);
  free(args.weights);
  free(args.periodic);
  free(args.axis);
  free(args.sets);
  free(args.edits);
  if (rc) {
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    pinn_params_free(params);
    return rc;
  }
  const char *pname = pinn_problem_name(p);
  char out_default[512], ckpt_default[600];
  snprintf(out_default, sizeof out_default, "%s.h5", pname);
  cfg.output = args.no_output ? NULL : args.out ? args.out : out_default;
  const char *checkpoint = args.checkpoint;
  /* asked for: kept after a normal end */
  const int keep_checkpoint = args.checkpoint || (args.set & SET_CKPT_EVERY);
  progress_state ps = {args.quiet || rank != 0, isatty(STDERR_FILENO), 100, p, 0, 0, 0, 0, 0, 0};
  pinn_error err;
  pinn_error_clear(&err);
  /* checkpoints: at phase ends and on Ctrl-C whenever results are written
   * (or a checkpoint was asked for) */
  if (args.no_checkpoint && (args.checkpoint || (args.set & SET_CKPT_EVERY)))
    rc = pinn_cli_usage_error("solve", "--no-checkpoint contradicts --checkpoint / --checkpoint-every");
  if (!checkpoint && !args.no_checkpoint && (cfg.output || cfg.train.checkpoint_every)) {
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
    pinn_params_free(params);
    return rc;
  }
  cfg.team = team;
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
    fprintf(stderr, ", %s%s; phases:", pinn_activation_format(&cfg.act, act, sizeof act),
            cfg.normalize_inputs ? ", inputs normalised to [-1,1]" : "");
    for (size_t i = 0; i < cfg.train.n_phases; ++i)
      fprintf(stderr, " %s(%zu)", pinn_optimizer_name(cfg.train.phases[i].kind),
              cfg.train.phases[i].max_iter);
    const pinn_balance_options *bo = &cfg.train.balance;
    if (bo->kind != PINN_BALANCE_NONE)
      fprintf(stderr, "; balance %s every %zu Adam iterations, alpha %g, %s after Adam",
              pinn_balance_name(bo->kind), bo->every, bo->alpha,
              bo->after == PINN_BALANCE_KEEP ? "kept" : "the problem's weights");
    fputc('\n', stderr);
    if (cfg.loss.causal.slabs) {
      char eps[32] = "annealed 1e-2..100";
      if (cfg.loss.causal.eps > 0) snprintf(eps, sizeof eps, "%g", cfg.loss.causal.eps);
      fprintf(stderr, "pinn: causal weights over %zu time slabs, eps %s, in Adam%s phases\n",
              cfg.loss.causal.slabs, eps, cfg.loss.causal.quasi_newton ? " and quasi-Newton" : "");
    }
    const size_t nref = pinn_problem_reference_points(p, NULL, NULL);
    if (nref)
      fprintf(stderr, "pinn: reference: %zu points%s%s (the error reported: ref_l2 on progress "
                      "lines, rel_l2_error in the summary)\n",
              nref, args.reference ? " from " : "", args.reference ? args.reference : "");
    if (team)
      fprintf(stderr, "pinn: %d MPI ranks share the points (bitwise the one-process result)\n",
              team->size);
    if (checkpoint)
      fprintf(stderr, "pinn: checkpoint %s (phase ends, Ctrl-C%s; %s)\n", checkpoint,
              cfg.train.checkpoint_every ? ", every --checkpoint-every iterations" : "",
              keep_checkpoint ? "kept" : "removed after a normal end; --no-checkpoint for none");
  }
  pinn_solve_result res;
  const int st = pinn_solve(p, &cfg, &res, &err);
  clear_bar(&ps);
  if (st) {
    if (rank == 0) {
      fprintf(stderr, "pinn solve: %s\n", err.msg[0] ? err.msg : pinn_strerror(st));
      if (res.iterations || res.wrote_output) print_summary(p, &res);
    }
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    pinn_params_free(params);
    return team_exit(team, 1);
  }
  /* the default checkpoint lives only while the run can be resumed */
  const int resumable = res.reason == PINN_STOP_INTERRUPT || res.reason == PINN_STOP_TIME ||
                        res.reason == PINN_STOP_USER;
  if (checkpoint && !keep_checkpoint && !resumable) {
    if (rank == 0) unlink(checkpoint);
    checkpoint = NULL;
  }
  if (rank != 0) { /* the same run, silently */
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    pinn_params_free(params);
    return team_exit(team, res.reason == PINN_STOP_INTERRUPT ? 130 : 0);
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
  pinn_params_free(params);
  return team_exit(team, res.reason == PINN_STOP_INTERRUPT ? 130 : 0);
}
