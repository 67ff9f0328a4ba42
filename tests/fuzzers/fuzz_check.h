// raftsim fuzzers: the property check every harness uses. A broken property prints what broke
// and aborts, which libFuzzer (and the corpus replay under ctest) reports as a finding with the
// input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/files/text.h"

namespace raftsim::fuzzing {

[[noreturn]] inline void property_broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz property broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

#define RAFTSIM_FUZZ_CHECK(condition, detail)                                  \
  do {                                                                         \
    if (!(condition)) ::raftsim::fuzzing::property_broken(#condition, detail); \
  } while (false)

// An error message must be safe to print: no control bytes but the newlines between its errors
// (a tab or a newline from the input would forge lines), only valid UTF-8, so input text in it
// was escaped (sim/files/text.h). Backslashes may appear: they are how the escapes read.
inline void check_printable_message(const std::string& message) {
  std::string plain;
  for (char c : message) plain += c == '\\' || c == '\n' ? '/' : c;
  RAFTSIM_FUZZ_CHECK(files::printable(plain) == plain, files::printable(message));
}

}  // namespace raftsim::fuzzing
