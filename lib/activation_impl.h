/* libpinn internal — vectorised activation kernels (lib/activation_kernels.c,
 * the one translation unit built with -ffast-math so gcc calls glibc's
 * libmvec for exp/log1p/erfc/sin/cos).  Not installed. */
#ifndef PINN_ACTIVATION_IMPL_H
#define PINN_ACTIVATION_IMPL_H
#include <stddef.h>
#include <pinn/activation.h>

/* For n values z[0..n-1] write s(z) to s0 and its derivatives to s1, s2, s3.
 * s1, s2, s3 may be NULL when not needed (only s0 is always written).
 * param: beta (Softplus), alpha (Leaky ReLU, PReLU: the unit's slope).
 * Arrays must not alias.  Accuracy: a few ulp (relative) against the scalar
 * pinn_activation_eval, except next to a zero of an output, where the error is
 * a few ulp of the terms that cancel.  An invalid kind writes NaN. */
void pinn_act_block(pinn_activation_kind kind, double param, size_t n, const double *z,
                    double *s0, double *s1, double *s2, double *s3);

/* s, s', ..., s^(order) at n values z: d[m * n + i] = s^(m)(z[i]) for
 * m <= order <= PINN_ACT_MAX_DERIV (formulas: pinn_activation_derivs).  The
 * ReLU family writes its a.e. derivatives (s'' and above 0), which is what
 * the network engines propagate through a ReLU layer of a mixed network.  An
 * invalid kind writes NaN.  lib/activation.c. */
void pinn_act_derivs_block(pinn_activation_kind kind, double param, int order, size_t n,
                           const double *z, double *d);
#endif
