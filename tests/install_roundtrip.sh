#!/usr/bin/env bash
# Install libpinn to a temporary prefix and build a user's program against
# it, once with pkg-config and once with CMake's find_package(pinn).
set -euo pipefail
src=$1
bld=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$bld" --prefix "$tmp/prefix" > "$tmp/install.log"
test -f "$tmp/prefix/include/pinn/pinn.h"
test -f "$tmp/prefix/lib/pkgconfig/pinn.pc" || test -f "$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig/pinn.pc"
pcdir=$(dirname "$(find "$tmp/prefix" -name pinn.pc | head -n1)")
cat > "$tmp/my.c" <<'C'
#include <pinn/pinn.h>
#include <math.h>
#include <stdio.h>
int main(void)
{
  size_t sizes[] = {1, 8, 1};
  pinn_mlp_layout lay = {3, sizes, NULL, 0};
  pinn_error err;
  pinn_mlp *net = pinn_mlp_alloc(&lay, &err);
  if (!net) { fprintf(stderr, "%s\n", err.msg); return 1; }
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&s, 0);
  double x = 0.3, j[2], xp = 0.3 + 1e-6, xm = 0.3 - 1e-6, up, um;
  pinn_mlp_jets(net, &s, 1, &x, j);
  pinn_mlp_eval(net, 1, &xp, &up);
  pinn_mlp_eval(net, 1, &xm, &um);
  double fd = (up - um) / 2e-6;
  printf("libpinn %s u=%.6f u_x=%.6f fd=%.6f\n", pinn_version(), j[0], j[1], fd);
  gsl_rng_free(r);
  pinn_mlp_free(net);
  return fabs(fd - j[1]) < 1e-6 ? 0 : 1;
}
C
# 1. pkg-config
cc -std=c11 -Wall -Wextra -Wpedantic -Werror "$tmp/my.c" -o "$tmp/my_pc" \
  $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs pinn)
"$tmp/my_pc"
# 2. find_package(pinn)
mkdir -p "$tmp/proj"
cp "$tmp/my.c" "$tmp/proj/my.c"
cat > "$tmp/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(user_of_pinn C)
find_package(pinn REQUIRED)
add_executable(my my.c)
target_link_libraries(my PRIVATE pinn::pinn)
CM
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/cfg.log"
cmake --build "$tmp/proj/build" > "$tmp/build.log"
"$tmp/proj/build/my"
# 3. a user's problem as a plugin of the installed pinn CLI
cc -std=c11 -Wall -Wextra -Wpedantic -Werror -shared -fPIC -O2 "$src/tests/plugin_example.c" \
  -o "$tmp/my_problem.so" $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs pinn)
(cd "$tmp" && "$tmp/prefix/bin/pinn" solve --plugin ./my_problem.so --quiet --no-output --adam 200 --iters 300 > summary.txt)
cat "$tmp/summary.txt"
grep -q '^problem=cubic1d ' "$tmp/summary.txt"
err=$(sed -n 's/.*rel_l2_error=\([^ ]*\).*/\1/p' "$tmp/summary.txt")
awk -v e="$err" 'BEGIN { exit !(e + 0 < 1e-3) }'
echo "install round trip: ok"
