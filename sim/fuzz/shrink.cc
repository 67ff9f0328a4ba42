// raftsim: ddmin over fault steps, then greedy workload / duration / cluster reductions (see
// shrink.h). Each candidate is written and parsed back, so only valid scenario files are tried.
#include "sim/fuzz/shrink.h"

#include <algorithm>

#include "raft/base/check.h"
#include "sim/scenario/parse.h"

namespace raftsim::sim {
namespace {

struct Shrinker {
  Shrinker(std::string checker, const ShrinkOptions& options)
      : checker_(std::move(checker)), options_(options) {}

  // Runs a candidate; true (and it becomes the best) if it still fails the checker.
  bool still_fails(Scenario candidate) {
    // Round trip through the file format: only scenarios a user could write are tried.
    auto parsed = parse_scenario(scenario_to_json(candidate), candidate.file);
    if (!parsed.ok() || spent()) return false;
    Scenario valid = std::move(parsed).value();
    valid.bug = candidate.bug;
    ++runs_;
    ScenarioRunOptions run_options;
    run_options.record_trace = false;
    run_options.should_stop = options_.should_stop;  // a candidate that runs long is cut, too
    ScenarioRunReport report = run_scenario(valid, valid.seed, run_options);
    if (!report_fails_checker(report, checker_)) return false;
    if (bug_off_must_pass_ && valid.bug != Bug::none) {
      Scenario off = valid;
      off.bug = Bug::none;
      ++runs_;
      if (run_scenario(off, off.seed, run_options).first_failure() != nullptr) return false;
    }
    best_ = valid;
    best_report_ = std::move(report);
    return true;
  }

  void ddmin_faults() {
    std::vector<FaultStep> steps = best_.faults;
    auto with = [&](std::vector<FaultStep> subset) {
      Scenario candidate = best_;
      candidate.faults = std::move(subset);
      return still_fails(std::move(candidate));
    };
    if (!steps.empty() && with({})) return;
    std::size_t granularity = 2;
    while (steps.size() >= 2 && !spent()) {
      const std::size_t chunk = (steps.size() + granularity - 1) / granularity;
      bool reduced = false;
      for (std::size_t start = 0; start < steps.size() && !reduced; start += chunk) {
        const std::size_t end = std::min(steps.size(), start + chunk);
        std::vector<FaultStep> subset(steps.begin() + start, steps.begin() + end);
        std::vector<FaultStep> complement(steps.begin(), steps.begin() + start);
        complement.insert(complement.end(), steps.begin() + end, steps.end());
        if (granularity > 2 || subset.size() < steps.size()) {
          if (with(subset)) {
            steps = std::move(subset);
            granularity = 2;
            reduced = true;
          } else if (with(complement)) {
            steps = std::move(complement);
            granularity = std::max<std::size_t>(granularity - 1, 2);
            reduced = true;
          }
        }
      }
      if (!reduced) {
        if (granularity >= steps.size()) break;
        granularity = std::min(steps.size(), granularity * 2);
      }
      report("faults");
    }
  }

  // Tries `change`; keeps it if the checker still fails. Returns whether it was kept.
  template <typename Change>
  bool attempt(Change change) {
    Scenario candidate = best_;
    if (!change(candidate)) return false;
    return still_fails(std::move(candidate));
  }

  void shrink_workload() {
    // Fewer clients, fewer sessions, fewer operations, a shorter run, until nothing helps.
    for (bool progress = true; progress && !spent();) {
      progress = false;
      progress |= attempt([](Scenario& s) {
        if (s.cluster.clients <= 1) return false;
        s.cluster.clients = static_cast<NodeIndex>(s.cluster.clients / 2);
        return true;
      });
      progress |= attempt([](Scenario& s) {
        KvWorkload& w = s.cluster.workload;
        if (s.cluster.workload_type != ServiceClusterOptions::Workload::kv || w.sessions <= 1) {
          return false;
        }
        w.sessions = std::max<std::uint32_t>(1, w.sessions / 2);
        return true;
      });
      const std::size_t operations =
          best_report_.operations_ok + best_report_.operations_fail + best_report_.operations_info;
      progress |= attempt([&](Scenario& s) {
        if (s.cluster.workload_type == ServiceClusterOptions::Workload::queue) {
          QueueWorkload& q = s.cluster.queue;
          if (q.jobs_per_producer <= 1) return false;
          q.jobs_per_producer /= 2;
          return true;
        }
        const std::uint64_t sessions = std::uint64_t{s.cluster.clients} *
                                       std::max<std::uint32_t>(1, s.cluster.workload.sessions);
        const std::uint64_t now =
            std::min<std::uint64_t>(s.cluster.workload.operations_max, operations / sessions + 1);
        if (now <= 1) return false;
        s.cluster.workload.operations_max = now / 2;
        return true;
      });
      progress |= attempt([](Scenario& s) {
        if (s.cluster.workload_type != ServiceClusterOptions::Workload::queue) return false;
        QueueWorkload& q = s.cluster.queue;
        if (q.workers <= 1 && q.producers <= 1) return false;
        if (q.workers > 1)
          --q.workers;
        else
          --q.producers;
        return true;
      });
      progress |= attempt([](Scenario& s) {
        Time last = 0;
        for (const FaultStep& step : s.faults) last = std::max(last, step.at);
        const Time shorter = std::max(last + milliseconds(500), s.duration / 2);
        if (shorter >= s.duration) return false;
        s.duration = shorter;
        return true;
      });
      report("workload");
    }
  }

  // Removes one fault together with its repair (ddmin removes contiguous runs of steps, and a
  // crash alone leaves its node down for good), latest first, until no fault can go.
  void remove_faults_with_repairs() {
    for (bool progress = true; progress && !spent();) {
      progress = false;
      for (std::size_t index = best_.faults.size(); index-- > 0 && !progress && !spent();) {
        if (is_repair(best_.faults[index].fault)) continue;
        Scenario candidate = best_;
        const std::size_t repair = repair_step(candidate.faults, index);
        if (repair < candidate.faults.size() && !candidate.faults[repair].is<RecoverAllFault>()) {
          candidate.faults.erase(candidate.faults.begin() + static_cast<std::ptrdiff_t>(repair));
        }
        candidate.faults.erase(candidate.faults.begin() + static_cast<std::ptrdiff_t>(index));
        progress = still_fails(std::move(candidate));
      }
      report("faults with repairs");
    }
  }

  void shrink_cluster() {
    attempt([](Scenario& s) {
      if (s.cluster.nodes <= 3) return false;
      s.cluster.nodes = 3;
      if (!s.cluster.clocks.empty()) s.cluster.clocks.resize(3);
      return true;
    });
    report("cluster");
  }

  // True once the candidate runs or the caller's stop check are used up; the reason is kept.
  bool spent() {
    if (!stopped_.empty()) return true;
    if (runs_ >= options_.runs_max) {
      stopped_ = "runs_max";
    } else if (options_.should_stop && options_.should_stop()) {
      stopped_ = "stopped";
    }
    return !stopped_.empty();
  }

  void report(const char* stage) {
    if (options_.progress) options_.progress(stage, runs_);
  }

  std::string checker_;
  const ShrinkOptions& options_;
  bool bug_off_must_pass_ = false;
  std::size_t runs_ = 0;
  std::string stopped_;
  Scenario best_;
  ScenarioRunReport best_report_;
};

}  // namespace

std::size_t repair_step(const std::vector<FaultStep>& faults, std::size_t index) {
  RAFTSIM_CHECK(index < faults.size());
  for (std::size_t later = index + 1; later < faults.size(); ++later) {
    if (undoes(faults[later].fault, faults[index].fault)) return later;
  }
  return faults.size();
}

bool report_fails_checker(const ScenarioRunReport& report, const std::string& checker) {
  for (const CheckerFinding& finding : report.findings) {
    if (finding.checker == checker && finding.status == CheckStatus::fail) return true;
  }
  return false;
}

ScenarioSize scenario_size(const Scenario& scenario, const ScenarioRunReport& report) {
  ScenarioSize size;
  size.fault_steps = scenario.faults.size();
  for (const FaultStep& step : scenario.faults) size.faults += is_repair(step.fault) ? 0 : 1;
  size.operations = report.operations_ok + report.operations_fail + report.operations_info;
  size.nodes = scenario.cluster.nodes;
  size.clients = scenario.cluster.clients;
  size.duration = scenario.duration;
  return size;
}

Result<ShrinkResult> shrink_scenario(const Scenario& failing, const std::string& checker,
                                     const ShrinkOptions& options) {
  ScenarioRunOptions run_options;
  run_options.record_trace = false;
  run_options.should_stop = options.should_stop;
  ScenarioRunReport first = run_scenario(failing, failing.seed, run_options);
  std::string target = checker;
  if (target.empty()) {
    const CheckerFinding* failure = first.first_failure();
    if (failure == nullptr) {
      return Status(StatusCode::invalid_argument, failing.file + ": every check passed with seed " +
                                                      std::to_string(failing.seed) +
                                                      ": nothing to shrink");
    }
    target = failure->checker;
  } else if (!report_fails_checker(first, target)) {
    return Status(StatusCode::invalid_argument, failing.file + ": the " + target +
                                                    " checker does not fail with seed " +
                                                    std::to_string(failing.seed));
  }
  Shrinker shrinker(target, options);
  if (failing.bug != Bug::none) {
    Scenario off = failing;
    off.bug = Bug::none;
    shrinker.bug_off_must_pass_ =
        run_scenario(off, off.seed, run_options).first_failure() == nullptr;
  }
  // Start from the realised timeline: a nemesis becomes the faults it actually injected.
  Scenario concrete = first.concrete_scenario(failing);
  for (FaultStep& step : concrete.faults) step.bind_as.clear();
  concrete.expect = Expectation{false, target};
  if (!shrinker.still_fails(concrete)) {
    // The seed leads elsewhere without the nemesis' draws: keep the original as it is.
    shrinker.best_ = failing;
    shrinker.best_report_ = first;
  }
  ShrinkResult result;
  result.checker = target;
  result.original = scenario_size(failing, first);
  result.original.fault_steps = shrinker.best_.faults.size();
  result.original.faults = scenario_size(shrinker.best_, first).faults;
  shrinker.ddmin_faults();
  shrinker.shrink_workload();
  shrinker.shrink_cluster();
  shrinker.ddmin_faults();
  shrinker.remove_faults_with_repairs();
  result.minimal = shrinker.best_;
  result.minimal.expect = Expectation{false, target};
  result.final = scenario_size(result.minimal, shrinker.best_report_);
  result.runs = shrinker.runs_;
  result.bug_off_must_pass = shrinker.bug_off_must_pass_;
  result.stopped = shrinker.stopped_;
  result.final_report = std::move(shrinker.best_report_);
  return result;
}

}  // namespace raftsim::sim
