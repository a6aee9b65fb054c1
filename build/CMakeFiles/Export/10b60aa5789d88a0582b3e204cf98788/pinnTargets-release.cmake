#----------------------------------------------------------------
# Generated CMake target import file for configuration "Release".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "pinn::pinn" for configuration "Release"
set_property(TARGET pinn::pinn APPEND PROPERTY IMPORTED_CONFIGURATIONS RELEASE)
set_target_properties(pinn::pinn PROPERTIES
  IMPORTED_LOCATION_RELEASE "${_IMPORT_PREFIX}/lib/libpinn.so.0.1.0"
  IMPORTED_SONAME_RELEASE "libpinn.so.0"
  )

list(APPEND _cmake_import_check_targets pinn::pinn )
list(APPEND _cmake_import_check_files_for_pinn::pinn "${_IMPORT_PREFIX}/lib/libpinn.so.0.1.0" )

# Import target "pinn::pinn_static" for configuration "Release"
set_property(TARGET pinn::pinn_static APPEND PROPERTY IMPORTED_CONFIGURATIONS RELEASE)
set_target_properties(pinn::pinn_static PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_RELEASE "C"
  IMPORTED_LOCATION_RELEASE "${_IMPORT_PREFIX}/lib/libpinn.a"
  )

list(APPEND _cmake_import_check_targets pinn::pinn_static )
list(APPEND _cmake_import_check_files_for_pinn::pinn_static "${_IMPORT_PREFIX}/lib/libpinn.a" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
