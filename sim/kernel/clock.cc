#include "sim/kernel/clock.h"

#include <algorithm>

#include "raft/base/check.h"

namespace raftsim::sim {

namespace {
constexpr std::int64_t kPartsPerMillion = 1'000'000;
}

NodeClock::NodeClock(Time wall_offset, std::int64_t drift_ppm)
    : drift_ppm_(drift_ppm), anchor_wall_(wall_offset) {
  RAFTSIM_CHECK(drift_ppm >= -kDriftPpmMax && drift_ppm <= kDriftPpmMax);
}

Time NodeClock::scaled(Time elapsed) const {
  // 128-bit intermediate: hours of nanoseconds times a large drift overflows 64 bits.
  const __int128 extra = static_cast<__int128>(elapsed) * drift_ppm_ / kPartsPerMillion;
  return elapsed + static_cast<Time>(extra);
}

Time NodeClock::monotonic(Time virtual_now) const {
  RAFTSIM_CHECK(virtual_now >= anchor_virtual_);
  return anchor_monotonic_ + scaled(virtual_now - anchor_virtual_);
}

Time NodeClock::wall(Time virtual_now) const {
  RAFTSIM_CHECK(virtual_now >= anchor_virtual_);
  return anchor_wall_ + scaled(virtual_now - anchor_virtual_);
}

Time NodeClock::virtual_time_when_monotonic_reaches(Time local_deadline, Time virtual_now) const {
  RAFTSIM_CHECK(virtual_now >= anchor_virtual_);
  if (monotonic(virtual_now) >= local_deadline) return virtual_now;
  // Invert the linear map, then correct the integer rounding of scaled() in either direction;
  // monotonic() is non-decreasing, so the smallest qualifying time is well defined.
  const Time local_elapsed = local_deadline - anchor_monotonic_;
  const __int128 numerator = static_cast<__int128>(local_elapsed) * kPartsPerMillion;
  const __int128 denominator = kPartsPerMillion + drift_ppm_;
  Time when = anchor_virtual_ + static_cast<Time>(numerator / denominator);
  when = std::max(when, virtual_now);
  while (monotonic(when) < local_deadline) ++when;
  while (when > virtual_now && monotonic(when - 1) >= local_deadline) --when;
  return when;
}

void NodeClock::reanchor(Time virtual_now) {
  anchor_monotonic_ = monotonic(virtual_now);
  anchor_wall_ = wall(virtual_now);
  anchor_virtual_ = virtual_now;
}

void NodeClock::set_drift_ppm(Time virtual_now, std::int64_t drift_ppm) {
  RAFTSIM_CHECK(drift_ppm >= -kDriftPpmMax && drift_ppm <= kDriftPpmMax);
  reanchor(virtual_now);
  drift_ppm_ = drift_ppm;
}

void NodeClock::jump_wall(Time virtual_now, Time delta) {
  reanchor(virtual_now);
  anchor_wall_ += delta;
}

void NodeClock::set_wall_offset(Time virtual_now, Time offset) {
  reanchor(virtual_now);
  anchor_wall_ = virtual_now + offset;
}

void NodeClock::hash_into(Hasher& hasher) const {
  hasher.add(static_cast<std::uint64_t>(drift_ppm_))
      .add(static_cast<std::uint64_t>(anchor_virtual_))
      .add(static_cast<std::uint64_t>(anchor_monotonic_))
      .add(static_cast<std::uint64_t>(anchor_wall_));
}

}  // namespace raftsim::sim
