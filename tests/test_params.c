/* Tests for a problem's own parameters (pinn/params.h): values set as
 * KEY=VALUE reach the typed getters, defaults stand in for keys not set,
 * malformed values and keys never read are refused with what to fix, and
 * the getters declare what --help lists. */
#include <pinn/params.h>

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void set_values_reach_the_typed_getters(void)
{
  pinn_error e;
  pinn_params *ps = pinn_params_alloc(&e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "nu=0.01", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "n=-12", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "variant=hard", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "empty=", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "nu=2.5e-3", &e), 0); /* the later setting wins */
  CU_ASSERT_EQUAL(pinn_params_double(ps, "nu", 1.0, "viscosity"), 2.5e-3);
  CU_ASSERT_EQUAL(pinn_params_int(ps, "n", 3, NULL), -12);
  CU_ASSERT_STRING_EQUAL(pinn_params_string(ps, "variant", "soft", "soft or hard"), "hard");
  CU_ASSERT_STRING_EQUAL(pinn_params_string(ps, "empty", "x", NULL), "");
  /* not set: the default */
  CU_ASSERT_EQUAL(pinn_params_double(ps, "kappa", 0.1, "conductivity"), 0.1);
  CU_ASSERT_EQUAL(pinn_params_status(ps), 0);
  CU_ASSERT_EQUAL(pinn_params_check(ps, &e), 0);
  /* declared in the order read, with kind, default and help */
  CU_ASSERT_EQUAL(pinn_params_declared(ps), 5);
  const char *kind, *def, *help;
  CU_ASSERT_STRING_EQUAL(pinn_params_describe(ps, 0, &kind, &def, &help), "nu");
  CU_ASSERT_STRING_EQUAL(kind, "double");
  CU_ASSERT_EQUAL(strtod(def, NULL), 1.0);
  CU_ASSERT_STRING_EQUAL(help, "viscosity");
  CU_ASSERT_STRING_EQUAL(pinn_params_describe(ps, 1, &kind, &def, &help), "n");
  CU_ASSERT_STRING_EQUAL(kind, "int");
  CU_ASSERT_STRING_EQUAL(def, "3");
  CU_ASSERT_STRING_EQUAL(help, "");
  CU_ASSERT_STRING_EQUAL(pinn_params_describe(ps, 4, &kind, &def, &help), "kappa");
  CU_ASSERT_PTR_NULL(pinn_params_describe(ps, 5, NULL, NULL, NULL));
  pinn_params_free(ps);
  /* a NULL set: every getter gives its default, nothing to check */
  CU_ASSERT_EQUAL(pinn_params_double(NULL, "nu", 0.5, NULL), 0.5);
  CU_ASSERT_EQUAL(pinn_params_int(NULL, "n", 7, NULL), 7);
  CU_ASSERT_STRING_EQUAL(pinn_params_string(NULL, "v", "d", NULL), "d");
  CU_ASSERT_EQUAL(pinn_params_check(NULL, &e), 0);
  CU_ASSERT_EQUAL(pinn_params_declared(NULL), 0);
}

static void malformed_settings_and_values_are_refused(void)
{
  pinn_error e;
  pinn_params *ps = pinn_params_alloc(&e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "novalue", &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "KEY=VALUE"));
  CU_ASSERT_EQUAL(pinn_params_set(ps, "=3", &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "bad key=3", &e), PINN_EINVAL);
  CU_ASSERT_EQUAL(pinn_params_set(NULL, "a=1", &e), PINN_EINVAL);
  /* a value that does not parse: the default, and a sticky error naming it */
  CU_ASSERT_EQUAL(pinn_params_set(ps, "nu=0.x", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "n=4.5", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "big=1e999", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_double(ps, "nu", 0.25, NULL), 0.25);
  CU_ASSERT_EQUAL(pinn_params_status(ps), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_params_errmsg(ps), "parameter 'nu': '0.x' is not a finite number"));
  CU_ASSERT_EQUAL(pinn_params_int(ps, "n", 2, NULL), 2);
  CU_ASSERT_EQUAL(pinn_params_double(ps, "big", 1.0, NULL), 1.0);
  /* the first error stays */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_params_errmsg(ps), "'nu'"));
  CU_ASSERT_EQUAL(pinn_params_check(ps, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'0.x'"));
  pinn_params_free(ps);
}

static void keys_set_but_never_read_are_refused_listing_the_parameters(void)
{
  pinn_error e;
  pinn_params *ps = pinn_params_alloc(&e);
  CU_ASSERT_EQUAL(pinn_params_set(ps, "nux=1", &e), 0);
  CU_ASSERT_EQUAL(pinn_params_check(ps, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "this problem has no parameters"));
  pinn_params_double(ps, "nu", 1.0, NULL);
  pinn_params_string(ps, "variant", "soft", NULL);
  CU_ASSERT_EQUAL(pinn_params_check(ps, &e), PINN_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no parameter 'nux'; the parameters are: nu, variant"));
  pinn_params_free(ps);
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"set_values_reach_the_typed_getters", set_values_reach_the_typed_getters},
      {"malformed_settings_and_values_are_refused", malformed_settings_and_values_are_refused},
      {"keys_set_but_never_read_are_refused_listing_the_parameters",
       keys_set_but_never_read_are_refused_listing_the_parameters},
      {NULL, NULL}};
  if (pinn_test_add_suite("params", cases)) return 1;
  return pinn_test_run_all();
}
