/* libpinn — status codes and error records (see include/pinn/status.h). */
#include <pinn/status.h>

#include <stdarg.h>
#include <stdio.h>
#include <gsl/gsl_errno.h>

#ifndef PINN_VERSION_STRING
#define PINN_VERSION_STRING "unknown"
#endif

const char *pinn_strerror(int status)
{
  switch (status) {
  case PINN_SUCCESS: return "success";
  case PINN_ECALLBACK: return "a user callback reported failure";
  case PINN_ENONFINITE: return "a NaN or Inf value appeared";
  case PINN_EIO: return "input/output error";
  case PINN_EFORMAT: return "file is corrupt, truncated or not a libpinn file";
  case PINN_EINTERRUPT: return "interrupted";
  case PINN_EUNSUPPORTED: return "unsupported combination";
  default: return gsl_strerror(status);
  }
}

void pinn_error_clear(pinn_error *err)
{
  if (err) {
    err->code = 0;
    err->msg[0] = '\0';
  }
}

int pinn_error_vset(pinn_error *err, int code, const char *fmt, va_list ap)
{
  if (err) {
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    err->code = code;
  }
  return code;
}

int pinn_error_set(pinn_error *err, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  pinn_error_vset(err, code, fmt, ap);
  va_end(ap);
  return code;
}

int pinn_error_set_first(pinn_error *err, int code, const char *fmt, ...)
{
  if (err && !err->code) {
    va_list ap;
    va_start(ap, fmt);
    pinn_error_vset(err, code, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *pinn_version(void) { return PINN_VERSION_STRING; }
