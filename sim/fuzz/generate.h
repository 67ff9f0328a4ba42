// raftsim: swarm scenario generation for fuzz campaigns. Each run's scenario is a pure function
// of (campaign seed, run index): cluster size, timing, workload, a random subset of fault kinds
// with random rates for the nemesis, sometimes a whole-cluster power loss, log compaction in half
// the runs. Deterministic: the same pair gives the same scenario on every machine, so campaigns
// split by run index.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/scenario/scenario.h"

namespace raftsim::sim {

struct FuzzRunSpec {
  std::uint64_t campaign_seed = 1;
  std::uint64_t run_index = 0;
  Bug bug = Bug::none;
  // With a base scenario the run keeps its cluster, workload and faults; only the seed changes,
  // and a nemesis of random kinds is added when the base has none.
  const Scenario* base = nullptr;
};

// The seed a run uses: a mix of campaign seed and run index (never 0).
std::uint64_t fuzz_run_seed(std::uint64_t campaign_seed, std::uint64_t run_index);

// The scenario for one run. It expects every check to pass.
Scenario generate_scenario(const FuzzRunSpec& spec);

}  // namespace raftsim::sim
