file(REMOVE_RECURSE
  "libpinn.a"
  "libpinn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pinn_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
