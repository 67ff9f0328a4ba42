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

CheckerFinding skipped_finding(std::string checker, std::string why) {
  CheckerFinding finding = finding_named(std::move(checker));
  finding.status = CheckStatus::skipped;
  finding.summary = std::move(why);
  return finding;
}

namespace {

class FunctionChecker final : public Checker {
 public:
  FunctionChecker(std::vector<std::string> names,
                  std::vector<CheckerFinding> (*check)(const RunEnd& run))
      : names_(std::move(names)), check_(check) {}
  std::vector<std::string> names() const override { return names_; }
  std::vector<CheckerFinding> check(const RunEnd& run) override { return check_(run); }

 private:
  std::vector<std::string> names_;
  std::vector<CheckerFinding> (*check_)(const RunEnd& run);
};

}  // namespace

std::unique_ptr<Checker> make_checker(std::vector<std::string> names,
                                      std::vector<CheckerFinding> (*check)(const RunEnd& run)) {
  return std::make_unique<FunctionChecker>(std::move(names), check);
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
