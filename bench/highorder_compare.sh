#!/usr/bin/env bash
# libpinn vs PyTorch on one loss-and-gradient evaluation of the fourth-order
# problems beam1d (u'''' = q, network [1, 20x2, 1], 204 points) and plate2d
# (biharmonic, network [2, 30x3, 1], 2800 points) in their default
# configurations, at 1 and 2 threads, with their ratio.  Needs a Release
# build in ${BUILD:-build} and Debian's python3-torch for the PyTorch side;
# with python3-h5py both sides evaluate the same network on the same points
# (a one-iteration `pinn solve` writes them; bench/highorder_torch.py --check
# first verifies, untimed, that its loss equals libpinn's there and that its
# derivatives match `pinn eval`'s), without it PyTorch draws its own points
# (same counts).  PyTorch is timed with both of its batchings (every term in
# one batch, or interior and boundary apart) and the faster counts.  Run it
# on a quiet machine: both sides are timed as medians of REPEATS (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
repeats=${REPEATS:-20}
export OPENBLAS_NUM_THREADS=1
py=/usr/bin/python3
have_torch=0 have_h5py=0
$py -c 'import torch' 2>/dev/null && have_torch=1
$py -c 'import h5py' 2>/dev/null && have_h5py=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A model
for p in beam1d plate2d; do
  model[$p]=""
  if [ "$have_torch" = 1 ] && [ "$have_h5py" = 1 ]; then
    # one Adam iteration keeps the initial network (the best point seen) and
    # writes it with every term's points; pinn bench uses the same (seed 1)
    "$build/pinn" solve "$p" --adam 1 --iters 0 --threads 1 --quiet --no-checkpoint \
      --out "$tmp/$p.h5" > /dev/null
    if ! $py bench/highorder_torch.py --problem "$p" --check --model "$tmp/$p.h5" \
         --pinn "$build/pinn" > "$tmp/$p.check" 2>&1; then
      cat "$tmp/$p.check" >&2
      echo "highorder_compare: $p: the PyTorch loss does not match libpinn's" >&2
      exit 1
    fi
    echo "$p: $(grep '^loss_torch=' "$tmp/$p.check") (check=ok)"
    model[$p]="--model $tmp/$p.h5"
  fi
done
[ "$have_torch" = 1 ] && [ "$have_h5py" = 0 ] &&
  echo "(no h5py: PyTorch draws its own points and weights, same counts and network)"

printf '%-8s %-8s %-14s %-14s %-9s %s\n' problem threads libpinn_s pytorch_s speedup torch_batch
for p in beam1d plate2d; do
  for t in 1 2; do
    ours=$("$build/pinn" bench "$p" --threads "$t" --repeats "$repeats" | sed -n 's/^s_per_eval=//p')
    if [ "$have_torch" = 1 ]; then
      theirs="" batch=""
      for b in joint split; do
        # shellcheck disable=SC2086  # ${model[$p]} is empty or two words
        s=$($py bench/highorder_torch.py --problem "$p" --threads "$t" --repeats "$repeats" \
              --batch "$b" ${model[$p]} | sed -n 's/^s_per_eval=//p')
        if [ -z "$theirs" ] || awk -v a="$s" -v b="$theirs" 'BEGIN { exit !(a < b) }'; then
          theirs=$s batch=$b
        fi
      done
      ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')
    else
      theirs="(no torch)" ratio="-" batch="-"
    fi
    printf '%-8s %-8s %-14s %-14s %-9s %s\n' "$p" "$t" "$ours" "$theirs" "$ratio" "$batch"
  done
done
