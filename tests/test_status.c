/* Tests for status codes and error records. */
#include <stdarg.h>
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

static int forward(pinn_error *e, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pinn_error_vset(e, PINN_EFORMAT, fmt, ap);
  va_end(ap);
  return rc;
}

static void sticky_record_keeps_the_first_failure(void)
{
  pinn_error e;
  pinn_error_clear(&e);
  CU_ASSERT_EQUAL(forward(&e, "dataset '%s' has %d rows", "/x", 7), PINN_EFORMAT);
  CU_ASSERT_STRING_EQUAL(e.msg, "dataset '/x' has 7 rows");
  CU_ASSERT_EQUAL(pinn_error_set_first(&e, PINN_EIO, "second %d", 2), PINN_EIO);
  CU_ASSERT_EQUAL(e.code, PINN_EFORMAT);
  CU_ASSERT_STRING_EQUAL(e.msg, "dataset '/x' has 7 rows");
  pinn_error_clear(&e);
  CU_ASSERT_EQUAL(pinn_error_set_first(&e, PINN_EIO, "now %d", 3), PINN_EIO);
  CU_ASSERT_EQUAL(e.code, PINN_EIO);
  CU_ASSERT_STRING_EQUAL(e.msg, "now 3");
  CU_ASSERT_EQUAL(pinn_error_set_first(NULL, PINN_EIO, "ignored"), PINN_EIO);
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
    {"sticky_record_keeps_the_first_failure", sticky_record_keeps_the_first_failure},
    {"own_codes_have_their_own_text", own_codes_have_their_own_text},
    {NULL, NULL}};
  if (pinn_test_add_suite("status", cases)) return 1;
  return pinn_test_run_all();
}
