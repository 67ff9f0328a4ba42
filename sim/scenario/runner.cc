#include "sim/scenario/runner.h"

#include <algorithm>
#include <map>

#include "jobqueue/queue/job_queue.h"
#include "sim/checkers/queue_checker.h"
#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/scenario/faults/fault_context.h"
#include "sim/scenario/parse.h"

namespace raftsim::sim {

const char* check_status_name(CheckStatus status) {
  static constexpr const char* kNames[] = {"pass", "fail", "unknown", "skipped"};
  return kNames[static_cast<std::size_t>(status)];
}

namespace {

constexpr Time kSamplePeriod = milliseconds(1);
constexpr Time kProgressPeriod = milliseconds(100);
constexpr Time kRoleRetryPeriod = milliseconds(10);
constexpr const char* kNewLeader = "new-leader";
// A step that names a role nobody holds (no leader during an election) waits this long at most.
constexpr Time kRoleWaitMax = seconds(3);

CheckerFinding finding_named(std::string checker) {
  CheckerFinding finding;
  finding.checker = std::move(checker);
  return finding;
}

double ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

}  // namespace

class ScenarioRunner::Impl {
 public:
  Impl(const Scenario& scenario, std::uint64_t seed, ScenarioRunOptions options)
      : scenario_(scenario),
        seed_(seed),
        options_(std::move(options)),
        faults_random_(Random::stream(seed, "scenario/faults")),
        nemesis_random_(Random::stream(seed, "scenario/nemesis")),
        tracker_(scenario.cluster.clients > 0, scenario.checks.recovery_max,
                 scenario.checks.liveness_timeout) {
    KvClusterOptions cluster = scenario.cluster;
    cluster.seed = seed;
    cluster.record_trace = options_.record_trace;
    cluster_ = std::make_unique<KvCluster>(cluster);
    cluster_->set_budget(RunBudget{scenario.events_max, options_.should_stop});
    selectors_ = std::make_unique<SelectorResolver>(*cluster_, faults_random_);
    applier_ = std::make_unique<FaultApplier>(*cluster_, *selectors_, faults_random_,
                                              scenario_.cluster, tracker_, options_.before_fault);
    if (scenario.nemesis) {
      nemesis_ = *scenario.nemesis;
      nemesis_budgets_ = nemesis_->kind_budgets;
      nemesis_budgets_.resize(kNemesisKinds, UINT32_MAX);
      nemesis_next_ = nemesis_->start + draw(nemesis_->interval_min, nemesis_->interval_max);
    }
  }

  KvCluster& cluster() { return *cluster_; }

  ScenarioRunReport run() {
    const ScopedBug injected(scenario_.bug);  // off (Bug::none) unless the scenario names one
    World& world = cluster_->world();
    try {
      // A failed assertion anywhere in the code under test (a node's core, its host, a
      // restart's recovery) is a finding of this run, reported with its seed, timeline and
      // diagram, not a crash of the runner.
      const ScopedThrowingChecks throwing;
      run_phases();
    } catch (const CheckFailure& failure) {
      violation_ =
          Violation{world.trace().event_count(), world.now(), "assertion", {}, failure.text};
      world.note("VIOLATION " + violation_->describe());
    }
    return finish();
  }

 private:
  // The scenario's duration with its faults, then the final recovery and settling.
  void run_phases() {
    World& world = cluster_->world();
    cluster_->start();
    Time next_progress = kProgressPeriod;
    bool stopped = false;
    // Phase 1: the scenario's duration, with its faults.
    while (!stopped && world.now() < scenario_.duration) {
      Time next = std::min(world.now() + kSamplePeriod, scenario_.duration);
      if (next_step_ < scenario_.faults.size()) {
        next = std::min(next, std::max(scenario_.faults[next_step_].at, step_retry_at_));
      }
      if (nemesis_) next = std::min(next, std::max(nemesis_next_, world.now()));
      stopped = advance_to(next);
      if (stopped) break;
      fire_due_steps();
      fire_nemesis();
      if (world.now() >= next_progress) {
        report_progress(false);
        next_progress += kProgressPeriod;
      }
    }
    // Phase 2: recover everything and let the cluster settle.
    if (!stopped) {
      FaultStep recover;
      recover.at = world.now();
      recover.fault = RecoverAllFault{};
      applier_->apply(recover, "final recovery");
      const Time settle_end = world.now() + scenario_.settle_max;
      while (!stopped && world.now() < settle_end && !tracker_.all_recovered()) {
        stopped = advance_to(world.now() + kSamplePeriod);
        if (world.now() >= next_progress) {
          report_progress(true);
          next_progress += kProgressPeriod;
        }
      }
      // Let the final leader apply what it committed before durability is judged.
      if (!stopped) stopped = advance_to(world.now() + milliseconds(200));
    }
  }

  bool queue_workload() const {
    return scenario_.cluster.workload_type == KvClusterOptions::Workload::queue;
  }

  // When each successful client operation returned, sorted.
  const std::vector<Time>& ok_times() const {
    return queue_workload() ? cluster_->queue_history().ok_return_times()
                            : cluster_->history().ok_return_times();
  }

  Time draw(Time low, Time high) { return low >= high ? low : nemesis_random_.between(low, high); }

  // Runs the cluster to `limit`, then samples recovery. True if a safety violation or the run
  // budget stopped it.
  bool advance_to(Time limit) {
    if (auto violation = cluster_->run_until(limit)) {
      violation_ = violation;
      return true;
    }
    if (!cluster_->budget_exceeded().empty()) return true;
    const ClusterHealth health = observe_health(*cluster_);
    tracker_.observe(cluster_->world().now(), health, ok_times());
    last_stable_leader_ = health.stable_leader;
    selectors_->observe(health.stable_leader);
    for (NodeIndex node = 0; node < cluster_->size(); ++node) {
      const Raft* raft = cluster_->raft(node);
      if (raft != nullptr && raft->term() > max_term_) {
        max_term_ = raft->term();
        max_term_at_ = cluster_->world().now();
      }
      if (const NodeHost* host = cluster_->node(node)) {
        // Counters live in the node's process, which a crash discards: keep each incarnation's.
        SnapshotCounts& counts =
            snapshot_counts_[{node, cluster_->world().host(node).incarnation()}];
        counts.taken = host->snapshots_taken();
        counts.installed = host->snapshots_installed();
        counts.recovered = host->recovery_note().find("loaded snapshot") != std::string::npos;
      }
    }
    return false;
  }

  void report_progress(bool settling) {
    if (!options_.progress) return;
    RunProgress progress;
    progress.now = cluster_->world().now();
    progress.end = scenario_.duration;
    progress.operations_ok = ok_times().size();
    progress.faults_applied = applier_->timeline().size();
    progress.settling = settling;
    options_.progress(progress);
  }

  // --- the fault schedule ----------------------------------------------------------------------

  void fire_due_steps() {
    const Time now = cluster_->world().now();
    while (next_step_ < scenario_.faults.size() && scenario_.faults[next_step_].at <= now &&
           step_retry_at_ <= now) {
      const FaultStep& step = scenario_.faults[next_step_];
      const std::string origin = "faults/" + std::to_string(next_step_);
      const bool wants_new_leader = step_names(step, kNewLeader);
      if (selectors_->needs_missing_leader(step)) {
        if (now - step.at < kRoleWaitMax) {
          // A new leader is caught within a millisecond of its election, before its first
          // appends are on their way (they leave after its fsync).
          step_retry_at_ = now + (wants_new_leader ? kSamplePeriod : kRoleRetryPeriod);
          return;  // later steps wait behind this one: the schedule keeps its order
        }
        applier_->skip(step, origin,
                       "no leader for " + std::to_string(kRoleWaitMax / kMillisecond) + " ms");
      } else {
        selectors_->set_leading_min(step.leading_min);
        applier_->apply(step, origin);
      }
      step_retry_at_ = 0;
      selectors_->end_step();
      ++next_step_;
    }
  }

  // --- the nemesis -----------------------------------------------------------------------------

  void fire_nemesis() {
    if (!nemesis_) return;
    const Time now = cluster_->world().now();
    if (now < nemesis_next_) return;
    if (!nemesis_undo_.empty()) {
      for (const FaultStep& step : nemesis_undo_) applier_->apply(step, "nemesis");
      nemesis_undo_.clear();
      nemesis_next_ = now + draw(nemesis_->interval_min, nemesis_->interval_max);
      return;
    }
    if (now >= nemesis_->stop || nemesis_used_ >= nemesis_->faults_max) {
      nemesis_next_ = kTimeNever;
      return;
    }
    std::vector<NemesisKind> available;
    for (NemesisKind kind : nemesis_->kinds) {
      if (nemesis_budgets_[kind.index] > 0) available.push_back(kind);
    }
    if (available.empty()) {
      nemesis_next_ = kTimeNever;
      return;
    }
    const NemesisKind kind = available[nemesis_random_.below(available.size())];
    --nemesis_budgets_[kind.index];
    ++nemesis_used_;
    NemesisDraw drawn = nemesis_faults(kind);
    nemesis_undo_ = std::move(drawn.undo);
    for (const FaultStep& step : drawn.inject) applier_->apply(step, "nemesis");
    nemesis_next_ = now + draw(nemesis_->hold_min, nemesis_->hold_max);
  }

  // One random fault of `kind` and the steps that undo it.
  NemesisDraw nemesis_faults(NemesisKind kind) {
    const NodeIndex nodes = cluster_->size();
    Random& random = nemesis_random_;
    std::vector<NodeIndex> shuffled = selectors_->all_nodes();
    for (std::size_t i = shuffled.size(); i > 1; --i) {
      std::swap(shuffled[i - 1], shuffled[random.below(i)]);
    }
    NemesisContext context{random,
                           nodes,
                           std::move(shuffled),
                           [&]() -> NodeIndex {
                             // Faults on leaders find the most bugs.
                             const auto leader = selectors_->current_leader();
                             if (leader && random.chance(Ratio{1, 2})) return *leader;
                             return static_cast<NodeIndex>(random.below(nodes));
                           },
                           scenario_.cluster,
                           applier_->disk_configs()};
    return draw_nemesis(kind, context);
  }

  // --- the verdict -----------------------------------------------------------------------------

  ScenarioRunReport finish() {
    World& world = cluster_->world();
    ScenarioRunReport report;
    report.scenario = scenario_.name;
    report.seed = seed_;
    report.timeline = applier_->timeline();

    CheckerFinding safety = finding_named("safety");
    if (violation_) {
      safety.status = CheckStatus::fail;
      safety.summary = violation_->invariant + ": " + violation_->detail;
      safety.at = violation_->time;
      safety.nodes = violation_->nodes;
      safety.details = {{"invariant", violation_->invariant},
                        {"event", violation_->event_number},
                        {"time_ms", ms(violation_->time)},
                        {"nodes", violation_->nodes},
                        {"detail", violation_->detail}};
    } else {
      safety.summary =
          "election safety, leader append-only, log matching, leader completeness "
          "and state machine safety held after every event";
    }
    report.findings.push_back(safety);
    report.budget_exceeded = describe_budget_exceeded();
    if (!report.budget_exceeded.empty()) {
      // The run stopped in the middle: its history is cut short and nothing settled, so the
      // end-of-run checkers would judge a run that never ended. Safety held up to the stop.
      for (const char* checker :
           {"durability", "linearizability", "queue", "recovery", "liveness"}) {
        CheckerFinding finding = finding_named(checker);
        finding.status = CheckStatus::skipped;
        finding.summary = "not judged: the run stopped at its budget";
        report.findings.push_back(finding);
      }
    } else {
      report.findings.push_back(check_durability());
      report.findings.push_back(check_linearizability());
      report.findings.push_back(check_queue_semantics());
      auto [recovery, liveness] = check_recovery();
      report.findings.push_back(recovery);
      report.findings.push_back(liveness);
    }

    report.recovery = tracker_.measurements();
    report.recovery_times = tracker_.recovery_times();
    report.trace_hash = world.trace().hash();
    report.events = world.trace().event_count();
    report.messages_sent = world.network().messages_sent();
    report.messages_delivered = world.network().messages_delivered();
    report.messages_dropped = world.network().messages_dropped();
    for (const auto& [key, counts] : snapshot_counts_) {
      report.snapshots_taken += counts.taken;
      report.snapshots_installed += counts.installed;
      report.snapshot_recoveries += counts.recovered ? 1 : 0;
    }
    if (queue_workload()) {
      const QueueHistory& queue = cluster_->queue_history();
      report.operations_ok = queue.count(QueueOperationStatus::ok);
      report.operations_fail = queue.count(QueueOperationStatus::fail);
      report.operations_info =
          queue.count(QueueOperationStatus::info) + queue.count(QueueOperationStatus::pending);
    } else {
      report.operations_ok = cluster_->history().count(OperationStatus::ok);
      report.operations_fail = cluster_->history().count(OperationStatus::fail);
      report.operations_info = cluster_->history().count(OperationStatus::info) +
                               cluster_->history().count(OperationStatus::pending);
    }
    report.simulated = world.now();
    report.final_leader = last_stable_leader_;
    for (NodeIndex node = 0; node < cluster_->size(); ++node) {
      if (const Raft* raft = cluster_->raft(node))
        report.final_term = std::max(report.final_term, raft->term());
    }

    bool any_fail = false;
    bool any_unknown = false;
    for (const CheckerFinding& finding : report.findings) {
      any_fail = any_fail || finding.status == CheckStatus::fail;
      any_unknown = any_unknown || finding.status == CheckStatus::unknown;
    }
    report.verdict = any_fail                          ? "fail"
                     : !report.budget_exceeded.empty() ? "budget_exceeded"
                     : any_unknown                     ? "unknown"
                                                       : "pass";
    if (scenario_.expect.pass) {
      report.expectation_met = report.verdict == "pass";
    } else {
      report.expectation_met = std::any_of(report.findings.begin(), report.findings.end(),
                                           [&](const CheckerFinding& finding) {
                                             return finding.checker == scenario_.expect.checker &&
                                                    finding.status == CheckStatus::fail;
                                           });
    }
    return report;
  }

  // Empty unless the run budget stopped the run; else what was spent, for the report.
  std::string describe_budget_exceeded() {
    const std::string& reason = cluster_->budget_exceeded();
    if (reason.empty()) return {};
    const std::string at = " at " + std::to_string(cluster_->world().now() / kMillisecond) +
                           " ms simulated (of " +
                           std::to_string(scenario_.duration / kMillisecond) + " ms)";
    if (reason == "events") {
      return "events_max: " + std::to_string(scenario_.events_max) + " events run" + at;
    }
    return "guard: the caller's run guard (e.g. wall time) stopped the run" + at;
  }

  CheckerFinding check_durability() {
    CheckerFinding finding = finding_named("durability");
    if (queue_workload()) {
      finding.status = CheckStatus::skipped;
      finding.summary = "KV workloads only (the queue checker's lost rule covers queues)";
      return finding;
    }
    if (!scenario_.checks.durability) {
      finding.status = CheckStatus::skipped;
      finding.summary = "off in this scenario";
      return finding;
    }
    if (violation_) {
      finding.status = CheckStatus::skipped;
      finding.summary = "the run stopped at a safety violation";
      return finding;
    }
    if (!last_stable_leader_) {
      finding.status = CheckStatus::unknown;
      finding.summary = "no stable leader at the end of the run to compare against";
      return finding;
    }
    auto violation = cluster_->checker().check_durability(cluster_->world(), cluster_->history(),
                                                          *last_stable_leader_);
    if (violation) {
      finding.status = CheckStatus::fail;
      finding.summary = violation->detail;
      finding.at = violation->time;
      finding.nodes = violation->nodes;
      finding.details = {{"invariant", violation->invariant}, {"detail", violation->detail}};
      return finding;
    }
    finding.summary = "every acknowledged write is in the final leader's (n" +
                      std::to_string(*last_stable_leader_) + ") committed log exactly once";
    return finding;
  }

  CheckerFinding check_linearizability() {
    CheckerFinding finding = finding_named("linearizability");
    if (queue_workload()) {
      finding.status = CheckStatus::skipped;
      finding.summary = "KV workloads only";
      return finding;
    }
    if (!scenario_.checks.linearizability) {
      finding.status = CheckStatus::skipped;
      finding.summary = "off in this scenario";
      return finding;
    }
    const History& recorded = cluster_->history();
    auto history = linearizability::parse_raftsim_json(recorded.to_json(), "history");
    RAFTSIM_CHECK_MSG(history.ok(), "the simulator wrote a history its own checker cannot read");
    auto model = linearizability::make_model("kv");
    RAFTSIM_CHECK(model != nullptr);
    linearizability::CheckOptions options;
    options.budget.search_steps_max = scenario_.checks.linearizability_steps_max;
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

  // What the final leader's job queue holds, job by job (its `get` query answers archived jobs
  // too once their cold part is loaded).
  QueueFinalState final_queue_state() {
    QueueFinalState state;
    if (!last_stable_leader_) return state;
    const NodeHost* host = cluster_->node(*last_stable_leader_);
    if (host == nullptr) return state;
    const auto* jobs = dynamic_cast<const queue::JobQueue*>(&host->state_machine());
    RAFTSIM_CHECK_MSG(jobs != nullptr, "a queue workload runs on job-queue state machines");
    state.available = true;
    for (queue::JobId id = 1; id < jobs->next_job_id(); ++id) {
      auto reply = queue::decode_reply(jobs->query(queue::encode_command(queue::Command::get(id))));
      RAFTSIM_CHECK(reply.has_value());
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
      state.jobs.emplace(id, job);
    }
    return state;
  }

  CheckerFinding check_queue_semantics() {
    CheckerFinding finding = finding_named("queue");
    if (!queue_workload() || !scenario_.checks.queue) {
      finding.status = CheckStatus::skipped;
      finding.summary = queue_workload() ? "off in this scenario" : "queue workloads only";
      return finding;
    }
    QueueCheckOptions options;
    options.lease_duration = scenario_.cluster.queue.lease;
    options.idempotency_window = static_cast<Time>(queue::Config{}.idempotency_window_ns);
    const QueueFinalState final_state = final_queue_state();
    const QueueCheckReport report = check_queue(cluster_->queue_history(), final_state, options);
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
      finding.at = violation.operations.empty() ? cluster_->world().now()
                                                : violation.operations.back().invoke_time;
      break;
    }
    return finding;
  }

  std::pair<CheckerFinding, CheckerFinding> check_recovery() {
    CheckerFinding recovery = finding_named("recovery");
    CheckerFinding liveness = finding_named("liveness");
    if (!scenario_.checks.recovery) {
      recovery.status = liveness.status = CheckStatus::skipped;
      recovery.summary = liveness.summary = "off in this scenario";
      return {recovery, liveness};
    }
    if (violation_) {
      recovery.status = liveness.status = CheckStatus::skipped;
      recovery.summary = liveness.summary = "the run stopped at a safety violation";
      return {recovery, liveness};
    }
    const RecoveryVerdict verdict = tracker_.verdict();
    const std::vector<Time> times = tracker_.recovery_times();
    recovery.details = {{"measured", tracker_.measurements().size()},
                        {"recovered", times.size()},
                        {"max_ms", ms(times.empty() ? 0 : times.back())},
                        {"p50_ms", ms(RecoveryTracker::percentile(times, 50))},
                        {"p99_ms", ms(RecoveryTracker::percentile(times, 99))}};
    if (scenario_.checks.recovery_max) {
      recovery.details["bound_ms"] = ms(*scenario_.checks.recovery_max);
    }
    if (verdict.recovery_failure) {
      recovery.status = CheckStatus::fail;
      recovery.summary = *verdict.recovery_failure;
      recovery.at = verdict.failure_at;
    } else {
      recovery.summary =
          std::to_string(times.size()) + " recoveries, max " +
          std::to_string(times.empty() ? 0 : times.back() / kMillisecond) + " ms" +
          (scenario_.checks.recovery_max
               ? " (bound " + std::to_string(*scenario_.checks.recovery_max / kMillisecond) + " ms)"
               : std::string(" (no bound set)"));
    }
    liveness.details = {{"max_term", max_term_}};
    if (scenario_.checks.term_max) liveness.details["term_max"] = *scenario_.checks.term_max;
    if (!verdict.liveness_failure && scenario_.checks.term_max &&
        max_term_ > *scenario_.checks.term_max) {
      liveness.status = CheckStatus::fail;
      liveness.summary = "a node reached term " + std::to_string(max_term_) + " (bound " +
                         std::to_string(*scenario_.checks.term_max) +
                         "): the cluster kept electing";
      liveness.at = max_term_at_;
    } else if (verdict.liveness_failure) {
      liveness.status = CheckStatus::fail;
      liveness.summary = *verdict.liveness_failure;
      liveness.at = verdict.failure_at;
    } else if (!tracker_.all_recovered()) {
      liveness.summary = "not every fault was recovered from, but never for " +
                         std::to_string(scenario_.checks.liveness_timeout / kMillisecond) +
                         " ms with a healthy majority";
    } else {
      liveness.summary = "the cluster recovered from every fault";
    }
    return {recovery, liveness};
  }

  const Scenario& scenario_;
  std::uint64_t seed_;
  ScenarioRunOptions options_;
  Random faults_random_;
  Random nemesis_random_;
  RecoveryTracker tracker_;
  std::unique_ptr<KvCluster> cluster_;
  std::unique_ptr<SelectorResolver> selectors_;
  std::unique_ptr<FaultApplier> applier_;
  std::size_t next_step_ = 0;
  Time step_retry_at_ = 0;
  std::optional<Nemesis> nemesis_;
  std::vector<std::uint32_t> nemesis_budgets_;
  std::uint32_t nemesis_used_ = 0;
  Time nemesis_next_ = kTimeNever;
  std::vector<FaultStep> nemesis_undo_;
  std::optional<Violation> violation_;
  std::optional<NodeIndex> last_stable_leader_;
  Term max_term_ = 0;
  Time max_term_at_ = 0;
  struct SnapshotCounts {
    std::uint64_t taken = 0;
    std::uint64_t installed = 0;
    bool recovered = false;  // this incarnation started from a snapshot
  };
  std::map<std::pair<NodeIndex, std::uint64_t>, SnapshotCounts> snapshot_counts_;
};

ScenarioRunner::ScenarioRunner(const Scenario& scenario, std::uint64_t seed,
                               ScenarioRunOptions options)
    : impl_(std::make_unique<Impl>(scenario, seed, std::move(options))) {
  cluster_ = &impl_->cluster();
}

ScenarioRunner::~ScenarioRunner() = default;

ScenarioRunReport ScenarioRunner::run() {
  return impl_->run();
}

ScenarioRunReport run_scenario(const Scenario& scenario, std::uint64_t seed,
                               ScenarioRunOptions options) {
  ScenarioRunner runner(scenario, seed, std::move(options));
  return runner.run();
}

// --- the report --------------------------------------------------------------------------------

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
  return verdict == "unknown" || verdict == "budget_exceeded" ? 4 : 1;
}

nlohmann::ordered_json ScenarioRunReport::to_json() const {
  using nlohmann::ordered_json;
  ordered_json out;
  out["scenario"] = scenario;
  out["seed"] = seed;
  out["verdict"] = verdict;
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
  out["simulated_ms"] = ms(simulated);
  out["trace_hash"] = trace_hash;
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
