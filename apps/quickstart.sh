#!/usr/bin/env bash
# Install what is missing, build (Release, -march=native), and solve the
# default bundled problem, burgers1d: prints its progress and error, and
# writes burgers1d.h5 + burgers1d.xmf (open the .xmf in ParaView) in the
# current folder.
set -euo pipefail
here=$(pwd)
cd "$(dirname "$0")/.."
bash apps/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
export OPENBLAS_NUM_THREADS=1
cd "$here"
"$OLDPWD/build/pinn" solve burgers1d --out burgers1d.h5
