// raftsim: the run's driver (see runner.h): time, sampling, and the stages wired together.
#include "sim/scenario/runner.h"

#include <algorithm>
#include <map>

#include "sim/checkers/leadership.h"
#include "sim/scenario/nemesis_driver.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/step_schedule.h"

namespace raftsim::sim {

namespace {

constexpr Time kSamplePeriod = milliseconds(1);
constexpr Time kProgressPeriod = milliseconds(100);
constexpr Time kApplyBeforeJudging = milliseconds(200);

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
                 scenario.checks.liveness_timeout),
        leadership_(scenario.checks.stable_leader_bound.value_or(
            default_stable_leader_bound(scenario.cluster))),
        schedule_(scenario.faults) {
    ServiceClusterOptions cluster = scenario.cluster;
    cluster.seed = seed;
    cluster.record_trace = options_.record_trace;
    cluster.bugs = layer_bugs(scenario.bug);  // none unless the scenario names one
    cluster_ = std::make_unique<ServiceCluster>(cluster);
    cluster_->set_budget(
        RunBudget{scenario.events_budget(), scenario.memory_mb << 20, options_.should_stop});
    selectors_ = std::make_unique<SelectorResolver>(*cluster_, faults_random_);
    applier_ = std::make_unique<FaultApplier>(*cluster_, *selectors_, faults_random_,
                                              scenario_.cluster, tracker_, options_.before_fault);
    if (scenario.nemesis) {
      nemesis_ = std::make_unique<NemesisDriver>(*scenario.nemesis, nemesis_random_, *cluster_,
                                                 *selectors_, scenario_.cluster);
    }
  }

  ServiceCluster& cluster() { return *cluster_; }

  ScenarioRunReport run() {
    World& world = cluster_->world();
    // The probes of raft/ and jobqueue/ count into this run's table (counts only: no effect).
    const ScopedProbeSink probe_sink(options_.count_probes ? &probes_ : nullptr);
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
    ScenarioRunReport report = finish();
    report.probes = probes_;
    return report;
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
      next = std::min(next, schedule_.next());
      if (nemesis_) next = std::min(next, std::max(nemesis_->next(), world.now()));
      stopped = advance_to(next);
      if (stopped) break;
      const std::size_t passed_before = schedule_.passed();
      schedule_.fire_due(world.now(), *selectors_, *applier_);
      mark_steps(passed_before, schedule_.passed());
      if (nemesis_) nemesis_->fire(world.now(), *applier_);
      stopped = check_after_faults();
      if (stopped) break;
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
      stopped = check_after_faults();
      const Time settle_end = world.now() + scenario_.settle_max;
      while (!stopped && world.now() < settle_end && !tracker_.all_recovered()) {
        stopped = advance_to(world.now() + kSamplePeriod);
        if (world.now() >= next_progress) {
          report_progress(true);
          next_progress += kProgressPeriod;
        }
      }
      // Let the final leader apply what it committed before durability is judged; if the last
      // sample then shows no stable leader (one lost it just now, e.g. to a slow fsync), go on
      // sampling until one is back or the settle time is up, so the end-of-run checkers have a
      // leader to compare against rather than ending unknown.
      if (!stopped) stopped = advance_to(world.now() + kApplyBeforeJudging);
      while (!stopped && !last_stable_leader_ && world.now() < settle_end) {
        stopped = advance_to(world.now() + kSamplePeriod);
      }
    }
  }

  // Opens the leadership windows of the steps in [from, to) that checks.after_step bounds.
  void mark_steps(std::size_t from, std::size_t to) {
    for (const StepLeadershipBounds& after : scenario_.checks.after_steps) {
      if (after.step >= from && after.step < to && leadership_.window(after.step) == nullptr) {
        leadership_.mark(cluster_->world().now(), after.step);
      }
    }
  }

  bool queue_workload() const {
    return scenario_.cluster.workload_type == ServiceClusterOptions::Workload::queue;
  }

  // When each successful client operation returned, sorted.
  const std::vector<Time>& ok_times() const {
    return queue_workload() ? cluster_->queue_history().ok_return_times()
                            : cluster_->history().ok_return_times();
  }

  // The fault steps just applied ran between events, where the cluster's per-event checks do not
  // look: check now, at the instant they happened. A crash while a single voter's fsync is in
  // flight loses the entries that fsync was syncing and the commit that counted them; a checker
  // that first saw the node down after the fsync's due time took that commit for a fact (fuzz
  // seed 11, run 814). True if a safety violation stopped the run.
  bool check_after_faults() {
    if (auto violation = cluster_->check_now()) {
      violation_ = violation;
      return true;
    }
    return false;
  }

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
    std::optional<std::pair<NodeIndex, Term>> leader;
    if (health.stable_leader) leader.emplace(*health.stable_leader, health.stable_leader_term);
    leadership_.observe(cluster_->world().now(), health.live_majority, leader);
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

  // --- the verdict -----------------------------------------------------------------------------

  ScenarioRunReport finish() {
    ScenarioRunReport report;
    report.scenario = scenario_.name;
    report.seed = seed_;
    report.timeline = applier_->timeline();
    report.findings.push_back(safety_finding(violation_));
    report.budget_exceeded = describe_budget_exceeded();
    const std::vector<std::unique_ptr<Checker>> checkers = end_of_run_checkers();
    if (!report.budget_exceeded.empty()) {
      for (CheckerFinding& finding : budget_skipped_findings(checkers)) {
        report.findings.push_back(std::move(finding));
      }
    } else {
      const RunEnd run{scenario_, *cluster_,   violation_, last_stable_leader_,
                       tracker_,  leadership_, max_term_,  max_term_at_};
      for (const auto& checker : checkers) {
        for (CheckerFinding& finding : checker->check(run)) {
          report.findings.push_back(std::move(finding));
        }
      }
    }
    report.recovery = tracker_.measurements();
    report.recovery_times = tracker_.recovery_times();
    for (const auto& [key, counts] : snapshot_counts_) {
      report.snapshots_taken += counts.taken;
      report.snapshots_installed += counts.installed;
      report.snapshot_recoveries += counts.recovered ? 1 : 0;
    }
    count_run(*cluster_, queue_workload(), report);
    report.final_leader = last_stable_leader_;
    judge(scenario_.expect, report);
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
      return "events_max: " + std::to_string(scenario_.events_budget()) + " events run" +
             (scenario_.events_max == 0 ? " (the default)" : "") + at;
    }
    if (reason == "memory") {
      return "memory_mb: the run held more than " + std::to_string(scenario_.memory_mb) +
             " MiB (trace, history, logs and disks)" +
             (scenario_.memory_mb == kScenarioMemoryMbDefault ? " (the default)" : "") + at;
    }
    return "guard: the caller's run guard (e.g. wall time) stopped the run" + at;
  }

  const Scenario& scenario_;
  std::uint64_t seed_;
  ScenarioRunOptions options_;
  Random faults_random_;
  Random nemesis_random_;
  RecoveryTracker tracker_;
  LeadershipTracker leadership_;
  std::unique_ptr<ServiceCluster> cluster_;
  std::unique_ptr<SelectorResolver> selectors_;
  std::unique_ptr<FaultApplier> applier_;
  StepSchedule schedule_;
  std::unique_ptr<NemesisDriver> nemesis_;
  std::optional<Violation> violation_;
  ProbeCounts probes_;  // this run's probe counts (ScopedProbeSink in run())
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

}  // namespace raftsim::sim
