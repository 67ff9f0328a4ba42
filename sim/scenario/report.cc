// raftsim: the report-building stage (see report.h).
#include "sim/scenario/report.h"

#include <algorithm>

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

double ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

// The probes the run reached, with their counts, in the list's order (never-hit ones are left
// out: the list of all probes is raftsim's, not the run's).
nlohmann::ordered_json probes_json(const ProbeCounts& probes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    if (probes.hits[i] > 0) out[std::string(probe_name(static_cast<Probe>(i)))] = probes.hits[i];
  }
  return out;
}

// The operator console's requests: what, outcome, when, how long until answered, why.
nlohmann::ordered_json admin_json(const std::vector<AdminOperation>& admin) {
  using nlohmann::ordered_json;
  ordered_json requests = ordered_json::array();
  for (const AdminOperation& operation : admin) {
    ordered_json entry = {{"request", describe_admin_request(operation.request)},
                          {"outcome", admin_outcome_name(operation.outcome)},
                          {"at_ms", ms(operation.requested_at)}};
    entry["answered_ms"] = operation.answered_at
                               ? ordered_json(ms(*operation.answered_at - operation.requested_at))
                               : ordered_json(nullptr);
    if (!operation.reason.empty()) entry["reason"] = operation.reason;
    entry["attempts"] = operation.attempts;
    requests.push_back(entry);
  }
  return requests;
}

}  // namespace

const char* run_verdict_name(RunVerdict verdict) {
  static constexpr const char* kNames[] = {"pass", "fail", "unknown", "budget_exceeded"};
  return kNames[static_cast<std::size_t>(verdict)];
}

CheckerFinding safety_finding(const std::optional<Violation>& violation) {
  CheckerFinding safety = finding_named("safety");
  if (violation) {
    safety.status = CheckStatus::fail;
    safety.summary = violation->invariant + ": " + violation->detail;
    safety.at = violation->time;
    safety.nodes = violation->nodes;
    safety.details = {{"invariant", violation->invariant},
                      {"event", violation->event_number},
                      {"time_ms", ms(violation->time)},
                      {"nodes", violation->nodes},
                      {"detail", violation->detail}};
  } else {
    safety.summary =
        "election safety, leader append-only, log matching, leader completeness "
        "and state machine safety held after every event";
  }
  return safety;
}

std::vector<CheckerFinding> budget_skipped_findings(
    const std::vector<std::unique_ptr<Checker>>& checkers) {
  // The run stopped in the middle: its history is cut short and nothing settled, so the
  // end-of-run checkers would judge a run that never ended. Safety held up to the stop.
  std::vector<CheckerFinding> findings;
  for (const auto& checker : checkers) {
    for (const std::string& name : checker->names()) {
      CheckerFinding finding = finding_named(name);
      finding.status = CheckStatus::skipped;
      finding.summary = "not judged: the run stopped at its budget";
      findings.push_back(finding);
    }
  }
  return findings;
}

void count_run(ServiceCluster& cluster, bool queue_workload, ScenarioRunReport& report) {
  World& world = cluster.world();
  report.trace_hash = world.trace().hash();
  report.events = world.trace().event_count();
  report.messages_sent = world.network().messages_sent();
  report.messages_delivered = world.network().messages_delivered();
  report.messages_dropped = world.network().messages_dropped();
  if (queue_workload) {
    const QueueHistory& queue = cluster.queue_history();
    report.operations_ok = queue.count(QueueOperationStatus::ok);
    report.operations_fail = queue.count(QueueOperationStatus::fail);
    report.operations_info =
        queue.count(QueueOperationStatus::info) + queue.count(QueueOperationStatus::pending);
  } else {
    report.operations_ok = cluster.history().count(OperationStatus::ok);
    report.operations_fail = cluster.history().count(OperationStatus::fail);
    report.operations_info = cluster.history().count(OperationStatus::info) +
                             cluster.history().count(OperationStatus::pending);
  }
  report.simulated = world.now();
  report.admin = cluster.admin_history().operations();
  for (NodeIndex node = 0; node < cluster.size(); ++node) {
    if (const Raft* raft = cluster.raft(node)) {
      report.final_term = std::max(report.final_term, raft->term());
    }
  }
}

void judge(const Expectation& expect, ScenarioRunReport& report) {
  bool any_fail = false;
  bool any_unknown = false;
  for (const CheckerFinding& finding : report.findings) {
    any_fail = any_fail || finding.status == CheckStatus::fail;
    any_unknown = any_unknown || finding.status == CheckStatus::unknown;
  }
  report.verdict = any_fail                          ? RunVerdict::fail
                   : !report.budget_exceeded.empty() ? RunVerdict::budget_exceeded
                   : any_unknown                     ? RunVerdict::unknown
                                                     : RunVerdict::pass;
  if (expect.pass) {
    report.expectation_met = report.verdict == RunVerdict::pass;
    return;
  }
  report.expectation_met =
      std::any_of(report.findings.begin(), report.findings.end(), [&](const CheckerFinding& f) {
        return f.checker == expect.checker && f.status == CheckStatus::fail;
      });
}

const CheckerFinding* ScenarioRunReport::first_failure() const {
  const CheckerFinding* first = nullptr;
  for (const CheckerFinding& finding : findings) {
    if (finding.status == CheckStatus::fail && (first == nullptr || finding.at < first->at)) {
      first = &finding;
    }
  }
  return first;
}

int ScenarioRunReport::exit_code() const {
  if (expectation_met) return 0;
  return verdict == RunVerdict::unknown || verdict == RunVerdict::budget_exceeded ? 4 : 1;
}

nlohmann::ordered_json ScenarioRunReport::to_json() const {
  using nlohmann::ordered_json;
  ordered_json out;
  out["scenario"] = scenario;
  out["seed"] = seed;
  out["verdict"] = run_verdict_name(verdict);
  if (!budget_exceeded.empty()) out["budget_exceeded"] = budget_exceeded;
  out["expectation_met"] = expectation_met;
  ordered_json checkers = ordered_json::object();
  for (const CheckerFinding& finding : findings) {
    ordered_json entry = {{"status", check_status_name(finding.status)},
                          {"summary", finding.summary}};
    if (finding.status == CheckStatus::fail) {
      entry["at_ms"] = ms(finding.at);
      if (!finding.nodes.empty()) entry["nodes"] = finding.nodes;
      if (!finding.blamed.empty()) entry["blamed"] = finding.blamed;
    }
    if (!finding.details.empty()) entry["details"] = finding.details;
    checkers[finding.checker] = entry;
  }
  out["checkers"] = checkers;
  ordered_json per_fault = ordered_json::array();
  for (const RecoveryMeasurement& measurement : recovery) {
    ordered_json entry = {{"event", measurement.event}, {"at_ms", ms(measurement.at)}};
    entry["leader_ms"] = measurement.leader_at
                             ? ordered_json(ms(*measurement.leader_at - measurement.at))
                             : ordered_json(nullptr);
    entry["commit_ms"] = measurement.commit_at
                             ? ordered_json(ms(*measurement.commit_at - measurement.at))
                             : ordered_json(nullptr);
    entry["recovery_ms"] = measurement.recovered_at ? ordered_json(ms(measurement.recovery_time()))
                                                    : ordered_json(nullptr);
    entry["healthy_ms"] = ms(measurement.healthy_time);
    per_fault.push_back(entry);
  }
  out["recovery"] = {{"max_ms", ms(recovery_times.empty() ? 0 : recovery_times.back())},
                     {"p50_ms", ms(RecoveryTracker::percentile(recovery_times, 50))},
                     {"p99_ms", ms(RecoveryTracker::percentile(recovery_times, 99))},
                     {"per_fault", per_fault}};
  ordered_json faults = ordered_json::array();
  for (const AppliedFault& applied : timeline) {
    ordered_json entry = {{"at_ms", ms(applied.step.at)},
                          {"action", std::string(fault_name(applied.step.fault))},
                          {"origin", applied.origin},
                          {"what", applied.note}};
    if (applied.skipped) entry["skipped"] = true;
    faults.push_back(entry);
  }
  out["faults"] = faults;
  out["counts"] = {{"operations_ok", operations_ok},
                   {"operations_fail", operations_fail},
                   {"operations_info", operations_info},
                   {"events", events},
                   {"messages_sent", messages_sent},
                   {"messages_delivered", messages_delivered},
                   {"messages_dropped", messages_dropped},
                   {"final_term", final_term},
                   {"snapshots_taken", snapshots_taken},
                   {"snapshots_installed", snapshots_installed},
                   {"snapshot_recoveries", snapshot_recoveries}};
  out["final_leader"] =
      final_leader ? ordered_json(node_name(*final_leader)) : ordered_json(nullptr);
  if (!admin.empty()) out["admin"] = admin_json(admin);
  out["simulated_ms"] = ms(simulated);
  out["probes"] = probes_json(probes);
  out["trace_hash"] = trace_hash;
  // The same value as a string: JSON numbers above 2^53 are rounded by jq and JavaScript.
  out["trace_hash_string"] = std::to_string(trace_hash);
  return out;
}

Scenario ScenarioRunReport::concrete_scenario(const Scenario& original) const {
  Scenario concrete = original;
  concrete.seed = seed;
  concrete.nemesis.reset();
  concrete.faults.clear();
  for (const AppliedFault& applied : timeline) {
    if (applied.skipped || applied.origin == "final recovery") continue;
    FaultStep step = applied.step;
    step.comment = applied.origin + ": " + applied.note;
    concrete.faults.push_back(step);
  }
  return concrete;
}

}  // namespace raftsim::sim
