/* libpinn internal — the part of a loss pass that one worker of a team
 * computes (lib/reduce_impl.h: the fixed reduction tree).  Not installed. */
#ifndef PINN_MLP_IMPL_H
#define PINN_MLP_IMPL_H

#include <pinn/mlp.h>

#include "reduce_impl.h"

/* pinn_mlp_loss_grad over the share of rank `rank` of `size` of the
 * reduction tree's leaves (pinn_reduce_share_; 0 of 1: everything): *out
 * gets the node list of vectors [acc (n_acc), grad (n_params, when
 * need_grad)] (empty for an empty share; freed on failure).  x holds the
 * rows from row0 on (a rank that keeps only its share of the points: row0
 * <= the share's first point; 0 for all n), and fn receives block starts
 * relative to row0 (indices into x).  Statuses and messages as
 * pinn_mlp_loss_grad (points numbered from 0 of n). */
int pinn_mlp_loss_grad_part_(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                             pinn_jet_seed_fn fn, void *ctx, size_t n_acc, int need_grad,
                             size_t rank, size_t size, size_t row0, pinn_reduce_list_ *out);

/* The network's input map (pinn_mlp_set_input_map; the identity when none)
 * applied in place to n points stored by input: x[i * stride + q], q < n. */
void pinn_mlp_map_inputs_(const pinn_mlp *net, double *x, size_t n, size_t stride);
/* The OpenMP team of a network's parallel passes: its thread count, or
 * OpenMP's default when 0 (a num_threads clause, never a process setting). */
int pinn_mlp_team_size_(const pinn_mlp *net);
/* The first layer's features when the network has an embedding (pinn/mlp.h:
 * pinn_embedding), for the engines: n_id inputs that enter as themselves
 * (input id_in[f], through the input map, in column id_col[f]) and n_ph
 * phases, each giving two columns, cos(phase) at ph_col[p] and sin(phase)
 * at ph_col[p] + 1, with phase = sum_i ph_om[p n_in + i] u_i over the
 * block's inputs u (mapped; a periodic input raw) and d phase / d x_i =
 * ph_g[p n_in + i] (the input map's scale folded in).  n_feat columns in all. */
typedef struct pinn_features_ {
  size_t n_in, n_feat, n_id, n_ph;
  const unsigned char *id_in;
  const size_t *id_col, *ph_col;
  const double *ph_om, *ph_g;
} pinn_features_;
/* 1 and *f filled when the network has an embedding, 0 (*f zeroed) otherwise. */
int pinn_mlp_features_(const pinn_mlp *net, pinn_features_ *f);
/* Phase p at n points of u (u[i * stride + q], q < n) into phi[q]. */
void pinn_features_phase_(const pinn_features_ *f, size_t p, const double *u, size_t stride,
                          size_t n, double *phi);
/* d x'_i / d x_i of the input map, n_in entries (1 when there is none). */
const double *pinn_mlp_input_scale_(const pinn_mlp *net);

#endif
