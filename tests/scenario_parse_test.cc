// Scenario files: good ones parse to the values they say, bad ones of every kind are refused with
// the file, the JSON path (or line and column), what was expected and what was found.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/scenario/parse.h"

namespace raftsim::sim {
namespace {

using nlohmann::json;

json minimal() {
  return json::parse(R"({"version": 1, "name": "t", "duration_ms": 5000})");
}

std::string error_of(const json& document) {
  auto parsed = parse_scenario(document.dump(), "bad.json");
  EXPECT_FALSE(parsed.ok()) << "accepted: " << document.dump();
  return parsed.ok() ? std::string() : parsed.status().message();
}

std::string error_of_text(const std::string& text) {
  auto parsed = parse_scenario(text, "bad.json");
  EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
  return parsed.ok() ? std::string() : parsed.status().message();
}

json with_fault(json step) {
  json document = minimal();
  document["faults"] = json::array({step});
  return document;
}

TEST(ScenarioParse, MinimalScenarioGetsDefaults) {
  auto parsed = parse_scenario(minimal().dump(), "ok.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().name, "t");
  EXPECT_EQ(parsed.value().duration, seconds(5));
  EXPECT_EQ(parsed.value().cluster.nodes, 5u);
  EXPECT_TRUE(parsed.value().expect.pass);
  EXPECT_EQ(parsed.value().file, "ok.json");
}

TEST(ScenarioParse, ReadsEverySection) {
  json document = json::parse(R"({
    "version": 1, "name": "full", "seed": 42, "duration_ms": 9000.5,
    "cluster": {"nodes": 3, "tick_ms": 5, "election_timeout_ticks": [20, 40], "heartbeat_ticks": 4,
                "pre_vote": false, "check_quorum": true, "lease_read": true},
    "network": {"latency_ms": [0.5, 2], "loss_percent": 1.5, "duplicate_percent": 2},
    "disk": {"sync_ms": [0.1, 1], "torn_write_percent": 50},
    "clocks": [{"node": "n2", "skew_ms": -100, "drift_ppm": 300}],
    "workload": {"clients": 2, "sessions": 3, "keys": 7, "mix": {"get": 1, "put": 1}},
    "faults": [
      {"at_ms": 3000, "action": "heal"},
      {"at_ms": 1000, "action": "crash", "target": "leader", "as": "old"},
      {"at_ms": 2000, "action": "restart", "target": "old"},
      {"at_ms": 2500, "action": "partition", "groups": [["n0", "c1"], ["others"]]},
      {"at_ms": 2600, "action": "link", "from": "all", "to": "n1", "loss_percent": 20}
    ],
    "nemesis": {"kinds": ["crash", "clock"], "interval_ms": [100, 200], "budgets": {"crash": 2}},
    "checks": {"recovery_ms_max": 2500, "term_max": 9},
    "expect": {"verdict": "fail", "checker": "liveness"}
  })");
  auto parsed = parse_scenario(document.dump(), "full.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Scenario& scenario = parsed.value();
  EXPECT_EQ(scenario.seed, 42u);
  EXPECT_EQ(scenario.duration, milliseconds(9000) + microseconds(500));
  EXPECT_EQ(scenario.cluster.nodes, 3u);
  EXPECT_EQ(scenario.cluster.tick_ns, milliseconds(5));
  EXPECT_FALSE(scenario.cluster.raft.pre_vote);
  EXPECT_EQ(scenario.cluster.link.latency_min, microseconds(500));
  EXPECT_EQ(scenario.cluster.link.loss, Ratio::per_million(15'000));
  EXPECT_EQ(scenario.cluster.disk.torn_write_on_crash, Ratio::per_million(500'000));
  ASSERT_EQ(scenario.cluster.clocks.size(), 3u);
  EXPECT_EQ(scenario.cluster.clocks[2].drift_ppm, 300);
  EXPECT_EQ(scenario.cluster.workload.append_weight, 0u);  // a mix names every weight it wants
  ASSERT_EQ(scenario.faults.size(), 5u);
  EXPECT_TRUE(scenario.faults[0].is<CrashFault>());  // sorted by time
  EXPECT_EQ(scenario.faults[0].bind_as, "old");
  EXPECT_TRUE(scenario.faults.back().is<HealFault>());
  ASSERT_TRUE(scenario.nemesis.has_value());
  EXPECT_EQ(scenario.nemesis->stop, scenario.duration);
  EXPECT_EQ(scenario.nemesis->kind_budgets[NemesisKind::of<CrashFault>().index], 2u);
  EXPECT_EQ(scenario.checks.term_max, 9u);
  EXPECT_FALSE(scenario.expect.pass);
  EXPECT_EQ(scenario.expect.checker, "liveness");

  // Writing it out and reading it back gives the same scenario.
  const std::string written = scenario_to_json(scenario);
  auto reread = parse_scenario(written, "again.json");
  ASSERT_TRUE(reread.ok()) << reread.status().message() << "\n" << written;
  EXPECT_EQ(scenario_to_json(reread.value()), written);
}

// Scenarios that contradict themselves are refused, naming both places.
TEST(ScenarioParse, RefusesContradictions) {
  EXPECT_EQ(error_of(with_fault(
                {{"at_ms", 1},
                 {"action", "partition"},
                 {"groups", json::array({json::array({"n0", "n1"}), json::array({"n2", "n1"})})}})),
            "bad.json: /faults/0/groups/1/1: n1 is also at /faults/0/groups/0/1: a node can be "
            "on one side only");
  EXPECT_NE(error_of(with_fault({{"at_ms", 1},
                                 {"action", "bridge"},
                                 {"side_a", {"n0", "n1"}},
                                 {"bridge", "n1"},
                                 {"side_b", {"n3", "n4"}}}))
                .find("/faults/0/bridge: n1 is also at /faults/0/side_a/1"),
            std::string::npos);
  // Roles resolve when the step fires, so naming one twice is not (yet) a contradiction.
  json roles = with_fault(
      {{"at_ms", 1},
       {"action", "partition"},
       {"groups", json::array({json::array({"leader"}), json::array({"others", "leader"})})}});
  EXPECT_TRUE(parse_scenario(roles.dump(), "ok.json").ok());

  json switched_off = minimal();
  switched_off["checks"] = {{"durability", false}};
  switched_off["expect"] = {{"verdict", "fail"}, {"checker", "durability"}};
  EXPECT_EQ(error_of(switched_off),
            "bad.json: /expect/checker: expects the durability checker to fire, but "
            "/checks/durability switches it off");
  json no_queue = minimal();
  no_queue["expect"] = {{"verdict", "fail"}, {"checker", "queue"}};
  EXPECT_NE(error_of(no_queue).find("/workload is not a queue workload"), std::string::npos);
}

TEST(ScenarioParse, SyntaxErrorsNameLineAndColumn) {
  const std::string message = error_of_text("{\n  \"version\": 1,\n  \"name\": \"x\",,\n}");
  EXPECT_NE(message.find("bad.json:3:15"), std::string::npos) << message;
  EXPECT_NE(message.find("unexpected character ','"), std::string::npos) << message;
  EXPECT_NE(error_of_text("{\"version\": 1, \"version\": 1}").find("duplicate key \"version\""),
            std::string::npos);
  EXPECT_NE(error_of_text("").find("bad.json:1:1"), std::string::npos);
  EXPECT_NE(error_of_text("{\"version\": 1").find("bad.json:1:"), std::string::npos);
}

TEST(ScenarioParse, WrongTypesNamePathExpectedAndFound) {
  json document = minimal();
  document["cluster"] = {{"nodes", "five"}};
  std::string message = error_of(document);
  EXPECT_NE(message.find("bad.json: /cluster/nodes: expected an integer from 1 to 9, found the "
                         "string \"five\""),
            std::string::npos)
      << message;

  document = minimal();
  document["workload"] = json::array();
  message = error_of(document);
  EXPECT_NE(message.find("/workload: expected an object, found an array of 0"), std::string::npos)
      << message;

  document = minimal();
  document["network"] = {{"latency_ms", {5, 1}}};
  message = error_of(document);
  EXPECT_NE(message.find("/network/latency_ms: expected [min, max]"), std::string::npos) << message;
}

TEST(ScenarioParse, ImpossibleValuesAreRefused) {
  json document = minimal();
  document["cluster"] = {{"nodes", 0}};
  EXPECT_NE(error_of(document).find("/cluster/nodes"), std::string::npos);
  document = minimal();
  document["network"] = {{"loss_percent", 120}};
  EXPECT_NE(error_of(document).find("/network/loss_percent: expected a number from 0 to 100"),
            std::string::npos);
  document = minimal();
  document["duration_ms"] = -5;
  EXPECT_NE(error_of(document).find("/duration_ms"), std::string::npos);
  document = minimal();
  document["cluster"] = {{"election_timeout_ticks", {30, 60}}, {"heartbeat_ticks", 40}};
  EXPECT_NE(error_of(document).find("/cluster/heartbeat_ticks"), std::string::npos);
  EXPECT_NE(error_of(with_fault({{"at_ms", 9000}, {"action", "heal"}}))
                .find("/faults/0/at_ms: expected a time within duration_ms (5000 ms)"),
            std::string::npos);
}

TEST(ScenarioParse, UnknownFieldsAreErrorsWithHints) {
  json document = minimal();
  document["duraton_ms"] = 100;
  std::string message = error_of(document);
  EXPECT_NE(message.find("/duraton_ms: unknown field (did you mean \"duration_ms\"?)"),
            std::string::npos)
      << message;
  document = minimal();
  document["cluster"] = {{"colour", "blue"}};
  message = error_of(document);
  EXPECT_NE(message.find("/cluster/colour: unknown field (allowed here:"), std::string::npos)
      << message;
  message = error_of(with_fault({{"at_ms", 1}, {"action", "heal"}, {"target", "n1"}}));
  EXPECT_NE(message.find("/faults/0/target: unknown field"), std::string::npos) << message;
}

TEST(ScenarioParse, NodesThatDoNotExistAreRefused) {
  std::string message = error_of(with_fault({{"at_ms", 1}, {"action", "crash"}, {"target", "n7"}}));
  EXPECT_NE(message.find("/faults/0/target: expected a node name from \"n0\" to \"n4\""),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("found \"n7\" (the cluster has 5 nodes)"), std::string::npos) << message;
  message = error_of(
      with_fault({{"at_ms", 1}, {"action", "partition"}, {"groups", {{"n0", "n9"}, {"others"}}}}));
  EXPECT_NE(message.find("/faults/0/groups/0/1"), std::string::npos) << message;
  json document = minimal();
  document["clocks"] = {{{"node", "n5"}, {"drift_ppm", 1}}};
  EXPECT_NE(error_of(document).find("/clocks/0/node"), std::string::npos);
}

TEST(ScenarioParse, NamesMustBeBoundBeforeUse) {
  json document = minimal();
  document["faults"] = {{{"at_ms", 2000}, {"action", "crash"}, {"target", "leader"}, {"as", "x"}},
                        {{"at_ms", 1000}, {"action", "restart"}, {"target", "x"}}};
  const std::string message = error_of(document);
  EXPECT_NE(message.find("/faults/1/target"), std::string::npos) << message;
  EXPECT_NE(message.find("bound by \"as\" only at a later time"), std::string::npos) << message;
  EXPECT_NE(
      error_of(
          with_fault({{"at_ms", 1}, {"action", "crash"}, {"target", "leader"}, {"as", "leader"}}))
          .find("/faults/0/as"),
      std::string::npos);
}

TEST(ScenarioParse, LeadingTimeGoesWithTheNewLeaderSelectorOnly) {
  json step = {{"at_ms", 1000}, {"action", "crash"}, {"target", "new-leader"}, {"leading_ms", 80}};
  auto parsed = parse_scenario(with_fault(step).dump(), "good.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().faults[0].as<CrashFault>()->target, "new-leader");
  EXPECT_EQ(parsed.value().faults[0].leading_min, milliseconds(80));
  auto again = parse_scenario(scenario_to_json(parsed.value()), "again.json");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again.value().faults[0].leading_min, milliseconds(80)) << "written back";
  step["target"] = "leader";
  const std::string message = error_of(with_fault(step));
  EXPECT_NE(message.find("/faults/0/leading_ms: expected only with the \"new-leader\" selector"),
            std::string::npos)
      << message;
  step["target"] = "new-leader";
  step["leading_ms"] = -5;
  EXPECT_NE(error_of(with_fault(step)).find("/faults/0/leading_ms"), std::string::npos);
}

TEST(ScenarioParse, StructuralMistakes) {
  EXPECT_NE(error_of(json::parse(R"({"name": "t"})")).find("/version"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"version": 2, "name": "t"})")).find("/version"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"version": 1})")).find("/name"), std::string::npos);
  EXPECT_NE(error_of(json::parse("[1, 2]")).find("bad.json: /: expected an object"),
            std::string::npos);
  EXPECT_NE(error_of(with_fault({{"at_ms", 1}, {"action", "explode"}})).find("/faults/0/action"),
            std::string::npos);
  EXPECT_NE(error_of(with_fault({{"action", "heal"}})).find("/faults/0/at_ms"), std::string::npos);
  EXPECT_NE(error_of(with_fault({{"at_ms", 1}, {"action", "clock"}, {"target", "n1"}}))
                .find("at least one of"),
            std::string::npos);
  json document = minimal();
  document["expect"] = {{"verdict", "fail"}};
  EXPECT_NE(error_of(document).find("/expect/checker"), std::string::npos);
  document["expect"] = {{"verdict", "fail"}, {"checker", "vibes"}};
  EXPECT_NE(error_of(document).find("/expect/checker"), std::string::npos);
  document = minimal();
  document["nemesis"] = {{"kinds", {"crash", "meteor"}}};
  EXPECT_NE(error_of(document).find("/nemesis/kinds/1"), std::string::npos);
}

TEST(ScenarioParse, ReportsEveryErrorAtOnce) {
  json document = minimal();
  document["cluster"] = {{"nodes", -1}};
  document["network"] = {{"loss_percent", "lots"}};
  document["bogus"] = true;
  const std::string message = error_of(document);
  EXPECT_NE(message.find("/cluster/nodes"), std::string::npos);
  EXPECT_NE(message.find("/network/loss_percent"), std::string::npos);
  EXPECT_NE(message.find("/bogus"), std::string::npos);
}

TEST(ScenarioParse, LeadershipBoundsParseAndWriteBack) {
  json document = minimal();
  document["faults"] =
      json::array({json{{"at_ms", 1000}, {"action", "crash"}, {"target", "n1"}},
                   json{{"at_ms", 2000}, {"action", "restart"}, {"target", "n1"}}});
  document["checks"] = json::parse(R"({"stable_leader_ms_max": 0, "leader_changes_max": 2,
      "leaderless_ms_max": 1500.5, "after_step": [{"step": 1, "leader_changes_max": 0}]})");
  auto parsed = parse_scenario(document.dump(), "ok.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Checks& checks = parsed.value().checks;
  ASSERT_TRUE(checks.stable_leader_bound.has_value());
  EXPECT_EQ(*checks.stable_leader_bound, 0);
  EXPECT_EQ(checks.leadership.leader_changes_max, 2u);
  EXPECT_EQ(checks.leadership.leaderless_max, microseconds(1'500'500));
  ASSERT_EQ(checks.after_steps.size(), 1u);
  EXPECT_EQ(checks.after_steps[0].step, 1u);
  EXPECT_EQ(checks.after_steps[0].bounds.leader_changes_max, 0u);
  EXPECT_FALSE(checks.after_steps[0].bounds.leaderless_max.has_value());
  auto again = parse_scenario(scenario_to_json(parsed.value()), "again.json");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(scenario_to_json(again.value()), scenario_to_json(parsed.value()));
  EXPECT_FALSE(parse_scenario(minimal().dump(), "ok.json").value().checks.stable_leader_bound);
}

TEST(ScenarioParse, LeadershipBoundsRefuseWhatTheyCannotMean) {
  json document = minimal();
  document["faults"] = json::array(
      {json{{"at_ms", 2000}, {"action", "heal"}}, json{{"at_ms", 1000}, {"action", "heal"}}});
  document["checks"] =
      json{{"after_step", json::array({json{{"step", 0}, {"leaderless_ms_max", 1}}})}};
  EXPECT_NE(error_of(document).find("in time order"), std::string::npos);
  document["faults"] = json::array({json{{"at_ms", 1000}, {"action", "heal"}}});
  document["checks"]["after_step"][0]["step"] = 1;
  EXPECT_NE(error_of(document).find("/checks/after_step/0/step"), std::string::npos);
  document["checks"]["after_step"][0] = json{{"step", 0}};
  EXPECT_NE(error_of(document).find("at least one of"), std::string::npos);
  document["checks"] = json{{"leader_changes_max", -1}};
  EXPECT_NE(error_of(document).find("/checks/leader_changes_max"), std::string::npos);
  document["checks"] = json{{"after_step", json{{"step", 0}}}};
  EXPECT_NE(error_of(document).find("an array"), std::string::npos);
}

TEST(ScenarioParse, MissingFileIsNotFound) {
  auto loaded = load_scenario("/nonexistent/scenario.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::not_found);
}

}  // namespace
}  // namespace raftsim::sim
