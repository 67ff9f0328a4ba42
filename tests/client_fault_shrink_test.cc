// Shrinking and generation of client faults (sim/scenario/faults/client.h): the shrinker removes
// client faults a failure does not need (a crash_client with its restart_client as a pair) and
// keeps a worker stall the failure does need; the generator draws client faults in a modest share
// of runs, worker stalls only in queue runs, and every drawn scenario parses back.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sim/fuzz/generate.h"
#include "sim/fuzz/shrink.h"
#include "sim/scenario/parse.h"

namespace raftsim::sim {
namespace {

bool is_client_kind(const FaultStep& step) {
  return step.is<PauseClientFault>() || step.is<ResumeClientFault>() ||
         step.is<CrashClientFault>() || step.is<RestartClientFault>() ||
         step.is<StallWorkersFault>();
}

Scenario stall_scenario_with_bug() {
  auto loaded =
      load_scenario(std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/worker-stall-past-lease.json");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  Scenario scenario = loaded.value();
  scenario.bug = Bug::stale_fence_complete;
  scenario.expect = Expectation{false, "queue"};
  return scenario;
}

TEST(ShrinkClientFaults, ClientFaultsTheFailureDoesNotNeedAreRemoved) {
  // The leader crash alone lets a stale completion through with the bug: every client fault goes.
  const Scenario failing = stall_scenario_with_bug();
  ASSERT_TRUE(std::any_of(failing.faults.begin(), failing.faults.end(), is_client_kind));
  auto shrunk = shrink_scenario(failing, "queue");
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().message();
  const Scenario& minimal = shrunk.value().minimal;
  EXPECT_FALSE(std::any_of(minimal.faults.begin(), minimal.faults.end(), is_client_kind))
      << scenario_to_json(minimal);
  EXPECT_TRUE(report_fails_checker(run_scenario(minimal, minimal.seed), "queue"));
}

TEST(ShrinkClientFaults, AStallTheFailureNeedsIsKept) {
  Scenario failing = stall_scenario_with_bug();
  std::erase_if(failing.faults,
                [](const FaultStep& step) { return !step.is<StallWorkersFault>(); });
  const ScenarioRunReport report = run_scenario(failing, failing.seed);
  ASSERT_TRUE(report_fails_checker(report, "queue")) << "the stalls alone find the bug";
  EXPECT_EQ(run_scenario(failing, failing.seed).trace_hash, report.trace_hash);
  Scenario without = failing;
  without.faults.clear();
  EXPECT_FALSE(report_fails_checker(run_scenario(without, without.seed), "queue"))
      << "and nothing else in the scenario does";
  auto shrunk = shrink_scenario(failing, "queue");
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().message();
  const Scenario& minimal = shrunk.value().minimal;
  EXPECT_TRUE(std::any_of(minimal.faults.begin(), minimal.faults.end(),
                          [](const FaultStep& step) { return step.is<StallWorkersFault>(); }));
  EXPECT_LT(minimal.faults.size(), failing.faults.size());
}

TEST(GenerateClientFaults, AModestShareOfRunsAndStallsOnlyInQueueRuns) {
  constexpr std::uint64_t kRuns = 400;
  std::size_t with_client_faults = 0, with_stalls = 0;
  for (std::uint64_t index = 0; index < kRuns; ++index) {
    const Scenario scenario = generate_scenario({7, index});
    const bool client_faults =
        std::any_of(scenario.faults.begin(), scenario.faults.end(), is_client_kind);
    const bool stalls =
        std::any_of(scenario.faults.begin(), scenario.faults.end(),
                    [](const FaultStep& step) { return step.is<StallWorkersFault>(); });
    with_client_faults += client_faults ? 1 : 0;
    with_stalls += stalls ? 1 : 0;
    if (stalls) {
      EXPECT_EQ(scenario.cluster.workload_type, ServiceClusterOptions::Workload::queue) << index;
    }
    if (client_faults) {
      auto parsed = parse_scenario(scenario_to_json(scenario), "generated");
      ASSERT_TRUE(parsed.ok()) << index << ": " << parsed.status().message();
      EXPECT_EQ(scenario_to_json(parsed.value()), scenario_to_json(scenario));
    }
  }
  EXPECT_GE(with_client_faults, kRuns / 10);  // ~15%
  EXPECT_LE(with_client_faults, kRuns / 5);
  EXPECT_GT(with_stalls, 0u);
}

}  // namespace
}  // namespace raftsim::sim
