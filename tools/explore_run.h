// raftsim explore, shared by the command and its benchmark: a scenario's explore section as a
// Raft world configuration, and one search with wall-clock timing (tools/ may read the clock).
#pragma once

#include <string>
#include <vector>

#include "sim/explore/explorer.h"
#include "sim/explore/raft_world.h"
#include "sim/scenario/scenario.h"

namespace raftsim::tools {

struct ExploreRun {
  sim::explore::ExploreResult result;
  double seconds = 0;
  std::vector<std::string> schedule;  // the trail as choice labels
  std::string graph_dot;              // the state graph, for small runs
  std::string reached;                // coverage probes some state reached
  std::string never_reached;          // and those none did
  // dfs: descent to a shortest trail (sim/explore/explorer.h, descend_to_shortest).
  bool shortest_proven = false;
  std::uint32_t descent_searches = 0;
};

// The scenario must have an explore section (validated by the parser).
sim::explore::RaftWorldConfig raft_world_config(const sim::Scenario& scenario);
// seconds_max 0: no time limit. progress: lines on stderr as the search goes.
// The default of `raftsim explore --memory-mb`.
inline constexpr std::uint64_t kExploreMemoryMbDefault = 8192;
// Bytes one world copy in the BFS frontier takes per Raft node (3.3 GB RSS at 333k copies of a
// 3-node world: sim/explore/README.md, "Bounds and limits"); with --memory-mb it sets the
// frontier's cap.
inline constexpr std::uint64_t kWorldCopyBytesPerNode = 3500;

ExploreRun run_explore_search(const sim::Scenario& scenario, double seconds_max, bool progress,
                              std::uint64_t memory_mb = kExploreMemoryMbDefault);

}  // namespace raftsim::tools
