// raftsim bench membership: what each kind of membership change costs the clients. For every row
// (add a learner, promote it, remove a follower, remove the leader, a joint change replacing two
// members, a planned leadership transfer) the scenario runner runs a 5-node KV cluster on 1 ms
// links under the usual client load, makes the change at 2 s, and the recovery checker measures
// the write unavailability around it (sim/checkers/recovery.h, ChangeUnavailability: the longest
// stretch with no write served between the request and the first write after it committed).
// p50/p99/max over the seeds, in virtual ms; every run's checkers must pass. Measured, not
// asserted: the issue's goals are printed beside the figures.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
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

// When each successful client write returned, sorted.
std::vector<Time> ok_write_times(const History& history) {
  std::vector<Time> times;
  for (const RecordedOperation& operation : history.operations()) {
    if (operation.status == OperationStatus::ok && operation.op != "get") {
      times.push_back(operation.return_time);
    }
  }
  std::sort(times.begin(), times.end());
  return times;
}

struct RowResult {
  std::vector<Time> gaps;  // sorted at the end
  std::uint64_t failures = 0;
  std::vector<std::uint64_t> failed_seeds;
};

RowResult measure_row(const Row& row, std::uint64_t seeds) {
  Result<Scenario> scenario = parse_scenario(scenario_text(row), "bench membership");
  if (!scenario.ok())
    throw std::runtime_error("bench membership: " + scenario.status().to_string());
  ScenarioRunOptions options;
  options.record_trace = false;
  RowResult result;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    ScenarioRunner runner(scenario.value(), seed, options);
    const ScenarioRunReport report = runner.run();
    const std::vector<ChangeUnavailability> changes = measure_changes(
        runner.cluster().admin_history().operations(), ok_write_times(runner.cluster().history()));
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
    result.gaps.push_back(changes.back().write_gap);
  }
  std::sort(result.gaps.begin(), result.gaps.end());
  return result;
}

}  // namespace

int run_bench_membership(std::uint64_t seeds, bool json) {
  const auto start = std::chrono::steady_clock::now();
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  bool all_passed = true;
  if (!json) {
    std::printf("bench membership: 5 nodes, 1 ms links, 3 KV clients, %llu seeds per row\n",
                static_cast<unsigned long long>(seeds));
    std::printf("%-30s %9s %9s %9s %9s %s\n", "change", "p50 ms", "p99 ms", "max ms", "goal p99",
                "runs failed");
  }
  for (const Row& row : kRows) {
    const RowResult result = measure_row(row, seeds);
    all_passed = all_passed && result.failures == 0;
    const double p50 = to_ms(RecoveryTracker::percentile(result.gaps, 50));
    const double p99 = to_ms(RecoveryTracker::percentile(result.gaps, 99));
    const double max = to_ms(result.gaps.empty() ? 0 : result.gaps.back());
    nlohmann::ordered_json out = {{"change", row.name},
                                  {"seeds", seeds},
                                  {"measured", result.gaps.size()},
                                  {"write_gap_p50_ms", p50},
                                  {"write_gap_p99_ms", p99},
                                  {"write_gap_max_ms", max},
                                  {"failed_runs", result.failures},
                                  {"failed_seeds", result.failed_seeds}};
    if (row.goal_p99_ms > 0) {
      out["goal_p99_ms"] = row.goal_p99_ms;
      out["goal_met"] = !result.gaps.empty() && p99 < row.goal_p99_ms;
    }
    rows.push_back(out);
    if (!json) {
      std::printf("%-30s %9.1f %9.1f %9.1f %9s %llu\n", row.name, p50, p99, max,
                  row.goal_p99_ms > 0
                      ? ("< " + std::to_string(static_cast<int>(row.goal_p99_ms))).c_str()
                      : "-",
                  static_cast<unsigned long long>(result.failures));
    }
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
