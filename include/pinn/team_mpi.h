/* libpinn — a team (pinn/team.h) over an MPI communicator.  Header only, so
 * libpinn itself does not link MPI: include it after <mpi.h> in an MPI
 * program (the pinn CLI does), link with MPI (mpicc).
 *
 *   MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
 *   pinn_team_mpi_ctx tc;
 *   pinn_team team = pinn_team_mpi(MPI_COMM_WORLD, &tc);
 *   cfg.team = &team;                  // pinn_solve; or pinn_loss_set_team
 *   ...
 *   MPI_Finalize();
 *
 * The all-gather is MPI_Allgather of the counts then MPI_Allgatherv of the
 * doubles (counts are sent as doubles: exact up to 2^53); the tree exchange
 * of an evaluation uses MPI_Send and MPI_Probe + MPI_Recv (tag
 * PINN_TEAM_MPI_TAG on the team's communicator).  Only the thread
 * that calls pinn_loss_eval / pinn_trainer_run communicates (OpenMP threads
 * never do), so MPI_THREAD_FUNNELED suffices.  A count above INT_MAX
 * doubles (16 GiB per rank per evaluation) is refused as a failure. */
#ifndef PINN_TEAM_MPI_H
#define PINN_TEAM_MPI_H

#include <limits.h>
#include <stdlib.h>
#include <pinn/team.h>

#ifndef MPI_VERSION
#error "include <mpi.h> before <pinn/team_mpi.h>"
#endif

/* The communicator and its scratch for the counts (a rank's ctx). */
typedef struct pinn_team_mpi_ctx {
  MPI_Comm comm;
  int size;
  int *icounts, *displs;
} pinn_team_mpi_ctx;

static inline int pinn_team_mpi_allgather_(const double *send, size_t count, size_t *counts,
                                           double *recv, void *ctx)
{
  pinn_team_mpi_ctx *c = (pinn_team_mpi_ctx *)ctx;
  if (count > (size_t)INT_MAX) return 1;
  double mine = (double)count;
  double *all = (double *)malloc((size_t)c->size * sizeof *all);
  if (!all) return 1;
  int rc = MPI_Allgather(&mine, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, c->comm);
  size_t total = 0;
  for (int r = 0; r < c->size && rc == MPI_SUCCESS; ++r) {
    counts[r] = (size_t)all[r];
    total += counts[r];
  }
  free(all);
  if (rc != MPI_SUCCESS || !recv) return rc != MPI_SUCCESS;
  if (total > (size_t)INT_MAX) return 1;
  if (!c->icounts) {
    c->icounts = (int *)malloc((size_t)c->size * sizeof *c->icounts);
    c->displs = (int *)malloc((size_t)c->size * sizeof *c->displs);
    if (!c->icounts || !c->displs) return 1;
  }
  int off = 0;
  for (int r = 0; r < c->size; ++r) {
    c->icounts[r] = (int)counts[r];
    c->displs[r] = off;
    off += c->icounts[r];
  }
  rc = MPI_Allgatherv(send, (int)count, MPI_DOUBLE, recv, c->icounts, c->displs, MPI_DOUBLE,
                      c->comm);
  return rc != MPI_SUCCESS;
}

#define PINN_TEAM_MPI_TAG 0x5049 /* "PI" */

static inline int pinn_team_mpi_send_(const double *buf, size_t count, int dest, void *ctx)
{
  pinn_team_mpi_ctx *c = (pinn_team_mpi_ctx *)ctx;
  if (count > (size_t)INT_MAX) return 1;
  return MPI_Send(buf, (int)count, MPI_DOUBLE, dest, PINN_TEAM_MPI_TAG, c->comm) != MPI_SUCCESS;
}

static inline int pinn_team_mpi_recv_(double *buf, size_t *count, int src, void *ctx)
{
  pinn_team_mpi_ctx *c = (pinn_team_mpi_ctx *)ctx;
  MPI_Status st;
  int n = 0;
  if (!buf) { /* wait for the message and read its size */
    if (MPI_Probe(src, PINN_TEAM_MPI_TAG, c->comm, &st) != MPI_SUCCESS ||
        MPI_Get_count(&st, MPI_DOUBLE, &n) != MPI_SUCCESS || n < 0)
      return 1;
    *count = (size_t)n;
    return 0;
  }
  if (*count > (size_t)INT_MAX) return 1;
  return MPI_Recv(buf, (int)*count, MPI_DOUBLE, src, PINN_TEAM_MPI_TAG, c->comm, &st) !=
         MPI_SUCCESS;
}

/* A team of the ranks of comm; ctx must outlive it.  Release with
 * pinn_team_mpi_free(ctx). */
static inline pinn_team pinn_team_mpi(MPI_Comm comm, pinn_team_mpi_ctx *ctx)
{
  pinn_team t;
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  ctx->comm = comm;
  ctx->size = size;
  ctx->icounts = ctx->displs = NULL;
  t.rank = rank;
  t.size = size;
  t.allgather = pinn_team_mpi_allgather_;
  t.ctx = ctx;
  t.send = pinn_team_mpi_send_;
  t.recv = pinn_team_mpi_recv_;
  return t;
}

static inline void pinn_team_mpi_free(pinn_team_mpi_ctx *ctx)
{
  free(ctx->icounts);
  free(ctx->displs);
  ctx->icounts = ctx->displs = NULL;
}

#endif
