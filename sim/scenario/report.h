// raftsim: the report-building stage of a run: the verdict (an enum; JSON and CLI print its
// name), the safety finding from the online checker's violation, the counts, and the report's
// JSON form (result.json) and replayable scenario. The verdict is fail if any checker failed,
// else budget_exceeded if the run stopped at its budget (end-of-run checkers are then not
// judged), else unknown if any checker could not decide, else pass.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "raft/base/probe.h"
#include "sim/checkers/recovery.h"
#include "sim/scenario/checks/checker.h"
#include "sim/scenario/fault_applier.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

// pass / fail / unknown: what the checkers said; budget_exceeded: the run stopped at the
// scenario's events_max or the caller's guard, neither passed nor failed (safety, checked
// online, held up to there).
enum class RunVerdict : std::uint8_t { pass, fail, unknown, budget_exceeded };
const char* run_verdict_name(RunVerdict verdict);
inline std::ostream& operator<<(std::ostream& out, RunVerdict verdict) {
  return out << run_verdict_name(verdict);
}

struct ScenarioRunReport {
  std::string scenario;
  std::uint64_t seed = 0;
  std::vector<CheckerFinding> findings;  // one per checker, in a fixed order
  bool expectation_met = false;
  RunVerdict verdict = RunVerdict::pass;
  std::string budget_exceeded;  // what stopped the run, when the verdict is budget_exceeded
  std::vector<AppliedFault> timeline;
  std::vector<RecoveryMeasurement> recovery;
  std::vector<Time> recovery_times;  // sorted
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;
  std::uint64_t messages_sent = 0, messages_delivered = 0, messages_dropped = 0;
  // Summed over every node incarnation: snapshots taken, snapshots installed from a leader, and
  // node starts that recovered from a snapshot file.
  std::uint64_t snapshots_taken = 0, snapshots_installed = 0, snapshot_recoveries = 0;
  std::size_t operations_ok = 0, operations_fail = 0, operations_info = 0;
  Time simulated = 0;
  Term final_term = 0;
  std::optional<NodeIndex> final_leader;
  // The operator console's requests and their outcomes (runs with membership changes only).
  std::vector<AdminOperation> admin;
  // How often the run reached each probe of raft/ and jobqueue/ (raft/base/probe.h).
  ProbeCounts probes;

  const CheckerFinding* first_failure() const;
  // The exit code DESIGN.md defines: 0 expectation met, 1 a check failed (or an expected failure
  // did not happen), 4 linearizability unknown within the budget, or the run's budget spent.
  int exit_code() const;
  nlohmann::ordered_json to_json() const;
  // The scenario with the realised timeline as its fault schedule and no nemesis.
  Scenario concrete_scenario(const Scenario& original) const;
};

// Safety's finding: the violation that stopped the run, or a pass.
CheckerFinding safety_finding(const std::optional<Violation>& violation);
// Every end-of-run checker's findings when the run stopped at its budget: skipped.
std::vector<CheckerFinding> budget_skipped_findings(
    const std::vector<std::unique_ptr<Checker>>& checkers);
// The run's counts: trace, network, operations, final term (snapshot counts are the caller's).
void count_run(ServiceCluster& cluster, bool queue_workload, ScenarioRunReport& report);
// Sets the verdict and whether the scenario's expectation was met, from the findings.
void judge(const Expectation& expect, ScenarioRunReport& report);

}  // namespace raftsim::sim
