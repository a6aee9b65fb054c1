/*
 * make_cavity_ref.c -- reference solution of the steady lid-driven cavity (the benchmark of Ghia,
 * Ghia & Shin 1982, J. Comput. Phys. 48, 387-411):
 *
 *     (u.grad) u + grad p = (1/Re) lap u,   div u = 0   in (0,1)^2,
 *     u = (1, 0) on the lid y = 1 (the plain lid of Ghia, singular at the two top corners),
 *     u = (0, 0) on the other three walls.
 *
 * Method: streamfunction-vorticity form, u = psi_y, v = -psi_x, w = v_x - u_y:
 *
 *     lap psi = -w,   u w_x + v w_y = (1/Re) lap w,   psi = 0 on the boundary,
 *
 * on the uniform grid of (N+1) x (N+1) nodes, h = 1/N, with second-order central differences
 * everywhere and Thom's wall vorticity (w_wall = -2 psi_1 / h^2, minus 2/h on the lid; psi_1 the
 * value one node inside; first order locally, second order in the solution).  Marched to the steady
 * state in pseudo-time, one outer iteration being
 *   1. wall vorticity from psi (Thom);
 *   2. residual R = (1/Re) lap w - u w_x - v w_y (central, u and v central differences of psi);
 *   3. w += dw, (I - dt A_x)(I - dt A_y) dw = dt R: ADI in delta form (approximate factorisation,
 *      Beam & Warming 1978) with first-order upwind convection in the implicit operators A_x, A_y
 *      (diagonally dominant tridiagonal systems; the steady state is that of the central R:
 *      deferred correction, Khosla & Rubin 1974);
 *   4. psi from lap psi = -w exactly (2-D discrete sine transform by GSL's real FFT).
 * Stops when max |R| < 1e-9 (R is the steady residual of the discrete vorticity equation).
 * Grid sequencing: the run goes through N/4, N/2 and N (each level started from the bilinear
 * interpolant of the previous one), and the centre-line values of the three grids at Ghia's
 * points are printed side by side with Ghia's (Table I: u on x = 1/2; Table II: v on y = 1/2) as
 * the grid-convergence evidence.  Ghia's points are the nodes j/128 of their 129 x 129 grid: they
 * are nodes of ours when 128 divides N, else the value comes from the cubic through the four
 * nearest nodes on the centre line.
 *
 * Fields on each grid: u, v at all nodes (u = psi_y, v = -psi_x by central differences inside;
 * the boundary values exactly: u = 1 on the whole row y = 1 including its two end points, zero
 * elsewhere), and p by least squares: the momentum equations ask for grad p = G,
 *     G = -(u.grad)u + (1/Re) lap u = -(u.grad)u + (1/Re) (-w_y, w_x),
 * evaluated at every node (central differences of u, v, w inside; on a wall (u.grad)u = 0 and the
 * derivative across the wall is one-sided); p minimises the sum over the grid edges of
 * (p_b - p_a - h G_ab)^2, G_ab the mean of the two nodes' G along the edge, i.e. solves the graph
 * Laplacian (a Neumann Poisson problem, compatible by construction) by conjugate gradients; gauge
 * p(1/2, 1/2) = 0.  (A pressure Poisson equation with the wall Neumann data was tried first: the
 * lid corners, where w ~ 1/r and the wall data ~ 1/r^2, make the discrete Neumann problem grossly
 * incompatible, and dropping the constant mode spread the corners' error over the whole cavity.)
 * p is singular at the two lid corners (~ 1/r): values within a few cells of them depend on h.
 *
 * Output: /u, /v, /p on the N/2 grid's nodes are the Richardson extrapolation (4 f_N - f_N/2) / 3
 * of the two finest grids (second-order scheme: the h^2 terms cancel); /u_fine, /v_fine, /p_fine
 * are the N grid itself (its velocities divergence-free to rounding under central differences).
 * Printed: the centre lines of all grids and the extrapolation next to Ghia's values and, at
 * Re = 1000, next to the spectral values of Botella & Peyret (1998, Comput. Fluids 27, 421-433);
 * the whole-field differences between the grids and between the two Richardson fields (coarse and
 * fine pair); the same numbers are stored as root attributes (data/README.md).
 *
 * Usage:  make_cavity_ref RE N OUT.h5      (N: cells per side, a multiple of 8, >= 32)
 * The coarsest level N/4 must resolve the flow enough for central differences to have a steady
 * state the iteration reaches: at Re = 1000 the 17 x 17 grid (N = 64) does not converge, the
 * 33 x 33 grid does; N = 256 (levels 65, 129, 257) is what made the stored files.
 *
 * Build and run (from the repository root; standalone, not built by CMake; needs libgsl-dev and
 * libhdf5-dev):
 *
 *     cc -std=c11 -O2 -Wall -Wextra -Wpedantic data/make_cavity_ref.c -o /tmp/mkcav \
 *        $(pkg-config --cflags --libs gsl) -I/usr/include/hdf5/serial \
 *        -lhdf5_serial_hl -lhdf5_serial -lm
 *     /tmp/mkcav 100 256 data/cavity2d_ref_re100.h5
 *     /tmp/mkcav 1000 256 data/cavity2d_ref_re1000.h5
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fft_real.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#define TOL 1e-9     /* stop when max |R| < TOL */
#define MAXIT 100000 /* give up after this many outer iterations */
/* Ghia, Ghia & Shin's and Botella & Peyret's centre lines (one copy, shared with the cavity2d
 * problem and tests/test_reference.c). */
#include "../problems/cavity_tables.h"
#define NGHIA PINN_GHIA_POINTS

/* One grid: (n+1)^2 nodes, index j*(n+1)+i, x = i h, y = j h. */
typedef struct {
  int n;
  double h, re;
  double *psi, *w, *dw, *r;
  double *fft;                               /* 2n doubles: FFT buffer */
  double *line_a, *line_b, *line_c, *line_d; /* tridiagonal, n+1 each */
  gsl_fft_real_wavetable *wt;
  gsl_fft_real_workspace *ws;
  long iterations;
} grid;

#define AT(g, i, j) ((size_t)(j) * (size_t)((g)->n + 1) + (size_t)(i))

static int grid_alloc(grid *g, int n, double re)
{
  const size_t m = (size_t)(n + 1) * (size_t)(n + 1);
  memset(g, 0, sizeof *g);
  g->n = n;
  g->h = 1.0 / n;
  g->re = re;
  g->psi = calloc(m, sizeof(double));
  g->w = calloc(m, sizeof(double));
  g->dw = calloc(m, sizeof(double));
  g->r = calloc(m, sizeof(double));
  g->fft = calloc(2 * (size_t)n, sizeof(double));
  g->line_a = calloc((size_t)n + 1, sizeof(double));
  g->line_b = calloc((size_t)n + 1, sizeof(double));
  g->line_c = calloc((size_t)n + 1, sizeof(double));
  g->line_d = calloc((size_t)n + 1, sizeof(double));
  g->wt = gsl_fft_real_wavetable_alloc(2 * (size_t)n);
  g->ws = gsl_fft_real_workspace_alloc(2 * (size_t)n);
  return g->psi && g->w && g->dw && g->r && g->fft && g->line_a && g->line_b && g->line_c &&
                 g->line_d && g->wt && g->ws
             ? 0
             : -1;
}

static void grid_free(grid *g)
{
  free(g->psi);
  free(g->w);
  free(g->dw);
  free(g->r);
  free(g->fft);
  free(g->line_a);
  free(g->line_b);
  free(g->line_c);
  free(g->line_d);
  gsl_fft_real_wavetable_free(g->wt);
  gsl_fft_real_workspace_free(g->ws);
}

/* In place on f[0], f[s], ..., f[n s] (n+1 values; f[0] and f[n s] ignored and left 0):
 * S_k = sum_{j=1}^{n-1} f_j sin(pi j k / n), k = 1..n-1 (DST-I), by a real FFT of the odd
 * extension of length 2n (GSL halfcomplex: Im_k at [2k]). */
static void dst1(grid *g, double *f, size_t s)
{
  const int n = g->n;
  double *a = g->fft;
  a[0] = a[n] = 0;
  for (int j = 1; j < n; j++) {
    a[j] = f[(size_t)j * s];
    a[2 * n - j] = -f[(size_t)j * s];
  }
  gsl_fft_real_transform(a, 1, 2 * (size_t)n, g->wt, g->ws);
  f[0] = f[(size_t)n * s] = 0;
  for (int k = 1; k < n; k++) f[(size_t)k * s] = -0.5 * a[2 * k];
}

/* psi from lap_h psi = -w (5-point, interior nodes), psi = 0 on the boundary. */
static void poisson_psi(grid *g)
{
  const int n = g->n;
  const size_t n1 = (size_t)n + 1;
  double *q = g->psi;
  for (int j = 0; j <= n; j++)
    for (int i = 0; i <= n; i++)
      q[AT(g, i, j)] = (i == 0 || j == 0 || i == n || j == n) ? 0 : -g->w[AT(g, i, j)];
  for (int j = 1; j < n; j++) dst1(g, q + AT(g, 0, j), 1);
  for (int i = 1; i < n; i++) dst1(g, q + AT(g, i, 0), n1);
  /* eigenvalues of the 1-D operator: -(4/h^2) sin^2(pi k / 2n); inverse DST-I = (2/n) DST-I */
  const double scale = (2.0 / n) * (2.0 / n);
  for (int l = 1; l < n; l++) {
    const double sl = sin(M_PI * l / (2.0 * n));
    for (int k = 1; k < n; k++) {
      const double sk = sin(M_PI * k / (2.0 * n));
      q[AT(g, k, l)] *= scale / (-4.0 * n * n * (sk * sk + sl * sl));
    }
  }
  for (int j = 1; j < n; j++) dst1(g, q + AT(g, 0, j), 1);
  for (int i = 1; i < n; i++) dst1(g, q + AT(g, i, 0), n1);
}

/* Thom's wall vorticity from psi (corners: mean of the two neighbouring wall values). */
static void wall_vorticity(grid *g)
{
  const int n = g->n;
  const double h2 = g->h * g->h;
  for (int k = 1; k < n; k++) {
    g->w[AT(g, k, 0)] = -2 * g->psi[AT(g, k, 1)] / h2;
    g->w[AT(g, k, n)] = -2 * g->psi[AT(g, k, n - 1)] / h2 - 2 / g->h;
    g->w[AT(g, 0, k)] = -2 * g->psi[AT(g, 1, k)] / h2;
    g->w[AT(g, n, k)] = -2 * g->psi[AT(g, n - 1, k)] / h2;
  }
  g->w[AT(g, 0, 0)] = 0.5 * (g->w[AT(g, 1, 0)] + g->w[AT(g, 0, 1)]);
  g->w[AT(g, n, 0)] = 0.5 * (g->w[AT(g, n - 1, 0)] + g->w[AT(g, n, 1)]);
  g->w[AT(g, 0, n)] = 0.5 * (g->w[AT(g, 1, n)] + g->w[AT(g, 0, n - 1)]);
  g->w[AT(g, n, n)] = 0.5 * (g->w[AT(g, n - 1, n)] + g->w[AT(g, n, n - 1)]);
}

/* R = (1/Re) lap w - u w_x - v w_y at interior nodes; returns max |R|. */
static double residual(grid *g)
{
  const int n = g->n;
  const double h = g->h, nu = 1.0 / g->re;
  double rmax = 0;
  for (int j = 1; j < n; j++)
    for (int i = 1; i < n; i++) {
      const size_t c = AT(g, i, j), e = c + 1, wst = c - 1, no = c + (size_t)n + 1,
                   so = c - (size_t)n - 1;
      const double u = (g->psi[no] - g->psi[so]) / (2 * h);
      const double v = -(g->psi[e] - g->psi[wst]) / (2 * h);
      const double lap = (g->w[e] + g->w[wst] + g->w[no] + g->w[so] - 4 * g->w[c]) / (h * h);
      const double r =
          nu * lap - u * (g->w[e] - g->w[wst]) / (2 * h) - v * (g->w[no] - g->w[so]) / (2 * h);
      g->r[c] = r;
      if (fabs(r) > rmax) rmax = fabs(r);
    }
  return rmax;
}

/* Solve the tridiagonal system a_k x_{k-1} + b_k x_k + c_k x_{k+1} = d_k, k = 1..m-1 (x_0 =
 * x_m = 0), in place in d (Thomas; the systems here are diagonally dominant). */
static void thomas(double *a, double *b, double *c, double *d, int m)
{
  for (int k = 2; k < m; k++) {
    const double f = a[k] / b[k - 1];
    b[k] -= f * c[k - 1];
    d[k] -= f * d[k - 1];
  }
  d[m - 1] /= b[m - 1];
  for (int k = m - 2; k >= 1; k--) d[k] = (d[k] - c[k] * d[k + 1]) / b[k];
}

/* One ADI step in delta form: (I - dt Ax)(I - dt Ay) dw = dt R, upwind convection in Ax, Ay. */
static void adi(grid *g, double dt)
{
  const int n = g->n;
  const double h = g->h, nu = 1.0 / g->re;
  const double dif = dt * nu / (h * h);
  double *a = g->line_a, *b = g->line_b, *c = g->line_c, *d = g->line_d;
  for (int j = 1; j < n; j++) { /* x lines */
    for (int i = 1; i < n; i++) {
      const size_t k = AT(g, i, j);
      const double u = (g->psi[k + (size_t)n + 1] - g->psi[k - (size_t)n - 1]) / (2 * h);
      const double cp = dt * fmax(u, 0) / h, cm = dt * fmax(-u, 0) / h;
      a[i] = -dif - cp;
      b[i] = 1 + 2 * dif + cp + cm;
      c[i] = -dif - cm;
      d[i] = dt * g->r[k];
    }
    thomas(a, b, c, d, n);
    for (int i = 1; i < n; i++) g->dw[AT(g, i, j)] = d[i];
  }
  for (int i = 1; i < n; i++) { /* y lines */
    for (int j = 1; j < n; j++) {
      const size_t k = AT(g, i, j);
      const double v = -(g->psi[k + 1] - g->psi[k - 1]) / (2 * h);
      const double cp = dt * fmax(v, 0) / h, cm = dt * fmax(-v, 0) / h;
      a[j] = -dif - cp;
      b[j] = 1 + 2 * dif + cp + cm;
      c[j] = -dif - cm;
      d[j] = g->dw[k];
    }
    thomas(a, b, c, d, n);
    for (int j = 1; j < n; j++) g->w[AT(g, i, j)] += d[j];
  }
}

/* March g to the steady state; returns the final max |R| (TOL or below on success). */
static double solve(grid *g, double dt)
{
  double rmax = INFINITY;
  for (g->iterations = 0; g->iterations < MAXIT; g->iterations++) {
    wall_vorticity(g);
    rmax = residual(g);
    if (!isfinite(rmax) || rmax < TOL) break;
    adi(g, dt);
    poisson_psi(g);
  }
  wall_vorticity(g);
  return rmax;
}

/* Fine grid f from coarse c (n_f = 2 n_c) by bilinear interpolation of psi and w. */
static void prolong(const grid *c, grid *f)
{
  for (int j = 0; j <= f->n; j++)
    for (int i = 0; i <= f->n; i++) {
      const int i0 = i / 2, j0 = j / 2, i1 = (i + 1) / 2, j1 = (j + 1) / 2;
      f->psi[AT(f, i, j)] = 0.25 * (c->psi[AT(c, i0, j0)] + c->psi[AT(c, i1, j0)] +
                                    c->psi[AT(c, i0, j1)] + c->psi[AT(c, i1, j1)]);
      f->w[AT(f, i, j)] = 0.25 * (c->w[AT(c, i0, j0)] + c->w[AT(c, i1, j0)] + c->w[AT(c, i0, j1)] +
                                  c->w[AT(c, i1, j1)]);
    }
}

/* Velocities at all nodes: central differences of psi inside, exact boundary values. */
static void velocities(const grid *g, double *u, double *v)
{
  const int n = g->n;
  for (int j = 0; j <= n; j++)
    for (int i = 0; i <= n; i++) {
      const size_t k = AT(g, i, j);
      if (j == n) {
        u[k] = 1, v[k] = 0;
      } else if (i == 0 || j == 0 || i == n) {
        u[k] = 0, v[k] = 0;
      } else {
        u[k] = (g->psi[k + (size_t)n + 1] - g->psi[k - (size_t)n - 1]) / (2 * g->h);
        v[k] = -(g->psi[k + 1] - g->psi[k - 1]) / (2 * g->h);
      }
    }
}

/* Value at t in [0,1] of samples f[0], f[s], ..., f[n s] at t = k/n: the node if t is one, else the
 * cubic through the four nearest nodes. */
static double line_value(const double *f, size_t s, int n, double t)
{
  const double pos = t * n;
  const int k = (int)floor(pos + 0.5);
  if (fabs(pos - k) < 1e-9) return f[(size_t)k * s];
  int k0 = (int)floor(pos) - 1;
  if (k0 < 0) k0 = 0;
  if (k0 > n - 3) k0 = n - 3;
  double sum = 0;
  for (int a = 0; a < 4; a++) {
    double l = 1;
    for (int b = 0; b < 4; b++)
      if (b != a) l *= (pos - (k0 + b)) / (double)(a - b);
    sum += l * f[(size_t)(k0 + a) * s];
  }
  return sum;
}

/* Centre-line values at Ghia's points: cu[k] = u(1/2, y_k), cv[k] = v(x_k, 1/2). */
static void centre_lines(const grid *g, const double *u, const double *v, double *cu, double *cv)
{
  const int n = g->n;
  for (int k = 0; k < NGHIA; k++) {
    cu[k] = line_value(u + AT(g, n / 2, 0), (size_t)n + 1, n, (pinn_ghia_j[k] - 1) / 128.0);
    cv[k] = line_value(v + AT(g, 0, n / 2), 1, n, (pinn_ghia_i[k] - 1) / 128.0);
  }
}

/* The pressure gradient the momentum equations ask for at node (i,j): G = -(u.grad)u + (1/Re) lap u
 * with lap u = -w_y, lap v = w_x (lap psi = -w).  Interior nodes: central differences of u, v
 * and w.  Wall nodes: (u.grad)u = 0 there, and a derivative along the wall is central, one across
 * it one-sided (second order, three nodes). */
static double diff(const grid *g, const double *f, int i, int j, int dir)
{
  const int n = g->n;
  const double h = g->h;
  const int k = dir == 0 ? i : j;
  const size_t s = dir == 0 ? 1 : (size_t)n + 1, c = AT(g, i, j);
  if (k == 0) return (-3 * f[c] + 4 * f[c + s] - f[c + 2 * s]) / (2 * h);
  if (k == n) return (3 * f[c] - 4 * f[c - s] + f[c - 2 * s]) / (2 * h);
  return (f[c + s] - f[c - s]) / (2 * h);
}

static void pressure_gradient(const grid *g, const double *u, const double *v, int i, int j,
                              double *gx, double *gy)
{
  const double nu = 1.0 / g->re;
  const size_t c = AT(g, i, j);
  *gx = -(u[c] * diff(g, u, i, j, 0) + v[c] * diff(g, u, i, j, 1)) - nu * diff(g, g->w, i, j, 1);
  *gy = -(u[c] * diff(g, v, i, j, 0) + v[c] * diff(g, v, i, j, 1)) + nu * diff(g, g->w, i, j, 0);
}

/* (A p)_i = sum over the grid neighbours j of (p_i - p_j): the graph Laplacian of the grid. */
static void graph_laplacian(int n, const double *p, double *ap)
{
  const size_t n1 = (size_t)n + 1;
  for (int j = 0; j <= n; j++)
    for (int i = 0; i <= n; i++) {
      const size_t c = (size_t)j * n1 + (size_t)i;
      double s = 0;
      if (i > 0) s += p[c] - p[c - 1];
      if (i < n) s += p[c] - p[c + 1];
      if (j > 0) s += p[c] - p[c - n1];
      if (j < n) s += p[c] - p[c + n1];
      ap[c] = s;
    }
}

/* Pressure by least squares: p minimises sum over grid edges (p_b - p_a - h G_ab)^2, G_ab the
 * mean of the two nodes' G (pressure_gradient) along the edge; the normal equations A p = b (A the
 * graph Laplacian, b compatible by construction) solved by conjugate gradients to ||r|| <=
 * 1e-12 ||b||; gauge p(1/2,1/2) = 0.  Returns the CG iterations, or -1. */
static int pressure(const grid *g, const double *u, const double *v, double *p)
{
  const int n = g->n;
  const size_t n1 = (size_t)n + 1, m = n1 * n1;
  const double h = g->h;
  double *gx = malloc(m * sizeof(double)), *gy = malloc(m * sizeof(double));
  double *b = malloc(m * sizeof(double)), *r = malloc(m * sizeof(double));
  double *d = malloc(m * sizeof(double)), *ad = malloc(m * sizeof(double));
  int it = -1;
  if (!gx || !gy || !b || !r || !d || !ad) goto done;
  for (int j = 0; j <= n; j++)
    for (int i = 0; i <= n; i++)
      pressure_gradient(g, u, v, i, j, &gx[AT(g, i, j)], &gy[AT(g, i, j)]);
  for (size_t k = 0; k < m; k++) b[k] = 0;
  for (int j = 0; j <= n; j++)
    for (int i = 0; i <= n; i++) {
      const size_t c = AT(g, i, j);
      if (i < n) { /* edge c -> c+1 */
        const double e = 0.5 * h * (gx[c] + gx[c + 1]);
        b[c + 1] += e, b[c] -= e;
      }
      if (j < n) {
        const double e = 0.5 * h * (gy[c] + gy[c + n1]);
        b[c + n1] += e, b[c] -= e;
      }
    }
  double bb = 0, rr = 0;
  for (size_t k = 0; k < m; k++) p[k] = 0, r[k] = b[k], d[k] = b[k], bb += b[k] * b[k];
  rr = bb;
  for (it = 0; it < 100000 && rr > 1e-24 * bb; it++) {
    graph_laplacian(n, d, ad);
    double dad = 0;
    for (size_t k = 0; k < m; k++) dad += d[k] * ad[k];
    const double alpha = rr / dad;
    double rr1 = 0;
    for (size_t k = 0; k < m; k++) p[k] += alpha * d[k], r[k] -= alpha * ad[k], rr1 += r[k] * r[k];
    for (size_t k = 0; k < m; k++) d[k] = r[k] + (rr1 / rr) * d[k];
    rr = rr1;
  }
  if (!(rr <= 1e-24 * bb)) it = -1;
  const double pc = p[AT(g, n / 2, n / 2)];
  for (size_t k = 0; k < m; k++) p[k] -= pc;
done:
  free(gx), free(gy), free(b), free(r), free(d), free(ad);
  return it;
}

/* Residual of the discrete x- and y-momentum equations (central differences) at interior nodes at
 * least `margin` nodes from every wall; returns the max of |res|. */
static double momentum_residual(const grid *g, const double *u, const double *v, const double *p,
                                int margin)
{
  const int n = g->n;
  const size_t n1 = (size_t)n + 1;
  const double h = g->h, nu = 1.0 / g->re;
  double rmax = 0;
  for (int j = margin; j <= n - margin; j++)
    for (int i = margin; i <= n - margin; i++) {
      const size_t k = AT(g, i, j);
      const double rx = u[k] * (u[k + 1] - u[k - 1]) / (2 * h) +
                        v[k] * (u[k + n1] - u[k - n1]) / (2 * h) + (p[k + 1] - p[k - 1]) / (2 * h) -
                        nu * (u[k + 1] + u[k - 1] + u[k + n1] + u[k - n1] - 4 * u[k]) / (h * h);
      const double ry = u[k] * (v[k + 1] - v[k - 1]) / (2 * h) +
                        v[k] * (v[k + n1] - v[k - n1]) / (2 * h) +
                        (p[k + n1] - p[k - n1]) / (2 * h) -
                        nu * (v[k + 1] + v[k - 1] + v[k + n1] + v[k - n1] - 4 * v[k]) / (h * h);
      rmax = fmax(rmax, fmax(fabs(rx), fabs(ry)));
    }
  return rmax;
}

static int write_dataset(hid_t f, const char *name, int rank, const hsize_t *dims,
                         const double *data)
{
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  int bad = space < 0 || dcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0;
  hid_t d = bad ? -1 : H5Dcreate2(f, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  bad |= d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0;
  if (d >= 0) H5Dclose(d);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: %s RE N OUT.h5   (N cells per side, a multiple of 8, >= 32)\n",
            argv[0]);
    return 2;
  }
  const double re = atof(argv[1]);
  const int n = atoi(argv[2]);
  if (!(re > 0 && re <= 5000) || n < 32 || n % 8 != 0 || n > 2048) {
    fprintf(stderr, "%s: need 0 < RE <= 5000 and N a multiple of 8 in 32..2048\n", argv[0]);
    return 2;
  }
  const double *gu = re == 100 ? pinn_ghia_u[0] : re == 1000 ? pinn_ghia_u[1] : NULL;
  const double *gv = re == 100 ? pinn_ghia_v[0] : re == 1000 ? pinn_ghia_v[1] : NULL;

  enum { LEVELS = 3 };
  grid g[LEVELS];
  double cu[LEVELS][NGHIA], cv[LEVELS][NGHIA];
  double *u = NULL, *v = NULL;
  for (int l = 0; l < LEVELS; l++) {
    const int nl = n >> (LEVELS - 1 - l);
    if (grid_alloc(&g[l], nl, re) != 0) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    if (l > 0) prolong(&g[l - 1], &g[l]);
    /* pseudo-time step: 2h, and a diffusion number dt/(Re h^2) of at most 1 (the lagged wall
     * vorticity is explicit: on the 129 grid at Re = 100 dt = 2h, a diffusion number of 2.56,
     * diverges) */
    const double dt = fmin(2.0 * g[l].h, re * g[l].h * g[l].h);
    const double rmax = solve(&g[l], dt);
    printf("grid %4d x %-4d  Re %g  dt %.4g  iterations %6ld  max|R| %.2e\n", nl + 1, nl + 1, re,
           dt, g[l].iterations, rmax);
    fflush(stdout);
    if (!(rmax < TOL)) {
      fprintf(stderr, "not converged on the %d grid\n", nl);
      return 1;
    }
    free(u), free(v);
    const size_t m = (size_t)(nl + 1) * (size_t)(nl + 1);
    u = malloc(m * sizeof(double));
    v = malloc(m * sizeof(double));
    if (!u || !v) return 1;
    velocities(&g[l], u, v);
    centre_lines(&g[l], u, v, cu[l], cv[l]);
  }
  const grid *fg = &g[LEVELS - 1];

  /* the table: centre-line values on the three grids, Richardson from the two finest, Ghia */
  double dev_u = 0, dev_v = 0, conv_u = 0, conv_v = 0, conv_u0 = 0, conv_v0 = 0;
  printf("\n u(1/2, y)     %-10d %-10d %-10d %-10s %-10s\n", g[0].n + 1, g[1].n + 1, g[2].n + 1,
         "Richardson", gu ? "Ghia" : "");
  for (int k = 0; k < NGHIA; k++) {
    const double rich = (4 * cu[2][k] - cu[1][k]) / 3;
    printf("  y = %.6f  %+.6f  %+.6f  %+.6f  %+.6f", (pinn_ghia_j[k] - 1) / 128.0, cu[0][k], cu[1][k],
           cu[2][k], rich);
    if (gu) printf("  %+.5f  dev %.2e", gu[k], fabs(cu[2][k] - gu[k]));
    printf("\n");
    if (gu) dev_u = fmax(dev_u, fabs(cu[2][k] - gu[k]));
    conv_u = fmax(conv_u, fabs(cu[2][k] - cu[1][k]));
    conv_u0 = fmax(conv_u0, fabs(cu[1][k] - cu[0][k]));
  }
  printf("\n v(x, 1/2)\n");
  for (int k = 0; k < NGHIA; k++) {
    const double rich = (4 * cv[2][k] - cv[1][k]) / 3;
    printf("  x = %.6f  %+.6f  %+.6f  %+.6f  %+.6f", (pinn_ghia_i[k] - 1) / 128.0, cv[0][k], cv[1][k],
           cv[2][k], rich);
    if (gv) printf("  %+.5f  dev %.2e", gv[k], fabs(cv[2][k] - gv[k]));
    printf("\n");
    if (gv) dev_v = fmax(dev_v, fabs(cv[2][k] - gv[k]));
    conv_v = fmax(conv_v, fabs(cv[2][k] - cv[1][k]));
    conv_v0 = fmax(conv_v0, fabs(cv[1][k] - cv[0][k]));
  }
  printf("\nmax centre-line difference %d vs %d grid: u %.2e  v %.2e;  %d vs %d: u %.2e  v %.2e\n",
         g[0].n + 1, g[1].n + 1, conv_u0, conv_v0, g[1].n + 1, g[2].n + 1, conv_u, conv_v);
  if (gu)
    printf("max deviation from Ghia (finest grid, lid speed 1): u %.2e  v %.2e\n", dev_u, dev_v);
  double bp_dev_u = -1, bp_dev_v = -1;
  if (re == 1000) {
    bp_dev_u = bp_dev_v = 0;
    printf("\nBotella & Peyret (1998) at their points: u(1/2, y) and v(x, 1/2), finest grid and "
           "Richardson\n");
    for (int k = 0; k < NGHIA; k++) {
      double fu[2], fv[2];
      for (int l = 1; l < LEVELS; l++) {
        double *ul = malloc((size_t)(g[l].n + 1) * (g[l].n + 1) * sizeof(double));
        double *vl = malloc((size_t)(g[l].n + 1) * (g[l].n + 1) * sizeof(double));
        if (!ul || !vl) return 1;
        velocities(&g[l], ul, vl);
        fu[l - 1] = line_value(ul + AT(&g[l], g[l].n / 2, 0), (size_t)g[l].n + 1, g[l].n, pinn_bp_y[k]);
        fv[l - 1] = line_value(vl + AT(&g[l], 0, g[l].n / 2), 1, g[l].n, pinn_bp_x[k]);
        free(ul), free(vl);
      }
      printf("  y = %.4f  %+.6f  %+.6f  %+.7f   x = %.4f  %+.6f  %+.6f  %+.7f\n", pinn_bp_y[k], fu[1],
             (4 * fu[1] - fu[0]) / 3, pinn_bp_u[k], pinn_bp_x[k], fv[1], (4 * fv[1] - fv[0]) / 3,
             pinn_bp_v[k]);
      bp_dev_u = fmax(bp_dev_u, fabs(fu[1] - pinn_bp_u[k]));
      bp_dev_v = fmax(bp_dev_v, fabs(fv[1] - pinn_bp_v[k]));
    }
    printf("max deviation from Botella & Peyret (finest grid): u %.2e  v %.2e\n", bp_dev_u,
           bp_dev_v);
  }

  /* grid convergence over the whole field: the finest vs the middle grid at the common nodes */
  const int nm = g[1].n;
  double *um = malloc((size_t)(nm + 1) * (nm + 1) * sizeof(double));
  double *vm = malloc((size_t)(nm + 1) * (nm + 1) * sizeof(double));
  double *pm = malloc((size_t)(nm + 1) * (nm + 1) * sizeof(double));
  const size_t mf = (size_t)(n + 1) * (n + 1);
  double *p = malloc(mf * sizeof(double));
  if (!um || !vm || !pm || !p) return 1;
  velocities(&g[1], um, vm);
  const int cg_m = pressure(&g[1], um, vm, pm), cg = pressure(&g[2], u, v, p);
  if (cg_m < 0 || cg < 0) {
    fprintf(stderr, "pressure: conjugate gradients did not converge\n");
    return 1;
  }
  double du = 0, dv = 0, dp = 0, dp_in = 0, su = 0, sdu = 0, su_in = 0, sdu_in = 0;
  for (int j = 0; j <= nm; j++)
    for (int i = 0; i <= nm; i++) {
      const size_t kf = AT(fg, 2 * i, 2 * j), km = AT(&g[1], i, j);
      du = fmax(du, fabs(u[kf] - um[km]));
      dv = fmax(dv, fabs(v[kf] - vm[km]));
      su += u[kf] * u[kf] + v[kf] * v[kf];
      sdu += (u[kf] - um[km]) * (u[kf] - um[km]) + (v[kf] - vm[km]) * (v[kf] - vm[km]);
      dp = fmax(dp, fabs(p[kf] - pm[km]));
      const double x = (double)i / nm, y = (double)j / nm;
      if (hypot(x, y - 1) > 0.1 && hypot(x - 1, y - 1) > 0.1) {
        dp_in = fmax(dp_in, fabs(p[kf] - pm[km]));
        su_in += u[kf] * u[kf] + v[kf] * v[kf];
        sdu_in += (u[kf] - um[km]) * (u[kf] - um[km]) + (v[kf] - vm[km]) * (v[kf] - vm[km]);
      }
    }
  const double rel_l2_uv = sqrt(sdu / su), rel_l2_uv_in = sqrt(sdu_in / su_in);
  printf(
      "field %d vs %d grid at the common nodes: max|du| %.2e  max|dv| %.2e  rel. L2 (u,v) %.2e,\n"
      "  %.2e farther than 0.1 from the two lid corners\n",
      nm + 1, n + 1, du, dv, rel_l2_uv, rel_l2_uv_in);
  printf("  max|dp| %.2e everywhere, %.2e farther than 0.1 from the two lid corners\n", dp, dp_in);
  printf("pressure: %d and %d conjugate-gradient iterations\n", cg_m, cg);
  printf("discrete momentum residual (central differences, nodes >= 0.1 from the walls): %.2e\n",
         momentum_residual(fg, u, v, p, n / 10));
  double pmin = INFINITY, pmax = -INFINITY;
  for (size_t k = 0; k < mf; k++) pmin = fmin(pmin, p[k]), pmax = fmax(pmax, p[k]);
  printf("p range [%.4g, %.4g]\n", pmin, pmax);

  /* Richardson extrapolation (the scheme is second order): R = (4 f_h - f_2h) / 3 at the nodes of
   * the middle grid from the two finest levels -- the stored /u, /v, /p -- and, for its error, the
   * same from the two coarsest levels, compared at the coarsest grid's nodes. */
  const int nc = g[0].n;
  const size_t mm = (size_t)(nm + 1) * (nm + 1), mc = (size_t)(nc + 1) * (nc + 1);
  double *uc = malloc(mc * sizeof(double)), *vc = malloc(mc * sizeof(double));
  double *pcs = malloc(mc * sizeof(double));
  double *ur = malloc(mm * sizeof(double)), *vr = malloc(mm * sizeof(double));
  double *pr = malloc(mm * sizeof(double));
  if (!uc || !vc || !pcs || !ur || !vr || !pr) return 1;
  velocities(&g[0], uc, vc);
  if (pressure(&g[0], uc, vc, pcs) < 0) return 1;
  for (int j = 0; j <= nm; j++)
    for (int i = 0; i <= nm; i++) {
      const size_t kf = AT(fg, 2 * i, 2 * j), km = AT(&g[1], i, j);
      ur[km] = (4 * u[kf] - um[km]) / 3;
      vr[km] = (4 * v[kf] - vm[km]) / 3;
      pr[km] = (4 * p[kf] - pm[km]) / 3;
    }
  double rs = 0, rd = 0, rs_in = 0, rd_in = 0, rdp_in = 0;
  for (int j = 0; j <= nc; j++)
    for (int i = 0; i <= nc; i++) {
      const size_t km = AT(&g[1], 2 * i, 2 * j), kc = AT(&g[0], i, j);
      const double u1 = (4 * um[km] - uc[kc]) / 3, v1 = (4 * vm[km] - vc[kc]) / 3;
      const double p1 = (4 * pm[km] - pcs[kc]) / 3;
      const double s2 = ur[km] * ur[km] + vr[km] * vr[km];
      const double d2 = (ur[km] - u1) * (ur[km] - u1) + (vr[km] - v1) * (vr[km] - v1);
      rs += s2, rd += d2;
      const double x = (double)i / nc, y = (double)j / nc;
      if (hypot(x, y - 1) > 0.1 && hypot(x - 1, y - 1) > 0.1) {
        rs_in += s2, rd_in += d2;
        rdp_in = fmax(rdp_in, fabs(pr[km] - p1));
      }
    }
  const double rich_rel_l2 = sqrt(rd / rs), rich_rel_l2_in = sqrt(rd_in / rs_in);
  printf("Richardson (%d,%d) vs Richardson (%d,%d) at the %d grid's nodes: rel. L2 (u,v) %.2e,\n"
         "  %.2e farther than 0.1 from the two lid corners (max|dp| there %.2e)\n",
         nc + 1, nm + 1, nm + 1, n + 1, nc + 1, rich_rel_l2, rich_rel_l2_in, rdp_in);
  double ru[NGHIA], rv[NGHIA], rdev_u = 0, rdev_v = 0, rbp_u = -1, rbp_v = -1;
  centre_lines(&g[1], ur, vr, ru, rv);
  for (int k = 0; k < NGHIA && gu; k++) {
    rdev_u = fmax(rdev_u, fabs(ru[k] - gu[k]));
    rdev_v = fmax(rdev_v, fabs(rv[k] - gv[k]));
  }
  if (re == 1000) {
    rbp_u = rbp_v = 0;
    for (int k = 0; k < NGHIA; k++) {
      rbp_u = fmax(rbp_u, fabs(line_value(ur + AT(&g[1], nm / 2, 0), (size_t)nm + 1, nm, pinn_bp_y[k]) -
                               pinn_bp_u[k]));
      rbp_v =
          fmax(rbp_v, fabs(line_value(vr + AT(&g[1], 0, nm / 2), 1, nm, pinn_bp_x[k]) - pinn_bp_v[k]));
    }
    printf("stored (Richardson) field: max deviation from Botella & Peyret u %.2e  v %.2e\n", rbp_u,
           rbp_v);
  }
  if (gu)
    printf("stored (Richardson) field: max deviation from Ghia u %.2e  v %.2e\n", rdev_u, rdev_v);

  /* write */
  double *xs = malloc((size_t)(n + 1) * sizeof(double));
  double *xm = malloc((size_t)(nm + 1) * sizeof(double));
  if (!xs || !xm) return 1;
  for (int i = 0; i <= n; i++) xs[i] = (double)i / n;
  for (int i = 0; i <= nm; i++) xm[i] = (double)i / nm;
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (fcpl < 0 || H5Pset_obj_track_times(fcpl, 0) < 0) return 1;
  hid_t f = H5Fcreate(argv[3], H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  if (f < 0) return 1;
  const hsize_t d1[1] = {(hsize_t)n + 1}, d2[2] = {(hsize_t)n + 1, (hsize_t)n + 1};
  const hsize_t m1[1] = {(hsize_t)nm + 1}, m2[2] = {(hsize_t)nm + 1, (hsize_t)nm + 1};
  int bad = write_dataset(f, "/x", 1, m1, xm) | write_dataset(f, "/y", 1, m1, xm) |
            write_dataset(f, "/u", 2, m2, ur) | write_dataset(f, "/v", 2, m2, vr) |
            write_dataset(f, "/p", 2, m2, pr) | write_dataset(f, "/x_fine", 1, d1, xs) |
            write_dataset(f, "/y_fine", 1, d1, xs) | write_dataset(f, "/u_fine", 2, d2, u) |
            write_dataset(f, "/v_fine", 2, d2, v) | write_dataset(f, "/p_fine", 2, d2, p);
  const int grid_n = n + 1, grid_m = nm + 1;
  char method[768];
  snprintf(
      method, sizeof method,
      "streamfunction-vorticity, second-order central differences on uniform grids of %d, %d "
      "and %d points a side, Thom wall vorticity; pseudo-time ADI in delta form (upwind "
      "implicit operators) to max |R| < %.0e; psi by 2-D DST; p by least squares on the "
      "momentum equations' gradient (CG); /u, /v, /p: Richardson extrapolation (4 f_%d - f_%d)/3 "
      "at the %d grid's nodes; /u_fine, /v_fine, /p_fine: the %d grid itself",
      nc + 1, nm + 1, grid_n, TOL, grid_n, grid_m, grid_m, grid_n);
  bad |= H5LTset_attribute_double(f, "/", "Re", &re, 1) < 0;
  bad |= H5LTset_attribute_int(f, "/", "grid", &grid_m, 1) < 0;
  bad |= H5LTset_attribute_int(f, "/", "grid_fine", &grid_n, 1) < 0;
  bad |= H5LTset_attribute_string(f, "/", "method", method) < 0;
  bad |=
      H5LTset_attribute_string(f, "/", "equation",
                               "(u.grad)u + grad p = (1/Re) lap u, div u = 0 on (0,1)^2; u = (1,0) "
                               "on y = 1 (corners included), u = 0 on the other walls") < 0;
  char layout[256];
  snprintf(layout, sizeof layout,
           "u[j][i] = u(x[i], y[j]) (y-major), same for v and p, x = y = i/%d; "
           "u_fine[j][i] = u(x_fine[i], y_fine[j]), x_fine = i/%d; boundary included",
           nm, n);
  bad |= H5LTset_attribute_string(f, "/", "layout", layout) < 0;
  bad |= H5LTset_attribute_string(f, "/", "pressure_gauge", "p(0.5, 0.5) = 0") < 0;
  bad |= H5LTset_attribute_double(f, "/", "max_diff_centreline_u_vs_half_grid", &conv_u, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "max_diff_centreline_v_vs_half_grid", &conv_v, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "rel_l2_uv_vs_half_grid", &rel_l2_uv, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "rel_l2_uv_richardson_vs_coarser", &rich_rel_l2, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "rel_l2_uv_richardson_vs_coarser_off_corners",
                                  &rich_rel_l2_in, 1) < 0;
  bad |=
      H5LTset_attribute_double(f, "/", "rel_l2_uv_vs_half_grid_off_corners", &rel_l2_uv_in, 1) < 0;
  if (gu) {
    bad |= H5LTset_attribute_double(f, "/", "ghia_max_dev_u", &rdev_u, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "ghia_max_dev_v", &rdev_v, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "ghia_max_dev_u_fine", &dev_u, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "ghia_max_dev_v_fine", &dev_v, 1) < 0;
  }
  if (bp_dev_u >= 0) {
    bad |= H5LTset_attribute_double(f, "/", "botella_peyret_max_dev_u", &rbp_u, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "botella_peyret_max_dev_v", &rbp_v, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "botella_peyret_max_dev_u_fine", &bp_dev_u, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "botella_peyret_max_dev_v_fine", &bp_dev_v, 1) < 0;
  }
  bad |= H5LTset_attribute_string(f, "/", "generator", "data/make_cavity_ref.c") < 0;
  bad |= H5Fclose(f) < 0;
  if (bad) {
    fprintf(stderr, "writing %s failed\n", argv[3]);
    return 1;
  }
  printf("wrote %s\n", argv[3]);
  free(xs), free(xm), free(p), free(um), free(vm), free(pm), free(u), free(v);
  free(uc), free(vc), free(pcs), free(ur), free(vr), free(pr);
  for (int l = 0; l < LEVELS; l++) grid_free(&g[l]);
  return 0;
}
