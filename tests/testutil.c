#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pinn_test_run_all(void)
{
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed()
                    + CU_get_number_of_failures();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  if (run == 0) {
    fprintf(stderr, "no test ran\n");
    return 1;
  }
  return failed ? 1 : 0;
}

double pinn_test_reldiff(double a, double b, double floor)
{
  double s = fmax(fabs(a), fabs(b));
  if (s < floor) s = floor;
  return fabs(a - b) / s;
}

int pinn_test_add_suite(const char *suite, const pinn_test_case *cases)
{
  if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  if (!s) return CU_get_error();
  for (; cases->name; ++cases)
    if (!CU_add_test(s, cases->name, cases->fn)) return CU_get_error();
  return 0;
}

char *pinn_test_tmpdir(const char *tag)
{
  const char *base = getenv("TMPDIR");
  if (!base) base = "/tmp";
  size_t n = strlen(base) + strlen(tag) + 32;
  char *p = malloc(n);
  if (!p) return NULL;
  snprintf(p, n, "%s/pinn-%s-XXXXXX", base, tag);
  if (!mkdtemp(p)) { free(p); return NULL; }
  return p;
}
