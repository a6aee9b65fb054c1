/* libpinn — data-parallel training over a team of processes (MPI ranks),
 * bitwise the same result for any number of ranks and threads.
 *
 * A team is `size` processes that each run the same program on the same
 * problem, network and options (same seed): every rank builds the same
 * loss with the team in its options (pinn_loss_options.team, or
 * pinn_loss_set_team afterwards).  Sampling is deterministic: every rank
 * draws the same points and keeps only its share (the rows it evaluates,
 * pinn_loss_term_share), with their data values and output-transform
 * coefficients, so memory per rank falls as ranks are added.  An
 * evaluation of the loss and its gradient is split by points: rank r
 * computes the blocks of points of
 * leaves [L r / size, L (r + 1) / size) of the fixed reduction tree (each
 * term's PINN_BLOCK-point blocks are spread over L leaves, L the largest
 * power of two <= 1024 with at least 8 blocks per leaf: a function of the
 * term's point count alone; the total is the sum over the complete binary
 * tree on the leaves, every inner node left + right; ranks beyond L have
 * no share of that term), and ONE all-gather per evaluation gives every rank
 * every other rank's maximal subtrees, from which each rank completes the
 * same tree.  The sums are therefore the same bits whatever the split:
 * 1 rank x 4 threads, 2 x 2 and 4 x 1 give identical losses, gradients
 * and hence identical optimizer states (every rank runs the optimizer on
 * identical numbers, so Adam moments, L-BFGS pairs and the dense
 * SSBroyden matrix are equal on every rank by construction; nothing of the
 * optimizer is communicated).  A failure on one rank (a callback error, a
 * NaN) is part of the same exchange, so every rank returns the same status
 * and message (the failing point with the smallest term index, then point
 * index) and no rank waits for another.  The trainer agrees on stopping
 * (interrupts, time budget) with one more all-gather of two numbers per
 * iteration.
 *
 * What is not split (every rank computes it whole, identically): the
 * least-squares Jacobian of Levenberg-Marquardt phases (every rank gathers
 * all points for the phase and keeps its share again after it), the
 * residuals of adaptive refinement's candidates (the new rows follow the
 * gathered old ones, and the shares are recomputed), output fields.  A
 * checkpoint gathers every term's coordinates (a transient copy of the
 * points, not their data values or coefficients) and rank 0 writes it;
 * pinn_solve gathers them once more after training for its diagnostics
 * and result file.  Writes (checkpoints, result files) are made on rank 0
 * only.
 *
 * The library does not link MPI: a team is a small table of collective
 * callbacks.  pinn/team_mpi.h (header only; include it after <mpi.h>)
 * fills one from an MPI communicator; tests use an in-process team of
 * threads.
 */
#ifndef PINN_TEAM_H
#define PINN_TEAM_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Most ranks of a team (the leaves of the reduction tree). */
#define PINN_TEAM_MAX_SIZE 1024

/* A team: this process's rank, the number of ranks, and one collective.
 * allgather: every rank calls it with its own `count` doubles in `send`;
 * it fills counts[0 .. size-1] with every rank's count and, when recv is
 * not NULL, recv with every rank's doubles in rank order (the caller first
 * calls with recv NULL to size it, then again with the same send and
 * count).  Returns 0, or nonzero on a communication failure (then the
 * evaluation fails with PINN_EFAILED on this rank; a failed transport
 * usually ends the whole job anyway). */
typedef struct pinn_team {
  int rank;
  int size;
  int (*allgather)(const double *send, size_t count, size_t *counts, double *recv, void *ctx);
  void *ctx;
} pinn_team;

/* Check a team: 1 <= size <= PINN_TEAM_MAX_SIZE, 0 <= rank < size,
 * allgather set.  0 or PINN_EINVAL with err saying what to fix. */
int pinn_team_check(const pinn_team *team, pinn_error *err);

/* The maximum over the team of n values v[0..n-1] (n <= 8), in place
 * (identical on every rank).  0 or the allgather's failure as PINN_EFAILED. */
int pinn_team_max(const pinn_team *team, size_t n, double *v, pinn_error *err);

PINN_END_DECLS
#endif
