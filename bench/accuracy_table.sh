#!/usr/bin/env bash
# High-accuracy training on the bundled problems: each problem solved with its
# defaults followed by a dense self-scaled quasi-Newton phase (SSBroyden), and
# with its defaults alone (L-BFGS), within the time limits of the issue
# "High-accuracy training".  Prints a markdown table: problem x optimizer ->
# rel. L2 error, iterations, seconds.  Needs a Release build (${PINN:-build/pinn}).
# Usage: bash bench/accuracy_table.sh [problem ...]   (default: all five)
set -uo pipefail
cd "$(dirname "$0")/.."
pinn=${PINN:-build/pinn}
export OPENBLAS_NUM_THREADS=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# problem | target | seconds | extra options for the high-accuracy run
table='poisson1d|1e-8|60|--iters 1000 --then ssbroyden:20000
poisson2d|1e-7|600|--iters 1000 --then ssbroyden:20000
helmholtz2d|1e-6|600|--iters 1000 --then ssbroyden:20000
burgers1d|1e-5|600|--iters 1000 --then ssbroyden:20000
heat1d|1e-6|600|--then ssbroyden:20000'
want=("$@")
printf '| problem | optimizer | target | rel. L2 | iterations | seconds | reached |\n|---|---|---|---|---|---|---|\n'
while IFS='|' read -r name target budget extra; do
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
  for variant in lbfgs ssbroyden; do
    opts="--quiet --no-output --time-budget $budget"
    [ "$variant" = ssbroyden ] && opts="$opts $extra"
    line=$("$pinn" solve "$name" $opts 2>"$out/err" | tail -n 1)
    if [ -z "$line" ]; then
      printf '| %s | %s | %s | (failed: %s) | | | |\n' "$name" "$variant" "$target" "$(head -c 120 "$out/err")"
      continue
    fi
    err=$(sed -n 's/.*rel_l2_error=\([^ ]*\).*/\1/p' <<<"$line")
    it=$(sed -n 's/.*iterations=\([^ ]*\).*/\1/p' <<<"$line")
    sec=$(sed -n 's/.*seconds=\([^ ]*\).*/\1/p' <<<"$line")
    ok=$(awk -v e="$err" -v t="$target" 'BEGIN { print (e + 0 <= t + 0) ? "yes" : "no" }')
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$variant" "$target" "$err" "$it" "$sec" "$ok"
  done
done <<<"$table"
