/* pinn list — the bundled problems, one line each. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "problems.h"

int pinn_cmd_list(int argc, char **argv)
{
  if (argc > 1) {
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
      printf("usage: pinn list\n  prints the bundled problems, one line each\n");
      return 0;
    }
    return pinn_cli_usage_error("list", "takes no arguments (got '%s')", argv[1]);
  }
  /* one column for the names: the longest decides (heat2d_multiscale: 17) */
  int w = 16;
  for (size_t i = 0; i < pinn_bundled_count(); ++i) {
    const int n = (int)strlen(pinn_bundled_get(i)->name);
    if (n > w) w = n;
  }
  for (size_t i = 0; i < pinn_bundled_count(); ++i) {
    const pinn_bundled *b = pinn_bundled_get(i);
    printf("%-*s %s%s\n", w, b->name, b->summary, b->create ? "" : "  [not built in]");
  }
  return 0;
}
