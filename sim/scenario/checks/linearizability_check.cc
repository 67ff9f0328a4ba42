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

CheckerFinding check_linearizability(const RunEnd& run) {
  const char* kName = "linearizability";
  if (run.queue_workload()) return skipped_finding(kName, "KV workloads only");
  if (!run.scenario.checks.linearizability) return skipped_finding(kName, kOffInScenario);
  CheckerFinding finding = finding_named(kName);
  const History& recorded = run.cluster.history();
  auto history = linearizability::parse_raftsim_json(recorded.to_json(), "history");
  RAFTSIM_CHECK_MSG(history.ok(), "the simulator wrote a history its own checker cannot read");
  auto model = linearizability::make_model("kv");
  RAFTSIM_CHECK(model != nullptr);
  linearizability::CheckOptions options;
  options.budget.search_steps_max = run.scenario.checks.linearizability_steps_max;
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
      finding.summary = "the search budget ran out at key " +
                        check.unknown_partition.value_or("?") +
                        "; raise checks.linearizability_steps_max";
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
