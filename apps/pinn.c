/* pinn — the libpinn command-line tool: dispatch to the subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <pinn/pinn.h>

#include "cli.h"

/* eval and info live in apps/cmd_eval.c and apps/cmd_info.c; until those
 * are part of the build the commands say so. */
int pinn_cmd_eval(int argc, char **argv) __attribute__((weak));
int pinn_cmd_info(int argc, char **argv) __attribute__((weak));

static void usage(FILE *f)
{
  fprintf(f,
          "usage: pinn <command> [options]   (pinn <command> --help for its options)\n"
          "\n"
          "commands:\n"
          "  list                 the bundled problems, one line each\n"
          "  solve NAME [opts]    solve a bundled problem (or --plugin ./my_problem.so)\n"
          "  eval FILE.h5 [opts]  evaluate a trained network on a grid or on points\n"
          "  info FILE.h5         what a solve or checkpoint file holds\n"
          "  bench NAME [opts]    seconds per loss-and-gradient evaluation\n"
          "  version              the library version\n");
}

/* OpenBLAS's own thread count (it runs GSL's BLAS: the dense SSBFGS/SSBroyden
 * updates).  Declared weak: absent when another CBLAS is behind GSL. */
extern void openblas_set_num_threads(int n) __attribute__((weak));

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  /* One OpenBLAS thread unless the user says otherwise: the dense updates
   * then round the same on every machine (a threaded dsymv sums partial
   * results in an order that depends on the core count), and they do not
   * compete with the loss's OpenMP threads (measured: poisson1d's default run
   * took 1.5 s with one OpenBLAS thread and 3.1 s with two, same result). */
  if (openblas_set_num_threads && !getenv("OPENBLAS_NUM_THREADS")) openblas_set_num_threads(1);
  if (argc < 2) {
    fprintf(stderr, "pinn: give a command: list, solve, eval, info, bench or version (pinn --help)\n");
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("pinn (libpinn) %s\n", pinn_version());
    return 0;
  }
  if (!strcmp(cmd, "list")) return pinn_cmd_list(argc - 1, argv + 1);
  if (!strcmp(cmd, "solve") || !strcmp(cmd, "bench")) { /* the commands a team runs */
    pinn_cli_mpi m;
    if (pinn_cli_mpi_begin(&argc, &argv, &m)) return 1;
    const int rc = !strcmp(cmd, "solve") ? pinn_cmd_solve(argc - 1, argv + 1, m.team)
                                         : pinn_cmd_bench(argc - 1, argv + 1, m.team);
    pinn_cli_mpi_end(&m);
    return rc;
  }
  if (!strcmp(cmd, "eval") || !strcmp(cmd, "info")) {
    int (*fn)(int, char **) = !strcmp(cmd, "eval") ? pinn_cmd_eval : pinn_cmd_info;
    if (!fn) {
      fprintf(stderr, "pinn: '%s' is not built into this pinn\n", cmd);
      return 1;
    }
    return fn(argc - 1, argv + 1);
  }
  fprintf(stderr, "pinn: unknown command '%s': use list, solve, eval, info, bench or version\n", cmd);
  return 2;
}
