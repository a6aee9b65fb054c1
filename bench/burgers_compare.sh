#!/usr/bin/env bash
# libpinn vs PyTorch on one loss-and-gradient evaluation of the Burgers PINN
# (network [2, 20x8, 1] tanh, 10000 collocation + 100 boundary points), at 1
# and 2 threads, with their ratio.  Needs a Release build in ${BUILD:-build}
# and Debian's python3-torch (apt-get install python3-torch) for the PyTorch
# side.  Run it on a quiet machine: both sides are timed as medians.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
export OPENBLAS_NUM_THREADS=1
have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1
printf '%-8s %-14s %-14s %s\n' threads libpinn_s pytorch_s speedup
for t in 1 2; do
  ours=$("$build/bench_burgers" --threads "$t" --repeats 30 | sed -n 's/^s_per_eval=//p')
  if [ "$have_torch" = 1 ]; then
    theirs=$(/usr/bin/python3 bench/burgers_torch.py --threads "$t" | sed -n 's/^s_per_eval=//p')
    ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')
  else
    theirs="(no torch)"; ratio="-"
  fi
  printf '%-8s %-14s %-14s %s\n' "$t" "$ours" "$theirs" "$ratio"
done
