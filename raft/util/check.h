// raftsim: always-on invariant checks.
// RAFTSIM_CHECK stays enabled in every build type: inside the simulator each assertion is a free
// checker, and in production a violated invariant must stop the process rather than corrupt
// replicated state. A failed check is a programmer error, never a way to report bad input.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace raftsim {

// The model checker reports a failed check as a violation instead of stopping: it installs a
// handler that throws, and catches the exception where it applies one step. Null (the default):
// print and abort. A handler must not return.
using CheckFailureHandler = void (*)(const char* expression, const char* file, int line,
                                     const char* message);
inline CheckFailureHandler g_check_failure_handler = nullptr;

[[noreturn]] inline void check_failed(const char* expression, const char* file, int line,
                                      const char* message) {
  if (g_check_failure_handler != nullptr) g_check_failure_handler(expression, file, line, message);
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
