/* libpinn — status codes and error reporting.
 *
 * Every fallible function returns an int status: 0 (PINN_SUCCESS) on
 * success.  The codes below 100 are GSL's own (gsl_errno.h), so a GSL status
 * passes through unchanged; libpinn adds its own from 100 up.  Stateful
 * handles keep the message of their last failure (pinn_<handle>_errmsg);
 * allocators take an optional pinn_error to say why they returned NULL.
 * The library never prints and never aborts.
 */
#ifndef PINN_STATUS_H
#define PINN_STATUS_H

#include <stdarg.h>

/* The public headers wrap their declarations in PINN_BEGIN_DECLS and
 * PINN_END_DECLS: C linkage for C++, and with GCC or clang the default
 * visibility, so what include/pinn declares is what libpinn.so exports (the
 * build hides everything else). */
#ifdef __cplusplus
#define PINN_EXTERN_C_BEGIN_ extern "C" {
#define PINN_EXTERN_C_END_ }
#else
#define PINN_EXTERN_C_BEGIN_
#define PINN_EXTERN_C_END_
#endif
#if defined(__GNUC__)
#define PINN_BEGIN_DECLS PINN_EXTERN_C_BEGIN_ _Pragma("GCC visibility push(default)")
#define PINN_END_DECLS _Pragma("GCC visibility pop") PINN_EXTERN_C_END_
#else
#define PINN_BEGIN_DECLS PINN_EXTERN_C_BEGIN_
#define PINN_END_DECLS PINN_EXTERN_C_END_
#endif

PINN_BEGIN_DECLS

enum {
  PINN_SUCCESS = 0,
  PINN_FAILURE = -1,
  PINN_EDOM = 1,       /* input domain error (GSL_EDOM) */
  PINN_ERANGE = 2,     /* result out of range (GSL_ERANGE) */
  PINN_EINVAL = 4,     /* invalid argument supplied by the user (GSL_EINVAL) */
  PINN_EFAILED = 5,    /* generic failure (GSL_EFAILED) */
  PINN_ENOMEM = 8,     /* out of memory (GSL_ENOMEM) */
  PINN_EBADFUNC = 9,   /* a function returned Inf/NaN (GSL_EBADFUNC) */
  PINN_EMAXITER = 11,  /* iteration limit reached (GSL_EMAXITER) */
  PINN_ENOPROG = 27,   /* no progress possible (GSL_ENOPROG) */
  PINN_ECALLBACK = 100, /* a user callback returned nonzero */
  PINN_ENONFINITE = 101,/* a NaN or Inf appeared where it must not */
  PINN_EIO = 102,       /* a file could not be read or written */
  PINN_EFORMAT = 103,   /* a file is corrupt, truncated or not libpinn's */
  PINN_EINTERRUPT = 104,/* stopped by a signal or by a user hook */
  PINN_EUNSUPPORTED = 105 /* a combination libpinn refuses, with a reason */
};

/* Size of the message buffer kept by handles and by pinn_error. */
#define PINN_ERRMSG_SIZE 512

/* An error record: a status code and a sentence saying what to fix.
 * Allocators take a pointer to one (or NULL) and fill it when they fail. */
typedef struct pinn_error {
  int code;
  char msg[PINN_ERRMSG_SIZE];
} pinn_error;

/* Short text for a status code (never NULL; static storage). */
const char *pinn_strerror(int status);

/* Clear an error record (code 0, empty message).  NULL is accepted. */
void pinn_error_clear(pinn_error *err);

/* Fill err (if not NULL) with code and a printf-style message; returns code. */
int pinn_error_set(pinn_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* pinn_error_set with a va_list: the one formatting helper every handle's
 * error channel goes through (handles embed a pinn_error). */
int pinn_error_vset(pinn_error *err, int code, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/* Like pinn_error_set, but only when err holds no error yet (err->code == 0):
 * a sticky record keeps the first failure.  Returns code either way. */
int pinn_error_set_first(pinn_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The library's version string, e.g. "0.1.0". */
const char *pinn_version(void);

PINN_END_DECLS
#endif
