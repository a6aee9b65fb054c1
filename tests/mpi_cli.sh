#!/usr/bin/env bash
# The pinn CLI under mpirun (tests/mpi.cmake): 2 and 3 ranks give the summary
# and the network of 1 process (2 also with held-out data and a validation
# stop); a run stopped by SIGTERM to its ranks exits 130
# with its checkpoint, which 1 process resumes to the uninterrupted result;
# a callback failing on one rank's points ends the job with exit 1 and the
# message once.  Usage: mpi_cli.sh PINN SRC
set -euo pipefail
pinn=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
run2() { mpirun -np 2 --oversubscribe "$pinn" solve "$@"; }
strip() { sed -e 's/ seconds=[^ ]*//' "$1"; }
short=(--threads 1 --adam 100 --iters 100 --last-iters 50 --quiet)

# 1. 2 ranks = 1 process: the summary (but seconds) and the trained network
"$pinn" solve heat1d "${short[@]}" --out one.h5 > one.txt
run2 heat1d "${short[@]}" --out two.h5 > two.txt
test "$(wc -l < two.txt)" -eq 1 # one summary line, from rank 0
diff <(strip one.txt) <(strip two.txt)
printf 'x,t\n0.25,0.5\n0.5,0.125\n0.8,0.9\n' > pts.csv
"$pinn" eval one.h5 --points pts.csv --derivatives > e1.csv
"$pinn" eval two.h5 --points pts.csv --derivatives > e2.csv
cmp e1.csv e2.csv
echo "mpi_cli: 2 ranks = 1 process: ok ($(cat two.txt))"
# 3 ranks (a binomial tree with a missing branch) and the network
mpirun -np 3 --oversubscribe "$pinn" solve heat1d "${short[@]}" --out three.h5 > three.txt
diff <(strip one.txt) <(strip three.txt)
"$pinn" eval three.h5 --points pts.csv --derivatives > e3.csv
cmp e1.csv e3.csv
echo "mpi_cli: 3 ranks = 1 process: ok"

# 1b. held-out data and the validation stop: the same split, losses and stop on 2 ranks
noisy=(burgers_inverse --layers 10x2 --points pde=200 --no-output --no-checkpoint --threads 1
       --quiet --set noise=0.05 --validation 0.2 --validation-patience 30 --adam 100 --iters 300)
"$pinn" solve "${noisy[@]}" > v1.txt
run2 "${noisy[@]}" > v2.txt
grep -q 'stop=validation$' v1.txt
diff <(strip v1.txt) <(strip v2.txt)
echo "mpi_cli: validation on 2 ranks = 1 process: ok"

# 2. SIGTERM to the ranks: exit 130, checkpoint and result kept; 1 process
# resumes it to the uninterrupted run's result
long=(--threads 1 --adam 1500 --iters 1500 --last-iters 50 --quiet --checkpoint-every 20)
"$pinn" solve heat1d "${long[@]}" --out full.h5 > full.txt
set +e
mpirun -np 2 --oversubscribe "$pinn" solve heat1d "${long[@]}" --out cut.h5 > cut.txt 2> cut.err &
job=$! # mpirun; the ranks are its children
for _ in $(seq 1 600); do [ -f cut.ckpt.h5 ] && break; sleep 0.1; done
sleep 1
# the ranks, not mpirun (as Slurm's scancel does; README): mpirun's children,
# found in /proc (a minimal system has no pkill)
kids=""
for st in /proc/[0-9]*/stat; do
  read -r pid _ _ ppid _ < "$st" 2> /dev/null || continue
  [ "$ppid" = "$job" ] && kids="$kids $pid"
done
[ -n "$kids" ] || { echo "mpi_cli: no rank processes under mpirun $job"; exit 1; }
kill -TERM $kids
wait $job
rc=$?
set -e
test "$rc" -eq 130 || { echo "mpi_cli: interrupted job exited $rc, want 130"; cat cut.err; exit 1; }
grep -q 'stop=interrupted' cut.txt || { echo "mpi_cli: no stop=interrupted summary"; cat cut.txt cut.err; exit 1; }
test -f cut.ckpt.h5 && test -f cut.h5 || { echo "mpi_cli: checkpoint or result missing"; ls; cat cut.err; exit 1; }
"$pinn" solve heat1d "${long[@]}" --out rest.h5 --resume cut.ckpt.h5 > rest.txt
diff <(strip full.txt) <(strip rest.txt)
echo "mpi_cli: SIGTERM at 2 ranks, resumed at 1: ok"

# 3. a callback failing at x >= 0.9 (some rank's points): exit 1, one message
cc -std=c11 -shared -fPIC -O2 -DFAULT=5 "$src/tests/plugin_faulty.c" -o f5.so -I"$src/include"
set +e
run2 --plugin ./f5.so --threads 1 --quiet --no-output > f5.out 2> f5.err
rc=$?
set -e
{ test "$rc" -eq 1 && test "$(grep -c "^pinn solve: .*term 'pde' at x=" f5.err)" -eq 1 &&
  grep -q 'returned 5' f5.err; } || { echo "mpi_cli: failing plugin: exit $rc"; cat f5.out f5.err; exit 1; }
"$pinn" solve --plugin ./f5.so --threads 1 --quiet --no-output > f1.out 2> f1.err || true
diff <(grep '^pinn solve:' f1.err) <(grep '^pinn solve:' f5.err) # the one-process message
echo "mpi_cli: a failing callback: ok"
