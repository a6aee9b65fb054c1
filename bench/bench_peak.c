/* Benchmark: the float64 FMA peak of one core (and of all cores with
 * OpenMP), so the jet engine's GFLOP/s can be read as a fraction of what the
 * machine can do.  Independent FMA chains on 512-bit GCC vectors (compiled
 * with -march=native; on CPUs with 256-bit FMA units the compiler splits
 * them).  Usage: bench_peak [--threads N].  Last line: peak_gflops=<x>. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef double v8d __attribute__((vector_size(64)));

static double run(long iters, double seed)
{
  v8d a0 = {seed, seed, seed, seed, seed, seed, seed, seed};
  v8d a1 = a0 * 1.1, a2 = a0 * 1.2, a3 = a0 * 1.3, a4 = a0 * 1.4, a5 = a0 * 1.5, a6 = a0 * 1.6,
      a7 = a0 * 1.7, a8 = a0 * 1.8, a9 = a0 * 1.9, a10 = a0 * 2.0, a11 = a0 * 2.1;
  const v8d m = a0 * 0.0 + 0.999999, c = a0 * 0.0 + 1e-7;
  for (long i = 0; i < iters; ++i) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
    a8 = a8 * m + c; a9 = a9 * m + c; a10 = a10 * m + c; a11 = a11 * m + c;
  }
  v8d s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  return s[0] + s[7];
}

int main(int argc, char **argv)
{
  int threads = 1;
  if (argc == 3 && !strcmp(argv[1], "--threads")) threads = atoi(argv[2]);
  else if (argc != 1) {
    fprintf(stderr, "usage: %s [--threads N]\n", argv[0]);
    return 2;
  }
  if (threads < 1) threads = 1;
  const long iters = 100000000;
  double best = 0, sink = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += run(iters, 1.0 + omp_get_thread_num());
    double t = omp_get_wtime() - t0;
    double gf = 2.0 * 8 * 12 * (double)iters * threads / t * 1e-9;
    if (gf > best) best = gf;
  }
  printf("threads=%d (sink %g)\n", threads, sink);
  printf("peak_gflops=%.1f\n", best);
  return 0;
}
