// raftsim: the job-queue checker of a queue run: the queue history against the final leader's
// queue, job by job (no acknowledged job lost, none completed twice, leases honoured; see
// sim/checkers/queue_checker.h and checker.h).
#include "sim/scenario/checks/checker.h"

#include "jobqueue/queue/job_queue.h"
#include "sim/checkers/queue_checker.h"

namespace raftsim::sim {
namespace {

// What the final leader's job queue holds, job by job (its `get` query answers archived jobs
// too once their cold part is loaded), and its counters. Ids are dense, so the id past the last
// must be unknown: asked too, and a job it answers for is listed (the checker's `unexpected`).
QueueFinalState final_queue_state(const RunEnd& run) {
  QueueFinalState state;
  if (!run.final_leader) return state;
  const NodeHost* host = run.cluster.node(*run.final_leader);
  if (host == nullptr) return state;
  const auto* jobs = dynamic_cast<const queue::JobQueue*>(&host->state_machine());
  RAFTSIM_CHECK_MSG(jobs != nullptr, "a queue workload runs on job-queue state machines");
  state.available = true;
  state.counters = FinalCounters{jobs->counters().leases, jobs->counters().failures};
  for (queue::JobId id = 1; id <= jobs->next_job_id(); ++id) {
    auto reply = queue::decode_reply(jobs->query(queue::encode_command(queue::Command::get(id))));
    RAFTSIM_CHECK(reply.has_value());
    if (id == jobs->next_job_id() && reply->outcome == queue::Outcome::not_found) break;
    if (reply->outcome != queue::Outcome::ok) {
      state.available = false;  // an archived job not loaded yet: the state is incomplete
      return state;
    }
    FinalJob job;
    static constexpr JobFinalStatus kStatus[] = {JobFinalStatus::pending, JobFinalStatus::leased,
                                                 JobFinalStatus::completed, JobFinalStatus::dead,
                                                 JobFinalStatus::cancelled};
    job.status = kStatus[static_cast<int>(reply->job.state)];
    job.attempts = reply->job.attempt;
    job.max_attempts = reply->job.max_attempts;
    job.completion_count = job.status == JobFinalStatus::completed ? 1 : 0;
    if (job.status == JobFinalStatus::leased && reply->job.lease_expires_ns >= jobs->now_ns()) {
      job.lease_remaining_ns = reply->job.lease_expires_ns - jobs->now_ns();
    }
    if (job.status == JobFinalStatus::pending) {
      const std::uint64_t available = reply->job.available_ns;
      job.available_remaining_ns = available > jobs->now_ns() ? available - jobs->now_ns() : 0;
    }
    state.jobs.emplace(id, job);
  }
  return state;
}
CheckerFinding check_queue_semantics(const RunEnd& run) {
  const char* kName = "queue";
  if (!run.queue_workload()) return skipped_finding(kName, "queue workloads only");
  if (!run.scenario.checks.queue) return skipped_finding(kName, kOffInScenario);
  CheckerFinding finding = finding_named(kName);
  QueueCheckOptions options;
  options.lease_duration = run.scenario.cluster.queue.lease;
  options.idempotency_window = static_cast<Time>(queue::Config{}.idempotency_window_ns);
  options.backoff_base = static_cast<Time>(queue::Config{}.backoff_base_ns);
  options.backoff_max = static_cast<Time>(queue::Config{}.backoff_max_ns);
  const QueueFinalState final_state = final_queue_state(run);
  const QueueCheckReport report = check_queue(run.cluster.queue_history(), final_state, options);
  finding.details = nlohmann::ordered_json::parse(report.to_json());
  if (report.valid) {
    finding.summary = std::to_string(report.jobs_acknowledged) + " jobs acknowledged, " +
                      std::to_string(report.jobs_completed) + " completed, " +
                      std::to_string(report.count(QueueRule::recovered)) +
                      " recovered; no job lost, duplicated or completed twice";
    if (!final_state.available) {
      finding.status = CheckStatus::unknown;
      finding.summary += " (no final state: the rules that need it were not checked)";
    }
    return finding;
  }
  finding.status = CheckStatus::fail;
  for (const QueueFinding& violation : report.findings) {
    if (!queue_rule_is_violation(violation.rule)) continue;
    finding.summary = std::string(queue_rule_name(violation.rule)) + ": job " +
                      std::to_string(violation.job_id) + ": " + violation.detail;
    finding.at = violation.operations.empty() ? run.cluster.world().now()
                                              : violation.operations.back().invoke_time;
    break;
  }
  return finding;
}
}  // namespace

std::unique_ptr<Checker> make_queue_semantics_checker() {
  return make_checker({"queue"},
                      [](const RunEnd& run) { return std::vector{check_queue_semantics(run)}; });
}

}  // namespace raftsim::sim
