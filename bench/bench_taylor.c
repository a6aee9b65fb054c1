/* Benchmark: seconds per forward + adjoint evaluation of the Taylor engine
 * (pinn/taylor.h) on three loss terms, each loss = mean((D u - 1)^2):
 *   beam      D u = u'''' in 1-D, network [1, 20 x 3, 1] tanh, 1000 points
 *   plate     D u = Delta^2 u in 2-D (collapsed: 4 directions), [2, 30 x 3, 1] tanh, 2000 points
 *   poisson5d D u = Delta u in 5-D, [5, 30 x 3, 1] tanh, 2000 points: the
 *             collapsed Taylor Laplacian against the second-order engine of
 *             pinn/mlp.h carrying u_ii (1 + 5 + 5 channels) on the same network
 *   burgers   u_t + u u_x - (0.01/pi) u_xx on [2, 20 x 8, 1] tanh, 10000 points
 *             (bench_burgers' network): the Taylor engine against pinn/mlp.h
 * Usage: bench_taylor [--repeats R] [--threads N]   (OpenMP threads, default 1)
 * One line per case:
 * name, channels, median seconds per evaluation; timings only mean something
 * on a quiet machine.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <pinn/mlp.h>
#include <pinn/taylor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int threads = 1;

static pinn_mlp *make_net(size_t n_in, size_t width, unsigned long seed)
{
  size_t sizes[] = {n_in, width, width, width, 1};
  pinn_mlp_layout lay = {5, sizes, NULL, 0, NULL};
  pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  gsl_rng_free(r);
  pinn_mlp_set_threads(net, threads);
  return net;
}

static double *points(size_t n, size_t d)
{
  double *x = malloc(n * d * sizeof *x);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  for (size_t i = 0; i < n * d; ++i) x[i] = gsl_rng_uniform(r);
  gsl_rng_free(r);
  return x;
}

typedef struct {
  double inv_n;
  size_t n_ch, ch[8]; /* mlp: the channels summed into D u */
} loss_ctx;

/* Taylor: quantity 0 is D u. */
static int taylor_loss(size_t p0, size_t nb, size_t ld, const double *v, double *vb, double *acc,
                       void *vctx)
{
  (void)p0, (void)ld;
  const loss_ctx *c = vctx;
  for (size_t q = 0; q < nb; ++q) {
    double r = v[q] - 1.0;
    acc[0] += r * r * c->inv_n;
    vb[q] = 2.0 * r * c->inv_n;
  }
  return 0;
}

/* mlp: D u = sum of the listed channels. */
static int mlp_loss(size_t p0, size_t nb, size_t ld, const double *J, double *Jb, double *acc,
                    void *vctx)
{
  (void)p0;
  const loss_ctx *c = vctx;
  for (size_t q = 0; q < nb; ++q) {
    double s = -1.0;
    for (size_t k = 0; k < c->n_ch; ++k) s += J[c->ch[k] * ld + q];
    acc[0] += s * s * c->inv_n;
    for (size_t k = 0; k < c->n_ch; ++k) Jb[c->ch[k] * ld + q] = 2.0 * s * c->inv_n;
  }
  return 0;
}

/* Burgers residual; Taylor quantities u, u_x, u_t, u_xx in that order, or the
 * mlp channels cu[0..3] */
typedef struct {
  double inv_n;
  size_t cu[4];
} burgers_ctx;

static int burgers_loss(size_t p0, size_t nb, size_t ld, const double *v, double *vb, double *acc,
                        void *vctx)
{
  (void)p0;
  const burgers_ctx *c = vctx;
  const double nu = 0.01 / 3.14159265358979323846;
  const double *u = v + c->cu[0] * ld, *ux = v + c->cu[1] * ld, *ut = v + c->cu[2] * ld;
  const double *uxx = v + c->cu[3] * ld;
  for (size_t q = 0; q < nb; ++q) {
    double r = ut[q] + u[q] * ux[q] - nu * uxx[q], w = 2.0 * r * c->inv_n;
    acc[0] += r * r * c->inv_n;
    vb[c->cu[0] * ld + q] = w * ux[q];
    vb[c->cu[1] * ld + q] = w * u[q];
    vb[c->cu[2] * ld + q] = w;
    vb[c->cu[3] * ld + q] = -w * nu;
  }
  return 0;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* median seconds of `repeats` evaluations of the Taylor term (or of the
 * mlp term when spec is not NULL) */
static double time_eval_fn(pinn_taylor *t, const pinn_jet_spec *spec, pinn_mlp *net, size_t n,
                           const double *x, pinn_taylor_seed_fn fn, void *c, int repeats)
{
  size_t P = pinn_mlp_n_params(net);
  double *g = calloc(P, sizeof *g), loss = 0.0, *ts = malloc(repeats * sizeof *ts);
  for (int r = -2; r < repeats; ++r) {
    double t0 = now();
    int st = spec ? pinn_mlp_loss_grad(net, spec, n, x, fn, c, 1, &loss, g)
                  : pinn_taylor_loss_grad(t, net, n, x, fn, c, 1, &loss, g);
    double t1 = now();
    if (st) {
      fprintf(stderr, "bench_taylor: %s\n", spec ? pinn_mlp_errmsg(net) : pinn_taylor_errmsg(t));
      exit(1);
    }
    if (r >= 0) ts[r] = t1 - t0;
  }
  qsort(ts, (size_t)repeats, sizeof *ts, cmp_double);
  double med = ts[repeats / 2];
  free(ts);
  free(g);
  return med;
}

static double time_eval(pinn_taylor *t, const pinn_jet_spec *spec, pinn_mlp *net, size_t n,
                        const double *x, loss_ctx *c, int repeats)
{
  return time_eval_fn(t, spec, net, n, x, spec ? mlp_loss : taylor_loss, c, repeats);
}

int main(int argc, char **argv)
{
  int repeats = 21;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_taylor [--repeats R] [--threads N]\n");
      return 2;
    }
  }
  if (repeats < 1) repeats = 1;
  size_t C = 0;
  pinn_partial p;
  loss_ctx c = {0};

  /* beam */
  pinn_mlp *net = make_net(1, 20, 1);
  pinn_taylor *t = pinn_taylor_alloc(1, NULL);
  pinn_partial_parse("0000", &p, NULL);
  pinn_taylor_add_partial(t, &p);
  pinn_taylor_plan(t, &C, NULL, NULL);
  double *x = points(1000, 1);
  c.inv_n = 1.0 / 1000;
  printf("threads=%d\n", threads);
  printf("beam1d    u''''      [1,20x3,1]  1000 points  taylor %2zu channels  %.3e s/eval\n", C,
         time_eval(t, NULL, net, 1000, x, &c, repeats));
  free(x);
  pinn_taylor_free(t);
  pinn_mlp_free(net);

  /* plate */
  net = make_net(2, 30, 2);
  t = pinn_taylor_alloc(2, NULL);
  pinn_taylor_add_laplacian(t, 0x3, 2);
  pinn_taylor_plan(t, &C, NULL, NULL);
  x = points(2000, 2);
  c.inv_n = 1.0 / 2000;
  printf("plate2d   Delta^2 u  [2,30x3,1]  2000 points  taylor %2zu channels  %.3e s/eval\n", C,
         time_eval(t, NULL, net, 2000, x, &c, repeats));
  free(x);
  pinn_taylor_free(t);
  pinn_mlp_free(net);

  /* poisson5d: collapsed Taylor Laplacian vs the mlp engine's u_ii */
  net = make_net(5, 30, 3);
  t = pinn_taylor_alloc(5, NULL);
  pinn_taylor_add_laplacian(t, 0x1f, 1);
  pinn_taylor_plan(t, &C, NULL, NULL);
  x = points(2000, 5);
  printf("poisson5d Delta u    [5,30x3,1]  2000 points  taylor %2zu channels  %.3e s/eval\n", C,
         time_eval(t, NULL, net, 2000, x, &c, repeats));
  pinn_jet_spec spec = pinn_jet_spec_value();
  for (unsigned i = 0; i < 5; ++i) pinn_jet_spec_add_pair(&spec, i, i);
  c.n_ch = 5;
  for (unsigned i = 0; i < 5; ++i) c.ch[i] = (size_t)pinn_jet_spec_pair_channel(&spec, i, i);
  printf("poisson5d Delta u    [5,30x3,1]  2000 points  mlp    %2zu channels  %.3e s/eval\n",
         pinn_jet_spec_channels(&spec), time_eval(NULL, &spec, net, 2000, x, &c, repeats));
  free(x);
  pinn_taylor_free(t);
  pinn_mlp_free(net);

  /* burgers: orders <= 2, the Taylor engine against the second-order engine */
  {
    size_t sizes[10] = {2, 20, 20, 20, 20, 20, 20, 20, 20, 1};
    pinn_mlp_layout lay = {10, sizes, NULL, 0, NULL};
    net = pinn_mlp_alloc(&lay, NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4);
    pinn_mlp_init(net, PINN_INIT_XAVIER, r);
    gsl_rng_free(r);
    pinn_mlp_set_threads(net, threads);
  }
  t = pinn_taylor_alloc(2, NULL);
  const char *bq[4] = {"", "0", "1", "00"};
  for (int k = 0; k < 4; ++k) {
    pinn_partial_parse(bq[k], &p, NULL);
    pinn_taylor_add_partial(t, &p);
  }
  pinn_taylor_plan(t, &C, NULL, NULL);
  x = points(10000, 2);
  burgers_ctx bc = {1.0 / 10000, {0, 1, 2, 3}};
  printf("burgers   Burgers    [2,20x8,1] 10000 points  taylor %2zu channels  %.3e s/eval\n", C,
         time_eval_fn(t, NULL, net, 10000, x, burgers_loss, &bc, repeats));
  spec = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&spec, 1);
  pinn_jet_spec_add_pair(&spec, 0, 0);
  bc.cu[1] = (size_t)pinn_jet_spec_first_channel(&spec, 0);
  bc.cu[2] = (size_t)pinn_jet_spec_first_channel(&spec, 1);
  bc.cu[3] = (size_t)pinn_jet_spec_pair_channel(&spec, 0, 0);
  printf("burgers   Burgers    [2,20x8,1] 10000 points  mlp    %2zu channels  %.3e s/eval\n",
         pinn_jet_spec_channels(&spec), time_eval_fn(NULL, &spec, net, 10000, x, burgers_loss, &bc, repeats));
  free(x);
  pinn_taylor_free(t);
  pinn_mlp_free(net);
  return 0;
}
