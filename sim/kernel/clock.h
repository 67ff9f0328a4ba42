// raftsim: a node's local clocks, derived from virtual time.
// monotonic(t) runs at rate (1 + drift) and never goes back; wall(t) adds a skew offset and
// jumps. Both are piecewise linear in virtual time, re-anchored whenever drift changes, so the
// mapping is exact integer arithmetic. Node code sees only these clocks, never virtual time.
// Limits: |drift| <= kDriftPpmMax.
#pragma once

#include <cstdint>

#include "raft/base/hash.h"
#include "sim/kernel/time.h"

namespace raftsim::sim {

class NodeClock {
 public:
  // A clock off by half its rate is already absurd; beyond it the inverse mapping loses meaning.
  static constexpr std::int64_t kDriftPpmMax = 500'000;

  NodeClock() = default;
  NodeClock(Time wall_offset, std::int64_t drift_ppm);

  Time monotonic(Time virtual_now) const;
  Time wall(Time virtual_now) const;
  // The earliest virtual time, no earlier than virtual_now, at which monotonic() reads at least
  // local_deadline: when a timer set on the local clock must fire (never early, never late).
  Time virtual_time_when_monotonic_reaches(Time local_deadline, Time virtual_now) const;

  void set_drift_ppm(Time virtual_now, std::int64_t drift_ppm);
  // Moves the wall clock by delta (either direction); monotonic time is not affected.
  void jump_wall(Time virtual_now, Time delta);
  void set_wall_offset(Time virtual_now, Time offset);  // wall = virtual + offset from now on

  std::int64_t drift_ppm() const { return drift_ppm_; }
  void hash_into(Hasher& hasher) const;

 private:
  Time scaled(Time elapsed) const;
  void reanchor(Time virtual_now);

  std::int64_t drift_ppm_ = 0;
  Time anchor_virtual_ = 0;
  Time anchor_monotonic_ = 0;
  Time anchor_wall_ = 0;
};

}  // namespace raftsim::sim
