/* Benchmark: one loss-and-gradient evaluation of the Burgers PINN of Raissi
 * et al. 2019 — network [2, 20 x 8, 1] tanh; 10000 collocation points
 * carrying u, u_x, u_t, u_xx; 100 boundary/initial points carrying u;
 * loss = mean((u_t + u u_x - (0.01/pi) u_xx)^2) + mean((u - g)^2).
 *
 * Usage: bench_burgers [--threads N] [--repeats R] [--warmup W] [--points N]
 * Prints the achieved GFLOP/s (cost model of DESIGN.md: 6 * sum_l H_l H_{l-1}
 * * C * N floating-point operations per evaluation) and, as its last line,
 * s_per_eval=<median seconds>.
 */
#include <pinn/mlp.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <omp.h>

typedef struct {
  double inv_n, nu;
  int cx, ct, cxx;
} res_ctx;

static int residual(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                    void *vctx)
{
  (void)p0;
  const res_ctx *c = vctx;
  const double *u = J, *ux = J + c->cx * ld, *ut = J + c->ct * ld, *uxx = J + c->cxx * ld;
  double *bu = Jb, *bux = Jb + c->cx * ld, *but = Jb + c->ct * ld, *buxx = Jb + c->cxx * ld;
  double s = 0;
  for (size_t q = 0; q < nb; ++q) {
    double r = ut[q] + u[q] * ux[q] - c->nu * uxx[q];
    s += r * r;
    double w = 2 * r * c->inv_n;
    bu[q] = w * ux[q];
    bux[q] = w * u[q];
    but[q] = w;
    buxx[q] = -w * c->nu;
  }
  acc[0] += s * c->inv_n;
  return 0;
}

typedef struct {
  double inv_n;
  const double *g;
} bc_ctx;

static int boundary(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                    void *vctx)
{
  (void)ld;
  const bc_ctx *c = vctx;
  double s = 0;
  for (size_t q = 0; q < nb; ++q) {
    double e = J[q] - c->g[p0 + q];
    s += e * e;
    Jb[q] = 2 * e * c->inv_n;
  }
  acc[0] += s * c->inv_n;
  return 0;
}

int main(int argc, char **argv)
{
  int threads = 1, repeats = 30, warmup = 3;
  size_t npts = 10000;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--points") && i + 1 < argc) npts = (size_t)atol(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [--threads N] [--repeats R] [--warmup W] [--points N]\n", argv[0]);
      return 2;
    }
  }
  if (threads < 1 || repeats < 1 || warmup < 0 || npts < 1) {
    fprintf(stderr, "bench_burgers: threads, repeats and points must be positive\n");
    return 2;
  }

  size_t sizes[10] = {2, 20, 20, 20, 20, 20, 20, 20, 20, 1};
  pinn_mlp_layout lay = {10, sizes, NULL, 0, NULL};
  pinn_error err;
  pinn_mlp *net = pinn_mlp_alloc(&lay, &err);
  if (!net || pinn_mlp_set_threads(net, threads)) {
    fprintf(stderr, "bench_burgers: %s\n", net ? pinn_mlp_errmsg(net) : err.msg);
    return 1;
  }
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 1234);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);

  const size_t nb = 100;
  double *xc = malloc(2 * npts * sizeof *xc), *xb = malloc(2 * nb * sizeof *xb),
         *g = malloc(nb * sizeof *g);
  for (size_t p = 0; p < npts; ++p) {
    xc[2 * p] = -1 + 2 * gsl_rng_uniform(r);
    xc[2 * p + 1] = gsl_rng_uniform(r);
  }
  for (size_t p = 0; p < nb; ++p) {
    if (p < 50) { /* t = 0 */
      xb[2 * p] = -1 + 2 * gsl_rng_uniform(r);
      xb[2 * p + 1] = 0;
      g[p] = -sin(M_PI * xb[2 * p]);
    } else {
      xb[2 * p] = p < 75 ? -1.0 : 1.0;
      xb[2 * p + 1] = gsl_rng_uniform(r);
      g[p] = 0;
    }
  }
  pinn_jet_spec sc = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&sc, 1);
  pinn_jet_spec_add_pair(&sc, 0, 0);
  pinn_jet_spec sb = pinn_jet_spec_value();
  res_ctx rc = {1.0 / (double)npts, 0.01 / M_PI, pinn_jet_spec_first_channel(&sc, 0),
                pinn_jet_spec_first_channel(&sc, 1), pinn_jet_spec_pair_channel(&sc, 0, 0)};
  bc_ctx bc = {1.0 / (double)nb, g};

  const size_t P = pinn_mlp_n_params(net);
  double *grad = malloc(P * sizeof *grad), *times = malloc(repeats * sizeof *times), loss = 0;
  for (int it = 0; it < warmup + repeats; ++it) {
    double t0 = omp_get_wtime(), a, b;
    memset(grad, 0, P * sizeof *grad);
    int st = pinn_mlp_loss_grad(net, &sc, npts, xc, residual, &rc, 1, &a, grad);
    st |= pinn_mlp_loss_grad(net, &sb, nb, xb, boundary, &bc, 1, &b, grad);
    double t1 = omp_get_wtime();
    if (st) {
      fprintf(stderr, "bench_burgers: %s\n", pinn_mlp_errmsg(net));
      return 1;
    }
    loss = a + b;
    if (it >= warmup) times[it - warmup] = t1 - t0;
  }
  gsl_sort(times, 1, repeats);
  double med = repeats % 2 ? times[repeats / 2] : 0.5 * (times[repeats / 2 - 1] + times[repeats / 2]);
  double hh = 0;
  for (size_t l = 1; l < 10; ++l) hh += (double)(sizes[l] * sizes[l - 1]);
  double C = (double)pinn_jet_spec_channels(&sc);
  double flops = 6.0 * hh * (C * (double)npts + (double)nb);
  printf("threads=%d points=%zu params=%zu loss=%.6e\n", threads, npts, P, loss);
  printf("min=%.6f s median=%.6f s  model=%.3f GFLOP  GFLOP/s=%.2f\n", times[0], med, flops * 1e-9,
         flops / med * 1e-9);
  printf("s_per_eval=%.6g\n", med);
  free(xc); free(xb); free(g); free(grad); free(times);
  gsl_rng_free(r);
  pinn_mlp_free(net);
  return 0;
}
