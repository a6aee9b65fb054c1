/* The table of bundled problems (problems/problems.h). */
#include "problems.h"

#include <string.h>

/* Weak references: a problem whose file is not (yet) part of the build has
 * a NULL entry point, and `pinn list` says so instead of failing to link. */
#define PINN_BUNDLED_WEAK(name, text)                                                    \
  int pinn_problem_##name(pinn_problem **p, pinn_solve_config *cfg, pinn_error *err)     \
      __attribute__((weak));
PINN_BUNDLED_LIST(PINN_BUNDLED_WEAK)
#undef PINN_BUNDLED_WEAK

#define PINN_BUNDLED_ENTRY(name, text) {#name, text, pinn_problem_##name},
static const pinn_bundled table[] = {PINN_BUNDLED_LIST(PINN_BUNDLED_ENTRY)};
#undef PINN_BUNDLED_ENTRY

size_t pinn_bundled_count(void) { return sizeof table / sizeof *table; }

const pinn_bundled *pinn_bundled_get(size_t i)
{
  return i < pinn_bundled_count() ? &table[i] : NULL;
}

const pinn_bundled *pinn_bundled_find(const char *name)
{
  for (size_t i = 0; i < pinn_bundled_count(); ++i)
    if (name && strcmp(table[i].name, name) == 0) return &table[i];
  return NULL;
}
