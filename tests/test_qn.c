/* Tests for the calls every libpinn quasi-Newton type answers (pinn/qn.h):
 * checkpoints continue bitwise for L-BFGS, SSBFGS and SSBroyden, one table
 * of the three types over the round trip of tests/multimin_problems.c, each
 * with the checks of its own state layout; and the calls refuse any other
 * minimizer. */
#include <pinn/lbfgs.h>
#include <pinn/qn.h>
#include <pinn/ssqn.h>
#include <pinn/status.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "multimin_problems.h"
#include "testutil.h"

enum { N = 100 };

static void memory_7(gsl_multimin_fdfminimizer *s)
{
  CU_ASSERT_EQUAL(pinn_lbfgs_set_memory(s, 7), GSL_SUCCESS);
}

/* 15 + 15 iterations with m = 7 < 15: the ring wraps before the save; the
 * resumed minimizer starts with the default memory and takes m from the
 * state. */
static void lbfgs_state(const mm_resume *res, const gsl_multimin_fdfminimizer_type *T, size_t hdr)
{
  (void)T;
  const size_t m = 7;
  CU_ASSERT_EQUAL(res->saved.stored, m);
  CU_ASSERT_EQUAL(res->len, hdr + m * (2 * N + 1));
  pinn_qn_statistics sr;
  pinn_qn_stats(res->r, &sr);
  CU_ASSERT_EQUAL(sr.memory, m);
}

/* H's upper triangle after the header; states that must be refused (the
 * other dense type, H[0][0] <= 0, NaN in H) leave the minimizer as it was. */
static void dense_state(const mm_resume *res, const gsl_multimin_fdfminimizer_type *T, size_t hdr)
{
  gsl_multimin_fdfminimizer *r = res->r;
  double *buf = res->buf;
  const size_t len = res->len;
  CU_ASSERT_EQUAL(len, hdr + N * (N + 1) / 2);
  CU_ASSERT_EQUAL(res->saved.have_h, 1);
  double *ba = malloc(len * sizeof *ba), *br = malloc(len * sizeof *br);
  pinn_qn_state_save(r, ba, NULL);
  mm_counted c = {0};
  gsl_multimin_function_fdf F = mm_make_fdf(&c, mm_rosenbrock, N);
  gsl_multimin_fdfminimizer *o = gsl_multimin_fdfminimizer_alloc(
      T == pinn_multimin_fdfminimizer_ssbfgs ? pinn_multimin_fdfminimizer_ssbroyden
                                             : pinn_multimin_fdfminimizer_ssbfgs,
      N);
  CU_ASSERT_EQUAL(gsl_multimin_fdfminimizer_set(o, &F, r->x, 1.0, 0.9), GSL_SUCCESS);
  pinn_error err;
  CU_ASSERT_EQUAL(pinn_qn_state_load(o, buf, len, &err), PINN_EFORMAT); /* other type */
  CU_ASSERT_PTR_NOT_NULL(strstr(pinn_qn_errmsg(o), "same type"));
  CU_ASSERT_STRING_EQUAL(err.msg, pinn_qn_errmsg(o));
  const double saved = buf[hdr];
  buf[hdr] = -1.0; /* H[0][0] <= 0 */
  CU_ASSERT_EQUAL(pinn_qn_state_load(r, buf, len, NULL), PINN_EFORMAT);
  buf[hdr] = saved;
  buf[hdr + 5] = NAN;
  CU_ASSERT_EQUAL(pinn_qn_state_load(r, buf, len, NULL), PINN_EFORMAT);
  CU_ASSERT_EQUAL(memcmp(res->a->x->data, r->x->data, N * sizeof(double)), 0);
  pinn_qn_state_save(r, br, NULL);
  CU_ASSERT_EQUAL(memcmp(ba, br, len * sizeof *ba), 0);
  free(ba);
  free(br);
  gsl_multimin_fdfminimizer_free(o);
}

static void checkpoint_resume_continues_bitwise_identically_for_every_type(void)
{
  const struct {
    const gsl_multimin_fdfminimizer_type *T;
    int at, total;
    size_t hdr; /* doubles of the state with an empty memory */
    void (*prepare)(gsl_multimin_fdfminimizer *s);
    void (*layout)(const mm_resume *res, const gsl_multimin_fdfminimizer_type *T, size_t hdr);
  } types[] = {{pinn_multimin_fdfminimizer_lbfgs, 15, 30, 14, memory_7, lbfgs_state},
               {pinn_multimin_fdfminimizer_ssbfgs, 20, 40, 21, NULL, dense_state},
               {pinn_multimin_fdfminimizer_ssbroyden, 20, 40, 21, NULL, dense_state}};
  for (size_t k = 0; k < sizeof types / sizeof types[0]; ++k) {
    mm_resume res = mm_check_resume(types[k].T, N, types[k].at, types[k].total, types[k].hdr,
                                    types[k].prepare);
    types[k].layout(&res, types[k].T, types[k].hdr);
    /* a load before set() reports through err too */
    pinn_error err;
    gsl_multimin_fdfminimizer *w = gsl_multimin_fdfminimizer_alloc(types[k].T, 2);
    CU_ASSERT_EQUAL(pinn_qn_state_load(w, res.buf, res.len, &err), GSL_EINVAL);
    CU_ASSERT_EQUAL(err.code, GSL_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "set"));
    CU_ASSERT_EQUAL(pinn_qn_stats(w, NULL), GSL_EINVAL);
    CU_ASSERT_EQUAL(pinn_qn_is_libpinn(w), 1);
    gsl_multimin_fdfminimizer_free(w);
    mm_resume_free(&res);
  }
}

static void calls_on_another_minimizer_type_return_einval(void)
{
  gsl_multimin_fdfminimizer *s =
      gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 2);
  gsl_multimin_fdfminimizer *others[2] = {s, NULL};
  for (int k = 0; k < 2; ++k) {
    pinn_qn_statistics st;
    double buf[32] = {0};
    pinn_error err;
    CU_ASSERT_EQUAL(pinn_qn_is_libpinn(others[k]), 0);
    CU_ASSERT_EQUAL(pinn_qn_stats(others[k], &st), GSL_EINVAL);
    CU_ASSERT_EQUAL(pinn_qn_reset(others[k]), GSL_EINVAL);
    CU_ASSERT_EQUAL(pinn_qn_state_save(others[k], buf, &err), GSL_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a libpinn quasi-Newton"));
    CU_ASSERT_EQUAL(pinn_qn_state_load(others[k], buf, 32, NULL), GSL_EINVAL);
    CU_ASSERT_EQUAL(pinn_qn_state_size(others[k]), 0u);
    CU_ASSERT_PTR_NOT_NULL(strstr(pinn_qn_errmsg(others[k]), "not a libpinn quasi-Newton"));
  }
  CU_ASSERT_STRING_EQUAL(gsl_multimin_fdfminimizer_name(s), "vector_bfgs2");
  gsl_multimin_fdfminimizer_free(s);
}

int main(void)
{
  gsl_set_error_handler_off();
  static const pinn_test_case cases[] = {
      {"checkpoint_resume_continues_bitwise_identically_for_every_type",
       checkpoint_resume_continues_bitwise_identically_for_every_type},
      {"calls_on_another_minimizer_type_return_einval",
       calls_on_another_minimizer_type_return_einval},
      {NULL, NULL}};
  if (pinn_test_add_suite("qn", cases)) return 1;
  return pinn_test_run_all();
}
