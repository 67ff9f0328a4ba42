// raftsim: a fuzz campaign as a reusable loop (`raftsim fuzz` drives it from the command line,
// `raftsim bench bugs` once per bug and campaign seed). Runs are indexed; a shard takes the
// indices congruent to its number, so shards never overlap. A run is bounded by its scenario's
// budgets (deterministic) and by run_seconds_max and the campaign deadline: a wall-clock guard
// polled inside the run, read through the clock the caller passes (sim/ reads no clock itself).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/fuzz/coverage.h"
#include "sim/fuzz/probe_table.h"
#include "sim/fuzz/steering.h"
#include "sim/scenario/runner.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

// Seconds on a monotonic clock (any origin): the caller's, so campaigns stay testable.
using CampaignClock = std::function<double()>;

struct CampaignOptions {
  std::uint64_t seed = 1;
  std::optional<std::uint64_t> runs;  // run indices [0, runs) of this shard
  std::optional<double> seconds;      // or: until this much wall time has passed
  std::uint64_t shard_index = 0, shard_count = 1;
  Bug bug = Bug::none;
  const Scenario* base = nullptr;
  bool keep_going = false;       // else stop at the first failure
  std::size_t failures_max = 0;  // with keep_going: stop after this many failures (0: never)
  // Replaces every generated scenario's events_max when set (0: no event budget).
  std::optional<std::uint64_t> events_max;
  // Wall-clock guard of one run: beyond it the run stops as budget_exceeded (not replayable to
  // the same event: the events_max budget is the deterministic one and normally ends it first).
  double run_seconds_max = 30;
  std::function<void(const std::string& line)> progress;  // about once a second
  // Steer the generator's profile weights towards rare probes (sim/fuzz/steering.h). Needs the
  // whole campaign in one process: the CLI refuses it with a shard count above 1.
  bool steer = false;
};

struct CampaignFailure {
  std::uint64_t run_index = 0;
  Scenario scenario;         // the generated scenario
  ScenarioRunReport report;  // its run (concrete_scenario() replays it)
  std::string checker, summary;
  double wall_s_at = 0;       // campaign wall time when it was found
  std::uint64_t runs_at = 0;  // runs done including this one
};

// A run stopped by its budget: neither pass nor fail, kept so it can be investigated.
struct CampaignBudgetRun {
  std::uint64_t run_index = 0;
  Scenario scenario;
  ScenarioRunReport report;  // verdict budget_exceeded; report.budget_exceeded says why
  double wall_s = 0;         // the run's own wall time
};

// A run no checker failed but one could not decide (the linearizability search budget): a
// finding to explain, so the campaign names it.
struct CampaignUnknownRun {
  std::uint64_t run_index = 0;
  std::string checker, summary;
};
inline constexpr std::size_t kCampaignUnknownRunsListed = 200;  // beyond: counted only

struct CampaignResult {
  std::uint64_t runs = 0, passed = 0, unknown = 0;
  std::vector<CampaignUnknownRun> unknown_runs;  // the first kCampaignUnknownRunsListed
  // Runs the campaign deadline cut short (--time): not judged and not counted in `runs`.
  std::uint64_t interrupted = 0;
  double wall_s = 0;
  std::vector<CampaignFailure> failures;
  std::vector<CampaignBudgetRun> budget_exceeded;
  // The slowest run (wall time) and the most events any run took: what bounds a run in practice.
  std::uint64_t slowest_run_index = 0;
  double slowest_run_wall_s = 0;
  std::uint64_t events_per_run_max = 0;
  FaultCoverage coverage;
  ProbeTable probes;                // every judged run's probe counts
  nlohmann::ordered_json steering;  // with steering: the weights of each batch; else null
  std::vector<SteeringObservation> steering_observations;  // with steering: every run's
  std::uint64_t last_index = 0;
};

CampaignResult run_campaign(const CampaignOptions& options, const CampaignClock& clock);

}  // namespace raftsim::sim
