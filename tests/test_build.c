/* Build properties a user relies on: GSL's BLAS calls reach OpenBLAS (not
 * the slow reference gslcblas), and the version string is the project's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>
#include <pinn/status.h>

#include "testutil.h"

static void gsl_blas_calls_bind_to_openblas(void)
{
  Dl_info info;
  memset(&info, 0, sizeof info);
  void (*fp)(void) = (void (*)(void))cblas_dgemm;
  void *addr;
  memcpy(&addr, &fp, sizeof addr);
  CU_ASSERT_FATAL(dladdr(addr, &info) != 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(info.dli_fname);
  CU_ASSERT_PTR_NOT_NULL(strstr(info.dli_fname, "openblas"));
  CU_ASSERT_PTR_NULL(strstr(info.dli_fname, "gslcblas"));
  /* and it computes: a 2x2 product through gsl_blas_dgemm */
  double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4] = {0};
  gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), Bm = gsl_matrix_view_array(b, 2, 2),
                  Cm = gsl_matrix_view_array(c, 2, 2);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &A.matrix, &Bm.matrix, 0.0, &Cm.matrix);
  CU_ASSERT_EQUAL(c[0], 19.0);
  CU_ASSERT_EQUAL(c[3], 50.0);
}

static void version_string_is_semantic(void)
{
  const char *v = pinn_version();
  CU_ASSERT(v[0] >= '0' && v[0] <= '9');
  CU_ASSERT_PTR_NOT_NULL(strchr(v, '.'));
}

int main(void)
{
  static const pinn_test_case cases[] = {
      {"gsl_blas_calls_bind_to_openblas", gsl_blas_calls_bind_to_openblas},
      {"version_string_is_semantic", version_string_is_semantic},
      {NULL, NULL}};
  if (pinn_test_add_suite("build", cases)) return 1;
  return pinn_test_run_all();
}
