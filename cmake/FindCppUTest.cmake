# Finds CppUTest and defines the imported targets CppUTest and CppUTestExt.
#
# Debian 12's libcpputest-dev ships a CppUTestConfig.cmake whose prefix resolves to /usr/lib, so
# config-mode find_package fails on "/usr/lib/include does not exist". This module looks for the
# headers and static libraries where the package installs them instead.
find_path(CppUTest_INCLUDE_DIR CppUTest/TestHarness.h)
find_library(CppUTest_LIBRARY NAMES CppUTest)
find_library(CppUTestExt_LIBRARY NAMES CppUTestExt)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CppUTest
  REQUIRED_VARS CppUTest_INCLUDE_DIR CppUTest_LIBRARY CppUTestExt_LIBRARY)

if(CppUTest_FOUND AND NOT TARGET CppUTest)
  add_library(CppUTest UNKNOWN IMPORTED)
  set_target_properties(CppUTest PROPERTIES
    IMPORTED_LOCATION "${CppUTest_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CppUTest_INCLUDE_DIR}")
  add_library(CppUTestExt UNKNOWN IMPORTED)
  set_target_properties(CppUTestExt PROPERTIES
    IMPORTED_LOCATION "${CppUTestExt_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CppUTest_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES CppUTest)
endif()
mark_as_advanced(CppUTest_INCLUDE_DIR CppUTest_LIBRARY CppUTestExt_LIBRARY)
