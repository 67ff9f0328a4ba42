// raftsim: the list of end-of-run checkers (see checker.h).
#include "sim/scenario/checks/checker.h"

namespace raftsim::sim {

const char* check_status_name(CheckStatus status) {
  static constexpr const char* kNames[] = {"pass", "fail", "unknown", "skipped"};
  return kNames[static_cast<std::size_t>(status)];
}

CheckerFinding finding_named(std::string checker) {
  CheckerFinding finding;
  finding.checker = std::move(checker);
  return finding;
}

std::vector<std::unique_ptr<Checker>> end_of_run_checkers() {
  std::vector<std::unique_ptr<Checker>> checkers;
  checkers.push_back(make_durability_checker());
  checkers.push_back(make_linearizability_checker());
  checkers.push_back(make_queue_semantics_checker());
  checkers.push_back(make_recovery_checker());
  return checkers;
}

}  // namespace raftsim::sim
