# wakecheck_add_checks(DIRECTORY dir [LABELS label...] [OPTIONS option...] [BASE_DIR dir])
#
# Adds one CTest test per property file below DIRECTORY (every .json file but JSON Schemas:
# schema.json, *.schema.json), as wakecheck's own suite does: the test runs
# `wakecheck check FILE OPTIONS...` from BASE_DIR (default: the current source directory) and is
# named check:FILE, FILE being the file's path relative to BASE_DIR. It passes when every verdict
# is the expected one (exit status 0). The tests carry the label `wakecheck` and LABELS. Files
# added later are picked up at the next build (the list is a CONFIGURE_DEPENDS glob).
#
# The executable is the imported target wakecheck::wakecheck (find_package(wakecheck)), or
# whatever WAKECHECK_EXECUTABLE names when it is set.
include_guard(GLOBAL)

function(wakecheck_add_checks)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "DIRECTORY;BASE_DIR" "LABELS;OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wakecheck_add_checks: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_DIRECTORY)
    message(FATAL_ERROR "wakecheck_add_checks: DIRECTORY is required")
  endif()
  if(NOT arg_BASE_DIR)
    set(arg_BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  get_filename_component(dir "${arg_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(base "${arg_BASE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "wakecheck_add_checks: ${dir} is not a directory")
  endif()
  if(DEFINED WAKECHECK_EXECUTABLE)
    set(executable "${WAKECHECK_EXECUTABLE}")
  elseif(TARGET wakecheck::wakecheck)
    set(executable "$<TARGET_FILE:wakecheck::wakecheck>")
  else()
    message(FATAL_ERROR "wakecheck_add_checks: no wakecheck::wakecheck target (find_package(wakecheck) "
                        "first) and no WAKECHECK_EXECUTABLE")
  endif()

  file(GLOB_RECURSE files LIST_DIRECTORIES false CONFIGURE_DEPENDS "${dir}/*.json")
  list(FILTER files EXCLUDE REGEX "(^|/)([^/]*\\.)?schema\\.json$")
  list(SORT files)
  set(labels wakecheck ${arg_LABELS})
  if(NOT files)
    message(FATAL_ERROR "wakecheck_add_checks: no property files (.json) below ${dir}")
  endif()
  foreach(file IN LISTS files)
    file(RELATIVE_PATH name "${base}" "${file}")
    add_test(NAME "check:${name}" COMMAND "${executable}" check "${name}" ${arg_OPTIONS}
             WORKING_DIRECTORY "${base}")
    set_tests_properties("check:${name}" PROPERTIES LABELS "${labels}")
  endforeach()
endfunction()
