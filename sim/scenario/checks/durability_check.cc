// raftsim: the durability checker: every acknowledged write of a KV run is in the final
// leader's committed log exactly once (see checker.h).
#include "sim/scenario/checks/checker.h"

namespace raftsim::sim {
namespace {

CheckerFinding check_durability(const RunEnd& run) {
  const char* kName = "durability";
  if (run.queue_workload()) {
    return skipped_finding(kName,
                           "KV workloads only (the queue checker's lost rule covers queues)");
  }
  if (!run.scenario.checks.durability) return skipped_finding(kName, kOffInScenario);
  if (run.violation) return skipped_finding(kName, kStoppedAtViolation);
  CheckerFinding finding = finding_named(kName);
  if (!run.final_leader) {
    finding.status = CheckStatus::unknown;
    finding.summary = "no stable leader at the end of the run to compare against";
    return finding;
  }
  auto violation = run.cluster.checker().check_durability(run.cluster.world(),
                                                          run.cluster.history(), *run.final_leader);
  if (violation) {
    finding.status = CheckStatus::fail;
    finding.summary = violation->detail;
    finding.at = violation->time;
    finding.nodes = violation->nodes;
    finding.details = {{"invariant", violation->invariant}, {"detail", violation->detail}};
    return finding;
  }
  finding.summary = "every acknowledged write is in the final leader's (n" +
                    std::to_string(*run.final_leader) + ") committed log exactly once";
  return finding;
}
}  // namespace

std::unique_ptr<Checker> make_durability_checker() {
  return make_checker({"durability"},
                      [](const RunEnd& run) { return std::vector{check_durability(run)}; });
}

}  // namespace raftsim::sim
