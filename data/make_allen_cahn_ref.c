/*
 * make_allen_cahn_ref.c -- reference solution of the Allen-Cahn benchmark of Raissi, Perdikaris &
 * Karniadakis (2019, J. Comput. Phys. 378, 686-707, section 4.2) and Wang, Wang & Perdikaris
 * ("An expert's guide to training PINNs", 2023):
 *
 *     u_t = eps u_xx + 5 u - 5 u^3,  eps = 1e-4,  x in [-1,1] periodic,  t in [0,1],
 *     u(x,0) = x^2 cos(pi x).
 *
 * Method: Fourier pseudo-spectral in x (N modes, wavenumbers k = pi m, m = -N/2 .. N/2-1) and
 * ETDRK4 in time (Cox & Matthews 2002, J. Comput. Phys. 176, 430-455) with the phi-function
 * coefficients evaluated by contour integrals (Kassam & Trefethen 2005, SIAM J. Sci. Comput. 26,
 * 1214-1233: M = 64 points on circles of radius 1 around h L), the scheme of the Chebfun script
 * that made Raissi's AC.mat.  Linear part L = 5 - eps k^2 (diagonal), nonlinear part -5 u^3
 * evaluated on a grid of 2N points (no aliasing), u0 projected exactly (its Fourier coefficients in
 * closed form).  FFTs by GSL (gsl_fft_complex_radix2).
 *
 * Three runs, (N, h) = (4096, 1e-4), (8192, 1e-4), (4096, 5e-5), sampled on the output grid
 * x = -1 + 2 i / 512 (i = 0..511; x = 1 is x = -1 by periodicity), t = j / 200 (j = 0..200), and
 * compared: the stored /u is the 8192-mode run (row t = 0 is u0 itself); the root attributes record the differences between
 * the runs, the largest Fourier coefficient in the top eighth of the finest spectrum at t = 1, and
 * the interface positions at t = 1 (zeros of u, found on the spectral interpolant by bisection).
 *
 * Build and run (from the repository root; standalone, not built by CMake; needs libgsl-dev and
 * libhdf5-dev; about 10 s):
 *
 *     cc -std=c11 -O2 -Wall -Wextra -Wpedantic data/make_allen_cahn_ref.c -o /tmp/mkac \
 *        $(pkg-config --cflags --libs gsl) -I/usr/include/hdf5/serial \
 *        -lhdf5_serial_hl -lhdf5_serial -lm
 *     /tmp/mkac data/allen_cahn1d_ref.h5
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fft_complex.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#define NX 512 /* output grid in x */
#define NT 201 /* output grid in t: 0, 0.005, ..., 1 */
#define EPS 1e-4
#define CONTOUR 64

typedef double complex cplx;

/* One ETDRK4 integrator of N modes and step h. */
typedef struct {
  size_t n;
  double h;
  cplx *E, *E2, *Q, *f1, *f2, *f3; /* per mode */
  cplx *v, *Nv, *a, *Na, *b, *Nb, *c, *Nc; /* spectral state and stages */
  double *work;                            /* 4n doubles: packed complex FFT buffer of 2n */
} etd;

static double wavenumber(size_t m, size_t n) /* k of FFT index m on a period of 2 */
{
  const long mm = m < n / 2 ? (long)m : (long)m - (long)n;
  return M_PI * (double)mm;
}

/* Index of signed mode mm in an FFT array of size n. */
static size_t slot(long mm, size_t n) { return mm >= 0 ? (size_t)mm : (size_t)((long)n + mm); }

/* The nonlinear term -5 u^3 of spectral v into Nv, without aliasing: the N modes are padded to a
 * grid of 2N points (a cubic's products reach 3 N/2; on 2N points the aliases of those land beyond
 * N/2), cubed there and truncated back to the N modes (the Nyquist mode is kept at zero). */
static int nonlinear(etd *s, const cplx *v, cplx *Nv)
{
  const size_t n = s->n, M = 2 * n;
  memset(s->work, 0, 2 * M * sizeof *s->work);
  for (long mm = -(long)n / 2 + 1; mm < (long)n / 2; ++mm) {
    const cplx c = 2.0 * v[slot(mm, n)]; /* GSL's inverse divides by M = 2N, not N */
    s->work[2 * slot(mm, M)] = creal(c);
    s->work[2 * slot(mm, M) + 1] = cimag(c);
  }
  if (gsl_fft_complex_radix2_inverse(s->work, 1, M)) return -1;
  for (size_t j = 0; j < M; ++j) {
    const double u = s->work[2 * j];
    s->work[2 * j] = -5.0 * u * u * u;
    s->work[2 * j + 1] = 0.0;
  }
  if (gsl_fft_complex_radix2_forward(s->work, 1, M)) return -1;
  for (size_t m = 0; m < n; ++m) Nv[m] = 0;
  for (long mm = -(long)n / 2 + 1; mm < (long)n / 2; ++mm)
    Nv[slot(mm, n)] = 0.5 * (s->work[2 * slot(mm, M)] + I * s->work[2 * slot(mm, M) + 1]);
  return 0;
}

/* Fourier coefficient m of u0 = x^2 cos(pi x) on the period [-1, 1]: (1/2) int u0 e^(-i pi m x) dx
 * = (I(m-1) + I(m+1)) / 4 with I(0) = 2/3, I(n) = 4 (-1)^n / (pi n)^2.  The exact projection,
 * not the interpolant of grid values: u0's periodic extension has a kink at x = +-1 (slopes -2
 * and 2), whose interpolant would alias the 1/k^2 tail into every low mode for good. */
static double u0_coefficient(long m)
{
  double c = 0;
  for (long n = m - 1; n <= m + 1; n += 2)
    c += n == 0 ? 2.0 / 3.0 : 4.0 * ((n % 2) ? -1.0 : 1.0) / (M_PI * M_PI * (double)(n * n));
  return c / 4.0;
}

static int etd_init(etd *s, size_t n, double h)
{
  memset(s, 0, sizeof *s);
  s->n = n;
  s->h = h;
  cplx **arr[] = {&s->E, &s->E2, &s->Q, &s->f1, &s->f2, &s->f3, &s->v, &s->Nv,
                  &s->a, &s->Na, &s->b, &s->Nb, &s->c, &s->Nc};
  for (size_t i = 0; i < sizeof arr / sizeof *arr; ++i)
    if (!(*arr[i] = malloc(n * sizeof(cplx)))) return -1;
  if (!(s->work = malloc(4 * n * sizeof(double)))) return -1;
  for (size_t m = 0; m < n; ++m) {
    const double k = wavenumber(m, n), L = 5.0 - EPS * k * k;
    s->E[m] = exp(h * L);
    s->E2[m] = exp(h * L / 2);
    cplx q = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int j = 1; j <= CONTOUR; ++j) {
      const cplx r = cexp(I * M_PI * (j - 0.5) / CONTOUR), LR = h * L + r, e = cexp(LR);
      q += (cexp(LR / 2) - 1) / LR;
      a1 += (-4.0 - LR + e * (4.0 - 3.0 * LR + LR * LR)) / (LR * LR * LR);
      a2 += (2.0 + LR + e * (-2.0 + LR)) / (LR * LR * LR);
      a3 += (-4.0 - 3.0 * LR - LR * LR + e * (4.0 - LR)) / (LR * LR * LR);
    }
    /* the contour is symmetric about the real axis: the means are real */
    s->Q[m] = h * creal(q / CONTOUR);
    s->f1[m] = h * creal(a1 / CONTOUR);
    s->f2[m] = h * creal(a2 / CONTOUR);
    s->f3[m] = h * creal(a3 / CONTOUR);
  }
  /* the initial condition: GSL's forward transform of the grid x_j = -1 + 2j/N is
   * V_m = N c_m e^(-i pi m) */
  for (size_t m = 0; m < n; ++m) s->v[m] = 0;
  for (long mm = -(long)n / 2 + 1; mm < (long)n / 2; ++mm)
    s->v[slot(mm, n)] = (double)n * u0_coefficient(mm) * ((mm % 2) ? -1.0 : 1.0);
  return 0;
}

static void etd_free(etd *s)
{
  cplx *arr[] = {s->E, s->E2, s->Q, s->f1, s->f2, s->f3, s->v, s->Nv,
                 s->a, s->Na, s->b, s->Nb, s->c, s->Nc};
  for (size_t i = 0; i < sizeof arr / sizeof *arr; ++i) free(arr[i]);
  free(s->work);
}

static int etd_step(etd *s)
{
  const size_t n = s->n;
  if (nonlinear(s, s->v, s->Nv)) return -1;
  for (size_t m = 0; m < n; ++m) s->a[m] = s->E2[m] * s->v[m] + s->Q[m] * s->Nv[m];
  if (nonlinear(s, s->a, s->Na)) return -1;
  for (size_t m = 0; m < n; ++m) s->b[m] = s->E2[m] * s->v[m] + s->Q[m] * s->Na[m];
  if (nonlinear(s, s->b, s->Nb)) return -1;
  for (size_t m = 0; m < n; ++m) s->c[m] = s->E2[m] * s->a[m] + s->Q[m] * (2.0 * s->Nb[m] - s->Nv[m]);
  if (nonlinear(s, s->c, s->Nc)) return -1;
  for (size_t m = 0; m < n; ++m)
    s->v[m] = s->E[m] * s->v[m] + s->Nv[m] * s->f1[m] + 2.0 * (s->Na[m] + s->Nb[m]) * s->f2[m] +
              s->Nc[m] * s->f3[m];
  return 0;
}

/* The solution on the grid, sampled at the NX output points (every n/NX-th grid point). */
static int sample(etd *s, double *row)
{
  const size_t n = s->n;
  for (size_t m = 0; m < n; ++m) {
    s->work[2 * m] = creal(s->v[m]);
    s->work[2 * m + 1] = cimag(s->v[m]);
  }
  if (gsl_fft_complex_radix2_inverse(s->work, 1, n)) return -1;
  for (size_t i = 0; i < NX; ++i) row[i] = s->work[2 * (i * (n / NX))];
  return 0;
}

/* The trigonometric interpolant of spectral v at x (GSL's forward transform has no 1/n; the
 * inverse has it). */
static double interpolant(const etd *s, double x)
{
  const size_t n = s->n;
  double u = 0;
  for (size_t m = 0; m < n; ++m) {
    const double k = wavenumber(m, n);
    if (m == n / 2) continue; /* the Nyquist mode is zero */
    u += creal(s->v[m] * cexp(I * k * (x + 1.0)));
  }
  return u / (double)n;
}

/* Run (n, h) to t = 1, sampling u at the output times into u (NT x NX). */
static int run(size_t n, double h, double *u, etd *keep)
{
  etd s;
  if (etd_init(&s, n, h)) return -1;
  const long steps_per_out = lround(0.005 / h);
  int bad = 0;
  for (size_t i = 0; i < NX; ++i) { /* t = 0: u0 itself (the truncated series has a Gibbs error
                                      * of O(1/N) at the kink; diffusion removes it by t = 0.005) */
    const double x = -1.0 + 2.0 * (double)i / NX;
    u[i] = x * x * cos(M_PI * x);
  }
  for (size_t j = 1; j < NT && !bad; ++j) {
    for (long k = 0; k < steps_per_out && !bad; ++k) bad = etd_step(&s);
    if (!bad) bad = sample(&s, u + j * NX);
  }
  if (keep && !bad) *keep = s;
  else etd_free(&s);
  return bad;
}

static double max_diff(const double *a, const double *b, size_t n)
{
  double d = 0;
  for (size_t i = 0; i < n; ++i) d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

/* One float64 dataset, created without modification times (reproducible files). */
static int write_dataset(hid_t f, const char *name, int rank, const hsize_t *dims, const double *data)
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
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUT.h5\n", argv[0]);
    return 2;
  }
  static const size_t ns[3] = {4096, 8192, 4096};
  static const double hs[3] = {1e-4, 1e-4, 5e-5};
  double *u[3];
  etd fine;
  for (int r = 0; r < 3; ++r) {
    u[r] = malloc(NT * NX * sizeof(double));
    if (!u[r] || run(ns[r], hs[r], u[r], r == 1 ? &fine : NULL)) {
      fprintf(stderr, "run %d failed\n", r);
      return 1;
    }
    printf("N = %zu, h = %g: u(0, 1) = %.15f, max |u(., 1)| = %.15f\n", ns[r], hs[r],
           u[r][(NT - 1) * NX + NX / 2], max_diff(u[r] + (NT - 1) * NX, (double[NX]){0}, NX));
  }
  const double d01 = max_diff(u[0], u[1], NT * NX), d12 = max_diff(u[0], u[2], NT * NX);
  printf("space: max |u(4096 modes) - u(8192)| = %.3e; time: max |u(h 1e-4) - u(h 5e-5)| = %.3e\n",
         d01, d12);
  /* the finest spectrum at t = 1: its top eighth */
  double tail = 0, top = 0;
  for (size_t m = 0; m < fine.n; ++m) {
    const double k = fabs(wavenumber(m, fine.n)), a = cabs(fine.v[m]) / (double)fine.n;
    top = fmax(top, a);
    if (k >= M_PI * (double)fine.n * 3.0 / 8.0) tail = fmax(tail, a);
  }
  printf("largest |coefficient| %.3e, largest in the top eighth of the spectrum %.3e\n", top, tail);
  /* the interfaces at t = 1: sign changes of u on the output grid, refined by bisection on the
   * spectral interpolant */
  double zeros[16];
  int nz = 0;
  const double *last = u[1] + (NT - 1) * NX;
  for (size_t i = 0; i < NX && nz < 16; ++i) {
    const double ua = last[i], ub = last[(i + 1) % NX];
    if ((ua < 0) == (ub < 0)) continue;
    double a = -1.0 + 2.0 * (double)i / NX, b = a + 2.0 / NX, fa = ua;
    for (int it = 0; it < 60; ++it) {
      const double mid = 0.5 * (a + b), fm = interpolant(&fine, mid);
      if ((fm < 0) == (fa < 0)) {
        a = mid;
        fa = fm;
      } else {
        b = mid;
      }
    }
    zeros[nz++] = 0.5 * (a + b);
  }
  printf("interfaces at t = 1:");
  for (int i = 0; i < nz; ++i) printf(" %.10f", zeros[i]);
  printf("\n");
  etd_free(&fine);

  double x[NX], t[NT];
  for (size_t i = 0; i < NX; ++i) x[i] = -1.0 + 2.0 * (double)i / NX;
  for (size_t j = 0; j < NT; ++j) t[j] = (double)j / 200.0;
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (fcpl < 0 || H5Pset_obj_track_times(fcpl, 0) < 0) return 1;
  hid_t f = H5Fcreate(argv[1], H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  if (f < 0) return 1;
  const hsize_t dx[1] = {NX}, dt[1] = {NT}, du[2] = {NT, NX}, dz[1] = {(hsize_t)nz};
  const double eps = EPS;
  const int modes = 8192;
  int bad = 0;
  bad |= write_dataset(f, "/x", 1, dx, x) < 0;
  bad |= write_dataset(f, "/t", 1, dt, t) < 0;
  bad |= write_dataset(f, "/u", 2, du, u[1]) < 0;
  bad |= nz > 0 && write_dataset(f, "/interfaces_t1", 1, dz, zeros) < 0;
  bad |= H5LTset_attribute_double(f, "/", "eps", &eps, 1) < 0;
  bad |= H5LTset_attribute_int(f, "/", "modes", &modes, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "step", &hs[1], 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "max_diff_modes_4096_8192", &d01, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "max_diff_step_1e-4_5e-5", &d12, 1) < 0;
  bad |= H5LTset_attribute_double(f, "/", "spectrum_tail", &tail, 1) < 0;
  bad |= H5LTset_attribute_string(f, "/", "method",
                                  "Fourier pseudo-spectral, ETDRK4 (Cox-Matthews, Kassam-Trefethen "
                                  "contour coefficients)") < 0;
  bad |= H5LTset_attribute_string(f, "/", "equation",
                                  "u_t = 1e-4 u_xx + 5 u - 5 u^3, x in [-1,1) periodic, "
                                  "u(x,0) = x^2 cos(pi x)") < 0;
  bad |= H5LTset_attribute_string(f, "/", "layout", "u[it][ix] = u(x[ix], t[it])") < 0;
  bad |= H5LTset_attribute_string(f, "/", "generator", "data/make_allen_cahn_ref.c") < 0;
  bad |= H5Fclose(f) < 0;
  for (int r = 0; r < 3; ++r) free(u[r]);
  return bad ? 1 : 0;
}
