#include "sim/kernel/scheduler.h"

#include <algorithm>

#include "raft/base/check.h"

namespace raftsim::sim {

EventHandle Scheduler::schedule_at(Time at, EventTarget& target, std::uint32_t kind,
                                   std::uint64_t a, std::uint64_t b) {
  RAFTSIM_CHECK_MSG(at >= now_, "cannot schedule an event in the past");
  RAFTSIM_CHECK_MSG(at < kTimeNever, "event time beyond kTimeNever");
  RAFTSIM_CHECK_MSG(live_count_ < kPendingEventsMax, "pending event limit reached");
  const std::uint32_t slot_index = slots_.acquire();
  Slot& slot = slots_[slot_index];
  RAFTSIM_CHECK(!slot.live);
  slot.target = &target;
  slot.a = a;
  slot.b = b;
  slot.kind = kind;
  slot.live = true;
  slot.time = at;
  slot.sequence = next_sequence_++;
  ++live_count_;
  push_entry(Entry{at, slot.sequence, slot_index, slot.generation});
  return EventHandle{slot_index, slot.generation};
}

bool Scheduler::is_pending(EventHandle handle) const {
  if (!handle.valid() || handle.slot >= slots_.size()) return false;
  const Slot& slot = slots_[handle.slot];
  return slot.live && slot.generation == handle.generation;
}

bool Scheduler::cancel(EventHandle handle) {
  if (!is_pending(handle)) return false;
  release(handle.slot);
  compact_if_mostly_stale();
  return true;
}

void Scheduler::release(std::uint32_t slot_index) {
  Slot& slot = slots_[slot_index];
  RAFTSIM_CHECK(slot.live);
  slot.live = false;
  ++slot.generation;  // invalidates the heap entry and every handle to this event
  --live_count_;
  slots_.release(slot_index);
}

// A 4-ary min-heap: half the depth of a binary heap, and a node's four children share one or
// two cache lines, which is what the timer-churn benchmark is bound by.
namespace {
constexpr std::size_t kArity = 4;
}

void Scheduler::push_entry(const Entry& entry) {
  heap_.push_back(entry);
  std::size_t hole = heap_.size() - 1;
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!Later{}(heap_[parent], entry)) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

Scheduler::Entry Scheduler::pop_entry() {
  RAFTSIM_CHECK(!heap_.empty());
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return top;
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first_child = hole * kArity + 1;
    if (first_child >= size) break;
    std::size_t best = first_child;
    const std::size_t end = std::min(first_child + kArity, size);
    for (std::size_t child = first_child + 1; child < end; ++child) {
      if (Later{}(heap_[best], heap_[child])) best = child;
    }
    if (!Later{}(last, heap_[best])) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = last;
  return top;
}

void Scheduler::rebuild_heap() {
  std::vector<Entry> entries;
  entries.swap(heap_);
  heap_.reserve(entries.capacity());
  for (const Entry& entry : entries) push_entry(entry);
}

void Scheduler::drop_stale_top() {
  while (!heap_.empty() && stale(heap_.front())) pop_entry();
}

void Scheduler::compact_if_mostly_stale() {
  // Cancelled timers leave stale entries behind; rebuild once they outnumber the live ones so
  // the heap stays within twice the pending count.
  if (heap_.size() < 64 || heap_.size() <= 2 * live_count_) return;
  std::erase_if(heap_, [this](const Entry& entry) { return stale(entry); });
  rebuild_heap();
}

void Scheduler::run_slot(std::uint32_t slot_index, Time at) {
  Slot& slot = slots_[slot_index];
  EventTarget* target = slot.target;
  const std::uint32_t kind = slot.kind;
  const std::uint64_t a = slot.a;
  const std::uint64_t b = slot.b;
  release(slot_index);  // before the call: the target may schedule into this very slot
  now_ = std::max(now_, at);
  ++events_run_;
  target->on_event(kind, a, b);
}

bool Scheduler::step() {
  if (strategy_ != nullptr) return step_with_strategy();
  drop_stale_top();
  if (heap_.empty()) return false;
  const Entry entry = pop_entry();
  run_slot(entry.slot, entry.time);
  return true;
}

bool Scheduler::step_with_strategy() {
  std::vector<PendingEvent> pending = pending_events();
  if (pending.empty()) return false;
  const std::size_t choice = strategy_->choose(pending);
  RAFTSIM_CHECK_MSG(choice < pending.size(), "strategy chose an event that is not pending");
  // Find the slot by sequence; the heap entry turns stale when the slot is released.
  for (const Entry& entry : heap_) {
    if (!stale(entry) && entry.sequence == pending[choice].sequence) {
      // Choosing a later event moves time forward; earlier ones then run at the new now().
      run_slot(entry.slot, entry.time);
      compact_if_mostly_stale();
      return true;
    }
  }
  RAFTSIM_UNREACHABLE("pending event without a heap entry");
}

std::vector<PendingEvent> Scheduler::pending_events() const {
  std::vector<PendingEvent> pending;
  pending.reserve(live_count_);
  for (const Slot& slot : slots_) {
    if (slot.live) {
      pending.push_back(
          PendingEvent{slot.time, slot.sequence, slot.target, slot.kind, slot.a, slot.b});
    }
  }
  std::sort(pending.begin(), pending.end(), [](const PendingEvent& x, const PendingEvent& y) {
    return x.time != y.time ? x.time < y.time : x.sequence < y.sequence;
  });
  return pending;
}

Time Scheduler::next_event_time() {
  drop_stale_top();
  return heap_.empty() ? kTimeNever : heap_.front().time;
}

std::uint64_t Scheduler::run_until(Time limit) {
  RAFTSIM_CHECK(limit >= now_);
  const std::uint64_t before = events_run_;
  if (strategy_ != nullptr) {
    while (next_event_time() <= limit && step_with_strategy()) {
    }
  } else {
    while (next_event_time() <= limit) step();
  }
  now_ = std::max(now_, limit);
  return events_run_ - before;
}

std::uint64_t Scheduler::run_until_idle(std::uint64_t max_events) {
  const std::uint64_t before = events_run_;
  while (events_run_ - before < max_events && step()) {
  }
  return events_run_ - before;
}

}  // namespace raftsim::sim
