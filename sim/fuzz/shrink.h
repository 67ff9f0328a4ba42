// raftsim: shrinking a failing scenario to what matters. Delta debugging (ddmin) over the fault
// schedule, then the workload (clients, sessions, operations, jobs), the duration and the cluster
// size, keeping the seed and the same failing checker: every candidate is run, and kept only if
// that checker still fails (and, when a bug is injected, only if the run passes with the bug
// off: the failure stays the bug's); a last stage removes one fault together with its repair.
// The result is a normal scenario (no nemesis: the realised timeline).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "raft/base/status.h"
#include "sim/scenario/runner.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

struct ScenarioSize {
  std::size_t fault_steps = 0;  // every scheduled step
  std::size_t faults = 0;       // steps that inject a fault (not heal, restart, resume, recover)
  std::size_t operations = 0;   // client operations the run recorded
  NodeIndex nodes = 0;
  NodeIndex clients = 0;
  Time duration = 0;
};

struct ShrinkOptions {
  std::size_t runs_max = 400;  // candidate runs; the best scenario so far is kept at the limit
  // Polled before every candidate and inside each (RunBudget): true ends shrinking with the best
  // scenario so far. tools/ pass a wall-clock deadline; sim/ reads no clock.
  std::function<bool()> should_stop;
  std::function<void(const std::string& stage, std::size_t runs)> progress;
};

struct ShrinkResult {
  Scenario minimal;
  std::string checker;  // the checker that fails, before and after
  ScenarioSize original, final;
  std::size_t runs = 0;
  // Candidates with a bug are kept only if they pass with the bug off, unless the original
  // failed with the bug off too (then the failure is not the bug's and this is false).
  bool bug_off_must_pass = false;
  // Why shrinking ended early: "" (it finished), "runs_max" or "stopped" (should_stop).
  std::string stopped;
  ScenarioRunReport final_report;
};

// True if some checker named `checker` failed in the report.
bool report_fails_checker(const ScenarioRunReport& report, const std::string& checker);
// Counts faults as ScenarioSize defines them (operations and times from the report).
ScenarioSize scenario_size(const Scenario& scenario, const ScenarioRunReport& report);

// The step that undoes faults[index]: the next restart (crash) or resume (pause) of the same
// target, the next heal (partition, isolate, one-way cut, bridge) or the next recover_all;
// faults.size() if none does (clock, disk and link changes are undone only by recover_all).
std::size_t repair_step(const std::vector<FaultStep>& faults, std::size_t index);

// `checker` empty: the first checker that fails when `failing` is run. An error when the
// scenario does not fail (nothing to shrink).
Result<ShrinkResult> shrink_scenario(const Scenario& failing, const std::string& checker,
                                     const ShrinkOptions& options = {});

}  // namespace raftsim::sim
