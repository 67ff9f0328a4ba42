// Tests for sim/kernel/scheduler: (time, sequence) order, cancellation, run limits, and the
// strategy hook; a property compares the heap against a naive sorted-list reference.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <tuple>

#include "sim/kernel/scheduler.h"

namespace raftsim::sim {
namespace {

// Records (now, a) for every event it receives.
class Recorder final : public EventTarget {
 public:
  explicit Recorder(Scheduler& scheduler) : scheduler_(scheduler) {}
  void on_event(std::uint32_t, std::uint64_t a, std::uint64_t) override {
    runs.emplace_back(scheduler_.now(), a);
  }
  std::vector<std::pair<Time, std::uint64_t>> runs;

 private:
  Scheduler& scheduler_;
};

TEST(Scheduler, RunsInTimeThenInsertionOrder) {
  Scheduler scheduler;
  Recorder recorder(scheduler);
  scheduler.schedule_at(30, recorder, 0, 1);
  scheduler.schedule_at(10, recorder, 0, 2);
  scheduler.schedule_at(30, recorder, 0, 3);
  scheduler.schedule_at(20, recorder, 0, 4);
  scheduler.schedule_at(10, recorder, 0, 5);
  EXPECT_EQ(scheduler.run_until_idle(), 5u);
  const std::vector<std::pair<Time, std::uint64_t>> expected = {
      {10, 2}, {10, 5}, {20, 4}, {30, 1}, {30, 3}};
  EXPECT_EQ(recorder.runs, expected);
  EXPECT_EQ(scheduler.now(), 30);
}

TEST(Scheduler, CancelledEventNeverRuns) {
  Scheduler scheduler;
  Recorder recorder(scheduler);
  EventHandle first = scheduler.schedule_at(10, recorder, 0, 1);
  scheduler.schedule_at(20, recorder, 0, 2);
  EXPECT_TRUE(scheduler.cancel(first));
  EXPECT_FALSE(scheduler.cancel(first));
  EXPECT_FALSE(scheduler.is_pending(first));
  scheduler.run_until_idle();
  ASSERT_EQ(recorder.runs.size(), 1u);
  EXPECT_EQ(recorder.runs[0].second, 2u);
}

TEST(Scheduler, HandleOfRecycledSlotStaysDead) {
  Scheduler scheduler;
  Recorder recorder(scheduler);
  EventHandle old = scheduler.schedule_at(5, recorder, 0, 1);
  scheduler.run_until_idle();
  EventHandle reused = scheduler.schedule_at(6, recorder, 0, 2);
  EXPECT_EQ(old.slot, reused.slot);     // the slot is recycled...
  EXPECT_FALSE(scheduler.cancel(old));  // ...but the old handle cannot touch the new event
  EXPECT_TRUE(scheduler.is_pending(reused));
}

TEST(Scheduler, RunUntilStopsAtLimitAndAdvancesTime) {
  Scheduler scheduler;
  Recorder recorder(scheduler);
  scheduler.schedule_at(10, recorder, 0, 1);
  scheduler.schedule_at(100, recorder, 0, 2);
  EXPECT_EQ(scheduler.run_until(50), 1u);
  EXPECT_EQ(scheduler.now(), 50);
  EXPECT_EQ(scheduler.pending_count(), 1u);
  EXPECT_EQ(scheduler.run_until(100), 1u);  // inclusive limit
}

TEST(Scheduler, RunUntilIdleHonoursEventBudget) {
  Scheduler scheduler;
  Recorder recorder(scheduler);
  for (int i = 0; i < 10; ++i) scheduler.schedule_at(i, recorder, 0, i);
  EXPECT_EQ(scheduler.run_until_idle(4), 4u);
  EXPECT_EQ(scheduler.pending_count(), 6u);
}

class LastFirst final : public SchedulingStrategy {
 public:
  std::size_t choose(std::span<const PendingEvent> pending) override {
    ++calls;
    EXPECT_TRUE(std::is_sorted(pending.begin(), pending.end(),
                               [](const PendingEvent& x, const PendingEvent& y) {
                                 return std::tie(x.time, x.sequence) < std::tie(y.time, y.sequence);
                               }));
    return pending.size() - 1;
  }
  int calls = 0;
};

TEST(Scheduler, StrategyChoosesAmongPendingEvents) {
  Scheduler scheduler;
  Recorder recorder(scheduler);
  LastFirst strategy;
  scheduler.set_strategy(&strategy);
  scheduler.schedule_at(10, recorder, 0, 1);
  scheduler.schedule_at(20, recorder, 0, 2);
  scheduler.schedule_at(30, recorder, 0, 3);
  scheduler.run_until_idle();
  EXPECT_EQ(strategy.calls, 3);
  // Last first; time never goes back, so the earlier events run at the later now().
  const std::vector<std::pair<Time, std::uint64_t>> expected = {{30, 3}, {30, 2}, {30, 1}};
  EXPECT_EQ(recorder.runs, expected);
}

// Reference model: a plain list, scanned for the minimum (time, sequence).
RC_GTEST_PROP(SchedulerProperty, MatchesNaiveReference, ()) {
  const auto operations = *rc::gen::container<std::vector<std::pair<int, int>>>(
      rc::gen::pair(rc::gen::inRange(0, 4), rc::gen::inRange(0, 50)));
  Scheduler scheduler;
  Recorder recorder(scheduler);
  struct Reference {
    Time time;
    std::uint64_t sequence;
    std::uint64_t id;
    EventHandle handle;
  };
  std::vector<Reference> reference;
  std::vector<std::uint64_t> expected_order;
  std::uint64_t sequence = 0;
  std::uint64_t next_id = 0;
  auto run_reference_one = [&] {
    auto it = std::min_element(reference.begin(), reference.end(), [](auto& x, auto& y) {
      return std::tie(x.time, x.sequence) < std::tie(y.time, y.sequence);
    });
    expected_order.push_back(it->id);
    reference.erase(it);
  };
  for (auto [operation, value] : operations) {
    if (operation <= 1) {  // schedule
      const Time at = scheduler.now() + value;
      const std::uint64_t id = next_id++;
      reference.push_back({at, sequence++, id, scheduler.schedule_at(at, recorder, 0, id)});
    } else if (operation == 2 && !reference.empty()) {  // cancel
      const std::size_t victim = static_cast<std::size_t>(value) % reference.size();
      RC_ASSERT(scheduler.cancel(reference[victim].handle));
      reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(victim));
    } else if (!reference.empty()) {  // step
      RC_ASSERT(scheduler.step());
      run_reference_one();
    }
  }
  while (!reference.empty()) run_reference_one();
  scheduler.run_until_idle();
  std::vector<std::uint64_t> actual_order;
  for (auto& run : recorder.runs) actual_order.push_back(run.second);
  RC_ASSERT(actual_order == expected_order);
  RC_ASSERT(std::is_sorted(recorder.runs.begin(), recorder.runs.end(),
                           [](auto& x, auto& y) { return x.first < y.first; }));
}

}  // namespace
}  // namespace raftsim::sim
