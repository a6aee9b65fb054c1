# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_status]=] "/work/main/build/test_status")
set_tests_properties([=[test_status]=] PROPERTIES  ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT "900" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;115;add_test;/work/main/CMakeLists.txt;0;")
