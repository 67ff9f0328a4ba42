# Tiny helpers so each folder's CMakeLists says only what is particular to it.

# raftsim_library(NAME SOURCES ... DEPS ...): a static library rooted at the repo top,
# so includes read "sim/kernel/scheduler.h" everywhere.
function(raftsim_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# raftsim_test(NAME SOURCES ... DEPS ...): a GoogleTest + RapidCheck binary registered with
# ctest, one ctest entry per test case so failures name the case.
function(raftsim_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main rapidcheck)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
