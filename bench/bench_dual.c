/* Benchmark: cost per point of a residual callback written with pinn_dual.
 *
 * For N points it does what the loss assembler does per point: set the jet
 * entries as duals (seeded once with pd_var and only the value updated, or
 * rebuilt with pd_var per point), call the residual through a function
 * pointer (as the library does; the callback cannot be inlined into the
 * loop), optionally check it (pinn_dual_check), and accumulate the loss sum
 * r^2 and the per-entry adjoint 2 r dr/d(entry).  Residuals timed:
 *   burgers      r = u_t + u u_x - nu u_xx            (4 entries)
 *   allen_cahn   r = u_t - eps u_xx + 5 (u^3 - u)       (3 entries)
 *   transcend.   r = exp(u) sin(u_x) - u_t / (1 + u^2)  (3 entries)
 * and, as the floor, Burgers with its derivatives written by hand on doubles.
 *
 * Usage: bench_dual [N [reps]]   (default 10000 points, 200 repetitions;
 * the minimum over repetitions is reported).
 */
#define _POSIX_C_SOURCE 199309L
#include <pinn/dual.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*residual_fn)(const double *x, const pinn_dual *in, pinn_dual *r, void *ctx);

static int burgers(const double *x, const pinn_dual *in, pinn_dual *r, void *ctx)
{
  (void)x;
  double nu = *(const double *)ctx;
  pinn_dual u = in[0], ux = in[1], ut = in[2], uxx = in[3];
  r[0] = pd_sub(pd_add(ut, pd_mul(u, ux)), pd_scale(uxx, nu));
  return 0;
}

static int allen_cahn(const double *x, const pinn_dual *in, pinn_dual *r, void *ctx)
{
  (void)x;
  double eps = *(const double *)ctx;
  pinn_dual u = in[0], ut = in[1], uxx = in[2];
  r[0] = pd_add(pd_sub(ut, pd_scale(uxx, eps)), pd_scale(pd_sub(pd_powi(u, 3), u), 5.0));
  return 0;
}

static int transcendental(const double *x, const pinn_dual *in, pinn_dual *r, void *ctx)
{
  (void)x;
  (void)ctx;
  pinn_dual u = in[0], ux = in[1], ut = in[2];
  r[0] = pd_sub(pd_mul(pd_exp(u), pd_sin(ux)), pd_div(ut, pd_addc(pd_sq(u), 1.0)));
  return 0;
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One pass of the loss-assembler loop; entries[k][p] is jet entry k at point
 * p.  reseed: build every input with pd_var per point; otherwise the inputs
 * are seeded once and only their values change.  check: pinn_dual_check on
 * every residual. */
static int pass(residual_fn f, void *ctx, int nent, double *const *entries, size_t n, double *adj,
                double *loss, int reseed, int check)
{
  double acc = 0.0;
  pinn_dual in[8], r;
  for (int k = 0; k < nent; ++k) in[k] = pd_var(0.0, k);
  for (size_t p = 0; p < n; ++p) {
    if (reseed)
      for (int k = 0; k < nent; ++k) in[k] = pd_var(entries[k][p], k);
    else
      for (int k = 0; k < nent; ++k) in[k].v = entries[k][p];
    if (f(NULL, in, &r, ctx)) return 1;
    if (check && pinn_dual_check(&r, 1, NULL)) return 2;
    acc += r.v * r.v;
    for (int k = 0; k < nent; ++k) adj[(size_t)k * n + p] = 2.0 * r.v * r.d[k];
  }
  *loss = acc;
  return 0;
}

/* Burgers by hand on doubles (the floor). */
static void pass_by_hand(double nu, double *const *e, size_t n, double *adj, double *loss)
{
  double acc = 0.0;
  for (size_t p = 0; p < n; ++p) {
    double u = e[0][p], ux = e[1][p], ut = e[2][p], uxx = e[3][p];
    double r = ut + u * ux - nu * uxx, g = 2.0 * r;
    acc += r * r;
    adj[p] = g * ux;
    adj[n + p] = g * u;
    adj[2 * n + p] = g;
    adj[3 * n + p] = -g * nu;
  }
  *loss = acc;
}

int main(int argc, char **argv)
{
  size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 10000;
  int reps = argc > 2 ? atoi(argv[2]) : 200;
  if (n == 0 || reps <= 0) {
    fprintf(stderr, "usage: bench_dual [N>0 [reps>0]]\n");
    return 1;
  }
  double *e[4], *adj = malloc(4 * n * sizeof *adj);
  if (!adj) return 1;
  unsigned s = 12345u;
  for (int k = 0; k < 4; ++k) {
    e[k] = malloc(n * sizeof *e[k]);
    if (!e[k]) return 1;
    for (size_t p = 0; p < n; ++p) {
      s = s * 1664525u + 1013904223u;
      e[k][p] = 2.0 * (s / 4294967296.0) - 1.0;
    }
  }
  double nu = 0.01 / 3.14159265358979323846, eps = 1e-4;
  struct {
    const char *name;
    residual_fn f;
    void *ctx;
    int nent;
  } cases[] = {{"burgers (duals)", burgers, &nu, 4},
               {"allen_cahn (duals)", allen_cahn, &eps, 3},
               {"exp*sin - u_t/(1+u^2) (duals)", transcendental, NULL, 3}};
  printf("N = %zu points, min over %d repetitions, sizeof(pinn_dual) = %zu bytes\n", n, reps,
         sizeof(pinn_dual));
  printf("%-32s %22s %22s %22s\n", "ns per point (ms per pass)", "seeded once", "pd_var per point",
         "seeded once + check");
  double check = 0.0, hand_loss = 0.0, dual_loss = 0.0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    printf("%-32s", cases[c].name);
    static const int modes[3][2] = {{0, 0}, {1, 0}, {0, 1}};
    for (int m = 0; m < 3; ++m) {
      double best = 1e300, loss = 0.0;
      for (int r = 0; r < reps; ++r) {
        double t0 = now();
        if (pass(cases[c].f, cases[c].ctx, cases[c].nent, e, n, adj, &loss, modes[m][0],
                 modes[m][1])) {
          fprintf(stderr, "%s: non-finite residual\n", cases[c].name);
          return 1;
        }
        double t = now() - t0;
        if (t < best) best = t;
      }
      if (c == 0) dual_loss = loss;
      check += loss + adj[n / 2];
      printf(" %11.1f (%7.3f ms)", 1e9 * best / (double)n, 1e3 * best);
    }
    printf("\n");
  }
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    double t0 = now();
    pass_by_hand(nu, e, n, adj, &hand_loss);
    double t = now() - t0;
    if (t < best) best = t;
  }
  check += hand_loss;
  printf("%-32s %11.1f (%7.3f ms)\n", "burgers (by hand, doubles)", 1e9 * best / (double)n,
         1e3 * best);
  printf("loss by duals %.17g, by hand %.17g (checksum %g)\n", dual_loss, hand_loss, check);
  for (int k = 0; k < 4; ++k) free(e[k]);
  free(adj);
  return 0;
}
