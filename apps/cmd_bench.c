/* pinn bench — seconds per loss-and-gradient evaluation of a problem with
 * its default configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <gsl/gsl_sort.h>
#include <omp.h>
#include <pinn/pinn.h>

#include "cli.h"

static const char bench_help[] =
    "usage: pinn bench NAME [--threads T] [--repeats R] [--points N] [--set KEY=VALUE]\n"
    "                  [--fourier m=M,sigma=S[,seed=N]] [--fourier-axis IN=K]\n"
    "                  [--plugin ./my.so]\n"
    "Times one loss-and-gradient evaluation of the problem with its default network and\n"
    "points (median of R repeats after warm-up; --points N gives every interior term N\n"
    "points; --set a problem parameter, as for pinn solve).  Under mpirun the ranks split the points (pinn/team.h) and rank 0 reports;\n"
    "rss_mb is the largest resident size of any rank.  Last line: s_per_eval=<seconds>\n"
    "--fourier, --fourier-axis: the network with Fourier features, as for pinn solve.\n";

int pinn_cmd_bench(int argc, char **argv, const pinn_team *team)
{
  const char *name = NULL, *plugin = NULL;
  int first_set = 0; /* argv index of the first --set, 0 if none */
  const char *fourier = NULL;
  size_t threads = 0, repeats = 20, points = 0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(bench_help, stdout);
      return 0;
    } else if (!strcmp(a, "--threads")) {
      if (i + 1 >= argc || pinn_cli_parse_size(argv[++i], 1, 1024, &threads))
        return pinn_cli_usage_error("bench", "--threads needs a count from 1 to 1024");
    } else if (!strcmp(a, "--repeats")) {
      if (i + 1 >= argc || pinn_cli_parse_size(argv[++i], 1, 100000, &repeats))
        return pinn_cli_usage_error("bench", "--repeats needs a count from 1 to 100000");
    } else if (!strcmp(a, "--points")) {
      if (i + 1 >= argc || pinn_cli_parse_size(argv[++i], 1, PINN_MAX_TERM_POINTS, &points))
        return pinn_cli_usage_error("bench", "--points needs a count from 1 to 1e8");
    } else if (!strcmp(a, "--set")) {
      if (i + 1 >= argc) return pinn_cli_usage_error("bench", "--set needs KEY=VALUE");
      if (!first_set) first_set = i;
      ++i;
    } else if (!strcmp(a, "--fourier")) {
      if (i + 1 >= argc)
        return pinn_cli_usage_error("bench", "--fourier needs m=M,sigma=S[,seed=N]");
      fourier = argv[++i];
    } else if (!strcmp(a, "--fourier-axis")) { /* applied once the problem's inputs are known */
      if (i + 1 >= argc) return pinn_cli_usage_error("bench", "--fourier-axis needs IN=K");
      ++i;
    } else if (!strcmp(a, "--plugin")) {
      if (i + 1 >= argc) return pinn_cli_usage_error("bench", "--plugin needs a path");
      plugin = argv[++i];
    } else if (a[0] == '-') {
      return pinn_cli_usage_error("bench", "unknown option '%s' (see pinn bench --help)", a);
    } else if (name) {
      return pinn_cli_usage_error("bench", "give one problem name");
    } else {
      name = a;
    }
  }
  if (!name == !plugin)
    return pinn_cli_usage_error("bench", "give a problem NAME (see pinn list) or --plugin");
  pinn_solve_config cfg = pinn_solve_config_default();
  pinn_error perr;
  pinn_params *params = first_set ? pinn_params_alloc(&perr) : NULL;
  if (first_set && !params) return pinn_cli_usage_error("bench", "--set: %s", perr.msg);
  for (int i = first_set; first_set && i + 1 < argc; ++i)
    if (!strcmp(argv[i], "--set") && pinn_params_set(params, argv[++i], &perr)) {
      pinn_params_free(params);
      return pinn_cli_usage_error("bench", "--set %s", perr.msg);
    }
  cfg.params = params;
  pinn_problem *p;
  void *dl;
  int st = pinn_cli_create_problem("bench", name, plugin, &p, &cfg, &dl);
  if (!st && pinn_params_check(params, &perr))
    st = pinn_cli_usage_error("bench", "--set: %s (see pinn solve %s --help)", perr.msg,
                              name ? name : plugin);
  if (!st && fourier) {
    cfg.fourier.seed = cfg.seed;
    st = pinn_cli_fourier("bench", fourier, &cfg.fourier);
  }
  for (int i = 1; !st && i + 1 < argc; ++i)
    if (!strcmp(argv[i], "--fourier-axis"))
      st = pinn_cli_fourier_axis("bench", p, argv[++i], &cfg.fourier);
    else if (!strcmp(argv[i], "--set") || !strcmp(argv[i], "--fourier") ||
             !strcmp(argv[i], "--plugin") || !strcmp(argv[i], "--threads") ||
             !strcmp(argv[i], "--repeats") || !strcmp(argv[i], "--points"))
      ++i; /* their values are not options */
  if (st) {
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    pinn_params_free(params);
    return st;
  }
  cfg.threads = (int)threads;
  cfg.loss.seed = cfg.seed;
  cfg.loss.team = team; /* each rank samples and keeps its share of the points */
  for (size_t i = 0; points && i < pinn_problem_n_terms(p); ++i)
    if (pinn_term_kind_is_interior(pinn_problem_term_kind(p, i))) pinn_problem_set_points(p, i, points);
  pinn_error err;
  pinn_mlp *net = pinn_solve_network(p, &cfg, &err);
  pinn_loss *l = net ? pinn_loss_alloc(p, net, &cfg.loss, &err) : NULL;
  if (!l) {
    fprintf(stderr, "pinn bench: %s\n", err.msg);
    pinn_mlp_free(net);
    pinn_problem_free(p);
    pinn_cli_close_plugin(dl);
    pinn_params_free(params);
    return 1;
  }
  size_t P = pinn_loss_n_params(l), npts = 0;
  for (size_t i = 0; i < pinn_loss_n_terms(l); ++i) {
    size_t n;
    pinn_loss_term_points(l, i, &n, NULL, NULL);
    npts += n;
  }
  double *g = malloc(P * sizeof *g), *times = malloc(repeats * sizeof *times), f = 0;
  for (size_t it = 0; it < repeats + 3 && !st; ++it) {
    double t0 = omp_get_wtime();
    st = pinn_loss_eval(l, NULL, &f, g, NULL);
    if (it >= 3) times[it - 3] = omp_get_wtime() - t0;
  }
  if (st) {
    fprintf(stderr, "pinn bench: %s\n", pinn_loss_errmsg(l));
  } else {
    /* a team's time is its slowest rank's; its memory its largest */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss = (double)ru.ru_maxrss / 1024.0;
    for (size_t k = 0; team && k < repeats; ++k) pinn_team_max(team, 1, &times[k], NULL);
    if (team) pinn_team_max(team, 1, &rss, NULL);
    gsl_sort(times, 1, repeats);
    double med = repeats % 2 ? times[repeats / 2] : 0.5 * (times[repeats / 2 - 1] + times[repeats / 2]);
    if (!team || team->rank == 0) {
      printf("problem=%s ranks=%d threads=%d params=%zu points=%zu loss=%.6e min=%.6g rss_mb=%.0f\n",
             pinn_problem_name(p), team ? team->size : 1,
             threads ? (int)threads : omp_get_max_threads(), P, npts, f, times[0], rss);
      printf("s_per_eval=%.6g\n", med);
    }
  }
  free(g);
  free(times);
  pinn_loss_free(l);
  pinn_mlp_free(net);
  pinn_problem_free(p);
  pinn_cli_close_plugin(dl);
  pinn_params_free(params);
  return st ? 1 : 0;
}
