#!/usr/bin/env bash
# High-accuracy training on the bundled problems of the issue "High-accuracy
# training", within its time limits: each problem solved
#   lbfgs      Adam, then L-BFGS alone for the whole budget
#              (`--then none --iters 1000000`: the default's SSBroyden phase dropped)
#   ssbroyden  the problem's defaults: Adam, a short L-BFGS, then SSBroyden on the
#              dense inverse Hessian until no progress or the budget
# and printed as a markdown table: problem x optimizer -> rel. L2, iterations,
# seconds, target reached?  Needs a Release build (${PINN:-build/pinn}).
#
# Usage: bash bench/accuracy_table.sh [problem ...]   (default: all five)
# Environment: PINN (the CLI), PINN_SOLVE_ARGS (extra options for every run,
# e.g. "--threads 1"), VARIANTS (default "lbfgs ssbroyden").
# The README's figures: two instances at a time, PINN_SOLVE_ARGS="--threads 1".
set -uo pipefail
cd "$(dirname "$0")/.."
pinn=${PINN:-build/pinn}
extra_all=${PINN_SOLVE_ARGS:-}
variants=${VARIANTS:-lbfgs ssbroyden}
export OPENBLAS_NUM_THREADS=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# problem | target | seconds
table='poisson1d|1e-8|60
poisson2d|1e-7|600
helmholtz2d|1e-6|600
burgers1d|1e-5|600
heat1d|1e-6|600'
want=("$@")
printf '| problem | optimizer | target | rel. L2 | iterations | seconds | stop | reached |\n|---|---|---|---|---|---|---|---|\n'
while IFS='|' read -r name target budget; do
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
  for variant in $variants; do
    opts="--quiet --no-output --time-budget $budget $extra_all"
    [ "$variant" = lbfgs ] && opts="$opts --then none --iters 1000000"
    # shellcheck disable=SC2086
    line=$("$pinn" solve "$name" $opts 2>"$out/err" | tail -n 1)
    if [ -z "$line" ]; then
      printf '| %s | %s | %s | (failed: %s) | | | | |\n' "$name" "$variant" "$target" "$(head -c 120 "$out/err")"
      continue
    fi
    err=$(sed -n 's/.*rel_l2_error=\([^ ]*\).*/\1/p' <<<"$line")
    it=$(sed -n 's/.*iterations=\([^ ]*\).*/\1/p' <<<"$line")
    sec=$(sed -n 's/.*seconds=\([^ ]*\).*/\1/p' <<<"$line")
    stop=$(sed -n 's/.*stop=\([^ ]*\).*/\1/p' <<<"$line")
    ok=$(awk -v e="$err" -v t="$target" 'BEGIN { print (e + 0 <= t + 0) ? "yes" : "no" }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$variant" "$target" "$err" "$it" "$sec" "$stop" "$ok"
  done
done <<<"$table"
