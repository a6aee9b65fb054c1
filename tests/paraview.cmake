# ParaView, tested for real (ctest -L paraview).
#
# paraview_xdmf: tests/test_xdmf.c writes its example documents (uniform,
# rectilinear, temporal, unstructured and point-set grids) into a temporary
# folder and tests/paraview_check.py opens each with both XDMF readers,
# checking point and cell counts, bounds, ranges, time steps and probes.
#
# paraview_domain: tests/plugin_csg.c built three times (a 2-D and a 3-D CSG
# domain, and a time-dependent 2-D one) is solved briefly with the pinn CLI,
# each result evaluated with pinn eval, and tests/paraview_domain_check.py
# checks that ParaView shows every file's fields at points inside the domain
# only (the domain test evaluated in python), with the .h5's counts and ranges.
#
# paraview_solve: tests/test_output.c writes solve files (1-D, 2-D, x-t, x-t
# on a reference grid, obstacle, 2-D/3-D balls, a disc x time, CSG) into a
# temporary folder and tests/paraview_solve_check.py opens their .xmf sidecars
# with pvpython (no display needed for reading), comparing every array's range
# per time step with the .h5 datasets.  Skipped (exit 77) when pvpython is
# not installed (Debian: apt-get install paraview python3-paraview).
if(TARGET test_output)
  add_test(NAME paraview_solve
    COMMAND sh -c [[
command -v pvpython >/dev/null 2>&1 || { echo "pvpython not found: test skipped"; exit 77; }
d=$(mktemp -d) || exit 1
PINN_OUTPUT_EXAMPLES="$d" OPENBLAS_NUM_THREADS=1 "$2" >/dev/null 2>&1 || { echo "test_output failed"; rm -rf "$d"; exit 1; }
timeout -s KILL 600 pvpython "$1" "$d"
rc=$?
rm -rf "$d"
exit $rc
]] sh ${PROJECT_SOURCE_DIR}/tests/paraview_solve_check.py $<TARGET_FILE:test_output>)
  set_tests_properties(paraview_solve PROPERTIES LABELS paraview SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
if(TARGET test_xdmf)
  add_test(NAME paraview_xdmf
    COMMAND sh -c [[
command -v pvpython >/dev/null 2>&1 || { echo "pvpython not found: test skipped"; exit 77; }
d=$(mktemp -d) || exit 1
timeout -s KILL 300 pvpython "$1" "$d" --generate "$2"
rc=$?
rm -rf "$d"
exit $rc
]] sh ${PROJECT_SOURCE_DIR}/tests/paraview_check.py $<TARGET_FILE:test_xdmf>)
  set_tests_properties(paraview_xdmf PROPERTIES LABELS paraview SKIP_RETURN_CODE 77 TIMEOUT 400)
endif()
# The test plugins (modules resolved against the pinn executable, as a
# user's plugin is: built like tests/plugin_example.c, without linking libpinn).
set(PINN_CSG_PLUGINS "")
foreach(case 1 2 3)
  add_library(plugin_csg${case} MODULE ${PROJECT_SOURCE_DIR}/tests/plugin_csg.c)
  target_compile_definitions(plugin_csg${case} PRIVATE PINN_CSG_CASE=${case})
  target_include_directories(plugin_csg${case} PRIVATE ${PROJECT_SOURCE_DIR}/include
    ${PINN_DEP_INCLUDES})
  set_target_properties(plugin_csg${case} PROPERTIES PREFIX "")
  list(APPEND PINN_CSG_PLUGINS $<TARGET_FILE:plugin_csg${case}>)
endforeach()
if(TARGET pinn_cli)
  add_test(NAME paraview_domain
    COMMAND sh -c [[
command -v pvpython >/dev/null 2>&1 || { echo "pvpython not found: test skipped"; exit 77; }
d=$(mktemp -d) || exit 1
script=$1
shift
timeout -s KILL 600 pvpython "$script" "$d" "$@"
rc=$?
rm -rf "$d"
exit $rc
]] sh ${PROJECT_SOURCE_DIR}/tests/paraview_domain_check.py $<TARGET_FILE:pinn_cli>
      ${PINN_CSG_PLUGINS})
  set_tests_properties(paraview_domain PROPERTIES LABELS paraview SKIP_RETURN_CODE 77 TIMEOUT 700)
endif()
