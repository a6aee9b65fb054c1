file(REMOVE_RECURSE
  "libpinn.pdb"
  "libpinn.so"
  "libpinn.so.0"
  "libpinn.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pinn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
