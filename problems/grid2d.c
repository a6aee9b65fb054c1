/* See problems/grid2d.h. */
#include "grid2d.h"

#include <stdlib.h>

int pinn_grid2d_jets(pinn_loss *l, size_t m, double **x, double **J)
{
  const double h = 2.0 / (double)(m - 1);
  double *p = malloc(7 * m * m * sizeof *p);
  *x = p;
  *J = p ? p + 2 * m * m : NULL;
  if (!p) return PINN_ENOMEM;
  for (size_t i = 0; i < m * m; ++i) {
    p[2 * i] = -1 + h * (double)(i % m);
    p[2 * i + 1] = -1 + h * (double)(i / m);
  }
  pinn_jet_spec sp = pinn_jet_spec_value(); /* channels: u, u_x, u_y, u_xx, u_yy */
  pinn_jet_spec_add_pair(&sp, 0, 0);
  pinn_jet_spec_add_pair(&sp, 1, 1);
  return pinn_mlp_jets(pinn_loss_network(l), &sp, m * m, p, *J);
}
