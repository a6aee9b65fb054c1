/* libpinn internal — the wall clock of the time budgets and reports
 * (lib/train.c, lib/lsq.c).  Not installed. */
#ifndef PINN_CLOCK_IMPL_H
#define PINN_CLOCK_IMPL_H

#include <time.h>

/* Seconds of the wall clock (C11 timespec_get). */
static inline double pinn_now_seconds_(void)
{
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
