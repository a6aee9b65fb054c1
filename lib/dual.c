/* libpinn — dual numbers: the non-inline helpers (finiteness check of
 * residuals, formatting).  The arithmetic itself is static inline in
 * include/pinn/dual.h; see the comment at its top for the rules. */
#include <pinn/dual.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int pinn_dual_isfinite(const pinn_dual *a)
{
  /* |x| <= DBL_MAX is false exactly for Inf and NaN.  The loop runs over the
   * value and the tangent as one array from the struct's start (see the
   * implementation note in dual.h) and vectorises. */
  double x[PINN_DUAL_LEN_];
  memcpy(x, a, sizeof x);
  int bad = 0;
  for (int k = 0; k < PINN_DUAL_LEN_; ++k) bad |= !(fabs(x[k]) <= DBL_MAX);
  return !bad;
}

int pinn_dual_check(const pinn_dual *r, size_t n, pinn_error *err)
{
  for (size_t j = 0; j < n; ++j) {
    if (pinn_dual_isfinite(&r[j])) continue;
    if (!isfinite(r[j].v))
      return pinn_error_set(err, PINN_ENONFINITE,
                            "residual %zu of %zu has value %g: the residual formula hit a domain "
                            "error (log or sqrt of a negative number, division by zero, pow of a "
                            "negative base, overflow) or got a NaN input or an out-of-range "
                            "pd_var index; guard the formula or change the problem scaling",
                            j, n, r[j].v);
    int first = -1, count = 0;
    for (int k = 0; k < PINN_DUAL_MAX; ++k)
      if (!isfinite(r[j].d[k])) {
        if (first < 0) first = k;
        ++count;
      }
    return pinn_error_set(err, PINN_ENONFINITE,
                          "residual %zu of %zu has a finite value %g but derivative %g with "
                          "respect to entry %d (%d of %d entries non-finite): the formula is not differentiable there (sqrt, "
                          "fractional power or log at 0, or a division by ~0); use a smooth form "
                          "(e.g. pd_sq instead of pd_sqrt of a square) or shift the argument",
                          j, n, r[j].v, r[j].d[first], first, count, PINN_DUAL_MAX);
  }
  return PINN_SUCCESS;
}

char *pinn_dual_format(const pinn_dual *a, char *buf, size_t size)
{
  if (size == 0) return buf;
  size_t used = 0;
  int w = snprintf(buf, size, "%.17g", a->v);
  if (w < 0) {
    buf[0] = '\0';
    return buf;
  }
  used = (size_t)w;
  for (int k = 0; k < PINN_DUAL_MAX && used < size; ++k) {
    if (a->d[k] == 0.0) continue;
    w = snprintf(buf + used, size - used, " [%d]=%.17g", k, a->d[k]);
    if (w < 0) break;
    used += (size_t)w;
  }
  return buf;
}
