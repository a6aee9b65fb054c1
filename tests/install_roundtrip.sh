#!/usr/bin/env bash
# Install libpinn to a temporary prefix and build a user's program against
# it: with a plain Makefile using pkg-config (shared and static libpinn),
# with CMake's find_package(pinn), and as a plugin of the installed CLI.
# The program solves a small problem and checks its error, checks the
# network's jets against finite differences, and checks that GSL's BLAS
# calls reach OpenBLAS (never gslcblas).
set -euo pipefail
src=$1
bld=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
cmake --install "$bld" --prefix "$prefix" > "$tmp/install.log"
test -f "$prefix/include/pinn/pinn.h"
pc=$(find "$prefix" -name pinn.pc | head -n1)
test -n "$pc"
pcdir=$(dirname "$pc")
libdir=$(cd "$pcdir/.." && pwd -P)
export PKG_CONFIG_PATH="$pcdir"

# 00. libpinn.so exports exactly what the installed headers declare: every
#     global symbol it defines is named in include/pinn (built with hidden
#     visibility; the public headers say PINN_BEGIN_DECLS), and it exports
#     a plausible number of them (a visibility slip exports hundreds more,
#     a broken macro none).
so=$(find "$prefix" -name 'libpinn.so' | head -n1)
test -n "$so"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u > "$tmp/exports.txt"
cat "$prefix"/include/pinn/*.h | grep -o -E '\bpinn_[A-Za-z0-9_]+\b' | sort -u > "$tmp/declared.txt"
undeclared=$(comm -23 "$tmp/exports.txt" "$tmp/declared.txt")
if [ -n "$undeclared" ]; then
  echo "libpinn.so exports symbols no installed header declares:"; echo "$undeclared"; exit 1
fi
nexp=$(wc -l < "$tmp/exports.txt")
echo "libpinn.so exports $nexp symbols, all declared in include/pinn"
[ "$nexp" -ge 200 ] || { echo "too few exported symbols ($nexp): the visibility macros are broken"; exit 1; }

# 0. What pinn.pc tells a user: no path of the build machine, no HDF5
#    internals (curl, crypto) and no static archive; the prefix is found from
#    the .pc file's folder (relocatable).
libs=$(pkg-config --libs pinn)
echo "pkg-config --libs pinn: $libs"
for w in $libs; do
  case $w in
    -L*)
      d=$(cd "${w#-L}" 2> /dev/null && pwd -P) || { echo "bad -L: $w"; exit 1; }
      [ "$d" = "$libdir" ] || { echo "foreign library folder in pinn.pc: $w"; exit 1; } ;;
    /*) echo "absolute path in pinn.pc: $w"; exit 1 ;;
    *.a) echo "static archive in pinn.pc: $w"; exit 1 ;;
  esac
done
if echo "$libs" | grep -q -E 'curl|crypto|gslcblas|\.a( |$)'; then
  echo "pinn.pc drags in a library it must not: $libs"
  exit 1
fi
if pkg-config --static --libs pinn | grep -q gslcblas; then
  echo "pkg-config --static --libs pinn names gslcblas"
  exit 1
fi
# nor does the installed CMake package carry this machine's paths
if grep -E '"/usr|;/usr|libcurl|libcrypto' "$libdir/cmake/pinn/pinnTargets.cmake"; then
  echo "pinnTargets.cmake carries absolute paths"
  exit 1
fi

mkdir -p "$tmp/user"
cat > "$tmp/user/my.c" <<'C'
/* A user's program: -u'' = pi^2 sin(pi x) on (0, 1), u(0) = u(1) = 0,
 * whose solution is sin(pi x). */
#define _GNU_SOURCE /* dladdr */
#include <pinn/pinn.h>
#include <dlfcn.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

static int residual(const double *x, const pinn_jet *u, const pinn_dual *coef, pinn_dual *r,
                    void *ctx)
{
  (void)coef;
  (void)ctx;
  r[0] = pd_subc(pd_neg(u->xx), PI * PI * sin(PI * x[0]));
  return 0;
}

static int exact(const double *x, double *u, void *ctx)
{
  (void)ctx;
  u[0] = sin(PI * x[0]);
  return 0;
}

/* The network's first derivative against a central difference. */
static int jets_match_finite_differences(void)
{
  size_t sizes[] = {1, 8, 1};
  pinn_mlp_layout lay = {3, sizes, NULL, 0, NULL};
  pinn_error err;
  pinn_mlp *net = pinn_mlp_alloc(&lay, &err);
  if (!net) return 0;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  pinn_mlp_init(net, PINN_INIT_XAVIER, r);
  pinn_jet_spec s = pinn_jet_spec_value();
  pinn_jet_spec_add_first(&s, 0);
  double x = 0.3, j[2], xp = 0.3 + 1e-6, xm = 0.3 - 1e-6, up, um;
  pinn_mlp_jets(net, &s, 1, &x, j);
  pinn_mlp_eval(net, 1, &xp, &up);
  pinn_mlp_eval(net, 1, &xm, &um);
  double fd = (up - um) / 2e-6;
  printf("u=%.6f u_x=%.6f fd=%.6f\n", j[0], j[1], fd);
  gsl_rng_free(r);
  pinn_mlp_free(net);
  return fabs(fd - j[1]) < 1e-6;
}

int main(void)
{
  gsl_set_error_handler_off();
  Dl_info info;
  void *f = dlsym(RTLD_DEFAULT, "cblas_dgemm");
  if (!f || !dladdr(f, &info) || !strstr(info.dli_fname, "openblas")) {
    fprintf(stderr, "GSL's cblas_dgemm is %s, not OpenBLAS's\n", f ? info.dli_fname : "missing");
    return 1;
  }
  if (!jets_match_finite_differences()) return 1;
  pinn_error err;
  pinn_problem *p = pinn_problem_alloc("sine1d", 1, 0, 1, &err);
  pinn_domain dom;
  if (!p || pinn_domain_interval(&dom, 0.0, 1.0, &err) || pinn_problem_set_domain(p, &dom)
      || pinn_problem_add_residual(p, "pde", 1, residual, PINN_NEED_XX, NULL)
      || pinn_problem_add_dirichlet(p, "walls", 0, NULL, NULL)
      || pinn_problem_set_points(p, 0, 100) || pinn_problem_set_exact(p, exact, NULL)) {
    fprintf(stderr, "problem: %s\n", p ? pinn_problem_errmsg(p) : err.msg);
    return 1;
  }
  pinn_solve_config cfg = pinn_solve_config_default();
  cfg.n_hidden = 1;
  cfg.width[0] = 16;
  cfg.train.phases[0].max_iter = 200;
  cfg.train.phases[1].max_iter = 400;
  cfg.output = NULL;
  pinn_solve_result res;
  if (pinn_solve(p, &cfg, &res, &err)) {
    fprintf(stderr, "solve: %s\n", err.msg);
    return 1;
  }
  printf("libpinn %s: rel_l2 = %.3g after %zu iterations; BLAS from %s\n", pinn_version(),
         res.rel_l2, res.iterations, info.dli_fname);
  pinn_problem_free(p);
  return res.has_reference && res.rel_l2 < 1e-2 ? 0 : 1;
}
C

# 1. A plain Makefile with pkg-config: the shared libpinn, then the static one.
cat > "$tmp/user/Makefile" <<'MK'
CFLAGS = -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror $(shell pkg-config --cflags pinn)
LDLIBS = $(shell pkg-config --libs pinn) -lm
STATIC_LDLIBS = $(subst -lpinn ,-l:libpinn.a ,$(shell pkg-config --static --libs pinn)) -lm

all: my my_static

my: my.c
	$(CC) $(CFLAGS) my.c -o $@ $(LDLIBS)

my_static: my.c
	$(CC) $(CFLAGS) my.c -o $@ $(STATIC_LDLIBS)
MK
make -C "$tmp/user" > "$tmp/make.log"
# no rpath in pinn.pc (pkg-config convention): the loader is told where it is
LD_LIBRARY_PATH="$libdir" "$tmp/user/my"
if readelf -d "$tmp/user/my_static" | grep -q 'libpinn\.so'; then
  echo "my_static links the shared libpinn"
  exit 1
fi
"$tmp/user/my_static"

# 2. find_package(pinn)
mkdir -p "$tmp/proj"
cp "$tmp/user/my.c" "$tmp/proj/my.c"
cat > "$tmp/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(user_of_pinn C)
find_package(pinn REQUIRED)
add_executable(my my.c)
target_link_libraries(my PRIVATE pinn::pinn m)
CM
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$prefix" > "$tmp/cfg.log"
cmake --build "$tmp/proj/build" > "$tmp/build.log"
"$tmp/proj/build/my"

# 3. a user's problem as a plugin of the installed pinn CLI
cc -std=c11 -Wall -Wextra -Wpedantic -Werror -shared -fPIC -O2 "$src/tests/plugin_example.c" \
  -o "$tmp/my_problem.so" $(pkg-config --cflags --libs pinn)
(cd "$tmp" && "$prefix/bin/pinn" solve --plugin ./my_problem.so --quiet --no-output --adam 200 --iters 300 > summary.txt)
cat "$tmp/summary.txt"
grep -q '^problem=cubic1d ' "$tmp/summary.txt"
err=$(sed -n 's/.*rel_l2_error=\([^ ]*\).*/\1/p' "$tmp/summary.txt")
awk -v e="$err" 'BEGIN { exit !(e + 0 < 1e-3) }'

# 4. README's plugin on a geometry domain (a plate minus a disk, Dirichlet by
# the distance function on two parts, Neumann on the others): built against
# the installed headers, solved by the installed CLI (short run: measured
# 2e-6 after Adam 200 + L-BFGS 300 of its 3 x 20 tanh network)
cc -std=c11 -Wall -Wextra -Wpedantic -Werror -shared -fPIC -O2 "$src/tests/plugin_geometry.c" \
  -o "$tmp/plate.so" $(pkg-config --cflags --libs pinn)
(cd "$tmp" && "$prefix/bin/pinn" solve --plugin ./plate.so --quiet --no-output --adam 200 --iters 300 > plate.txt)
cat "$tmp/plate.txt"
grep -q '^problem=plate_hole ' "$tmp/plate.txt"
err=$(sed -n 's/.*rel_l2_error=\([^ ]*\).*/\1/p' "$tmp/plate.txt")
awk -v e="$err" 'BEGIN { exit !(e + 0 < 1e-3) }'
echo "install round trip: ok"
