// The stages of a scenario run, each on its own: selector resolution, fault application, step
// scheduling and the nemesis on a small running cluster (scenario_stage_fixture.h); the
// end-of-run checkers and report building on hand-made inputs. scenario_runner_test.cc runs
// them together.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "scenario_stage_fixture.h"
#include "sim/scenario/checks/checker.h"
#include "sim/scenario/faults/fault_context.h"
#include "sim/scenario/nemesis_driver.h"
#include "sim/scenario/report.h"
#include "sim/scenario/step_schedule.h"

namespace raftsim::sim {
namespace {

// --- selector resolution ------------------------------------------------------------------------

TEST(SelectorResolver, RolesResolveOnceAStepAndOthersTakesTheRest) {
  StageFixture fixture;
  SelectorResolver& selectors = *fixture.selectors;
  selectors.begin_step();
  const auto follower = selectors.resolve("follower", {});
  ASSERT_EQ(follower.size(), 1u);
  EXPECT_NE(follower[0], *fixture.leader);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(selectors.resolve("follower", {}), follower);
  const std::vector<Selector> named = {"leader", "follower"};
  const auto others = selectors.unnamed({&named});
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(std::set<NodeIndex>({*fixture.leader, follower[0], others[0]}).size(), 3u);
  EXPECT_EQ(selectors.resolve("others", others), others);
  EXPECT_EQ(selectors.resolve_list({"leader", "n0", "leader"}, {}).size(),
            *fixture.leader == 0 ? 1u : 2u);
}

TEST(SelectorResolver, BoundNamesAndProcessStatesFollowTheNodes) {
  StageFixture fixture;
  SelectorResolver& selectors = *fixture.selectors;
  selectors.bind("old", 2);
  selectors.begin_step();
  EXPECT_EQ(selectors.resolve("old", {}), std::vector<NodeIndex>{2});
  EXPECT_TRUE(selectors.resolve("down", {}).empty());
  fixture.cluster->world().crash(1);
  selectors.begin_step();
  EXPECT_EQ(selectors.resolve("down", {}), std::vector<NodeIndex>{1});
  EXPECT_EQ(selectors.resolve("all", {}).size(), 3u);
}

// --- fault application --------------------------------------------------------------------------

TEST(FaultApplier, RecordsTheConcreteStepAndBindsItsName) {
  StageFixture fixture;
  fixture.applier->apply(fixture.step(CrashFault{"leader"}, "old"), "faults/0");
  ASSERT_EQ(fixture.applier->timeline().size(), 1u);
  const AppliedFault& applied = fixture.applier->timeline()[0];
  EXPECT_FALSE(applied.skipped);
  EXPECT_EQ(applied.origin, "faults/0");
  EXPECT_EQ(applied.step.as<CrashFault>()->target, node_name(*fixture.leader));
  EXPECT_TRUE(applied.step.bind_as.empty()) << "a concrete step binds nothing";
  EXPECT_EQ(applied.note, "crash " + node_name(*fixture.leader) + " (leader)");
  EXPECT_EQ(fixture.cluster->world().host(*fixture.leader).state(), HostState::down);
  fixture.applier->apply(fixture.step(RestartFault{"old"}), "faults/1");
  EXPECT_EQ(fixture.cluster->world().host(*fixture.leader).state(), HostState::running);
}

TEST(FaultApplier, SeveralTargetsBecomeOneConcreteStepEach) {
  StageFixture fixture;
  fixture.applier->apply(fixture.step(PauseFault{"followers"}), "faults/0");
  ASSERT_EQ(fixture.applier->timeline().size(), 2u);
  for (const AppliedFault& applied : fixture.applier->timeline()) {
    const Selector& target = applied.step.as<PauseFault>()->target;
    EXPECT_NE(target, node_name(*fixture.leader));
    EXPECT_EQ(target.size(), 2u) << "a node name: " << target;
  }
}

TEST(FaultApplier, AStepThatHitsNothingIsKeptAsSkipped) {
  StageFixture fixture;
  fixture.applier->apply(fixture.step(ResumeFault{"paused"}), "faults/0");
  ASSERT_EQ(fixture.applier->timeline().size(), 1u);
  EXPECT_TRUE(fixture.applier->timeline()[0].skipped);
  EXPECT_EQ(fixture.applier->timeline()[0].note, "no node matches \"paused\"");
}

TEST(FaultApplier, DiskFaultsChangeTheSettingsAndRecoverAllRestoresThem) {
  StageFixture fixture;
  DiskFault slow;
  slow.target = "n1";
  slow.kind = DiskFault::Kind::slow_sync;
  slow.sync_min = milliseconds(5);
  slow.sync_max = milliseconds(9);
  fixture.applier->apply(fixture.step(slow), "faults/0");
  EXPECT_EQ(fixture.applier->disk_configs()[1].sync_latency_max, milliseconds(9));
  fixture.applier->apply(fixture.step(RecoverAllFault{}), "final recovery");
  EXPECT_EQ(fixture.applier->disk_configs()[1].sync_latency_max,
            fixture.options.disk.sync_latency_max);
}

// --- step scheduling ----------------------------------------------------------------------------

TEST(StepSchedule, AStepForAMissingLeaderWaitsThenIsSkippedAndLaterStepsWaitBehindIt) {
  StageFixture fixture;
  ServiceCluster& cluster = *fixture.cluster;
  fixture.selectors->end_step();  // the leader now is not new; the cluster does not run on
  std::vector<FaultStep> steps = {fixture.step(CrashFault{"new-leader"}),
                                  fixture.step(HealFault{})};
  const Time start = cluster.world().now();
  for (FaultStep& step : steps) step.at = start;
  StepSchedule schedule(steps);
  EXPECT_EQ(schedule.next(), start);
  schedule.fire_due(start, *fixture.selectors, *fixture.applier);
  EXPECT_TRUE(fixture.applier->timeline().empty()) << "it waits";
  EXPECT_EQ(schedule.next(), start + StepSchedule::kNewLeaderRetryPeriod);
  const Time late = start + StepSchedule::kRoleWaitMax;
  schedule.fire_due(late, *fixture.selectors, *fixture.applier);
  ASSERT_EQ(fixture.applier->timeline().size(), 2u);
  EXPECT_TRUE(fixture.applier->timeline()[0].skipped);
  EXPECT_EQ(fixture.applier->timeline()[0].note, "no leader for 3000 ms");
  EXPECT_FALSE(fixture.applier->timeline()[1].skipped);
  EXPECT_EQ(schedule.next(), kTimeNever);
}

// --- the nemesis --------------------------------------------------------------------------------

TEST(NemesisDriver, InjectsWithinItsKindsAndBudgetsAndUndoesEachFault) {
  StageFixture fixture;
  Nemesis nemesis;
  nemesis.kinds = {NemesisKind::of<CrashFault>(), NemesisKind::of<PauseFault>()};
  nemesis.kind_budgets.assign(kNemesisKinds, UINT32_MAX);
  nemesis.kind_budgets[NemesisKind::of<CrashFault>().index] = 1;
  nemesis.start = fixture.cluster->world().now();
  nemesis.stop = kTimeNever;
  nemesis.faults_max = 3;
  Random random = Random::stream(7, "scenario/nemesis");
  NemesisDriver driver(nemesis, random, *fixture.cluster, *fixture.selectors, fixture.options);
  for (int round = 0; round < 10 && driver.next() != kTimeNever; ++round) {
    driver.fire(driver.next(), *fixture.applier);
  }
  EXPECT_EQ(driver.next(), kTimeNever);
  std::map<std::string, int> counts;
  for (const AppliedFault& applied : fixture.applier->timeline()) {
    EXPECT_EQ(applied.origin, "nemesis");
    ++counts[std::string(fault_name(applied.step.fault))];
  }
  EXPECT_LE(counts["crash"], 1) << "its budget";
  EXPECT_EQ(counts["crash"] + counts["pause"], 3) << "faults_max";
  EXPECT_EQ(counts["restart"], counts["crash"]);
  EXPECT_EQ(counts["resume"], counts["pause"]);
}

// --- checkers and the report --------------------------------------------------------------------

TEST(Checkers, EveryCheckerNamesItsFindingsInReportOrder) {
  std::vector<std::string> names;
  for (const auto& checker : end_of_run_checkers()) {
    for (const std::string& name : checker->names()) names.push_back(name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"durability", "linearizability", "queue", "recovery",
                                             "liveness"}));
  for (const CheckerFinding& finding : budget_skipped_findings(end_of_run_checkers())) {
    EXPECT_EQ(finding.status, CheckStatus::skipped);
  }
}

TEST(Checkers, KvCheckersSkipAQueueRunAndTheQueueCheckerAKvRun) {
  StageFixture fixture;
  Scenario scenario;
  scenario.cluster = fixture.options;
  const std::optional<Violation> none;
  RunEnd run{scenario,        *fixture.cluster,   none, fixture.leader,
             fixture.tracker, fixture.leadership, 1,    0};
  auto queue = make_queue_semantics_checker()->check(run);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].status, CheckStatus::skipped);
  EXPECT_EQ(queue[0].summary, "queue workloads only");
  scenario.cluster.workload_type = ServiceClusterOptions::Workload::queue;
  auto durability = make_durability_checker()->check(run);
  EXPECT_EQ(durability[0].status, CheckStatus::skipped);
  auto linearizability = make_linearizability_checker()->check(run);
  EXPECT_EQ(linearizability[0].summary, "KV workloads only");
}

TEST(Checkers, RecoveryAndLivenessFromTheTrackerAndTheTermBound) {
  StageFixture fixture;
  Scenario scenario;
  scenario.cluster = fixture.options;
  scenario.checks.term_max = 3;
  const std::optional<Violation> none;
  RunEnd run{scenario,        *fixture.cluster,   none, fixture.leader,
             fixture.tracker, fixture.leadership, 5,    seconds(2)};
  auto findings = make_recovery_checker()->check(run);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].status, CheckStatus::pass);
  EXPECT_EQ(findings[1].status, CheckStatus::fail);
  EXPECT_EQ(findings[1].at, seconds(2));
  scenario.checks.recovery = false;
  EXPECT_EQ(make_recovery_checker()->check(run)[1].status, CheckStatus::skipped);
}

// The live majority the liveness bound needs: crashed nodes, clocks beyond the cores' drift
// tolerance and links too slow for the election timeout each take a node out of it.
TEST(ClusterHealth, ALiveMajorityNeedsRunningNodesSaneClocksAndFastLinks) {
  StageFixture fixture;
  ServiceCluster& cluster = *fixture.cluster;
  World& world = cluster.world();
  ASSERT_TRUE(observe_health(cluster).live_majority);
  ASSERT_TRUE(observe_health(cluster).stable_leader.has_value());
  EXPECT_GT(observe_health(cluster).stable_leader_term, 0u);
  const NodeIndex a = (*fixture.leader + 1) % 3, b = (*fixture.leader + 2) % 3;
  // One node's clock far beyond the tolerated drift: two sane nodes still make a majority.
  world.set_clock_drift(a, -400'000);
  EXPECT_TRUE(observe_health(cluster).live_majority);
  // A slow link between the other two: no majority of fast-linked sane nodes is left.
  LinkConfig slow = fixture.options.link;
  slow.extra_latency = shortest_election_timeout(fixture.options);
  ASSERT_TRUE(world.network().set_link(b, *fixture.leader, slow).ok());
  const ClusterHealth health = observe_health(cluster);
  EXPECT_FALSE(health.live_majority);
  EXPECT_TRUE(health.healthy_majority);  // the recovery checker's weaker test still holds
  world.set_clock_drift(a, 0);
  EXPECT_TRUE(observe_health(cluster).live_majority);  // a with either of the others
}

TEST(Report, TheVerdictIsFailThenBudgetThenUnknownThenPass) {
  ScenarioRunReport report;
  report.findings = {safety_finding(std::nullopt), finding_named("durability")};
  judge(Expectation{}, report);
  EXPECT_EQ(report.verdict, RunVerdict::pass);
  EXPECT_TRUE(report.expectation_met);
  report.findings[1].status = CheckStatus::unknown;
  judge(Expectation{}, report);
  EXPECT_EQ(report.verdict, RunVerdict::unknown);
  EXPECT_EQ(report.exit_code(), 4);
  report.budget_exceeded = "events_max: 10 events run";
  judge(Expectation{}, report);
  EXPECT_EQ(report.verdict, RunVerdict::budget_exceeded);
  report.findings[1].status = CheckStatus::fail;
  judge(Expectation{false, "durability"}, report);
  EXPECT_EQ(report.verdict, RunVerdict::fail);
  EXPECT_TRUE(report.expectation_met) << "the expected checker failed";
  EXPECT_EQ(report.to_json()["verdict"], "fail");
  for (RunVerdict verdict :
       {RunVerdict::pass, RunVerdict::fail, RunVerdict::unknown, RunVerdict::budget_exceeded}) {
    EXPECT_FALSE(std::string(run_verdict_name(verdict)).empty());
  }
  EXPECT_STREQ(run_verdict_name(RunVerdict::budget_exceeded), "budget_exceeded");
}

TEST(Report, SafetyFindingCarriesTheViolation) {
  const Violation violation{42, milliseconds(7), "election_safety", {1, 2}, "two leaders"};
  const CheckerFinding finding = safety_finding(violation);
  EXPECT_EQ(finding.status, CheckStatus::fail);
  EXPECT_EQ(finding.summary, "election_safety: two leaders");
  EXPECT_EQ(finding.at, milliseconds(7));
  EXPECT_EQ(finding.nodes, (std::vector<NodeIndex>{1, 2}));
}

}  // namespace
}  // namespace raftsim::sim
