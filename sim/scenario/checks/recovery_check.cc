// raftsim: the recovery and liveness findings of a run from its recovery measurements
// (sim/checkers/recovery.h) and the highest term reached (see checker.h).
#include <algorithm>
#include <string_view>

#include "sim/scenario/checks/checker.h"

namespace raftsim::sim {
namespace {

double ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

// When each successful client write returned, sorted (queue workloads: every successful call).
std::vector<Time> ok_write_times(const RunEnd& run) {
  if (run.queue_workload()) return run.cluster.queue_history().ok_return_times();
  std::vector<Time> times;
  for (const RecordedOperation& operation : run.cluster.history().operations()) {
    if (operation.status == OperationStatus::ok && operation.op != "get") {
      times.push_back(operation.return_time);
    }
  }
  std::sort(times.begin(), times.end());
  return times;
}

// Each membership change's and transfer's write unavailability (only runs that made any).
nlohmann::ordered_json changes_json(const RunEnd& run) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  std::vector<Time> gaps;
  for (const ChangeUnavailability& change :
       measure_changes(run.cluster.admin_history().operations(), ok_write_times(run))) {
    nlohmann::ordered_json entry = {{"change", change.change},
                                    {"outcome", admin_outcome_name(change.outcome)},
                                    {"at_ms", ms(change.requested_at)}};
    entry["committed_ms"] =
        change.answered_at && change.outcome == AdminOutcome::ok
            ? nlohmann::ordered_json(ms(*change.answered_at - change.requested_at))
            : nlohmann::ordered_json(nullptr);
    entry["writes_again_ms"] =
        change.writes_again_at
            ? nlohmann::ordered_json(ms(*change.writes_again_at - change.requested_at))
            : nlohmann::ordered_json(nullptr);
    entry["write_gap_ms"] = ms(change.write_gap);
    if (change.writes_again_at) gaps.push_back(change.write_gap);
    changes.push_back(entry);
  }
  std::sort(gaps.begin(), gaps.end());
  return {{"measured", changes.size()},
          {"write_gap_p50_ms", ms(RecoveryTracker::percentile(gaps, 50))},
          {"write_gap_max_ms", ms(gaps.empty() ? 0 : gaps.back())},
          {"per_change", changes}};
}

// A node that stopped itself finding its storage corrupt although nothing damaged its disk: it
// could not read back what it wrote (say, the state machine refuses its own snapshot).
std::optional<std::string> undamaged_node_stopped(const RunEnd& run) {
  if (disks_may_be_damaged(run.scenario)) return std::nullopt;
  for (NodeIndex index = 0; index < run.cluster.size(); ++index) {
    // (ServiceCluster::node() hides failed hosts: ask the process itself.)
    const auto* host = dynamic_cast<const NodeHost*>(run.cluster.world().host(index).process());
    // Only corruption: an empty disk refused as a wiped bootstrap member (failed_precondition)
    // can follow an early crash that lost every unsynced write, and is a designed refusal.
    if (host == nullptr || !host->failed()) continue;
    if (host->failed_step() != NodeHost::FailedStep::recover ||
        host->failure_code() != StatusCode::corruption) {
      continue;
    }
    return "n" + std::to_string(index) +
           " stopped although no fault damaged a disk: " + host->failure();
  }
  return std::nullopt;
}

std::pair<CheckerFinding, CheckerFinding> check_recovery(const RunEnd& run) {
  if (!run.scenario.checks.recovery || run.violation) {
    const char* why = !run.scenario.checks.recovery ? kOffInScenario : kStoppedAtViolation;
    return {skipped_finding("recovery", why), skipped_finding("liveness", why)};
  }
  CheckerFinding recovery = finding_named("recovery");
  CheckerFinding liveness = finding_named("liveness");
  const RecoveryVerdict verdict = run.tracker.verdict();
  const std::vector<Time> times = run.tracker.recovery_times();
  recovery.details = {{"measured", run.tracker.measurements().size()},
                      {"recovered", times.size()},
                      {"max_ms", ms(times.empty() ? 0 : times.back())},
                      {"p50_ms", ms(RecoveryTracker::percentile(times, 50))},
                      {"p99_ms", ms(RecoveryTracker::percentile(times, 99))}};
  if (run.scenario.checks.recovery_max) {
    recovery.details["bound_ms"] = ms(*run.scenario.checks.recovery_max);
  }
  if (!run.cluster.admin_history().operations().empty()) {
    recovery.details["changes"] = changes_json(run);
  }
  if (verdict.recovery_failure) {
    recovery.status = CheckStatus::fail;
    recovery.summary = *verdict.recovery_failure;
    recovery.at = verdict.failure_at;
  } else if (const std::optional<std::string> stopped = undamaged_node_stopped(run)) {
    recovery.status = CheckStatus::fail;
    recovery.summary = *stopped;
    recovery.at = run.cluster.world().now();
  } else {
    recovery.summary =
        std::to_string(times.size()) + " recoveries, max " +
        std::to_string(times.empty() ? 0 : times.back() / kMillisecond) + " ms" +
        (run.scenario.checks.recovery_max
             ? " (bound " + std::to_string(*run.scenario.checks.recovery_max / kMillisecond) +
                   " ms)"
             : std::string(" (no bound set)"));
  }
  liveness.details = {{"max_term", run.max_term}};
  if (run.scenario.checks.term_max) liveness.details["term_max"] = *run.scenario.checks.term_max;
  if (!verdict.liveness_failure && run.scenario.checks.term_max &&
      run.max_term > *run.scenario.checks.term_max) {
    liveness.status = CheckStatus::fail;
    liveness.summary = "a node reached term " + std::to_string(run.max_term) + " (bound " +
                       std::to_string(*run.scenario.checks.term_max) +
                       "): the cluster kept electing";
    liveness.at = run.max_term_at;
  } else if (verdict.liveness_failure) {
    liveness.status = CheckStatus::fail;
    liveness.summary = *verdict.liveness_failure;
    liveness.at = verdict.failure_at;
  } else if (!run.tracker.all_recovered()) {
    liveness.summary = "not every fault was recovered from, but never for " +
                       std::to_string(run.scenario.checks.liveness_timeout / kMillisecond) +
                       " ms with a healthy majority";
  } else {
    liveness.summary = "the cluster recovered from every fault";
  }
  judge_leadership(run, liveness);
  return {recovery, liveness};
}
}  // namespace

// Whether the run may legitimately leave a disk unrecoverable: corruption, a full disk (a
// disk fault or a capacity limit), a wipe step, the membership nemesis (it wipes), or an
// injected bug. Crashes,
// power loss, torn unsynced writes and slow fsyncs must always be survived (the nemesis' disk
// kind only tears writes: DiskFault::draw_nemesis).
bool disks_may_be_damaged(const Scenario& scenario) {
  if (scenario.cluster.bugs != LayerBugs{}) return true;
  if (scenario.cluster.disk.capacity_bytes != ServiceClusterOptions{}.disk.capacity_bytes) {
    return true;
  }
  for (const FaultStep& step : scenario.faults) {
    if (const DiskFault* disk = step.as<DiskFault>()) {
      if (disk->kind != DiskFault::Kind::torn_writes && disk->kind != DiskFault::Kind::slow_sync) {
        return true;
      }
    }
    if (step.is<WipeFault>() || step.is<MembershipNemesisFault>()) return true;
  }
  if (!scenario.nemesis) return false;
  return std::any_of(scenario.nemesis->kinds.begin(), scenario.nemesis->kinds.end(),
                     [](NemesisKind kind) { return kind.name() == MembershipNemesisFault::kName; });
}

std::unique_ptr<Checker> make_recovery_checker() {
  return make_checker({"recovery", "liveness"}, [](const RunEnd& run) {
    auto [recovery, liveness] = check_recovery(run);
    return std::vector{recovery, liveness};
  });
}

}  // namespace raftsim::sim
