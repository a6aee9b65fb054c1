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
  for (size_t i = 0; i < pinn_bundled_count(); ++i) {
    const pinn_bundled *b = pinn_bundled_get(i);
    printf("%-16s %s%s\n", b->name, b->summary, b->create ? "" : "  [not built in]");
  }
  return 0;
}
