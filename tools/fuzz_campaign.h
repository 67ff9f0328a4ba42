// raftsim CLI: a fuzz campaign as a reusable loop (tools/fuzz.cc drives it from the command line,
// tools/bench_bugs.cc once per bug and campaign seed). Runs are indexed; a shard takes the indices
// congruent to its number, so shards never overlap. Wall-clock budgets live here, in tools/.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/fuzz/coverage.h"
#include "sim/scenario/runner.h"
#include "sim/scenario/scenario.h"

namespace raftsim::tools {

struct CampaignOptions {
  std::uint64_t seed = 1;
  std::optional<std::uint64_t> runs;  // run indices [0, runs) of this shard
  std::optional<double> seconds;      // or: until this much wall time has passed
  std::uint64_t shard_index = 0, shard_count = 1;
  Bug bug = Bug::none;
  const sim::Scenario* base = nullptr;
  bool keep_going = false;                                // else stop at the first failure
  std::function<void(const std::string& line)> progress;  // about once a second
};

struct CampaignFailure {
  std::uint64_t run_index = 0;
  sim::Scenario scenario;         // the generated scenario
  sim::ScenarioRunReport report;  // its run (concrete_scenario() replays it)
  std::string checker, summary;
  double wall_s_at = 0;       // campaign wall time when it was found
  std::uint64_t runs_at = 0;  // runs done including this one
};

struct CampaignResult {
  std::uint64_t runs = 0, passed = 0, unknown = 0;
  double wall_s = 0;
  std::vector<CampaignFailure> failures;
  sim::FaultCoverage coverage;
  std::uint64_t last_index = 0;
};

CampaignResult run_campaign(const CampaignOptions& options);

// Runs `scenario` with a trace; writes DIR/STEM.trace.jsonl and the diagram around its first
// failure as DIR/STEM.svg (DIR/STEM.dot without Graphviz). Returns the image path.
std::string write_failure_diagram(const sim::Scenario& scenario, const std::string& dir,
                                  const std::string& stem);

}  // namespace raftsim::tools
