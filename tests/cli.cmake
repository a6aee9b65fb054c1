# The pinn CLI: a table of bad command lines (exit 2, one line on stderr,
# never a crash), --help of every subcommand, and a short real solve whose
# result file is read back with `pinn info` and `pinn eval`.
if(TARGET pinn_cli)
  add_test(NAME cli_table
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli_table.sh $<TARGET_FILE:pinn_cli> ${PROJECT_SOURCE_DIR})
  set_tests_properties(cli_table PROPERTIES TIMEOUT 300 LABELS cli
    ENVIRONMENT "OPENBLAS_NUM_THREADS=1;PINN_DATA_DIR=${PROJECT_SOURCE_DIR}/data")
endif()
