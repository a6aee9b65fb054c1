# Install round trip: install to a temporary prefix; check what pinn.pc and
# the CMake package tell users (no paths of this machine, GSL bound to
# OpenBLAS); build a user program that solves a small problem with a plain
# Makefile + pkg-config (shared and static libpinn) and with
# find_package(pinn), and a plugin of the installed CLI; run them all.
if(NOT PINN_SANITIZE)
  add_test(NAME install_roundtrip
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/install_roundtrip.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  set_tests_properties(install_roundtrip PROPERTIES TIMEOUT 300 LABELS install)
endif()
