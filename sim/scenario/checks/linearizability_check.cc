// raftsim: the linearizability checker of a KV run: the recorded history against the KV model,
// per key, within the scenario's search budget; a failure blames the operation that cannot be
// linearized and the ones concurrent with it (see checker.h).
#include "sim/scenario/checks/checker.h"

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"

namespace raftsim::sim {
namespace {

double ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

// "memory budget (4096 MiB); raise checks.linearizability_memory_mb": the budget that ran out
// and what raises it.
std::string budget_and_knob(const linearizability::CheckResult& check, const Checks& checks) {
  linearizability::BudgetExhausted exhausted = linearizability::BudgetExhausted::none;
  for (const auto& partition : check.partitions) {
    if (partition.key == check.unknown_partition) exhausted = partition.exhausted;
  }
  switch (exhausted) {
    case linearizability::BudgetExhausted::memory_bytes:
      return "memory budget (" + std::to_string(checks.linearizability_memory_mb) +
             " MiB); raise checks.linearizability_memory_mb";
    case linearizability::BudgetExhausted::wall_clock:
      return "wall-clock guard (" +
             std::to_string(static_cast<int>(linearizability::SearchBudget{}.wall_seconds_max)) +
             " s; not a scenario setting: the machine is far slower than expected)";
    default:
      return "step budget (" + std::to_string(checks.linearizability_steps_max) +
             " steps); raise checks.linearizability_steps_max";
  }
}

CheckerFinding check_linearizability(const RunEnd& run) {
  const char* kName = "linearizability";
  if (run.queue_workload()) return skipped_finding(kName, "KV workloads only");
  if (!run.scenario.checks.linearizability) return skipped_finding(kName, kOffInScenario);
  CheckerFinding finding = finding_named(kName);
  const History& recorded = run.cluster.history();
  auto history = linearizability::parse_raftsim_json(recorded.to_json(), "history");
  RAFTSIM_CHECK_MSG(history.ok(), "the simulator wrote a history its own checker cannot read");
  const Checks& checks = run.scenario.checks;
  linearizability::Semantics semantics;
  // Parsing restricted both to their choices.
  semantics.failed_cas = *linearizability::parse_failed_cas(checks.linearizability_failed_cas);
  semantics.nil_read = *linearizability::parse_nil_read(checks.linearizability_nil_read);
  auto made = linearizability::make_model("kv", semantics);
  RAFTSIM_CHECK(made.ok());
  std::unique_ptr<linearizability::Model> model = std::move(made).value();
  linearizability::CheckOptions options;
  options.budget.search_steps_max = checks.linearizability_steps_max;
  options.budget.memory_bytes_max = checks.linearizability_memory_mb << 20;
  auto result = linearizability::check_history(history.value(), *model, options);
  RAFTSIM_CHECK_MSG(result.ok(), "the simulator's history failed validation");
  const linearizability::CheckResult& check = result.value();
  finding.details = {{"operations", recorded.operations().size()},
                     {"verdict", linearizability::verdict_name(check.verdict)},
                     {"steps", check.steps}};
  switch (check.verdict) {
    case linearizability::Verdict::linearizable:
    case linearizability::Verdict::empty:
      finding.summary = std::to_string(recorded.operations().size()) +
                        " operations, linearizable (KV model, checked per key)";
      return finding;
    case linearizability::Verdict::unknown:
      finding.status = CheckStatus::unknown;
      finding.summary = "at key " + check.unknown_partition.value_or("?") +
                        " the linearizability search ran out of its " +
                        budget_and_knob(check, checks);
      return finding;
    case linearizability::Verdict::not_linearizable:
      break;
  }
  finding.status = CheckStatus::fail;
  const linearizability::Violation& violation = *check.violation;
  const auto& blamed = history.value().operations[violation.blamed];
  // Origins read "history:/operations/N": N indexes the recorded history.
  const std::size_t index = std::stoul(blamed.origin.substr(blamed.origin.rfind('/') + 1));
  const RecordedOperation& operation = recorded.operations().at(index);
  finding.at =
      operation.status == OperationStatus::ok ? operation.return_time : operation.invoke_time;
  finding.blamed.push_back("c" + std::to_string(operation.client) + "#" +
                           std::to_string(operation.sequence));
  for (std::size_t other : violation.concurrent) {
    const auto& concurrent = history.value().operations[other];
    const std::size_t at = std::stoul(concurrent.origin.substr(concurrent.origin.rfind('/') + 1));
    const RecordedOperation& peer = recorded.operations().at(at);
    if (finding.blamed.size() < 8) {
      finding.blamed.push_back("c" + std::to_string(peer.client) + "#" +
                               std::to_string(peer.sequence));
    }
  }
  finding.summary = "key " + violation.key + ": " + blamed.describe() +
                    " cannot be linearized with the operations before it";
  finding.details["key"] = violation.key;
  finding.details["blamed"] = blamed.describe();
  finding.details["blamed_client"] = operation.client;
  finding.details["blamed_sequence"] = operation.sequence;
  finding.details["invoke_ms"] = ms(operation.invoke_time);
  finding.details["return_ms"] = ms(operation.return_time);
  return finding;
}
}  // namespace

std::unique_ptr<Checker> make_linearizability_checker() {
  return make_checker({"linearizability"},
                      [](const RunEnd& run) { return std::vector{check_linearizability(run)}; });
}

}  // namespace raftsim::sim
