// raftsim CLI: a fuzz campaign as a reusable loop (tools/fuzz.cc drives it from the command line,
// tools/bench_bugs.cc once per bug and campaign seed). Runs are indexed; a shard takes the indices
// congruent to its number, so shards never overlap. Wall-clock budgets live here, in tools/: a
// run is bounded by its scenario's events_max (deterministic) and by run_seconds_max and the
// campaign deadline (a wall-clock guard polled inside the run), so a --time campaign ends within
// about one run's guard of its deadline.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/fuzz/coverage.h"
#include "sim/fuzz/probe_table.h"
#include "sim/fuzz/steering.h"
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
  sim::Scenario scenario;         // the generated scenario
  sim::ScenarioRunReport report;  // its run (concrete_scenario() replays it)
  std::string checker, summary;
  double wall_s_at = 0;       // campaign wall time when it was found
  std::uint64_t runs_at = 0;  // runs done including this one
};

// A run stopped by its budget: neither pass nor fail, kept so it can be investigated.
struct CampaignBudgetRun {
  std::uint64_t run_index = 0;
  sim::Scenario scenario;
  sim::ScenarioRunReport report;  // verdict budget_exceeded; report.budget_exceeded says why
  double wall_s = 0;              // the run's own wall time
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
  sim::FaultCoverage coverage;
  sim::ProbeTable probes;           // every judged run's probe counts
  nlohmann::ordered_json steering;  // with steering: the weights of each batch; else null
  std::vector<sim::SteeringObservation> steering_observations;  // with steering: every run's
  std::uint64_t last_index = 0;
};

CampaignResult run_campaign(const CampaignOptions& options);

// raftsim fuzz --merge: sums the campaign.json of shards (tools/fuzz_merge.cc); exit code 1 when
// a shard has a failure or the merged unknown share is above unknown_percent_max.
int merge_campaigns(const std::vector<std::string>& paths, bool json, double unknown_percent_max);
// raftsim fuzz --regressions DIR: `raftsim run` over every scenario file in DIR (its exit code).
int run_regressions(const std::string& directory, bool json);

// Runs `scenario` with a trace; writes DIR/STEM.trace.jsonl and the diagram around its first
// failure as DIR/STEM.svg (DIR/STEM.dot without Graphviz). Returns the image path.
std::string write_failure_diagram(const sim::Scenario& scenario, const std::string& dir,
                                  const std::string& stem);

}  // namespace raftsim::tools
