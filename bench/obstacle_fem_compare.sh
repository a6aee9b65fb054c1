#!/usr/bin/env bash
# libpinn vs a finite-element primal-dual active-set solver (FreeFEM, P1
# elements, bench/fem/*.edp) on the bundled obstacle problems obstacle2d,
# membrane2d, obstacle1d and torsion (issue 19): one table of problem,
# method, setting, rel. L2 error, free-boundary error (Hausdorff distance of
# the computed contact set's boundary to the exact free boundary) and
# seconds, FEM and libpinn timed in the same run.
#
# FreeFEM is an optional benchmark dependency (Debian package freefem++),
# never needed by the library, the build or the tests: this script installs
# it when FreeFem++-nw is missing (apt-get install -y freefem++, as root) and
# stops with a message otherwise.
#
# Environment:
#   BUILD=build          the Release build holding pinn
#   PROBLEMS="obstacle2d membrane2d obstacle1d torsion"
#   LEVELS_<problem>     FEM refinement levels (defaults below; each level halves h)
#   QUICK=1              FEM levels 0 1 only and no pinn runs (checks the set-up in seconds)
#   PINN_VARIANTS        ';'-separated "label|extra pinn solve options" (default: the tuned
#                        defaults, and the same without the final SSBroyden phase);
#                        PINN_VARIANTS=none skips libpinn
#   THREADS              passed to pinn solve --threads (default: pinn's own)
# Columns: wall_s is the wall time of the whole process (FreeFem++ start-up,
# mesh, assembly, active-set loop and error evaluation; pinn solve start to
# end); solve_s is the solver's own figure (FEM: CPU time of mesh, assembly
# and active-set loop; pinn: the training time it reports).  Run it on a
# quiet machine; the figures of one run are comparable with each other only.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
problems=${PROBLEMS:-"obstacle2d membrane2d obstacle1d torsion"}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

# FEM levels: obstacle2d 2 3 4 are N = 80, 160, 320 (rel. L2 6.7e-4, 1.7e-4, 4.2e-5: the
# order of the 9.6e-4 / 2.5e-4 / 6.6e-5 quoted in issue 19); the others to similar errors
: "${LEVELS_obstacle2d:=2 3 4}"
: "${LEVELS_membrane2d:=3 4 5}"
: "${LEVELS_torsion:=2 3 4}"
: "${LEVELS_obstacle1d:=2 4 6}"
variants=${PINN_VARIANTS:-"default|;no-ssbroyden|--then none"}
if [ "${QUICK:-0}" = 1 ]; then
  for p in obstacle2d membrane2d torsion obstacle1d; do declare "LEVELS_$p=0 1"; done
  variants=none
fi

ff=$(command -v FreeFem++-nw || true)
if [ -z "$ff" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "obstacle_fem_compare: installing freefem++ (apt-get install -y freefem++)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y freefem++ > /dev/null ||
      { echo "obstacle_fem_compare: apt-get install freefem++ failed" >&2; exit 1; }
    ff=$(command -v FreeFem++-nw || true)
  fi
  if [ -z "$ff" ]; then
    echo "obstacle_fem_compare: FreeFEM (FreeFem++-nw) is missing; install the Debian package" \
         "freefem++ (apt-get install freefem++, as root) and run again" >&2
    exit 1
  fi
fi
if [ "$variants" != none ] && [ ! -x "$build/pinn" ]; then
  echo "obstacle_fem_compare: $build/pinn not found (build first, or PINN_VARIANTS=none)" >&2
  exit 1
fi

now() { date +%s.%N; }
# the value of key=VALUE in a line of key=value pairs
field() { tr ' ' '\n' <<< "$2" | sed -n "s/^$1=//p" | head -n 1; }
row() { printf '%-11s %-8s %-34s %-11s %-11s %-8s %s\n' "$@"; }

row problem method setting rel_l2 free_bdry wall_s solve_s
for p in $problems; do
  levels_var="LEVELS_$p"
  for L in ${!levels_var}; do
    t0=$(now)
    out=$("$ff" -nw -v 0 "bench/fem/$p.edp" -level "$L" 2>&1) ||
      { echo "$out" >&2; echo "obstacle_fem_compare: bench/fem/$p.edp -level $L failed" >&2; exit 1; }
    t1=$(now)
    line=$(grep '^fem problem=' <<< "$out" | tail -n 1)
    [ -n "$line" ] || { echo "$out" >&2; echo "obstacle_fem_compare: no result line" >&2; exit 1; }
    setting="P1 L$L dofs=$(field dofs "$line") it=$(field iterations "$line")"
    row "$p" fem "$setting" "$(printf %.2e "$(field rel_l2 "$line")")" \
      "$(printf %.2e "$(field free_boundary_error "$line")")" \
      "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
      "$(printf %.2f "$(field cpu_seconds "$line")")"
  done
  [ "$variants" = none ] && continue
  IFS=';' read -r -a vs <<< "$variants"
  for v in "${vs[@]}"; do
    label=${v%%|*} extra=${v#*|}
    args=(solve "$p" --quiet --no-output --no-checkpoint)
    [ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
    # shellcheck disable=SC2206  # extra options are words
    [ -n "$extra" ] && args+=($extra)
    t0=$(now)
    out=$("$build/pinn" "${args[@]}" 2>&1) ||
      { echo "$out" >&2; echo "obstacle_fem_compare: pinn ${args[*]} failed" >&2; exit 1; }
    t1=$(now)
    line=$(grep '^problem=' <<< "$out" | tail -n 1)
    row "$p" libpinn "$label" "$(printf %.2e "$(field rel_l2_error "$line")")" \
      "$(printf %.2e "$(field free_boundary_error "$line")")" \
      "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
      "$(printf %.2f "$(field seconds "$line")")"
  done
done
