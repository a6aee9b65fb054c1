/* libpinn internal — the part of a Taylor loss pass that one rank of a team
 * computes (lib/reduce_impl.h: the fixed reduction tree).  Not installed. */
#ifndef PINN_TAYLOR_IMPL_H
#define PINN_TAYLOR_IMPL_H

#include <pinn/taylor.h>

#include "reduce_impl.h"

/* pinn_taylor_loss_grad over the share of rank `rank` of `size` of the
 * reduction tree's leaves, exactly as pinn_mlp_loss_grad_part_ (lib/mlp_impl.h):
 * *out gets the node list of vectors [acc (n_acc), grad (n_params, when
 * need_grad)], initialised even on failure (then empty); x holds the rows
 * from row0 on and fn receives block starts relative to row0. */
int pinn_taylor_loss_grad_part_(pinn_taylor *t, const pinn_mlp *net, size_t n, const double *x,
                                pinn_taylor_seed_fn fn, void *ctx, size_t n_acc, int need_grad,
                                size_t rank, size_t size, size_t row0, pinn_reduce_list_ *out);

#endif
