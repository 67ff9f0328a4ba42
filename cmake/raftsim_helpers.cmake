# Tiny helpers so each folder's CMakeLists says only what is particular to it.
#
# Include roots enforce the layering (DESIGN.md, "Layers"). Includes read "raft/core/raft.h"
# everywhere, but no target sees the repository root: each target exports a root of its own
# under the build tree that holds symlinks to just its folders (ROOTS). A target therefore sees
# its own folders and those of the targets it links, and nothing else: an include of sim/ from
# raft/, of jobqueue/ or sim/ from raft/, or of tools/ or tests/ from anywhere else fails with
# "No such file or directory" (tests/layering/ proves it).

# raftsim_include_root(TARGET SCOPE FOLDER...): make TARGET see FOLDERs (repo-relative) as
# "FOLDER/..." includes, and nothing else of the repository.
function(raftsim_include_root target scope)
  set(root ${PROJECT_BINARY_DIR}/include_roots/${target})
  foreach(folder ${ARGN})
    get_filename_component(parent ${root}/${folder} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    if(NOT EXISTS ${root}/${folder})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} ${scope} ${root})
endfunction()

# raftsim_library(NAME ROOTS folder... SOURCES ... DEPS ...): a static library (an interface
# library when it has no SOURCES) that exports only its own folders.
function(raftsim_library name)
  cmake_parse_arguments(ARG "" "" "ROOTS;SOURCES;DEPS" ${ARGN})
  if(NOT ARG_ROOTS)
    message(FATAL_ERROR "raftsim_library(${name}): name the folders it owns with ROOTS")
  endif()
  if(ARG_SOURCES)
    add_library(${name} STATIC ${ARG_SOURCES})
    raftsim_include_root(${name} PUBLIC ${ARG_ROOTS})
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(${name} INTERFACE)
    raftsim_include_root(${name} INTERFACE ${ARG_ROOTS})
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# raftsim_test(NAME SOURCES ... DEPS ...): a GoogleTest + RapidCheck binary registered with
# ctest, one ctest entry per test case so failures name the case. Tests see tests/ (shared test
# helpers) besides what they link.
function(raftsim_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  raftsim_include_root(${name} PRIVATE tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main rapidcheck)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
