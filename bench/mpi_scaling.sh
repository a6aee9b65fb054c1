#!/usr/bin/env bash
# Scaling of one loss-and-gradient evaluation over MPI ranks and OpenMP
# threads (`pinn bench` under mpirun; README "Running on several processes").
#   strong: burgers1d's network with 10^4 and 10^5 collocation points at
#           1 x 1, 1 x 2 (threads), 2 x 1 (ranks) — speedup against 1 x 1;
#   weak:   csg3d (3-D, 3 x 20 tanh) with 10^6 points per rank, 1 and 2 ranks:
#           seconds per evaluation and the largest resident size of a rank.
# Needs a Release build with MPI in ${BUILD:-build}.  Run it on a quiet
# machine (nothing else running): every figure is a median of R repeats.
set -euo pipefail
cd "$(dirname "$0")/.."
pinn=${BUILD:-build}/pinn
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=passive
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
mpi() { mpirun -np "$1" --oversubscribe --bind-to none "${@:2}"; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" | tail -1; }
printf '%-8s %-10s %-7s %-8s %-12s %-8s %s\n' problem points ranks threads s_per_eval speedup rss_mb
for n in 10000 100000; do
  base=""
  for rt in "1 1" "1 2" "2 1"; do
    set -- $rt
    if [ "$1" = 1 ]; then out=$("$pinn" bench burgers1d --points "$n" --threads "$2" --repeats 20)
    else out=$(mpi "$1" "$pinn" bench burgers1d --points "$n" --threads "$2" --repeats 20); fi
    s=$(echo "$out" | field s_per_eval); rss=$(echo "$out" | field rss_mb)
    [ -z "$base" ] && base=$s
    printf '%-8s %-10s %-7s %-8s %-12s %-8s %s\n' burgers1d "$n" "$1" "$2" "$s" \
      "$(awk -v a="$base" -v b="$s" 'BEGIN { printf "%.2fx", a / b }')" "$rss"
  done
done
for r in 1 2; do
  n=$((1000000 * r))
  if [ "$r" = 1 ]; then out=$("$pinn" bench csg3d --points "$n" --threads 1 --repeats 3)
  else out=$(mpi "$r" "$pinn" bench csg3d --points "$n" --threads 1 --repeats 3); fi
  printf '%-8s %-10s %-7s %-8s %-12s %-8s %s\n' csg3d "$n" "$r" 1 "$(echo "$out" | field s_per_eval)" - \
    "$(echo "$out" | field rss_mb)"
done
