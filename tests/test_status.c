/* Tests for status codes and error records. */
#include <pinn/status.h>
#include <gsl/gsl_errno.h>
#include <string.h>
#include "testutil.h"

static void gsl_codes_pass_through_unchanged(void)
{
  CU_ASSERT_EQUAL(PINN_EINVAL, GSL_EINVAL);
  CU_ASSERT_EQUAL(PINN_ENOMEM, GSL_ENOMEM);
  CU_ASSERT_EQUAL(PINN_EMAXITER, GSL_EMAXITER);
  CU_ASSERT_EQUAL(PINN_EBADFUNC, GSL_EBADFUNC);
  CU_ASSERT_STRING_EQUAL(pinn_strerror(GSL_EDOM), gsl_strerror(GSL_EDOM));
}

static void error_record_keeps_code_and_formatted_message(void)
{
  pinn_error e;
  pinn_error_clear(&e);
  CU_ASSERT_EQUAL(e.code, 0);
  CU_ASSERT_EQUAL(pinn_error_set(&e, PINN_EINVAL, "width %d must be positive", -3), PINN_EINVAL);
  CU_ASSERT_EQUAL(e.code, PINN_EINVAL);
  CU_ASSERT_STRING_EQUAL(e.msg, "width -3 must be positive");
  CU_ASSERT_EQUAL(pinn_error_set(NULL, PINN_EIO, "ignored"), PINN_EIO);
}

static void own_codes_have_their_own_text(void)
{
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_strerror(PINN_EFORMAT), "corrupt"));
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_strerror(PINN_ECALLBACK), "callback"));
  CU_ASSERT(strlen(pinn_version()) > 0);
}

int main(void)
{
  static const pinn_test_case cases[] = {
    {"gsl_codes_pass_through_unchanged", gsl_codes_pass_through_unchanged},
    {"error_record_keeps_code_and_formatted_message", error_record_keeps_code_and_formatted_message},
    {"own_codes_have_their_own_text", own_codes_have_their_own_text},
    {NULL, NULL}};
  if (pinn_test_add_suite("status", cases)) return 1;
  return pinn_test_run_all();
}
