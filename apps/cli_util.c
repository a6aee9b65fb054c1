/* Shared helpers of the pinn command-line tool. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int pinn_cli_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "pinn %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

int pinn_cli_parse_double(const char *s, double lo, double hi, double *out)
{
  if (!s || !*s) return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*end || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int pinn_cli_parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
  if (!s || !*s || *s == '-' || *s == '+') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno || v < lo || v > hi) return -1;
  *out = (size_t)v;
  return 0;
}
