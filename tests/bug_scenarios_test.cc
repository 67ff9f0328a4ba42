// Regression tests named after the bugs they pin: every shrunk failure in scenarios/bugs/ (one per
// injected bug, written by `raftsim bench bugs`) must fail its declared checker with its bug on,
// pass every check with the bug off, and replay to the same trace hash twice. Scenarios in
// scenarios/regressions/ (found and fixed failures) must meet their expectation, bug or not.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "sim/fuzz/shrink.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/" + folder, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string describe(const ScenarioRunReport& report) {
  std::string text = std::string("verdict ") + run_verdict_name(report.verdict);
  for (const CheckerFinding& finding : report.findings) {
    text += "\n  " + finding.checker + ": " + check_status_name(finding.status) + " -- " +
            finding.summary.substr(0, 200);
  }
  return text;
}

// A gtest name from a file name: "vote-ignores-log.json" -> "vote_ignores_log".
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

class BugScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(BugScenario, FailsItsCheckerWithTheBugAndPassesWithout) {
  auto loaded = load_scenario(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Scenario& scenario = loaded.value();
  ASSERT_NE(scenario.bug, Bug::none) << "a bug scenario names its bug";
  ASSERT_FALSE(scenario.expect.pass) << "a bug scenario expects a checker to fail";
  EXPECT_EQ(std::filesystem::path(GetParam()).stem().string(), bug_name(scenario.bug));

  ScenarioRunReport with_bug = run_scenario(scenario, scenario.seed);
  ScenarioRunReport again = run_scenario(scenario, scenario.seed);
  EXPECT_EQ(with_bug.trace_hash, again.trace_hash) << "same seed, different trace";
  EXPECT_TRUE(report_fails_checker(with_bug, scenario.expect.checker))
      << bug_name(scenario.bug) << ": expected " << scenario.expect.checker << " to fail; "
      << describe(with_bug);

  Scenario fixed = scenario;
  fixed.bug = Bug::none;
  ScenarioRunReport without = run_scenario(fixed, fixed.seed);
  ScenarioRunReport without_again = run_scenario(fixed, fixed.seed);
  EXPECT_EQ(without.trace_hash, without_again.trace_hash) << "same seed, different trace";
  EXPECT_EQ(without.verdict, RunVerdict::pass) << "with the bug off: " << describe(without);
  EXPECT_GT(without.operations_ok, 0u);
}

INSTANTIATE_TEST_SUITE_P(Bugs, BugScenario, ::testing::ValuesIn(files_in("bugs")), test_name);

class RegressionScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressionScenario, MeetsItsExpectation) {
  auto loaded = load_scenario(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Scenario& scenario = loaded.value();
  ScenarioRunReport first = run_scenario(scenario, scenario.seed);
  ScenarioRunReport second = run_scenario(scenario, scenario.seed);
  EXPECT_EQ(first.trace_hash, second.trace_hash) << "same seed, different trace";
  EXPECT_TRUE(first.expectation_met) << describe(first);
}

INSTANTIATE_TEST_SUITE_P(Regressions, RegressionScenario,
                         ::testing::ValuesIn(files_in("regressions")), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RegressionScenario);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BugScenario);

}  // namespace
}  // namespace raftsim::sim
