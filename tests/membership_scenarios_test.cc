// Membership changes in the scenario engine: every scenario in scenarios/membership/ meets its
// expectation, replays to the same trace hash from its seed (the "unseed" check), fires every
// scheduled step, and its exported concrete timeline replays to the same verdict; the changes the
// scenarios promise really happen (the operator's requests are answered as the scenario says);
// bad membership steps are refused at parse time with their JSON path.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

std::string membership_file(const std::string& name) {
  return std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/membership/" + name + ".json";
}

std::vector<std::string> membership_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(RAFTSIM_SOURCE_DIR) +
                                                               "/scenarios/membership")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string findings_of(const ScenarioRunReport& report) {
  std::string text;
  for (const CheckerFinding& finding : report.findings) {
    text += "\n  " + finding.checker + ": " + check_status_name(finding.status) + " -- " +
            finding.summary;
  }
  return text;
}

class MembershipScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(MembershipScenario, MeetsItsExpectationDeterministically) {
  auto loaded = load_scenario(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Scenario& scenario = loaded.value();
  EXPECT_FALSE(scenario.description.empty());
  ScenarioRunReport first = run_scenario(scenario, scenario.seed);
  ScenarioRunReport second = run_scenario(scenario, scenario.seed);
  ASSERT_EQ(first.trace_hash, second.trace_hash) << "same seed, different trace";
  ASSERT_EQ(first.to_json().dump(), second.to_json().dump());
  EXPECT_TRUE(first.expectation_met)
      << scenario.name << ": " << first.verdict << findings_of(first);
  EXPECT_GT(first.operations_ok, 0u);
  for (const AppliedFault& applied : first.timeline) {
    EXPECT_FALSE(applied.skipped && applied.origin.rfind("faults/", 0) == 0)
        << applied.origin << " was skipped: " << applied.note;
  }
  Scenario concrete = first.concrete_scenario(scenario);
  auto reparsed = parse_scenario(scenario_to_json(concrete), "concrete");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  ScenarioRunReport replay = run_scenario(reparsed.value(), scenario.seed);
  EXPECT_EQ(replay.verdict, first.verdict);
  EXPECT_EQ(replay.operations_ok, first.operations_ok);
  EXPECT_EQ(replay.messages_sent, first.messages_sent);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, MembershipScenario, ::testing::ValuesIn(membership_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(MembershipScenarios, AtLeastTen) {
  EXPECT_GE(membership_files().size(), 10u);
}

// The outcome of each admin request of a run, in order ("add_learner n3 ok").
std::vector<std::string> admin_outcomes(const ScenarioRunReport& report) {
  std::vector<std::string> outcomes;
  for (const AdminOperation& operation : report.admin) {
    outcomes.push_back(describe_admin_request(operation.request) + " " +
                       admin_outcome_name(operation.outcome));
  }
  return outcomes;
}

ScenarioRunReport run_file(const std::string& name) {
  auto loaded = load_scenario(membership_file(name));
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return run_scenario(loaded.value(), loaded.value().seed);
}

TEST(MembershipScenarios, TheChangesReallyHappen) {
  EXPECT_EQ(admin_outcomes(run_file("grow-3-to-5-under-load")),
            (std::vector<std::string>{"add_learner n3 ok", "promote n3 ok", "add_learner n4 ok",
                                      "promote n4 ok"}));
  const ScenarioRunReport partition = run_file("transfer-during-a-partition");
  ASSERT_EQ(partition.admin.size(), 1u);
  EXPECT_EQ(partition.admin[0].outcome, AdminOutcome::failed) << "the transfer must abort";
  const ScenarioRunReport snapshot = run_file("learner-catches-up-through-a-snapshot");
  EXPECT_GE(snapshot.snapshots_installed, 1u) << "the learner caught up through a snapshot";
  EXPECT_EQ(admin_outcomes(snapshot),
            (std::vector<std::string>{"add_learner n3 ok", "promote n3 ok"}));
  const ScenarioRunReport joint = run_file("leader-crash-in-a-joint-change");
  ASSERT_EQ(joint.admin.size(), 1u);
  EXPECT_EQ(joint.admin[0].outcome, AdminOutcome::ok);
}

// --- parse-time checks --------------------------------------------------------------------------

std::string error_of(const nlohmann::json& document) {
  auto parsed = parse_scenario(document.dump(), "bad.json");
  EXPECT_FALSE(parsed.ok()) << "accepted: " << document.dump();
  return parsed.ok() ? std::string() : parsed.status().message();
}

nlohmann::json growing(nlohmann::json faults) {
  return {{"version", 1},
          {"name", "t"},
          {"duration_ms", 5000},
          {"cluster", {{"nodes", 3}, {"max_nodes", 5}}},
          {"faults", faults}};
}

TEST(MembershipParse, BadStepsNameTheirPath) {
  std::string message =
      error_of(growing({{{"at_ms", 1}, {"action", "remove_node"}, {"target", "n4"}}}));
  EXPECT_NE(message.find("/faults/0/target"), std::string::npos) << message;
  EXPECT_NE(message.find("never added"), std::string::npos) << message;
  message = error_of(growing({{{"at_ms", 1}, {"action", "add_node"}, {"target", "n7"}}}));
  EXPECT_NE(message.find("/faults/0/target"), std::string::npos) << message;
  message = error_of(growing({{{"at_ms", 1}, {"action", "add_node"}, {"target", "n1"}}}));
  EXPECT_NE(message.find("a bootstrap node"), std::string::npos) << message;
  message = error_of(growing({{{"at_ms", 1}, {"action", "add_node"}, {"target", "n3"}},
                              {{"at_ms", 2}, {"action", "add_node"}, {"target", "n3"}}}));
  EXPECT_NE(message.find("/faults/1/target"), std::string::npos) << message;
  message =
      error_of(growing({{{"at_ms", 1}, {"action", "change_voters"}, {"voters", {"n0", "n9"}}}}));
  EXPECT_NE(message.find("/faults/0/voters/1"), std::string::npos) << message;
  nlohmann::json small = growing({{{"at_ms", 1}, {"action", "add_node"}, {"target", "n3"}}});
  small["cluster"].erase("max_nodes");
  message = error_of(small);
  EXPECT_NE(message.find("max_nodes"), std::string::npos) << message;
  nlohmann::json shrinking = growing({});
  shrinking["cluster"]["max_nodes"] = 2;
  EXPECT_NE(error_of(shrinking).find("/cluster/max_nodes"), std::string::npos);
}

TEST(MembershipParse, AddedServersMayBeNamedLaterAndTheConsoleIsOn) {
  auto parsed =
      parse_scenario(growing({{{"at_ms", 1}, {"action", "add_node"}, {"target", "n3"}},
                              {{"at_ms", 2}, {"action", "promote"}, {"target", "n3"}},
                              {{"at_ms", 3}, {"action", "transfer_leadership"}, {"target", "n3"}},
                              {{"at_ms", 4}, {"action", "wipe"}, {"target", "n0"}}})
                         .dump(),
                     "good.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed.value().cluster.admin_client);
  EXPECT_EQ(parsed.value().cluster.server_slots(), 5u);
  // Written back, it parses to the same schedule.
  auto again = parse_scenario(scenario_to_json(parsed.value()), "again.json");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(scenario_to_json(again.value()), scenario_to_json(parsed.value()));
}

}  // namespace
}  // namespace raftsim::sim
