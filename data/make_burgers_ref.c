/*
 * make_burgers_ref.c -- exact reference solution of the viscous Burgers problem of
 * Raissi, Perdikaris & Karniadakis (2019), J. Comput. Phys. 378, 686-707:
 *
 *     u_t + u u_x = nu u_xx,  nu = 0.01/pi,  x in [-1,1],  t in [0,1],
 *     u(x,0) = -sin(pi x),  u(-1,t) = u(1,t) = 0.
 *
 * Cole-Hopf solution (Basdevant, Deville, Haldenwang, Lacroix, Ouazzani, Peyret, Orlandi &
 * Patera (1986), "Spectral and finite difference solutions of the Burgers equation",
 * Computers & Fluids 14, 23-41), with f(y) = exp(-K cos(pi y)), K = 1/(2 pi nu) = 50:
 *
 *     u(x,t) = - int sin(pi(x-eta)) f(x-eta) G(eta) d eta / int f(x-eta) G(eta) d eta,
 *     G(eta) = exp(-eta^2 / (4 nu t)),  integrals over the real line.
 *
 * Writing u = -2 nu phi_x / phi with phi = int f(x-eta) G(eta) d eta and using
 * f'' = (pi^2 K cos + (pi K)^2 sin^2) f (at y = x - eta) gives the slope
 *
 *     u_x = -pi ( <cos> + K Var[sin] ),
 *
 * where <.> and Var are the mean and variance under the probability density
 * f(x-eta) G(eta) / phi (sin, cos evaluated at pi(x-eta)). Computing the variance as
 * <(sin - <sin>)^2> avoids cancellation.
 *
 * Two independent quadratures, both with the maximum of the exponent
 * -K cos(pi(x-eta)) - eta^2/(4 nu t) subtracted before exponentiating:
 *   1. Gauss-Hermite (GSL gsl_integration_fixed_hermite), eta = sqrt(4 nu t) s,
 *      n = 100, 200, 400, 800, 1600 nodes (convergence by doubling);
 *   2. adaptive Gauss-Kronrod (GSL gsl_integration_qag, 61-point rule, epsrel 1e-13) over the
 *      finite window |eta| <= L outside which the integrand is below e^-60 of its maximum,
 *      split at eta = 0 and at the peaks of f (x - eta = odd integer).
 * At t = 0 the initial condition is used.
 *
 * Output (HDF5): /x [256] = linspace(-1,1,256), /t [100] = linspace(0,0.99,100)
 * (the grid of Raissi's burgers_shock.mat), /u [100][256] (t-major, u[it][ix]), and
 * attributes on the root group (H5LT; see data/README.md). Datasets are written without
 * modification times, so regenerating gives a byte-identical file.
 *
 * Build (standalone; not part of the library):
 *   cc -std=c11 -O2 -Wall -Wextra -Wpedantic data/make_burgers_ref.c -o /tmp/mkref \
 *      $(pkg-config --cflags --libs gsl) -I/usr/include/hdf5/serial \
 *      -lhdf5_serial_hl -lhdf5_serial -lm
 * Run:   /tmp/mkref data/burgers1d_ref.h5
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_min.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#define PI 3.14159265358979323846
#define NX 256
#define NT 100
#define N_GH_RULES 5
#define GH_BEST (N_GH_RULES - 1)
#define QAG_LIMIT 2000
#define QAG_EPSREL 1e-13
#define WINDOW_LOG 60.0 /* window: Gaussian factor >= exp(-2K - WINDOW_LOG) */

static const size_t gh_sizes[N_GH_RULES] = {100, 200, 400, 800, 1600};

static double nu;   /* 0.01 / pi */
static double kfac; /* 1 / (2 pi nu) = 50 */

/* ---------------------------------------------------------------- Gauss-Hermite */

typedef struct {
    size_t n;
    double *s;    /* nodes */
    double *logw; /* log of weights (-inf for weights that underflow to 0) */
    double *e;    /* scratch: exponents, then normalized terms */
    double *sn;   /* scratch: sin(pi y_i) */
    double *cs;   /* scratch: cos(pi y_i) */
} gh_rule;

static int gh_init(gh_rule *r, size_t n)
{
    gsl_integration_fixed_workspace *w =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n, 0.0, 1.0, 0.0, 0.0);
    if (w == NULL)
        return -1;
    r->n = n;
    r->s = malloc(5 * n * sizeof(double));
    if (r->s == NULL) {
        gsl_integration_fixed_free(w);
        return -1;
    }
    r->logw = r->s + n;
    r->e = r->s + 2 * n;
    r->sn = r->s + 3 * n;
    r->cs = r->s + 4 * n;
    const double *nodes = gsl_integration_fixed_nodes(w);
    const double *weights = gsl_integration_fixed_weights(w);
    for (size_t i = 0; i < n; i++) {
        r->s[i] = nodes[i];
        r->logw[i] = weights[i] > 0.0 ? log(weights[i]) : -INFINITY;
    }
    gsl_integration_fixed_free(w);
    return 0;
}

static void gh_free(gh_rule *r)
{
    free(r->s);
    r->s = NULL;
}

/* u and u_x at (x,t), t > 0, by n-node Gauss-Hermite quadrature. */
static void gh_eval(const gh_rule *r, double x, double t, double *u, double *ux)
{
    const double c = sqrt(4.0 * nu * t);
    double emax = -INFINITY;
    for (size_t i = 0; i < r->n; i++) {
        const double y = x - c * r->s[i];
        r->sn[i] = sin(PI * y);
        r->cs[i] = cos(PI * y);
        r->e[i] = -kfac * r->cs[i] + r->logw[i];
        if (r->e[i] > emax)
            emax = r->e[i];
    }
    double s0 = 0.0, s1 = 0.0;
    for (size_t i = 0; i < r->n; i++) {
        r->e[i] = exp(r->e[i] - emax);
        s0 += r->e[i];
        s1 += r->sn[i] * r->e[i];
    }
    const double m = s1 / s0;
    double var = 0.0, cmean = 0.0;
    for (size_t i = 0; i < r->n; i++) {
        const double d = r->sn[i] - m;
        var += d * d * r->e[i];
        cmean += r->cs[i] * r->e[i];
    }
    *u = -m;
    *ux = -PI * (cmean / s0 + kfac * var / s0);
}

/* ---------------------------------------------------------------- adaptive (QAG) */

enum { MOM_ONE, MOM_SIN, MOM_COS, MOM_VAR };

typedef struct {
    double x, a, emax, mean;
    int which;
} qag_params;

static double qag_integrand(double eta, void *vp)
{
    const qag_params *p = vp;
    const double y = PI * (p->x - eta);
    const double w = exp(-kfac * cos(y) - p->a * eta * eta - p->emax);
    switch (p->which) {
    case MOM_SIN:
        return sin(y) * w;
    case MOM_COS:
        return cos(y) * w;
    case MOM_VAR: {
        const double d = sin(y) - p->mean;
        return d * d * w;
    }
    default:
        return w;
    }
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int qag_status = GSL_SUCCESS; /* first failure seen (program-level bookkeeping) */
static size_t qag_failures = 0;

/* Integral of one moment over the window, split at the break points bp[0..nbp-1]. */
static double qag_moment(qag_params *p, int which, const double *bp, size_t nbp, double epsabs,
                         gsl_integration_workspace *ws)
{
    gsl_function F = {qag_integrand, p};
    p->which = which;
    double total = 0.0;
    for (size_t k = 0; k + 1 < nbp; k++) {
        double r, err;
        int st = gsl_integration_qag(&F, bp[k], bp[k + 1], epsabs / (double)(nbp - 1), QAG_EPSREL,
                                     QAG_LIMIT, GSL_INTEG_GAUSS61, ws, &r, &err);
        if (st != GSL_SUCCESS) {
            if (qag_status == GSL_SUCCESS)
                qag_status = st;
            qag_failures++;
        }
        total += r;
    }
    return total;
}

/* u and u_x at (x,t), t > 0, by adaptive Gauss-Kronrod quadrature in eta. */
static void qag_eval(double x, double t, gsl_integration_workspace *ws, double *u, double *ux)
{
    qag_params p = {x, 1.0 / (4.0 * nu * t), 0.0, 0.0, MOM_ONE};
    /* Outside |eta| <= L the Gaussian factor is below exp(-2K - WINDOW_LOG) and the
       integrand below exp(-WINDOW_LOG) times its maximum. */
    const double L = sqrt((2.0 * kfac + WINDOW_LOG) / p.a);

    /* Maximum of the exponent -K cos(pi(x-eta)) - a eta^2 on a fine sample (only a scale). */
    double emax = -INFINITY;
    const int ns = 4000;
    for (int k = 0; k <= ns; k++) {
        const double eta = -L + 2.0 * L * k / ns;
        const double e = -kfac * cos(PI * (x - eta)) - p.a * eta * eta;
        if (e > emax)
            emax = e;
    }
    p.emax = emax;

    /* Break points: window ends, Gaussian centre, peaks of f (x - eta = odd integer). */
    double bp[16];
    size_t nbp = 0;
    bp[nbp++] = -L;
    bp[nbp++] = L;
    bp[nbp++] = 0.0;
    for (int j = -5; j <= 5; j += 2) {
        const double eta = x - j;
        if (eta > -L && eta < L)
            bp[nbp++] = eta;
    }
    qsort(bp, nbp, sizeof(double), cmp_double);

    const double s0 = qag_moment(&p, MOM_ONE, bp, nbp, 0.0, ws);
    const double epsabs = 1e-14 * s0; /* |u| <= 1: absolute 1e-14 */
    const double s1 = qag_moment(&p, MOM_SIN, bp, nbp, epsabs, ws);
    p.mean = s1 / s0;
    const double sc = qag_moment(&p, MOM_COS, bp, nbp, epsabs, ws);
    const double sv = qag_moment(&p, MOM_VAR, bp, nbp, epsabs, ws);
    *u = -p.mean;
    *ux = -PI * (sc / s0 + kfac * sv / s0);
}

/* ---------------------------------------------------------------- slope maximum */

typedef struct {
    gsl_integration_workspace *ws;
    const gh_rule *gh; /* NULL: use QAG */
} slope_params;

/* u_x(0,t): negative near the shock, so its minimum is the steepest slope. */
static double slope_at_origin(double t, void *vp)
{
    const slope_params *p = vp;
    double u, ux;
    if (p->gh != NULL)
        gh_eval(p->gh, 0.0, t, &u, &ux);
    else
        qag_eval(0.0, t, p->ws, &u, &ux);
    return ux;
}

/* Minimize u_x(0,t) over t in [0.3, 0.8] (scan, then Brent). Returns 0 on success. */
static int steepest_slope(slope_params *sp, double *tmin, double *uxmin)
{
    gsl_function F = {slope_at_origin, sp};
    double tbest = 0.3, fbest = INFINITY;
    for (int k = 0; k <= 100; k++) {
        const double t = 0.3 + 0.005 * k;
        const double f = slope_at_origin(t, sp);
        if (f < fbest) {
            fbest = f;
            tbest = t;
        }
    }
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (m == NULL)
        return -1;
    int st = gsl_min_fminimizer_set_with_values(m, &F, tbest, fbest, tbest - 0.005,
                                                slope_at_origin(tbest - 0.005, sp), tbest + 0.005,
                                                slope_at_origin(tbest + 0.005, sp));
    for (int it = 0; st == GSL_SUCCESS && it < 200; it++) {
        st = gsl_min_fminimizer_iterate(m);
        if (st != GSL_SUCCESS)
            break;
        const double lo = gsl_min_fminimizer_x_lower(m), hi = gsl_min_fminimizer_x_upper(m);
        if (gsl_min_test_interval(lo, hi, 1e-9, 0.0) == GSL_SUCCESS)
            break;
    }
    *tmin = gsl_min_fminimizer_x_minimum(m);
    *uxmin = gsl_min_fminimizer_f_minimum(m);
    gsl_min_fminimizer_free(m);
    return st;
}

/* ---------------------------------------------------------------- output */

/* One float64 dataset, created without modification times so that the file is reproducible
   byte for byte. */
static int write_dataset(hid_t f, const char *name, int rank, const hsize_t *dims,
                         const double *data)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    int bad = space < 0 || dcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0;
    hid_t d = bad ? -1
                  : H5Dcreate2(f, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    bad |= d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0;
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return bad ? -1 : 0;
}

static int write_h5(const char *path, const double *x, const double *t, const double *u,
                    const char *method, int nodes, double maxdiff, double maxdiff_ux)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fcpl < 0 || H5Pset_obj_track_times(fcpl, 0) < 0)
        return -1;
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (f < 0)
        return -1;
    const hsize_t dx[1] = {NX}, dt[1] = {NT}, du[2] = {NT, NX};
    int bad = 0;
    bad |= write_dataset(f, "/x", 1, dx, x) < 0;
    bad |= write_dataset(f, "/t", 1, dt, t) < 0;
    bad |= write_dataset(f, "/u", 2, du, u) < 0;
    bad |= H5LTset_attribute_double(f, "/", "nu", &nu, 1) < 0;
    bad |= H5LTset_attribute_string(f, "/", "method", method) < 0;
    bad |= H5LTset_attribute_int(f, "/", "nodes", &nodes, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "max_discrepancy", &maxdiff, 1) < 0;
    bad |= H5LTset_attribute_double(f, "/", "max_discrepancy_ux", &maxdiff_ux, 1) < 0;
    bad |= H5LTset_attribute_string(f, "/", "equation",
                                    "u_t + u u_x = nu u_xx, x in [-1,1], u(x,0) = -sin(pi x), "
                                    "u(-1,t) = u(1,t) = 0") < 0;
    bad |= H5LTset_attribute_string(f, "/", "layout", "u[it][ix] = u(x[ix], t[it])") < 0;
    bad |= H5LTset_attribute_string(f, "/", "generator", "data/make_burgers_ref.c") < 0;
    bad |= H5Fclose(f) < 0;
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : "data/burgers1d_ref.h5";
    gsl_set_error_handler_off();
    nu = 0.01 / PI;
    kfac = 1.0 / (2.0 * PI * nu);

    static double x[NX], t[NT];
    for (int i = 0; i < NX; i++)
        x[i] = (double)(2 * i - (NX - 1)) / (double)(NX - 1); /* exactly odd: x[i] = -x[NX-1-i] */
    for (int j = 0; j < NT; j++)
        t[j] = (double)j / 100.0;

    gh_rule gh[N_GH_RULES];
    for (int r = 0; r < N_GH_RULES; r++) {
        if (gh_init(&gh[r], gh_sizes[r]) != 0) {
            fprintf(stderr, "mkref: cannot build %zu-node Gauss-Hermite rule\n", gh_sizes[r]);
            return 1;
        }
    }
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(QAG_LIMIT);
    double *ugh = malloc((size_t)N_GH_RULES * NT * NX * sizeof(double));
    double *uxgh = malloc((size_t)N_GH_RULES * NT * NX * sizeof(double));
    double *uq = malloc((size_t)NT * NX * sizeof(double));
    double *uxq = malloc((size_t)NT * NX * sizeof(double));
    if (ws == NULL || ugh == NULL || uxgh == NULL || uq == NULL || uxq == NULL) {
        fprintf(stderr, "mkref: out of memory\n");
        return 1;
    }

    for (int j = 0; j < NT; j++) {
        for (int i = 0; i < NX; i++) {
            const size_t k = (size_t)j * NX + i;
            if (j == 0) {
                uq[k] = -sin(PI * x[i]);
                uxq[k] = -PI * cos(PI * x[i]);
                for (int r = 0; r < N_GH_RULES; r++) {
                    ugh[(size_t)r * NT * NX + k] = uq[k];
                    uxgh[(size_t)r * NT * NX + k] = uxq[k];
                }
                continue;
            }
            qag_eval(x[i], t[j], ws, &uq[k], &uxq[k]);
            for (int r = 0; r < N_GH_RULES; r++)
                gh_eval(&gh[r], x[i], t[j], &ugh[(size_t)r * NT * NX + k],
                        &uxgh[(size_t)r * NT * NX + k]);
        }
    }
    if (qag_failures > 0)
        printf("WARNING: %zu QAG calls did not reach tolerance (first: %s)\n", qag_failures,
               gsl_strerror(qag_status));

    /* Convergence of Gauss-Hermite by doubling, and agreement with QAG. */
    printf("grid: %d x-points linspace(-1,1), %d t-points linspace(0,0.99); nu = %.17g, K = %.17g\n",
           NX, NT, nu, kfac);
    printf("%-26s %12s %12s %22s\n", "comparison", "max|du|", "max|du_x|", "where max|du| (x, t)");
    for (int r = 0; r < N_GH_RULES; r++) {
        const double *a = ugh + (size_t)r * NT * NX, *ax = uxgh + (size_t)r * NT * NX;
        double du = 0.0, dux = 0.0, dq = 0.0, dqx = 0.0;
        size_t kq = 0;
        const double *b = r + 1 < N_GH_RULES ? a + (size_t)NT * NX : NULL;
        const double *bx = r + 1 < N_GH_RULES ? ax + (size_t)NT * NX : NULL;
        for (size_t k = 0; k < (size_t)NT * NX; k++) {
            if (b != NULL) {
                du = fmax(du, fabs(a[k] - b[k]));
                dux = fmax(dux, fabs(ax[k] - bx[k]));
            }
            if (fabs(a[k] - uq[k]) > dq) {
                dq = fabs(a[k] - uq[k]);
                kq = k;
            }
            dqx = fmax(dqx, fabs(ax[k] - uxq[k]));
        }
        if (b != NULL)
            printf("GH %4zu vs GH %4zu         %12.3e %12.3e\n", gh_sizes[r], gh_sizes[r + 1], du,
                   dux);
        printf("GH %4zu vs QAG             %12.3e %12.3e   (%+.4f, %.2f)\n", gh_sizes[r], dq, dqx,
               x[kq % NX], t[kq / NX]);
    }

    /* The stored solution: the finest Gauss-Hermite rule; discrepancy against QAG. */
    const double *ubest = ugh + (size_t)GH_BEST * NT * NX;
    const double *uxbest = uxgh + (size_t)GH_BEST * NT * NX;
    double maxdiff = 0.0, maxdiff_ux = 0.0;
    for (size_t k = 0; k < (size_t)NT * NX; k++) {
        maxdiff = fmax(maxdiff, fabs(ubest[k] - uq[k]));
        maxdiff_ux = fmax(maxdiff_ux, fabs(uxbest[k] - uxq[k]));
    }

    /* Physical checks. */
    double odd = 0.0, centre = 0.0, bound = 0.0, umax = 0.0, uxmin = 0.0;
    double energy_prev = INFINITY;
    int energy_monotone = 1;
    for (int j = 0; j < NT; j++) {
        const double *row = ubest + (size_t)j * NX;
        double energy = 0.0;
        for (int i = 0; i < NX; i++) {
            odd = fmax(odd, fabs(row[i] + row[NX - 1 - i]));
            umax = fmax(umax, fabs(row[i]));
            uxmin = fmin(uxmin, uxbest[(size_t)j * NX + i]);
            energy += row[i] * row[i];
        }
        if (energy > energy_prev)
            energy_monotone = 0;
        energy_prev = energy;
        bound = fmax(bound, fmax(fabs(row[0]), fabs(row[NX - 1])));
        double u0, ux0;
        if (j > 0) {
            gh_eval(&gh[GH_BEST], 0.0, t[j], &u0, &ux0);
            centre = fmax(centre, fabs(u0));
        }
    }
    printf("checks on the stored grid (GH %zu):\n", gh_sizes[GH_BEST]);
    printf("  max |u(x,t) + u(-x,t)|           = %.3e   (u odd in x)\n", odd);
    printf("  max |u(0,t)|, t in (0,0.99]      = %.3e   (u(0,t) = 0)\n", centre);
    printf("  max |u(+-1,t)|                   = %.3e   (boundary values 0)\n", bound);
    printf("  max |u|                          = %.15f (maximum principle: <= 1)\n", umax);
    printf("  sum_x u^2 non-increasing in t    = %s\n", energy_monotone ? "yes" : "NO");
    printf("  min u_x on the grid              = %.6f\n", uxmin);

    /* Steepest slope at x = 0 (Basdevant et al.: |u_x| = 152.00516 at t = 1.6037/pi). */
    slope_params sq = {ws, NULL}, sg = {ws, &gh[GH_BEST]};
    double tq, fq, tg, fg;
    int stq = steepest_slope(&sq, &tq, &fq);
    int stg = steepest_slope(&sg, &tg, &fg);
    printf("steepest slope at x = 0 (Basdevant et al. 1986: 152.00516 at t = 1.6037/pi):\n");
    printf("  QAG:     max |u_x(0,t)| = %.8f at t = %.8f = %.6f/pi%s\n", -fq, tq, tq * PI,
           stq ? " (minimizer status != 0)" : "");
    printf("  GH %4zu: max |u_x(0,t)| = %.8f at t = %.8f = %.6f/pi%s\n", gh_sizes[GH_BEST], -fg,
           tg, tg * PI, stg ? " (minimizer status != 0)" : "");
    /* Finite-difference cross-check of the slope formula at (0, tq). */
    for (double h = 1e-4; h > 5e-7; h /= 10.0) {
        double up, um, dummy;
        qag_eval(h, tq, ws, &up, &dummy);
        qag_eval(-h, tq, ws, &um, &dummy);
        printf("  central difference, h = %.0e: u_x(0,t*) = %.8f\n", h, (up - um) / (2.0 * h));
    }

    printf("stored: GH %zu; max |u_GH - u_QAG| = %.3e, max |u_x,GH - u_x,QAG| = %.3e\n",
           gh_sizes[GH_BEST], maxdiff, maxdiff_ux);
    char method[256];
    snprintf(method, sizeof method,
             "Cole-Hopf, Gauss-Hermite quadrature (GSL gsl_integration_fixed_hermite, %zu nodes); "
             "cross-checked with adaptive Gauss-Kronrod (GSL gsl_integration_qag, GAUSS61, "
             "epsrel %.0e); t = 0 row is the initial condition",
             gh_sizes[GH_BEST], QAG_EPSREL);
    if (write_h5(out, x, t, ubest, method, (int)gh_sizes[GH_BEST], maxdiff, maxdiff_ux) != 0) {
        fprintf(stderr, "mkref: cannot write %s (check the directory exists and is writable)\n",
                out);
        return 1;
    }
    printf("wrote %s\n", out);

    for (int r = 0; r < N_GH_RULES; r++)
        gh_free(&gh[r]);
    gsl_integration_workspace_free(ws);
    free(ugh);
    free(uxgh);
    free(uq);
    free(uxq);
    return 0;
}
