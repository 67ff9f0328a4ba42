// raftsim: runs one scenario with one seed and judges it. It builds the KV cluster, fires the
// fault schedule (resolving roles such as "leader" at the moment a step fires) and the nemesis,
// measures recovery after every fault, then recovers everything, lets the cluster settle and runs
// the end-of-run checkers: durability against the final leader and linearizability of the
// history. Raft safety is checked after every event and stops the run at once.
// Every fault actually applied is kept as a concrete step (node names, no roles, no nemesis), so
// a run can be exported as a scenario that replays it even after the code changes.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/recovery.h"
#include "sim/cluster/kv_cluster.h"
#include "sim/scenario/fault_applier.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

enum class CheckStatus : std::uint8_t { pass, fail, unknown, skipped };
const char* check_status_name(CheckStatus status);

struct CheckerFinding {
  std::string checker;  // safety, durability, linearizability, recovery, liveness
  CheckStatus status = CheckStatus::pass;
  std::string summary;  // one line
  Time at = 0;          // when a failure happened or became certain (for the diagram window)
  std::vector<NodeIndex> nodes;
  // Client operations to highlight in the diagram, as "c<client>#<sequence>".
  std::vector<std::string> blamed;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
};

struct RunProgress {
  Time now = 0;
  Time end = 0;  // duration (settling may go beyond it)
  std::size_t operations_ok = 0;
  std::size_t faults_applied = 0;
  bool settling = false;
};

struct ScenarioRunOptions {
  bool record_trace = true;
  // Called every 100 ms of virtual time (the caller decides whether to print).
  std::function<void(const RunProgress&)> progress;
  // Called just before each fault step (selectors not yet resolved) is applied, with the
  // cluster as it is then: fuzz campaigns classify the protocol state each fault hits.
  BeforeFault before_fault;
  // A last-resort guard polled every few thousand events (RunBudget): true stops the run with
  // the verdict "budget_exceeded". Not deterministic; the scenario's events_max is.
  std::function<bool()> should_stop;
};

struct ScenarioRunReport {
  std::string scenario;
  std::uint64_t seed = 0;
  std::vector<CheckerFinding> findings;  // one per checker, in a fixed order
  bool expectation_met = false;
  // "pass", "fail", "unknown" (what the checkers said) or "budget_exceeded" (the run stopped at
  // the scenario's events_max or the caller's guard: neither passed nor failed; safety, checked
  // online, held up to there, and the end-of-run checkers are skipped).
  std::string verdict;
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

  const CheckerFinding* first_failure() const;
  // The exit code DESIGN.md defines: 0 expectation met, 1 a check failed (or an expected failure
  // did not happen), 4 linearizability unknown within the budget, or the run's budget spent.
  int exit_code() const;
  nlohmann::ordered_json to_json() const;
  // The scenario with the realised timeline as its fault schedule and no nemesis.
  Scenario concrete_scenario(const Scenario& original) const;
};

class ScenarioRunner {
 public:
  ScenarioRunner(const Scenario& scenario, std::uint64_t seed, ScenarioRunOptions options = {});
  ~ScenarioRunner();

  ScenarioRunReport run();
  KvCluster& cluster() { return *cluster_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  KvCluster* cluster_ = nullptr;
};

// Convenience: run and return the report (the cluster is discarded).
ScenarioRunReport run_scenario(const Scenario& scenario, std::uint64_t seed,
                               ScenarioRunOptions options = {});

}  // namespace raftsim::sim
