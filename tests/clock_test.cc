// Tests for sim/kernel/clock: skew, drift, jumps, and the inverse mapping timers rely on.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/kernel/clock.h"

namespace raftsim::sim {
namespace {

TEST(Clock, ExactClockFollowsVirtualTime) {
  NodeClock clock;
  EXPECT_EQ(clock.monotonic(seconds(3)), seconds(3));
  EXPECT_EQ(clock.wall(seconds(3)), seconds(3));
}

TEST(Clock, SkewMovesWallNotMonotonic) {
  NodeClock clock(milliseconds(250), 0);
  EXPECT_EQ(clock.wall(seconds(1)), seconds(1) + milliseconds(250));
  EXPECT_EQ(clock.monotonic(seconds(1)), seconds(1));
}

TEST(Clock, DriftRunsFastOrSlow) {
  NodeClock fast(0, 1000);  // +1000 ppm: 1 ms extra per second
  NodeClock slow(0, -1000);
  EXPECT_EQ(fast.monotonic(seconds(10)), seconds(10) + milliseconds(10));
  EXPECT_EQ(slow.monotonic(seconds(10)), seconds(10) - milliseconds(10));
}

TEST(Clock, DriftChangeIsContinuous) {
  NodeClock clock(0, 100'000);  // 10% fast
  const Time before = clock.monotonic(seconds(2));
  clock.set_drift_ppm(seconds(2), -100'000);
  EXPECT_EQ(clock.monotonic(seconds(2)), before);
  EXPECT_EQ(clock.monotonic(seconds(3)), before + milliseconds(900));
}

TEST(Clock, WallJumpsBackwardsButMonotonicDoesNot) {
  NodeClock clock;
  clock.jump_wall(seconds(5), -seconds(4));
  EXPECT_EQ(clock.wall(seconds(5)), seconds(1));
  EXPECT_EQ(clock.monotonic(seconds(5)), seconds(5));
  EXPECT_EQ(clock.wall(seconds(6)), seconds(2));
}

RC_GTEST_PROP(ClockProperty, TimerTimeIsTheEarliestThatReachesTheDeadline, ()) {
  const auto drift =
      *rc::gen::inRange<std::int64_t>(-NodeClock::kDriftPpmMax, NodeClock::kDriftPpmMax + 1);
  const auto anchor = *rc::gen::inRange<Time>(0, seconds(100000));
  const auto later = *rc::gen::inRange<Time>(0, seconds(100));
  const auto local = *rc::gen::inRange<Time>(0, seconds(1000));
  NodeClock clock(0, 0);
  clock.set_drift_ppm(anchor, drift);  // exercises a re-anchored clock
  const Time now = anchor + later;
  const Time deadline = clock.monotonic(now) + local;
  const Time when = clock.virtual_time_when_monotonic_reaches(deadline, now);
  RC_ASSERT(when >= now);
  RC_ASSERT(clock.monotonic(when) >= deadline);
  if (when > now) RC_ASSERT(clock.monotonic(when - 1) < deadline);
}

TEST(Clock, TimerTimeUnderDrift) {
  NodeClock slow(0, -500'000);  // half speed: 10 local ms take 20 virtual ms
  // Within a nanosecond: scaled() rounds toward zero.
  EXPECT_NEAR(slow.virtual_time_when_monotonic_reaches(milliseconds(10), 0), milliseconds(20), 1);
  NodeClock fast(0, 1'000);
  EXPECT_EQ(fast.virtual_time_when_monotonic_reaches(seconds(1) + milliseconds(1), 0), seconds(1));
}

RC_GTEST_PROP(ClockProperty, MonotonicNeverDecreasesAcrossDriftChanges, ()) {
  NodeClock clock;
  Time now = 0;
  Time last = clock.monotonic(0);
  const auto changes =
      *rc::gen::container<std::vector<std::pair<std::int64_t, Time>>>(rc::gen::pair(
          rc::gen::inRange<std::int64_t>(-NodeClock::kDriftPpmMax, NodeClock::kDriftPpmMax + 1),
          rc::gen::inRange<Time>(0, seconds(10))));
  for (auto [drift, step] : changes) {
    clock.set_drift_ppm(now, drift);
    now += step;
    RC_ASSERT(clock.monotonic(now) >= last);
    last = clock.monotonic(now);
  }
}

}  // namespace
}  // namespace raftsim::sim
