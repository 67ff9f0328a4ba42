// raftsim: the event queue that owns virtual time.
// Events run in (time, insertion sequence) order unless a SchedulingStrategy is installed, in
// which case the strategy picks among all pending events (the model checker's hook). Events are
// plain values -- a target, a kind and two words -- kept in recycled slots, so scheduling and
// running an event allocates nothing once the queue has reached its working size.
// Invariants: 1. now() never decreases. 2. An event runs at most once; a cancelled one never.
// 3. The number of pending events never exceeds kPendingEventsMax.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/kernel/slot_pool.h"
#include "sim/kernel/time.h"

namespace raftsim::sim {

// Anything that events can be addressed to. kind/a/b mean what the target says they mean.
class EventTarget {
 public:
  virtual void on_event(std::uint32_t kind, std::uint64_t a, std::uint64_t b) = 0;

 protected:
  ~EventTarget() = default;
};

struct EventHandle {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  bool valid() const { return slot != UINT32_MAX; }
  friend bool operator==(const EventHandle&, const EventHandle&) = default;
};

// What a strategy sees of a pending event.
struct PendingEvent {
  Time time;
  std::uint64_t sequence;
  const EventTarget* target;
  std::uint32_t kind;
  std::uint64_t a;
  std::uint64_t b;
};

class SchedulingStrategy {
 public:
  virtual ~SchedulingStrategy() = default;
  // `pending` is non-empty and sorted by (time, sequence); return the index to run next.
  virtual std::size_t choose(std::span<const PendingEvent> pending) = 0;
};

class Scheduler {
 public:
  // A runaway feedback loop should stop the run, not eat the machine's memory.
  static constexpr std::size_t kPendingEventsMax = std::size_t{1} << 24;

  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Time now() const { return now_; }
  EventHandle schedule_at(Time at, EventTarget& target, std::uint32_t kind, std::uint64_t a = 0,
                          std::uint64_t b = 0);
  EventHandle schedule_after(Time delay, EventTarget& target, std::uint32_t kind,
                             std::uint64_t a = 0, std::uint64_t b = 0) {
    return schedule_at(now_ + delay, target, kind, a, b);
  }
  // True if the event was pending; false if it already ran or was cancelled.
  bool cancel(EventHandle handle);
  bool is_pending(EventHandle handle) const;

  // Runs one event; false when nothing is pending.
  bool step();
  // Runs every event with time <= limit, then sets now() to limit. Returns events run.
  std::uint64_t run_until(Time limit);
  // Runs until nothing is pending or max_events have run. Returns events run.
  std::uint64_t run_until_idle(std::uint64_t max_events = UINT64_MAX);

  void set_strategy(SchedulingStrategy* strategy) { strategy_ = strategy; }
  std::size_t pending_count() const { return live_count_; }
  std::uint64_t events_run() const { return events_run_; }
  // The sequence number the next scheduled event will get (events so far scheduled, in all).
  std::uint64_t next_sequence() const { return next_sequence_; }
  // Every pending event in (time, sequence) order.
  std::vector<PendingEvent> pending_events() const;
  // Time of the earliest pending event, or kTimeNever.
  Time next_event_time();

 private:
  struct Entry {
    Time time;
    std::uint64_t sequence;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Slot {
    EventTarget* target = nullptr;
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint32_t kind = 0;
    std::uint32_t generation = 0;
    bool live = false;
    Time time = 0;
    std::uint64_t sequence = 0;
  };

  // A function object (not a function pointer) so the heap algorithms inline the comparison.
  // (time, sequence) compared as one 128-bit number: no branch on whether the times tie, which
  // a heap of events at the same few instants would mispredict (times are never negative).
  struct Later {
    static unsigned __int128 order(const Entry& entry) {
      return (static_cast<unsigned __int128>(static_cast<std::uint64_t>(entry.time)) << 64) |
             entry.sequence;
    }
    bool operator()(const Entry& x, const Entry& y) const { return order(x) > order(y); }
  };
  bool stale(const Entry& entry) const {
    const Slot& slot = slots_[entry.slot];
    return !slot.live || slot.generation != entry.generation;
  }
  void push_entry(const Entry& entry);
  Entry pop_entry();
  void rebuild_heap();
  void drop_stale_top();
  void compact_if_mostly_stale();
  void release(std::uint32_t slot_index);
  void run_slot(std::uint32_t slot_index, Time at);
  bool step_with_strategy();

  Time now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::size_t live_count_ = 0;
  std::vector<Entry> heap_;  // 4-ary min-heap on (time, sequence); may hold stale entries
  SlotPool<Slot> slots_;
  SchedulingStrategy* strategy_ = nullptr;
};

}  // namespace raftsim::sim
