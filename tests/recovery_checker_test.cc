// The recovery tracker on hand-made observations: what counts as recovered, which time counts,
// and when a run fails for recovery or for liveness.
#include <gtest/gtest.h>

#include "sim/checkers/recovery.h"

namespace raftsim::sim {
namespace {

ClusterHealth health(bool healthy_majority, std::optional<NodeIndex> leader,
                     std::optional<bool> live_majority = std::nullopt) {
  ClusterHealth result;
  result.healthy_majority = healthy_majority;
  result.live_majority = live_majority.value_or(healthy_majority);
  result.stable_leader = leader;
  return result;
}

void succeed_at(History& history, Time at) {
  RecordedOperation operation;
  operation.op = "get";
  operation.key = "k";
  operation.invoke_time = at - 1;
  auto id = history.begin(operation);
  history.end(*id, OperationStatus::ok, at, "");
}

TEST(RecoveryTracker, RecoversWhenALeaderExistsAndAnOperationSucceedsAfterIt) {
  History history;
  RecoveryTracker tracker(true, milliseconds(500), seconds(5));
  tracker.on_event(milliseconds(100), "crash n0 (leader)");
  tracker.observe(milliseconds(100), health(true, std::nullopt), history);
  succeed_at(history, milliseconds(150));  // before any new leader: proves nothing
  tracker.observe(milliseconds(200), health(true, std::nullopt), history);
  tracker.observe(milliseconds(300), health(true, 1), history);
  EXPECT_FALSE(tracker.all_recovered());
  succeed_at(history, milliseconds(320));
  tracker.observe(milliseconds(330), health(true, 1), history);
  ASSERT_TRUE(tracker.all_recovered());
  const RecoveryMeasurement& measurement = tracker.measurements()[0];
  EXPECT_EQ(*measurement.leader_at, milliseconds(300));
  EXPECT_EQ(*measurement.commit_at, milliseconds(320));
  EXPECT_EQ(measurement.recovery_time(), milliseconds(230));
  EXPECT_FALSE(tracker.verdict().recovery_failure);
  EXPECT_FALSE(tracker.verdict().liveness_failure);
}

TEST(RecoveryTracker, TimeWithoutAHealthyMajorityDoesNotCount) {
  History history;
  RecoveryTracker tracker(false, milliseconds(500), seconds(5));
  tracker.on_event(0, "partition [n0,n1] [n2,n3] [n4]");
  tracker.observe(0, health(false, std::nullopt), history);
  tracker.observe(seconds(10), health(false, std::nullopt), history);  // no majority anywhere
  tracker.observe(seconds(10) + milliseconds(100), health(true, std::nullopt), history);
  tracker.observe(seconds(10) + milliseconds(300), health(true, 2), history);
  ASSERT_TRUE(tracker.all_recovered());
  EXPECT_EQ(tracker.measurements()[0].recovery_time(), milliseconds(200));
  EXPECT_FALSE(tracker.verdict().recovery_failure);
}

TEST(RecoveryTracker, SlowRecoveryFailsTheBound) {
  History history;
  RecoveryTracker tracker(false, milliseconds(500), seconds(5));
  tracker.on_event(0, "isolate n0 (leader)");
  for (Time t = 0; t <= milliseconds(800); t += milliseconds(100)) {
    tracker.observe(t, health(true, std::nullopt), history);
  }
  tracker.observe(milliseconds(900), health(true, 3), history);
  const RecoveryVerdict verdict = tracker.verdict();
  ASSERT_TRUE(verdict.recovery_failure.has_value());
  EXPECT_NE(verdict.recovery_failure->find("isolate n0"), std::string::npos);
  EXPECT_EQ(verdict.failure_at, milliseconds(600));
}

TEST(RecoveryTracker, NeverRecoveringWithAHealthyMajorityIsALivenessFailure) {
  History history;
  RecoveryTracker tracker(true, std::nullopt, seconds(2));
  tracker.on_event(0, "heal");
  for (Time t = 0; t <= seconds(3); t += milliseconds(100)) {
    tracker.observe(t, health(true, 1), history);  // a leader, but nothing ever succeeds
  }
  const RecoveryVerdict verdict = tracker.verdict();
  ASSERT_TRUE(verdict.liveness_failure.has_value());
  EXPECT_NE(verdict.liveness_failure->find("no client operation succeeded"), std::string::npos);
  EXPECT_FALSE(verdict.recovery_failure);
}

// Healthy (running and connected) but not live (e.g. a removed server disrupting voters that
// run without PreVote and CheckQuorum): Raft promises no leader, so no liveness failure.
TEST(RecoveryTracker, OnlyLiveMajorityTimeCountsTowardsTheLivenessTimeout) {
  History history;
  RecoveryTracker tracker(true, std::nullopt, seconds(2));
  tracker.on_event(0, "heal");
  for (Time t = 0; t <= seconds(3); t += milliseconds(100)) {
    tracker.observe(t, health(true, std::nullopt, false), history);
  }
  EXPECT_FALSE(tracker.verdict().liveness_failure.has_value());
  RecoveryTracker live(true, std::nullopt, seconds(2));
  live.on_event(0, "heal");
  for (Time t = 0; t <= seconds(3); t += milliseconds(100)) {
    live.observe(t, health(true, std::nullopt, true), history);
  }
  EXPECT_TRUE(live.verdict().liveness_failure.has_value());
}

TEST(RecoveryTracker, PercentilesUseNearestRank) {
  const std::vector<Time> times = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(RecoveryTracker::percentile(times, 50), 5);
  EXPECT_EQ(RecoveryTracker::percentile(times, 99), 10);
  EXPECT_EQ(RecoveryTracker::percentile(times, 0), 1);
  EXPECT_EQ(RecoveryTracker::percentile({}, 50), 0);
}

AdminOperation change_at(Time requested, std::optional<Time> answered, AdminOutcome outcome) {
  AdminOperation operation;
  operation.request.change.type = ConfChangeType::promote;
  operation.request.change.node = 3;
  operation.requested_at = requested;
  operation.answered_at = answered;
  operation.outcome = outcome;
  return operation;
}

// A change's unavailability: request to commit, to the first write after it, and the longest
// stretch without a write in between (a write before the request does not shorten it).
TEST(ChangeUnavailability, MeasuresTheLongestGapWithoutWrites) {
  const std::vector<Time> writes = {90, 105, 110, 150, 152, 200};
  const auto changes = measure_changes(
      {change_at(100, 140, AdminOutcome::ok), change_at(160, std::nullopt, AdminOutcome::gave_up)},
      writes);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].change, "promote n3");
  EXPECT_EQ(changes[0].writes_again_at, std::optional<Time>(150));
  EXPECT_EQ(changes[0].write_gap, 40);  // 110 -> 150
  EXPECT_FALSE(changes[1].writes_again_at.has_value());
  EXPECT_EQ(changes[1].write_gap, 40);  // 160 -> 200, to the last write seen
}

}  // namespace
}  // namespace raftsim::sim
