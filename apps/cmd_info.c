/* pinn info: say in words what a libpinn file holds (problem, network, run,
 * errors, datasets with shapes and ranges). */
#include <stddef.h> /* cli.h uses size_t without including it */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <pinn/output.h>

static void info_help(void)
{
  printf("usage: pinn info FILE.h5\n"
         "\n"
         "Describe a pinn solve file, checkpoint, saved model or pinn eval output: the\n"
         "problem, the network (layers, activations, parameters, inputs and their\n"
         "bounds), the run (seed, iterations, time, stop reason, final loss), the error\n"
         "against the exact or reference solution, the domain (a box, or the kind of a\n"
         "domain that is not one with the grid points inside and the mesh ParaView shows),\n"
         "coefficients and metrics, and every dataset with its shape and value range.\n"
         "\n"
         "Exit status: 0 success, 1 the file cannot be read, 2 bad arguments.\n");
}

int pinn_cmd_info(int argc, char **argv)
{
  const char *file = NULL;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      info_help();
      return 0;
    }
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return pinn_cli_usage_error("info", "unknown option '%s'; accepted: --help", argv[i]);
    if (file)
      return pinn_cli_usage_error("info", "unexpected argument '%s': give one FILE.h5", argv[i]);
    file = argv[i];
  }
  if (!file) return pinn_cli_usage_error("info", "no file given; usage: pinn info FILE.h5");
  if (access(file, R_OK) != 0)
    return pinn_cli_usage_error("info", "'%s': no such readable file", file);
  size_t cap = (size_t)1 << 20;
  char *text = malloc(cap);
  if (!text) {
    fprintf(stderr, "pinn info: out of memory\n");
    return 1;
  }
  pinn_error err;
  int st = pinn_output_describe(file, text, cap, &err);
  if (st) {
    fprintf(stderr, "pinn info: %s\n", err.msg);
    free(text);
    return 1;
  }
  fputs(text, stdout);
  free(text);
  return 0;
}
