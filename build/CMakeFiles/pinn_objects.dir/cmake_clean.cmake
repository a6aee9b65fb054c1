file(REMOVE_RECURSE
  "CMakeFiles/pinn_objects.dir/lib/status.c.o"
  "CMakeFiles/pinn_objects.dir/lib/status.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pinn_objects.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
