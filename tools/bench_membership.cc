// raftsim bench membership: what each kind of membership change costs the clients. For every row
// (add a learner, promote it, remove a follower, remove the leader, a joint change replacing two
// members, a planned leadership transfer) the scenario runner runs a 5-node KV cluster on 1 ms
// links under the usual client load, makes the change at 2 s, and the recovery checker measures
// the write unavailability around it (sim/checkers/recovery.h, ChangeUnavailability: the longest
// stretch with no write served between the request and the first write after it committed).
// p50/p99/max over the seeds, in virtual ms; every run's checkers must pass. Measured, not
// asserted: the issue's goals are printed beside the figures.
// The control: the same seeds run with no change at all, measured over each row's own windows
// (same request and answer times), says how much of a row's gap the clients' ordinary pacing
// already has; the control row uses the add-learner windows. "served" also counts CAS commands
// answered with a mismatch (committed, so served, but no effect). Each row names its worst seed
// and carries its scenario: `raftsim run` it with that seed to get the trace.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/recovery.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"
#include "tools/commands.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::sim;

struct Row {
  const char* name;
  const char* faults;  // the scenario's fault steps (JSON); the last one is measured
  double goal_p99_ms;  // the issue's goal for the p99 (0: none stated)
};

// The change is made at 2 s, after the election and a second of load; a promotion waits for the
// learner added at 1 s to catch up; the joint change adds two learners first (1 s and 1.5 s: one
// change at a time). Names: n5 and n6 are fresh slots (max_nodes 7).
constexpr Row kRows[] = {
    {"add learner", R"([{"at_ms": 2000, "action": "add_node", "target": "n5"}])", 20},
    {"promote learner",
     R"([{"at_ms": 1000, "action": "add_node", "target": "n5"},
         {"at_ms": 2000, "action": "promote", "target": "n5"}])",
     20},
    {"remove follower", R"([{"at_ms": 2000, "action": "remove_node", "target": "follower"}])", 20},
    {"remove leader", R"([{"at_ms": 2000, "action": "remove_node", "target": "leader"}])", 0},
    {"joint change of two members",
     R"([{"at_ms": 1000, "action": "add_node", "target": "n5"},
         {"at_ms": 1500, "action": "add_node", "target": "n6"},
         {"at_ms": 2000, "action": "change_voters", "voters": ["n0", "n1", "n2", "n5", "n6"]}])",
     0},
    {"planned leadership transfer",
     R"([{"at_ms": 2000, "action": "transfer_leadership", "target": "follower"}])", 50},
};

// The control: the same load and seeds with no change; measured over the first row's windows.
constexpr Row kControl = {"no change (control)", "[]", 0};

std::string scenario_text(const Row& row) {
  return std::string(R"({"version": 1, "name": "bench-membership", "duration_ms": 4000,
    "cluster": {"nodes": 5, "max_nodes": 7},
    "network": {"latency_ms": [1, 1]},
    "workload": {"clients": 3},
    "faults": )") +
         row.faults + R"(, "expect": {"verdict": "pass"}})";
}

double to_ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

// What one run left for the measurements: when each write was served, sorted, counted two ways.
struct RunWrites {
  std::vector<Time> ok;      // writes answered ok (what measure_changes is given)
  std::vector<Time> served;  // also CAS answered with a mismatch: committed, but no effect
};

RunWrites write_times(const History& history) {
  RunWrites writes;
  for (const RecordedOperation& operation : history.operations()) {
    if (operation.op == "get") continue;
    if (operation.status == OperationStatus::ok) writes.ok.push_back(operation.return_time);
    // A write's `fail` with an observed value is a CAS the state machine applied and refused.
    if (operation.status == OperationStatus::ok ||
        (operation.status == OperationStatus::fail && operation.observed)) {
      writes.served.push_back(operation.return_time);
    }
  }
  std::sort(writes.ok.begin(), writes.ok.end());
  std::sort(writes.served.begin(), writes.served.end());
  return writes;
}

// The write gap over a window of a change (requested, answered) in a run's writes.
Time gap_in_window(const ChangeUnavailability& window, const std::vector<Time>& writes) {
  AdminOperation operation;
  operation.requested_at = window.requested_at;
  operation.answered_at = window.answered_at;
  operation.outcome = AdminOutcome::ok;
  return measure_changes({operation}, writes).front().write_gap;
}

struct Gaps {
  std::vector<Time> values;  // sorted once complete
  double percentile_ms(unsigned percent) const {
    return to_ms(RecoveryTracker::percentile(values, percent));
  }
  double max_ms() const { return to_ms(values.empty() ? 0 : values.back()); }
};

struct SeedWindow {
  std::uint64_t seed = 0;
  ChangeUnavailability change;  // its requested_at and answered_at bound the window
};

struct RowResult {
  Gaps gaps;          // the change's write gap (ok writes)
  Gaps served_gaps;   // the same windows, counting CAS mismatches as served writes
  Gaps control_gaps;  // the same windows in the run of the same seed without any change
  std::uint64_t failures = 0;
  std::vector<std::uint64_t> failed_seeds;
  std::uint64_t worst_seed = 0;  // the seed with the longest gap
  Time worst_gap = 0;
  std::vector<SeedWindow> windows;  // of the measured seeds

  void add(std::uint64_t seed, Time gap, Time served_gap, std::optional<Time> control_gap) {
    gaps.values.push_back(gap);
    served_gaps.values.push_back(served_gap);
    if (control_gap) control_gaps.values.push_back(*control_gap);
    if (gap > worst_gap) {
      worst_gap = gap;
      worst_seed = seed;
    }
  }
  void sort() {
    for (Gaps* sorted : {&gaps, &served_gaps, &control_gaps}) {
      std::sort(sorted->values.begin(), sorted->values.end());
    }
  }
};

ScenarioRunReport run_scenario(const Scenario& scenario, std::uint64_t seed, RunWrites& writes,
                               std::vector<ChangeUnavailability>& changes) {
  ScenarioRunOptions options;
  options.record_trace = false;
  ScenarioRunner runner(scenario, seed, options);
  const ScenarioRunReport report = runner.run();
  writes = write_times(runner.cluster().history());
  changes = measure_changes(runner.cluster().admin_history().operations(), writes.ok);
  return report;
}

Scenario parse_row(const Row& row) {
  Result<Scenario> scenario = parse_scenario(scenario_text(row), "bench membership");
  if (!scenario.ok())
    throw std::runtime_error("bench membership: " + scenario.status().to_string());
  return std::move(scenario).value();
}

// The control runs: every seed with no change (index seed - 1).
std::vector<RunWrites> run_controls(std::uint64_t seeds, RowResult& failures) {
  const Scenario scenario = parse_row(kControl);
  std::vector<RunWrites> controls(seeds);
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    std::vector<ChangeUnavailability> no_changes;
    if (run_scenario(scenario, seed, controls[seed - 1], no_changes).verdict != RunVerdict::pass) {
      ++failures.failures;
      failures.failed_seeds.push_back(seed);
      std::fprintf(stderr, "bench membership: control, seed %llu failed\n",
                   static_cast<unsigned long long>(seed));
    }
  }
  return controls;
}

RowResult measure_row(const Row& row, const std::vector<RunWrites>& controls) {
  const Scenario scenario = parse_row(row);
  RowResult result;
  for (std::uint64_t seed = 1; seed <= controls.size(); ++seed) {
    RunWrites writes;
    std::vector<ChangeUnavailability> changes;
    const ScenarioRunReport report = run_scenario(scenario, seed, writes, changes);
    const bool measured = !changes.empty() && changes.back().outcome == AdminOutcome::ok &&
                          changes.back().writes_again_at.has_value();
    if (report.verdict != RunVerdict::pass || !measured) {
      ++result.failures;
      result.failed_seeds.push_back(seed);
      std::fprintf(stderr, "bench membership: %s, seed %llu: verdict %s%s\n", row.name,
                   static_cast<unsigned long long>(seed), run_verdict_name(report.verdict),
                   measured ? "" : ", change not measured");
      if (!measured) continue;
    }
    const ChangeUnavailability& change = changes.back();
    result.add(seed, change.write_gap, gap_in_window(change, writes.served),
               gap_in_window(change, controls[seed - 1].ok));
    result.windows.push_back({seed, change});
  }
  result.sort();
  return result;
}

// The control row: the runs without a change, over the windows another row measured.
RowResult measure_control(const std::vector<RunWrites>& controls,
                          const std::vector<SeedWindow>& windows, RowResult control) {
  for (const SeedWindow& window : windows) {
    const RunWrites& writes = controls[window.seed - 1];
    control.add(window.seed, gap_in_window(window.change, writes.ok),
                gap_in_window(window.change, writes.served), std::nullopt);
  }
  control.sort();
  return control;
}

nlohmann::ordered_json row_json(const Row& row, const RowResult& result, std::uint64_t seeds) {
  nlohmann::ordered_json out = {{"change", row.name},
                                {"seeds", seeds},
                                {"measured", result.gaps.values.size()},
                                {"write_gap_p50_ms", result.gaps.percentile_ms(50)},
                                {"write_gap_p99_ms", result.gaps.percentile_ms(99)},
                                {"write_gap_max_ms", result.gaps.max_ms()},
                                {"served_write_gap_p50_ms", result.served_gaps.percentile_ms(50)},
                                {"served_write_gap_p99_ms", result.served_gaps.percentile_ms(99)},
                                {"served_write_gap_max_ms", result.served_gaps.max_ms()},
                                {"failed_runs", result.failures},
                                {"failed_seeds", result.failed_seeds},
                                {"worst_seed", result.worst_seed}};
  if (!result.control_gaps.values.empty()) {
    out["control_write_gap_p50_ms"] = result.control_gaps.percentile_ms(50);
    out["control_write_gap_p99_ms"] = result.control_gaps.percentile_ms(99);
    out["control_write_gap_max_ms"] = result.control_gaps.max_ms();
  }
  if (row.goal_p99_ms > 0) {
    out["goal_p99_ms"] = row.goal_p99_ms;
    out["goal_met"] =
        !result.gaps.values.empty() && result.gaps.percentile_ms(99) < row.goal_p99_ms;
  }
  out["scenario"] = nlohmann::ordered_json::parse(scenario_text(row));
  return out;
}

void print_row(const Row& row, const RowResult& result) {
  const std::string goal =
      row.goal_p99_ms > 0 ? "< " + std::to_string(static_cast<int>(row.goal_p99_ms)) : "-";
  char control[32] = "        -         -";
  if (!result.control_gaps.values.empty()) {
    std::snprintf(control, sizeof control, "%9.1f %9.1f", result.control_gaps.percentile_ms(50),
                  result.control_gaps.percentile_ms(99));
  }
  std::printf("%-30s %7.1f %7.1f %7.1f %s %8.1f %5s %6llu %5llu\n", row.name,
              result.gaps.percentile_ms(50), result.gaps.percentile_ms(99), result.gaps.max_ms(),
              control, result.served_gaps.percentile_ms(99), goal.c_str(),
              static_cast<unsigned long long>(result.failures),
              static_cast<unsigned long long>(result.worst_seed));
}

}  // namespace

int run_bench_membership(std::uint64_t seeds, bool json) {
  const auto start = std::chrono::steady_clock::now();
  RowResult control;
  const std::vector<RunWrites> controls = run_controls(seeds, control);
  std::vector<RowResult> results;
  for (const Row& row : kRows) results.push_back(measure_row(row, controls));
  control = measure_control(controls, results.front().windows, std::move(control));
  if (!json) {
    std::printf("bench membership: 5 nodes, 1 ms links, 3 KV clients, %llu seeds per row\n",
                static_cast<unsigned long long>(seeds));
    std::printf(
        "ctl: the same seeds and windows without the change; srv: CAS mismatches count "
        "as served writes\n");
    std::printf("%-30s %7s %7s %7s %9s %9s %8s %5s %6s %5s\n", "change", "p50 ms", "p99 ms",
                "max ms", "ctl p50", "ctl p99", "srv p99", "goal", "failed", "worst");
    print_row(kControl, control);
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array({row_json(kControl, control, seeds)});
  bool all_passed = control.failures == 0;
  for (std::size_t index = 0; index < results.size(); ++index) {
    all_passed = all_passed && results[index].failures == 0;
    rows.push_back(row_json(kRows[index], results[index], seeds));
    if (!json) print_row(kRows[index], results[index]);
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (json) {
    nlohmann::ordered_json out = {{"bench", "membership"}, {"nodes", 5},   {"link_latency_ms", 1},
                                  {"clients", 3},          {"rows", rows}, {"wall_s", wall_s}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("wall %.1f s\n", wall_s);
  }
  return all_passed ? 0 : 1;
}

}  // namespace raftsim::tools
