// Every scenario in scenarios/ must meet its declared expectation, replay to the same trace hash
// from its seed, fire every scheduled step (a skipped step would make a pass vacuous), and its
// exported concrete timeline must replay to the same verdict.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

std::vector<std::string> library_files() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(RAFTSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ScenarioLibrary : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioLibrary, MeetsItsExpectationDeterministically) {
  auto loaded = load_scenario(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Scenario& scenario = loaded.value();
  EXPECT_FALSE(scenario.description.empty()) << "every library scenario says what it shows";
  if (scenario.explore) GTEST_SKIP() << "a model-checker scenario: explore_tests covers it";

  ScenarioRunReport first = run_scenario(scenario, scenario.seed);
  ScenarioRunReport second = run_scenario(scenario, scenario.seed);
  ASSERT_EQ(first.trace_hash, second.trace_hash) << "same seed, different trace";
  ASSERT_EQ(first.to_json().dump(), second.to_json().dump());

  std::string findings;
  for (const CheckerFinding& finding : first.findings) {
    findings += "\n  " + finding.checker + ": " + check_status_name(finding.status) + " -- " +
                finding.summary;
  }
  EXPECT_TRUE(first.expectation_met)
      << scenario.name << " expected " << (scenario.expect.pass ? "pass" : scenario.expect.checker)
      << ", verdict " << first.verdict << findings;
  EXPECT_GT(first.operations_ok, 0u) << "clients made no progress at all";
  for (const AppliedFault& applied : first.timeline) {
    EXPECT_FALSE(applied.skipped && applied.origin.rfind("faults/", 0) == 0)
        << applied.origin << " was skipped: " << applied.note;
  }

  // The realised timeline, exported as a plain scenario, replays to the same outcome.
  Scenario concrete = first.concrete_scenario(scenario);
  auto reparsed = parse_scenario(scenario_to_json(concrete), "concrete");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_FALSE(reparsed.value().nemesis.has_value());
  ScenarioRunReport replay = run_scenario(reparsed.value(), scenario.seed);
  EXPECT_EQ(replay.verdict, first.verdict);
  EXPECT_EQ(replay.operations_ok, first.operations_ok);
  EXPECT_EQ(replay.messages_sent, first.messages_sent);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioLibrary, ::testing::ValuesIn(library_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ScenarioLibraryContents, HasAtLeastFifteenScenarios) {
  EXPECT_GE(library_files().size(), 15u);
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

// The snapshot scenarios must exercise what their names promise, not pass vacuously: the
// lagging follower is brought up by an installed snapshot on every seed tried, and every node of
// the whole-cluster restart recovers from a snapshot file.
TEST(SnapshotScenarios, InstallAndRecoveryReallyHappen) {
  auto lagging = load_scenario(std::string(RAFTSIM_SOURCE_DIR) +
                               "/scenarios/queue-snapshot-install-to-lagging-follower.json");
  auto restart = load_scenario(std::string(RAFTSIM_SOURCE_DIR) +
                               "/scenarios/queue-whole-cluster-restart-compacted-log.json");
  ASSERT_TRUE(lagging.ok() && restart.ok());
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const ScenarioRunReport installed = run_scenario(lagging.value(), seed);
    EXPECT_TRUE(installed.expectation_met) << "seed " << seed << ": " << installed.verdict;
    EXPECT_GE(installed.snapshots_installed, 1u) << "seed " << seed;
    EXPECT_GT(installed.snapshots_taken, 3u) << "seed " << seed;
    const ScenarioRunReport recovered = run_scenario(restart.value(), seed);
    EXPECT_TRUE(recovered.expectation_met) << "seed " << seed << ": " << recovered.verdict;
    EXPECT_EQ(recovered.snapshot_recoveries, 3u) << "seed " << seed;
    EXPECT_EQ(run_scenario(restart.value(), seed).trace_hash, recovered.trace_hash);
  }
}

// The same scenario without snapshots takes none: the counters are not stuck on.
TEST(SnapshotScenarios, NoSnapshotsWhenCompactionIsOff) {
  auto loaded = load_scenario(std::string(RAFTSIM_SOURCE_DIR) +
                              "/scenarios/queue-snapshot-install-to-lagging-follower.json");
  ASSERT_TRUE(loaded.ok());
  Scenario scenario = loaded.value();
  scenario.cluster.snapshot_every_entries = 0;
  const ScenarioRunReport report = run_scenario(scenario, 1);
  EXPECT_TRUE(report.expectation_met);
  EXPECT_EQ(report.snapshots_taken, 0u);
  EXPECT_EQ(report.snapshots_installed, 0u);
}

}  // namespace
}  // namespace raftsim::sim
