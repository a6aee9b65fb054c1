/* pinn under an MPI launcher: `mpirun -np N pinn solve ...` (see apps/cli.h). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef PINN_HAVE_MPI
#include <mpi.h>
#include <pinn/team_mpi.h>
#endif

/* Set by every launcher in each process it starts (Open MPI's mpirun, MPICH's
 * Hydra, PMIx launchers such as Slurm's srun --mpi=pmix); a batch job's own
 * variables (SLURM_NTASKS) are not, so a plain `pinn solve` inside a job
 * script stays one process. */
static int launched(void)
{
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int pinn_cli_mpi_begin(int *argc, char ***argv, pinn_cli_mpi *m)
{
  m->active = 0;
  m->team = NULL;
  if (!launched()) return 0;
#ifdef PINN_HAVE_MPI
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fprintf(stderr, "pinn: MPI_Init_thread failed\n");
    return 1;
  }
  m->active = 1;
  if (provided < MPI_THREAD_FUNNELED) {
    fprintf(stderr, "pinn: this MPI gives no MPI_THREAD_FUNNELED support (OpenMP threads "
                    "beside MPI); rebuild MPI with threads\n");
    MPI_Finalize();
    m->active = 0;
    return 1;
  }
  pinn_team_mpi_ctx *c = malloc(sizeof *c);
  pinn_team *t = malloc(sizeof *t);
  if (!c || !t) {
    free(c);
    free(t);
    fprintf(stderr, "pinn: out of memory\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  *t = pinn_team_mpi(MPI_COMM_WORLD, c);
  m->ctx = c;
  m->team_store = t;
  m->team = t->size > 1 ? t : NULL;
  m->rank = t->rank;
  return 0;
#else
  (void)argc, (void)argv;
  const char *n = getenv("OMPI_COMM_WORLD_SIZE");
  if (n && atoi(n) <= 1) return 0; /* mpirun -np 1: one process anyway */
  fprintf(stderr, "pinn: started by an MPI launcher, but this pinn was built without MPI "
                  "(install libopenmpi-dev and rebuild: cmake finds it); every rank would run "
                  "the whole solve alone\n");
  return 1;
#endif
}

void pinn_cli_mpi_end(pinn_cli_mpi *m)
{
#ifdef PINN_HAVE_MPI
  if (m->active) {
    pinn_team_mpi_free(m->ctx);
    free(m->ctx);
    free(m->team_store);
    MPI_Finalize();
  }
#endif
  m->active = 0;
  m->team = NULL;
}
