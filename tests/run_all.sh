#!/usr/bin/env bash
# Install what is missing, build, and run every test: the Release build
# (ctest: unit tests, CLI table, install round trip, fuzzing, ParaView, MPI), the
# whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer, and
# one short solve of a portable build under valgrind's memcheck.
#
# Packages beyond the build's own (apps/install-deps.sh), one per tool the
# tests call: clang + libclang-rt-14-dev (libFuzzer: ctest -L fuzz), paraview
# + python3-paraview (pvpython: ctest -L paraview) with python3-h5py and
# python3-numpy (tests/paraview_solve_check.py reads the .h5 files with them),
# xvfb (xvfb-run, for apps/pinn-render.py), valgrind (the last step).
set -euo pipefail
cd "$(dirname "$0")/.."
bash apps/install-deps.sh clang libclang-rt-14-dev paraview python3-paraview python3-h5py \
  python3-numpy xvfb valgrind
jobs=$(nproc 2>/dev/null || echo 2)
export OPENBLAS_NUM_THREADS=1
# ctest runs $jobs tests at once, each with OpenMP threads of its own: waiting
# threads that spin would take the cores from the other test (README: a busy
# machine).  Results do not depend on it (bitwise the same for any thread count).
export OMP_WAIT_POLICY=passive
start=$SECONDS
echo "== Release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
elapsed() { echo "$(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"; }
echo "== ASan + UBSan build (after $(elapsed))"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPINN_SANITIZE=ON -DPINN_NATIVE=OFF > /dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'slow|paraview|fuzz|install'
echo "== valgrind: a portable build of the pinn CLI, one short solve (after $(elapsed))"
# valgrind cannot run the default build: -march=native emits AVX-512 where the
# CPU has it, which valgrind does not emulate.  PINN_NATIVE=OFF builds for
# baseline x86-64.  The solve writes the result file, its sidecar and a
# checkpoint, so uninitialised bytes that reach a file are reported too.
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPINN_NATIVE=OFF \
  -DPINN_BUILD_TESTS=OFF -DPINN_BUILD_BENCH=OFF > /dev/null
cmake --build build-valgrind -j"$jobs" --target pinn_cli
vtmp=$(mktemp -d)
trap 'rm -rf "$vtmp"' EXIT
# passive OpenMP waiting: valgrind runs one thread at a time, and a spinning
# worker would only burn the time slices of the others.  The iteration limits
# end it (80 iterations, ~1 min); --checkpoint-every keeps the checkpoint, so
# the bytes of every file written are checked.
OMP_WAIT_POLICY=passive valgrind -q --error-exitcode=1 --leak-check=full \
  --errors-for-leak-kinds=definite \
  build-valgrind/pinn solve poisson1d --adam 50 --iters 30 --then none \
  --checkpoint-every 20 --quiet --out "$vtmp/x.h5"
for f in x.h5 x.xmf x.ckpt.h5; do
  [ -s "$vtmp/$f" ] || { echo "run_all: the valgrind solve did not write $f" >&2; exit 1; }
done
echo "run_all: every test passed ($(elapsed) after installing)"
