#!/usr/bin/env bash
# Sets up dependencies, builds raftsim and runs the whole test suite with ctest.
#   bash tools/test.sh              # RelWithDebInfo build in build/
#   bash tools/test.sh --sanitize   # AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_flags=(-DRAFTSIM_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  # -O2 keeps the sanitized suite fast; RAFTSIM_CHECK asserts stay on in every build type.
  # -g1 (line tables and function names, no variable info) is all the sanitizers' stack traces
  # use, and compiles the instrumented code about a quarter faster than -g.
  cmake_flags+=(-DRAFTSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
                "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

bash tools/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -G Ninja "${cmake_flags[@]}" >/dev/null
cmake --build "$build_dir" --parallel "$jobs"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$jobs"
