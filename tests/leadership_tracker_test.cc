// The leadership tracker on hand-made samples: leaderless time over every loss, leader changes,
// windows opened at fault steps, and the liveness bound on a live majority without a leader.
#include <gtest/gtest.h>

#include "sim/checkers/leadership.h"

namespace raftsim::sim {
namespace {

using Leader = std::optional<std::pair<NodeIndex, Term>>;

Leader leader(NodeIndex node, Term term) {
  return std::make_pair(node, term);
}

// Samples every millisecond from `from` to `to` (exclusive) with the same observation.
void hold(LeadershipTracker& tracker, Time from, Time to, bool live, Leader who) {
  for (Time now = from; now < to; now += milliseconds(1)) tracker.observe(now, live, who);
}

TEST(LeadershipTracker, CountsEveryLossAfterTheFirstLeaderAndEveryChange) {
  LeadershipTracker tracker(seconds(5));
  hold(tracker, 0, milliseconds(300), true, std::nullopt);  // the first election: not counted
  hold(tracker, milliseconds(300), milliseconds(1000), true, leader(0, 1));
  hold(tracker, milliseconds(1000), milliseconds(1400), true, std::nullopt);   // lost: 400 ms
  hold(tracker, milliseconds(1400), milliseconds(2000), true, leader(1, 2));   // change 1
  hold(tracker, milliseconds(2000), milliseconds(2100), false, std::nullopt);  // lost: 100 ms
  hold(tracker, milliseconds(2100), milliseconds(3000), true, leader(1, 2));   // same leader back
  hold(tracker, milliseconds(3000), milliseconds(3001), true, leader(1, 3));   // change 2: term
  ASSERT_TRUE(tracker.first_leader_at().has_value());
  EXPECT_EQ(*tracker.first_leader_at(), milliseconds(300));
  EXPECT_EQ(tracker.run().leaderless, milliseconds(500));
  EXPECT_EQ(tracker.run().longest_leaderless, milliseconds(400));
  EXPECT_EQ(tracker.run().leader_changes, 2u);
  ASSERT_EQ(tracker.run().change_times.size(), 2u);
  EXPECT_EQ(tracker.run().change_times[0], milliseconds(1400));
  EXPECT_FALSE(tracker.breach().has_value());
}

TEST(LeadershipTracker, ALiveMajorityWithoutALeaderPastTheBoundIsABreach) {
  LeadershipTracker tracker(milliseconds(500));
  hold(tracker, 0, milliseconds(100), true, leader(0, 1));
  // Leaderless for 2 s, but live only in stretches of 400 ms: never past the bound.
  for (Time at = milliseconds(100); at < milliseconds(2100); at += milliseconds(500)) {
    hold(tracker, at, at + milliseconds(400), true, std::nullopt);
    hold(tracker, at + milliseconds(400), at + milliseconds(500), false, std::nullopt);
  }
  EXPECT_FALSE(tracker.breach().has_value());
  EXPECT_EQ(tracker.longest_live_leaderless(), milliseconds(399));
  hold(tracker, milliseconds(2100), milliseconds(2700), true, std::nullopt);
  ASSERT_TRUE(tracker.breach().has_value());
  EXPECT_EQ(tracker.breach()->from, milliseconds(2100));
  EXPECT_EQ(tracker.breach()->at, milliseconds(2601));
}

TEST(LeadershipTracker, ABoundOfZeroNeverBreaches) {
  LeadershipTracker tracker(0);
  hold(tracker, 0, seconds(3), true, std::nullopt);
  EXPECT_FALSE(tracker.breach().has_value());
  EXPECT_FALSE(tracker.first_leader_at().has_value());
  EXPECT_EQ(tracker.run().leaderless, 0);  // no window before the first leader
}

TEST(LeadershipTracker, AWindowCountsFromItsMarkOn) {
  LeadershipTracker tracker(seconds(5));
  hold(tracker, 0, milliseconds(100), true, leader(0, 1));
  hold(tracker, milliseconds(100), milliseconds(250), true, std::nullopt);
  ASSERT_TRUE(tracker.mark(milliseconds(250), 7));
  hold(tracker, milliseconds(250), milliseconds(300), true, std::nullopt);
  hold(tracker, milliseconds(300), milliseconds(400), true, leader(2, 2));  // a change after it
  hold(tracker, milliseconds(400), milliseconds(450), true, std::nullopt);
  hold(tracker, milliseconds(450), milliseconds(460), true, leader(2, 2));
  const LeadershipWindow* window = tracker.window(7);
  ASSERT_NE(window, nullptr);
  EXPECT_EQ(tracker.window(6), nullptr);
  EXPECT_EQ(window->from, milliseconds(250));
  EXPECT_EQ(window->leaderless, milliseconds(100));  // 250..300 and 400..450
  EXPECT_EQ(window->leader_changes, 1u);
  EXPECT_EQ(tracker.run().leaderless, milliseconds(250));
}

TEST(LeadershipBound, DerivedFromTheTiming) {
  ServiceClusterOptions options;
  const Time base = default_stable_leader_bound(options);
  // Ten of the longest election timeouts on the slowest tolerated clock, at least.
  EXPECT_GE(base, 10 * milliseconds(600) * 10 / 7);
  options.raft.election_timeout_ticks_max *= 2;
  EXPECT_GT(default_stable_leader_bound(options), base);
  options = ServiceClusterOptions{};
  options.link.extra_latency = milliseconds(50);
  EXPECT_GT(default_stable_leader_bound(options), base);
  EXPECT_LT(shortest_election_timeout(options), milliseconds(300));
  // Timeouts that hardly spread are not randomised enough to promise a leader: no bound.
  options = ServiceClusterOptions{};
  options.raft.election_timeout_ticks_max = options.raft.election_timeout_ticks_min + 1;
  options.link.latency_max = milliseconds(20);
  EXPECT_EQ(default_stable_leader_bound(options), 0);
}

// Exact against counting: two voters on {0, 1} separate when they differ; three on {0, 1, 2}
// in 15 of the 27 draws (a unique minimum with the others at least one tick later).
TEST(LeadershipBound, SeparationChanceMatchesCounting) {
  EXPECT_DOUBLE_EQ(election_separation_chance(2, 2, 1), 0.5);
  EXPECT_NEAR(election_separation_chance(3, 3, 1), 15.0 / 27.0, 1e-12);
  EXPECT_EQ(election_separation_chance(5, 2, 2), 0.0);  // a gap wider than every draw
  EXPECT_EQ(election_separation_chance(1, 1, 5), 1.0);  // a single voter never splits a vote
  // More voters, a wider gap or fewer values: less often separated.
  EXPECT_LT(election_separation_chance(5, 30, 3), election_separation_chance(3, 30, 3));
  EXPECT_LT(election_separation_chance(5, 30, 4), election_separation_chance(5, 30, 3));
  EXPECT_LT(election_separation_chance(5, 10, 3), election_separation_chance(5, 30, 3));
}

// The timings of a clean campaign's false liveness failures: a one-tick range draws one value
// (timeouts are drawn from [min, max)), and a range a round trip barely exceeds separates
// candidates too rarely for ten elections to be enough.
TEST(LeadershipBound, AsManyElectionsAsRandomisationNeeds) {
  ServiceClusterOptions options;
  options.nodes = 5;
  options.raft.election_timeout_ticks_min = 28;
  options.raft.election_timeout_ticks_max = 29;
  options.link.latency_max = milliseconds(1);
  EXPECT_EQ(default_stable_leader_bound(options), 0);
  options.raft.election_timeout_ticks_max = 32;  // four values, a gap of two ticks
  const Time four_values = default_stable_leader_bound(options);
  options.raft.election_timeout_ticks_max = 60;
  const Time many_values = default_stable_leader_bound(options);
  ASSERT_GT(many_values, 0);
  EXPECT_TRUE(four_values == 0 || four_values > many_values);
  const Time longest = milliseconds(600) * 10 / 7;
  EXPECT_GE(many_values, kStableLeaderBoundTimeouts * longest);
}

}  // namespace
}  // namespace raftsim::sim
