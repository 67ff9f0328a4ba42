// raftsim: always-on invariant checks.
// RAFTSIM_CHECK stays enabled in every build type: inside the simulator each assertion is a free
// checker, and in production a violated invariant must stop the process rather than corrupt
// replicated state. A failed check is a programmer error, never a way to report bad input.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace raftsim {

[[noreturn]] inline void check_failed(const char* expression, const char* file, int line,
                                      const char* message) {
  std::fprintf(stderr, "%s:%d: check failed: %s%s%s\n", file, line, expression,
               message[0] != '\0' ? " -- " : "", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace raftsim

#define RAFTSIM_CHECK(condition)                                   \
  do {                                                             \
    if (!(condition)) [[unlikely]]                                 \
      ::raftsim::check_failed(#condition, __FILE__, __LINE__, ""); \
  } while (false)

#define RAFTSIM_CHECK_MSG(condition, message)                           \
  do {                                                                  \
    if (!(condition)) [[unlikely]]                                      \
      ::raftsim::check_failed(#condition, __FILE__, __LINE__, message); \
  } while (false)

#define RAFTSIM_UNREACHABLE(message) \
  ::raftsim::check_failed("unreachable", __FILE__, __LINE__, message)
