/* libpinn — internal: printf-style appending to a text buffer, shared by
 * output.c, xdmf.c and diagnostics.c, and the lookup of enum names (never
 * installed). */
#ifndef PINN_TEXT_IMPL_H
#define PINN_TEXT_IMPL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index of text in names[0..n-1], or -1 (also for NULL text): the parsers
 * of the library's enum names (optimizers, loss transforms, LM methods,
 * initialisations, loss balancing). */
static inline int pinn_name_index_(const char *const *names, size_t n, const char *text)
{
  for (size_t k = 0; text && k < n; ++k)
    if (strcmp(text, names[k]) == 0) return (int)k;
  return -1;
}

/* Either the caller's buffer (grow 0: buf of size >= 1 bytes; text that does
 * not fit is cut and full is set) or a growing one (grow 1: buf NULL and size
 * 0 at first, realloc'd as needed, full set when memory runs out; the caller
 * frees buf).  buf stays NUL-terminated once something was appended. */
typedef struct pinn_text {
  char *buf;
  size_t size, used;
  int grow, full;
} pinn_text;

static inline void pinn_text_put(pinn_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Append printf(fmt, ...) to t; nothing once t is full. */
static inline void pinn_text_put(pinn_text *t, const char *fmt, ...)
{
  while (!t->full) {
    size_t room = t->size - t->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf ? t->buf + t->used : NULL, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < room) {
      t->used += (size_t)n;
      return;
    }
    size_t cap = t->size ? t->size : 4096;
    while (n >= 0 && cap < t->used + (size_t)n + 1) cap *= 2;
    char *p = n >= 0 && t->grow ? realloc(t->buf, cap) : NULL;
    if (p) {
      t->buf = p;
      t->size = cap;
    } else {
      t->full = 1;
      if (t->size) t->used = t->size - 1;
    }
  }
}

#endif
