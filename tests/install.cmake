# Install round trip: install to a temporary prefix, build a user program
# against it with pkg-config and with find_package(pinn), run both.
if(NOT PINN_SANITIZE)
  add_test(NAME install_roundtrip
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/install_roundtrip.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  set_tests_properties(install_roundtrip PROPERTIES TIMEOUT 300 LABELS install)
endif()
