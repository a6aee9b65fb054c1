#!/usr/bin/env bash
# Install what is missing, build (Release, -march=native), and run the main
# job: for now the jet-engine benchmark of the Burgers PINN (the solver
# replaces it as soon as `pinn solve` lands).
set -euo pipefail
cd "$(dirname "$0")/.."
bash apps/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
export OPENBLAS_NUM_THREADS=1
./build/bench_burgers --threads "$(nproc 2>/dev/null || echo 2)"
