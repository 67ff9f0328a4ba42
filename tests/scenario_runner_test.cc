// The scenario runner's fault engine: roles resolve once per step and at the moment the step
// fires, names bound with "as" follow the node, the nemesis keeps to its kinds and budgets, and a
// broken cluster is reported by the checker that should catch it.
#include <gtest/gtest.h>

#include <set>

#include "sim/scenario/checks/checker.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"
#include "tests/scenario_text.h"

namespace raftsim::sim {
namespace {

std::vector<const AppliedFault*> applied_from_schedule(const ScenarioRunReport& report) {
  std::vector<const AppliedFault*> out;
  for (const AppliedFault& applied : report.timeline) {
    if (applied.origin.rfind("faults/", 0) == 0) out.push_back(&applied);
  }
  return out;
}

TEST(ScenarioRunner, RolesInAPartitionResolveOnceAndOthersTakesTheRest) {
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "p", "duration_ms": 3000,
    "faults": [{"at_ms": 1500, "action": "partition", "groups": [["leader", "follower"], ["others"]]}]})");
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const ScenarioRunReport report = run_scenario(scenario, seed);
    auto applied = applied_from_schedule(report);
    ASSERT_EQ(applied.size(), 1u);
    ASSERT_FALSE(applied[0]->skipped) << applied[0]->note;
    const auto& groups = applied[0]->step.as<PartitionFault>()->groups;
    ASSERT_EQ(groups.size(), 2u) << "seed " << seed << ": " << applied[0]->note;
    EXPECT_EQ(groups[0].size(), 2u);
    EXPECT_EQ(groups[1].size(), 3u);
    std::set<Selector> all(groups[0].begin(), groups[0].end());
    all.insert(groups[1].begin(), groups[1].end());
    EXPECT_EQ(all.size(), 5u) << "every node in exactly one group";
    EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
  }
}

TEST(ScenarioRunner, BoundNamesFollowTheNodeAndRestartBringsItBack) {
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "b", "duration_ms": 5000,
    "faults": [{"at_ms": 1500, "action": "crash", "target": "leader", "as": "old"},
               {"at_ms": 3000, "action": "restart", "target": "old"}]})");
  const ScenarioRunReport report = run_scenario(scenario, 3);
  auto applied = applied_from_schedule(report);
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(*fault_target(applied[0]->step.fault), *fault_target(applied[1]->step.fault));
  EXPECT_NE(applied[0]->note.find("(leader)"), std::string::npos);
  EXPECT_TRUE(report.expectation_met);
  ASSERT_GE(report.recovery.size(), 2u);
  EXPECT_TRUE(report.recovery[0].recovered_at.has_value());
  EXPECT_TRUE(report.recovery[0].leader_at.has_value());
  EXPECT_GT(*report.recovery[0].leader_at, report.recovery[0].at) << "the leader itself crashed";
}

// The cut-off leader still believes it leads; "new-leader" waits for the majority's election
// instead, and with "leading_ms" until that leader has led that long.
TEST(ScenarioRunner, NewLeaderWaitsForTheNextElectionAndItsLeadingTime) {
  const std::string cut = R"({"version": 1, "name": "nl", "duration_ms": 3000,
    "cluster": {"nodes": 3},
    "faults": [{"at_ms": 1000, "action": "isolate", "target": "leader", "as": "old"},
               {"at_ms": 1001, "action": "crash", "target": "new-leader")";
  const Scenario at_once = scenario_from(cut + "}]}");
  const Scenario later = scenario_from(cut + R"(, "leading_ms": 50}]})");
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const ScenarioRunReport first = run_scenario(at_once, seed);
    const ScenarioRunReport second = run_scenario(later, seed);
    auto applied_first = applied_from_schedule(first);
    auto applied_second = applied_from_schedule(second);
    ASSERT_EQ(applied_first.size(), 2u);
    ASSERT_EQ(applied_second.size(), 2u);
    for (const auto* applied : {applied_first[1], applied_second[1]}) {
      ASSERT_FALSE(applied->skipped) << "seed " << seed << ": " << applied->note;
      EXPECT_NE(*fault_target(applied->step.fault), *fault_target(applied_first[0]->step.fault))
          << "seed " << seed << ": not the leader that was cut off";
      EXPECT_NE(applied->note.find("(new-leader)"), std::string::npos) << applied->note;
    }
    // Up to the crash both runs are the same run: the same leader, crashed 50 ms later (the
    // runner looks every millisecond).
    EXPECT_EQ(*fault_target(applied_first[1]->step.fault),
              *fault_target(applied_second[1]->step.fault));
    const Time waited = applied_second[1]->step.at - applied_first[1]->step.at;
    EXPECT_GE(waited, milliseconds(49)) << "seed " << seed;
    EXPECT_LE(waited, milliseconds(51)) << "seed " << seed;
    EXPECT_GT(applied_first[1]->step.at, applied_first[0]->step.at + milliseconds(100))
        << "an election takes an election timeout";
    EXPECT_EQ(first.trace_hash, run_scenario(at_once, seed).trace_hash);
  }
}

TEST(ScenarioRunner, NemesisKeepsToItsKindsAndBudgets) {
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "n", "duration_ms": 8000,
    "nemesis": {"kinds": ["crash", "pause"], "interval_ms": [50, 100], "hold_ms": [50, 100],
                "budgets": {"crash": 2}, "faults_max": 6}})");
  const ScenarioRunReport report = run_scenario(scenario, 5);
  int crashes = 0, pauses = 0, others = 0;
  for (const AppliedFault& applied : report.timeline) {
    if (applied.origin != "nemesis") continue;
    if (applied.step.is<CrashFault>())
      ++crashes;
    else if (applied.step.is<PauseFault>())
      ++pauses;
    else if (!applied.step.is<RestartFault>() && !applied.step.is<ResumeFault>())
      ++others;
  }
  EXPECT_EQ(crashes, 2);
  EXPECT_EQ(pauses, 4);
  EXPECT_EQ(others, 0);
  EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
}

TEST(ScenarioRunner, NoHealthyMajorityIsNotBlamedAndTheFinalRecoveryHeals) {
  // Three of five nodes crash and stay down until the final recovery: no healthy majority, so
  // no recovery or liveness blame; the final recovery brings them back and the cluster recovers.
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "m", "duration_ms": 6000,
    "checks": {"recovery_ms_max": 3000, "liveness_timeout_ms": 2000},
    "faults": [{"at_ms": 1000, "action": "crash", "target": "n0"},
               {"at_ms": 1000, "action": "crash", "target": "n1"},
               {"at_ms": 1000, "action": "crash", "target": "n2"}]})");
  const ScenarioRunReport report = run_scenario(scenario, 2);
  EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
  EXPECT_EQ(report.verdict, RunVerdict::pass);
}

TEST(ScenarioRunner, AnUnmetRecoveryBoundFails) {
  // A 1 ms bound cannot be met by any election: the recovery checker must say so.
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "r", "duration_ms": 4000,
    "checks": {"recovery_ms_max": 1},
    "faults": [{"at_ms": 1500, "action": "crash", "target": "leader"}],
    "expect": {"verdict": "fail", "checker": "recovery"}})");
  const ScenarioRunReport report = run_scenario(scenario, 1);
  EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
  ASSERT_NE(report.first_failure(), nullptr);
  EXPECT_EQ(report.first_failure()->checker, "recovery");
  EXPECT_EQ(report.exit_code(), 0);
}

// A linearizability search that runs out says which budget ran out and which field raises it
// (a memory exhaustion used to advise raising the step limit).
TEST(ScenarioRunner, ALinearizabilityBudgetThatRunsOutNamesItselfAndItsKnob) {
  auto linearizability = [](const ScenarioRunReport& report) {
    for (const CheckerFinding& finding : report.findings) {
      if (finding.checker == "linearizability") return finding;
    }
    return CheckerFinding{};
  };
  const Scenario steps = scenario_from(R"({"version": 1, "name": "s", "duration_ms": 3000,
    "checks": {"linearizability_steps_max": 1}})");
  const ScenarioRunReport few_steps = run_scenario(steps, 1);
  EXPECT_EQ(linearizability(few_steps).status, CheckStatus::unknown);
  EXPECT_NE(linearizability(few_steps).summary.find(
                "step budget (1 steps); raise checks.linearizability_steps_max"),
            std::string::npos)
      << linearizability(few_steps).summary;
  EXPECT_EQ(run_scenario(steps, 1).trace_hash, few_steps.trace_hash);
  const Scenario memory = scenario_from(R"({"version": 1, "name": "m", "duration_ms": 20000,
    "checks": {"linearizability_memory_mb": 1}})");
  const ScenarioRunReport little_memory = run_scenario(memory, 1);
  EXPECT_EQ(linearizability(little_memory).status, CheckStatus::unknown);
  EXPECT_NE(linearizability(little_memory)
                .summary.find("memory budget (1 MiB); raise checks.linearizability_memory_mb"),
            std::string::npos)
      << linearizability(little_memory).summary;
  EXPECT_EQ(run_scenario(memory, 1).trace_hash, little_memory.trace_hash);
}

TEST(ScenarioRunner, AStepNamingAMissingRoleIsSkippedAndReported) {
  // A single-node cluster has no followers.
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "s", "duration_ms": 3000,
    "cluster": {"nodes": 1}, "workload": {"clients": 1},
    "faults": [{"at_ms": 1000, "action": "crash", "target": "follower"}]})");
  const ScenarioRunReport report = run_scenario(scenario, 1);
  auto applied = applied_from_schedule(report);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_TRUE(applied[0]->skipped);
  EXPECT_NE(applied[0]->note.find("follower"), std::string::npos);
}

// Found by a clean campaign (fuzz --seed 2, run 1440, shrunk): n0 appended the removal of n1
// (uncommitted) and crashed, n2 was wiped, and at the final recovery n0 and n1 run. n1 holds the
// highest term but the old configuration; n0 holds the newer log, whose configuration needs the
// wiped n2. No leader can be elected, so no live majority exists: judging by the highest term
// counted n0 and n1 as a majority of the old configuration and failed liveness falsely. The
// configuration to judge is that of the freshest log (the one an election would pick).
TEST(ScenarioRunner, LivenessJudgesTheConfigurationOfTheFreshestLog) {
  const Scenario scenario = scenario_from(
      R"({"version": 1, "name": "judged-by-the-freshest-log", "seed": 5541374159616410643,
    "duration_ms": 2355.729428, "settle_ms_max": 37231.999976, "events_max": 42000000,
    "cluster": {"nodes": 3, "tick_ms": 10.0, "election_timeout_ticks": [29, 58],
    "heartbeat_ticks": 4, "pre_vote": true, "check_quorum": false, "lease_read": false,
    "entries_per_message_max": 3, "inflight_messages_max": 3, "snapshot_every_entries": 6,
    "snapshot_chunk_bytes": 1024, "entries_kept_after_snapshot": 0, "max_nodes": 5},
    "network": {"latency_ms": [1.0, 19.0]}, "disk": {"sync_ms": [1.0, 16.0]},
    "workload": {"type": "queue", "clients": 1, "producers": 1, "workers": 4,
    "jobs_per_producer": 1, "keyed_percent": 50, "resend_percent": 5, "priorities": 3,
    "max_attempts": 4, "max_attempts_min": 1, "delayed_percent": 47, "delay_ms": [68.0, 140.0],
    "lease_ms": 463.0, "work_ms": [5.0, 215.0], "fail_percent": 5, "abandon_percent": 1,
    "stall_percent": 2, "poll_ms": 20.0, "think_ms": 9.0, "request_timeout_ms": 100.0,
    "operation_timeout_ms": 3000.0, "retry_backoff_ms": 20.0, "attempts_max": 100},
    "faults": [{"at_ms": 467.0, "action": "remove_node", "target": "n1"}, {"at_ms": 516.0,
    "action": "crash", "target": "n0"}, {"at_ms": 619.500796, "action": "restart",
    "target": "n0"}, {"at_ms": 995.729428, "action": "crash", "target": "n0"},
    {"at_ms": 1191.37887, "action": "crash", "target": "n2"}, {"at_ms": 1595.352236,
    "action": "restart", "target": "n2"}, {"at_ms": 1855.729428, "action": "crash",
    "target": "n1"}, {"at_ms": 1855.729428, "action": "wipe", "target": "n2"}],
    "checks": {"liveness_timeout_ms": 35231.999976, "stable_leader_ms_max": 35231.999976}})");
  const ScenarioRunReport report = run_scenario(scenario, scenario.seed);
  bool judged = false;
  for (const CheckerFinding& finding : report.findings) {
    if (finding.checker != "liveness") continue;
    judged = true;
    EXPECT_EQ(finding.status, CheckStatus::pass) << finding.summary;
  }
  EXPECT_TRUE(judged);
  EXPECT_NE(report.verdict, RunVerdict::fail);
  EXPECT_EQ(report.trace_hash, run_scenario(scenario, scenario.seed).trace_hash);
}

// Which scenarios excuse a node that stops on corrupt storage: only those that may damage a disk.
// Torn unsynced writes and slow fsyncs never excuse it (a WAL that calls a torn tail corruption
// is wrong), nor does the nemesis' disk kind (it only tears writes).
TEST(RecoveryCheck, OnlyDamagingFaultsExcuseAStoppedNode) {
  auto with = [](const std::string& rest) {
    return scenario_from(R"({"version": 1, "name": "d", "duration_ms": 1000)" + rest + "}");
  };
  auto disk_step = [&](const std::string& fields) {
    return with(R"(, "faults": [{"at_ms": 10, "action": "disk", "target": "n0", )" + fields + "}]");
  };
  EXPECT_FALSE(disks_may_be_damaged(with("")));
  EXPECT_FALSE(disks_may_be_damaged(disk_step(R"("fault": "torn_writes", "percent": 100)")));
  EXPECT_FALSE(disks_may_be_damaged(disk_step(R"("fault": "slow_sync", "sync_ms": [5, 9])")));
  EXPECT_FALSE(disks_may_be_damaged(with(R"(, "disk": {"torn_write_percent": 100})")));
  EXPECT_FALSE(disks_may_be_damaged(with(R"(, "nemesis": {"kinds": ["disk", "crash"]})")));
  EXPECT_TRUE(disks_may_be_damaged(disk_step(R"("fault": "corrupt")")));
  EXPECT_TRUE(disks_may_be_damaged(disk_step(R"("fault": "full")")));
  EXPECT_TRUE(disks_may_be_damaged(with(R"(, "disk": {"capacity_bytes": 100000})")));
  EXPECT_TRUE(disks_may_be_damaged(
      with(R"(, "faults": [{"at_ms": 10, "action": "wipe", "target": "n0"}])")));
  EXPECT_TRUE(disks_may_be_damaged(with(R"(, "nemesis": {"kinds": ["membership"]})")));
}

}  // namespace
}  // namespace raftsim::sim
