/* libpinn — teams of processes (see include/pinn/team.h; the evaluation
 * split lives in lib/loss.c, the reduction tree in lib/reduce.c). */
#include <pinn/team.h>

#include <stdlib.h>

int pinn_team_check(const pinn_team *team, pinn_error *err)
{
  if (!team) return pinn_error_set(err, PINN_EINVAL, "team is NULL");
  if (team->size < 1 || team->size > PINN_TEAM_MAX_SIZE)
    return pinn_error_set(err, PINN_EINVAL, "team size %d: use 1 to %d ranks", team->size,
                          PINN_TEAM_MAX_SIZE);
  if (team->rank < 0 || team->rank >= team->size)
    return pinn_error_set(err, PINN_EINVAL, "team rank %d is not in 0..%d", team->rank,
                          team->size - 1);
  if (!team->allgather)
    return pinn_error_set(err, PINN_EINVAL, "team has no allgather callback");
  if (!team->send != !team->recv)
    return pinn_error_set(err, PINN_EINVAL, "team has %s but no %s callback: give both or neither",
                          team->send ? "send" : "recv", team->send ? "recv" : "send");
  return PINN_SUCCESS;
}

int pinn_team_max(const pinn_team *team, size_t n, double *v, pinn_error *err)
{
  int st = pinn_team_check(team, err);
  if (st) return st;
  if (n == 0 || team->size == 1) return PINN_SUCCESS;
  if (n > 8 || !v) return pinn_error_set(err, PINN_EINVAL, "pinn_team_max: give 1 to 8 values");
  size_t counts[PINN_TEAM_MAX_SIZE];
  double *all = malloc((size_t)team->size * n * sizeof *all);
  if (!all) return pinn_error_set(err, PINN_ENOMEM, "pinn_team_max: out of memory");
  if (team->allgather(v, n, counts, NULL, team->ctx) ||
      team->allgather(v, n, counts, all, team->ctx)) {
    free(all);
    return pinn_error_set(err, PINN_EFAILED, "the team exchange of rank %d failed", team->rank);
  }
  for (int r = 0; r < team->size; ++r)
    for (size_t k = 0; k < n; ++k)
      if (all[(size_t)r * n + k] > v[k]) v[k] = all[(size_t)r * n + k];
  free(all);
  return PINN_SUCCESS;
}
