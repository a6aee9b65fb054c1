/* The pinn command-line tool: one function per subcommand (apps/cmd_*.c).
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status: 0 success, 1 failure
 * of the run, 2 bad usage (a one-line message on stderr saying what is
 * wrong and what is accepted).  apps/pinn.c dispatches. */
#ifndef PINN_CLI_H
#define PINN_CLI_H

#include <stddef.h>

#include <pinn/team.h>

int pinn_cmd_list(int argc, char **argv);
/* team: the MPI ranks solving together (NULL: one process); only rank 0
 * prints and writes files. */
int pinn_cmd_solve(int argc, char **argv, const pinn_team *team);
int pinn_cmd_bench(int argc, char **argv, const pinn_team *team);
int pinn_cmd_eval(int argc, char **argv);
int pinn_cmd_info(int argc, char **argv);

/* MPI (apps/cli_mpi.c): when this process was started by an MPI launcher
 * (mpirun, srun), begin initialises MPI and gives the team of
 * MPI_COMM_WORLD (team NULL for one rank or no launcher); returns 0, or 1
 * after printing why (a launcher but no MPI in this build).  end finalises. */
typedef struct pinn_cli_mpi {
  int active;              /* MPI was initialised */
  int rank;
  const pinn_team *team;   /* NULL unless more than one rank */
  void *ctx, *team_store;
} pinn_cli_mpi;
int pinn_cli_mpi_begin(int *argc, char ***argv, pinn_cli_mpi *m);
void pinn_cli_mpi_end(pinn_cli_mpi *m);

/* Shared helpers (apps/cli_util.c). */
/* Print "pinn <cmd>: <message>" to stderr and return 2. */
int pinn_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Strict number parsing: the whole string, finite, within [lo, hi]. 0 on success. */
int pinn_cli_parse_double(const char *s, double lo, double hi, double *out);
int pinn_cli_parse_size(const char *s, size_t lo, size_t hi, size_t *out);

#include <pinn/solve.h>
/* Build a bundled problem (name) or a plugin's (path to a .so exporting
 * pinn_plugin_create), filling its tuned defaults into *cfg.  What create
 * returns is checked before anything indexes it: a nonzero status without a
 * message is reported with its code and pinn_strerror text; a problem with a
 * recorded setup error (pinn_problem_status) is refused with that error; and
 * the configuration must pass pinn_solve_check.  Returns 0, or the exit
 * status after printing the error (2 for an unknown name or a bad plugin, 1
 * when the problem's own setup failed).  *dl receives the plugin handle
 * (close with pinn_cli_close_plugin after freeing the problem). */
int pinn_cli_create_problem(const char *cmd, const char *name, const char *plugin,
                            pinn_problem **p, pinn_solve_config *cfg, void **dl);
void pinn_cli_close_plugin(void *dl);

/* The input of p named before the '=' of "IN=..." (arg) of option opt
 * (want: the accepted form, for the message): its index, or -1 after a
 * usage error naming p's inputs. */
int pinn_cli_input_of(const char *cmd, const pinn_problem *p, const char *opt, const char *arg,
                      const char *want);
/* --fourier m=M,sigma=S[,seed=N] | off (m=0): random Fourier features into
 * *f (its seed stays as given when arg has none: the caller's default).
 * --fourier-axis IN=K: K fixed frequencies of input IN.  0 or the usage
 * status (2) after the message. */
int pinn_cli_fourier(const char *cmd, const char *arg, pinn_fourier *f);
int pinn_cli_fourier_axis(const char *cmd, const pinn_problem *p, const char *arg, pinn_fourier *f);

#endif
