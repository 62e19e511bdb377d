# One ctest test per GoogleTest suite, not per test: a suite's SetUpTestSuite
# (a generated and imported world, a server) then runs once, not once per
# test, and each process pays the sanitizers' start-up once per suite. The
# suites are listed from the built binary (--gtest_list_tests) whenever it
# is built, as gtest_discover_tests does for single tests.
#
#   ll2d_add_gtest_suites(TARGET PREFIX [LABELS l...] [SECONDS_PER_TEST n])
#
# Each suite S of TARGET becomes the ctest test PREFIX/S, running
# `TARGET --gtest_filter=S.*`. Its TIMEOUT is SECONDS_PER_TEST (default 300)
# times its number of tests, a backstop: each test is bounded on its own by
# the watchdog in tests/unit/test_util.cpp. Its COST is 4 s per test: ctest
# starts costly tests first when it has no timings of its own, as on a fresh
# clone, so the long suites do not start last and leave a core idle at the
# end. One test of a suite: `TARGET --gtest_filter=S.Name`.
#
# Run as a script (cmake -P) by the build, it writes the tests' file.

if(CMAKE_SCRIPT_MODE_FILE)
  execute_process(COMMAND "${TEST_BINARY}" --gtest_list_tests
                  OUTPUT_VARIABLE listing RESULT_VARIABLE status TIMEOUT 120)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${TEST_BINARY} --gtest_list_tests failed (${status}):\n${listing}")
  endif()
  # A suite's line is its name and a dot (a typed suite adds a comment); its
  # tests follow, indented.
  string(REPLACE ";" "," listing "${listing}")
  string(REPLACE "\n" ";" lines "${listing}")
  set(suites "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([^ ]+)\\.( |$)")
      set(suite "${CMAKE_MATCH_1}")
      list(APPEND suites "${suite}")
      set("tests_of_${suite}" 0)
    elseif(line MATCHES "^  [^ ]" AND NOT line MATCHES "^  DISABLED_" AND DEFINED suite)
      math(EXPR "tests_of_${suite}" "${tests_of_${suite}} + 1")
    endif()
  endforeach()
  set(text "")
  foreach(suite IN LISTS suites)
    set(count "${tests_of_${suite}}")
    if(count EQUAL 0 OR suite MATCHES "^DISABLED_")
      continue()
    endif()
    math(EXPR timeout "${count} * ${SECONDS_PER_TEST}")
    math(EXPR cost "${count} * 4")
    set(name "${PREFIX}/${suite}")
    string(APPEND text "add_test([=[${name}]=] [=[${TEST_BINARY}]=] [=[--gtest_filter=${suite}.*]=])\n"
           "set_tests_properties([=[${name}]=] PROPERTIES TIMEOUT ${timeout} COST ${cost}"
           " LABELS [=[${LABELS}]=])\n")
  endforeach()
  file(WRITE "${OUTPUT}" "${text}")
  return()
endif()

set(LL2D_GTEST_SUITES_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

function(ll2d_add_gtest_suites target prefix)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "SECONDS_PER_TEST" "LABELS")
  if(NOT arg_SECONDS_PER_TEST)
    set(arg_SECONDS_PER_TEST 300)
  endif()
  set(tests_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites_include.cmake")
  # A command with an output, not a POST_BUILD step: the list is made again
  # whenever the binary or this script changes, or the list is missing.
  add_custom_command(
    OUTPUT "${tests_file}" DEPENDS ${target} "${LL2D_GTEST_SUITES_SCRIPT}"
    COMMAND "${CMAKE_COMMAND}" -D "TEST_BINARY=$<TARGET_FILE:${target}>" -D "PREFIX=${prefix}"
            -D "LABELS=${arg_LABELS}" -D "SECONDS_PER_TEST=${arg_SECONDS_PER_TEST}"
            -D "OUTPUT=${tests_file}" -P "${LL2D_GTEST_SUITES_SCRIPT}"
    COMMENT "Listing the test suites of ${target}" VERBATIM)
  add_custom_target(${target}_suites ALL DEPENDS "${tests_file}")
  # Before the first build there is no list yet: say so as a failing test.
  file(WRITE "${include_file}"
       "if(EXISTS [=[${tests_file}]=])\n  include([=[${tests_file}]=])\nelse()\n"
       "  add_test([=[${prefix}/NOT_BUILT]=] [=[${target}_NOT_BUILT]=])\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
