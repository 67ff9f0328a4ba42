// raftsim: always-on invariant checks.
// RAFTSIM_CHECK stays enabled in every build type: inside the simulator each assertion is a free
// checker, and in production a violated invariant must stop the process rather than corrupt
// replicated state. A failed check is a programmer error, never a way to report bad input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace raftsim {

// The model checker and the scenario runner report a failed check as a violation instead of
// stopping: they install a handler that throws (ScopedThrowingChecks below) and catch the
// exception where they apply one step. Null (the default): print and abort. A handler must not
// return.
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

// What a throwing handler throws: "file:line: expression -- message" (file from raft/, sim/ or
// jobqueue/ on).
struct CheckFailure {
  std::string text;
};

[[noreturn]] inline void throw_check_failure(const char* expression, const char* file, int line,
                                             const char* message) {
  std::string where = file;
  for (const char* top : {"/raft/", "/sim/", "/jobqueue/"}) {
    const std::size_t at = where.rfind(top);
    if (at != std::string::npos) {
      where = where.substr(at + 1);
      break;
    }
  }
  std::string text = where + ":" + std::to_string(line) + ": " + expression;
  if (message[0] != '\0') text += std::string(" -- ") + message;
  throw CheckFailure{text};
}

// While alive, a failed check throws CheckFailure instead of aborting, so a simulator run (or an
// explored step) reports it as a failure with its seed and timeline rather than crashing.
class ScopedThrowingChecks {
 public:
  ScopedThrowingChecks() : previous_(g_check_failure_handler) {
    g_check_failure_handler = &throw_check_failure;
  }
  ~ScopedThrowingChecks() { g_check_failure_handler = previous_; }
  ScopedThrowingChecks(const ScopedThrowingChecks&) = delete;
  ScopedThrowingChecks& operator=(const ScopedThrowingChecks&) = delete;

 private:
  CheckFailureHandler previous_;
};

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
