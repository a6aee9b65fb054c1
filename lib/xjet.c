/* libpinn — second-order jets of the point: the non-inline helpers
 * (finiteness check, formatting).  The arithmetic itself is static inline in
 * include/pinn/xjet.h; see the comment at its top for the rules. */
#include <pinn/xjet.h>

#include <float.h>
#include <math.h>
#include <stdio.h>

static size_t clamp_dim(size_t dim) { return dim > PINN_XJET_MAX ? PINN_XJET_MAX : dim; }

int pinn_xjet_isfinite(const pinn_xjet *a, size_t dim)
{
  dim = clamp_dim(dim);
  /* |x| <= DBL_MAX is false exactly for Inf and NaN. */
  int bad = !(fabs(a->v) <= DBL_MAX);
  for (size_t i = 0; i < dim; ++i) {
    bad |= !(fabs(a->g[i]) <= DBL_MAX);
    for (size_t j = 0; j < dim; ++j) bad |= !(fabs(a->h[i][j]) <= DBL_MAX);
  }
  return !bad;
}

/* Append the number x (with a leading space when sep) to buf at *used
 * (snprintf semantics; stops quietly when full). */
static void put(char *buf, size_t size, size_t *used, int sep, double x)
{
  if (*used >= size) return;
  int w = snprintf(buf + *used, size - *used, sep ? " %.17g" : "%.17g", x);
  if (w > 0) *used += (size_t)w;
}

/* Append the text s to buf at *used. */
static void puts_(char *buf, size_t size, size_t *used, const char *s)
{
  if (*used >= size) return;
  int w = snprintf(buf + *used, size - *used, "%s", s);
  if (w > 0) *used += (size_t)w;
}

char *pinn_xjet_format(const pinn_xjet *a, size_t dim, char *buf, size_t size)
{
  if (size == 0) return buf;
  dim = clamp_dim(dim);
  size_t used = 0;
  buf[0] = '\0';
  put(buf, size, &used, 0, a->v);
  puts_(buf, size, &used, " g=[");
  for (size_t i = 0; i < dim; ++i) put(buf, size, &used, i > 0, a->g[i]);
  puts_(buf, size, &used, "] h=[");
  for (size_t i = 0; i < dim; ++i) {
    puts_(buf, size, &used, i ? " [" : "[");
    for (size_t j = 0; j < dim; ++j) put(buf, size, &used, j > 0, a->h[i][j]);
    puts_(buf, size, &used, "]");
  }
  puts_(buf, size, &used, "]");
  return buf;
}
