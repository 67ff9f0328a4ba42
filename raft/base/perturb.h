// raftsim: in-code perturbation (FoundationDB's BUGGIFY is the model) -- named points in raft/
// where a simulated run may take an unusual but legal branch: a smaller append batch, an early
// snapshot, a delayed Ready round, an election timeout at the early end of its range. A run's
// plan (Perturbation::for_run) enables each point with probability 1/4 and gives each enabled
// point a firing probability; every owner (a node's core, its host) then draws from a stream of
// its own (reseeded), so a run is a pure function of its seed and replays bit for bit.
// Configuration, never a global: the plan rides in RaftConfig::perturbation. Off by default (a
// default-constructed Perturbation never fires and draws nothing), so traces of runs without it
// are unchanged. Absent from production builds: with RAFTSIM_PERTURBATION=0 (CMake option
// RAFTSIM_PERTURBATION=OFF) fires() is a constant false and every point compiles away.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "raft/base/hash.h"

#ifndef RAFTSIM_PERTURBATION
#define RAFTSIM_PERTURBATION 1
#endif

// X(name, most likely firing, in parts per million per evaluation, what it does). The maximum
// fits how often the point is evaluated: once per tick or per append is often, so it is rare.
#define RAFTSIM_PERTURB_POINTS(X)                                                              \
  X(core_append_batch_small, 250'000, "a leader sends one entry in an append, not the most")   \
  X(core_election_timeout_early, 20'000,                                                       \
    "a follower's election timer ends at the low end of its range (never before the minimum)") \
  X(core_heartbeat_early, 50'000, "a leader sends its heartbeat round before the interval")    \
  X(core_follower_to_probe, 20'000, "a leader sends a replicating follower back to probing")   \
  X(node_snapshot_early, 100'000, "the host takes a snapshot before snapshot_every_entries")   \
  X(node_persist_delayed, 100'000, "the host delays a Ready round (persist, send) by 1-5 ms")

namespace raftsim {

enum class PerturbPoint : std::uint8_t {
#define RAFTSIM_PERTURB_ENUM(name, ppm, what) name,
  RAFTSIM_PERTURB_POINTS(RAFTSIM_PERTURB_ENUM)
#undef RAFTSIM_PERTURB_ENUM
};

inline constexpr std::size_t kPerturbPointCount = 0
#define RAFTSIM_PERTURB_ONE(name, ppm, what) +1
    RAFTSIM_PERTURB_POINTS(RAFTSIM_PERTURB_ONE)
#undef RAFTSIM_PERTURB_ONE
    ;

std::string_view perturb_point_name(PerturbPoint point);

// Whether perturbation points exist in this translation unit's build (RAFTSIM_PERTURBATION).
constexpr bool kPerturbationCompiledIn = RAFTSIM_PERTURBATION != 0;

class Perturbation {
 public:
  static constexpr std::uint32_t kPartsPerMillion = 1'000'000;
  // Each point is enabled in a run with this probability (FoundationDB's choice: 1 in 4).
  static constexpr std::uint32_t kEnabledPerMillion = 250'000;
  // Tests: every point enabled, each firing with this probability.
  static Perturbation every_point(std::uint32_t firing_per_million, std::uint64_t seed = 1);

  Perturbation() = default;  // off: never fires, never draws
  // A run's plan from its seed: which points are enabled, and how likely each one fires.
  static Perturbation for_run(std::uint64_t run_seed);
  // The same plan with a stream of its own for one owner (a node incarnation's core or host).
  Perturbation reseeded(std::uint64_t owner_seed) const;

  bool on() const { return enabled_ != 0; }
  bool enabled(PerturbPoint point) const { return (enabled_ >> index(point)) & 1U; }
  std::uint32_t firing_per_million(PerturbPoint point) const { return firing_[index(point)]; }

  // Whether `point` takes its unusual branch now. Draws only when the point is enabled.
  bool fires(PerturbPoint point) {
    if (!enabled(point)) return false;
    return draw(kPartsPerMillion) < firing_[index(point)];
  }
  // A number in [0, bound) from the owner's stream (e.g. how long a delay lasts).
  std::uint64_t draw(std::uint64_t bound) {
    state_ += 0x9e3779b97f4a7c15ULL;  // SplitMix64: a fixed algorithm, no <random>
    return mix64(state_) % bound;
  }

 private:
  static constexpr std::size_t index(PerturbPoint point) { return static_cast<std::size_t>(point); }

  std::uint32_t enabled_ = 0;  // bit i: point i enabled in this run
  std::array<std::uint32_t, kPerturbPointCount> firing_{};
  std::uint64_t state_ = 0;
};

}  // namespace raftsim

// True when the owner's perturbation point `name` fires now; constant false in production builds
// (only the macro differs between the two: the class is the same in both, so a binary that mixes
// units built either way breaks no definition rule).
#if RAFTSIM_PERTURBATION
#define RAFTSIM_PERTURB(perturbation, name) ((perturbation).fires(::raftsim::PerturbPoint::name))
#else
#define RAFTSIM_PERTURB(perturbation, name) (static_cast<void>(perturbation), false)
#endif
