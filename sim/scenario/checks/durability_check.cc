// raftsim: the durability checker: every acknowledged write of a KV run is in the final
// leader's committed log exactly once (see checker.h).
#include "sim/scenario/checks/checker.h"

namespace raftsim::sim {
namespace {

CheckerFinding check_durability(const RunEnd& run) {
  CheckerFinding finding = finding_named("durability");
  if (run.queue_workload()) {
    finding.status = CheckStatus::skipped;
    finding.summary = "KV workloads only (the queue checker's lost rule covers queues)";
    return finding;
  }
  if (!run.scenario.checks.durability) {
    finding.status = CheckStatus::skipped;
    finding.summary = "off in this scenario";
    return finding;
  }
  if (run.violation) {
    finding.status = CheckStatus::skipped;
    finding.summary = "the run stopped at a safety violation";
    return finding;
  }
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
class DurabilityChecker final : public Checker {
 public:
  std::vector<std::string> names() const override { return {"durability"}; }
  std::vector<CheckerFinding> check(const RunEnd& run) override { return {check_durability(run)}; }
};

}  // namespace

std::unique_ptr<Checker> make_durability_checker() {
  return std::make_unique<DurabilityChecker>();
}

}  // namespace raftsim::sim
