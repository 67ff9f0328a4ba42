// raftsim: the "unseed" check. A run is a function from a seed to a recorded trace; running it
// twice in freshly built worlds must give the same trace hash. When it does not, the report names
// the first event that differs, with both versions, which is where to look for a wall clock,
// an unordered container or an uninitialised field.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/kernel/trace.h"

namespace raftsim::sim {

using TracedRun = std::function<Trace(std::uint64_t seed)>;

struct DeterminismReport {
  std::uint64_t seed = 0;
  std::uint64_t first_hash = 0;
  std::uint64_t second_hash = 0;
  std::uint64_t events = 0;
  std::optional<TraceDivergence> divergence;

  bool deterministic() const { return first_hash == second_hash && !divergence; }
  std::string describe() const;
};

DeterminismReport check_determinism(const TracedRun& run, std::uint64_t seed);

}  // namespace raftsim::sim
