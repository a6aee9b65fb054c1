/* The bundled problems of the pinn CLI.  Each problems/<name>.c is written
 * only against the public headers, exactly as a user writes a plugin, and
 * exports one pinn_problem_create_fn named pinn_problem_<name>. */
#ifndef PINN_PROBLEMS_H
#define PINN_PROBLEMS_H

#include <pinn/pinn.h>

typedef struct pinn_bundled {
  const char *name;
  const char *summary;            /* one line for `pinn list` */
  pinn_problem_create_fn create;  /* NULL while a problem is not built in */
} pinn_bundled;

/* Number of bundled problems and the i-th (in `pinn list` order). */
size_t pinn_bundled_count(void);
const pinn_bundled *pinn_bundled_get(size_t i);
/* The problem with this name, or NULL. */
const pinn_bundled *pinn_bundled_find(const char *name);

/* Entry points (one per problems/<name>.c). */
#define PINN_BUNDLED_LIST(X)                                                                  \
  X(poisson1d, "-u'' = pi^2 sin(pi x) on (-1,1), u(+-1) = 0")                                 \
  X(poisson2d, "-Lap u = 2 pi^2 sin(pi x) sin(pi y) on (0,1)^2, u = 0 on the boundary")       \
  X(helmholtz2d, "Lap u + u = q on (-1,1)^2, u = sin(pi x) sin(4 pi y) (Wang et al. 2021)")   \
  X(lshape2d, "Lap u = 0 on the L-shape, u = r^(2/3) sin(2 theta/3) (corner singularity)")    \
  X(heat1d, "u_t = 0.1 u_xx on (0,1) x (0,1), u(x,0) = sin(pi x), u = 0 at x = 0, 1")         \
  X(heat_polygon, "u_t = 0.1 Lap u + f on a star polygon x (0,1), manufactured solution")     \
  X(heat2d_multiscale, "u_t = u_xx/(500 pi)^2 + u_yy/pi^2, u = sin(20 pi x) sin(pi y) e^(-1.0016 t)") \
  X(wave1d, "u_tt = 4 u_xx, u = sin(pi x) cos(2 pi t) + 0.5 sin(3 pi x) cos(6 pi t)")         \
  X(burgers1d, "u_t + u u_x = (0.01/pi) u_xx, u(x,0) = -sin(pi x) (Raissi et al. 2019)")      \
  X(obstacle1d, "-u'' = 0, u >= psi (three-piece obstacle), contact set [a, 1-a]")            \
  X(obstacle2d, "Bueler's radial obstacle on (-2,2)^2, psi = sqrt(1 - r^2)")                 \
  X(membrane2d, "-Lap u = -4 where u > 0, u >= 0 on (-1,1)^2 (free boundary r = 1/2)")        \
  X(torsion, "elastic-plastic torsion: -Lap u = 4 where u < 1 - r, u <= 1 - r on the unit disk") \
  X(holes2d, "-Lap u = f on a square with 3 circular holes, Dirichlet outside, Neumann on the holes") \
  X(csg3d, "-Lap u = f in a cube minus a ball, Dirichlet exact by a distance function")     \
  X(kovasznay2d, "steady Navier-Stokes at Re = 20, Kovasznay flow: outputs u, v, p")          \
  X(cavity2d, "steady lid-driven cavity, Re = 100 (--set re=1000), against Ghia's table")      \
  X(burgers_inverse, "identify lambda1, lambda2 in u_t + l1 u u_x = l2 u_xx from data")       \
  X(advection_prelu, "u_t + u_x = 0 with a PReLU network: learned slopes, dead units")       \
  X(beam1d, "Euler-Bernoulli beam u_xxxx = q on (0,1), clamped at both ends (4th order)")     \
  X(kdv1d, "KdV u_t + 6 u u_x + u_xxx = 0, two colliding solitons (3rd order)")     \
  X(plate2d, "Kirchhoff plate Delta^2 w = q on (0,1)^2, simply supported (biharmonic)")     \
  X(poisson5d, "-Delta u = (pi^2/4) sum sin(pi x_i/2) on [0,1]^5 (five space dimensions)") \
  X(allen_cahn1d, "u_t = 1e-4 u_xx + 5u - 5u^3, periodic, u0 = x^2 cos(pi x) (stiff, hard)")

#define PINN_BUNDLED_DECLARE(name, text) \
  int pinn_problem_##name(pinn_problem **p, pinn_solve_config *cfg, pinn_error *err);
PINN_BUNDLED_LIST(PINN_BUNDLED_DECLARE)
#undef PINN_BUNDLED_DECLARE

#endif
