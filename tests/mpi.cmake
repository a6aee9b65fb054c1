# MPI: a team of 2 ranks (mpirun -np 2 --oversubscribe) against one process,
# in one MPI program (tests/mpi_solve.c), and the pinn CLI under mpirun
# (tests/mpi_cli.sh).  Open MPI refuses to run as root unless told
# (OMPI_ALLOW_RUN_AS_ROOT*, README: "Running on several processes").  Not
# under the sanitizers: Open MPI's own allocations at MPI_Init are reported
# as leaks there; the split itself is tested under ASan by test_team (an
# in-process team).
if(PINN_HAVE_MPI AND NOT PINN_SANITIZE)
  add_executable(mpi_solve ${PROJECT_SOURCE_DIR}/tests/mpi_solve.c ${PROJECT_SOURCE_DIR}/tests/testutil.c)
  target_include_directories(mpi_solve PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(mpi_solve PRIVATE pinn_problems pinn_static PkgConfig::CUNIT MPI::MPI_C)
  set(PINN_MPI_ENV "OPENBLAS_NUM_THREADS=1;OMP_NUM_THREADS=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_mpi_yield_when_idle=1;OMPI_MCA_rmaps_base_oversubscribe=1")
  add_test(NAME mpi_solve
    COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 --oversubscribe $<TARGET_FILE:mpi_solve>)
  set_tests_properties(mpi_solve PROPERTIES TIMEOUT 600 LABELS mpi ENVIRONMENT "${PINN_MPI_ENV}")
endif()
if(PINN_HAVE_MPI AND NOT PINN_SANITIZE AND TARGET pinn_cli)
  add_test(NAME mpi_cli
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/mpi_cli.sh $<TARGET_FILE:pinn_cli> ${PROJECT_SOURCE_DIR})
  set_tests_properties(mpi_cli PROPERTIES TIMEOUT 900 LABELS "mpi;cli" ENVIRONMENT "${PINN_MPI_ENV}")
endif()
