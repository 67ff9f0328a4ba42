// Run budgets and swarm profiles: a run that reaches its event or memory budget stops as
// budget_exceeded (neither pass nor fail) at the same event on every replay, a caller's guard
// stops it too, and shrinking honours its stop check; the generator's profiles each appear in a
// share of the runs and their scenarios are valid files.
#include <gtest/gtest.h>

#include "sim/fuzz/generate.h"
#include "sim/fuzz/shrink.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

constexpr std::uint64_t kCampaignSeed = 11;
constexpr std::uint64_t kTinyEventsMax = 1'000;  // the first few hundred ms of a generated run

ScenarioRunReport run_quietly(const Scenario& scenario, ScenarioRunOptions options = {}) {
  options.record_trace = false;
  return run_scenario(scenario, scenario.seed, options);
}

TEST(RunBudget, ATinyEventBudgetStopsTheRunAsBudgetExceededDeterministically) {
  Scenario scenario = generate_scenario({kCampaignSeed, 0});
  scenario.events_max = kTinyEventsMax;
  const ScenarioRunReport report = run_quietly(scenario);
  EXPECT_EQ(report.verdict, RunVerdict::budget_exceeded) << "seed " << scenario.seed;
  EXPECT_NE(report.budget_exceeded.find("events_max"), std::string::npos) << report.budget_exceeded;
  // The budget counts scheduler events; the trace also counts sends and disk operations.
  EXPECT_GE(report.events, kTinyEventsMax);
  EXPECT_LT(report.events, 4 * kTinyEventsMax);
  EXPECT_LT(report.simulated, scenario.duration);
  EXPECT_FALSE(report.expectation_met);
  EXPECT_EQ(report.exit_code(), 4);
  EXPECT_EQ(report.first_failure(), nullptr) << "over budget is not a failure";
  // Same seed, same budget: the same event, the same trace.
  const ScenarioRunReport again = run_quietly(scenario);
  EXPECT_EQ(again.trace_hash, report.trace_hash);
  EXPECT_EQ(again.verdict, report.verdict);
  // Written out (the realised timeline, budget included) it replays to the same stop.
  Scenario concrete = report.concrete_scenario(scenario);
  auto parsed = parse_scenario(scenario_to_json(concrete), "replay");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().events_max, kTinyEventsMax);
  const ScenarioRunReport replay = run_quietly(parsed.value());
  EXPECT_EQ(replay.verdict, RunVerdict::budget_exceeded);
  EXPECT_EQ(replay.events, report.events);
}

TEST(RunBudget, AGeneratedRunWithinItsBudgetIsUntouched) {
  const Scenario scenario = generate_scenario({kCampaignSeed, 1});
  EXPECT_EQ(scenario.events_max, fuzz_events_max(scenario));
  EXPECT_GE(scenario.events_max, 5 * kFuzzEventsPerSimulatedSecondMax);
  const ScenarioRunReport report = run_quietly(scenario);
  EXPECT_NE(report.verdict, RunVerdict::budget_exceeded);
  EXPECT_LT(report.events, scenario.events_max / 20) << "the budget leaves a wide margin";
  Scenario unbounded = scenario;
  unbounded.events_max = 0;
  EXPECT_EQ(run_quietly(unbounded).trace_hash, report.trace_hash)
      << "a budget that is not reached changes nothing";
}

TEST(RunBudget, ASmallMemoryBudgetStopsTheRunAsBudgetExceededDeterministically) {
  // Busy clients: the trace and history pass 1 MiB within the first simulated second.
  auto busy = parse_scenario(R"({"version": 1, "name": "busy", "duration_ms": 5000,
      "memory_mb": 1, "workload": {"clients": 8, "think_ms": 0}})",
                             "busy.json");
  ASSERT_TRUE(busy.ok()) << busy.status().message();
  const Scenario& scenario = busy.value();
  const ScenarioRunReport report = run_scenario(scenario, scenario.seed);
  EXPECT_EQ(report.verdict, RunVerdict::budget_exceeded) << "seed " << scenario.seed;
  EXPECT_NE(report.budget_exceeded.find("memory_mb"), std::string::npos) << report.budget_exceeded;
  EXPECT_EQ(report.exit_code(), 4);
  EXPECT_LT(report.simulated, scenario.duration);
  const ScenarioRunReport again = run_scenario(scenario, scenario.seed);
  EXPECT_EQ(again.trace_hash, report.trace_hash);
  EXPECT_EQ(again.events, report.events);
  // The budget is written with the realised timeline, so the replay stops at the same event.
  auto parsed = parse_scenario(scenario_to_json(report.concrete_scenario(scenario)), "replay");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().memory_mb, 1u);
  EXPECT_EQ(run_scenario(parsed.value(), scenario.seed).events, report.events);
}

TEST(RunBudget, TheMemoryEstimateCountsTraceHistoryLogsAndDisks) {
  const Scenario scenario = generate_scenario({kCampaignSeed, 1});
  for (const bool record_trace : {true, false}) {
    ScenarioRunOptions options;
    options.record_trace = record_trace;
    ScenarioRunner runner(scenario, scenario.seed, options);
    (void)runner.run();
    ServiceCluster& cluster = runner.cluster();
    const std::uint64_t trace = cluster.world().trace().held_bytes();
    const std::uint64_t history = cluster.history().held_bytes();
    EXPECT_EQ(trace > 0, record_trace);
    EXPECT_GT(history, cluster.history().operations().size() * sizeof(RecordedOperation));
    std::uint64_t disks = 0;
    for (NodeIndex node = 0; node < cluster.size(); ++node) {
      disks += cluster.world().disk(node).used_bytes();
    }
    EXPECT_GT(disks, 0u);
    // Each server's log in memory comes on top (only nodes up at the end are counted).
    EXPECT_GT(cluster.held_bytes(), trace + history + disks);
  }
}

TEST(RunBudget, AScenarioWithoutBudgetsGetsTheDefaultsAndBadBudgetsAreRefused) {
  auto parsed = parse_scenario(R"({"version": 1, "name": "plain"})", "plain.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().events_budget(), kScenarioEventsDefault);
  EXPECT_EQ(parsed.value().memory_mb, kScenarioMemoryMbDefault);
  EXPECT_EQ(scenario_to_json(parsed.value()).find("memory_mb"), std::string::npos);
  for (const char* bad : {R"({"version": 1, "name": "m", "memory_mb": 0})",
                          R"({"version": 1, "name": "m", "memory_mb": 65537})",
                          R"({"version": 1, "name": "m", "memory_mb": -1})"}) {
    auto refused = parse_scenario(bad, "m.json");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("memory_mb"), std::string::npos)
        << refused.status().message();
  }
}

TEST(RunBudget, TheCallersGuardStopsTheRun) {
  const Scenario scenario = generate_scenario({kCampaignSeed, 2});
  ScenarioRunOptions options;
  std::uint64_t polls = 0;
  options.should_stop = [&polls] { return ++polls >= 1; };
  const ScenarioRunReport report = run_quietly(scenario, options);
  EXPECT_EQ(report.verdict, RunVerdict::budget_exceeded);
  EXPECT_NE(report.budget_exceeded.find("guard"), std::string::npos) << report.budget_exceeded;
  EXPECT_EQ(polls, 1u);
  EXPECT_GE(report.events, kRunBudgetPollEvents);
  EXPECT_LT(report.events, 4 * kRunBudgetPollEvents);
}

TEST(RunBudget, ShrinkingStopsWhenTold) {
  std::optional<Scenario> failing;
  for (std::uint64_t index = 0; index < 100 && !failing; ++index) {
    Scenario scenario = generate_scenario({kCampaignSeed, index, Bug::vote_ignores_log});
    ScenarioRunReport report = run_quietly(scenario);
    if (report.verdict == RunVerdict::fail) failing = report.concrete_scenario(scenario);
  }
  ASSERT_TRUE(failing.has_value()) << "vote-ignores-log not found in 100 runs";
  ShrinkOptions options;
  std::size_t polls = 0;
  options.should_stop = [&polls] { return ++polls > 3; };  // the first run and a few candidates
  auto shrunk = shrink_scenario(*failing, "", options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().message();
  EXPECT_EQ(shrunk.value().stopped, "stopped");
  EXPECT_LE(shrunk.value().final.faults, shrunk.value().original.faults);
  EXPECT_TRUE(report_fails_checker(run_quietly(shrunk.value().minimal), shrunk.value().checker));
}

TEST(FuzzProfiles, EachAppearsInAShareOfRunsAndTheirScenariosAreValid) {
  constexpr std::uint64_t kRuns = 400;
  std::size_t racing = 0, churn = 0, minority = 0, voter = 0, batches = 0, figure_8 = 0, lease = 0,
              none = 0, figure_8_on_five = 0, membership = 0, scripted = 0, by_nemesis = 0;
  for (std::uint64_t index = 0; index < kRuns; ++index) {
    const Scenario scenario = generate_scenario({kCampaignSeed, index});
    const FuzzProfiles profiles = draw_fuzz_profiles(scenario.seed);
    EXPECT_NE(scenario.description.find(profiles.describe()), std::string::npos);
    const std::string text = scenario_to_json(scenario);
    auto parsed = parse_scenario(text, "generated");
    ASSERT_TRUE(parsed.ok()) << "run " << index << ": " << parsed.status().message() << "\n"
                             << text;
    EXPECT_EQ(scenario_to_json(parsed.value()), text);
    auto has_comment = [&](const std::string& comment) {
      return std::any_of(scenario.faults.begin(), scenario.faults.end(),
                         [&](const FaultStep& step) { return step.comment == comment; });
    };
    const RaftConfig& raft = scenario.cluster.raft;
    // The membership profile's two-changes disaster runs alone: no nemesis, no other faults.
    const bool alone = profiles.membership && !scenario.nemesis;
    if (alone) {
      EXPECT_TRUE(has_comment("membership: next leader cut off")) << "run " << index;
      EXPECT_EQ(scenario.cluster.nodes, 4u);
    }
    if (profiles.racing_elections) {
      ++racing;
      EXPECT_LE(raft.election_timeout_ticks_max - raft.election_timeout_ticks_min, 3u);
      // An election (two link delays) fits in the timeout: correct code stays live.
      EXPECT_GE(scenario.cluster.tick_ns * raft.election_timeout_ticks_min,
                4 * scenario.cluster.link.latency_max);
    }
    if (profiles.leader_churn) {
      ++churn;
      EXPECT_TRUE(alone || has_comment("leader churn")) << "run " << index;
    }
    if (profiles.minority_leader) {
      ++minority;
      EXPECT_TRUE(alone || has_comment("leader cut off with a minority")) << "run " << index;
    }
    if (profiles.voter_crashes) {
      ++voter;
      EXPECT_TRUE(alone || has_comment("voter crash")) << "run " << index;
      EXPECT_GT(scenario.cluster.disk.sync_latency_max, 0);
    }
    if (profiles.small_batches) {
      ++batches;
      EXPECT_LE(raft.entries_per_message_max, 3u);
    }
    if (profiles.figure_8) {
      ++figure_8;
      // The paper's five nodes, or the three the model checker needs.
      if (scenario.cluster.nodes == 5) {
        ++figure_8_on_five;
        EXPECT_TRUE(has_comment("figure-8 round")) << "run " << index;
      } else {
        EXPECT_EQ(scenario.cluster.nodes, 3);
        EXPECT_TRUE(has_comment("figure-8 round (3 nodes)")) << "run " << index;
        EXPECT_TRUE(std::any_of(scenario.faults.begin(), scenario.faults.end(),
                                [](const FaultStep& step) {
                                  return step.is<CrashFault>() &&
                                         step.as<CrashFault>()->target == "new-leader" &&
                                         step.leading_min > 0;
                                }))
            << "run " << index;
      }
      EXPECT_EQ(raft.entries_per_message_max, 1u);
      EXPECT_EQ(raft.inflight_messages_max, 1u);
    }
    if (profiles.lease_reads) {
      ++lease;
      EXPECT_EQ(profiles.describe(), "lease-reads") << "run " << index << ": it runs alone";
      EXPECT_TRUE(raft.lease_read);
      EXPECT_TRUE(raft.check_quorum);
      EXPECT_EQ(scenario.cluster.workload_type, ServiceClusterOptions::Workload::kv);
      EXPECT_TRUE(has_comment("leader and clients split off")) << "run " << index;
      EXPECT_TRUE(std::any_of(scenario.faults.begin(), scenario.faults.end(),
                              [](const FaultStep& step) {
                                const auto* clock = step.as<ClockFault>();
                                return clock != nullptr && clock->drift_ppm < 0;
                              }))
          << "run " << index << ": the lease holder's clock is slowed";
      ASSERT_TRUE(scenario.nemesis.has_value());
      EXPECT_EQ(std::count(scenario.nemesis->kinds.begin(), scenario.nemesis->kinds.end(),
                           NemesisKind::of<PauseFault>()),
                0);
    }
    if (profiles.membership) {
      ++membership;
      EXPECT_FALSE(profiles.lease_reads || profiles.figure_8) << "run " << index;
      EXPECT_GT(scenario.cluster.max_nodes, scenario.cluster.nodes) << "spare slots";
      EXPECT_TRUE(scenario.cluster.admin_client);
      const bool nemesis_changes =
          !alone && std::count(scenario.nemesis->kinds.begin(), scenario.nemesis->kinds.end(),
                               NemesisKind::of<MembershipNemesisFault>()) == 1;
      const bool operator_changes = std::any_of(
          scenario.faults.begin(), scenario.faults.end(),
          [](const FaultStep& step) { return step.comment.starts_with("membership: "); });
      EXPECT_NE(nemesis_changes, operator_changes) << "run " << index << ": one or the other";
      by_nemesis += nemesis_changes;
      scripted += operator_changes;
    } else {
      EXPECT_EQ(scenario.cluster.max_nodes, 0u) << "run " << index;
    }
    none += profiles.describe() == "none";
  }
  // A quarter of the runs without lease reads or Figure 8 (about 17% of all).
  EXPECT_GT(membership, kRuns / 10);
  EXPECT_LT(membership, kRuns / 4);
  EXPECT_GT(by_nemesis, 0u);
  EXPECT_GT(scripted, by_nemesis) << "two thirds are scripted";
  // Each about a quarter of the runs (binomial, n = 400: 100 +- 9 standard deviations of ~9).
  for (std::size_t count : {racing, churn, minority, voter, batches}) {
    EXPECT_GT(count, kRuns / 8);
    EXPECT_LT(count, kRuns * 3 / 8);
  }
  EXPECT_GT(figure_8, kRuns / 12);
  EXPECT_LT(figure_8, kRuns / 4);
  EXPECT_GT(figure_8_on_five, figure_8 / 4) << "about half";
  EXPECT_LT(figure_8_on_five, figure_8 * 3 / 4);
  EXPECT_GT(lease, kRuns / 10);  // a fifth
  EXPECT_LT(lease, kRuns * 3 / 10);
  EXPECT_GT(none, 0u) << "some runs keep the plain swarm";
}

TEST(FuzzProfiles, DoNotDependOnTheInjectedBug) {
  for (std::uint64_t index = 0; index < 20; ++index) {
    Scenario plain = generate_scenario({kCampaignSeed, index});
    Scenario with_bug = generate_scenario({kCampaignSeed, index, Bug::commit_prev_term});
    with_bug.bug = Bug::none;
    EXPECT_EQ(scenario_to_json(plain), scenario_to_json(with_bug)) << "run " << index;
  }
}

}  // namespace
}  // namespace raftsim::sim
