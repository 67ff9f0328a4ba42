// raftsim: virtual time. One integer count of nanoseconds since the start of the run, owned by the
// scheduler. Nothing in a run reads the machine's clock.
#pragma once

#include <cstdint>

namespace raftsim::sim {

using Time = std::int64_t;  // nanoseconds of virtual time

constexpr Time kNanosecond = 1;
constexpr Time kMicrosecond = 1'000;
constexpr Time kMillisecond = 1'000'000;
constexpr Time kSecond = 1'000'000'000;
// Far enough to mean "never", small enough that adding a delay cannot overflow.
constexpr Time kTimeNever = INT64_MAX / 4;

constexpr Time microseconds(std::int64_t count) {
  return count * kMicrosecond;
}
constexpr Time milliseconds(std::int64_t count) {
  return count * kMillisecond;
}
constexpr Time seconds(std::int64_t count) {
  return count * kSecond;
}

}  // namespace raftsim::sim
