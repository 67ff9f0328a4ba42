// raftsim: the end-of-run checkers of a scenario run, behind one interface. Each judges the run
// as it ended (RunEnd) and returns findings under fixed names, in a fixed order: durability,
// linearizability, queue, recovery and liveness (the recovery checker reports both). Raft
// safety is not among them: it is checked online after every event (sim/checkers/raft_safety.h)
// and its finding is built from the violation, if any (report.h). A checker reads the run; it
// never changes it and draws no random numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/leadership.h"
#include "sim/checkers/raft_safety.h"
#include "sim/checkers/recovery.h"
#include "sim/cluster/service_cluster.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

enum class CheckStatus : std::uint8_t { pass, fail, unknown, skipped };
const char* check_status_name(CheckStatus status);

struct CheckerFinding {
  std::string checker;  // safety, durability, linearizability, queue, recovery, liveness
  CheckStatus status = CheckStatus::pass;
  std::string summary;  // one line
  Time at = 0;          // when a failure happened or became certain (for the diagram window)
  std::vector<NodeIndex> nodes;
  // Client operations to highlight in the diagram, as "c<client>#<sequence>".
  std::vector<std::string> blamed;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
};
CheckerFinding finding_named(std::string checker);
// A finding of `checker` that was not judged, and why.
CheckerFinding skipped_finding(std::string checker, std::string why);
inline constexpr const char* kOffInScenario = "off in this scenario";
inline constexpr const char* kStoppedAtViolation = "the run stopped at a safety violation";

// The run as it ended: what the checkers judge.
struct RunEnd {
  const Scenario& scenario;
  ServiceCluster& cluster;
  const std::optional<Violation>& violation;  // the safety violation that stopped the run
  std::optional<NodeIndex> final_leader;      // the stable leader at the last sample
  const RecoveryTracker& tracker;
  const LeadershipTracker& leadership;
  Term max_term = 0;  // the highest term any node reached, and when
  Time max_term_at = 0;

  bool queue_workload() const {
    return scenario.cluster.workload_type == ServiceClusterOptions::Workload::queue;
  }
};

class Checker {
 public:
  virtual ~Checker() = default;
  // The names of the findings check() returns, in order.
  virtual std::vector<std::string> names() const = 0;
  virtual std::vector<CheckerFinding> check(const RunEnd& run) = 0;
};

// A checker made of a function that returns findings under `names`.
std::unique_ptr<Checker> make_checker(std::vector<std::string> names,
                                      std::vector<CheckerFinding> (*check)(const RunEnd& run));

// Every end-of-run checker, in report order.
std::vector<std::unique_ptr<Checker>> end_of_run_checkers();

std::unique_ptr<Checker> make_durability_checker();
std::unique_ptr<Checker> make_linearizability_checker();
std::unique_ptr<Checker> make_queue_semantics_checker();
std::unique_ptr<Checker> make_recovery_checker();
// Whether the scenario may legitimately leave a disk unrecoverable (corrupt or full disk faults, a
// capacity limit, wipes, the membership nemesis, injected bugs); torn writes and slow fsyncs do
// not. Otherwise the recovery finding fails a node that stopped on corrupt storage.
bool disks_may_be_damaged(const Scenario& scenario);
// Adds the leadership measurements to the liveness finding and fails it on a breach of the
// stable-leader bound or of the scenario's leadership bounds (unless it already failed earlier).
void judge_leadership(const RunEnd& run, CheckerFinding& liveness);

}  // namespace raftsim::sim
