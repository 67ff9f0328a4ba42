// The fuzz library: the swarm generator is a pure function of (campaign seed, run index) and
// writes valid scenario files; correct code passes a small campaign; shrinking keeps the failing
// checker and ends with few faults; coverage counts what faults hit.
#include <gtest/gtest.h>

#include "sim/fuzz/coverage.h"
#include "sim/fuzz/generate.h"
#include "sim/fuzz/shrink.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

constexpr std::uint64_t kCampaignSeed = 7;

TEST(ScenarioBugField, NamesACataloguedBugOrIsAClearError) {
  auto parsed = parse_scenario(R"({"version": 1, "name": "b", "bug": "stale-term-append"})", "b");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().bug, Bug::stale_term_append);
  EXPECT_NE(scenario_to_json(parsed.value()).find(R"("bug": "stale-term-append")"),
            std::string::npos);
  auto none = parse_scenario(R"({"version": 1, "name": "b", "bug": "none"})", "b");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value().bug, Bug::none);
  auto misspelt = parse_scenario(R"({"version": 1, "name": "b", "bug": "vote-ignore-log"})", "b");
  ASSERT_FALSE(misspelt.ok());
  EXPECT_NE(misspelt.status().message().find("/bug"), std::string::npos);
  EXPECT_NE(misspelt.status().message().find("did you mean \"vote-ignores-log\""),
            std::string::npos)
      << misspelt.status().message();
  auto number = parse_scenario(R"({"version": 1, "name": "b", "bug": 3})", "b");
  EXPECT_FALSE(number.ok());
}

TEST(FuzzGenerator, IsAPureFunctionOfSeedAndIndex) {
  const std::string first = scenario_to_json(generate_scenario({kCampaignSeed, 3}));
  EXPECT_EQ(first, scenario_to_json(generate_scenario({kCampaignSeed, 3})));
  EXPECT_NE(first, scenario_to_json(generate_scenario({kCampaignSeed, 4})));
  EXPECT_NE(first, scenario_to_json(generate_scenario({kCampaignSeed + 1, 3})));
  EXPECT_NE(fuzz_run_seed(1, 0), fuzz_run_seed(1, 1));
}

TEST(FuzzGenerator, WritesValidScenarioFilesThatRoundTrip) {
  bool saw_queue = false, saw_kv = false, saw_three = false, saw_five = false;
  for (std::uint64_t index = 0; index < 60; ++index) {
    const Scenario scenario = generate_scenario({kCampaignSeed, index, Bug::vote_ignores_log});
    const std::string text = scenario_to_json(scenario);
    auto parsed = parse_scenario(text, "generated");
    ASSERT_TRUE(parsed.ok()) << "run " << index << ": " << parsed.status().message() << "\n"
                             << text;
    EXPECT_EQ(parsed.value().bug, Bug::vote_ignores_log);
    EXPECT_EQ(scenario_to_json(parsed.value()), text);
    ASSERT_TRUE(scenario.nemesis.has_value());
    EXPECT_FALSE(scenario.nemesis->kinds.empty());
    const bool queue = scenario.cluster.workload_type == ServiceClusterOptions::Workload::queue;
    saw_queue |= queue;
    saw_kv |= !queue;
    saw_three |= scenario.cluster.nodes == 3;
    saw_five |= scenario.cluster.nodes == 5;
  }
  EXPECT_TRUE(saw_queue && saw_kv && saw_three && saw_five) << "the swarm varies what it draws";
}

// Runs generated run `index` on correct code with coverage; it must not fail, and with `replay`
// a second run must give the same trace hash. Returns the report.
ScenarioRunReport run_generated(std::uint64_t index, FaultCoverage& coverage, bool replay) {
  const Scenario scenario = generate_scenario({kCampaignSeed, index});
  ScenarioRunOptions options;
  options.record_trace = false;
  options.before_fault = [&](const FaultStep& step, const std::string& origin,
                             ServiceCluster& cluster) { coverage.observe(step, origin, cluster); };
  ScenarioRunReport report = run_scenario(scenario, scenario.seed, options);
  const CheckerFinding* failure = report.first_failure();
  EXPECT_NE(report.verdict, RunVerdict::fail)
      << "seed " << kCampaignSeed << " run " << index << ": " << failure->checker << ": "
      << failure->summary << "\nreplay: raftsim fuzz --seed " << kCampaignSeed << " --print-run "
      << index;
  if (replay) {
    ScenarioRunOptions again;
    again.record_trace = false;
    EXPECT_EQ(report.trace_hash, run_scenario(scenario, scenario.seed, again).trace_hash);
  }
  return report;
}

TEST(FuzzCampaign, CorrectCodePassesEveryCheckDeterministically) {
  FaultCoverage coverage;
  for (std::uint64_t index = 0; index < 40; ++index) run_generated(index, coverage, index < 5);
  EXPECT_GT(coverage.faults_observed(), 40u);
  EXPECT_GT(coverage.hits("crash", "leader") + coverage.hits("crash", "follower"), 0u);
  EXPECT_NE(coverage.to_markdown().find("leader with uncommitted entries"), std::string::npos);
}

// Runs with the membership profile change the cluster while it runs, pass on correct code and
// replay to the same trace; the coverage report sees configuration states.
TEST(FuzzCampaign, MembershipRunsPassOnCorrectCodeAndReplay) {
  FaultCoverage coverage;
  std::size_t runs = 0, admin_requests = 0;
  for (std::uint64_t index = 0; runs < 25 && index < 400; ++index) {
    const Scenario scenario = generate_scenario({kCampaignSeed, index});
    if (!draw_fuzz_profiles(scenario.seed).membership) continue;
    ++runs;
    const ScenarioRunReport report = run_generated(index, coverage, runs <= 3);
    admin_requests += report.to_json().value("admin", nlohmann::ordered_json::array()).size();
  }
  EXPECT_EQ(runs, 25u);
  EXPECT_GT(admin_requests, runs) << "operators change the membership";
  std::uint64_t configuration_hits = 0;
  for (const std::string& fault : coverage_faults()) {
    for (const char* state : {"joint configuration", "learner catching up", "witness present"}) {
      configuration_hits += coverage.hits(fault, state);
    }
  }
  EXPECT_GT(configuration_hits, 0u);
  EXPECT_GT(coverage.hits("membership", "follower") + coverage.hits("membership", "leader"), 0u);
}

// A bug that only stops elections from converging fails `liveness` in generated runs (they set
// the stable-leader bound and settle past it): before, such runs ended unknown with no leader.
// The failing run passes with the bug off and replays to the same trace.
TEST(FuzzCampaign, ALivenessBugFailsLivenessNotUnknown) {
  std::optional<std::uint64_t> failed_at;
  for (std::uint64_t index = 0; index < 300 && !failed_at; ++index) {
    const Scenario scenario =
        generate_scenario({kCampaignSeed, index, Bug::election_timer_not_randomized});
    ScenarioRunOptions options;
    options.record_trace = false;
    const ScenarioRunReport report = run_scenario(scenario, scenario.seed, options);
    if (report.verdict != RunVerdict::fail) continue;
    EXPECT_EQ(report.first_failure()->checker, "liveness") << report.first_failure()->summary;
    failed_at = index;
    EXPECT_EQ(report.trace_hash, run_scenario(scenario, scenario.seed, options).trace_hash);
    Scenario fixed = scenario;
    fixed.bug = Bug::none;
    EXPECT_NE(run_scenario(fixed, fixed.seed, options).verdict, RunVerdict::fail);
  }
  EXPECT_TRUE(failed_at.has_value()) << "election-timer-not-randomized not found in 300 runs";
}

TEST(FuzzShrink, KeepsTheFailingCheckerAndEndsWithFewFaults) {
  std::optional<Scenario> failing;
  std::string checker;
  for (std::uint64_t index = 0; index < 100 && !failing; ++index) {
    Scenario scenario = generate_scenario({kCampaignSeed, index, Bug::vote_ignores_log});
    // The plain swarm: a profile's timed schedule (leader churn every election) often fails
    // only with several of its steps, so its 1-minimal result is larger than this bound.
    if (draw_fuzz_profiles(scenario.seed).describe() != "none") continue;
    ScenarioRunReport report = run_scenario(scenario, scenario.seed);
    if (report.verdict == RunVerdict::fail) {
      checker = report.first_failure()->checker;
      failing = report.concrete_scenario(scenario);
    }
  }
  ASSERT_TRUE(failing.has_value()) << "vote-ignores-log not found in 100 runs";
  ShrinkOptions options;
  options.runs_max = 200;
  auto shrunk = shrink_scenario(*failing, checker, options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().message();
  const ShrinkResult& result = shrunk.value();
  EXPECT_EQ(result.checker, checker);
  EXPECT_LE(result.final.faults, result.original.faults);
  EXPECT_LE(result.final.faults, 3u);
  // Operations are what the run completed, which can grow once faults are gone; the workload the
  // shrinker controls only shrinks.
  EXPECT_LE(result.final.clients, result.original.clients);
  EXPECT_LE(result.final.duration, result.original.duration);
  // The output is a normal scenario file that fails the same checker on replay.
  auto reparsed = parse_scenario(scenario_to_json(result.minimal), "minimal");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(reparsed.value().bug, Bug::vote_ignores_log);
  ScenarioRunReport replay = run_scenario(reparsed.value(), reparsed.value().seed);
  EXPECT_TRUE(report_fails_checker(replay, checker));
  EXPECT_TRUE(replay.expectation_met) << "the shrunk file expects its checker to fail";
  EXPECT_EQ(replay.trace_hash, run_scenario(reparsed.value(), reparsed.value().seed).trace_hash);
  // The failure is the bug's: every candidate kept passed with the bug off.
  EXPECT_TRUE(result.bug_off_must_pass);
  Scenario bug_off = reparsed.value();
  bug_off.bug = Bug::none;
  EXPECT_EQ(run_scenario(bug_off, bug_off.seed).first_failure(), nullptr);
}

TEST(FuzzShrink, PairsEachFaultWithTheStepThatUndoesIt) {
  auto parsed = parse_scenario(R"({"version": 1, "name": "pairs", "faults": [
      {"at_ms": 100, "action": "crash", "target": "n1"},
      {"at_ms": 150, "action": "partition", "groups": [["n0"], ["n1", "n2"]]},
      {"at_ms": 200, "action": "crash", "target": "n0"},
      {"at_ms": 250, "action": "restart", "target": "n0"},
      {"at_ms": 300, "action": "restart", "target": "n1"},
      {"at_ms": 350, "action": "heal"},
      {"at_ms": 400, "action": "clock", "target": "n2", "drift_ppm": 1000},
      {"at_ms": 450, "action": "pause", "target": "n2"},
      {"at_ms": 500, "action": "recover_all"},
      {"at_ms": 550, "action": "isolate", "target": "n0"}]})",
                               "pairs");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const std::vector<FaultStep>& faults = parsed.value().faults;
  ASSERT_EQ(faults.size(), 10u);
  EXPECT_EQ(repair_step(faults, 0), 4u) << "the restart of n1, not the earlier one of n0";
  EXPECT_EQ(repair_step(faults, 1), 5u);
  EXPECT_EQ(repair_step(faults, 2), 3u);
  EXPECT_EQ(repair_step(faults, 6), 8u) << "a clock change lasts until recover_all";
  EXPECT_EQ(repair_step(faults, 7), 8u);
  EXPECT_EQ(repair_step(faults, 9), faults.size()) << "never undone";
}

TEST(FuzzShrink, RefusesAScenarioThatPasses) {
  const Scenario scenario = generate_scenario({kCampaignSeed, 0});
  auto shrunk = shrink_scenario(scenario, "");
  if (shrunk.ok()) GTEST_SKIP() << "run 0 failed on correct code (the campaign test says why)";
  EXPECT_NE(shrunk.status().message().find("nothing to shrink"), std::string::npos);
}

}  // namespace
}  // namespace raftsim::sim
