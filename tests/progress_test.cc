// Progress and its in-flight window (raft/tracker/progress.h): the flow-control states a leader
// keeps per follower -- probe (one append outstanding), replicate (a pipelined window), snapshot
// -- and the ring of in-flight appends an acknowledgement frees.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>

#include "raft/tracker/progress.h"

namespace raftsim {
namespace {

TEST(Inflights, FillsToCapacityAndFreesUpToAnAcknowledgement) {
  Inflights inflights(3);
  EXPECT_FALSE(inflights.full());
  inflights.add(5);
  inflights.add(7);
  inflights.add(9);
  EXPECT_TRUE(inflights.full());
  EXPECT_EQ(inflights.at(0), 5u);
  EXPECT_EQ(inflights.at(2), 9u);
  inflights.free_up_to(7);  // frees the appends that carried nothing beyond 7
  EXPECT_EQ(inflights.count(), 1u);
  EXPECT_EQ(inflights.at(0), 9u);
  inflights.add(11);  // wraps around the ring
  inflights.add(12);
  EXPECT_TRUE(inflights.full());
  EXPECT_EQ(inflights.at(2), 12u);
  inflights.clear();
  EXPECT_EQ(inflights.count(), 0u);
}

// A model: the window as a queue of last indexes, freed from the front.
RC_GTEST_PROP(Inflights, BehavesLikeABoundedQueue, ()) {
  const auto capacity = *rc::gen::inRange<std::uint32_t>(1, 8);
  Inflights inflights(capacity);
  std::deque<Index> model;
  Index next = 1;
  for (int step = 0; step < 60; ++step) {
    if (*rc::gen::inRange(0, 3) != 0 && model.size() < capacity) {
      next += *rc::gen::inRange<Index>(0, 4);
      inflights.add(next);
      model.push_back(next);
    } else {
      const Index acknowledged = next - *rc::gen::inRange<Index>(0, 5);
      inflights.free_up_to(acknowledged);
      while (!model.empty() && model.front() <= acknowledged) model.pop_front();
    }
    RC_ASSERT(inflights.count() == model.size());
    RC_ASSERT(inflights.full() == (model.size() == capacity));
    for (std::uint32_t i = 0; i < model.size(); ++i) RC_ASSERT(inflights.at(i) == model[i]);
  }
}

TEST(Progress, ProbePausesAfterOneAppendUntilAnswered) {
  Progress progress;
  progress.match = 3;
  progress.next = 4;
  EXPECT_FALSE(progress.paused());
  progress.probe_sent = true;
  EXPECT_TRUE(progress.paused());
  progress.become_probe();
  EXPECT_FALSE(progress.paused());
  EXPECT_EQ(progress.next, 4u);
}

TEST(Progress, ReplicatePausesOnlyWhenTheWindowIsFull) {
  Progress progress;
  progress.inflights = Inflights(2);
  progress.match = 10;
  progress.become_replicate();
  EXPECT_EQ(progress.state, Progress::State::replicate);
  EXPECT_EQ(progress.next, 11u);
  progress.probe_sent = true;  // not a replicate-state signal
  EXPECT_FALSE(progress.paused());
  progress.inflights.add(12);
  progress.inflights.add(14);
  EXPECT_TRUE(progress.paused());
  progress.become_probe();  // e.g. a rejection: back to one append at a time from match + 1
  EXPECT_EQ(progress.state, Progress::State::probe);
  EXPECT_EQ(progress.inflights.count(), 0u);
  EXPECT_EQ(progress.next, 11u);
}

TEST(Progress, SnapshotStateKeepsTheSnapshotBeingSentUntilProbeAgain) {
  Progress progress;
  progress.match = 2;
  Snapshot snapshot{SnapshotMeta{50, 3}, SharedBytes(std::vector<std::uint8_t>{1, 2, 3}), {}};
  progress.become_snapshot(snapshot);
  EXPECT_EQ(progress.state, Progress::State::snapshot);
  EXPECT_EQ(progress.sending, snapshot);
  EXPECT_EQ(progress.sending_offset, 0u);
  progress.probe_sent = true;  // one chunk outstanding
  EXPECT_TRUE(progress.paused());
  progress.match = 50;
  progress.become_probe();
  EXPECT_EQ(progress.sending, Snapshot{});
  EXPECT_EQ(progress.next, 51u);
}

}  // namespace
}  // namespace raftsim
